/* Country table and transfer classification (see transfer.h). */
#include "enrich/transfer.h"

#include "util/jsonfile.h"
#include "util/err.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNTRIES_FILE_MAX (8u << 20)

struct dt_countries {
    dt_country c[26 * 26];    /* indexed by the two letters; cc[0] == 0 means absent */
    char region[26 * 26][64]; /* "regions": names of codes that are not countries */
    char date[32];
    char legal_basis[512];
    char source[1024];
};

static void copy_str(char *dst, size_t cap, const char *src)
{
    size_t i = 0;
    if (src) {
        for (; src[i] && i + 1 < cap; i++) {
            unsigned char c = (unsigned char)src[i];
            dst[i] = (char)(c < 0x20 || c == 0x7f ? '?' : c);
        }
    }
    dst[i] = '\0';
}

/* Index 0..675 of a two-letter code (either case), or -1. */
static int cc_index(const char *cc)
{
    if (!cc || !cc[0] || !cc[1] || cc[2])
        return -1;
    int a = cc[0] | 0x20, b = cc[1] | 0x20;
    if (a < 'a' || a > 'z' || b < 'a' || b > 'z')
        return -1;
    return (a - 'a') * 26 + (b - 'a');
}

static const char *str_item(const cJSON *o, const char *k)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(x) ? x->valuestring : NULL;
}

static int bool_item(const cJSON *o, const char *k, int *out)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!x) {
        *out = 0;
        return 0;
    }
    if (!cJSON_IsBool(x))
        return -1;
    *out = cJSON_IsTrue(x) ? 1 : 0;
    return 0;
}

dt_countries *dt_countries_load(const char *path, char *err, size_t errlen)
{
    if (!path) {
        dt_set_err(err, errlen, "(null): no path");
        return NULL;
    }
    cJSON *root = dt_json_load_file(path, COUNTRIES_FILE_MAX, err, errlen);
    if (!root)
        return NULL;

    dt_countries *cs = calloc(1, sizeof *cs);
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "countries");
    if (!cs || !cJSON_IsArray(list)) {
        dt_set_err(err, errlen, "%s: %s", path,
                   cs ? "expected an object with a \"countries\" array" : "out of memory");
        goto fail;
    }
    copy_str(cs->date, sizeof cs->date, str_item(root, "date"));
    copy_str(cs->legal_basis, sizeof cs->legal_basis, str_item(root, "legal_basis"));
    copy_str(cs->source, sizeof cs->source, str_item(root, "source"));

    const cJSON *o;
    size_t i = 0;
    cJSON_ArrayForEach(o, list)
    {
        const char *cc = str_item(o, "cc"), *name = str_item(o, "name");
        int idx = cc_index(cc);
        if (idx < 0 || !name || !name[0]) {
            dt_set_err(err, errlen, "%s: countries[%zu]: needs a two-letter \"cc\" and a \"name\"",
                       path, i);
            goto fail;
        }
        dt_country *c = &cs->c[idx];
        if (c->cc[0]) {
            dt_set_err(err, errlen, "%s: countries[%zu]: duplicate code %s", path, i, cc);
            goto fail;
        }
        c->cc[0] = (char)(cc[0] & ~0x20);
        c->cc[1] = (char)(cc[1] & ~0x20);
        copy_str(c->name, sizeof c->name, name);
        copy_str(c->common_name, sizeof c->common_name, str_item(o, "common_name"));
        copy_str(c->note, sizeof c->note, str_item(o, "note"));
        const char *part = str_item(o, "part_of");
        if (part && cc_index(part) >= 0) {
            c->part_of[0] = (char)(part[0] & ~0x20);
            c->part_of[1] = (char)(part[1] & ~0x20);
        }
        if (bool_item(o, "eu", &c->eu) < 0 || bool_item(o, "eea", &c->eea) < 0) {
            dt_set_err(err, errlen, "%s: countries[%zu] %s: \"eu\"/\"eea\" must be booleans", path,
                       i, c->cc);
            goto fail;
        }
        if (c->eu)
            c->eea = 1;
        const cJSON *adq = cJSON_GetObjectItemCaseSensitive(o, "adequacy");
        if (adq) {
            const char *ref = str_item(adq, "decision");
            if (!cJSON_IsObject(adq) || !ref || !ref[0] ||
                bool_item(adq, "partial", &c->partial) < 0) {
                dt_set_err(err, errlen,
                           "%s: countries[%zu] %s: \"adequacy\" needs a \"decision\" string", path,
                           i, c->cc);
                goto fail;
            }
            c->adequate = 1;
            copy_str(c->decision, sizeof c->decision, ref);
            const char *note = str_item(adq, "note");
            if (note)
                copy_str(c->note, sizeof c->note, note);
        }
        i++;
    }
    const cJSON *regions = cJSON_GetObjectItemCaseSensitive(root, "regions");
    i = 0;
    cJSON_ArrayForEach(o, regions)
    {
        const char *cc = str_item(o, "cc"), *name = str_item(o, "name");
        int idx = cc_index(cc);
        if (idx < 0 || !name || !name[0] || cs->c[idx].cc[0]) {
            dt_set_err(err, errlen,
                       "%s: regions[%zu]: needs a two-letter \"cc\" that is not a country and a "
                       "\"name\"",
                       path, i);
            goto fail;
        }
        copy_str(cs->region[idx], sizeof cs->region[idx], name);
        i++;
    }
    cJSON_Delete(root);
    return cs;
