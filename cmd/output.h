/* Where a command writes: stdout, or a file written atomically. */
#ifndef DT_OUTPUT_H
#define DT_OUTPUT_H

#include <stdio.h>

typedef struct dt_output {
    FILE *fp;
    char *target, *tmp; /* tmp is NULL when writing in place */
} dt_output;

/* path NULL or "-": stdout.  A regular file (or a new one) is written under a
 * temporary name beside it and renamed on success, so an interrupted run never
 * leaves half a report; a device or FIFO (e.g. /dev/null) is written in place.
 * Returns 0, or -1 after saying why on stderr. */
int dt_output_open(dt_output *o, const char *path);

/* Closes; with ok, renames the temporary file into place, else removes it.
 * Returns 0, or -1 if the output could not be completed. */
int dt_output_close(dt_output *o, int ok);

#endif
