#include "report/policy.h"

#include "util/clock.h"
#include "util/err.h"
#include "util/jsonfile.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define POLICY_FILE_MAX ((size_t)1 << 20)
#define NS_PER_HOUR 3600000000000ull

/* ---- the policy ---- */

/* What the values of a rule's key are. */
enum { K_COUNTRY, K_TRANSFER, K_NAME, K_DOMAIN, K_BOOL, K_LIMIT };

static const struct {
    const char *key;
    int kind;
} rules[DT_POLICY_RULE_COUNT] = {
    [DT_POLICY_allow_countries] = {"allow_countries", K_COUNTRY},
    [DT_POLICY_deny_countries] = {"deny_countries", K_COUNTRY},
    [DT_POLICY_allow_transfer] = {"allow_transfer", K_TRANSFER},
    [DT_POLICY_deny_transfer] = {"deny_transfer", K_TRANSFER},
    [DT_POLICY_allow_recipients] = {"allow_recipients", K_NAME},
    [DT_POLICY_deny_recipients] = {"deny_recipients", K_NAME},
    [DT_POLICY_deny_domains] = {"deny_domains", K_DOMAIN},
    [DT_POLICY_plaintext] = {"plaintext", K_BOOL},
    [DT_POLICY_max_bytes_per_hour] = {"max_bytes_per_hour", K_LIMIT},
};

struct dt_policy {
    char *path;
    int active[DT_POLICY_RULE_COUNT];
    char **list[DT_POLICY_RULE_COUNT]; /* the values of the list rules, normalised */
    int n[DT_POLICY_RULE_COUNT];
    uint64_t max_bytes_per_hour;
};

const char *dt_policy_rule_name(dt_policy_rule rule)
{
    return (unsigned)rule < DT_POLICY_RULE_COUNT ? rules[rule].key : NULL;
}

const char *dt_policy_path(const dt_policy *p)
{
    return p ? p->path : NULL;
}

void dt_policy_free(dt_policy *p)
{
    if (!p)
        return;
    for (int r = 0; r < DT_POLICY_RULE_COUNT; r++) {
        for (int i = 0; i < p->n[r]; i++)
            free(p->list[r][i]);
        free(p->list[r]);
    }
    free(p->path);
    free(p);
}

/* A list value as the rule compares it (into out, at most len bytes); NULL
 * (with the reason in why) when it is not one. */
