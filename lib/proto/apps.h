/* Application layer: hands stream prefixes and datagrams of each flow to the
 * protocol parsers of the registry (lib/proto/registry.h: TLS, QUIC, DNS,
 * HTTP, SOCKS, MQTT, SSDP, NTP), keeps what they found per flow, names the
 * flow, and keeps the capture's DNS resolution table. */
#ifndef DT_APPS_H
#define DT_APPS_H

#include "proto/coap.h"
#include "proto/dhcp.h"
#include "proto/dns.h"
#include "flow/flow.h"
#include "proto/http.h"
#include "proto/pii.h"
#include "proto/quic.h"
#include "proto/registry.h"
#include "proto/stun.h"
#include "enrich/resolve.h"
#include "proto/tls.h"

#include <stddef.h>
#include <stdint.h>

typedef enum dt_app {
    DT_APP_UNKNOWN = 0,
    DT_APP_TLS,
    DT_APP_QUIC,
    DT_APP_HTTP,
    DT_APP_DNS,
    DT_APP_MDNS,
    DT_APP_LLMNR,
    DT_APP_MQTT,
    DT_APP_NTP,
    DT_APP_SSDP,
    DT_APP_DTLS,
    DT_APP_DHCP,
    DT_APP_DHCPV6,
    DT_APP_COAP,
    DT_APP_STUN,
    DT_APP_COUNT
} dt_app;

typedef enum dt_name_source {
    DT_NAME_NONE = 0,
    DT_NAME_TLS_SNI,
    DT_NAME_QUIC_SNI,
    DT_NAME_HTTP_HOST,
    DT_NAME_DNS,
    DT_NAME_CERT,
    DT_NAME_COAP_HOST,
    DT_NAME_STUN_REALM,
} dt_name_source;

const char *dt_app_name(dt_app a);                /* "tls", ..., "unknown" */
const char *dt_name_source_str(dt_name_source s); /* "tls_sni", ..., NULL for none */

#define DT_FLOW_MAX_DNS 8
#define DT_DNS_MAX_ANSWERS 32
#define DT_DNS_MAX_CHAIN 8

/* One DNS message of a flow, as the report shows it.  Its strings are packed
 * in text[], allocated to size (a few hundred bytes, not the 3.8 kB of the
 * largest possible message: live DNS flows are what fills memory). */
typedef struct dt_flow_dns {
    uint16_t bytes; /* of the whole record */
    uint16_t type;
    uint8_t rcode;
    uint8_t response;
    uint8_t n_answers, n_chain;
    uint16_t answer_at[DT_DNS_MAX_ANSWERS]; /* offsets in text of the addresses */
    uint16_t chain_at[DT_DNS_MAX_CHAIN];    /* query name, then CNAME targets */
    char text[];                            /* the question name first */
} dt_flow_dns;

static inline const char *dt_flow_dns_name(const dt_flow_dns *d)
{
    return d->text;
}
static inline const char *dt_flow_dns_answer(const dt_flow_dns *d, int i)
{
    return d->text + d->answer_at[i];
}
static inline const char *dt_flow_dns_chain(const dt_flow_dns *d, int i)
{
    return d->text + d->chain_at[i];
}

/* The server's certificate as a flow keeps it (a TLS <= 1.2 server shows
 * one): the texts of dt_tls_cert packed in text[], allocated to size (a few
 * hundred bytes, not dt_tls_cert's 4.6 kB of arrays). */
typedef struct dt_flow_cert {
    uint16_t bytes; /* of the whole record */
    uint8_t n_san;
    uint16_t subject_o_at, issuer_o_at, not_before_at, not_after_at; /* offsets in text */
    uint16_t san_at[DT_TLS_MAX_SAN];
    char text[]; /* the subject CN first */
} dt_flow_cert;

static inline const char *dt_flow_cert_subject_cn(const dt_flow_cert *c)
{
    return c->text;
}
static inline const char *dt_flow_cert_subject_o(const dt_flow_cert *c)
{
    return c->text + c->subject_o_at;
}
static inline const char *dt_flow_cert_issuer_o(const dt_flow_cert *c)
{
    return c->text + c->issuer_o_at;
}
static inline const char *dt_flow_cert_san(const dt_flow_cert *c, int i)
{
    return c->text + c->san_at[i];
}
static inline const char *dt_flow_cert_not_before(const dt_flow_cert *c)
{
    return c->text + c->not_before_at;
}
static inline const char *dt_flow_cert_not_after(const dt_flow_cert *c)
{
    return c->text + c->not_after_at;
}

