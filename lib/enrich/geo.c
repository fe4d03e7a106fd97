#include "enrich/geo.h"

#include <dirent.h>
#include <fnmatch.h>
#include <limits.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "enrich/enrich.h"
#include "enrich/ipclass.h"
#include "enrich/transfer.h"
#include "util/hash.h"
#include "util/err.h"

/* Country names come from data/countries.json, the table the enricher loads for
 * transfer classes: a handle uses the table its config names; otherwise, and for
 * dt_geo_country_name(), the one in dt_data_dir(), loaded once on first use. */
static pthread_once_t names_once = PTHREAD_ONCE_INIT;
static dt_countries *names_table; /* kept to the end of the process */

static char names_path[4096]; /* the file names_table was read from */

static void names_load(void)
{
    snprintf(names_path, sizeof names_path, "%s/countries.json", dt_data_dir());
    names_table = dt_countries_load(names_path, NULL, 0);
}

static const dt_countries *names(void)
{
    pthread_once(&names_once, names_load);
    return names_table;
}

const dt_countries *dt_geo_countries_of(const char *path)
{
    return names() && !strcmp(path, names_path) ? names_table : NULL;
}

const char *dt_geo_country_name(const char *cc)
{
    return dt_country_common_name(names(), cc);
}

const char *dt_geo_adequacy_note(const char *cc)
{
    const char *n = dt_country_adequacy_note(names(), cc);
    return n && n[0] ? n : NULL;
}

/* In lookup order: a location database names the country before the registry's does. */
enum { KIND_LOCATION, KIND_COUNTRY, KIND_CITY, KIND_ASN, KIND_OVERRIDE, NKINDS };
static const char *const kind_names[NKINDS] = {"location", "country", "city", "asn", "override"};

/* Features found by probing */
enum {
    F_COUNTRY_ISO = 1,  /* country.iso_code */
    F_COUNTRY_CODE = 2, /* country_code (ip-location-db) */
    F_REG_COUNTRY = 4,  /* registered_country.iso_code */
    F_CITY = 8,         /* city.names.en */
    F_ASN = 16,         /* autonomous_system_number */
};

#define REC_SLOTS 128 /* per database, direct-mapped (struct db_rec) */
struct db_rec;

typedef struct geo_db {
    MMDB_s mmdb;
    struct db_rec *recs; /* REC_SLOTS, NULL until used */
    int kind;
    int features;
    char path[PATH_MAX];
    char type[64];
    char schema[48];
    char build_date[32];
    char attribution[256];
} geo_db;

typedef struct cache_ent {
    dt_addr key;
    int8_t rc;
    dt_geo_result res;
} cache_ent;

struct dt_geo {
    geo_db db[NKINDS];
    int ndb;
    cache_ent **cache; /* cache_mask + 1, NULL until used: a run touches only what it fills */
    size_t cache_mask;
    uint64_t hits, misses;
    const dt_countries *countries; /* names; NULL: dt_geo_country_name() */
};

static void copy_str(char *dst, size_t len, const char *src, size_t n)
{
    if (!len)
        return;
    if (n >= len) {
        n = len - 1;
        /* Do not split a UTF-8 sequence: cut before its lead byte. */
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
    /* Keep output printable: control characters become '?'. */
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)dst[i] < 0x20 || dst[i] == 0x7f)
            dst[i] = '?';
}

static int get_str(MMDB_entry_s *e, char *out, size_t len, const char *const *path)
{
    MMDB_entry_data_s d;
    if (MMDB_aget_value(e, &d, path) != MMDB_SUCCESS || !d.has_data ||
        d.type != MMDB_DATA_TYPE_UTF8_STRING)
        return 0;
    copy_str(out, len, d.utf8_string, d.data_size);
    return out[0] != '\0';
}

static int get_uint(MMDB_entry_s *e, uint32_t *out, const char *const *path)
{
    MMDB_entry_data_s d;
    if (MMDB_aget_value(e, &d, path) != MMDB_SUCCESS || !d.has_data)
        return 0;
    switch (d.type) {
    case MMDB_DATA_TYPE_UINT16:
        *out = d.uint16;
        return 1;
    case MMDB_DATA_TYPE_UINT32:
        *out = d.uint32;
        return 1;
    case MMDB_DATA_TYPE_INT32:
        *out = d.int32 >= 0 ? (uint32_t)d.int32 : 0;
        return d.int32 >= 0;
    case MMDB_DATA_TYPE_UINT64:
        *out = d.uint64 <= 0xffffffffu ? (uint32_t)d.uint64 : 0;
        return d.uint64 <= 0xffffffffu;
    default:
        return 0;
    }
}

