/* datatrail_geodb: writes MaxMind DB files (format version 2.0) from CSV
 * ranges, as `datatrail geodb build` does.  The files are readable by
 * libmaxminddb, mmdblookup and datatrail's own dt_geo_open().
 *
 * A header of its own because the writer is a library of its own (CMake
 * target datatrail_geodb): a database compiler is not part of reading
 * captures, so a program that only analyses captures includes datatrail.h and
 * links datatrail_core, and never sees this.  The record encoder and the
 * range API under it stay private (lib/geodb/mmdb_write.h). */
#ifndef DATATRAIL_GEODB_H
#define DATATRAIL_GEODB_H

#include <stddef.h>
#include <stdint.h>

/* Record layouts datatrail writes. */
typedef enum dt_mmdb_kind {
    DT_MMDB_COUNTRY = 1, /* {"country":{"iso_code":"DE"}}  (GeoLite2 layout) */
    DT_MMDB_ASN = 2,     /* {"autonomous_system_number":N,"autonomous_system_organization":S} */
    DT_MMDB_COUNTRY_CODE = 3, /* {"country_code":"DE"}  (ip-location-db layout) */
} dt_mmdb_kind;

/* A database being built (opaque). */
typedef struct dt_mmdbw dt_mmdbw;

typedef struct dt_mmdbw_meta {
    const char *database_type; /* e.g. "datatrail-ASN" */
    const char *description;   /* stored as description["x-datatrail"]; may be NULL */
    const char *attribution;   /* stored as description["en"]; may be NULL */
    uint64_t build_epoch;      /* 0 = now, or SOURCE_DATE_EPOCH if set */
} dt_mmdbw_meta;

/* NULL when out of memory. */
dt_mmdbw *dt_mmdbw_new(void);
void dt_mmdbw_free(dt_mmdbw *w);

/* Loads a CSV "start,end,value..." (ip-location-db country or ASN layout) into w.
 * Blank lines and lines starting with '#' are ignored.  On an invalid line: if skip_bad, it is
 * counted in *nbad and skipped; else returns -1 with "file:line: reason" in err.
 * *nlines receives the number of ranges added.  Later ranges win where they overlap.
 * Returns 0 or -1. */
int dt_mmdbw_load_csv(dt_mmdbw *w, const char *path, dt_mmdb_kind kind, int skip_bad, long *nlines,
                      long *nbad, char *err, size_t errlen);

/* Writes the database; returns 0 or -1 with a reason in err. */
int dt_mmdbw_write(dt_mmdbw *w, const char *path, const dt_mmdbw_meta *meta, char *err,
                   size_t errlen);

/* Statistics of the last dt_mmdbw_write (or so far): */
size_t dt_mmdbw_record_count(const dt_mmdbw *w); /* distinct data records */
size_t dt_mmdbw_node_count(const dt_mmdbw *w);   /* nodes written (after the last write) */
int dt_mmdbw_record_size(const dt_mmdbw *w);     /* 24, 28 or 32 (after the last write) */

#endif
