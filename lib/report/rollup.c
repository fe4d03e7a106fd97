#include "report/rollup.h"
#include "report/tally.h"

#include "enrich/enrich.h"
#include "enrich/entity.h"
#include "enrich/geo.h"

#include "util/text.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define TOP_MAX 4000000 /* entries of a top-level table */
#define INTERN_MEMO 64
/* The rows a flow counts on, per enricher endpoint (struct ep_memo) */
enum { M_ENDPOINT, M_COUNTRY, M_COUNTRY_EP, M_ORG, M_ORG_EP, MEMO_ROWS };

/* ---- entities ---- */

enum {
    SEEN_SNI = 1,
    SEEN_QUIC = 2,
    SEEN_HTTP = 4,
    SEEN_DNS = 8,
    SEEN_CERT = 16,
    SEEN_COAP = 32,
    SEEN_STUN = 64
};
static const char *const seen_names[] = {"sni", "quic", "http", "dns", "cert", "coap", "stun"};
enum { SRC_DOMAIN = 1, SRC_CERT = 2, SRC_UNIDENTIFIED = 4 };
static const char *const src_names[] = {"domain", "cert", "unidentified"};

/* A transfer class as stored in the tables: dt_ru_transfer + 1, 0 for none. */
typedef uint8_t transfer_id;

typedef struct country_ext {
    transfer_id transfer;
    dt_tally orgs, domains, endpoints;
} country_ext;

typedef struct org_ext {
    const dt_str *org;
    double asn;
    dt_tally countries, endpoints;
} org_ext;

typedef struct company_ext {
    const dt_str *category;
    int identified;
    dt_tally countries, domains;
} company_ext;

typedef struct host_ext {
    const dt_str *category;
    dt_tally asns, countries, recipients;
} host_ext;

typedef struct domain_ext {
    dt_tally names, countries, recipients; /* recipients by upload bytes */
} domain_ext;

typedef struct endpoint_ext {
    const dt_str *country, *registered, *org, *recipient, *recipient_category, *host;
    int recipient_identified;
    transfer_id transfer;
    double asn;
    int have_asn, have_time;
    uint64_t first, last;
    dt_tally names, ports;
    uint64_t *starts;
    size_t n_starts, cap_starts;
} endpoint_ext;

typedef struct device_ext {
    const dt_str *mac;
    uint64_t local_flows;
    dt_tally addresses, recipients, countries;
    dt_tally names, vendor_classes; /* from DHCP */
} device_ext;

/* decode (issue 15): a process of the local host, by name */
typedef struct process_ext {
    dt_tally pids, uids, countries;
} process_ext;

typedef struct plain_ext {
    const dt_str *dest, *app;
    int port;
} plain_ext;

/* The keys: countries, companies, domains, names and plaintext destinations
 * by interned string (one pool), organisations by ASN, endpoints by address
 * (binary; the text is made when written), ports by number. */
struct dt_rollup {
    dt_pool pool;
    dt_tally countries, orgs, companies, hosts, domains, endpoints, names, plain, devices;
    dt_tally processes; /* decode (issue 15) */
    uint64_t up, down, flows, local_flows;
    uint64_t named[3], identified[3]; /* named public flows: [flows, up, down] */
    uint64_t disagree[3];    /* remote flows located elsewhere than registered: [flows, up, down] */
    uint64_t unknown_dir[3]; /* flows with no local side: [flows, client bytes, server bytes] */
    char vendor[DT_ENTITY_NAME_MAX];       /* the first party given (--vendor), or "" */
    uint64_t enc[3][3];                    /* [encrypted, plaintext, unknown][flows, up, down] */
    uint64_t transfers[DT_RU_TR_COUNT][3]; /* [dt_ru_transfer][flows, up, down] */
    int ts_digits;
    dt_budget mem;
    /* the last texts interned, by their address (most flows repeat the
     * enrichment's and the device's texts): checked by content */
    struct {
        const char *text;
        const dt_str *s;
    } memo[INTERN_MEMO];
    /* per enricher endpoint slot, the rows its flows counted on last time
     * (index + 1, 0: none): what a flow of the same serial, the same server
     * and enrichment, finds again (rows are never removed) */
    struct ep_memo {
        uint64_t serial;
        uint32_t rows[MEMO_ROWS];
        int have_texts; /* texts: its country, org, recipient, category, host, domain */
        const dt_str *texts[6];
    } * ep_memo;
};

static void country_free(void *p)
{
    country_ext *e = p;
    dt_tally_free(&e->orgs, NULL);
    dt_tally_free(&e->domains, NULL);
    dt_tally_free(&e->endpoints, NULL);
    free(e);
}

static void org_free(void *p)
{
    org_ext *e = p;
    dt_tally_free(&e->countries, NULL);
    dt_tally_free(&e->endpoints, NULL);
    free(e);
}

static void company_free(void *p)
{
    company_ext *e = p;
    dt_tally_free(&e->countries, NULL);
    dt_tally_free(&e->domains, NULL);
    free(e);
}

static void device_free(void *p)
{
    device_ext *e = p;
    dt_tally_free(&e->addresses, NULL);
    dt_tally_free(&e->recipients, NULL);
    dt_tally_free(&e->countries, NULL);
    dt_tally_free(&e->names, NULL);
    dt_tally_free(&e->vendor_classes, NULL);
    free(e);
}

static void process_free(void *p)
{
    process_ext *e = p;
    dt_tally_free(&e->pids, NULL);
    dt_tally_free(&e->uids, NULL);
    dt_tally_free(&e->countries, NULL);
    free(e);
}

static void host_free(void *p)
{
    host_ext *e = p;
    dt_tally_free(&e->asns, NULL);
    dt_tally_free(&e->countries, NULL);
    dt_tally_free(&e->recipients, NULL);
    free(e);
}

static void domain_free(void *p)
{
    domain_ext *e = p;
    dt_tally_free(&e->names, NULL);
    dt_tally_free(&e->countries, NULL);
    dt_tally_free(&e->recipients, NULL);
    free(e);
}

static void endpoint_free(void *p)
{
    endpoint_ext *e = p;
    dt_tally_free(&e->names, NULL);
    dt_tally_free(&e->ports, NULL);
    free(e->starts);
    free(e);
}

static void plain_free(void *p)
{
    free(p);
}

dt_rollup *dt_rollup_new(void)
{
    dt_rollup *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    dt_tally *top[] = {&r->countries, &r->orgs,      &r->companies, &r->hosts,
                       &r->domains,   &r->endpoints, &r->names,     &r->plain};
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
    free(r->ep_memo);
    dt_tally_free(&r->countries, country_free);
    dt_tally_free(&r->orgs, org_free);
    dt_tally_free(&r->companies, company_free);
    dt_tally_free(&r->hosts, host_free);
    dt_tally_free(&r->devices, device_free);
    dt_tally_free(&r->processes, process_free);
    dt_tally_free(&r->domains, domain_free);
    dt_tally_free(&r->endpoints, endpoint_free);
    dt_tally_free(&r->names, NULL);
    dt_tally_free(&r->plain, plain_free);
    dt_pool_free(&r->pool);
    free(r);
}

/* ---- adding a flow ---- */

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
        src = !strcmp(ns, "tls_sni")      ? SEEN_SNI
              : !strcmp(ns, "quic_sni")   ? SEEN_QUIC
              : !strcmp(ns, "http_host")  ? SEEN_HTTP
              : !strcmp(ns, "dns")        ? SEEN_DNS
              : !strcmp(ns, "cert")       ? SEEN_CERT
              : !strcmp(ns, "coap_host")  ? SEEN_COAP
              : !strcmp(ns, "stun_realm") ? SEEN_STUN
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

