#include "report/tally.h"

#include "util/hash.h"

#include <stdlib.h>
#include <string.h>

/* Tables keep 32 bits of the project's hash (util/hash.h). */
static uint32_t hash_bytes(const void *p, size_t n)
{
    return (uint32_t)dt_hash_final(dt_hash_mem(DT_HASH_INIT, p, n));
}

/* ---- the string pool ---- */

const dt_str dt_str_refused = {0, 0};

#define POOL_BLOCK 16384

struct dt_pool_block {
    dt_pool_block *next;
    size_t used, cap;
    uint32_t data[]; /* dt_str, 4-byte aligned */
};

/* Bytes of a dt_str of len chars in a block. */
static size_t str_size(size_t len)
{
    return (sizeof(dt_str) + len + 1 + 3) & ~(size_t)3;
}

static int pool_rehash(dt_pool *p, size_t nslot)
{
    const dt_str **s = calloc(nslot, sizeof *s);
    if (!s)
        return -1;
    for (size_t i = 0; i < p->nslot; i++) {
        const dt_str *x = p->slot[i];
        if (!x)
            continue;
        size_t j = x->hash & (nslot - 1);
        while (s[j])
            j = (j + 1) & (nslot - 1);
        s[j] = x;
    }
    free(p->slot);
    p->slot = s;
    p->nslot = nslot;
    return 0;
}

static const dt_str *pool_get(dt_pool *p, dt_budget *b, const char *s, size_t len, uint32_t h,
                              int force)
{
    size_t j = 0;
    if (p->nslot) {
        for (j = h & (p->nslot - 1); p->slot[j]; j = (j + 1) & (p->nslot - 1)) {
            const dt_str *x = p->slot[j];
            if (x->hash == h && x->len == len && memcmp(x->s, s, len) == 0)
                return x;
        }
    }
    size_t size = str_size(len);
    size_t cost = size + 4 * sizeof *p->slot;
    if (!force && b->used + cost > b->max)
        return &dt_str_refused;
    if ((p->n + 1) * 2 > p->nslot) {
        if (pool_rehash(p, p->nslot ? p->nslot * 2 : 64) != 0)
            return NULL;
        for (j = h & (p->nslot - 1); p->slot[j]; j = (j + 1) & (p->nslot - 1))
            ;
    }
    dt_pool_block *bl = p->blocks;
    if (!bl || bl->cap - bl->used < size) {
        size_t cap = size > POOL_BLOCK ? size : POOL_BLOCK;
        bl = malloc(sizeof *bl + cap);
        if (!bl)
            return NULL;
        bl->next = p->blocks;
        bl->used = 0;
        bl->cap = cap;
        p->blocks = bl;
    }
    dt_str *x = (dt_str *)((char *)bl->data + bl->used);
    bl->used += size;
    x->hash = h;
    x->len = (uint32_t)len;
    memcpy(x->s, s, len);
    x->s[len] = '\0';
    p->slot[j] = x;
    p->n++;
    b->used += cost;
    return x;
}

const dt_str *dt_pool_intern(dt_pool *p, dt_budget *b, const char *s, int force)
{
    if (!s)
        return NULL;
    size_t len = strnlen(s, DT_TALLY_KEY_MAX - 1);
    return pool_get(p, b, s, len, hash_bytes(s, len), force);
}

const dt_str *dt_pool_intern_str(dt_pool *p, dt_budget *b, const dt_str *s, int force)
{
    if (!s || s == &dt_str_refused)
        return s;
    return pool_get(p, b, s->s, s->len, s->hash, force);
}

void dt_pool_free(dt_pool *p)
{
    while (p->blocks) {
        dt_pool_block *next = p->blocks->next;
        free(p->blocks);
        p->blocks = next;
    }
    free(p->slot);
    memset(p, 0, sizeof *p);
}

/* ---- tallies ---- */

static const dt_str *addr_text_str(const dt_addr *a)
{
    const dt_str *s;
    memcpy(&s, a->a, sizeof s);
    return s;
}

/* A key whose string the pool turned away (over the budget): never added. */
static int key_refused(dt_tally_kind kind, const dt_tally_key *k)
{
    return kind == DT_TK_STR ? k->s == &dt_str_refused
                             : kind == DT_TK_ADDR && k->addr.family == DT_TALLY_ADDR_TEXT &&
                                   addr_text_str(&k->addr) == &dt_str_refused;
}

