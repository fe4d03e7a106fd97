#include "addr.h"

#include <arpa/inet.h>
#include <string.h>

char *dt_addr_str(const dt_addr *x, char *buf, size_t len)
{
    if (len == 0)
        return buf;
    buf[0] = '\0';
    if (x->family == 4 || x->family == 6)
        if (!inet_ntop(x->family == 6 ? AF_INET6 : AF_INET, x->a, buf, (socklen_t)len))
            buf[0] = '\0';
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
