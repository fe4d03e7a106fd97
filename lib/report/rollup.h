/* Report rollups: totals per country, organisation (ASN), company, registrable
 * domain and remote endpoint, plus summary additions (bytes up/down, distinct
 * counts, encrypted vs plaintext share, plaintext destinations).
 *
 * The input is the part of the flow object the rollups use (dt_rollup_flow),
 * filled from the flow struct during a run or from the flow objects of
 * reports (`datatrail merge`); rollups of parts read in parallel are merged in
 * input order.  Either way the result is the JSON of one run over all inputs.
 *
 * Upload = bytes sent by the local side (the client if client.local, else the
 * server if server.local, else the client).  The remote endpoint is the other
 * side.  Flows between two local addresses are counted as local only.
 * Memory grows with distinct endpoints and names, not with flows (flow start
 * times are kept per endpoint for the rhythm, at most DT_ROLLUP_MAX_STARTS),
 * up to DT_ROLLUP_MAX_BYTES in all.  Endpoints are keyed by binary address
 * and organisations by ASN; every other string (country, organisation,
 * company, domain, name) is stored once per rollup in a string pool
 * (report/tally.h) and referenced from every table; text is made for the
 * addresses only when the rows are written.
 * Schema: docs/report-schema.md. */
#ifndef DT_ROLLUP_H
#define DT_ROLLUP_H

#include "report/jsonfmt.h"

#include <stddef.h>
#include <stdint.h>

#define DT_ROLLUP_MAX_STARTS 100000 /* flow start times kept per endpoint */
#define DT_ROLLUP_TOP 5             /* rows of top_organizations / top_domains */
/* Memory of all tables of one rollup (entries, the string pool, start times).  Once
 * reached, no new key is added anywhere (existing ones keep counting; the
 * totals of the summary stay exact) and each key turned away is counted in
 * summary.rollup_entries_dropped. */
#define DT_ROLLUP_MAX_BYTES (48u << 20)

typedef struct dt_rollup dt_rollup;

/* What the rollups read of one flow: fields of the flow object (client.ip,
 * server.country, tls.sni, ...), filled from the flow struct during a run
 * (dt_flow_rollup_fields) or from a flow object of a report (merge).  Strings
 * may be NULL; empty strings count as missing, as null does in the JSON.
 * Times are what the JSON text holds: truncated to ts_digits. */
typedef struct dt_rollup_flow {
    const char *client_ip, *server_ip;
    uint64_t client_port, server_port;
    int client_local, server_local;
    uint64_t client_bytes, server_bytes;
    const char *app;
    int encrypted; /* has a tls or quic object, or encrypted_dns */
    const char *name, *name_source, *tls_sni, *quic_sni, *http_host;
    /* enrichment of the server */
    const char *country, *org, *domain, *transfer;
    uint64_t asn; /* 0: none */
    int have_time, ts_digits;
    uint64_t first_ns, last_ns;
    /* recipients: server.recipient and server.host (NULL name: none) */
    const char *recipient, *recipient_evidence, *recipient_category;
    int recipient_identified;
    const char *host, *host_category;
    /* geo: server.registered_country (the registry's; country is the location) */
    const char *registered_country;
    /* devices: client.mac, server.mac (a local side's Ethernet address) */
    const char *client_mac, *server_mac;
    /* decode (issue 15): process.name and its id, "pid" or "uid" (process_kind NULL: no
     * process object) */
    const char *process_name, *process_kind;
    int64_t process_id;
    /* dhcp.client_mac, .host_name, .vendor_class: name the device of that
     * Ethernet address (also when the flow has no local side: 0.0.0.0) */
    const char *dhcp_mac, *dhcp_host_name, *dhcp_vendor_class;
    /* personal data (issue 18): the distinct kinds of the flow's findings
     * (dt_personal_kind_add), how many findings, the detector's bounds hit */
    const char *finding_kinds[16];
    int n_finding_kinds;
    uint64_t findings, findings_dropped, findings_inflate_bounded;
    /* the enricher's endpoint the server's fields came from (its serial and
     * cache slot, dt_endpoint_info), ep_serial 0: none (a report's flow) */
    uint64_t ep_serial;
    uint32_t ep_slot;
    /* 1: no string but the addresses is "" (dt_flow_rollup_fields makes
     * them NULL), so dt_rollup_add need not look at each */
    int no_empty;
} dt_rollup_flow;

/* 1 when a local side of f is device (an address or MAC address as
 * dt_device_parse writes it). */
int dt_rollup_flow_of_device(const dt_rollup_flow *f, const char *device);

