/* The personal data detector in the registry (pure detector: pii.c,
 * pii_parts.c): the first --pii-bytes of each direction of TCP flows (as far
 * as the other parsers keep it buffered: a passive parser) and of UDP
 * datagrams, except TLS and QUIC flows; at the flow's end its DNS query
 * names, TLS/QUIC server names and certificate names.  The findings are the
 * flow's result (allocated only when there are any); the flow object writes
 * them as "findings" (lib/report/flowjson.c). */
#include "proto/apps.h"

#include <string.h>

/* Not read: encrypted protocols (TLS, QUIC, DTLS) and binary ones whose
 * fields are numbers and addresses (NTP, STUN: its text attributes are the
 * software's name and the server's realm). */
static int plaintext(const dt_flow_app *x)
{
    return x->app != DT_APP_TLS && x->app != DT_APP_QUIC && x->app != DT_APP_DTLS &&
           x->app != DT_APP_NTP && x->app != DT_APP_STUN;
}

/* What a device sends is scanned: a direction whose sender is local, or the
 * client's when neither side is (personal data "sent", and half the cost:
 * downloads are not read). */
static int device_sends(const dt_flow *f, int dir)
{
    return f->side[dir].local || (dir == DT_CLIENT && !f->side[DT_SERVER].local);
}

/* The flow's own Ethernet addresses: not findings. */
static int own_macs(const dt_flow *f, uint8_t macs[2][6])
{
    int n = 0;
    for (int s = 0; s < 2; s++)
        if (f->side[s].have_mac)
            memcpy(macs[n++], f->side[s].mac, 6);
    return n;
}

/* Whether the flow has names to scan at its end. */
static int has_names(const dt_flow_app *x)
{
    const dt_tls_client *tc = dt_app_tls_client(x), *qc = dt_app_quic_hello(x);
    return (tc && tc->sni[0]) || (qc && qc->sni[0]) || dt_app_tls_cert(x) || x->n_dns;
}

/* Scans into a scratch set first: a flow gets its result only when
 * something was found (or a bound was hit). */
static void scan(const dt_parse_in *in, int dir, const uint8_t *p, size_t len, uint32_t base,
                 int names, int known_text)
{
    const dt_flow_app *x = in->x;
    const dt_pii *d = dt_apps_pii(in->apps);
    dt_pii_findings *out = in->x->result[DT_RESULT_PII], scratch;
    if (!out) {
        scratch.n = 0;
        scratch.dropped = scratch.inflate_bounded = 0;
    }
    dt_pii_findings *w = out ? out : &scratch;
    uint8_t macs[2][6];
    dt_pii_ctx c = {DT_PII_AT_DATA,
                    (uint8_t)dir,
                    DT_PII_ENC_PLAIN,
                    NULL,
                    base,
                    (const uint8_t(*)[6])macs,
                    own_macs(in->f, macs),
                    known_text,
                    0};
    if (p)
        dt_pii_scan_stream(d, p, len, &c, w);
    if (names) {
        const dt_tls_client *tc = dt_app_tls_client(x), *qc = dt_app_quic_hello(x);
        const dt_flow_cert *cert = dt_app_tls_cert(x);
        c.where = DT_PII_AT_SNI;
        for (int k = 0; k < 2; k++) {
            const dt_tls_client *h = k ? qc : tc;
            if (h && h->sni[0])
                dt_pii_scan(d, (const uint8_t *)h->sni, strlen(h->sni), &c, w);
        }
        c.where = DT_PII_AT_CERT;
        c.dir = DT_SERVER;
        if (cert) {
            for (int k = -1; k < cert->n_san; k++) { /* the subject CN, then the SANs */
                const char *n = k < 0 ? dt_flow_cert_subject_cn(cert) : dt_flow_cert_san(cert, k);
                dt_pii_scan(d, (const uint8_t *)n, strlen(n), &c, w);
            }
        }
        c.dir = DT_CLIENT;
        for (int k = 0; k < x->n_dns; k++)
            dt_pii_scan_dns(d, dt_flow_dns_name(x->dns[k]), &c, w);
    }
    if (out || (!scratch.n && !scratch.dropped && !scratch.inflate_bounded))
        return;
    out = dt_parser_result(in, DT_RESULT_PII);
    if (out)
        memcpy(out, &scratch, sizeof scratch);
}

