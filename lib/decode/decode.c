/* Ethertypes, tunnels and IP decoding (the link layers are in decode/link.c).
 *
 * A frame is decoded by a small state machine (no recursion): each step
 * consumes one header from the cursor and names the next layer.  Tunnels
 * (GRE, ERSPAN, VXLAN, Geneve, GTP-U, CAPWAP, L2TP, Teredo, IP-in-IP) feed the
 * inner packet back into the loop, bounded by dt_decode_limits.max_tunnel_depth.
 * When a tunnel's payload turns out not to be IP (GRE keepalive, PPTP with
 * encrypted PPP, VXLAN carrying ARP, an L2TP control message, ...) the packet
 * that carried it is delivered instead.
 */
#include "decode/decode_int.h"

#include "util/netconst.h"

#include <stdlib.h>
#include <string.h>

/* GRE header flags (RFC 2784, RFC 2890; RFC 1701 routing; RFC 2637 enhanced GRE) */
#define GRE_F_CSUM 0x8000
#define GRE_F_ROUTING 0x4000
#define GRE_F_KEY 0x2000
#define GRE_F_SEQ 0x1000
#define GRE_F_ACK 0x0080 /* enhanced GRE only */
#define GRE_VERSION 0x0007

#define VXLAN_F_VNI 0x08 /* "I" flag: the VNI is valid */

/* Geneve (RFC 8926): version (2 bits) and options length (6 bits, in 4-byte words),
 * flags, protocol type, VNI, reserved */
#define GENEVE_HDR_LEN 8
#define GENEVE_VERSION_SHIFT 6
#define GENEVE_OPTLEN_MASK 0x3f

/* ERSPAN type II: version (4 bits) = 1, VLAN, COS, ..., session, index; 8 bytes.
 * Type III: version = 2; 12 bytes, the last 16 bits: P, frame type (5 bits),
 * hardware id, D, granularity, O (an 8-byte platform-specific subheader follows) */
#define ERSPAN2_HDR_LEN 8
#define ERSPAN2_VERSION 1
#define ERSPAN3_HDR_LEN 12
#define ERSPAN3_VERSION 2
#define ERSPAN3_OFF_FLAGS 10
#define ERSPAN3_F_OPTIONAL 0x0001
#define ERSPAN3_FT_SHIFT 10
#define ERSPAN3_FT_MASK 0x1f
#define ERSPAN3_FT_ETHERNET 0
#define ERSPAN3_FT_IP 2
#define ERSPAN3_SUBHDR_LEN 8

/* L2TP header flags and version (RFC 2661; RFC 3931 over UDP) */
#define L2TP_F_TYPE 0x8000 /* control message */
#define L2TP_F_LENGTH 0x4000
#define L2TP_F_SEQ 0x0800
#define L2TP_F_OFFSET 0x0200
#define L2TP_VERSION 0x000f

/* Teredo (RFC 4380): indicators before the IPv6 packet */
#define TEREDO_AUTH_FIXED 13 /* type, ID length, AU length, nonce (8), confirmation */
#define TEREDO_ORIGIN_LEN 8  /* type, port, address */

/* PCAPdroid's per-packet trailer (PCAPdroid's "PCAP with trailer" dump mode): the IP
 * packet behind a made-up Ethernet header, padded to 4 bytes, then magic, UID (both
 * big-endian), the app's name (20 bytes, NUL-padded) and a CRC-32 of the frame */
#define PCAPDROID_MAGIC 0x01072021u
#define PCAPDROID_TRAILER_LEN 32
#define PCAPDROID_OFF_UID 4
#define PCAPDROID_OFF_APP 8
#define PCAPDROID_APP_LEN 20
#define PCAPDROID_PAD_MAX 3

/* GTP-U first byte: version (3 bits), protocol type, spare, E, S, PN */
#define GTP_F_PT 0x10
#define GTP_F_OPT 0x07 /* E, S or PN: the 4 optional bytes are present */
#define GTP_MSG_GPDU 0xff

#define MAX_VLAN 8
#define MAX_MPLS 16
#define MAX_V6_EXT 16
#define MAX_GTP_EXT 16
#define MAX_STEPS 512

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
    case DT_TUN_GENEVE:
        return "geneve";
    case DT_TUN_ERSPAN:
        return "erspan";
    case DT_TUN_L2TP:
        return "l2tp";
    case DT_TUN_TEREDO:
        return "teredo";
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

/* ---- ethertypes ------------------------------------------------------------------- */

