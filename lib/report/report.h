/* The report: inputs, summary, DNS table, rollups and flows.
 *
 * Flows are written as JSON lines as they end (to the output in `flows` mode,
 * else to a temporary file), so memory does not grow with the capture.  A
 * report is put together from parts (one per input, possibly built in
 * parallel) in input order, or from earlier reports (`datatrail merge`); the
 * rollups are computed from the flow objects in both cases, so merging
 * per-file reports gives the same totals as one run over all files. */
#ifndef DT_REPORT_H
#define DT_REPORT_H

#include "datatrail.h"
#include "run/engine.h"
#include "enrich/enrich.h"

#include <stdio.h>

/* The report's options and handle, dt_report_new/free/flow/dns/input/
 * merge_file/merge_text/finish/write_to and the reading functions are public
 * (datatrail.h).  Building a report from parts is private: */

/* A part for one input: like its parent, but flows go to a spool until
 * dt_report_absorb(); enricher is the part's own (geo lookups cache), NULL to
 * use the parent's.  Its flow lines are kept only when the parent writes
 * flows or when the part is written as a report of its own (standalone). */
dt_report *dt_report_new_part(const dt_report *parent, dt_enricher *enricher, int standalone);
/* Moves everything of part into r (flows appended in order). */
int dt_report_absorb(dt_report *r, dt_report *part);
/* Lets part write its flow lines into parent's output itself once *when is
 * set (by another thread): the lines it holds first, then each as it ends,
 * so they are written once.  Only where parent streams its flows (a JSON
 * report of captures) and part is not written as a report of its own; the
 * one setting *when must then write nothing to parent until part is
 * absorbed (the part next in order, while the earlier ones are absorbed). */
void dt_report_part_stream_when(dt_report *part, dt_report *parent, const int *when);

#endif
