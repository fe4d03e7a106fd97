/* Writer for MaxMind DB files (format version 2.0): an IPv6 tree with IPv4 at ::/96 (also
 * aliased at ::ffff:0:0/96), a deduplicated data section and the metadata map.  The files are
 * readable by libmaxminddb and mmdblookup. */
#ifndef DT_MMDB_WRITE_H
#define DT_MMDB_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "util/addr.h"

/* --- Data-section encoding into a caller-provided fixed buffer ---------------------------- */
typedef struct dt_mmdb_buf {
    uint8_t *p;
    size_t cap;
    size_t len;
    int err; /* sticky: the buffer was too small or a value was out of range */
} dt_mmdb_buf;

void dt_mmdb_buf_init(dt_mmdb_buf *b, uint8_t *mem, size_t cap);
void dt_mmdb_put_map(dt_mmdb_buf *b, size_t npairs); /* followed by npairs key,value */
void dt_mmdb_put_array(dt_mmdb_buf *b, size_t nitems);
void dt_mmdb_put_str(dt_mmdb_buf *b, const char *s);
void dt_mmdb_put_u16(dt_mmdb_buf *b, uint16_t v);
void dt_mmdb_put_u32(dt_mmdb_buf *b, uint32_t v);
void dt_mmdb_put_u64(dt_mmdb_buf *b, uint64_t v);
void dt_mmdb_put_bool(dt_mmdb_buf *b, int v);
void dt_mmdb_put_double(dt_mmdb_buf *b, double v);

/* Record layouts datatrail writes. */
typedef enum dt_mmdb_kind {
    DT_MMDB_COUNTRY = 1, /* {"country":{"iso_code":"DE"}}  (GeoLite2 layout) */
    DT_MMDB_ASN = 2,     /* {"autonomous_system_number":N,"autonomous_system_organization":S} */
    DT_MMDB_COUNTRY_CODE = 3, /* {"country_code":"DE"}  (ip-location-db layout) */
} dt_mmdb_kind;

/* Encodes one record; returns 0 or -1 if it does not fit. */
int dt_mmdb_rec_country(dt_mmdb_buf *b, const char *cc, int ip_location_db_layout);
int dt_mmdb_rec_asn(dt_mmdb_buf *b, uint32_t asn, const char *org);

/* --- Tree and file ------------------------------------------------------------------------ */
typedef struct dt_mmdbw dt_mmdbw;

typedef struct dt_mmdbw_meta {
    const char *database_type; /* e.g. "datatrail-ASN" */
    const char *description;   /* stored as description["x-datatrail"]; may be NULL */
    const char *attribution;   /* stored as description["en"]; may be NULL */
    uint64_t build_epoch;      /* 0 = now, or SOURCE_DATE_EPOCH if set */
} dt_mmdbw_meta;

dt_mmdbw *dt_mmdbw_new(void);
void dt_mmdbw_free(dt_mmdbw *w);

/* Maps every address in [start, end] (same family, start <= end) to the encoded record.
 * Identical records are stored once.  Overlaps: the later call wins for the overlap.
 * Returns 0, or -1 (bad range, out of memory). */
int dt_mmdbw_add_range(dt_mmdbw *w, const dt_addr *start, const dt_addr *end, const uint8_t *rec,
                       size_t reclen);

/* Loads a CSV "start,end,value..." (ip-location-db country or ASN layout) into w.
 * Blank lines and lines starting with '#' are ignored.  On an invalid line: if skip_bad, it is
 * counted in *nbad and skipped; else returns -1 with "file:line: reason" in err.
 * *nlines receives the number of ranges added.  Returns 0 or -1. */
int dt_mmdbw_load_csv(dt_mmdbw *w, const char *path, dt_mmdb_kind kind, int skip_bad, long *nlines,
                      long *nbad, char *err, size_t errlen);

/* Writes the database; returns 0 or -1 with a reason in err. */
int dt_mmdbw_write(dt_mmdbw *w, const char *path, const dt_mmdbw_meta *meta, char *err,
                   size_t errlen);

/* Statistics of the last dt_mmdbw_write (or so far): */
size_t dt_mmdbw_record_count(const dt_mmdbw *w); /* distinct data records */
size_t dt_mmdbw_node_count(const dt_mmdbw *w);   /* nodes written (after the last write) */
int dt_mmdbw_record_size(const dt_mmdbw *w);     /* 24, 28 or 32 (after the last write) */

/* Parses one CSV line into at most maxf fields (quoted fields with "" escapes and embedded
 * commas allowed).  Fields point into line, which is modified.  Returns the number of fields
 * or -1 on an unterminated quote. */
int dt_csv_split(char *line, char **fields, int maxf);

#endif
