/* Enrichment: what the world knows about a remote endpoint — country, network
 * (ASN, organisation), address class, registrable domain, the recipient and
 * the host behind it (with evidence) and whether sending data there leaves the EU/EEA. */
#ifndef DT_ENRICH_H
#define DT_ENRICH_H

#include "datatrail.h"
#include "enrich/entity.h"
#include "enrich/geo.h"
#include "enrich/transfer.h"

/* dt_enrich_config, the dt_enricher handle, dt_data_dir, dt_enrich_config_default
 * and dt_enricher_open/close are public (datatrail.h). */

typedef struct dt_endpoint_info {
    dt_geo_result geo;        /* country, asn, org, class */
    char domain[256];         /* registrable domain of the name, "" if none */
    dt_attribution recipient; /* who receives the data (never the hosting network) */
    dt_attribution host;      /* who runs the network (by ASN) */
    dt_transfer_class transfer;
    uint64_t serial; /* unique per filling in the process: same serial, same content
                        (report/flowjson keeps the JSON of recent ones) */
    uint32_t slot;   /* the enricher's cache slot (< DT_ENDPOINT_SLOTS), or DT_ENDPOINT_NO_SLOT */
} dt_endpoint_info;

/* Results an enricher keeps (per thread: each thread has its own enricher). */
#define DT_ENDPOINT_SLOTS 4096
#define DT_ENDPOINT_NO_SLOT UINT32_MAX

/* What is known about a server; the result is the enricher's (a cache slot)
 * and stays valid until the next call. */
const dt_endpoint_info *dt_enrich_endpoint(dt_enricher *e, const dt_addr *ip, const char *name,
                                           const char *cert_o);

const dt_geo *dt_enricher_geo(const dt_enricher *e);
const dt_countries *dt_enricher_countries(const dt_enricher *e);
const dt_entities *dt_enricher_entities(const dt_enricher *e);

#endif
