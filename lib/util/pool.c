#include "util/pool.h"

#include <stdlib.h>
#include <string.h>

void dt_pool_init(dt_pool *p, size_t size, size_t keep)
{
    p->size = size < sizeof(void *) ? sizeof(void *) : size;
    p->keep = keep;
    p->n_free = p->cap = 0;
    p->free = NULL;
}

/* The free objects are a stack of pointers: taking one does not read the
 * object (a cache miss when it was given back long ago). */
void *dt_pool_take(dt_pool *p)
{
    return p->n_free ? p->free[--p->n_free] : malloc(p->size);
}

void *dt_pool_get(dt_pool *p)
{
    if (!p->n_free)
        return calloc(1, p->size);
    void *obj = p->free[--p->n_free];
    memset(obj, 0, p->size);
    return obj;
}

void dt_pool_put(dt_pool *p, void *obj)
{
    if (!obj)
        return;
    if (p->n_free == p->cap && p->cap < p->keep) {
        size_t nc = p->cap ? p->cap * 2 : 64;
        if (nc > p->keep)
            nc = p->keep;
        void **nf = realloc(p->free, nc * sizeof *nf);
        if (nf) {
            p->free = nf;
            p->cap = nc;
        }
    }
    if (p->n_free == p->cap) {
        free(obj);
        return;
    }
    p->free[p->n_free++] = obj;
}

void dt_pool_drain(dt_pool *p)
{
    while (p->n_free)
        free(p->free[--p->n_free]);
    free(p->free);
    p->free = NULL;
    p->cap = 0;
}

void dt_pools_init(dt_pools *ps, size_t keep_bytes)
{
    memset(ps, 0, sizeof *ps);
    ps->keep_bytes = keep_bytes;
}

static dt_pool *pool_of(dt_pools *ps, size_t size)
{
    for (int i = 0; i < ps->n; i++)
        if (ps->pool[i].size == size)
            return &ps->pool[i];
    if (ps->n == DT_POOLS_MAX || size < sizeof(void *))
        return NULL;
    dt_pool *p = &ps->pool[ps->n++];
    dt_pool_init(p, size, ps->keep_bytes / size);
    return p;
}

void *dt_pools_get(dt_pools *ps, size_t size)
{
    dt_pool *p = pool_of(ps, size);
    return p ? dt_pool_get(p) : calloc(1, size);
}

void *dt_pools_take(dt_pools *ps, size_t size)
{
    dt_pool *p = pool_of(ps, size);
    return p ? dt_pool_take(p) : malloc(size);
}

void dt_pools_put(dt_pools *ps, void *obj, size_t size)
{
    dt_pool *p = pool_of(ps, size);
    if (p)
        dt_pool_put(p, obj);
    else
        free(obj);
}

void dt_pools_drain(dt_pools *ps)
{
    for (int i = 0; i < ps->n; i++)
        dt_pool_drain(&ps->pool[i]);
}
