/* QUIC Initial decryption and CRYPTO stream reassembly; see quic.h. */
/* SHA256_CTX is deprecated in OpenSSL 3 for lack of a provider; here that is
 * the point: its state is a plain struct that copies (see hmac_key). */
#define OPENSSL_API_COMPAT 10101

#include "proto/quic.h"

#include "util/cursor.h"
#include "util/tlocal.h"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* TLS handshake message header carried in the CRYPTO stream: type, 24-bit length. */
#define TLS_HS_OFF_TYPE 0
#define TLS_HS_OFF_LEN 1
#define TLS_HS_HDR_LEN 4
#define TLS_HS_CLIENT_HELLO 1

/* ---- versions ---------------------------------------------------------- */

static const uint8_t salt_v1[20] = {0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
                                    0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a};
static const uint8_t salt_v2[20] = {0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
                                    0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9};
static const uint8_t salt_d29[20] = {0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97,
                                     0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99};
static const uint8_t salt_d23[20] = {0xc3, 0xee, 0xf7, 0x12, 0xc7, 0x2e, 0xbb, 0x5a, 0x11, 0xa7,
                                     0xd2, 0x43, 0x2b, 0xb4, 0x63, 0x65, 0xbe, 0xf9, 0xf5, 0x02};
static const uint8_t salt_d22[20] = {0x7f, 0xbc, 0xdb, 0x0e, 0x7c, 0x66, 0xbb, 0xe9, 0x19, 0x3a,
                                     0x96, 0xcd, 0x21, 0x51, 0x9e, 0xbd, 0x7a, 0x02, 0x64, 0x4a};

/* Google QUIC with TLS (T050, T051): IETF long header and CRYPTO frames */
static const uint8_t salt_t050[20] = {0x7f, 0xf5, 0x79, 0xe5, 0xac, 0xd0, 0x72, 0x91, 0x55, 0x80,
                                      0x30, 0x4c, 0x43, 0xa2, 0x36, 0x7c, 0x60, 0x48, 0x83, 0x10};
static const uint8_t salt_t051[20] = {0x7a, 0x4e, 0xde, 0xf4, 0xe7, 0xcc, 0xee, 0x5f, 0xa4, 0x50,
                                      0x6c, 0x19, 0x12, 0x4f, 0xc8, 0xcc, 0xda, 0x6e, 0x03, 0x3d};
#define V_T050 0x54303530u
#define V_T051 0x54303531u

/* 0x?a?a?a?a: reserved to force version negotiation (RFC 9000 15) */
static int is_grease(uint32_t v)
{
    return (v & 0x0f0f0f0fu) == 0x0a0a0a0au;
}

/* IETF draft number behind a version, 0 for RFC versions, -1 if unknown. */
static int draft_of(uint32_t v)
{
    if (v >= 0xff000016u && v <= 0xff000022u)
        return (int)(v & 0xff);
    if (v == 0xfaceb001u)
        return 22;
    if (v == 0xfaceb002u || v == 0xfaceb00eu)
        return 27;
    if (v == DT_QUIC_V1 || v == DT_QUIC_V2 || v == V_T050 || v == V_T051)
        return 0;
    if (is_grease(v))
        return 29; /* clients that probe with it mostly spoke draft-29 */
    return -1;
}

static const uint8_t *salt_of(uint32_t v)
{
    int d = draft_of(v);
    if (d < 0)
        return NULL;
    if (v == DT_QUIC_V2)
        return salt_v2;
    if (v == V_T050)
        return salt_t050;
    if (v == V_T051)
        return salt_t051;
    if (d == 0 || d >= 33)
        return salt_v1;
    if (d >= 29)
        return salt_d29;
    if (d >= 23)
        return salt_d23;
    return salt_d22;
}

int dt_quic_version_supported(uint32_t version)
{
    return salt_of(version) != NULL;
}

