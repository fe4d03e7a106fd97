#include "run/engine.h"
#include "util/netconst.h"

#include "proto/apps.h"
#include "run/local.h"
#include "capture/capture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Idle flows are looked for at most once per second of capture time. */
#define EXPIRE_EVERY_NS 1000000000ull

void dt_engine_config_default(dt_engine_config *c)
{
    memset(c, 0, sizeof *c);
    dt_decode_limits_default(&c->decode);
    dt_flow_limits_default(&c->flows);
    c->pii_bytes = DT_PII_BYTES_DEFAULT;
}

static dt_pii *pii_of(const dt_engine_config *c, char *err, size_t errlen)
{
    return dt_pii_new(c->identifiers, c->n_identifiers, c->pii_bytes, c->pii_show_values, err,
                      errlen);
}

int dt_engine_config_check(const dt_engine_config *c, char *err, size_t errlen)
{
    dt_pii *d = pii_of(c, err, errlen);
    dt_pii_free(d);
    return d ? 0 : -1;
}

struct dt_engine {
    const dt_engine_config *cfg;
    dt_input_info info;
    dt_flow_sink sink;
    void *ctx;
    dt_decoder *dec;
    dt_flow_table *flows;
    dt_apps *apps;
    dt_pii *pii;     /* the personal data detector's settings */
    dt_local *local; /* which addresses are the devices' */
    uint32_t input_index;
    uint64_t now, last_expire; /* capture time: never runs backwards */
};

static void on_flow_end(void *ctx, dt_flow *f)
{
    dt_engine *r = ctx;
    /* Addresses learned later (a device's public /64) count for flows seen earlier
     * (the ranges were checked when the flow began). */
    for (int i = 0; i < 2; i++)
        if (!f->side[i].local)
            f->side[i].local = (uint8_t)dt_local_is_learned(r->local, &f->side[i].ip);
    dt_apps_flow_end(r->apps, f);
    r->info.flows++;
    if (f->proto == DT_IPPROTO_TCP) {
        r->info.tcp_flows++;
        r->info.tcp_gaps += dt_tcp_dir_gaps(&f->tcp[0]) + dt_tcp_dir_gaps(&f->tcp[1]);
    } else {
        r->info.udp_flows++;
    }
    if (f->end_reason == DT_END_EVICTED)
        r->info.flows_evicted++;
    if (r->sink)
        r->sink(r->ctx, &r->info, f);
    dt_apps_flow_free(f);
}

static void note_linktype(dt_input_info *in, int linktype)
{
    for (int i = 0; i < in->n_links; i++) {
        if (in->links[i].linktype == linktype) {
            in->links[i].packets++;
            return;
        }
    }
    if (in->n_links == DT_MAX_LINKTYPES) /* more kinds than any real capture: lump into the last */
        return;
    dt_linktype_count *l = &in->links[in->n_links++];
    l->linktype = linktype;
    l->packets = 1;
    l->supported = (uint8_t)dt_linktype_supported(linktype);
}

/* Records an error in in; returns it (NULL past DT_MAX_INPUT_ERRORS). */
static const dt_input_error *add_error(dt_input_info *in, uint64_t packet, uint64_t offset,
                                       const char *msg)
{
    in->errors_total++;
    if (in->n_errors == DT_MAX_INPUT_ERRORS)
        return NULL;
    dt_input_error *e = &in->errors[in->n_errors++];
    e->packet = packet;
    e->offset = offset;
    snprintf(e->message, sizeof e->message, "%s", msg);
    return e;
}

/* An error of an input read without an engine (it could not be opened). */
static void add_error_report(const dt_engine_config *cfg, void *ctx, dt_input_info *in,
                             uint64_t packet, uint64_t offset, const char *msg)
{
    const dt_input_error *e = add_error(in, packet, offset, msg);
    if (e && cfg->on_error)
        cfg->on_error(ctx, in, e);
}

