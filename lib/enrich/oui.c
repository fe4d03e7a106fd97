#include "enrich/oui.h"

#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    return isdigit(c) ? c - '0' : isxdigit(c) ? tolower(c) - 'a' + 10 : -1;
}

/* "00-22-72   (hex)\t\tVendor Name": the prefix, or -1 for any other line. */
static long line_prefix(const char *s, const char **vendor)
{
    uint32_t v = 0;
    if (s[0] == '\0' || s[1] == '\0' || s[2] != '-') /* most lines: addresses, blank */
        return -1;
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
    const char *p = strstr(s + 8, "(hex)");
    if (!p)
        return -1;
    p += 5;
    while (*p == ' ' || *p == '\t')
        p++;
    *vendor = p;
    return (long)v;
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

static char *text; /* the file, vendors cut out of it in place */

static void load(void)
{
    const char *path = getenv("DATATRAIL_OUI_FILE");
    if (!path || !*path)
        path = OUI_DEFAULT_FILE;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return;
    size_t cap = 1 << 20, len = 0, got;
    text = malloc(cap + 1);
    while (text && (got = fread(text + len, 1, cap - len, fp)) > 0) {
        len += got;
        if (len == cap && cap < OUI_FILE_MAX) {
            char *nt = realloc(text, cap * 2 + 1);
            if (!nt)
                break;
            text = nt;
            cap *= 2;
        }
    }
    fclose(fp);
    if (!text)
        return;
    text[len] = '\0';
    size_t ecap = 0;
    for (char *line = text, *next; line < text + len && n_ents < OUI_MAX; line = next) {
        char *nl = memchr(line, '\n', (size_t)(text + len - line));
        next = nl ? nl + 1 : text + len;
        if (nl)
            *nl = '\0';
        const char *vendor;
        long pfx = line_prefix(line, &vendor);
        if (pfx < 0)
            continue;
        char *v = (char *)vendor;
        size_t n = strcspn(v, "\r");
        while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
            n--;
        if (n == 0)
            continue;
        v[n] = '\0';
        for (size_t i = 0; i < n; i++) /* printable: the text goes to terminals */
            if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
                v[i] = '?';
        if (n_ents == ecap) {
            size_t nc = ecap ? ecap * 2 : 1024;
            oui_ent *ne = realloc(ents, nc * sizeof *ne);
            if (!ne)
                break;
            ents = ne;
            ecap = nc;
        }
        ents[n_ents++] = (oui_ent){(uint32_t)pfx, v};
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
