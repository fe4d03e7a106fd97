/* IP addresses as datatrail passes them between stages. */
#ifndef DT_ADDR_H
#define DT_ADDR_H

#include "datatrail.h" /* dt_addr, DT_ADDR_STRLEN, dt_addr_str, dt_addr_parse */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int dt_addr_cmp(const dt_addr *x, const dt_addr *y);
/* Whether two addresses are the same (inline: the flow table asks for every packet). */
static inline int dt_addr_eq(const dt_addr *x, const dt_addr *y)
{
    uint64_t a[2], b[2];
    memcpy(a, x->a, 16);
    memcpy(b, y->a, 16);
    return x->family == y->family && a[0] == b[0] && a[1] == b[1];
}
static inline size_t dt_addr_len(const dt_addr *x)
{
    return x->family == 6 ? 16 : 4;
}
void dt_addr_set4(dt_addr *x, const uint8_t *p);
void dt_addr_set6(dt_addr *x, const uint8_t *p);

/* Ethernet addresses as text: "0a:a1:b2:c3:d4:e5" (lower case; len >= 18). */
#define DT_MAC_STRLEN 18
char *dt_mac_str(const uint8_t *mac, char *buf, size_t len);
/* Six hexadecimal pairs separated by ':' or '-' (17 characters); 0, or -1. */
int dt_mac_parse(const char *s, uint8_t *mac);

#endif
