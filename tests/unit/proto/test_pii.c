/* lib/proto/pii.c, pii_parts.c: each kind found when valid, not when not;
 * identifiers in their encodings; HTTP and MQTT parts; masking; bounds. */
#include "proto/pii.h"
#include "check.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static dt_pii_findings found;

static const dt_pii_ctx data_ctx = {DT_PII_AT_DATA, 0, DT_PII_ENC_PLAIN, NULL, 0, NULL, 0, 0, 0};

/* The findings of scanning s as data: how many, and the first's kind. */
static int scan_str(const dt_pii *d, const char *s)
{
    memset(&found, 0, sizeof found);
    dt_pii_scan(d, (const uint8_t *)s, strlen(s), &data_ctx, &found);
    return found.n;
}

static int kind_of(const dt_pii *d, const char *s)
{
    return scan_str(d, s) == 1 ? found.f[0].kind : -1;
}

static void kinds(void)
{
    /* VIN: North American with its check digit; elsewhere a known WMI */
    CHECK(dt_pii_vin_ok("1HGCM82633A004352", 17));
    CHECK(!dt_pii_vin_ok("1HGCM82643A004352", 17)); /* wrong check digit */
    CHECK(dt_pii_vin_ok("WVWZZZ1JZXW000001", 17));
    CHECK(!dt_pii_vin_ok("QVWZZZ1JZXW000001", 17)); /* Q is not in the alphabet */
    CHECK(!dt_pii_vin_ok("ABCZZZ1JZXW000001", 17)); /* unknown WMI, no check digit */
    CHECK(!dt_pii_vin_ok("12345678901234567", 17)); /* digits only */
    CHECK_EQ_INT(kind_of(NULL, "vin=1HGCM82633A004352&x"), DT_PII_VIN);
    CHECK_EQ_INT(scan_str(NULL, "id=X1HGCM82633A004352"), 0); /* 18 characters */
    /* GPS: JSON and query pairs in range with 4 decimals; NMEA with its checksum */
    CHECK_EQ_INT(kind_of(NULL, "{\"lat\": 48.137154, \"lng\": 11.576124}"), DT_PII_GPS);
    CHECK_EQ_INT(kind_of(NULL, "?latitude=-33.8688&longitude=151.2093"), DT_PII_GPS);
    CHECK_EQ_INT(scan_str(NULL, "{\"lat\": 48.13, \"lng\": 11.57}"), 0);         /* 2 decimals */
    CHECK_EQ_INT(scan_str(NULL, "{\"lat\": 98.137154, \"lng\": 11.576124}"), 0); /* range */
    CHECK_EQ_INT(scan_str(NULL, "{\"lat\": 48.137154}"), 0);                     /* no pair */
    CHECK_EQ_INT(scan_str(NULL, "{\"plat\": 48.137154, \"lng\": 11.576124}"), 0);
    CHECK_EQ_INT(kind_of(NULL, "$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47"),
                 DT_PII_GPS);
    CHECK_EQ_INT(
        scan_str(NULL, "$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*48"), 0);
    CHECK_EQ_INT(kind_of(NULL, "$GNRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*"
                               "7A"),
                 -1); /* a bad checksum: nothing */
    /* IMEI (Luhn, TAC), IMEISV, ICCID (Luhn), IMSI (MCC) */
    CHECK_EQ_INT(kind_of(NULL, "imei:490154203237518"), DT_PII_IMEI);
    CHECK_EQ_INT(kind_of(NULL, "imei:490154203237517"), -1); /* Luhn fails, MCC 490: no */
    CHECK_EQ_INT(kind_of(NULL, "000000000000000"), -1);
    CHECK_EQ_INT(kind_of(NULL, "v=490154203237518.25"), -1);                 /* a decimal number */
    CHECK_EQ_INT(kind_of(NULL, "490154203237518.example.com"), DT_PII_IMEI); /* a label */
    CHECK_EQ_INT(kind_of(NULL, "imeisv=3569380356438091"), DT_PII_IMEISV);
    CHECK_EQ_INT(kind_of(NULL, "id=3569380356438091"), -1);     /* no check digit: named only */
    CHECK_EQ_INT(kind_of(NULL, "imeisv=3569380356438099"), -1); /* SVN 99 is reserved */
    CHECK_EQ_INT(kind_of(NULL, "imeisv=1700000000000000"), -1); /* a time in microseconds */
    CHECK_EQ_INT(kind_of(NULL, "8949011234567890126"), DT_PII_ICCID);
    CHECK_EQ_INT(kind_of(NULL, "8949011234567890125"), -1);
    CHECK_EQ_INT(kind_of(NULL, "imsi=262011234567890"), DT_PII_IMSI);
    CHECK_EQ_INT(kind_of(NULL, "imsi=999011234567890"), -1); /* MCC 999 */
    CHECK_EQ_INT(kind_of(NULL, "n=262011234567890"), -1);    /* not named */
    /* MAC: not all-zero, broadcast, multicast, nor the flow's own */
    CHECK_EQ_INT(kind_of(NULL, "mac=3c:22:fb:12:34:56;"), DT_PII_MAC);
    CHECK_EQ_INT(kind_of(NULL, "mac=3C-22-FB-12-34-56"), DT_PII_MAC);
    CHECK_EQ_INT(kind_of(NULL, "00:00:00:00:00:00 ff:ff:ff:ff:ff:ff 01:00:5e:00:00:01"), -1);
    CHECK_EQ_INT(kind_of(NULL, "3c:22:fb:12:34:56:78"), -1); /* 7 groups */
    static const uint8_t own[1][6] = {{0x3c, 0x22, 0xfb, 0x12, 0x34, 0x56}};
    dt_pii_ctx c = data_ctx;
    c.macs = own;
    c.n_macs = 1;
    memset(&found, 0, sizeof found);
    dt_pii_scan(NULL, (const uint8_t *)"3c:22:fb:12:34:56", 17, &c, &found);
    CHECK_EQ_INT(found.n, 0);
    /* e-mail (also %40), not image names */
    CHECK_EQ_INT(kind_of(NULL, "to: jane.doe@example.org,"), DT_PII_EMAIL);
    CHECK_EQ_STR(found.f[0].sample, "ja****************rg");
    CHECK_EQ_INT(kind_of(NULL, "mail=jane%40example.org"), DT_PII_EMAIL);
    CHECK_EQ_INT(kind_of(NULL, "icon@2x.png"), -1);
    CHECK_EQ_INT(kind_of(NULL, "user@localhost"), -1);
    /* E.164: a known country code, 8-15 digits, not inside a word */
    CHECK_EQ_INT(kind_of(NULL, "tel=+4915112345678"), DT_PII_PHONE);
    CHECK_EQ_STR(found.f[0].sample, "+4**********78");
    CHECK_EQ_INT(kind_of(NULL, "tel=+8015112345678"), -1);   /* 80 is no country code */
    CHECK_EQ_INT(kind_of(NULL, "tel=+491234"), -1);          /* too short */
    CHECK_EQ_INT(kind_of(NULL, "tel=+222228888888888"), -1); /* a placeholder */
    CHECK_EQ_INT(kind_of(NULL, "1e+4915112345678"), -1);     /* an exponent */
}