static const char *list_value(int kind, const char *s, char *out, size_t len, const char **why)
{
    size_t n = strlen(s);
    if (kind == K_COUNTRY) {
        if (n != 2 || !((s[0] | 32) >= 'a' && (s[0] | 32) <= 'z') ||
            !((s[1] | 32) >= 'a' && (s[1] | 32) <= 'z')) {
            *why = "is not a two-letter country code (ISO 3166-1 alpha-2, e.g. \"CN\")";
            return NULL;
        }
        snprintf(out, len, "%c%c", s[0] & ~32, s[1] & ~32);
        return out;
    }
    if (kind == K_TRANSFER) {
        for (int t = 0; t < DT_RU_TR_COUNT; t++)
            if (!strcmp(s, dt_ru_transfer_name((dt_ru_transfer)t)))
                return s;
        *why = "is not a transfer class (eea, adequate, adequate_partial, third_country, "
               "unknown, local)";
        return NULL;
    }
    if (kind == K_DOMAIN) { /* "*.example.com", ".example.com" and "example.com." alike */
        if (s[0] == '*' && s[1] == '.')
            s += 2;
        else if (s[0] == '.')
            s++;
        n = strlen(s);
        if (n && s[n - 1] == '.')
            n--;
        if (n >= len)
            n = len - 1;
        for (size_t i = 0; i < n; i++)
            out[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
        out[n] = '\0';
        s = out;
    }
    if (!s[0]) {
        *why = "is empty";
        return NULL;
    }
    return s;
}

/* Rule r := the array v; -1 with the reason in err. */
static int read_list(dt_policy *p, int r, const cJSON *v, const char *path, char *err,
                     size_t errlen)
{
    const char *key = rules[r].key;
    if (!cJSON_IsArray(v)) {
        dt_set_err(err, errlen, "%s: \"%s\" must be an array of strings", path, key);
        return -1;
    }
    int n = cJSON_GetArraySize(v);
    p->list[r] = calloc(n ? (size_t)n : 1, sizeof *p->list[r]);
    if (!p->list[r]) {
        dt_set_err(err, errlen, "%s: out of memory", path);
        return -1;
    }
    const cJSON *it;
    cJSON_ArrayForEach(it, v)
    {
        char buf[256];
        const char *why = NULL, *val = NULL;
        if (!cJSON_IsString(it) || !it->valuestring) {
            dt_set_err(err, errlen, "%s: \"%s\" must be an array of strings", path, key);
            return -1;
        }
        if (strlen(it->valuestring) >= sizeof buf)
            why = "is too long";
        else
            val = list_value(rules[r].kind, it->valuestring, buf, sizeof buf, &why);
        if (!val) {
            dt_set_err(err, errlen, "%s: \"%s\": \"%.80s\" %s", path, key, it->valuestring, why);
            return -1;
        }
        if (!(p->list[r][p->n[r]] = strdup(val))) {
            dt_set_err(err, errlen, "%s: out of memory", path);
            return -1;
        }
        p->n[r]++;
    }
    p->active[r] = 1;
    return 0;
}

static int read_rule(dt_policy *p, int r, const cJSON *v, const char *path, char *err,
                     size_t errlen)
{
    const char *key = rules[r].key;
    if (rules[r].kind == K_BOOL) {
        if (!cJSON_IsBool(v)) {
            dt_set_err(err, errlen, "%s: \"%s\" must be true or false", path, key);
            return -1;
        }
        p->active[r] = cJSON_IsFalse(v); /* false: plaintext is forbidden */
        return 0;
    }
    if (rules[r].kind == K_LIMIT) {
        double d = cJSON_IsNumber(v) ? v->valuedouble : -1;
        if (!(d >= 0 && d <= 9007199254740992.0) || d != (double)(uint64_t)d) {
            dt_set_err(err, errlen, "%s: \"%s\" must be a whole number of bytes (0 or more)", path,
                       key);
            return -1;
        }
        p->max_bytes_per_hour = (uint64_t)d;
        p->active[r] = 1;
        return 0;
    }
    return read_list(p, r, v, path, err, errlen);
}

static dt_policy *policy_from(const cJSON *root, const char *path, char *err, size_t errlen)
{
    if (!cJSON_IsObject(root)) {
        dt_set_err(err, errlen, "%s: a policy is a JSON object (docs/policy.md)", path);
        return NULL;
    }
    dt_policy *p = calloc(1, sizeof *p);
    if (!p || !(p->path = strdup(path))) {
        dt_set_err(err, errlen, "%s: out of memory", path);
        free(p);
        return NULL;
    }
    int seen[DT_POLICY_RULE_COUNT + 1] = {0};
    const cJSON *it;
    cJSON_ArrayForEach(it, root)
    {
        const char *key = it->string ? it->string : "";
        int r = 0;
        while (r < DT_POLICY_RULE_COUNT && strcmp(key, rules[r].key) != 0)
            r++;
        if (r == DT_POLICY_RULE_COUNT && strcmp(key, "description") != 0) {
            dt_set_err(err, errlen,
                       "%s: unknown key \"%.80s\" (a policy has description, allow_countries, "
                       "deny_countries, allow_transfer, deny_transfer, allow_recipients, "
                       "deny_recipients, deny_domains, plaintext, max_bytes_per_hour)",
                       path, key);
            goto fail;
        }
        if (seen[r]++) {
            dt_set_err(err, errlen, "%s: \"%s\" is given twice", path, key);
            goto fail;
        }
        if (r == DT_POLICY_RULE_COUNT) { /* description */
            if (!cJSON_IsString(it)) {
                dt_set_err(err, errlen, "%s: \"description\" must be a string", path);
                goto fail;
            }
            continue;
        }
        if (read_rule(p, r, it, path, err, errlen) != 0)
            goto fail;
    }
    return p;
fail:
    dt_policy_free(p);
    return NULL;
}

dt_policy *dt_policy_load(const char *path, char *err, size_t errlen)
{
    cJSON *root = dt_json_load_file(path, POLICY_FILE_MAX, err, errlen);
    if (!root)
        return NULL;
    dt_policy *p = policy_from(root, path, err, errlen);
    cJSON_Delete(root);
    return p;
}

dt_policy *dt_policy_parse(const char *text, size_t len, const char *name, char *err, size_t errlen)
{
    cJSON *root = cJSON_ParseWithLength(text, len);
    if (!root) {
        dt_set_err(err, errlen, "%s: not JSON", name);
        return NULL;
    }
    dt_policy *p = policy_from(root, name, err, errlen);
    cJSON_Delete(root);
    return p;
}

/* ---- evaluation ---- */

enum { F_RECIPIENT, F_DOMAIN, F_COUNTRY, F_TRANSFER };

/* Violations by (rule, subject); for max_bytes_per_hour, the upload to one
 * recipient in one hour (slot: the hour). */
struct dt_policy_state {
    const dt_policy *p;
    uint64_t n_flows;
    dt_buckets b;
};

dt_policy_state *dt_policy_state_new(const dt_policy *p)
{
    dt_policy_state *s = calloc(1, sizeof *s);
    if (s) {
        s->p = p;
        s->b.max = DT_POLICY_MAX_ENTRIES;
    }
    return s;
}

void dt_policy_state_free(dt_policy_state *s)
{
    if (!s)
        return;
    dt_buckets_free(&s->b);
    free(s);
}

uint64_t dt_policy_dropped(const dt_policy_state *s)
{
    return s ? s->b.dropped : 0;
}

static void record(dt_policy_state *s, int rule, uint64_t hour, const char *recipient,
                   const char *domain, const char *country, const char *transfer,
                   const dt_bstats *one)
{
    const char *k[DT_BUCKET_FIELDS] = {recipient, domain, country, transfer};
    dt_buckets_add(&s->b, rule, hour, k, one);
}

static const char *nonempty(const char *s)
{
    return s && s[0] ? s : NULL;
}

static int in_list(const dt_policy *p, int rule, const char *s)
{
    for (int i = 0; s && i < p->n[rule]; i++)
        if (rules[rule].kind == K_NAME ? !strcasecmp(p->list[rule][i], s)
                                       : !strcmp(p->list[rule][i], s))
            return 1;
    return 0;
}

/* name is d or ends with "." d (without case). */
static int domain_match(const char *name, const char *d)
{
    size_t n = strlen(name), m = strlen(d);
    if (n && name[n - 1] == '.')
        n--;
    if (n < m || strncasecmp(name + n - m, d, m) != 0)
        return 0;
    return n == m || name[n - m - 1] == '.';
}

/* The first name of the flow under a denied domain, else NULL. */
static const char *denied_name(const dt_policy *p, const dt_rollup_flow *f)
{
    const char *names[] = {f->name, f->tls_sni, f->quic_sni, f->http_host};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        for (int j = 0; nonempty(names[i]) && j < p->n[DT_POLICY_deny_domains]; j++)
            if (domain_match(names[i], p->list[DT_POLICY_deny_domains][j]))
                return names[i];
    return NULL;
}

int dt_policy_state_add(dt_policy_state *s, const dt_rollup_flow *f)
{
    if (!s)
        return 0;
    uint64_t id = s->n_flows++;
    if (!f)
        return 0;
    dt_ru_flow_view v;
    dt_rollup_flow_view(f, &v);
    if (v.kind != DT_RU_FLOW_REMOTE)
        return 0; /* no upload to a remote side (local flows, or no local side) */
    const dt_policy *p = s->p;
    /* enrichment describes the server: usable when the remote side is the server */
    int srv = v.srv_remote;
    const char *country = srv ? nonempty(f->country) : NULL;
    const char *recipient = srv ? nonempty(f->recipient) : NULL;
    const char *transfer =
        dt_ru_transfer_name(srv && v.transfer >= 0 ? (dt_ru_transfer)v.transfer : DT_RU_TR_UNKNOWN);
    dt_bstats one = dt_bstats_flow(v.up, f->have_time, f->first_ns, f->last_ns, f->ts_digits, id);
    if (p->active[DT_POLICY_allow_countries] && !in_list(p, DT_POLICY_allow_countries, country))
        record(s, DT_POLICY_allow_countries, 0, NULL, NULL, country, NULL, &one);
    if (p->active[DT_POLICY_deny_countries] && in_list(p, DT_POLICY_deny_countries, country))
        record(s, DT_POLICY_deny_countries, 0, NULL, NULL, country, NULL, &one);
    if (p->active[DT_POLICY_allow_transfer] && !in_list(p, DT_POLICY_allow_transfer, transfer))
        record(s, DT_POLICY_allow_transfer, 0, NULL, NULL, country, transfer, &one);
    if (p->active[DT_POLICY_deny_transfer] && in_list(p, DT_POLICY_deny_transfer, transfer))
        record(s, DT_POLICY_deny_transfer, 0, NULL, NULL, country, transfer, &one);
    if (p->active[DT_POLICY_allow_recipients] && !in_list(p, DT_POLICY_allow_recipients, recipient))
        record(s, DT_POLICY_allow_recipients, 0, recipient, NULL, NULL, NULL, &one);
    if (p->active[DT_POLICY_deny_recipients] && in_list(p, DT_POLICY_deny_recipients, recipient))
        record(s, DT_POLICY_deny_recipients, 0, recipient, NULL, NULL, NULL, &one);
    const char *denied = srv && p->active[DT_POLICY_deny_domains] ? denied_name(p, f) : NULL;
    if (denied)
        record(s, DT_POLICY_deny_domains, 0, NULL, denied, NULL, NULL, &one);
    if (p->active[DT_POLICY_plaintext] && v.crypto == DT_CRYPTO_PLAINTEXT) {
        const char *dest = srv ? nonempty(f->name) : NULL;
        if (!dest)
            dest = nonempty(srv ? f->server_ip : f->client_ip);
        record(s, DT_POLICY_plaintext, 0, recipient, dest, NULL, NULL, &one);
    }
    if (p->active[DT_POLICY_max_bytes_per_hour] && one.have_time)
        record(s, DT_POLICY_max_bytes_per_hour, f->first_ns / NS_PER_HOUR, recipient, NULL, NULL,
               NULL, &one);
    return s->b.oom ? -1 : 0;
}

int dt_policy_state_merge(dt_policy_state *dst, const dt_policy_state *src)
{
    if (!dst || !src)
        return 0;
    int rc = dt_buckets_merge(&dst->b, &src->b, dst->n_flows);
    dst->n_flows += src->n_flows;
    return rc;
}

/* ---- the violations ---- */

static int cmp_str(const char *a, const char *b)
{
    return a && b ? strcmp(a, b) : (a != NULL) - (b != NULL);
}

static int cmp_violation(const void *pa, const void *pb)
{
    const dt_policy_violation *a = pa, *b = pb;
    if (a->rule != b->rule)
        return a->rule < b->rule ? -1 : 1;
    if (a->bytes != b->bytes)
        return a->bytes > b->bytes ? -1 : 1;
    if (a->flows != b->flows)
        return a->flows > b->flows ? -1 : 1;
    int c = cmp_str(a->recipient, b->recipient);
    if (!c)
        c = cmp_str(a->domain, b->domain);
    if (!c)
        c = cmp_str(a->country, b->country);
    return c ? c : cmp_str(a->transfer, b->transfer);
}

/* Hour buckets by recipient, then hour. */
static int cmp_bucket(const void *pa, const void *pb)
{
    const dt_bucket *a = *(const dt_bucket *const *)pa, *b = *(const dt_bucket *const *)pb;
    int c = cmp_str(a->k[F_RECIPIENT], b->k[F_RECIPIENT]);
    return c ? c : (a->slot > b->slot) - (a->slot < b->slot);
}

static void violation_of(dt_policy_violation *v, const dt_bucket *e, const dt_bstats *st)
{
    memset(v, 0, sizeof *v);
    v->rule = (dt_policy_rule)e->kind;
    v->recipient = e->k[F_RECIPIENT];
    v->domain = e->k[F_DOMAIN];
    v->country = e->k[F_COUNTRY];
    v->transfer = e->k[F_TRANSFER];
    v->bytes = st->bytes;
    v->flows = st->flows;
    v->have_time = st->have_time;
    v->ts_digits = st->digits;
    v->first_ns = st->first_ns;
    v->last_ns = st->last_ns;
    memcpy(v->examples, st->ex, sizeof v->examples);
    v->n_examples = st->n_ex;
}

dt_policy_violation *dt_policy_violations(const dt_policy_state *s, size_t *n, int *oom)
{
    *n = 0;
    if (!s || !s->b.n)
        return NULL;
    dt_policy_violation *v = malloc(s->b.n * sizeof *v);
    const dt_bucket **hours = malloc(s->b.n * sizeof *hours);
    if (!v || !hours) {
        free(v);
        free(hours);
        *oom = 1;
        return NULL;
    }
    size_t nv = 0, nh = 0;
    uint64_t limit = s->p->max_bytes_per_hour;
    for (size_t i = 0; i < s->b.n; i++) {
        const dt_bucket *e = &s->b.v[i];
        if (e->kind != DT_POLICY_max_bytes_per_hour)
            violation_of(&v[nv++], e, &e->st);
        else if (e->st.bytes > limit)
            hours[nh++] = e;
    }
    /* a recipient over the limit: the hours over it, added up */
    qsort(hours, nh, sizeof *hours, cmp_bucket);
    for (size_t i = 0; i < nh;) {
        dt_bstats sum = {0};
        uint64_t most = 0, count = 0;
        size_t j = i;
        for (; j < nh && !cmp_str(hours[j]->k[F_RECIPIENT], hours[i]->k[F_RECIPIENT]); j++) {
            dt_bstats_add(&sum, &hours[j]->st, 0);
            most = hours[j]->st.bytes > most ? hours[j]->st.bytes : most;
            count++;
        }
        violation_of(&v[nv], hours[i], &sum);
        v[nv].hours = count;
        v[nv++].max_hour_bytes = most;
        i = j;
    }
    free(hours);
    qsort(v, nv, sizeof *v, cmp_violation);
    *n = nv;
    if (!nv) {
        free(v);
        return NULL;
    }
    return v;
}

const char *dt_policy_violation_subject(const dt_policy_violation *v, char *buf, size_t len)
{
    const char *f[] = {v->recipient, v->domain, v->country, v->transfer};
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        int w = f[i] ? snprintf(buf + o, len - o, "%s%s", o ? " / " : "", f[i]) : 0;
        if (w > 0 && (size_t)w < len - o)
            o += (size_t)w;
    }
    return o                                       ? buf
           : v->rule == DT_POLICY_allow_countries  ? "no country"
           : v->rule == DT_POLICY_allow_recipients ? "no recipient"
                                                   : "unknown";
}

