/* MQTT in the registry: a flow whose client starts with CONNECT is "mqtt". */
#include "proto/mqtt.h"

#include "proto/apps.h"
#include "util/cursor.h"

#include <string.h>

/* Fixed header 0x10 (CONNECT), remaining length, protocol name. */
dt_parse_status dt_mqtt_connect(const uint8_t *p, size_t len)
{
    dt_cur c = dt_cur_make(p, len);
    if (dt_u8(&c) != 0x10)
        return c.err ? DT_PARSE_MORE : DT_PARSE_NOT_MINE;
    for (int i = 0; i < 4; i++) { /* remaining length: up to 4 varint bytes */
        uint8_t b = dt_u8(&c);
        if (!(b & 0x80))
            break;
    }
    uint16_t n = dt_be16(&c);
    const uint8_t *name = dt_bytes(&c, n);
    if (!name)
        return len < 64 ? DT_PARSE_MORE : DT_PARSE_NOT_MINE;
    if ((n == 4 && memcmp(name, "MQTT", 4) == 0) || (n == 6 && memcmp(name, "MQIsdp", 6) == 0))
        return DT_PARSE_DONE;
    return DT_PARSE_NOT_MINE;
}

/* Only for a flow no earlier parser has named. */
static dt_parse_status mqtt_parse(const dt_parse_in *in)
{
    if (in->x->app)
        return DT_PARSE_NOT_MINE;
    dt_parse_status st = dt_mqtt_connect(in->p, in->len);
    if (st == DT_PARSE_DONE)
        dt_flow_app_set(in->x, DT_APP_MQTT);
    return st;
}

const dt_parser dt_parser_mqtt = {
    .name = "mqtt",
    .transport = DT_TRANSPORT_TCP,
    .dirs = DT_DIRS_CLIENT,
    .parse = mqtt_parse,
};