const char *dt_quic_version_name(uint32_t version, char *buf, size_t len)
{
    if (!buf || !len)
        return buf;
    if (version == DT_QUIC_V1)
        snprintf(buf, len, "1");
    else if (version == DT_QUIC_V2)
        snprintf(buf, len, "2");
    else if ((version & 0xffffff00u) == 0xff000000u)
        snprintf(buf, len, "draft-%u", (unsigned)(version & 0xff));
    else if (version == 0xfaceb001u)
        snprintf(buf, len, "mvfst-22");
    else if (version == 0xfaceb002u)
        snprintf(buf, len, "mvfst-27");
    else if (version == 0xfaceb00eu)
        snprintf(buf, len, "mvfst-exp");
    else if (version == V_T050 || version == V_T051)
        snprintf(buf, len, "%s", version == V_T050 ? "T050" : "T051");
    else
        snprintf(buf, len, "0x%08x", (unsigned)version);
    return buf;
}

/* Long-header packet type of an Initial (RFC 9369 5: v2 renumbers them). */
static unsigned initial_type(uint32_t v)
{
    return v == DT_QUIC_V2 ? 1 : 0;
}
static unsigned retry_type(uint32_t v)
{
    return v == DT_QUIC_V2 ? 0 : 3;
}

/* ---- key derivation (HKDF-SHA256, RFC 5869 / RFC 8446 7.1) ------------- */

/* HMAC-SHA256 (RFC 2104) on SHA-256 states saved after the padded key block:
 * the salts' states are made once and a secret's are shared by its labels, so
 * a connection's keys take 14 compressions instead of 20, and the copies of a
 * plain SHA256_CTX cost nothing (an EVP_MD_CTX copy allocates). */
typedef struct hmac_key {
    SHA256_CTX in, out; /* after key ^ ipad, after key ^ opad */
} hmac_key;

/* key_len <= 64; SHA-256 without a provider cannot fail */
static void hmac_key_set(hmac_key *h, const uint8_t *key, size_t key_len)
{
    uint8_t pad[64];
    memset(pad, 0x36, sizeof pad);
    for (size_t i = 0; i < key_len; i++)
        pad[i] ^= key[i];
    SHA256_Init(&h->in);
    SHA256_Update(&h->in, pad, sizeof pad);
    for (size_t i = 0; i < sizeof pad; i++)
        pad[i] ^= 0x36 ^ 0x5c;
    SHA256_Init(&h->out);
    SHA256_Update(&h->out, pad, sizeof pad);
}

static void hmac_run(const hmac_key *h, const uint8_t *d, size_t n, uint8_t out[32])
{
    uint8_t inner[32];
    SHA256_CTX c = h->in;
    SHA256_Update(&c, d, n);
    SHA256_Final(inner, &c);
    c = h->out;
    SHA256_Update(&c, inner, sizeof inner);
    SHA256_Final(out, &c);
}

/* HKDF-Expand-Label with an empty context; out_len <= 32 (one HMAC block). */
static int expand_label(const hmac_key *secret, const char *label, uint8_t *out, size_t out_len)
{
    uint8_t info[2 + 1 + 255 + 1 + 1];
    size_t ll = strlen(label), n = 0;
    if (out_len > 32 || 6 + ll > 255)
        return -1;
    info[n++] = (uint8_t)(out_len >> 8);
    info[n++] = (uint8_t)out_len;
    info[n++] = (uint8_t)(6 + ll);
    memcpy(info + n, "tls13 ", 6);
    n += 6;
    memcpy(info + n, label, ll);
    n += ll;
    info[n++] = 0;    /* empty context */
    info[n++] = 0x01; /* T(1) counter */
    uint8_t t[32];
    hmac_run(secret, info, n, t);
    memcpy(out, t, out_len);
    return 0;
}

/* The salts as HMAC keys, made once per process. */
static const uint8_t *const salts[] = {salt_v1,  salt_v2,   salt_d29, salt_d23,
                                       salt_d22, salt_t050, salt_t051};
#define N_SALTS (sizeof salts / sizeof salts[0])
static hmac_key salt_keys[N_SALTS];
static pthread_once_t salt_once = PTHREAD_ONCE_INIT;

