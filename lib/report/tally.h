/* The rollups' tables and their string pool.
 *
 * A tally maps a key (an interned string, a number or an address) to
 * counters (bytes up and down, flows, a bit mask) and an extension per
 * entry, in insertion order, hashed (open addressing).  Strings are interned
 * once per rollup in a pool, so a name seen on many endpoints is stored once
 * and tables compare keys by pointer; text is made for addresses only when a
 * table is sorted for writing.  Every table and the pool of a rollup draw on
 * one memory budget. */
#ifndef DT_REPORT_TALLY_H
#define DT_REPORT_TALLY_H

#include "util/addr.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define DT_TALLY_KEY_MAX 512     /* longer strings are truncated */
#define DT_TALLY_NESTED_MAX 4096 /* entries of a nested tally (names of a domain, ...) */

/* Memory held by a rollup's tables, against its limit: once reached, no
 * new keys are added anywhere (existing ones keep counting) and every key
 * turned away is counted (summary.rollup_entries_dropped). */
typedef struct dt_budget {
    size_t used, max;
    uint64_t refused;
} dt_budget;

/* ---- the string pool ---- */

/* An interned string: equal texts are one dt_str per pool. */
typedef struct dt_str {
    uint32_t hash, len;
    char s[];
} dt_str;

/* What dt_pool_intern returns for a new string over the budget: no table
 * takes it (each one turning it away counts a dropped key). */
extern const dt_str dt_str_refused;

typedef struct dt_pool_block dt_pool_block;
typedef struct dt_pool {
    const dt_str **slot; /* open addressing; NULL = empty */
    size_t nslot, n;
    dt_pool_block *blocks; /* the texts */
} dt_pool;

/* The interned s (its first DT_TALLY_KEY_MAX - 1 bytes): NULL when s is
 * NULL or out of memory, &dt_str_refused when new and over the budget
 * unless force (the text of an existing entry: counted, not refused). */
const dt_str *dt_pool_intern(dt_pool *p, dt_budget *b, const char *s, int force);
/* The same for a string of another pool (merging). */
const dt_str *dt_pool_intern_str(dt_pool *p, dt_budget *b, const dt_str *s, int force);
void dt_pool_free(dt_pool *p);

/* ---- tallies ---- */

typedef enum dt_tally_kind { DT_TK_STR, DT_TK_NUM, DT_TK_ADDR } dt_tally_kind;

/* An address key whose text does not come back from its binary form (a
 * report written by hand): the interned text, its pointer in a[]. */
#define DT_TALLY_ADDR_TEXT 255

typedef union dt_tally_key {
    const dt_str *s;
    uint64_t num;
    dt_addr addr; /* zeroed past its length */
} dt_tally_key;

typedef struct dt_tally_item {
    dt_tally_key key;
    uint32_t hash;
    unsigned mask;
    uint64_t up, down, flows;
    void *ext;
} dt_tally_item;

/* Entries a tally holds before it gets an index: most nested tallies hold
 * one or two, and their index (an allocation) cost more than a scan. */
#define DT_TALLY_LINEAR 4

/* The slot keeps the hash next to the index, so a probe touches the item
 * (a cache miss on a large table) only when the hashes match. */
typedef struct dt_tally_slot {
    uint32_t idx; /* index + 1; 0 = empty */
    uint32_t hash;
} dt_tally_slot;

typedef struct dt_tally {
    dt_tally_item *v;
    size_t n, cap;
    dt_tally_slot *slot;
    size_t nslot;
    size_t max;
    dt_tally_kind kind; /* of its keys, set by the first one */
} dt_tally;

/* The entry for key k of the given kind, created when missing (NULL when k
 * is a NULL string, full, over the budget or out of memory).  *created
 * tells whether it is new. */
/* Whether two keys of a kind are the same (only the member of that kind is compared). */
static inline int dt_tally_key_eq(dt_tally_kind kind, const dt_tally_key *x, const dt_tally_key *y)
{
    switch (kind) {
    case DT_TK_STR:
        return x->s == y->s;
    case DT_TK_NUM:
        return x->num == y->num;
    default:
        return x->addr.family == y->addr.family && memcmp(x->addr.a, y->addr.a, 16) == 0;
    }
}
dt_tally_item *dt_tally_get(dt_tally *t, dt_budget *b, dt_tally_kind kind, const dt_tally_key *k,
                            int *created);
