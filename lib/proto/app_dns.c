/* DNS in the registry: messages over UDP (DNS, mDNS, LLMNR) and over TCP
 * on their ports, DNS recognised by content on any other port (pure parser:
 * dns.c; the flow's records: lib/proto/apps.c), and the flow object's "dns". */
#include "proto/apps.h"
#include "util/cursor.h"
#include "util/netconst.h"

/* Every datagram is one message.  The ports belong to DNS alone. */
static dt_parse_status dns_udp_parse(const dt_parse_in *in)
{
    dt_flow *f = in->f;
    dt_apps_dns_message(in->apps, f, in->p, in->len, in->ts_ns);
    dt_flow_app *x = in->x;
    if (x && x->dns_messages) {
        uint16_t c = f->side[DT_CLIENT].port, s = f->side[DT_SERVER].port;
        dt_flow_app_set(x, c == DT_PORT_MDNS || s == DT_PORT_MDNS     ? DT_APP_MDNS
                           : c == DT_PORT_LLMNR || s == DT_PORT_LLMNR ? DT_APP_LLMNR
                                                                      : DT_APP_DNS);
    }
    return DT_PARSE_MORE;
}

/* Length-prefixed messages: parse each new complete one. */
static dt_parse_status dns_tcp_parse(const dt_parse_in *in)
{
    dt_flow_app *x = in->x;
    const uint8_t *msg;
    size_t n;
    while ((n = dt_dns_tcp_next(in->p, in->len, &x->dns_tcp_off[in->dir], &msg)) > 0)
        dt_apps_dns_message(in->apps, in->f, msg, n, in->f->last_ns);
    if (x->dns_messages)
        dt_flow_app_set(x, DT_APP_DNS);
    return DT_PARSE_MORE;
}

/* DNS by content: on flows whose ports are not DNS's (those are the port
 * parsers' above), every message must pass the strict check (dt_dns_strict),
 * the client sending queries and the server responses, and a response must
 * answer one of the client's latest queries when some were seen.  Returns 1
 * when the message was recorded (the flow is DNS), 0 when it is no DNS
 * message, -1 when its ID answers no query. */
static int content_message(const dt_parse_in *in, const uint8_t *p, size_t len)
{
    dt_flow_app *x = in->x;
    uint16_t id;
    int response, n = x->n_dns_ids < 4 ? x->n_dns_ids : 4;
    if (!dt_dns_strict(p, len, &id, &response) || response != (in->dir == DT_SERVER))
        return 0;
    if (!response) {
        x->dns_ids[x->n_dns_ids % 4] = id;
        x->n_dns_ids = (uint8_t)(x->n_dns_ids >= 7 ? 4 : x->n_dns_ids + 1); /* same slot order */
    } else if (n) {
        int i = 0;
        while (i < n && x->dns_ids[i] != id)
            i++;
        if (i == n)
            return -1;
    }
    dt_apps_dns_message(in->apps, in->f, p, len, in->ts_ns);
    dt_flow_app_set(x, DT_APP_DNS);
    return 1;
}

static int on_dns_ports(const dt_parse_in *in)
{
    const uint16_t ports[2] = {in->f->side[DT_CLIENT].port, in->f->side[DT_SERVER].port};
    return dt_parser_ports_match(&dt_parser_dns_udp, ports) ||
           dt_parser_ports_match(&dt_parser_dns_tcp, ports);
}

/* Until the flow is DNS, each datagram must be a DNS message; after, other
 * datagrams are passed over. */
static dt_parse_status dns_content_udp_parse(const dt_parse_in *in)
{
    if (on_dns_ports(in))
        return DT_PARSE_NOT_MINE;
    int r = content_message(in, in->p, in->len);
    return r <= 0 && in->x->app != DT_APP_DNS ? DT_PARSE_NOT_MINE : DT_PARSE_MORE;
}

/* The same for length-prefixed messages; a message still arriving must
 * already have a plausible header. */
