#include "report.h"

#include "apps.h"
#include "capture.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Report-level DNS table: one entry per (name, type) of all responses. */
typedef struct dns_entry {
    char *name;
    uint16_t type;
    uint64_t count;
    char (*answers)[DT_ADDR_STRLEN]; /* distinct, in order first seen */
    int n_answers, cap_answers;
    struct dns_entry *next;
} dns_entry;

#define DNS_BUCKETS 4096
#define DNS_TABLE_MAX_ANSWERS 1024 /* distinct addresses kept per name (CDNs rotate) */

/* Bytes and flows per transfer class (dt_transfer_class). */
typedef struct transfer_total {
    uint64_t flows, up, down;
} transfer_total;
#define N_TRANSFER 5

struct dt_report {
    dt_report_opts opts;
    FILE *out;
    FILE *flows_tmp; /* report mode: flow lines until the end */
    uint64_t n_flows_written;
    cJSON *inputs;
    /* summary */
    uint64_t packets, bytes, flows, tcp_flows, udp_flows, evicted, gaps;
    uint64_t first_ns, last_ns;
    int ts_digits;
    dt_decode_stats dec;
    cJSON *unsupported; /* link type name -> packets */
    uint64_t inputs_n, inputs_failed, inputs_partial;
    dns_entry *dns[DNS_BUCKETS];
    uint64_t dns_n;
    transfer_total transfer[N_TRANSFER];
    int write_error;
};

char *dt_format_time(uint64_t ts_ns, int digits, char *buf, size_t len)
{
    if (digits <= 0 || digits > 9)
        digits = 6;
    time_t secs = (time_t)(ts_ns / 1000000000ull);
    uint64_t frac = ts_ns % 1000000000ull;
    for (int i = digits; i < 9; i++)
        frac /= 10;
    struct tm tm;
    gmtime_r(&secs, &tm);
    char date[32];
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, len, "%s.%0*lluZ", date, digits, (unsigned long long)frac);
    return buf;
}

dt_report *dt_report_new(const dt_report_opts *opts, FILE *out)
{
    dt_report *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->opts = *opts;
    r->out = out;
    r->inputs = cJSON_CreateArray();
    r->unsupported = cJSON_CreateObject();
    if (opts->mode == DT_OUT_REPORT && !opts->no_flows)
        r->flows_tmp = tmpfile();
    if (!r->inputs || !r->unsupported ||
        (opts->mode == DT_OUT_REPORT && !opts->no_flows && !r->flows_tmp)) {
        dt_report_free(r);
        return NULL;
    }
    return r;
}

void dt_report_free(dt_report *r)
{
    if (!r)
        return;
    if (r->flows_tmp)
        fclose(r->flows_tmp);
    cJSON_Delete(r->inputs);
    cJSON_Delete(r->unsupported);
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

static void add_time(cJSON *o, const char *key, uint64_t ts, int digits)
{
    char buf[48];
    cJSON_AddStringToObject(o, key, dt_format_time(ts, digits, buf, sizeof buf));
}

static void add_str_or_null(cJSON *o, const char *key, const char *s)
{
    if (s && s[0])
        cJSON_AddStringToObject(o, key, s);
    else
        cJSON_AddNullToObject(o, key);
}

static cJSON *side_json(const dt_flow_side *s)
{
    char ip[DT_ADDR_STRLEN];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "ip", dt_addr_str(&s->ip, ip, sizeof ip));
    cJSON_AddNumberToObject(o, "port", s->port);
    cJSON_AddBoolToObject(o, "local", s->local);
    cJSON_AddNumberToObject(o, "packets", (double)s->packets);
    cJSON_AddNumberToObject(o, "bytes", (double)s->bytes);
    cJSON_AddNumberToObject(o, "payload", (double)s->payload);
    return o;
}

static cJSON *str_array(const char (*items)[64], int n)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(items[i]));
    return a;
}

