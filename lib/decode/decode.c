/* Link layers, tunnels and IP decoding.
 *
 * A frame is decoded by a small state machine (no recursion): each step
 * consumes one header from the cursor and names the next layer.  Tunnels
 * (GRE, VXLAN, GTP-U, IP-in-IP) feed the inner packet back into the loop,
 * bounded by dt_decode_limits.max_tunnel_depth.  When a tunnel's payload turns
 * out not to be IP (GRE keepalive, PPTP with encrypted PPP, VXLAN carrying ARP,
 * ...) the packet that carried it is delivered instead.
 */
#include "decode/decode.h"

#include "util/cursor.h"
#include "util/netconst.h"
#include "decode/ipfrag.h"

#include <stdlib.h>
#include <string.h>

struct dt_decoder {
    dt_decode_limits lim;
    dt_decode_stats st;
    dt_ipfrag *frag;
};

enum {
    NX_ETH,   /* Ethernet header */
    NX_ETYPE, /* payload of ethertype x->et */
    NX_PPP,   /* PPP frame (optional ff 03, protocol) */
    NX_IPANY, /* IPv4 or IPv6 by version nibble */
    NX_IP4,
    NX_IP6,
    NX_OK,    /* *out is complete */
    NX_NOTIP, /* valid but not IP */
    NX_BAD,   /* malformed */
    NX_HELD,  /* fragment stored */
};

/* GRE header flags (RFC 2784, RFC 2890; RFC 1701 routing; RFC 2637 enhanced GRE) */
#define GRE_F_CSUM 0x8000
#define GRE_F_ROUTING 0x4000
#define GRE_F_KEY 0x2000
#define GRE_F_SEQ 0x1000
#define GRE_F_ACK 0x0080 /* enhanced GRE only */
#define GRE_VERSION 0x0007

#define VXLAN_F_VNI 0x08 /* "I" flag: the VNI is valid */

/* GTP-U first byte: version (3 bits), protocol type, spare, E, S, PN */
#define GTP_F_PT 0x10
#define GTP_F_OPT 0x07 /* E, S or PN: the 4 optional bytes are present */
#define GTP_MSG_GPDU 0xff

/* 802.2 LLC header of a SNAP frame (DSAP, SSAP, control), then the SNAP OUI and type */
#define LLC_SNAP_SAP 0xaa
#define LLC_UI 0x03
#define SNAP_OUI_BRIDGE_TUNNEL 0xf8 /* 00-00-f8 (802.1H); 00-00-00 is RFC 1042 */

/* Radiotap "present" bits and the flags field */
#define RT_PRESENT_TSFT 0x00000001u
#define RT_PRESENT_FLAGS 0x00000002u
#define RT_PRESENT_EXT 0x80000000u /* another present word follows */
#define RT_FLAG_FCS 0x10           /* the frame ends with a 4-byte FCS */

/* 802.11 frame control, first byte: version (2 bits), type (2), subtype (4) */
#define WIFI_FC0_VERSION 0x03
#define WIFI_TYPE_DATA 2
#define WIFI_SUBTYPE_NULL 0x4 /* no body (null function, QoS null) */
#define WIFI_SUBTYPE_QOS 0x8  /* a QoS control field follows the addresses */
#define WIFI_QOS_AMSDU 0x80   /* in the first QoS byte: an A-MSDU aggregate */

/* 802.11 frame control, second byte */
#define WIFI_FC1_DS 0x03 /* ToDS | FromDS: 3 means a fourth address */
#define WIFI_FC1_MORE_FRAG 0x04
#define WIFI_FC1_PROTECTED 0x40
#define WIFI_FC1_ORDER 0x80 /* in QoS data: an HT control field follows */

#define MAX_VLAN 8
#define MAX_MPLS 16
#define MAX_V6_EXT 16
#define MAX_GTP_EXT 16
#define MAX_STEPS 512

typedef struct ctx {
    dt_decoder *d;
    uint64_t ts;
    dt_decoded *out;
    uint16_t et;
    int reasm; /* a datagram was already reassembled in this frame */
    int whole; /* the frame was captured whole (caplen == wirelen): an IP length
                  beyond it is a lie, not the snap length */
    int have_saved;
    dt_decoded saved; /* the packet that carried the current tunnel */
    uint8_t why;      /* dt_anomaly of an NX_BAD answer, set by bad() */
} ctx;

static void sync_frag_stats(dt_decoder *d);

static const char *const anomaly_names[DT_ANOMALY_COUNT] = {
#define X(id, name) name,
#include "decode/anomaly.def"
#undef X
};

const char *dt_decode_anomaly_name(int reason)
{
    return reason >= 0 && reason < DT_ANOMALY_COUNT ? anomaly_names[reason] : NULL;
}

/* Every malformed verdict goes through here: the reason is what gets counted. */
static int bad(ctx *x, dt_anomaly why)
{
    x->why = (uint8_t)why;
    return NX_BAD;
}

const char *dt_tunnel_name(dt_tunnel t)
{
    switch (t) {
    case DT_TUN_GRE:
        return "gre";
    case DT_TUN_VXLAN:
        return "vxlan";
    case DT_TUN_CAPWAP:
        return "capwap";
    case DT_TUN_GTPU:
        return "gtp-u";
    case DT_TUN_IPIP:
        return "ipip";
    case DT_TUN_6IN4:
        return "6in4";
    default:
        return NULL;
    }
}

void dt_decode_limits_default(dt_decode_limits *l)
{
    l->max_frag_datagrams = 1024;
    l->max_frag_bytes = 16u * 1024 * 1024;
    l->frag_timeout_ns = 30ull * 1000000000ull;
    l->max_tunnel_depth = 8;
}

