/* Subcommands of the datatrail CLI; each takes argv with argv[0] = its name. */
#ifndef DT_COMMANDS_H
#define DT_COMMANDS_H

int cmd_analyze(int argc, char **argv); /* report, flows */
int cmd_geodb(int argc, char **argv);
int cmd_lookup(int argc, char **argv);
int cmd_merge(int argc, char **argv);

/* Exit codes (see man/datatrail.1). */
enum {
    DT_EXIT_OK = 0,
    DT_EXIT_USAGE = 1,
    DT_EXIT_NO_INPUT = 2,
    DT_EXIT_PARTIAL = 3,
};

#endif
