/* The one way the library reports an error to its caller: a message formatted
 * into the caller's (char *err, size_t errlen) buffer. */
#ifndef DT_UTIL_ERR_H
#define DT_UTIL_ERR_H

#include <stddef.h>

/* Formats into err (printf style), cut to fit errlen and NUL-terminated; does
 * nothing when err is NULL or errlen is 0.  Leaves errno as it found it. */
void dt_set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