static dt_parse_status dns_content_tcp_parse(const dt_parse_in *in)
{
    dt_flow_app *x = in->x;
    if (on_dns_ports(in))
        return DT_PARSE_NOT_MINE;
    size_t *off = &x->dns_tcp_off[in->dir], n;
    const uint8_t *msg;
    while ((n = dt_dns_tcp_next(in->p, in->len, off, &msg)) > 0)
        if (content_message(in, msg, n) <= 0 && x->app != DT_APP_DNS)
            return DT_PARSE_NOT_MINE;
    if (x->app != DT_APP_DNS && *off + 2 <= in->len) {
        size_t mlen = dt_rd_be16(in->p + *off), avail = in->len - *off - 2;
        int response = in->dir == DT_SERVER;
        if (avail < DT_DNS_HDR_LEN
                ? mlen < DT_DNS_HDR_LEN + 5
                : !dt_dns_strict_header(in->p + *off + 2, avail, mlen, &response) ||
                      response != (in->dir == DT_SERVER))
            return DT_PARSE_NOT_MINE;
    }
    return DT_PARSE_MORE;
}

static void dns_write(dt_jw *w, const dt_flow_dns *d)
{
    char buf[32];
    dt_jw_obj_begin(w);
    DT_JW_KEY(w, "name");
    dt_jw_str(w, dt_flow_dns_name(d));
    DT_JW_KEY(w, "type");
    dt_jw_str(w, dt_dns_type_name(d->type, buf, sizeof buf));
    DT_JW_KEY(w, "rcode");
    if (d->response)
        dt_jw_str(w, dt_dns_rcode_name(d->rcode, buf, sizeof buf));
    else
        dt_jw_null(w);
    DT_JW_KEY(w, "answers");
    dt_jw_arr_begin(w);
    for (int i = 0; i < d->n_answers; i++)
        dt_jw_str(w, dt_flow_dns_answer(d, i));
    dt_jw_arr_end(w);
    DT_JW_KEY(w, "cname_chain");
    dt_jw_arr_begin(w);
    for (int i = 0; i < d->n_chain; i++)
        dt_jw_str(w, dt_flow_dns_chain(d, i));
    dt_jw_arr_end(w);
    dt_jw_obj_end(w);
}

/* "dns": the messages the flow keeps, over UDP or TCP. */
static int dns_json(dt_jw *w, const dt_flow_app *x)
{
    if (!x->n_dns)
        return 0;
    dt_jw_arr_begin(w);
    for (int i = 0; i < x->n_dns; i++)
        dns_write(w, x->dns[i]);
    dt_jw_arr_end(w);
    return 1;
}

const dt_parser dt_parser_dns_tcp = {
    .name = "dns_tcp",
    .transport = DT_TRANSPORT_TCP,
    .dirs = DT_DIRS_BOTH,
    .ports = {DT_PORT_DNS, DT_PORT_MDNS},
    .parse = dns_tcp_parse,
    .DT_PARSER_JSON_KEY("dns"),
    .json = dns_json,
};

const dt_parser dt_parser_dns_udp = {
    .name = "dns_udp",
    .transport = DT_TRANSPORT_UDP,
    .dirs = DT_DIRS_BOTH,
    .flags = DT_PF_NO_STATE | DT_PF_CLAIM,
    .ports = {DT_PORT_DNS, DT_PORT_MDNS, DT_PORT_LLMNR},
    .parse = dns_udp_parse,
};

const dt_parser dt_parser_dns_content_tcp = {
    .name = "dns_content_tcp",
    .transport = DT_TRANSPORT_TCP,
    .dirs = DT_DIRS_BOTH,
    .parse = dns_content_tcp_parse,
};

const dt_parser dt_parser_dns_content_udp = {
    .name = "dns_content_udp",
    .transport = DT_TRANSPORT_UDP,
    .dirs = DT_DIRS_BOTH,
    .parse = dns_content_udp_parse,
};
