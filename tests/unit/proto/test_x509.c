/* proto/x509.c against OpenSSL: crafted certificates (each variant also
 * checked for its own expected answer) and every certificate of every TLS
 * handshake in the shared corpus (../shared/corpus/pcaps, skipped, saying so,
 * when absent).  OpenSSL's answer is what datatrail wrote before it had its
 * own reader: d2i_X509, the first CN/O through ASN1_STRING_to_UTF8, times
 * through ASN1_TIME_to_tm, dNSName SANs through X509_get_ext_d2i. */
#include "check.h"

#include "capture/capture.h"
#include "decode/decode.h"
#include "proto/x509.h"
#include "util/hash.h"
#include "util/netconst.h"
#include "util/text.h"

#include <dirent.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdint.h>
#include <stdlib.h>

/* ---- the oracle ---- */

static void oracle_name(X509_NAME *name, int nid, char *dst, size_t cap)
{
    dst[0] = '\0';
    int idx = name ? X509_NAME_get_index_by_NID(name, nid, -1) : -1;
    if (idx < 0)
        return;
    X509_NAME_ENTRY *e = X509_NAME_get_entry(name, idx);
    ASN1_STRING *d = e ? X509_NAME_ENTRY_get_data(e) : NULL;
    unsigned char *u = NULL;
    int n = d ? ASN1_STRING_to_UTF8(&u, d) : -1;
    if (n >= 0 && u)
        dt_copy_utf8(dst, cap, u, (size_t)n);
    OPENSSL_free(u);
}

static void oracle_time(const ASN1_TIME *t, char *dst, size_t cap)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    dst[0] = '\0';
    if (!t || !ASN1_TIME_to_tm(t, &tm))
        return;
    int w = snprintf(dst, cap, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    if (w < 0 || (size_t)w >= cap)
        dst[0] = '\0';
}

static int oracle(const uint8_t *der, size_t len, dt_tls_cert *out)
{
    memset(out, 0, sizeof *out);
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    if (!x)
        return -1;
    oracle_name(X509_get_subject_name(x), NID_commonName, out->subject_cn, sizeof out->subject_cn);
    oracle_name(X509_get_subject_name(x), NID_organizationName, out->subject_o,
                sizeof out->subject_o);
    oracle_name(X509_get_issuer_name(x), NID_organizationName, out->issuer_o, sizeof out->issuer_o);
    oracle_time(X509_get0_notBefore(x), out->not_before, sizeof out->not_before);
    oracle_time(X509_get0_notAfter(x), out->not_after, sizeof out->not_after);
    GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    for (int i = 0; gens && i < sk_GENERAL_NAME_num(gens) && out->n_san < DT_TLS_MAX_SAN; i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
        if (!g || g->type != GEN_DNS || !g->d.dNSName)
            continue;
        const ASN1_STRING *s = g->d.dNSName;
        dt_copy_printable(out->san[out->n_san++], sizeof out->san[0], ASN1_STRING_get0_data(s),
                          (size_t)ASN1_STRING_length(s));
    }
    GENERAL_NAMES_free(gens);
    X509_free(x);
    out->present = 1;
    return 0;
}

/* 0 when both readers give the same answer; prints the difference. */
static int same_as_openssl(const uint8_t *der, size_t len, const char *what)
{
    dt_tls_cert a, b;
    int ra = dt_x509_parse(der, len, &a), rb = oracle(der, len, &b);
    if (ra == rb && memcmp(&a, &b, sizeof a) == 0)
        return 0;
    fprintf(stderr,
            "%s: datatrail rc %d cn '%s' o '%s' io '%s' %s..%s san %d%s%s | openssl rc %d "
            "cn '%s' o '%s' io '%s' %s..%s san %d%s%s\n",
            what, ra, a.subject_cn, a.subject_o, a.issuer_o, a.not_before, a.not_after, a.n_san,
            a.n_san ? " " : "", a.n_san ? a.san[0] : "", rb, b.subject_cn, b.subject_o, b.issuer_o,
            b.not_before, b.not_after, b.n_san, b.n_san ? " " : "", b.n_san ? b.san[0] : "");
    return -1;
}

