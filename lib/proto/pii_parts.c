/* The parts of a payload the detector (pii.c) scans: HTTP messages by request
 * line, header and body (gzip/deflate bodies inflated up to a bound), MQTT
 * PUBLISH packets by topic and payload, other bytes as data; DNS names with
 * their data-carrying labels. */
#include "proto/pii.h"

#include "util/cursor.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static int ieq(const uint8_t *p, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    if (n < l)
        return 0;
    for (size_t i = 0; i < l; i++)
        if ((p[i] | 0x20) != (lit[i] | 0x20))
            return 0;
    return 1;
}

/* Whether bytes look encrypted or compressed: 7/8 of the first 32 or more
 * are distinct values (random bytes: 94% on average, text and structured
 * binary well under).  Such bodies, messages and data are not scanned
 * (the detector's cost on real traffic; nothing would validate in them). */
#define RANDOM_SAMPLE 32
#define RANDOM_MIN RANDOM_SAMPLE /* the samples are always whole */
#define RANDOM_HEADER 24         /* a second sample after this many bytes */
/* Whether the RANDOM_SAMPLE bytes at p have nearly as many distinct values
 * as bytes: at most 1/8 repeats (it stops at the one too many). */
static int sample_random(const uint8_t *p)
{
    /* a byte value was seen in this sample when its entry holds the
     * sample's number: no table to clear per call (once in 255) */
    static _Thread_local uint8_t seen[256], sample;
    if (++sample == 0) {
        memset(seen, 0, sizeof seen);
        sample = 1;
    }
    uint8_t k = sample;
    size_t repeats = 0;
    for (size_t i = 0; i < RANDOM_SAMPLE; i += 4) /* the bound known: unrolled by 4 */
        for (size_t j = i; j < i + 4; j++) {
            if (seen[p[j]] == k && ++repeats > RANDOM_SAMPLE / 8)
                return 0;
            seen[p[j]] = k;
        }
    return 1;
}

/* Encrypted or compressed: the first bytes look random, or those after a
 * short clear header do (ESP, OpenVPN, DTLS and QUIC short headers, RTP). */
int dt_pii_looks_random(const uint8_t *p, size_t len)
{
    if (len < RANDOM_MIN)
        return 0;
    if (sample_random(p))
        return 1;
    return len >= RANDOM_HEADER + RANDOM_MIN && sample_random(p + RANDOM_HEADER);
}

static void scan_part(const dt_pii *d, const uint8_t *p, size_t len, const dt_pii_ctx *ctx,
                      int where, size_t off, dt_pii_findings *out)
{
    if ((where == DT_PII_AT_BODY || where == DT_PII_AT_MESSAGE ||
         (where == DT_PII_AT_DATA && !(off == 0 && ctx->known_text))) &&
        dt_pii_looks_random(p, len))
        return;
    if (where == ctx->where && off == 0) { /* the caller's context as it is (datagrams) */
        dt_pii_scan(d, p, len, ctx, out);
        return;
    }
    dt_pii_ctx c = *ctx;
    c.where = (uint8_t)where;
    c.base = (uint32_t)(ctx->base + off);
    dt_pii_scan(d, p, len, &c, out);
}

/* ---- HTTP ---- */

static const char *const methods[] = {"GET ",    "POST ",     "PUT ",      "HEAD ",
                                      "DELETE ", "OPTIONS ",  "PATCH ",    "CONNECT ",
                                      "NOTIFY ", "M-SEARCH ", "SUBSCRIBE "};

/* http_start's part past its first test. */
static int http_start_rest(const uint8_t *p, size_t len)
{
    if (len >= 5 && memcmp(p, "HTTP/", 5) == 0)
        return 2;
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        const char *m = methods[i];
        if (p[0] != (uint8_t)m[0]) /* most lines: no method starts with their byte */
            continue;
        size_t k = 1;
        while (m[k] && k < len && p[k] == (uint8_t)m[k])
            k++;
        if (!m[k])
            return 1;
    }
    return 0;
}

/* 1: a request line starts here, 2: a status line, 0: neither (most
 * payloads: told by their first two bytes, inline). */
static inline int http_start(const uint8_t *p, size_t len)
{
    if (len < 4 || p[0] < 'C' || p[0] > 'U' || p[1] < 'A' || p[1] > 'U')
        return 0;
    return http_start_rest(p, len);
}

