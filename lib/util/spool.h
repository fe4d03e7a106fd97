/* An append-only byte spool, read back from the start: the first bytes in
 * memory up to a bound, the rest in a temporary file (so the flows of a report
 * cost no file I/O unless they are many, and memory stays bounded when they
 * are).  Each write goes whole to one of the two, so a spool written a line at
 * a time has whole lines in each. */
#ifndef DT_SPOOL_H
#define DT_SPOOL_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

typedef struct dt_spool {
    char *buf; /* the first bytes */
    size_t len, cap, limit;
    FILE *file;     /* the rest, once a write did not fit in limit bytes of memory */
    char *iobuf;    /* the file's next bytes, written a block at a time */
    size_t io_len;  /* bytes waiting in iobuf */
    off_t file_len; /* bytes written to the file */
} dt_spool;

#define DT_SPOOL_LIMIT (8u << 20) /* per spool: a report and each part running in parallel */

void dt_spool_init(dt_spool *s, size_t limit);
/* Appends n bytes; 0, or -1 when they could not be kept. */
int dt_spool_write(dt_spool *s, const void *p, size_t n);
/* Appends a then b, both in memory or both in the file. */
int dt_spool_write2(dt_spool *s, const void *a, size_t an, const void *b, size_t bn);
/* Reads everything written so far, from the start: fn gets blocks of any
 * size (each_block) or the lines without their '\n' (each_line; the line may
 * be modified).  fn returns nonzero to stop.  0, or -1 on a read error. */
int dt_spool_each_block(dt_spool *s, int (*fn)(void *ctx, const char *p, size_t n), void *ctx);
int dt_spool_each_line(dt_spool *s, int (*fn)(void *ctx, char *line, size_t len), void *ctx);
/* Writes everything to out: the memory part as it is, the file part copied by
 * the kernel where it can (sendfile).  0, or -1 on an error. */
int dt_spool_copy_to(dt_spool *s, FILE *out);
/* Appends everything src holds to dst and leaves src empty (as dt_spool_free
 * does).  src's file becomes dst's when dst has none and src's memory part fits
 * in dst's; otherwise the kernel copies it (copy_file_range).  0, or -1. */
int dt_spool_move(dt_spool *dst, dt_spool *src);
void dt_spool_free(dt_spool *s);
/* Writes all n bytes to fd (on after partial writes and interruptions); 0, or
 * -1 on an error. */
int dt_write_all(int fd, const void *p, size_t n);

#endif