static int add_start(endpoint_ext *e, dt_budget *b, uint64_t t)
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

/* s equals lit (a string literal), tested from its first byte on (most
 * texts compared here differ there). */
#define STR_IS(s, lit) ((s)[0] == (lit)[0] && !strcmp((s), (lit)))

static dt_crypto flow_crypto(const dt_rollup_flow *f)
{
    if (f->encrypted)
        return DT_CRYPTO_ENCRYPTED;
    if (!f->app || !f->app[0] || STR_IS(f->app, "unknown"))
        return DT_CRYPTO_UNKNOWN;
    if (STR_IS(f->app, "tls") || STR_IS(f->app, "quic"))
        return DT_CRYPTO_ENCRYPTED;
    return DT_CRYPTO_PLAINTEXT;
}

static const char *const transfer_names[DT_RU_TR_COUNT] = {
    "eea", "adequate", "adequate_partial", "third_country", "unknown", "local"};

/* The class named s (a flow's server.transfer), -1 when none or unknown. */
static int transfer_of(const char *s)
{
    for (int i = 0; s && i < DT_RU_TR_COUNT; i++)
        if (STR_IS(s, transfer_names[i]))
            return i;
    return -1;
}

static const char *transfer_text(transfer_id t)
{
    return t ? transfer_names[t - 1] : NULL;
}

/* Sets *dst to class tr unless set already. */
static void set_transfer(transfer_id *dst, int tr)
{
    if (*dst || tr < 0)
        return;
    *dst = (transfer_id)(tr + 1);
}

/* Bytes and flows per transfer class, the summary's "transfers"; tr is the
 * flow's class (a class named but unknown counts nowhere). */
static void transfers_add(dt_rollup *r, const dt_rollup_flow *f, int tr, uint64_t up, uint64_t down)
{
    int cl = f->client_local, sl = f->server_local;
    int cls = cl && sl ? DT_RU_TR_LOCAL : f->transfer ? tr : sl ? DT_RU_TR_LOCAL : DT_RU_TR_UNKNOWN;
    if (cls >= 0) {
        r->transfers[cls][0]++;
        r->transfers[cls][1] += up;
        r->transfers[cls][2] += down;
    }
}

/* s interned in r's pool (NULL when s is NULL; *oom set when out of memory). */
static const dt_str *intern(dt_rollup *r, const char *s, int *oom)
{
    if (!s)
        return NULL;
    size_t m = ((uintptr_t)s >> 3) % INTERN_MEMO;
    if (r->memo[m].text == s && strcmp(r->memo[m].s->s, s) == 0)
        return r->memo[m].s; /* what the pool would find */
    const dt_str *x = dt_pool_intern(&r->pool, &r->mem, s, 0);
    if (!x)
        *oom = 1;
    else if (x != &dt_str_refused) {
        r->memo[m].text = s;
        r->memo[m].s = x;
    }
    return x;
}

/* The row at memo index i of t (index + 1; 0: none), or NULL. */
static dt_tally_item *memo_row(const dt_tally *t, uint32_t i)
{
    return i && i <= t->n ? &t->v[i - 1] : NULL;
}

/* dt_tally_get through *memo (may be NULL): the row it names when that has
 * key k, else the table's, which *memo names next. */
static dt_tally_item *memo_get(dt_tally *t, dt_budget *b, dt_tally_kind kind, const dt_tally_key *k,
                               uint32_t *memo, int *created)
{
    dt_tally_item *it = memo ? memo_row(t, *memo) : NULL;
    if (it && dt_tally_key_eq(kind, &it->key, k)) {
        if (created)
            *created = 0;
        return it;
    }
    it = dt_tally_get(t, b, kind, k, created);
    if (memo)
        *memo = it ? (uint32_t)(it - t->v) + 1 : 0;
    return it;
}

/* *dst := s (text, interned for the tables) unless set; the text of an
 * existing entry is interned even over the limit (counted). */
static int set_str(const dt_str **dst, const dt_str *s, const char *text, dt_rollup *r)
{
    if (*dst || !s)
        return 0;
    if (s == &dt_str_refused)
        s = dt_pool_intern(&r->pool, &r->mem, text, 1);
    *dst = s;
    return s ? 0 : -1;
}

/* The same for a string of another rollup's pool (merging). */
static int merge_str(const dt_str **dst, const dt_str *s, dt_pool *p, dt_budget *b)
{
    if (*dst || !s)
        return 0;
    *dst = dt_pool_intern_str(p, b, s, 1);
    return *dst ? 0 : -1;
}

/* Dotted IPv4 text as inet_ntop writes it (no leading zeros) into a. */
static int parse_v4(const char *s, uint8_t *a)
{
    for (int i = 0; i < 4; i++) {
        if (*s < '0' || *s > '9')
            return 0;
        unsigned v = (unsigned)(*s++ - '0');
        for (int d = 0; v && d < 2 && *s >= '0' && *s <= '9'; d++)
            v = v * 10 + (unsigned)(*s++ - '0');
        if (v > 255)
            return 0;
        a[i] = (uint8_t)v;
        if (i < 3 && *s++ != '.')
            return 0;
    }
    return *s == '\0';
}

/* The key of the address ip: binary when dt_addr_str writes ip again from
 * it (as every address datatrail writes), else the interned text (a report
 * written by hand), so the endpoints are written and sorted by the text they
 * were given.  Returns -1 when out of memory. */
static int addr_key(dt_rollup *r, const char *ip, dt_tally_key *k)
{
    memset(k, 0, sizeof *k);
    if (parse_v4(ip, k->addr.a)) {
        k->addr.family = 4;
        return 0;
    }
    if (strchr(ip, ':') && dt_addr_parse(ip, &k->addr) == 0 && k->addr.family == 6) {
        char buf[DT_ADDR_STRLEN];
        if (!strcmp(dt_addr_str(&k->addr, buf, sizeof buf), ip))
            return 0;
    }
    memset(k, 0, sizeof *k);
    const dt_str *s = dt_pool_intern(&r->pool, &r->mem, ip, 0);
    if (!s)
        return -1;
    k->addr.family = DT_TALLY_ADDR_TEXT;
    memcpy(k->addr.a, &s, sizeof s);
    return 0;
}

int dt_rollup_flow_of_device(const dt_rollup_flow *f, const char *device)
{
    const char *ip[2] = {f->client_ip, f->server_ip}, *mac[2] = {f->client_mac, f->server_mac};
    int local[2] = {f->client_local, f->server_local};
    for (int i = 0; i < 2; i++)
        if (local[i] && ((ip[i] && !strcmp(ip[i], device)) || (mac[i] && !strcmp(mac[i], device))))
            return 1;
    return 0;
}

/* The device's side of flow f (the client unless only the server is local). */
static int device_add(dt_rollup *r, const dt_rollup_flow *f, int local, const dt_str *recipient,
                      const dt_str *country, uint64_t up, uint64_t down)
{
    int dev_server = f->server_local && !f->client_local;
    const char *ip = dev_server ? f->server_ip : f->client_ip;
    const char *mac = dev_server ? f->server_mac : f->client_mac;
    if (!ip)
        return 0;
    int oom = 0, created = 0;
    const dt_str *ip_s = intern(r, ip, &oom), *mac_s = mac ? intern(r, mac, &oom) : NULL;
    dt_tally_item *it = dt_tally_get_str(&r->devices, &r->mem, mac_s ? mac_s : ip_s, &created);
    device_ext *de = dt_tally_ext(it, created, sizeof *de, &r->mem);
    if (!it || !de)
        return oom ? -1 : 0;
    dt_tally_count(it, up, down, 0);
    de->local_flows += (uint64_t)local;
    if (mac_s)
        oom |= set_str(&de->mac, mac_s, mac, r);
    dt_tally_add(&de->addresses, &r->mem, ip_s, up, down, 0);
    if (recipient)
        dt_tally_add(&de->recipients, &r->mem, recipient, up, down, 0);
    if (country)
        dt_tally_add(&de->countries, &r->mem, country, up, down, 0);
    return oom ? -1 : 0;
}

