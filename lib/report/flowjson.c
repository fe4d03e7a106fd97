#include "report/flowjson.h"
#include "util/tlocal.h"

#include "decode/decode.h"
#include "proto/apps.h"
#include "report/personal.h"
#include "util/clock.h"
#include "util/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- the flow object, written directly (no cJSON tree per flow) ---- */

/* A local side's Ethernet address as text ("0a:a1:b2:c3:d4:e5"), or NULL: a remote
 * side's is its gateway's, which names no device. */
static const char *device_mac(const dt_flow_side *s, char *buf, size_t len)
{
    return s->local && s->have_mac && len >= DT_MAC_STRLEN ? dt_mac_str(s->mac, buf, len) : NULL;
}

/* The members of a side at o (at most SIDE_MAX bytes); ip its address's
 * text, mac its MAC's or NULL. */
#define SIDE_MAX 320
static char *side_put(char *o, const dt_flow_side *s, const char *ip, const char *mac)
{
    o = DT_JW_LIT(o, "\"ip\":\"");
    size_t n = strlen(ip);
    memcpy(o, ip, n);
    o += n;
    o = DT_JW_LIT(o, "\",\"port\":");
    o = dt_jw_put_u64(o, s->port);
    o = s->local ? DT_JW_LIT(o, ",\"local\":true") : DT_JW_LIT(o, ",\"local\":false");
    if (mac) {
        o = DT_JW_LIT(o, ",\"mac\":\"");
        memcpy(o, mac, DT_MAC_STRLEN - 1);
        o += DT_MAC_STRLEN - 1;
        *o++ = '"';
    } else {
        o = DT_JW_LIT(o, ",\"mac\":null");
    }
    o = DT_JW_LIT(o, ",\"packets\":");
    o = dt_jw_put_u64(o, s->packets);
    o = DT_JW_LIT(o, ",\"bytes\":");
    o = dt_jw_put_u64(o, s->bytes);
    o = DT_JW_LIT(o, ",\"payload\":");
    return dt_jw_put_u64(o, s->payload);
}

/* The parsers' results a flow object shows (NULL: none, or nothing found);
 * dt_flow_rollup_fields reads the same. */
static const dt_tls_client *tls_client(const dt_flow_app *x)
{
    return dt_app_tls_client(x);
}

static const dt_flow_tls_server *tls_server(const dt_flow_app *x)
{
    return dt_app_tls_server(x);
}

static const dt_quic_info *quic_result(const dt_flow_app *x)
{
    return dt_app_quic(x);
}

static const dt_http_info *http_result(const dt_flow_app *x)
{
    return dt_app_http(x);
}

/* Each parser's value ("tls", "quic", "http", "dns", ...), in table order.
 * Inline: results-only parsers (most of the calls) skip, and a call saves
 * six registers. */
static inline void parser_write(dt_jw *w, const dt_flow_app *x, int id)
{
    const dt_parser *p = dt_parser_get(id);
    if ((p->flags & DT_PF_JSON_IF_RESULT) && (!x || !x->result[dt_parser_slot(id)]))
        return;
    /* the key, and after it a null that stands when the parser writes no
     * value (most flows have one parser's value at most): one room check */
    char *o = dt_jw_direct(w, p->json_key_len + 4);
    if (!o)
        return;
    memcpy(o, p->json_key, p->json_key_len);
    o += p->json_key_len;
    dt_jw_direct_end(w, o, 0);
    memcpy(o, "null", 5);
    if (!x || !p->json(w, x))
        dt_jw_direct_end(w, o + 4, 1);
}

static void parsers_write(dt_jw *w, const dt_flow_app *x)
{
    /* the built-in parsers with a key, found once per thread (they do not
     * change): most parsers have none, and this runs per flow */
    static _Thread_local struct {
        int n;
        uint8_t id[DT_PARSER_BUILTIN];
    } keyed = {-1, {0}};
    if (keyed.n < 0) {
        keyed.n = 0;
        for (int id = 0; id < DT_PARSER_BUILTIN; id++)
            if (dt_parser_get(id)->json_key)
                keyed.id[keyed.n++] = (uint8_t)id;
    }
    for (int k = 0; k < keyed.n; k++)
        parser_write(w, x, keyed.id[k]);
    for (int id = DT_PARSER_BUILTIN, n = dt_parser_count(); id < n; id++)
        if (dt_parser_get(id)->json_key)
            parser_write(w, x, id);
}

