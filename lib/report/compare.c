/* `datatrail compare REPORT...`: reports (or the devices in them) side by
 * side, one column each, rows of countries, recipients, hosting networks,
 * domains and transfer classes (report/fleet.h); JSON, text (columns folded
 * to fit the width), CSV or HTML (one page in the report's frame).  Each report is read once and
 * only its rows are kept, so memory grows with the distinct keys and the cells that hold something,
 * not with the reports' flows. */
#include "report/fleet.h"
#include "report/html.h"
#include "report/jsonfmt.h"
#include "report/render.h"
#include "report/report_int.h"
#include "util/hash.h"

#include <stdlib.h>
#include <string.h>

/* the tables of fleet.h before the beacons, then (--policy) the violations */
#define N_KINDS DT_FL_BEACONS
#define VIOLATIONS N_KINDS

typedef struct cell {
    size_t col;
    uint64_t up, flows;
} cell;

typedef struct crow {
    char *key;
    uint64_t up, flows; /* over all columns */
    cell *cells;        /* ascending col, only those with flows */
    size_t n, cap;
} crow;

typedef struct ctable {
    crow *v;
    size_t n, cap;
    size_t *slots; /* index + 1 into v; open addressing by key */
    size_t n_slots;
} ctable;

typedef struct column {
    char *label, *path, *device;
    uint64_t up, flows;
} column;

typedef struct cmp {
    column *cols;
    size_t n_cols, cap_cols;
    ctable t[N_KINDS + 1];
    int oom;
    uint64_t violations;    /* --policy: violations in all columns */
    int order[N_KINDS + 1]; /* the tables written, in order (the violations first) */
    int n_order;
} cmp;

static crow *row_get(ctable *t, const char *key, int *oom)
{
    if (2 * (t->n + 1) > t->n_slots) {
        size_t n = t->n_slots ? 2 * t->n_slots : 64;
        size_t *slots = calloc(n, sizeof *slots);
        if (!slots) {
            *oom = 1;
            return NULL;
        }
        for (size_t i = 0; i < t->n; i++) {
            size_t j = dt_hash_of_str(t->v[i].key) & (n - 1);
            while (slots[j])
                j = (j + 1) & (n - 1);
            slots[j] = i + 1;
        }
        free(t->slots);
        t->slots = slots;
        t->n_slots = n;
    }
    size_t mask = t->n_slots - 1, j = dt_hash_of_str(key) & mask;
    for (; t->slots[j]; j = (j + 1) & mask)
        if (!strcmp(t->v[t->slots[j] - 1].key, key))
            return &t->v[t->slots[j] - 1];
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 32;
        crow *nv = realloc(t->v, cap * sizeof *nv);
        if (!nv) {
            *oom = 1;
            return NULL;
        }
        t->v = nv;
        t->cap = cap;
    }
    crow *r = &t->v[t->n];
    memset(r, 0, sizeof *r);
    if (!(r->key = strdup(key))) {
        *oom = 1;
        return NULL;
    }
    t->slots[j] = ++t->n;
    return r;
}

/* Adds up and flows to column col of row key (columns are filled in order). */
static void cell_add(cmp *c, int kind, const char *key, size_t col, uint64_t up, uint64_t flows)
{
    crow *r = row_get(&c->t[kind], key, &c->oom);
    if (!r)
        return;
    r->up += up;
    r->flows += flows;
    if (r->n && r->cells[r->n - 1].col == col) {
        r->cells[r->n - 1].up += up;
        r->cells[r->n - 1].flows += flows;
        return;
    }
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 4;
        cell *nv = realloc(r->cells, cap * sizeof *nv);
        if (!nv) {
            c->oom = 1;
            return;
        }
        r->cells = nv;
        r->cap = cap;
    }
    r->cells[r->n++] = (cell){col, up, flows};
}

static column *column_add(cmp *c, const char *label, const char *path, const char *device)
{
    if (c->n_cols == c->cap_cols) {
        size_t cap = c->cap_cols ? 2 * c->cap_cols : 16;
        column *nv = realloc(c->cols, cap * sizeof *nv);
        if (!nv) {
            c->oom = 1;
            return NULL;
        }
        c->cols = nv;
        c->cap_cols = cap;
    }
    column *col = &c->cols[c->n_cols];
    memset(col, 0, sizeof *col);
    col->label = strdup(label);
    col->path = path ? strdup(path) : NULL;
    col->device = device ? strdup(device) : NULL;
    if (!col->label || (path && !col->path) || (device && !col->device)) {
        free(col->label);
        free(col->path);
        free(col->device);
        c->oom = 1;
        return NULL;
    }
    c->n_cols++;
    return col;
}