/* What a DHCP client said names the device of its Ethernet address: kept
 * per device, counted by message flows (bytes are the device's flows'). */
static int dhcp_add(dt_rollup *r, const dt_rollup_flow *f)
{
    int oom = 0, created = 0;
    const dt_str *mac = intern(r, f->dhcp_mac, &oom);
    dt_tally_item *it = dt_tally_get_str(&r->devices, &r->mem, mac, &created);
    device_ext *de = dt_tally_ext(it, created, sizeof *de, &r->mem);
    if (!it || !de)
        return oom ? -1 : 0;
    oom |= set_str(&de->mac, mac, f->dhcp_mac, r);
    if (f->dhcp_host_name)
        dt_tally_add(&de->names, &r->mem, intern(r, f->dhcp_host_name, &oom), 0, 0, 0);
    if (f->dhcp_vendor_class)
        dt_tally_add(&de->vendor_classes, &r->mem, intern(r, f->dhcp_vendor_class, &oom), 0, 0, 0);
    return oom ? -1 : 0;
}

/* The process of flow f, when the capture named one (country: of the remote side). */
static int process_add(dt_rollup *r, const dt_rollup_flow *f, const dt_str *country, uint64_t up,
                       uint64_t down)
{
    if (!f->process_kind)
        return 0;
    int oom = 0, created = 0;
    const dt_str *name = intern(r, f->process_name ? f->process_name : "", &oom);
    dt_tally_item *it = dt_tally_get_str(&r->processes, &r->mem, name, &created);
    process_ext *pe = dt_tally_ext(it, created, sizeof *pe, &r->mem);
    if (!it || !pe)
        return oom ? -1 : 0;
    dt_tally_count(it, up, down, 0);
    if (f->process_id >= 0)
        dt_tally_add_num(strcmp(f->process_kind, "uid") ? &pe->pids : &pe->uids, &r->mem,
                         (uint64_t)f->process_id, up, down);
    if (country)
        dt_tally_add(&pe->countries, &r->mem, country, up, down, 0);
    return oom ? -1 : 0;
}

void dt_rollup_flow_view(const dt_rollup_flow *f, dt_ru_flow_view *v)
{
    int cloc = f->client_local, sloc = f->server_local;
    memset(v, 0, sizeof *v);
    v->transfer = transfer_of(dt_nonempty(f->transfer));
    v->crypto = flow_crypto(f);
    if (!cloc && !sloc) { /* which side is the device is unknown */
        v->kind = DT_RU_FLOW_NO_LOCAL;
        return;
    }
    /* The remote side is the server unless only the server is local. */
    v->srv_remote = !(sloc && !cloc);
    v->up = v->srv_remote ? f->client_bytes : f->server_bytes;
    v->down = v->srv_remote ? f->server_bytes : f->client_bytes;
    /* both sides local, or a server the enrichment calls local (multicast,
     * broadcast): counted as local, as the summary's transfers do */
    v->kind = (cloc && sloc) || (!sloc && v->transfer == DT_RU_TR_LOCAL) ? DT_RU_FLOW_LOCAL
                                                                         : DT_RU_FLOW_REMOTE;
}

/* n bytes of s at key + *at, cut at cap - 1 as snprintf cuts. */
static void key_put(char *key, size_t cap, size_t *at, const char *s, size_t n)
{
    if (n > cap - 1 - *at)
        n = cap - 1 - *at;
    memcpy(key + *at, s, n);
    *at += n;
}

/* "dest|port|app" (port 0-65535), as snprintf "%s|%d|%s" writes it: once
 * per plaintext flow, where snprintf cost 1,200 instructions. */
static void plain_key(char *key, size_t cap, const char *dest, int port, const char *app)
{
    char digits[8];
    int nd = 0;
    do
        digits[sizeof digits - 1 - nd++] = (char)('0' + port % 10);
    while ((port /= 10) > 0);
    size_t at = 0;
    key_put(key, cap, &at, dest, strlen(dest));
    key_put(key, cap, &at, "|", 1);
    key_put(key, cap, &at, digits + sizeof digits - nd, (size_t)nd);
    key_put(key, cap, &at, "|", 1);
    key_put(key, cap, &at, app, strlen(app));
    key[at] = '\0';
}

/* in, or a copy of it in *buf with its empty strings NULL (they count as
 * missing): a flow of a run has none (no_empty), and copying every flow cost
 * 3 M of real280, looking at each string 4 M. */
#define EMPTY(s) ((s) && !(s)[0])
static const dt_rollup_flow *without_empty(const dt_rollup_flow *in, dt_rollup_flow *buf)
{
    if (in->no_empty && !EMPTY(in->client_ip) && !EMPTY(in->server_ip))
        return in;
    if (!(EMPTY(in->client_ip) || EMPTY(in->server_ip) || EMPTY(in->app) || EMPTY(in->name) ||
          EMPTY(in->name_source) || EMPTY(in->tls_sni) || EMPTY(in->quic_sni) ||
          EMPTY(in->http_host) || EMPTY(in->country) || EMPTY(in->org) || EMPTY(in->domain) ||
          EMPTY(in->transfer) || EMPTY(in->recipient) || EMPTY(in->recipient_evidence) ||
          EMPTY(in->recipient_category) || EMPTY(in->host) || EMPTY(in->host_category) ||
          EMPTY(in->registered_country) || EMPTY(in->dhcp_host_name) ||
          EMPTY(in->dhcp_vendor_class)))
        return in;
    dt_rollup_flow *f = buf;
    *f = *in;
    f->client_ip = dt_nonempty(f->client_ip);
    f->server_ip = dt_nonempty(f->server_ip);
    f->app = dt_nonempty(f->app);
    f->name = dt_nonempty(f->name);
    f->name_source = dt_nonempty(f->name_source);
    f->tls_sni = dt_nonempty(f->tls_sni);
    f->quic_sni = dt_nonempty(f->quic_sni);
    f->http_host = dt_nonempty(f->http_host);
    f->country = dt_nonempty(f->country);
    f->org = dt_nonempty(f->org);
    f->domain = dt_nonempty(f->domain);
    f->transfer = dt_nonempty(f->transfer);
    f->recipient = dt_nonempty(f->recipient);
    f->recipient_evidence = dt_nonempty(f->recipient_evidence);
    f->recipient_category = dt_nonempty(f->recipient_category);
    f->host = dt_nonempty(f->host);
    f->host_category = dt_nonempty(f->host_category);
    f->registered_country = dt_nonempty(f->registered_country);
    f->dhcp_host_name = dt_nonempty(f->dhcp_host_name);
    f->dhcp_vendor_class = dt_nonempty(f->dhcp_vendor_class);
    return f;
}
#undef EMPTY

