/* Unit tests for lib/run/engine.c: packets built here are pushed through
 * dt_engine_new/feed/finish, and the flows the sink receives are checked;
 * dt_engine_run() (the file wrapper) gives the same as feeding a file's
 * packets by hand. */
#include "check.h"
#include "capture/capture.h"
#include "proto/apps.h"
#include "run/engine.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LT_ETHERNET 1
#define T0 1666599300000000000ull /* 2022-10-24T08:15:00Z */

/* ------------------------------------------------------------------------ */
/* Packets: Ethernet / IPv4 / TCP or UDP / payload.                          */

typedef struct pkt {
    uint8_t b[2048];
    size_t n;
} pkt;

static void put8(pkt *p, unsigned v)
{
    p->b[p->n++] = (uint8_t)v;
}
static void put16(pkt *p, unsigned v)
{
    put8(p, v >> 8);
    put8(p, v);
}
static void put32(pkt *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p, v & 0xffff);
}
static void putmem(pkt *p, const void *m, size_t n)
{
    if (n) /* m may be NULL when there is nothing to copy */
        memcpy(p->b + p->n, m, n);
    p->n += n;
}
static void patch16(pkt *p, size_t at, unsigned v)
{
    p->b[at] = (uint8_t)(v >> 8);
    p->b[at + 1] = (uint8_t)v;
}

typedef struct endpoint {
    uint8_t ip[4];
    uint16_t port;
} endpoint;

static const endpoint CLIENT = {{192, 168, 1, 20}, 40000};
static const endpoint SERVER = {{1, 12, 36, 7}, 443};
static const endpoint DNS_CLIENT = {{192, 168, 1, 20}, 5353};
static const endpoint RESOLVER = {{192, 168, 1, 1}, 53};

/* Ethernet + IPv4 headers; returns where the IPv4 total length goes. */
static size_t eth_ip4(pkt *p, const endpoint *s, const endpoint *d, uint8_t proto)
{
    static const uint8_t mac_a[6] = {2, 0, 0, 0, 0, 1}, mac_b[6] = {2, 0, 0, 0, 0, 2};
    p->n = 0;
    putmem(p, mac_b, 6);
    putmem(p, mac_a, 6);
    put16(p, 0x0800);
    size_t ip = p->n;
    put8(p, 0x45);
    put8(p, 0);
    put16(p, 0); /* total length: patched */
    put16(p, 1);
    put16(p, 0x4000); /* DF */
    put8(p, 64);
    put8(p, proto);
    put16(p, 0); /* checksum: not checked */
    putmem(p, s->ip, 4);
    putmem(p, d->ip, 4);
    return ip;
}

static void tcp(pkt *p, const endpoint *s, const endpoint *d, uint32_t seq, uint32_t ack,
                uint8_t flags, const void *payload, size_t n)
{
    size_t ip = eth_ip4(p, s, d, 6);
    put16(p, s->port);
    put16(p, d->port);
    put32(p, seq);
    put32(p, ack);
    put8(p, 5 << 4);
    put8(p, flags);
    put16(p, 65535);
    put16(p, 0);
    put16(p, 0);
    putmem(p, payload, n);
    patch16(p, ip + 2, (unsigned)(p->n - ip));
}

static void udp(pkt *p, const endpoint *s, const endpoint *d, const void *payload, size_t n)
{
    size_t ip = eth_ip4(p, s, d, 17);
    put16(p, s->port);
    put16(p, d->port);
    put16(p, (unsigned)(8 + n));
    put16(p, 0);
    putmem(p, payload, n);
    patch16(p, ip + 2, (unsigned)(p->n - ip));
}

/* A TLS record with a ClientHello naming sni. */
static size_t client_hello(uint8_t *out, const char *sni)
{
    pkt h = {.n = 0};
    put8(&h, 0x16); /* handshake record */
    put16(&h, 0x0301);
    put16(&h, 0); /* record length: patched */
    put8(&h, 1);  /* ClientHello */
    put8(&h, 0);
    put16(&h, 0); /* handshake length (24 bits, small): patched */
    put16(&h, 0x0303);
    for (int i = 0; i < 32; i++)
        put8(&h, (unsigned)i);
    put8(&h, 0);  /* session id */
    put16(&h, 2); /* cipher suites */
    put16(&h, 0x1301);
    put8(&h, 1); /* compression methods */
    put8(&h, 0);
    size_t ext = h.n;
    put16(&h, 0); /* extensions length: patched */
    put16(&h, 0); /* server_name */
    size_t n = strlen(sni);
    put16(&h, (unsigned)(n + 5));
    put16(&h, (unsigned)(n + 3));
    put8(&h, 0);
    put16(&h, (unsigned)n);
    putmem(&h, sni, n);
    patch16(&h, ext, (unsigned)(h.n - ext - 2));
    patch16(&h, 3, (unsigned)(h.n - 5));
    patch16(&h, 7, (unsigned)(h.n - 9));
    memcpy(out, h.b, h.n);
    return h.n;
}

