/* MQTT: the client's CONNECT packet. */
#ifndef DT_MQTT_H
#define DT_MQTT_H

#include "proto/parse.h"

#include <stddef.h>
#include <stdint.h>

/* MQTT CONNECT (MQTT 3.1 "MQIsdp" or 3.1.1/5 "MQTT") at the start of a client
 * stream: DONE when it is one. */
dt_parse_status dt_mqtt_connect(const uint8_t *p, size_t len);

#endif
