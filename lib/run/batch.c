#include "run/batch.h"

#include "util/clock.h"
#include "util/err.h"
#include "util/heap.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* Small inputs are read several to a part: each part costs the main thread
 * about what reading a 150 KB capture costs (its tables merged into the
 * report), so a fleet of small captures read one to a part was slower with
 * -j 2 than with -j 1.  A part takes consecutive inputs while they add up to
 * at most BATCH_BYTES, and at most a quarter of each job's share of what is
 * left, so that a few inputs still spread over the jobs. */
#define BATCH_BYTES ((uint64_t)1 << 20)

typedef struct slot {
    dt_report *part;
    dt_input_info info;
    dt_status rc;
    int done;
    int in_part;    /* read into the part of an earlier slot (taken with it) */
    int first;      /* the first input of a part (parts_out counts it until taken) */
    int stream;     /* the part may write its flows to the report itself (it is next in order) */
    uint64_t bytes; /* read so far (progress) */
    uint64_t size;  /* of the file when the run started (0: unknown, stdin) */
} slot;

typedef struct shared {
    const dt_batch_opts *o;
    const char *const *paths;
    int n;
    dt_report *rep;
    slot *slots;
    int next;      /* next input to start */
    int limit;     /* inputs from here on are never started (an enricher failed) */
    int jobs;      /* workers */
    int parts_out; /* parts started and not yet taken into the report: at most 2 * jobs */
    int open_failed;
    char open_err[512];
    pthread_mutex_t mu;
    pthread_cond_t cv;
} shared;

typedef struct worker {
    shared *sh;
    dt_enricher *enr;
    int id;
    uint64_t *bytes_now; /* the slot being read */
} worker;

/* Progress of the whole run, reported from the main thread. */
typedef struct progress {
    const dt_batch_opts *o;
    dt_batch_progress pg;
    uint64_t done_bytes; /* of the inputs finished */
    double t0, last;     /* start, last report while an input was read */
} progress;

static void on_bytes(void *ctx, uint64_t bytes)
{
    slot *s = ctx;
    __atomic_store_n(&s->bytes, bytes, __ATOMIC_RELAXED);
}

/* Reads inputs [i, end) into the part of slot i, in order. */
static void read_part(shared *sh, dt_enricher *enr, int i, int end)
{
    dt_report *part = dt_report_new_part(sh->rep, enr, sh->o->per_file_dir != NULL);
    if (part && !sh->o->per_file_dir) /* once the report has taken every earlier input */
        dt_report_part_stream_when(part, sh->rep, &sh->slots[i].stream);
    for (int k = i; k < end; k++) {
        slot *s = &sh->slots[k];
        s->in_part = part && k > i;
        if (!part) {
            memset(&s->info, 0, sizeof s->info);
            s->info.path = sh->paths[k];
            s->info.n_errors = 1;
            snprintf(s->info.errors[0].message, sizeof s->info.errors[0].message,
                     "out of memory or no temporary file space");
            s->rc = DT_UNREADABLE;
            continue;
        }
        s->rc = dt_engine_run(sh->o->engine, sh->paths[k], (uint32_t)k, dt_report_flow, part,
                              &s->info, on_bytes, s);
        dt_report_input(part, &s->info);
    }
    sh->slots[i].part = part;
}

