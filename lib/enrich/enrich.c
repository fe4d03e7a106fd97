#include "enrich/enrich.h"

#include "enrich/domain.h"
#include "enrich/ipclass.h"
#include "util/hash.h"
#include "util/err.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#ifndef DT_DATA_DIR
#define DT_DATA_DIR "data"
#endif
/* The installed data relative to the installed binary (CMake's bin -> share/datatrail). */
#ifndef DT_DATA_DIR_FROM_BIN
#define DT_DATA_DIR_FROM_BIN "../share/datatrail"
#endif

/* Registrable domains of recent names: the public suffix search is the
 * costliest part of enriching a flow, and flows repeat the same few names. */
#define DOMAIN_CACHE 4096

typedef struct domain_slot {
    char name[256];
    char domain[256];
    int ok;
} domain_slot;

/* Whole results per endpoint (address, name, certificate O): a capture
 * repeats the same few thousand of them, and each result costs a geo lookup,
 * the attribution rules and the transfer table.  A result depends on nothing
 * else, so a cached one is the same bytes.  The index is 4-way set
 * associative, most recent first (direct-mapped 1024 slots missed a quarter
 * of real280's flows: its 2,300 endpoints come round in turns); slots are
 * handed out in order from an array that is never cleared, so a capture
 * touches only the slots it fills. */
#define ENDPOINT_WAYS 4
#define ENDPOINT_SETS (DT_ENDPOINT_SLOTS / ENDPOINT_WAYS)

#define ENDPOINT_TEXT_MAX 256 /* a longer name or O is not cached */

typedef struct endpoint_slot {
    uint64_t hash;
    uint8_t has_name;
    uint16_t name_len, o_len; /* texts: the name, NUL, the certificate O, NUL */
    dt_addr ip;
    char *texts; /* small, or allocated: arrays for the longest made each slot 2.2 kB */
    char small[48];
    dt_endpoint_info info;
} endpoint_slot;

/* An index entry: the slot's number + 1 (0: none) and its hash's high bits. */
typedef struct endpoint_way {
    uint32_t slot, tag;
} endpoint_way;

/* Host attributions by network (ASN and organisation): each new endpoint
 * searched every org pattern of the entities (3,700 instructions), and
 * endpoints share a few hundred networks.  Direct-mapped; an entry is
 * allocated when its slot is first used. */
#define HOST_CACHE 1024

typedef struct host_slot {
    uint32_t asn;
    char org[sizeof(((dt_geo_result *)0)->org)];
    dt_attribution host;
} host_slot;

struct dt_enricher {
    dt_geo *geo;
    dt_entities *entities;
    const dt_countries *countries;
    dt_countries *own_countries; /* NULL: dt_geo_countries_of()'s, shared */
    domain_slot **domains;       /* DOMAIN_CACHE, replaced on collision, NULL until used */
    dt_suffix_memo *suffixes;    /* public or not, per suffix of those names */
    endpoint_way *ways;          /* ENDPOINT_SETS x ENDPOINT_WAYS */
    endpoint_slot *endpoints;    /* DT_ENDPOINT_SLOTS, the first n_endpoints in use */
    uint32_t n_endpoints;
    host_slot **hosts;        /* HOST_CACHE, NULL until used */
    dt_endpoint_info scratch; /* the result when a name is too long to cache */
};

/* dt_registrable_domain() through the cache. */
static int registrable(dt_enricher *e, const char *name, char *out, size_t outlen)
{
    domain_slot **slot = &e->domains[dt_hash_of_str(name) % DOMAIN_CACHE];
    if (strlen(name) >= sizeof(*slot)->name || (!*slot && !(*slot = calloc(1, sizeof **slot))))
        return dt_registrable_domain_memo(name, e->suffixes, out, outlen);
    domain_slot *d = *slot;
    if (strcmp(d->name, name) != 0) {
        memcpy(d->name, name, strlen(name) + 1);
        d->ok = dt_registrable_domain_memo(name, e->suffixes, d->domain, sizeof d->domain) == 0;
        if (!d->ok)
            d->domain[0] = '\0';
    }
    size_t n = strlen(d->domain);
    if (outlen) {
        n = n < outlen ? n : outlen - 1;
        memcpy(out, d->domain, n);
        out[n] = '\0';
    }
    return d->ok ? 0 : -1;
}

static char data_dir[PATH_MAX];

static int has_data(const char *dir)
{
    char path[PATH_MAX];
    int n = snprintf(path, sizeof path, "%s/entities.json", dir);
    return n > 0 && (size_t)n < sizeof path && access(path, R_OK) == 0;
}

/* Beside the binary first, so that an installed copy uses its own data and a
 * build uses the source tree's; then the system-wide installs. */
