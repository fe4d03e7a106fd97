/* `datatrail diff BASE NEW`: argument parsing and wiring only. */
#include "commands.h"

#include "datatrail.h"
#include "output.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char diff_help[] =
    "Usage: datatrail diff [-o FILE] [--format json|text] [--min-change PCT] BASE.json NEW.json\n"
    "(options may also follow the reports; -- ends them)\n"
    "\n"
    "What changed between two reports (written by report or merge, with their\n"
    "flows), table by table: countries, recipients, hosting networks, domains,\n"
    "transfer classes and beacon rhythms (endpoints connected to 3 times or more:\n"
    "their median interval). A row is listed when it is new, gone, or its upload\n"
    "or flows (a beacon: its interval) changed by more than --min-change percent of\n"
    "BASE (default 20; \"20%\" alike). Reports made with different geo databases\n"
    "are compared with a warning (stderr and the output).\n"
    "--format: text (default on a terminal) or json (default elsewhere).\n"
    "Exit status: 0 nothing changed beyond the threshold; 5 something did; 1 usage\n"
    "error; 2 a report cannot be read (not JSON, not a datatrail report, a newer\n"
    "schema version, made with --no-flows): nothing is written.\n";

static int parse_pct(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end != s && *end == '%')
        end++;
    if (errno || end == s || *end || !(v >= 0 && v <= 1e6) || isnan(v)) {
        fprintf(stderr,
                "datatrail diff: --min-change needs a percentage (e.g. 20 or 20%%), not "
                "'%s'\n",
                s);
        return -1;
    }
    *out = v / 100;
    return 0;
}

int cmd_diff(int argc, char **argv)
{
    const char *out_path = NULL, *format = NULL;
    dt_diff_opts o = {0.2, DT_FMT_JSON, 100};
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {"output", required_argument, NULL, 'o'},
        {"format", required_argument, NULL, 'f'},
        {"min-change", required_argument, NULL, 'm'},
        {NULL, 0, NULL, 0},
    };
    static const char shortopts[] = "ho:f:";
    optind = 1;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1;) {
        if (c == 'h') {
            fputs(diff_help, stdout);
            return DT_EXIT_OK;
        } else if (c == 'o') {
            out_path = optarg;
        } else if (c == 'f') {
            format = optarg;
        } else if (c == 'm') {
            if (parse_pct(optarg, &o.min_change) != 0)
                return DT_EXIT_USAGE;
        } else {
            fprintf(stderr, "datatrail diff: unknown or incomplete option '%s'\n\n%s",
                    dt_bad_option(argv, shortopts), diff_help);
            return DT_EXIT_USAGE;
        }
    }
    if (format && strcmp(format, "json") != 0 && strcmp(format, "text") != 0) {
        fprintf(stderr, "datatrail diff: --format is json or text, not '%s'\n", format);
        return DT_EXIT_USAGE;
    }
    o.format = format ? (!strcmp(format, "text") ? DT_FMT_TEXT : DT_FMT_JSON)
               : !out_path && isatty(STDOUT_FILENO) ? DT_FMT_TEXT
                                                    : DT_FMT_JSON;
    o.width = dt_output_text_width();
    if (argc - optind != 2) {
        fprintf(stderr, "datatrail diff: two reports are needed, BASE and NEW\n\n%s", diff_help);
        return DT_EXIT_USAGE;
    }
    if (dt_output_check_inputs("-o", out_path, argv + optind, 2) != 0)
        return DT_EXIT_USAGE;
    dt_output_catch_signals();
    dt_output out;
    if (dt_output_open(&out, out_path) != 0)
        return DT_EXIT_NO_INPUT;
    char err[1024] = "", warn[2048] = "";
    int rc = dt_report_diff(argv[optind], argv[optind + 1], &o, out.fp, err, sizeof err, warn,
                            sizeof warn);
    if (warn[0])
        dt_errorf("datatrail diff: warning: %s", warn);
    if (dt_output_close(&out, rc >= 0) != 0 && rc >= 0) {
        snprintf(err, sizeof err, "error writing the output");
        rc = -1;
    }
    if (rc < 0) {
        dt_errorf("datatrail diff: %s", err);
        return DT_EXIT_NO_INPUT;
    }
    return rc ? DT_EXIT_CHANGED : DT_EXIT_OK;
}
