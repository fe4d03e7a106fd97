#include "report/rollup.h"

#include "report/flowjson.h"

#include "enrich/geo.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define KEY_MAX 512     /* longer keys are truncated */
#define NESTED_MAX 4096 /* entries of a nested tally (names of a domain, ...) */
#define TOP_MAX 4000000 /* entries of a top-level table */

/* ---- tally: string key -> counters, insertion ordered, hashed ---- */

/* Memory held by a rollup's tables, against its limit: once reached, no
 * new keys are added anywhere (existing ones keep counting) and every key
 * turned away is counted (summary.rollup_entries_dropped). */
typedef struct budget {
    size_t used, max;
    uint64_t refused;
} budget;

#define SMALL_KEY 24 /* keys shorter than this live in the item (addresses, ports, codes) */

typedef struct item {
    char *key; /* heap copy of a long key, else NULL: see KEY() */
    char small[SMALL_KEY];
    uint32_t hash;
    unsigned mask;
    uint64_t up, down, flows;
    void *ext;
} item;

#define KEY(it) ((it)->key ? (it)->key : (it)->small)

/* The slot keeps the hash next to the index, so a probe touches the item
 * (a cache miss on a large table) only when the hashes match. */
typedef struct slot {
    uint32_t idx; /* index + 1; 0 = empty */
    uint32_t hash;
} slot;

typedef struct tally {
    item *v;
    size_t n, cap;
    slot *slot;
    size_t nslot;
    size_t max;
} tally;

static uint32_t str_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static int tally_rehash(tally *t, size_t nslot)
{
    slot *s = calloc(nslot, sizeof *s);
    if (!s)
        return -1;
    for (size_t i = 0; i < t->n; i++) {
        size_t j = t->v[i].hash & (nslot - 1);
        while (s[j].idx)
            j = (j + 1) & (nslot - 1);
        s[j].idx = (uint32_t)(i + 1);
        s[j].hash = t->v[i].hash;
    }
    free(t->slot);
    t->slot = s;
    t->nslot = nslot;
    return 0;
}

/* The entry for key, created when missing (NULL when full, over the budget
 * or out of memory).  *created tells whether it is new. */
static item *tally_get(tally *t, budget *b, const char *key, int *created)
{
    if (created)
        *created = 0;
    if (!key)
        return NULL;
    char kb[KEY_MAX];
    size_t len = strlen(key);
    if (len >= sizeof kb) {
        memcpy(kb, key, sizeof kb - 1);
        kb[sizeof kb - 1] = '\0';
        key = kb;
        len = sizeof kb - 1;
    }
    uint32_t h = str_hash(key);
    if (t->nslot) {
        for (size_t j = h & (t->nslot - 1); t->slot[j].idx; j = (j + 1) & (t->nslot - 1)) {
            item *it = &t->v[t->slot[j].idx - 1];
            if (t->slot[j].hash == h && strcmp(KEY(it), key) == 0)
                return it;
        }
    }
    size_t max = t->max ? t->max : NESTED_MAX;
    size_t cost = 2 * sizeof(item) + 4 * sizeof(slot) + (len < SMALL_KEY ? 0 : len + 1);
    if (t->n >= max)
        return NULL;
    if (b->used + cost > b->max) {
        b->refused++;
        return NULL;
    }
    if ((t->n + 1) * 2 > t->nslot && tally_rehash(t, t->nslot ? t->nslot * 2 : 16) != 0)
        return NULL;
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 8;
        item *nv = realloc(t->v, cap * sizeof *nv);
        if (!nv)
            return NULL;
        t->v = nv;
        t->cap = cap;
    }
    item *it = &t->v[t->n];
    memset(it, 0, sizeof *it);
    if (len < SMALL_KEY)
        memcpy(it->small, key, len + 1);
    else if (!(it->key = strdup(key)))
        return NULL;
    it->hash = h;
    b->used += cost;
    size_t j = h & (t->nslot - 1);
    while (t->slot[j].idx)
        j = (j + 1) & (t->nslot - 1);
    t->slot[j].idx = (uint32_t)(++t->n);
    t->slot[j].hash = h;
    if (created)
        *created = 1;
    return it;
}

static void tally_free(tally *t, void (*ext_free)(void *))
{
    for (size_t i = 0; i < t->n; i++) {
        if (ext_free && t->v[i].ext)
            ext_free(t->v[i].ext);
        free(t->v[i].key);
    }
    free(t->v);
    free(t->slot);
    memset(t, 0, sizeof *t);
}

/* Adds the counters of one flow to key (ignored when key is NULL or full). */
static item *tally_add(tally *t, budget *b, const char *key, uint64_t up, uint64_t down,
                       unsigned mask)
{
    item *it = tally_get(t, b, key, NULL);
    if (it) {
        it->up += up;
        it->down += down;
        it->flows++;
        it->mask |= mask;
    }
    return it;
}

/* bytes_up descending, then key ascending (bytewise). */
static int cmp_items(const void *a, const void *b)
{
    const item *x = *(item *const *)a, *y = *(item *const *)b;
    if (x->up != y->up)
        return x->up > y->up ? -1 : 1;
    return strcmp(KEY(x), KEY(y));
}

static item **tally_sorted(const tally *t)
{
    item **s = malloc((t->n ? t->n : 1) * sizeof *s);
    if (!s)
        return NULL;
    for (size_t i = 0; i < t->n; i++)
        s[i] = &t->v[i];
    qsort(s, t->n, sizeof *s, cmp_items);
    return s;
}