/* The violations of r's policy as rows "rule: subject". */
static void violations_add(cmp *c, const dt_report *r, size_t col)
{
    size_t n = 0;
    dt_policy_violation *v = dt_policy_violations(r->pol, &n, &c->oom);
    for (size_t i = 0; i < n; i++) {
        char subj[512], key[600];
        snprintf(key, sizeof key, "%s: %s", dt_policy_rule_name(v[i].rule),
                 dt_policy_violation_subject(&v[i], subj, sizeof subj));
        cell_add(c, VIOLATIONS, key, col, v[i].bytes, v[i].flows);
    }
    c->violations += n;
    dt_policy_violations_free(v);
}

/* The tables of report r into column col. */
static int report_add(cmp *c, const dt_report *r, size_t col)
{
    if (r->pol)
        violations_add(c, r, col);
    for (int k = 0; k < N_KINDS; k++) {
        dt_fl_table t;
        if (dt_fl_table_of(dt_fl_rollup(r), (dt_fl_kind)k, &t) != 0)
            return -1;
        for (size_t i = 0; i < t.n; i++)
            cell_add(c, k, t.v[i].key, col, t.v[i].up, t.v[i].flows);
        dt_fl_table_free(&t);
    }
    dt_ru_totals tot;
    dt_rollup_totals(dt_fl_rollup(r), &tot);
    c->cols[col].up += tot.bytes_up;
    for (int i = 0; i < DT_RU_TR_COUNT; i++) /* the flows with a local side */
        c->cols[col].flows += tot.transfers[i].flows;
    return c->oom ? -1 : 0;
}

typedef struct devices {
    char **v;
    size_t n;
    int oom;
} devices;

static int device_of(void *ctx, const void *row)
{
    devices *d = ctx;
    char **nv = realloc(d->v, (d->n + 1) * sizeof *nv);
    if (!nv || !(nv[d->n] = strdup(((const dt_ru_device *)row)->device))) {
        d->v = nv ? nv : d->v;
        d->oom = 1;
        return -1;
    }
    d->v = nv;
    d->n++;
    return 0;
}

static size_t column_of_device(const cmp *c, const char *device)
{
    for (size_t i = 0; i < c->n_cols; i++)
        if (c->cols[i].device && !strcmp(c->cols[i].device, device))
            return i;
    return (size_t)-1;
}

/* One report: a column of its own, or (by device) into its devices' columns. */
static int read_one(cmp *c, const dt_compare_opts *o, const char *path, const dt_report *first,
                    int index, char *err, size_t errlen, char *warn, size_t warnlen,
                    dt_report **keep)
{
    dt_report *r = dt_fl_load(path, NULL, o->policy, err, errlen);
    if (!r)
        return -1;
    char geo[1024], label[512];
    if (first && !warn[0] && dt_fl_geo_differs(first, r, geo, sizeof geo))
        snprintf(warn, warnlen,
                 "%s was made with other geo databases than %s (%s): its countries and networks "
                 "may differ for that reason alone",
                 path, o->paths[0], geo);
    int rc = 0;
    if (!o->by_device) {
        const char *l =
            index < o->n_labels ? o->labels[index] : dt_fl_label(r, label, sizeof label);
        rc = column_add(c, l, path, NULL) ? report_add(c, r, c->n_cols - 1) : -1;
    } else {
        devices d = {0};
        if (dt_rollup_each(dt_fl_rollup(r), DT_RU_DEVICES, 0, device_of, &d) != 0 || d.oom)
            rc = -1;
        for (size_t i = 0; rc == 0 && i < d.n; i++) {
            size_t col = column_of_device(c, d.v[i]);
            if (col == (size_t)-1) {
                rc = column_add(c, d.v[i], NULL, d.v[i]) ? 0 : -1;
                col = c->n_cols - 1;
            }
            dt_report *one = rc == 0 ? dt_fl_load(path, d.v[i], o->policy, err, errlen) : NULL;
            rc = one ? report_add(c, one, col) : -1;
            dt_report_free(one);
        }
        for (size_t i = 0; i < d.n; i++)
            free(d.v[i]);
        free(d.v);
    }
    if (keep && !*keep)
        *keep = r;
    else
        dt_report_free(r);
    if (rc != 0 && !err[0])
        snprintf(err, errlen, "out of memory");
    return rc;
}

