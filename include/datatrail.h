/* datatrail: which countries and companies received data from a device?
 *
 * The public API of the datatrail library (CMake target datatrail_core): read
 * captures (a file, or packets pushed one at a time), many inputs at once,
 * enrichment (country, ASN, recipient and host), an address lookup, and the report
 * (build, merge, write as JSON, text or CSV).  Everything else under lib/ is
 * private.  Handles are opaque; options and results are plain structs that
 * the caller owns.  The library never prints: errors come back as text in a
 * caller's buffer or through a callback.  Writing MaxMind DB files is a
 * library of its own: datatrail_geodb.h.
 *
 * Design note (nested option and result types).  dt_engine_config nests the
 * decoder's and the flow table's limits and the --local networks, and
 * dt_input_info nests the decoder's counters.  These are moved here as they
 * are, plain structs, rather than mirrored by a flat public struct converted
 * inside the library: a second copy of every limit and counter would be
 * duplicate code to keep in step, and the internal headers (decode/decode.h,
 * flow/flow.h, util/addr.h, enrich/ipclass.h, enrich/geo.h, run/engine.h,
 * run/batch.h, report/report.h, enrich/enrich.h) include this header for them
 * instead of defining their own.  The two arrays of dt_decode_stats indexed by
 * internal enums (tunnel kinds, malformed reasons) get public capacities
 * (DT_MAX_TUNNEL_KINDS, DT_MAX_ANOMALIES, checked against the enums with
 * static asserts in decode/decode.h); the report names their entries.  A flow
 * (dt_flow) stays opaque: the report is the sink; there are no accessors. */
#ifndef DATATRAIL_H
#define DATATRAIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- Addresses ------------------------------------------------------------------------- */

typedef struct dt_addr {
    uint8_t family; /* 4 or 6; 0 = none */
    uint8_t a[16];  /* IPv4 in the first 4 bytes, rest zero */
} dt_addr;

#define DT_ADDR_STRLEN 46

/* Parses dotted IPv4 or IPv6 text; returns 0 on success. */
int dt_addr_parse(const char *s, dt_addr *out);
/* Writes the textual form (inet_ntop) into buf; returns buf. */
char *dt_addr_str(const dt_addr *x, char *buf, size_t len);

typedef struct dt_cidr {
    dt_addr net; /* host bits cleared */
    int bits;    /* prefix length: 0..32 or 0..128 */
} dt_cidr;

/* Parses "ADDR/BITS" or a bare address (host route).  Host bits are cleared.
 * Returns 0 on success, -1 on malformed input. */
int dt_cidr_parse(const char *s, dt_cidr *out);

/* ---- Reading one input: the engine ------------------------------------------------------ */

#define DT_MAX_LOCAL_NETS 64
#define DT_MAX_LINKTYPES 16
#define DT_MAX_INPUT_ERRORS 8
#define DT_MAX_TUNNEL_KINDS 16 /* capacity of dt_decode_stats.tunneled */
#define DT_MAX_ANOMALIES 128   /* capacity of dt_decode_stats.malformed_by_reason */

/* The link types datatrail decodes: LINKTYPE_* values (tcpdump.org/linktypes.html),
 * the first argument of dt_engine_feed(). */