static const char *const P_COUNTRY_ISO[] = {"country", "iso_code", NULL};
static const char *const P_COUNTRY_NAME[] = {"country", "names", "en", NULL};
static const char *const P_COUNTRY_CODE[] = {"country_code", NULL};
static const char *const P_REG_ISO[] = {"registered_country", "iso_code", NULL};
static const char *const P_REG_NAME[] = {"registered_country", "names", "en", NULL};
static const char *const P_CITY[] = {"city", "names", "en", NULL};
static const char *const P_ASN[] = {"autonomous_system_number", NULL};
static const char *const P_ORG[] = {"autonomous_system_organization", NULL};

static int entry_features(MMDB_entry_s *e)
{
    char tmp[64];
    uint32_t u;
    int f = 0;
    if (get_str(e, tmp, sizeof tmp, P_COUNTRY_ISO))
        f |= F_COUNTRY_ISO;
    if (get_str(e, tmp, sizeof tmp, P_COUNTRY_CODE))
        f |= F_COUNTRY_CODE;
    if (get_str(e, tmp, sizeof tmp, P_REG_ISO))
        f |= F_REG_COUNTRY;
    if (get_str(e, tmp, sizeof tmp, P_CITY))
        f |= F_CITY;
    if (get_uint(e, &u, P_ASN))
        f |= F_ASN;
    return f;
}

static int db_lookup(geo_db *db, const dt_addr *a, MMDB_entry_s *entry)
{
    struct sockaddr_in s4;
    struct sockaddr_in6 s6;
    const struct sockaddr *sa;
    if (a->family == 4) {
        memset(&s4, 0, sizeof s4);
        s4.sin_family = AF_INET;
        memcpy(&s4.sin_addr, a->a, 4);
        sa = (const struct sockaddr *)&s4;
    } else {
        memset(&s6, 0, sizeof s6);
        s6.sin6_family = AF_INET6;
        memcpy(&s6.sin6_addr, a->a, 16);
        sa = (const struct sockaddr *)&s6;
    }
    int merr = MMDB_SUCCESS;
    MMDB_lookup_result_s r = MMDB_lookup_sockaddr(&db->mmdb, sa, &merr);
    if (merr != MMDB_SUCCESS || !r.found_entry)
        return 0;
    *entry = r.entry;
    return 1;
}

/* Well-known addresses of large networks, used to see which keys a database has. */
static const char *const probe_addrs[] = {
    "1.1.1.1",
    "8.8.8.8",
    "81.2.69.160",
    "1.12.36.7",
    "2.16.1.1",
    "5.5.5.5",
    "17.0.0.1",
    "23.1.1.1",
    "104.16.0.1",
    "142.250.1.1",
    "1.0.0.1",
    "89.160.20.112",
    "2001:4860:4860::8888",
    "2a00:1450::1",
    "2606:4700::1111",
    "2003::1",
    "2001:218::1",
    "216.160.83.56",
    "175.16.199.1",
    "212.47.235.81",
};

static void detect_schema(geo_db *db)
{
    int f = 0;
    for (size_t i = 0; i < sizeof probe_addrs / sizeof probe_addrs[0]; i++) {
        dt_addr a;
        MMDB_entry_s e;
        if (dt_addr_parse(probe_addrs[i], &a) == 0 && db_lookup(db, &a, &e))
            f |= entry_features(&e);
    }
    const char *t = db->type;
    if (!f) {
        /* Nothing found at the probes: go by database_type and try every key at lookup. */
        snprintf(db->schema, sizeof db->schema, "unknown");
        if (strstr(t, "ASN") || strstr(t, "asn"))
            snprintf(db->schema, sizeof db->schema, "asn (by type)");
        else if (strstr(t, "City") || strstr(t, "city"))
            snprintf(db->schema, sizeof db->schema, "city (by type)");
        else if (strstr(t, "Country") || strstr(t, "country"))
            snprintf(db->schema, sizeof db->schema, "country (by type)");
        db->features = 0;
        return;
    }
    db->features = f;
    const char *fam = strncmp(t, "GeoIP2", 6) == 0      ? "geoip2"
                      : strncmp(t, "DBIP", 4) == 0      ? "dbip"
                      : strncmp(t, "datatrail", 9) == 0 ? "datatrail"
                      : (f & F_COUNTRY_CODE)            ? "ip-location-db"
                                                        : "geolite2";
    const char *what = (f & F_CITY)                             ? "city"
                       : (f & (F_COUNTRY_ISO | F_COUNTRY_CODE)) ? "country"
                       : (f & F_ASN)                            ? "asn"
                                                                : "country";
    snprintf(db->schema, sizeof db->schema, "%s-%s%s", fam, what,
             (f & F_ASN) && strcmp(what, "asn") != 0 ? "+asn" : "");
}

