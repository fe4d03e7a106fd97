#include "report/report.h"

#include "proto/apps.h"
#include "capture/capture.h"
#include "report/flowjson.h"
#include "report/model.h"
#include "report/render.h"
#include "report/rollup.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Report-level DNS table: one entry per (name, type) of all responses. */
typedef struct dns_entry {
    char *name;
    char type[16];
    uint64_t count;
    char (*answers)[DT_ADDR_STRLEN]; /* distinct, in order first seen */
    int n_answers, cap_answers;
    struct dns_entry *next;
} dns_entry;

#define DNS_BUCKETS 4096
#define DNS_TABLE_MAX_ANSWERS 1024 /* distinct addresses kept per name (CDNs rotate) */
/* Memory of the DNS table: names and answers beyond it are counted in
 * summary.dns_table_dropped, not kept (random-subdomain floods). */
#define DNS_TABLE_MAX_BYTES (16u << 20)

struct dt_report {
    dt_report_opts opts;
    FILE *out;
    FILE *flows_tmp; /* flow lines until the end (report mode, parts) */
    int is_part;
    cJSON *inputs;
    dt_summary sum; /* the inputs' counters, combined (report/summary.def) */
    uint64_t first_ns, last_ns;
    int ts_digits, have_time;
    uint64_t flows_written;
    dns_entry *dns[DNS_BUCKETS];
    uint64_t dns_n;
    size_t dns_bytes;                    /* against DNS_TABLE_MAX_BYTES */
    uint64_t dns_dropped;                /* names and answers not kept */
    cJSON *merged_warnings, *merged_geo; /* from merged reports */
    cJSON *merged_options;               /* the first merged report's options */
    int write_error;
    dt_jw flow_text; /* the current flow line, reused (performance: no tree per flow) */
    int lines;       /* flow lines are written (not for a text report, nor with --no-flows) */
    /* Rollups of every flow so far, added as flows end (from the struct: no
     * parse), merged from parts, or read from merged reports. */
    dt_rollup *ru;
};

static dt_report *report_alloc(const dt_report_opts *opts, FILE *out, int part)
{
    dt_report *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->opts = *opts;
    r->out = out;
    r->is_part = part;
    r->inputs = cJSON_CreateArray();
    r->merged_warnings = cJSON_CreateArray();
    r->merged_geo = cJSON_CreateArray();
    r->lines =
        opts->mode == DT_OUT_FLOWS || (!opts->no_flows && (part || opts->format == DT_FMT_JSON));
    int reports = part || opts->mode == DT_OUT_REPORT; /* a report is written from it */
    int tmp = r->lines && reports;
    if (tmp)
        r->flows_tmp = tmpfile();
    r->ru = reports ? dt_rollup_new() : NULL;
    if (!r->inputs || (tmp && !r->flows_tmp) || (reports && !r->ru)) {
        dt_report_free(r);
        return NULL;
    }
    return r;
}

dt_report *dt_report_new(const dt_report_opts *opts, FILE *out)
{
    return report_alloc(opts, out, 0);
}

dt_report *dt_report_new_part(const dt_report *parent, dt_enricher *enricher)
{
    dt_report_opts o = parent->opts;
    if (enricher)
        o.enricher = enricher;
    return report_alloc(&o, NULL, 1);
}

void dt_report_free(dt_report *r)
{
    if (!r)
        return;
    if (r->flows_tmp)
        fclose(r->flows_tmp);
    dt_jw_free(&r->flow_text);
    dt_rollup_free(r->ru);
    cJSON_Delete(r->inputs);
    dt_summary_free(&r->sum);
    cJSON_Delete(r->merged_warnings);
    cJSON_Delete(r->merged_geo);
    cJSON_Delete(r->merged_options);
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

static uint32_t name_hash(const char *s, const char *type)
{
    uint32_t h = 2166136261u;
    for (; *type; type++)
        h = (h ^ (unsigned char)*type) * 16777619u;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c + 32);
        h = (h ^ c) * 16777619u;
    }
    return h;
}

static dns_entry *dns_entry_get(dt_report *r, const char *name, const char *type)
{
    uint32_t b = name_hash(name, type) % DNS_BUCKETS;
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
    snprintf(e->type, sizeof e->type, "%s", type);
    e->next = r->dns[b];
    r->dns[b] = e;
    r->dns_n++;
    r->dns_bytes += cost;
    return e;
}