fail:
    cJSON_Delete(root);
    free(cs);
    return NULL;
}

void dt_countries_free(dt_countries *cs)
{
    free(cs);
}

const dt_country *dt_country_get(const dt_countries *cs, const char *cc)
{
    int idx = cc_index(cc);
    if (!cs || idx < 0 || !cs->c[idx].cc[0])
        return NULL;
    return &cs->c[idx];
}

const char *dt_country_name(const dt_countries *cs, const char *cc)
{
    const dt_country *c = dt_country_get(cs, cc);
    return c ? c->name : NULL;
}

const char *dt_country_common_name(const dt_countries *cs, const char *cc)
{
    const dt_country *c = dt_country_get(cs, cc);
    if (c)
        return c->common_name[0] ? c->common_name : c->name;
    int idx = cc_index(cc);
    return cs && idx >= 0 && cs->region[idx][0] ? cs->region[idx] : NULL;
}

const char *dt_country_adequacy_ref(const dt_countries *cs, const char *cc)
{
    const dt_country *c = dt_country_get(cs, cc);
    return c && c->adequate ? c->decision : NULL;
}

const char *dt_country_adequacy_note(const dt_countries *cs, const char *cc)
{
    const dt_country *c = dt_country_get(cs, cc);
    return c && c->adequate ? c->note : NULL;
}

const char *dt_countries_date(const dt_countries *cs)
{
    return cs ? cs->date : "";
}
const char *dt_countries_legal_basis(const dt_countries *cs)
{
    return cs ? cs->legal_basis : "";
}
const char *dt_countries_source(const dt_countries *cs)
{
    return cs ? cs->source : "";
}

dt_transfer_class dt_transfer_of(const dt_countries *cs, const char *cc, const char *ipclass)
{
    if (ipclass && ipclass[0] && strcmp(ipclass, "public") != 0)
        return DT_TRANSFER_LOCAL;
    const dt_country *c = dt_country_get(cs, cc);
    if (!c)
        return DT_TRANSFER_UNKNOWN;
    if (c->eea)
        return DT_TRANSFER_EEA;
    if (c->adequate)
        return c->partial ? DT_TRANSFER_ADEQUATE_PARTIAL : DT_TRANSFER_ADEQUATE;
    return DT_TRANSFER_THIRD;
}

const char *dt_transfer_str(dt_transfer_class t)
{
    switch (t) {
    case DT_TRANSFER_LOCAL:
        return "local";
    case DT_TRANSFER_EEA:
        return "eea";
    case DT_TRANSFER_ADEQUATE:
        return "adequate";
    case DT_TRANSFER_ADEQUATE_PARTIAL:
        return "adequate_partial";
    case DT_TRANSFER_THIRD:
        return "third_country";
    case DT_TRANSFER_UNKNOWN:
    default:
        return "unknown";
    }
}