/* ---- crafted certificates ---- */

typedef struct buf {
    uint8_t b[8192];
    size_t n;
} buf;

static void put(buf *o, const void *p, size_t n)
{
    if (o->n + n <= sizeof o->b) {
        memcpy(o->b + o->n, p, n);
        o->n += n;
    }
}

/* Appends tag, DER length and the content. */
static void tlv(buf *o, uint8_t tag, const void *p, size_t n)
{
    uint8_t h[4] = {tag};
    size_t k = 1;
    if (n < 0x80) {
        h[k++] = (uint8_t)n;
    } else if (n < 0x100) {
        h[k++] = 0x81;
        h[k++] = (uint8_t)n;
    } else {
        h[k++] = 0x82;
        h[k++] = (uint8_t)(n >> 8);
        h[k++] = (uint8_t)n;
    }
    put(o, h, k);
    put(o, p, n);
}

static void wrap(buf *o, uint8_t tag, const buf *in)
{
    tlv(o, tag, in->b, in->n);
}

/* One attribute (RDN with one value) of a Name: oid 2.5.4.<last>. */
static void attr(buf *name, uint8_t last, uint8_t type, const void *v, size_t n)
{
    buf atv = {.n = 0}, set = {.n = 0};
    const uint8_t oid[] = {0x55, 0x04, last};
    tlv(&atv, 0x06, oid, sizeof oid);
    tlv(&atv, type, v, n);
    wrap(&set, 0x30, &atv);
    wrap(name, 0x31, &set);
}

typedef struct variant {
    const char *what;
    uint8_t cn_type;
    const char *cn;
    size_t cn_len; /* 0: strlen */
    uint8_t time_type;
    const char *not_before;
    const uint8_t *serial;
    size_t serial_len;
    int version; /* -1: no version field */
    int san_copies;
    int san_bad_entry;
    int trailing_in_tbs;
} variant;

static size_t make_cert(const variant *v, uint8_t *out, size_t cap)
{
    static const uint8_t serial1[] = {0x01};
    static const uint8_t alg[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
                                  0x48, 0xce, 0x3d, 0x04, 0x03, 0x02}; /* ecdsa-with-SHA256 */
    static const uint8_t spki[] = {0x30, 0x13, 0x30, 0x09, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d,
                                   0x02, 0x01, 0x03, 0x06, 0x00, 0x04, 0x01, 0x02, 0x03, 0x04};
    buf tbs = {.n = 0}, issuer = {.n = 0}, subject = {.n = 0}, validity = {.n = 0};
    if (v->version >= 0) {
        buf ver = {.n = 0};
        uint8_t n = (uint8_t)v->version;
        tlv(&ver, 0x02, &n, 1);
        wrap(&tbs, 0xa0, &ver);
    }
    tlv(&tbs, 0x02, v->serial ? v->serial : serial1, v->serial ? v->serial_len : sizeof serial1);
    put(&tbs, alg, sizeof alg);
    attr(&issuer, 6, 0x13, "DE", 2);
    attr(&issuer, 10, 0x0c, "Issuer Org", 10);
    wrap(&tbs, 0x30, &issuer);
    const char *nb = v->not_before ? v->not_before : "260101120000Z";
    tlv(&validity, v->time_type ? v->time_type : 0x17, nb, strlen(nb));
    tlv(&validity, 0x18, "20301231235959Z", 15);
    wrap(&tbs, 0x30, &validity);
    attr(&subject, 10, 0x13, "Subject Org", 11);
    attr(&subject, 3, v->cn_type ? v->cn_type : 0x0c, v->cn ? v->cn : "car.example",
         v->cn ? (v->cn_len ? v->cn_len : strlen(v->cn)) : 11);
    attr(&subject, 3, 0x0c, "second.example", 14); /* a second CN: the first is kept */
    wrap(&tbs, 0x30, &subject);
    put(&tbs, spki, sizeof spki);
    if (v->san_copies) {
        buf names = {.n = 0}, seq = {.n = 0}, ext = {.n = 0}, exts = {.n = 0}, list = {.n = 0};
        tlv(&names, 0x82, "a.example", 9);
        tlv(&names, 0x87, "\xc0\x00\x02\x01", 4); /* iPAddress: skipped */
        tlv(&names, 0x82, "b.example", 9);
        if (v->san_bad_entry)
            tlv(&names, 0x89, "x", 1); /* no such GeneralName */
        wrap(&seq, 0x30, &names);
        const uint8_t oid[] = {0x55, 0x1d, 0x11};
        tlv(&ext, 0x06, oid, sizeof oid);
        wrap(&ext, 0x04, &seq);
        for (int i = 0; i < v->san_copies; i++)
            wrap(&list, 0x30, &ext);
        wrap(&exts, 0x30, &list);
        wrap(&tbs, 0xa3, &exts);
    }
    if (v->trailing_in_tbs)
        tlv(&tbs, 0x05, "", 0);
    buf cert = {.n = 0}, all = {.n = 0};
    wrap(&cert, 0x30, &tbs);
    put(&cert, alg, sizeof alg);
    tlv(&cert, 0x03, "\x00\x01\x02", 3);
    wrap(&all, 0x30, &cert);
    if (all.n > cap)
        return 0;
    memcpy(out, all.b, all.n);
    return all.n;
}

