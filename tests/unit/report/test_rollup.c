/* Rollups over hand-written flow objects: totals, sort order, rhythm, merge
 * equivalence (of reports and of parts), local flows, hostile input. */
#include "report/rollup.h"
#include "report/reader.h"

#include "check.h"

#include <stdlib.h>
#include <string.h>

/* ---- the rollup's JSON, parsed back (the checks read cJSON trees) ---- */

/* Adds one flow object: 0, 1 when it is not usable, -1 when out of memory. */
static int dt_rollup_add_flow(dt_rollup *r, const cJSON *flow)
{
    dt_rollup_flow f;
    if (!r || dt_reader_rollup_flow(flow, &f) != 0)
        return 1;
    return dt_rollup_add(r, &f) ? -1 : 0;
}

static cJSON *parse_fw(dt_fw *f)
{
    cJSON *o = f->w.buf ? cJSON_Parse(f->w.buf) : NULL;
    CHECK(o != NULL);
    dt_fw_free(f);
    return o;
}

static cJSON *dt_rollup_transfers_json(const dt_rollup *r)
{
    dt_fw f;
    dt_fw_init(&f, NULL);
    dt_rollup_write_transfers(r, &f);
    return parse_fw(&f);
}

static void set_item(cJSON *o, const char *key, cJSON *v)
{
    cJSON_DeleteItemFromObjectCaseSensitive(o, key);
    cJSON_AddItemToObject(o, key, v);
}

/* The tables at the top level of report and the summary members the
 * rollups add into report["summary"] (replacing earlier ones). */
static void dt_rollup_write(const dt_rollup *r, cJSON *report)
{
    dt_fw f;
    dt_fw_init(&f, NULL);
    dt_fw_obj_begin(&f);
    CHECK_EQ_INT(dt_rollup_write_summary(r, &f), 0);
    dt_fw_obj_end(&f);
    cJSON *add = parse_fw(&f);
    cJSON *sum = cJSON_GetObjectItemCaseSensitive(report, "summary");
    if (!cJSON_IsObject(sum)) {
        sum = cJSON_CreateObject();
        set_item(report, "summary", sum);
    }
    cJSON *it;
    while ((it = add->child) != NULL) {
        cJSON_DetachItemViaPointer(add, it);
        set_item(sum, it->string, it);
    }
    cJSON_Delete(add);
    static const dt_ru_table t[] = {DT_RU_COUNTRIES, DT_RU_ORGS,    DT_RU_COMPANIES,
                                    DT_RU_HOSTING,   DT_RU_DOMAINS, DT_RU_ENDPOINTS};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        dt_fw_init(&f, NULL);
        CHECK_EQ_INT(dt_rollup_write_table(r, t[i], &f), 0);
        set_item(report, dt_rollup_table_name(t[i]), parse_fw(&f));
    }
}

/* A flow from local 192.168.1.10 to ip:port with the given enrichment. */
static cJSON *flow(const char *ip, int port, const char *app, const char *name, const char *src,
                   const char *domain, const char *cc, int asn, const char *org,
                   const char *company, const char *company_src, const char *transfer, long up,
                   long down, const char *first_seen)
{
    static char buf[65536];
    char asn_s[16] = "null", rcp[16384] = "null", host[16384] = "null";
    if (asn)
        snprintf(asn_s, sizeof asn_s, "%d", asn);
    if (company)
        snprintf(rcp, sizeof rcp,
                 "{\"name\":\"%s\",\"identified\":%s,\"evidence\":\"%s\",\"matched\":null,"
                 "\"category\":%s,\"party\":null}",
                 company, strcmp(company_src, "unidentified") ? "true" : "false", company_src,
                 strstr(company, "Maker") ? "\"car_maker\"" : "null");
    if (org)
        snprintf(host, sizeof host,
                 "{\"name\":\"%s\",\"evidence\":\"asn\",\"matched\":\"AS%d %s\",\"category\":"
                 "null}",
                 org, asn, org);
#define Q(s) (s) ? "\"" : "", (s) ? (s) : "null", (s) ? "\"" : ""
    snprintf(buf, sizeof buf,
             "{\"proto\":\"tcp\",\"app\":\"%s\","
             "\"client\":{\"ip\":\"192.168.1.10\",\"port\":40000,\"local\":true,\"packets\":3,"
             "\"bytes\":%ld,\"payload\":0},"
             "\"server\":{\"ip\":\"%s\",\"port\":%d,\"local\":false,\"packets\":2,\"bytes\":%ld,"
             "\"payload\":0,\"name\":%s%s%s,\"name_source\":%s%s%s,\"country\":%s%s%s,"
             "\"asn\":%s,\"org\":%s%s%s,\"class\":null,\"domain\":%s%s%s,\"recipient\":%s,"
             "\"host\":%s,\"transfer\":\"%s\"},"
             "\"first_seen\":\"%s\",\"last_seen\":\"%s\",\"tcp\":null,\"tunnel\":null,"
             "\"input\":\"x.pcap\",\"end\":\"closed\",\"tls\":%s,\"quic\":null,\"http\":%s,"
             "\"dns\":null}",
             app, up, ip, port, down, Q(name), Q(src), Q(cc), asn_s, Q(org), Q(domain), rcp, host,
             transfer, first_seen, first_seen,
             !strcmp(app, "tls") && name ? "{\"sni\":null,\"alpn\":[]}" : "null",
             !strcmp(app, "http") ? "{\"host\":\"Plain.Example.COM:8080\",\"method\":\"GET\"}"
                                  : "null");
#undef Q
    cJSON *o = cJSON_Parse(buf);
    if (!o)
        fprintf(stderr, "bad literal: %s\n", buf);
    return o;
}

