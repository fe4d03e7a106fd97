/* CoAP in the registry: a client's request names the server by its
 * Uri-Host (pure parser below), shown as the flow object's "coap". */
#include "proto/coap.h"

#include "proto/apps.h"
#include "util/cursor.h"
#include "util/text.h"

#include <stdio.h>
#include <string.h>

#define COAP_VERSION 1
#define COAP_TKL_MAX 8
#define COAP_OPT_URI_HOST 3
#define COAP_PAYLOAD 0xff
#define COAP_EXT1 13 /* nibble: one more byte, plus 13 */
#define COAP_EXT2 14 /* nibble: two more bytes, plus 269 */

/* An option delta or length nibble with its extension; -1 reserved (15). */
static long nibble(dt_cur *c, unsigned v)
{
    if (v == COAP_EXT1)
        return 13 + (long)dt_u8(c);
    if (v == COAP_EXT2)
        return 269 + (long)dt_be16(c);
    return v == 15 ? -1 : (long)v;
}

int dt_coap_parse(const uint8_t *p, size_t len, dt_coap_info *out)
{
    static const char *const methods[] = {NULL,     "GET",   "POST",  "PUT",
                                          "DELETE", "FETCH", "PATCH", "iPATCH"};
    dt_cur c = dt_cur_make(p, len);
    uint8_t b0 = dt_u8(&c), code = dt_u8(&c);
    dt_skip(&c, 2); /* message id */
    unsigned tkl = b0 & 0x0f;
    dt_skip(&c, tkl);
    if (!dt_ok(&c) || b0 >> 6 != COAP_VERSION || tkl > COAP_TKL_MAX)
        return -1;
    /* an empty message (code 0.00) is header only */
    if (code == 0)
        return tkl == 0 && len == 4 ? 0 : -1;
    const uint8_t *host = NULL;
    long host_len = 0, number = 0;
    while (dt_left(&c) > 0) {
        uint8_t ob = dt_u8(&c);
        if (ob == COAP_PAYLOAD) {
            if (!dt_left(&c))
                return -1; /* a marker must be followed by a payload */
            break;
        }
        long delta = nibble(&c, ob >> 4), olen = nibble(&c, ob & 0x0f);
        if (delta < 0 || olen < 0)
            return -1;
        number += delta;
        const uint8_t *v = dt_bytes(&c, (size_t)olen);
        if (!v)
            return -1;
        if (number == COAP_OPT_URI_HOST && !host) {
            host = v;
            host_len = olen;
        }
    }
    unsigned cls = code >> 5, detail = code & 0x1f;
    /* requests are class 0 (codes 0.01 ... 0.07); 2, 4, 5 are responses */
    if (cls != 0 && cls != 2 && cls != 4 && cls != 5)
        return -1;
    if (cls != 0)
        return 0;
    if (detail == 0 || detail >= sizeof methods / sizeof methods[0])
        return -1;
    out->present = 1;
    if (!out->method[0])
        snprintf(out->method, sizeof out->method, "%s", methods[detail]);
    if (host && host_len && !out->uri_host[0])
        dt_copy_printable(out->uri_host, sizeof out->uri_host, host, (size_t)host_len);
    return 1;
}

static int coap_read(const uint8_t *p, size_t len, void *out)
{
    return dt_coap_parse(p, len, out);
}

/* Every client datagram until one is not CoAP; the result only for requests. */
static dt_parse_status coap_parse(const dt_parse_in *in)
{
    dt_coap_info scratch;
    return dt_parser_read_datagram(in, DT_RESULT_COAP, DT_APP_COAP, &scratch, coap_read);
}

/* "coap", only on flows with a request. */
static int coap_json(dt_jw *w, const dt_flow_app *x)
{
    const dt_coap_info *d = dt_app_coap(x);
    if (!d)
        return 0;
    dt_jw_obj_begin(w);
    DT_JW_KEY_STR_OR_NULL(w, "uri_host", d->uri_host);
    DT_JW_KEY_STR_OR_NULL(w, "method", d->method);
    dt_jw_obj_end(w);
    return 1;
}

const dt_parser dt_parser_coap = {
    .name = "coap",
    .transport = DT_TRANSPORT_UDP,
    .dirs = DT_DIRS_CLIENT,
    .flags = DT_PF_JSON_IF_RESULT,
    .ports = {DT_PORT_COAP},
    .parse = coap_parse,
    .result_size = sizeof(dt_coap_info),
    .DT_PARSER_JSON_KEY("coap"),
    .json = coap_json,
};
