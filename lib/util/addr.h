/* IP addresses as datatrail passes them between stages. */
#ifndef DT_ADDR_H
#define DT_ADDR_H

#include <stddef.h>
#include <stdint.h>

typedef struct dt_addr {
    uint8_t family; /* 4 or 6; 0 = none */
    uint8_t a[16];  /* IPv4 in the first 4 bytes, rest zero */
} dt_addr;

#define DT_ADDR_STRLEN 46

/* Writes the textual form (inet_ntop) into buf; returns buf. */
char *dt_addr_str(const dt_addr *x, char *buf, size_t len);
/* Parses dotted IPv4 or IPv6 text; returns 0 on success. */
int dt_addr_parse(const char *s, dt_addr *out);
int dt_addr_cmp(const dt_addr *x, const dt_addr *y);
static inline size_t dt_addr_len(const dt_addr *x)
{
    return x->family == 6 ? 16 : 4;
}
void dt_addr_set4(dt_addr *x, const uint8_t *p);
void dt_addr_set6(dt_addr *x, const uint8_t *p);

#endif