static const char *meta_desc(const MMDB_s *m, const char *lang)
{
    for (size_t i = 0; i < m->metadata.description.count; i++) {
        const MMDB_description_s *d = m->metadata.description.descriptions[i];
        if (d && d->language && d->description && strcmp(d->language, lang) == 0)
            return d->description;
    }
    return NULL;
}

static void set_attribution(geo_db *db)
{
    const char *t = db->type, *en = meta_desc(&db->mmdb, "en");
    const char *a = "";
    if (strncmp(t, "datatrail", 9) == 0 && en)
        a = en;
    else if (strncmp(t, "GeoLite2", 8) == 0)
        a = "This product includes GeoLite2 data created by MaxMind, available from "
            "https://www.maxmind.com";
    else if (strncmp(t, "GeoIP2", 6) == 0)
        a = "GeoIP2 data by MaxMind (https://www.maxmind.com)";
    else if (strncmp(t, "DBIP", 4) == 0 || strstr(t, "dbip") || strstr(db->path, "dbip-") ||
             (db->kind == KIND_LOCATION && strcmp(db->schema, "ip-location-db-country") == 0))
        a = "IP Geolocation by DB-IP (https://db-ip.com), CC BY 4.0";
    else if (strstr(db->path, "geo-whois-asn-country") ||
             strcmp(db->schema, "ip-location-db-country") == 0)
        a = "geo-whois-asn-country from ip-location-db (https://github.com/sapics/ip-location-db), "
            "CC0 1.0 package; source data CC BY 4.0 by NRO (https://www.nro.net)";
    else if (en)
        a = en;
    copy_str(db->attribution, sizeof db->attribution, a, strlen(a));
}

static int open_db(geo_db *db, const char *path, int kind, char *warn, size_t warnlen)
{
    memset(db, 0, sizeof *db);
    int rc = MMDB_open(path, MMDB_MODE_MMAP, &db->mmdb);
    if (rc != MMDB_SUCCESS) {
        dt_set_err(warn, warnlen, "%s: cannot open %s database: %s", path, kind_names[kind],
                   MMDB_strerror(rc));
        return -1;
    }
    db->kind = kind;
    copy_str(db->path, sizeof db->path, path, strlen(path));
    const char *t = db->mmdb.metadata.database_type ? db->mmdb.metadata.database_type : "";
    copy_str(db->type, sizeof db->type, t, strlen(t));
    time_t ep = (time_t)db->mmdb.metadata.build_epoch;
    struct tm tm;
    if (gmtime_r(&ep, &tm))
        strftime(db->build_date, sizeof db->build_date, "%Y-%m-%dT%H:%M:%SZ", &tm);
    detect_schema(db);
    set_attribution(db);
    return 0;
}

static const char *const pat_country[] = {"country.mmdb",
                                          "GeoLite2-Country.mmdb",
                                          "GeoIP2-Country.mmdb",
                                          "dbip-country-lite*.mmdb",
                                          "dbip-country*.mmdb",
                                          "geo-whois-asn-country*.mmdb",
                                          NULL};
static const char *const pat_city[] = {"city.mmdb", "GeoLite2-City.mmdb", "GeoIP2-City.mmdb",
                                       "dbip-city-lite*.mmdb", NULL};
static const char *const pat_asn[] = {"asn.mmdb", "GeoLite2-ASN.mmdb", "dbip-asn-lite*.mmdb",
                                      "asn*.mmdb", NULL};
static const char *const pat_override[] = {"override.mmdb", NULL};
static const char *const pat_location[] = {"location.mmdb", NULL};

