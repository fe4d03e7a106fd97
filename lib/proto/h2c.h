/* HTTP/2 over cleartext TCP with prior knowledge (RFC 9113 section 3.3):
 * the client's first request, from its HEADERS frame (HPACK, RFC 7541). */
#ifndef DT_H2C_H
#define DT_H2C_H

#include "proto/http.h"
#include "proto/parse.h"

#include <stddef.h>
#include <stdint.h>

/* The client stream prefix: NOT_MINE unless it starts with the connection
 * preface; MORE until the first HEADERS frame is whole; DONE with *out
 * filled from it (:authority as host, :method, user-agent; Huffman-coded
 * strings decoded, a malformed one left empty), requests 1. */
dt_parse_status dt_h2c_parse_client_stream(const uint8_t *p, size_t len, dt_http_info *out);

#endif