static void add(dt_rollup *r, cJSON *f)
{
    CHECK(f != NULL);
    CHECK_EQ_INT(dt_rollup_add_flow(r, f), 0);
    cJSON_Delete(f);
}

/* Appends f to the flow array a (the sets are built as arrays of flows). */
static void push(cJSON *a, cJSON *f)
{
    CHECK(f != NULL);
    cJSON_AddItemToArray(a, f);
}

static void add_all(dt_rollup *r, const cJSON *flows)
{
    const cJSON *f;
    cJSON_ArrayForEach(f, flows) CHECK_EQ_INT(dt_rollup_add_flow(r, f), 0);
}

/* Set A: three countries, two companies, one plaintext HTTP flow. */
static cJSON *set_a(void)
{
    cJSON *r = cJSON_CreateArray();
    push(r, flow("142.250.1.1", 443, "tls", "www.google.com", "tls_sni", "google.com", "US", 15169,
                 "GOOGLE", "Google", "domain", "third_country", 1000, 5000,
                 "2022-10-24T08:00:00.000000Z"));
    push(r, flow("142.250.1.1", 443, "tls", "maps.google.com", "tls_sni", "google.com", "US", 15169,
                 "GOOGLE", "Google", "domain", "third_country", 500, 100,
                 "2022-10-24T08:01:00.000000Z"));
    push(r, flow("3.120.0.5", 8883, "tls", "a1.iot.eu-central-1.amazonaws.com", "tls_sni",
                 "amazonaws.com", "DE", 16509, "AMAZON-02", "Amazon", "cert", "eea", 1500, 10,
                 "2022-10-24T08:02:00.000000Z"));
    push(r, flow("93.184.216.34", 8080, "http", "plain.example.com", "http_host", "example.com",
                 "US", 15133, "EDGECAST", "example.com", "unidentified", "third_country", 200, 300,
                 "2022-10-24T08:03:00.000000Z"));
    return r;
}

/* Set B: an unknown-country flow, a local one, a beacon to 1.2.3.4. */
static cJSON *set_b(void)
{
    cJSON *r = cJSON_CreateArray();
    push(r, flow("203.0.113.9", 5000, "unknown", NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL,
                 "unknown", 70, 7, "2022-10-24T08:04:00.000000Z"));
    cJSON *l = cJSON_Parse("{\"proto\":\"udp\",\"app\":\"dns\",\"client\":{\"ip\":\"192.168.1.10\","
                           "\"port\":5353,\"local\":true,\"bytes\":80},\"server\":{\"ip\":"
                           "\"192.168.1.1\",\"port\":53,\"local\":true,\"bytes\":120,"
                           "\"transfer\":\"local\"},\"first_seen\":\"2022-10-24T08:04:30Z\"}");
    push(r, l);
    /* ten connections 60 s apart, given out of order */
    static const int order[10] = {3, 0, 9, 1, 2, 8, 4, 5, 7, 6};
    for (int i = 0; i < 10; i++) {
        char ts[64];
        int m = 10 + order[i];
        snprintf(ts, sizeof ts, "2022-10-24T08:%02d:00.5Z", m);
        push(r, flow("1.2.3.4", 443, "tls", "beacon.tracker.io", "dns", "tracker.io", "US", 64500,
                     "TRACKER", "Tracker Inc", "domain", "third_country", 10, 20, ts));
    }
    return r;
}

static const cJSON *at(const cJSON *o, const char *key, int i)
{
    return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(o, key), i);
}

static const char *s_of(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double n_of(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

static const cJSON *find(const cJSON *arr, const char *k, const char *v)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, arr)
    {
        const char *s = s_of(it, k);
        if (s && !strcmp(s, v))
            return it;
    }
    return NULL;
}

