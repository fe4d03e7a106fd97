#include "check.h"
#include "enrich/resolve.h"

#include <stdint.h>
#include <string.h>

static dt_addr A(const char *s)
{
    dt_addr a;
    dt_addr_parse(s, &a);
    return a;
}

static void add_rr(dt_dns_msg *m, uint16_t type, const char *name, const char *addr,
                   const char *target)
{
    dt_dns_rr *rr = &m->rr[m->n_rr++];
    memset(rr, 0, sizeof *rr);
    rr->type = type;
    strcpy(rr->name, name);
    if (addr)
        rr->addr = A(addr);
    if (target)
        strcpy(rr->target, target);
}

static void test_msg_and_chain(void)
{
    dt_resolve *r = dt_resolve_new(100);
    dt_dns_msg m;
    memset(&m, 0, sizeof m);
    m.response = 1;
    strcpy(m.qname, "www.Example.com");
    add_rr(&m, DT_DNS_T_CNAME, "www.example.com", NULL, "e1234.akamaiedge.net");
    add_rr(&m, DT_DNS_T_A, "E1234.akamaiedge.net", "192.0.2.1", NULL);
    add_rr(&m, DT_DNS_T_A, "e1234.akamaiedge.net", "192.0.2.2", NULL);
    add_rr(&m, DT_DNS_T_AAAA, "e1234.akamaiedge.net", "2001:db8::1", NULL);
    add_rr(&m, DT_DNS_T_A, "unrelated.example", "192.0.2.9", NULL);
    add_rr(&m, DT_DNS_T_HTTPS, "www.example.com", "192.0.2.3", NULL);
    dt_resolve_add_msg(r, &m, 1000);
    CHECK_EQ_INT(dt_resolve_count(r), 5);
    /* glue in the additional section: under its own name, or the query name if in the chain */
    m.n_extra = 2;
    strcpy(m.extra[0].name, "ns1.akam.net");
    m.extra[0].type = DT_DNS_T_A;
    m.extra[0].addr = A("198.51.100.53");
    strcpy(m.extra[1].name, "e1234.akamaiedge.net");
    m.extra[1].type = DT_DNS_T_A;
    m.extra[1].addr = A("192.0.2.4");
    dt_resolve_add_msg(r, &m, 1000);
    CHECK_EQ_INT(dt_resolve_count(r), 7);
    dt_addr g = A("198.51.100.53");
    CHECK_EQ_STR(dt_resolve_lookup(r, &g, 1000, NULL, NULL), "ns1.akam.net");
    g = A("192.0.2.4");
    CHECK_EQ_STR(dt_resolve_lookup(r, &g, 1000, NULL, NULL), "www.Example.com");
    m.n_extra = 0;

    const char *owner = NULL;
    uint64_t ts = 0;
    dt_addr a = A("192.0.2.2");
    CHECK_EQ_STR(dt_resolve_lookup(r, &a, 1000, &owner, &ts), "www.Example.com");
    CHECK_EQ_STR(owner, "e1234.akamaiedge.net");
    CHECK_EQ_INT(ts, 1000);
    CHECK(dt_resolve_lookup(r, &a, 999, NULL, NULL) == NULL); /* not yet resolved */
    a = A("192.0.2.9");
    CHECK_EQ_STR(dt_resolve_lookup(r, &a, 5000, NULL, NULL), "unrelated.example");
    a = A("192.0.2.3");
    CHECK_EQ_STR(dt_resolve_lookup(r, &a, 5000, NULL, NULL), "www.Example.com");
    a = A("192.0.2.77");
    CHECK(dt_resolve_lookup(r, &a, 5000, NULL, NULL) == NULL);

    /* queries are ignored */
    m.response = 0;
    dt_resolve_add_msg(r, &m, 2000);
    CHECK_EQ_INT(dt_resolve_count(r), 7);

    /* same name in other case: same entry, count 2 */
    memset(&m, 0, sizeof m);
    m.response = 1;
    strcpy(m.qname, "WWW.EXAMPLE.COM");
    add_rr(&m, DT_DNS_T_A, "WWW.EXAMPLE.COM", "192.0.2.1", NULL);
    dt_resolve_add_msg(r, &m, 3000);
    CHECK_EQ_INT(dt_resolve_count(r), 7);

    dt_resolve_entry e[10];
    size_t n = dt_resolve_list(r, e, 10);
    CHECK_EQ_INT(n, 7);
    char s[64];
    CHECK_EQ_STR(e[0].name, "ns1.akam.net");
    CHECK_EQ_STR(e[1].name, "unrelated.example");
    CHECK_EQ_INT(e[1].count, 2);
    CHECK_EQ_STR(e[2].name, "www.Example.com");
    CHECK_EQ_INT(e[2].type, 1);
    CHECK_EQ_STR(dt_addr_str(&e[2].addr, s, sizeof s), "192.0.2.1");
    CHECK_EQ_INT(e[2].count, 3);
    CHECK_EQ_INT(e[2].first_ts_ns, 1000);
    CHECK_EQ_INT(e[2].last_ts_ns, 3000);
    CHECK_EQ_STR(e[2].owner, "WWW.EXAMPLE.COM");
    CHECK_EQ_STR(dt_addr_str(&e[3].addr, s, sizeof s), "192.0.2.2");
    CHECK_EQ_INT(e[3].count, 2);
    CHECK_EQ_STR(dt_addr_str(&e[4].addr, s, sizeof s), "192.0.2.4");
    CHECK_EQ_INT(e[4].count, 1);
    CHECK_EQ_STR(e[4].owner, "e1234.akamaiedge.net");
    CHECK_EQ_INT(e[5].type, 28);
    CHECK_EQ_INT(e[6].type, 65);
    CHECK_EQ_INT(dt_resolve_list(r, e, 2), 2);
    CHECK_EQ_STR(e[1].name, "unrelated.example");
    dt_resolve_free(r);
}

