/* Capture reader: classic pcap and pcapng, both read here (classic pcap with
 * libpcap's checks and messages), from a file or stdin, optionally
 * gzip-compressed.  libpcap itself only names link types.
 *
 * All input goes through zlib's gzread(), which passes uncompressed data
 * through unchanged, so plain and compressed files take the same path.  The
 * first bytes are peeked to pick the format.  Byte offsets and
 * dt_capture_bytes_read() count decompressed bytes. */
#include "capture/capture.h"
#include "util/cursor.h"
#include "util/err.h"
#include "util/netconst.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include <zlib.h>

/* Classic pcap: a 24-byte file header (magic, version, thiszone, sigfigs,
 * snaplen, link type), then per packet a 16-byte record header (24 bytes in
 * the "modified" pcap of Kuznetzov's patches). */
#define PCAP_FILE_HDR_LEN 24
#define PCAP_OFF_VERSION 4
#define PCAP_OFF_SNAPLEN 16
#define PCAP_OFF_LINKTYPE 20
#define PCAP_REC_HDR_LEN 16
#define PCAP_REC_HDR_LEN_MODIFIED 24
#define PCAP_MAGIC_USEC 0xa1b2c3d4u     /* microsecond timestamps */
#define PCAP_MAGIC_NSEC 0xa1b23c4du     /* nanosecond timestamps */
#define PCAP_MAGIC_MODIFIED 0xa1b2cd34u /* modified pcap: longer record header */
#define PCAP_BSWAP32(m)                                                                            \
    ((m) >> 24 | ((m) >> 8 & 0xff00u) | ((m) << 8 & 0xff0000u) | ((m) << 24 & 0xff000000u))
#define PCAP_LINKTYPE_MASK 0x03ffffffu /* the upper bits carry the FCS length (LT_LINKTYPE) */
enum { PCAP_LEN_AS_IS, PCAP_LEN_SWAPPED, PCAP_LEN_MAYBE_SWAPPED };

#define PEEK_MAX PCAP_FILE_HDR_LEN
#define NG_MAX_BLOCK (32u * 1024u * 1024u) /* larger blocks are treated as corruption */
#define NG_MAX_IFACES 65536u

#define NG_SHB 0x0A0D0D0Au
#define NG_IDB 1u
#define NG_PB 2u
#define NG_SPB 3u
#define NG_NRB 4u
#define NG_ISB 5u
#define NG_EPB 6u
#define NG_JOURNAL 9u
#define NG_DSB 10u
#define NG_CB_COPY 0x00000BADu
#define NG_CB_NOCOPY 0x40000BADu

enum { KIND_PCAP, KIND_PCAPNG };

typedef struct ng_iface {
    int linktype;
    uint32_t snaplen;
    int res_pow2;   /* resolution is 2^-res_exp (else 10^-res_exp) */
    int res_exp;    /* 0..127 */
    int64_t offset; /* if_tsoffset, seconds */
    uint8_t digits;
} ng_iface;

struct dt_capture {
    gzFile gz;
    int src_eof;
    int src_err;
    char src_msg[96];
    uint8_t peek[PEEK_MAX];
    size_t peek_len, peek_pos;
    int kind;
    uint64_t packets;
    uint64_t bytes;   /* bytes consumed so far (decompressed) */
    uint64_t unknown; /* pcapng blocks of unknown type skipped */
    int state;        /* 0 running, 1 clean EOF, -1 failed */
    uint64_t err_at;  /* byte offset of the error (the start of the bad record) */
    char err[320];

    /* classic pcap (the byte order is be, below) */
    uint8_t *win; /* the window records are read from */
    size_t win_cap, win_pos, win_len;
    int linktype;
    int nsec;
    uint32_t rec_hdr;    /* per-packet record header size (16, or 24 for modified pcap) */
    uint32_t snapshot;   /* the file's snapshot length (libpcap's rules) */
    uint32_t max_caplen; /* libpcap's largest record for the link type */
    uint32_t frac_ns;    /* nanoseconds in a unit of the timestamp's fraction */
    int lengths_swapped;
    uint8_t ts_digits;
    /* classic pcap read by dt_capture_next's short path: a 16-byte record header
     * as is (little-endian, lengths not swapped) and no error or end met yet */
    int fast;
    uint32_t fast_caplen; /* the largest caplen taken as is: min(snapshot, max_caplen) */