/* ---- entities ---- */

enum { SEEN_SNI = 1, SEEN_QUIC = 2, SEEN_HTTP = 4, SEEN_DNS = 8, SEEN_CERT = 16 };
static const char *const seen_names[] = {"sni", "quic", "http", "dns", "cert"};
enum { SRC_DOMAIN = 1, SRC_CERT = 2, SRC_ASN = 4 };
static const char *const src_names[] = {"domain", "cert", "asn"};

typedef struct country_ext {
    char *transfer;
    tally orgs, domains, endpoints;
} country_ext;

typedef struct org_ext {
    char *org;
    double asn;
    tally countries, endpoints;
} org_ext;

typedef struct company_ext {
    tally countries, domains;
} company_ext;

typedef struct domain_ext {
    char *company;
    tally names, countries;
} domain_ext;

typedef struct endpoint_ext {
    char *country, *org, *company, *transfer;
    double asn;
    int have_asn, have_time;
    uint64_t first, last;
    tally names, ports;
    uint64_t *starts;
    size_t n_starts, cap_starts;
} endpoint_ext;

typedef struct plain_ext {
    char *dest, *app;
    int port;
} plain_ext;

#define DT_ROLLUP_TRANSFERS 5

struct dt_rollup {
    tally countries, orgs, companies, domains, endpoints, names, plain;
    uint64_t up, down, flows, local_flows;
    uint64_t enc[3][3]; /* [encrypted, plaintext, unknown][flows, up, down] */
    uint64_t transfers[DT_ROLLUP_TRANSFERS][3]; /* [transfer_names][flows, up, down] */
    int ts_digits;
    budget mem;
};

static void country_free(void *p)
{
    country_ext *e = p;
    free(e->transfer);
    tally_free(&e->orgs, NULL);
    tally_free(&e->domains, NULL);
    tally_free(&e->endpoints, NULL);
    free(e);
}

static void org_free(void *p)
{
    org_ext *e = p;
    free(e->org);
    tally_free(&e->countries, NULL);
    tally_free(&e->endpoints, NULL);
    free(e);
}

static void company_free(void *p)
{
    company_ext *e = p;
    tally_free(&e->countries, NULL);
    tally_free(&e->domains, NULL);
    free(e);
}

static void domain_free(void *p)
{
    domain_ext *e = p;
    free(e->company);
    tally_free(&e->names, NULL);
    tally_free(&e->countries, NULL);
    free(e);
}

static void endpoint_free(void *p)
{
    endpoint_ext *e = p;
    free(e->country);
    free(e->org);
    free(e->company);
    free(e->transfer);
    tally_free(&e->names, NULL);
    tally_free(&e->ports, NULL);
    free(e->starts);
    free(e);
}

static void plain_free(void *p)
{
    plain_ext *e = p;
    free(e->dest);
    free(e->app);
    free(e);
}

dt_rollup *dt_rollup_new(void)
{
    dt_rollup *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    tally *top[] = {&r->countries, &r->orgs,  &r->companies, &r->domains,
                    &r->endpoints, &r->names, &r->plain};
    for (size_t i = 0; i < sizeof top / sizeof top[0]; i++)
        top[i]->max = TOP_MAX;
    r->mem.max = DT_ROLLUP_MAX_BYTES;
    return r;
}

void dt_rollup_set_limit(dt_rollup *r, size_t bytes)
{
    if (r)
        r->mem.max = bytes;
}

uint64_t dt_rollup_dropped(const dt_rollup *r)
{
    return r ? r->mem.refused : 0;
}

void dt_rollup_free(dt_rollup *r)
{
    if (!r)
        return;
    tally_free(&r->countries, country_free);
    tally_free(&r->orgs, org_free);
    tally_free(&r->companies, company_free);
    tally_free(&r->domains, domain_free);
    tally_free(&r->endpoints, endpoint_free);
    tally_free(&r->names, NULL);
    tally_free(&r->plain, plain_free);
    free(r);
}

/* ---- reading flow objects (any field may be missing or of the wrong type) ---- */