/* TLS's server result as a flow keeps it: the ServerHello's fields and the
 * certificate, when the server showed one (half the TLS servers of real
 * traffic are TLS 1.3, whose certificate is encrypted). */
typedef struct dt_flow_tls_server {
    int present; /* a ServerHello was parsed */
    uint16_t version, cipher;
    char ja3s[33];
    dt_flow_cert *cert; /* NULL: none */
} dt_flow_tls_server;

/* A flow's application-layer state: the status of each parser of the
 * registry, what they found, the flow's name.  Parsers keep what they need
 * between calls in their result (dt_parser.result_size); the few fields
 * named after a parser below are the positions of built-in parsers whose
 * result types (tls.h, dns.h) have no room for them. */
typedef struct dt_flow_app {
    struct dt_apps *owner;       /* whose state budget the allocations below count in */
    size_t state_bytes;          /* of this flow: the app itself, results, records */
    uint8_t app;                 /* dt_app (or dt_parser_app of an added parser) */
    uint8_t name_source;         /* dt_name_source */
    uint8_t encrypted_dns;       /* 0, or 1 DoT, 2 DoH, 3 DoQ */
    uint8_t tls_found[2];        /* TLS: a handshake record was found in this direction */
    uint8_t by_content;          /* the app was recognised by content, not by its port */
    uint8_t n_dns_ids;           /* DNS by content: queries seen (ids kept: up to 4) */
    uint16_t dns_ids[4];         /* DNS by content: ids of the latest queries */
    uint8_t pii_done[2];         /* PII: this direction was scanned */
    int8_t st[DT_PARSER_MAX];    /* per parser (dt_parser_id): DT_ST_* */
    uint32_t active[2];          /* per direction: bit id set while parser id still reads it */
    uint32_t tls_scan[2];        /* TLS: ...at this offset (or: searched up to here) */
    uint32_t socks_len;          /* SOCKS: length of the client's preamble (HTTP follows) */
    char name[256];              /* server name chosen by preference */
    void *result[DT_RESULT_MAX]; /* per result slot (dt_result_slot); NULL: none */
    void *work;                  /* a parser's working buffer (QUIC CRYPTO reassembly) */
    size_t work_size;
    dt_flow_dns *dns[DT_FLOW_MAX_DNS];
    int n_dns;
    uint64_t dns_messages; /* all DNS messages seen on the flow */
    size_t dns_tcp_off[2]; /* DNS over TCP: next message per direction */
    uint8_t *stream[2];    /* kept prefixes (--debug-streams) */
    size_t stream_len[2];
} dt_flow_app;

/* The parsers' results a flow shows (NULL: none, or nothing found). */
static inline const dt_tls_client *dt_app_tls_client(const dt_flow_app *x)
{
    const dt_tls_client *c = x ? x->result[DT_RESULT_TLS_CLIENT] : NULL;
    return c && c->present ? c : NULL;
}
static inline const dt_flow_tls_server *dt_app_tls_server(const dt_flow_app *x)
{
    const dt_flow_tls_server *s = x ? x->result[DT_RESULT_TLS_SERVER] : NULL;
    return s && s->present ? s : NULL;
}
/* The server's certificate (also when no ServerHello was parsed), or NULL. */
static inline const dt_flow_cert *dt_app_tls_cert(const dt_flow_app *x)
{
    const dt_flow_tls_server *s = x ? x->result[DT_RESULT_TLS_SERVER] : NULL;
    return s ? s->cert : NULL;
}
static inline const dt_quic_info *dt_app_quic(const dt_flow_app *x)
{
    const dt_quic_info *q = x ? x->result[DT_RESULT_QUIC] : NULL;
    return q && q->present ? q : NULL;
}
/* The QUIC ClientHello, or NULL. */
static inline const dt_tls_client *dt_app_quic_hello(const dt_flow_app *x)
{
    const dt_quic_info *q = x ? x->result[DT_RESULT_QUIC] : NULL;
    return q && q->hello.present ? &q->hello : NULL;
}
static inline const dt_http_info *dt_app_http(const dt_flow_app *x)
{
    const dt_http_info *h = x ? x->result[DT_RESULT_HTTP] : NULL;
    return h && h->present ? h : NULL;
}

static inline const dt_dhcp_info *dt_app_dhcp(const dt_flow_app *x)
{
    const dt_dhcp_info *d = x ? x->result[DT_RESULT_DHCP] : NULL;
    return d && d->present ? d : NULL;
}

static inline const dt_coap_info *dt_app_coap(const dt_flow_app *x)
{
    const dt_coap_info *d = x ? x->result[DT_RESULT_COAP] : NULL;
    return d && d->present ? d : NULL;
}

