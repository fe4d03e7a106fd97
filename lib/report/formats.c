#include "report/formats.h"

#include "report/render.h"
#include "report/report_int.h"

#include <string.h>

const dt_format_def dt_formats[] = {
    {"json", "ndjson", DT_FMT_JSON, DT_FOR_REPORT | DT_FOR_FLOWS, dt_report_write_json},
    {"text", NULL, DT_FMT_TEXT, DT_FOR_REPORT, dt_report_write_text},
    {"csv", NULL, DT_FMT_CSV, DT_FOR_REPORT | DT_FOR_FLOWS, dt_report_write_csv},
    {"html", NULL, DT_FMT_HTML, DT_FOR_REPORT, dt_report_write_html},
};
const size_t dt_n_formats = sizeof dt_formats / sizeof dt_formats[0];

dt_render_model dt_report_render_model(const dt_report *r, const dt_warning *warnings,
                                       size_t n_warnings)
{
    dt_render_model m = {
        r->ru,        &r->sum,        r->have_time, r->first_ns, r->last_ns,
        r->ts_digits, warnings,       n_warnings,   r->opts.top, r->opts.enricher != NULL,
        r->pol,       r->opts.policy, r->win,       r->pd};
    return m;
}

int dt_report_write_text(dt_report *r, const dt_warning *warnings, size_t n_warnings)
{
    dt_render_model m = dt_report_render_model(r, warnings, n_warnings);
    return dt_render_text(&m, r->out, r->opts.width, r->opts.color);
}

int dt_report_write_csv(dt_report *r, const dt_warning *warnings, size_t n_warnings)
{
    (void)warnings, (void)n_warnings; /* one table */
    return dt_render_csv_table(r->ru, r->opts.csv_table, r->out);
}

const char *dt_report_csv_tables(char *buf, size_t len)
{
    size_t k = 0;
    if (len)
        buf[0] = '\0';
    for (size_t i = 0; dt_render_csv_table_name(i) && k < len; i++) {
        int n = snprintf(buf + k, len - k, "%s%s", i ? ", " : "", dt_render_csv_table_name(i));
        if (n < 0)
            break;
        k += (size_t)n;
    }
    return buf;
}

static unsigned mode_bit(dt_report_mode mode)
{
    return mode == DT_OUT_FLOWS ? DT_FOR_FLOWS : DT_FOR_REPORT;
}

int dt_report_format_parse(const char *name, dt_report_mode mode, dt_report_format *out)
{
    for (size_t i = 0; i < dt_n_formats; i++) {
        const dt_format_def *d = &dt_formats[i];
        if (!(d->modes & mode_bit(mode)))
            continue;
        if (strcmp(name, d->name) == 0 ||
            (mode == DT_OUT_FLOWS && d->flows_alias && strcmp(name, d->flows_alias) == 0)) {
            *out = d->id;
            return 0;
        }
    }
    return -1;
}

const char *dt_report_format_names(dt_report_mode mode, char *buf, size_t len)
{
    size_t n = 0, k = 0, used = 0;
    for (size_t i = 0; i < dt_n_formats; i++)
        n += (dt_formats[i].modes & mode_bit(mode)) != 0;
    if (len)
        buf[0] = '\0';
    for (size_t i = 0; i < dt_n_formats && used < len; i++) {
        const dt_format_def *d = &dt_formats[i];
        if (!(d->modes & mode_bit(mode)))
            continue;
        const char *sep = k == 0 ? "" : k + 1 == n ? " or " : ", ";
        int w = mode == DT_OUT_FLOWS && d->flows_alias
                    ? snprintf(buf + used, len - used, "%s%s (%s)", sep, d->name, d->flows_alias)
                    : snprintf(buf + used, len - used, "%s%s", sep, d->name);
        used += w > 0 ? (size_t)w : 0;
        k++;
    }
    return buf;
}
