#include "util/addr.h"
#include "util/text.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

/* Decimal of v (0-255); returns the end. */
static char *put_u8(char *o, unsigned v)
{
    if (v >= 100) {
        *o++ = (char)('0' + v / 100);
        dt_put_2digits(o, v % 100);
        return o + 2;
    }
    if (v >= 10) {
        dt_put_2digits(o, v);
        return o + 2;
    }
    *o++ = (char)('0' + v);
    return o;
}

static char *put_v4(char *o, const uint8_t *a)
{
    for (int i = 0; i < 4; i++) {
        o = put_u8(o, a[i]);
        if (i < 3)
            *o++ = '.';
    }
    return o;
}

/* The text glibc's inet_ntop writes (RFC 5952 style: lowercase hex, the
 * first longest run of two or more zero groups as "::", IPv4-mapped and
 * IPv4-compatible addresses with a dotted tail), without its sprintf per
 * group (a flow formats its addresses several times). */
static char *put_v6(char *o, const uint8_t *a)
{
    static const char hx[] = "0123456789abcdef";
    unsigned w[8];
    for (int i = 0; i < 8; i++)
        w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
    int best = -1, best_len = 0, cur = -1, cur_len = 0;
    for (int i = 0; i <= 8; i++) {
        if (i < 8 && w[i] == 0) {
            if (cur < 0)
                cur = i, cur_len = 0;
            cur_len++;
        } else if (cur >= 0) {
            if (cur_len > best_len)
                best = cur, best_len = cur_len;
            cur = -1;
        }
    }
    if (best_len < 2)
        best = -1;
    for (int i = 0; i < 8; i++) {
        if (best >= 0 && i >= best && i < best + best_len) {
            if (i == best)
                *o++ = ':';
            continue;
        }
        if (i)
            *o++ = ':';
        if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff)))
            return put_v4(o, a + 12);
        int started = 0;
        for (int sh = 12; sh >= 0; sh -= 4) {
            unsigned d = w[i] >> sh & 15;
            if (d || started || sh == 0) {
                *o++ = hx[d];
                started = 1;
            }
        }
    }
    if (best >= 0 && best + best_len == 8)
        *o++ = ':';
    return o;
}

char *dt_addr_str(const dt_addr *x, char *buf, size_t len)
{
    if (len == 0)
        return buf;
    if (len >= DT_ADDR_STRLEN) { /* room for any: straight into buf */
        char *end = x->family == 4 ? put_v4(buf, x->a) : x->family == 6 ? put_v6(buf, x->a) : buf;
        *end = '\0';
        return buf;
    }
    char tmp[DT_ADDR_STRLEN], *end = tmp;
    if (x->family == 4)
        end = put_v4(tmp, x->a);
    else if (x->family == 6)
        end = put_v6(tmp, x->a);
    size_t n = (size_t)(end - tmp);
    if (n >= len)
        n = 0; /* does not fit: empty, as inet_ntop fails */
    memcpy(buf, tmp, n);
    buf[n] = '\0';
    return buf;
}

int dt_addr_parse(const char *s, dt_addr *out)
{
    memset(out, 0, sizeof *out);
    if (inet_pton(AF_INET, s, out->a) == 1) {
        out->family = 4;
        return 0;
    }
    if (inet_pton(AF_INET6, s, out->a) == 1) {
        out->family = 6;
        return 0;
    }
    return -1;
}

int dt_addr_cmp(const dt_addr *x, const dt_addr *y)
{
    if (x->family != y->family)
        return x->family < y->family ? -1 : 1;
    return memcmp(x->a, y->a, 16);
}

void dt_addr_set4(dt_addr *x, const uint8_t *p)
{
    memset(x, 0, sizeof *x);
    x->family = 4;
    memcpy(x->a, p, 4);
}

void dt_addr_set6(dt_addr *x, const uint8_t *p)
{
    x->family = 6;
    memcpy(x->a, p, 16);
}

char *dt_mac_str(const uint8_t *m, char *buf, size_t len)
{
    /* by hand: written for every flow, where snprintf cost 2,800 instructions a call */
    static const char hex[] = "0123456789abcdef";
    char t[18];
    for (int i = 0; i < 6; i++) {
        t[3 * i] = hex[m[i] >> 4];
        t[3 * i + 1] = hex[m[i] & 15];
        t[3 * i + 2] = i < 5 ? ':' : '\0';
    }
    if (len) {
        size_t n = len < sizeof t ? len - 1 : sizeof t - 1;
        memcpy(buf, t, n);
        buf[n] = '\0';
    }
    return buf;
}

int dt_mac_parse(const char *s, uint8_t *mac)
{
    unsigned m[6];
    char sep[5], end;
    if (strlen(s) != 17 ||
        sscanf(s, "%2x%c%2x%c%2x%c%2x%c%2x%c%2x%c", &m[0], &sep[0], &m[1], &sep[1], &m[2], &sep[2],
               &m[3], &sep[3], &m[4], &sep[4], &m[5], &end) != 11)
        return -1;
    for (int i = 0; i < 5; i++)
        if (sep[i] != ':' && sep[i] != '-')
            return -1;
    for (int i = 0; i < 6; i++)
        mac[i] = (uint8_t)m[i];
    return 0;
}

int dt_device_parse(const char *s, char *out, size_t len)
{
    dt_addr a;
    uint8_t mac[6];
    if (len < DT_ADDR_STRLEN)
        return -1;
    if (dt_addr_parse(s, &a) == 0)
        return dt_addr_str(&a, out, len) ? 0 : -1;
    if (dt_mac_parse(s, mac) != 0)
        return -1;
    dt_mac_str(mac, out, len);
    return 0;
}
