/* Which side of a flow is a device of the local network.  By address range
 * (private, link-local, ULA, CGNAT, plus --local; --local-only replaces the
 * defaults), and by what the capture shows: a public IPv6 address sent from
 * the Ethernet address of a device seen with a local address is that device,
 * and so is every address of its /64 (privacy addresses rotate within it).
 * A MAC address that sends from more than one public /64, or from a public
 * IPv4 address, is a gateway's (it forwards the servers' packets), never a
 * device's.  Bounded: at most DT_LOCAL_MACS Ethernet addresses are learned. */
#ifndef DT_LOCAL_H
#define DT_LOCAL_H

#include "datatrail.h"
#include "decode/decode.h"

#define DT_LOCAL_MACS 256

typedef struct dt_local dt_local;

dt_local *dt_local_new(const dt_engine_config *cfg);
void dt_local_free(dt_local *l);
/* Learns from one decoded packet (its outermost Ethernet addresses), the first
 * of its side of a flow (what a side teaches does not change within a flow);
 * local: its source is a local side. */
void dt_local_learn(dt_local *l, const dt_decoded *p, int local);
/* 1 when a is a local device's address (by range, or by a learned /64). */
int dt_local_is(const dt_local *l, const dt_addr *a);
/* The learned part alone: a is in a device's public /64 as learned so far (the
 * ranges do not change within a run, what is learned does). */
int dt_local_is_learned(const dt_local *l, const dt_addr *a);

#endif
