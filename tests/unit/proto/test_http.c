#include "check.h"
#include "proto/h2c.h"
#include "proto/http.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static dt_parse_status run(const char *s, dt_http_info *h)
{
    return dt_http_parse_client_stream((const uint8_t *)s, strlen(s), h);
}

static void test_single(void)
{
    dt_http_info h;
    const char *req = "GET /index.html?q=1 HTTP/1.1\r\n"
                      "Host:   www.Example.com:8080 \r\n"
                      "User-Agent: curl/8.0\r\n"
                      "Accept: */*\r\n\r\n";
    CHECK_EQ_INT(run(req, &h), DT_PARSE_DONE);
    CHECK_EQ_INT(h.present, 1);
    CHECK_EQ_STR(h.method, "GET");
    CHECK_EQ_STR(h.host, "www.Example.com:8080");
    CHECK_EQ_STR(h.user_agent, "curl/8.0");
    CHECK_EQ_STR(h.path, "/index.html?q=1");
    CHECK_EQ_INT(h.requests, 1);

    /* every prefix: MORE until the final CRLF, then DONE; never NOT_MINE */
    size_t n = strlen(req);
    for (size_t l = 0; l < n; l++) {
        dt_parse_status st = dt_http_parse_client_stream((const uint8_t *)req, l, &h);
        CHECK_EQ_INT(st, DT_PARSE_MORE);
        CHECK_EQ_INT(h.requests, 0);
        if (l >= 30) /* request line done */
            CHECK_EQ_INT(h.present, 1);
        else
            CHECK_EQ_INT(h.present, 0);
        if (l >= 61) /* Host line complete */
            CHECK_EQ_STR(h.host, "www.Example.com:8080");
    }
    CHECK_EQ_INT(dt_http_parse_client_stream((const uint8_t *)req, n, &h), DT_PARSE_DONE);

    /* lowercase header name, bare LF line ends, HTTP/1.0 */
    CHECK_EQ_INT(run("HEAD / HTTP/1.0\nhost:a.b\nuser-agent:\tx y\t\n\n", &h), DT_PARSE_DONE);
    CHECK_EQ_STR(h.method, "HEAD");
    CHECK_EQ_STR(h.host, "a.b");
    CHECK_EQ_STR(h.user_agent, "x y");

    /* the first Host wins; odd bytes are escaped */
    CHECK_EQ_INT(run("GET / HTTP/1.1\r\nHOST: h\x01\xff\\\r\nHost: second\r\n\r\n", &h),
                 DT_PARSE_DONE);
    CHECK_EQ_STR(h.host, "h\\x01\\xff\\x5c");

    /* no Host at all */
    CHECK_EQ_INT(run("GET / HTTP/1.0\r\n\r\n", &h), DT_PARSE_DONE);
    CHECK_EQ_STR(h.host, "");
    CHECK_EQ_INT(h.requests, 1);
}

static void test_pipelined(void)
{
    dt_http_info h;
    const char *two = "POST /api HTTP/1.1\r\nHost: one.example\r\nContent-Length: 5\r\n\r\n"
                      "helloGET /two HTTP/1.1\r\nHost: two.example\r\n\r\n";
    CHECK_EQ_INT(run(two, &h), DT_PARSE_DONE);
    CHECK_EQ_STR(h.method, "POST");
    CHECK_EQ_STR(h.host, "one.example");
    CHECK_EQ_INT(h.requests, 2);

    /* second request incomplete: counted once */
    CHECK_EQ_INT(dt_http_parse_client_stream((const uint8_t *)two, strlen(two) - 2, &h),
                 DT_PARSE_DONE);
    CHECK_EQ_INT(h.requests, 1);

    /* three GETs without bodies */
    CHECK_EQ_INT(run("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: y\r\n\r\n"
                     "GET /c HTTP/1.1\r\nHost: z\r\n\r\n",
                     &h),
                 DT_PARSE_DONE);
    CHECK_EQ_INT(h.requests, 3);
    CHECK_EQ_STR(h.host, "x");
    CHECK_EQ_STR(h.path, "/a");

    /* chunked body: stop counting */
    CHECK_EQ_INT(run("POST /u HTTP/1.1\r\nHost: c.example\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "5\r\nhello\r\n0\r\n\r\nGET / HTTP/1.1\r\nHost: d\r\n\r\n",
                     &h),
                 DT_PARSE_DONE);
    CHECK_EQ_INT(h.requests, 1);
    CHECK_EQ_INT(h.chunked, 1);
    CHECK_EQ_STR(h.host, "c.example");

    /* body longer than the prefix; bogus Content-Length */
    CHECK_EQ_INT(run("PUT /f HTTP/1.1\r\nHost: p\r\nContent-Length: 100\r\n\r\nabc", &h),
                 DT_PARSE_DONE);
    CHECK_EQ_INT(h.requests, 1);
    CHECK_EQ_INT(run("PUT /f HTTP/1.1\r\nHost: p\r\nContent-Length: 99999999999999999999999\r\n"
                     "\r\nGET / HTTP/1.1\r\n\r\n",
                     &h),
                 DT_PARSE_DONE);
    CHECK_EQ_INT(h.requests, 1);
    /* garbage after the first request does not matter */
    CHECK_EQ_INT(run("GET / HTTP/1.1\r\nHost: g\r\n\r\n\x16\x03\x01", &h), DT_PARSE_DONE);
    CHECK_EQ_INT(h.requests, 1);
}

