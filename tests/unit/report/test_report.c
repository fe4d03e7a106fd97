/* The report model: summary counters combine by the rule lib/report/summary.def
 * declares for each; a report written and read back by the merge reader gives
 * the same model and the same bytes. */
#include "report/report_int.h"

#include "check.h"

#include <cjson/cJSON.h>

#include <stdlib.h>
#include <string.h>

/* An input whose every counter differs (seed makes two inputs differ, in
 * both directions). */
static void fake_input(dt_input_info *in, uint64_t seed)
{
    memset(in, 0, sizeof *in);
    in->path = "x.pcap";
    in->opened = 1;
    in->n_errors = seed & 1;
    uint64_t *fields[] = {&in->packets,
                          &in->bytes,
                          &in->flows,
                          &in->tcp_flows,
                          &in->udp_flows,
                          &in->flows_evicted,
                          &in->tcp_gaps,
                          &in->peak_live_flows,
                          &in->reassembly_peak_bytes,
                          &in->reassembly_refused,
                          &in->parser_state_refused,
                          &in->decode.ip4,
                          &in->decode.ip6,
                          &in->decode.icmp,
                          &in->decode.icmp6,
                          &in->decode.other_ip,
                          &in->decode.not_ip,
                          &in->decode.malformed,
                          &in->decode.ip_clipped,
                          &in->decode.fragments,
                          &in->decode.frag_reassembled,
                          &in->decode.frag_incomplete,
                          &in->decode.frag_evicted,
                          &in->decode.frag_overlaps};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        *fields[i] = seed * 1000 + (seed & 1 ? 900 - i * 7 : i * 11 + 3);
    /* tunnels: the first input has gre, both vxlan (names in first-seen order) */
    if (seed & 1)
        in->decode.tunneled[1] = 5;
    in->decode.tunneled[2] = seed;
    in->n_links = 2;
    in->links[0].linktype = 147;
    in->links[0].packets = seed;
    in->links[1].linktype = 1;
    in->links[1].supported = 1;
    in->links[1].packets = 99;
}

static void test_combine(void)
{
    dt_input_info ia, ib;
    fake_input(&ia, 1);
    fake_input(&ib, 2);
    dt_summary a, b, acc;
    CHECK_EQ_INT(dt_summary_from_input(&a, &ia), 0);
    CHECK_EQ_INT(dt_summary_from_input(&b, &ib), 0);
    memset(&acc, 0, sizeof acc);
    CHECK_EQ_INT(dt_summary_combine(&acc, &a), 0); /* into an empty one: a copy */
    CHECK_EQ_INT(dt_summary_combine(&acc, &b), 0);
    int rules[4] = {0};
    for (int f = 0; f < DT_SUMF_COUNT; f++) {
        dt_sum_rule rule = dt_summary_rule(f);
        rules[rule]++;
        if (rule == DT_SUM_UNION) {
            const dt_counts *x = dt_summary_counts(&a, f), *y = dt_summary_counts(&b, f);
            const dt_counts *c = dt_summary_counts(&acc, f);
            CHECK(x && y && c);
            /* every name of x then the new ones of y, counts added */
            int n = x->n;
            for (int j = 0; j < y->n; j++) {
                int seen = 0;
                for (int i = 0; i < x->n; i++)
                    seen |= !strcmp(x->v[i].name, y->v[j].name);
                n += !seen;
            }
            CHECK_EQ_INT(c->n, n);
            for (int i = 0; i < c->n; i++) {
                uint64_t want = 0;
                for (int j = 0; j < x->n; j++)
                    want += strcmp(x->v[j].name, c->v[i].name) ? 0 : x->v[j].n;
                for (int j = 0; j < y->n; j++)
                    want += strcmp(y->v[j].name, c->v[i].name) ? 0 : y->v[j].n;
                CHECK_EQ_INT(c->v[i].n, want);
                if (i < x->n)
                    CHECK_EQ_STR(c->v[i].name, x->v[i].name);
            }
            continue;
        }
        uint64_t x = dt_summary_u64(&a, f), y = dt_summary_u64(&b, f);
        uint64_t want = rule == DT_SUM_MAX   ? (x > y ? x : y)
                        : rule == DT_SUM_MIN ? (x < y ? x : y)
                                             : x + y;
        if (dt_summary_u64(&acc, f) != want)
            fprintf(stderr, "field %s\n", dt_summary_key(f));
        CHECK_EQ_INT(dt_summary_u64(&acc, f), want);
    }
    CHECK(rules[DT_SUM_SUM] > 0 && rules[DT_SUM_MAX] > 0 && rules[DT_SUM_UNION] > 0);
    CHECK_EQ_INT(dt_summary_u64(&acc, DT_SUMF_inputs), 2);
    CHECK_EQ_INT(dt_summary_u64(&acc, DT_SUMF_inputs_with_errors), 1);
    CHECK_EQ_STR(acc.tunneled_packets.v[0].name, "gre");
    CHECK_EQ_INT(acc.tunneled_packets.v[0].n, 5);
    CHECK_EQ_INT(acc.tunneled_packets.v[1].n, 3);
    CHECK_EQ_INT(acc.unsupported_link_types.n, 1); /* the supported one is not listed */

    /* a field the other side does not have is left as it is; a summary
     * without any field shows the values of an empty input */
    dt_summary none;
    memset(&none, 0, sizeof none);
    uint64_t before = acc.packets;
    CHECK_EQ_INT(dt_summary_combine(&acc, &none), 0);
    CHECK_EQ_INT(acc.packets, before);
    CHECK_EQ_INT(dt_summary_u64(&none, DT_SUMF_inputs), 1);
    CHECK_EQ_INT(dt_summary_u64(&none, DT_SUMF_packets), 0);
    dt_summary_free(&a);
    dt_summary_free(&b);
    dt_summary_free(&acc);
}

