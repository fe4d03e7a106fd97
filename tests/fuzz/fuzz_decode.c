/* Link layers, tunnels, IPv4/IPv6 and fragment reassembly.  The input is a
 * sequence of frames: [1 byte link type selector (low 5 bits: links[]; bit 7: the
 * wire was longer)][1 byte time step] then a
 * record (2-byte length + bytes).  One decoder sees them all, with small
 * fragment limits so that eviction and timeouts run. */
#include "decode/decode.h"
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

static const int links[32] = {1,   101, 113, 276, 0,   108, 105, 127, 9,   50,  104,
                              192, 228, 229, 12,  14,  8,   10,  107, 129, 204, 205,
                              206, 226, 239, 242, 258, 281, 282, 284, 285, 1};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dt_decode_limits lim;
    dt_decode_limits_default(&lim);
    lim.max_frag_datagrams = 4;
    lim.max_frag_bytes = 8192;
    lim.frag_timeout_ns = 1000000000ull;
    dt_decoder *d = dt_decoder_new(&lim);
    if (!d)
        abort();
    fz_in in = {data, size};
    uint64_t ts = 0;
    uint8_t sel, step;
    const uint8_t *rec;
    size_t len;
    while (fz_u8(&in, &sel) && fz_u8(&in, &step) && fz_record(&in, &rec, &len)) {
        ts += (uint64_t)step * 100000000ull; /* 0.1 s steps */
        /* an exact-size copy, so that ASan sees any read past the frame */
        uint8_t *frame = malloc(len ? len : 1);
        if (!frame)
            abort();
        memcpy(frame, rec, len);
        dt_decoded out;
        uint32_t wire = (sel & 0x80) ? (uint32_t)len + 100 : (uint32_t)len;
        dt_decode_result r = dt_decode(d, links[sel & 31], ts, frame, len, wire, &out);
        if (r == DT_DEC_OK && out.payload_len) {
            /* every payload byte must be readable */
            volatile uint8_t acc = 0;
            for (uint32_t i = 0; i < out.payload_len; i++)
                acc ^= out.payload[i];
            (void)acc;
            if (out.payload_len > out.payload_wire)
                abort();
        }
        if (r == DT_DEC_OK && out.proc_name_len) { /* the process name must be readable */
            volatile char acc = 0;
            for (uint32_t i = 0; i < out.proc_name_len; i++)
                acc ^= out.proc_name[i];
            (void)acc;
        }
        free(frame);
    }
    dt_decoder_finish(d);
    const dt_decode_stats *s = dt_decoder_stats(d);
    if (s->frames !=
        s->ip4 + s->ip6 + s->not_ip + s->malformed + s->unsupported_link + s->frag_held)
        abort();
    uint64_t by_reason = 0; /* every malformed frame has exactly one reason */
    for (int i = 0; i < DT_ANOMALY_COUNT; i++)
        by_reason += s->malformed_by_reason[i];
    if (by_reason != s->malformed)
        abort();
    dt_decoder_free(d);
    return 0;
}
