#include "inputs.h"

#include "output.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define DT_DIR_DEPTH_MAX 32

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

static const dt_file_id *seen_file(const dt_inputs *in, const struct stat *st)
{
    for (int i = 0; i < in->n_seen; i++)
        if (in->seen[i].dev == st->st_dev && in->seen[i].ino == st->st_ino)
            return &in->seen[i];
    return NULL;
}

static int remember(dt_inputs *in, const struct stat *st)
{
    if (in->n_seen == in->cap_seen) {
        int cap = in->cap_seen ? in->cap_seen * 2 : 16;
        dt_file_id *ns = realloc(in->seen, (size_t)cap * sizeof *ns);
        if (!ns)
            return -1;
        in->seen = ns;
        in->cap_seen = cap;
    }
    in->seen[in->n_seen++] = (dt_file_id){st->st_dev, st->st_ino, in->n - 1};
    return 0;
}

/* ".name" ends with ".ext" (ASCII case ignored); returns the length left. */
static size_t strip_suffix(const char *s, size_t n, const char *ext)
{
    size_t m = strlen(ext);
    return n > m && strncasecmp(s + n - m, ext, m) == 0 ? n - m : n;
}

int dt_is_capture_name(const char *name)
{
    static const char *const ext[] = {".pcap", ".pcapng", ".cap"};
    size_t n = strip_suffix(name, strlen(name), ".gz");
    size_t digits = n;
    while (digits > 0 && isdigit((unsigned char)name[digits - 1]))
        digits--;
    if (digits < n && digits > 1 && name[digits - 1] == '.') /* rotated: NAME.pcap.1 */
        n = strip_suffix(name, digits - 1, ".gz");
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
        if (strip_suffix(name, n, ext[i]) != n)
            return 1;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The directories being walked, outermost first: a loop is one of them again. */
typedef struct dir_stack {
    dt_file_id id[DT_DIR_DEPTH_MAX + 1];
    const char *path[DT_DIR_DEPTH_MAX + 1];
    int n;
} dir_stack;

static int add_dir(dt_inputs *in, dt_inputs *dirs_seen, dir_stack *stack, const char *dir,
                   const struct stat *dst);

/* One directory entry: a capture is added (once), a directory walked later. */
static int add_entry(dt_inputs *in, dt_inputs *subdirs, const char *path, const char *name,
                     int *skipped)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return 0; /* a dangling link or a file removed meanwhile */
    if (S_ISDIR(st.st_mode))
        return push(subdirs, path);
    if (!S_ISREG(st.st_mode) || !dt_is_capture_name(name)) {
        (*skipped)++;
        return 0;
    }
    const dt_file_id *again = seen_file(in, &st);
    if (again) {
        dt_errorf("datatrail: %s: warning: the same file as %s, read once", path,
                  in->paths[again->input]);
        return 0;
    }
    if (push(in, path) != 0)
        return -1;
    return remember(in, &st);
}

static int walk_subdir(dt_inputs *in, dt_inputs *dirs_seen, dir_stack *stack, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return 0;
    for (int i = 0; i < stack->n; i++)
        if (stack->id[i].dev == st.st_dev && stack->id[i].ino == st.st_ino) {
            dt_errorf("datatrail: %s: warning: a directory loop (it is %s), skipped", path,
                      stack->path[i]);
            return 0;
        }
    const dt_file_id *again = seen_file(dirs_seen, &st);
    if (again) {
        dt_errorf("datatrail: %s: warning: the same directory as %s, skipped", path,
                  dirs_seen->paths[again->input]);
        return 0;
    }
    return add_dir(in, dirs_seen, stack, path, &st);
}

static int add_dir(dt_inputs *in, dt_inputs *dirs_seen, dir_stack *stack, const char *dir,
                   const struct stat *dst)
{
    if (stack->n > DT_DIR_DEPTH_MAX) {
        dt_errorf("datatrail: %s: directories nested too deep", dir);
        return -1;
    }
    if (push(dirs_seen, dir) != 0 || remember(dirs_seen, dst) != 0)
        return -1;
    DIR *d = opendir(dir);
    if (!d) {
        dt_errorf("datatrail: %s: cannot read the directory: %s", dir, strerror(errno));
        return -1;
    }
    /* Names first, sorted, so that which of two names of one file is read does
     * not depend on the directory's order. */
    dt_inputs names = {0}, subdirs = {0};
    int rc = 0, skipped = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            rc = push(&names, e->d_name);
    closedir(d);
    if (names.n > 0) /* qsort(NULL, 0, ...) is undefined behaviour */
        qsort(names.paths, (size_t)names.n, sizeof *names.paths, cmp_str);
    for (int i = 0; i < names.n && rc == 0; i++) {
        size_t n = strlen(dir) + strlen(names.paths[i]) + 2;
        char *p = malloc(n);
        if (!p) {
            rc = -1;
            break;
        }
        snprintf(p, n, "%s/%s", dir, names.paths[i]);
        rc = add_entry(in, &subdirs, p, names.paths[i], &skipped);
        free(p);
    }
    dt_inputs_free(&names);
    if (skipped)
        dt_errorf("datatrail: %s: %d file%s skipped (not a capture by name)", dir, skipped,
                  skipped == 1 ? "" : "s");
    stack->id[stack->n] = (dt_file_id){dst->st_dev, dst->st_ino, 0};
    stack->path[stack->n++] = dir;
    for (int i = 0; i < subdirs.n && rc == 0; i++)
        rc = walk_subdir(in, dirs_seen, stack, subdirs.paths[i]);
    stack->n--;
    dt_inputs_free(&subdirs);
    return rc;
}

int dt_inputs_add(dt_inputs *in, const char *arg)
{
    struct stat st;
    if (strcmp(arg, "-") == 0 || stat(arg, &st) != 0) /* the reader says why it cannot open */
        return push(in, arg);
    if (!S_ISDIR(st.st_mode)) {
        if (push(in, arg) != 0)
            return -1;
        return seen_file(in, &st) ? 0 : remember(in, &st);
    }
    int before = in->n;
    dt_inputs dirs_seen = {0};
    dir_stack stack = {.n = 0};
    int rc = add_dir(in, &dirs_seen, &stack, arg, &st);
    dt_inputs_free(&dirs_seen);
    if (rc != 0)
        return -1;
    if (in->n == before)
        dt_errorf("datatrail: %s: warning: no *.pcap, *.pcapng or *.cap files", arg);
    return 0;
}

void dt_inputs_free(dt_inputs *in)
{
    for (int i = 0; i < in->n; i++)
        free(in->paths[i]);
    free(in->paths);
    free(in->seen);
    memset(in, 0, sizeof *in);
}
