/* X.509 certificate names and validity from DER (RFC 5280, X.690).
 *
 * Only what the report needs is kept, but the whole TBSCertificate structure
 * is checked, so that a certificate is accepted exactly when OpenSSL's
 * d2i_X509 accepts it (tests/unit/proto/test_x509_openssl.c compares the two
 * on every certificate of the shared corpus).  No key is decoded and nothing
 * is allocated: this replaced d2i_X509, whose key decoding through OpenSSL's
 * providers cost about 1.5 million instructions per certificate. */
#include "proto/x509.h"

#include "util/clock.h"
#include "util/cursor.h"
#include "util/text.h"

#include <stdio.h>
#include <string.h>

/* Identifier octets (X.690 8.1.2): class and constructed bits, tag numbers. */
#define DER_CONSTRUCTED 0x20
#define DER_CLASS_MASK 0xc0
#define DER_CONTEXT 0x80
#define DER_TAG_MASK 0x1f
#define TAG_BOOLEAN 0x01
#define TAG_INTEGER 0x02
#define TAG_BIT_STRING 0x03
#define TAG_OCTET_STRING 0x04
#define TAG_OID 0x06
#define TAG_UTF8 12
#define TAG_NUMERIC 18
#define TAG_PRINTABLE 19
#define TAG_T61 20
#define TAG_IA5 22
#define TAG_UTCTIME 23
#define TAG_GENTIME 24
#define TAG_VISIBLE 26
#define TAG_UNIVERSAL 28
#define TAG_BMP 30
#define TAG_SEQUENCE (DER_CONSTRUCTED | 16)
#define TAG_SET (DER_CONSTRUCTED | 17)
#define CTX(n) (DER_CONTEXT | (n))
#define CTX_CONS(n) (DER_CONTEXT | DER_CONSTRUCTED | (n))

/* Attribute and extension identifiers, as encoded OID contents. */
static const uint8_t OID_CN[] = {0x55, 0x04, 0x03};  /* 2.5.4.3 commonName */
static const uint8_t OID_O[] = {0x55, 0x04, 0x0a};   /* 2.5.4.10 organizationName */
static const uint8_t OID_SAN[] = {0x55, 0x1d, 0x11}; /* 2.5.29.17 subjectAltName */

#define UTF8_BUF 512 /* converted text kept per attribute (the fields hold 255 bytes) */

/* Reads one TLV: a one-octet identifier and a definite length of at most four
 * octets that fits in what is left.  0, or -1 when malformed.  Inline: a
 * certificate has some sixty TLVs, and the call was a third of their cost. */
__attribute__((always_inline)) static inline int der_read(dt_cur *c, uint8_t *tag, dt_cur *val)
{
    *tag = dt_u8(c);
    uint8_t l0 = dt_u8(c);
    if (!dt_ok(c) || (*tag & DER_TAG_MASK) == DER_TAG_MASK)
        return -1;
    size_t n = l0;
    if (l0 & 0x80) {
        unsigned k = l0 & 0x7f;
        if (k == 0 || k > 4) /* indefinite, or longer than any buffer here */
            return -1;
        n = 0;
        for (unsigned i = 0; i < k; i++)
            n = n << 8 | dt_u8(c);
        if (!dt_ok(c))
            return -1;
    }
    if (n > dt_left(c))
        return -1;
    *val = dt_sub(c, n);
    return 0;
}

__attribute__((always_inline)) static inline int der_expect(dt_cur *c, uint8_t want, dt_cur *val)
{
    uint8_t tag;
    return der_read(c, &tag, val) == 0 && tag == want ? 0 : -1;
}

static int der_peek(const dt_cur *c)
{
    return dt_left(c) ? c->base[c->pos] : -1;
}

/* INTEGER contents: at least one octet, minimal (as OpenSSL insists). */
static int integer_ok(dt_cur v)
{
    size_t n = dt_left(&v);
    const uint8_t *p = dt_ptr(&v);
    if (n == 0)
        return 0;
    if (n > 1 && ((p[0] == 0x00 && !(p[1] & 0x80)) || (p[0] == 0xff && (p[1] & 0x80))))
        return 0;
    return 1;
}

/* OBJECT IDENTIFIER contents: subidentifiers without leading 0x80, the last complete. */
static int oid_ok(dt_cur v)
{
    size_t n = dt_left(&v);
    const uint8_t *p = dt_ptr(&v);
    if (n == 0 || (p[n - 1] & 0x80))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (p[i] == 0x80 && (i == 0 || !(p[i - 1] & 0x80)))
            return 0;
    return 1;
}

