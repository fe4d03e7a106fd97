/* QUIC in the registry: the client's Initial packets (pure parser: quic.c)
 * and the flow object's "quic". */
#include "proto/apps.h"

static dt_parse_status quic_parse(const dt_parse_in *in)
{
    dt_flow_app *x = in->x;
    /* most UDP flows are not QUIC: no state for them (zeroing it was 7% of a run) */
    if (x->st[DT_PARSER_QUIC] == DT_ST_NONE && !dt_quic_may_start(in->p, in->len))
        return DT_PARSE_NOT_MINE;
    /* the CRYPTO reassembly (16 KiB) while parsing, then the result */
    dt_quic_state *q = dt_parser_work(in, sizeof *q);
    dt_quic_info *info = q ? dt_parser_result(in, DT_RESULT_QUIC) : NULL;
    if (!q || !info)
        return DT_PARSE_NOT_MINE;
    if (x->st[DT_PARSER_QUIC] == DT_ST_NONE)
        dt_quic_init(q);
    dt_parse_status st = dt_quic_feed(q, in->p, in->len, info);
    if (info->present)
        dt_flow_app_set(x, DT_APP_QUIC);
    if (st != DT_PARSE_MORE) { /* the CRYPTO buffer is no longer needed */
        dt_parser_work_drop(in, sizeof *q);
        if (!info->present) /* nor 1.2 KiB of results for a non-QUIC flow */
            dt_parser_result_drop(in, DT_RESULT_QUIC);
    }
    return st;
}

static int quic_json(dt_jw *w, const dt_flow_app *x)
{
    const dt_quic_info *q = dt_app_quic(x);
    if (!q)
        return 0;
    const dt_tls_client *c = q->hello.present ? &q->hello : NULL;
    dt_jw_obj_begin(w);
    DT_JW_KEY(w, "version");
    dt_jw_str(w, q->version_name);
    DT_JW_KEY_STR_OR_NULL(w, "sni", c ? c->sni : NULL);
    DT_JW_KEY(w, "alpn");
    dt_jw_str_array64(w, c ? c->alpn : NULL, c ? c->n_alpn : 0);
    DT_JW_KEY_STR_OR_NULL(w, "ja4", c ? c->ja4 : NULL);
    dt_jw_obj_end(w);
    return 1;
}

const dt_parser dt_parser_quic = {
    .name = "quic",
    .transport = DT_TRANSPORT_UDP,
    .dirs = DT_DIRS_CLIENT,
    .parse = quic_parse,
    .result_size = sizeof(dt_quic_info),
    .DT_PARSER_JSON_KEY("quic"),
    .json = quic_json,
};
