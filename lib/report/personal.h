/* The report's "personal_data" table (issue 18): per (kind, recipient,
 * country) the flows with findings of that kind and their first and last
 * seen, from the flows' findings (as they end, or from the flow objects of
 * reports for merge); with the detector's bounds hit.  Absent from the report
 * when no flow had a finding. */
#ifndef DT_REPORT_PERSONAL_H
#define DT_REPORT_PERSONAL_H

#include "report/buckets.h"
#include "report/jsonfmt.h"
#include "report/rollup.h"

#include <stddef.h>
#include <stdint.h>

#define DT_PERSONAL_MAX_ENTRIES 100000

typedef struct dt_personal {
    dt_buckets b; /* k[0] kind, k[1] recipient, k[2] country */
    uint64_t flows, findings, dropped, inflate_bounded;
} dt_personal;

dt_personal *dt_personal_new(void);
void dt_personal_free(dt_personal *p);
/* One flow of the report (its findings_* fields).  Returns 0, or -1 when out of memory. */
int dt_personal_add(dt_personal *p, const dt_rollup_flow *f);
/* Adds kind to f's finding kinds unless there (or no room). */
void dt_personal_kind_add(dt_rollup_flow *f, const char *kind);
int dt_personal_merge(dt_personal *dst, const dt_personal *src);
/* 1 when there is anything to write. */
int dt_personal_any(const dt_personal *p);
/* The rows: flows descending, then kind, recipient, country (*n of them;
 * free() the array).  NULL with *n 0 when none or out of memory. */
const dt_bucket **dt_personal_rows(const dt_personal *p, size_t *n);
/* The report's "personal_data" object. */
int dt_personal_write_json(const dt_personal *p, dt_fw *f);

#endif