dt_decoder *dt_decoder_new(const dt_decode_limits *limits)
{
    dt_decoder *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    if (limits)
        d->lim = *limits;
    else
        dt_decode_limits_default(&d->lim);
    d->frag =
        dt_ipfrag_new(d->lim.max_frag_datagrams, d->lim.max_frag_bytes, d->lim.frag_timeout_ns);
    if (!d->frag) {
        free(d);
        return NULL;
    }
    return d;
}

void dt_decoder_finish(dt_decoder *d)
{
    dt_ipfrag_expire(d->frag, UINT64_MAX); /* what is still waiting will never complete */
    sync_frag_stats(d);
}

void dt_decoder_free(dt_decoder *d)
{
    if (!d)
        return;
    dt_ipfrag_free(d->frag);
    free(d);
}

int dt_linktype_supported(int linktype)
{
    switch (linktype) {
    case DT_LINKTYPE_NULL:
    case DT_LINKTYPE_ETHERNET:
    case DT_LINKTYPE_PPP:
    case DT_LINKTYPE_RAW_DLT12:
    case DT_LINKTYPE_RAW_DLT14:
    case DT_LINKTYPE_PPP_HDLC:
    case DT_LINKTYPE_RAW:
    case DT_LINKTYPE_C_HDLC:
    case DT_LINKTYPE_IEEE802_11:
    case DT_LINKTYPE_LOOP:
    case DT_LINKTYPE_LINUX_SLL:
    case DT_LINKTYPE_RADIOTAP:
    case DT_LINKTYPE_PPI:
    case DT_LINKTYPE_IPV4:
    case DT_LINKTYPE_IPV6:
    case DT_LINKTYPE_LINUX_SLL2:
        return 1;
    default:
        return 0;
    }
}

/* Limits a cursor to at most n more bytes. */
static void cur_trim(dt_cur *c, size_t n)
{
    if (dt_left(c) > n)
        c->len = c->pos + n;
}

static int peek_u8(const dt_cur *c, size_t at, uint8_t *v)
{
    dt_cur t = *c;
    dt_skip(&t, at);
    *v = dt_u8(&t);
    return dt_ok(&t) ? 0 : -1;
}

/* ---- link layers ---------------------------------------------------------------------- */

/* LLC after an 802.3 length field or in 802.11: SNAP with an ethertype, or not IP. */
static int llc_snap(ctx *x, dt_cur *c)
{
    const uint8_t *h = dt_bytes(c, 3);
    if (!h)
        return bad(x, DT_ANOM_LLC_HEADER_SHORT);
    if (h[0] != LLC_SNAP_SAP || h[1] != LLC_SNAP_SAP || h[2] != LLC_UI)
        return NX_NOTIP;
    const uint8_t *snap = dt_bytes(c, 5);
    if (!snap)
        return bad(x, DT_ANOM_LLC_HEADER_SHORT);
    /* OUI 00-00-00 (RFC 1042) or 00-00-f8 (802.1H bridge tunnel) carry ethertypes. */
    if (snap[0] != 0 || snap[1] != 0 || (snap[2] != 0 && snap[2] != SNAP_OUI_BRIDGE_TUNNEL))
        return NX_NOTIP;
    x->et = dt_rd_be16(snap + 3);
    return NX_ETYPE;
}

static int eth_frame(ctx *x, dt_cur *c)
{
    const uint8_t *macs = dt_bytes(c, 12);
    if (!macs)
        return bad(x, DT_ANOM_ETH_HEADER_SHORT);
    if (!x->out->have_mac) { /* the outermost: the device's own, not a tunnel's */
        memcpy(x->out->dst_mac, macs, 6);
        memcpy(x->out->src_mac, macs + 6, 6);
        x->out->have_mac = 1;
    }
    uint16_t t = dt_be16(c);
    if (!dt_ok(c))
        return bad(x, DT_ANOM_ETH_HEADER_SHORT);
    if (t <= DT_ETH_MAX_LEN) { /* 802.3 length, LLC follows */
        cur_trim(c, t);
        return llc_snap(x, c);
    }
    if (t < DT_ETH_TYPE_MIN)
        return NX_NOTIP;
    x->et = t;
    return NX_ETYPE;
}

static int ppp_proto(uint16_t p)
{
    if (p == DT_PPP_IPV4)
        return NX_IP4;
    if (p == DT_PPP_IPV6)
        return NX_IP6;
    return NX_NOTIP;
}

static int ppp_frame(ctx *x, dt_cur *c)
{
    uint8_t b0 = 0, b1 = 0;
    if (peek_u8(c, 0, &b0) < 0)
        return bad(x, DT_ANOM_PPP_HEADER_SHORT);
    if ((b0 == 0x0f || b0 == 0x8f) && peek_u8(c, 1, &b1) == 0 && b1 == 0x00) {
        /* Cisco HDLC framing on a PPP link (as Wireshark accepts): ethertype follows */
        dt_skip(c, 2);
        x->et = dt_be16(c);
        return dt_ok(c) ? NX_ETYPE : bad(x, DT_ANOM_CHDLC_HEADER_SHORT);
    }
    if (b0 == 0xff && peek_u8(c, 1, &b1) == 0 && b1 == 0x03) {
        dt_skip(c, 2);
        if (peek_u8(c, 0, &b0) < 0)
            return bad(x, DT_ANOM_PPP_HEADER_SHORT);
    }
    uint16_t p;
    if (b0 & 1) /* protocol field compression: one-byte protocol */
        p = dt_u8(c);
    else
        p = dt_be16(c);
    if (!dt_ok(c))
        return bad(x, DT_ANOM_PPP_HEADER_SHORT);
    return ppp_proto(p);
}

