#include "flow/flow.h"
#include "util/pool.h"
#include "util/hash.h"

#include "util/netconst.h"

#include <stdlib.h>
#include <string.h>

/* Free stream buffers kept, per size: 1 MiB (16 of the largest, 64 KiB) */
#define STREAM_BUFS_KEEP (1u << 20)

struct dt_flow_table {
    dt_flow_limits lim;
    dt_flow **buckets;
    uint32_t nbuckets; /* power of two */
    dt_flow *last;     /* the flow of the last lookup: most packets follow one of their own flow */
    /* Two activity lists, least recently active first: open flows time out
     * after the idle timeout, closed TCP flows after the (shorter) linger. */
    dt_flow *lru_head[2], *lru_tail[2];
    uint64_t live, created, evicted;
    dt_tcp_budget budget;
    dt_flow_end_fn on_end;
    void *ctx;
    dt_pool flow_pool, tcp_pool; /* ended flows' memory, for the next ones */
    dt_pools stream_bufs;        /* the same for TCP stream buffers (budget.bufs) */
};

void dt_flow_limits_default(dt_flow_limits *l)
{
    /* About 0.73 KiB per live flow with its parser state: 100,000 keeps them
     * near 75 MiB (docs/security.md); more only splits flows idle for long. */
    l->max_flows = 100000;
    l->idle_timeout_ns = 300ull * 1000000000ull;
    l->closed_linger_ns = 10ull * 1000000000ull;
    l->stream_cap = 64 * 1024;
    l->stream_budget = 64ull << 20;
}

int dt_port_is_service(uint16_t port)
{
    if (port != 0 && port < 1024)
        return 1;
    /* Services above 1023 (a switch: this runs for both ports of every new flow) */
    switch (port) {
    case 1194:  /* OpenVPN */
    case 1883:  /* MQTT */
    case 1900:  /* SSDP */
    case 3478:  /* STUN/TURN */
    case 3479:  /* STUN/TURN */
    case 4500:  /* IPsec NAT-T */
    case 5060:  /* SIP */
    case 5061:  /* SIP over TLS */
    case 5222:  /* XMPP */
    case 5223:  /* XMPP over TLS */
    case 5228:  /* Google push */
    case 5349:  /* TURN over TLS */
    case 5353:  /* mDNS */
    case 5355:  /* LLMNR */
    case 5683:  /* CoAP */
    case 5684:  /* CoAP over DTLS */
    case 8008:  /* HTTP alternate */
    case 8080:  /* HTTP alternate */
    case 8443:  /* HTTPS alternate */
    case 8883:  /* MQTT over TLS */
    case 9001:  /* Tor */
    case 19302: /* Google STUN */
        return 1;
    default:
        return 0;
    }
}

dt_flow_table *dt_flow_table_new(const dt_flow_limits *l, dt_flow_end_fn on_end, void *ctx)
{
    dt_flow_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    if (l)
        t->lim = *l;
    else
        dt_flow_limits_default(&t->lim);
    if (t->lim.max_flows == 0)
        t->lim.max_flows = 1;
    /* Buckets for about one flow each at the limit, but start modest: the
     * table grows by doubling as live flows increase. */
    t->nbuckets = 4096;
    t->buckets = calloc(t->nbuckets, sizeof *t->buckets);
    if (!t->buckets) {
        free(t);
        return NULL;
    }
    t->on_end = on_end;
    /* the free memory kept: at most 4 MiB of each, and never more than the live limit */
    size_t keep_flows = (4u << 20) / sizeof(dt_flow),
           keep_tcp = (4u << 20) / (2 * sizeof(dt_tcp_dir));
    dt_pool_init(&t->flow_pool, sizeof(dt_flow),
                 keep_flows < t->lim.max_flows ? keep_flows : t->lim.max_flows);
    dt_pool_init(&t->tcp_pool, 2 * sizeof(dt_tcp_dir),
                 keep_tcp < t->lim.max_flows ? keep_tcp : t->lim.max_flows);
    t->ctx = ctx;
    t->budget.limit = t->lim.stream_budget;
    dt_pools_init(&t->stream_bufs, STREAM_BUFS_KEEP);
    t->budget.bufs = &t->stream_bufs;
    return t;
}

