/* The one hash family of the library, for in-memory tables and caches.
 *
 * A 64-bit state: start from DT_HASH_INIT, feed bytes (FNV-1a 64) or whole
 * 64-bit words (a multiply-xorshift step, for fixed-size keys on hot paths,
 * and for byte strings taken eight bytes at a time: dt_hash_mem), then take
 * dt_hash_final() before masking low bits: it spreads every input bit over the
 * low bits that pick a bucket.  Values are only meaningful inside one process
 * (words are read in host byte order): never write them out, and never let a
 * table's iteration order reach the output. */
#ifndef DT_UTIL_HASH_H
#define DT_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/addr.h"

#define DT_HASH_INIT 0xcbf29ce484222325ull /* FNV-1a 64 offset basis */
#define DT_HASH_PRIME 0x100000001b3ull     /* FNV-1a 64 prime */
#define DT_HASH_GOLDEN 0x9e3779b97f4a7c15ull

/* One byte, FNV-1a. */
static inline uint64_t dt_hash_byte(uint64_t h, uint8_t b)
{
    return (h ^ b) * DT_HASH_PRIME;
}

static inline uint64_t dt_hash_bytes(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = (const uint8_t *)p;
    for (size_t i = 0; i < n; i++)
        h = dt_hash_byte(h, b[i]);
    return h;
}

/* The bytes of a NUL-terminated string, without the NUL. */
static inline uint64_t dt_hash_str(uint64_t h, const char *s)
{
    for (; *s; s++)
        h = dt_hash_byte(h, (uint8_t)*s);
    return h;
}

/* One 64-bit word. */
static inline uint64_t dt_hash_word(uint64_t h, uint64_t v)
{
    h = (h ^ v) * DT_HASH_GOLDEN;
    return h ^ (h >> 32);
}

/* n bytes at p, with their length, a word at a time (byte-wise FNV costs a
 * multiply a byte): eight bytes a step, the last eight overlapping the ones
 * before (or two overlapping halves, or up to three bytes, for short keys). */
static inline uint64_t dt_hash_mem(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = (const unsigned char *)p;
    uint64_t w;
    h = dt_hash_word(h, n);
    if (n >= 8) {
        for (; n > 8; n -= 8, b += 8) {
            memcpy(&w, b, 8);
            h = dt_hash_word(h, w);
        }
        memcpy(&w, b + n - 8, 8);
    } else if (n >= 4) {
        uint32_t x, y;
        memcpy(&x, b, 4);
        memcpy(&y, b + n - 4, 4);
        w = x | (uint64_t)y << 32;
    } else {
        w = n ? (uint64_t)b[0] | (uint64_t)b[n / 2] << 8 | (uint64_t)b[n - 1] << 16 : 0;
    }
    return dt_hash_word(h, w);
}

/* Spreads the state's bits before its low bits pick a bucket. */
static inline uint64_t dt_hash_final(uint64_t h)
{
    h ^= h >> 31;
    h *= DT_HASH_GOLDEN;
    h ^= h >> 29;
    return h;
}

/* An address: its family and all 16 bytes (an IPv4 address's unused 12 bytes
 * are zero, see util/addr.h). */
static inline uint64_t dt_hash_addr(uint64_t h, const dt_addr *a)
{
    uint64_t w[2];
    memcpy(w, a->a, sizeof w);
    return dt_hash_word(dt_hash_word(dt_hash_word(h, a->family), w[0]), w[1]);
}

/* A finished hash of one string or one integer: the usual keys. */
static inline uint64_t dt_hash_of_str(const char *s)
{
    return dt_hash_final(dt_hash_str(DT_HASH_INIT, s));
}

static inline uint64_t dt_hash_of_u64(uint64_t v)
{
    return dt_hash_final(dt_hash_word(DT_HASH_INIT, v));
}

#endif
