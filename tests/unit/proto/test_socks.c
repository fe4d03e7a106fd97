/* lib/proto/socks.c: the length of a SOCKS client preamble. */
#include "proto/socks.h"
#include "check.h"

#include <string.h>

int main(void)
{
    /* SOCKS4 CONNECT 192.0.2.1:80, user "u" */
    static const uint8_t v4[] = {4, 1, 0, 80, 192, 0, 2, 1, 'u', 0, 'G', 'E', 'T'};
    CHECK_EQ_INT(dt_socks_request_len(v4, sizeof v4), 10);
    CHECK_EQ_INT(dt_socks_request_len(v4, 9), -2); /* the user name is not ended yet */
    /* SOCKS4a: 0.0.0.1, user "", host "example.com" */
    static const uint8_t v4a[] = {4,   1,   0,   80,  0,   0,   0,   1,   0,   'e', 'x',
                                  'a', 'm', 'p', 'l', 'e', '.', 'c', 'o', 'm', 0};
    CHECK_EQ_INT(dt_socks_request_len(v4a, sizeof v4a), (long long)sizeof v4a);
    CHECK_EQ_INT(dt_socks_request_len(v4a, sizeof v4a - 1), -2);
    /* SOCKS5: greeting (no authentication), CONNECT to a domain name, port 443 */
    static const uint8_t v5[] = {5, 1, 0, 5, 1, 0, 3, 4, 'h', 'o', 's', 't', 1, 187, 0x16};
    CHECK_EQ_INT(dt_socks_request_len(v5, sizeof v5), 14);
    CHECK_EQ_INT(dt_socks_request_len(v5, 5), -2);
    CHECK_EQ_INT(dt_socks_request_len(v5, 13), -2);
    /* SOCKS5 with an IPv6 address */
    static const uint8_t v6[] = {5, 1, 0, 5, 1, 0, 4, 0x20, 1, 0x0d, 0xb8, 0, 0,
                                 0, 0, 0, 0, 0, 0, 0, 0,    0, 1,    0,    80};
    CHECK_EQ_INT(dt_socks_request_len(v6, sizeof v6), (long long)sizeof v6);
    /* not SOCKS: the greeting of another command, or other bytes */
    static const uint8_t bind[] = {5, 1, 0, 5, 2, 0, 1, 192, 0, 2, 1, 0, 80};
    CHECK_EQ_INT(dt_socks_request_len(bind, sizeof bind), 0);
    static const uint8_t auth[] = {5, 1, 2, 1, 4, 'u', 's', 'e', 'r'};
    CHECK_EQ_INT(dt_socks_request_len(auth, sizeof auth), 0);
    CHECK_EQ_INT(dt_socks_request_len((const uint8_t *)"GET / HTTP/1.1\r\n", 16), 0);
    CHECK_EQ_INT(dt_socks_request_len((const uint8_t *)"\x16\x03\x01", 3), 0);
    return check_done();
}
