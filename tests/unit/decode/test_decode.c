/* Unit tests for lib/decode.c and lib/ipfrag.c: frames are built byte by byte. */
#include "check.h"
#include "decode/decode.h"
#include "decode/ipfrag.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A packet built from the inside out: each layer is prepended. */
typedef struct pkt {
    uint8_t d[70000];
    size_t off; /* data starts at d + off */
} pkt;

#define PKT_END sizeof(((pkt *)0)->d)

static pkt P; /* the packet under construction */

static void p_init(const void *payload, size_t n)
{
    P.off = PKT_END - n;
    if (n)
        memcpy(P.d + P.off, payload, n);
}
static size_t p_len(void)
{
    return PKT_END - P.off;
}
static const uint8_t *p_data(void)
{
    return P.d + P.off;
}
static void p_pre(const void *h, size_t n)
{
    P.off -= n;
    memcpy(P.d + P.off, h, n);
}
static void p_append(const void *t, size_t n)
{
    /* move data back to make room at the end */
    size_t len = p_len();
    memmove(P.d + P.off - n, P.d + P.off, len);
    P.off -= n;
    memcpy(P.d + PKT_END - n, t, n);
}

static void addr_bytes(const char *s, uint8_t *out)
{
    dt_addr a;
    if (dt_addr_parse(s, &a) != 0)
        abort();
    memcpy(out, a.a, a.family == 6 ? 16 : 4);
}

static void p_udp(uint16_t sp, uint16_t dp)
{
    size_t n = p_len() + 8;
    uint8_t h[8] = {sp >> 8, sp & 0xff, dp >> 8, dp & 0xff, n >> 8 & 0xff, n & 0xff, 0, 0};
    p_pre(h, 8);
}

static void p_tcp(uint16_t sp, uint16_t dp, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t win,
                  int optwords)
{
    uint8_t h[60];
    memset(h, 0, sizeof h);
    h[0] = sp >> 8, h[1] = sp & 0xff, h[2] = dp >> 8, h[3] = dp & 0xff;
    h[4] = seq >> 24, h[5] = seq >> 16 & 0xff, h[6] = seq >> 8 & 0xff, h[7] = seq & 0xff;
    h[8] = ack >> 24, h[9] = ack >> 16 & 0xff, h[10] = ack >> 8 & 0xff, h[11] = ack & 0xff;
    h[12] = (uint8_t)((5 + optwords) << 4);
    h[13] = flags;
    h[14] = win >> 8, h[15] = win & 0xff;
    for (int i = 0; i < optwords * 4; i++)
        h[20 + i] = 1; /* NOP */
    p_pre(h, 20 + (size_t)optwords * 4);
}

/* IPv4 header; total length = header + current packet + extra (claimed but absent). */
static void p_ip4x(const char *src, const char *dst, uint8_t proto, uint16_t id, uint16_t fo,
                   int optwords, int extra)
{
    uint8_t h[60];
    memset(h, 0, sizeof h);
    size_t hl = 20 + (size_t)optwords * 4;
    size_t tot = hl + p_len() + (size_t)extra;
    h[0] = (uint8_t)(0x40 | hl / 4);
    h[2] = tot >> 8 & 0xff, h[3] = tot & 0xff;
    h[4] = id >> 8, h[5] = id & 0xff;
    h[6] = fo >> 8, h[7] = fo & 0xff;
    h[8] = 64;
    h[9] = proto;
    addr_bytes(src, h + 12);
    addr_bytes(dst, h + 16);
    for (int i = 0; i < optwords * 4; i++)
        h[20 + i] = 1; /* NOP option */
    p_pre(h, hl);
}
static void p_ip4(const char *src, const char *dst, uint8_t proto)
{
    p_ip4x(src, dst, proto, 1, 0, 0, 0);
}

static void p_ip6(const char *src, const char *dst, uint8_t nh)
{
    uint8_t h[40];
    memset(h, 0, sizeof h);
    size_t n = p_len();
    h[0] = 0x60;
    h[4] = n >> 8 & 0xff, h[5] = n & 0xff;
    h[6] = nh;
    h[7] = 64;
    addr_bytes(src, h + 8);
    addr_bytes(dst, h + 24);
    p_pre(h, 40);
}

/* IPv6 extension header (generic 8-byte units, or AH in 4-byte units). */
static void p_ext6(uint8_t next, int ah, int units)
{
    uint8_t h[64];
    memset(h, 0, sizeof h);
    h[0] = next;
    size_t len = ah ? (size_t)(units + 2) * 4 : (size_t)(units + 1) * 8;
    h[1] = (uint8_t)units;
    p_pre(h, len);
}

static void p_eth(uint16_t et)
{
    uint8_t h[14] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, et >> 8, et & 0xff};
    p_pre(h, 14);
}

static void p_be16(uint16_t v)
{
    uint8_t h[2] = {v >> 8, v & 0xff};
    p_pre(h, 2);
}

static const uint8_t HELLO[5] = {'h', 'e', 'l', 'l', 'o'};

static dt_decoder *D;
static dt_decoded O;

static dt_decode_result dec(int lt)
{
    return dt_decode(D, lt, 0, p_data(), p_len(), (uint32_t)p_len(), &O);
}

/* The frame was cut by the snap length: the wire had more than was captured. */
static dt_decode_result dec_snapped(int lt)
{
    return dt_decode(D, lt, 0, p_data(), p_len(), (uint32_t)p_len() + 1000, &O);
}

static const char *src_str(void)
{
    static char b[DT_ADDR_STRLEN];
    return dt_addr_str(&O.src, b, sizeof b);
}
static const char *dst_str(void)
{
    static char b[DT_ADDR_STRLEN];
    return dt_addr_str(&O.dst, b, sizeof b);
}

/* Checks a decoded UDP "hello" from 10.0.0.1:1111 to 10.0.0.2:53. */
static void check_udp4_hello(int line)
{
    int before = check_failed;
    CHECK_EQ_STR(src_str(), "10.0.0.1");
    CHECK_EQ_STR(dst_str(), "10.0.0.2");
    CHECK_EQ_INT(O.proto, 17);
    CHECK_EQ_INT(O.sport, 1111);
    CHECK_EQ_INT(O.dport, 53);
    CHECK_EQ_INT(O.payload_len, 5);
    CHECK_EQ_INT(O.payload_wire, 5);
    CHECK(O.payload && memcmp(O.payload, "hello", 5) == 0);
    if (check_failed != before)
        fprintf(stderr, "  (from line %d)\n", line);
}

static void check_udp6_hello(int line)
{
    int before = check_failed;
    CHECK_EQ_STR(src_str(), "2001:db8::1");
    CHECK_EQ_STR(dst_str(), "2001:db8::2");
    CHECK_EQ_INT(O.proto, 17);
    CHECK_EQ_INT(O.sport, 1111);
    CHECK_EQ_INT(O.dport, 53);
    CHECK_EQ_INT(O.payload_len, 5);
    CHECK(O.payload && memcmp(O.payload, "hello", 5) == 0);
    if (check_failed != before)
        fprintf(stderr, "  (from line %d)\n", line);
}

static void udp4(void)
{
    p_init(HELLO, 5);
    p_udp(1111, 53);
    p_ip4("10.0.0.1", "10.0.0.2", 17);
}
static void udp6(void)
{
    p_init(HELLO, 5);
    p_udp(1111, 53);
    p_ip6("2001:db8::1", "2001:db8::2", 17);
}

static void test_ethernet_tcp(void)
{
    p_init(HELLO, 5);
    p_tcp(40000, 443, 0x01020304, 0xa0b0c0d0, 0x18, 1234, 3);
    p_ip4x("192.168.1.10", "93.184.216.34", 6, 7, 0x4000, 2, 0); /* DF, 8 bytes of options */
    p_eth(0x0800);
    CHECK_EQ_INT(dec(1), DT_DEC_OK);
    CHECK_EQ_STR(src_str(), "192.168.1.10");
    CHECK_EQ_STR(dst_str(), "93.184.216.34");
    CHECK_EQ_INT(O.proto, 6);
    CHECK_EQ_INT(O.sport, 40000);
    CHECK_EQ_INT(O.dport, 443);
    CHECK_EQ_INT(O.seq, 0x01020304);
    CHECK_EQ_INT(O.tcp_flags, 0x18);
    CHECK(O.payload == p_data() + 14 + 28 + 32);
    CHECK_EQ_INT(O.payload_len, 5);
    CHECK_EQ_INT(O.payload_wire, 5);
    CHECK_EQ_INT(O.ip_bytes, 28 + 32 + 5);
    CHECK_EQ_INT(O.tunnel, DT_TUN_NONE);
    CHECK_EQ_INT(O.tunnel_depth, 0);
    CHECK_EQ_INT(O.reassembled, 0);

    /* every truncation inside the headers is malformed; inside the payload it is short */
    size_t full = p_len();
    for (size_t n = 0; n < full; n++) {
        dt_decode_result r = dt_decode(D, 1, 0, p_data(), n, (uint32_t)full, &O);
        if (n < 14 + 28 + 32) {
            CHECK_EQ_INT(r, DT_DEC_MALFORMED);
        } else {
            CHECK_EQ_INT(r, DT_DEC_OK);
            CHECK_EQ_INT(O.payload_len, n - (14 + 28 + 32));
            CHECK_EQ_INT(O.payload_wire, 5);
        }
    }

    /* Ethernet padding after the IP datagram is ignored */
    udp4();
    uint8_t pad[12] = {0};
    p_append(pad, sizeof pad);
    p_eth(0x0800);
    CHECK_EQ_INT(dec(1), DT_DEC_OK);
    check_udp4_hello(__LINE__);
    CHECK_EQ_INT(O.ip_bytes, 33);

    /* IP total length larger than captured: payload_len < payload_wire */
    p_init(HELLO, 5);
    p_udp(1111, 53);
    P.d[P.off + 4] = 0, P.d[P.off + 5] = 8 + 100; /* UDP length claims 100 bytes */
    p_ip4x("10.0.0.1", "10.0.0.2", 17, 1, 0, 0, 95);
    p_eth(0x0800);
    CHECK_EQ_INT(dec_snapped(1), DT_DEC_OK);
    CHECK_EQ_INT(O.payload_len, 5);
    CHECK_EQ_INT(O.payload_wire, 100);
    CHECK_EQ_INT(O.ip_bytes, 20 + 8 + 100);

    /* the same frame captured whole: the IP length is a lie, not the snap length:
     * what is there counts, and the clipping is counted */
    CHECK_EQ_INT(dec(1), DT_DEC_OK);
    CHECK_EQ_INT(O.payload_len, 5);
    CHECK_EQ_INT(O.ip_bytes, 20 + 8 + 5);
    CHECK_EQ_INT(dt_decoder_stats(D)->ip_clipped, 1);

    /* bad IHL, total length below IHL, wrong version */
    udp4();
    P.d[P.off] = 0x44;
    p_eth(0x0800);
    CHECK_EQ_INT(dec(1), DT_DEC_MALFORMED);
    udp4();
    P.d[P.off + 2] = 0, P.d[P.off + 3] = 19;
    p_eth(0x0800);
    CHECK_EQ_INT(dec(1), DT_DEC_MALFORMED);
    udp4();
    P.d[P.off] = 0x55;
    p_eth(0x0800);
    CHECK_EQ_INT(dec(1), DT_DEC_MALFORMED);
    /* TCP data offset below 5 */
    p_init(HELLO, 5);
    p_tcp(1, 2, 0, 0, 0, 0, 0);
    P.d[P.off + 12] = 0x40;
    p_ip4("10.0.0.1", "10.0.0.2", 6);
    p_eth(0x0800);
    CHECK_EQ_INT(dec(1), DT_DEC_MALFORMED);
    /* UDP length below 8 */
    udp4();
    P.d[P.off + 20 + 5] = 7;
    p_eth(0x0800);
    CHECK_EQ_INT(dec(1), DT_DEC_MALFORMED);
}

