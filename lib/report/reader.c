#include "report/reader.h"

#include "report/flowjson.h"
#include "report/render.h"
#include "util/err.h"
#include "report/report_int.h"
#include "util/jsonfile.h"

#include <stdlib.h>
#include <string.h>

/* ---- values (any field may be missing or of the wrong type) ---- */

static const cJSON *jget(const cJSON *o, const char *k)
{
    return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

/* A non-empty string, else NULL. */
static const char *jstr(const cJSON *o, const char *k)
{
    const cJSON *v = jget(o, k);
    return cJSON_IsString(v) && v->valuestring && v->valuestring[0] ? v->valuestring : NULL;
}

/* A count: numbers below 0 (and NaN) read as 0. */
static uint64_t count_of(const cJSON *v)
{
    if (!cJSON_IsNumber(v) || !(v->valuedouble > 0))
        return 0;
    return v->valuedouble < 1.8e19 ? (uint64_t)v->valuedouble : UINT64_MAX / 2;
}

static uint64_t jnum(const cJSON *o, const char *k)
{
    return count_of(jget(o, k));
}

/* A time field; *digits is raised to its precision. */
static int jtime(const cJSON *o, const char *k, uint64_t *ns, int *digits)
{
    int d = 0;
    const char *s = jstr(o, k);
    if (!s || dt_parse_time(s, ns, &d) != 0)
        return 0;
    if (d > *digits)
        *digits = d;
    return 1;
}

/* ---- flows ---- */

int dt_reader_rollup_flow(const cJSON *flow, dt_rollup_flow *f)
{
    const cJSON *cl = jget(flow, "client"), *sv = jget(flow, "server");
    memset(f, 0, sizeof *f);
    if (!cJSON_IsObject(cl) || !cJSON_IsObject(sv))
        return 1;
    f->client_ip = jstr(cl, "ip");
    f->client_port = jnum(cl, "port");
    f->client_local = cJSON_IsTrue(jget(cl, "local"));
    f->client_bytes = jnum(cl, "bytes");
    f->server_ip = jstr(sv, "ip");
    f->server_port = jnum(sv, "port");
    f->server_local = cJSON_IsTrue(jget(sv, "local"));
    f->server_bytes = jnum(sv, "bytes");
    f->client_mac = jstr(cl, "mac");
    f->server_mac = jstr(sv, "mac");
    f->app = jstr(flow, "app");
    f->encrypted = jstr(flow, "encrypted_dns") || cJSON_IsObject(jget(flow, "tls")) ||
                   cJSON_IsObject(jget(flow, "quic"));
    f->name = jstr(sv, "name");
    f->name_source = jstr(sv, "name_source");
    f->tls_sni = jstr(jget(flow, "tls"), "sni");
    f->quic_sni = jstr(jget(flow, "quic"), "sni");
    f->http_host = jstr(jget(flow, "http"), "host");
    f->country = jstr(sv, "country");
    f->registered_country = jstr(sv, "registered_country");
    f->org = jstr(sv, "org");
    const cJSON *rc = jget(sv, "recipient"), *h = jget(sv, "host");
    f->recipient = jstr(rc, "name");
    f->recipient_evidence = jstr(rc, "evidence");
    f->recipient_category = jstr(rc, "category");
    f->recipient_identified = cJSON_IsTrue(jget(rc, "identified"));
    f->host = jstr(h, "name");
    f->host_category = jstr(h, "category");
    f->domain = jstr(sv, "domain");
    f->transfer = jstr(sv, "transfer");
    const cJSON *asn = jget(sv, "asn");
    if (cJSON_IsNumber(asn) && asn->valuedouble > 0 && asn->valuedouble < 4.3e9)
        f->asn = (uint64_t)asn->valuedouble;
    const cJSON *proc = jget(flow, "process"); /* decode (issue 15) */
    static const char *const id_kinds[] = {"pid", "uid"};
    for (int i = 0; i < 2 && cJSON_IsObject(proc); i++) {
        const cJSON *id = jget(proc, id_kinds[i]);
        if (cJSON_IsNumber(id) && id->valuedouble > -2147483649.0 &&
            id->valuedouble < 4294967296.0) {
            f->process_kind = id_kinds[i];
            f->process_id = (int64_t)id->valuedouble;
            f->process_name = jstr(proc, "name");
            break;
        }
    }
    const cJSON *dhcp = jget(flow, "dhcp");
    f->dhcp_mac = jstr(dhcp, "client_mac");
    f->dhcp_host_name = jstr(dhcp, "host_name");
    f->dhcp_vendor_class = jstr(dhcp, "vendor_class");
    const cJSON *fd;
    cJSON_ArrayForEach(fd, jget(flow, "findings")) /* issue 18 */
    {
        const char *kind = jstr(fd, "kind");
        f->findings++;
        if (kind)
            dt_personal_kind_add(f, kind);
    }
    f->findings_dropped = jnum(flow, "findings_dropped");
    f->findings_inflate_bounded = jnum(flow, "findings_inflate_bounded");
    f->have_time = jtime(flow, "first_seen", &f->first_ns, &f->ts_digits);
    if (!f->have_time || !jtime(flow, "last_seen", &f->last_ns, &f->ts_digits))
        f->last_ns = f->first_ns;
    return 0;
}

/* The value of o[k] as CSV text: strings as they are, numbers without
 * exponent when integral, booleans as true/false, null/missing as empty. */
static const char *csv_cell(const cJSON *o, const char *k, char *buf, size_t len)
{
    const cJSON *v = jget(o, k);
    if (cJSON_IsString(v))
        return v->valuestring;
    if (cJSON_IsNumber(v))
        return dt_render_csv_number(v->valuedouble, buf, len);
    if (cJSON_IsBool(v))
        return cJSON_IsTrue(v) ? "true" : "false";
    return NULL;
}

int dt_reader_flow_csv(const char *line, FILE *out, int header)
{
    cJSON *f = cJSON_Parse(line);
    if (!f)
        return -1;
    int rc = 0;
    if (header)
        rc = fputs(DT_CSV_FLOW_COLUMNS "\r\n", out) < 0 ? -1 : 0;
    if (cJSON_IsObject(f)) {
        const cJSON *c = jget(f, "client"), *s = jget(f, "server");
        const struct {
            const cJSON *o;
            const char *k;
        } col[DT_CSV_FLOW_NCOLS] = {{f, "first_seen"},
                                    {f, "last_seen"},
                                    {f, "proto"},
                                    {f, "app"},
                                    {c, "ip"},
                                    {c, "port"},
                                    {c, "local"},
                                    {s, "ip"},
                                    {s, "port"},
                                    {s, "local"},
                                    {s, "name"},
                                    {s, "name_source"},
                                    {jget(f, "tls"), "sni"},
                                    {jget(f, "quic"), "sni"},
                                    {jget(f, "http"), "host"},
                                    {f, "encrypted_dns"},
                                    {s, "country"},
                                    {s, "asn"},
                                    {s, "org"},
                                    {jget(s, "recipient"), "name"},
                                    {jget(s, "recipient"), "evidence"},
                                    {jget(s, "host"), "name"},
                                    {s, "domain"},
                                    {s, "transfer"},
                                    {c, "packets"},
                                    {c, "bytes"},
                                    {s, "packets"},
                                    {s, "bytes"},
                                    {f, "end"},
                                    {f, "input"}};
        char buf[DT_CSV_FLOW_NCOLS][64];
        const char *cells[DT_CSV_FLOW_NCOLS];
        for (int i = 0; i < DT_CSV_FLOW_NCOLS; i++)
            cells[i] = csv_cell(col[i].o, col[i].k, buf[i], sizeof buf[i]);
        rc |= dt_render_csv_row(out, NULL, cells, DT_CSV_FLOW_NCOLS);
    }
    cJSON_Delete(f);
    return rc || ferror(out) ? -1 : 0;
}

/* ---- reports ---- */

/* A string or NULL (null, missing, other types). */
static char *str_copy(const cJSON *o, const char *k, int *oom)
{
    const cJSON *v = jget(o, k);
    return cJSON_IsString(v) && v->valuestring ? dt_model_strdup(v->valuestring, oom) : NULL;
}

static int input_read(dt_input_rec *rec, const cJSON *o)
{
    int oom = 0;
    memset(rec, 0, sizeof *rec);
    rec->path = str_copy(o, "path", &oom);
    rec->format = str_copy(o, "format", &oom);
    const cJSON *lt = jget(o, "link_types"), *it;
    int n = cJSON_GetArraySize(lt);
    if (n > 0 && (rec->link_types = calloc((size_t)n, sizeof *rec->link_types))) {
        cJSON_ArrayForEach(it, lt) if (cJSON_IsString(it)) rec->link_types[rec->n_link_types++] =
            dt_model_strdup(it->valuestring, &oom);
    }
    rec->packets = jnum(o, "packets");
    rec->bytes = jnum(o, "bytes");
    rec->wire_bytes = jnum(o, "wire_bytes");
    rec->first_seen = str_copy(o, "first_seen", &oom);
    rec->last_seen = str_copy(o, "last_seen", &oom);
    rec->flows = jnum(o, "flows");
    const cJSON *errs = jget(o, "errors");
    n = cJSON_GetArraySize(errs);
    if (n > 0 && (rec->errors = calloc((size_t)n, sizeof *rec->errors))) {
        cJSON_ArrayForEach(it, errs)
        {
            dt_input_error_rec *e = &rec->errors[rec->n_errors++];
            e->packet = jnum(it, "packet");
            e->offset = jnum(it, "offset");
            e->message = str_copy(it, "message", &oom);
        }
    }
    return oom ? -1 : 0;
}

/* The counters of a report's summary, by the table (report/summary.def). */
static int summary_read(dt_summary *s, const cJSON *o)
{
    int oom = 0;
    const cJSON *v, *it;
    memset(s, 0, sizeof *s);
#define DT_SUM_U64(key, ...)                                                                       \
    v = jget(o, #key);                                                                             \
    if (cJSON_IsNumber(v)) {                                                                       \
        s->key = count_of(v);                                                                      \
        s->seen |= UINT64_C(1) << DT_SUMF_##key;                                                   \
    }
#define DT_SUM_COUNTS(key, ...)                                                                    \
    v = jget(o, #key);                                                                             \
    if (cJSON_IsObject(v)) {                                                                       \
        cJSON_ArrayForEach(it, v) if (cJSON_IsNumber(it) && it->string) oom |=                     \
            dt_counts_add(&s->key, it->string, count_of(it));                                      \
        s->seen |= UINT64_C(1) << DT_SUMF_##key;                                                   \
    }
#include "report/summary.def"
    return oom ? -1 : 0;
}

static int report_read(dt_report *r, const cJSON *rep, char *err, size_t errlen)
{
    const cJSON *flows = jget(rep, "flows");
    const cJSON *inputs = jget(rep, "inputs");
    const cJSON *summary = jget(rep, "summary");
    if (!cJSON_IsArray(inputs) || !cJSON_IsObject(summary)) {
        dt_set_err(err, errlen, "not a datatrail report (no inputs/summary)");
        return -2;
    }
    const cJSON *schema = jget(jget(rep, "datatrail"), "schema");
    if (cJSON_IsNumber(schema) && schema->valuedouble > DT_REPORT_SCHEMA) {
        dt_set_err(err, errlen,
                   "a report of schema version %.0f: this datatrail (%s) reads versions up to %d "
                   "(a newer datatrail wrote it)",
                   schema->valuedouble < 1e9 ? schema->valuedouble : 1e9, DT_VERSION,
                   DT_REPORT_SCHEMA);
        return -2;
    }
    if (!cJSON_IsArray(flows)) {
        dt_set_err(err, errlen, "the report has no flows (made with --no-flows): cannot merge it");
        return -2;
    }
    int oom = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, inputs)
    {
        dt_input_rec rec;
        oom |= input_read(&rec, it) | dt_report_add_input_rec(r, &rec);
        dt_input_rec_free(&rec);
    }
    const cJSON *opts = jget(rep, "options");
    if (!r->merged_options && cJSON_IsObject(opts)) {
        dt_jw w;
        dt_jw_init(&w);
        dt_jw_tree_at(&w, opts, 1, 1);
        r->merged_options = w.oom ? NULL : w.buf;
        oom |= !r->merged_options;
        if (!r->merged_options)
            dt_jw_free(&w);
    }
    /* the first party given to the first run that had one (--vendor), unless given here */
    const cJSON *vendor = jget(rep, "vendor");
    int inferred = 0;
    dt_rollup_vendor(r->ru, &inferred);
    if (inferred && jstr(vendor, "name") && cJSON_IsFalse(jget(vendor, "inferred")))
        dt_rollup_set_vendor(r->ru, jstr(vendor, "name"));
    /* warnings and geo databases: each distinct one once */
    cJSON_ArrayForEach(it, jget(rep, "warnings"))
    { /* {"code", "message", "count"}, or a string (reports before schema 2) */
        const char *msg = cJSON_IsString(it) ? it->valuestring : jstr(it, "message");
        const cJSON *count = jget(it, "count");
        if (msg)
            oom |= dt_report_add_warning(r, jstr(it, "code"), msg, cJSON_IsNumber(count),
                                         jnum(it, "count"));
    }
    const cJSON *geos = jget(rep, "geo_databases");
    size_t n_geo = (size_t)cJSON_GetArraySize(geos), k = 0;
    dt_geo_rec *gs = calloc(n_geo ? n_geo : 1, sizeof *gs);
    oom |= !gs;
    cJSON_ArrayForEach(it, geos)
    {
        for (int i = 0; gs && i < DT_GEO_REC_FIELDS; i++)
            gs[k].v[i] = dt_model_strdup(jstr(it, dt_geo_rec_key(i)), &oom);
        k++;
    }
    /* a warning (err, with 0) when its geo data is not the first merged report's */
    char what[768];
    if (gs && r->merged_reports &&
        dt_geo_recs_differ(r->geo, r->n_geo_first, gs, n_geo, "the first report", "this one", what,
                           sizeof what))
        dt_set_err(err, errlen,
                   "made with other geo databases than the first report (%s): its countries and "
                   "networks may differ for that reason alone",
                   what);
    for (size_t i = 0; gs && i < n_geo; i++)
        oom |= dt_report_add_geo(r, &gs[i]);
    free(gs);
    if (!r->merged_reports++)
        r->n_geo_first = r->n_geo;
    dt_summary counts;
    oom |= summary_read(&counts, summary) | dt_summary_combine(&r->sum, &counts);
    dt_summary_free(&counts);
    uint64_t a, b;
    int digits = 0, d2 = 0;
    const char *fs = jstr(summary, "first_seen"), *ls = jstr(summary, "last_seen");
    if (fs && ls && dt_parse_time(fs, &a, &digits) == 0 && dt_parse_time(ls, &b, &d2) == 0)
        dt_report_note_time(r, a, b, digits > d2 ? digits : d2);
    const cJSON *dropped = jget(summary, "dns_table_dropped");
    if (cJSON_IsNumber(dropped) && dropped->valuedouble > 0 && dropped->valuedouble < 1e18)
        r->dns_dropped += (uint64_t)dropped->valuedouble;
    cJSON_ArrayForEach(it, jget(rep, "dns"))
    {
        const cJSON *n = jget(it, "name"), *t = jget(it, "type"), *c = jget(it, "count");
        if (!cJSON_IsString(n) || !cJSON_IsString(t))
            continue;
        dns_entry *e = dt_report_dns_entry(r, n->valuestring, t->valuestring);
        if (!e)
            continue;
        e->count += cJSON_IsNumber(c) ? (uint64_t)c->valuedouble : 0;
        const cJSON *ans;
        cJSON_ArrayForEach(ans, jget(it, "answers"))
        {
            if (cJSON_IsString(ans))
                dt_report_dns_answer(r, e, ans->valuestring);
        }
    }
    dt_jw line;
    dt_jw_init(&line);
    cJSON_ArrayForEach(it, flows)
    {
        dt_rollup_flow f;
        int ok = dt_reader_rollup_flow(it, &f) == 0;
        if (ok && r->opts.device && !dt_rollup_flow_of_device(&f, r->opts.device))
            continue; /* another device's flow */
        if (ok && dt_rollup_add(r->ru, &f) != 0)
            oom = 1;
        if (dt_policy_state_add(r->pol, ok ? &f : NULL) != 0 ||
            dt_window_add(r->win, ok ? &f : NULL) != 0 ||
            dt_personal_add(r->pd, ok ? &f : NULL) != 0)
            oom = 1;
        if (!r->lines)
            continue;
        dt_jw_reset(&line);
        dt_jw_tree(&line, it, 0);
        if (line.oom || !line.buf)
            oom = 1;
        else
            dt_report_flow_line(r, line.buf, line.len);
    }
    dt_jw_free(&line);
    if (oom)
        r->write_error = 1;
    return 0;
}

int dt_report_merge_text(dt_report *r, const char *text, size_t len, char *err, size_t errlen)
{
    cJSON *j = cJSON_ParseWithLength(text, len);
    if (!j) {
        dt_set_err(err, errlen, "not JSON");
        return -1;
    }
    int rc = report_read(r, j, err, errlen);
    cJSON_Delete(j);
    return rc;
}

int dt_report_merge_file(dt_report *r, const char *path, size_t max, char *err, size_t errlen)
{
    cJSON *j = dt_json_load_file(path, max, err, errlen);
    if (!j)
        return -1;
    int rc = report_read(r, j, err, errlen);
    cJSON_Delete(j);
    return rc;
}
