/* enrich: an endpoint answered from the enricher's caches is the endpoint computed afresh,
 * whatever the caches hold (collisions, replacement), and the cache key tells apart what
 * changes the answer (address, name, certificate O).  Geo data: the CSV fixtures in
 * testdata/geo; entities and countries: the curated files in data/. */
#include "check.h"
#include "enrich/enrich.h"
#include "geodb/mmdb_write.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[256], country_db[300], asn_db[300], data_dir[512];

static int write_db(const char *csv, dt_mmdb_kind kind, const char *type, const char *out)
{
    const char *t = getenv("DT_TESTDATA");
    char path[512], err[256];
    snprintf(path, sizeof path, "%s/geo/%s", t && *t ? t : "testdata", csv);
    dt_mmdbw *w = dt_mmdbw_new();
    dt_mmdbw_meta meta = {type, NULL, "test fixture", 1700000000};
    int rc = w ? dt_mmdbw_load_csv(w, path, kind, 0, NULL, NULL, err, sizeof err) : -1;
    if (rc == 0)
        rc = dt_mmdbw_write(w, out, &meta, err, sizeof err);
    if (rc)
        fprintf(stderr, "%s: %s\n", out, w ? err : "out of memory");
    dt_mmdbw_free(w);
    return rc;
}

static dt_enricher *open_enricher(void)
{
    dt_enrich_config c;
    dt_enrich_config_default(&c);
    c.data_dir = data_dir;
    c.geo.country_db = country_db;
    c.geo.asn_db = asn_db;
    c.geo.no_system_search = 1;
    char warn[256] = "", err[256] = "";
    dt_enricher *e = dt_enricher_open(&c, warn, sizeof warn, err, sizeof err);
    if (!e)
        fprintf(stderr, "dt_enricher_open: %s\n", err);
    return e;
}

static int same_info(const dt_endpoint_info *a, const dt_endpoint_info *b)
{
    const dt_geo_result *x = &a->geo, *y = &b->geo;
    if (strcmp(x->country, y->country) || strcmp(x->country_name, y->country_name) ||
        strcmp(x->city, y->city) || x->asn != y->asn || strcmp(x->org, y->org) ||
        strcmp(x->class, y->class) || strcmp(a->domain, b->domain) || a->transfer != b->transfer)
        return 0;
    for (int i = 0; i < 2; i++) {
        const dt_attribution *p = i ? &a->host : &a->recipient, *q = i ? &b->host : &b->recipient;
        /* entities of different enrichers are different objects: compare their names */
        if (strcmp(p->name, q->name) || strcmp(p->evidence, q->evidence) ||
            strcmp(p->matched, q->matched) || p->identified != q->identified ||
            !p->entity != !q->entity || (p->entity && strcmp(p->entity->name, q->entity->name)))
            return 0;
    }
    return 1;
}

typedef struct key {
    const char *ip, *name, *cert_o;
} key;

static const key keys[] = {
    {"1.0.0.1", "android.bugly.qq.com", NULL},
    {"1.0.0.1", "android.bugly.qq.com", "Tencent Technology (Shenzhen) Company Limited"},
    {"1.0.0.1", "android.bugly.qq.com", ""},
    {"1.0.0.1", NULL, NULL},
    {"1.0.0.1", "", NULL},
    {"1.0.0.2", "android.bugly.qq.com", NULL},
    {"1.0.4.9", "www.example.co.uk", "Example Ltd"},
    {"1.12.36.7", "maps.googleapis.com", NULL},
    {"192.168.1.1", "printer.home.lan", NULL},
    {"2001:db8::1", "docs.example", NULL},
    {"::ffff:1.0.0.1", "android.bugly.qq.com", NULL},
};
#define NKEYS (sizeof keys / sizeof keys[0])

static void enrich(dt_enricher *e, const key *k, dt_endpoint_info *out)
{
    dt_addr a;
    if (dt_addr_parse(k->ip, &a) != 0) {
        CHECK(0);
        memset(&a, 0, sizeof a);
    }
    *out = *dt_enrich_endpoint(e, &a, k->name, k->cert_o);
}

