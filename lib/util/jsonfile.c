#include "util/jsonfile.h"
#include "util/err.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads all of path ("-" = stdin), at most max bytes, NUL-terminated.
 * NULL on failure, with "path: reason" in err. */
static char *read_file(const char *path, size_t max, size_t *len, char *err, size_t errlen)
{
    int is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        dt_set_err(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    const char *why = buf ? NULL : "out of memory";
    while (buf && !why) {
        if (n + 1 == cap) {
            if (cap > max) {
                why = "file too large";
                break;
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                why = "out of memory";
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - 1 - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (!why && ferror(f))
        why = strerror(errno ? errno : EIO);
    if (!why && n > max)
        why = "file too large";
    if (!is_stdin)
        fclose(f);
    if (why) {
        dt_set_err(err, errlen, "%s: %s", path, why);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

cJSON *dt_json_load_file(const char *path, size_t max, char *err, size_t errlen)
{
    size_t len = 0;
    char *text = read_file(path, max, &len, err, errlen);
    if (!text)
        return NULL;
    if (strlen(text) != len) {
        dt_set_err(err, errlen, "%s: contains a NUL byte", path);
        free(text);
        return NULL;
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(text, &end, 1);
    if (!root) {
        size_t line = 1, col = 1;
        const char *stop = end && end >= text && end <= text + len ? end : text + len;
        for (const char *p = text; p < stop; p++) {
            if (*p == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        dt_set_err(err, errlen, "%s:%zu:%zu: JSON syntax error", path, line, col);
    }
    free(text);
    return root;
}
