/* `datatrail compare REPORT...`: argument parsing and wiring only. */
#include "commands.h"

#include "datatrail.h"
#include "output.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char compare_help[] =
    "Usage: datatrail compare [-o FILE] [--format text|json|csv|html] [--label NAME]...\n"
    "                         [--by report|device] [--top N|--all] [--policy FILE]\n"
    "                         REPORT.json...\n"
    "(options may also follow the reports; -- ends them)\n"
    "\n"
    "Reports (written by report or merge, with their flows) side by side: one column\n"
    "per report, labelled by --label (in the order of the reports) or else by the\n"
    "file name of its input (\"N inputs\" for a report of many); --by device: one\n"
    "column per device (its Ethernet or IP address) over all the reports.  Rows:\n"
    "countries, recipients, hosting networks, domains and transfer classes; a cell\n"
    "is the upload bytes and flows of that row in that column.\n"
    "--format: text (default on a terminal: columns folded into blocks that fit\n"
    "$COLUMNS or the terminal; --top N rows per table, default 10, --all), json\n"
    "(default elsewhere), csv (table,key,bytes_up,flows, then two per column) or\n"
    "html (one self-contained page: a table each, 200 rows unless --top/--all).\n"
    "--policy FILE (docs/policy.md): a first table of the violations (\"rule:\n"
    "subject\") of each column; exit status 4 when a column breaks the policy.\n"
    "Exit status: 0; 4 --policy is broken; 1 usage error; 2 a report cannot be\n"
    "read (not JSON, not a datatrail report, a newer schema version, made with\n"
    "--no-flows): nothing is written.  A report made with other geo databases than\n"
    "the first is compared with a warning.\n";

int cmd_compare(int argc, char **argv)
{
    const char *out_path = NULL, *format = NULL, *policy_path = NULL;
    dt_policy *policy = NULL;
    dt_compare_opts o = {0};
    dt_report_opts top = {0};
    const char **labels = calloc((size_t)argc + 1, sizeof *labels);
    if (!labels)
        return DT_EXIT_NO_INPUT;
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {"output", required_argument, NULL, 'o'},
        {"format", required_argument, NULL, 'f'},
        {"label", required_argument, NULL, 'L'},
        {"by", required_argument, NULL, 'B'},
        {"top", required_argument, NULL, 'N'},
        {"all", no_argument, NULL, 'A'},
        {"policy", required_argument, NULL, 'p'},
        {NULL, 0, NULL, 0},
    };
    static const char shortopts[] = "ho:f:";
    optind = 1;
    opterr = 0;
    int rc = DT_EXIT_USAGE;
    for (int c; (c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1;) {
        if (c == 'h') {
            fputs(compare_help, stdout);
            rc = DT_EXIT_OK;
            goto done;
        } else if (c == 'o') {
            out_path = optarg;
        } else if (c == 'f') {
            format = optarg;
        } else if (c == 'p') {
            policy_path = optarg;
        } else if (c == 'L') {
            labels[o.n_labels++] = optarg;
        } else if (c == 'B') {
            if (strcmp(optarg, "device") != 0 && strcmp(optarg, "report") != 0) {
                fprintf(stderr, "datatrail compare: --by is report or device, not '%s'\n", optarg);
                goto done;
            }
            o.by_device = !strcmp(optarg, "device");
        } else if (c == 'N' || c == 'A') {
            if (dt_top_option(c == 'N' ? optarg : NULL, &top) != 0)
                goto done;
        } else {
            fprintf(stderr, "datatrail compare: unknown or incomplete option '%s'\n\n%s",
                    dt_bad_option(argv, shortopts), compare_help);
            goto done;
        }
    }
    if (format && strcmp(format, "json") && strcmp(format, "text") && strcmp(format, "csv") &&
        strcmp(format, "html")) {
        fprintf(stderr, "datatrail compare: --format is text, json, csv or html, not '%s'\n",
                format);
        goto done;
    }
    o.format = !format ? (!out_path && isatty(STDOUT_FILENO) ? DT_FMT_TEXT : DT_FMT_JSON)
               : !strcmp(format, "text") ? DT_FMT_TEXT
               : !strcmp(format, "csv")  ? DT_FMT_CSV
               : !strcmp(format, "html") ? DT_FMT_HTML
                                         : DT_FMT_JSON;
    o.width = dt_output_text_width();
    o.top = top.top;
    o.paths = (const char *const *)argv + optind;
    o.n_paths = argc - optind;
    o.labels = labels;
    if (o.n_paths < 1) {
        fprintf(stderr, "datatrail compare: no report given\n\n%s", compare_help);
        goto done;
    }
    if (o.n_labels > o.n_paths || (o.n_labels && o.by_device)) {
        fprintf(stderr, "datatrail compare: %s\n",
                o.by_device ? "--label names reports, not devices (--by device)"
                            : "more --label than reports");
        goto done;
    }
    if (dt_output_check_inputs("-o", out_path, argv + optind, o.n_paths) != 0)
        goto done;
    if (policy_path && dt_policy_option(policy_path, &policy) != 0)
        goto done; /* read before anything is written: a bad one writes nothing */
    o.policy = policy;
    dt_output_catch_signals();
    dt_output out;
    rc = DT_EXIT_NO_INPUT;
    if (dt_output_open(&out, out_path) != 0)
        goto done;
    char err[1024] = "", warn[2048] = "";
    int r = dt_report_compare(&o, out.fp, err, sizeof err, warn, sizeof warn);
    if (warn[0])
        dt_errorf("datatrail compare: warning: %s", warn);
    if (dt_output_close(&out, r >= 0) != 0 && r >= 0) {
        snprintf(err, sizeof err, "error writing the output");
        r = -1;
    }
    if (r < 0)
        dt_errorf("datatrail compare: %s", err);
    else
        rc = r ? DT_EXIT_POLICY : DT_EXIT_OK;
done:
    dt_policy_free(policy);
    free(labels);
    return rc;
}
