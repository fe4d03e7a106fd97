/* QUIC Initial decryption: RFC 9001 / RFC 9369 known answers, packets built
 * here with an inverse (encrypt + header-protect), reassembly and hostile input. */
#include "check.h"
#include "proto/quic.h"

#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* RFC 9001 A.2 and RFC 9369 A.2: the protected client Initial (DCID
 * 8394c8f03e515708, packet number 2), and the CRYPTO frame both carry. */
static const char rfc9001_client_initial[] =
    "c000000001088394c8f03e5157080000449e7b9aec34d1b1c98dd7689fb8ec11"
    "d242b123dc9bd8bab936b47d92ec356c0bab7df5976d27cd449f63300099f399"
    "1c260ec4c60d17b31f8429157bb35a1282a643a8d2262cad67500cadb8e7378c"
    "8eb7539ec4d4905fed1bee1fc8aafba17c750e2c7ace01e6005f80fcb7df6212"
    "30c83711b39343fa028cea7f7fb5ff89eac2308249a02252155e2347b63d58c5"
    "457afd84d05dfffdb20392844ae812154682e9cf012f9021a6f0be17ddd0c208"
    "4dce25ff9b06cde535d0f920a2db1bf362c23e596d11a4f5a6cf3948838a3aec"
    "4e15daf8500a6ef69ec4e3feb6b1d98e610ac8b7ec3faf6ad760b7bad1db4ba3"
    "485e8a94dc250ae3fdb41ed15fb6a8e5eba0fc3dd60bc8e30c5c4287e53805db"
    "059ae0648db2f64264ed5e39be2e20d82df566da8dd5998ccabdae053060ae6c"
    "7b4378e846d29f37ed7b4ea9ec5d82e7961b7f25a9323851f681d582363aa5f8"
    "9937f5a67258bf63ad6f1a0b1d96dbd4faddfcefc5266ba6611722395c906556"
    "be52afe3f565636ad1b17d508b73d8743eeb524be22b3dcbc2c7468d54119c74"
    "68449a13d8e3b95811a198f3491de3e7fe942b330407abf82a4ed7c1b311663a"
    "c69890f4157015853d91e923037c227a33cdd5ec281ca3f79c44546b9d90ca00"
    "f064c99e3dd97911d39fe9c5d0b23a229a234cb36186c4819e8b9c5927726632"
    "291d6a418211cc2962e20fe47feb3edf330f2c603a9d48c0fcb5699dbfe58964"
    "25c5bac4aee82e57a85aaf4e2513e4f05796b07ba2ee47d80506f8d2c25e50fd"
    "14de71e6c418559302f939b0e1abd576f279c4b2e0feb85c1f28ff18f58891ff"
    "ef132eef2fa09346aee33c28eb130ff28f5b766953334113211996d20011a198"
    "e3fc433f9f2541010ae17c1bf202580f6047472fb36857fe843b19f5984009dd"
    "c324044e847a4f4a0ab34f719595de37252d6235365e9b84392b061085349d73"
    "203a4a13e96f5432ec0fd4a1ee65accdd5e3904df54c1da510b0ff20dcc0c77f"
    "cb2c0e0eb605cb0504db87632cf3d8b4dae6e705769d1de354270123cb11450e"
    "fc60ac47683d7b8d0f811365565fd98c4c8eb936bcab8d069fc33bd801b03ade"
    "a2e1fbc5aa463d08ca19896d2bf59a071b851e6c239052172f296bfb5e724047"
    "90a2181014f3b94a4e97d117b438130368cc39dbb2d198065ae3986547926cd2"
    "162f40a29f0c3c8745c0f50fba3852e566d44575c29d39a03f0cda721984b6f4"
    "40591f355e12d439ff150aab7613499dbd49adabc8676eef023b15b65bfc5ca0"
    "6948109f23f350db82123535eb8a7433bdabcb909271a6ecbcb58b936a88cd4e"
    "8f2e6ff5800175f113253d8fa9ca8885c2f552e657dc603f252e1a8e308f76f0"
    "be79e2fb8f5d5fbbe2e30ecadd220723c8c0aea8078cdfcb3868263ff8f09400"
    "54da48781893a7e49ad5aff4af300cd804a6b6279ab3ff3afb64491c85194aab"
    "760d58a606654f9f4400e8b38591356fbf6425aca26dc85244259ff2b19c41b9"
    "f96f3ca9ec1dde434da7d2d392b905ddf3d1f9af93d1af5950bd493f5aa731b4"
    "056df31bd267b6b90a079831aaf579be0a39013137aac6d404f518cfd4684064"
    "7e78bfe706ca4cf5e9c5453e9f7cfd2b8b4c8d169a44e55c88d4a9a7f9474241"
    "e221af44860018ab0856972e194cd934";
