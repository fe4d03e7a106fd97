/* Policies (docs/policy.md): rules a report's flows are checked against
 * (allowed and denied countries, transfer classes, recipients, domains, no
 * plaintext, a volume limit per recipient per hour), and the violations they
 * find.
 *
 * The policy is read from a JSON file (dt_policy_load, datatrail.h); a report
 * made with one keeps a dt_policy_state that each flow is added to, in the
 * order the flows are written (so a flow's id is its index in the report's
 * flows[]), and that is merged across parts like the rollups.  Memory grows
 * with distinct violations (rule, recipient, domain, country) and with
 * (recipient, hour) pairs under a volume limit, up to DT_POLICY_MAX_ENTRIES;
 * what does not fit is counted (dt_policy_dropped), never an abort. */
#ifndef DT_REPORT_POLICY_H
#define DT_REPORT_POLICY_H

#include "datatrail.h"
#include "report/buckets.h"
#include "report/jsonfmt.h"
#include "report/rollup.h"

#include <stddef.h>
#include <stdint.h>

#define DT_POLICY_EXAMPLES DT_BUCKET_EXAMPLES /* example flow ids per violation */
#define DT_POLICY_MAX_ENTRIES 1000000         /* violations + (recipient, hour) pairs kept */

/* The rules, in the order violations are written. */
#define DT_POLICY_RULES(X)                                                                         \
    X(allow_countries)                                                                             \
    X(deny_countries)                                                                              \
    X(allow_transfer)                                                                              \
    X(deny_transfer)                                                                               \
    X(allow_recipients)                                                                            \
    X(deny_recipients)                                                                             \
    X(deny_domains)                                                                                \
    X(plaintext)                                                                                   \
    X(max_bytes_per_hour)

typedef enum dt_policy_rule {
#define X(name) DT_POLICY_##name,
    DT_POLICY_RULES(X)
#undef X
        DT_POLICY_RULE_COUNT
} dt_policy_rule;
const char *dt_policy_rule_name(dt_policy_rule rule);
/* The policy's file, as given to dt_policy_load. */
const char *dt_policy_path(const dt_policy *p);

typedef struct dt_policy_state dt_policy_state;

dt_policy_state *dt_policy_state_new(const dt_policy *p);
void dt_policy_state_free(dt_policy_state *s);
/* The next flow of the report (its id is the number of flows added before):
 * f NULL for a flow line the rollups cannot read (it still has an id).
 * Returns 0, or -1 when out of memory. */
int dt_policy_state_add(dt_policy_state *s, const dt_rollup_flow *f);
/* Adds src's flows after dst's (their ids follow dst's). */
int dt_policy_state_merge(dt_policy_state *dst, const dt_policy_state *src);
/* Entries not kept: DT_POLICY_MAX_ENTRIES reached. */
uint64_t dt_policy_dropped(const dt_policy_state *s);

/* One violation: a rule broken by flows of one subject. */
typedef struct dt_policy_violation {
    dt_policy_rule rule;
    /* the subject (NULL: not part of this rule's subject, or not known) */
    const char *recipient, *domain, *country, *transfer;
    uint64_t bytes, flows; /* upload and flows that broke the rule */
    int have_time, ts_digits;
    uint64_t first_ns, last_ns;
    uint64_t examples[DT_POLICY_EXAMPLES]; /* the first flows' ids (flows[] indices) */
    int n_examples;
    uint64_t hours, max_hour_bytes; /* max_bytes_per_hour: hours over the limit, the most */
} dt_policy_violation;

/* The violations, in report order (rule, then bytes descending, then the
 * subject); *n their number.  The array is the caller's (free it with
 * dt_policy_violations_free); NULL with *n = 0 when there are none or out of
 * memory (*oom set). */
dt_policy_violation *dt_policy_violations(const dt_policy_state *s, size_t *n, int *oom);
void dt_policy_violations_free(dt_policy_violation *v);
/* What v is about in words: its subject's fields joined with " / " ("Google /
 * time.android.com"), or "no country", "no recipient", "unknown" (buf, or a
 * static string). */
const char *dt_policy_violation_subject(const dt_policy_violation *v, char *buf, size_t len);

/* The report's "violations" array. */
int dt_policy_write_json(const dt_policy_state *s, dt_fw *f);

#endif