/* "findings": personal data found in the flow's plaintext, only when any. */
static void findings_write(dt_jw *w, const dt_pii_findings *p)
{
    if (!p || (!p->n && !p->dropped && !p->inflate_bounded))
        return;
    DT_JW_KEY(w, "findings");
    dt_jw_arr_begin(w);
    for (int i = 0; i < p->n; i++) {
        const dt_pii_finding *e = &p->f[i];
        dt_jw_obj_begin(w);
        DT_JW_KEY(w, "kind");
        dt_jw_str(w, dt_pii_kind_str(e->kind));
        DT_JW_KEY(w, "where");
        dt_jw_str(w, dt_pii_where_str(e->where));
        DT_JW_KEY_STR_OR_NULL(w, "name", e->name);
        DT_JW_KEY(w, "from");
        dt_jw_str(w, e->dir == DT_CLIENT ? "client" : "server");
        DT_JW_KEY(w, "offset");
        dt_jw_u64(w, e->offset);
        DT_JW_KEY(w, "encoding");
        dt_jw_str(w, dt_pii_encoding_str(e->encoding));
        DT_JW_KEY(w, "sample");
        dt_jw_str(w, e->sample);
        dt_jw_obj_end(w);
    }
    dt_jw_arr_end(w);
    if (p->dropped) {
        DT_JW_KEY(w, "findings_dropped");
        dt_jw_u64(w, p->dropped);
    }
    if (p->inflate_bounded) {
        DT_JW_KEY(w, "findings_inflate_bounded");
        dt_jw_u64(w, p->inflate_bounded);
    }
}

static const char *const end_names[] = {"idle", "closed", "evicted", "eof", "reused"};

/* What the flow's process id is ("pid", "uid"), or NULL when no process is known. */
static const char *proc_id_kind(const dt_flow *f)
{
    return f->proc_kind == DT_PROC_PID ? "pid" : f->proc_kind == DT_PROC_UID ? "uid" : NULL;
}

/* "process": {"name", "pid" or "uid"}, only when the capture named the local process. */
static void process_write(dt_jw *w, const dt_flow *f)
{
    const char *kind = proc_id_kind(f);
    if (!kind)
        return;
    DT_JW_KEY(w, "process");
    dt_jw_obj_begin(w);
    DT_JW_KEY_STR_OR_NULL(w, "name", f->proc_name);
    dt_jw_key(w, kind);
    dt_jw_num(w, f->proc_id);
    dt_jw_obj_end(w);
}

/* server.recipient / server.host: an object, or null when nothing was found. */
static void attribution_write(dt_jw *w, const dt_attribution *a, int recipient, const char *vendor)
{
    if (!a->name[0]) {
        dt_jw_null(w);
        return;
    }
    const char *category = a->entity ? a->entity->category : NULL;
    dt_jw_obj_begin(w);
    DT_JW_KEY(w, "name");
    dt_jw_str(w, a->name);
    if (recipient) {
        DT_JW_KEY(w, "identified");
        dt_jw_bool(w, a->identified);
    }
    DT_JW_KEY(w, "evidence");
    dt_jw_str(w, a->evidence);
    DT_JW_KEY_STR_OR_NULL(w, "matched", a->matched);
    DT_JW_KEY_STR_OR_NULL(w, "category", category);
    if (recipient)
        DT_JW_KEY_STR_OR_NULL(w, "party", dt_party_of(a->name, a->identified, category, vendor));
    dt_jw_obj_end(w);
}

static void endpoint_write(dt_jw *w, const dt_endpoint_info *ep, const char *vendor)
{
    DT_JW_KEY_STR_OR_NULL(w, "country", ep->geo.country);
    DT_JW_KEY_STR_OR_NULL(w, "registered_country", ep->geo.registered_country);
    DT_JW_KEY(w, "asn");
    if (ep->geo.asn)
        dt_jw_u64(w, ep->geo.asn);
    else
        dt_jw_null(w);
    DT_JW_KEY_STR_OR_NULL(w, "org", ep->geo.org);
    DT_JW_KEY_STR_OR_NULL(w, "class", ep->geo.class);
    DT_JW_KEY_STR_OR_NULL(w, "domain", ep->domain);
    DT_JW_KEY(w, "recipient");
    attribution_write(w, &ep->recipient, 1, vendor);
    DT_JW_KEY(w, "host");
    attribution_write(w, &ep->host, 0, NULL);
    DT_JW_KEY(w, "transfer");
    dt_jw_str(w, dt_transfer_str(ep->transfer));
}