static void test_ethernet_variants(void)
{
    /* 802.1Q */
    udp4();
    p_be16(0x0800);
    p_be16(0x0064);
    p_eth(0x8100);
    CHECK_EQ_INT(dec(1), DT_DEC_OK);
    check_udp4_hello(__LINE__);
    CHECK(O.payload == p_data() + 18 + 28);

    /* QinQ 802.1ad + 802.1Q, then 0x9100 */
    udp6();
    p_be16(0x86dd);
    p_be16(0x0064);
    p_be16(0x8100);
    p_be16(0x0005);
    p_be16(0x9100);
    p_be16(0x0007);
    p_eth(0x88a8);
    CHECK_EQ_INT(dec(1), DT_DEC_OK);
    check_udp6_hello(__LINE__);

    /* too many tags */
    udp4();
    p_be16(0x0800);
    for (int i = 0; i < 12; i++) {
        p_be16(0x0001);
        p_be16(0x8100);
    }
    p_pre("\0\1\2\3\4\5\6\7\10\11\12\13", 12);
    CHECK_EQ_INT(dec(1), DT_DEC_MALFORMED);

    /* MPLS: two labels, the second with bottom of stack */
    udp4();
    uint8_t l2[4] = {0x00, 0x01, 0x01, 0x40}, l1[4] = {0x00, 0x02, 0x00, 0x40};
    p_pre(l2, 4);
    p_pre(l1, 4);
    p_eth(0x8847);
    CHECK_EQ_INT(dec(1), DT_DEC_OK);
    check_udp4_hello(__LINE__);
    udp6();
    p_pre(l2, 4);
    p_eth(0x8848);
    CHECK_EQ_INT(dec(1), DT_DEC_OK);
    check_udp6_hello(__LINE__);
    /* MPLS without bottom of stack until the end */
    p_init(l1, 4);
    p_pre(l1, 4);
    p_eth(0x8847);
    CHECK_EQ_INT(dec(1), DT_DEC_MALFORMED);

    /* PPPoE session */
    udp6();
    size_t n = p_len() + 2;
    p_be16(0x0057);
    uint8_t ph[6] = {0x11, 0x00, 0x12, 0x34, n >> 8, n & 0xff};
    p_pre(ph, 6);
    p_eth(0x8864);
    CHECK_EQ_INT(dec(1), DT_DEC_OK);
    check_udp6_hello(__LINE__);
    udp4();
    n = p_len() + 2;
    p_be16(0x0021);
    ph[4] = n >> 8, ph[5] = n & 0xff;
    p_pre(ph, 6);
    p_eth(0x8864);
    CHECK_EQ_INT(dec(1), DT_DEC_OK);
    check_udp4_hello(__LINE__);
    /* PPPoE carrying LCP, PPPoE discovery, ARP, LLDP */
    p_init(HELLO, 5);
    p_be16(0xc021);
    p_pre(ph, 6);
    p_eth(0x8864);
    CHECK_EQ_INT(dec(1), DT_DEC_NOT_IP);
    p_init(HELLO, 5);
    p_eth(0x8863);
    CHECK_EQ_INT(dec(1), DT_DEC_NOT_IP);
    uint8_t arp[28] = {0, 1, 8, 0, 6, 4, 0, 1};
    p_init(arp, 28);
    p_eth(0x0806);
    CHECK_EQ_INT(dec(1), DT_DEC_NOT_IP);

    /* 802.3 length + LLC/SNAP */
    udp4();
    uint8_t snap[8] = {0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00};
    p_pre(snap, 8);
    p_eth((uint16_t)p_len());
    CHECK_EQ_INT(dec(1), DT_DEC_OK);
    check_udp4_hello(__LINE__);
    /* 802.3 + STP LLC */
    uint8_t stp[3 + 35] = {0x42, 0x42, 0x03};
    p_init(stp, sizeof stp);
    p_eth((uint16_t)p_len());
    CHECK_EQ_INT(dec(1), DT_DEC_NOT_IP);
}

static void test_cooked_raw_null_ppp(void)
{
    /* SLL */
    udp4();
    uint8_t sll[16] = {0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00};
    p_pre(sll, 16);
    CHECK_EQ_INT(dec(113), DT_DEC_OK);
    check_udp4_hello(__LINE__);
    CHECK(O.payload == p_data() + 16 + 28);
    p_init(sll, 15);
    CHECK_EQ_INT(dec(113), DT_DEC_MALFORMED);
    /* SLL with a VLAN tag left in place */
    udp6();
    p_be16(0x86dd);
    p_be16(0x0001);
    sll[14] = 0x81, sll[15] = 0x00;
    p_pre(sll, 16);
    CHECK_EQ_INT(dec(113), DT_DEC_OK);
    check_udp6_hello(__LINE__);

    /* SLL2 */
    udp6();
    uint8_t sll2[20] = {0x86, 0xdd, 0, 0, 0, 0, 0, 3, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0};
    p_pre(sll2, 20);
    CHECK_EQ_INT(dec(276), DT_DEC_OK);
    check_udp6_hello(__LINE__);
    CHECK(O.payload == p_data() + 20 + 48);
    sll2[0] = 0x08, sll2[1] = 0x06;
    p_init(HELLO, 5);
    p_pre(sll2, 20);
    CHECK_EQ_INT(dec(276), DT_DEC_NOT_IP);

    /* raw IP link types: version nibble decides */
    int raws[] = {101, 12, 14, 228, 229};
    for (size_t i = 0; i < sizeof raws / sizeof raws[0]; i++) {
        udp4();
        CHECK_EQ_INT(dec(raws[i]), DT_DEC_OK);
        check_udp4_hello(__LINE__);
        CHECK(O.payload == p_data() + 28);
        udp6();
        CHECK_EQ_INT(dec(raws[i]), DT_DEC_OK);
        check_udp6_hello(__LINE__);
    }
    p_init("\x50\0\0\0", 4);
    CHECK_EQ_INT(dec(101), DT_DEC_MALFORMED);
    p_init(NULL, 0);
    CHECK_EQ_INT(dec(101), DT_DEC_MALFORMED);

    /* BSD NULL / LOOP: address family in either byte order */
    udp4();
    p_pre("\x02\0\0\0", 4);
    CHECK_EQ_INT(dec(0), DT_DEC_OK);
    check_udp4_hello(__LINE__);
    CHECK(O.payload == p_data() + 4 + 28);
    const char *af6[] = {"\0\0\0\x18", "\x1e\0\0\0", "\x1c\0\0\0", "\x0a\0\0\0"};
    for (int i = 0; i < 4; i++) {
        udp6();
        p_pre(af6[i], 4);
        CHECK_EQ_INT(dec(i & 1 ? 0 : 108), DT_DEC_OK);
        check_udp6_hello(__LINE__);
    }
    udp4();
    p_pre("\0\0\0\x02", 4);
    CHECK_EQ_INT(dec(108), DT_DEC_OK);
    udp4();
    p_pre("\x07\0\0\0", 4);
    CHECK_EQ_INT(dec(0), DT_DEC_NOT_IP);
    p_init("\x02\0\0", 3);
    CHECK_EQ_INT(dec(0), DT_DEC_MALFORMED);

    /* PPP with and without address/control, with a compressed protocol */
    udp4();
    p_pre("\xff\x03\x00\x21", 4);
    CHECK_EQ_INT(dec(9), DT_DEC_OK);
    check_udp4_hello(__LINE__);
    udp6();
    p_pre("\x00\x57", 2);
    CHECK_EQ_INT(dec(9), DT_DEC_OK);
    check_udp6_hello(__LINE__);
    udp4();
    p_pre("\xff\x03\x21", 3);
    CHECK_EQ_INT(dec(50), DT_DEC_OK);
    check_udp4_hello(__LINE__);
    p_init(HELLO, 5);
    p_pre("\xff\x03\xc0\x21", 4);
    CHECK_EQ_INT(dec(9), DT_DEC_NOT_IP);
    /* Cisco HDLC, on its own link type and on a PPP link */
    udp4();
    p_pre("\x0f\x00\x08\x00", 4);
    CHECK_EQ_INT(dec(104), DT_DEC_OK);
    check_udp4_hello(__LINE__);
    CHECK_EQ_INT(dec(9), DT_DEC_OK);
    check_udp4_hello(__LINE__);

    /* PPI around Ethernet; PPI inside PPI and unknown inner DLTs are unsupported */
    udp4();
    p_eth(0x0800);
    p_pre("\x00\x00\x10\x00\x01\x00\x00\x00\x02\x00\x04\x00\x00\x00\x00\x00", 16);
    CHECK_EQ_INT(dec(192), DT_DEC_OK);
    check_udp4_hello(__LINE__);
    CHECK(O.payload == p_data() + 16 + 14 + 28);
    P.d[P.off + 4] = 192;
    CHECK_EQ_INT(dec(192), DT_DEC_UNSUPPORTED_LINK);
    P.d[P.off + 4] = 1;
    P.d[P.off + 2] = 200;
    CHECK_EQ_INT(dec(192), DT_DEC_MALFORMED);

    /* unsupported link type */
    udp4();
    uint64_t before = dt_decoder_stats(D)->unsupported_link;
    CHECK_EQ_INT(dec(147), DT_DEC_UNSUPPORTED_LINK);
    CHECK_EQ_INT(dt_decoder_stats(D)->unsupported_link, before + 1);
    CHECK(!dt_linktype_supported(147));
    CHECK(dt_linktype_supported(127));
}

/* 802.11 data header: fc0, fc1, then duration, addresses, sequence control. */
static void p_wifi(uint8_t fc0, uint8_t fc1, int qos)
{
    uint8_t snap[8] = {0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00};
    if (fc0 != 0x08 && fc0 != 0x88) {
        /* not a data frame with a body: no LLC */
    } else {
        p_pre(snap, 8);
    }
    if (qos && (fc1 & 0x80))
        p_pre("\0\0\0\0", 4); /* HT control */
    if (qos)
        p_pre("\x05\x00", 2);
    if ((fc1 & 3) == 3)
        p_pre("\x10\x11\x12\x13\x14\x15", 6);
    uint8_t h[24] = {fc0, fc1, 0x30, 0};
    for (int i = 4; i < 22; i++)
        h[i] = (uint8_t)i;
    h[22] = 0x10; /* sequence number 1, fragment 0 */
    p_pre(h, 24);
}

