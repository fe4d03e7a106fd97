/* Link layers, tunnels and IP: from a captured frame to one transport-layer packet.
 * Fragmented IPv4/IPv6 datagrams are held and reassembled here (bounded memory). */
#ifndef DT_DECODE_H
#define DT_DECODE_H

#include "datatrail.h" /* dt_decode_limits, dt_decode_stats */
#include "util/addr.h"

#include <stddef.h>
#include <stdint.h>

typedef enum dt_tunnel {
    DT_TUN_NONE = 0,
    DT_TUN_GRE,
    DT_TUN_VXLAN,
    DT_TUN_GTPU,
    DT_TUN_IPIP,   /* IPv4 in IPv4, IPv6 in IPv6, IPv4 in IPv6 */
    DT_TUN_6IN4,   /* IPv6 in IPv4 (6in4/6to4, protocol 41) */
    DT_TUN_CAPWAP, /* CAPWAP data channel (UDP 5247): Wi-Fi controllers */
    DT_TUN_GENEVE, /* Geneve (UDP 6081): cloud traffic mirroring, overlay networks */
    DT_TUN_ERSPAN, /* ERSPAN types I, II, III (GRE 0x88be, 0x22eb): switch port mirroring */
    DT_TUN_L2TP,   /* L2TPv2 (UDP 1701, PPP inside), L2TPv3 (IP protocol 115 or UDP 1701) */
    DT_TUN_TEREDO, /* Teredo (UDP 3544): IPv6 in UDP */
    DT_TUN_COUNT
} dt_tunnel;

const char *dt_tunnel_name(dt_tunnel t); /* "gre", "vxlan", "gtp-u", "ipip", "6in4", "capwap",
                                            "geneve", "erspan", "l2tp", "teredo"; NULL for none */

typedef struct dt_decoded {
    dt_addr src, dst;       /* innermost IP header */
    uint8_t proto;          /* innermost IP protocol: DT_IPPROTO_* of util/netconst.h */
    uint16_t sport, dport;  /* TCP/UDP only */
    uint8_t tcp_flags;      /* TCP only: DT_TCP_FIN, DT_TCP_SYN, ... of util/netconst.h */
    uint32_t seq;           /* TCP only (nothing reads the acknowledgment or the window) */
    const uint8_t *payload; /* transport payload bytes that were captured */
    uint32_t payload_len;   /* captured payload length (<= payload_wire) */
    uint32_t payload_wire;  /* payload length as the IP/TCP/UDP headers say it was sent */
    uint32_t ip_bytes;      /* innermost IP datagram length per its header */
    uint8_t tunnel;         /* outermost tunnel kind (dt_tunnel), DT_TUN_NONE if none */
    uint8_t tunnel_depth;   /* how many tunnel layers were removed */
    uint8_t reassembled;    /* 1 if rebuilt from IP fragments */
    uint8_t have_mac;       /* the outermost Ethernet header's source address is below
                               (it is set only then) */
    const uint8_t *src_mac; /* into the frame: 6 bytes (its destination is never read) */
    /* The process on this host that sent or received the packet, as the capture's
     * per-packet metadata names it (macOS PKTAP header, PCAPdroid's app trailer):
     * proc_name points into the frame (proc_name_len bytes, not NUL-terminated).
     * proc_id and proc_name are set only when proc_kind is not DT_PROC_NONE. */
    uint8_t proc_kind; /* DT_PROC_NONE, DT_PROC_PID (PKTAP), DT_PROC_UID (PCAPdroid) */
    uint8_t proc_name_len;
    int32_t proc_id; /* the PID or the Android UID */
    const char *proc_name;
} dt_decoded;

enum { DT_PROC_NONE = 0, DT_PROC_PID = 1, DT_PROC_UID = 2 };

typedef enum dt_decode_result {
    DT_DEC_OK = 0, /* *out describes an IP packet (any protocol) */
    DT_DEC_NOT_IP, /* a valid frame that carries no IP (ARP, LLDP, 802.11 management, ...) */
    DT_DEC_UNSUPPORTED_LINK, /* link type datatrail does not decode (counted per link type) */
    DT_DEC_MALFORMED,        /* truncated or inconsistent headers */
    DT_DEC_FRAG_HELD,        /* an IP fragment was stored; nothing to deliver yet */
} dt_decode_result;

/* Why a frame is malformed (DT_DEC_MALFORMED): the list, with what each reason
 * means, is in decode/anomaly.def. */
typedef enum dt_anomaly {
#define X(id, name) DT_ANOM_##id,
#include "decode/anomaly.def"
#undef X
    DT_ANOMALY_COUNT
} dt_anomaly;

/* The snake_case name of a reason ("ipv4_bad_ihl"), NULL when out of range. */
const char *dt_decode_anomaly_name(int reason);

/* dt_decode_limits and dt_decode_stats are public (datatrail.h); the arrays
 * of the stats are indexed by dt_tunnel and dt_anomaly. */
_Static_assert(DT_TUN_COUNT <= DT_MAX_TUNNEL_KINDS, "dt_decode_stats.tunneled too small");
_Static_assert(DT_ANOMALY_COUNT <= DT_MAX_ANOMALIES,
               "dt_decode_stats.malformed_by_reason too small");

typedef struct dt_decoder dt_decoder;

/* A record's wire length above this, or below its captured length, is a
 * corrupt record header (a fuzzed 88-byte capture claimed 4 GB): the frame is
 * malformed and its claimed length is not counted. 0 means unknown. */
#define DT_WIRELEN_MAX (256u * 1024u)
static inline int dt_wirelen_plausible(size_t caplen, uint32_t wirelen)
{
    return wirelen == 0 || (wirelen >= caplen && wirelen <= DT_WIRELEN_MAX);
}

void dt_decode_limits_default(dt_decode_limits *l);
dt_decoder *dt_decoder_new(const dt_decode_limits *limits); /* NULL limits = defaults */
void dt_decoder_free(dt_decoder *d);
/* End of input: datagrams still waiting for fragments count as incomplete. */
void dt_decoder_finish(dt_decoder *d);

/* Decodes one frame of the given LINKTYPE.  ts_ns drives fragment timeouts.
 * On DT_DEC_OK, out->payload points into data, or into a buffer owned by the
 * decoder (reassembled fragments) that stays valid until the next call. */
dt_decode_result dt_decode(dt_decoder *d, int linktype, uint64_t ts_ns, const uint8_t *data,
                           size_t caplen, uint32_t wirelen, dt_decoded *out);

const dt_decode_stats *dt_decoder_stats(const dt_decoder *d);

/* True for link types dt_decode() understands. */
int dt_linktype_supported(int linktype);

#endif
