/* datatrail geodb build ... and datatrail lookup ... */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/addr.h"
#include "commands.h"
#include "enrich/geo.h"
#include "enrich/ipclass.h"
#include "geodb/mmdb_write.h"

#ifndef DT_DATA_DIR
#define DT_DATA_DIR "data"
#endif

static const char geodb_help[] =
    "usage: datatrail geodb build --type country|asn|country-code -o OUT.mmdb\n"
    "                             [--description TEXT] [--attribution TEXT] [--skip-bad]\n"
    "                             CSV...\n"
    "Builds a MaxMind DB file from CSV lines \"start,end,value...\":\n"
    "  country       start,end,CC           -> {\"country\":{\"iso_code\":CC}} (GeoLite2 layout)\n"
    "  country-code  start,end,CC           -> {\"country_code\":CC} (ip-location-db layout)\n"
    "  asn           start,end,ASN[,ORG]    -> autonomous_system_number/_organization\n"
    "Later lines win where ranges overlap.  An invalid line is an error (file:line: reason)\n"
    "unless --skip-bad is given; skipped lines are counted.  The attribution text is stored\n"
    "as the metadata description \"en\" and shown by datatrail lookup --info.\n";

static const char lookup_help[] =
    "usage: datatrail lookup [--country-db F] [--asn-db F] [--city-db F] [--override-db F]\n"
    "                        [--geodb-dir D] [--json] [--info] IP...\n"
    "Prints country, ASN/organisation and address class for each IP address.\n"
    "--info lists the databases in use with their build dates and attribution.\n";

static int is_opt(const char *a, const char *name)
{
    return strcmp(a, name) == 0;
}

int cmd_geodb(int argc, char **argv)
{
    const char *type = NULL, *out = NULL, *desc = NULL, *attr = NULL;
    const char *csv[256];
    int ncsv = 0, skip_bad = 0;
    int i = 1;
    if (i < argc && (is_opt(argv[i], "--help") || is_opt(argv[i], "-h"))) {
        fputs(geodb_help, stdout);
        return DT_EXIT_OK;
    }
    if (i >= argc || strcmp(argv[i], "build") != 0) {
        fputs(geodb_help, stderr);
        return DT_EXIT_USAGE;
    }
    for (i = 2; i < argc; i++) {
        const char *a = argv[i];
        int has = i + 1 < argc;
        if (is_opt(a, "--help") || is_opt(a, "-h")) {
            fputs(geodb_help, stdout);
            return DT_EXIT_OK;
        } else if (is_opt(a, "--type") && has) {
            type = argv[++i];
        } else if ((is_opt(a, "-o") || is_opt(a, "--output")) && has) {
            out = argv[++i];
        } else if (is_opt(a, "--description") && has) {
            desc = argv[++i];
        } else if (is_opt(a, "--attribution") && has) {
            attr = argv[++i];
        } else if (is_opt(a, "--skip-bad")) {
            skip_bad = 1;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "datatrail geodb: unknown or incomplete option %s\n", a);
            return DT_EXIT_USAGE;
        } else if (ncsv < (int)(sizeof csv / sizeof csv[0])) {
            csv[ncsv++] = a;
        } else {
            fprintf(stderr, "datatrail geodb: too many input files\n");
            return DT_EXIT_USAGE;
        }
    }
    dt_mmdb_kind kind;
    const char *dbtype;
    if (type && is_opt(type, "country")) {
        kind = DT_MMDB_COUNTRY;
        dbtype = "datatrail-Country";
    } else if (type && is_opt(type, "country-code")) {
        kind = DT_MMDB_COUNTRY_CODE;
        dbtype = "datatrail-Country";
    } else if (type && is_opt(type, "asn")) {
        kind = DT_MMDB_ASN;
        dbtype = "datatrail-ASN";
    } else {
        fprintf(stderr, "datatrail geodb: --type country|asn|country-code is required\n");
        return DT_EXIT_USAGE;
    }
    if (!out || ncsv == 0) {
        fprintf(stderr, "datatrail geodb: need -o OUT.mmdb and at least one CSV file\n");
        return DT_EXIT_USAGE;
    }
    dt_mmdbw *w = dt_mmdbw_new();
    if (!w) {
        fprintf(stderr, "datatrail geodb: out of memory\n");
        return DT_EXIT_NO_INPUT;
    }
    long total = 0, bad = 0;
    char err[1024];
    for (int k = 0; k < ncsv; k++) {
        long n = 0;
        if (dt_mmdbw_load_csv(w, csv[k], kind, skip_bad, &n, &bad, err, sizeof err) != 0) {
            fprintf(stderr, "datatrail geodb: %s\n", err);
            dt_mmdbw_free(w);
            return DT_EXIT_NO_INPUT;
        }
        total += n;
    }
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", out, (long)getpid());
    dt_mmdbw_meta meta = {dbtype, desc, attr ? attr : desc, 0};
    if (dt_mmdbw_write(w, tmp, &meta, err, sizeof err) != 0 || rename(tmp, out) != 0) {
        fprintf(stderr, "datatrail geodb: %s\n", err[0] ? err : strerror(errno));
        unlink(tmp);
        dt_mmdbw_free(w);
        return DT_EXIT_NO_INPUT;
    }
    struct stat st;
    long long size = stat(out, &st) == 0 ? (long long)st.st_size : -1;
    fprintf(stderr,
            "datatrail geodb: wrote %s: %ld ranges from %d file(s), %zu distinct records, "
            "%zu nodes, %d-bit records, %lld bytes",
            out, total, ncsv, dt_mmdbw_record_count(w), dt_mmdbw_node_count(w),
            dt_mmdbw_record_size(w), size);
    if (skip_bad)
        fprintf(stderr, ", %ld bad line(s) skipped", bad);
    fputc('\n', stderr);
    dt_mmdbw_free(w);
    return DT_EXIT_OK;
}

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