static cJSON *tls_json(const dt_flow_app *x)
{
    char buf[64];
    cJSON *o = cJSON_CreateObject();
    const dt_tls_client *c = x->tls_c && x->tls_c->present ? x->tls_c : NULL;
    const dt_tls_server *s = x->tls_s && x->tls_s->present ? x->tls_s : NULL;
    add_str_or_null(o, "sni", c ? c->sni : NULL);
    cJSON_AddItemToObject(o, "alpn", c ? str_array(c->alpn, c->n_alpn) : cJSON_CreateArray());
    if (s)
        cJSON_AddStringToObject(o, "version", dt_tls_version_name(s->version, buf, sizeof buf));
    else
        cJSON_AddNullToObject(o, "version");
    if (c) {
        cJSON *v = cJSON_CreateArray();
        for (int i = 0; i < c->n_versions; i++)
            cJSON_AddItemToArray(
                v, cJSON_CreateString(dt_tls_version_name(c->versions[i], buf, sizeof buf)));
        cJSON_AddItemToObject(o, "offered_versions", v);
    }
    if (s)
        cJSON_AddStringToObject(o, "cipher", dt_tls_cipher_name(s->cipher, buf, sizeof buf));
    else
        cJSON_AddNullToObject(o, "cipher");
    add_str_or_null(o, "ja3", c ? c->ja3 : NULL);
    add_str_or_null(o, "ja4", c ? c->ja4 : NULL);
    add_str_or_null(o, "ja3s", s ? s->ja3s : NULL);
    cJSON_AddBoolToObject(o, "ech", c && c->ech);
    if (s && s->cert.present) {
        const dt_tls_cert *ct = &s->cert;
        cJSON *co = cJSON_CreateObject();
        add_str_or_null(co, "subject_cn", ct->subject_cn);
        add_str_or_null(co, "subject_o", ct->subject_o);
        add_str_or_null(co, "issuer_o", ct->issuer_o);
        cJSON *san = cJSON_CreateArray();
        for (int i = 0; i < ct->n_san; i++)
            cJSON_AddItemToArray(san, cJSON_CreateString(ct->san[i]));
        cJSON_AddItemToObject(co, "san", san);
        add_str_or_null(co, "not_before", ct->not_before);
        add_str_or_null(co, "not_after", ct->not_after);
        cJSON_AddItemToObject(o, "cert", co);
    } else {
        cJSON_AddNullToObject(o, "cert");
    }
    return o;
}

static cJSON *quic_json(const dt_flow_app *x)
{
    const dt_quic_info *q = x->quic_info;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "version", q->version_name);
    const dt_tls_client *c = q->hello.present ? &q->hello : NULL;
    add_str_or_null(o, "sni", c ? c->sni : NULL);
    cJSON_AddItemToObject(o, "alpn", c ? str_array(c->alpn, c->n_alpn) : cJSON_CreateArray());
    add_str_or_null(o, "ja4", c ? c->ja4 : NULL);
    return o;
}

static cJSON *http_json(const dt_http_info *h)
{
    cJSON *o = cJSON_CreateObject();
    add_str_or_null(o, "host", h->host);
    add_str_or_null(o, "method", h->method);
    add_str_or_null(o, "user_agent", h->user_agent);
    cJSON_AddNumberToObject(o, "requests", h->requests);
    return o;
}

static cJSON *dns_json(const dt_flow_dns *d)
{
    char buf[32];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", d->name);
    cJSON_AddStringToObject(o, "type", dt_dns_type_name(d->type, buf, sizeof buf));
    if (d->response)
        cJSON_AddStringToObject(o, "rcode", dt_dns_rcode_name(d->rcode, buf, sizeof buf));
    else
        cJSON_AddNullToObject(o, "rcode");
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < d->n_answers; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(d->answers[i]));
    cJSON_AddItemToObject(o, "answers", a);
    cJSON *c = cJSON_CreateArray();
    for (int i = 0; i < d->n_chain; i++)
        cJSON_AddItemToArray(c, cJSON_CreateString(d->chain[i]));
    cJSON_AddItemToObject(o, "cname_chain", c);
    return o;
}