static const cJSON *jget(const cJSON *o, const char *k)
{
    return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

static const char *jstr(const cJSON *o, const char *k)
{
    const cJSON *v = jget(o, k);
    return cJSON_IsString(v) && v->valuestring && v->valuestring[0] ? v->valuestring : NULL;
}

static uint64_t jnum(const cJSON *o, const char *k)
{
    const cJSON *v = jget(o, k);
    if (!cJSON_IsNumber(v) || !(v->valuedouble > 0))
        return 0;
    return v->valuedouble < 1.8e19 ? (uint64_t)v->valuedouble : UINT64_MAX / 2;
}

/* A time field; *digits is raised to its precision. */
static int jtime(const cJSON *o, const char *k, uint64_t *ns, int *digits)
{
    int d = 0;
    const char *s = jstr(o, k);
    if (!s || dt_parse_time(s, ns, &d) != 0)
        return 0;
    if (d > *digits)
        *digits = d;
    return 1;
}

int dt_rollup_add_flow(dt_rollup *r, const cJSON *flow)
{
    const cJSON *cl = jget(flow, "client"), *sv = jget(flow, "server");
    if (!r || !cJSON_IsObject(cl) || !cJSON_IsObject(sv))
        return 1;
    dt_rollup_flow f;
    memset(&f, 0, sizeof f);
    f.client_ip = jstr(cl, "ip");
    f.client_port = jnum(cl, "port");
    f.client_local = cJSON_IsTrue(jget(cl, "local"));
    f.client_bytes = jnum(cl, "bytes");
    f.server_ip = jstr(sv, "ip");
    f.server_port = jnum(sv, "port");
    f.server_local = cJSON_IsTrue(jget(sv, "local"));
    f.server_bytes = jnum(sv, "bytes");
    f.app = jstr(flow, "app");
    f.encrypted = jstr(flow, "encrypted_dns") || cJSON_IsObject(jget(flow, "tls")) ||
                  cJSON_IsObject(jget(flow, "quic"));
    f.name = jstr(sv, "name");
    f.name_source = jstr(sv, "name_source");
    f.tls_sni = jstr(jget(flow, "tls"), "sni");
    f.quic_sni = jstr(jget(flow, "quic"), "sni");
    f.http_host = jstr(jget(flow, "http"), "host");
    f.country = jstr(sv, "country");
    f.org = jstr(sv, "org");
    f.company = jstr(sv, "company");
    f.company_source = jstr(sv, "company_source");
    f.domain = jstr(sv, "domain");
    f.transfer = jstr(sv, "transfer");
    const cJSON *asn = jget(sv, "asn");
    if (cJSON_IsNumber(asn) && asn->valuedouble > 0 && asn->valuedouble < 4.3e9)
        f.asn = (uint64_t)asn->valuedouble;
    f.have_time = jtime(flow, "first_seen", &f.first_ns, &f.ts_digits);
    if (!f.have_time || !jtime(flow, "last_seen", &f.last_ns, &f.ts_digits))
        f.last_ns = f.first_ns;
    return dt_rollup_add(r, &f) ? -1 : 0;
}

/* ---- adding a flow ---- */

static int set_str(char **dst, const char *s, budget *b)
{
    if (*dst || !s)
        return 0;
    *dst = strndup(s, KEY_MAX - 1);
    if (*dst)
        b->used += strlen(*dst) + 1;
    return *dst ? 0 : -1;
}

/* Allocates the ext of a new item. */
static void *ext_for(item *it, int created, size_t size, budget *b)
{
    if (!it)
        return NULL;
    if (created || !it->ext) {
        it->ext = calloc(1, size);
        if (it->ext)
            b->used += size;
    }
    return it->ext;
}

/* name ends with "." + domain, or equals it (ASCII case-insensitive) */
static int under_domain(const char *name, const char *domain)
{
    size_t n = strlen(name), d = strlen(domain);
    if (n < d || strcasecmp(name + n - d, domain) != 0)
        return 0;
    return n == d || name[n - d - 1] == '.';
}

typedef struct flow_name {
    char name[256];
    unsigned seen;
} flow_name;

/* The names of a flow and where they were seen (at most 4 distinct). */
static int flow_names(const dt_rollup_flow *f, flow_name *out)
{
    const char *ns = f->name_source;
    unsigned src = 0;
    if (ns)
        src = !strcmp(ns, "tls_sni")     ? SEEN_SNI
              : !strcmp(ns, "quic_sni")  ? SEEN_QUIC
              : !strcmp(ns, "http_host") ? SEEN_HTTP
              : !strcmp(ns, "dns")       ? SEEN_DNS
              : !strcmp(ns, "cert")      ? SEEN_CERT
                                         : 0;
    const struct {
        const char *s;
        unsigned seen;
    } c[] = {{f->name, src},
             {f->tls_sni, SEEN_SNI},
             {f->quic_sni, SEEN_QUIC},
             {f->http_host, SEEN_HTTP}};
    int n = 0;
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        if (!c[i].s)
            continue;
        char nm[256];
        size_t cl = strnlen(c[i].s, sizeof nm - 1);
        memcpy(nm, c[i].s, cl);
        nm[cl] = '\0';
        /* "host:port" -> host; bracketed or bare IPv6 literals stay as they are */
        char *colon = strchr(nm, ':');
        if (colon && !strchr(colon + 1, ':') && nm[0] != '[')
            *colon = '\0';
        for (char *p = nm; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p + 32);
        size_t l = strlen(nm);
        if (l && nm[l - 1] == '.')
            nm[l - 1] = '\0';
        if (!nm[0])
            continue;
        int j = 0;
        while (j < n && strcmp(out[j].name, nm))
            j++;
        if (j == n) {
            memcpy(out[n].name, nm, sizeof nm);
            out[n++].seen = 0;
        }
        out[j].seen |= c[i].seen;
    }
    return n;
}

static int add_start(endpoint_ext *e, budget *b, uint64_t t)
{
    if (e->n_starts >= DT_ROLLUP_MAX_STARTS)
        return 0;
    if (e->n_starts == e->cap_starts) {
        size_t cap = e->cap_starts ? e->cap_starts * 2 : 8;
        if (cap > DT_ROLLUP_MAX_STARTS)
            cap = DT_ROLLUP_MAX_STARTS;
        size_t grow = (cap - e->cap_starts) * sizeof *e->starts;
        if (b->used + grow > b->max) {
            b->refused++;
            return 0;
        }
        b->used += grow;
        uint64_t *ns = realloc(e->starts, cap * sizeof *ns);
        if (!ns)
            return -1;
        e->starts = ns;
        e->cap_starts = cap;
    }
    e->starts[e->n_starts++] = t;
    return 0;
}