/* The rollup of set A then set B, written into a report with a summary. */
static cJSON *build(void)
{
    cJSON *rep = cJSON_CreateObject();
    cJSON_AddObjectToObject(rep, "summary");
    dt_rollup *r = dt_rollup_new();
    cJSON *a = set_a(), *b = set_b();
    add_all(r, a);
    add_all(r, b);
    cJSON_Delete(a);
    cJSON_Delete(b);
    dt_rollup_write(r, rep);
    dt_rollup_free(r);
    return rep;
}

static void test_totals(void)
{
    cJSON *rep = build();
    const cJSON *sum = cJSON_GetObjectItemCaseSensitive(rep, "summary");
    /* up: 1000+500+1500+200+70+80(local)+10*10 */
    CHECK_EQ_INT(n_of(sum, "bytes_up"), 3450);
    CHECK_EQ_INT(n_of(sum, "bytes_down"), 5000 + 100 + 10 + 300 + 7 + 120 + 200);
    CHECK_EQ_INT(n_of(sum, "local_flows"), 1);
    CHECK_EQ_INT(n_of(sum, "remote_addresses"), 5);
    CHECK_EQ_INT(n_of(sum, "remote_names"), 5);
    CHECK_EQ_INT(n_of(sum, "domains"), 4);
    CHECK_EQ_INT(n_of(sum, "countries"), 2);
    CHECK_EQ_INT(n_of(sum, "organizations"), 4);
    CHECK_EQ_INT(n_of(sum, "companies"), 4);
    const cJSON *enc = cJSON_GetObjectItemCaseSensitive(sum, "encryption");
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(enc, "encrypted");
    CHECK_EQ_INT(n_of(e, "flows"), 13);
    CHECK_EQ_INT(n_of(e, "bytes_up"), 3100);
    CHECK_EQ_INT(n_of(cJSON_GetObjectItemCaseSensitive(enc, "plaintext"), "bytes_up"), 200);
    CHECK_EQ_INT(n_of(cJSON_GetObjectItemCaseSensitive(enc, "unknown"), "flows"), 1);
    const cJSON *pd = at(sum, "plaintext_destinations", 0);
    CHECK_EQ_STR(s_of(pd, "destination"), "plain.example.com");
    CHECK_EQ_INT(n_of(pd, "port"), 8080);
    CHECK_EQ_STR(s_of(pd, "app"), "http");
    CHECK_EQ_INT(n_of(pd, "bytes_up"), 200);
    CHECK_EQ_INT(
        cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(sum, "plaintext_destinations")), 1);

    /* countries: US 1000+500+200+100 = 1800 > DE 1500 > unknown 70 */
    const cJSON *us = at(rep, "countries", 0);
    CHECK_EQ_STR(s_of(us, "code"), "US");
    CHECK_EQ_STR(s_of(us, "name"), "United States");
    CHECK_EQ_STR(s_of(us, "transfer"), "third_country");
    CHECK_EQ_INT(n_of(us, "bytes_up"), 1800);
    CHECK_EQ_INT(n_of(us, "bytes_down"), 5100 + 300 + 200);
    CHECK_EQ_INT(n_of(us, "flows"), 13);
    CHECK_EQ_INT(n_of(us, "endpoints"), 3);
    CHECK_EQ_STR(s_of(at(us, "top_organizations", 0), "name"), "GOOGLE");
    CHECK_EQ_INT(n_of(at(us, "top_organizations", 0), "bytes_up"), 1500);
    CHECK_EQ_STR(s_of(at(us, "top_organizations", 1), "name"), "EDGECAST");
    CHECK_EQ_STR(s_of(at(us, "top_domains", 2), "domain"), "tracker.io");
    CHECK_EQ_STR(s_of(at(rep, "countries", 1), "code"), "DE");
    const cJSON *unk = at(rep, "countries", 2);
    CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(unk, "code")));
    CHECK_EQ_INT(n_of(unk, "bytes_up"), 70);
    CHECK_EQ_INT(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(rep, "countries")), 3);

    /* organizations by ASN: Google 1500 == Amazon 1500 -> by ASN */
    const cJSON *o0 = at(rep, "organizations", 0);
    CHECK_EQ_INT(n_of(o0, "asn"), 15169);
    CHECK_EQ_STR(s_of(o0, "org"), "GOOGLE");
    CHECK_EQ_STR(
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(o0, "countries"), 0)->valuestring,
        "US");
    CHECK_EQ_INT(n_of(o0, "endpoints"), 1);
    CHECK_EQ_INT(n_of(o0, "flows"), 2);
    CHECK_EQ_INT(n_of(at(rep, "organizations", 1), "asn"), 16509);
    CHECK_EQ_INT(n_of(at(rep, "organizations", 2), "asn"), 15133);
    /* the tracker's ASN 64500 (100 up) sorts before the key-less flow's none */
    CHECK_EQ_INT(n_of(at(rep, "organizations", 3), "asn"), 64500);

    /* companies: Amazon 1500 == Google 1500 -> by name; example.com 200; Tracker 100 */
    CHECK_EQ_STR(s_of(at(rep, "companies", 0), "name"), "Amazon");
    CHECK_EQ_STR(s_of(at(rep, "companies", 1), "name"), "Google");
    CHECK_EQ_STR(s_of(at(rep, "companies", 2), "name"), "example.com");
    CHECK(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(at(rep, "companies", 2), "identified")));
    CHECK_EQ_STR(s_of(at(rep, "companies", 3), "name"), "Tracker Inc");
    const cJSON *g = at(rep, "companies", 1);
    CHECK_EQ_STR(
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(g, "evidence"), 0)->valuestring,
        "domain");
    CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(g, "identified")));
    CHECK_EQ_STR(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(g, "domains"), 0)->valuestring,
                 "google.com");
    CHECK_EQ_STR(
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(at(rep, "companies", 0), "evidence"), 0)
            ->valuestring,
        "cert");
    /* hosting networks: by ASN organisation, with the recipients they host */
    const cJSON *h0 = at(rep, "hosting", 0);
    CHECK_EQ_STR(s_of(h0, "name"), "AMAZON-02"); /* 1500 == GOOGLE's 1500: by name */
    CHECK_EQ_INT(n_of(h0, "bytes_up"), 1500);
    CHECK_EQ_INT(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(h0, "asns"), 0)->valuedouble,
                 16509);
    CHECK_EQ_STR(at(h0, "recipients", 0)->valuestring, "Amazon");
    CHECK_EQ_STR(s_of(at(rep, "hosting", 2), "name"), "EDGECAST");
    CHECK_EQ_STR(at(at(rep, "hosting", 2), "recipients", 0)->valuestring, "example.com");
    CHECK_EQ_INT(n_of(sum, "hosting_networks"), 4);
    /* named public flows: all but the unnamed one; identified: all but example.com */
    const cJSON *idf = cJSON_GetObjectItemCaseSensitive(sum, "recipients_identified");
    CHECK_EQ_INT(n_of(idf, "named_flows"), 14);
    CHECK_EQ_INT(n_of(idf, "flows"), 13);
    CHECK_EQ_INT(n_of(idf, "named_bytes_up"), 3300);
    CHECK_EQ_INT(n_of(idf, "bytes_up"), 3100);

    /* domains: names and where they were seen */
    const cJSON *doms = cJSON_GetObjectItemCaseSensitive(rep, "domains");
    const cJSON *gd = find(doms, "domain", "google.com");
    CHECK(gd != NULL);
    CHECK_EQ_INT(n_of(gd, "flows"), 2);
    CHECK_EQ_STR(s_of(gd, "recipient"), "Google");
    CHECK_EQ_STR(s_of(at(gd, "names", 0), "name"), "www.google.com");
    CHECK_EQ_STR(s_of(at(gd, "names", 1), "name"), "maps.google.com");
    const cJSON *ex = find(doms, "domain", "example.com");
    CHECK(ex != NULL);
    /* "Plain.Example.COM:8080" (Host) folds into the HTTP name */
    CHECK_EQ_INT(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(ex, "names")), 1);
    CHECK_EQ_STR(
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(at(ex, "names", 0), "seen_in"), 0)
            ->valuestring,
        "http");
    CHECK_EQ_STR(s_of(cJSON_GetArrayItem(doms, 0), "domain"), "amazonaws.com");

    /* endpoints */
    const cJSON *eps = cJSON_GetObjectItemCaseSensitive(rep, "endpoints");
    CHECK_EQ_STR(s_of(cJSON_GetArrayItem(eps, 0), "ip"), "142.250.1.1");
    const cJSON *g1 = cJSON_GetArrayItem(eps, 0);
    CHECK_EQ_INT(n_of(g1, "bytes_up"), 1500);
    CHECK_EQ_INT(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(g1, "names")), 2);
    CHECK_EQ_INT(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(g1, "ports"), 0)->valuedouble,
                 443);
    CHECK_EQ_STR(s_of(g1, "first_seen"), "2022-10-24T08:00:00.000000Z");
    CHECK_EQ_STR(s_of(g1, "last_seen"), "2022-10-24T08:01:00.000000Z");
    CHECK_EQ_STR(s_of(g1, "country"), "US");
    CHECK_EQ_INT(n_of(g1, "asn"), 15169);
    const cJSON *b = find(eps, "ip", "1.2.3.4");
    CHECK(b != NULL);
    const cJSON *rh = cJSON_GetObjectItemCaseSensitive(b, "rhythm");
    CHECK_EQ_INT(n_of(rh, "connections"), 10);
    CHECK(n_of(rh, "interval_median_s") == 60.0);
    CHECK(n_of(rh, "interval_mad_s") == 0.0);
    CHECK(n_of(rh, "interval_min_s") == 60.0);
    CHECK(n_of(rh, "interval_max_s") == 60.0);
    CHECK_EQ_STR(s_of(b, "first_seen"), "2022-10-24T08:10:00.500000Z");
    CHECK_EQ_STR(s_of(b, "last_seen"), "2022-10-24T08:19:00.500000Z");
    /* one connection: no intervals */
    const cJSON *one = find(eps, "ip", "203.0.113.9");
    CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(one, "rhythm"), "interval_median_s")));
    /* the local flow is in no remote rollup */
    CHECK(find(eps, "ip", "192.168.1.1") == NULL);
    CHECK_EQ_INT(cJSON_GetArraySize(eps), 5);
    cJSON_Delete(rep);
}

