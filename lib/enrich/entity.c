/* Company attribution tables (see entity.h). */
#include "enrich/entity.h"

#include "util/jsonfile.h"
#include "util/hash.h"
#include "util/err.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ENTITY_FILE_MAX (64u << 20) /* refuse absurdly large entity files */
#define NAME_BUF 256                /* host names: 253 + dot + NUL */

/* ---- small helpers ---------------------------------------------------- */

static void copy_str(char *dst, size_t cap, const char *src)
{
    if (!cap)
        return;
    size_t i = 0;
    if (src) {
        for (; src[i] && i + 1 < cap; i++) {
            unsigned char c = (unsigned char)src[i];
            dst[i] = (char)(c < 0x20 || c == 0x7f ? '?' : c); /* no control characters */
        }
    }
    dst[i] = '\0';
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static void lower_copy(char *dst, size_t cap, const char *src)
{
    size_t i = 0;
    for (; src[i] && i + 1 < cap; i++)
        dst[i] = lower(src[i]);
    dst[i] = '\0';
}

static int ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (lower(*a) != lower(*b))
            return 0;
    return *a == *b;
}

/* Normalises a host name or domain: lowercase, no trailing dot, LDH/_ labels
 * of 1..63 characters.  Returns its length or -1. */
static int norm_name(const char *s, char *out, size_t cap)
{
    size_t n = strnlen(s, NAME_BUF);
    if (n > 0 && s[n - 1] == '.')
        n--;
    if (n == 0 || n > 253 || n + 1 > cap)
        return -1;
    size_t lab = 0;
    for (size_t i = 0; i < n; i++) {
        char c = lower(s[i]);
        if (c == '.') {
            if (!lab)
                return -1;
            lab = 0;
        } else {
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
                return -1;
            if (++lab > 63)
                return -1;
        }
        out[i] = c;
    }
    if (!lab)
        return -1;
    out[n] = '\0';
    return (int)n;
}

/* ---- name or ASN -> index hash map (open addressing) ------------------- */

/* A key is a string, or an ASN when key is NULL.  Empty slot: no key, ASN 0
 * (AS0 is reserved and refused on load). */
typedef struct map_ent {
    char *key;
    uint32_t asn, val;
} map_ent;

typedef struct kmap {
    map_ent *t;
    size_t cap, n; /* cap is a power of two */
} kmap;

static int ent_used(const map_ent *e)
{
    return e->key || e->asn;
}

/* The slot of a key in t: its entry, or the empty slot where it goes. */
static map_ent *map_slot(map_ent *t, size_t cap, const char *key, uint32_t asn)
{
    size_t i = (size_t)(key ? dt_hash_of_str(key) : dt_hash_of_u64(asn)) & (cap - 1);
    while (ent_used(&t[i]) && !(key ? t[i].key && strcmp(t[i].key, key) == 0 : t[i].asn == asn))
        i = (i + 1) & (cap - 1);
    return &t[i];
}

static long map_get(const kmap *m, const char *key, uint32_t asn)
{
    if (!m->cap || (!key && !asn))
        return -1;
    const map_ent *e = map_slot(m->t, m->cap, key, asn);
    return ent_used(e) ? (long)e->val : -1;
}

static int map_grow(kmap *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 64;
    map_ent *nt = calloc(ncap, sizeof *nt);
    if (!nt)
        return -1;
    for (size_t j = 0; j < m->cap; j++)
        if (ent_used(&m->t[j]))
            *map_slot(nt, ncap, m->t[j].key, m->t[j].asn) = m->t[j];
    free(m->t);
    m->t = nt;
    m->cap = ncap;
    return 0;
}

/* Inserts or overwrites (later wins). */
static int map_put(kmap *m, const char *key, uint32_t asn, uint32_t val)
{
    if ((!key && !asn) || ((m->n + 1) * 2 > m->cap && map_grow(m) < 0))
        return -1;
    map_ent *e = map_slot(m->t, m->cap, key, asn);
    if (!ent_used(e)) {
        if (key && !(e->key = strdup(key)))
            return -1;
        e->asn = key ? 0 : asn;
        m->n++;
    }
    e->val = val;
    return 0;
}

static void map_free(kmap *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->t[i].key);
    free(m->t);
    m->t = NULL;
    m->cap = m->n = 0;
}

/* ---- the table set ----------------------------------------------------- */

