#include "check.h"
#include "proto/dns.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A tiny DNS message builder for the tests. */
typedef struct buf {
    uint8_t b[4096];
    size_t n;
} buf;

static void u8(buf *m, unsigned v)
{
    m->b[m->n++] = (uint8_t)v;
}
static void u16(buf *m, unsigned v)
{
    u8(m, v >> 8 & 0xff);
    u8(m, v & 0xff);
}
static void u32(buf *m, uint32_t v)
{
    u16(m, v >> 16);
    u16(m, v & 0xffff);
}
static void raw(buf *m, const void *p, size_t n)
{
    memcpy(m->b + m->n, p, n);
    m->n += n;
}
/* Writes "a.b.c" as labels; if ptr >= 0, ends with a pointer instead of a zero. */
static void name(buf *m, const char *s, int ptr)
{
    while (*s) {
        const char *dot = strchr(s, '.');
        size_t l = dot ? (size_t)(dot - s) : strlen(s);
        u8(m, (unsigned)l);
        raw(m, s, l);
        s += l;
        if (*s == '.')
            s++;
    }
    if (ptr >= 0)
        u16(m, 0xc000 | (unsigned)ptr);
    else
        u8(m, 0);
}
static void header(buf *m, unsigned id, unsigned flags, unsigned qd, unsigned an, unsigned ns,
                   unsigned ar)
{
    m->n = 0;
    u16(m, id);
    u16(m, flags);
    u16(m, qd);
    u16(m, an);
    u16(m, ns);
    u16(m, ar);
}
static void rr_head(buf *m, unsigned type, unsigned cls, uint32_t ttl, unsigned rdlen)
{
    u16(m, type);
    u16(m, cls);
    u32(m, ttl);
    u16(m, rdlen);
}

static char s[64];
static const char *astr(const dt_addr *a)
{
    return dt_addr_str(a, s, sizeof s);
}

static void test_compression_and_chain(void)
{
    buf m;
    dt_dns_msg d;
    header(&m, 0x1234, 0x8180, 1, 4, 0, 0);
    name(&m, "www.Example.com", -1); /* at offset 12 */
    u16(&m, 1);
    u16(&m, 1);
    /* www.Example.com CNAME e1.edge.net */
    u16(&m, 0xc00c);
    rr_head(&m, 5, 1, 300, 13);
    size_t cname_at = m.n;
    name(&m, "e1.edge.net", -1); /* 13 bytes */
    /* e1.edge.net CNAME e2.edge.net (compressed: "e2" + pointer to edge.net) */
    u16(&m, 0xc000 | (unsigned)cname_at);
    rr_head(&m, 5, 1, 60, 5);
    name(&m, "e2", (int)cname_at + 3);
    size_t e2_at = m.n - 5;
    /* e2.edge.net A 192.0.2.7 */
    u16(&m, 0xc000 | (unsigned)e2_at);
    rr_head(&m, 1, 1, 20, 4);
    raw(&m, "\xc0\x00\x02\x07", 4);
    /* e2.edge.net AAAA 2001:db8::1 */
    u16(&m, 0xc000 | (unsigned)e2_at);
    rr_head(&m, 28, 1, 20, 16);
    raw(&m, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);

    CHECK_EQ_INT(dt_dns_parse(m.b, m.n, &d), 0);
    CHECK_EQ_INT(d.id, 0x1234);
    CHECK_EQ_INT(d.response, 1);
    CHECK_EQ_INT(d.rcode, 0);
    CHECK_EQ_INT(d.incomplete, 0);
    CHECK_EQ_STR(d.qname, "www.Example.com");
    CHECK_EQ_INT(d.qtype, 1);
    CHECK_EQ_INT(d.n_rr, 4);
    CHECK_EQ_INT(d.rr[0].type, 5);
    CHECK_EQ_STR(d.rr[0].name, "www.Example.com");
    CHECK_EQ_STR(d.rr[0].target, "e1.edge.net");
    CHECK_EQ_INT(d.rr[0].ttl, 300);
    CHECK_EQ_STR(d.rr[1].name, "e1.edge.net");
    CHECK_EQ_STR(d.rr[1].target, "e2.edge.net");
    CHECK_EQ_STR(d.rr[2].name, "e2.edge.net");
    CHECK_EQ_STR(astr(&d.rr[2].addr), "192.0.2.7");
    CHECK_EQ_INT(d.rr[3].type, 28);
    CHECK_EQ_STR(astr(&d.rr[3].addr), "2001:db8::1");

    const char *chain[8];
    CHECK_EQ_INT(dt_dns_cname_chain(&d, chain, 8), 3);
    CHECK_EQ_STR(chain[0], "www.Example.com");
    CHECK_EQ_STR(chain[1], "e1.edge.net");
    CHECK_EQ_STR(chain[2], "e2.edge.net");
    CHECK_EQ_INT(dt_dns_cname_chain(&d, chain, 2), 2);

    /* A CNAME loop in the answers stops the chain. */
    strcpy(d.rr[1].target, "WWW.example.com");
    CHECK_EQ_INT(dt_dns_cname_chain(&d, chain, 8), 2);

    /* Every prefix must parse without crashing; header/question cut => -1,
     * answers cut => 0 with incomplete set and the records before the cut. */
    for (size_t l = 0; l < m.n; l++) {
        int rc = dt_dns_parse(m.b, l, &d);
        if (l < 33) {
            CHECK_EQ_INT(rc, -1);
        } else {
            CHECK_EQ_INT(rc, 0);
            CHECK_EQ_INT(d.incomplete, 1);
            CHECK(d.n_rr < 4);
        }
    }
    CHECK_EQ_INT(dt_dns_parse(m.b, 58, &d), 0);
    CHECK_EQ_INT(d.n_rr, 1);
}