    /* pcapng */
    int be;              /* current section is big-endian */
    int have_block_type; /* block_type is that of the block being read */
    uint32_t block_type;
    ng_iface *ifs;
    uint32_t nifs, ifs_cap;
};

/* ---- input ---------------------------------------------------------------------------- */

/* Reads up to n bytes: peeked bytes first, then the (possibly compressed) stream.
 * Returns the number of bytes read; fewer than n means end of data or error (src_err). */
static size_t in_read(dt_capture *c, void *dst, size_t n)
{
    uint8_t *out = dst;
    size_t got = 0;
    if (c->peek_pos < c->peek_len) {
        size_t k = c->peek_len - c->peek_pos;
        if (k > n)
            k = n;
        memcpy(out, c->peek + c->peek_pos, k);
        c->peek_pos += k;
        got += k;
    }
    while (got < n && !c->src_eof && !c->src_err) {
        size_t want = n - got;
        if (want > (1u << 30))
            want = 1u << 30;
        int r = gzread(c->gz, out + got, (unsigned)want);
        if (r < 0) {
            int zerr = 0;
            const char *m = gzerror(c->gz, &zerr);
            /* zlib names the stream "<fd:N>": the caller names the file */
            if (m && !strncmp(m, "<fd:", 4) && strstr(m, ">: "))
                m = strstr(m, ">: ") + 3;
            dt_set_err(c->src_msg, sizeof c->src_msg, "%s", m && *m ? m : "read error");
            c->src_err = 1;
            break;
        }
        if (r == 0) {
            c->src_eof = 1;
            break;
        }
        got += (size_t)r;
    }
    return got;
}

/* What a message says failed: the packet, or in pcapng the block when it
 * holds no packet (a header block is not "packet 1"). */
static void failed_part(const dt_capture *c, char *out, size_t len)
{
    uint32_t t = c->block_type;
    if (c->kind != KIND_PCAPNG ||
        (c->have_block_type && (t == NG_EPB || t == NG_SPB || t == NG_PB)))
        snprintf(out, len, "packet %" PRIu64, c->packets + 1);
    else if (!c->have_block_type)
        snprintf(out, len, "block after packet %" PRIu64, c->packets);
    else if (t == NG_SHB)
        snprintf(out, len, "section header block");
    else if (t == NG_IDB)
        snprintf(out, len, "interface description block");
    else
        snprintf(out, len, "block of type 0x%08" PRIx32, t);
}

