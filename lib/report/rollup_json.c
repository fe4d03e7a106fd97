/* The rollups' part of the report's JSON, from the rows of rollup.h. */
#include "report/rollup.h"
#include "enrich/oui.h"

#include "report/flowjson.h"

static void counts(dt_fw *f, const dt_ru_counts *c)
{
    DT_FW_KEY(f, "bytes_up");
    dt_fw_u64(f, c->up);
    DT_FW_KEY(f, "bytes_down");
    dt_fw_u64(f, c->down);
    DT_FW_KEY(f, "flows");
    dt_fw_u64(f, c->flows);
}

static void key_list(dt_fw *f, const char *key, const dt_ru_keys *k)
{
    dt_fw_key(f, key);
    dt_fw_arr_begin(f);
    for (size_t i = 0; i < k->n; i++)
        dt_fw_str(f, k->v[i].key);
    dt_fw_arr_end(f);
}

static void num_list(dt_fw *f, const char *key, const uint64_t *v, size_t n)
{
    dt_fw_key(f, key);
    dt_fw_arr_begin(f);
    for (size_t i = 0; i < n; i++)
        dt_fw_u64(f, v[i]);
    dt_fw_arr_end(f);
}

/* [{<name>: key, bytes_up}] */
static void top_list(dt_fw *f, const char *key, const char *name, const dt_ru_keys *k)
{
    dt_fw_key(f, key);
    dt_fw_arr_begin(f);
    for (size_t i = 0; i < k->n; i++) {
        dt_fw_obj_begin(f);
        dt_fw_key(f, name);
        dt_fw_str(f, k->v[i].key);
        DT_FW_KEY(f, "bytes_up");
        dt_fw_u64(f, k->v[i].bytes_up);
        dt_fw_obj_end(f);
    }
    dt_fw_arr_end(f);
}

static void mask_list(dt_fw *f, const char *key, unsigned mask, const char *(*name)(int))
{
    dt_fw_key(f, key);
    dt_fw_arr_begin(f);
    for (int i = 0; name(i); i++)
        if (mask & (1u << i))
            dt_fw_str(f, name(i));
    dt_fw_arr_end(f);
}

static void time_or_null(dt_fw *f, const char *key, int have, uint64_t ns, int digits)
{
    char buf[64];
    dt_fw_key(f, key);
    if (have)
        dt_fw_str(f, dt_format_time(ns, digits, buf, sizeof buf));
    else
        dt_fw_null(f);
}

static int country_row(void *ctx, const void *row)
{
    dt_fw *f = ctx;
    const dt_ru_country *c = row;
    dt_fw_obj_begin(f);
    DT_FW_KEY(f, "code");
    dt_fw_str_or_null(f, c->code);
    DT_FW_KEY(f, "name");
    dt_fw_str_or_null(f, c->name);
    DT_FW_KEY(f, "transfer");
    dt_fw_str_or_null(f, c->transfer);
    DT_FW_KEY(f, "adequacy_note");
    dt_fw_str_or_null(f, c->adequacy_note);
    counts(f, &c->c);
    DT_FW_KEY(f, "endpoints");
    dt_fw_u64(f, c->endpoints);
    top_list(f, "top_organizations", "name", &c->top_organizations);
    top_list(f, "top_domains", "domain", &c->top_domains);
    dt_fw_obj_end(f);
    return 0;
}

static int org_row(void *ctx, const void *row)
{
    dt_fw *f = ctx;
    const dt_ru_org *o = row;
    dt_fw_obj_begin(f);
    DT_FW_KEY(f, "asn");
    dt_fw_u64(f, o->asn);
    DT_FW_KEY(f, "org");
    dt_fw_str_or_null(f, o->org);
    key_list(f, "countries", &o->countries);
    counts(f, &o->c);
    DT_FW_KEY(f, "endpoints");
    dt_fw_u64(f, o->endpoints);
    dt_fw_obj_end(f);
    return 0;
}