/* Symmetric: the same for both directions of a flow.  Each endpoint is two words
 * (its address, then the family and the port folded into the second word); the two
 * endpoints' words are combined in an order-free way (xor and sum), then mixed:
 * five multiplications per packet instead of eleven for hashing each endpoint. */
static uint32_t flow_hash(uint8_t proto, const dt_addr *a, uint16_t pa, const dt_addr *b,
                          uint16_t pb)
{
    uint64_t x[2], y[2];
    memcpy(x, a->a, sizeof x);
    memcpy(y, b->a, sizeof y);
    x[1] ^= (uint64_t)pa << 32 ^ (uint64_t)a->family << 48;
    y[1] ^= (uint64_t)pb << 32 ^ (uint64_t)b->family << 48;
    uint64_t h = dt_hash_word(dt_hash_word(DT_HASH_INIT ^ proto, x[0] ^ y[0]), x[0] + y[0]);
    return (uint32_t)dt_hash_final(dt_hash_word(dt_hash_word(h, x[1] ^ y[1]), x[1] + y[1]));
}

static int side_is(const dt_flow_side *s, const dt_addr *a, uint16_t p)
{
    return s->port == p && dt_addr_eq(&s->ip, a);
}

/* The side of f that sends a packet from (src,sport) to (dst,dport), or -1 when the
 * packet is not f's. */
__attribute__((always_inline)) static inline int
flow_dir(const dt_flow *f, const dt_addr *src, uint16_t sport, const dt_addr *dst, uint16_t dport)
{
    if (side_is(&f->side[0], src, sport) && side_is(&f->side[1], dst, dport))
        return DT_CLIENT;
    if (side_is(&f->side[1], src, sport) && side_is(&f->side[0], dst, dport))
        return DT_SERVER;
    return -1;
}

static void lru_unlink(dt_flow_table *t, dt_flow *f)
{
    int l = f->closed != 0;
    if (f->lru_prev)
        f->lru_prev->lru_next = f->lru_next;
    else
        t->lru_head[l] = f->lru_next;
    if (f->lru_next)
        f->lru_next->lru_prev = f->lru_prev;
    else
        t->lru_tail[l] = f->lru_prev;
    f->lru_prev = f->lru_next = NULL;
}

static void lru_append(dt_flow_table *t, dt_flow *f)
{
    int l = f->closed != 0;
    f->lru_prev = t->lru_tail[l];
    f->lru_next = NULL;
    if (t->lru_tail[l])
        t->lru_tail[l]->lru_next = f;
    else
        t->lru_head[l] = f;
    t->lru_tail[l] = f;
}

/* The flow to end first when the table is full: the least recently active,
 * preferring closed flows. */
static dt_flow *oldest(dt_flow_table *t)
{
    return t->lru_head[1] ? t->lru_head[1] : t->lru_head[0];
}

static void end_flow(dt_flow_table *t, dt_flow *f, dt_flow_end reason)
{
    if (t->last == f)
        t->last = NULL;
    dt_flow **pp = &t->buckets[f->hash & (t->nbuckets - 1)];
    while (*pp && *pp != f)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = f->hnext;
    lru_unlink(t, f);
    t->live--;
    f->end_reason = (uint8_t)reason;
    if (t->on_end)
        t->on_end(t->ctx, f);
    if (f->tcp) {
        dt_tcp_dir_free(&f->tcp[0]);
        dt_tcp_dir_free(&f->tcp[1]);
        dt_pool_put(&t->tcp_pool, f->tcp);
    }
    dt_pool_put(&t->flow_pool, f);
}