static void make_salt_keys(void)
{
    for (size_t i = 0; i < N_SALTS; i++)
        hmac_key_set(&salt_keys[i], salts[i], 20);
}

static const hmac_key *salt_key(const uint8_t *salt)
{
    pthread_once(&salt_once, make_salt_keys);
    for (size_t i = 0; i < N_SALTS; i++)
        if (salts[i] == salt)
            return &salt_keys[i];
    return NULL;
}

/* The two AES modes, fetched from the provider once per process (OpenSSL 3
 * looks implicit EVP_aes_128_gcm() and the like up again on every init, which
 * costs more than the work on one packet). */
static const EVP_CIPHER *aes_ecb, *aes_gcm;
static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;

/* The cipher contexts, one per mode and thread, made on first use with their
 * cipher set, then given only a new key (and nonce) per packet: switching one
 * context between the modes remade the provider's context twice a packet. */
typedef struct thread_ctx {
    int made;            /* 1 made, -1 could not be */
    EVP_CIPHER_CTX *ecb; /* header protection */
    EVP_CIPHER_CTX *gcm; /* payload */
} thread_ctx;

static void ctx_free(void *p)
{
    thread_ctx *t = p;
    EVP_CIPHER_CTX_free(t->ecb);
    EVP_CIPHER_CTX_free(t->gcm);
    free(t);
}

static dt_tlocal ctx_slot = DT_TLOCAL_INIT(ctx_free);

static void fetch_algorithms(void)
{
    EVP_CIPHER *ecb = EVP_CIPHER_fetch(NULL, "AES-128-ECB", NULL);
    EVP_CIPHER *gcm = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
    aes_ecb = ecb ? ecb : EVP_aes_128_ecb();
    aes_gcm = gcm ? gcm : EVP_aes_128_gcm();
}

/* This thread's contexts, or NULL when they cannot be made. */
static thread_ctx *contexts(void)
{
    pthread_once(&fetch_once, fetch_algorithms);
    thread_ctx *t = dt_tlocal_get(&ctx_slot, sizeof *t);
    if (!t || t->made)
        return t && t->made > 0 ? t : NULL;
    t->ecb = EVP_CIPHER_CTX_new();
    t->gcm = EVP_CIPHER_CTX_new();
    t->made = t->ecb && t->gcm && EVP_EncryptInit_ex(t->ecb, aes_ecb, NULL, NULL, NULL) == 1 &&
                      EVP_CIPHER_CTX_set_padding(t->ecb, 0) == 1 &&
                      EVP_DecryptInit_ex(t->gcm, aes_gcm, NULL, NULL, NULL) == 1 &&
                      EVP_CIPHER_CTX_ctrl(t->gcm, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) == 1
                  ? 1
                  : -1;
    return t->made > 0 ? t : NULL;
}

int dt_quic_client_keys(uint32_t version, const uint8_t *dcid, size_t dcid_len, dt_quic_keys *k)
{
    const uint8_t *salt = salt_of(version);
    const hmac_key *sk = salt ? salt_key(salt) : NULL;
    if (!sk || !k || dcid_len > 20 || (dcid_len && !dcid))
        return -1;
    int v2 = version == DT_QUIC_V2;
    hmac_key h;
    hmac_run(sk, dcid, dcid_len, k->initial_secret);
    hmac_key_set(&h, k->initial_secret, 32);
    if (expand_label(&h, "client in", k->client_secret, 32))
        return -1;
    hmac_key_set(&h, k->client_secret, 32);
    if (expand_label(&h, v2 ? "quicv2 key" : "quic key", k->key, 16) ||
        expand_label(&h, v2 ? "quicv2 iv" : "quic iv", k->iv, 12) ||
        expand_label(&h, v2 ? "quicv2 hp" : "quic hp", k->hp, 16))
        return -1;
    return 0;
}

/* ---- CRYPTO stream reassembly ----------------------------------------- */

void dt_quic_init(dt_quic_state *st)
{
    /* the buffer needs no clearing: only recorded ranges are ever read */
    memset(st, 0, offsetof(dt_quic_state, buf));
}