static int ethertype(ctx *x, dt_cur *c)
{
    for (int depth = 0; depth <= MAX_VLAN; depth++) {
        switch (x->et) {
        case DT_ETHERTYPE_IPV4:
            return NX_IP4;
        case DT_ETHERTYPE_IPV6:
            return NX_IP6;
        case DT_ETHERTYPE_VLAN:
        case DT_ETHERTYPE_QINQ:
        case DT_ETHERTYPE_QINQ_9100:
        case DT_ETHERTYPE_QINQ_9200:
            dt_skip(c, 2);
            x->et = dt_be16(c);
            if (!dt_ok(c))
                return bad(x, DT_ANOM_VLAN_HEADER_SHORT);
            if (x->et <= DT_ETH_MAX_LEN) {
                cur_trim(c, x->et);
                int r = llc_snap(x, c);
                if (r != NX_ETYPE)
                    return r;
            }
            continue;
        case DT_ETHERTYPE_MPLS_UC:
        case DT_ETHERTYPE_MPLS_MC:
            for (int i = 0;; i++) {
                const uint8_t *l = dt_bytes(c, 4);
                if (!l)
                    return bad(x, DT_ANOM_MPLS_HEADER_SHORT);
                if (i >= MAX_MPLS)
                    return bad(x, DT_ANOM_MPLS_TOO_DEEP);
                if (l[2] & 1) /* bottom of stack */
                    break;
            }
            {
                uint8_t v;
                if (peek_u8(c, 0, &v) < 0)
                    return bad(x, DT_ANOM_MPLS_HEADER_SHORT);
                if (v >> 4 == 4)
                    return NX_IP4;
                if (v >> 4 == 6)
                    return NX_IP6;
                return NX_NOTIP;
            }
        case DT_ETHERTYPE_PPPOE_SESS: {
            uint8_t vt = dt_u8(c);
            uint8_t code = dt_u8(c);
            dt_skip(c, 2); /* session id */
            uint16_t plen = dt_be16(c);
            if (!dt_ok(c))
                return bad(x, DT_ANOM_PPPOE_HEADER_SHORT);
            if (vt != 0x11 || code != 0)
                return NX_NOTIP;
            cur_trim(c, plen);
            uint16_t p = dt_be16(c);
            if (!dt_ok(c))
                return bad(x, DT_ANOM_PPPOE_HEADER_SHORT);
            return ppp_proto(p);
        }
        default:
            return NX_NOTIP;
        }
    }
    return bad(x, DT_ANOM_VLAN_TOO_DEEP);
}

static int wifi_frame_fc(ctx *x, dt_cur *c, uint8_t fc0, uint8_t fc1);

/* IEEE 802.11: data frames only. */
static int wifi_frame(ctx *x, dt_cur *c)
{
    uint8_t fc0 = dt_u8(c), fc1 = dt_u8(c);
    return wifi_frame_fc(x, c, fc0, fc1);
}

/* The rest of an 802.11 frame whose frame control field was read already. */
static int wifi_frame_fc(ctx *x, dt_cur *c, uint8_t fc0, uint8_t fc1)
{
    if (!dt_ok(c))
        return bad(x, DT_ANOM_WIFI_HEADER_SHORT);
    if ((fc0 & WIFI_FC0_VERSION) != 0)
        return bad(x, DT_ANOM_WIFI_BAD_VERSION);
    unsigned type = fc0 >> 2 & 3, subtype = fc0 >> 4;
    if (type != WIFI_TYPE_DATA)
        return NX_NOTIP;
    dt_skip(c, 2 + 6 + 6 + 6); /* duration, addr1-3 */
    uint16_t seqctl = dt_le16(c);
    if ((fc1 & WIFI_FC1_DS) == WIFI_FC1_DS)
        dt_skip(c, 6); /* addr4 */
    uint8_t qos0 = 0;
    if (subtype & WIFI_SUBTYPE_QOS) {
        qos0 = dt_u8(c);
        dt_skip(c, 1);
        if (fc1 & WIFI_FC1_ORDER)
            dt_skip(c, 4); /* HT control */
    }
    if (!dt_ok(c))
        return bad(x, DT_ANOM_WIFI_HEADER_SHORT);
    if (subtype & WIFI_SUBTYPE_NULL)
        return NX_NOTIP;
    if (fc1 & WIFI_FC1_PROTECTED)
        return NX_NOTIP;
    /* 802.11 fragment: more fragments follow, or a later fragment (a non-zero
     * number whose body does not start a frame: some controllers number
     * unfragmented frames, so an LLC/SNAP header wins) */
    if ((fc1 & WIFI_FC1_MORE_FRAG) ||
        ((seqctl & 0x0f) && !(dt_left(c) >= 3 && memcmp(dt_ptr(c), "\xaa\xaa\x03", 3) == 0)))
        return NX_NOTIP;
    if (qos0 & WIFI_QOS_AMSDU)
        return NX_NOTIP; /* not decoded */
    return llc_snap(x, c);
}

static int radiotap(ctx *x, dt_cur *c)
{
    const uint8_t *start = dt_ptr(c);
    uint8_t ver = dt_u8(c);
    dt_skip(c, 1);
    uint16_t len = dt_le16(c);
    uint32_t present = dt_le32(c);
    if (!dt_ok(c))
        return bad(x, DT_ANOM_RADIOTAP_HEADER_SHORT);
    if (ver != 0 || len < 8)
        return bad(x, DT_ANOM_RADIOTAP_BAD_HEADER);
    dt_cur rt = dt_cur_make(start, len);
    if (dt_left(c) + 8 < len)
        return bad(x, DT_ANOM_RADIOTAP_HEADER_SHORT);
    dt_skip(&rt, 8);
    uint32_t p = present;
    while (p & RT_PRESENT_EXT) {
        p = dt_le32(&rt);
        if (!dt_ok(&rt))
            return bad(x, DT_ANOM_RADIOTAP_HEADER_SHORT);
    }
    uint8_t flags = 0;
    if (present & RT_PRESENT_FLAGS) {
        if (present & RT_PRESENT_TSFT) {
            size_t pad = (8 - rt.pos % 8) % 8;
            dt_skip(&rt, pad + 8); /* TSFT */
        }
        flags = dt_u8(&rt);
        if (!dt_ok(&rt))
            return bad(x, DT_ANOM_RADIOTAP_HEADER_SHORT);
    }
    dt_skip(c, (size_t)len - 8);
    if (flags & RT_FLAG_FCS) {
        if (dt_left(c) < 4)
            return bad(x, DT_ANOM_RADIOTAP_FCS_SHORT);
        c->len -= 4;
    }
    return wifi_frame(x, c);
}

