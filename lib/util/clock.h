/* Time: the monotonic clock for progress lines and rates, and capture times
 * as RFC 3339 text (UTC). */
#ifndef DT_CLOCK_H
#define DT_CLOCK_H

#include <stddef.h>
#include <stdint.h>

/* Seconds on the monotonic clock (an arbitrary origin: only differences mean anything). */
double dt_now_s(void);

/* RFC 3339 UTC with `digits` fractional digits (6 when 0). */
char *dt_format_time(uint64_t ts_ns, int digits, char *buf, size_t len);
/* The same text without its NUL at o (room for 31 bytes); returns the end. */
char *dt_put_time(char *o, uint64_t ts_ns, int digits);
/* "YYYY-MM-DDTHH:MM:SS" (year 0-9999, sec_of_day 0-86399), no printf: per flow and per
 * certificate. */
char *dt_format_civil(char out[20], int64_t year, int month, int day, int64_t sec_of_day);
/* Parses what dt_format_time writes; returns 0 and the time, or -1. */
int dt_parse_time(const char *s, uint64_t *ts_ns, int *digits);

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1-12), and back. */
int64_t dt_days_from_civil(int64_t year, int month, int day);
void dt_civil_from_days(int64_t days, int64_t *year, int *month, int *day);

#endif
