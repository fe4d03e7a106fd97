/* lib/proto/mqtt.c: the CONNECT packet of MQTT 3.1, 3.1.1 and 5. */
#include "proto/mqtt.h"
#include "check.h"

#include <string.h>

int main(void)
{
    static const uint8_t v311[] = {0x10, 0x12, 0, 4, 'M', 'Q', 'T', 'T', 4,   2,
                                   0,    60,   0, 6, 'c', 'l', 'i', 'e', 'n', 't'};
    static const uint8_t v31[] = {0x10, 0x14, 0, 6, 'M', 'Q', 'I', 's', 'd', 'p', 3, 2, 0, 60};
    /* a remaining length of two bytes (200) */
    static const uint8_t long_len[] = {0x10, 0xc8, 0x01, 0, 4, 'M', 'Q', 'T', 'T', 5};
    static const uint8_t other[] = {0x10, 0x12, 0, 4, 'A', 'M', 'Q', 'P'};
    CHECK_EQ_INT(dt_mqtt_connect(v311, sizeof v311), DT_PARSE_DONE);
    CHECK_EQ_INT(dt_mqtt_connect(v31, sizeof v31), DT_PARSE_DONE);
    CHECK_EQ_INT(dt_mqtt_connect(long_len, sizeof long_len), DT_PARSE_DONE);
    CHECK_EQ_INT(dt_mqtt_connect(other, sizeof other), DT_PARSE_NOT_MINE);
    /* a prefix: more is needed to tell */
    CHECK_EQ_INT(dt_mqtt_connect(v311, 0), DT_PARSE_MORE);
    CHECK_EQ_INT(dt_mqtt_connect(v311, 5), DT_PARSE_MORE);
    /* not CONNECT */
    CHECK_EQ_INT(dt_mqtt_connect((const uint8_t *)"GET / HTTP/1.1\r\n", 16), DT_PARSE_NOT_MINE);
    /* a name longer than the bytes of a 64-byte prefix: not MQTT */
    uint8_t big[64] = {0x10, 0x7f, 0x10, 0x00};
    CHECK_EQ_INT(dt_mqtt_connect(big, sizeof big), DT_PARSE_NOT_MINE);
    return check_done();
}
