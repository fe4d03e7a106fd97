/* Policies, their violations, the keyed flow sums under them and the time
 * windows, over hand-made flows: every rule, domain suffixes, parts merged
 * with offset flow ids (the same as one pass), the entry limit, windows. */
#include "report/buckets.h"
#include "report/policy.h"
#include "report/window.h"

#include "check.h"

#include <stdlib.h>
#include <string.h>

#define S 1000000000ull
#define T0 (1666599300ull * S) /* 2022-10-24T08:15:00Z */

static dt_policy *policy(const char *text)
{
    char err[256] = "";
    dt_policy *p = dt_policy_parse(text, strlen(text), "p.json", err, sizeof err);
    if (!p)
        fprintf(stderr, "policy: %s\n", err);
    return p;
}

/* A flow from the device to a server, sending up bytes, starting at t. */
static dt_rollup_flow flow(const char *country, const char *transfer, const char *recipient,
                           const char *name, const char *app, int encrypted, uint64_t up,
                           uint64_t t)
{
    dt_rollup_flow f;
    memset(&f, 0, sizeof f);
    f.client_ip = "192.168.1.20";
    f.server_ip = "1.2.3.4";
    f.client_local = 1;
    f.client_bytes = up;
    f.server_bytes = 100;
    f.country = country;
    f.transfer = transfer;
    f.recipient = recipient;
    f.name = name;
    f.app = app;
    f.encrypted = encrypted;
    f.have_time = 1;
    f.ts_digits = 6;
    f.first_ns = t;
    f.last_ns = t + S;
    return f;
}

static dt_policy_violation *violations(const dt_policy_state *s, size_t *n)
{
    int oom = 0;
    dt_policy_violation *v = dt_policy_violations(s, n, &oom);
    CHECK(!oom);
    return v;
}

static void test_parse(void)
{
    static const char *const bad[] = {
        "{\"deny_country\": [\"CN\"]}",
        "{\"deny_countries\": \"CN\"}",
        "{\"deny_countries\": [\"CHN\"]}",
        "{\"allow_transfer\": [\"eu\"]}",
        "{\"plaintext\": 0}",
        "{\"max_bytes_per_hour\": 1.5}",
        "{\"max_bytes_per_hour\": -1}",
        "{\"deny_domains\": [\"*.\"]}",
        "{\"plaintext\": true, \"plaintext\": false}",
        "[]",
        "not json",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[256] = "";
        dt_policy *p = dt_policy_parse(bad[i], strlen(bad[i]), "bad.json", err, sizeof err);
        CHECK(p == NULL);
        CHECK(strncmp(err, "bad.json: ", 10) == 0);
        dt_policy_free(p);
    }
    dt_policy *p = policy("{\"deny_countries\": [\"cn\"]}");
    CHECK(p != NULL);
    CHECK(strcmp(dt_policy_path(p), "p.json") == 0);
    dt_policy_free(p);
    p = policy("{}"); /* no rule: valid, nothing is ever a violation */
    CHECK(p != NULL);
    dt_policy_free(p);
}

