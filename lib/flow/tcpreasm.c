#include "flow/tcpreasm.h"

#include "util/netconst.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

void dt_tcp_dir_init(dt_tcp_dir *d, uint32_t cap, dt_tcp_budget *budget)
{
    /* the ranges past nr are never read: 256 of the 312 bytes stay untouched until a
     * range needs them (and the pool's object is not cleared first either) */
    memset(d, 0, offsetof(dt_tcp_dir, r));
    d->cap = cap;
    d->valid_limit = UINT64_MAX;
    d->budget = budget;
}

/* Buffers come in the few sizes of the doubling: from the budget's pools when it has
 * them (a realloc cost ten times more than a pool's take and put, and ended streams'
 * buffers are reused while still warm). */
static uint8_t *buf_take(const dt_tcp_dir *d, uint32_t size)
{
    dt_pools *ps = d->budget ? d->budget->bufs : NULL;
    return ps ? dt_pools_take(ps, size) : malloc(size);
}

static void buf_put(const dt_tcp_dir *d, uint8_t *buf, uint32_t size)
{
    dt_pools *ps = d->budget ? d->budget->bufs : NULL;
    if (!buf)
        return;
    if (ps)
        dt_pools_put(ps, buf, size);
    else
        free(buf);
}

void dt_tcp_dir_free(dt_tcp_dir *d)
{
    if (d->budget)
        d->budget->used -= d->buf_size;
    buf_put(d, d->buf, d->buf_size);
    d->buf = NULL;
    d->buf_size = 0;
}

void dt_tcp_dir_stop(dt_tcp_dir *d)
{
    dt_tcp_dir_free(d);
    d->stopped = 1;
}

/* Maps a 32-bit sequence number to a signed stream offset near d->ref. */
static int64_t unwrap(const dt_tcp_dir *d, uint32_t seq)
{
    uint32_t ref32 = (uint32_t)(d->isn + (uint32_t)d->ref);
    int32_t diff = (int32_t)(seq - ref32);
    return (int64_t)d->ref + diff;
}

/* Records [s, e) in the sorted, disjoint range list, merging neighbours. */
static void add_range(dt_tcp_dir *d, uint64_t s, uint64_t e)
{
    /* Most segments continue the highest range (in-order data): it only grows, and the
     * ranges before it are apart from it, so none of them is touched. */
    dt_tcp_range *last = d->nr ? &d->r[d->nr - 1] : NULL;
    if (last && s >= last->start && s <= last->end) {
        if (e > last->end)
            last->end = e;
        return;
    }
    int i = 0;
    while (i < d->nr && d->r[i].end < s)
        i++;
    int j = i;
    while (j < d->nr && d->r[j].start <= e) {
        if (d->r[j].start < s)
            s = d->r[j].start;
        if (d->r[j].end > e)
            e = d->r[j].end;
        j++;
    }
    /* ranges i..j-1 merge into [s, e) */
    if (j > i) {
        d->r[i].start = s;
        d->r[i].end = e;
        memmove(&d->r[i + 1], &d->r[j], (size_t)(d->nr - j) * sizeof d->r[0]);
        d->nr -= j - i - 1;
        return;
    }
    if (d->nr == DT_TCP_MAX_RANGES) {
        /* Give up the last hole: merge the two highest ranges.  The hole's
         * bytes were never received, so nothing past it is trustworthy. */
        dt_tcp_range *a = &d->r[d->nr - 2], *b = &d->r[d->nr - 1];
        if (a->end < d->valid_limit)
            d->valid_limit = a->end;
        a->end = b->end;
        d->nr--;
        d->forced_gaps++;
        if (i > d->nr)
            i = d->nr;
        if (i == d->nr && d->r[d->nr - 1].end >= s) {
            add_range(d, s, e);
            return;
        }
    }
    memmove(&d->r[i + 1], &d->r[i], (size_t)(d->nr - i) * sizeof d->r[0]);
    d->r[i].start = s;
    d->r[i].end = e;
    d->nr++;
}

