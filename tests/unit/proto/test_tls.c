/* Unit tests for lib/proto/tls.c: ClientHello/ServerHello/Certificate parsing, JA3/JA3S/JA4;
 * and lib/proto/dtls.c: the DTLS ClientHello, read by the same code. */
#include "check.h"
#include "proto/apps.h"
#include "proto/dtls.h"
#include "proto/tls.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* A tiny byte writer with back-patched length prefixes.                      */

typedef struct wb {
    uint8_t b[70000];
    size_t n;
} wb;

static void put8(wb *w, unsigned v)
{
    w->b[w->n++] = (uint8_t)v;
}
static void put16(wb *w, unsigned v)
{
    put8(w, v >> 8);
    put8(w, v);
}
static void put24(wb *w, unsigned v)
{
    put8(w, v >> 16);
    put16(w, v);
}
static void putmem(wb *w, const void *p, size_t n)
{
    memcpy(w->b + w->n, p, n);
    w->n += n;
}
static size_t mark(wb *w, size_t width)
{
    size_t at = w->n;
    w->n += width;
    return at;
}
static void fill(wb *w, size_t at, size_t width)
{
    size_t v = w->n - at - width;
    for (size_t i = 0; i < width; i++)
        w->b[at + i] = (uint8_t)(v >> (8 * (width - 1 - i)));
}

static void ext_begin(wb *w, unsigned type, size_t *at)
{
    put16(w, type);
    *at = mark(w, 2);
}

static void ext_sni(wb *w, const char *name)
{
    size_t e, l;
    ext_begin(w, 0x0000, &e);
    l = mark(w, 2);
    put8(w, 0);
    put16(w, (unsigned)strlen(name));
    putmem(w, name, strlen(name));
    fill(w, l, 2);
    fill(w, e, 2);
}

static void ext_alpn(wb *w, const char *const *protos, int n)
{
    size_t e, l;
    ext_begin(w, 0x0010, &e);
    l = mark(w, 2);
    for (int i = 0; i < n; i++) {
        put8(w, (unsigned)strlen(protos[i]));
        putmem(w, protos[i], strlen(protos[i]));
    }
    fill(w, l, 2);
    fill(w, e, 2);
}

/* Extension whose body is a 16-bit-length-prefixed list of u16 (groups, sigalgs). */
static void ext_u16list(wb *w, unsigned type, const uint16_t *v, int n)
{
    size_t e, l;
    ext_begin(w, type, &e);
    l = mark(w, 2);
    for (int i = 0; i < n; i++)
        put16(w, v[i]);
    fill(w, l, 2);
    fill(w, e, 2);
}

static void ext_versions(wb *w, const uint16_t *v, int n)
{
    size_t e, l;
    ext_begin(w, 0x002b, &e);
    l = mark(w, 1);
    for (int i = 0; i < n; i++)
        put16(w, v[i]);
    fill(w, l, 1);
    fill(w, e, 2);
}

static void ext_pf(wb *w)
{
    size_t e;
    ext_begin(w, 0x000b, &e);
    put8(w, 1);
    put8(w, 0); /* uncompressed */
    fill(w, e, 2);
}

/* An extension with an opaque body of n zero bytes. */
static void ext_raw(wb *w, unsigned type, size_t n)
{
    size_t e;
    ext_begin(w, type, &e);
    for (size_t i = 0; i < n; i++)
        put8(w, 0);
    fill(w, e, 2);
}

/* Starts a ClientHello handshake message; returns the positions to patch. */
static void hello_begin(wb *w, unsigned version, const uint16_t *ciphers, int nc, size_t *hs,
                        size_t *exts)
{
    put8(w, 1);
    *hs = mark(w, 3);
    put16(w, version);
    for (int i = 0; i < 32; i++)
        put8(w, i);
    put8(w, 32); /* session id */
    for (int i = 0; i < 32; i++)
        put8(w, 0xee);
    put16(w, (unsigned)(2 * nc));
    for (int i = 0; i < nc; i++)
        put16(w, ciphers[i]);
    put8(w, 1);
    put8(w, 0); /* null compression */
    *exts = mark(w, 2);
}

static void hello_end(wb *w, size_t hs, size_t exts)
{
    fill(w, exts, 2);
    fill(w, hs, 3);
}

/* Wraps a handshake byte string into TLS records of at most `frag` bytes. */
static void recordize(const uint8_t *hs, size_t n, size_t frag, unsigned rtype, wb *out)
{
    size_t off = 0;
    while (off < n) {
        size_t k = n - off < frag ? n - off : frag;
        put8(out, rtype);
        put16(out, 0x0301);
        put16(out, (unsigned)k);
        putmem(out, hs + off, k);
        off += k;
    }
}

/* Runs the client stream parser on an exactly-sized heap copy (so ASan
 * catches any read past the end). */
static dt_parse_status client_exact(const uint8_t *p, size_t n, dt_tls_client *out)
{
    uint8_t *copy = malloc(n ? n : 1);
    if (n)
        memcpy(copy, p, n);
    dt_parse_status st = dt_tls_parse_client_stream(copy, n, out);
    free(copy);
    return st;
}

static dt_parse_status server_exact(const uint8_t *p, size_t n, dt_tls_server *out)
{
    uint8_t *copy = malloc(n ? n : 1);
    if (n)
        memcpy(copy, p, n);
    dt_parse_status st = dt_tls_parse_server_stream(copy, n, out);
    free(copy);
    return st;
}

/* ------------------------------------------------------------------------ */
/* The ClientHello from the JA4 specification's example (FoxIO JA4.md):
 * ciphers 1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,009c,009d,002f,0035,
 * extensions 001b,0000,0033,0010,4469,0017,002d,000d,0005,0023,0012,002b,ff01,000b,000a,0015,
 * signature algorithms 0403,0804,0401,0503,0805,0501,0806,0601, ALPN h2, TLS 1.3.
 * The spec gives JA4 = t13d1516h2_8daaf6152771_e5627efa2ab1.  GREASE values are
 * sprinkled in (cipher, two extensions, supported_versions, groups) as Chrome does. */
static const uint16_t spec_ciphers[] = {0x3a3a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f,
                                        0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014,
                                        0x009c, 0x009d, 0x002f, 0x0035};