static int ethertype(dt_dctx *x, dt_cur *c)
{
    for (int depth = 0; depth <= MAX_VLAN; depth++) {
        if (x->et == DT_ETHERTYPE_IPV4) /* the switch would test it after four others */
            return NX_IP4;
        switch (x->et) {
        case DT_ETHERTYPE_IPV6:
            return NX_IP6;
        case DT_ETHERTYPE_VLAN:
        case DT_ETHERTYPE_QINQ:
        case DT_ETHERTYPE_QINQ_9100:
        case DT_ETHERTYPE_QINQ_9200:
            dt_skip(c, 2);
            x->et = dt_be16(c);
            if (!dt_ok(c))
                return dt_dec_bad(x, DT_ANOM_VLAN_HEADER_SHORT);
            if (x->et <= DT_ETH_MAX_LEN) {
                dt_cur_trim(c, x->et);
                int r = dt_dec_llc_snap(x, c);
                if (r != NX_ETYPE)
                    return r;
            }
            continue;
        case DT_ETHERTYPE_MPLS_UC:
        case DT_ETHERTYPE_MPLS_MC:
            for (int i = 0;; i++) {
                const uint8_t *l = dt_bytes(c, 4);
                if (!l)
                    return dt_dec_bad(x, DT_ANOM_MPLS_HEADER_SHORT);
                if (i >= MAX_MPLS)
                    return dt_dec_bad(x, DT_ANOM_MPLS_TOO_DEEP);
                if (l[2] & 1) /* bottom of stack */
                    break;
            }
            {
                uint8_t v;
                if (dt_peek_u8(c, 0, &v) < 0)
                    return dt_dec_bad(x, DT_ANOM_MPLS_HEADER_SHORT);
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
                return dt_dec_bad(x, DT_ANOM_PPPOE_HEADER_SHORT);
            if (vt != 0x11 || code != 0)
                return NX_NOTIP;
            dt_cur_trim(c, plen);
            uint16_t p = dt_be16(c);
            if (!dt_ok(c))
                return dt_dec_bad(x, DT_ANOM_PPPOE_HEADER_SHORT);
            return dt_dec_ppp_proto(p);
        }
        default:
            return NX_NOTIP;
        }
    }
    return dt_dec_bad(x, DT_ANOM_VLAN_TOO_DEEP);
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
static int enter_tunnel(dt_dctx *x, dt_tunnel kind)
{
    dt_decoded *o = x->out;
    if (o->tunnel_depth >= x->d->lim.max_tunnel_depth || o->tunnel_depth >= 255)
        return dt_dec_bad(x, DT_ANOM_TUNNEL_TOO_DEEP);
    x->saved = *o;
    x->have_saved = 1;
    x->inner_tunnel = (uint8_t)kind;
    if (!o->tunnel)
        o->tunnel = (uint8_t)kind;
    o->tunnel_depth++;
    return 0;
}

/* VXLAN (RFC 7348): flags with the I bit, reserved, VNI, reserved; then Ethernet. */
static int vxlan(dt_dctx *x, dt_cur *c)
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
static int capwap(dt_dctx *x, dt_cur *c)
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
    return dt_dec_wifi_fc(x, c, fc0, fc1);
}

/* The next step for a tunnel's protocol type (GRE, Geneve): IPv4, IPv6 or Ethernet
 * (transparent Ethernet bridging); -1 for another type. */
static int tunnel_payload(uint16_t type)
{
    if (type == DT_ETHERTYPE_IPV4)
        return NX_IP4;
    if (type == DT_ETHERTYPE_IPV6)
        return NX_IP6;
    return type == DT_ETHERTYPE_TEB ? NX_ETH : -1;
}

/* Geneve (RFC 8926): the options are skipped by their length; Ethernet, IPv4 or
 * IPv6 inside (another protocol type: the UDP packet is delivered). */
static int geneve(dt_dctx *x, dt_cur *c)
{
    const uint8_t *h = dt_bytes(c, GENEVE_HDR_LEN);
    if (!h)
        return dt_dec_bad(x, DT_ANOM_GENEVE_HEADER_SHORT);
    if (h[0] >> GENEVE_VERSION_SHIFT != 0)
        return dt_dec_bad(x, DT_ANOM_GENEVE_BAD_VERSION);
    dt_skip(c, (size_t)(h[0] & GENEVE_OPTLEN_MASK) * 4);
    if (!dt_ok(c))
        return dt_dec_bad(x, DT_ANOM_GENEVE_HEADER_SHORT);
    int next = tunnel_payload(dt_rd_be16(h + 2));
    if (next < 0)
        return NX_OK;
    if (enter_tunnel(x, DT_TUN_GENEVE))
        return NX_BAD;
    return next;
}

/* Does an Ethernet frame carrying IP, ARP or a VLAN tag start at p (n bytes there)? */
static int looks_like_eth(const uint8_t *p, size_t n)
{
    if (n < 14 + 20 || (p[6] & 1)) /* a source address is never a group address */
        return 0;
    uint16_t t = dt_rd_be16(p + 12);
    if (t == DT_ETHERTYPE_IPV4)
        return p[14] >> 4 == 4 && (p[14] & 15) >= 5;
    if (t == DT_ETHERTYPE_IPV6)
        return p[14] >> 4 == 6;
    return t == DT_ETHERTYPE_ARP || t == DT_ETHERTYPE_VLAN || t == DT_ETHERTYPE_QINQ;
}

