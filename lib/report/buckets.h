/* Flows summed by key: a table of (kind, slot, up to four strings) -> upload,
 * flows, first and last time and the ids of the first flows, that merges
 * across parts with the flow ids of the part offset.  Memory grows with the
 * keys, up to a limit (keys beyond it are counted, not kept).  The policy's
 * violations (report/policy.c) and the time windows (report/window.c) are
 * made of it. */
#ifndef DT_REPORT_BUCKETS_H
#define DT_REPORT_BUCKETS_H

#include <stddef.h>
#include <stdint.h>

#define DT_BUCKET_EXAMPLES 3 /* flow ids kept per key: the smallest */
#define DT_BUCKET_FIELDS 4   /* strings of a key */

typedef struct dt_bstats {
    uint64_t bytes, flows, first_ns, last_ns;
    int have_time, digits;
    uint64_t ex[DT_BUCKET_EXAMPLES];
    int n_ex;
} dt_bstats;

typedef struct dt_bucket {
    int kind;
    uint64_t slot;
    char *k[DT_BUCKET_FIELDS]; /* NULL: none */
    dt_bstats st;
} dt_bucket;

typedef struct dt_buckets {
    dt_bucket *v; /* in the order keys were first seen */
    size_t n, cap;
    uint32_t *slots; /* index + 1 into v, 0: empty; open addressing */
    size_t n_slots;
    size_t max;       /* keys kept at most */
    uint64_t dropped; /* keys not kept: max reached */
    int oom;
} dt_buckets;

/* The stats of one flow: its upload, its time (have_time), its id. */
dt_bstats dt_bstats_flow(uint64_t up, int have_time, uint64_t first_ns, uint64_t last_ns,
                         int digits, uint64_t id);
/* dst += src, src's flow ids raised by offset; the smallest ids are kept. */
void dt_bstats_add(dt_bstats *dst, const dt_bstats *src, uint64_t offset);
/* Adds one's stats to the key's (created when new; not when max keys are
 * kept, or out of memory: b->oom). */
void dt_buckets_add(dt_buckets *b, int kind, uint64_t slot, const char *const k[DT_BUCKET_FIELDS],
                    const dt_bstats *one);
/* Adds every key of src to dst, src's flow ids raised by offset.  Returns 0,
 * or -1 when out of memory. */
int dt_buckets_merge(dt_buckets *dst, const dt_buckets *src, uint64_t offset);
void dt_buckets_free(dt_buckets *b);

#endif
