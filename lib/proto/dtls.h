/* DTLS 1.0/1.2/1.3 (RFC 6347, RFC 9147): the ClientHello of a UDP datagram. */
#ifndef DT_DTLS_H
#define DT_DTLS_H

#include "proto/parse.h"
#include "proto/tls.h"

#include <stddef.h>
#include <stdint.h>

#define DT_DTLS_REC_HDR_LEN 13 /* type, version, epoch, sequence number, length */
#define DT_DTLS_HS_HDR_LEN 12  /* type, length, message_seq, fragment offset and length */

/* Looks for a ClientHello in the records of one datagram: DONE with *out
 * filled (SNI, ALPN, versions, JA3, JA4 with prefix 'd') when a record of
 * epoch 0 carries a ClientHello that is whole or the first fragment of one
 * (the extensions the fragment holds whole: later fragments are not
 * gathered); MORE when the datagram starts with a plausible DTLS record but
 * holds no ClientHello; NOT_MINE when it does not start like DTLS. */
dt_parse_status dt_dtls_client_hello(const uint8_t *p, size_t len, dt_tls_client *out);

#endif
