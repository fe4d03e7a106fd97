/* --identifier NAME=VALUE and --identifiers FILE: the user's identifiers the
 * personal data detector looks for (checked by dt_engine_config_check). */
#include "commands.h"

#include "datatrail.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int add(dt_identifiers *ids, const char *s, size_t n, const char *where)
{
    char err[256];
    if (ids->n == DT_MAX_IDENTIFIERS) {
        fprintf(stderr, "datatrail: %s: at most %d identifiers\n", where, DT_MAX_IDENTIFIERS);
        return -1;
    }
    char *v = strndup(s, n);
    if (!v) {
        fprintf(stderr, "datatrail: out of memory\n");
        return -1;
    }
    dt_engine_config one;
    dt_engine_config_default(&one);
    one.identifiers = (const char *const *)&v;
    one.n_identifiers = 1;
    if (dt_engine_config_check(&one, err, sizeof err) != 0) {
        fprintf(stderr, "datatrail: %s: %s\n", where, err);
        free(v);
        return -1;
    }
    ids->v[ids->n++] = v;
    return 0;
}

int dt_identifier_option(dt_identifiers *ids, const char *arg)
{
    return add(ids, arg, strlen(arg), "--identifier");
}

int dt_identifiers_file(dt_identifiers *ids, const char *path)
{
    FILE *fp = fopen(path, "r");
    if (!fp) {
        fprintf(stderr, "datatrail: %s: %s\n", path, strerror(errno));
        return -1;
    }
    char line[1024], where[4200];
    int rc = 0;
    for (int no = 1; rc == 0 && fgets(line, sizeof line, fp); no++) {
        size_t n = strlen(line);
        snprintf(where, sizeof where, "%s:%d", path, no);
        if (n == sizeof line - 1 && line[n - 1] != '\n') {
            fprintf(stderr, "datatrail: %s: line longer than %zu bytes\n", where, sizeof line - 2);
            rc = -1;
            break;
        }
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            n--;
        size_t s = 0;
        while (s < n && (line[s] == ' ' || line[s] == '\t'))
            s++;
        if (s == n || line[s] == '#')
            continue;
        rc = add(ids, line + s, n - s, where);
    }
    if (rc == 0 && ferror(fp)) {
        fprintf(stderr, "datatrail: %s: %s\n", path, strerror(errno));
        rc = -1;
    }
    fclose(fp);
    return rc;
}

void dt_identifiers_free(dt_identifiers *ids)
{
    for (int i = 0; i < ids->n; i++)
        free(ids->v[i]);
    ids->n = 0;
}