static const char rfc9369_client_initial[] =
    "d76b3343cf088394c8f03e5157080000449ea0c95e82ffe67b6abcdb4298b485"
    "dd04de806071bf03dceebfa162e75d6c96058bdbfb127cdfcbf903388e99ad04"
    "9f9a3dd4425ae4d0992cfff18ecf0fdb5a842d09747052f17ac2053d21f57c5d"
    "250f2c4f0e0202b70785b7946e992e58a59ac52dea6774d4f03b55545243cf1a"
    "12834e3f249a78d395e0d18f4d766004f1a2674802a747eaa901c3f10cda5500"
    "cb9122faa9f1df66c392079a1b40f0de1c6054196a11cbea40afb6ef5253cd68"
    "18f6625efce3b6def6ba7e4b37a40f7732e093daa7d52190935b8da58976ff33"
    "12ae50b187c1433c0f028edcc4c2838b6a9bfc226ca4b4530e7a4ccee1bfa2a3"
    "d396ae5a3fb512384b2fdd851f784a65e03f2c4fbe11a53c7777c023462239dd"
    "6f7521a3f6c7d5dd3ec9b3f233773d4b46d23cc375eb198c63301c21801f6520"
    "bcfb7966fc49b393f0061d974a2706df8c4a9449f11d7f3d2dcbb90c6b877045"
    "636e7c0c0fe4eb0f697545460c806910d2c355f1d253bc9d2452aaa549e27a1f"
    "ac7cf4ed77f322e8fa894b6a83810a34b361901751a6f5eb65a0326e07de7c12"
    "16ccce2d0193f958bb3850a833f7ae432b65bc5a53975c155aa4bcb4f7b2c4e5"
    "4df16efaf6ddea94e2c50b4cd1dfe06017e0e9d02900cffe1935e0491d77ffb4"
    "fdf85290fdd893d577b1131a610ef6a5c32b2ee0293617a37cbb08b847741c3b"
    "8017c25ca9052ca1079d8b78aebd47876d330a30f6a8c6d61dd1ab5589329de7"
    "14d19d61370f8149748c72f132f0fc99f34d766c6938597040d8f9e2bb522ff9"
    "9c63a344d6a2ae8aa8e51b7b90a4a806105fcbca31506c446151adfeceb51b91"
    "abfe43960977c87471cf9ad4074d30e10d6a7f03c63bd5d4317f68ff325ba3bd"
    "80bf4dc8b52a0ba031758022eb025cdd770b44d6d6cf0670f4e990b22347a7db"
    "848265e3e5eb72dfe8299ad7481a408322cac55786e52f633b2fb6b614eaed18"
    "d703dd84045a274ae8bfa73379661388d6991fe39b0d93debb41700b41f90a15"
    "c4d526250235ddcd6776fc77bc97e7a417ebcb31600d01e57f32162a8560cacc"
    "7e27a096d37a1a86952ec71bd89a3e9a30a2a26162984d7740f81193e8238e61"
    "f6b5b984d4d3dfa033c1bb7e4f0037febf406d91c0dccf32acf423cfa1e70710"
    "10d3f270121b493ce85054ef58bada42310138fe081adb04e2bd901f2f13458b"
    "3d6758158197107c14ebb193230cd1157380aa79cae1374a7c1e5bbcb80ee23e"
    "06ebfde206bfb0fcbc0edc4ebec309661bdd908d532eb0c6adc38b7ca7331dce"
    "8dfce39ab71e7c32d318d136b6100671a1ae6a6600e3899f31f0eed19e3417d1"
    "34b90c9058f8632c798d4490da4987307cba922d61c39805d072b589bd52fdf1"
    "e86215c2d54e6670e07383a27bbffb5addf47d66aa85a0c6f9f32e59d85a44dd"
    "5d3b22dc2be80919b490437ae4f36a0ae55edf1d0b5cb4e9a3ecabee93dfc6e3"
    "8d209d0fa6536d27a5d6fbb17641cde27525d61093f1b28072d111b2b4ae5f89"
    "d5974ee12e5cf7d5da4d6a31123041f33e61407e76cffcdcfd7e19ba58cf4b53"
    "6f4c4938ae79324dc402894b44faf8afbab35282ab659d13c93f70412e85cb19"
    "9a37ddec600545473cfb5a05e08d0b209973b2172b4d21fb69745a262ccde96b"
    "a18b2faa745b6fe189cf772a9f84cbfc";
static const char rfc_crypto_frame[] =
    "060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e868"
    "04fe3a47f06a2b69484c00000413011302010000c000000010000e00000b6578"
    "616d706c652e636f6dff01000100000a00080006001d00170018001000070005"
    "04616c706e000500050100000000003300260024001d00209370b2c9caa47fba"
    "baf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b000302030400"
    "0d0010000e0403050306030203080408050806002d00020101001c0002400100"
    "3900320408ffffffffffffffff05048000ffff07048000ffff08011001048000"
    "75300901100f088394c8f03e51570806048000ffff";

static size_t unhex(const char *h, uint8_t *out, size_t cap)
{
    size_t n = 0;
    for (; h[0] && h[1] && n < cap; h += 2) {
        unsigned v;
        if (sscanf(h, "%2x", &v) != 1)
            break;
        out[n++] = (uint8_t)v;
    }
    return n;
}

static int eq_hex(const uint8_t *p, size_t n, const char *h)
{
    uint8_t want[64];
    size_t wn = unhex(h, want, sizeof(want));
    return wn == n && memcmp(p, want, n) == 0;
}

static const uint8_t rfc_dcid[8] = {0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08};

/* The 241-byte ClientHello of RFC 9001 A.2 (SNI example.com). */
static uint8_t ch[512];
static size_t ch_len;

