/* A small JSON writer into a reusable growing buffer, printing exactly what
 * cJSON_PrintUnformatted prints for the same tree (string escaping and number
 * formatting), without building a tree. Used on the hot path (one flow object
 * per ended flow). */
#ifndef DT_JSONW_H
#define DT_JSONW_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/text.h"

typedef struct {
    char *buf;  /* NUL-terminated text (NULL until the first write) */
    size_t len; /* bytes written, without the NUL */
    size_t cap;
    int sep; /* a ',' goes before the next key or array element */
    int oom; /* an allocation failed: the text is incomplete */
} dt_jw;

void dt_jw_init(dt_jw *w);
void dt_jw_free(dt_jw *w);
/* Empties the text, keeping the allocation. */
void dt_jw_reset(dt_jw *w);

/* An object key; the next call writes its value. */
void dt_jw_key(dt_jw *w, const char *key);

/* A key given as a string literal that needs no escaping: DT_JW_KEY(w,
 * "proto") appends "proto": without scanning it. */
#define DT_JW_KEY(w, lit) dt_jw_key_raw((w), "\"" lit "\":", sizeof("\"" lit "\":") - 1)

/* Makes room for n more bytes and a NUL: 0, or -1 (out of memory). */
int dt_jw_grow(dt_jw *w, size_t n);

/* Room for n more bytes and a NUL: 0, or -1 (out of memory).  Inline: most
 * writes fit, and only then is dt_jw_grow called. */
static inline int dt_jw_room(dt_jw *w, size_t n)
{
    if (!w->oom && n < w->cap && w->len < w->cap - n)
        return 0;
    return dt_jw_grow(w, n);
}

static inline void dt_jw_raw(dt_jw *w, const char *s, size_t n, int sep_after)
{
    if (dt_jw_room(w, n + 1) != 0)
        return;
    char *o = w->buf + w->len;
    if (w->sep)
        *o++ = ',';
    memcpy(o, s, n);
    o[n] = '\0';
    w->len = (size_t)(o + n - w->buf);
    w->sep = sep_after;
}

/* Containers, inline: a flow's objects and arrays open and close ~20 times. */
static inline void dt_jw_obj_begin(dt_jw *w)
{
    dt_jw_raw(w, "{", 1, 0);
}
static inline void dt_jw_arr_begin(dt_jw *w)
{
    dt_jw_raw(w, "[", 1, 0);
}
static inline void dt_jw_obj_end(dt_jw *w)
{
    w->sep = 0; /* no ',' before the close */
    dt_jw_raw(w, "}", 1, 1);
}
static inline void dt_jw_arr_end(dt_jw *w)
{
    w->sep = 0;
    dt_jw_raw(w, "]", 1, 1);
}

/* Inline: with a literal, the copy is a few moves (a flow has ~45 keys). */
static inline void dt_jw_key_raw(dt_jw *w, const char *quoted_colon, size_t n)
{
    dt_jw_raw(w, quoted_colon, n, 0);
}

/* pre, the quoted string s (escaped; NULL as ""), then post, with no separator
 * before and none due after (an indented key: ",\n\t\t" "key" ":\t"). */
void dt_jw_framed_str(dt_jw *w, const char *pre, size_t npre, const char *s, const char *post,
                      size_t npost);

/* Writing a run of members straight into the buffer: dt_jw_direct reserves
 * n bytes (and the separator when one is due) and returns where to write
 * (NULL when out of memory); the dt_jw_put_* and DT_JW_LIT below advance
 * that position, and dt_jw_direct_end closes the run.  For fixed shapes on
 * the hot path (a flow's sides): one room check instead of one per value. */
static inline char *dt_jw_direct(dt_jw *w, size_t n)
{
    if (dt_jw_room(w, n + 1) != 0)
        return NULL;
    char *o = w->buf + w->len;
    if (w->sep)
        *o++ = ',';
    return o;
}

static inline void dt_jw_direct_end(dt_jw *w, char *o, int sep_after)
{
    *o = '\0';
    w->len = (size_t)(o - w->buf);
    w->sep = sep_after;
}

/* A string literal at o; the expression is the position after it. */
#define DT_JW_LIT(o, lit) (memcpy((o), lit, sizeof(lit) - 1), (o) + sizeof(lit) - 1)