size_t dt_quic_crypto_prefix(const dt_quic_state *st, const uint8_t **p)
{
    if (p)
        *p = st->buf;
    if (st->n_ranges > 0 && st->ranges[0].start == 0)
        return st->ranges[0].end;
    return 0;
}

/* Stores CRYPTO data at stream offset off; bytes already held win. */
static void crypto_put(dt_quic_state *st, uint64_t off, const uint8_t *data, uint64_t n)
{
    if (n == 0 || off >= DT_QUIC_CRYPTO_BUF)
        return;
    if (n > DT_QUIC_CRYPTO_BUF - off)
        n = DT_QUIC_CRYPTO_BUF - off;
    uint32_t s = (uint32_t)off, e = (uint32_t)(off + n);

    /* ranges that overlap or touch [s, e) merge with it */
    int first = -1, last = -1;
    for (int i = 0; i < st->n_ranges; i++) {
        if (st->ranges[i].end >= s && st->ranges[i].start <= e) {
            if (first < 0)
                first = i;
            last = i;
        }
    }
    if (first < 0 && st->n_ranges >= DT_QUIC_MAX_RANGES)
        return; /* too fragmented: drop */

    /* copy only the gaps */
    uint32_t p = s;
    for (int i = 0; i < st->n_ranges && p < e; i++) {
        const dt_quic_range *r = &st->ranges[i];
        if (r->end <= p)
            continue;
        if (r->start >= e)
            break;
        if (r->start > p)
            memcpy(st->buf + p, data + (p - s), r->start - p);
        p = r->end;
    }
    if (p < e)
        memcpy(st->buf + p, data + (p - s), e - p);

    if (first < 0) {
        int at = 0;
        while (at < st->n_ranges && st->ranges[at].start < s)
            at++;
        memmove(&st->ranges[at + 1], &st->ranges[at],
                (size_t)(st->n_ranges - at) * sizeof(st->ranges[0]));
        st->ranges[at].start = s;
        st->ranges[at].end = e;
        st->n_ranges++;
        return;
    }
    uint32_t ms = st->ranges[first].start < s ? st->ranges[first].start : s;
    uint32_t me = st->ranges[last].end > e ? st->ranges[last].end : e;
    st->ranges[first].start = ms;
    st->ranges[first].end = me;
    int gone = last - first;
    if (gone > 0) {
        memmove(&st->ranges[first + 1], &st->ranges[last + 1],
                (size_t)(st->n_ranges - last - 1) * sizeof(st->ranges[0]));
        st->n_ranges -= gone;
    }
}

/* ---- frames ------------------------------------------------------------ */

/* Walks the frames of one decrypted Initial payload. */
static void parse_frames(dt_quic_state *st, uint32_t version, const uint8_t *p, size_t n)
{
    /* Google's T05x carries the CRYPTO stream in frame type 0x08 */
    uint64_t crypto_type = (version == V_T050 || version == V_T051) ? 0x08 : 0x06;
    dt_cur c = dt_cur_make(p, n);
    while (dt_left(&c) > 0 && dt_ok(&c)) {
        uint64_t type = dt_varint(&c);
        if (!dt_ok(&c))
            return;
        if (type == crypto_type)
            type = 0x06;
        else if (type == 0x06)
            return;
        switch (type) {
        case 0x00: /* PADDING */
            while (dt_has(&c, 1) && *dt_ptr(&c) == 0)
                dt_skip(&c, 1);
            break;
        case 0x01: /* PING */
            break;
        case 0x02:
        case 0x03: {             /* ACK */
            (void)dt_varint(&c); /* largest acknowledged */
            (void)dt_varint(&c); /* delay */
            uint64_t count = dt_varint(&c);
            (void)dt_varint(&c); /* first range */
            for (uint64_t i = 0; i < count && dt_ok(&c); i++) {
                (void)dt_varint(&c); /* gap */
                (void)dt_varint(&c); /* range length */
            }
            if (type == 0x03) {
                (void)dt_varint(&c);
                (void)dt_varint(&c);
                (void)dt_varint(&c);
            }
            break;
        }
        case 0x06: { /* CRYPTO */
            uint64_t off = dt_varint(&c);
            uint64_t len = dt_varint(&c);
            if (!dt_ok(&c) || len > dt_left(&c))
                return;
            const uint8_t *d = dt_bytes(&c, (size_t)len);
            if (d)
                crypto_put(st, off, d, len);
            break;
        }
        case 0x1c:
        case 0x1d: {             /* CONNECTION_CLOSE */
            (void)dt_varint(&c); /* error code */
            if (type == 0x1c)
                (void)dt_varint(&c); /* frame type */
            uint64_t rl = dt_varint(&c);
            if (!dt_ok(&c) || rl > dt_left(&c))
                return;
            dt_skip(&c, (size_t)rl);
            break;
        }
        default:
            return; /* not allowed in Initial packets or unknown: stop */
        }
    }
}

