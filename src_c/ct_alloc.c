/* ct_alloc.c - 64-byte aligned allocations with a per-size-class free list.
 * Small tensors are created and dropped at a high rate in training loops;
 * reusing their blocks avoids a malloc/free pair per op. Large blocks are
 * cached too (a few, bounded in total), because a fresh multi-megabyte block
 * costs a page fault per 4 KiB on first touch - more than the op itself for
 * memory-bound kernels. Called with the GIL held, so the caches need no lock. */
#define _POSIX_C_SOURCE 200112L
#include "ct_base.h"
#include <stdlib.h>

#define CT_NCLASS 16            /* classes 64 B .. 2 MiB (powers of two) */
#define CT_CACHE_PER_CLASS 32
#define CT_NLARGE 8             /* large blocks kept for reuse */
#define CT_LARGE_MAX_TOTAL ((size_t)512 << 20)

static void *cache[CT_NCLASS][CT_CACHE_PER_CLASS];
static int ncached[CT_NCLASS];

static struct { void *p; size_t n; } large[CT_NLARGE];
static int nlarge;
static size_t large_total;

static int size_class(size_t nbytes) {
    size_t s = 64;
    for (int c = 0; c < CT_NCLASS; c++, s <<= 1)
        if (nbytes <= s) return c;
    return -1;
}

/* Large sizes are rounded up to 64 KiB so that nearby sizes share blocks. */
static size_t large_round(size_t nbytes) { return (nbytes + 65535) & ~(size_t)65535; }

void *ct_alloc(size_t nbytes) {
    if (nbytes == 0) nbytes = 1;
    int c = size_class(nbytes);
    if (c >= 0) {
        if (ncached[c] > 0) return cache[c][--ncached[c]];
        nbytes = (size_t)64 << c;
    } else {
        nbytes = large_round(nbytes);
        for (int i = 0; i < nlarge; i++) {
            if (large[i].n == nbytes) {
                void *p = large[i].p;
                large_total -= nbytes;
                large[i] = large[--nlarge];
                return p;
            }
        }
    }
    void *p = NULL;
    if (posix_memalign(&p, 64, nbytes) != 0) {
        /* out of memory: drop the large cache and try once more */
        for (int i = 0; i < nlarge; i++) free(large[i].p);
        nlarge = 0;
        large_total = 0;
        if (posix_memalign(&p, 64, nbytes) != 0) return NULL;
    }
    return p;
}

void ct_free(void *p, size_t nbytes) {
    if (!p) return;
    if (nbytes == 0) nbytes = 1;
    int c = size_class(nbytes);
    if (c >= 0) {
        if (ncached[c] < CT_CACHE_PER_CLASS) { cache[c][ncached[c]++] = p; return; }
        free(p);
        return;
    }
    nbytes = large_round(nbytes);
    if (nbytes <= CT_LARGE_MAX_TOTAL / 4) {
        /* evict oldest entries until this block fits the budget */
        while (nlarge > 0 && (nlarge == CT_NLARGE || large_total + nbytes > CT_LARGE_MAX_TOTAL)) {
            free(large[0].p);
            large_total -= large[0].n;
            for (int i = 1; i < nlarge; i++) large[i - 1] = large[i];
            nlarge--;
        }
        large[nlarge].p = p;
        large[nlarge].n = nbytes;
        nlarge++;
        large_total += nbytes;
        return;
    }
    free(p);
}