/* Does an IP packet of exactly `wire` bytes (as sent) start at p (n captured)? */
static int looks_like_ip(const uint8_t *p, size_t n, size_t wire)
{
    if (n < 20)
        return 0;
    if (p[0] >> 4 == 4)
        return (p[0] & 15) >= 5 && dt_rd_be16(p + DT_IP4_OFF_TOTLEN) == wire;
    return n >= DT_IP6_HDR_LEN && p[0] >> 4 == 6 &&
           DT_IP6_HDR_LEN + (size_t)dt_rd_be16(p + DT_IP6_OFF_PLEN) == wire;
}

/* An L2TPv3 data message from its session id on (RFC 3931: over IP right after the IP
 * header, over UDP after flags and reserved).  Session 0 is a control message.  The
 * cookie (0, 4 or 8 bytes) and the optional 4-byte default L2-specific sublayer are
 * set up by the control connection, not written in the packet: the payload is taken
 * at the first of the offsets 0, 4, 8, 12 where an Ethernet frame carrying IP, ARP or
 * a VLAN tag, or an IP packet filling the rest exactly, starts.  Otherwise the packet
 * that carries it is delivered.  wire: the bytes sent from the session id on. */
static int l2tpv3(dt_dctx *x, dt_cur *c, size_t wire)
{
    uint32_t session = dt_be32(c);
    if (!dt_ok(c) || wire < 4)
        return dt_dec_bad(x, DT_ANOM_L2TP_HEADER_SHORT);
    if (session == 0)
        return NX_OK;
    wire -= 4;
    for (size_t off = 0; off <= 12 && off < dt_left(c) && off <= wire; off += 4) {
        const uint8_t *p = dt_ptr(c) + off;
        size_t n = dt_left(c) - off;
        int next = looks_like_eth(p, n) ? NX_ETH : looks_like_ip(p, n, wire - off) ? NX_IPANY : -1;
        if (next < 0)
            continue;
        if (enter_tunnel(x, DT_TUN_L2TP))
            return NX_BAD;
        dt_skip(c, off);
        return next;
    }
    return NX_OK;
}

/* L2TP over UDP: version 2 data messages carry PPP; version 3 goes on as over IP.
 * Control messages, L2F (version 1) and other versions are delivered as UDP. */
static int l2tp_udp(dt_dctx *x, dt_cur *c, size_t wire)
{
    uint16_t fl = dt_be16(c);
    if (!dt_ok(c))
        return dt_dec_bad(x, DT_ANOM_L2TP_HEADER_SHORT);
    if (fl & L2TP_F_TYPE)
        return NX_OK;
    if ((fl & L2TP_VERSION) == 3) {
        dt_skip(c, 2); /* reserved */
        return wire < 4 ? dt_dec_bad(x, DT_ANOM_L2TP_HEADER_SHORT) : l2tpv3(x, c, wire - 4);
    }
    if ((fl & L2TP_VERSION) != 2)
        return NX_OK;
    if (fl & L2TP_F_LENGTH)
        dt_skip(c, 2);
    dt_skip(c, 4); /* tunnel id, session id */
    if (fl & L2TP_F_SEQ)
        dt_skip(c, 4); /* Ns, Nr */
    if (fl & L2TP_F_OFFSET)
        dt_skip(c, dt_be16(c)); /* offset size, then the padding */
    if (!dt_ok(c))
        return dt_dec_bad(x, DT_ANOM_L2TP_HEADER_SHORT);
    if (enter_tunnel(x, DT_TUN_L2TP))
        return NX_BAD;
    return NX_PPP;
}

/* Teredo (RFC 4380): IPv6 in UDP, after an optional authentication indicator and an
 * optional origin indication.  A payload that is not IPv6 (no Teredo packet) is
 * delivered as UDP, and so is an IPv6 packet without TCP or UDP (bubbles, router
 * solicitations of the qualification: the client talking to its Teredo server, see
 * dt_decode); an indicator cut short is malformed. */
