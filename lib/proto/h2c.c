/* HTTP/2 cleartext (prior knowledge) in the registry: the first request's
 * pseudo-headers fill the flow's HTTP result (pure parser below), so the
 * flow is "http", named by :authority. */
#include "proto/h2c.h"

#include "proto/apps.h"
#include "util/cursor.h"
#include "util/text.h"

#include <pthread.h>
#include <stdio.h>
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

/* HPACK's Huffman code (RFC 7541 Appendix B) is canonical: codes of one
 * length are consecutive, in symbol order, after the shorter ones.  So the
 * code length of each symbol (0-255, then 256 EOS) is the whole table. */
static const uint8_t huff_len[257] = {
    13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28,
    28, 28, 28, 28, 28, 28, 28, 28, 6,  10, 10, 12, 13, 6,  8,  11, 10, 10, 8,  11, 8,  6,  6,  6,
    5,  5,  5,  6,  6,  6,  6,  6,  6,  6,  7,  8,  15, 6,  12, 10, 13, 6,  7,  7,  7,  7,  7,  7,
    7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  8,  7,  8,  13, 19, 13, 14, 6,
    15, 5,  6,  5,  6,  5,  6,  6,  6,  5,  7,  7,  6,  6,  6,  5,  6,  7,  6,  5,  5,  6,  7,  7,
    7,  7,  7,  15, 11, 14, 13, 28, 20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23,
    24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24, 22, 21, 20, 22, 22, 23, 23, 21,
    23, 22, 22, 24, 21, 22, 23, 23, 21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
    26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, 19, 21, 26, 27, 27, 26, 27, 24,
    21, 21, 26, 26, 28, 27, 27, 27, 20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23,
    26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26, 30,
};
#define HUFF_MIN 5
#define HUFF_MAX 30
#define HUFF_EOS 256

/* Per length: the first code, and where its symbols start in huff_sym. */
static struct {
    uint32_t first[HUFF_MAX + 1];
    uint16_t count[HUFF_MAX + 1], start[HUFF_MAX + 1];
    uint16_t sym[257];
} huff;
static pthread_once_t huff_once = PTHREAD_ONCE_INIT;

static void huff_init(void)
{
    uint32_t code = 0;
    uint16_t n = 0;
    for (int l = HUFF_MIN; l <= HUFF_MAX; l++) {
        huff.first[l] = code;
        huff.start[l] = n;
        for (int s = 0; s < 257; s++)
            if (huff_len[s] == l)
                huff.sym[n++] = (uint16_t)s;
        huff.count[l] = (uint16_t)(n - huff.start[l]);
        code = (code + huff.count[l]) << 1;
    }
}

/* Decodes a Huffman-coded string into out (printable ASCII, '?' else); -1
 * when malformed (EOS inside, padding longer than 7 bits or not all ones). */
static int huff_decode(const uint8_t *p, size_t n, char *out, size_t cap)
{
    pthread_once(&huff_once, huff_init);
    size_t o = 0;
    uint32_t code = 0;
    int len = 0;
    for (size_t i = 0; i < n * 8; i++) {
        code = code << 1 | (uint32_t)(p[i / 8] >> (7 - i % 8) & 1);
        if (++len < HUFF_MIN)
            continue;
        if (len > HUFF_MAX)
            return -1;
        if (code - huff.first[len] >= huff.count[len])
            continue;
        uint16_t s = huff.sym[huff.start[len] + code - huff.first[len]];
        if (s == HUFF_EOS)
            return -1;
        if (o + 1 < cap)
            out[o++] = s >= 0x20 && s < 0x7f ? (char)s : '?';
        code = 0;
        len = 0;
    }
    if (len > 7 || code != (1u << len) - 1)
        return -1;
    if (cap)
        out[o] = '\0';
    return 0;
}

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

/* A string literal (section 5.2) decoded into out (cap bytes; "" when a
 * Huffman-coded one is malformed); -1 when the literal itself is. */
static int hp_str(dt_cur *c, char *out, size_t cap)
{
    uint8_t b = dt_u8(c);
    long n = dt_ok(c) ? hp_int(c, b, 7) : -1;
    const uint8_t *p = n >= 0 ? dt_bytes(c, (size_t)n) : NULL;
    if (!p)
        return -1;
    if (!(b & 0x80))
        dt_copy_printable(out, cap, p, (size_t)n);
    else if (huff_decode(p, (size_t)n, out, cap) < 0)
        out[0] = '\0';
    return 0;
}

/* Which field of out a header (by static index, or by name) fills. */
static char *field_of(dt_http_info *out, long index, const char *name, size_t *cap)
{
    *cap = sizeof out->host;
    if (index == HP_AUTHORITY || index == HP_HOST || !strcmp(name, ":authority") ||
        !strcmp(name, "host"))
        return out->host;
    if (index == HP_USER_AGENT || !strcmp(name, "user-agent")) {
        *cap = sizeof out->user_agent;
        return out->user_agent;
    }
    if (index == HP_METHOD_GET || index == HP_METHOD_POST || !strcmp(name, ":method")) {
        *cap = sizeof out->method;
        return out->method;
    }
    return NULL;
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
        long index = hp_int(&c, b, (b & 0x40) ? 6 : 4);
        char name[16] = "", value[256];
        if (index < 0 || (index == 0 && hp_str(&c, name, sizeof name) < 0) ||
            hp_str(&c, value, sizeof value) < 0)
            return -1;
        size_t cap;
        char *dst = field_of(out, index, name, &cap);
        if (dst && !dst[0])
            snprintf(dst, cap, "%s", value);
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