static int company_row(void *ctx, const void *row)
{
    dt_fw *f = ctx;
    const dt_ru_company *c = row;
    dt_fw_obj_begin(f);
    DT_FW_KEY(f, "name");
    dt_fw_str(f, c->name);
    DT_FW_KEY(f, "identified");
    dt_fw_bool(f, c->identified);
    mask_list(f, "evidence", c->evidence, dt_source_name);
    DT_FW_KEY(f, "category");
    dt_fw_str_or_null(f, c->category);
    DT_FW_KEY(f, "party");
    dt_fw_str_or_null(f, c->party);
    key_list(f, "countries", &c->countries);
    counts(f, &c->c);
    key_list(f, "domains", &c->domains);
    dt_fw_obj_end(f);
    return 0;
}

static int host_row(void *ctx, const void *row)
{
    dt_fw *f = ctx;
    const dt_ru_host *h = row;
    dt_fw_obj_begin(f);
    DT_FW_KEY(f, "name");
    dt_fw_str(f, h->name);
    DT_FW_KEY(f, "category");
    dt_fw_str_or_null(f, h->category);
    num_list(f, "asns", h->asns, h->n_asns);
    key_list(f, "countries", &h->countries);
    counts(f, &h->c);
    key_list(f, "recipients", &h->recipients);
    dt_fw_obj_end(f);
    return 0;
}

static int domain_row(void *ctx, const void *row)
{
    dt_fw *f = ctx;
    const dt_ru_domain *d = row;
    dt_fw_obj_begin(f);
    DT_FW_KEY(f, "domain");
    dt_fw_str(f, d->domain);
    DT_FW_KEY(f, "names");
    dt_fw_arr_begin(f);
    for (size_t i = 0; i < d->names.n; i++) {
        dt_fw_obj_begin(f);
        DT_FW_KEY(f, "name");
        dt_fw_str(f, d->names.v[i].key);
        mask_list(f, "seen_in", d->names.v[i].mask, dt_seen_name);
        dt_fw_obj_end(f);
    }
    dt_fw_arr_end(f);
    DT_FW_KEY(f, "recipient");
    dt_fw_str_or_null(f, d->recipient);
    key_list(f, "countries", &d->countries);
    counts(f, &d->c);
    dt_fw_obj_end(f);
    return 0;
}

static void num_or_null(dt_fw *f, const char *key, int have, double v)
{
    dt_fw_key(f, key);
    if (have)
        dt_fw_num(f, v);
    else
        dt_fw_null(f);
}

static int endpoint_row(void *ctx, const void *row)
{
    dt_fw *f = ctx;
    const dt_ru_endpoint *e = row;
    dt_fw_obj_begin(f);
    DT_FW_KEY(f, "ip");
    dt_fw_str(f, e->ip);
    key_list(f, "names", &e->names);
    num_list(f, "ports", e->ports, e->n_ports);
    DT_FW_KEY(f, "country");
    dt_fw_str_or_null(f, e->country);
    DT_FW_KEY(f, "registered_country");
    dt_fw_str_or_null(f, e->registered_country);
    DT_FW_KEY(f, "asn");
    if (e->have_asn)
        dt_fw_u64(f, e->asn);
    else
        dt_fw_null(f);
    DT_FW_KEY(f, "org");
    dt_fw_str_or_null(f, e->org);
    DT_FW_KEY(f, "recipient");
    dt_fw_str_or_null(f, e->recipient);
    DT_FW_KEY(f, "party");
    dt_fw_str_or_null(f, e->party);
    DT_FW_KEY(f, "host");
    dt_fw_str_or_null(f, e->host);
    DT_FW_KEY(f, "transfer");
    dt_fw_str_or_null(f, e->transfer);
    counts(f, &e->c);
    time_or_null(f, "first_seen", e->have_time, e->first_ns, e->ts_digits);
    time_or_null(f, "last_seen", e->have_time, e->last_ns, e->ts_digits);
    DT_FW_KEY(f, "rhythm");
    dt_fw_obj_begin(f);
    DT_FW_KEY(f, "connections");
    dt_fw_u64(f, e->rhythm.connections);
    int h = e->rhythm.have_intervals;
    num_or_null(f, "interval_median_s", h, e->rhythm.median_s);
    num_or_null(f, "interval_mad_s", h, e->rhythm.mad_s);
    num_or_null(f, "interval_min_s", h, e->rhythm.min_s);
    num_or_null(f, "interval_max_s", h, e->rhythm.max_s);
    dt_fw_obj_end(f);
    dt_fw_obj_end(f);
    return 0;
}