/* The server's enrichment as JSON, kept per filling of the enricher's cache
 * slot (its serial) and vendor: most flows go to servers met before, and this
 * is a third of a flow line.  Per thread (as enrichers are), by slot: an entry
 * is allocated when its slot is first met, so a capture holds only as many as
 * it has endpoints. */
typedef struct ep_memo {
    uint64_t serial;
    uint16_t len;
    char vendor[64];
    char text[768]; /* after the ',' that opens it */
} ep_memo;

static void ep_memo_free(void *p)
{
    ep_memo **tab = p;
    for (size_t i = 0; i < DT_ENDPOINT_SLOTS; i++)
        free(tab[i]);
    free(tab);
}
static dt_tlocal ep_memo_slot = DT_TLOCAL_INIT(ep_memo_free);

static void endpoint_write_memo(dt_jw *w, const dt_endpoint_info *ep, const char *vendor)
{
    const char *v = vendor ? vendor : "";
    size_t vl = strlen(v);
    /* this thread's table, kept at hand: finding it is a call per flow */
    static _Thread_local ep_memo **thread_tab;
    if (!thread_tab)
        thread_tab = dt_tlocal_get(&ep_memo_slot, DT_ENDPOINT_SLOTS * sizeof *thread_tab);
    ep_memo **tab =
        ep->serial && ep->slot < DT_ENDPOINT_SLOTS && w->sep && vl < sizeof thread_tab[0]->vendor
            ? thread_tab
            : NULL;
    ep_memo *m = tab ? tab[ep->slot] : NULL;
    if (m && m->serial == ep->serial && memcmp(m->vendor, v, vl + 1) == 0) {
        dt_jw_raw(w, m->text, m->len, 1);
        return;
    }
    size_t start = w->len;
    endpoint_write(w, ep, vendor);
    if (tab && !m)
        m = tab[ep->slot] = malloc(sizeof *m);
    if (m && !w->oom && w->len > start && w->buf[start] == ',' &&
        w->len - start - 1 <= sizeof m->text) {
        m->serial = ep->serial;
        m->len = (uint16_t)(w->len - start - 1);
        memcpy(m->text, w->buf + start + 1, m->len);
        memcpy(m->vendor, v, vl + 1);
    } else if (m) {
        m->serial = 0; /* serials start at 1 */
    }
}

/* The server object's close, "first_seen", "last_seen", "tcp" (an object,
 * or null for UDP) and "tunnel", in one reserved stretch. */
static void times_tcp_write(dt_jw *w, const dt_flow *f)
{
    w->sep = 0; /* the stretch opens with the '}' before the separator */
    char *o = dt_jw_direct(w, 320);
    if (!o)
        return;
    o = DT_JW_LIT(o, "},\"first_seen\":\"");
    o = dt_put_time(o, f->first_ns, f->ts_digits);
    o = DT_JW_LIT(o, "\",\"last_seen\":\"");
    o = dt_put_time(o, f->last_ns, f->ts_digits);
    o = DT_JW_LIT(o, "\",\"tcp\":");
    if (f->proto == 6) {
        o = f->syn ? DT_JW_LIT(o, "{\"syn\":true") : DT_JW_LIT(o, "{\"syn\":false");
        o = f->fin ? DT_JW_LIT(o, ",\"fin\":true") : DT_JW_LIT(o, ",\"fin\":false");
        o = f->rst ? DT_JW_LIT(o, ",\"rst\":true") : DT_JW_LIT(o, ",\"rst\":false");
        o = DT_JW_LIT(o, ",\"gaps\":");
        uint32_t gaps = dt_tcp_dir_gaps(&f->tcp[0]) + dt_tcp_dir_gaps(&f->tcp[1]);
        o = dt_jw_put_u64(o, gaps);
        *o++ = '}';
    } else {
        o = DT_JW_LIT(o, "null");
    }
    const char *tunnel = dt_tunnel_name((dt_tunnel)f->tunnel); /* short names of ours */
    o = DT_JW_LIT(o, ",\"tunnel\":");
    o = dt_jw_put_str_or_null(o, tunnel, tunnel ? strlen(tunnel) : 0);
    dt_jw_direct_end(w, o, 1);
}

