/* IP fragment reassembly with bounded memory.
 *
 * Storage: one small record per datagram under reassembly (allocated when its
 * first fragment arrives) with a bitmap of received 8-byte blocks and a data
 * buffer that grows up to the datagram's end (at most 65535 bytes).  Records
 * are found through a fixed hash table and kept in a list ordered by creation
 * time, which drives timeouts and eviction of the oldest datagram when the
 * datagram count or the byte budget would be exceeded.
 *
 * Overlap policy: "first data received wins".  Each 8-byte block is written
 * once; bytes of a later fragment that fall on blocks already held are ignored
 * (the fragment is counted in stats.overlaps, exact duplicates included).
 * Inconsistent fragments drop the whole datagram (stats.conflicts): two
 * different final lengths, or data beyond the final length.  Fragments that
 * are malformed by themselves (non-final fragment whose length is not a
 * multiple of 8 or is 0, or an end beyond the 65535-byte limit) are refused
 * without touching the datagram.
 */
#include "decode/ipfrag.h"
#include "util/hash.h"

#include <stdlib.h>
#include <string.h>

#define FRAG_MAX_END 65536u
#define FRAG_BLOCKS (FRAG_MAX_END / 8)

typedef struct frag_dgram {
    dt_frag_key key;
    uint64_t first_ts;
    uint8_t *buf;
    uint32_t cap;
    uint32_t total;    /* final length, valid if have_last */
    uint32_t max_seen; /* highest end offset received */
    uint32_t blocks;   /* number of bits set in `got` */
    uint8_t have_last;
    uint8_t nh; /* next protocol from the offset-0 fragment */
    uint8_t have_first;
    struct frag_dgram *hnext;       /* hash chain */
    struct frag_dgram *prev, *next; /* creation order list */
    uint8_t got[FRAG_BLOCKS / 8];   /* received 8-byte blocks */
} frag_dgram;

struct dt_ipfrag {
    uint32_t max_dgrams, max_bytes;
    uint64_t timeout_ns;
    uint32_t nbuckets; /* power of two */
    frag_dgram **buckets;
    frag_dgram *head, *tail; /* head = oldest */
    uint32_t count;
    uint64_t bytes;
    uint8_t *outbuf;
    dt_ipfrag_stats st;
};

dt_ipfrag *dt_ipfrag_new(uint32_t max_datagrams, uint32_t max_bytes, uint64_t timeout_ns)
{
    dt_ipfrag *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->max_dgrams = max_datagrams ? max_datagrams : 1;
    f->max_bytes = max_bytes ? max_bytes : 1;
    f->timeout_ns = timeout_ns;
    f->nbuckets = 16;
    while (f->nbuckets < f->max_dgrams && f->nbuckets < 65536)
        f->nbuckets <<= 1;
    f->buckets = calloc(f->nbuckets, sizeof *f->buckets);
    f->outbuf = malloc(FRAG_MAX_END);
    if (!f->buckets || !f->outbuf) {
        free(f->buckets);
        free(f->outbuf);
        free(f);
        return NULL;
    }
    return f;
}

static uint32_t key_hash(const dt_frag_key *k)
{
    size_t n = k->family == 6 ? 16 : 4;
    uint64_t h = dt_hash_bytes(dt_hash_bytes(DT_HASH_INIT, k->src, n), k->dst, n);
    h = dt_hash_word(h, (uint64_t)k->family << 40 | (uint64_t)k->proto << 32 | k->id);
    return (uint32_t)dt_hash_final(h);
}

static int key_eq(const dt_frag_key *a, const dt_frag_key *b)
{
    size_t n = a->family == 6 ? 16 : 4;
    return a->family == b->family && a->proto == b->proto && a->id == b->id &&
           memcmp(a->src, b->src, n) == 0 && memcmp(a->dst, b->dst, n) == 0;
}

static void dgram_remove(dt_ipfrag *f, frag_dgram *g)
{
    frag_dgram **pp = &f->buckets[key_hash(&g->key) & (f->nbuckets - 1)];
    while (*pp && *pp != g)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = g->hnext;
    if (g->prev)
        g->prev->next = g->next;
    else
        f->head = g->next;
    if (g->next)
        g->next->prev = g->prev;
    else
        f->tail = g->prev;
    f->count--;
    f->bytes -= (uint64_t)g->cap + sizeof *g;
    free(g->buf);
    free(g);
}

void dt_ipfrag_free(dt_ipfrag *f)
{
    if (!f)
        return;
    while (f->head)
        dgram_remove(f, f->head);
    free(f->buckets);
    free(f->outbuf);
    free(f);
}

void dt_ipfrag_expire(dt_ipfrag *f, uint64_t now_ns)
{
    while (f->head && now_ns > f->head->first_ts && now_ns - f->head->first_ts > f->timeout_ns) {
        f->st.incomplete++;
        dgram_remove(f, f->head);
    }
}

/* Evicts the oldest datagrams other than `keep` until `need` more bytes fit. */
static int make_room(dt_ipfrag *f, uint64_t need, const frag_dgram *keep)
{
    while (f->bytes + need > f->max_bytes) {
        frag_dgram *v = f->head;
        if (v && v == keep)
            v = v->next;
        if (!v)
            return -1;
        f->st.evicted++;
        dgram_remove(f, v);
    }
    return 0;
}

static int bit_get(const uint8_t *m, uint32_t i)
{
    return m[i >> 3] >> (i & 7) & 1;
}
static void bit_set(uint8_t *m, uint32_t i)
{
    m[i >> 3] |= (uint8_t)(1u << (i & 7));
}