static int cmp_crow(const void *pa, const void *pb)
{
    const crow *a = pa, *b = pb;
    if (a->up != b->up)
        return a->up > b->up ? -1 : 1;
    if (a->flows != b->flows)
        return a->flows > b->flows ? -1 : 1;
    return strcmp(a->key, b->key);
}

static const char *table_key(int k)
{
    return k == VIOLATIONS ? "violations" : dt_fl_kind_key((dt_fl_kind)k);
}

static const char *table_title(int k)
{
    return k == VIOLATIONS ? "Policy violations" : dt_fl_kind_title((dt_fl_kind)k);
}

static void cmp_free(cmp *c)
{
    for (size_t i = 0; i < c->n_cols; i++) {
        free(c->cols[i].label);
        free(c->cols[i].path);
        free(c->cols[i].device);
    }
    free(c->cols);
    for (int k = 0; k <= N_KINDS; k++) {
        for (size_t i = 0; i < c->t[k].n; i++) {
            free(c->t[k].v[i].key);
            free(c->t[k].v[i].cells);
        }
        free(c->t[k].v);
        free(c->t[k].slots);
    }
}

/* ---- JSON ---- */

static void counts_write(dt_fw *f, uint64_t up, uint64_t flows)
{
    dt_fw_obj_begin(f);
    DT_FW_KEY(f, "bytes_up");
    dt_fw_u64(f, up);
    DT_FW_KEY(f, "flows");
    dt_fw_u64(f, flows);
    dt_fw_obj_end(f);
}

static int compare_json(const cmp *c, const dt_compare_opts *o, FILE *out, const char *warning)
{
    dt_fw f;
    dt_fw_init(&f, out);
    dt_report_json_head(&f);
    DT_FW_KEY(&f, "by");
    dt_fw_str(&f, o->by_device ? "device" : "report");
    DT_FW_KEY(&f, "warnings");
    dt_fw_arr_begin(&f);
    if (warning[0])
        dt_fw_str(&f, warning);
    dt_fw_arr_end(&f);
    DT_FW_KEY(&f, "columns");
    dt_fw_arr_begin(&f);
    for (size_t i = 0; i < c->n_cols; i++) {
        dt_fw_obj_begin(&f);
        DT_FW_KEY(&f, "label");
        dt_fw_str(&f, c->cols[i].label);
        DT_FW_KEY(&f, "report");
        dt_fw_str_or_null(&f, c->cols[i].path);
        DT_FW_KEY(&f, "device");
        dt_fw_str_or_null(&f, c->cols[i].device);
        DT_FW_KEY(&f, "bytes_up");
        dt_fw_u64(&f, c->cols[i].up);
        DT_FW_KEY(&f, "flows");
        dt_fw_u64(&f, c->cols[i].flows);
        dt_fw_obj_end(&f);
    }
    dt_fw_arr_end(&f);
    for (int q = 0; q < c->n_order; q++) {
        int k = c->order[q];
        dt_fw_key(&f, table_key(k));
        dt_fw_arr_begin(&f);
        for (size_t i = 0; i < c->t[k].n; i++) {
            const crow *r = &c->t[k].v[i];
            dt_fw_obj_begin(&f);
            DT_FW_KEY(&f, "key");
            dt_fw_str(&f, r->key);
            DT_FW_KEY(&f, "bytes_up");
            dt_fw_u64(&f, r->up);
            DT_FW_KEY(&f, "flows");
            dt_fw_u64(&f, r->flows);
            DT_FW_KEY(&f, "cells");
            dt_fw_arr_begin(&f);
            for (size_t col = 0, j = 0; col < c->n_cols; col++) {
                if (j < r->n && r->cells[j].col == col) {
                    counts_write(&f, r->cells[j].up, r->cells[j].flows);
                    j++;
                } else {
                    dt_fw_null(&f);
                }
            }
            dt_fw_arr_end(&f);
            dt_fw_obj_end(&f);
        }
        dt_fw_arr_end(&f);
    }
    return dt_report_json_tail(&f);
}

