#include "enrich/oui.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#define OUI_DEFAULT_FILE "/usr/share/ieee-data/oui.txt"
#define OUI_MAX 100000 /* the registry has about 40,000 entries */

typedef struct oui_ent {
    uint32_t prefix; /* the first three octets */
    uint32_t off;    /* the vendor's first byte in the text */
} oui_ent;

static oui_ent *ents;
static size_t n_ents;
static const char *text, *end; /* the file, mapped (or read) whole and never changed */
static char **vendors;         /* per entry, the vendor once asked for (under lock) */
static pthread_mutex_t vendors_lock = PTHREAD_MUTEX_INITIALIZER;
static char source[512];
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* A hex digit's value, with HEX_OK set; 0 for any other byte. */
#define HEX_OK 0x10
static const uint8_t hexv[256] = {
    ['0'] = 0x10, ['1'] = 0x11, ['2'] = 0x12, ['3'] = 0x13, ['4'] = 0x14, ['5'] = 0x15,
    ['6'] = 0x16, ['7'] = 0x17, ['8'] = 0x18, ['9'] = 0x19, ['A'] = 0x1a, ['B'] = 0x1b,
    ['C'] = 0x1c, ['D'] = 0x1d, ['E'] = 0x1e, ['F'] = 0x1f, ['a'] = 0x1a, ['b'] = 0x1b,
    ['c'] = 0x1c, ['d'] = 0x1d, ['e'] = 0x1e, ['f'] = 0x1f,
};

/* "00-22-72": the prefix, or -1. */
static long hex_prefix(const char *s)
{
    if (s[2] != '-' || s[5] != '-')
        return -1;
    const unsigned char *u = (const unsigned char *)s;
    uint32_t a = hexv[u[0]], b = hexv[u[1]], c = hexv[u[3]], d = hexv[u[4]], e = hexv[u[6]],
             f = hexv[u[7]];
    uint32_t ok = a & b & c & d & e & f & HEX_OK;
    uint32_t v = (a & 0xf) << 20 | (b & 0xf) << 16 | (c & 0xf) << 12 | (d & 0xf) << 8 |
                 (e & 0xf) << 4 | (f & 0xf);
    return ok ? (long)v : -1;
}

static int is_control(unsigned char c)
{
    return c < 0x20 || c == 0x7f;
}

static int cmp_ent(const void *a, const void *b)
{
    uint32_t x = ((const oui_ent *)a)->prefix, y = ((const oui_ent *)b)->prefix;
    return x < y ? -1 : x > y;
}

#define SORT_BITS 12 /* two passes over the 24-bit prefixes */
#define SORT_SPAN (1u << SORT_BITS)

/* Sorts by prefix, stable: two radix passes from the counts the scan made
 * (qsort of the ~32,000 entries cost 23 million instructions). */
static void sort_ents(oui_ent *e, size_t n, uint32_t (*at)[SORT_SPAN + 1])
{
    oui_ent *tmp = malloc(n * sizeof *tmp);
    if (!tmp) {
        qsort(e, n, sizeof *e, cmp_ent);
        return;
    }
    oui_ent *from = e, *to = tmp;
    for (int pass = 0; pass < 2; pass++) {
        uint32_t *a = at[pass];
        unsigned shift = pass ? SORT_BITS : 0;
        for (unsigned b = 0; b < SORT_SPAN; b++)
            a[b + 1] += a[b];
        for (size_t i = 0; i < n; i++)
            to[a[from[i].prefix >> shift & (SORT_SPAN - 1)]++] = from[i];
        oui_ent *t = from;
        from = to;
        to = t;
    }
    free(tmp); /* two passes: the result is back in e */
}

#define OUI_FILE_MAX (64u << 20) /* the registry is about 5 MB */

/* Reads a file that cannot be mapped (a pipe) whole, at most OUI_FILE_MAX bytes. */
static char *read_file(FILE *fp, size_t *len)
{
    size_t cap = 1 << 20, n = 0, got;
    char *t = malloc(cap);
    while (t && (got = fread(t + n, 1, cap - n, fp)) > 0) {
        n += got;
        if (n == cap && cap < OUI_FILE_MAX) {
            size_t nc = cap * 2 < OUI_FILE_MAX ? cap * 2 : OUI_FILE_MAX;
            char *nt = realloc(t, nc);
            if (!nt)
                break;
            t = nt;
            cap = nc;
        }
    }
    *len = n;
    return t;
}