/* The n bytes at s escaped as a string value's inside (no quotes) at o,
 * which has room for 6n; returns the end. */
char *dt_jw_put_escaped(char *o, const char *s, size_t n);

/* What dt_jw_str_or_null writes for s (n = strlen(s); s may be NULL with n
 * 0) at o, which has room for 6n + 4; returns the end. */
static inline char *dt_jw_put_str_or_null(char *o, const char *s, size_t n)
{
    if (!n)
        return DT_JW_LIT(o, "null");
    *o++ = '"';
    o = dt_jw_put_escaped(o, s, n);
    *o++ = '"';
    return o;
}

char *dt_jw_put_u64_large(char *o, uint64_t v);

/* What dt_jw_u64 writes for v (at most 32 bytes) at o; returns the end.
 * Inline for values below 10^10 (counts, ports: ~8 per flow): the digits
 * two at a time from the end, in 32-bit arithmetic where it fits. */
static inline char *dt_jw_put_u64(char *o, uint64_t v)
{
    if (v >= 10000000000ull)
        return dt_jw_put_u64_large(o, v);
    /* the digits from the bit length (1233/4096 is about log10(2)), one less
     * than their count or exact; at[n]: the least value with n + 1 digits */
    static const uint64_t at[11] = {0,       10,       100,       1000,       10000,         100000,
                                    1000000, 10000000, 100000000, 1000000000, 10000000000ull};
    int n = (int)(((64 - __builtin_clzll(v | 1)) * 1233) >> 12);
    n += v >= at[n];
    char *end = o + n;
    if (v >= 1000000000) { /* the 10th digit */
        end[-1] = (char)('0' + v % 10);
        v /= 10;
        n--;
    }
    uint32_t u = (uint32_t)v;
    for (; n >= 2; n -= 2, u /= 100)
        dt_put_2digits(o + n - 2, u % 100);
    if (n)
        o[0] = (char)('0' + u);
    return end;
}

/* A member "key":"s", or "key":null when s is NULL or empty, with one room
 * check: quoted_colon is the key as DT_JW_KEY writes it (a literal, so the
 * copy is a few moves).  Most of a flow's text strings are written so. */
static inline void dt_jw_key_str_or_null(dt_jw *w, const char *quoted_colon, size_t nkey,
                                         const char *s)
{
    size_t n = s ? strlen(s) : 0;
    char *o = n <= (SIZE_MAX - 8 - nkey) / 6 ? dt_jw_direct(w, nkey + 6 * n + 4) : NULL;
    if (!o)
        return;
    memcpy(o, quoted_colon, nkey);
    dt_jw_direct_end(w, dt_jw_put_str_or_null(o + nkey, s, n), 1);
}

#define DT_JW_KEY_STR_OR_NULL(w, lit, s)                                                           \
    dt_jw_key_str_or_null((w), "\"" lit "\":", sizeof("\"" lit "\":") - 1, (s))

/* Values (after a key, or as array elements). */
void dt_jw_str(dt_jw *w, const char *s);         /* NULL writes "" as cJSON does */
void dt_jw_str_or_null(dt_jw *w, const char *s); /* null for NULL or "" */
void dt_jw_num(dt_jw *w, double d);
void dt_jw_u64(dt_jw *w, uint64_t v); /* as cJSON prints (double)v */
void dt_jw_bool(dt_jw *w, int b);
void dt_jw_null(dt_jw *w);
/* A string of 2n lowercase hex digits. */
void dt_jw_hex(dt_jw *w, const uint8_t *p, size_t n);

/* A cJSON tree as a value: the text cJSON_Print (formatted) or
 * cJSON_PrintUnformatted prints for it, byte for byte, at a fraction of the
 * cost (numbers without printf where they are whole). */
struct cJSON;
void dt_jw_tree(dt_jw *w, const struct cJSON *item, int formatted);
/* The same for an item printed inside depth enclosing containers (its
 * indentation when formatted), e.g. 2 for an element of a top-level array. */
void dt_jw_tree_at(dt_jw *w, const struct cJSON *item, int formatted, int depth);

/* Formats d as cJSON does into buf (at least 32 bytes); returns the length. */
int dt_jw_format_number(double d, char *buf, size_t len);

#endif