/* Best file in dir matching pat (shortest name, then smallest in byte order) into out. */
static int find_in_dir(const char *dir, const char *pat, char *out, size_t outlen)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    char best[256] = "";
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *n = de->d_name;
        if (n[0] == '.' || fnmatch(pat, n, 0) != 0 || strlen(n) >= sizeof best)
            continue;
        if (!best[0] || strlen(n) < strlen(best) ||
            (strlen(n) == strlen(best) && strcmp(n, best) < 0))
            snprintf(best, sizeof best, "%s", n);
    }
    closedir(d);
    if (!best[0])
        return 0;
    int w = snprintf(out, outlen, "%s/%s", dir, best);
    return w > 0 && (size_t)w < outlen;
}

static void add_warn(char *warn, size_t warnlen, const char *msg)
{
    if (!warn || !warnlen)
        return;
    size_t l = strlen(warn);
    if (l + 3 >= warnlen)
        return;
    dt_set_err(warn + l, warnlen - l, "%s%s", l ? "; " : "", msg);
}

/* The country database is a registry's view only (ip-location-db's whois-based one), so
 * without a location database countries are where ranges are registered. */
static int registry_only(const dt_geo *g)
{
    for (int i = 0; i < g->ndb; i++)
        if (g->db[i].kind == KIND_COUNTRY && strncmp(g->db[i].schema, "ip-location-db", 14) == 0)
            return 1;
    return 0;
}

dt_geo *dt_geo_open(const dt_geo_config *cfg, char *warn, size_t warnlen)
{
    dt_geo_config empty = {0};
    if (!cfg)
        cfg = &empty;
    if (warn && warnlen)
        warn[0] = '\0';
    dt_geo *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->countries = cfg->countries;
    size_t n = cfg->cache_entries ? cfg->cache_entries : 8192;
    size_t p2 = 1;
    while (p2 < n && p2 < ((size_t)1 << 20))
        p2 <<= 1;
    g->cache = calloc(p2, sizeof *g->cache);
    if (!g->cache) {
        free(g);
        return NULL;
    }
    g->cache_mask = p2 - 1;

    const char *explicit_path[NKINDS] = {cfg->location_db, cfg->country_db, cfg->city_db,
                                         cfg->asn_db, cfg->override_db};
    const char *const *pats[NKINDS] = {pat_location, pat_country, pat_city, pat_asn, pat_override};
    const char *dirs[6];
    int ndirs = 0;
    if (cfg->geodb_dir && *cfg->geodb_dir)
        dirs[ndirs++] = cfg->geodb_dir;
    const char *env = cfg->no_system_search ? NULL : getenv("DATATRAIL_GEODB_DIR");
    if (env && *env)
        dirs[ndirs++] = env;
    if (cfg->data_dir && *cfg->data_dir)
        dirs[ndirs++] = cfg->data_dir;
    if (!cfg->no_system_search) {
        dirs[ndirs++] = "/usr/share/GeoIP";
        dirs[ndirs++] = "/var/lib/GeoIP";
        dirs[ndirs++] = "/usr/local/share/GeoIP";
    }
    /* The location database pairs with the registry's: it is searched for only in the
     * directory where the country database was found (a country database given explicitly,
     * or found elsewhere, is not overruled by ours: only --location-db adds one then). */
    int country_dir = -1;
    if (!(cfg->country_db && *cfg->country_db)) {
        char path[PATH_MAX];
        for (int d = 0; d < ndirs && country_dir < 0; d++)
            for (int p = 0; pat_country[p] && country_dir < 0; p++)
                if (find_in_dir(dirs[d], pat_country[p], path, sizeof path))
                    country_dir = d;
    }
    int search_location = country_dir >= 0;
    char used[NKINDS][PATH_MAX];
    for (int k = 0; k < NKINDS; k++) {
        char path[PATH_MAX] = "", msg[PATH_MAX + 128];
        used[k][0] = '\0';
        if (explicit_path[k] && *explicit_path[k]) {
            if (open_db(&g->db[g->ndb], explicit_path[k], k, msg, sizeof msg) != 0) {
                dt_set_err(warn, warnlen, "%s", msg);
                dt_geo_close(g);
                return NULL;
            }
            snprintf(used[k], sizeof used[k], "%s", g->db[g->ndb].path);
            g->ndb++;
            continue;
        }
        int found = 0;
        for (int d = 0; d < ndirs && !found; d++) {
            if (k == KIND_LOCATION && d != country_dir)
                continue;
            for (int p = 0; pats[k][p] && !found; p++)
                found = find_in_dir(dirs[d], pats[k][p], path, sizeof path);
        }
        if (!found)
            continue;
        /* Do not open the same file twice (e.g. asn*.mmdb matching a country file). */
        int dup = 0;
        for (int j = 0; j < k; j++)
            dup |= strcmp(used[j], path) == 0;
        if (dup)
            continue;
        if (open_db(&g->db[g->ndb], path, k, msg, sizeof msg) != 0) {
            add_warn(warn, warnlen, msg);
            continue;
        }
        snprintf(used[k], sizeof used[k], "%s", path);
        g->ndb++;
    }
    if (g->ndb == 0)
        add_warn(warn, warnlen,
                 "no geolocation database found: countries and ASNs will be empty (run "
                 "scripts/setup, or pass --geodb-dir / --country-db / --asn-db)");
    else if (search_location && !used[KIND_LOCATION][0] && registry_only(g))
        add_warn(warn, warnlen,
                 "no location database (location.mmdb): countries are where the address ranges "
                 "are registered, not where the servers are (run scripts/setup, or pass "
                 "--location-db)");
    return g;
}