static int plain_row(void *ctx, const void *row)
{
    dt_fw *f = ctx;
    const dt_ru_plain *p = row;
    dt_fw_obj_begin(f);
    DT_FW_KEY(f, "destination");
    dt_fw_str(f, p->destination);
    DT_FW_KEY(f, "port");
    dt_fw_u64(f, (uint64_t)p->port);
    DT_FW_KEY(f, "app");
    dt_fw_str(f, p->app);
    counts(f, &p->c);
    dt_fw_obj_end(f);
    return 0;
}

static int device_row(void *ctx, const void *row)
{
    dt_fw *f = ctx;
    const dt_ru_device *d = row;
    dt_fw_obj_begin(f);
    DT_FW_KEY(f, "device");
    dt_fw_str(f, d->device);
    DT_FW_KEY(f, "mac");
    dt_fw_str_or_null(f, d->mac);
    DT_FW_KEY(f, "vendor");
    dt_fw_str_or_null(f, d->mac ? dt_oui_vendor(d->mac) : NULL);
    key_list(f, "addresses", &d->addresses);
    counts(f, &d->c);
    DT_FW_KEY(f, "local_flows");
    dt_fw_u64(f, d->local_flows);
    key_list(f, "recipients", &d->recipients);
    key_list(f, "countries", &d->countries);
    if (d->names.n) /* from DHCP: absent without */
        key_list(f, "names", &d->names);
    if (d->vendor_classes.n)
        key_list(f, "vendor_classes", &d->vendor_classes);
    dt_fw_obj_end(f);
    return 0;
}

static int process_row(void *ctx, const void *row)
{
    dt_fw *f = ctx;
    const dt_ru_process *p = row;
    dt_fw_obj_begin(f);
    DT_FW_KEY(f, "name");
    dt_fw_str_or_null(f, p->name);
    num_list(f, "pids", p->pids, p->n_pids);
    num_list(f, "uids", p->uids, p->n_uids);
    counts(f, &p->c);
    key_list(f, "countries", &p->countries);
    dt_fw_obj_end(f);
    return 0;
}

int dt_rollup_write_table(const dt_rollup *r, dt_ru_table t, dt_fw *f)
{
    static const dt_ru_fn fns[] = {country_row,  org_row,   company_row, host_row,   domain_row,
                                   endpoint_row, plain_row, device_row,  process_row};
    dt_fw_arr_begin(f);
    int rc = dt_rollup_each(r, t, 0, fns[t], f);
    dt_fw_arr_end(f);
    return rc;
}

static void flows_bytes(dt_fw *f, const dt_ru_counts *c)
{
    dt_fw_obj_begin(f);
    DT_FW_KEY(f, "flows");
    dt_fw_u64(f, c->flows);
    DT_FW_KEY(f, "bytes_up");
    dt_fw_u64(f, c->up);
    DT_FW_KEY(f, "bytes_down");
    dt_fw_u64(f, c->down);
    dt_fw_obj_end(f);
}

void dt_rollup_write_transfers(const dt_rollup *r, dt_fw *f)
{
    dt_ru_totals t;
    dt_rollup_totals(r, &t);
    dt_fw_obj_begin(f);
    for (int i = 0; i < DT_RU_TR_COUNT; i++) {
        dt_fw_key(f, dt_ru_transfer_name((dt_ru_transfer)i));
        flows_bytes(f, &t.transfers[i]);
    }
    dt_fw_obj_end(f);
}

