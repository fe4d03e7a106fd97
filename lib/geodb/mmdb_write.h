/* Writer for MaxMind DB files (format version 2.0): an IPv6 tree with IPv4 at ::/96 (also
 * aliased at ::ffff:0:0/96), a deduplicated data section and the metadata map.  The files are
 * readable by libmaxminddb and mmdblookup. */
#ifndef DT_MMDB_WRITE_H
#define DT_MMDB_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "datatrail_geodb.h"
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

/* Encodes one record; returns 0 or -1 if it does not fit. */
int dt_mmdb_rec_country(dt_mmdb_buf *b, const char *cc, int ip_location_db_layout);
int dt_mmdb_rec_asn(dt_mmdb_buf *b, uint32_t asn, const char *org);

/* --- Tree and file ------------------------------------------------------------------------ */
/* The database handle, dt_mmdbw_meta and the kinds of record are public
 * (datatrail_geodb.h), with loading CSV files and writing. */

/* Maps every address in [start, end] (same family, start <= end) to the encoded record.
 * Identical records are stored once.  Overlaps: the later call wins for the overlap.
 * Returns 0, or -1 (bad range, out of memory). */
int dt_mmdbw_add_range(dt_mmdbw *w, const dt_addr *start, const dt_addr *end, const uint8_t *rec,
                       size_t reclen);

/* Parses one CSV line into at most maxf fields (quoted fields with "" escapes and embedded
 * commas allowed).  Fields point into line, which is modified.  Returns the number of fields
 * or -1 on an unterminated quote. */
int dt_csv_split(char *line, char **fields, int maxf);

#endif
