/* The typed report model: the summary counters of report/summary.def as a
 * struct, combined across inputs by the rule the table declares for each. */
#ifndef DT_REPORT_MODEL_H
#define DT_REPORT_MODEL_H

#include "run/engine.h"

#include <stdint.h>

/* An object name -> count, in the order names were first seen. */
typedef struct dt_count {
    char *name;
    uint64_t n;
} dt_count;

typedef struct dt_counts {
    dt_count *v;
    int n, cap;
} dt_counts;

/* Adds n to name (appended when new); returns 0, or -1 when out of memory. */
int dt_counts_add(dt_counts *c, const char *name, uint64_t n);
void dt_counts_free(dt_counts *c);

/* Field ids, in table order. */
enum {
#define DT_SUM_U64(key, ...) DT_SUMF_##key,
#define DT_SUM_COUNTS(key, ...) DT_SUMF_##key,
#include "report/summary.def"
    DT_SUMF_COUNT
};

/* The counters inputs contribute to the summary. */
typedef struct dt_summary {
#define DT_SUM_U64(key, ...) uint64_t key;
#define DT_SUM_COUNTS(key, ...) dt_counts key;
#include "report/summary.def"
    uint64_t seen; /* bit (1 << DT_SUMF_key) per field some input or report gave */
} dt_summary;

/* s (zeroed or freed before) := the counters of one input. */
int dt_summary_from_input(dt_summary *s, const dt_input_info *in);
/* Combines add into acc, field by field, by the rule of the table (fields
 * add does not have are left as they are). */
int dt_summary_combine(dt_summary *acc, const dt_summary *add);
void dt_summary_free(dt_summary *s);

/* A field's rule, name and kind (0 number, 1 object of counts), by id. */
typedef enum dt_sum_rule { DT_SUM_SUM, DT_SUM_MAX, DT_SUM_MIN, DT_SUM_UNION } dt_sum_rule;
dt_sum_rule dt_summary_rule(int field);
const char *dt_summary_key(int field);

#endif