/* ---- packet protection ------------------------------------------------- */

#define MAX_PLAIN 16384 /* larger Initial payloads are skipped */

/* RFC 9000 A.3: full packet number from its truncated encoding. */
static uint64_t decode_pn(uint64_t largest, int have, uint64_t truncated, unsigned bits)
{
    uint64_t expected = have ? largest + 1 : 0;
    uint64_t win = (uint64_t)1 << bits, hwin = win / 2, mask = win - 1;
    uint64_t cand = (expected & ~mask) | truncated;
    if (cand + hwin <= expected && cand < ((uint64_t)1 << 62) - win)
        return cand + win;
    if (cand > expected + hwin && cand >= win)
        return cand - win;
    return cand;
}

/* Removes header protection and decrypts one Initial packet with the given
 * keys.  pkt/pkt_len is the whole packet, pn_off the offset of the packet
 * number.  Returns the plaintext length, or -1 (bad sample, bad tag). */
static long unprotect(const thread_ctx *t, const uint8_t key[16], const uint8_t iv[12],
                      const uint8_t hp[16], const uint8_t *pkt, size_t pkt_len, size_t pn_off,
                      uint8_t *plain, uint64_t *pn_out, const dt_quic_state *st)
{
    dt_cur c = dt_cur_make(pkt, pkt_len);
    uint8_t first = dt_u8(&c);
    const uint8_t *hdr_rest = dt_bytes(&c, pn_off - 1); /* version .. length */
    dt_cur at_pn = c;
    dt_skip(&c, 4);
    const uint8_t *sample = dt_bytes(&c, 16); /* as if the packet number had 4 bytes */
    if (!dt_ok(&c) || !hdr_rest || !sample || pn_off < 1)
        return -1;
    uint8_t mask[32];
    int ml = 0;
    if (EVP_EncryptInit_ex(t->ecb, NULL, NULL, hp, NULL) != 1 ||
        EVP_EncryptUpdate(t->ecb, mask, &ml, sample, 16) != 1 || ml != 16)
        return -1;
    first ^= mask[0] & 0x0f;
    size_t pn_len = (size_t)(first & 3) + 1;
    const uint8_t *pnp = dt_bytes(&at_pn, pn_len);
    if (!pnp || dt_left(&at_pn) < 16)
        return -1;
    uint8_t pnb[4];
    uint64_t trunc = 0;
    for (size_t i = 0; i < pn_len; i++) {
        pnb[i] = (uint8_t)(pnp[i] ^ mask[1 + i]);
        trunc = trunc << 8 | pnb[i];
    }
    uint64_t pn = decode_pn(st->largest_pn, st->have_pn, trunc, (unsigned)(8 * pn_len));
    size_t ct_len = dt_left(&at_pn) - 16;
    if (ct_len > MAX_PLAIN)
        return -1;
    const uint8_t *ct = dt_bytes(&at_pn, ct_len);
    const uint8_t *tag = dt_bytes(&at_pn, 16);
    if (!dt_ok(&at_pn) || !tag)
        return -1;
    uint8_t nonce[12], tagbuf[16];
    memcpy(tagbuf, tag, 16);
    memcpy(nonce, iv, 12);
    for (int i = 0; i < 8; i++)
        nonce[11 - i] ^= (uint8_t)(pn >> (8 * i));

    /* AAD: the header with first byte and packet number unprotected */
    int outl = 0, fin = 0;
    EVP_CIPHER_CTX *ctx = t->gcm;
    if (EVP_DecryptInit_ex(ctx, NULL, NULL, key, nonce) != 1 ||
        EVP_DecryptUpdate(ctx, NULL, &outl, &first, 1) != 1 ||
        (pn_off > 1 && EVP_DecryptUpdate(ctx, NULL, &outl, hdr_rest, (int)(pn_off - 1)) != 1) ||
        EVP_DecryptUpdate(ctx, NULL, &outl, pnb, (int)pn_len) != 1)
        return -1;
    outl = 0;
    if (ct_len && EVP_DecryptUpdate(ctx, plain, &outl, ct, (int)ct_len) != 1)
        return -1;
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, tagbuf) != 1 ||
        EVP_DecryptFinal_ex(ctx, plain + outl, &fin) != 1)
        return -1; /* authentication failed */
    *pn_out = pn;
    return (long)ct_len;
}