#define DT_LINKTYPE_NULL 0              /* BSD loopback: 4-byte address family */
#define DT_LINKTYPE_ETHERNET 1          /* Ethernet II / 802.3 */
#define DT_LINKTYPE_SLIP 8              /* SLIP with its 16-byte pseudo-header */
#define DT_LINKTYPE_PPP 9               /* PPP */
#define DT_LINKTYPE_FDDI 10             /* FDDI: frame control, addresses, 802.2 LLC */
#define DT_LINKTYPE_RAW_DLT12 12        /* raw IP (DLT_RAW on some systems) */
#define DT_LINKTYPE_RAW_DLT14 14        /* raw IP (OpenBSD DLT_RAW) */
#define DT_LINKTYPE_PPP_HDLC 50         /* PPP in HDLC-like framing */
#define DT_LINKTYPE_RAW 101             /* raw IPv4 or IPv6 */
#define DT_LINKTYPE_C_HDLC 104          /* Cisco HDLC */
#define DT_LINKTYPE_IEEE802_11 105      /* 802.11 without radio header */
#define DT_LINKTYPE_FRELAY 107          /* Frame Relay (Q.922 address, RFC 2427 or Cisco) */
#define DT_LINKTYPE_LOOP 108            /* OpenBSD loopback (address family big-endian) */
#define DT_LINKTYPE_LINUX_SLL 113       /* Linux cooked capture v1 */
#define DT_LINKTYPE_RADIOTAP 127        /* 802.11 with a radiotap header */
#define DT_LINKTYPE_ARCNET_LINUX 129    /* ARCNET with the Linux header */
#define DT_LINKTYPE_PPI 192             /* Per-Packet Information header */
#define DT_LINKTYPE_PPP_WITH_DIR 204    /* PPP after a direction byte */
#define DT_LINKTYPE_C_HDLC_WITH_DIR 205 /* Cisco HDLC after a direction byte */
#define DT_LINKTYPE_FRELAY_WITH_DIR 206 /* Frame Relay after a direction byte */
#define DT_LINKTYPE_IPNET 226           /* Solaris ipnet pseudo-header */
#define DT_LINKTYPE_IPV4 228            /* raw IPv4 */
#define DT_LINKTYPE_IPV6 229            /* raw IPv6 */
#define DT_LINKTYPE_NFLOG 239           /* Linux netfilter log (tcpdump -i nflog): TLVs */
#define DT_LINKTYPE_IPOIB 242           /* IP over InfiniBand (RFC 4391 encapsulation header) */
#define DT_LINKTYPE_PKTAP 258           /* Apple PKTAP: interface and process, then a frame */
#define DT_LINKTYPE_LINUX_SLL2 276      /* Linux cooked capture v2 */
#define DT_LINKTYPE_DSA_TAG_BRCM 281    /* Ethernet, Broadcom switch tag after the MACs */
#define DT_LINKTYPE_DSA_TAG_BRCM_PREPEND 282 /* Ethernet after a Broadcom switch tag */
#define DT_LINKTYPE_DSA_TAG_DSA 284          /* Ethernet, Marvell DSA tag after the MACs */
#define DT_LINKTYPE_DSA_TAG_EDSA 285         /* Ethernet, Marvell EDSA tag after the MACs */

/* How an input was read. */
typedef enum dt_status {
    DT_OK = 0,         /* read without error */
    DT_PARTIAL = 1,    /* read with errors: the packets before each error were used */
    DT_UNREADABLE = 2, /* could not be read at all */
} dt_status;

typedef struct dt_decode_limits {
    uint32_t max_frag_datagrams; /* datagrams under reassembly at once (default 1024) */
    uint32_t max_frag_bytes;     /* bytes held for reassembly in total (default 16 MiB) */
    uint64_t frag_timeout_ns;    /* an incomplete datagram is dropped after this (default 30 s) */
    uint32_t max_tunnel_depth;   /* deeper nesting is counted as malformed (default 8) */
} dt_decode_limits;

typedef struct dt_flow_limits {
    uint32_t max_flows;        /* live flows at once (default 100,000) */
    uint64_t idle_timeout_ns;  /* default 300 s */
    uint64_t closed_linger_ns; /* keep a closed TCP flow for late packets (default 10 s) */
    uint32_t stream_cap;       /* per-direction reassembly buffer (default 64 KiB) */
    uint64_t stream_budget;    /* reassembly bytes buffered over all flows (default 64 MiB) */
} dt_flow_limits;

/* What the decoder counted (frames by outcome, fragments, tunnels). */
typedef struct dt_decode_stats {
    uint64_t frames, ip4, ip6, tcp, udp, icmp, icmp6, other_ip;
    uint64_t not_ip, malformed, unsupported_link;
    uint64_t fragments, frag_reassembled, frag_incomplete, frag_overlaps, frag_evicted;
    uint64_t tunneled[DT_MAX_TUNNEL_KINDS]; /* by tunnel kind (the report names them) */
    uint64_t frag_held;  /* frames answered DT_DEC_FRAG_HELD; frames == ip4 + ip6 + not_ip +
                            malformed + unsupported_link + frag_held */
    uint64_t ip_clipped; /* IP length beyond a frame captured whole: clipped to the frame */
    /* malformed frames per reason (the report names them); they sum to malformed */
    uint64_t malformed_by_reason[DT_MAX_ANOMALIES];
} dt_decode_stats;

struct dt_flow_dns; /* one DNS message (opaque) */
struct dt_input_info;

