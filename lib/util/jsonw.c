#include "util/jsonw.h"
#include "util/text.h"

#include <cjson/cJSON.h>

#include <float.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dt_jw_init(dt_jw *w)
{
    memset(w, 0, sizeof *w);
}

void dt_jw_free(dt_jw *w)
{
    free(w->buf);
    memset(w, 0, sizeof *w);
}

void dt_jw_reset(dt_jw *w)
{
    w->len = 0;
    w->sep = 0;
    w->oom = 0;
    if (w->buf)
        w->buf[0] = '\0';
}

/* Makes room for n more bytes plus the NUL; returns 0 or -1. */
int dt_jw_grow(dt_jw *w, size_t n)
{
    if (w->oom)
        return -1;
    if (n < w->cap && w->len < w->cap - n)
        return 0;
    size_t cap = w->cap ? w->cap : 1024;
    while (cap - w->len <= n) {
        if (cap > SIZE_MAX / 2) {
            w->oom = 1;
            return -1;
        }
        cap *= 2;
    }
    char *b = realloc(w->buf, cap);
    if (!b) {
        w->oom = 1;
        return -1;
    }
    w->buf = b;
    w->cap = cap;
    return 0;
}

static void put(dt_jw *w, const char *s, size_t n)
{
    if (dt_jw_room(w, n) != 0)
        return;
    memcpy(w->buf + w->len, s, n);
    w->len += n;
    w->buf[w->len] = '\0';
}

static void put_c(dt_jw *w, char c)
{
    if (dt_jw_room(w, 1) != 0)
        return;
    w->buf[w->len++] = c;
    w->buf[w->len] = '\0';
}

/* Separator before a value that is an array element (after a key, sep is 0). */
static void before_value(dt_jw *w)
{
    if (w->sep)
        put_c(w, ',');
}

/* 1 for the bytes cJSON escapes: ", \ and the control characters below 0x20. */
static const unsigned char needs_escape[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, ['\\'] = 1,
};

/* Whether any of the 8 bytes of x needs escaping (a control character, '"'
 * or '\\'). */
static inline int word_needs_escape(uint64_t x)
{
    return (dt_word_has_below(x, 0x20) | dt_word_has_byte(x, '"') | dt_word_has_byte(x, '\\')) != 0;
}

#if defined(__SSE2__)
/* Bit i set when byte i of the 16 at p needs escaping. */
static inline unsigned block_escapes(__m128i x)
{
    __m128i ctl = _mm_cmpeq_epi8(_mm_subs_epu8(x, _mm_set1_epi8(0x1f)), _mm_setzero_si128());
    __m128i q = _mm_cmpeq_epi8(x, _mm_set1_epi8('"'));
    __m128i b = _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'));
    return (unsigned)_mm_movemask_epi8(_mm_or_si128(ctl, _mm_or_si128(q, b)));
}
#endif

/* One byte that needs escaping, written at o; returns the end. */
static char *escape_byte(char *o, unsigned char c)
{
    static const char hx[] = "0123456789abcdef";
    *o++ = '\\';
    switch (c) {
    case '"':
    case '\\':
        *o++ = (char)c;
        break;
    case '\b':
        *o++ = 'b';
        break;
    case '\f':
        *o++ = 'f';
        break;
    case '\n':
        *o++ = 'n';
        break;
    case '\r':
        *o++ = 'r';
        break;
    case '\t':
        *o++ = 't';
        break;
    default:
        *o++ = 'u';
        *o++ = '0';
        *o++ = '0';
        *o++ = hx[c >> 4];
        *o++ = hx[c & 15];
    }
    return o;
}

/* The n bytes at p escaped, at o (room for 6n); returns the end.  cJSON
 * escapes ", \ and the control characters below 0x20 (\b \f \n \r \t by
 * name, the others as \u00XX with lowercase hex); every other byte, 0x7f and
 * non-ASCII included, stays as is.  Most text needs no escaping: it is copied
 * 16 bytes at a time with SSE2 (8 without), and a string's tail as one
 * word overlapping what is already written, while all of it was plain. */
