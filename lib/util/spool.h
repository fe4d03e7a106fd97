/* An append-only byte spool, read back from the start: in memory up to a
 * bound, then in a temporary file (so the flows of a report cost no file
 * I/O unless they are many, and memory stays bounded when they are). */
#ifndef DT_SPOOL_H
#define DT_SPOOL_H

#include <stddef.h>
#include <stdio.h>

typedef struct dt_spool {
    char *buf; /* in memory while file is NULL */
    size_t len, cap, limit;
    FILE *file;  /* the temporary file, once more than limit bytes were written */
    char *iobuf; /* file's stdio buffer */
} dt_spool;

#define DT_SPOOL_LIMIT (32u << 20) /* per spool: a report and each part running in parallel */

void dt_spool_init(dt_spool *s, size_t limit);
/* Appends n bytes; 0, or -1 when they could not be kept. */
int dt_spool_write(dt_spool *s, const void *p, size_t n);
/* Reads everything written so far, from the start: fn gets blocks of any
 * size (each_block) or the lines without their '\n' (each_line; the line may
 * be modified).  fn returns nonzero to stop.  0, or -1 on a read error. */
int dt_spool_each_block(dt_spool *s, int (*fn)(void *ctx, const char *p, size_t n), void *ctx);
int dt_spool_each_line(dt_spool *s, int (*fn)(void *ctx, char *line, size_t len), void *ctx);
void dt_spool_free(dt_spool *s);

#endif