static void load_ch(void)
{
    uint8_t fr[300];
    size_t n = unhex(rfc_crypto_frame, fr, sizeof(fr));
    /* 06 00 40f1: CRYPTO, offset 0, length 241 */
    ch_len = n - 4;
    memcpy(ch, fr + 4, ch_len);
}

/* ---- inverse of the decoder: build protected long-header packets ------ */

static size_t put_varint(uint8_t *p, uint64_t v)
{
    if (v < 64) {
        p[0] = (uint8_t)v;
        return 1;
    }
    if (v < 16384) {
        p[0] = (uint8_t)(0x40 | v >> 8);
        p[1] = (uint8_t)v;
        return 2;
    }
    p[0] = (uint8_t)(0x80 | v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
    return 4;
}

/* A CRYPTO frame at offset off carrying ch[off, off+n). */
static size_t crypto_frame(uint8_t *p, size_t off, size_t n)
{
    size_t k = 0;
    p[k++] = 0x06;
    k += put_varint(p + k, off);
    k += put_varint(p + k, n);
    memcpy(p + k, ch + off, n);
    return k + n;
}

/* Builds a protected packet of the given long-header type into out and
 * returns its size.  Keys from (version, key_dcid); header DCID hdr_dcid. */
static size_t build_packet(uint8_t *out, uint32_t version, unsigned type, const uint8_t *key_dcid,
                           size_t key_dcid_len, const uint8_t *hdr_dcid, size_t hdr_dcid_len,
                           uint32_t pn, size_t pn_len, const uint8_t *payload, size_t payload_len)
{
    dt_quic_keys k;
    if (dt_quic_client_keys(version, key_dcid, key_dcid_len, &k))
        return 0;
    uint8_t pl[4096];
    memcpy(pl, payload, payload_len);
    while (payload_len < 24) /* enough for the header protection sample */
        pl[payload_len++] = 0;
    size_t n = 0;
    out[n++] = (uint8_t)(0xc0 | type << 4 | (pn_len - 1));
    out[n++] = (uint8_t)(version >> 24);
    out[n++] = (uint8_t)(version >> 16);
    out[n++] = (uint8_t)(version >> 8);
    out[n++] = (uint8_t)version;
    out[n++] = (uint8_t)hdr_dcid_len;
    memcpy(out + n, hdr_dcid, hdr_dcid_len);
    n += hdr_dcid_len;
    out[n++] = 4; /* SCID */
    memcpy(out + n, "\x11\x22\x33\x44", 4);
    n += 4;
    int initial = type == (version == DT_QUIC_V2 ? 1u : 0u);
    if (initial)
        out[n++] = 0; /* no token */
    size_t length = pn_len + payload_len + 16;
    out[n++] = (uint8_t)(0x40 | length >> 8);
    out[n++] = (uint8_t)length;
    size_t pn_off = n;
    for (size_t i = 0; i < pn_len; i++)
        out[n++] = (uint8_t)(pn >> (8 * (pn_len - 1 - i)));
    uint8_t nonce[12];
    memcpy(nonce, k.iv, 12);
    for (int i = 0; i < 4; i++)
        nonce[11 - i] ^= (uint8_t)(pn >> (8 * i));
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int l = 0;
    EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), NULL, NULL, NULL);
    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, 12, NULL);
    EVP_EncryptInit_ex(c, NULL, NULL, k.key, nonce);
    EVP_EncryptUpdate(c, NULL, &l, out, (int)n);
    EVP_EncryptUpdate(c, out + n, &l, pl, (int)payload_len);
    EVP_EncryptFinal_ex(c, out + n + l, &l);
    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, out + n + payload_len);
    n += payload_len + 16;
    uint8_t mask[16];
    EVP_EncryptInit_ex(c, EVP_aes_128_ecb(), NULL, k.hp, NULL);
    EVP_CIPHER_CTX_set_padding(c, 0);
    EVP_EncryptUpdate(c, mask, &l, out + pn_off + 4, 16);
    EVP_CIPHER_CTX_free(c);
    out[0] ^= mask[0] & 0x0f;
    for (size_t i = 0; i < pn_len; i++)
        out[pn_off + i] ^= mask[1 + i];
    return n;
}

static size_t build_initial(uint8_t *out, uint32_t version, uint32_t pn, const uint8_t *payload,
                            size_t payload_len)
{
    return build_packet(out, version, version == DT_QUIC_V2 ? 1 : 0, rfc_dcid, 8, rfc_dcid, 8, pn,
                        2, payload, payload_len);
}

/* Feeds a copy in an exactly-sized heap block, so ASan sees any overread. */
static dt_parse_status feed(dt_quic_state *st, const uint8_t *d, size_t n, dt_quic_info *out)
{
    uint8_t *copy = malloc(n ? n : 1);
    if (n)
        memcpy(copy, d, n);
    dt_parse_status r = dt_quic_feed(st, copy, n, out);
    free(copy);
    return r;
}

static int prefix_is_ch(const dt_quic_state *st)
{
    const uint8_t *p;
    size_t n = dt_quic_crypto_prefix(st, &p);
    return n >= ch_len && memcmp(p, ch, ch_len) == 0;
}