static int teredo(dt_dctx *x, dt_cur *c)
{
    dt_cur t = *c;
    uint8_t b0 = 0, b1 = 0;
    if (dt_peek_u8(&t, 0, &b0) == 0 && b0 == 0 && dt_peek_u8(&t, 1, &b1) == 0 && b1 == 1) {
        dt_skip(&t, 2);
        uint8_t id_len = dt_u8(&t), au_len = dt_u8(&t);
        dt_skip(&t, (size_t)id_len + au_len + TEREDO_AUTH_FIXED - 4);
        if (!dt_ok(&t))
            return dt_dec_bad(x, DT_ANOM_TEREDO_HEADER_SHORT);
    }
    if (dt_peek_u8(&t, 0, &b0) == 0 && b0 == 0 && dt_peek_u8(&t, 1, &b1) == 0 && b1 == 0) {
        dt_skip(&t, TEREDO_ORIGIN_LEN);
        if (!dt_ok(&t))
            return dt_dec_bad(x, DT_ANOM_TEREDO_HEADER_SHORT);
    }
    if (dt_left(&t) < DT_IP6_HDR_LEN || dt_ptr(&t)[0] >> 4 != 6)
        return NX_OK;
    if (enter_tunnel(x, DT_TUN_TEREDO))
        return NX_BAD;
    *c = t;
    return NX_IP6;
}

/* GTP-U version 1 (3GPP TS 29.281): only G-PDU (type 0xff) carries user IP packets. */
static int gtpu(dt_dctx *x, dt_cur *c)
{
    dt_cur t = *c;
    uint8_t fl = dt_u8(&t);
    uint8_t type = dt_u8(&t);
    uint16_t len = dt_be16(&t);
    dt_skip(&t, 4); /* TEID */
    if (!dt_ok(&t) || fl >> 5 != 1 || !(fl & GTP_F_PT) || type != GTP_MSG_GPDU)
        return NX_OK; /* not a G-PDU: deliver the UDP packet */
    dt_cur_trim(&t, len);
    if (fl & GTP_F_OPT) {
        dt_skip(&t, 3); /* sequence number, N-PDU number */
        uint8_t next = dt_u8(&t);
        for (int i = 0; next != 0; i++) {
            uint8_t elen = dt_u8(&t);
            if (!dt_ok(&t))
                return dt_dec_bad(x, DT_ANOM_GTPU_HEADER_SHORT);
            if (elen == 0 || i >= MAX_GTP_EXT)
                return dt_dec_bad(x, DT_ANOM_GTPU_BAD_EXTENSION);
            dt_skip(&t, (size_t)elen * 4 - 2);
            next = dt_u8(&t);
        }
        if (!dt_ok(&t))
            return dt_dec_bad(x, DT_ANOM_GTPU_HEADER_SHORT);
    }
    if (enter_tunnel(x, DT_TUN_GTPU))
        return NX_BAD;
    *c = t;
    return NX_IPANY;
}

/* ERSPAN (switch port mirroring) inside GRE: type I (protocol 0x88be without a GRE
 * sequence number) is the mirrored Ethernet frame right away; type II (0x88be with a
 * sequence number) and type III (0x22eb) put a header before it. */
static int erspan(dt_dctx *x, dt_cur *c, uint16_t pt, int gre_seq)
{
    int next = NX_ETH;
    if (pt == DT_ETHERTYPE_ERSPAN2 && gre_seq) {
        const uint8_t *h = dt_bytes(c, ERSPAN2_HDR_LEN);
        if (!h)
            return dt_dec_bad(x, DT_ANOM_ERSPAN_HEADER_SHORT);
        if (h[0] >> 4 != ERSPAN2_VERSION)
            return dt_dec_bad(x, DT_ANOM_ERSPAN_BAD_VERSION);
    } else if (pt == DT_ETHERTYPE_ERSPAN3) {
        const uint8_t *h = dt_bytes(c, ERSPAN3_HDR_LEN);
        if (!h)
            return dt_dec_bad(x, DT_ANOM_ERSPAN_HEADER_SHORT);
        if (h[0] >> 4 != ERSPAN3_VERSION)
            return dt_dec_bad(x, DT_ANOM_ERSPAN_BAD_VERSION);
        uint16_t fl = dt_rd_be16(h + ERSPAN3_OFF_FLAGS);
        if (fl & ERSPAN3_F_OPTIONAL)
            dt_skip(c, ERSPAN3_SUBHDR_LEN);
        if (!dt_ok(c))
            return dt_dec_bad(x, DT_ANOM_ERSPAN_HEADER_SHORT);
        unsigned ft = fl >> ERSPAN3_FT_SHIFT & ERSPAN3_FT_MASK;
        if (ft == ERSPAN3_FT_IP)
            next = NX_IPANY;
        else if (ft != ERSPAN3_FT_ETHERNET)
            return NX_OK; /* another frame type: not decoded */
    }
    if (enter_tunnel(x, DT_TUN_ERSPAN))
        return NX_BAD;
    return next;
}

