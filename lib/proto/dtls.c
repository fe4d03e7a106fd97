/* DTLS in the registry: the ClientHello of a UDP flow's client (pure parser
 * below, the extensions read by tls.c), shown as the flow object's "tls". */
#include "proto/dtls.h"

#include "proto/apps.h"
#include "util/cursor.h"

#define DTLS_MAJOR 0xfe     /* 0xfeff DTLS 1.0, 0xfefd 1.2 (and 1.3's records) */
#define DTLS_BAD_VER 0x0100 /* OpenSSL's DTLS before RFC 4347 (Cisco AnyConnect) */
#define DTLS_CT_MIN 20      /* change_cipher_spec ... */
#define DTLS_CT_MAX 26      /* ... ack (DTLS 1.3) */
/* Client datagrams looked at before giving up: WebRTC sends STUN first. */
#define DTLS_TRIES 32

dt_parse_status dt_dtls_client_hello(const uint8_t *p, size_t len, dt_tls_client *out)
{
    dt_cur c = dt_cur_make(p, len);
    int records = 0;
    while (dt_left(&c) >= DT_DTLS_REC_HDR_LEN) {
        uint8_t type = dt_u8(&c);
        uint16_t version = dt_be16(&c);
        uint16_t epoch = dt_be16(&c);
        dt_skip(&c, 6); /* sequence number */
        dt_cur rec = dt_sub(&c, dt_be16(&c));
        if (type < DTLS_CT_MIN || type > DTLS_CT_MAX ||
            (version >> 8 != DTLS_MAJOR && version != DTLS_BAD_VER))
            break;
        records++;
        if (type != DT_TLS_REC_HANDSHAKE || epoch != 0)
            continue;
        uint8_t hs_type = dt_u8(&rec);
        uint32_t msg_len = dt_be24(&rec);
        dt_skip(&rec, 2); /* message_seq */
        uint32_t frag_off = dt_be24(&rec), frag_len = dt_be24(&rec);
        if (!dt_ok(&rec) || hs_type != DT_TLS_HS_CLIENT_HELLO || frag_off != 0 ||
            frag_len > msg_len)
            continue;
        size_t n = frag_len < dt_left(&rec) ? frag_len : dt_left(&rec);
        if (dt_tls_parse_client_hello_body(dt_ptr(&rec), n, DT_TLS_OVER_DTLS, out) == 0)
            return DT_PARSE_DONE;
    }
    return records ? DT_PARSE_MORE : DT_PARSE_NOT_MINE;
}

/* On a flow no earlier parser has named (but STUN): the ClientHello goes
 * into the TLS result (the flow object's "tls", named by its SNI). */
static dt_parse_status dtls_parse(const dt_parse_in *in)
{
    dt_flow_app *x = in->x;
    if (x->app && x->app != DT_APP_STUN)
        return DT_PARSE_NOT_MINE;
    dt_tls_client hello;
    dt_parse_status st = dt_dtls_client_hello(in->p, in->len, &hello);
    if (st == DT_PARSE_NOT_MINE)
        st = in->f->side[DT_CLIENT].packets < DTLS_TRIES ? DT_PARSE_MORE : DT_PARSE_NOT_MINE;
    if (st != DT_PARSE_DONE)
        return st;
    dt_tls_client *c = dt_parser_result(in, DT_RESULT_TLS_CLIENT);
    if (!c)
        return DT_PARSE_NOT_MINE;
    *c = hello;
    x->app = DT_APP_DTLS; /* also after STUN (WebRTC: STUN, then DTLS, on one flow) */
    return DT_PARSE_DONE;
}

const dt_parser dt_parser_dtls = {
    .name = "dtls",
    .transport = DT_TRANSPORT_UDP,
    .dirs = DT_DIRS_CLIENT,
    .parse = dtls_parse,
};