static void test_crafted(void)
{
    static const uint8_t padded[] = {0x00, 0x01}; /* non-minimal INTEGER */
    static const uint8_t bmp[] = {0x00, 'c', 0x00, 'a', 0x00, 'r', 0x00, 0xe9}; /* "caré" */
    static const uint8_t univ[] = {0, 0, 0, 'x', 0, 1, 0xf6, 0x00};             /* "x" U+1F600 */
    static const variant v[] = {
        {.what = "plain", .version = 2, .san_copies = 1},
        {.what = "v1 without version", .version = -1},
        {.what = "version 4 (value 3)", .version = 3},
        {.what = "BMP CN", .version = 2, .cn_type = 0x1e, .cn = (const char *)bmp, .cn_len = 8},
        {.what = "odd BMP CN", .version = 2, .cn_type = 0x1e, .cn = (const char *)bmp, .cn_len = 7},
        {.what = "Universal CN",
         .version = 2,
         .cn_type = 0x1c,
         .cn = (const char *)univ,
         .cn_len = 8},
        {.what = "T61 (Latin-1) CN", .version = 2, .cn_type = 0x14, .cn = "caf\xe9"},
        {.what = "bad UTF-8 CN", .version = 2, .cn = "ab\xc3"},
        {.what = "overlong UTF-8 CN",
         .version = 2,
         .cn = "a\xc0\xaf"
               "b"},
        {.what = "OCTET STRING CN", .version = 2, .cn_type = 0x04, .cn = "x"},
        {.what = "long CN",
         .version = 2,
         .cn = "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
               "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
               "0123456789012345678901234567890123456789012345678901234567890123456789"
               "0123456789012345678901234567890123456789012345678901234567890123456789"
               "01234567890123456789012345678901234567890123456789012345678x\xc3\xa9"},
        {.what = "UTCTime without seconds", .version = 2, .not_before = "2601011200Z"},
        {.what = "UTCTime 1999", .version = 2, .not_before = "991231235959Z"},
        {.what = "offset", .version = 2, .time_type = 0x18, .not_before = "20260101003000+0100"},
        {.what = "fraction", .version = 2, .time_type = 0x18, .not_before = "20260228235959.5Z"},
        {.what = "30 February", .version = 2, .time_type = 0x18, .not_before = "20260230120000Z"},
        {.what = "no zone", .version = 2, .not_before = "260101120000"},
        {.what = "padded serial", .version = 2, .serial = padded, .serial_len = 2},
        {.what = "two SAN extensions", .version = 2, .san_copies = 2},
        {.what = "bad GeneralName", .version = 2, .san_copies = 1, .san_bad_entry = 1},
        {.what = "trailing element in tbs", .version = 2, .trailing_in_tbs = 1},
    };
    uint8_t der[4096];
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        size_t n = make_cert(&v[i], der, sizeof der);
        CHECK(n > 0);
        CHECK_EQ_INT(same_as_openssl(der, n, v[i].what), 0);
        memcpy(der + n, "\x30\x03junk", 5); /* bytes after the certificate are not its own */
        CHECK_EQ_INT(same_as_openssl(der, n + 5, v[i].what), 0);
    }
    /* What the answers are, not only that they agree. */
    dt_tls_cert c;
    size_t n = make_cert(&v[0], der, sizeof der);
    CHECK_EQ_INT(dt_x509_parse(der, n, &c), 0);
    CHECK_EQ_STR(c.subject_cn, "car.example");
    CHECK_EQ_STR(c.subject_o, "Subject Org");
    CHECK_EQ_STR(c.issuer_o, "Issuer Org");
    CHECK_EQ_STR(c.not_before, "2026-01-01T12:00:00Z");
    CHECK_EQ_STR(c.not_after, "2030-12-31T23:59:59Z");
    CHECK_EQ_INT(c.n_san, 2);
    CHECK_EQ_STR(c.san[1], "b.example");
    for (size_t cut = 0; cut < n; cut++) /* every truncation is malformed, never a crash */
        CHECK_EQ_INT(dt_x509_parse(der, cut, &c), -1);
    n = make_cert(&v[3], der, sizeof der);
    dt_x509_parse(der, n, &c);
    CHECK_EQ_STR(c.subject_cn, "car\xc3\xa9");
    n = make_cert(&v[13], der, sizeof der);
    dt_x509_parse(der, n, &c);
    CHECK_EQ_STR(c.not_before, "2025-12-31T23:30:00Z");
    n = make_cert(&v[18], der, sizeof der);
    dt_x509_parse(der, n, &c);
    CHECK_EQ_INT(c.n_san, 0);
    n = make_cert(&v[7], der, sizeof der);
    CHECK_EQ_INT(dt_x509_parse(der, n, &c), -1);
}

