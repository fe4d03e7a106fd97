#include "enrich/oui.h"
#include "report/report_int.h"
#include "util/hash.h"

#include "proto/apps.h"
#include "capture/capture.h"
#include "report/flowjson.h"
#include "report/formats.h"
#include "report/reader.h"
#include "report/render.h"
#include "util/clock.h"
#include "util/text.h"
#include "report/rollup.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <strings.h>

/* part: 0 a report, 1 a part whose lines are kept, 2 a part whose lines are not
 * wanted (its parent writes no flows: a text report read with -j).  array: a
 * part keeps its lines framed as its parent's flows array is (the parent then
 * takes them as they are, not a line at a time). */
static dt_report *report_alloc(const dt_report_opts *opts, FILE *out, int part, int array)
{
    dt_report *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->opts = *opts;
    r->out = out;
    r->is_part = part != 0;
    r->lines = part == 2 ? 0
                         : opts->mode == DT_OUT_FLOWS ||
                               (!opts->no_flows && (part || opts->format == DT_FMT_JSON));
    int reports = part || opts->mode == DT_OUT_REPORT; /* a report is written from it */
    /* a report of captures knows its options at the start (merge takes them
     * from the first report it reads) */
    r->streamed = !part && r->lines && opts->mode == DT_OUT_REPORT && opts->echo;
    r->spooled = r->lines && reports && !r->streamed;
    r->array = r->lines && (part ? array : opts->mode == DT_OUT_REPORT);
    dt_spool_init(&r->flows_spool, DT_SPOOL_LIMIT);
    r->ru = reports ? dt_rollup_new() : NULL;
    r->pol = reports && opts->policy ? dt_policy_state_new(opts->policy) : NULL;
    r->win = reports && opts->window_s ? dt_window_new(opts->window_s * 1000000000ull) : NULL;
    r->pd = reports ? dt_personal_new() : NULL;
    if ((reports && (!r->ru || !r->pd)) || (reports && opts->policy && !r->pol) ||
        (reports && opts->window_s && !r->win)) {
        dt_report_free(r);
        return NULL;
    }
    dt_rollup_set_vendor(r->ru, opts->vendor);
    return r;
}

dt_report *dt_report_new(const dt_report_opts *opts, FILE *out)
{
    return report_alloc(opts, out, 0, 0);
}

dt_report *dt_report_new_part(const dt_report *parent, dt_enricher *enricher, int standalone)
{
    dt_report_opts o = parent->opts;
    if (enricher)
        o.enricher = enricher;
    return report_alloc(&o, NULL, parent->lines || standalone ? 1 : 2, parent->array);
}

void dt_report_free(dt_report *r)
{
    if (!r)
        return;
    dt_spool_free(&r->flows_spool);
    dt_fw_free(&r->jf);
    dt_jw_free(&r->flow_text);
    dt_rollup_free(r->ru);
    dt_policy_state_free(r->pol);
    dt_window_free(r->win);
    dt_personal_free(r->pd);
    for (size_t i = 0; i < r->n_inputs; i++)
        dt_input_rec_free(&r->inputs[i]);
    free(r->inputs);
    for (size_t i = 0; i < r->n_warnings; i++)
        free((char *)r->warnings[i].message);
    free(r->warnings);
    for (size_t i = 0; i < r->n_geo; i++)
        dt_geo_rec_free(&r->geo[i]);
    free(r->geo);
    free(r->merged_options);
    dt_summary_free(&r->sum);
    for (int i = 0; i < DNS_BUCKETS; i++) {
        dns_entry *e = r->dns[i];
        while (e) {
            dns_entry *n = e->next;
            free(e->name);
            free(e->answers);
            free(e);
            e = n;
        }
    }
    free(r);
}

/* ---- DNS table ---- */

/* Names compare without case (dt_dns_name_eq), so they hash lowercased; eight
 * bytes at a time (the table's order is not the output's: that is sorted). */
static uint64_t name_hash(const char *s, const char *type)
{
    uint64_t h = dt_hash_str(DT_HASH_INIT, type);
    size_t n = strlen(s), i = 0;
    uint64_t w;
    for (; i + 8 <= n; i += 8) {
        memcpy(&w, s + i, 8);
        h = dt_hash_word(h, dt_word_lower(w));
    }
    w = 0;
    memcpy(&w, s + i, n - i);
    return dt_hash_final(dt_hash_word(h, dt_word_lower(w)));
}

dns_entry *dt_report_dns_entry(dt_report *r, const char *name, const char *type)
{
    size_t b = name_hash(name, type) % DNS_BUCKETS;
    dns_entry *e = r->dns[b];
    while (e && !(strcmp(e->type, type) == 0 && dt_dns_name_eq(e->name, name)))
        e = e->next;
    if (e)
        return e;
    size_t cost = sizeof *e + strlen(name) + 1;
    if (r->dns_bytes + cost > DNS_TABLE_MAX_BYTES) {
        r->dns_dropped++;
        return NULL;
    }
    e = calloc(1, sizeof *e);
    if (!e || !(e->name = strdup(name))) {
        free(e);
        return NULL;
    }
    dt_copy_str(e->type, sizeof e->type, type);
    e->next = r->dns[b];
    r->dns[b] = e;
    r->dns_n++;
    r->dns_bytes += cost;
    return e;
}

