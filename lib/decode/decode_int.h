/* Inside the decoder: the state of one frame's decoding, shared by the link
 * layers (decode/link.c) and the rest (decode/decode.c).  Private to lib/decode. */
#ifndef DT_DECODE_INT_H
#define DT_DECODE_INT_H

#include "decode/decode.h"
#include "decode/ipfrag.h"
#include "util/cursor.h"
#include "util/netconst.h"

struct dt_decoder {
    dt_decode_limits lim;
    dt_decode_stats st;
    dt_ipfrag *frag;
    const void *link; /* the link table entry of the last frame's link type (link.c) */
    int link_type;    /* that link type */
};

/* 802.11 frame control, first byte: the protocol version bits (link.c, CAPWAP) */
#define WIFI_FC0_VERSION 0x03

/* What a decoding step names as the next layer. */
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

/* dt_decode sets each field but `saved` by name: a new field needs a line there. */
typedef struct dt_dctx {
    dt_decoder *d;
    uint64_t ts;
    dt_decoded *out;
    uint16_t et;
    int reasm;      /* a datagram was already reassembled in this frame */
    int whole;      /* the frame was captured whole (caplen == wirelen): an IP length
                       beyond it is a lie, not the snap length */
    int inner_link; /* a link header that wraps another (PPI, PKTAP) was read */
    int have_saved;
    dt_decoded saved;     /* the packet that carried the current tunnel */
    uint8_t inner_tunnel; /* dt_tunnel of the current (innermost) tunnel */
    uint8_t why;          /* dt_anomaly of an NX_BAD answer, set by dt_dec_bad() */
} dt_dctx;

/* Every malformed verdict goes through here: the reason is what gets counted. */
static inline int dt_dec_bad(dt_dctx *x, dt_anomaly why)
{
    x->why = (uint8_t)why;
    return NX_BAD;
}

/* Limits a cursor to at most n more bytes. */
static inline void dt_cur_trim(dt_cur *c, size_t n)
{
    if (dt_left(c) > n)
        c->len = c->pos + n;
}

/* The byte `at` bytes ahead, without moving: 0, or -1 past the end. */
static inline int dt_peek_u8(const dt_cur *c, size_t at, uint8_t *v)
{
    dt_cur t = *c;
    dt_skip(&t, at);
    *v = dt_u8(&t);
    return dt_ok(&t) ? 0 : -1;
}

/* The next step after a PPP protocol number. */
static inline int dt_dec_ppp_proto(uint16_t p)
{
    if (p == DT_PPP_IPV4)
        return NX_IP4;
    if (p == DT_PPP_IPV6)
        return NX_IP6;
    return NX_NOTIP;
}

/* decode/link.c: the link layer of a frame of this LINKTYPE (the next NX_* step), or
 * -1 when the link type is not decoded. */
int dt_dec_link(dt_dctx *x, int linktype, dt_cur *c);
/* The same for the outermost link layer, remembering the link type's table entry. */
int dt_dec_link_outer(dt_dctx *x, int linktype, dt_cur *c);
/* Link-layer steps the tunnels reuse. */
int dt_dec_llc_snap(dt_dctx *x, dt_cur *c);
int dt_dec_eth(dt_dctx *x, dt_cur *c);
int dt_dec_ppp(dt_dctx *x, dt_cur *c);
int dt_dec_wifi_fc(dt_dctx *x, dt_cur *c, uint8_t fc0, uint8_t fc1);

#endif