static void find_data_dir(void)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            char rel[PATH_MAX];
            int len = snprintf(rel, sizeof rel, "%s/%s", exe, DT_DATA_DIR_FROM_BIN);
            if (len > 0 && (size_t)len < sizeof rel && has_data(rel) && realpath(rel, data_dir))
                return;
        }
    }
    static const char *const dirs[] = {DT_DATA_DIR, "/usr/local/share/datatrail",
                                       "/usr/share/datatrail"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
        if (has_data(dirs[i])) {
            snprintf(data_dir, sizeof data_dir, "%s", dirs[i]);
            return;
        }
    snprintf(data_dir, sizeof data_dir, "%s", DT_DATA_DIR); /* its error names a path */
}

const char *dt_data_dir(void)
{
    const char *d = getenv("DATATRAIL_DATA_DIR");
    if (d && *d)
        return d;
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, find_data_dir);
    return data_dir;
}

void dt_enrich_config_default(dt_enrich_config *c)
{
    memset(c, 0, sizeof *c);
    c->data_dir = dt_data_dir();
    c->geo.data_dir = c->data_dir;
}

dt_enricher *dt_enricher_open(const dt_enrich_config *c, char *warn, size_t warnlen, char *err,
                              size_t errlen)
{
    dt_enricher *e = calloc(1, sizeof *e);
    if (e) {
        e->domains = calloc(DOMAIN_CACHE, sizeof *e->domains);
        e->ways = calloc(DT_ENDPOINT_SLOTS, sizeof *e->ways);
        e->hosts = calloc(HOST_CACHE, sizeof *e->hosts);
        e->endpoints = malloc(DT_ENDPOINT_SLOTS * sizeof *e->endpoints); /* never cleared */
        e->suffixes = dt_suffix_memo_new();
    }
    if (!e || !e->domains || !e->ways || !e->hosts || !e->endpoints || !e->suffixes) {
        if (e) {
            free(e->domains);
            free(e->ways);
            free(e->hosts);
            free(e->endpoints);
            dt_suffix_memo_free(e->suffixes);
        }
        free(e);
        dt_set_err(err, errlen, "out of memory");
        return NULL;
    }
    const char *dir = c->data_dir ? c->data_dir : dt_data_dir();
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/entities.json", dir);
    e->entities = dt_entities_load(path, err, errlen);
    if (!e->entities)
        goto fail;
    for (int i = 0; i < c->n_entities; i++)
        if (dt_entities_merge(e->entities, c->entities[i], err, errlen) != 0)
            goto fail;
    snprintf(path, sizeof path, "%s/countries.json", dir);
    /* the table dt_geo_country_name() reads when it is the same file: parsed once */
    e->countries = !strcmp(dir, dt_data_dir()) ? dt_geo_countries_of(path) : NULL;
    if (!e->countries) /* another file, or it failed: the error as it comes */
        e->countries = e->own_countries = dt_countries_load(path, err, errlen);
    if (!e->countries)
        goto fail;
    dt_geo_config g = c->geo;
    if (!g.data_dir)
        g.data_dir = dir;
    if (!g.countries)
        g.countries = e->countries;
    e->geo = dt_geo_open(&g, warn, warnlen);
    if (!e->geo) {
        dt_set_err(err, errlen, "%s", warn && warn[0] ? warn : "cannot open the geo databases");
        goto fail;
    }
    return e;
fail:
    dt_enricher_close(e);
    return NULL;
}

void dt_enricher_close(dt_enricher *e)
{
    if (!e)
        return;
    dt_geo_close(e->geo);
    dt_entities_free(e->entities);
    dt_countries_free(e->own_countries);
    for (size_t i = 0; e->domains && i < DOMAIN_CACHE; i++)
        free(e->domains[i]);
    free(e->domains);
    free(e->ways);
    for (size_t i = 0; e->hosts && i < HOST_CACHE; i++)
        free(e->hosts[i]);
    free(e->hosts);
    for (uint32_t i = 0; e->endpoints && i < e->n_endpoints; i++)
        if (e->endpoints[i].texts != e->endpoints[i].small)
            free(e->endpoints[i].texts);
    free(e->endpoints);
    dt_suffix_memo_free(e->suffixes);
    free(e);
}

/* dt_host_attribute() through the cache (org: a geo result's). */
static void host_attribute(dt_enricher *e, uint32_t asn, const char *org, dt_attribution *out)
{
    size_t n = strlen(org);
    uint64_t h = dt_hash_final(dt_hash_bytes(dt_hash_word(DT_HASH_INIT, asn), org, n));
    host_slot **slot = &e->hosts[h % HOST_CACHE];
    host_slot *c = *slot;
    if (c && c->asn == asn && memcmp(c->org, org, n + 1) == 0) {
        *out = c->host;
        return;
    }
    dt_host_attribute(e->entities, asn, org, out);
    if (!c && n < sizeof c->org)
        c = *slot = malloc(sizeof *c);
    if (c && n < sizeof c->org) {
        c->asn = asn;
        memcpy(c->org, org, n + 1);
        c->host = *out;
    }
}

