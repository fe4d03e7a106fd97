#include "util/spool.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/types.h>
#include <unistd.h>

/* Blocks of the temporary file are read and written this large, by the
 * spool itself: stdio's fwrite cost ~180 instructions a line for nothing. */
#define SPOOL_IO_BLOCK (1u << 20)

void dt_spool_init(dt_spool *s, size_t limit)
{
    memset(s, 0, sizeof *s);
    s->limit = limit;
}

static int open_file(dt_spool *s)
{
    if (!(s->iobuf = malloc(SPOOL_IO_BLOCK)))
        return -1;
    if (!(s->file = tmpfile())) { /* the next write tries again from nothing */
        free(s->iobuf);
        s->iobuf = NULL;
        return -1;
    }
    return 0;
}

int dt_write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Writes p[0..n) at the file's end; 0, or -1 on an error. */
static int write_all(dt_spool *s, const char *p, size_t n)
{
    if (dt_write_all(fileno(s->file), p, n) != 0)
        return -1;
    s->file_len += (off_t)n;
    return 0;
}

/* The bytes waiting in iobuf to the file: before it is read, and when full. */
static int flush_file(dt_spool *s)
{
    size_t n = s->io_len;
    s->io_len = 0;
    return write_all(s, s->iobuf, n);
}

static int file_append(dt_spool *s, const void *p, size_t n)
{
    if (s->io_len + n > SPOOL_IO_BLOCK && flush_file(s) != 0)
        return -1;
    if (n > SPOOL_IO_BLOCK)
        return write_all(s, p, n);
    memcpy(s->iobuf + s->io_len, p, n);
    s->io_len += n;
    return 0;
}

/* Room for n more bytes in memory (and one more: each_line ends lines with a
 * NUL), within the limit; 0, or -1 when they go to the file.  The memory part
 * grows by doubling: a report of a few flows, or each of many small parts,
 * holds kilobytes, not the whole limit (under valgrind every block taken
 * whole was 8 MiB of shadowed memory). */
static int room(dt_spool *s, size_t n)
{
    if (s->file || n > s->limit || s->len > s->limit - n)
        return -1;
    if (s->cap - s->len > n)
        return 0;
    size_t cap = s->cap ? s->cap : 65536;
    while (cap - s->len <= n)
        cap *= 2;
    char *b = realloc(s->buf, cap);
    if (!b)
        return -1;
    s->buf = b;
    s->cap = cap;
    return 0;
}

int dt_spool_write2(dt_spool *s, const void *a, size_t an, const void *b, size_t bn)
{
    if (an > SIZE_MAX - bn)
        return -1;
    if (room(s, an + bn) == 0) {
        memcpy(s->buf + s->len, a, an);
        if (bn)
            memcpy(s->buf + s->len + an, b, bn);
        s->len += an + bn;
        return 0;
    }
    if (!s->file && open_file(s) != 0)
        return -1;
    return file_append(s, a, an) == 0 && (!bn || file_append(s, b, bn) == 0) ? 0 : -1;
}

int dt_spool_write(dt_spool *s, const void *p, size_t n)
{
    return dt_spool_write2(s, p, n, NULL, 0);
}

/* Reads the file from offset *at into b[keep..cap): the bytes read, 0 at the
 * end, -1 on an error.  pread leaves the stream's position for further writes. */
static ssize_t read_more(dt_spool *s, char *b, size_t keep, size_t cap, off_t *at)
{
    ssize_t n;
    do
        n = pread(fileno(s->file), b + keep, cap - keep, *at);
    while (n < 0 && errno == EINTR);
    if (n > 0)
        *at += n;
    return n;
}

/* The file part, from its start, in blocks to fn: 0 at its end, 1 when fn
 * asked to stop, -1 when it could not be read. */
static int each_file_block(dt_spool *s, int (*fn)(void *ctx, const char *p, size_t n), void *ctx)
{
    if (flush_file(s) != 0)
        return -1;
    char *block = malloc(SPOOL_IO_BLOCK);
    if (!block)
        return -1;
    off_t at = 0;
    ssize_t n;
    int stopped = 0;
    while (!stopped && (n = read_more(s, block, 0, SPOOL_IO_BLOCK, &at)) > 0)
        stopped = fn(ctx, block, (size_t)n) != 0;
    free(block);
    return stopped ? 1 : n < 0 ? -1 : 0;
}

int dt_spool_each_block(dt_spool *s, int (*fn)(void *ctx, const char *p, size_t n), void *ctx)
{
    if (s->len && fn(ctx, s->buf, s->len))
        return 0;
    return s->file && each_file_block(s, fn, ctx) < 0 ? -1 : 0;
}

