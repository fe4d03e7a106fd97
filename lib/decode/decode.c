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
} ctx;

static void sync_frag_stats(dt_decoder *d);

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
    case 0:   /* BSD NULL */
    case 1:   /* Ethernet */
    case 9:   /* PPP */
    case 12:  /* raw IP (DLT_RAW on some systems) */
    case 14:  /* raw IP (OpenBSD DLT_RAW) */
    case 50:  /* PPP in HDLC-like framing */
    case 101: /* raw IP */
    case 104: /* Cisco HDLC */
    case 105: /* IEEE 802.11 */
    case 108: /* OpenBSD loopback */
    case 113: /* Linux cooked SLL */
    case 127: /* 802.11 with radiotap */
    case 192: /* PPI */
    case 228: /* raw IPv4 */
    case 229: /* raw IPv6 */
    case 276: /* Linux cooked SLL2 */
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
        return NX_BAD;
    if (h[0] != 0xaa || h[1] != 0xaa || h[2] != 0x03)
        return NX_NOTIP;
    const uint8_t *snap = dt_bytes(c, 5);
    if (!snap)
        return NX_BAD;
    /* OUI 00-00-00 (RFC 1042) or 00-00-f8 (802.1H bridge tunnel) carry ethertypes. */
    if (snap[0] != 0 || snap[1] != 0 || (snap[2] != 0 && snap[2] != 0xf8))
        return NX_NOTIP;
    x->et = dt_rd_be16(snap + 3);
    return NX_ETYPE;
}

static int eth_frame(ctx *x, dt_cur *c)
{
    if (!dt_bytes(c, 12))
        return NX_BAD;
    uint16_t t = dt_be16(c);
    if (!dt_ok(c))
        return NX_BAD;
    if (t <= 1500) { /* 802.3 length, LLC follows */
        cur_trim(c, t);
        return llc_snap(x, c);
    }
    if (t < 0x0600)
        return NX_NOTIP;
    x->et = t;
    return NX_ETYPE;
}

static int ppp_proto(uint16_t p)
{
    if (p == 0x0021)
        return NX_IP4;
    if (p == 0x0057)
        return NX_IP6;
    return NX_NOTIP;
}

static int ppp_frame(ctx *x, dt_cur *c)
{
    uint8_t b0 = 0, b1 = 0;
    if (peek_u8(c, 0, &b0) < 0)
        return NX_BAD;
    if ((b0 == 0x0f || b0 == 0x8f) && peek_u8(c, 1, &b1) == 0 && b1 == 0x00) {
        /* Cisco HDLC framing on a PPP link (as Wireshark accepts): ethertype follows */
        dt_skip(c, 2);
        x->et = dt_be16(c);
        return dt_ok(c) ? NX_ETYPE : NX_BAD;
    }
    if (b0 == 0xff && peek_u8(c, 1, &b1) == 0 && b1 == 0x03) {
        dt_skip(c, 2);
        if (peek_u8(c, 0, &b0) < 0)
            return NX_BAD;
    }
    uint16_t p;
    if (b0 & 1) /* protocol field compression: one-byte protocol */
        p = dt_u8(c);
    else
        p = dt_be16(c);
    if (!dt_ok(c))
        return NX_BAD;
    return ppp_proto(p);
}

