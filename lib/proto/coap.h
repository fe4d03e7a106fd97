/* CoAP (RFC 7252): the Uri-Host of a client's request. */
#ifndef DT_COAP_H
#define DT_COAP_H

#include <stddef.h>
#include <stdint.h>

#define DT_PORT_COAP 5683

typedef struct dt_coap_info {
    int present;        /* a request was read */
    char uri_host[256]; /* option 3 (Uri-Host) of the first request with one; "" none */
    char method[8];     /* of the first request: GET, POST, PUT, DELETE, FETCH, PATCH, iPATCH */
} dt_coap_info;

/* One datagram: -1 not a CoAP message (version 1, token length, options
 * in order, no reserved nibble), 0 a CoAP message that is not a request,
 * 1 a request: its method and Uri-Host go into *out unless already set.
 * Printable ASCII only ('?' for other bytes). */
int dt_coap_parse(const uint8_t *p, size_t len, dt_coap_info *out);

#endif