static dt_quic_state st; /* ~17 KiB: keep it off the stack */

/* ---- tests -------------------------------------------------------------- */

static void test_keys(void)
{
    dt_quic_keys k;
    CHECK_EQ_INT(dt_quic_client_keys(DT_QUIC_V1, rfc_dcid, 8, &k), 0);
    CHECK(eq_hex(k.initial_secret, 32,
                 "7db5df06e7a69e432496adedb00851923595221596ae2ae9fb8115c1e9ed0a44"));
    CHECK(eq_hex(k.client_secret, 32,
                 "c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea"));
    CHECK(eq_hex(k.key, 16, "1f369613dd76d5467730efcbe3b1a22d"));
    CHECK(eq_hex(k.iv, 12, "fa044b2f42a3fd3b46fb255c"));
    CHECK(eq_hex(k.hp, 16, "9f50449e04a0e810283a1e9933adedd2"));

    CHECK_EQ_INT(dt_quic_client_keys(DT_QUIC_V2, rfc_dcid, 8, &k), 0);
    CHECK(eq_hex(k.initial_secret, 32,
                 "2062e8b3cd8d52092614b8071d0aa1fb7c2e3ac193f78b280e72d8f5751f6aba"));
    CHECK(eq_hex(k.client_secret, 32,
                 "14ec9d6eb9fd7af83bf5a668bc17a7e283766aade7ecd0891f70f9ff7f4bf47b"));
    CHECK(eq_hex(k.key, 16, "8b1a0bc121284290a29e0971b5cd045d"));
    CHECK(eq_hex(k.iv, 12, "91f73e2351d8fa91660e909f"));
    CHECK(eq_hex(k.hp, 16, "45b95e15235d6f45a6b19cbcb0294ba9"));

    CHECK_EQ_INT(dt_quic_client_keys(0x12345678, rfc_dcid, 8, &k), -1);
    CHECK_EQ_INT(dt_quic_client_keys(DT_QUIC_V1, rfc_dcid, 21, &k), -1);
    CHECK(dt_quic_version_supported(0xff00001d));
    CHECK(dt_quic_version_supported(0xff00001b));
    CHECK(!dt_quic_version_supported(0));
    CHECK(!dt_quic_version_supported(0x51303530)); /* gQUIC Q050: no TLS */
    CHECK(dt_quic_version_supported(0x54303531));  /* T051 */
    CHECK(dt_quic_version_supported(0x1a2a3a4a));  /* greasing */
    CHECK(!dt_quic_version_supported(0x1a2a3a4b));
}

static void test_version_names(void)
{
    char b[16];
    CHECK_EQ_STR(dt_quic_version_name(1, b, sizeof(b)), "1");
    CHECK_EQ_STR(dt_quic_version_name(0x6b3343cf, b, sizeof(b)), "2");
    CHECK_EQ_STR(dt_quic_version_name(0xff00001d, b, sizeof(b)), "draft-29");
    CHECK_EQ_STR(dt_quic_version_name(0xfaceb002, b, sizeof(b)), "mvfst-27");
    CHECK_EQ_STR(dt_quic_version_name(0x0a0a0a0a, b, sizeof(b)), "0x0a0a0a0a");
    CHECK_EQ_STR(dt_quic_version_name(0x54303531, b, sizeof(b)), "T051");
    CHECK_EQ_STR(dt_quic_version_name(0x12345678, b, sizeof(b)), "0x12345678");
    char tiny[4];
    CHECK_EQ_STR(dt_quic_version_name(0xff00001d, tiny, sizeof(tiny)), "dra");
}

static void check_rfc_packet(const char *hex, uint32_t version, const char *name)
{
    uint8_t pkt[1300];
    size_t n = unhex(hex, pkt, sizeof(pkt));
    CHECK_EQ_INT(n, 1200);
    dt_quic_info info;
    dt_quic_init(&st);
    CHECK_EQ_INT(feed(&st, pkt, n, &info), DT_PARSE_DONE);
    CHECK_EQ_INT(info.present, 1);
    CHECK_EQ_INT(info.version, version);
    CHECK_EQ_STR(info.version_name, name);
    CHECK_EQ_INT(st.n_decrypted, 1);
    CHECK_EQ_INT(st.largest_pn, 2);
    const uint8_t *p;
    CHECK_EQ_INT(dt_quic_crypto_prefix(&st, &p), 241);
    CHECK(prefix_is_ch(&st));
    CHECK_EQ_INT(p[0], 1); /* ClientHello */
    CHECK_EQ_INT(p[1] << 16 | p[2] << 8 | p[3], 237);
    CHECK(memmem(p, 241, "example.com", 11) != NULL);
    CHECK_EQ_INT(info.hello.present, 1);
    CHECK_EQ_STR(info.hello.sni, "example.com");
    /* after DONE: DONE again, *out untouched */
    info.version = 99;
    CHECK_EQ_INT(feed(&st, pkt, n, &info), DT_PARSE_DONE);
    CHECK_EQ_INT(info.version, 99);

    /* one flipped ciphertext bit: tag fails, packet skipped, flow still QUIC */
    pkt[600] ^= 0x01;
    dt_quic_init(&st);
    CHECK_EQ_INT(feed(&st, pkt, n, &info), DT_PARSE_MORE);
    CHECK_EQ_INT(info.present, 1);
    CHECK_EQ_INT(info.hello.present, 0);
    CHECK_EQ_INT(st.n_decrypted, 0);
    CHECK_EQ_INT(dt_quic_crypto_prefix(&st, &p), 0);
    pkt[600] ^= 0x01; /* the retransmission is intact */
    CHECK_EQ_INT(feed(&st, pkt, n, &info), DT_PARSE_DONE);
    CHECK_EQ_STR(info.hello.sni, "example.com");
}

