#include "proto/apps.h"
#include "util/netconst.h"
#include "util/pool.h"
#include "util/text.h"

#include "proto/doh.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The dispatch of stream prefixes and datagrams to the parsers of the
 * registry (lib/proto/registry.c), their per-flow state within its limit, the
 * DNS records of flows, and the naming of flows when they end. */

#define APPS_POOL_KEEP (4u << 20) /* free state kept per object size */

struct dt_apps {
    int keep_streams;
    size_t state_bytes, state_max; /* per-flow parser state, against DT_APPS_STATE_MAX */
    uint64_t state_refused;
    dt_dns_message_fn on_dns;
    void *on_dns_ctx;
    dt_resolve *resolve;
    dt_dns_msg msg;    /* scratch: one DNS message at a time */
    dt_pools pools;    /* the fixed-size state of ended flows, for the next ones */
    const dt_pii *pii; /* the personal data detector's settings, or NULL */
};

_Static_assert(DT_APP_COUNT <= DT_PARSER_APP_BASE, "apps of added parsers follow dt_app");

static const char *const app_names[DT_APP_COUNT] = {"unknown", "tls",   "quic",   "http", "dns",
                                                    "mdns",    "llmnr", "mqtt",   "ntp",  "ssdp",
                                                    "dtls",    "dhcp",  "dhcpv6", "coap", "stun"};

const char *dt_app_name(dt_app a)
{
    if ((unsigned)a < DT_APP_COUNT)
        return app_names[a];
    const char *n = dt_parser_app_name((int)a);
    return n ? n : "unknown";
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
    case DT_NAME_COAP_HOST:
        return "coap_host";
    case DT_NAME_STUN_REALM:
        return "stun_realm";
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
    dt_pools_init(&a->pools, APPS_POOL_KEEP);
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
    dt_pools_drain(&a->pools);
    dt_resolve_free(a->resolve);
    free(a);
}

const dt_resolve *dt_apps_resolver(const dt_apps *a)
{
    return a->resolve;
}

void dt_apps_set_pii(dt_apps *a, const dt_pii *pii)
{
    a->pii = pii;
}

const dt_pii *dt_apps_pii(const dt_apps *a)
{
    return a->pii;
}

void dt_apps_set_state_limit(dt_apps *a, size_t bytes)
{
    a->state_max = bytes;
}

uint64_t dt_apps_state_refused(const dt_apps *a)
{
    return a ? a->state_refused : 0;
}

/* Where state comes from: fixed-size state (the app, results, work buffers)
 * from the pools, zeroed or (a work buffer: its parser initialises it) not;
 * DNS records and what results point to, of any size, from malloc. */
enum { STATE_MALLOC, STATE_POOL, STATE_POOL_RAW };

/* Per-flow state, counted against the limit (x: the flow's, NULL for the app itself). */
static void *state_alloc(dt_apps *a, dt_flow_app *x, size_t size, int from)
{
    if (a->state_bytes + size > a->state_max) {
        a->state_refused++;
        return NULL;
    }
    void *p = from == STATE_POOL       ? dt_pools_get(&a->pools, size)
              : from == STATE_POOL_RAW ? dt_pools_take(&a->pools, size)
                                       : malloc(size);
    if (p) {
        a->state_bytes += size;
        if (x)
            x->state_bytes += size;
    }
    return p;
}

static void state_free(dt_flow_app *x, void *p, size_t size, int from)
{
    if (!p)
        return;
    if (from != STATE_MALLOC)
        dt_pools_put(&x->owner->pools, p, size);
    else
        free(p);
    x->owner->state_bytes -= size;
    x->state_bytes -= size;
}

/* A flow's parser state, made on its first payload. */
__attribute__((noinline)) static dt_flow_app *app_new(dt_apps *a, dt_flow *f)
{
    if ((f->app = state_alloc(a, NULL, sizeof *f->app, STATE_POOL)) != NULL) {
        f->app->owner = a;
        f->app->state_bytes = sizeof *f->app;
        const uint16_t ports[2] = {f->side[DT_CLIENT].port, f->side[DT_SERVER].port};
        dt_parsers_for_flow(f->tcp ? DT_TRANSPORT_TCP : DT_TRANSPORT_UDP, ports, f->app->active);
    }
    return f->app;
}

/* (inline: every datagram and stream step asks, nearly always for state that exists) */
static inline dt_flow_app *app_of(dt_apps *a, dt_flow *f)
{
    return f->app ? f->app : app_new(a, f);
}

void *dt_parser_result_new(const dt_parse_in *in, int slot)
{
    dt_flow_app *x = in->x;
    const dt_parser *p = dt_result_parser(slot);
    return x->result[slot] = state_alloc(x->owner, x, p->result_size, STATE_POOL);
}

void *dt_parser_result_extra(const dt_parse_in *in, size_t size)
{
    return state_alloc(in->x->owner, in->x, size, STATE_MALLOC);
}

