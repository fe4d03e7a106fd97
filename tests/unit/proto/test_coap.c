/* Unit tests for lib/proto/coap.c: the Uri-Host of a CoAP request. */
#include "check.h"
#include "proto/coap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    dt_coap_info d;
    /* CON GET, token 2 bytes, Uri-Host (3) "coap.example.org" (16: extended length 13+3),
     * Uri-Path (delta 8) "rd", payload marker and one byte */
    static const uint8_t get[] = {0x42, 0x01, 0x12, 0x34, 0xaa, 0xbb, 0x3d, 0x03, 'c', 'o',
                                  'a',  'p',  '.',  'e',  'x',  'a',  'm',  'p',  'l', 'e',
                                  '.',  'o',  'r',  'g',  0x82, 'r',  'd',  0xff, 0x01};
    memset(&d, 0, sizeof d);
    CHECK_EQ_INT(dt_coap_parse(get, sizeof get, &d), 1);
    CHECK_EQ_STR(d.uri_host, "coap.example.org");
    CHECK_EQ_STR(d.method, "GET");
    /* the same as a 2.05 Content response: CoAP, no request */
    uint8_t b[sizeof get];
    memcpy(b, get, sizeof b);
    b[1] = 0x45;
    memset(&d, 0, sizeof d);
    CHECK_EQ_INT(dt_coap_parse(b, sizeof b, &d), 0);
    CHECK_EQ_INT(d.present, 0);
    /* an empty ACK (4 bytes), and an empty message with a token: not CoAP */
    static const uint8_t ack[] = {0x60, 0x00, 0x12, 0x34};
    CHECK_EQ_INT(dt_coap_parse(ack, sizeof ack, &d), 0);
    static const uint8_t ack_token[] = {0x62, 0x00, 0x12, 0x34, 0xaa, 0xbb};
    CHECK_EQ_INT(dt_coap_parse(ack_token, sizeof ack_token, &d), -1);
    /* version 2, token length 9, reserved nibble 15, class 3, an option past the end,
     * a payload marker with no payload */
    static const struct {
        size_t at;
        uint8_t v;
    } bad[] = {{0, 0x82}, {0, 0x49}, {6, 0xfd}, {1, 0x61}, {6, 0x3e}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memcpy(b, get, sizeof b);
        b[bad[i].at] = bad[i].v;
        CHECK_EQ_INT(dt_coap_parse(b, sizeof b, &d), -1);
    }
    CHECK_EQ_INT(dt_coap_parse(get, sizeof get - 1, &d), -1);
    /* a POST without Uri-Host: a request, no name; a later one does not replace the method */
    static const uint8_t post[] = {0x40, 0x02, 0x00, 0x01, 0xb2, 'r', 'd'};
    memset(&d, 0, sizeof d);
    CHECK_EQ_INT(dt_coap_parse(post, sizeof post, &d), 1);
    CHECK_EQ_STR(d.uri_host, "");
    CHECK_EQ_INT(dt_coap_parse(get, sizeof get, &d), 1);
    CHECK_EQ_STR(d.method, "POST");
    CHECK_EQ_STR(d.uri_host, "coap.example.org");
    /* every prefix: never read past it */
    for (size_t l = 0; l < sizeof get; l++) {
        uint8_t *p = malloc(l ? l : 1);
        memcpy(p, get, l);
        memset(&d, 0, sizeof d);
        int r = dt_coap_parse(p, l, &d);
        CHECK(r != 1 || l == 4 + 2 || l >= 4 + 2 + 2 + 16);
        free(p);
    }
    return check_done();
}