typedef struct dt_input_error {
    uint64_t packet; /* 1-based number of the packet where reading stopped (0: at open) */
    uint64_t offset; /* byte offset in the file, when known */
    char message[256];
} dt_input_error;

typedef struct dt_engine_config {
    dt_decode_limits decode;
    dt_flow_limits flows;
    dt_cidr local[DT_MAX_LOCAL_NETS]; /* --local: local besides private/link-local/ULA/CGNAT */
    int n_local;
    int local_only;   /* --local-only: the networks above are the only local ones */
    int keep_streams; /* keep the reassembled prefixes for the sink (--debug-streams) */
    /* every DNS message, with the flow sink's ctx (NULL: none); dt_report_dns
     * fills a report's DNS table */
    void (*dns_sink)(void *ctx, const struct dt_flow_dns *rec);
    /* every error of an input as it is recorded (it is also kept in
     * dt_input_info.errors), with the flow sink's ctx (NULL: none) */
    void (*on_error)(void *ctx, const struct dt_input_info *in, const dt_input_error *err);
    /* Personal data sent in clear (flows' "findings"): bytes scanned per
     * direction (--pii-bytes; default DT_PII_BYTES_DEFAULT, 0: off), the
     * user's identifiers ("NAME=VALUE", --identifier), and whether samples
     * show the values (--show-values; else masked). */
    uint32_t pii_bytes;
    const char *const *identifiers;
    int n_identifiers;
    int pii_show_values;
} dt_engine_config;

#define DT_PII_BYTES_DEFAULT (16u << 10)
#define DT_MAX_IDENTIFIERS 64

/* Sets the C library's allocator up for a long run (huge pages where the system
 * allows them, freed memory kept for reuse): call it first in main(), before
 * anything allocates.  Only a hint; the output never depends on it. */
void dt_heap_setup(void);

/* The defaults: every limit at its default, no --local networks, no sinks. */
void dt_engine_config_default(dt_engine_config *c);
/* 0, or -1 with "what is wrong" in err: an identifier that is not NAME=VALUE
 * (a name of 1-31 characters, a value of 4-200), too many of them. */
int dt_engine_config_check(const dt_engine_config *c, char *err, size_t errlen);

typedef struct dt_linktype_count {
    int linktype;
    uint64_t packets;
    uint8_t supported;
} dt_linktype_count;

/* What one input contributed; filled by the engine. */
typedef struct dt_input_info {
    const char *path;
    char format[16];
    dt_linktype_count links[DT_MAX_LINKTYPES];
    int n_links;
    uint64_t packets;
    uint64_t bytes;      /* captured bytes (the records' captured lengths) */
    uint64_t wire_bytes; /* the lengths on the wire the records claim, where plausible (see
                            DT_WIRELEN_MAX in decode/decode.h); else the captured length */
    uint64_t first_ns, last_ns;
    uint8_t ts_digits;
    int opened; /* 0: could not be opened at all */
    dt_input_error errors[DT_MAX_INPUT_ERRORS];
    int n_errors;
    uint64_t errors_total;
    dt_decode_stats decode;
    uint64_t flows, tcp_flows, udp_flows, flows_evicted, tcp_gaps;
    uint64_t peak_live_flows;
    uint64_t reassembly_peak_bytes; /* most TCP bytes buffered at once */
    uint64_t reassembly_refused;    /* streams that stopped buffering: budget reached */
    uint64_t parser_state_refused;  /* per-flow parser state refused: its limit reached */
} dt_input_info;

/* One flow (opaque: handed to a sink such as dt_report_flow). */
typedef struct dt_flow dt_flow;

/* Called once per ended flow, before it is freed. */
typedef void (*dt_flow_sink)(void *ctx, const dt_input_info *in, const dt_flow *f);

/* The pipeline for one input (decode -> flows and TCP reassembly ->
 * application parsers), fed one packet at a time. */
typedef struct dt_engine dt_engine;

/* A new engine for one input; sink (may be NULL) gets every flow as it ends,
 * with ctx.  cfg must outlive the engine.  NULL when out of memory. */
dt_engine *dt_engine_new(const dt_engine_config *cfg, dt_flow_sink sink, void *ctx);
/* Names the input (optional, before the first packet): its number in a run,
 * its path (kept as a pointer) and format ("pcapng"...). */
void dt_engine_set_input(dt_engine *e, uint32_t index, const char *path, const char *format);
/* The packets fed from now on have timestamps with this many fractional
 * digits (6: microseconds, 9: nanoseconds); the input's precision is the
 * largest given.  Without it, times are written with 6 digits. */
