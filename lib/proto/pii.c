/* Personal data in plaintext payloads: the validators of each kind, the
 * user's identifiers (one first-byte index over all their encodings), and the
 * scan of a buffer.  See pii.h. */
#include "proto/pii.h"

#include <math.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[DT_PII_KIND_COUNT] = {
    "vin", "gps",   "imei",  "imeisv",     "iccid",      "imsi",
    "mac", "email", "phone", "identifier", "dns_encoded"};
static const char *const where_names[DT_PII_WHERE_COUNT] = {
    "url", "header", "body", "topic", "message", "dns", "sni", "cert", "data"};
static const char *const enc_names[DT_PII_ENC_COUNT] = {"plain",  "upper",  "lower",     "url",
                                                        "base64", "hex",    "hex_upper", "md5",
                                                        "sha1",   "sha256", "gzip"};

const char *dt_pii_kind_str(int kind)
{
    return kind >= 0 && kind < DT_PII_KIND_COUNT ? kind_names[kind] : "unknown";
}

const char *dt_pii_where_str(int where)
{
    return where >= 0 && where < DT_PII_WHERE_COUNT ? where_names[where] : "unknown";
}

const char *dt_pii_encoding_str(int enc)
{
    return enc >= 0 && enc < DT_PII_ENC_COUNT ? enc_names[enc] : "unknown";
}

/* ---- character classes ---- */

static int is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}
static int is_alpha(uint8_t c)
{
    return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}
static int is_alnum(uint8_t c)
{
    return is_digit(c) || is_alpha(c);
}
static int is_hex(uint8_t c)
{
    return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}
static int hex_val(uint8_t c)
{
    return is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
}
static uint8_t lower(uint8_t c)
{
    return c >= 'A' && c <= 'Z' ? (uint8_t)(c | 0x20) : c;
}
static int all_digits(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_digit(s[i]))
            return 0;
    return 1;
}

/* ---- validators ---- */

/* ISO 3779 transliteration (I, O, Q are not used: 0). */
static int vin_value(uint8_t c)
{
    static const char map[] = "12345678_12345_7_9_23456789"; /* A..Z */
    if (is_digit(c))
        return c - '0';
    if (c < 'A' || c > 'Z' || map[c - 'A'] == '_')
        return -1;
    return map[c - 'A'] - '0';
}

/* World manufacturer identifiers accepted without a check digit (outside
 * North America, where the check digit is optional). */
static const char *const known_wmi[] = {
    "WVW", "WV1", "WV2", "WAU", "WUA", "WBA", "WBS", "WBY", "WDB", "WDD", "WDC", "WMW",
    "WP0", "WP1", "WF0", "W0L", "W0V", "WME", "WMA", "VF1", "VF3", "VF7", "VF8", "VR3",
    "VSS", "VNK", "ZFA", "ZAR", "ZFF", "ZHW", "ZAM", "SAL", "SAJ", "SCC", "SCF", "SAR",
    "YV1", "YS3", "YV4", "JHM", "JHL", "JTD", "JTE", "JTH", "JN1", "JMZ", "JF1", "JS2",
    "JMB", "KMH", "KNA", "KNM", "KMJ", "TMB", "TMA", "TRU", "XTA", "LRW", "LSV", "LFV",
    "LVS", "SJN", "NMT", "MAL", "MA3", "UU1", "U5Y", "LYV", "LVG"};

int dt_pii_vin_ok(const char *s, size_t n)
{
    static const int weight[17] = {8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2};
    if (n != 17)
        return 0;
    const uint8_t *u = (const uint8_t *)s;
    int sum = 0, digits = 0, letters = 0;
    for (int i = 0; i < 17; i++) {
        int v = vin_value(u[i]);
        if (v < 0)
            return 0;
        sum += v * weight[i];
        digits += is_digit(u[i]);
        letters += !is_digit(u[i]);
    }
    if (!digits || !letters)
        return 0;
    int check = sum % 11;
    int check_ok = u[8] == (check == 10 ? 'X' : '0' + check);
    if (u[0] >= '1' && u[0] <= '5')
        return check_ok;
    if (check_ok)
        return 1;
    for (size_t i = 0; i < sizeof known_wmi / sizeof known_wmi[0]; i++)
        if (memcmp(u, known_wmi[i], 3) == 0)
            return letters >= 3 && digits >= 3; /* not a word with a few digits */
    return 0;
}

int dt_pii_luhn_ok(const char *s, size_t n)
{
    int sum = 0;
    for (size_t i = 0; i < n; i++) {
        int d = s[n - 1 - i] - '0';
        if (d < 0 || d > 9)
            return 0;
        if (i & 1)
            d = d * 2 > 9 ? d * 2 - 9 : d * 2;
        sum += d;
    }
    return n > 1 && sum % 10 == 0;
}

/* Whether s[0..1] is one of the "NN NN ... NN" pairs of list (size: with its NUL). */
static int in_pairs(const char *list, size_t size, const uint8_t *s)
{
    for (size_t k = 0; k + 2 < size; k += 3)
        if (s[0] == (uint8_t)list[k] && s[1] == (uint8_t)list[k + 1])
            return 1;
    return 0;
}

/* The reporting body identifiers that start allocated type allocation codes. */
static int tac_ok(const uint8_t *s)
{
    static const char rbi[] = "01 10 30 33 35 44 45 49 50 51 52 53 54 86 91 98 99";
    if (all_digits(s, 8) && memcmp(s, "00000000", 8) == 0)
        return 0;
    return in_pairs(rbi, sizeof rbi, s);
}