static int gre(dt_dctx *x, dt_cur *c)
{
    uint16_t fl = dt_be16(c);
    uint16_t pt = dt_be16(c);
    if (!dt_ok(c))
        return dt_dec_bad(x, DT_ANOM_GRE_HEADER_SHORT);
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
            return dt_dec_bad(x, DT_ANOM_GRE_HEADER_SHORT);
        switch (pt) {
        case DT_ETHERTYPE_IPV4:
        case DT_ETHERTYPE_IPV6:
        case DT_ETHERTYPE_TEB:
            next = tunnel_payload(pt);
            break;
        case DT_ETHERTYPE_ERSPAN2:
        case DT_ETHERTYPE_ERSPAN3:
            return erspan(x, c, pt, fl & GRE_F_SEQ);
        case DT_ETHERTYPE_PPP:
            next = NX_PPP;
            break;
        default:
            return NX_OK;
        }
    } else if (ver == 1) { /* enhanced GRE (PPTP, RFC 2637) */
        if (pt != DT_ETHERTYPE_PPP || !(fl & GRE_F_KEY))
            return dt_dec_bad(x, DT_ANOM_GRE_BAD_ENHANCED);
        uint16_t plen = dt_be16(c);
        dt_skip(c, 2); /* call id */
        if (fl & GRE_F_SEQ)
            dt_skip(c, 4);
        if (fl & GRE_F_ACK)
            dt_skip(c, 4);
        if (!dt_ok(c))
            return dt_dec_bad(x, DT_ANOM_GRE_HEADER_SHORT);
        if (!(fl & GRE_F_SEQ) || plen == 0)
            return NX_OK; /* acknowledgment only */
        dt_cur_trim(c, plen);
        next = NX_PPP;
    } else {
        return NX_OK;
    }
    if (enter_tunnel(x, DT_TUN_GRE))
        return NX_BAD;
    return next;
}

/* The UDP ports a tunnel may use, a bit each at port & 63: most datagrams are told
 * apart from tunnels by one test (udp_tunnel compares the ports themselves). */
#define PORT_BIT(p) (1ull << ((p)&63))
#define UDP_TUNNEL_PORTS                                                                           \
    (PORT_BIT(DT_PORT_VXLAN) | PORT_BIT(DT_PORT_GTPU) | PORT_BIT(DT_PORT_CAPWAP_DATA) |            \
     PORT_BIT(DT_PORT_GENEVE) | PORT_BIT(DT_PORT_L2TP) | PORT_BIT(DT_PORT_TEREDO))

/* A UDP payload on a tunnel's port (c holds the uw bytes the UDP header claims):
 * the tunnel's next step, or NX_OK for a plain datagram.  Out of line: the common
 * path of transport() stays small. */
__attribute__((noinline)) static int udp_tunnel(dt_dctx *x, dt_cur *c, uint32_t uw)
{
    const dt_decoded *o = x->out;
    if (o->dport == DT_PORT_VXLAN)
        return vxlan(x, c);
    if (o->dport == DT_PORT_GTPU || o->sport == DT_PORT_GTPU)
        return gtpu(x, c);
    if (o->dport == DT_PORT_CAPWAP_DATA || o->sport == DT_PORT_CAPWAP_DATA)
        return capwap(x, c);
    if (o->dport == DT_PORT_GENEVE)
        return geneve(x, c);
    if (o->dport == DT_PORT_L2TP || o->sport == DT_PORT_L2TP)
        return l2tp_udp(x, c, uw);
    if (o->dport == DT_PORT_TEREDO || o->sport == DT_PORT_TEREDO)
        return teredo(x, c);
    return NX_OK;
}

/* A transport protocol other than TCP and UDP: tunnels over IP, or no ports. */
__attribute__((noinline)) static int ip_payload(dt_dctx *x, uint8_t proto, int outer_family,
                                                dt_cur *c, uint32_t wire)
{
    dt_decoded *o = x->out;
    set_payload(o, c, wire);
    switch (proto) {
    case DT_IPPROTO_IPIP:
    case DT_IPPROTO_IPV6:
        if (enter_tunnel(x,
                         proto == DT_IPPROTO_IPV6 && outer_family == 4 ? DT_TUN_6IN4 : DT_TUN_IPIP))
            return NX_BAD;
        return proto == DT_IPPROTO_IPIP ? NX_IP4 : NX_IP6;
    case DT_IPPROTO_GRE:
        return gre(x, c);
    case DT_IPPROTO_L2TP:
        return l2tpv3(x, c, wire);
    default: /* ICMP, ICMPv6, ESP, ...: no ports */
        return NX_OK;
    }
}

/* Transport layer: c holds the captured L4 bytes, wire what the IP header claims.
 * Sets every transport field of the packet (those a protocol lacks to 0).  Inline:
 * out of line, the cursor went through memory on every packet. */
