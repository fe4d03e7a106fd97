#include "proto/dns.h"
#include "util/cursor.h"
#include "util/text.h"

#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define DNS_MAX_JUMPS 64
#define DNS_MAX_WIRE 255
#define DNS_MAX_QD 64
#define DNS_MAX_RRCOUNT 1024

/* Appends one character to out if it fits (keeping room for the NUL). */
static void put_ch(char *out, size_t outlen, size_t *o, int *full, char ch)
{
    if (*full || *o + 1 >= outlen) {
        *full = 1;
        return;
    }
    out[(*o)++] = ch;
}

/* Appends one label byte in presentation form (\DDD for odd bytes); an escape
 * that does not fit whole is dropped, and nothing is appended after it. */
static int plain_label_byte(uint8_t b)
{
    return b > 0x20 && b < 0x7f && b != '.' && b != '\\';
}

/* Whether all eight bytes of w are plain label bytes (plain_label_byte). */
static int plain_label_word(uint64_t w)
{
    return !(dt_word_has_below(w, 0x21) | dt_word_has_above(w, 0x7e) | dt_word_has_byte(w, '.') |
             dt_word_has_byte(w, '\\'));
}

#if defined(__SSE2__)
static __m128i load16(const uint8_t *p)
{
    return _mm_loadu_si128((const __m128i *)(const void *)p);
}

/* Which of the 16 bytes of v are plain label bytes (plain_label_byte), as bits. */
static unsigned plain16(__m128i v)
{
    __m128i in = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(0x20)),
                               _mm_cmplt_epi8(v, _mm_set1_epi8(0x7f)));
    __m128i odd =
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('.')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
    return (unsigned)_mm_movemask_epi8(_mm_andnot_si128(odd, in));
}

/* Copies n (1..16) bytes, in two overlapping moves for 4 and more. */
static void copy_short(char *o, const uint8_t *p, size_t n)
{
    if (n >= 8) {
        uint64_t a, z;
        memcpy(&a, p, 8);
        memcpy(&z, p + n - 8, 8);
        memcpy(o, &a, 8);
        memcpy(o + n - 8, &z, 8);
    } else if (n >= 4) {
        uint32_t a, z;
        memcpy(&a, p, 4);
        memcpy(&z, p + n - 4, 4);
        memcpy(o, &a, 4);
        memcpy(o + n - 4, &z, 4);
    } else {
        o[0] = (char)p[0];
        o[n / 2] = (char)p[n / 2];
        o[n - 1] = (char)p[n - 1];
    }
}
#endif

static void put_label_byte(char *out, size_t outlen, size_t *o, int *full, uint8_t b)
{
    if (plain_label_byte(b)) {
        put_ch(out, outlen, o, full, (char)b);
        return;
    }
    if (*full || *o + 4 >= outlen) {
        *full = 1;
        return;
    }
    out[(*o)++] = '\\';
    out[(*o)++] = (char)('0' + b / 100);
    out[(*o)++] = (char)('0' + b / 10 % 10);
    out[(*o)++] = (char)('0' + b % 10);
}

/* Reads a possibly compressed name.  c is a cursor whose base is the start of
 * the message (its len may be a sub-limit, e.g. the end of an RDATA); it is
 * advanced past the in-line part of the name.  Compression pointers may
 * reach anywhere in msg[0..msglen) but must point strictly before the start of
 * the label run that contains them, so every jump goes further back and a
 * loop is impossible; jumps and the wire length are bounded as well.
 * Returns 0, or -1 if the name is malformed (c then fails). */
/* A name this message already gave whole (not cut short), by the offset of
 * its first label: a pointer to that offset reads the same labels again (its
 * pointers are checked against a run start no later than that offset), so its
 * text, wire length and jumps are taken as they are. */
typedef struct dns_seen {
    size_t at, wire, len;
    int jumps;
    const char *text;
} dns_seen;

#define DNS_SEEN_MAX 4 /* the question name and the first CNAME targets */

typedef struct dns_names {
    dns_seen s[DNS_SEEN_MAX];
    int n;
} dns_names;

static void names_add(dns_names *names, const dns_seen *got, const char *text)
{
    if (names && got->text && names->n < DNS_SEEN_MAX) {
        names->s[names->n] = *got;
        names->s[names->n++].text = text;
    }
}

