#include "proto/apps.h"

#include "util/cursor.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Parser state as stored per flow: 0 = not tried yet. */
#define ST(s) ((int8_t)((s) + 2))
#define ST_NONE 0
#define ST_NOT_MINE ST(DT_PARSE_NOT_MINE)
#define ST_MORE ST(DT_PARSE_MORE)
#define ST_DONE ST(DT_PARSE_DONE)
#define FINISHED(st) ((st) == ST_NOT_MINE || (st) == ST_DONE)

struct dt_apps {
    int keep_streams;
    size_t state_bytes, state_max; /* per-flow parser state, against DT_APPS_STATE_MAX */
    uint64_t state_refused;
    dt_dns_message_fn on_dns;
    void *on_dns_ctx;
    dt_resolve *resolve;
    dt_dns_msg msg; /* scratch: one DNS message at a time */
};

static const char *const app_names[DT_APP_COUNT] = {"unknown", "tls",   "quic", "http", "dns",
                                                    "mdns",    "llmnr", "mqtt", "ntp",  "ssdp"};

const char *dt_app_name(dt_app a)
{
    return a < DT_APP_COUNT ? app_names[a] : "unknown";
}

const char *dt_name_source_str(dt_name_source s)
{
    switch (s) {
    case DT_NAME_TLS_SNI:
        return "tls_sni";
    case DT_NAME_QUIC_SNI:
        return "quic_sni";
    case DT_NAME_HTTP_HOST:
        return "http_host";
    case DT_NAME_DNS:
        return "dns";
    case DT_NAME_CERT:
        return "cert";
    default:
        return NULL;
    }
}

void dt_apps_on_dns(dt_apps *a, dt_dns_message_fn fn, void *ctx)
{
    a->on_dns = fn;
    a->on_dns_ctx = ctx;
}

dt_apps *dt_apps_new(int keep_streams)
{
    dt_apps *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->keep_streams = keep_streams;
    a->state_max = DT_APPS_STATE_MAX;
    a->resolve = dt_resolve_new(1u << 16);
    if (!a->resolve) {
        free(a);
        return NULL;
    }
    return a;
}

void dt_apps_free(dt_apps *a)
{
    if (!a)
        return;
    assert(a->state_bytes == 0); /* every flow's state was given back */
    dt_resolve_free(a->resolve);
    free(a);
}

const dt_resolve *dt_apps_resolver(const dt_apps *a)
{
    return a->resolve;
}

void dt_apps_set_state_limit(dt_apps *a, size_t bytes)
{
    a->state_max = bytes;
}

uint64_t dt_apps_state_refused(const dt_apps *a)
{
    return a ? a->state_refused : 0;
}

/* Per-flow state, counted against the limit (x: the flow's, NULL for the app itself). */
static void *state_alloc(dt_apps *a, dt_flow_app *x, size_t size, int zero)
{
    if (a->state_bytes + size > a->state_max) {
        a->state_refused++;
        return NULL;
    }
    void *p = zero ? calloc(1, size) : malloc(size);
    if (p) {
        a->state_bytes += size;
        if (x)
            x->state_bytes += size;
    }
    return p;
}

static void state_free(dt_flow_app *x, void *p, size_t size)
{
    if (!p)
        return;
    free(p);
    x->owner->state_bytes -= size;
    x->state_bytes -= size;
}

static dt_flow_app *app_of(dt_apps *a, dt_flow *f)
{
    if (!f->app && (f->app = state_alloc(a, NULL, sizeof *f->app, 1)) != NULL) {
        f->app->owner = a;
        f->app->state_bytes = sizeof *f->app;
    }
    return f->app;
}

/* Allocates a parser's per-flow result of flow app x once (per flow, never
 * per packet). */
#define ENSURE(ptr) ((ptr) ? (ptr) : ((ptr) = state_alloc(x->owner, x, sizeof *(ptr), 1)))