/* A DNS query (answer == NULL) or its response with one A record. */
static size_t dns_message(uint8_t *out, const char *name, const uint8_t *answer)
{
    pkt m = {.n = 0};
    put16(&m, 0x1234);
    put16(&m, answer ? 0x8180 : 0x0100);
    put16(&m, 1);
    put16(&m, answer ? 1 : 0);
    put16(&m, 0);
    put16(&m, 0);
    for (const char *l = name; *l;) {
        const char *dot = strchr(l, '.');
        size_t len = dot ? (size_t)(dot - l) : strlen(l);
        put8(&m, (unsigned)len);
        putmem(&m, l, len);
        l += len + (dot ? 1 : 0);
    }
    put8(&m, 0);
    put16(&m, 1); /* A */
    put16(&m, 1); /* IN */
    if (answer) {
        put16(&m, 0xc00c); /* the question's name */
        put16(&m, 1);
        put16(&m, 1);
        put32(&m, 300);
        put16(&m, 4);
        putmem(&m, answer, 4);
    }
    memcpy(out, m.b, m.n);
    return m.n;
}

/* ------------------------------------------------------------------------ */
/* What the sink and the callbacks saw.                                      */

typedef struct seen_flow {
    uint8_t proto, end_reason, syn, synack, fin;
    char client[DT_ADDR_STRLEN], server[DT_ADDR_STRLEN];
    uint16_t client_port, server_port;
    uint64_t client_packets, server_packets, client_payload;
    uint32_t input;
    char name[256];
    char input_path[64];
} seen_flow;

typedef struct seen {
    seen_flow flows[64];
    int n_flows;
    int dns_messages;
    char dns_name[64];
    int errors;
    char error[256];
} seen;

static void sink(void *ctx, const dt_input_info *in, const dt_flow *f)
{
    seen *s = ctx;
    if (s->n_flows == 64)
        return;
    seen_flow *o = &s->flows[s->n_flows++];
    o->proto = f->proto;
    o->end_reason = f->end_reason;
    o->syn = f->syn;
    o->synack = f->synack;
    o->fin = f->fin;
    dt_addr_str(&f->side[DT_CLIENT].ip, o->client, sizeof o->client);
    dt_addr_str(&f->side[DT_SERVER].ip, o->server, sizeof o->server);
    o->client_port = f->side[DT_CLIENT].port;
    o->server_port = f->side[DT_SERVER].port;
    o->client_packets = f->side[DT_CLIENT].packets;
    o->server_packets = f->side[DT_SERVER].packets;
    o->client_payload = f->side[DT_CLIENT].payload;
    o->input = f->input;
    snprintf(o->name, sizeof o->name, "%s", f->app ? f->app->name : "");
    snprintf(o->input_path, sizeof o->input_path, "%s", in->path ? in->path : "");
}

static void on_dns(void *ctx, const dt_flow_dns *rec)
{
    seen *s = ctx;
    s->dns_messages++;
    snprintf(s->dns_name, sizeof s->dns_name, "%s", dt_flow_dns_name(rec));
}

static void on_error(void *ctx, const dt_input_info *in, const dt_input_error *e)
{
    seen *s = ctx;
    (void)in;
    s->errors++;
    snprintf(s->error, sizeof s->error, "%s", e->message);
}

static void feed(dt_engine *e, const pkt *p, uint64_t ts)
{
    dt_engine_feed(e, LT_ETHERNET, ts, p->b, (uint32_t)p->n, (uint32_t)p->n);
}

/* A DNS lookup, then a TLS connection to the answer: 2 + 8 packets. */
static void feed_session(dt_engine *e, uint64_t *bytes)
{
    static const uint8_t addr[4] = {1, 12, 36, 7};
    uint8_t msg[512];
    pkt p;
    uint64_t t = T0;
    *bytes = 0;
#define FEED()                                                                                     \
    do {                                                                                           \
        feed(e, &p, t);                                                                            \
        *bytes += p.n;                                                                             \
        t += 1000000;                                                                              \
    } while (0)
    udp(&p, &DNS_CLIENT, &RESOLVER, msg, dns_message(msg, "host.example.com", NULL));
    FEED();
    udp(&p, &RESOLVER, &DNS_CLIENT, msg, dns_message(msg, "host.example.com", addr));
    FEED();

    uint32_t c = 1000, s = 5000;
    tcp(&p, &CLIENT, &SERVER, c, 0, 0x02, NULL, 0); /* SYN */
    FEED();
    tcp(&p, &SERVER, &CLIENT, s, c + 1, 0x12, NULL, 0); /* SYN-ACK */
    FEED();
    tcp(&p, &CLIENT, &SERVER, c + 1, s + 1, 0x10, NULL, 0); /* ACK */
    FEED();
    size_t n = client_hello(msg, "host.example.com");
    tcp(&p, &CLIENT, &SERVER, c + 1, s + 1, 0x18, msg, n); /* PSH-ACK: ClientHello */
    FEED();
    tcp(&p, &SERVER, &CLIENT, s + 1, c + 1 + (uint32_t)n, 0x10, NULL, 0);
    FEED();
    tcp(&p, &CLIENT, &SERVER, c + 1 + (uint32_t)n, s + 1, 0x11, NULL, 0); /* FIN-ACK */
    FEED();
    tcp(&p, &SERVER, &CLIENT, s + 1, c + 2 + (uint32_t)n, 0x11, NULL, 0);
    FEED();
    tcp(&p, &CLIENT, &SERVER, c + 2 + (uint32_t)n, s + 2, 0x10, NULL, 0);
    FEED();
#undef FEED
}

