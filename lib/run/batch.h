/* Many inputs at once: each input is read into a part (in parallel with
 * `jobs` worker threads) and the parts are added to the report in input
 * order, so the output does not depend on the number of jobs.  With one job
 * and no per-file reports, the inputs are read one after another on the
 * calling thread straight into the report (flows are written as they end),
 * with the report's own enricher.
 *
 * The interface is public: dt_batch_opts, dt_batch_progress, dt_batch_result
 * and dt_batch_run() are declared in datatrail.h. */
#ifndef DT_BATCH_H
#define DT_BATCH_H

#include "datatrail.h"
#include "run/engine.h"
#include "enrich/enrich.h"
#include "report/report.h"

#endif
