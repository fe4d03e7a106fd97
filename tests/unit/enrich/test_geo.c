/* geo: schema detection, lookups, override, search order and the cache, on databases built
 * by mmdb_write from the CSV fixtures in testdata/geo/. */
#include "check.h"
#include "enrich/geo.h"
#include "geodb/mmdb_write.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[256];

static const char *tdir(void)
{
    const char *d = getenv("DT_TESTDATA");
    return d && *d ? d : "testdata";
}

static char *tpath(const char *sub, const char *name)
{
    static char buf[8][512];
    static int k;
    char *p = buf[k++ & 7];
    snprintf(p, 512, "%s%s%s/%s", tmpdir, sub[0] ? "/" : "", sub, name);
    return p;
}

static int build_csv(const char *csv, dt_mmdb_kind kind, const char *out, const char *type,
                     const char *attr)
{
    char path[512], err[512];
    snprintf(path, sizeof path, "%s/geo/%s", tdir(), csv);
    dt_mmdbw *w = dt_mmdbw_new();
    int rc = dt_mmdbw_load_csv(w, path, kind, 0, NULL, NULL, err, sizeof err);
    dt_mmdbw_meta m = {type, NULL, attr, 1700000000};
    if (rc == 0)
        rc = dt_mmdbw_write(w, out, &m, err, sizeof err);
    if (rc)
        fprintf(stderr, "build %s: %s\n", out, err);
    dt_mmdbw_free(w);
    return rc;
}

static int add(dt_mmdbw *w, const char *s, const char *e, dt_mmdb_buf *b)
{
    dt_addr x, y;
    if (dt_addr_parse(s, &x) || dt_addr_parse(e, &y))
        return -1;
    return dt_mmdbw_add_range(w, &x, &y, b->p, b->len);
}

/* Override: 8.8.8.0/24 -> NL + AS64999; city DB: 2.16.0.0/16 -> Berlin, DE. */
static int build_special(void)
{
    uint8_t mem[512];
    dt_mmdb_buf b;
    char err[256];
    int rc = 0;
    dt_mmdbw *w = dt_mmdbw_new();
    dt_mmdb_buf_init(&b, mem, sizeof mem);
    dt_mmdb_put_map(&b, 3);
    dt_mmdb_put_str(&b, "country");
    dt_mmdb_put_map(&b, 1);
    dt_mmdb_put_str(&b, "iso_code");
    dt_mmdb_put_str(&b, "NL");
    dt_mmdb_put_str(&b, "autonomous_system_number");
    dt_mmdb_put_u32(&b, 64999);
    dt_mmdb_put_str(&b, "autonomous_system_organization");
    dt_mmdb_put_str(&b, "Override Org");
    rc |= add(w, "8.8.8.0", "8.8.8.255", &b);
    char longorg[200] = "";
    for (int i = 0; i < 70; i++)
        strcat(longorg, "\xc3\xa4"); /* 70 x U+00E4: 140 bytes, cut at a character boundary */
    dt_mmdb_buf_init(&b, mem, sizeof mem);
    dt_mmdb_rec_asn(&b, 65000, longorg);
    rc |= add(w, "77.0.0.0", "77.0.0.255", &b);
    dt_mmdbw_meta m = {"datatrail-Override", NULL, "Local override", 1700000000};
    rc |= dt_mmdbw_write(w, tpath("", "override.mmdb"), &m, err, sizeof err);
    dt_mmdbw_free(w);

    w = dt_mmdbw_new();
    dt_mmdb_buf_init(&b, mem, sizeof mem);
    dt_mmdb_put_map(&b, 2);
    dt_mmdb_put_str(&b, "city");
    dt_mmdb_put_map(&b, 1);
    dt_mmdb_put_str(&b, "names");
    dt_mmdb_put_map(&b, 1);
    dt_mmdb_put_str(&b, "en");
    dt_mmdb_put_str(&b, "Berlin");
    dt_mmdb_put_str(&b, "country");
    dt_mmdb_put_map(&b, 2);
    dt_mmdb_put_str(&b, "iso_code");
    dt_mmdb_put_str(&b, "DE");
    dt_mmdb_put_str(&b, "names");
    dt_mmdb_put_map(&b, 1);
    dt_mmdb_put_str(&b, "en");
    dt_mmdb_put_str(&b, "Deutschland (city db)");
    rc |= add(w, "2.16.0.0", "2.16.255.255", &b);
    dt_mmdbw_meta mc = {"GeoLite2-City", NULL, NULL, 1700000000};
    rc |= dt_mmdbw_write(w, tpath("", "city.mmdb"), &mc, err, sizeof err);
    dt_mmdbw_free(w);

    /* No probe address inside: schema falls back to database_type. */
    w = dt_mmdbw_new();
    dt_mmdb_buf_init(&b, mem, sizeof mem);
    dt_mmdb_rec_country(&b, "JP", 1);
    rc |= add(w, "100.0.0.0", "100.0.0.255", &b);
    dt_mmdbw_meta mu = {"Some-Country-DB", NULL, NULL, 1700000000};
    rc |= dt_mmdbw_write(w, tpath("", "unknown.mmdb"), &mu, err, sizeof err);
    dt_mmdbw_free(w);
    return rc;
}

