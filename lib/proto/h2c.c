/* HTTP/2 cleartext (prior knowledge) in the registry: the first request's
 * pseudo-headers fill the flow's HTTP result (pure parser below), so the
 * flow is "http", named by :authority. */
#include "proto/h2c.h"

#include "proto/apps.h"
#include "util/cursor.h"
#include "util/text.h"

#include <string.h>

#define H2_PREFACE "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
#define H2_PREFACE_LEN (sizeof H2_PREFACE - 1)
#define H2_FRAME_HDR 9
#define H2_HEADERS 1
#define H2_FLAG_PADDED 0x08
#define H2_FLAG_PRIORITY 0x20
#define H2_MAX_FRAMES 16 /* frames before the first HEADERS (SETTINGS, WINDOW_UPDATE...) */

/* HPACK static table entries (RFC 7541 Appendix A) the request needs. */
#define HP_AUTHORITY 1
#define HP_METHOD_GET 2
#define HP_METHOD_POST 3
#define HP_HOST 38
#define HP_USER_AGENT 58
#define HP_INT_BYTES 4 /* continuation bytes of an integer (up to 2^28) */

/* An integer with an n-bit prefix (RFC 7541 section 5.1); -1 malformed. */
static long hp_int(dt_cur *c, uint8_t first, int n)
{
    unsigned long max = (1u << n) - 1, v = first & max;
    if (v < max)
        return (long)v;
    for (int i = 0, shift = 0; i < HP_INT_BYTES; i++, shift += 7) {
        uint8_t b = dt_u8(c);
        if (!dt_ok(c))
            return -1;
        v += (unsigned long)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return (long)v;
    }
    return -1;
}

/* A string literal (section 5.2): its bytes, NULL when Huffman-coded (*len
 * still set); -1 in *len when malformed. */
static const uint8_t *hp_str(dt_cur *c, long *len)
{
    uint8_t b = dt_u8(c);
    long n = dt_ok(c) ? hp_int(c, b, 7) : -1;
    const uint8_t *p = n >= 0 ? dt_bytes(c, (size_t)n) : NULL;
    *len = p ? n : -1;
    return p && !(b & 0x80) ? p : NULL;
}

/* Which field of out a header (by static index, or by name) fills. */
static char *field_of(dt_http_info *out, long index, const uint8_t *name, long nlen, size_t *cap)
{
#define IS(lit) (name && nlen == (long)sizeof lit - 1 && memcmp(name, lit, sizeof lit - 1) == 0)
    *cap = sizeof out->host;
    if (index == HP_AUTHORITY || IS(":authority") || index == HP_HOST || IS("host"))
        return out->host;
    if (index == HP_USER_AGENT || IS("user-agent")) {
        *cap = sizeof out->user_agent;
        return out->user_agent;
    }
    if (index == HP_METHOD_GET || index == HP_METHOD_POST || IS(":method")) {
        *cap = sizeof out->method;
        return out->method;
    }
    return NULL;
#undef IS
}

/* The header block of the first HEADERS frame; 0, or -1 when malformed. */
static int header_block(dt_cur c, dt_http_info *out)
{
    while (dt_left(&c) > 0) {
        uint8_t b = dt_u8(&c);
        if (b & 0x80) { /* indexed field: of the static table here (a first request) */
            long i = hp_int(&c, b, 7);
            if (i < 0)
                return -1;
            if ((i == HP_METHOD_GET || i == HP_METHOD_POST) && !out->method[0])
                strcpy(out->method, i == HP_METHOD_GET ? "GET" : "POST");
            continue;
        }
        if ((b & 0xe0) == 0x20) { /* dynamic table size update */
            if (hp_int(&c, b, 5) < 0)
                return -1;
            continue;
        }
        /* a literal: 6-bit name index (incremental indexing) or 4-bit */
        long index = hp_int(&c, b, (b & 0x40) ? 6 : 4), nlen = 0, vlen = 0;
        const uint8_t *name = NULL;
        if (index == 0)
            name = hp_str(&c, &nlen);
        const uint8_t *value = index >= 0 && nlen >= 0 ? hp_str(&c, &vlen) : NULL;
        if (index < 0 || nlen < 0 || vlen < 0)
            return -1;
        size_t cap;
        char *dst = field_of(out, index, name, nlen, &cap);
        if (dst && value && !dst[0])
            dt_copy_printable(dst, cap, value, (size_t)vlen);
    }
    return 0;
}

dt_parse_status dt_h2c_parse_client_stream(const uint8_t *p, size_t len, dt_http_info *out)
{
    size_t n = len < H2_PREFACE_LEN ? len : H2_PREFACE_LEN;
    if (memcmp(p, H2_PREFACE, n) != 0)
        return DT_PARSE_NOT_MINE;
    dt_cur c = dt_cur_make(p, len);
    dt_skip(&c, H2_PREFACE_LEN);
    for (int frames = 0; frames < H2_MAX_FRAMES; frames++) {
        if (!dt_has(&c, H2_FRAME_HDR))
            return DT_PARSE_MORE;
        uint32_t flen = dt_be24(&c);
        uint8_t type = dt_u8(&c), flags = dt_u8(&c);
        dt_skip(&c, 4); /* stream id */
        if (!dt_has(&c, flen))
            return DT_PARSE_MORE;
        dt_cur f = dt_sub(&c, flen);
        if (type != H2_HEADERS)
            continue;
        size_t pad = flags & H2_FLAG_PADDED ? dt_u8(&f) : 0;
        if (flags & H2_FLAG_PRIORITY)
            dt_skip(&f, 5);
        if (!dt_ok(&f) || pad > dt_left(&f))
            return DT_PARSE_NOT_MINE;
        f.len -= pad;
        memset(out, 0, sizeof *out);
        if (header_block(f, out) < 0)
            return DT_PARSE_NOT_MINE;
        out->present = 1;
        out->requests = 1;
        return DT_PARSE_DONE;
    }
    return DT_PARSE_NOT_MINE;
}

/* After the HTTP/1 parser gave up on the preface ("PRI" is no method of it). */
static dt_parse_status h2c_parse(const dt_parse_in *in)
{
    dt_flow_app *x = in->x;
    if (x->app)
        return DT_PARSE_NOT_MINE;
    dt_http_info req;
    dt_parse_status st = dt_h2c_parse_client_stream(in->p, in->len, &req);
    if (st != DT_PARSE_DONE)
        return st;
    dt_http_info *h = dt_parser_result(in, DT_RESULT_HTTP);
    if (!h)
        return DT_PARSE_NOT_MINE;
    *h = req;
    dt_flow_app_set(x, DT_APP_HTTP);
    return DT_PARSE_DONE;
}

const dt_parser dt_parser_h2c = {
    .name = "h2c",
    .transport = DT_TRANSPORT_TCP,
    .dirs = DT_DIRS_CLIENT,
    .parse = h2c_parse,
};