/* From the object's opening to the server's "name_source": "proto", "app",
 * "app_by_content", "client" and the server's side, in one reserved stretch. */
static void head_write(dt_jw *w, const dt_flow *f, const dt_flow_texts *t)
{
    const dt_flow_app *x = f->app;
    const char *app = dt_app_name(x ? (dt_app)x->app : DT_APP_UNKNOWN);
    const char *name = x ? x->name : NULL;
    const char *src = x ? dt_name_source_str((dt_name_source)x->name_source) : NULL;
    size_t an = strlen(app), nn = name ? strlen(name) : 0, sn = src ? strlen(src) : 0;
    char *o = dt_jw_direct(w, 128 + 2 * SIDE_MAX + 6 * (an + nn + sn));
    if (!o)
        return;
    o = f->proto == 6 ? DT_JW_LIT(o, "{\"proto\":\"tcp\",\"app\":\"")
                      : DT_JW_LIT(o, "{\"proto\":\"udp\",\"app\":\"");
    o = dt_jw_put_escaped(o, app, an);
    o = x && x->by_content ? DT_JW_LIT(o, "\",\"app_by_content\":true,\"client\":{")
                           : DT_JW_LIT(o, "\",\"client\":{");
    o = side_put(o, &f->side[DT_CLIENT], t->ip[DT_CLIENT], t->mac[DT_CLIENT]);
    o = DT_JW_LIT(o, "},\"server\":{");
    o = side_put(o, &f->side[DT_SERVER], t->ip[DT_SERVER], t->mac[DT_SERVER]);
    o = DT_JW_LIT(o, ",\"name\":");
    o = dt_jw_put_str_or_null(o, name, nn);
    o = DT_JW_LIT(o, ",\"name_source\":");
    o = dt_jw_put_str_or_null(o, src, sn);
    dt_jw_direct_end(w, o, 1);
}

/* "input" and "end", in one reserved stretch. */
static void input_end_write(dt_jw *w, const dt_input_info *in, const dt_flow *f)
{
    const char *path = in->path ? in->path : "";
    const char *end = end_names[f->end_reason < 5 ? f->end_reason : 0];
    size_t pn = strlen(path), en = strlen(end);
    char *o = dt_jw_direct(w, 32 + 6 * (pn + en));
    if (!o)
        return;
    o = DT_JW_LIT(o, "\"input\":\"");
    o = dt_jw_put_escaped(o, path, pn);
    o = DT_JW_LIT(o, "\",\"end\":\"");
    o = dt_jw_put_escaped(o, end, en);
    *o++ = '"';
    dt_jw_direct_end(w, o, 1);
}

/* The texts of a flow's addresses and local MACs, written into ips. */
static void flow_texts(const dt_flow *f, char ips[4][DT_ADDR_STRLEN], dt_flow_texts *t)
{
    for (int i = 0; i < 2; i++) {
        t->ip[i] = dt_addr_str(&f->side[i].ip, ips[i], DT_ADDR_STRLEN);
        t->mac[i] = device_mac(&f->side[i], ips[2 + i], DT_ADDR_STRLEN);
    }
}

int dt_flow_json_write_texts(dt_jw *w, const dt_input_info *in, const dt_flow *f,
                             const dt_endpoint_info *ep, int with_streams, const char *vendor,
                             const dt_flow_texts *texts)
{
    const dt_flow_app *x = f->app;
    char ips[4][DT_ADDR_STRLEN];
    dt_flow_texts own;
    if (!texts) {
        flow_texts(f, ips, &own);
        texts = &own;
    }
    head_write(w, f, texts);
    if (ep)
        endpoint_write_memo(w, ep, vendor);
    times_tcp_write(w, f);
    process_write(w, f);
    input_end_write(w, in, f);
    parsers_write(w, x);
    if (x && x->encrypted_dns) {
        DT_JW_KEY(w, "encrypted_dns");
        dt_jw_str(w, x->encrypted_dns == 1 ? "dot" : x->encrypted_dns == 2 ? "doh" : "doq");
    }
    findings_write(w, dt_app_pii(x));
    if (with_streams && f->proto == 6) {
        DT_JW_KEY(w, "streams");
        dt_jw_obj_begin(w);
        DT_JW_KEY(w, "c2s");
        dt_jw_hex(w, x ? x->stream[0] : NULL, x ? x->stream_len[0] : 0);
        DT_JW_KEY(w, "s2c");
        dt_jw_hex(w, x ? x->stream[1] : NULL, x ? x->stream_len[1] : 0);
        dt_jw_obj_end(w);
    }
    dt_jw_obj_end(w);
    return w->oom ? -1 : 0;
}