static int bsd_null(ctx *x, dt_cur *c)
{
    uint32_t af = dt_be32(c);
    if (!dt_ok(c))
        return bad(x, DT_ANOM_NULL_HEADER_SHORT);
    if (af > 0xffff) /* written in the other byte order */
        af = (af >> 24) | (af >> 8 & 0xff00) | (af << 8 & 0xff0000) | (af << 24);
    switch (af) {
    case DT_BSD_AF_INET:
        return NX_IP4;
    case DT_BSD_AF_INET6_LINUX:
    case DT_BSD_AF_INET6_BSD:
    case DT_BSD_AF_INET6_FREEBSD:
    case DT_BSD_AF_INET6_DARWIN:
        return NX_IP6;
    default:
        return NX_NOTIP;
    }
}

static int link_layer(ctx *x, int linktype, dt_cur *c)
{
    switch (linktype) {
    case DT_LINKTYPE_ETHERNET:
        return NX_ETH;
    case DT_LINKTYPE_LINUX_SLL: { /* SLL: type, arphrd, addr len, addr[8], protocol */
        dt_skip(c, 2);
        uint16_t hatype = dt_be16(c);
        dt_skip(c, 10);
        x->et = dt_be16(c);
        if (!dt_ok(c))
            return bad(x, DT_ANOM_SLL_HEADER_SHORT);
        if (hatype == DT_ARPHRD_NETLINK)
            return NX_NOTIP;
        return NX_ETYPE;
    }
    case DT_LINKTYPE_LINUX_SLL2: {
        /* SLL2: protocol, reserved, ifindex, arphrd, type, addr len, addr[8] */
        x->et = dt_be16(c);
        dt_skip(c, 6);
        uint16_t hatype = dt_be16(c);
        dt_skip(c, 10);
        if (!dt_ok(c))
            return bad(x, DT_ANOM_SLL_HEADER_SHORT);
        if (hatype == DT_ARPHRD_NETLINK)
            return NX_NOTIP;
        return NX_ETYPE;
    }
    case DT_LINKTYPE_RAW_DLT12:
    case DT_LINKTYPE_RAW_DLT14:
    case DT_LINKTYPE_RAW:
    case DT_LINKTYPE_IPV4:
    case DT_LINKTYPE_IPV6:
        return NX_IPANY;
    case DT_LINKTYPE_NULL:
    case DT_LINKTYPE_LOOP:
        return bsd_null(x, c);
    case DT_LINKTYPE_PPP:
    case DT_LINKTYPE_PPP_HDLC:
        return NX_PPP;
    case DT_LINKTYPE_C_HDLC: /* address, control, ethertype */
        dt_skip(c, 2);
        x->et = dt_be16(c);
        return dt_ok(c) ? NX_ETYPE : bad(x, DT_ANOM_CHDLC_HEADER_SHORT);
    case DT_LINKTYPE_IEEE802_11:
        return wifi_frame(x, c);
    case DT_LINKTYPE_RADIOTAP:
        return radiotap(x, c);
    case DT_LINKTYPE_PPI: { /* PPI: version, flags, header length (LE), inner DLT (LE) */
        uint8_t ver = dt_u8(c);
        dt_skip(c, 1);
        uint16_t hl = dt_le16(c);
        uint32_t dlt = dt_le32(c);
        if (!dt_ok(c))
            return bad(x, DT_ANOM_PPI_HEADER_SHORT);
        if (ver != 0 || hl < 8)
            return bad(x, DT_ANOM_PPI_BAD_HEADER);
        dt_skip(c, (size_t)hl - 8);
        if (!dt_ok(c))
            return bad(x, DT_ANOM_PPI_HEADER_SHORT);
        if (dlt > 0xffff || dlt == DT_LINKTYPE_PPI || !dt_linktype_supported((int)dlt))
            return -1;
        return link_layer(x, (int)dlt, c); /* one level only: PPI inside PPI is refused */
    }
    default:
        return -1;
    }
}

/* ---- IP and transport --------------------------------------------------------------- */

static void set_payload(dt_decoded *o, const dt_cur *c, uint32_t wire)
{
    o->payload = dt_ptr(c);
    o->payload_wire = wire;
    size_t left = dt_left(c);
    o->payload_len = left < wire ? (uint32_t)left : wire;
}

/* Saves the packet that carries a tunnel; nonzero (reason tunnel_too_deep set)
 * past the nesting bound, and the caller answers NX_BAD. */
static int enter_tunnel(ctx *x, dt_tunnel kind)
{
    dt_decoded *o = x->out;
    if (o->tunnel_depth >= x->d->lim.max_tunnel_depth || o->tunnel_depth >= 255)
        return bad(x, DT_ANOM_TUNNEL_TOO_DEEP);
    x->saved = *o;
    x->have_saved = 1;
    if (!o->tunnel)
        o->tunnel = (uint8_t)kind;
    o->tunnel_depth++;
    return 0;
}

/* VXLAN (RFC 7348): flags with the I bit, reserved, VNI, reserved; then Ethernet. */
static int vxlan(ctx *x, dt_cur *c)
{
    dt_cur t = *c;
    const uint8_t *h = dt_bytes(&t, 8);
    if (!h || !(h[0] & VXLAN_F_VNI))
        return NX_OK;
    if (enter_tunnel(x, DT_TUN_VXLAN))
        return NX_BAD;
    *c = t;
    return NX_ETH;
}