static void test_loops(void)
{
    buf m;
    dt_dns_msg d;
    /* question name is a pointer to itself */
    header(&m, 1, 0x0100, 1, 0, 0, 0);
    u16(&m, 0xc00c);
    u16(&m, 1);
    u16(&m, 1);
    CHECK_EQ_INT(dt_dns_parse(m.b, m.n, &d), -1);

    /* two-pointer cycle: label at 12 then pointer to 14, at 14 pointer to 12 */
    header(&m, 1, 0x0100, 1, 0, 0, 0);
    u8(&m, 1);
    u8(&m, 'a');
    u16(&m, 0xc00c); /* at 14 -> 12: goes back, but back into its own run */
    u16(&m, 1);
    u16(&m, 1);
    CHECK_EQ_INT(dt_dns_parse(m.b, m.n, &d), -1);

    /* answer owner pointer to 30 which points back to 20 which points to 30 */
    header(&m, 1, 0x8100, 1, 1, 0, 0);
    name(&m, "x", -1);
    u16(&m, 1);
    u16(&m, 1);
    /* offset 19 */
    u16(&m, 0xc000 | 21); /* owner -> 21 (forward) */
    u16(&m, 0xc000 | 19); /* at 21 -> 19 */
    rr_head(&m, 1, 1, 1, 4);
    raw(&m, "\1\2\3\4", 4);
    CHECK_EQ_INT(dt_dns_parse(m.b, m.n, &d), 0);
    CHECK_EQ_INT(d.incomplete, 1);
    CHECK_EQ_INT(d.n_rr, 0);

    /* forward pointer in the question */
    header(&m, 1, 0x0100, 1, 0, 0, 0);
    u16(&m, 0xc000 | 18);
    u16(&m, 1);
    u16(&m, 1);
    name(&m, "fwd", -1);
    CHECK_EQ_INT(dt_dns_parse(m.b, m.n, &d), -1);

    /* pointer past the end */
    header(&m, 1, 0x0100, 1, 0, 0, 0);
    u16(&m, 0xc000 | 0x3fff);
    u16(&m, 1);
    u16(&m, 1);
    CHECK_EQ_INT(dt_dns_parse(m.b, m.n, &d), -1);

    /* chains of backward pointers: 60 jumps are fine, 70 exceed the jump limit */
    for (int links = 60; links <= 70; links += 10) {
        /* answer 1: a TXT record whose RDATA holds the root name and the links */
        header(&m, 1, 0x8100, 0, 2, 0, 0);
        u8(&m, 0);
        rr_head(&m, 16, 1, 1, 1 + 2 * ((unsigned)links - 1));
        size_t prev = m.n;
        u8(&m, 0);
        for (int i = 1; i < links; i++) {
            size_t here = m.n;
            u16(&m, 0xc000 | (unsigned)prev);
            prev = here;
        }
        u16(&m, 0xc000 | (unsigned)prev); /* answer 2 owner: jump number `links` */
        rr_head(&m, 1, 1, 1, 4);
        raw(&m, "\1\2\3\4", 4);
        CHECK_EQ_INT(dt_dns_parse(m.b, m.n, &d), 0);
        CHECK_EQ_INT(d.incomplete, links > 64);
        CHECK_EQ_INT(d.n_rr, links > 64 ? 0 : 1);
    }
}