typedef struct org_pat {
    char *pat; /* lowercase */
    size_t len;
    uint32_t ent;
} org_pat;

struct dt_entities {
    dt_entity **ents;
    size_t n, cap;
    kmap by_name;   /* lowercase entity name -> index */
    kmap by_domain; /* normalised domain -> index */
    kmap by_asn;
    org_pat *pats; /* in load order: later entries win ties */
    size_t npats, cappats;
    int files; /* files loaded so far */
};

size_t dt_entities_count(const dt_entities *es)
{
    return es ? es->n : 0;
}

void dt_entities_free(dt_entities *es)
{
    if (!es)
        return;
    for (size_t i = 0; i < es->n; i++)
        free(es->ents[i]);
    free(es->ents);
    map_free(&es->by_name);
    map_free(&es->by_domain);
    map_free(&es->by_asn);
    for (size_t i = 0; i < es->npats; i++)
        free(es->pats[i].pat);
    free(es->pats);
    free(es);
}

static const char *const categories[] = {
    "car_maker", "car_supplier", "telematics", "connectivity", "cloud",       "cdn",
    "pki",       "time",         "platform",   "analytics",    "advertising", "crash_reporting",
    "maps",      "media",        "voice",      "data_broker",  "insurer",     "other"};
#define N_CATEGORIES (sizeof categories / sizeof categories[0])

static int valid_category(const char *s)
{
    for (size_t i = 0; i < N_CATEGORIES; i++)
        if (strcmp(s, categories[i]) == 0)
            return 1;
    return 0;
}

static int is_str_array(const cJSON *a)
{
    if (!cJSON_IsArray(a))
        return 0;
    const cJSON *x;
    cJSON_ArrayForEach(x, a)
    {
        if (!cJSON_IsString(x) || !x->valuestring)
            return 0;
    }
    return 1;
}

/* Checks one entity object; returns NULL if fine, else the reason. */
static const char *check_entity(const cJSON *o, char *why, size_t wl)
{
    if (!cJSON_IsObject(o))
        return "not an object";
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "name");
    if (!cJSON_IsString(name) || !name->valuestring || !name->valuestring[0])
        return "missing or empty \"name\"";
    if (strlen(name->valuestring) >= DT_ENTITY_NAME_MAX)
        return "\"name\" too long";
    const cJSON *x;
    cJSON_ArrayForEach(x, o)
    {
        const char *k = x->string ? x->string : "";
        if (strcmp(k, "name") == 0)
            continue;
        if (strcmp(k, "legal_name") == 0) {
            if (!cJSON_IsString(x) || strlen(x->valuestring) >= DT_ENTITY_LEGAL_MAX)
                return "\"legal_name\" must be a string shorter than 160 bytes";
        } else if (strcmp(k, "country") == 0) {
            const char *c = cJSON_IsString(x) ? x->valuestring : NULL;
            if (!c || !(strlen(c) == 0 ||
                        (strlen(c) == 2 && ((c[0] | 32) >= 'a') && ((c[0] | 32) <= 'z') &&
                         ((c[1] | 32) >= 'a') && ((c[1] | 32) <= 'z'))))
                return "\"country\" must be an ISO 3166-1 alpha-2 code";
        } else if (strcmp(k, "category") == 0) {
            if (!cJSON_IsString(x) || !valid_category(x->valuestring)) {
                size_t o = (size_t)snprintf(why, wl, "\"category\" must be one of");
                for (size_t c = 0; c < N_CATEGORIES && o < wl; c++)
                    o += (size_t)snprintf(why + o, wl - o, "%s %s", c ? "," : "", categories[c]);
                return why;
            }
        } else if (strcmp(k, "domains") == 0) {
            if (!is_str_array(x))
                return "\"domains\" must be an array of strings";
            const cJSON *d;
            cJSON_ArrayForEach(d, x)
            {
                char buf[NAME_BUF];
                const char *s = d->valuestring;
                if (strncmp(s, "*.", 2) == 0)
                    s += 2;
                if (norm_name(s, buf, sizeof buf) < 0) {
                    dt_set_err(why, wl, "invalid domain \"%.80s\"", d->valuestring);
                    return why;
                }
            }
        } else if (strcmp(k, "asn_orgs") == 0) {
            if (!is_str_array(x))
                return "\"asn_orgs\" must be an array of strings";
            const cJSON *d;
            cJSON_ArrayForEach(d, x)
            {
                size_t l = strlen(d->valuestring);
                if (l < 2 || l > 200)
                    return "\"asn_orgs\" entries must be 2..200 bytes long";
            }
        } else if (strcmp(k, "asns") == 0) {
            if (!cJSON_IsArray(x))
                return "\"asns\" must be an array of numbers";
            const cJSON *d;
            cJSON_ArrayForEach(d, x)
            {
                if (!cJSON_IsNumber(d) || d->valuedouble < 1 || d->valuedouble > 4294967295.0 ||
                    d->valuedouble != (double)(uint32_t)d->valuedouble)
                    return "\"asns\" entries must be integers 1..4294967295";
            }
        } else if (strcmp(k, "sources") == 0) {
            if (!is_str_array(x))
                return "\"sources\" must be an array of strings";
        } else if (strcmp(k, "note") == 0 || strcmp(k, "comment") == 0 || k[0] == '_') {
            continue;
        } else {
            dt_set_err(why, wl, "unknown key \"%.60s\"", k);
            return why;
        }
    }
    return NULL;
}