int cmd_lookup(int argc, char **argv)
{
    dt_geo_config cfg = {0};
    int json = 0, info = 0;
    char **ips = calloc((size_t)argc + 1, sizeof *ips);
    int nips = 0;
    if (!ips)
        return DT_EXIT_NO_INPUT;
    cfg.data_dir = DT_DATA_DIR;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has = i + 1 < argc;
        if (is_opt(a, "--help") || is_opt(a, "-h")) {
            fputs(lookup_help, stdout);
            free(ips);
            return DT_EXIT_OK;
        } else if (is_opt(a, "--country-db") && has) {
            cfg.country_db = argv[++i];
        } else if (is_opt(a, "--asn-db") && has) {
            cfg.asn_db = argv[++i];
        } else if (is_opt(a, "--city-db") && has) {
            cfg.city_db = argv[++i];
        } else if (is_opt(a, "--override-db") && has) {
            cfg.override_db = argv[++i];
        } else if (is_opt(a, "--geodb-dir") && has) {
            cfg.geodb_dir = argv[++i];
        } else if (is_opt(a, "--json")) {
            json = 1;
        } else if (is_opt(a, "--info")) {
            info = 1;
        } else if (a[0] == '-' && a[1] != '\0' && !strchr(a, ':')) {
            fprintf(stderr, "datatrail lookup: unknown or incomplete option %s\n", a);
            free(ips);
            return DT_EXIT_USAGE;
        } else {
            ips[nips++] = argv[i];
        }
    }
    if (nips == 0 && !info) {
        fputs(lookup_help, stderr);
        free(ips);
        return DT_EXIT_USAGE;
    }
    dt_addr *addrs = calloc((size_t)nips + 1, sizeof *addrs);
    if (!addrs) {
        free(ips);
        return DT_EXIT_NO_INPUT;
    }
    for (int i = 0; i < nips; i++) {
        if (dt_addr_parse(ips[i], &addrs[i]) != 0) {
            fprintf(stderr, "datatrail lookup: not an IP address: %s\n", ips[i]);
            free(ips);
            free(addrs);
            return DT_EXIT_USAGE;
        }
    }
    char warn[2048];
    dt_geo *g = dt_geo_open(&cfg, warn, sizeof warn);
    if (!g) {
        fprintf(stderr, "datatrail lookup: %s\n", warn);
        free(ips);
        free(addrs);
        return DT_EXIT_NO_INPUT;
    }
    if (warn[0])
        fprintf(stderr, "datatrail lookup: warning: %s\n", warn);
    if (info && !json) {
        for (int i = 0; i < dt_geo_db_count(g); i++)
            printf("# %s: %s (%s, %s, built %s)\n#   %s\n", dt_geo_db_kind(g, i),
                   dt_geo_db_path(g, i), dt_geo_db_type(g, i), dt_geo_db_schema(g, i),
                   dt_geo_db_build_date(g, i), dt_geo_db_attribution(g, i));
    }
    if (json) {
        printf("{\"databases\":[");
        for (int i = 0; i < dt_geo_db_count(g); i++) {
            printf("%s{\"kind\":", i ? "," : "");
            json_str(stdout, dt_geo_db_kind(g, i));
            printf(",\"path\":");
            json_str(stdout, dt_geo_db_path(g, i));
            printf(",\"database_type\":");
            json_str(stdout, dt_geo_db_type(g, i));
            printf(",\"schema\":");
            json_str(stdout, dt_geo_db_schema(g, i));
            printf(",\"build_date\":");
            json_str(stdout, dt_geo_db_build_date(g, i));
            printf(",\"attribution\":");
            json_str(stdout, dt_geo_db_attribution(g, i));
            printf("}");
        }
        printf("],\"results\":[");
    }
    for (int i = 0; i < nips; i++) {
        dt_geo_result r;
        char ip[DT_ADDR_STRLEN];
        dt_geo_lookup(g, &addrs[i], &r);
        dt_addr_str(&addrs[i], ip, sizeof ip);
        if (json) {
            printf("%s\n{\"ip\":", i ? "," : "");
            json_str(stdout, ip);
            printf(",\"class\":");
            json_str(stdout, r.class);
            printf(",\"country\":");
            r.country[0] ? json_str(stdout, r.country) : (void)printf("null");
            printf(",\"country_name\":");
            r.country_name[0] ? json_str(stdout, r.country_name) : (void)printf("null");
            printf(",\"city\":");
            r.city[0] ? json_str(stdout, r.city) : (void)printf("null");
            printf(",\"asn\":");
            r.asn ? (void)printf("%u", r.asn) : (void)printf("null");
            printf(",\"org\":");
            r.org[0] ? json_str(stdout, r.org) : (void)printf("null");
            printf("}");
        } else {
            printf("%s  %s %s", ip, r.country[0] ? r.country : "--",
                   r.country_name[0] ? r.country_name : "-");
            if (r.city[0])
                printf(" (%s)", r.city);
            if (r.asn)
                printf("  AS%u %s", r.asn, r.org[0] ? r.org : "-");
            else
                printf("  AS- -");
            printf("  %s\n", r.class);
        }
    }
    if (json)
        printf("]}\n");
    dt_geo_close(g);
    free(ips);
    free(addrs);
    return DT_EXIT_OK;
}
