/* Tests for lib/domain: registrable domains with the ICANN section of the PSL. */
#include "check.h"
#include "enrich/domain.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static const char *reg(const char *name)
{
    static char out[DT_DOMAIN_MAX + 1];
    if (dt_registrable_domain(name, out, sizeof out) < 0)
        return "(none)";
    return out;
}

/* The memo gives the answers of the plain function, whatever it already holds. */
static int memo_agrees(dt_suffix_memo *m, const char *name)
{
    char a[DT_DOMAIN_MAX + 1], b[DT_DOMAIN_MAX + 1];
    int ra = dt_registrable_domain(name, a, sizeof a);
    int rb = dt_registrable_domain_memo(name, m, b, sizeof b);
    if (ra != rb || strcmp(a, b) != 0) {
        fprintf(stderr, "memo differs on %s: %d %s / %d %s\n", name, ra, a, rb, b);
        return 0;
    }
    return 1;
}

static void test_memo(void)
{
    static const char *const names[] = {
        "android.bugly.qq.com", "qq.com", "com", "a.b.example.co.uk", "example.co.uk", "co.uk",
        /* a suffix public under one rule and not under its parent's */
        "a.foo.bar.ck", "foo.bar.ck", "bar.ck", "www.ck", "x.www.ck", "foo.kawasaki.jp",
        "a.foo.kawasaki.jp", "www.city.kawasaki.jp", "city.kawasaki.jp", "kawasaki.jp",
        "WWW.Example.COM.", "www.example.com", "foo.s3.amazonaws.com", "printer.home.lan",
        "4.3.2.192.in-addr.arpa", "in-addr.arpa", "foo.notin-addr.arpa", "192.168.1.1", "",
        "a..example.com"};
    size_t n = sizeof names / sizeof names[0];
    dt_suffix_memo *m = dt_suffix_memo_new();
    CHECK(m != NULL);
    int ok = 1;
    for (int round = 0; round < 2; round++) /* empty memo, then filled */
        for (size_t i = 0; i < n; i++)
            ok &= memo_agrees(m, names[round ? n - 1 - i : i]);
    /* More suffixes than slots, so that slots are replaced; suffixes longer than a slot. */
    char name[DT_DOMAIN_MAX + 1];
    for (int i = 0; i < 3000; i++) {
        snprintf(name, sizeof name, "h%d.s%d.d%d.%s", i, i % 700, i % 1300,
                 i % 3   ? "com"
                 : i % 2 ? "co.uk"
                         : "kawasaki.jp");
        ok &= memo_agrees(m, name);
    }
    char longname[200];
    memset(longname, 'x', 150);
    memcpy(longname + 60, ".", 1);
    strcpy(longname + 150, ".example.com");
    ok &= memo_agrees(m, longname);
    ok &= memo_agrees(m, longname);
    CHECK(ok);
    char out[8];
    CHECK_EQ_INT(dt_registrable_domain_memo("a.qq.com", m, out, sizeof out), 0);
    CHECK_EQ_STR(out, "qq.com");
    dt_suffix_memo_free(m);
    dt_suffix_memo_free(NULL);
}

static void *worker(void *arg)
{
    char out[64];
    int *ok = arg;
    for (int i = 0; i < 200; i++)
        if (dt_registrable_domain("a.b.example.co.uk", out, sizeof out) != 0 ||
            strcmp(out, "example.co.uk") != 0)
            *ok = 0;
    return NULL;
}

