/* gen_capture: writes a large, realistic-looking, deterministic capture for benchmarking.
 *
 *   gen_capture [-s SIZE] [-S SEED] [-r BYTES_PER_S] -o FILE
 *
 * SIZE accepts K/M/G suffixes (powers of 1024); default 100M.  Output is classic pcap
 * (Ethernet, microsecond timestamps).  Only libc is used; the same seed gives the same bytes.
 *
 * Traffic model: a vehicle head unit (and a few other local hosts) behind a gateway that is
 * also the DNS resolver.  Each new connection usually starts with a DNS query/response
 * (A or AAAA, sometimes through a CNAME), then one of: TLS 1.2/1.3 over TCP 443 (ClientHello
 * with SNI, ServerHello, opaque application-data records), QUIC Initial-looking long-header
 * packets then short-header packets on UDP 443 (not decryptable), HTTP/1.1 on port 80 with
 * Host, MQTT CONNECT on 1883, MQTT over TLS on 8883, bulk TLS uploads, and fragmented UDP
 * telemetry.  A few long-lived connections send a small beacon every 60 s for the whole
 * capture.  About a quarter of connections use IPv6.  TCP data occasionally arrives out of
 * order or is retransmitted; a small share of DNS responses and UDP datagrams is fragmented.
 * The clock advances so that the capture carries about RATE bytes per second (default
 * 20000), so 100 MB span about 1.5 hours and 2 GB more than a day.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- deterministic PRNG (xorshift64*) ---- */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * 0x2545f4914f6cdd1dULL;
}
static uint32_t rnd_below(uint32_t n)
{
    return n ? (uint32_t)((rnd() >> 32) % n) : 0;
}
static int chance(uint32_t per_mille)
{
    return rnd_below(1000) < per_mille;
}
/* log-uniform integer in [lo, hi] */
static uint64_t rnd_log(uint64_t lo, uint64_t hi)
{
    double u = (double)(rnd() >> 11) / 9007199254740992.0;
    double v = exp(log((double)lo) + u * (log((double)hi) - log((double)lo)));
    if (v < (double)lo)
        v = (double)lo;
    if (v > (double)hi)
        v = (double)hi;
    return (uint64_t)v;
}

/* ---- output ---- */
static FILE *out;
static uint64_t written;
static uint64_t pkts;

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}
static void put_be16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void write_file_header(void)
{
    uint8_t h[24];
    put_le32(h, 0xa1b2c3d4);
    h[4] = 2;
    h[5] = 0;
    h[6] = 4;
    h[7] = 0;
    put_le32(h + 8, 0);
    put_le32(h + 12, 0);
    put_le32(h + 16, 262144);
    put_le32(h + 20, 1); /* Ethernet */
    fwrite(h, 1, sizeof h, out);
    written += sizeof h;
}

static void write_frame(uint64_t ts_us, const uint8_t *frame, size_t len)
{
    uint8_t h[16];
    put_le32(h, (uint32_t)(ts_us / 1000000));
    put_le32(h + 4, (uint32_t)(ts_us % 1000000));
    put_le32(h + 8, (uint32_t)len);
    put_le32(h + 12, (uint32_t)len);
    fwrite(h, 1, sizeof h, out);
    fwrite(frame, 1, len, out);
    written += sizeof h + len;
    pkts++;
}

/* ---- filler bytes: a fixed pseudo-random pool, read at stream offsets ---- */
#define POOL 65536
static uint8_t pool[POOL + 8192];

/* ---- names and addresses ---- */
static const char *const bases[] = {
    "amazonaws.com",
    "cloudfront.net",
    "googleapis.com",
    "gstatic.com",
    "akamaized.net",
    "azureedge.net",
    "windows.net",
    "here.com",
    "tomtom.com",
    "mapbox.com",
    "spotify.com",
    "scdn.co",
    "apple.com",
    "icloud.com",
    "bmwgroup.com",
    "volkswagen.de",
    "mercedes-benz.com",
    "tesla.com",
    "stellantis.com",
    "toyota.com",
    "hyundai.com",
    "renault.com",
    "cerence.net",
    "nuance.com",
    "sentry.io",
    "crashlytics.com",
    "firebaseio.com",
    "app-measurement.com",
    "doubleclick.net",
    "facebook.com",
    "tiktokv.com",
    "qq.com",
    "baidu.com",
    "aliyuncs.com",
    "yandex.net",
    "fastly.net",
    "cloudflare.com",
    "digicert.com",
    "letsencrypt.org",
    "pool.ntp.org",
    "vodafone.de",
    "telekom.de",
    "orange.fr",
    "harman.com",
    "bosch-iot-suite.com",
    "continental-cloud.com",
    "iot.eu-west-1.amazonaws.com",
    "azure-devices.net",
};
#define NBASES (sizeof bases / sizeof bases[0])
static const char *const prefixes[] = {
    "api",   "cdn",     "telemetry", "ota",  "maps",    "tiles", "traffic", "voice",
    "auth",  "login",   "events",    "logs", "update",  "media", "static",  "img",
    "eu",    "us-east", "content",   "sync", "push",    "mqtt",  "gw",      "edge",
    "stats", "config",  "license",   "poi",  "weather", "news",
};
#define NPREF (sizeof prefixes / sizeof prefixes[0])
/* public prefixes used for server addresses (first two octets) */
static const uint8_t v4pre[][2] = {
    {52, 28},   {3, 120},  {18, 192}, {13, 224},  {142, 250}, {172, 217}, {104, 16},
    {151, 101}, {23, 45},  {2, 16},   {20, 50},   {40, 126},  {185, 199}, {199, 232},
    {54, 239},  {35, 186}, {34, 107}, {157, 240}, {31, 13},   {1, 12},    {47, 246},
    {77, 88},   {87, 250}, {194, 25}, {80, 150},  {217, 5},   {46, 4},    {101, 32},
};
#define NV4PRE (sizeof v4pre / sizeof v4pre[0])
static const uint8_t v6pre[][6] = {
    {0x2a, 0x00, 0x14, 0x50, 0x40, 0x01}, {0x26, 0x00, 0x1f, 0x18, 0x00, 0x00},
    {0x26, 0x06, 0x47, 0x00, 0x00, 0x00}, {0x2a, 0x02, 0x26, 0xf0, 0x00, 0x00},
    {0x26, 0x20, 0x01, 0xec, 0x00, 0x00}, {0x2a, 0x03, 0x28, 0x80, 0xf0, 0x00},
    {0x24, 0x04, 0x68, 0x00, 0x40, 0x03}, {0x2a, 0x01, 0x04, 0xf8, 0x00, 0x00},
};
#define NV6PRE (sizeof v6pre / sizeof v6pre[0])

