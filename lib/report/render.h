/* Human and CSV renderings of a report (the JSON object the report writes,
 * with the rollups of rollup.h; "flows" is not needed).  Text from the
 * capture (names, organisations) is printed with control characters and
 * invalid UTF-8 replaced, so a hostile capture cannot drive the terminal. */
#ifndef DT_RENDER_H
#define DT_RENDER_H

#include <cjson/cJSON.h>
#include <stdio.h>

#define DT_RENDER_ROWS 10 /* rows per table in the text summary */

/* A readable summary for a terminal: headline (span, packets, flows, bytes up
 * and down, share of the upload leaving the EU/EEA, encrypted share), tables
 * per country, company and domain fitting `width` columns (clamped to
 * 60..300; names truncated with an ellipsis), plaintext destinations and
 * warnings.  ANSI colours only when color != 0.  Returns 0, or -1 on a write
 * error. */
int dt_render_text(const cJSON *report, FILE *out, int width, int color);

/* One CSV row (RFC 4180: CRLF, fields with , " CR LF or outer spaces quoted)
 * per flow object, after the header row when header != 0.  The column list
 * is fixed (DT_CSV_FLOW_COLUMNS). */
#define DT_CSV_FLOW_COLUMNS                                                                        \
    "first_seen,last_seen,proto,app,client_ip,client_port,client_local,server_ip,server_port,"     \
    "server_local,server_name,name_source,sni,quic_sni,http_host,encrypted_dns,country,asn,org,"   \
    "company,domain,transfer,client_packets,client_bytes,server_packets,server_bytes,end,input"
int dt_render_csv_flows(const cJSON *flow, FILE *out, int header);

/* report["endpoints"] as CSV, header first (DT_CSV_ENDPOINT_COLUMNS); lists
 * (names, ports) are joined with spaces. */
#define DT_CSV_ENDPOINT_COLUMNS                                                                    \
    "ip,names,ports,country,asn,org,company,transfer,bytes_up,bytes_down,flows,first_seen,"        \
    "last_seen,connections,interval_median_s,interval_mad_s,interval_min_s,interval_max_s"
int dt_render_csv_endpoints(const cJSON *report, FILE *out);

#endif
