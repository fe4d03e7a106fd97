/* Countries and the GDPR view of a transfer to them (data/countries.json).
 *
 * A loaded dt_countries is read-only: lookups are thread-safe.
 */
#ifndef DT_TRANSFER_H
#define DT_TRANSFER_H

#include <stddef.h>

typedef enum dt_transfer_class {
    DT_TRANSFER_UNKNOWN = 0,      /* no country, or a code not in the table */
    DT_TRANSFER_LOCAL,            /* non-public address (private, loopback, ...): no transfer */
    DT_TRANSFER_EEA,              /* EU/EEA country (or EU territory with its own code) */
    DT_TRANSFER_ADEQUATE,         /* third country with an Art. 45 adequacy decision */
    DT_TRANSFER_THIRD,            /* any other third country */
    DT_TRANSFER_ADEQUATE_PARTIAL, /* an adequacy decision that covers only some recipients
                                     (the US: Data Privacy Framework participants) */
} dt_transfer_class;

typedef struct dt_country {
    char cc[3];           /* "DE" */
    char name[64];        /* ISO 3166-1 English short name: "Korea, Republic of" */
    char common_name[64]; /* the name in common use, "" when it is the ISO name: "South Korea" */
    int eu, eea;          /* flags; eea is also set for EU members */
    char part_of[3];      /* EU territory with its own code (RE, GF, AX ...): its member state */
    int adequate;         /* has an adequacy decision */
    int partial;          /* the decision covers only some recipients (US DPF, Canada PIPEDA ...) */
    char decision[128];   /* e.g. "Commission Implementing Decision (EU) 2023/1795", or "" */
    char note[256];       /* scope note of the decision (or territory note), or "" */
} dt_country;

typedef struct dt_countries dt_countries;

/* Loads data/countries.json; NULL and "path[:line:col]: reason" in err on failure. */
dt_countries *dt_countries_load(const char *path, char *err, size_t errlen);
void dt_countries_free(dt_countries *cs);

/* Case-insensitive two-letter code; NULL when unknown. */
const dt_country *dt_country_get(const dt_countries *cs, const char *cc);
/* English short name, or NULL when the code is unknown. */
const char *dt_country_name(const dt_countries *cs, const char *cc);
/* The name reports show: the common name where the file gives one ("South Korea"), else the
 * ISO name; also the file's "regions" (codes that are not countries, such as "EU", which some
 * geo databases return).  NULL when the code is in neither. */
const char *dt_country_common_name(const dt_countries *cs, const char *cc);
/* Adequacy decision reference / scope note; NULL when the country has none. */
const char *dt_country_adequacy_ref(const dt_countries *cs, const char *cc);
const char *dt_country_adequacy_note(const dt_countries *cs, const char *cc);
/* The file's "date", "legal_basis" and "source" fields. */
const char *dt_countries_date(const dt_countries *cs);
const char *dt_countries_legal_basis(const dt_countries *cs);
const char *dt_countries_source(const dt_countries *cs);

/* Classifies a transfer to an address geolocated to `cc` whose class is
 * `ipclass`: NULL, "" or "public" mean a public address; any other class
 * ("private", "loopback", "link-local", "multicast", "cgnat", "reserved", ...)
 * gives DT_TRANSFER_LOCAL.  Otherwise NULL/empty/unknown codes (e.g. "ZZ")
 * give DT_TRANSFER_UNKNOWN. */
dt_transfer_class dt_transfer_of(const dt_countries *cs, const char *cc, const char *ipclass);

/* "eea", "adequate", "adequate_partial", "third_country", "unknown", "local". */
const char *dt_transfer_str(dt_transfer_class t);

#endif