void dt_report_dns_answer(dt_report *r, dns_entry *e, const char *addr)
{
    for (int j = 0; j < e->n_answers; j++)
        if (strcmp(e->answers[j], addr) == 0)
            return;
    if (e->n_answers == DNS_TABLE_MAX_ANSWERS)
        return;
    if (e->n_answers == e->cap_answers) {
        int cap = e->cap_answers ? 2 * e->cap_answers : 4;
        size_t grow = (size_t)(cap - e->cap_answers) * sizeof *e->answers;
        if (r->dns_bytes + grow > DNS_TABLE_MAX_BYTES) {
            r->dns_dropped++;
            return;
        }
        r->dns_bytes += grow;
        void *na = realloc(e->answers, (size_t)cap * sizeof *e->answers);
        if (!na)
            return;
        e->answers = na;
        e->cap_answers = cap;
    }
    dt_copy_str(e->answers[e->n_answers++], DT_ADDR_STRLEN, addr);
}

void dt_report_dns(void *ctx, const dt_flow_dns *d)
{
    dt_report *r = ctx;
    char tbuf[16];
    if (!d->response || d->n_answers == 0)
        return;
    dns_entry *e =
        dt_report_dns_entry(r, dt_flow_dns_name(d), dt_dns_type_name(d->type, tbuf, sizeof tbuf));
    if (!e)
        return;
    e->count++;
    for (int i = 0; i < d->n_answers; i++)
        dt_report_dns_answer(r, e, dt_flow_dns_answer(d, i));
}

static int cmp_dns(const void *a, const void *b)
{
    const dns_entry *x = *(dns_entry *const *)a, *y = *(dns_entry *const *)b;
    int c = strcasecmp(x->name, y->name);
    if (!c)
        c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->type, y->type);
}

static dns_entry **dns_sorted(const dt_report *r)
{
    dns_entry **all = malloc((r->dns_n ? r->dns_n : 1) * sizeof *all);
    if (!all)
        return NULL;
    size_t n = 0;
    for (int i = 0; i < DNS_BUCKETS; i++)
        for (dns_entry *e = r->dns[i]; e; e = e->next)
            all[n++] = e;
    qsort(all, n, sizeof *all, cmp_dns);
    return all;
}

static void dns_entry_write(const dns_entry *e, dt_fw *f)
{
    dt_fw_obj_begin(f);
    DT_FW_KEY(f, "name");
    dt_fw_str(f, e->name);
    DT_FW_KEY(f, "type");
    dt_fw_str(f, e->type);
    DT_FW_KEY(f, "answers");
    dt_fw_arr_begin(f);
    for (int j = 0; j < e->n_answers; j++)
        dt_fw_str(f, e->answers[j]);
    dt_fw_arr_end(f);
    DT_FW_KEY(f, "count");
    dt_fw_u64(f, e->count);
    dt_fw_obj_end(f);
}

/* The DNS table, sorted, as a JSON array. */
static int dns_table_write(const dt_report *r, dt_fw *f)
{
    dns_entry **all = dns_sorted(r);
    dt_fw_arr_begin(f);
    for (uint64_t i = 0; all && i < r->dns_n; i++)
        dns_entry_write(all[i], f);
    dt_fw_arr_end(f);
    free(all);
    return all ? 0 : -1;
}

/* ---- summary counters ---- */

void dt_report_note_time(dt_report *r, uint64_t first, uint64_t last, int digits)
{
    if (!r->have_time || first < r->first_ns)
        r->first_ns = first;
    if (!r->have_time || last > r->last_ns)
        r->last_ns = last;
    if (digits > r->ts_digits)
        r->ts_digits = digits;
    r->have_time = 1;
}

/* ---- flows ---- */

/* The flows array of a JSON report from a spool of lines (a part's). */
typedef struct flow_array {
    FILE *out;
    uint64_t n;
} flow_array;

static int flow_array_line(void *ctx, char *line, size_t len)
{
    flow_array *a = ctx;
    fputs(a->n++ ? ",\n\t\t" : "\n\t\t", a->out);
    fwrite(line, 1, len, a->out);
    return 0;
}

static void json_open(dt_report *r, dt_fw *f);
static const char flows_open[] = ",\n\t\"flows\": [";

/* A streamed report's members up to the opening of its flows array, once. */
static void stream_open(dt_report *r)
{
    if (r->jf.out) /* open already */
        return;
    json_open(r, &r->jf);
    dt_fw_text(&r->jf, flows_open, sizeof flows_open - 1);
}

static int copy_flow_lines(dt_report *r, dt_report *part);

/* A part whose lines may now go to its parent's output: those it holds
 * first, once. */
