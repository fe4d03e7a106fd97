/* `datatrail merge`: combines reports written by `datatrail report`. */
#include "commands.h"

#include "datatrail.h"
#include "output.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REPORT_MAX ((size_t)16 << 30) /* a report is read whole: 16 GiB at most */

static const char merge_help[] =
    "Usage: datatrail merge [-o FILE] [--format json|text|csv|html] [--vendor NAME\n"
    "                       [--entities FILE]] [--device ADDR|MAC] [--policy FILE]\n"
    "                       [--window DURATION] REPORT.json...\n"
    "(options may also follow the reports; -- ends them)\n"
    "\n"
    "Combines reports written by `datatrail report` (with their flows) into one:\n"
    "inputs, counters and the DNS table are added up, and the rollups (countries,\n"
    "companies, domains, endpoints) are computed again from all flows, so the\n"
    "result equals one report over all the captures.  `-` reads a report from stdin.\n"
    "--vendor NAME sets the device's maker (an entity name of data/entities.json or\n"
    "of --entities files) for the parties; default: the first merged report's\n"
    "--vendor, else inferred from all flows (the car maker with the most flows).\n"
    "--device ADDR|MAC keeps only that device's flows (its address or MAC address).\n"
    "--top N / --all: rows per text or html table; --table NAME: the CSV table (default\n"
    "endpoints); --per-table DIR: also every table as DIR/NAME.csv.\n"
    "--policy FILE checks every flow against a policy (docs/policy.md): violations[]\n"
    "in the JSON, a section at the top of the text (a merge without --policy has none).\n"
    "--window 1h|1d: upload per recipient per window (windows[], a text section).\n"
    "A report made with other geo databases than the first is merged with a warning.\n"
    "Exit status: 0; 3 when some inputs are not reports (each is named); 2 when none\n"
    "is (nothing is written); 4 the policy is violated (before 3); 1 usage error\n"
    "(a bad policy file), or -o FILE that is one of the inputs.\n";

int cmd_merge(int argc, char **argv)
{
    const char *out_path = NULL;
    dt_report_opts ro = {0};
    ro.mode = DT_OUT_REPORT;
    ro.width = dt_output_text_width();
    char vendor[128], device[64];
    const char *vendor_arg = NULL, *policy_path = NULL;
    dt_enrich_config ec;
    dt_enrich_config_default(&ec);
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {"output", required_argument, NULL, 'o'},
        {"format", required_argument, NULL, 'f'},
        {"vendor", required_argument, NULL, 'V'},
        {"entities", required_argument, NULL, 'E'},
        {"device", required_argument, NULL, 'D'},
        {"table", required_argument, NULL, 'T'},
        {"per-table", required_argument, NULL, 'P'},
        {"top", required_argument, NULL, 'N'},
        {"all", no_argument, NULL, 'A'},
        {"policy", required_argument, NULL, 'p'},
        {"window", required_argument, NULL, 'W'},
        {NULL, 0, NULL, 0},
    };
    static const char shortopts[] = "ho:f:";
    optind = 1;
    opterr = 0;
    for (;;) {
        int c = getopt_long(argc, argv, shortopts, longopts, NULL);
        if (c == -1)
            break;
        if (c == 'h') {
            fputs(merge_help, stdout);
            return DT_EXIT_OK;
        } else if (c == 'o') {
            out_path = optarg;
        } else if (c == 'V') {
            vendor_arg = optarg;
        } else if (c == 'p') {
            policy_path = optarg;
        } else if (c == 'W') {
            if (dt_window_option(optarg, &ro) != 0)
                return DT_EXIT_USAGE;
        } else if (c == 'T' || c == 'P') {
            if (dt_table_option(c == 'T' ? "--table" : "--per-table", optarg, &ro) != 0)
                return DT_EXIT_USAGE;
        } else if (c == 'A' || c == 'N') {
            if (dt_top_option(c == 'N' ? optarg : NULL, &ro) != 0)
                return DT_EXIT_USAGE;
        } else if (c == 'D') {
            if (dt_device_option(optarg, device, sizeof device) != 0)
                return DT_EXIT_USAGE;
            ro.device = device;
        } else if (c == 'E') {
            if (ec.n_entities == DT_MAX_USER_ENTITIES) {
                fprintf(stderr, "datatrail merge: at most %d --entities files\n",
                        DT_MAX_USER_ENTITIES);
                return DT_EXIT_USAGE;
            }
            ec.entities[ec.n_entities++] = optarg;
        } else if (c == 'f') {
            if (dt_report_format_parse(optarg, DT_OUT_REPORT, &ro.format) != 0) {
                char names[128];
                fprintf(stderr, "datatrail merge: --format is %s, not '%s'\n",
                        dt_report_format_names(DT_OUT_REPORT, names, sizeof names), optarg);
                return DT_EXIT_USAGE;
            }
        } else {
            fprintf(stderr, "datatrail merge: unknown or incomplete option '%s'\n\n%s",
                    dt_bad_option(argv, shortopts), merge_help);
            return DT_EXIT_USAGE;
        }
    }
    if (vendor_arg) {
        if (dt_vendor_option(&ec, vendor_arg, vendor, sizeof vendor) != 0)
            return DT_EXIT_USAGE;
        ro.vendor = vendor;
    }
    int i = optind;
    if (i >= argc) {
        fprintf(stderr, "datatrail merge: no report given\n\n%s", merge_help);
        return DT_EXIT_USAGE;
    }
    if (dt_output_check_inputs("-o", out_path, argv + i, argc - i) != 0)
        return DT_EXIT_USAGE;
    dt_policy *policy = NULL; /* read before anything is written: a bad one writes nothing */
    if (policy_path && dt_policy_option(policy_path, &policy) != 0)
        return DT_EXIT_USAGE;
    ro.policy = policy;
    dt_output_catch_signals();
    dt_output out;
    if (dt_output_open(&out, out_path) != 0) {
        dt_policy_free(policy);
        return DT_EXIT_NO_INPUT;
    }
    dt_report *rep = dt_report_new(&ro, out.fp);
    int failed = 0, merged = 0;
    for (; rep && i < argc; i++) {
        char err[1024] = "";
        int rc = dt_report_merge_file(rep, argv[i], REPORT_MAX, err, sizeof err);
        if (rc == 0 && err[0])
            dt_errorf("datatrail merge: warning: %s: %s", argv[i], err);
        if (rc == -1) {
            dt_errorf("datatrail merge: %s", err);
            failed++;
        } else if (rc != 0) {
            dt_errorf("datatrail merge: %s: %s", argv[i], err);
            failed++;
        } else {
            merged++;
        }
    }
    /* No report among the inputs: nothing is written (an existing -o file
     * stays as it was). */
    int werr = !rep ? -1 : merged ? dt_report_finish(rep) : 0;
    int violated = rep && merged && dt_report_violations(rep) > 0;
    dt_report_free(rep);
    dt_policy_free(policy);
    if (dt_output_close(&out, werr == 0 && merged) != 0 && merged)
        werr = -1;
    if (werr) {
        fprintf(stderr, "datatrail merge: error writing the output\n");
        return DT_EXIT_NO_INPUT;
    }
    if (merged == 0) {
        fprintf(stderr, "datatrail merge: none of the inputs is a datatrail report%s%s%s\n",
                out_path ? ": " : "", out_path ? out_path : "", out_path ? " not written" : "");
        return DT_EXIT_NO_INPUT;
    }
    return violated ? DT_EXIT_POLICY : failed ? DT_EXIT_PARTIAL : DT_EXIT_OK;
}
