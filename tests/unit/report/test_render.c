/* Text and CSV renderings of hand-written reports and flows. */
#include "report/render.h"
#include "report/reader.h"

#include "check.h"

#include <stdlib.h>
#include <string.h>

/* A remote flow from 192.168.1.20 to ip:port (strings may be NULL). */
static void add(dt_rollup *r, const char *ip, int port, const char *app, int tls, const char *host,
                const char *cc, const char *transfer, const char *domain, const char *company,
                uint64_t up, uint64_t down, uint64_t t_ms)
{
    dt_rollup_flow f;
    memset(&f, 0, sizeof f);
    f.client_ip = "192.168.1.20";
    f.client_port = 40000;
    f.client_local = 1;
    f.server_ip = ip;
    f.server_port = (uint64_t)port;
    f.client_bytes = up;
    f.server_bytes = down;
    f.app = app;
    f.encrypted = tls;
    f.http_host = host;
    f.country = cc;
    f.transfer = transfer;
    f.domain = domain;
    f.recipient = company;
    f.recipient_evidence = company ? "domain" : NULL;
    f.recipient_identified = company != NULL;
    f.recipient_category = company ? "cloud" : NULL;
    f.host = company ? "Amazon" : NULL;
    f.have_time = 1;
    f.ts_digits = 6;
    f.first_ns = f.last_ns = 1666599300000000000ull + t_ms * 1000000ull;
    CHECK_EQ_INT(dt_rollup_add(r, &f), 0);
}

/* Germany (4 flows, 3 addresses), China (2 flows to a long domain), a flow
 * to a domain with an escape sequence, a plaintext HTTP flow, a local one. */
static dt_rollup *sample(void)
{
    dt_rollup *r = dt_rollup_new();
    add(r, "3.1.1.1", 443, "tls", 1, NULL, "DE", "eea", "amazonaws.com", "Amazon Web Services", 350,
        5, 0);
    add(r, "3.1.1.1", 443, "tls", 1, NULL, "DE", "eea", "amazonaws.com", "Amazon Web Services", 350,
        5, 1000);
    add(r, "3.1.1.2", 443, "tls", 1, NULL, "DE", "eea", "bmwgroup.com", NULL, 50, 745, 2000);
    add(r, "3.1.1.3", 443, "tls", 1, NULL, "DE", "eea", NULL, NULL, 0, 745, 3000);
    add(r, "9.9.9.1", 443, "tls", 1, NULL, "CN", "third_country",
        "a-very-long-registrable-domain-name-that-will-not-fit.example", NULL, 125, 1024000, 4000);
    add(r, "9.9.9.1", 443, "tls", 1, NULL, "CN", "third_country",
        "a-very-long-registrable-domain-name-that-will-not-fit.example", NULL, 125, 1024000, 5000);
    add(r, "5.5.5.5", 443, "tls", 1, NULL, "CN", "third_country", "evil\033[31m.com", "X", 0, 0,
        6000);
    add(r, "142.250.185.99", 80, "http", 0, "connectivitycheck.gstatic.com", "US",
        "adequate_partial", "gstatic.com", NULL, 384, 218, 7000);
    dt_rollup_flow l;
    memset(&l, 0, sizeof l);
    l.client_ip = "192.168.1.20";
    l.server_ip = "192.168.1.1";
    l.client_local = l.server_local = 1;
    l.client_bytes = 99;
    CHECK_EQ_INT(dt_rollup_add(r, &l), 0);
    return r;
}

/* Renders into a string (caller frees). */
static char *render(const dt_render_model *m, int width, int color)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CHECK_EQ_INT(dt_render_text(m, f, width, color), 0);
    fclose(f);
    return buf;
}

/* Display columns of a line (code points, not bytes). */
static int columns(const char *s, size_t n)
{
    int c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xc0) != 0x80;
    return c;
}

