/* datatrail: which countries and companies received data from this device? */
#include "commands.h"
#include "datatrail.h"
#include "output.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char usage[] =
    "Usage: datatrail COMMAND [OPTIONS] [INPUT...]\n"
    "\n"
    "Who received data from this device, how much, how often, and over what?\n"
    "\n"
    "Commands:\n"
    "  report INPUT...     one JSON report: inputs, summary, DNS table, flows\n"
    "  flows INPUT...      one JSON object per flow (NDJSON), as flows end\n"
    "  merge REPORT...     combine reports (e.g. one per drive session) into one\n"
    "  diff BASE NEW       what is new, gone or changed between two reports\n"
    "  compare REPORT...   reports (or devices) side by side, one column each\n"
    "  lookup IP...        what datatrail knows about an address (country, ASN, org)\n"
    "  geodb build ...     build a MaxMind DB file from CSV ranges\n"
    "  help [COMMAND]      show help for a command\n"
    "\n"
    "INPUT is a pcap or pcapng file (optionally gzip-compressed), a directory\n"
    "(searched for *.pcap, *.pcapng, *.cap, their .gz and rotated .1 names, any\n"
    "letter case; each file read once), or - for stdin.\n"
    "Options may come before or after the inputs; -- ends them.\n"
    "Options: datatrail help report.   Version: datatrail --version.\n";

static const char help_analyze[] =
    "Usage: datatrail report [OPTIONS] INPUT...\n"
    "       datatrail flows  [OPTIONS] INPUT...\n"
    "\n"
    "Reads each capture, rebuilds its flows and names the servers without\n"
    "decrypting (TLS SNI, QUIC SNI, HTTP Host, DNS answers, certificates).\n"
    "`report` writes one JSON object; `flows` writes one flow per line (NDJSON).\n"
    "\n"
    "Options (before or after the inputs; -- ends them, - is stdin):\n"
    "  -o, --output FILE       write to FILE (atomically: temporary file, then rename;\n"
    "                          never over an input, untouched when nothing was read)\n"
    "  -f, --format FMT        report: text (default on a terminal), json (default\n"
    "                          elsewhere), csv (the endpoint table) or html (one\n"
    "                          self-contained page: map, charts, timeline, tables);\n"
    "                          flows: json (NDJSON, default) or csv\n"
    "  -j, --jobs N            read N inputs in parallel (default: number of cores);\n"
    "                          the output is the same for any N\n"
    "      --per-file DIR      also write one report per input into DIR\n"
    "      --local CIDR        also a local network (repeatable); private, link-local, ULA\n"
    "                          and CGNAT addresses are local anyway\n"
    "      --local-only CIDR   the only local networks (repeatable; replaces the defaults)\n"
    "      --idle-timeout SEC  end a flow after SEC seconds without packets (default 300)\n"
    "      --max-flows N       live flows held at once; the least recently active is ended\n"
    "                          early when full (default 100000)\n"
    "      --stream-cap BYTES  bytes of each TCP direction buffered for the parsers\n"
    "                          (default 65536)\n"
    "      --no-flows          report: leave out the flows array\n"
    "      --debug-streams     add the reassembled TCP stream prefixes (hex) to each flow\n"
    "\n"
    "Enrichment (country, ASN, recipient and host, EU/EEA transfer class):\n"
    "      --country-db FILE   MaxMind DB with countries (GeoLite2, DB-IP, ip-location-db);\n"
    "                          with --location-db (or data/location.mmdb) the registry's view\n"
    "      --location-db FILE  MaxMind DB of where addresses are (default data/location.mmdb,\n"
    "                          DB-IP Lite): the country, and so the transfer class\n"
    "      --asn-db FILE       MaxMind DB with ASN and organisation\n"
    "      --city-db FILE      MaxMind DB with cities (optional)\n"
    "      --override-db FILE  your own ranges, winning over the others\n"
    "      --geodb-dir DIR     look for country.mmdb, asn.mmdb, GeoLite2-*.mmdb ... here first\n"
    "                          (DIR must exist); then $DATATRAIL_GEODB_DIR, the data directory\n"
    "                          (see man datatrail: FILES), /usr/share/GeoIP, /var/lib/GeoIP\n"
    "      --entities FILE     extra company list (JSON, as data/entities.json; repeatable)\n"
    "      --vendor NAME       the device's maker, an entity name (first party); default:\n"
    "                          inferred, the car maker that receives the most flows\n"
    "      --top N, --all      text, html: N rows per table (text: default 10, plaintext\n"
    "                          5; html: 200), or all\n"
    "      --device ADDR|MAC   only the flows of this device (one of its addresses, or its\n"
    "                          Ethernet address); the input counters stay the capture's\n"
    "      --policy FILE       report: check every flow against a policy (JSON: see\n"
    "                          docs/policy.md); what breaks it is listed in violations[]\n"
    "                          and at the top of the text report; exit status 4\n"
    "      --window DURATION   report: upload per recipient per window of 1h, 1d (N followed\n"
    "                          by m, h or d; UTC) in windows[] and the text report\n"
    "      --no-geo            no enrichment at all\n"
    "\n"
    "Personal data sent in clear (flows[].findings, personal_data; masked samples):\n"
    "      --identifier NAME=VALUE\n"
    "                          also look for this value (the VIN, an e-mail, the IMEI: as\n"
    "                          is, upper/lower case, URL-encoded, base64, hex, MD5, SHA-1,\n"
    "                          SHA-256; a value of 4-200 bytes; repeatable)\n"
    "      --identifiers FILE  NAME=VALUE lines (# comments)\n"
    "      --pii-bytes N       bytes scanned of what a device sends per flow (default\n"
    "                          16384; 0: off)\n"
    "      --show-values       show the values found, not masked samples\n"
    "  -q, --quiet             no progress line on stderr\n"
    "  -h, --help              this help\n"
    "\n"
    "Exit status: 0 all inputs read; 1 usage error, or an output that is an input;\n"
    "2 no input could be read (nothing written); 3 some inputs were read with\n"
    "errors (the report says which and why); 4 --policy is violated (before 3);\n"
    "128 + N ended by signal N (SIGHUP, SIGINT, SIGTERM), temporary files removed.\n";

