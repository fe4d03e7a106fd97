/* `datatrail diff BASE NEW`: what is new, gone or changed beyond a threshold
 * between two reports, table by table (report/fleet.h), as JSON or text. */
#include "report/fleet.h"
#include "report/jsonfmt.h"
#include "report/render.h"
#include "report/report_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { CH_NEW, CH_GONE, CH_CHANGED };
static const char *const change_names[] = {"new", "gone", "changed"};

typedef struct entry {
    const dt_fl_row *base, *cur; /* NULL: not in that report */
    int change;
    double up_rel, flows_rel, interval_rel; /* NAN: not defined (base 0, or not both) */
} entry;

typedef struct kind_diff {
    entry *v;
    size_t n;
} kind_diff;

/* (b - a) / a; NAN when a is 0. */
static double rel(double a, double b)
{
    return a > 0 ? (b - a) / a : NAN;
}

/* Beyond the threshold: more than min either way, or from 0 to something. */
static int beyond(double r, double a, double b, double min)
{
    return isnan(r) ? a != b : fabs(r) > min + 1e-12;
}

static uint64_t weight(const entry *e)
{
    uint64_t a = e->base ? e->base->up : 0, b = e->cur ? e->cur->up : 0;
    return a > b ? a : b;
}

static int cmp_entry(const void *pa, const void *pb)
{
    const entry *a = pa, *b = pb;
    uint64_t x = weight(a), y = weight(b);
    if (x != y)
        return x > y ? -1 : 1;
    const char *ka = a->base ? a->base->key : a->cur->key;
    const char *kb = b->base ? b->base->key : b->cur->key;
    return strcmp(ka, kb);
}

/* The entries of one table: rows of either report that are new, gone or changed. */
static int kind_compare(const dt_fl_table *a, const dt_fl_table *b, dt_fl_kind k, double min,
                        kind_diff *d)
{
    d->n = 0;
    d->v = malloc((a->n + b->n + 1) * sizeof *d->v);
    if (!d->v)
        return -1;
    size_t i = 0, j = 0;
    while (i < a->n || j < b->n) {
        int c = i == a->n ? 1 : j == b->n ? -1 : strcmp(a->v[i].key, b->v[j].key);
        entry e = {c <= 0 ? &a->v[i] : NULL, c >= 0 ? &b->v[j] : NULL, 0, NAN, NAN, NAN};
        i += c <= 0;
        j += c >= 0;
        if (!e.base || !e.cur) {
            e.change = e.base ? CH_GONE : CH_NEW;
            d->v[d->n++] = e;
            continue;
        }
        e.change = CH_CHANGED;
        e.up_rel = rel((double)e.base->up, (double)e.cur->up);
        e.flows_rel = rel((double)e.base->flows, (double)e.cur->flows);
        int moved;
        if (k == DT_FL_BEACONS) {
            e.interval_rel = rel(e.base->interval_s, e.cur->interval_s);
            moved = beyond(e.interval_rel, e.base->interval_s, e.cur->interval_s, min);
        } else {
            moved = beyond(e.up_rel, (double)e.base->up, (double)e.cur->up, min) ||
                    beyond(e.flows_rel, (double)e.base->flows, (double)e.cur->flows, min);
        }
        if (moved)
            d->v[d->n++] = e;
    }
    if (d->n)
        qsort(d->v, d->n, sizeof *d->v, cmp_entry);
    return 0;
}

/* ---- JSON ---- */

static void num_or_null(dt_fw *f, double x)
{
    if (isnan(x))
        dt_fw_null(f);
    else
        dt_fw_num(f, round(x * 10000) / 10000); /* 4 decimals: 0.3521 is +35.21% */
}

static void side_write(dt_fw *f, const dt_fl_row *r, dt_fl_kind k)
{
    if (!r) {
        dt_fw_null(f);
        return;
    }
    dt_fw_obj_begin(f);
    DT_FW_KEY(f, "bytes_up");
    dt_fw_u64(f, r->up);
    DT_FW_KEY(f, "flows");
    dt_fw_u64(f, r->flows);
    if (k == DT_FL_BEACONS) {
        DT_FW_KEY(f, "connections");
        dt_fw_u64(f, r->connections);
        DT_FW_KEY(f, "interval_median_s");
        dt_fw_num(f, r->interval_s);
    }
    dt_fw_obj_end(f);
}