static int ethertype(ctx *x, dt_cur *c)
{
    for (int depth = 0; depth <= MAX_VLAN; depth++) {
        switch (x->et) {
        case 0x0800:
            return NX_IP4;
        case 0x86dd:
            return NX_IP6;
        case 0x8100: /* 802.1Q */
        case 0x88a8: /* 802.1ad */
        case 0x9100: /* old QinQ */
        case 0x9200:
            dt_skip(c, 2);
            x->et = dt_be16(c);
            if (!dt_ok(c))
                return NX_BAD;
            if (x->et <= 1500) {
                cur_trim(c, x->et);
                int r = llc_snap(x, c);
                if (r != NX_ETYPE)
                    return r;
            }
            continue;
        case 0x8847: /* MPLS unicast */
        case 0x8848: /* MPLS multicast */
            for (int i = 0;; i++) {
                const uint8_t *l = dt_bytes(c, 4);
                if (!l || i >= MAX_MPLS)
                    return NX_BAD;
                if (l[2] & 1) /* bottom of stack */
                    break;
            }
            {
                uint8_t v;
                if (peek_u8(c, 0, &v) < 0)
                    return NX_BAD;
                if (v >> 4 == 4)
                    return NX_IP4;
                if (v >> 4 == 6)
                    return NX_IP6;
                return NX_NOTIP;
            }
        case 0x8864: { /* PPPoE session */
            uint8_t vt = dt_u8(c);
            uint8_t code = dt_u8(c);
            dt_skip(c, 2); /* session id */
            uint16_t plen = dt_be16(c);
            if (!dt_ok(c))
                return NX_BAD;
            if (vt != 0x11 || code != 0)
                return NX_NOTIP;
            cur_trim(c, plen);
            uint16_t p = dt_be16(c);
            if (!dt_ok(c))
                return NX_BAD;
            return ppp_proto(p);
        }
        default:
            return NX_NOTIP;
        }
    }
    return NX_BAD; /* too many VLAN tags */
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
        return NX_BAD;
    if ((fc0 & 3) != 0)
        return NX_BAD;
    unsigned type = fc0 >> 2 & 3, subtype = fc0 >> 4;
    if (type != 2)
        return NX_NOTIP;
    dt_skip(c, 2 + 6 + 6 + 6); /* duration, addr1-3 */
    uint16_t seqctl = dt_le16(c);
    if ((fc1 & 3) == 3)
        dt_skip(c, 6); /* addr4 */
    uint8_t qos0 = 0;
    if (subtype & 8) { /* QoS data */
        qos0 = dt_u8(c);
        dt_skip(c, 1);
        if (fc1 & 0x80)
            dt_skip(c, 4); /* HT control */
    }
    if (!dt_ok(c))
        return NX_BAD;
    if (subtype & 4)
        return NX_NOTIP; /* null function: no body */
    if (fc1 & 0x40)
        return NX_NOTIP; /* protected */
    /* 802.11 fragment: more fragments follow, or a later fragment (a non-zero
     * number whose body does not start a frame: some controllers number
     * unfragmented frames, so an LLC/SNAP header wins) */
    if ((fc1 & 0x04) ||
        ((seqctl & 0x0f) && !(dt_left(c) >= 3 && memcmp(dt_ptr(c), "\xaa\xaa\x03", 3) == 0)))
        return NX_NOTIP;
    if (qos0 & 0x80)
        return NX_NOTIP; /* A-MSDU aggregate: not decoded */
    return llc_snap(x, c);
}

static int radiotap(ctx *x, dt_cur *c)
{
    const uint8_t *start = dt_ptr(c);
    uint8_t ver = dt_u8(c);
    dt_skip(c, 1);
    uint16_t len = dt_le16(c);
    uint32_t present = dt_le32(c);
    if (!dt_ok(c) || ver != 0 || len < 8)
        return NX_BAD;
    dt_cur rt = dt_cur_make(start, len);
    if (dt_left(c) + 8 < len)
        return NX_BAD;
    dt_skip(&rt, 8);
    uint32_t p = present;
    while (p & 0x80000000u) {
        p = dt_le32(&rt);
        if (!dt_ok(&rt))
            return NX_BAD;
    }
    uint8_t flags = 0;
    if (present & 2) {
        if (present & 1) {
            size_t pad = (8 - rt.pos % 8) % 8;
            dt_skip(&rt, pad + 8); /* TSFT */
        }
        flags = dt_u8(&rt);
        if (!dt_ok(&rt))
            return NX_BAD;
    }
    dt_skip(c, (size_t)len - 8);
    if (flags & 0x10) { /* FCS at end */
        if (dt_left(c) < 4)
            return NX_BAD;
        c->len -= 4;
    }
    return wifi_frame(x, c);
}

static int bsd_null(dt_cur *c)
{
    uint32_t af = dt_be32(c);
    if (!dt_ok(c))
        return NX_BAD;
    if (af > 0xffff) /* written in the other byte order */
        af = (af >> 24) | (af >> 8 & 0xff00) | (af << 8 & 0xff0000) | (af << 24);
    switch (af) {
    case 2:
        return NX_IP4;
    case 10:
    case 24:
    case 28:
    case 30:
        return NX_IP6;
    default:
        return NX_NOTIP;
    }
}