/* CAPWAP data channel (RFC 5415, 4.3): HLEN 4-byte words of header, then an
 * IEEE 802.11 frame (T set, wireless binding 1) or an Ethernet frame.
 * Fragmented or DTLS-protected packets are delivered as the outer UDP packet. */
static int capwap(ctx *x, dt_cur *c)
{
    dt_cur t = *c;
    uint32_t w = dt_be32(&t);
    if (!dt_ok(&t) || w >> 24 != 0 || (w >> 7 & 1))
        return NX_OK;
    size_t hlen = (size_t)(w >> 19 & 0x1f) * 4;
    if (hlen < 8)
        return NX_OK;
    dt_skip(&t, hlen - 4);
    if (!dt_ok(&t))
        return NX_OK;
    if (enter_tunnel(x, DT_TUN_CAPWAP))
        return NX_BAD;
    *c = t;
    int native_80211 = (w >> 8 & 1) && (w >> 9 & 0x1f) == 1;
    if (!native_80211)
        return NX_ETH;
    uint8_t fc0 = dt_u8(c), fc1 = dt_u8(c);
    if ((fc0 & WIFI_FC0_VERSION) != 0 && (fc1 & WIFI_FC0_VERSION) == 0) {
        /* Cisco controllers swap the frame control bytes */
        uint8_t t8 = fc0;
        fc0 = fc1;
        fc1 = t8;
    }
    return wifi_frame_fc(x, c, fc0, fc1);
}

/* GTP-U version 1 (3GPP TS 29.281): only G-PDU (type 0xff) carries user IP packets. */
static int gtpu(ctx *x, dt_cur *c)
{
    dt_cur t = *c;
    uint8_t fl = dt_u8(&t);
    uint8_t type = dt_u8(&t);
    uint16_t len = dt_be16(&t);
    dt_skip(&t, 4); /* TEID */
    if (!dt_ok(&t) || fl >> 5 != 1 || !(fl & GTP_F_PT) || type != GTP_MSG_GPDU)
        return NX_OK; /* not a G-PDU: deliver the UDP packet */
    cur_trim(&t, len);
    if (fl & GTP_F_OPT) {
        dt_skip(&t, 3); /* sequence number, N-PDU number */
        uint8_t next = dt_u8(&t);
        for (int i = 0; next != 0; i++) {
            uint8_t elen = dt_u8(&t);
            if (!dt_ok(&t))
                return bad(x, DT_ANOM_GTPU_HEADER_SHORT);
            if (elen == 0 || i >= MAX_GTP_EXT)
                return bad(x, DT_ANOM_GTPU_BAD_EXTENSION);
            dt_skip(&t, (size_t)elen * 4 - 2);
            next = dt_u8(&t);
        }
        if (!dt_ok(&t))
            return bad(x, DT_ANOM_GTPU_HEADER_SHORT);
    }
    if (enter_tunnel(x, DT_TUN_GTPU))
        return NX_BAD;
    *c = t;
    return NX_IPANY;
}

static int gre(ctx *x, dt_cur *c)
{
    uint16_t fl = dt_be16(c);
    uint16_t pt = dt_be16(c);
    if (!dt_ok(c))
        return bad(x, DT_ANOM_GRE_HEADER_SHORT);
    unsigned ver = fl & GRE_VERSION;
    int next;
    if (ver == 0) {
        if (fl & GRE_F_ROUTING)
            return NX_OK; /* source routing (RFC 1701): not decoded */
        if (fl & GRE_F_CSUM)
            dt_skip(c, 4); /* checksum + reserved */
        if (fl & GRE_F_KEY)
            dt_skip(c, 4);
        if (fl & GRE_F_SEQ)
            dt_skip(c, 4);
        if (!dt_ok(c))
            return bad(x, DT_ANOM_GRE_HEADER_SHORT);
        switch (pt) {
        case DT_ETHERTYPE_IPV4:
            next = NX_IP4;
            break;
        case DT_ETHERTYPE_IPV6:
            next = NX_IP6;
            break;
        case DT_ETHERTYPE_TEB:
            next = NX_ETH;
            break;
        case DT_ETHERTYPE_ERSPAN2: /* 8-byte header, then Ethernet */
            if (!(fl & GRE_F_SEQ))
                return NX_OK;
            dt_skip(c, 8);
            if (!dt_ok(c))
                return bad(x, DT_ANOM_ERSPAN_HEADER_SHORT);
            next = NX_ETH;
            break;
        case DT_ETHERTYPE_PPP:
            next = NX_PPP;
            break;
        default:
            return NX_OK;
        }
    } else if (ver == 1) { /* enhanced GRE (PPTP, RFC 2637) */
        if (pt != DT_ETHERTYPE_PPP || !(fl & GRE_F_KEY))
            return bad(x, DT_ANOM_GRE_BAD_ENHANCED);
        uint16_t plen = dt_be16(c);
        dt_skip(c, 2); /* call id */
        if (fl & GRE_F_SEQ)
            dt_skip(c, 4);
        if (fl & GRE_F_ACK)
            dt_skip(c, 4);
        if (!dt_ok(c))
            return bad(x, DT_ANOM_GRE_HEADER_SHORT);
        if (!(fl & GRE_F_SEQ) || plen == 0)
            return NX_OK; /* acknowledgment only */
        cur_trim(c, plen);
        next = NX_PPP;
    } else {
        return NX_OK;
    }
    if (enter_tunnel(x, DT_TUN_GRE))
        return NX_BAD;
    return next;
}