/* Transfer classes and protection, as the summary counts them. */
typedef enum dt_ru_transfer {
    DT_RU_TR_EEA,
    DT_RU_TR_ADEQUATE,
    DT_RU_TR_ADEQUATE_PARTIAL,
    DT_RU_TR_THIRD_COUNTRY,
    DT_RU_TR_UNKNOWN,
    DT_RU_TR_LOCAL,
    DT_RU_TR_COUNT
} dt_ru_transfer;
typedef enum dt_crypto {
    DT_CRYPTO_ENCRYPTED,
    DT_CRYPTO_PLAINTEXT,
    DT_CRYPTO_UNKNOWN,
    DT_CRYPTO_COUNT
} dt_crypto;

/* How the rollups count a flow (and policies judge it, report/policy.h). */
typedef struct dt_ru_flow_view {
    enum {
        DT_RU_FLOW_NO_LOCAL, /* no side is local: no upload, no download */
        DT_RU_FLOW_LOCAL,    /* both sides local, or a local server (multicast ...) */
        DT_RU_FLOW_REMOTE
    } kind;
    int srv_remote;    /* the remote side is the server (else the client) */
    uint64_t up, down; /* what the local side sent and received (not for NO_LOCAL) */
    int transfer;      /* dt_ru_transfer of server.transfer, -1 when none */
    dt_crypto crypto;  /* encrypted, plaintext or unknown */
} dt_ru_flow_view;
void dt_rollup_flow_view(const dt_rollup_flow *f, dt_ru_flow_view *v);

dt_rollup *dt_rollup_new(void);
/* Another memory limit than DT_ROLLUP_MAX_BYTES (tests). */
void dt_rollup_set_limit(dt_rollup *r, size_t bytes);
/* Keys turned away because the memory limit was reached. */
uint64_t dt_rollup_dropped(const dt_rollup *r);
/* Adds one flow.  Returns 0, or -1 when out of memory (counted partly). */
int dt_rollup_add(dt_rollup *r, const dt_rollup_flow *f);
/* Adds everything of src to dst as if src's flows were added after dst's
 * (the same output, except where a table of dst or src reached its size
 * limit).  Returns 0, or -1 when out of memory. */
int dt_rollup_merge(dt_rollup *dst, const dt_rollup *src);
/* The first party (the device's maker, `--vendor`): parties of recipients
 * are relative to it.  Without one, dt_rollup_vendor infers it: the
 * identified car maker among the recipients with the most flows (*inferred
 * set; NULL when there is none). */
void dt_rollup_set_vendor(dt_rollup *r, const char *vendor);
const char *dt_rollup_vendor(const dt_rollup *r, int *inferred);

/* ---- the tables as rows, in report order (bytes_up descending) ---- */

typedef enum dt_ru_table {
    DT_RU_COUNTRIES,
    DT_RU_ORGS,
    DT_RU_COMPANIES,
    DT_RU_HOSTING,
    DT_RU_DOMAINS,
    DT_RU_ENDPOINTS,
    DT_RU_PLAIN, /* the summary's plaintext_destinations */
    DT_RU_DEVICES,
    DT_RU_PROCESSES /* written only when a flow has a process */
} dt_ru_table;

/* Parties of recipients to the device (see dt_party_of). */
typedef enum dt_ru_party {
    DT_RU_FIRST_PARTY,
    DT_RU_SUPPORT_PARTY,
    DT_RU_THIRD_PARTY,
    DT_RU_UNKNOWN_PARTY,
    DT_RU_PARTY_COUNT
} dt_ru_party;
const char *dt_ru_party_name(dt_ru_party p);       /* "first_party", ... "unknown" */
const char *dt_ru_transfer_name(dt_ru_transfer t); /* "eea", ..., "local" */
const char *dt_crypto_name(dt_crypto c);           /* "encrypted", "plaintext", "unknown" */
const char *dt_seen_name(int bit); /* bit of dt_ru_key.mask of names: "sni", "quic", ... */
/* bit of dt_ru_company.evidence: "domain", "cert", "unidentified" */
const char *dt_source_name(int bit);
const char *dt_rollup_table_name(dt_ru_table t); /* its key in the report */

typedef struct dt_ru_counts {
    uint64_t up, down, flows;
} dt_ru_counts;

typedef struct dt_ru_key {
    const char *key;
    uint64_t bytes_up;
    unsigned mask; /* names: where seen (dt_seen_name) */
} dt_ru_key;

/* Entries of a nested table, by bytes_up. */
typedef struct dt_ru_keys {
    const dt_ru_key *v;
    size_t n;
} dt_ru_keys;

typedef struct dt_ru_country {
    const char *code; /* "": flows without a country */
    const char *name, *transfer;
    const char *adequacy_note; /* the scope of its adequacy decision, or NULL */
    dt_ru_counts c;
    uint64_t endpoints;
    dt_ru_keys top_organizations, top_domains; /* DT_ROLLUP_TOP at most */
} dt_ru_country;

typedef struct dt_ru_org {
    uint64_t asn;
    const char *org;
    dt_ru_keys countries;
    dt_ru_counts c;
    uint64_t endpoints;
} dt_ru_org;

