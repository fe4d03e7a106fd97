/* SOCKS: the client's preamble (greeting and CONNECT request) that comes
 * before the proxied protocol in a stream. */
#ifndef DT_SOCKS_H
#define DT_SOCKS_H

#include <stddef.h>
#include <stdint.h>

/* Length of a SOCKS4/4a or SOCKS5 client preamble (greeting + CONNECT
 * request) at the start of a stream; 0 if there is none, -2 if more bytes are
 * needed to tell. */
int64_t dt_socks_request_len(const uint8_t *p, size_t len);

#endif
