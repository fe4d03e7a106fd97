/* The report's state, shared by report.c (building and writing it) and
 * reader.c (reading reports for `merge`).  Private to lib/report. */
#ifndef DT_REPORT_INT_H
#define DT_REPORT_INT_H

#include "util/spool.h"
#include "report/report.h"
#include "report/model.h"
#include "report/policy.h"
#include "report/window.h"
#include "report/personal.h"
#include "report/rollup.h"
#include "util/jsonw.h"

#define DT_REPORT_SCHEMA 2 /* datatrail.schema of the reports written (and the newest read) */

/* Report-level DNS table: one entry per (name, type) of all responses. */
typedef struct dns_entry {
    char *name;
    char type[16];
    uint64_t count;
    char (*answers)[DT_ADDR_STRLEN]; /* distinct, in order first seen */
    int n_answers, cap_answers;
    struct dns_entry *next;
} dns_entry;

#define DNS_BUCKETS 4096
#define DNS_TABLE_MAX_ANSWERS 1024 /* distinct addresses kept per name (CDNs rotate) */
/* Memory of the DNS table: names and answers beyond it are counted in
 * summary.dns_table_dropped, not kept (random-subdomain floods). */
#define DNS_TABLE_MAX_BYTES (16u << 20)

struct dt_report {
    dt_report_opts opts;
    FILE *out;
    dt_spool flows_spool; /* flow lines until the end (parts, merge) */
    int spooled;          /* flows_spool is in use */
    int array;            /* flow lines are elements of a JSON report's flows array,
                             separators included (the report's own, or a part's for its
                             parent), so that they are copied on as they are */
    uint64_t array_lines; /* elements in that array */
    /* A JSON report of captures writes its flows as they end, straight to out:
     * its first members (those known before any flow) and the array's opening
     * are written before the first flow, by jf (its out set once it is open),
     * which writes the rest at the end.  Flows are then written once, with no
     * spool. */
    int streamed;
    dt_fw jf;
    /* A part: its lines go to stream_to's output once *stream_when is set
     * (dt_report_part_stream_when); stream_now once they do. */
    dt_report *stream_to;
    const int *stream_when;
    int stream_now;
    int is_part;
    dt_input_rec *inputs;
    size_t n_inputs, cap_inputs;
    dt_summary sum; /* the inputs' counters, combined (report/summary.def) */
    uint64_t first_ns, last_ns;
    int ts_digits, have_time;
    uint64_t flows_written;
    dns_entry *dns[DNS_BUCKETS];
    uint64_t dns_n;
    size_t dns_bytes;     /* against DNS_TABLE_MAX_BYTES */
    uint64_t dns_dropped; /* names and answers not kept */
    dt_warning *warnings; /* from merged reports, each message once (owned) */
    size_t n_warnings;
    dt_geo_rec *geo; /* geo databases of merged reports, each once */
    size_t n_geo;
    size_t n_geo_first;    /* those of the first merged report: geo[0 .. n_geo_first) */
    size_t merged_reports; /* reports read so far */
    char *merged_options;  /* the first merged report's options (JSON text at depth 1) */
    int write_error;
    dt_jw flow_text; /* the current flow line, reused (performance: no tree per flow) */
    int lines;       /* flow lines are written (not for a text report, nor with --no-flows) */
    /* Rollups of every flow so far, added as flows end (from the struct: no
     * parse), merged from parts, or read from merged reports. */
    dt_rollup *ru;
    /* The policy's violations (--policy), NULL without one: every flow the
     * rollups get is added, in the order of the flow lines. */
    dt_policy_state *pol;
    /* --window: upload per recipient per window, NULL without it; added as pol */
    dt_window_state *win;
    /* personal data found in flows (issue 18): always kept when a report is
     * written, written only when any; added as win */
    dt_personal *pd;
};

dns_entry *dt_report_dns_entry(dt_report *r, const char *name, const char *type);
void dt_report_dns_answer(dt_report *r, dns_entry *e, const char *addr);
void dt_report_note_time(dt_report *r, uint64_t first, uint64_t last, int digits);
/* Appends rec (moved: rec is emptied) to the report's inputs. */
int dt_report_add_input_rec(dt_report *r, dt_input_rec *rec);
/* Adds a warning (message copied; code as dt_warning_code) or a geo database
 * unless the report has it already. */
int dt_report_add_warning(dt_report *r, const char *code, const char *message, int has_count,
                          uint64_t count);
int dt_report_add_geo(dt_report *r, dt_geo_rec *g);
/* Calls fn with each geo database of the report: those of merged reports,
 * then the enricher's. */
void dt_report_each_geo(const dt_report *r, void (*fn)(void *ctx, const dt_geo_rec *g), void *ctx);
/* A JSON document of datatrail (report, diff, compare): "{" and the producer
 * ("datatrail": version, schema); then the closing "}" and newline, flushed
 * and f freed (0, or -1 on a write error). */
void dt_report_json_head(dt_fw *f);
int dt_report_json_tail(dt_fw *f);
/* A flow line to where the report's flow lines go. */
void dt_report_flow_line(dt_report *r, const char *line, size_t len);

#endif