void dt_engine_set_ts_digits(dt_engine *e, int digits);
/* One packet: its link type (DT_LINKTYPE_*), time (ns since the Unix epoch),
 * caplen captured bytes at data, of wirelen on the wire. */
void dt_engine_feed(dt_engine *e, int linktype, uint64_t ts_ns, const uint8_t *data,
                    uint32_t caplen, uint32_t wirelen);
/* Records an error of the input (e.g. where its reader stopped): packet is
 * the 1-based packet number (0: at open), offset the byte offset if known. */
void dt_engine_add_error(dt_engine *e, uint64_t packet, uint64_t offset, const char *msg);
/* Ends the flows still live (in creation order) and completes the input's
 * counters.  Returns DT_OK, or DT_PARTIAL if errors were recorded.  Feed no
 * more packets after it. */
dt_status dt_engine_finish(dt_engine *e);
/* What the input contributed so far (complete after dt_engine_finish()). */
const dt_input_info *dt_engine_info(const dt_engine *e);
void dt_engine_free(dt_engine *e);

/* Reads one capture file (pcap or pcapng, optionally gzip-compressed; "-":
 * stdin) completely: opens it, feeds every packet, finishes.  info receives
 * what the input contributed; progress (may be NULL) gets the file bytes
 * consumed about every MiB and at the end. */
dt_status dt_engine_run(const dt_engine_config *cfg, const char *path, uint32_t input_index,
                        dt_flow_sink sink, void *ctx, dt_input_info *info,
                        void (*progress)(void *pctx, uint64_t bytes), void *pctx);

/* ---- Geo databases and the address lookup ------------------------------------------------ */

typedef struct dt_geo_config {
    const char *country_db, *asn_db, *city_db, *override_db; /* explicit files, or NULL */
    /* where addresses are (data/location.mmdb: DB-IP Lite); the country database is then the
     * registry's view (who holds the range).  Searched for only when country_db is NULL. */
    const char *location_db;
    const char *geodb_dir; /* --geodb-dir, searched first */
    const char *data_dir;  /* the project's data/ directory, searched after the environment */
    size_t cache_entries;  /* rounded up to a power of two, at most 2^20; 0 = 8192 (small enough to
                              stay in cache) */
    int no_system_search;  /* 1: ignore DATATRAIL_GEODB_DIR and the system GeoIP dirs */
    /* country names where a database has none (data/countries.json as the
     * enricher loaded it; NULL: loaded from the data directory on first use) */
    const struct dt_countries *countries;
} dt_geo_config;

typedef struct dt_geo_result {
    char country[3];            /* ISO 3166-1 alpha-2 of the location, "" if unknown */
    char registered_country[3]; /* of the registration (registry database), "" if unknown */
    char country_name[64];      /* English name, "" if unknown */
    char city[64];
    uint32_t asn; /* 0 if unknown */
    char org[128];
    const char *class; /* address class: "public", "private", "loopback", ... (static) */
} dt_geo_result;

/* Country, city and ASN databases (MaxMind DB files). */
typedef struct dt_geo dt_geo;

/* Opens the databases.  A path given explicitly that cannot be opened is an error (NULL, reason
 * in warn).  Otherwise succeeds, possibly with zero databases, in which case warn says so.
 * Search order for a database not given: geodb_dir, $DATATRAIL_GEODB_DIR, data_dir,
 * /usr/share/GeoIP, /var/lib/GeoIP, /usr/local/share/GeoIP. */
dt_geo *dt_geo_open(const dt_geo_config *cfg, char *warn, size_t warnlen);
void dt_geo_close(dt_geo *g);

/* Fills out.  Special-purpose addresses are classified, not looked up; IPv4-mapped and NAT64
 * addresses are looked up by their embedded IPv4 address.  Returns 1 if some database had data,
 * 0 if nothing was found, -1 on bad arguments.  Results are cached per address. */
int dt_geo_lookup(dt_geo *g, const dt_addr *a, dt_geo_result *out);