int dt_flow_json_write(dt_jw *w, const dt_input_info *in, const dt_flow *f,
                       const dt_endpoint_info *ep, int with_streams, const char *vendor)
{
    return dt_flow_json_write_texts(w, in, f, ep, with_streams, vendor, NULL);
}

/* The cells of a flow's CSV row (DT_CSV_FLOW_COLUMNS): what the flow object
 * holds at those keys, as text (numbers in bufs). */
void dt_flow_csv_cells(const dt_input_info *in, const dt_flow *f, const dt_endpoint_info *ep,
                       char bufs[][48], const char **cells)
{
    const dt_flow_app *x = f->app;
    const dt_flow_side *c = &f->side[DT_CLIENT], *s = &f->side[DT_SERVER];
    const dt_tls_client *tc = tls_client(x);
    const dt_quic_info *q = quic_result(x);
    const dt_http_info *h = http_result(x);
    int n = 0, b = 0;
/* as the JSON number read back: through a double */
#define NUM(v) (snprintf(bufs[b], 48, "%lld", (long long)(double)(v)), bufs[b++])
    cells[n++] = dt_format_time(f->first_ns, f->ts_digits, bufs[b++], 48);
    cells[n++] = dt_format_time(f->last_ns, f->ts_digits, bufs[b++], 48);
    cells[n++] = f->proto == 6 ? "tcp" : "udp";
    cells[n++] = dt_app_name(x ? (dt_app)x->app : DT_APP_UNKNOWN);
    for (int i = 0; i < 2; i++) {
        const dt_flow_side *sd = i ? s : c;
        cells[n++] = dt_addr_str(&sd->ip, bufs[b++], 48);
        cells[n++] = NUM(sd->port);
        cells[n++] = sd->local ? "true" : "false";
    }
    cells[n++] = x ? x->name : NULL;
    cells[n++] = x ? dt_name_source_str((dt_name_source)x->name_source) : NULL;
    cells[n++] = tc ? tc->sni : NULL;
    cells[n++] = q && q->hello.present ? q->hello.sni : NULL;
    cells[n++] = h ? h->host : NULL;
    cells[n++] = !x || !x->encrypted_dns ? NULL
                 : x->encrypted_dns == 1 ? "dot"
                 : x->encrypted_dns == 2 ? "doh"
                                         : "doq";
    cells[n++] = ep ? ep->geo.country : NULL;
    cells[n++] = ep && ep->geo.asn ? NUM(ep->geo.asn) : NULL;
    cells[n++] = ep ? ep->geo.org : NULL;
    cells[n++] = ep ? ep->recipient.name : NULL;
    cells[n++] = ep ? ep->recipient.evidence : NULL;
    cells[n++] = ep ? ep->host.name : NULL;
    cells[n++] = ep ? ep->domain : NULL;
    cells[n++] = ep ? dt_transfer_str(ep->transfer) : NULL;
    cells[n++] = NUM(c->packets);
    cells[n++] = NUM(c->bytes);
    cells[n++] = NUM(s->packets);
    cells[n++] = NUM(s->bytes);
    cells[n++] = end_names[f->end_reason < 5 ? f->end_reason : 0];
    cells[n++] = in->path;
#undef NUM
}

/* ts_ns as the JSON text holds it: truncated to `digits` fractional digits */
static uint64_t time_as_written(uint64_t ts_ns, int digits)
{
    if (digits <= 0 || digits > 9)
        digits = 6;
    uint64_t unit = 1;
    for (int i = digits; i < 9; i++)
        unit *= 10;
    return ts_ns - ts_ns % unit;
}