static void test_schemas_and_lookup(void)
{
    char warn[512];
    dt_geo_config cfg = {0};
    cfg.country_db = tpath("", "gl2-country.mmdb");
    cfg.asn_db = tpath("", "asn.mmdb");
    cfg.city_db = tpath("", "city.mmdb");
    cfg.override_db = tpath("", "override.mmdb");
    cfg.no_system_search = 1;
    dt_geo *g = dt_geo_open(&cfg, warn, sizeof warn);
    CHECK(g != NULL);
    if (!g)
        return;
    CHECK_EQ_STR(warn, "");
    CHECK_EQ_INT(dt_geo_db_count(g), 4);
    CHECK_EQ_STR(dt_geo_db_kind(g, 0), "country");
    CHECK_EQ_STR(dt_geo_db_kind(g, 1), "city");
    CHECK_EQ_STR(dt_geo_db_kind(g, 2), "asn");
    CHECK_EQ_STR(dt_geo_db_kind(g, 3), "override");
    CHECK_EQ_STR(dt_geo_db_type(g, 0), "GeoLite2-Country");
    CHECK_EQ_STR(dt_geo_db_schema(g, 0), "geolite2-country");
    CHECK_EQ_STR(dt_geo_db_schema(g, 1), "geolite2-city");
    CHECK_EQ_STR(dt_geo_db_schema(g, 2), "datatrail-asn");
    CHECK_EQ_STR(dt_geo_db_schema(g, 3), "datatrail-country+asn");
    CHECK_EQ_STR(dt_geo_db_build_date(g, 0), "2023-11-14T22:13:20Z");
    CHECK_EQ_STR(dt_geo_db_attribution(g, 0),
                 "This product includes GeoLite2 data created by MaxMind, available from "
                 "https://www.maxmind.com");
    CHECK_EQ_STR(dt_geo_db_attribution(g, 2), "Fixture ASN attribution");
    CHECK_EQ_STR(dt_geo_db_attribution(g, 3), "Local override");
    CHECK_EQ_STR(dt_geo_db_path(g, 2), cfg.asn_db);
    CHECK(dt_geo_db_path(g, 4) == NULL);
    CHECK(dt_geo_db_kind(g, -1) == NULL);

    dt_geo_result r;
    dt_addr a;
    dt_addr_parse("1.12.36.7", &a);
    CHECK_EQ_INT(dt_geo_lookup(g, &a, &r), 1);
    CHECK_EQ_STR(r.country, "CN");
    CHECK_EQ_STR(r.country_name, "China");
    CHECK_EQ_INT(r.asn, 45090);
    CHECK_EQ_STR(r.org, "Shenzhen Example Computer Systems Company Limited");
    CHECK_EQ_STR(r.class, "public");
    CHECK_EQ_STR(r.city, "");

    dt_addr_parse("8.8.8.8", &a); /* override wins for country and ASN */
    CHECK_EQ_INT(dt_geo_lookup(g, &a, &r), 1);
    CHECK_EQ_STR(r.country, "NL");
    CHECK_EQ_STR(r.country_name, "Netherlands");
    CHECK_EQ_INT(r.asn, 64999);
    CHECK_EQ_STR(r.org, "Override Org");
    dt_addr_parse("8.8.4.4", &a);
    CHECK_EQ_INT(dt_geo_lookup(g, &a, &r), 1);
    CHECK_EQ_STR(r.country, "");
    CHECK_EQ_INT(r.asn, 15169);
    CHECK_EQ_STR(r.org, "Example LLC");
    dt_addr_parse("64:ff9b::808:808", &a); /* NAT64: the embedded IPv4 is looked up */
    CHECK_EQ_INT(dt_geo_lookup(g, &a, &r), 1);
    CHECK_EQ_INT(r.asn, 64999);
    dt_addr_parse("::ffff:1.0.0.5", &a);
    CHECK_EQ_INT(dt_geo_lookup(g, &a, &r), 1);
    CHECK_EQ_STR(r.country, "AU");
    CHECK_EQ_INT(r.asn, 13335);
    CHECK_EQ_STR(r.org, "Example Cloud, Inc.");

    dt_addr_parse("2.16.3.4", &a); /* country DB first; city DB adds the city */
    CHECK_EQ_INT(dt_geo_lookup(g, &a, &r), 1);
    CHECK_EQ_STR(r.country, "DE");
    CHECK_EQ_STR(r.country_name, "Germany");
    CHECK_EQ_STR(r.city, "Berlin");
    CHECK_EQ_INT(r.asn, 0);

    dt_addr_parse("2a00:1450:4001::1", &a);
    CHECK_EQ_INT(dt_geo_lookup(g, &a, &r), 1);
    CHECK_EQ_STR(r.country, "IE");
    CHECK_EQ_STR(r.country_name, "Ireland");
    CHECK_EQ_INT(r.asn, 15169);

    dt_addr_parse("77.0.0.1", &a);
    CHECK_EQ_INT(dt_geo_lookup(g, &a, &r), 1);
    CHECK_EQ_INT(r.asn, 65000);
    CHECK_EQ_INT(strlen(r.org), 126);
    CHECK_EQ_INT((unsigned char)r.org[124], 0xc3);
    CHECK_EQ_INT((unsigned char)r.org[125], 0xa4);

    dt_addr_parse("44.0.0.1", &a); /* public but in no database */
    CHECK_EQ_INT(dt_geo_lookup(g, &a, &r), 0);
    CHECK_EQ_STR(r.class, "public");
    CHECK_EQ_STR(r.country, "");
    CHECK_EQ_INT(r.asn, 0);

    uint64_t h0, m0, h1, m1;
    dt_geo_cache_stats(g, &h0, &m0);
    dt_addr_parse("192.168.1.1", &a); /* special-purpose: classified, not looked up */
    CHECK_EQ_INT(dt_geo_lookup(g, &a, &r), 0);
    CHECK_EQ_STR(r.class, "private");
    dt_addr_parse("ff02::fb", &a);
    CHECK_EQ_INT(dt_geo_lookup(g, &a, &r), 0);
    CHECK_EQ_STR(r.class, "multicast");
    dt_geo_cache_stats(g, &h1, &m1);
    CHECK_EQ_INT(h1 - h0, 0);
    CHECK_EQ_INT(m1 - m0, 0);
    dt_addr_parse("1.12.36.7", &a); /* cached */
    CHECK_EQ_INT(dt_geo_lookup(g, &a, &r), 1);
    CHECK_EQ_INT(r.asn, 45090);
    dt_geo_cache_stats(g, &h1, &m1);
    CHECK_EQ_INT(h1 - h0, 1);
    CHECK_EQ_INT(m1 - m0, 0);
    CHECK_EQ_INT(dt_geo_lookup(g, NULL, &r), -1);
    CHECK_EQ_STR(r.class, "invalid");
    CHECK_EQ_INT(dt_geo_lookup(g, &a, NULL), -1);
    dt_geo_close(g);

    /* ip-location-db layout and an unprobeable file */
    dt_geo_config c2 = {0};
    c2.country_db = tpath("", "ild-country.mmdb");
    c2.asn_db = tpath("", "unknown.mmdb");
    c2.no_system_search = 1;
    g = dt_geo_open(&c2, warn, sizeof warn);
    CHECK(g != NULL);
    if (!g)
        return;
    CHECK_EQ_STR(dt_geo_db_schema(g, 0), "ip-location-db-country");
    CHECK_EQ_STR(dt_geo_db_type(g, 0), "country ipvAll");
    CHECK(strstr(dt_geo_db_attribution(g, 0), "ip-location-db") != NULL);
    CHECK_EQ_STR(dt_geo_db_schema(g, 1), "country (by type)");
    dt_addr_parse("2003::1", &a);
    CHECK_EQ_INT(dt_geo_lookup(g, &a, &r), 1);
    CHECK_EQ_STR(r.country, "DE");
    CHECK_EQ_STR(r.country_name, "Germany");
    dt_addr_parse("100.0.0.7", &a); /* found although the schema was not probed */
    CHECK_EQ_INT(dt_geo_lookup(g, &a, &r), 1);
    CHECK_EQ_STR(r.country, "JP");
    dt_geo_close(g);
}

