/* lib/apps.c: DNS records of a flow, the DNS message hook, and the limit on
 * per-flow parser state (refused and counted, never exceeded). */
#include "proto/apps.h"
#include "check.h"

#include <stddef.h>
#include <string.h>

/* A DNS response for NAME A 192.0.2.<n> (one answer). */
static size_t dns_response(uint8_t *b, const char *label, uint8_t n)
{
    size_t k = 0;
    static const uint8_t hdr[] = {0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0};
    memcpy(b, hdr, sizeof hdr);
    k = sizeof hdr;
    size_t l = strlen(label);
    b[k++] = (uint8_t)l;
    memcpy(b + k, label, l);
    k += l;
    memcpy(b + k, "\7example\3com\0", 13);
    k += 13;
    static const uint8_t tail[] = {0, 1, 0, 1,  0xc0, 0x0c, 0,   1, 0, 1,
                                   0, 0, 0, 60, 0,    4,    192, 0, 2};
    memcpy(b + k, tail, sizeof tail);
    k += sizeof tail;
    b[k++] = n;
    return k;
}

static void flow_init(dt_flow *f, uint16_t sport)
{
    memset(f, 0, sizeof *f);
    f->proto = 17;
    f->side[DT_CLIENT].port = sport;
    f->side[DT_SERVER].port = 53;
}

static int seen;
static char last_name[64];

static void on_dns(void *ctx, const dt_flow_dns *rec)
{
    (void)ctx;
    seen++;
    snprintf(last_name, sizeof last_name, "%s", dt_flow_dns_name(rec));
    /* the record is complete when the hook sees it: its size ends after its last string */
    const char *last = rec->n_chain     ? dt_flow_dns_chain(rec, rec->n_chain - 1)
                       : rec->n_answers ? dt_flow_dns_answer(rec, rec->n_answers - 1)
                                        : rec->text;
    CHECK_EQ_INT(rec->bytes, (size_t)(last - (const char *)rec) + strlen(last) + 1);
}

int main(void)
{
    dt_apps *a = dt_apps_new(0);
    CHECK(a != NULL);
    dt_apps_on_dns(a, on_dns, NULL);
    dt_flow f;
    flow_init(&f, 40000);
    uint8_t msg[512];
    /* 12 responses on one flow: the flow keeps 8, the hook sees all 12 */
    for (int i = 0; i < 12; i++) {
        char label[16];
        snprintf(label, sizeof label, "n%d", i);
        size_t n = dns_response(msg, label, (uint8_t)i);
        dt_apps_on_datagram(a, &f, DT_SERVER, msg, n, 1000);
    }
    CHECK_EQ_INT(seen, 12);
    CHECK_EQ_STR(last_name, "n11.example.com");
    CHECK(f.app != NULL);
    if (f.app) {
        CHECK_EQ_INT(f.app->n_dns, DT_FLOW_MAX_DNS);
        CHECK_EQ_STR(dt_flow_dns_name(f.app->dns[0]), "n0.example.com");
        CHECK_EQ_INT(f.app->dns[3]->n_answers, 1);
        CHECK_EQ_STR(dt_flow_dns_answer(f.app->dns[3], 0), "192.0.2.3");
        /* packed to size: a short record, not the largest possible one */
        CHECK(f.app->dns[0]->bytes < 200);
    }
    CHECK_EQ_INT(dt_apps_state_refused(a), 0);
    dt_apps_flow_free(&f);

    /* a limit smaller than one flow's state: refused and counted; DNS is still
     * read for the names and the report's table, nothing is kept in the flow */
    dt_apps_set_state_limit(a, 100);
    flow_init(&f, 40001);
    seen = 0;
    size_t n = dns_response(msg, "late", 1);
    dt_apps_on_datagram(a, &f, DT_SERVER, msg, n, 2000);
    CHECK(f.app == NULL);
    CHECK(dt_apps_state_refused(a) >= 1);
    CHECK_EQ_INT(seen, 1); /* the report's table still gets the message */
    seen = 0;
    dt_apps_flow_end(a, &f); /* still ends cleanly without state */
    dt_apps_flow_free(&f);

    /* room for the app but not for a record: the app stays, the record does not */
    dt_apps_set_state_limit(a, sizeof(dt_flow_app) + 8);
    flow_init(&f, 40002);
    uint64_t before = dt_apps_state_refused(a);
    dt_apps_on_datagram(a, &f, DT_SERVER, msg, n, 3000);
    CHECK(f.app != NULL);
    if (f.app)
        CHECK_EQ_INT(f.app->n_dns, 0);
    CHECK(dt_apps_state_refused(a) > before);
    CHECK_EQ_INT(seen, 1); /* the report's table still gets the message */
    dt_apps_flow_free(&f);
    dt_apps_free(a); /* asserts (Debug builds) that every byte was given back */
    return check_done();
}