/* The inputs a part starting at input i takes (under the lock): [i, end). */
static int part_end(const shared *sh, int i)
{
    int end = i + 1;
    uint64_t bytes = sh->slots[i].size;
    int most = (sh->limit - i) / (4 * sh->jobs);
    if (sh->o->per_file_dir || bytes == 0) /* one report per input; stdin or unknown size */
        return end;
    while (end < sh->limit && end - i < most && sh->slots[end].size &&
           bytes + sh->slots[end].size <= BATCH_BYTES)
        bytes += sh->slots[end++].size;
    return end;
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    shared *sh = w->sh;
    dt_heap_setup_thread();
    /* Each worker opens its own enricher (its lookup cache is per thread), in
     * the thread, so the opens run in parallel and not on the main thread
     * (performance). */
    if (sh->o->enrich) {
        char warn[512], err[512];
        err[0] = '\0';
        w->enr = dt_enricher_open(sh->o->enrich, warn, sizeof warn, err, sizeof err);
        if (!w->enr) {
            /* stop handing out work; inputs already taken are finished */
            pthread_mutex_lock(&sh->mu);
            if (!sh->open_failed) {
                sh->open_failed = 1;
                snprintf(sh->open_err, sizeof sh->open_err, "%s",
                         err[0] ? err : "cannot open the enrichment data");
            }
            if (sh->next < sh->limit)
                sh->limit = sh->next;
            sh->next = sh->n;
            pthread_cond_broadcast(&sh->cv);
            pthread_mutex_unlock(&sh->mu);
            return NULL;
        }
    }
    for (;;) {
        pthread_mutex_lock(&sh->mu);
        /* Parts wait in memory until the main thread takes them in order: on
         * small inputs, read faster than taken, they would pile up. */
        while (sh->next < sh->limit && sh->parts_out >= 2 * sh->jobs)
            pthread_cond_wait(&sh->cv, &sh->mu);
        int i = -1, end = -1;
        if (sh->next < sh->limit) {
            i = sh->next;
            end = sh->next = part_end(sh, i);
            sh->slots[i].first = 1;
            sh->parts_out++;
        }
        pthread_mutex_unlock(&sh->mu);
        if (i < 0)
            return NULL;
        read_part(sh, w->enr, i, end);
        pthread_mutex_lock(&sh->mu);
        for (int k = i; k < end; k++)
            sh->slots[k].done = 1;
        pthread_cond_broadcast(&sh->cv);
        pthread_mutex_unlock(&sh->mu);
    }
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* "PATH: cannot write[: WHY]" to the caller's error callback. */
static void write_error(const dt_batch_opts *o, const char *path, const char *why)
{
    char msg[4400];
    snprintf(msg, sizeof msg, "%s: cannot write%s%s", path, why ? ": " : "", why ? why : "");
    if (o->on_error)
        o->on_error(o->ctx, msg);
}

/* One job, no per-file reports: the input is read on the calling thread
 * straight into the report (its flows are written as they end). */
static void on_direct_bytes(void *ctx, uint64_t bytes)
{
    progress *p = ctx;
    double t = dt_now_s();
    if (!p->o->progress || t - p->last < 1.0)
        return;
    p->last = t;
    p->pg.bytes = p->done_bytes + bytes;
    p->pg.elapsed_s = t - p->t0;
    p->o->progress(p->o->ctx, &p->pg);
}

int dt_per_file_path(const char *dir, const char *input, int index, char *buf, size_t len)
{
    const char *b = strcmp(input, "-") ? base_name(input) : "stdin";
    int n = snprintf(buf, len, "%s/%04d-%s.json", dir, index + 1, b);
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* DIR/<counter>-<input file name>.json (dt_per_file_path), written through
 * PATH.tmp, which o->on_temp is told about while it exists. */
static int per_file_report(const dt_batch_opts *o, dt_report *rep, slot *s, int index)
{
    char path[4096];
    if (dt_per_file_path(o->per_file_dir, s->info.path, index, path, sizeof path) != 0) {
        write_error(o, path, "name too long");
        return -1;
    }
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (o->on_temp)
        o->on_temp(o->ctx, tmp);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        write_error(o, tmp, strerror(errno));
        if (o->on_temp)
            o->on_temp(o->ctx, NULL);
        return -1;
    }
    dt_report *one = dt_report_new_part(rep, NULL, 1);
    int rc = -1;
    if (one) {
        if (s->part)
            dt_report_absorb(one, s->part);
        else /* unreadable: its report says why, so that a merge lists it too */
            dt_report_input(one, &s->info);
        rc = dt_report_write_to(one, f);
        dt_report_free(s->part);
        s->part = one; /* absorbed into the combined report next */
    }
    if (fclose(f) != 0)
        rc = -1;
    if (rc == 0 && rename(tmp, path) != 0)
        rc = -1;
    if (rc != 0) {
        write_error(o, path, NULL);
        remove(tmp);
    }
    if (o->on_temp)
        o->on_temp(o->ctx, NULL);
    return rc;
}

int dt_batch_run(const dt_batch_opts *o, const char *const *paths, int n, dt_report *rep,
                 dt_batch_result *res, char *err, size_t errlen)
{
    memset(res, 0, sizeof *res);
    int jobs = o->jobs < 1 ? 1 : o->jobs;
    if (jobs > n)
        jobs = n;
    int direct = jobs <= 1 && !o->per_file_dir;
    if (direct)
        jobs = 0;
    shared sh;
    memset(&sh, 0, sizeof sh);
    sh.o = o;
    sh.paths = paths;
    sh.n = n;
    sh.rep = rep;
    sh.slots = calloc((size_t)(n ? n : 1), sizeof(slot));
    sh.limit = n;
    sh.jobs = jobs;
    pthread_mutex_init(&sh.mu, NULL);
    pthread_cond_init(&sh.cv, NULL);
    worker *ws = calloc((size_t)(jobs ? jobs : 1), sizeof *ws);
    pthread_t *th = calloc((size_t)(jobs ? jobs : 1), sizeof *th);
    if (!sh.slots || !ws || !th) {
        dt_set_err(err, errlen, "out of memory");
        free(sh.slots);
        free(ws);
        free(th);
        pthread_mutex_destroy(&sh.mu);
        pthread_cond_destroy(&sh.cv);
        return -1;
    }
    progress pr;
    memset(&pr, 0, sizeof pr);
    pr.o = o;
    pr.pg.total = n;
    for (int i = 0; i < n; i++) {
        struct stat st;
        if (strcmp(paths[i], "-") && stat(paths[i], &st) == 0)
            sh.slots[i].size = (uint64_t)st.st_size;
        pr.pg.total_bytes += sh.slots[i].size;
    }
    int started = 0, rc = 0;
    for (int j = 0; j < jobs; j++) {
        ws[j].sh = &sh;
        ws[j].id = j;
        if (pthread_create(&th[j], NULL, worker_main, &ws[j]) != 0) {
            dt_set_err(err, errlen, "cannot start a thread");
            rc = -1;
            break;
        }
        started++;
    }
    if (rc != 0) {
        /* stop handing out work; the started workers finish what they took */
        pthread_mutex_lock(&sh.mu);
        if (sh.next < sh.limit)
            sh.limit = sh.next;
        sh.next = n;
        pthread_mutex_unlock(&sh.mu);
    }

    dt_batch_progress *pg = &pr.pg;
    pr.t0 = dt_now_s();
    for (int i = 0; i < n && (direct || started); i++) {
        slot *s = &sh.slots[i];
        if (direct) {
            pg->done = i;
            s->rc = dt_engine_run(o->engine, paths[i], (uint32_t)i, dt_report_flow, rep, &s->info,
                                  on_direct_bytes, &pr);
            s->bytes = s->size;
        } else {
            /* the earlier parts are in the report: this one's flows may go there as they end */
            __atomic_store_n(&s->stream, 1, __ATOMIC_RELEASE);
            pthread_mutex_lock(&sh.mu);
            while (!s->done && i < sh.limit) {
                struct timespec ts;
                clock_gettime(CLOCK_REALTIME, &ts);
                ts.tv_sec += 1;
                pthread_cond_timedwait(&sh.cv, &sh.mu, &ts);
                if (o->progress && dt_now_s() - pr.last >= 1.0) {
                    uint64_t reading = 0;
                    for (int k = i; k < n; k++)
                        reading += __atomic_load_n(&sh.slots[k].bytes, __ATOMIC_RELAXED);
                    pg->done = i;
                    pg->bytes = pr.done_bytes + reading;
                    pg->elapsed_s = dt_now_s() - pr.t0;
                    pr.last = dt_now_s();
                    pthread_mutex_unlock(&sh.mu);
                    o->progress(o->ctx, pg);
                    pthread_mutex_lock(&sh.mu);
                }
            }
            int ready = s->done;
            pthread_mutex_unlock(&sh.mu);
            if (!ready)
                break;
        }
        if (s->rc == DT_OK)
            res->ok++;
        else if (s->rc == DT_PARTIAL)
            res->partial++;
        else
            res->failed++;
        if (o->per_file_dir && per_file_report(o, rep, s, i) != 0)
            res->write_errors++;
        if (s->part)
            dt_report_absorb(rep, s->part);
        else if (!s->in_part) /* (an input read into an earlier part is in the report) */
            dt_report_input(rep, &s->info);
        if (o->input_done)
            o->input_done(o->ctx, &s->info, s->rc);
        dt_report_free(s->part);
        s->part = NULL;
        if (s->first) {
            pthread_mutex_lock(&sh.mu);
            sh.parts_out--;
            pthread_cond_broadcast(&sh.cv);
            pthread_mutex_unlock(&sh.mu);
        }
        pr.done_bytes += s->bytes;
        s->bytes = 0;
        if (o->progress) {
            pg->done = i + 1;
            pg->bytes = pr.done_bytes;
            pg->elapsed_s = dt_now_s() - pr.t0;
            o->progress(o->ctx, pg);
        }
    }
    pthread_mutex_lock(&sh.mu); /* a worker waiting for room: there is no more work */
    sh.next = n;
    pthread_cond_broadcast(&sh.cv);
    pthread_mutex_unlock(&sh.mu);
    for (int j = 0; j < started; j++)
        pthread_join(th[j], NULL);
    if (sh.open_failed && rc == 0) {
        dt_set_err(err, errlen, "%s", sh.open_err);
        rc = -1;
    }
    for (int j = 0; j < jobs; j++)
        dt_enricher_close(ws[j].enr);
    for (int i = 0; i < n; i++)
        dt_report_free(sh.slots[i].part);
    free(sh.slots);
    free(ws);
    free(th);
    pthread_mutex_destroy(&sh.mu);
    pthread_cond_destroy(&sh.cv);
    return rc;
}
