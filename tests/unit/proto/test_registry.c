/* lib/proto/registry.c: the table of parsers, and adding a protocol through
 * one table entry: a toy protocol (a client stream starting "TOY1 name\n")
 * gets its result, its app and its JSON object without any other change. */
#include "proto/apps.h"
#include "report/flowjson.h"
#include "util/cursor.h"
#include "check.h"

#include <stdlib.h>
#include <string.h>

/* ---- the toy protocol: what its own file would hold ---- */

typedef struct toy_info {
    int present;
    char name[32];
} toy_info;

/* The pure parser: "TOY1 " then a name up to '\n'. */
static dt_parse_status toy_parse_buf(const uint8_t *p, size_t len, toy_info *out)
{
    dt_cur c = dt_cur_make(p, len);
    const uint8_t *magic = dt_bytes(&c, 5);
    if (!magic)
        return memcmp(p, "TOY1 ", len) == 0 ? DT_PARSE_MORE : DT_PARSE_NOT_MINE;
    if (memcmp(magic, "TOY1 ", 5) != 0)
        return DT_PARSE_NOT_MINE;
    const uint8_t *nl = memchr(dt_ptr(&c), '\n', dt_left(&c));
    if (!nl)
        return DT_PARSE_MORE;
    size_t n = (size_t)(nl - dt_ptr(&c));
    if (n >= sizeof out->name)
        n = sizeof out->name - 1;
    memcpy(out->name, dt_bytes(&c, n), n);
    out->name[n] = '\0';
    out->present = 1;
    return DT_PARSE_DONE;
}

static dt_parse_status toy_parse(const dt_parse_in *in)
{
    toy_info *t = dt_parser_result(in, dt_parser_slot(in->id));
    if (!t)
        return DT_PARSE_NOT_MINE;
    dt_parse_status st = toy_parse_buf(in->p, in->len, t);
    if (t->present)
        dt_flow_app_set(in->x, dt_parser_app(in->id));
    return st;
}

static int toy_freed;
static void toy_free(void *result)
{
    (void)result;
    toy_freed++;
}

static int toy_json(dt_jw *w, const dt_flow_app *x)
{
    const toy_info *t = x->result[dt_parser_slot(DT_PARSER_BUILTIN)];
    if (!t || !t->present)
        return 0;
    dt_jw_obj_begin(w);
    DT_JW_KEY_STR_OR_NULL(w, "name", t->name);
    dt_jw_obj_end(w);
    return 1;
}

/* ---- its one table entry ---- */

static const dt_parser toy_entry = {
    .name = "toy",
    .transport = DT_TRANSPORT_TCP,
    .dirs = DT_DIRS_CLIENT,
    .parse = toy_parse,
    .result_size = sizeof(toy_info),
    .free_result = toy_free,
    .DT_PARSER_JSON_KEY("toy"),
    .json = toy_json,
    .app_name = "toy",
};

/* ---- a TCP flow fed through lib/proto/apps.c ---- */

static void tcp_flow(dt_flow *f, dt_tcp_dir dirs[2], uint32_t cap, uint16_t sport, uint16_t dport)
{
    memset(f, 0, sizeof *f);
    f->proto = 6;
    f->side[DT_CLIENT].port = sport;
    f->side[DT_SERVER].port = dport;
    f->tcp = dirs;
    for (int d = 0; d < 2; d++) {
        dt_tcp_dir_init(&dirs[d], cap, NULL);
        dt_tcp_dir_segment(&dirs[d], 1000, 0x02 /* SYN */, NULL, 0);
    }
}

static void send(dt_apps *a, dt_flow *f, int dir, uint32_t *seq, const char *s)
{
    size_t n = strlen(s);
    if (dt_tcp_dir_segment(&f->tcp[dir], *seq, 0, (const uint8_t *)s, (uint32_t)n) > 0)
        dt_apps_on_stream(a, f, dir);
    *seq += (uint32_t)n;
}

static char *flow_json(const dt_flow *f)
{
    dt_input_info in;
    memset(&in, 0, sizeof in);
    in.path = "toy.pcap";
    dt_jw w;
    dt_jw_init(&w);
    CHECK_EQ_INT(dt_flow_json_write(&w, &in, f, NULL, 0, NULL), 0);
    return w.buf; /* the caller frees it */
}

static void end_flow(dt_apps *a, dt_flow *f)
{
    dt_apps_flow_end(a, f);
    dt_apps_flow_free(f);
    dt_tcp_dir_free(&f->tcp[0]);
    dt_tcp_dir_free(&f->tcp[1]);
}

