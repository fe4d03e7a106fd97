#include "report/tally.h"

#include <stdlib.h>
#include <string.h>

static uint32_t str_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static int dt_tally_rehash(dt_tally *t, size_t nslot)
{
    dt_tally_slot *s = calloc(nslot, sizeof *s);
    if (!s)
        return -1;
    for (size_t i = 0; i < t->n; i++) {
        size_t j = t->v[i].hash & (nslot - 1);
        while (s[j].idx)
            j = (j + 1) & (nslot - 1);
        s[j].idx = (uint32_t)(i + 1);
        s[j].hash = t->v[i].hash;
    }
    free(t->slot);
    t->slot = s;
    t->nslot = nslot;
    return 0;
}

/* The entry for key, created when missing (NULL when full, over the budget
 * or out of memory).  *created tells whether it is new. */
dt_tally_item *dt_tally_get(dt_tally *t, dt_budget *b, const char *key, int *created)
{
    if (created)
        *created = 0;
    if (!key)
        return NULL;
    char kb[DT_TALLY_KEY_MAX];
    size_t len = strlen(key);
    if (len >= sizeof kb) {
        memcpy(kb, key, sizeof kb - 1);
        kb[sizeof kb - 1] = '\0';
        key = kb;
        len = sizeof kb - 1;
    }
    uint32_t h = str_hash(key);
    if (t->nslot) {
        for (size_t j = h & (t->nslot - 1); t->slot[j].idx; j = (j + 1) & (t->nslot - 1)) {
            dt_tally_item *it = &t->v[t->slot[j].idx - 1];
            if (t->slot[j].hash == h && strcmp(DT_TALLY_KEY(it), key) == 0)
                return it;
        }
    }
    size_t max = t->max ? t->max : DT_TALLY_NESTED_MAX;
    size_t cost = 2 * sizeof(dt_tally_item) + 4 * sizeof(dt_tally_slot) +
                  (len < DT_TALLY_SMALL_KEY ? 0 : len + 1);
    if (t->n >= max)
        return NULL;
    if (b->used + cost > b->max) {
        b->refused++;
        return NULL;
    }
    if ((t->n + 1) * 2 > t->nslot && dt_tally_rehash(t, t->nslot ? t->nslot * 2 : 16) != 0)
        return NULL;
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 8;
        dt_tally_item *nv = realloc(t->v, cap * sizeof *nv);
        if (!nv)
            return NULL;
        t->v = nv;
        t->cap = cap;
    }
    dt_tally_item *it = &t->v[t->n];
    memset(it, 0, sizeof *it);
    if (len < DT_TALLY_SMALL_KEY)
        memcpy(it->small, key, len + 1);
    else if (!(it->key = strdup(key)))
        return NULL;
    it->hash = h;
    b->used += cost;
    size_t j = h & (t->nslot - 1);
    while (t->slot[j].idx)
        j = (j + 1) & (t->nslot - 1);
    t->slot[j].idx = (uint32_t)(++t->n);
    t->slot[j].hash = h;
    if (created)
        *created = 1;
    return it;
}

void dt_tally_free(dt_tally *t, void (*ext_free)(void *))
{
    for (size_t i = 0; i < t->n; i++) {
        if (ext_free && t->v[i].ext)
            ext_free(t->v[i].ext);
        free(t->v[i].key);
    }
    free(t->v);
    free(t->slot);
    memset(t, 0, sizeof *t);
}

/* bytes_up descending, then key ascending (bytewise). */
static int cmp_items(const void *a, const void *b)
{
    const dt_tally_item *x = *(dt_tally_item *const *)a, *y = *(dt_tally_item *const *)b;
    if (x->up != y->up)
        return x->up > y->up ? -1 : 1;
    return strcmp(DT_TALLY_KEY(x), DT_TALLY_KEY(y));
}

dt_tally_item **dt_tally_sorted(const dt_tally *t)
{
    dt_tally_item **s = malloc((t->n ? t->n : 1) * sizeof *s);
    if (!s)
        return NULL;
    for (size_t i = 0; i < t->n; i++)
        s[i] = &t->v[i];
    qsort(s, t->n, sizeof *s, cmp_items);
    return s;
}

int dt_tally_set_str(char **dst, const char *s, dt_budget *b)
{
    if (*dst || !s)
        return 0;
    *dst = strndup(s, DT_TALLY_KEY_MAX - 1);
    if (*dst)
        b->used += strlen(*dst) + 1;
    return *dst ? 0 : -1;
}

/* Allocates the ext of a new entry. */
void *dt_tally_ext(dt_tally_item *it, int created, size_t size, dt_budget *b)
{
    if (!it)
        return NULL;
    if (created || !it->ext) {
        it->ext = calloc(1, size);
        if (it->ext)
            b->used += size;
    }
    return it->ext;
}

/* Adds the entries of src to dst, in src's order (as adding its flows would). */
int dt_tally_merge(dt_tally *dst, dt_budget *b, const dt_tally *src, dt_tally_ext_merge ext_merge)
{
    int oom = 0;
    for (size_t i = 0; i < src->n; i++) {
        const dt_tally_item *s = &src->v[i];
        int created;
        dt_tally_item *d = dt_tally_get(dst, b, DT_TALLY_KEY(s), &created);
        if (!d)
            continue; /* full (as when adding flows) or out of memory */
        d->up += s->up;
        d->down += s->down;
        d->flows += s->flows;
        d->mask |= s->mask;
        if (ext_merge && s->ext)
            oom |= ext_merge(d, created, s->ext, b);
    }
    return oom ? -1 : 0;
}