static int oid_is(dt_cur v, const uint8_t *oid, size_t n)
{
    return dt_left(&v) == n && memcmp(dt_ptr(&v), oid, n) == 0;
}

/* BIT STRING contents: the unused-bits octet is 0..7. */
static int bit_string_ok(dt_cur v)
{
    return dt_left(&v) >= 1 && dt_ptr(&v)[0] <= 7;
}

/* AlgorithmIdentifier: SEQUENCE { OID, parameters ANY OPTIONAL }. */
static int algorithm_ok(dt_cur *c)
{
    dt_cur seq, oid, any;
    uint8_t tag;
    if (der_expect(c, TAG_SEQUENCE, &seq) < 0 || der_expect(&seq, TAG_OID, &oid) < 0 ||
        !oid_ok(oid))
        return 0;
    if (dt_left(&seq) && der_read(&seq, &tag, &any) < 0)
        return 0;
    return dt_left(&seq) == 0;
}

/* ------------------------------------------------------------------------ */
/* Strings                                                                    */

static int unicode_ok(uint32_t u)
{
    return u <= 0x10ffff && (u < 0xd800 || u > 0xdfff);
}

/* The next character of a UTF-8 string, or -1 (overlong, surrogate, cut). */
static long utf8_next(dt_cur *c)
{
    uint8_t b = dt_u8(c);
    int more = b < 0x80             ? 0
               : (b & 0xe0) == 0xc0 ? 1
               : (b & 0xf0) == 0xe0 ? 2
               : (b & 0xf8) == 0xf0 ? 3
                                    : -1;
    static const uint32_t least[] = {0, 0x80, 0x800, 0x10000};
    if (more < 0)
        return -1;
    uint32_t u = more ? b & (0x3f >> more) : b;
    for (int i = 0; i < more; i++) {
        uint8_t x = dt_u8(c);
        if ((x & 0xc0) != 0x80)
            return -1;
        u = u << 6 | (x & 0x3f);
    }
    if (!dt_ok(c) || u < least[more] || !unicode_ok(u))
        return -1;
    return (long)u;
}

/* Bytes per character of a string type as ASN1_STRING_to_UTF8 sees it: 0 for
 * UTF-8, 1 for the single-byte types (read as Latin-1), 2 BMP, 4 Universal;
 * -1 for types without a text form. */
static int char_width(uint8_t tag)
{
    switch (tag) {
    case TAG_UTF8:
        return 0;
    case TAG_NUMERIC:
    case TAG_PRINTABLE:
    case TAG_T61:
    case TAG_IA5:
    case TAG_UTCTIME:
    case TAG_GENTIME:
    case TAG_VISIBLE:
        return 1;
    case TAG_BMP:
        return 2;
    case TAG_UNIVERSAL:
        return 4;
    default:
        return -1;
    }
}

/* Converts a string value to UTF-8 into dst (up to cap bytes; the rest is only
 * checked).  Returns the bytes stored, or -1 when the value has no text form
 * or is not valid for its type. */
static long to_utf8(uint8_t tag, dt_cur v, uint8_t *dst, size_t cap)
{
    int w = char_width(tag);
    if (w < 0 || (w > 1 && dt_left(&v) % (size_t)w))
        return -1;
    size_t n = 0;
    while (dt_left(&v)) {
        if (w <= 1) { /* a run of ASCII (most names) is one byte a character either way */
            const uint8_t *p = dt_ptr(&v);
            size_t len = dt_left(&v), i = 0;
            uint64_t word; /* eight bytes a step while none has the top bit */
            while (i + sizeof word <= len &&
                   (memcpy(&word, p + i, sizeof word), !dt_word_has_above(word, 0x7f)))
                i += sizeof word;
            while (i < len && p[i] < 0x80)
                i++;
            size_t k = i < cap - n ? i : cap - n;
            memcpy(dst + n, p, k);
            n += k;
            dt_skip(&v, i);
            if (!dt_left(&v))
                break;
        }
        long u;
        if (w == 0)
            u = utf8_next(&v);
        else if (w == 1)
            u = dt_u8(&v);
        else if (w == 2)
            u = dt_be16(&v);
        else
            u = (long)dt_be32(&v);
        if (u < 0 || !unicode_ok((uint32_t)u))
            return -1;
        uint8_t enc[4];
        size_t k;
        if (u < 0x80) {
            enc[0] = (uint8_t)u;
            k = 1;
        } else if (u < 0x800) {
            enc[0] = (uint8_t)(0xc0 | u >> 6);
            enc[1] = (uint8_t)(0x80 | (u & 0x3f));
            k = 2;
        } else if (u < 0x10000) {
            enc[0] = (uint8_t)(0xe0 | u >> 12);
            enc[1] = (uint8_t)(0x80 | (u >> 6 & 0x3f));
            enc[2] = (uint8_t)(0x80 | (u & 0x3f));
            k = 3;
        } else {
            enc[0] = (uint8_t)(0xf0 | u >> 18);
            enc[1] = (uint8_t)(0x80 | (u >> 12 & 0x3f));
            enc[2] = (uint8_t)(0x80 | (u >> 6 & 0x3f));
            enc[3] = (uint8_t)(0x80 | (u & 0x3f));
            k = 4;
        }
        for (size_t i = 0; i < k && n < cap; i++)
            dst[n++] = enc[i];
    }
    return (long)n;
}