/* The databases in use, i from 0 to dt_geo_db_count() - 1. */
int dt_geo_db_count(const dt_geo *g);
const char *dt_geo_db_path(const dt_geo *g, int i);
const char *dt_geo_db_kind(const dt_geo *g, int i);       /* "country", "asn", "city", "override" */
const char *dt_geo_db_type(const dt_geo *g, int i);       /* metadata database_type */
const char *dt_geo_db_schema(const dt_geo *g, int i);     /* e.g. "geolite2-country" */
const char *dt_geo_db_build_date(const dt_geo *g, int i); /* RFC 3339, UTC */
const char *dt_geo_db_attribution(const dt_geo *g, int i);

/* What `datatrail lookup` prints for addrs[0..n-1] (looked up in g) to out:
 * text lines "IP  CC Country (City)  ASN Org  class", preceded by the
 * databases with DT_LOOKUP_INFO; or with DT_LOOKUP_JSON one JSON object
 * {"databases":[...],"results":[...]} (each result on a line of its own).
 * Returns 0, or -1 when out of memory. */
enum { DT_LOOKUP_JSON = 1, DT_LOOKUP_INFO = 2 };
int dt_lookup_print(FILE *out, dt_geo *g, const dt_addr *addrs, int n, int flags);

/* ---- Enrichment: country, network, recipient and host, EU/EEA transfer class --------------- */

#define DT_MAX_USER_ENTITIES 16

typedef struct dt_enrich_config {
    dt_geo_config geo;
    const char *data_dir; /* entities.json and countries.json; NULL = default */
    const char *entities[DT_MAX_USER_ENTITIES]; /* --entities files, merged in order */
    int n_entities;
} dt_enrich_config;

typedef struct dt_enricher dt_enricher;

/* The data directory (entities.json, countries.json, the geo databases):
 * $DATATRAIL_DATA_DIR when set; else the first holding entities.json of:
 * share/datatrail beside the program's bin/ (an installed copy), the source
 * tree's data/ the library was built from, /usr/local/share/datatrail,
 * /usr/share/datatrail. */
const char *dt_data_dir(void);

void dt_enrich_config_default(dt_enrich_config *c);

/* Opens the geo databases and loads the entity and country tables.  A missing
 * geo database is not an error (warn says so); a broken data file is (err). */
dt_enricher *dt_enricher_open(const dt_enrich_config *c, char *warn, size_t warnlen, char *err,
                              size_t errlen);
void dt_enricher_close(dt_enricher *e);

/* The entity named `name` in the entity data of c (data/entities.json and the
 * --entities files; case-insensitive), for `--vendor`: 0 and its name as the
 * data spells it in out; 1 when no entity has that name; -1 and err when the
 * data cannot be read. */
int dt_entity_name_resolve(const dt_enrich_config *c, const char *name, char *out, size_t outlen,
                           char *err, size_t errlen);

/* ---- The report ------------------------------------------------------------------------- */

typedef enum dt_report_mode {
    DT_OUT_REPORT = 0, /* one report at dt_report_finish() */
    DT_OUT_FLOWS       /* one line per flow as flows end (NDJSON or CSV) */
} dt_report_mode;
typedef enum dt_report_format {
    DT_FMT_JSON = 0,
    DT_FMT_TEXT,
    DT_FMT_CSV,
    DT_FMT_HTML
} dt_report_format;

/* The format named `name` (a --format value: "json", "text", "csv", "html"; "ndjson"
 * too in flows mode) usable in mode: 0 and *out set, or -1. */
int dt_report_format_parse(const char *name, dt_report_mode mode, dt_report_format *out);
/* The names usable in mode, for messages ("json, text or csv"), in buf. */
const char *dt_report_format_names(dt_report_mode mode, char *buf, size_t len);

/* A policy (docs/policy.md): allowed and denied countries, transfer classes,
 * recipients and domains, a plaintext rule and a volume limit per recipient
 * per hour, read from a JSON file.  A report made with one lists the flows
 * that break it in "violations". */
typedef struct dt_policy dt_policy;
/* Reads the policy file at path; NULL with "path: reason" in err (not JSON,
 * an unknown key, a value of the wrong type, a country code that is not one). */
dt_policy *dt_policy_load(const char *path, char *err, size_t errlen);
/* The same from text (name stands for the file in messages). */
dt_policy *dt_policy_parse(const char *text, size_t len, const char *name, char *err,
                           size_t errlen);
void dt_policy_free(dt_policy *p);