static void test_push(void)
{
    dt_engine_config cfg;
    dt_engine_config_default(&cfg);
    cfg.dns_sink = on_dns;
    cfg.on_error = on_error;
    seen *s = calloc(1, sizeof *s);
    dt_engine *e = dt_engine_new(&cfg, sink, s);
    CHECK(e != NULL);
    if (!e) {
        free(s);
        return;
    }
    dt_engine_set_input(e, 7, "crafted", "test");
    dt_engine_set_ts_digits(e, 9);
    uint64_t bytes;
    feed_session(e, &bytes);
    CHECK_EQ_INT(s->n_flows, 0); /* nothing ends before finish (no time passed) */
    CHECK_EQ_INT(dt_engine_finish(e), DT_OK);

    const dt_input_info *in = dt_engine_info(e);
    CHECK_EQ_INT(in->packets, 10);
    CHECK_EQ_INT(in->bytes, bytes);
    CHECK_EQ_INT(in->flows, 2);
    CHECK_EQ_INT(in->tcp_flows, 1);
    CHECK_EQ_INT(in->udp_flows, 1);
    CHECK_EQ_INT(in->first_ns, T0);
    CHECK_EQ_INT(in->last_ns, T0 + 9 * 1000000);
    CHECK_EQ_INT(in->ts_digits, 9);
    CHECK_EQ_INT(in->n_links, 1);
    CHECK_EQ_INT(in->links[0].linktype, LT_ETHERNET);
    CHECK_EQ_INT(in->links[0].packets, 10);
    CHECK_EQ_INT(in->n_errors, 0);
    CHECK_EQ_STR(in->path, "crafted");
    CHECK_EQ_STR(in->format, "test");
    CHECK_EQ_INT(in->peak_live_flows, 2);

    /* the flows left at the end, in the order they were created */
    CHECK_EQ_INT(s->n_flows, 2);
    seen_flow *d = &s->flows[0], *t = &s->flows[1];
    CHECK_EQ_INT(d->proto, 17);
    CHECK_EQ_STR(d->client, "192.168.1.20");
    CHECK_EQ_INT(d->client_port, 5353);
    CHECK_EQ_STR(d->server, "192.168.1.1");
    CHECK_EQ_INT(d->server_port, 53);
    CHECK_EQ_INT(d->client_packets, 1);
    CHECK_EQ_INT(d->server_packets, 1);
    CHECK_EQ_INT(d->end_reason, DT_END_EOF);
    CHECK_EQ_INT(d->input, 7);
    CHECK_EQ_STR(d->input_path, "crafted");
    CHECK(s->dns_messages >= 1);
    CHECK_EQ_STR(s->dns_name, "host.example.com");

    CHECK_EQ_INT(t->proto, 6);
    CHECK_EQ_STR(t->client, "192.168.1.20");
    CHECK_EQ_INT(t->client_port, 40000);
    CHECK_EQ_STR(t->server, "1.12.36.7");
    CHECK_EQ_INT(t->server_port, 443);
    CHECK_EQ_INT(t->client_packets, 5);
    CHECK_EQ_INT(t->server_packets, 3);
    CHECK(t->syn && t->synack && t->fin);
    CHECK_EQ_INT(t->end_reason, DT_END_CLOSED);
    CHECK_EQ_STR(t->name, "host.example.com");
    CHECK(t->client_payload > 40);

    /* an error recorded by the caller (e.g. its reader): partial, and reported */
    dt_engine_add_error(e, 11, 4096, "truncated here");
    CHECK_EQ_INT(s->errors, 1);
    CHECK_EQ_STR(s->error, "truncated here");
    CHECK_EQ_INT(dt_engine_info(e)->n_errors, 1);
    CHECK_EQ_INT(dt_engine_info(e)->errors[0].packet, 11);
    dt_engine_free(e);
    free(s);
}

