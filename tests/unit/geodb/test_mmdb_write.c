/* MaxMind DB writer: encodings, CSV loading, and read-back through libmaxminddb and mmdblookup. */
#include "check.h"
#include "geodb/mmdb_write.h"

#include <maxminddb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *tdir(void)
{
    const char *d = getenv("DT_TESTDATA");
    return d && *d ? d : "testdata";
}

static int bytes_eq(const dt_mmdb_buf *b, const uint8_t *exp, size_t n)
{
    return !b->err && b->len == n && memcmp(b->p, exp, n) == 0;
}

static void test_encoding(void)
{
    uint8_t mem[512];
    dt_mmdb_buf b;
    dt_mmdb_buf_init(&b, mem, sizeof mem);
    dt_mmdb_put_u16(&b, 0x1234);
    CHECK(bytes_eq(&b, (const uint8_t[]){0xA2, 0x12, 0x34}, 3));
    dt_mmdb_buf_init(&b, mem, sizeof mem);
    dt_mmdb_put_u32(&b, 0);
    CHECK(bytes_eq(&b, (const uint8_t[]){0xC0}, 1));
    dt_mmdb_buf_init(&b, mem, sizeof mem);
    dt_mmdb_put_u32(&b, 4200000000u);
    CHECK(bytes_eq(&b, (const uint8_t[]){0xC4, 0xFA, 0x56, 0xEA, 0x00}, 5));
    dt_mmdb_buf_init(&b, mem, sizeof mem);
    dt_mmdb_put_str(&b, "abc");
    CHECK(bytes_eq(&b, (const uint8_t[]){0x43, 'a', 'b', 'c'}, 4));
    dt_mmdb_buf_init(&b, mem, sizeof mem);
    dt_mmdb_put_map(&b, 2);
    CHECK(bytes_eq(&b, (const uint8_t[]){0xE2}, 1));
    dt_mmdb_buf_init(&b, mem, sizeof mem);
    dt_mmdb_put_u64(&b, 1);
    CHECK(bytes_eq(&b, (const uint8_t[]){0x01, 0x02, 0x01}, 3));
    dt_mmdb_buf_init(&b, mem, sizeof mem);
    dt_mmdb_put_bool(&b, 1);
    CHECK(bytes_eq(&b, (const uint8_t[]){0x01, 0x07}, 2));
    dt_mmdb_buf_init(&b, mem, sizeof mem);
    dt_mmdb_put_array(&b, 1);
    CHECK(bytes_eq(&b, (const uint8_t[]){0x01, 0x04}, 2));
    dt_mmdb_buf_init(&b, mem, sizeof mem);
    dt_mmdb_put_double(&b, 1.0);
    CHECK(bytes_eq(&b, (const uint8_t[]){0x68, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0}, 9));

    char s[301];
    memset(s, 'x', sizeof s);
    s[29] = '\0';
    dt_mmdb_buf_init(&b, mem, sizeof mem);
    dt_mmdb_put_str(&b, s);
    CHECK_EQ_INT(b.len, 31);
    CHECK_EQ_INT(mem[0], 0x5D);
    CHECK_EQ_INT(mem[1], 0x00);
    s[29] = 'x';
    s[300] = '\0';
    dt_mmdb_buf_init(&b, mem, sizeof mem);
    dt_mmdb_put_str(&b, s);
    CHECK_EQ_INT(b.len, 303);
    CHECK_EQ_INT(mem[0], 0x5E);
    CHECK_EQ_INT(mem[1], 0x00);
    CHECK_EQ_INT(mem[2], 300 - 285);

    /* Too small a buffer sets the sticky error and never writes past cap. */
    uint8_t tiny[4] = {0, 0, 0, 0x77};
    dt_mmdb_buf_init(&b, tiny, 3);
    dt_mmdb_put_str(&b, "abcdef");
    CHECK_EQ_INT(b.err, 1);
    CHECK_EQ_INT(tiny[3], 0x77);
    dt_mmdb_put_u16(&b, 1);
    CHECK_EQ_INT(b.err, 1);

    char line[] = "1.0.0.0,\"a, \"\"b\"\"\",,last";
    char *f[4];
    CHECK_EQ_INT(dt_csv_split(line, f, 4), 4);
    CHECK_EQ_STR(f[0], "1.0.0.0");
    CHECK_EQ_STR(f[1], "a, \"b\"");
    CHECK_EQ_STR(f[2], "");
    CHECK_EQ_STR(f[3], "last");
    char bad[] = "1,\"open";
    CHECK_EQ_INT(dt_csv_split(bad, f, 4), -1);
    char bad2[] = "1,\"x\"y";
    CHECK_EQ_INT(dt_csv_split(bad2, f, 4), -1);
}