static void dns_entry_answer(dt_report *r, dns_entry *e, const char *addr)
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
    snprintf(e->answers[e->n_answers++], DT_ADDR_STRLEN, "%s", addr);
}

void dt_report_dns(void *ctx, const dt_flow_dns *d)
{
    dt_report *r = ctx;
    char tbuf[16];
    if (!d->response || d->n_answers == 0)
        return;
    dns_entry *e =
        dns_entry_get(r, dt_flow_dns_name(d), dt_dns_type_name(d->type, tbuf, sizeof tbuf));
    if (!e)
        return;
    e->count++;
    for (int i = 0; i < d->n_answers; i++)
        dns_entry_answer(r, e, dt_flow_dns_answer(d, i));
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

static cJSON *dns_entry_json(const dns_entry *e)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", e->name);
    cJSON_AddStringToObject(o, "type", e->type);
    cJSON *ans = cJSON_CreateArray();
    for (int j = 0; j < e->n_answers; j++)
        cJSON_AddItemToArray(ans, cJSON_CreateString(e->answers[j]));
    cJSON_AddItemToObject(o, "answers", ans);
    dt_json_add_u64(o, "count", e->count);
    return o;
}

/* Calls fn with each object of "dns", sorted (deleted after fn returns). */
static int dns_table_each(const dt_report *r, int (*fn)(void *ctx, const cJSON *o), void *ctx)
{
    dns_entry **all = dns_sorted(r);
    if (!all)
        return -1;
    int rc = 0;
    for (uint64_t i = 0; i < r->dns_n && rc == 0; i++) {
        cJSON *o = dns_entry_json(all[i]);
        rc = o ? fn(ctx, o) : -1;
        cJSON_Delete(o);
    }
    free(all);
    return rc;
}

static cJSON *dns_table_json(const dt_report *r)
{
    cJSON *a = cJSON_CreateArray();
    dns_entry **all = dns_sorted(r);
    for (uint64_t i = 0; all && i < r->dns_n; i++)
        cJSON_AddItemToArray(a, dns_entry_json(all[i]));
    free(all);
    return a;
}

/* ---- summary counters ---- */

static void note_time(dt_report *r, uint64_t first, uint64_t last, int digits)
{
    if (!r->have_time || first < r->first_ns)
        r->first_ns = first;
    if (!r->have_time || last > r->last_ns)
        r->last_ns = last;
    if (digits > r->ts_digits)
        r->ts_digits = digits;
    r->have_time = 1;
}

/* The summary counters of s as members of o, in table order; a field no
 * input gave has the value of an empty input. */
