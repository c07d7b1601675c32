/* ct_iter.c - the n-d loop driver shared by every elementwise op. */
#include "ct_base.h"
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

/* Below this many elements a loop runs on one thread: forking costs more. */
#define CT_PAR_GRAIN 32768
/* Inner-loop chunk used when one long row is split between threads. */
#define CT_CHUNK 16384

static int ct_threads = 0;   /* 0: OpenMP default */

void ct_set_num_threads(int n) {
    ct_threads = n;
#ifdef _OPENMP
    if (n > 0) omp_set_num_threads(n);
#endif
}

int ct_get_num_threads(void) {
#ifdef _OPENMP
    return ct_threads > 0 ? ct_threads : omp_get_max_threads();
#else
    return 1;
#endif
}

/* Walk `count` rows starting at flat outer index `start`. */
static void ct_run_rows(ct_loop_fn fn, int nargs, char **data, int odim, const int64_t *oshape,
                        const int64_t (*ostr)[CT_MAX_DIMS], int64_t start, int64_t count,
                        int64_t n, const int64_t *isteps, const void *aux) {
    int64_t idx[CT_MAX_DIMS];
    char *ptr[CT_MAX_ARGS];
    int64_t rem = start;
    for (int d = odim - 1; d >= 0; d--) { idx[d] = rem % oshape[d]; rem /= oshape[d]; }
    for (int k = 0; k < nargs; k++) {
        ptr[k] = data[k];
        for (int d = 0; d < odim; d++) ptr[k] += idx[d] * ostr[k][d];
    }
    for (int64_t r = 0; r < count; r++) {
        fn(ptr, isteps, n, aux);
        for (int d = odim - 1; d >= 0; d--) {       /* odometer increment */
            idx[d]++;
            for (int k = 0; k < nargs; k++) ptr[k] += ostr[k][d];
            if (idx[d] < oshape[d]) break;
            for (int k = 0; k < nargs; k++) ptr[k] -= ostr[k][d] * oshape[d];
            idx[d] = 0;
        }
    }
}

int ct_iterate(ct_loop_fn fn, int nargs, char **data, int ndim, const int64_t *shape,
               const int64_t *strides, const void *aux) {
    int64_t sh[CT_MAX_DIMS], st[CT_MAX_ARGS][CT_MAX_DIMS];
    int nd = 0;
    if (ndim > CT_MAX_DIMS || nargs > CT_MAX_ARGS) return CT_ERR_DIMS;
    /* drop size-1 dims; any size-0 dim means nothing to do */
    for (int d = 0; d < ndim; d++) {
        if (shape[d] == 0) return CT_OK;
        if (shape[d] == 1) continue;
        sh[nd] = shape[d];
        for (int k = 0; k < nargs; k++) st[k][nd] = strides[k * ndim + d];
        nd++;
    }
    if (nd == 0) {
        int64_t z[CT_MAX_ARGS] = {0};
        fn(data, z, 1, aux);
        return CT_OK;
    }
    /* coalesce dim d into d+1 when all operands are contiguous across them */
    int m = 0;
    for (int d = 1; d < nd; d++) {
        int ok = 1;
        for (int k = 0; k < nargs; k++)
            if (st[k][m] != st[k][d] * sh[d]) { ok = 0; break; }
        if (ok) {
            sh[m] *= sh[d];
            for (int k = 0; k < nargs; k++) st[k][m] = st[k][d];
        } else {
            m++;
            sh[m] = sh[d];
            for (int k = 0; k < nargs; k++) st[k][m] = st[k][d];
        }
    }
    nd = m + 1;
    int64_t n = sh[nd - 1], isteps[CT_MAX_ARGS];
    for (int k = 0; k < nargs; k++) isteps[k] = st[k][nd - 1];
    int odim = nd - 1;
    int64_t outer = 1;
    for (int d = 0; d < odim; d++) outer *= sh[d];
    int64_t total = outer * n;
    int nth = ct_get_num_threads();
    if (total < CT_PAR_GRAIN || nth <= 1) {
        ct_run_rows(fn, nargs, data, odim, sh, (const int64_t (*)[CT_MAX_DIMS])st, 0, outer, n, isteps, aux);
        return CT_OK;
    }
    if (outer >= 2 * nth) {
        #pragma omp parallel for num_threads(nth) schedule(static)
        for (int t = 0; t < nth; t++) {
            int64_t lo = outer * t / nth, hi = outer * (t + 1) / nth;
            if (hi > lo)
                ct_run_rows(fn, nargs, data, odim, sh, (const int64_t (*)[CT_MAX_DIMS])st, lo, hi - lo, n, isteps, aux);
        }
    } else {
        /* few long rows: split each row into chunks */
        int64_t nchunk = (n + CT_CHUNK - 1) / CT_CHUNK;
        int64_t items = outer * nchunk;
        #pragma omp parallel for num_threads(nth) schedule(static)
        for (int64_t it = 0; it < items; it++) {
            int64_t row = it / nchunk, c = it % nchunk;
            int64_t lo = c * CT_CHUNK, len = (n - lo < CT_CHUNK) ? n - lo : CT_CHUNK;
            char *base[CT_MAX_ARGS];
            for (int k = 0; k < nargs; k++) base[k] = data[k] + lo * isteps[k];
            ct_run_rows(fn, nargs, base, odim, sh, (const int64_t (*)[CT_MAX_DIMS])st, row, 1, len, isteps, aux);
        }
    }
    return CT_OK;
}