static const dns_seen *names_find(const dns_names *names, size_t at)
{
    for (int i = 0; names && i < names->n; i++)
        if (names->s[i].at == at)
            return &names->s[i];
    return NULL;
}

static int read_name_seen(const uint8_t *msg, size_t msglen, dt_cur *c, char *out, size_t outlen,
                          const dns_names *names, dns_seen *got)
{
    size_t pos = c->pos, lim = c->len; /* read from msg: the cursor's base */
    size_t run_start = pos, start = pos;
    size_t wire = 1; /* the terminating zero */
    size_t o = 0;
    int full = 0, jumps = 0, jumped = 0;

    if (outlen)
        out[0] = '\0';
    if (c->err)
        goto bad;
    for (;;) {
        if (pos >= lim)
            goto bad;
        uint8_t b = msg[pos++];
        if (b == 0)
            break;
        if ((b & 0xc0) == 0xc0) {
            if (pos >= lim)
                goto bad;
            size_t ptr = (size_t)(b & 0x3f) << 8 | msg[pos++];
            if (ptr >= run_start || ptr >= msglen || ++jumps > DNS_MAX_JUMPS)
                goto bad;
            if (!jumped)
                c->pos = pos; /* the in-line part ends at the first pointer */
            jumped = 1;
            const dns_seen *m = names_find(names, ptr);
            if (m && jumps + m->jumps <= DNS_MAX_JUMPS && wire + m->wire - 1 <= DNS_MAX_WIRE &&
                !full && o + 1 + m->len < outlen) {
                if (m->len && o > 0)
                    out[o++] = '.';
                memcpy(out + o, m->text, m->len);
                o += m->len;
                wire += m->wire - 1;
                jumps += m->jumps;
                break;
            }
            pos = run_start = ptr;
            lim = msglen;
            continue;
        }
        if (b & 0xc0)
            goto bad; /* extended / binary label types are not supported */
        wire += (size_t)b + 1;
        if (wire > DNS_MAX_WIRE || b > lim - pos)
            goto bad;
        const uint8_t *p = msg + pos;
        pos += b;
        if (o > 0)
            put_ch(out, outlen, &o, &full, '.');
        size_t i = 0;
        if (!full && o + b < outlen) { /* room for the label as it is: plain bytes copied */
#if defined(__SSE2__)
            /* 16 bytes tested (and copied) at once: most labels are short; a label
             * up against the message's end is tested by the 16 bytes that end with
             * it, a long one (hashes, ids) 16 at a time, its last 16 overlapping */
            size_t room = (size_t)(msg + msglen - p);
            if (b == 1) { /* one-letter labels: ip6.arpa, in-addr.arpa names */
                if (plain_label_byte(p[0]))
                    out[o] = (char)p[0], i = 1;
            } else if (b <= 16 && room >= 16 && o + 16 <= outlen) {
                __m128i v = load16(p);
                unsigned want = (1u << b) - 1;
                if ((plain16(v) & want) == want) {
                    _mm_storeu_si128((__m128i *)(void *)(out + o), v);
                    i = b;
                }
            } else if (b <= 16 && pos >= 16) { /* pos is past the label: p + b - 16 >= msg */
                if (plain16(load16(p + b - 16)) >> (16 - b) == (1u << b) - 1) {
                    copy_short(out + o, p, b);
                    i = b;
                }
            } else if (b > 16) {
                __m128i v;
                while (i + 16 <= b && plain16(v = load16(p + i)) == 0xffff) {
                    _mm_storeu_si128((__m128i *)(void *)(out + o + i), v);
                    i += 16;
                }
                if (i + 16 > b && i < b && plain16(v = load16(p + b - 16)) == 0xffff) {
                    _mm_storeu_si128((__m128i *)(void *)(out + o + b - 16), v);
                    i = b;
                }
            }
            o += i;
#endif
            uint64_t w;
            for (; i + sizeof w <= b && (memcpy(&w, p + i, sizeof w), plain_label_word(w));
                 i += sizeof w, o += sizeof w)
                memcpy(out + o, &w, sizeof w);
            for (; i < b && plain_label_byte(p[i]); i++)
                out[o++] = (char)p[i];
        }
        for (; i < b && !full; i++) /* once full, nothing more is appended */
            put_label_byte(out, outlen, &o, &full, p[i]);
    }
    if (!jumped)
        c->pos = pos;
    if (got) { /* a name read whole can be pointed to again */
        got->text = full ? NULL : out;
        got->at = start, got->wire = wire, got->len = o, got->jumps = jumps;
    }
    if (full && o > 0 && out[o - 1] == '.')
        o--; /* do not end a truncated name with a dangling separator */
    if (outlen)
        out[o < outlen ? o : outlen - 1] = '\0';
    return 0;
bad:
    dt_fail(c);
    return -1;
}

