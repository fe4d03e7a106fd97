#include "report/window.h"

#include "util/clock.h"

#include <stdlib.h>
#include <string.h>

struct dt_window_state {
    uint64_t size_ns;
    dt_buckets b; /* slot: the window's number since the epoch; k[0]: the recipient */
};

dt_window_state *dt_window_new(uint64_t size_ns)
{
    dt_window_state *w = size_ns ? calloc(1, sizeof *w) : NULL;
    if (w) {
        w->size_ns = size_ns;
        w->b.max = DT_WINDOW_MAX_ENTRIES;
    }
    return w;
}

void dt_window_free(dt_window_state *w)
{
    if (!w)
        return;
    dt_buckets_free(&w->b);
    free(w);
}

uint64_t dt_window_dropped(const dt_window_state *w)
{
    return w ? w->b.dropped : 0;
}

uint64_t dt_window_size_ns(const dt_window_state *w)
{
    return w ? w->size_ns : 0;
}

int dt_window_add(dt_window_state *w, const dt_rollup_flow *f)
{
    if (!w || !f || !f->have_time)
        return 0;
    dt_ru_flow_view v;
    dt_rollup_flow_view(f, &v);
    if (v.kind != DT_RU_FLOW_REMOTE)
        return 0; /* no upload to a remote side */
    /* enrichment describes the server: the recipient when the remote side is the server */
    const char *k[DT_BUCKET_FIELDS] = {
        v.srv_remote && f->recipient && f->recipient[0] ? f->recipient : NULL};
    dt_bstats one = dt_bstats_flow(v.up, 1, f->first_ns, f->last_ns, f->ts_digits, 0);
    dt_buckets_add(&w->b, 0, f->first_ns / w->size_ns, k, &one);
    return w->b.oom ? -1 : 0;
}

int dt_window_merge(dt_window_state *dst, const dt_window_state *src)
{
    return dst && src ? dt_buckets_merge(&dst->b, &src->b, 0) : 0;
}

static int cmp_str(const char *a, const char *b)
{
    return a && b ? strcmp(a, b) : (a == NULL) - (b == NULL); /* NULL last */
}

/* By window, then bytes descending, flows descending, recipient. */
static int cmp_bucket(const void *pa, const void *pb)
{
    const dt_bucket *a = *(const dt_bucket *const *)pa, *b = *(const dt_bucket *const *)pb;
    if (a->slot != b->slot)
        return a->slot < b->slot ? -1 : 1;
    if (a->st.bytes != b->st.bytes)
        return a->st.bytes > b->st.bytes ? -1 : 1;
    if (a->st.flows != b->st.flows)
        return a->st.flows > b->st.flows ? -1 : 1;
    return cmp_str(a->k[0], b->k[0]);
}

dt_window_row *dt_window_rows(const dt_window_state *w, size_t *n, int *oom)
{
    *n = 0;
    if (!w || !w->b.n)
        return NULL;
    const dt_bucket **all = malloc(w->b.n * sizeof *all);
    dt_window_row *rows = calloc(w->b.n, sizeof *rows);
    if (!all || !rows) {
        free(all);
        free(rows);
        *oom = 1;
        return NULL;
    }
    for (size_t i = 0; i < w->b.n; i++)
        all[i] = &w->b.v[i];
    qsort(all, w->b.n, sizeof *all, cmp_bucket);
    /* rows[0].recipients owns the array: each row points into it */
    size_t nr = 0;
    for (size_t i = 0; i < w->b.n; i++) {
        if (!nr || rows[nr - 1].start_ns != all[i]->slot * w->size_ns) {
            rows[nr].start_ns = all[i]->slot * w->size_ns;
            rows[nr].end_ns = rows[nr].start_ns + w->size_ns;
            rows[nr++].recipients = &all[i];
        }
        rows[nr - 1].bytes += all[i]->st.bytes;
        rows[nr - 1].flows += all[i]->st.flows;
        rows[nr - 1].n++;
    }
    *n = nr;
    return rows;
}

void dt_window_rows_free(dt_window_row *rows, size_t n)
{
    if (rows && n)
        free((void *)rows[0].recipients);
    free(rows);
}

int dt_window_write_json(const dt_window_state *w, dt_fw *f)
{
    size_t n = 0;
    int oom = 0;
    char buf[64];
    dt_window_row *rows = dt_window_rows(w, &n, &oom);
    dt_fw_arr_begin(f);
    for (size_t i = 0; i < n; i++) {
        dt_fw_obj_begin(f);
        DT_FW_KEY(f, "start");
        dt_fw_str(f, dt_format_time(rows[i].start_ns, 0, buf, sizeof buf));
        DT_FW_KEY(f, "end");
        dt_fw_str(f, dt_format_time(rows[i].end_ns, 0, buf, sizeof buf));
        DT_FW_KEY(f, "bytes_up");
        dt_fw_u64(f, rows[i].bytes);
        DT_FW_KEY(f, "flows");
        dt_fw_u64(f, rows[i].flows);
        DT_FW_KEY(f, "recipients");
        dt_fw_arr_begin(f);
        for (size_t j = 0; j < rows[i].n; j++) {
            const dt_bucket *b = rows[i].recipients[j];
            dt_fw_obj_begin(f);
            DT_FW_KEY(f, "name");
            dt_fw_str_or_null(f, b->k[0]);
            DT_FW_KEY(f, "bytes_up");
            dt_fw_u64(f, b->st.bytes);
            DT_FW_KEY(f, "flows");
            dt_fw_u64(f, b->st.flows);
            dt_fw_obj_end(f);
        }
        dt_fw_arr_end(f);
        dt_fw_obj_end(f);
    }
    dt_fw_arr_end(f);
    dt_window_rows_free(rows, n);
    return oom ? -1 : 0;
}
