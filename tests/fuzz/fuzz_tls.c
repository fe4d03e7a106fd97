/* TLS: the client stream (records with a ClientHello, or SSLv2), the server
 * stream (ServerHello, Certificate, alerts) and a bare ClientHello message as
 * QUIC carries it, all on every prefix length of the same bytes; the same
 * bytes as a DTLS datagram and as a ClientHello body of each kind. */
#include "fuzz.h"
#include "proto/dtls.h"
#include "proto/tls.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf)
        abort();
    memcpy(buf, data, size);
    static dt_tls_client c;
    static dt_tls_server s;
    /* prefixes at a few lengths, as the engine calls it while a stream grows */
    size_t steps[4] = {size / 3, size / 2, size - (size > 0), size};
    for (int i = 0; i < 4; i++) {
        dt_tls_parse_client_stream(buf, steps[i], &c);
        dt_tls_parse_server_stream(buf, steps[i], &s);
    }
    dt_tls_parse_client_hello(buf, size, 1, &c);
    dt_tls_parse_client_hello(buf, size, 0, &c);
    if (dt_dtls_client_hello(buf, size, &c) == DT_PARSE_DONE && strlen(c.sni) >= sizeof c.sni)
        abort();
    for (int kind = DT_TLS_OVER_TCP; kind <= DT_TLS_OVER_DTLS; kind++)
        dt_tls_parse_client_hello_body(buf, size, kind, &c);
    free(buf);
    return 0;
}