static __attribute__((noinline)) char *escape_long(char *o, const unsigned char *p, size_t n)
{
    char *start = o;
    size_t i = 0;
#if defined(__SSE2__)
    while (i + 16 <= n) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        unsigned m = block_escapes(x);
        _mm_storeu_si128((__m128i *)(void *)o, x); /* within the room: 16 <= 6 (n - i) */
        if (!m) {
            o += 16;
            i += 16;
            continue;
        }
        unsigned k = (unsigned)__builtin_ctz(m); /* the plain bytes before it stay */
        o = escape_byte(o + k, p[i + k]);
        i += k + 1;
    }
    if (i < n && n >= 16 && (size_t)(o - start) == i) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + n - 16));
        if (!block_escapes(x)) {
            _mm_storeu_si128((__m128i *)(void *)(o - (16 - (n - i))), x);
            return o + (n - i);
        }
    }
#endif
    while (i < n) {
        uint64_t x;
        if (i + 8 <= n) {
            memcpy(&x, p + i, 8);
            if (!word_needs_escape(x)) {
                memcpy(o, &x, 8);
                o += 8;
                i += 8;
                continue;
            }
        } else if (n >= 8 && (size_t)(o - start) == i) {
            memcpy(&x, p + n - 8, 8);
            if (!word_needs_escape(x)) {
                memcpy(o - (8 - (n - i)), &x, 8);
                return o + (n - i);
            }
        }
        size_t end = i + 8 < n ? i + 8 : n; /* this word byte by byte */
        for (; i < end; i++) {
            unsigned char c = p[i];
            if (!needs_escape[c])
                *o++ = (char)c;
            else
                o = escape_byte(o, c);
        }
    }
    return o;
}

/* escape_long with short strings (most) first: two overlapping words, or up
 * to three bytes, in a path that saves no registers. */
static inline char *escape_into(char *o, const unsigned char *p, size_t n)
{
    if (n < 16) {
        uint64_t a = 0, b = 0;
        if (n >= 8) {
            memcpy(&a, p, 8);
            memcpy(&b, p + n - 8, 8);
            if (!word_needs_escape(a) && !word_needs_escape(b)) {
                memcpy(o, &a, 8);
                memcpy(o + n - 8, &b, 8);
                return o + n;
            }
        } else if (n >= 4) {
            uint32_t x, y;
            memcpy(&x, p, 4);
            memcpy(&y, p + n - 4, 4);
            if (!word_needs_escape((uint64_t)x | (uint64_t)y << 32)) {
                memcpy(o, &x, 4);
                memcpy(o + n - 4, &y, 4);
                return o + n;
            }
        } else if (n && !(needs_escape[p[0]] | needs_escape[p[n / 2]] | needs_escape[p[n - 1]])) {
            o[0] = (char)p[0];
            o[n / 2] = (char)p[n / 2];
            o[n - 1] = (char)p[n - 1];
            return o + n;
        }
    }
    return escape_long(o, p, n);
}

char *dt_jw_put_escaped(char *o, const char *s, size_t n)
{
    return escape_into(o, (const unsigned char *)s, n);
}

/* The n bytes at s as a quoted, escaped string at o (room for 6n + 2);
 * returns the end. */
static char *quoted_into(char *o, const char *s, size_t n)
{
    *o++ = '"';
    o = escape_into(o, (const unsigned char *)s, n);
    *o++ = '"';
    return o;
}

/* pre, the escaped, quoted string s (NULL as ""), then post; the separator
 * state is left as it was. */
static void put_framed(dt_jw *w, const char *pre, size_t npre, const char *s, const char *post,
                       size_t npost)
{
    if (!s)
        s = "";
    size_t n = strlen(s);
    /* worst case: every byte as \u00XX */
    if (n > (SIZE_MAX - 3 - npre - npost) / 6 || dt_jw_room(w, npre + 6 * n + 2 + npost) != 0)
        return;
    char *o = w->buf + w->len;
    memcpy(o, pre, npre);
    o = quoted_into(o + npre, s, n);
    memcpy(o, post, npost);
    o += npost;
    *o = '\0';
    w->len = (size_t)(o - w->buf);
}

static void put_string(dt_jw *w, const char *s)
{
    put_framed(w, "", 0, s, "", 0);
}

void dt_jw_framed_str(dt_jw *w, const char *pre, size_t npre, const char *s, const char *post,
                      size_t npost)
{
    put_framed(w, pre, npre, s, post, npost);
    w->sep = 0;
}