/* Mobile country codes in use (ITU-T E.212). */
static const uint16_t mccs[] = {
    202, 204, 206, 208, 212, 213, 214, 216, 218, 219, 220, 221, 222, 225, 226, 228, 230, 231, 232,
    234, 235, 238, 240, 242, 244, 246, 247, 248, 250, 255, 257, 259, 260, 262, 266, 268, 270, 272,
    274, 276, 278, 280, 282, 283, 284, 286, 288, 290, 292, 293, 294, 295, 297, 302, 308, 310, 311,
    312, 313, 314, 315, 316, 330, 334, 338, 340, 342, 344, 346, 348, 350, 352, 354, 356, 358, 360,
    362, 363, 364, 365, 366, 368, 370, 372, 374, 376, 400, 401, 402, 404, 405, 406, 410, 412, 413,
    414, 415, 416, 417, 418, 419, 420, 421, 422, 424, 425, 426, 427, 428, 429, 430, 431, 432, 434,
    436, 437, 438, 440, 441, 450, 452, 454, 455, 456, 457, 460, 461, 466, 467, 470, 472, 502, 505,
    510, 514, 515, 520, 525, 528, 530, 536, 537, 539, 540, 541, 542, 543, 544, 545, 546, 547, 548,
    549, 550, 551, 552, 553, 555, 602, 603, 604, 605, 606, 607, 608, 609, 610, 611, 612, 613, 614,
    615, 616, 617, 618, 619, 620, 621, 622, 623, 624, 625, 626, 627, 628, 629, 630, 631, 632, 633,
    634, 635, 636, 637, 638, 639, 640, 641, 642, 643, 645, 646, 647, 648, 649, 650, 651, 652, 653,
    654, 655, 657, 658, 659, 702, 704, 706, 708, 710, 712, 714, 716, 722, 724, 730, 732, 734, 736,
    738, 740, 742, 744, 746, 748, 750};

static int mcc_ok(const uint8_t *s)
{
    int mcc = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
    size_t lo = 0, hi = sizeof mccs / sizeof mccs[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (mccs[mid] == mcc)
            return 1;
        if (mccs[mid] < mcc)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* E.164 country calling codes: the one-digit ones, the two-digit ones, and
 * the zones where codes have three digits. */
static int calling_code_ok(const uint8_t *s)
{
    static const char two[] = "20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 "
                              "55 56 57 58 60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98";
    static const char three[] = "21 22 23 24 25 26 29 35 37 38 42 50 59 67 68 69 85 88 96 97 99";
    if (s[0] == '1' || s[0] == '7')
        return 1;
    return in_pairs(two, sizeof two, s) || in_pairs(three, sizeof three, s);
}

/* ---- the user's identifiers ---- */

typedef struct pattern {
    uint8_t *text;
    uint16_t len;
    uint8_t enc;
    uint8_t id; /* index into names */
} pattern;

#define PII_MAX_IDS 64

struct dt_pii {
    uint32_t bytes;
    int show_values;
    char names[PII_MAX_IDS][DT_PII_NAME];
    pattern *pat; /* sorted by first byte */
    int n_pat;
    uint16_t first[257]; /* patterns with first byte b: pat[first[b], first[b + 1]) */
    size_t min_len;
};

static int pat_cmp(const void *a, const void *b)
{
    const pattern *x = a, *y = b;
    if (x->text[0] != y->text[0])
        return x->text[0] - y->text[0];
    return x->id - y->id;
}

static int pat_add(dt_pii *d, int *cap, const uint8_t *text, size_t len, int enc, int id)
{
    if (len < 4 || len > 0xffff)
        return 0;
    for (int i = 0; i < d->n_pat; i++) /* one encoding per distinct text (the first) */
        if (d->pat[i].len == len && memcmp(d->pat[i].text, text, len) == 0)
            return 0;
    if (d->n_pat == *cap) {
        int nc = *cap ? 2 * *cap : 32;
        pattern *nv = realloc(d->pat, (size_t)nc * sizeof *nv);
        if (!nv)
            return -1;
        d->pat = nv;
        *cap = nc;
    }
    uint8_t *t = malloc(len);
    if (!t)
        return -1;
    memcpy(t, text, len);
    d->pat[d->n_pat++] = (pattern){t, (uint16_t)len, (uint8_t)enc, (uint8_t)id};
    return 0;
}

static size_t to_hex(const uint8_t *v, size_t n, uint8_t *out, int upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = (uint8_t)digits[v[i] >> 4];
        out[2 * i + 1] = (uint8_t)digits[v[i] & 15];
    }
    return 2 * n;
}

/* Base64 of v after `shift` bytes of anything: only the characters that
 * depend on v alone (a match wherever v starts in the encoded data). */
static size_t to_base64(const uint8_t *v, size_t n, int shift, uint8_t *out)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t total = (size_t)shift + n, bits = 0, k = 0;
    uint32_t acc = 0;
    size_t from = ((size_t)shift * 8 + 5) / 6, to = total * 8 / 6;
    for (size_t i = 0, j = 0; i < total; i++) {
        acc = (acc << 8) | (i < (size_t)shift ? 0 : v[i - (size_t)shift]);
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            if (j >= from && j < to)
                out[k++] = (uint8_t)b64[(acc >> bits) & 63];
            j++;
        }
    }
    return k;
}

static int add_encodings(dt_pii *d, int *cap, const uint8_t *v, size_t n, int id)
{
    uint8_t buf[1024], *w = buf;
    if (n > 200)
        return 0;
    int rc = pat_add(d, cap, v, n, DT_PII_ENC_PLAIN, id);
    for (size_t i = 0; i < n; i++)
        buf[i] = (uint8_t)(v[i] >= 'a' && v[i] <= 'z' ? v[i] - 32 : v[i]);
    rc |= pat_add(d, cap, buf, n, DT_PII_ENC_UPPER, id);
    for (size_t i = 0; i < n; i++)
        buf[i] = lower(v[i]);
    rc |= pat_add(d, cap, buf, n, DT_PII_ENC_LOWER, id);
    for (size_t i = 0; i < n; i++) { /* URL-encoded: all but unreserved characters */
        if (is_alnum(v[i]) || strchr("-._~", v[i])) {
            *w++ = v[i];
        } else {
            *w++ = '%';
            w += to_hex(&v[i], 1, w, 1);
        }
    }
    rc |= pat_add(d, cap, buf, (size_t)(w - buf), DT_PII_ENC_URL, id);
    for (int s = 0; s < 3; s++)
        rc |= pat_add(d, cap, buf, to_base64(v, n, s, buf), DT_PII_ENC_BASE64, id);
    rc |= pat_add(d, cap, buf, to_hex(v, n, buf, 0), DT_PII_ENC_HEX, id);
    rc |= pat_add(d, cap, buf, to_hex(v, n, buf, 1), DT_PII_ENC_HEX_UPPER, id);
    const EVP_MD *mds[3] = {EVP_md5(), EVP_sha1(), EVP_sha256()};
    for (int m = 0; m < 3; m++) {
        uint8_t md[EVP_MAX_MD_SIZE];
        unsigned mdlen = 0;
        if (!EVP_Digest(v, n, md, &mdlen, mds[m], NULL))
            return -1;
        rc |= pat_add(d, cap, buf, to_hex(md, mdlen, buf, 0), DT_PII_ENC_MD5 + m, id);
        rc |= pat_add(d, cap, buf, to_hex(md, mdlen, buf, 1), DT_PII_ENC_MD5 + m, id);
    }
    return rc;
}

