/* `datatrail report` and `datatrail flows`: argument parsing and wiring only. */
#include "commands.h"

#include "datatrail.h"
#include "inputs.h"
#include "output.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct run_ctx {
    int progress_on;
    int progress_shown;
    int unusable; /* inputs read whole but of no link type datatrail decodes */
} run_ctx;

static void show_progress(void *ctx, const dt_batch_progress *p)
{
    run_ctx *c = ctx;
    if (!c->progress_on)
        return;
    double mb = (double)p->bytes / 1e6;
    double rate = p->elapsed_s > 0 ? mb / p->elapsed_s : 0;
    char eta[32] = "";
    if (p->total_bytes && rate > 0 && p->bytes < p->total_bytes)
        snprintf(eta, sizeof eta, ", ETA %.0f s", ((double)p->total_bytes / 1e6 - mb) / rate);
    fprintf(stderr, "\rdatatrail: %d/%d files, %.1f MB read, %.1f MB/s%s   ", p->done, p->total, mb,
            rate, eta);
    c->progress_shown = 1;
}

static void input_done(void *ctx, const dt_input_info *in, dt_status st)
{
    run_ctx *c = ctx;
    uint64_t unsupported = 0;
    for (int i = 0; i < in->n_links; i++)
        unsupported += in->links[i].supported ? 0 : in->links[i].packets;
    if (unsupported && unsupported == in->packets) { /* read, but nothing could be decoded */
        if (c->progress_shown)
            fputc('\n', stderr);
        c->progress_shown = 0;
        dt_errorf("datatrail: %s: no packet decoded: %llu packets of a link type datatrail does "
                  "not read (DLT %d; the report's warnings name it)",
                  strcmp(in->path, "-") ? in->path : "- (stdin)", (unsigned long long)unsupported,
                  in->links[0].linktype);
        c->unusable++;
    }
    if (st == DT_OK)
        return;
    for (int e = 0; e < in->n_errors; e++) {
        if (c->progress_shown)
            fputc('\n', stderr);
        c->progress_shown = 0;
        const char *name = strcmp(in->path, "-") ? in->path : "- (stdin)";
        const char *m = in->errors[e].message;
        if (in->errors[e].packet)
            dt_errorf("datatrail: %s: %s; the %llu packets before it were used", name, m,
                      (unsigned long long)in->packets);
        else
            dt_errorf("datatrail: %s: %s", name, m);
    }
}

static void batch_error(void *ctx, const char *message)
{
    (void)ctx;
    dt_errorf("datatrail: %s", message);
}

