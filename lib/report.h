/* Output: flows as NDJSON (streamed as they end) or one JSON report object
 * with inputs, summary, the DNS table and the flows.  Flows are written to a
 * temporary file as they end, so memory does not grow with the capture. */
#ifndef DT_REPORT_H
#define DT_REPORT_H

#include "engine.h"
#include "enrich.h"

#include <stdio.h>

typedef enum dt_report_mode { DT_OUT_REPORT = 0, DT_OUT_FLOWS } dt_report_mode;

typedef struct dt_report_opts {
    dt_report_mode mode;
    int debug_streams; /* add "streams" (hex of reassembled prefixes) to TCP flows */
    int no_flows;      /* report without the "flows" array */
    dt_enricher *enricher; /* NULL: no enrichment fields */
    const char *geo_warning; /* shown in the report's "warnings" */
} dt_report_opts;

typedef struct dt_report dt_report;

/* out: where the NDJSON flows or the final report go. */
dt_report *dt_report_new(const dt_report_opts *opts, FILE *out);
void dt_report_free(dt_report *r);

/* Sink for dt_engine_run(): ctx is the dt_report. */
void dt_report_flow(void *ctx, const dt_input_info *in, const dt_flow *f);

/* Records an input once it has been read. */
void dt_report_input(dt_report *r, const dt_input_info *in);

/* Writes the report (report mode).  Returns 0, or -1 on a write error. */
int dt_report_finish(dt_report *r);

/* RFC 3339 UTC with `digits` fractional digits (6 when 0). */
char *dt_format_time(uint64_t ts_ns, int digits, char *buf, size_t len);

#endif
