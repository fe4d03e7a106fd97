/* The names and validity of an X.509 certificate (RFC 5280), read from its
 * DER bytes without decoding keys or checking signatures. */
#ifndef DT_X509_H
#define DT_X509_H

#include <stddef.h>
#include <stdint.h>

#define DT_TLS_MAX_SAN 16

typedef struct dt_tls_cert {
    int present;
    char subject_cn[256];
    char subject_o[256];
    char issuer_o[256];
    char san[DT_TLS_MAX_SAN][256]; /* DNS names */
    int n_san;
    char not_before[32]; /* RFC 3339 UTC, e.g. "2022-10-24T08:15:02Z" */
    char not_after[32];
} dt_tls_cert;

/* Reads one DER certificate (trailing bytes after it are ignored).  Returns 0
 * and fills *out (present = 1) when the certificate is well formed, -1 with
 * *out cleared when not.  Attribute values are converted to UTF-8 as OpenSSL's
 * ASN1_STRING_to_UTF8 does (a name holding a string that cannot be converted
 * makes the certificate malformed, as in OpenSSL); the first subject CN and O
 * and the first issuer O are kept; times are converted to UTC; SANs are the
 * dNSName entries of a subjectAltName extension that occurs once. */
int dt_x509_parse(const uint8_t *der, size_t len, dt_tls_cert *out);

#endif