static int stream_to_parent(dt_report *r)
{
    if (r->stream_now)
        return 1;
    if (!r->stream_when || !__atomic_load_n(r->stream_when, __ATOMIC_ACQUIRE))
        return 0;
    if (copy_flow_lines(r->stream_to, r) != 0)
        r->write_error = 1;
    dt_spool_free(&r->flows_spool);        /* emptied: nothing is written to it again */
    r->array_lines = r->flows_written = 0; /* counted in the parent now */
    r->stream_now = 1;
    return 1;
}

/* A flow line to the report's destination: the output (a streamed report,
 * `flows`, a part streaming into its parent) or the spool (until the report
 * is written). */
static void write_flow_line(dt_report *r, const char *line, size_t len)
{
    if (r->stream_when && stream_to_parent(r)) {
        write_flow_line(r->stream_to, line, len);
        return;
    }
    int err;
    if (r->array) { /* an element of a report's flows array */
        const char *sep = &",\n\t\t"[r->array_lines++ == 0];
        if (r->streamed) { /* through the report's own buffer: no stdio call per line */
            stream_open(r);
            dt_fw_raw(&r->jf, sep, strlen(sep));
            dt_fw_text(&r->jf, line, len);
            err = r->jf.err || r->jf.w.oom;
        } else {
            err = dt_spool_write2(&r->flows_spool, sep, strlen(sep), line, len);
        }
    } else if (r->spooled) /* a part's line */
        err = dt_spool_write2(&r->flows_spool, line, len, "\n", 1);
    else
        err = fwrite(line, 1, len, r->out) != len || putc('\n', r->out) == EOF;
    if (err)
        r->write_error = 1;
    r->flows_written++;
}

/* `flows -f csv`: rows from the flow struct, the header before the first.
 * Parts keep JSON lines (a --per-file report is made of them); their lines
 * become rows when copied (report/reader.c). */
static int csv_flows(const dt_report *r)
{
    return !r->is_part && r->opts.mode == DT_OUT_FLOWS && r->opts.format == DT_FMT_CSV;
}

void dt_report_flow(void *ctx, const dt_input_info *in, const dt_flow *f)
{
    dt_report *r = ctx;
    const dt_endpoint_info *ep = NULL;
    if (r->opts.enricher) {
        const dt_flow_app *x = f->app;
        const dt_flow_cert *cert = dt_app_tls_cert(x);
        const char *cert_o = cert ? dt_flow_cert_subject_o(cert) : NULL;
        ep = dt_enrich_endpoint(r->opts.enricher, &f->side[DT_SERVER].ip, x ? x->name : NULL,
                                cert_o);
    }
    char ips[4][DT_ADDR_STRLEN];
    dt_flow_texts texts, *have_texts = NULL; /* the rollup's, for the flow object */
    if (r->ru || r->opts.device) {
        dt_rollup_flow rf;
        dt_flow_rollup_fields(f, ep, ips, &rf);
        texts = (dt_flow_texts){{rf.client_ip, rf.server_ip}, {rf.client_mac, rf.server_mac}};
        have_texts = &texts;
        if (r->opts.device && !dt_rollup_flow_of_device(&rf, r->opts.device))
            return; /* another device's flow */
        if (r->ru)
            dt_rollup_add(r->ru, &rf);
        if (dt_policy_state_add(r->pol, &rf) != 0 || dt_window_add(r->win, &rf) != 0 ||
            dt_personal_add(r->pd, &rf) != 0)
            r->write_error = 1;
    }
    if (!r->lines)
        return;
    if (csv_flows(r)) {
        char bufs[12][48];
        const char *cells[DT_CSV_FLOW_NCOLS];
        dt_flow_csv_cells(in, f, ep, bufs, cells);
        const char *header = r->flows_written == 0 ? DT_CSV_FLOW_COLUMNS : NULL;
        if (dt_render_csv_row(r->out, header, cells, DT_CSV_FLOW_NCOLS) != 0)
            r->write_error = 1;
        r->flows_written++;
        return;
    }
    dt_jw_reset(&r->flow_text);
    if (dt_flow_json_write_texts(&r->flow_text, in, f, ep, r->opts.debug_streams, r->opts.vendor,
                                 have_texts) == 0)
        write_flow_line(r, r->flow_text.buf, r->flow_text.len);
    else
        r->write_error = 1;
}

void dt_report_flow_line(dt_report *r, const char *line, size_t len)
{
    if (r->lines)
        write_flow_line(r, line, len);
}

int dt_report_add_input_rec(dt_report *r, dt_input_rec *rec)
{
    if (r->n_inputs == r->cap_inputs) {
        size_t cap = r->cap_inputs ? 2 * r->cap_inputs : 8;
        dt_input_rec *nv = realloc(r->inputs, cap * sizeof *nv);
        if (!nv) {
            dt_input_rec_free(rec);
            return -1;
        }
        r->inputs = nv;
        r->cap_inputs = cap;
    }
    r->inputs[r->n_inputs++] = *rec;
    memset(rec, 0, sizeof *rec);
    return 0;
}

