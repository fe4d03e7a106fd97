/* The pipeline for one input: capture -> decode -> flows/reassembly ->
 * application parsers.  Each ended flow is handed to a sink (the report). */
#ifndef DT_ENGINE_H
#define DT_ENGINE_H

#include "decode/decode.h"
#include "flow/flow.h"
#include "enrich/ipclass.h"

#include <stdint.h>

#define DT_MAX_LOCAL_NETS 64
#define DT_MAX_LINKTYPES 16
#define DT_MAX_INPUT_ERRORS 8

struct dt_flow_dns; /* apps.h */

typedef struct dt_engine_config {
    dt_decode_limits decode;
    dt_flow_limits flows;
    dt_cidr local[DT_MAX_LOCAL_NETS]; /* empty: private/link-local/ULA/CGNAT are local */
    int n_local;
    int keep_streams; /* keep the reassembled prefixes for the sink (--debug-streams) */
    /* every DNS message, with the flow sink's ctx (NULL: none) */
    void (*dns_sink)(void *ctx, const struct dt_flow_dns *rec);
} dt_engine_config;

void dt_engine_config_default(dt_engine_config *c);

typedef struct dt_input_error {
    uint64_t packet; /* 1-based number of the packet where reading stopped (0: at open) */
    uint64_t offset; /* byte offset in the file, when known */
    char message[256];
} dt_input_error;

typedef struct dt_linktype_count {
    int linktype;
    uint64_t packets;
    uint8_t supported;
} dt_linktype_count;

/* What one input contributed; filled by dt_engine_run(). */
typedef struct dt_input_info {
    const char *path;
    char format[16];
    dt_linktype_count links[DT_MAX_LINKTYPES];
    int n_links;
    uint64_t packets, bytes;
    uint64_t first_ns, last_ns;
    uint8_t ts_digits;
    int opened; /* 0: could not be opened at all */
    dt_input_error errors[DT_MAX_INPUT_ERRORS];
    int n_errors;
    uint64_t errors_total;
    dt_decode_stats decode;
    uint64_t flows, tcp_flows, udp_flows, flows_evicted, tcp_gaps;
    uint64_t peak_live_flows;
    uint64_t reassembly_peak_bytes; /* most TCP bytes buffered at once */
    uint64_t reassembly_refused;    /* streams that stopped buffering: budget reached */
    uint64_t parser_state_refused;  /* per-flow parser state refused: its limit reached */
} dt_input_info;

/* Called once per ended flow, before it is freed. */
typedef void (*dt_flow_sink)(void *ctx, const dt_input_info *in, const dt_flow *f);

/* Reads one input completely.  Returns 0 if it was read without error, 1 if
 * it was read with errors (partial), 2 if it could not be read at all. */
int dt_engine_run(const dt_engine_config *cfg, const char *path, uint32_t input_index,
                  dt_flow_sink sink, void *ctx, dt_input_info *info,
                  void (*progress)(void *pctx, uint64_t bytes), void *pctx);

#endif