static void build_spec_hello(wb *w, const char *sni, int ech)
{
    static const uint16_t sig[] = {0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601};
    static const uint16_t groups[] = {0x8a8a, 0x001d, 0x0017, 0x0018};
    static const uint16_t vers[] = {0x7a7a, 0x0304, 0x0303};
    static const char *const alpn[] = {"h2", "http/1.1"};
    size_t hs, exts;
    hello_begin(w, 0x0303, spec_ciphers, 16, &hs, &exts);
    ext_raw(w, 0x0a0a, 0); /* GREASE */
    ext_raw(w, 0x001b, 3);
    ext_sni(w, sni);
    ext_raw(w, 0x0033, 38);
    ext_alpn(w, alpn, 2);
    ext_raw(w, 0x4469, 5);
    ext_raw(w, 0x0017, 0);
    ext_raw(w, 0x002d, 2);
    ext_u16list(w, 0x000d, sig, 8);
    ext_raw(w, 0x0005, 5);
    ext_raw(w, 0x0023, 0);
    ext_raw(w, 0x0012, 0);
    ext_versions(w, vers, 3);
    ext_raw(w, 0xff01, 1);
    ext_pf(w);
    ext_u16list(w, 0x000a, groups, 4);
    ext_raw(w, 0x0015, 200); /* padding */
    if (ech)
        ext_raw(w, 0xfe0d, 90);
    ext_raw(w, 0xdada, 1); /* GREASE */
    hello_end(w, hs, exts);
}