static inline __attribute__((always_inline)) int
transport(dt_dctx *x, uint8_t proto, int outer_family, dt_cur *c, uint32_t wire)
{
    dt_decoded *o = x->out;
    o->proto = proto;
    if (proto == DT_IPPROTO_TCP) {
        const uint8_t *h = dt_bytes(c, DT_TCP_HDR_MIN);
        if (!h)
            return dt_dec_bad(x, DT_ANOM_TCP_HEADER_SHORT);
        unsigned off = (unsigned)(h[DT_TCP_OFF_DOFF] >> 4) * 4;
        if (off < DT_TCP_HDR_MIN)
            return dt_dec_bad(x, DT_ANOM_TCP_BAD_DATA_OFFSET);
        if (wire < off) /* options beyond the IP payload */
            return dt_dec_bad(x, DT_ANOM_TCP_HEADER_SHORT);
        dt_skip(c, off - DT_TCP_HDR_MIN); /* options */
        if (!dt_ok(c))
            return dt_dec_bad(x, DT_ANOM_TCP_HEADER_SHORT);
        o->sport = dt_rd_be16(h + DT_TCP_OFF_SPORT);
        o->dport = dt_rd_be16(h + DT_TCP_OFF_DPORT);
        o->seq = dt_rd_be32(h + DT_TCP_OFF_SEQ);
        o->tcp_flags = h[DT_TCP_OFF_FLAGS];
        set_payload(o, c, wire - off);
        return NX_OK;
    }
    o->tcp_flags = 0;
    o->seq = 0;
    if (proto == DT_IPPROTO_UDP) {
        const uint8_t *h = dt_bytes(c, DT_UDP_HDR_LEN);
        if (!h || wire < DT_UDP_HDR_LEN)
            return dt_dec_bad(x, DT_ANOM_UDP_HEADER_SHORT);
        uint16_t ulen = dt_rd_be16(h + DT_UDP_OFF_LEN);
        if (ulen < DT_UDP_HDR_LEN)
            return dt_dec_bad(x, DT_ANOM_UDP_BAD_LENGTH);
        o->sport = dt_rd_be16(h + DT_UDP_OFF_SPORT);
        o->dport = dt_rd_be16(h + DT_UDP_OFF_DPORT);
        uint32_t uw = ulen - (uint32_t)DT_UDP_HDR_LEN;
        if (uw > wire - DT_UDP_HDR_LEN)
            uw = wire - DT_UDP_HDR_LEN;
        set_payload(o, c, uw);
        dt_cur_trim(c, uw);
        if (((UDP_TUNNEL_PORTS >> (o->sport & 63)) | (UDP_TUNNEL_PORTS >> (o->dport & 63))) & 1)
            return udp_tunnel(x, c, uw);
        return NX_OK;
    }
    o->sport = o->dport = 0;
    return ip_payload(x, proto, outer_family, c, wire);
}