/* Beacon with jitter: median and MAD of 59,60,60,61,90 s intervals. */
static void test_rhythm_spread(void)
{
    dt_rollup *r = dt_rollup_new();
    static const int t[] = {0, 59, 119, 179, 240, 330};
    for (int i = 0; i < 6; i++) {
        char ts[64];
        snprintf(ts, sizeof ts, "2022-10-24T09:%02d:%02dZ", t[i] / 60, t[i] % 60);
        add(r, flow("5.6.7.8", 443, "tls", NULL, NULL, NULL, "FR", 0, NULL, NULL, NULL, "eea", 1, 1,
                    ts));
    }
    cJSON *rep = cJSON_CreateObject();
    dt_rollup_write(r, rep);
    dt_rollup_free(r);
    const cJSON *rh = cJSON_GetObjectItemCaseSensitive(at(rep, "endpoints", 0), "rhythm");
    /* intervals 59,60,60,61,90 -> median 60; deviations 1,0,0,1,30 -> MAD 1 */
    CHECK(n_of(rh, "interval_median_s") == 60.0);
    CHECK(n_of(rh, "interval_mad_s") == 1.0);
    CHECK(n_of(rh, "interval_min_s") == 59.0);
    CHECK(n_of(rh, "interval_max_s") == 90.0);
    /* across a leap day and a year end: 2000-02-28 12:00 -> 2000-03-01 12:00 -> 2001-01-01 */
    dt_rollup *r2 = dt_rollup_new();
    add(r2, flow("5.6.7.9", 443, "tls", NULL, NULL, NULL, "FR", 0, NULL, NULL, NULL, "eea", 1, 1,
                 "2000-02-28T12:00:00Z"));
    add(r2, flow("5.6.7.9", 443, "tls", NULL, NULL, NULL, "FR", 0, NULL, NULL, NULL, "eea", 1, 1,
                 "2000-03-01T12:00:00Z"));
    add(r2, flow("5.6.7.9", 443, "tls", NULL, NULL, NULL, "FR", 0, NULL, NULL, NULL, "eea", 1, 1,
                 "2001-01-01T00:00:00Z"));
    cJSON *rep2 = cJSON_CreateObject();
    dt_rollup_write(r2, rep2);
    dt_rollup_free(r2);
    const cJSON *rh2 = cJSON_GetObjectItemCaseSensitive(at(rep2, "endpoints", 0), "rhythm");
    CHECK(n_of(rh2, "interval_min_s") == 172800.0);
    CHECK(n_of(rh2, "interval_max_s") == 26395200.0); /* 305.5 days */
    CHECK_EQ_STR(s_of(at(rep2, "endpoints", 0), "last_seen"), "2001-01-01T00:00:00.000000Z");
    cJSON_Delete(rep2);
    /* the summary is created when the report has none */
    CHECK(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(rep, "summary")));
    cJSON_Delete(rep);
}