/* Flows end by capture time while packets are fed: idle ones after the
 * timeout, and the closed TCP flow after its linger. */
static void test_expiry(void)
{
    dt_engine_config cfg;
    dt_engine_config_default(&cfg);
    cfg.flows.idle_timeout_ns = 5ull * 1000000000;
    seen *s = calloc(1, sizeof *s);
    dt_engine *e = dt_engine_new(&cfg, sink, s);
    CHECK(e != NULL);
    if (!e) {
        free(s);
        return;
    }
    uint64_t bytes;
    feed_session(e, &bytes);
    /* a lone datagram an hour later: the session's flows end before it */
    uint8_t msg[512];
    pkt p;
    static const endpoint other = {{192, 168, 1, 20}, 5354};
    udp(&p, &other, &RESOLVER, msg, dns_message(msg, "later.example.com", NULL));
    feed(e, &p, T0 + 3600ull * 1000000000);
    CHECK_EQ_INT(s->n_flows, 2);
    CHECK_EQ_INT(dt_engine_finish(e), DT_OK);
    CHECK_EQ_INT(s->n_flows, 3);
    CHECK_EQ_INT(s->flows[0].end_reason, DT_END_IDLE);
    CHECK_EQ_INT(s->flows[1].end_reason, DT_END_CLOSED);
    CHECK_EQ_INT(s->flows[2].end_reason, DT_END_EOF);
    CHECK_EQ_INT(dt_engine_info(e)->ts_digits, 0); /* never said */
    dt_engine_free(e);
    free(s);
}

/* dt_engine_run() equals opening the file and feeding its packets. */
static void test_run_is_feed(void)
{
    const char *dir = getenv("DT_TESTDATA");
    char path[1024];
    snprintf(path, sizeof path, "%s/sample.pcapng", dir ? dir : "testdata");
    dt_engine_config cfg;
    dt_engine_config_default(&cfg);
    cfg.dns_sink = on_dns;

    seen *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
    dt_input_info info;
    CHECK_EQ_INT(dt_engine_run(&cfg, path, 3, sink, a, &info, NULL, NULL), DT_OK);
    CHECK_EQ_INT(info.flows, 24); /* as in the report of the sample */
    CHECK_EQ_INT(a->n_flows, 24);
    CHECK_EQ_INT(info.opened, 1);
    CHECK_EQ_STR(info.format, "pcapng");

    char err[256];
    dt_capture *cap = dt_capture_open(path, err, sizeof err);
    CHECK(cap != NULL);
    dt_engine *e = cap ? dt_engine_new(&cfg, sink, b) : NULL;
    if (e) {
        dt_engine_set_input(e, 3, path, dt_capture_format(cap));
        dt_cap_packet pk;
        while (dt_capture_next(cap, &pk) == 1) {
            dt_engine_set_ts_digits(e, pk.ts_digits);
            dt_engine_feed(e, pk.linktype, pk.ts_ns, pk.data, pk.caplen, pk.wirelen);
        }
        CHECK_EQ_INT(dt_engine_finish(e), DT_OK);
        const dt_input_info *in = dt_engine_info(e);
        CHECK_EQ_INT(in->packets, info.packets);
        CHECK_EQ_INT(in->bytes, info.bytes);
        CHECK_EQ_INT(in->flows, info.flows);
        CHECK_EQ_INT(in->first_ns, info.first_ns);
        CHECK_EQ_INT(in->last_ns, info.last_ns);
        CHECK_EQ_INT(in->peak_live_flows, info.peak_live_flows);
        CHECK_EQ_INT(in->reassembly_peak_bytes, info.reassembly_peak_bytes);
        CHECK(memcmp(&in->decode, &info.decode, sizeof info.decode) == 0);
        CHECK(memcmp(a->flows, b->flows, sizeof a->flows) == 0);
        CHECK_EQ_INT(a->dns_messages, b->dns_messages);
    }
    dt_engine_free(e);
    dt_capture_close(cap);

    /* a file that is not there: unreadable, and the error goes to the callback */
    seen *c = calloc(1, sizeof *c);
    cfg.on_error = on_error;
    CHECK_EQ_INT(dt_engine_run(&cfg, "/nonexistent/x.pcap", 0, sink, c, &info, NULL, NULL),
                 DT_UNREADABLE);
    CHECK_EQ_INT(info.opened, 0);
    CHECK_EQ_INT(info.n_errors, 1);
    CHECK_EQ_INT(c->errors, 1);
    CHECK_EQ_STR(c->error, "cannot open: No such file or directory"); /* the caller names it */
    free(a);
    free(b);
    free(c);
}

int main(void)
{
    test_push();
    test_expiry();
    test_run_is_feed();
    return check_done();
}
