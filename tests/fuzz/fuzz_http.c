/* HTTP/1.x client stream prefixes (request line, Host, counting requests),
 * and the same bytes as an HTTP/2 cleartext stream (preface, frames, HPACK). */
#include "fuzz.h"
#include "proto/h2c.h"
#include "proto/http.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf)
        abort();
    memcpy(buf, data, size);
    dt_http_info h;
    size_t steps[3] = {size / 2, size - (size > 0), size};
    for (int i = 0; i < 3; i++) {
        dt_http_parse_client_stream(buf, steps[i], &h);
        if (dt_h2c_parse_client_stream(buf, steps[i], &h) == DT_PARSE_DONE &&
            strnlen(h.user_agent, sizeof h.user_agent) >= sizeof h.user_agent)
            abort();
        if (h.present && (strnlen(h.host, sizeof h.host) >= sizeof h.host ||
                          strnlen(h.method, sizeof h.method) >= sizeof h.method))
            abort();
    }
    free(buf);
    return 0;
}