int dt_report_add_warning(dt_report *r, const char *code, const char *message, int has_count,
                          uint64_t count)
{
    for (size_t i = 0; i < r->n_warnings; i++)
        if (!strcmp(r->warnings[i].message, message))
            return 0;
    dt_warning *nv = realloc(r->warnings, (r->n_warnings + 1) * sizeof *nv);
    if (!nv)
        return -1;
    r->warnings = nv;
    char *m = strdup(message);
    if (!m)
        return -1;
    nv[r->n_warnings++] =
        (dt_warning){dt_warning_code(code, message), m, has_count != 0, has_count ? count : 0};
    return 0;
}

int dt_report_add_geo(dt_report *r, dt_geo_rec *g)
{
    for (size_t i = 0; i < r->n_geo; i++)
        if (dt_geo_rec_eq(&r->geo[i], g)) {
            dt_geo_rec_free(g);
            return 0;
        }
    dt_geo_rec *nv = realloc(r->geo, (r->n_geo + 1) * sizeof *nv);
    if (!nv) {
        dt_geo_rec_free(g);
        return -1;
    }
    r->geo = nv;
    nv[r->n_geo++] = *g;
    memset(g, 0, sizeof *g);
    return 0;
}

void dt_report_input(dt_report *r, const dt_input_info *in)
{
    if (in->packets)
        dt_report_note_time(r, in->first_ns, in->last_ns, in->ts_digits);
    dt_input_rec rec;
    if (dt_input_rec_from_info(&rec, in) != 0 || dt_report_add_input_rec(r, &rec) != 0)
        r->write_error = 1;
    dt_input_rec_free(&rec);
    dt_summary one;
    if (dt_summary_from_input(&one, in) != 0 || dt_summary_combine(&r->sum, &one) != 0)
        r->write_error = 1;
    dt_summary_free(&one);
}

/* One flow line as a CSV row (`flows -f csv` of many inputs). */
static int copy_csv_row(void *ctx, char *line, size_t len)
{
    dt_report *r = ctx;
    (void)len;
    if (dt_reader_flow_csv(line, r->out, r->flows_written == 0) != 0)
        r->write_error = 1;
    r->flows_written++;
    return 0;
}

/* Copies a part's flow lines to r's flow destination. */
static int copy_flow_lines(dt_report *r, dt_report *part)
{
    if (!part->spooled || !r->lines)
        return 0;
    if (csv_flows(r))
        return dt_spool_each_line(&part->flows_spool, copy_csv_row, r);
    /* the part's lines are framed as r's own (dt_report_new_part): taken as they are,
     * with a comma between two runs of a flows array's elements */
    int comma = r->array_lines && part->array_lines;
    r->array_lines += part->array_lines;
    r->flows_written += part->flows_written;
    if (r->spooled) { /* the part's spool is not read again: its file is moved, not copied */
        if (comma && dt_spool_write(&r->flows_spool, ",", 1) != 0)
            r->write_error = 1;
        return dt_spool_move(&r->flows_spool, &part->flows_spool);
    }
    if (r->streamed && part->array_lines) { /* after what r's buffer holds */
        stream_open(r);
        if (comma)
            dt_fw_text(&r->jf, ",", 1);
        if (dt_fw_flush(&r->jf) != 0)
            r->write_error = 1;
    }
    return dt_spool_copy_to(&part->flows_spool, r->out);
}

void dt_report_part_stream_when(dt_report *part, dt_report *parent, const int *when)
{
    if (part && parent->streamed && part->spooled && part->array) {
        part->stream_to = parent;
        part->stream_when = when;
    }
}

int dt_report_absorb(dt_report *r, dt_report *part)
{
    if (copy_flow_lines(r, part) != 0)
        r->write_error = 1;
    if (r->ru && dt_rollup_merge(r->ru, part->ru) != 0)
        r->write_error = 1;
    if (dt_policy_state_merge(r->pol, part->pol) != 0 || dt_window_merge(r->win, part->win) != 0 ||
        dt_personal_merge(r->pd, part->pd) != 0)
        r->write_error = 1;
    for (size_t i = 0; i < part->n_inputs; i++)
        if (dt_report_add_input_rec(r, &part->inputs[i]) != 0)
            r->write_error = 1;
    part->n_inputs = 0;
    if (dt_summary_combine(&r->sum, &part->sum) != 0)
        r->write_error = 1;
    r->dns_dropped += part->dns_dropped;
    if (part->have_time)
        dt_report_note_time(r, part->first_ns, part->last_ns, part->ts_digits);
    /* in name order, so what is kept once the table is full does not depend
     * on the hash */
    dns_entry **all = dns_sorted(part);
    if (!all)
        r->write_error = 1;
    for (size_t i = 0; all && i < part->dns_n; i++) {
        const dns_entry *e = all[i];
        dns_entry *d = dt_report_dns_entry(r, e->name, e->type);
        if (!d)
            continue;
        d->count += e->count;
        for (int j = 0; j < e->n_answers; j++)
            dt_report_dns_answer(r, d, e->answers[j]);
    }
    free(all);
    return r->write_error ? -1 : 0;
}

