/* Copying untrusted bytes into bounded, NUL-terminated C strings. */
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

#endif