int cmd_analyze(int argc, char **argv)
{
    int flows_mode = !strcmp(argv[0], "flows");
    dt_engine_config cfg;
    dt_engine_config_default(&cfg);
    cfg.dns_sink = dt_report_dns;
    dt_report_opts ro = {0};
    char device[64];
    ro.mode = flows_mode ? DT_OUT_FLOWS : DT_OUT_REPORT;
    const char *out_path = NULL, *format = NULL, *per_file = NULL, *policy_path = NULL;
    int quiet = 0, no_geo = 0;
    const char *vendor = NULL;
    char vendor_name[128];
    long nproc = sysconf(_SC_NPROCESSORS_ONLN);
    int jobs = nproc > 0 ? (int)nproc : 1;
    dt_enrich_config ec;
    dt_enrich_config_default(&ec);
    static dt_identifiers ids; /* static: freed at exit with the process */

    enum {
        O_LOCAL = 256,
        O_IDLE,
        O_MAXFLOWS,
        O_STREAMCAP,
        O_NOFLOWS,
        O_DEBUGSTREAMS,
        O_ENTITIES,
        O_VENDOR,
        O_NOGEO,
        O_PERFILE,
        O_LOCALONLY,
        O_DEVICE,
        O_TOP,
        O_ALL,
        O_TABLE,
        O_PERTABLE,
        O_POLICY,
        O_WINDOW,
        O_IDENTIFIER,
        O_IDENTIFIERS,
        O_PIIBYTES,
        O_SHOWVALUES,
    };
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"format", required_argument, NULL, 'f'},
        {"jobs", required_argument, NULL, 'j'},
        {"local", required_argument, NULL, O_LOCAL},
        {"local-only", required_argument, NULL, O_LOCALONLY},
        {"device", required_argument, NULL, O_DEVICE},
        {"top", required_argument, NULL, O_TOP},
        {"all", no_argument, NULL, O_ALL},
        {"table", required_argument, NULL, O_TABLE},
        {"per-table", required_argument, NULL, O_PERTABLE},
        {"policy", required_argument, NULL, O_POLICY},
        {"window", required_argument, NULL, O_WINDOW},
        {"identifier", required_argument, NULL, O_IDENTIFIER},
        {"identifiers", required_argument, NULL, O_IDENTIFIERS},
        {"pii-bytes", required_argument, NULL, O_PIIBYTES},
        {"show-values", no_argument, NULL, O_SHOWVALUES},
        {"idle-timeout", required_argument, NULL, O_IDLE},
        {"max-flows", required_argument, NULL, O_MAXFLOWS},
        {"stream-cap", required_argument, NULL, O_STREAMCAP},
        {"no-flows", no_argument, NULL, O_NOFLOWS},
        {"debug-streams", no_argument, NULL, O_DEBUGSTREAMS},
        {"per-file", required_argument, NULL, O_PERFILE},
        {"quiet", no_argument, NULL, 'q'},
        DT_GEO_LONGOPTS,
        {"entities", required_argument, NULL, O_ENTITIES},
        {"vendor", required_argument, NULL, O_VENDOR},
        {"no-geo", no_argument, NULL, O_NOGEO},
        {NULL, 0, NULL, 0},
    };
    static const char shortopts[] = "o:f:j:q";
    optind = 1;
    opterr = 0;
    int c;
    uint64_t v;
    while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            out_path = optarg;
            break;
        case 'f':
            format = optarg;
            break;
        case 'q':
            quiet = 1;
            break;
        case 'j':
            if (dt_parse_u64("-j", optarg, 1, 256, &v))
                return DT_EXIT_USAGE;
            jobs = (int)v;
            break;
        case O_LOCAL:
        case O_LOCALONLY: {
            const char *name = c == O_LOCAL ? "--local" : "--local-only";
            if (cfg.n_local == DT_MAX_LOCAL_NETS) {
                fprintf(stderr, "datatrail: at most %d --local/--local-only networks\n",
                        DT_MAX_LOCAL_NETS);
                return DT_EXIT_USAGE;
            }
            if (dt_cidr_parse(optarg, &cfg.local[cfg.n_local]) != 0) {
                fprintf(stderr,
                        "datatrail: %s needs an address or CIDR (e.g. 10.0.0.0/8), not '%s'\n",
                        name, optarg);
                return DT_EXIT_USAGE;
            }
            cfg.n_local++;
            cfg.local_only |= c == O_LOCALONLY;
            break;
        }
        case O_IDLE:
            if (dt_parse_u64("--idle-timeout", optarg, 1, 86400 * 365, &v))
                return DT_EXIT_USAGE;
            cfg.flows.idle_timeout_ns = v * 1000000000ull;
            break;
        case O_MAXFLOWS:
            if (dt_parse_u64("--max-flows", optarg, 1, 100000000, &v))
                return DT_EXIT_USAGE;
            cfg.flows.max_flows = (uint32_t)v;
            break;
        case O_STREAMCAP:
            if (dt_parse_u64("--stream-cap", optarg, 1024, 16u << 20, &v))
                return DT_EXIT_USAGE;
            cfg.flows.stream_cap = (uint32_t)v;
            break;
        case O_NOFLOWS:
            ro.no_flows = 1;
            break;
        case O_IDENTIFIER:
        case O_IDENTIFIERS:
            if ((c == O_IDENTIFIER ? dt_identifier_option(&ids, optarg)
                                   : dt_identifiers_file(&ids, optarg)) != 0) {
                dt_identifiers_free(&ids);
                return DT_EXIT_USAGE;
            }
            cfg.identifiers = (const char *const *)ids.v;
            cfg.n_identifiers = ids.n;
            break;
        case O_PIIBYTES:
            if (dt_parse_u64("--pii-bytes", optarg, 0, 16u << 20, &v))
                return DT_EXIT_USAGE;
            cfg.pii_bytes = (uint32_t)v;
            break;
        case O_SHOWVALUES:
            cfg.pii_show_values = 1;
            break;
        case O_DEBUGSTREAMS:
            ro.debug_streams = 1;
            cfg.keep_streams = 1;
            break;
        case O_PERFILE:
            per_file = optarg;
            break;
        case O_POLICY:
        case O_WINDOW:
            if (flows_mode) {
                fprintf(stderr, "datatrail flows: %s is an option of report and merge\n",
                        c == O_POLICY ? "--policy" : "--window");
                return DT_EXIT_USAGE;
            }
            if (c == O_POLICY)
                policy_path = optarg;
            else if (dt_window_option(optarg, &ro) != 0)
                return DT_EXIT_USAGE;
            break;
        case O_NOGEO:
            no_geo = 1;
            break;
        case O_VENDOR:
            vendor = optarg;
            break;
        case O_TOP:
        case O_ALL:
            if (dt_top_option(c == O_TOP ? optarg : NULL, &ro) != 0)
                return DT_EXIT_USAGE;
            break;
        case O_TABLE:
        case O_PERTABLE:
            if (dt_table_option(c == O_TABLE ? "--table" : "--per-table", optarg, &ro) != 0)
                return DT_EXIT_USAGE;
            break;
        case O_DEVICE:
            if (dt_device_option(optarg, device, sizeof device) != 0)
                return DT_EXIT_USAGE;
            ro.device = device;
            break;
        case O_ENTITIES:
            if (ec.n_entities == DT_MAX_USER_ENTITIES) {
                fprintf(stderr, "datatrail: at most %d --entities files\n", DT_MAX_USER_ENTITIES);
                return DT_EXIT_USAGE;
            }
            ec.entities[ec.n_entities++] = optarg;
            break;
        default:
            if ((c = geo_option(c, optarg, &ec.geo)) != 0) {
                if (c > 0)
                    break;
                return DT_EXIT_USAGE;
            }
            fprintf(stderr,
                    "datatrail: unknown or incomplete option '%s' (see: datatrail help %s)\n",
                    dt_bad_option(argv, shortopts), argv[0]);
            return DT_EXIT_USAGE;
        }
    }

    /* Output format: report defaults to text on a terminal, JSON elsewhere. */
    if (!format)
        ro.format = !flows_mode && !out_path && isatty(STDOUT_FILENO) ? DT_FMT_TEXT : DT_FMT_JSON;
    else if (dt_report_format_parse(format, ro.mode, &ro.format) != 0) {
        char names[128];
        fprintf(stderr, "datatrail %s: --format is %s, not '%s'\n", argv[0],
                dt_report_format_names(ro.mode, names, sizeof names), format);
        return DT_EXIT_USAGE;
    }
    const char *no_color = getenv("NO_COLOR"), *term = getenv("TERM");
    ro.color = ro.format == DT_FMT_TEXT && !out_path && isatty(STDOUT_FILENO) &&
               !(no_color && no_color[0]) && !(term && !strcmp(term, "dumb"));
    ro.width = dt_output_text_width(); /* every line kept within it (40 at least) */

    if (optind >= argc) {
        fprintf(stderr,
                "datatrail %s: no input given (a pcap/pcapng file, a directory, or - for stdin)\n",
                argv[0]);
        return DT_EXIT_USAGE;
    }
    dt_inputs inputs = {0};
    int stdin_uses = 0;
    for (int i = optind; i < argc; i++) {
        stdin_uses += !strcmp(argv[i], "-");
        if (dt_inputs_add(&inputs, argv[i]) != 0) {
            dt_inputs_free(&inputs);
            return DT_EXIT_NO_INPUT;
        }
    }
    if (stdin_uses > 1) {
        fprintf(stderr, "datatrail: '-' (stdin) can be given only once\n");
        dt_inputs_free(&inputs);
        return DT_EXIT_USAGE;
    }
    if (per_file) {
        struct stat st;
        if (stat(per_file, &st) != 0 || !S_ISDIR(st.st_mode)) {
            fprintf(stderr, "datatrail: --per-file needs an existing directory, not '%s'\n",
                    per_file);
            dt_inputs_free(&inputs);
            return DT_EXIT_USAGE;
        }
    }

    /* Never write over an input: -o, nor a per-file report. */
    if (dt_output_check_inputs("-o", out_path, inputs.paths, inputs.n) != 0) {
        dt_inputs_free(&inputs);
        return DT_EXIT_USAGE;
    }
    for (int i = 0; per_file && i < inputs.n; i++) {
        char target[4096];
        if (dt_per_file_path(per_file, inputs.paths[i], i, target, sizeof target) == 0 &&
            dt_output_check_inputs("--per-file", target, inputs.paths, inputs.n) != 0) {
            dt_inputs_free(&inputs);
            return DT_EXIT_USAGE;
        }
    }

    char warn[512] = "", err[512] = "";
    if (vendor && dt_vendor_option(&ec, vendor, vendor_name, sizeof vendor_name) != 0) {
        dt_inputs_free(&inputs);
        return DT_EXIT_USAGE;
    }
    ro.vendor = vendor ? vendor_name : NULL;
    dt_policy *policy = NULL; /* read before anything is written: a bad one writes nothing */
    if (policy_path && dt_policy_option(policy_path, &policy) != 0) {
        dt_inputs_free(&inputs);
        return DT_EXIT_USAGE;
    }
    ro.policy = policy;
    dt_enricher *enr = NULL;
    if (!no_geo) {
        enr = dt_enricher_open(&ec, warn, sizeof warn, err, sizeof err);
        if (!enr) {
            fprintf(stderr, "datatrail: %s\n", err);
            dt_policy_free(policy);
            dt_inputs_free(&inputs);
            return DT_EXIT_USAGE;
        }
        if (warn[0] && !quiet)
            fprintf(stderr, "datatrail: warning: %s\n", warn);
        ro.enricher = enr;
        ro.geo_warning = warn;
    }
    if (jobs > inputs.n)
        jobs = inputs.n > 0 ? inputs.n : 1;
    ro.echo = &cfg;
    ro.echo_geo = !no_geo;

    dt_output_catch_signals();
    dt_output out;
    dt_report *rep = NULL;
    if (dt_output_open(&out, out_path) == 0 && !(rep = dt_report_new(&ro, out.fp))) {
        fprintf(stderr, "datatrail: out of memory or no temporary file space\n");
        dt_output_close(&out, 0);
    }
    if (!rep) {
        dt_enricher_close(enr);
        dt_policy_free(policy);
        dt_inputs_free(&inputs);
        return DT_EXIT_NO_INPUT;
    }

    run_ctx rc;
    memset(&rc, 0, sizeof rc);
    rc.progress_on = !quiet && isatty(STDERR_FILENO);
    dt_batch_opts bo = {
        .engine = &cfg,
        .enrich = no_geo ? NULL : &ec,
        .jobs = jobs,
        .per_file_dir = per_file,
        .progress = show_progress,
        .input_done = input_done,
        .on_error = batch_error,
        .on_temp = dt_output_part_temp,
        .ctx = &rc,
    };
    dt_batch_result res;
    int brc =
        dt_batch_run(&bo, (const char *const *)inputs.paths, inputs.n, rep, &res, err, sizeof err);
    if (brc != 0)
        fprintf(stderr, "datatrail: %s\n", err);
    if (rc.progress_shown)
        fputc('\n', stderr);
    /* Nothing read, or the run could not start: nothing is written (an
     * existing -o file stays as it was). */
    int nothing = brc != 0 || res.ok + res.partial == 0;
    int werr = nothing ? 0 : dt_report_finish(rep);
    int violated = !nothing && dt_report_violations(rep) > 0;
    dt_report_free(rep);
    dt_policy_free(policy);
    dt_enricher_close(enr);
    dt_inputs_free(&inputs);
    if (werr)
        fprintf(stderr, "datatrail: error writing the output%s%s\n", out_path ? " to " : "",
                out_path ? out_path : "");
    if (dt_output_close(&out, !werr && !nothing) != 0 && !nothing)
        werr = -1;
    if (nothing && out_path && brc == 0)
        dt_errorf("datatrail: %s: not written, no input could be read", out_path);
    if (werr || nothing)
        return DT_EXIT_NO_INPUT;
    if (violated)
        return DT_EXIT_POLICY;
    if (res.partial || res.failed || res.write_errors || rc.unusable)
        return DT_EXIT_PARTIAL;
    return DT_EXIT_OK;
}
