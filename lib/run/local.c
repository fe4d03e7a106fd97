#include "run/local.h"

#include "enrich/ipclass.h"
#include "util/netconst.h"

#include <stdlib.h>
#include <string.h>

enum { MAC_DEVICE = 1, MAC_GATEWAY = 2, MAC_HAS64 = 4, MAC_CLIENT64 = 8 };

typedef struct mac_ent {
    uint8_t mac[6];
    uint8_t flags;
    uint8_t prefix[8]; /* the public /64 it sent from (MAC_HAS64) */
} mac_ent;

#define MAC_SLOTS (4 * DT_LOCAL_MACS) /* open addressing, indexes into macs */

struct dt_local {
    const dt_engine_config *cfg;
    mac_ent macs[DT_LOCAL_MACS];
    int n;
    int16_t slot[MAC_SLOTS]; /* index + 1 into macs, 0: empty */
    /* the /64 of each entry that is a device's (see dt_local_is_learned), remade when
     * an entry's flags change: the addresses of every flow are checked against it */
    uint64_t dev64[DT_LOCAL_MACS];
    int n_dev64;
};

dt_local *dt_local_new(const dt_engine_config *cfg)
{
    dt_local *l = calloc(1, sizeof *l);
    if (l)
        l->cfg = cfg;
    return l;
}

void dt_local_free(dt_local *l)
{
    free(l);
}

static int by_range(const dt_engine_config *cfg, const dt_addr *a)
{
    if (!cfg->local_only && dt_ipclass_is_local_default(a))
        return 1;
    for (int i = 0; i < cfg->n_local; i++)
        if (dt_cidr_match(&cfg->local[i], a))
            return 1;
    return 0;
}

static mac_ent *mac_get(dt_local *l, const uint8_t *mac)
{
    uint32_t h = 2166136261u;
    for (int i = 0; i < 6; i++)
        h = (h ^ mac[i]) * 16777619u;
    for (uint32_t k = 0; k < MAC_SLOTS; k++) {
        int16_t *s = &l->slot[(h + k) % MAC_SLOTS];
        if (*s && memcmp(l->macs[*s - 1].mac, mac, 6) == 0)
            return &l->macs[*s - 1];
        if (!*s) {
            if (l->n == DT_LOCAL_MACS)
                return NULL;
            mac_ent *e = &l->macs[l->n++];
            memcpy(e->mac, mac, 6);
            *s = (int16_t)l->n;
            return e;
        }
    }
    return NULL;
}

/* A device: it sent from a local address, and as a client from a public /64 (the
 * prefix), never as a gateway. */
static void remake_dev64(dt_local *l)
{
    l->n_dev64 = 0;
    for (int i = 0; i < l->n; i++) {
        const mac_ent *e = &l->macs[i];
        if ((e->flags & (MAC_DEVICE | MAC_GATEWAY | MAC_CLIENT64)) == (MAC_DEVICE | MAC_CLIENT64))
            memcpy(&l->dev64[l->n_dev64++], e->prefix, sizeof l->dev64[0]);
    }
}

static int client_like(const dt_decoded *p)
{
    if (p->proto == DT_IPPROTO_TCP)
        return (p->tcp_flags & (DT_TCP_SYN | DT_TCP_ACK)) == DT_TCP_SYN;
    return p->proto == DT_IPPROTO_UDP && p->dport < 1024 && p->sport >= 1024;
}

void dt_local_learn(dt_local *l, const dt_decoded *p, int local)
{
    if (!l || !p->have_mac || (p->src_mac[0] & 1)) /* group addresses send nothing */
        return;
    const dt_addr *a = &p->src;
    if (!local && a->family == 6 && (a->a[0] & 0xe0) != 0x20) /* not global unicast */
        return;
    mac_ent *e = mac_get(l, p->src_mac);
    if (!e)
        return;
    uint8_t flags = e->flags; /* the prefix changes only with them */
    if (local) {
        e->flags |= MAC_DEVICE;
    } else if (a->family == 4) {
        e->flags |= MAC_GATEWAY;
    } else if (!(e->flags & MAC_HAS64)) {
        memcpy(e->prefix, a->a, 8);
        e->flags |= MAC_HAS64;
    } else if (memcmp(e->prefix, a->a, 8) != 0) {
        e->flags |= MAC_GATEWAY;
    }
    /* A device opens connections; a gateway forwarding one server's answers does not. */
    if (!local && a->family == 6 && client_like(p))
        e->flags |= MAC_CLIENT64;
    if (e->flags != flags)
        remake_dev64(l);
}

int dt_local_is_learned(const dt_local *l, const dt_addr *a)
{
    if (a->family != 6)
        return 0;
    uint64_t p;
    memcpy(&p, a->a, sizeof p);
    for (int i = 0; i < l->n_dev64; i++)
        if (l->dev64[i] == p)
            return 1;
    return 0;
}

int dt_local_is(const dt_local *l, const dt_addr *a)
{
    return by_range(l->cfg, a) || dt_local_is_learned(l, a);
}