static int link_layer(ctx *x, int linktype, dt_cur *c)
{
    switch (linktype) {
    case 1:
        return NX_ETH;
    case 113: { /* SLL: type, arphrd, addr len, addr[8], protocol */
        dt_skip(c, 2);
        uint16_t hatype = dt_be16(c);
        dt_skip(c, 10);
        x->et = dt_be16(c);
        if (!dt_ok(c))
            return NX_BAD;
        if (hatype == 824) /* netlink */
            return NX_NOTIP;
        return NX_ETYPE;
    }
    case 276: { /* SLL2: protocol, reserved, ifindex, arphrd, type, addr len, addr[8] */
        x->et = dt_be16(c);
        dt_skip(c, 6);
        uint16_t hatype = dt_be16(c);
        dt_skip(c, 10);
        if (!dt_ok(c))
            return NX_BAD;
        if (hatype == 824)
            return NX_NOTIP;
        return NX_ETYPE;
    }
    case 12:
    case 14:
    case 101:
    case 228:
    case 229:
        return NX_IPANY;
    case 0:
    case 108:
        return bsd_null(c);
    case 9:
    case 50:
        return NX_PPP;
    case 104: /* Cisco HDLC: address, control, ethertype */
        dt_skip(c, 2);
        x->et = dt_be16(c);
        return dt_ok(c) ? NX_ETYPE : NX_BAD;
    case 105:
        return wifi_frame(x, c);
    case 127:
        return radiotap(x, c);
    case 192: { /* PPI: version, flags, header length (LE), inner DLT (LE) */
        uint8_t ver = dt_u8(c);
        dt_skip(c, 1);
        uint16_t hl = dt_le16(c);
        uint32_t dlt = dt_le32(c);
        if (!dt_ok(c) || ver != 0 || hl < 8)
            return NX_BAD;
        dt_skip(c, (size_t)hl - 8);
        if (!dt_ok(c))
            return NX_BAD;
        if (dlt > 0xffff || dlt == 192 || !dt_linktype_supported((int)dlt))
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

static int enter_tunnel(ctx *x, dt_tunnel kind)
{
    dt_decoded *o = x->out;
    if (o->tunnel_depth >= x->d->lim.max_tunnel_depth || o->tunnel_depth >= 255)
        return NX_BAD;
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
    if (!h || !(h[0] & 0x08))
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
    if ((fc0 & 3) != 0 && (fc1 & 3) == 0) { /* Cisco controllers swap the frame control bytes */
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
    if (!dt_ok(&t) || fl >> 5 != 1 || !(fl & 0x10) || type != 0xff)
        return NX_OK; /* not a G-PDU: deliver the UDP packet */
    cur_trim(&t, len);
    if (fl & 0x07) {
        dt_skip(&t, 3); /* sequence number, N-PDU number */
        uint8_t next = dt_u8(&t);
        for (int i = 0; next != 0; i++) {
            uint8_t elen = dt_u8(&t);
            if (!dt_ok(&t) || elen == 0 || i >= MAX_GTP_EXT)
                return NX_BAD;
            dt_skip(&t, (size_t)elen * 4 - 2);
            next = dt_u8(&t);
        }
        if (!dt_ok(&t))
            return NX_BAD;
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
        return NX_BAD;
    unsigned ver = fl & 7;
    int next;
    if (ver == 0) {
        if (fl & 0x4000)
            return NX_OK; /* source routing (RFC 1701): not decoded */
        if (fl & 0x8000)
            dt_skip(c, 4); /* checksum + reserved */
        if (fl & 0x2000)
            dt_skip(c, 4); /* key */
        if (fl & 0x1000)
            dt_skip(c, 4); /* sequence */
        if (!dt_ok(c))
            return NX_BAD;
        switch (pt) {
        case 0x0800:
            next = NX_IP4;
            break;
        case 0x86dd:
            next = NX_IP6;
            break;
        case 0x6558: /* transparent Ethernet bridging */
            next = NX_ETH;
            break;
        case 0x88be: /* ERSPAN type II: 8-byte header, then Ethernet */
            if (!(fl & 0x1000))
                return NX_OK;
            dt_skip(c, 8);
            if (!dt_ok(c))
                return NX_BAD;
            next = NX_ETH;
            break;
        case 0x880b:
            next = NX_PPP;
            break;
        default:
            return NX_OK;
        }
    } else if (ver == 1) { /* enhanced GRE (PPTP, RFC 2637) */
        if (pt != 0x880b || !(fl & 0x2000))
            return NX_BAD;
        uint16_t plen = dt_be16(c);
        dt_skip(c, 2); /* call id */
        if (fl & 0x1000)
            dt_skip(c, 4);
        if (fl & 0x0080)
            dt_skip(c, 4); /* acknowledgment */
        if (!dt_ok(c))
            return NX_BAD;
        if (!(fl & 0x1000) || plen == 0)
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
    case 6: {
        const uint8_t *h = dt_bytes(c, 20);
        if (!h)
            return NX_BAD;
        unsigned off = (unsigned)(h[12] >> 4) * 4;
        if (off < 20 || wire < off)
            return NX_BAD;
        dt_skip(c, off - 20);
        if (!dt_ok(c))
            return NX_BAD;
        o->sport = dt_rd_be16(h);
        o->dport = dt_rd_be16(h + 2);
        o->seq = dt_rd_be32(h + 4);
        o->ack = dt_rd_be32(h + 8);
        o->tcp_flags = h[13];
        o->window = dt_rd_be16(h + 14);
        set_payload(o, c, wire - off);
        return NX_OK;
    }
    case 17: {
        const uint8_t *h = dt_bytes(c, 8);
        if (!h || wire < 8)
            return NX_BAD;
        uint16_t ulen = dt_rd_be16(h + 4);
        if (ulen < 8)
            return NX_BAD;
        o->sport = dt_rd_be16(h);
        o->dport = dt_rd_be16(h + 2);
        uint32_t uw = ulen - 8u;
        if (uw > wire - 8)
            uw = wire - 8;
        set_payload(o, c, uw);
        cur_trim(c, uw);
        if (o->dport == 4789)
            return vxlan(x, c);
        if (o->dport == 2152 || o->sport == 2152)
            return gtpu(x, c);
        if (o->dport == 5247 || o->sport == 5247)
            return capwap(x, c);
        return NX_OK;
    }
    case 4:
    case 41:
        set_payload(o, c, wire);
        if (enter_tunnel(x, proto == 41 && outer_family == 4 ? DT_TUN_6IN4 : DT_TUN_IPIP))
            return NX_BAD;
        return proto == 4 ? NX_IP4 : NX_IP6;
    case 47:
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
    const uint8_t *h = dt_bytes(c, 20);
    if (!h || h[0] >> 4 != 4)
        return NX_BAD;
    unsigned ihl = (unsigned)(h[0] & 15) * 4;
    uint32_t tot = dt_rd_be16(h + 2);
    if (tot == 0) /* segmentation offload: length left to the NIC */
        tot = avail > 65535 ? 65535 : (uint32_t)avail;
    if (ihl < 20 || tot < ihl)
        return NX_BAD;
    int clipped = 0;
    if (x->whole && tot > avail) {
        /* the frame was captured whole, so the length lies (or a capture tool cut it
         * without saying): count what is there */
        x->d->st.ip_clipped++;
        tot = (uint32_t)avail;
        clipped = 1;
        if (tot < ihl)
            return NX_BAD;
    }
    dt_skip(c, ihl - 20); /* options */
    if (!dt_ok(c))
        return NX_BAD;
    reset_l4(o);
    dt_addr_set4(&o->src, h + 12);
    dt_addr_set4(&o->dst, h + 16);
    o->ip_bytes = tot;
    uint8_t proto = h[9];
    o->proto = proto;
    uint32_t wire = tot - ihl;
    dt_cur l4 = dt_cur_make(dt_ptr(c), dt_left(c) < wire ? dt_left(c) : wire);

    uint16_t fo = dt_rd_be16(h + 6);
    if (fo & 0x3fff) { /* MF set or offset != 0 */
        x->d->st.fragments++;
        if (x->reasm)
            return NX_BAD;
        if (clipped || dt_left(&l4) < wire) {
            /* cut by the snap length: cannot be reassembled; a first fragment is still
             * delivered as it is (its transport header is there) */
            if (fo & 0x1fff)
                return NX_BAD;
            int r = transport(x, proto, 4, &l4, wire);
            *c = l4;
            return r;
        }
        dt_frag_key k;
        memset(&k, 0, sizeof k);
        k.family = 4;
        k.proto = proto;
        memcpy(k.src, h + 12, 4);
        memcpy(k.dst, h + 16, 4);
        k.id = dt_rd_be16(h + 4);
        const uint8_t *p = NULL;
        uint32_t plen = 0;
        uint8_t nh = 0;
        dt_frag_result r =
            dt_ipfrag_add(x->d->frag, &k, x->ts, (uint32_t)(fo & 0x1fff) * 8, dt_ptr(&l4), wire,
                          (fo & 0x2000) != 0, 65535 - ihl, proto, &p, &plen, &nh);
        if (r == DT_FRAG_BAD)
            return NX_BAD;
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
    const uint8_t *h = dt_bytes(c, 40);
    if (!h || h[0] >> 4 != 6)
        return NX_BAD;
    uint32_t plen = dt_rd_be16(h + 4);
    uint8_t nh = h[6];
    if (plen == 0 && nh == 0)
        return NX_BAD; /* jumbogram: not supported */
    int clipped = 0;
    if (x->whole && plen > dt_left(c)) {
        x->d->st.ip_clipped++; /* as for IPv4: count what is there */
        plen = (uint32_t)dt_left(c);
        clipped = 1;
    }
    reset_l4(o);
    dt_addr_set6(&o->src, h + 8);
    dt_addr_set6(&o->dst, h + 24);
    o->ip_bytes = 40 + plen;
    o->proto = nh;
    uint32_t wire = plen;
    dt_cur p = dt_cur_make(dt_ptr(c), dt_left(c) < wire ? dt_left(c) : wire);

    for (int i = 0;; i++) {
        if (i >= MAX_V6_EXT)
            return NX_BAD;
        size_t hl;
        switch (nh) {
        case 0:   /* hop-by-hop */
        case 43:  /* routing */
        case 60:  /* destination options */
        case 135: /* mobility */
        case 139: /* HIP */
        case 140: /* shim6 */
        case 51:  /* AH */
        {
            uint8_t next = dt_u8(&p);
            uint8_t l = dt_u8(&p);
            if (!dt_ok(&p))
                return NX_BAD;
            hl = nh == 51 ? ((size_t)l + 2) * 4 : ((size_t)l + 1) * 8;
            if (hl > wire)
                return NX_BAD;
            dt_skip(&p, hl - 2);
            if (!dt_ok(&p))
                return NX_BAD;
            wire -= (uint32_t)hl;
            nh = next;
            continue;
        }
        case 44: { /* fragment */
            size_t unfrag = p.pos;
            uint8_t next = dt_u8(&p);
            dt_skip(&p, 1);
            uint16_t fo = dt_be16(&p);
            uint32_t id = dt_be32(&p);
            if (!dt_ok(&p) || wire < 8)
                return NX_BAD;
            wire -= 8;
            if ((fo & 0xfff9) == 0) { /* atomic fragment (RFC 6946) */
                nh = next;
                continue;
            }
            x->d->st.fragments++;
            if (x->reasm)
                return NX_BAD;
            if (clipped || dt_left(&p) < wire) { /* truncated: as for IPv4 */
                if (fo & 0xfff8)
                    return NX_BAD;
                nh = next;
                break;
            }
            dt_frag_key k;
            memset(&k, 0, sizeof k);
            k.family = 6;
            memcpy(k.src, h + 8, 16);
            memcpy(k.dst, h + 24, 16);
            k.id = id;
            const uint8_t *d = NULL;
            uint32_t dlen = 0;
            uint8_t first_nh = 0;
            dt_frag_result r =
                dt_ipfrag_add(x->d->frag, &k, x->ts, fo & 0xfff8u, dt_ptr(&p), wire, fo & 1,
                              65535 - (uint32_t)unfrag, next, &d, &dlen, &first_nh);
            if (r == DT_FRAG_BAD)
                return NX_BAD;
            if (r != DT_FRAG_COMPLETE)
                return NX_HELD;
            x->reasm = 1;
            o->reassembled = 1;
            o->ip_bytes = 40 + (uint32_t)unfrag + dlen;
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
    case 6:
        st->tcp++;
        break;
    case 17:
        st->udp++;
        break;
    case 1:
        st->icmp++;
        break;
    case 58:
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
                nx = NX_BAD;
            else if (v >> 4 == 4)
                nx = NX_IP4;
            else if (v >> 4 == 6)
                nx = NX_IP6;
            else
                nx = x.have_saved ? NX_NOTIP : NX_BAD; /* e.g. GTP-U carrying Ethernet */
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
        memset(out, 0, sizeof *out);
        return DT_DEC_MALFORMED;
    }
}

const dt_decode_stats *dt_decoder_stats(const dt_decoder *d)
{
    return &d->st;
}