static cJSON *hex_string(const uint8_t *p, size_t n)
{
    static const char hx[] = "0123456789abcdef";
    char *s = malloc(2 * n + 1);
    if (!s)
        return cJSON_CreateNull();
    for (size_t i = 0; i < n; i++) {
        s[2 * i] = hx[p[i] >> 4];
        s[2 * i + 1] = hx[p[i] & 15];
    }
    s[2 * n] = '\0';
    cJSON *o = cJSON_CreateString(s);
    free(s);
    return o;
}

static const char *const end_names[] = {"idle", "closed", "evicted", "eof", "reused"};

static void add_endpoint(cJSON *o, const dt_endpoint_info *ep)
{
    add_str_or_null(o, "country", ep->geo.country);
    if (ep->geo.asn)
        cJSON_AddNumberToObject(o, "asn", ep->geo.asn);
    else
        cJSON_AddNullToObject(o, "asn");
    add_str_or_null(o, "org", ep->geo.org);
    add_str_or_null(o, "class", ep->geo.class);
    add_str_or_null(o, "domain", ep->domain);
    add_str_or_null(o, "company", ep->company.name);
    add_str_or_null(o, "company_source", ep->company.source);
    cJSON_AddStringToObject(o, "transfer", dt_transfer_str(ep->transfer));
}

static cJSON *flow_json(const dt_report *r, const dt_input_info *in, const dt_flow *f,
                        const dt_endpoint_info *ep)
{
    const dt_flow_app *x = f->app;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "proto", f->proto == 6 ? "tcp" : "udp");
    cJSON_AddStringToObject(o, "app", dt_app_name(x ? (dt_app)x->app : DT_APP_UNKNOWN));
    cJSON_AddItemToObject(o, "client", side_json(&f->side[DT_CLIENT]));
    cJSON *srv = side_json(&f->side[DT_SERVER]);
    add_str_or_null(srv, "name", x ? x->name : NULL);
    add_str_or_null(srv, "name_source",
                    x ? dt_name_source_str((dt_name_source)x->name_source) : NULL);
    if (ep)
        add_endpoint(srv, ep);
    cJSON_AddItemToObject(o, "server", srv);
    add_time(o, "first_seen", f->first_ns, f->ts_digits);
    add_time(o, "last_seen", f->last_ns, f->ts_digits);
    if (f->proto == 6) {
        cJSON *t = cJSON_CreateObject();
        cJSON_AddBoolToObject(t, "syn", f->syn);
        cJSON_AddBoolToObject(t, "fin", f->fin);
        cJSON_AddBoolToObject(t, "rst", f->rst);
        cJSON_AddNumberToObject(t, "gaps",
                                dt_tcp_dir_gaps(&f->tcp[0]) + dt_tcp_dir_gaps(&f->tcp[1]));
        cJSON_AddItemToObject(o, "tcp", t);
    } else {
        cJSON_AddNullToObject(o, "tcp");
    }
    add_str_or_null(o, "tunnel", dt_tunnel_name((dt_tunnel)f->tunnel));
    cJSON_AddStringToObject(o, "input", in->path);
    cJSON_AddStringToObject(o, "end", end_names[f->end_reason < 5 ? f->end_reason : 0]);
    int is_tls = x && ((x->tls_c && x->tls_c->present) || (x->tls_s && x->tls_s->present));
    cJSON_AddItemToObject(o, "tls", is_tls ? tls_json(x) : cJSON_CreateNull());
    int is_quic = x && x->quic_info && x->quic_info->present;
    cJSON_AddItemToObject(o, "quic", is_quic ? quic_json(x) : cJSON_CreateNull());
    int is_http = x && x->http && x->http->present;
    cJSON_AddItemToObject(o, "http", is_http ? http_json(x->http) : cJSON_CreateNull());
    if (x && x->n_dns) {
        cJSON *d = cJSON_CreateArray();
        for (int i = 0; i < x->n_dns; i++)
            cJSON_AddItemToArray(d, dns_json(x->dns[i]));
        cJSON_AddItemToObject(o, "dns", d);
    } else {
        cJSON_AddNullToObject(o, "dns");
    }
    if (x && x->encrypted_dns)
        cJSON_AddStringToObject(o, "encrypted_dns",
                                x->encrypted_dns == 1   ? "dot"
                                : x->encrypted_dns == 2 ? "doh"
                                                        : "doq");
    if (r->opts.debug_streams && f->proto == 6) {
        cJSON *s = cJSON_CreateObject();
        cJSON_AddItemToObject(s, "c2s",
                              hex_string(x ? x->stream[0] : NULL, x ? x->stream_len[0] : 0));
        cJSON_AddItemToObject(s, "s2c",
                              hex_string(x ? x->stream[1] : NULL, x ? x->stream_len[1] : 0));
        cJSON_AddItemToObject(o, "streams", s);
    }
    return o;
}

