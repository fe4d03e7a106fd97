/* The flow object of the report and of `datatrail flows` (schema in
 * docs/report-schema.md). */
#ifndef DT_FLOWJSON_H
#define DT_FLOWJSON_H

#include "run/engine.h"
#include "enrich/enrich.h"
#include "util/clock.h"
#include "util/jsonw.h"
#include "report/rollup.h"

/* Appends the JSON object of an ended flow to w (compact, as
 * cJSON_PrintUnformatted would print it); ep (enrichment of the server) may
 * be NULL; with_streams adds the reassembled prefixes (hex); vendor (the
 * first party given with --vendor, or NULL) decides server.recipient.party.
 * Returns 0, or -1 when out of memory. */
int dt_flow_json_write(dt_jw *w, const dt_input_info *in, const dt_flow *f,
                       const dt_endpoint_info *ep, int with_streams, const char *vendor);

/* The texts of a flow's addresses and of its local sides' MACs (NULL: none
 * shown), as dt_flow_rollup_fields made them: dt_flow_json_write_texts
 * takes them instead of writing them again (NULL: it writes them). */
typedef struct dt_flow_texts {
    const char *ip[2], *mac[2];
} dt_flow_texts;
int dt_flow_json_write_texts(dt_jw *w, const dt_input_info *in, const dt_flow *f,
                             const dt_endpoint_info *ep, int with_streams, const char *vendor,
                             const dt_flow_texts *texts);

/* Fills out with the fields of the flow object the rollups read (the same
 * values dt_flow_json_write writes); ips holds the address and MAC texts. */
void dt_flow_rollup_fields(const dt_flow *f, const dt_endpoint_info *ep,
                           char ips[4][DT_ADDR_STRLEN], dt_rollup_flow *out);

/* The 30 cells of the flow's CSV row (DT_CSV_FLOW_COLUMNS, report/render.h),
 * the values its JSON object holds as text (NULL: null or absent); bufs has
 * room for the numbers and addresses (12 of 48 bytes). */
void dt_flow_csv_cells(const dt_input_info *in, const dt_flow *f, const dt_endpoint_info *ep,
                       char bufs[][48], const char **cells);

#endif
