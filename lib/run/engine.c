#include "run/engine.h"

#include "proto/apps.h"
#include "capture/capture.h"

#include <stdio.h>
#include <string.h>

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_ACK 0x10

/* Idle flows are looked for at most once per second of capture time. */
#define EXPIRE_EVERY_NS 1000000000ull

void dt_engine_config_default(dt_engine_config *c)
{
    memset(c, 0, sizeof *c);
    dt_decode_limits_default(&c->decode);
    dt_flow_limits_default(&c->flows);
}

typedef struct run {
    const dt_engine_config *cfg;
    dt_input_info *info;
    dt_flow_sink sink;
    void *ctx;
    dt_flow_table *flows;
    dt_apps *apps;
    uint32_t input_index;
} run;

static int is_local(const dt_engine_config *cfg, const dt_addr *a)
{
    if (cfg->n_local == 0)
        return dt_ipclass_is_local_default(a);
    for (int i = 0; i < cfg->n_local; i++)
        if (dt_cidr_match(&cfg->local[i], a))
            return 1;
    return 0;
}

static void on_flow_end(void *ctx, dt_flow *f)
{
    run *r = ctx;
    dt_apps_flow_end(r->apps, f);
    r->info->flows++;
    if (f->proto == 6) {
        r->info->tcp_flows++;
        r->info->tcp_gaps += dt_tcp_dir_gaps(&f->tcp[0]) + dt_tcp_dir_gaps(&f->tcp[1]);
    } else {
        r->info->udp_flows++;
    }
    if (f->end_reason == DT_END_EVICTED)
        r->info->flows_evicted++;
    if (r->sink)
        r->sink(r->ctx, r->info, f);
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

static void add_error(dt_input_info *in, uint64_t packet, uint64_t offset, const char *msg)
{
    in->errors_total++;
    if (in->n_errors == DT_MAX_INPUT_ERRORS)
        return;
    dt_input_error *e = &in->errors[in->n_errors++];
    e->packet = packet;
    e->offset = offset;
    snprintf(e->message, sizeof e->message, "%s", msg);
}

static void on_transport(run *r, const dt_decoded *p, uint64_t ts, uint64_t now)
{
    dt_role_hint hint = DT_HINT_NONE;
    if (p->proto == 6 && (p->tcp_flags & TH_SYN))
        hint = (p->tcp_flags & TH_ACK) ? DT_HINT_SERVER : DT_HINT_CLIENT;
    int dir;
    dt_flow *f =
        dt_flow_lookup(r->flows, p->proto, &p->src, p->sport, &p->dst, p->dport, ts, hint, &dir);
    if (!f)
        return; /* out of memory: the packet is counted in the input, not in a flow */
    if (f->side[0].packets + f->side[1].packets == 0) {
        f->input = r->input_index;
        f->tunnel = p->tunnel;
        f->ts_digits = r->info->ts_digits;
        f->side[0].local = (uint8_t)is_local(r->cfg, &f->side[0].ip);
        f->side[1].local = (uint8_t)is_local(r->cfg, &f->side[1].ip);
    }
    dt_flow_side *s = &f->side[dir];
    s->packets++;
    s->bytes += p->ip_bytes;
    s->payload += p->payload_wire;
    dt_flow_touch(r->flows, f, ts, now);

    if (p->proto == 6) {
        if (p->tcp_flags & TH_SYN) {
            if (p->tcp_flags & TH_ACK)
                f->synack = 1;
            else
                f->syn = 1;
        }
        if (p->tcp_flags & TH_FIN)
            f->fin = 1;
        if (p->tcp_flags & TH_RST)
            f->rst = 1;
        dt_tcp_dir *d = &f->tcp[dir];
        int grew = dt_tcp_dir_segment(d, p->seq, p->tcp_flags, p->payload, p->payload_len);
        if (grew > 0)
            dt_apps_on_stream(r->apps, f, dir);
        if ((p->tcp_flags & TH_RST) || (f->tcp[0].fin_seen && f->tcp[1].fin_seen))
            dt_flow_mark_closed(r->flows, f);
    } else if (p->proto == 17) {
        dt_apps_on_datagram(r->apps, f, dir, p->payload, p->payload_len, ts);
    }
}

int dt_engine_run(const dt_engine_config *cfg, const char *path, uint32_t input_index,
                  dt_flow_sink sink, void *ctx, dt_input_info *info,
                  void (*progress)(void *pctx, uint64_t bytes), void *pctx)
{
    memset(info, 0, sizeof *info);
    info->path = path;
    char err[256];
    dt_capture *cap = dt_capture_open(path, err, sizeof err);
    if (!cap) {
        add_error(info, 0, 0, err);
        return 2;
    }
    info->opened = 1;
    snprintf(info->format, sizeof info->format, "%s", dt_capture_format(cap));

    run r = {cfg, info, sink, ctx, NULL, NULL, input_index};
    dt_decoder *dec = dt_decoder_new(&cfg->decode);
    r.apps = dt_apps_new(cfg->keep_streams);
    if (r.apps && cfg->dns_sink)
        dt_apps_on_dns(r.apps, cfg->dns_sink, ctx);
    if (r.apps && (size_t)cfg->flows.max_flows * DT_APPS_STATE_PER_FLOW > DT_APPS_STATE_MAX)
        dt_apps_set_state_limit(r.apps, (size_t)cfg->flows.max_flows * DT_APPS_STATE_PER_FLOW);
    r.flows = dt_flow_table_new(&cfg->flows, on_flow_end, &r);
    if (!dec || !r.apps || !r.flows) {
        add_error(info, 0, 0, "out of memory");
        dt_flow_table_free(r.flows);
        dt_apps_free(r.apps);
        dt_decoder_free(dec);
        dt_capture_close(cap);
        return 2;
    }

    uint64_t now = 0, last_expire = 0, last_progress = 0;
    dt_cap_packet pkt;
    int rc;
    while ((rc = dt_capture_next(cap, &pkt)) == 1) {
        info->packets++;
        info->bytes += pkt.wirelen;
        if (pkt.ts_digits > info->ts_digits)
            info->ts_digits = pkt.ts_digits;
        if (info->packets == 1 || pkt.ts_ns < info->first_ns)
            info->first_ns = pkt.ts_ns;
        if (pkt.ts_ns > info->last_ns)
            info->last_ns = pkt.ts_ns;
        /* Capture time never runs backwards for timeouts, even if packets do. */
        if (pkt.ts_ns > now)
            now = pkt.ts_ns;
        note_linktype(info, pkt.linktype);

        dt_decoded p;
        dt_decode_result res =
            dt_decode(dec, pkt.linktype, pkt.ts_ns, pkt.data, pkt.caplen, pkt.wirelen, &p);
        if (res == DT_DEC_OK && (p.proto == 6 || p.proto == 17))
            on_transport(&r, &p, pkt.ts_ns, now);

        if (now - last_expire >= EXPIRE_EVERY_NS) {
            dt_flow_expire(r.flows, now);
            last_expire = now;
        }
        if (dt_flow_live(r.flows) > info->peak_live_flows)
            info->peak_live_flows = dt_flow_live(r.flows);
        if (progress && dt_capture_bytes_read(cap) - last_progress >= (1u << 20)) {
            last_progress = dt_capture_bytes_read(cap);
            progress(pctx, last_progress);
        }
    }
    if (rc < 0)
        add_error(info, dt_capture_packets(cap) + 1, dt_capture_bytes_read(cap),
                  dt_capture_error(cap));
    if (progress)
        progress(pctx, dt_capture_bytes_read(cap));

    dt_flow_flush(r.flows);
    info->reassembly_peak_bytes = dt_flow_budget(r.flows)->peak;
    info->reassembly_refused = dt_flow_budget(r.flows)->refused;
    info->parser_state_refused = dt_apps_state_refused(r.apps);
    dt_decoder_finish(dec);
    info->decode = *dt_decoder_stats(dec);
    dt_flow_table_free(r.flows);
    dt_apps_free(r.apps);
    dt_decoder_free(dec);
    dt_capture_close(cap);
    return info->n_errors ? 1 : 0;
}
