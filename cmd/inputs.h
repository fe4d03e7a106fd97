/* Expanding the command line's inputs: files, "-", and directories. */
#ifndef DT_INPUTS_H
#define DT_INPUTS_H

#include <sys/types.h>

typedef struct dt_file_id {
    dev_t dev;
    ino_t ino;
    int input; /* index in paths */
} dt_file_id;

typedef struct dt_inputs {
    char **paths;
    int n, cap;
    dt_file_id *seen; /* every file added, to read each once */
    int n_seen, cap_seen;
} dt_inputs;

/* Adds arg: a file or "-" as is; a directory recursively (see
 * dt_is_capture_name), each directory's captures sorted by name.  Directories
 * are walked by device and inode: a loop (a symbolic link to an enclosing
 * directory) and a directory reached again through another name are skipped
 * with a warning, and a file found again under another name (symbolic or
 * hard link) is read once.  Each directory's count of files that are not
 * captures is printed.  Returns 0, or -1 after printing why (unreadable
 * directory, nesting too deep). */
int dt_inputs_add(dt_inputs *in, const char *arg);
void dt_inputs_free(dt_inputs *in);

/* Names taken for captures in a directory, the case of letters ignored:
 * *.pcap, *.pcapng, *.cap, each with .gz appended, and rotated names with a
 * number appended (drive.pcap.1, drive.pcapng.2.gz). */
int dt_is_capture_name(const char *name);

#endif
