/* datatrail geodb build ... and datatrail lookup ... */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "datatrail.h"
#include "datatrail_geodb.h"
#include "output.h"

static const char geodb_help[] =
    "usage: datatrail geodb build --type country|asn|country-code -o OUT.mmdb\n"
    "                             [--description TEXT] [--attribution TEXT] [--skip-bad]\n"
    "                             CSV...\n"
    "Builds a MaxMind DB file from CSV lines \"start,end,value...\":\n"
    "  country       start,end,CC           -> {\"country\":{\"iso_code\":CC}} (GeoLite2 layout)\n"
    "  country-code  start,end,CC           -> {\"country_code\":CC} (ip-location-db layout)\n"
    "  asn           start,end,ASN[,ORG]    -> autonomous_system_number/_organization\n"
    "Later lines win where ranges overlap.  An invalid line is an error (file:line: reason)\n"
    "unless --skip-bad is given; skipped lines are counted.  The attribution text is stored\n"
    "as the metadata description \"en\" and shown by datatrail lookup --info.\n";

static const char lookup_help[] =
    "usage: datatrail lookup [--country-db F] [--location-db F] [--asn-db F] [--city-db F]\n"
    "                        [--override-db F] [--geodb-dir D] [--json] [--info] IP...\n"
    "Prints country (where the address is; [registered XX] when its range is registered\n"
    "elsewhere), ASN/organisation and address class for each IP address.\n"
    "Options may come before or after the addresses; -- ends them.\n"
    "--info lists the databases in use with their build dates and attribution.\n"
    "Exit status: 0; 3 when some arguments are not IP addresses (each is named,\n"
    "the others printed); 1 when none is; 2 when output could not be written.\n";

static int is_opt(const char *a, const char *name)
{
    return strcmp(a, name) == 0;
}

int cmd_geodb(int argc, char **argv)
{
    const char *type = NULL, *out = NULL, *desc = NULL, *attr = NULL;
    const char *csv[256];
    int ncsv = 0, skip_bad = 0;
    if (argc > 1 && (is_opt(argv[1], "--help") || is_opt(argv[1], "-h"))) {
        fputs(geodb_help, stdout);
        return DT_EXIT_OK;
    }
    if (argc < 2 || strcmp(argv[1], "build") != 0) {
        fputs(geodb_help, stderr);
        return DT_EXIT_USAGE;
    }
    enum { O_TYPE = 256, O_DESC, O_ATTR, O_SKIPBAD };
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {"type", required_argument, NULL, O_TYPE},
        {"output", required_argument, NULL, 'o'},
        {"description", required_argument, NULL, O_DESC},
        {"attribution", required_argument, NULL, O_ATTR},
        {"skip-bad", no_argument, NULL, O_SKIPBAD},
        {NULL, 0, NULL, 0},
    };
    /* options of `build`: argv[1] ("build") stands for the program name */
    int bargc = argc - 1;
    char **bargv = argv + 1;
    static const char shortopts[] = "ho:";
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(bargc, bargv, shortopts, longopts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(geodb_help, stdout);
            return DT_EXIT_OK;
        case O_TYPE:
            type = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        case O_DESC:
            desc = optarg;
            break;
        case O_ATTR:
            attr = optarg;
            break;
        case O_SKIPBAD:
            skip_bad = 1;
            break;
        default:
            fprintf(stderr, "datatrail geodb: unknown or incomplete option %s\n",
                    dt_bad_option(bargv, shortopts));
            return DT_EXIT_USAGE;
        }
    }
    for (int i = optind; i < bargc; i++) {
        if (ncsv == (int)(sizeof csv / sizeof csv[0])) {
            fprintf(stderr, "datatrail geodb: too many input files\n");
            return DT_EXIT_USAGE;
        }
        csv[ncsv++] = bargv[i];
    }
    dt_mmdb_kind kind;
    const char *dbtype;
    if (type && is_opt(type, "country")) {
        kind = DT_MMDB_COUNTRY;
        dbtype = "datatrail-Country";
    } else if (type && is_opt(type, "country-code")) {
        kind = DT_MMDB_COUNTRY_CODE;
        dbtype = "datatrail-Country";
    } else if (type && is_opt(type, "asn")) {
        kind = DT_MMDB_ASN;
        dbtype = "datatrail-ASN";
    } else {
        fprintf(stderr, "datatrail geodb: --type country|asn|country-code is required\n");
        return DT_EXIT_USAGE;
    }
    if (!out || ncsv == 0) {
        fprintf(stderr, "datatrail geodb: need -o OUT.mmdb and at least one CSV file\n");
        return DT_EXIT_USAGE;
    }
    if (dt_output_check_inputs("-o", out, (char *const *)csv, ncsv) != 0)
        return DT_EXIT_USAGE;
    dt_mmdbw *w = dt_mmdbw_new();
    if (!w) {
        fprintf(stderr, "datatrail geodb: out of memory\n");
        return DT_EXIT_NO_INPUT;
    }
    long total = 0, bad = 0;
    char err[1024];
    for (int k = 0; k < ncsv; k++) {
        long n = 0;
        if (dt_mmdbw_load_csv(w, csv[k], kind, skip_bad, &n, &bad, err, sizeof err) != 0) {
            fprintf(stderr, "datatrail geodb: %s\n", err);
            dt_mmdbw_free(w);
            return DT_EXIT_NO_INPUT;
        }
        total += n;
    }
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", out, (long)getpid());
    dt_mmdbw_meta meta = {dbtype, desc, attr ? attr : desc, 0};
    if (dt_mmdbw_write(w, tmp, &meta, err, sizeof err) != 0 || rename(tmp, out) != 0) {
        fprintf(stderr, "datatrail geodb: %s\n", err[0] ? err : strerror(errno));
        unlink(tmp);
        dt_mmdbw_free(w);
        return DT_EXIT_NO_INPUT;
    }
    struct stat st;
    long long size = stat(out, &st) == 0 ? (long long)st.st_size : -1;
    fprintf(stderr,
            "datatrail geodb: wrote %s: %ld ranges from %d file(s), %zu distinct records, "
            "%zu nodes, %d-bit records, %lld bytes",
            out, total, ncsv, dt_mmdbw_record_count(w), dt_mmdbw_node_count(w),
            dt_mmdbw_record_size(w), size);
    if (skip_bad)
        fprintf(stderr, ", %ld bad line(s) skipped", bad);
    fputc('\n', stderr);
    dt_mmdbw_free(w);
    return DT_EXIT_OK;
}

