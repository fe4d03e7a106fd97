#include "check.h"
#include "enrich/ipclass.h"

static const char *cls(const char *s)
{
    dt_addr a;
    if (dt_addr_parse(s, &a) != 0)
        return "parse-error";
    return dt_ipclass(&a);
}

static int local(const char *s)
{
    dt_addr a;
    if (dt_addr_parse(s, &a) != 0)
        return -1;
    return dt_ipclass_is_local_default(&a);
}

static int match(const char *cidr, const char *ip)
{
    dt_cidr c;
    dt_addr a;
    if (dt_cidr_parse(cidr, &c) != 0 || dt_addr_parse(ip, &a) != 0)
        return -1;
    return dt_cidr_match(&c, &a);
}

int main(void)
{
    /* IPv4 boundaries: first and last address of each block plus both neighbours. */
    CHECK_EQ_STR(cls("0.0.0.0"), "unspecified");
    CHECK_EQ_STR(cls("0.255.255.255"), "unspecified");
    CHECK_EQ_STR(cls("1.0.0.0"), "public");
    CHECK_EQ_STR(cls("9.255.255.255"), "public");
    CHECK_EQ_STR(cls("10.0.0.0"), "private");
    CHECK_EQ_STR(cls("10.255.255.255"), "private");
    CHECK_EQ_STR(cls("11.0.0.0"), "public");
    CHECK_EQ_STR(cls("100.63.255.255"), "public");
    CHECK_EQ_STR(cls("100.64.0.0"), "cgnat");
    CHECK_EQ_STR(cls("100.127.255.255"), "cgnat");
    CHECK_EQ_STR(cls("100.128.0.0"), "public");
    CHECK_EQ_STR(cls("126.255.255.255"), "public");
    CHECK_EQ_STR(cls("127.0.0.0"), "loopback");
    CHECK_EQ_STR(cls("127.255.255.255"), "loopback");
    CHECK_EQ_STR(cls("128.0.0.0"), "public");
    CHECK_EQ_STR(cls("169.253.255.255"), "public");
    CHECK_EQ_STR(cls("169.254.0.0"), "link-local");
    CHECK_EQ_STR(cls("169.254.255.255"), "link-local");
    CHECK_EQ_STR(cls("169.255.0.0"), "public");
    CHECK_EQ_STR(cls("172.15.255.255"), "public");
    CHECK_EQ_STR(cls("172.16.0.0"), "private");
    CHECK_EQ_STR(cls("172.31.255.255"), "private");
    CHECK_EQ_STR(cls("172.32.0.0"), "public");
    CHECK_EQ_STR(cls("191.255.255.255"), "public");
    CHECK_EQ_STR(cls("192.0.0.0"), "ietf-protocol");
    CHECK_EQ_STR(cls("192.0.0.255"), "ietf-protocol");
    CHECK_EQ_STR(cls("192.0.1.0"), "public");
    CHECK_EQ_STR(cls("192.0.1.255"), "public");
    CHECK_EQ_STR(cls("192.0.2.0"), "documentation");
    CHECK_EQ_STR(cls("192.0.2.255"), "documentation");
    CHECK_EQ_STR(cls("192.0.3.0"), "public");
    CHECK_EQ_STR(cls("192.167.255.255"), "public");
    CHECK_EQ_STR(cls("192.168.0.0"), "private");
    CHECK_EQ_STR(cls("192.168.255.255"), "private");
    CHECK_EQ_STR(cls("192.169.0.0"), "public");
    CHECK_EQ_STR(cls("198.17.255.255"), "public");
    CHECK_EQ_STR(cls("198.18.0.0"), "benchmarking");
    CHECK_EQ_STR(cls("198.19.255.255"), "benchmarking");
    CHECK_EQ_STR(cls("198.20.0.0"), "public");
    CHECK_EQ_STR(cls("198.51.99.255"), "public");
    CHECK_EQ_STR(cls("198.51.100.0"), "documentation");
    CHECK_EQ_STR(cls("198.51.100.255"), "documentation");
    CHECK_EQ_STR(cls("198.51.101.0"), "public");
    CHECK_EQ_STR(cls("203.0.112.255"), "public");
    CHECK_EQ_STR(cls("203.0.113.0"), "documentation");
    CHECK_EQ_STR(cls("203.0.113.255"), "documentation");
    CHECK_EQ_STR(cls("203.0.114.0"), "public");
    CHECK_EQ_STR(cls("223.255.255.255"), "public");
    CHECK_EQ_STR(cls("224.0.0.0"), "multicast");
    CHECK_EQ_STR(cls("239.255.255.255"), "multicast");
    CHECK_EQ_STR(cls("240.0.0.0"), "reserved");
    CHECK_EQ_STR(cls("255.255.255.254"), "reserved");
    /* IPv6 outside 2000::/3 and the returned 6bone space are reserved */
    CHECK_EQ_STR(cls("bbbb::3"), "reserved");
    CHECK_EQ_STR(cls("cafe::babe"), "reserved");
    CHECK_EQ_STR(cls("3ffe:501:4819::42"), "reserved");
    CHECK_EQ_STR(cls("100::1"), "reserved");
    CHECK_EQ_STR(cls("2000::1"), "public");
    CHECK_EQ_STR(cls("3fff:ffff::1"), "public");
    CHECK_EQ_STR(cls("2a01:598:a001:1::2"), "public");
    CHECK_EQ_STR(cls("255.255.255.255"), "broadcast");

    /* IPv6 */
    CHECK_EQ_STR(cls("::"), "unspecified");
    CHECK_EQ_STR(cls("::1"), "loopback");
    CHECK_EQ_STR(cls("::2"), "reserved"); /* outside 2000::/3 */
    CHECK_EQ_STR(cls("fe80::"), "link-local");
    CHECK_EQ_STR(cls("febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), "link-local");
    CHECK_EQ_STR(cls("fec0::"), "reserved"); /* the deprecated site-local */
    CHECK_EQ_STR(cls("fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), "reserved");
    CHECK_EQ_STR(cls("fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), "reserved");
    CHECK_EQ_STR(cls("fc00::"), "ula");
    CHECK_EQ_STR(cls("fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), "ula");
    CHECK_EQ_STR(cls("feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), "reserved");
    CHECK_EQ_STR(cls("ff00::"), "multicast");
    CHECK_EQ_STR(cls("ff02::fb"), "multicast");
    CHECK_EQ_STR(cls("2001:db7:ffff:ffff:ffff:ffff:ffff:ffff"), "public");
    CHECK_EQ_STR(cls("2001:db8::"), "documentation");
    CHECK_EQ_STR(cls("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"), "documentation");
    CHECK_EQ_STR(cls("2001:db9::"), "public");
    CHECK_EQ_STR(cls("3fff::"), "documentation");
    CHECK_EQ_STR(cls("3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff"), "documentation");
    CHECK_EQ_STR(cls("3fff:1000::"), "public");
    CHECK_EQ_STR(cls("::ffff:10.1.2.3"), "private");
    CHECK_EQ_STR(cls("::ffff:8.8.8.8"), "public");
    CHECK_EQ_STR(cls("::ffff:127.0.0.1"), "loopback");
    CHECK_EQ_STR(cls("64:ff9b::192.168.1.1"), "private");
    CHECK_EQ_STR(cls("64:ff9b::1.1.1.1"), "public");
    CHECK_EQ_STR(cls("2001::1"), "public");
    CHECK_EQ_STR(cls("2002:c000:0204::1"), "public");
    CHECK_EQ_STR(cls("2a00:1450:4001:80b::200e"), "public");
    dt_addr none = {0};
    CHECK_EQ_STR(dt_ipclass(&none), "invalid");
    CHECK_EQ_STR(dt_ipclass(NULL), "invalid");

    dt_addr m, v4;
    dt_addr_parse("64:ff9b::102:304", &m);
    CHECK_EQ_INT(dt_ipclass_embedded_v4(&m, &v4), 1);
    CHECK_EQ_INT(v4.family, 4);
    CHECK_EQ_INT(v4.a[0] == 1 && v4.a[1] == 2 && v4.a[2] == 3 && v4.a[3] == 4, 1);
    dt_addr_parse("2001::1", &m);
    CHECK_EQ_INT(dt_ipclass_embedded_v4(&m, &v4), 0);

    /* Local-side default */
    CHECK_EQ_INT(local("10.0.0.1"), 1);
    CHECK_EQ_INT(local("192.168.1.1"), 1);
    CHECK_EQ_INT(local("172.20.0.1"), 1);
    CHECK_EQ_INT(local("100.64.0.1"), 1);
    CHECK_EQ_INT(local("127.0.0.1"), 1);
    CHECK_EQ_INT(local("169.254.1.1"), 1);
    CHECK_EQ_INT(local("fe80::1"), 1);
    CHECK_EQ_INT(local("fd00::1"), 1);
    CHECK_EQ_INT(local("::1"), 1);
    CHECK_EQ_INT(local("8.8.8.8"), 0);
    CHECK_EQ_INT(local("224.0.0.251"), 0);
    CHECK_EQ_INT(local("192.0.2.1"), 0);
    CHECK_EQ_INT(local("2001:4860::8888"), 0);

    /* CIDR */
    dt_cidr c;
    CHECK_EQ_INT(dt_cidr_parse("10.1.2.3/8", &c), 0);
    CHECK_EQ_INT(c.bits, 8);
    CHECK_EQ_INT(c.net.a[0] == 10 && c.net.a[1] == 0 && c.net.a[3] == 0, 1);
    CHECK_EQ_INT(dt_cidr_parse("192.168.1.77", &c), 0);
    CHECK_EQ_INT(c.bits, 32);
    CHECK_EQ_INT(dt_cidr_parse("2001:db8:abcd::1/33", &c), 0);
    CHECK_EQ_INT(c.bits, 33);
    CHECK_EQ_INT(c.net.a[4], 0x80);
    CHECK_EQ_INT(c.net.a[5], 0);
    CHECK_EQ_INT(dt_cidr_parse("10.0.0.0/33", &c), -1);
    CHECK_EQ_INT(dt_cidr_parse("::/129", &c), -1);
    CHECK_EQ_INT(dt_cidr_parse("10.0.0.0/", &c), -1);
    CHECK_EQ_INT(dt_cidr_parse("10.0.0.0/-1", &c), -1);
    CHECK_EQ_INT(dt_cidr_parse("10.0.0.0/8x", &c), -1);
    CHECK_EQ_INT(dt_cidr_parse("10.0.0/8", &c), -1);
    CHECK_EQ_INT(dt_cidr_parse("", &c), -1);
    CHECK_EQ_INT(dt_cidr_parse(NULL, &c), -1);
    CHECK_EQ_INT(match("10.0.0.0/8", "10.255.255.255"), 1);
    CHECK_EQ_INT(match("10.0.0.0/8", "11.0.0.0"), 0);
    CHECK_EQ_INT(match("10.0.0.0/8", "9.255.255.255"), 0);
    CHECK_EQ_INT(match("192.168.4.0/22", "192.168.7.255"), 1);
    CHECK_EQ_INT(match("192.168.4.0/22", "192.168.8.0"), 0);
    CHECK_EQ_INT(match("0.0.0.0/0", "1.2.3.4"), 1);
    CHECK_EQ_INT(match("0.0.0.0/0", "::1"), 0);
    CHECK_EQ_INT(match("::/0", "2001::1"), 1);
    CHECK_EQ_INT(match("2001:db8::/33", "2001:db8:7fff::1"), 1);
    CHECK_EQ_INT(match("2001:db8::/33", "2001:db8:8000::"), 0);
    CHECK_EQ_INT(match("1.2.3.4", "1.2.3.4"), 1);
    CHECK_EQ_INT(match("1.2.3.4", "1.2.3.5"), 0);
    return check_done();
}
