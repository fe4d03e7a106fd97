/* The whole pipeline on one capture file: capture reader (pcap, pcapng, gzip)
 * -> decode -> flows/reassembly -> application parsers -> flow JSON. */
#include "run/engine.h"
#include "report/flowjson.h"
#include "fuzz.h"

#include <cjson/cJSON.h>
#include <stdlib.h>

static void sink(void *ctx, const dt_input_info *in, const dt_flow *f)
{
    (void)ctx;
    dt_jw w;
    dt_jw_init(&w);
    /* whatever the capture holds, the flow object is valid JSON */
    if (dt_flow_json_write(&w, in, f, NULL, 1, NULL) == 0) {
        cJSON *o = cJSON_Parse(w.buf);
        if (!o)
            abort();
        cJSON_Delete(o);
    }
    dt_jw_free(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    int fd = fz_memfile(data, size, path, sizeof path);
    if (fd < 0)
        return 0;
    dt_engine_config cfg;
    dt_engine_config_default(&cfg);
    /* small limits, so that eviction and refusal paths run too */
    cfg.flows.max_flows = 64;
    cfg.flows.stream_budget = 256 * 1024;
    cfg.decode.max_frag_datagrams = 8;
    cfg.decode.max_frag_bytes = 64 * 1024;
    cfg.keep_streams = 1;
    dt_input_info info;
    dt_engine_run(&cfg, path, 0, sink, NULL, &info, NULL, NULL);
    close(fd);
    return 0;
}
