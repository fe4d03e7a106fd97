/* SOCKS in the registry: finds a client preamble, after which HTTP is
 * looked for (lib/proto/app_http.c). */
#include "proto/socks.h"

#include "proto/apps.h"
#include "util/cursor.h"

#include <string.h>

int64_t dt_socks_request_len(const uint8_t *p, size_t len)
{
    dt_cur c = dt_cur_make(p, len);
    uint8_t ver = dt_u8(&c);
    if (ver == 4) {
        if (dt_u8(&c) != 1)
            return 0;
        dt_skip(&c, 2);
        const uint8_t *ip = dt_bytes(&c, 4);
        for (int part = 0; part < (ip && !ip[0] && !ip[1] && !ip[2] && ip[3] ? 2 : 1); part++) {
            const uint8_t *z = memchr(dt_ptr(&c), 0, dt_left(&c));
            if (!z)
                return dt_left(&c) > 255 ? 0 : -2;
            dt_skip(&c, (size_t)(z - dt_ptr(&c)) + 1);
        }
        return c.err ? -2 : (int64_t)c.pos;
    }
    if (ver != 5)
        return 0;
    uint8_t n = dt_u8(&c);
    if (n == 0 || n > 16)
        return 0;
    dt_skip(&c, n);
    if (dt_has(&c, 1) && dt_ptr(&c)[0] != 5)
        return 0; /* authentication sub-negotiation or not SOCKS: leave it */
    uint8_t v = dt_u8(&c), cmd = dt_u8(&c);
    dt_skip(&c, 1);
    uint8_t atyp = dt_u8(&c);
    if (c.err)
        return -2;
    if (v != 5 || cmd != 1)
        return 0;
    size_t alen = atyp == 1 ? 4 : atyp == 4 ? 16 : atyp == 3 ? (size_t)dt_u8(&c) : 0;
    if (alen == 0)
        return c.err ? -2 : 0;
    dt_skip(&c, alen + 2);
    return c.err ? -2 : (int64_t)c.pos;
}

/* DONE with the preamble's length in x->socks_len, NOT_MINE without one. */
static dt_parse_status socks_parse(const dt_parse_in *in)
{
    int64_t n = dt_socks_request_len(in->p, in->len);
    if (n == -2)
        return DT_PARSE_MORE;
    if (n <= 0)
        return DT_PARSE_NOT_MINE;
    in->x->socks_len = (uint32_t)n;
    return DT_PARSE_DONE;
}

const dt_parser dt_parser_socks = {
    .name = "socks",
    .transport = DT_TRANSPORT_TCP,
    .dirs = DT_DIRS_CLIENT,
    .parse = socks_parse,
};