/* Calls fn for each line of b[0..len) that ends in '\n' (and, when last is set,
 * for the rest too; b[len] must be writable); returns the bytes consumed, or
 * (size_t)-1 when fn asked to stop. */
static size_t each_line_in(char *b, size_t len, int last,
                           int (*fn)(void *ctx, char *line, size_t len), void *ctx)
{
    size_t at = 0;
    while (at < len) {
        char *nl = memchr(b + at, '\n', len - at);
        if (!nl && !last)
            break;
        size_t end = nl ? (size_t)(nl - b) : len;
        char saved = b[end]; /* a NUL for the callback, as getline gives */
        b[end] = '\0';
        int stop = fn(ctx, b + at, end - at);
        b[end] = saved;
        if (stop)
            return (size_t)-1;
        at = end + 1;
    }
    return at < len ? at : len;
}

int dt_spool_each_line(dt_spool *s, int (*fn)(void *ctx, char *line, size_t len), void *ctx)
{
    size_t used = each_line_in(s->buf, s->len, !s->file, fn, ctx); /* cap > len */
    if (!s->file || used == (size_t)-1)
        return 0;
    if (flush_file(s) != 0)
        return -1;
    /* the file part, after what is left of a line the memory part did not end */
    size_t cap = SPOOL_IO_BLOCK, have = s->len - used;
    while (cap < have)
        cap *= 2;
    char *b = malloc(cap + 1);
    if (!b)
        return -1;
    if (have)
        memcpy(b, s->buf + used, have);
    off_t at = 0;
    int rc = 0;
    for (;;) {
        if (have == cap) { /* one line longer than the buffer */
            char *nb = realloc(b, 2 * cap + 1);
            if (!nb) {
                rc = -1;
                break;
            }
            b = nb;
            cap *= 2;
        }
        ssize_t n = read_more(s, b, have, cap, &at);
        if (n <= 0) {
            if (n < 0)
                rc = -1;
            else
                each_line_in(b, have, 1, fn, ctx);
            break;
        }
        have += (size_t)n;
        size_t done = each_line_in(b, have, 0, fn, ctx);
        if (done == (size_t)-1)
            break;
        memmove(b, b + done, have - done);
        have -= done;
    }
    free(b);
    return rc;
}

static int copy_block(void *ctx, const char *p, size_t n)
{
    return fwrite(p, 1, n, ctx) != n;
}

int dt_spool_copy_to(dt_spool *s, FILE *out)
{
    if (s->len && fwrite(s->buf, 1, s->len, out) != s->len)
        return -1;
    if (!s->file)
        return 0;
    if (flush_file(s) != 0 || fflush(out) != 0)
        return -1;
    off_t at = 0, end = s->file_len;
    int fd = fileno(out);
    while (fd >= 0 && at < end) {
        ssize_t n = sendfile(fd, fileno(s->file), &at, (size_t)(end - at));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
    }
    if (at == end)
        return 0;
    if (at != 0) /* part sent, then an error: the rest cannot follow it in order */
        return -1;
    return each_file_block(s, copy_block, out) != 0 ? -1 : 0; /* no sendfile: by hand */
}

/* src's file part after dst's (which has a file): the kernel copies it where
 * it can, the rest goes through dst's block buffer. */
static int append_file(dt_spool *dst, dt_spool *src)
{
    if (flush_file(dst) != 0)
        return -1;
    off_t at = 0;
    while (at < src->file_len) {
        ssize_t n = copy_file_range(fileno(src->file), &at, fileno(dst->file), NULL,
                                    (size_t)(src->file_len - at), 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        dst->file_len += n;
    }
    while (at < src->file_len) {
        ssize_t n = read_more(src, dst->iobuf, 0, SPOOL_IO_BLOCK, &at);
        if (n <= 0 || write_all(dst, dst->iobuf, (size_t)n) != 0)
            return -1;
    }
    return 0;
}

int dt_spool_move(dt_spool *dst, dt_spool *src)
{
    int rc = src->len ? dt_spool_write(dst, src->buf, src->len) : 0;
    if (rc == 0 && src->file) {
        if (flush_file(src) != 0)
            rc = -1;
        else if (!dst->file) { /* all of dst is in memory: src's file follows it as it is */
            dst->file = src->file;
            dst->iobuf = src->iobuf;
            dst->io_len = 0;
            dst->file_len = src->file_len;
            src->file = NULL;
            src->iobuf = NULL;
        } else
            rc = append_file(dst, src);
    }
    size_t limit = src->limit;
    dt_spool_free(src);
    dt_spool_init(src, limit);
    return rc;
}

void dt_spool_free(dt_spool *s)
{
    if (s->file)
        fclose(s->file);
    free(s->iobuf);
    free(s->buf);
    memset(s, 0, sizeof *s);
}