int dt_parse_u64(const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *out)
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

int dt_top_option(const char *arg, dt_report_opts *ro)
{
    uint64_t v;
    if (!arg) { /* --all */
        ro->top = -1;
        return 0;
    }
    if (dt_parse_u64("--top", arg, 1, 1000000, &v) != 0)
        return -1;
    ro->top = (int)v;
    return 0;
}

int dt_table_option(const char *opt, const char *arg, dt_report_opts *ro)
{
    char names[256];
    if (!strcmp(opt, "--table")) {
        dt_report_csv_tables(names, sizeof names);
        const char *p = strstr(names, arg);
        size_t n = strlen(arg);
        if (!n || !p || (p != names && p[-1] != ' ') || (p[n] && p[n] != ',')) {
            dt_errorf("datatrail: --table is one of %s, not '%s'", names, arg);
            return -1;
        }
        ro->csv_table = arg;
        return 0;
    }
    struct stat st;
    if (stat(arg, &st) != 0 || !S_ISDIR(st.st_mode)) {
        dt_errorf("datatrail: %s: --per-table needs an existing directory", arg);
        return -1;
    }
    ro->per_table_dir = arg;
    return 0;
}

int dt_window_option(const char *arg, dt_report_opts *ro)
{
    char *end;
    errno = 0;
    unsigned long long n = strtoull(arg, &end, 10);
    uint64_t unit = !strcmp(end, "m")   ? 60
                    : !strcmp(end, "h") ? 3600
                    : !strcmp(end, "d") ? 86400
                                        : 0;
    if (errno || end == arg || arg[0] == '-' || !unit || n < 1 || n > 366 * 86400 / unit) {
        dt_errorf("datatrail: --window needs a duration: a whole number followed by m, h or d "
                  "(1h, 1d, 15m; at most 366d), not '%s'",
                  arg);
        return -1;
    }
    ro->window_s = n * unit;
    return 0;
}

int dt_policy_option(const char *path, dt_policy **out)
{
    char err[512];
    dt_policy *p = dt_policy_load(path, err, sizeof err);
    if (!p) {
        dt_errorf("datatrail: %s", err);
        return -1;
    }
    dt_policy_free(*out);
    *out = p;
    return 0;
}

int dt_device_option(const char *arg, char *out, size_t outlen)
{
    if (dt_device_parse(arg, out, outlen) == 0)
        return 0;
    dt_errorf("datatrail: --device needs an IP address or an Ethernet address "
              "(aa:bb:cc:dd:ee:ff), not '%s'",
              arg);
    return -1;
}

