/* HTTP in the registry: the client's request of a TCP stream (after a SOCKS
 * preamble, if any), SSDP's over UDP (pure parser: http.c), and the flow
 * object's "http". */
#include "proto/apps.h"
#include "util/netconst.h"

static dt_parse_status http_parse(const dt_parse_in *in)
{
    dt_flow_app *x = in->x;
    if (x->st[DT_PARSER_SOCKS] == DT_ST_MORE)
        return DT_PARSE_MORE; /* a SOCKS request first: HTTP (if any) follows it */
    if (x->app == DT_APP_TLS)
        return DT_PARSE_NOT_MINE;
    if (x->socks_len >= in->len)
        return DT_PARSE_MORE;
    /* parsed aside first: the result (800 bytes, kept until the flow ends) only
     * for a stream that can be HTTP, not for every TCP flow's first bytes */
    dt_http_info aside;
    dt_parse_status st =
        dt_http_parse_client_stream(in->p + x->socks_len, in->len - x->socks_len, &aside);
    dt_http_info *h = st == DT_PARSE_NOT_MINE ? NULL : dt_parser_result(in, DT_RESULT_HTTP);
    if (!h)
        return DT_PARSE_NOT_MINE;
    *h = aside;
    if (h->present)
        dt_flow_app_set(x, DT_APP_HTTP);
    return st;
}

/* SSDP: one try, at the client's first datagram its HTTP result can be
 * allocated for. */
static dt_parse_status ssdp_parse(const dt_parse_in *in)
{
    dt_http_info *h = dt_parser_result(in, DT_RESULT_HTTP);
    if (!h)
        return DT_PARSE_MORE;
    if (dt_http_parse_client_stream(in->p, in->len, h) != DT_PARSE_NOT_MINE && h->present)
        dt_flow_app_set(in->x, DT_APP_SSDP);
    return DT_PARSE_DONE;
}

static int http_json(dt_jw *w, const dt_flow_app *x)
{
    const dt_http_info *h = dt_app_http(x);
    if (!h)
        return 0;
    dt_jw_obj_begin(w);
    DT_JW_KEY_STR_OR_NULL(w, "host", h->host);
    DT_JW_KEY_STR_OR_NULL(w, "method", h->method);
    DT_JW_KEY_STR_OR_NULL(w, "user_agent", h->user_agent);
    DT_JW_KEY(w, "requests");
    dt_jw_num(w, h->requests);
    dt_jw_obj_end(w);
    return 1;
}

const dt_parser dt_parser_http = {
    .name = "http",
    .transport = DT_TRANSPORT_TCP,
    .dirs = DT_DIRS_CLIENT,
    .parse = http_parse,
    .result_size = sizeof(dt_http_info),
    .DT_PARSER_JSON_KEY("http"),
    .json = http_json,
};

const dt_parser dt_parser_ssdp = {
    .name = "ssdp",
    .transport = DT_TRANSPORT_UDP,
    .dirs = DT_DIRS_CLIENT,
    .ports = {DT_PORT_SSDP},
    .parse = ssdp_parse,
};