/* Transport layer: c holds the captured L4 bytes, wire what the IP header claims. */
static int transport(ctx *x, uint8_t proto, int outer_family, dt_cur *c, uint32_t wire)
{
    dt_decoded *o = x->out;
    o->proto = proto;
    switch (proto) {
    case DT_IPPROTO_TCP: {
        const uint8_t *h = dt_bytes(c, DT_TCP_HDR_MIN);
        if (!h)
            return bad(x, DT_ANOM_TCP_HEADER_SHORT);
        unsigned off = (unsigned)(h[DT_TCP_OFF_DOFF] >> 4) * 4;
        if (off < DT_TCP_HDR_MIN)
            return bad(x, DT_ANOM_TCP_BAD_DATA_OFFSET);
        if (wire < off) /* options beyond the IP payload */
            return bad(x, DT_ANOM_TCP_HEADER_SHORT);
        dt_skip(c, off - DT_TCP_HDR_MIN); /* options */
        if (!dt_ok(c))
            return bad(x, DT_ANOM_TCP_HEADER_SHORT);
        o->sport = dt_rd_be16(h + DT_TCP_OFF_SPORT);
        o->dport = dt_rd_be16(h + DT_TCP_OFF_DPORT);
        o->seq = dt_rd_be32(h + DT_TCP_OFF_SEQ);
        o->ack = dt_rd_be32(h + DT_TCP_OFF_ACK);
        o->tcp_flags = h[DT_TCP_OFF_FLAGS];
        o->window = dt_rd_be16(h + DT_TCP_OFF_WINDOW);
        set_payload(o, c, wire - off);
        return NX_OK;
    }
    case DT_IPPROTO_UDP: {
        const uint8_t *h = dt_bytes(c, DT_UDP_HDR_LEN);
        if (!h || wire < DT_UDP_HDR_LEN)
            return bad(x, DT_ANOM_UDP_HEADER_SHORT);
        uint16_t ulen = dt_rd_be16(h + DT_UDP_OFF_LEN);
        if (ulen < DT_UDP_HDR_LEN)
            return bad(x, DT_ANOM_UDP_BAD_LENGTH);
        o->sport = dt_rd_be16(h + DT_UDP_OFF_SPORT);
        o->dport = dt_rd_be16(h + DT_UDP_OFF_DPORT);
        uint32_t uw = ulen - (uint32_t)DT_UDP_HDR_LEN;
        if (uw > wire - DT_UDP_HDR_LEN)
            uw = wire - DT_UDP_HDR_LEN;
        set_payload(o, c, uw);
        cur_trim(c, uw);
        if (o->dport == DT_PORT_VXLAN)
            return vxlan(x, c);
        if (o->dport == DT_PORT_GTPU || o->sport == DT_PORT_GTPU)
            return gtpu(x, c);
        if (o->dport == DT_PORT_CAPWAP_DATA || o->sport == DT_PORT_CAPWAP_DATA)
            return capwap(x, c);
        return NX_OK;
    }
    case DT_IPPROTO_IPIP:
    case DT_IPPROTO_IPV6:
        set_payload(o, c, wire);
        if (enter_tunnel(x,
                         proto == DT_IPPROTO_IPV6 && outer_family == 4 ? DT_TUN_6IN4 : DT_TUN_IPIP))
            return NX_BAD;
        return proto == DT_IPPROTO_IPIP ? NX_IP4 : NX_IP6;
    case DT_IPPROTO_GRE:
        set_payload(o, c, wire);
        return gre(x, c);
    default: /* ICMP, ICMPv6, ESP, ...: no ports */
        set_payload(o, c, wire);
        return NX_OK;
    }
}

static void reset_l4(dt_decoded *o)
{
    o->proto = 0;
    o->sport = o->dport = 0;
    o->tcp_flags = 0;
    o->seq = o->ack = 0;
    o->window = 0;
    o->payload = NULL;
    o->payload_len = o->payload_wire = 0;
}