int dt_vendor_option(const dt_enrich_config *c, const char *name, char *out, size_t outlen)
{
    char err[512];
    int rc = dt_entity_name_resolve(c, name, out, outlen, err, sizeof err);
    if (rc < 0)
        fprintf(stderr, "datatrail: %s\n", err);
    else if (rc > 0)
        fprintf(stderr,
                "datatrail: --vendor '%s' is not an entity name; the names are the \"name\" "
                "fields of %s/entities.json (car makers have \"category\": \"car_maker\") and "
                "of --entities files, and a report lists those it saw in companies[].name\n",
                name, c && c->data_dir ? c->data_dir : dt_data_dir());
    return rc == 0 ? 0 : -1;
}

const char *dt_bad_option(char **argv, const char *optstring)
{
    static char letter[3];
    if (optopt > 0 && optopt < 256 && !strchr(optstring, optopt)) { /* "-x", also in "-qx" */
        letter[0] = '-';
        letter[1] = (char)optopt;
        return letter;
    }
    return argv[optind - 1]; /* a long option, or a short one without its value */
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return DT_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    /* Options before the command: only argv[1] is looked at, and what is not
     * one of them is an unknown command below. */
    enum { O_VERSION = 256 };
    static const struct option top[] = {
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, O_VERSION},
        {NULL, 0, NULL, 0},
    };
    int top_opt = -1;
    if (cmd[0] == '-') {
        optind = 1;
        opterr = 0;
        top_opt = getopt_long(2, argv, "+h", top, NULL);
    }
    if (top_opt == O_VERSION || !strcmp(cmd, "version")) {
        printf("datatrail %s\n", DT_VERSION);
        return DT_EXIT_OK;
    }
    if (top_opt == 'h') {
        fputs(usage, stdout);
        return DT_EXIT_OK;
    }
    if (!strcmp(cmd, "help")) {
        const char *topic = argc > 2 ? argv[2] : "";
        if (!strcmp(topic, "report") || !strcmp(topic, "flows")) {
            fputs(help_analyze, stdout);
            return DT_EXIT_OK;
        }
        if (!strcmp(topic, "lookup") || !strcmp(topic, "geodb") || !strcmp(topic, "merge") ||
            !strcmp(topic, "diff") || !strcmp(topic, "compare")) {
            char *sub[] = {argv[2], "--help", NULL};
            return !strcmp(topic, "lookup")    ? cmd_lookup(2, sub)
                   : !strcmp(topic, "merge")   ? cmd_merge(2, sub)
                   : !strcmp(topic, "diff")    ? cmd_diff(2, sub)
                   : !strcmp(topic, "compare") ? cmd_compare(2, sub)
                                               : cmd_geodb(2, sub);
        }
        fputs(usage, stdout);
        return topic[0] ? DT_EXIT_USAGE : DT_EXIT_OK;
    }
    if (!strcmp(cmd, "report") || !strcmp(cmd, "flows")) {
        for (int i = 2; i < argc && strcmp(argv[i], "--") != 0; i++)
            if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
                fputs(help_analyze, stdout);
                return DT_EXIT_OK;
            }
        return cmd_analyze(argc - 1, argv + 1);
    }
    if (!strcmp(cmd, "merge"))
        return cmd_merge(argc - 1, argv + 1);
    if (!strcmp(cmd, "diff"))
        return cmd_diff(argc - 1, argv + 1);
    if (!strcmp(cmd, "compare"))
        return cmd_compare(argc - 1, argv + 1);
    if (!strcmp(cmd, "geodb"))
        return cmd_geodb(argc - 1, argv + 1);
    if (!strcmp(cmd, "lookup"))
        return cmd_lookup(argc - 1, argv + 1);
    fprintf(stderr, "datatrail: unknown command '%s'\n\n%s", cmd, usage);
    return DT_EXIT_USAGE;
}

/* Every command: what was written to stdout must have arrived (a full disk,
 * /dev/full, an I/O error) or the run failed, whatever the command said. */
int main(int argc, char **argv)
{
    dt_heap_setup();
    int rc = dispatch(argc, argv);
    int failed = ferror(stdout);
    errno = 0;
    int closed = fclose(stdout);
    if (!failed && closed == 0)
        return rc;
    if (rc != DT_EXIT_NO_INPUT) /* else the command said so already */
        fprintf(stderr, "datatrail: error writing to standard output%s%s\n",
                closed != 0 && errno ? ": " : "", closed != 0 && errno ? strerror(errno) : "");
    return rc == DT_EXIT_USAGE ? rc : DT_EXIT_NO_INPUT;
}