/* Empty texts are NULL (the rollups and the others of the record read "" as
 * null, as the JSON writes it): a record without them is not copied to drop
 * them (dt_rollup_add). */
void dt_flow_rollup_fields(const dt_flow *f, const dt_endpoint_info *ep,
                           char ips[4][DT_ADDR_STRLEN], dt_rollup_flow *out)
{
    const dt_flow_app *x = f->app;
    const dt_flow_side *c = &f->side[DT_CLIENT], *s = &f->side[DT_SERVER];
    memset(out, 0, sizeof *out);
    out->client_ip = dt_addr_str(&c->ip, ips[0], DT_ADDR_STRLEN);
    out->client_port = c->port;
    out->client_local = c->local;
    out->client_bytes = c->bytes;
    out->server_ip = dt_addr_str(&s->ip, ips[1], DT_ADDR_STRLEN);
    out->server_port = s->port;
    out->server_local = s->local;
    out->server_bytes = s->bytes;
    out->client_mac = device_mac(c, ips[2], DT_ADDR_STRLEN);
    out->server_mac = device_mac(s, ips[3], DT_ADDR_STRLEN);
    out->app = dt_nonempty(dt_app_name(x ? (dt_app)x->app : DT_APP_UNKNOWN));
    if (x) {
        const dt_tls_client *tc = tls_client(x);
        const dt_quic_info *q = quic_result(x);
        const dt_http_info *h = http_result(x);
        /* as the JSON: a tls or quic object, or encrypted_dns */
        out->encrypted = x->encrypted_dns || tc || tls_server(x) || q;
        out->name = dt_nonempty(x->name);
        out->name_source = dt_name_source_str((dt_name_source)x->name_source);
        out->tls_sni = tc ? dt_nonempty(tc->sni) : NULL;
        out->quic_sni = q && q->hello.present ? dt_nonempty(q->hello.sni) : NULL;
        out->http_host = h ? dt_nonempty(h->host) : NULL;
        const dt_pii_findings *pf = dt_app_pii(x);
        for (int i = 0; pf && i < pf->n; i++)
            dt_personal_kind_add(out, dt_pii_kind_str(pf->f[i].kind));
        out->findings = pf ? (uint64_t)pf->n : 0;
        out->findings_dropped = pf ? pf->dropped : 0;
        out->findings_inflate_bounded = pf ? pf->inflate_bounded : 0;
    }
    if (ep) {
        out->country = dt_nonempty(ep->geo.country);
        out->registered_country = dt_nonempty(ep->geo.registered_country);
        out->asn = ep->geo.asn;
        out->org = dt_nonempty(ep->geo.org);
        out->domain = dt_nonempty(ep->domain);
        const dt_attribution *rc = &ep->recipient, *h = &ep->host;
        out->recipient = dt_nonempty(rc->name);
        out->recipient_evidence = dt_nonempty(rc->evidence);
        out->recipient_category = rc->entity ? dt_nonempty(rc->entity->category) : NULL;
        out->recipient_identified = rc->identified;
        out->host = dt_nonempty(h->name);
        out->host_category = h->entity ? dt_nonempty(h->entity->category) : NULL;
        out->transfer = dt_transfer_str(ep->transfer);
        if (ep->slot < DT_ENDPOINT_SLOTS) {
            out->ep_serial = ep->serial;
            out->ep_slot = ep->slot;
        }
    }
    const dt_dhcp_info *dh = dt_app_dhcp(x);
    if (dh) {
        out->dhcp_mac = dh->client_mac;
        out->dhcp_host_name = dt_nonempty(dh->host_name);
        out->dhcp_vendor_class = dt_nonempty(dh->vendor_class);
    }
    out->process_kind = proc_id_kind(f);
    if (out->process_kind) {
        out->process_name = f->proc_name;
        out->process_id = f->proc_id;
    }
    out->no_empty = 1;
    out->have_time = 1;
    out->ts_digits = f->ts_digits > 0 && f->ts_digits <= 9 ? f->ts_digits : 6;
    out->first_ns = time_as_written(f->first_ns, f->ts_digits);
    out->last_ns = time_as_written(f->last_ns, f->ts_digits);
}