static void summary_counters_json(cJSON *o, const dt_summary *s)
{
    dt_input_info none;
    memset(&none, 0, sizeof none);
    dt_summary def;
    dt_summary_from_input(&def, &none);
#define SEEN(key) (s->seen & (UINT64_C(1) << DT_SUMF_##key))
#define DT_SUM_U64(key, rule, expr) dt_json_add_u64(o, #key, SEEN(key) ? s->key : def.key);
#define DT_SUM_COUNTS(key, ...)                                                                    \
    {                                                                                              \
        const dt_counts *c = SEEN(key) ? &s->key : &def.key;                                       \
        cJSON *t = cJSON_AddObjectToObject(o, #key);                                               \
        for (int i = 0; i < c->n; i++)                                                             \
            dt_json_add_u64(t, c->v[i].name, c->v[i].n);                                           \
    }
#include "report/summary.def"
#undef SEEN
    dt_summary_free(&def);
}

/* The counters of a report's summary (merge): numbers and objects of
 * numbers, by the table. */
static uint64_t json_count(const cJSON *v)
{
    if (!cJSON_IsNumber(v) || !(v->valuedouble > 0))
        return 0;
    return v->valuedouble < 1.8e19 ? (uint64_t)v->valuedouble : UINT64_MAX;
}

static int summary_read_json(dt_summary *s, const cJSON *o)
{
    int oom = 0;
    const cJSON *v, *it;
    memset(s, 0, sizeof *s);
#define DT_SUM_U64(key, rule, expr)                                                                \
    v = cJSON_GetObjectItemCaseSensitive(o, #key);                                                 \
    if (cJSON_IsNumber(v)) {                                                                       \
        s->key = json_count(v);                                                                    \
        s->seen |= UINT64_C(1) << DT_SUMF_##key;                                                   \
    }
#define DT_SUM_COUNTS(key, ...)                                                                    \
    v = cJSON_GetObjectItemCaseSensitive(o, #key);                                                 \
    if (cJSON_IsObject(v)) {                                                                       \
        cJSON_ArrayForEach(it, v) if (cJSON_IsNumber(it) && it->string) oom |=                     \
            dt_counts_add(&s->key, it->string, json_count(it));                                    \
        s->seen |= UINT64_C(1) << DT_SUMF_##key;                                                   \
    }
#include "report/summary.def"
    return oom ? -1 : 0;
}

/* ---- flows ---- */

static void write_flow_line(dt_report *r, FILE *dst, const char *line, size_t len)
{
    if (!r->is_part && r->opts.mode == DT_OUT_FLOWS && r->opts.format == DT_FMT_CSV) {
        cJSON *o = cJSON_Parse(line);
        if (!o || dt_render_csv_flows(o, dst, r->flows_written == 0) != 0)
            r->write_error = 1;
        cJSON_Delete(o);
    } else if (fwrite(line, 1, len, dst) != len || putc('\n', dst) == EOF) {
        r->write_error = 1;
    }
    r->flows_written++;
}

static FILE *flow_dest(dt_report *r)
{
    return r->is_part || r->opts.mode == DT_OUT_REPORT ? r->flows_tmp : r->out;
}

void dt_report_flow(void *ctx, const dt_input_info *in, const dt_flow *f)
{
    dt_report *r = ctx;
    const dt_endpoint_info *ep = NULL;
    if (r->opts.enricher) {
        const dt_flow_app *x = f->app;
        const char *cert_o =
            x && x->tls_s && x->tls_s->cert.present ? x->tls_s->cert.subject_o : NULL;
        ep = dt_enrich_endpoint(r->opts.enricher, &f->side[DT_SERVER].ip, x ? x->name : NULL,
                                cert_o);
    }
    if (r->ru) {
        char ips[2][DT_ADDR_STRLEN];
        dt_rollup_flow rf;
        dt_flow_rollup_fields(f, ep, ips, &rf);
        dt_rollup_add(r->ru, &rf);
    }
    if (!r->lines)
        return;
    dt_jw_reset(&r->flow_text);
    if (dt_flow_json_write(&r->flow_text, in, f, ep, r->opts.debug_streams) == 0)
        write_flow_line(r, flow_dest(r), r->flow_text.buf, r->flow_text.len);
    else
        r->write_error = 1;
}

void dt_report_input(dt_report *r, const dt_input_info *in)
{
    char buf[64];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "path", in->path);
    dt_json_add_str_or_null(o, "format", in->format);
    cJSON *lt = cJSON_CreateArray();
    for (int i = 0; i < in->n_links; i++)
        cJSON_AddItemToArray(
            lt, cJSON_CreateString(dt_linktype_name(in->links[i].linktype, buf, sizeof buf)));
    cJSON_AddItemToObject(o, "link_types", lt);
    dt_json_add_u64(o, "packets", in->packets);
    dt_json_add_u64(o, "bytes", in->bytes);
    if (in->packets) {
        dt_json_add_time(o, "first_seen", in->first_ns, in->ts_digits);
        dt_json_add_time(o, "last_seen", in->last_ns, in->ts_digits);
        note_time(r, in->first_ns, in->last_ns, in->ts_digits);
    } else {
        cJSON_AddNullToObject(o, "first_seen");
        cJSON_AddNullToObject(o, "last_seen");
    }
    dt_json_add_u64(o, "flows", in->flows);
    cJSON *errs = cJSON_CreateArray();
    for (int i = 0; i < in->n_errors; i++) {
        cJSON *e = cJSON_CreateObject();
        dt_json_add_u64(e, "packet", in->errors[i].packet);
        dt_json_add_u64(e, "offset", in->errors[i].offset);
        cJSON_AddStringToObject(e, "message", in->errors[i].message);
        cJSON_AddItemToArray(errs, e);
    }
    cJSON_AddItemToObject(o, "errors", errs);
    cJSON_AddItemToArray(r->inputs, o);
    dt_summary one;
    if (dt_summary_from_input(&one, in) != 0 || dt_summary_combine(&r->sum, &one) != 0)
        r->write_error = 1;
    dt_summary_free(&one);
}

/* Copies the flow lines of src (from its start) to r's flow destination. */
static int copy_flow_lines(dt_report *r, FILE *src, uint64_t n_lines)
{
    if (!src || !r->lines)
        return 0;
    rewind(src);
    FILE *dst = flow_dest(r);
    if (r->is_part || r->opts.mode != DT_OUT_FLOWS || r->opts.format != DT_FMT_CSV) {
        /* The lines go out unchanged: copy in blocks (performance) */
        char buf[65536];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, src)) > 0)
            if (fwrite(buf, 1, n, dst) != n)
                r->write_error = 1;
        r->flows_written += n_lines;
        return ferror(src) ? -1 : 0;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, src)) > 0) {
        size_t n = (size_t)len;
        if (line[n - 1] == '\n')
            line[--n] = '\0';
        write_flow_line(r, dst, line, n);
    }
    free(line);
    return ferror(src) ? -1 : 0;
}