/* The end of the line at p (before "\r\n" or "\n") and the next line's start. */
static size_t line_end(const uint8_t *p, size_t len, size_t *next)
{
    const uint8_t *nl = memchr(p, '\n', len);
    if (!nl) {
        *next = len;
        return len;
    }
    size_t e = (size_t)(nl - p);
    *next = e + 1;
    return e > 0 && p[e - 1] == '\r' ? e - 1 : e;
}

/* The chunks of a chunked body, joined into out (at most cap). */
static size_t dechunk(const uint8_t *p, size_t len, uint8_t *out, size_t cap)
{
    size_t i = 0, k = 0;
    while (i < len && k < cap) {
        size_t next, e = line_end(p + i, len - i, &next);
        size_t n = 0, h = 0;
        for (; h < e && h < 8; h++) {
            uint8_t c = p[i + h];
            int v = c >= '0' && c <= '9'                     ? c - '0'
                    : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10
                                                             : -1;
            if (v < 0)
                break;
            n = n * 16 + (size_t)v;
        }
        if (h == 0 || n == 0)
            break;
        i += next;
        if (n > len - i)
            n = len - i;
        if (n > cap - k)
            n = cap - k;
        memcpy(out + k, p + i, n);
        k += n;
        i += n;
        if (i < len && p[i] == '\r')
            i++;
        if (i < len && p[i] == '\n')
            i++;
    }
    return k;
}

/* One inflate call: p into out with zlib's window bits wbits; zlib's return
 * code in *rc (Z_MEM_ERROR when it cannot start) and the input read in *used.
 * Returns the bytes inflated. */
static size_t inflate_once(const uint8_t *p, size_t len, int wbits, uint8_t *out, size_t cap,
                           int *rc, size_t *used)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    *rc = Z_MEM_ERROR;
    *used = 0;
    if (inflateInit2(&z, wbits) != Z_OK)
        return 0;
    z.next_in = (Bytef *)(uintptr_t)p;
    z.avail_in = (uInt)(len > 0x7fffffff ? 0x7fffffff : len);
    z.next_out = out;
    z.avail_out = (uInt)cap;
    *rc = inflate(&z, Z_SYNC_FLUSH);
    *used = z.total_in;
    inflateEnd(&z);
    return cap - z.avail_out;
}

#define GZIP_HEADER 10 /* with no optional fields */

/* Inflates p (gzip or zlib, else raw deflate) into out; *bounded when out
 * filled before the stream ended.  Returns the bytes inflated.  The common
 * gzip member (no optional header fields) is inflated as raw deflate: the
 * same bytes without zlib's CRC-32 of them, which only decides *bounded
 * when the stream ends exactly at cap (zlib's gzip mode then reads the
 * trailer: Z_OK while the CRC-32, if right, or the length is awaited). */
static size_t inflate_body(const uint8_t *p, size_t len, uint8_t *out, size_t cap, int *bounded)
{
    int rc;
    size_t n, used;
    if (len >= GZIP_HEADER && p[0] == 0x1f && p[1] == 0x8b && p[2] == 8 && p[3] == 0) {
        n = inflate_once(p + GZIP_HEADER, len - GZIP_HEADER, -15, out, cap, &rc, &used);
        size_t left = len - GZIP_HEADER - used; /* of the trailer: CRC-32, length */
        const uint8_t *t = p + GZIP_HEADER + used;
        if (n == cap && (rc == Z_OK || (rc == Z_STREAM_END && left < 8 &&
                                        (left < 4 || crc32(0, out, (uInt)n) == dt_rd_le32(t)))))
            *bounded = 1;
        return n; /* an error with nothing out: raw deflate of the whole fails too */
    }
    for (int attempt = 0; attempt < 2; attempt++) {
        n = inflate_once(p, len, attempt ? -15 : 15 + 32, out, cap, &rc, &used);
        if (n == cap && rc == Z_OK)
            *bounded = 1;
        if (rc != Z_DATA_ERROR || n > 0)
            return n;
    }
    return 0;
}

typedef struct head {
    size_t content_length;
    int have_length, chunked, compressed;
} head;

