/* floor: the cheapest possible libpcap tool.  Reads every packet with pcap_next_ex() and
 * counts packets and captured bytes; nothing else.  Its throughput is the floor (upper bound)
 * for any tool built on libpcap reading the same file.
 *
 *   floor FILE...
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    uint64_t packets = 0, bytes = 0, sum = 0;
    if (argc < 2) {
        fprintf(stderr, "usage: floor FILE...\n");
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        char err[PCAP_ERRBUF_SIZE];
        pcap_t *p = pcap_open_offline(argv[i], err);
        if (!p) {
            fprintf(stderr, "floor: %s\n", err);
            return 1;
        }
        struct pcap_pkthdr *h;
        const u_char *data;
        int rc;
        while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
            packets++;
            bytes += h->caplen;
            if (h->caplen)
                sum += data[h->caplen - 1]; /* touch the packet so the read is not elided */
        }
        if (rc == PCAP_ERROR)
            fprintf(stderr, "floor: %s: %s\n", argv[i], pcap_geterr(p));
        pcap_close(p);
    }
    printf("%llu packets %llu bytes (check %llu)\n", (unsigned long long)packets,
           (unsigned long long)bytes, (unsigned long long)(sum & 0xff));
    return 0;
}