int dt_report_absorb(dt_report *r, dt_report *part)
{
    if (copy_flow_lines(r, part->flows_tmp, part->flows_written) != 0)
        r->write_error = 1;
    if (r->ru && dt_rollup_merge(r->ru, part->ru) != 0)
        r->write_error = 1;
    cJSON *it;
    while ((it = cJSON_DetachItemFromArray(part->inputs, 0)) != NULL)
        cJSON_AddItemToArray(r->inputs, it);
    if (dt_summary_combine(&r->sum, &part->sum) != 0)
        r->write_error = 1;
    r->dns_dropped += part->dns_dropped;
    if (part->have_time)
        note_time(r, part->first_ns, part->last_ns, part->ts_digits);
    for (int i = 0; i < DNS_BUCKETS; i++)
        for (dns_entry *e = part->dns[i]; e; e = e->next) {
            dns_entry *d = dns_entry_get(r, e->name, e->type);
            if (!d)
                continue;
            d->count += e->count;
            for (int j = 0; j < e->n_answers; j++)
                dns_entry_answer(r, d, e->answers[j]);
        }
    return r->write_error ? -1 : 0;
}

/* Appends to dst the items of src it does not hold yet. */
static void append_distinct(cJSON *dst, const cJSON *src)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, src)
    {
        int seen = 0;
        const cJSON *d;
        cJSON_ArrayForEach(d, dst) seen |= cJSON_Compare(d, it, 1);
        if (!seen)
            cJSON_AddItemToArray(dst, cJSON_Duplicate(it, 1));
    }
}

int dt_report_add_json(dt_report *r, const cJSON *rep, char *err, size_t errlen)
{
    const cJSON *flows = cJSON_GetObjectItemCaseSensitive(rep, "flows");
    const cJSON *inputs = cJSON_GetObjectItemCaseSensitive(rep, "inputs");
    const cJSON *summary = cJSON_GetObjectItemCaseSensitive(rep, "summary");
    if (!cJSON_IsArray(inputs) || !cJSON_IsObject(summary)) {
        snprintf(err, errlen, "not a datatrail report (no inputs/summary)");
        return -1;
    }
    if (!cJSON_IsArray(flows)) {
        snprintf(err, errlen, "the report has no flows (made with --no-flows): cannot merge it");
        return -1;
    }
    const cJSON *it;
    cJSON_ArrayForEach(it, inputs) cJSON_AddItemToArray(r->inputs, cJSON_Duplicate(it, 1));
    const cJSON *opts = cJSON_GetObjectItemCaseSensitive(rep, "options");
    if (!r->merged_options && cJSON_IsObject(opts))
        r->merged_options = cJSON_Duplicate(opts, 1);
    /* warnings and geo databases: each distinct one once */
    append_distinct(r->merged_warnings, cJSON_GetObjectItemCaseSensitive(rep, "warnings"));
    append_distinct(r->merged_geo, cJSON_GetObjectItemCaseSensitive(rep, "geo_databases"));
    dt_summary counts;
    if (summary_read_json(&counts, summary) != 0 || dt_summary_combine(&r->sum, &counts) != 0)
        r->write_error = 1;
    dt_summary_free(&counts);
    uint64_t a, b;
    int digits = 0, d2 = 0;
    const cJSON *fs = cJSON_GetObjectItemCaseSensitive(summary, "first_seen");
    const cJSON *ls = cJSON_GetObjectItemCaseSensitive(summary, "last_seen");
    if (cJSON_IsString(fs) && cJSON_IsString(ls) &&
        dt_parse_time(fs->valuestring, &a, &digits) == 0 &&
        dt_parse_time(ls->valuestring, &b, &d2) == 0)
        note_time(r, a, b, digits > d2 ? digits : d2);
    const cJSON *dropped = cJSON_GetObjectItemCaseSensitive(summary, "dns_table_dropped");
    if (cJSON_IsNumber(dropped) && dropped->valuedouble > 0 && dropped->valuedouble < 1e18)
        r->dns_dropped += (uint64_t)dropped->valuedouble;
    const cJSON *dns = cJSON_GetObjectItemCaseSensitive(rep, "dns");
    cJSON_ArrayForEach(it, dns)
    {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(it, "name");
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(it, "type");
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(it, "count");
        if (!cJSON_IsString(n) || !cJSON_IsString(t))
            continue;
        dns_entry *e = dns_entry_get(r, n->valuestring, t->valuestring);
        if (!e)
            continue;
        e->count += cJSON_IsNumber(c) ? (uint64_t)c->valuedouble : 0;
        const cJSON *ans;
        cJSON_ArrayForEach(ans, cJSON_GetObjectItemCaseSensitive(it, "answers"))
        {
            if (cJSON_IsString(ans))
                dns_entry_answer(r, e, ans->valuestring);
        }
    }
    FILE *dst = flow_dest(r);
    cJSON_ArrayForEach(it, flows)
    {
        dt_rollup_add_flow(r->ru, it);
        if (!r->lines)
            continue;
        char *s = cJSON_PrintUnformatted(it);
        if (!s) {
            r->write_error = 1;
            continue;
        }
        write_flow_line(r, dst, s, strlen(s));
        free(s);
    }
    return 0;
}

