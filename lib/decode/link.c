/* Link layers: one entry per LINKTYPE in links[] below, each a step that reads
 * the link header through the cursor and names the next layer (NX_ETH,
 * NX_ETYPE with x->et, NX_PPP, NX_IP4/6, NX_IPANY, or NX_NOTIP), or answers
 * malformed with a named reason.  A link type that is not in the table is
 * counted as unsupported (summary.unsupported_link_types).  Headers that wrap
 * another link type (PPI, PKTAP) decode it through the same table, one level
 * deep.  The formats are those of the tcpdump.org link-type registry; where a
 * format leaves a choice open, the comment of its step says what is done. */
#include "decode/decode_int.h"

#include "util/netconst.h"

#include <string.h>

/* 802.2 LLC header of a SNAP frame (DSAP, SSAP, control), then the SNAP OUI and type */
#define LLC_SNAP_SAP 0xaa
#define LLC_UI 0x03
#define SNAP_OUI_BRIDGE_TUNNEL 0xf8 /* 00-00-f8 (802.1H); 00-00-00 is RFC 1042 */

/* Radiotap "present" bits and the flags field */
#define RT_PRESENT_TSFT 0x00000001u
#define RT_PRESENT_FLAGS 0x00000002u
#define RT_PRESENT_EXT 0x80000000u /* another present word follows */
#define RT_FLAG_FCS 0x10           /* the frame ends with a 4-byte FCS */

/* 802.11 frame control, first byte: version (2 bits, WIFI_FC0_VERSION), type (2), subtype (4) */
#define WIFI_TYPE_DATA 2
#define WIFI_SUBTYPE_NULL 0x4 /* no body (null function, QoS null) */
#define WIFI_SUBTYPE_QOS 0x8  /* a QoS control field follows the addresses */
#define WIFI_QOS_AMSDU 0x80   /* in the first QoS byte: an A-MSDU aggregate */

/* 802.11 frame control, second byte */
#define WIFI_FC1_DS 0x03 /* ToDS | FromDS: 3 means a fourth address */
#define WIFI_FC1_MORE_FRAG 0x04
#define WIFI_FC1_PROTECTED 0x40
#define WIFI_FC1_ORDER 0x80 /* in QoS data: an HT control field follows */

/* SLIP pseudo-header: direction, then the (compressed) header bytes as sent; the
 * IP packet after it is the uncompressed one */
#define SLIP_HDR_LEN 16

/* FDDI: frame control, destination, source; frame control of LLC frames */
#define FDDI_ADDRS_LEN 12
#define FDDI_FC_LLC_MASK 0x70
#define FDDI_FC_LLC 0x50 /* asynchronous 0x5X and synchronous 0xdX LLC frames */

/* Frame Relay (Q.922 address, then RFC 2427 multiprotocol encapsulation) */
#define FR_ADDR_EA 0x01 /* last byte of the address */
#define FR_ADDR_MAX 4
#define FR_CTL_UI 0x03
#define FR_NLPID_PAD 0x00
#define FR_NLPID_SNAP 0x80
#define FR_NLPID_IPV4 0xcc
#define FR_NLPID_IPV6 0x8e

/* Cisco HDLC address byte (unicast 0x0f, multicast 0x8f), then control 0 */
#define CHDLC_ADDR_UNICAST 0x0f
#define CHDLC_ADDR_MULTICAST 0x8f

/* ARCNET with the Linux header: source, destination, offset (2), protocol; the
 * RFC 1201 protocols add a split flag and a sequence number (an exception packet,
 * flag 0xff, repeats protocol, flag and sequence after 2 filler bytes) */
#define ARC_LINUX_ADDRS_LEN 4
#define ARC_TYPE_IP_RFC1051 240
#define ARC_TYPE_ARP_RFC1051 241
#define ARC_TYPE_DIAGNOSE 0x80
#define ARC_TYPE_IP 212
#define ARC_TYPE_IPV6 0xc4
#define ARC_FLAG_EXCEPTION 0xff

