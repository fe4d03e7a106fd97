/* util/pool: objects come back zeroed (or, taken, as they were left), at most `keep` are held,
 * several sizes. */
#include "check.h"
#include "util/pool.h"

#include <string.h>

int main(void)
{
    dt_pool p;
    dt_pool_init(&p, 100, 2);
    unsigned char *a = dt_pool_get(&p), *b = dt_pool_get(&p), *c = dt_pool_get(&p);
    CHECK(a && b && c);
    memset(a, 0xab, 100);
    memset(b, 0xcd, 100);
    dt_pool_put(&p, a);
    dt_pool_put(&p, b);
    dt_pool_put(&p, c); /* beyond keep: freed */
    CHECK_EQ_INT(p.n_free, 2);
    unsigned char *d = dt_pool_get(&p); /* the last one given back, zeroed */
    CHECK(d == b);
    int zero = 1;
    for (int i = 0; i < 100; i++)
        zero &= d[i] == 0;
    CHECK(zero);
    CHECK_EQ_INT(p.n_free, 1);
    unsigned char *e = dt_pool_take(&p); /* the other one, as it was left */
    CHECK(e == a && e[0] == 0xab && e[99] == 0xab);
    CHECK_EQ_INT(p.n_free, 0);
    unsigned char *f = dt_pool_take(&p); /* none held: a new one */
    CHECK(f && f != a && f != b);
    dt_pool_put(&p, f);
    dt_pool_put(&p, e);
    dt_pool_put(&p, d);
    dt_pool_drain(&p);
    CHECK_EQ_INT(p.n_free, 0);

    dt_pools ps;
    dt_pools_init(&ps, 1000);
    void *objs[DT_POOLS_MAX + 2];
    for (int i = 0; i < DT_POOLS_MAX + 2; i++) /* more sizes than pools: the rest by calloc */
        objs[i] = dt_pools_get(&ps, 16 + 8 * (size_t)i);
    CHECK_EQ_INT(ps.n, DT_POOLS_MAX);
    CHECK_EQ_INT(ps.pool[0].keep, 1000 / 16);
    for (int i = 0; i < DT_POOLS_MAX + 2; i++)
        dt_pools_put(&ps, objs[i], 16 + 8 * (size_t)i);
    CHECK_EQ_INT(ps.pool[0].n_free, 1);
    CHECK(dt_pools_get(&ps, 16) == objs[0]);
    dt_pools_put(&ps, objs[0], 16);
    CHECK(dt_pools_take(&ps, 16) == objs[0]);
    dt_pools_put(&ps, objs[0], 16);
    dt_pools_drain(&ps);
    return check_done();
}