/* Reference model of a CSV: ranges and values, later lines win. */
typedef unsigned __int128 u128;
typedef struct ref {
    int fam;
    u128 s, e;
    char val[160]; /* "asn|org" or country code */
} ref;

static u128 to_u(const dt_addr *a)
{
    u128 v = 0;
    for (size_t i = 0; i < (a->family == 4 ? 4u : 16u); i++)
        v = v << 8 | a->a[i];
    return v;
}

static void from_u(int fam, u128 v, char *buf, size_t len)
{
    dt_addr a = {0};
    a.family = (uint8_t)fam;
    int n = fam == 4 ? 4 : 16;
    for (int i = n - 1; i >= 0; i--) {
        a.a[i] = (uint8_t)v;
        v >>= 8;
    }
    dt_addr_str(&a, buf, len);
}

static int load_ref(const char *path, int asn, ref *r, int max)
{
    FILE *fp = fopen(path, "r");
    char line[1024];
    int n = 0;
    if (!fp)
        return -1;
    while (fgets(line, sizeof line, fp) && n < max) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0] || line[0] == '#')
            continue;
        char *f[5];
        int nf = dt_csv_split(line, f, 5);
        dt_addr s, e;
        if (nf < 3 || dt_addr_parse(f[0], &s) || dt_addr_parse(f[1], &e))
            continue;
        r[n].fam = s.family;
        r[n].s = to_u(&s);
        r[n].e = to_u(&e);
        if (asn)
            snprintf(r[n].val, sizeof r[n].val, "%s|%s", f[2], nf > 3 ? f[3] : "");
        else
            snprintf(r[n].val, sizeof r[n].val, "%c%c", f[2][0] & ~32, f[2][1] & ~32);
        n++;
    }
    fclose(fp);
    return n;
}

static const char *ref_lookup(const ref *r, int n, int fam, u128 v)
{
    const char *hit = NULL;
    for (int i = 0; i < n; i++)
        if (r[i].fam == fam && v >= r[i].s && v <= r[i].e)
            hit = r[i].val;
    return hit;
}

/* Looks ip up through libmaxminddb; writes "asn|org" or the country code, or "" if absent. */
static void mmdb_value(MMDB_s *db, const char *ip, int asn, char *out, size_t len)
{
    int gai = 0, merr = 0;
    out[0] = '\0';
    MMDB_lookup_result_s r = MMDB_lookup_string(db, ip, &gai, &merr);
    if (gai || merr != MMDB_SUCCESS || !r.found_entry)
        return;
    MMDB_entry_data_s d;
    if (asn) {
        uint32_t num = 0;
        char org[300] = "";
        if (MMDB_get_value(&r.entry, &d, "autonomous_system_number", NULL) == MMDB_SUCCESS &&
            d.has_data && d.type == MMDB_DATA_TYPE_UINT32)
            num = d.uint32;
        if (MMDB_get_value(&r.entry, &d, "autonomous_system_organization", NULL) == MMDB_SUCCESS &&
            d.has_data && d.type == MMDB_DATA_TYPE_UTF8_STRING)
            snprintf(org, sizeof org, "%.*s", (int)d.data_size, d.utf8_string);
        snprintf(out, len, "%u|%s", num, org);
    } else {
        int rc = MMDB_get_value(&r.entry, &d, "country", "iso_code", NULL);
        if (rc != MMDB_SUCCESS || !d.has_data)
            rc = MMDB_get_value(&r.entry, &d, "country_code", NULL);
        if (rc == MMDB_SUCCESS && d.has_data && d.type == MMDB_DATA_TYPE_UTF8_STRING)
            snprintf(out, len, "%.*s", (int)d.data_size, d.utf8_string);
    }
}