static void identifiers(void)
{
    char err[256];
    const char *ids[] = {"OWNER=Max Mustermann"};
    dt_pii *d = dt_pii_new(ids, 1, 16384, 0, err, sizeof err);
    CHECK(d != NULL);
    static const struct {
        const char *text;
        int enc;
    } cases[] = {
        {"x Max Mustermann x", DT_PII_ENC_PLAIN},
        {"MAX MUSTERMANN", DT_PII_ENC_UPPER},
        {"max mustermann", DT_PII_ENC_LOWER},
        {"q=Max%20Mustermann", DT_PII_ENC_URL},
        {"TWF4IE11c3Rlcm1hbm4=", DT_PII_ENC_BASE64},
        {"eE1heCBNdXN0ZXJtYW5u", DT_PII_ENC_BASE64},     /* "x" before it */
        {"eHhNYXggTXVzdGVybWFubg==", DT_PII_ENC_BASE64}, /* "xx" before it */
        {"4d6178204d75737465726d616e6e", DT_PII_ENC_HEX},
        {"4D6178204D75737465726D616E6E", DT_PII_ENC_HEX_UPPER},
        {"443eb6b5d0d9e2e4c7d8b9e4e0ea3e3f", -1}, /* not its MD5 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int n = scan_str(d, cases[i].text);
        CHECK_EQ_INT(n, cases[i].enc < 0 ? 0 : 1);
        if (n == 1 && cases[i].enc >= 0) {
            CHECK_EQ_INT(found.f[0].kind, DT_PII_IDENTIFIER);
            CHECK_EQ_INT(found.f[0].encoding, cases[i].enc);
            CHECK_EQ_STR(found.f[0].name, "OWNER");
        }
    }
    dt_pii_free(d);
    /* bad identifiers */
    const char *bad[] = {"NOVALUE", "=value", "N=abc"};
    for (int i = 0; i < 3; i++) {
        err[0] = '\0';
        CHECK(dt_pii_new(&bad[i], 1, 1, 0, err, sizeof err) == NULL);
        CHECK(strstr(err, "NAME=VALUE") != NULL);
    }
    /* show_values: the value itself */
    d = dt_pii_new(NULL, 0, 16384, 1, err, sizeof err);
    CHECK_EQ_INT(kind_of(d, "imei=490154203237518"), DT_PII_IMEI);
    CHECK_EQ_STR(found.f[0].sample, "490154203237518");
    dt_pii_free(d);
}

static void parts(void)
{
    const char *req = "POST /v1?vin=WVWZZZ1JZXW000001 HTTP/1.1\r\n"
                      "Host: a.example\r\n"
                      "X-Imei: 490154203237518\r\n"
                      "Content-Length: 26\r\n\r\n"
                      "{\"mail\":\"jane@example.org\"}";
    memset(&found, 0, sizeof found);
    dt_pii_scan_stream(NULL, (const uint8_t *)req, strlen(req), &data_ctx, &found);
    CHECK_EQ_INT(found.n, 3);
    CHECK_EQ_INT(found.f[0].where, DT_PII_AT_URL);
    CHECK_EQ_INT(found.f[0].offset, 13);
    CHECK_EQ_INT(found.f[1].where, DT_PII_AT_HEADER);
    CHECK_EQ_STR(found.f[1].name, "X-Imei");
    CHECK_EQ_INT(found.f[2].where, DT_PII_AT_BODY);
    /* a gzip body */
    char body[256], msg[512];
    uLongf zl = sizeof body;
    const char *plain = "{\"iccid\":\"8949011234567890126\"}";
    z_stream z;
    memset(&z, 0, sizeof z);
    deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    z.next_in = (Bytef *)plain;
    z.avail_in = (uInt)strlen(plain);
    z.next_out = (Bytef *)body;
    z.avail_out = sizeof body;
    deflate(&z, Z_FINISH);
    zl = z.total_out;
    deflateEnd(&z);
    int hl = snprintf(msg, sizeof msg,
                      "POST / HTTP/1.1\r\nContent-Encoding: gzip\r\nContent-Length: %lu\r\n\r\n",
                      (unsigned long)zl);
    memcpy(msg + hl, body, zl);
    memset(&found, 0, sizeof found);
    dt_pii_scan_stream(NULL, (const uint8_t *)msg, (size_t)hl + zl, &data_ctx, &found);
    CHECK_EQ_INT(found.n, 1);
    CHECK_EQ_INT(found.f[0].kind, DT_PII_ICCID);
    CHECK_EQ_INT(found.f[0].where, DT_PII_AT_BODY);
    CHECK_EQ_INT(found.f[0].encoding, DT_PII_ENC_GZIP);
    /* MQTT: CONNECT, then PUBLISH with the VIN in the topic */
    static const uint8_t mqtt[] = {0x10, 0x0e, 0,   4,   'M', 'Q',  'T',  'T', 4,   2,   0,
                                   60,   0,    2,   'i', 'd', 0x30, 0x17, 0,   21,  'c', '/',
                                   '1',  'H',  'G', 'C', 'M', '8',  '2',  '6', '3', '3', 'A',
                                   '0',  '0',  '4', '3', '5', '2',  '/',  'p', 'x'};
    memset(&found, 0, sizeof found);
    dt_pii_scan_stream(NULL, mqtt, sizeof mqtt, &data_ctx, &found);
    CHECK_EQ_INT(found.n, 1);
    CHECK_EQ_INT(found.f[0].kind, DT_PII_VIN);
    CHECK_EQ_INT(found.f[0].where, DT_PII_AT_TOPIC);
    /* DNS: a long label is dns_encoded; ordinary names are not */
    memset(&found, 0, sizeof found);
    dt_pii_scan_dns(NULL, "a9f3k2m8q1z7x4c6v5b0n3m2l1k9j8h7g6f5d4s3a2p1.t.example.com", &data_ctx,
                    &found);
    CHECK_EQ_INT(found.n, 1);
    CHECK_EQ_INT(found.f[0].kind, DT_PII_DNS_ENCODED);
    memset(&found, 0, sizeof found);
    dt_pii_scan_dns(NULL, "connectivity-check.ubuntu.com", &data_ctx, &found);
    dt_pii_scan_dns(NULL, "e3b0c442.cloudfront.net", &data_ctx, &found);
    CHECK_EQ_INT(found.n, 0);
}

static void bounds(void)
{
    /* 40 different e-mail addresses: 16 kept, the rest counted */
    char buf[2048];
    size_t k = 0;
    for (int i = 0; i < 40; i++)
        k += (size_t)snprintf(buf + k, sizeof buf - k, "u%02d@example.org ", i);
    memset(&found, 0, sizeof found);
    dt_pii_scan(NULL, (const uint8_t *)buf, k, &data_ctx, &found);
    CHECK_EQ_INT(found.n, DT_PII_MAX_FINDINGS);
    CHECK_EQ_INT(found.dropped, 40 - DT_PII_MAX_FINDINGS);
    /* the same value again: one finding */
    memset(&found, 0, sizeof found);
    dt_pii_scan(NULL, (const uint8_t *)"a@example.org a@example.org", 27, &data_ctx, &found);
    CHECK_EQ_INT(found.n, 1);
    /* random bytes: nothing */
    uint8_t *r = malloc(1 << 20);
    uint32_t s = 12345;
    for (size_t i = 0; i < (1u << 20); i++) {
        s = s * 1103515245u + 12345u;
        r[i] = (uint8_t)(s >> 16);
    }
    memset(&found, 0, sizeof found);
    dt_pii_scan(NULL, r, 1u << 20, &data_ctx, &found); /* every byte, no shortcut */
    CHECK_EQ_INT(found.n, 0);
    CHECK(dt_pii_looks_random(r, 1u << 20));
    CHECK(dt_pii_looks_random(r, 32));
    CHECK(!dt_pii_looks_random(r, 31)); /* too short to tell: scanned */
    free(r);
    const char *text = "POST /v1/telemetry HTTP/1.1\r\nHost: api.example.com\r\nContent-Type: "
                       "application/json\r\nContent-Length: 120\r\n\r\n{\"speed\": 88.5, "
                       "\"odometer\": 120455, \"fuel\": 0.43, \"doors\": [0, 0, 1, 0]}";
    CHECK(!dt_pii_looks_random((const uint8_t *)text, strlen(text)));
}

/* A gzip body of exactly DT_PII_INFLATE_MAX bytes is bounded only while
 * its trailer is awaited (cut short, its CRC-32 right: zlib's gzip mode
 * returns Z_OK), not when the trailer is whole or wrong; one byte more is. */
static void inflate_bound(void)
{
    size_t cap = DT_PII_INFLATE_MAX, room = cap + 4096;
    uint8_t *plain = malloc(cap + 1), *msg = malloc(room);
    for (size_t i = 0; i <= cap; i++)
        plain[i] = (uint8_t) "text, 0123 "[i % 11];
    const struct {
        size_t extra, cut;
        int flip, bounded;
    } t[] = {{0, 0, 0, 0}, {0, 2, 0, 1}, {0, 6, 0, 1}, {0, 2, 1, 0}, {0, 0, 1, 0}, {1, 0, 0, 1}};
    for (size_t k = 0; k < sizeof t / sizeof t[0]; k++) {
        const char *head = "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n";
        size_t hl = strlen(head);
        memcpy(msg, head, hl);
        z_stream z;
        memset(&z, 0, sizeof z);
        deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
        z.next_in = plain;
        z.avail_in = (uInt)(cap + t[k].extra);
        z.next_out = msg + hl;
        z.avail_out = (uInt)(room - hl);
        deflate(&z, Z_FINISH);
        size_t zl = z.total_out;
        deflateEnd(&z);
        msg[hl + zl - 8] ^= (uint8_t)t[k].flip; /* the CRC-32's first byte */
        memset(&found, 0, sizeof found);
        dt_pii_scan_stream(NULL, msg, hl + zl - t[k].cut, &data_ctx, &found);
        CHECK_EQ_INT((int)found.inflate_bounded, t[k].bounded);
    }
    free(plain);
    free(msg);
}

/* The scan reads 64 bytes at a time: each kind is found at every offset of
 * a buffer of every length around those blocks, in a buffer of exactly its
 * size (the sanitizers see any read past it), and text around it adds
 * nothing. */
static void offsets(void)
{
    static const struct {
        const char *s;
        int kind;
        size_t at; /* the finding's offset in s */
    } cases[] = {
        {"1HGCM82633A004352", DT_PII_VIN, 0},
        {"490154203237518", DT_PII_IMEI, 0},
        {"8949011234567890126", DT_PII_ICCID, 0},
        {"imsi=262011234567890", DT_PII_IMSI, 5},
        {"3c:22:fb:12:34:56", DT_PII_MAC, 0},
        {"jane.doe@example.org", DT_PII_EMAIL, 0},
        {"jane%40example.org", DT_PII_EMAIL, 0},
        {"tel:+4915112345678", DT_PII_PHONE, 4},
        {"{\"lat\": 48.137154, \"lng\": 11.576124}", DT_PII_GPS, 8},
        {"$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47", DT_PII_GPS, 0},
    };
    static const char filler[] = "Via: SIP/2.0 ok to lr x-y 12 ab;cd=ef \r\n";
    int bad = 0;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        size_t n = strlen(cases[k].s);
        for (size_t off = 0; off <= 140; off++) {
            for (size_t tail = 0; tail <= 70; tail += 7) {
                size_t len = off + n + tail;
                uint8_t *buf = malloc(len);
                if (!buf)
                    return;
                for (size_t i = 0; i < len; i++)
                    buf[i] = (uint8_t)filler[i % (sizeof filler - 1)];
                if (off)
                    buf[off - 1] = ' ';
                memcpy(buf + off, cases[k].s, n);
                if (tail)
                    buf[off + n] = ' ';
                memset(&found, 0, sizeof found);
                dt_pii_scan(NULL, buf, len, &data_ctx, &found);
                bad += found.n != 1 || found.f[0].kind != cases[k].kind ||
                       found.f[0].offset != off + cases[k].at;
                free(buf);
            }
        }
    }
    CHECK_EQ_INT(bad, 0);
}

int main(void)
{
    kinds();
    identifiers();
    parts();
    bounds();
    inflate_bound();
    offsets();
    return check_done();
}
