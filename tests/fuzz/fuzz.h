/* Shared helpers of the libFuzzer targets: split one fuzz input into records
 * (a 2-byte big-endian length, then that many bytes; a short tail is one last
 * record) and write an input into an anonymous in-memory file for the APIs
 * that take a path. */
#ifndef DT_FUZZ_H
#define DT_FUZZ_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

typedef struct fz_in {
    const uint8_t *p;
    size_t n;
} fz_in;

static inline int fz_u8(fz_in *in, uint8_t *v)
{
    if (in->n < 1)
        return 0;
    *v = in->p[0];
    in->p++;
    in->n--;
    return 1;
}

static inline int fz_u32(fz_in *in, uint32_t *v)
{
    if (in->n < 4)
        return 0;
    *v = (uint32_t)in->p[0] << 24 | (uint32_t)in->p[1] << 16 | (uint32_t)in->p[2] << 8 | in->p[3];
    in->p += 4;
    in->n -= 4;
    return 1;
}

/* Next record; returns 0 at the end of the input. */
static inline int fz_record(fz_in *in, const uint8_t **rec, size_t *len)
{
    if (in->n == 0)
        return 0;
    size_t want = in->n >= 2 ? (size_t)in->p[0] << 8 | in->p[1] : 0;
    size_t skip = in->n >= 2 ? 2 : in->n;
    in->p += skip;
    in->n -= skip;
    if (want > in->n)
        want = in->n;
    *rec = in->p;
    *len = want;
    in->p += want;
    in->n -= want;
    return 1;
}

/* An in-memory file holding data; its path is written into path.  Returns the
 * descriptor (close it when done) or -1. */
static inline int fz_memfile(const uint8_t *data, size_t len, char *path, size_t pathlen)
{
    int fd = memfd_create("fuzz", 0);
    if (fd < 0)
        return -1;
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w <= 0) {
            close(fd);
            return -1;
        }
        off += (size_t)w;
    }
    if (lseek(fd, 0, SEEK_SET) != 0) {
        close(fd);
        return -1;
    }
    snprintf(path, pathlen, "/proc/self/fd/%d", fd);
    return fd;
}

#endif