/* Solaris ipnet pseudo-header (big-endian): version, family, type, length,
 * interface, group interface, zones; 24 bytes */
#define IPNET_HDR_LEN 24
#define IPNET_VERSION 1
#define IPNET_AF_INET 2
#define IPNET_AF_INET6 26

/* Linux NFLOG: family, version, resource id; then TLVs whose length and type are
 * in the byte order of the capturing host (length counts the 4-byte TLV header;
 * each TLV is padded to 4 bytes); the type's top two bits are netlink flags */
#define NFLOG_VERSION 0
#define NFLOG_TLV_TYPE_MASK 0x3fff
#define NFLOG_TLV_PAYLOAD 9
#define NFLOG_AF_INET 2
#define NFLOG_AF_INET6 10

/* Apple PKTAP header (little-endian, the capturing Mac's order): length, type of
 * what follows, inner DLT, interface name, flags, protocol family, pre/post frame
 * lengths, then the process (PID, name of up to 16 characters) and the effective
 * process (the one on whose behalf the socket acts) */
#define PKTAP_OFF_PID 52
#define PKTAP_OFF_COMM 56
#define PKTAP_OFF_EPID 84
#define PKTAP_OFF_ECOMM 88
#define PKTAP_COMM_LEN 17
#define PKTAP_HDR_MIN (PKTAP_OFF_ECOMM + PKTAP_COMM_LEN)
#define PKTAP_TYPE_PACKET 1

/* Switch tags (Linux DSA): Broadcom's after the source address or before the frame,
 * Marvell's DSA after the source address, EDSA = ethertype, 2 reserved bytes, DSA */
#define BRCM_TAG_LEN 4
#define DSA_TAG_LEN 4
#define EDSA_TAG_LEN 8

/* IP over InfiniBand as libpcap writes it (and Wireshark reads it): a 40-byte pseudo-header
 * (the global route header, or when its first two bytes are zero the destination's
 * queue pair and GID), then RFC 4391's encapsulation header: type, reserved */
#define IPOIB_PSEUDO_LEN 40
#define IPOIB_RESERVED_LEN 2

/* ---- Ethernet, LLC, PPP ---------------------------------------------------------------- */

/* LLC after an 802.3 length field or in 802.11/FDDI: SNAP with an ethertype, or not IP. */
int dt_dec_llc_snap(dt_dctx *x, dt_cur *c)
{
    const uint8_t *h = dt_bytes(c, 3);
    if (!h)
        return dt_dec_bad(x, DT_ANOM_LLC_HEADER_SHORT);
    if (h[0] != LLC_SNAP_SAP || h[1] != LLC_SNAP_SAP || h[2] != LLC_UI)
        return NX_NOTIP;
    const uint8_t *snap = dt_bytes(c, 5);
    if (!snap)
        return dt_dec_bad(x, DT_ANOM_LLC_HEADER_SHORT);
    /* OUI 00-00-00 (RFC 1042) or 00-00-f8 (802.1H bridge tunnel) carry ethertypes. */
    if (snap[0] != 0 || snap[1] != 0 || (snap[2] != 0 && snap[2] != SNAP_OUI_BRIDGE_TUNNEL))
        return NX_NOTIP;
    x->et = dt_rd_be16(snap + 3);
    return NX_ETYPE;
}

/* The two addresses of an Ethernet header: the outermost are the device's own. */
static int eth_addrs(dt_dctx *x, dt_cur *c)
{
    const uint8_t *macs = dt_bytes(c, 12);
    if (!macs)
        return dt_dec_bad(x, DT_ANOM_ETH_HEADER_SHORT);
    if (!x->out->have_mac) { /* the outermost: the device's own, not a tunnel's */
        x->out->src_mac = macs + 6;
        x->out->have_mac = 1;
    }
    return NX_ETH;
}