static int add_entity(dt_entities *es, const cJSON *o)
{
    const char *name = cJSON_GetObjectItemCaseSensitive(o, "name")->valuestring;
    char key[DT_ENTITY_NAME_MAX];
    lower_copy(key, sizeof key, name);
    long idx = map_get(&es->by_name, key, 0);
    dt_entity *e;
    if (idx < 0) {
        if (es->n == es->cap) {
            size_t nc = es->cap ? es->cap * 2 : 64;
            dt_entity **ne = realloc(es->ents, nc * sizeof *ne);
            if (!ne)
                return -1;
            es->ents = ne;
            es->cap = nc;
        }
        e = calloc(1, sizeof *e);
        if (!e)
            return -1;
        copy_str(e->name, sizeof e->name, name);
        copy_str(e->category, sizeof e->category, "other");
        idx = (long)es->n;
        es->ents[es->n++] = e;
        if (map_put(&es->by_name, key, 0, (uint32_t)idx) < 0)
            return -1;
    } else {
        e = es->ents[idx];
    }
    e->file = es->files;

    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, "legal_name");
    if (cJSON_IsString(x))
        copy_str(e->legal_name, sizeof e->legal_name, x->valuestring);
    x = cJSON_GetObjectItemCaseSensitive(o, "country");
    if (cJSON_IsString(x)) {
        copy_str(e->country, sizeof e->country, x->valuestring);
        for (char *p = e->country; *p; p++)
            *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
    }
    x = cJSON_GetObjectItemCaseSensitive(o, "category");
    if (cJSON_IsString(x))
        copy_str(e->category, sizeof e->category, x->valuestring);

    const cJSON *d;
    x = cJSON_GetObjectItemCaseSensitive(o, "domains");
    cJSON_ArrayForEach(d, x)
    {
        char buf[NAME_BUF];
        const char *s = d->valuestring;
        if (strncmp(s, "*.", 2) == 0)
            s += 2;
        if (norm_name(s, buf, sizeof buf) >= 0 &&
            map_put(&es->by_domain, buf, 0, (uint32_t)idx) < 0)
            return -1;
    }
    x = cJSON_GetObjectItemCaseSensitive(o, "asns");
    cJSON_ArrayForEach(d, x)
    {
        if (map_put(&es->by_asn, NULL, (uint32_t)d->valuedouble, (uint32_t)idx) < 0)
            return -1;
    }
    x = cJSON_GetObjectItemCaseSensitive(o, "asn_orgs");
    cJSON_ArrayForEach(d, x)
    {
        if (es->npats == es->cappats) {
            size_t nc = es->cappats ? es->cappats * 2 : 64;
            org_pat *np = realloc(es->pats, nc * sizeof *np);
            if (!np)
                return -1;
            es->pats = np;
            es->cappats = nc;
        }
        size_t l = strlen(d->valuestring);
        char *p = malloc(l + 1);
        if (!p)
            return -1;
        lower_copy(p, l + 1, d->valuestring);
        es->pats[es->npats].pat = p;
        es->pats[es->npats].len = l;
        es->pats[es->npats].ent = (uint32_t)idx;
        es->npats++;
    }
    return 0;
}