static void grow_buckets(dt_flow_table *t)
{
    uint32_t n = t->nbuckets * 2;
    dt_flow **nb = calloc(n, sizeof *nb);
    if (!nb)
        return; /* keep the smaller table: slower, still correct */
    for (uint32_t i = 0; i < t->nbuckets; i++) {
        dt_flow *f = t->buckets[i];
        while (f) {
            dt_flow *next = f->hnext;
            f->hnext = nb[f->hash & (n - 1)];
            nb[f->hash & (n - 1)] = f;
            f = next;
        }
    }
    free(t->buckets);
    t->buckets = nb;
    t->nbuckets = n;
}

static void swap_sides(dt_flow *f)
{
    dt_flow_side s = f->side[0];
    f->side[0] = f->side[1];
    f->side[1] = s;
    if (f->tcp) {
        dt_tcp_dir d = f->tcp[0];
        f->tcp[0] = f->tcp[1];
        f->tcp[1] = d;
    }
}

dt_flow *dt_flow_lookup(dt_flow_table *t, uint8_t proto, const dt_addr *src, uint16_t sport,
                        const dt_addr *dst, uint16_t dport, uint64_t ts_ns, dt_role_hint hint,
                        int *dir)
{
    /* At most one live flow has these endpoints: the last lookup's flow, when it is the
     * one, is the one the chain would give (without hashing or touching the buckets). */
    dt_flow *f = t->last;
    int d = f && f->proto == proto ? flow_dir(f, src, sport, dst, dport) : -1;
    uint32_t h = f ? f->hash : 0; /* the hash is symmetric: the last flow's, when it is this one */
    if (d < 0) {
        h = flow_hash(proto, src, sport, dst, dport);
        for (f = t->buckets[h & (t->nbuckets - 1)]; f; f = f->hnext)
            if (f->hash == h && f->proto == proto && (d = flow_dir(f, src, sport, dst, dport)) >= 0)
                break;
    }
    if (f)
        *dir = d;
    if (f && hint == DT_HINT_CLIENT && f->closed) {
        end_flow(t, f, DT_END_REUSED); /* a new connection on the same ports */
        f = NULL;
    }
    if (f && hint != DT_HINT_NONE && !f->client_by_syn) {
        int want = hint == DT_HINT_CLIENT ? DT_CLIENT : DT_SERVER;
        if (*dir != want) {
            swap_sides(f); /* the guess was wrong: the handshake names the client */
            *dir = want;
        }
        f->client_by_syn = 1;
    }
    if (f)
        return t->last = f;

    if (t->live >= t->lim.max_flows && oldest(t)) {
        dt_flow *victim = oldest(t);
        if (victim->closed) {
            end_flow(t, victim, DT_END_CLOSED);
        } else {
            t->evicted++;
            end_flow(t, victim, DT_END_EVICTED);
        }
    }
    f = dt_pool_get(&t->flow_pool);
    if (!f)
        return NULL;
    if (proto == DT_IPPROTO_TCP) {
        f->tcp = dt_pool_take(&t->tcp_pool); /* dt_tcp_dir_init clears what is read */
        if (!f->tcp) {
            dt_pool_put(&t->flow_pool, f);
            return NULL;
        }
        dt_tcp_dir_init(&f->tcp[0], t->lim.stream_cap, &t->budget);
        dt_tcp_dir_init(&f->tcp[1], t->lim.stream_cap, &t->budget);
    }
    f->proto = proto;
    f->hash = h;
    f->id = t->created++;
    f->first_ns = f->last_ns = f->active_ns = ts_ns;
    f->side[0].ip = *src;
    f->side[0].port = sport;
    f->side[1].ip = *dst;
    f->side[1].port = dport;
    *dir = DT_CLIENT;
    int sender_is_server;
    if (hint != DT_HINT_NONE) {
        f->client_by_syn = 1;
        sender_is_server = hint == DT_HINT_SERVER;
    } else if (dt_port_is_service(sport) != dt_port_is_service(dport)) {
        sender_is_server = dt_port_is_service(sport);
    } else {
        /* Neither or both are service ports: the side on an ephemeral port
         * (32768 and up, as Linux, Windows and BSD pick them) is the client. */
        sender_is_server = sport < DT_PORT_EPHEMERAL_MIN && dport >= DT_PORT_EPHEMERAL_MIN;
    }
    if (sender_is_server) {
        swap_sides(f);
        *dir = DT_SERVER;
    }
    f->hnext = t->buckets[h & (t->nbuckets - 1)];
    t->buckets[h & (t->nbuckets - 1)] = f;
    lru_append(t, f);
    t->live++;
    if (t->live > t->nbuckets && t->nbuckets < (1u << 24))
        grow_buckets(t);
    return t->last = f;
}

