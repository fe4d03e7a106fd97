#include "report/model.h"

#include "capture/capture.h"
#include "decode/decode.h"
#include "report/flowjson.h"

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

static void dt_counts_free(dt_counts *c)
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

void dt_summary_write(const dt_summary *s, dt_fw *f)
{
    dt_input_info none;
    memset(&none, 0, sizeof none);
    dt_summary def;
    dt_summary_from_input(&def, &none);
#define SEEN(key) (s->seen & (UINT64_C(1) << DT_SUMF_##key))
#define DT_SUM_U64(key, ...)                                                                       \
    DT_FW_KEY(f, #key);                                                                            \
    dt_fw_u64(f, SEEN(key) ? s->key : def.key);
#define DT_SUM_COUNTS(key, ...)                                                                    \
    {                                                                                              \
        const dt_counts *c = SEEN(key) ? &s->key : &def.key;                                       \
        DT_FW_KEY(f, #key);                                                                        \
        dt_fw_obj_begin(f);                                                                        \
        for (int i = 0; i < c->n; i++) {                                                           \
            dt_fw_key(f, c->v[i].name);                                                            \
            dt_fw_u64(f, c->v[i].n);                                                               \
        }                                                                                          \
        dt_fw_obj_end(f);                                                                          \
    }
#include "report/summary.def"
#undef SEEN
    dt_summary_free(&def);
}

char *dt_model_strdup(const char *s, int *oom)
{
    if (!s)
        return NULL;
    char *c = strdup(s);
    if (!c)
        *oom = 1;
    return c;
}

int dt_input_rec_from_info(dt_input_rec *rec, const dt_input_info *in)
{
    char buf[64];
    int oom = 0;
    memset(rec, 0, sizeof *rec);
    rec->path = dt_model_strdup(in->path ? in->path : "", &oom);
    rec->format = dt_model_strdup(in->format[0] ? in->format : NULL, &oom);
    if (in->n_links) {
        rec->link_types = calloc((size_t)in->n_links, sizeof *rec->link_types);
        oom |= !rec->link_types;
        for (int i = 0; rec->link_types && i < in->n_links; i++) {
            rec->link_types[i] =
                dt_model_strdup(dt_linktype_name(in->links[i].linktype, buf, sizeof buf), &oom);
            rec->n_link_types++;
        }
    }
    rec->packets = in->packets;
    rec->bytes = in->bytes;
    rec->wire_bytes = in->wire_bytes;
    if (in->packets) {
        rec->first_seen =
            dt_model_strdup(dt_format_time(in->first_ns, in->ts_digits, buf, sizeof buf), &oom);
        rec->last_seen =
            dt_model_strdup(dt_format_time(in->last_ns, in->ts_digits, buf, sizeof buf), &oom);
    }
    rec->flows = in->flows;
    if (in->n_errors) {
        rec->errors = calloc((size_t)in->n_errors, sizeof *rec->errors);
        oom |= !rec->errors;
        for (int i = 0; rec->errors && i < in->n_errors; i++) {
            rec->errors[i].packet = in->errors[i].packet;
            rec->errors[i].offset = in->errors[i].offset;
            rec->errors[i].message = dt_model_strdup(in->errors[i].message, &oom);
            rec->n_errors++;
        }
    }
    return oom ? -1 : 0;
}

void dt_input_rec_write(const dt_input_rec *rec, dt_fw *f)
{
    dt_fw_obj_begin(f);
    DT_FW_KEY(f, "path");
    dt_fw_str(f, rec->path);
    DT_FW_KEY(f, "format");
    dt_fw_str_or_null(f, rec->format);
    DT_FW_KEY(f, "link_types");
    dt_fw_arr_begin(f);
    for (int i = 0; i < rec->n_link_types; i++)
        dt_fw_str(f, rec->link_types[i]);
    dt_fw_arr_end(f);
    DT_FW_KEY(f, "packets");
    dt_fw_u64(f, rec->packets);
    DT_FW_KEY(f, "bytes");
    dt_fw_u64(f, rec->bytes);
    DT_FW_KEY(f, "wire_bytes");
    dt_fw_u64(f, rec->wire_bytes);
    DT_FW_KEY(f, "first_seen");
    dt_fw_str_or_null(f, rec->first_seen);
    DT_FW_KEY(f, "last_seen");
    dt_fw_str_or_null(f, rec->last_seen);
    DT_FW_KEY(f, "flows");
    dt_fw_u64(f, rec->flows);
    DT_FW_KEY(f, "errors");
    dt_fw_arr_begin(f);
    for (int i = 0; i < rec->n_errors; i++) {
        dt_fw_obj_begin(f);
        DT_FW_KEY(f, "packet");
        dt_fw_u64(f, rec->errors[i].packet);
        DT_FW_KEY(f, "offset");
        dt_fw_u64(f, rec->errors[i].offset);
        DT_FW_KEY(f, "message");
        dt_fw_str(f, rec->errors[i].message);
        dt_fw_obj_end(f);
    }
    dt_fw_arr_end(f);
    dt_fw_obj_end(f);
}

void dt_input_rec_free(dt_input_rec *rec)
{
    free(rec->path);
    free(rec->format);
    for (int i = 0; i < rec->n_link_types; i++)
        free(rec->link_types[i]);
    free(rec->link_types);
    free(rec->first_seen);
    free(rec->last_seen);
    for (int i = 0; i < rec->n_errors; i++)
        free(rec->errors[i].message);
    free(rec->errors);
    memset(rec, 0, sizeof *rec);
}

const char *dt_geo_rec_key(int i)
{
    static const char *const keys[DT_GEO_REC_FIELDS] = {"path",   "kind",       "type",
                                                        "schema", "build_date", "attribution"};
    return i >= 0 && i < DT_GEO_REC_FIELDS ? keys[i] : NULL;
}

void dt_geo_rec_write(const dt_geo_rec *g, dt_fw *f)
{
    dt_fw_obj_begin(f);
    for (int i = 0; i < DT_GEO_REC_FIELDS; i++) {
        dt_fw_key(f, dt_geo_rec_key(i));
        dt_fw_str_or_null(f, g->v[i]);
    }
    dt_fw_obj_end(f);
}

int dt_geo_rec_eq(const dt_geo_rec *a, const dt_geo_rec *b)
{
    for (int i = 0; i < DT_GEO_REC_FIELDS; i++)
        if (!a->v[i] != !b->v[i] || (a->v[i] && strcmp(a->v[i], b->v[i])))
            return 0;
    return 1;
}

/* The database of this kind (location, country, asn, ...) among v[0..n), or NULL. */
static const dt_geo_rec *geo_of_kind(const dt_geo_rec *v, size_t n, const char *kind)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].v[1] && !strcmp(v[i].v[1], kind))
            return &v[i];
    return NULL;
}