/* ---- the final report ---- */

static cJSON *geo_databases_json(const dt_report *r)
{
    cJSON *a = cJSON_Duplicate(r->merged_geo, 1);
    if (!r->opts.enricher)
        return a;
    const dt_geo *g = dt_enricher_geo(r->opts.enricher);
    for (int i = 0; i < dt_geo_db_count(g); i++) {
        cJSON *o = cJSON_CreateObject();
        dt_json_add_str_or_null(o, "path", dt_geo_db_path(g, i));
        dt_json_add_str_or_null(o, "kind", dt_geo_db_kind(g, i));
        dt_json_add_str_or_null(o, "type", dt_geo_db_type(g, i));
        dt_json_add_str_or_null(o, "schema", dt_geo_db_schema(g, i));
        dt_json_add_str_or_null(o, "build_date", dt_geo_db_build_date(g, i));
        dt_json_add_str_or_null(o, "attribution", dt_geo_db_attribution(g, i));
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

static cJSON *summary_json(const dt_report *r, cJSON *transfers)
{
    cJSON *s = cJSON_CreateObject();
    if (r->have_time) {
        dt_json_add_time(s, "first_seen", r->first_ns, r->ts_digits);
        dt_json_add_time(s, "last_seen", r->last_ns, r->ts_digits);
        cJSON_AddNumberToObject(s, "duration_s", (double)(r->last_ns - r->first_ns) / 1e9);
    } else {
        cJSON_AddNullToObject(s, "first_seen");
        cJSON_AddNullToObject(s, "last_seen");
        cJSON_AddNumberToObject(s, "duration_s", 0);
    }
    summary_counters_json(s, &r->sum);
    dt_json_add_u64(s, "dns_names", r->dns_n);
    dt_json_add_u64(s, "dns_table_dropped", r->dns_dropped);
    cJSON_AddItemToObject(s, "transfers", transfers);
    return s;
}

/* Writes array elements of the formatted report one at a time. */
typedef struct element_sink {
    dt_report *r;
    uint64_t n;
} element_sink;

static int write_element(void *ctx, const cJSON *o)
{
    element_sink *k = ctx;
    dt_jw *w = &k->r->flow_text;
    dt_jw_reset(w);
    dt_jw_tree_at(w, o, 1, 2); /* inside the report and its array */
    if (w->oom || !w->buf)
        return -1;
    if (k->n++)
        fputs(", ", k->r->out);
    fwrite(w->buf, 1, w->len, k->r->out);
    return 0;
}

int dt_report_finish(dt_report *r)
{
    if (r->opts.mode == DT_OUT_FLOWS)
        return (fflush(r->out) != 0 || ferror(r->out) || r->write_error) ? -1 : 0;

    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    cJSON *transfers = dt_rollup_transfers_json(r->ru);

    cJSON *top = cJSON_CreateObject();
    cJSON *meta = cJSON_AddObjectToObject(top, "datatrail");
    cJSON_AddStringToObject(meta, "version", DT_VERSION);
    cJSON_AddNumberToObject(meta, "schema", 1);
    cJSON_AddItemReferenceToObject(top, "inputs", r->inputs);
    cJSON *warnings = cJSON_Duplicate(r->merged_warnings, 1);
    cJSON_AddItemToObject(top, "warnings", warnings);
    if (r->opts.geo_warning && r->opts.geo_warning[0])
        cJSON_AddItemToArray(warnings, cJSON_CreateString(r->opts.geo_warning));
    if (dt_rollup_dropped(r->ru)) {
        char w[256];
        snprintf(w, sizeof w,
                 "rollup memory limit (%u MiB) reached: %llu entries (endpoints, names, domains, "
                 "...) are missing from the lists; the totals are exact",
                 DT_ROLLUP_MAX_BYTES >> 20, (unsigned long long)dt_rollup_dropped(r->ru));
        cJSON_AddItemToArray(warnings, cJSON_CreateString(w));
    }
    if (r->dns_dropped) {
        char w[200];
        snprintf(w, sizeof w,
                 "DNS table memory limit (%u MiB) reached: %llu names or answers are missing from "
                 "\"dns\"",
                 DNS_TABLE_MAX_BYTES >> 20, (unsigned long long)r->dns_dropped);
        cJSON_AddItemToArray(warnings, cJSON_CreateString(w));
    }
    cJSON_AddItemToObject(top, "geo_databases", geo_databases_json(r));
    if (r->opts.options)
        cJSON_AddItemReferenceToObject(top, "options", r->opts.options);
    else if (r->merged_options)
        cJSON_AddItemReferenceToObject(top, "options", r->merged_options);
    else
        cJSON_AddObjectToObject(top, "options");
    cJSON_AddItemToObject(top, "summary", summary_json(r, transfers));
    /* JSON: endpoints and the DNS table are streamed below, not built here */
    int json = r->opts.format == DT_FMT_JSON;
    dt_rollup_write_sections(r->ru, top, !json);
    if (!json)
        cJSON_AddItemToObject(top, "dns", dns_table_json(r));

    if (r->opts.format == DT_FMT_TEXT) {
        if (dt_render_text(top, r->out, r->opts.width, r->opts.color) != 0)
            r->write_error = 1;
    } else if (r->opts.format == DT_FMT_CSV) {
        if (dt_render_csv_endpoints(top, r->out) != 0)
            r->write_error = 1;
    } else {
        /* cJSON_Print's text (without printf per number: performance) of
         * everything but the parts that grow with the capture: endpoints and
         * the DNS table follow one element at a time, then the flows, so no
         * tree or text of all of them is ever in memory. */
        dt_jw_reset(&r->flow_text);
        dt_jw_tree(&r->flow_text, top, 1);
        const char *s = r->flow_text.buf;
        size_t n = r->flow_text.len;
        if (r->flow_text.oom || n < 2 || strcmp(s + n - 2, "\n}") != 0) {
            r->write_error = 1;
        } else {
            fwrite(s, 1, n - 2, r->out);
            element_sink k = {r, 0};
            fputs(",\n\t\"endpoints\":\t[", r->out);
            if (dt_rollup_each_endpoint(r->ru, write_element, &k) != 0)
                r->write_error = 1;
            fputs("],\n\t\"dns\":\t[", r->out);
            k.n = 0;
            if (dns_table_each(r, write_element, &k) != 0)
                r->write_error = 1;
            fputc(']', r->out);
            /* The flows are the last member, one compact object per line,
             * straight from the temporary file. */
            if (!r->opts.no_flows && r->flows_tmp) {
                fputs(",\n\t\"flows\": [", r->out);
                rewind(r->flows_tmp);
                uint64_t i = 0;
                while ((len = getline(&line, &cap, r->flows_tmp)) > 0) {
                    if (line[len - 1] == '\n')
                        line[--len] = '\0';
                    fputs(i++ ? ",\n\t\t" : "\n\t\t", r->out);
                    fwrite(line, 1, (size_t)len, r->out);
                }
                fputs(i ? "\n\t]" : "]", r->out);
            }
            fputs("\n}\n", r->out);
        }
    }
    free(line);
    cJSON_Delete(top);
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
