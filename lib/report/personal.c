#include "report/personal.h"

#include "util/clock.h"

#include <stdlib.h>
#include <string.h>

dt_personal *dt_personal_new(void)
{
    dt_personal *p = calloc(1, sizeof *p);
    if (p)
        p->b.max = DT_PERSONAL_MAX_ENTRIES;
    return p;
}

void dt_personal_free(dt_personal *p)
{
    if (!p)
        return;
    dt_buckets_free(&p->b);
    free(p);
}

static const char *nonempty(const char *s)
{
    return s && s[0] ? s : NULL;
}

int dt_personal_add(dt_personal *p, const dt_rollup_flow *f)
{
    if (!p || !f || (!f->n_finding_kinds && !f->findings_dropped && !f->findings_inflate_bounded))
        return 0;
    p->flows += f->n_finding_kinds > 0;
    p->findings += f->findings;
    p->dropped += f->findings_dropped;
    p->inflate_bounded += f->findings_inflate_bounded;
    dt_bstats one = dt_bstats_flow(0, f->have_time, f->first_ns, f->last_ns, f->ts_digits, 0);
    for (int i = 0; i < f->n_finding_kinds; i++) {
        /* "" as null, as the flow object writes it (merge reads null) */
        const char *k[DT_BUCKET_FIELDS] = {f->finding_kinds[i], nonempty(f->recipient),
                                           nonempty(f->country), NULL};
        dt_buckets_add(&p->b, 0, 0, k, &one);
    }
    return p->b.oom ? -1 : 0;
}

void dt_personal_kind_add(dt_rollup_flow *f, const char *kind)
{
    for (int i = 0; i < f->n_finding_kinds; i++)
        if (!strcmp(f->finding_kinds[i], kind))
            return;
    if (f->n_finding_kinds < (int)(sizeof f->finding_kinds / sizeof f->finding_kinds[0]))
        f->finding_kinds[f->n_finding_kinds++] = kind;
}

int dt_personal_merge(dt_personal *dst, const dt_personal *src)
{
    if (!dst || !src)
        return 0;
    dst->flows += src->flows;
    dst->findings += src->findings;
    dst->dropped += src->dropped;
    dst->inflate_bounded += src->inflate_bounded;
    return dt_buckets_merge(&dst->b, &src->b, 0);
}

int dt_personal_any(const dt_personal *p)
{
    return p && (p->b.n || p->dropped || p->inflate_bounded);
}

static int cmp_str(const char *a, const char *b)
{
    return a && b ? strcmp(a, b) : (a == NULL) - (b == NULL); /* NULL last */
}

static int cmp_row(const void *pa, const void *pb)
{
    const dt_bucket *a = *(const dt_bucket *const *)pa, *b = *(const dt_bucket *const *)pb;
    if (a->st.flows != b->st.flows)
        return a->st.flows > b->st.flows ? -1 : 1;
    for (int i = 0; i < 3; i++) {
        int c = cmp_str(a->k[i], b->k[i]);
        if (c)
            return c;
    }
    return 0;
}

const dt_bucket **dt_personal_rows(const dt_personal *p, size_t *n)
{
    *n = 0;
    if (!p || !p->b.n)
        return NULL;
    const dt_bucket **rows = malloc(p->b.n * sizeof *rows);
    if (!rows)
        return NULL;
    for (size_t i = 0; i < p->b.n; i++)
        rows[i] = &p->b.v[i];
    qsort(rows, p->b.n, sizeof *rows, cmp_row);
    *n = p->b.n;
    return rows;
}

int dt_personal_write_json(const dt_personal *p, dt_fw *f)
{
    size_t n = 0;
    char buf[64];
    const dt_bucket **rows = dt_personal_rows(p, &n);
    dt_fw_obj_begin(f);
    DT_FW_KEY(f, "flows");
    dt_fw_u64(f, p->flows);
    DT_FW_KEY(f, "findings");
    dt_fw_u64(f, p->findings);
    DT_FW_KEY(f, "findings_dropped");
    dt_fw_u64(f, p->dropped);
    DT_FW_KEY(f, "inflate_bounded");
    dt_fw_u64(f, p->inflate_bounded);
    DT_FW_KEY(f, "rows_dropped");
    dt_fw_u64(f, p->b.dropped);
    DT_FW_KEY(f, "rows");
    dt_fw_arr_begin(f);
    for (size_t i = 0; i < n; i++) {
        const dt_bucket *b = rows[i];
        dt_fw_obj_begin(f);
        DT_FW_KEY(f, "kind");
        dt_fw_str_or_null(f, b->k[0]);
        DT_FW_KEY(f, "recipient");
        dt_fw_str_or_null(f, b->k[1]);
        DT_FW_KEY(f, "country");
        dt_fw_str_or_null(f, b->k[2]);
        DT_FW_KEY(f, "flows");
        dt_fw_u64(f, b->st.flows);
        DT_FW_KEY(f, "first_seen");
        if (b->st.have_time)
            dt_fw_str(f, dt_format_time(b->st.first_ns, b->st.digits, buf, sizeof buf));
        else
            dt_fw_null(f);
        DT_FW_KEY(f, "last_seen");
        if (b->st.have_time)
            dt_fw_str(f, dt_format_time(b->st.last_ns, b->st.digits, buf, sizeof buf));
        else
            dt_fw_null(f);
        dt_fw_obj_end(f);
    }
    dt_fw_arr_end(f);
    dt_fw_obj_end(f);
    free(rows);
    return p->b.oom && !n ? -1 : 0;
}