static void test_name_limits(void)
{
    buf m;
    dt_dns_msg d;
    /* 3 labels of 63 + 1 label of 61 = 4*1 + 250 + 1 = 255 wire octets */
    char big[300];
    size_t o = 0;
    for (int l = 0; l < 4; l++) {
        int n = l < 3 ? 63 : 61;
        for (int i = 0; i < n; i++)
            big[o++] = (char)('a' + l);
        big[o++] = '.';
    }
    big[--o] = '\0';
    CHECK_EQ_INT(strlen(big), 253);
    header(&m, 7, 0x0100, 1, 0, 0, 0);
    name(&m, big, -1);
    u16(&m, 1);
    u16(&m, 1);
    CHECK_EQ_INT(dt_dns_parse(m.b, m.n, &d), 0);
    CHECK_EQ_STR(d.qname, big);

    /* one more octet: 256 wire octets is rejected */
    big[o] = 'z'; /* make the last label 62 long */
    big[o + 1] = '\0';
    header(&m, 7, 0x0100, 1, 0, 0, 0);
    name(&m, big, -1);
    u16(&m, 1);
    u16(&m, 1);
    CHECK_EQ_INT(dt_dns_parse(m.b, m.n, &d), -1);

    /* odd bytes are escaped; case is kept */
    header(&m, 7, 0x0100, 1, 0, 0, 0);
    u8(&m, 5);
    raw(&m, "A.b\\\x01", 5);
    u8(&m, 3);
    raw(&m, "C d", 3);
    u8(&m, 0);
    u16(&m, 1);
    u16(&m, 1);
    CHECK_EQ_INT(dt_dns_parse(m.b, m.n, &d), 0);
    CHECK_EQ_STR(d.qname, "A\\046b\\092\\001.C\\032d");

    /* a name of 63-byte labels full of escapes is truncated, still NUL-terminated */
    header(&m, 7, 0x0100, 1, 0, 0, 0);
    for (int l = 0; l < 3; l++) {
        u8(&m, 63);
        for (int i = 0; i < 63; i++)
            u8(&m, 0xff);
    }
    u8(&m, 0);
    u16(&m, 1);
    u16(&m, 1);
    CHECK_EQ_INT(dt_dns_parse(m.b, m.n, &d), 0);
    CHECK_EQ_INT(strlen(d.qname), 252); /* 63 escapes of 4 = 252; the next one does not fit */
    CHECK(strncmp(d.qname, "\\255\\255", 8) == 0);

    /* root name */
    header(&m, 7, 0x0100, 1, 0, 0, 0);
    u8(&m, 0);
    u16(&m, 2);
    u16(&m, 1);
    CHECK_EQ_INT(dt_dns_parse(m.b, m.n, &d), 0);
    CHECK_EQ_STR(d.qname, "");
    CHECK_EQ_INT(d.qtype, 2);
}