static void test_connect_and_targets(void)
{
    dt_http_info h;
    CHECK_EQ_INT(run("CONNECT api.example.com:443 HTTP/1.1\r\nUser-Agent: ua\r\n\r\n", &h),
                 DT_PARSE_DONE);
    CHECK_EQ_STR(h.method, "CONNECT");
    CHECK_EQ_STR(h.host, "api.example.com:443");
    CHECK_EQ_INT(run("CONNECT 10.0.0.1:443 HTTP/1.1\r\nHost: proxy.name:443\r\n\r\n", &h),
                 DT_PARSE_DONE);
    CHECK_EQ_STR(h.host, "proxy.name:443");
    /* absolute-form target without Host */
    CHECK_EQ_INT(run("GET http://user@abs.example:81/x?y HTTP/1.0\r\n\r\n", &h), DT_PARSE_DONE);
    CHECK_EQ_STR(h.host, "abs.example:81");
    /* SSDP over UDP: M-SEARCH with uppercase HOST */
    const char *ssdp = "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n"
                       "MAN: \"ssdp:discover\"\r\nMX: 1\r\nST: ssdp:all\r\n\r\n";
    CHECK_EQ_INT(run(ssdp, &h), DT_PARSE_DONE);
    CHECK_EQ_STR(h.method, "M-SEARCH");
    CHECK_EQ_STR(h.host, "239.255.255.250:1900");
    CHECK_EQ_STR(h.path, "*");
    /* a datagram without the final empty line: MORE, but the Host is there */
    CHECK_EQ_INT(run("NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nNT: upnp\r\n", &h),
                 DT_PARSE_MORE);
    CHECK_EQ_INT(h.present, 1);
    CHECK_EQ_STR(h.host, "239.255.255.250:1900");
}

static void test_not_mine(void)
{
    dt_http_info h;
    CHECK_EQ_INT(run("HTTP/1.1 200 OK\r\n\r\n", &h), DT_PARSE_NOT_MINE);
    CHECK_EQ_INT(run("get / HTTP/1.1\r\n\r\n", &h), DT_PARSE_NOT_MINE);
    CHECK_EQ_INT(run("GET / HTTP/2.0\r\n\r\n", &h), DT_PARSE_NOT_MINE);
    CHECK_EQ_INT(run("GET / RTSP/1.0\r\n\r\n", &h), DT_PARSE_NOT_MINE);
    CHECK_EQ_INT(run("GET  / HTTP/1.1\r\n\r\n", &h), DT_PARSE_NOT_MINE);
    CHECK_EQ_INT(run("GET /a\x01 HTTP/1.1\r\n\r\n", &h), DT_PARSE_NOT_MINE);
    CHECK_EQ_INT(run("GET / HTTP/1.1\rX\n\r\n", &h), DT_PARSE_NOT_MINE);
    CHECK_EQ_INT(run("GETX / HTTP/1.1\r\n\r\n", &h), DT_PARSE_NOT_MINE);
    CHECK_EQ_INT(run("SSH-2.0-OpenSSH_9.0\r\n", &h), DT_PARSE_NOT_MINE);
    CHECK_EQ_INT(h.present, 0);
    static const uint8_t tls[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01};
    CHECK_EQ_INT(dt_http_parse_client_stream(tls, sizeof tls, &h), DT_PARSE_NOT_MINE);
    /* prefixes of a method are MORE */
    CHECK_EQ_INT(run("OPTI", &h), DT_PARSE_MORE);
    CHECK_EQ_INT(run("M-SE", &h), DT_PARSE_MORE);
    CHECK_EQ_INT(run("GET /very/long", &h), DT_PARSE_MORE);
    CHECK_EQ_INT(run("GET / HTTP/1.", &h), DT_PARSE_MORE);
    CHECK_EQ_INT(dt_http_parse_client_stream(NULL, 0, &h), DT_PARSE_MORE);

    /* binary garbage: never crash, and bytes that do not start with a method are never ours */
    uint8_t g[512];
    srand(7);
    for (int it = 0; it < 20000; it++) {
        size_t l = (size_t)(rand() % (int)sizeof g);
        for (size_t i = 0; i < l; i++)
            g[i] = (uint8_t)rand();
        if (it % 2 && l > 20) {
            memcpy(g, "GET / HTTP/1.1\r\n", 16);
            for (size_t i = 16; i < l; i++)
                if (rand() % 8 == 0)
                    g[i] = "\r\n:"[rand() % 3];
        }
        dt_parse_status st = dt_http_parse_client_stream(g, l, &h);
        if (!(it % 2) && l > 0 && g[0] > 'U')
            CHECK_EQ_INT(st, DT_PARSE_NOT_MINE);
        CHECK(strlen(h.host) < sizeof h.host);
        CHECK(h.requests >= 0);
    }

    /* long header value is truncated */
    char big[2000];
    strcpy(big, "GET / HTTP/1.1\r\nHost: ");
    size_t o = strlen(big);
    memset(big + o, 'h', 600);
    strcpy(big + o + 600, "\r\n\r\n");
    CHECK_EQ_INT(run(big, &h), DT_PARSE_DONE);
    CHECK_EQ_INT(strlen(h.host), 255);
}