static void test_draft29(void)
{
    uint8_t pl[600], pkt[1500];
    size_t pn = crypto_frame(pl, 0, ch_len);
    memset(pl + pn, 0, 300); /* PADDING */
    size_t n = build_initial(pkt, 0xff00001d, 0, pl, pn + 300);
    dt_quic_info info;
    dt_quic_init(&st);
    CHECK_EQ_INT(feed(&st, pkt, n, &info), DT_PARSE_DONE);
    CHECK_EQ_STR(info.version_name, "draft-29");
    CHECK_EQ_INT(info.version, 0xff00001d);
    CHECK(prefix_is_ch(&st));
    CHECK_EQ_STR(info.hello.sni, "example.com");

    /* the same packet claiming v1 uses other keys: no decryption */
    memcpy(pkt + 1, "\x00\x00\x00\x01", 4);
    dt_quic_init(&st);
    CHECK_EQ_INT(feed(&st, pkt, n, &info), DT_PARSE_MORE);
    CHECK_EQ_INT(st.n_decrypted, 0);
}

static void test_t051(void)
{
    uint8_t pl[600], pkt[1500];
    dt_quic_info info;
    size_t k = crypto_frame(pl, 0, ch_len);
    pl[0] = 0x08; /* Google T05x: CRYPTO is frame type 0x08 */
    size_t n = build_initial(pkt, 0x54303531, 0, pl, k);
    dt_quic_init(&st);
    CHECK_EQ_INT(feed(&st, pkt, n, &info), DT_PARSE_DONE);
    CHECK_EQ_STR(info.version_name, "T051");
    CHECK_EQ_STR(info.hello.sni, "example.com");
    pl[0] = 0x06; /* not a CRYPTO frame there */
    n = build_initial(pkt, 0x54303531, 0, pl, k);
    dt_quic_init(&st);
    CHECK_EQ_INT(feed(&st, pkt, n, &info), DT_PARSE_MORE);
    CHECK_EQ_INT(st.n_decrypted, 1);
}

static void test_split_two_datagrams(void)
{
    uint8_t pl[600], pkt[1500];
    dt_quic_info info;
    dt_quic_init(&st);
    size_t k = crypto_frame(pl, 0, 100);
    size_t n = build_initial(pkt, DT_QUIC_V1, 0, pl, k);
    CHECK_EQ_INT(feed(&st, pkt, n, &info), DT_PARSE_MORE);
    CHECK_EQ_INT(info.present, 1);
    CHECK_EQ_STR(info.version_name, "1");
    const uint8_t *p;
    CHECK_EQ_INT(dt_quic_crypto_prefix(&st, &p), 100);
    k = crypto_frame(pl, 100, ch_len - 100);
    n = build_initial(pkt, DT_QUIC_V1, 1, pl, k);
    CHECK_EQ_INT(feed(&st, pkt, n, &info), DT_PARSE_DONE);
    CHECK_EQ_INT(st.n_decrypted, 2);
    CHECK(prefix_is_ch(&st));
    CHECK_EQ_STR(info.hello.sni, "example.com");
}

static void test_out_of_order(void)
{
    uint8_t pl[1200], pkt[1500];
    dt_quic_info info;
    /* three frames in one packet, in reverse order */
    size_t k = crypto_frame(pl, 200, ch_len - 200);
    k += crypto_frame(pl + k, 50, 150);
    k += crypto_frame(pl + k, 0, 50);
    size_t n = build_initial(pkt, DT_QUIC_V1, 0, pl, k);
    dt_quic_init(&st);
    CHECK_EQ_INT(feed(&st, pkt, n, &info), DT_PARSE_DONE);
    CHECK(prefix_is_ch(&st));
    CHECK_EQ_STR(info.hello.sni, "example.com");

    /* the second half arrives first, in an earlier datagram */
    dt_quic_init(&st);
    k = crypto_frame(pl, 120, ch_len - 120);
    n = build_initial(pkt, DT_QUIC_V1, 1, pl, k);
    CHECK_EQ_INT(feed(&st, pkt, n, &info), DT_PARSE_MORE);
    const uint8_t *p;
    CHECK_EQ_INT(dt_quic_crypto_prefix(&st, &p), 0);
    CHECK_EQ_INT(st.n_ranges, 1);
    k = crypto_frame(pl, 0, 120);
    n = build_initial(pkt, DT_QUIC_V1, 0, pl, k);
    CHECK_EQ_INT(feed(&st, pkt, n, &info), DT_PARSE_DONE);
    CHECK_EQ_INT(st.n_ranges, 1);
    CHECK(prefix_is_ch(&st));
    CHECK_EQ_STR(info.hello.sni, "example.com");
}

