/* Unit tests for lib/proto/dhcp.c: the device names of DHCP and DHCPv6 client messages. */
#include "check.h"
#include "proto/dhcp.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t mac[6] = {0x0a, 0x01, 0x02, 0x03, 0x04, 0x05};

/* A BOOTREQUEST (op) from mac with the options given (raw), and the end option. */
static size_t dhcp4_msg(uint8_t *b, uint8_t op, const void *opts, size_t n)
{
    memset(b, 0, 240);
    b[0] = op;
    b[1] = 1; /* Ethernet */
    b[2] = 6;
    memcpy(b + 28, mac, 6);
    memcpy(b + 236, "\x63\x82\x53\x63", 4);
    memcpy(b + 240, opts, n);
    b[240 + n] = 255;
    return 241 + n;
}

static void test_dhcp4(void)
{
    uint8_t b[600];
    dt_dhcp_info d;
    /* message type, a pad, host name, vendor class */
    static const char opts[] = "\x35\x01\x01\x00\x0c\x04"
                               "car1"
                               "\x3c\x05"
                               "MSFT\x01";
    size_t n = dhcp4_msg(b, 1, opts, sizeof opts - 1);
    memset(&d, 0, sizeof d);
    CHECK_EQ_INT(dt_dhcp4_parse(b, n, &d), 1);
    CHECK_EQ_STR(d.client_mac, "0a:01:02:03:04:05");
    CHECK_EQ_STR(d.host_name, "car1");
    CHECK_EQ_STR(d.vendor_class, "MSFT?"); /* not printable: '?' */
    /* a later message does not replace what was found */
    static const char opts2[] = "\x0c\x04"
                                "car2";
    n = dhcp4_msg(b, 1, opts2, sizeof opts2 - 1);
    CHECK_EQ_INT(dt_dhcp4_parse(b, n, &d), 1);
    CHECK_EQ_STR(d.host_name, "car1");
    /* a server's reply: DHCP, names nothing */
    memset(&d, 0, sizeof d);
    n = dhcp4_msg(b, 2, opts, sizeof opts - 1);
    CHECK_EQ_INT(dt_dhcp4_parse(b, n, &d), 0);
    CHECK_EQ_INT(d.present, 0);
    /* an option longer than the message: what came before it is kept */
    static const char cut[] = "\x0c\x04"
                              "car3"
                              "\x3c\x40"
                              "xx";
    n = dhcp4_msg(b, 1, cut, sizeof cut - 1) - 1;
    CHECK_EQ_INT(dt_dhcp4_parse(b, n, &d), 1);
    CHECK_EQ_STR(d.host_name, "car3");
    CHECK_EQ_STR(d.vendor_class, "");
    /* no magic cookie, not Ethernet, too short, every prefix */
    b[236] = 0;
    CHECK_EQ_INT(dt_dhcp4_parse(b, n, &d), -1);
    b[236] = 0x63;
    b[1] = 6;
    CHECK_EQ_INT(dt_dhcp4_parse(b, n, &d), -1);
    b[1] = 1;
    for (size_t l = 0; l < 240; l++) {
        uint8_t *p = malloc(l ? l : 1);
        memcpy(p, b, l);
        CHECK_EQ_INT(dt_dhcp4_parse(p, l, &d), -1);
        free(p);
    }
}

static void test_dhcp6(void)
{
    dt_dhcp_info d;
    /* SOLICIT: client id DUID-LL (Ethernet), FQDN "tcu.example" (flags 1), vendor class */
    static const uint8_t sol[] = {
        1,    0x12, 0x34, 0x56, 0,  1,  0, 10,  0,   3,   0, 1,   0x0a, 0x01, 0x02, 0x03, 0x04,
        0x05, 0,    39,   0,    14, 1,  3, 't', 'c', 'u', 7, 'e', 'x',  'a',  'm',  'p',  'l',
        'e',  0,    0,    16,   0,  10, 0, 0,   1,   55,  0, 4,   'M',  'S',  'F',  'T'};
    memset(&d, 0, sizeof d);
    CHECK_EQ_INT(dt_dhcp6_parse(sol, sizeof sol, &d), 1);
    CHECK_EQ_STR(d.client_mac, "0a:01:02:03:04:05");
    CHECK_EQ_STR(d.host_name, "tcu.example");
    CHECK_EQ_STR(d.vendor_class, "MSFT");
    /* a REPLY (7) is DHCPv6, names nothing */
    uint8_t b[sizeof sol];
    memcpy(b, sol, sizeof sol);
    b[0] = 7;
    memset(&d, 0, sizeof d);
    CHECK_EQ_INT(dt_dhcp6_parse(b, sizeof b, &d), 0);
    CHECK_EQ_INT(d.present, 0);
    /* options that do not fill the message exactly: not DHCPv6 */
    b[0] = 1;
    CHECK_EQ_INT(dt_dhcp6_parse(b, sizeof b - 1, &d), -1);
    /* a DUID of another hardware type names no MAC */
    b[11] = 6;
    memset(&d, 0, sizeof d);
    CHECK_EQ_INT(dt_dhcp6_parse(b, sizeof b, &d), 1);
    CHECK_EQ_STR(d.client_mac, "");
    CHECK_EQ_STR(d.host_name, "tcu.example");
    /* message type 0 */
    b[0] = 0;
    CHECK_EQ_INT(dt_dhcp6_parse(b, sizeof b, &d), -1);
}

int main(void)
{
    test_dhcp4();
    test_dhcp6();
    return check_done();
}
