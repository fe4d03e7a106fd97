/* DHCP and DHCPv6 in the registry: the client's messages name the device
 * (pure parsers below), shown as the flow object's "dhcp" when there is one,
 * and rolled up into the devices table by Ethernet address. */
#include "proto/dhcp.h"

#include "proto/apps.h"
#include "util/cursor.h"
#include "util/text.h"

#include <stdio.h>
#include <string.h>

#define BOOTP_FIXED 236 /* op ... file, before the magic cookie */
#define BOOTP_OFF_CHADDR 28
#define BOOTREQUEST 1
#define HTYPE_ETHER 1
#define DHCP_MAGIC 0x63825363u
#define OPT_PAD 0
#define OPT_HOST_NAME 12
#define OPT_VENDOR_CLASS 60
#define OPT_END 255

#define D6_OPT_CLIENTID 1
#define D6_OPT_VENDOR_CLASS 16
#define D6_OPT_FQDN 39
#define DUID_LLT 1
#define DUID_LL 3

static void set_mac(dt_dhcp_info *out, const uint8_t *m)
{
    if (!out->client_mac[0])
        snprintf(out->client_mac, sizeof out->client_mac, "%02x:%02x:%02x:%02x:%02x:%02x", m[0],
                 m[1], m[2], m[3], m[4], m[5]);
}

static void set_text(char *dst, size_t cap, const uint8_t *p, size_t n)
{
    if (!dst[0] && n)
        dt_copy_printable(dst, cap, p, n);
}

int dt_dhcp4_parse(const uint8_t *p, size_t len, dt_dhcp_info *out)
{
    dt_cur c = dt_cur_make(p, len);
    uint8_t op = dt_u8(&c), htype = dt_u8(&c), hlen = dt_u8(&c);
    dt_skip(&c, BOOTP_FIXED - 3);
    if (dt_be32(&c) != DHCP_MAGIC || !dt_ok(&c) || htype != HTYPE_ETHER || hlen != 6 ||
        (op != BOOTREQUEST && op != 2))
        return -1;
    if (op != BOOTREQUEST)
        return 0;
    out->present = 1;
    set_mac(out, p + BOOTP_OFF_CHADDR);
    while (dt_left(&c) > 0) {
        uint8_t code = dt_u8(&c);
        if (code == OPT_END)
            break;
        if (code == OPT_PAD)
            continue;
        uint8_t n = dt_u8(&c);
        const uint8_t *v = dt_bytes(&c, n);
        if (!v)
            break; /* cut off: keep what was read */
        if (code == OPT_HOST_NAME)
            set_text(out->host_name, sizeof out->host_name, v, n);
        else if (code == OPT_VENDOR_CLASS)
            set_text(out->vendor_class, sizeof out->vendor_class, v, n);
    }
    return 1;
}

/* Option 39's name: DNS labels, the last possibly without its zero
 * (a partial name), written with dots. */
static void fqdn(dt_cur d, dt_dhcp_info *out)
{
    if (out->host_name[0])
        return;
    dt_skip(&d, 1); /* flags */
    size_t o = 0;
    while (dt_left(&d) > 0) {
        uint8_t l = dt_u8(&d);
        const uint8_t *lab = dt_bytes(&d, l);
        if (!l || !lab || o + 1 + l >= sizeof out->host_name)
            break;
        if (o)
            out->host_name[o++] = '.';
        dt_copy_printable(out->host_name + o, sizeof out->host_name - o, lab, l);
        o += l;
    }
}

