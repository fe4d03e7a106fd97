/* Copying untrusted bytes into bounded, NUL-terminated C strings, and byte
 * tests on eight bytes at once. */
#ifndef DT_TEXT_H
#define DT_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The two decimal digits of v (0-99) at o (numbers written by hand on the
 * hot path: JSON numbers, addresses, times). */
static inline void dt_put_2digits(char *o, unsigned v)
{
    static const char t[201] = "00010203040506070809101112131415161718192021222324"
                               "25262728293031323334353637383940414243444546474849"
                               "50515253545556575859606162636465666768697071727374"
                               "75767778798081828384858687888990919293949596979899";
    memcpy(o, t + 2 * v, 2);
}

/* s, or NULL when it is empty (a text that counts as missing, as null). */
static inline const char *dt_nonempty(const char *s)
{
    return s && s[0] ? s : NULL;
}

/* A C string, cut at cap - 1 bytes (as snprintf "%s" would, without its cost). */
static inline void dt_copy_str(char *dst, size_t cap, const char *src)
{
    if (!cap)
        return;
    size_t n = strnlen(src, cap - 1);
    memmove(dst, src, n);
    dst[n] = '\0';
}

/* Printable ASCII is kept, every other byte becomes '?'; cut at cap - 1. */
static inline void dt_copy_printable(char *dst, size_t cap, const uint8_t *src, size_t n)
{
    if (!cap)
        return;
    if (n > cap - 1)
        n = cap - 1;
    for (size_t i = 0; i < n; i++)
        dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? (char)src[i] : '?';
    dst[n] = '\0';
}

/* UTF-8 text: bytes >= 0x80 are kept, control characters become '?', and a
 * multi-byte sequence is never cut when the text is truncated. */
static inline void dt_copy_utf8(char *dst, size_t cap, const uint8_t *src, size_t n)
{
    if (!cap)
        return;
    if (n > cap - 1) {
        n = cap - 1;
        while (n > 0 && (src[n] & 0xc0) == 0x80) /* src[n] is the first dropped byte */
            n--;
    }
    for (size_t i = 0; i < n; i++)
        dst[i] = (src[i] < 0x20 || src[i] == 0x7f) ? '?' : (char)src[i];
    dst[n] = '\0';
}

/* ---- byte tests on eight bytes at once ----
 * SWAR ("SIMD within a register"): eight bytes of text, loaded into a uint64_t
 * with memcpy, tested in a few arithmetic steps instead of eight compares (the
 * long plain runs of names, targets and JSON strings).  The dt_word_has_*
 * tests return a mask that is nonzero exactly when some byte passes, for any
 * byte values (0x80 and above included): exact as a yes or no.  Which bits are
 * set is not: a borrow or a carry can mark the byte next to one that passes
 * as well, so the mask never says which byte (callers only test it). */
#define DT_WORD_ONES 0x0101010101010101u
#define DT_WORD_HIGHS 0x8080808080808080u

/* Some byte of w is b: x = w ^ b then has a zero byte, the one that borrows
 * when one is taken from each byte ("Bit Twiddling Hacks"); ~x keeps the
 * bytes of 0x80 and above, whose top bit is already set, from counting. */
static inline uint64_t dt_word_has_byte(uint64_t w, uint8_t b)
{
    uint64_t x = w ^ (uint64_t)b * DT_WORD_ONES;
    return (x - DT_WORD_ONES) & ~x & DT_WORD_HIGHS;
}

/* Some byte of w is below lo (lo at most 0x80): the same borrow test, taking
 * lo from each byte. */
static inline uint64_t dt_word_has_below(uint64_t w, uint8_t lo)
{
    return (w - (uint64_t)lo * DT_WORD_ONES) & ~w & DT_WORD_HIGHS;
}

/* Some byte of w is above hi (hi at most 0x7f): adding 0x7f - hi to each byte
 * sets the top bit of those from hi + 1 to 0x7f, and the bytes of 0x80 and
 * above have it already (a carry out of a byte comes only from one of those,
 * marked anyway).  hi 0x7f: some byte is not ASCII. */
static inline uint64_t dt_word_has_above(uint64_t w, uint8_t hi)
{
    return ((w + (uint64_t)(0x7f - hi) * DT_WORD_ONES) | w) & DT_WORD_HIGHS;
}

/* w with its ASCII capitals made small, exact byte by byte: the top bits are
 * set aside so that no carry crosses a byte, and bytes of 0x80 and above are
 * left as they are. */
static inline uint64_t dt_word_lower(uint64_t w)
{
    uint64_t low7 = w & ~DT_WORD_HIGHS;
    uint64_t ge_a = low7 + (0x80 - 'A') * DT_WORD_ONES,
             gt_z = low7 + (0x80 - 'Z' - 1) * DT_WORD_ONES;
    return w | (((ge_a ^ gt_z) & ~w & DT_WORD_HIGHS) >> 2);
}

#endif
