/* lib/proto/doh.c: encrypted DNS, and the DoH resolvers of data/doh-hosts.txt
 * (built into the library: every name of the file is known, nothing else). */
#include "proto/doh.h"
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void hello(dt_tls_client *c, const char *sni, const char *alpn)
{
    memset(c, 0, sizeof *c);
    c->present = 1;
    snprintf(c->sni, sizeof c->sni, "%s", sni);
    if (alpn) {
        snprintf(c->alpn[0], sizeof c->alpn[0], "%s", alpn);
        c->n_alpn = 1;
    }
}

static void data_file(void)
{
    FILE *fp = fopen(DT_DATA_DIR "/doh-hosts.txt", "r");
    CHECK(fp != NULL);
    if (!fp)
        return;
    char line[256];
    int n = 0;
    while (fgets(line, sizeof line, fp)) {
        line[strcspn(line, "#\r\n")] = '\0';
        char *s = line + strspn(line, " \t");
        s[strcspn(s, " \t")] = '\0';
        if (!*s)
            continue;
        n++;
        if (!dt_doh_host(s))
            fprintf(stderr, "not built in: %s\n", s);
        CHECK(dt_doh_host(s));
    }
    fclose(fp);
    CHECK(n >= 20);
}

int main(void)
{
    data_file();
    CHECK(dt_doh_host("DNS.Google"));
    CHECK(!dt_doh_host("google.com"));
    CHECK(!dt_doh_host(""));
    dt_tls_client c, q;
    hello(&c, "cloudflare-dns.com", "h2");
    CHECK_EQ_INT(dt_encrypted_dns_kind(443, &c, NULL), DT_ENC_DNS_DOH);
    CHECK_EQ_INT(dt_encrypted_dns_kind(853, &c, NULL), DT_ENC_DNS_DOT);
    hello(&c, "resolver.example", "dot");
    CHECK_EQ_INT(dt_encrypted_dns_kind(443, &c, NULL), DT_ENC_DNS_DOT);
    hello(&c, "www.example.com", "h2");
    CHECK_EQ_INT(dt_encrypted_dns_kind(443, &c, NULL), DT_ENC_DNS_NONE);
    hello(&q, "dns.google", "h3");
    CHECK_EQ_INT(dt_encrypted_dns_kind(443, NULL, &q), DT_ENC_DNS_DOH);
    CHECK_EQ_INT(dt_encrypted_dns_kind(853, NULL, &q), DT_ENC_DNS_DOQ);
    hello(&q, "resolver.example", "doq");
    CHECK_EQ_INT(dt_encrypted_dns_kind(443, NULL, &q), DT_ENC_DNS_DOQ);
    CHECK_EQ_INT(dt_encrypted_dns_kind(53, NULL, NULL), DT_ENC_DNS_NONE);
    return check_done();
}
