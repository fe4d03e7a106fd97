/* DHCP (RFC 2131/2132) and DHCPv6 (RFC 8415): what a client's messages say
 * about the device: its Ethernet address, host name and vendor class. */
#ifndef DT_DHCP_H
#define DT_DHCP_H

#include <stddef.h>
#include <stdint.h>

#define DT_PORT_DHCP_SERVER 67
#define DT_PORT_DHCP_CLIENT 68
#define DT_PORT_DHCP6_CLIENT 546
#define DT_PORT_DHCP6_SERVER 547

typedef struct dt_dhcp_info {
    int present;           /* a client message was read */
    char client_mac[18];   /* "0a:a1:b2:c3:d4:e5" (chaddr; DHCPv6: the DUID's link-layer
                              address, when it is an Ethernet one); "" unknown */
    char host_name[256];   /* option 12; DHCPv6: option 39 (client FQDN) */
    char vendor_class[64]; /* option 60; DHCPv6: option 16's first data */
} dt_dhcp_info;

/* One datagram: -1 when it is not DHCP (BOOTP header, Ethernet hardware
 * address, magic cookie), 0 a DHCP message that is not a client's request,
 * 1 a client's request: what it says is added to *out (fields already set
 * are kept).  Printable ASCII only ('?' for other bytes). */
int dt_dhcp4_parse(const uint8_t *p, size_t len, dt_dhcp_info *out);
/* The same for DHCPv6: -1 not a DHCPv6 message, 0 a server's or relay's,
 * 1 a client's. */
int dt_dhcp6_parse(const uint8_t *p, size_t len, dt_dhcp_info *out);

#endif