static int have_mmdblookup(void)
{
    return system("mmdblookup --version >/dev/null 2>&1") == 0;
}

/* mmdblookup's answer for a uint32/utf8 path, or "" when not found. */
static void tool_value(const char *db, const char *ip, const char *path, char *out, size_t len)
{
    char cmd[512], line[512];
    out[0] = '\0';
    snprintf(cmd, sizeof cmd, "mmdblookup --file '%s' --ip '%s' %s 2>/dev/null", db, ip, path);
    FILE *p = popen(cmd, "r");
    if (!p)
        return;
    while (fgets(line, sizeof line, p)) {
        char *lt = strchr(line, '<');
        if (!lt)
            continue;
        char *s = line;
        while (*s == ' ')
            s++;
        if (*s == '"') {
            char *q = strrchr(s + 1, '"');
            if (q)
                snprintf(out, len, "%.*s", (int)(q - s - 1), s + 1);
        } else {
            snprintf(out, len, "%.*s", (int)(lt - s - 1), s);
        }
    }
    pclose(p);
}

/* Compares every range start, end, middle and the neighbours of each against the model. */
static int compare_all(const char *dbpath, const ref *r, int n, int asn, int use_tool)
{
    MMDB_s db;
    int bad = 0, probes = 0, tool_probes = 0;
    if (MMDB_open(dbpath, MMDB_MODE_MMAP, &db) != MMDB_SUCCESS)
        return -1;
    for (int i = 0; i < n; i++) {
        u128 max = r[i].fam == 4 ? 0xffffffffu : ~(u128)0;
        u128 pts[5] = {r[i].s, r[i].e, r[i].s + (r[i].e - r[i].s) / 2, r[i].s - 1, r[i].e + 1};
        int np = 3 + (r[i].s > 0) + (r[i].e < max);
        if (r[i].s == 0)
            pts[3] = pts[4];
        for (int k = 0; k < np; k++) {
            char ip[64], got[256];
            from_u(r[i].fam, pts[k], ip, sizeof ip);
            const char *exp = ref_lookup(r, n, r[i].fam, pts[k]);
            mmdb_value(&db, ip, asn, got, sizeof got);
            probes++;
            if (strcmp(got, exp ? exp : "") != 0) {
                fprintf(stderr, "%s: %s -> '%s' expected '%s'\n", dbpath, ip, got, exp ? exp : "");
                bad++;
            }
            if (use_tool) {
                char t[256];
                tool_probes++;
                if (asn) {
                    tool_value(dbpath, ip, "autonomous_system_number", t, sizeof t);
                    if (exp ? strtoul(exp, NULL, 10) != strtoul(t, NULL, 10) : t[0] != '\0') {
                        fprintf(stderr, "mmdblookup %s -> '%s' expected '%s'\n", ip, t,
                                exp ? exp : "");
                        bad++;
                    }
                } else {
                    tool_value(dbpath, ip, "country iso_code", t, sizeof t);
                    if (strcmp(t, exp ? exp : "") != 0) {
                        fprintf(stderr, "mmdblookup %s -> '%s' expected '%s'\n", ip, t,
                                exp ? exp : "");
                        bad++;
                    }
                }
            }
        }
    }
    MMDB_close(&db);
    if (use_tool)
        printf("%s: %d libmaxminddb probes, %d mmdblookup probes\n", dbpath, probes, tool_probes);
    return bad;
}

