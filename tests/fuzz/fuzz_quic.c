/* QUIC Initial: a sequence of client datagrams (records) fed to one flow
 * state.  When the first input byte is odd, every record is the plaintext
 * frame payload of a client Initial packet, which this target encrypts with
 * the real Initial keys (v1, fixed DCID) and protects, so the fuzzer reaches
 * the CRYPTO frame reassembly and the ClientHello parser; otherwise records
 * go in as they are (header parsing, versions, lengths, AEAD failures). */
#include "fuzz.h"
#include "proto/quic.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t dcid[8] = {0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08};

/* Builds a protected Initial packet carrying plain (frames) into out; returns its length. */
static size_t build_initial(const dt_quic_keys *k, uint32_t pn, const uint8_t *plain, size_t plen,
                            uint8_t *out, size_t cap)
{
    size_t body = plen < 1150 ? 1150 : plen; /* PADDING up to a full-size datagram */
    size_t need = 1 + 4 + 1 + sizeof dcid + 1 + 1 + 2 + 4 + body + 16;
    if (need > cap || body + 4 + 16 > 0x3fff)
        return 0;
    size_t o = 0;
    out[o++] = 0xc3; /* long header, Initial, 4-byte packet number */
    out[o++] = 0, out[o++] = 0, out[o++] = 0, out[o++] = 1;
    out[o++] = sizeof dcid;
    memcpy(out + o, dcid, sizeof dcid);
    o += sizeof dcid;
    out[o++] = 0; /* SCID length */
    out[o++] = 0; /* token length */
    size_t length = 4 + body + 16;
    out[o++] = (uint8_t)(0x40 | length >> 8);
    out[o++] = (uint8_t)length;
    size_t pn_off = o;
    out[o++] = (uint8_t)(pn >> 24), out[o++] = (uint8_t)(pn >> 16);
    out[o++] = (uint8_t)(pn >> 8), out[o++] = (uint8_t)pn;
    uint8_t *pt = calloc(1, body);
    if (!pt)
        abort();
    memcpy(pt, plain, plen);
    uint8_t nonce[12];
    memcpy(nonce, k->iv, 12);
    for (int i = 0; i < 4; i++)
        nonce[8 + i] ^= (uint8_t)(pn >> (24 - 8 * i));
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int l = 0;
    EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), NULL, k->key, nonce);
    EVP_EncryptUpdate(c, NULL, &l, out, (int)o);
    EVP_EncryptUpdate(c, out + o, &l, pt, (int)body);
    EVP_EncryptFinal_ex(c, out + o + body, &l);
    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, out + o + body);
    EVP_CIPHER_CTX_free(c);
    free(pt);
    o += body + 16;
    uint8_t mask[32];
    c = EVP_CIPHER_CTX_new();
    EVP_EncryptInit_ex(c, EVP_aes_128_ecb(), NULL, k->hp, NULL);
    EVP_EncryptUpdate(c, mask, &l, out + pn_off + 4, 16);
    EVP_CIPHER_CTX_free(c);
    out[0] ^= mask[0] & 0x0f;
    for (int i = 0; i < 4; i++)
        out[pn_off + i] ^= mask[1 + i];
    return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static dt_quic_state st;
    static dt_quic_info info;
    static dt_quic_keys keys;
    static int have_keys;
    static uint8_t pkt[70000];
    if (!have_keys) {
        if (dt_quic_client_keys(DT_QUIC_V1, dcid, sizeof dcid, &keys) != 0)
            abort();
        have_keys = 1;
    }
    dt_quic_init(&st);
    fz_in in = {data, size};
    uint8_t mode = 0;
    fz_u8(&in, &mode);
    const uint8_t *rec;
    size_t len;
    uint32_t pn = 0;
    while (fz_record(&in, &rec, &len)) {
        uint8_t *dg;
        size_t dlen = len;
        if (mode & 1) {
            dlen = build_initial(&keys, pn++, rec, len, pkt, sizeof pkt);
            if (!dlen)
                continue;
            rec = pkt;
        }
        dg = malloc(dlen ? dlen : 1);
        if (!dg)
            abort();
        memcpy(dg, rec, dlen);
        dt_parse_status r = dt_quic_feed(&st, dg, dlen, &info);
        free(dg);
        const uint8_t *p;
        size_t n = dt_quic_crypto_prefix(&st, &p);
        if (n > DT_QUIC_CRYPTO_BUF)
            abort();
        if (r != DT_PARSE_MORE)
            break;
    }
    return 0;
}