dt_pii *dt_pii_new(const char *const *ids, int n_ids, uint32_t bytes, int show_values, char *err,
                   size_t errlen)
{
    if (n_ids > PII_MAX_IDS) {
        snprintf(err, errlen, "more than %d identifiers", PII_MAX_IDS);
        return NULL;
    }
    dt_pii *d = calloc(1, sizeof *d);
    if (!d) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    d->bytes = bytes;
    d->show_values = show_values;
    int cap = 0;
    for (int i = 0; i < n_ids; i++) {
        const char *eq = strchr(ids[i], '=');
        size_t vlen = eq ? strlen(eq + 1) : 0;
        if (!eq || eq == ids[i] || vlen < 4 || vlen > 200 || (size_t)(eq - ids[i]) >= DT_PII_NAME) {
            snprintf(err, errlen,
                     "identifier \"%.64s\" is not NAME=VALUE (a name of 1-%d characters, a "
                     "value of 4-200)",
                     ids[i], DT_PII_NAME - 1);
            dt_pii_free(d);
            return NULL;
        }
        memcpy(d->names[i], ids[i], (size_t)(eq - ids[i]));
        if (add_encodings(d, &cap, (const uint8_t *)eq + 1, vlen, i) != 0) {
            snprintf(err, errlen, "out of memory");
            dt_pii_free(d);
            return NULL;
        }
    }
    if (d->n_pat)
        qsort(d->pat, (size_t)d->n_pat, sizeof *d->pat, pat_cmp);
    d->min_len = 0xffff;
    for (int b = 0, i = 0; b <= 256; b++) {
        while (i < d->n_pat && d->pat[i].text[0] < b)
            i++;
        d->first[b] = (uint16_t)i;
    }
    for (int i = 0; i < d->n_pat; i++)
        if (d->pat[i].len < d->min_len)
            d->min_len = d->pat[i].len;
    return d;
}

void dt_pii_free(dt_pii *d)
{
    if (!d)
        return;
    for (int i = 0; i < d->n_pat; i++)
        free(d->pat[i].text);
    free(d->pat);
    free(d);
}

uint32_t dt_pii_bytes(const dt_pii *d)
{
    return d ? d->bytes : 0;
}

/* ---- findings ---- */

static uint32_t fnv(const uint8_t *p, size_t n, uint32_t h)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

/* The sample: the first and last two characters, the rest '*' (all '*' up
 * to 4 characters), or the value itself (show_values); at most
 * DT_PII_SAMPLE - 1 characters, non-printable ones as '?'. */
static void sample_of(const uint8_t *v, size_t n, int show, char *out)
{
    size_t k = 0, max = DT_PII_SAMPLE - 1;
    if (show) {
        for (size_t i = 0; i < n && k < max; i++)
            out[k++] = v[i] >= 0x20 && v[i] < 0x7f && v[i] != '"' ? (char)v[i] : '?';
    } else if (n <= 4) {
        while (k < n)
            out[k++] = '*';
    } else {
        size_t stars = n - 4 < max - 4 ? n - 4 : max - 4;
        const uint8_t ends[4] = {v[0], v[1], v[n - 2], v[n - 1]};
        for (int e = 0; e < 4; e++) {
            out[k++] = ends[e] >= 0x20 && ends[e] < 0x7f && ends[e] != '"' ? (char)ends[e] : '?';
            if (e == 1)
                for (size_t i = 0; i < stars; i++)
                    out[k++] = '*';
        }
    }
    out[k] = '\0';
}

void dt_pii_add(const dt_pii *d, dt_pii_findings *out, const dt_pii_ctx *c, int kind, int enc,
                const char *name, size_t off, const uint8_t *v, size_t n)
{
    if (enc == DT_PII_ENC_PLAIN && c->encoding)
        enc = c->encoding;
    uint32_t h = fnv(v, n, 2166136261u ^ (uint32_t)kind);
    for (int i = 0; i < out->n; i++)
        if (out->f[i].hash == h && out->f[i].kind == kind && out->f[i].where == c->where &&
            out->f[i].encoding == enc && out->f[i].dir == c->dir)
            return;
    if (out->n == DT_PII_MAX_FINDINGS) {
        out->dropped++;
        return;
    }
    dt_pii_finding *f = &out->f[out->n++];
    memset(f, 0, sizeof *f);
    f->kind = (uint8_t)kind;
    f->where = c->where;
    f->encoding = (uint8_t)enc;
    f->dir = c->dir;
    f->offset = (uint32_t)(c->base + off);
    f->hash = h;
    if (name) /* an identifier's name, else the header's (to a NUL, as a C string) */
        snprintf(f->name, sizeof f->name, "%s", name);
    else
        for (size_t k = 0; c->name && k < c->name_len && k < sizeof f->name - 1 && c->name[k]; k++)
            f->name[k] = c->name[k];
    sample_of(v, n, d ? d->show_values : 0, f->sample);
}

/* ---- GPS ---- */

/* A decimal number at p[i..): -?d{1,3}.d{4,}; its value and end, or 0. */
static int parse_coord(const uint8_t *p, size_t len, size_t i, double *val, size_t *end)
{
    int neg = 0;
    if (i < len && (p[i] == '-' || p[i] == '+')) {
        neg = p[i] == '-';
        i++;
    }
    double v = 0;
    int ip = 0, fp = 0;
    for (; i < len && is_digit(p[i]) && ip < 4; i++, ip++)
        v = v * 10 + (p[i] - '0');
    if (ip == 0 || ip > 3 || i >= len || p[i] != '.')
        return 0;
    double scale = 0.1;
    for (i++; i < len && is_digit(p[i]); i++, fp++, scale /= 10)
        v += (p[i] - '0') * scale;
    if (fp < 4)
        return 0;
    *val = neg ? -v : v;
    *end = i;
    return 1;
}

/* A key at p[i..) (case-insensitive, preceded by no letter or digit) then
 * quotes, spaces, ':' or '=', spaces, a quote, and a coordinate.  which: 0
 * latitude keys, 1 longitude keys.  Sets the number's start and end. */