/* The file whole, mapped: its ~5 MB are not copied into fresh heap, and only
 * the pages holding the vendors asked for are ever written (none are). */
static const char *map_file(FILE *fp, size_t *len)
{
    struct stat sb;
    if (fstat(fileno(fp), &sb) != 0 || !S_ISREG(sb.st_mode))
        return read_file(fp, len);
    *len = (uint64_t)sb.st_size < OUI_FILE_MAX ? (size_t)sb.st_size : OUI_FILE_MAX;
    if (*len == 0)
        return NULL;
    void *m = mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fileno(fp), 0);
    return m == MAP_FAILED ? read_file(fp, len) : m;
}

/* The entries are the lines "00-22-72   (hex)\t\tVendor Name": found by the
 * "(hex)" in them (one line in six holds one), not by walking every line.
 * Only where each vendor starts is kept: dt_oui_vendor cuts the few asked for. */
static void load(void)
{
    const char *path = getenv("DATATRAIL_OUI_FILE");
    if (!path || !*path)
        path = OUI_DEFAULT_FILE;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return;
    size_t len;
    text = map_file(fp, &len);
    fclose(fp);
    ents = text ? malloc(OUI_MAX * sizeof *ents) : NULL; /* pages touched as filled */
    if (!ents)
        return;
    static uint32_t at[2][SORT_SPAN + 1]; /* the radix passes' counts */
    /* lines before floor are done; [line, known) holds no LF and line starts one */
    const char *floor = text, *line = text, *known = text;
    end = text + len;
    for (const char *x = text;
         n_ents < OUI_MAX && (x = memchr(x, 'x', (size_t)(end - x))) != NULL;) {
        x++;
        if (x - floor < 4 || memcmp(x - 4, "(hex)", 5) != 0)
            continue;
        const char *q = x - 4;
        long pfx;
        if (q - floor >= 11 && (q - 11 == text || q[-12] == '\n') && !memcmp(q - 3, "   ", 3) &&
            (pfx = hex_prefix(q - 11)) >= 0) {
            line = q - 11; /* the usual "00-22-72   (hex)": no LF or NUL before it */
        } else {
            const char *s = q;
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
        const char *v = q + 5;
        while (v < end && (*v == ' ' || *v == '\t'))
            v++;
        const char *nl = memchr(v, '\n', (size_t)(end - v));
        floor = line = known = x = nl ? nl + 1 : end;
        if (v == end || *v == '\r' || *v == '\n' || *v == '\0')
            continue; /* no vendor */
        ents[n_ents++] = (oui_ent){(uint32_t)pfx, (uint32_t)(v - text)};
        at[0][(pfx & (SORT_SPAN - 1)) + 1]++;
        at[1][(pfx >> SORT_BITS) + 1]++;
    }
    if (!n_ents)
        return;
    sort_ents(ents, n_ents, at);
    /* on the heap, not a mapping of its own: leak checkers see what it points to */
    vendors = calloc(n_ents, sizeof *vendors);
    snprintf(source, sizeof source, "%s", path);
}

/* The vendor from its first byte: to the line's end (CR, LF or NUL), trailing
 * blanks trimmed, control characters as '?' (the text goes to terminals). */
static char *cut_vendor(const char *v)
{
    size_t n = 0;
    while (v + n < end && v[n] != '\r' && v[n] != '\n' && v[n] != '\0')
        n++;
    while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    char *s = malloc(n + 1);
    if (!s)
        return NULL;
    for (size_t i = 0; i < n; i++)
        s[i] = is_control((unsigned char)v[i]) ? '?' : v[i];
    s[n] = '\0';
    return s;
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
        unsigned h = hexv[(unsigned char)*p];
        if (h) {
            v = v << 4 | (h & 0xf);
            digits++;
        } else if (*p != ':' && *p != '-') {
            return NULL;
        }
    }
    if (digits < 6 || (v >> 16 & 0x02)) /* locally administered: no vendor */
        return NULL;
    pthread_once(&once, load);
    oui_ent key = {v, 0};
    const oui_ent *e = n_ents ? bsearch(&key, ents, n_ents, sizeof *ents, cmp_ent) : NULL;
    if (!e || !vendors)
        return NULL;
    size_t i = (size_t)(e - ents);
    pthread_mutex_lock(&vendors_lock);
    if (!vendors[i])
        vendors[i] = cut_vendor(text + e->off);
    const char *name = vendors[i];
    pthread_mutex_unlock(&vendors_lock);
    return name;
}