/* Whether no block in [lo, hi) is held: a byte of the bitmap at a time where it can. */
static int blocks_clear(const uint8_t *m, uint32_t lo, uint32_t hi)
{
    for (uint32_t i = lo; i < hi;) {
        if ((i & 7) == 0 && hi - i >= 8) {
            if (m[i >> 3])
                return 0;
            i += 8;
        } else {
            if (bit_get(m, i))
                return 0;
            i++;
        }
    }
    return 1;
}

static void blocks_set(uint8_t *m, uint32_t lo, uint32_t hi)
{
    for (uint32_t i = lo; i < hi;) {
        if ((i & 7) == 0 && hi - i >= 8) {
            m[i >> 3] = 0xff;
            i += 8;
        } else {
            bit_set(m, i);
            i++;
        }
    }
}

dt_frag_result dt_ipfrag_add(dt_ipfrag *f, const dt_frag_key *k, uint64_t ts_ns, uint32_t offset,
                             const uint8_t *data, uint32_t len, int more, uint32_t max_end,
                             uint8_t nh, const uint8_t **out, uint32_t *out_len, uint8_t *nh_out)
{
    if (max_end > FRAG_MAX_END - 1)
        max_end = FRAG_MAX_END - 1;
    if (offset > max_end || len > max_end - offset)
        return DT_FRAG_BAD;
    if (more && (len == 0 || len % 8 != 0))
        return DT_FRAG_BAD;
    if (offset % 8 != 0 || (len && !data))
        return DT_FRAG_BAD;
    uint32_t end = offset + len;

    dt_ipfrag_expire(f, ts_ns);

    uint32_t b = key_hash(k) & (f->nbuckets - 1);
    frag_dgram *g = f->buckets[b];
    while (g && !key_eq(&g->key, k))
        g = g->hnext;
    if (!g) {
        if (f->count >= f->max_dgrams) {
            f->st.evicted++;
            dgram_remove(f, f->head);
        }
        if (make_room(f, sizeof *g, NULL) < 0) {
            f->st.evicted++; /* the new datagram itself does not fit */
            return DT_FRAG_DROPPED;
        }
        g = calloc(1, sizeof *g);
        if (!g)
            return DT_FRAG_DROPPED;
        g->key = *k;
        g->first_ts = ts_ns;
        g->hnext = f->buckets[b];
        f->buckets[b] = g;
        g->prev = f->tail;
        if (f->tail)
            f->tail->next = g;
        else
            f->head = g;
        f->tail = g;
        f->count++;
        f->bytes += sizeof *g;
    }

    /* Consistency with what is already known about the datagram. */
    if ((!more && g->have_last && g->total != end) || (!more && g->max_seen > end) ||
        (g->have_last && end > g->total)) {
        f->st.conflicts++;
        dgram_remove(f, g);
        return DT_FRAG_CONFLICT;
    }

    if (end > g->cap) {
        uint32_t ncap = g->cap ? g->cap : 1024;
        while (ncap < end)
            ncap *= 2;
        if (ncap > FRAG_MAX_END)
            ncap = FRAG_MAX_END;
        if (make_room(f, ncap - g->cap, g) < 0) {
            f->st.evicted++;
            dgram_remove(f, g);
            return DT_FRAG_DROPPED;
        }
        uint8_t *nb = realloc(g->buf, ncap);
        if (!nb) {
            f->st.evicted++;
            dgram_remove(f, g);
            return DT_FRAG_DROPPED;
        }
        f->bytes += ncap - g->cap;
        g->buf = nb;
        g->cap = ncap;
    }

    int overlap = 0;
    uint32_t lo = offset / 8, hi = (end + 7) / 8;
    if (blocks_clear(g->got, lo, hi)) { /* nearly always: one copy, not one per block */
        if (len)
            memcpy(g->buf + offset, data, len);
        blocks_set(g->got, lo, hi);
        g->blocks += hi - lo;
    } else {
        for (uint32_t pos = offset; pos < end; pos += 8) {
            uint32_t blk = pos / 8;
            uint32_t n = end - pos < 8 ? end - pos : 8;
            if (bit_get(g->got, blk)) {
                overlap = 1;
                continue;
            }
            memcpy(g->buf + pos, data + (pos - offset), n);
            bit_set(g->got, blk);
            g->blocks++;
        }
    }
    if (overlap)
        f->st.overlaps++;
    if (end > g->max_seen)
        g->max_seen = end;
    if (!more) {
        g->have_last = 1;
        g->total = end;
    }
    if (offset == 0 && !g->have_first) {
        g->have_first = 1;
        g->nh = nh;
    }

    if (g->have_last && g->have_first && g->blocks == (g->total + 7) / 8) {
        if (g->total)
            memcpy(f->outbuf, g->buf, g->total);
        *out = f->outbuf;
        *out_len = g->total;
        *nh_out = g->nh;
        f->st.reassembled++;
        dgram_remove(f, g);
        return DT_FRAG_COMPLETE;
    }
    return DT_FRAG_HELD;
}

const dt_ipfrag_stats *dt_ipfrag_get_stats(const dt_ipfrag *f)
{
    return &f->st;
}
uint32_t dt_ipfrag_count(const dt_ipfrag *f)
{
    return f->count;
}
uint64_t dt_ipfrag_bytes(const dt_ipfrag *f)
{
    return f->bytes;
}