static int same_dcid(const dt_quic_state *st, const uint8_t *dcid, size_t n)
{
    return st->dcid_len == n && (n == 0 || memcmp(st->dcid, dcid, n) == 0);
}

static int set_keys(dt_quic_state *st, uint32_t version, const uint8_t *dcid, size_t n)
{
    dt_quic_keys k;
    if (dt_quic_client_keys(version, dcid, n, &k))
        return -1;
    st->have_keys = 1;
    st->key_version = version;
    st->dcid_len = (uint8_t)n;
    if (n)
        memcpy(st->dcid, dcid, n);
    memcpy(st->key, k.key, 16);
    memcpy(st->iv, k.iv, 12);
    memcpy(st->hp, k.hp, 16);
    return 0;
}

/* Decrypts one Initial and feeds its frames.  The first Initial's DCID sets
 * the keys; a packet that fails with them but carries another DCID (after a
 * Retry) is tried with keys from its own DCID, which then replace them. */
static void handle_initial(dt_quic_state *st, const thread_ctx *t, uint32_t version,
                           const uint8_t *dcid, size_t dcid_len, const uint8_t *pkt, size_t pkt_len,
                           size_t pn_off)
{
    uint8_t plain[MAX_PLAIN];
    uint64_t pn = 0;
    long n = -1;
    if (!t)
        return;
    if (!st->have_keys || st->key_version != version) {
        if (set_keys(st, version, dcid, dcid_len))
            return;
    }
    n = unprotect(t, st->key, st->iv, st->hp, pkt, pkt_len, pn_off, plain, &pn, st);
    if (n < 0 && !same_dcid(st, dcid, dcid_len)) {
        dt_quic_keys k;
        if (dt_quic_client_keys(version, dcid, dcid_len, &k))
            return;
        n = unprotect(t, k.key, k.iv, k.hp, pkt, pkt_len, pn_off, plain, &pn, st);
        if (n >= 0)
            (void)set_keys(st, version, dcid, dcid_len);
    }
    if (n < 0)
        return;
    st->n_decrypted++;
    if (!st->have_pn || pn > st->largest_pn)
        st->largest_pn = pn;
    st->have_pn = 1;
    parse_frames(st, version, plain, (size_t)n);
}

/* Walks the (possibly coalesced) long-header packets of one datagram.
 * Returns 1 if the datagram's first packet is a well-formed long-header
 * packet (not Retry) of a supported version, 0 otherwise. */
