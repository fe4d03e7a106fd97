/* The pipeline for one input: decode -> flows/reassembly -> application
 * parsers, fed one packet at a time (dt_engine_new / dt_engine_feed /
 * dt_engine_finish); dt_engine_run() is the same over a capture file.  Each
 * ended flow is handed to a sink (the report).  Nothing here prints: errors
 * are kept in dt_input_info and passed to the on_error callback. */
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
struct dt_input_info;

typedef struct dt_input_error {
    uint64_t packet; /* 1-based number of the packet where reading stopped (0: at open) */
    uint64_t offset; /* byte offset in the file, when known */
    char message[256];
} dt_input_error;

typedef struct dt_engine_config {
    dt_decode_limits decode;
    dt_flow_limits flows;
    dt_cidr local[DT_MAX_LOCAL_NETS]; /* empty: private/link-local/ULA/CGNAT are local */
    int n_local;
    int keep_streams; /* keep the reassembled prefixes for the sink (--debug-streams) */
    /* every DNS message, with the flow sink's ctx (NULL: none) */
    void (*dns_sink)(void *ctx, const struct dt_flow_dns *rec);
    /* every error of an input as it is recorded (it is also kept in
     * dt_input_info.errors), with the flow sink's ctx (NULL: none); the
     * library itself never prints */
    void (*on_error)(void *ctx, const struct dt_input_info *in, const dt_input_error *err);
} dt_engine_config;

void dt_engine_config_default(dt_engine_config *c);

typedef struct dt_linktype_count {
    int linktype;
    uint64_t packets;
    uint8_t supported;
} dt_linktype_count;

/* What one input contributed; filled by the engine. */
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

/* How an input was read. */
typedef enum dt_status {
    DT_OK = 0,         /* read without error */
    DT_PARTIAL = 1,    /* read with errors: the packets before each error were used */
    DT_UNREADABLE = 2, /* could not be read at all */
} dt_status;

/* The pipeline for one input, fed one packet at a time (push style). */
typedef struct dt_engine dt_engine;

/* A new engine for one input; sink (may be NULL) gets every flow as it ends,
 * with ctx.  cfg must outlive the engine.  NULL when out of memory. */
dt_engine *dt_engine_new(const dt_engine_config *cfg, dt_flow_sink sink, void *ctx);
/* Names the input (optional, before the first packet): its number in a run
 * (dt_flow.input), its path (kept as a pointer) and format ("pcapng"...). */
void dt_engine_set_input(dt_engine *e, uint32_t index, const char *path, const char *format);
/* The packets fed from now on have timestamps with this many fractional
 * digits (6: microseconds, 9: nanoseconds); the input's precision is the
 * largest given.  Without it, times are written with 6 digits. */
void dt_engine_set_ts_digits(dt_engine *e, int digits);
/* One packet: its link type (LINKTYPE_*), time (ns since the Unix epoch),
 * caplen captured bytes at data, of wirelen on the wire. */
void dt_engine_feed(dt_engine *e, int linktype, uint64_t ts_ns, const uint8_t *data,
                    uint32_t caplen, uint32_t wirelen);
/* Records an error of the input (e.g. where its reader stopped): packet is
 * the 1-based packet number (0: at open), offset the byte offset if known. */
void dt_engine_add_error(dt_engine *e, uint64_t packet, uint64_t offset, const char *msg);
/* Ends the flows still live (in creation order) and completes the input's
 * counters.  Returns DT_OK, or DT_PARTIAL if errors were recorded.  Feed no
 * more packets after it. */
dt_status dt_engine_finish(dt_engine *e);
/* What the input contributed so far (complete after dt_engine_finish()). */
const dt_input_info *dt_engine_info(const dt_engine *e);
void dt_engine_free(dt_engine *e);

/* Reads one capture file ("-": stdin) completely: opens it, feeds every
 * packet, finishes.  info receives what the input contributed; progress (may
 * be NULL) gets the file bytes consumed about every MiB and at the end. */
dt_status dt_engine_run(const dt_engine_config *cfg, const char *path, uint32_t input_index,
                        dt_flow_sink sink, void *ctx, dt_input_info *info,
                        void (*progress)(void *pctx, uint64_t bytes), void *pctx);

#endif
