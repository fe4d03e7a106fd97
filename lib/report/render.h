/* Human and CSV renderings of a report, drawn from its model (the summary
 * counters and the rollups' rows; flows are not needed).  Text from the
 * capture (names, organisations) is printed with control characters and
 * invalid UTF-8 replaced, so a hostile capture cannot drive the terminal. */
#ifndef DT_RENDER_H
#define DT_RENDER_H

#include "report/model.h"
#include "report/policy.h"
#include "report/window.h"
#include "report/personal.h"
#include "report/rollup.h"

#include <stdint.h>
#include <stdio.h>

#define DT_RENDER_ROWS 10 /* rows per table in the text summary */

/* A readable summary for a terminal: headline (span, packets, flows, bytes up
 * and down, share of the upload leaving the EU/EEA, encrypted share), tables
 * per country, company and domain fitting `width` columns (clamped to
 * 40..300; names truncated with an ellipsis), plaintext destinations and
 * warnings.  ANSI colours only when color != 0.  Returns 0, or -1 on a write
 * error. */
typedef struct dt_render_model {
    const dt_rollup *ru;
    const dt_summary *sum;
    int have_time;
    uint64_t first_ns, last_ns;
    int ts_digits;
    const dt_warning *warnings;
    size_t n_warnings;
    int rows;     /* rows per table: 0 = DT_RENDER_ROWS (plaintext: 5), -1 = all */
    int enriched; /* the flows carry enrichment (recipients): names were attributed */
    /* --policy: its violations, a section at the top (NULL: none) */
    const dt_policy_state *pol;
    const dt_policy *policy;
    /* --window: upload per recipient per window, a section after the tables (NULL: none) */
    const dt_window_state *win;
    /* personal data found in flows (issue 18): a lead line and a section
     * when any (NULL or nothing found: neither) */
    const dt_personal *pd;
} dt_render_model;
int dt_render_text(const dt_render_model *m, FILE *out, int width, int color);
/* Personal data found (issue 18), as the text report's lead line and the
 * HTML report state it: "N flows, N findings (kinds)", in buf. */
const char *dt_render_personal(const dt_personal *pd, char *buf, size_t len);

/* The facts a report leads with, as the text report writes them (the HTML
 * report states the same).  Empty strings: the line does not apply. */
typedef struct dt_headline {
    char inputs[256];         /* "2 inputs, 2022-10-24 08:15:02 .. ... UTC (10 min 00 s)" */
    char counts[256];         /* "N packets, N flows (N local), up X, down Y" */
    char leaving[16];         /* share of the upload leaving the EU/EEA: "12.3%" or "unknown" */
    int third_country;        /* some upload went to third countries */
    int located;              /* some server was located (else leaving is "unknown") */
    char leaving_detail[128]; /* "third countries X, adequate Y" or why unknown */
    char unknown_share[64];   /* "destination unknown X" */
    char partial[128];        /* the share under partial adequacy decisions */
    char encrypted[192], remote[192], recipients[192], parties[192], first_party[192];
    char no_local[192]; /* flows with no local side */
} dt_headline;
void dt_render_headline(const dt_render_model *m, const dt_ru_totals *t, dt_headline *h);

/* Calls fn with each line of the data quality section (inputs with errors,
 * frames not decoded, limits reached, flows with no local side, upload to
 * unnamed servers, then the report's warnings). */
void dt_render_quality(const dt_render_model *m, const dt_ru_totals *t,
                       void (*fn)(void *ctx, const char *line), void *ctx);

/* Helpers the renderings share. */
/* Decodes one UTF-8 sequence at s (n > 0 bytes left): its length, or 0 when
 * invalid (overlong, surrogate, out of range, cut short). */
size_t dt_render_utf8(const unsigned char *s, size_t n, uint32_t *cp);
char *dt_render_bytes(double b, char *buf, size_t len);                /* "1.2 MB" */
char *dt_render_pct(double part, double whole, char *buf, size_t len); /* "12.3%", "n/a" */
const char *dt_render_transfer_label(const char *t); /* "EU/EEA", "third country", ... */
const char *dt_render_party_label(const char *p);    /* "first", "support", "third", ... */
/* A cell of exactly cols columns (left or right aligned, control characters
 * and invalid UTF-8 replaced, cut with an ellipsis) followed by sep: for other
 * text outputs (diff, compare). */
void dt_render_cell(FILE *out, const char *s, int cols, int right, const char *sep);

/* One CSV row (RFC 4180: CRLF, fields with , " CR LF or outer spaces quoted)
 * of n cells (NULL: empty), after the header row when header is not NULL. */
int dt_render_csv_row(FILE *out, const char *header, const char *const *cells, size_t n);
/* A JSON number as a CSV cell: without exponent when integral (buf: 64). */
const char *dt_render_csv_number(double x, char *buf, size_t len);

/* The columns of a flow's row (report/reader.c fills them from a flow line). */
#define DT_CSV_FLOW_COLUMNS                                                                        \
    "first_seen,last_seen,proto,app,client_ip,client_port,client_local,server_ip,server_port,"     \
    "server_local,server_name,name_source,sni,quic_sni,http_host,encrypted_dns,country,asn,org,"   \
    "recipient,recipient_evidence,host,domain,transfer,client_packets,client_bytes,"               \
    "server_packets,server_bytes,end,input"
#define DT_CSV_FLOW_NCOLS 30

/* The endpoints as CSV, header first (DT_CSV_ENDPOINT_COLUMNS); lists
 * (names, ports) are joined with spaces. */
#define DT_CSV_ENDPOINT_COLUMNS                                                                    \
    "ip,names,ports,country,asn,org,recipient,party,host,transfer,bytes_up,bytes_down,flows,"      \
    "first_seen,"                                                                                  \
    "last_seen,connections,interval_median_s,interval_mad_s,interval_min_s,interval_max_s"
int dt_render_csv_endpoints(const dt_rollup *ru, FILE *out);
/* Table `name` (NULL: endpoints; devices, countries, companies, hosting,
 * organizations, domains, plaintext) as CSV, header first, every row; lists
 * joined with spaces.  -1 for an unknown name or a write error. */
int dt_render_csv_table(const dt_rollup *ru, const char *name, FILE *out);
/* The names of those tables, i from 0 (NULL past the last). */
const char *dt_render_csv_table_name(size_t i);

#endif
