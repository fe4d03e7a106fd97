/* Company attribution: which company operates a domain, an ASN, or a
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
    char category[DT_ENTITY_CAT_MAX];     /* cloud|cdn|car_maker|car_supplier|analytics|maps|
                                             media|platform|other */
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

/* For an organisation string (certificate subject O): an entity whose name or
 * legal_name equals it (case-insensitive), else one whose asn_orgs pattern
 * occurs in it. */
const dt_entity *dt_entity_by_org(const dt_entities *es, const char *org);

#define DT_EVIDENCE_VALUE_MAX 256
#define DT_EVIDENCE_MAX 3

typedef struct dt_evidence {
    const char *kind;                    /* "domain", "cert" or "asn" */
    char value[DT_EVIDENCE_VALUE_MAX];   /* the name, the subject O, or "AS15169 GOOGLE" */
    char company[DT_EVIDENCE_VALUE_MAX]; /* what this evidence alone names ("" if nothing) */
} dt_evidence;

typedef struct dt_company {
    char name[DT_EVIDENCE_VALUE_MAX]; /* "" when nothing was found */
    const char *source;               /* "domain" | "cert" | "asn" | "" */
    const dt_entity *entity;          /* the curated entity, or NULL (raw O / ASN org) */
    int n_evidence;
    dt_evidence evidence[DT_EVIDENCE_MAX]; /* in order domain, cert, asn */
} dt_company;

/* Decides the company behind a server.  Preference: a domain match on `name`
 * (SNI/Host/DNS name) > the certificate subject O (mapped to a curated
 * entity when it is one, else used verbatim) > the ASN (curated entity by
 * number or org pattern, else the raw ASN org string).  Every kind present is
 * recorded as evidence: domain only when it matched an entity, cert when O is
 * non-empty, asn when asn != 0 or asn_org is non-empty.  Any argument may be
 * NULL/0 (es too).  Returns 1 when a company was named, 0 otherwise. */
int dt_company_attribute(const dt_entities *es, const char *name, const char *cert_subject_o,
                         uint32_t asn, const char *asn_org, dt_company *out);

#endif