void dt_jw_key(dt_jw *w, const char *key)
{
    before_value(w);
    put_string(w, key);
    put_c(w, ':');
    w->sep = 0;
}

void dt_jw_str(dt_jw *w, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    char *o = n <= (SIZE_MAX - 8) / 6 ? dt_jw_direct(w, 6 * n + 2) : NULL;
    if (o)
        dt_jw_direct_end(w, quoted_into(o, s, n), 1);
}

void dt_jw_null(dt_jw *w)
{
    dt_jw_raw(w, "null", 4, 1);
}

void dt_jw_str_or_null(dt_jw *w, const char *s)
{
    if (s && s[0])
        dt_jw_str(w, s);
    else
        dt_jw_null(w);
}

void dt_jw_bool(dt_jw *w, int b)
{
    if (b)
        dt_jw_raw(w, "true", 4, 1);
    else
        dt_jw_raw(w, "false", 5, 1);
}

/* Decimal digits of v. */
static inline int u64_len(uint64_t v)
{
    int n = 1;
    for (; v >= 10000; v /= 10000)
        n += 4;
    return n + (v >= 10) + (v >= 100) + (v >= 1000);
}

/* The n digits of v (n = u64_len(v)) at o, two at a time from the end. */
static inline void u64_put(char *o, uint64_t v, int n)
{
    while (v >= 100) {
        unsigned d = (unsigned)(v % 100);
        v /= 100;
        n -= 2;
        dt_put_2digits(o + n, d);
    }
    if (v >= 10)
        dt_put_2digits(o, (unsigned)v);
    else
        o[0] = (char)('0' + v);
}

/* Digits of v, most significant first; returns the length. */
static int u64_digits(uint64_t v, char *buf)
{
    int n = u64_len(v);
    u64_put(buf, v, n);
    buf[n] = '\0';
    return n;
}

/* d as %1.15g prints it when d is the double nearest to a decimal with six
 * fractional digits, neither whole nor zero, and with at most 15
 * significant digits (times in seconds, rounded to microseconds): any such
 * decimal comes back from its double (DBL_DIG), so %1.15g writes it, and
 * cJSON keeps it.  Returns the length, or 0 when d is not one. */
static int micro_digits(double d, char *buf)
{
    double a = d < 0 ? -d : d;
    if (!(a >= 5e-7 && a < 1e9))
        return 0;
    uint64_t k = (uint64_t)(a * 1e6 + 0.5);
    if (!k || (double)k / 1e6 != a || k % 1000000 == 0)
        return 0;
    char *o = buf;
    if (d < 0)
        *o++ = '-';
    if (k < 100) { /* below 0.0001 %g writes an exponent: 5e-06, 1.2e-05, 5e-05 */
        *o++ = (char)('0' + (k < 10 ? k : k / 10));
        if (k >= 10 && k % 10) {
            *o++ = '.';
            *o++ = (char)('0' + k % 10);
        }
        memcpy(o, k < 10 ? "e-06" : "e-05", 5);
        return (int)(o + 4 - buf);
    }
    o += u64_digits(k / 1000000, o);
    unsigned f = (unsigned)(k % 1000000);
    int nf = 6;
    for (; f % 10 == 0; f /= 10)
        nf--;
    *o++ = '.';
    for (int i = nf - 1; i >= 0; i--, f /= 10)
        o[i] = (char)('0' + f % 10);
    o += nf;
    *o = '\0';
    return (int)(o - buf);
}

int dt_jw_format_number(double d, char *buf, size_t len)
{
    if (len < 32) {
        if (len)
            buf[0] = '\0';
        return 0;
    }
    if (isnan(d) || isinf(d))
        return snprintf(buf, len, "null");
    /* Whole numbers below 1e15 print the same under %d and %1.15g: their
     * digits. */
    if (d > -1e15 && d < 1e15 && d == (double)(int64_t)d) {
        if (d < 0) {
            buf[0] = '-';
            return 1 + u64_digits((uint64_t)(-(int64_t)d), buf + 1);
        }
        return u64_digits((uint64_t)d, buf);
    }
    int n = micro_digits(d, buf);
    if (n)
        return n;
    n = snprintf(buf, len, "%1.15g", d);
    /* cJSON keeps the 15 digits when they read back within DBL_EPSILON. */
    double test = strtod(buf, NULL);
    double m = fabs(test) > fabs(d) ? fabs(test) : fabs(d);
    if (!(fabs(test - d) <= m * DBL_EPSILON))
        n = snprintf(buf, len, "%1.17g", d);
    return n;
}

