/* The public API, used as a program outside the library uses it: this test is
 * compiled with include/ only (tests/tests.cmake gives tests/unit/api/ no lib/), so it
 * also proves that datatrail.h is self-contained.  Packets pushed through the
 * engine into a report, read back; dt_batch_run over the sample capture;
 * addresses; the lookup printer without databases. */
#include "datatrail.h"

#include "check.h"

#include <stdlib.h>
#include <string.h>

/* An Ethernet + IPv4 + UDP frame with payload "hi" from src:sport to dst:dport. */
static size_t udp_frame(uint8_t *f, const uint8_t src[4], uint16_t sport, const uint8_t dst[4],
                        uint16_t dport)
{
    static const uint8_t payload[] = {'h', 'i'};
    size_t udp_len = 8 + sizeof payload, ip_len = 20 + udp_len;
    memset(f, 0, 14 + ip_len);
    memcpy(f, "\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x08\x00", 14);
    uint8_t *ip = f + 14;
    ip[0] = 0x45;
    ip[2] = (uint8_t)(ip_len >> 8);
    ip[3] = (uint8_t)ip_len;
    ip[8] = 64; /* TTL */
    ip[9] = 17; /* UDP */
    memcpy(ip + 12, src, 4);
    memcpy(ip + 16, dst, 4);
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2)
        sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    ip[10] = (uint8_t)(~sum >> 8);
    ip[11] = (uint8_t)~sum;
    uint8_t *udp = ip + 20;
    udp[0] = (uint8_t)(sport >> 8);
    udp[1] = (uint8_t)sport;
    udp[2] = (uint8_t)(dport >> 8);
    udp[3] = (uint8_t)dport;
    udp[4] = (uint8_t)(udp_len >> 8);
    udp[5] = (uint8_t)udp_len;
    memcpy(udp + 8, payload, sizeof payload);
    return 14 + ip_len;
}

/* The whole of f, from its start, as a NUL-terminated string (caller frees). */
static char *slurp(FILE *f)
{
    long n = ftell(f);
    char *s = malloc((size_t)n + 1);
    if (!s)
        return NULL;
    rewind(f);
    size_t got = fread(s, 1, (size_t)n, f);
    s[got] = '\0';
    return s;
}

static uint64_t summary(const dt_report *r, const char *key)
{
    uint64_t v = UINT64_MAX;
    CHECK_EQ_INT(dt_report_summary_u64(r, key, &v), 0);
    return v;
}

static void test_engine_into_report(void)
{
    static const uint8_t dev[4] = {192, 168, 1, 2}, srv[4] = {93, 184, 216, 34},
                         other[4] = {198, 51, 100, 7};
    dt_engine_config cfg;
    dt_engine_config_default(&cfg);
    cfg.dns_sink = dt_report_dns;
    FILE *out = tmpfile();
    CHECK(out != NULL);
    if (!out)
        return;
    dt_report_opts ro = {.mode = DT_OUT_FLOWS, .format = DT_FMT_JSON};
    dt_report *rep = dt_report_new(&ro, out);
    CHECK(rep != NULL);
    dt_engine *e = dt_engine_new(&cfg, dt_report_flow, rep);
    CHECK(e != NULL);
    if (!rep || !e)
        return;
    dt_engine_set_input(e, 0, "pushed", "test");
    uint8_t frame[64];
    uint64_t t = 1700000000ull * 1000000000ull;
    size_t n = udp_frame(frame, dev, 40000, srv, 4433);
    dt_engine_feed(e, DT_LINKTYPE_ETHERNET, t, frame, (uint32_t)n, (uint32_t)n);
    n = udp_frame(frame, srv, 4433, dev, 40000);
    dt_engine_feed(e, DT_LINKTYPE_ETHERNET, t + 1000000, frame, (uint32_t)n, (uint32_t)n);
    n = udp_frame(frame, dev, 40001, other, 9999);
    dt_engine_feed(e, DT_LINKTYPE_ETHERNET, t + 2000000, frame, (uint32_t)n, (uint32_t)n);
    CHECK_EQ_INT(dt_engine_finish(e), DT_OK);
    const dt_input_info *in = dt_engine_info(e);
    CHECK_EQ_INT(in->packets, 3);
    CHECK_EQ_INT(in->flows, 2);
    CHECK_EQ_INT(in->decode.udp, 3);
    dt_report_input(rep, in);
    dt_engine_free(e);

    CHECK_EQ_INT(dt_report_input_count(rep), 1);
    CHECK_EQ_INT(summary(rep, "packets"), 3);
    CHECK_EQ_INT(summary(rep, "flows"), 2);
    CHECK_EQ_INT(summary(rep, "udp_flows"), 2);
    CHECK_EQ_INT(summary(rep, "tcp_flows"), 0);
    uint64_t v;
    CHECK_EQ_INT(dt_report_summary_u64(rep, "no_such_key", &v), -1);
    CHECK_EQ_INT(dt_report_summary_u64(rep, "malformed_by_reason", &v), -1); /* an object */
    CHECK_EQ_INT(dt_report_finish(rep), 0);
    dt_report_free(rep);

    char *text = slurp(out);
    CHECK(text != NULL);
    if (text) {
        int lines = 0;
        for (const char *p = text; *p; p++)
            lines += *p == '\n';
        CHECK_EQ_INT(lines, 2); /* one flow per line */
        CHECK(strstr(text, "\"ip\":\"93.184.216.34\",\"port\":4433") != NULL);
        CHECK(strstr(text, "\"ip\":\"198.51.100.7\",\"port\":9999") != NULL);
        CHECK(strstr(text, "\"input\":\"pushed\"") != NULL);
    }
    free(text);
    fclose(out);
}

