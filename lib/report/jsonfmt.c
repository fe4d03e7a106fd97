#include "report/jsonfmt.h"

#include "util/spool.h" /* dt_write_all */

#include <string.h>

#define BLOCK (256u << 10)

void dt_fw_init(dt_fw *f, FILE *out)
{
    memset(f, 0, sizeof *f);
    dt_jw_init(&f->w);
    f->out = out;
}

int dt_fw_flush(dt_fw *f)
{
    if (f->out && f->w.len) {
        /* a block goes to the file itself, after what stdio holds: stdio would
         * copy it into its own buffer first (a report's flows are tens of MB) */
        int fd = f->w.len >= BLOCK ? fileno(f->out) : -1;
        if (fd >= 0 ? fflush(f->out) != 0 || dt_write_all(fd, f->w.buf, f->w.len) != 0
                    : fwrite(f->w.buf, 1, f->w.len, f->out) != f->w.len)
            f->err = 1;
        dt_jw_reset(&f->w);
    }
    return f->err || f->w.oom ? -1 : 0;
}

void dt_fw_free(dt_fw *f)
{
    dt_jw_free(&f->w);
}

void dt_fw_raw(dt_fw *f, const char *text, size_t n)
{
    f->w.sep = 0;
    dt_jw_key_raw(&f->w, text, n);
    f->w.sep = 0;
}

static void tabs(dt_fw *f, int n)
{
    static const char t[] = "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t";
    dt_fw_raw(f, t, (size_t)(n < DT_FW_DEPTH ? n : DT_FW_DEPTH));
}

/* Before a value: the separator of an array element (after a key: none). */
static void before(dt_fw *f)
{
    if (f->depth > 0 && f->depth <= DT_FW_DEPTH && f->n[f->depth - 1] >= 0) {
        if (f->n[f->depth - 1]++)
            dt_fw_raw(f, ", ", 2);
    }
    f->w.sep = 0;
}

static void after(dt_fw *f)
{
    f->w.sep = 0;
    if (f->out && f->w.len >= BLOCK)
        dt_fw_flush(f);
}

void dt_fw_text(dt_fw *f, const char *text, size_t n)
{
    dt_fw_raw(f, text, n);
    after(f);
}

/* n[d] counts elements of an array; an object's count is kept negative
 * (-1 - members) so that values after its keys take no separator. */
static void push(dt_fw *f, int obj)
{
    if (f->depth < DT_FW_DEPTH)
        f->n[f->depth] = obj ? -1 : 0;
    f->depth++;
}

void dt_fw_obj_begin(dt_fw *f)
{
    before(f);
    dt_fw_raw(f, "{\n", 2);
    push(f, 1);
}

void dt_fw_obj_end(dt_fw *f)
{
    int members = f->depth <= DT_FW_DEPTH ? -1 - f->n[f->depth - 1] : 0;
    f->depth--;
    if (members)
        dt_fw_raw(f, "\n", 1);
    tabs(f, f->depth);
    dt_fw_raw(f, "}", 1);
    after(f);
}

void dt_fw_arr_begin(dt_fw *f)
{
    before(f);
    dt_fw_raw(f, "[", 1);
    push(f, 0);
}

void dt_fw_arr_end(dt_fw *f)
{
    f->depth--;
    dt_fw_raw(f, "]", 1);
    after(f);
}

/* What goes before a key: ",\n" when a member came before, and the
 * indentation (*n bytes). */
static const char *key_prefix(dt_fw *f, size_t *n)
{
    static const char t[] = ",\n\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t";
    int comma = f->depth > 0 && f->depth <= DT_FW_DEPTH && f->n[f->depth - 1]-- < -1;
    *n = (size_t)(f->depth < DT_FW_DEPTH ? f->depth : DT_FW_DEPTH) + (comma ? 2 : 0);
    return comma ? t : t + 2;
}

/* The prefix, "key", ":\t": one write */
void dt_fw_key(dt_fw *f, const char *key)
{
    size_t n;
    const char *pre = key_prefix(f, &n);
    dt_jw_framed_str(&f->w, pre, n, key, ":\t", 2);
}

void dt_fw_key_raw(dt_fw *f, const char *quoted, size_t n)
{
    size_t np;
    const char *pre = key_prefix(f, &np);
    f->w.sep = 0;
    char *o = dt_jw_direct(&f->w, np + n);
    if (!o)
        return;
    memcpy(o, pre, np);
    memcpy(o + np, quoted, n);
    dt_jw_direct_end(&f->w, o + np + n, 0);
}

void dt_fw_str(dt_fw *f, const char *s)
{
    before(f);
    dt_jw_str(&f->w, s);
    after(f);
}

void dt_fw_str_or_null(dt_fw *f, const char *s)
{
    before(f);
    dt_jw_str_or_null(&f->w, s);
    after(f);
}

void dt_fw_u64(dt_fw *f, uint64_t v)
{
    before(f);
    dt_jw_u64(&f->w, v);
    after(f);
}

void dt_fw_num(dt_fw *f, double d)
{
    before(f);
    dt_jw_num(&f->w, d);
    after(f);
}

void dt_fw_null(dt_fw *f)
{
    before(f);
    dt_jw_null(&f->w);
    after(f);
}

void dt_fw_bool(dt_fw *f, int b)
{
    before(f);
    dt_jw_bool(&f->w, b);
    after(f);
}

void dt_fw_raw_value(dt_fw *f, const char *text, size_t n)
{
    before(f);
    dt_fw_raw(f, text, n);
    after(f);
}