static int either_port(const dt_flow *f, uint16_t p)
{
    return f->side[DT_CLIENT].port == p || f->side[DT_SERVER].port == p;
}

static void set_app(dt_flow_app *x, dt_app app)
{
    if (x->app == DT_APP_UNKNOWN)
        x->app = (uint8_t)app;
}

/* Records one DNS message in the flow and, for responses, in the resolution table. */
static void on_dns_message(dt_apps *a, dt_flow *f, const uint8_t *p, size_t len, uint64_t ts)
{
    if (dt_dns_parse(p, len, &a->msg) != 0)
        return;
    const dt_dns_msg *m = &a->msg;
    if (m->response)
        dt_resolve_add_msg(a->resolve, m, ts);
    /* NULL past the parser state limit: the message still names flows (above)
     * and reaches the report's table (below) */
    dt_flow_app *x = app_of(a, f);
    if (x)
        x->dns_messages++;
    /* Keep responses (or unanswered queries) per flow; a response replaces its query. */
    int slot = -1;
    for (int i = 0; x && i < x->n_dns; i++)
        if (!x->dns[i]->response && x->dns[i]->type == m->qtype &&
            dt_dns_name_eq(dt_flow_dns_name(x->dns[i]), m->qname))
            slot = i;
    /* the record, built on the stack and then allocated to its size */
    _Alignas(dt_flow_dns) char buf[sizeof(dt_flow_dns) + DT_DNS_NAME_MAX * (1 + DT_DNS_MAX_CHAIN) +
                                   DT_ADDR_STRLEN * DT_DNS_MAX_ANSWERS];
    dt_flow_dns *d = (dt_flow_dns *)buf;
    char *end = buf + sizeof buf, *t = d->text;
    d->type = m->qtype;
    d->rcode = m->rcode;
    d->response = (uint8_t)m->response;
    d->n_answers = d->n_chain = 0;
    size_t ql = strnlen(m->qname, DT_DNS_NAME_MAX - 1);
    memcpy(t, m->qname, ql);
    t[ql] = '\0';
    t += ql + 1;
    for (int i = 0; i < m->n_rr && d->n_answers < DT_DNS_MAX_ANSWERS; i++) {
        const dt_dns_rr *rr = &m->rr[i];
        if (!rr->addr.family || end - t < DT_ADDR_STRLEN)
            continue;
        d->answer_at[d->n_answers++] = (uint16_t)(t - d->text);
        t += strlen(dt_addr_str(&rr->addr, t, DT_ADDR_STRLEN)) + 1;
    }
    const char *chain[DT_DNS_MAX_CHAIN];
    int n = dt_dns_cname_chain(m, chain, DT_DNS_MAX_CHAIN);
    for (int i = 0; i < n; i++) {
        size_t l = strnlen(chain[i], DT_DNS_NAME_MAX - 1);
        if ((size_t)(end - t) <= l)
            break;
        d->chain_at[d->n_chain++] = (uint16_t)(t - d->text);
        memcpy(t, chain[i], l);
        t[l] = '\0';
        t += l + 1;
    }
    d->bytes = (uint16_t)(t - buf);
    if (a->on_dns)
        a->on_dns(a->on_dns_ctx, d);
    if (!x || (slot < 0 && x->n_dns == DT_FLOW_MAX_DNS))
        return;
    dt_flow_dns *rec = state_alloc(a, x, d->bytes, 0);
    if (!rec)
        return;
    memcpy(rec, buf, d->bytes);
    if (slot >= 0) {
        state_free(x, x->dns[slot], x->dns[slot]->bytes);
        x->dns[slot] = rec;
    } else {
        x->dns[x->n_dns++] = rec;
    }
}