static void entry_write(dt_fw *f, const entry *e, dt_fl_kind k)
{
    const dt_fl_row *any = e->base ? e->base : e->cur;
    dt_fw_obj_begin(f);
    DT_FW_KEY(f, "key");
    dt_fw_str(f, any->key);
    if (k == DT_FL_BEACONS) {
        DT_FW_KEY(f, "name");
        dt_fw_str_or_null(f, e->cur && e->cur->label ? e->cur->label : any->label);
    }
    DT_FW_KEY(f, "change");
    dt_fw_str(f, change_names[e->change]);
    DT_FW_KEY(f, "base");
    side_write(f, e->base, k);
    DT_FW_KEY(f, "new");
    side_write(f, e->cur, k);
    DT_FW_KEY(f, "bytes_up_change");
    num_or_null(f, e->up_rel);
    DT_FW_KEY(f, "flows_change");
    num_or_null(f, e->flows_rel);
    if (k == DT_FL_BEACONS) {
        DT_FW_KEY(f, "interval_change");
        num_or_null(f, e->interval_rel);
    }
    dt_fw_obj_end(f);
}

static int diff_json(FILE *out, const char *const paths[2], const dt_diff_opts *o,
                     const kind_diff *d, int changed, const char *warning)
{
    dt_fw f;
    dt_fw_init(&f, out);
    dt_report_json_head(&f);
    DT_FW_KEY(&f, "base");
    dt_fw_str(&f, paths[0]);
    DT_FW_KEY(&f, "new");
    dt_fw_str(&f, paths[1]);
    DT_FW_KEY(&f, "min_change");
    num_or_null(&f, o->min_change);
    DT_FW_KEY(&f, "changed");
    dt_fw_bool(&f, changed);
    DT_FW_KEY(&f, "warnings");
    dt_fw_arr_begin(&f);
    if (warning[0])
        dt_fw_str(&f, warning);
    dt_fw_arr_end(&f);
    for (int k = 0; k < DT_FL_KIND_COUNT; k++) {
        dt_fw_key(&f, dt_fl_kind_key((dt_fl_kind)k));
        dt_fw_arr_begin(&f);
        for (size_t i = 0; i < d[k].n; i++)
            entry_write(&f, &d[k].v[i], (dt_fl_kind)k);
        dt_fw_arr_end(&f);
    }
    return dt_report_json_tail(&f);
}

/* ---- text ---- */

static const char *pct(double r, char *buf, size_t len)
{
    if (isnan(r))
        snprintf(buf, len, "from 0");
    else
        snprintf(buf, len, "%+.0f%%", 100 * r);
    return buf;
}

static void entry_text(FILE *out, const entry *e, dt_fl_kind k, int width)
{
    static const char marks[] = {'+', '-', '~'};
    const dt_fl_row *any = e->base ? e->base : e->cur;
    char name[512], what[32], line[512], a[32], b[32], p1[32], p2[32];
    if (k == DT_FL_BEACONS && any->label)
        snprintf(name, sizeof name, "%s (%s)", any->key, any->label);
    else
        snprintf(name, sizeof name, "%s",
                 k == DT_FL_COUNTRIES && !any->key[0] ? "(none)" : any->key);
    if (e->change != CH_CHANGED) {
        snprintf(what, sizeof what, "%s", change_names[e->change]);
        if (k == DT_FL_BEACONS)
            snprintf(line, sizeof line, "every %.0f s, %llu connections%s", any->interval_s,
                     (unsigned long long)any->connections, e->base ? " (before)" : "");
        else
            snprintf(line, sizeof line, "%s up, %llu flow%s%s",
                     dt_render_bytes((double)any->up, a, sizeof a), (unsigned long long)any->flows,
                     any->flows == 1 ? "" : "s", e->base ? " (before)" : "");
    } else if (k == DT_FL_BEACONS) {
        snprintf(what, sizeof what, "changed");
        snprintf(line, sizeof line, "every %.0f s -> %.0f s (%s), %llu -> %llu connections",
                 e->base->interval_s, e->cur->interval_s, pct(e->interval_rel, p1, sizeof p1),
                 (unsigned long long)e->base->connections, (unsigned long long)e->cur->connections);
    } else {
        snprintf(what, sizeof what, "changed");
        snprintf(line, sizeof line, "%s -> %s up (%s), %llu -> %llu flows (%s)",
                 dt_render_bytes((double)e->base->up, a, sizeof a),
                 dt_render_bytes((double)e->cur->up, b, sizeof b), pct(e->up_rel, p1, sizeof p1),
                 (unsigned long long)e->base->flows, (unsigned long long)e->cur->flows,
                 pct(e->flows_rel, p2, sizeof p2));
    }
    int ncol = width >= 100 ? 32 : 24;
    fprintf(out, "  %c ", marks[e->change]);
    dt_render_cell(out, name, ncol, 0, " ");
    dt_render_cell(out, what, 8, 0, " ");
    dt_render_cell(out, line, width - 4 - ncol - 1 - 8 - 1, 0, "\n");
}