static void tmpname(char *buf, size_t len, const char *tag)
{
    snprintf(buf, len, "/tmp/dt_test_mmdbw_%ld_%s.mmdb", (long)getpid(), tag);
}

static void test_asn_fixture(int tool)
{
    char csv[512], out[256], err[256] = "";
    long nl = 0, nb = 0;
    snprintf(csv, sizeof csv, "%s/geo/asn-small.csv", tdir());
    tmpname(out, sizeof out, "asn");
    dt_mmdbw *w = dt_mmdbw_new();
    CHECK(w != NULL);
    CHECK_EQ_INT(dt_mmdbw_load_csv(w, csv, DT_MMDB_ASN, 0, &nl, &nb, err, sizeof err), 0);
    CHECK_EQ_INT(nl, 18);
    CHECK_EQ_INT(nb, 0);
    CHECK_EQ_INT(dt_mmdbw_record_count(w), 13); /* identical records stored once */
    dt_mmdbw_meta m = {"datatrail-ASN", "test fixture", "Test attribution", 1700000000};
    CHECK_EQ_INT(dt_mmdbw_write(w, out, &m, err, sizeof err), 0);
    CHECK_EQ_INT(dt_mmdbw_record_size(w), 24);
    size_t nodes = dt_mmdbw_node_count(w);
    dt_mmdbw_free(w);

    ref r[64];
    int n = load_ref(csv, 1, r, 64);
    CHECK_EQ_INT(n, 18);
    CHECK_EQ_INT(compare_all(out, r, n, 1, tool), 0);

    MMDB_s db;
    CHECK_EQ_INT(MMDB_open(out, MMDB_MODE_MMAP, &db), MMDB_SUCCESS);
    CHECK_EQ_STR(db.metadata.database_type, "datatrail-ASN");
    CHECK_EQ_INT(db.metadata.ip_version, 6);
    CHECK_EQ_INT(db.metadata.record_size, 24);
    CHECK_EQ_INT(db.metadata.node_count, nodes);
    CHECK_EQ_INT(db.metadata.build_epoch, 1700000000);
    CHECK_EQ_INT(db.metadata.binary_format_major_version, 2);
    CHECK_EQ_INT(db.metadata.description.count, 2);
    CHECK_EQ_STR(db.metadata.description.descriptions[0]->language, "en");
    CHECK_EQ_STR(db.metadata.description.descriptions[0]->description, "Test attribution");
    CHECK_EQ_INT(db.metadata.languages.count, 1);
    MMDB_close(&db);

    char got[256];
    CHECK_EQ_INT(MMDB_open(out, MMDB_MODE_MMAP, &db), MMDB_SUCCESS);
    mmdb_value(&db, "5.5.5.5", 1, got, sizeof got);
    CHECK_EQ_STR(got, "64500|Quoted \"Name\" Networks");
    mmdb_value(&db, "1.0.100.1", 1, got, sizeof got);
    CHECK_EQ_STR(got, "18144|Enecom,Inc.");
    mmdb_value(&db, "::ffff:1.1.1.1", 1, got, sizeof got); /* IPv4-mapped alias */
    CHECK_EQ_STR(got, "13335|Example Cloud, Inc.");
    mmdb_value(&db, "::1.1.1.1", 1, got, sizeof got);
    CHECK_EQ_STR(got, "13335|Example Cloud, Inc.");
    mmdb_value(&db, "10.0.0.0", 1, got, sizeof got);
    CHECK_EQ_STR(got, "64501|Odd Range Across Octets");
    mmdb_value(&db, "11.0.1.0", 1, got, sizeof got);
    CHECK_EQ_STR(got, "");
    mmdb_value(&db, "2c0f:fff8::1", 1, got, sizeof got);
    CHECK_EQ_STR(got, "37105|Neology, \"Example\" (Pty) Ltd");
    mmdb_value(&db, "2606:4700::", 1, got, sizeof got);
    CHECK_EQ_STR(got, "");
    MMDB_close(&db);
    if (tool) {
        tool_value(out, "2001:4:112::53", "autonomous_system_organization", got, sizeof got);
        CHECK_EQ_STR(got, "DNS-OARC");
    }
    unlink(out);
}