static void test_overlap_first_wins(void)
{
    uint8_t pl[1200], pkt[1500];
    dt_quic_info info;
    dt_quic_init(&st);
    size_t k = crypto_frame(pl, 0, 60);
    /* overlapping frame [40, 140) whose first 20 bytes disagree: ignored */
    size_t k2 = crypto_frame(pl + k, 40, 100);
    memset(pl + k + 4, 'X', 20); /* header 06 28 40 64: 4 bytes */
    k += k2;
    size_t n = build_initial(pkt, DT_QUIC_V1, 0, pl, k);
    CHECK_EQ_INT(feed(&st, pkt, n, &info), DT_PARSE_MORE);
    const uint8_t *p;
    CHECK_EQ_INT(dt_quic_crypto_prefix(&st, &p), 140);
    CHECK(memcmp(p, ch, 140) == 0);
    k = crypto_frame(pl, 100, ch_len - 100);
    n = build_initial(pkt, DT_QUIC_V1, 1, pl, k);
    CHECK_EQ_INT(feed(&st, pkt, n, &info), DT_PARSE_DONE);
    CHECK(prefix_is_ch(&st));
}

static void test_coalesced(void)
{
    uint8_t pl[1200], pkt[3000], junk[200];
    dt_quic_info info;
    for (size_t i = 0; i < sizeof(junk); i++)
        junk[i] = (uint8_t)(i * 7 + 1);
    /* Initial (first half) + 0-RTT, then 0-RTT + Initial (second half) */
    size_t k = crypto_frame(pl, 0, 130);
    size_t n = build_initial(pkt, DT_QUIC_V1, 0, pl, k);
    n += build_packet(pkt + n, DT_QUIC_V1, 1, rfc_dcid, 8, rfc_dcid, 8, 0, 2, junk, sizeof(junk));
    dt_quic_init(&st);
    CHECK_EQ_INT(feed(&st, pkt, n, &info), DT_PARSE_MORE);
    const uint8_t *p;
    CHECK_EQ_INT(dt_quic_crypto_prefix(&st, &p), 130);
    n = build_packet(pkt, DT_QUIC_V1, 1, rfc_dcid, 8, rfc_dcid, 8, 1, 2, junk, sizeof(junk));
    k = crypto_frame(pl, 130, ch_len - 130);
    n += build_initial(pkt + n, DT_QUIC_V1, 1, pl, k);
    CHECK_EQ_INT(feed(&st, pkt, n, &info), DT_PARSE_DONE);
    CHECK_EQ_INT(st.n_decrypted, 2);
    CHECK_EQ_STR(info.hello.sni, "example.com");

    /* v2: Initial + Handshake (type 3) + trailing short-header bytes */
    k = crypto_frame(pl, 0, ch_len);
    n = build_initial(pkt, DT_QUIC_V2, 0, pl, k);
    n += build_packet(pkt + n, DT_QUIC_V2, 3, rfc_dcid, 8, rfc_dcid, 8, 0, 1, junk, 50);
    memcpy(pkt + n, "\x40\x01\x02\x03", 4);
    n += 4;
    dt_quic_init(&st);
    CHECK_EQ_INT(feed(&st, pkt, n, &info), DT_PARSE_DONE);
    CHECK_EQ_STR(info.version_name, "2");
    CHECK_EQ_STR(info.hello.sni, "example.com");
}

static void test_frames(void)
{
    uint8_t pl[1200], pkt[1500];
    dt_quic_info info;
    /* PING, ACK with 2 ranges, ACK_ECN, CONNECTION_CLOSE, then CRYPTO */
    size_t k = 0;
    pl[k++] = 0x01;
    memcpy(pl + k, "\x02\x40\x10\x05\x02\x03\x01\x01\x00\x02", 10);
    k += 10;
    memcpy(pl + k, "\x03\x05\x00\x00\x01\x07\x08\x09", 8);
    k += 8;
    memcpy(pl + k,
           "\x1c\x0a\x06\x03"
           "abc",
           7);
    k += 7;
    k += crypto_frame(pl + k, 0, ch_len);
    size_t n = build_initial(pkt, DT_QUIC_V1, 0, pl, k);
    dt_quic_init(&st);
    CHECK_EQ_INT(feed(&st, pkt, n, &info), DT_PARSE_DONE);
    CHECK_EQ_STR(info.hello.sni, "example.com");

    /* an unknown frame (STREAM 0x08) stops the packet: CRYPTO after it unseen */
    k = 0;
    memcpy(pl + k, "\x08\x00\x01\x41", 4);
    k += 4;
    k += crypto_frame(pl + k, 0, ch_len);
    n = build_initial(pkt, DT_QUIC_V1, 0, pl, k);
    dt_quic_init(&st);
    CHECK_EQ_INT(feed(&st, pkt, n, &info), DT_PARSE_MORE);
    CHECK_EQ_INT(st.n_decrypted, 1);
    const uint8_t *p;
    CHECK_EQ_INT(dt_quic_crypto_prefix(&st, &p), 0);

    /* a CRYPTO length beyond the payload is not trusted */
    k = 0;
    memcpy(pl, "\x06\x00\x50\x00\x01\x00", 6); /* claims 4096 bytes */
    k = 6;
    n = build_initial(pkt, DT_QUIC_V1, 0, pl, k);
    dt_quic_init(&st);
    CHECK_EQ_INT(feed(&st, pkt, n, &info), DT_PARSE_MORE);
    CHECK_EQ_INT(dt_quic_crypto_prefix(&st, &p), 0);

    /* ACK with a huge range count ends at the payload end, no hang */
    memcpy(pl, "\x02\x00\x00\xbf\xff\xff\xff\xff\xff\xff\xff\x00", 12);
    n = build_initial(pkt, DT_QUIC_V1, 0, pl, 12);
    dt_quic_init(&st);
    CHECK_EQ_INT(feed(&st, pkt, n, &info), DT_PARSE_MORE);
    CHECK_EQ_INT(st.n_decrypted, 1);
}