#define NNAMES 6000
static char names[NNAMES][64];

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

static void make_names(void)
{
    for (uint32_t i = 0; i < NNAMES; i++) {
        uint64_t h = mix(i + 1000);
        const char *b = bases[h % NBASES];
        const char *p = prefixes[(h >> 8) % NPREF];
        unsigned n = (unsigned)((h >> 16) % 997);
        if (i < 400) /* a head of short names */
            snprintf(names[i], sizeof names[i], "%s.%s", p, b);
        else if ((h >> 40) % 3 == 0)
            snprintf(names[i], sizeof names[i], "%s%u.%s", p, n, b);
        else
            snprintf(names[i], sizeof names[i], "%s-%u.%s", p, (unsigned)(i % 4000), b);
    }
}

/* Addresses: several names share a server (CDNs), ~3000 v4 and ~1500 v6 distinct. */
static void name_v4(uint32_t name, uint32_t k, uint8_t a[4])
{
    uint64_t h = mix((uint64_t)(name % 3000) * 7 + 11);
    const uint8_t *p = v4pre[h % NV4PRE];
    a[0] = p[0];
    a[1] = p[1];
    a[2] = (uint8_t)(h >> 16);
    a[3] = (uint8_t)(((h >> 24) % 250) + 1 + k);
}
static void name_v6(uint32_t name, uint32_t k, uint8_t a[16])
{
    uint64_t h = mix((uint64_t)(name % 1500) * 13 + 5);
    memset(a, 0, 16);
    memcpy(a, v6pre[h % NV6PRE], 6);
    a[6] = (uint8_t)(h >> 8);
    a[7] = (uint8_t)(h >> 16);
    a[14] = (uint8_t)(h >> 24);
    a[15] = (uint8_t)((h >> 32) + k);
}

/* ---- local hosts ---- */
#define NLOCAL 5
static const uint8_t gw_mac[6] = {0x02, 0x1a, 0x11, 0x00, 0x00, 0x01};
static void local_mac(int host, uint8_t m[6])
{
    m[0] = 0x02;
    m[1] = 0x42;
    m[2] = 0xac;
    m[3] = 0x10;
    m[4] = 0x00;
    m[5] = (uint8_t)(2 + host);
}
static void local_v4(int host, uint8_t a[4])
{
    a[0] = 10;
    a[1] = 0;
    a[2] = 0;
    a[3] = (uint8_t)(2 + host);
}
static void local_v6(int host, uint8_t a[16])
{
    static const uint8_t p[8] = {0x2a, 0x01, 0x05, 0x98, 0xa0, 0x01, 0x00, 0x01};
    memset(a, 0, 16);
    memcpy(a, p, 8);
    a[15] = (uint8_t)(2 + host);
}
static const uint8_t resolver_v4[4] = {10, 0, 0, 1};
static const uint8_t resolver_v6[16] = {0x2a, 0x01, 0x05, 0x98, 0xa0, 0x01, 0, 1,
                                        0,    0,    0,    0,    0,    0,    0, 1};

/* ---- packet building ---- */
static uint8_t frame[70000];
#define ETH 14

static uint32_t csum_add(uint32_t s, const uint8_t *p, size_t n)
{
    size_t i;
    for (i = 0; i + 1 < n; i += 2)
        s += (uint32_t)p[i] << 8 | p[i + 1];
    if (i < n)
        s += (uint32_t)p[i] << 8;
    return s;
}
static uint16_t csum_fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

typedef struct ends {
    int v6;
    uint8_t src[16], dst[16];
    uint8_t smac[6], dmac[6];
    uint16_t sport, dport;
} ends;

static uint16_t ip_id = 1;

/* Writes Ethernet + IP headers for an L4 segment of l4len bytes already at frame+ETH+iphl;
 * fragments IP datagrams larger than the MTU.  proto: 6 or 17. */