/* The universal types an attribute value may have (OpenSSL's
 * DirectoryString-like ASN1_PRINTABLE), and those it converts to UTF-8 while
 * decoding, which makes a value that does not convert a malformed name. */
static int value_type_ok(uint8_t tag)
{
    if (tag == TAG_SEQUENCE)
        return 1;
    if (tag & (DER_CLASS_MASK | DER_CONSTRUCTED))
        return 0;
    switch (tag) {
    case 0x00:
    case TAG_BOOLEAN:
    case TAG_INTEGER:
    case TAG_BIT_STRING:
    case TAG_OCTET_STRING:
    case 0x05: /* NULL */
    case TAG_OID:
    case 0x0a: /* ENUMERATED */
    case TAG_UTCTIME:
    case TAG_GENTIME:
        return 0;
    default:
        return 1;
    }
}

static int value_is_canonicalised(uint8_t tag)
{
    return tag == TAG_UTF8 || tag == TAG_BMP || tag == TAG_UNIVERSAL || tag == TAG_PRINTABLE ||
           tag == TAG_T61 || tag == TAG_IA5 || tag == TAG_VISIBLE;
}

typedef struct name_want {
    const uint8_t *oid;
    size_t oid_len;
    char *dst; /* "" until the first value of oid is found */
    size_t cap;
    int found;
} name_want;

/* Name: SEQUENCE OF RelativeDistinguishedName (SET OF { type OID, value }).
 * Fills the first value of each wanted attribute; 0 when well formed. */