/* ---- CSV: one row per table row, two columns per report ---- */

static int compare_csv(const cmp *c, FILE *out)
{
    size_t n = 4 + 2 * c->n_cols;
    const char **cells = calloc(n, sizeof *cells);
    char(*bufs)[2][48] = calloc(c->n_cols + 1, sizeof *bufs);
    char **heads = calloc(2 * c->n_cols + 1, sizeof *heads);
    int rc = !cells || !bufs || !heads ? -1 : 0;
    for (size_t i = 0; rc == 0 && i < c->n_cols; i++) {
        size_t len = strlen(c->cols[i].label) + 16;
        heads[2 * i] = malloc(len);
        heads[2 * i + 1] = malloc(len);
        if (!heads[2 * i] || !heads[2 * i + 1]) {
            rc = -1;
            break;
        }
        snprintf(heads[2 * i], len, "%s bytes_up", c->cols[i].label);
        snprintf(heads[2 * i + 1], len, "%s flows", c->cols[i].label);
    }
    if (rc == 0) {
        const char *fixed[] = {"table", "key", "bytes_up", "flows"};
        memcpy(cells, fixed, sizeof fixed);
        for (size_t i = 0; i < 2 * c->n_cols; i++)
            cells[4 + i] = heads[i];
        rc = dt_render_csv_row(out, NULL, cells, n);
    }
    for (int q = 0, k; rc == 0 && q < c->n_order; q++)
        for (size_t i = 0; rc == 0 && i < c->t[k = c->order[q]].n; i++) {
            const crow *r = &c->t[k].v[i];
            cells[0] = table_key(k);
            cells[1] = r->key;
            snprintf(bufs[c->n_cols][0], sizeof bufs[0][0], "%llu", (unsigned long long)r->up);
            snprintf(bufs[c->n_cols][1], sizeof bufs[0][0], "%llu", (unsigned long long)r->flows);
            cells[2] = bufs[c->n_cols][0];
            cells[3] = bufs[c->n_cols][1];
            for (size_t col = 0, j = 0; col < c->n_cols; col++) {
                int has = j < r->n && r->cells[j].col == col;
                snprintf(bufs[col][0], sizeof bufs[0][0], "%llu",
                         has ? (unsigned long long)r->cells[j].up : 0ull);
                snprintf(bufs[col][1], sizeof bufs[0][0], "%llu",
                         has ? (unsigned long long)r->cells[j].flows : 0ull);
                cells[4 + 2 * col] = bufs[col][0];
                cells[5 + 2 * col] = bufs[col][1];
                j += has;
            }
            rc = dt_render_csv_row(out, NULL, cells, n);
        }
    for (size_t i = 0; heads && i < 2 * c->n_cols; i++)
        free(heads[i]);
    free(heads);
    free(bufs);
    free(cells);
    return rc || fflush(out) != 0 || ferror(out) ? -1 : 0;
}

/* ---- text: columns folded into blocks that fit the width ---- */

#define KEY_COLS 20 /* at least; what the cells leave, up to KEY_MAX */
#define KEY_MAX 48
#define CELL_COLS 14

static void text_cell(FILE *out, const crow *r, size_t col, size_t *j)
{
    char b[32], s[64];
    if (*j < r->n && r->cells[*j].col == col) {
        snprintf(s, sizeof s, "%s/%llu", dt_render_bytes((double)r->cells[*j].up, b, sizeof b),
                 (unsigned long long)r->cells[*j].flows);
        (*j)++;
    } else {
        snprintf(s, sizeof s, "-");
    }
    fputc(' ', out);
    dt_render_cell(out, s, CELL_COLS, 1, "");
}