void dt_parser_result_drop(const dt_parse_in *in, int slot)
{
    const dt_parser *p = dt_result_parser(slot);
    if (in->x->result[slot] && p->free_result) /* what it points to (counted until the flow ends) */
        p->free_result(in->x->result[slot]);
    state_free(in->x, in->x->result[slot], p->result_size, STATE_POOL);
    in->x->result[slot] = NULL;
}

void *dt_parser_work_new(const dt_parse_in *in, size_t size)
{
    dt_flow_app *x = in->x;
    x->work_size = size;
    return x->work = state_alloc(x->owner, x, size, STATE_POOL_RAW);
}

void dt_parser_work_drop(const dt_parse_in *in, size_t size)
{
    state_free(in->x, in->x->work, size, STATE_POOL_RAW);
    in->x->work = NULL;
}

dt_parse_status dt_parser_read_datagram(const dt_parse_in *in, int slot, int app, void *scratch,
                                        int (*read)(const uint8_t *p, size_t len, void *result))
{
    size_t size = dt_result_parser(slot)->result_size;
    void *d = in->x->result[slot];
    if (!d) {
        memset(scratch, 0, size);
        d = scratch;
    }
    int r = read(in->p, in->len, d);
    if (r < 0)
        return DT_PARSE_NOT_MINE;
    dt_flow_app_set(in->x, app);
    void *keep = r > 0 && d == scratch ? dt_parser_result(in, slot) : NULL;
    if (keep)
        memcpy(keep, scratch, size);
    return DT_PARSE_MORE;
}

/* Records one DNS message in the flow and, for responses, in the resolution table. */
void dt_apps_dns_message(dt_apps *a, dt_flow *f, const uint8_t *p, size_t len, uint64_t ts)
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
    dt_flow_dns *rec = state_alloc(a, x, d->bytes, STATE_MALLOC);
    if (!rec)
        return;
    memcpy(rec, buf, d->bytes);
    if (slot >= 0) {
        state_free(x, x->dns[slot], x->dns[slot]->bytes, STATE_MALLOC);
        x->dns[slot] = rec;
    } else {
        x->dns[x->n_dns++] = rec;
    }
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

/* Runs the parsers of mask m in table order (their bits in id order). */
static void run_parsers_of(const dt_parse_in *tmpl, uint32_t m)
{
    dt_parse_in in = *tmpl;
    dt_flow_app *x = in.x;
    while (m) {
        int id = __builtin_ctz(m);
        m &= m - 1;
        in.id = id;
        int8_t st = DT_ST(dt_parser_get(id)->parse(&in));
        x->st[id] = st;
        if (DT_ST_FINISHED(st)) {
            x->active[DT_CLIENT] &= ~(1u << id);
            x->active[DT_SERVER] &= ~(1u << id);
        }
    }
}

/* A flow whose parsers are all done (a quarter of the calls) costs no call. */
static inline void run_parsers(const dt_parse_in *tmpl, uint32_t m)
{
    if (m)
        run_parsers_of(tmpl, m);
}

/* Without parser state (its limit reached), only DT_PF_NO_STATE parsers run. */
static void run_stateless(dt_parse_in *in, int transport)
{
    const uint16_t ports[2] = {in->f->side[DT_CLIENT].port, in->f->side[DT_SERVER].port};
    for (int id = 0; id < dt_parser_count(); id++) {
        const dt_parser *p = dt_parser_get(id);
        if ((p->flags & DT_PF_NO_STATE) && p->transport == transport &&
            (p->dirs & (1 << in->dir)) && dt_parser_ports_match(p, ports)) {
            in->id = id;
            p->parse(in);
        }
    }
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
    dt_parse_in in = {a, f, x, 0, dir, p, len, f->last_ns, 0};
    run_parsers(&in, x->active[dir]);
    /* A parser that still wants more but already has the whole buffer never will. */
    if (len >= d->cap) {
        for (uint32_t m = x->active[dir]; m; m &= m - 1)
            x->st[__builtin_ctz(m)] = DT_ST_NOT_MINE;
        uint32_t done = x->active[dir];
        x->active[DT_CLIENT] &= ~done;
        x->active[DT_SERVER] &= ~done;
    }
    /* Nothing but passive parsers reads it: they get the last bytes, then it stops. */
    uint32_t passive = dt_parsers_passive();
    if (!(x->active[dir] & ~passive) && !a->keep_streams) {
        in.last = 1;
        run_parsers(&in, x->active[dir]);
        dt_tcp_dir_stop(d);
    }
}

void dt_apps_on_datagram(dt_apps *a, dt_flow *f, int dir, const uint8_t *p, size_t len,
                         uint64_t ts_ns)
{
    if (len == 0)
        return;
    dt_flow_app *x = app_of(a, f);
    dt_parse_in in = {a, f, x, 0, dir, p, len, ts_ns, 0};
    if (!x)
        run_stateless(&in, DT_TRANSPORT_UDP);
    else
        run_parsers(&in, x->active[dir]);
}

