/* Free lists of fixed-size objects: a flow, its TCP state and its parsers'
 * state are taken from here and given back when the flow ends, so a run that
 * ends and starts flows all the time does not call malloc and free for each.
 * A pool keeps at most `keep` objects; beyond that they go back to malloc, so
 * the memory held stays that of the most flows alive at once. */
#ifndef DT_POOL_H
#define DT_POOL_H

#include <stddef.h>

typedef struct dt_pool {
    size_t size;   /* of each object (at least a pointer) */
    size_t keep;   /* free objects kept at most */
    size_t n_free; /* free objects held now */
    size_t cap;    /* room in free */
    void **free;   /* the free objects, the last given back on top */
} dt_pool;

void dt_pool_init(dt_pool *p, size_t size, size_t keep);
/* An object of p->size bytes, zeroed; NULL when out of memory. */
void *dt_pool_get(dt_pool *p);
/* The same, not zeroed: for objects their user initialises. */
void *dt_pool_take(dt_pool *p);
void dt_pool_put(dt_pool *p, void *obj);
/* Frees the objects held (those in use stay the caller's). */
void dt_pool_drain(dt_pool *p);

/* Pools of several sizes: a pool per size met so far (up to DT_POOLS_MAX
 * sizes; other sizes go straight to calloc and free). */
#define DT_POOLS_MAX 8
typedef struct dt_pools {
    size_t keep_bytes; /* per size, the free objects kept are at most this many bytes */
    int n;
    dt_pool pool[DT_POOLS_MAX];
} dt_pools;

void dt_pools_init(dt_pools *ps, size_t keep_bytes);
void *dt_pools_get(dt_pools *ps, size_t size);
void *dt_pools_take(dt_pools *ps, size_t size); /* not zeroed */
void dt_pools_put(dt_pools *ps, void *obj, size_t size);
void dt_pools_drain(dt_pools *ps);

#endif
