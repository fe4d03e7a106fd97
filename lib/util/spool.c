#include "util/spool.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

/* Blocks of the temporary file are read and written this large: 4 KiB stdio
 * buffers cost a system call per page. */
#define SPOOL_IO_BLOCK (1u << 20)

void dt_spool_init(dt_spool *s, size_t limit)
{
    memset(s, 0, sizeof *s);
    s->limit = limit;
}

/* Moves what is in memory to a temporary file. */
static int spill(dt_spool *s)
{
    FILE *f = tmpfile();
    if (f && (s->iobuf = malloc(SPOOL_IO_BLOCK)) != NULL)
        setvbuf(f, s->iobuf, _IOFBF, SPOOL_IO_BLOCK);
    if (!f || (s->len && fwrite(s->buf, 1, s->len, f) != s->len)) {
        if (f)
            fclose(f);
        free(s->iobuf);
        s->iobuf = NULL;
        return -1;
    }
    free(s->buf);
    s->buf = NULL;
    s->len = s->cap = 0;
    s->file = f;
    return 0;
}

int dt_spool_write(dt_spool *s, const void *p, size_t n)
{
    if (!s->file && n > s->limit - (s->len < s->limit ? s->len : s->limit) && spill(s) != 0)
        return -1;
    if (s->file)
        return fwrite(p, 1, n, s->file) == n ? 0 : -1;
    if (s->cap - s->len <= n) { /* and one byte more: each_line ends lines with a NUL */
        size_t cap = s->cap ? s->cap : 65536;
        while (cap - s->len <= n)
            cap *= 2;
        char *b = realloc(s->buf, cap);
        if (!b)
            return spill(s) == 0 ? dt_spool_write(s, p, n) : -1;
        s->buf = b;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, p, n);
    s->len += n;
    return 0;
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

int dt_spool_each_block(dt_spool *s, int (*fn)(void *ctx, const char *p, size_t n), void *ctx)
{
    if (!s->file)
        return s->len ? (fn(ctx, s->buf, s->len), 0) : 0;
    if (fflush(s->file) != 0)
        return -1;
    char *block = malloc(SPOOL_IO_BLOCK);
    if (!block)
        return -1;
    off_t at = 0;
    ssize_t n;
    while ((n = read_more(s, block, 0, SPOOL_IO_BLOCK, &at)) > 0)
        if (fn(ctx, block, (size_t)n))
            break;
    free(block);
    return n < 0 ? -1 : 0;
}

/* Calls fn for each line of b[0..len) ending in '\n' (and, when last is set,
 * for the rest too); returns how many bytes were consumed, or (size_t)-1 when
 * fn asked to stop. */
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
    if (!s->file) {
        each_line_in(s->buf, s->len, 1, fn, ctx); /* cap > len: room for the NUL */
        return 0;
    }
    if (fflush(s->file) != 0)
        return -1;
    size_t cap = SPOOL_IO_BLOCK, have = 0;
    char *b = malloc(cap + 1);
    if (!b)
        return -1;
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
        if (n < 0)
            rc = -1;
        if (n <= 0) {
            if (n == 0)
                each_line_in(b, have, 1, fn, ctx);
            break;
        }
        have += (size_t)n;
        size_t used = each_line_in(b, have, 0, fn, ctx);
        if (used == (size_t)-1)
            break;
        memmove(b, b + used, have - used);
        have -= used;
    }
    free(b);
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
