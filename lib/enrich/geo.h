/* Country / city / ASN enrichment from MaxMind DB files via libmaxminddb.
 *
 * Supported layouts (detected from metadata and by probing keys): GeoLite2/GeoIP2 Country and
 * City (country.iso_code, country.names.en, registered_country, city.names.en), GeoLite2-ASN
 * and DB-IP lite (same keys), ip-location-db (top-level country_code; ASN keys as GeoLite2),
 * and the files datatrail builds itself (GeoLite2 keys; see mmdb_write.h). */
#ifndef DT_GEO_H
#define DT_GEO_H

#include <stddef.h>
#include <stdint.h>

#include "datatrail.h"
#include "enrich/transfer.h"
#include "util/addr.h"

/* dt_geo_config, dt_geo_result, the dt_geo handle, dt_geo_open/close/lookup
 * and the databases' info are public (datatrail.h). */

void dt_geo_cache_stats(const dt_geo *g, uint64_t *hits, uint64_t *misses);

/* The name reports show for an ISO 3166-1 alpha-2 code (either case), from data/countries.json
 * in dt_data_dir(), loaded once on first use (dt_country_common_name()); NULL when unknown or
 * when the file cannot be read. */
const char *dt_geo_country_name(const char *cc);
/* That table when it was read from path (NULL otherwise, or when it cannot be read): an
 * enricher reading the same file shares it rather than parsing it again. */
const dt_countries *dt_geo_countries_of(const char *path);
/* The scope note of the country's adequacy decision from the same table ("Partial: only
 * organisations certified under the EU-U.S. Data Privacy Framework ..."); NULL when none. */
const char *dt_geo_adequacy_note(const char *cc);

#endif
