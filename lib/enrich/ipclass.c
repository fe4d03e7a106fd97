#include "enrich/ipclass.h"

#include <stdlib.h>
#include <string.h>

/* Compares the first `bits` bits of two byte strings. */
static int prefix_eq(const uint8_t *x, const uint8_t *y, int bits)
{
    int full = bits / 8, rest = bits % 8;
    if (full && memcmp(x, y, (size_t)full) != 0)
        return 0;
    if (rest) {
        uint8_t m = (uint8_t)(0xff << (8 - rest));
        if ((x[full] & m) != (y[full] & m))
            return 0;
    }
    return 1;
}

/* The classes a device's own address has by default (dt_ipclass_is_local_default):
 * one object each, so the check compares pointers. */
static const char CLS_PRIVATE[] = "private", CLS_LOOPBACK[] = "loopback",
                  CLS_LINK_LOCAL[] = "link-local", CLS_ULA[] = "ula", CLS_CGNAT[] = "cgnat";

struct v4rule {
    uint32_t net, mask; /* host order */
    const char *cls;
};
#define V4(a, b, c, d, bits, cls)                                                                  \
    {                                                                                              \
        (uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d),            \
            (bits) ? 0xffffffffu << (32 - (bits)) : 0, cls                                         \
    }

/* Most specific first where prefixes nest. */
static const struct v4rule v4rules[] = {
    V4(255, 255, 255, 255, 32, "broadcast"), V4(0, 0, 0, 0, 8, "unspecified"),
    V4(10, 0, 0, 0, 8, CLS_PRIVATE),         V4(100, 64, 0, 0, 10, CLS_CGNAT),
    V4(127, 0, 0, 0, 8, CLS_LOOPBACK),       V4(169, 254, 0, 0, 16, CLS_LINK_LOCAL),
    V4(172, 16, 0, 0, 12, CLS_PRIVATE),      V4(192, 0, 0, 0, 24, "ietf-protocol"),
    V4(192, 0, 2, 0, 24, "documentation"),   V4(192, 168, 0, 0, 16, CLS_PRIVATE),
    V4(198, 18, 0, 0, 15, "benchmarking"),   V4(198, 51, 100, 0, 24, "documentation"),
    V4(203, 0, 113, 0, 24, "documentation"), V4(224, 0, 0, 0, 4, "multicast"),
    V4(240, 0, 0, 0, 4, "reserved"),
};

static const char *class_v4(const uint8_t *p)
{
    /* one masked compare per rule, with the masks made by the compiler: this runs
     * for both ends of every flow */
    uint32_t x = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    for (size_t i = 0; i < sizeof v4rules / sizeof v4rules[0]; i++)
        if ((x & v4rules[i].mask) == v4rules[i].net)
            return v4rules[i].cls;
    return "public";
}

static const uint8_t v6_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
static const uint8_t v6_nat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};

int dt_ipclass_embedded_v4(const dt_addr *a, dt_addr *v4)
{
    if (!a || a->family != 6)
        return 0;
    if (memcmp(a->a, v6_mapped, 12) == 0 || memcmp(a->a, v6_nat64, 12) == 0) {
        dt_addr_set4(v4, a->a + 12);
        return 1;
    }
    return 0;
}

struct v6rule {
    uint8_t net[16];
    int bits;
    const char *cls;
};

static const struct v6rule v6rules[] = {
    {{0x20, 0x01, 0x0d, 0xb8}, 32, "documentation"},
    {{0x3f, 0xff}, 20, "documentation"},
    {{0xfe, 0x80}, 10, CLS_LINK_LOCAL},
    {{0xfc, 0x00}, 7, CLS_ULA},
    {{0xff, 0x00}, 8, "multicast"},
    {{0x3f, 0xfe}, 16, "reserved"}, /* the 6bone, returned to IANA (RFC 3701) */
};

/* Global unicast is 2000::/3; the rest of the space not named above is
 * reserved by the IETF (IANA IPv6 Address Space registry). */
static const uint8_t v6_global[16] = {0x20};

static const char *class_v6(const dt_addr *a)
{
    static const uint8_t zero[16];
    dt_addr v4;
    if (memcmp(a->a, zero, 15) == 0) {
        if (a->a[15] == 0)
            return "unspecified";
        if (a->a[15] == 1)
            return CLS_LOOPBACK;
    }
    if (dt_ipclass_embedded_v4(a, &v4))
        return class_v4(v4.a);
    for (size_t i = 0; i < sizeof v6rules / sizeof v6rules[0]; i++)
        if (prefix_eq(a->a, v6rules[i].net, v6rules[i].bits))
            return v6rules[i].cls;
    return prefix_eq(a->a, v6_global, 3) ? "public" : "reserved";
}

const char *dt_ipclass(const dt_addr *a)
{
    if (!a)
        return "invalid";
    if (a->family == 4)
        return class_v4(a->a);
    if (a->family == 6)
        return class_v6(a);
    return "invalid";
}

int dt_ipclass_is_local_default(const dt_addr *a)
{
    const char *c = dt_ipclass(a);
    return c == CLS_PRIVATE || c == CLS_LOOPBACK || c == CLS_LINK_LOCAL || c == CLS_ULA ||
           c == CLS_CGNAT;
}

int dt_cidr_parse(const char *s, dt_cidr *out)
{
    char buf[64];
    if (!s || !out)
        return -1;
    memset(out, 0, sizeof *out);
    size_t n = strlen(s);
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, s, n + 1);
    char *slash = strchr(buf, '/');
    long bits = -1;
    if (slash) {
        *slash = '\0';
        const char *b = slash + 1;
        if (*b < '0' || *b > '9' || strlen(b) > 3)
            return -1;
        char *end;
        bits = strtol(b, &end, 10);
        if (*end != '\0')
            return -1;
    }
    if (dt_addr_parse(buf, &out->net) != 0)
        return -1;
    int max = out->net.family == 4 ? 32 : 128;
    if (bits < 0)
        bits = max;
    if (bits > max) {
        memset(out, 0, sizeof *out);
        return -1;
    }
    out->bits = (int)bits;
    for (int i = 0; i < 16; i++) {
        int keep = out->bits - i * 8;
        if (keep >= 8)
            continue;
        out->net.a[i] &= keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));
    }
    return 0;
}

int dt_cidr_match(const dt_cidr *c, const dt_addr *a)
{
    if (!c || !a || c->net.family != a->family || (a->family != 4 && a->family != 6))
        return 0;
    int max = a->family == 4 ? 32 : 128;
    if (c->bits < 0 || c->bits > max)
        return 0;
    return prefix_eq(c->net.a, a->a, c->bits);
}
