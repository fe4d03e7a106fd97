/* TCP reassembly: exact stream bytes under reordering, overlap, wrap and gaps. */
#include "check.h"
#include "flow/tcpreasm.h"

#include <stdint.h>
#include <string.h>

#define SYN 0x02
#define FIN 0x01

static const uint8_t *msg = (const uint8_t *)"abcdefghijklmnopqrstuvwxyz0123456789";

static int stream_is(const dt_tcp_dir *d, const char *want)
{
    size_t n = dt_tcp_dir_contig(d);
    return n == strlen(want) && memcmp(dt_tcp_dir_data(d), want, n) == 0;
}

static void in_order_with_syn(void)
{
    dt_tcp_dir d;
    dt_tcp_dir_init(&d, 1024, NULL);
    CHECK_EQ_INT(dt_tcp_dir_segment(&d, 1000, SYN, NULL, 0), 0);
    CHECK_EQ_INT(dt_tcp_dir_segment(&d, 1001, 0, msg, 5), 1);
    CHECK_EQ_INT(dt_tcp_dir_segment(&d, 1006, 0, msg + 5, 5), 1);
    CHECK(stream_is(&d, "abcdefghij"));
    CHECK_EQ_INT(dt_tcp_dir_gaps(&d), 0);
    dt_tcp_dir_segment(&d, 1011, FIN, NULL, 0);
    CHECK(d.fin_seen);
    dt_tcp_dir_free(&d);
}

static void out_of_order(void)
{
    dt_tcp_dir d;
    dt_tcp_dir_init(&d, 1024, NULL);
    dt_tcp_dir_segment(&d, 99, SYN, NULL, 0);
    CHECK_EQ_INT(dt_tcp_dir_segment(&d, 110, 0, msg + 10, 10), 0); /* hole before it */
    CHECK_EQ_INT(dt_tcp_dir_contig(&d), 0);
    CHECK_EQ_INT(dt_tcp_dir_gaps(&d), 1);
    CHECK_EQ_INT(dt_tcp_dir_segment(&d, 100, 0, msg, 10), 1);
    CHECK(stream_is(&d, "abcdefghijklmnopqrst"));
    CHECK_EQ_INT(dt_tcp_dir_gaps(&d), 0);
    dt_tcp_dir_free(&d);
}

static void retransmission_first_copy_wins(void)
{
    dt_tcp_dir d;
    dt_tcp_dir_init(&d, 1024, NULL);
    dt_tcp_dir_segment(&d, 0, SYN, NULL, 0);
    dt_tcp_dir_segment(&d, 1, 0, (const uint8_t *)"hello", 5);
    /* overlapping retransmission with different bytes, extending the stream */
    CHECK_EQ_INT(dt_tcp_dir_segment(&d, 3, 0, (const uint8_t *)"XXXworld", 8), 1);
    CHECK(stream_is(&d, "helloworld"));
    /* an exact duplicate changes nothing */
    CHECK_EQ_INT(dt_tcp_dir_segment(&d, 1, 0, (const uint8_t *)"HELLO", 5), 0);
    CHECK(stream_is(&d, "helloworld"));
    dt_tcp_dir_free(&d);
}

static void wraparound(void)
{
    dt_tcp_dir d;
    dt_tcp_dir_init(&d, 1024, NULL);
    uint32_t isn = 0xfffffff0u;
    dt_tcp_dir_segment(&d, isn, SYN, NULL, 0);
    for (uint32_t i = 0; i < 36; i += 6)
        dt_tcp_dir_segment(&d, isn + 1 + i, 0, msg + i, 6);
    CHECK(stream_is(&d, "abcdefghijklmnopqrstuvwxyz0123456789"));
    CHECK_EQ_INT(dt_tcp_dir_extent(&d), 36);
    CHECK_EQ_INT(dt_tcp_dir_gaps(&d), 0);
    dt_tcp_dir_free(&d);
}

static void midstream(void)
{
    dt_tcp_dir d;
    dt_tcp_dir_init(&d, 1024, NULL);
    CHECK_EQ_INT(dt_tcp_dir_segment(&d, 5000, 0, msg, 4), 1);
    CHECK_EQ_INT(dt_tcp_dir_segment(&d, 5004, 0, msg + 4, 4), 1);
    CHECK(stream_is(&d, "abcdefgh"));
    /* a keep-alive (one byte before the next expected) changes nothing */
    CHECK_EQ_INT(dt_tcp_dir_segment(&d, 5007, 0, (const uint8_t *)"Z", 1), 0);
    CHECK(stream_is(&d, "abcdefgh"));
    /* data from before the pick-up point is dropped, not misplaced */
    CHECK_EQ_INT(dt_tcp_dir_segment(&d, 4990, 0, msg, 10), 0);
    CHECK(stream_is(&d, "abcdefgh"));
    dt_tcp_dir_free(&d);
}

