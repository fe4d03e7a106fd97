/* DNS: one message over UDP (also through the strict check of recognition
 * by content), the same bytes as a TCP stream prefix of length-prefixed
 * messages, and the CNAME chain of what was parsed.  And the other naming
 * messages of UDP: the same bytes as DHCP, DHCPv6, CoAP and STUN. */
#include "proto/coap.h"
#include "proto/dhcp.h"
#include "proto/dns.h"
#include "proto/stun.h"
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static dt_dns_msg m;
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf)
        abort();
    memcpy(buf, data, size);
    if (dt_dns_parse(buf, size, &m) == 0) {
        const char *chain[16];
        int n = dt_dns_cname_chain(&m, chain, 16);
        for (int i = 0; i < n; i++)
            if (strlen(chain[i]) > 255)
                abort();
    }
    uint16_t id;
    int response;
    /* what passes the strict check also parses */
    if (dt_dns_strict(buf, size, &id, &response) && dt_dns_parse(buf, size, &m) != 0)
        abort();
    size_t off = 0;
    const uint8_t *msg;
    size_t n, rounds = 0;
    while ((n = dt_dns_tcp_next(buf, size, &off, &msg)) > 0) {
        if (msg < buf || msg + n > buf + size || ++rounds > size)
            abort();
        dt_dns_parse(msg, n, &m);
    }
    static dt_dhcp_info d;
    memset(&d, 0, sizeof d);
    dt_dhcp4_parse(buf, size, &d);
    dt_dhcp6_parse(buf, size, &d);
    if (strlen(d.host_name) >= sizeof d.host_name || strlen(d.client_mac) >= sizeof d.client_mac)
        abort();
    static dt_coap_info co;
    memset(&co, 0, sizeof co);
    if (dt_coap_parse(buf, size, &co) == 1 && strlen(co.uri_host) >= sizeof co.uri_host)
        abort();
    static dt_stun_info st;
    memset(&st, 0, sizeof st);
    if (dt_stun_parse(buf, size, &st) == 1 && strlen(st.mapped) >= sizeof st.mapped)
        abort();
    free(buf);
    return 0;
}
