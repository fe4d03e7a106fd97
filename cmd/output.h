/* Where a command writes: stdout, or a file written atomically. */
#ifndef DT_OUTPUT_H
#define DT_OUTPUT_H

#include <stdio.h>

typedef struct dt_output {
    FILE *fp;
    char *target, *tmp; /* tmp is NULL when writing in place */
    char *vbuf;         /* fp's buffer, freed after it is closed */
} dt_output;

/* path NULL or "-": stdout.  A regular file (or a new one) is written under a
 * temporary name beside it and renamed on success, so an interrupted run never
 * leaves half a report (a new file gets mode 0666 & ~umask); a device or FIFO
 * (e.g. /dev/null) is written in place.
 * Returns 0, or -1 after saying why on stderr. */
int dt_output_open(dt_output *o, const char *path);

/* Closes; with ok, renames the temporary file into place, else removes it.
 * Returns 0, or -1 if the output could not be completed. */
int dt_output_close(dt_output *o, int ok);

/* Writes the formatted message and a newline to stderr, control characters
 * (from file names) escaped as \xNN. */
void dt_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Refuses (0, or -1 after saying why on stderr) an output path that is the
 * same file (device and inode, through symlinks and hard links) as one of the
 * n inputs ("-" is the file stdin reads); what names the option ("-o"). */
int dt_output_check_inputs(const char *what, const char *path, char *const *inputs, int n);

/* SIGINT, SIGTERM and SIGHUP remove the temporary files (the one of
 * dt_output_open, and the one dt_output_part_temp names) and exit with
 * 128 + the signal number.  Signals ignored at start stay ignored. */
void dt_output_catch_signals(void);

/* dt_batch_opts.on_temp: the per-file report being written, or NULL. */
void dt_output_part_temp(void *ctx, const char *tmp_path);

/* The width text reports keep within: the terminal's columns when stdout is
 * one, else $COLUMNS when it is a number, else 100. */
int dt_output_text_width(void);

#endif
