/* Encrypted DNS: DNS over TLS, HTTPS or QUIC, told from a flow's TLS or
 * QUIC ClientHello and its server port. */
#ifndef DT_DOH_H
#define DT_DOH_H

#include "proto/tls.h"

#include <stdint.h>

enum { DT_ENC_DNS_NONE = 0, DT_ENC_DNS_DOT = 1, DT_ENC_DNS_DOH = 2, DT_ENC_DNS_DOQ = 3 };

/* DT_ENC_DNS_DOT: port 853 or ALPN "dot"; DOH: a known resolver name
 * (data/doh-hosts.txt); DOQ: ALPN "doq", or QUIC on port 853; else NONE.
 * tls, quic: the flow's ClientHellos (NULL: none). */
int dt_encrypted_dns_kind(uint16_t server_port, const dt_tls_client *tls,
                          const dt_tls_client *quic);

/* Whether name is one of the DNS-over-HTTPS resolvers of data/doh-hosts.txt. */
int dt_doh_host(const char *name);

#endif