static int read_name(const uint8_t *msg, size_t msglen, dt_cur *c, char *out, size_t outlen)
{
    return read_name_seen(msg, msglen, c, out, outlen, NULL, NULL);
}

static dt_dns_rr *new_rr(dt_dns_msg *out, uint16_t type, uint16_t rclass, uint32_t ttl,
                         const char *name)
{
    if (out->n_rr >= DT_DNS_MAX_RR) {
        out->rr_dropped++;
        return NULL;
    }
    dt_dns_rr *rr = &out->rr[out->n_rr++];
    /* every field is set here: no memset of the whole record (performance) */
    memset(&rr->addr, 0, sizeof rr->addr);
    rr->target[0] = '\0';
    rr->type = type;
    rr->rclass = rclass;
    rr->ttl = ttl;
    memcpy(rr->name, name, DT_DNS_NAME_MAX);
    return rr;
}

/* SVCB / HTTPS RDATA (RFC 9460): priority, target, then SvcParams; one rr per
 * ipv4hint / ipv6hint address, or one rr with only the target if none. */
static void parse_svcb(const uint8_t *msg, size_t msglen, dt_cur *rd, dt_dns_msg *out,
                       uint16_t type, uint16_t rclass, uint32_t ttl, const char *owner)
{
    char target[DT_DNS_NAME_MAX];
    int added = 0;

    (void)dt_be16(rd); /* SvcPriority */
    if (read_name(msg, msglen, rd, target, sizeof target) < 0)
        return;
    while (dt_left(rd) >= 4 && dt_ok(rd)) {
        uint16_t key = dt_be16(rd);
        uint16_t vlen = dt_be16(rd);
        dt_cur v = dt_sub(rd, vlen);
        if (!dt_ok(&v))
            break;
        size_t alen = key == 4 ? 4 : key == 6 ? 16 : 0;
        if (!alen)
            continue;
        while (dt_left(&v) >= alen) {
            const uint8_t *p = dt_bytes(&v, alen);
            dt_dns_rr *rr = new_rr(out, type, rclass, ttl, owner);
            added++;
            if (!rr)
                continue;
            if (alen == 4)
                dt_addr_set4(&rr->addr, p);
            else
                dt_addr_set6(&rr->addr, p);
            memcpy(rr->target, target, sizeof target);
        }
    }
    if (!added) {
        dt_dns_rr *rr = new_rr(out, type, rclass, ttl, owner);
        if (rr)
            memcpy(rr->target, target, sizeof target);
    }
}

/* The type of the record at c, read past the in-line part of its owner name;
 * -1 when that is not plain (the name's read then tells what is wrong). */
static int rr_type_ahead(const uint8_t *msg, const dt_cur *c)
{
    size_t pos = c->pos;
    while (pos < c->len && msg[pos] && (msg[pos] & 0xc0) != 0xc0)
        pos += (size_t)msg[pos] + 1;
    if (pos < c->len)
        pos += msg[pos] ? 2 : 1;
    return pos + 2 <= c->len ? dt_rd_be16(msg + pos) : -1;
}

/* Whether parse_rr keeps a record of this type (-1: not known yet). */
static int kept_type(int type, int answer)
{
    switch (type) {
    case DT_DNS_T_A:
    case DT_DNS_T_AAAA:
    case -1:
        return 1;
    case DT_DNS_T_CNAME:
    case DT_DNS_T_PTR:
    case DT_DNS_T_SVCB:
    case DT_DNS_T_HTTPS:
        return answer;
    default:
        return 0;
    }
}

/* Parses one resource record at c.  answer != 0: the answer section (A, AAAA,
 * CNAME, PTR, SVCB, HTTPS go to out->rr); else only A/AAAA go to out->extra.
 * Returns -1 when the record itself is cut off or its owner name is bad. */