static void test_country_fixture(int tool)
{
    char csv[512], out[256], err[256] = "";
    long nl = 0;
    snprintf(csv, sizeof csv, "%s/geo/country-small.csv", tdir());
    tmpname(out, sizeof out, "country");
    dt_mmdbw *w = dt_mmdbw_new();
    CHECK_EQ_INT(dt_mmdbw_load_csv(w, csv, DT_MMDB_COUNTRY, 0, &nl, NULL, err, sizeof err), 0);
    CHECK_EQ_INT(nl, 13);
    CHECK_EQ_INT(dt_mmdbw_record_count(w), 7);
    dt_mmdbw_meta m = {"datatrail-Country", NULL, NULL, 1};
    CHECK_EQ_INT(dt_mmdbw_write(w, out, &m, err, sizeof err), 0);
    dt_mmdbw_free(w);
    ref r[64];
    int n = load_ref(csv, 0, r, 64);
    CHECK_EQ_INT(n, 13);
    CHECK_EQ_INT(compare_all(out, r, n, 0, tool), 0);
    MMDB_s db;
    char got[64];
    CHECK_EQ_INT(MMDB_open(out, MMDB_MODE_MMAP, &db), MMDB_SUCCESS);
    mmdb_value(&db, "2.16.1.1", 0, got, sizeof got);
    CHECK_EQ_STR(got, "DE"); /* lower case in the CSV is normalised */
    MMDB_close(&db);
    unlink(out);
}

static void test_overlap_and_errors(void)
{
    char csv[512], out[256], err[256] = "", got[256];
    long nl = 0, nb = 0;
    snprintf(csv, sizeof csv, "%s/geo/overlap.csv", tdir());
    tmpname(out, sizeof out, "overlap");
    dt_mmdbw *w = dt_mmdbw_new();
    CHECK_EQ_INT(dt_mmdbw_load_csv(w, csv, DT_MMDB_ASN, 0, &nl, &nb, err, sizeof err), 0);
    CHECK_EQ_INT(dt_mmdbw_write(w, out, NULL, err, sizeof err), 0);
    dt_mmdbw_free(w);
    MMDB_s db;
    CHECK_EQ_INT(MMDB_open(out, MMDB_MODE_MMAP, &db), MMDB_SUCCESS);
    mmdb_value(&db, "10.1.0.5", 1, got, sizeof got);
    CHECK_EQ_STR(got, "2|Small Later Wins");
    mmdb_value(&db, "10.1.1.0", 1, got, sizeof got);
    CHECK_EQ_STR(got, "1|Big");
    mmdb_value(&db, "10.0.255.255", 1, got, sizeof got);
    CHECK_EQ_STR(got, "1|Big");
    MMDB_close(&db);
    unlink(out);

    /* Errors name file and line; --skip-bad counts instead. */
    char expect[600];
    snprintf(csv, sizeof csv, "%s/geo/bad.csv", tdir());
    w = dt_mmdbw_new();
    CHECK_EQ_INT(dt_mmdbw_load_csv(w, csv, DT_MMDB_ASN, 0, &nl, &nb, err, sizeof err), -1);
    snprintf(expect, sizeof expect, "%s:2: start address after end address", csv);
    CHECK_EQ_STR(err, expect);
    dt_mmdbw_free(w);

    snprintf(csv, sizeof csv, "%s/geo/bad-many.csv", tdir());
    w = dt_mmdbw_new();
    nl = nb = 0;
    CHECK_EQ_INT(dt_mmdbw_load_csv(w, csv, DT_MMDB_ASN, 0, &nl, &nb, err, sizeof err), -1);
    snprintf(expect, sizeof expect, "%s:2: start and end differ in address family", csv);
    CHECK_EQ_STR(err, expect);
    dt_mmdbw_free(w);
    w = dt_mmdbw_new();
    nl = nb = 0;
    CHECK_EQ_INT(dt_mmdbw_load_csv(w, csv, DT_MMDB_ASN, 1, &nl, &nb, err, sizeof err), 0);
    CHECK_EQ_INT(nl, 2);
    CHECK_EQ_INT(nb, 3);
    dt_mmdbw_free(w);
    w = dt_mmdbw_new();
    CHECK_EQ_INT(
        dt_mmdbw_load_csv(w, "/nonexistent/x.csv", DT_MMDB_ASN, 0, NULL, NULL, err, sizeof err),
        -1);
    CHECK(strstr(err, "/nonexistent/x.csv: ") == err);
    dt_mmdbw_free(w);

    /* API misuse */
    w = dt_mmdbw_new();
    dt_addr a, b;
    uint8_t rec[] = {0xE0};
    dt_addr_parse("1.2.3.4", &a);
    dt_addr_parse("::1", &b);
    CHECK_EQ_INT(dt_mmdbw_add_range(w, &a, &b, rec, 1), -1);
    dt_addr_parse("1.2.3.3", &b);
    CHECK_EQ_INT(dt_mmdbw_add_range(w, &a, &b, rec, 1), -1);
    CHECK_EQ_INT(dt_mmdbw_add_range(w, &b, &a, rec, 0), -1);
    CHECK_EQ_INT(dt_mmdbw_add_range(w, &b, &a, rec, 1), 0);
    dt_mmdbw_free(w);
}

