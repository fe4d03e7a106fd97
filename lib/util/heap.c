/* The C library's allocator, set up for a run that holds tens of megabytes of
 * flow and parser state: that memory is asked for in huge pages where the
 * system allows it (transparent huge pages in "madvise" or "always" mode), so
 * the kernel maps it in 2 MiB steps instead of 4 KiB page faults, and lookups
 * spread over it (the flow table) miss the TLB less.  Only hints: where they
 * do not apply, nothing changes but speed.
 *
 * The main thread's heap only: advising the arenas of -j's worker threads as
 * well made the kernel clear huge pages over and over (13% of the cycles of
 * `-j 2` on four real captures) for no gain. */
#include "datatrail.h" /* dt_heap_setup() */

#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define HUGE_PAGE ((uintptr_t)2 << 20)
/* The heap grows in steps of this much address space (not memory: pages are
 * only backed when touched), so most of a run's state lands in one advised
 * range instead of many small extensions. */
#define TOP_PAD ((size_t)128 << 20)

static void advise(uintptr_t lo, uintptr_t hi)
{
    lo = (lo + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    if (hi > lo)
        (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
}

void dt_heap_setup(void)
{
#if defined MADV_HUGEPAGE && defined M_TOP_PAD && UINTPTR_MAX > 0xffffffffu
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
    if (hi != (uintptr_t)-1 && lo < hi && hi - lo <= TOP_PAD + (8u << 20))
        advise(lo, hi);
    free(probe);
#endif
}
