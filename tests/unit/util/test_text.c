/* lib/util/text.h: the byte tests on eight bytes at once agree with a test of
 * each byte apart, for every parameter, over words that mix passing and
 * failing bytes (next to each other, where a borrow or a carry could leak into
 * the next byte) and bytes of 0x80 and above; and the copies to C strings. */
#include "util/text.h"
#include "check.h"

#include <string.h>

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void) /* xorshift64 */
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static uint8_t byte_of(uint64_t w, int i)
{
    uint8_t b[8];
    memcpy(b, &w, 8);
    return b[i];
}

static uint64_t word_of(const uint8_t b[8])
{
    uint64_t w;
    memcpy(&w, b, 8);
    return w;
}

enum { HAS_BYTE, HAS_BELOW, HAS_ABOVE };

static int passes(int test, uint8_t b, unsigned param)
{
    switch (test) {
    case HAS_BYTE:
        return b == param;
    case HAS_BELOW:
        return b < param;
    default:
        return b > param;
    }
}

static uint64_t word_test(int test, uint64_t w, unsigned param)
{
    switch (test) {
    case HAS_BYTE:
        return dt_word_has_byte(w, (uint8_t)param);
    case HAS_BELOW:
        return dt_word_has_below(w, (uint8_t)param);
    default:
        return dt_word_has_above(w, (uint8_t)param);
    }
}

/* The words tried for one test and parameter: every pair of bytes in two
 * neighbouring places among failing bytes (fill), then random words whose
 * bytes are mostly near the parameter or at the ends of the byte range.
 * Returns the failures; *yes and *no count the answers seen. */
static long try_words(int test, unsigned param, uint8_t fill, long *yes, long *no)
{
    long bad = 0;
    for (int pos = 0; pos < 7; pos += 6) { /* the low end and the high end */
        uint8_t b[8];
        memset(b, fill, 8);
        for (unsigned x = 0; x < 256; x++)
            for (unsigned y = 0; y < 256; y++) {
                b[pos] = (uint8_t)x;
                b[pos + 1] = (uint8_t)y;
                int want = passes(test, b[pos], param) || passes(test, b[pos + 1], param);
                int got = word_test(test, word_of(b), param) != 0;
                bad += got != want;
                *yes += want;
                *no += !want;
            }
    }
    const uint8_t near[] = {(uint8_t)(param - 1),
                            (uint8_t)param,
                            (uint8_t)(param + 1),
                            0,
                            1,
                            0x7e,
                            0x7f,
                            0x80,
                            0x81,
                            0xfe,
                            0xff};
    for (int n = 0; n < 2000; n++) {
        uint64_t r = next(), w = next();
        uint8_t b[8];
        int want = 0;
        for (int i = 0; i < 8; i++) {
            b[i] =
                (r >> (8 * i)) & 3 ? near[((r >> (8 * i + 2)) & 63) % sizeof near] : byte_of(w, i);
            want |= passes(test, b[i], param);
        }
        bad += (word_test(test, word_of(b), param) != 0) != want;
        *yes += want;
        *no += !want;
    }
    return bad;
}

static uint8_t lower_ref(uint8_t b)
{
    return b >= 'A' && b <= 'Z' ? (uint8_t)(b + 32) : b;
}

static long try_lower(uint64_t w)
{
    uint64_t l = dt_word_lower(w);
    long bad = 0;
    for (int i = 0; i < 8; i++)
        bad += byte_of(l, i) != lower_ref(byte_of(w, i));
    return bad;
}

int main(void)
{
    long yes = 0, no = 0;
    for (unsigned b = 0; b < 256; b++)
        CHECK_EQ_INT(try_words(HAS_BYTE, b, (uint8_t)(b ^ 0x80), &yes, &no), 0);
    for (unsigned lo = 0; lo <= 0x80; lo++)
        CHECK_EQ_INT(try_words(HAS_BELOW, lo, (uint8_t)lo, &yes, &no), 0);
    for (unsigned hi = 0; hi <= 0x7f; hi++)
        CHECK_EQ_INT(try_words(HAS_ABOVE, hi, (uint8_t)hi, &yes, &no), 0);
    CHECK(yes > 1000000 && no > 1000000); /* both answers well tried */

    /* lower-casing: every pair of neighbouring bytes, then random words */
    long bad = 0;
    for (unsigned x = 0; x < 256; x++)
        for (unsigned y = 0; y < 256; y++) {
            const uint8_t b[8] = {(uint8_t)x, (uint8_t)y, 'A', 'Z', '@', '[', 0x80 | 'A', 0xff};
            bad += try_lower(word_of(b));
            const uint8_t c[8] = {'a', 'z', 0xc1, 0xda, 0, 0x7f, (uint8_t)x, (uint8_t)y};
            bad += try_lower(word_of(c));
        }
    for (int n = 0; n < 100000; n++)
        bad += try_lower(next());
    CHECK_EQ_INT(bad, 0);
    char s[8];
    memcpy(s, "Host: A", 8);
    uint64_t w;
    memcpy(&w, s, 8);
    w = dt_word_lower(w);
    memcpy(s, &w, 8);
    CHECK_EQ_STR(s, "host: a");

    /* the copies to bounded C strings */
    char out[8];
    dt_copy_printable(out, sizeof out, (const uint8_t *)"a\tb\x80z0123", 9);
    CHECK_EQ_STR(out, "a?b?z01");
    dt_copy_utf8(out, 6, (const uint8_t *)"ab\x01\xc3\xa9\xc3\xa9", 7);
    CHECK_EQ_STR(out, "ab?\xc3\xa9"); /* not cut inside the second é */
    dt_copy_utf8(out, 5, (const uint8_t *)"ab\x01\xc3\xa9", 5);
    CHECK_EQ_STR(out, "ab?");
    dt_copy_str(out, 4, "abcdef");
    CHECK_EQ_STR(out, "abc");
    CHECK(dt_nonempty("") == NULL && dt_nonempty(NULL) == NULL);
    return check_done();
}
