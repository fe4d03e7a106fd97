/* Capture reader tests: every file is written by the test itself into a temp dir. */
#include "capture/capture.h"
#include "check.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

static char tmpdir[256];

/* ---- byte builder ---- */

typedef struct buf {
    uint8_t b[8192];
    size_t n;
    int be;
} buf;

static void put8(buf *o, uint8_t v)
{
    if (o->n < sizeof o->b)
        o->b[o->n++] = v;
}

static void put16(buf *o, uint16_t v)
{
    if (o->be) {
        put8(o, (uint8_t)(v >> 8));
        put8(o, (uint8_t)v);
    } else {
        put8(o, (uint8_t)v);
        put8(o, (uint8_t)(v >> 8));
    }
}

static void put32(buf *o, uint32_t v)
{
    if (o->be) {
        put16(o, (uint16_t)(v >> 16));
        put16(o, (uint16_t)v);
    } else {
        put16(o, (uint16_t)v);
        put16(o, (uint16_t)(v >> 16));
    }
}

static void putn(buf *o, const void *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put8(o, ((const uint8_t *)p)[i]);
}

static void padlen(buf *o, uint32_t len)
{
    while (len++ & 3)
        put8(o, 0);
}

static void pad4(buf *o)
{
    while (o->n & 3)
        put8(o, 0);
}

static void write_file(const char *name, const void *p, size_t n, char *path, size_t plen)
{
    snprintf(path, plen, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(2);
    }
    if (n)
        fwrite(p, 1, n, f);
    fclose(f);
}