static void builtin_table(void)
{
    CHECK_EQ_INT(dt_parser_count(), DT_PARSER_BUILTIN);
    CHECK_EQ_INT(dt_result_count(), DT_RESULT_BUILTIN);
    /* has_result in DT_PARSERS agrees with each entry's result_size */
    for (int id = 0; id < dt_parser_count(); id++) {
        const dt_parser *p = dt_parser_get(id);
        CHECK(p && p->name && p->parse);
        CHECK_EQ_INT(dt_parser_slot(id) >= 0, p->result_size > 0);
        if (dt_parser_slot(id) >= 0)
            CHECK(dt_result_parser(dt_parser_slot(id)) == p);
    }
    /* the flow object's parser keys, in table order ("stun", "dhcp", "coap" only on their flows) */
    char keys[64] = "";
    for (int id = 0; id < dt_parser_count(); id++)
        if (dt_parser_get(id)->json_key)
            strncat(keys, dt_parser_get(id)->json_key, sizeof keys - strlen(keys) - 1);
    CHECK_EQ_STR(keys, "\"tls\":\"quic\":\"http\":\"dns\":\"stun\":\"dhcp\":\"coap\":");
    CHECK(dt_parser_get(DT_PARSER_DHCP)->flags & DT_PF_JSON_IF_RESULT);
    /* DNS ports belong to DNS alone; other UDP flows get QUIC, SSDP and NTP
     * only where their ports say so, STUN, DTLS and DNS by content on any port;
     * every flow the (passive) personal data detector */
    uint32_t act[2];
    dt_parsers_for_flow(DT_TRANSPORT_UDP, (const uint16_t[2]){40000, 53}, act);
    CHECK_EQ_INT(act[DT_CLIENT], 1u << DT_PARSER_DNS_UDP);
    CHECK_EQ_INT(act[DT_SERVER], 1u << DT_PARSER_DNS_UDP);
    dt_parsers_for_flow(DT_TRANSPORT_UDP, (const uint16_t[2]){40000, 443}, act);
    CHECK_EQ_INT(act[DT_CLIENT], (1u << DT_PARSER_QUIC) | (1u << DT_PARSER_STUN) |
                                     (1u << DT_PARSER_DTLS) | (1u << DT_PARSER_DNS_CONTENT_UDP) |
                                     (1u << DT_PARSER_PII_UDP));
    CHECK_EQ_INT(act[DT_SERVER], (1u << DT_PARSER_STUN) | (1u << DT_PARSER_DNS_CONTENT_UDP) |
                                     (1u << DT_PARSER_PII_UDP));
    dt_parsers_for_flow(DT_TRANSPORT_TCP, (const uint16_t[2]){40000, 443}, act);
    CHECK_EQ_INT(act[DT_CLIENT], (1u << DT_PARSER_TLS_CLIENT) | (1u << DT_PARSER_SOCKS) |
                                     (1u << DT_PARSER_HTTP) | (1u << DT_PARSER_H2C) |
                                     (1u << DT_PARSER_MQTT) | (1u << DT_PARSER_DNS_CONTENT_TCP) |
                                     (1u << DT_PARSER_PII));
    CHECK_EQ_INT(act[DT_SERVER], (1u << DT_PARSER_TLS_SERVER) | (1u << DT_PARSER_DNS_CONTENT_TCP) |
                                     (1u << DT_PARSER_PII));
    CHECK_EQ_INT(dt_parsers_passive(), (1u << DT_PARSER_PII) | (1u << DT_PARSER_PII_UDP));
}

static void toy_protocol(void)
{
    int id = dt_parsers_add(&toy_entry);
    CHECK_EQ_INT(id, DT_PARSER_BUILTIN);
    CHECK_EQ_INT(dt_parsers_add(&toy_entry), -1); /* DT_PARSER_EXTRA_MAX */
    CHECK_EQ_INT(dt_parser_count(), DT_PARSER_BUILTIN + 1);
    CHECK_EQ_STR(dt_app_name((dt_app)dt_parser_app(id)), "toy");

    dt_apps *a = dt_apps_new(0);
    dt_flow f;
    dt_tcp_dir dirs[2];
    uint32_t seq = 1001;

    /* a flow carrying it, in two segments: the toy result, app and JSON */
    tcp_flow(&f, dirs, 4096, 40000, 7777);
    send(a, &f, DT_CLIENT, &seq, "TOY1 hel");
    CHECK(f.app && f.app->st[id] == DT_ST_MORE);
    send(a, &f, DT_CLIENT, &seq, "lo\nmore");
    CHECK(f.app && f.app->st[id] == DT_ST_DONE);
    CHECK(f.app && !(f.app->active[DT_CLIENT] & (1u << id)));
    char *j = flow_json(&f);
    CHECK(j && strstr(j, "\"app\":\"toy\""));
    CHECK(j && strstr(j, "\"http\":null,\"dns\":null,\"toy\":{\"name\":\"hello\"}}"));
    free(j);
    toy_freed = 0;
    end_flow(a, &f);
    CHECK_EQ_INT(toy_freed, 1);

    /* a flow of another protocol: not the toy's, HTTP's */
    seq = 1001;
    tcp_flow(&f, dirs, 4096, 40001, 80);
    send(a, &f, DT_CLIENT, &seq, "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n");
    CHECK(f.app && f.app->st[id] == DT_ST_NOT_MINE);
    j = flow_json(&f);
    CHECK(j && strstr(j, "\"app\":\"http\""));
    CHECK(j && strstr(j, "\"toy\":null}"));
    free(j);
    end_flow(a, &f);

    /* the generic "buffer full" rule: a parser still wanting more when the
     * direction's buffer is full is NOT_MINE, and buffering stops */
    seq = 1001;
    tcp_flow(&f, dirs, 16, 40002, 7777);
    send(a, &f, DT_CLIENT, &seq, "TOY1 a-long-name");
    CHECK(f.app && f.app->st[id] == DT_ST_NOT_MINE);
    CHECK(f.app && f.app->active[DT_CLIENT] == 0);
    CHECK(f.tcp[DT_CLIENT].stopped);
    end_flow(a, &f);

    /* past the parser state limit: refused, counted, nothing kept */
    dt_apps_set_state_limit(a, sizeof(dt_flow_app) + 4);
    seq = 1001;
    tcp_flow(&f, dirs, 4096, 40003, 7777);
    send(a, &f, DT_CLIENT, &seq, "TOY1 x\n");
    CHECK(f.app && f.app->result[dt_parser_slot(id)] == NULL);
    CHECK(dt_apps_state_refused(a) >= 1);
    end_flow(a, &f);

    dt_apps_free(a);
    dt_parsers_reset();
    CHECK_EQ_INT(dt_parser_count(), DT_PARSER_BUILTIN);
}

int main(void)
{
    builtin_table();
    toy_protocol();
    return check_done();
}