/* Merge: the flows of two reports, serialised and read back as `datatrail
 * merge` does, give the same JSON as one rollup over all flows. */
static void test_merge(void)
{
    cJSON *one = build();
    cJSON *sets[2] = {set_a(), set_b()};
    char *text[2];
    for (int i = 0; i < 2; i++) {
        text[i] = cJSON_PrintUnformatted(sets[i]);
        cJSON_Delete(sets[i]);
    }
    dt_rollup *r = dt_rollup_new();
    for (int i = 0; i < 2; i++) {
        cJSON *back = cJSON_Parse(text[i]);
        CHECK(back != NULL);
        add_all(r, back);
        cJSON_Delete(back);
        free(text[i]);
    }
    cJSON *rep = cJSON_CreateObject();
    cJSON_AddObjectToObject(rep, "summary");
    dt_rollup_write(r, rep);
    dt_rollup_free(r);
    char *a = cJSON_PrintUnformatted(one), *b = cJSON_PrintUnformatted(rep);
    CHECK(a && b && strcmp(a, b) == 0);
    CHECK(a && strstr(a, "\"endpoints\":[{\"ip\":\"142.250.1.1\"") != NULL);
    free(a);
    free(b);
    cJSON_Delete(rep);
    cJSON_Delete(one);
}

