/* util/spool: lines kept in memory, then in a temporary file past the bound,
 * read back whole and in order either way. */
#include "check.h"
#include "util/spool.h"

#include <stdio.h>
#include <string.h>

typedef struct seen {
    char text[4096];
    size_t n, lines;
} seen;

static int on_line(void *ctx, char *line, size_t len)
{
    seen *s = ctx;
    CHECK_EQ_INT(strlen(line), len); /* NUL-terminated, as getline gives */
    s->n += (size_t)snprintf(s->text + s->n, sizeof s->text - s->n, "%s|", line);
    s->lines++;
    return 0;
}

static int on_block(void *ctx, const char *p, size_t n)
{
    seen *s = ctx;
    memcpy(s->text + s->n, p, n);
    s->n += n;
    return 0;
}

static void run(size_t limit, int expect_file)
{
    dt_spool sp;
    dt_spool_init(&sp, limit);
    char expect_lines[4096] = "", expect_bytes[4096] = "";
    for (int i = 0; i < 40; i++) {
        char line[64];
        int n = snprintf(line, sizeof line, "{\"flow\":%d,\"pad\":\"%.*s\"}\n", i, i,
                         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
        CHECK_EQ_INT(dt_spool_write(&sp, line, (size_t)n), 0);
        strcat(expect_bytes, line);
        line[n - 1] = '\0';
        strcat(expect_lines, line);
        strcat(expect_lines, "|");
    }
    CHECK_EQ_INT(sp.file != NULL, expect_file);
    seen a = {.n = 0};
    CHECK_EQ_INT(dt_spool_each_line(&sp, on_line, &a), 0);
    CHECK_EQ_INT(a.lines, 40);
    CHECK_EQ_STR(a.text, expect_lines);
    seen b = {.n = 0};
    CHECK_EQ_INT(dt_spool_each_block(&sp, on_block, &b), 0);
    b.text[b.n] = '\0';
    CHECK_EQ_STR(b.text, expect_bytes);
    /* copied out whole: the memory part, then the file part (sendfile) */
    FILE *out = tmpfile();
    CHECK(out != NULL);
    CHECK_EQ_INT(dt_spool_copy_to(&sp, out), 0);
    fputs("|end", out); /* the stream goes on after the kernel's copy */
    fflush(out);
    rewind(out);
    char copied[4096] = "";
    size_t got = fread(copied, 1, sizeof copied - 1, out);
    copied[got] = '\0';
    fclose(out);
    /* to a stream without a descriptor: the file part by hand, no sendfile */
    char mem[4096] = "";
    FILE *mout = fmemopen(mem, sizeof mem, "w");
    CHECK(mout != NULL);
    CHECK_EQ_INT(dt_spool_copy_to(&sp, mout), 0);
    fclose(mout);
    CHECK_EQ_STR(mem, expect_bytes);
    CHECK_EQ_STR(copied, strcat(expect_bytes, "|end"));
    /* written after a read: appended, and read again from the start */
    CHECK_EQ_INT(dt_spool_write(&sp, "last\n", 5), 0);
    seen c = {.n = 0};
    dt_spool_each_line(&sp, on_line, &c);
    CHECK_EQ_INT(c.lines, 41);
    dt_spool_free(&sp);
}

/* Writes that do not end lines: a line begun in memory ends in the file. */
static void split_lines(void)
{
    dt_spool sp;
    dt_spool_init(&sp, 8);
    CHECK_EQ_INT(dt_spool_write2(&sp, "ab\nc", 4, "d", 1), 0); /* memory: "ab\ncd" */
    CHECK(sp.file == NULL);
    CHECK_EQ_INT(dt_spool_write2(&sp, "ef", 2, "\ngh", 3), 0); /* 10 bytes: the file */
    CHECK(sp.file != NULL);
    CHECK_EQ_INT(dt_spool_write(&sp, "\n", 1), 0);
    seen a = {.n = 0};
    CHECK_EQ_INT(dt_spool_each_line(&sp, on_line, &a), 0);
    CHECK_EQ_STR(a.text, "ab|cdef|gh|");
    dt_spool_free(&sp);
}

/* A spool of the bytes of text, memory bounded by limit. */
static void fill(dt_spool *sp, size_t limit, const char *text)
{
    dt_spool_init(sp, limit);
    for (const char *p = text; *p; p++) /* a byte a time: the memory part fills exactly */
        CHECK_EQ_INT(dt_spool_write(sp, p, 1), 0);
}

static void check_bytes(dt_spool *sp, const char *expect)
{
    seen b = {.n = 0};
    CHECK_EQ_INT(dt_spool_each_block(sp, on_block, &b), 0);
    b.text[b.n] = '\0';
    CHECK_EQ_STR(b.text, expect);
}

/* dt_spool_move: everything in order, src left empty, whichever parts hold
 * the bytes; src's file taken over or copied. */
static void move(size_t dst_limit, const char *dst_text, size_t src_limit, const char *src_text,
                 int dst_has_file)
{
    dt_spool dst, src;
    fill(&dst, dst_limit, dst_text);
    fill(&src, src_limit, src_text);
    CHECK_EQ_INT(dt_spool_move(&dst, &src), 0);
    CHECK(src.file == NULL && src.len == 0);
    CHECK_EQ_INT(dst.file != NULL, dst_has_file);
    char expect[512];
    snprintf(expect, sizeof expect, "%s%s", dst_text, src_text);
    check_bytes(&dst, expect);
    CHECK_EQ_INT(dt_spool_write(&dst, "+", 1), 0); /* appended after what was moved */
    check_bytes(&dst, strcat(expect, "+"));
    check_bytes(&src, ""); /* and src is usable, empty */
    dt_spool_free(&dst);
    dt_spool_free(&src);
}

int main(void)
{
    move(64, "abc", 64, "def", 0);       /* memory into memory */
    move(64, "abc", 4, "defghijk", 1);   /* src's file taken over */
    move(4, "abcdefg", 4, "hijklmn", 1); /* both in files: the kernel's copy */
    move(8, "abcdef", 4, "ghijklm", 1);  /* src's memory does not fit dst's */
    move(0, "", 0, "abc", 1);            /* no memory at all */
    move(64, "", 64, "", 0);             /* nothing */
    split_lines();
    run(1 << 20, 0); /* all in memory */
    run(100, 1);     /* past 100 bytes: a temporary file */
    run(0, 1);       /* no memory at all */
    return check_done();
}
