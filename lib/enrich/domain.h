/* Registrable domains ("eTLD+1") from host names, using the Public Suffix List (libpsl).
 *
 * Only the ICANN section of the list is used, so that names under private
 * suffixes map to the company that runs them: "foo.s3.amazonaws.com" ->
 * "amazonaws.com", not "foo.s3.amazonaws.com".  The list is loaded once per
 * process (pthread_once) and is read-only afterwards, so the functions are
 * safe to call from several threads.
 */
#ifndef DT_DOMAIN_H
#define DT_DOMAIN_H

#include <stddef.h>

/* Longest host name accepted (RFC 1035: 253 characters without the final dot). */
#define DT_DOMAIN_MAX 253

/* Writes the lowercased registrable domain of `name` into out (always
 * NUL-terminated when outlen > 0; "" on failure).  Returns 0, or -1 when
 * there is none: NULL/empty/too long/garbage names, IP literals (v4, v6, bracketed),
 * reverse-lookup names under in-addr.arpa / ip6.arpa,
 * names that are themselves a public suffix ("co.uk"), or when out is too
 * small.  A single trailing dot is ignored; case is folded (ASCII). */
int dt_registrable_domain(const char *name, char *out, size_t outlen);

/* Remembers which suffixes ("qq.com", "com") are public suffixes, so that the
 * names under one domain cost one list search each instead of one per label.
 * Not shared between threads: one per enricher. */
typedef struct dt_suffix_memo dt_suffix_memo;

dt_suffix_memo *dt_suffix_memo_new(void);
void dt_suffix_memo_free(dt_suffix_memo *m);

/* dt_registrable_domain() through the memo (m may be NULL): same answers. */
int dt_registrable_domain_memo(const char *name, dt_suffix_memo *m, char *out, size_t outlen);

/* Which list is in use: "file:<path>" (psl_latest picked the distribution's
 * file, e.g. Debian's publicsuffix package) or "builtin" (the copy compiled
 * into libpsl), or "none" when libpsl could not load any list. */
const char *dt_psl_source(void);

#endif
