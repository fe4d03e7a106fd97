/* The rollups' table: string key -> counters (bytes up and down, flows, a
 * bit mask) and an extension per entry, in insertion order, hashed (open
 * addressing); every table of a rollup draws on one memory budget. */
#ifndef DT_REPORT_TALLY_H
#define DT_REPORT_TALLY_H

#include <stddef.h>
#include <stdint.h>

#define DT_TALLY_KEY_MAX 512     /* longer keys are truncated */
#define DT_TALLY_NESTED_MAX 4096 /* entries of a nested tally (names of a domain, ...) */

/* Memory held by a rollup's tables, against its limit: once reached, no
 * new keys are added anywhere (existing ones keep counting) and every key
 * turned away is counted (summary.rollup_entries_dropped). */
typedef struct dt_budget {
    size_t used, max;
    uint64_t refused;
} dt_budget;

#define DT_TALLY_SMALL_KEY                                                                         \
    24 /* keys shorter than this live in the dt_tally_item (addresses, ports, codes) */

typedef struct dt_tally_item {
    char *key; /* heap copy of a long key, else NULL: see DT_TALLY_KEY() */
    char small[DT_TALLY_SMALL_KEY];
    uint32_t hash;
    unsigned mask;
    uint64_t up, down, flows;
    void *ext;
} dt_tally_item;

#define DT_TALLY_KEY(it) ((it)->key ? (it)->key : (it)->small)

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
} dt_tally;

/* The entry for key, created when missing (NULL when full, over the budget
 * or out of memory).  *created tells whether it is new. */
dt_tally_item *dt_tally_get(dt_tally *t, dt_budget *b, const char *key, int *created);
void dt_tally_free(dt_tally *t, void (*ext_free)(void *));
/* Adds the counters of one flow to key (ignored when key is NULL or full);
 * inline: several calls per flow. */
static inline dt_tally_item *dt_tally_add(dt_tally *t, dt_budget *b, const char *key, uint64_t up,
                                          uint64_t down, unsigned mask)
{
    dt_tally_item *it = dt_tally_get(t, b, key, NULL);
    if (it) {
        it->up += up;
        it->down += down;
        it->flows++;
        it->mask |= mask;
    }
    return it;
}
/* The entries by bytes_up descending, then key ascending (caller frees). */
dt_tally_item **dt_tally_sorted(const dt_tally *t);
/* Adds the entries of src to dst, in src's order (as adding its flows would);
 * ext_merge (may be NULL) merges the extensions. */
typedef int (*dt_tally_ext_merge)(dt_tally_item *dst, int created, const void *src_ext,
                                  dt_budget *b);
int dt_tally_merge(dt_tally *dst, dt_budget *b, const dt_tally *src, dt_tally_ext_merge ext_merge);
/* *dst := a copy of s unless set (counted against the budget). */
int dt_tally_set_str(char **dst, const char *s, dt_budget *b);
/* The extension of an entry (size bytes, zeroed), allocated when new. */
void *dt_tally_ext(dt_tally_item *it, int created, size_t size, dt_budget *b);

#endif