/* Enough distinct data to need 28-bit records, and whole-space ranges. */
static void test_large(void)
{
    char out[256], err[256] = "", got[400];
    tmpname(out, sizeof out, "large");
    dt_mmdbw *w = dt_mmdbw_new();
    uint8_t mem[512];
    char org[300];
    dt_addr s, e;
    dt_addr_parse("::", &s);
    dt_addr_parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", &e);
    dt_mmdb_buf b;
    dt_mmdb_buf_init(&b, mem, sizeof mem);
    dt_mmdb_rec_asn(&b, 7, "everything");
    CHECK_EQ_INT(dt_mmdbw_add_range(w, &s, &e, b.p, b.len), 0);
    const int N = 70000;
    for (int i = 0; i < N; i++) {
        uint8_t p[4] = {20 + (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i, 0};
        dt_addr_set4(&s, p);
        p[3] = 255;
        dt_addr_set4(&e, p);
        snprintf(org, sizeof org, "Org %d %0240d", i, i);
        dt_mmdb_buf_init(&b, mem, sizeof mem);
        if (dt_mmdb_rec_asn(&b, (uint32_t)i + 100000, org) != 0 ||
            dt_mmdbw_add_range(w, &s, &e, b.p, b.len) != 0) {
            CHECK(0);
            break;
        }
    }
    CHECK_EQ_INT(dt_mmdbw_record_count(w), N + 1);
    CHECK_EQ_INT(dt_mmdbw_write(w, out, NULL, err, sizeof err), 0);
    CHECK_EQ_INT(dt_mmdbw_record_size(w), 28);
    dt_mmdbw_free(w);
    MMDB_s db;
    CHECK_EQ_INT(MMDB_open(out, MMDB_MODE_MMAP, &db), MMDB_SUCCESS);
    CHECK_EQ_INT(db.metadata.record_size, 28);
    int bad = 0;
    for (int i = 0; i < N; i += 997) {
        char ip[32], exp[400];
        snprintf(ip, sizeof ip, "%d.%d.%d.%d", 20 + (i >> 16), (i >> 8) & 255, i & 255, i % 256);
        snprintf(exp, sizeof exp, "%d|Org %d %0240d", i + 100000, i, i);
        mmdb_value(&db, ip, 1, got, sizeof got);
        if (strcmp(got, exp) != 0) {
            fprintf(stderr, "%s -> %.40s\n", ip, got);
            bad++;
        }
    }
    CHECK_EQ_INT(bad, 0);
    mmdb_value(&db, "19.255.255.255", 1, got, sizeof got);
    CHECK_EQ_STR(got, "7|everything");
    mmdb_value(&db, "2001:db8::1", 1, got, sizeof got);
    CHECK_EQ_STR(got, "7|everything");
    mmdb_value(&db, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 1, got, sizeof got);
    CHECK_EQ_STR(got, "7|everything");
    MMDB_close(&db);
    unlink(out);
}

static int files_equal(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    int eq = fa && fb;
    while (eq) {
        int ca = fgetc(fa), cb = fgetc(fb);
        eq = ca == cb;
        if (ca == EOF)
            break;
    }
    if (fa)
        fclose(fa);
    if (fb)
        fclose(fb);
    return eq;
}

/* CRLF, comments, a header line, an over-long line; identical input gives identical bytes. */
static void test_csv_edges_and_determinism(void)
{
    char csv[256], out1[256], out2[256], err[256] = "", got[64];
    snprintf(csv, sizeof csv, "/tmp/dt_test_mmdbw_%ld_edges.csv", (long)getpid());
    FILE *f = fopen(csv, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs("ip_range_start,ip_range_end,country_code\r\n", f);
    fputs("# comment\r\n\r\n", f);
    fputs("1.2.3.0,1.2.3.255,se\r\n", f);
    fputs("9.9.9.0,9.9.9.255,", f);
    for (int i = 0; i < 5000; i++)
        fputc('X', f);
    fputs("\n", f);
    fputs("2001:67c::,2001:67c:ffff:ffff:ffff:ffff:ffff:ffff,NO\n", f);
    fputs("4.4.4.4,4.4.4.4,USA\n", f);
    fclose(f);
    tmpname(out1, sizeof out1, "det1");
    tmpname(out2, sizeof out2, "det2");
    long nl = 0, nb = 0;
    dt_mmdbw *w = dt_mmdbw_new();
    CHECK_EQ_INT(dt_mmdbw_load_csv(w, csv, DT_MMDB_COUNTRY, 0, &nl, &nb, err, sizeof err), -1);
    char expect[600];
    snprintf(expect, sizeof expect, "%s:5: line too long", csv);
    CHECK_EQ_STR(err, expect);
    dt_mmdbw_free(w);
    for (int k = 0; k < 2; k++) {
        w = dt_mmdbw_new();
        nl = nb = 0;
        CHECK_EQ_INT(dt_mmdbw_load_csv(w, csv, DT_MMDB_COUNTRY, 1, &nl, &nb, err, sizeof err), 0);
        CHECK_EQ_INT(nl, 2);
        CHECK_EQ_INT(nb, 2);
        dt_mmdbw_meta m = {"datatrail-Country", "d", "a", 1234567890};
        CHECK_EQ_INT(dt_mmdbw_write(w, k ? out2 : out1, &m, err, sizeof err), 0);
        dt_mmdbw_free(w);
    }
    CHECK(files_equal(out1, out2));
    MMDB_s db;
    CHECK_EQ_INT(MMDB_open(out1, MMDB_MODE_MMAP, &db), MMDB_SUCCESS);
    mmdb_value(&db, "1.2.3.4", 0, got, sizeof got);
    CHECK_EQ_STR(got, "SE");
    mmdb_value(&db, "2001:67c:1::1", 0, got, sizeof got);
    CHECK_EQ_STR(got, "NO");
    mmdb_value(&db, "9.9.9.9", 0, got, sizeof got);
    CHECK_EQ_STR(got, "");
    MMDB_close(&db);
    unlink(out1);
    unlink(out2);
    unlink(csv);
}

int main(void)
{
    int tool = have_mmdblookup();
    if (!tool)
        printf("mmdblookup not found: skipping the mmdblookup cross-check\n");
    test_encoding();
    test_asn_fixture(tool);
    test_country_fixture(tool);
    test_overlap_and_errors();
    test_csv_edges_and_determinism();
    test_large();
    return check_done();
}