static void emit_ip(uint64_t ts, const ends *e, int proto, size_t l4len, int reverse_frags)
{
    size_t iphl = e->v6 ? 40 : 20;
    uint8_t *ip = frame + ETH;
    uint8_t *l4 = ip + iphl;
    /* L4 checksum */
    uint32_t s = 0;
    if (e->v6) {
        s = csum_add(s, e->src, 16);
        s = csum_add(s, e->dst, 16);
    } else {
        s = csum_add(s, e->src, 4);
        s = csum_add(s, e->dst, 4);
    }
    s += (uint32_t)proto + (uint32_t)l4len;
    int coff = proto == 6 ? 16 : 6;
    l4[coff] = l4[coff + 1] = 0;
    uint16_t c = csum_fold(csum_add(s, l4, l4len));
    if (proto == 17 && c == 0)
        c = 0xffff;
    put_be16(l4 + coff, c);

    memcpy(frame, e->dmac, 6);
    memcpy(frame + 6, e->smac, 6);
    put_be16(frame + 12, e->v6 ? 0x86dd : 0x0800);
    size_t mtu_payload = e->v6 ? 1500 - 40 - 8 : 1500 - 20;
    if (l4len <= (e->v6 ? 1460u : 1480u)) {
        if (e->v6) {
            ip[0] = 0x60;
            ip[1] = 0;
            ip[2] = 0;
            ip[3] = 0;
            put_be16(ip + 4, (uint32_t)l4len);
            ip[6] = (uint8_t)proto;
            ip[7] = 64;
            memcpy(ip + 8, e->src, 16);
            memcpy(ip + 24, e->dst, 16);
        } else {
            ip[0] = 0x45;
            ip[1] = 0;
            put_be16(ip + 2, (uint32_t)(20 + l4len));
            put_be16(ip + 4, ip_id++);
            put_be16(ip + 6, 0x4000); /* DF */
            ip[8] = 64;
            ip[9] = (uint8_t)proto;
            ip[10] = ip[11] = 0;
            memcpy(ip + 12, e->src, 4);
            memcpy(ip + 16, e->dst, 4);
            put_be16(ip + 10, csum_fold(csum_add(0, ip, 20)));
        }
        write_frame(ts, frame, ETH + iphl + l4len);
        return;
    }
    /* fragment: copy the L4 datagram aside, then emit pieces */
    static uint8_t dgram[70000];
    memcpy(dgram, l4, l4len);
    size_t chunk = mtu_payload & ~(size_t)7;
    size_t nfr = (l4len + chunk - 1) / chunk;
    uint32_t id = ip_id++;
    uint32_t id6 = (uint32_t)rnd();
    for (size_t k = 0; k < nfr; k++) {
        size_t i = reverse_frags ? nfr - 1 - k : k;
        size_t off = i * chunk;
        size_t n = l4len - off < chunk ? l4len - off : chunk;
        int more = i + 1 < nfr;
        size_t hl;
        if (e->v6) {
            ip[0] = 0x60;
            ip[1] = ip[2] = ip[3] = 0;
            put_be16(ip + 4, (uint32_t)(8 + n));
            ip[6] = 44;
            ip[7] = 64;
            memcpy(ip + 8, e->src, 16);
            memcpy(ip + 24, e->dst, 16);
            uint8_t *fh = ip + 40;
            fh[0] = (uint8_t)proto;
            fh[1] = 0;
            put_be16(fh + 2, (uint32_t)(off | (more ? 1 : 0)));
            put_be32(fh + 4, id6);
            hl = 48;
        } else {
            ip[0] = 0x45;
            ip[1] = 0;
            put_be16(ip + 2, (uint32_t)(20 + n));
            put_be16(ip + 4, id);
            put_be16(ip + 6, (uint32_t)((off >> 3) | (more ? 0x2000 : 0)));
            ip[8] = 64;
            ip[9] = (uint8_t)proto;
            ip[10] = ip[11] = 0;
            memcpy(ip + 12, e->src, 4);
            memcpy(ip + 16, e->dst, 4);
            put_be16(ip + 10, csum_fold(csum_add(0, ip, 20)));
            hl = 20;
        }
        memcpy(ip + hl, dgram + off, n);
        write_frame(ts + k * 15, frame, ETH + hl + n);
    }
}

static uint8_t *l4_ptr(const ends *e)
{
    return frame + ETH + (e->v6 ? 40 : 20);
}

/* UDP: payload must already be at l4_ptr(e)+8 */
static void emit_udp(uint64_t ts, const ends *e, size_t plen, int reverse_frags)
{
    uint8_t *u = l4_ptr(e);
    put_be16(u, e->sport);
    put_be16(u + 2, e->dport);
    put_be16(u + 4, (uint32_t)(8 + plen));
    emit_ip(ts, e, 17, 8 + plen, reverse_frags);
}

#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_PSH 0x08
#define F_ACK 0x10

/* TCP: payload must already be at l4_ptr(e)+20 (or +24 for SYN with MSS option) */
static void emit_tcp(uint64_t ts, const ends *e, uint32_t seq, uint32_t ack, int flags, size_t plen)
{
    uint8_t *t = l4_ptr(e);
    size_t hl = (flags & F_SYN) ? 24 : 20;
    put_be16(t, e->sport);
    put_be16(t + 2, e->dport);
    put_be32(t + 4, seq);
    put_be32(t + 8, ack);
    t[12] = (uint8_t)((hl / 4) << 4);
    t[13] = (uint8_t)flags;
    put_be16(t + 14, 64240);
    t[18] = t[19] = 0;
    if (flags & F_SYN) {
        t[20] = 2;
        t[21] = 4;
        put_be16(t + 22, e->v6 ? 1440 : 1460);
    }
    emit_ip(ts, e, 6, hl + plen, 0);
}

/* ---- byte writer for building messages ---- */
typedef struct wbuf {
    uint8_t *p;
    size_t len, cap;
} wbuf;
__attribute__((noinline)) static void w8(wbuf *w, uint32_t v)
{
    if (w->len < w->cap)
        w->p[w->len] = (uint8_t)v;
    w->len++;
}
static void w16(wbuf *w, uint32_t v)
{
    w8(w, v >> 8);
    w8(w, v);
}
static void w24(wbuf *w, uint32_t v)
{
    w8(w, v >> 16);
    w16(w, v);
}
static void wmem(wbuf *w, const void *d, size_t n)
{
    const uint8_t *s = d;
    for (size_t i = 0; i < n; i++)
        w8(w, s[i]);
}
static void wrand(wbuf *w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        w8(w, (uint32_t)rnd());
}
/* patch a big-endian length of `bytes` bytes at position at, covering from at+bytes to end */
static void wpatch(wbuf *w, size_t at, int bytes)
{
    size_t v = w->len - at - (size_t)bytes;
    for (int i = bytes - 1; i >= 0; i--) {
        if (at + (size_t)i < w->cap)
            w->p[at + (size_t)i] = (uint8_t)v;
        v >>= 8;
    }
}
static void wname(wbuf *w, const char *name)
{
    const char *s = name;
    while (*s) {
        const char *d = strchr(s, '.');
        size_t n = d ? (size_t)(d - s) : strlen(s);
        w8(w, (uint32_t)n);
        wmem(w, s, n);
        s += n;
        if (*s == '.')
            s++;
    }
    w8(w, 0);
}