static uint32_t name_hash(const char *s, uint16_t type)
{
    uint32_t h = 2166136261u ^ type;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c + 32);
        h = (h ^ c) * 16777619u;
    }
    return h;
}

static void dns_table_add(dt_report *r, const dt_flow_dns *d)
{
    if (!d->response || d->n_answers == 0)
        return;
    uint32_t b = name_hash(d->name, d->type) % DNS_BUCKETS;
    dns_entry *e = r->dns[b];
    while (e && !(e->type == d->type && dt_dns_name_eq(e->name, d->name)))
        e = e->next;
    if (!e) {
        e = calloc(1, sizeof *e);
        if (!e || !(e->name = strdup(d->name))) {
            free(e);
            return;
        }
        e->type = d->type;
        e->next = r->dns[b];
        r->dns[b] = e;
        r->dns_n++;
    }
    e->count++;
    for (int i = 0; i < d->n_answers; i++) {
        int seen = 0;
        for (int j = 0; j < e->n_answers && !seen; j++)
            seen = strcmp(e->answers[j], d->answers[i]) == 0;
        if (seen || e->n_answers == DNS_TABLE_MAX_ANSWERS)
            continue;
        if (e->n_answers == e->cap_answers) {
            int cap = e->cap_answers ? 2 * e->cap_answers : 4;
            void *na = realloc(e->answers, (size_t)cap * sizeof *e->answers);
            if (!na)
                return;
            e->answers = na;
            e->cap_answers = cap;
        }
        memcpy(e->answers[e->n_answers++], d->answers[i], DT_ADDR_STRLEN);
    }
}

void dt_report_flow(void *ctx, const dt_input_info *in, const dt_flow *f)
{
    dt_report *r = ctx;
    if (f->app)
        for (int i = 0; i < f->app->n_dns; i++)
            dns_table_add(r, f->app->dns[i]);
    dt_endpoint_info epi, *ep = NULL;
    if (r->opts.enricher) {
        const dt_flow_app *x = f->app;
        const char *cert_o =
            x && x->tls_s && x->tls_s->cert.present ? x->tls_s->cert.subject_o : NULL;
        dt_enrich_endpoint(r->opts.enricher, &f->side[DT_SERVER].ip, x ? x->name : NULL, cert_o,
                           &epi);
        ep = &epi;
    }
    /* Upload = what the local side sent; a flow between two remote hosts
     * counts its client as the sender. */
    int up_side = f->side[DT_SERVER].local && !f->side[DT_CLIENT].local ? DT_SERVER : DT_CLIENT;
    int cls = ep ? (int)ep->transfer
                 : (f->side[DT_SERVER].local ? DT_TRANSFER_LOCAL : DT_TRANSFER_UNKNOWN);
    if (f->side[DT_CLIENT].local && f->side[DT_SERVER].local)
        cls = DT_TRANSFER_LOCAL;
    if (cls >= 0 && cls < N_TRANSFER) {
        r->transfer[cls].flows++;
        r->transfer[cls].up += f->side[up_side].bytes;
        r->transfer[cls].down += f->side[!up_side].bytes;
    }
    FILE *dst = r->opts.mode == DT_OUT_FLOWS ? r->out : r->flows_tmp;
    if (!dst)
        return;
    cJSON *o = flow_json(r, in, f, ep);
    char *s = o ? cJSON_PrintUnformatted(o) : NULL;
    if (!s || fprintf(dst, "%s\n", s) < 0)
        r->write_error = 1;
    free(s);
    cJSON_Delete(o);
    r->n_flows_written++;
}