static void test_wifi(void)
{
    udp4();
    p_wifi(0x08, 0x01, 0); /* data, ToDS */
    CHECK_EQ_INT(dec(105), DT_DEC_OK);
    check_udp4_hello(__LINE__);
    CHECK(O.payload == p_data() + 24 + 8 + 28);
    udp6();
    p_wifi(0x88, 0x02, 1); /* QoS data, FromDS */
    P.d[P.off + 24 + 2 + 6] = 0x86, P.d[P.off + 24 + 2 + 7] = 0xdd;
    CHECK_EQ_INT(dec(105), DT_DEC_OK);
    check_udp6_hello(__LINE__);
    udp4();
    p_wifi(0x88, 0x83, 1); /* QoS data, 4 addresses, HT control */
    CHECK_EQ_INT(dec(105), DT_DEC_OK);
    check_udp4_hello(__LINE__);
    CHECK(O.payload == p_data() + 24 + 6 + 2 + 4 + 8 + 28);
    udp4();
    p_wifi(0x08, 0x41, 0); /* protected */
    CHECK_EQ_INT(dec(105), DT_DEC_NOT_IP);
    p_init(HELLO, 5);
    p_wifi(0x80, 0x00, 0); /* beacon */
    CHECK_EQ_INT(dec(105), DT_DEC_NOT_IP);
    p_init(NULL, 0);
    p_wifi(0x48, 0x01, 0); /* null function */
    CHECK_EQ_INT(dec(105), DT_DEC_NOT_IP);
    udp4();
    p_wifi(0x08, 0x01, 0);
    for (size_t n = 0; n < 24 + 8; n++) {
        CHECK_EQ_INT(dt_decode(D, 105, 0, p_data(), n, 0, &O), DT_DEC_MALFORMED);
    }

    /* radiotap: TSFT (aligned to 8) + flags with FCS; the IP header claims more than is there
     * so the FCS would be taken as payload if it were not stripped */
    p_init(HELLO, 5);
    p_udp(1111, 53);
    P.d[P.off + 5] = 8 + 40;
    p_ip4x("10.0.0.1", "10.0.0.2", 17, 1, 0, 0, 35);
    p_wifi(0x08, 0x01, 0);
    p_append("\xde\xad\xbe\xef", 4);
    uint8_t rt[18] = {0, 0, 18, 0, 0x03, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0x10, 0};
    p_pre(rt, 18);
    CHECK_EQ_INT(dec_snapped(127), DT_DEC_OK);
    CHECK_EQ_INT(O.payload_len, 5);
    CHECK_EQ_INT(O.payload_wire, 40);
    /* without the FCS flag the 4 trailing bytes count as payload */
    P.d[P.off + 16] = 0;
    CHECK_EQ_INT(dec_snapped(127), DT_DEC_OK);
    CHECK_EQ_INT(O.payload_len, 9);
    /* extended present bitmap, no flags field */
    udp4();
    p_wifi(0x08, 0x01, 0);
    uint8_t rt2[12] = {0, 0, 12, 0, 0x00, 0, 0, 0x80, 0x04, 0, 0, 0};
    p_pre(rt2, 12);
    CHECK_EQ_INT(dec(127), DT_DEC_OK);
    check_udp4_hello(__LINE__);
    rt2[2] = 200; /* length beyond the frame */
    P.d[P.off + 2] = 200;
    CHECK_EQ_INT(dec(127), DT_DEC_MALFORMED);
}

static void test_tunnels(void)
{
    const dt_decode_stats *st = dt_decoder_stats(D);
    uint64_t gre0 = st->tunneled[DT_TUN_GRE];

    /* GRE v0 with checksum, key and sequence */
    udp4();
    p_pre("\0\0\0\0\0\0\0\1\0\0\0\2", 12);
    p_pre("\xb0\x00\x08\x00", 4);
    p_ip4("192.0.2.1", "192.0.2.2", 47);
    p_eth(0x0800);
    CHECK_EQ_INT(dec(1), DT_DEC_OK);
    check_udp4_hello(__LINE__);
    CHECK_EQ_INT(O.tunnel, DT_TUN_GRE);
    CHECK_EQ_INT(O.tunnel_depth, 1);
    CHECK_EQ_INT(O.ip_bytes, 33);
    CHECK_EQ_INT(st->tunneled[DT_TUN_GRE], gre0 + 1);
    CHECK_EQ_STR(dt_tunnel_name(DT_TUN_GRE), "gre");
    CHECK(dt_tunnel_name(DT_TUN_NONE) == NULL);

    /* GRE transparent Ethernet bridging with IPv6 inside */
    udp6();
    p_eth(0x86dd);
    p_pre("\x00\x00\x65\x58", 4);
    p_ip4("192.0.2.1", "192.0.2.2", 47);
    p_eth(0x0800);
    CHECK_EQ_INT(dec(1), DT_DEC_OK);
    check_udp6_hello(__LINE__);
    CHECK_EQ_INT(O.tunnel, DT_TUN_GRE);

    /* PPTP enhanced GRE v1: key (payload length, call id), sequence, then PPP */
    udp4();
    p_pre("\xff\x03\x00\x21", 4);
    size_t n = p_len();
    uint8_t g1[12] = {0x30, 0x01, 0x88, 0x0b, n >> 8, n & 0xff, 0, 9, 0, 0, 0, 1};
    p_pre(g1, 12);
    p_ip4("192.0.2.1", "192.0.2.2", 47);
    p_eth(0x0800);
    CHECK_EQ_INT(dec(1), DT_DEC_OK);
    check_udp4_hello(__LINE__);
    CHECK_EQ_INT(O.tunnel, DT_TUN_GRE);
    /* PPTP carrying compressed/encrypted PPP: the GRE packet itself is delivered */
    p_init(HELLO, 5);
    p_pre("\xff\x03\x00\xfd", 4);
    n = p_len();
    g1[4] = n >> 8, g1[5] = n & 0xff;
    p_pre(g1, 12);
    p_ip4("192.0.2.1", "192.0.2.2", 47);
    p_eth(0x0800);
    CHECK_EQ_INT(dec(1), DT_DEC_OK);
    CHECK_EQ_STR(src_str(), "192.0.2.1");
    CHECK_EQ_INT(O.proto, 47);
    CHECK_EQ_INT(O.tunnel, DT_TUN_NONE);
    CHECK_EQ_INT(O.tunnel_depth, 0);
    CHECK_EQ_INT(O.payload_len, 21);
    /* GRE with an unknown protocol: delivered as GRE */
    p_init(HELLO, 5);
    p_pre("\x00\x00\x12\x34", 4);
    p_ip4("192.0.2.1", "192.0.2.2", 47);
    CHECK_EQ_INT(dec(101), DT_DEC_OK);
    CHECK_EQ_INT(O.proto, 47);
    CHECK_EQ_INT(O.tunnel, DT_TUN_NONE);
    /* truncated GRE header */
    p_init("\x80\x00\x08\x00\x00", 5);
    p_ip4("192.0.2.1", "192.0.2.2", 47);
    CHECK_EQ_INT(dec(101), DT_DEC_MALFORMED);

    /* VXLAN */
    p_init(HELLO, 5);
    p_tcp(5555, 80, 1, 2, 0x18, 100, 0);
    p_ip4("10.1.0.1", "10.1.0.2", 6);
    p_eth(0x0800);
    p_pre("\x08\0\0\0\0\0\x2a\0", 8);
    p_udp(49152, 4789);
    p_ip6("2001:db8::a", "2001:db8::b", 17);
    p_eth(0x86dd);
    CHECK_EQ_INT(dec(1), DT_DEC_OK);
    CHECK_EQ_STR(src_str(), "10.1.0.1");
    CHECK_EQ_STR(dst_str(), "10.1.0.2");
    CHECK_EQ_INT(O.sport, 5555);
    CHECK_EQ_INT(O.dport, 80);
    CHECK_EQ_INT(O.payload_len, 5);
    CHECK_EQ_INT(O.tunnel, DT_TUN_VXLAN);
    CHECK_EQ_INT(O.tunnel_depth, 1);
    /* VXLAN carrying ARP: the outer UDP packet is delivered */
    uint8_t arp[28] = {0, 1, 8, 0, 6, 4, 0, 1};
    p_init(arp, 28);
    p_eth(0x0806);
    p_pre("\x08\0\0\0\0\0\x2a\0", 8);
    p_udp(49152, 4789);
    p_ip4("192.0.2.1", "192.0.2.2", 17);
    CHECK_EQ_INT(dec(101), DT_DEC_OK);
    CHECK_EQ_STR(src_str(), "192.0.2.1");
    CHECK_EQ_INT(O.dport, 4789);
    CHECK_EQ_INT(O.payload_len, 8 + 14 + 28);
    CHECK_EQ_INT(O.tunnel, DT_TUN_NONE);
    /* CAPWAP data (UDP 5247), HLEN 2 words, T=0: an Ethernet frame inside */
    p_init(HELLO, 5);
    p_tcp(5555, 443, 1, 2, 0x18, 100, 0);
    p_ip4("10.1.3.68", "74.125.130.188", 6);
    p_eth(0x0800);
    p_pre("\x00\x10\x00\x00\x00\x00\x00\x00", 8);
    p_udp(41264, 5247);
    p_ip4("172.50.100.155", "172.16.100.87", 17);
    p_eth(0x0800);
    CHECK_EQ_INT(dec(1), DT_DEC_OK);
    CHECK_EQ_STR(src_str(), "10.1.3.68");
    CHECK_EQ_INT(O.dport, 443);
    CHECK_EQ_INT(O.payload_len, 5);
    CHECK_EQ_INT(O.tunnel, DT_TUN_CAPWAP);
    /* native 802.11 (T=1, binding 1) with 8 bytes of wireless information (HLEN 4), frame
     * control bytes swapped as Cisco controllers send them, fragment number set */
    p_init(HELLO, 5);
    p_tcp(5555, 443, 1, 2, 0x18, 100, 0);
    p_ip4("10.1.3.68", "74.125.130.188", 6);
    p_wifi(0x08, 0x11, 0);
    P.d[P.off] = 0x11, P.d[P.off + 1] = 0x08, P.d[P.off + 22] = 0x16;
    p_pre("\x00\x20\x03\x20\x00\x00\x00\x00\x04\xbf\x23\x00\x00\x00\x00\x00", 16);
    p_udp(41264, 5247);
    p_ip4("172.50.100.155", "172.16.100.87", 17);
    p_eth(0x0800);
    CHECK_EQ_INT(dec(1), DT_DEC_OK);
    CHECK_EQ_STR(src_str(), "10.1.3.68");
    CHECK_EQ_INT(O.dport, 443);
    CHECK_EQ_INT(O.tunnel, DT_TUN_CAPWAP);
    /* a fragmented CAPWAP packet (F flag) is delivered as the outer UDP packet */
    p_init(HELLO, 5);
    p_pre("\x00\x10\x00\x80\x00\x00\x00\x00", 8);
    p_udp(41264, 5247);
    p_ip4("172.50.100.155", "172.16.100.87", 17);
    CHECK_EQ_INT(dec(101), DT_DEC_OK);
    CHECK_EQ_INT(O.dport, 5247);
    CHECK_EQ_INT(O.tunnel, DT_TUN_NONE);

    /* port 4789 without the I flag is plain UDP */
    p_init("\0\0\0\0\0\0\0\0\0", 9);
    p_udp(1, 4789);
    p_ip4("192.0.2.1", "192.0.2.2", 17);
    CHECK_EQ_INT(dec(101), DT_DEC_OK);
    CHECK_EQ_INT(O.payload_len, 9);
    CHECK_EQ_INT(O.tunnel, DT_TUN_NONE);

    /* GTP-U with sequence number and two extension headers */
    udp4();
    p_pre("\x01\x00\x00\x00", 4);                 /* ext 2: len 1, next 0 */
    p_pre("\x02\x11\x22\x33\x44\x55\x66\x85", 8); /* ext 1 (PDU session): len 2, next 0x85 */
    p_pre("\x00\x07\x00\x85", 4);                 /* seq 7, N-PDU 0, next ext 0x85 */
    n = p_len();
    uint8_t gtp[8] = {0x36, 0xff, n >> 8, n & 0xff, 0, 0, 0, 1};
    p_pre(gtp, 8);
    p_udp(2152, 2152);
    p_ip4("172.16.0.1", "172.16.0.2", 17);
    p_eth(0x0800);
    CHECK_EQ_INT(dec(1), DT_DEC_OK);
    check_udp4_hello(__LINE__);
    CHECK_EQ_INT(O.tunnel, DT_TUN_GTPU);
    /* extension header with length 0 is malformed */
    P.d[P.off + 14 + 28 + 12] = 0;
    CHECK_EQ_INT(dec(1), DT_DEC_MALFORMED);
    /* GTP-U echo request: plain UDP */
    p_init("\x32\x01\x00\x04\0\0\0\0\0\0\0\0", 12);
    p_udp(40000, 2152);
    p_ip4("172.16.0.1", "172.16.0.2", 17);
    CHECK_EQ_INT(dec(101), DT_DEC_OK);
    CHECK_EQ_INT(O.tunnel, DT_TUN_NONE);
    CHECK_EQ_INT(O.payload_len, 12);
    /* minimal G-PDU with IPv6 */
    udp6();
    n = p_len();
    uint8_t gtp2[8] = {0x30, 0xff, n >> 8, n & 0xff, 1, 2, 3, 4};
    p_pre(gtp2, 8);
    p_udp(2152, 2152);
    p_ip6("2001:db8:1::1", "2001:db8:1::2", 17);
    CHECK_EQ_INT(dec(101), DT_DEC_OK);
    check_udp6_hello(__LINE__);
    CHECK_EQ_INT(O.tunnel, DT_TUN_GTPU);

    /* IP in IP: 4in4, 6in4, 6in6, 4in6 */
    udp4();
    p_ip4("198.51.100.1", "198.51.100.2", 4);
    CHECK_EQ_INT(dec(101), DT_DEC_OK);
    check_udp4_hello(__LINE__);
    CHECK_EQ_INT(O.tunnel, DT_TUN_IPIP);
    udp6();
    p_ip4("198.51.100.1", "198.51.100.2", 41);
    CHECK_EQ_INT(dec(101), DT_DEC_OK);
    check_udp6_hello(__LINE__);
    CHECK_EQ_INT(O.tunnel, DT_TUN_6IN4);
    CHECK_EQ_INT(O.ip_bytes, 53);
    udp6();
    p_ip6("2001:db8:ff::1", "2001:db8:ff::2", 41);
    CHECK_EQ_INT(dec(101), DT_DEC_OK);
    check_udp6_hello(__LINE__);
    CHECK_EQ_INT(O.tunnel, DT_TUN_IPIP);
    udp4();
    p_ip6("2001:db8:ff::1", "2001:db8:ff::2", 4);
    p_ip4("198.51.100.1", "198.51.100.2", 41);
    CHECK_EQ_INT(dec(101), DT_DEC_OK);
    check_udp4_hello(__LINE__);
    CHECK_EQ_INT(O.tunnel, DT_TUN_6IN4); /* outermost kind */
    CHECK_EQ_INT(O.tunnel_depth, 2);
    /* inner header truncated */
    p_init("\x45\x00", 2);
    p_ip4("198.51.100.1", "198.51.100.2", 4);
    CHECK_EQ_INT(dec(101), DT_DEC_MALFORMED);
}