/* MQTT CONNECT (MQTT 3.1 "MQIsdp" or 3.1.1/5 "MQTT"): fixed header 0x10. */
static dt_parse_status mqtt_connect(const uint8_t *p, size_t len)
{
    dt_cur c = dt_cur_make(p, len);
    if (dt_u8(&c) != 0x10)
        return c.err ? DT_PARSE_MORE : DT_PARSE_NOT_MINE;
    for (int i = 0; i < 4; i++) { /* remaining length: up to 4 varint bytes */
        uint8_t b = dt_u8(&c);
        if (!(b & 0x80))
            break;
    }
    uint16_t n = dt_be16(&c);
    const uint8_t *name = dt_bytes(&c, n);
    if (!name)
        return len < 64 ? DT_PARSE_MORE : DT_PARSE_NOT_MINE;
    if ((n == 4 && memcmp(name, "MQTT", 4) == 0) || (n == 6 && memcmp(name, "MQIsdp", 6) == 0))
        return DT_PARSE_DONE;
    return DT_PARSE_NOT_MINE;
}

static void keep_stream(dt_apps *a, dt_flow *f, int dir)
{
    dt_flow_app *x = f->app;
    if (!a->keep_streams || !x)
        return;
    size_t n = dt_tcp_dir_contig(&f->tcp[dir]);
    if (n <= x->stream_len[dir])
        return;
    uint8_t *nb = realloc(x->stream[dir], n);
    if (!nb)
        return;
    memcpy(nb, dt_tcp_dir_data(&f->tcp[dir]), n);
    x->stream[dir] = nb;
    x->stream_len[dir] = n;
}

/* TLS usually starts the stream, but after STARTTLS (SMTP, IMAP, POP3, FTP,
 * XMPP), an HTTP CONNECT, a SOCKS or PROXY-protocol preamble it starts later:
 * look for a handshake record carrying a ClientHello (1) or ServerHello (2)
 * within the first TLS_SEARCH bytes. */
#define TLS_SEARCH 8192

static int tls_record_at(const uint8_t *p, size_t len, size_t k, uint8_t hs_type)
{
    return k + 6 <= len && p[k] == 0x16 && p[k + 1] == 0x03 && p[k + 2] <= 0x04 &&
           p[k + 5] == hs_type && dt_rd_be16(p + k + 3) >= 4;
}

static int8_t tls_step(dt_flow_app *x, int dir, const uint8_t *p, size_t len)
{
    uint8_t hs_type = dir == DT_CLIENT ? 1 : 2;
    if (!x->tls_found[dir]) {
        size_t k = x->tls_scan[dir];
        while (k + 6 <= len && k < TLS_SEARCH && !tls_record_at(p, len, k, hs_type))
            k++;
        if (k + 6 > len && k < TLS_SEARCH) {
            x->tls_scan[dir] = k;
            return ST_MORE;
        }
        if (k >= TLS_SEARCH)
            return ST_NOT_MINE;
        x->tls_found[dir] = 1;
        x->tls_scan[dir] = k;
    }
    size_t off = x->tls_scan[dir];
    if (dir == DT_CLIENT)
        return ENSURE(x->tls_c) ? ST(dt_tls_parse_client_stream(p + off, len - off, x->tls_c))
                                : ST_NOT_MINE;
    return ENSURE(x->tls_s) ? ST(dt_tls_parse_server_stream(p + off, len - off, x->tls_s))
                            : ST_NOT_MINE;
}

/* Length of a SOCKS4/4a or SOCKS5 client preamble (greeting + CONNECT
 * request) at the start of a stream; 0 if there is none, -2 if more bytes are
 * needed to tell. */