/* 0 encrypted, 1 plaintext, 2 unknown */
static int flow_crypto(const dt_rollup_flow *f)
{
    if (f->encrypted)
        return 0;
    if (!f->app || !strcmp(f->app, "unknown"))
        return 2;
    if (!strcmp(f->app, "tls") || !strcmp(f->app, "quic"))
        return 0;
    return 1;
}

static const char *const transfer_names[DT_ROLLUP_TRANSFERS] = {"eea", "adequate", "third_country",
                                                                "unknown", "local"};

/* Bytes and flows per transfer class, the summary's "transfers". */
static void transfers_add(dt_rollup *r, const dt_rollup_flow *f, uint64_t up, uint64_t down)
{
    int cl = f->client_local, sl = f->server_local;
    const char *cls = cl && sl ? "local" : f->transfer ? f->transfer : (sl ? "local" : "unknown");
    for (int i = 0; i < DT_ROLLUP_TRANSFERS; i++)
        if (!strcmp(cls, transfer_names[i])) {
            r->transfers[i][0]++;
            r->transfers[i][1] += up;
            r->transfers[i][2] += down;
        }
}

/* v in decimal, zero-padded to width digits, into buf (24 bytes); no printf
 * (several keys per flow). */
static void decimal(uint64_t v, int width, char *buf)
{
    char t[24];
    int n = 0;
    do {
        t[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v || n < width);
    for (int i = 0; i < n; i++)
        buf[i] = t[n - 1 - i];
    buf[n] = '\0';
}

static const char *nonempty(const char *s)
{
    return s && s[0] ? s : NULL;
}

int dt_rollup_add(dt_rollup *r, const dt_rollup_flow *in)
{
    if (!r)
        return 0;
    budget *b = &r->mem;
    dt_rollup_flow f = *in;
    const char **strs[] = {
        &f.client_ip, &f.server_ip, &f.app, &f.name,    &f.name_source,    &f.tls_sni, &f.quic_sni,
        &f.http_host, &f.country,   &f.org, &f.company, &f.company_source, &f.domain,  &f.transfer};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        *strs[i] = nonempty(*strs[i]);
    int cloc = f.client_local, sloc = f.server_local;
    /* The remote side is the server unless only the server is local. */
    int srv_remote = !(sloc && !cloc);
    uint64_t up = srv_remote ? f.client_bytes : f.server_bytes;
    uint64_t down = srv_remote ? f.server_bytes : f.client_bytes;
    r->flows++;
    r->up += up;
    r->down += down;
    transfers_add(r, &f, up, down);
    /* both sides local, or a server the enrichment calls local (multicast,
     * broadcast): counted as local, as the summary's transfers do */
    if ((cloc && sloc) || (!sloc && f.transfer && !strcmp(f.transfer, "local"))) {
        r->local_flows++;
        return 0;
    }
    int oom = 0;
    int cr = flow_crypto(&f);
    r->enc[cr][0]++;
    r->enc[cr][1] += up;
    r->enc[cr][2] += down;

    /* Enrichment describes the server: usable when the remote side is the server. */
    const char *ip = srv_remote ? f.server_ip : f.client_ip;
    uint64_t rport = srv_remote ? f.server_port : f.client_port;
    const char *country = srv_remote ? f.country : NULL;
    const char *org = srv_remote ? f.org : NULL;
    const char *company = srv_remote ? f.company : NULL;
    const char *csrc = srv_remote ? f.company_source : NULL;
    const char *domain = srv_remote ? f.domain : NULL;
    const char *transfer = srv_remote ? f.transfer : NULL;
    int have_asn = srv_remote && f.asn > 0 && f.asn < 4300000000ull;
    double asn = have_asn ? (double)f.asn : 0;
    char asn_key[24] = "";
    if (have_asn)
        decimal(f.asn, 10, asn_key); /* zero-padded: sorts as numbers */
    flow_name names[4];
    int n_names = srv_remote ? flow_names(&f, names) : 0;
    const char *name = n_names ? names[0].name : NULL;
    int have_t0 = f.have_time;
    uint64_t t0 = f.first_ns, t1 = f.last_ns < t0 ? t0 : f.last_ns;
    if (have_t0 && f.ts_digits > r->ts_digits)
        r->ts_digits = f.ts_digits;

    for (int i = 0; i < n_names; i++)
        tally_add(&r->names, b, names[i].name, up, down, 0);

    /* endpoint */
    int created = 0;
    item *it = ip ? tally_get(&r->endpoints, b, ip, &created) : NULL;
    endpoint_ext *ep = ext_for(it, created, sizeof *ep, b);
    if (it && ep) {
        it->up += up;
        it->down += down;
        it->flows++;
        oom |= set_str(&ep->country, country, b) | set_str(&ep->org, org, b) |
               set_str(&ep->company, company, b) | set_str(&ep->transfer, transfer, b);
        if (have_asn && !ep->have_asn) {
            ep->asn = asn;
            ep->have_asn = 1;
        }
        for (int i = 0; i < n_names; i++)
            tally_add(&ep->names, b, names[i].name, up, down, names[i].seen);
        char port[24];
        decimal(rport, 1, port);
        tally_add(&ep->ports, b, port, up, down, 0);
        if (have_t0) {
            if (!ep->have_time || t0 < ep->first)
                ep->first = t0;
            if (!ep->have_time || t1 > ep->last)
                ep->last = t1;
            ep->have_time = 1;
            oom |= add_start(ep, b, t0);
        }
    } else if (ip) {
        oom = 1;
    }

    /* country (flows without one are kept under the empty key) */
    it = tally_get(&r->countries, b, country ? country : "", &created);
    country_ext *ce = ext_for(it, created, sizeof *ce, b);
    if (it && ce) {
        it->up += up;
        it->down += down;
        it->flows++;
        oom |= set_str(&ce->transfer, transfer, b);
        tally_add(&ce->orgs, b, org, up, down, 0);
        tally_add(&ce->domains, b, domain, up, down, 0);
        tally_add(&ce->endpoints, b, ip, up, down, 0);
    }

    if (have_asn) {
        it = tally_get(&r->orgs, b, asn_key, &created);
        org_ext *oe = ext_for(it, created, sizeof *oe, b);
        if (it && oe) {
            it->up += up;
            it->down += down;
            it->flows++;
            oe->asn = asn;
            oom |= set_str(&oe->org, org, b);
            tally_add(&oe->countries, b, country, up, down, 0);
            tally_add(&oe->endpoints, b, ip, up, down, 0);
        }
    }

    if (company) {
        it = tally_get(&r->companies, b, company, &created);
        company_ext *ke = ext_for(it, created, sizeof *ke, b);
        if (it && ke) {
            it->up += up;
            it->down += down;
            it->flows++;
            if (csrc)
                it->mask |= !strcmp(csrc, "domain") ? SRC_DOMAIN
                            : !strcmp(csrc, "cert") ? SRC_CERT
                            : !strcmp(csrc, "asn")  ? SRC_ASN
                                                    : 0;
            tally_add(&ke->countries, b, country, up, down, 0);
            tally_add(&ke->domains, b, domain, up, down, 0);
        }
    }

    if (domain) {
        it = tally_get(&r->domains, b, domain, &created);
        domain_ext *de = ext_for(it, created, sizeof *de, b);
        if (it && de) {
            it->up += up;
            it->down += down;
            it->flows++;
            oom |= set_str(&de->company, company, b);
            tally_add(&de->countries, b, country, up, down, 0);
            for (int i = 0; i < n_names; i++)
                if (under_domain(names[i].name, domain))
                    tally_add(&de->names, b, names[i].name, up, down, names[i].seen);
        }
    }

    if (cr == 1) {
        char key[KEY_MAX + 64];
        const char *dest = name ? name : ip ? ip : "";
        int port = (int)(rport & 0xffff);
        snprintf(key, sizeof key, "%s|%d|%s", dest, port, f.app ? f.app : "");
        it = tally_get(&r->plain, b, key, &created);
        plain_ext *pe = ext_for(it, created, sizeof *pe, b);
        if (it && pe) {
            it->up += up;
            it->down += down;
            it->flows++;
            pe->port = port;
            oom |= set_str(&pe->dest, dest, b) | set_str(&pe->app, f.app ? f.app : "unknown", b);
        }
    }
    return oom ? -1 : 0;
}

/* ---- merging ---- */

typedef int (*ext_merge_fn)(item *dst, int created, const void *src_ext, budget *b);

/* Adds the entries of src to dst, in src's order (as adding its flows would). */
static int tally_merge(tally *dst, budget *b, const tally *src, ext_merge_fn ext_merge)
{
    int oom = 0;
    for (size_t i = 0; i < src->n; i++) {
        const item *s = &src->v[i];
        int created;
        item *d = tally_get(dst, b, KEY(s), &created);
        if (!d)
            continue; /* full (as when adding flows) or out of memory */
        d->up += s->up;
        d->down += s->down;
        d->flows += s->flows;
        d->mask |= s->mask;
        if (ext_merge && s->ext)
            oom |= ext_merge(d, created, s->ext, b);
    }
    return oom ? -1 : 0;
}

static int country_merge(item *d, int created, const void *p, budget *b)
{
    const country_ext *s = p;
    country_ext *e = ext_for(d, created, sizeof *e, b);
    if (!e)
        return -1;
    return set_str(&e->transfer, s->transfer, b) | tally_merge(&e->orgs, b, &s->orgs, NULL) |
           tally_merge(&e->domains, b, &s->domains, NULL) |
           tally_merge(&e->endpoints, b, &s->endpoints, NULL);
}

static int org_merge(item *d, int created, const void *p, budget *b)
{
    const org_ext *s = p;
    org_ext *e = ext_for(d, created, sizeof *e, b);
    if (!e)
        return -1;
    e->asn = s->asn;
    return set_str(&e->org, s->org, b) | tally_merge(&e->countries, b, &s->countries, NULL) |
           tally_merge(&e->endpoints, b, &s->endpoints, NULL);
}

static int company_merge(item *d, int created, const void *p, budget *b)
{
    const company_ext *s = p;
    company_ext *e = ext_for(d, created, sizeof *e, b);
    if (!e)
        return -1;
    return tally_merge(&e->countries, b, &s->countries, NULL) |
           tally_merge(&e->domains, b, &s->domains, NULL);
}

static int domain_merge(item *d, int created, const void *p, budget *b)
{
    const domain_ext *s = p;
    domain_ext *e = ext_for(d, created, sizeof *e, b);
    if (!e)
        return -1;
    return set_str(&e->company, s->company, b) | tally_merge(&e->names, b, &s->names, NULL) |
           tally_merge(&e->countries, b, &s->countries, NULL);
}

static int endpoint_merge(item *d, int created, const void *p, budget *b)
{
    const endpoint_ext *s = p;
    endpoint_ext *e = ext_for(d, created, sizeof *e, b);
    if (!e)
        return -1;
    int oom = set_str(&e->country, s->country, b) | set_str(&e->org, s->org, b) |
              set_str(&e->company, s->company, b) | set_str(&e->transfer, s->transfer, b);
    if (s->have_asn && !e->have_asn) {
        e->asn = s->asn;
        e->have_asn = 1;
    }
    oom |= tally_merge(&e->names, b, &s->names, NULL) | tally_merge(&e->ports, b, &s->ports, NULL);
    if (s->have_time) {
        if (!e->have_time || s->first < e->first)
            e->first = s->first;
        if (!e->have_time || s->last > e->last)
            e->last = s->last;
        e->have_time = 1;
    }
    for (size_t i = 0; i < s->n_starts; i++)
        oom |= add_start(e, b, s->starts[i]);
    return oom;
}

static int plain_merge(item *d, int created, const void *p, budget *b)
{
    const plain_ext *s = p;
    plain_ext *e = ext_for(d, created, sizeof *e, b);
    if (!e)
        return -1;
    e->port = s->port;
    return set_str(&e->dest, s->dest, b) | set_str(&e->app, s->app, b);
}

int dt_rollup_merge(dt_rollup *d, const dt_rollup *s)
{
    if (!d || !s)
        return 0;
    budget *b = &d->mem;
    b->refused += s->mem.refused;
    d->up += s->up;
    d->down += s->down;
    d->flows += s->flows;
    d->local_flows += s->local_flows;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            d->enc[i][j] += s->enc[i][j];
    for (int i = 0; i < DT_ROLLUP_TRANSFERS; i++)
        for (int j = 0; j < 3; j++)
            d->transfers[i][j] += s->transfers[i][j];
    if (s->ts_digits > d->ts_digits)
        d->ts_digits = s->ts_digits;
    int oom = tally_merge(&d->names, b, &s->names, NULL) |
              tally_merge(&d->endpoints, b, &s->endpoints, endpoint_merge) |
              tally_merge(&d->countries, b, &s->countries, country_merge) |
              tally_merge(&d->orgs, b, &s->orgs, org_merge) |
              tally_merge(&d->companies, b, &s->companies, company_merge) |
              tally_merge(&d->domains, b, &s->domains, domain_merge) |
              tally_merge(&d->plain, b, &s->plain, plain_merge);
    return oom ? -1 : 0;
}

/* ---- output ---- */

static void add_u64(cJSON *o, const char *k, uint64_t v)
{
    cJSON_AddNumberToObject(o, k, (double)v);
}

static void add_str_or_null(cJSON *o, const char *k, const char *s)
{
    if (s && s[0])
        cJSON_AddStringToObject(o, k, s);
    else
        cJSON_AddNullToObject(o, k);
}

static void add_counts(cJSON *o, const item *it)
{
    add_u64(o, "bytes_up", it->up);
    add_u64(o, "bytes_down", it->down);
    add_u64(o, "flows", it->flows);
}

/* The keys of t as an array of strings, by bytes_up (at most max, 0 = all). */
static cJSON *keys_array(const tally *t, size_t max)
{
    cJSON *a = cJSON_CreateArray();
    item **s = tally_sorted(t);
    if (!s)
        return a;
    for (size_t i = 0; i < t->n && (!max || i < max); i++)
        if (KEY(s[i])[0])
            cJSON_AddItemToArray(a, cJSON_CreateString(KEY(s[i])));
    free(s);
    return a;
}

/* [{<key_name>: key, bytes_up}] of the first max entries. */
static cJSON *top_array(const tally *t, const char *key_name, size_t max)
{
    cJSON *a = cJSON_CreateArray();
    item **s = tally_sorted(t);
    if (!s)
        return a;
    for (size_t i = 0; i < t->n && i < max; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, key_name, KEY(s[i]));
        add_u64(o, "bytes_up", s[i]->up);
        cJSON_AddItemToArray(a, o);
    }
    free(s);
    return a;
}