static int load_into(dt_entities *es, const char *path, char *err, size_t errlen)
{
    if (!path) {
        dt_set_err(err, errlen, "(null): no path");
        return -1;
    }
    cJSON *root = dt_json_load_file(path, ENTITY_FILE_MAX, err, errlen);
    if (!root)
        return -1;

    const cJSON *list = root;
    if (cJSON_IsObject(root))
        list = cJSON_GetObjectItemCaseSensitive(root, "entities");
    if (!cJSON_IsArray(list)) {
        dt_set_err(err, errlen, "%s: expected an object with an \"entities\" array", path);
        cJSON_Delete(root);
        return -1;
    }
    /* Validate everything first, so a bad file changes nothing. */
    const cJSON *o;
    size_t i = 0;
    cJSON_ArrayForEach(o, list)
    {
        char why[320];
        const char *r = check_entity(o, why, sizeof why);
        if (r) {
            const cJSON *nm =
                cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, "name") : NULL;
            dt_set_err(err, errlen, "%s: entities[%zu] \"%.60s\": %s", path, i,
                       cJSON_IsString(nm) ? nm->valuestring : "?", r);
            cJSON_Delete(root);
            return -1;
        }
        i++;
    }
    cJSON_ArrayForEach(o, list)
    {
        if (add_entity(es, o) < 0) {
            dt_set_err(err, errlen, "%s: out of memory", path);
            cJSON_Delete(root);
            return -1;
        }
    }
    es->files++;
    cJSON_Delete(root);
    return 0;
}

dt_entities *dt_entities_load(const char *path, char *err, size_t errlen)
{
    dt_entities *es = calloc(1, sizeof *es);
    if (!es) {
        dt_set_err(err, errlen, "out of memory");
        return NULL;
    }
    if (load_into(es, path, err, errlen) < 0) {
        dt_entities_free(es);
        return NULL;
    }
    return es;
}

int dt_entities_merge(dt_entities *es, const char *path, char *err, size_t errlen)
{
    if (!es) {
        dt_set_err(err, errlen, "no entity table");
        return -1;
    }
    return load_into(es, path, err, errlen);
}

/* ---- lookups ------------------------------------------------------------ */

/* The entity of the longest listed suffix of name; *suffix (may be NULL) is
 * set to that suffix in buf (NAME_BUF bytes). */
static const dt_entity *by_domain(const dt_entities *es, const char *name, char *buf,
                                  const char **suffix)
{
    if (!es || !name || norm_name(name, buf, NAME_BUF) < 0)
        return NULL;
    /* Try the whole name, then each shorter suffix: the first hit is the longest. */
    for (const char *p = buf; p;) {
        long idx = map_get(&es->by_domain, p, 0);
        if (idx >= 0) {
            if (suffix)
                *suffix = p;
            return es->ents[idx];
        }
        p = strchr(p, '.');
        if (p)
            p++;
    }
    return NULL;
}

const dt_entity *dt_entity_by_domain(const dt_entities *es, const char *name)
{
    char buf[NAME_BUF];
    return by_domain(es, name, buf, NULL);
}

const dt_entity *dt_entity_by_name(const dt_entities *es, const char *name)
{
    char key[DT_ENTITY_NAME_MAX];
    if (!es || !name || strlen(name) >= sizeof key)
        return NULL;
    lower_copy(key, sizeof key, name);
    long idx = map_get(&es->by_name, key, 0);
    return idx >= 0 ? es->ents[idx] : NULL;
}

/* The entity whose org pattern occurs in s (longest pattern, ties: later). */
static const dt_entity *by_pattern(const dt_entities *es, const char *s)
{
    char hay[512];
    lower_copy(hay, sizeof hay, s);
    const org_pat *best = NULL;
    for (size_t i = 0; i < es->npats; i++) {
        const org_pat *p = &es->pats[i];
        if ((!best || p->len >= best->len) && strstr(hay, p->pat))
            best = p;
    }
    return best ? es->ents[best->ent] : NULL;
}

const dt_entity *dt_entity_by_asn(const dt_entities *es, uint32_t asn, const char *asn_org)
{
    if (!es)
        return NULL;
    long idx = map_get(&es->by_asn, NULL, asn);
    if (idx >= 0)
        return es->ents[idx];
    if (asn_org && asn_org[0])
        return by_pattern(es, asn_org);
    return NULL;
}

const dt_entity *dt_entity_by_org(const dt_entities *es, const char *org)
{
    if (!es || !org || !org[0])
        return NULL;
    const dt_entity *legal = NULL;
    for (size_t i = 0; i < es->n; i++) {
        const dt_entity *e = es->ents[i];
        if (ieq(org, e->name))
            return e;
        if (e->legal_name[0] && ieq(org, e->legal_name) && (!legal || e->file > legal->file))
            legal = e;
    }
    return legal ? legal : by_pattern(es, org);
}