static void test_latest_before(void)
{
    dt_resolve *r = dt_resolve_new(100);
    dt_addr a = A("203.0.113.5");
    dt_resolve_add(r, "first.example", NULL, 1, &a, 100);
    dt_resolve_add(r, "second.example", NULL, 1, &a, 200);
    dt_resolve_add(r, "first.example", NULL, 1, &a, 300);
    CHECK(dt_resolve_lookup(r, &a, 99, NULL, NULL) == NULL);
    CHECK_EQ_STR(dt_resolve_lookup(r, &a, 100, NULL, NULL), "first.example");
    CHECK_EQ_STR(dt_resolve_lookup(r, &a, 150, NULL, NULL), "first.example");
    CHECK_EQ_STR(dt_resolve_lookup(r, &a, 200, NULL, NULL), "second.example");
    CHECK_EQ_STR(dt_resolve_lookup(r, &a, 299, NULL, NULL), "second.example");
    CHECK_EQ_STR(dt_resolve_lookup(r, &a, 300, NULL, NULL), "first.example");
    CHECK_EQ_STR(dt_resolve_lookup(r, &a, UINT64_MAX, NULL, NULL), "first.example");
    /* case-insensitive address owner: an A for SECOND.example at 400 updates that entry */
    const char *owner;
    dt_resolve_add(r, "SECOND.EXAMPLE", "Edge.Net", 1, &a, 400);
    CHECK_EQ_INT(dt_resolve_count(r), 2);
    CHECK_EQ_STR(dt_resolve_lookup(r, &a, 400, &owner, NULL), "second.example");
    CHECK_EQ_STR(owner, "Edge.Net");
    /* same timestamp: the one recorded last wins */
    dt_resolve_add(r, "third.example", NULL, 1, &a, 400);
    CHECK_EQ_STR(dt_resolve_lookup(r, &a, 400, NULL, NULL), "third.example");
    dt_resolve_add(r, "second.example", NULL, 1, &a, 400);
    CHECK_EQ_STR(dt_resolve_lookup(r, &a, 400, NULL, NULL), "second.example");
    /* a different family/address does not match */
    dt_addr b = A("::ffff:203.0.113.5");
    CHECK(dt_resolve_lookup(r, &b, 1000, NULL, NULL) == NULL);

    /* more sightings than history: the oldest known is still the first */
    dt_addr c = A("198.51.100.1");
    for (uint64_t t = 1000; t <= 2000; t += 100)
        dt_resolve_add(r, "busy.example", NULL, 1, &c, t);
    dt_resolve_add(r, "other.example", NULL, 1, &c, 1550);
    CHECK_EQ_STR(dt_resolve_lookup(r, &c, 1560, NULL, NULL), "other.example");
    CHECK_EQ_STR(dt_resolve_lookup(r, &c, 1750, NULL, NULL), "busy.example");
    CHECK_EQ_STR(dt_resolve_lookup(r, &c, 1000, NULL, NULL), "busy.example");
    CHECK(dt_resolve_lookup(r, &c, 999, NULL, NULL) == NULL);
    dt_resolve_free(r);
}

