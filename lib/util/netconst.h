/* Network constants in one place: link types, ethertypes, IP protocol
 * numbers, TCP flags, well-known ports, and the field offsets of the fixed
 * IPv4 / IPv6 / TCP / UDP headers.
 *
 * The offsets are byte positions inside a header slab obtained from the
 * bounds-checked cursor (dt_bytes(c, DT_IP4_HDR_MIN) and so on), so reading
 * `dt_rd_be16(h + DT_TCP_OFF_WINDOW)` costs the same as `dt_rd_be16(h + 14)`
 * and is checked by the same one length test. */
#ifndef DT_NETCONST_H
#define DT_NETCONST_H

#include "datatrail.h"

/* The LINKTYPE_* values datatrail decodes (DT_LINKTYPE_*) are public:
 * datatrail.h, as dt_engine_feed() takes them. */

/* ---- ethertypes ---- */
#define DT_ETH_HDR_LEN 14      /* destination, source, type */
#define DT_ETH_MAX_LEN 1500    /* a type field up to this is an 802.3 length */
#define DT_ETH_TYPE_MIN 0x0600 /* smallest value that is an ethertype */
#define DT_ETHERTYPE_IPV4 0x0800
#define DT_ETHERTYPE_ERSPAN3 0x22eb /* ERSPAN type III (GRE) */
#define DT_ETHERTYPE_ARP 0x0806
#define DT_ETHERTYPE_TEB 0x6558  /* transparent Ethernet bridging (GRE) */
#define DT_ETHERTYPE_VLAN 0x8100 /* 802.1Q */
#define DT_ETHERTYPE_IPV6 0x86dd
#define DT_ETHERTYPE_PPP 0x880b     /* PPP (GRE, PPTP) */
#define DT_ETHERTYPE_MPLS_UC 0x8847 /* MPLS unicast */
#define DT_ETHERTYPE_MPLS_MC 0x8848 /* MPLS multicast */
#define DT_ETHERTYPE_PPPOE_SESS 0x8864
#define DT_ETHERTYPE_QINQ 0x88a8      /* 802.1ad */
#define DT_ETHERTYPE_ERSPAN2 0x88be   /* ERSPAN type I (no GRE sequence) or II (GRE) */
#define DT_ETHERTYPE_QINQ_9100 0x9100 /* old QinQ */
#define DT_ETHERTYPE_QINQ_9200 0x9200 /* old QinQ */

/* ---- PPP protocol field ---- */
#define DT_PPP_IPV4 0x0021
#define DT_PPP_IPV6 0x0057

/* ---- Linux cooked capture ARPHRD_* ---- */
#define DT_ARPHRD_NETLINK 824

/* ---- BSD NULL / loopback address families ---- */
#define DT_BSD_AF_INET 2
#define DT_BSD_AF_INET6_BSD 24     /* NetBSD, OpenBSD, BSD/OS */
#define DT_BSD_AF_INET6_FREEBSD 28 /* FreeBSD, DragonFly */
#define DT_BSD_AF_INET6_DARWIN 30  /* macOS, iOS */
#define DT_BSD_AF_INET6_LINUX 10   /* Linux (seen in some captures) */

/* ---- IP protocol numbers (IANA) ---- */
#define DT_IPPROTO_HOPOPTS 0 /* IPv6 hop-by-hop options */
#define DT_IPPROTO_ICMP 1
#define DT_IPPROTO_IPIP 4 /* IPv4 encapsulation */
#define DT_IPPROTO_TCP 6
#define DT_IPPROTO_UDP 17
#define DT_IPPROTO_IPV6 41 /* IPv6 encapsulation (6in4) */
#define DT_IPPROTO_ROUTING 43
#define DT_IPPROTO_FRAGMENT 44
#define DT_IPPROTO_GRE 47
#define DT_IPPROTO_ESP 50
#define DT_IPPROTO_AH 51
#define DT_IPPROTO_ICMPV6 58
#define DT_IPPROTO_DSTOPTS 60
#define DT_IPPROTO_MOBILITY 135
#define DT_IPPROTO_HIP 139
#define DT_IPPROTO_L2TP 115 /* L2TPv3 over IP */
#define DT_IPPROTO_SHIM6 140

/* ---- TCP flags (the byte at DT_TCP_OFF_FLAGS) ---- */
#define DT_TCP_FIN 0x01
#define DT_TCP_SYN 0x02
#define DT_TCP_RST 0x04
#define DT_TCP_PSH 0x08
#define DT_TCP_ACK 0x10
#define DT_TCP_URG 0x20
#define DT_TCP_ECE 0x40
#define DT_TCP_CWR 0x80

/* ---- well-known ports ---- */
#define DT_PORT_HTTP 80
#define DT_PORT_DNS 53
#define DT_PORT_NTP 123
#define DT_PORT_HTTPS 443
#define DT_PORT_DOT 853 /* DNS over TLS / QUIC */
#define DT_PORT_L2TP 1701
#define DT_PORT_SSDP 1900
#define DT_PORT_GTPU 2152
#define DT_PORT_TEREDO 3544
#define DT_PORT_VXLAN 4789
#define DT_PORT_CAPWAP_DATA 5247
#define DT_PORT_MDNS 5353
#define DT_PORT_LLMNR 5355
#define DT_PORT_GENEVE 6081
#define DT_PORT_EPHEMERAL_MIN 32768 /* first port Linux, Windows and BSD pick for clients */

/* ---- IPv4 header (RFC 791) ---- */
#define DT_IP4_HDR_MIN 20
#define DT_IP4_OFF_VER_IHL 0 /* version << 4 | header length in 32-bit words */
#define DT_IP4_OFF_TOTLEN 2
#define DT_IP4_OFF_ID 4
#define DT_IP4_OFF_FRAG 6 /* flags (DF, MF) and fragment offset in 8-byte units */
#define DT_IP4_OFF_PROTO 9
#define DT_IP4_OFF_SRC 12
#define DT_IP4_OFF_DST 16
#define DT_IP4_FRAG_MF 0x2000
#define DT_IP4_FRAG_OFFSET 0x1fff /* mask */

/* ---- IPv6 header (RFC 8200) ---- */
#define DT_IP6_HDR_LEN 40
#define DT_IP6_OFF_VER 0
#define DT_IP6_OFF_PLEN 4
#define DT_IP6_OFF_NEXT 6
#define DT_IP6_OFF_SRC 8
#define DT_IP6_OFF_DST 24
#define DT_IP6_FRAG_HDR_LEN 8
#define DT_IP6_FRAG_MF 0x0001     /* in the fragment header's offset word */
#define DT_IP6_FRAG_OFFSET 0xfff8 /* mask: offset in bytes (8-byte units << 3) */

/* ---- TCP header (RFC 9293) ---- */
#define DT_TCP_HDR_MIN 20
#define DT_TCP_OFF_SPORT 0
#define DT_TCP_OFF_DPORT 2
#define DT_TCP_OFF_SEQ 4
#define DT_TCP_OFF_ACK 8
#define DT_TCP_OFF_DOFF 12 /* data offset in 32-bit words, high nibble */
#define DT_TCP_OFF_FLAGS 13
#define DT_TCP_OFF_WINDOW 14

/* ---- UDP header (RFC 768) ---- */
#define DT_UDP_HDR_LEN 8
#define DT_UDP_OFF_SPORT 0
#define DT_UDP_OFF_DPORT 2
#define DT_UDP_OFF_LEN 4

#endif