int main(void)
{
    /* Threads racing on the first use share one load. */
    pthread_t th[4];
    int ok[4] = {1, 1, 1, 1};
    for (int i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, worker, &ok[i]);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    CHECK(ok[0] && ok[1] && ok[2] && ok[3]);

    const char *src = dt_psl_source();
    CHECK(strcmp(src, "builtin") == 0 || strncmp(src, "file:", 5) == 0);

    CHECK_EQ_STR(reg("android.bugly.qq.com"), "qq.com");
    CHECK_EQ_STR(reg("a.b.example.co.uk"), "example.co.uk");
    CHECK_EQ_STR(reg("example.co.uk"), "example.co.uk");
    CHECK_EQ_STR(reg("www.google.com"), "google.com");
    /* ICANN section only: private suffixes map to their operator. */
    CHECK_EQ_STR(reg("foo.s3.amazonaws.com"), "amazonaws.com");
    CHECK_EQ_STR(reg("s3.amazonaws.com"), "amazonaws.com");
    CHECK_EQ_STR(reg("user.github.io"), "github.io");
    CHECK_EQ_STR(reg("x.blogspot.com"), "blogspot.com");
    /* Case, trailing dot. */
    CHECK_EQ_STR(reg("WWW.Example.COM."), "example.com");
    CHECK_EQ_STR(reg("Android.Bugly.QQ.com"), "qq.com");
    /* IDN in punycode (A-labels). */
    CHECK_EQ_STR(reg("www.xn--mnchen-3ya.de"), "xn--mnchen-3ya.de");
    CHECK_EQ_STR(reg("a.foo.xn--p1ai"), "foo.xn--p1ai");
    CHECK_EQ_STR(reg("xn--p1ai"), "(none)");
    /* Wildcard and exception rules (*.ck, !www.ck; *.kawasaki.jp, !city.kawasaki.jp). */
    CHECK_EQ_STR(reg("a.foo.bar.ck"), "foo.bar.ck");
    CHECK_EQ_STR(reg("www.ck"), "www.ck");
    CHECK_EQ_STR(reg("foo.kawasaki.jp"), "(none)");
    CHECK_EQ_STR(reg("www.city.kawasaki.jp"), "city.kawasaki.jp");
    /* Unknown TLDs follow the implicit "*" rule. */
    CHECK_EQ_STR(reg("printer.home.lan"), "home.lan");
    /* Public suffixes themselves. */
    CHECK_EQ_STR(reg("com"), "(none)");
    CHECK_EQ_STR(reg("co.uk"), "(none)");
    CHECK_EQ_STR(reg("co.uk."), "(none)");
    CHECK_EQ_STR(reg("localhost"), "(none)");
    /* IP literals. */
    CHECK_EQ_STR(reg("192.168.1.1"), "(none)");
    CHECK_EQ_STR(reg("1.2.3.4."), "(none)");
    CHECK_EQ_STR(reg("::1"), "(none)");
    CHECK_EQ_STR(reg("2001:db8::1"), "(none)");
    CHECK_EQ_STR(reg("[2001:db8::1]"), "(none)");
    CHECK_EQ_STR(reg("4.3.2.192.in-addr.arpa"), "(none)");
    CHECK_EQ_STR(reg("b.a.9.8.ip6.arpa."), "(none)");
    CHECK_EQ_STR(reg("foo.notin-addr.arpa"), "notin-addr.arpa");
    /* Garbage. */
    CHECK_EQ_STR(reg(""), "(none)");
    CHECK_EQ_STR(reg("."), "(none)");
    CHECK_EQ_STR(reg(".."), "(none)");
    CHECK_EQ_STR(reg("a..example.com"), "(none)");
    CHECK_EQ_STR(reg(".example.com"), "(none)");
    CHECK_EQ_STR(reg("exa mple.com"), "(none)");
    CHECK_EQ_STR(reg("ex\x01mple.com"), "(none)");
    CHECK_EQ_STR(reg("m\xc3\xbcnchen.de"), "(none)"); /* raw UTF-8: not a DNS name on the wire */
    CHECK_EQ_STR(reg(NULL), "(none)");
    char big[400];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    CHECK_EQ_STR(reg(big), "(none)"); /* too long and a 399-byte label */
    char longlab[80] = "www.";
    memset(longlab + 4, 'b', 64);
    strcpy(longlab + 68, ".com");
    CHECK_EQ_STR(reg(longlab), "(none)"); /* 64-byte label */
    longlab[4 + 62] = '.'; /* "www." + 62 x "b" + ".b.com": labels of 62 and 1 bytes */
    CHECK_EQ_STR(reg(longlab), "b.com");

    test_memo();

    /* Output buffer handling. */
    char small[6];
    CHECK_EQ_INT(dt_registrable_domain("a.qq.com", small, sizeof small), -1);
    CHECK_EQ_STR(small, "");
    char fit[7];
    CHECK_EQ_INT(dt_registrable_domain("a.qq.com", fit, sizeof fit), 0);
    CHECK_EQ_STR(fit, "qq.com");
    CHECK_EQ_INT(dt_registrable_domain("a.qq.com", NULL, 10), -1);
    return check_done();
}