static cJSON *mask_array(unsigned mask, const char *const *names, int n)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < n; i++)
        if (mask & (1u << i))
            cJSON_AddItemToArray(a, cJSON_CreateString(names[i]));
    return a;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* seconds, rounded to microseconds */
static double secs(double ns)
{
    return (double)(int64_t)((ns + 500.0) / 1000.0) / 1e6;
}

static double median_sorted(const double *v, size_t n)
{
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static cJSON *rhythm_json(const endpoint_ext *e, uint64_t connections)
{
    cJSON *o = cJSON_CreateObject();
    add_u64(o, "connections", connections);
    uint64_t *st = NULL;
    double *iv = NULL, *dev = NULL;
    size_t n = e->n_starts;
    if (n >= 2) {
        st = malloc(n * sizeof *st);
        iv = malloc((n - 1) * sizeof *iv);
        dev = malloc((n - 1) * sizeof *dev);
    }
    if (!st || !iv || !dev) {
        cJSON_AddNullToObject(o, "interval_median_s");
        cJSON_AddNullToObject(o, "interval_mad_s");
        cJSON_AddNullToObject(o, "interval_min_s");
        cJSON_AddNullToObject(o, "interval_max_s");
    } else {
        memcpy(st, e->starts, n * sizeof *st);
        qsort(st, n, sizeof *st, cmp_u64);
        for (size_t i = 0; i + 1 < n; i++)
            iv[i] = (double)(st[i + 1] - st[i]);
        qsort(iv, n - 1, sizeof *iv, cmp_dbl);
        double med = median_sorted(iv, n - 1);
        for (size_t i = 0; i + 1 < n; i++)
            dev[i] = iv[i] > med ? iv[i] - med : med - iv[i];
        qsort(dev, n - 1, sizeof *dev, cmp_dbl);
        cJSON_AddNumberToObject(o, "interval_median_s", secs(med));
        cJSON_AddNumberToObject(o, "interval_mad_s", secs(median_sorted(dev, n - 1)));
        cJSON_AddNumberToObject(o, "interval_min_s", secs(iv[0]));
        cJSON_AddNumberToObject(o, "interval_max_s", secs(iv[n - 2]));
    }
    free(st);
    free(iv);
    free(dev);
    return o;
}

static int cmp_port(const void *a, const void *b)
{
    long x = strtol(KEY(*(item *const *)a), NULL, 10);
    long y = strtol(KEY(*(item *const *)b), NULL, 10);
    return x < y ? -1 : x > y;
}

static cJSON *names_json(const tally *t)
{
    cJSON *a = cJSON_CreateArray();
    item **s = tally_sorted(t);
    if (!s)
        return a;
    for (size_t i = 0; i < t->n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", KEY(s[i]));
        cJSON_AddItemToObject(o, "seen_in", mask_array(s[i]->mask, seen_names, 5));
        cJSON_AddItemToArray(a, o);
    }
    free(s);
    return a;
}

static cJSON *endpoint_json(const dt_rollup *r, const item *it)
{
    const endpoint_ext *e = it->ext;
    if (!e)
        return NULL;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "ip", KEY(it));
    cJSON_AddItemToObject(o, "names", keys_array(&e->names, 0));
    cJSON *ports = cJSON_CreateArray();
    item **p = malloc((e->ports.n ? e->ports.n : 1) * sizeof *p);
    if (p) {
        for (size_t j = 0; j < e->ports.n; j++)
            p[j] = &e->ports.v[j];
        qsort(p, e->ports.n, sizeof *p, cmp_port);
        for (size_t j = 0; j < e->ports.n; j++)
            cJSON_AddItemToArray(ports, cJSON_CreateNumber(strtod(KEY(p[j]), NULL)));
        free(p);
    }
    cJSON_AddItemToObject(o, "ports", ports);
    add_str_or_null(o, "country", e->country);
    if (e->have_asn)
        cJSON_AddNumberToObject(o, "asn", e->asn);
    else
        cJSON_AddNullToObject(o, "asn");
    add_str_or_null(o, "org", e->org);
    add_str_or_null(o, "company", e->company);
    add_str_or_null(o, "transfer", e->transfer);
    add_counts(o, it);
    if (e->have_time) {
        dt_json_add_time(o, "first_seen", e->first, r->ts_digits);
        dt_json_add_time(o, "last_seen", e->last, r->ts_digits);
    } else {
        cJSON_AddNullToObject(o, "first_seen");
        cJSON_AddNullToObject(o, "last_seen");
    }
    cJSON_AddItemToObject(o, "rhythm", rhythm_json(e, it->flows));
    return o;
}