static void fail(dt_capture *c, uint64_t at, const char *fmt, ...)
{
    char reason[224], part[64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    failed_part(c, part, sizeof part);
    dt_set_err(c->err, sizeof c->err, "%s: %s (at byte %" PRIu64 ")", part, reason, at);
    c->err_at = at;
    c->state = -1;
    c->fast = 0;
}

/* ---- helpers ---------------------------------------------------------------------------- */

static uint32_t rd32(const dt_capture *c, const uint8_t *p)
{
    return c->be ? dt_rd_be32(p) : dt_rd_le32(p);
}

static uint16_t rd16(const dt_capture *c, const uint8_t *p)
{
    return c->be ? dt_rd_be16(p) : dt_rd_le16(p);
}

static uint32_t cur32(const dt_capture *c, dt_cur *k)
{
    const uint8_t *p = dt_bytes(k, 4);
    return p ? rd32(c, p) : 0;
}

static uint16_t cur16(const dt_capture *c, dt_cur *k)
{
    const uint8_t *p = dt_bytes(k, 2);
    return p ? rd16(c, p) : 0;
}

static const uint64_t pow10_tab[20] = {1ull,
                                       10ull,
                                       100ull,
                                       1000ull,
                                       10000ull,
                                       100000ull,
                                       1000000ull,
                                       10000000ull,
                                       100000000ull,
                                       1000000000ull,
                                       10000000000ull,
                                       100000000000ull,
                                       1000000000000ull,
                                       10000000000000ull,
                                       100000000000000ull,
                                       1000000000000000ull,
                                       10000000000000000ull,
                                       100000000000000000ull,
                                       1000000000000000000ull,
                                       10000000000000000000ull};

/* Seconds (signed, may be out of range) plus nanoseconds -> ns since the epoch, clamped. */
static uint64_t to_ns(int64_t sec, uint64_t frac_ns)
{
    if (sec < 0)
        return 0;
    if ((uint64_t)sec > (UINT64_MAX - 999999999ull) / 1000000000ull)
        return UINT64_MAX;
    return (uint64_t)sec * 1000000000ull + frac_ns;
}

/* Timestamp in interface units -> ns since the epoch. */
static uint64_t ng_ts(const ng_iface *ifc, uint64_t ts)
{
    uint64_t sec, frac_ns;
    int e = ifc->res_exp;
    if (ifc->res_pow2) {
        if (e >= 64) {
            sec = 0;
        } else {
            sec = ts >> e;
        }
        uint64_t frac = e >= 64 ? ts : ts & ((1ull << e) - 1);
        if (e <= 34) {
            frac_ns = (frac * 1000000000ull) >> e; /* frac < 2^34, product < 2^64 */
        } else {
            int drop = e - 34;
            uint64_t f = drop >= 64 ? 0 : frac >> drop;
            frac_ns = (f * 1000000000ull) >> 34;
        }
    } else {
        if (e <= 19) {
            sec = ts / pow10_tab[e];
            uint64_t frac = ts % pow10_tab[e];
            frac_ns = e <= 9 ? frac * pow10_tab[9 - e] : frac / pow10_tab[e - 9];
        } else {
            sec = 0;
            frac_ns = e - 9 <= 19 ? ts / pow10_tab[e - 9] : 0;
        }
    }
    if (sec > (uint64_t)INT64_MAX)
        return UINT64_MAX;
    int64_t s = (int64_t)sec;
    if (ifc->offset > 0 && s > INT64_MAX - ifc->offset)
        return UINT64_MAX;
    if (ifc->offset < 0 && s < INT64_MIN - ifc->offset)
        return 0;
    return to_ns(s + ifc->offset, frac_ns);
}

/* ---- classic pcap ---------------------------------------------------------------------------- */

/* Records are handed out in place from a window over the input: one read()
 * per megabyte and no copy of the packet (libpcap behind a stdio cookie copied
 * each packet twice and cost 650 instructions per packet).  The checks and
 * messages are libpcap's (1.10), so a file reads the same as it did through it. */
#define WIN_SIZE (1u << 20)
#define PCAP_MAX_SNAPLEN 262144u /* libpcap's MAXIMUM_SNAPLEN */

/* libpcap's max_snaplen_for_dlt: larger for a few link types. */
static uint32_t max_snaplen(int linktype)
{
    switch (linktype) {
    case 231: /* D-Bus */
        return 128u * 1024 * 1024;
    case 279: /* EBHSCR */
        return 8u * 1024 * 1024;
    case 249: /* USBPcap */
        return 1024u * 1024;
    default:
        return PCAP_MAX_SNAPLEN;
    }
}

/* Makes at least need bytes available at win + win_pos (fewer at the end of the
 * input or on a read error); returns how many are. */
static size_t win_fill(dt_capture *c, size_t need)
{
    size_t have = c->win_len - c->win_pos;
    if (have >= need)
        return have;
    if (c->win_pos) {
        memmove(c->win, c->win + c->win_pos, have);
        c->win_pos = 0;
        c->win_len = have;
    }
    if (need > c->win_cap) {
        size_t cap = need > WIN_SIZE ? need : WIN_SIZE;
        uint8_t *w = realloc(c->win, cap);
        if (!w) {
            dt_set_err(c->src_msg, sizeof c->src_msg, "out of memory");
            c->src_err = 1;
            return have;
        }
        c->win = w;
        c->win_cap = cap;
    }
    while (c->win_len < need && (c->peek_pos < c->peek_len || (!c->src_eof && !c->src_err))) {
        size_t got = in_read(c, c->win + c->win_len, c->win_cap - c->win_len);
        c->win_len += got;
        if (got == 0)
            break;
    }
    return c->win_len - c->win_pos;
}

/* Consumes up to n bytes at the window: where they are (valid until the next
 * fill) and how many there are (fewer at the end of the input or on a read error). */
static const uint8_t *win_take(dt_capture *c, size_t n, size_t *got)
{
    size_t avail = win_fill(c, n);
    const uint8_t *p = c->win + c->win_pos;
    *got = avail < n ? avail : n;
    c->win_pos += *got;
    return p;
}

/* The record at the window's position, hl header and caplen data bytes long,
 * handed out as a packet of given bytes (pkt->ts_ns is set by the caller). */
__attribute__((always_inline)) static inline void hand_out(dt_capture *c, dt_cap_packet *pkt,
                                                           size_t hl, uint32_t caplen,
                                                           uint32_t given, uint32_t wirelen)
{
    pkt->ts_digits = c->ts_digits;
    pkt->linktype = c->linktype;
    pkt->caplen = given;
    pkt->wirelen = wirelen;
    pkt->data = c->win + c->win_pos + hl; /* the fill may have moved the window */
    c->win_pos += hl + caplen;
    c->packets++;
    c->bytes += hl + (uint64_t)caplen;
}

/* Any record (dt_capture_next takes the common one without a call). */
__attribute__((noinline)) static int pcap_next_pkt(dt_capture *c, dt_cap_packet *pkt)
{
    uint64_t at = c->bytes;
    size_t hl = c->rec_hdr, avail = win_fill(c, hl);
    if (avail < hl) {
        if (c->src_err)
            fail(c, at, "read error: %s", c->src_msg);
        else if (avail == 0)
            c->state = 1, c->fast = 0;
        else
            fail(c, at, "truncated dump file; tried to read %zu header bytes, only got %zu", hl,
                 avail);
        return c->state == 1 ? 0 : -1;
    }
    const uint8_t *h = c->win + c->win_pos;
    int32_t sec = (int32_t)rd32(c, h), frac = (int32_t)rd32(c, h + 4);
    uint32_t caplen = rd32(c, h + 8), len = rd32(c, h + 12);
    if (c->lengths_swapped != PCAP_LEN_AS_IS &&
        (c->lengths_swapped == PCAP_LEN_SWAPPED || caplen > len)) {
        uint32_t t = caplen;
        caplen = len;
        len = t;
    }
    if (caplen > c->max_caplen) {
        if (caplen > c->snapshot)
            fail(c, at,
                 "invalid packet capture length %" PRIu32 ", bigger than snaplen of %" PRIu32,
                 caplen, c->snapshot);
        else
            fail(c, at,
                 "invalid packet capture length %" PRIu32 ", bigger than maximum of %" PRIu32,
                 caplen, c->max_caplen);
        return -1;
    }
    avail = win_fill(c, hl + caplen);
    if (avail < hl + caplen) {
        if (c->src_err)
            fail(c, at, "read error: %s", c->src_msg);
        else
            fail(c, at,
                 "truncated dump file; tried to read %" PRIu32 " captured bytes, only got %zu",
                 caplen, avail - hl);
        return -1;
    }
    /* libpcap opened with nanosecond precision: microseconds scaled up */
    int64_t s64 = sec, ns = (int64_t)frac * c->frac_ns;
    /* a corrupt header may hold a fraction outside [0, 1e9): normalise it */
    s64 += ns / 1000000000;
    ns %= 1000000000;
    if (ns < 0) {
        ns += 1000000000;
        s64--;
    }
    pkt->ts_ns = to_ns(s64, (uint64_t)ns);
    /* longer than the file's snapshot length (old Solaris files): cut to it */
    hand_out(c, pkt, hl, caplen, caplen > c->snapshot ? c->snapshot : caplen, len);
    return 1;
}

static int open_pcap(dt_capture *c, char *err, size_t errlen)
{
    if (c->peek_len < PCAP_FILE_HDR_LEN) {
        dt_set_err(err, errlen, "truncated pcap file header (%zu of %d bytes)", c->peek_len,
                   PCAP_FILE_HDR_LEN);
        return -1;
    }
    uint32_t magic = dt_rd_le32(c->peek);
    c->be = magic != PCAP_MAGIC_USEC && magic != PCAP_MAGIC_NSEC && magic != PCAP_MAGIC_MODIFIED;
    uint32_t m = rd32(c, c->peek);
    uint16_t major = rd16(c, c->peek + PCAP_OFF_VERSION),
             minor = rd16(c, c->peek + PCAP_OFF_VERSION + 2);
    uint32_t snaplen = rd32(c, c->peek + PCAP_OFF_SNAPLEN),
             lt = rd32(c, c->peek + PCAP_OFF_LINKTYPE);
    if (major < 2) {
        dt_set_err(err, errlen, "archaic pcap savefile format");
        return -1;
    }
    if (!((major == 2 && minor <= 4) || (major == 543 && minor == 0))) {
        dt_set_err(err, errlen, "unsupported pcap savefile version %u.%u", major, minor);
        return -1;
    }
    c->linktype = (int)(lt & PCAP_LINKTYPE_MASK);
    c->nsec = m == PCAP_MAGIC_NSEC;
    c->rec_hdr = m == PCAP_MAGIC_MODIFIED ? PCAP_REC_HDR_LEN_MODIFIED : PCAP_REC_HDR_LEN;
    /* files of pcap 2.0-2.2 (and DG/UX's 543.0) have caplen and len the other way round */
    c->lengths_swapped = major == 543 || minor < 3 ? PCAP_LEN_SWAPPED
                         : minor == 3              ? PCAP_LEN_MAYBE_SWAPPED
                                                   : PCAP_LEN_AS_IS;
    c->max_caplen = max_snaplen(c->linktype);
    c->snapshot = snaplen == 0 || snaplen > INT32_MAX ? c->max_caplen : snaplen;
    c->frac_ns = c->nsec ? 1 : 1000;
    if (m == PCAP_MAGIC_MODIFIED && c->linktype == DT_LINKTYPE_ETHERNET)
        c->snapshot += 14; /* libpcap: cooked captures got a made-up Ethernet header */
    c->ts_digits = c->nsec ? 9 : 6;
    c->fast = !c->be && c->lengths_swapped == PCAP_LEN_AS_IS && c->rec_hdr == PCAP_REC_HDR_LEN;
    c->fast_caplen = c->snapshot < c->max_caplen ? c->snapshot : c->max_caplen;
    c->win_pos = c->win_len = 0;
    c->peek_pos = PCAP_FILE_HDR_LEN; /* the records follow in the stream */
    c->bytes = PCAP_FILE_HDR_LEN;
    c->kind = KIND_PCAP;
    return 0;
}

/* ---- pcapng ---------------------------------------------------------------------------- */

static int ng_add_iface(dt_capture *c, dt_cur *body, uint64_t at)
{
    int linktype = cur16(c, body);
    dt_skip(body, 2);
    uint32_t snaplen = cur32(c, body);
    if (!dt_ok(body)) {
        fail(c, at, "interface description block too short");
        return -1;
    }
    if (c->nifs >= NG_MAX_IFACES) {
        fail(c, at, "too many interfaces (more than %u)", NG_MAX_IFACES);
        return -1;
    }
    if (c->nifs == c->ifs_cap) {
        uint32_t ncap = c->ifs_cap ? c->ifs_cap * 2 : 8;
        ng_iface *n = realloc(c->ifs, ncap * sizeof *n);
        if (!n) {
            fail(c, at, "out of memory");
            return -1;
        }
        c->ifs = n;
        c->ifs_cap = ncap;
    }
    ng_iface ifc = {linktype, snaplen, 0, 6, 0, 6};
    /* options: code, length, value padded to 4; a malformed tail is ignored */
    while (dt_has(body, 4)) {
        uint16_t code = cur16(c, body);
        uint16_t olen = cur16(c, body);
        if (code == 0)
            break;
        const uint8_t *v = dt_bytes(body, olen);
        if (!v)
            break;
        dt_skip(body, (4 - (olen & 3)) & 3);
        if (code == 9 && olen >= 1) {
            ifc.res_pow2 = (v[0] & 0x80) != 0;
            ifc.res_exp = v[0] & 0x7f;
            if (ifc.res_pow2) {
                unsigned d = ((unsigned)ifc.res_exp * 30103u + 99999u) / 100000u;
                ifc.digits = (uint8_t)(d > 9 ? 9 : d);
            } else {
                ifc.digits = (uint8_t)(ifc.res_exp > 9 ? 9 : ifc.res_exp);
            }
        } else if (code == 14 && olen >= 8) {
            uint64_t hi = rd32(c, v), lo = rd32(c, v + 4);
            uint64_t u = c->be ? (hi << 32 | lo) : (lo << 32 | hi);
            ifc.offset = (int64_t)u; /* implementation-defined for >INT64_MAX; gcc/clang wrap */
        }
    }
    c->ifs[c->nifs++] = ifc;
    return 0;
}

/* Reads blocks until a packet is found (1), clean EOF (0) or an error (-1). */
static int ng_next(dt_capture *c, dt_cap_packet *pkt)
{
    for (;;) {
        uint64_t at = c->bytes;
        uint8_t hdr[12];
        c->have_block_type = 0;
        size_t got;
        const uint8_t *h8 = win_take(c, 8, &got);
        if (got)
            memcpy(hdr, h8, got);
        c->bytes += got;
        if (got == 0 && !c->src_err) {
            c->state = 1;
            return 0;
        }
        if (got < 8) {
            if (c->src_err)
                fail(c, at, "read error: %s", c->src_msg);
            else
                fail(c, at, "truncated block (need 8 bytes, have %zu)", got);
            return -1;
        }
        uint32_t type = dt_rd_le32(hdr); /* SHB type is a palindrome; others fixed below */
        size_t pre = 8;
        c->block_type = type;
        c->have_block_type = type == NG_SHB;
        if (type == NG_SHB) {
            const uint8_t *h4 = win_take(c, 4, &got);
            if (got)
                memcpy(hdr + 8, h4, got);
            c->bytes += got;
            if (got < 4) {
                if (c->src_err)
                    fail(c, at, "read error: %s", c->src_msg);
                else
                    fail(c, at, "truncated block (need 12 bytes, have %zu)", 8 + got);
                return -1;
            }
            uint32_t bom = dt_rd_le32(hdr + 8);
            if (bom == 0x1A2B3C4Du) {
                c->be = 0;
            } else if (bom == 0x4D3C2B1Au) {
                c->be = 1;
            } else {
                fail(c, at, "bad byte-order magic 0x%08x in section header block", bom);
                return -1;
            }
            pre = 12;
        } else {
            type = rd32(c, hdr);
            c->block_type = type;
            c->have_block_type = 1;
        }
        uint32_t total = rd32(c, hdr + 4);
        uint32_t minlen = type == NG_SHB ? 28 : 12;
        if (total < minlen) {
            fail(c, at, "block length %" PRIu32 " too small for block type 0x%08" PRIx32, total,
                 type);
            return -1;
        }
        if (total > NG_MAX_BLOCK) {
            fail(c, at, "absurd block length %" PRIu32, total);
            return -1;
        }
        size_t rest = total - pre;                    /* body plus trailing length */
        const uint8_t *blk = win_take(c, rest, &got); /* in place: no copy of the packet */
        c->bytes += got;
        if (got < rest) {
            if (c->src_err)
                fail(c, at, "read error: %s", c->src_msg);
            else
                fail(c, at, "truncated block (need %" PRIu32 " bytes, have %zu)", total, pre + got);
            return -1;
        }
        uint32_t trail = rd32(c, blk + rest - 4);
        if (trail != total) {
            fail(c, at, "block length mismatch (header %" PRIu32 ", trailer %" PRIu32 ")", total,
                 trail);
            return -1;
        }
        /* a length that is not a multiple of 4 is accepted since both copies agree */
        dt_cur body = dt_cur_make(blk, rest - 4);

        switch (type) {
        case NG_SHB: {
            uint16_t major = cur16(c, &body);
            if (major != 1) {
                fail(c, at, "unsupported pcapng version %u", major);
                return -1;
            }
            c->nifs = 0; /* a new section forgets the old interfaces */
            break;
        }
        case NG_IDB:
            if (ng_add_iface(c, &body, at) < 0)
                return -1;
            break;
        case NG_EPB:
        case NG_PB:
        case NG_SPB: {
            uint32_t ifid = 0, caplen, wirelen;
            uint64_t ts = 0;
            if (type == NG_SPB) {
                wirelen = cur32(c, &body);
                caplen = wirelen;
            } else {
                ifid = type == NG_PB ? cur16(c, &body) : cur32(c, &body);
                if (type == NG_PB)
                    dt_skip(&body, 2); /* drops count */
                uint64_t hi = cur32(c, &body);
                ts = hi << 32 | cur32(c, &body);
                caplen = cur32(c, &body);
                wirelen = cur32(c, &body);
            }
            if (!dt_ok(&body)) {
                fail(c, at, "packet block too short (%" PRIu32 " bytes)", total);
                return -1;
            }
            if (ifid >= c->nifs) {
                fail(c, at, "packet refers to interface %" PRIu32 " but the section has %" PRIu32,
                     ifid, c->nifs);
                return -1;
            }
            const ng_iface *ifc = &c->ifs[ifid];
            size_t room = dt_left(&body);
            if (type == NG_SPB) {
                if (caplen > room)
                    caplen = (uint32_t)room;
                if (ifc->snaplen && caplen > ifc->snaplen)
                    caplen = ifc->snaplen;
            } else if (caplen > room) {
                fail(c, at,
                     "captured length %" PRIu32 " does not fit in the block (%zu bytes of room)",
                     caplen, room);
                return -1;
            }
            pkt->data = dt_bytes(&body, caplen);
            pkt->ts_ns = type == NG_SPB ? 0 : ng_ts(ifc, ts);
            pkt->ts_digits = ifc->digits;
            pkt->linktype = ifc->linktype;
            pkt->caplen = caplen;
            pkt->wirelen = wirelen;
            c->packets++;
            return 1;
        }
        case NG_NRB:
        case NG_ISB:
        case NG_JOURNAL:
        case NG_DSB:
        case NG_CB_COPY:
        case NG_CB_NOCOPY:
            break;
        default:
            c->unknown++;
            break;
        }
    }
}

/* ---- public API ---------------------------------------------------------------------------- */

dt_capture *dt_capture_open(const char *path, char *err, size_t errlen)
{
    char dummy[8];
    if (!err || !errlen) {
        err = dummy;
        errlen = sizeof dummy;
    }
    err[0] = 0;
    if (!path) {
        dt_set_err(err, errlen, "no path given");
        return NULL;
    }
    /* The messages do not name the file: the caller does, once. */
    int is_stdin = strcmp(path, "-") == 0;
    int fd = is_stdin ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        dt_set_err(err, errlen, "cannot open: %s", strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        dt_set_err(err, errlen, "cannot read: is a directory");
        close(fd);
        return NULL;
    }
    dt_capture *c = calloc(1, sizeof *c);
    if (!c) {
        close(fd);
        dt_set_err(err, errlen, "out of memory");
        return NULL;
    }
    c->gz = gzdopen(fd, "rb");
    if (!c->gz) {
        close(fd);
        free(c);
        dt_set_err(err, errlen, "cannot read: out of memory");
        return NULL;
    }
    gzbuffer(c->gz, 128 * 1024);

    size_t n = in_read(c, c->peek, PEEK_MAX);
    if (c->src_err) {
        dt_set_err(err, errlen, "cannot read: %s", c->src_msg);
        goto bad;
    }
    c->peek_len = n;
    if (n == 0) {
        dt_set_err(err, errlen, "empty file%s", gzdirect(c->gz) ? "" : " (after gunzip)");
        goto bad;
    }
    if (n < 4) {
        dt_set_err(err, errlen, "too short (%zu bytes) to be a pcap or pcapng file", n);
        goto bad;
    }
    uint32_t magic = dt_rd_be32(c->peek);
    switch (magic) {
    case PCAP_MAGIC_USEC:
    case PCAP_BSWAP32(PCAP_MAGIC_USEC):
    case PCAP_MAGIC_NSEC:
    case PCAP_BSWAP32(PCAP_MAGIC_NSEC):
    case PCAP_MAGIC_MODIFIED:
    case PCAP_BSWAP32(PCAP_MAGIC_MODIFIED): {
        char e2[PCAP_ERRBUF_SIZE + 64];
        if (open_pcap(c, e2, sizeof e2) < 0) {
            dt_set_err(err, errlen, "%s", e2);
            goto bad;
        }
        return c;
    }
    case NG_SHB:
        c->kind = KIND_PCAPNG;
        return c;
    default:
        dt_set_err(err, errlen, "not a pcap or pcapng file (magic 0x%08x)", magic);
        goto bad;
    }
bad:
    gzclose(c->gz);
    free(c);
    return NULL;
}

int dt_capture_next(dt_capture *cap, dt_cap_packet *pkt)
{
    if (!cap || !pkt)
        return -1;
    if (cap->fast) {
        /* the common record: whole in the window, caplen within the snapshot, the
         * timestamp's fields not negative; anything else is pcap_next_pkt's */
        size_t have = cap->win_len - cap->win_pos;
        if (have >= PCAP_REC_HDR_LEN) {
            const uint8_t *h = cap->win + cap->win_pos;
            uint32_t sec = dt_rd_le32(h), frac = dt_rd_le32(h + 4), caplen = dt_rd_le32(h + 8);
            /* sec and frac as int32 both >= 0: pcap_next_pkt's sum, also for a
             * fraction of a second or more (time-shifted captures have them) */
            if (caplen <= cap->fast_caplen && caplen <= have - PCAP_REC_HDR_LEN &&
                (sec | frac) <= INT32_MAX) {
                pkt->ts_ns = (uint64_t)sec * 1000000000ull + (uint64_t)frac * cap->frac_ns;
                hand_out(cap, pkt, PCAP_REC_HDR_LEN, caplen, caplen, dt_rd_le32(h + 12));
                return 1;
            }
        }
        return pcap_next_pkt(cap, pkt);
    }
    if (cap->state == 1)
        return 0;
    if (cap->state < 0)
        return -1;
    /* both readers set every field of *pkt */
    return cap->kind == KIND_PCAP ? pcap_next_pkt(cap, pkt) : ng_next(cap, pkt);
}

const char *dt_capture_error(const dt_capture *cap)
{
    return cap ? cap->err : "";
}

const char *dt_capture_format(const dt_capture *cap)
{
    if (!cap)
        return "";
    if (cap->kind == KIND_PCAPNG)
        return "pcapng";
    return cap->nsec ? "pcap-ns" : "pcap";
}

uint64_t dt_capture_packets(const dt_capture *cap)
{
    return cap ? cap->packets : 0;
}

uint64_t dt_capture_bytes_read(const dt_capture *cap)
{
    return cap ? cap->bytes : 0;
}

uint64_t dt_capture_error_offset(const dt_capture *cap)
{
    return cap && cap->state < 0 ? cap->err_at : dt_capture_bytes_read(cap);
}

uint64_t dt_capture_unknown_blocks(const dt_capture *cap)
{
    return cap ? cap->unknown : 0;
}

int dt_capture_compressed(const dt_capture *cap)
{
    return cap && cap->gz && !gzdirect(cap->gz);
}

void dt_capture_close(dt_capture *cap)
{
    if (!cap)
        return;
    free(cap->win);
    if (cap->gz)
        gzclose(cap->gz);
    free(cap->ifs);
    free(cap);
}

/* LINKTYPE_* values that libpcap knows under a different DLT_* number. */
static int linktype_to_dlt(int lt)
{
    switch (lt) {
    case 100:
        return DLT_ATM_RFC1483;
    case DT_LINKTYPE_RAW:
        return DLT_RAW;
    case 102:
        return DLT_SLIP_BSDOS;
    case 103:
        return DLT_PPP_BSDOS;
    case 106:
        return DLT_ATM_CLIP;
    case DT_LINKTYPE_LOOP:
        return DLT_LOOP;
    case 246:
        return DLT_PFSYNC;
    case 258:
        return DLT_PKTAP;
    default:
        return lt;
    }
}

/* Names of decoded link types that libpcap's table leaves out. */
static const char *linktype_name_extra(int lt)
{
    switch (lt) {
    case DT_LINKTYPE_PPP_WITH_DIR:
        return "PPP_WITH_DIR";
    case DT_LINKTYPE_C_HDLC_WITH_DIR:
        return "C_HDLC_WITH_DIR";
    case DT_LINKTYPE_FRELAY_WITH_DIR:
        return "FRELAY_WITH_DIR";
    default:
        return NULL;
    }
}

const char *dt_linktype_name(int linktype, char *buf, size_t len)
{
    const char *n = NULL;
    /* 11..19 are DLT-only numbers, never valid LINKTYPEs in a file */
    if (linktype >= 0 && !(linktype >= 11 && linktype <= 19))
        n = pcap_datalink_val_to_name(linktype_to_dlt(linktype));
    if (!n)
        n = linktype_name_extra(linktype);
    if (!buf || !len)
        return n ? n : "";
    if (n)
        snprintf(buf, len, "%s", n);
    else
        snprintf(buf, len, "LINKTYPE_%d", linktype);
    return buf;
}