/* ---- the final report ---- */

void dt_report_each_geo(const dt_report *r, void (*fn)(void *ctx, const dt_geo_rec *g), void *ctx)
{
    for (size_t i = 0; i < r->n_geo; i++)
        fn(ctx, &r->geo[i]);
    if (r->opts.enricher) {
        const dt_geo *g = dt_enricher_geo(r->opts.enricher);
        for (int i = 0; i < dt_geo_db_count(g); i++) {
            dt_geo_rec d = {{(char *)dt_geo_db_path(g, i), (char *)dt_geo_db_kind(g, i),
                             (char *)dt_geo_db_type(g, i), (char *)dt_geo_db_schema(g, i),
                             (char *)dt_geo_db_build_date(g, i),
                             (char *)dt_geo_db_attribution(g, i)}};
            fn(ctx, &d);
        }
    }
}

static void geo_rec_write(void *f, const dt_geo_rec *g)
{
    dt_geo_rec_write(g, f);
}

static void geo_databases_write(const dt_report *r, dt_fw *f)
{
    dt_fw_arr_begin(f);
    dt_report_each_geo(r, geo_rec_write, f);
    dt_fw_arr_end(f);
}

static int has_mac(void *ctx, const void *row)
{
    (void)ctx;
    return ((const dt_ru_device *)row)->mac != NULL;
}

#define UNSUPPORTED_WARNING " packets of link types datatrail does not decode were not read"

static const char oui_warning[] =
    "no IEEE OUI registry (/usr/share/ieee-data/oui.txt, Debian package ieee-data; run "
    "scripts/setup): devices[].vendor is null";

/* The codes, each with the text its message holds (for messages that come
 * without one: the geo databases' text, reports of schema 1). */
enum {
    W_GEO,
    W_LOCATION,
    W_ROLLUP,
    W_DNS,
    W_UNSUPPORTED,
    W_OUI,
    W_OUTDATED,
    W_ENTRIES,
    N_WARNING_CODES
};
static const struct {
    const char *text, *code;
} warning_codes[N_WARNING_CODES] = {
    [W_GEO] = {"no geolocation database", "geo_missing"},
    [W_LOCATION] = {"no location database", "location_missing"},
    [W_ROLLUP] = {"rollup memory limit", "rollup_limit"},
    [W_DNS] = {"DNS table memory limit", "dns_table_limit"},
    [W_UNSUPPORTED] = {UNSUPPORTED_WARNING, "unsupported_link_types"},
    [W_OUI] = {"no IEEE OUI registry", "oui_missing"},
    [W_OUTDATED] = {"more than a year ago", "geo_outdated"},
    [W_ENTRIES] = {"violations and windows limit", "policy_limit"},
};

const char *dt_warning_code(const char *code, const char *message)
{
    for (size_t i = 0; code && i < N_WARNING_CODES; i++)
        if (!strcmp(code, warning_codes[i].code))
            return warning_codes[i].code;
    for (size_t i = 0; message && i < N_WARNING_CODES; i++)
        if (strstr(message, warning_codes[i].text))
            return warning_codes[i].code;
    return "other";
}

static void warning_write(dt_fw *f, const dt_warning *w)
{
    dt_fw_obj_begin(f);
    DT_FW_KEY(f, "code");
    dt_fw_str(f, w->code);
    DT_FW_KEY(f, "message");
    dt_fw_str(f, w->message);
    DT_FW_KEY(f, "count");
    if (w->has_count)
        dt_fw_u64(f, w->count);
    else
        dt_fw_null(f);
    dt_fw_obj_end(f);
}

#define OUTDATED_LEN 256
/* A geo database built more than a year ago: address ranges move between
 * holders and countries, so its answers get worse with age. */
static void geo_outdated(void *ctx, const dt_geo_rec *g)
{
    char *buf = ctx; /* OUTDATED_LEN bytes */
    size_t len = OUTDATED_LEN;
    const char *path = g->v[0], *built = g->v[4];
    uint64_t ns;
    int digits = 0;
    double now = (double)time(NULL); /* wall-clock: how old the data is today */
    if (buf[0] || !built || dt_parse_time(built, &ns, &digits) != 0 || now <= (double)ns / 1e9)
        return;
    double days = (now - (double)ns / 1e9) / 86400;
    if (days > 365)
        snprintf(buf, len,
                 "geo database %s was built %.10s, more than a year ago (%.0f days): run "
                 "scripts/setup with newer data for current countries and networks",
                 path ? path : "?", built, days);
}

/* A computed warning: code by index into warning_codes, message in buf. */
static dt_warning computed(int code, const char *message, int has_count, uint64_t count)
{
    return (dt_warning){warning_codes[code].code, message, has_count, count};
}

/* The report's warnings, in this order: those of merged reports (except the ones
 * made again from the totals below), the geo data's, the limits reached, packets
 * of link types not decoded, an old geo database, a missing OUI registry.  bufs:
 * room for the texts made here; v has room for n_warnings + 7.  Returns the count. */
