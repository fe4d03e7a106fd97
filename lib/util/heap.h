/* The C library's allocator, set up for a run that holds tens of megabytes of
 * flow and parser state: that memory is asked for in huge pages where the
 * system allows it (transparent huge pages in "madvise" or "always" mode), so
 * the kernel maps it in 2 MiB steps instead of 4 KiB page faults, and lookups
 * spread over it (the flow table) miss the TLB less.  Only hints: where they
 * do not apply, nothing changes but speed. */
#ifndef DT_HEAP_H
#define DT_HEAP_H

#include "datatrail.h" /* dt_heap_setup(): once per process, first in main() */

/* In each worker thread, before it allocates: that thread's malloc arena. */
void dt_heap_setup_thread(void);

#endif