static void on_transport(dt_engine *r, const dt_decoded *p, uint64_t ts, uint64_t now)
{
    dt_role_hint hint = DT_HINT_NONE;
    if (p->proto == DT_IPPROTO_TCP && (p->tcp_flags & DT_TCP_SYN))
        hint = (p->tcp_flags & DT_TCP_ACK) ? DT_HINT_SERVER : DT_HINT_CLIENT;
    int dir;
    dt_flow *f =
        dt_flow_lookup(r->flows, p->proto, &p->src, p->sport, &p->dst, p->dport, ts, hint, &dir);
    if (!f)
        return; /* out of memory: the packet is counted in the input, not in a flow */
    if (f->side[0].packets + f->side[1].packets == 0) {
        f->input = r->input_index;
        f->tunnel = p->tunnel;
        f->ts_digits = r->info.ts_digits;
        f->side[0].local = (uint8_t)dt_local_is(r->local, &f->side[0].ip);
        f->side[1].local = (uint8_t)dt_local_is(r->local, &f->side[1].ip);
    }
    dt_flow_side *s = &f->side[dir];
    if (s->packets == 0)
        dt_local_learn(r->local, p, s->local);
    if (p->have_mac && !s->have_mac) {
        memcpy(s->mac, p->src_mac, 6);
        s->have_mac = 1;
    }
    if (p->proc_kind && !f->proc_kind) {
        size_t n =
            p->proc_name_len < DT_FLOW_PROC_NAME_MAX ? p->proc_name_len : DT_FLOW_PROC_NAME_MAX;
        for (size_t i = 0; i < n; i++) /* printable ASCII, as other names from packets */
            f->proc_name[i] =
                p->proc_name[i] >= 0x20 && p->proc_name[i] < 0x7f ? p->proc_name[i] : '?';
        f->proc_name[n] = '\0';
        f->proc_kind = p->proc_kind;
        f->proc_id = p->proc_id;
    }
    s->packets++;
    s->bytes += p->ip_bytes;
    s->payload += p->payload_wire;
    dt_flow_touch(r->flows, f, ts, now);

    if (p->proto == DT_IPPROTO_TCP) {
        if (p->tcp_flags & DT_TCP_SYN) {
            if (p->tcp_flags & DT_TCP_ACK)
                f->synack = 1;
            else
                f->syn = 1;
        }
        if (p->tcp_flags & DT_TCP_FIN)
            f->fin = 1;
        if (p->tcp_flags & DT_TCP_RST)
            f->rst = 1;
        dt_tcp_dir *d = &f->tcp[dir];
        int grew = dt_tcp_dir_segment(d, p->seq, p->tcp_flags, p->payload, p->payload_len);
        if (grew > 0)
            dt_apps_on_stream(r->apps, f, dir);
        /* closed by a RST, or by the FIN that completes both directions (the other
         * direction's state is not read for every packet) */
        if ((p->tcp_flags & DT_TCP_RST) ||
            ((p->tcp_flags & DT_TCP_FIN) && f->tcp[0].fin_seen && f->tcp[1].fin_seen))
            dt_flow_mark_closed(r->flows, f);
    } else if (p->proto == DT_IPPROTO_UDP) {
        dt_apps_on_datagram(r->apps, f, dir, p->payload, p->payload_len, ts);
    }
}

dt_engine *dt_engine_new(const dt_engine_config *cfg, dt_flow_sink sink, void *ctx)
{
    dt_engine *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->cfg = cfg;
    e->sink = sink;
    e->ctx = ctx;
    e->info.opened = 1;
    e->dec = dt_decoder_new(&cfg->decode);
    e->apps = dt_apps_new(cfg->keep_streams);
    char err[160];
    e->pii = cfg->pii_bytes ? pii_of(cfg, err, sizeof err) : NULL;
    if (e->apps)
        dt_apps_set_pii(e->apps, e->pii);
    if (e->apps && cfg->dns_sink)
        dt_apps_on_dns(e->apps, cfg->dns_sink, ctx);
    if (e->apps && (size_t)cfg->flows.max_flows * DT_APPS_STATE_PER_FLOW > DT_APPS_STATE_MAX)
        dt_apps_set_state_limit(e->apps, (size_t)cfg->flows.max_flows * DT_APPS_STATE_PER_FLOW);
    e->flows = dt_flow_table_new(&cfg->flows, on_flow_end, e);
    e->local = dt_local_new(cfg);
    if (!e->dec || !e->apps || !e->flows || !e->local || (cfg->pii_bytes && !e->pii)) {
        dt_engine_free(e);
        return NULL;
    }
    return e;
}

void dt_engine_set_input(dt_engine *e, uint32_t index, const char *path, const char *format)
{
    e->input_index = index;
    e->info.path = path;
    snprintf(e->info.format, sizeof e->info.format, "%s", format ? format : "");
}

void dt_engine_set_ts_digits(dt_engine *e, int digits)
{
    if (digits > e->info.ts_digits)
        e->info.ts_digits = (uint8_t)digits;
}