static int diff_text(FILE *out, const char *const paths[2], const dt_diff_opts *o,
                     const kind_diff *d, int changed, const char *warning)
{
    char head[8192];
    int width = o->width < 40 ? 40 : o->width > 300 ? 300 : o->width;
    snprintf(head, sizeof head, "datatrail diff: %s -> %s", paths[0], paths[1]);
    dt_render_cell(out, head, width, 0, "\n");
    snprintf(head, sizeof head,
             "  rows new, gone, or changed by more than %g%% (upload or flows; beacons: interval)",
             100 * o->min_change);
    dt_render_cell(out, head, width, 0, "\n");
    if (warning[0]) {
        fputs("  ! ", out);
        dt_render_cell(out, warning, width - 4, 0, "\n");
    }
    for (int k = 0; k < DT_FL_KIND_COUNT; k++) {
        if (!d[k].n)
            continue;
        fprintf(out, "\n%s\n", dt_fl_kind_title((dt_fl_kind)k));
        for (size_t i = 0; i < d[k].n; i++)
            entry_text(out, &d[k].v[i], (dt_fl_kind)k, width);
    }
    if (!changed)
        fprintf(out, "\nNo change beyond %g%%.\n", 100 * o->min_change);
    return fflush(out) != 0 || ferror(out) ? -1 : 0;
}

/* ---- the command ---- */

int dt_report_diff(const char *base, const char *newer, const dt_diff_opts *o, FILE *out, char *err,
                   size_t errlen, char *warn, size_t warnlen)
{
    const char *paths[2] = {base, newer};
    dt_report *r[2] = {NULL, NULL};
    dt_fl_table t[2][DT_FL_KIND_COUNT];
    kind_diff d[DT_FL_KIND_COUNT];
    memset(t, 0, sizeof t);
    memset(d, 0, sizeof d);
    if (warnlen)
        warn[0] = '\0';
    int rc = -1;
    for (int i = 0; i < 2; i++)
        if (!(r[i] = dt_fl_load(paths[i], NULL, NULL, err, errlen)))
            goto done;
    char geo[1024];
    if (dt_fl_geo_differs(r[0], r[1], geo, sizeof geo))
        snprintf(warn, warnlen,
                 "%s and %s were made with different geo databases (%s): countries, networks and "
                 "transfer classes may differ for that reason alone",
                 base, newer, geo);
    int changed = 0;
    for (int k = 0; k < DT_FL_KIND_COUNT; k++) {
        for (int i = 0; i < 2; i++)
            if (dt_fl_table_of(dt_fl_rollup(r[i]), (dt_fl_kind)k, &t[i][k]) != 0) {
                snprintf(err, errlen, "out of memory");
                goto done;
            }
        if (kind_compare(&t[0][k], &t[1][k], (dt_fl_kind)k, o->min_change, &d[k]) != 0) {
            snprintf(err, errlen, "out of memory");
            goto done;
        }
        changed |= d[k].n > 0;
    }
    int w = o->format == DT_FMT_TEXT ? diff_text(out, paths, o, d, changed, warn)
                                     : diff_json(out, paths, o, d, changed, warn);
    if (w != 0)
        snprintf(err, errlen, "error writing the output");
    else
        rc = changed;
done:
    for (int k = 0; k < DT_FL_KIND_COUNT; k++) {
        free(d[k].v);
        for (int i = 0; i < 2; i++)
            dt_fl_table_free(&t[i][k]);
    }
    for (int i = 0; i < 2; i++)
        dt_report_free(r[i]);
    return rc;
}