/* The rollup of a set of flows, written into a report with a summary and its
 * transfers (as text). */
static char *rollup_text(const dt_rollup *r)
{
    cJSON *rep = cJSON_CreateObject();
    cJSON *sum = cJSON_AddObjectToObject(rep, "summary");
    cJSON_AddItemToObject(sum, "transfers", dt_rollup_transfers_json(r));
    dt_rollup_write(r, rep);
    char *t = cJSON_PrintUnformatted(rep);
    cJSON_Delete(rep);
    return t;
}

/* Rollups of parts (read in parallel) merged in input order equal one rollup
 * over all flows, and merging an empty rollup changes nothing. */
static void test_merge_parts(void)
{
    cJSON *a = set_a(), *b = set_b();
    dt_rollup *one = dt_rollup_new(), *pa = dt_rollup_new(), *pb = dt_rollup_new();
    dt_rollup *all = dt_rollup_new(), *empty = dt_rollup_new();
    add_all(one, a);
    add_all(one, b);
    add_all(pa, a);
    add_all(pb, b);
    CHECK_EQ_INT(dt_rollup_merge(all, empty), 0);
    CHECK_EQ_INT(dt_rollup_merge(all, pa), 0);
    CHECK_EQ_INT(dt_rollup_merge(all, pb), 0);
    CHECK_EQ_INT(dt_rollup_merge(all, empty), 0);
    char *x = rollup_text(one), *y = rollup_text(all);
    CHECK(x && y && strcmp(x, y) == 0);
    /* the transfers count every flow of both sets */
    CHECK(x && strstr(x, "\"third_country\":{\"flows\":") != NULL);
    free(x);
    free(y);
    dt_rollup *rs[] = {one, pa, pb, all, empty};
    for (size_t i = 0; i < sizeof rs / sizeof rs[0]; i++)
        dt_rollup_free(rs[i]);
    cJSON_Delete(a);
    cJSON_Delete(b);
}

/* Endpoints are keyed by binary address and written by their text: ties on
 * bytes_up are broken by that text, texts the binary form would not give
 * back (a report written by hand) are kept as given, and merging parts
 * gives the same. */
static void test_endpoint_keys(void)
{
    static const char *const ips[] = {"10.0.0.9",  "2001:db8::1",     "10.0.0.10", "2001:DB8::1",
                                      "010.1.1.1", "::ffff:1.2.3.4",  "not-an-ip", "10.0.0.9",
                                      "0.0.0.0",   "255.255.255.255", "1.2.3.4.5", "256.1.1.1"};
    static const char *const want[] = {
        "0.0.0.0",     "010.1.1.1",       "1.2.3.4.5", "10.0.0.10",      "10.0.0.9", "2001:DB8::1",
        "2001:db8::1", "255.255.255.255", "256.1.1.1", "::ffff:1.2.3.4", "not-an-ip"};
    size_t n = sizeof ips / sizeof ips[0], nw = sizeof want / sizeof want[0];
    dt_rollup *one = dt_rollup_new(), *pa = dt_rollup_new(), *pb = dt_rollup_new();
    dt_rollup *all = dt_rollup_new();
    for (size_t i = 0; i < n; i++) {
        /* 10.0.0.9 twice: 5 + 5 bytes up, as much as every other endpoint */
        long up = !strcmp(ips[i], "10.0.0.9") ? 5 : 10;
        cJSON *f = flow(ips[i], 443, "tls", "cdn.shared.example", "tls_sni", "example", "US", 64500,
                        "ORG", "Shared", "domain", "third_country", up, 1, "2022-10-24T08:00:00Z");
        CHECK(f != NULL);
        CHECK_EQ_INT(dt_rollup_add_flow(one, f), 0);
        CHECK_EQ_INT(dt_rollup_add_flow(i < n / 2 ? pa : pb, f), 0);
        cJSON_Delete(f);
    }
    CHECK_EQ_INT(dt_rollup_merge(all, pa), 0);
    CHECK_EQ_INT(dt_rollup_merge(all, pb), 0);
    cJSON *rep = cJSON_CreateObject();
    cJSON_AddObjectToObject(rep, "summary");
    dt_rollup_write(one, rep);
    const cJSON *eps = cJSON_GetObjectItemCaseSensitive(rep, "endpoints");
    CHECK_EQ_INT(cJSON_GetArraySize(eps), (int)nw);
    for (size_t i = 0; i < nw; i++) {
        const char *ip = s_of(cJSON_GetArrayItem(eps, (int)i), "ip");
        CHECK(ip && !strcmp(ip, want[i]));
        const cJSON *names =
            cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(eps, (int)i), "names");
        CHECK(names && cJSON_GetArraySize(names) == 1);
    }
    CHECK(n_of(at(rep, "countries", 0), "endpoints") == (double)nw);
    CHECK(n_of(at(rep, "organizations", 0), "endpoints") == (double)nw);
    CHECK(n_of(cJSON_GetObjectItemCaseSensitive(rep, "summary"), "remote_addresses") == (double)nw);
    cJSON *rep2 = cJSON_CreateObject();
    cJSON_AddObjectToObject(rep2, "summary");
    dt_rollup_write(all, rep2);
    char *a = cJSON_PrintUnformatted(rep), *b = cJSON_PrintUnformatted(rep2);
    CHECK(a && b && strcmp(a, b) == 0);
    free(a);
    free(b);
    cJSON_Delete(rep);
    cJSON_Delete(rep2);
    dt_rollup *rs[] = {one, pa, pb, all};
    for (size_t i = 0; i < sizeof rs / sizeof rs[0]; i++)
        dt_rollup_free(rs[i]);
}

