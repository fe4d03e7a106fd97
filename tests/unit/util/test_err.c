/* lib/util/err.c: dt_set_err formats, cuts to fit, ignores a missing buffer
 * and keeps errno for the caller. */
#include "util/err.h"
#include "check.h"

#include <errno.h>
#include <string.h>

int main(void)
{
    char buf[16] = "old";
    dt_set_err(buf, sizeof buf, "%s: %d", "file", 42);
    CHECK_EQ_STR(buf, "file: 42");
    dt_set_err(buf, 8, "%s", "a longer message");
    CHECK_EQ_STR(buf, "a longe");
    dt_set_err(NULL, 8, "%s", "nowhere");
    dt_set_err(buf, 0, "%s", "nowhere");
    CHECK_EQ_STR(buf, "a longe");
    errno = ENOENT;
    dt_set_err(buf, sizeof buf, "%s", strerror(errno));
    CHECK_EQ_INT(errno, ENOENT);
    return check_done();
}
