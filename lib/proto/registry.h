/* The registry of application parsers: which parsers exist, in which order
 * they see a flow's bytes, what each keeps per flow and how it is written in
 * the flow object.  How to add a protocol: see lib/proto/registry.c. */
#ifndef DT_REGISTRY_H
#define DT_REGISTRY_H

#include "proto/parse.h"
#include "util/jsonw.h"

#include <stddef.h>
#include <stdint.h>

struct dt_apps;
struct dt_flow;
struct dt_flow_app;

/* THE TABLE: X(ID, entry, has_result), one line per parser, in dispatch
 * order (a flow's parsers see each new stream prefix or datagram in this
 * order; the flow object shows their JSON in this order too).  entry is the
 * parser's `const dt_parser` (defined in its own file); has_result is 1 when
 * it keeps a result of its own per flow (a slot in dt_flow_app.result,
 * entry.result_size bytes).
 *   DNS_UDP first or later makes no difference: it claims its ports alone.
 *   SOCKS before HTTP: HTTP follows a SOCKS preamble.
 *   H2C after HTTP: it fills HTTP's result once HTTP/1 has given up.
 *   DNS_TCP carries the "dns" JSON of every DNS entry (after "http").
 *   DNS_CONTENT_* after the port parsers: DNS on other ports, recognised by
 *   content, is what no parser before took the flow for.
 *   PII last: it reads what the others leave (not TLS or QUIC flows). */
#define DT_PARSERS(X)                                                                              \
    X(TLS_CLIENT, dt_parser_tls_client, 1)                                                         \
    X(TLS_SERVER, dt_parser_tls_server, 1)                                                         \
    X(QUIC, dt_parser_quic, 1)                                                                     \
    X(SOCKS, dt_parser_socks, 0)                                                                   \
    X(HTTP, dt_parser_http, 1)                                                                     \
    X(H2C, dt_parser_h2c, 0)                                                                       \
    X(SSDP, dt_parser_ssdp, 0)                                                                     \
    X(MQTT, dt_parser_mqtt, 0)                                                                     \
    X(DNS_TCP, dt_parser_dns_tcp, 0)                                                               \
    X(DNS_UDP, dt_parser_dns_udp, 0)                                                               \
    X(NTP, dt_parser_ntp, 0)                                                                       \
    X(STUN, dt_parser_stun, 1)                                                                     \
    X(DTLS, dt_parser_dtls, 0)                                                                     \
    X(DHCP, dt_parser_dhcp, 1)                                                                     \
    X(COAP, dt_parser_coap, 1)                                                                     \
    X(DNS_CONTENT_TCP, dt_parser_dns_content_tcp, 0)                                               \
    X(DNS_CONTENT_UDP, dt_parser_dns_content_udp, 0)                                               \
    X(PII, dt_parser_pii, 1)                                                                       \
    X(PII_UDP, dt_parser_pii_udp, 0)

/* Parsers added at run time (dt_parsers_add: tests, embedders). */
#define DT_PARSER_EXTRA_MAX 1

typedef enum dt_parser_id {
#define DT_X_ID(id, entry, r) DT_PARSER_##id,
    DT_PARSERS(DT_X_ID)
#undef DT_X_ID
        DT_PARSER_BUILTIN, /* how many are built in */
    DT_PARSER_MAX = DT_PARSER_BUILTIN + DT_PARSER_EXTRA_MAX
} dt_parser_id;

/* Result slots: one per parser with has_result (then the added ones). */
#define DT_RESULT_SLOT_0(id)
#define DT_RESULT_SLOT_1(id) DT_RESULT_##id,
typedef enum dt_result_slot {
#define DT_X_SLOT(id, entry, r) DT_RESULT_SLOT_##r(id)
    DT_PARSERS(DT_X_SLOT)
#undef DT_X_SLOT
        DT_RESULT_BUILTIN,
    DT_RESULT_MAX = DT_RESULT_BUILTIN + DT_PARSER_EXTRA_MAX
} dt_result_slot;

/* Parser status as dt_flow_app.st keeps it: dt_parse_status + 2, 0 = not tried. */
#define DT_ST(s) ((int8_t)((s) + 2))
#define DT_ST_NONE 0
#define DT_ST_NOT_MINE DT_ST(DT_PARSE_NOT_MINE)
#define DT_ST_MORE DT_ST(DT_PARSE_MORE)
#define DT_ST_DONE DT_ST(DT_PARSE_DONE)
#define DT_ST_FINISHED(st) ((st) == DT_ST_NOT_MINE || (st) == DT_ST_DONE)

enum { DT_TRANSPORT_TCP = 1, DT_TRANSPORT_UDP = 2 };
enum { DT_DIRS_CLIENT = 1, DT_DIRS_SERVER = 2, DT_DIRS_BOTH = 3 };

enum {
    /* Runs also when the flow has no parser state (its limit was reached):
     * parse gets x == NULL. */
    DT_PF_NO_STATE = 1,
    /* When its port hints match, the flow is this protocol alone: no other
     * parser is tried on it. */
    DT_PF_CLAIM = 2,
    /* Its JSON key is written only on flows that have its result (absent,
     * not null, on the others: keys added after the report's first version). */
    DT_PF_JSON_IF_RESULT = 4,
    /* Reads only what the other parsers make a TCP direction buffer: it does
     * not keep a direction buffering, and is called once more with
     * dt_parse_in.last set before the direction stops buffering. */
    DT_PF_PASSIVE = 8,
};

/* What a parser is given: the contiguous prefix of one direction of a TCP
 * flow (as long as it has grown so far), or one UDP datagram. */
