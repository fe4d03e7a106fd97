/* Bounds-checked reading of untrusted bytes.
 *
 * Every parser in datatrail reads through a dt_cur.  A read that would pass
 * the end of the buffer returns 0 (or NULL), leaves the position at the end
 * and sets the sticky `err` flag, so a parser can read a whole header and
 * check `err` once afterwards.  Length fields are never trusted: dt_sub()
 * clips a child cursor to what is really there and flags the parent.
 */
#ifndef DT_CURSOR_H
#define DT_CURSOR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct dt_cur {
    const uint8_t *base;
    size_t len;
    size_t pos;
    int err; /* sticky: a read went past the end */
} dt_cur;

static inline dt_cur dt_cur_make(const uint8_t *p, size_t len)
{
    dt_cur c = {p, p ? len : 0, 0, 0};
    return c;
}

static inline size_t dt_left(const dt_cur *c)
{
    return c->len - c->pos;
}
static inline int dt_has(const dt_cur *c, size_t n)
{
    return !c->err && dt_left(c) >= n;
}
static inline const uint8_t *dt_ptr(const dt_cur *c)
{
    return c->base + c->pos;
}
static inline int dt_ok(const dt_cur *c)
{
    return !c->err;
}

/* Marks the cursor as failed and exhausts it. */
static inline void dt_fail(dt_cur *c)
{
    c->err = 1;
    c->pos = c->len;
}

/* Returns a pointer to the next n bytes and advances, or NULL (and fails). */
static inline const uint8_t *dt_bytes(dt_cur *c, size_t n)
{
    if (!dt_has(c, n)) {
        dt_fail(c);
        return NULL;
    }
    const uint8_t *p = c->base + c->pos;
    c->pos += n;
    return p;
}

static inline void dt_skip(dt_cur *c, size_t n)
{
    (void)dt_bytes(c, n);
}

static inline int dt_copy(dt_cur *c, void *dst, size_t n)
{
    const uint8_t *p = dt_bytes(c, n);
    if (!p)
        return -1;
    memcpy(dst, p, n);
    return 0;
}

static inline uint8_t dt_u8(dt_cur *c)
{
    const uint8_t *p = dt_bytes(c, 1);
    return p ? p[0] : 0;
}

static inline uint16_t dt_rd_be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}
static inline uint32_t dt_rd_be24(const uint8_t *p)
{
    return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}
static inline uint32_t dt_rd_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline uint16_t dt_rd_le16(const uint8_t *p)
{
    return (uint16_t)(p[1] << 8 | p[0]);
}
static inline uint32_t dt_rd_le32(const uint8_t *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static inline uint64_t dt_rd_be64(const uint8_t *p)
{
    return (uint64_t)dt_rd_be32(p) << 32 | dt_rd_be32(p + 4);
}

/* dt_be16/24/32/64(c), dt_le16/32(c): the next n bytes as an integer, 0 past the end (the
 * cursor then fails, see above). */
#define DT_CUR_READER(name, type, n, rd)                                                           \
    static inline type name(dt_cur *c)                                                             \
    {                                                                                              \
        const uint8_t *p = dt_bytes(c, n);                                                         \
        return p ? rd(p) : 0;                                                                      \
    }
DT_CUR_READER(dt_be16, uint16_t, 2, dt_rd_be16)
DT_CUR_READER(dt_be24, uint32_t, 3, dt_rd_be24)
DT_CUR_READER(dt_be32, uint32_t, 4, dt_rd_be32)
DT_CUR_READER(dt_be64, uint64_t, 8, dt_rd_be64)
DT_CUR_READER(dt_le16, uint16_t, 2, dt_rd_le16)
DT_CUR_READER(dt_le32, uint32_t, 4, dt_rd_le32)
#undef DT_CUR_READER

/* QUIC variable-length integer (RFC 9000, section 16). */
static inline uint64_t dt_varint(dt_cur *c)
{
    if (!dt_has(c, 1)) {
        dt_fail(c);
        return 0;
    }
    size_t n = (size_t)1 << (c->base[c->pos] >> 6);
    const uint8_t *p = dt_bytes(c, n);
    if (!p)
        return 0;
    uint64_t v = p[0] & 0x3f;
    for (size_t i = 1; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* A child cursor over the next n bytes; the parent advances past them.
 * If fewer than n bytes are left, both cursors are failed (the child still
 * covers what is there, so a caller may choose to look at a truncated body). */
static inline dt_cur dt_sub(dt_cur *c, size_t n)
{
    dt_cur s;
    if (c->err) {
        s = dt_cur_make(NULL, 0);
        s.err = 1;
        return s;
    }
    size_t avail = dt_left(c);
    if (n <= avail) {
        s = dt_cur_make(c->base + c->pos, n);
        c->pos += n;
        return s;
    }
    s = dt_cur_make(c->base + c->pos, avail);
    s.err = 1;
    dt_fail(c);
    return s;
}

#endif