static int64_t socks_request_len(const uint8_t *p, size_t len)
{
    dt_cur c = dt_cur_make(p, len);
    uint8_t ver = dt_u8(&c);
    if (ver == 4) {
        if (dt_u8(&c) != 1)
            return 0;
        dt_skip(&c, 2);
        const uint8_t *ip = dt_bytes(&c, 4);
        for (int part = 0; part < (ip && !ip[0] && !ip[1] && !ip[2] && ip[3] ? 2 : 1); part++) {
            const uint8_t *z = memchr(dt_ptr(&c), 0, dt_left(&c));
            if (!z)
                return dt_left(&c) > 255 ? 0 : -2;
            dt_skip(&c, (size_t)(z - dt_ptr(&c)) + 1);
        }
        return c.err ? -2 : (int64_t)c.pos;
    }
    if (ver != 5)
        return 0;
    uint8_t n = dt_u8(&c);
    if (n == 0 || n > 16)
        return 0;
    dt_skip(&c, n);
    if (dt_has(&c, 1) && dt_ptr(&c)[0] != 5)
        return 0; /* authentication sub-negotiation or not SOCKS: leave it */
    uint8_t v = dt_u8(&c), cmd = dt_u8(&c);
    dt_skip(&c, 1);
    uint8_t atyp = dt_u8(&c);
    if (c.err)
        return -2;
    if (v != 5 || cmd != 1)
        return 0;
    size_t alen = atyp == 1 ? 4 : atyp == 4 ? 16 : atyp == 3 ? (size_t)dt_u8(&c) : 0;
    if (alen == 0)
        return c.err ? -2 : 0;
    dt_skip(&c, alen + 2);
    return c.err ? -2 : (int64_t)c.pos;
}

static int dir_finished(const dt_flow_app *x, int dir)
{
    if (dir == DT_CLIENT)
        return FINISHED(x->tls_c_st) && FINISHED(x->http_st) && FINISHED(x->mqtt_st) &&
               FINISHED(x->dns_tcp_st);
    return FINISHED(x->tls_s_st) && FINISHED(x->dns_tcp_st);
}

void dt_apps_on_stream(dt_apps *a, dt_flow *f, int dir)
{
    dt_flow_app *x = app_of(a, f);
    if (!x)
        return;
    dt_tcp_dir *d = &f->tcp[dir];
    const uint8_t *p = dt_tcp_dir_data(d);
    size_t len = dt_tcp_dir_contig(d);
    if (len == 0)
        return;
    keep_stream(a, f, dir);

    if (dir == DT_CLIENT) {
        if (!FINISHED(x->tls_c_st)) {
            x->tls_c_st = tls_step(x, DT_CLIENT, p, len);
            if (x->tls_c_st == ST_DONE && x->tls_c->present)
                x->app = DT_APP_TLS; /* also after STARTTLS, CONNECT or SOCKS */
        }
        if (!FINISHED(x->http_st)) {
            size_t off = x->http_off;
            if (off == 0 && !x->socks_checked) {
                /* A SOCKS request first: HTTP (if any) follows it. */
                int64_t o = socks_request_len(p, len);
                if (o == -2)
                    goto wait_socks;
                x->socks_checked = 1;
                if (o > 0)
                    x->http_off = off = (size_t)o;
            }
            if (x->app == DT_APP_TLS || !ENSURE(x->http))
                x->http_st = ST_NOT_MINE;
            else if (off < len)
                x->http_st = ST(dt_http_parse_client_stream(p + off, len - off, x->http));
        wait_socks:
            if (x->http && x->http->present)
                set_app(x, DT_APP_HTTP);
        }
        if (!FINISHED(x->mqtt_st)) {
            x->mqtt_st = x->app ? ST_NOT_MINE : ST(mqtt_connect(p, len));
            if (x->mqtt_st == ST_DONE)
                set_app(x, DT_APP_MQTT);
        }
    } else {
        /* The server side is parsed once the client side showed TLS (or
         * before the ClientHello is complete, if it starts like TLS). */
        if (!FINISHED(x->tls_s_st))
            x->tls_s_st = x->tls_c_st == ST_NOT_MINE ? ST_NOT_MINE : tls_step(x, DT_SERVER, p, len);
    }
    if (!FINISHED(x->dns_tcp_st)) {
        if (!either_port(f, 53) && !either_port(f, 5353)) {
            x->dns_tcp_st = ST_NOT_MINE;
        } else {
            /* Length-prefixed messages: parse each new complete one. */
            const uint8_t *msg;
            size_t n;
            while ((n = dt_dns_tcp_next(p, len, &x->dns_tcp_off[dir], &msg)) > 0)
                on_dns_message(a, f, msg, n, f->last_ns);
            if (x->dns_messages)
                set_app(x, DT_APP_DNS);
            x->dns_tcp_st = ST_MORE;
        }
    }
    /* A parser that still wants more but already has the whole buffer never will. */
    if (len >= d->cap) {
        if (dir == DT_CLIENT) {
            if (!FINISHED(x->tls_c_st))
                x->tls_c_st = ST_NOT_MINE;
            if (!FINISHED(x->http_st))
                x->http_st = ST_NOT_MINE;
            if (!FINISHED(x->mqtt_st))
                x->mqtt_st = ST_NOT_MINE;
        } else if (!FINISHED(x->tls_s_st)) {
            x->tls_s_st = ST_NOT_MINE;
        }
        if (!FINISHED(x->dns_tcp_st))
            x->dns_tcp_st = ST_DONE;
    }
    if (dir_finished(x, dir) && !a->keep_streams)
        dt_tcp_dir_stop(d);
}