void dt_geo_close(dt_geo *g)
{
    if (!g)
        return;
    for (int i = 0; i < g->ndb; i++) {
        MMDB_close(&g->db[i].mmdb);
        free(g->db[i].recs);
    }
    for (size_t i = 0; g->cache && i <= g->cache_mask; i++)
        free(g->cache[i]);
    free(g->cache);
    free(g);
}

/* src into dst (copy_str; the sources come from buffers of the same size,
 * so nothing is cut). */
static void set_str(char *dst, size_t len, const char *src)
{
    copy_str(dst, len, src, strlen(src));
}

/* What fill_from takes from one record: a function of the record alone. */
typedef struct db_rec {
    uint32_t offset; /* the record's place in the database's data section */
    uint8_t used, have_cc, have_city, have_asn;
    char cc[8], name[64], reg[8], city[64], org[128];
    uint32_t asn;
} db_rec;

static void read_rec(const geo_db *db, MMDB_entry_s *e, db_rec *x)
{
    int f = db->features ? db->features : ~0;
    *x = (db_rec){.offset = e->offset, .used = 1};
    if (f & F_COUNTRY_ISO)
        x->have_cc = (uint8_t)get_str(e, x->cc, sizeof x->cc, P_COUNTRY_ISO);
    if (x->have_cc)
        get_str(e, x->name, sizeof x->name, P_COUNTRY_NAME);
    if (!x->have_cc && (f & F_COUNTRY_CODE))
        x->have_cc = (uint8_t)get_str(e, x->cc, sizeof x->cc, P_COUNTRY_CODE);
    if (!x->have_cc && (f & F_REG_COUNTRY)) {
        x->have_cc = (uint8_t)get_str(e, x->cc, sizeof x->cc, P_REG_ISO);
        if (x->have_cc)
            get_str(e, x->name, sizeof x->name, P_REG_NAME);
    }
    /* Registered country: a database's registered_country, else what a registry (country)
     * database says. */
    int have_reg = db->kind != KIND_LOCATION && (f & F_REG_COUNTRY) &&
                   get_str(e, x->reg, sizeof x->reg, P_REG_ISO);
    if (!have_reg && db->kind == KIND_COUNTRY && x->have_cc)
        memcpy(x->reg, x->cc, sizeof x->reg);
    x->have_city = (f & F_CITY) && get_str(e, x->city, sizeof x->city, P_CITY);
    x->have_asn = (f & F_ASN) && get_uint(e, &x->asn, P_ASN);
    if (x->have_asn)
        get_str(e, x->org, sizeof x->org, P_ORG);
}

/* The record of e, read once per database: addresses share records (a country's, an AS's),
 * and each string is a walk through the record's map. */
static const db_rec *rec_of(geo_db *db, MMDB_entry_s *e, db_rec *scratch)
{
    if (!db->recs)
        db->recs = calloc(REC_SLOTS, sizeof *db->recs);
    db_rec *x =
        db->recs
            ? &db->recs[dt_hash_final(dt_hash_bytes(DT_HASH_INIT, &e->offset, sizeof e->offset)) &
                        (REC_SLOTS - 1)]
            : scratch;
    if (!x->used || x->offset != e->offset)
        read_rec(db, e, x);
    return x;
}