static dt_parse_status pii_parse(const dt_parse_in *in)
{
    dt_flow_app *x = in->x;
    if (!plaintext(x))
        return DT_PARSE_NOT_MINE;
    if (x->pii_done[in->dir]) /* read (or not to be read): set only when the detector is on */
        return x->pii_done[0] && x->pii_done[1] ? DT_PARSE_DONE : DT_PARSE_MORE;
    uint32_t max = dt_pii_bytes(dt_apps_pii(in->apps));
    if (!max)
        return DT_PARSE_NOT_MINE;
    if (!device_sends(in->f, in->dir))
        x->pii_done[in->dir] = 1;
    if (in->f->proto != 6) { /* a datagram: scanned while the side has sent less than max */
        uint64_t sent = in->f->side[in->dir].payload;
        uint64_t before = sent > in->len ? sent - in->len : 0;
        if (before >= max)
            x->pii_done[in->dir] = 1; /* the direction's budget is spent */
        if (!x->pii_done[in->dir] && dt_pii_looks_random(in->p, in->len))
            x->pii_done[in->dir] = 1; /* encrypted or compressed: the direction is not read */
        if (!x->pii_done[in->dir])
            scan(in, in->dir, in->p, in->len < max - before ? in->len : (size_t)(max - before), 0,
                 0, 1);
        return x->pii_done[0] && x->pii_done[1] ? DT_PARSE_DONE : DT_PARSE_MORE;
    }
    if (!x->pii_done[in->dir] &&
        (in->last || in->len >= max || in->len >= in->f->tcp[in->dir].cap)) {
        x->pii_done[in->dir] = 1;
        uint32_t skip =
            in->dir == DT_CLIENT && x->st[DT_PARSER_SOCKS] == DT_ST_DONE ? x->socks_len : 0;
        if (skip < in->len)
            scan(in, in->dir, in->p + skip, (in->len < max ? in->len : max) - skip, skip, 0, 0);
    }
    return x->pii_done[0] && x->pii_done[1] ? DT_PARSE_DONE : DT_PARSE_MORE;
}

/* The directions still unscanned (their prefix as buffered), then the names. */
static void pii_end(const dt_parse_in *in)
{
    uint32_t max = dt_pii_bytes(dt_apps_pii(in->apps));
    dt_flow_app *x = in->x;
    if (!max)
        return;
    if (in->f->proto == 6 && x->st[in->id] == DT_ST_MORE && plaintext(x)) {
        dt_parse_in d = *in;
        for (int dir = 0; dir < 2; dir++) {
            d.dir = dir;
            d.p = dt_tcp_dir_data(&in->f->tcp[dir]);
            d.len = dt_tcp_dir_contig(&in->f->tcp[dir]);
            if (d.len)
                pii_parse(&d);
        }
    }
    if (has_names(x))
        scan(in, DT_CLIENT, NULL, 0, 0, 1, 0);
}

const dt_parser dt_parser_pii = {
    .name = "pii",
    .transport = DT_TRANSPORT_TCP,
    .dirs = DT_DIRS_BOTH,
    .flags = DT_PF_PASSIVE,
    .parse = pii_parse,
    .result_size = sizeof(dt_pii_findings),
    .end = pii_end,
};

const dt_parser dt_parser_pii_udp = {
    .name = "pii_udp",
    .transport = DT_TRANSPORT_UDP,
    .dirs = DT_DIRS_BOTH,
    .flags = DT_PF_PASSIVE,
    .parse = pii_parse,
};
