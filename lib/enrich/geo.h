/* Country / city / ASN enrichment from MaxMind DB files via libmaxminddb.
 *
 * Supported layouts (detected from metadata and by probing keys): GeoLite2/GeoIP2 Country and
 * City (country.iso_code, country.names.en, registered_country, city.names.en), GeoLite2-ASN
 * and DB-IP lite (same keys), ip-location-db (top-level country_code; ASN keys as GeoLite2),
 * and the files datatrail builds itself (GeoLite2 keys; see mmdb_write.h). */
#ifndef DT_GEO_H
#define DT_GEO_H

#include <stddef.h>
#include <stdint.h>

#include "util/addr.h"

typedef struct dt_geo_result {
    char country[3];       /* ISO 3166-1 alpha-2, "" if unknown */
    char country_name[64]; /* English name, "" if unknown */
    char city[64];
    uint32_t asn; /* 0 if unknown */
    char org[128];
    const char *class; /* dt_ipclass() of the address (static string) */
} dt_geo_result;

typedef struct dt_geo_config {
    const char *country_db, *asn_db, *city_db, *override_db; /* explicit files, or NULL */
    const char *geodb_dir;                                   /* --geodb-dir, searched first */
    const char *data_dir; /* the project's data/ directory, searched after the environment */
    size_t cache_entries; /* rounded up to a power of two, at most 2^20; 0 = 8192 (small enough to
                             stay in cache) */
    int no_system_search; /* 1: ignore DATATRAIL_GEODB_DIR and the system GeoIP dirs */
    /* country names where a database has none (data/countries.json, kept by the caller);
     * NULL: dt_geo_country_name() */
    const struct dt_countries *countries;
} dt_geo_config;

typedef struct dt_geo dt_geo;

/* Opens the databases.  A path given explicitly that cannot be opened is an error (NULL, reason
 * in warn).  Otherwise succeeds, possibly with zero databases, in which case warn says so.
 * Search order for a database not given: geodb_dir, $DATATRAIL_GEODB_DIR, data_dir,
 * /usr/share/GeoIP, /var/lib/GeoIP, /usr/local/share/GeoIP. */
dt_geo *dt_geo_open(const dt_geo_config *cfg, char *warn, size_t warnlen);
void dt_geo_close(dt_geo *g);

/* Fills out.  Special-purpose addresses are classified, not looked up; IPv4-mapped and NAT64
 * addresses are looked up by their embedded IPv4 address.  Returns 1 if some database had data,
 * 0 if nothing was found, -1 on bad arguments.  Results are cached per address. */
int dt_geo_lookup(dt_geo *g, const dt_addr *a, dt_geo_result *out);

int dt_geo_db_count(const dt_geo *g);
const char *dt_geo_db_path(const dt_geo *g, int i);
const char *dt_geo_db_kind(const dt_geo *g, int i);       /* "country", "asn", "city", "override" */
const char *dt_geo_db_type(const dt_geo *g, int i);       /* metadata database_type */
const char *dt_geo_db_schema(const dt_geo *g, int i);     /* e.g. "geolite2-country" */
const char *dt_geo_db_build_date(const dt_geo *g, int i); /* RFC 3339, UTC */
const char *dt_geo_db_attribution(const dt_geo *g, int i);

void dt_geo_cache_stats(const dt_geo *g, uint64_t *hits, uint64_t *misses);

/* The name reports show for an ISO 3166-1 alpha-2 code (either case), from data/countries.json
 * in dt_data_dir(), loaded once on first use (dt_country_common_name()); NULL when unknown or
 * when the file cannot be read. */
const char *dt_geo_country_name(const char *cc);

#endif