static void test_leaf(void)
{
    const char *dir = getenv("DT_TESTDATA");
    char path[1024];
    snprintf(path, sizeof path, "%s/tls/leaf.der", dir && *dir ? dir : "testdata");
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (!f)
        return;
    uint8_t der[4096];
    size_t n = fread(der, 1, sizeof der, f);
    fclose(f);
    CHECK_EQ_INT(same_as_openssl(der, n, "leaf.der"), 0);
}

/* ---- the corpus: every certificate of every TLS 1.0-1.2 handshake ---- */

#define STREAM_CAP (64 * 1024)
#define MAX_STREAMS 4096
#define SEEN_CAP (1 << 16)

typedef struct stream {
    dt_addr src, dst;
    uint16_t sport, dport;
    uint32_t next; /* sequence number of the next byte expected */
    int gap;       /* a byte was missed: the rest is not used */
    size_t n;
    uint8_t *b;
} stream;

static stream streams[MAX_STREAMS];
static size_t n_streams;
static uint64_t seen[SEEN_CAP]; /* hashes of certificates already compared (open addressing) */
static size_t n_certs, n_diff;

static stream *stream_of(const dt_decoded *d)
{
    for (size_t i = 0; i < n_streams; i++) {
        stream *s = &streams[i];
        if (s->sport == d->sport && s->dport == d->dport &&
            !memcmp(&s->src, &d->src, sizeof s->src) && !memcmp(&s->dst, &d->dst, sizeof s->dst))
            return s;
    }
    if (n_streams == MAX_STREAMS)
        return NULL;
    stream *s = &streams[n_streams++];
    memset(s, 0, sizeof *s);
    s->src = d->src;
    s->dst = d->dst;
    s->sport = d->sport;
    s->dport = d->dport;
    s->next = d->seq + ((d->tcp_flags & DT_TCP_SYN) ? 1 : 0);
    s->b = malloc(STREAM_CAP);
    return s;
}

