/* IP addresses as datatrail passes them between stages. */
#ifndef DT_ADDR_H
#define DT_ADDR_H

#include "datatrail.h" /* dt_addr, DT_ADDR_STRLEN, dt_addr_str, dt_addr_parse */

#include <stddef.h>
#include <stdint.h>

int dt_addr_cmp(const dt_addr *x, const dt_addr *y);
static inline size_t dt_addr_len(const dt_addr *x)
{
    return x->family == 6 ? 16 : 4;
}
void dt_addr_set4(dt_addr *x, const uint8_t *p);
void dt_addr_set6(dt_addr *x, const uint8_t *p);

#endif