static void test_text(void)
{
    dt_rollup *ru = sample();
    dt_summary sum;
    memset(&sum, 0, sizeof sum);
    sum.inputs = 1;
    sum.packets = 281;
    sum.flows = 10;
    sum.seen = ~UINT64_C(0);
    const dt_warning warnings[] = {
        {"geo_missing", "no geolocation database: countries unknown", 0, 0}};
    dt_render_model m = {
        ru,   &sum, 1,   1666599300000000000ull, 1666599590500000000ull, 6, warnings, 1, 0, 1, NULL,
        NULL, NULL, NULL};
    char *t = render(&m, 80, 0);
    CHECK(strstr(t, "datatrail: 1 input, 2022-10-24 08:15:00 .. 2022-10-24 08:19:50 UTC "
                    "(4 min 50 s)\n") != NULL);
    CHECK(strstr(t, "  281 packets, 10 flows (1 local), up 1.5 kB, down 2.0 MB\n") != NULL);
    /* leaving the EEA: (384 + 250) / 1384 */
    CHECK(
        strstr(t, "  Upload leaving the EU/EEA: 45.8% (third countries 18.1%, adequate 27.7%)\n") !=
        NULL);
    CHECK(strstr(t, "Encrypted upload: 72.3% (7 flows); plaintext 27.7% (1); unknown 0.0% (0)\n") !=
          NULL);
    CHECK(strstr(t, "  Germany (DE)       EU/EEA                750 B   1.5 kB     4     3 "
                    "amazonaws\xe2\x80\xa6\n") != NULL);
    CHECK(strstr(t, "  China (CN)         third country         250 B   2.0 MB     3     2 "
                    "a-very-lo\xe2\x80\xa6\n") != NULL);
    /* partial adequacy: in the headline, the table, and its note once below it */
    CHECK(strstr(t, "    of which adequate (partial) 27.7%: covered only for some recipients\n") !=
          NULL);
    CHECK(strstr(t, "  United States (US) adequate (partial)    384 B") != NULL);
    CHECK(strstr(t, "    adequate (partial), US: Partial: only organisations certified under the\n"
                    "    EU-U.S. Data Privacy Framework (DPF);") != NULL);
    CHECK(strstr(t,
                 "  Amazon Web Services             support d   DE            700 B     10 B     "
                 "2\n") != NULL);
    CHECK(strstr(t, "  Recipients: 2, identified in 0/0 named flows, n/a of their upload\n") !=
          NULL);
    CHECK(strstr(t, "  Amazon                               DE, CN        700 B     10 B     3     "
                    "2\n") != NULL);
    CHECK(strstr(t, "  amazonaws.com            Amazon Web Serv\xe2\x80\xa6 DE") != NULL);
    /* the long domain is cut with an ellipsis, the escape sequence neutralised */
    CHECK(strstr(t, "  a-very-long-registrable\xe2\x80\xa6 -                CN            250 B") !=
          NULL);
    CHECK(strstr(t, "evil?[31m.com") != NULL);
    CHECK(strchr(t, '\033') == NULL);
    CHECK(strstr(t, "  ! connectivitycheck.gstatic.com:80") != NULL);
    CHECK(strstr(t, "  ! no geolocation database: countries unknown\n") != NULL);
    /* every line fits 80 columns and has no trailing space */
    int lines = 0, widest = 0, trailing = 0;
    for (const char *p = t; *p;) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        int c = columns(p, n);
        widest = c > widest ? c : widest;
        trailing += n && p[n - 1] == ' ';
        lines++;
        p += n + (e != NULL);
    }
    CHECK(widest <= 80);
    CHECK_EQ_INT(trailing, 0);
    CHECK(lines < 60); /* with the Data quality and How to read sections */
    free(t);

    /* colour: escape sequences only when asked */
    t = render(&m, 120, 1);
    CHECK(strstr(t, "\033[31mthird country") != NULL);
    CHECK(strstr(t, "\033[1m") != NULL);
    free(t);

    /* wider: the long domain fits */
    t = render(&m, 200, 0);
    CHECK(strstr(t, "a-very-long-registrable-domain-name-that-will-not-fit.example ") != NULL);
    CHECK(strstr(t, "EU/EEA                750 B   1.5 kB     4     3 amazonaws.com, "
                    "bmwgroup.com\n") != NULL);
    free(t);
    dt_rollup_free(ru);

    /* an empty report still renders a headline */
    memset(&sum, 0, sizeof sum);
    sum.seen = ~UINT64_C(0);
    dt_render_model e = {NULL, &sum, 0, 0, 0, 0, NULL, 0, 0, 0, NULL, NULL, NULL, NULL};
    t = render(&e, 10, 0);
    CHECK(strstr(t, "datatrail: 0 inputs, no packets\n") != NULL);
    CHECK(strstr(t, "Upload leaving the EU/EEA: n/a") != NULL);
    free(t);
}