static int parse_rr(const uint8_t *msg, size_t len, dt_cur *c, dt_dns_msg *out, int answer,
                    dns_names *names)
{
    char name[DT_DNS_NAME_MAX];
    /* the owner of a record not kept is only checked, not written out */
    size_t outlen = kept_type(rr_type_ahead(msg, c), answer) ? sizeof name : 0;
    if (read_name_seen(msg, len, c, name, outlen, names, NULL) < 0)
        return -1;
    uint16_t type = dt_be16(c);
    uint16_t rclass = dt_be16(c) & 0x7fff;
    uint32_t ttl = dt_be32(c);
    uint16_t rdlen = dt_be16(c);
    size_t rdstart = c->pos;
    (void)dt_sub(c, rdlen);
    if (!dt_ok(c))
        return -1;
    dt_cur rd = dt_cur_make(msg, rdstart + rdlen);
    rd.pos = rdstart;
    dt_dns_rr *rr;
    if (!answer) {
        size_t alen = type == DT_DNS_T_A ? 4 : type == DT_DNS_T_AAAA ? 16 : 0;
        if (!alen || rdlen != alen)
            return 0;
        const uint8_t *p = dt_bytes(&rd, alen);
        if (!p || out->n_extra >= DT_DNS_MAX_EXTRA)
            return 0;
        rr = &out->extra[out->n_extra++];
        rr->target[0] = '\0';
        rr->type = type;
        rr->rclass = rclass;
        rr->ttl = ttl;
        memcpy(rr->name, name, sizeof name);
        if (alen == 4)
            dt_addr_set4(&rr->addr, p);
        else
            dt_addr_set6(&rr->addr, p);
        return 0;
    }
    switch (type) {
    case DT_DNS_T_A:
    case DT_DNS_T_AAAA: {
        size_t alen = type == DT_DNS_T_A ? 4 : 16;
        if (rdlen != alen)
            break;
        const uint8_t *p = dt_bytes(&rd, alen);
        if (!p || !(rr = new_rr(out, type, rclass, ttl, name)))
            break;
        if (alen == 4)
            dt_addr_set4(&rr->addr, p);
        else
            dt_addr_set6(&rr->addr, p);
        break;
    }
    case DT_DNS_T_CNAME:
    case DT_DNS_T_PTR: {
        char target[DT_DNS_NAME_MAX];
        dns_seen got;
        if (read_name_seen(msg, len, &rd, target, sizeof target, names, &got) < 0)
            break;
        if ((rr = new_rr(out, type, rclass, ttl, name))) {
            memcpy(rr->target, target, sizeof target);
            names_add(names, &got, rr->target); /* owners of the next records point to it */
        }
        break;
    }
    case DT_DNS_T_SVCB:
    case DT_DNS_T_HTTPS:
        parse_svcb(msg, len, &rd, out, type, rclass, ttl, name);
        break;
    default:
        break;
    }
    return 0;
}

static int valid_opcode(unsigned op)
{
    /* QUERY, IQUERY (obsolete), STATUS, NOTIFY, UPDATE, DSO */
    return op <= 2 || (op >= 4 && op <= 6);
}