static int ip4(dt_dctx *x, dt_cur *c)
{
    dt_decoded *o = x->out;
    size_t avail = dt_left(c);
    const uint8_t *h = dt_bytes(c, DT_IP4_HDR_MIN);
    if (!h)
        return dt_dec_bad(x, DT_ANOM_IPV4_HEADER_SHORT);
    if (h[DT_IP4_OFF_VER_IHL] >> 4 != 4)
        return dt_dec_bad(x, DT_ANOM_IPV4_BAD_VERSION);
    unsigned ihl = (unsigned)(h[DT_IP4_OFF_VER_IHL] & 15) * 4;
    uint32_t tot = dt_rd_be16(h + DT_IP4_OFF_TOTLEN);
    if (tot == 0) /* segmentation offload: length left to the NIC */
        tot = avail > 65535 ? 65535 : (uint32_t)avail;
    if (ihl < DT_IP4_HDR_MIN)
        return dt_dec_bad(x, DT_ANOM_IPV4_BAD_IHL);
    if (tot < ihl)
        return dt_dec_bad(x, DT_ANOM_IPV4_BAD_TOTAL_LENGTH);
    int clipped = 0;
    if (x->whole && tot > avail) {
        /* the frame was captured whole, so the length lies (or a capture tool cut it
         * without saying): count what is there */
        x->d->st.ip_clipped++;
        tot = (uint32_t)avail;
        clipped = 1;
        if (tot < ihl)
            return dt_dec_bad(x, DT_ANOM_IPV4_HEADER_SHORT);
    }
    dt_skip(c, ihl - DT_IP4_HDR_MIN); /* options */
    if (!dt_ok(c))
        return dt_dec_bad(x, DT_ANOM_IPV4_HEADER_SHORT);
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
            return dt_dec_bad(x, DT_ANOM_FRAG_NESTED);
        if (clipped || dt_left(&l4) < wire) {
            /* cut by the snap length: cannot be reassembled; a first fragment is still
             * delivered as it is (its transport header is there) */
            if (fo & DT_IP4_FRAG_OFFSET)
                return dt_dec_bad(x, DT_ANOM_FRAG_TRUNCATED);
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
            return dt_dec_bad(x, DT_ANOM_FRAG_BAD_OFFSET);
        if (r == DT_FRAG_CONFLICT)
            return dt_dec_bad(x, DT_ANOM_FRAG_CONFLICT);
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

static int ip6(dt_dctx *x, dt_cur *c)
{
    dt_decoded *o = x->out;
    const uint8_t *h = dt_bytes(c, DT_IP6_HDR_LEN);
    if (!h)
        return dt_dec_bad(x, DT_ANOM_IPV6_HEADER_SHORT);
    if (h[DT_IP6_OFF_VER] >> 4 != 6)
        return dt_dec_bad(x, DT_ANOM_IPV6_BAD_VERSION);
    uint32_t plen = dt_rd_be16(h + DT_IP6_OFF_PLEN);
    uint8_t nh = h[DT_IP6_OFF_NEXT];
    if (plen == 0 && nh == DT_IPPROTO_HOPOPTS)
        return dt_dec_bad(x, DT_ANOM_IPV6_JUMBOGRAM); /* jumbogram: not supported */
    int clipped = 0;
    if (x->whole && plen > dt_left(c)) {
        x->d->st.ip_clipped++; /* as for IPv4: count what is there */
        plen = (uint32_t)dt_left(c);
        clipped = 1;
    }
    dt_addr_set6(&o->src, h + DT_IP6_OFF_SRC);
    dt_addr_set6(&o->dst, h + DT_IP6_OFF_DST);
    o->ip_bytes = DT_IP6_HDR_LEN + plen;
    o->proto = nh;
    uint32_t wire = plen;
    dt_cur p = dt_cur_make(dt_ptr(c), dt_left(c) < wire ? dt_left(c) : wire);

    for (int i = 0;; i++) {
        if (i >= MAX_V6_EXT)
            return dt_dec_bad(x, DT_ANOM_IPV6_TOO_MANY_EXT);
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
                return dt_dec_bad(x, DT_ANOM_IPV6_EXT_SHORT);
            hl = nh == DT_IPPROTO_AH ? ((size_t)l + 2) * 4 : ((size_t)l + 1) * 8;
            if (hl > wire)
                return dt_dec_bad(x, DT_ANOM_IPV6_EXT_TOO_LONG);
            dt_skip(&p, hl - 2);
            if (!dt_ok(&p))
                return dt_dec_bad(x, DT_ANOM_IPV6_EXT_SHORT);
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
                return dt_dec_bad(x, DT_ANOM_IPV6_EXT_SHORT);
            if (wire < DT_IP6_FRAG_HDR_LEN)
                return dt_dec_bad(x, DT_ANOM_IPV6_EXT_TOO_LONG);
            wire -= DT_IP6_FRAG_HDR_LEN;
            if ((fo & (DT_IP6_FRAG_OFFSET | DT_IP6_FRAG_MF)) == 0) { /* atomic (RFC 6946) */
                nh = next;
                continue;
            }
            x->d->st.fragments++;
            if (x->reasm)
                return dt_dec_bad(x, DT_ANOM_FRAG_NESTED);
            if (clipped || dt_left(&p) < wire) { /* truncated: as for IPv4 */
                if (fo & DT_IP6_FRAG_OFFSET)
                    return dt_dec_bad(x, DT_ANOM_FRAG_TRUNCATED);
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
                return dt_dec_bad(x, DT_ANOM_FRAG_BAD_OFFSET);
            if (r == DT_FRAG_CONFLICT)
                return dt_dec_bad(x, DT_ANOM_FRAG_CONFLICT);
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

/* A PCAPdroid trailer at the end of an Ethernet frame: the frame's length without it
 * (and the process it names is set), or n when there is none.  It is taken only where
 * PCAPdroid puts it: right after the IP packet, behind at most 3 bytes of padding.
 * Its CRC is not checked. */
static size_t pcapdroid_trailer(const uint8_t *p, size_t n, dt_decoded *o)
{
    if (n < DT_ETH_HDR_LEN + DT_IP4_HDR_MIN + PCAPDROID_TRAILER_LEN)
        return n; /* (an IPv6 header's payload length is inside those 20 bytes too) */
    size_t at = n - PCAPDROID_TRAILER_LEN;
    const uint8_t *t = p + at, *ip = p + DT_ETH_HDR_LEN;
    /* the IP length first: it is beside the Ethernet header, while the magic is
     * at the frame's end, a cache miss on every frame */
    uint16_t et = dt_rd_be16(p + DT_ETH_HDR_LEN - 2);
    size_t end = DT_ETH_HDR_LEN;
    if (et == DT_ETHERTYPE_IPV4 && ip[0] >> 4 == 4)
        end += dt_rd_be16(ip + DT_IP4_OFF_TOTLEN);
    else if (et == DT_ETHERTYPE_IPV6 && ip[0] >> 4 == 6)
        end += DT_IP6_HDR_LEN + (size_t)dt_rd_be16(ip + DT_IP6_OFF_PLEN);
    else
        return n;
    if (end > at || at - end > PCAPDROID_PAD_MAX || dt_rd_be32(t) != PCAPDROID_MAGIC)
        return n;
    const char *name = (const char *)t + PCAPDROID_OFF_APP;
    size_t len = 0;
    while (len < PCAPDROID_APP_LEN && name[len])
        len++;
    o->proc_kind = DT_PROC_UID;
    o->proc_id = (int32_t)dt_rd_be32(t + PCAPDROID_OFF_UID);
    o->proc_name = name;
    o->proc_name_len = (uint8_t)len;
    return at;
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
    /* The fields no layer sets for sure: each IP layer sets the addresses, the lengths
     * and the transport fields (zeroing the whole packet cost more).  The MACs, the
     * process id and its name are read only under have_mac and proc_kind: left as they are. */
    out->tunnel = out->tunnel_depth = out->reassembled = out->have_mac = 0;
    out->proc_kind = out->proc_name_len = 0;
    d->st.frames++;
    /* the reassembly's counters change only while it holds datagrams or takes a fragment */
    uint64_t fragments = d->st.fragments;
    int frag_held = dt_ipfrag_count(d->frag) != 0;
    if (frag_held)
        dt_ipfrag_expire(d->frag, ts_ns);

    /* every field but `saved` (read only once have_saved is set): zeroing the
     * whole context cost as much as decoding an Ethernet header */
    dt_dctx x;
    x.d = d;
    x.ts = ts_ns;
    x.out = out;
    x.et = 0;
    x.reasm = 0;
    x.whole = wirelen != 0 && caplen >= wirelen; /* 0: wire length unknown */
    x.inner_link = 0;
    x.have_saved = 0;
    x.inner_tunnel = 0;
    x.why = 0;
    size_t len = linktype == DT_LINKTYPE_ETHERNET ? pcapdroid_trailer(data, caplen, out) : caplen;
    dt_cur c = dt_cur_make(data, len);

    int nx = dt_dec_link_outer(&x, linktype, &c);
    if (nx < 0) {
        d->st.unsupported_link++;
        return DT_DEC_UNSUPPORTED_LINK;
    }
    if (!dt_wirelen_plausible(caplen, wirelen))
        nx = dt_dec_bad(&x, DT_ANOM_WIRE_LENGTH_IMPLAUSIBLE);
    int step = 0;
    /* Ethernet carrying IPv4 or IPv6, nearly every frame: the loop's first two steps
     * (the Ethernet header, the ethertype) taken here without its dispatch */
    if (nx == NX_ETH && dt_has(&c, DT_ETH_HDR_LEN)) {
        const uint8_t *h = dt_ptr(&c);
        uint16_t et = dt_rd_be16(h + DT_ETH_HDR_LEN - 2);
        if (et == DT_ETHERTYPE_IPV4 || et == DT_ETHERTYPE_IPV6) {
            if (!out->have_mac) {
                out->src_mac = h + 6;
                out->have_mac = 1;
            }
            x.et = et;
            c.pos += DT_ETH_HDR_LEN;
            nx = et == DT_ETHERTYPE_IPV4 ? NX_IP4 : NX_IP6;
            step = 2;
        }
    }
    for (; step < MAX_STEPS; step++) {
        switch (nx) {
        case NX_ETH:
            nx = dt_dec_eth(&x, &c);
            continue;
        case NX_ETYPE:
            nx = ethertype(&x, &c);
            continue;
        case NX_PPP:
            nx = dt_dec_ppp(&x, &c);
            continue;
        case NX_IPANY: {
            uint8_t v;
            if (dt_peek_u8(&c, 0, &v) < 0)
                nx = dt_dec_bad(&x, DT_ANOM_IP_HEADER_SHORT);
            else if (v >> 4 == 4)
                nx = NX_IP4;
            else if (v >> 4 == 6)
                nx = NX_IP6;
            else
                nx = x.have_saved ? NX_NOTIP /* e.g. GTP-U carrying Ethernet */
                                  : dt_dec_bad(&x, DT_ANOM_IP_BAD_VERSION);
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
        nx = dt_dec_bad(&x, DT_ANOM_TOO_MANY_LAYERS);
    if (nx == NX_NOTIP && x.have_saved) {
        *out = x.saved; /* a tunnel carried something that is not IP */
        nx = NX_OK;
    }
    if (nx == NX_OK && x.inner_tunnel == DT_TUN_TEREDO && out->proto != DT_IPPROTO_TCP &&
        out->proto != DT_IPPROTO_UDP)
        *out = x.saved; /* Teredo's own signalling (bubbles, qualification): the UDP packet */
    if (frag_held || d->st.fragments != fragments)
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