static char *csv_flow(const char *json, int header)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CHECK_EQ_INT(dt_reader_flow_csv(json, f, header), 0);
    fclose(f);
    return buf;
}

static void test_csv_flows(void)
{
    char *s = csv_flow(
        "{\"first_seen\":\"2022-10-24T08:15:00.150000Z\",\"last_seen\":\"2022-10-24T08:15:01Z\","
        "\"proto\":\"tcp\",\"app\":\"http\",\"client\":{\"ip\":\"192.168.1.20\",\"port\":41007,"
        "\"local\":true,\"packets\":6,\"bytes\":384},\"server\":{\"ip\":\"142.250.185.99\","
        "\"port\":80,\"local\":false,\"packets\":4,\"bytes\":218,\"name\":\"a,b\\\"c\","
        "\"name_source\":\"http_host\",\"country\":\"US\",\"asn\":15169,\"org\":\"Google LLC\","
        "\"recipient\":{\"name\":\" padded "
        "\",\"evidence\":\"cert\"},\"host\":null,\"domain\":null,\"transfer\":\"adequate\"},"
        "\"tls\":null,"
        "\"quic\":null,\"http\":{\"host\":\"line\\nbreak\"},\"end\":\"closed\",\"input\":\"x."
        "pcap\"}",
        1);
    CHECK_EQ_STR(s, DT_CSV_FLOW_COLUMNS
                 "\r\n2022-10-24T08:15:00.150000Z,2022-10-24T08:15:01Z,tcp,http,192.168.1.20,41007,"
                 "true,142.250.185.99,80,false,\"a,b\"\"c\",http_host,,,\"line\nbreak\",,US,15169,"
                 "Google LLC,\" padded \",cert,,,adequate,6,384,4,218,closed,x.pcap\r\n");
    free(s);
    /* no header; missing fields are empty; 30 columns always */
    s = csv_flow("{\"proto\":\"udp\"}", 0);
    CHECK_EQ_STR(s, ",,udp,,,,,,,,,,,,,,,,,,,,,,,,,,,\r\n");
    free(s);
}

static void test_csv_endpoints(void)
{
    dt_rollup *r = dt_rollup_new();
    /* 10 connections to 1.2.3.4, a minute apart but one 171 s gap */
    static const uint64_t t_ms[] = {0,      60000,  120000, 180000, 240000,
                                    300000, 360000, 420000, 480000, 651000};
    for (int i = 0; i < 10; i++) {
        dt_rollup_flow f;
        memset(&f, 0, sizeof f);
        f.client_ip = "192.168.1.20";
        f.client_local = 1;
        f.server_ip = "1.2.3.4";
        f.server_port = i % 2 ? 8883 : 443;
        f.client_bytes = 10;
        f.server_bytes = 20;
        f.app = "tls";
        f.encrypted = 1;
        f.tls_sni = i < 5 ? "a.example" : "b.example";
        f.country = "US";
        f.asn = 64500;
        f.org = "Org, Inc.";
        f.transfer = "third_country";
        f.have_time = 1;
        f.ts_digits = 1;
        f.first_ns = f.last_ns = 1666599000500000000ull + t_ms[i] * 1000000ull;
        CHECK_EQ_INT(dt_rollup_add(r, &f), 0);
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CHECK_EQ_INT(dt_render_csv_endpoints(r, f), 0);
    fclose(f);
    CHECK_EQ_STR(buf, DT_CSV_ENDPOINT_COLUMNS
                 "\r\n1.2.3.4,a.example b.example,443 8883,US,64500,\"Org, Inc.\",,,,third_country,"
                 "100,200,10,2022-10-24T08:10:00.5Z,2022-10-24T08:20:51.5Z,10,60,0,60,171\r\n");
    free(buf);
    dt_rollup_free(r);
}

int main(void)
{
    test_text();
    test_csv_flows();
    test_csv_endpoints();
    return check_done();
}