/* The type/length field of an Ethernet header. */
static int eth_type(dt_dctx *x, dt_cur *c)
{
    uint16_t t = dt_be16(c);
    if (!dt_ok(c))
        return dt_dec_bad(x, DT_ANOM_ETH_HEADER_SHORT);
    if (t <= DT_ETH_MAX_LEN) { /* 802.3 length, LLC follows */
        dt_cur_trim(c, t);
        return dt_dec_llc_snap(x, c);
    }
    if (t < DT_ETH_TYPE_MIN)
        return NX_NOTIP;
    x->et = t;
    return NX_ETYPE;
}

int dt_dec_eth(dt_dctx *x, dt_cur *c)
{
    if (eth_addrs(x, c) == NX_BAD)
        return NX_BAD;
    return eth_type(x, c);
}

/* Ethernet with a switch tag of tag_len bytes between the source address and the type. */
static int eth_tagged(dt_dctx *x, dt_cur *c, size_t tag_len)
{
    if (eth_addrs(x, c) == NX_BAD)
        return NX_BAD;
    dt_skip(c, tag_len);
    if (!dt_ok(c))
        return dt_dec_bad(x, DT_ANOM_DSA_TAG_SHORT);
    return eth_type(x, c);
}

int dt_dec_ppp(dt_dctx *x, dt_cur *c)
{
    uint8_t b0 = 0, b1 = 0;
    if (dt_peek_u8(c, 0, &b0) < 0)
        return dt_dec_bad(x, DT_ANOM_PPP_HEADER_SHORT);
    if ((b0 == CHDLC_ADDR_UNICAST || b0 == CHDLC_ADDR_MULTICAST) && dt_peek_u8(c, 1, &b1) == 0 &&
        b1 == 0x00) {
        /* Cisco HDLC framing on a PPP link (as Wireshark accepts): ethertype follows */
        dt_skip(c, 2);
        x->et = dt_be16(c);
        return dt_ok(c) ? NX_ETYPE : dt_dec_bad(x, DT_ANOM_CHDLC_HEADER_SHORT);
    }
    if (b0 == 0xff && dt_peek_u8(c, 1, &b1) == 0 && b1 == 0x03) {
        dt_skip(c, 2);
        if (dt_peek_u8(c, 0, &b0) < 0)
            return dt_dec_bad(x, DT_ANOM_PPP_HEADER_SHORT);
    }
    uint16_t p;
    if (b0 & 1) /* protocol field compression: one-byte protocol */
        p = dt_u8(c);
    else
        p = dt_be16(c);
    if (!dt_ok(c))
        return dt_dec_bad(x, DT_ANOM_PPP_HEADER_SHORT);
    return dt_dec_ppp_proto(p);
}

/* ---- 802.11 ------------------------------------------------------------------------- */

/* IEEE 802.11: data frames only. */
static int wifi_frame(dt_dctx *x, dt_cur *c)
{
    uint8_t fc0 = dt_u8(c), fc1 = dt_u8(c);
    return dt_dec_wifi_fc(x, c, fc0, fc1);
}

/* The rest of an 802.11 frame whose frame control field was read already. */
int dt_dec_wifi_fc(dt_dctx *x, dt_cur *c, uint8_t fc0, uint8_t fc1)
{
    if (!dt_ok(c))
        return dt_dec_bad(x, DT_ANOM_WIFI_HEADER_SHORT);
    if ((fc0 & WIFI_FC0_VERSION) != 0)
        return dt_dec_bad(x, DT_ANOM_WIFI_BAD_VERSION);
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
        return dt_dec_bad(x, DT_ANOM_WIFI_HEADER_SHORT);
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
    return dt_dec_llc_snap(x, c);
}

/* The 8-byte header radiotap and PPI share: version 0, a byte, length (LE, at least 8),
 * a 32-bit word (LE); NX_ETH when it is good, else malformed under `cut` or `wrong`. */