static void set_name(dt_flow_app *x, const char *name, dt_name_source src)
{
    if (!name || !name[0] || x->name_source)
        return;
    dt_copy_str(x->name, sizeof x->name, name);
    x->name_source = (uint8_t)src;
}

int dt_app_usual_port(dt_app app, uint16_t port)
{
    /* IANA's ports of HTTP, of protocols over TLS (HTTPS, SMTPS, NNTPS, LDAPS,
     * DoT, FTPS, TELNETS, IMAPS, IRCS, POP3S, SIPS, AMQPS, MQTTS), of DNS */
    static const uint16_t http[] = {80, 591, 8008, 8080, 0},
                          tls[] = {443, 465, 563,  636,  853,  989,  990,  992, 993,
                                   994, 995, 5061, 5671, 6697, 8443, 8883, 0},
                          dns[] = {DT_PORT_DNS, DT_PORT_MDNS, DT_PORT_LLMNR, 0};
    const uint16_t *p = app == DT_APP_HTTP  ? http
                        : app == DT_APP_TLS ? tls
                        : app == DT_APP_DNS ? dns
                                            : NULL;
    if (!p)
        return 1;
    while (*p && *p != port)
        p++;
    return *p != 0;
}

void dt_apps_flow_end(dt_apps *a, dt_flow *f)
{
    dt_flow_app *x = f->app;
    if (!x && !(x = app_of(a, f)))
        return;
    x->by_content = !dt_app_usual_port((dt_app)x->app, f->side[DT_CLIENT].port) &&
                    !dt_app_usual_port((dt_app)x->app, f->side[DT_SERVER].port);
    const dt_tls_client *tc = dt_app_tls_client(x), *qc = dt_app_quic_hello(x);
    const dt_http_info *h = dt_app_http(x);
    const dt_flow_cert *c = dt_app_tls_cert(x);
    if (tc)
        set_name(x, tc->sni, DT_NAME_TLS_SNI);
    if (qc)
        set_name(x, qc->sni, DT_NAME_QUIC_SNI);
    if (h && x->app == DT_APP_HTTP) {
        char host[256];
        dt_copy_str(host, sizeof host, h->host);
        char *colon = strrchr(host, ':');
        if (colon && host[0] != '[' && strchr(host, ':') == colon)
            *colon = '\0'; /* "host:8080" names host; an IPv6 literal keeps its colons */
        set_name(x, host, DT_NAME_HTTP_HOST);
    }
    const dt_coap_info *cp = dt_app_coap(x);
    if (cp)
        set_name(x, cp->uri_host, DT_NAME_COAP_HOST);
    const dt_stun_info *st = dt_app_stun(x);
    if (st && dt_stun_realm_is_domain(st->realm))
        set_name(x, st->realm, DT_NAME_STUN_REALM);
    if (!x->name_source) {
        const char *n =
            dt_resolve_lookup(a->resolve, &f->side[DT_SERVER].ip, f->first_ns, NULL, NULL);
        set_name(x, n, DT_NAME_DNS);
    }
    if (c) {
        const char *cn = dt_flow_cert_subject_cn(c);
        set_name(x, cn[0] ? cn : (c->n_san ? dt_flow_cert_san(c, 0) : NULL), DT_NAME_CERT);
    }
    x->encrypted_dns = (uint8_t)dt_encrypted_dns_kind(f->side[DT_SERVER].port, tc, qc);
    dt_parse_in in = {a, f, x, 0, DT_CLIENT, NULL, 0, f->last_ns, 1};
    for (uint32_t m = dt_parsers_with_end(); m; m &= m - 1) {
        in.id = __builtin_ctz(m);
        dt_parser_get(in.id)->end(&in);
    }
}

void dt_apps_flow_free(dt_flow *f)
{
    dt_flow_app *x = f->app;
    if (!x)
        return;
    dt_apps *a = x->owner;
    a->state_bytes -= x->state_bytes;
    /* a flow has few of the results: their parser looked up only for those */
    for (int slot = 0, n = dt_result_count(); slot < n; slot++) {
        void *res = x->result[slot];
        if (!res)
            continue;
        const dt_parser *p = dt_result_parser(slot);
        if (p->free_result)
            p->free_result(res);
        dt_pools_put(&a->pools, res, p->result_size);
    }
    if (x->work)
        dt_pools_put(&a->pools, x->work, x->work_size);
    for (int i = 0; i < x->n_dns; i++)
        free(x->dns[i]);
    free(x->stream[0]);
    free(x->stream[1]);
    dt_pools_put(&a->pools, x, sizeof *x);
    f->app = NULL;
}