int dt_rollup_add(dt_rollup *r, const dt_rollup_flow *in)
{
    if (!r)
        return 0;
    dt_budget *b = &r->mem;
    dt_rollup_flow clean;
    const dt_rollup_flow *f = without_empty(in, &clean);
    if (dt_nonempty(f->dhcp_mac) && dhcp_add(r, f) != 0)
        return -1;
    dt_ru_flow_view v;
    dt_rollup_flow_view(f, &v);
    if (v.kind == DT_RU_FLOW_NO_LOCAL) { /* no upload, no download */
        r->unknown_dir[0]++;
        r->unknown_dir[1] += f->client_bytes;
        r->unknown_dir[2] += f->server_bytes;
        return 0;
    }
    int srv_remote = v.srv_remote;
    uint64_t up = v.up, down = v.down;
    r->flows++;
    r->up += up;
    r->down += down;
    int tr = v.transfer;
    transfers_add(r, f, tr, up, down);
    if (v.kind == DT_RU_FLOW_LOCAL) {
        r->local_flows++;
        return device_add(r, f, 1, NULL, NULL, up, down) | process_add(r, f, NULL, up, down);
    }
    int oom = 0;
    dt_crypto cr = v.crypto;
    r->enc[cr][0]++;
    r->enc[cr][1] += up;
    r->enc[cr][2] += down;

    /* Enrichment describes the server: usable when the remote side is the server. */
    const char *ip = srv_remote ? f->server_ip : f->client_ip;
    uint64_t rport = srv_remote ? f->server_port : f->client_port;
    const char *country = srv_remote ? f->country : NULL;
    const char *registered = srv_remote ? f->registered_country : NULL;
    if (country && registered && strcmp(country, registered) != 0) {
        r->disagree[0]++;
        r->disagree[1] += up;
        r->disagree[2] += down;
    }
    const char *org = srv_remote ? f->org : NULL;
    const char *recipient = srv_remote ? f->recipient : NULL;
    const char *rsrc = srv_remote ? f->recipient_evidence : NULL;
    const char *host = srv_remote ? f->host : NULL;
    const char *domain = srv_remote ? f->domain : NULL;
    int transfer = srv_remote ? tr : -1;
    int have_asn = srv_remote && f->asn > 0 && f->asn < 4300000000ull;
    double asn = have_asn ? (double)f->asn : 0;
    flow_name names[4];
    int n_names = srv_remote ? flow_names(f, names) : 0;
    int have_t0 = f->have_time;
    uint64_t t0 = f->first_ns, t1 = f->last_ns < t0 ? t0 : f->last_ns;
    if (have_t0 && f->ts_digits > r->ts_digits)
        r->ts_digits = f->ts_digits;

    /* each string once into the pool; the tables below compare pointers */
    const dt_str *name_s[4];
    for (int i = 0; i < n_names; i++) {
        name_s[i] = intern(r, names[i].name, &oom);
        dt_tally_add(&r->names, b, name_s[i], up, down, 0);
    }
    /* the rows this server's enrichment counted on last time */
    struct ep_memo *em = NULL;
    if (srv_remote && f->ep_serial && f->ep_slot < DT_ENDPOINT_SLOTS) {
        if (!r->ep_memo)
            r->ep_memo = calloc(DT_ENDPOINT_SLOTS, sizeof *r->ep_memo);
        em = r->ep_memo ? &r->ep_memo[f->ep_slot] : NULL;
        if (em && em->serial != f->ep_serial)
            *em = (struct ep_memo){.serial = f->ep_serial};
    }
#define M(row) (em ? &em->rows[row] : NULL)

    /* the enrichment's texts: once per serial */
    const dt_str *tx[6];
    if (em && em->have_texts) {
        memcpy(tx, em->texts, sizeof tx);
    } else {
        tx[0] = intern(r, country ? country : "", &oom);
        tx[1] = intern(r, org, &oom);
        tx[2] = intern(r, recipient, &oom);
        tx[3] = recipient ? intern(r, f->recipient_category, &oom) : NULL;
        tx[4] = intern(r, host, &oom);
        tx[5] = intern(r, domain, &oom);
        int kept = em && !oom;
        for (int i = 0; i < 6; i++)
            kept &= tx[i] != &dt_str_refused;
        if (kept) {
            memcpy(em->texts, tx, sizeof tx);
            em->have_texts = 1;
        }
    }
    const dt_str *country_s = tx[0], *org_s = tx[1], *recipient_s = tx[2], *rcat_s = tx[3];
    const dt_str *host_s = tx[4], *domain_s = tx[5];
    if (n_names && recipient) { /* a name that is an address names no recipient */
        int ident = f->recipient_identified;
        uint64_t *c[] = {r->named, ident ? r->identified : NULL};
        for (int i = 0; i < 2 && c[i]; i++) {
            c[i][0]++;
            c[i][1] += up;
            c[i][2] += down;
        }
    }
    const dt_str *ccode_s = country ? country_s : NULL; /* "" is no country */

    /* endpoint (a serial's server address is its key: no text read again) */
    int created = 0;
    dt_tally_key ek;
    dt_tally_item *it = em ? memo_row(&r->endpoints, em->rows[M_ENDPOINT]) : NULL;
    if (it) {
        ek = it->key;
    } else if (ip && addr_key(r, ip, &ek) == 0) {
        it = dt_tally_get(&r->endpoints, b, DT_TK_ADDR, &ek, &created);
        if (em)
            em->rows[M_ENDPOINT] = it ? (uint32_t)(it - r->endpoints.v) + 1 : 0;
    }
    endpoint_ext *ep = dt_tally_ext(it, created, sizeof *ep, b);
    if (it && ep) {
        it->up += up;
        it->down += down;
        it->flows++;
        oom |= set_str(&ep->country, ccode_s, country, r) | set_str(&ep->org, org_s, org, r) |
               set_str(&ep->host, host_s, host, r);
        if (registered && !ep->registered)
            oom |= set_str(&ep->registered, intern(r, registered, &oom), registered, r);
        if (recipient && !ep->recipient) {
            oom |= set_str(&ep->recipient, recipient_s, recipient, r) |
                   set_str(&ep->recipient_category, rcat_s, f->recipient_category, r);
            ep->recipient_identified = f->recipient_identified;
        }
        set_transfer(&ep->transfer, transfer);
        if (have_asn && !ep->have_asn) {
            ep->asn = asn;
            ep->have_asn = 1;
        }
        for (int i = 0; i < n_names; i++)
            dt_tally_add(&ep->names, b, name_s[i], up, down, names[i].seen);
        dt_tally_add_num(&ep->ports, b, rport, up, down);
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
    dt_tally_key ck = {.s = country_s};
    it = memo_get(&r->countries, b, DT_TK_STR, &ck, M(M_COUNTRY), &created);
    country_ext *ce = dt_tally_ext(it, created, sizeof *ce, b);
    if (it && ce) {
        it->up += up;
        it->down += down;
        it->flows++;
        set_transfer(&ce->transfer, transfer);
        dt_tally_add(&ce->orgs, b, org_s, up, down, 0);
        dt_tally_add(&ce->domains, b, domain_s, up, down, 0);
        if (ip)
            dt_tally_count(memo_get(&ce->endpoints, b, DT_TK_ADDR, &ek, M(M_COUNTRY_EP), NULL), up,
                           down, 0);
    }

    if (have_asn) {
        dt_tally_key ak = {.num = f->asn};
        it = memo_get(&r->orgs, b, DT_TK_NUM, &ak, M(M_ORG), &created);
        org_ext *oe = dt_tally_ext(it, created, sizeof *oe, b);
        if (it && oe) {
            it->up += up;
            it->down += down;
            it->flows++;
            oe->asn = asn;
            oom |= set_str(&oe->org, org_s, org, r);
            dt_tally_add(&oe->countries, b, ccode_s, up, down, 0);
            if (ip)
                dt_tally_count(memo_get(&oe->endpoints, b, DT_TK_ADDR, &ek, M(M_ORG_EP), NULL), up,
                               down, 0);
        }
    }

    if (recipient) {
        it = dt_tally_get_str(&r->companies, b, recipient_s, &created);
        company_ext *ke = dt_tally_ext(it, created, sizeof *ke, b);
        if (it && ke) {
            dt_tally_count(it, up, down, 0);
            if (rsrc)
                it->mask |= !strcmp(rsrc, "domain")         ? SRC_DOMAIN
                            : !strcmp(rsrc, "cert")         ? SRC_CERT
                            : !strcmp(rsrc, "unidentified") ? SRC_UNIDENTIFIED
                                                            : 0;
            ke->identified |= f->recipient_identified;
            oom |= set_str(&ke->category, rcat_s, f->recipient_category, r);
            dt_tally_add(&ke->countries, b, ccode_s, up, down, 0);
            dt_tally_add(&ke->domains, b, domain_s, up, down, 0);
        }
    }

    if (host) {
        it = dt_tally_get_str(&r->hosts, b, host_s, &created);
        host_ext *he = dt_tally_ext(it, created, sizeof *he, b);
        if (it && he) {
            dt_tally_count(it, up, down, 0);
            if (!he->category && f->host_category)
                oom |=
                    set_str(&he->category, intern(r, f->host_category, &oom), f->host_category, r);
            if (have_asn)
                dt_tally_add_num(&he->asns, b, f->asn, up, down);
            dt_tally_add(&he->countries, b, ccode_s, up, down, 0);
            dt_tally_add(&he->recipients, b, recipient_s, up, down, 0);
        }
    }

    if (domain) {
        it = dt_tally_get_str(&r->domains, b, domain_s, &created);
        domain_ext *de = dt_tally_ext(it, created, sizeof *de, b);
        if (it && de) {
            it->up += up;
            it->down += down;
            it->flows++;
            dt_tally_add(&de->recipients, b, recipient_s, up, down, 0);
            dt_tally_add(&de->countries, b, ccode_s, up, down, 0);
            for (int i = 0; i < n_names; i++)
                if (under_domain(names[i].name, domain))
                    dt_tally_add(&de->names, b, name_s[i], up, down, names[i].seen);
        }
    }

    if (cr == DT_CRYPTO_PLAINTEXT) {
        char key[DT_TALLY_KEY_MAX + 64];
        const char *dest = n_names ? names[0].name : ip ? ip : "";
        const char *app = f->app ? f->app : "unknown";
        int port = (int)(rport & 0xffff);
        plain_key(key, sizeof key, dest, port, f->app ? f->app : "");
        it = dt_tally_get_str(&r->plain, b, intern(r, key, &oom), &created);
        plain_ext *pe = dt_tally_ext(it, created, sizeof *pe, b);
        if (it && pe) {
            it->up += up;
            it->down += down;
            it->flows++;
            pe->port = port;
            oom |= set_str(&pe->dest, &dt_str_refused, dest, r) |
                   set_str(&pe->app, &dt_str_refused, app, r);
        }
    }
    oom |= device_add(r, f, 0, recipient_s, ccode_s, up, down) != 0;
    oom |= process_add(r, f, ccode_s, up, down) != 0;
    return oom ? -1 : 0;
#undef M
}

/* ---- merging ---- */

static int device_merge(dt_tally_item *d, int created, const void *p, dt_budget *b, dt_pool *pool)
{
    const device_ext *s = p;
    device_ext *e = dt_tally_ext(d, created, sizeof *e, b);
    if (!e)
        return -1;
    e->local_flows += s->local_flows;
    return merge_str(&e->mac, s->mac, pool, b) |
           dt_tally_merge(&e->addresses, b, pool, &s->addresses, NULL) |
           dt_tally_merge(&e->recipients, b, pool, &s->recipients, NULL) |
           dt_tally_merge(&e->countries, b, pool, &s->countries, NULL) |
           dt_tally_merge(&e->names, b, pool, &s->names, NULL) |
           dt_tally_merge(&e->vendor_classes, b, pool, &s->vendor_classes, NULL);
}

static int process_merge(dt_tally_item *d, int created, const void *p, dt_budget *b, dt_pool *pool)
{
    const process_ext *s = p;
    process_ext *e = dt_tally_ext(d, created, sizeof *e, b);
    if (!e)
        return -1;
    return dt_tally_merge(&e->pids, b, pool, &s->pids, NULL) |
           dt_tally_merge(&e->uids, b, pool, &s->uids, NULL) |
           dt_tally_merge(&e->countries, b, pool, &s->countries, NULL);
}

static int country_merge(dt_tally_item *d, int created, const void *p, dt_budget *b, dt_pool *pool)
{
    const country_ext *s = p;
    country_ext *e = dt_tally_ext(d, created, sizeof *e, b);
    if (!e)
        return -1;
    set_transfer(&e->transfer, s->transfer - 1);
    return dt_tally_merge(&e->orgs, b, pool, &s->orgs, NULL) |
           dt_tally_merge(&e->domains, b, pool, &s->domains, NULL) |
           dt_tally_merge(&e->endpoints, b, pool, &s->endpoints, NULL);
}

static int org_merge(dt_tally_item *d, int created, const void *p, dt_budget *b, dt_pool *pool)
{
    const org_ext *s = p;
    org_ext *e = dt_tally_ext(d, created, sizeof *e, b);
    if (!e)
        return -1;
    e->asn = s->asn;
    return merge_str(&e->org, s->org, pool, b) |
           dt_tally_merge(&e->countries, b, pool, &s->countries, NULL) |
           dt_tally_merge(&e->endpoints, b, pool, &s->endpoints, NULL);
}

static int company_merge(dt_tally_item *d, int created, const void *p, dt_budget *b, dt_pool *pool)
{
    const company_ext *s = p;
    company_ext *e = dt_tally_ext(d, created, sizeof *e, b);
    if (!e)
        return -1;
    e->identified |= s->identified;
    return merge_str(&e->category, s->category, pool, b) |
           dt_tally_merge(&e->countries, b, pool, &s->countries, NULL) |
           dt_tally_merge(&e->domains, b, pool, &s->domains, NULL);
}

static int host_merge(dt_tally_item *d, int created, const void *p, dt_budget *b, dt_pool *pool)
{
    const host_ext *s = p;
    host_ext *e = dt_tally_ext(d, created, sizeof *e, b);
    if (!e)
        return -1;
    return merge_str(&e->category, s->category, pool, b) |
           dt_tally_merge(&e->asns, b, pool, &s->asns, NULL) |
           dt_tally_merge(&e->countries, b, pool, &s->countries, NULL) |
           dt_tally_merge(&e->recipients, b, pool, &s->recipients, NULL);
}

static int domain_merge(dt_tally_item *d, int created, const void *p, dt_budget *b, dt_pool *pool)
{
    const domain_ext *s = p;
    domain_ext *e = dt_tally_ext(d, created, sizeof *e, b);
    if (!e)
        return -1;
    return dt_tally_merge(&e->names, b, pool, &s->names, NULL) |
           dt_tally_merge(&e->countries, b, pool, &s->countries, NULL) |
           dt_tally_merge(&e->recipients, b, pool, &s->recipients, NULL);
}

static int endpoint_merge(dt_tally_item *d, int created, const void *p, dt_budget *b, dt_pool *pool)
{
    const endpoint_ext *s = p;
    endpoint_ext *e = dt_tally_ext(d, created, sizeof *e, b);
    if (!e)
        return -1;
    int oom = merge_str(&e->country, s->country, pool, b) | merge_str(&e->org, s->org, pool, b) |
              merge_str(&e->host, s->host, pool, b) |
              merge_str(&e->registered, s->registered, pool, b);
    if (!e->recipient && s->recipient) {
        oom |= merge_str(&e->recipient, s->recipient, pool, b) |
               merge_str(&e->recipient_category, s->recipient_category, pool, b);
        e->recipient_identified = s->recipient_identified;
    }
    set_transfer(&e->transfer, s->transfer - 1);
    if (s->have_asn && !e->have_asn) {
        e->asn = s->asn;
        e->have_asn = 1;
    }
    oom |= dt_tally_merge(&e->names, b, pool, &s->names, NULL) |
           dt_tally_merge(&e->ports, b, pool, &s->ports, NULL);
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

static int plain_merge(dt_tally_item *d, int created, const void *p, dt_budget *b, dt_pool *pool)
{
    const plain_ext *s = p;
    plain_ext *e = dt_tally_ext(d, created, sizeof *e, b);
    if (!e)
        return -1;
    e->port = s->port;
    return merge_str(&e->dest, s->dest, pool, b) | merge_str(&e->app, s->app, pool, b);
}

int dt_rollup_merge(dt_rollup *d, const dt_rollup *s)
{
    if (!d || !s)
        return 0;
    dt_budget *b = &d->mem;
    dt_pool *p = &d->pool;
    b->refused += s->mem.refused;
    d->up += s->up;
    d->down += s->down;
    d->flows += s->flows;
    d->local_flows += s->local_flows;
    for (int i = 0; i < DT_CRYPTO_COUNT; i++)
        for (int j = 0; j < 3; j++)
            d->enc[i][j] += s->enc[i][j];
    for (int i = 0; i < DT_RU_TR_COUNT; i++)
        for (int j = 0; j < 3; j++)
            d->transfers[i][j] += s->transfers[i][j];
    for (int j = 0; j < 3; j++) {
        d->named[j] += s->named[j];
        d->identified[j] += s->identified[j];
        d->disagree[j] += s->disagree[j];
        d->unknown_dir[j] += s->unknown_dir[j];
    }
    if (s->ts_digits > d->ts_digits)
        d->ts_digits = s->ts_digits;
    int oom = dt_tally_merge(&d->names, b, p, &s->names, NULL) |
              dt_tally_merge(&d->endpoints, b, p, &s->endpoints, endpoint_merge) |
              dt_tally_merge(&d->countries, b, p, &s->countries, country_merge) |
              dt_tally_merge(&d->orgs, b, p, &s->orgs, org_merge) |
              dt_tally_merge(&d->companies, b, p, &s->companies, company_merge) |
              dt_tally_merge(&d->hosts, b, p, &s->hosts, host_merge) |
              dt_tally_merge(&d->domains, b, p, &s->domains, domain_merge) |
              dt_tally_merge(&d->plain, b, p, &s->plain, plain_merge) |
              dt_tally_merge(&d->devices, b, p, &s->devices, device_merge) |
              dt_tally_merge(&d->processes, b, p, &s->processes, process_merge);
    return oom ? -1 : 0;
}

/* ---- rows: the tables in report order ---- */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* v ascending (n values; tmp has room for n): by insertion when short, else
 * by bytes from the lowest (a byte the same in every value is skipped).  Also
 * sorts non-negative doubles given as their bits (they order alike). */
static void sort_u64(uint64_t *v, uint64_t *tmp, size_t n)
{
    size_t(*cnt)[256] = n < 48 ? NULL : calloc(8, sizeof *cnt);
    if (!cnt) { /* short (or out of memory: slower, still right): each value
                 * after the last one not above it, found by halving */
        for (size_t i = 1; i < n; i++) {
            uint64_t x = v[i];
            size_t lo = 0, hi = i;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (v[mid] <= x)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            memmove(v + lo + 1, v + lo, (i - lo) * sizeof *v);
            v[lo] = x;
        }
        return;
    }
    for (size_t i = 0; i < n; i++)
        for (int b = 0; b < 8; b++)
            cnt[b][v[i] >> (8 * b) & 255]++;
    uint64_t *src = v, *dst = tmp;
    for (int b = 0; b < 8; b++) {
        size_t *c = cnt[b];
        if (c[src[0] >> (8 * b) & 255] == n)
            continue;
        size_t pos = 0;
        for (int k = 0; k < 256; k++) {
            size_t m = c[k];
            c[k] = pos;
            pos += m;
        }
        for (size_t i = 0; i < n; i++)
            dst[c[src[i] >> (8 * b) & 255]++] = src[i];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != v)
        memcpy(v, src, n * sizeof *v);
    free(cnt);
}

static double bits_dbl(uint64_t b)
{
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

static uint64_t dbl_bits(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}

/* seconds, rounded to microseconds */
static double secs(double ns)
{
    return (double)(int64_t)((ns + 500.0) / 1000.0) / 1e6;
}

/* Moves the k-th smallest of v (n values) to v[k], the smaller ones before it and the
 * others after: Hoare partitions around a median of three; when they keep failing
 * to halve the range (crafted times), the rest is sorted (tmp has room for n). */
static void select_u64(uint64_t *v, uint64_t *tmp, size_t n, size_t k)
{
    size_t lo = 0, hi = n, rounds = 0;
    while (hi - lo > 16) {
        if (++rounds > 64) {
            sort_u64(v + lo, tmp, hi - lo);
            return;
        }
        uint64_t a = v[lo], b = v[lo + (hi - lo) / 2], c = v[hi - 1];
        uint64_t piv = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
        size_t i = lo, j = hi - 1;
        for (;;) {
            while (v[i] < piv)
                i++;
            while (v[j] > piv)
                j--;
            if (i >= j)
                break;
            uint64_t t = v[i];
            v[i++] = v[j];
            v[j--] = t;
        }
        /* [lo, j] <= piv <= [j + 1, hi) */
        if (k <= j)
            hi = j + 1;
        else
            lo = j + 1;
    }
    sort_u64(v + lo, tmp, hi - lo);
}

/* The median of n (>= 1) non-negative doubles given as bits, as of them sorted;
 * reorders v. */
static double median_of(uint64_t *v, uint64_t *tmp, size_t n)
{
    size_t k = n / 2;
    select_u64(v, tmp, n, k);
    if (n % 2)
        return bits_dbl(v[k]);
    uint64_t below = v[0]; /* the (k-1)-th: the largest before v[k] */
    for (size_t i = 1; i < k; i++)
        below = v[i] > below ? v[i] : below;
    return (bits_dbl(below) + bits_dbl(v[k])) / 2;
}

static void rhythm(const endpoint_ext *e, uint64_t connections, dt_ru_rhythm *out)
{
    memset(out, 0, sizeof *out);
    out->connections = connections;
    size_t n = e->n_starts;
    if (n < 2)
        return;
    /* the start times sorted, then the intervals and their deviations (doubles
     * >= 0, as bits): only their medians, least and largest are wanted */
    uint64_t *st = malloc(3 * n * sizeof *st);
    if (st) {
        uint64_t *iv = st + n, *tmp = iv + n;
        memcpy(st, e->starts, n * sizeof *st);
        sort_u64(st, tmp, n);
        uint64_t lo = UINT64_MAX, hi = 0;
        for (size_t i = 0; i + 1 < n; i++) {
            iv[i] = dbl_bits((double)(st[i + 1] - st[i]));
            lo = iv[i] < lo ? iv[i] : lo;
            hi = iv[i] > hi ? iv[i] : hi;
        }
        double med = median_of(iv, tmp, n - 1);
        uint64_t *dev = st; /* the start times are done with */
        for (size_t i = 0; i + 1 < n; i++) {
            double x = bits_dbl(iv[i]);
            dev[i] = dbl_bits(x > med ? x - med : med - x);
        }
        out->have_intervals = 1;
        out->median_s = secs(med);
        out->mad_s = secs(median_of(dev, tmp, n - 1));
        out->min_s = secs(bits_dbl(lo));
        out->max_s = secs(bits_dbl(hi));
    }
    free(st);
}

/* The entries of t by bytes_up (at most max, 0 = all), empty keys left out
 * unless with_empty. */
static int keys_of(const dt_tally *t, size_t max, int with_empty, dt_ru_keys *out)
{
    memset(out, 0, sizeof *out);
    if (!t->n)
        return 0;
    dt_tally_row *s = dt_tally_sorted(t);
    dt_ru_key *v = malloc(t->n * sizeof *v);
    if (!s || !v) {
        free(s);
        free(v);
        return -1;
    }
    size_t n = 0;
    for (size_t i = 0; i < t->n && (!max || i < max); i++)
        if (with_empty || s[i].key[0]) {
            v[n].key = s[i].key;
            v[n].bytes_up = s[i].up;
            v[n++].mask = s[i].it->mask;
        }
    free(s);
    out->v = v;
    out->n = n;
    return 0;
}

static int cmp_port(const void *a, const void *b)
{
    return cmp_u64(a, b);
}

static const char *str_of(const dt_str *s)
{
    return s ? s->s : NULL;
}

static dt_ru_counts counts_of(const dt_tally_item *it)
{
    dt_ru_counts c = {it->up, it->down, it->flows};
    return c;
}

static const char *const table_names[] = {
    "countries", "organizations",          "companies", "hosting",  "domains",
    "endpoints", "plaintext_destinations", "devices",   "processes"};

static const dt_tally *table_of(const dt_rollup *r, dt_ru_table t)
{
    switch (t) {
    case DT_RU_COUNTRIES:
        return &r->countries;
    case DT_RU_ORGS:
        return &r->orgs;
    case DT_RU_COMPANIES:
        return &r->companies;
    case DT_RU_HOSTING:
        return &r->hosts;
    case DT_RU_DOMAINS:
        return &r->domains;
    case DT_RU_ENDPOINTS:
        return &r->endpoints;
    case DT_RU_DEVICES:
        return &r->devices;
    case DT_RU_PROCESSES:
        return &r->processes;
    default:
        return &r->plain;
    }
}

const char *dt_rollup_table_name(dt_ru_table t)
{
    return (unsigned)t < sizeof table_names / sizeof table_names[0] ? table_names[t] : NULL;
}

/* The numbers of a tally of numbers, ascending (caller frees; NULL when out of memory). */
static uint64_t *nums_of(const dt_tally *t)
{
    uint64_t *v = malloc((t->n ? t->n : 1) * sizeof *v);
    if (!v)
        return NULL;
    for (size_t j = 0; j < t->n; j++)
        v[j] = t->v[j].key.num;
    qsort(v, t->n, sizeof *v, cmp_port);
    return v;
}

/* The key of t with the most upload bytes (ties: the first by key), or NULL. */
static const char *top_key(const dt_tally *t, int *oom)
{
    if (!t->n)
        return NULL;
    dt_tally_row *s = dt_tally_sorted(t);
    if (!s) {
        *oom = 1;
        return NULL;
    }
    const char *k = s[0].key;
    free(s);
    return k;
}

/* Calls fn with the row of it (its lists allocated for the call); vendor is
 * the first party (NULL: none). */
static int row_call(const dt_rollup *r, dt_ru_table t, const dt_tally_row *sr, dt_ru_fn fn,
                    void *ctx, const char *vendor)
{
    const dt_tally_item *it = sr->it;
    int rc = -1, ok = 0;
    switch (t) {
    case DT_RU_COUNTRIES: {
        const country_ext *e = it->ext;
        dt_ru_country row = {sr->key,
                             sr->key[0] ? dt_geo_country_name(sr->key) : NULL,
                             transfer_text(e->transfer),
                             sr->key[0] ? dt_geo_adequacy_note(sr->key) : NULL,
                             counts_of(it),
                             e->endpoints.n,
                             {0},
                             {0}};
        ok = keys_of(&e->orgs, DT_ROLLUP_TOP, 1, &row.top_organizations) == 0;
        /* run even when the first failed: both lists are freed below */
        if (keys_of(&e->domains, DT_ROLLUP_TOP, 1, &row.top_domains) != 0)
            ok = 0;
        if (ok)
            rc = fn(ctx, &row);
        free((void *)row.top_organizations.v);
        free((void *)row.top_domains.v);
        break;
    }
    case DT_RU_ORGS: {
        const org_ext *e = it->ext;
        dt_ru_org row = {(uint64_t)e->asn, str_of(e->org), {0}, counts_of(it), e->endpoints.n};
        if (keys_of(&e->countries, 0, 0, &row.countries) == 0)
            rc = fn(ctx, &row);
        free((void *)row.countries.v);
        break;
    }
    case DT_RU_COMPANIES: {
        const company_ext *e = it->ext;
        dt_ru_company row = {sr->key, e->identified, it->mask,      str_of(e->category),
                             NULL,    {0},           counts_of(it), {0}};
        row.party = dt_party_of(sr->key, e->identified, row.category, vendor);
        ok = keys_of(&e->countries, 0, 0, &row.countries) == 0;
        /* run even when the first failed: both lists are freed below */
        if (keys_of(&e->domains, 0, 0, &row.domains) != 0)
            ok = 0;
        if (ok)
            rc = fn(ctx, &row);
        free((void *)row.countries.v);
        free((void *)row.domains.v);
        break;
    }
    case DT_RU_DOMAINS: {
        const domain_ext *e = it->ext;
        int oom = 0;
        dt_ru_domain row = {sr->key, {0}, top_key(&e->recipients, &oom), {0}, counts_of(it)};
        ok = !oom && keys_of(&e->names, 0, 1, &row.names) == 0;
        /* run even when the first failed: both lists are freed below */
        if (keys_of(&e->countries, 0, 0, &row.countries) != 0)
            ok = 0;
        if (ok)
            rc = fn(ctx, &row);
        free((void *)row.names.v);
        free((void *)row.countries.v);
        break;
    }
    case DT_RU_DEVICES: {
        const device_ext *e = it->ext;
        dt_ru_device row = {sr->key, str_of(e->mac), {0},           {0}, {0}, {0},
                            {0},     counts_of(it),  e->local_flows};
        ok = keys_of(&e->addresses, 0, 0, &row.addresses) == 0;
        /* run even when one failed: the lists are freed below */
        if (keys_of(&e->recipients, DT_ROLLUP_TOP, 0, &row.recipients) != 0 ||
            keys_of(&e->countries, 0, 0, &row.countries) != 0 ||
            keys_of(&e->names, 0, 0, &row.names) != 0 ||
            keys_of(&e->vendor_classes, 0, 0, &row.vendor_classes) != 0)
            ok = 0;
        if (ok)
            rc = fn(ctx, &row);
        free((void *)row.addresses.v);
        free((void *)row.recipients.v);
        free((void *)row.countries.v);
        free((void *)row.names.v);
        free((void *)row.vendor_classes.v);
        break;
    }
    case DT_RU_PROCESSES: {
        const process_ext *e = it->ext;
        dt_ru_process row = {sr->key,   nums_of(&e->pids), nums_of(&e->uids), e->pids.n,
                             e->uids.n, counts_of(it),     {NULL, 0}};
        ok = row.pids && row.uids && keys_of(&e->countries, 0, 0, &row.countries) == 0;
        if (ok)
            rc = fn(ctx, &row);
        free((void *)row.pids);
        free((void *)row.uids);
        free((void *)row.countries.v);
        break;
    }
    case DT_RU_HOSTING: {
        const host_ext *e = it->ext;
        dt_ru_host row = {
            sr->key, str_of(e->category), nums_of(&e->asns), e->asns.n, {0}, counts_of(it), {0}};
        ok = row.asns && keys_of(&e->countries, 0, 0, &row.countries) == 0;
        /* run even when the first failed: the lists are freed below */
        if (keys_of(&e->recipients, 0, 0, &row.recipients) != 0)
            ok = 0;
        if (ok)
            rc = fn(ctx, &row);
        free((void *)row.asns);
        free((void *)row.countries.v);
        free((void *)row.recipients.v);
        break;
    }
    case DT_RU_ENDPOINTS: {
        const endpoint_ext *e = it->ext;
        dt_ru_endpoint row = {0};
        row.ip = sr->key;
        row.country = str_of(e->country);
        row.registered_country = str_of(e->registered);
        row.have_asn = e->have_asn;
        row.asn = (uint64_t)e->asn;
        row.org = str_of(e->org);
        row.recipient = str_of(e->recipient);
        row.party = dt_party_of(row.recipient, e->recipient_identified,
                                str_of(e->recipient_category), vendor);
        row.host = str_of(e->host);
        row.transfer = transfer_text(e->transfer);
        row.c = counts_of(it);
        row.have_time = e->have_time;
        row.first_ns = e->first;
        row.last_ns = e->last;
        row.ts_digits = r->ts_digits;
        rhythm(e, it->flows, &row.rhythm);
        row.starts = e->starts;
        row.n_starts = e->n_starts;
        uint64_t *ports = nums_of(&e->ports);
        if (ports && keys_of(&e->names, 0, 0, &row.names) == 0) {
            row.ports = ports;
            row.n_ports = e->ports.n;
            rc = fn(ctx, &row);
        }
        free(ports);
        free((void *)row.names.v);
        break;
    }
    default: {
        const plain_ext *e = it->ext;
        dt_ru_plain row = {e->dest ? e->dest->s : "", e->port, e->app ? e->app->s : "unknown",
                           counts_of(it)};
        rc = fn(ctx, &row);
    }
    }
    return rc;
}

int dt_rollup_each(const dt_rollup *r, dt_ru_table t, size_t max, dt_ru_fn fn, void *ctx)
{
    if (!r)
        return 0;
    const dt_tally *tb = table_of(r, t);
    dt_tally_row *s = dt_tally_sorted(tb);
    if (!s)
        return -1;
    int rc = 0;
    size_t done = 0;
    const char *vendor =
        t == DT_RU_COMPANIES || t == DT_RU_ENDPOINTS ? dt_rollup_vendor(r, NULL) : NULL;
    for (size_t i = 0; i < tb->n && rc == 0 && (!max || done < max); i++)
        if (s[i].it->ext) {
            rc = row_call(r, t, &s[i], fn, ctx, vendor);
            done++;
        }
    free(s);
    return rc;
}

size_t dt_rollup_rows(const dt_rollup *r, dt_ru_table t)
{
    if (!r)
        return 0;
    const dt_tally *tb = table_of(r, t);
    size_t n = 0;
    for (size_t i = 0; i < tb->n; i++)
        n += tb->v[i].ext != NULL;
    return n;
}

void dt_rollup_totals(const dt_rollup *r, dt_ru_totals *o)
{
    memset(o, 0, sizeof *o);
    if (!r)
        return;
    o->bytes_up = r->up;
    o->bytes_down = r->down;
    o->local_flows = r->local_flows;
    o->remote_addresses = r->endpoints.n;
    o->remote_names = r->names.n;
    o->domains = r->domains.n;
    for (size_t i = 0; i < r->countries.n; i++)
        o->countries += r->countries.v[i].key.s->len != 0;
    o->organizations = r->orgs.n;
    o->companies = r->companies.n;
    o->hosting_networks = r->hosts.n;
    o->named = (dt_ru_counts){r->named[1], r->named[2], r->named[0]};
    o->identified = (dt_ru_counts){r->identified[1], r->identified[2], r->identified[0]};
    o->disagreements = (dt_ru_counts){r->disagree[1], r->disagree[2], r->disagree[0]};
    o->direction_unknown = (dt_ru_counts){r->unknown_dir[1], r->unknown_dir[2], r->unknown_dir[0]};
    for (size_t i = 0; i < r->endpoints.n; i++) {
        const endpoint_ext *e = r->endpoints.v[i].ext;
        o->disagreeing_endpoints += e && e->country && e->registered && e->country != e->registered;
    }
    for (int k = 0; k < DT_CRYPTO_COUNT; k++) {
        o->encryption[k].flows = r->enc[k][0];
        o->encryption[k].up = r->enc[k][1];
        o->encryption[k].down = r->enc[k][2];
    }
    for (int k = 0; k < DT_RU_TR_COUNT; k++) {
        o->transfers[k].flows = r->transfers[k][0];
        o->transfers[k].up = r->transfers[k][1];
        o->transfers[k].down = r->transfers[k][2];
    }
    o->rollup_entries_dropped = r->mem.refused;
    const char *vendor = dt_rollup_vendor(r, NULL);
    for (size_t i = 0; i < r->companies.n; i++) {
        const dt_tally_item *it = &r->companies.v[i];
        const company_ext *e = it->ext;
        if (!e)
            continue;
        const char *p = dt_party_of(it->key.s->s, e->identified, str_of(e->category), vendor);
        int k = DT_RU_THIRD_PARTY; /* a car maker with no vendor known at all */
        for (int j = 0; p && j < DT_RU_PARTY_COUNT; j++)
            if (!strcmp(p, dt_ru_party_name((dt_ru_party)j)))
                k = j;
        o->parties[k].up += it->up;
        o->parties[k].down += it->down;
        o->parties[k].flows += it->flows;
        o->party_recipients[k]++;
    }
}

const char *dt_ru_party_name(dt_ru_party p)
{
    static const char *const names[] = {"first_party", "support_party", "third_party", "unknown"};
    return (unsigned)p < DT_RU_PARTY_COUNT ? names[p] : NULL;
}

const char *dt_ru_transfer_name(dt_ru_transfer t)
{
    return (unsigned)t < DT_RU_TR_COUNT ? transfer_names[t] : NULL;
}

const char *dt_crypto_name(dt_crypto c)
{
    static const char *const kinds[] = {"encrypted", "plaintext", "unknown"};
    return (unsigned)c < DT_CRYPTO_COUNT ? kinds[c] : NULL;
}

const char *dt_seen_name(int bit)
{
    return bit >= 0 && bit < (int)(sizeof seen_names / sizeof seen_names[0]) ? seen_names[bit]
                                                                             : NULL;
}

void dt_rollup_set_vendor(dt_rollup *r, const char *vendor)
{
    if (!r)
        return;
    size_t n = vendor ? strnlen(vendor, sizeof r->vendor - 1) : 0;
    memcpy(r->vendor, vendor ? vendor : "", n);
    r->vendor[n] = '\0';
}

const char *dt_rollup_vendor(const dt_rollup *r, int *inferred)
{
    if (inferred)
        *inferred = 0;
    if (!r)
        return NULL;
    if (r->vendor[0])
        return r->vendor;
    if (inferred)
        *inferred = 1;
    /* the identified car maker with the most flows (then upload, then name) */
    const dt_tally_item *best = NULL;
    for (size_t i = 0; i < r->companies.n; i++) {
        const dt_tally_item *it = &r->companies.v[i];
        const company_ext *e = it->ext;
        if (!e || !e->identified || !e->category || strcmp(e->category->s, "car_maker") != 0)
            continue;
        if (!best || it->flows > best->flows || (it->flows == best->flows && it->up > best->up) ||
            (it->flows == best->flows && it->up == best->up &&
             strcmp(it->key.s->s, best->key.s->s) < 0))
            best = it;
    }
    return best ? best->key.s->s : NULL;
}

const char *dt_source_name(int bit)
{
    return bit >= 0 && bit < 3 ? src_names[bit] : NULL;
}