static void add_segment(const dt_decoded *d)
{
    stream *s = stream_of(d);
    if (!s || !s->b || s->gap)
        return;
    if ((d->tcp_flags & DT_TCP_SYN) && s->n == 0)
        s->next = d->seq + 1;
    uint32_t off = s->next - d->seq; /* bytes of this segment already there */
    if (d->payload_len == 0 || (int32_t)off < 0) {
        if (d->payload_len && (int32_t)off < 0)
            s->gap = 1;
        return;
    }
    if (off >= d->payload_len)
        return;
    size_t k = d->payload_len - off;
    if (k > STREAM_CAP - s->n)
        k = STREAM_CAP - s->n;
    memcpy(s->b + s->n, d->payload + off, k);
    s->n += k;
    s->next += (uint32_t)k;
}

static int first_time(const uint8_t *der, size_t len)
{
    uint64_t h = dt_hash_bytes(DT_HASH_INIT, der, len) | 1; /* 0 marks a free slot */
    for (size_t i = h % SEEN_CAP;; i = (i + 1) % SEEN_CAP) {
        if (seen[i] == h)
            return 0;
        if (!seen[i]) {
            seen[i] = h;
            return 1;
        }
    }
}

/* Handshake records of a stream, concatenated, then every Certificate message. */
static void scan_stream(const stream *s, const char *file)
{
    static uint8_t hs[STREAM_CAP];
    size_t n = 0, p = 0;
    while (p + 5 <= s->n && s->b[p] == 0x16 && s->b[p + 1] == 3) {
        size_t rl = (size_t)s->b[p + 3] << 8 | s->b[p + 4];
        if (p + 5 + rl > s->n)
            rl = s->n - p - 5;
        memcpy(hs + n, s->b + p + 5, rl);
        n += rl;
        p += 5 + rl;
    }
    for (size_t m = 0; m + 4 <= n;) {
        uint8_t type = hs[m];
        size_t ml = (size_t)hs[m + 1] << 16 | (size_t)hs[m + 2] << 8 | hs[m + 3];
        if (m + 4 + ml > n)
            break;
        if (type == 11 && ml >= 3) { /* Certificate (TLS <= 1.2 layout) */
            const uint8_t *b = hs + m + 4 + 3;
            size_t left = ml - 3;
            while (left >= 3) {
                size_t cl = (size_t)b[0] << 16 | (size_t)b[1] << 8 | b[2];
                if (cl > left - 3)
                    break;
                if (first_time(b + 3, cl)) {
                    n_certs++;
                    if (same_as_openssl(b + 3, cl, file) < 0)
                        n_diff++;
                }
                b += 3 + cl;
                left -= 3 + cl;
            }
        }
        m += 4 + ml;
    }
}

static void scan_file(const char *path)
{
    char err[256];
    dt_capture *cap = dt_capture_open(path, err, sizeof err);
    if (!cap)
        return;
    dt_decoder *dec = dt_decoder_new(NULL);
    dt_cap_packet pkt;
    n_streams = 0;
    while (dt_capture_next(cap, &pkt) > 0) {
        dt_decoded d;
        if (dt_decode(dec, pkt.linktype, pkt.ts_ns, pkt.data, pkt.caplen, pkt.wirelen, &d) ==
                DT_DEC_OK &&
            d.proto == DT_IPPROTO_TCP)
            add_segment(&d);
    }
    for (size_t i = 0; i < n_streams; i++) {
        scan_stream(&streams[i], path);
        free(streams[i].b);
    }
    dt_decoder_free(dec);
    dt_capture_close(cap);
}

static void test_corpus(void)
{
    const char *env = getenv("DT_CORPUS");
    const char *td = getenv("DT_TESTDATA");
    char dir[1024];
    if (env && *env)
        snprintf(dir, sizeof dir, "%s", env);
    else
        snprintf(dir, sizeof dir, "%s/../../shared/corpus/pcaps", td && *td ? td : "testdata");
    DIR *d = opendir(dir);
    if (!d) {
        printf("test_x509: no corpus at %s: the comparison with OpenSSL on real certificates is "
               "skipped\n",
               dir);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        scan_file(path);
    }
    closedir(d);
    printf("test_x509: %zu distinct certificates in %s, %zu answered differently from OpenSSL\n",
           n_certs, dir, n_diff);
    CHECK(n_certs > 100);
    CHECK_EQ_INT(n_diff, 0);
}

int main(void)
{
    test_crafted();
    test_leaf();
    test_corpus();
    return check_done();
}
