/* TLS in the registry: the ClientHello of the client stream, the
 * ServerHello and certificate of the server stream (pure parsers: tls.c),
 * and the flow object's "tls". */
#include "proto/apps.h"

#include "proto/tls.h"
#include "util/cursor.h"

#include <stdlib.h>
#include <string.h>

/* TLS usually starts the stream, but after STARTTLS (SMTP, IMAP, POP3, FTP,
 * XMPP), an HTTP CONNECT, a SOCKS or PROXY-protocol preamble it starts later:
 * look for a handshake record carrying a ClientHello (1) or ServerHello (2)
 * within the first TLS_SEARCH bytes. */
#define TLS_SEARCH 8192

static int tls_record_at(const uint8_t *p, size_t len, size_t k, uint8_t hs_type)
{
    return k + DT_TLS_REC_HDR_LEN + 1 <= len &&
           p[k + DT_TLS_REC_OFF_TYPE] == DT_TLS_REC_HANDSHAKE &&
           p[k + DT_TLS_REC_OFF_MAJOR] == DT_TLS_REC_MAJOR &&
           p[k + DT_TLS_REC_OFF_MINOR] <= DT_TLS_REC_MINOR_MAX &&
           p[k + DT_TLS_REC_HDR_LEN + DT_TLS_HS_OFF_TYPE] == hs_type &&
           dt_rd_be16(p + k + DT_TLS_REC_OFF_LEN) >= 4;
}

/* Finds the first handshake record of direction dir: 1 found (at
 * x->tls_scan[dir]), 0 more bytes needed, -1 none in the first TLS_SEARCH. */
static int tls_find(dt_flow_app *x, int dir, const uint8_t *p, size_t len)
{
    uint8_t hs_type = dir == DT_CLIENT ? DT_TLS_HS_CLIENT_HELLO : DT_TLS_HS_SERVER_HELLO;
    if (x->tls_found[dir])
        return 1;
    size_t k = x->tls_scan[dir];
    while (k + DT_TLS_REC_HDR_LEN + 1 <= len && k < TLS_SEARCH &&
           !tls_record_at(p, len, k, hs_type)) {
        /* to the next byte that can start a handshake record (memchr: fast on
         * binary streams), but not past the first offset too near the end */
        size_t end = len < TLS_SEARCH ? len : TLS_SEARCH, stop = len - DT_TLS_REC_HDR_LEN;
        const uint8_t *h =
            k + 1 < end ? memchr(p + k + 1, DT_TLS_REC_HANDSHAKE, end - k - 1) : NULL;
        size_t next = h ? (size_t)(h - p) : end;
        k = next < stop ? next : stop;
    }
    if (k + 6 > len && k < TLS_SEARCH) {
        x->tls_scan[dir] = (uint32_t)k;
        return 0;
    }
    if (k >= TLS_SEARCH)
        return -1;
    x->tls_found[dir] = 1;
    x->tls_scan[dir] = (uint32_t)k;
    return 1;
}

static dt_parse_status client_parse(const dt_parse_in *in)
{
    dt_flow_app *x = in->x;
    int found = tls_find(x, DT_CLIENT, in->p, in->len);
    if (found <= 0)
        return found ? DT_PARSE_NOT_MINE : DT_PARSE_MORE;
    dt_tls_client *c = dt_parser_result(in, DT_RESULT_TLS_CLIENT);
    if (!c)
        return DT_PARSE_NOT_MINE;
    size_t off = x->tls_scan[DT_CLIENT];
    dt_parse_status st = dt_tls_parse_client_stream(in->p + off, in->len - off, c);
    if (st == DT_PARSE_DONE && c->present)
        x->app = DT_APP_TLS; /* also after STARTTLS, CONNECT or SOCKS */
    return st;
}

/* Appends text to a record's texts at *at: its offset. */
static uint16_t put_text(char *text, size_t *used, const char *str)
{
    size_t n = strlen(str) + 1, at = *used;
    memcpy(text + at, str, n);
    *used += n;
    return (uint16_t)at;
}

/* The certificate as the flow keeps it: its texts packed, built on the stack
 * and then allocated to its size, as a DNS record is (NULL past the state
 * limit: the flow then shows none). */
static dt_flow_cert *cert_keep(const dt_parse_in *in, const dt_tls_cert *ct)
{
    _Alignas(dt_flow_cert) char buf[sizeof(dt_flow_cert) + sizeof *ct];
    dt_flow_cert *b = (dt_flow_cert *)buf;
    size_t used = 0;
    (void)put_text(b->text, &used, ct->subject_cn);
    b->subject_o_at = put_text(b->text, &used, ct->subject_o);
    b->issuer_o_at = put_text(b->text, &used, ct->issuer_o);
    b->not_before_at = put_text(b->text, &used, ct->not_before);
    b->not_after_at = put_text(b->text, &used, ct->not_after);
    b->n_san = (uint8_t)ct->n_san;
    for (int i = 0; i < ct->n_san; i++)
        b->san_at[i] = put_text(b->text, &used, ct->san[i]);
    b->bytes = (uint16_t)(sizeof(dt_flow_cert) + used);
    dt_flow_cert *c = dt_parser_result_extra(in, b->bytes);
    if (c)
        memcpy(c, buf, b->bytes);
    return c;
}