/* A memory limit smaller than the flows need: entries are dropped and
 * counted, the totals stay exact, and merging counts the part's drops. */
static void test_limit(void)
{
    dt_rollup *r = dt_rollup_new(), *part = dt_rollup_new(), *all = dt_rollup_new();
    dt_rollup_set_limit(r, 4096);
    dt_rollup_set_limit(part, 4096);
    for (int i = 0; i < 200; i++) {
        char ip[32];
        snprintf(ip, sizeof ip, "8.8.%d.%d", i / 250, i % 250);
        cJSON *f = flow(ip, 443, "tls", NULL, NULL, NULL, "US", 15169, "GOOGLE", NULL, NULL,
                        "third_country", 10, 20, "2022-10-24T08:00:00Z");
        CHECK(f != NULL);
        dt_rollup_add_flow(r, f);
        dt_rollup_add_flow(part, f);
        cJSON_Delete(f);
    }
    CHECK(dt_rollup_dropped(r) > 0);
    cJSON *rep = cJSON_CreateObject();
    dt_rollup_write(r, rep);
    const cJSON *sum = cJSON_GetObjectItemCaseSensitive(rep, "summary");
    CHECK(n_of(sum, "bytes_up") == 2000.0);
    CHECK(n_of(sum, "rollup_entries_dropped") == (double)dt_rollup_dropped(r));
    int listed = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(rep, "endpoints"));
    CHECK(listed > 0 && listed < 200);
    CHECK(n_of(sum, "remote_addresses") == (double)listed);
    cJSON_Delete(rep);
    CHECK_EQ_INT(dt_rollup_merge(all, part), 0);
    CHECK(dt_rollup_dropped(all) >= dt_rollup_dropped(part));
    dt_rollup_free(r);
    dt_rollup_free(part);
    dt_rollup_free(all);
}

/* Hostile flows: wrong types, missing parts, huge names. */
static void test_hostile(void)
{
    dt_rollup *r = dt_rollup_new();
    static const char *const bad[] = {
        "[]",
        "{}",
        "{\"client\":1,\"server\":{}}",
        "{\"client\":{\"bytes\":-5,\"local\":\"yes\"},\"server\":{\"ip\":7,\"bytes\":1e300,"
        "\"asn\":-1,\"country\":[],\"name\":{}},\"first_seen\":\"2022-13-40T99:99:99Z\"}",
        "{\"client\":{},\"server\":{\"ip\":\"::1\",\"asn\":1e20},\"first_seen\":\"garbage\","
        "\"tls\":1,\"http\":{\"host\":\":\"}}",
    };
    int ok = 0;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cJSON *f = cJSON_Parse(bad[i]);
        int rc = dt_rollup_add_flow(r, f);
        ok += rc == 0;
        cJSON_Delete(f);
    }
    CHECK_EQ_INT(ok, 2);
    CHECK_EQ_INT(dt_rollup_add_flow(r, NULL), 1);
    char big[3000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    cJSON *f = flow("9.9.9.9", 443, "tls", big, "tls_sni", big, "US", 1, big, big, "cert",
                    "third_country", 5, 5, "2022-10-24T08:00:00Z");
    add(r, f);
    cJSON *rep = cJSON_CreateObject();
    dt_rollup_write(r, rep);
    dt_rollup_write(r, rep); /* twice: replaces, does not duplicate */
    dt_rollup_free(r);
    CHECK_EQ_INT(cJSON_GetArraySize(rep), 7);
    const cJSON *d = at(rep, "domains", 0);
    CHECK_EQ_INT(strlen(s_of(d, "domain")), 511);
    /* the hostile flows have no local side: direction unknown, in no table */
    CHECK_EQ_INT(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(rep, "endpoints")), 1);
    cJSON_Delete(rep);
}

/* A domain's recipient is the one of most upload bytes, not the first flow's;
 * the first party is given or inferred (the car maker with the most flows). */