static int ip4(ctx *x, dt_cur *c)
{
    dt_decoded *o = x->out;
    size_t avail = dt_left(c);
    const uint8_t *h = dt_bytes(c, DT_IP4_HDR_MIN);
    if (!h)
        return bad(x, DT_ANOM_IPV4_HEADER_SHORT);
    if (h[DT_IP4_OFF_VER_IHL] >> 4 != 4)
        return bad(x, DT_ANOM_IPV4_BAD_VERSION);
    unsigned ihl = (unsigned)(h[DT_IP4_OFF_VER_IHL] & 15) * 4;
    uint32_t tot = dt_rd_be16(h + DT_IP4_OFF_TOTLEN);
    if (tot == 0) /* segmentation offload: length left to the NIC */
        tot = avail > 65535 ? 65535 : (uint32_t)avail;
    if (ihl < DT_IP4_HDR_MIN)
        return bad(x, DT_ANOM_IPV4_BAD_IHL);
    if (tot < ihl)
        return bad(x, DT_ANOM_IPV4_BAD_TOTAL_LENGTH);
    int clipped = 0;
    if (x->whole && tot > avail) {
        /* the frame was captured whole, so the length lies (or a capture tool cut it
         * without saying): count what is there */
        x->d->st.ip_clipped++;
        tot = (uint32_t)avail;
        clipped = 1;
        if (tot < ihl)
            return bad(x, DT_ANOM_IPV4_HEADER_SHORT);
    }
    dt_skip(c, ihl - DT_IP4_HDR_MIN); /* options */
    if (!dt_ok(c))
        return bad(x, DT_ANOM_IPV4_HEADER_SHORT);
    reset_l4(o);
    dt_addr_set4(&o->src, h + DT_IP4_OFF_SRC);
    dt_addr_set4(&o->dst, h + DT_IP4_OFF_DST);
    o->ip_bytes = tot;
    uint8_t proto = h[DT_IP4_OFF_PROTO];
    o->proto = proto;
    uint32_t wire = tot - ihl;
    dt_cur l4 = dt_cur_make(dt_ptr(c), dt_left(c) < wire ? dt_left(c) : wire);

    uint16_t fo = dt_rd_be16(h + DT_IP4_OFF_FRAG);
    if (fo & (DT_IP4_FRAG_MF | DT_IP4_FRAG_OFFSET)) {
        x->d->st.fragments++;
        if (x->reasm)
            return bad(x, DT_ANOM_FRAG_NESTED);
        if (clipped || dt_left(&l4) < wire) {
            /* cut by the snap length: cannot be reassembled; a first fragment is still
             * delivered as it is (its transport header is there) */
            if (fo & DT_IP4_FRAG_OFFSET)
                return bad(x, DT_ANOM_FRAG_TRUNCATED);
            int r = transport(x, proto, 4, &l4, wire);
            *c = l4;
            return r;
        }
        dt_frag_key k;
        memset(&k, 0, sizeof k);
        k.family = 4;
        k.proto = proto;
        memcpy(k.src, h + DT_IP4_OFF_SRC, 4);
        memcpy(k.dst, h + DT_IP4_OFF_DST, 4);
        k.id = dt_rd_be16(h + DT_IP4_OFF_ID);
        const uint8_t *p = NULL;
        uint32_t plen = 0;
        uint8_t nh = 0;
        dt_frag_result r = dt_ipfrag_add(
            x->d->frag, &k, x->ts, (uint32_t)(fo & DT_IP4_FRAG_OFFSET) * 8, dt_ptr(&l4), wire,
            (fo & DT_IP4_FRAG_MF) != 0, 65535 - ihl, proto, &p, &plen, &nh);
        if (r == DT_FRAG_BAD)
            return bad(x, DT_ANOM_FRAG_BAD_OFFSET);
        if (r == DT_FRAG_CONFLICT)
            return bad(x, DT_ANOM_FRAG_CONFLICT);
        if (r != DT_FRAG_COMPLETE)
            return NX_HELD;
        x->reasm = 1;
        o->reassembled = 1;
        o->ip_bytes = ihl + plen;
        wire = plen;
        l4 = dt_cur_make(p, plen);
    }
    int r = transport(x, proto, 4, &l4, wire);
    *c = l4;
    return r;
}

static int ip6(ctx *x, dt_cur *c)
{
    dt_decoded *o = x->out;
    const uint8_t *h = dt_bytes(c, DT_IP6_HDR_LEN);
    if (!h)
        return bad(x, DT_ANOM_IPV6_HEADER_SHORT);
    if (h[DT_IP6_OFF_VER] >> 4 != 6)
        return bad(x, DT_ANOM_IPV6_BAD_VERSION);
    uint32_t plen = dt_rd_be16(h + DT_IP6_OFF_PLEN);
    uint8_t nh = h[DT_IP6_OFF_NEXT];
    if (plen == 0 && nh == DT_IPPROTO_HOPOPTS)
        return bad(x, DT_ANOM_IPV6_JUMBOGRAM); /* jumbogram: not supported */
    int clipped = 0;
    if (x->whole && plen > dt_left(c)) {
        x->d->st.ip_clipped++; /* as for IPv4: count what is there */
        plen = (uint32_t)dt_left(c);
        clipped = 1;
    }
    reset_l4(o);
    dt_addr_set6(&o->src, h + DT_IP6_OFF_SRC);
    dt_addr_set6(&o->dst, h + DT_IP6_OFF_DST);
    o->ip_bytes = DT_IP6_HDR_LEN + plen;
    o->proto = nh;
    uint32_t wire = plen;
    dt_cur p = dt_cur_make(dt_ptr(c), dt_left(c) < wire ? dt_left(c) : wire);

    for (int i = 0;; i++) {
        if (i >= MAX_V6_EXT)
            return bad(x, DT_ANOM_IPV6_TOO_MANY_EXT);
        size_t hl;
        switch (nh) {
        case DT_IPPROTO_HOPOPTS:
        case DT_IPPROTO_ROUTING:
        case DT_IPPROTO_DSTOPTS:
        case DT_IPPROTO_MOBILITY:
        case DT_IPPROTO_HIP:
        case DT_IPPROTO_SHIM6:
        case DT_IPPROTO_AH: {
            uint8_t next = dt_u8(&p);
            uint8_t l = dt_u8(&p);
            if (!dt_ok(&p))
                return bad(x, DT_ANOM_IPV6_EXT_SHORT);
            hl = nh == DT_IPPROTO_AH ? ((size_t)l + 2) * 4 : ((size_t)l + 1) * 8;
            if (hl > wire)
                return bad(x, DT_ANOM_IPV6_EXT_TOO_LONG);
            dt_skip(&p, hl - 2);
            if (!dt_ok(&p))
                return bad(x, DT_ANOM_IPV6_EXT_SHORT);
            wire -= (uint32_t)hl;
            nh = next;
            continue;
        }
        case DT_IPPROTO_FRAGMENT: {
            size_t unfrag = p.pos;
            uint8_t next = dt_u8(&p);
            dt_skip(&p, 1);
            uint16_t fo = dt_be16(&p);
            uint32_t id = dt_be32(&p);
            if (!dt_ok(&p))
                return bad(x, DT_ANOM_IPV6_EXT_SHORT);
            if (wire < DT_IP6_FRAG_HDR_LEN)
                return bad(x, DT_ANOM_IPV6_EXT_TOO_LONG);
            wire -= DT_IP6_FRAG_HDR_LEN;
            if ((fo & (DT_IP6_FRAG_OFFSET | DT_IP6_FRAG_MF)) == 0) { /* atomic (RFC 6946) */
                nh = next;
                continue;
            }
            x->d->st.fragments++;
            if (x->reasm)
                return bad(x, DT_ANOM_FRAG_NESTED);
            if (clipped || dt_left(&p) < wire) { /* truncated: as for IPv4 */
                if (fo & DT_IP6_FRAG_OFFSET)
                    return bad(x, DT_ANOM_FRAG_TRUNCATED);
                nh = next;
                break;
            }
            dt_frag_key k;
            memset(&k, 0, sizeof k);
            k.family = 6;
            memcpy(k.src, h + DT_IP6_OFF_SRC, 16);
            memcpy(k.dst, h + DT_IP6_OFF_DST, 16);
            k.id = id;
            const uint8_t *d = NULL;
            uint32_t dlen = 0;
            uint8_t first_nh = 0;
            dt_frag_result r = dt_ipfrag_add(x->d->frag, &k, x->ts, fo & DT_IP6_FRAG_OFFSET,
                                             dt_ptr(&p), wire, fo & DT_IP6_FRAG_MF,
                                             65535 - (uint32_t)unfrag, next, &d, &dlen, &first_nh);
            if (r == DT_FRAG_BAD)
                return bad(x, DT_ANOM_FRAG_BAD_OFFSET);
            if (r == DT_FRAG_CONFLICT)
                return bad(x, DT_ANOM_FRAG_CONFLICT);
            if (r != DT_FRAG_COMPLETE)
                return NX_HELD;
            x->reasm = 1;
            o->reassembled = 1;
            o->ip_bytes = DT_IP6_HDR_LEN + (uint32_t)unfrag + dlen;
            wire = dlen;
            p = dt_cur_make(d, dlen);
            nh = first_nh;
            continue;
        }
        default:
            break;
        }
        break;
    }
    int r = transport(x, nh, 6, &p, wire);
    *c = p;
    return r;
}