static void test_eviction(void)
{
    dt_resolve *r = dt_resolve_new(8);
    char name[32];
    dt_addr a;
    for (int i = 0; i < 20; i++) {
        uint8_t ip[4] = {10, 0, 0, (uint8_t)i};
        dt_addr_set4(&a, ip);
        snprintf(name, sizeof name, "n%02d.example", i);
        dt_resolve_add(r, name, NULL, 1, &a, (uint64_t)i * 10);
        CHECK(dt_resolve_count(r) <= 8);
        if (i == 15) { /* refresh entry 9, the second oldest: it survives */
            uint8_t ip9[4] = {10, 0, 0, 9};
            dt_addr_set4(&a, ip9);
            dt_resolve_add(r, "n09.example", NULL, 1, &a, 155);
        }
    }
    CHECK_EQ_INT(dt_resolve_count(r), 8);
    CHECK_EQ_INT(dt_resolve_evictions(r), 12);
    uint8_t ip[4] = {10, 0, 0, 9};
    dt_addr_set4(&a, ip);
    CHECK_EQ_STR(dt_resolve_lookup(r, &a, 1000, NULL, NULL), "n09.example");
    ip[3] = 12;
    dt_addr_set4(&a, ip);
    CHECK(dt_resolve_lookup(r, &a, 1000, NULL, NULL) == NULL); /* evicted */
    ip[3] = 19;
    dt_addr_set4(&a, ip);
    CHECK_EQ_STR(dt_resolve_lookup(r, &a, 1000, NULL, NULL), "n19.example");
    dt_resolve_entry e[8];
    CHECK_EQ_INT(dt_resolve_list(r, e, 8), 8);
    CHECK_EQ_STR(e[0].name, "n09.example");
    CHECK_EQ_STR(e[1].name, "n13.example");
    CHECK_EQ_STR(e[7].name, "n19.example");
    dt_resolve_free(r);

    /* a table of 1 (0 is rounded up) */
    r = dt_resolve_new(0);
    dt_resolve_add(r, "a", NULL, 1, &a, 1);
    dt_resolve_add(r, "b", NULL, 1, &a, 2);
    CHECK_EQ_INT(dt_resolve_count(r), 1);
    CHECK_EQ_STR(dt_resolve_lookup(r, &a, 5, NULL, NULL), "b");
    dt_resolve_free(r);
}