static const uint8_t payload[64] = {0x45, 0x00, 0x00, 0x1c, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

/* ---- classic pcap ---- */

static void pcap_hdr(buf *o, uint32_t magic, uint32_t linktype)
{
    put32(o, magic);
    put16(o, 2);
    put16(o, 4);
    put32(o, 0);
    put32(o, 0);
    put32(o, 65535);
    put32(o, linktype);
}

static void pcap_rec(buf *o, uint32_t sec, uint32_t frac, uint32_t caplen, uint32_t wirelen)
{
    put32(o, sec);
    put32(o, frac);
    put32(o, caplen);
    put32(o, wirelen);
    putn(o, payload, caplen);
}

/* Three packets; returns the record boundaries in ends[0..3] (ends[0] = header end). */
static void make_pcap(buf *o, int be, uint32_t magic, uint32_t linktype, size_t ends[4])
{
    memset(o, 0, sizeof *o);
    o->be = be;
    pcap_hdr(o, magic, linktype);
    ends[0] = o->n;
    pcap_rec(o, 1700000000, 123456, 20, 60);
    ends[1] = o->n;
    pcap_rec(o, 1700000001, 999999, 40, 40);
    ends[2] = o->n;
    pcap_rec(o, 1700000002, 0, 0, 1500);
    ends[3] = o->n;
}

static void test_pcap_variant(const char *name, int be, uint32_t magic, uint32_t lt_field,
                              int want_lt, const char *want_fmt, uint64_t scale)
{
    buf o;
    size_t ends[4];
    char path[512], err[256];
    make_pcap(&o, be, magic, lt_field, ends);
    write_file(name, o.b, o.n, path, sizeof path);
    dt_capture *c = dt_capture_open(path, err, sizeof err);
    CHECK(c != NULL);
    if (!c) {
        fprintf(stderr, "%s: %s\n", name, err);
        return;
    }
    CHECK_EQ_STR(dt_capture_format(c), want_fmt);
    dt_cap_packet p;
    CHECK_EQ_INT(dt_capture_next(c, &p), 1);
    CHECK_EQ_INT(p.linktype, want_lt);
    CHECK_EQ_INT(p.caplen, 20);
    CHECK_EQ_INT(p.wirelen, 60);
    CHECK_EQ_INT(p.ts_ns, 1700000000ull * 1000000000ull + 123456ull * scale);
    CHECK_EQ_INT(p.ts_digits, scale == 1 ? 9 : 6);
    CHECK(p.data && memcmp(p.data, payload, 20) == 0);
    CHECK_EQ_INT(dt_capture_bytes_read(c), ends[1]);
    CHECK_EQ_INT(dt_capture_next(c, &p), 1);
    CHECK_EQ_INT(p.caplen, 40);
    CHECK_EQ_INT(p.ts_ns, 1700000001ull * 1000000000ull + 999999ull * scale);
    CHECK_EQ_INT(dt_capture_next(c, &p), 1);
    CHECK_EQ_INT(p.caplen, 0);
    CHECK_EQ_INT(p.wirelen, 1500);
    CHECK_EQ_INT(p.ts_ns, 1700000002ull * 1000000000ull);
    CHECK_EQ_INT(dt_capture_next(c, &p), 0);
    CHECK_EQ_INT(dt_capture_next(c, &p), 0);
    CHECK_EQ_INT(dt_capture_packets(c), 3);
    CHECK_EQ_INT(dt_capture_bytes_read(c), o.n);
    CHECK_EQ_INT(dt_capture_unknown_blocks(c), 0);
    CHECK_EQ_INT(dt_capture_compressed(c), 0);
    CHECK_EQ_STR(dt_capture_error(c), "");
    dt_capture_close(c);
}

static void test_pcap(void)
{
    test_pcap_variant("us_le.pcap", 0, 0xa1b2c3d4, 1, 1, "pcap", 1000);
    test_pcap_variant("us_be.pcap", 1, 0xa1b2c3d4, 101, 101, "pcap", 1000);
    test_pcap_variant("ns_le.pcap", 0, 0xa1b23c4d, 228, 228, "pcap-ns", 1);
    test_pcap_variant("ns_be.pcap", 1, 0xa1b23c4d, 113, 113, "pcap-ns", 1);
    /* FCS-length bits in the link type field are stripped */
    test_pcap_variant("fcs.pcap", 0, 0xa1b2c3d4, 0x34000001u, 1, "pcap", 1000);
}

/* Cutting a pcap anywhere: whole packets before the cut are returned, then 0 at a record
 * boundary or -1 inside a record. */
static void test_pcap_truncated(void)
{
    buf o;
    size_t ends[4];
    char path[512], err[256];
    make_pcap(&o, 0, 0xa1b2c3d4, 1, ends);
    int bad = 0;
    for (size_t cut = 24; cut < o.n; cut++) {
        write_file("cut.pcap", o.b, cut, path, sizeof path);
        dt_capture *c = dt_capture_open(path, err, sizeof err);
        if (!c) {
            bad++;
            continue;
        }
        int whole = 0, boundary = 0;
        for (int i = 0; i < 4; i++) {
            if (ends[i] <= cut)
                whole = i;
            if (ends[i] == cut)
                boundary = 1;
        }
        dt_cap_packet p;
        int n = 0, r;
        while ((r = dt_capture_next(c, &p)) == 1)
            n++;
        if (n != whole || r != (boundary ? 0 : -1))
            bad++;
        if (r < 0 && strncmp(dt_capture_error(c), "packet ", 7) != 0)
            bad++;
        dt_capture_close(c);
    }
    CHECK_EQ_INT(bad, 0);

    /* one exact message: cut 7 bytes into the second record header */
    write_file("cut.pcap", o.b, ends[1] + 7, path, sizeof path);
    dt_capture *c = dt_capture_open(path, err, sizeof err);
    CHECK(c != NULL);
    if (c) {
        dt_cap_packet p;
        CHECK_EQ_INT(dt_capture_next(c, &p), 1);
        CHECK_EQ_INT(dt_capture_next(c, &p), -1);
        CHECK_EQ_INT(dt_capture_next(c, &p), -1);
        CHECK_EQ_STR(dt_capture_error(c), "packet 2: truncated dump file; tried to read "
                                          "16 header bytes, only got 7 (at byte 60)");
        CHECK_EQ_INT(dt_capture_error_offset(c), 60);
        dt_capture_close(c);
    }

    /* a file header only: no packets, clean end */
    write_file("hdr.pcap", o.b, 24, path, sizeof path);
    c = dt_capture_open(path, err, sizeof err);
    CHECK(c != NULL);
    if (c) {
        dt_cap_packet p;
        CHECK_EQ_INT(dt_capture_next(c, &p), 0);
        dt_capture_close(c);
    }
    /* a cut file header */
    write_file("hdr.pcap", o.b, 10, path, sizeof path);
    c = dt_capture_open(path, err, sizeof err);
    CHECK(c == NULL);
    CHECK(strstr(err, "truncated pcap file header (10 of 24 bytes)") != NULL);
}

static void test_pcap_absurd(void)
{
    buf o;
    char path[512], err[256];
    memset(&o, 0, sizeof o);
    pcap_hdr(&o, 0xa1b2c3d4, 1);
    pcap_rec(&o, 1, 2, 4, 4);
    put32(&o, 1);
    put32(&o, 2);
    put32(&o, 0x7fffffff); /* caplen */
    put32(&o, 0x7fffffff);
    write_file("absurd.pcap", o.b, o.n, path, sizeof path);
    dt_capture *c = dt_capture_open(path, err, sizeof err);
    CHECK(c != NULL);
    if (!c)
        return;
    dt_cap_packet p;
    CHECK_EQ_INT(dt_capture_next(c, &p), 1);
    CHECK_EQ_INT(dt_capture_next(c, &p), -1);
    CHECK(strncmp(dt_capture_error(c), "packet 2: ", 10) == 0);
    CHECK(strstr(dt_capture_error(c), " (at byte 44)") != NULL);
    CHECK_EQ_INT(dt_capture_error_offset(c), 44);
    CHECK(strstr(dt_capture_error(c), "2147483647") != NULL);
    dt_capture_close(c);
}

/* Classic pcap read as libpcap 1.10 reads it (the reader replaced it): the
 * header fields, lengths of files before 2.3, the snapshot length, the limits
 * and their messages.  Expected values are what libpcap answered. */
typedef struct pcap_case {
    const char *name;
    int be;
    uint32_t magic;
    uint16_t major, minor;
    uint32_t snaplen, caplen, wirelen;
    int modified;
    int rc;              /* of the first dt_capture_next, or -2: open fails */
    uint32_t got_caplen; /* of the packet */
    uint32_t got_wirelen;
    const char *message; /* open error or read error */
} pcap_case;

static void test_pcap_libpcap_rules(void)
{
    static const pcap_case cases[] = {
        {"2.4 be", 1, 0xa1b2c3d4, 2, 4, 65535, 40, 60, 0, 1, 40, 60, NULL},
        {"2.1: lengths swapped", 0, 0xa1b2c3d4, 2, 1, 65535, 60, 40, 0, 1, 40, 60, NULL},
        {"2.3, caplen > len: swapped", 0, 0xa1b2c3d4, 2, 3, 65535, 60, 40, 0, 1, 40, 60, NULL},
        {"2.3, caplen <= len: as is", 1, 0xa1b2c3d4, 2, 3, 65535, 40, 60, 0, 1, 40, 60, NULL},
        {"543.0 (DG/UX)", 0, 0xa1b2c3d4, 543, 0, 65535, 60, 40, 0, 1, 40, 60, NULL},
        {"caplen above the snaplen: cut to it", 0, 0xa1b2c3d4, 2, 4, 30, 40, 40, 0, 1, 30, 40,
         NULL},
        {"modified pcap, Ethernet: snaplen + 14", 0, 0xa1b2cd34, 2, 4, 30, 40, 40, 1, 1, 40, 40,
         NULL},
        {"snaplen 0: the maximum", 0, 0xa1b2c3d4, 2, 4, 0, 40, 40, 0, 1, 40, 40, NULL},
        {"caplen above 262144", 0, 0xa1b2c3d4, 2, 4, 65535, 300000, 300000, 0, -1, 0, 0,
         "packet 1: invalid packet capture length 300000, bigger than snaplen of 65535 (at byte "
         "24)"},
        {"caplen above 262144, snaplen larger", 0, 0xa1b2c3d4, 2, 4, 1000000, 300000, 300000, 0, -1,
         0, 0,
         "packet 1: invalid packet capture length 300000, bigger than maximum of 262144 (at byte "
         "24)"},
        {"version 1.0", 0, 0xa1b2c3d4, 1, 0, 65535, 40, 40, 0, -2, 0, 0,
         "archaic pcap savefile format"},
        {"version 2.5", 1, 0xa1b2c3d4, 2, 5, 65535, 40, 40, 0, -2, 0, 0,
         "unsupported pcap savefile version 2.5"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const pcap_case *k = &cases[i];
        buf o;
        char path[512], err[256] = "";
        memset(&o, 0, sizeof o);
        o.be = k->be;
        put32(&o, k->magic);
        put16(&o, k->major);
        put16(&o, k->minor);
        put32(&o, 0);
        put32(&o, 0);
        put32(&o, k->snaplen);
        put32(&o, 1); /* Ethernet */
        put32(&o, 1700000000);
        put32(&o, 5);
        put32(&o, k->caplen);
        put32(&o, k->wirelen);
        if (k->modified)
            for (int z = 0; z < 8; z++)
                put8(&o, 0);
        if (k->caplen <= sizeof payload)
            putn(&o, payload, k->caplen);
        write_file("rules.pcap", o.b, o.n, path, sizeof path);
        dt_capture *c = dt_capture_open(path, err, sizeof err);
        if (k->rc == -2) {
            CHECK(c == NULL);
            CHECK_EQ_STR(err, k->message);
            dt_capture_close(c);
            continue;
        }
        CHECK(c != NULL);
        if (!c)
            continue;
        dt_cap_packet p;
        int rc = dt_capture_next(c, &p);
        if (rc != k->rc)
            fprintf(stderr, "case %s\n", k->name);
        CHECK_EQ_INT(rc, k->rc);
        if (rc == 1) {
            CHECK_EQ_INT(p.caplen, k->got_caplen);
            CHECK_EQ_INT(p.wirelen, k->got_wirelen);
            CHECK_EQ_INT(p.ts_ns, 1700000000ull * 1000000000ull + 5000);
            CHECK(memcmp(p.data, payload, p.caplen) == 0);
        } else {
            CHECK_EQ_STR(dt_capture_error(c), k->message);
        }
        dt_capture_close(c);
    }
}

static void test_gzip_and_stdin(void)
{
    buf o;
    size_t ends[4];
    char path[512], err[256];
    make_pcap(&o, 0, 0xa1b23c4d, 1, ends);
    snprintf(path, sizeof path, "%s/gz.pcap.gz", tmpdir);
    gzFile gz = gzopen(path, "wb");
    CHECK(gz != NULL);
    if (!gz)
        return;
    gzwrite(gz, o.b, (unsigned)o.n);
    gzclose(gz);

    for (int use_stdin = 0; use_stdin < 2; use_stdin++) {
        int saved = -1;
        if (use_stdin) {
            saved = dup(0);
            int fd = open(path, O_RDONLY);
            CHECK(saved >= 0 && fd >= 0);
            if (saved < 0 || fd < 0)
                return;
            dup2(fd, 0);
            close(fd);
        }
        dt_capture *c = dt_capture_open(use_stdin ? "-" : path, err, sizeof err);
        CHECK(c != NULL);
        if (c) {
            CHECK_EQ_INT(dt_capture_compressed(c), 1);
            CHECK_EQ_STR(dt_capture_format(c), "pcap-ns");
            dt_cap_packet p;
            int n = 0;
            uint64_t len = 0;
            while (dt_capture_next(c, &p) == 1) {
                n++;
                len += p.caplen;
            }
            CHECK_EQ_INT(n, 3);
            CHECK_EQ_INT(len, 60);
            CHECK_EQ_INT(dt_capture_bytes_read(c), o.n); /* decompressed bytes */
            dt_capture_close(c);
        }
        if (use_stdin) {
            dup2(saved, 0);
            close(saved);
        }
    }

    /* a corrupt gzip stream */
    uint8_t junk[64];
    memset(junk, 0x55, sizeof junk);
    junk[0] = 0x1f;
    junk[1] = 0x8b;
    junk[2] = 8;
    write_file("bad.gz", junk, sizeof junk, path, sizeof path);
    dt_capture *c = dt_capture_open(path, err, sizeof err);
    CHECK(c == NULL);
    CHECK(strncmp(err, "cannot read: ", 13) == 0 && !strstr(err, "<fd:")); /* zlib's name */
}

/* ---- pcapng ---- */

static void ng_shb(buf *o)
{
    put32(o, 0x0A0D0D0A);
    put32(o, 28);
    put32(o, 0x1A2B3C4D);
    put16(o, 1);
    put16(o, 0);
    put32(o, 0xffffffff);
    put32(o, 0xffffffff);
    put32(o, 28);
}

/* tsresol < 0: no option; tsoffset != 0: if_tsoffset option. */
static void ng_idb(buf *o, uint16_t lt, uint32_t snaplen, int tsresol, int64_t tsoffset)
{
    size_t start = o->n;
    put32(o, 1);
    put32(o, 0); /* patched */
    put16(o, lt);
    put16(o, 0);
    put32(o, snaplen);
    put16(o, 2); /* if_name */
    put16(o, 3);
    putn(o, "eth", 3);
    pad4(o);
    if (tsresol >= 0) {
        put16(o, 9);
        put16(o, 1);
        put8(o, (uint8_t)tsresol);
        pad4(o);
    }
    if (tsoffset) {
        put16(o, 14);
        put16(o, 8);
        uint64_t u = (uint64_t)tsoffset;
        if (o->be) {
            put32(o, (uint32_t)(u >> 32));
            put32(o, (uint32_t)u);
        } else {
            put32(o, (uint32_t)u);
            put32(o, (uint32_t)(u >> 32));
        }
    }
    put16(o, 0);
    put16(o, 0);
    uint32_t total = (uint32_t)(o->n - start + 4);
    put32(o, total);
    buf t = {.be = o->be};
    put32(&t, total);
    memcpy(o->b + start + 4, t.b, 4);
}

static void ng_epb(buf *o, uint32_t ifid, uint64_t ts, uint32_t caplen, uint32_t wirelen)
{
    uint32_t total = 32 + ((caplen + 3) & ~3u);
    put32(o, 6);
    put32(o, total);
    put32(o, ifid);
    put32(o, (uint32_t)(ts >> 32));
    put32(o, (uint32_t)ts);
    put32(o, caplen);
    put32(o, wirelen);
    putn(o, payload, caplen);
    padlen(o, caplen);
    put32(o, total);
}

static void ng_pb(buf *o, uint16_t ifid, uint64_t ts, uint32_t caplen, uint32_t wirelen)
{
    uint32_t total = 32 + ((caplen + 3) & ~3u);
    put32(o, 2);
    put32(o, total);
    put16(o, ifid);
    put16(o, 0);
    put32(o, (uint32_t)(ts >> 32));
    put32(o, (uint32_t)ts);
    put32(o, caplen);
    put32(o, wirelen);
    putn(o, payload, caplen);
    padlen(o, caplen);
    put32(o, total);
}

static void ng_spb(buf *o, uint32_t origlen, uint32_t datalen)
{
    uint32_t total = 16 + ((datalen + 3) & ~3u);
    put32(o, 3);
    put32(o, total);
    put32(o, origlen);
    putn(o, payload, datalen);
    padlen(o, datalen);
    put32(o, total);
}

static void ng_other(buf *o, uint32_t type, uint32_t bodylen)
{
    put32(o, type);
    put32(o, 12 + bodylen);
    for (uint32_t i = 0; i < bodylen; i++)
        put8(o, 0xee);
    put32(o, 12 + bodylen);
}

/* Two interfaces (Ethernet us, RAW ns + 100 s offset), unknown and known-unused blocks,
 * EPB/PB packets. ends[] receives the end of every block, *nends their number. */
static void make_ng(buf *o, int be, size_t *ends, int *nends, int *pkt_after)
{
    memset(o, 0, sizeof *o);
    o->be = be;
    int k = 0;
    ng_shb(o);
    pkt_after[k] = 0, ends[k++] = o->n;
    ng_idb(o, 1, 65535, -1, 0);
    pkt_after[k] = 0, ends[k++] = o->n;
    ng_idb(o, 101, 0, 9, 100);
    pkt_after[k] = 0, ends[k++] = o->n;
    ng_other(o, 0x12345678, 8); /* unknown */
    pkt_after[k] = 0, ends[k++] = o->n;
    ng_epb(o, 0, 1700000000123456ull, 14, 60);
    pkt_after[k] = 1, ends[k++] = o->n;
    ng_epb(o, 1, 1700000000123456789ull, 28, 28);
    pkt_after[k] = 2, ends[k++] = o->n;
    ng_other(o, 5, 16); /* interface statistics: known, not counted */
    pkt_after[k] = 2, ends[k++] = o->n;
    ng_pb(o, 0, 1700000005000001ull, 3, 3);
    pkt_after[k] = 3, ends[k++] = o->n;
    *nends = k;
}

static void test_ng_basic(int be)
{
    buf o;
    size_t ends[16];
    int nends, after[16];
    char path[512], err[256];
    make_ng(&o, be, ends, &nends, after);
    write_file(be ? "be.pcapng" : "le.pcapng", o.b, o.n, path, sizeof path);
    dt_capture *c = dt_capture_open(path, err, sizeof err);
    CHECK(c != NULL);
    if (!c) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    CHECK_EQ_STR(dt_capture_format(c), "pcapng");
    dt_cap_packet p;
    CHECK_EQ_INT(dt_capture_next(c, &p), 1);
    CHECK_EQ_INT(p.linktype, 1);
    CHECK_EQ_INT(p.caplen, 14);
    CHECK_EQ_INT(p.wirelen, 60);
    CHECK_EQ_INT(p.ts_ns, 1700000000123456000ull);
    CHECK_EQ_INT(p.ts_digits, 6);
    CHECK(p.data && memcmp(p.data, payload, 14) == 0);
    CHECK_EQ_INT(dt_capture_unknown_blocks(c), 1);
    CHECK_EQ_INT(dt_capture_bytes_read(c), ends[4]);

    CHECK_EQ_INT(dt_capture_next(c, &p), 1);
    CHECK_EQ_INT(p.linktype, 101);
    CHECK_EQ_INT(p.caplen, 28);
    CHECK_EQ_INT(p.wirelen, 28);
    CHECK_EQ_INT(p.ts_ns, 1700000100123456789ull); /* + if_tsoffset 100 s */
    CHECK_EQ_INT(p.ts_digits, 9);
    CHECK(p.data && memcmp(p.data, payload, 28) == 0);

    CHECK_EQ_INT(dt_capture_next(c, &p), 1); /* obsolete packet block */
    CHECK_EQ_INT(p.linktype, 1);
    CHECK_EQ_INT(p.caplen, 3);
    CHECK_EQ_INT(p.ts_ns, 1700000005000001000ull);

    CHECK_EQ_INT(dt_capture_next(c, &p), 0);
    CHECK_EQ_INT(dt_capture_next(c, &p), 0);
    CHECK_EQ_INT(dt_capture_packets(c), 3);
    CHECK_EQ_INT(dt_capture_unknown_blocks(c), 1);
    CHECK_EQ_INT(dt_capture_bytes_read(c), o.n);
    dt_capture_close(c);
}

static void test_ng_truncated(void)
{
    buf o;
    size_t ends[16];
    int nends, after[16];
    char path[512], err[256];
    make_ng(&o, 0, ends, &nends, after);
    int bad = 0;
    for (size_t cut = 0; cut < o.n; cut++) {
        write_file("cut.pcapng", o.b, cut, path, sizeof path);
        dt_capture *c = dt_capture_open(path, err, sizeof err);
        if (cut < 4) {
            if (c || !strstr(err, cut ? "too short" : "empty"))
                bad++;
            dt_capture_close(c);
            continue;
        }
        if (!c) {
            bad++;
            continue;
        }
        int whole = 0, boundary = 0;
        for (int i = 0; i < nends; i++) {
            if (ends[i] <= cut)
                whole = after[i];
            if (ends[i] == cut)
                boundary = 1;
        }
        dt_cap_packet p;
        int n = 0, r;
        while ((r = dt_capture_next(c, &p)) == 1)
            n++;
        if (n != whole || r != (boundary ? 0 : -1)) {
            fprintf(stderr, "cut %zu: %d packets, r=%d (%s)\n", cut, n, r, dt_capture_error(c));
            bad++;
        }
        if (r < 0 && !strstr(dt_capture_error(c), "truncated block (need "))
            bad++;
        dt_capture_close(c);
    }
    CHECK_EQ_INT(bad, 0);

    /* exact message: cut 10 bytes into the third packet's block */
    write_file("cut.pcapng", o.b, ends[6] + 10, path, sizeof path);
    dt_capture *c = dt_capture_open(path, err, sizeof err);
    CHECK(c != NULL);
    if (c) {
        dt_cap_packet p;
        CHECK_EQ_INT(dt_capture_next(c, &p), 1);
        CHECK_EQ_INT(dt_capture_next(c, &p), 1);
        CHECK_EQ_INT(dt_capture_next(c, &p), -1);
        char want[128];
        snprintf(want, sizeof want,
                 "packet 3: truncated block (need 36 bytes, have 10) (at byte %zu)", ends[6]);
        CHECK_EQ_STR(dt_capture_error(c), want);
        dt_capture_close(c);
    }
}

/* Writes o into a file, reads it all; returns the result of the last next(), packets in *n. */
static int read_all(const char *name, const buf *o, int *n, char *errout, size_t errlen)
{
    char path[512], err[256];
    write_file(name, o->b, o->n, path, sizeof path);
    dt_capture *c = dt_capture_open(path, err, sizeof err);
    *n = 0;
    if (!c) {
        snprintf(errout, errlen, "%s", err);
        return -2;
    }
    dt_cap_packet p;
    int r;
    while ((r = dt_capture_next(c, &p)) == 1)
        (*n)++;
    snprintf(errout, errlen, "%s", dt_capture_error(c));
    dt_capture_close(c);
    return r;
}

static void test_ng_corrupt(void)
{
    buf o;
    int n;
    char err[320];

    /* absurd block length */
    memset(&o, 0, sizeof o);
    ng_shb(&o);
    ng_idb(&o, 1, 0, -1, 0);
    ng_epb(&o, 0, 1, 4, 4);
    size_t at = o.n;
    put32(&o, 6);
    put32(&o, 0x7ffffff0);
    put32(&o, 0);
    CHECK_EQ_INT(read_all("absurd.pcapng", &o, &n, err, sizeof err), -1);
    CHECK_EQ_INT(n, 1);
    char want[160];
    snprintf(want, sizeof want, "packet 2: absurd block length 2147483632 (at byte %zu)", at);
    CHECK_EQ_STR(err, want);

    /* block length below the minimum */
    o.n = at;
    put32(&o, 6);
    put32(&o, 8);
    put32(&o, 8);
    CHECK_EQ_INT(read_all("small.pcapng", &o, &n, err, sizeof err), -1);
    CHECK_EQ_INT(n, 1);
    CHECK(strstr(err, "block length 8 too small") != NULL);

    /* trailer disagrees with header */
    o.n = at;
    ng_epb(&o, 0, 1, 4, 4);
    o.b[o.n - 4] ^= 0x40;
    CHECK_EQ_INT(read_all("trailer.pcapng", &o, &n, err, sizeof err), -1);
    CHECK_EQ_INT(n, 1);
    CHECK(strstr(err, "block length mismatch (header 36, trailer 100)") != NULL);

    /* captured length larger than the block */
    o.n = at;
    ng_epb(&o, 0, 1, 4, 4);
    o.b[at + 20] = 200; /* caplen, little-endian low byte */
    CHECK_EQ_INT(read_all("caplen.pcapng", &o, &n, err, sizeof err), -1);
    CHECK_EQ_INT(n, 1);
    CHECK(strstr(err, "captured length 200 does not fit in the block (4 bytes of room)") != NULL);

    /* unknown interface */
    o.n = at;
    ng_epb(&o, 3, 1, 4, 4);
    CHECK_EQ_INT(read_all("ifid.pcapng", &o, &n, err, sizeof err), -1);
    CHECK_EQ_INT(n, 1);
    CHECK(strstr(err, "interface 3 but the section has 1") != NULL);

    /* length not a multiple of 4 but consistent: accepted */
    o.n = at;
    put32(&o, 0x77);
    put32(&o, 13);
    put8(&o, 1);
    put32(&o, 13);
    ng_epb(&o, 0, 1, 4, 4);
    CHECK_EQ_INT(read_all("odd.pcapng", &o, &n, err, sizeof err), 0);
    CHECK_EQ_INT(n, 2);

    /* bad byte-order magic in a later section */
    o.n = at;
    ng_shb(&o);
    o.b[at + 8] = 0x99;
    CHECK_EQ_INT(read_all("bom.pcapng", &o, &n, err, sizeof err), -1);
    CHECK(strstr(err, "bad byte-order magic 0x1a2b3c99") != NULL);

    /* a packet block before any interface */
    memset(&o, 0, sizeof o);
    ng_shb(&o);
    ng_spb(&o, 4, 4);
    CHECK_EQ_INT(read_all("noif.pcapng", &o, &n, err, sizeof err), -1);
    CHECK_EQ_STR(err, "packet 1: packet refers to interface 0 but the section has 0 (at byte 28)");
}

/* Second section in the other byte order forgets the first section's interfaces; SPB;
 * power-of-two resolution. */
static void test_ng_sections(void)
{
    buf o;
    char path[512], err[256];
    memset(&o, 0, sizeof o);
    ng_shb(&o);
    ng_idb(&o, 1, 0, -1, 0);
    ng_idb(&o, 113, 0, 0x8a, -10); /* 2^-10 s units, offset -10 s */
    ng_epb(&o, 1, 1024ull * 15 + 512, 8, 8);
    o.be = 1;
    ng_shb(&o);
    ng_idb(&o, 229, 6, 3, 0); /* snaplen 6, milliseconds */
    ng_spb(&o, 10, 10);       /* clipped to snaplen */
    ng_spb(&o, 3, 3);
    ng_epb(&o, 0, 1234567, 5, 5);
    ng_epb(&o, 1, 1, 4, 4); /* interface 1 belonged to the first section */
    write_file("sections.pcapng", o.b, o.n, path, sizeof path);
    dt_capture *c = dt_capture_open(path, err, sizeof err);
    CHECK(c != NULL);
    if (!c)
        return;
    dt_cap_packet p;
    CHECK_EQ_INT(dt_capture_next(c, &p), 1);
    CHECK_EQ_INT(p.linktype, 113);
    CHECK_EQ_INT(p.ts_ns, 5500000000ull); /* 15.5 s - 10 s */
    CHECK_EQ_INT(p.ts_digits, 4);
    CHECK_EQ_INT(dt_capture_next(c, &p), 1);
    CHECK_EQ_INT(p.linktype, 229);
    CHECK_EQ_INT(p.caplen, 6);
    CHECK_EQ_INT(p.wirelen, 10);
    CHECK(p.data && memcmp(p.data, payload, 6) == 0);
    CHECK_EQ_INT(dt_capture_next(c, &p), 1);
    CHECK_EQ_INT(p.caplen, 3);
    CHECK_EQ_INT(p.wirelen, 3);
    CHECK_EQ_INT(dt_capture_next(c, &p), 1);
    CHECK_EQ_INT(p.ts_ns, 1234567000000ull);
    CHECK_EQ_INT(p.ts_digits, 3);
    CHECK_EQ_INT(dt_capture_next(c, &p), -1);
    CHECK(strncmp(dt_capture_error(c), "packet 5: ", 10) == 0);
    CHECK(strstr(dt_capture_error(c), "interface 1 but the section has 1") != NULL);
    dt_capture_close(c);
}

static void test_open_errors(void)
{
    char path[512], err[256];
    const uint8_t junk[8] = {0x12, 0x34, 0x56, 0x78, 0, 0, 0, 0};
    write_file("junk.bin", junk, sizeof junk, path, sizeof path);
    CHECK(dt_capture_open(path, err, sizeof err) == NULL);
    CHECK(strstr(err, "not a pcap or pcapng file (magic 0x12345678)") != NULL);

    write_file("empty.pcap", junk, 0, path, sizeof path);
    CHECK(dt_capture_open(path, err, sizeof err) == NULL);
    CHECK(strcmp(err, "empty file") == 0);

    snprintf(path, sizeof path, "%s/does-not-exist.pcap", tmpdir);
    CHECK(dt_capture_open(path, err, sizeof err) == NULL);
    CHECK(strcmp(err, "cannot open: No such file or directory") == 0);

    CHECK(dt_capture_open(tmpdir, err, sizeof err) == NULL);
    CHECK(strstr(err, "is a directory") != NULL);
}

static void test_linktype_names(void)
{
    char b[32];
    CHECK_EQ_STR(dt_linktype_name(1, b, sizeof b), "EN10MB");
    CHECK_EQ_STR(dt_linktype_name(101, b, sizeof b), "RAW");
    CHECK_EQ_STR(dt_linktype_name(113, b, sizeof b), "LINUX_SLL");
    CHECK_EQ_STR(dt_linktype_name(228, b, sizeof b), "IPV4");
    CHECK_EQ_STR(dt_linktype_name(229, b, sizeof b), "IPV6");
    CHECK_EQ_STR(dt_linktype_name(12, b, sizeof b), "LINKTYPE_12");
    CHECK_EQ_STR(dt_linktype_name(99999, b, sizeof b), "LINKTYPE_99999");
}

int main(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/dt_capture_XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 2;
    }
    test_pcap();
    test_pcap_truncated();
    test_pcap_absurd();
    test_pcap_libpcap_rules();
    test_gzip_and_stdin();
    test_ng_basic(0);
    test_ng_basic(1);
    test_ng_truncated();
    test_ng_corrupt();
    test_ng_sections();
    test_open_errors();
    test_linktype_names();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return check_done();
}
