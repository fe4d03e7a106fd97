/* One direction of a TCP stream: which byte ranges arrived, and the first
 * `cap` bytes in order for the application parsers.
 *
 * Policy: the first copy of a byte wins (a retransmission carrying different
 * data does not overwrite what was delivered).  Sequence numbers are unwrapped
 * to 64-bit offsets, so streams longer than 4 GiB and ISNs near 2^32 work.
 * Without a SYN the first data segment defines offset 0 (midstream pick-up).
 * Buffering is lazy (nothing is allocated before the first payload byte),
 * grows by doubling up to `cap`, and is released by dt_tcp_dir_stop() once the
 * parsers are done; range tracking (for gap counting) goes on after that. */
#ifndef DT_TCPREASM_H
#define DT_TCPREASM_H

#include "util/pool.h"

#include <stddef.h>
#include <stdint.h>

#define DT_TCP_MAX_RANGES 16
/* A direction's first buffer; it doubles up to the cap as the stream needs.
 * Small: most buffers held until their flow ends hold a few hundred bytes
 * (a request whose protocol is still unknown, a TLS parser still looking for
 * a handshake), and every byte of them is fresh memory touched. */
#define DT_TCP_BUF_MIN 512u

/* Buffer bytes shared by all streams of a flow table: a stream that would
 * go over the limit stops buffering (counted), the others go on. */
typedef struct dt_tcp_budget {
    uint64_t limit, used, peak;
    uint64_t refused; /* streams that stopped buffering for lack of budget */
    dt_pools *bufs;   /* buffers given back, for the next growth or stream; NULL: malloc */
} dt_tcp_budget;

typedef struct dt_tcp_range {
    uint64_t start, end; /* [start, end) in stream offsets */
} dt_tcp_range;

typedef struct dt_tcp_dir {
    /* what every segment reads first, the range list last */
    uint32_t isn; /* sequence number of stream offset 0 */
    uint8_t base_set;
    uint8_t syn_seen;
    uint8_t fin_seen;
    uint8_t stopped; /* parsers done: no more buffering */
    uint64_t ref;    /* highest offset seen: reference for unwrapping */
    int nr;
    uint32_t forced_gaps; /* holes given up because the range list was full */
    uint64_t valid_limit; /* buffered bytes beyond this are not trustworthy */
    uint8_t *buf;
    uint32_t buf_size;     /* allocated */
    uint32_t cap;          /* most bytes ever buffered */
    dt_tcp_budget *budget; /* shared accounting, or NULL */
    /* [0, nr) hold the ranges; the rest is not set */
    dt_tcp_range r[DT_TCP_MAX_RANGES];
} dt_tcp_dir;

void dt_tcp_dir_init(dt_tcp_dir *d, uint32_t cap, dt_tcp_budget *budget);
void dt_tcp_dir_free(dt_tcp_dir *d);

/* Accounts a segment.  Returns 1 if the contiguous buffered prefix grew,
 * 0 otherwise, -1 if the buffer could not be allocated (buffering stops). */
int dt_tcp_dir_segment(dt_tcp_dir *d, uint32_t seq, uint8_t tcp_flags, const uint8_t *data,
                       uint32_t len);

/* The contiguous in-order bytes buffered from offset 0. */
size_t dt_tcp_dir_contig(const dt_tcp_dir *d);
static inline const uint8_t *dt_tcp_dir_data(const dt_tcp_dir *d)
{
    return d->buf;
}

/* Bytes of the buffer (allocated size), for memory accounting. */
static inline size_t dt_tcp_dir_mem(const dt_tcp_dir *d)
{
    return d->buf ? d->buf_size : 0;
}

/* Stops buffering and frees the buffer; range tracking continues. */
void dt_tcp_dir_stop(dt_tcp_dir *d);

/* Holes in the stream: missing data before, between or given up among the
 * received ranges. */
uint32_t dt_tcp_dir_gaps(const dt_tcp_dir *d);

/* Highest stream offset received (stream length as far as seen). */
uint64_t dt_tcp_dir_extent(const dt_tcp_dir *d);

#endif