static void test_cache_collisions(void)
{
    char warn[256];
    dt_geo_config cfg = {0};
    cfg.asn_db = tpath("", "asn.mmdb");
    cfg.no_system_search = 1;
    cfg.cache_entries = 1; /* every new address replaces the one cached entry */
    dt_geo *g = dt_geo_open(&cfg, warn, sizeof warn);
    CHECK(g != NULL);
    if (!g)
        return;
    dt_addr a, b;
    dt_geo_result r;
    uint64_t h, m;
    dt_addr_parse("1.1.1.1", &a);
    dt_addr_parse("2001:4860::1", &b);
    for (int i = 0; i < 3; i++) {
        CHECK_EQ_INT(dt_geo_lookup(g, &a, &r), 1);
        CHECK_EQ_INT(r.asn, 13335);
        CHECK_EQ_INT(dt_geo_lookup(g, &b, &r), 1);
        CHECK_EQ_INT(r.asn, 15169);
    }
    dt_geo_cache_stats(g, &h, &m);
    CHECK_EQ_INT(h, 0);
    CHECK_EQ_INT(m, 6);
    CHECK_EQ_INT(dt_geo_lookup(g, &b, &r), 1);
    dt_geo_cache_stats(g, &h, &m);
    CHECK_EQ_INT(h, 1);
    CHECK_EQ_INT(m, 6);
    dt_geo_close(g);
}

