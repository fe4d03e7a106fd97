/* HTTP/1.x request metadata (method, Host, User-Agent, request target) from
 * the client side of a connection, detected by content on any port. */
#ifndef DT_HTTP_H
#define DT_HTTP_H

#include "proto/parse.h"

#include <stddef.h>
#include <stdint.h>

typedef struct dt_http_info {
    int present;          /* the first request line was recognised */
    char method[16];      /* of the first request */
    char host[256];       /* first request's Host header ("name[:port]"); else the CONNECT
                             target or the authority of an absolute-form target */
    char user_agent[256]; /* first request's User-Agent */
    char path[256];       /* first request's request-target (truncated) */
    int requests;         /* complete request heads (line + headers) found in the prefix */
    int chunked;          /* a counted request had a chunked body: counting stopped there */
} dt_http_info;

/* buf/len is the contiguous start of a client->server TCP stream (or one UDP
 * payload, e.g. SSDP).  A request line is "METHOD SP target SP HTTP/1.x" with
 * METHOD one of GET POST PUT HEAD DELETE OPTIONS PATCH CONNECT TRACE, the
 * SSDP/GENA methods M-SEARCH NOTIFY SUBSCRIBE UNSUBSCRIBE, or the WebDAV
 * methods PROPFIND PROPPATCH MKCOL COPY MOVE LOCK UNLOCK.
 *
 * Returns DT_PARSE_NOT_MINE if the bytes cannot be the start of such a
 * request, DT_PARSE_MORE while the first request's headers are incomplete
 * (fields seen so far are already filled in; for a UDP payload that is all
 * there is), and DT_PARSE_DONE once the first request's headers are complete.
 * With DONE, `requests` counts every complete request head in this prefix:
 * later requests are found by skipping each body by Content-Length (none
 * means no body); a chunked body, an invalid Content-Length or a body
 * running past the prefix ends the count.  The caller does
 * not need to call again after DONE. */
dt_parse_status dt_http_parse_client_stream(const uint8_t *buf, size_t len, dt_http_info *out);

#endif