int dt_dhcp6_parse(const uint8_t *p, size_t len, dt_dhcp_info *out)
{
    dt_cur c = dt_cur_make(p, len);
    uint8_t type = dt_u8(&c);
    dt_skip(&c, 3); /* transaction id */
    /* client messages: SOLICIT, REQUEST, CONFIRM, RENEW, REBIND, RELEASE,
     * DECLINE, INFORMATION-REQUEST; others: ADVERTISE, REPLY, RECONFIGURE,
     * the relays' and later ones (leasequery, DHCPv4-over-v6, ...) */
    int client = (type >= 1 && type <= 9 && type != 2 && type != 7) || type == 11;
    if (!dt_ok(&c) || type == 0 || type > 36)
        return -1;
    int opts_ok = 1;
    dt_dhcp_info got;
    memset(&got, 0, sizeof got);
    while (dt_left(&c) > 0) {
        uint16_t code = dt_be16(&c);
        dt_cur o = dt_sub(&c, dt_be16(&c));
        if (!dt_ok(&c)) {
            opts_ok = 0;
            break;
        }
        if (code == D6_OPT_CLIENTID) {
            uint16_t duid = dt_be16(&o), hw = dt_be16(&o);
            if (duid == DUID_LLT)
                dt_skip(&o, 4);
            const uint8_t *ll = dt_bytes(&o, 6);
            if ((duid == DUID_LLT || duid == DUID_LL) && hw == HTYPE_ETHER && ll && !dt_left(&o))
                set_mac(&got, ll);
        } else if (code == D6_OPT_FQDN) {
            fqdn(o, &got);
        } else if (code == D6_OPT_VENDOR_CLASS) {
            dt_skip(&o, 4); /* enterprise number */
            uint16_t n = dt_be16(&o);
            const uint8_t *v = dt_bytes(&o, n);
            if (v)
                set_text(got.vendor_class, sizeof got.vendor_class, v, n);
        }
    }
    /* options must fill the message exactly: otherwise it is not DHCPv6 */
    if (!opts_ok)
        return -1;
    if (!client)
        return 0;
    out->present = 1;
    if (!out->client_mac[0])
        memcpy(out->client_mac, got.client_mac, sizeof got.client_mac);
    if (!out->host_name[0])
        memcpy(out->host_name, got.host_name, sizeof got.host_name);
    if (!out->vendor_class[0])
        memcpy(out->vendor_class, got.vendor_class, sizeof got.vendor_class);
    return 1;
}

static int dhcp4_read(const uint8_t *p, size_t len, void *out)
{
    return dt_dhcp4_parse(p, len, out);
}

static int dhcp6_read(const uint8_t *p, size_t len, void *out)
{
    return dt_dhcp6_parse(p, len, out);
}

/* Every datagram until one is not DHCP; the result only when a client's
 * message was read. */
static dt_parse_status dhcp_parse(const dt_parse_in *in)
{
    const dt_flow *f = in->f;
    int v6 = 0;
    for (int s = 0; s < 2; s++)
        v6 |= f->side[s].port == DT_PORT_DHCP6_CLIENT || f->side[s].port == DT_PORT_DHCP6_SERVER;
    dt_dhcp_info scratch;
    return dt_parser_read_datagram(in, DT_RESULT_DHCP, v6 ? DT_APP_DHCPV6 : DT_APP_DHCP, &scratch,
                                   v6 ? dhcp6_read : dhcp4_read);
}

/* "dhcp", only on flows with a client's message. */
static int dhcp_json(dt_jw *w, const dt_flow_app *x)
{
    const dt_dhcp_info *d = dt_app_dhcp(x);
    if (!d)
        return 0;
    dt_jw_obj_begin(w);
    DT_JW_KEY_STR_OR_NULL(w, "client_mac", d->client_mac);
    DT_JW_KEY_STR_OR_NULL(w, "host_name", d->host_name);
    DT_JW_KEY_STR_OR_NULL(w, "vendor_class", d->vendor_class);
    dt_jw_obj_end(w);
    return 1;
}

const dt_parser dt_parser_dhcp = {
    .name = "dhcp",
    .transport = DT_TRANSPORT_UDP,
    .dirs = DT_DIRS_BOTH,
    .flags = DT_PF_CLAIM | DT_PF_JSON_IF_RESULT,
    .ports = {DT_PORT_DHCP_SERVER, DT_PORT_DHCP_CLIENT, DT_PORT_DHCP6_CLIENT, DT_PORT_DHCP6_SERVER},
    .parse = dhcp_parse,
    .result_size = sizeof(dt_dhcp_info),
    .DT_PARSER_JSON_KEY("dhcp"),
    .json = dhcp_json,
};
