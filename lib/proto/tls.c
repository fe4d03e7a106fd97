/* TLS handshake metadata: ClientHello / ServerHello / Certificate, JA3, JA3S, JA4.
 *
 * All wire data is read through dt_cur.  Handshake messages that span several
 * TLS records are gathered into a bounded buffer on the stack; nothing is
 * allocated per call.  The leaf certificate is read by proto/x509.c. */
/* MD5_CTX and SHA256_CTX: see digest_of */
#define OPENSSL_API_COMPAT 10101

#include "proto/tls.h"

#include "util/cursor.h"
#include "util/hash.h"
#include "util/tlocal.h"
#include "util/text.h"

#include <openssl/md5.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TLS_REC_CCS 0x14
#define TLS_REC_ALERT 0x15
#define TLS_REC_APPDATA 0x17
#define TLS_REC_MAX (16384 + 2048) /* TLSCiphertext upper bound */
#define TLS_HS_CAP (64 * 1024)     /* reassembly bound for handshake messages */
#define TLS_FP_MAX 256             /* entries kept per list while fingerprinting */

/* Record header (RFC 8446, 5.1): type, legacy version (major, minor), length. */

/* Handshake message header (RFC 8446, 4): type, 24-bit length. */
#define HS_OFF_LEN 1
#define HS_HDR_LEN 4
#define HS_CH_BODY_MIN 38 /* version, random, session id length, ... */

#define HS_CERTIFICATE 11
#define HS_SERVER_HELLO_DONE 14

/* Alert record body (RFC 8446, 6): level, description. */
#define ALERT_LEN 2
#define ALERT_OFF_LEVEL DT_TLS_REC_HDR_LEN
#define ALERT_LEVEL_WARNING 1

/* SSL 2.0 CLIENT-HELLO (RFC 5246, E.2): 2-byte record length (high bit set),
 * msg type, version, cipher-spec length, session-id length, challenge length. */
#define SSL2_OFF_MSG_TYPE 2
#define SSL2_OFF_VERSION 3
#define SSL2_OFF_CS_LEN 5
#define SSL2_OFF_SID_LEN 7
#define SSL2_OFF_CH_LEN 9
#define SSL2_HDR_LEN 11
#define SSL2_BODY_FIXED 9 /* the record bytes before the cipher specs */
#define SSL2_MT_CLIENT_HELLO 1

#define EXT_SNI 0x0000
#define EXT_GROUPS 0x000a
#define EXT_POINT_FORMATS 0x000b
#define EXT_SIG_ALGS 0x000d
#define EXT_ALPN 0x0010
#define EXT_SUPPORTED_VERSIONS 0x002b
#define EXT_ECH 0xfe0d

int dt_tls_is_grease(uint16_t v)
{
    /* RFC 8701: 0x0a0a, 0x1a1a, ..., 0xfafa (both bytes equal, low nibble 0xa). */
    return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

/* ------------------------------------------------------------------------ */
/* Small string helpers                                                       */

/* Appends formatted text; on overflow the buffer stays NUL-terminated and
 * further appends are ignored. */
typedef struct sbuf {
    char *p;
    size_t cap;
    size_t len;
    int full;
} sbuf;

static void sb_init(sbuf *s, char *p, size_t cap)
{
    s->p = p;
    s->cap = cap;
    s->len = 0;
    s->full = 0;
    if (cap)
        p[0] = '\0';
}

static void sb_putn(sbuf *s, const char *t, size_t n)
{
    if (s->full || s->len + n + 1 > s->cap) {
        s->full = 1;
        return;
    }
    for (size_t i = 0; i < n; i++) /* a few bytes: cheaper than a memcpy call */
        s->p[s->len + i] = t[i];
    s->len += n;
    s->p[s->len] = '\0';
}

static void sb_puts(sbuf *s, const char *t)
{
    sb_putn(s, t, strlen(t));
}

/* Writes a 16-bit value as decimal (JA3) or as 4 lowercase hex digits (JA4)
 * at d and returns its length; hand-rolled because snprintf dominated the cost
 * of a ClientHello. */
static size_t fmt_u16(char *d, unsigned v, int hex4)
{
    static const char hx[] = "0123456789abcdef";
    v &= 0xffff;
    if (hex4) {
        d[0] = hx[v >> 12];
        d[1] = hx[(v >> 8) & 15];
        d[2] = hx[(v >> 4) & 15];
        d[3] = hx[v & 15];
        return 4;
    }
    size_t n = v >= 10000 ? 5 : v >= 1000 ? 4 : v >= 100 ? 3 : v >= 10 ? 2 : 1, i = n;
    for (; v >= 100; v /= 100) /* two digits a step */
        dt_put_2digits(d + (i -= 2), v % 100);
    if (v >= 10)
        dt_put_2digits(d + i - 2, v);
    else
        d[i - 1] = (char)('0' + v);
    return n;
}

static void sb_u(sbuf *s, unsigned v, int hex4)
{
    char tmp[8];
    sb_putn(s, tmp, fmt_u16(tmp, v, hex4));
}

static void sb_list(sbuf *s, const uint16_t *v, int n, int hex4, char sep)
{
    for (int i = 0; i < n; i++) {
        if (!s->full && s->len + 8 <= s->cap) { /* separator, 5 digits, NUL: in place */
            if (i)
                s->p[s->len++] = sep;
            s->len += fmt_u16(s->p + s->len, v[i], hex4);
            s->p[s->len] = '\0';
            continue;
        }
        if (i)
            sb_putn(s, &sep, 1);
        sb_u(s, v[i], hex4);
    }
}

static void hexstr(const unsigned char *d, size_t n, char *out)
{
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hx[d[i] >> 4];
        out[2 * i + 1] = hx[d[i] & 15];
    }
    out[2 * n] = '\0';
}

