#include "util/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

void dt_set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    int saved = errno;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    errno = saved;
}
