/* ct_alloc.c - 64-byte aligned allocations with a per-size-class free list.
 * Small tensors are created and dropped at a high rate in training loops;
 * reusing their blocks avoids a malloc/free pair per op. Called with the GIL
 * held, so the cache needs no lock. */
#define _POSIX_C_SOURCE 200112L
#include "ct_base.h"
#include <stdlib.h>

#define CT_NCLASS 16            /* classes 64 B .. 2 MiB (powers of two) */
#define CT_CACHE_PER_CLASS 32

static void *cache[CT_NCLASS][CT_CACHE_PER_CLASS];
static int ncached[CT_NCLASS];

static int size_class(size_t nbytes) {
    size_t s = 64;
    for (int c = 0; c < CT_NCLASS; c++, s <<= 1)
        if (nbytes <= s) return c;
    return -1;
}

void *ct_alloc(size_t nbytes) {
    if (nbytes == 0) nbytes = 1;
    int c = size_class(nbytes);
    if (c >= 0) {
        if (ncached[c] > 0) return cache[c][--ncached[c]];
        nbytes = (size_t)64 << c;
    }
    void *p = NULL;
    if (posix_memalign(&p, 64, nbytes) != 0) return NULL;
    return p;
}

void ct_free(void *p, size_t nbytes) {
    if (!p) return;
    if (nbytes == 0) nbytes = 1;
    int c = size_class(nbytes);
    if (c >= 0 && ncached[c] < CT_CACHE_PER_CLASS) { cache[c][ncached[c]++] = p; return; }
    free(p);
}