int dt_rollup_each_endpoint(const dt_rollup *r, int (*fn)(void *ctx, const cJSON *endpoint),
                            void *ctx)
{
    item **s = r ? tally_sorted(&r->endpoints) : NULL;
    if (!s)
        return r ? -1 : 0;
    int rc = 0;
    for (size_t i = 0; i < r->endpoints.n && rc == 0; i++) {
        cJSON *o = endpoint_json(r, s[i]);
        if (o)
            rc = fn(ctx, o);
        cJSON_Delete(o);
    }
    free(s);
    return rc;
}

static cJSON *endpoints_json(const dt_rollup *r)
{
    cJSON *a = cJSON_CreateArray();
    item **s = tally_sorted(&r->endpoints);
    for (size_t i = 0; s && i < r->endpoints.n; i++) {
        cJSON *o = endpoint_json(r, s[i]);
        if (o)
            cJSON_AddItemToArray(a, o);
    }
    free(s);
    return a;
}

static cJSON *countries_json(const dt_rollup *r)
{
    cJSON *a = cJSON_CreateArray();
    item **s = tally_sorted(&r->countries);
    if (!s)
        return a;
    for (size_t i = 0; i < r->countries.n; i++) {
        const country_ext *e = s[i]->ext;
        if (!e)
            continue;
        cJSON *o = cJSON_CreateObject();
        add_str_or_null(o, "code", KEY(s[i]));
        add_str_or_null(o, "name", KEY(s[i])[0] ? dt_geo_country_name(KEY(s[i])) : NULL);
        add_str_or_null(o, "transfer", e->transfer);
        add_counts(o, s[i]);
        add_u64(o, "endpoints", e->endpoints.n);
        cJSON_AddItemToObject(o, "top_organizations", top_array(&e->orgs, "name", DT_ROLLUP_TOP));
        cJSON_AddItemToObject(o, "top_domains", top_array(&e->domains, "domain", DT_ROLLUP_TOP));
        cJSON_AddItemToArray(a, o);
    }
    free(s);
    return a;
}