int dt_rollup_write_summary(const dt_rollup *r, dt_fw *f)
{
    dt_ru_totals t;
    dt_rollup_totals(r, &t);
    const struct {
        const char *key;
        uint64_t v;
    } n[] = {{"bytes_up", t.bytes_up},         {"bytes_down", t.bytes_down},
             {"local_flows", t.local_flows},   {"remote_addresses", t.remote_addresses},
             {"remote_names", t.remote_names}, {"domains", t.domains},
             {"countries", t.countries},       {"organizations", t.organizations},
             {"companies", t.companies},       {"hosting_networks", t.hosting_networks}};
    for (size_t i = 0; i < sizeof n / sizeof n[0]; i++) {
        dt_fw_key(f, n[i].key);
        dt_fw_u64(f, n[i].v);
    }
    DT_FW_KEY(f, "recipients_identified");
    dt_fw_obj_begin(f);
    DT_FW_KEY(f, "named_flows");
    dt_fw_u64(f, t.named.flows);
    DT_FW_KEY(f, "flows");
    dt_fw_u64(f, t.identified.flows);
    DT_FW_KEY(f, "named_bytes_up");
    dt_fw_u64(f, t.named.up);
    DT_FW_KEY(f, "bytes_up");
    dt_fw_u64(f, t.identified.up);
    dt_fw_obj_end(f);
    DT_FW_KEY(f, "direction_unknown");
    dt_fw_obj_begin(f);
    DT_FW_KEY(f, "flows");
    dt_fw_u64(f, t.direction_unknown.flows);
    DT_FW_KEY(f, "bytes");
    dt_fw_u64(f, t.direction_unknown.up + t.direction_unknown.down);
    dt_fw_obj_end(f);
    DT_FW_KEY(f, "country_disagreements");
    dt_fw_obj_begin(f);
    DT_FW_KEY(f, "flows");
    dt_fw_u64(f, t.disagreements.flows);
    DT_FW_KEY(f, "endpoints");
    dt_fw_u64(f, t.disagreeing_endpoints);
    DT_FW_KEY(f, "bytes_up");
    dt_fw_u64(f, t.disagreements.up);
    DT_FW_KEY(f, "bytes_down");
    dt_fw_u64(f, t.disagreements.down);
    dt_fw_obj_end(f);
    DT_FW_KEY(f, "parties");
    dt_fw_obj_begin(f);
    for (int k = 0; k < DT_RU_PARTY_COUNT; k++) {
        dt_fw_key(f, dt_ru_party_name((dt_ru_party)k));
        dt_fw_obj_begin(f);
        DT_FW_KEY(f, "recipients");
        dt_fw_u64(f, t.party_recipients[k]);
        DT_FW_KEY(f, "flows");
        dt_fw_u64(f, t.parties[k].flows);
        DT_FW_KEY(f, "bytes_up");
        dt_fw_u64(f, t.parties[k].up);
        DT_FW_KEY(f, "bytes_down");
        dt_fw_u64(f, t.parties[k].down);
        dt_fw_obj_end(f);
    }
    dt_fw_obj_end(f);
    DT_FW_KEY(f, "encryption");
    dt_fw_obj_begin(f);
    for (int k = 0; k < DT_CRYPTO_COUNT; k++) {
        dt_fw_key(f, dt_crypto_name((dt_crypto)k));
        flows_bytes(f, &t.encryption[k]);
    }
    dt_fw_obj_end(f);
    DT_FW_KEY(f, "plaintext_destinations");
    int rc = dt_rollup_write_table(r, DT_RU_PLAIN, f);
    DT_FW_KEY(f, "rollup_entries_dropped");
    dt_fw_u64(f, t.rollup_entries_dropped);
    return rc;
}