static void test_ptr_https_mdns(void)
{
    buf m;
    dt_dns_msg d;
    /* PTR */
    header(&m, 9, 0x8400, 1, 1, 0, 0);
    name(&m, "7.2.0.192.in-addr.arpa", -1);
    u16(&m, 12);
    u16(&m, 1);
    u16(&m, 0xc00c);
    rr_head(&m, 12, 1, 5, 10);
    name(&m, "host.lan", -1);
    CHECK_EQ_INT(dt_dns_parse(m.b, m.n, &d), 0);
    CHECK_EQ_INT(d.n_rr, 1);
    CHECK_EQ_INT(d.rr[0].type, 12);
    CHECK_EQ_STR(d.rr[0].target, "host.lan");

    /* HTTPS with alpn, ipv4hint (2 addrs) and ipv6hint (1 addr); then a TXT skipped; then A */
    header(&m, 10, 0x8180, 1, 3, 0, 0);
    name(&m, "svc.example", -1);
    u16(&m, 65);
    u16(&m, 1);
    u16(&m, 0xc00c);
    size_t rdl = 2 + 1 + (4 + 3) + (4 + 8) + (4 + 16);
    rr_head(&m, 65, 1, 100, (unsigned)rdl);
    u16(&m, 1); /* priority */
    u8(&m, 0);  /* target "." */
    u16(&m, 1); /* alpn */
    u16(&m, 3);
    raw(&m, "\x02h2", 3);
    u16(&m, 4);
    u16(&m, 8);
    raw(&m, "\x0a\0\0\x01\x0a\0\0\x02", 8);
    u16(&m, 6);
    u16(&m, 16);
    raw(&m, "\xfe\x80\0\0\0\0\0\0\0\0\0\0\0\0\0\x05", 16);
    u16(&m, 0xc00c);
    rr_head(&m, 16, 1, 100, 4);
    raw(&m,
        "\x03"
        "abc",
        4);
    u16(&m, 0xc00c);
    rr_head(&m, 1, 1, 100, 4);
    raw(&m, "\x0a\0\0\x09", 4);
    CHECK_EQ_INT(dt_dns_parse(m.b, m.n, &d), 0);
    CHECK_EQ_INT(d.n_answers, 3);
    CHECK_EQ_INT(d.n_rr, 4);
    CHECK_EQ_INT(d.rr[0].type, 65);
    CHECK_EQ_STR(astr(&d.rr[0].addr), "10.0.0.1");
    CHECK_EQ_STR(astr(&d.rr[1].addr), "10.0.0.2");
    CHECK_EQ_STR(astr(&d.rr[2].addr), "fe80::5");
    CHECK_EQ_STR(d.rr[2].name, "svc.example");
    CHECK_EQ_STR(d.rr[2].target, "");
    CHECK_EQ_INT(d.rr[3].type, 1);
    CHECK_EQ_STR(astr(&d.rr[3].addr), "10.0.0.9");

    /* SVCB with no hints: one rr with the target */
    header(&m, 11, 0x8180, 0, 1, 0, 0);
    name(&m, "_dns.resolver.arpa", -1);
    rr_head(&m, 64, 1, 100, 2 + 12);
    u16(&m, 1);
    name(&m, "dns.google", -1);
    CHECK_EQ_INT(dt_dns_parse(m.b, m.n, &d), 0);
    CHECK_EQ_INT(d.n_rr, 1);
    CHECK_EQ_INT(d.rr[0].type, 64);
    CHECK_EQ_INT(d.rr[0].addr.family, 0);
    CHECK_EQ_STR(d.rr[0].target, "dns.google");

    /* mDNS: no question, cache-flush bit in the answer class, QU bit in a query */
    header(&m, 0, 0x8400, 0, 1, 0, 0);
    name(&m, "printer.local", -1);
    rr_head(&m, 1, 0x8001, 120, 4);
    raw(&m, "\xc0\xa8\x01\x05", 4);
    CHECK_EQ_INT(dt_dns_parse(m.b, m.n, &d), 0);
    CHECK_EQ_INT(d.n_rr, 1);
    CHECK_EQ_INT(d.rr[0].rclass, 1);
    CHECK_EQ_STR(d.rr[0].name, "printer.local");
    CHECK_EQ_STR(astr(&d.rr[0].addr), "192.168.1.5");
    const char *chain[4];
    CHECK_EQ_INT(dt_dns_cname_chain(&d, chain, 4), 0);

    header(&m, 0, 0x0000, 1, 0, 0, 0);
    name(&m, "_ipp._tcp.local", -1);
    u16(&m, 12);
    u16(&m, 0x8001);
    CHECK_EQ_INT(dt_dns_parse(m.b, m.n, &d), 0);
    CHECK_EQ_INT(d.response, 0);
    CHECK_EQ_INT(d.qclass, 1);
    CHECK_EQ_INT(d.qtype, 12);
}