static void add_u64(cJSON *o, const char *key, uint64_t v)
{
    cJSON_AddNumberToObject(o, key, (double)v);
}

void dt_report_input(dt_report *r, const dt_input_info *in)
{
    char buf[64];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "path", in->path);
    add_str_or_null(o, "format", in->format);
    cJSON *lt = cJSON_CreateArray();
    for (int i = 0; i < in->n_links; i++)
        cJSON_AddItemToArray(
            lt, cJSON_CreateString(dt_linktype_name(in->links[i].linktype, buf, sizeof buf)));
    cJSON_AddItemToObject(o, "link_types", lt);
    add_u64(o, "packets", in->packets);
    add_u64(o, "bytes", in->bytes);
    if (in->packets) {
        add_time(o, "first_seen", in->first_ns, in->ts_digits);
        add_time(o, "last_seen", in->last_ns, in->ts_digits);
    } else {
        cJSON_AddNullToObject(o, "first_seen");
        cJSON_AddNullToObject(o, "last_seen");
    }
    add_u64(o, "flows", in->flows);
    cJSON *errs = cJSON_CreateArray();
    for (int i = 0; i < in->n_errors; i++) {
        cJSON *e = cJSON_CreateObject();
        add_u64(e, "packet", in->errors[i].packet);
        add_u64(e, "offset", in->errors[i].offset);
        cJSON_AddStringToObject(e, "message", in->errors[i].message);
        cJSON_AddItemToArray(errs, e);
    }
    cJSON_AddItemToObject(o, "errors", errs);
    cJSON_AddItemToArray(r->inputs, o);

    r->inputs_n++;
    if (!in->opened)
        r->inputs_failed++;
    else if (in->n_errors)
        r->inputs_partial++;
    r->packets += in->packets;
    r->bytes += in->bytes;
    r->flows += in->flows;
    r->tcp_flows += in->tcp_flows;
    r->udp_flows += in->udp_flows;
    r->evicted += in->flows_evicted;
    r->gaps += in->tcp_gaps;
    if (in->packets) {
        if (!r->first_ns || in->first_ns < r->first_ns)
            r->first_ns = in->first_ns;
        if (in->last_ns > r->last_ns)
            r->last_ns = in->last_ns;
        if (in->ts_digits > r->ts_digits)
            r->ts_digits = in->ts_digits;
    }
    const dt_decode_stats *d = &in->decode;
    uint64_t *dst = (uint64_t *)&r->dec;
    const uint64_t *src = (const uint64_t *)d;
    for (size_t i = 0; i < sizeof *d / sizeof(uint64_t); i++)
        dst[i] += src[i];
    for (int i = 0; i < in->n_links; i++) {
        if (in->links[i].supported)
            continue;
        const char *name = dt_linktype_name(in->links[i].linktype, buf, sizeof buf);
        cJSON *c = cJSON_GetObjectItemCaseSensitive(r->unsupported, name);
        if (c)
            cJSON_SetNumberValue(c, c->valuedouble + (double)in->links[i].packets);
        else
            add_u64(r->unsupported, name, in->links[i].packets);
    }
}