static void gap_stops_delivery(void)
{
    dt_tcp_dir d;
    dt_tcp_dir_init(&d, 1024, NULL);
    dt_tcp_dir_segment(&d, 0, SYN, NULL, 0);
    dt_tcp_dir_segment(&d, 1, 0, msg, 4);
    dt_tcp_dir_segment(&d, 9, 0, msg + 8, 4); /* bytes 4..7 never arrive */
    dt_tcp_dir_segment(&d, 13, 0, msg + 12, 4);
    CHECK(stream_is(&d, "abcd"));
    CHECK_EQ_INT(dt_tcp_dir_gaps(&d), 1);
    CHECK_EQ_INT(dt_tcp_dir_extent(&d), 16);
    dt_tcp_dir_free(&d);
}

static void cap_and_stop(void)
{
    dt_tcp_dir d;
    dt_tcp_dir_init(&d, 8, NULL);
    dt_tcp_dir_segment(&d, 0, SYN, NULL, 0);
    dt_tcp_dir_segment(&d, 1, 0, msg, 12);
    CHECK(stream_is(&d, "abcdefgh")); /* capped */
    dt_tcp_dir_stop(&d);
    CHECK_EQ_INT(dt_tcp_dir_contig(&d), 0);
    CHECK_EQ_INT(dt_tcp_dir_mem(&d), 0);
    /* counting goes on after buffering stopped */
    dt_tcp_dir_segment(&d, 20, 0, msg, 4);
    CHECK_EQ_INT(dt_tcp_dir_gaps(&d), 1);
    CHECK_EQ_INT(dt_tcp_dir_extent(&d), 23);
    dt_tcp_dir_free(&d);
}

static void many_holes(void)
{
    dt_tcp_dir d;
    dt_tcp_dir_init(&d, 4096, NULL);
    dt_tcp_dir_segment(&d, 0, SYN, NULL, 0);
    dt_tcp_dir_segment(&d, 1, 0, msg, 2);
    /* more disjoint segments than ranges are tracked: the list stays bounded */
    for (int i = 1; i <= 3 * DT_TCP_MAX_RANGES; i++)
        dt_tcp_dir_segment(&d, 1 + (uint32_t)i * 10, 0, msg, 2);
    CHECK(d.nr <= DT_TCP_MAX_RANGES);
    CHECK(stream_is(&d, "ab"));
    CHECK_EQ_INT(dt_tcp_dir_gaps(&d), 3 * DT_TCP_MAX_RANGES);
    /* filling the first hole delivers up to the next real hole only */
    dt_tcp_dir_segment(&d, 3, 0, (const uint8_t *)"cdefghij", 8);
    CHECK_EQ_INT(dt_tcp_dir_contig(&d), 12);
    dt_tcp_dir_free(&d);
}

static void budget(void)
{
    dt_tcp_budget b = {.limit = 2 * DT_TCP_BUF_MIN};
    dt_tcp_dir d1, d2;
    dt_tcp_dir_init(&d1, 65536, &b);
    dt_tcp_dir_init(&d2, 65536, &b);
    static uint8_t big[6000];
    dt_tcp_dir_segment(&d1, 0, SYN, NULL, 0);
    dt_tcp_dir_segment(&d2, 0, SYN, NULL, 0);
    CHECK_EQ_INT(dt_tcp_dir_segment(&d1, 1, 0, big, 100), 1); /* the first buffer taken */
    CHECK_EQ_INT(b.used, DT_TCP_BUF_MIN);
    CHECK_EQ_INT(dt_tcp_dir_segment(&d2, 1, 0, big, 100), 1);     /* now at the limit */
    CHECK_EQ_INT(dt_tcp_dir_segment(&d1, 101, 0, big, 6000), -1); /* would need 8192 */
    CHECK_EQ_INT(b.refused, 1);
    CHECK(d1.stopped);
    CHECK_EQ_INT(b.used, DT_TCP_BUF_MIN); /* d1 gave its buffer back */
    CHECK_EQ_INT(dt_tcp_dir_gaps(&d1), 0);
    CHECK_EQ_INT(dt_tcp_dir_extent(&d1), 6100); /* counting went on */
    dt_tcp_dir_free(&d2);
    CHECK_EQ_INT(b.used, 0);
    CHECK_EQ_INT(b.peak, 2 * DT_TCP_BUF_MIN);
    dt_tcp_dir_free(&d1);
}

int main(void)
{
    budget();
    in_order_with_syn();
    out_of_order();
    retransmission_first_copy_wins();
    wraparound();
    midstream();
    gap_stops_delivery();
    cap_and_stop();
    many_holes();
    return check_done();
}