static inline const dt_stun_info *dt_app_stun(const dt_flow_app *x)
{
    const dt_stun_info *d = x ? x->result[DT_RESULT_STUN] : NULL;
    return d && d->present ? d : NULL;
}

/* The personal data found in the flow (NULL: none). */
static inline const dt_pii_findings *dt_app_pii(const dt_flow_app *x)
{
    return x ? x->result[DT_RESULT_PII] : NULL;
}

/* For parse functions: the result of slot for this flow (allocated once,
 * zeroed), or NULL when the parser state limit refused it.  slot: the
 * parser's own, or another parser's (SSDP fills HTTP's). */
static inline void *dt_parser_result(const dt_parse_in *in, int slot)
{
    void *r = in->x->result[slot];
    return r ? r : dt_parser_result_new(in, slot);
}
/* Memory a flow's result points to (TLS's certificate): size bytes from the
 * heap, not zeroed, counted against the state limit with the flow's other
 * state; the parser's free_result frees it.  NULL past the limit. */
void *dt_parser_result_extra(const dt_parse_in *in, size_t size);
/* A working buffer of size bytes for the flow (QUIC's CRYPTO reassembly),
 * allocated once, not zeroed (the parser initialises what it reads);
 * dt_parser_work_drop gives it back. */
static inline void *dt_parser_work(const dt_parse_in *in, size_t size)
{
    return in->x->work ? in->x->work : dt_parser_work_new(in, size);
}

/* For parsers of one message per datagram that keep a result only once a
 * message says something (DHCP, CoAP): read(p, len, result) answers -1 (not
 * this protocol: NOT_MINE), 0 (this protocol, nothing to keep) or 1 (filled
 * the result: kept).  Reads into the flow's result, or a zeroed scratch of
 * the result's size before there is one; names the flow app; MORE. */
dt_parse_status dt_parser_read_datagram(const dt_parse_in *in, int slot, int app, void *scratch,
                                        int (*read)(const uint8_t *p, size_t len, void *result));

/* Sets the flow's app unless one was already found. */
static inline void dt_flow_app_set(dt_flow_app *x, int app)
{
    if (x->app == DT_APP_UNKNOWN)
        x->app = (uint8_t)app;
}

typedef struct dt_apps dt_apps;

/* Memory of the parsers' per-flow state of all live flows (results, QUIC
 * CRYPTO buffers, DNS records).  Past it, new state is refused: the flow is
 * still counted but not parsed further (dt_apps_state_refused). */
#define DT_APPS_STATE_MAX (64u << 20)
/* ... or this much per flow the flow table may hold, when more (the engine
 * scales the limit with --max-flows: 64 MiB is 671 bytes for 100,000). */
#define DT_APPS_STATE_PER_FLOW 672u

dt_apps *dt_apps_new(int keep_streams);
void dt_apps_free(dt_apps *a);
/* Another limit than DT_APPS_STATE_MAX (tests). */
void dt_apps_set_state_limit(dt_apps *a, size_t bytes);
/* The personal data detector (lib/proto/pii.h; NULL or 0 bytes: off); must
 * outlive a. */
void dt_apps_set_pii(dt_apps *a, const dt_pii *pii);
const dt_pii *dt_apps_pii(const dt_apps *a);
/* Allocations refused because the limit was reached. */
uint64_t dt_apps_state_refused(const dt_apps *a);

/* fn is called with every DNS message of every flow, also those beyond the
 * DT_FLOW_MAX_DNS a flow keeps (the report's DNS table is built from them). */
typedef void (*dt_dns_message_fn)(void *ctx, const dt_flow_dns *rec);
void dt_apps_on_dns(dt_apps *a, dt_dns_message_fn fn, void *ctx);

/* The contiguous prefix of direction dir of a TCP flow grew. */
void dt_apps_on_stream(dt_apps *a, dt_flow *f, int dir);
/* A UDP payload from side dir. */
void dt_apps_on_datagram(dt_apps *a, dt_flow *f, int dir, const uint8_t *p, size_t len,
                         uint64_t ts_ns);
/* Whether port is one of app's usual ports (TLS, HTTP, DNS; 1 for other apps):
 * an app found on a flow with neither port usual was recognised by content. */
int dt_app_usual_port(dt_app app, uint16_t port);
/* The flow ends: choose its name (falling back to DNS), finish parsing. */
void dt_apps_flow_end(dt_apps *a, dt_flow *f);
/* Frees the flow's application state. */
void dt_apps_flow_free(dt_flow *f);

const dt_resolve *dt_apps_resolver(const dt_apps *a);

#endif
