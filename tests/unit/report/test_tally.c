/* lib/report/tally.c: a miss adds the key where its lookup ended (through
 * the scan of a small tally, then the index and its rehashes), a hit finds
 * the same entry, entries stay in insertion order, and keys the pool or the
 * table turns away are counted as the table's rules say. */
#include "report/tally.h"
#include "check.h"

#include <stdio.h>

enum { N = 3000 };

int main(void)
{
    dt_pool pool = {0};
    dt_budget b = {0, (size_t)1 << 30, 0};
    dt_tally t = {0};
    t.max = 1 << 20;
    static const dt_str *s[N];
    char name[32];
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "name-%d.example", i);
        s[i] = dt_pool_intern(&pool, &b, name, 0);
    }

    /* strings: each new key, then every key so far again (hits) */
    int bad = 0;
    for (int i = 0; i < N; i++) {
        int created = -1;
        dt_tally_item *it = dt_tally_get_str(&t, &b, s[i], &created);
        bad += !it || created != 1 || it->key.s != s[i] || t.n != (size_t)i + 1;
        if (i % 97 == 0 || i < 40)
            for (int k = 0; k <= i; k++) {
                it = dt_tally_get_str(&t, &b, s[k], &created);
                bad += it != &t.v[k] || created != 0;
            }
    }
    CHECK_EQ_INT(bad, 0);
    CHECK(t.nslot >= 2 * t.n); /* indexed, at most half full */
    for (int i = 0; i < N; i++)
        dt_tally_add(&t, &b, s[i], (uint64_t)i, 1, 0);
    bad = 0;
    for (int i = 0; i < N; i++)
        bad += t.v[i].key.s != s[i] || t.v[i].up != (uint64_t)i || t.v[i].flows != 1;
    CHECK_EQ_INT(bad, 0);

    /* the generic path finds what the string path added, and adds numbers */
    dt_tally_key k = {.s = s[7]};
    int created = -1;
    CHECK(dt_tally_get(&t, &b, DT_TK_STR, &k, &created) == &t.v[7] && created == 0);
    dt_tally num = {0};
    for (uint64_t v = 0; v < 1000; v++)
        dt_tally_add_num(&num, &b, v * 4096, 1, 0);
    for (uint64_t v = 0; v < 1000; v++)
        dt_tally_add_num(&num, &b, v * 4096, 1, 0);
    CHECK_EQ_INT(num.n, 1000);
    bad = 0;
    for (uint64_t v = 0; v < 1000; v++)
        bad += num.v[v].key.num != v * 4096 || num.v[v].up != 2;
    CHECK_EQ_INT(bad, 0);

    /* turned away: NULL and a refused string are not added; a refused
     * string counts as dropped unless the table is full */
    dt_tally small = {0};
    small.max = 2;
    CHECK(dt_tally_get_str(&small, &b, NULL, &created) == NULL && created == 0);
    uint64_t refused = b.refused;
    CHECK(dt_tally_get_str(&small, &b, &dt_str_refused, &created) == NULL && created == 0);
    CHECK_EQ_INT(b.refused, refused + 1);
    CHECK(dt_tally_get_str(&small, &b, s[0], &created) && created == 1);
    CHECK(dt_tally_get_str(&small, &b, s[1], &created) && created == 1);
    CHECK(dt_tally_get_str(&small, &b, s[2], &created) == NULL && created == 0);
    CHECK(dt_tally_get_str(&small, &b, &dt_str_refused, NULL) == NULL);
    CHECK_EQ_INT(b.refused, refused + 1);
    CHECK(dt_tally_get_str(&small, &b, s[1], &created) == &small.v[1] && created == 0);
    CHECK_EQ_INT(small.n, 2);

    /* over the budget: a new key is refused and counted, existing ones count on */
    dt_budget tight = {b.max, b.max, 0};
    CHECK(dt_tally_get_str(&t, &tight, s[5], &created) == &t.v[5] && created == 0);
    dt_tally_key other = {.s = dt_pool_intern(&pool, &b, "not-yet.example", 0)};
    CHECK(dt_tally_get_str(&t, &tight, other.s, &created) == NULL && created == 0);
    CHECK(dt_tally_get(&t, &tight, DT_TK_STR, &other, &created) == NULL && created == 0);
    CHECK_EQ_INT(tight.refused, 2);

    dt_tally_free(&small, NULL);
    dt_tally_free(&num, NULL);
    dt_tally_free(&t, NULL);
    dt_pool_free(&pool);
    return check_done();
}
