/* lib/proto/apps.c: DNS records of a flow, the DNS message hook, the limit on
 * per-flow parser state (refused and counted, never exceeded), and which
 * parser of the registry names a flow (SOCKS then HTTP, MQTT, SSDP, NTP,
 * mDNS, LLMNR, the buffer-full rule). */
#include "proto/apps.h"
#include "check.h"

#include <stddef.h>
#include <string.h>

/* A DNS response for NAME A 192.0.2.<n> (one answer). */
static size_t dns_response(uint8_t *b, const char *label, uint8_t n)
{
    size_t k = 0;
    static const uint8_t hdr[] = {0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0};
    memcpy(b, hdr, sizeof hdr);
    k = sizeof hdr;
    size_t l = strlen(label);
    b[k++] = (uint8_t)l;
    memcpy(b + k, label, l);
    k += l;
    memcpy(b + k, "\7example\3com\0", 13);
    k += 13;
    static const uint8_t tail[] = {0, 1, 0, 1,  0xc0, 0x0c, 0,   1, 0, 1,
                                   0, 0, 0, 60, 0,    4,    192, 0, 2};
    memcpy(b + k, tail, sizeof tail);
    k += sizeof tail;
    b[k++] = n;
    return k;
}

static void flow_init(dt_flow *f, uint16_t sport)
{
    memset(f, 0, sizeof *f);
    f->proto = 17;
    f->side[DT_CLIENT].port = sport;
    f->side[DT_SERVER].port = 53;
}

static int seen;
static char last_name[64];

static void on_dns(void *ctx, const dt_flow_dns *rec)
{
    (void)ctx;
    seen++;
    snprintf(last_name, sizeof last_name, "%s", dt_flow_dns_name(rec));
    /* the record is complete when the hook sees it: its size ends after its last string */
    const char *last = rec->n_chain     ? dt_flow_dns_chain(rec, rec->n_chain - 1)
                       : rec->n_answers ? dt_flow_dns_answer(rec, rec->n_answers - 1)
                                        : rec->text;
    CHECK_EQ_INT(rec->bytes, (size_t)(last - (const char *)rec) + strlen(last) + 1);
}

/* ---- dispatch: flows fed as the engine feeds them ---- */

static void tcp_flow(dt_flow *f, dt_tcp_dir dirs[2], uint32_t cap, uint16_t dport)
{
    memset(f, 0, sizeof *f);
    f->proto = 6;
    f->side[DT_CLIENT].port = 40000;
    f->side[DT_SERVER].port = dport;
    f->tcp = dirs;
    for (int d = 0; d < 2; d++) {
        dt_tcp_dir_init(&dirs[d], cap, NULL);
        dt_tcp_dir_segment(&dirs[d], 1000, 0x02 /* SYN */, NULL, 0);
    }
}

/* Sends n bytes from dir at stream offset *off. */
static void tcp_send(dt_apps *a, dt_flow *f, int dir, uint32_t *off, const void *p, size_t n)
{
    if (dt_tcp_dir_segment(&f->tcp[dir], 1001 + *off, 0, p, (uint32_t)n) > 0)
        dt_apps_on_stream(a, f, dir);
    *off += (uint32_t)n;
}

static const char *tcp_app(dt_apps *a, dt_flow *f)
{
    dt_apps_flow_end(a, f);
    return dt_app_name(f->app ? (dt_app)f->app->app : DT_APP_UNKNOWN);
}

static void tcp_done(dt_flow *f)
{
    dt_apps_flow_free(f);
    dt_tcp_dir_free(&f->tcp[0]);
    dt_tcp_dir_free(&f->tcp[1]);
}

static const char *udp_app(dt_apps *a, uint16_t port, int dir, const uint8_t *p, size_t n)
{
    static dt_flow f;
    static char app[16];
    memset(&f, 0, sizeof f);
    f.proto = 17;
    f.side[DT_CLIENT].port = 40000;
    f.side[DT_SERVER].port = port;
    dt_apps_on_datagram(a, &f, dir, p, n, 1000);
    dt_apps_flow_end(a, &f);
    snprintf(app, sizeof app, "%s", dt_app_name(f.app ? (dt_app)f.app->app : DT_APP_UNKNOWN));
    dt_apps_flow_free(&f);
    return app;
}

