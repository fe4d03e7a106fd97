#include "util/spool.h"

#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

void dt_spool_init(dt_spool *s, size_t limit)
{
    memset(s, 0, sizeof *s);
    s->limit = limit;
}

/* Moves what is in memory to a temporary file. */
static int spill(dt_spool *s)
{
    FILE *f = tmpfile();
    if (!f || (s->len && fwrite(s->buf, 1, s->len, f) != s->len)) {
        if (f)
            fclose(f);
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

int dt_spool_each_block(dt_spool *s, int (*fn)(void *ctx, const char *p, size_t n), void *ctx)
{
    if (!s->file)
        return s->len ? (fn(ctx, s->buf, s->len), 0) : 0;
    if (fflush(s->file) != 0)
        return -1;
    rewind(s->file);
    char block[65536];
    size_t n;
    while ((n = fread(block, 1, sizeof block, s->file)) > 0)
        if (fn(ctx, block, n))
            break;
    int rc = ferror(s->file) ? -1 : 0;
    fseek(s->file, 0, SEEK_END); /* further writes append */
    return rc;
}

int dt_spool_each_line(dt_spool *s, int (*fn)(void *ctx, char *line, size_t len), void *ctx)
{
    if (!s->file) {
        for (size_t at = 0; at < s->len;) {
            char *nl = memchr(s->buf + at, '\n', s->len - at);
            size_t end = nl ? (size_t)(nl - s->buf) : s->len;
            char saved = s->buf[end]; /* a NUL for the callback, as getline gives */
            s->buf[end] = '\0';
            int stop = fn(ctx, s->buf + at, end - at);
            s->buf[end] = saved;
            if (stop)
                break;
            at = end + 1;
        }
        return 0;
    }
    if (fflush(s->file) != 0)
        return -1;
    rewind(s->file);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, s->file)) > 0) {
        if (line[len - 1] == '\n')
            line[--len] = '\0';
        if (fn(ctx, line, (size_t)len))
            break;
    }
    free(line);
    int rc = ferror(s->file) ? -1 : 0;
    fseek(s->file, 0, SEEK_END);
    return rc;
}

void dt_spool_free(dt_spool *s)
{
    if (s->file)
        fclose(s->file);
    free(s->buf);
    memset(s, 0, sizeof *s);
}
