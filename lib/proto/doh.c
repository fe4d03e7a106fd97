#include "proto/doh.h"
#include "util/netconst.h"

#include <string.h>
#include <strings.h>

/* The resolvers, generated at build time from data/doh-hosts.txt (the only
 * copy: lib/proto/doh-hosts.cmake).  Why not read the file at start-up: the
 * library runs without a data directory (tests, programs embedding it, the
 * geo data are optional), a missing or unreadable file would silently change
 * which flows count as DoH, and a list of two dozen names fixed at build time
 * needs no loader, no allocation and no error path. */
static const char *const doh_hosts[] = {
#include "proto/doh-hosts.inc"
};

int dt_doh_host(const char *name)
{
    for (size_t i = 0; i < sizeof doh_hosts / sizeof doh_hosts[0]; i++)
        if (!strcasecmp(name, doh_hosts[i]))
            return 1;
    return 0;
}

static int alpn_has(const dt_tls_client *c, const char *proto)
{
    for (int i = 0; i < c->n_alpn; i++)
        if (!strcmp(c->alpn[i], proto))
            return 1;
    return 0;
}

int dt_encrypted_dns_kind(uint16_t server_port, const dt_tls_client *c, const dt_tls_client *q)
{
    if (q && (alpn_has(q, "doq") || server_port == DT_PORT_DOT))
        return DT_ENC_DNS_DOQ;
    if (c && (server_port == DT_PORT_DOT || alpn_has(c, "dot")))
        return DT_ENC_DNS_DOT;
    const char *sni = c ? c->sni : q ? q->sni : NULL;
    if (sni && dt_doh_host(sni))
        return DT_ENC_DNS_DOH;
    return DT_ENC_DNS_NONE;
}
