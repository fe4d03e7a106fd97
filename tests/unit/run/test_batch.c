/* Unit tests for lib/run/batch.c: dt_batch_run over the same inputs with one
 * job (read straight into the report) and with two (parts read in parallel)
 * gives the same bytes; input_done comes once per input, in order; per-file
 * reports that cannot be written reach the error callback. */
#include "check.h"
#include "report/report.h"
#include "run/batch.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_INPUTS 3

typedef struct calls {
    int n_done;
    const char *done_path[8];
    dt_status done_status[8];
    uint64_t done_flows[8];
    int n_progress, last_done, last_total;
    int n_errors;
    char error[512];
} calls;

static void input_done(void *ctx, const dt_input_info *in, dt_status st)
{
    calls *c = ctx;
    if (c->n_done < 8) {
        c->done_path[c->n_done] = in->path;
        c->done_status[c->n_done] = st;
        c->done_flows[c->n_done] = in->flows;
    }
    c->n_done++;
}

static void progress(void *ctx, const dt_batch_progress *p)
{
    calls *c = ctx;
    c->n_progress++;
    c->last_done = p->done;
    c->last_total = p->total;
}

static void on_error(void *ctx, const char *message)
{
    calls *c = ctx;
    c->n_errors++;
    snprintf(c->error, sizeof c->error, "%s", message);
}

/* Runs the batch; returns the report (or flow lines) as text (malloc'd). */
static char *run(const char *const *paths, int n, int jobs, dt_report_mode mode,
                 const char *per_file, calls *c, dt_batch_result *res)
{
    dt_engine_config cfg;
    dt_engine_config_default(&cfg);
    cfg.dns_sink = dt_report_dns;
    dt_report_opts ro;
    memset(&ro, 0, sizeof ro);
    ro.mode = mode;
    ro.format = DT_FMT_JSON;
    ro.width = 100;
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    CHECK(out != NULL);
    if (!out)
        return NULL;
    dt_report *rep = dt_report_new(&ro, out);
    CHECK(rep != NULL);
    dt_batch_opts o;
    memset(&o, 0, sizeof o);
    o.engine = &cfg;
    o.enrich = NULL;
    o.jobs = jobs;
    o.per_file_dir = per_file;
    o.progress = progress;
    o.input_done = input_done;
    o.on_error = on_error;
    o.ctx = c;
    char err[256] = "";
    CHECK_EQ_INT(dt_batch_run(&o, paths, n, rep, res, err, sizeof err), 0);
    CHECK_EQ_INT(dt_report_finish(rep), 0);
    dt_report_free(rep);
    fclose(out);
    return text;
}

static void check_calls(const calls *c, const char *const *paths, int line)
{
    if (c->n_done != N_INPUTS)
        fprintf(stderr, "(from line %d)\n", line);
    CHECK_EQ_INT(c->n_done, N_INPUTS);
    for (int i = 0; i < N_INPUTS && i < c->n_done; i++)
        CHECK_EQ_STR(c->done_path[i], paths[i]);
    CHECK_EQ_INT(c->done_status[0], DT_OK);
    CHECK_EQ_INT(c->done_status[1], DT_UNREADABLE);
    CHECK_EQ_INT(c->done_status[2], DT_OK);
    CHECK_EQ_INT(c->done_flows[0], 24);
    CHECK_EQ_INT(c->done_flows[1], 0);
    CHECK_EQ_INT(c->done_flows[2], 24);
    CHECK(c->n_progress >= N_INPUTS); /* at least once per input */
    CHECK_EQ_INT(c->last_done, N_INPUTS);
    CHECK_EQ_INT(c->last_total, N_INPUTS);
}

int main(void)
{
    const char *dir = getenv("DT_TESTDATA");
    char sample[1024];
    snprintf(sample, sizeof sample, "%s/sample.pcapng", dir ? dir : "testdata");
    const char *paths[N_INPUTS] = {sample, "/nonexistent/missing.pcap", sample};

    for (int mode = DT_OUT_REPORT; mode <= DT_OUT_FLOWS; mode++) {
        calls c1, c2;
        memset(&c1, 0, sizeof c1);
        memset(&c2, 0, sizeof c2);
        dt_batch_result r1, r2;
        char *t1 = run(paths, N_INPUTS, 1, (dt_report_mode)mode, NULL, &c1, &r1);
        char *t2 = run(paths, N_INPUTS, 2, (dt_report_mode)mode, NULL, &c2, &r2);
        CHECK(t1 && t2 && strlen(t1) > 1000);
        CHECK(t1 && t2 && strcmp(t1, t2) == 0);
        CHECK_EQ_INT(r1.ok, 2);
        CHECK_EQ_INT(r1.partial, 0);
        CHECK_EQ_INT(r1.failed, 1);
        CHECK_EQ_INT(r1.write_errors, 0);
        CHECK(memcmp(&r1, &r2, sizeof r1) == 0);
        check_calls(&c1, paths, __LINE__);
        check_calls(&c2, paths, __LINE__);
        CHECK_EQ_INT(c1.n_errors + c2.n_errors, 0);
        if (mode == DT_OUT_FLOWS) {
            int lines = 0;
            for (const char *p = t1; p && *p; p++)
                lines += *p == '\n';
            CHECK_EQ_INT(lines, 48);
        }
        free(t1);
        free(t2);
    }

    /* per-file reports into a directory that is not there: the error goes to
     * the callback (the library prints nothing), the combined report is whole */
    calls c3;
    memset(&c3, 0, sizeof c3);
    dt_batch_result r3;
    char *t3 = run(paths, N_INPUTS, 2, DT_OUT_REPORT, "/nonexistent-dir", &c3, &r3);
    calls c4;
    memset(&c4, 0, sizeof c4);
    dt_batch_result r4;
    char *t4 = run(paths, N_INPUTS, 1, DT_OUT_REPORT, NULL, &c4, &r4);
    CHECK(t3 && t4 && strcmp(t3, t4) == 0);
    CHECK_EQ_INT(r3.write_errors, 3); /* the missing input has a per-file report too */
    CHECK_EQ_INT(c3.n_errors, 3);
    CHECK_EQ_STR(c3.error, "/nonexistent-dir/0003-sample.pcapng.json.tmp: cannot write: No such "
                           "file or directory");
    check_calls(&c3, paths, __LINE__);
    free(t3);
    free(t4);

    /* no inputs at all */
    calls c5;
    memset(&c5, 0, sizeof c5);
    dt_batch_result r5;
    char *t5 = run(paths, 0, 2, DT_OUT_REPORT, NULL, &c5, &r5);
    CHECK_EQ_INT(c5.n_done, 0);
    CHECK_EQ_INT(r5.ok + r5.partial + r5.failed, 0);
    free(t5);
    return check_done();
}