static void header_seen(const uint8_t *name, size_t nl, const uint8_t *v, size_t vl, head *h)
{
    if (nl == 14 && ieq(name, nl, "content-length")) {
        size_t n = 0;
        for (size_t i = 0; i < vl && i < 12 && v[i] >= '0' && v[i] <= '9'; i++)
            n = n * 10 + (size_t)(v[i] - '0');
        h->content_length = n;
        h->have_length = 1;
    } else if (nl == 17 && ieq(name, nl, "transfer-encoding")) {
        h->chunked = vl >= 7 && memmem(v, vl, "chunked", 7) != NULL;
    } else if (nl == 16 && ieq(name, nl, "content-encoding")) {
        h->compressed =
            (vl >= 4 && memmem(v, vl, "gzip", 4)) || (vl >= 7 && memmem(v, vl, "deflate", 7));
    }
}

static void scan_body(const dt_pii *d, const uint8_t *p, size_t len, const head *h,
                      const dt_pii_ctx *ctx, size_t off, dt_pii_findings *out)
{
    if (!h->compressed && !h->chunked) {
        scan_part(d, p, len, ctx, DT_PII_AT_BODY, off, out);
        return;
    }
    uint8_t *buf = malloc(2 * (size_t)DT_PII_INFLATE_MAX); /* once per such body, at its end */
    if (!buf)
        return;
    const uint8_t *body = p;
    size_t n = len;
    if (h->chunked) {
        n = dechunk(p, len, buf, DT_PII_INFLATE_MAX);
        body = buf;
    }
    if (h->compressed) {
        int bounded = 0;
        size_t m = inflate_body(body, n, buf + DT_PII_INFLATE_MAX, DT_PII_INFLATE_MAX, &bounded);
        out->inflate_bounded += (uint32_t)bounded;
        dt_pii_ctx c = *ctx;
        c.encoding = DT_PII_ENC_GZIP;
        scan_part(d, buf + DT_PII_INFLATE_MAX, m, &c, DT_PII_AT_BODY, off, out);
    } else {
        scan_part(d, body, n, ctx, DT_PII_AT_BODY, off, out);
    }
    free(buf);
}

/* HTTP messages from p[0]; returns where they end (the rest is not HTTP). */
static size_t scan_http(const dt_pii *d, const uint8_t *p, size_t len, const dt_pii_ctx *ctx,
                        dt_pii_findings *out)
{
    size_t i = 0;
    int kind;
    while (i < len && (kind = http_start(p + i, len - i)) != 0) {
        size_t next, e = line_end(p + i, len - i, &next);
        if (kind == 1)
            scan_part(d, p + i, e, ctx, DT_PII_AT_URL, i, out);
        i += next;
        head h = {0, 0, 0, 0};
        dt_pii_ctx c = *ctx; /* each value scanned with its header's name */
        c.where = DT_PII_AT_HEADER;
        while (i < len) { /* headers, to the empty line */
            e = line_end(p + i, len - i, &next);
            const uint8_t *l = p + i;
            if (e == 0) {
                i += next;
                break;
            }
            const uint8_t *colon = memchr(l, ':', e);
            if (colon) {
                size_t nl = (size_t)(colon - l), v = nl + 1;
                while (v < e && (l[v] == ' ' || l[v] == '\t'))
                    v++;
                header_seen(l, nl, l + v, e - v, &h);
                c.name = (const char *)l; /* copied only with a finding */
                c.name_len = nl;
                c.base = (uint32_t)(ctx->base + i + v);
                dt_pii_scan(d, l + v, e - v, &c, out); /* as scan_part: no random test */
            }
            i += next;
        }
        size_t blen = len - i;
        if (h.have_length && !h.chunked && h.content_length < blen)
            blen = h.content_length;
        else if (!h.have_length && !h.chunked && kind == 1)
            blen = 0; /* a request without a length has no body */
        if (blen)
            scan_body(d, p + i, blen, &h, ctx, i, out);
        i += blen;
        if (h.chunked)
            return len;
    }
    return i;
}

/* ---- MQTT ---- */

/* MQTT packets from p[0] (a client's stream starting with CONNECT); returns
 * where they end. */