static void test_cache(void)
{
    static dt_endpoint_info first[NKEYS], again;
    dt_enricher *e = open_enricher(), *fresh = open_enricher();
    CHECK(e && fresh);
    if (!e || !fresh)
        goto out;
    for (size_t i = 0; i < NKEYS; i++)
        enrich(e, &keys[i], &first[i]);

    /* What the answers are, so that the comparisons below compare something. */
    CHECK_EQ_STR(first[0].geo.country, "AU");
    CHECK_EQ_INT(first[0].geo.asn, 13335);
    CHECK_EQ_STR(first[0].domain, "qq.com");
    CHECK_EQ_STR(first[0].recipient.evidence, "domain");
    CHECK_EQ_STR(first[0].recipient.matched, "bugly.qq.com");
    CHECK_EQ_STR(first[0].host.evidence, "asn");
    CHECK_EQ_STR(first[1].recipient.evidence, "domain"); /* the name beats the certificate */
    CHECK_EQ_STR(first[2].recipient.evidence, "domain");
    CHECK_EQ_STR(first[3].domain, "");
    CHECK_EQ_STR(first[3].recipient.name, ""); /* no name, no certificate: unknown */
    CHECK_EQ_STR(first[3].host.evidence, "asn");
    CHECK_EQ_STR(first[6].recipient.name, "Example Ltd");
    CHECK_EQ_STR(first[6].recipient.evidence, "cert");
    CHECK_EQ_STR(first[9].recipient.name, "docs.example");
    CHECK_EQ_STR(first[9].recipient.evidence, "unidentified");
    CHECK_EQ_INT(first[9].recipient.identified, 0);
    CHECK_EQ_STR(first[8].geo.class, "private");
    CHECK_EQ_INT(first[8].transfer, DT_TRANSFER_LOCAL);
    CHECK_EQ_STR(first[8].domain, "home.lan");
    CHECK_EQ_INT(first[10].geo.asn, 13335); /* looked up by the embedded IPv4 address */

    /* Each key computed by an enricher that has seen nothing else. */
    for (size_t i = 0; i < NKEYS; i++) {
        dt_enricher *one = open_enricher();
        if (!one)
            continue;
        enrich(one, &keys[i], &again);
        CHECK(same_info(&again, &first[i]));
        dt_enricher_close(one);
    }
    /* Repeated, in another order, between thousands of other endpoints that replace slots. */
    char ip[32], name[64];
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 2500; i++) {
            snprintf(ip, sizeof ip, "1.%d.%d.%d", 12 + i % 4, (i / 4) % 256, i % 251);
            snprintf(name, sizeof name, "n%d.s%d.example.com", i % 1500, i % 97);
            key k = {ip, i % 5 ? name : NULL, i % 7 ? NULL : "Example Ltd"};
            enrich(e, &k, &again);
            dt_endpoint_info ref;
            enrich(fresh, &k, &ref);
            CHECK(same_info(&again, &ref));
            if (i % 500 == 0)
                for (size_t j = 0; j < NKEYS; j++) {
                    size_t x = round % 2 ? NKEYS - 1 - j : j;
                    enrich(e, &keys[x], &again);
                    CHECK(same_info(&again, &first[x]));
                }
        }
    }
out:
    dt_enricher_close(e);
    dt_enricher_close(fresh);
}

int main(void)
{
    const char *t = getenv("DT_TESTDATA");
    snprintf(data_dir, sizeof data_dir, "%s/../data", t && *t ? t : "testdata");
    snprintf(tmpdir, sizeof tmpdir, "/tmp/dt_test_enrich_XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(country_db, sizeof country_db, "%s/country.mmdb", tmpdir);
    snprintf(asn_db, sizeof asn_db, "%s/asn.mmdb", tmpdir);
    int rc = write_db("country-small.csv", DT_MMDB_COUNTRY_CODE, "country ipvAll", country_db);
    rc |= write_db("asn-small.csv", DT_MMDB_ASN, "datatrail-ASN", asn_db);
    CHECK_EQ_INT(rc, 0);
    if (rc == 0)
        test_cache();
    unlink(country_db);
    unlink(asn_db);
    rmdir(tmpdir);
    return check_done();
}