static int cmp_dns(const void *a, const void *b)
{
    const dns_entry *x = *(dns_entry *const *)a, *y = *(dns_entry *const *)b;
    int c = strcasecmp(x->name, y->name);
    if (!c)
        c = strcmp(x->name, y->name);
    return c ? c : (x->type > y->type) - (x->type < y->type);
}

static cJSON *dns_table_json(dt_report *r)
{
    char buf[32];
    cJSON *a = cJSON_CreateArray();
    dns_entry **all = malloc((r->dns_n ? r->dns_n : 1) * sizeof *all);
    if (!all)
        return a;
    size_t n = 0;
    for (int i = 0; i < DNS_BUCKETS; i++)
        for (dns_entry *e = r->dns[i]; e; e = e->next)
            all[n++] = e;
    qsort(all, n, sizeof *all, cmp_dns);
    for (size_t i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", all[i]->name);
        cJSON_AddStringToObject(o, "type", dt_dns_type_name(all[i]->type, buf, sizeof buf));
        cJSON *ans = cJSON_CreateArray();
        for (int j = 0; j < all[i]->n_answers; j++)
            cJSON_AddItemToArray(ans, cJSON_CreateString(all[i]->answers[j]));
        cJSON_AddItemToObject(o, "answers", ans);
        add_u64(o, "count", all[i]->count);
        cJSON_AddItemToArray(a, o);
    }
    free(all);
    return a;
}

