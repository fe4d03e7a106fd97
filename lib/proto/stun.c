/* STUN and TURN in the registry: messages on any UDP port (recognised by
 * their magic cookie, pure parser below), shown as the flow object's
 * "stun"; a TURN REALM that is a domain names the server. */
#include "proto/stun.h"

#include "proto/apps.h"
#include "util/addr.h"
#include "util/cursor.h"
#include "util/text.h"

#include <stdio.h>
#include <string.h>

#define STUN_HDR_LEN 20
#define ATTR_REALM 0x0014
#define ATTR_XOR_RELAYED 0x0016
#define ATTR_XOR_MAPPED 0x0020
#define ATTR_SOFTWARE 0x8022
#define FAMILY_IPV4 1
#define FAMILY_IPV6 2

/* An XOR-...-ADDRESS value (RFC 8489 section 14.2) as "ip:port". */
static void xor_address(dt_cur v, const uint8_t *hdr, char *out, size_t cap)
{
    if (out[0])
        return;
    dt_skip(&v, 1);
    uint8_t family = dt_u8(&v);
    uint16_t port = dt_be16(&v) ^ (uint16_t)(DT_STUN_COOKIE >> 16);
    size_t n = family == FAMILY_IPV4 ? 4 : family == FAMILY_IPV6 ? 16 : 0;
    const uint8_t *x = n ? dt_bytes(&v, n) : NULL;
    if (!x)
        return;
    uint8_t a[16];
    for (size_t i = 0; i < n; i++)
        a[i] = x[i] ^ hdr[4 + i]; /* the cookie, then (IPv6) the transaction id */
    dt_addr addr;
    char ip[DT_ADDR_STRLEN];
    if (n == 4)
        dt_addr_set4(&addr, a);
    else
        dt_addr_set6(&addr, a);
    dt_addr_str(&addr, ip, sizeof ip);
    snprintf(out, cap, n == 4 ? "%s:%u" : "[%s]:%u", ip, (unsigned)port);
}

static int set_text(char *dst, size_t cap, dt_cur v)
{
    if (!dst[0] && dt_left(&v))
        dt_copy_printable(dst, cap, dt_ptr(&v), dt_left(&v));
    return 1;
}

int dt_stun_parse(const uint8_t *p, size_t len, dt_stun_info *out)
{
    dt_cur c = dt_cur_make(p, len);
    uint16_t type = dt_be16(&c), mlen = dt_be16(&c);
    uint32_t cookie = dt_be32(&c);
    dt_skip(&c, 12); /* transaction id */
    if (!dt_ok(&c) || (type & 0xc000) || (mlen & 3) || mlen != len - STUN_HDR_LEN ||
        cookie != DT_STUN_COOKIE)
        return -1;
    dt_stun_info got;
    memset(&got, 0, sizeof got);
    int found = 0;
    while (dt_left(&c) > 0) {
        uint16_t at = dt_be16(&c), alen = dt_be16(&c);
        dt_cur v = dt_sub(&c, alen);
        dt_skip(&c, (4 - alen % 4) % 4);
        if (!dt_ok(&c))
            return -1;
        if (at == ATTR_SOFTWARE)
            found |= set_text(got.software, sizeof got.software, v);
        else if (at == ATTR_REALM)
            found |= set_text(got.realm, sizeof got.realm, v);
        else if (at == ATTR_XOR_MAPPED)
            xor_address(v, p, got.mapped, sizeof got.mapped), found = 1;
        else if (at == ATTR_XOR_RELAYED)
            xor_address(v, p, got.relayed, sizeof got.relayed), found = 1;
    }
    if (!found)
        return 0;
    out->present = 1;
    char *dst[] = {out->software, out->realm, out->mapped, out->relayed};
    const char *src[] = {got.software, got.realm, got.mapped, got.relayed};
    size_t cap[] = {sizeof out->software, sizeof out->realm, sizeof out->mapped,
                    sizeof out->relayed};
    for (int i = 0; i < 4; i++)
        if (!dst[i][0])
            dt_copy_str(dst[i], cap[i], src[i]);
    return 1;
}

static int stun_read(const uint8_t *p, size_t len, void *out)
{
    return dt_stun_parse(p, len, out);
}

/* Every datagram of either side until one is not STUN (WebRTC multiplexes
 * DTLS and media on the flow: after its first one, other datagrams are
 * passed over); only on flows no parser before has named. */
static dt_parse_status stun_parse(const dt_parse_in *in)
{
    dt_flow_app *x = in->x;
    if (x->app && x->app != DT_APP_STUN)
        return DT_PARSE_NOT_MINE;
    dt_stun_info scratch;
    dt_parse_status st =
        dt_parser_read_datagram(in, DT_RESULT_STUN, DT_APP_STUN, &scratch, stun_read);
    return st == DT_PARSE_NOT_MINE && x->app == DT_APP_STUN ? DT_PARSE_MORE : st;
}

/* A REALM that is a domain name (letters, digits, '-' and '.', with a dot). */
int dt_stun_realm_is_domain(const char *r)
{
    int dot = 0;
    for (const char *s = r; *s; s++) {
        if (*s == '.')
            dot = s != r && s[1];
        else if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
                   (*s >= '0' && *s <= '9') || *s == '-'))
            return 0;
    }
    return dot;
}

static int stun_json(dt_jw *w, const dt_flow_app *x)
{
    const dt_stun_info *d = dt_app_stun(x);
    if (!d)
        return 0;
    dt_jw_obj_begin(w);
    DT_JW_KEY_STR_OR_NULL(w, "software", d->software);
    DT_JW_KEY_STR_OR_NULL(w, "realm", d->realm);
    DT_JW_KEY_STR_OR_NULL(w, "mapped_address", d->mapped);
    DT_JW_KEY_STR_OR_NULL(w, "relayed_address", d->relayed);
    dt_jw_obj_end(w);
    return 1;
}

const dt_parser dt_parser_stun = {
    .name = "stun",
    .transport = DT_TRANSPORT_UDP,
    .dirs = DT_DIRS_BOTH,
    .flags = DT_PF_JSON_IF_RESULT,
    .parse = stun_parse,
    .result_size = sizeof(dt_stun_info),
    .DT_PARSER_JSON_KEY("stun"),
    .json = stun_json,
};