void dt_flow_touch(dt_flow_table *t, dt_flow *f, uint64_t ts_ns, uint64_t now_ns)
{
    if (ts_ns > f->last_ns)
        f->last_ns = ts_ns;
    if (ts_ns < f->first_ns)
        f->first_ns = ts_ns;
    if (now_ns > f->active_ns)
        f->active_ns = now_ns;
    if (t->lru_tail[f->closed != 0] != f) {
        lru_unlink(t, f);
        lru_append(t, f);
    }
}

void dt_flow_mark_closed(dt_flow_table *t, dt_flow *f)
{
    if (f->closed)
        return;
    lru_unlink(t, f);
    f->closed = 1;
    lru_append(t, f);
}

void dt_flow_expire(dt_flow_table *t, uint64_t now_ns)
{
    /* Each list is ordered by last activity: stop at the first flow that is
     * still within its time. */
    for (int l = 0; l < 2; l++) {
        uint64_t limit = l ? t->lim.closed_linger_ns : t->lim.idle_timeout_ns;
        while (t->lru_head[l]) {
            dt_flow *f = t->lru_head[l];
            if (now_ns < f->active_ns || now_ns - f->active_ns <= limit)
                break;
            end_flow(t, f, l ? DT_END_CLOSED : DT_END_IDLE);
        }
    }
}

/* Ends all flows in creation order, so output does not depend on activity. */
static int by_id(const void *a, const void *b)
{
    const dt_flow *x = *(dt_flow *const *)a, *y = *(dt_flow *const *)b;
    return x->id < y->id ? -1 : x->id > y->id;
}

void dt_flow_flush(dt_flow_table *t)
{
    size_t n = 0;
    dt_flow **all = malloc((t->live ? t->live : 1) * sizeof *all);
    if (!all) {
        while (oldest(t))
            end_flow(t, oldest(t), oldest(t)->closed ? DT_END_CLOSED : DT_END_EOF);
        return;
    }
    for (int l = 0; l < 2; l++)
        for (dt_flow *f = t->lru_head[l]; f; f = f->lru_next)
            all[n++] = f;
    qsort(all, n, sizeof *all, by_id);
    for (size_t i = 0; i < n; i++)
        end_flow(t, all[i], all[i]->closed ? DT_END_CLOSED : DT_END_EOF);
    free(all);
}

void dt_flow_table_free(dt_flow_table *t)
{
    if (!t)
        return;
    t->on_end = NULL;
    while (oldest(t))
        end_flow(t, oldest(t), DT_END_EOF);
    dt_pool_drain(&t->flow_pool);
    dt_pool_drain(&t->tcp_pool);
    dt_pools_drain(&t->stream_bufs);
    free(t->buckets);
    free(t);
}

uint64_t dt_flow_live(const dt_flow_table *t)
{
    return t->live;
}
uint64_t dt_flow_evicted(const dt_flow_table *t)
{
    return t->evicted;
}
uint64_t dt_flow_created(const dt_flow_table *t)
{
    return t->created;
}
const dt_tcp_budget *dt_flow_budget(const dt_flow_table *t)
{
    return &t->budget;
}