typedef struct dt_report_opts {
    dt_report_mode mode;
    dt_report_format format;
    int debug_streams;       /* add "streams" (hex of reassembled prefixes) to TCP flows */
    int no_flows;            /* report without the "flows" array */
    int width, color;        /* text format */
    dt_enricher *enricher;   /* NULL: no enrichment fields */
    const char *geo_warning; /* shown in the report's "warnings" */
    /* echoed as "options" when not NULL (local networks, idle timeout, flow
     * and stream limits) with echo_geo ("geo": geolocation on) */
    const dt_engine_config *echo;
    int echo_geo;
    /* the device's maker, an entity name (--vendor): recipients' parties are
     * relative to it; NULL: the report infers it (see docs/report-schema.md) */
    const char *vendor;
    /* text and html: rows per table (--top N); 0: the default (text 10, html 200),
     * -1: all (--all) */
    int top;
    /* csv: the table written (--table NAME; NULL: endpoints), and a directory to
     * also write every table into, one NAME.csv each (--per-table DIR), or NULL */
    const char *csv_table, *per_table_dir;
    /* --device: only the flows of this device (its address or MAC address, as
     * dt_device_parse writes it); NULL: every flow */
    const char *device;
    /* --policy: check every flow against it ("violations"); NULL: none (and no
     * "violations" key).  Must outlive the report. */
    const dt_policy *policy;
    /* --window: the upload per recipient per window of this many seconds
     * ("windows"); 0: none (and no "windows" key) */
    uint64_t window_s;
} dt_report_opts;

/* The names of the tables a CSV report can hold, joined with ", " into buf. */
const char *dt_report_csv_tables(char *buf, size_t len);

/* A device as --device names it: an IP address (written canonically) or an
 * Ethernet address (lower case, ':'-separated) into out (at least 48 bytes).
 * Returns 0, or -1 when s is neither. */
int dt_device_parse(const char *s, char *out, size_t len);

/* The report: inputs, summary, DNS table, rollups (countries, companies, hosting,
 * domains, endpoints) and flows.  Flows are written as they end (to out in
 * flows mode, else to a temporary file), so memory does not grow with the
 * capture. */
typedef struct dt_report dt_report;

/* out: where the flows or the final report go.  NULL when out of memory or
 * without temporary file space. */
dt_report *dt_report_new(const dt_report_opts *opts, FILE *out);
void dt_report_free(dt_report *r);

/* A dt_flow_sink: ctx is the dt_report. */
void dt_report_flow(void *ctx, const dt_input_info *in, const dt_flow *f);
/* A dt_engine_config.dns_sink: adds a DNS response to the report's DNS table. */
void dt_report_dns(void *ctx, const struct dt_flow_dns *rec);
/* Records an input once it has been read (after dt_engine_finish() or
 * dt_engine_run()). */
void dt_report_input(dt_report *r, const dt_input_info *in);

/* Adds a report written earlier (datatrail merge), read from path ("-":
 * stdin, at most max bytes) or given as its text.  Returns 0, with err empty
 * or a warning (the report was made with other geo databases than the first
 * one merged: what differs); -1 when it cannot be read or parsed ("path:
 * reason" in err); -2 when it is not a report that can be merged (the reason
 * in err, e.g. it has no flows: made with --no-flows, or a newer schema
 * version). */
int dt_report_merge_file(dt_report *r, const char *path, size_t max, char *err, size_t errlen);
int dt_report_merge_text(dt_report *r, const char *text, size_t len, char *err, size_t errlen);

/* Reading the model back: the number of inputs so far, and a counter of the
 * summary by its key in the report ("packets", "flows", "tcp_flows", ...; see
 * docs/report-schema.md) as the report would show it now.  Returns 0, or -1
 * when key is not such a number (an object of counts, or a value derived only
 * when the report is written: times, the DNS table, the rollups). */
size_t dt_report_input_count(const dt_report *r);
int dt_report_summary_u64(const dt_report *r, const char *key, uint64_t *value);

/* The violations of the report's policy so far (rows of "violations"; 0
 * without a policy). */
size_t dt_report_violations(const dt_report *r);

/* Writes the report (report mode) or ends the flow stream.  Returns 0, or -1
 * on a write error. */
int dt_report_finish(dt_report *r);

/* Writes r as a complete JSON report to out (e.g. a per-file report); r stays
 * usable. */
int dt_report_write_to(dt_report *r, FILE *out);

/* ---- Reports side by side ---------------------------------------------------------------- */

typedef struct dt_diff_opts {
    double min_change;       /* a change beyond this share of the base (0.2: 20%) */
    dt_report_format format; /* DT_FMT_JSON or DT_FMT_TEXT */
    int width;               /* text: columns */
} dt_diff_opts;

