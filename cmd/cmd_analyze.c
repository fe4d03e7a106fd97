/* `datatrail report` and `datatrail flows`: argument parsing and wiring only. */
#include "commands.h"

#include "engine.h"
#include "enrich.h"
#include "report.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct progress {
    int on;
    const char *path;
    int index, total;
} progress;

static void show_progress(void *ctx, uint64_t bytes)
{
    progress *p = ctx;
    if (p->on)
        fprintf(stderr, "\rdatatrail: [%d/%d] %s: %.1f MB read   ", p->index, p->total, p->path,
                (double)bytes / 1e6);
}

static int parse_u64(const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v < min || v > max) {
        fprintf(stderr, "datatrail: %s needs a whole number from %llu to %llu, not '%s'\n", opt,
                (unsigned long long)min, (unsigned long long)max, s);
        return -1;
    }
    *out = v;
    return 0;
}

/* Output to a temporary file beside the target, renamed into place on success,
 * so an interrupted run never leaves a half-written report. */
typedef struct output {
    FILE *fp;
    char *target, *tmp;
} output;

static int output_open(output *o, const char *path)
{
    memset(o, 0, sizeof *o);
    if (!path || !strcmp(path, "-")) {
        o->fp = stdout;
        return 0;
    }
    o->target = strdup(path);
    size_t n = strlen(path) + 32;
    o->tmp = malloc(n);
    if (!o->target || !o->tmp)
        return -1;
    snprintf(o->tmp, n, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(o->tmp);
    if (fd < 0 || !(o->fp = fdopen(fd, "w"))) {
        fprintf(stderr, "datatrail: cannot write %s: %s\n", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        free(o->tmp);
        o->tmp = NULL;
        return -1;
    }
    return 0;
}

static int output_close(output *o, int ok)
{
    int rc = 0;
    if (o->fp && o->fp != stdout) {
        if (fclose(o->fp) != 0)
            ok = 0;
        if (ok && rename(o->tmp, o->target) != 0) {
            fprintf(stderr, "datatrail: cannot rename %s to %s: %s\n", o->tmp, o->target,
                    strerror(errno));
            ok = 0;
        }
        if (!ok)
            unlink(o->tmp);
    }
    if (!ok)
        rc = -1;
    free(o->target);
    free(o->tmp);
    return rc;
}

int cmd_analyze(int argc, char **argv)
{
    int flows_mode = !strcmp(argv[0], "flows");
    dt_engine_config cfg;
    dt_engine_config_default(&cfg);
    dt_report_opts ro = {0};
    ro.mode = flows_mode ? DT_OUT_FLOWS : DT_OUT_REPORT;
    const char *out_path = NULL;
    int quiet = 0, no_geo = 0;
    dt_enrich_config ec;
    dt_enrich_config_default(&ec);

    enum {
        O_LOCAL = 256,
        O_IDLE,
        O_MAXFLOWS,
        O_STREAMCAP,
        O_NOFLOWS,
        O_DEBUGSTREAMS,
        O_COUNTRYDB,
        O_ASNDB,
        O_CITYDB,
        O_OVERRIDEDB,
        O_GEODBDIR,
        O_ENTITIES,
        O_NOGEO,
    };
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"local", required_argument, NULL, O_LOCAL},
        {"idle-timeout", required_argument, NULL, O_IDLE},
        {"max-flows", required_argument, NULL, O_MAXFLOWS},
        {"stream-cap", required_argument, NULL, O_STREAMCAP},
        {"no-flows", no_argument, NULL, O_NOFLOWS},
        {"debug-streams", no_argument, NULL, O_DEBUGSTREAMS},
        {"quiet", no_argument, NULL, 'q'},
        {"country-db", required_argument, NULL, O_COUNTRYDB},
        {"asn-db", required_argument, NULL, O_ASNDB},
        {"city-db", required_argument, NULL, O_CITYDB},
        {"override-db", required_argument, NULL, O_OVERRIDEDB},
        {"geodb-dir", required_argument, NULL, O_GEODBDIR},
        {"entities", required_argument, NULL, O_ENTITIES},
        {"no-geo", no_argument, NULL, O_NOGEO},
        {NULL, 0, NULL, 0},
    };
    optind = 1;
    opterr = 0;
    int c;
    uint64_t v;
    while ((c = getopt_long(argc, argv, "+o:q", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': out_path = optarg; break;
        case 'q': quiet = 1; break;
        case O_LOCAL:
            if (cfg.n_local == DT_MAX_LOCAL_NETS) {
                fprintf(stderr, "datatrail: at most %d --local networks\n", DT_MAX_LOCAL_NETS);
                return DT_EXIT_USAGE;
            }
            if (dt_cidr_parse(optarg, &cfg.local[cfg.n_local]) != 0) {
                fprintf(stderr, "datatrail: --local needs an address or CIDR (e.g. 10.0.0.0/8), not '%s'\n",
                        optarg);
                return DT_EXIT_USAGE;
            }
            cfg.n_local++;
            break;
        case O_IDLE:
            if (parse_u64("--idle-timeout", optarg, 1, 86400 * 365, &v))
                return DT_EXIT_USAGE;
            cfg.flows.idle_timeout_ns = v * 1000000000ull;
            break;
        case O_MAXFLOWS:
            if (parse_u64("--max-flows", optarg, 1, 100000000, &v))
                return DT_EXIT_USAGE;
            cfg.flows.max_flows = (uint32_t)v;
            break;
        case O_STREAMCAP:
            if (parse_u64("--stream-cap", optarg, 1024, 16u << 20, &v))
                return DT_EXIT_USAGE;
            cfg.flows.stream_cap = (uint32_t)v;
            break;
        case O_NOFLOWS: ro.no_flows = 1; break;
        case O_COUNTRYDB: ec.geo.country_db = optarg; break;
        case O_ASNDB: ec.geo.asn_db = optarg; break;
        case O_CITYDB: ec.geo.city_db = optarg; break;
        case O_OVERRIDEDB: ec.geo.override_db = optarg; break;
        case O_GEODBDIR: ec.geo.geodb_dir = optarg; break;
        case O_NOGEO: no_geo = 1; break;
        case O_ENTITIES:
            if (ec.n_entities == DT_MAX_USER_ENTITIES) {
                fprintf(stderr, "datatrail: at most %d --entities files\n", DT_MAX_USER_ENTITIES);
                return DT_EXIT_USAGE;
            }
            ec.entities[ec.n_entities++] = optarg;
            break;
        case O_DEBUGSTREAMS:
            ro.debug_streams = 1;
            cfg.keep_streams = 1;
            break;
        default:
            fprintf(stderr, "datatrail: unknown or incomplete option '%s' (see: datatrail help %s)\n",
                    argv[optind - 1], argv[0]);
            return DT_EXIT_USAGE;
        }
    }
    int n_inputs = argc - optind;
    if (n_inputs <= 0) {
        fprintf(stderr, "datatrail %s: no input given (a pcap/pcapng file, or - for stdin)\n",
                argv[0]);
        return DT_EXIT_USAGE;
    }
    int stdin_uses = 0;
    for (int i = optind; i < argc; i++)
        stdin_uses += !strcmp(argv[i], "-");
    if (stdin_uses > 1) {
        fprintf(stderr, "datatrail: '-' (stdin) can be given only once\n");
        return DT_EXIT_USAGE;
    }

    dt_enricher *enr = NULL;
    char warn[512] = "", err[512] = "";
    if (!no_geo) {
        enr = dt_enricher_open(&ec, warn, sizeof warn, err, sizeof err);
        if (!enr) {
            fprintf(stderr, "datatrail: %s\n", err);
            return DT_EXIT_USAGE;
        }
        if (warn[0] && !quiet)
            fprintf(stderr, "datatrail: warning: %s\n", warn);
        ro.enricher = enr;
        ro.geo_warning = warn;
    }

    output out;
    if (output_open(&out, out_path) != 0) {
        dt_enricher_close(enr);
        return DT_EXIT_NO_INPUT;
    }
    dt_report *rep = dt_report_new(&ro, out.fp);
    if (!rep) {
        fprintf(stderr, "datatrail: out of memory or no temporary file space\n");
        output_close(&out, 0);
        dt_enricher_close(enr);
        return DT_EXIT_NO_INPUT;
    }

    progress pr = {!quiet && isatty(STDERR_FILENO), NULL, 0, n_inputs};
    int read_ok = 0, read_partial = 0, failed = 0;
    for (int i = 0; i < n_inputs; i++) {
        const char *path = argv[optind + i];
        pr.path = path;
        pr.index = i + 1;
        dt_input_info info;
        int rc = dt_engine_run(&cfg, path, (uint32_t)i, dt_report_flow, rep, &info, show_progress,
                               &pr);
        dt_report_input(rep, &info);
        if (rc == 0) {
            read_ok++;
        } else {
            if (rc == 1)
                read_partial++;
            else
                failed++;
            for (int e = 0; e < info.n_errors; e++) {
                if (info.errors[e].packet)
                    fprintf(stderr, "%sdatatrail: %s: %s (the %llu packets before it were used)\n",
                            pr.on ? "\n" : "", path, info.errors[e].message,
                            (unsigned long long)info.packets);
                else
                    fprintf(stderr, "%sdatatrail: %s: %s\n", pr.on ? "\n" : "", path,
                            info.errors[e].message);
            }
        }
    }
    if (pr.on)
        fputc('\n', stderr);
    int werr = dt_report_finish(rep);
    dt_report_free(rep);
    dt_enricher_close(enr);
    if (werr)
        fprintf(stderr, "datatrail: error writing the output%s%s\n", out_path ? " to " : "",
                out_path ? out_path : "");
    if (output_close(&out, !werr) != 0 || werr)
        return DT_EXIT_NO_INPUT;
    if (read_ok + read_partial == 0)
        return DT_EXIT_NO_INPUT;
    if (read_partial || failed)
        return DT_EXIT_PARTIAL;
    return DT_EXIT_OK;
}
