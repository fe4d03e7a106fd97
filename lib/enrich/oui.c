#include "enrich/oui.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define OUI_DEFAULT_FILE "/usr/share/ieee-data/oui.txt"
#define OUI_MAX 100000 /* the registry has about 40,000 entries */

typedef struct oui_ent {
    uint32_t prefix; /* the first three octets */
    char *vendor;
} oui_ent;

static oui_ent *ents;
static size_t n_ents;
static char source[512];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20; /* 'A'-'F' to 'a'-'f', and no other byte into that range */
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* "00-22-72": the prefix, or -1. */
static long hex_prefix(const char *s)
{
    uint32_t v = 0;
    for (int i = 0; i < 8; i++) {
        if (i % 3 == 2) {
            if (s[i] != '-')
                return -1;
            continue;
        }
        int h = hexval((unsigned char)s[i]);
        if (h < 0)
            return -1;
        v = v << 4 | (uint32_t)h;
    }
    return (long)v;
}

/* Eight bytes: a bit in the top of each byte that is a control character
 * (below 0x20, or 0x7f); exact up to the first one found (a borrow only marks
 * bytes after a marked one). */
static uint64_t control_bytes(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    uint64_t d = w ^ 0x7f7f7f7f7f7f7f7fu;
    return ((w - 0x20 * ones) & ~w & highs) | ((d - ones) & ~d & highs);
}

static int is_control(unsigned char c)
{
    return c < 0x20 || c == 0x7f;
}

/* The vendor's length from v: up to the first CR, LF or NUL (the line's end),
 * eight bytes at a time while there is no control character at all; *ctl is
 * set when one other than the end was met (a tab: to be trimmed or replaced). */
static size_t vendor_len(const char *v, int *ctl)
{
    size_t n = 0;
    for (;;) {
        uint64_t w;
        memcpy(&w, v + n, sizeof w); /* the text is followed by eight NULs */
        uint64_t m = control_bytes(w);
        if (m) { /* to the first one marked */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            n += (size_t)__builtin_ctzll(m) / 8;
#endif
            break;
        }
        n += sizeof w;
    }
    while (v[n] != '\r' && v[n] != '\n' && v[n] != '\0') {
        *ctl |= is_control((unsigned char)v[n]);
        n++;
    }
    return n;
}

static int cmp_ent(const void *a, const void *b)
{
    uint32_t x = ((const oui_ent *)a)->prefix, y = ((const oui_ent *)b)->prefix;
    return x < y ? -1 : x > y;
}

/* Sorts by prefix, stable: a radix sort over the three octets, since qsort of
 * the ~40,000 entries cost 23 million instructions, more than reading the file. */
static void sort_ents(oui_ent *e, size_t n)
{
    oui_ent *tmp = malloc(n * sizeof *tmp);
    if (!tmp) {
        qsort(e, n, sizeof *e, cmp_ent);
        return;
    }
    oui_ent *from = e, *to = tmp;
    for (int shift = 0; shift < 24; shift += 8) {
        size_t at[257] = {0};
        for (size_t i = 0; i < n; i++)
            at[(from[i].prefix >> shift & 0xff) + 1]++;
        for (int b = 0; b < 256; b++)
            at[b + 1] += at[b];
        for (size_t i = 0; i < n; i++)
            to[at[from[i].prefix >> shift & 0xff]++] = from[i];
        oui_ent *t = from;
        from = to;
        to = t;
    }
    if (from != e) /* three passes: the result is in tmp */
        memcpy(e, from, n * sizeof *e);
    free(tmp);
}

#define OUI_FILE_MAX (64u << 20) /* the registry is about 5 MB */
#define OUI_PAD 8                /* NULs after the text, for vendor_len's words */

static char *text; /* the file, vendors cut out of it in place */

