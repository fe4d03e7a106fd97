/* The allocator's set-up (util/heap.c); dt_heap_setup() itself is public
 * (datatrail.h). */
#ifndef DT_UTIL_HEAP_H
#define DT_UTIL_HEAP_H

/* Asks for huge pages for the calling thread's heap (a -j worker's arena):
 * call it first in the thread, after dt_heap_setup() in main().  Only a hint. */
void dt_heap_setup_thread(void);

#endif
