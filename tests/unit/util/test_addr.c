/* lib/addr.c: dt_addr_str writes what inet_ntop writes, for every shape of
 * IPv6 zero runs, IPv4-mapped/compatible addresses and random addresses. */
#include "util/addr.h"
#include "check.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

static int same(const dt_addr *x)
{
    char want[DT_ADDR_STRLEN], got[DT_ADDR_STRLEN];
    if (!inet_ntop(x->family == 6 ? AF_INET6 : AF_INET, x->a, want, sizeof want))
        want[0] = '\0';
    dt_addr_str(x, got, sizeof got);
    if (strcmp(want, got) != 0) {
        fprintf(stderr, "inet_ntop %s, dt_addr_str %s\n", want, got);
        return 0;
    }
    return 1;
}

/* deterministic (xorshift) */
static uint32_t rnd(void)
{
    static uint32_t s = 2463534242u;
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    return s;
}

int main(void)
{
    dt_addr x;
    int ok = 1;
    /* IPv4: every value in every position */
    memset(&x, 0, sizeof x);
    x.family = 4;
    for (int pos = 0; pos < 4; pos++)
        for (int v = 0; v < 256; v++) {
            memset(x.a, 0, 4);
            x.a[pos] = (uint8_t)v;
            x.a[3 - pos] |= (uint8_t)(255 - v);
            ok &= same(&x);
        }
    /* IPv6: each of the 256 patterns of zero / non-zero groups, with group
     * values of 1 to 4 hex digits */
    static const unsigned vals[] = {0x1, 0xab, 0xfff, 0xffff, 0x1000, 0x0f0f};
    x.family = 6;
    for (int pat = 0; pat < 256; pat++)
        for (size_t v = 0; v < sizeof vals / sizeof vals[0]; v++) {
            memset(x.a, 0, 16);
            for (int g = 0; g < 8; g++)
                if (pat & (1 << g)) {
                    unsigned w = vals[(v + (size_t)g) % (sizeof vals / sizeof vals[0])];
                    x.a[2 * g] = (uint8_t)(w >> 8);
                    x.a[2 * g + 1] = (uint8_t)w;
                }
            ok &= same(&x);
        }
    /* mapped, compatible and their neighbours */
    static const char *const texts[] = {
        "::ffff:1.2.3.4",   "::1.2.3.4",      "::1",       "::",
        "::ffff:0:0",       "::fffe:1.2.3.4", "::2",       "1::",
        "64:ff9b::1.2.3.4", "::ffff:0.0.0.1", "::0.1.0.0", "2a01:598:a001:1::2",
        "fe80::1:0:0:1"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        CHECK_EQ_INT(dt_addr_parse(texts[i], &x), 0);
        ok &= same(&x);
    }
    /* random */
    for (int i = 0; i < 200000; i++) {
        x.family = i % 4 ? 6 : 4;
        memset(x.a, 0, 16);
        for (size_t j = 0; j < dt_addr_len(&x); j++)
            x.a[j] = (uint8_t)(rnd() % 3 ? 0 : rnd());
        ok &= same(&x);
    }
    CHECK(ok);
    /* a buffer too small gives "", as inet_ntop's failure did */
    char small[8] = "zzzzzzz";
    dt_addr_parse("2a01:598:a001:1::2", &x);
    dt_addr_str(&x, small, sizeof small);
    CHECK_EQ_STR(small, "");
    dt_addr_parse("1.2.3.4", &x);
    dt_addr_str(&x, small, sizeof small);
    CHECK_EQ_STR(small, "1.2.3.4");
    memset(&x, 0, sizeof x);
    CHECK_EQ_STR(dt_addr_str(&x, small, sizeof small), "");
    return check_done();
}