int geo_option(int c, const char *arg, struct dt_geo_config *cfg)
{
    const char **path = c == DT_OPT_COUNTRYDB    ? &cfg->country_db
                        : c == DT_OPT_ASNDB      ? &cfg->asn_db
                        : c == DT_OPT_CITYDB     ? &cfg->city_db
                        : c == DT_OPT_OVERRIDEDB ? &cfg->override_db
                        : c == DT_OPT_GEODBDIR   ? &cfg->geodb_dir
                        : c == DT_OPT_LOCATIONDB ? &cfg->location_db
                                                 : NULL;
    if (!path)
        return 0;
    struct stat st;
    if (c == DT_OPT_GEODBDIR) { /* a typo must not silently fall back to other data */
        const char *why = stat(arg, &st) != 0    ? strerror(errno)
                          : !S_ISDIR(st.st_mode) ? "not a directory"
                                                 : NULL;
        if (why) {
            dt_errorf("datatrail: %s: --geodb-dir: %s", arg, why);
            return -1;
        }
    }
    *path = arg;
    return 1;
}

int cmd_lookup(int argc, char **argv)
{
    dt_geo_config cfg = {0};
    int json = 0, info = 0;
    char **ips = calloc((size_t)argc + 1, sizeof *ips);
    int nips = 0;
    if (!ips)
        return DT_EXIT_NO_INPUT;
    cfg.data_dir = dt_data_dir();
    enum { O_JSON = 256, O_INFO };
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        DT_GEO_LONGOPTS,
        {"json", no_argument, NULL, O_JSON},
        {"info", no_argument, NULL, O_INFO},
        {NULL, 0, NULL, 0},
    };
    static const char shortopts[] = "h";
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(lookup_help, stdout);
            free(ips);
            return DT_EXIT_OK;
        case O_JSON:
            json = 1;
            break;
        case O_INFO:
            info = 1;
            break;
        default:
            if ((c = geo_option(c, optarg, &cfg)) != 0) {
                if (c > 0)
                    break;
                free(ips);
                return DT_EXIT_USAGE;
            }
            fprintf(stderr, "datatrail lookup: unknown or incomplete option %s\n",
                    dt_bad_option(argv, shortopts));
            free(ips);
            return DT_EXIT_USAGE;
        }
    }
    for (int i = optind; i < argc; i++)
        ips[nips++] = argv[i];
    if (nips == 0 && !info) {
        fputs(lookup_help, stderr);
        free(ips);
        return DT_EXIT_USAGE;
    }
    dt_addr *addrs = calloc((size_t)nips + 1, sizeof *addrs);
    if (!addrs) {
        free(ips);
        return DT_EXIT_NO_INPUT;
    }
    /* Each address is looked up; each argument that is not one is named, and
     * makes the exit status 3 (1 when none is an address). */
    int n = 0, bad = 0;
    for (int i = 0; i < nips; i++) {
        if (dt_addr_parse(ips[i], &addrs[n]) == 0) {
            n++;
        } else {
            fprintf(stderr, "datatrail lookup: not an IP address: %s\n", ips[i]);
            bad++;
        }
    }
    if (bad && n == 0 && !info) {
        free(ips);
        free(addrs);
        return DT_EXIT_USAGE;
    }
    char warn[2048];
    dt_geo *g = dt_geo_open(&cfg, warn, sizeof warn);
    if (!g) {
        fprintf(stderr, "datatrail lookup: %s\n", warn);
        free(ips);
        free(addrs);
        return DT_EXIT_NO_INPUT;
    }
    if (warn[0])
        fprintf(stderr, "datatrail lookup: warning: %s\n", warn);
    int rc = dt_lookup_print(stdout, g, addrs, n,
                             (json ? DT_LOOKUP_JSON : 0) | (info ? DT_LOOKUP_INFO : 0));
    if (rc != 0)
        fprintf(stderr, "datatrail lookup: out of memory\n");
    dt_geo_close(g);
    free(ips);
    free(addrs);
    return rc != 0 ? DT_EXIT_NO_INPUT : bad ? DT_EXIT_PARTIAL : DT_EXIT_OK;
}