static void count_ok(dt_decode_stats *st, const dt_decoded *o)
{
    if (o->src.family == 6)
        st->ip6++;
    else
        st->ip4++;
    switch (o->proto) {
    case DT_IPPROTO_TCP:
        st->tcp++;
        break;
    case DT_IPPROTO_UDP:
        st->udp++;
        break;
    case DT_IPPROTO_ICMP:
        st->icmp++;
        break;
    case DT_IPPROTO_ICMPV6:
        st->icmp6++;
        break;
    default:
        st->other_ip++;
        break;
    }
    if (o->tunnel && o->tunnel < DT_TUN_COUNT)
        st->tunneled[o->tunnel]++;
}

static void sync_frag_stats(dt_decoder *d)
{
    const dt_ipfrag_stats *fs = dt_ipfrag_get_stats(d->frag);
    d->st.frag_reassembled = fs->reassembled;
    d->st.frag_incomplete = fs->incomplete;
    d->st.frag_overlaps = fs->overlaps;
    d->st.frag_evicted = fs->evicted;
}

dt_decode_result dt_decode(dt_decoder *d, int linktype, uint64_t ts_ns, const uint8_t *data,
                           size_t caplen, uint32_t wirelen, dt_decoded *out)
{
    memset(out, 0, sizeof *out);
    d->st.frames++;
    dt_ipfrag_expire(d->frag, ts_ns);

    ctx x;
    memset(&x, 0, sizeof x);
    x.d = d;
    x.ts = ts_ns;
    x.out = out;
    x.whole = wirelen != 0 && caplen >= wirelen; /* 0: wire length unknown */
    dt_cur c = dt_cur_make(data, caplen);

    int nx = link_layer(&x, linktype, &c);
    if (nx < 0) {
        d->st.unsupported_link++;
        return DT_DEC_UNSUPPORTED_LINK;
    }
    if (!dt_wirelen_plausible(caplen, wirelen))
        nx = bad(&x, DT_ANOM_WIRE_LENGTH_IMPLAUSIBLE);
    for (int step = 0; step < MAX_STEPS; step++) {
        switch (nx) {
        case NX_ETH:
            nx = eth_frame(&x, &c);
            continue;
        case NX_ETYPE:
            nx = ethertype(&x, &c);
            continue;
        case NX_PPP:
            nx = ppp_frame(&x, &c);
            continue;
        case NX_IPANY: {
            uint8_t v;
            if (peek_u8(&c, 0, &v) < 0)
                nx = bad(&x, DT_ANOM_IP_HEADER_SHORT);
            else if (v >> 4 == 4)
                nx = NX_IP4;
            else if (v >> 4 == 6)
                nx = NX_IP6;
            else
                nx = x.have_saved ? NX_NOTIP /* e.g. GTP-U carrying Ethernet */
                                  : bad(&x, DT_ANOM_IP_BAD_VERSION);
            continue;
        }
        case NX_IP4:
            nx = ip4(&x, &c);
            continue;
        case NX_IP6:
            nx = ip6(&x, &c);
            continue;
        default:
            break;
        }
        break;
    }
    if (nx < NX_OK) /* still a layer to decode after MAX_STEPS */
        nx = bad(&x, DT_ANOM_TOO_MANY_LAYERS);
    if (nx == NX_NOTIP && x.have_saved) {
        *out = x.saved; /* a tunnel carried something that is not IP */
        nx = NX_OK;
    }
    sync_frag_stats(d);
    switch (nx) {
    case NX_OK:
        count_ok(&d->st, out);
        return DT_DEC_OK;
    case NX_NOTIP:
        d->st.not_ip++;
        memset(out, 0, sizeof *out);
        return DT_DEC_NOT_IP;
    case NX_HELD:
        d->st.frag_held++;
        memset(out, 0, sizeof *out);
        return DT_DEC_FRAG_HELD;
    default:
        d->st.malformed++;
        d->st.malformed_by_reason[x.why]++;
        memset(out, 0, sizeof *out);
        return DT_DEC_MALFORMED;
    }
}

const dt_decode_stats *dt_decoder_stats(const dt_decoder *d)
{
    return &d->st;
}