static void enrich_uncached(dt_enricher *e, const dt_addr *ip, const char *name, const char *cert_o,
                            dt_endpoint_info *out)
{
    static _Atomic uint64_t serials;
    memset(out, 0, sizeof *out);
    out->serial = atomic_fetch_add_explicit(&serials, 1, memory_order_relaxed) + 1;
    dt_geo_lookup(e->geo, ip, &out->geo);
    if (!out->geo.class)
        out->geo.class = dt_ipclass(ip);
    if (name && name[0] && registrable(e, name, out->domain, sizeof out->domain) != 0)
        out->domain[0] = '\0';
    dt_recipient_attribute(e->entities, name, out->domain, cert_o, &out->recipient);
    host_attribute(e, out->geo.asn, out->geo.org, &out->host);
    out->transfer = dt_transfer_of(e->countries, out->geo.country, out->geo.class);
}

/* The result in the enricher's scratch, in no slot. */
static const dt_endpoint_info *uncached(dt_enricher *e, const dt_addr *ip, const char *name,
                                        const char *cert_o)
{
    enrich_uncached(e, ip, name, cert_o, &e->scratch);
    e->scratch.slot = DT_ENDPOINT_NO_SLOT;
    return &e->scratch;
}

const dt_endpoint_info *dt_enrich_endpoint(dt_enricher *e, const dt_addr *ip, const char *name,
                                           const char *cert_o)
{
    const char *n = name ? name : "", *o = cert_o ? cert_o : "";
    size_t nl = strlen(n), ol = strlen(o);
    if (nl >= ENDPOINT_TEXT_MAX || ol >= ENDPOINT_TEXT_MAX)
        return uncached(e, ip, name, cert_o);
    uint64_t h = dt_hash_word(dt_hash_addr(DT_HASH_INIT, ip), name != NULL);
    h = dt_hash_str(dt_hash_byte(dt_hash_str(h, n), 0), o); /* NUL between: unambiguous */
    h = dt_hash_final(h);
    endpoint_way *set = &e->ways[h % ENDPOINT_SETS * ENDPOINT_WAYS];
    uint32_t tag = (uint32_t)(h >> 32);
    int w = 0;
    for (; w < ENDPOINT_WAYS && set[w].slot; w++) {
        endpoint_slot *s = &e->endpoints[set[w].slot - 1];
        if (set[w].tag == tag && s->hash == h && s->has_name == (name != NULL) &&
            s->name_len == nl && s->o_len == ol && dt_addr_eq(&s->ip, ip) &&
            memcmp(s->texts, n, nl + 1) == 0 && memcmp(s->texts + nl + 1, o, ol + 1) == 0) {
            endpoint_way hit = set[w];
            memmove(set + 1, set, (size_t)w * sizeof *set); /* most recent first */
            set[0] = hit;
            return &s->info; /* no copy of its 2.5 kB (performance) */
        }
    }
    /* a new slot while the set has room, else the set's least recent one */
    int evict = w == ENDPOINT_WAYS;
    endpoint_way nw = {w < ENDPOINT_WAYS ? ++e->n_endpoints : set[ENDPOINT_WAYS - 1].slot, tag};
    if (w == ENDPOINT_WAYS)
        w--;
    memmove(set + 1, set, (size_t)w * sizeof *set);
    set[0] = nw;
    endpoint_slot *s = &e->endpoints[nw.slot - 1];
    if (evict && s->texts != s->small)
        free(s->texts);
    s->texts = s->small;
    s->name_len = s->o_len = UINT16_MAX; /* no lookup finds it until filled */
    char *texts = nl + ol + 2 <= sizeof s->small ? s->small : malloc(nl + ol + 2);
    if (!texts)
        return uncached(e, ip, name, cert_o);
    memcpy(texts, n, nl + 1);
    memcpy(texts + nl + 1, o, ol + 1);
    s->hash = h;
    s->has_name = name != NULL;
    s->name_len = (uint16_t)nl;
    s->o_len = (uint16_t)ol;
    s->ip = *ip;
    s->texts = texts;
    enrich_uncached(e, ip, name, cert_o, &s->info);
    s->info.slot = nw.slot - 1;
    return &s->info;
}

int dt_entity_name_resolve(const dt_enrich_config *c, const char *name, char *out, size_t outlen,
                           char *err, size_t errlen)
{
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/entities.json", c && c->data_dir ? c->data_dir : dt_data_dir());
    dt_entities *es = dt_entities_load(path, err, errlen);
    if (!es)
        return -1;
    for (int i = 0; c && i < c->n_entities; i++)
        if (dt_entities_merge(es, c->entities[i], err, errlen) != 0) {
            dt_entities_free(es);
            return -1;
        }
    const dt_entity *ent = dt_entity_by_name(es, name);
    if (ent && outlen)
        snprintf(out, outlen, "%s", ent->name);
    dt_entities_free(es);
    return ent ? 0 : 1;
}

const dt_geo *dt_enricher_geo(const dt_enricher *e)
{
    return e->geo;
}
const dt_countries *dt_enricher_countries(const dt_enricher *e)
{
    return e->countries;
}
const dt_entities *dt_enricher_entities(const dt_enricher *e)
{
    return e->entities;
}
