/* Human and CSV renderings of a report, drawn from its model (the summary
 * counters and the rollups' rows; flows are not needed).  Text from the
 * capture (names, organisations) is printed with control characters and
 * invalid UTF-8 replaced, so a hostile capture cannot drive the terminal. */
#ifndef DT_RENDER_H
#define DT_RENDER_H

#include "report/model.h"
#include "report/policy.h"
#include "report/window.h"
#include "report/rollup.h"

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
} dt_render_model;
int dt_render_text(const dt_render_model *m, FILE *out, int width, int color);

/* A byte count as the text report shows it ("2.4 kB"), and a cell of exactly
 * cols columns (left or right aligned, control characters and invalid UTF-8
 * replaced, cut with an ellipsis) followed by sep: for other text outputs
 * (diff, compare). */
char *dt_render_bytes(double b, char *buf, size_t len);
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
