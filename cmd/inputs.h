/* Expanding the command line's inputs: files, "-", and directories. */
#ifndef DT_INPUTS_H
#define DT_INPUTS_H

typedef struct dt_inputs {
    char **paths;
    int n, cap;
} dt_inputs;

/* Adds arg: a file or "-" as is; a directory recursively (files named *.pcap,
 * *.pcapng, *.cap, and those with .gz appended), sorted by path.  Returns 0,
 * or -1 after printing why (nonexistent path, unreadable directory). */
int dt_inputs_add(dt_inputs *in, const char *arg);
void dt_inputs_free(dt_inputs *in);

#endif