static void server_free(void *result)
{
    free(((dt_flow_tls_server *)result)->cert);
}

/* The server side is parsed once the client side showed TLS (or before the
 * ClientHello is complete, if it starts like TLS). */
static dt_parse_status server_parse(const dt_parse_in *in)
{
    dt_flow_app *x = in->x;
    if (x->st[DT_PARSER_TLS_CLIENT] == DT_ST_NOT_MINE)
        return DT_PARSE_NOT_MINE;
    int found = tls_find(x, DT_SERVER, in->p, in->len);
    if (found <= 0)
        return found ? DT_PARSE_NOT_MINE : DT_PARSE_MORE;
    dt_flow_tls_server *s = dt_parser_result(in, DT_RESULT_TLS_SERVER);
    if (!s)
        return DT_PARSE_NOT_MINE;
    size_t off = x->tls_scan[DT_SERVER];
    dt_tls_server all; /* (dt_tls_parse_server_stream clears what it sets) */
    dt_parse_status st = dt_tls_parse_server_stream(in->p + off, in->len - off, &all);
    s->present = all.present;
    s->version = all.version;
    s->cipher = all.cipher;
    memcpy(s->ja3s, all.ja3s, sizeof s->ja3s);
    /* the certificate ends the parse (DONE): it is kept once */
    if (all.cert.present && !s->cert)
        s->cert = cert_keep(in, &all.cert);
    return st;
}

/* "tls": both directions' results, when either has one. */
static int tls_json(dt_jw *w, const dt_flow_app *x)
{
    char buf[64];
    const dt_tls_client *c = dt_app_tls_client(x);
    const dt_flow_tls_server *s = dt_app_tls_server(x);
    if (!c && !s)
        return 0;
    dt_jw_obj_begin(w);
    DT_JW_KEY_STR_OR_NULL(w, "sni", c ? c->sni : NULL);
    DT_JW_KEY(w, "alpn");
    dt_jw_str_array64(w, c ? c->alpn : NULL, c ? c->n_alpn : 0);
    DT_JW_KEY(w, "version");
    if (s)
        dt_jw_str(w, dt_tls_version_name(s->version, buf, sizeof buf));
    else
        dt_jw_null(w);
    if (c) {
        DT_JW_KEY(w, "offered_versions");
        dt_jw_arr_begin(w);
        for (int i = 0; i < c->n_versions; i++)
            dt_jw_str(w, dt_tls_version_name(c->versions[i], buf, sizeof buf));
        dt_jw_arr_end(w);
    }
    DT_JW_KEY(w, "cipher");
    if (s)
        dt_jw_str(w, dt_tls_cipher_name(s->cipher, buf, sizeof buf));
    else
        dt_jw_null(w);
    DT_JW_KEY_STR_OR_NULL(w, "ja3", c ? c->ja3 : NULL);
    DT_JW_KEY_STR_OR_NULL(w, "ja4", c ? c->ja4 : NULL);
    DT_JW_KEY_STR_OR_NULL(w, "ja3s", s ? s->ja3s : NULL);
    DT_JW_KEY(w, "ech");
    dt_jw_bool(w, c && c->ech);
    DT_JW_KEY(w, "cert");
    if (s && s->cert) {
        const dt_flow_cert *ct = s->cert;
        dt_jw_obj_begin(w);
        DT_JW_KEY_STR_OR_NULL(w, "subject_cn", dt_flow_cert_subject_cn(ct));
        DT_JW_KEY_STR_OR_NULL(w, "subject_o", dt_flow_cert_subject_o(ct));
        DT_JW_KEY_STR_OR_NULL(w, "issuer_o", dt_flow_cert_issuer_o(ct));
        DT_JW_KEY(w, "san");
        dt_jw_arr_begin(w);
        for (int i = 0; i < ct->n_san; i++)
            dt_jw_str(w, dt_flow_cert_san(ct, i));
        dt_jw_arr_end(w);
        DT_JW_KEY_STR_OR_NULL(w, "not_before", dt_flow_cert_not_before(ct));
        DT_JW_KEY_STR_OR_NULL(w, "not_after", dt_flow_cert_not_after(ct));
        dt_jw_obj_end(w);
    } else {
        dt_jw_null(w);
    }
    dt_jw_obj_end(w);
    return 1;
}

const dt_parser dt_parser_tls_client = {
    .name = "tls_client",
    .transport = DT_TRANSPORT_TCP,
    .dirs = DT_DIRS_CLIENT,
    .parse = client_parse,
    .result_size = sizeof(dt_tls_client),
    .DT_PARSER_JSON_KEY("tls"),
    .json = tls_json,
};

const dt_parser dt_parser_tls_server = {
    .name = "tls_server",
    .transport = DT_TRANSPORT_TCP,
    .dirs = DT_DIRS_SERVER,
    .parse = server_parse,
    .result_size = sizeof(dt_flow_tls_server),
    .free_result = server_free,
};