static int le_wrapper(dt_dctx *x, dt_cur *c, uint16_t *len, uint32_t *word, dt_anomaly cut,
                      dt_anomaly wrong)
{
    uint8_t ver = dt_u8(c);
    dt_skip(c, 1);
    *len = dt_le16(c);
    *word = dt_le32(c);
    if (!dt_ok(c))
        return dt_dec_bad(x, cut);
    if (ver != 0 || *len < 8)
        return dt_dec_bad(x, wrong);
    return NX_ETH;
}

static int radiotap(dt_dctx *x, dt_cur *c)
{
    const uint8_t *start = dt_ptr(c);
    uint16_t len;
    uint32_t present;
    if (le_wrapper(x, c, &len, &present, DT_ANOM_RADIOTAP_HEADER_SHORT,
                   DT_ANOM_RADIOTAP_BAD_HEADER) == NX_BAD)
        return NX_BAD;
    dt_cur rt = dt_cur_make(start, len);
    if (dt_left(c) + 8 < len)
        return dt_dec_bad(x, DT_ANOM_RADIOTAP_HEADER_SHORT);
    dt_skip(&rt, 8);
    uint32_t p = present;
    while (p & RT_PRESENT_EXT) {
        p = dt_le32(&rt);
        if (!dt_ok(&rt))
            return dt_dec_bad(x, DT_ANOM_RADIOTAP_HEADER_SHORT);
    }
    uint8_t flags = 0;
    if (present & RT_PRESENT_FLAGS) {
        if (present & RT_PRESENT_TSFT) {
            size_t pad = (8 - rt.pos % 8) % 8;
            dt_skip(&rt, pad + 8); /* TSFT */
        }
        flags = dt_u8(&rt);
        if (!dt_ok(&rt))
            return dt_dec_bad(x, DT_ANOM_RADIOTAP_HEADER_SHORT);
    }
    dt_skip(c, (size_t)len - 8);
    if (flags & RT_FLAG_FCS) {
        if (dt_left(c) < 4)
            return dt_dec_bad(x, DT_ANOM_RADIOTAP_FCS_SHORT);
        c->len -= 4;
    }
    return wifi_frame(x, c);
}

/* ---- the link types --------------------------------------------------------------------- */

static int link_inner(dt_dctx *x, uint32_t linktype, dt_cur *c);

static int ethernet(dt_dctx *x, dt_cur *c)
{
    (void)x;
    (void)c;
    return NX_ETH;
}

static int raw_ip(dt_dctx *x, dt_cur *c)
{
    (void)x;
    (void)c;
    return NX_IPANY;
}

static int ppp_link(dt_dctx *x, dt_cur *c)
{
    (void)x;
    (void)c;
    return NX_PPP;
}