static int copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    char buf[4096];
    size_t n;
    int rc = in && out ? 0 : -1;
    while (!rc && (n = fread(buf, 1, sizeof buf, in)) > 0)
        rc = fwrite(buf, 1, n, out) == n ? 0 : -1;
    if (in)
        fclose(in);
    if (out && fclose(out))
        rc = -1;
    return rc;
}

static void test_search(void)
{
    char warn[512];
    mkdir(tpath("", "d1"), 0700);
    mkdir(tpath("", "d2"), 0700);
    mkdir(tpath("", "empty"), 0700);
    CHECK_EQ_INT(
        copy_file(tpath("", "ild-country.mmdb"), tpath("d1", "geo-whois-asn-country.mmdb")), 0);
    CHECK_EQ_INT(
        copy_file(tpath("", "gl2-country.mmdb"), tpath("d1", "geo-whois-asn-country-ipv4.mmdb")),
        0);
    CHECK_EQ_INT(copy_file(tpath("", "asn.mmdb"), tpath("d2", "asn.mmdb")), 0);
    CHECK_EQ_INT(copy_file(tpath("", "gl2-country.mmdb"), tpath("d2", "GeoLite2-Country.mmdb")), 0);

    /* geodb_dir first, then data_dir; per kind the first directory with a match wins. */
    dt_geo_config cfg = {0};
    cfg.geodb_dir = tpath("", "d1");
    cfg.data_dir = tpath("", "d2");
    cfg.no_system_search = 1;
    dt_geo *g = dt_geo_open(&cfg, warn, sizeof warn);
    CHECK(g != NULL);
    if (g) {
        CHECK_EQ_INT(dt_geo_db_count(g), 2);
        CHECK_EQ_STR(dt_geo_db_path(g, 0), tpath("d1", "geo-whois-asn-country.mmdb"));
        CHECK_EQ_STR(dt_geo_db_kind(g, 0), "country");
        CHECK_EQ_STR(dt_geo_db_path(g, 1), tpath("d2", "asn.mmdb"));
        CHECK_EQ_STR(dt_geo_db_kind(g, 1), "asn");
        dt_geo_close(g);
    }
    cfg.geodb_dir = NULL;
    g = dt_geo_open(&cfg, warn, sizeof warn);
    CHECK(g != NULL);
    if (g) {
        CHECK_EQ_INT(dt_geo_db_count(g), 2);
        CHECK_EQ_STR(dt_geo_db_path(g, 0), tpath("d2", "GeoLite2-Country.mmdb"));
        dt_geo_close(g);
    }
    /* Nothing found: still opens, with one clear warning. */
    cfg.data_dir = tpath("", "empty");
    g = dt_geo_open(&cfg, warn, sizeof warn);
    CHECK(g != NULL);
    CHECK_EQ_INT(dt_geo_db_count(g), 0);
    CHECK(strncmp(warn, "no geolocation database found", 29) == 0);
    if (g) {
        dt_addr a;
        dt_geo_result r;
        dt_addr_parse("8.8.8.8", &a);
        CHECK_EQ_INT(dt_geo_lookup(g, &a, &r), 0);
        CHECK_EQ_STR(r.class, "public");
        dt_geo_close(g);
    }
    /* An explicit file that cannot be opened is an error. */
    dt_geo_config bad = {0};
    bad.asn_db = tpath("", "missing.mmdb");
    bad.no_system_search = 1;
    g = dt_geo_open(&bad, warn, sizeof warn);
    CHECK(g == NULL);
    CHECK(strstr(warn, "missing.mmdb: cannot open asn database") != NULL);
    bad.asn_db = tpath("", "notmmdb.mmdb");
    FILE *f = fopen(bad.asn_db, "w");
    if (f) {
        fputs("this is not a MaxMind DB\n", f);
        fclose(f);
    }
    g = dt_geo_open(&bad, warn, sizeof warn);
    CHECK(g == NULL);
    dt_geo_close(g);

    unlink(tpath("d1", "geo-whois-asn-country.mmdb"));
    unlink(tpath("d1", "geo-whois-asn-country-ipv4.mmdb"));
    unlink(tpath("d2", "asn.mmdb"));
    unlink(tpath("d2", "GeoLite2-Country.mmdb"));
    unlink(tpath("", "notmmdb.mmdb"));
    rmdir(tpath("", "d1"));
    rmdir(tpath("", "d2"));
    rmdir(tpath("", "empty"));
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/dt_test_geo_XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    CHECK_EQ_STR(dt_geo_country_name("de"), "Germany");
    CHECK_EQ_STR(dt_geo_country_name("US"), "United States");
    CHECK(dt_geo_country_name("XX") == NULL);
    CHECK(dt_geo_country_name("DEU") == NULL);
    CHECK(dt_geo_country_name(NULL) == NULL);

    int rc = build_csv("country-small.csv", DT_MMDB_COUNTRY, tpath("", "gl2-country.mmdb"),
                       "GeoLite2-Country", NULL);
    rc |= build_csv("country-small.csv", DT_MMDB_COUNTRY_CODE, tpath("", "ild-country.mmdb"),
                    "country ipvAll", NULL);
    rc |= build_csv("asn-small.csv", DT_MMDB_ASN, tpath("", "asn.mmdb"), "datatrail-ASN",
                    "Fixture ASN attribution");
    rc |= build_special();
    CHECK_EQ_INT(rc, 0);
    if (rc == 0) {
        test_schemas_and_lookup();
        test_cache_collisions();
        test_search();
    }
    const char *files[] = {"gl2-country.mmdb", "ild-country.mmdb", "asn.mmdb",
                           "override.mmdb",    "city.mmdb",        "unknown.mmdb"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        unlink(tpath("", files[i]));
    rmdir(tmpdir);
    return check_done();
}
