/* The pipeline for one input: decode -> flows/reassembly -> application
 * parsers, fed one packet at a time (dt_engine_new / dt_engine_feed /
 * dt_engine_finish); dt_engine_run() is the same over a capture file.  Each
 * ended flow is handed to a sink (the report).  Nothing here prints: errors
 * are kept in dt_input_info and passed to the on_error callback.
 *
 * The whole interface is public: dt_engine_config, dt_input_info, dt_status
 * and the dt_engine_* functions are declared in datatrail.h. */
#ifndef DT_ENGINE_H
#define DT_ENGINE_H

#include "datatrail.h"
#include "decode/decode.h"
#include "flow/flow.h"
#include "enrich/ipclass.h"

#include <stdint.h>

#endif
