#include "output.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

void dt_errorf(const char *fmt, ...)
{
    char buf[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    for (const unsigned char *p = (const unsigned char *)buf; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            fprintf(stderr, "\\x%02x", *p);
        else
            fputc(*p, stderr);
    }
    fputc('\n', stderr);
}

/* The temporary files a signal handler removes: the -o one and the per-file
 * report being written.  A flag is cleared before its path changes. */
static volatile sig_atomic_t out_tmp_set, part_tmp_set;
static char out_tmp[4200], part_tmp[4200];

static void set_temp(volatile sig_atomic_t *set, char *buf, size_t size, const char *path)
{
    *set = 0;
    if (path && strlen(path) < size) {
        memcpy(buf, path, strlen(path) + 1);
        __atomic_signal_fence(__ATOMIC_SEQ_CST); /* the path is whole before the flag */
        *set = 1;
    }
}

static void on_signal(int sig)
{
    if (out_tmp_set)
        unlink(out_tmp);
    if (part_tmp_set)
        unlink(part_tmp);
    _exit(128 + sig);
}

static const int caught[] = {SIGINT, SIGTERM, SIGHUP};

void dt_output_catch_signals(void)
{
    for (size_t i = 0; i < sizeof caught / sizeof caught[0]; i++) {
        struct sigaction sa, old;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        for (size_t k = 0; k < sizeof caught / sizeof caught[0]; k++)
            sigaddset(&sa.sa_mask, caught[k]);
        /* a signal ignored when we started (nohup, a background job) stays ignored */
        if (sigaction(caught[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
            sigaction(caught[i], &sa, NULL);
    }
}

void dt_output_part_temp(void *ctx, const char *tmp_path)
{
    (void)ctx;
    set_temp(&part_tmp_set, part_tmp, sizeof part_tmp, tmp_path);
}

static void block_signals(int how)
{
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < sizeof caught / sizeof caught[0]; i++)
        sigaddset(&set, caught[i]);
    sigprocmask(how, &set, NULL);
}

static int same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

int dt_output_check_inputs(const char *what, const char *path, char *const *inputs, int n)
{
    struct stat out;
    if (!path || !strcmp(path, "-") || stat(path, &out) != 0 || !S_ISREG(out.st_mode))
        return 0;
    for (int i = 0; i < n; i++) {
        struct stat in;
        int stdin_ = !strcmp(inputs[i], "-");
        if ((stdin_ ? fstat(STDIN_FILENO, &in) : stat(inputs[i], &in)) == 0 &&
            same_file(&in, &out)) {
            const char *as = stdin_ ? "- (stdin)" : inputs[i];
            int same = !strcmp(as, path);
            dt_errorf("datatrail: %s: refusing to write %s over an input%s%s%s", path, what,
                      same ? "" : " (", same ? "" : as, same ? "" : ")");
            return -1;
        }
    }
    return 0;
}

/* Reports are tens of megabytes: stdio's 4 KiB default costs a system call per
 * page.  (glibc ignores a size without a buffer.) */
#define OUT_BUFFER (1u << 18)
static void big_buffer(dt_output *o)
{
    static char stdout_buf[OUT_BUFFER]; /* stdout is flushed after main returns */
    char *b = o->fp == stdout ? stdout_buf : (o->vbuf = malloc(OUT_BUFFER));
    if (b)
        setvbuf(o->fp, b, _IOFBF, OUT_BUFFER);
}

int dt_output_open(dt_output *o, const char *path)
{
    memset(o, 0, sizeof *o);
    if (!path || !strcmp(path, "-")) {
        o->fp = stdout;
        if (!isatty(STDOUT_FILENO))
            big_buffer(o);
        return 0;
    }
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        if (S_ISDIR(st.st_mode)) {
            dt_errorf("datatrail: %s: cannot write: it is a directory", path);
            return -1;
        }
        o->fp = fopen(path, "w"); /* a device or a pipe: no renaming over it */
        if (!o->fp) {
            dt_errorf("datatrail: %s: cannot write: %s", path, strerror(errno));
            return -1;
        }
        big_buffer(o);
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
    block_signals(SIG_BLOCK); /* the file and the handler's note of it, together */
    int fd = mkstemp(o->tmp);
    if (fd >= 0)
        set_temp(&out_tmp_set, out_tmp, sizeof out_tmp, o->tmp);
    block_signals(SIG_UNBLOCK);
    if (fd >= 0) { /* mkstemp gives 0600; a new file gets 0666 less the umask */
        mode_t mask = umask(0);
        umask(mask);
        fchmod(fd, 0666 & ~mask);
    }
    if (fd < 0 || !(o->fp = fdopen(fd, "w"))) {
        dt_errorf("datatrail: %s: cannot write: %s", path, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(o->tmp);
            set_temp(&out_tmp_set, out_tmp, sizeof out_tmp, NULL);
        }
        free(o->tmp);
        o->tmp = NULL;
        dt_output_close(o, 0);
        return -1;
    }
    big_buffer(o);
    return 0;
}

int dt_output_close(dt_output *o, int ok)
{
    if (o->fp && o->fp != stdout) {
        if (fclose(o->fp) != 0)
            ok = 0;
        if (o->tmp) {
            if (ok && rename(o->tmp, o->target) != 0) {
                dt_errorf("datatrail: %s: cannot rename %s to it: %s", o->target, o->tmp,
                          strerror(errno));
                ok = 0;
            }
            if (!ok)
                unlink(o->tmp);
            set_temp(&out_tmp_set, out_tmp, sizeof out_tmp, NULL);
        }
    } else if (o->fp == stdout && fflush(stdout) != 0) {
        ok = 0;
    }
    free(o->target);
    free(o->tmp);
    free(o->vbuf);
    memset(o, 0, sizeof *o);
    return ok ? 0 : -1;
}

int dt_output_text_width(void)
{
    struct winsize ws;
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    const char *env = getenv("COLUMNS");
    char *end;
    long cols = env ? strtol(env, &end, 10) : 0;
    return env && *env && !*end && cols > 0 && cols < 10000 ? (int)cols : 100;
}