static cJSON *geo_databases_json(const dt_report *r)
{
    cJSON *a = cJSON_CreateArray();
    if (!r->opts.enricher)
        return a;
    const dt_geo *g = dt_enricher_geo(r->opts.enricher);
    for (int i = 0; i < dt_geo_db_count(g); i++) {
        cJSON *o = cJSON_CreateObject();
        add_str_or_null(o, "path", dt_geo_db_path(g, i));
        add_str_or_null(o, "kind", dt_geo_db_kind(g, i));
        add_str_or_null(o, "type", dt_geo_db_type(g, i));
        add_str_or_null(o, "schema", dt_geo_db_schema(g, i));
        add_str_or_null(o, "build_date", dt_geo_db_build_date(g, i));
        add_str_or_null(o, "attribution", dt_geo_db_attribution(g, i));
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

static cJSON *summary_json(dt_report *r)
{
    cJSON *s = cJSON_CreateObject();
    add_u64(s, "inputs", r->inputs_n);
    add_u64(s, "inputs_with_errors", r->inputs_partial);
    add_u64(s, "inputs_unreadable", r->inputs_failed);
    if (r->packets) {
        add_time(s, "first_seen", r->first_ns, r->ts_digits);
        add_time(s, "last_seen", r->last_ns, r->ts_digits);
    } else {
        cJSON_AddNullToObject(s, "first_seen");
        cJSON_AddNullToObject(s, "last_seen");
    }
    add_u64(s, "packets", r->packets);
    add_u64(s, "bytes", r->bytes);
    add_u64(s, "flows", r->flows);
    add_u64(s, "tcp_flows", r->tcp_flows);
    add_u64(s, "udp_flows", r->udp_flows);
    add_u64(s, "ipv4_packets", r->dec.ip4);
    add_u64(s, "ipv6_packets", r->dec.ip6);
    add_u64(s, "icmp_packets", r->dec.icmp);
    add_u64(s, "icmp6_packets", r->dec.icmp6);
    add_u64(s, "other_ip_packets", r->dec.other_ip);
    add_u64(s, "not_ip", r->dec.not_ip);
    add_u64(s, "malformed", r->dec.malformed);
    add_u64(s, "fragments", r->dec.fragments);
    add_u64(s, "fragments_reassembled", r->dec.frag_reassembled);
    add_u64(s, "fragments_incomplete", r->dec.frag_incomplete);
    add_u64(s, "fragments_evicted", r->dec.frag_evicted);
    add_u64(s, "fragment_overlaps", r->dec.frag_overlaps);
    cJSON *t = cJSON_CreateObject();
    for (int i = 1; i < DT_TUN_COUNT; i++)
        if (r->dec.tunneled[i])
            add_u64(t, dt_tunnel_name((dt_tunnel)i), r->dec.tunneled[i]);
    cJSON_AddItemToObject(s, "tunneled_packets", t);
    cJSON_AddItemToObject(s, "unsupported_link_types", cJSON_Duplicate(r->unsupported, 1));
    add_u64(s, "tcp_gaps", r->gaps);
    add_u64(s, "flows_evicted", r->evicted);
    add_u64(s, "dns_names", r->dns_n);
    cJSON *tr = cJSON_CreateObject();
    static const dt_transfer_class order[] = {DT_TRANSFER_EEA, DT_TRANSFER_ADEQUATE,
                                              DT_TRANSFER_THIRD, DT_TRANSFER_UNKNOWN,
                                              DT_TRANSFER_LOCAL};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        const transfer_total *t = &r->transfer[order[i]];
        cJSON *c = cJSON_CreateObject();
        add_u64(c, "flows", t->flows);
        add_u64(c, "bytes_up", t->up);
        add_u64(c, "bytes_down", t->down);
        cJSON_AddItemToObject(tr, dt_transfer_str(order[i]), c);
    }
    cJSON_AddItemToObject(s, "transfers", tr);
    return s;
}

int dt_report_finish(dt_report *r)
{
    if (r->opts.mode == DT_OUT_FLOWS)
        return (fflush(r->out) != 0 || ferror(r->out) || r->write_error) ? -1 : 0;
    cJSON *top = cJSON_CreateObject();
    cJSON *meta = cJSON_CreateObject();
    cJSON_AddStringToObject(meta, "version", DT_VERSION);
    cJSON_AddNumberToObject(meta, "schema", 1);
    cJSON_AddItemToObject(top, "datatrail", meta);
    cJSON_AddItemReferenceToObject(top, "inputs", r->inputs);
    cJSON *warnings = cJSON_CreateArray();
    if (r->opts.geo_warning && r->opts.geo_warning[0])
        cJSON_AddItemToArray(warnings, cJSON_CreateString(r->opts.geo_warning));
    cJSON_AddItemToObject(top, "warnings", warnings);
    cJSON_AddItemToObject(top, "geo_databases", geo_databases_json(r));
    cJSON_AddItemToObject(top, "summary", summary_json(r));
    cJSON_AddItemToObject(top, "dns", dns_table_json(r));
    char *s = cJSON_Print(top);
    cJSON_Delete(top);
    if (!s)
        return -1;
    /* The flows are spliced in as the last member, one compact object per line. */
    size_t n = strlen(s);
    while (n && (s[n - 1] == '}' || s[n - 1] == '\n'))
        n--;
    fwrite(s, 1, n, r->out);
    free(s);
    if (r->flows_tmp) {
        fputs(",\n\t\"flows\": [", r->out);
        rewind(r->flows_tmp);
        char *line = NULL;
        size_t cap = 0;
        ssize_t len;
        uint64_t i = 0;
        while ((len = getline(&line, &cap, r->flows_tmp)) > 0) {
            if (line[len - 1] == '\n')
                line[--len] = '\0';
            fprintf(r->out, "%s\n\t\t%s", i++ ? "," : "", line);
        }
        free(line);
        fputs(i ? "\n\t]" : "]", r->out);
    }
    fputs("\n}\n", r->out);
    return (fflush(r->out) != 0 || ferror(r->out) || r->write_error) ? -1 : 0;
}