/* A report of testdata/sample.pcapng as JSON text (caller frees); *model
 * gets the report (caller frees) when not NULL. */
static char *report_of_sample(dt_report **model)
{
    const char *td = getenv("DT_TESTDATA");
    char path[1024];
    snprintf(path, sizeof path, "%s/sample.pcapng", td ? td : "testdata");
    dt_engine_config cfg;
    dt_engine_config_default(&cfg);
    cfg.dns_sink = dt_report_dns;
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    dt_report_opts ro;
    memset(&ro, 0, sizeof ro);
    ro.echo = &cfg;
    dt_report *r = dt_report_new(&ro, out);
    CHECK(r != NULL);
    dt_input_info info;
    CHECK_EQ_INT(dt_engine_run(&cfg, path, 0, dt_report_flow, r, &info, NULL, NULL), 0);
    dt_report_input(r, &info);
    CHECK_EQ_INT(dt_report_finish(r), 0);
    fclose(out);
    if (model)
        *model = r;
    else
        dt_report_free(r);
    return buf;
}

static void test_round_trip(void)
{
    dt_report *r1;
    char *a = report_of_sample(&r1);
    CHECK(a && strstr(a, "\"flows\": [") != NULL);

    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    dt_report_opts ro;
    memset(&ro, 0, sizeof ro);
    dt_report *r2 = dt_report_new(&ro, out);
    char err[256];
    CHECK_EQ_INT(dt_report_merge_text(r2, a, strlen(a), err, sizeof err), 0);
    CHECK_EQ_INT(dt_report_finish(r2), 0);
    fclose(out);
    /* the same bytes ... */
    CHECK(buf && strcmp(a, buf) == 0);
    /* ... and the same model */
    for (int f = 0; f < DT_SUMF_COUNT; f++)
        if (dt_summary_rule(f) != DT_SUM_UNION)
            CHECK_EQ_INT(dt_summary_u64(&r2->sum, f), dt_summary_u64(&r1->sum, f));
    CHECK_EQ_INT(r2->n_inputs, r1->n_inputs);
    CHECK_EQ_STR(r2->inputs[0].path, r1->inputs[0].path);
    CHECK_EQ_INT(r2->dns_n, r1->dns_n);
    CHECK_EQ_INT(r2->first_ns, r1->first_ns);
    CHECK_EQ_INT(r2->last_ns, r1->last_ns);
    CHECK_EQ_INT(dt_rollup_rows(r2->ru, DT_RU_ENDPOINTS), dt_rollup_rows(r1->ru, DT_RU_ENDPOINTS));
    dt_ru_totals t1, t2;
    dt_rollup_totals(r1->ru, &t1);
    dt_rollup_totals(r2->ru, &t2);
    CHECK(memcmp(&t1, &t2, sizeof t1) == 0);

    /* not JSON; JSON but no report; a report without flows */
    CHECK_EQ_INT(dt_report_merge_text(r2, "{", 1, err, sizeof err), -1);
    CHECK_EQ_INT(dt_report_merge_text(r2, "[1]", 3, err, sizeof err), -2);
    const char *noflows = "{\"inputs\":[],\"summary\":{}}";
    CHECK_EQ_INT(dt_report_merge_text(r2, noflows, strlen(noflows), err, sizeof err), -2);
    CHECK(strstr(err, "--no-flows") != NULL);
    dt_report_free(r1);
    dt_report_free(r2);
    free(a);
    free(buf);
}

