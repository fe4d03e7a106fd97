/* Subcommands of the datatrail CLI; each takes argv with argv[0] = its name. */
#ifndef DT_COMMANDS_H
#define DT_COMMANDS_H

#include <stddef.h>

int cmd_analyze(int argc, char **argv); /* report, flows */
int cmd_geodb(int argc, char **argv);
int cmd_lookup(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_compare(int argc, char **argv);

/* The geo database options of report, flows and lookup: ids for getopt_long
 * (above any other option id) and their entries of a longopts table. */
enum {
    DT_OPT_COUNTRYDB = 0x1000,
    DT_OPT_ASNDB,
    DT_OPT_CITYDB,
    DT_OPT_OVERRIDEDB,
    DT_OPT_GEODBDIR,
    DT_OPT_LOCATIONDB,
};
#define DT_GEO_LONGOPTS                                                                            \
    {"country-db", required_argument, NULL, DT_OPT_COUNTRYDB},                                     \
        {"asn-db", required_argument, NULL, DT_OPT_ASNDB},                                         \
        {"city-db", required_argument, NULL, DT_OPT_CITYDB},                                       \
        {"override-db", required_argument, NULL, DT_OPT_OVERRIDEDB},                               \
        {"location-db", required_argument, NULL, DT_OPT_LOCATIONDB},                               \
    {                                                                                              \
        "geodb-dir", required_argument, NULL, DT_OPT_GEODBDIR                                      \
    }
struct dt_geo_config;
/* Sets the path that geo option c (a DT_OPT_* id) names; 0 when c is none. */
int geo_option(int c, const char *arg, struct dt_geo_config *cfg);

/* Options go anywhere before "--" (getopt_long permutes argv; "-" is an
 * operand).  After getopt_long returned '?' (opterr = 0): the option it did
 * not take, as written ("-x" for an unknown letter, also within a group);
 * optstring as given to getopt_long. */
const char *dt_bad_option(char **argv, const char *optstring);

struct dt_enrich_config;
/* Checks --vendor NAME against the entity data of c: 0 and the name as the
 * data spells it in out; else prints why (how to find the names) and returns -1. */
int dt_vendor_option(const struct dt_enrich_config *c, const char *name, char *out, size_t outlen);

/* Exit codes (see man/datatrail.1). */
enum {
    DT_EXIT_OK = 0,
    DT_EXIT_USAGE = 1,
    DT_EXIT_NO_INPUT = 2,
    DT_EXIT_PARTIAL = 3,
    DT_EXIT_POLICY = 4,  /* --policy: the report lists violations */
    DT_EXIT_CHANGED = 5, /* diff: something changed beyond the threshold */
};

#include <stdint.h>

struct dt_report_opts;
/* A whole number from min to max given to option opt into out; -1 after saying why. */
int dt_parse_u64(const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* --top N (arg) or --all (arg NULL) into ro->top; -1 after saying why. */
int dt_top_option(const char *arg, struct dt_report_opts *ro);
/* --table NAME (a CSV table) or --per-table DIR (an existing directory) into ro;
 * -1 after saying why. */
int dt_table_option(const char *opt, const char *arg, struct dt_report_opts *ro);
/* --window DURATION (N followed by m, h or d: 1h, 1d, 15m) into ro->window_s;
 * -1 after saying why. */
int dt_window_option(const char *arg, struct dt_report_opts *ro);
struct dt_policy;
/* --policy FILE read into *out (replacing an earlier one); -1 after saying why. */
int dt_policy_option(const char *path, struct dt_policy **out);
/* The user's identifiers (--identifier NAME=VALUE, --identifiers FILE). */
typedef struct dt_identifiers {
    char *v[64];
    int n;
} dt_identifiers;
/* One NAME=VALUE; -1 after saying why. */
int dt_identifier_option(dt_identifiers *ids, const char *arg);
/* NAME=VALUE lines of a file (blank lines and # comments skipped); -1 after
 * saying why (FILE:LINE: what is wrong). */
int dt_identifiers_file(dt_identifiers *ids, const char *path);
void dt_identifiers_free(dt_identifiers *ids);
/* --device ARG into out (dt_device_parse); -1 after saying why. */
int dt_device_option(const char *arg, char *out, size_t outlen);

#endif
