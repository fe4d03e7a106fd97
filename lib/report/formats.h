/* The report's output formats, in one table (lib/report/formats.c).
 *
 * How to add a format: a file lib/report/<format>.c with its writer
 * (`int write(dt_report *r, const dt_warning *warnings, size_t n)`, reading
 * the model as render.c does: r->sum, r->ru rows, inputs, DNS table), a value
 * in dt_report_format (include/datatrail.h) and one entry in dt_formats[].
 * `--format` of report and merge, the messages listing the names and
 * dt_report_finish() all go by the table. */
#ifndef DT_REPORT_FORMATS_H
#define DT_REPORT_FORMATS_H

#include "datatrail.h"
#include "report/model.h"
#include "report/render.h"

#include <stddef.h>

enum { DT_FOR_REPORT = 1, DT_FOR_FLOWS = 2 };

typedef struct dt_format_def {
    const char *name;        /* its --format value */
    const char *flows_alias; /* another name accepted in flows mode, or NULL */
    dt_report_format id;
    unsigned modes; /* DT_FOR_*: where it can be used */
    /* the whole report (report mode); flows mode writes lines as flows end */
    int (*write)(dt_report *r, const dt_warning *warnings, size_t n_warnings);
} dt_format_def;

extern const dt_format_def dt_formats[];
extern const size_t dt_n_formats;

/* The writers of the built-in formats. */
int dt_report_write_json(dt_report *r, const dt_warning *warnings, size_t n_warnings);
int dt_report_write_text(dt_report *r, const dt_warning *warnings, size_t n_warnings);
int dt_report_write_csv(dt_report *r, const dt_warning *warnings, size_t n_warnings);
int dt_report_write_html(dt_report *r, const dt_warning *warnings, size_t n_warnings);

/* What the human renderings (text, html) read of a report. */
dt_render_model dt_report_render_model(const dt_report *r, const dt_warning *warnings,
                                       size_t n_warnings);

#endif
