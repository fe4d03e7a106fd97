/* Reports side by side (`datatrail diff`, `datatrail compare`): a report read
 * back into the model (as `merge` reads it), and its tables as plain rows
 * (key, upload, flows) that two or more reports can be matched on. */
#ifndef DT_REPORT_FLEET_H
#define DT_REPORT_FLEET_H

#include "datatrail.h"
#include "report/rollup.h"

#include <stddef.h>
#include <stdint.h>

/* The tables compared, in output order. */
#define DT_FL_KINDS(X)                                                                             \
    X(COUNTRIES, "countries", "Countries")                                                         \
    X(RECIPIENTS, "recipients", "Recipients")                                                      \
    X(HOSTING, "hosting", "Hosting networks")                                                      \
    X(DOMAINS, "domains", "Domains")                                                               \
    X(TRANSFERS, "transfers", "Transfer classes")                                                  \
    X(BEACONS, "beacons", "Beacon rhythms")

typedef enum dt_fl_kind {
#define X(id, key, title) DT_FL_##id,
    DT_FL_KINDS(X)
#undef X
        DT_FL_KIND_COUNT
} dt_fl_kind;
const char *dt_fl_kind_key(dt_fl_kind k);   /* "countries", ... (JSON keys, CSV) */
const char *dt_fl_kind_title(dt_fl_kind k); /* "Countries", ... (text headings) */

/* A beacon: a remote endpoint the device connected to this often at least. */
#define DT_FL_BEACON_CONNECTIONS 3

typedef struct dt_fl_row {
    char *key;   /* country code ("" none), recipient, network, domain, class, endpoint address */
    char *label; /* beacons: the endpoint's first name, or NULL */
    uint64_t up, flows;
    uint64_t connections; /* beacons */
    double interval_s;    /* beacons: the median interval between connections */
} dt_fl_row;

typedef struct dt_fl_table {
    dt_fl_row *v; /* sorted by key (strcmp) */
    size_t n;
} dt_fl_table;

/* Table k of a rollup; 0, or -1 when out of memory. */
int dt_fl_table_of(const dt_rollup *ru, dt_fl_kind k, dt_fl_table *t);
void dt_fl_table_free(dt_fl_table *t);
/* The row of t with this key, or NULL. */
const dt_fl_row *dt_fl_find(const dt_fl_table *t, const char *key);

/* The report at path read into the model (only the flows of device when not
 * NULL; its flows checked against policy when not NULL), or NULL with "path: reason" in err: not
 * JSON, not a datatrail report, a newer schema version, no flows. */
dt_report *dt_fl_load(const char *path, const char *device, const dt_policy *policy, char *err,
                      size_t errlen);
const dt_rollup *dt_fl_rollup(const dt_report *r);

/* When a and b were made with different geo databases (of a kind, another
 * type, layout or build date), what differs in words in buf and 1; else 0. */
int dt_fl_geo_differs(const dt_report *a, const dt_report *b, char *buf, size_t len);

/* The label of a report: the path of its single input, else "N inputs". */
const char *dt_fl_label(const dt_report *r, char *buf, size_t len);

#endif
