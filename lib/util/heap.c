/* The C library's allocator, set up for a run that holds tens of megabytes of
 * flow and parser state: that memory is asked for in huge pages where the
 * system allows it (transparent huge pages in "madvise" or "always" mode), so
 * the kernel maps it in 2 MiB steps instead of 4 KiB page faults, and lookups
 * spread over it (the flow table) miss the TLB less.  Only hints: where they
 * do not apply, nothing changes but speed.
 *
 * Each -j worker's arena as well (dt_heap_setup_thread): in 4 KiB pages a
 * worker faulted 11,000 times per run and missed the TLB on its flow table. */
#include "util/heap.h"

#include "datatrail.h" /* dt_heap_setup() */

#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* glibc on a 64-bit system with transparent huge pages: where the hints apply. */
#if defined MADV_HUGEPAGE && defined M_TOP_PAD && UINTPTR_MAX > 0xffffffffu
#define HEAP_HINTS 1
#else
#define HEAP_HINTS 0
#endif

#define HUGE_PAGE ((uintptr_t)2 << 20)
/* The heap grows in steps of this much address space (not memory: pages are
 * only backed when touched), so most of a run's state lands in one advised
 * range instead of many small extensions. */
#define TOP_PAD ((size_t)128 << 20)
/* glibc's heaps for threads other than the first are this large and aligned
 * to their size (HEAP_MAX_SIZE on 64-bit systems). */
#define THREAD_HEAP ((uintptr_t)64 << 20)

static uintptr_t main_lo, main_hi; /* the main heap's advised range */

static void advise(uintptr_t lo, uintptr_t hi)
{
    lo = (lo + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    if (hi > lo)
        (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
}

void dt_heap_setup(void)
{
#if HEAP_HINTS
    /* Freed memory is kept for reuse rather than given back and faulted in
     * again; blocks up to 32 MiB (the flow spool's memory part) come from the
     * heap, not from mappings of their own. */
    mallopt(M_TOP_PAD, (int)TOP_PAD);
    mallopt(M_TRIM_THRESHOLD, (int)(2 * TOP_PAD));
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    /* A block larger than what is left at the top makes the heap grow now,
     * by the pad, so the range to advise exists. */
    void *probe = malloc(4u << 20);
    if (!probe)
        return;
    uintptr_t lo = (uintptr_t)probe, hi = (uintptr_t)sbrk(0);
    if (hi != (uintptr_t)-1 && lo < hi && hi - lo <= TOP_PAD + (8u << 20)) {
        main_lo = lo;
        main_hi = hi;
        advise(lo, hi);
    }
    free(probe);
#endif
}

void dt_heap_setup_thread(void)
{
#if HEAP_HINTS
    void *probe = malloc(64);
    if (!probe)
        return;
    uintptr_t p = (uintptr_t)probe, heap = p & ~(THREAD_HEAP - 1);
    /* Only where the main heap was glibc's (not a sanitizer's or valgrind's
     * allocator), and not for a thread the main heap serves. */
    if (main_hi && !(main_lo <= p && p < main_hi))
        advise(heap, heap + THREAD_HEAP);
    free(probe);
#endif
}
