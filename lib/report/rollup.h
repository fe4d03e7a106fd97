/* Report rollups: totals per country, organisation (ASN), company, registrable
 * domain and remote endpoint, plus summary additions (bytes up/down, distinct
 * counts, encrypted vs plaintext share, plaintext destinations).
 *
 * The input is the part of the flow object the rollups use (dt_rollup_flow),
 * filled from the flow struct during a run or from the flow objects of
 * reports (`datatrail merge`); rollups of parts read in parallel are merged in
 * input order.  Either way the result is the JSON of one run over all inputs.
 *
 * Upload = bytes sent by the local side (the client if client.local, else the
 * server if server.local, else the client).  The remote endpoint is the other
 * side.  Flows between two local addresses are counted as local only.
 * Memory grows with distinct endpoints and names, not with flows (flow start
 * times are kept per endpoint for the rhythm, at most DT_ROLLUP_MAX_STARTS),
 * up to DT_ROLLUP_MAX_BYTES in all.
 * Schema: docs/report-schema.md. */
#ifndef DT_ROLLUP_H
#define DT_ROLLUP_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#define DT_ROLLUP_MAX_STARTS 100000 /* flow start times kept per endpoint */
#define DT_ROLLUP_TOP 5             /* rows of top_organizations / top_domains */
/* Memory of all tables of one rollup (entries, keys, start times).  Once
 * reached, no new key is added anywhere (existing ones keep counting; the
 * totals of the summary stay exact) and each key turned away is counted in
 * summary.rollup_entries_dropped. */
#define DT_ROLLUP_MAX_BYTES (48u << 20)

typedef struct dt_rollup dt_rollup;

/* What the rollups read of one flow: fields of the flow object (client.ip,
 * server.country, tls.sni, ...), filled from the flow struct during a run
 * (dt_flow_rollup_fields) or from a flow object of a report (merge).  Strings
 * may be NULL; empty strings count as missing, as null does in the JSON.
 * Times are what the JSON text holds: truncated to ts_digits. */
typedef struct dt_rollup_flow {
    const char *client_ip, *server_ip;
    uint64_t client_port, server_port;
    int client_local, server_local;
    uint64_t client_bytes, server_bytes;
    const char *app;
    int encrypted; /* has a tls or quic object, or encrypted_dns */
    const char *name, *name_source, *tls_sni, *quic_sni, *http_host;
    /* enrichment of the server */
    const char *country, *org, *company, *company_source, *domain, *transfer;
    uint64_t asn; /* 0: none */
    int have_time, ts_digits;
    uint64_t first_ns, last_ns;
} dt_rollup_flow;

dt_rollup *dt_rollup_new(void);
/* Another memory limit than DT_ROLLUP_MAX_BYTES (tests). */
void dt_rollup_set_limit(dt_rollup *r, size_t bytes);
/* Keys turned away because the memory limit was reached. */
uint64_t dt_rollup_dropped(const dt_rollup *r);
/* Adds one flow.  Returns 0, or -1 when out of memory (counted partly). */
int dt_rollup_add(dt_rollup *r, const dt_rollup_flow *f);
/* Adds one flow object.  Returns 0, 1 when the flow was not usable (not an
 * object, no client/server) and was skipped, -1 when out of memory. */
int dt_rollup_add_flow(dt_rollup *r, const cJSON *flow);
/* Adds everything of src to dst as if src's flows were added after dst's
 * (the same output, except where a table of dst or src reached its size
 * limit).  Returns 0, or -1 when out of memory. */
int dt_rollup_merge(dt_rollup *dst, const dt_rollup *src);
/* Bytes and flows per transfer class (the summary's "transfers"). */
cJSON *dt_rollup_transfers_json(const dt_rollup *r);
/* Adds "countries", "organizations", "companies", "domains" and "endpoints"
 * at the top level of report (replacing earlier ones) and extends
 * report["summary"] (created when missing). */
void dt_rollup_write(const dt_rollup *r, cJSON *report);
/* The same without "endpoints" when with_endpoints is 0: a large report
 * writes them one at a time with dt_rollup_each_endpoint (no tree of all). */
void dt_rollup_write_sections(const dt_rollup *r, cJSON *report, int with_endpoints);
/* Calls fn with each object of "endpoints", in report order (deleted after fn
 * returns); stops at the first non-zero return, which it returns. */
int dt_rollup_each_endpoint(const dt_rollup *r, int (*fn)(void *ctx, const cJSON *endpoint),
                            void *ctx);
void dt_rollup_free(dt_rollup *r);

#endif
