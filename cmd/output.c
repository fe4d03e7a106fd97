#include "output.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int dt_output_open(dt_output *o, const char *path)
{
    memset(o, 0, sizeof *o);
    if (!path || !strcmp(path, "-")) {
        o->fp = stdout;
        return 0;
    }
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        if (S_ISDIR(st.st_mode)) {
            fprintf(stderr, "datatrail: cannot write %s: it is a directory\n", path);
            return -1;
        }
        o->fp = fopen(path, "w"); /* a device or a pipe: no renaming over it */
        if (!o->fp) {
            fprintf(stderr, "datatrail: cannot write %s: %s\n", path, strerror(errno));
            return -1;
        }
        return 0;
    }
    o->target = strdup(path);
    size_t n = strlen(path) + 32;
    o->tmp = malloc(n);
    if (!o->target || !o->tmp) {
        fprintf(stderr, "datatrail: out of memory\n");
        dt_output_close(o, 0);
        return -1;
    }
    snprintf(o->tmp, n, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(o->tmp);
    if (fd < 0 || !(o->fp = fdopen(fd, "w"))) {
        fprintf(stderr, "datatrail: cannot write %s: %s\n", path, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(o->tmp);
        }
        free(o->tmp);
        o->tmp = NULL;
        dt_output_close(o, 0);
        return -1;
    }
    return 0;
}

int dt_output_close(dt_output *o, int ok)
{
    if (o->fp && o->fp != stdout) {
        if (fclose(o->fp) != 0)
            ok = 0;
        if (o->tmp) {
            if (ok && rename(o->tmp, o->target) != 0) {
                fprintf(stderr, "datatrail: cannot rename %s to %s: %s\n", o->tmp, o->target,
                        strerror(errno));
                ok = 0;
            }
            if (!ok)
                unlink(o->tmp);
        }
    } else if (o->fp == stdout && fflush(stdout) != 0) {
        ok = 0;
    }
    free(o->target);
    free(o->tmp);
    memset(o, 0, sizeof *o);
    return ok ? 0 : -1;
}