void dt_jw_num(dt_jw *w, double d)
{
    char buf[40];
    int n = dt_jw_format_number(d, buf, sizeof buf);
    before_value(w);
    put(w, buf, (size_t)n);
    w->sep = 1;
}

char *dt_jw_put_u64_large(char *o, uint64_t v)
{
    if (v >= 1000000000000000ull) /* as the double it becomes */
        return o + dt_jw_format_number((double)v, o, 32);
    /* below 10^15: the digits above the last eight, then those eight */
    o = dt_jw_put_u64(o, v / 100000000);
    uint32_t lo = (uint32_t)(v % 100000000);
    for (int i = 6; i >= 0; i -= 2, lo /= 100)
        dt_put_2digits(o + i, lo % 100);
    return o + 8;
}

void dt_jw_u64(dt_jw *w, uint64_t v)
{
    char *o = dt_jw_direct(w, 33);
    if (o)
        dt_jw_direct_end(w, dt_jw_put_u64(o, v), 1);
}

void dt_jw_hex(dt_jw *w, const uint8_t *p, size_t n)
{
    static const char hx[] = "0123456789abcdef";
    before_value(w);
    w->sep = 1;
    if (n > (SIZE_MAX - 3) / 2 || dt_jw_room(w, 2 * n + 2) != 0)
        return;
    char *o = w->buf + w->len;
    *o++ = '"';
    for (size_t i = 0; i < n; i++) {
        *o++ = hx[p[i] >> 4];
        *o++ = hx[p[i] & 15];
    }
    *o++ = '"';
    w->len = (size_t)(o - w->buf);
    w->buf[w->len] = '\0';
}

static void put_tabs(dt_jw *w, int n)
{
    if (n > 0 && dt_jw_room(w, (size_t)n) == 0) {
        memset(w->buf + w->len, '\t', (size_t)n);
        w->len += (size_t)n;
        w->buf[w->len] = '\0';
    }
}

/* depth: containers around item (cJSON's indentation level). */
static void tree(dt_jw *w, const cJSON *item, int fmt, int depth)
{
    char num[40];
    const cJSON *c;
    switch (item->type & 0xff) {
    case cJSON_False:
        put(w, "false", 5);
        break;
    case cJSON_True:
        put(w, "true", 4);
        break;
    case cJSON_NULL:
        put(w, "null", 4);
        break;
    case cJSON_Number:
        put(w, num, (size_t)dt_jw_format_number(item->valuedouble, num, sizeof num));
        break;
    case cJSON_String:
        put_string(w, item->valuestring);
        break;
    case cJSON_Raw:
        if (item->valuestring)
            put(w, item->valuestring, strlen(item->valuestring));
        break;
    case cJSON_Array:
        put_c(w, '[');
        for (c = item->child; c; c = c->next) {
            tree(w, c, fmt, depth + 1);
            if (c->next)
                put(w, ", ", fmt ? 2 : 1);
        }
        put_c(w, ']');
        break;
    case cJSON_Object:
        put(w, "{\n", fmt ? 2 : 1);
        for (c = item->child; c; c = c->next) {
            if (fmt)
                put_tabs(w, depth + 1);
            put_string(w, c->string);
            put(w, ":\t", fmt ? 2 : 1);
            tree(w, c, fmt, depth + 1);
            if (c->next)
                put_c(w, ',');
            if (fmt)
                put_c(w, '\n');
        }
        if (fmt)
            put_tabs(w, depth);
        put_c(w, '}');
        break;
    default:
        w->oom = 1; /* cJSON prints nothing for an invalid item */
    }
}

void dt_jw_tree_at(dt_jw *w, const cJSON *item, int formatted, int depth)
{
    before_value(w);
    if (item)
        tree(w, item, formatted != 0, depth);
    w->sep = 1;
}

void dt_jw_tree(dt_jw *w, const cJSON *item, int formatted)
{
    dt_jw_tree_at(w, item, formatted, 0);
}
