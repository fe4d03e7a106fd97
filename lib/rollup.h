/* Report rollups: totals per country, organisation (ASN), company, registrable
 * domain and remote endpoint, plus summary additions (bytes up/down, distinct
 * counts, encrypted vs plaintext share, plaintext destinations).
 *
 * The input is the flow object exactly as the report writes it (cJSON), so the
 * same code serves a live run and `datatrail merge`: adding the flows of
 * several per-file reports in input order gives the same JSON as one run.
 *
 * Upload = bytes sent by the local side (the client if client.local, else the
 * server if server.local, else the client).  The remote endpoint is the other
 * side.  Flows between two local addresses are counted as local only.
 * Memory grows with distinct endpoints and names, not with flows (flow start
 * times are kept per endpoint for the rhythm, at most DT_ROLLUP_MAX_STARTS).
 * Schema: docs/report-schema.md. */
#ifndef DT_ROLLUP_H
#define DT_ROLLUP_H

#include <cjson/cJSON.h>

#define DT_ROLLUP_MAX_STARTS 100000 /* flow start times kept per endpoint */
#define DT_ROLLUP_TOP 5             /* rows of top_organizations / top_domains */

typedef struct dt_rollup dt_rollup;

dt_rollup *dt_rollup_new(void);
/* Adds one flow object.  Returns 0, 1 when the flow was not usable (not an
 * object, no client/server) and was skipped, -1 when out of memory. */
int dt_rollup_add_flow(dt_rollup *r, const cJSON *flow);
/* Adds "countries", "organizations", "companies", "domains" and "endpoints"
 * at the top level of report (replacing earlier ones) and extends
 * report["summary"] (created when missing). */
void dt_rollup_write(const dt_rollup *r, cJSON *report);
void dt_rollup_free(dt_rollup *r);

#endif