void dt_policy_violations_free(dt_policy_violation *v)
{
    free(v);
}

static void time_or_null(dt_fw *f, int have, uint64_t ns, int digits)
{
    char buf[64];
    if (have)
        dt_fw_str(f, dt_format_time(ns, digits, buf, sizeof buf));
    else
        dt_fw_null(f);
}

int dt_policy_write_json(const dt_policy_state *s, dt_fw *f)
{
    size_t n = 0;
    int oom = 0;
    dt_policy_violation *v = dt_policy_violations(s, &n, &oom);
    dt_fw_arr_begin(f);
    for (size_t i = 0; i < n; i++) {
        const dt_policy_violation *x = &v[i];
        int hourly = x->rule == DT_POLICY_max_bytes_per_hour;
        dt_fw_obj_begin(f);
        DT_FW_KEY(f, "rule");
        dt_fw_str(f, dt_policy_rule_name(x->rule));
        const char *keys[] = {"recipient", "domain", "country", "transfer"};
        const char *vals[] = {x->recipient, x->domain, x->country, x->transfer};
        for (int k = 0; k < 4; k++) {
            dt_fw_key(f, keys[k]);
            dt_fw_str_or_null(f, vals[k]);
        }
        DT_FW_KEY(f, "bytes");
        dt_fw_u64(f, x->bytes);
        DT_FW_KEY(f, "flows");
        dt_fw_u64(f, x->flows);
        DT_FW_KEY(f, "first_seen");
        time_or_null(f, x->have_time, x->first_ns, x->ts_digits);
        DT_FW_KEY(f, "last_seen");
        time_or_null(f, x->have_time, x->last_ns, x->ts_digits);
        DT_FW_KEY(f, "example_flows");
        dt_fw_arr_begin(f);
        for (int k = 0; k < x->n_examples; k++)
            dt_fw_u64(f, x->examples[k]);
        dt_fw_arr_end(f);
        DT_FW_KEY(f, "hours");
        if (hourly)
            dt_fw_u64(f, x->hours);
        else
            dt_fw_null(f);
        DT_FW_KEY(f, "max_hour_bytes");
        if (hourly)
            dt_fw_u64(f, x->max_hour_bytes);
        else
            dt_fw_null(f);
        dt_fw_obj_end(f);
    }
    dt_fw_arr_end(f);
    dt_policy_violations_free(v);
    return oom ? -1 : 0;
}