static void test_retry_and_dcid_change(void)
{
    uint8_t pl[1200], pkt[1500];
    dt_quic_info info;
    const uint8_t new_dcid[5] = {9, 8, 7, 6, 5};
    /* first Initial (DCID A), then after a Retry the client uses DCID B and
     * keys derived from B */
    dt_quic_init(&st);
    size_t k = crypto_frame(pl, 0, 80);
    size_t n = build_initial(pkt, DT_QUIC_V1, 0, pl, k);
    CHECK_EQ_INT(feed(&st, pkt, n, &info), DT_PARSE_MORE);
    k = crypto_frame(pl, 0, ch_len);
    n = build_packet(pkt, DT_QUIC_V1, 0, new_dcid, 5, new_dcid, 5, 1, 2, pl, k);
    CHECK_EQ_INT(feed(&st, pkt, n, &info), DT_PARSE_DONE);
    CHECK_EQ_INT(st.dcid_len, 5);
    CHECK_EQ_STR(info.hello.sni, "example.com");

    /* server-chosen DCID without Retry: keys stay those of the first DCID */
    dt_quic_init(&st);
    k = crypto_frame(pl, 0, 80);
    n = build_initial(pkt, DT_QUIC_V1, 0, pl, k);
    CHECK_EQ_INT(feed(&st, pkt, n, &info), DT_PARSE_MORE);
    k = crypto_frame(pl, 80, ch_len - 80);
    n = build_packet(pkt, DT_QUIC_V1, 0, rfc_dcid, 8, new_dcid, 5, 1, 2, pl, k);
    CHECK_EQ_INT(feed(&st, pkt, n, &info), DT_PARSE_DONE);
    CHECK_EQ_INT(st.dcid_len, 8);
    CHECK_EQ_STR(info.hello.sni, "example.com");
}

static void test_not_mine(void)
{
    dt_quic_info info;
    uint8_t pkt[1500];
    size_t n = unhex(rfc9001_client_initial, pkt, sizeof(pkt));

    /* version negotiation (version 0) */
    uint8_t vn[1200];
    memcpy(vn, pkt, n);
    memset(vn + 1, 0, 4);
    dt_quic_init(&st);
    CHECK_EQ_INT(feed(&st, vn, n, &info), DT_PARSE_NOT_MINE);
    CHECK_EQ_INT(info.present, 0);
    /* sticky: a good Initial afterwards is not looked at */
    CHECK_EQ_INT(feed(&st, pkt, n, &info), DT_PARSE_NOT_MINE);

    /* short header first, DNS-looking bytes, empty datagram */
    dt_quic_init(&st);
    CHECK_EQ_INT(feed(&st, (const uint8_t *)"\x41\x00\x01\x02\x03", 5, &info), DT_PARSE_NOT_MINE);
    dt_quic_init(&st);
    CHECK_EQ_INT(feed(&st, (const uint8_t *)"\x12\x34\x01\x00\x00\x01", 6, &info),
                 DT_PARSE_NOT_MINE);
    dt_quic_init(&st);
    CHECK_EQ_INT(feed(&st, NULL, 0, &info), DT_PARSE_NOT_MINE);

    /* unknown version, DCID length 21 */
    memcpy(vn, pkt, n);
    vn[4] = 0x2a;
    dt_quic_init(&st);
    CHECK_EQ_INT(feed(&st, vn, n, &info), DT_PARSE_NOT_MINE);
    memcpy(vn, pkt, n);
    vn[5] = 21;
    dt_quic_init(&st);
    CHECK_EQ_INT(feed(&st, vn, n, &info), DT_PARSE_NOT_MINE);
    memcpy(vn, pkt, n);
    vn[0] = 0xf0; /* v1 type 3 = Retry: never sent by a client */
    dt_quic_init(&st);
    CHECK_EQ_INT(feed(&st, vn, n, &info), DT_PARSE_NOT_MINE);

    /* a flow whose first captured datagram is 0-RTT is still QUIC */
    memcpy(vn, pkt, n);
    vn[0] = 0xd0; /* v1 type 1 = 0-RTT */
    dt_quic_init(&st);
    CHECK_EQ_INT(feed(&st, vn, n, &info), DT_PARSE_MORE);
    CHECK_EQ_INT(info.present, 1);
    CHECK_EQ_INT(st.n_decrypted, 0);
    CHECK_EQ_INT(feed(&st, pkt, n, &info), DT_PARSE_DONE);
    CHECK_EQ_STR(info.hello.sni, "example.com");

    /* v2 with v1's Initial type bits is a v2 Retry */
    n = unhex(rfc9369_client_initial, pkt, sizeof(pkt));
    pkt[0] = (uint8_t)((pkt[0] & 0xcf) | 0x00);
    dt_quic_init(&st);
    CHECK_EQ_INT(feed(&st, pkt, n, &info), DT_PARSE_NOT_MINE);
}

