/* Personal data in plaintext payloads (issue 18): vehicle identification
 * numbers, GPS positions, IMEI/IMEISV, ICCID, IMSI, MAC addresses, e-mail
 * addresses, E.164 phone numbers, the user's own identifiers (in their usual
 * encodings and as digests) and data encoded in DNS names.  Pure functions
 * over (const uint8_t *, size_t): every candidate is validated (check digits,
 * ranges, known prefixes) before it counts, and what is kept is bounded
 * (DT_PII_MAX_FINDINGS per flow, the rest counted). */
#ifndef DT_PII_H
#define DT_PII_H

#include <stddef.h>
#include <stdint.h>

typedef enum dt_pii_kind {
    DT_PII_VIN = 0,
    DT_PII_GPS,
    DT_PII_IMEI,
    DT_PII_IMEISV,
    DT_PII_ICCID,
    DT_PII_IMSI,
    DT_PII_MAC,
    DT_PII_EMAIL,
    DT_PII_PHONE,
    DT_PII_IDENTIFIER,
    DT_PII_DNS_ENCODED,
    DT_PII_KIND_COUNT
} dt_pii_kind;

/* Where in the flow: the part of a protocol message the bytes came from. */
typedef enum dt_pii_where {
    DT_PII_AT_URL = 0, /* HTTP request line (method, target, version) */
    DT_PII_AT_HEADER,  /* an HTTP header's value (name: the header) */
    DT_PII_AT_BODY,    /* an HTTP body (inflated when gzip/deflate) */
    DT_PII_AT_TOPIC,   /* an MQTT PUBLISH topic */
    DT_PII_AT_MESSAGE, /* an MQTT PUBLISH payload */
    DT_PII_AT_DNS,     /* a DNS query name */
    DT_PII_AT_SNI,     /* TLS or QUIC server name */
    DT_PII_AT_CERT,    /* a server certificate's names */
    DT_PII_AT_DATA,    /* other TCP or UDP payload */
    DT_PII_WHERE_COUNT
} dt_pii_where;

typedef enum dt_pii_encoding {
    DT_PII_ENC_PLAIN = 0,
    DT_PII_ENC_UPPER,
    DT_PII_ENC_LOWER,
    DT_PII_ENC_URL,
    DT_PII_ENC_BASE64,
    DT_PII_ENC_HEX,
    DT_PII_ENC_HEX_UPPER,
    DT_PII_ENC_MD5,
    DT_PII_ENC_SHA1,
    DT_PII_ENC_SHA256,
    DT_PII_ENC_GZIP, /* plain text found in an inflated body */
    DT_PII_ENC_COUNT
} dt_pii_encoding;

const char *dt_pii_kind_str(int kind);
const char *dt_pii_where_str(int where);
const char *dt_pii_encoding_str(int enc);

#define DT_PII_MAX_FINDINGS 16         /* kept per flow; the rest counted in dropped */
#define DT_PII_SAMPLE 48               /* bytes of a sample with its NUL */
#define DT_PII_NAME 32                 /* header or identifier name, with its NUL */
#define DT_PII_INFLATE_MAX (64u << 10) /* bytes of an HTTP body inflated at most */

typedef struct dt_pii_finding {
    uint8_t kind, where, encoding, dir; /* dir: 0 client, 1 server */
    uint32_t offset;                    /* in the direction's stream (UDP: its datagram) */
    uint32_t hash;                      /* of the value: repeats are counted once */
    char name[DT_PII_NAME];             /* header or identifier name, or "" */
    char sample[DT_PII_SAMPLE];         /* masked unless show_values */
} dt_pii_finding;

typedef struct dt_pii_findings {
    dt_pii_finding f[DT_PII_MAX_FINDINGS];
    int n;
    uint32_t dropped;         /* findings not kept: DT_PII_MAX_FINDINGS reached */
    uint32_t inflate_bounded; /* bodies inflated only up to DT_PII_INFLATE_MAX */
} dt_pii_findings;

/* The detector's settings, compiled once: the user's identifiers with their
 * encodings and digests (a first-byte index over all patterns). */
typedef struct dt_pii dt_pii;

/* ids: "NAME=VALUE" each (the value at least 4 bytes); bytes: per direction
 * scanned (0: the detector is off).  NULL with a reason in err when an
 * identifier is not NAME=VALUE or out of memory. */
dt_pii *dt_pii_new(const char *const *ids, int n_ids, uint32_t bytes, int show_values, char *err,
                   size_t errlen);
void dt_pii_free(dt_pii *d);
uint32_t dt_pii_bytes(const dt_pii *d);

/* What a scan knows of its bytes. */
typedef struct dt_pii_ctx {
    uint8_t where, dir, encoding; /* encoding: DT_PII_ENC_PLAIN or _GZIP */
    const char *name;             /* header name (name_len bytes, no NUL), or NULL */
    uint32_t base;                /* offset of the bytes in the stream */
    const uint8_t (*macs)[6];     /* the flow's own Ethernet addresses (not findings) */
    int n_macs;
    int known_text; /* the caller found the bytes do not look random (dt_pii_looks_random) */
    size_t name_len;
} dt_pii_ctx;

/* Every finding in p[0, len) added to out (a repeat of a (kind, value) pair
 * already in out is not added again). */
void dt_pii_scan(const dt_pii *d, const uint8_t *p, size_t len, const dt_pii_ctx *ctx,
                 dt_pii_findings *out);

/* One direction of a stream (a TCP prefix or a UDP datagram) by protocol
 * part: HTTP messages (request line, headers, body; gzip/deflate bodies
 * inflated up to DT_PII_INFLATE_MAX), MQTT PUBLISH packets (topic, payload),
 * else the whole as data.  ctx gives dir, base, macs. */
void dt_pii_scan_stream(const dt_pii *d, const uint8_t *p, size_t len, const dt_pii_ctx *ctx,
                        dt_pii_findings *out);

/* A DNS query name: the kinds above, and labels that carry data (long or
 * high-entropy: kind dns_encoded). */
void dt_pii_scan_dns(const dt_pii *d, const char *name, const dt_pii_ctx *ctx,
                     dt_pii_findings *out);

/* Adds one finding: value v[0, n) at offset off of the bytes ctx describes
 * (for the scanners of parts, pii_parts.c). */
void dt_pii_add(const dt_pii *d, dt_pii_findings *out, const dt_pii_ctx *c, int kind, int enc,
                const char *name, size_t off, const uint8_t *v, size_t n);

/* 1 when p[0, len) looks encrypted or compressed (7/8 of its first 32 bytes
 * distinct, or of the 32 after its first 24, behind a clear header): bodies, messages and data that
 * do are not scanned by dt_pii_scan_stream. */
int dt_pii_looks_random(const uint8_t *p, size_t len);

/* Validators (for tests): 1 when s[0, n) is one. */
int dt_pii_vin_ok(const char *s, size_t n);
int dt_pii_luhn_ok(const char *s, size_t n);

#endif