static uint32_t key_hash(dt_tally_kind kind, const dt_tally_key *k)
{
    switch (kind) {
    case DT_TK_STR:
        return k->s->hash;
    case DT_TK_NUM:
        return (uint32_t)dt_hash_of_u64(k->num);
    default:
        if (k->addr.family == DT_TALLY_ADDR_TEXT)
            return addr_text_str(&k->addr)->hash;
        return (uint32_t)dt_hash_final(dt_hash_bytes(dt_hash_byte(DT_HASH_INIT, k->addr.family),
                                                     k->addr.a, dt_addr_len(&k->addr)));
    }
}

static int dt_tally_rehash(dt_tally *t, size_t nslot)
{
    dt_tally_slot *s = calloc(nslot, sizeof *s);
    if (!s)
        return -1;
    for (size_t i = 0; i < t->n; i++) {
        size_t j = t->v[i].hash & (nslot - 1);
        while (s[j].idx)
            j = (j + 1) & (nslot - 1);
        s[j].idx = (uint32_t)(i + 1);
        s[j].hash = t->v[i].hash;
    }
    free(t->slot);
    t->slot = s;
    t->nslot = nslot;
    return 0;
}

/* dt_tally_insert, inline in dt_tally_get (a call more per new key cost more
 * than the probe it saves). */
static inline dt_tally_item *insert(dt_tally *t, dt_budget *b, dt_tally_kind kind,
                                    const dt_tally_key *k, uint32_t h, size_t j, int *created)
{
    if (created)
        *created = 0;
    size_t max = t->max ? t->max : DT_TALLY_NESTED_MAX;
    /* at most 2 items and 4 slots per entry: the arrays double, from 2 items
     * and 4 slots (most nested tallies hold one or two entries) */
    size_t cost = 2 * sizeof(dt_tally_item) + 4 * sizeof(dt_tally_slot);
    if (t->n >= max)
        return NULL;
    if (key_refused(kind, k) || b->used + cost > b->max) {
        b->refused++;
        return NULL;
    }
    if (t->n + 1 > DT_TALLY_LINEAR && (t->n + 1) * 2 > t->nslot) {
        size_t ns = t->nslot ? t->nslot * 2 : 4;
        while ((t->n + 1) * 2 > ns)
            ns *= 2;
        if (dt_tally_rehash(t, ns) != 0)
            return NULL;
        for (j = h & (t->nslot - 1); t->slot[j].idx; j = (j + 1) & (t->nslot - 1))
            ;
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 2;
        dt_tally_item *nv = realloc(t->v, cap * sizeof *nv);
        if (!nv)
            return NULL;
        t->v = nv;
        t->cap = cap;
    }
    dt_tally_item *it = &t->v[t->n];
    memset(it, 0, sizeof *it);
    it->key = *k;
    it->hash = h;
    t->kind = kind;
    b->used += cost;
    t->n++;
    if (t->nslot) { /* else the scan finds it */
        t->slot[j].idx = (uint32_t)t->n;
        t->slot[j].hash = h;
    }
    if (created)
        *created = 1;
    return it;
}

dt_tally_item *dt_tally_get(dt_tally *t, dt_budget *b, dt_tally_kind kind, const dt_tally_key *k,
                            int *created)
{
    if (created)
        *created = 0;
    if (kind == DT_TK_STR && !k->s)
        return NULL;
    int refused = key_refused(kind, k);
    uint32_t h = refused ? 0 : key_hash(kind, k);
    size_t j = 0;
    if (t->nslot && !refused) {
        for (j = h & (t->nslot - 1); t->slot[j].idx; j = (j + 1) & (t->nslot - 1)) {
            dt_tally_item *it = &t->v[t->slot[j].idx - 1];
            if (t->slot[j].hash == h && dt_tally_key_eq(kind, &it->key, k))
                return it;
        }
    } else if (!refused) {
        for (size_t i = 0; i < t->n; i++)
            if (t->v[i].hash == h && dt_tally_key_eq(kind, &t->v[i].key, k))
                return &t->v[i];
    }
    return insert(t, b, kind, k, h, j, created);
}

/* Not inlined: dt_tally_get_str, inline in its callers, stays a lookup and a call. */
__attribute__((noinline)) dt_tally_item *dt_tally_insert(dt_tally *t, dt_budget *b,
                                                         dt_tally_kind kind, const dt_tally_key *k,
                                                         uint32_t h, size_t j, int *created)
{
    return insert(t, b, kind, k, h, j, created);
}