static cJSON *orgs_json(const dt_rollup *r)
{
    cJSON *a = cJSON_CreateArray();
    item **s = tally_sorted(&r->orgs);
    if (!s)
        return a;
    for (size_t i = 0; i < r->orgs.n; i++) {
        const org_ext *e = s[i]->ext;
        if (!e)
            continue;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "asn", e->asn);
        add_str_or_null(o, "org", e->org);
        cJSON_AddItemToObject(o, "countries", keys_array(&e->countries, 0));
        add_counts(o, s[i]);
        add_u64(o, "endpoints", e->endpoints.n);
        cJSON_AddItemToArray(a, o);
    }
    free(s);
    return a;
}

static cJSON *companies_json(const dt_rollup *r)
{
    cJSON *a = cJSON_CreateArray();
    item **s = tally_sorted(&r->companies);
    if (!s)
        return a;
    for (size_t i = 0; i < r->companies.n; i++) {
        const company_ext *e = s[i]->ext;
        if (!e)
            continue;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", KEY(s[i]));
        cJSON_AddItemToObject(o, "sources", mask_array(s[i]->mask, src_names, 3));
        cJSON_AddItemToObject(o, "countries", keys_array(&e->countries, 0));
        add_counts(o, s[i]);
        cJSON_AddItemToObject(o, "domains", keys_array(&e->domains, 0));
        cJSON_AddItemToArray(a, o);
    }
    free(s);
    return a;
}

