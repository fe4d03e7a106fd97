/* Many inputs at once: each input is read into a part (in parallel with
 * `jobs` worker threads) and the parts are added to the report in input
 * order, so the output does not depend on the number of jobs.  With one job
 * and no per-file reports, the inputs are read one after another on the
 * calling thread straight into the report (flows are written as they end),
 * with the report's own enricher. */
#ifndef DT_BATCH_H
#define DT_BATCH_H

#include "run/engine.h"
#include "enrich/enrich.h"
#include "report/report.h"

typedef struct dt_batch_progress {
    int done, total;             /* inputs finished / given */
    uint64_t bytes, total_bytes; /* bytes read so far / sum of file sizes (0 if unknown) */
    double elapsed_s;
} dt_batch_progress;

typedef struct dt_batch_opts {
    const dt_engine_config *engine;
    const dt_enrich_config *enrich; /* NULL: no enrichment */
    int jobs;                       /* worker threads (>= 1) */
    const char *per_file_dir;       /* also write one report per input here, or NULL */
    /* Called from the main thread, at least once per input and about once a second. */
    void (*progress)(void *ctx, const dt_batch_progress *p);
    /* Called from the main thread for every input, in order, after it was read. */
    void (*input_done)(void *ctx, const dt_input_info *in, dt_status st);
    /* Called from the main thread for an error that is not an input's (e.g.
     * "cannot write DIR/0001-a.pcap.json"); the library never prints. */
    void (*on_error)(void *ctx, const char *message);
    void *ctx;
} dt_batch_opts;

typedef struct dt_batch_result {
    int ok, partial, failed; /* inputs read fully / with errors / not at all */
    int write_errors;        /* per-file reports that could not be written */
} dt_batch_result;

/* Reads every path into rep.  Returns 0, or -1 (err says why) if the run
 * could not start (e.g. an enricher could not be opened per thread). */
int dt_batch_run(const dt_batch_opts *o, const char *const *paths, int n, dt_report *rep,
                 dt_batch_result *res, char *err, size_t errlen);

#endif