/* HTTP/2 cleartext with prior knowledge (lib/proto/h2c.c). */
static void test_h2c(void)
{
    static const uint8_t settings[] = {0, 0, 6, 4, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 100};
    /* HEADERS (END_STREAM | END_HEADERS | PADDED | PRIORITY) on stream 1: pad length 2,
     * priority, :method GET (indexed 2), :authority (literal, incremental indexing, name
     * index 1) "car.example.net", user-agent (never indexed, index 15 + 43 = 58)
     * "t/1", a literal name "x-a" (without indexing) with a malformed Huffman value
     * (8 bits of padding), padding */
    static const uint8_t block[] = {0x82, 0x41, 15,   'c', 'a', 'r', '.', 'e',  'x', 'a', 'm',
                                    'p',  'l',  'e',  '.', 'n', 'e', 't', 0x1f, 43,  3,   't',
                                    '/',  '1',  0x00, 3,   'x', '-', 'a', 0x81, 0xff};
    uint8_t b[256];
    size_t n = 0;
    memcpy(b, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 24);
    n = 24;
    memcpy(b + n, settings, sizeof settings);
    n += sizeof settings;
    size_t flen = 1 + 5 + sizeof block + 2;
    uint8_t hdr[] = {0, 0, (uint8_t)flen, 1, 0x2d, 0, 0, 0, 1, 2, 0, 0, 0, 0, 15};
    memcpy(b + n, hdr, sizeof hdr);
    n += sizeof hdr;
    memcpy(b + n, block, sizeof block);
    n += sizeof block;
    b[n++] = 0;
    b[n++] = 0;
    dt_http_info h;
    CHECK_EQ_INT(dt_h2c_parse_client_stream(b, n, &h), DT_PARSE_DONE);
    CHECK_EQ_STR(h.host, "car.example.net");
    CHECK_EQ_STR(h.method, "GET");
    CHECK_EQ_STR(h.user_agent, "t/1");
    CHECK_EQ_INT(h.requests, 1);
    /* every shorter prefix wants more; HTTP/1 and a wrong preface are not mine */
    for (size_t l = 0; l < n; l++)
        CHECK_EQ_INT(dt_h2c_parse_client_stream(b, l, &h), DT_PARSE_MORE);
    CHECK_EQ_INT(dt_h2c_parse_client_stream((const uint8_t *)"GET / HTTP/1.1\r\n", 16, &h),
                 DT_PARSE_NOT_MINE);
    /* RFC 7541 C.4.1: :authority Huffman-coded; then a malformed Huffman string (padding
     * of 8 bits) leaves the field empty */
    static const uint8_t huff[] = {0x82, 0x86, 0x84, 0x41, 0x8c, 0xf1, 0xe3, 0xc2, 0xe5,
                                   0xf2, 0x3a, 0x6b, 0xa0, 0xab, 0x90, 0xf4, 0xff};
    uint8_t hb[128];
    memcpy(hb, b, 24);
    uint8_t hh[] = {0, 0, sizeof huff, 1, 0x05, 0, 0, 0, 1};
    memcpy(hb + 24, hh, 9);
    memcpy(hb + 33, huff, sizeof huff);
    CHECK_EQ_INT(dt_h2c_parse_client_stream(hb, 33 + sizeof huff, &h), DT_PARSE_DONE);
    CHECK_EQ_STR(h.host, "www.example.com");
    CHECK_EQ_STR(h.method, "GET");
    hb[33 + sizeof huff - 1] = 0xfe; /* the padding is no longer all ones */
    CHECK_EQ_INT(dt_h2c_parse_client_stream(hb, 33 + sizeof huff, &h), DT_PARSE_DONE);
    CHECK_EQ_STR(h.host, "");
    /* padding longer than the frame, an integer that never ends: not mine */
    b[24 + sizeof settings + 9] = 200;
    CHECK_EQ_INT(dt_h2c_parse_client_stream(b, n, &h), DT_PARSE_NOT_MINE);
    b[24 + sizeof settings + 9] = 2;
    size_t at = 24 + sizeof settings + 9 + 1 + 5;
    memset(b + at, 0xff, sizeof block);
    CHECK_EQ_INT(dt_h2c_parse_client_stream(b, n, &h), DT_PARSE_NOT_MINE);
}

int main(void)
{
    test_single();
    test_pipelined();
    test_connect_and_targets();
    test_not_mine();
    test_h2c();
    return check_done();
}
