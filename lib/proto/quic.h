/* QUIC Initial packets (RFC 9000/9001, RFC 9369 v2, drafts 22-34, mvfst,
 * Google T050/T051, greasing versions 0x?a?a?a?a with the draft-29 salt):
 * remove header protection, decrypt with the Initial keys derived from the
 * client's Destination Connection ID, reassemble the CRYPTO stream and hand
 * the ClientHello to the TLS parser.  Metadata only: no other packet space
 * is ever decrypted. */
#ifndef DT_QUIC_H
#define DT_QUIC_H

#include "proto/parse.h"
#include "proto/tls.h"

#include <stddef.h>
#include <stdint.h>

#define DT_QUIC_V1 0x00000001u
#define DT_QUIC_V2 0x6b3343cfu

#define DT_QUIC_CRYPTO_BUF 16384 /* bytes of the client's Initial CRYPTO stream kept */
#define DT_QUIC_MAX_RANGES 32    /* disjoint filled ranges tracked in that buffer */
#define DT_QUIC_MAX_DGRAMS 64    /* datagrams fed before giving up on a flow */

typedef struct dt_quic_range {
    uint32_t start, end; /* [start, end) */
} dt_quic_range;

/* Per UDP flow, client->server direction (about 16.4 KiB: allocate it only for
 * UDP flows whose first datagram has the long-header bit).  Set up with
 * dt_quic_init().  Keys are derived once, from the DCID of the first client
 * Initial; an Initial that fails with them but carries another DCID (client
 * after a Retry) is retried with keys from its own DCID, which then stick. */
typedef struct dt_quic_state {
    int phase;        /* 0 = nothing yet, 1 = Initial seen, 2 = done, -1 = not QUIC */
    uint32_t version; /* version of the first Initial (else first long header) */
    int seen_initial;
    uint32_t n_dgrams;
    uint32_t n_decrypted; /* Initial packets that passed the AEAD check */
    uint64_t largest_pn;  /* largest Initial packet number decrypted so far */
    int have_pn;
    /* cached Initial keys: version + DCID they were derived from */
    int have_keys;
    uint32_t key_version;
    uint8_t dcid[20];
    uint8_t dcid_len;
    uint8_t key[16], iv[12], hp[16];
    int n_ranges;
    dt_quic_range ranges[DT_QUIC_MAX_RANGES]; /* sorted, disjoint, non-adjacent */
    uint8_t buf[DT_QUIC_CRYPTO_BUF];          /* CRYPTO stream bytes by offset */
} dt_quic_state;

typedef struct dt_quic_info {
    int present;           /* a long-header Initial of a known version was seen */
    uint32_t version;      /* of the first Initial */
    char version_name[16]; /* "1", "2", "draft-29", "mvfst-27", or "0x%08x" */
    dt_tls_client hello;   /* filled when dt_quic_feed returned DONE (hello.present) */
} dt_quic_info;

void dt_quic_init(dt_quic_state *st);

/* Feed each client->server UDP payload of one flow in capture order.
 * Returns:
 *   NOT_MINE  the first datagram does not start with a long-header packet
 *             (Initial, 0-RTT or Handshake) of a supported version (also on
 *             every later call for that state);
 *   MORE      QUIC, ClientHello not complete yet;
 *   DONE      out->hello is filled (out->hello.present == 1), or the flow was
 *             given up (ClientHello larger than DT_QUIC_CRYPTO_BUF, CRYPTO
 *             stream not starting with a ClientHello, malformed ClientHello, or
 *             DT_QUIC_MAX_DGRAMS datagrams without completion): then
 *             out->present == 1 but out->hello.present == 0.
 * On NOT_MINE/MORE and on the call that returns DONE, *out is rewritten
 * (present, version, version_name); later calls after DONE leave *out alone.
 * No heap allocation besides one OpenSSL cipher context per datagram that
 * holds a decryptable Initial. */
dt_parse_status dt_quic_feed(dt_quic_state *st, const uint8_t *datagram, size_t len,
                             dt_quic_info *out);

/* Initial secrets and client keys for a version and a client DCID (RFC 9001
 * 5.2 / RFC 9369 3.3).  Returns 0, or -1 if the version's salt is unknown. */
typedef struct dt_quic_keys {
    uint8_t initial_secret[32];
    uint8_t client_secret[32];
    uint8_t key[16], iv[12], hp[16];
} dt_quic_keys;
int dt_quic_client_keys(uint32_t version, const uint8_t *dcid, size_t dcid_len, dt_quic_keys *k);

/* 1 if Initial packets of this version can be decrypted. */
int dt_quic_version_supported(uint32_t version);
/* Whether a datagram can start with a client Initial: a long header of a
 * supported version with a valid DCID length.  A cheap test before any state
 * is set up for a UDP flow; dt_quic_feed checks the whole packet. */
int dt_quic_may_start(const uint8_t *datagram, size_t len);
/* "1", "2", "draft-NN", "mvfst-NN" or "0x%08x" into buf; returns buf. */
const char *dt_quic_version_name(uint32_t version, char *buf, size_t len);

/* The contiguous prefix of the reassembled CRYPTO stream (for tests and
 * diagnostics): sets *p and returns its length. */
size_t dt_quic_crypto_prefix(const dt_quic_state *st, const uint8_t **p);

#endif