static int compare_text(const cmp *c, const dt_compare_opts *o, FILE *out, const char *warning)
{
    int width = o->width < 40 ? 40 : o->width > 300 ? 300 : o->width;
    size_t per = (size_t)(width - KEY_COLS) / (CELL_COLS + 1);
    size_t rows = o->top < 0 ? 0 : o->top ? (size_t)o->top : 10; /* 0: all */
    char line[512], b[32];
    if (per < 1)
        per = 1;
    snprintf(line, sizeof line, "datatrail compare: %zu %s%s; cells: upload/flows", c->n_cols,
             o->by_device ? "device" : "report", c->n_cols == 1 ? "" : "s");
    dt_render_cell(out, line, width, 0, "\n");
    if (warning[0]) {
        fputs("  ! ", out);
        dt_render_cell(out, warning, width - 4, 0, "\n");
    }
    for (size_t first = 0; first < c->n_cols; first += per) {
        size_t last = first + per < c->n_cols ? first + per : c->n_cols;
        int key = width - (int)(last - first) * (CELL_COLS + 1);
        key = key > KEY_MAX ? KEY_MAX : key < KEY_COLS ? KEY_COLS : key;
        if (c->n_cols > per)
            fprintf(out, "\nColumns %zu-%zu of %zu\n", first + 1, last, c->n_cols);
        for (int q = 0; q < c->n_order; q++) {
            int k = c->order[q];
            fputc('\n', out);
            dt_render_cell(out, table_title(k), key - 1, 0, "");
            for (size_t col = first; col < last; col++) {
                fputc(' ', out);
                dt_render_cell(out, c->cols[col].label, CELL_COLS, 1, "");
            }
            fputc('\n', out);
            const ctable *t = &c->t[k];
            for (size_t i = 0; i < t->n && (!rows || i < rows); i++) {
                const crow *r = &t->v[i];
                fputs("  ", out);
                dt_render_cell(out, k == DT_FL_COUNTRIES && !r->key[0] ? "(none)" : r->key, key - 3,
                               0, "");
                size_t j = 0;
                while (j < r->n && r->cells[j].col < first)
                    j++;
                for (size_t col = first; col < last; col++)
                    text_cell(out, r, col, &j);
                fputc('\n', out);
            }
            if (rows && t->n > rows)
                fprintf(out, "  \xe2\x80\xa6 %zu more (--top N, --all; the JSON has all)\n",
                        t->n - rows);
        }
        fputc('\n', out);
        dt_render_cell(out, "Total", key - 1, 0, "");
        for (size_t col = first; col < last; col++) {
            char s[64];
            snprintf(s, sizeof s, "%s/%llu", dt_render_bytes((double)c->cols[col].up, b, sizeof b),
                     (unsigned long long)c->cols[col].flows);
            fputc(' ', out);
            dt_render_cell(out, s, CELL_COLS, 1, "");
        }
        fputc('\n', out);
    }
    return fflush(out) != 0 || ferror(out) ? -1 : 0;
}

#define HTML_ROWS 200 /* rows per table of the page, as the HTML report */

/* One cell of the page: upload and flows, sortable by the upload. */
static void html_cell(FILE *out, uint64_t up, uint64_t flows, int any)
{
    char b[32], s[64];
    if (!any) {
        fputs("<td class=\"n\" data-v=\"0\">-</td>", out);
        return;
    }
    snprintf(s, sizeof s, "%s / %llu", dt_render_bytes((double)up, b, sizeof b),
             (unsigned long long)flows);
    fprintf(out, "<td class=\"n\" data-v=\"%llu\">", (unsigned long long)up);
    dt_html_esc(out, s);
    fputs("</td>", out);
}

/* Markup, text (escaped), markup. */
static void html_el(FILE *out, const char *open, const char *text, const char *close)
{
    fputs(open, out);
    dt_html_esc(out, text);
    fputs(close, out);
}

/* The header row: the table's title over the keys, then one column per report. */
static void html_head(const cmp *c, FILE *out, const char *what)
{
    html_el(out, "<div class=\"wrap\"><table class=\"data\"><thead><tr><th>", what, "</th>");
    for (size_t col = 0; col < c->n_cols; col++)
        html_el(out, "<th class=\"n\">", c->cols[col].label, "</th>");
    fputs("</tr></thead>\n<tbody>\n", out);
}

/* The same tables as the text, one HTML table each, in one page with the
 * report's frame (style, script, Content-Security-Policy, escaping). */
