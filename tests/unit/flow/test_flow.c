/* Flow table: keys, client choice, timeouts, eviction. */
#include "check.h"
#include "flow/flow.h"

#include <string.h>

#define SEC 1000000000ull

static int ended, ended_reason[16];

static void on_end(void *ctx, dt_flow *f)
{
    (void)ctx;
    if (ended < 16)
        ended_reason[ended] = f->end_reason;
    ended++;
}

static dt_addr ip4(int a, int b, int c, int d)
{
    uint8_t p[4] = {(uint8_t)a, (uint8_t)b, (uint8_t)c, (uint8_t)d};
    dt_addr x;
    dt_addr_set4(&x, p);
    return x;
}

int main(void)
{
    dt_flow_limits lim;
    dt_flow_limits_default(&lim);
    lim.max_flows = 2;
    lim.idle_timeout_ns = 60 * SEC;
    lim.closed_linger_ns = 5 * SEC;
    dt_flow_table *t = dt_flow_table_new(&lim, on_end, NULL);
    dt_addr car = ip4(192, 168, 1, 20), srv = ip4(1, 12, 36, 7);
    int dir;

    /* Both directions find the same flow; the SYN sender is the client. */
    dt_flow *f = dt_flow_lookup(t, 6, &car, 40000, &srv, 443, 1 * SEC, DT_HINT_CLIENT, &dir);
    CHECK(f != NULL);
    CHECK_EQ_INT(dir, DT_CLIENT);
    dt_flow *g = dt_flow_lookup(t, 6, &srv, 443, &car, 40000, 2 * SEC, 0, &dir);
    CHECK(f == g);
    CHECK_EQ_INT(dir, DT_SERVER);
    CHECK_EQ_INT(dt_flow_live(t), 1);

    /* Without a SYN, a first packet from a service port names the other side client. */
    f = dt_flow_lookup(t, 17, &srv, 53, &car, 5555, 3 * SEC, 0, &dir);
    CHECK_EQ_INT(dir, DT_SERVER);
    CHECK_EQ_INT(f->side[DT_CLIENT].port, 5555);
    CHECK_EQ_INT(dt_flow_live(t), 2);

    /* Table full (2): a third flow ends the least recently active one. */
    dt_flow_touch(t, f, 3 * SEC, 3 * SEC);
    dt_flow_lookup(t, 17, &car, 6000, &srv, 123, 4 * SEC, 0, &dir);
    CHECK_EQ_INT(ended, 1);
    CHECK_EQ_INT(ended_reason[0], DT_END_EVICTED);
    CHECK_EQ_INT(dt_flow_evicted(t), 1);

    /* Idle timeout: both remaining flows end after 60 s of silence. */
    dt_flow_expire(t, 50 * SEC);
    CHECK_EQ_INT(ended, 1);
    dt_flow_expire(t, 65 * SEC);
    CHECK_EQ_INT(ended, 3);
    CHECK_EQ_INT(ended_reason[1], DT_END_IDLE);

    /* A closed flow lingers 5 s, then ends as closed; a new SYN after close
     * starts a new flow. */
    f = dt_flow_lookup(t, 6, &car, 40001, &srv, 443, 100 * SEC, DT_HINT_CLIENT, &dir);
    dt_flow_mark_closed(t, f);
    g = dt_flow_lookup(t, 6, &car, 40001, &srv, 443, 101 * SEC, DT_HINT_CLIENT, &dir);
    CHECK_EQ_INT(ended, 4);
    CHECK_EQ_INT(ended_reason[3], DT_END_REUSED);
    dt_flow_mark_closed(t, g);
    dt_flow_expire(t, 104 * SEC);
    CHECK_EQ_INT(ended, 4);
    dt_flow_expire(t, 107 * SEC);
    CHECK_EQ_INT(ended, 5);
    CHECK_EQ_INT(ended_reason[4], DT_END_CLOSED);

    /* A SYN from the side first guessed to be the server swaps the roles. */
    f = dt_flow_lookup(t, 6, &srv, 8883, &car, 40002, 200 * SEC, 0, &dir);
    CHECK_EQ_INT(dir, DT_SERVER);
    f = dt_flow_lookup(t, 6, &srv, 8883, &car, 40002, 201 * SEC, DT_HINT_CLIENT, &dir);
    CHECK_EQ_INT(dir, DT_CLIENT);
    CHECK_EQ_INT(f->side[DT_CLIENT].port, 8883);
    CHECK(f->client_by_syn);

    /* Timestamps going backwards: the flow is active by the capture clock. */
    f = dt_flow_lookup(t, 17, &car, 7000, &srv, 443, 10 * SEC, 0, &dir);
    dt_flow_touch(t, f, 10 * SEC, 1000 * SEC);
    dt_flow_expire(t, 1001 * SEC);
    CHECK_EQ_INT(ended, 6); /* the TCP flow from 201 s timed out, this one did not */
    CHECK_EQ_INT(f->first_ns, 10 * SEC);

    dt_flow_flush(t);
    CHECK_EQ_INT(ended, 7);
    CHECK_EQ_INT(ended_reason[5], DT_END_IDLE);
    CHECK_EQ_INT(ended_reason[6], DT_END_EOF);
    CHECK_EQ_INT(dt_flow_live(t), 0);
    dt_flow_table_free(t);

    /* A SYN+ACK seen first names the other side client, whatever the ports. */
    t = dt_flow_table_new(&lim, NULL, NULL);
    f = dt_flow_lookup(t, 6, &srv, 27038, &car, 50983, 1 * SEC, DT_HINT_SERVER, &dir);
    CHECK_EQ_INT(dir, DT_SERVER);
    CHECK_EQ_INT(f->side[DT_CLIENT].port, 50983);
    /* No hint, no service port: the ephemeral side is the client. */
    f = dt_flow_lookup(t, 17, &srv, 27015, &car, 50000, 1 * SEC, DT_HINT_NONE, &dir);
    CHECK_EQ_INT(dir, DT_SERVER);
    dt_flow_table_free(t);

    CHECK(dt_port_is_service(443));
    CHECK(dt_port_is_service(8883));
    CHECK(!dt_port_is_service(51234));
    return check_done();
}