int dt_dns_parse(const uint8_t *msg, size_t len, dt_dns_msg *out)
{
    char name[DT_DNS_NAME_MAX];

    /* Only the header fields and counts are cleared, not the ~26 kB of
     * records: rr[] and extra[] are valid up to n_rr and n_extra, and each
     * record is fully written when it is added; qname is a string (performance). */
    out->id = 0;
    out->response = 0;
    out->opcode = out->rcode = 0;
    out->qtype = out->qclass = 0;
    out->qname[0] = '\0';
    out->n_questions = out->n_answers = 0;
    out->n_rr = 0;
    out->truncated = 0;
    out->incomplete = 0;
    out->rr_dropped = 0;
    out->n_extra = 0;
    dt_cur c = dt_cur_make(msg, len);
    out->id = dt_be16(&c);
    uint16_t flags = dt_be16(&c);
    uint16_t qd = dt_be16(&c);
    uint16_t an = dt_be16(&c);
    uint16_t ns = dt_be16(&c);
    uint16_t ar = dt_be16(&c);
    if (!dt_ok(&c))
        return -1;
    out->response = flags >> 15;
    out->opcode = (uint8_t)(flags >> 11 & 0xf);
    out->truncated = flags >> 9 & 1;
    out->rcode = (uint8_t)(flags & 0xf);
    if (!valid_opcode(out->opcode) || qd > DNS_MAX_QD || an > DNS_MAX_RRCOUNT ||
        ns > DNS_MAX_RRCOUNT || ar > DNS_MAX_RRCOUNT)
        return -1;
    out->n_questions = qd;
    out->n_answers = an;

    /* the names read so far, for the pointers of the names after them (an
     * answer's owner is mostly the question name) */
    dns_names names;
    names.n = 0;
    for (unsigned i = 0; i < qd; i++) {
        dns_seen got;
        char *to = i == 0 ? out->qname : name; /* the first read in place */
        if (read_name_seen(msg, len, &c, to, sizeof name, &names, &got) < 0) {
            out->qname[0] = '\0';
            return -1;
        }
        uint16_t qtype = dt_be16(&c);
        uint16_t qclass = dt_be16(&c);
        if (!dt_ok(&c)) {
            out->qname[0] = '\0';
            return -1;
        }
        if (i == 0) {
            names_add(&names, &got, out->qname);
            out->qtype = qtype;
            out->qclass = qclass & 0x7fff;
        }
    }

    for (unsigned i = 0; i < an; i++) {
        if (parse_rr(msg, len, &c, out, 1, &names) < 0) {
            out->incomplete = 1;
            return 0;
        }
    }
    /* authority and additional sections: only A/AAAA are kept (glue, mDNS);
     * a problem here ends the parse quietly */
    for (unsigned i = 0; i < (unsigned)ns + ar; i++)
        if (parse_rr(msg, len, &c, out, 0, &names) < 0)
            break;
    return 0;
}

/* Classes a question or record of a real message has: IN, CH, HS, NONE and
 * ANY (UPDATE); the mDNS unicast / cache-flush bit masked off. */
static int known_class(uint16_t cl)
{
    cl &= 0x7fff;
    return cl == 1 || cl == 3 || cl == 4 || cl == 254 || cl == 255;
}

/* NetBIOS name service (RFC 1002) writes its messages as DNS does, but its
 * names start with a 32-letter label (a NetBIOS name, two letters a byte):
 * another protocol. */
static int netbios_name(const char *name)
{
    size_t n = 0;
    while ((name[n] >= 'A' && name[n] <= 'Z') || (name[n] >= 'a' && name[n] <= 'z'))
        n++;
    return n == 32 && (name[n] == '.' || name[n] == '\0');
}

int dt_dns_strict_header(const uint8_t *msg, size_t avail, size_t len, int *response)
{
    if (avail < DT_DNS_HDR_LEN || len < DT_DNS_HDR_LEN + 5)
        return 0;
    uint16_t flags = dt_rd_be16(msg + 2);
    unsigned opcode = flags >> 11 & 0xf, qr = flags >> 15;
    unsigned an = dt_rd_be16(msg + 6), ns = dt_rd_be16(msg + 8), ar = dt_rd_be16(msg + 10);
    /* one question; the Z bit clear; a query has no error code and (a
     * standard query) no answers; no more records than 11 bytes each allow */
    if (!valid_opcode(opcode) || dt_rd_be16(msg + 4) != 1 || (flags & 0x0040) ||
        (!qr && ((flags & 0xf) || (opcode == 0 && an))) || an > DNS_MAX_RRCOUNT ||
        ns > DNS_MAX_RRCOUNT || ar > DNS_MAX_RRCOUNT ||
        (an + ns + ar) * 11u > len - DT_DNS_HDR_LEN - 5)
        return 0;
    if (response)
        *response = (int)qr;
    return 1;
}

int dt_dns_strict(const uint8_t *msg, size_t len, uint16_t *id, int *response)
{
    char name[DT_DNS_NAME_MAX];
    if (!dt_dns_strict_header(msg, len, len, response))
        return 0;
    dt_cur c = dt_cur_make(msg, len);
    c.pos = DT_DNS_HDR_LEN;
    /* the question name: printable ASCII labels (no escapes), not NetBIOS */
    if (read_name(msg, len, &c, name, sizeof name) < 0 || strchr(name, '\\') || netbios_name(name))
        return 0;
    (void)dt_be16(&c);
    if (!known_class(dt_be16(&c)) || !dt_ok(&c))
        return 0;
    unsigned rrs = (unsigned)dt_rd_be16(msg + 6) + dt_rd_be16(msg + 8) + dt_rd_be16(msg + 10);
    for (unsigned i = 0; i < rrs; i++) {
        if (read_name(msg, len, &c, name, sizeof name) < 0)
            return 0;
        uint16_t type = dt_be16(&c), cl = dt_be16(&c);
        (void)dt_be32(&c);
        (void)dt_bytes(&c, dt_be16(&c));
        if (!dt_ok(&c) || (type != DT_DNS_T_OPT && !known_class(cl)))
            return 0;
    }
    /* every byte accounted for: the counts and the length agree */
    if (dt_left(&c) != 0)
        return 0;
    if (id)
        *id = dt_rd_be16(msg);
    return 1;
}