static dt_addr addr_n(uint32_t n)
{
    uint8_t ip[4] = {10, (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};
    dt_addr a;
    dt_addr_set4(&a, ip);
    return a;
}

/* The table starts small and grows by doubling: entries added before a growth
 * are still found after it (rehashed), including several names per address. */
static void test_growth(void)
{
    dt_resolve *r = dt_resolve_new(5000);
    char name[32];
    for (uint32_t i = 0; i < 3000; i++) {
        dt_addr a = addr_n(i / 2); /* two names per address */
        snprintf(name, sizeof name, "g%04u.example", (unsigned)i);
        dt_resolve_add(r, name, NULL, 1, &a, 1000 + i);
    }
    CHECK_EQ_INT(dt_resolve_count(r), 3000);
    CHECK_EQ_INT(dt_resolve_evictions(r), 0);
    int wrong = 0;
    for (uint32_t k = 0; k < 1500; k++) {
        dt_addr a = addr_n(k);
        char first[32], second[32];
        snprintf(first, sizeof first, "g%04u.example", (unsigned)(2 * k));
        snprintf(second, sizeof second, "g%04u.example", (unsigned)(2 * k + 1));
        const char *n1 = dt_resolve_lookup(r, &a, 1000 + 2 * k, NULL, NULL);
        const char *n2 = dt_resolve_lookup(r, &a, UINT64_MAX, NULL, NULL);
        if (!n1 || strcmp(n1, first) || !n2 || strcmp(n2, second))
            wrong++;
    }
    CHECK_EQ_INT(wrong, 0);
    /* an update after growth finds the existing entry */
    dt_addr a0 = addr_n(0);
    dt_resolve_add(r, "G0000.EXAMPLE", NULL, 1, &a0, 9000);
    CHECK_EQ_INT(dt_resolve_count(r), 3000);
    CHECK_EQ_STR(dt_resolve_lookup(r, &a0, 9000, NULL, NULL), "g0000.example");
    dt_resolve_entry e[2];
    CHECK_EQ_INT(dt_resolve_list(r, e, 2), 2);
    CHECK_EQ_STR(e[0].name, "g0000.example");
    CHECK_EQ_INT(e[0].count, 2);
    dt_resolve_free(r);
}

/* A maximum that is not a power of two and above the initial size: the table
 * grows to exactly that many, then evicts the least recently seen. */
static void test_growth_then_eviction(void)
{
    dt_resolve *r = dt_resolve_new(1000);
    char name[32];
    for (uint32_t i = 0; i < 1500; i++) {
        dt_addr a = addr_n(i);
        snprintf(name, sizeof name, "e%04u.example", (unsigned)i);
        dt_resolve_add(r, name, NULL, 1, &a, 1000 + i);
        if (i == 999) { /* full: refresh the oldest, it outlives the next 999 */
            dt_addr a0 = addr_n(0);
            dt_resolve_add(r, "e0000.example", NULL, 1, &a0, 5000);
        }
        if (i < 1000)
            CHECK(dt_resolve_evictions(r) == 0);
    }
    CHECK_EQ_INT(dt_resolve_count(r), 1000);
    CHECK_EQ_INT(dt_resolve_evictions(r), 500);
    dt_addr a = addr_n(0);
    CHECK_EQ_STR(dt_resolve_lookup(r, &a, UINT64_MAX, NULL, NULL), "e0000.example");
    a = addr_n(1);
    CHECK(dt_resolve_lookup(r, &a, UINT64_MAX, NULL, NULL) == NULL); /* evicted first */
    a = addr_n(500);
    CHECK(dt_resolve_lookup(r, &a, UINT64_MAX, NULL, NULL) == NULL); /* evicted last */
    a = addr_n(501);
    CHECK_EQ_STR(dt_resolve_lookup(r, &a, UINT64_MAX, NULL, NULL), "e0501.example");
    a = addr_n(1499);
    CHECK_EQ_STR(dt_resolve_lookup(r, &a, UINT64_MAX, NULL, NULL), "e1499.example");
    static dt_resolve_entry e[1001];
    CHECK_EQ_INT(dt_resolve_list(r, e, 1001), 1000);
    CHECK_EQ_STR(e[0].name, "e0000.example");
    CHECK_EQ_STR(e[1].name, "e0501.example");
    CHECK_EQ_STR(e[999].name, "e1499.example");
    dt_resolve_free(r);
}

int main(void)
{
    test_msg_and_chain();
    test_latest_before();
    test_eviction();
    test_growth();
    test_growth_then_eviction();
    return check_done();
}
