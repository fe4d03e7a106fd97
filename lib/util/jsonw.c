#include "util/jsonw.h"

#include <cjson/cJSON.h>

#include <float.h>
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

static void open_c(dt_jw *w, char c)
{
    before_value(w);
    put_c(w, c);
    w->sep = 0;
}

static void close_c(dt_jw *w, char c)
{
    put_c(w, c);
    w->sep = 1;
}

void dt_jw_obj_begin(dt_jw *w)
{
    open_c(w, '{');
}
void dt_jw_obj_end(dt_jw *w)
{
    close_c(w, '}');
}
void dt_jw_arr_begin(dt_jw *w)
{
    open_c(w, '[');
}
void dt_jw_arr_end(dt_jw *w)
{
    close_c(w, ']');
}

/* 1 for the bytes cJSON escapes: ", \ and the control characters below 0x20. */
static const unsigned char needs_escape[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, ['\\'] = 1,
};

/* Whether any of the 8 bytes of x needs escaping (a control character, '"'
 * or '\\'): the zero-byte tests of "Bit Twiddling Hacks", exact for "any". */
static inline int word_needs_escape(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
    return (((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((b - ones) & ~b)) & highs ? 1 : 0;
}

/* The escaped, quoted string (cJSON: ", \ and the control characters below
 * 0x20 are escaped, \b \f \n \r \t by name, the others as \u00XX with
 * lowercase hex; every other byte, 0x7f and non-ASCII included, as is).
 * Eight bytes at a time while none needs escaping (most text never does). */
static void put_string(dt_jw *w, const char *s)
{
    static const char hx[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t n = strlen((const char *)p);
    /* worst case: every byte as \u00XX */
    if (n > (SIZE_MAX - 3) / 6 || dt_jw_room(w, 6 * n + 2) != 0)
        return;
    char *o = w->buf + w->len;
    *o++ = '"';
    size_t i = 0;
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
        } else if (n >= 8 && o == w->buf + w->len + 1 + i) {
            /* the tail of a string copied as it is so far: its last eight bytes at
             * once, overlapping what is already written (the same bytes) */
            memcpy(&x, p + n - 8, 8);
            if (!word_needs_escape(x)) {
                memcpy(o - (8 - (n - i)), &x, 8);
                o += n - i;
                break;
            }
        }
        size_t end = i + 8 < n ? i + 8 : n; /* this word byte by byte */
        for (; i < end; i++) {
            unsigned char c = p[i];
            if (!needs_escape[c]) {
                *o++ = (char)c;
                continue;
            }
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
        }
    }
    *o++ = '"';
    w->len = (size_t)(o - w->buf);
    w->buf[w->len] = '\0';
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
    before_value(w);
    put_string(w, s);
    w->sep = 1;
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

/* Digits of v, most significant first; returns the length. */
static int u64_digits(uint64_t v, char *buf)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (int i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = '\0';
    return n;
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
    int n = snprintf(buf, len, "%1.15g", d);
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

void dt_jw_u64(dt_jw *w, uint64_t v)
{
    if (v >= 1000000000000000ull) {
        dt_jw_num(w, (double)v);
        return;
    }
    /* the separator and at most 15 digits, straight into the buffer */
    if (dt_jw_room(w, 16) != 0)
        return;
    char *o = w->buf + w->len;
    if (w->sep)
        *o++ = ',';
    int n = 1;
    for (uint64_t t = v; t >= 10; t /= 10)
        n++;
    for (int i = n - 1; i >= 0; i--, v /= 10)
        o[i] = (char)('0' + v % 10);
    o[n] = '\0';
    w->len = (size_t)(o + n - w->buf);
    w->sep = 1;
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