static size_t warnings_of(const dt_report *r, dt_warning *v, char bufs[5][256])
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_warnings; i++)
        if (r->warnings[i].code != warning_codes[W_UNSUPPORTED].code &&
            r->warnings[i].code != warning_codes[W_OUTDATED].code &&
            r->warnings[i].code != warning_codes[W_ENTRIES].code)
            v[n++] = r->warnings[i];
    if (r->opts.geo_warning && r->opts.geo_warning[0])
        v[n++] =
            (dt_warning){dt_warning_code(NULL, r->opts.geo_warning), r->opts.geo_warning, 0, 0};
    uint64_t dropped = dt_rollup_dropped(r->ru);
    if (dropped) {
        snprintf(bufs[0], sizeof bufs[0],
                 "rollup memory limit (%u MiB) reached: %llu entries (endpoints, names, domains, "
                 "...) are missing from the lists; the totals are exact",
                 DT_ROLLUP_MAX_BYTES >> 20, (unsigned long long)dropped);
        v[n++] = computed(W_ROLLUP, bufs[0], 1, dropped);
    }
    _Static_assert(DT_POLICY_MAX_ENTRIES == DT_WINDOW_MAX_ENTRIES, "one limit in the warning");
    uint64_t entries = dt_policy_dropped(r->pol) + dt_window_dropped(r->win);
    if (entries) { /* --policy, --window: made again from the flows by a merge */
        snprintf(bufs[4], sizeof bufs[4],
                 "violations and windows limit (%u entries each) reached: %llu violations or "
                 "(window, recipient) sums are missing from \"violations\" or \"windows\"",
                 (unsigned)DT_POLICY_MAX_ENTRIES, (unsigned long long)entries);
        v[n++] = computed(W_ENTRIES, bufs[4], 1, entries);
    }
    if (r->dns_dropped) {
        snprintf(bufs[1], sizeof bufs[1],
                 "DNS table memory limit (%u MiB) reached: %llu names or answers are missing from "
                 "\"dns\"",
                 DNS_TABLE_MAX_BYTES >> 20, (unsigned long long)r->dns_dropped);
        v[n++] = computed(W_DNS, bufs[1], 1, r->dns_dropped);
    }
    const dt_counts *ul = dt_summary_counts(&r->sum, DT_SUMF_unsupported_link_types);
    if (ul && ul->n) { /* packets that are in no flow and no count but this */
        uint64_t total = 0;
        for (int i = 0; i < ul->n; i++)
            total += ul->v[i].n;
        int k = snprintf(bufs[2], sizeof bufs[2], "%llu" UNSUPPORTED_WARNING ":",
                         (unsigned long long)total);
        for (int i = 0; i < ul->n && k > 0 && (size_t)k < sizeof bufs[2]; i++)
            k += snprintf(bufs[2] + k, sizeof bufs[2] - (size_t)k, "%s %s (%llu)", i ? "," : "",
                          ul->v[i].name, (unsigned long long)ul->v[i].n);
        v[n++] = computed(W_UNSUPPORTED, bufs[2], 1, total);
    }
    bufs[3][0] = '\0';
    _Static_assert(sizeof bufs[3] == OUTDATED_LEN, "geo_outdated writes OUTDATED_LEN bytes");
    dt_report_each_geo(r, geo_outdated, bufs[3]);
    if (bufs[3][0])
        v[n++] = computed(W_OUTDATED, bufs[3], 0, 0);
    int seen = 0;
    for (size_t i = 0; i < r->n_warnings; i++)
        seen |= !strcmp(r->warnings[i].message, oui_warning);
    /* the registry is indexed only when some device has a MAC to look up */
    if (!seen && dt_rollup_each(r->ru, DT_RU_DEVICES, 0, has_mac, NULL) == 1 && !dt_oui_source())
        v[n++] = computed(W_OUI, oui_warning, 0, 0);
    return n;
}

/* The options that shape the report (not -j: the output is the same for any). */
static void options_write(const dt_report *r, dt_fw *f)
{
    const dt_engine_config *cfg = r->opts.echo;
    char buf[64], ip[DT_ADDR_STRLEN];
    dt_fw_obj_begin(f);
    DT_FW_KEY(f, "local");
    dt_fw_arr_begin(f);
    for (int i = 0; i < cfg->n_local; i++) {
        snprintf(buf, sizeof buf, "%s/%d", dt_addr_str(&cfg->local[i].net, ip, sizeof ip),
                 cfg->local[i].bits);
        dt_fw_str(f, buf);
    }
    dt_fw_arr_end(f);
    DT_FW_KEY(f, "local_only");
    dt_fw_bool(f, cfg->local_only);
    DT_FW_KEY(f, "device");
    dt_fw_str_or_null(f, r->opts.device);
    DT_FW_KEY(f, "idle_timeout_s");
    dt_fw_num(f, (double)cfg->flows.idle_timeout_ns / 1e9);
    DT_FW_KEY(f, "max_flows");
    dt_fw_u64(f, cfg->flows.max_flows);
    DT_FW_KEY(f, "stream_cap");
    dt_fw_u64(f, cfg->flows.stream_cap);
    DT_FW_KEY(f, "geo");
    dt_fw_bool(f, r->opts.echo_geo);
    DT_FW_KEY(f, "flows");
    dt_fw_bool(f, !r->opts.no_flows);
    dt_fw_obj_end(f);
}

