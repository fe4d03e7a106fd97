/* Special-purpose address classes (IANA IPv4/IPv6 special-purpose registries, RFC 6890 and
 * updates) and CIDR matching for --local. */
#ifndef DT_IPCLASS_H
#define DT_IPCLASS_H

#include "datatrail.h" /* dt_cidr, dt_cidr_parse */
#include "util/addr.h"

/* Returns a static string: "public", "private", "loopback", "link-local", "cgnat",
 * "documentation", "multicast", "broadcast", "reserved", "unspecified", "benchmarking",
 * "ietf-protocol", "ula", or "invalid" (family not 4/6).  IPv4-mapped (::ffff:0:0/96) and
 * NAT64 (64:ff9b::/96) addresses are classified by their embedded IPv4 address; Teredo
 * (2001::/32) and 6to4 (2002::/16) are "public". */
const char *dt_ipclass(const dt_addr *a);

/* True for private, loopback, link-local, ULA and CGNAT: the default "local side" rule. */
int dt_ipclass_is_local_default(const dt_addr *a);

/* If a is IPv4-mapped or NAT64 IPv6, writes the embedded IPv4 address to v4 and returns 1;
 * otherwise returns 0. */
int dt_ipclass_embedded_v4(const dt_addr *a, dt_addr *v4);

/* 1 if a is inside c (same family only), else 0. */
int dt_cidr_match(const dt_cidr *c, const dt_addr *a);

#endif