static void test_spec_hello(void)
{
    static wb hs, rec;
    hs.n = rec.n = 0;
    build_spec_hello(&hs, "www.example.com", 0);
    recordize(hs.b, hs.n, 16384, 0x16, &rec);

    dt_tls_client c;
    CHECK_EQ_INT(client_exact(rec.b, rec.n, &c), DT_PARSE_DONE);
    CHECK_EQ_INT(c.present, 1);
    CHECK_EQ_STR(c.sni, "www.example.com");
    CHECK_EQ_INT(c.n_alpn, 2);
    CHECK_EQ_STR(c.alpn[0], "h2");
    CHECK_EQ_STR(c.alpn[1], "http/1.1");
    CHECK_EQ_INT(c.legacy_version, 0x0303);
    CHECK_EQ_INT(c.n_versions, 2); /* GREASE 0x7a7a dropped */
    CHECK_EQ_INT(c.versions[0], 0x0304);
    CHECK_EQ_INT(c.versions[1], 0x0303);
    CHECK_EQ_INT(c.n_ciphers, 15); /* GREASE 0x3a3a dropped */
    CHECK_EQ_INT(c.ciphers[0], 0x1301);
    CHECK_EQ_INT(c.ciphers[14], 0x0035);
    CHECK_EQ_INT(c.n_extensions, 16); /* GREASE 0x0a0a and 0xdada dropped */
    CHECK_EQ_INT(c.extensions[0], 0x001b);
    CHECK_EQ_INT(c.extensions[1], 0x0000);
    CHECK_EQ_INT(c.extensions[15], 0x0015);
    CHECK_EQ_INT(c.ech, 0);
    /* JA4 from the specification's example. */
    CHECK_EQ_STR(c.ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");
    /* JA3 string (GREASE removed, decimal):
     * 771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,
     * 27-0-51-16-17513-23-45-13-5-35-18-43-65281-11-10-21,29-23-24,0
     * whose MD5 (computed with md5sum) is: */
    CHECK_EQ_STR(c.ja3, "c000e2caf3a25423f9de6c8a4b12a975");

    /* Same message through the QUIC entry point: only the JA4 prefix changes. */
    dt_tls_client q;
    CHECK_EQ_INT(dt_tls_parse_client_hello(hs.b, hs.n, 1, &q), 0);
    CHECK_EQ_STR(q.ja4, "q13d1516h2_8daaf6152771_e5627efa2ab1");
    CHECK_EQ_STR(q.ja3, "c000e2caf3a25423f9de6c8a4b12a975");
    CHECK_EQ_STR(q.sni, "www.example.com");
    /* One byte short of the message: malformed for the message-level API. */
    CHECK_EQ_INT(dt_tls_parse_client_hello(hs.b, hs.n - 1, 1, &q), -1);
    CHECK_EQ_INT(q.present, 0);
}

static void test_ech(void)
{
    static wb hs, rec;
    hs.n = rec.n = 0;
    build_spec_hello(&hs, "public.example.net", 1);
    recordize(hs.b, hs.n, 16384, 0x16, &rec);
    dt_tls_client c;
    CHECK_EQ_INT(client_exact(rec.b, rec.n, &c), DT_PARSE_DONE);
    CHECK_EQ_INT(c.ech, 1);
    CHECK_EQ_STR(c.sni, "public.example.net");
    CHECK_EQ_INT(c.n_extensions, 17);
    CHECK_EQ_INT(c.extensions[16], 0xfe0d);
    /* ECH counts as an extension and enters the c hash. */
    CHECK(strncmp(c.ja4, "t13d1517h2_8daaf6152771_", 24) == 0);
    CHECK(strcmp(c.ja4 + 24, "e5627efa2ab1") != 0);
}

/* A 2025 Chrome-like hello: ECH, ALPS (0x44cd), ML-DSA signature schemes,
 * X25519MLKEM768 key share (1216 + 32 bytes + GREASE share).  Its JA4_r is
 * t13d1516h2_002f,...,cca9_0005,000a,000b,000d,0012,0017,001b,0023,002b,002d,0033,44cd,
 * fe0d,ff01_0904,0905,0906,0403,0804,0401,0503,0805,0501,0806,0601 and the published
 * JA4 is t13d1516h2_8daaf6152771_806a8c22fdea (sha256 of that c string re-checked
 * with sha256sum).  pad > 0 appends a padding extension of that size. */
static void build_chrome_pq(wb *w, size_t pad)
{
    static const uint16_t sig[] = {0x0904, 0x0905, 0x0906, 0x0403, 0x0804, 0x0401,
                                   0x0503, 0x0805, 0x0501, 0x0806, 0x0601};
    static const uint16_t groups[] = {0x2a2a, 0x11ec, 0x001d, 0x0017, 0x0018};
    static const uint16_t vers[] = {0x4a4a, 0x0304, 0x0303};
    static const char *const alpn[] = {"h2", "http/1.1"};
    size_t hs, exts, e, l;
    hello_begin(w, 0x0303, spec_ciphers, 16, &hs, &exts);
    ext_raw(w, 0x0a0a, 0);
    ext_raw(w, 0x0017, 0);
    ext_alpn(w, alpn, 2);
    ext_raw(w, 0xff01, 1);
    ext_raw(w, 0x0012, 0);
    ext_sni(w, "pq.example.com");
    ext_raw(w, 0x002d, 2);
    ext_u16list(w, 0x000d, sig, 11);
    ext_raw(w, 0x001b, 3);
    ext_pf(w);
    ext_u16list(w, 0x000a, groups, 5);
    ext_versions(w, vers, 3);
    ext_raw(w, 0x0023, 0);
    ext_raw(w, 0x0005, 5);
    ext_begin(w, 0x0033, &e); /* key_share: GREASE, X25519MLKEM768, X25519 */
    l = mark(w, 2);
    put16(w, 0x2a2a);
    put16(w, 1);
    put8(w, 0);
    put16(w, 0x11ec);
    put16(w, 1216);
    for (int i = 0; i < 1216; i++)
        put8(w, (unsigned)(i * 7));
    put16(w, 0x001d);
    put16(w, 32);
    for (int i = 0; i < 32; i++)
        put8(w, (unsigned)i);
    fill(w, l, 2);
    fill(w, e, 2);
    ext_raw(w, 0x44cd, 5);
    ext_raw(w, 0xfe0d, 218);
    if (pad)
        ext_raw(w, 0x0015, pad);
    ext_raw(w, 0x1a1a, 1);
    hello_end(w, hs, exts);
}

static void test_chrome_pq(void)
{
    static wb hs, rec;
    hs.n = rec.n = 0;
    build_chrome_pq(&hs, 0);
    CHECK(hs.n > 1500);
    /* Sent as one record spanning two TCP segments: prefixes say MORE. */
    recordize(hs.b, hs.n, 16384, 0x16, &rec);
    dt_tls_client c;
    CHECK_EQ_INT(client_exact(rec.b, 1400, &c), DT_PARSE_MORE);
    CHECK_EQ_INT(client_exact(rec.b, rec.n - 1, &c), DT_PARSE_MORE);
    CHECK_EQ_INT(client_exact(rec.b, rec.n, &c), DT_PARSE_DONE);
    CHECK_EQ_STR(c.ja4, "t13d1516h2_8daaf6152771_806a8c22fdea");
    CHECK_EQ_STR(c.sni, "pq.example.com");
    CHECK_EQ_INT(c.ech, 1);

    /* A 20 KB hello must be fragmented into records of at most 16384 bytes. */
    hs.n = rec.n = 0;
    build_chrome_pq(&hs, 20000);
    CHECK(hs.n > 16384);
    recordize(hs.b, hs.n, 16384, 0x16, &rec);
    CHECK_EQ_INT(rec.n, hs.n + 10);
    int bad = 0;
    for (size_t n = 0; n < rec.n; n += 97)
        if (client_exact(rec.b, n, &c) != DT_PARSE_MORE)
            bad++;
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_INT(client_exact(rec.b, rec.n - 1, &c), DT_PARSE_MORE);
    CHECK_EQ_INT(client_exact(rec.b, rec.n, &c), DT_PARSE_DONE);
    CHECK_EQ_STR(c.sni, "pq.example.com");
    CHECK(strncmp(c.ja4, "t13d1517h2_8daaf6152771_", 24) == 0); /* + padding extension */
}

/* A ClientHello split across 3 records, and fed as every growing prefix. */
static void test_fragmented(void)
{
    static wb hs, rec;
    hs.n = rec.n = 0;
    build_spec_hello(&hs, "split.example.org", 0);
    size_t frag = hs.n / 3 + 1; /* 3 records */
    recordize(hs.b, hs.n, frag, 0x16, &rec);
    CHECK_EQ_INT(rec.n, hs.n + 15);
    /* Application data that follows must not disturb the result. */
    size_t full = rec.n;
    put8(&rec, 0x17);
    put16(&rec, 0x0303);
    put16(&rec, 3);
    put8(&rec, 1);
    put8(&rec, 2);
    put8(&rec, 3);

    int bad = 0, more = 0;
    dt_tls_client c;
    for (size_t n = 0; n < full; n++) {
        dt_parse_status st = client_exact(rec.b, n, &c);
        if (st != DT_PARSE_MORE)
            bad++;
        else
            more++;
    }
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_INT(more, (long long)full);
    for (size_t n = full; n <= rec.n; n++) {
        if (client_exact(rec.b, n, &c) != DT_PARSE_DONE || strcmp(c.sni, "split.example.org"))
            bad++;
    }
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_STR(c.ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");
    CHECK_EQ_STR(c.ja3, "c000e2caf3a25423f9de6c8a4b12a975");

    /* Tiny 7-byte fragments: ~100 records. */
    rec.n = 0;
    recordize(hs.b, hs.n, 7, 0x16, &rec);
    CHECK_EQ_INT(client_exact(rec.b, rec.n, &c), DT_PARSE_DONE);
    CHECK_EQ_STR(c.sni, "split.example.org");
    CHECK_EQ_INT(client_exact(rec.b, rec.n - 1, &c), DT_PARSE_MORE);

    /* Even the 4-byte handshake header split over 1-byte records. */
    rec.n = 0;
    recordize(hs.b, 4, 1, 0x16, &rec);
    recordize(hs.b + 4, hs.n - 4, 16384, 0x16, &rec);
    CHECK_EQ_INT(client_exact(rec.b, 12, &c), DT_PARSE_MORE);
    CHECK_EQ_INT(client_exact(rec.b, rec.n - 1, &c), DT_PARSE_MORE);
    CHECK_EQ_INT(client_exact(rec.b, rec.n, &c), DT_PARSE_DONE);
    CHECK_EQ_STR(c.ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");

    /* An alert record interrupting the fragmented hello: not a usable stream. */
    rec.n = 0;
    recordize(hs.b, 100, 100, 0x16, &rec);
    put8(&rec, 0x15);
    put16(&rec, 0x0303);
    put16(&rec, 2);
    put16(&rec, 0x0228);
    CHECK_EQ_INT(client_exact(rec.b, rec.n, &c), DT_PARSE_NOT_MINE);

    /* Bytes that are no TLS record at all after the first fragment: give up. */
    rec.n = 0;
    recordize(hs.b, 100, 100, 0x16, &rec);
    putmem(&rec, "HTTP/1.1", 8);
    CHECK_EQ_INT(client_exact(rec.b, rec.n, &c), DT_PARSE_NOT_MINE);
    CHECK_EQ_INT(client_exact(rec.b, 105, &c), DT_PARSE_MORE);
}

/* TLS 1.2 hello without SNI/ALPN/signature_algorithms: hand-derived JA4.
 *  a: t + "12" (no supported_versions -> legacy 0x0303) + 'i' (no SNI) + "02" ciphers
 *     + "02" extensions + "00" (no ALPN)                         = t12i020200
 *  b: sha256("009c,c02f")[0:12]  (sorted)                       = 08dfa304a768
 *  c: sha256("000a,000b")[0:12]  (no sigalgs, so no '_' part)   = 33a13ba74d1c
 *  JA3 string "771,49199-156,10-11,23-24,0" -> md5 692fc3be19d038f04e2bbeb757269e4e */
static void test_tls12_no_sni(void)
{
    static const uint16_t ciphers[] = {0xc02f, 0x009c};
    static const uint16_t groups[] = {0x0017, 0x0018};
    static wb hs, rec;
    hs.n = rec.n = 0;
    size_t h, e;
    hello_begin(&hs, 0x0303, ciphers, 2, &h, &e);
    ext_u16list(&hs, 0x000a, groups, 2);
    ext_pf(&hs);
    hello_end(&hs, h, e);
    recordize(hs.b, hs.n, 16384, 0x16, &rec);
    dt_tls_client c;
    CHECK_EQ_INT(client_exact(rec.b, rec.n, &c), DT_PARSE_DONE);
    CHECK_EQ_STR(c.sni, "");
    CHECK_EQ_INT(c.n_alpn, 0);
    CHECK_EQ_INT(c.n_versions, 0);
    CHECK_EQ_STR(c.ja4, "t12i020200_08dfa304a768_33a13ba74d1c");
    CHECK_EQ_STR(c.ja3, "692fc3be19d038f04e2bbeb757269e4e");
}

/* TLS 1.0 hello with no extensions block at all.
 *  JA4: t10i010000_ + sha256("002f")[0:12] = ba72b8082249 + _000000000000 (empty list)
 *  JA3: "769,47,,," -> b02be259814e870a469a20ce9b2a7900 */
static void test_no_extensions(void)
{
    static const uint16_t ciphers[] = {0x002f};
    static wb hs, rec;
    hs.n = rec.n = 0;
    size_t h, e;
    hello_begin(&hs, 0x0301, ciphers, 1, &h, &e);
    hs.n -= 2; /* drop the extensions length */
    fill(&hs, h, 3);
    recordize(hs.b, hs.n, 16384, 0x16, &rec);
    dt_tls_client c;
    CHECK_EQ_INT(client_exact(rec.b, rec.n, &c), DT_PARSE_DONE);
    CHECK_EQ_INT(c.n_extensions, 0);
    CHECK_EQ_STR(c.ja4, "t10i010000_ba72b8082249_000000000000");
    CHECK_EQ_STR(c.ja3, "b02be259814e870a469a20ce9b2a7900");
}

/* ALPN character rules and SNI sanitising. */
static void test_alpn_and_sni_edge(void)
{
    static const uint16_t ciphers[] = {0x1301};
    const char *single[] = {"h"};
    const char *nonalnum[] = {"\x01xy\xfe"};
    static wb hs;
    dt_tls_client c;
    size_t h, e;

    hs.n = 0;
    hello_begin(&hs, 0x0303, ciphers, 1, &h, &e);
    ext_alpn(&hs, single, 1);
    ext_sni(&hs, "bad\x01name\x7f.example");
    hello_end(&hs, h, e);
    CHECK_EQ_INT(dt_tls_parse_client_hello(hs.b, hs.n, 0, &c), 0);
    CHECK(strncmp(c.ja4, "t12d0102hh_", 11) == 0); /* single char: first == last */
    CHECK_EQ_STR(c.sni, "bad?name?.example");

    hs.n = 0;
    hello_begin(&hs, 0x0303, ciphers, 1, &h, &e);
    ext_alpn(&hs, nonalnum, 1);
    hello_end(&hs, h, e);
    CHECK_EQ_INT(dt_tls_parse_client_hello(hs.b, hs.n, 0, &c), 0);
    /* 0x01 ... 0xfe: not alphanumeric -> first hex digit of the first byte ('0')
     * and last hex digit of the last byte ('e'). */
    CHECK(strncmp(c.ja4, "t12i01010e_", 11) == 0);
    CHECK_EQ_STR(c.alpn[0], "?xy?");
}

/* SSL 2.0-compatible CLIENT-HELLO offering TLS 1.0: specs 000039, 010080 (SSL2-only,
 * dropped), 00002f, 0000ff; no session id; 16-byte challenge.
 *  JA3 "769,57-47-255,,," -> 98216a28a2fe7f6b5bc3f78b698bf862 (md5sum)
 *  JA4 t10i030000_ + sha256("002f,0039,00ff")[0:12] = a8f7fd439671 + _000000000000 */
static void test_sslv2(void)
{
    static const uint8_t specs[] = {0x00, 0x00, 0x39, 0x01, 0x00, 0x80,
                                    0x00, 0x00, 0x2f, 0x00, 0x00, 0xff};
    static wb w;
    w.n = 0;
    size_t body = 9 + sizeof specs + 16;
    put8(&w, 0x80 | (unsigned)(body >> 8));
    put8(&w, (unsigned)body & 0xff);
    put8(&w, 1);
    put16(&w, 0x0301);
    put16(&w, sizeof specs);
    put16(&w, 0);
    put16(&w, 16);
    putmem(&w, specs, sizeof specs);
    for (int i = 0; i < 16; i++)
        put8(&w, 0x42);
    dt_tls_client c;
    int bad = 0;
    for (size_t n = 0; n < w.n; n++)
        if (client_exact(w.b, n, &c) != DT_PARSE_MORE)
            bad++;
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_INT(client_exact(w.b, w.n, &c), DT_PARSE_DONE);
    CHECK_EQ_INT(c.present, 1);
    CHECK_EQ_INT(c.legacy_version, 0x0301);
    CHECK_EQ_INT(c.n_ciphers, 3);
    CHECK_EQ_INT(c.ciphers[1], 0x002f);
    CHECK_EQ_STR(c.sni, "");
    CHECK_EQ_STR(c.ja3, "98216a28a2fe7f6b5bc3f78b698bf862");
    CHECK_EQ_STR(c.ja4, "t10i030000_a8f7fd439671_000000000000");
    /* Inconsistent lengths: not an SSLv2 hello. */
    w.b[1] ^= 1;
    CHECK_EQ_INT(client_exact(w.b, w.n, &c), DT_PARSE_NOT_MINE);
    const uint8_t hi[] = {0x85, 0x00, 0x07};
    CHECK_EQ_INT(client_exact(hi, sizeof hi, &c), DT_PARSE_NOT_MINE);
}

/* Garbage, non-TLS and truncated input. */
static void test_garbage(void)
{
    dt_tls_client c;
    const char *http = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    CHECK_EQ_INT(client_exact((const uint8_t *)http, strlen(http), &c), DT_PARSE_NOT_MINE);
    CHECK_EQ_INT(c.present, 0);
    const uint8_t v5[] = {0x16, 0x03, 0x05, 0x00, 0x40};
    CHECK_EQ_INT(client_exact(v5, sizeof v5, &c), DT_PARSE_NOT_MINE);
    const uint8_t zero[] = {0x16, 0x03, 0x01, 0x00, 0x00};
    CHECK_EQ_INT(client_exact(zero, sizeof zero, &c), DT_PARSE_NOT_MINE);
    const uint8_t sh[] = {0x16, 0x03, 0x03, 0x00, 0x40, 0x02};
    CHECK_EQ_INT(client_exact(sh, sizeof sh, &c), DT_PARSE_NOT_MINE);
    const uint8_t huge[] = {0x16, 0x03, 0x01, 0x00, 0x40, 0x01, 0x7f, 0xff, 0xff};
    CHECK_EQ_INT(client_exact(huge, sizeof huge, &c), DT_PARSE_NOT_MINE);
    const uint8_t pfx[] = {0x16, 0x03};
    CHECK_EQ_INT(client_exact(pfx, sizeof pfx, &c), DT_PARSE_MORE);
    CHECK_EQ_INT(client_exact(pfx, 0, &c), DT_PARSE_MORE);

    /* A complete message whose cipher list claims more than the body holds. */
    static wb hs, rec;
    hs.n = rec.n = 0;
    put8(&hs, 1);
    put24(&hs, 40);
    put16(&hs, 0x0303);
    for (int i = 0; i < 32; i++)
        put8(&hs, 0);
    put8(&hs, 0);
    put16(&hs, 0x1000); /* 4096 bytes of ciphers: a lie */
    put8(&hs, 0);
    put8(&hs, 0);
    put8(&hs, 0);
    recordize(hs.b, hs.n, 16384, 0x16, &rec);
    CHECK_EQ_INT(client_exact(rec.b, rec.n, &c), DT_PARSE_NOT_MINE);

    /* Deterministic fuzzing: bit flips and truncations of a valid stream, plus
     * random bytes behind a valid record header.  Must never crash (ASan/UBSan). */
    static wb good;
    hs.n = good.n = 0;
    build_spec_hello(&hs, "fuzz.example", 1);
    recordize(hs.b, hs.n, 300, 0x16, &good);
    uint32_t seed = 12345;
    int counts[3] = {0, 0, 0};
    static uint8_t m[70000];
    for (int iter = 0; iter < 3000; iter++) {
        memcpy(m, good.b, good.n);
        int flips = 1 + iter % 8;
        for (int k = 0; k < flips; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t pos = (seed >> 8) % good.n;
            m[pos] ^= (uint8_t)(1u << ((seed >> 3) & 7));
        }
        seed = seed * 1103515245u + 12345u;
        size_t n = (iter & 1) ? good.n : (seed >> 4) % (good.n + 1);
        dt_parse_status st = client_exact(m, n, &c);
        counts[st + 1]++;
        dt_tls_server s;
        (void)server_exact(m, n, &s);
        if (st == DT_PARSE_DONE) {
            CHECK(strlen(c.sni) < sizeof c.sni);
            CHECK_EQ_INT(strlen(c.ja3), 32);
        }
    }
    CHECK(counts[0] + counts[1] + counts[2] == 3000);
    CHECK(counts[2] > 0); /* many flips leave the hello parseable */
}

/* ------------------------------------------------------------------------ */
/* Server side                                                                */

static size_t load_leaf(uint8_t *buf, size_t cap)
{
    const char *dir = getenv("DT_TESTDATA");
    char path[1024];
    snprintf(path, sizeof path, "%s/tls/leaf.der", dir && *dir ? dir : "testdata");
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        return 0;
    }
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

/* ServerHello(TLS1.2, c02f, ext ff01 + 000b) + Certificate(leaf, junk 2nd) + ServerHelloDone. */
static void build_server12(wb *hs, const uint8_t *der, size_t der_len)
{
    size_t at, ex, e;
    put8(hs, 2);
    at = mark(hs, 3);
    put16(hs, 0x0303);
    for (int i = 0; i < 32; i++)
        put8(hs, 0x55);
    put8(hs, 0);
    put16(hs, 0xc02f);
    put8(hs, 0);
    ex = mark(hs, 2);
    ext_begin(hs, 0xff01, &e);
    put8(hs, 0);
    fill(hs, e, 2);
    ext_pf(hs);
    fill(hs, ex, 2);
    fill(hs, at, 3);

    size_t list;
    put8(hs, 11);
    at = mark(hs, 3);
    list = mark(hs, 3);
    put24(hs, (unsigned)der_len);
    putmem(hs, der, der_len);
    put24(hs, 3000); /* an intermediate nobody decodes */
    for (int i = 0; i < 3000; i++)
        put8(hs, 0x30);
    fill(hs, list, 3);
    fill(hs, at, 3);

    put8(hs, 14);
    put24(hs, 0);
}

static void check_leaf(const dt_tls_cert *ct)
{
    CHECK_EQ_INT(ct->present, 1);
    CHECK_EQ_STR(ct->subject_cn, "www.example-car.test");
    CHECK_EQ_STR(ct->subject_o, "Datatrail Test Org");
    CHECK_EQ_STR(ct->issuer_o, "Example Root Authority");
    CHECK_EQ_INT(ct->n_san, 3); /* the IP SAN is not a dNSName */
    CHECK_EQ_STR(ct->san[0], "www.example-car.test");
    CHECK_EQ_STR(ct->san[1], "api.example-car.test");
    CHECK_EQ_STR(ct->san[2], "*.telemetry.example-car.test");
    CHECK_EQ_STR(ct->not_before, "2026-11-24T18:43:28Z");
    CHECK_EQ_STR(ct->not_after, "2027-11-24T18:43:28Z");
}

static void test_server12(void)
{
    static uint8_t der[8192];
    size_t der_len = load_leaf(der, sizeof der);
    CHECK_EQ_INT(der_len, 548);
    if (!der_len)
        return;
    static wb hs, rec;
    hs.n = rec.n = 0;
    build_server12(&hs, der, der_len);
    recordize(hs.b, hs.n, 16384, 0x16, &rec);

    dt_tls_server s;
    CHECK_EQ_INT(server_exact(rec.b, rec.n, &s), DT_PARSE_DONE);
    CHECK_EQ_INT(s.present, 1);
    CHECK_EQ_INT(s.version, 0x0303);
    CHECK_EQ_INT(s.cipher, 0xc02f);
    /* JA3S string "771,49199,65281-11" -> md5 (md5sum): */
    CHECK_EQ_STR(s.ja3s, "303951d4c50efb2e991652225a6f02b1");
    check_leaf(&s.cert);

    /* Split in 500-byte records; every prefix before the leaf is complete says MORE. */
    rec.n = 0;
    recordize(hs.b, hs.n, 500, 0x16, &rec);
    /* ServerHello is 4+2+32+1+2+1+2+5+6 = 55 bytes; Certificate header 4+3+3; leaf follows.
     * In records of 500 bytes the leaf ends in handshake byte 55+10+548 = 613, i.e. in the
     * second record: 5 + 500 + 5 + 113 = 623 stream bytes. */
    size_t need = 623;
    CHECK_EQ_INT(server_exact(rec.b, 200, &s), DT_PARSE_MORE);
    CHECK_EQ_INT(s.present, 1); /* ServerHello already known */
    CHECK_EQ_INT(s.cipher, 0xc02f);
    CHECK_EQ_INT(s.cert.present, 0);
    int bad = 0;
    for (size_t n = 0; n < need; n++)
        if (server_exact(rec.b, n, &s) != DT_PARSE_MORE)
            bad++;
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_INT(server_exact(rec.b, need, &s), DT_PARSE_DONE);
    check_leaf(&s.cert);
    CHECK_EQ_INT(server_exact(rec.b, rec.n, &s), DT_PARSE_DONE);
    check_leaf(&s.cert);

    /* Garbage in place of the DER: ServerHello still reported, no certificate. */
    static wb bad_hs;
    static uint8_t junk[600];
    memset(junk, 0x41, sizeof junk);
    bad_hs.n = rec.n = 0;
    build_server12(&bad_hs, junk, sizeof junk);
    recordize(bad_hs.b, bad_hs.n, 16384, 0x16, &rec);
    CHECK_EQ_INT(server_exact(rec.b, rec.n, &s), DT_PARSE_DONE);
    CHECK_EQ_INT(s.present, 1);
    CHECK_EQ_INT(s.cert.present, 0);
}

/* What a flow keeps of the server's flight (lib/proto/app_tls.c): the ServerHello's
 * fields and the certificate's texts packed in a record of their size, counted in the
 * flow's state, freed with it. */
static void test_flow_keeps_cert(void)
{
    static uint8_t der[8192];
    size_t der_len = load_leaf(der, sizeof der);
    if (!der_len)
        return;
    static wb hs, rec;
    hs.n = rec.n = 0;
    build_server12(&hs, der, der_len);
    recordize(hs.b, hs.n, 500, 0x16, &rec); /* the certificate in the second record */

    dt_apps *a = dt_apps_new(0);
    dt_flow f;
    dt_tcp_dir dirs[2];
    memset(&f, 0, sizeof f);
    f.proto = 6;
    f.side[DT_CLIENT].port = 40000;
    f.side[DT_SERVER].port = 443;
    f.tcp = dirs;
    for (int d = 0; d < 2; d++) {
        dt_tcp_dir_init(&dirs[d], 65536, NULL);
        dt_tcp_dir_segment(&dirs[d], 1000, 0x02 /* SYN */, NULL, 0);
    }
    /* the ServerHello alone, then the rest */
    CHECK(dt_tcp_dir_segment(&dirs[DT_SERVER], 1001, 0, rec.b, 200) > 0);
    dt_apps_on_stream(a, &f, DT_SERVER);
    CHECK(dt_app_tls_server(f.app) != NULL);
    CHECK(dt_app_tls_cert(f.app) == NULL);
    CHECK(dt_tcp_dir_segment(&dirs[DT_SERVER], 1201, 0, rec.b + 200, (uint32_t)(rec.n - 200)) > 0);
    dt_apps_on_stream(a, &f, DT_SERVER);

    const dt_flow_tls_server *s = dt_app_tls_server(f.app);
    const dt_flow_cert *c = dt_app_tls_cert(f.app);
    CHECK(s && c);
    if (s && c) {
        CHECK_EQ_INT(s->version, 0x0303);
        CHECK_EQ_INT(s->cipher, 0xc02f);
        CHECK_EQ_STR(s->ja3s, "303951d4c50efb2e991652225a6f02b1");
        CHECK_EQ_STR(dt_flow_cert_subject_cn(c), "www.example-car.test");
        CHECK_EQ_STR(dt_flow_cert_subject_o(c), "Datatrail Test Org");
        CHECK_EQ_STR(dt_flow_cert_issuer_o(c), "Example Root Authority");
        CHECK_EQ_INT(c->n_san, 3);
        CHECK_EQ_STR(dt_flow_cert_san(c, 0), "www.example-car.test");
        CHECK_EQ_STR(dt_flow_cert_san(c, 1), "api.example-car.test");
        CHECK_EQ_STR(dt_flow_cert_san(c, 2), "*.telemetry.example-car.test");
        CHECK_EQ_STR(dt_flow_cert_not_before(c), "2026-11-24T18:43:28Z");
        CHECK_EQ_STR(dt_flow_cert_not_after(c), "2027-11-24T18:43:28Z");
        /* the record ends after its last text, and is a few hundred bytes */
        const char *last = dt_flow_cert_san(c, 2);
        CHECK_EQ_INT(c->bytes, (size_t)(last - (const char *)c) + strlen(last) + 1);
        CHECK(c->bytes < 512);
        CHECK(f.app->state_bytes >= sizeof *f.app + sizeof *s + c->bytes);
    }
    dt_apps_flow_free(&f);
    for (int d = 0; d < 2; d++)
        dt_tcp_dir_free(&dirs[d]);
    dt_apps_free(a);
}

static void test_server13(void)
{
    static wb hs, rec;
    size_t at, ex, e;
    hs.n = rec.n = 0;
    put8(&hs, 2);
    at = mark(&hs, 3);
    put16(&hs, 0x0303);
    for (int i = 0; i < 32; i++)
        put8(&hs, 0x66);
    put8(&hs, 0);
    put16(&hs, 0x1301);
    put8(&hs, 0);
    ex = mark(&hs, 2);
    ext_begin(&hs, 0x002b, &e);
    put16(&hs, 0x0304);
    fill(&hs, e, 2);
    ext_raw(&hs, 0x0033, 36);
    fill(&hs, ex, 2);
    fill(&hs, at, 3);
    recordize(hs.b, hs.n, 16384, 0x16, &rec);
    size_t sh_end = rec.n;
    recordize((const uint8_t *)"\x01", 1, 16, 0x14, &rec);     /* ChangeCipherSpec */
    recordize((const uint8_t *)"ABCDEFGH", 8, 16, 0x17, &rec); /* encrypted */

    dt_tls_server s;
    CHECK_EQ_INT(server_exact(rec.b, sh_end - 1, &s), DT_PARSE_MORE);
    CHECK_EQ_INT(server_exact(rec.b, sh_end, &s), DT_PARSE_DONE);
    CHECK_EQ_INT(s.version, 0x0304);
    CHECK_EQ_INT(s.cipher, 0x1301);
    /* JA3S uses the legacy version: "771,4865,43-51" -> md5: */
    CHECK_EQ_STR(s.ja3s, "f4febc55ea12b31ae17cfb7e614afda8");
    CHECK_EQ_INT(s.cert.present, 0);
    CHECK_EQ_INT(server_exact(rec.b, rec.n, &s), DT_PARSE_DONE);

    /* A warning alert (unrecognized_name) before the ServerHello is skipped. */
    static wb al;
    al.n = 0;
    recordize((const uint8_t *)"\x01\x70", 2, 16, 0x15, &al);
    size_t alert_len = al.n;
    putmem(&al, rec.b, sh_end);
    CHECK_EQ_INT(server_exact(al.b, 3, &s), DT_PARSE_MORE);
    CHECK_EQ_INT(server_exact(al.b, alert_len, &s), DT_PARSE_MORE);
    CHECK_EQ_INT(server_exact(al.b, al.n - 1, &s), DT_PARSE_MORE);
    CHECK_EQ_INT(server_exact(al.b, al.n, &s), DT_PARSE_DONE);
    CHECK_EQ_INT(s.version, 0x0304);
    CHECK_EQ_STR(s.ja3s, "f4febc55ea12b31ae17cfb7e614afda8");
    /* A fatal alert (handshake_failure) first: TLS, but nothing to report. */
    al.b[5] = 2;
    al.b[6] = 40;
    CHECK_EQ_INT(server_exact(al.b, al.n, &s), DT_PARSE_DONE);
    CHECK_EQ_INT(s.present, 0);

    /* A client stream is not a server stream and vice versa. */
    static wb ch, crec;
    ch.n = crec.n = 0;
    build_spec_hello(&ch, "a.example", 0);
    recordize(ch.b, ch.n, 16384, 0x16, &crec);
    CHECK_EQ_INT(server_exact(crec.b, crec.n, &s), DT_PARSE_NOT_MINE);
    dt_tls_client c;
    CHECK_EQ_INT(client_exact(rec.b, rec.n, &c), DT_PARSE_NOT_MINE);
}

static void test_names(void)
{
    char b[16];
    CHECK_EQ_STR(dt_tls_version_name(0x0304, b, sizeof b), "TLS1.3");
    CHECK_EQ_STR(dt_tls_version_name(0x0303, b, sizeof b), "TLS1.2");
    CHECK_EQ_STR(dt_tls_version_name(0x0301, b, sizeof b), "TLS1.0");
    CHECK_EQ_STR(dt_tls_version_name(0x0300, b, sizeof b), "SSL3.0");
    CHECK_EQ_STR(dt_tls_version_name(0x7f1c, b, sizeof b), "0x7f1c");
    CHECK_EQ_STR(dt_tls_cipher_name(0x1301, b, sizeof b), "TLS_AES_128_GCM_SHA256");
    CHECK_EQ_STR(dt_tls_cipher_name(0x1303, b, sizeof b), "TLS_CHACHA20_POLY1305_SHA256");
    CHECK_EQ_STR(dt_tls_cipher_name(0xc02f, b, sizeof b), "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    CHECK_EQ_STR(dt_tls_cipher_name(0xcca9, b, sizeof b),
                 "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");
    CHECK_EQ_STR(dt_tls_cipher_name(0x002f, b, sizeof b), "TLS_RSA_WITH_AES_128_CBC_SHA");
    CHECK_EQ_STR(dt_tls_cipher_name(0xbeef, b, sizeof b), "0xbeef");
    CHECK_EQ_INT(dt_tls_is_grease(0x0a0a), 1);
    CHECK_EQ_INT(dt_tls_is_grease(0xfafa), 1);
    CHECK_EQ_INT(dt_tls_is_grease(0x3a3a), 1);
    CHECK_EQ_INT(dt_tls_is_grease(0x0a1a), 0);
    CHECK_EQ_INT(dt_tls_is_grease(0x1301), 0);
    CHECK_EQ_INT(dt_tls_is_grease(0x0b0b), 0);
}

/* ------------------------------------------------------------------------ */
/* DTLS (lib/proto/dtls.c): the ClientHello of a datagram.                    */

/* A DTLS ClientHello body: version, random, session id, cookie, 2 suites,
 * null compression, SNI and supported_versions. */
static void dtls_hello_body(wb *w, const char *sni, size_t cookie, const uint16_t *versions, int nv)
{
    static const uint16_t ciphers[] = {0xc02b, 0xc02f};
    w->n = 0;
    put16(w, 0xfefd);
    for (int i = 0; i < 32; i++)
        put8(w, (unsigned)i);
    put8(w, 0); /* session id */
    put8(w, (unsigned)cookie);
    for (size_t i = 0; i < cookie; i++)
        put8(w, 0xc0);
    put16(w, 4);
    for (int i = 0; i < 2; i++)
        put16(w, ciphers[i]);
    put8(w, 1);
    put8(w, 0);
    size_t exts = mark(w, 2);
    ext_sni(w, sni);
    ext_versions(w, versions, nv);
    fill(w, exts, 2);
}

/* A handshake record of epoch `epoch` carrying body[frag_off .. +frag_len). */
static void dtls_record(wb *w, const wb *body, unsigned version, unsigned epoch, unsigned hs_type,
                        size_t frag_off, size_t frag_len)
{
    put8(w, 22);
    put16(w, version);
    put16(w, epoch);
    for (int i = 0; i < 6; i++)
        put8(w, 0);
    put16(w, (unsigned)(12 + frag_len));
    put8(w, hs_type);
    put24(w, (unsigned)body->n);
    put16(w, 0); /* message_seq */
    put24(w, (unsigned)frag_off);
    put24(w, (unsigned)frag_len);
    putmem(w, body->b + frag_off, frag_len);
}

static void test_dtls(void)
{
    static const uint16_t v12[] = {0xfefd}, v13[] = {0xfefc, 0xfefd};
    static wb body, d;
    dt_tls_client c;

    /* DTLS 1.2, whole, after another record (a ChangeCipherSpec-like one) */
    dtls_hello_body(&body, "coap.example.com", 0, v12, 1);
    d.n = 0;
    putmem(&d, "\x14\xfe\xfd\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x01", 14);
    dtls_record(&d, &body, 0xfeff, 0, 1, 0, body.n);
    CHECK_EQ_INT(dt_dtls_client_hello(d.b, d.n, &c), DT_PARSE_DONE);
    CHECK_EQ_STR(c.sni, "coap.example.com");
    CHECK_EQ_INT(c.n_versions, 1);
    CHECK_EQ_INT(c.versions[0], 0xfefd);
    CHECK(strncmp(c.ja4, "dd2d0202", 8) == 0);

    /* DTLS 1.3 with a cookie: the highest version for JA4 */
    dtls_hello_body(&body, "lwm2m.example.org", 20, v13, 2);
    d.n = 0;
    dtls_record(&d, &body, 0xfefd, 0, 1, 0, body.n);
    CHECK_EQ_INT(dt_dtls_client_hello(d.b, d.n, &c), DT_PARSE_DONE);
    CHECK_EQ_STR(c.sni, "lwm2m.example.org");
    CHECK(strncmp(c.ja4, "dd3d", 4) == 0);
    /* the same body read without the cookie (TLS) does not give this SNI */
    if (dt_tls_parse_client_hello_body(body.b, body.n, DT_TLS_OVER_TCP, &c) == 0)
        CHECK(strcmp(c.sni, "lwm2m.example.org") != 0);

    /* a first fragment that ends inside supported_versions: the SNI is whole */
    d.n = 0;
    dtls_record(&d, &body, 0xfefd, 0, 1, 0, body.n - 3);
    CHECK_EQ_INT(dt_dtls_client_hello(d.b, d.n, &c), DT_PARSE_DONE);
    CHECK_EQ_STR(c.sni, "lwm2m.example.org");
    CHECK_EQ_INT(c.n_versions, 0);

    /* a later fragment, a ServerHello, an encrypted epoch: DTLS, no ClientHello */
    d.n = 0;
    dtls_record(&d, &body, 0xfefd, 0, 1, 10, body.n - 10);
    CHECK_EQ_INT(dt_dtls_client_hello(d.b, d.n, &c), DT_PARSE_MORE);
    d.n = 0;
    dtls_record(&d, &body, 0xfefd, 0, 2, 0, body.n);
    CHECK_EQ_INT(dt_dtls_client_hello(d.b, d.n, &c), DT_PARSE_MORE);
    d.n = 0;
    dtls_record(&d, &body, 0xfefd, 1, 1, 0, body.n);
    CHECK_EQ_INT(dt_dtls_client_hello(d.b, d.n, &c), DT_PARSE_MORE);

    /* not DTLS: TLS's record version, an unknown content type, too short */
    d.n = 0;
    dtls_record(&d, &body, 0x0303, 0, 1, 0, body.n);
    CHECK_EQ_INT(dt_dtls_client_hello(d.b, d.n, &c), DT_PARSE_NOT_MINE);
    d.b[0] = 30;
    d.b[1] = 0xfe;
    CHECK_EQ_INT(dt_dtls_client_hello(d.b, d.n, &c), DT_PARSE_NOT_MINE);
    CHECK_EQ_INT(dt_dtls_client_hello(d.b, 12, &c), DT_PARSE_NOT_MINE);

    /* a record length past the datagram, and every prefix: never past the end */
    d.n = 0;
    dtls_record(&d, &body, 0xfefd, 0, 1, 0, body.n);
    for (size_t l = 0; l <= d.n; l++) {
        uint8_t *cut = malloc(l ? l : 1);
        memcpy(cut, d.b, l);
        dt_parse_status st = dt_dtls_client_hello(cut, l, &c);
        CHECK(st != DT_PARSE_DONE || l >= 13 + 12 + 2 + 32 + 1);
        free(cut);
    }
}

int main(void)
{
    test_spec_hello();
    test_ech();
    test_chrome_pq();
    test_fragmented();
    test_tls12_no_sni();
    test_no_extensions();
    test_alpn_and_sni_edge();
    test_sslv2();
    test_garbage();
    test_server12();
    test_server13();
    test_flow_keeps_cert();
    test_names();
    test_dtls();
    return check_done();
}
