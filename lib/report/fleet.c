#include "report/fleet.h"

#include "report/report_int.h"

#include <stdlib.h>
#include <string.h>

#define REPORT_MAX ((size_t)16 << 30) /* a report is read whole, as merge reads it */

static const char *const kind_keys[] = {
#define X(id, key, title) key,
    DT_FL_KINDS(X)
#undef X
};
static const char *const kind_titles[] = {
#define X(id, key, title) title,
    DT_FL_KINDS(X)
#undef X
};

const char *dt_fl_kind_key(dt_fl_kind k)
{
    return (unsigned)k < DT_FL_KIND_COUNT ? kind_keys[k] : NULL;
}

const char *dt_fl_kind_title(dt_fl_kind k)
{
    return (unsigned)k < DT_FL_KIND_COUNT ? kind_titles[k] : NULL;
}

/* ---- rows ---- */

typedef struct rows {
    dt_fl_table *t;
    size_t cap;
    dt_fl_kind kind;
    int oom;
} rows;

static dt_fl_row *row_add(rows *r, const char *key, const char *label, const dt_ru_counts *c)
{
    dt_fl_table *t = r->t;
    if (t->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 16;
        dt_fl_row *nv = realloc(t->v, cap * sizeof *nv);
        if (!nv) {
            r->oom = 1;
            return NULL;
        }
        t->v = nv;
        r->cap = cap;
    }
    dt_fl_row *row = &t->v[t->n];
    memset(row, 0, sizeof *row);
    row->key = strdup(key ? key : "");
    row->label = label ? strdup(label) : NULL;
    if (!row->key || (label && !row->label)) {
        free(row->key);
        free(row->label);
        r->oom = 1;
        return NULL;
    }
    row->up = c->up;
    row->flows = c->flows;
    t->n++;
    return row;
}

static int row_of(void *ctx, const void *p)
{
    rows *r = ctx;
    switch (r->kind) {
    case DT_FL_COUNTRIES: {
        const dt_ru_country *x = p;
        row_add(r, x->code, NULL, &x->c);
        break;
    }
    case DT_FL_RECIPIENTS: {
        const dt_ru_company *x = p;
        row_add(r, x->name, NULL, &x->c);
        break;
    }
    case DT_FL_HOSTING: {
        const dt_ru_host *x = p;
        row_add(r, x->name, NULL, &x->c);
        break;
    }
    case DT_FL_DOMAINS: {
        const dt_ru_domain *x = p;
        row_add(r, x->domain, NULL, &x->c);
        break;
    }
    case DT_FL_BEACONS: {
        const dt_ru_endpoint *x = p;
        if (x->rhythm.connections < DT_FL_BEACON_CONNECTIONS || !x->rhythm.have_intervals)
            break;
        dt_fl_row *row = row_add(r, x->ip, x->names.n ? x->names.v[0].key : NULL, &x->c);
        if (row) {
            row->connections = x->rhythm.connections;
            row->interval_s = x->rhythm.median_s;
        }
        break;
    }
    default:
        break;
    }
    return r->oom ? -1 : 0;
}

static int cmp_row(const void *a, const void *b)
{
    return strcmp(((const dt_fl_row *)a)->key, ((const dt_fl_row *)b)->key);
}

int dt_fl_table_of(const dt_rollup *ru, dt_fl_kind k, dt_fl_table *t)
{
    static const dt_ru_table tables[] = {
        [DT_FL_COUNTRIES] = DT_RU_COUNTRIES, [DT_FL_RECIPIENTS] = DT_RU_COMPANIES,
        [DT_FL_HOSTING] = DT_RU_HOSTING,     [DT_FL_DOMAINS] = DT_RU_DOMAINS,
        [DT_FL_BEACONS] = DT_RU_ENDPOINTS,
    };
    memset(t, 0, sizeof *t);
    rows r = {t, 0, k, 0};
    if (k == DT_FL_TRANSFERS) {
        dt_ru_totals tot;
        dt_rollup_totals(ru, &tot);
        for (int i = 0; i < DT_RU_TR_COUNT; i++)
            if (tot.transfers[i].flows)
                row_add(&r, dt_ru_transfer_name((dt_ru_transfer)i), NULL, &tot.transfers[i]);
    } else if (dt_rollup_each(ru, tables[k], 0, row_of, &r) != 0) {
        r.oom = 1;
    }
    if (r.oom) {
        dt_fl_table_free(t);
        return -1;
    }
    if (t->n)
        qsort(t->v, t->n, sizeof *t->v, cmp_row);
    return 0;
}

void dt_fl_table_free(dt_fl_table *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->v[i].key);
        free(t->v[i].label);
    }
    free(t->v);
    memset(t, 0, sizeof *t);
}

const dt_fl_row *dt_fl_find(const dt_fl_table *t, const char *key)
{
    dt_fl_row k = {.key = (char *)key};
    return t->n ? bsearch(&k, t->v, t->n, sizeof *t->v, cmp_row) : NULL;
}

/* ---- reports ---- */

dt_report *dt_fl_load(const char *path, const char *device, const dt_policy *policy, char *err,
                      size_t errlen)
{
    dt_report_opts o = {0};
    o.mode = DT_OUT_REPORT;
    o.format = DT_FMT_TEXT; /* keeps no flow lines */
    o.device = device;
    o.policy = policy;
    dt_report *r = dt_report_new(&o, NULL);
    if (!r) {
        snprintf(err, errlen, "%s: out of memory or no temporary file space", path);
        return NULL;
    }
    char why[512];
    int rc = dt_report_merge_file(r, path, REPORT_MAX, why, sizeof why);
    if (rc != 0 || r->write_error) {
        if (rc == -1) /* the reason names the file */
            snprintf(err, errlen, "%s", why);
        else
            snprintf(err, errlen, "%s: %s", path, rc ? why : "out of memory");
        dt_report_free(r);
        return NULL;
    }
    return r;
}

const dt_rollup *dt_fl_rollup(const dt_report *r)
{
    return r ? r->ru : NULL;
}

int dt_fl_geo_differs(const dt_report *a, const dt_report *b, char *buf, size_t len)
{
    return dt_geo_recs_differ(a->geo, a->n_geo, b->geo, b->n_geo, "the first report",
                              "the second report", buf, len);
}

const char *dt_fl_label(const dt_report *r, char *buf, size_t len)
{
    if (r->n_inputs == 1 && r->inputs[0].path) {
        const char *p = r->inputs[0].path, *slash = strrchr(p, '/');
        snprintf(buf, len, "%s", slash && slash[1] ? slash + 1 : p);
    } else {
        snprintf(buf, len, "%zu inputs", r->n_inputs);
    }
    return buf;
}
