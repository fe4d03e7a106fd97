#include "proto/http.h"
#include "util/cursor.h"
#include "util/text.h"

#include <string.h>

#define HTTP_MAX_REQUESTS 100000

static const char *const methods[] = {
    "GET",       "POST",  "PUT",      "HEAD",   "DELETE",    "OPTIONS",     "PATCH",
    "CONNECT",   "TRACE", "M-SEARCH", "NOTIFY", "SUBSCRIBE", "UNSUBSCRIBE", "PROPFIND",
    "PROPPATCH", "MKCOL", "COPY",     "MOVE",   "LOCK",      "UNLOCK",
};
#define N_METHODS (sizeof methods / sizeof methods[0])

/* Some byte of w is below lo (lo <= 0x80) or is 0x7f and above: the head's
 * target and values are mostly long plain runs, tested eight bytes at once. */
static uint64_t outside(uint64_t w, uint8_t lo)
{
    return dt_word_has_below(w, lo) | dt_word_has_above(w, 0x7e);
}

/* One request head as seen by the scanner. */
typedef struct req {
    char method[16];
    char host[256];
    char user_agent[256];
    char path[256];
    char target_host[256]; /* authority of a CONNECT or absolute-form target */
    int line_done;
    int have_host;
    int chunked;
    int bad_length;
    uint64_t content_length;
} req;

/* Copies n bytes into a NUL-terminated buffer: printable ASCII as is, other
 * bytes as \xHH; truncated safely (never in the middle of an escape). */
static void copy_text(char *dst, size_t dlen, const uint8_t *p, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t i = 0;
    uint64_t w;
    /* the plain prefix, eight bytes at a time while they fit with the NUL */
    while (i + sizeof w <= n && i + sizeof w < dlen &&
           (memcpy(&w, p + i, sizeof w), !(outside(w, 0x20) | dt_word_has_byte(w, '\\')))) {
        memcpy(dst + i, &w, sizeof w);
        i += sizeof w;
    }
    size_t o = i;
    for (; i < n; i++) {
        uint8_t b = p[i];
        if (b >= 0x20 && b < 0x7f && b != '\\') {
            if (o + 1 >= dlen)
                break;
            dst[o++] = (char)b;
        } else {
            if (o + 4 >= dlen)
                break;
            dst[o++] = '\\';
            dst[o++] = 'x';
            dst[o++] = hex[b >> 4];
            dst[o++] = hex[b & 15];
        }
    }
    if (dlen)
        dst[o < dlen ? o : dlen - 1] = '\0';
}

static int ieq(const uint8_t *p, size_t n, const char *s)
{
    if (strlen(s) != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t a = p[i], b = (uint8_t)s[i];
        if (a >= 'A' && a <= 'Z')
            a = (uint8_t)(a + 32);
        if (b >= 'A' && b <= 'Z')
            b = (uint8_t)(b + 32);
        if (a != b)
            return 0;
    }
    return 1;
}

static int is_ws(uint8_t b)
{
    return b == ' ' || b == '\t';
}

/* Checks the method token at the cursor.  Returns DONE (token and the space
 * consumed), MORE (a prefix of some method), NOT_MINE. */
static dt_parse_status scan_method(dt_cur *c, req *r)
{
    const uint8_t *p = dt_ptr(c);
    size_t left = dt_left(c);
    int prefix = 0;
    for (size_t m = 0; m < N_METHODS; m++) {
        if (left && p[0] != (uint8_t)methods[m][0])
            continue; /* neither this method nor a prefix of it */
        size_t ml = strlen(methods[m]);
        if (left >= ml + 1) {
            if (memcmp(p, methods[m], ml) == 0 && p[ml] == ' ') {
                memcpy(r->method, methods[m], ml + 1);
                dt_skip(c, ml + 1);
                return DT_PARSE_DONE;
            }
        } else if (memcmp(p, methods[m], left < ml ? left : ml) == 0) {
            prefix = 1;
        }
    }
    return prefix ? DT_PARSE_MORE : DT_PARSE_NOT_MINE;
}

/* The authority of an absolute-form target ("http://host:port/x"), or of a
 * CONNECT target, into r->target_host. */
static void host_from_target(req *r, const uint8_t *t, size_t n)
{
    size_t i = 0;
    if (strcmp(r->method, "CONNECT") != 0) {
        if (n == 0 || t[0] == '/')
            return; /* origin form: no authority */
        size_t k = 0;
        while (k + 2 < n && !(t[k] == ':' && t[k + 1] == '/' && t[k + 2] == '/'))
            k++;
        if (k + 2 >= n || k == 0)
            return;
        i = k + 3;
    }
    size_t e = i;
    while (e < n && t[e] != '/' && t[e] != '?' && t[e] != '#')
        e++;
    if (e > i) {
        size_t at = e;
        while (at > i && t[at - 1] != '@')
            at--;
        copy_text(r->target_host, sizeof r->target_host, t + at, e - at);
    }
}

static int parse_length(const uint8_t *v, size_t n, uint64_t *out)
{
    uint64_t x = 0;
    if (n == 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9' || x > (UINT64_MAX - 9) / 10)
            return -1;
        x = x * 10 + (uint64_t)(v[i] - '0');
    }
    *out = x;
    return 0;
}