static void test_extra_sections(void)
{
    buf m;
    dt_dns_msg d;
    /* answer A, authority NS, additional: glue A + AAAA, then EDNS OPT */
    header(&m, 5, 0x8180, 1, 1, 1, 3);
    name(&m, "example.org", -1);
    u16(&m, 1);
    u16(&m, 1);
    u16(&m, 0xc00c);
    rr_head(&m, 1, 1, 60, 4);
    raw(&m, "\x5d\xb8\xd8\x22", 4);
    u16(&m, 0xc00c);
    rr_head(&m, 2, 1, 60, 6);
    size_t ns_at = m.n;
    name(&m, "ns1", 12);
    u16(&m, 0xc000 | (unsigned)ns_at);
    rr_head(&m, 1, 1, 60, 4);
    raw(&m, "\xc6\x33\x64\x01", 4);
    u16(&m, 0xc000 | (unsigned)ns_at);
    rr_head(&m, 28, 1, 60, 16);
    raw(&m, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x35", 16);
    u8(&m, 0);
    rr_head(&m, 41, 1232, 0, 0);
    CHECK_EQ_INT(dt_dns_parse(m.b, m.n, &d), 0);
    CHECK_EQ_INT(d.n_rr, 1);
    CHECK_EQ_STR(astr(&d.rr[0].addr), "93.184.216.34");
    CHECK_EQ_INT(d.n_extra, 2);
    CHECK_EQ_STR(d.extra[0].name, "ns1.example.org");
    CHECK_EQ_STR(astr(&d.extra[0].addr), "198.51.100.1");
    CHECK_EQ_INT(d.extra[1].type, 28);
    CHECK_EQ_STR(astr(&d.extra[1].addr), "2001:db8::35");
    CHECK_EQ_INT(d.incomplete, 0);
    /* additional section cut off: the answers and the glue before the cut stay */
    CHECK_EQ_INT(dt_dns_parse(m.b, m.n - 20, &d), 0);
    CHECK_EQ_INT(d.n_rr, 1);
    CHECK_EQ_INT(d.n_extra, 1);
    CHECK_EQ_INT(d.incomplete, 0);
}

static void test_reject_and_limits(void)
{
    buf m;
    dt_dns_msg d;
    header(&m, 1, 0x0100, 65, 0, 0, 0);
    CHECK_EQ_INT(dt_dns_parse(m.b, m.n, &d), -1); /* qdcount > 64 */
    header(&m, 1, 0x8100, 0, 1025, 0, 0);
    CHECK_EQ_INT(dt_dns_parse(m.b, m.n, &d), -1); /* ancount > 1024 */
    header(&m, 1, 3 << 11, 0, 0, 0, 0);
    CHECK_EQ_INT(dt_dns_parse(m.b, m.n, &d), -1); /* opcode 3 */
    const char *http = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    CHECK_EQ_INT(dt_dns_parse((const uint8_t *)http, strlen(http), &d), -1);
    CHECK_EQ_INT(dt_dns_parse(NULL, 0, &d), -1);

    /* more A records than fit in rr[] */
    header(&m, 1, 0x8180, 1, 40, 0, 0);
    name(&m, "many.example", -1);
    u16(&m, 1);
    u16(&m, 1);
    for (int i = 0; i < 40; i++) {
        u16(&m, 0xc00c);
        rr_head(&m, 1, 1, 1, 4);
        u8(&m, 10);
        u8(&m, 0);
        u8(&m, 0);
        u8(&m, (unsigned)i);
    }
    CHECK_EQ_INT(dt_dns_parse(m.b, m.n, &d), 0);
    CHECK_EQ_INT(d.n_rr, DT_DNS_MAX_RR);
    CHECK_EQ_INT(d.rr_dropped, 40 - DT_DNS_MAX_RR);
    CHECK_EQ_STR(astr(&d.rr[31].addr), "10.0.0.31");
    CHECK_EQ_INT(d.incomplete, 0);

    /* TC bit, NXDOMAIN */
    header(&m, 1, 0x8383, 0, 0, 0, 0);
    CHECK_EQ_INT(dt_dns_parse(m.b, m.n, &d), 0);
    CHECK_EQ_INT(d.truncated, 1);
    CHECK_EQ_INT(d.rcode, 3);

    /* random bytes: never crash */
    srand(1);
    for (int it = 0; it < 20000; it++) {
        size_t l = (size_t)(rand() % 200);
        for (size_t i = 0; i < l; i++)
            m.b[i] = (uint8_t)rand();
        if (l >= 12 && it % 2) { /* plausible header */
            m.b[2] = 0x81;
            m.b[3] = 0x80;
            m.b[4] = 0;
            m.b[5] = (uint8_t)(it % 3);
            m.b[6] = 0;
            m.b[7] = (uint8_t)(it % 7);
        }
        if (dt_dns_parse(m.b, l, &d) == 0) {
            CHECK(d.n_rr <= DT_DNS_MAX_RR);
            CHECK(strlen(d.qname) < DT_DNS_NAME_MAX);
        }
    }
}

static void test_tcp_and_names(void)
{
    uint8_t st[64] = {0, 3, 'a', 'b', 'c', 0, 2, 'x', 'y', 0, 9, 'p', 'q'};
    size_t off = 0;
    const uint8_t *p = NULL;
    CHECK_EQ_INT(dt_dns_tcp_next(st, 13, &off, &p), 3);
    CHECK(p == st + 2);
    CHECK_EQ_INT(off, 5);
    CHECK_EQ_INT(dt_dns_tcp_next(st, 13, &off, &p), 2);
    CHECK(p == st + 7);
    CHECK_EQ_INT(off, 9);
    CHECK_EQ_INT(dt_dns_tcp_next(st, 13, &off, &p), 0); /* partial third */
    CHECK_EQ_INT(off, 9);
    CHECK_EQ_INT(dt_dns_tcp_next(st, 10, &off, &p), 0); /* only one length byte */
    CHECK_EQ_INT(dt_dns_tcp_next(st, 20, &off, &p), 9); /* now complete */
    CHECK_EQ_INT(off, 20);
    CHECK_EQ_INT(dt_dns_tcp_next(st, 20, &off, &p), 0);

    char b[16];
    CHECK_EQ_STR(dt_dns_type_name(1, b, sizeof b), "A");
    CHECK_EQ_STR(dt_dns_type_name(28, b, sizeof b), "AAAA");
    CHECK_EQ_STR(dt_dns_type_name(65, b, sizeof b), "HTTPS");
    CHECK_EQ_STR(dt_dns_type_name(64, b, sizeof b), "SVCB");
    CHECK_EQ_STR(dt_dns_type_name(65534, b, sizeof b), "TYPE65534");
    CHECK_EQ_STR(dt_dns_rcode_name(3, b, sizeof b), "NXDOMAIN");
    CHECK_EQ_STR(dt_dns_rcode_name(5, b, sizeof b), "REFUSED");
    CHECK_EQ_STR(dt_dns_rcode_name(23, b, sizeof b), "RCODE23");
    CHECK(dt_dns_name_eq("WWW.Example.COM", "www.example.com"));
    CHECK(!dt_dns_name_eq("www.example.com", "www.example.co"));
}

/* Recognition by content: the strict structural check. */
static void test_strict(void)
{
    buf m;
    uint16_t id = 0;
    int resp = -1;
    /* a query: one question, nothing else */
    header(&m, 0xbeef, 0x0100, 1, 0, 0, 0);
    name(&m, "car.example.net", -1);
    u16(&m, 1);
    u16(&m, 1);
    CHECK_EQ_INT(dt_dns_strict(m.b, m.n, &id, &resp), 1);
    CHECK_EQ_INT(id, 0xbeef);
    CHECK_EQ_INT(resp, 0);
    CHECK_EQ_INT(dt_dns_strict_header(m.b, 12, m.n, NULL), 1);
    /* a trailing byte, or one missing: the counts and the length disagree */
    CHECK_EQ_INT(dt_dns_strict(m.b, m.n + 1, NULL, NULL), 0);
    CHECK_EQ_INT(dt_dns_strict(m.b, m.n - 1, NULL, NULL), 0);
    /* unknown class */
    m.b[m.n - 1] = 9;
    CHECK_EQ_INT(dt_dns_strict(m.b, m.n, NULL, NULL), 0);
    m.b[m.n - 1] = 1;
    /* a control byte in the name */
    m.b[14] = 0x01;
    CHECK_EQ_INT(dt_dns_strict(m.b, m.n, NULL, NULL), 0);
    m.b[14] = 'a';
    /* a NetBIOS name service query (RFC 1002: the same format, not DNS) */
    {
        buf b;
        header(&b, 1, 0x0110, 1, 0, 0, 0);
        name(&b, "FHEPFCELEHFCEPFFFACACACACACACABN.lan", -1);
        u16(&b, 32);
        u16(&b, 1);
        CHECK_EQ_INT(dt_dns_strict(b.b, b.n, NULL, NULL), 0);
        b.b[13] = '0'; /* a 32-character label that is not all letters: a DNS name */
        CHECK_EQ_INT(dt_dns_strict(b.b, b.n, NULL, NULL), 1);
    }
    /* a query with an error code, with an answer count, with the Z bit, two questions */
    static const uint8_t bad_hdr[][6] = {{0x01, 0x03, 0, 1, 0, 0},
                                         {0x01, 0x00, 0, 1, 0, 1},
                                         {0x01, 0x40, 0, 1, 0, 0},
                                         {0x01, 0x00, 0, 2, 0, 0}};
    for (size_t i = 0; i < sizeof bad_hdr / sizeof bad_hdr[0]; i++) {
        buf b = m;
        memcpy(b.b + 2, bad_hdr[i], 6);
        CHECK_EQ_INT(dt_dns_strict(b.b, b.n, NULL, NULL), 0);
        CHECK_EQ_INT(dt_dns_strict_header(b.b, 12, b.n, NULL), 0);
    }
    /* a response with an answer (compressed owner), an OPT record (class: a size) */
    header(&m, 7, 0x8180, 1, 1, 0, 1);
    name(&m, "car.example.net", -1);
    u16(&m, 1);
    u16(&m, 1);
    name(&m, "", 12);
    rr_head(&m, 1, 1, 60, 4);
    u32(&m, 0xc6336450);
    u8(&m, 0);
    rr_head(&m, 41, 1232, 0, 0);
    CHECK_EQ_INT(dt_dns_strict(m.b, m.n, &id, &resp), 1);
    CHECK_EQ_INT(id, 7);
    CHECK_EQ_INT(resp, 1);
    /* the additional count one too high: the records end before the counts do */
    m.b[11] = 2;
    CHECK_EQ_INT(dt_dns_strict(m.b, m.n, NULL, NULL), 0);
    m.b[11] = 1;
    /* rdata longer than the message */
    m.b[m.n - 1] = 1;
    CHECK_EQ_INT(dt_dns_strict(m.b, m.n, NULL, NULL), 0);
    /* too short for a header, or for any message */
    CHECK_EQ_INT(dt_dns_strict(m.b, 11, NULL, NULL), 0);
    CHECK_EQ_INT(dt_dns_strict_header(m.b, 12, 16, NULL), 0);
    /* every prefix of a valid message fails without reading past it */
    m.b[m.n - 1] = 0;
    for (size_t l = 0; l < m.n; l++) {
        uint8_t *cut = malloc(l ? l : 1);
        memcpy(cut, m.b, l);
        CHECK_EQ_INT(dt_dns_strict(cut, l, NULL, NULL), 0);
        free(cut);
    }
}

int main(void)
{
    test_compression_and_chain();
    test_loops();
    test_name_limits();
    test_ptr_https_mdns();
    test_extra_sections();
    test_reject_and_limits();
    test_tcp_and_names();
    test_strict();
    return check_done();
}