static void fill_from(const dt_geo *g, geo_db *db, MMDB_entry_s *e, dt_geo_result *r, int override,
                      int *any)
{
    db_rec scratch;
    const db_rec *x = rec_of(db, e, &scratch);
    if (strlen(x->reg) == 2 && (override || !r->registered_country[0])) {
        r->registered_country[0] = (char)(x->reg[0] & ~32);
        r->registered_country[1] = (char)(x->reg[1] & ~32);
        r->registered_country[2] = '\0';
    }
    if (x->have_cc && strlen(x->cc) == 2 && (override || !r->country[0])) {
        r->country[0] = (char)(x->cc[0] & ~32);
        r->country[1] = (char)(x->cc[1] & ~32);
        r->country[2] = '\0';
        const char *n = x->name[0]     ? x->name
                        : g->countries ? dt_country_common_name(g->countries, r->country)
                                       : dt_geo_country_name(r->country);
        set_str(r->country_name, sizeof r->country_name, n ? n : "");
        *any = 1;
    }
    if (x->have_city && (override || !r->city[0])) {
        set_str(r->city, sizeof r->city, x->city);
        *any = 1;
    }
    if (x->have_asn && (override || !r->asn)) {
        r->asn = x->asn;
        set_str(r->org, sizeof r->org, x->org);
        *any = 1;
    }
}

int dt_geo_lookup(dt_geo *g, const dt_addr *a, dt_geo_result *out)
{
    if (!out)
        return -1;
    memset(out, 0, sizeof *out);
    out->class = dt_ipclass(a);
    if (!a || (a->family != 4 && a->family != 6))
        return -1;
    if (strcmp(out->class, "public") != 0 || !g)
        return 0;
    dt_addr key = *a;
    if (key.family == 4)
        memset(key.a + 4, 0, 12);
    cache_ent **slot = &g->cache[dt_hash_final(dt_hash_addr(DT_HASH_INIT, &key)) & g->cache_mask];
    cache_ent *ce = *slot;
    if (ce && dt_addr_eq(&ce->key, &key)) {
        g->hits++;
        *out = ce->res;
        return ce->rc;
    }
    g->misses++;
    dt_addr q = key, v4;
    if (dt_ipclass_embedded_v4(&key, &v4))
        q = v4;
    int any = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < g->ndb; i++) {
            geo_db *db = &g->db[i];
            if ((db->kind == KIND_OVERRIDE) != (pass == 1))
                continue;
            MMDB_entry_s e;
            if (db_lookup(db, &q, &e))
                fill_from(g, db, &e, out, pass == 1, &any);
        }
    }
    if (!ce)
        ce = *slot = malloc(sizeof *ce);
    if (ce) {
        ce->key = key;
        ce->rc = (int8_t)any;
        ce->res = *out;
    }
    return any;
}

static const geo_db *dbi(const dt_geo *g, int i)
{
    return g && i >= 0 && i < g->ndb ? &g->db[i] : NULL;
}

int dt_geo_db_count(const dt_geo *g)
{
    return g ? g->ndb : 0;
}
const char *dt_geo_db_path(const dt_geo *g, int i)
{
    return dbi(g, i) ? dbi(g, i)->path : NULL;
}
const char *dt_geo_db_kind(const dt_geo *g, int i)
{
    return dbi(g, i) ? kind_names[dbi(g, i)->kind] : NULL;
}
const char *dt_geo_db_type(const dt_geo *g, int i)
{
    return dbi(g, i) ? dbi(g, i)->type : NULL;
}
const char *dt_geo_db_schema(const dt_geo *g, int i)
{
    return dbi(g, i) ? dbi(g, i)->schema : NULL;
}
const char *dt_geo_db_build_date(const dt_geo *g, int i)
{
    return dbi(g, i) ? dbi(g, i)->build_date : NULL;
}
const char *dt_geo_db_attribution(const dt_geo *g, int i)
{
    return dbi(g, i) ? dbi(g, i)->attribution : NULL;
}

void dt_geo_cache_stats(const dt_geo *g, uint64_t *hits, uint64_t *misses)
{
    if (hits)
        *hits = g ? g->hits : 0;
    if (misses)
        *misses = g ? g->misses : 0;
}
