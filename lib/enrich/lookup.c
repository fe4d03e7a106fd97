/* What `datatrail lookup` prints: an address's country, network and class,
 * as text lines or one JSON object (dt_lookup_print in datatrail.h). */
#include "datatrail.h"
#include "enrich/geo.h"
#include "util/addr.h"
#include "util/jsonw.h"

#include <string.h>

static void print_info(FILE *out, const dt_geo *g)
{
    for (int i = 0; i < dt_geo_db_count(g); i++)
        fprintf(out, "# %s: %s (%s, %s, built %s)\n#   %s\n", dt_geo_db_kind(g, i),
                dt_geo_db_path(g, i), dt_geo_db_type(g, i), dt_geo_db_schema(g, i),
                dt_geo_db_build_date(g, i), dt_geo_db_attribution(g, i));
}

static void print_text(FILE *out, const char *ip, const dt_geo_result *r)
{
    fprintf(out, "%s  %s %s", ip, r->country[0] ? r->country : "--",
            r->country_name[0] ? r->country_name : "-");
    if (r->city[0])
        fprintf(out, " (%s)", r->city);
    if (r->registered_country[0] && strcmp(r->registered_country, r->country) != 0)
        fprintf(out, " [registered %s]", r->registered_country);
    if (r->asn)
        fprintf(out, "  AS%u %s", r->asn, r->org[0] ? r->org : "-");
    else
        fprintf(out, "  AS- -");
    fprintf(out, "  %s\n", r->class);
}

static void json_databases(dt_jw *w, const dt_geo *g)
{
    DT_JW_KEY(w, "databases");
    dt_jw_arr_begin(w);
    for (int i = 0; i < dt_geo_db_count(g); i++) {
        dt_jw_obj_begin(w);
        DT_JW_KEY(w, "kind");
        dt_jw_str(w, dt_geo_db_kind(g, i));
        DT_JW_KEY(w, "path");
        dt_jw_str(w, dt_geo_db_path(g, i));
        DT_JW_KEY(w, "database_type");
        dt_jw_str(w, dt_geo_db_type(g, i));
        DT_JW_KEY(w, "schema");
        dt_jw_str(w, dt_geo_db_schema(g, i));
        DT_JW_KEY(w, "build_date");
        dt_jw_str(w, dt_geo_db_build_date(g, i));
        DT_JW_KEY(w, "attribution");
        dt_jw_str(w, dt_geo_db_attribution(g, i));
        dt_jw_obj_end(w);
    }
    dt_jw_arr_end(w);
}

static void json_result(dt_jw *w, const char *ip, const dt_geo_result *r)
{
    dt_jw_key_raw(w, "\n", 1); /* after the ',' between elements: a line break */
    dt_jw_obj_begin(w);
    DT_JW_KEY(w, "ip");
    dt_jw_str(w, ip);
    DT_JW_KEY(w, "class");
    dt_jw_str(w, r->class);
    DT_JW_KEY(w, "country");
    dt_jw_str_or_null(w, r->country);
    DT_JW_KEY(w, "country_name");
    dt_jw_str_or_null(w, r->country_name);
    DT_JW_KEY(w, "registered_country");
    dt_jw_str_or_null(w, r->registered_country);
    DT_JW_KEY(w, "city");
    dt_jw_str_or_null(w, r->city);
    DT_JW_KEY(w, "asn");
    if (r->asn)
        dt_jw_u64(w, r->asn);
    else
        dt_jw_null(w);
    DT_JW_KEY(w, "org");
    dt_jw_str_or_null(w, r->org);
    dt_jw_obj_end(w);
}

int dt_lookup_print(FILE *out, dt_geo *g, const dt_addr *addrs, int n, int flags)
{
    int json = (flags & DT_LOOKUP_JSON) != 0;
    if ((flags & DT_LOOKUP_INFO) && !json)
        print_info(out, g);
    dt_jw w;
    dt_jw_init(&w);
    if (json) {
        dt_jw_obj_begin(&w);
        json_databases(&w, g);
        DT_JW_KEY(&w, "results");
        dt_jw_arr_begin(&w);
    }
    for (int i = 0; i < n; i++) {
        dt_geo_result r;
        char ip[DT_ADDR_STRLEN];
        dt_geo_lookup(g, &addrs[i], &r);
        dt_addr_str(&addrs[i], ip, sizeof ip);
        if (json)
            json_result(&w, ip, &r);
        else
            print_text(out, ip, &r);
    }
    int rc = 0;
    if (json) {
        dt_jw_arr_end(&w);
        dt_jw_obj_end(&w);
        if (w.buf)
            fprintf(out, "%s\n", w.buf);
        rc = w.oom ? -1 : 0;
    }
    dt_jw_free(&w);
    return rc;
}
