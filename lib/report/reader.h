/* Reading what datatrail wrote (JSON): reports for `merge`, flow lines for
 * the CSV of `flows`.  The only place of lib/report that reads JSON (cJSON);
 * what it reads goes into the report model (report/model.h, rollup.h). */
#ifndef DT_REPORT_READER_H
#define DT_REPORT_READER_H

#include "report/rollup.h"

#include <cjson/cJSON.h>
#include <stdio.h>

/* The fields the rollups read of a flow object (strings point into flow).
 * Returns 0, or 1 when it is not usable (not an object, no client/server). */
int dt_reader_rollup_flow(const cJSON *flow, dt_rollup_flow *out);

/* A flow line (JSON) as a CSV row of DT_CSV_FLOW_COLUMNS, after the header
 * when header != 0.  Returns 0, or -1 when it is not JSON or on a write
 * error. */
int dt_reader_flow_csv(const char *line, FILE *out, int header);

#endif
