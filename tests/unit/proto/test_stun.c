/* Unit tests for lib/proto/stun.c: STUN/TURN attributes. */
#include "check.h"
#include "proto/stun.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    dt_stun_info d;
    /* Allocate success response: XOR-MAPPED-ADDRESS 192.0.2.1:32853, XOR-RELAYED-ADDRESS
     * [2001:db8::1]:3478, REALM "turn.example.com" (16), SOFTWARE "t" (padded to 4) */
    static const uint8_t m[] = {
        0x01, 0x03, 0x00, 0x40, 0x21, 0x12, 0xa4, 0x42, 1,    2,    3,    4,    5,    6,
        7,    8,    9,    10,   11,   12,   0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47,
        0xe1, 0x12, 0xa6, 0x43, 0x00, 0x16, 0x00, 0x14, 0x00, 0x02, 0x2c, 0x84, 0x01, 0x13,
        0xa9, 0xfa, 1,    2,    3,    4,    5,    6,    7,    8,    9,    10,   11,   13,
        0x00, 0x14, 0x00, 0x10, 't',  'u',  'r',  'n',  '.',  'e',  'x',  'a',  'm',  'p',
        'l',  'e',  '.',  'c',  'o',  'm',  0x80, 0x22, 0x00, 0x01, 't',  0,    0,    0};
    memset(&d, 0, sizeof d);
    CHECK_EQ_INT(dt_stun_parse(m, sizeof m, &d), 1);
    CHECK_EQ_STR(d.mapped, "192.0.2.1:32853");
    CHECK_EQ_STR(d.relayed, "[2001:db8::1]:3478");
    CHECK_EQ_STR(d.realm, "turn.example.com");
    CHECK_EQ_STR(d.software, "t");
    CHECK(dt_stun_realm_is_domain(d.realm));
    CHECK(!dt_stun_realm_is_domain("example"));
    CHECK(!dt_stun_realm_is_domain("my realm.com"));
    CHECK(!dt_stun_realm_is_domain(".com"));
    /* a binding request without attributes: STUN, nothing to keep */
    static const uint8_t req[] = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42, 1,  2,
                                  3,    4,    5,    6,    7,    8,    9,    10,   11, 12};
    memset(&d, 0, sizeof d);
    CHECK_EQ_INT(dt_stun_parse(req, sizeof req, &d), 0);
    /* wrong cookie, top bits set, length that does not fill the datagram, an attribute
     * past the message: not STUN */
    uint8_t b[sizeof m];
    static const struct {
        size_t at;
        uint8_t v;
    } bad[] = {{4, 0x22}, {0, 0x41}, {3, 0x3c}, {23, 0x0c}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memcpy(b, m, sizeof b);
        b[bad[i].at] = bad[i].v;
        CHECK_EQ_INT(dt_stun_parse(b, sizeof b, &d), -1);
    }
    for (size_t l = 0; l < sizeof m; l++) {
        uint8_t *p = malloc(l ? l : 1);
        memcpy(p, m, l);
        CHECK_EQ_INT(dt_stun_parse(p, l, &d), -1);
        free(p);
    }
    return check_done();
}
