/* Text and CSV renderings of hand-written reports and flows. */
#include "report/render.h"

#include "check.h"

#include <stdlib.h>
#include <string.h>

static const char report_json[] =
    "{\"warnings\":[\"no geolocation database: countries unknown\"],"
    "\"summary\":{\"inputs\":1,\"first_seen\":\"2022-10-24T08:15:00.000000Z\","
    "\"last_seen\":\"2022-10-24T08:19:50.500000Z\",\"duration_s\":290.5,\"packets\":281,"
    "\"flows\":24,\"local_flows\":12,\"bytes_up\":448600,\"bytes_down\":112500,"
    "\"remote_addresses\":11,\"remote_names\":11,\"domains\":10,\"countries\":2,"
    "\"organizations\":6,\"companies\":3,"
    "\"transfers\":{\"eea\":{\"flows\":4,\"bytes_up\":750},\"adequate\":{\"flows\":1,"
    "\"bytes_up\":0},\"third_country\":{\"flows\":2,\"bytes_up\":250},\"unknown\":{\"flows\":0,"
    "\"bytes_up\":0},\"local\":{\"flows\":12,\"bytes_up\":99}},"
    "\"encryption\":{\"encrypted\":{\"flows\":9,\"bytes_up\":900},\"plaintext\":{\"flows\":1,"
    "\"bytes_up\":100},\"unknown\":{\"flows\":0,\"bytes_up\":0}},"
    "\"plaintext_destinations\":[{\"destination\":\"connectivitycheck.gstatic.com\",\"port\":80,"
    "\"app\":\"http\",\"bytes_up\":384,\"flows\":1}]},"
    "\"countries\":[{\"code\":\"DE\",\"name\":\"Germany\",\"transfer\":\"eea\",\"bytes_up\":750,"
    "\"bytes_down\":1500,\"flows\":4,\"endpoints\":3,\"top_organizations\":[],"
    "\"top_domains\":[{\"domain\":\"amazonaws.com\",\"bytes_up\":700},{\"domain\":"
    "\"bmwgroup.com\",\"bytes_up\":50}]},"
    "{\"code\":\"CN\",\"name\":\"China\",\"transfer\":\"third_country\",\"bytes_up\":250,"
    "\"bytes_down\":2048000,\"flows\":2,\"endpoints\":1,\"top_organizations\":[],"
    "\"top_domains\":[]}],"
    "\"companies\":[{\"name\":\"Amazon Web Services\",\"sources\":[\"domain\"],\"countries\":"
    "[\"DE\"],\"bytes_up\":700,\"bytes_down\":10,\"flows\":2,\"domains\":[\"amazonaws.com\"]}],"
    "\"domains\":[{\"domain\":\"a-very-long-registrable-domain-name-that-will-not-fit.example\","
    "\"names\":[],\"company\":null,\"countries\":[\"CN\"],\"bytes_up\":250,\"bytes_down\":0,"
    "\"flows\":2},{\"domain\":\"evil\\u001b[31m.com\",\"names\":[],\"company\":\"X\","
    "\"countries\":[],\"bytes_up\":1,\"bytes_down\":0,\"flows\":1}]}";