static void test_rules(void)
{
    dt_policy *p = policy("{\"allow_countries\": [\"DE\", \"US\"], \"deny_countries\": [\"cn\"],"
                          "\"deny_transfer\": [\"third_country\"], \"deny_recipients\": "
                          "[\"tencent bugly\"], \"deny_domains\": [\"*.Example.com\"],"
                          "\"plaintext\": false}");
    dt_policy_state *s = dt_policy_state_new(p);
    dt_rollup_flow f[] = {
        flow("DE", "eea", "BMW Group", "api.bmw.de", "tls", 1, 1000, T0), /* 0: none */
        flow("CN", "third_country", "Tencent Bugly", "a.qq.com", "tls", 1, 2000, T0 + S), /* 1 */
        flow(NULL, "unknown", NULL, NULL, "tls", 1, 300, T0 + 2 * S), /* 2: no country */
        flow("US", "adequate_partial", "X", "www.example.com", "http", 0, 40, T0 + 3 * S), /* 3 */
        flow("US", "adequate_partial", "X", "badexample.com", "tls", 1, 50, T0 + 4 * S),   /* 4 */
        flow("US", "adequate_partial", "X", "example.com.", "dns", 0, 60, T0 + 5 * S),     /* 5 */
    };
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        CHECK(dt_policy_state_add(s, &f[i]) == 0);
    /* a local flow and one with no local side: ids, never violations */
    dt_rollup_flow local = f[1];
    local.server_local = 1;
    dt_rollup_flow nolocal = f[1];
    nolocal.client_local = 0;
    CHECK(dt_policy_state_add(s, &local) == 0);
    CHECK(dt_policy_state_add(s, &nolocal) == 0);
    CHECK(dt_policy_state_add(s, NULL) == 0); /* an unreadable flow line */
    size_t n = 0;
    dt_policy_violation *v = violations(s, &n);
    CHECK_EQ_INT(n, 9);
    if (n == 9) {
        /* rule order, then bytes descending */
        CHECK(v[0].rule == DT_POLICY_allow_countries && !strcmp(v[0].country, "CN"));
        CHECK(v[1].rule == DT_POLICY_allow_countries && v[1].country == NULL && v[1].bytes == 300 &&
              v[1].examples[0] == 2);
        CHECK(v[2].rule == DT_POLICY_deny_countries && !strcmp(v[2].country, "CN") &&
              v[2].flows == 1 && v[2].bytes == 2000 && v[2].examples[0] == 1);
        CHECK(v[3].rule == DT_POLICY_deny_transfer && !strcmp(v[3].transfer, "third_country"));
        CHECK(v[4].rule == DT_POLICY_deny_recipients && !strcmp(v[4].recipient, "Tencent Bugly"));
        /* suffix match on a label boundary, without case, a trailing dot allowed */
        CHECK(v[5].rule == DT_POLICY_deny_domains && v[5].bytes == 60 &&
              !strcmp(v[5].domain, "example.com."));
        CHECK(v[6].rule == DT_POLICY_deny_domains && v[6].bytes == 40 &&
              !strcmp(v[6].domain, "www.example.com"));
        /* plaintext: http and dns are; by recipient and name */
        CHECK(v[7].rule == DT_POLICY_plaintext && v[7].bytes == 60 && !strcmp(v[7].recipient, "X"));
        CHECK(v[8].rule == DT_POLICY_plaintext && v[8].bytes == 40 &&
              !strcmp(v[8].domain, "www.example.com"));
        char buf[128];
        CHECK(!strcmp(dt_policy_violation_subject(&v[1], buf, sizeof buf), "no country"));
        CHECK(!strcmp(dt_policy_violation_subject(&v[8], buf, sizeof buf), "X / www.example.com"));
    }
    dt_policy_violations_free(v);
    dt_policy_state_free(s);
    dt_policy_free(p);

    /* plaintext: known and not encrypted; unknown apps are not plaintext */
    p = policy("{\"plaintext\": false}");
    s = dt_policy_state_new(p);
    dt_rollup_flow a = flow("DE", "eea", "X", "h.example", "http", 0, 10, T0);
    dt_rollup_flow b = flow("DE", "eea", "X", NULL, "unknown", 0, 10, T0);
    dt_rollup_flow c = flow("DE", "eea", "X", NULL, "dns", 0, 10, T0);
    CHECK(dt_policy_state_add(s, &a) == 0 && dt_policy_state_add(s, &b) == 0 &&
          dt_policy_state_add(s, &c) == 0);
    v = violations(s, &n);
    CHECK_EQ_INT(n, 2);
    if (n == 2) /* a server without a name: its address */
        CHECK(!strcmp(v[0].domain, "1.2.3.4") && !strcmp(v[1].domain, "h.example"));
    dt_policy_violations_free(v);
    dt_policy_state_free(s);
    dt_policy_free(p);
}

/* max_bytes_per_hour over parts: the same rows as one pass, ids offset. */
static void test_hourly_merge(void)
{
    dt_policy *p = policy("{\"max_bytes_per_hour\": 1000}");
    dt_rollup_flow f[] = {
        flow("DE", "eea", "A", "a", "tls", 1, 600, T0),
        flow("DE", "eea", "B", "b", "tls", 1, 5000, T0 + 10 * S),
        flow("DE", "eea", "A", "a", "tls", 1, 600, T0 + 20 * S),    /* A: 1200 in 08:00 */
        flow("DE", "eea", "A", "a", "tls", 1, 900, T0 + 3600 * S),  /* A: 900 in 09:00 */
        flow("DE", "eea", "A", "a", "tls", 1, 2000, T0 + 7200 * S), /* A: 2000 in 10:00 */
    };
    size_t nf = sizeof f / sizeof f[0];
    dt_policy_state *one = dt_policy_state_new(p), *dst = dt_policy_state_new(p),
                    *part = dt_policy_state_new(p);
    for (size_t i = 0; i < nf; i++) {
        CHECK(dt_policy_state_add(one, &f[i]) == 0);
        CHECK(dt_policy_state_add(i < 2 ? dst : part, &f[i]) == 0);
    }
    CHECK(dt_policy_state_merge(dst, part) == 0);
    size_t n1 = 0, n2 = 0;
    dt_policy_violation *a = violations(one, &n1), *b = violations(dst, &n2);
    CHECK_EQ_INT(n1, 2);
    CHECK(n1 == n2);
    if (n1 == 2 && n2 == 2) {
        CHECK(!strcmp(a[0].recipient, "B") && a[0].bytes == 5000 && a[0].hours == 1);
        CHECK(!strcmp(a[1].recipient, "A") && a[1].bytes == 3200 && a[1].flows == 3 &&
              a[1].hours == 2 && a[1].max_hour_bytes == 2000);
        CHECK(a[1].n_examples == 3 && a[1].examples[0] == 0 && a[1].examples[1] == 2 &&
              a[1].examples[2] == 4);
        CHECK(a[1].first_ns == T0 && a[1].last_ns == T0 + 7201 * S);
        for (size_t i = 0; i < 2; i++)
            CHECK(a[i].bytes == b[i].bytes && a[i].flows == b[i].flows &&
                  a[i].n_examples == b[i].n_examples &&
                  !memcmp(a[i].examples, b[i].examples, sizeof a[i].examples) &&
                  !strcmp(a[i].recipient, b[i].recipient));
    }
    dt_policy_violations_free(a);
    dt_policy_violations_free(b);
    dt_policy_state_free(one);
    dt_policy_state_free(dst);
    dt_policy_state_free(part);
    dt_policy_free(p);
}

