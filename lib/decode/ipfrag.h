/* IPv4/IPv6 fragment reassembly with bounded memory (used by decode.c).
 *
 * A datagram is identified by a dt_frag_key: IPv4 uses (src, dst, id, proto),
 * IPv6 uses (src, dst, identification) with proto 0.  Fragments carry the
 * fragmentable part only (no IP header); offsets and lengths are in bytes.
 */
#ifndef DT_IPFRAG_H
#define DT_IPFRAG_H

#include <stddef.h>
#include <stdint.h>

typedef struct dt_frag_key {
    uint8_t family; /* 4 or 6 */
    uint8_t proto;  /* IPv4 protocol; 0 for IPv6 */
    uint8_t src[16], dst[16];
    uint32_t id;
} dt_frag_key;

typedef struct dt_ipfrag_stats {
    uint64_t reassembled; /* datagrams completed */
    uint64_t incomplete;  /* datagrams dropped by timeout */
    uint64_t evicted;     /* datagrams dropped to respect a bound */
    uint64_t overlaps;    /* fragments that overlapped data already held */
    uint64_t conflicts;   /* datagrams dropped for inconsistent fragments */
} dt_ipfrag_stats;

typedef enum dt_frag_result {
    DT_FRAG_HELD = 0,      /* stored, datagram not complete yet */
    DT_FRAG_COMPLETE = 1,  /* *out and *out_len hold the whole fragmentable part */
    DT_FRAG_BAD = -1,      /* offset or length out of range or misaligned (not stored) */
    DT_FRAG_DROPPED = -2,  /* not stored: a memory bound was hit (counted in evicted) */
    DT_FRAG_CONFLICT = -3, /* inconsistent with the datagram's other fragments (datagram
                              dropped, counted in conflicts) */
} dt_frag_result;

typedef struct dt_ipfrag dt_ipfrag;

/* max_datagrams and max_bytes of 0 are replaced by 1. */
dt_ipfrag *dt_ipfrag_new(uint32_t max_datagrams, uint32_t max_bytes, uint64_t timeout_ns);
void dt_ipfrag_free(dt_ipfrag *f);

/* Drops datagrams whose first fragment is older than now_ns - timeout. */
void dt_ipfrag_expire(dt_ipfrag *f, uint64_t now_ns);

/* Adds one fragment: `offset` and `len` in bytes, `more` = MF flag, `max_end`
 * the largest legal end offset of the datagram (65535 minus headers), `nh`
 * the next protocol carried by this fragment's header (remembered from the
 * fragment at offset 0).  On DT_FRAG_COMPLETE, *out points to a buffer owned
 * by f, valid until the next dt_ipfrag_add/expire/free call, and *nh_out is
 * the next protocol of the offset-0 fragment. */
dt_frag_result dt_ipfrag_add(dt_ipfrag *f, const dt_frag_key *k, uint64_t ts_ns, uint32_t offset,
                             const uint8_t *data, uint32_t len, int more, uint32_t max_end,
                             uint8_t nh, const uint8_t **out, uint32_t *out_len, uint8_t *nh_out);

const dt_ipfrag_stats *dt_ipfrag_get_stats(const dt_ipfrag *f);
/* Datagrams and bytes currently held. */
uint32_t dt_ipfrag_count(const dt_ipfrag *f);
uint64_t dt_ipfrag_bytes(const dt_ipfrag *f);

#endif
