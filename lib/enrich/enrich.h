/* Enrichment: what the world knows about a remote endpoint — country, network
 * (ASN, organisation), address class, registrable domain, the company behind
 * it (with evidence) and whether sending data there leaves the EU/EEA. */
#ifndef DT_ENRICH_H
#define DT_ENRICH_H

#include "enrich/entity.h"
#include "enrich/geo.h"
#include "enrich/transfer.h"

#define DT_MAX_USER_ENTITIES 16

typedef struct dt_enrich_config {
    dt_geo_config geo;
    const char *data_dir; /* entities.json and countries.json; NULL = default */
    const char *entities[DT_MAX_USER_ENTITIES]; /* --entities files, merged in order */
    int n_entities;
} dt_enrich_config;

typedef struct dt_enricher dt_enricher;

typedef struct dt_endpoint_info {
    dt_geo_result geo; /* country, asn, org, class */
    char domain[256];  /* registrable domain of the name, "" if none */
    dt_company company;
    dt_transfer_class transfer;
} dt_endpoint_info;

/* The data directory: $DATATRAIL_DATA_DIR, else the one compiled in. */
const char *dt_data_dir(void);

void dt_enrich_config_default(dt_enrich_config *c);

/* Opens the geo databases and loads the entity and country tables.  A missing
 * geo database is not an error (warn says so); a broken data file is (err). */
dt_enricher *dt_enricher_open(const dt_enrich_config *c, char *warn, size_t warnlen, char *err,
                              size_t errlen);
void dt_enricher_close(dt_enricher *e);

/* What is known about a server; the result is the enricher's (a cache slot)
 * and stays valid until the next call. */
const dt_endpoint_info *dt_enrich_endpoint(dt_enricher *e, const dt_addr *ip, const char *name,
                                           const char *cert_o);

const dt_geo *dt_enricher_geo(const dt_enricher *e);
const dt_countries *dt_enricher_countries(const dt_enricher *e);

#endif