static int coord_key(const uint8_t *p, size_t len, size_t i, int which, double *v, size_t *at,
                     size_t *end)
{
    static const char *const keys[2][4] = {{"latitude", "lat", NULL, NULL},
                                           {"longitude", "long", "lng", "lon"}};
    if (i > 0 && is_alnum(p[i - 1]))
        return 0;
    for (int k = 0; k < 4 && keys[which][k]; k++) {
        size_t kl = strlen(keys[which][k]), j = i;
        if (len - i < kl)
            continue;
        size_t m = 0;
        while (m < kl && lower(p[i + m]) == (uint8_t)keys[which][k][m])
            m++;
        if (m < kl)
            continue;
        j = i + kl;
        if (j < len && is_alnum(p[j]))
            continue;
        while (j < len && (p[j] == '"' || p[j] == '\'' || p[j] == ' '))
            j++;
        if (j >= len || (p[j] != ':' && p[j] != '='))
            continue;
        j++;
        while (j < len && (p[j] == ' ' || p[j] == '"' || p[j] == '\''))
            j++;
        if (parse_coord(p, len, j, v, end)) {
            *at = j;
            return 1;
        }
    }
    return 0;
}

#define GPS_WINDOW 256

static void gps_at(const dt_pii *d, const uint8_t *p, size_t len, size_t i, const dt_pii_ctx *c,
                   dt_pii_findings *out)
{
    double lat, lon;
    size_t la, le, oa, oe;
    if (!coord_key(p, len, i, 0, &lat, &la, &le) || lat < -90 || lat > 90)
        return;
    size_t from = i > GPS_WINDOW ? i - GPS_WINDOW : 0,
           to = len - i > GPS_WINDOW ? i + GPS_WINDOW : len;
    for (size_t j = from; j < to; j++) {
        if ((p[j] | 0x20) != 'l' || !coord_key(p, len, j, 1, &lon, &oa, &oe))
            continue;
        if (lon < -180 || lon > 180 || (fabs(lat) < 1e-4 && fabs(lon) < 1e-4))
            return;
        uint8_t s[64];
        size_t n = (size_t)snprintf((char *)s, sizeof s, "%.*s,%.*s",
                                    (int)(le - la < 24 ? le - la : 24), (const char *)p + la,
                                    (int)(oe - oa < 24 ? oe - oa : 24), (const char *)p + oa);
        dt_pii_add(d, out, c, DT_PII_GPS, DT_PII_ENC_PLAIN, NULL, la, s, n);
        return;
    }
}

/* $GxGGA / $GxRMC with a valid checksum and a latitude. */
static void nmea_at(const dt_pii *d, const uint8_t *p, size_t len, size_t i, const dt_pii_ctx *c,
                    dt_pii_findings *out)
{
    if (len - i < 12 || p[i + 1] != 'G' || !strchr("PNLAB", p[i + 2]) || !p[i + 2])
        return;
    int gga = memcmp(p + i + 3, "GGA,", 4) == 0, rmc = memcmp(p + i + 3, "RMC,", 4) == 0;
    if (!gga && !rmc)
        return;
    uint8_t sum = 0;
    size_t j = i + 1;
    for (; j < len && j < i + 100 && p[j] != '*'; j++) {
        if (p[j] < 0x20 || p[j] >= 0x7f)
            return;
        sum ^= p[j];
    }
    if (j + 2 >= len || p[j] != '*' || !is_hex(p[j + 1]) || !is_hex(p[j + 2]) ||
        hex_val(p[j + 1]) * 16 + hex_val(p[j + 2]) != sum)
        return;
    /* the latitude: field 2 (GGA) or 3 (RMC) */
    size_t k = i + 7;
    for (int field = gga ? 1 : 2; field > 0 && k < j; k++)
        if (p[k] == ',')
            field--;
    if (k >= j || !is_digit(p[k]))
        return;
    dt_pii_add(d, out, c, DT_PII_GPS, DT_PII_ENC_PLAIN, NULL, i, p + i, j + 3 - i);
}

/* ---- e-mail ---- */