/* ---- message builders ---- */
static void build_client_hello(wbuf *w, const char *sni, int tls13, int pq, int alpn_h2)
{
    static const uint16_t suites13[] = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f,
                                        0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013,
                                        0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
    w8(w, 0x16);
    w16(w, 0x0301);
    size_t rl = w->len;
    w16(w, 0);
    w8(w, 1);
    size_t hl = w->len;
    w24(w, 0);
    w16(w, 0x0303);
    wrand(w, 32);
    w8(w, 32);
    wrand(w, 32);
    size_t ns = sizeof suites13 / sizeof suites13[0];
    size_t first = tls13 ? 0 : 3;
    w16(w, (uint32_t)(2 * (ns - first)));
    for (size_t i = first; i < ns; i++)
        w16(w, suites13[i]);
    w8(w, 1);
    w8(w, 0);
    size_t el = w->len;
    w16(w, 0);
    /* server_name */
    size_t sl = strlen(sni);
    w16(w, 0);
    w16(w, (uint32_t)(sl + 5));
    w16(w, (uint32_t)(sl + 3));
    w8(w, 0);
    w16(w, (uint32_t)sl);
    wmem(w, sni, sl);
    /* extended_master_secret, renegotiation_info */
    w16(w, 23);
    w16(w, 0);
    w16(w, 0xff01);
    w16(w, 1);
    w8(w, 0);
    /* supported_groups */
    w16(w, 10);
    w16(w, pq ? 10 : 8);
    w16(w, pq ? 8 : 6);
    if (pq)
        w16(w, 0x11ec);
    w16(w, 0x001d);
    w16(w, 0x0017);
    w16(w, 0x0018);
    /* ec_point_formats */
    w16(w, 11);
    w16(w, 2);
    w8(w, 1);
    w8(w, 0);
    /* session_ticket */
    w16(w, 35);
    w16(w, 0);
    /* ALPN */
    w16(w, 16);
    if (alpn_h2) {
        w16(w, 14);
        w16(w, 12);
        w8(w, 2);
        wmem(w, "h2", 2);
        w8(w, 8);
        wmem(w, "http/1.1", 8);
    } else {
        w16(w, 11);
        w16(w, 9);
        w8(w, 8);
        wmem(w, "http/1.1", 8);
    }
    /* status_request */
    w16(w, 5);
    w16(w, 5);
    w8(w, 1);
    w16(w, 0);
    w16(w, 0);
    /* signature_algorithms */
    static const uint16_t sigs[] = {0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601};
    w16(w, 13);
    w16(w, 2 + 2 * 8);
    w16(w, 2 * 8);
    for (int i = 0; i < 8; i++)
        w16(w, sigs[i]);
    if (tls13) {
        /* supported_versions */
        w16(w, 43);
        w16(w, 5);
        w8(w, 4);
        w16(w, 0x0304);
        w16(w, 0x0303);
        /* psk_key_exchange_modes */
        w16(w, 45);
        w16(w, 2);
        w8(w, 1);
        w8(w, 1);
        /* key_share */
        w16(w, 51);
        size_t kl = w->len;
        w16(w, 0);
        size_t kl2 = w->len;
        w16(w, 0);
        if (pq) {
            w16(w, 0x11ec);
            w16(w, 1216);
            wrand(w, 1216);
        }
        w16(w, 0x001d);
        w16(w, 32);
        wrand(w, 32);
        wpatch(w, kl2, 2);
        wpatch(w, kl, 2);
    }
    /* padding to 512 bytes of handshake for short hellos */
    size_t cur = w->len - hl - 3;
    if (cur < 508) {
        size_t pad = 508 - cur;
        w16(w, 21);
        w16(w, (uint32_t)pad);
        for (size_t i = 0; i < pad; i++)
            w8(w, 0);
    }
    wpatch(w, el, 2);
    wpatch(w, hl, 3);
    wpatch(w, rl, 2);
}

static void build_server_hello(wbuf *w, int tls13, size_t extra)
{
    w8(w, 0x16);
    w16(w, 0x0303);
    size_t rl = w->len;
    w16(w, 0);
    w8(w, 2);
    size_t hl = w->len;
    w24(w, 0);
    w16(w, 0x0303);
    wrand(w, 32);
    w8(w, 32);
    wrand(w, 32);
    w16(w, tls13 ? 0x1301 : 0xc02f);
    w8(w, 0);
    size_t el = w->len;
    w16(w, 0);
    if (tls13) {
        w16(w, 43);
        w16(w, 2);
        w16(w, 0x0304);
        w16(w, 51);
        w16(w, 36);
        w16(w, 0x001d);
        w16(w, 32);
        wrand(w, 32);
    } else {
        w16(w, 0xff01);
        w16(w, 1);
        w8(w, 0);
        w16(w, 23);
        w16(w, 0);
    }
    wpatch(w, el, 2);
    wpatch(w, hl, 3);
    if (!tls13) {
        /* ServerHelloDone in the same record (certificate omitted) */
        w8(w, 14);
        w24(w, 0);
    }
    wpatch(w, rl, 2);
    if (tls13) {
        /* ChangeCipherSpec, then encrypted handshake as application data */
        w8(w, 0x14);
        w16(w, 0x0303);
        w16(w, 1);
        w8(w, 1);
    }
    w8(w, 0x17);
    w16(w, 0x0303);
    w16(w, (uint32_t)extra);
    wrand(w, extra);
}

static void build_dns_query(wbuf *w, uint16_t id, const char *name, int aaaa)
{
    w16(w, id);
    w16(w, 0x0100);
    w16(w, 1);
    w16(w, 0);
    w16(w, 0);
    w16(w, 0);
    wname(w, name);
    w16(w, aaaa ? 28 : 1);
    w16(w, 1);
}

static void build_dns_response(wbuf *w, uint16_t id, uint32_t ni, int aaaa, int cname, int nans)
{
    const char *name = names[ni];
    w16(w, id);
    w16(w, 0x8180);
    w16(w, 1);
    w16(w, (uint32_t)(nans + (cname ? 1 : 0)));
    w16(w, 0);
    w16(w, 0);
    wname(w, name);
    w16(w, aaaa ? 28 : 1);
    w16(w, 1);
    uint32_t owner = 0xc00c;
    if (cname) {
        char tgt[80];
        uint64_t h = mix(ni);
        snprintf(tgt, sizeof tgt, "e%u.%s.akamaiedge.net", (unsigned)(h % 99999),
                 (h >> 20) % 2 ? "a" : "dsce9");
        w16(w, 0xc00c);
        w16(w, 5);
        w16(w, 1);
        w16(w, 0);
        w16(w, 300);
        size_t rd = w->len;
        w16(w, 0);
        owner = 0xc000 | (uint32_t)w->len;
        wname(w, tgt);
        wpatch(w, rd, 2);
    }
    for (int k = 0; k < nans; k++) {
        w16(w, owner);
        w16(w, aaaa ? 28 : 1);
        w16(w, 1);
        w16(w, 0);
        w16(w, 60 + (uint32_t)rnd_below(3000));
        if (aaaa) {
            uint8_t a[16];
            name_v6(ni, (uint32_t)k, a);
            w16(w, 16);
            wmem(w, a, 16);
        } else {
            uint8_t a[4];
            name_v4(ni, (uint32_t)k, a);
            w16(w, 4);
            wmem(w, a, 4);
        }
    }
}