void dt_tally_free(dt_tally *t, void (*ext_free)(void *))
{
    for (size_t i = 0; ext_free && i < t->n; i++)
        if (t->v[i].ext)
            ext_free(t->v[i].ext);
    free(t->v);
    free(t->slot);
    memset(t, 0, sizeof *t);
}

const char *dt_tally_addr_text(const dt_addr *a, char *buf)
{
    if (a->family == DT_TALLY_ADDR_TEXT)
        return addr_text_str(a)->s;
    return dt_addr_str(a, buf, DT_ADDR_STRLEN);
}

/* bytes_up descending, then key ascending (bytewise). */
static int cmp_rows(const void *a, const void *b)
{
    const dt_tally_row *x = a, *y = b;
    if (x->up != y->up)
        return x->up > y->up ? -1 : 1;
    return strcmp(x->key, y->key);
}

static int cmp_num_rows(const void *a, const void *b)
{
    const dt_tally_row *x = a, *y = b;
    if (x->up != y->up)
        return x->up > y->up ? -1 : 1;
    uint64_t p = x->it->key.num, q = y->it->key.num;
    return p < q ? -1 : p > q;
}

/* Rows sorted by insertion (most tallies hold a few: qsort's set-up cost more). */
#define SORT_SHORT 12

dt_tally_row *dt_tally_sorted(const dt_tally *t)
{
    size_t n = t->n, text = t->kind == DT_TK_ADDR ? n * DT_ADDR_STRLEN : 0;
    dt_tally_row *s = malloc((n ? n : 1) * sizeof *s + text);
    if (!s)
        return NULL;
    char *buf = (char *)(s + n);
    for (size_t i = 0; i < n; i++) {
        const dt_tally_item *it = &t->v[i];
        s[i].up = it->up;
        s[i].it = it;
        switch (t->kind) {
        case DT_TK_STR:
            s[i].key = it->key.s->s;
            break;
        case DT_TK_NUM:
            s[i].key = NULL;
            break;
        default: {
            /* written one after the other: the pages past the texts stay untouched */
            const char *x = dt_tally_addr_text(&it->key.addr, buf);
            if (x == buf)
                buf += strlen(buf) + 1;
            s[i].key = x;
        }
        }
    }
    int (*cmp)(const void *, const void *) = t->kind == DT_TK_NUM ? cmp_num_rows : cmp_rows;
    if (n > SORT_SHORT) {
        qsort(s, n, sizeof *s, cmp);
        return s;
    }
    for (size_t i = 1; i < n; i++) { /* stable, as qsort's merge sort */
        dt_tally_row x = s[i];
        size_t j = i;
        for (; j > 0 && cmp(&s[j - 1], &x) > 0; j--)
            s[j] = s[j - 1];
        s[j] = x;
    }
    return s;
}

/* Allocates the ext of a new entry. */
void *dt_tally_ext(dt_tally_item *it, int created, size_t size, dt_budget *b)
{
    if (!it)
        return NULL;
    if (created || !it->ext) {
        it->ext = calloc(1, size);
        if (it->ext)
            b->used += size;
    }
    return it->ext;
}

/* Adds the entries of src to dst, in src's order (as adding its flows would). */
int dt_tally_merge(dt_tally *dst, dt_budget *b, dt_pool *pool, const dt_tally *src,
                   dt_tally_ext_merge ext_merge)
{
    int oom = 0;
    for (size_t i = 0; i < src->n; i++) {
        const dt_tally_item *s = &src->v[i];
        dt_tally_key k = s->key;
        if (src->kind == DT_TK_STR) {
            k.s = dt_pool_intern_str(pool, b, s->key.s, 0);
            if (!k.s) {
                oom = 1;
                continue;
            }
        } else if (src->kind == DT_TK_ADDR && k.addr.family == DT_TALLY_ADDR_TEXT) {
            const dt_str *x = dt_pool_intern_str(pool, b, addr_text_str(&s->key.addr), 0);
            if (!x) {
                oom = 1;
                continue;
            }
            memcpy(k.addr.a, &x, sizeof x);
        }
        int created;
        dt_tally_item *d = dt_tally_get(dst, b, src->kind, &k, &created);
        if (!d)
            continue; /* full (as when adding flows) or out of memory */
        d->up += s->up;
        d->down += s->down;
        d->flows += s->flows;
        d->mask |= s->mask;
        if (ext_merge && s->ext)
            oom |= ext_merge(d, created, s->ext, b, pool);
    }
    return oom ? -1 : 0;
}
