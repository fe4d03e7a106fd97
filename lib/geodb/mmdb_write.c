/* MaxMind DB writer.  See mmdb_write.h and docs/geodata.md. */
#include "geodb/mmdb_write.h"
#include "util/hash.h"
#include "util/err.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---------------------------------------------------------------- data-section encoding -- */

enum {
    T_POINTER = 1,
    T_UTF8 = 2,
    T_DOUBLE = 3,
    T_BYTES = 4,
    T_U16 = 5,
    T_U32 = 6,
    T_MAP = 7,
    T_I32 = 8,
    T_U64 = 9,
    T_U128 = 10,
    T_ARRAY = 11,
    T_BOOL = 14,
    T_FLOAT = 15,
};

void dt_mmdb_buf_init(dt_mmdb_buf *b, uint8_t *mem, size_t cap)
{
    b->p = mem;
    b->cap = mem ? cap : 0;
    b->len = 0;
    b->err = 0;
}

static void put_raw(dt_mmdb_buf *b, const void *src, size_t n)
{
    if (b->err || b->cap - b->len < n) {
        b->err = 1;
        return;
    }
    if (n)
        memcpy(b->p + b->len, src, n);
    b->len += n;
}

static void put_byte(dt_mmdb_buf *b, uint8_t v)
{
    put_raw(b, &v, 1);
}

static void put_ctrl(dt_mmdb_buf *b, int type, size_t size)
{
    uint8_t tb = type > 7 ? 0 : (uint8_t)(type << 5);
    uint8_t ext[4];
    size_t next = 0;
    uint8_t first;
    if (size < 29) {
        first = (uint8_t)(tb | size);
    } else if (size < 29 + 256) {
        first = tb | 29;
        ext[next++] = (uint8_t)(size - 29);
    } else if (size < 285 + 65536) {
        size_t v = size - 285;
        first = tb | 30;
        ext[next++] = (uint8_t)(v >> 8);
        ext[next++] = (uint8_t)v;
    } else if (size < 65821 + (1u << 24)) {
        size_t v = size - 65821;
        first = tb | 31;
        ext[next++] = (uint8_t)(v >> 16);
        ext[next++] = (uint8_t)(v >> 8);
        ext[next++] = (uint8_t)v;
    } else {
        b->err = 1;
        return;
    }
    put_byte(b, first);
    if (type > 7)
        put_byte(b, (uint8_t)(type - 7));
    put_raw(b, ext, next);
}

