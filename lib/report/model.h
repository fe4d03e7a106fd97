/* The typed report model: the summary counters of report/summary.def as a
 * struct, combined across inputs by the rule the table declares for each. */
#ifndef DT_REPORT_MODEL_H
#define DT_REPORT_MODEL_H

#include "run/engine.h"
#include "report/jsonfmt.h"

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

/* Field ids, in table order. */
enum {
#define DT_SUM_U64(key, ...) DT_SUMF_##key,
#define DT_SUM_COUNTS(key, ...) DT_SUMF_##key,
#include "report/summary.def"
    DT_SUMF_COUNT
};
_Static_assert(DT_SUMF_COUNT <= 64, "dt_summary.seen has one bit per field");

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

/* The value of number field `field` as the report shows it (a field no input
 * gave: the value of an empty input). */
uint64_t dt_summary_u64(const dt_summary *s, int field);

/* The object of counts of field `field` (DT_SUM_UNION), else NULL. */
const dt_counts *dt_summary_counts(const dt_summary *s, int field);

/* Writes the summary counters as members of the open object (table order);
 * a field no input gave has the value of an empty input. */
void dt_summary_write(const dt_summary *s, dt_fw *f);

/* ---- inputs ---- */

typedef struct dt_input_error_rec {
    uint64_t packet, offset;
    char *message;
} dt_input_error_rec;

/* One entry of the report's "inputs"; NULL strings are written as null. */
typedef struct dt_input_rec {
    char *path, *format;
    char **link_types;
    int n_link_types;
    uint64_t packets, bytes, wire_bytes;
    char *first_seen, *last_seen;
    uint64_t flows;
    dt_input_error_rec *errors;
    int n_errors;
} dt_input_rec;

int dt_input_rec_from_info(dt_input_rec *rec, const dt_input_info *in);
void dt_input_rec_write(const dt_input_rec *rec, dt_fw *f);
void dt_input_rec_free(dt_input_rec *rec);

/* ---- geo databases ---- */

#define DT_GEO_REC_FIELDS 6 /* path, kind, type, schema, build_date, attribution */
typedef struct dt_geo_rec {
    char *v[DT_GEO_REC_FIELDS]; /* NULL: null */
} dt_geo_rec;
const char *dt_geo_rec_key(int i);
void dt_geo_rec_write(const dt_geo_rec *g, dt_fw *f);
int dt_geo_rec_eq(const dt_geo_rec *a, const dt_geo_rec *b);
void dt_geo_rec_free(dt_geo_rec *g);
/* 1 and what differs in words in buf when the databases a[0..na) and b[0..nb)
 * are not the same data: a kind (location, country, asn, ...) in one only
 * ("only in NAME"), or of another type, layout or build date (paths do not
 * count: the same file elsewhere); else 0. */
int dt_geo_recs_differ(const dt_geo_rec *a, size_t na, const dt_geo_rec *b, size_t nb,
                       const char *name_a, const char *name_b, char *buf, size_t len);

/* One of the report's warnings (docs/report-schema.md, warnings[]). */
typedef struct dt_warning {
    const char *code; /* dt_warning_code(): "geo_missing", ..., "other" (static) */
    const char *message;
    int has_count;
    uint64_t count; /* packets or entries the warning is about, when has_count */
} dt_warning;

/* The code of a warning: `code` itself when it is one datatrail writes, else
 * the one its message says (warnings from other sources, and reports whose
 * warnings were plain strings), else "other".  Always a static string. */
const char *dt_warning_code(const char *code, const char *message);

/* A copy of s (NULL stays NULL); sets *oom when out of memory. */
char *dt_model_strdup(const char *s, int *oom);

#endif