size_t dt_dns_tcp_next(const uint8_t *stream, size_t len, size_t *off, const uint8_t **msg)
{
    if (!off || *off >= len)
        return 0;
    dt_cur c = dt_cur_make(stream + *off, len - *off);
    uint16_t mlen = dt_be16(&c);
    const uint8_t *p = dt_bytes(&c, mlen);
    if (!dt_ok(&c) || mlen == 0 || !p)
        return 0;
    if (msg)
        *msg = p;
    *off += 2 + (size_t)mlen;
    return mlen;
}

int dt_dns_name_eq(const char *a, const char *b)
{
    if (!strcmp(a, b)) /* the usual case, at libc's speed: the same case */
        return 1;
    for (;; a++, b++) {
        unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
        if (x == y) { /* the usual case: no case folding */
            if (!x)
                return 1;
            continue;
        }
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x + 32);
        if (y >= 'A' && y <= 'Z')
            y = (unsigned char)(y + 32);
        if (x != y)
            return 0; /* equal after folding: letters, so not the end */
    }
}

int dt_dns_cname_chain(const dt_dns_msg *m, const char *chain[], int max)
{
    if (max <= 0 || !m->qname[0])
        return 0;
    int n = 0;
    chain[n++] = m->qname;
    while (n < max) {
        const char *next = NULL;
        for (int i = 0; i < m->n_rr && i < DT_DNS_MAX_RR; i++) {
            if (m->rr[i].type == DT_DNS_T_CNAME && dt_dns_name_eq(m->rr[i].name, chain[n - 1])) {
                next = m->rr[i].target;
                break;
            }
        }
        if (!next)
            break;
        for (int j = 0; j < n; j++)
            if (dt_dns_name_eq(chain[j], next))
                return n; /* CNAME loop */
        chain[n++] = next;
    }
    return n;
}

const char *dt_dns_type_name(uint16_t t, char *buf, size_t len)
{
    switch (t) {
    case 1:
        return "A";
    case 2:
        return "NS";
    case 5:
        return "CNAME";
    case 6:
        return "SOA";
    case 12:
        return "PTR";
    case 13:
        return "HINFO";
    case 15:
        return "MX";
    case 16:
        return "TXT";
    case 28:
        return "AAAA";
    case 33:
        return "SRV";
    case 35:
        return "NAPTR";
    case 39:
        return "DNAME";
    case 41:
        return "OPT";
    case 43:
        return "DS";
    case 46:
        return "RRSIG";
    case 47:
        return "NSEC";
    case 48:
        return "DNSKEY";
    case 64:
        return "SVCB";
    case 65:
        return "HTTPS";
    case 255:
        return "ANY";
    case 257:
        return "CAA";
    default:
        break;
    }
    if (buf && len >= sizeof "TYPE65535") { /* as "TYPE%u" writes it, without snprintf */
        char d[5];
        int n = 0;
        do
            d[n++] = (char)('0' + t % 10);
        while (t /= 10);
        memcpy(buf, "TYPE", 4);
        for (int i = 0; i < n; i++)
            buf[4 + i] = d[n - 1 - i];
        buf[4 + n] = '\0';
    } else if (buf && len)
        snprintf(buf, len, "TYPE%u", (unsigned)t);
    return buf ? buf : "";
}

const char *dt_dns_rcode_name(uint8_t rc, char *buf, size_t len)
{
    static const char *const names[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
                                        "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
                                        "NXRRSET", "NOTAUTH", "NOTZONE"};
    if (rc < sizeof names / sizeof names[0])
        return names[rc];
    if (buf && len)
        snprintf(buf, len, "RCODE%u", (unsigned)rc);
    return buf ? buf : "";
}
