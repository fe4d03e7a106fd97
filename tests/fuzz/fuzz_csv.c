/* The MaxMind DB writer's CSV reader (country, ASN and ip-location-db
 * layouts) and, when something loaded, the writer itself. */
#include "fuzz.h"
#include "geodb/mmdb_write.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    /* the last byte selects the layout and options (so that a plain CSV file
     * is a good seed): kind = 1 + b % 3; bit 7 set: stop at the first bad
     * line; bit 5 clear: also write the database */
    uint8_t mode = data[size - 1];
    dt_mmdb_kind kind = (dt_mmdb_kind)(1 + mode % 3);
    int skip_bad = !(mode & 0x80);
    char path[64];
    int fd = fz_memfile(data, size - 1, path, sizeof path);
    if (fd < 0)
        return 0;
    dt_mmdbw *w = dt_mmdbw_new();
    long nlines = 0, nbad = 0;
    char err[256];
    int r = dt_mmdbw_load_csv(w, path, kind, skip_bad, &nlines, &nbad, err, sizeof err);
    if (r == 0 && !(mode & 0x20) && dt_mmdbw_record_count(w) > 0) {
        dt_mmdbw_meta meta;
        memset(&meta, 0, sizeof meta);
        meta.database_type = "fuzz";
        int out = memfd_create("out", 0);
        if (out >= 0) {
            char opath[64];
            snprintf(opath, sizeof opath, "/proc/self/fd/%d", out);
            dt_mmdbw_write(w, opath, &meta, err, sizeof err);
            close(out);
        }
    }
    dt_mmdbw_free(w);
    close(fd);
    /* the field splitter on its own */
    char line[512];
    size_t n = size - 1 < sizeof line - 1 ? size - 1 : sizeof line - 1;
    memcpy(line, data, n);
    line[n] = 0;
    char *fields[8];
    /* it returns the number of fields (-1: open quote) and stores the first 8 */
    int nf = dt_csv_split(line, fields, 8);
    for (int i = 0; i < nf && i < 8; i++)
        if (fields[i] < line || fields[i] > line + n)
            abort();
    return 0;
}
