#include "report/model.h"

#include "capture/capture.h"
#include "decode/decode.h"

#include <stdlib.h>
#include <string.h>

int dt_counts_add(dt_counts *c, const char *name, uint64_t n)
{
    if (!name)
        return 0;
    for (int i = 0; i < c->n; i++)
        if (!strcmp(c->v[i].name, name)) {
            c->v[i].n += n;
            return 0;
        }
    if (c->n == c->cap) {
        int cap = c->cap ? 2 * c->cap : 4;
        dt_count *nv = realloc(c->v, (size_t)cap * sizeof *nv);
        if (!nv)
            return -1;
        c->v = nv;
        c->cap = cap;
    }
    char *s = strdup(name);
    if (!s)
        return -1;
    c->v[c->n].name = s;
    c->v[c->n++].n = n;
    return 0;
}

void dt_counts_free(dt_counts *c)
{
    for (int i = 0; i < c->n; i++)
        free(c->v[i].name);
    free(c->v);
    memset(c, 0, sizeof *c);
}

int dt_summary_from_input(dt_summary *s, const dt_input_info *in)
{
    const dt_decode_stats *d = &in->decode;
    char buf[64];
    int oom = 0;
    (void)buf;
    memset(s, 0, sizeof *s);
#define DT_SUM_U64(key, rule, expr) s->key = (uint64_t)(expr);
#define DT_SUM_COUNTS(key, first, n, cond, name, value)                                            \
    for (int i = (first); i < (n); i++)                                                            \
        if (cond)                                                                                  \
            oom |= dt_counts_add(&s->key, (name), (value));
#include "report/summary.def"
    s->seen = (UINT64_C(1) << DT_SUMF_COUNT) - 1;
    return oom ? -1 : 0;
}

static uint64_t combine(dt_sum_rule rule, uint64_t a, uint64_t b)
{
    switch (rule) {
    case DT_SUM_MAX:
        return a > b ? a : b;
    case DT_SUM_MIN:
        return a < b ? a : b;
    default:
        return a + b;
    }
}

int dt_summary_combine(dt_summary *acc, const dt_summary *add)
{
    int oom = 0;
#define DT_SUM_U64(key, rule, expr)                                                                \
    if (add->seen & (UINT64_C(1) << DT_SUMF_##key)) {                                              \
        acc->key = acc->seen & (UINT64_C(1) << DT_SUMF_##key)                                      \
                       ? combine(DT_SUM_##rule, acc->key, add->key)                                \
                       : add->key;                                                                 \
        acc->seen |= UINT64_C(1) << DT_SUMF_##key;                                                 \
    }
#define DT_SUM_COUNTS(key, ...)                                                                    \
    if (add->seen & (UINT64_C(1) << DT_SUMF_##key)) {                                              \
        for (int i = 0; i < add->key.n; i++)                                                       \
            oom |= dt_counts_add(&acc->key, add->key.v[i].name, add->key.v[i].n);                  \
        acc->seen |= UINT64_C(1) << DT_SUMF_##key;                                                 \
    }
#include "report/summary.def"
    return oom ? -1 : 0;
}

void dt_summary_free(dt_summary *s)
{
#define DT_SUM_COUNTS(key, ...) dt_counts_free(&s->key);
#include "report/summary.def"
    memset(s, 0, sizeof *s);
}

dt_sum_rule dt_summary_rule(int field)
{
    static const dt_sum_rule rules[] = {
#define DT_SUM_U64(key, rule, expr) DT_SUM_##rule,
#define DT_SUM_COUNTS(key, ...) DT_SUM_UNION,
#include "report/summary.def"
    };
    return field >= 0 && field < DT_SUMF_COUNT ? rules[field] : DT_SUM_SUM;
}

const char *dt_summary_key(int field)
{
    static const char *const keys[] = {
#define DT_SUM_U64(key, ...) #key,
#define DT_SUM_COUNTS(key, ...) #key,
#include "report/summary.def"
    };
    return field >= 0 && field < DT_SUMF_COUNT ? keys[field] : NULL;
}