/* Renders into a string (caller frees). */
static char *render(const cJSON *rep, int width, int color)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CHECK_EQ_INT(dt_render_text(rep, f, width, color), 0);
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
    cJSON *rep = cJSON_Parse(report_json);
    CHECK(rep != NULL);
    char *t = render(rep, 80, 0);
    CHECK(strstr(t, "datatrail: 1 input, 2022-10-24 08:15:00 .. 2022-10-24 08:19:50 UTC "
                    "(4 min 50 s)\n") != NULL);
    CHECK(strstr(t, "  281 packets, 24 flows (12 local), up 448.6 kB, down 112.5 kB\n") != NULL);
    /* leaving the EEA: (0 + 250) / 1000 */
    CHECK(
        strstr(t, "  Upload leaving the EU/EEA: 25.0% (third countries 25.0%, adequate 0.0%)\n") !=
        NULL);
    CHECK(strstr(t, "Encrypted upload: 90.0% (9 flows); plaintext 10.0% (1); unknown 0.0% (0)\n") !=
          NULL);
    CHECK(strstr(t,
                 "  Germany (DE)      EU/EEA           750 B   1.5 kB     4     3 amazonaws.com, "
                 "\xe2\x80\xa6\n") != NULL);
    CHECK(strstr(t, "  China (CN)        third country    250 B   2.0 MB     2     1\n") != NULL);
    CHECK(strstr(t, "  Amazon Web Services  DE            700 B     10 B     2 amazonaws.com\n") !=
          NULL);
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
    CHECK(lines < 50);
    free(t);

    /* colour: escape sequences only when asked */
    t = render(rep, 120, 1);
    CHECK(strstr(t, "\033[31mthird country") != NULL);
    CHECK(strstr(t, "\033[1m") != NULL);
    free(t);

    /* wider: the long domain fits */
    t = render(rep, 200, 0);
    CHECK(strstr(t, "a-very-long-registrable-domain-name-that-will-not-fit.example ") != NULL);
    CHECK(strstr(t, "EU/EEA           750 B   1.5 kB     4     3 amazonaws.com, bmwgroup.com\n") !=
          NULL);
    free(t);
    cJSON_Delete(rep);

    /* an empty report still renders a headline */
    rep = cJSON_Parse("{}");
    t = render(rep, 10, 0);
    CHECK(strstr(t, "datatrail: 0 inputs, no packets\n") != NULL);
    CHECK(strstr(t, "Upload leaving the EU/EEA: n/a") != NULL);
    free(t);
    cJSON_Delete(rep);
}

static char *csv_flow(const char *json, int header)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cJSON *o = cJSON_Parse(json);
    CHECK(o != NULL);
    CHECK_EQ_INT(dt_render_csv_flows(o, f, header), 0);
    cJSON_Delete(o);
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
        "\"company\":\" padded \",\"domain\":null,\"transfer\":\"adequate\"},\"tls\":null,"
        "\"quic\":null,\"http\":{\"host\":\"line\\nbreak\"},\"end\":\"closed\",\"input\":\"x."
        "pcap\"}",
        1);
    CHECK_EQ_STR(s, DT_CSV_FLOW_COLUMNS
                 "\r\n2022-10-24T08:15:00.150000Z,2022-10-24T08:15:01Z,tcp,http,192.168.1.20,41007,"
                 "true,142.250.185.99,80,false,\"a,b\"\"c\",http_host,,,\"line\nbreak\",,US,15169,"
                 "Google LLC,\" padded \",,adequate,6,384,4,218,closed,x.pcap\r\n");
    free(s);
    /* no header; missing fields are empty; 28 columns always */
    s = csv_flow("{\"proto\":\"udp\"}", 0);
    CHECK_EQ_STR(s, ",,udp,,,,,,,,,,,,,,,,,,,,,,,,,\r\n");
    free(s);
}

static void test_csv_endpoints(void)
{
    cJSON *rep = cJSON_Parse(
        "{\"endpoints\":[{\"ip\":\"1.2.3.4\",\"names\":[\"a.example\",\"b.example\"],\"ports\":"
        "[443,8883],\"country\":\"US\",\"asn\":64500,\"org\":\"Org, Inc.\",\"company\":null,"
        "\"transfer\":\"third_country\",\"bytes_up\":100,\"bytes_down\":200,\"flows\":10,"
        "\"first_seen\":\"2022-10-24T08:10:00.5Z\",\"last_seen\":\"2022-10-24T08:19:00.5Z\","
        "\"rhythm\":{\"connections\":10,\"interval_median_s\":60,\"interval_mad_s\":0.25,"
        "\"interval_min_s\":59.5,\"interval_max_s\":170.96}}]}");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CHECK_EQ_INT(dt_render_csv_endpoints(rep, f), 0);
    fclose(f);
    CHECK_EQ_STR(
        buf, DT_CSV_ENDPOINT_COLUMNS
        "\r\n1.2.3.4,a.example b.example,443 8883,US,64500,\"Org, Inc.\",,third_country,"
        "100,200,10,2022-10-24T08:10:00.5Z,2022-10-24T08:19:00.5Z,10,60,0.25,59.5,170.96\r\n");
    free(buf);
    cJSON_Delete(rep);
}

int main(void)
{
    test_text();
    test_csv_flows();
    test_csv_endpoints();
    return check_done();
}
