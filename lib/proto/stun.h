/* STUN / TURN (RFC 5389, RFC 8489, RFC 8656): what a message's attributes say
 * about the server and the device's addresses. */
#ifndef DT_STUN_H
#define DT_STUN_H

#include <stddef.h>
#include <stdint.h>

#define DT_PORT_STUN 3478
#define DT_STUN_COOKIE 0x2112a442u

typedef struct dt_stun_info {
    int present;       /* a STUN message with one of the attributes below was read */
    char software[64]; /* SOFTWARE (0x8022) of the first message with one */
    char realm[128];   /* REALM (0x0014): the TURN server's (long-term credentials) */
    char mapped[56];   /* XOR-MAPPED-ADDRESS (0x0020), "ip:port" / "[ip]:port": the
                          device's address as the server saw it */
    char relayed[56];  /* XOR-RELAYED-ADDRESS (0x0016): the relay the TURN server allocated */
} dt_stun_info;

/* One datagram: -1 not STUN (top bits, length a multiple of 4 that fills the
 * datagram exactly, the magic cookie, attributes that fill the message), 0 a
 * STUN message, 1 one with an attribute above: each goes into *out unless
 * already set.  Printable ASCII only ('?' for other bytes). */
int dt_stun_parse(const uint8_t *p, size_t len, dt_stun_info *out);
/* 1 when a REALM is a domain name (letters, digits, '-', inner dots, at least
 * one): then it names the TURN server. */
int dt_stun_realm_is_domain(const char *realm);

#endif