static int same_str(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

int dt_geo_recs_differ(const dt_geo_rec *a, size_t na, const dt_geo_rec *b, size_t nb,
                       const char *name_a, const char *name_b, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = '\0';
    for (int pass = 0; pass < 2; pass++) {
        const dt_geo_rec *x = pass ? b : a, *y = pass ? a : b;
        size_t nx = pass ? nb : na, ny = pass ? na : nb;
        for (size_t i = 0; i < nx; i++) {
            const dt_geo_rec *g = &x[i], *h = g->v[1] ? geo_of_kind(y, ny, g->v[1]) : NULL;
            if (pass && h) /* pairs were compared in the first pass */
                continue;
            int w = 0;
            if (!h)
                w = snprintf(buf + o, len - o, "%sa %s database (%s) only in %s", o ? "; " : "",
                             g->v[1] ? g->v[1] : "geo", g->v[2] ? g->v[2] : "?",
                             pass ? name_b : name_a);
            else if (!same_str(g->v[2], h->v[2]) || !same_str(g->v[3], h->v[3]) ||
                     !same_str(g->v[4], h->v[4]))
                w = snprintf(buf + o, len - o, "%s%s database %s built %s vs %s built %s",
                             o ? "; " : "", g->v[1], g->v[2] ? g->v[2] : "?",
                             g->v[4] ? g->v[4] : "?", h->v[2] ? h->v[2] : "?",
                             h->v[4] ? h->v[4] : "?");
            if (w > 0 && (size_t)w < len - o)
                o += (size_t)w;
        }
    }
    return o > 0;
}

void dt_geo_rec_free(dt_geo_rec *g)
{
    for (int i = 0; i < DT_GEO_REC_FIELDS; i++)
        free(g->v[i]);
    memset(g, 0, sizeof *g);
}

uint64_t dt_summary_u64(const dt_summary *s, int field)
{
    if (!(s->seen & (UINT64_C(1) << field))) {
        dt_input_info none;
        memset(&none, 0, sizeof none);
        dt_summary def;
        dt_summary_from_input(&def, &none);
        def.seen = UINT64_MAX;
        uint64_t v = dt_summary_u64(&def, field);
        dt_summary_free(&def);
        return v;
    }
    switch (field) {
#define DT_SUM_U64(key, ...)                                                                       \
    case DT_SUMF_##key:                                                                            \
        return s->key;
#include "report/summary.def"
    default:
        return 0;
    }
}

const dt_counts *dt_summary_counts(const dt_summary *s, int field)
{
    switch (field) {
#define DT_SUM_COUNTS(key, ...)                                                                    \
    case DT_SUMF_##key:                                                                            \
        return &s->key;
#include "report/summary.def"
    default:
        return NULL;
    }
}