static void put_uint(dt_mmdb_buf *b, int type, uint64_t v)
{
    uint8_t tmp[8];
    size_t n = 0;
    for (uint64_t x = v; x; x >>= 8)
        n++;
    for (size_t i = 0; i < n; i++)
        tmp[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
    put_ctrl(b, type, n);
    put_raw(b, tmp, n);
}

void dt_mmdb_put_map(dt_mmdb_buf *b, size_t npairs)
{
    put_ctrl(b, T_MAP, npairs);
}
void dt_mmdb_put_array(dt_mmdb_buf *b, size_t nitems)
{
    put_ctrl(b, T_ARRAY, nitems);
}
void dt_mmdb_put_u16(dt_mmdb_buf *b, uint16_t v)
{
    put_uint(b, T_U16, v);
}
void dt_mmdb_put_u32(dt_mmdb_buf *b, uint32_t v)
{
    put_uint(b, T_U32, v);
}
void dt_mmdb_put_u64(dt_mmdb_buf *b, uint64_t v)
{
    put_uint(b, T_U64, v);
}
void dt_mmdb_put_bool(dt_mmdb_buf *b, int v)
{
    put_ctrl(b, T_BOOL, v ? 1 : 0);
}

void dt_mmdb_put_str(dt_mmdb_buf *b, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    put_ctrl(b, T_UTF8, n);
    put_raw(b, s, n);
}

void dt_mmdb_put_double(dt_mmdb_buf *b, double v)
{
    uint64_t u;
    uint8_t tmp[8];
    memcpy(&u, &v, 8);
    for (int i = 0; i < 8; i++)
        tmp[i] = (uint8_t)(u >> (56 - 8 * i));
    put_ctrl(b, T_DOUBLE, 8);
    put_raw(b, tmp, 8);
}

int dt_mmdb_rec_country(dt_mmdb_buf *b, const char *cc, int ip_location_db_layout)
{
    if (ip_location_db_layout) {
        dt_mmdb_put_map(b, 1);
        dt_mmdb_put_str(b, "country_code");
        dt_mmdb_put_str(b, cc);
    } else {
        dt_mmdb_put_map(b, 1);
        dt_mmdb_put_str(b, "country");
        dt_mmdb_put_map(b, 1);
        dt_mmdb_put_str(b, "iso_code");
        dt_mmdb_put_str(b, cc);
    }
    return b->err ? -1 : 0;
}

int dt_mmdb_rec_asn(dt_mmdb_buf *b, uint32_t asn, const char *org)
{
    dt_mmdb_put_map(b, org && *org ? 2 : 1);
    dt_mmdb_put_str(b, "autonomous_system_number");
    dt_mmdb_put_u32(b, asn);
    if (org && *org) {
        dt_mmdb_put_str(b, "autonomous_system_organization");
        dt_mmdb_put_str(b, org);
    }
    return b->err ? -1 : 0;
}

/* ------------------------------------------------------------------------------ tree -- */

#define DATA_FLAG 0x80000000u
#define MAX_NODES (1u << 27) /* 1 GiB of nodes */
#define MAX_RECORDS (1u << 30)

typedef struct node {
    uint32_t c[2]; /* 0 = empty, DATA_FLAG|id = record id, else node index (root is 0) */
} node;

struct dt_mmdbw {
    node *nodes;
    size_t nnodes, capnodes;
    uint8_t *blob; /* encoded records back to back */
    size_t bloblen, blobcap;
    size_t *roff; /* offset of record i in blob; record i spans roff[i]..roff[i+1] */
    size_t nrec, caprec;
    uint32_t *htab; /* record id + 1, 0 = free */
    size_t hcap;
    size_t out_nodes;
    int out_recsize;
};

dt_mmdbw *dt_mmdbw_new(void)
{
    dt_mmdbw *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->capnodes = 1024;
    w->nodes = calloc(w->capnodes, sizeof *w->nodes);
    w->caprec = 1024;
    w->roff = malloc((w->caprec + 1) * sizeof *w->roff);
    w->hcap = 2048;
    w->htab = calloc(w->hcap, sizeof *w->htab);
    if (!w->nodes || !w->roff || !w->htab) {
        dt_mmdbw_free(w);
        return NULL;
    }
    w->nnodes = 1; /* root */
    w->roff[0] = 0;
    return w;
}

void dt_mmdbw_free(dt_mmdbw *w)
{
    if (!w)
        return;
    free(w->nodes);
    free(w->blob);
    free(w->roff);
    free(w->htab);
    free(w);
}

size_t dt_mmdbw_record_count(const dt_mmdbw *w)
{
    return w ? w->nrec : 0;
}
size_t dt_mmdbw_node_count(const dt_mmdbw *w)
{
    return w ? w->out_nodes : 0;
}
int dt_mmdbw_record_size(const dt_mmdbw *w)
{
    return w ? w->out_recsize : 0;
}

static uint64_t hash_bytes(const uint8_t *p, size_t n)
{
    return dt_hash_final(dt_hash_bytes(DT_HASH_INIT, p, n));
}

static int rehash(dt_mmdbw *w)
{
    size_t ncap = w->hcap * 2;
    uint32_t *nt = calloc(ncap, sizeof *nt);
    if (!nt)
        return -1;
    for (size_t i = 0; i < w->nrec; i++) {
        size_t j = hash_bytes(w->blob + w->roff[i], w->roff[i + 1] - w->roff[i]) & (ncap - 1);
        while (nt[j])
            j = (j + 1) & (ncap - 1);
        nt[j] = (uint32_t)i + 1;
    }
    free(w->htab);
    w->htab = nt;
    w->hcap = ncap;
    return 0;
}

/* Returns the id of an identical record, adding it if new; -1 on failure. */
static long intern_record(dt_mmdbw *w, const uint8_t *rec, size_t len)
{
    size_t j = hash_bytes(rec, len) & (w->hcap - 1);
    while (w->htab[j]) {
        size_t id = w->htab[j] - 1;
        size_t l = w->roff[id + 1] - w->roff[id];
        if (l == len && memcmp(w->blob + w->roff[id], rec, len) == 0)
            return (long)id;
        j = (j + 1) & (w->hcap - 1);
    }
    if (w->nrec >= MAX_RECORDS)
        return -1;
    if (w->bloblen + len > w->blobcap) {
        size_t ncap = w->blobcap ? w->blobcap * 2 : 65536;
        while (ncap < w->bloblen + len)
            ncap *= 2;
        uint8_t *nb = realloc(w->blob, ncap);
        if (!nb)
            return -1;
        w->blob = nb;
        w->blobcap = ncap;
    }
    if (w->nrec + 1 >= w->caprec) {
        size_t *nr = realloc(w->roff, (w->caprec * 2 + 1) * sizeof *nr);
        if (!nr)
            return -1;
        w->roff = nr;
        w->caprec *= 2;
    }
    memcpy(w->blob + w->bloblen, rec, len);
    w->bloblen += len;
    size_t id = w->nrec++;
    w->roff[id + 1] = w->bloblen;
    w->htab[j] = (uint32_t)id + 1;
    if (w->nrec * 2 > w->hcap && rehash(w) != 0)
        return -1;
    return (long)id;
}

static long new_node(dt_mmdbw *w, uint32_t fill)
{
    if (w->nnodes >= MAX_NODES)
        return -1;
    if (w->nnodes == w->capnodes) {
        node *nn = realloc(w->nodes, w->capnodes * 2 * sizeof *nn);
        if (!nn)
            return -1;
        w->nodes = nn;
        w->capnodes *= 2;
    }
    w->nodes[w->nnodes].c[0] = w->nodes[w->nnodes].c[1] = fill;
    return (long)w->nnodes++;
}

static int key_bit(const uint8_t *key, int d)
{
    return key[d >> 3] >> (7 - (d & 7)) & 1;
}

/* Points the prefix key/plen (IPv6 tree, plen 0..128) at val, replacing what was there. */
static int insert_prefix(dt_mmdbw *w, const uint8_t *key, int plen, uint32_t val)
{
    if (plen == 0) {
        w->nodes[0].c[0] = w->nodes[0].c[1] = val;
        return 0;
    }
    uint32_t n = 0;
    for (int d = 0; d < plen; d++) {
        int bit = key_bit(key, d);
        if (d == plen - 1) {
            w->nodes[n].c[bit] = val;
            return 0;
        }
        uint32_t ch = w->nodes[n].c[bit];
        if (ch == 0 || (ch & DATA_FLAG)) {
            long nn = new_node(w, ch);
            if (nn < 0)
                return -1;
            w->nodes[n].c[bit] = (uint32_t)nn;
            ch = (uint32_t)nn;
        }
        n = ch;
    }
    return 0;
}

typedef unsigned __int128 u128;

static u128 addr_to_u128(const dt_addr *a)
{
    u128 v = 0;
    size_t n = a->family == 4 ? 4 : 16;
    for (size_t i = 0; i < n; i++)
        v = v << 8 | a->a[i];
    return v;
}

int dt_mmdbw_add_range(dt_mmdbw *w, const dt_addr *start, const dt_addr *end, const uint8_t *rec,
                       size_t reclen)
{
    if (!w || !start || !end || !rec || reclen == 0 || start->family != end->family ||
        (start->family != 4 && start->family != 6))
        return -1;
    u128 s = addr_to_u128(start), e = addr_to_u128(end);
    if (s > e)
        return -1;
    long id = intern_record(w, rec, reclen);
    if (id < 0)
        return -1;
    uint32_t val = DATA_FLAG | (uint32_t)id;
    int maxbits = start->family == 4 ? 32 : 128;
    int base = start->family == 4 ? 96 : 0;
    for (;;) {
        int k = 0; /* block of 2^k addresses starting at s */
        while (k < maxbits) {
            u128 mask = (k + 1 == 128) ? ~(u128)0 : (((u128)1 << (k + 1)) - 1);
            if ((s & mask) != 0 || e - s < mask)
                break;
            k++;
        }
        uint8_t key[16] = {0};
        u128 x = s;
        for (int i = 15; i >= 0; i--) {
            key[i] = (uint8_t)x;
            x >>= 8;
        }
        if (insert_prefix(w, key, base + maxbits - k, val) != 0)
            return -1;
        if (k == 128)
            break;
        u128 last = s + (((u128)1 << k) - 1);
        if (last >= e)
            break;
        s = last + 1;
    }
    return 0;
}

/* Post-order merge: a node whose two children are the same leaf becomes that leaf. */
static uint32_t collapse(dt_mmdbw *w, uint32_t n, int depth)
{
    if (depth > 128)
        return n;
    for (int i = 0; i < 2; i++) {
        uint32_t ch = w->nodes[n].c[i];
        if (ch != 0 && !(ch & DATA_FLAG))
            w->nodes[n].c[i] = collapse(w, ch, depth + 1);
    }
    uint32_t l = w->nodes[n].c[0], r = w->nodes[n].c[1];
    if (n != 0 && l == r && (l == 0 || (l & DATA_FLAG)))
        return l;
    return n;
}

/* ------------------------------------------------------------------------------ file -- */

static void meta_encode(dt_mmdb_buf *b, const dt_mmdbw_meta *m, uint32_t node_count,
                        int record_size, uint64_t epoch)
{
    size_t ndesc = (m->attribution ? 1 : 0) + (m->description ? 1 : 0);
    dt_mmdb_put_map(b, 9);
    dt_mmdb_put_str(b, "binary_format_major_version");
    dt_mmdb_put_u16(b, 2);
    dt_mmdb_put_str(b, "binary_format_minor_version");
    dt_mmdb_put_u16(b, 0);
    dt_mmdb_put_str(b, "build_epoch");
    dt_mmdb_put_u64(b, epoch);
    dt_mmdb_put_str(b, "database_type");
    dt_mmdb_put_str(b, m->database_type ? m->database_type : "datatrail");
    dt_mmdb_put_str(b, "description");
    dt_mmdb_put_map(b, ndesc);
    if (m->attribution) {
        dt_mmdb_put_str(b, "en");
        dt_mmdb_put_str(b, m->attribution);
    }
    if (m->description) {
        dt_mmdb_put_str(b, "x-datatrail");
        dt_mmdb_put_str(b, m->description);
    }
    dt_mmdb_put_str(b, "ip_version");
    dt_mmdb_put_u16(b, 6);
    dt_mmdb_put_str(b, "languages");
    dt_mmdb_put_array(b, 1);
    dt_mmdb_put_str(b, "en");
    dt_mmdb_put_str(b, "node_count");
    dt_mmdb_put_u32(b, node_count);
    dt_mmdb_put_str(b, "record_size");
    dt_mmdb_put_u16(b, (uint16_t)record_size);
}

int dt_mmdbw_write(dt_mmdbw *w, const char *path, const dt_mmdbw_meta *meta, char *err,
                   size_t errlen)
{
    dt_mmdbw_meta defmeta = {0};
    if (!meta)
        meta = &defmeta;
    errno = 0;
    if (!w || !path) {
        dt_set_err(err, errlen, "invalid arguments");
        return -1;
    }
    collapse(w, 0, 0);
    /* IPv4 alias: ::ffff:0:0/96 points at whatever ::/96 holds. */
    uint32_t v = 0;
    int d = 0;
    for (; d < 96; d++) {
        v = w->nodes[v].c[0];
        if (v == 0 || (v & DATA_FLAG))
            break;
    }
    if (v != 0) {
        uint8_t key[16] = {0};
        key[10] = key[11] = 0xff;
        if (insert_prefix(w, key, 96, v) != 0) {
            dt_set_err(err, errlen, "out of memory");
            return -1;
        }
    }
    /* Renumber reachable nodes breadth first (the tree may share the IPv4 subtree). */
    uint32_t *newid = malloc(w->nnodes * sizeof *newid);
    uint32_t *queue = malloc(w->nnodes * sizeof *queue);
    if (!newid || !queue) {
        free(newid);
        free(queue);
        dt_set_err(err, errlen, "out of memory");
        return -1;
    }
    memset(newid, 0xff, w->nnodes * sizeof *newid);
    size_t qh = 0, qt = 0;
    queue[qt++] = 0;
    newid[0] = 0;
    while (qh < qt) {
        uint32_t n = queue[qh++];
        for (int i = 0; i < 2; i++) {
            uint32_t ch = w->nodes[n].c[i];
            if (ch != 0 && !(ch & DATA_FLAG) && newid[ch] == 0xffffffffu) {
                newid[ch] = (uint32_t)qt;
                queue[qt++] = ch;
            }
        }
    }
    uint64_t node_count = qt;
    uint64_t maxval = node_count + 16 + w->bloblen;
    int rs = maxval < (1ull << 24) ? 24 : maxval < (1ull << 28) ? 28 : 32;
    if (maxval >= (1ull << 32)) {
        free(newid);
        free(queue);
        dt_set_err(err, errlen, "database too large");
        return -1;
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        free(newid);
        free(queue);
        dt_set_err(err, errlen, "%s: %s", path, errno ? strerror(errno) : "");
        return -1;
    }
    int bad = 0;
    for (size_t q = 0; q < qt && !bad; q++) {
        uint32_t n = queue[q];
        uint64_t rec[2];
        for (int i = 0; i < 2; i++) {
            uint32_t ch = w->nodes[n].c[i];
            if (ch == 0)
                rec[i] = node_count;
            else if (ch & DATA_FLAG)
                rec[i] = node_count + 16 + w->roff[ch & ~DATA_FLAG];
            else
                rec[i] = newid[ch];
        }
        uint8_t out[8];
        size_t len;
        if (rs == 24) {
            for (int i = 0; i < 3; i++) {
                out[i] = (uint8_t)(rec[0] >> (16 - 8 * i));
                out[3 + i] = (uint8_t)(rec[1] >> (16 - 8 * i));
            }
            len = 6;
        } else if (rs == 28) {
            for (int i = 0; i < 3; i++) {
                out[i] = (uint8_t)(rec[0] >> (16 - 8 * i));
                out[4 + i] = (uint8_t)(rec[1] >> (16 - 8 * i));
            }
            out[3] = (uint8_t)(((rec[0] >> 24) & 0x0f) << 4 | ((rec[1] >> 24) & 0x0f));
            len = 7;
        } else {
            for (int i = 0; i < 4; i++) {
                out[i] = (uint8_t)(rec[0] >> (24 - 8 * i));
                out[4 + i] = (uint8_t)(rec[1] >> (24 - 8 * i));
            }
            len = 8;
        }
        bad |= fwrite(out, 1, len, f) != len;
    }
    free(newid);
    free(queue);
    static const uint8_t zeros[16];
    static const uint8_t marker[14] = "\xAB\xCD\xEFMaxMind.com";
    bad |= fwrite(zeros, 1, 16, f) != 16;
    if (w->bloblen)
        bad |= fwrite(w->blob, 1, w->bloblen, f) != w->bloblen;
    bad |= fwrite(marker, 1, sizeof marker, f) != sizeof marker;

    uint64_t epoch = meta->build_epoch;
    if (!epoch) {
        const char *sde = getenv("SOURCE_DATE_EPOCH");
        epoch = sde && *sde ? strtoull(sde, NULL, 10) : (uint64_t)time(NULL);
    }
    size_t mcap = 4096 + (meta->description ? strlen(meta->description) : 0) +
                  (meta->attribution ? strlen(meta->attribution) : 0) +
                  (meta->database_type ? strlen(meta->database_type) : 0);
    uint8_t *mbuf = malloc(mcap);
    dt_mmdb_buf mb;
    dt_mmdb_buf_init(&mb, mbuf, mcap);
    meta_encode(&mb, meta, (uint32_t)node_count, rs, epoch);
    if (!mbuf || mb.err)
        bad = 1;
    else
        bad |= fwrite(mbuf, 1, mb.len, f) != mb.len;
    free(mbuf);
    bad |= fclose(f) != 0;
    if (bad) {
        dt_set_err(err, errlen, "%s: write failed %s", path, errno ? strerror(errno) : "");
        return -1;
    }
    w->out_nodes = (size_t)node_count;
    w->out_recsize = rs;
    return 0;
}

/* ------------------------------------------------------------------------------- CSV -- */

int dt_csv_split(char *line, char **fields, int maxf)
{
    int n = 0;
    char *p = line;
    for (;;) {
        char *out = p, *start = p;
        if (*p == '"') {
            p++;
            for (;;) {
                if (*p == '\0')
                    return -1;
                if (*p == '"') {
                    if (p[1] == '"') {
                        *out++ = '"';
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                *out++ = *p++;
            }
            if (*p != ',' && *p != '\0')
                return -1;
        } else {
            while (*p && *p != ',')
                p++;
            out = p;
        }
        char sep = *p;
        *out = '\0';
        if (n < maxf)
            fields[n] = start;
        n++;
        if (sep == '\0')
            break;
        p++;
    }
    return n;
}

static int parse_u32(const char *s, uint32_t *out)
{
    uint64_t v = 0;
    if (*s == '\0')
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (uint64_t)(*s - '0');
        if (v > 0xffffffffull)
            return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

#define CSV_MAXLINE 4096

int dt_mmdbw_load_csv(dt_mmdbw *w, const char *path, dt_mmdb_kind kind, int skip_bad, long *nlines,
                      long *nbad, char *err, size_t errlen)
{
    long dummy_l = 0, dummy_b = 0;
    if (!nlines)
        nlines = &dummy_l;
    if (!nbad)
        nbad = &dummy_b;
    if (!w || !path) {
        if (err && errlen)
            dt_set_err(err, errlen, "invalid arguments");
        return -1;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        if (err && errlen)
            dt_set_err(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char *line = malloc(CSV_MAXLINE + 2);
    if (!line) {
        fclose(f);
        return -1;
    }
    long lineno = 0;
    int rc = 0;
    uint8_t recmem[1024];
    while (fgets(line, CSV_MAXLINE + 2, f)) {
        lineno++;
        size_t len = strlen(line);
        const char *why = NULL;
        if (len == CSV_MAXLINE + 1 && line[len - 1] != '\n') {
            why = "line too long";
            int c;
            while ((c = fgetc(f)) != EOF && c != '\n')
                ;
        }
        while (!why && len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (!why && (len == 0 || line[0] == '#'))
            continue;
        char *fl[8];
        int nf = why ? 0 : dt_csv_split(line, fl, 8);
        dt_addr s, e;
        dt_mmdb_buf b;
        dt_mmdb_buf_init(&b, recmem, sizeof recmem);
        if (why) {
        } else if (nf < 0) {
            why = "unterminated quote";
        } else if (nf < 3) {
            why = "expected start,end,value";
        } else if (lineno == 1 && strcmp(fl[0], "ip_range_start") == 0) {
            continue; /* header */
        } else if (dt_addr_parse(fl[0], &s) != 0) {
            why = "bad start address";
        } else if (dt_addr_parse(fl[1], &e) != 0) {
            why = "bad end address";
        } else if (s.family != e.family) {
            why = "start and end differ in address family";
        } else if (dt_addr_cmp(&s, &e) > 0) {
            why = "start address after end address";
        } else if (kind == DT_MMDB_ASN) {
            uint32_t asn;
            if (nf > 4)
                why = "too many fields (quote the organisation)";
            else if (parse_u32(fl[2], &asn) != 0)
                why = "bad AS number";
            else if (dt_mmdb_rec_asn(&b, asn, nf > 3 ? fl[3] : NULL) != 0)
                why = "organisation too long";
        } else {
            char cc[3];
            const char *v = fl[2];
            if (nf > 3 || strlen(v) != 2 || !((v[0] | 32) >= 'a' && (v[0] | 32) <= 'z') ||
                !((v[1] | 32) >= 'a' && (v[1] | 32) <= 'z')) {
                why = "bad country code (want two letters)";
            } else {
                cc[0] = (char)(v[0] & ~32);
                cc[1] = (char)(v[1] & ~32);
                cc[2] = '\0';
                dt_mmdb_rec_country(&b, cc, kind == DT_MMDB_COUNTRY_CODE);
            }
        }
        if (!why && dt_mmdbw_add_range(w, &s, &e, b.p, b.len) != 0)
            why = "out of memory (or more than 2^27 tree nodes)";
        if (why) {
            if (skip_bad && strncmp(why, "out of memory", 13) != 0) {
                (*nbad)++;
                continue;
            }
            if (err && errlen)
                dt_set_err(err, errlen, "%s:%ld: %s", path, lineno, why);
            rc = -1;
            break;
        }
        (*nlines)++;
    }
    if (rc == 0 && ferror(f)) {
        if (err && errlen)
            dt_set_err(err, errlen, "%s: read error", path);
        rc = -1;
    }
    free(line);
    fclose(f);
    return rc;
}