/* Adds key k, which a lookup did not find (so a miss costs one probe): h its
 * hash, j the empty slot where the probe ended (when the tally has an index).
 * NULL for a refused key (only counted), or when full, over the budget or out
 * of memory; *created tells whether it is new. */
dt_tally_item *dt_tally_insert(dt_tally *t, dt_budget *b, dt_tally_kind kind, const dt_tally_key *k,
                               uint32_t h, size_t j, int *created);
/* dt_tally_get for string s, with the lookup inline (most lookups find an
 * entry) and a miss going straight to dt_tally_insert. */
static inline dt_tally_item *dt_tally_get_str(dt_tally *t, dt_budget *b, const dt_str *s,
                                              int *created)
{
    if (created)
        *created = 0;
    if (!s)
        return NULL;
    /* dt_str_refused is in no table: it misses, and dt_tally_insert counts it */
    size_t j = 0;
    if (!t->nslot) { /* a few entries, without an index (DT_TALLY_LINEAR) */
        for (size_t i = 0; i < t->n; i++)
            if (t->v[i].key.s == s)
                return &t->v[i];
    } else {
        size_t mask = t->nslot - 1;
        for (j = s->hash & mask; t->slot[j].idx; j = (j + 1) & mask)
            if (t->slot[j].hash == s->hash && t->v[t->slot[j].idx - 1].key.s == s)
                return &t->v[t->slot[j].idx - 1];
    }
    dt_tally_key k = {.s = s};
    return dt_tally_insert(t, b, DT_TK_STR, &k, s->hash, j, created);
}
void dt_tally_free(dt_tally *t, void (*ext_free)(void *));

static inline dt_tally_item *dt_tally_count(dt_tally_item *it, uint64_t up, uint64_t down,
                                            unsigned mask)
{
    if (it) {
        it->up += up;
        it->down += down;
        it->flows++;
        it->mask |= mask;
    }
    return it;
}
/* Adds the counters of one flow to key s (ignored when s is NULL or the
 * table full); inline: several calls per flow. */
static inline dt_tally_item *dt_tally_add(dt_tally *t, dt_budget *b, const dt_str *s, uint64_t up,
                                          uint64_t down, unsigned mask)
{
    return s ? dt_tally_count(dt_tally_get_str(t, b, s, NULL), up, down, mask) : NULL;
}
static inline dt_tally_item *dt_tally_add_num(dt_tally *t, dt_budget *b, uint64_t num, uint64_t up,
                                              uint64_t down)
{
    dt_tally_key k = {.num = num};
    return dt_tally_count(dt_tally_get(t, b, DT_TK_NUM, &k, NULL), up, down, 0);
}
static inline dt_tally_item *dt_tally_add_addr(dt_tally *t, dt_budget *b, const dt_addr *a,
                                               uint64_t up, uint64_t down)
{
    dt_tally_key k = {.addr = *a};
    return dt_tally_count(dt_tally_get(t, b, DT_TK_ADDR, &k, NULL), up, down, 0);
}

/* An entry with the text of its key (NULL for numbers). */
typedef struct dt_tally_row {
    uint64_t up;
    const char *key;
    const dt_tally_item *it;
} dt_tally_row;
/* The entries by bytes_up descending, then key ascending (texts bytewise,
 * numbers as numbers); texts of addresses are made here, in the same
 * allocation (caller frees). */
dt_tally_row *dt_tally_sorted(const dt_tally *t);
/* The text of an address key into buf (DT_ADDR_STRLEN bytes). */
const char *dt_tally_addr_text(const dt_addr *a, char *buf);

/* Adds the entries of src (strings of another pool) to dst, in src's order
 * (as adding its flows would); ext_merge (may be NULL) merges the
 * extensions. */
typedef int (*dt_tally_ext_merge)(dt_tally_item *dst, int created, const void *src_ext,
                                  dt_budget *b, dt_pool *pool);
int dt_tally_merge(dt_tally *dst, dt_budget *b, dt_pool *pool, const dt_tally *src,
                   dt_tally_ext_merge ext_merge);
/* The extension of an entry (size bytes, zeroed), allocated when new. */
void *dt_tally_ext(dt_tally_item *it, int created, size_t size, dt_budget *b);

#endif
