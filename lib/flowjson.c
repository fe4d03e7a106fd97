#include "flowjson.h"

#include "apps.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

int dt_parse_time(const char *s, uint64_t *ts_ns, int *digits)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!p)
        return -1;
    uint64_t frac = 0;
    int n = 0;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++, n++)
            if (n < 9)
                frac = frac * 10 + (uint64_t)(*p - '0');
    if (*p != 'Z' || p[1])
        return -1;
    for (int i = n; i < 9; i++)
        frac *= 10;
    time_t secs = timegm(&tm);
    if (secs < 0)
        return -1;
    *ts_ns = (uint64_t)secs * 1000000000ull + frac;
    if (digits)
        *digits = n > 9 ? 9 : n;
    return 0;
}

void dt_json_add_u64(cJSON *o, const char *key, uint64_t v) { cJSON_AddNumberToObject(o, key, (double)v); }

void dt_json_add_time(cJSON *o, const char *key, uint64_t ts, int digits)
{
    char buf[48];
    cJSON_AddStringToObject(o, key, dt_format_time(ts, digits, buf, sizeof buf));
}

void dt_json_add_str_or_null(cJSON *o, const char *key, const char *s)
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
    dt_json_add_str_or_null(o, "sni", c ? c->sni : NULL);
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
    dt_json_add_str_or_null(o, "ja3", c ? c->ja3 : NULL);
    dt_json_add_str_or_null(o, "ja4", c ? c->ja4 : NULL);
    dt_json_add_str_or_null(o, "ja3s", s ? s->ja3s : NULL);
    cJSON_AddBoolToObject(o, "ech", c && c->ech);
    if (s && s->cert.present) {
        const dt_tls_cert *ct = &s->cert;
        cJSON *co = cJSON_CreateObject();
        dt_json_add_str_or_null(co, "subject_cn", ct->subject_cn);
        dt_json_add_str_or_null(co, "subject_o", ct->subject_o);
        dt_json_add_str_or_null(co, "issuer_o", ct->issuer_o);
        cJSON *san = cJSON_CreateArray();
        for (int i = 0; i < ct->n_san; i++)
            cJSON_AddItemToArray(san, cJSON_CreateString(ct->san[i]));
        cJSON_AddItemToObject(co, "san", san);
        dt_json_add_str_or_null(co, "not_before", ct->not_before);
        dt_json_add_str_or_null(co, "not_after", ct->not_after);
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
    dt_json_add_str_or_null(o, "sni", c ? c->sni : NULL);
    cJSON_AddItemToObject(o, "alpn", c ? str_array(c->alpn, c->n_alpn) : cJSON_CreateArray());
    dt_json_add_str_or_null(o, "ja4", c ? c->ja4 : NULL);
    return o;
}

static cJSON *http_json(const dt_http_info *h)
{
    cJSON *o = cJSON_CreateObject();
    dt_json_add_str_or_null(o, "host", h->host);
    dt_json_add_str_or_null(o, "method", h->method);
    dt_json_add_str_or_null(o, "user_agent", h->user_agent);
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
    dt_json_add_str_or_null(o, "country", ep->geo.country);
    if (ep->geo.asn)
        cJSON_AddNumberToObject(o, "asn", ep->geo.asn);
    else
        cJSON_AddNullToObject(o, "asn");
    dt_json_add_str_or_null(o, "org", ep->geo.org);
    dt_json_add_str_or_null(o, "class", ep->geo.class);
    dt_json_add_str_or_null(o, "domain", ep->domain);
    dt_json_add_str_or_null(o, "company", ep->company.name);
    dt_json_add_str_or_null(o, "company_source", ep->company.source);
    cJSON_AddStringToObject(o, "transfer", dt_transfer_str(ep->transfer));
}

cJSON *dt_flow_json(const dt_input_info *in, const dt_flow *f, const dt_endpoint_info *ep,
                    int with_streams)
{
    const dt_flow_app *x = f->app;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "proto", f->proto == 6 ? "tcp" : "udp");
    cJSON_AddStringToObject(o, "app", dt_app_name(x ? (dt_app)x->app : DT_APP_UNKNOWN));
    cJSON_AddItemToObject(o, "client", side_json(&f->side[DT_CLIENT]));
    cJSON *srv = side_json(&f->side[DT_SERVER]);
    dt_json_add_str_or_null(srv, "name", x ? x->name : NULL);
    dt_json_add_str_or_null(srv, "name_source",
                    x ? dt_name_source_str((dt_name_source)x->name_source) : NULL);
    if (ep)
        add_endpoint(srv, ep);
    cJSON_AddItemToObject(o, "server", srv);
    dt_json_add_time(o, "first_seen", f->first_ns, f->ts_digits);
    dt_json_add_time(o, "last_seen", f->last_ns, f->ts_digits);
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
    dt_json_add_str_or_null(o, "tunnel", dt_tunnel_name((dt_tunnel)f->tunnel));
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
    if (with_streams && f->proto == 6) {
        cJSON *s = cJSON_CreateObject();
        cJSON_AddItemToObject(s, "c2s",
                              hex_string(x ? x->stream[0] : NULL, x ? x->stream_len[0] : 0));
        cJSON_AddItemToObject(s, "s2c",
                              hex_string(x ? x->stream[1] : NULL, x ? x->stream_len[1] : 0));
        cJSON_AddItemToObject(o, "streams", s);
    }
    return o;
}