/* Digest of s into d; returns the digest length.  The low-level MD5 and
 * SHA-256 (deprecated in OpenSSL 3 for having no provider) hash on a context
 * on the stack: the EVP path cost a provider fetch, a per-thread context and
 * about 800 instructions of set-up per hash (two JA4 hashes and JA3 per hello,
 * JA3S per ServerHello), and they cannot fail. */
static unsigned digest_of(int sha256, const char *s, size_t len, unsigned char *d)
{
    if (sha256) {
        SHA256_CTX c;
        SHA256_Init(&c);
        SHA256_Update(&c, s, len);
        SHA256_Final(d, &c);
        return SHA256_DIGEST_LENGTH;
    }
    MD5_CTX c;
    MD5_Init(&c);
    MD5_Update(&c, s, len);
    MD5_Final(d, &c);
    return MD5_DIGEST_LENGTH;
}

/* The digests of recent strings, per thread and algorithm: a JA3S string
 * (the ServerHello's version, cipher and extension types) comes again with
 * every connection to the same kind of server, and so do the two JA4 lists
 * of a client (sorted, so the same even when the client shuffles its
 * extensions); the digest costs more than parsing the hello.  A few hundred
 * strings recur in a large capture, interleaved, so the memo is a 4-way set
 * associative table (round robin within a set).  The key is the whole
 * string. */
#define MEMO_SETS 128
#define MEMO_WAYS 4
#define MEMO_KEY 256

typedef struct memo_entry {
    uint64_t hash;
    size_t len;   /* 0: empty */
    char hex[33]; /* the first 16 bytes of the digest in hex */
    char s[MEMO_KEY];
} memo_entry;

typedef struct digest_memo {
    struct {
        unsigned next; /* the way replaced next */
        memo_entry e[MEMO_WAYS];
    } set[MEMO_SETS];
} digest_memo;

static dt_tlocal memo_slot[2] = {DT_TLOCAL_INIT(NULL), DT_TLOCAL_INIT(NULL)};

/* Hex of the first 16 bytes of the MD5 or SHA-256 of s (out: 33 bytes, "" on
 * failure). */
static void digest_hex(int sha256, const char *s, size_t len, char out[33])
{
    digest_memo *m = len && len <= MEMO_KEY ? dt_tlocal_get(&memo_slot[sha256], sizeof *m) : NULL;
    uint64_t h = m ? dt_hash_final(dt_hash_mem(DT_HASH_INIT, s, len)) : 0;
    memo_entry *set = m ? m->set[h % MEMO_SETS].e : NULL;
    for (int i = 0; set && i < MEMO_WAYS; i++)
        if (set[i].hash == h && set[i].len == len && memcmp(set[i].s, s, len) == 0) {
            memcpy(out, set[i].hex, 33);
            return;
        }
    unsigned char d[SHA256_DIGEST_LENGTH];
    if (digest_of(sha256, s, len, d) != (sha256 ? 32u : 16u)) {
        out[0] = '\0';
        return;
    }
    hexstr(d, 16, out);
    if (!m)
        return;
    memo_entry *e = &set[m->set[h % MEMO_SETS].next++ % MEMO_WAYS];
    e->hash = h;
    e->len = len;
    memcpy(e->s, s, len);
    memcpy(e->hex, out, 33);
}

/* MD5 hex (33 bytes incl. NUL) of a string. */
static void md5_hex(const char *s, char out[33])
{
    digest_hex(0, s, strlen(s), out);
}

/* First 12 hex chars of SHA-256; "000000000000" for an empty input (JA4). */
static void sha256_12(const char *s, char out[13])
{
    char full[33];
    size_t len = strlen(s);
    if (len)
        digest_hex(1, s, len, full);
    if (!len || !full[0]) {
        memcpy(out, "000000000000", 13);
        return;
    }
    memcpy(out, full, 12);
    out[12] = '\0';
}

/* Copies untrusted bytes as printable ASCII: other bytes become '?'. */
/* ------------------------------------------------------------------------ */
/* Names                                                                      */

const char *dt_tls_version_name(uint16_t v, char *buf, size_t len)
{
    switch (v) {
    case 0x0304:
        return "TLS1.3";
    case 0x0303:
        return "TLS1.2";
    case 0x0302:
        return "TLS1.1";
    case 0x0301:
        return "TLS1.0";
    case 0x0300:
        return "SSL3.0";
    case 0xfeff:
        return "DTLS1.0";
    case 0xfefd:
        return "DTLS1.2";
    case 0xfefc:
        return "DTLS1.3";
    case 0x0200:
    case 0x0002:
        return "SSL2.0";
    default:
        break;
    }
    if (!buf || !len)
        return "unknown";
    snprintf(buf, len, "0x%04x", v);
    return buf;
}

