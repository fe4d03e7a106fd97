#include "report/buckets.h"

#include "util/hash.h"

#include <stdlib.h>
#include <string.h>

static uint64_t key_hash(int kind, uint64_t slot, const char *const *k)
{
    uint64_t h = dt_hash_word(dt_hash_word(DT_HASH_INIT, (uint64_t)kind), slot);
    for (int i = 0; i < DT_BUCKET_FIELDS; i++)
        h = dt_hash_byte(k[i] ? dt_hash_str(h, k[i]) : h, k[i] ? 1 : 0);
    return dt_hash_final(h);
}

static int str_eq(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

static int key_eq(const dt_bucket *e, int kind, uint64_t slot, const char *const *k)
{
    if (e->kind != kind || e->slot != slot)
        return 0;
    for (int i = 0; i < DT_BUCKET_FIELDS; i++)
        if (!str_eq(e->k[i], k[i]))
            return 0;
    return 1;
}

static int rehash(dt_buckets *b)
{
    size_t n = b->n_slots ? 2 * b->n_slots : 64;
    uint32_t *slots = calloc(n, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < b->n; i++) {
        const dt_bucket *e = &b->v[i];
        size_t j = key_hash(e->kind, e->slot, (const char *const *)e->k) & (n - 1);
        while (slots[j])
            j = (j + 1) & (n - 1);
        slots[j] = (uint32_t)(i + 1);
    }
    free(b->slots);
    b->slots = slots;
    b->n_slots = n;
    return 0;
}

/* The bucket of this key, created when new; NULL when it cannot be kept. */
static dt_bucket *bucket_get(dt_buckets *b, int kind, uint64_t slot, const char *const *k)
{
    if (2 * (b->n + 1) > b->n_slots && rehash(b) != 0) {
        b->oom = 1;
        return NULL;
    }
    size_t mask = b->n_slots - 1, j = key_hash(kind, slot, k) & mask;
    for (; b->slots[j]; j = (j + 1) & mask)
        if (key_eq(&b->v[b->slots[j] - 1], kind, slot, k))
            return &b->v[b->slots[j] - 1];
    if (b->max && b->n >= b->max) {
        b->dropped++;
        return NULL;
    }
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 16;
        dt_bucket *nv = realloc(b->v, cap * sizeof *nv);
        if (!nv) {
            b->oom = 1;
            return NULL;
        }
        b->v = nv;
        b->cap = cap;
    }
    dt_bucket *e = &b->v[b->n];
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->slot = slot;
    for (int i = 0; i < DT_BUCKET_FIELDS; i++)
        if (k[i] && !(e->k[i] = strdup(k[i]))) {
            for (int m = 0; m < i; m++)
                free(e->k[m]);
            b->oom = 1;
            return NULL;
        }
    b->slots[j] = (uint32_t)(++b->n);
    return e;
}

dt_bstats dt_bstats_flow(uint64_t up, int have_time, uint64_t first_ns, uint64_t last_ns,
                         int digits, uint64_t id)
{
    dt_bstats s = {.bytes = up, .flows = 1, .ex = {id}, .n_ex = 1};
    if (have_time) {
        s.have_time = 1;
        s.first_ns = first_ns;
        s.last_ns = last_ns < first_ns ? first_ns : last_ns;
        s.digits = digits;
    }
    return s;
}

void dt_bstats_add(dt_bstats *dst, const dt_bstats *src, uint64_t offset)
{
    if (src->have_time) {
        if (!dst->have_time || src->first_ns < dst->first_ns)
            dst->first_ns = src->first_ns;
        if (!dst->have_time || src->last_ns > dst->last_ns)
            dst->last_ns = src->last_ns;
        dst->have_time = 1;
    }
    if (src->digits > dst->digits)
        dst->digits = src->digits;
    dst->bytes += src->bytes;
    dst->flows += src->flows;
    uint64_t ex[2 * DT_BUCKET_EXAMPLES];
    int a = 0, b = 0, n = 0;
    while (n < DT_BUCKET_EXAMPLES && (a < dst->n_ex || b < src->n_ex)) {
        uint64_t x = a < dst->n_ex ? dst->ex[a] : UINT64_MAX;
        uint64_t y = b < src->n_ex ? src->ex[b] + offset : UINT64_MAX;
        ex[n++] = x <= y ? dst->ex[a++] : src->ex[b++] + offset;
    }
    memcpy(dst->ex, ex, (size_t)n * sizeof ex[0]);
    dst->n_ex = n;
}

void dt_buckets_add(dt_buckets *b, int kind, uint64_t slot, const char *const k[DT_BUCKET_FIELDS],
                    const dt_bstats *one)
{
    dt_bucket *e = bucket_get(b, kind, slot, k);
    if (e)
        dt_bstats_add(&e->st, one, 0);
}

int dt_buckets_merge(dt_buckets *dst, const dt_buckets *src, uint64_t offset)
{
    for (size_t i = 0; i < src->n; i++) {
        const dt_bucket *e = &src->v[i];
        dt_bucket *d = bucket_get(dst, e->kind, e->slot, (const char *const *)e->k);
        if (d)
            dt_bstats_add(&d->st, &e->st, offset);
    }
    dst->dropped += src->dropped;
    return dst->oom ? -1 : 0;
}

void dt_buckets_free(dt_buckets *b)
{
    for (size_t i = 0; i < b->n; i++)
        for (int k = 0; k < DT_BUCKET_FIELDS; k++)
            free(b->v[i].k[k]);
    free(b->v);
    free(b->slots);
    memset(b, 0, sizeof *b);
}
