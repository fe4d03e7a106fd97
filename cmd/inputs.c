#include "inputs.h"

#include "output.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int push(dt_inputs *in, const char *path)
{
    if (in->n == in->cap) {
        int cap = in->cap ? in->cap * 2 : 16;
        char **np = realloc(in->paths, (size_t)cap * sizeof *np);
        if (!np)
            return -1;
        in->paths = np;
        in->cap = cap;
    }
    if (!(in->paths[in->n] = strdup(path)))
        return -1;
    in->n++;
    return 0;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int is_capture_name(const char *name)
{
    static const char *const ext[] = {".pcap",    ".pcapng",    ".cap",
                                      ".pcap.gz", ".pcapng.gz", ".cap.gz"};
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
        if (ends_with(name, ext[i]))
            return 1;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_dir(dt_inputs *in, const char *dir, int depth)
{
    if (depth > 32) {
        dt_errorf("datatrail: %s: directories nested too deep", dir);
        return -1;
    }
    DIR *d = opendir(dir);
    if (!d) {
        dt_errorf("datatrail: %s: cannot read the directory: %s", dir, strerror(errno));
        return -1;
    }
    int first = in->n, rc = 0;
    struct dirent *e;
    dt_inputs subdirs = {0};
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        size_t n = strlen(dir) + strlen(e->d_name) + 2;
        char *p = malloc(n);
        if (!p) {
            rc = -1;
            break;
        }
        snprintf(p, n, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(p, &st) == 0) {
            if (S_ISDIR(st.st_mode))
                rc = push(&subdirs, p);
            else if (S_ISREG(st.st_mode) && is_capture_name(e->d_name))
                rc = push(in, p);
        }
        free(p);
        if (rc)
            break;
    }
    closedir(d);
    if (in->n > first)
        qsort(in->paths + first, (size_t)(in->n - first), sizeof *in->paths, cmp_str);
    if (subdirs.n > 0) /* qsort(NULL, 0, ...) is undefined behaviour */
        qsort(subdirs.paths, (size_t)subdirs.n, sizeof *subdirs.paths, cmp_str);
    for (int i = 0; i < subdirs.n && rc == 0; i++)
        rc = add_dir(in, subdirs.paths[i], depth + 1);
    dt_inputs_free(&subdirs);
    return rc;
}

int dt_inputs_add(dt_inputs *in, const char *arg)
{
    struct stat st;
    if (strcmp(arg, "-") != 0 && stat(arg, &st) == 0 && S_ISDIR(st.st_mode)) {
        int before = in->n;
        if (add_dir(in, arg, 0) != 0)
            return -1;
        if (in->n == before)
            dt_errorf("datatrail: %s: warning: no *.pcap, *.pcapng or *.cap files", arg);
        return 0;
    }
    /* Files that do not exist are reported by the reader, in the report. */
    return push(in, arg);
}

void dt_inputs_free(dt_inputs *in)
{
    for (int i = 0; i < in->n; i++)
        free(in->paths[i]);
    free(in->paths);
    memset(in, 0, sizeof *in);
}