static void build_mqtt_connect(wbuf *w, uint32_t cid)
{
    char id[32], user[32];
    snprintf(id, sizeof id, "VIN-WVWZZZ%07u", cid);
    snprintf(user, sizeof user, "vehicle%u", cid % 100);
    size_t pl = 10 + 2 + strlen(id) + 2 + strlen(user) + 2 + 16;
    w8(w, 0x10);
    w8(w, (uint32_t)pl);
    w16(w, 4);
    wmem(w, "MQTT", 4);
    w8(w, 4);
    w8(w, 0xc2);
    w16(w, 60);
    w16(w, (uint32_t)strlen(id));
    wmem(w, id, strlen(id));
    w16(w, (uint32_t)strlen(user));
    wmem(w, user, strlen(user));
    w16(w, 16);
    wrand(w, 16);
}

/* ---- flows ---- */
enum kind { K_TLS, K_QUIC, K_HTTP, K_UPLOAD, K_MQTT, K_MQTTS, K_UDPFRAG, K_DNSONLY, K_BEACON };
enum phase {
    P_DNSQ,
    P_DNSR,
    P_SYN,
    P_SYNACK,
    P_ACK,
    P_CMSG,
    P_SMSG,
    P_UP,
    P_DOWN,
    P_FIN1,
    P_FIN2,
    P_FIN3,
    P_BEACON_C,
    P_BEACON_S,
    P_QINIT,
    P_QSERVER,
    P_QDATA,
    P_UDP,
    P_DONE
};

typedef struct flow {
    int kind, phase, v6, host, tls13, beacon_mqtt;
    uint32_t ni;
    ends c2s, s2c;
    uint64_t t;
    uint32_t cisn, sisn; /* initial sequence numbers */
    uint64_t up_total, down_total, up_sent, down_sent;
    uint64_t cmsg_len, smsg_len, cmsg_sent, smsg_sent; /* handshake messages as stream bytes */
    uint8_t cmsg[4096], smsg[6144];
    int unacked;
    int has_pend;
    uint64_t pend_off;
    uint32_t pend_len;
    int pend_dir;
    uint32_t salt;
    uint32_t count;
    uint8_t dcid[8], scid[8];
    uint32_t qpn_c, qpn_s;
} flow;

#define MAXF 28
#define NBEACON 4
static flow flows[MAXF];
static int nflows;
static uint64_t t_start = 1768464000ULL * 1000000ULL; /* 2026-01-15T08:00:00Z */
static uint64_t rate = 20000;
static uint32_t flow_counter;

static void set_ends(flow *f, uint16_t sport)
{
    ends *a = &f->c2s, *b = &f->s2c;
    memset(a, 0, sizeof *a);
    a->v6 = f->v6;
    local_mac(f->host, a->smac);
    memcpy(a->dmac, gw_mac, 6);
    if (f->v6) {
        local_v6(f->host, a->src);
        name_v6(f->ni, 0, a->dst);
    } else {
        local_v4(f->host, a->src);
        name_v4(f->ni, 0, a->dst);
    }
    a->sport = (uint16_t)(32768 + rnd_below(28000));
    a->dport = sport;
    *b = *a;
    memcpy(b->src, a->dst, 16);
    memcpy(b->dst, a->src, 16);
    memcpy(b->smac, a->dmac, 6);
    memcpy(b->dmac, a->smac, 6);
    b->sport = a->dport;
    b->dport = a->sport;
}

/* Stream content: handshake bytes first, then TLS records (or raw bytes) from the pool. */
static void fill_data(const flow *f, int dir, uint64_t off, uint8_t *dst, size_t n)
{
    uint64_t total = dir ? f->down_total : f->up_total;
    int tls = f->kind != K_HTTP && f->kind != K_MQTT;
    while (n) {
        if (tls) {
            uint64_t k = off % 16389;
            if (k < 5) {
                uint64_t rec = off / 16389;
                uint64_t left = total - rec * 16389 - 5;
                uint32_t rl = left > 16384 ? 16384 : (uint32_t)left;
                uint8_t h[5] = {0x17, 3, 3, (uint8_t)(rl >> 8), (uint8_t)rl};
                *dst++ = h[k];
                off++;
                n--;
                continue;
            }
            size_t m = (size_t)(16389 - k);
            if (m > n)
                m = n;
            memcpy(dst, pool + ((off + f->salt) % POOL), m);
            dst += m;
            off += m;
            n -= m;
        } else {
            memcpy(dst, pool + ((off + f->salt) % POOL), n);
            return;
        }
    }
}

static uint64_t fix_total(uint64_t d)
{
    uint64_t r = d % 16389;
    if (r != 0 && r < 6)
        d += 6;
    if (d < 6)
        d = 6;
    return d;
}