static void header_line(req *r, const uint8_t *line, size_t n, int *seen_length)
{
    size_t colon = 0;
    while (colon < n && line[colon] != ':')
        colon++;
    if (colon == n || colon == 0)
        return; /* not "name: value"; ignored */
    size_t nl = colon;
    while (nl > 0 && is_ws(line[nl - 1]))
        nl--;
    const uint8_t *v = line + colon + 1;
    size_t vn = n - colon - 1;
    while (vn > 0 && is_ws(v[0])) {
        v++;
        vn--;
    }
    while (vn > 0 && is_ws(v[vn - 1]))
        vn--;
    if (ieq(line, nl, "host")) {
        if (!r->have_host) {
            copy_text(r->host, sizeof r->host, v, vn);
            r->have_host = 1;
        }
    } else if (ieq(line, nl, "user-agent")) {
        if (!r->user_agent[0])
            copy_text(r->user_agent, sizeof r->user_agent, v, vn);
    } else if (ieq(line, nl, "content-length")) {
        uint64_t x = 0;
        if (parse_length(v, vn, &x) < 0 || (*seen_length && x != r->content_length))
            r->bad_length = 1;
        r->content_length = x;
        *seen_length = 1;
    } else if (ieq(line, nl, "transfer-encoding")) {
        /* any transfer coding makes the body length unknowable here */
        r->chunked = 1;
    }
}

/* Parses one request head at the cursor.  DONE: the whole head (through the
 * empty line) was consumed.  MORE: it is incomplete (r holds what was seen).
 * NOT_MINE: not an HTTP/1.x request. */
static dt_parse_status parse_head(dt_cur *c, req *r)
{
    static const char version[] = "HTTP/1.";
    memset(r, 0, sizeof *r);

    dt_parse_status st = scan_method(c, r);
    if (st != DT_PARSE_DONE)
        return st;

    /* request-target: visible ASCII up to a space */
    const uint8_t *t = dt_ptr(c);
    size_t tn = 0, left = dt_left(c);
    uint64_t w;
    while (tn + sizeof w <= left && (memcpy(&w, t + tn, sizeof w), !outside(w, 0x21)))
        tn += sizeof w; /* eight visible bytes */
    while (tn < left && t[tn] != ' ') {
        if (t[tn] <= 0x20 || t[tn] >= 0x7f)
            return DT_PARSE_NOT_MINE;
        tn++;
    }
    if (tn == left)
        return DT_PARSE_MORE;
    if (tn == 0)
        return DT_PARSE_NOT_MINE;
    copy_text(r->path, sizeof r->path, t, tn);
    dt_skip(c, tn + 1);

    /* "HTTP/1.x" then CRLF (a bare LF is tolerated) */
    const uint8_t *v = dt_ptr(c);
    left = dt_left(c);
    for (size_t i = 0; i < 10; i++) {
        if (i >= left)
            return DT_PARSE_MORE;
        uint8_t b = v[i];
        int ok;
        if (i < 7)
            ok = b == (uint8_t)version[i];
        else if (i == 7)
            ok = b >= '0' && b <= '9';
        else if (i == 8)
            ok = b == '\r' || b == '\n';
        else
            ok = b == '\n';
        if (!ok)
            return DT_PARSE_NOT_MINE;
        if (i == 8 && b == '\n') {
            dt_skip(c, 9);
            break;
        }
        if (i == 9)
            dt_skip(c, 10);
    }
    r->line_done = 1;
    host_from_target(r, t, tn);

    /* header lines up to the empty line */
    int seen_length = 0;
    for (;;) {
        const uint8_t *line = dt_ptr(c);
        left = dt_left(c);
        const uint8_t *lf = left ? memchr(line, '\n', left) : NULL;
        if (!lf)
            return DT_PARSE_MORE;
        size_t n = (size_t)(lf - line);
        dt_skip(c, n + 1);
        if (n > 0 && line[n - 1] == '\r')
            n--;
        if (n == 0)
            break;
        header_line(r, line, n, &seen_length);
    }
    if (!dt_ok(c))
        return DT_PARSE_MORE;
    return DT_PARSE_DONE;
}

static void report_first(dt_http_info *out, const req *r)
{
    memcpy(out->method, r->method, sizeof out->method);
    memcpy(out->host, r->have_host ? r->host : r->target_host, sizeof out->host);
    memcpy(out->user_agent, r->user_agent, sizeof out->user_agent);
    memcpy(out->path, r->path, sizeof out->path);
}

dt_parse_status dt_http_parse_client_stream(const uint8_t *buf, size_t len, dt_http_info *out)
{
    req r;
    memset(out, 0, sizeof *out);
    dt_cur c = dt_cur_make(buf, len);
    if (len == 0)
        return DT_PARSE_MORE;

    dt_parse_status st = parse_head(&c, &r);
    if (st == DT_PARSE_NOT_MINE)
        return st;
    if (r.line_done) {
        out->present = 1;
        report_first(out, &r);
    }
    if (st == DT_PARSE_MORE)
        return st;

    out->requests = 1;
    while (out->requests < HTTP_MAX_REQUESTS) {
        if (r.chunked) {
            out->chunked = 1;
            break;
        }
        if (r.bad_length || r.content_length > dt_left(&c))
            break;
        dt_skip(&c, (size_t)r.content_length);
        if (dt_left(&c) == 0 || parse_head(&c, &r) != DT_PARSE_DONE)
            break;
        out->requests++;
    }
    return DT_PARSE_DONE;
}