static int summary_write(const dt_report *r, dt_fw *f)
{
    char buf[64];
    dt_fw_obj_begin(f);
    DT_FW_KEY(f, "first_seen");
    if (r->have_time)
        dt_fw_str(f, dt_format_time(r->first_ns, r->ts_digits, buf, sizeof buf));
    else
        dt_fw_null(f);
    DT_FW_KEY(f, "last_seen");
    if (r->have_time)
        dt_fw_str(f, dt_format_time(r->last_ns, r->ts_digits, buf, sizeof buf));
    else
        dt_fw_null(f);
    DT_FW_KEY(f, "duration_s");
    dt_fw_num(f, r->have_time ? (double)(r->last_ns - r->first_ns) / 1e9 : 0);
    dt_summary_write(&r->sum, f);
    DT_FW_KEY(f, "dns_names");
    dt_fw_u64(f, r->dns_n);
    DT_FW_KEY(f, "dns_table_dropped");
    dt_fw_u64(f, r->dns_dropped);
    DT_FW_KEY(f, "transfers");
    dt_rollup_write_transfers(r->ru, f);
    int rc = dt_rollup_write_summary(r->ru, f);
    dt_fw_obj_end(f);
    return rc;
}

void dt_report_json_head(dt_fw *f)
{
    dt_fw_obj_begin(f);
    DT_FW_KEY(f, "datatrail");
    dt_fw_obj_begin(f);
    DT_FW_KEY(f, "version");
    dt_fw_str(f, DT_VERSION);
    DT_FW_KEY(f, "schema");
    dt_fw_u64(f, DT_REPORT_SCHEMA);
    dt_fw_obj_end(f);
}

int dt_report_json_tail(dt_fw *f)
{
    dt_fw_obj_end(f);
    dt_fw_raw(f, "\n", 1);
    int rc = dt_fw_flush(f);
    dt_fw_free(f);
    return rc ? -1 : 0;
}

/* The members of a JSON report known before any flow: the producer and the options. */
static void json_open(dt_report *r, dt_fw *f)
{
    dt_fw_init(f, r->out);
    dt_report_json_head(f);
    DT_FW_KEY(f, "options");
    if (r->opts.echo) {
        options_write(r, f);
    } else if (r->merged_options) {
        dt_fw_raw_value(f, r->merged_options, strlen(r->merged_options));
    } else {
        dt_fw_obj_begin(f);
        dt_fw_obj_end(f);
    }
}

/* The JSON report: its first members, the flows (one compact object per line:
 * written already by a streamed report, else from the spool), then what is
 * known only at the end.  Tables are written row by row, so no text of all of
 * them is ever in memory. */
int dt_report_write_json(dt_report *r, const dt_warning *warn, size_t n_warn)
{
    int rc = 0;
    dt_fw own, *f = &own;
    uint64_t n = r->array_lines; /* elements of the flows array */
    int flows = r->streamed || (!r->opts.no_flows && r->spooled);
    if (r->streamed) { /* the array is open and its elements are written */
        stream_open(r);
        f = &r->jf;
    } else {
        json_open(r, f);
        if (flows) {
            dt_fw_text(f, flows_open, sizeof flows_open - 1);
            rc |= dt_fw_flush(f);
            if (r->array) {
                rc |= dt_spool_copy_to(&r->flows_spool, r->out);
            } else { /* a part written as a report of its own (--per-file) */
                flow_array a = {r->out, 0};
                rc |= dt_spool_each_line(&r->flows_spool, flow_array_line, &a);
                n = a.n;
            }
        }
    }
    if (flows) {
        const char *close = n ? "\n\t]" : "]";
        dt_fw_raw(f, close, strlen(close));
    }
    DT_FW_KEY(f, "inputs");
    dt_fw_arr_begin(f);
    for (size_t i = 0; i < r->n_inputs; i++)
        dt_input_rec_write(&r->inputs[i], f);
    dt_fw_arr_end(f);
    DT_FW_KEY(f, "warnings");
    dt_fw_arr_begin(f);
    for (size_t i = 0; i < n_warn; i++)
        warning_write(f, &warn[i]);
    dt_fw_arr_end(f);
    DT_FW_KEY(f, "geo_databases");
    geo_databases_write(r, f);
    DT_FW_KEY(f, "vendor");
    dt_fw_obj_begin(f);
    int inferred = 0;
    const char *vendor = dt_rollup_vendor(r->ru, &inferred);
    DT_FW_KEY(f, "name");
    dt_fw_str_or_null(f, vendor);
    DT_FW_KEY(f, "inferred");
    dt_fw_bool(f, inferred);
    dt_fw_obj_end(f);
    if (r->pol) { /* --policy */
        DT_FW_KEY(f, "violations");
        rc |= dt_policy_write_json(r->pol, f);
    }
    if (r->win) { /* --window */
        DT_FW_KEY(f, "windows");
        rc |= dt_window_write_json(r->win, f);
    }
    if (dt_personal_any(r->pd)) { /* only when a flow had findings */
        DT_FW_KEY(f, "personal_data");
        rc |= dt_personal_write_json(r->pd, f);
    }
    DT_FW_KEY(f, "summary");
    rc |= summary_write(r, f);
    static const dt_ru_table tables[] = {DT_RU_DEVICES,   DT_RU_COUNTRIES, DT_RU_ORGS,
                                         DT_RU_COMPANIES, DT_RU_HOSTING,   DT_RU_DOMAINS,
                                         DT_RU_ENDPOINTS};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        dt_fw_key(f, dt_rollup_table_name(tables[i]));
        rc |= dt_rollup_write_table(r->ru, tables[i], f);
        if (tables[i] == DT_RU_DEVICES && dt_rollup_rows(r->ru, DT_RU_PROCESSES)) {
            /* only from captures that name processes (PKTAP, PCAPdroid) */
            dt_fw_key(f, dt_rollup_table_name(DT_RU_PROCESSES));
            rc |= dt_rollup_write_table(r->ru, DT_RU_PROCESSES, f);
        }
    }
    DT_FW_KEY(f, "dns");
    rc |= dns_table_write(r, f);
    return dt_report_json_tail(f) | rc ? -1 : 0;
}