static void dispatch(void)
{
    dt_apps *a = dt_apps_new(0);
    dt_flow f;
    dt_tcp_dir dirs[2];
    uint32_t off = 0;

    /* SOCKS5 (greeting, CONNECT), then HTTP: the request after the preamble
     * names the flow */
    static const uint8_t socks5[] = {5,   1,   0,   5,   1,   0,   3,   11,  'e', 'x', 'a',
                                     'm', 'p', 'l', 'e', '.', 'o', 'r', 'g', 0,   80};
    static const char get[] = "GET /x HTTP/1.1\r\nHost: example.org\r\n\r\n";
    tcp_flow(&f, dirs, 4096, 1080);
    tcp_send(a, &f, DT_CLIENT, &off, socks5, 5); /* more is needed to tell */
    CHECK(f.app && f.app->st[DT_PARSER_SOCKS] == DT_ST_MORE);
    CHECK(f.app && f.app->st[DT_PARSER_HTTP] == DT_ST_MORE);
    tcp_send(a, &f, DT_CLIENT, &off, socks5 + 5, sizeof socks5 - 5);
    tcp_send(a, &f, DT_CLIENT, &off, get, strlen(get));
    CHECK(f.app && f.app->st[DT_PARSER_SOCKS] == DT_ST_DONE);
    CHECK_EQ_INT(f.app ? f.app->socks_len : 0, sizeof socks5);
    CHECK_EQ_STR(tcp_app(a, &f), "http");
    CHECK_EQ_STR(f.app->name, "example.org");
    CHECK(dt_app_http(f.app) && dt_app_http(f.app)->present);
    tcp_done(&f);

    /* MQTT CONNECT */
    static const uint8_t connect[] = {0x10, 0x10, 0,  4, 'M', 'Q', 'T', 'T', 4,
                                      2,    0,    60, 0, 4,   'c', 'a', 'r', '1'};
    off = 0;
    tcp_flow(&f, dirs, 4096, 1883);
    tcp_send(a, &f, DT_CLIENT, &off, connect, sizeof connect);
    CHECK_EQ_STR(tcp_app(a, &f), "mqtt");
    tcp_done(&f);

    /* the buffer-full rule: an HTTP request head longer than the buffer: HTTP
     * still wanted more, so it is NOT_MINE, and buffering stops */
    static const char partial[] = "GET /a-long-path HTTP/1.1\r\nHost: h";
    off = 0;
    tcp_flow(&f, dirs, 32, 80);
    tcp_send(a, &f, DT_CLIENT, &off, partial, 32);
    CHECK(f.app && f.app->st[DT_PARSER_HTTP] == DT_ST_NOT_MINE);
    CHECK(f.app && f.app->active[DT_CLIENT] == 0);
    CHECK(f.tcp[DT_CLIENT].stopped);
    tcp_done(&f);

    /* UDP: SSDP on 1900, NTP on 123 (48 bytes at least), mDNS and LLMNR */
    static const char msearch[] = "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n\r\n";
    CHECK_EQ_STR(udp_app(a, 1900, DT_CLIENT, (const uint8_t *)msearch, strlen(msearch)), "ssdp");
    uint8_t ntp[48] = {0x23};
    CHECK_EQ_STR(udp_app(a, 123, DT_SERVER, ntp, sizeof ntp), "ntp");
    CHECK_EQ_STR(udp_app(a, 123, DT_CLIENT, ntp, 40), "unknown");
    uint8_t msg[512];
    size_t n = dns_response(msg, "printer", 9);
    CHECK_EQ_STR(udp_app(a, 5353, DT_SERVER, msg, n), "mdns");
    CHECK_EQ_STR(udp_app(a, 5355, DT_SERVER, msg, n), "llmnr");
    CHECK_EQ_STR(udp_app(a, 53, DT_SERVER, msg, n), "dns");
    /* the DNS ports belong to DNS alone (these 48 bytes read as an empty DNS
     * query; once they do not, no other parser is tried either) */
    CHECK_EQ_STR(udp_app(a, 53, DT_CLIENT, ntp, sizeof ntp), "dns");
    ntp[2] = 0xff; /* not DNS any more: still not NTP */
    CHECK_EQ_STR(udp_app(a, 53, DT_CLIENT, ntp, sizeof ntp), "unknown");
    CHECK_EQ_INT(dt_apps_state_refused(a), 0);
    dt_apps_free(a);
}

int main(void)
{
    dispatch();
    dt_apps *a = dt_apps_new(0);
    CHECK(a != NULL);
    dt_apps_on_dns(a, on_dns, NULL);
    dt_flow f;
    flow_init(&f, 40000);
    uint8_t msg[512];
    /* 12 responses on one flow: the flow keeps 8, the hook sees all 12 */
    for (int i = 0; i < 12; i++) {
        char label[16];
        snprintf(label, sizeof label, "n%d", i);
        size_t n = dns_response(msg, label, (uint8_t)i);
        dt_apps_on_datagram(a, &f, DT_SERVER, msg, n, 1000);
    }
    CHECK_EQ_INT(seen, 12);
    CHECK_EQ_STR(last_name, "n11.example.com");
    CHECK(f.app != NULL);
    if (f.app) {
        CHECK_EQ_INT(f.app->n_dns, DT_FLOW_MAX_DNS);
        CHECK_EQ_STR(dt_flow_dns_name(f.app->dns[0]), "n0.example.com");
        CHECK_EQ_INT(f.app->dns[3]->n_answers, 1);
        CHECK_EQ_STR(dt_flow_dns_answer(f.app->dns[3], 0), "192.0.2.3");
        /* packed to size: a short record, not the largest possible one */
        CHECK(f.app->dns[0]->bytes < 200);
    }
    CHECK_EQ_INT(dt_apps_state_refused(a), 0);
    dt_apps_flow_free(&f);

    /* a limit smaller than one flow's state: refused and counted; DNS is still
     * read for the names and the report's table, nothing is kept in the flow */
    dt_apps_set_state_limit(a, 100);
    flow_init(&f, 40001);
    seen = 0;
    size_t n = dns_response(msg, "late", 1);
    dt_apps_on_datagram(a, &f, DT_SERVER, msg, n, 2000);
    CHECK(f.app == NULL);
    CHECK(dt_apps_state_refused(a) >= 1);
    CHECK_EQ_INT(seen, 1); /* the report's table still gets the message */
    seen = 0;
    dt_apps_flow_end(a, &f); /* still ends cleanly without state */
    dt_apps_flow_free(&f);

    /* room for the app but not for a record: the app stays, the record does not */
    dt_apps_set_state_limit(a, sizeof(dt_flow_app) + 8);
    flow_init(&f, 40002);
    uint64_t before = dt_apps_state_refused(a);
    dt_apps_on_datagram(a, &f, DT_SERVER, msg, n, 3000);
    CHECK(f.app != NULL);
    if (f.app)
        CHECK_EQ_INT(f.app->n_dns, 0);
    CHECK(dt_apps_state_refused(a) > before);
    CHECK_EQ_INT(seen, 1); /* the report's table still gets the message */
    dt_apps_flow_free(&f);
    dt_apps_free(a); /* asserts (Debug builds) that every byte was given back */
    return check_done();
}