static void test_buckets(void)
{
    dt_buckets b = {0};
    b.max = 2;
    const char *k1[DT_BUCKET_FIELDS] = {"a"}, *k2[DT_BUCKET_FIELDS] = {"b"},
               *k3[DT_BUCKET_FIELDS] = {"c"}, *k4[DT_BUCKET_FIELDS] = {NULL, "a"};
    dt_bstats one = dt_bstats_flow(10, 1, T0, T0 + S, 6, 7);
    dt_buckets_add(&b, 0, 0, k1, &one);
    dt_buckets_add(&b, 0, 0, k1, &one);
    dt_buckets_add(&b, 0, 1, k1, &one); /* another slot: another key */
    dt_buckets_add(&b, 0, 0, k2, &one); /* the limit: not kept, counted */
    dt_buckets_add(&b, 0, 0, k3, &one);
    CHECK_EQ_INT(b.n, 2);
    CHECK_EQ_INT(b.dropped, 2);
    CHECK(b.v[0].st.bytes == 20 && b.v[0].st.flows == 2 && b.v[0].st.n_ex == 2);
    dt_buckets c = {0};
    dt_buckets_add(&c, 0, 0, k4, &one); /* ("a" in the second field) is not ("a") */
    dt_buckets_add(&c, 1, 0, k1, &one); /* another kind */
    CHECK_EQ_INT(c.n, 2);
    /* examples: the smallest ids, src's raised by the offset */
    dt_bstats x = dt_bstats_flow(1, 0, 0, 0, 0, 1), y = dt_bstats_flow(1, 0, 0, 0, 0, 0);
    dt_bstats_add(&x, &y, 10);
    dt_bstats_add(&x, &y, 2);
    dt_bstats_add(&x, &y, 20);
    CHECK(x.n_ex == 3 && x.ex[0] == 1 && x.ex[1] == 2 && x.ex[2] == 10 && x.flows == 4);
    dt_buckets_free(&b);
    dt_buckets_free(&c);
}

static void test_windows(void)
{
    dt_window_state *w = dt_window_new(3600 * S), *part = dt_window_new(3600 * S);
    dt_rollup_flow f[] = {
        flow("DE", "eea", "A", "a", "tls", 1, 100, T0),
        flow("DE", "eea", "B", "b", "tls", 1, 300, T0 + 60 * S),
        flow("DE", "eea", NULL, NULL, "tls", 1, 50, T0 + 120 * S),
        flow("DE", "eea", "A", "a", "tls", 1, 700, T0 + 3600 * S),
    };
    CHECK(dt_window_add(w, &f[0]) == 0 && dt_window_add(w, &f[1]) == 0);
    CHECK(dt_window_add(part, &f[2]) == 0 && dt_window_add(part, &f[3]) == 0);
    CHECK(dt_window_add(part, NULL) == 0);
    CHECK(dt_window_merge(w, part) == 0);
    size_t n = 0;
    int oom = 0;
    dt_window_row *rows = dt_window_rows(w, &n, &oom);
    CHECK_EQ_INT(n, 2);
    if (n == 2) {
        CHECK(rows[0].start_ns == 1666598400ull * S &&
              rows[0].end_ns == rows[0].start_ns + 3600 * S);
        CHECK(rows[0].bytes == 450 && rows[0].flows == 3 && rows[0].n == 3);
        CHECK(!strcmp(rows[0].recipients[0]->k[0], "B") &&
              !strcmp(rows[0].recipients[1]->k[0], "A") && rows[0].recipients[2]->k[0] == NULL);
        CHECK(rows[1].bytes == 700 && rows[1].n == 1);
    }
    dt_window_rows_free(rows, n);
    dt_window_free(w);
    dt_window_free(part);
    CHECK(dt_window_new(0) == NULL);
}

int main(void)
{
    test_parse();
    test_rules();
    test_hourly_merge();
    test_buckets();
    test_windows();
    return check_done();
}