/* The report's layout is cJSON_Print's: nested objects and arrays, empty
 * ones, strings that need escaping, numbers. */
static void test_layout(void)
{
    const char *src = "{\"a\":{},\"b\":[],\"c\":[{\"x\":1,\"y\":[1,2.5,\"q\\\"\"]},{}],"
                      "\"d\":{\"e\":{\"f\":null,\"g\":true}},\"h\":[[],[{}]]}";
    cJSON *t = cJSON_Parse(src);
    CHECK(t != NULL);
    char *want = cJSON_Print(t);
    dt_fw f;
    dt_fw_init(&f, NULL);
    dt_fw_obj_begin(&f);
    dt_fw_key(&f, "a");
    dt_fw_obj_begin(&f);
    dt_fw_obj_end(&f);
    dt_fw_key(&f, "b");
    dt_fw_arr_begin(&f);
    dt_fw_arr_end(&f);
    dt_fw_key(&f, "c");
    dt_fw_arr_begin(&f);
    dt_fw_obj_begin(&f);
    dt_fw_key(&f, "x");
    dt_fw_u64(&f, 1);
    dt_fw_key(&f, "y");
    dt_fw_arr_begin(&f);
    dt_fw_u64(&f, 1);
    dt_fw_num(&f, 2.5);
    dt_fw_str(&f, "q\"");
    dt_fw_arr_end(&f);
    dt_fw_obj_end(&f);
    dt_fw_obj_begin(&f);
    dt_fw_obj_end(&f);
    dt_fw_arr_end(&f);
    dt_fw_key(&f, "d");
    dt_fw_obj_begin(&f);
    dt_fw_key(&f, "e");
    dt_fw_obj_begin(&f);
    dt_fw_key(&f, "f");
    dt_fw_null(&f);
    dt_fw_key(&f, "g");
    dt_fw_bool(&f, 1);
    dt_fw_obj_end(&f);
    dt_fw_obj_end(&f);
    dt_fw_key(&f, "h");
    dt_fw_arr_begin(&f);
    dt_fw_arr_begin(&f);
    dt_fw_arr_end(&f);
    dt_fw_arr_begin(&f);
    dt_fw_obj_begin(&f);
    dt_fw_obj_end(&f);
    dt_fw_arr_end(&f);
    dt_fw_arr_end(&f);
    dt_fw_obj_end(&f);
    CHECK_EQ_STR(f.w.buf, want);
    dt_fw_free(&f);
    free(want);
    cJSON_Delete(t);
}

/* --format names come from the format table, per mode. */
static void test_formats(void)
{
    dt_report_format f = DT_FMT_TEXT;
    char names[128];
    CHECK(dt_report_format_parse("json", DT_OUT_REPORT, &f) == 0 && f == DT_FMT_JSON);
    CHECK(dt_report_format_parse("text", DT_OUT_REPORT, &f) == 0 && f == DT_FMT_TEXT);
    CHECK(dt_report_format_parse("csv", DT_OUT_FLOWS, &f) == 0 && f == DT_FMT_CSV);
    CHECK(dt_report_format_parse("ndjson", DT_OUT_FLOWS, &f) == 0 && f == DT_FMT_JSON);
    CHECK(dt_report_format_parse("ndjson", DT_OUT_REPORT, &f) == -1);
    CHECK(dt_report_format_parse("text", DT_OUT_FLOWS, &f) == -1);
    CHECK(dt_report_format_parse("JSON", DT_OUT_REPORT, &f) == -1);
    CHECK(dt_report_format_parse("html", DT_OUT_REPORT, &f) == 0 && f == DT_FMT_HTML);
    CHECK(dt_report_format_parse("html", DT_OUT_FLOWS, &f) == -1);
    CHECK_EQ_STR(dt_report_format_names(DT_OUT_REPORT, names, sizeof names),
                 "json, text, csv or html");
    CHECK_EQ_STR(dt_report_format_names(DT_OUT_FLOWS, names, sizeof names), "json (ndjson) or csv");
    CHECK_EQ_STR(dt_report_format_names(DT_OUT_REPORT, names, 6), "json,");
}

int main(void)
{
    test_formats();
    test_layout();
    test_combine();
    test_round_trip();
    return check_done();
}
