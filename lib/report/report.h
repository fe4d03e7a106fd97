/* The report: inputs, summary, DNS table, rollups and flows.
 *
 * Flows are written as JSON lines as they end (to the output in `flows` mode,
 * else to a temporary file), so memory does not grow with the capture.  A
 * report is put together from parts (one per input, possibly built in
 * parallel) in input order, or from earlier reports (`datatrail merge`); the
 * rollups are computed from the flow objects in both cases, so merging
 * per-file reports gives the same totals as one run over all files. */
#ifndef DT_REPORT_H
#define DT_REPORT_H

#include "run/engine.h"
#include "enrich/enrich.h"

#include <stdio.h>

typedef enum dt_report_mode { DT_OUT_REPORT = 0, DT_OUT_FLOWS } dt_report_mode;
typedef enum dt_report_format { DT_FMT_JSON = 0, DT_FMT_TEXT, DT_FMT_CSV } dt_report_format;

typedef struct dt_report_opts {
    dt_report_mode mode;
    dt_report_format format;
    int debug_streams;       /* add "streams" (hex of reassembled prefixes) to TCP flows */
    int no_flows;            /* report without the "flows" array */
    int width, color;        /* text format */
    dt_enricher *enricher;   /* NULL: no enrichment fields */
    const char *geo_warning; /* shown in the report's "warnings" */
    /* echoed as "options" when not NULL (local networks, idle timeout, flow
     * and stream limits) with echo_geo ("geo": geolocation on) */
    const dt_engine_config *echo;
    int echo_geo;
} dt_report_opts;

typedef struct dt_report dt_report;

/* out: where the flows or the final report go. */
dt_report *dt_report_new(const dt_report_opts *opts, FILE *out);
/* A part for one input: like its parent, but flows go to a temporary file
 * until dt_report_absorb(); enricher is the part's own (geo lookups cache),
 * NULL to use the parent's. */
dt_report *dt_report_new_part(const dt_report *parent, dt_enricher *enricher);
void dt_report_free(dt_report *r);

/* Sink for dt_engine_run(): ctx is the dt_report (or part). */
void dt_report_flow(void *ctx, const dt_input_info *in, const dt_flow *f);
/* dt_engine_config.dns_sink: adds a DNS response to the report's table. */
void dt_report_dns(void *ctx, const struct dt_flow_dns *rec);
/* Records an input once it has been read. */
void dt_report_input(dt_report *r, const dt_input_info *in);

/* Moves everything of part into r (flows appended in order). */
int dt_report_absorb(dt_report *r, dt_report *part);

/* Adds a report written earlier (datatrail merge), read from path ("-":
 * stdin, at most max bytes) or given as its text.  Returns 0; -1 when it
 * cannot be read or parsed ("path: reason" in err); -2 when it is not a
 * report that can be merged (the reason in err, e.g. it has no flows: made
 * with --no-flows). */
int dt_report_merge_file(dt_report *r, const char *path, size_t max, char *err, size_t errlen);
int dt_report_merge_text(dt_report *r, const char *text, size_t len, char *err, size_t errlen);

/* Writes the report (report mode) or ends the flow stream.  Returns 0, or -1
 * on a write error. */
int dt_report_finish(dt_report *r);

/* Writes r as a complete JSON report to out (a per-file report); r stays
 * usable (e.g. to be absorbed afterwards). */
int dt_report_write_to(dt_report *r, FILE *out);

#endif
