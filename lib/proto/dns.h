/* DNS message parsing (RFC 1035 wire format; also mDNS and LLMNR, which use
 * the same format).  Pure functions over untrusted bytes; no allocation.
 *
 * Names are returned in presentation form without the trailing dot ("" is
 * the root).  Letter case is kept as received.  Label bytes that are not
 * printable ASCII, and '.' or '\' inside a label, are escaped as \DDD
 * (decimal), so every name is a safe NUL-terminated string; a name whose
 * escaped text would not fit in 256 bytes is truncated. */
#ifndef DT_DNS_H
#define DT_DNS_H

#include "util/addr.h"

#include <stddef.h>
#include <stdint.h>

#define DT_DNS_MAX_RR 32
#define DT_DNS_MAX_EXTRA 16 /* A/AAAA kept from the authority + additional sections */
#define DT_DNS_NAME_MAX 256 /* buffer size for one name, NUL included */

#define DT_DNS_T_A 1
#define DT_DNS_T_NS 2
#define DT_DNS_T_CNAME 5
#define DT_DNS_T_SOA 6
#define DT_DNS_T_PTR 12
#define DT_DNS_T_MX 15
#define DT_DNS_T_TXT 16
#define DT_DNS_T_AAAA 28
#define DT_DNS_T_SRV 33
#define DT_DNS_T_SVCB 64
#define DT_DNS_T_HTTPS 65
#define DT_DNS_T_OPT 41
#define DT_DNS_T_ANY 255

#define DT_DNS_HDR_LEN 12

typedef struct dt_dns_rr {
    uint16_t type;
    uint16_t rclass; /* top (mDNS cache-flush) bit masked off */
    uint32_t ttl;
    char name[DT_DNS_NAME_MAX];   /* owner name */
    dt_addr addr;                 /* A/AAAA, or one SVCB/HTTPS ipv4hint/ipv6hint address */
    char target[DT_DNS_NAME_MAX]; /* CNAME, PTR, SVCB/HTTPS target name */
} dt_dns_rr;

typedef struct dt_dns_msg {
    uint16_t id;
    int response; /* QR bit */
    uint8_t opcode, rcode;
    uint16_t qtype, qclass; /* first question; qclass has the mDNS unicast bit masked */
    char qname[DT_DNS_NAME_MAX];
    int n_questions;             /* QDCOUNT */
    int n_answers;               /* ANCOUNT as sent */
    dt_dns_rr rr[DT_DNS_MAX_RR]; /* answer section only: A, AAAA, CNAME, PTR, SVCB, HTTPS */
    int n_rr;
    int truncated;  /* TC bit */
    int incomplete; /* the answer section was cut off or malformed: rr[] holds what parsed */
    int rr_dropped; /* wanted answer records that did not fit in rr[] */
    /* A/AAAA records of the authority and additional sections (name-server
     * glue, mDNS host records): not answers to the question, but they name
     * addresses under their own owner names.  Parsed best-effort after the
     * answers; absent when the answers are incomplete. */
    dt_dns_rr extra[DT_DNS_MAX_EXTRA];
    int n_extra;
} dt_dns_msg;

/* Parses one DNS message.  Returns 0 on success (possibly with
 * out->incomplete set when the answers are cut off), -1 when the bytes are not
 * a plausible DNS message or the header/question section is malformed. */
int dt_dns_parse(const uint8_t *msg, size_t len, dt_dns_msg *out);

/* Recognition by content (DNS on a port that says nothing): whether
 * msg[0..len) is a DNS message by a strict structural check: one question
 * whose name is well-formed and printable (and not NetBIOS's first-level
 * encoding: NetBIOS name service, RFC 1002, is another protocol), a known opcode and class, a query
 * without error code (nor answers, if a standard query), and header counts
 * whose records (names well-formed, data within bounds) end exactly at len.
 * Returns 1 and sets *id and *response (QR), else 0.  Either may be NULL. */
int dt_dns_strict(const uint8_t *msg, size_t len, uint16_t *id, int *response);
/* The same check on the header alone, for a message of len bytes of which
 * avail (at least DT_DNS_HDR_LEN) have arrived: 0 when it already fails. */
int dt_dns_strict_header(const uint8_t *msg, size_t avail, size_t len, int *response);

/* Iterates the 2-byte length-prefixed DNS messages of a TCP stream prefix.
 * Starting at *off, returns the length of the next complete message, sets
 * *msg to it and advances *off past it; returns 0 (leaving *off) when no
 * complete non-empty message remains. */
size_t dt_dns_tcp_next(const uint8_t *stream, size_t len, size_t *off, const uint8_t **msg);

/* Fills chain[] with qname, then the CNAME targets followed from it through
 * the answer section (case-insensitive, loop-safe).  Returns the number of
 * names stored (0 if max <= 0 or the message has no question name).  The
 * pointers point into *m. */
int dt_dns_cname_chain(const dt_dns_msg *m, const char *chain[], int max);

/* "A", "AAAA", ... or "TYPE<n>"; written into buf when not a constant. */
const char *dt_dns_type_name(uint16_t t, char *buf, size_t len);
/* "NOERROR", "NXDOMAIN", ... or "RCODE<n>". */
const char *dt_dns_rcode_name(uint8_t rc, char *buf, size_t len);

/* Case-insensitive (ASCII) name equality, as DNS compares names. */
int dt_dns_name_eq(const char *a, const char *b);

#endif