/* Reads the file whole (at most OUI_FILE_MAX bytes), NUL-padded; its length in *len. */
static char *read_file(FILE *fp, size_t *len)
{
    struct stat sb;
    size_t cap = 1 << 20, n = 0, got;
    if (fstat(fileno(fp), &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0)
        cap = (uint64_t)sb.st_size < OUI_FILE_MAX ? (size_t)sb.st_size + 1 : OUI_FILE_MAX;
    char *t = malloc(cap + OUI_PAD);
    while (t && (got = fread(t + n, 1, cap - n, fp)) > 0) {
        n += got;
        if (n == cap && cap < OUI_FILE_MAX) {
            size_t nc = cap * 2 < OUI_FILE_MAX ? cap * 2 : OUI_FILE_MAX;
            char *nt = realloc(t, nc + OUI_PAD);
            if (!nt)
                break;
            t = nt;
            cap = nc;
        }
    }
    if (t)
        memset(t + n, 0, OUI_PAD);
    *len = n;
    return t;
}

static int add_ent(uint32_t prefix, char *vendor, size_t *cap)
{
    if (n_ents == *cap) {
        size_t nc = *cap ? *cap * 2 : 1024;
        oui_ent *ne = realloc(ents, nc * sizeof *ne);
        if (!ne)
            return -1;
        ents = ne;
        *cap = nc;
    }
    ents[n_ents++] = (oui_ent){prefix, vendor};
    return 0;
}

/* The entries are the lines "00-22-72   (hex)\t\tVendor Name": found by the
 * "(hex)" in them (one line in six holds one), not by walking every line. */
static void load(void)
{
    const char *path = getenv("DATATRAIL_OUI_FILE");
    if (!path || !*path)
        path = OUI_DEFAULT_FILE;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return;
    size_t len;
    text = read_file(fp, &len);
    fclose(fp);
    if (!text)
        return;
    /* lines before floor are done; [line, known) holds no LF and line starts one */
    char *end = text + len, *floor = text, *line = text, *known = text;
    size_t ecap = 0;
    for (char *x = text; n_ents < OUI_MAX && (x = memchr(x, 'x', (size_t)(end - x))) != NULL;) {
        x++;
        if (x - floor < 4 || memcmp(x - 4, "(hex)", 5) != 0)
            continue;
        char *q = x - 4;
        long pfx;
        if (q - floor >= 11 && (q - 11 == text || q[-12] == '\n') && !memcmp(q - 3, "   ", 3) &&
            (pfx = hex_prefix(q - 11)) >= 0) {
            line = q - 11; /* the usual "00-22-72   (hex)": no LF or NUL before it */
        } else {
            char *s = q;
            while (s > known && s[-1] != '\n')
                s--;
            if (s > known)
                line = s;
            /* the first "(hex)" of the line, after the prefix and no NUL */
            pfx = q - line >= 8 ? hex_prefix(line) : -1;
            if (pfx < 0 || memchr(line + 8, '\0', (size_t)(q - line - 8)))
                pfx = -1;
        }
        known = q;
        if (pfx < 0)
            continue;
        char *v = q + 5;
        while (*v == ' ' || *v == '\t')
            v++;
        int ctl = 0;
        size_t n = vendor_len(v, &ctl);
        char *nl = v[n] == '\n' ? v + n
                   : v[n] == '\r' && v[n + 1] == '\n'
                       ? v + n + 1
                       : memchr(v + n, '\n', (size_t)(end - (v + n)));
        floor = line = known = x = nl ? nl + 1 : end;
        while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
            n--;
        if (n == 0)
            continue;
        v[n] = '\0';
        for (size_t i = 0; ctl && i < n; i++) /* printable: the text goes to terminals */
            if (is_control((unsigned char)v[i]))
                v[i] = '?';
        if (add_ent((uint32_t)pfx, v, &ecap) < 0)
            break;
    }
    if (n_ents)
        sort_ents(ents, n_ents);
    snprintf(source, sizeof source, "%s", path);
}

const char *dt_oui_source(void)
{
    pthread_once(&once, load);
    return n_ents ? source : NULL;
}

const char *dt_oui_vendor(const char *mac)
{
    uint32_t v = 0;
    int digits = 0;
    for (const char *p = mac; p && *p && digits < 6; p++) {
        int h = hexval((unsigned char)*p);
        if (h >= 0) {
            v = v << 4 | (uint32_t)h;
            digits++;
        } else if (*p != ':' && *p != '-') {
            return NULL;
        }
    }
    if (digits < 6 || (v >> 16 & 0x02)) /* locally administered: no vendor */
        return NULL;
    pthread_once(&once, load);
    oui_ent key = {v, NULL};
    const oui_ent *e = n_ents ? bsearch(&key, ents, n_ents, sizeof *ents, cmp_ent) : NULL;
    return e ? e->vendor : NULL;
}
