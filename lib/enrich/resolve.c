#include "enrich/resolve.h"
#include "util/hash.h"

#include <stdlib.h>
#include <string.h>

#define NIL ((uint32_t)-1)

typedef struct rentry {
    char name[DT_DNS_NAME_MAX];
    char owner[DT_DNS_NAME_MAX];
    dt_addr addr;
    uint16_t type;
    uint32_t count;
    uint64_t first_ts, last_ts;
    uint64_t hist[DT_RESOLVE_HIST]; /* latest sighting times, ring */
    uint32_t n_hist, hist_pos;
    uint64_t seq;          /* order of the last update, for ties */
    uint32_t hnext;        /* next in hash bucket */
    uint32_t lprev, lnext; /* least-recently-updated list */
} rentry;

/* Entries and buckets start small and double as the table fills, up to
 * max_entries: most captures resolve a few hundred names, while the maximum
 * (65,536 entries per input, about 45 MB) would be paid by every input, small
 * ones included (dearly under the sanitizers and the fuzzers). */
#define INITIAL_ENTRIES 64

struct dt_resolve {
    rentry *e;
    size_t cap, alloc, used; /* maximum, allocated, in use */
    uint32_t *bucket;
    size_t nbucket;              /* power of two */
    uint32_t lru_head, lru_tail; /* head = least recently updated */
    uint64_t evictions;
    uint64_t seq;
};

static uint32_t addr_hash(const dt_addr *a)
{
    return (uint32_t)dt_hash_final(dt_hash_addr(DT_HASH_INIT, a));
}

static int addr_eq(const dt_addr *x, const dt_addr *y)
{
    return x->family == y->family && memcmp(x->a, y->a, 16) == 0;
}

/* Buckets for the allocated entries (about two per entry), all empty. */
static uint32_t *buckets_new(size_t alloc, size_t *nbucket)
{
    size_t n = 16;
    while (n < 2 * alloc)
        n *= 2;
    uint32_t *b = malloc(n * sizeof *b);
    if (b) {
        for (size_t i = 0; i < n; i++)
            b[i] = NIL;
        *nbucket = n;
    }
    return b;
}

dt_resolve *dt_resolve_new(size_t max_entries)
{
    if (max_entries < 1)
        max_entries = 1;
    if (max_entries > (1u << 30))
        max_entries = 1u << 30;
    dt_resolve *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->cap = max_entries;
    r->alloc = max_entries < INITIAL_ENTRIES ? max_entries : INITIAL_ENTRIES;
    r->e = malloc(r->alloc * sizeof *r->e);
    r->bucket = buckets_new(r->alloc, &r->nbucket);
    if (!r->e || !r->bucket) {
        dt_resolve_free(r);
        return NULL;
    }
    r->lru_head = r->lru_tail = NIL;
    return r;
}

/* Doubles the entries (up to cap), and the buckets with them, rehashing.
 * 0 if out of memory: the caller then evicts as if the table were full. */
static int grow(dt_resolve *r)
{
    size_t alloc = r->alloc * 2 < r->cap ? r->alloc * 2 : r->cap;
    rentry *e = realloc(r->e, alloc * sizeof *e);
    if (!e)
        return 0;
    r->e = e;
    r->alloc = alloc;
    if (r->nbucket >= 2 * alloc)
        return 1;
    size_t nbucket;
    uint32_t *b = buckets_new(alloc, &nbucket);
    if (!b)
        return 1; /* longer chains, still correct */
    free(r->bucket);
    r->bucket = b;
    r->nbucket = nbucket;
    for (uint32_t i = 0; i < r->used; i++) {
        uint32_t h = addr_hash(&r->e[i].addr) & (uint32_t)(nbucket - 1);
        r->e[i].hnext = b[h];
        b[h] = i;
    }
    return 1;
}

void dt_resolve_free(dt_resolve *r)
{
    if (!r)
        return;
    free(r->e);
    free(r->bucket);
    free(r);
}

