/* The personal data detector: a payload by parts (HTTP, gzip bodies, MQTT,
 * data) and as a DNS name, with an identifier in all its encodings; every
 * finding's strings stay within their arrays and the counts within bounds. */
#include "fuzz.h"
#include "proto/pii.h"

#include <stdlib.h>
#include <string.h>

static void check(const dt_pii_findings *f)
{
    if (f->n < 0 || f->n > DT_PII_MAX_FINDINGS)
        abort();
    for (int i = 0; i < f->n; i++)
        if (strnlen(f->f[i].sample, DT_PII_SAMPLE) >= DT_PII_SAMPLE ||
            strnlen(f->f[i].name, DT_PII_NAME) >= DT_PII_NAME ||
            f->f[i].kind >= DT_PII_KIND_COUNT || f->f[i].where >= DT_PII_WHERE_COUNT ||
            f->f[i].encoding >= DT_PII_ENC_COUNT)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static dt_pii *d;
    char err[160];
    if (!d) {
        const char *ids[] = {"VIN=WVWZZZ1JZXW000001", "MAIL=jane@example.org"};
        d = dt_pii_new(ids, 2, 16384, 0, err, sizeof err);
        if (!d)
            abort();
    }
    uint8_t *buf = malloc(size ? size : 1); /* exact size: ASan sees any read past it */
    if (!buf)
        abort();
    memcpy(buf, data, size);
    static const uint8_t own[1][6] = {{2, 0, 0, 0, 0, 1}};
    dt_pii_ctx c = {DT_PII_AT_DATA, 0, DT_PII_ENC_PLAIN, NULL, 0, own, 1, 0, 0};
    dt_pii_findings f;
    memset(&f, 0, sizeof f);
    dt_pii_scan_stream(d, buf, size, &c, &f);
    check(&f);
    char name[256];
    size_t n = size < sizeof name - 1 ? size : sizeof name - 1;
    memcpy(name, data, n);
    name[n] = '\0';
    memset(&f, 0, sizeof f);
    dt_pii_scan_dns(d, name, &c, &f);
    check(&f);
    free(buf);
    return 0;
}