static void new_flow(flow *f, uint64_t t, int beacon_idx)
{
    memset(f, 0, sizeof *f);
    f->t = t;
    f->salt = (uint32_t)rnd();
    f->cisn = (uint32_t)rnd();
    f->sisn = (uint32_t)rnd();
    f->host = chance(800) ? 0 : 1 + (int)rnd_below(NLOCAL - 1);
    f->ni = rnd_below(10) < 6 ? rnd_below(300) : rnd_below(NNAMES); /* popular head */
    f->v6 = chance(250);
    f->tls13 = chance(700);
    uint32_t r = rnd_below(1000);
    uint16_t port = 443;
    if (beacon_idx >= 0) {
        f->kind = K_BEACON;
        f->host = 0;
        f->ni = 5000 + (uint32_t)beacon_idx;
        f->v6 = beacon_idx == 1;
        f->beacon_mqtt = beacon_idx == 2 ? 2 : beacon_idx == 0 ? 1 : 0;
        port = f->beacon_mqtt == 2 ? 1883 : f->beacon_mqtt == 1 ? 8883 : 443;
    } else if (r < 440) {
        f->kind = K_TLS;
        f->up_total = fix_total(rnd_log(300, 20000));
        f->down_total = fix_total(rnd_log(1000, 200000));
    } else if (r < 590) {
        f->kind = K_QUIC;
        f->down_total = rnd_log(2000, 500000);
    } else if (r < 690) {
        f->kind = K_HTTP;
        port = 80;
        f->down_total = rnd_log(300, 200000);
    } else if (r < 710) {
        f->kind = K_UPLOAD;
        f->up_total = fix_total(rnd_log(200000, 8000000));
        f->down_total = fix_total(rnd_log(100, 2000));
    } else if (r < 770) {
        f->kind = K_MQTT;
        port = 1883;
    } else if (r < 800) {
        f->kind = K_MQTTS;
        port = 8883;
        f->up_total = fix_total(rnd_log(100, 5000));
        f->down_total = fix_total(rnd_log(50, 1000));
    } else if (r < 815) {
        f->kind = K_UDPFRAG;
        port = 5684;
        f->count = 3 + rnd_below(10);
    } else {
        f->kind = K_DNSONLY;
    }
    set_ends(f, port);
    int dns = f->kind != K_BEACON && f->kind != K_UDPFRAG && chance(750);
    f->phase = dns || f->kind == K_DNSONLY ? P_DNSQ
               : f->kind == K_QUIC         ? P_QINIT
               : f->kind == K_UDPFRAG      ? P_UDP
                                           : P_SYN;
    if (f->kind == K_QUIC) {
        for (int i = 0; i < 8; i++) {
            f->dcid[i] = (uint8_t)rnd();
            f->scid[i] = (uint8_t)rnd();
        }
    }
    /* handshake messages */
    wbuf w = {f->cmsg, 0, sizeof f->cmsg};
    wbuf s = {f->smsg, 0, sizeof f->smsg};
    if (f->kind == K_TLS || f->kind == K_UPLOAD || f->kind == K_MQTTS ||
        (f->kind == K_BEACON && f->beacon_mqtt != 2)) {
        /* one random draw per statement: argument evaluation order differs between compilers */
        int pq = f->tls13 && chance(250);
        int h2 = chance(700);
        build_client_hello(&w, names[f->ni], f->tls13, pq, h2);
        build_server_hello(&s, f->tls13, f->tls13 ? 2000 + rnd_below(3000) : 50);
    } else if (f->kind == K_HTTP) {
        char req[1024];
        unsigned ver = 1 + rnd_below(3);
        unsigned res = rnd_below(100000);
        int n = snprintf(req, sizeof req,
                         "GET /v%u/resource/%u?client=vehicle HTTP/1.1\r\nHost: %s\r\n"
                         "User-Agent: Dalvik/2.1.0 (Linux; U; Android 10; IVI Build/QKQ1)\r\n"
                         "Accept: */*\r\nConnection: close\r\n\r\n",
                         ver, res, names[f->ni]);
        wmem(&w, req, (size_t)n);
        n = snprintf(req, sizeof req,
                     "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                     "Content-Length: %llu\r\nServer: nginx\r\nConnection: close\r\n\r\n",
                     (unsigned long long)f->down_total);
        wmem(&s, req, (size_t)n);
    } else if (f->kind == K_MQTT || f->beacon_mqtt == 2) {
        build_mqtt_connect(&w, flow_counter);
        w8(&s, 0x20);
        w8(&s, 2);
        w8(&s, 0);
        w8(&s, 0);
    }
    f->cmsg_len = w.len <= w.cap ? w.len : w.cap;
    f->smsg_len = s.len <= s.cap ? s.len : s.cap;
    flow_counter++;
}

static uint64_t rtt(const flow *f)
{
    return 15000 + (f->ni % 8) * 9000;
}

static const ends *dir_ends(const flow *f, int dir)
{
    return dir ? &f->s2c : &f->c2s;
}

/* sends one data/handshake segment of the TCP stream in direction dir at stream offset off */
static void send_seg(flow *f, int dir, uint64_t off, uint32_t len, int flags)
{
    const ends *e = dir_ends(f, dir);
    uint8_t *pl = l4_ptr(e) + 20;
    uint64_t hs = dir ? f->smsg_len : f->cmsg_len;
    const uint8_t *hsb = dir ? f->smsg : f->cmsg;
    uint64_t o = off;
    uint32_t n = len;
    uint8_t *d = pl;
    if (o < hs) {
        uint32_t m = (uint32_t)(hs - o < n ? hs - o : n);
        memcpy(d, hsb + o, m);
        d += m;
        o += m;
        n -= m;
    }
    if (n)
        fill_data(f, dir, o - hs, d, n);
    uint32_t seq = (dir ? f->sisn : f->cisn) + 1 + (uint32_t)off;
    uint64_t other = dir ? f->cmsg_sent + f->up_sent : f->smsg_sent + f->down_sent;
    uint32_t ack = (dir ? f->cisn : f->sisn) + 1 + (uint32_t)other;
    emit_tcp(f->t, e, seq, ack, F_ACK | flags, len);
}

static void send_ack(flow *f, int dir)
{
    uint64_t my = dir ? f->smsg_sent + f->down_sent : f->cmsg_sent + f->up_sent;
    uint64_t other = dir ? f->cmsg_sent + f->up_sent : f->smsg_sent + f->down_sent;
    const ends *e = dir_ends(f, dir);
    emit_tcp(f->t, e, (dir ? f->sisn : f->cisn) + 1 + (uint32_t)my,
             (dir ? f->cisn : f->sisn) + 1 + (uint32_t)other, F_ACK, 0);
}

/* transfers the data phase of one direction; returns 1 when finished */
static int step_data(flow *f, int dir)
{
    uint32_t mss = f->v6 ? 1440 : 1460;
    uint64_t hs = dir ? f->smsg_len : f->cmsg_len;
    uint64_t total = dir ? f->down_total : f->up_total;
    uint64_t *sent = dir ? &f->down_sent : &f->up_sent;
    if (f->has_pend) {
        send_seg(f, f->pend_dir, f->pend_off, f->pend_len, 0);
        f->has_pend = 0;
        f->t += 300;
        return 0;
    }
    if (*sent >= total) {
        send_ack(f, !dir);
        return 1;
    }
    if (f->unacked >= 2 || (f->unacked == 1 && chance(400))) {
        send_ack(f, !dir);
        f->unacked = 0;
        f->t += 200 + rnd_below(400);
        return 0;
    }
    uint64_t left = total - *sent;
    uint32_t len = left < mss ? (uint32_t)left : mss;
    uint64_t off = hs + *sent;
    if (left > 2ULL * mss && chance(8)) { /* reorder: next segment overtakes this one */
        send_seg(f, dir, off + len, mss, 0);
        f->has_pend = 1;
        f->pend_dir = dir;
        f->pend_off = off;
        f->pend_len = len;
        *sent += len + mss;
    } else {
        send_seg(f, dir, off, len, left <= mss ? F_PSH : 0);
        *sent += len;
        if (chance(5)) { /* retransmission */
            f->has_pend = 1;
            f->pend_dir = dir;
            f->pend_off = off;
            f->pend_len = len;
        }
    }
    f->unacked++;
    f->t += 400 + rnd_below(1200);
    return 0;
}