static void attribution_set(dt_attribution *out, const char *evidence, const char *name,
                            const char *matched, const dt_entity *e, int identified)
{
    copy_str(out->name, sizeof out->name, name);
    copy_str(out->matched, sizeof out->matched, matched);
    out->evidence = evidence;
    out->entity = e;
    out->identified = identified;
}

/* An address written as a name ("1.2.3.4", "[2001:db8::1]:8080", an HTTP Host):
 * it names no service. */
static int ip_literal(const char *name)
{
    char buf[64];
    size_t n = strnlen(name, sizeof buf);
    if (n == sizeof buf)
        return 0;
    memcpy(buf, name, n + 1);
    char *s = buf, *colon = strchr(buf, ':');
    if (buf[0] == '[') { /* [v6] or [v6]:port */
        char *end = strchr(buf, ']');
        if (!end)
            return 0;
        *end = '\0';
        s = buf + 1;
    } else if (colon && !strchr(colon + 1, ':')) { /* v4:port */
        *colon = '\0';
    }
    unsigned char a[16];
    return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

int dt_recipient_attribute(const dt_entities *es, const char *name, const char *domain,
                           const char *cert_subject_o, dt_attribution *out)
{
    if (!out)
        return 0;
    memset(out, 0, sizeof *out);
    out->evidence = "";
    if (name && ip_literal(name))
        name = NULL;
    char buf[NAME_BUF];
    const char *suffix = NULL;
    const dt_entity *e = name && name[0] ? by_domain(es, name, buf, &suffix) : NULL;
    if (e) {
        attribution_set(out, "domain", e->name, suffix, e, 1);
        return 1;
    }
    if (cert_subject_o && cert_subject_o[0]) {
        e = dt_entity_by_org(es, cert_subject_o);
        attribution_set(out, "cert", e ? e->name : cert_subject_o, cert_subject_o, e, 1);
        return 1;
    }
    if (name && name[0]) {
        if (norm_name(name, buf, sizeof buf) < 0)
            copy_str(buf, sizeof buf, name);
        attribution_set(out, "unidentified", domain && domain[0] ? domain : buf, buf, NULL, 0);
        return 1;
    }
    return 0;
}

int dt_host_attribute(const dt_entities *es, uint32_t asn, const char *asn_org, dt_attribution *out)
{
    if (!out)
        return 0;
    memset(out, 0, sizeof *out);
    out->evidence = "";
    if (!asn && !(asn_org && asn_org[0]))
        return 0;
    /* "AS15169 GOOGLE", "AS15169" or "GOOGLE", written in place (this runs
     * for every new endpoint, and snprintf costs more than the rest) */
    size_t len = 0;
    if (asn) {
        char digits[10];
        int nd = 0;
        for (uint32_t x = asn; x; x /= 10)
            digits[nd++] = (char)('0' + x % 10);
        out->matched[len++] = 'A';
        out->matched[len++] = 'S';
        while (nd)
            out->matched[len++] = digits[--nd];
        if (asn_org && asn_org[0])
            out->matched[len++] = ' ';
    }
    copy_str(out->matched + len, sizeof out->matched - len, asn_org);
    const dt_entity *e = dt_entity_by_asn(es, asn, asn_org);
    copy_str(out->name, sizeof out->name,
             e                       ? e->name
             : asn_org && asn_org[0] ? asn_org
                                     : out->matched);
    out->evidence = "asn";
    out->entity = e;
    out->identified = 1;
    return 1;
}

const char *dt_party_of(const char *name, int identified, const char *category, const char *vendor)
{
    static const char *const support[] = {"cloud",        "cdn",        "pki",         "time",
                                          "connectivity", "telematics", "car_supplier"};
    if (!name || !name[0])
        return NULL;
    if (vendor && vendor[0] && ieq(name, vendor))
        return "first_party";
    if (!identified)
        return "unknown";
    if (category)
        for (size_t i = 0; i < sizeof support / sizeof support[0]; i++)
            if (!strcmp(category, support[i]))
                return "support_party";
    if (category && !strcmp(category, "car_maker") && !(vendor && vendor[0]))
        return NULL;
    return "third_party";
}