static int compare_html(const cmp *c, const dt_compare_opts *o, FILE *out, const char *warning)
{
    size_t rows = o->top < 0 ? 0 : o->top ? (size_t)o->top : HTML_ROWS; /* 0: all */
    char title[128];
    snprintf(title, sizeof title, "datatrail compare: %zu %s%s", c->n_cols,
             o->by_device ? "device" : "report", c->n_cols == 1 ? "" : "s");
    dt_html_begin(out, title);
    html_el(out, "<h1>", title, "</h1>\n<p>Each cell: upload / flows. Columns:</p>\n<ol>");
    for (size_t col = 0; col < c->n_cols; col++) {
        const char *from = o->by_device ? c->cols[col].device : c->cols[col].path;
        html_el(out, "<li>", c->cols[col].label, "");
        if (from && strcmp(from, c->cols[col].label))
            html_el(out, " (", from, ")");
        fputs("</li>", out);
    }
    fputs("</ol>\n", out);
    if (warning[0])
        html_el(out, "<p class=\"warn\">", warning, "</p>\n");
    for (int q = 0; q < c->n_order; q++) {
        int k = c->order[q];
        const ctable *t = &c->t[k];
        fprintf(out, "<section id=\"%s\">\n", table_key(k));
        html_el(out, "<h2>", table_title(k), "</h2>\n");
        html_head(c, out, table_title(k));
        for (size_t i = 0; i < t->n && (!rows || i < rows); i++) {
            const crow *r = &t->v[i];
            html_el(out, "<tr><td>", k == DT_FL_COUNTRIES && !r->key[0] ? "(none)" : r->key,
                    "</td>");
            size_t j = 0;
            for (size_t col = 0; col < c->n_cols; col++) {
                int here = j < r->n && r->cells[j].col == col;
                html_cell(out, here ? r->cells[j].up : 0, here ? r->cells[j].flows : 0, here);
                j += (size_t)here;
            }
            fputs("</tr>\n", out);
        }
        fputs("</tbody></table></div>\n", out);
        if (rows && t->n > rows) {
            char more[160];
            snprintf(more, sizeof more,
                     "%zu more rows left out (--top N, --all); the JSON has all %zu.", t->n - rows,
                     t->n);
            html_el(out, "<p class=\"more\">", more, "</p>\n");
        }
        fputs("</section>\n", out);
    }
    fputs("<section id=\"total\">\n<h2>Total</h2>\n", out);
    html_head(c, out, "Total");
    fputs("<tr><td>upload / flows</td>", out);
    for (size_t col = 0; col < c->n_cols; col++)
        html_cell(out, c->cols[col].up, c->cols[col].flows, 1);
    fputs("</tr>\n</tbody></table></div>\n</section>\n", out);
    dt_html_end(out);
    return fflush(out) != 0 || ferror(out) ? -1 : 0;
}

int dt_report_compare(const dt_compare_opts *o, FILE *out, char *err, size_t errlen, char *warn,
                      size_t warnlen)
{
    cmp c;
    memset(&c, 0, sizeof c);
    if (warnlen)
        warn[0] = '\0';
    if (errlen)
        err[0] = '\0';
    if (o->policy)
        c.order[c.n_order++] = VIOLATIONS;
    for (int k = 0; k < N_KINDS; k++)
        c.order[c.n_order++] = k;
    dt_report *first = NULL; /* kept: the others' geo databases are checked against it */
    int rc = 0;
    for (int i = 0; rc == 0 && i < o->n_paths; i++)
        rc = read_one(&c, o, o->paths[i], first, i, err, errlen, warn, warnlen, &first);
    dt_report_free(first);
    for (int k = 0; rc == 0 && k <= N_KINDS; k++)
        if (c.t[k].n)
            qsort(c.t[k].v, c.t[k].n, sizeof *c.t[k].v, cmp_crow);
    if (rc == 0) {
        rc = o->format == DT_FMT_TEXT   ? compare_text(&c, o, out, warn)
             : o->format == DT_FMT_CSV  ? compare_csv(&c, out)
             : o->format == DT_FMT_HTML ? compare_html(&c, o, out, warn)
                                        : compare_json(&c, o, out, warn);
        if (rc != 0)
            snprintf(err, errlen, "error writing the output");
    }
    cmp_free(&c);
    return rc ? rc : c.violations > 0;
}