/* sends the (possibly multi-segment) handshake message of dir; returns 1 when done */
static int step_msg(flow *f, int dir)
{
    uint32_t mss = f->v6 ? 1440 : 1460;
    uint64_t *sent = dir ? &f->smsg_sent : &f->cmsg_sent;
    uint64_t total = dir ? f->smsg_len : f->cmsg_len;
    uint64_t left = total - *sent;
    uint32_t len = left < mss ? (uint32_t)left : mss;
    send_seg(f, dir, *sent, len, left <= mss ? F_PSH : 0);
    *sent += len;
    f->t += 100 + rnd_below(200);
    return *sent >= total;
}

static void step_quic(flow *f)
{
    uint8_t *p;
    const ends *e;
    switch (f->phase) {
    case P_QINIT: { /* client Initial, padded to 1200 */
        e = &f->c2s;
        p = l4_ptr(e) + 8;
        wbuf w = {p, 0, 1400};
        w8(&w, 0xc3);
        w16(&w, 0);
        w16(&w, 1);
        w8(&w, 8);
        wmem(&w, f->dcid, 8);
        w8(&w, 8);
        wmem(&w, f->scid, 8);
        w8(&w, 0);
        size_t lp = w.len;
        w16(&w, 0);
        w16(&w, 0);
        w16(&w, f->qpn_c++);
        wrand(&w, 1200 - w.len);
        put_be16(p + lp, (uint32_t)(0x4000 | (w.len - lp - 2)));
        emit_udp(f->t, e, w.len, 0);
        f->t += rtt(f);
        f->phase = P_QSERVER;
        break;
    }
    case P_QSERVER: /* server Initial + Handshake, coalesced-looking */
        e = &f->s2c;
        for (int k = 0; k < 2; k++) {
            p = l4_ptr(e) + 8;
            wbuf w = {p, 0, 1400};
            w8(&w, k ? 0xe3 : 0xc3);
            w16(&w, 0);
            w16(&w, 1);
            w8(&w, 8);
            wmem(&w, f->scid, 8);
            w8(&w, 8);
            wmem(&w, f->dcid, 8);
            if (!k)
                w8(&w, 0);
            size_t lp = w.len;
            w16(&w, 0);
            w16(&w, 0);
            w16(&w, f->qpn_s++);
            wrand(&w, 1200 - w.len);
            put_be16(p + lp, (uint32_t)(0x4000 | (w.len - lp - 2)));
            emit_udp(f->t + (uint64_t)k * 50, e, w.len, 0);
        }
        f->t += rtt(f) / 2;
        f->phase = P_QDATA;
        break;
    case P_QDATA: {
        if (f->down_sent >= f->down_total) {
            f->phase = P_DONE;
            break;
        }
        int ack = f->count % 3 == 2;
        e = ack ? &f->c2s : &f->s2c;
        p = l4_ptr(e) + 8;
        size_t n = ack ? 40 + rnd_below(20) : 1252;
        p[0] = (uint8_t)(0x40 | (rnd() & 0x1f));
        memcpy(p + 1, ack ? f->dcid : f->scid, 8);
        memcpy(p + 9, pool + ((f->down_sent + f->salt) % POOL), n - 9);
        emit_udp(f->t, e, n, 0);
        if (!ack)
            f->down_sent += n;
        f->count++;
        f->t += 300 + rnd_below(900);
        break;
    }
    }
}