void dt_apps_on_datagram(dt_apps *a, dt_flow *f, int dir, const uint8_t *p, size_t len,
                         uint64_t ts_ns)
{
    if (len == 0)
        return;
    dt_flow_app *x = app_of(a, f);
    if (either_port(f, 53) || either_port(f, 5353) || either_port(f, 5355)) {
        on_dns_message(a, f, p, len, ts_ns);
        if (x && x->dns_messages)
            set_app(x, either_port(f, 5353)   ? DT_APP_MDNS
                       : either_port(f, 5355) ? DT_APP_LLMNR
                                              : DT_APP_DNS);
        return;
    }
    if (!x)
        return;
    if (dir == DT_CLIENT && x->quic_st != ST_NOT_MINE && x->quic_st != ST_DONE) {
        if (!ENSURE(x->quic) || !ENSURE(x->quic_info)) {
            x->quic_st = ST_NOT_MINE;
        } else {
            if (x->quic_st == ST_NONE)
                dt_quic_init(x->quic);
            x->quic_st = ST(dt_quic_feed(x->quic, p, len, x->quic_info));
            if (x->quic_info->present)
                set_app(x, DT_APP_QUIC);
            if (FINISHED(x->quic_st)) { /* the 16 KiB CRYPTO buffer is no longer needed */
                state_free(x, x->quic, sizeof *x->quic);
                x->quic = NULL;
                if (!x->quic_info->present) { /* nor 1.2 KiB of results for a non-QUIC flow */
                    state_free(x, x->quic_info, sizeof *x->quic_info);
                    x->quic_info = NULL;
                }
            }
        }
    }
    if (either_port(f, 1900) && dir == DT_CLIENT && !x->http) {
        if (ENSURE(x->http) && dt_http_parse_client_stream(p, len, x->http) != DT_PARSE_NOT_MINE &&
            x->http->present)
            set_app(x, DT_APP_SSDP);
    }
    if (either_port(f, 123) && len >= 48)
        set_app(x, DT_APP_NTP);
}

/* Public DNS-over-HTTPS resolvers (their service names, as the clients of
 * Android, Chrome, Firefox and iOS use them). */
static const char *const doh_names[] = {
    "dns.google",
    "dns64.dns.google",
    "cloudflare-dns.com",
    "mozilla.cloudflare-dns.com",
    "one.one.one.one",
    "1dot1dot1dot1.cloudflare-dns.com",
    "security.cloudflare-dns.com",
    "family.cloudflare-dns.com",
    "dns.quad9.net",
    "dns9.quad9.net",
    "dns10.quad9.net",
    "dns11.quad9.net",
    "doh.opendns.com",
    "dns.nextdns.io",
    "doh.cleanbrowsing.org",
    "dns.adguard.com",
    "dns.adguard-dns.com",
    "doh.dns.sb",
    "dns.alidns.com",
    "doh.pub",
    "dns.twnic.tw",
    "doh.mullvad.net",
    "dns.mullvad.net",
    "chrome.cloudflare-dns.com",
};