static const struct {
    uint16_t id;
    const char *name;
} cipher_names[] = {
    {0x0004, "TLS_RSA_WITH_RC4_128_MD5"},
    {0x0005, "TLS_RSA_WITH_RC4_128_SHA"},
    {0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA"},
    {0x0032, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA"},
    {0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA"},
    {0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA"},
    {0x0038, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA"},
    {0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA"},
    {0x003c, "TLS_RSA_WITH_AES_128_CBC_SHA256"},
    {0x003d, "TLS_RSA_WITH_AES_256_CBC_SHA256"},
    {0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA"},
    {0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256"},
    {0x006b, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256"},
    {0x0084, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA"},
    {0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256"},
    {0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384"},
    {0x009e, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"},
    {0x009f, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"},
    {0x00ff, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"},
    {0x1301, "TLS_AES_128_GCM_SHA256"},
    {0x1302, "TLS_AES_256_GCM_SHA384"},
    {0x1303, "TLS_CHACHA20_POLY1305_SHA256"},
    {0x1304, "TLS_AES_128_CCM_SHA256"},
    {0x1305, "TLS_AES_128_CCM_8_SHA256"},
    {0x5600, "TLS_FALLBACK_SCSV"},
    {0xc007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA"},
    {0xc008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA"},
    {0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"},
    {0xc00a, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"},
    {0xc011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA"},
    {0xc012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"},
    {0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"},
    {0xc023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"},
    {0xc024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384"},
    {0xc027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"},
    {0xc028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"},
    {0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"},
    {0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"},
    {0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
    {0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
    {0xc09c, "TLS_RSA_WITH_AES_128_CCM"},
    {0xc09d, "TLS_RSA_WITH_AES_256_CCM"},
    {0xc0ac, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM"},
    {0xc0ad, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM"},
    {0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0xccaa, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
};

const char *dt_tls_cipher_name(uint16_t cs, char *buf, size_t len)
{
    size_t lo = 0, hi = sizeof cipher_names / sizeof cipher_names[0];
    while (lo < hi) { /* table is sorted by id */
        size_t mid = lo + (hi - lo) / 2;
        if (cipher_names[mid].id == cs)
            return cipher_names[mid].name;
        if (cipher_names[mid].id < cs)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (!buf || !len)
        return "unknown";
    snprintf(buf, len, "0x%04x", cs);
    return buf;
}

/* ------------------------------------------------------------------------ */
/* ClientHello                                                                */

typedef struct u16list {
    uint16_t v[TLS_FP_MAX];
    int n;     /* entries stored */
    int total; /* entries seen (non-GREASE), may exceed n */
} u16list;

/* Empties a list: the entries past n are never read, so they are not
 * cleared (the five lists of a hello are 2.5 kB). */
static void l_clear(u16list *l)
{
    l->n = 0;
    l->total = 0;
}

static void l_add(u16list *l, uint16_t v)
{
    if (dt_tls_is_grease(v))
        return;
    l->total++;
    if (l->n < TLS_FP_MAX)
        l->v[l->n++] = v;
}

/* Shell sort (gaps 10, 4, 1): the lists are tens of entries in no order
 * (cipher preference, shuffled extensions); qsort's merge sort with a compare
 * call per step cost more than the hashing, and plain insertion sort moved
 * each entry a quarter of the list on average. */
static void sort_u16(uint16_t *v, int n)
{
    static const int gaps[] = {10, 4, 1};
    for (size_t g = 0; g < sizeof gaps / sizeof gaps[0]; g++) {
        int h = gaps[g];
        for (int i = h; i < n; i++) {
            uint16_t x = v[i];
            int j = i;
            for (; j >= h && v[j - h] > x; j -= h)
                v[j] = v[j - h];
            v[j] = x;
        }
    }
}

static const char *ja4_version(uint16_t v)
{
    switch (v) {
    case 0x0304:
        return "13";
    case 0x0303:
        return "12";
    case 0x0302:
        return "11";
    case 0x0301:
        return "10";
    case 0x0300:
        return "s3";
    case 0xfeff:
        return "d1";
    case 0xfefd:
        return "d2";
    case 0xfefc:
        return "d3";
    case 0x0200:
    case 0x0002:
        return "s2";
    case 0x0100:
        return "s1";
    default:
        return "00";
    }
}

static int is_alnum(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

typedef struct ch_lists {
    u16list ciphers, exts, groups, sigalgs, pf;
    int has_sni;
    const uint8_t *alpn0; /* raw first ALPN value */
    size_t alpn0_len;
} ch_lists;

static void lists_init(ch_lists *L)
{
    l_clear(&L->ciphers);
    l_clear(&L->exts);
    l_clear(&L->groups);
    l_clear(&L->sigalgs);
    l_clear(&L->pf);
    L->has_sni = 0;
    L->alpn0 = NULL;
    L->alpn0_len = 0;
}

static void parse_ext_sni(dt_cur e, dt_tls_client *out)
{
    dt_cur list = dt_sub(&e, dt_be16(&e));
    while (dt_left(&list) > 0 && dt_ok(&list)) {
        uint8_t type = dt_u8(&list);
        uint16_t n = dt_be16(&list);
        const uint8_t *name = dt_bytes(&list, n);
        if (!name)
            break;
        if (type == 0 && !out->sni[0]) {
            dt_copy_printable(out->sni, sizeof out->sni, name, n);
            break;
        }
    }
}

static void parse_ext_alpn(dt_cur e, dt_tls_client *out, ch_lists *L)
{
    dt_cur list = dt_sub(&e, dt_be16(&e));
    while (dt_left(&list) > 0 && dt_ok(&list)) {
        uint8_t n = dt_u8(&list);
        const uint8_t *p = dt_bytes(&list, n);
        if (!p)
            break;
        if (!L->alpn0) {
            L->alpn0 = p;
            L->alpn0_len = n;
        }
        if (out->n_alpn < DT_TLS_MAX_ALPN) {
            dt_copy_printable(out->alpn[out->n_alpn], sizeof out->alpn[0], p, n);
            out->n_alpn++;
        }
    }
}

static void parse_u16_vec(dt_cur *e, size_t len, u16list *l)
{
    dt_cur v = dt_sub(e, len);
    while (dt_left(&v) >= 2 && dt_ok(&v))
        l_add(l, dt_be16(&v));
}

static void parse_extension(uint16_t type, dt_cur e, dt_tls_client *out, ch_lists *L)
{
    switch (type) {
    case EXT_SNI:
        L->has_sni = 1;
        parse_ext_sni(e, out);
        break;
    case EXT_ALPN:
        parse_ext_alpn(e, out, L);
        break;
    case EXT_GROUPS:
        parse_u16_vec(&e, dt_be16(&e), &L->groups);
        break;
    case EXT_SIG_ALGS:
        parse_u16_vec(&e, dt_be16(&e), &L->sigalgs);
        break;
    case EXT_POINT_FORMATS: {
        dt_cur v = dt_sub(&e, dt_u8(&e));
        while (dt_left(&v) > 0 && dt_ok(&v))
            l_add(&L->pf, dt_u8(&v));
        break;
    }
    case EXT_SUPPORTED_VERSIONS: {
        u16list vs;
        l_clear(&vs);
        parse_u16_vec(&e, dt_u8(&e), &vs);
        for (int i = 0; i < vs.n && out->n_versions < 16; i++)
            out->versions[out->n_versions++] = vs.v[i];
        break;
    }
    case EXT_ECH:
        out->ech = 1;
        break;
    default:
        break;
    }
}

static void compute_ja3(const dt_tls_client *out, const ch_lists *L, char ja3[33])
{
    char s[8192];
    sbuf b;
    sb_init(&b, s, sizeof s);
    sb_u(&b, out->legacy_version, 0);
    sb_puts(&b, ",");
    sb_list(&b, L->ciphers.v, L->ciphers.n, 0, '-');
    sb_puts(&b, ",");
    sb_list(&b, L->exts.v, L->exts.n, 0, '-');
    sb_puts(&b, ",");
    sb_list(&b, L->groups.v, L->groups.n, 0, '-');
    sb_puts(&b, ",");
    sb_list(&b, L->pf.v, L->pf.n, 0, '-');
    md5_hex(s, ja3);
}

static void compute_ja4(const dt_tls_client *out, const ch_lists *L, int kind, char *ja4,
                        size_t cap)
{
    uint16_t ver = out->legacy_version;
    /* the newest offered version: DTLS numbers count down (0xfefc is 1.3) */
    uint16_t flip = kind == DT_TLS_OVER_DTLS ? 0xffff : 0;
    if (out->n_versions) {
        ver = out->versions[0];
        for (int i = 1; i < out->n_versions; i++)
            if ((out->versions[i] ^ flip) > (ver ^ flip))
                ver = out->versions[i];
    }
    char alpn[3] = "00";
    if (L->alpn0 && L->alpn0_len > 0) {
        uint8_t f = L->alpn0[0], l = L->alpn0[L->alpn0_len - 1];
        if (is_alnum(f) && is_alnum(l)) {
            alpn[0] = (char)f;
            alpn[1] = (char)l;
        } else {
            static const char hx[] = "0123456789abcdef";
            alpn[0] = hx[f >> 4];
            alpn[1] = hx[l & 15];
        }
    }
    int nc = L->ciphers.total > 99 ? 99 : L->ciphers.total;
    int ne = L->exts.total > 99 ? 99 : L->exts.total;

    /* b: sorted ciphers */
    uint16_t tmp[TLS_FP_MAX];
    char s[4096], hb[13], hc[13];
    sbuf b;
    memcpy(tmp, L->ciphers.v, sizeof(uint16_t) * (size_t)L->ciphers.n);
    sort_u16(tmp, L->ciphers.n);
    sb_init(&b, s, sizeof s);
    sb_list(&b, tmp, L->ciphers.n, 1, ',');
    sha256_12(s, hb);

    /* c: sorted extensions without SNI/ALPN, then signature algorithms in order */
    int n = 0;
    for (int i = 0; i < L->exts.n; i++)
        if (L->exts.v[i] != EXT_SNI && L->exts.v[i] != EXT_ALPN)
            tmp[n++] = L->exts.v[i];
    sort_u16(tmp, n);
    sb_init(&b, s, sizeof s);
    sb_list(&b, tmp, n, 1, ',');
    if (L->sigalgs.n) {
        sb_puts(&b, "_");
        sb_list(&b, L->sigalgs.v, L->sigalgs.n, 1, ',');
    }
    if (n == 0)
        s[0] = '\0'; /* no extensions: empty list hashes to zeros */
    sha256_12(s, hc);

    /* "%c%s%c%02d%02d%s_%s_%s", written out (snprintf cost a tenth of the hello) */
    const char *v = ja4_version(ver);
    char head[11] = {"tqd"[kind], v[0], v[1], 'i', 0, 0, 0, 0, alpn[0], alpn[1], '_'};
    if (L->has_sni)
        head[3] = 'd';
    dt_put_2digits(head + 4, (unsigned)nc);
    dt_put_2digits(head + 6, (unsigned)ne);
    sb_init(&b, ja4, cap);
    sb_putn(&b, head, sizeof head);
    sb_putn(&b, hb, 12);
    sb_putn(&b, "_", 1);
    sb_putn(&b, hc, 12);
    if (b.full)
        ja4[0] = '\0'; /* cannot happen with the field sizes above; never a cut value */
}

/* JA3 and JA4 of the last ClientHellos, per thread: a device's TLS stacks
 * send the same lists again and again, and the strings, sorts and digests of
 * the two fingerprints cost more than parsing the hello.  The key is every
 * input of both, so a hit is exactly the same answer. */
#define FP_MEMO 16
#define FP_KEY_MAX (8 + 2 * 16 + 3 + 5 * (4 + 2 * TLS_FP_MAX))

typedef struct fp_entry {
    uint64_t hash;
    size_t len; /* 0: empty */
    char ja3[33], ja4[40];
    uint8_t key[FP_KEY_MAX];
} fp_entry;

typedef struct fp_memo {
    unsigned next; /* the entry replaced next (round robin) */
    fp_entry e[FP_MEMO];
} fp_memo;

static dt_tlocal fp_slot = DT_TLOCAL_INIT(NULL);

static void put_be16(uint8_t *k, size_t *n, unsigned v)
{
    k[(*n)++] = (uint8_t)(v >> 8);
    k[(*n)++] = (uint8_t)v;
}

static size_t fp_key(const dt_tls_client *out, const ch_lists *L, int kind, uint8_t *k)
{
    size_t n = 0;
    k[n++] = (uint8_t)kind;
    k[n++] = (uint8_t)L->has_sni;
    put_be16(k, &n, out->legacy_version);
    put_be16(k, &n, (unsigned)out->n_versions);
    for (int i = 0; i < out->n_versions; i++)
        put_be16(k, &n, out->versions[i]);
    int alpn = L->alpn0 && L->alpn0_len > 0;
    k[n++] = (uint8_t)alpn;
    k[n++] = alpn ? L->alpn0[0] : 0;
    k[n++] = alpn ? L->alpn0[L->alpn0_len - 1] : 0;
    const u16list *lists[] = {&L->ciphers, &L->exts, &L->groups, &L->sigalgs, &L->pf};
    for (size_t l = 0; l < sizeof lists / sizeof lists[0]; l++) {
        put_be16(k, &n, (unsigned)lists[l]->n);
        put_be16(k, &n, lists[l]->total > 100 ? 100u : (unsigned)lists[l]->total);
        for (int i = 0; i < lists[l]->n; i++)
            put_be16(k, &n, lists[l]->v[i]);
    }
    return n;
}

static void fingerprints(dt_tls_client *out, const ch_lists *L, int kind)
{
    fp_memo *m = dt_tlocal_get(&fp_slot, sizeof *m);
    uint8_t key[FP_KEY_MAX];
    size_t n = m ? fp_key(out, L, kind, key) : 0;
    uint64_t h = dt_hash_mem(DT_HASH_INIT, key, n);
    for (int i = 0; m && i < FP_MEMO; i++) {
        const fp_entry *e = &m->e[i];
        if (e->len == n && e->hash == h && memcmp(e->key, key, n) == 0) {
            memcpy(out->ja3, e->ja3, sizeof out->ja3);
            memcpy(out->ja4, e->ja4, sizeof out->ja4);
            return;
        }
    }
    compute_ja3(out, L, out->ja3);
    compute_ja4(out, L, kind, out->ja4, sizeof out->ja4);
    if (!m)
        return;
    fp_entry *e = &m->e[m->next++ % FP_MEMO];
    e->hash = h;
    e->len = n;
    memcpy(e->key, key, n);
    memcpy(e->ja3, out->ja3, sizeof e->ja3);
    memcpy(e->ja4, out->ja4, sizeof e->ja4);
}

static int hello_body(const uint8_t *body, size_t len, int kind, dt_tls_client *out);

/* The ClientHello message (type and length first) into *out, which the caller
 * cleared: once per call, not once per layer (the result is 1.6 kB). */
static int hello_msg(const uint8_t *hs, size_t len, int kind, dt_tls_client *out)
{
    dt_cur c = dt_cur_make(hs, len);
    if (dt_u8(&c) != DT_TLS_HS_CLIENT_HELLO)
        return -1;
    uint32_t blen = dt_be24(&c);
    const uint8_t *body = dt_bytes(&c, blen);
    if (!body)
        return -1;
    return hello_body(body, blen, kind, out);
}

int dt_tls_parse_client_hello(const uint8_t *hs, size_t len, int kind, dt_tls_client *out)
{
    if (!out)
        return -1;
    memset(out, 0, sizeof *out);
    if (kind < DT_TLS_OVER_TCP || kind > DT_TLS_OVER_DTLS)
        return -1;
    return hello_msg(hs, len, kind, out);
}

int dt_tls_parse_client_hello_body(const uint8_t *body, size_t len, int kind, dt_tls_client *out)
{
    if (!out || kind < DT_TLS_OVER_TCP || kind > DT_TLS_OVER_DTLS)
        return -1;
    memset(out, 0, sizeof *out);
    return hello_body(body, len, kind, out);
}

/* The body of a ClientHello into *out, which the caller cleared. */
static int hello_body(const uint8_t *body, size_t len, int kind, dt_tls_client *out)
{
    dt_cur b = dt_cur_make(body, len);
    ch_lists L;
    lists_init(&L);
    out->legacy_version = dt_be16(&b);
    dt_skip(&b, 32);        /* random */
    dt_skip(&b, dt_u8(&b)); /* session id */
    if (kind == DT_TLS_OVER_DTLS)
        dt_skip(&b, dt_u8(&b));          /* cookie (DTLS 1.2; legacy_cookie, empty, in 1.3) */
    dt_cur cs = dt_sub(&b, dt_be16(&b)); /* cipher suites */
    dt_skip(&b, dt_u8(&b));              /* compression methods */
    if (!dt_ok(&b) || (dt_left(&cs) & 1))
        return -1;
    while (dt_left(&cs) >= 2)
        l_add(&L.ciphers, dt_be16(&cs));

    if (dt_left(&b) >= 2) {
        dt_cur exts = dt_sub(&b, dt_be16(&b));
        /* A truncated extension block is tolerated: keep what is complete (a
         * DTLS first fragment may end anywhere in the block). */
        if (kind == DT_TLS_OVER_DTLS)
            exts.err = 0;
        while (dt_left(&exts) >= 4 && dt_ok(&exts)) {
            uint16_t type = dt_be16(&exts);
            uint16_t elen = dt_be16(&exts);
            dt_cur e = dt_sub(&exts, elen);
            if (!dt_ok(&exts))
                break;
            l_add(&L.exts, type);
            if (!dt_tls_is_grease(type))
                parse_extension(type, e, out, &L);
        }
    }

    for (int i = 0; i < L.ciphers.n && i < DT_TLS_MAX_LIST; i++)
        out->ciphers[out->n_ciphers++] = L.ciphers.v[i];
    for (int i = 0; i < L.exts.n && i < DT_TLS_MAX_LIST; i++)
        out->extensions[out->n_extensions++] = L.exts.v[i];
    fingerprints(out, &L, kind);
    out->present = 1;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Record layer                                                               */

/* Checks a record header; 1 = plausible TLS, 0 = not TLS, -1 = need more. */
static int record_header_ok(const uint8_t *p, size_t avail, int want_handshake)
{
    if (avail >= 1) {
        uint8_t t = p[DT_TLS_REC_OFF_TYPE];
        if (want_handshake ? t != DT_TLS_REC_HANDSHAKE : (t < TLS_REC_CCS || t > TLS_REC_APPDATA))
            return 0;
    }
    if (avail > DT_TLS_REC_OFF_MAJOR && p[DT_TLS_REC_OFF_MAJOR] != DT_TLS_REC_MAJOR)
        return 0;
    if (avail > DT_TLS_REC_OFF_MINOR && p[DT_TLS_REC_OFF_MINOR] > DT_TLS_REC_MINOR_MAX)
        return 0;
    if (avail >= DT_TLS_REC_HDR_LEN) {
        uint16_t l = dt_rd_be16(p + DT_TLS_REC_OFF_LEN);
        if (l == 0 || l > TLS_REC_MAX)
            return 0;
        return 1;
    }
    return -1;
}

/* Walks handshake records from the start of buf and gathers their payload into
 * hs (at most cap bytes).  Stops at the first non-handshake record (*stop set
 * to its type, or -1 if it is not a TLS record at all) or at the end of buf.  Returns the number of
 * bytes gathered, or -1 if the stream is not TLS. */
static long gather_handshake(const uint8_t *buf, size_t len, uint8_t *hs, size_t cap, int *stop,
                             int *trunc)
{
    dt_cur c = dt_cur_make(buf, len);
    size_t n = 0;
    int first = 1;
    *stop = 0;
    *trunc = 0;
    while (dt_left(&c) > 0) {
        int ok = record_header_ok(dt_ptr(&c), dt_left(&c), first);
        if (ok == 0) {
            if (first)
                return -1;
            *stop = -1; /* garbage after the handshake records: stop there */
            break;
        }
        if (ok < 0)
            break;
        uint8_t type = dt_u8(&c);
        dt_skip(&c, 2);
        uint16_t rlen = dt_be16(&c);
        if (type != DT_TLS_REC_HANDSHAKE) {
            *stop = type;
            break;
        }
        first = 0;
        dt_cur r = dt_sub(&c, rlen); /* may be truncated: use what is there */
        size_t take = dt_left(&r);
        if (take > cap - n) {
            take = cap - n;
            *trunc = 1;
        }
        memcpy(hs + n, dt_ptr(&r), take);
        n += take;
        if (*trunc || !dt_ok(&c))
            break;
    }
    return (long)n;
}

/* SSL 2.0-compatible CLIENT-HELLO (RFC 5246 appendix E.2), as sent by some
 * old clients offering TLS: 2-byte record header with the high bit set. */
static dt_parse_status parse_sslv2_hello(const uint8_t *buf, size_t len, dt_tls_client *out)
{
    if (len < 2)
        return DT_PARSE_MORE;
    size_t rlen = (size_t)(buf[0] & 0x7f) << 8 | buf[1];
    if (rlen < SSL2_BODY_FIXED + 3 + 16) /* one cipher spec, a 16-byte challenge */
        return DT_PARSE_NOT_MINE;
    /* Check the fixed header on whatever prefix is there. */
    if (len > SSL2_OFF_MSG_TYPE && buf[SSL2_OFF_MSG_TYPE] != SSL2_MT_CLIENT_HELLO)
        return DT_PARSE_NOT_MINE;
    const uint8_t *v = buf + SSL2_OFF_VERSION; /* major, minor */
    if (len >= SSL2_OFF_VERSION + 2 && !((v[0] == 3 && v[1] <= 4) || (v[0] == 0 && v[1] == 2)))
        return DT_PARSE_NOT_MINE;
    if (len < SSL2_HDR_LEN)
        return DT_PARSE_MORE;
    uint16_t cs_len = dt_rd_be16(buf + SSL2_OFF_CS_LEN),
             sid_len = dt_rd_be16(buf + SSL2_OFF_SID_LEN),
             ch_len = dt_rd_be16(buf + SSL2_OFF_CH_LEN);
    if (cs_len == 0 || cs_len % 3 || (sid_len != 0 && sid_len != 16) || ch_len < 16 ||
        ch_len > 32 || (size_t)SSL2_BODY_FIXED + cs_len + sid_len + ch_len != rlen)
        return DT_PARSE_NOT_MINE;
    if (len < 2 + rlen)
        return DT_PARSE_MORE;

    dt_cur c = dt_cur_make(buf + SSL2_HDR_LEN, cs_len);
    ch_lists L;
    lists_init(&L);
    memset(out, 0, sizeof *out);
    out->legacy_version = dt_rd_be16(buf + SSL2_OFF_VERSION);
    while (dt_left(&c) >= 3) {
        uint8_t kind = dt_u8(&c);
        uint16_t v = dt_be16(&c);
        if (kind == 0) /* SSL 2.0-only kinds have no TLS code point */
            l_add(&L.ciphers, v);
    }
    for (int i = 0; i < L.ciphers.n && i < DT_TLS_MAX_LIST; i++)
        out->ciphers[out->n_ciphers++] = L.ciphers.v[i];
    compute_ja3(out, &L, out->ja3);
    compute_ja4(out, &L, 0, out->ja4, sizeof out->ja4);
    out->present = 1;
    return DT_PARSE_DONE;
}

dt_parse_status dt_tls_parse_client_stream(const uint8_t *buf, size_t len, dt_tls_client *out)
{
    if (!out)
        return DT_PARSE_NOT_MINE;
    memset(out, 0, sizeof *out);
    if (!buf || len == 0)
        return DT_PARSE_MORE;
    if (buf[0] & 0x80)
        return parse_sslv2_hello(buf, len, out);
    int ok = record_header_ok(buf, len, 1);
    if (ok == 0)
        return DT_PARSE_NOT_MINE;
    if (ok < 0)
        return DT_PARSE_MORE;

    /* Fast path: the whole ClientHello sits in the first record. */
    uint16_t rlen = dt_rd_be16(buf + DT_TLS_REC_OFF_LEN);
    size_t avail = len - DT_TLS_REC_HDR_LEN < rlen ? len - DT_TLS_REC_HDR_LEN : rlen;
    const uint8_t *p = buf + DT_TLS_REC_HDR_LEN;
    if (avail > DT_TLS_HS_OFF_TYPE && p[DT_TLS_HS_OFF_TYPE] != DT_TLS_HS_CLIENT_HELLO)
        return DT_PARSE_NOT_MINE;
    if (avail >= HS_HDR_LEN) {
        uint32_t hlen = dt_rd_be24(p + HS_OFF_LEN);
        if (hlen < HS_CH_BODY_MIN || hlen + HS_HDR_LEN > TLS_HS_CAP)
            return DT_PARSE_NOT_MINE;
        if (avail >= hlen + HS_HDR_LEN)
            return hello_msg(p, hlen + HS_HDR_LEN, 0, out) == 0 ? DT_PARSE_DONE : DT_PARSE_NOT_MINE;
    }
    if (avail < rlen)
        return DT_PARSE_MORE; /* first record still incomplete */

    /* The handshake message continues in later records (even its header may). */
    uint8_t hs[TLS_HS_CAP];
    int stop, trunc;
    long n = gather_handshake(buf, len, hs, sizeof hs, &stop, &trunc);
    if (n < 0)
        return DT_PARSE_NOT_MINE;
    if (n >= HS_HDR_LEN) {
        uint32_t hlen = dt_rd_be24(hs + HS_OFF_LEN);
        if (hlen < HS_CH_BODY_MIN || hlen + HS_HDR_LEN > TLS_HS_CAP)
            return DT_PARSE_NOT_MINE;
        if ((size_t)n >= hlen + HS_HDR_LEN)
            return hello_msg(hs, hlen + HS_HDR_LEN, 0, out) == 0 ? DT_PARSE_DONE
                                                                 : DT_PARSE_NOT_MINE;
    }
    if (stop || trunc)
        return DT_PARSE_NOT_MINE; /* another record type interrupted the ClientHello */
    return DT_PARSE_MORE;
}

/* ------------------------------------------------------------------------ */
/* ServerHello and Certificate                                                */

static int parse_server_hello(const uint8_t *body, size_t len, dt_tls_server *out)
{
    dt_cur b = dt_cur_make(body, len);
    uint16_t legacy = dt_be16(&b);
    dt_skip(&b, 32);
    dt_skip(&b, dt_u8(&b));
    uint16_t cipher = dt_be16(&b);
    dt_skip(&b, 1); /* compression */
    if (!dt_ok(&b))
        return -1;
    out->version = legacy;
    out->cipher = cipher;

    u16list exts;
    l_clear(&exts);
    if (dt_left(&b) >= 2) {
        dt_cur e = dt_sub(&b, dt_be16(&b));
        while (dt_left(&e) >= 4 && dt_ok(&e)) {
            uint16_t type = dt_be16(&e);
            dt_cur x = dt_sub(&e, dt_be16(&e));
            if (!dt_ok(&e))
                break;
            l_add(&exts, type);
            if (type == EXT_SUPPORTED_VERSIONS && dt_left(&x) >= 2)
                out->version = dt_be16(&x);
        }
    }
    char s[2048];
    sbuf sb;
    sb_init(&sb, s, sizeof s);
    sb_u(&sb, legacy, 0);
    sb_puts(&sb, ",");
    sb_u(&sb, cipher, 0);
    sb_puts(&sb, ",");
    sb_list(&sb, exts.v, exts.n, 0, '-');
    md5_hex(s, out->ja3s);
    out->present = 1;
    return 0;
}

/* Looks at a (possibly partial) Certificate message body: 1 when the leaf was
 * decoded or is undecodable, 0 when more bytes are needed. */
static int try_certificate(const uint8_t *body, size_t avail, size_t full, dt_tls_server *out)
{
    dt_cur b = dt_cur_make(body, avail < full ? avail : full);
    uint32_t list_len = dt_be24(&b);
    uint32_t cert_len = dt_be24(&b);
    if (!dt_ok(&b))
        return avail >= full; /* header incomplete */
    if (list_len == 0 || cert_len == 0 || (size_t)cert_len + 6 > full)
        return 1; /* empty or inconsistent: nothing to decode */
    const uint8_t *der = dt_bytes(&b, cert_len);
    if (!der)
        return avail >= full;
    dt_x509_parse(der, cert_len, &out->cert);
    return 1;
}

/* Clears all that a reader of *out sees (flags, count, each string's first
 * byte): the rest (string tails, SANs past n_san) is never read, and the
 * 5 KB certificate is not cleared whole on every call while the stream grows
 * (4 M of real280); dt_x509_parse clears it whole when it writes one. */
static void server_clear(dt_tls_server *out)
{
    dt_tls_cert *ct = &out->cert;
    out->present = 0;
    out->version = 0;
    out->cipher = 0;
    memset(out->ja3s, 0, sizeof out->ja3s);
    ct->present = 0;
    ct->n_san = 0;
    ct->subject_cn[0] = ct->subject_o[0] = ct->issuer_o[0] = '\0';
    ct->not_before[0] = ct->not_after[0] = '\0';
}

dt_parse_status dt_tls_parse_server_stream(const uint8_t *buf, size_t len, dt_tls_server *out)
{
    if (!out)
        return DT_PARSE_NOT_MINE;
    server_clear(out);
    if (!buf || len == 0)
        return DT_PARSE_MORE;
    /* Some servers send a warning alert (e.g. unrecognized_name) before the
     * ServerHello: skip such 2-byte alert records. */
    while (len > 0 && buf[DT_TLS_REC_OFF_TYPE] == TLS_REC_ALERT) {
        if (record_header_ok(buf, len, 0) == 0)
            return DT_PARSE_NOT_MINE;
        if (len < DT_TLS_REC_HDR_LEN + ALERT_LEN)
            return DT_PARSE_MORE;
        if (dt_rd_be16(buf + DT_TLS_REC_OFF_LEN) != ALERT_LEN)
            return DT_PARSE_NOT_MINE;
        if (buf[ALERT_OFF_LEVEL] != ALERT_LEVEL_WARNING)
            return DT_PARSE_DONE; /* fatal alert: TLS, but no ServerHello will come */
        buf += DT_TLS_REC_HDR_LEN + ALERT_LEN;
        len -= DT_TLS_REC_HDR_LEN + ALERT_LEN;
    }
    if (len == 0)
        return DT_PARSE_MORE;
    int ok = record_header_ok(buf, len, 1);
    if (ok == 0)
        return DT_PARSE_NOT_MINE;
    if (ok < 0)
        return DT_PARSE_MORE;
    if (len > DT_TLS_REC_HDR_LEN + DT_TLS_HS_OFF_TYPE &&
        buf[DT_TLS_REC_HDR_LEN + DT_TLS_HS_OFF_TYPE] != DT_TLS_HS_SERVER_HELLO)
        return DT_PARSE_NOT_MINE;

    uint8_t hs[TLS_HS_CAP];
    int stop, trunc;
    long n = gather_handshake(buf, len, hs, sizeof hs, &stop, &trunc);
    if (n < 0)
        return DT_PARSE_NOT_MINE;

    /* Walk the gathered handshake messages. */
    dt_cur c = dt_cur_make(hs, (size_t)n);
    while (dt_left(&c) >= 4) {
        uint8_t type = dt_u8(&c);
        uint32_t mlen = dt_be24(&c);
        size_t avail = dt_left(&c);
        const uint8_t *body = dt_ptr(&c);
        if (!out->present && type != DT_TLS_HS_SERVER_HELLO)
            return DT_PARSE_NOT_MINE;
        if (type == HS_CERTIFICATE) {
            if (try_certificate(body, avail, mlen, out))
                return DT_PARSE_DONE;
            break; /* need more */
        }
        if (avail < mlen)
            break;
        if (type == DT_TLS_HS_SERVER_HELLO && !out->present) {
            if (parse_server_hello(body, mlen, out) < 0)
                return DT_PARSE_NOT_MINE;
            if (out->version >= 0x0304)
                return DT_PARSE_DONE; /* TLS 1.3 (or a draft): the certificate is encrypted */
        } else if (type == HS_SERVER_HELLO_DONE) {
            return DT_PARSE_DONE; /* ServerHelloDone without Certificate (e.g. PSK/anon) */
        }
        dt_skip(&c, mlen);
    }
    if (stop || trunc)
        return out->present ? DT_PARSE_DONE : DT_PARSE_NOT_MINE;
    return DT_PARSE_MORE;
}