static int grow(dt_tcp_dir *d, uint64_t need)
{
    if (need <= d->buf_size)
        return 0;
    uint32_t size = d->buf_size ? d->buf_size : DT_TCP_BUF_MIN;
    while (size < need && size < d->cap)
        size *= 2;
    if (size > d->cap)
        size = d->cap;
    dt_tcp_budget *b = d->budget;
    if (b && b->used + (size - d->buf_size) > b->limit) {
        b->refused++;
        return -1;
    }
    uint8_t *nb = buf_take(d, size);
    if (!nb)
        return -1;
    if (d->buf) { /* what was written: up to the highest range's end */
        uint64_t n = d->nr ? d->r[d->nr - 1].end : 0;
        memcpy(nb, d->buf, n < d->buf_size ? (size_t)n : d->buf_size);
        buf_put(d, d->buf, d->buf_size);
    }
    if (b) {
        b->used += size - d->buf_size;
        if (b->used > b->peak)
            b->peak = b->used;
    }
    d->buf = nb;
    d->buf_size = size;
    return 0;
}

/* Copies the parts of [s, e) not yet received into the buffer (first copy wins). */
static void write_new_bytes(dt_tcp_dir *d, uint64_t s, uint64_t e, const uint8_t *data,
                            uint64_t seg_start)
{
    uint64_t pos = s;
    /* in-order data starts past every range (they are sorted): none to step over */
    int i = d->nr && d->r[d->nr - 1].end <= pos ? d->nr : 0;
    for (; i < d->nr && pos < e; i++) {
        if (d->r[i].end <= pos)
            continue;
        if (d->r[i].start >= e)
            break;
        if (d->r[i].start > pos)
            memcpy(d->buf + pos, data + (pos - seg_start), (size_t)(d->r[i].start - pos));
        pos = d->r[i].end;
    }
    if (pos < e)
        memcpy(d->buf + pos, data + (pos - seg_start), (size_t)(e - pos));
}

int dt_tcp_dir_segment(dt_tcp_dir *d, uint32_t seq, uint8_t tcp_flags, const uint8_t *data,
                       uint32_t len)
{
    if (tcp_flags & DT_TCP_SYN) {
        if (!d->syn_seen && !d->base_set) {
            d->isn = seq + 1;
            d->base_set = 1;
        }
        d->syn_seen = 1;
        seq++; /* SYN occupies one sequence number */
    }
    if (tcp_flags & DT_TCP_FIN)
        d->fin_seen = 1;
    if (len == 0)
        return 0;
    if (!d->base_set) {
        d->isn = seq;
        d->base_set = 1;
    }
    int64_t off = unwrap(d, seq);
    uint64_t s, e;
    const uint8_t *p = data;
    if (off < 0) {
        if (off + (int64_t)len <= 0)
            return 0; /* entirely before the stream start */
        p += (uint64_t)(-off);
        s = 0;
        e = (uint64_t)(off + (int64_t)len);
    } else {
        s = (uint64_t)off;
        e = s + len;
    }
    if (e > d->ref)
        d->ref = e;

    size_t before = dt_tcp_dir_contig(d);
    int rc = 0;
    if (!d->stopped && s < d->cap && p) {
        uint64_t be = e < d->cap ? e : d->cap;
        if (grow(d, be) < 0) {
            dt_tcp_dir_stop(d);
            rc = -1;
        } else {
            if (be > d->buf_size)
                be = d->buf_size;
            write_new_bytes(d, s, be, p, s);
        }
    }
    add_range(d, s, e);
    if (rc < 0)
        return rc;
    return dt_tcp_dir_contig(d) > before;
}

size_t dt_tcp_dir_contig(const dt_tcp_dir *d)
{
    if (d->stopped || !d->buf || d->nr == 0 || d->r[0].start != 0)
        return 0;
    uint64_t n = d->r[0].end;
    if (n > d->buf_size)
        n = d->buf_size;
    if (n > d->valid_limit)
        n = d->valid_limit;
    return (size_t)n;
}

uint32_t dt_tcp_dir_gaps(const dt_tcp_dir *d)
{
    if (d->nr == 0)
        return d->forced_gaps;
    uint32_t holes = (uint32_t)(d->nr - 1) + d->forced_gaps;
    if (d->r[0].start > 0)
        holes++;
    return holes;
}

uint64_t dt_tcp_dir_extent(const dt_tcp_dir *d)
{
    return d->nr ? d->r[d->nr - 1].end : 0;
}
