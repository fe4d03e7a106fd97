/* Reading JSON files, with errors that name the place. */
#ifndef DT_JSONFILE_H
#define DT_JSONFILE_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* Parses a JSON file; NULL on failure, with "path: reason" or
 * "path:line:column: JSON syntax error" in err. */
cJSON *dt_json_load_file(const char *path, size_t max, char *err, size_t errlen);

#endif