/* --per-table DIR: every table as DIR/NAME.csv, each written through NAME.csv.tmp
 * (processes only when the capture named processes, as in the JSON). */
static int per_table_write(dt_report *r)
{
    int rc = 0;
    for (size_t i = 0; dt_render_csv_table_name(i); i++) {
        char path[4096], tmp[4200];
        if (!strcmp(dt_render_csv_table_name(i), dt_rollup_table_name(DT_RU_PROCESSES)) &&
            !dt_rollup_rows(r->ru, DT_RU_PROCESSES))
            continue;
        if (snprintf(path, sizeof path, "%s/%s.csv", r->opts.per_table_dir,
                     dt_render_csv_table_name(i)) >= (int)sizeof path)
            return -1;
        snprintf(tmp, sizeof tmp, "%s.tmp", path);
        FILE *f = fopen(tmp, "w");
        int ok = f && dt_render_csv_table(r->ru, dt_render_csv_table_name(i), f) == 0;
        if (f && fclose(f) != 0)
            ok = 0;
        if (!ok || rename(tmp, path) != 0) {
            remove(tmp);
            rc = -1;
        }
    }
    return rc;
}

int dt_report_finish(dt_report *r)
{
    if (r->opts.mode == DT_OUT_FLOWS)
        return (fflush(r->out) != 0 || ferror(r->out) || r->write_error) ? -1 : 0;
    int rc;
    char bufs[5][256];
    dt_warning *warn = malloc((r->n_warnings + 7) * sizeof *warn);
    size_t n_warn = warn ? warnings_of(r, warn, bufs) : 0;
    if (!warn) {
        rc = -1;
    } else {
        rc = -1;
        for (size_t i = 0; i < dt_n_formats; i++)
            if (dt_formats[i].id == r->opts.format && (dt_formats[i].modes & DT_FOR_REPORT))
                rc = dt_formats[i].write(r, warn, n_warn);
    }
    free(warn);
    if (rc == 0 && r->opts.per_table_dir)
        rc = per_table_write(r);
    if (rc != 0)
        r->write_error = 1;
    return (fflush(r->out) != 0 || ferror(r->out) || r->write_error) ? -1 : 0;
}

int dt_report_write_to(dt_report *r, FILE *out)
{
    dt_report_opts saved = r->opts;
    FILE *saved_out = r->out;
    int was_part = r->is_part;
    r->opts.mode = DT_OUT_REPORT;
    r->opts.format = DT_FMT_JSON;
    r->out = out;
    r->is_part = 0;
    int rc = dt_report_finish(r);
    r->opts = saved;
    r->out = saved_out;
    r->is_part = was_part;
    return rc;
}

/* ---- reading the model back ---- */

size_t dt_report_violations(const dt_report *r)
{
    size_t n = 0;
    int oom = 0;
    dt_policy_violations_free(dt_policy_violations(r->pol, &n, &oom));
    return n;
}

size_t dt_report_input_count(const dt_report *r)
{
    return r->n_inputs;
}

int dt_report_summary_u64(const dt_report *r, const char *key, uint64_t *value)
{
    for (int field = 0; field < DT_SUMF_COUNT; field++) {
        if (strcmp(dt_summary_key(field), key) != 0)
            continue;
        if (dt_summary_rule(field) == DT_SUM_UNION)
            return -1; /* an object of counts, not a number */
        *value = dt_summary_u64(&r->sum, field);
        return 0;
    }
    return -1;
}
