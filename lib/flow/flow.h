/* Bidirectional flows keyed by protocol and both endpoints, with bounded
 * memory: idle and closed flows are ended by capture time, and when the table
 * is full the least recently active flow is ended early (counted). */
#ifndef DT_FLOW_H
#define DT_FLOW_H

#include "datatrail.h" /* dt_flow_limits, the dt_flow typedef */
#include "util/addr.h"
#include "flow/tcpreasm.h"

#include <stdint.h>

struct dt_flow_app; /* application-layer state, owned by the engine (lib/apps.h) */

/* Longest process name kept: PKTAP's are 16 characters, PCAPdroid's 20. */
#define DT_FLOW_PROC_NAME_MAX 20

typedef struct dt_flow_side {
    dt_addr ip;
    uint16_t port;
    uint8_t local; /* the vehicle's side (local network) */
    uint64_t packets;
    uint64_t bytes;   /* IP bytes sent by this side */
    uint64_t payload; /* transport payload bytes sent by this side */
    uint8_t have_mac; /* mac: the Ethernet source of this side's first packet */
    uint8_t mac[6];
} dt_flow_side;

enum { DT_CLIENT = 0, DT_SERVER = 1 };

typedef enum dt_flow_end {
    DT_END_IDLE = 0, /* idle timeout */
    DT_END_CLOSED,   /* TCP FIN in both directions or RST */
    DT_END_EVICTED,  /* table full: ended early */
    DT_END_EOF,      /* still open at the end of the input */
    DT_END_REUSED,   /* a new SYN on the same ports after a close */
} dt_flow_end;

typedef struct dt_flow {
    /* First what a packet's lookup reads, side by side (the hash chain, the hash,
     * the protocol, both endpoints at the start of each side), then what every
     * packet updates: a packet touches as few cache lines as can be. */
    struct dt_flow *hnext;
    uint32_t hash;
    uint8_t proto;              /* 6 TCP, 17 UDP */
    uint8_t closed;             /* FIN both ways or RST seen */
    uint8_t client_by_syn;      /* client was decided by a SYN (not a guess) */
    uint8_t proc_kind;          /* see proc_name */
    dt_flow_side side[2];       /* [DT_CLIENT], [DT_SERVER] */
    uint64_t first_ns, last_ns; /* earliest and latest packet timestamps */
    uint64_t active_ns;         /* capture clock (never backwards) at the last packet */
    struct dt_flow *lru_prev, *lru_next;
    dt_tcp_dir *tcp; /* [2], per sender; TCP flows only (NULL for UDP) */
    struct dt_flow_app *app;

    uint64_t id;    /* order of creation, for deterministic output */
    uint32_t input; /* index of the input file */
    uint8_t tunnel;
    uint8_t ts_digits;
    uint8_t syn, synack, fin, rst;
    uint8_t end_reason; /* dt_flow_end */
    /* decode (issue 15): the local process, as the capture's per-packet metadata names it
     * (PKTAP, PCAPdroid's trailer) in the first packet that has one; proc_kind is
     * DT_PROC_NONE, DT_PROC_PID or DT_PROC_UID (decode/decode.h) */
    int32_t proc_id;
    char proc_name[DT_FLOW_PROC_NAME_MAX + 1];
} dt_flow;

typedef struct dt_flow_table dt_flow_table;

typedef void (*dt_flow_end_fn)(void *ctx, dt_flow *f);

void dt_flow_limits_default(dt_flow_limits *l);

/* on_end is called for every flow as it ends (before it is freed). */
dt_flow_table *dt_flow_table_new(const dt_flow_limits *l, dt_flow_end_fn on_end, void *ctx);
void dt_flow_table_free(dt_flow_table *t);

/* What a packet says about its sender's role. */
typedef enum dt_role_hint {
    DT_HINT_NONE = 0,
    DT_HINT_CLIENT, /* TCP SYN without ACK: the sender is the client */
    DT_HINT_SERVER, /* TCP SYN+ACK: the sender is the server */
} dt_role_hint;

/* Finds the flow of a packet from (src,sport) to (dst,dport), creating it if
 * needed (first/last seen = ts_ns).  *dir is set to the sender's side:
 * DT_CLIENT or DT_SERVER.  A hint from the TCP handshake decides the roles
 * (and corrects an earlier guess); without one the client is the first
 * sender, unless port numbers say otherwise. */
dt_flow *dt_flow_lookup(dt_flow_table *t, uint8_t proto, const dt_addr *src, uint16_t sport,
                        const dt_addr *dst, uint16_t dport, uint64_t ts_ns, dt_role_hint hint,
                        int *dir);

/* Marks activity at packet time ts_ns and capture clock now_ns (the latest
 * timestamp seen so far: timeouts follow it, so packets whose timestamps go
 * backwards do not end flows early). */
void dt_flow_touch(dt_flow_table *t, dt_flow *f, uint64_t ts_ns, uint64_t now_ns);

/* Moves a TCP flow to the closed state (FIN both ways, or RST). */
void dt_flow_mark_closed(dt_flow_table *t, dt_flow *f);

/* Ends flows idle for longer than the timeout at capture time now_ns. */
void dt_flow_expire(dt_flow_table *t, uint64_t now_ns);

/* Ends every live flow (end of input), oldest first. */
void dt_flow_flush(dt_flow_table *t);

uint64_t dt_flow_live(const dt_flow_table *t);
uint64_t dt_flow_evicted(const dt_flow_table *t);
uint64_t dt_flow_created(const dt_flow_table *t);
/* Reassembly buffering: bytes held now, at most, and times it was refused. */
const dt_tcp_budget *dt_flow_budget(const dt_flow_table *t);

/* Port heuristics: is this a port servers listen on? */
int dt_port_is_service(uint16_t port);

#endif