static void nest_ipip(int depth)
{
    udp4();
    for (int i = 0; i < depth; i++)
        p_ip4("203.0.113.1", "203.0.113.2", 4);
}

static void test_nesting(void)
{
    nest_ipip(8); /* the default limit */
    CHECK_EQ_INT(dec(101), DT_DEC_OK);
    check_udp4_hello(__LINE__);
    CHECK_EQ_INT(O.tunnel_depth, 8);
    nest_ipip(9);
    CHECK_EQ_INT(dec(101), DT_DEC_MALFORMED);
    nest_ipip(100);
    CHECK_EQ_INT(dec(101), DT_DEC_MALFORMED);

    dt_decode_limits lim;
    dt_decode_limits_default(&lim);
    lim.max_tunnel_depth = 1000;
    dt_decoder *d2 = dt_decoder_new(&lim);
    nest_ipip(100);
    CHECK_EQ_INT(dt_decode(d2, 101, 0, p_data(), p_len(), 0, &O), DT_DEC_OK);
    check_udp4_hello(__LINE__);
    CHECK_EQ_INT(O.tunnel_depth, 100);
    CHECK_EQ_INT(O.tunnel, DT_TUN_IPIP);
    CHECK_EQ_INT(dt_decoder_stats(d2)->tunneled[DT_TUN_IPIP], 1);
    /* 300 layers: depth is a uint8_t, so more than 255 is refused */
    nest_ipip(300);
    CHECK_EQ_INT(dt_decode(d2, 101, 0, p_data(), p_len(), 0, &O), DT_DEC_MALFORMED);
    dt_decoder_free(d2);
}

static void test_ipv6_ext(void)
{
    /* hop-by-hop, routing, destination options, AH, then TCP */
    p_init(HELLO, 5);
    p_tcp(1234, 443, 9, 10, 0x02, 65535, 0);
    p_ext6(6, 1, 4);  /* AH, 24 bytes */
    p_ext6(51, 0, 1); /* destination options, 16 bytes */
    p_ext6(60, 0, 0); /* routing, 8 bytes */
    p_ext6(43, 0, 0); /* hop-by-hop, 8 bytes */
    p_ip6("2001:db8::1", "2001:db8::2", 0);
    p_eth(0x86dd);
    CHECK_EQ_INT(dec(1), DT_DEC_OK);
    CHECK_EQ_INT(O.proto, 6);
    CHECK_EQ_INT(O.sport, 1234);
    CHECK_EQ_INT(O.dport, 443);
    CHECK_EQ_INT(O.tcp_flags, 0x02);
    CHECK(O.payload == p_data() + 14 + 40 + 56 + 20);
    CHECK_EQ_INT(O.payload_len, 5);
    CHECK_EQ_INT(O.ip_bytes, 40 + 56 + 25);
    size_t full = p_len();
    for (size_t n = 0; n < 14 + 40 + 56 + 20; n++)
        CHECK_EQ_INT(dt_decode(D, 1, 0, p_data(), n, 0, &O), DT_DEC_MALFORMED);
    CHECK_EQ_INT(dt_decode(D, 1, 0, p_data(), full - 1, 0, &O), DT_DEC_OK);
    CHECK_EQ_INT(O.payload_len, 4);
    CHECK_EQ_INT(O.payload_wire, 5);

    /* mobility header is walked; ESP ends the walk */
    p_init("\0\0\0\1\0\0\0\2", 8);
    p_ext6(50, 0, 0);
    p_ext6(135, 0, 0);
    p_ip6("2001:db8::1", "2001:db8::2", 60);
    CHECK_EQ_INT(dec(101), DT_DEC_OK);
    CHECK_EQ_INT(O.proto, 50);
    CHECK_EQ_INT(O.sport, 0);
    CHECK_EQ_INT(O.payload_len, 8);
    /* no next header */
    p_init(NULL, 0);
    p_ip6("2001:db8::1", "2001:db8::2", 59);
    CHECK_EQ_INT(dec(101), DT_DEC_OK);
    CHECK_EQ_INT(O.proto, 59);
    CHECK_EQ_INT(O.payload_len, 0);
    /* extension header longer than the payload length */
    p_init(HELLO, 5);
    p_ext6(59, 0, 3);
    P.off += 16; /* claims 32 bytes, only 16 present */
    P.d[P.off] = 59, P.d[P.off + 1] = 3;
    p_ip6("2001:db8::1", "2001:db8::2", 60);
    CHECK_EQ_INT(dec(101), DT_DEC_MALFORMED);
    /* jumbogram (payload length 0 with hop-by-hop) */
    p_init(NULL, 0);
    p_ip6("2001:db8::1", "2001:db8::2", 0);
    CHECK_EQ_INT(dec(101), DT_DEC_MALFORMED);
    /* endless chain of destination options */
    p_init(NULL, 0);
    for (int i = 0; i < 40; i++)
        p_ext6(60, 0, 0);
    p_ip6("2001:db8::1", "2001:db8::2", 60);
    CHECK_EQ_INT(dec(101), DT_DEC_MALFORMED);

    /* ICMP and ICMPv6 */
    p_init("\x08\x00\x00\x00\x00\x01\x00\x01", 8);
    p_ip4("10.0.0.1", "10.0.0.2", 1);
    CHECK_EQ_INT(dec(101), DT_DEC_OK);
    CHECK_EQ_INT(O.proto, 1);
    CHECK_EQ_INT(O.sport, 0);
    CHECK_EQ_INT(O.payload_len, 8);
    p_init("\x80\x00\x00\x00\x00\x01\x00\x01", 8);
    p_ip6("2001:db8::1", "2001:db8::2", 58);
    CHECK_EQ_INT(dec(101), DT_DEC_OK);
    CHECK_EQ_INT(O.proto, 58);
}

/* ---- fragments ---------------------------------------------------------------------- */

static uint8_t L4[4096]; /* a UDP datagram to fragment */
static size_t L4N;

static void make_l4(size_t payload)
{
    uint8_t pl[4000];
    for (size_t i = 0; i < payload; i++)
        pl[i] = (uint8_t)(i * 7 + 3);
    p_init(pl, payload);
    p_udp(5353, 9999);
    L4N = p_len();
    memcpy(L4, p_data(), L4N);
}

static dt_decode_result frag4(dt_decoder *d, uint64_t ts, uint16_t id, size_t off, size_t len,
                              int mf)
{
    p_init(L4 + off, len);
    p_ip4x("10.9.0.1", "10.9.0.2", 17, id, (uint16_t)((mf ? 0x2000 : 0) | off / 8), 0, 0);
    p_eth(0x0800);
    return dt_decode(d, 1, ts, p_data(), p_len(), 0, &O);
}

static dt_decode_result frag6(dt_decoder *d, uint64_t ts, uint32_t id, size_t off, size_t len,
                              int mf)
{
    p_init(L4 + off, len);
    uint8_t fh[8] = {17,
                     0,
                     (uint8_t)(off >> 8),
                     (uint8_t)((off & 0xf8) | (mf ? 1 : 0)),
                     id >> 24,
                     id >> 16 & 0xff,
                     id >> 8 & 0xff,
                     id & 0xff};
    p_pre(fh, 8);
    p_ext6(44, 0, 0); /* a hop-by-hop header before the fragment header */
    p_ip6("2001:db8:9::1", "2001:db8:9::2", 0);
    return dt_decode(d, 229, ts, p_data(), p_len(), 0, &O);
}

static void check_reasm(int line)
{
    int before = check_failed;
    CHECK_EQ_INT(O.reassembled, 1);
    CHECK_EQ_INT(O.proto, 17);
    CHECK_EQ_INT(O.sport, 5353);
    CHECK_EQ_INT(O.dport, 9999);
    CHECK_EQ_INT(O.payload_len, L4N - 8);
    CHECK_EQ_INT(O.payload_wire, L4N - 8);
    CHECK(O.payload && memcmp(O.payload, L4 + 8, L4N - 8) == 0);
    if (check_failed != before)
        fprintf(stderr, "  (from line %d)\n", line);
}

