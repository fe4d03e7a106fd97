/* The report's JSON text as cJSON_Print formats it (tabs, "key":\tvalue,
 * array elements separated by ", "), written from the report model through
 * util/jsonw (its escaping and number formatting) without building a tree.
 * The text goes to out once it grows past a block, so arrays of any length
 * stream with bounded memory. */
#ifndef DT_REPORT_JSONFMT_H
#define DT_REPORT_JSONFMT_H

#include "util/jsonw.h"

#include <stdint.h>
#include <stdio.h>

#define DT_FW_DEPTH 32 /* deeper containers are written without separators */

typedef struct dt_fw {
    dt_jw w;
    FILE *out;          /* NULL: the text stays in w */
    int depth;          /* containers open */
    int n[DT_FW_DEPTH]; /* members or elements written, per open container */
    int err;            /* a write to out failed */
} dt_fw;

void dt_fw_init(dt_fw *f, FILE *out);
/* Appends text as it is (e.g. a flow line written elsewhere); like every
 * value, it goes to out once the buffer passes a block. */
void dt_fw_text(dt_fw *f, const char *text, size_t n);
/* Writes what is buffered to out; returns 0, or -1 on an error so far. */
int dt_fw_flush(dt_fw *f);
void dt_fw_free(dt_fw *f);

void dt_fw_obj_begin(dt_fw *f);
void dt_fw_obj_end(dt_fw *f);
void dt_fw_arr_begin(dt_fw *f);
void dt_fw_arr_end(dt_fw *f);
/* An object member's key; the next call writes its value. */
void dt_fw_key(dt_fw *f, const char *key);
/* The same for a key given as "\"key\":\t" (n bytes, no escaping needed);
 * DT_FW_KEY(f, "key") for a literal. */
void dt_fw_key_raw(dt_fw *f, const char *quoted, size_t n);
#define DT_FW_KEY(f, lit) dt_fw_key_raw((f), "\"" lit "\":\t", sizeof("\"" lit "\":\t") - 1)

void dt_fw_str(dt_fw *f, const char *s);
void dt_fw_str_or_null(dt_fw *f, const char *s); /* null for NULL or "" */
void dt_fw_u64(dt_fw *f, uint64_t v);
void dt_fw_num(dt_fw *f, double d);
void dt_fw_null(dt_fw *f);
void dt_fw_bool(dt_fw *f, int b);
/* A value given as JSON text (formatted for this depth). */
void dt_fw_raw_value(dt_fw *f, const char *text, size_t n);
/* Text written as is (no separator). */
void dt_fw_raw(dt_fw *f, const char *text, size_t n);

#endif
