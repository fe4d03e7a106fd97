/* NTP in the registry: a UDP flow on port 123 carrying a datagram of at
 * least an NTP header (48 bytes) is "ntp". */
#include "proto/apps.h"
#include "util/netconst.h"

#define NTP_HEADER 48

static dt_parse_status ntp_parse(const dt_parse_in *in)
{
    if (in->len < NTP_HEADER)
        return DT_PARSE_MORE;
    dt_flow_app_set(in->x, DT_APP_NTP);
    return DT_PARSE_DONE;
}

const dt_parser dt_parser_ntp = {
    .name = "ntp",
    .transport = DT_TRANSPORT_UDP,
    .dirs = DT_DIRS_BOTH,
    .ports = {DT_PORT_NTP},
    .parse = ntp_parse,
};
