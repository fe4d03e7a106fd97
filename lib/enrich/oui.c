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

static void load(void)
{
    const char *path = getenv("DATATRAIL_OUI_FILE");
    if (!path || !*path)
        path = OUI_DEFAULT_FILE;
    FILE *fp = fopen(path, "r");
    if (!fp)
        return;
    char line[512];
    size_t cap = 0;
    while (fgets(line, sizeof line, fp) && n_ents < OUI_MAX) {
        const char *vendor;
        long pfx = line_prefix(line, &vendor);
        if (pfx < 0)
            continue;
        size_t n = strcspn(vendor, "\r\n");
        while (n > 0 && (vendor[n - 1] == ' ' || vendor[n - 1] == '\t'))
            n--;
        if (n == 0)
            continue;
        if (n_ents == cap) {
            size_t nc = cap ? cap * 2 : 1024;
            oui_ent *ne = realloc(ents, nc * sizeof *ne);
            if (!ne)
                break;
            ents = ne;
            cap = nc;
        }
        char *v = malloc(n + 1);
        if (!v)
            break;
        for (size_t i = 0; i < n; i++) /* printable: the text goes to terminals */
            v[i] = (unsigned char)vendor[i] < 0x20 || vendor[i] == 0x7f ? '?' : vendor[i];
        v[n] = '\0';
        ents[n_ents++] = (oui_ent){(uint32_t)pfx, v};
    }
    fclose(fp);
    if (n_ents)
        qsort(ents, n_ents, sizeof *ents, cmp_ent);
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
