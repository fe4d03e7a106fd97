/* TLS handshake metadata without decryption: ClientHello (SNI, ALPN, versions,
 * ciphers, extensions, JA3, JA4, ECH), ServerHello (version, cipher, JA3S) and,
 * for TLS <= 1.2, the server's plaintext Certificate message. */
#ifndef DT_TLS_H
#define DT_TLS_H

/* Wire format (RFC 8446, 5.1 and 4): the record header (type, legacy
 * version major/minor, length) and the handshake header (type, 24-bit length). */
#define DT_TLS_REC_HANDSHAKE 0x16
#define DT_TLS_REC_OFF_TYPE 0
#define DT_TLS_REC_OFF_MAJOR 1
#define DT_TLS_REC_OFF_MINOR 2
#define DT_TLS_REC_OFF_LEN 3
#define DT_TLS_REC_HDR_LEN 5
#define DT_TLS_REC_MAJOR 3     /* SSL 3.0 and every TLS version */
#define DT_TLS_REC_MINOR_MAX 4 /* TLS 1.3 */
#define DT_TLS_HS_CLIENT_HELLO 1
#define DT_TLS_HS_SERVER_HELLO 2
#define DT_TLS_HS_OFF_TYPE 0

#include "proto/parse.h"
#include "proto/x509.h"

#include <stddef.h>
#include <stdint.h>

#define DT_TLS_MAX_ALPN 8
#define DT_TLS_MAX_LIST 64 /* ciphers, extensions, groups... kept for fingerprints */

typedef struct dt_tls_client {
    int present;   /* a ClientHello was parsed */
    char sni[256]; /* server_name (host_name), "" if absent */
    char alpn[DT_TLS_MAX_ALPN][64];
    int n_alpn;
    uint16_t legacy_version; /* ClientHello.legacy_version */
    uint16_t versions[16];   /* supported_versions, GREASE removed */
    int n_versions;
    uint16_t ciphers[DT_TLS_MAX_LIST]; /* GREASE removed */
    int n_ciphers;
    uint16_t extensions[DT_TLS_MAX_LIST]; /* in wire order, GREASE removed */
    int n_extensions;
    int ech;      /* encrypted_client_hello (0xfe0d) offered: sni is the outer name */
    char ja3[33]; /* MD5 hex of the JA3 string */
    char ja4[40]; /* JA4 (t/q prefix per transport) */
} dt_tls_client;

typedef struct dt_tls_server {
    int present;      /* a ServerHello was parsed */
    uint16_t version; /* negotiated: supported_versions if present, else legacy */
    uint16_t cipher;
    char ja3s[33];
    dt_tls_cert cert; /* leaf certificate, TLS <= 1.2 only */
} dt_tls_server;

/* Stream parsers: buf/len is the contiguous start of one direction of a TCP
 * stream (TLS records).  They may be called again with a longer prefix after
 * DT_PARSE_MORE; the whole ClientHello may span several records/segments.
 * Detection is by content (record type 0x16, version 3.0-3.4, handshake type
 * 1 resp. 2), not by port; handshake messages are reassembled across records
 * up to 64 KiB.  *out is rewritten on every call (the server's: all that is
 * read of it; string tails and SANs past n_san may keep older bytes).  The server parser may
 * return DT_PARSE_MORE with out->present == 1 (ServerHello parsed, still
 * waiting for the Certificate): at the end of a flow, use what is there.  It
 * skips leading warning alerts and answers DT_PARSE_DONE with present == 0 on
 * a leading fatal alert.  The client parser also accepts an SSL 2.0-compatible
 * ClientHello (version, ciphers, JA3/JA4; it has no extensions, so no SNI). */
dt_parse_status dt_tls_parse_client_stream(const uint8_t *buf, size_t len, dt_tls_client *out);
dt_parse_status dt_tls_parse_server_stream(const uint8_t *buf, size_t len, dt_tls_server *out);

/* What carries a ClientHello: TLS over TCP, QUIC CRYPTO frames or DTLS
 * records (the JA4 prefix t, q or d; DTLS adds a cookie after the session id). */
enum { DT_TLS_OVER_TCP = 0, DT_TLS_OVER_QUIC = 1, DT_TLS_OVER_DTLS = 2 };
/* Parses one complete ClientHello handshake message (starting at the handshake
 * type byte 0x01), e.g. from QUIC CRYPTO frames.  kind: DT_TLS_OVER_*.
 * Returns 0 on success, -1 if malformed. */
int dt_tls_parse_client_hello(const uint8_t *hs, size_t len, int kind, dt_tls_client *out);
/* The same from the body of the message (after its type and length; DTLS:
 * after its 12-byte header), of which len bytes are here: an extension block
 * cut off keeps the extensions that are whole (a first DTLS fragment). */
int dt_tls_parse_client_hello_body(const uint8_t *body, size_t len, int kind, dt_tls_client *out);

/* "TLS1.3", "TLS1.2", ..., or "0x%04x". */
const char *dt_tls_version_name(uint16_t v, char *buf, size_t len);
/* IANA name of a cipher suite ("TLS_AES_128_GCM_SHA256"), or "0x%04x". */
const char *dt_tls_cipher_name(uint16_t cs, char *buf, size_t len);
int dt_tls_is_grease(uint16_t v);

#endif