static void test_recipients(void)
{
    dt_rollup *r = dt_rollup_new();
    add(r,
        flow("1.12.36.7", 443, "tls", "android.bugly.qq.com", "tls_sni", "qq.com", "CN", 45090,
             "TENCENT", "Tencent Bugly", "domain", "third_country", 10, 5, "2022-10-24T08:00:00Z"));
    add(r, flow("1.12.36.8", 443, "tls", "im.qq.com", "tls_sni", "qq.com", "CN", 45090, "TENCENT",
                "Tencent", "domain", "third_country", 1000, 5, "2022-10-24T08:00:01Z"));
    add(r, flow("1.12.36.9", 443, "tls", "x.qq.com", "tls_sni", "qq.com", "CN", 45090, "TENCENT",
                "Tencent Bugly", "domain", "third_country", 20, 5, "2022-10-24T08:00:02Z"));
    for (int i = 0; i < 3; i++)
        add(r,
            flow("160.46.226.165", 443, "tls", "b2v.maker-a.example", "tls_sni", "maker-a.example",
                 "DE", 8590, "MAKER-A", "Maker A", "domain", "eea", 1, 1, "2022-10-24T08:00:03Z"));
    add(r,
        flow("160.46.226.166", 443, "tls", "api.maker-b.example", "tls_sni", "maker-b.example",
             "DE", 8591, "MAKER-B", "Maker B", "domain", "eea", 5000, 1, "2022-10-24T08:00:04Z"));
    add(r, flow("52.1.1.1", 443, "tls", "cdn.rayjump.com", "tls_sni", "rayjump.com", "US", 16509,
                "AMAZON-02", "rayjump.com", "unidentified", "third_country", 7, 1,
                "2022-10-24T08:00:05Z"));
    cJSON *rep = cJSON_CreateObject();
    cJSON_AddObjectToObject(rep, "summary");
    dt_rollup_write(r, rep);
    const cJSON *qq = find(cJSON_GetObjectItemCaseSensitive(rep, "domains"), "domain", "qq.com");
    CHECK_EQ_STR(s_of(qq, "recipient"), "Tencent"); /* 1000 bytes beat 10 + 20 */
    int inferred = 0;
    CHECK_EQ_STR(dt_rollup_vendor(r, &inferred), "Maker A"); /* 3 flows beat 1 */
    CHECK_EQ_INT(inferred, 1);
    const cJSON *cos = cJSON_GetObjectItemCaseSensitive(rep, "companies");
    CHECK_EQ_STR(s_of(find(cos, "name", "Maker A"), "party"), "first_party");
    CHECK_EQ_STR(s_of(find(cos, "name", "Maker B"), "party"), "third_party");
    CHECK_EQ_STR(s_of(find(cos, "name", "rayjump.com"), "party"), "unknown");
    CHECK(cJSON_IsFalse(
        cJSON_GetObjectItemCaseSensitive(find(cos, "name", "rayjump.com"), "identified")));
    const cJSON *ray = find(cJSON_GetObjectItemCaseSensitive(rep, "hosting"), "name", "AMAZON-02");
    CHECK_EQ_STR(at(ray, "recipients", 0)->valuestring, "rayjump.com");
    cJSON_Delete(rep);

    dt_rollup_set_vendor(r, "Maker B");
    CHECK_EQ_STR(dt_rollup_vendor(r, &inferred), "Maker B");
    CHECK_EQ_INT(inferred, 0);
    rep = cJSON_CreateObject();
    cJSON_AddObjectToObject(rep, "summary");
    dt_rollup_write(r, rep);
    cos = cJSON_GetObjectItemCaseSensitive(rep, "companies");
    CHECK_EQ_STR(s_of(find(cos, "name", "Maker A"), "party"), "third_party");
    CHECK_EQ_STR(s_of(find(cos, "name", "Maker B"), "party"), "first_party");
    const cJSON *ep =
        find(cJSON_GetObjectItemCaseSensitive(rep, "endpoints"), "ip", "160.46.226.166");
    CHECK_EQ_STR(s_of(ep, "recipient"), "Maker B");
    CHECK_EQ_STR(s_of(ep, "party"), "first_party");
    CHECK_EQ_STR(s_of(ep, "host"), "MAKER-B");
    cJSON_Delete(rep);
    dt_rollup_free(r);

    /* no car maker among the recipients: none inferred */
    r = dt_rollup_new();
    CHECK(dt_rollup_vendor(r, &inferred) == NULL);
    CHECK_EQ_INT(inferred, 1);
    dt_rollup_free(r);
}

int main(void)
{
    test_totals();
    test_rhythm_spread();
    test_merge();
    test_merge_parts();
    test_endpoint_keys();
    test_limit();
    test_hostile();
    test_recipients();
    return check_done();
}
