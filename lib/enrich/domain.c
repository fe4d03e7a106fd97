/* Registrable domains via libpsl, ICANN section only (see domain.h). */
#include "enrich/domain.h"

#include "util/hash.h"

#include <libpsl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const psl_ctx_t *g_psl;
static char g_psl_source[300] = "none";
static pthread_once_t g_psl_once = PTHREAD_ONCE_INIT;

static void psl_init(void)
{
    const psl_ctx_t *builtin = psl_builtin();
    /* psl_latest(NULL) loads the distribution's list file when it is newer
     * than the compiled-in copy, else returns the built-in list. */
    psl_ctx_t *latest = psl_latest(NULL);
    if (latest && latest != builtin) {
        const char *f = psl_dist_filename();
        snprintf(g_psl_source, sizeof g_psl_source, "file:%s", f && *f ? f : "?");
        g_psl = latest;
    } else if (latest || builtin) {
        snprintf(g_psl_source, sizeof g_psl_source, "builtin");
        g_psl = latest ? latest : builtin;
    }
    /* The context lives for the whole process: it is shared read-only. */
}

static const psl_ctx_t *psl_get(void)
{
    pthread_once(&g_psl_once, psl_init);
    return g_psl;
}

const char *dt_psl_source(void)
{
    psl_get();
    return g_psl_source;
}

static int is_ldh(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* Suffixes of at most MEMO_LEN - 1 characters, direct-mapped, replaced on
 * collision.  The full name itself is not remembered: the enricher caches
 * whole answers per name, so it rarely comes back here. */
#define MEMO_SLOTS 1024
#define MEMO_LEN 64

struct dt_suffix_memo {
    struct {
        char s[MEMO_LEN]; /* "" = empty */
        uint8_t pub;
    } slot[MEMO_SLOTS];
};

dt_suffix_memo *dt_suffix_memo_new(void)
{
    return calloc(1, sizeof(dt_suffix_memo));
}

void dt_suffix_memo_free(dt_suffix_memo *m)
{
    free(m);
}

/* psl_is_public_suffix2() of the ICANN section, remembered in m. */
static int is_public(const psl_ctx_t *psl, dt_suffix_memo *m, const char *suffix, size_t len)
{
    if (!m || len >= MEMO_LEN)
        return psl_is_public_suffix2(psl, suffix, PSL_TYPE_ICANN) != 0;
    size_t k = dt_hash_final(dt_hash_bytes(DT_HASH_INIT, suffix, len)) % MEMO_SLOTS;
    if (memcmp(m->slot[k].s, suffix, len + 1) != 0) {
        memcpy(m->slot[k].s, suffix, len + 1);
        m->slot[k].pub = psl_is_public_suffix2(psl, suffix, PSL_TYPE_ICANN) != 0;
    }
    return m->slot[k].pub;
}

int dt_registrable_domain(const char *name, char *out, size_t outlen)
{
    return dt_registrable_domain_memo(name, NULL, out, outlen);
}

int dt_registrable_domain_memo(const char *name, dt_suffix_memo *m, char *out, size_t outlen)
{
    if (out && outlen)
        out[0] = '\0';
    if (!name || !out || outlen == 0)
        return -1;

    size_t n = strnlen(name, DT_DOMAIN_MAX + 2);
    if (n > 0 && name[n - 1] == '.')
        n--;
    if (n == 0 || n > DT_DOMAIN_MAX)
        return -1;

    /* Lowercase copy, checking the syntax and remembering where labels start. */
    char buf[DT_DOMAIN_MAX + 1];
    size_t starts[DT_DOMAIN_MAX / 2 + 2];
    size_t nlabels = 0, lablen = 0;
    int alldigits = 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        if (c == '.') {
            if (lablen == 0)
                return -1; /* empty label */
            lablen = 0;
        } else {
            if (!is_ldh(c))
                return -1; /* IPv6 literals, brackets, spaces, non-ASCII ... */
            if (lablen == 0) {
                starts[nlabels++] = i;
                alldigits = 1;
            }
            if (++lablen > 63)
                return -1;
            if (c < '0' || c > '9')
                alldigits = 0;
        }
        buf[i] = (char)c;
    }
    buf[n] = '\0';
    if (lablen == 0 || alldigits)
        return -1; /* trailing ".." or a numeric last label: an IPv4 literal or not a name */

    /* Reverse-lookup names (PTR queries) stand for addresses, not servers. */
    static const char *const arpa[] = {"in-addr.arpa", "ip6.arpa"};
    for (size_t k = 0; k < 2; k++) {
        size_t al = strlen(arpa[k]);
        if (n >= al && strcmp(buf + n - al, arpa[k]) == 0 && (n == al || buf[n - al - 1] == '.'))
            return -1;
    }

    const psl_ctx_t *psl = psl_get();
    if (!psl)
        return -1;

    /* The longest suffix that is an ICANN public suffix (the implicit "*" rule
     * applies to unknown TLDs); the registrable domain is one label more. */
    size_t ps = nlabels;
    for (size_t k = 0; k < nlabels; k++) {
        if (is_public(psl, k ? m : NULL, buf + starts[k], n - starts[k])) {
            ps = k;
            break;
        }
    }
    if (ps == 0 || ps == nlabels)
        return -1; /* the name is itself a public suffix (or no rule matched) */

    const char *reg = buf + starts[ps - 1];
    size_t rl = n - starts[ps - 1];
    if (rl + 1 > outlen)
        return -1;
    memcpy(out, reg, rl + 1);
    return 0;
}
