/* Time windows (`--window 1h|1d`): the upload to each recipient in each window
 * of a fixed size, aligned to the Unix epoch (so to UTC hours and days), a
 * flow counting in the window of its first_seen.  Like the rollups, only the
 * flows with a remote side count; merged across parts.  Memory grows with the
 * (window, recipient) pairs, up to DT_WINDOW_MAX_ENTRIES. */
#ifndef DT_REPORT_WINDOW_H
#define DT_REPORT_WINDOW_H

#include "report/buckets.h"
#include "report/jsonfmt.h"
#include "report/rollup.h"

#include <stddef.h>
#include <stdint.h>

#define DT_WINDOW_MAX_ENTRIES 1000000

typedef struct dt_window_state dt_window_state;

dt_window_state *dt_window_new(uint64_t size_ns);
void dt_window_free(dt_window_state *w);
/* One flow of the report.  Returns 0, or -1 when out of memory. */
int dt_window_add(dt_window_state *w, const dt_rollup_flow *f);
/* Adds src's windows to dst's. */
int dt_window_merge(dt_window_state *dst, const dt_window_state *src);

/* A window with its recipients (bytes_up descending, then flows, then name;
 * k[0] of each is the recipient, NULL: flows without one). */
typedef struct dt_window_row {
    uint64_t start_ns, end_ns;
    uint64_t bytes, flows;
    const dt_bucket **recipients;
    size_t n;
} dt_window_row;

/* The windows that hold flows, in time order (*n of them); free with
 * dt_window_rows_free.  NULL with *n = 0 when none or out of memory (*oom). */
dt_window_row *dt_window_rows(const dt_window_state *w, size_t *n, int *oom);
void dt_window_rows_free(dt_window_row *rows, size_t n);
uint64_t dt_window_size_ns(const dt_window_state *w);
/* (window, recipient) sums not kept: DT_WINDOW_MAX_ENTRIES reached. */
uint64_t dt_window_dropped(const dt_window_state *w);

/* The report's "windows" array. */
int dt_window_write_json(const dt_window_state *w, dt_fw *f);

#endif