void dt_engine_feed(dt_engine *e, int linktype, uint64_t ts_ns, const uint8_t *data,
                    uint32_t caplen, uint32_t wirelen)
{
    dt_input_info *info = &e->info;
    info->packets++;
    info->bytes += caplen;
    info->wire_bytes += dt_wirelen_plausible(caplen, wirelen) && wirelen ? wirelen : caplen;
    if (info->packets == 1 || ts_ns < info->first_ns)
        info->first_ns = ts_ns;
    if (ts_ns > info->last_ns)
        info->last_ns = ts_ns;
    /* Capture time never runs backwards for timeouts, even if packets do. */
    if (ts_ns > e->now)
        e->now = ts_ns;
    note_linktype(info, linktype);

    dt_decoded p;
    dt_decode_result res = dt_decode(e->dec, linktype, ts_ns, data, caplen, wirelen, &p);
    if (res == DT_DEC_OK && (p.proto == DT_IPPROTO_TCP || p.proto == DT_IPPROTO_UDP))
        on_transport(e, &p, ts_ns, e->now);

    if (e->now - e->last_expire >= EXPIRE_EVERY_NS) {
        dt_flow_expire(e->flows, e->now);
        e->last_expire = e->now;
    }
    if (dt_flow_live(e->flows) > info->peak_live_flows)
        info->peak_live_flows = dt_flow_live(e->flows);
}

void dt_engine_add_error(dt_engine *e, uint64_t packet, uint64_t offset, const char *msg)
{
    add_error_report(e->cfg, e->ctx, &e->info, packet, offset, msg);
}

dt_status dt_engine_finish(dt_engine *e)
{
    dt_input_info *info = &e->info;
    dt_flow_flush(e->flows);
    info->reassembly_peak_bytes = dt_flow_budget(e->flows)->peak;
    info->reassembly_refused = dt_flow_budget(e->flows)->refused;
    info->parser_state_refused = dt_apps_state_refused(e->apps);
    dt_decoder_finish(e->dec);
    info->decode = *dt_decoder_stats(e->dec);
    return info->n_errors ? DT_PARTIAL : DT_OK;
}

const dt_input_info *dt_engine_info(const dt_engine *e)
{
    return &e->info;
}

void dt_engine_free(dt_engine *e)
{
    if (!e)
        return;
    dt_flow_table_free(e->flows);
    dt_apps_free(e->apps);
    dt_pii_free(e->pii);
    dt_local_free(e->local);
    dt_decoder_free(e->dec);
    free(e);
}

dt_status dt_engine_run(const dt_engine_config *cfg, const char *path, uint32_t input_index,
                        dt_flow_sink sink, void *ctx, dt_input_info *info,
                        void (*progress)(void *pctx, uint64_t bytes), void *pctx)
{
    memset(info, 0, sizeof *info);
    info->path = path;
    char err[256];
    dt_capture *cap = dt_capture_open(path, err, sizeof err);
    if (!cap) {
        add_error_report(cfg, ctx, info, 0, 0, err);
        return DT_UNREADABLE;
    }
    info->opened = 1;
    snprintf(info->format, sizeof info->format, "%s", dt_capture_format(cap));
    dt_engine *e = dt_engine_new(cfg, sink, ctx);
    if (!e) {
        add_error_report(cfg, ctx, info, 0, 0, "out of memory");
        dt_capture_close(cap);
        return DT_UNREADABLE;
    }
    dt_engine_set_input(e, input_index, path, dt_capture_format(cap));

    uint64_t last_progress = 0;
    dt_cap_packet pkt;
    int rc;
    while ((rc = dt_capture_next(cap, &pkt)) == 1) {
        if (pkt.ts_digits > e->info.ts_digits)
            dt_engine_set_ts_digits(e, pkt.ts_digits);
        dt_engine_feed(e, pkt.linktype, pkt.ts_ns, pkt.data, pkt.caplen, pkt.wirelen);
        if (progress && dt_capture_bytes_read(cap) - last_progress >= (1u << 20)) {
            last_progress = dt_capture_bytes_read(cap);
            progress(pctx, last_progress);
        }
    }
    if (rc < 0)
        dt_engine_add_error(e, dt_capture_packets(cap) + 1, dt_capture_error_offset(cap),
                            dt_capture_error(cap));
    if (progress)
        progress(pctx, dt_capture_bytes_read(cap));

    dt_status st = dt_engine_finish(e);
    *info = e->info;
    dt_engine_free(e);
    dt_capture_close(cap);
    return st;
}
