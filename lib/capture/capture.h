/* Capture files in, packets out: pcap (us/ns, both byte orders, via libpcap) and
 * pcapng (own block reader, so interfaces with different link types work), from
 * a path or "-" for standard input. */
#ifndef DT_CAPTURE_H
#define DT_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

typedef struct dt_capture dt_capture;

typedef struct dt_cap_packet {
    uint64_t ts_ns;      /* nanoseconds since the Unix epoch */
    uint8_t ts_digits;   /* fractional digits the capture really has: 6 or 9 (or fewer) */
    int linktype;        /* LINKTYPE_* number of the packet's interface */
    uint32_t caplen;     /* bytes present at data */
    uint32_t wirelen;    /* bytes on the wire */
    const uint8_t *data; /* valid until the next dt_capture_next() */
} dt_cap_packet;

/* Opens path ("-" = stdin). On failure returns NULL and writes a reason into err. */
dt_capture *dt_capture_open(const char *path, char *err, size_t errlen);

/* 1: a packet was read into *pkt; 0: clean end of file; -1: the file is truncated or
 * corrupt from here on: dt_capture_error() says where and why (packets read before
 * remain valid; the caller keeps them and moves on to the next file). */
int dt_capture_next(dt_capture *cap, dt_cap_packet *pkt);

const char *dt_capture_error(const dt_capture *cap);   /* "packet 12: reason (at byte 4096)" */
const char *dt_capture_format(const dt_capture *cap);  /* "pcap", "pcap-ns" or "pcapng" */
uint64_t dt_capture_packets(const dt_capture *cap);    /* packets returned so far */
uint64_t dt_capture_bytes_read(const dt_capture *cap); /* file bytes consumed so far */
/* After dt_capture_next returned -1: the byte offset its error names (the start
 * of the bad record); else the bytes consumed so far. */
uint64_t dt_capture_error_offset(const dt_capture *cap);
void dt_capture_close(dt_capture *cap);

/* pcapng blocks of unknown type that were skipped so far (0 for classic pcap). */
uint64_t dt_capture_unknown_blocks(const dt_capture *cap);
/* 1 if the input is gzip-compressed (offsets and bytes_read then count decompressed bytes). */
int dt_capture_compressed(const dt_capture *cap);

/* libpcap's short name for a LINKTYPE number ("EN10MB"), or "LINKTYPE_<n>". */
const char *dt_linktype_name(int linktype, char *buf, size_t len);

#endif
