/* Wall-clock-independent time for progress lines and rates. */
#ifndef DT_CLOCK_H
#define DT_CLOCK_H

/* Seconds on the monotonic clock (an arbitrary origin: only differences mean anything). */
double dt_now_s(void);

#endif