static int inputs_done;

static void on_input(void *ctx, const dt_input_info *in, dt_status st)
{
    (void)ctx;
    CHECK_EQ_INT(st, DT_OK);
    CHECK(in->packets > 0);
    inputs_done++;
}

static void test_batch_sample(void)
{
    const char *dir = getenv("DT_TESTDATA");
    char path[4096];
    snprintf(path, sizeof path, "%s/sample.pcapng", dir ? dir : "testdata");
    dt_engine_config cfg;
    dt_engine_config_default(&cfg);
    cfg.dns_sink = dt_report_dns;
    FILE *out = tmpfile();
    CHECK(out != NULL);
    if (!out)
        return;
    dt_report_opts ro = {.mode = DT_OUT_REPORT, .format = DT_FMT_JSON};
    dt_report *rep = dt_report_new(&ro, out);
    CHECK(rep != NULL);
    if (!rep)
        return;
    dt_batch_opts bo = {.engine = &cfg, .jobs = 1, .input_done = on_input};
    dt_batch_result res;
    char err[256] = "";
    const char *paths[] = {path};
    CHECK_EQ_INT(dt_batch_run(&bo, paths, 1, rep, &res, err, sizeof err), 0);
    CHECK_EQ_INT(res.ok, 1);
    CHECK_EQ_INT(res.partial + res.failed + res.write_errors, 0);
    CHECK_EQ_INT(inputs_done, 1);
    CHECK_EQ_INT(summary(rep, "flows"), 24);
    CHECK_EQ_INT(summary(rep, "packets"), 281);
    CHECK_EQ_INT(dt_report_finish(rep), 0);
    uint64_t v;
    CHECK_EQ_INT(dt_report_summary_u64(rep, "dns_names", &v), -1); /* derived when written */
    dt_report_free(rep);
    char *text = slurp(out);
    CHECK(text != NULL);
    if (text) {
        CHECK(strstr(text, "\"sni\":\"api.tomtom.com\"") != NULL);
        CHECK(text[0] == '{' && strstr(text, "\"summary\":") != NULL);
    }
    free(text);
    fclose(out);
}

static void test_addresses(void)
{
    dt_addr a;
    char buf[DT_ADDR_STRLEN];
    CHECK_EQ_INT(dt_addr_parse("2001:db8::1", &a), 0);
    CHECK_EQ_INT(a.family, 6);
    CHECK_EQ_STR(dt_addr_str(&a, buf, sizeof buf), "2001:db8::1");
    CHECK(dt_addr_parse("not an address", &a) != 0);
    dt_cidr c;
    CHECK_EQ_INT(dt_cidr_parse("10.1.2.3/8", &c), 0);
    CHECK_EQ_INT(c.bits, 8);
    CHECK_EQ_STR(dt_addr_str(&c.net, buf, sizeof buf), "10.0.0.0");
    CHECK(dt_cidr_parse("10.0.0.0/33", &c) != 0);
}

static void test_lookup_without_databases(void)
{
    dt_geo_config gc = {.data_dir = "/nonexistent", .no_system_search = 1};
    char warn[512] = "";
    dt_geo *g = dt_geo_open(&gc, warn, sizeof warn);
    CHECK(g != NULL);
    if (!g)
        return;
    CHECK(warn[0] != '\0'); /* no database found */
    CHECK_EQ_INT(dt_geo_db_count(g), 0);
    dt_addr a[2];
    CHECK_EQ_INT(dt_addr_parse("10.0.0.1", &a[0]), 0);
    CHECK_EQ_INT(dt_addr_parse("2001:db8::1", &a[1]), 0);
    FILE *out = tmpfile();
    CHECK(out != NULL);
    if (out) {
        CHECK_EQ_INT(dt_lookup_print(out, g, a, 2, 0), 0);
        CHECK_EQ_INT(dt_lookup_print(out, g, a, 1, DT_LOOKUP_JSON | DT_LOOKUP_INFO), 0);
        char *text = slurp(out);
        CHECK_EQ_STR(text, "10.0.0.1  -- -  AS- -  private\n"
                           "2001:db8::1  -- -  AS- -  documentation\n"
                           "{\"databases\":[],\"results\":[\n"
                           "{\"ip\":\"10.0.0.1\",\"class\":\"private\",\"country\":null,"
                           "\"country_name\":null,\"registered_country\":null,\"city\":null,"
                           "\"asn\":null,\"org\":null}]}\n");
        free(text);
        fclose(out);
    }
    dt_geo_close(g);
}

int main(void)
{
    test_engine_into_report();
    test_batch_sample();
    test_addresses();
    test_lookup_without_databases();
    return check_done();
}