/* `datatrail diff`: the reports at base and newer (written by report or
 * merge, with their flows) table by table (countries, recipients, hosting
 * networks, domains, transfer classes, beacon rhythms): rows new, gone, or
 * whose upload or flows (beacons: median interval) changed by more than
 * min_change, written to out.  Returns 1 when something changed beyond it, 0
 * when nothing did, -1 when a report cannot be read ("path: reason" in err:
 * not JSON, not a datatrail report, a newer schema version, no flows), when
 * nothing is written.  warn (may come back empty): the reports were made with
 * different geo databases (also in the output). */
int dt_report_diff(const char *base, const char *newer, const dt_diff_opts *o, FILE *out, char *err,
                   size_t errlen, char *warn, size_t warnlen);

typedef struct dt_compare_opts {
    const char *const *paths; /* the reports */
    int n_paths;
    const char *const *labels; /* --label: the first n_labels columns' labels */
    int n_labels;
    int by_device;           /* a column per device (of all reports) instead of per report */
    dt_report_format format; /* DT_FMT_JSON, DT_FMT_TEXT or DT_FMT_CSV */
    int width;               /* text: columns, folded into blocks that fit */
    int top;                 /* text: rows per table; 0: 10, -1: all */
    const dt_policy *policy; /* --policy: a table of violations ("rule: subject") first */
} dt_compare_opts;

/* `datatrail compare`: the reports side by side, one column each (labelled by
 * --label, else the file name of a report's single input, else "N inputs"),
 * or one per device; rows of countries, recipients, hosting networks, domains
 * and transfer classes, cells with upload bytes and flows, written to out.
 * Returns 0 (1 with a policy some column breaks), or -1 ("path: reason" in
 * err, nothing written) as dt_report_diff; warn: a report made with other geo
 * databases than the first. */
int dt_report_compare(const dt_compare_opts *o, FILE *out, char *err, size_t errlen, char *warn,
                      size_t warnlen);

/* ---- Many inputs into one report -------------------------------------------------------- */

typedef struct dt_batch_progress {
    int done, total;             /* inputs finished / given */
    uint64_t bytes, total_bytes; /* bytes read so far / sum of file sizes (0 if unknown) */
    double elapsed_s;
} dt_batch_progress;

typedef struct dt_batch_opts {
    const dt_engine_config *engine;
    const dt_enrich_config *enrich; /* NULL: no enrichment */
    int jobs;                       /* worker threads (>= 1) */
    const char *per_file_dir;       /* also write one report per input here (an unreadable one too:
                                       its report lists the error), or NULL */
    /* Called from the main thread, at least once per input and about once a second. */
    void (*progress)(void *ctx, const dt_batch_progress *p);
    /* Called from the main thread for every input, in order, after it was read. */
    void (*input_done)(void *ctx, const dt_input_info *in, dt_status st);
    /* Called from the main thread for an error that is not an input's (e.g.
     * "DIR/0001-a.pcap.json: cannot write"). */
    void (*on_error)(void *ctx, const char *message);
    /* Called from the main thread with the temporary file a per-file report
     * is being written to (its path with ".tmp" appended), before it is
     * created, and with NULL once it is renamed into place or removed: a
     * signal handler can remove it. */
    void (*on_temp)(void *ctx, const char *tmp_path);
    void *ctx;
} dt_batch_opts;

typedef struct dt_batch_result {
    int ok, partial, failed; /* inputs read fully / with errors / not at all */
    int write_errors;        /* per-file reports that could not be written */
} dt_batch_result;

/* The per-file report of input number index (from 0) of path input, in dir:
 * DIR/<index + 1, 4 digits>-<file name of input, "stdin" for ->.json.
 * Returns 0, or -1 if it does not fit in len bytes. */
int dt_per_file_path(const char *dir, const char *input, int index, char *buf, size_t len);

/* Reads every path into rep: each input into a part (in parallel with `jobs`
 * worker threads), the parts added in input order, so the output does not
 * depend on the number of jobs.  Returns 0, or -1 (err says why) if the run
 * could not start (e.g. an enricher could not be opened per thread). */
int dt_batch_run(const dt_batch_opts *o, const char *const *paths, int n, dt_report *rep,
                 dt_batch_result *res, char *err, size_t errlen);

#endif