static int walk_datagram(dt_quic_state *st, const uint8_t *d, size_t len, const thread_ctx *t)
{
    dt_cur c = dt_cur_make(d, len);
    int first_ok = 0;
    for (int idx = 0; dt_left(&c) > 0; idx++) {
        size_t start = c.pos;
        uint8_t b = dt_u8(&c);
        if (!(b & 0x80))
            break; /* short header: runs to the end of the datagram */
        uint32_t version = dt_be32(&c);
        if (!dt_ok(&c) || version == 0 || !dt_quic_version_supported(version))
            break; /* version negotiation or unknown version */
        size_t dcid_len = dt_u8(&c);
        if (dcid_len > 20)
            break;
        const uint8_t *dcid = dt_bytes(&c, dcid_len);
        size_t scid_len = dt_u8(&c);
        if (scid_len > 20)
            break;
        dt_skip(&c, scid_len);
        unsigned type = (b >> 4) & 3;
        if (!dt_ok(&c) || type == retry_type(version))
            break;
        int initial = type == initial_type(version);
        if (initial) {
            uint64_t tl = dt_varint(&c);
            if (!dt_ok(&c) || tl > dt_left(&c))
                break;
            dt_skip(&c, (size_t)tl);
        }
        uint64_t plen = dt_varint(&c);
        if (!dt_ok(&c) || plen > dt_left(&c))
            break;
        size_t pn_off = c.pos - start;
        dt_skip(&c, (size_t)plen);
        if (idx == 0)
            first_ok = 1;
        if (st->phase == 0 || (initial && !st->seen_initial)) {
            st->phase = 1;
            st->version = version;
        }
        if (initial) {
            st->seen_initial = 1;
            handle_initial(st, t, version, dcid, dcid_len, d + start, pn_off + (size_t)plen,
                           pn_off);
        }
    }
    return first_ok;
}

int dt_quic_may_start(const uint8_t *d, size_t len)
{
    dt_cur c = dt_cur_make(d, len);
    uint8_t b = dt_u8(&c);
    uint32_t version = dt_be32(&c);
    uint8_t dcid_len = dt_u8(&c);
    return dt_ok(&c) && (b & 0x80) && version != 0 && dt_quic_version_supported(version) &&
           dcid_len <= 20;
}

static void fill_head(const dt_quic_state *st, dt_quic_info *out)
{
    memset(out, 0, sizeof(*out));
    if (st->phase >= 1) {
        out->present = 1;
        out->version = st->version;
        dt_quic_version_name(st->version, out->version_name, sizeof(out->version_name));
    }
}

dt_parse_status dt_quic_feed(dt_quic_state *st, const uint8_t *datagram, size_t len,
                             dt_quic_info *out)
{
    if (st->phase == 2)
        return DT_PARSE_DONE;
    if (st->phase < 0) {
        fill_head(st, out);
        return DT_PARSE_NOT_MINE;
    }
    st->n_dgrams++;
    const thread_ctx *t = contexts();
    int was_fresh = st->phase == 0;
    int ok = walk_datagram(st, datagram, len, t);
    if (was_fresh && !ok) {
        /* the flow does not start with a client Initial */
        dt_quic_init(st);
        st->phase = -1;
        fill_head(st, out);
        return DT_PARSE_NOT_MINE;
    }
    fill_head(st, out);

    const uint8_t *p;
    size_t have = dt_quic_crypto_prefix(st, &p);
    if (have >= TLS_HS_HDR_LEN) {
        uint32_t hl = dt_rd_be24(p + TLS_HS_OFF_LEN);
        if (p[TLS_HS_OFF_TYPE] != TLS_HS_CLIENT_HELLO ||
            (uint64_t)hl + TLS_HS_HDR_LEN > DT_QUIC_CRYPTO_BUF) {
            st->phase = 2; /* not a ClientHello, or too large: give up */
            return DT_PARSE_DONE;
        }
        if (have >= (size_t)hl + TLS_HS_HDR_LEN) {
            st->phase = 2;
            if (dt_tls_parse_client_hello(p, (size_t)hl + TLS_HS_HDR_LEN, 1, &out->hello) != 0)
                memset(&out->hello, 0, sizeof(out->hello));
            return DT_PARSE_DONE;
        }
    }
    if (st->n_dgrams >= DT_QUIC_MAX_DGRAMS) {
        st->phase = 2;
        return DT_PARSE_DONE;
    }
    return DT_PARSE_MORE;
}