static size_t scan_mqtt(const dt_pii *d, const uint8_t *p, size_t len, const dt_pii_ctx *ctx,
                        dt_pii_findings *out)
{
    dt_cur c = dt_cur_make(p, len);
    int v5 = 0;
    while (dt_left(&c) >= 2) {
        size_t at = len - dt_left(&c);
        uint8_t b = dt_u8(&c);
        size_t rl = 0;
        for (int k = 0; k < 4; k++) {
            uint8_t x = dt_u8(&c);
            rl |= (size_t)(x & 0x7f) << (7 * k);
            if (!(x & 0x80))
                break;
        }
        if (c.err)
            return at;
        size_t body_at = len - dt_left(&c);
        dt_cur pk = dt_sub(&c, rl);
        int type = b >> 4;
        if (type == 1) { /* CONNECT: the client id, user name */
            uint16_t nl = dt_be16(&pk);
            dt_skip(&pk, nl);
            v5 = dt_u8(&pk) == 5;
            size_t blen = rl <= len - body_at ? rl : len - body_at;
            scan_part(d, p + body_at, blen, ctx, DT_PII_AT_DATA, body_at, out);
        } else if (type == 3) { /* PUBLISH: topic, packet id (QoS > 0), properties (v5) */
            uint16_t tl = dt_be16(&pk);
            size_t topic_at = len - dt_left(&pk);
            const uint8_t *topic = dt_bytes(&pk, tl);
            if (!topic)
                return at;
            scan_part(d, topic, tl, ctx, DT_PII_AT_TOPIC, topic_at, out);
            if ((b >> 1) & 3)
                dt_skip(&pk, 2);
            if (v5)
                dt_skip(&pk, (size_t)dt_varint(&pk));
            if (pk.err)
                return at;
            size_t msg_at = len - dt_left(&pk);
            scan_part(d, dt_ptr(&pk), dt_left(&pk), ctx, DT_PII_AT_MESSAGE, msg_at, out);
        } else if (type == 0) {
            return at;
        }
    }
    return len;
}

void dt_pii_scan_stream(const dt_pii *d, const uint8_t *p, size_t len, const dt_pii_ctx *ctx,
                        dt_pii_findings *out)
{
    size_t done = 0;
    if (http_start(p, len))
        done = scan_http(d, p, len, ctx, out);
    else if (len >= 2 && p[0] == 0x10 && ctx->dir == 0)
        done = scan_mqtt(d, p, len, ctx, out);
    if (done == 0 && ctx->where == DT_PII_AT_DATA && ctx->known_text) /* datagrams */
        dt_pii_scan(d, p, len, ctx, out); /* as scan_part does, without its tests */
    else if (done < len)
        scan_part(d, p + done, len - done, ctx, DT_PII_AT_DATA, done, out);
}

/* ---- DNS ---- */

/* Shannon entropy of s[0, n) in bits per character. */
static double entropy(const char *s, size_t n)
{
    int count[256] = {0};
    for (size_t i = 0; i < n; i++)
        count[(uint8_t)s[i]]++;
    double h = 0;
    for (int k = 0; k < 256; k++) {
        if (!count[k])
            continue;
        double q = (double)count[k] / (double)n;
        h -= q * log2(q);
    }
    return h;
}

#define DNS_LABEL_LONG 40     /* a label this long carries data */
#define DNS_LABEL_ENTROPIC 24 /* ... or this long, with letters, digits and high entropy */
#define DNS_ENTROPY_MIN 4.3

void dt_pii_scan_dns(const dt_pii *d, const char *name, const dt_pii_ctx *ctx, dt_pii_findings *out)
{
    size_t len = strnlen(name, 255);
    dt_pii_ctx c = *ctx;
    c.where = DT_PII_AT_DNS;
    dt_pii_scan(d, (const uint8_t *)name, len, &c, out);
    /* the labels before the last two (the domain that receives them) */
    int dots = 0;
    for (size_t i = 0; i < len; i++)
        dots += name[i] == '.';
    for (size_t i = 0; i < len && dots >= 2;) {
        size_t j = i;
        while (j < len && name[j] != '.')
            j++;
        size_t n = j - i;
        int digits = 0, letters = 0;
        for (size_t k = i; k < j && n >= DNS_LABEL_ENTROPIC; k++) { /* only a long one counts */
            digits += name[k] >= '0' && name[k] <= '9';
            letters += ((name[k] | 0x20) >= 'a' && (name[k] | 0x20) <= 'z');
        }
        if (n >= DNS_LABEL_LONG || (n >= DNS_LABEL_ENTROPIC && digits && letters &&
                                    entropy(name + i, n) >= DNS_ENTROPY_MIN)) {
            dt_pii_add(d, out, &c, DT_PII_DNS_ENCODED, DT_PII_ENC_PLAIN, NULL, i,
                       (const uint8_t *)name + i, n);
            return;
        }
        i = j + 1;
        dots--;
    }
}
