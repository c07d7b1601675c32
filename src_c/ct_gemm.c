/* ct_gemm.c - dividing BLAS gemm calls between OpenMP threads (see ct_gemm.h). */
#include "ct_gemm.h"

#ifdef _OPENMP
#include <omp.h>
#endif

/* Below this many multiply-adds a product stays one call: the fork costs more than it saves
 * (2^20 float32 multiply-adds take ~10-20 us on one core; waking the other threads costs a few
 * us when they spin, ~50 us when they sleep). */
#define CT_GEMM_MIN_WORK (1LL << 20)
/* the smallest block of rows or columns a thread gets (a multiple of the BLAS kernels' tiles) */
#define CT_GEMM_MIN_BLOCK 16

static ct_blas_set_threads_fn ct_blas_set;
static ct_blas_get_threads_fn ct_blas_get;
static int ct_blas_holds;  /* products running with BLAS held at one thread */
static int ct_blas_saved;  /* the library's thread count before the first of them */

void ct_gemm_set_blas_threads_fns(ct_blas_set_threads_fn set, ct_blas_get_threads_fn get) {
    ct_blas_set = set;
    ct_blas_get = get;
}

int ct_gemm_can_divide(void) { return ct_blas_set != 0 && ct_blas_get != 0; }

/* Hold the BLAS at one thread while any divided product runs (the count is the library's
 * global setting, shared with the caller's other BLAS users: it is restored when the last
 * concurrent product ends). */
static void ct_blas_hold(void) {
#pragma omp critical(ct_blas_threads)
    {
        if (ct_blas_holds++ == 0) {
            ct_blas_saved = ct_blas_get();
            if (ct_blas_saved != 1) ct_blas_set(1);
        }
    }
}

static void ct_blas_release(void) {
#pragma omp critical(ct_blas_threads)
    {
        if (--ct_blas_holds == 0 && ct_blas_saved != 1) ct_blas_set(ct_blas_saved);
    }
}

/* pointers of batch element i: odometer over bshape, last dim fastest */
static void ct_gemm_batch_ptrs(int64_t i, int nbd, const int64_t *bshape, const int64_t *bsa,
                               const int64_t *bsb, const int64_t *bsc, char **pa, char **pb, char **pc) {
    for (int d = nbd - 1; d >= 0 && i > 0; d--) {
        int64_t j = i % bshape[d];
        i /= bshape[d];
        *pa += j * bsa[d];
        *pb += j * bsb[d];
        *pc += j * bsc[d];
    }
}

/* one product, its rows (split_m) or columns divided in nth blocks */
static void ct_gemm_divided(ct_gemm_fn f, int nth, int isz, char ta, char tb, int m, int n, int k,
                            void *alpha, char *a, int lda, char *b, int ldb, void *beta, char *c,
                            int ldc) {
    int split_m = m >= n, len = split_m ? m : n;
    int block = (len + nth - 1) / nth;
    block = (block + CT_GEMM_MIN_BLOCK - 1) / CT_GEMM_MIN_BLOCK * CT_GEMM_MIN_BLOCK;
    int nblk = (len + block - 1) / block;
#pragma omp parallel for num_threads(nth) schedule(static)
    for (int t = 0; t < nblk; t++) {
        int i0 = t * block, cnt = len - i0 < block ? len - i0 : block;
        char tta = ta, ttb = tb;
        int mm = m, nn = n, kk = k, la = lda, lb = ldb, lc = ldc;
        char *pa = a, *pb = b, *pc = c;
        if (split_m) {  /* rows i0.. of C and of op(A) */
            mm = cnt;
            pc += (int64_t)i0 * isz;
            pa += (ta == 'N' ? (int64_t)i0 : (int64_t)i0 * lda) * isz;
        } else {        /* columns i0.. of C and of op(B) */
            nn = cnt;
            pc += (int64_t)i0 * ldc * isz;
            pb += (tb == 'N' ? (int64_t)i0 * ldb : (int64_t)i0) * isz;
        }
        f(&tta, &ttb, &mm, &nn, &kk, alpha, pa, &la, pb, &lb, beta, pc, &lc);
    }
}

void ct_gemm_run(ct_gemm_fn f, int nth, int isz, char ta, char tb, int m, int n, int k,
                 void *alpha, char *a, int lda, char *b, int ldb, void *beta, char *c, int ldc,
                 int nbd, const int64_t *bshape, const int64_t *bsa, const int64_t *bsb,
                 const int64_t *bsc, int64_t nb) {
    int64_t work = (int64_t)m * n * (k > 0 ? k : 1) * nb * (isz >= 16 ? 4 : isz == 8 ? 2 : 1);
    int big = (m >= n ? m : n) >= 2 * CT_GEMM_MIN_BLOCK;
#ifdef _OPENMP
    if (omp_in_parallel()) nth = 1;
#endif
    if (nth > 1 && work >= CT_GEMM_MIN_WORK && ct_gemm_can_divide() && (nb >= nth || big)) {
        ct_blas_hold();
        if (nb >= nth) {  /* whole products per thread */
#pragma omp parallel for num_threads(nth) schedule(static)
            for (int64_t i = 0; i < nb; i++) {
                char tta = ta, ttb = tb, *pa = a, *pb = b, *pc = c;
                int mm = m, nn = n, kk = k, la = lda, lb = ldb, lc = ldc;
                ct_gemm_batch_ptrs(i, nbd, bshape, bsa, bsb, bsc, &pa, &pb, &pc);
                f(&tta, &ttb, &mm, &nn, &kk, alpha, pa, &la, pb, &lb, beta, pc, &lc);
            }
        } else {
            for (int64_t i = 0; i < nb; i++) {
                char *pa = a, *pb = b, *pc = c;
                ct_gemm_batch_ptrs(i, nbd, bshape, bsa, bsb, bsc, &pa, &pb, &pc);
                ct_gemm_divided(f, nth, isz, ta, tb, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
            }
        }
        ct_blas_release();
        return;
    }
    for (int64_t i = 0; i < nb; i++) {
        char tta = ta, ttb = tb, *pa = a, *pb = b, *pc = c;
        int mm = m, nn = n, kk = k, la = lda, lb = ldb, lc = ldc;
        ct_gemm_batch_ptrs(i, nbd, bshape, bsa, bsb, bsc, &pa, &pb, &pc);
        f(&tta, &ttb, &mm, &nn, &kk, alpha, pa, &la, pb, &lb, beta, pc, &lc);
    }
}
