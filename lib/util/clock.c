#include "util/clock.h"
#include "util/text.h"

#include <stdint.h>
#include <string.h>
#include <time.h>

double dt_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int64_t dt_days_from_civil(int64_t year, int month, int day)
{
    int64_t y = year - (month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400, yoe = y - era * 400;
    int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void dt_civil_from_days(int64_t days, int64_t *year, int *month, int *day)
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097, doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    *day = (int)(doy - (153 * mp + 2) / 5 + 1);
    *month = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = yoe + era * 400 + (*month <= 2);
}

/* n decimal digits of v (zero-padded; v >= 0) at *o. */
static void put_digits(char **o, int64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--, v /= 10)
        (*o)[i] = (char)('0' + v % 10);
    *o += n;
}

/* "HH:MM:SS" of sec_of_day (each field's last two digits) at o; 32-bit
 * arithmetic (cheaper: two per flow). */
static inline void put_hms(char *o, uint32_t sec_of_day)
{
    uint32_t min = sec_of_day / 60;
    dt_put_2digits(o, (unsigned)(min / 60 % 100));
    o[2] = ':';
    dt_put_2digits(o + 3, (unsigned)(min % 60));
    o[5] = ':';
    dt_put_2digits(o + 6, (unsigned)(sec_of_day % 60));
}

char *dt_format_civil(char out[20], int64_t year, int month, int day, int64_t sec_of_day)
{
    char *o = out;
    put_digits(&o, year, 4);
    *o++ = '-';
    put_digits(&o, month, 2);
    *o++ = '-';
    put_digits(&o, day, 2);
    *o++ = 'T';
    put_hms(o, (uint32_t)sec_of_day); /* 0-86399 (clock.h) */
    o[8] = '\0';
    return out;
}

char *dt_put_time(char *o, uint64_t ts_ns, int digits)
{
    static const uint32_t unit[10] = {1000000000, 100000000, 10000000, 1000000, 100000,
                                      10000,      1000,      100,      10,      1};
    if (digits <= 0 || digits > 9)
        digits = 6;
    uint64_t secs = ts_ns / 1000000000ull;
    uint32_t ns = (uint32_t)(ts_ns - secs * 1000000000ull);
    /* flows mostly fall on a few days (a capture's, and 1970 for those of
     * clockless devices): the date texts of the last ones, by day (per thread;
     * performance); the time of day is two digits at a time */
    static _Thread_local struct {
        uint64_t day; /* + 1; 0: empty */
        char text[20];
    } dates[8];
    uint64_t day = secs / 86400;
    uint32_t sod = (uint32_t)(secs - day * 86400);
    unsigned k = (unsigned)(day % 8);
    if (dates[k].day != day + 1) {
        int64_t y;
        int m, d;
        dt_civil_from_days((int64_t)day, &y, &m, &d);
        dt_format_civil(dates[k].text, y, m, d, 0);
        dates[k].day = day + 1;
    }
    memcpy(o, dates[k].text, 11); /* "YYYY-MM-DDT" */
    put_hms(o + 11, sod);
    o[19] = '.';
    o += 20;
    if (digits == 6) { /* microseconds: most captures */
        uint32_t us = ns / 1000;
        dt_put_2digits(o, us / 10000);
        dt_put_2digits(o + 2, us / 100 % 100);
        dt_put_2digits(o + 4, us % 100);
    } else {
        uint32_t frac = ns / unit[digits];
        int i = digits;
        for (; i >= 2; i -= 2, frac /= 100)
            dt_put_2digits(o + i - 2, frac % 100);
        if (i)
            o[0] = (char)('0' + frac);
    }
    o[digits] = 'Z';
    return o + digits + 1;
}

char *dt_format_time(uint64_t ts_ns, int digits, char *buf, size_t len)
{
    if (digits <= 0 || digits > 9)
        digits = 6;
    /* date, "T", time, "." digits, "Z" (callers pass 48 bytes) */
    if (len < 19 + (size_t)digits + 3) {
        if (len)
            buf[0] = '\0';
        return buf;
    }
    *dt_put_time(buf, ts_ns, digits) = '\0';
    return buf;
}

/* "YYYY-MM-DDTHH:MM:SS[.fff]Z" -> ns since the epoch; -1 when malformed. */
int dt_parse_time(const char *s, uint64_t *ns, int *digits)
{
    int f[6] = {0};
    static const int len[6] = {4, 2, 2, 2, 2, 2};
    static const char sep[6] = {'-', '-', 'T', ':', ':', 0};
    const char *p = s;
    for (int i = 0; i < 6; i++) {
        for (int k = 0; k < len[i]; k++, p++) {
            if (*p < '0' || *p > '9')
                return -1;
            f[i] = f[i] * 10 + (*p - '0');
        }
        if (sep[i] && *p++ != sep[i])
            return -1;
    }
    uint64_t frac = 0;
    int n = 0;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++, n++)
            if (n < 9)
                frac = frac * 10 + (uint64_t)(*p - '0');
    if (*p != 'Z' || p[1] || f[0] < 1970 || f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31 ||
        f[3] > 23 || f[4] > 59 || f[5] > 60)
        return -1;
    for (int i = n; i < 9; i++)
        frac *= 10;
    int64_t t = dt_days_from_civil(f[0], f[1], f[2]) * 86400 + f[3] * 3600 + f[4] * 60 + f[5];
    if (t < 0)
        return -1;
    *ns = (uint64_t)t * 1000000000ull + frac;
    if (digits)
        *digits = n > 9 ? 9 : n;
    return 0;
}