static void lru_unlink(dt_resolve *r, uint32_t i)
{
    rentry *x = &r->e[i];
    if (x->lprev != NIL)
        r->e[x->lprev].lnext = x->lnext;
    else
        r->lru_head = x->lnext;
    if (x->lnext != NIL)
        r->e[x->lnext].lprev = x->lprev;
    else
        r->lru_tail = x->lprev;
    x->lprev = x->lnext = NIL;
}

static void lru_append(dt_resolve *r, uint32_t i)
{
    rentry *x = &r->e[i];
    x->lnext = NIL;
    x->lprev = r->lru_tail;
    if (r->lru_tail != NIL)
        r->e[r->lru_tail].lnext = i;
    else
        r->lru_head = i;
    r->lru_tail = i;
}

static void bucket_unlink(dt_resolve *r, uint32_t i)
{
    uint32_t *pp = &r->bucket[addr_hash(&r->e[i].addr) & (r->nbucket - 1)];
    while (*pp != NIL) {
        if (*pp == i) {
            *pp = r->e[i].hnext;
            return;
        }
        pp = &r->e[*pp].hnext;
    }
}

static void copy_name(char *dst, const char *src)
{
    size_t n = strnlen(src, DT_DNS_NAME_MAX - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

void dt_resolve_add(dt_resolve *r, const char *name, const char *owner, uint16_t type,
                    const dt_addr *a, uint64_t ts_ns)
{
    if (!r || !name || !a || (a->family != 4 && a->family != 6))
        return;
    if (!owner)
        owner = name;
    uint32_t b = addr_hash(a) & (uint32_t)(r->nbucket - 1);
    uint32_t i;
    for (i = r->bucket[b]; i != NIL; i = r->e[i].hnext) {
        rentry *x = &r->e[i];
        if (x->type == type && addr_eq(&x->addr, a) && dt_dns_name_eq(x->name, name))
            break;
    }
    rentry *x;
    if (i == NIL) {
        if (r->used == r->alloc && r->alloc < r->cap && grow(r))
            b = addr_hash(a) & (uint32_t)(r->nbucket - 1); /* buckets may have doubled */
        if (r->used < r->alloc) {
            i = (uint32_t)r->used++;
        } else {
            i = r->lru_head;
            lru_unlink(r, i);
            bucket_unlink(r, i);
            r->evictions++;
        }
        x = &r->e[i];
        memset(x, 0, sizeof *x);
        copy_name(x->name, name);
        x->addr = *a;
        x->type = type;
        x->first_ts = ts_ns;
        x->hnext = r->bucket[b];
        r->bucket[b] = i;
    } else {
        x = &r->e[i];
        lru_unlink(r, i);
    }
    lru_append(r, i);
    copy_name(x->owner, owner);
    x->count++;
    if (ts_ns > x->last_ts || x->count == 1)
        x->last_ts = ts_ns;
    if (ts_ns < x->first_ts)
        x->first_ts = ts_ns;
    x->hist[x->hist_pos] = ts_ns;
    x->hist_pos = (x->hist_pos + 1) % DT_RESOLVE_HIST;
    if (x->n_hist < DT_RESOLVE_HIST)
        x->n_hist++;
    x->seq = ++r->seq;
}

static void add_rr(dt_resolve *r, const dt_dns_rr *rr, const char *const *chain, int n,
                   uint64_t ts_ns)
{
    if (rr->addr.family != 4 && rr->addr.family != 6)
        return;
    if (rr->type != DT_DNS_T_A && rr->type != DT_DNS_T_AAAA && rr->type != DT_DNS_T_SVCB &&
        rr->type != DT_DNS_T_HTTPS)
        return;
    const char *name = rr->name;
    for (int j = 0; j < n; j++) {
        if (dt_dns_name_eq(chain[j], rr->name)) {
            name = chain[0];
            break;
        }
    }
    dt_resolve_add(r, name, rr->name, rr->type, &rr->addr, ts_ns);
}

void dt_resolve_add_msg(dt_resolve *r, const dt_dns_msg *m, uint64_t ts_ns)
{
    const char *chain[16];
    if (!r || !m || !m->response)
        return;
    int n = dt_dns_cname_chain(m, chain, 16);
    for (int i = 0; i < m->n_rr && i < DT_DNS_MAX_RR; i++)
        add_rr(r, &m->rr[i], chain, n, ts_ns);
    for (int i = 0; i < m->n_extra && i < DT_DNS_MAX_EXTRA; i++)
        add_rr(r, &m->extra[i], chain, n, ts_ns);
}

/* Latest known sighting of x at or before ts; 0 if none (found = 0). */
static uint64_t best_before(const rentry *x, uint64_t ts, int *found)
{
    uint64_t best = 0;
    *found = 0;
    for (uint32_t k = 0; k < x->n_hist; k++) {
        if (x->hist[k] <= ts && (!*found || x->hist[k] > best)) {
            best = x->hist[k];
            *found = 1;
        }
    }
    if (!*found && x->first_ts <= ts) { /* older sightings were not kept: first is known */
        best = x->first_ts;
        *found = 1;
    }
    return best;
}

const char *dt_resolve_lookup(const dt_resolve *r, const dt_addr *a, uint64_t before_ts_ns,
                              const char **owner_out, uint64_t *ts_out)
{
    const rentry *win = NULL;
    uint64_t win_ts = 0;
    if (owner_out)
        *owner_out = NULL;
    if (ts_out)
        *ts_out = 0;
    if (!r || !a)
        return NULL;
    uint32_t b = addr_hash(a) & (uint32_t)(r->nbucket - 1);
    for (uint32_t i = r->bucket[b]; i != NIL; i = r->e[i].hnext) {
        const rentry *x = &r->e[i];
        int found;
        if (!addr_eq(&x->addr, a))
            continue;
        uint64_t t = best_before(x, before_ts_ns, &found);
        if (!found)
            continue;
        if (!win || t > win_ts || (t == win_ts && x->seq > win->seq)) {
            win = x;
            win_ts = t;
        }
    }
    if (!win)
        return NULL;
    if (owner_out)
        *owner_out = win->owner;
    if (ts_out)
        *ts_out = win_ts;
    return win->name;
}

size_t dt_resolve_count(const dt_resolve *r)
{
    return r ? r->used : 0;
}
uint64_t dt_resolve_evictions(const dt_resolve *r)
{
    return r ? r->evictions : 0;
}

static int name_cmp(const char *a, const char *b)
{
    for (const char *p = a, *q = b;; p++, q++) {
        int x = (unsigned char)*p, y = (unsigned char)*q;
        if (x >= 'A' && x <= 'Z')
            x += 32;
        if (y >= 'A' && y <= 'Z')
            y += 32;
        if (x != y)
            return x < y ? -1 : 1;
        if (!x)
            break;
    }
    return strcmp(a, b);
}

static int entry_cmp(const void *pa, const void *pb)
{
    const rentry *a = *(const rentry *const *)pa, *b = *(const rentry *const *)pb;
    int c = name_cmp(a->name, b->name);
    if (c)
        return c;
    if (a->type != b->type)
        return a->type < b->type ? -1 : 1;
    return dt_addr_cmp(&a->addr, &b->addr);
}

size_t dt_resolve_list(const dt_resolve *r, dt_resolve_entry *out, size_t max)
{
    if (!r || !out || max == 0 || r->used == 0)
        return 0;
    const rentry **v = malloc(r->used * sizeof *v);
    if (!v)
        return 0;
    for (size_t i = 0; i < r->used; i++)
        v[i] = &r->e[i];
    qsort(v, r->used, sizeof *v, entry_cmp);
    size_t n = r->used < max ? r->used : max;
    for (size_t i = 0; i < n; i++) {
        out[i].name = v[i]->name;
        out[i].owner = v[i]->owner;
        out[i].type = v[i]->type;
        out[i].addr = v[i]->addr;
        out[i].count = v[i]->count;
        out[i].first_ts_ns = v[i]->first_ts;
        out[i].last_ts_ns = v[i]->last_ts;
    }
    free(v);
    return n;
}
