/* Attribution: which company operates a domain, an ASN, or a
 * certificate's subject organisation.
 *
 * The data comes from data/entities.json (see docs/data.md) plus optional
 * user files merged on top (--entities).  A loaded dt_entities is read-only
 * afterwards: lookups may run from several threads (load and merge before
 * starting them: cJSON keeps a global error pointer).  Entity pointers stay
 * valid until dt_entities_free().
 */
#ifndef DT_ENTITY_H
#define DT_ENTITY_H

#include <stddef.h>
#include <stdint.h>

#define DT_ENTITY_NAME_MAX 96
#define DT_ENTITY_LEGAL_MAX 160
#define DT_ENTITY_CAT_MAX 16

typedef struct dt_entity {
    char name[DT_ENTITY_NAME_MAX];        /* "Tencent" */
    char legal_name[DT_ENTITY_LEGAL_MAX]; /* may be "" */
    char country[3];                      /* ISO 3166-1 alpha-2 of the headquarters, or "" */
    char category[DT_ENTITY_CAT_MAX];     /* one of the categories of docs/data.md */
    int file;                             /* the file that last defined it: 0 shipped, 1.. user */
} dt_entity;

typedef struct dt_entities dt_entities;

/* Loads a JSON entity file.  On error returns NULL and writes
 * "path:line:column: reason" (syntax errors) or "path: entities[i] \"name\": reason"
 * (schema errors) into err. */
dt_entities *dt_entities_load(const char *path, char *err, size_t errlen);

/* Merges a user entity file on top; later wins: an entity with the same name
 * (case-insensitive) is updated (country, category and legal_name when given;
 * domains, ASNs and org patterns are added), and a domain or ASN listed again
 * moves to the later entity.  On error returns -1 and leaves `es` unchanged. */
int dt_entities_merge(dt_entities *es, const char *path, char *err, size_t errlen);

void dt_entities_free(dt_entities *es);

size_t dt_entities_count(const dt_entities *es);

/* Longest suffix match on label boundaries (case-insensitive, trailing dot
 * ignored): "android.bugly.qq.com" matches "qq.com" (or "bugly.qq.com" when
 * that is listed too); "notqq.com" does not match "qq.com". */
const dt_entity *dt_entity_by_domain(const dt_entities *es, const char *name);

/* The entity listing `asn`; else the one whose asn_orgs pattern occurs in
 * asn_org (case-insensitive; the longest pattern wins, ties go to the later
 * one).  asn 0 / asn_org NULL mean unknown. */
const dt_entity *dt_entity_by_asn(const dt_entities *es, uint32_t asn, const char *asn_org);

/* For an organisation string (certificate subject O): the entity whose name
 * equals it (case-insensitive); else one whose legal_name equals it, from the
 * latest file, and within a file the first listed (the company comes before
 * its service-level entities: "Google LLC" is Google, not Google Maps); else
 * one whose asn_orgs pattern occurs in it. */
const dt_entity *dt_entity_by_org(const dt_entities *es, const char *org);

#define DT_EVIDENCE_VALUE_MAX 256

/* One side of a server's attribution: who receives the data (the recipient)
 * or who runs the network (the host), with the evidence and the value it
 * matched. */
typedef struct dt_attribution {
    char name[DT_EVIDENCE_VALUE_MAX];    /* "" when nothing was found */
    const char *evidence;                /* "domain" | "cert" | "unidentified" | "asn" | "" */
    char matched[DT_EVIDENCE_VALUE_MAX]; /* the suffix, the subject O, the name, "AS15169 GOOGLE" */
    const dt_entity *entity;             /* the curated entity, or NULL */
    int identified;                      /* a company is named (not an unidentified domain) */
} dt_attribution;

/* The recipient of a server: the entity of the longest listed suffix of
 * `name` (evidence "domain", matched = that suffix); else the certificate
 * subject O (the entity it names, else O verbatim; evidence "cert"); else,
 * when there is a name, "unidentified" with `domain` (the registrable
 * domain, or the name itself when "") as its label.  Never the hosting
 * network.  A name that is an address ("1.2.3.4", "[2001:db8::1]:80") is no
 * name.  Returns 1 when a recipient was named, 0 (name "") when there is
 * neither a name nor an O. */
int dt_recipient_attribute(const dt_entities *es, const char *name, const char *domain,
                           const char *cert_subject_o, dt_attribution *out);

/* The host of a server: the entity by ASN number or ASN organisation pattern,
 * else the raw ASN organisation ("AS64512" when it has none); evidence "asn",
 * matched "AS16509 Amazon.com, Inc.".  Returns 0 (name "") without an ASN. */
int dt_host_attribute(const dt_entities *es, uint32_t asn, const char *asn_org,
                      dt_attribution *out);

/* The party of a recipient to the device, from its entity category (see
 * docs/data.md): "first_party" when name equals vendor (case-insensitive),
 * "unknown" when not identified, "support_party" for cloud, cdn, pki, time,
 * connectivity, telematics and car_supplier, else "third_party".  A car
 * maker with no vendor known (vendor NULL) is NULL: decided by the report. */
const char *dt_party_of(const char *name, int identified, const char *category, const char *vendor);

/* The entity named `name` (case-insensitive), or NULL. */
const dt_entity *dt_entity_by_name(const dt_entities *es, const char *name);

#endif