static void test_frag4(void)
{
    dt_decoder *d = dt_decoder_new(NULL);
    const dt_decode_stats *st = dt_decoder_stats(d);
    make_l4(40); /* 48 bytes: fragments of 16 */

    /* in order */
    CHECK_EQ_INT(frag4(d, 1, 1, 0, 16, 1), DT_DEC_FRAG_HELD);
    CHECK_EQ_INT(frag4(d, 2, 1, 16, 16, 1), DT_DEC_FRAG_HELD);
    CHECK_EQ_INT(frag4(d, 3, 1, 32, 16, 0), DT_DEC_OK);
    check_reasm(__LINE__);
    CHECK_EQ_STR(src_str(), "10.9.0.1");
    CHECK_EQ_STR(dst_str(), "10.9.0.2");
    CHECK_EQ_INT(O.ip_bytes, 20 + 48);
    CHECK_EQ_INT(st->fragments, 3);
    CHECK_EQ_INT(st->frag_reassembled, 1);
    CHECK_EQ_INT(st->frag_held, 2);
    CHECK_EQ_INT(st->udp, 1);

    /* out of order, last first */
    CHECK_EQ_INT(frag4(d, 4, 2, 32, 16, 0), DT_DEC_FRAG_HELD);
    CHECK_EQ_INT(frag4(d, 5, 2, 0, 16, 1), DT_DEC_FRAG_HELD);
    CHECK_EQ_INT(frag4(d, 6, 2, 16, 16, 1), DT_DEC_OK);
    check_reasm(__LINE__);

    /* duplicated fragment */
    CHECK_EQ_INT(frag4(d, 7, 3, 0, 16, 1), DT_DEC_FRAG_HELD);
    CHECK_EQ_INT(frag4(d, 8, 3, 0, 16, 1), DT_DEC_FRAG_HELD);
    CHECK_EQ_INT(st->frag_overlaps, 1);
    CHECK_EQ_INT(frag4(d, 9, 3, 16, 32, 0), DT_DEC_OK);
    check_reasm(__LINE__);

    /* overlapping with different data: the first received bytes win */
    uint8_t saved[48];
    memcpy(saved, L4, 48);
    CHECK_EQ_INT(frag4(d, 10, 4, 0, 24, 1), DT_DEC_FRAG_HELD);
    memset(L4 + 16, 0xee, 8);
    CHECK_EQ_INT(frag4(d, 11, 4, 16, 32, 0), DT_DEC_OK);
    memcpy(L4, saved, 48);
    check_reasm(__LINE__);
    CHECK_EQ_INT(st->frag_overlaps, 2);

    /* conflicting final lengths drop the datagram */
    CHECK_EQ_INT(frag4(d, 12, 5, 32, 16, 0), DT_DEC_FRAG_HELD);
    CHECK_EQ_INT(frag4(d, 13, 5, 16, 8, 0), DT_DEC_MALFORMED);
    CHECK_EQ_INT(frag4(d, 14, 5, 0, 16, 1), DT_DEC_FRAG_HELD); /* starts over */

    /* non-final fragment not a multiple of 8; end beyond 65535 */
    CHECK_EQ_INT(frag4(d, 15, 6, 0, 12, 1), DT_DEC_MALFORMED);
    p_init(L4, 32);
    p_ip4x("10.9.0.1", "10.9.0.2", 17, 7, 8189, 0, 0); /* offset 65512 + 32 */
    CHECK_EQ_INT(dt_decode(d, 101, 16, p_data(), p_len(), 0, &O), DT_DEC_MALFORMED);
    /* a fragment cut by the snap length cannot be reassembled: the first one is delivered
     * as it is, a later one is malformed */
    uint64_t held = st->frag_held;
    frag4(d, 17, 8, 0, 16, 1);
    CHECK_EQ_INT(dt_decode(d, 1, 17, p_data(), p_len() - 1, 0, &O), DT_DEC_OK);
    CHECK_EQ_INT(O.reassembled, 0);
    CHECK_EQ_INT(O.sport, 5353);
    CHECK_EQ_INT(O.payload_len, 7);
    CHECK_EQ_INT(O.payload_wire, 8);
    CHECK(O.payload == p_data() + 14 + 20 + 8);
    frag4(d, 17, 8, 16, 16, 1);
    CHECK_EQ_INT(dt_decode(d, 1, 17, p_data(), p_len() - 1, 0, &O), DT_DEC_MALFORMED);
    CHECK_EQ_INT(st->frag_held, held + 2); /* the two complete copies only */

    /* incomplete: timeout by packet timestamps (30 s default) */
    uint64_t inc = st->frag_incomplete;
    CHECK_EQ_INT(frag4(d, 100, 9, 0, 16, 1), DT_DEC_FRAG_HELD);
    udp4();
    CHECK_EQ_INT(dt_decode(d, 101, 100 + 31000000000ull, p_data(), p_len(), 0, &O), DT_DEC_OK);
    CHECK(st->frag_incomplete >= inc + 1);
    CHECK_EQ_INT(frag4(d, 100 + 31000000001ull, 9, 16, 32, 0), DT_DEC_FRAG_HELD);

    /* stats are consistent */
    CHECK_EQ_INT(st->frames, st->ip4 + st->ip6 + st->not_ip + st->malformed + st->unsupported_link +
                                 st->frag_held);
    CHECK_EQ_INT(st->ip4 + st->ip6, st->tcp + st->udp + st->icmp + st->icmp6 + st->other_ip);
    dt_decoder_free(d);

    /* too many datagrams: the oldest is evicted */
    dt_decode_limits lim;
    dt_decode_limits_default(&lim);
    lim.max_frag_datagrams = 2;
    d = dt_decoder_new(&lim);
    st = dt_decoder_stats(d);
    CHECK_EQ_INT(frag4(d, 1, 1, 0, 16, 1), DT_DEC_FRAG_HELD);
    CHECK_EQ_INT(frag4(d, 2, 2, 0, 16, 1), DT_DEC_FRAG_HELD);
    CHECK_EQ_INT(frag4(d, 3, 3, 0, 16, 1), DT_DEC_FRAG_HELD);
    CHECK_EQ_INT(st->frag_evicted, 1);
    CHECK_EQ_INT(frag4(d, 4, 1, 16, 32, 0), DT_DEC_FRAG_HELD); /* id 1 is gone */
    CHECK_EQ_INT(st->frag_evicted, 2);                         /* and id 2 made room */
    CHECK_EQ_INT(frag4(d, 5, 3, 16, 32, 0), DT_DEC_OK);
    check_reasm(__LINE__);
    dt_decoder_free(d);

    /* byte budget too small for anything: fragments are dropped, counted as evicted */
    lim.max_frag_datagrams = 16;
    lim.max_frag_bytes = 100;
    d = dt_decoder_new(&lim);
    st = dt_decoder_stats(d);
    CHECK_EQ_INT(frag4(d, 1, 1, 0, 16, 1), DT_DEC_FRAG_HELD);
    CHECK_EQ_INT(frag4(d, 2, 1, 16, 32, 0), DT_DEC_FRAG_HELD);
    CHECK_EQ_INT(st->frag_evicted, 2);
    CHECK_EQ_INT(st->frag_reassembled, 0);
    dt_decoder_free(d);

    /* a large datagram (4000 bytes of payload, fragments of 1480, out of order) */
    d = dt_decoder_new(NULL);
    make_l4(4000);
    CHECK_EQ_INT(frag4(d, 1, 77, 2960, L4N - 2960, 0), DT_DEC_FRAG_HELD);
    CHECK_EQ_INT(frag4(d, 1, 77, 1480, 1480, 1), DT_DEC_FRAG_HELD);
    CHECK_EQ_INT(frag4(d, 1, 77, 0, 1480, 1), DT_DEC_OK);
    check_reasm(__LINE__);
    CHECK_EQ_INT(O.ip_bytes, 20 + 4008);
    dt_decoder_free(d);
}

static void test_frag6(void)
{
    dt_decoder *d = dt_decoder_new(NULL);
    const dt_decode_stats *st = dt_decoder_stats(d);
    make_l4(40);
    CHECK_EQ_INT(frag6(d, 1, 0xabcdef01, 16, 16, 1), DT_DEC_FRAG_HELD);
    CHECK_EQ_INT(frag6(d, 2, 0xabcdef01, 32, 16, 0), DT_DEC_FRAG_HELD);
    CHECK_EQ_INT(frag6(d, 3, 0xabcdef01, 16, 16, 1), DT_DEC_FRAG_HELD); /* duplicate */
    CHECK_EQ_INT(frag6(d, 4, 0xabcdef01, 0, 16, 1), DT_DEC_OK);
    check_reasm(__LINE__);
    CHECK_EQ_STR(src_str(), "2001:db8:9::1");
    CHECK_EQ_STR(dst_str(), "2001:db8:9::2");
    CHECK_EQ_INT(O.ip_bytes, 40 + 8 + 48);
    CHECK_EQ_INT(st->fragments, 4);
    CHECK_EQ_INT(st->frag_overlaps, 1);
    CHECK_EQ_INT(st->frag_reassembled, 1);
    CHECK_EQ_INT(st->ip6, 1);
    /* a different identification does not mix */
    CHECK_EQ_INT(frag6(d, 5, 1, 0, 16, 1), DT_DEC_FRAG_HELD);
    CHECK_EQ_INT(frag6(d, 6, 2, 16, 32, 0), DT_DEC_FRAG_HELD);
    /* truncated first fragment: delivered as it is */
    frag6(d, 7, 9, 0, 16, 1);
    CHECK_EQ_INT(dt_decode(d, 229, 7, p_data(), p_len() - 2, 0, &O), DT_DEC_OK);
    CHECK_EQ_INT(O.sport, 5353);
    CHECK_EQ_INT(O.payload_len, 6);
    CHECK_EQ_INT(O.reassembled, 0);
    /* atomic fragment (offset 0, M 0) is decoded directly */
    CHECK_EQ_INT(frag6(d, 7, 3, 0, L4N, 0), DT_DEC_OK);
    CHECK_EQ_INT(O.reassembled, 0);
    CHECK_EQ_INT(O.sport, 5353);
    /* timeout */
    CHECK_EQ_INT(frag6(d, 60000000000ull, 4, 0, 16, 1), DT_DEC_FRAG_HELD);
    CHECK_EQ_INT(st->frag_incomplete, 3);
    dt_decoder_free(d);

    /* fragmented outer IPv4 carrying a GRE tunnel */
    d = dt_decoder_new(NULL);
    udp6();
    p_pre("\x00\x00\x86\xdd", 4);
    L4N = p_len();
    memcpy(L4, p_data(), L4N); /* 4 + 48 + 13 = 65 bytes */
    p_init(L4, 32);
    p_ip4x("192.0.2.1", "192.0.2.2", 47, 5, 0x2000, 0, 0);
    CHECK_EQ_INT(dt_decode(d, 101, 1, p_data(), p_len(), 0, &O), DT_DEC_FRAG_HELD);
    p_init(L4 + 32, L4N - 32);
    p_ip4x("192.0.2.1", "192.0.2.2", 47, 5, 4, 0, 0);
    CHECK_EQ_INT(dt_decode(d, 101, 2, p_data(), p_len(), 0, &O), DT_DEC_OK);
    check_udp6_hello(__LINE__);
    CHECK_EQ_INT(O.tunnel, DT_TUN_GRE);
    CHECK_EQ_INT(O.reassembled, 1);
    dt_decoder_free(d);
}