typedef struct dt_parse_in {
    struct dt_apps *apps;
    struct dt_flow *f;
    struct dt_flow_app *x; /* the flow's parser state (NULL only with DT_PF_NO_STATE) */
    int id;                /* dt_parser_id of the parser called */
    int dir;               /* DT_CLIENT or DT_SERVER: who sent the bytes */
    const uint8_t *p;
    size_t len;
    uint64_t ts_ns; /* of the datagram (UDP) or the latest packet (TCP) */
    int last;       /* TCP: no more bytes will come for this direction (DT_PF_PASSIVE) */
} dt_parse_in;

typedef struct dt_parser {
    const char *name;  /* for tests and debugging, e.g. "tls_client" */
    uint8_t transport; /* DT_TRANSPORT_TCP or DT_TRANSPORT_UDP */
    uint8_t dirs;      /* DT_DIRS_*: which directions it reads */
    uint8_t flags;     /* DT_PF_* */
    /* Port hints: when any is set, the parser is tried only on flows with
     * one of these ports on either side (0 ends the list). */
    uint16_t ports[4];
    /* Called with each new prefix or datagram until it answers NOT_MINE or
     * DONE, or (TCP) the direction's buffer is full, which counts as
     * NOT_MINE.  A wrapper over the pure (buf, len) parser of the protocol:
     * it gets its result with dt_parser_result and names the flow's app
     * with dt_flow_app_set. */
    dt_parse_status (*parse)(const dt_parse_in *in);
    /* Its result per flow: result_size bytes, zeroed, allocated on the first
     * dt_parser_result (counted against DT_APPS_STATE_MAX); free_result
     * (may be NULL) releases what the result points to (from
     * dt_parser_result_extra) before the result itself is freed with the flow. */
    size_t result_size;
    void (*free_result)(void *result);
    /* Its value in the flow object: json_key ("\"key\":", json_key_len bytes)
     * is written for every flow; json writes the value and returns 1, or
     * returns 0 without writing when there is nothing to show (null is
     * written).  NULL json_key: it has no key of its own. */
    const char *json_key;
    size_t json_key_len;
    int (*json)(dt_jw *w, const struct dt_flow_app *x);
    /* Called once when the flow ends, after its naming (may be NULL; also
     * for flows it never read): in->p is NULL, in->last is set. */
    void (*end)(const dt_parse_in *in);
    /* The app name a parser added at run time gives flows (dt_parser_app). */
    const char *app_name;
} dt_parser;

/* A literal key for dt_parser.json_key: .DT_PARSER_JSON_KEY("tls") */
#define DT_PARSER_JSON_KEY(lit)                                                                    \
    json_key = "\"" lit "\":", .json_key_len = sizeof("\"" lit "\":") - 1

/* The built-in entries. */
#define DT_X_DECL(id, entry, r) extern const dt_parser entry;
DT_PARSERS(DT_X_DECL)
#undef DT_X_DECL

/* The table: parsers dt_parser_get(0) ... dt_parser_get(dt_parser_count() - 1)
 * (inline: the dispatch reads it per packet). */
extern const dt_parser *dt_parser_table[DT_PARSER_MAX];
extern int dt_parser_n;
static inline int dt_parser_count(void)
{
    return dt_parser_n;
}
static inline const dt_parser *dt_parser_get(int id)
{
    return dt_parser_table[id];
}
/* The result slot of a parser, or -1 when it keeps none. */
int dt_parser_slot(int id);
/* Result slots 0 ... dt_result_count() - 1, and the parser each belongs to. */
int dt_result_count(void);
const dt_parser *dt_result_parser(int slot);
/* Adds a parser after the built-in ones (tests, embedders: before any flow
 * is parsed, not thread-safe); returns its id, or -1 when the table is full
 * (DT_PARSER_EXTRA_MAX) or p has a result but no slot is left. */
int dt_parsers_add(const dt_parser *p);
/* Removes the parsers added (tests). */
void dt_parsers_reset(void);
/* The app (dt_app value) a parser with an app_name gives flows: after the
 * built-in dt_app values (at most DT_PARSER_APP_BASE of them). */
#define DT_PARSER_APP_BASE 20
int dt_parser_app(int id);
/* Name of an app beyond the built-in ones, or NULL. */
const char *dt_parser_app_name(int app);

/* The parsers with DT_PF_PASSIVE (bit id set). */
uint32_t dt_parsers_passive(void);
/* The parsers with an end function (bit id set): a few of them, for every flow. */
uint32_t dt_parsers_with_end(void);
/* Whether a flow with these two ports passes p's port hints. */
int dt_parser_ports_match(const dt_parser *p, const uint16_t ports[2]);
/* Which parsers are tried on a new flow, per direction (bit id set): those
 * of its transport and direction whose port hints match (or the claiming
 * ones alone).  ports: the flow's two ports. */
void dt_parsers_for_flow(int transport, const uint16_t ports[2], uint32_t active[2]);

/* For parse functions (lib/proto/apps.c; dt_parser_result and
 * dt_parser_work in lib/proto/apps.h). */
/* Allocates a result slot (counted against the limit); NULL when refused. */
void *dt_parser_result_new(const dt_parse_in *in, int slot);
/* Gives back a result that holds nothing to report. */
void dt_parser_result_drop(const dt_parse_in *in, int slot);
void *dt_parser_work_new(const dt_parse_in *in, size_t size);
void dt_parser_work_drop(const dt_parse_in *in, size_t size);
/* One DNS message of the flow: kept in the flow, the resolution table and
 * the report's DNS table (also without parser state). */
void dt_apps_dns_message(struct dt_apps *a, struct dt_flow *f, const uint8_t *p, size_t len,
                         uint64_t ts_ns);

/* An array of n strings of up to 64 bytes (n 0: []). */
void dt_jw_str_array64(dt_jw *w, const char (*items)[64], int n);

#endif