static cJSON *domains_json(const dt_rollup *r)
{
    cJSON *a = cJSON_CreateArray();
    item **s = tally_sorted(&r->domains);
    if (!s)
        return a;
    for (size_t i = 0; i < r->domains.n; i++) {
        const domain_ext *e = s[i]->ext;
        if (!e)
            continue;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "domain", KEY(s[i]));
        cJSON_AddItemToObject(o, "names", names_json(&e->names));
        add_str_or_null(o, "company", e->company);
        cJSON_AddItemToObject(o, "countries", keys_array(&e->countries, 0));
        add_counts(o, s[i]);
        cJSON_AddItemToArray(a, o);
    }
    free(s);
    return a;
}

static void set_item(cJSON *o, const char *key, cJSON *v)
{
    cJSON_DeleteItemFromObjectCaseSensitive(o, key);
    cJSON_AddItemToObject(o, key, v);
}

static void summary_additions(const dt_rollup *r, cJSON *sum)
{
    set_item(sum, "bytes_up", cJSON_CreateNumber((double)r->up));
    set_item(sum, "bytes_down", cJSON_CreateNumber((double)r->down));
    set_item(sum, "local_flows", cJSON_CreateNumber((double)r->local_flows));
    set_item(sum, "remote_addresses", cJSON_CreateNumber((double)r->endpoints.n));
    set_item(sum, "remote_names", cJSON_CreateNumber((double)r->names.n));
    set_item(sum, "domains", cJSON_CreateNumber((double)r->domains.n));
    uint64_t nc = 0;
    for (size_t i = 0; i < r->countries.n; i++)
        nc += KEY(&r->countries.v[i])[0] != '\0';
    set_item(sum, "countries", cJSON_CreateNumber((double)nc));
    set_item(sum, "organizations", cJSON_CreateNumber((double)r->orgs.n));
    set_item(sum, "companies", cJSON_CreateNumber((double)r->companies.n));
    cJSON *enc = cJSON_CreateObject();
    static const char *const kinds[] = {"encrypted", "plaintext", "unknown"};
    for (int k = 0; k < 3; k++) {
        cJSON *o = cJSON_AddObjectToObject(enc, kinds[k]);
        add_u64(o, "flows", r->enc[k][0]);
        add_u64(o, "bytes_up", r->enc[k][1]);
        add_u64(o, "bytes_down", r->enc[k][2]);
    }
    set_item(sum, "encryption", enc);
    cJSON *pl = cJSON_CreateArray();
    item **s = tally_sorted(&r->plain);
    for (size_t i = 0; s && i < r->plain.n; i++) {
        const plain_ext *e = s[i]->ext;
        if (!e)
            continue;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "destination", e->dest ? e->dest : "");
        cJSON_AddNumberToObject(o, "port", e->port);
        cJSON_AddStringToObject(o, "app", e->app ? e->app : "unknown");
        add_counts(o, s[i]);
        cJSON_AddItemToArray(pl, o);
    }
    free(s);
    set_item(sum, "plaintext_destinations", pl);
    set_item(sum, "rollup_entries_dropped", cJSON_CreateNumber((double)r->mem.refused));
}

cJSON *dt_rollup_transfers_json(const dt_rollup *r)
{
    cJSON *tr = cJSON_CreateObject();
    for (int i = 0; i < DT_ROLLUP_TRANSFERS; i++) {
        cJSON *c = cJSON_AddObjectToObject(tr, transfer_names[i]);
        add_u64(c, "flows", r ? r->transfers[i][0] : 0);
        add_u64(c, "bytes_up", r ? r->transfers[i][1] : 0);
        add_u64(c, "bytes_down", r ? r->transfers[i][2] : 0);
    }
    return tr;
}

void dt_rollup_write(const dt_rollup *r, cJSON *report)
{
    dt_rollup_write_sections(r, report, 1);
}

void dt_rollup_write_sections(const dt_rollup *r, cJSON *report, int with_endpoints)
{
    if (!r || !cJSON_IsObject(report))
        return;
    cJSON *sum = cJSON_GetObjectItemCaseSensitive(report, "summary");
    if (!cJSON_IsObject(sum)) {
        sum = cJSON_CreateObject();
        set_item(report, "summary", sum);
    }
    summary_additions(r, sum);
    set_item(report, "countries", countries_json(r));
    set_item(report, "organizations", orgs_json(r));
    set_item(report, "companies", companies_json(r));
    set_item(report, "domains", domains_json(r));
    if (with_endpoints)
        set_item(report, "endpoints", endpoints_json(r));
}
