/* The DNS resolution table: which name most recently resolved to an address.
 *
 * Each entry is one (query name, record type, address) seen in DNS answers,
 * with the final owner name (the end of the CNAME chain), how many responses
 * carried it, and the times of its first and last few sightings.  Memory is
 * bounded: the table grows by doubling as entries are added, up to
 * max_entries entries (about 700 bytes each); when it holds max_entries the
 * least recently seen entry is evicted (also, earlier, if growing fails for
 * lack of memory). */
#ifndef DT_RESOLVE_H
#define DT_RESOLVE_H

#include "util/addr.h"
#include "proto/dns.h"

#include <stddef.h>
#include <stdint.h>

#define DT_RESOLVE_HIST 4 /* sighting times kept per entry (the latest ones) */

typedef struct dt_resolve dt_resolve;

typedef struct dt_resolve_entry {
    const char *name;  /* query name (first name of the CNAME chain), case as first seen */
    const char *owner; /* owner name of the address record, most recent */
    uint16_t type;     /* 1 A, 28 AAAA, 64 SVCB / 65 HTTPS (address hints) */
    dt_addr addr;
    uint32_t count; /* responses that carried this (name, type, addr) */
    uint64_t first_ts_ns, last_ts_ns;
} dt_resolve_entry;

/* A table of at most max_entries entries (at least 1).  NULL if out of memory. */
dt_resolve *dt_resolve_new(size_t max_entries);
void dt_resolve_free(dt_resolve *r);

/* Records every A, AAAA and SVCB/HTTPS address hint in the answer section of
 * a response, and the A/AAAA records of its authority/additional sections
 * (m->extra); queries are ignored.  An address whose owner is reached from
 * the question name through CNAMEs is filed under the question name;
 * otherwise (name-server glue, mDNS announcements without a question) under
 * its own owner name. */
void dt_resolve_add_msg(dt_resolve *r, const dt_dns_msg *m, uint64_t ts_ns);

/* Records one resolution directly.  owner may be NULL (= name). */
void dt_resolve_add(dt_resolve *r, const char *name, const char *owner, uint16_t type,
                    const dt_addr *a, uint64_t ts_ns);

/* The query name that most recently resolved to *a at or before before_ts_ns
 * (e.g. a flow's start), or NULL.  If several names resolved to the address,
 * the one with the latest sighting not after before_ts_ns wins (ties: the one
 * recorded last).  Optional outputs: the owner name and the sighting time.
 * Returned strings stay valid until the next add or free. */
const char *dt_resolve_lookup(const dt_resolve *r, const dt_addr *a, uint64_t before_ts_ns,
                              const char **owner_out, uint64_t *ts_out);

size_t dt_resolve_count(const dt_resolve *r);       /* entries in the table */
uint64_t dt_resolve_evictions(const dt_resolve *r); /* entries evicted because it was full */

/* Copies up to max entries into out, sorted by name (case-insensitive, then
 * exact), type, then address; returns how many were written.  Consecutive
 * entries with the same name and type are that name's answers.  Pointers in
 * out stay valid until the next add or free. */
size_t dt_resolve_list(const dt_resolve *r, dt_resolve_entry *out, size_t max);

#endif