/* The fragment table on its own: bounds and accounting. */
static void test_ipfrag_direct(void)
{
    dt_ipfrag *f = dt_ipfrag_new(4, 1 << 20, 1000);
    dt_frag_key k;
    memset(&k, 0, sizeof k);
    k.family = 4;
    k.proto = 17;
    uint8_t data[64];
    for (int i = 0; i < 64; i++)
        data[i] = (uint8_t)i;
    const uint8_t *out = NULL;
    uint32_t outlen = 0;
    uint8_t nh = 0;
    for (uint32_t id = 0; id < 10; id++) {
        k.id = id;
        CHECK_EQ_INT(dt_ipfrag_add(f, &k, 5, 0, data, 16, 1, 65515, 17, &out, &outlen, &nh),
                     DT_FRAG_HELD);
    }
    CHECK_EQ_INT(dt_ipfrag_count(f), 4);
    CHECK_EQ_INT(dt_ipfrag_get_stats(f)->evicted, 6);
    k.id = 9;
    CHECK_EQ_INT(dt_ipfrag_add(f, &k, 6, 16, data + 16, 20, 0, 65515, 0, &out, &outlen, &nh),
                 DT_FRAG_COMPLETE);
    CHECK_EQ_INT(outlen, 36);
    CHECK_EQ_INT(nh, 17);
    CHECK(memcmp(out, data, 36) == 0);
    CHECK_EQ_INT(dt_ipfrag_count(f), 3);
    dt_ipfrag_expire(f, 2000);
    CHECK_EQ_INT(dt_ipfrag_count(f), 0);
    CHECK_EQ_INT(dt_ipfrag_bytes(f), 0);
    CHECK_EQ_INT(dt_ipfrag_get_stats(f)->incomplete, 3);
    /* data after the final length */
    k.id = 50;
    CHECK_EQ_INT(dt_ipfrag_add(f, &k, 3000, 8, data, 8, 0, 65515, 0, &out, &outlen, &nh),
                 DT_FRAG_HELD);
    CHECK_EQ_INT(dt_ipfrag_add(f, &k, 3000, 8, data, 16, 1, 65515, 0, &out, &outlen, &nh),
                 DT_FRAG_CONFLICT);
    CHECK_EQ_INT(dt_ipfrag_get_stats(f)->conflicts, 1);
    CHECK_EQ_INT(dt_ipfrag_count(f), 0);
    dt_ipfrag_free(f);
}

/* ---- anomaly reasons ------------------------------------------------------------------ */

static uint64_t reason_sum(const dt_decode_stats *st)
{
    uint64_t n = 0;
    for (int i = 0; i < DT_ANOMALY_COUNT; i++)
        n += st->malformed_by_reason[i];
    return n;
}

/* Decodes the packet under construction (the first caplen bytes) with a fresh decoder:
 * malformed, counted once, under `why`. */
static void expect_anomaly_at(int lt, size_t caplen, uint32_t wirelen, const dt_decode_limits *lim,
                              dt_anomaly why, int line)
{
    int before = check_failed;
    dt_decoder *d = dt_decoder_new(lim);
    CHECK_EQ_INT(dt_decode(d, lt, 0, p_data(), caplen, wirelen, &O), DT_DEC_MALFORMED);
    const dt_decode_stats *st = dt_decoder_stats(d);
    CHECK_EQ_INT(st->malformed, 1);
    CHECK_EQ_INT(reason_sum(st), 1);
    CHECK_EQ_INT(st->malformed_by_reason[why], 1);
    if (check_failed != before) {
        for (int i = 0; i < DT_ANOMALY_COUNT; i++)
            if (st->malformed_by_reason[i])
                fprintf(stderr, "  counted as %s\n", dt_decode_anomaly_name(i));
        fprintf(stderr, "  (from line %d, expected %s)\n", line, dt_decode_anomaly_name((int)why));
    }
    dt_decoder_free(d);
}
#define EXPECT_ANOMALY(lt, why)                                                                    \
    expect_anomaly_at(lt, p_len(), (uint32_t)p_len(), NULL, why, __LINE__)