/* A recipient (the "companies" table). */
typedef struct dt_ru_company {
    const char *name;
    int identified;
    unsigned evidence; /* bits of dt_source_name */
    const char *category, *party;
    dt_ru_keys countries;
    dt_ru_counts c;
    dt_ru_keys domains;
} dt_ru_company;

/* A hosting network (the "hosting" table). */
typedef struct dt_ru_host {
    const char *name, *category;
    const uint64_t *asns; /* ascending */
    size_t n_asns;
    dt_ru_keys countries;
    dt_ru_counts c;
    dt_ru_keys recipients;
} dt_ru_host;

typedef struct dt_ru_domain {
    const char *domain;
    dt_ru_keys names;      /* with where they were seen */
    const char *recipient; /* of the most upload bytes among its flows */
    dt_ru_keys countries;
    dt_ru_counts c;
} dt_ru_domain;

typedef struct dt_ru_rhythm {
    uint64_t connections;
    int have_intervals; /* 2 flow starts or more */
    double median_s, mad_s, min_s, max_s;
} dt_ru_rhythm;

typedef struct dt_ru_endpoint {
    const char *ip;
    dt_ru_keys names;
    const uint64_t *ports; /* ascending */
    size_t n_ports;
    const char *country;
    int have_asn;
    uint64_t asn;
    const char *registered_country; /* NULL: unknown */
    const char *org, *recipient, *party, *host, *transfer;
    dt_ru_counts c;
    int have_time, ts_digits;
    uint64_t first_ns, last_ns;
    dt_ru_rhythm rhythm;
    const uint64_t *starts; /* the flow start times kept (ns, as added; DT_ROLLUP_MAX_STARTS) */
    size_t n_starts;
} dt_ru_endpoint;

/* A device: a local side, by its Ethernet address when known, else by address. */
typedef struct dt_ru_device {
    const char *device; /* the MAC address, or the IP address */
    const char *mac;    /* NULL: not known */
    dt_ru_keys addresses, recipients, countries;
    dt_ru_keys names, vendor_classes; /* from DHCP (empty: none) */
    dt_ru_counts c;                   /* up: what the device sent */
    uint64_t local_flows;
} dt_ru_device;

/* A process of the local host (PKTAP, PCAPdroid), by name: its ids (ascending). */
typedef struct dt_ru_process {
    const char *name; /* "": none in the capture */
    const uint64_t *pids, *uids;
    size_t n_pids, n_uids;
    dt_ru_counts c; /* up: what the process sent */
    dt_ru_keys countries;
} dt_ru_process;

typedef struct dt_ru_plain {
    const char *destination;
    int port;
    const char *app;
    dt_ru_counts c;
} dt_ru_plain;

/* What the rollups add to the summary. */
typedef struct dt_ru_totals {
    uint64_t bytes_up, bytes_down, local_flows, remote_addresses, remote_names, domains, countries,
        organizations, companies, hosting_networks, rollup_entries_dropped;
    /* public flows with a server name, and those whose recipient is identified */
    dt_ru_counts named, identified;
    /* by party of the recipient (dt_ru_party), and its recipients */
    dt_ru_counts parties[DT_RU_PARTY_COUNT];
    uint64_t party_recipients[DT_RU_PARTY_COUNT];
    dt_ru_counts encryption[DT_CRYPTO_COUNT];
    dt_ru_counts transfers[DT_RU_TR_COUNT];
    /* flows in which no side is local: not counted as upload or download */
    dt_ru_counts direction_unknown;
    /* remote flows (and endpoints) whose location and registered country differ */
    dt_ru_counts disagreements;
    uint64_t disagreeing_endpoints;
} dt_ru_totals;

/* Calls fn with each row of table t (a dt_ru_country, ... by t), valid during
 * the call, in report order, at most max rows (0: all); stops at the first
 * non-zero return, which it returns (-1 when out of memory). */
typedef int (*dt_ru_fn)(void *ctx, const void *row);
int dt_rollup_each(const dt_rollup *r, dt_ru_table t, size_t max, dt_ru_fn fn, void *ctx);
/* Rows of table t. */
size_t dt_rollup_rows(const dt_rollup *r, dt_ru_table t);
void dt_rollup_totals(const dt_rollup *r, dt_ru_totals *out);

/* ---- JSON (report/rollup_json.c) ---- */

/* The value of the summary's "transfers". */
void dt_rollup_write_transfers(const dt_rollup *r, dt_fw *f);
/* The summary members the rollups add (bytes_up ... rollup_entries_dropped). */
int dt_rollup_write_summary(const dt_rollup *r, dt_fw *f);
/* Table t as a JSON array (the value of its key). */
int dt_rollup_write_table(const dt_rollup *r, dt_ru_table t, dt_fw *f);

void dt_rollup_free(dt_rollup *r);

#endif