static int bsd_null(dt_dctx *x, dt_cur *c)
{
    uint32_t af = dt_be32(c);
    if (!dt_ok(c))
        return dt_dec_bad(x, DT_ANOM_NULL_HEADER_SHORT);
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

/* SLL: type, arphrd, addr len, addr[8], protocol */
static int sll(dt_dctx *x, dt_cur *c)
{
    dt_skip(c, 2);
    uint16_t hatype = dt_be16(c);
    dt_skip(c, 10);
    x->et = dt_be16(c);
    if (!dt_ok(c))
        return dt_dec_bad(x, DT_ANOM_SLL_HEADER_SHORT);
    return hatype == DT_ARPHRD_NETLINK ? NX_NOTIP : NX_ETYPE;
}

/* SLL2: protocol, reserved, ifindex, arphrd, type, addr len, addr[8] */
static int sll2(dt_dctx *x, dt_cur *c)
{
    x->et = dt_be16(c);
    dt_skip(c, 6);
    uint16_t hatype = dt_be16(c);
    dt_skip(c, 10);
    if (!dt_ok(c))
        return dt_dec_bad(x, DT_ANOM_SLL_HEADER_SHORT);
    return hatype == DT_ARPHRD_NETLINK ? NX_NOTIP : NX_ETYPE;
}

/* Cisco HDLC: address, control, ethertype */
static int c_hdlc(dt_dctx *x, dt_cur *c)
{
    dt_skip(c, 2);
    x->et = dt_be16(c);
    return dt_ok(c) ? NX_ETYPE : dt_dec_bad(x, DT_ANOM_CHDLC_HEADER_SHORT);
}

/* PPI: version, flags, header length (LE), inner DLT (LE) */
static int ppi(dt_dctx *x, dt_cur *c)
{
    if (x->inner_link)
        return -1;
    uint16_t hl;
    uint32_t dlt;
    if (le_wrapper(x, c, &hl, &dlt, DT_ANOM_PPI_HEADER_SHORT, DT_ANOM_PPI_BAD_HEADER) == NX_BAD)
        return NX_BAD;
    dt_skip(c, (size_t)hl - 8);
    if (!dt_ok(c))
        return dt_dec_bad(x, DT_ANOM_PPI_HEADER_SHORT);
    return link_inner(x, dlt, c);
}

static int slip(dt_dctx *x, dt_cur *c)
{
    dt_skip(c, SLIP_HDR_LEN);
    return dt_ok(c) ? NX_IPANY : dt_dec_bad(x, DT_ANOM_SLIP_HEADER_SHORT);
}

/* FDDI: LLC frames carry SNAP with an ethertype; station management and MAC frames
 * are not IP.  The addresses are not kept (their bit order varies by system). */
static int fddi(dt_dctx *x, dt_cur *c)
{
    uint8_t fc = dt_u8(c);
    dt_skip(c, FDDI_ADDRS_LEN);
    if (!dt_ok(c))
        return dt_dec_bad(x, DT_ANOM_FDDI_HEADER_SHORT);
    if ((fc & FDDI_FC_LLC_MASK) != FDDI_FC_LLC)
        return NX_NOTIP;
    return dt_dec_llc_snap(x, c);
}

/* Frame Relay: a Q.922 address of 2 to 4 bytes, then either RFC 2427 (control UI,
 * an optional pad byte, NLPID: IPv4, IPv6 or SNAP with an ethertype) or Cisco's
 * encapsulation (an ethertype right after the address). */
static int frelay(dt_dctx *x, dt_cur *c)
{
    int n = 0;
    uint8_t b = 0;
    while (n < FR_ADDR_MAX) {
        b = dt_u8(c);
        n++;
        if (b & FR_ADDR_EA)
            break;
    }
    if (!dt_ok(c))
        return dt_dec_bad(x, DT_ANOM_FRELAY_HEADER_SHORT);
    if (n < 2 || !(b & FR_ADDR_EA))
        return dt_dec_bad(x, DT_ANOM_FRELAY_BAD_ADDRESS);
    uint8_t ctl;
    if (dt_peek_u8(c, 0, &ctl) < 0)
        return dt_dec_bad(x, DT_ANOM_FRELAY_HEADER_SHORT);
    if (ctl != FR_CTL_UI) { /* Cisco: no ethertype starts with 0x03 */
        x->et = dt_be16(c);
        return dt_ok(c) ? NX_ETYPE : dt_dec_bad(x, DT_ANOM_FRELAY_HEADER_SHORT);
    }
    dt_skip(c, 1);
    uint8_t nlpid = dt_u8(c);
    if (nlpid == FR_NLPID_PAD)
        nlpid = dt_u8(c);
    if (!dt_ok(c))
        return dt_dec_bad(x, DT_ANOM_FRELAY_HEADER_SHORT);
    switch (nlpid) {
    case FR_NLPID_IPV4:
        return NX_IP4;
    case FR_NLPID_IPV6:
        return NX_IP6;
    case FR_NLPID_SNAP: {
        const uint8_t *snap = dt_bytes(c, 5);
        if (!snap)
            return dt_dec_bad(x, DT_ANOM_FRELAY_HEADER_SHORT);
        if (snap[0] || snap[1] || snap[2])
            return NX_NOTIP; /* bridged frames (OUI 00-80-c2) and others */
        x->et = dt_rd_be16(snap + 3);
        return NX_ETYPE;
    }
    default:
        return NX_NOTIP;
    }
}

/* The _WITH_DIR link types: a direction byte, then the frame. */
static int ppp_dir(dt_dctx *x, dt_cur *c)
{
    dt_skip(c, 1);
    return dt_ok(c) ? NX_PPP : dt_dec_bad(x, DT_ANOM_PPP_HEADER_SHORT);
}

static int c_hdlc_dir(dt_dctx *x, dt_cur *c)
{
    dt_skip(c, 1);
    return c_hdlc(x, c);
}

static int frelay_dir(dt_dctx *x, dt_cur *c)
{
    dt_skip(c, 1);
    return frelay(x, c);
}

/* ARCNET (Linux header).  Fragmented RFC 1201 packets (split flag not 0) are not
 * reassembled: not IP. */
static int arcnet_linux(dt_dctx *x, dt_cur *c)
{
    dt_skip(c, ARC_LINUX_ADDRS_LEN);
    uint8_t type = dt_u8(c);
    if (!dt_ok(c))
        return dt_dec_bad(x, DT_ANOM_ARCNET_HEADER_SHORT);
    if (type == ARC_TYPE_IP_RFC1051)
        return NX_IP4;
    if (type == ARC_TYPE_ARP_RFC1051 || type == ARC_TYPE_DIAGNOSE)
        return NX_NOTIP;
    uint8_t flag = dt_u8(c);
    dt_skip(c, 2); /* sequence */
    if (flag == ARC_FLAG_EXCEPTION) {
        dt_skip(c, 1); /* protocol again */
        flag = dt_u8(c);
        dt_skip(c, 2);
    }
    if (!dt_ok(c))
        return dt_dec_bad(x, DT_ANOM_ARCNET_HEADER_SHORT);
    if (flag != 0)
        return NX_NOTIP;
    if (type == ARC_TYPE_IP)
        return NX_IP4;
    if (type == ARC_TYPE_IPV6)
        return NX_IP6;
    return NX_NOTIP;
}

static int ipnet(dt_dctx *x, dt_cur *c)
{
    const uint8_t *h = dt_bytes(c, IPNET_HDR_LEN);
    if (!h)
        return dt_dec_bad(x, DT_ANOM_IPNET_HEADER_SHORT);
    if (h[0] != IPNET_VERSION)
        return dt_dec_bad(x, DT_ANOM_IPNET_BAD_VERSION);
    if (h[1] == IPNET_AF_INET)
        return NX_IP4;
    if (h[1] == IPNET_AF_INET6)
        return NX_IP6;
    return NX_NOTIP;
}

static int ipoib(dt_dctx *x, dt_cur *c)
{
    dt_skip(c, IPOIB_PSEUDO_LEN);
    x->et = dt_be16(c);
    dt_skip(c, IPOIB_RESERVED_LEN);
    return dt_ok(c) ? NX_ETYPE : dt_dec_bad(x, DT_ANOM_IPOIB_HEADER_SHORT);
}

/* NFLOG: the packet is the value of the payload TLV.  The TLVs' byte order is
 * taken from the first type field (types are below 256). */
static int nflog(dt_dctx *x, dt_cur *c)
{
    uint8_t family = dt_u8(c);
    uint8_t version = dt_u8(c);
    dt_skip(c, 2); /* resource id */
    if (!dt_ok(c))
        return dt_dec_bad(x, DT_ANOM_NFLOG_HEADER_SHORT);
    if (version != NFLOG_VERSION)
        return dt_dec_bad(x, DT_ANOM_NFLOG_BAD_VERSION);
    int big = -1;
    while (dt_left(c) > 0) {
        const uint8_t *t = dt_bytes(c, 4);
        if (!t)
            return dt_dec_bad(x, DT_ANOM_NFLOG_TLV_SHORT);
        if (big < 0)
            big = (dt_rd_le16(t + 2) & NFLOG_TLV_TYPE_MASK) > 0xff;
        uint16_t len = big ? dt_rd_be16(t) : dt_rd_le16(t);
        uint16_t type = (big ? dt_rd_be16(t + 2) : dt_rd_le16(t + 2)) & NFLOG_TLV_TYPE_MASK;
        if (len < 4)
            return dt_dec_bad(x, DT_ANOM_NFLOG_BAD_TLV);
        if (type == NFLOG_TLV_PAYLOAD) {
            dt_cur_trim(c, (size_t)len - 4); /* the snap length may have cut it */
            uint8_t v = 0;
            if (family == NFLOG_AF_INET)
                return NX_IP4;
            if (family == NFLOG_AF_INET6)
                return NX_IP6;
            if (dt_peek_u8(c, 0, &v) == 0 && (v >> 4 == 4 || v >> 4 == 6))
                return v >> 4 == 4 ? NX_IP4 : NX_IP6;
            return NX_NOTIP;
        }
        dt_skip(c, (((size_t)len + 3) & ~(size_t)3) - 4);
        if (!dt_ok(c))
            return dt_dec_bad(x, DT_ANOM_NFLOG_TLV_SHORT);
    }
    return NX_NOTIP; /* no payload TLV: nothing of the packet was logged */
}

/* The process a PKTAP header names: the effective one (on whose behalf) when it has
 * a name, else the process; none without a name. */
static void pktap_process(dt_decoded *o, const uint8_t *h)
{
    int eff = h[PKTAP_OFF_ECOMM] != 0;
    const uint8_t *name = h + (eff ? PKTAP_OFF_ECOMM : PKTAP_OFF_COMM);
    size_t n = 0;
    while (n < PKTAP_COMM_LEN && name[n])
        n++;
    if (!n)
        return;
    o->proc_kind = DT_PROC_PID;
    o->proc_id = (int32_t)dt_rd_le32(h + (eff ? PKTAP_OFF_EPID : PKTAP_OFF_PID));
    o->proc_name = (const char *)name;
    o->proc_name_len = (uint8_t)n;
}

static int pktap(dt_dctx *x, dt_cur *c)
{
    if (x->inner_link)
        return -1;
    const uint8_t *h = dt_ptr(c);
    size_t avail = dt_left(c);
    uint32_t hl = dt_le32(c);
    uint32_t next = dt_le32(c);
    uint32_t dlt = dt_le32(c);
    if (!dt_ok(c))
        return dt_dec_bad(x, DT_ANOM_PKTAP_HEADER_SHORT);
    if (hl < PKTAP_HDR_MIN)
        return dt_dec_bad(x, DT_ANOM_PKTAP_BAD_HEADER);
    if (hl > avail)
        return dt_dec_bad(x, DT_ANOM_PKTAP_HEADER_SHORT);
    if (next != PKTAP_TYPE_PACKET)
        return NX_NOTIP;
    pktap_process(x->out, h);
    dt_skip(c, hl - 12);
    return link_inner(x, dlt, c);
}

static int dsa_brcm(dt_dctx *x, dt_cur *c)
{
    return eth_tagged(x, c, BRCM_TAG_LEN);
}

static int dsa_brcm_prepend(dt_dctx *x, dt_cur *c)
{
    dt_skip(c, BRCM_TAG_LEN);
    return dt_ok(c) ? NX_ETH : dt_dec_bad(x, DT_ANOM_DSA_TAG_SHORT);
}

static int dsa_marvell(dt_dctx *x, dt_cur *c)
{
    return eth_tagged(x, c, DSA_TAG_LEN);
}

static int dsa_marvell_edsa(dt_dctx *x, dt_cur *c)
{
    return eth_tagged(x, c, EDSA_TAG_LEN);
}

typedef struct link_entry {
    int linktype;
    int (*step)(dt_dctx *x, dt_cur *c);
} link_entry;

/* Sorted by link type (dt_dec_link searches it). */
static const link_entry links[] = {
    {DT_LINKTYPE_NULL, bsd_null},
    {DT_LINKTYPE_ETHERNET, ethernet},
    {DT_LINKTYPE_SLIP, slip},
    {DT_LINKTYPE_PPP, ppp_link},
    {DT_LINKTYPE_FDDI, fddi},
    {DT_LINKTYPE_RAW_DLT12, raw_ip},
    {DT_LINKTYPE_RAW_DLT14, raw_ip},
    {DT_LINKTYPE_PPP_HDLC, ppp_link},
    {DT_LINKTYPE_RAW, raw_ip},
    {DT_LINKTYPE_C_HDLC, c_hdlc},
    {DT_LINKTYPE_IEEE802_11, wifi_frame},
    {DT_LINKTYPE_FRELAY, frelay},
    {DT_LINKTYPE_LOOP, bsd_null},
    {DT_LINKTYPE_LINUX_SLL, sll},
    {DT_LINKTYPE_RADIOTAP, radiotap},
    {DT_LINKTYPE_ARCNET_LINUX, arcnet_linux},
    {DT_LINKTYPE_PPI, ppi},
    {DT_LINKTYPE_PPP_WITH_DIR, ppp_dir},
    {DT_LINKTYPE_C_HDLC_WITH_DIR, c_hdlc_dir},
    {DT_LINKTYPE_FRELAY_WITH_DIR, frelay_dir},
    {DT_LINKTYPE_IPNET, ipnet},
    {DT_LINKTYPE_IPV4, raw_ip},
    {DT_LINKTYPE_IPV6, raw_ip},
    {DT_LINKTYPE_NFLOG, nflog},
    {DT_LINKTYPE_IPOIB, ipoib},
    {DT_LINKTYPE_PKTAP, pktap},
    {DT_LINKTYPE_LINUX_SLL2, sll2},
    {DT_LINKTYPE_DSA_TAG_BRCM, dsa_brcm},
    {DT_LINKTYPE_DSA_TAG_BRCM_PREPEND, dsa_brcm_prepend},
    {DT_LINKTYPE_DSA_TAG_DSA, dsa_marvell},
    {DT_LINKTYPE_DSA_TAG_EDSA, dsa_marvell_edsa},
};

static const link_entry *link_find(long linktype)
{
    size_t lo = 0, hi = sizeof links / sizeof links[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (links[mid].linktype == linktype)
            return &links[mid];
        if (links[mid].linktype < linktype)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

int dt_linktype_supported(int linktype)
{
    return link_find(linktype) != NULL;
}

int dt_dec_link(dt_dctx *x, int linktype, dt_cur *c)
{
    const link_entry *e = link_find(linktype);
    return e ? e->step(x, c) : -1;
}

int dt_dec_link_outer(dt_dctx *x, int linktype, dt_cur *c)
{
    dt_decoder *d = x->d;
    if (!d->link || d->link_type != linktype) { /* a capture mostly has one link type */
        const link_entry *e = link_find(linktype);
        if (!e)
            return -1;
        d->link = e;
        d->link_type = linktype;
    }
    const link_entry *e = d->link;
    if (e->step == ethernet) /* most captures: the first step is known without a call */
        return NX_ETH;
    return e->step(x, c);
}

/* The frame inside a PPI or PKTAP header: one level only (a wrapper inside a
 * wrapper is refused by the wrapper's step: an unsupported link type). */
static int link_inner(dt_dctx *x, uint32_t linktype, dt_cur *c)
{
    if (linktype > 0xffff)
        return -1;
    x->inner_link = 1;
    return dt_dec_link(x, (int)linktype, c);
}