static void test_give_up(void)
{
    uint8_t pl[1200], pkt[1500];
    dt_quic_info info;
    /* a handshake header announcing 20000 bytes: larger than the buffer */
    memcpy(pl, "\x06\x00\x08\x01\x00\x4e\x20\x03\x03\x00\x00", 11);
    size_t n = build_initial(pkt, DT_QUIC_V1, 0, pl, 11);
    dt_quic_init(&st);
    CHECK_EQ_INT(feed(&st, pkt, n, &info), DT_PARSE_DONE);
    CHECK_EQ_INT(info.present, 1);
    CHECK_EQ_INT(info.hello.present, 0);

    /* CRYPTO stream starting with a ServerHello (type 2) */
    memcpy(pl, "\x06\x00\x08\x02\x00\x00\x04\x03\x03\x00\x00", 11);
    n = build_initial(pkt, DT_QUIC_V1, 0, pl, 11);
    dt_quic_init(&st);
    CHECK_EQ_INT(feed(&st, pkt, n, &info), DT_PARSE_DONE);
    CHECK_EQ_INT(info.hello.present, 0);

    /* never completes: DONE without hello after DT_QUIC_MAX_DGRAMS */
    size_t k = crypto_frame(pl, 10, 20);
    n = build_initial(pkt, DT_QUIC_V1, 0, pl, k);
    dt_quic_init(&st);
    int more = 0;
    dt_parse_status r = DT_PARSE_MORE;
    for (int i = 0; i < 1000 && r == DT_PARSE_MORE; i++) {
        r = feed(&st, pkt, n, &info);
        more += r == DT_PARSE_MORE;
    }
    CHECK_EQ_INT(r, DT_PARSE_DONE);
    CHECK_EQ_INT(more, DT_QUIC_MAX_DGRAMS - 1);
    CHECK_EQ_INT(info.present, 1);
    CHECK_EQ_INT(info.hello.present, 0);

    /* too many disjoint pieces: extra ranges are dropped, no overflow */
    dt_quic_init(&st);
    for (int i = 0; i < 40; i++) {
        k = crypto_frame(pl, (size_t)(10 + 3 * i), 1);
        n = build_initial(pkt, DT_QUIC_V1, (uint32_t)i, pl, k);
        (void)feed(&st, pkt, n, &info);
    }
    CHECK_EQ_INT(st.n_ranges, DT_QUIC_MAX_RANGES);
}

static void test_truncation_and_mutation(void)
{
    uint8_t pkt[1300];
    dt_quic_info info;
    size_t n = unhex(rfc9001_client_initial, pkt, sizeof(pkt));
    int done = 0;
    for (size_t len = 0; len < n; len++) {
        dt_quic_init(&st);
        dt_parse_status r = feed(&st, pkt, len, &info);
        done += r == DT_PARSE_DONE;
    }
    CHECK_EQ_INT(done, 0); /* no prefix decrypts: the tag is at the end */

    /* deterministic mutations of a two-packet flow: must not crash */
    uint8_t pl[1200], good[2][1500], m[1500];
    size_t gl[2];
    size_t k = crypto_frame(pl, 0, 100);
    gl[0] = build_initial(good[0], DT_QUIC_V1, 0, pl, k);
    k = crypto_frame(pl, 100, ch_len - 100);
    gl[1] = build_initial(good[1], DT_QUIC_V1, 1, pl, k);
    uint32_t seed = 12345;
    int finished = 0;
    for (int iter = 0; iter < 3000; iter++) {
        dt_quic_init(&st);
        for (int d = 0; d < 2; d++) {
            memcpy(m, good[d], gl[d]);
            size_t ml = gl[d];
            int flips = iter % 4;
            for (int f = 0; f < flips; f++) {
                seed = seed * 1103515245u + 12345u;
                m[(seed >> 8) % ml] ^= (uint8_t)(1u << ((seed >> 4) % 8));
            }
            seed = seed * 1103515245u + 12345u;
            if (iter % 3 == 0)
                ml = (seed >> 8) % (ml + 1);
            if (feed(&st, m, ml, &info) == DT_PARSE_DONE)
                finished++;
        }
    }
    CHECK(finished > 0); /* unmutated iterations still complete */
    CHECK(finished < 3000);
}

int main(void)
{
    load_ch();
    CHECK_EQ_INT(ch_len, 241);
    test_keys();
    test_version_names();
    check_rfc_packet(rfc9001_client_initial, DT_QUIC_V1, "1");
    check_rfc_packet(rfc9369_client_initial, DT_QUIC_V2, "2");
    test_draft29();
    test_t051();
    test_split_two_datagrams();
    test_out_of_order();
    test_overlap_first_wins();
    test_coalesced();
    test_frames();
    test_retry_and_dcid_change();
    test_not_mine();
    test_give_up();
    test_truncation_and_mutation();
    return check_done();
}