static int alpn_has(const dt_tls_client *c, const char *proto)
{
    for (int i = 0; i < c->n_alpn; i++)
        if (!strcmp(c->alpn[i], proto))
            return 1;
    return 0;
}

/* 1 DNS over TLS (port 853 or ALPN "dot"), 2 DNS over HTTPS (a known
 * resolver name), 3 DNS over QUIC (ALPN "doq", or QUIC on port 853); else 0. */
static int encrypted_dns_kind(const dt_flow *f, const dt_flow_app *x)
{
    const dt_tls_client *c = x->tls_c && x->tls_c->present ? x->tls_c : NULL;
    const dt_tls_client *q =
        x->quic_info && x->quic_info->hello.present ? &x->quic_info->hello : NULL;
    if (q && (alpn_has(q, "doq") || f->side[DT_SERVER].port == 853))
        return 3;
    if (c && (f->side[DT_SERVER].port == 853 || alpn_has(c, "dot")))
        return 1;
    const char *sni = c ? c->sni : q ? q->sni : NULL;
    if (sni)
        for (size_t i = 0; i < sizeof doh_names / sizeof doh_names[0]; i++)
            if (!strcasecmp(sni, doh_names[i]))
                return 2;
    return 0;
}

static void set_name(dt_flow_app *x, const char *name, dt_name_source src)
{
    if (!name || !name[0] || x->name_source)
        return;
    snprintf(x->name, sizeof x->name, "%s", name);
    x->name_source = (uint8_t)src;
}

void dt_apps_flow_end(dt_apps *a, dt_flow *f)
{
    dt_flow_app *x = f->app;
    if (!x && !(x = app_of(a, f)))
        return;
    if (x->tls_c && x->tls_c->present)
        set_name(x, x->tls_c->sni, DT_NAME_TLS_SNI);
    if (x->quic_info && x->quic_info->hello.present)
        set_name(x, x->quic_info->hello.sni, DT_NAME_QUIC_SNI);
    if (x->http && x->http->present && x->app == DT_APP_HTTP) {
        char host[256];
        snprintf(host, sizeof host, "%s", x->http->host);
        char *colon = strrchr(host, ':');
        if (colon && host[0] != '[' && strchr(host, ':') == colon)
            *colon = '\0'; /* "host:8080" names host; an IPv6 literal keeps its colons */
        set_name(x, host, DT_NAME_HTTP_HOST);
    }
    if (!x->name_source) {
        const char *n =
            dt_resolve_lookup(a->resolve, &f->side[DT_SERVER].ip, f->first_ns, NULL, NULL);
        set_name(x, n, DT_NAME_DNS);
    }
    if (x->tls_s && x->tls_s->cert.present) {
        const dt_tls_cert *c = &x->tls_s->cert;
        set_name(x, c->subject_cn[0] ? c->subject_cn : (c->n_san ? c->san[0] : NULL), DT_NAME_CERT);
    }
    x->encrypted_dns = (uint8_t)encrypted_dns_kind(f, x);
}

void dt_apps_flow_free(dt_flow *f)
{
    dt_flow_app *x = f->app;
    if (!x)
        return;
    x->owner->state_bytes -= x->state_bytes;
    free(x->tls_c);
    free(x->tls_s);
    free(x->http);
    free(x->quic);
    free(x->quic_info);
    for (int i = 0; i < x->n_dns; i++)
        free(x->dns[i]);
    free(x->stream[0]);
    free(x->stream[1]);
    free(x);
    f->app = NULL;
}