static void test_anomaly_names(void)
{
    CHECK_EQ_STR(dt_decode_anomaly_name(DT_ANOM_IPV4_BAD_IHL), "ipv4_bad_ihl");
    CHECK_EQ_STR(dt_decode_anomaly_name(DT_ANOM_TUNNEL_TOO_DEEP), "tunnel_too_deep");
    CHECK_EQ_STR(dt_decode_anomaly_name(DT_ANOM_TOO_MANY_LAYERS), "too_many_layers");
    CHECK(dt_decode_anomaly_name(-1) == NULL);
    CHECK(dt_decode_anomaly_name(DT_ANOMALY_COUNT) == NULL);
    /* every name is a distinct snake_case JSON key */
    for (int i = 0; i < DT_ANOMALY_COUNT; i++) {
        const char *n = dt_decode_anomaly_name(i);
        CHECK(n && n[0] >= 'a' && n[0] <= 'z');
        for (const char *p = n; p && *p; p++)
            CHECK((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_');
        for (int j = 0; j < i; j++)
            CHECK(strcmp(n, dt_decode_anomaly_name(j)) != 0);
    }
}

static void test_anomalies(void)
{
    /* IPv4 header fields */
    udp4();
    P.d[P.off] = 0x44; /* IHL 16 bytes */
    p_eth(0x0800);
    EXPECT_ANOMALY(1, DT_ANOM_IPV4_BAD_IHL);
    udp4();
    P.d[P.off + 2] = 0, P.d[P.off + 3] = 19; /* total length below the header */
    p_eth(0x0800);
    EXPECT_ANOMALY(1, DT_ANOM_IPV4_BAD_TOTAL_LENGTH);
    udp4();
    P.d[P.off] = 0x55;
    p_eth(0x0800);
    EXPECT_ANOMALY(1, DT_ANOM_IPV4_BAD_VERSION);
    udp4();
    p_eth(0x0800);
    expect_anomaly_at(1, 14 + 12, (uint32_t)p_len(), NULL, DT_ANOM_IPV4_HEADER_SHORT, __LINE__);
    expect_anomaly_at(1, 10, (uint32_t)p_len(), NULL, DT_ANOM_ETH_HEADER_SHORT, __LINE__);

    /* transport */
    p_init(HELLO, 5);
    p_tcp(1, 2, 0, 0, 0, 0, 0);
    P.d[P.off + 12] = 0x40; /* data offset 4 words */
    p_ip4("10.0.0.1", "10.0.0.2", 6);
    p_eth(0x0800);
    EXPECT_ANOMALY(1, DT_ANOM_TCP_BAD_DATA_OFFSET);
    expect_anomaly_at(1, 14 + 20 + 10, (uint32_t)p_len() + 100, NULL, DT_ANOM_TCP_HEADER_SHORT,
                      __LINE__);
    udp4();
    P.d[P.off + 20 + 5] = 7; /* UDP length 7 */
    p_eth(0x0800);
    EXPECT_ANOMALY(1, DT_ANOM_UDP_BAD_LENGTH);
    udp4();
    P.d[P.off + 2] = 0, P.d[P.off + 3] = 24; /* room for 4 bytes of UDP header only */
    p_eth(0x0800);
    EXPECT_ANOMALY(1, DT_ANOM_UDP_HEADER_SHORT);

    /* IP on a raw link */
    p_init("\x50\x00", 2);
    EXPECT_ANOMALY(101, DT_ANOM_IP_BAD_VERSION);
    p_init(NULL, 0);
    EXPECT_ANOMALY(101, DT_ANOM_IP_HEADER_SHORT);

    /* IPv6 */
    p_init(NULL, 0);
    p_ip6("2001:db8::1", "2001:db8::2", 0); /* payload length 0 and hop-by-hop: jumbogram */
    EXPECT_ANOMALY(229, DT_ANOM_IPV6_JUMBOGRAM);
    udp6();
    for (int i = 0; i < 17; i++)
        p_ext6(i == 0 ? 17 : 60, 0, 0);
    p_ip6("2001:db8::1", "2001:db8::2", 60);
    EXPECT_ANOMALY(229, DT_ANOM_IPV6_TOO_MANY_EXT);

    /* link layers */
    udp4();
    p_eth(0x0800);
    for (int i = 0; i < 10; i++) {
        p_be16(0x8100);
        p_be16(0x0001); /* TCI of the tag before: type follows */
    }
    /* p_eth wrote 0x0800 as the inner type: reorder into dst, src, 10 tags, 0x0800 */
    {
        uint8_t fr[512];
        size_t n = p_len();
        memcpy(fr, p_data(), n);
        /* fr: 40 bytes of tags, then the Ethernet header; move the MACs to the front */
        uint8_t out[512];
        memcpy(out, fr + 40, 12);
        for (int i = 0; i < 10; i++) {
            out[12 + i * 4] = 0x81, out[13 + i * 4] = 0x00;
            out[14 + i * 4] = 0x00, out[15 + i * 4] = 0x01;
        }
        memcpy(out + 52, fr + 40 + 12, n - 52);
        p_init(out, n);
    }
    EXPECT_ANOMALY(1, DT_ANOM_VLAN_TOO_DEEP);
    udp4();
    for (int i = 0; i < 17; i++)
        p_pre("\x00\x01\x00\x40", 4); /* label 16, no bottom-of-stack bit */
    p_eth(0x8847);
    EXPECT_ANOMALY(1, DT_ANOM_MPLS_TOO_DEEP);
    udp4();
    p_wifi(0x09, 0x01, 0); /* protocol version 1 */
    EXPECT_ANOMALY(105, DT_ANOM_WIFI_BAD_VERSION);
    udp4();
    p_wifi(0x08, 0x01, 0);
    p_pre("\x01\x00\x08\x00\x00\x00\x00\x00", 8); /* radiotap version 1 */
    EXPECT_ANOMALY(127, DT_ANOM_RADIOTAP_BAD_HEADER);

    /* tunnels */
    nest_ipip(9);
    EXPECT_ANOMALY(101, DT_ANOM_TUNNEL_TOO_DEEP);
    udp4();
    p_pre("\x20\x01\x08\x00", 4); /* enhanced GRE (version 1) carrying IPv4, not PPP */
    p_ip4("203.0.113.1", "203.0.113.2", 47);
    EXPECT_ANOMALY(101, DT_ANOM_GRE_BAD_ENHANCED);
    /* 200 layers of IPv4 / GRE / Ethernet: within a raised tunnel limit, but more
     * decoding steps than the loop allows */
    udp4();
    for (int i = 0; i < 200; i++) {
        p_eth(0x0800);
        p_pre("\x00\x00\x65\x58", 4); /* GRE, transparent Ethernet bridging */
        p_ip4("203.0.113.1", "203.0.113.2", 47);
    }
    {
        dt_decode_limits lim;
        dt_decode_limits_default(&lim);
        lim.max_tunnel_depth = 1000;
        expect_anomaly_at(101, p_len(), (uint32_t)p_len(), &lim, DT_ANOM_TOO_MANY_LAYERS, __LINE__);
    }

    /* fragments: a later fragment cut by the snap length cannot be reassembled */
    make_l4(100);
    p_init(L4 + 16, 40);
    p_ip4x("10.9.0.1", "10.9.0.2", 17, 7, 0x2000 | 2, 0, 0);
    p_eth(0x0800);
    expect_anomaly_at(1, p_len() - 10, (uint32_t)p_len(), NULL, DT_ANOM_FRAG_TRUNCATED, __LINE__);
    /* a fragment whose end passes the end the last fragment set */
    {
        dt_decoder *d = dt_decoder_new(NULL);
        CHECK_EQ_INT(frag4(d, 0, 9, 16, 16, 0), DT_DEC_FRAG_HELD); /* last: ends at 32 */
        CHECK_EQ_INT(frag4(d, 0, 9, 8, 32, 1), DT_DEC_MALFORMED);  /* ends at 40 */
        CHECK_EQ_INT(frag4(d, 0, 9, 8, 12, 1), DT_DEC_MALFORMED);  /* MF and not 8-aligned */
        const dt_decode_stats *st = dt_decoder_stats(d);
        CHECK_EQ_INT(st->malformed_by_reason[DT_ANOM_FRAG_CONFLICT], 1);
        CHECK_EQ_INT(st->malformed_by_reason[DT_ANOM_FRAG_BAD_OFFSET], 1);
        CHECK_EQ_INT(reason_sum(st), st->malformed);
        dt_decoder_free(d);
    }
}

/* The link types and tunnels of issue 15: each one decodes a UDP hello, and each
 * broken header is counted under its reason. */
static int reason_count(int reason)
{
    return (int)dt_decoder_stats(D)->malformed_by_reason[reason];
}

/* dec(lt) is malformed under `reason` (counted once more). */
static void check_bad(int lt, int reason, int line)
{
    int before = reason_count(reason);
    dt_decode_result r = dec(lt);
    if (r != DT_DEC_MALFORMED || reason_count(reason) != before + 1)
        fprintf(stderr, "  (from line %d: %s)\n", line, dt_decode_anomaly_name(reason));
    CHECK_EQ_INT(r, DT_DEC_MALFORMED);
    CHECK_EQ_INT(reason_count(reason), before + 1);
}

/* A UDP hello after the link header hdr (n bytes) decodes in a frame of type lt. */
static void check_link(int lt, const void *hdr, size_t n, int line)
{
    udp4();
    p_pre(hdr, n);
    CHECK_EQ_INT(dec(lt), DT_DEC_OK);
    check_udp4_hello(line);
}

static void test_links_issue15(void)
{
    static const int sorted[] = {0,   1,   8,   9,   10,  12,  14,  50,  101, 104, 105,
                                 107, 108, 113, 127, 129, 192, 204, 205, 206, 226, 228,
                                 229, 239, 242, 258, 276, 281, 282, 284, 285};
    for (size_t i = 0; i < sizeof sorted / sizeof sorted[0]; i++)
        CHECK(dt_linktype_supported(sorted[i]));
    CHECK(!dt_linktype_supported(7) && !dt_linktype_supported(283) && !dt_linktype_supported(178));

    /* SLIP: 16-byte pseudo-header */
    check_link(DT_LINKTYPE_SLIP, "\x01\x40\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16, __LINE__);
    p_init("\x01\x40\0", 3);
    check_bad(DT_LINKTYPE_SLIP, DT_ANOM_SLIP_HEADER_SHORT, __LINE__);

    /* FDDI: frame control, addresses, LLC/SNAP; a station management frame is not IP */
    udp4();
    p_pre("\xaa\xaa\x03\0\0\0\x08\x00", 8);
    p_pre("\x50"
          "abcdefghijkl",
          13);
    CHECK_EQ_INT(dec(DT_LINKTYPE_FDDI), DT_DEC_OK);
    check_udp4_hello(__LINE__);
    P.d[P.off] = 0x41;
    CHECK_EQ_INT(dec(DT_LINKTYPE_FDDI), DT_DEC_NOT_IP);
    p_init("\x50"
           "abc",
           4);
    check_bad(DT_LINKTYPE_FDDI, DT_ANOM_FDDI_HEADER_SHORT, __LINE__);

    /* Frame Relay: RFC 2427 NLPID, SNAP, Cisco; a 3-byte address; bad addresses */
    check_link(DT_LINKTYPE_FRELAY, "\x18\x41\x03\xcc", 4, __LINE__);
    check_link(DT_LINKTYPE_FRELAY, "\x18\x40\x41\x03\x00\x80\0\0\0\x08\x00", 11, __LINE__);
    check_link(DT_LINKTYPE_FRELAY, "\x18\x41\x08\x00", 4, __LINE__);
    p_pre("\x02", 1); /* with a direction byte */
    CHECK_EQ_INT(dec(DT_LINKTYPE_FRELAY_WITH_DIR), DT_DEC_OK);
    check_udp4_hello(__LINE__);
    udp4();
    p_pre("\x19\x03\xcc", 3); /* EA set on the first byte */
    check_bad(DT_LINKTYPE_FRELAY, DT_ANOM_FRELAY_BAD_ADDRESS, __LINE__);
    p_init("\x18\x40\x40\x40\x40\x03\xcc", 7); /* no EA in 4 bytes */
    check_bad(DT_LINKTYPE_FRELAY, DT_ANOM_FRELAY_BAD_ADDRESS, __LINE__);
    p_init("\x18\x41\x03", 3);
    check_bad(DT_LINKTYPE_FRELAY, DT_ANOM_FRELAY_HEADER_SHORT, __LINE__);

    /* the other _WITH_DIR types */
    check_link(DT_LINKTYPE_PPP_WITH_DIR, "\x01\xff\x03\x00\x21", 5, __LINE__);
    check_link(DT_LINKTYPE_C_HDLC_WITH_DIR, "\x00\x0f\x00\x08\x00", 5, __LINE__);

    /* ARCNET (Linux): RFC 1201 with and without exception, RFC 1051, a fragment */
    check_link(DT_LINKTYPE_ARCNET_LINUX, "\x01\x02\0\0\xd4\0\0\x07", 8, __LINE__);
    P.d[P.off + 5] = 3;
    CHECK_EQ_INT(dec(DT_LINKTYPE_ARCNET_LINUX), DT_DEC_NOT_IP);
    check_link(DT_LINKTYPE_ARCNET_LINUX, "\x01\x02\0\0\xd4\xff\xff\xff\xd4\0\0\x07", 12, __LINE__);
    check_link(DT_LINKTYPE_ARCNET_LINUX, "\x01\x02\0\0\xf0", 5, __LINE__);
    p_init("\x01\x02\0\0\xd4\0", 6);
    check_bad(DT_LINKTYPE_ARCNET_LINUX, DT_ANOM_ARCNET_HEADER_SHORT, __LINE__);

    /* Solaris ipnet */
    udp6();
    p_pre("\x01\x1a\0\0\0\0\0\0\0\0\0\x02\0\0\0\0\0\0\0\0\0\0\0\0", 24);
    CHECK_EQ_INT(dec(DT_LINKTYPE_IPNET), DT_DEC_OK);
    check_udp6_hello(__LINE__);
    P.d[P.off] = 2;
    check_bad(DT_LINKTYPE_IPNET, DT_ANOM_IPNET_BAD_VERSION, __LINE__);
    p_init("\x01\x02\0\0", 4);
    check_bad(DT_LINKTYPE_IPNET, DT_ANOM_IPNET_HEADER_SHORT, __LINE__);

    /* IP over InfiniBand: 40-byte pseudo-header, type, reserved */
    uint8_t ib[44] = {0};
    ib[40] = 0x08;
    udp4();
    p_pre(ib, 44);
    CHECK_EQ_INT(dec(DT_LINKTYPE_IPOIB), DT_DEC_OK);
    check_udp4_hello(__LINE__);
    p_init(ib, 42);
    check_bad(DT_LINKTYPE_IPOIB, DT_ANOM_IPOIB_HEADER_SHORT, __LINE__);

    /* Switch tags */
    udp4();
    p_be16(0x0800);
    p_pre("\x20\0\0\x03", 4);
    p_pre("\0\1\2\3\4\5\6\7\x08\x09\x0a\x0b", 12);
    CHECK_EQ_INT(dec(DT_LINKTYPE_DSA_TAG_BRCM), DT_DEC_OK);
    check_udp4_hello(__LINE__);
    CHECK(O.have_mac && O.src_mac[0] == 6);
    udp4();
    p_eth(0x0800);
    p_pre("\x20\0\0\x03", 4);
    CHECK_EQ_INT(dec(DT_LINKTYPE_DSA_TAG_BRCM_PREPEND), DT_DEC_OK);
    check_udp4_hello(__LINE__);
    udp4();
    p_pre("\x08\x00", 2);
    p_pre("\xda\xda\0\0\xc0\x08\0\0", 8);
    p_pre("\0\1\2\3\4\5\6\7\x08\x09\x0a\x0b", 12);
    CHECK_EQ_INT(dec(DT_LINKTYPE_DSA_TAG_EDSA), DT_DEC_OK);
    check_udp4_hello(__LINE__);
    CHECK_EQ_INT(dec(DT_LINKTYPE_DSA_TAG_DSA), DT_DEC_NOT_IP); /* 0xc008: not an ethertype */
    p_init("\0\1\2\3\4\5\6\7\x08\x09\x0a\x0b\xc0\x08", 14);
    check_bad(DT_LINKTYPE_DSA_TAG_DSA, DT_ANOM_DSA_TAG_SHORT, __LINE__);

    /* NFLOG: little- and big-endian TLVs, the payload TLV cut by the snap length */
    static const uint8_t pfx_le[12] = {12, 0, 10, 0, 'a', 'b', 'c', 0, 0, 0, 0, 0};
    static const uint8_t pfx_be[12] = {0, 12, 0, 10, 'a', 'b', 'c', 0, 0, 0, 0, 0};
    for (int big = 0; big < 2; big++) {
        udp4();
        size_t n = p_len() + 4;
        uint8_t t[4] = {n & 0xff, n >> 8, 9, 0};
        if (big)
            t[0] = n >> 8, t[1] = n & 0xff, t[2] = 0, t[3] = 9;
        p_pre(t, 4);
        p_pre(big ? pfx_be : pfx_le, 12);
        p_pre("\x02\x00\x00\x00", 4);
        CHECK_EQ_INT(dec(DT_LINKTYPE_NFLOG), DT_DEC_OK);
        check_udp4_hello(__LINE__);
    }
    P.d[P.off + 1] = 1;
    check_bad(DT_LINKTYPE_NFLOG, DT_ANOM_NFLOG_BAD_VERSION, __LINE__);
    p_init("\x02\x00\x00\x00\x02\x00\x09\x00", 8);
    check_bad(DT_LINKTYPE_NFLOG, DT_ANOM_NFLOG_BAD_TLV, __LINE__);
    p_init("\x02\x00\x00\x00\x20\x00\x0a\x00\x61", 9);
    check_bad(DT_LINKTYPE_NFLOG, DT_ANOM_NFLOG_TLV_SHORT, __LINE__);
    p_init("\x02\x00", 2);
    check_bad(DT_LINKTYPE_NFLOG, DT_ANOM_NFLOG_HEADER_SHORT, __LINE__);
    p_init("\x02\x00\x00\x00\x08\x00\x0a\x00\x61\x62\x00\x00", 12); /* no payload TLV */
    CHECK_EQ_INT(dec(DT_LINKTYPE_NFLOG), DT_DEC_NOT_IP);

    /* PKTAP: Ethernet inside, the effective process when it has a name */
    uint8_t pk[156] = {156, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 'e', 'n', '0'};
    pk[52] = 0x39, pk[53] = 0x30; /* pid 12345 */
    memcpy(pk + 56, "curl", 4);
    udp4();
    p_eth(0x0800);
    p_pre(pk, 156);
    CHECK_EQ_INT(dec(DT_LINKTYPE_PKTAP), DT_DEC_OK);
    check_udp4_hello(__LINE__);
    CHECK_EQ_INT(O.proc_kind, DT_PROC_PID);
    CHECK_EQ_INT(O.proc_id, 12345);
    CHECK(O.proc_name_len == 4 && memcmp(O.proc_name, "curl", 4) == 0);
    P.d[P.off + 84] = 7;
    memcpy(P.d + P.off + 88, "Safari\0", 7);
    CHECK_EQ_INT(dec(DT_LINKTYPE_PKTAP), DT_DEC_OK);
    CHECK_EQ_INT(O.proc_id, 7);
    CHECK(O.proc_name_len == 6 && memcmp(O.proc_name, "Safari", 6) == 0);
    P.d[P.off + 8] = 0xc0; /* an inner DLT that is not decoded */
    CHECK_EQ_INT(dec(DT_LINKTYPE_PKTAP), DT_DEC_UNSUPPORTED_LINK);
    P.d[P.off + 8] = 1;
    P.d[P.off] = 60;
    check_bad(DT_LINKTYPE_PKTAP, DT_ANOM_PKTAP_BAD_HEADER, __LINE__);
    P.d[P.off] = 156;
    P.d[P.off + 1] = 1; /* 412 bytes: longer than the frame */
    check_bad(DT_LINKTYPE_PKTAP, DT_ANOM_PKTAP_HEADER_SHORT, __LINE__);

    /* the process is only what a capture's metadata says */
    udp4();
    p_eth(0x0800);
    CHECK_EQ_INT(dec(1), DT_DEC_OK);
    CHECK_EQ_INT(O.proc_kind, DT_PROC_NONE);
}

/* A PCAPdroid trailer: magic, UID, app name, CRC after the padded IP packet. */
static void p_pcapdroid(void)
{
    static const uint8_t zero[3];
    size_t pad = (4 - p_len() % 4) % 4;
    p_append(zero, pad);
    uint8_t t[32] = {0x01, 0x07, 0x20, 0x21, 0, 0, 0x27, 0x8b, 'c', 'o', 'm', '.', 'x'};
    p_append(t, 32);
}

static void test_pcapdroid(void)
{
    udp4();
    p_eth(0x0800); /* 14 + 33 bytes: 1 padding byte */
    p_pcapdroid();
    CHECK_EQ_INT(dec(1), DT_DEC_OK);
    check_udp4_hello(__LINE__);
    CHECK_EQ_INT(O.proc_kind, DT_PROC_UID);
    CHECK_EQ_INT(O.proc_id, 10123);
    CHECK(O.proc_name_len == 5 && memcmp(O.proc_name, "com.x", 5) == 0);
    udp6();
    p_eth(0x86dd);
    p_pcapdroid();
    CHECK_EQ_INT(dec(1), DT_DEC_OK);
    check_udp6_hello(__LINE__);
    CHECK_EQ_INT(O.proc_kind, DT_PROC_UID);
    /* the magic elsewhere (in the payload, or behind more than 3 bytes): no trailer */
    udp4();
    p_eth(0x0800);
    uint8_t more[4] = {0};
    p_append(more, 4);
    p_pcapdroid();
    CHECK_EQ_INT(dec(1), DT_DEC_OK);
    CHECK_EQ_INT(O.proc_kind, DT_PROC_NONE);
    uint8_t body[40] = {0};
    memcpy(body + 8, "\x01\x07\x20\x21", 4);
    p_init(body, 40);
    p_udp(1111, 53);
    p_ip4("10.0.0.1", "10.0.0.2", 17);
    p_eth(0x0800);
    CHECK_EQ_INT(dec(1), DT_DEC_OK);
    CHECK_EQ_INT(O.proc_kind, DT_PROC_NONE);
    CHECK_EQ_INT(O.payload_len, 40);
}

/* The outer IPv4 header of a tunnel. */
static void p_outer(uint8_t proto)
{
    p_ip4("192.0.2.1", "192.0.2.2", proto);
}

/* The raw IP frame built decodes to the UDP hello inside a tunnel of this kind. */
static void check_tunneled(int tunnel, int line)
{
    CHECK_EQ_INT(dec(101), DT_DEC_OK);
    check_udp4_hello(line);
    CHECK_EQ_INT(O.tunnel, tunnel);
}

static void test_tunnels_issue15(void)
{
    const dt_decode_stats *st = dt_decoder_stats(D);
    CHECK_EQ_STR(dt_tunnel_name(DT_TUN_GENEVE), "geneve");
    CHECK_EQ_STR(dt_tunnel_name(DT_TUN_ERSPAN), "erspan");
    CHECK_EQ_STR(dt_tunnel_name(DT_TUN_L2TP), "l2tp");
    CHECK_EQ_STR(dt_tunnel_name(DT_TUN_TEREDO), "teredo");

    /* Geneve with 8 bytes of options, Ethernet inside */
    uint64_t n0 = st->tunneled[DT_TUN_GENEVE];
    udp4();
    p_eth(0x0800);
    p_pre("\x02\x00\x65\x58\0\0\x07\0"
          "optionsX",
          16);
    p_udp(40000, 6081);
    p_outer(17);
    check_tunneled(DT_TUN_GENEVE, __LINE__);
    CHECK_EQ_INT(st->tunneled[DT_TUN_GENEVE], n0 + 1);
    P.d[P.off + 28] = 0x42; /* version 1 */
    check_bad(101, DT_ANOM_GENEVE_BAD_VERSION, __LINE__);
    P.d[P.off + 28] = 0x3f; /* 252 bytes of options */
    check_bad(101, DT_ANOM_GENEVE_HEADER_SHORT, __LINE__);
    P.d[P.off + 28] = 0x02;
    P.d[P.off + 30] = 0x12; /* an unknown protocol type: the UDP packet */
    CHECK_EQ_INT(dec(101), DT_DEC_OK);
    CHECK_EQ_INT(O.dport, 6081);
    CHECK_EQ_INT(O.tunnel, DT_TUN_NONE);

    /* ERSPAN type I, II, III (with subheader), III carrying IP */
    udp4();
    p_eth(0x0800);
    p_pre("\x00\x00\x88\xbe", 4);
    p_outer(47);
    check_tunneled(DT_TUN_ERSPAN, __LINE__);
    udp4();
    p_eth(0x0800);
    p_pre("\x10\x01\x00\x05\0\0\0\0", 8);
    p_pre("\x10\x00\x88\xbe\0\0\0\x01", 8);
    p_outer(47);
    check_tunneled(DT_TUN_ERSPAN, __LINE__);
    P.d[P.off + 28] = 0x20;
    check_bad(101, DT_ANOM_ERSPAN_BAD_VERSION, __LINE__);
    udp4();
    p_eth(0x0800);
    p_pre("\0\0\0\0\0\0\0\0", 8);
    p_pre("\x20\x01\x00\x05\0\0\0\0\0\0\x00\x01", 12);
    p_pre("\x10\x00\x22\xeb\0\0\0\x01", 8);
    p_outer(47);
    check_tunneled(DT_TUN_ERSPAN, __LINE__);
    udp4();
    p_pre("\x20\x01\x00\x05\0\0\0\0\0\0\x08\x00", 12);
    p_pre("\x10\x00\x22\xeb\0\0\0\x01", 8);
    p_outer(47);
    CHECK_EQ_INT(dec(101), DT_DEC_OK);
    check_udp4_hello(__LINE__);
    p_init("\x20\x01\x00\x05\0\0\0\0\0\0\x00\x01\0\0", 14);
    p_pre("\x10\x00\x22\xeb\0\0\0\x01", 8);
    p_outer(47);
    check_bad(101, DT_ANOM_ERSPAN_HEADER_SHORT, __LINE__);

    /* L2TPv2 with length, sequence and offset fields; PPP inside */
    udp4();
    p_pre("\xff\x03\x00\x21", 4);
    p_pre("\x4a\x02\x00\x00\x00\x01\x00\x02\x00\x00\x00\x00\x00\x02\x00\x00", 16);
    p_udp(1701, 1701);
    p_outer(17);
    check_tunneled(DT_TUN_L2TP, __LINE__);
    P.d[P.off + 28] = 0xc8; /* a control message: the UDP packet */
    CHECK_EQ_INT(dec(101), DT_DEC_OK);
    CHECK_EQ_INT(O.dport, 1701);
    CHECK_EQ_INT(O.tunnel, DT_TUN_NONE);
    P.d[P.off + 28] = 0x4a;
    P.d[P.off + 40] = 0x7f; /* an offset beyond the packet */
    check_bad(101, DT_ANOM_L2TP_HEADER_SHORT, __LINE__);

    /* L2TPv3 over IP: cookie and sublayer found by where the frame starts */
    for (int off = 0; off <= 12; off += 4) {
        udp4();
        p_eth(0x0800);
        static const uint8_t cookie[12] = {0x01, 0x00, 0x5e, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        p_pre(cookie, (size_t)off);
        p_pre("\0\0\x12\x34", 4);
        p_outer(115);
        check_tunneled(DT_TUN_L2TP, __LINE__);
    }
    /* an IP pseudowire, and over UDP */
    udp6();
    p_pre("\0\0\x12\x34", 4);
    p_outer(115);
    CHECK_EQ_INT(dec(101), DT_DEC_OK);
    check_udp6_hello(__LINE__);
    udp4();
    p_pre("\0\x03\0\0\0\0\x12\x34", 8);
    p_udp(1701, 1701);
    p_outer(17);
    check_tunneled(DT_TUN_L2TP, __LINE__);
    /* session 0 (control over IP), and a payload not recognised: the outer packet */
    p_init("\0\0\0\0\x80\x01", 6);
    p_outer(115);
    CHECK_EQ_INT(dec(101), DT_DEC_OK);
    CHECK_EQ_INT(O.proto, 115);
    p_init("\0\0\0\x01garbage-garbage-garbage-garbage-garbage", 43);
    p_outer(115);
    CHECK_EQ_INT(dec(101), DT_DEC_OK);
    CHECK_EQ_INT(O.proto, 115);
    CHECK_EQ_INT(O.tunnel, DT_TUN_NONE);
    p_init("\0\0", 2);
    p_outer(115);
    check_bad(101, DT_ANOM_L2TP_HEADER_SHORT, __LINE__);

    /* Teredo: origin indication, authentication; an ICMPv6 inside is Teredo's own */
    udp6();
    p_pre("\0\0\xf2\x27\x3f\xff\xfd\xfe", 8);
    p_udp(3544, 40000);
    p_outer(17);
    CHECK_EQ_INT(dec(101), DT_DEC_OK);
    check_udp6_hello(__LINE__);
    CHECK_EQ_INT(O.tunnel, DT_TUN_TEREDO);
    udp6();
    p_pre("\0\x01\x01\x01"
          "ia"
          "nonce123"
          "\0",
          15);
    p_udp(40000, 3544);
    p_outer(17);
    CHECK_EQ_INT(dec(101), DT_DEC_OK);
    check_udp6_hello(__LINE__);
    p_init("\0\x01\x05\x05"
           "abc",
           7);
    p_udp(40000, 3544);
    p_outer(17);
    check_bad(101, DT_ANOM_TEREDO_HEADER_SHORT, __LINE__);
    p_init("\x80\0\0\0\0\0\0\0", 8);
    p_ip6("fe80::1", "ff02::2", 58);
    p_udp(40000, 3544);
    p_outer(17);
    CHECK_EQ_INT(dec(101), DT_DEC_OK);
    CHECK_EQ_STR(src_str(), "192.0.2.1");
    CHECK_EQ_INT(O.dport, 3544);
    CHECK_EQ_INT(O.tunnel, DT_TUN_NONE);
}

int main(void)
{
    D = dt_decoder_new(NULL);
    test_ethernet_tcp();
    test_ethernet_variants();
    test_cooked_raw_null_ppp();
    test_wifi();
    test_tunnels();
    test_nesting();
    test_ipv6_ext();
    test_links_issue15();
    test_pcapdroid();
    test_tunnels_issue15();
    const dt_decode_stats *st = dt_decoder_stats(D);
    CHECK_EQ_INT(st->frames, st->ip4 + st->ip6 + st->not_ip + st->malformed + st->unsupported_link +
                                 st->frag_held);
    CHECK_EQ_INT(st->ip4 + st->ip6, st->tcp + st->udp + st->icmp + st->icmp6 + st->other_ip);
    CHECK_EQ_INT(st->unsupported_link, 3);
    CHECK(st->malformed > 0);
    CHECK_EQ_INT(reason_sum(st), st->malformed);
    CHECK(st->tunneled[DT_TUN_VXLAN] == 1 && st->tunneled[DT_TUN_GTPU] == 2);
    dt_decoder_free(D);
    test_frag4();
    test_frag6();
    test_ipfrag_direct();
    test_anomaly_names();
    test_anomalies();
    return check_done();
}