static int read_name(dt_cur *c, name_want *want, int n_want)
{
    dt_cur name;
    if (der_expect(c, TAG_SEQUENCE, &name) < 0)
        return -1;
    while (dt_left(&name)) {
        dt_cur rdn;
        if (der_expect(&name, TAG_SET, &rdn) < 0)
            return -1;
        while (dt_left(&rdn)) {
            dt_cur atv, oid, val;
            uint8_t tag;
            if (der_expect(&rdn, TAG_SEQUENCE, &atv) < 0 || der_expect(&atv, TAG_OID, &oid) < 0 ||
                !oid_ok(oid) || der_read(&atv, &tag, &val) < 0 || dt_left(&atv) ||
                !value_type_ok(tag))
                return -1;
            uint8_t text[UTF8_BUF];
            long n = to_utf8(tag, val, text, sizeof text);
            if (n < 0 && value_is_canonicalised(tag))
                return -1;
            for (int i = 0; i < n_want; i++) {
                name_want *w = &want[i];
                if (w->found || !oid_is(oid, w->oid, w->oid_len))
                    continue;
                w->found = 1;
                if (n >= 0)
                    dt_copy_utf8(w->dst, w->cap, text, (size_t)n);
            }
        }
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Times                                                                      */

static int digits(const uint8_t *p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

/* UTCTime YYMMDDHHMM[SS] or GeneralizedTime YYYYMMDDHHMM[SS[.f...]], then Z
 * or +hhmm/-hhmm, written as RFC 3339 UTC; "" when the text is not a time. */
static void time_str(uint8_t tag, dt_cur v, char *dst, size_t cap)
{
    dst[0] = '\0';
    const uint8_t *p = dt_ptr(&v);
    size_t n = dt_left(&v), i = 0;
    int yl = tag == TAG_GENTIME ? 4 : 2;
    if (n < (size_t)yl + 8)
        return;
    long year = digits(p, yl);
    int mon = digits(p + yl, 2), day = digits(p + yl + 2, 2), hour = digits(p + yl + 4, 2),
        min = digits(p + yl + 6, 2), sec = 0;
    i = (size_t)yl + 8;
    if (year < 0 || mon < 1 || mon > 12 || day < 1 || hour < 0 || hour > 23 || min < 0 || min > 59)
        return;
    if (yl == 2)
        year += year < 50 ? 2000 : 1900;
    if (i + 2 <= n && p[i] >= '0' && p[i] <= '9') {
        sec = digits(p + i, 2);
        if (sec < 0 || sec > 59)
            return;
        i += 2;
        if (yl == 4 && i < n && (p[i] == '.' || p[i] == ',')) {
            size_t f = ++i;
            while (i < n && p[i] >= '0' && p[i] <= '9')
                i++;
            if (i == f)
                return;
        }
    }
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (day > mdays[mon - 1] + (mon == 2 && leap))
        return;
    long offset_min = 0;
    if (i < n && p[i] == 'Z') {
        i++;
    } else if (i < n && (p[i] == '+' || p[i] == '-')) {
        if (i + 5 > n)
            return;
        int oh = digits(p + i + 1, 2), om = digits(p + i + 3, 2);
        if (oh < 0 || oh > 12 || om < 0 || om > 59)
            return;
        offset_min = (p[i] == '+' ? 1 : -1) * (oh * 60L + om);
        i += 5;
    } else {
        return;
    }
    if (i != n)
        return;
    int64_t t = (dt_days_from_civil(year, mon, day) * 24 + hour) * 60 + min - offset_min;
    int64_t days = t >= 0 ? t / 1440 : -((-t + 1439) / 1440), y;
    int m_of_day = (int)(t - days * 1440);
    dt_civil_from_days(days, &y, &mon, &day);
    year = (long)y;
    if (cap < 21 || year < 0 || year > 9999)
        return;
    dt_format_civil(dst, year, mon, day, m_of_day * 60 + sec);
    memcpy(dst + 19, "Z", 2);
}

static int read_time(dt_cur *c, char *dst, size_t cap)
{
    uint8_t tag;
    dt_cur v;
    if (der_read(c, &tag, &v) < 0 || (tag != TAG_UTCTIME && tag != TAG_GENTIME))
        return -1;
    time_str(tag, v, dst, cap);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Extensions                                                                 */

/* GeneralNames (SEQUENCE OF GeneralName): keeps the dNSName entries; any
 * malformed entry drops them all (OpenSSL then returns no names). */
static void read_san(dt_cur ext, dt_tls_cert *out)
{
    dt_cur names;
    if (der_expect(&ext, TAG_SEQUENCE, &names) < 0)
        return;
    while (dt_left(&names)) {
        uint8_t tag;
        dt_cur v;
        if (der_read(&names, &tag, &v) < 0)
            goto malformed;
        switch (tag) {
        case CTX(2): /* dNSName */
            if (out->n_san < DT_TLS_MAX_SAN)
                dt_copy_printable(out->san[out->n_san++], sizeof out->san[0], dt_ptr(&v),
                                  dt_left(&v));
            break;
        case CTX(1):      /* rfc822Name */
        case CTX(6):      /* uniformResourceIdentifier */
        case CTX(7):      /* iPAddress */
        case CTX_CONS(3): /* x400Address */
        case CTX_CONS(5): /* ediPartyName */
            break;
        case CTX(8): /* registeredID */
            if (!oid_ok(v))
                goto malformed;
            break;
        case CTX_CONS(0): { /* otherName: type-id OID, [0] EXPLICIT value */
            dt_cur oid, val;
            if (der_expect(&v, TAG_OID, &oid) < 0 || !oid_ok(oid) ||
                der_expect(&v, CTX_CONS(0), &val) < 0 || dt_left(&v))
                goto malformed;
            break;
        }
        case CTX_CONS(4): /* directoryName: [4] EXPLICIT Name */
            if (read_name(&v, NULL, 0) < 0 || dt_left(&v))
                goto malformed;
            break;
        default:
            goto malformed;
        }
    }
    return;
malformed:
    memset(out->san, 0, sizeof out->san);
    out->n_san = 0;
}

/* [3] EXPLICIT Extensions: SEQUENCE OF { extnID, critical BOOLEAN DEFAULT
 * FALSE, extnValue OCTET STRING }.  A subjectAltName that occurs more than
 * once is ignored, as X509_get_ext_d2i does. */
static int read_extensions(dt_cur *c, dt_tls_cert *out)
{
    dt_cur wrap, list, san = dt_cur_make(NULL, 0);
    int n_san_ext = 0;
    if (der_expect(c, CTX_CONS(3), &wrap) < 0 || der_expect(&wrap, TAG_SEQUENCE, &list) < 0 ||
        dt_left(&wrap))
        return -1;
    while (dt_left(&list)) {
        dt_cur ext, oid, crit, val;
        if (der_expect(&list, TAG_SEQUENCE, &ext) < 0 || der_expect(&ext, TAG_OID, &oid) < 0 ||
            !oid_ok(oid))
            return -1;
        if (der_peek(&ext) == TAG_BOOLEAN &&
            (der_expect(&ext, TAG_BOOLEAN, &crit) < 0 || dt_left(&crit) != 1))
            return -1;
        if (der_expect(&ext, TAG_OCTET_STRING, &val) < 0 || dt_left(&ext))
            return -1;
        if (oid_is(oid, OID_SAN, sizeof OID_SAN)) {
            n_san_ext++;
            san = val;
        }
    }
    if (n_san_ext == 1)
        read_san(san, out);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Certificate                                                                */

static int read_tbs(dt_cur *c, dt_tls_cert *out)
{
    dt_cur tbs, v, validity, spki;
    if (der_expect(c, TAG_SEQUENCE, &tbs) < 0)
        return -1;
    if (der_peek(&tbs) == CTX_CONS(0)) { /* version [0] EXPLICIT INTEGER (any value, as OpenSSL) */
        dt_cur wrap;
        if (der_expect(&tbs, CTX_CONS(0), &wrap) < 0 || der_expect(&wrap, TAG_INTEGER, &v) < 0 ||
            dt_left(&wrap) || !integer_ok(v))
            return -1;
    }
    if (der_expect(&tbs, TAG_INTEGER, &v) < 0 || !integer_ok(v)) /* serialNumber */
        return -1;
    if (!algorithm_ok(&tbs))
        return -1;
    name_want issuer[] = {{OID_O, sizeof OID_O, out->issuer_o, sizeof out->issuer_o, 0}};
    if (read_name(&tbs, issuer, 1) < 0)
        return -1;
    if (der_expect(&tbs, TAG_SEQUENCE, &validity) < 0 ||
        read_time(&validity, out->not_before, sizeof out->not_before) < 0 ||
        read_time(&validity, out->not_after, sizeof out->not_after) < 0 || dt_left(&validity))
        return -1;
    name_want subject[] = {{OID_CN, sizeof OID_CN, out->subject_cn, sizeof out->subject_cn, 0},
                           {OID_O, sizeof OID_O, out->subject_o, sizeof out->subject_o, 0}};
    if (read_name(&tbs, subject, 2) < 0)
        return -1;
    if (der_expect(&tbs, TAG_SEQUENCE, &spki) < 0 || !algorithm_ok(&spki) ||
        der_expect(&spki, TAG_BIT_STRING, &v) < 0 || !bit_string_ok(v) || dt_left(&spki))
        return -1;
    for (int id = 1; id <= 2; id++) /* issuerUniqueID [1], subjectUniqueID [2] */
        if (der_peek(&tbs) == CTX(id) && (der_expect(&tbs, CTX(id), &v) < 0 || !bit_string_ok(v)))
            return -1;
    if (der_peek(&tbs) == CTX_CONS(3) && read_extensions(&tbs, out) < 0)
        return -1;
    return dt_left(&tbs) ? -1 : 0;
}

int dt_x509_parse(const uint8_t *der, size_t len, dt_tls_cert *out)
{
    memset(out, 0, sizeof *out);
    dt_cur all = dt_cur_make(der, len), cert, sig;
    if (der_expect(&all, TAG_SEQUENCE, &cert) < 0 || read_tbs(&cert, out) < 0 ||
        !algorithm_ok(&cert) || der_expect(&cert, TAG_BIT_STRING, &sig) < 0 ||
        !bit_string_ok(sig) || dt_left(&cert)) {
        memset(out, 0, sizeof *out);
        return -1;
    }
    out->present = 1;
    return 0;
}