static int local_char(uint8_t c)
{
    return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

/* at: the '@' (or "%40": skip 3) */
static void email_at(const dt_pii *d, const uint8_t *p, size_t len, size_t at, size_t skip,
                     const dt_pii_ctx *c, dt_pii_findings *out)
{
    /* SSH algorithm names (name@domain, RFC 4251) */
    static const char *const not_domain[] = {"openssh.com", "lysator.liu.se", "libssh.org"};
    static const char not_tld[][5] = {"png", "jpg",  "jpeg", "gif",  "svg", "webp", "js",
                                      "css", "json", "xml",  "html", "ico", "bmp",  "mp4"};
    size_t s = at;
    while (s > 0 && at - s < 64 && local_char(p[s - 1]))
        s--;
    while (s < at && !is_alnum(p[s]))
        s++;
    if (s == at)
        return;
    size_t e = at + skip, dot = 0;
    if (e >= len || !is_alnum(p[e]))
        return;
    while (e < len && e - at < 253 && (is_alnum(p[e]) || p[e] == '.' || p[e] == '-')) {
        if (p[e] == '.')
            dot = e;
        e++;
    }
    while (e > at + skip && !is_alnum(p[e - 1]))
        e--;
    if (!dot || dot >= e || dot <= at + skip)
        return;
    size_t tl = e - dot - 1;
    if (tl < 2 || tl > 24)
        return;
    for (size_t k = dot + 1; k < e; k++)
        if (!is_alpha(p[k]))
            return;
    if (tl < sizeof not_tld[0]) { /* the TLD in lower case, padded as the list is */
        char t[sizeof not_tld[0]] = {0};
        for (size_t k = 0; k < tl; k++)
            t[k] = (char)lower(p[dot + 1 + k]);
        for (size_t k = 0; k < sizeof not_tld / sizeof not_tld[0]; k++)
            if (memcmp(t, not_tld[k], sizeof t) == 0)
                return;
    }
    for (size_t k = 0; k < sizeof not_domain / sizeof not_domain[0]; k++) {
        size_t nl = strlen(not_domain[k]);
        if (e - (at + skip) == nl && memcmp(p + at + skip, not_domain[k], nl) == 0)
            return;
    }
    dt_pii_add(d, out, c, DT_PII_EMAIL, DT_PII_ENC_PLAIN, NULL, s, p + s, e - s);
}

/* ---- tokens: runs of letters and digits ---- */

/* "hh:hh:hh:hh:hh:hh" (or '-') at p[i..); not one of the flow's own. */
static void mac_at(const dt_pii *d, const uint8_t *p, size_t len, size_t i, const dt_pii_ctx *c,
                   dt_pii_findings *out)
{
    if (len - i < 17 || (i > 0 && (is_hex(p[i - 1]) || p[i - 1] == ':' || p[i - 1] == '-')))
        return;
    uint8_t sep = p[i + 2], mac[6];
    if (sep != ':' && sep != '-')
        return;
    for (int k = 0; k < 6; k++) {
        const uint8_t *h = p + i + 3 * k;
        if (!is_hex(h[0]) || !is_hex(h[1]) || (k < 5 && h[2] != sep))
            return;
        mac[k] = (uint8_t)(hex_val(h[0]) * 16 + hex_val(h[1]));
    }
    if (i + 17 < len && (is_alnum(p[i + 17]) || p[i + 17] == sep))
        return;
    static const uint8_t zero[6], bcast[6] = {255, 255, 255, 255, 255, 255};
    if (!memcmp(mac, zero, 6) || !memcmp(mac, bcast, 6) || (mac[0] & 1))
        return;
    for (int k = 0; k < c->n_macs; k++)
        if (!memcmp(mac, c->macs[k], 6))
            return;
    dt_pii_add(d, out, c, DT_PII_MAC, DT_PII_ENC_PLAIN, NULL, i, p + i, 17);
}

/* Whether key (lower case) appears in the KEY_BEFORE bytes before p[i]
 * (case-insensitive): the numbers without a check digit (IMSI, IMEISV) count
 * only after their name. */
#define KEY_BEFORE 24
static int named_before(const uint8_t *p, size_t i, const char *key)
{
    size_t kl = strlen(key), from = i > KEY_BEFORE ? i - KEY_BEFORE : 0;
    for (size_t s = from; s + kl <= i; s++) {
        size_t m = 0;
        while (m < kl && lower(p[s + m]) == (uint8_t)key[m])
            m++;
        if (m == kl)
            return 1;
    }
    return 0;
}

/* Six or more times the same digit in a row: a placeholder, not a number. */
static int repeats(const uint8_t *t, size_t n)
{
    for (size_t i = 0, run = 1; i + 1 < n; i++) {
        run = t[i + 1] == t[i] ? run + 1 : 1;
        if (run >= 6)
            return 1;
    }
    return 0;
}

/* digits: 1 when t is all digits, 0 when not, -1 when not known. */
__attribute__((always_inline)) static inline void token(const dt_pii *d, const uint8_t *p,
                                                        size_t len, size_t i, size_t j, int digits,
                                                        const dt_pii_ctx *c, dt_pii_findings *out)
{
    const uint8_t *t = p + i;
    size_t n = j - i;
    if (n == 17 && dt_pii_vin_ok((const char *)t, n)) {
        dt_pii_add(d, out, c, DT_PII_VIN, DT_PII_ENC_PLAIN, NULL, i, t, n);
        return;
    }
    if (n < 8 || n > 20 || !(digits < 0 ? all_digits(t, n) : digits) || repeats(t, n))
        return;
    if ((i > 1 && p[i - 1] == '.' && is_digit(p[i - 2])) ||
        (j + 1 < len && p[j] == '.' && is_digit(p[j + 1])))
        return; /* a decimal number's part (not a DNS label's) */
    if (i > 0 && p[i - 1] == '+') {
        if (n <= 15 && (i < 2 || !is_alnum(p[i - 2])) && calling_code_ok(t))
            dt_pii_add(d, out, c, DT_PII_PHONE, DT_PII_ENC_PLAIN, NULL, i - 1, t - 1, n + 1);
        return;
    }
    if (n == 15 && tac_ok(t) && dt_pii_luhn_ok((const char *)t, n))
        dt_pii_add(d, out, c, DT_PII_IMEI, DT_PII_ENC_PLAIN, NULL, i, t, n);
    else if (n == 15 && mcc_ok(t) && named_before(p, i, "imsi"))
        dt_pii_add(d, out, c, DT_PII_IMSI, DT_PII_ENC_PLAIN, NULL, i, t, n);
    else if (n == 16 && tac_ok(t) && !(t[14] == '9' && t[15] == '9') && named_before(p, i, "imei"))
        dt_pii_add(d, out, c, DT_PII_IMEISV, DT_PII_ENC_PLAIN, NULL, i, t, n);
    else if ((n == 19 || n == 20) && t[0] == '8' && t[1] == '9' &&
             dt_pii_luhn_ok((const char *)t, n))
        dt_pii_add(d, out, c, DT_PII_ICCID, DT_PII_ENC_PLAIN, NULL, i, t, n);
}

static void identifiers(const dt_pii *d, const uint8_t *p, size_t len, const dt_pii_ctx *c,
                        dt_pii_findings *out)
{
    if (!d || !d->n_pat || len < d->min_len)
        return;
    for (size_t i = 0; i + d->min_len <= len; i++) {
        for (int k = d->first[p[i]], e = d->first[p[i] + 1]; k < e; k++) {
            const pattern *t = &d->pat[k];
            if (t->len <= len - i && memcmp(p + i, t->text, t->len) == 0) {
                dt_pii_add(d, out, c, DT_PII_IDENTIFIER, t->enc, d->names[t->id], i, p + i, t->len);
                break;
            }
        }
    }
}

/* Byte classes: 1 digit, 2 letter, 4 a byte that starts a check ('@', '%',
 * '$'), 8 'l' or 'L' (a GPS key's first letter). */
enum { CL_DIGIT = 1, CL_ALPHA = 2, CL_ALNUM = 3, CL_MARK = 4, CL_L = 8 };
static const uint8_t cls[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 4, 4, 0, 0, 0, 0, 0, 0, 0,  0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
    4, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 10, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0,
    0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 10, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0,
};

/* 64 bytes as bits (bit k: byte k): letters and digits, digits, and where
 * a check starts ('@', '%', '$', 'l', 'L'; with SIMD '`' too: scan_at looks
 * at the byte again).  With SSE2 16 bytes at a time, with AVX2 (when the CPU
 * has it) 32: x - '0' < 10 and (x | 0x20) - 'a' < 26 as signed compares from
 * -128; '$' and '%' are 0x24 and 0x25, '@' | 0x20 is '`'. */
typedef struct block {
    uint64_t alnum, digit, mark;
} block;

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define PII_AVX2 1

/* The classes of the 32 bytes at q, as bits 0 to 31 of m[0] (letters and
 * digits), m[1] (digits) and m[2] (marks). */
__attribute__((target("avx2"), always_inline)) static inline void classify32(const uint8_t *q,
                                                                             uint32_t m[3])
{
    const __m256i case_bit = _mm256_set1_epi8(0x20), one = _mm256_set1_epi8(1);
    const __m256i to_digit = _mm256_set1_epi8((char)(0x80 - '0')),
                  to_alpha = _mm256_set1_epi8((char)(0x80 - 'a'));
    const __m256i digits = _mm256_set1_epi8((char)(0x80 + 10)),
                  letters = _mm256_set1_epi8((char)(0x80 + 26));
    const __m256i percent = _mm256_set1_epi8('%'), at = _mm256_set1_epi8('`'),
                  ell = _mm256_set1_epi8('l');
    __m256i x = _mm256_loadu_si256((const __m256i *)(const void *)q);
    __m256i lo = _mm256_or_si256(x, case_bit);
    __m256i dg = _mm256_cmpgt_epi8(digits, _mm256_add_epi8(x, to_digit));
    __m256i al = _mm256_or_si256(dg, _mm256_cmpgt_epi8(letters, _mm256_add_epi8(lo, to_alpha)));
    __m256i mk =
        _mm256_or_si256(_mm256_cmpeq_epi8(_mm256_or_si256(x, one), percent),
                        _mm256_or_si256(_mm256_cmpeq_epi8(lo, at), _mm256_cmpeq_epi8(lo, ell)));
    m[0] = (uint32_t)_mm256_movemask_epi8(al);
    m[1] = (uint32_t)_mm256_movemask_epi8(dg);
    m[2] = (uint32_t)_mm256_movemask_epi8(mk);
}

__attribute__((target("avx2"))) static void classify_avx2(const uint8_t *q, size_t n, block *out)
{
    for (size_t i = 0; i < n; i++, q += 64) {
        uint32_t m[2][3];
        classify32(q, m[0]);
        classify32(q + 32, m[1]);
        out[i] = (block){m[0][0] | (uint64_t)m[1][0] << 32, m[0][1] | (uint64_t)m[1][1] << 32,
                         m[0][2] | (uint64_t)m[1][2] << 32};
    }
}

/* The block of p[0, n), 32 < n < 64, read in place: bytes 0-31 and the last
 * 32 (overlapping); no bit set past n. */
__attribute__((target("avx2"))) static block classify_tail_avx2(const uint8_t *p, size_t n)
{
    uint32_t a[3], e[3];
    classify32(p, a);
    classify32(p + n - 32, e);
    int s = (int)(n - 32); /* e's bit k: byte s + k */
    return (block){a[0] | (uint64_t)e[0] << s, a[1] | (uint64_t)e[1] << s,
                   a[2] | (uint64_t)e[2] << s};
}
#endif

#if defined(__SSE2__)
#include <emmintrin.h>

/* The classes of the 16 bytes in x, as bits 0 to 15. */
static block classify16(__m128i x)
{
    const __m128i case_bit = _mm_set1_epi8(0x20), one = _mm_set1_epi8(1);
    const __m128i to_digit = _mm_set1_epi8((char)(0x80 - '0')),
                  to_alpha = _mm_set1_epi8((char)(0x80 - 'a'));
    const __m128i digits = _mm_set1_epi8((char)(0x80 + 10)),
                  letters = _mm_set1_epi8((char)(0x80 + 26));
    __m128i lo = _mm_or_si128(x, case_bit);
    __m128i dg = _mm_cmplt_epi8(_mm_add_epi8(x, to_digit), digits);
    __m128i al = _mm_or_si128(dg, _mm_cmplt_epi8(_mm_add_epi8(lo, to_alpha), letters));
    __m128i mk = _mm_or_si128(_mm_cmpeq_epi8(_mm_or_si128(x, one), _mm_set1_epi8('%')),
                              _mm_or_si128(_mm_cmpeq_epi8(lo, _mm_set1_epi8('`')),
                                           _mm_cmpeq_epi8(lo, _mm_set1_epi8('l'))));
    return (block){(unsigned)_mm_movemask_epi8(al), (unsigned)_mm_movemask_epi8(dg),
                   (unsigned)_mm_movemask_epi8(mk)};
}

__attribute__((always_inline)) static inline block classify_base(const uint8_t *q, int bytes)
{
    block b = {0, 0, 0};
    for (int k = 0; k < bytes; k += 16) {
        block t = classify16(_mm_loadu_si128((const __m128i *)(const void *)(q + k)));
        b.alnum |= t.alnum << k;
        b.digit |= t.digit << k;
        b.mark |= t.mark << k;
    }
    return b;
}

/* The classes of p[0, n), n <= 32, read in place: bytes 0-15 and the last
 * 16 (overlapping); under 16 bytes, two overlapping words of 8 (or 4) as 16
 * bytes with zeros after n.  Nothing past n is read. */
static block classify_short(const uint8_t *p, size_t n)
{
    if (n >= 16) {
        block b = classify_base(p, 16);
        if (n > 16) {
            block t = classify_base(p + n - 16, 16);
            int s = (int)(32 - n); /* t's bits for the bytes before 16 */
            b.alnum |= t.alnum >> s << 16;
            b.digit |= t.digit >> s << 16;
            b.mark |= t.mark >> s << 16;
        }
        return b;
    }
    uint64_t lo = 0, hi = 0; /* bytes 0-7 and 8-15, little-endian */
    if (n >= 8) {
        memcpy(&lo, p, 8);
        if (n > 8) {
            memcpy(&hi, p + n - 8, 8);
            hi >>= 8 * (16 - n);
        }
    } else if (n >= 4) {
        uint32_t a, e;
        memcpy(&a, p, 4);
        memcpy(&e, p + n - 4, 4);
        lo = a | (uint64_t)e >> (8 * (8 - n)) << 32;
    } else {
        for (size_t k = 0; k < n; k++)
            lo |= (uint64_t)p[k] << (8 * k);
    }
    return classify16(_mm_set_epi64x((long long)hi, (long long)lo));
}
#else
static block classify_base(const uint8_t *q, int bytes)
{
    block b = {0, 0, 0};
    for (int k = 0; k < bytes; k++) {
        b.alnum |= (uint64_t)(cls[q[k]] & CL_ALNUM ? 1 : 0) << k;
        b.digit |= (uint64_t)(cls[q[k]] & CL_DIGIT ? 1 : 0) << k;
        b.mark |= (uint64_t)(cls[q[k]] & (CL_MARK | CL_L) ? 1 : 0) << k;
    }
    return b;
}

static block classify_short(const uint8_t *p, size_t n)
{
    uint8_t tail[32] = {0};
    memcpy(tail, p, n);
    return classify_base(tail, 32);
}
#endif

/* Whether classify_avx2 can run (asked once per scan). */
static int wide(void)
{
#ifdef PII_AVX2
    return __builtin_cpu_supports("avx2");
#else
    return 0;
#endif
}

/* The n blocks of q[0, 64 n). */
static void classify(const uint8_t *q, size_t n, block *out, int avx2)
{
#ifdef PII_AVX2
    if (avx2) {
        classify_avx2(q, n, out);
        return;
    }
#endif
    (void)avx2;
    for (size_t i = 0; i < n; i++)
        out[i] = classify_base(q + 64 * i, 64);
}

#define PII_RUN 16     /* blocks classified at a time */
#define PII_SHORTEST 6 /* "a@b.cd": every other kind but identifiers is longer */

/* The blocks from p[at] on, up to PII_RUN of them; the last one of the
 * buffer with no bit set past len.  Returns how many. */
static size_t blocks_at(const uint8_t *p, size_t len, size_t at, block *b, int avx2)
{
    size_t got = (len - at) / 64;
    if (got) {
        got = got < PII_RUN ? got : PII_RUN;
        classify(p + at, got, b, avx2);
        at += 64 * got;
        if (got == PII_RUN || at == len)
            return got;
        b += got; /* and the last block in the same run */
    }
    size_t n = len - at;
    if (len >= 64) { /* the last 64 bytes of the buffer, the new ones only */
        classify(p + len - 64, 1, b, avx2);
        b->alnum >>= 64 - n;
        b->digit >>= 64 - n;
        b->mark >>= 64 - n;
    } else { /* 33 to 63 bytes (dt_pii_scan reads shorter ones in place) */
#ifdef PII_AVX2
        if (avx2) {
            *b = classify_tail_avx2(p + at, n);
            return got + 1;
        }
#endif
        uint8_t tail[64];
        memset(tail, 0, sizeof tail);
        memcpy(tail, p + at, n);
        classify(tail, 1, b, avx2);
    }
    return got + 1;
}

/* Bit k: bit k + s of m, set past the block (what follows it is unknown:
 * the scan looks at a few positions too many, never one too few). */
static uint64_t after(uint64_t m, int s)
{
    return m >> s | ~(~(uint64_t)0 >> s);
}

#define TOKEN_LONGEST 20 /* token() reads none longer */

/* What the scan does at p[i], a byte that starts a check or the first of a
 * token (a run of letters and digits: i is its start, p[i, j) are known to
 * be in it, and p[j] is not when open is 0).  When in_block, bit k of nd
 * tells whether p[i + k] is not a digit for every byte of the token. */
__attribute__((always_inline)) static inline void scan_at(const dt_pii *d, const uint8_t *p,
                                                          size_t len, size_t i, size_t j, int open,
                                                          int in_block, uint64_t nd,
                                                          const dt_pii_ctx *c, dt_pii_findings *out)
{
    uint8_t b = p[i];
    if (!(cls[b] & CL_ALNUM)) {
        if (b == '@')
            email_at(d, p, len, i, 1, c, out);
        else if (b == '%' && len - i > 3 && p[i + 1] == '4' && p[i + 2] == '0')
            email_at(d, p, len, i, 3, c, out);
        else if (b == '$')
            nmea_at(d, p, len, i, c, out);
        return;
    }
    /* the token goes on past the block: its length matters only up to one
     * more than the longest a check reads */
    while (open && j < len && j - i <= TOKEN_LONGEST && (cls[p[j]] & CL_ALNUM))
        j++;
    size_t n = j - i;
    if ((b | 0x20) == 'l' && n >= 3 && (p[i + 1] | 0x20) == 'a' && (p[i + 2] | 0x20) == 't')
        gps_at(d, p, len, i, c, out); /* both latitude keys start with "lat" */
    else if (n == 2 && j < len && (p[j] == ':' || p[j] == '-'))
        mac_at(d, p, len, i, c, out);
    if (n >= 8 && n <= TOKEN_LONGEST)
        token(d, p, len, i, j, in_block ? !(nd & ~(~(uint64_t)0 << n)) : -1, c, out);
}

/* Where in block b scan_at runs (bit k: byte k): only where a check can
 * find something (every '@', '%' and '$' followed by a letter or digit, as
 * "a@b", "%40" and "$GP" are; tokens that start with 'l', that are 16 or
 * more long, that are 8 or more and start with 4 digits, or of two
 * characters followed by another byte, four times: "hh:hh:hh:hh:").  before:
 * the byte before the block is a letter or digit.  Past the block's end the
 * bits are taken as set: a few positions too many, never one too few. */
__attribute__((always_inline)) static inline uint64_t candidates(block b, uint64_t before)
{
    uint64_t a = b.alnum, gap = ~a, start = a & ~(a << 1 | before);
    /* gapN bit k: a byte in k .. k + N - 1 is not a letter or digit
     * (shifts bring in zeros: past the block, letters) */
    uint64_t gap2 = gap | gap >> 1, gap4 = gap2 | gap2 >> 2, gap8 = gap4 | gap4 >> 4;
    uint64_t nd = ~b.digit, nd2 = nd | nd >> 1, nd4 = nd2 | nd2 >> 2;
    uint64_t tokens = ~((gap8 | gap8 >> 8) & (gap8 | nd4)); /* 16, 8 & 4 digits */
    uint64_t pair = start & ~(gap >> 1) & after(gap, 2);    /* "hh:" */
    uint64_t mac = pair & after(pair, 3);
    mac &= after(mac, 6);                 /* "hh:hh:hh:hh:" */
    uint64_t lat = b.mark & ~(gap2 >> 1); /* an 'l' before two more letters or digits */
    return (start & (tokens | mac | lat)) | (b.mark & gap & ~(gap >> 1));
}

#ifdef PII_AVX2
/* candidates() of n blocks (a multiple of 4), four at a time: the same
 * shifts and masks in each 64-bit lane; a lane's byte before is the last of
 * the lane below (of the four before, for the first). */
__attribute__((target("avx2"))) static void candidates_avx2(const block *b, size_t n,
                                                            uint64_t before, uint64_t *cand)
{
    const __m256i ones = _mm256_set1_epi64x(-1);
    const __m256i top2 = _mm256_set1_epi64x((long long)0xc000000000000000ull),
                  top3 = _mm256_set1_epi64x((long long)0xe000000000000000ull),
                  top6 = _mm256_set1_epi64x((long long)0xfc00000000000000ull);
    __m256i last = _mm256_set_epi64x((long long)(before << 63), 0, 0, 0);
    for (size_t i = 0; i < n; i += 4, b += 4) {
        __m256i a = _mm256_set_epi64x((long long)b[3].alnum, (long long)b[2].alnum,
                                      (long long)b[1].alnum, (long long)b[0].alnum);
        __m256i dg = _mm256_set_epi64x((long long)b[3].digit, (long long)b[2].digit,
                                       (long long)b[1].digit, (long long)b[0].digit);
        __m256i mk = _mm256_set_epi64x((long long)b[3].mark, (long long)b[2].mark,
                                       (long long)b[1].mark, (long long)b[0].mark);
        /* the lanes one up: last's top lane, a's lanes 0 to 2 */
        __m256i prev = _mm256_alignr_epi8(a, _mm256_permute2x128_si256(last, a, 0x21), 8);
        last = a;
        __m256i gap = _mm256_xor_si256(a, ones);
        __m256i start = _mm256_andnot_si256(
            _mm256_or_si256(_mm256_slli_epi64(a, 1), _mm256_srli_epi64(prev, 63)), a);
        __m256i gap2 = _mm256_or_si256(gap, _mm256_srli_epi64(gap, 1));
        __m256i gap4 = _mm256_or_si256(gap2, _mm256_srli_epi64(gap2, 2));
        __m256i gap8 = _mm256_or_si256(gap4, _mm256_srli_epi64(gap4, 4));
        __m256i nd = _mm256_xor_si256(dg, ones);
        __m256i nd2 = _mm256_or_si256(nd, _mm256_srli_epi64(nd, 1));
        __m256i nd4 = _mm256_or_si256(nd2, _mm256_srli_epi64(nd2, 2));
        __m256i no_token = _mm256_and_si256(_mm256_or_si256(gap8, _mm256_srli_epi64(gap8, 8)),
                                            _mm256_or_si256(gap8, nd4));
        __m256i gap1 = _mm256_srli_epi64(gap, 1);
        __m256i pair = _mm256_and_si256(_mm256_andnot_si256(gap1, start),
                                        _mm256_or_si256(_mm256_srli_epi64(gap, 2), top2));
        __m256i mac = _mm256_and_si256(pair, _mm256_or_si256(_mm256_srli_epi64(pair, 3), top3));
        mac = _mm256_and_si256(mac, _mm256_or_si256(_mm256_srli_epi64(mac, 6), top6));
        __m256i lat = _mm256_andnot_si256(_mm256_srli_epi64(gap2, 1), mk);
        __m256i c = _mm256_or_si256(_mm256_andnot_si256(no_token, start),
                                    _mm256_and_si256(start, _mm256_or_si256(mac, lat)));
        c = _mm256_or_si256(c, _mm256_andnot_si256(gap1, _mm256_and_si256(mk, gap)));
        _mm256_storeu_si256((__m256i *)(void *)(cand + i), c);
    }
}
#endif

/* scan_at at the candidates cand of the block b at p[at], in order of
 * position.  nb: the block after it when known (else NULL). */
__attribute__((always_inline)) static inline void
scan_block(const dt_pii *d, const uint8_t *p, size_t len, size_t at, const block *b, uint64_t cand,
           const block *nb, const dt_pii_ctx *c, dt_pii_findings *out)
{
    while (cand) {
        int k = __builtin_ctzll(cand);
        uint64_t rest = ~(b->alnum >> k); /* the token's length in the block */
        int n = rest ? __builtin_ctzll(rest) : 64;
        size_t i = at + (size_t)k, j = i + (size_t)n;
        int open = k + n == 64;
        if (__builtin_expect(open, 0) && nb && n <= TOKEN_LONGEST) { /* its end in nb */
            uint64_t m = ~nb->alnum;
            j += m ? (size_t)__builtin_ctzll(m) : 64;
            j = j < i + TOKEN_LONGEST + 1 ? j : i + TOKEN_LONGEST + 1;
            open = 0;
        }
        scan_at(d, p, len, i, j, open, k + n < 64, ~b->digit >> k, c, out);
        cand &= cand - 1;
    }
}

/* 64 bytes at a time, from their classes as bits: scan_at runs at the
 * candidates, in order of position, so that the findings come as a
 * byte-by-byte scan finds them. */
void dt_pii_scan(const dt_pii *d, const uint8_t *p, size_t len, const dt_pii_ctx *c,
                 dt_pii_findings *out)
{
    if (len < PII_SHORTEST && (!d || len < d->min_len))
        return;
    if (len <= 32) { /* a name or a header value: one block, read in place */
        block b = classify_short(p, len);
        scan_block(d, p, len, 0, &b, candidates(b, 0), NULL, c, out);
        identifiers(d, p, len, c, out);
        return;
    }
    uint64_t before = 0; /* the byte before the run is a letter or digit */
    int avx2 = wide();
    block run[PII_RUN];
    uint64_t cands[PII_RUN];
    size_t have = 0, next = 0;
    for (size_t at = 0; at < len; at += 64) {
        if (next == have) {
            have = blocks_at(p, len, at, run, avx2);
            next = 0;
            size_t k = 0;
#ifdef PII_AVX2
            if (avx2 && have >= 2) { /* padded to fours with blocks of no candidates */
                for (k = have; k % 4; k++)
                    run[k] = (block){0, 0, 0};
                candidates_avx2(run, k, before, cands);
                before = run[have - 1].alnum >> 63;
                k = have;
            }
#endif
            for (; k < have; k++) {
                cands[k] = candidates(run[k], before);
                before = run[k].alnum >> 63;
            }
        }
        /* the run's blocks follow each other (the last one to len) */
        scan_block(d, p, len, at, &run[next], cands[next], next + 1 < have ? &run[next + 1] : NULL,
                   c, out);
        next++;
    }
    identifiers(d, p, len, c, out);
}
