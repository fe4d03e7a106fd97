/* lib/util/hash.h: the byte steps are FNV-1a 64 (its published values), the
 * pieces agree with each other, and finished hashes spread keys that differ in
 * a few bits (sequential addresses, ports, integers) over the low bits that
 * pick a bucket; byte strings hashed a word at a time (dt_hash_mem) count every
 * byte and their length. */
#include "util/hash.h"
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The largest bucket when n keys go into n buckets (n a power of two). */
static size_t worst_bucket(const uint64_t *h, size_t n)
{
    size_t *count = calloc(n, sizeof *count), worst = 0;
    for (size_t i = 0; i < n; i++) {
        size_t c = ++count[h[i] & (n - 1)];
        worst = c > worst ? c : worst;
    }
    free(count);
    return worst;
}

int main(void)
{
    /* FNV-1a 64 test values */
    CHECK(dt_hash_str(DT_HASH_INIT, "") == 0xcbf29ce484222325ull);
    CHECK(dt_hash_str(DT_HASH_INIT, "a") == 0xaf63dc4c8601ec8cull);
    CHECK(dt_hash_str(DT_HASH_INIT, "foobar") == 0x85944171f73967e8ull);
    CHECK(dt_hash_bytes(DT_HASH_INIT, "foobar", 6) == dt_hash_str(DT_HASH_INIT, "foobar"));
    CHECK(dt_hash_of_str("foobar") == dt_hash_final(dt_hash_str(DT_HASH_INIT, "foobar")));
    CHECK(dt_hash_of_str("example.com") != dt_hash_of_str("example.org"));

    /* an address: family and bytes both count */
    dt_addr a = {0}, b = {0};
    a.family = 4;
    b.family = 6;
    CHECK(dt_hash_addr(DT_HASH_INIT, &a) != dt_hash_addr(DT_HASH_INIT, &b));
    b = a;
    CHECK(dt_hash_addr(DT_HASH_INIT, &a) == dt_hash_addr(DT_HASH_INIT, &b));
    b.a[15] = 1;
    CHECK(dt_hash_addr(DT_HASH_INIT, &a) != dt_hash_addr(DT_HASH_INIT, &b));

    /* bytes as words: every byte and the length count, wherever the bytes lie */
    unsigned char buf[48], moved[56];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (unsigned char)(i * 37 + 1);
    int all_count = 1;
    for (size_t n = 0; n <= 40; n++) {
        uint64_t h = dt_hash_mem(DT_HASH_INIT, buf, n);
        memcpy(moved + 3, buf, n);
        all_count &= dt_hash_mem(DT_HASH_INIT, moved + 3, n) == h;
        all_count &= dt_hash_mem(DT_HASH_INIT, buf, n + 1) != h;
        for (size_t i = 0; i < n; i++) {
            buf[i] ^= 0x80;
            all_count &= dt_hash_mem(DT_HASH_INIT, buf, n) != h;
            buf[i] ^= 0x80;
        }
    }
    CHECK(all_count);
    CHECK(dt_hash_mem(DT_HASH_INIT, "", 0) != dt_hash_mem(DT_HASH_INIT, "\0", 1));

    /* spread: 4096 keys in 4096 buckets; uniform hashing gives a worst bucket
     * of about 7, a hash that ignores some input bits far more */
    enum { N = 4096 };
    static uint64_t h[N];
    for (size_t i = 0; i < N; i++) { /* 10.0.0.0/20 */
        dt_addr x = {.family = 4, .a = {10, 0, (uint8_t)(i >> 8), (uint8_t)i}};
        h[i] = dt_hash_final(dt_hash_addr(DT_HASH_INIT, &x));
    }
    CHECK(worst_bucket(h, N) <= 12);
    for (size_t i = 0; i < N; i++) { /* one address, many ports */
        dt_addr x = {.family = 6, .a = {0x20, 0x01, 0x0d, 0xb8, [15] = 1}};
        h[i] = dt_hash_final(dt_hash_word(dt_hash_addr(DT_HASH_INIT, &x), 1024 + i));
    }
    CHECK(worst_bucket(h, N) <= 12);
    for (size_t i = 0; i < N; i++) /* integers spaced by the bucket count */
        h[i] = dt_hash_of_u64((uint64_t)i * N);
    CHECK(worst_bucket(h, N) <= 12);
    for (size_t i = 0; i < N; i++) { /* short names that differ in a few letters */
        char s[16];
        snprintf(s, sizeof s, "host-%zu.lan", i);
        h[i] = dt_hash_final(dt_hash_mem(DT_HASH_INIT, s, strlen(s)));
    }
    CHECK(worst_bucket(h, N) <= 12);
    return check_done();
}