static void step(flow *f)
{
    switch (f->phase) {
    case P_DNSQ:
    case P_DNSR: {
        int q = f->phase == P_DNSQ;
        ends e = q ? f->c2s : f->s2c;
        uint16_t id = (uint16_t)(f->salt >> 3);
        if (f->v6) {
            memcpy(q ? e.dst : e.src, resolver_v6, 16);
        } else {
            memset(q ? e.dst : e.src, 0, 16);
            memcpy(q ? e.dst : e.src, resolver_v4, 4);
        }
        uint16_t cp = (uint16_t)(49152 + (f->salt % 16000));
        e.sport = q ? cp : 53;
        e.dport = q ? 53 : cp;
        wbuf w = {l4_ptr(&e) + 8, 0, 4000};
        int big = 0;
        if (q) {
            build_dns_query(&w, id, names[f->ni], f->v6);
            f->t += 8000 + rnd_below(30000);
            f->phase = P_DNSR;
        } else {
            big = chance(15);
            build_dns_response(&w, id, f->ni, f->v6, (f->ni % 3) == 0,
                               big ? (f->v6 ? 100 : 130) : 1 + (int)(f->ni % 4));
            f->t += 1000 + rnd_below(5000);
            f->phase = f->kind == K_DNSONLY ? P_DONE : f->kind == K_QUIC ? P_QINIT : P_SYN;
        }
        emit_udp(f->t, &e, w.len, big && chance(300));
        break;
    }
    case P_SYN:
        emit_tcp(f->t, &f->c2s, f->cisn, 0, F_SYN, 0);
        f->t += rtt(f);
        f->phase = P_SYNACK;
        break;
    case P_SYNACK:
        emit_tcp(f->t, &f->s2c, f->sisn, f->cisn + 1, F_SYN | F_ACK, 0);
        f->t += 300;
        f->phase = P_ACK;
        break;
    case P_ACK:
        send_ack(f, 0);
        f->t += 200;
        f->phase = P_CMSG;
        break;
    case P_CMSG:
        if (step_msg(f, 0)) {
            f->t += rtt(f);
            f->phase = P_SMSG;
        }
        break;
    case P_SMSG:
        if (step_msg(f, 1)) {
            f->t += 500;
            f->phase = f->kind == K_BEACON ? P_BEACON_C : f->kind == K_MQTT ? P_FIN1 : P_UP;
        }
        break;
    case P_UP:
        if (step_data(f, 0)) {
            f->unacked = 0;
            f->t += rtt(f);
            f->phase = P_DOWN;
        }
        break;
    case P_DOWN:
        if (step_data(f, 1)) {
            f->t += 2000;
            f->phase = P_FIN1;
        }
        break;
    case P_FIN1:
    case P_FIN2:
    case P_FIN3: {
        int dir = f->phase == P_FIN2;
        uint64_t my = dir ? f->smsg_len + f->down_total : f->cmsg_len + f->up_total;
        uint64_t other = dir ? f->cmsg_len + f->up_total : f->smsg_len + f->down_total;
        if (f->phase == P_FIN2)
            other++;
        if (f->phase == P_FIN3) {
            my++;
            other++;
        }
        const ends *e = dir_ends(f, dir);
        emit_tcp(f->t, e, (dir ? f->sisn : f->cisn) + 1 + (uint32_t)my,
                 (dir ? f->cisn : f->sisn) + 1 + (uint32_t)other,
                 f->phase == P_FIN3 ? F_ACK : F_FIN | F_ACK, 0);
        f->t += f->phase == P_FIN1 ? rtt(f) : 300;
        f->phase = f->phase == P_FIN3 ? P_DONE : f->phase + 1;
        break;
    }
    case P_BEACON_C:
    case P_BEACON_S: {
        int dir = f->phase == P_BEACON_S;
        const ends *e = dir_ends(f, dir);
        uint8_t *pl = l4_ptr(e) + 20;
        uint32_t n;
        if (f->beacon_mqtt == 2) {
            pl[0] = dir ? 0xd0 : 0xc0;
            pl[1] = 0;
            n = 2;
        } else {
            n = dir ? 31 + rnd_below(40) : 60 + rnd_below(400);
            pl[0] = 0x17;
            pl[1] = 3;
            pl[2] = 3;
            put_be16(pl + 3, n - 5);
            memcpy(pl + 5, pool + rnd_below(POOL), n - 5);
        }
        uint64_t *mine = dir ? &f->down_sent : &f->up_sent;
        uint64_t *theirs = dir ? &f->up_sent : &f->down_sent;
        uint64_t myhs = dir ? f->smsg_len : f->cmsg_len;
        uint64_t thhs = dir ? f->cmsg_len : f->smsg_len;
        emit_tcp(f->t, e, (dir ? f->sisn : f->cisn) + 1 + (uint32_t)(myhs + *mine),
                 (dir ? f->cisn : f->sisn) + 1 + (uint32_t)(thhs + *theirs), F_ACK | F_PSH, n);
        *mine += n;
        if (dir) {
            f->t += 60000000ULL - rtt(f) + rnd_below(1000000) - 500000;
            f->phase = P_BEACON_C;
        } else {
            f->t += rtt(f);
            f->phase = P_BEACON_S;
        }
        break;
    }
    case P_QINIT:
    case P_QSERVER:
    case P_QDATA:
        step_quic(f);
        break;
    case P_UDP: {
        if (f->count == 0) {
            f->phase = P_DONE;
            break;
        }
        const ends *e = &f->c2s;
        size_t n = 1600 + rnd_below(5000);
        uint8_t *p = l4_ptr(e) + 8;
        p[0] = 0x58; /* CoAP-ish header, then opaque bytes */
        p[1] = 0x02;
        memcpy(p + 2, pool + rnd_below(POOL), n - 2);
        emit_udp(f->t, e, n, chance(200));
        f->count--;
        f->t += 1000000;
        break;
    }
    default:
        f->phase = P_DONE;
        break;
    }
}

static uint64_t parse_size(const char *s)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || v <= 0)
        return 0;
    switch (*end) {
    case 'k':
    case 'K':
        v *= 1024;
        break;
    case 'm':
    case 'M':
        v *= 1024 * 1024;
        break;
    case 'g':
    case 'G':
        v *= 1024.0 * 1024 * 1024;
        break;
    default:
        break;
    }
    return (uint64_t)v;
}

int main(int argc, char **argv)
{
    uint64_t target = 100ULL * 1024 * 1024;
    uint64_t seed = 1;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-s") && i + 1 < argc)
            target = parse_size(argv[++i]);
        else if (!strcmp(argv[i], "-S") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "-r") && i + 1 < argc)
            rate = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "-o") && i + 1 < argc)
            path = argv[++i];
        else {
            fprintf(stderr, "usage: gen_capture [-s SIZE] [-S SEED] [-r BYTES_PER_S] -o FILE\n");
            return 2;
        }
    }
    if (!path || !target || !rate) {
        fprintf(stderr, "usage: gen_capture [-s SIZE] [-S SEED] [-r BYTES_PER_S] -o FILE\n");
        return 2;
    }
    rng_state = mix(seed) | 1;
    for (size_t i = 0; i < sizeof pool; i++)
        pool[i] = (uint8_t)(rnd() >> 56);
    make_names();
    out = fopen(path, "wb");
    if (!out) {
        perror(path);
        return 1;
    }
    static char obuf[1 << 20];
    setvbuf(out, obuf, _IOFBF, sizeof obuf);
    write_file_header();

    for (int b = 0; b < NBEACON; b++)
        new_flow(&flows[nflows++], t_start + (uint64_t)b * 1700000, b);
    uint64_t now = t_start;
    while (written < target) {
        while (nflows < MAXF) {
            uint64_t due = t_start + written * 1000000ULL / rate + rnd_below(2000000);
            new_flow(&flows[nflows++], due > now ? due : now, -1);
        }
        int best = 0;
        for (int i = 1; i < nflows; i++)
            if (flows[i].t < flows[best].t)
                best = i;
        flow *f = &flows[best];
        if (f->t > now)
            now = f->t;
        f->t = now;
        step(f);
        if (f->phase == P_DONE) {
            flows[best] = flows[nflows - 1];
            nflows--;
        }
    }
    if (fclose(out) != 0) {
        perror(path);
        return 1;
    }
    fprintf(stderr, "gen_capture: %s: %llu bytes, %llu packets, %.1f h of capture time\n", path,
            (unsigned long long)written, (unsigned long long)pkts, (double)(now - t_start) / 3.6e9);
    return 0;
}
