#include "util/heap.h"

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
/* glibc's heaps for threads other than the first are this large and aligned
 * to their size (HEAP_MAX_SIZE on 64-bit systems). */
#define THREAD_HEAP ((uintptr_t)64 << 20)

static uintptr_t main_lo, main_hi;

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
#if defined MADV_HUGEPAGE && defined M_TOP_PAD && UINTPTR_MAX > 0xffffffffu
    void *probe = malloc(64);
    if (!probe)
        return;
    uintptr_t p = (uintptr_t)probe;
    /* Only where the main heap was glibc's (not a sanitizer's or valgrind's
     * allocator), and not for a thread the main heap serves. */
    if (main_hi && !(main_lo <= p && p < main_hi))
        advise(p & ~(THREAD_HEAP - 1), (p & ~(THREAD_HEAP - 1)) + THREAD_HEAP);
    free(probe);
#endif
}
