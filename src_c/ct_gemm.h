/* ct_gemm.h - BLAS gemm calls divided between cytorch's OpenMP threads.
 *
 * cytorch's floating-point matrix products go to the gemm of the BLAS that SciPy ships
 * (OpenBLAS). Rather than let that library run its own thread pool next to our OpenMP
 * threads (the two pools starve each other when the machine is busy), a large product is
 * cut into one block of rows or columns per OpenMP thread and each block is one
 * single-threaded BLAS call. The BLAS routine comes in as a pointer with the Fortran
 * calling convention (every argument by reference), so no BLAS header is needed here.
 */
#ifndef CT_GEMM_H
#define CT_GEMM_H

#include <stdint.h>

/* ?gemm(transa, transb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc), column-major */
typedef void (*ct_gemm_fn)(char *ta, char *tb, int *m, int *n, int *k, void *alpha,
                           void *a, int *lda, void *b, int *ldb, void *beta, void *c, int *ldc);
typedef void (*ct_blas_set_threads_fn)(int);
typedef int (*ct_blas_get_threads_fn)(void);

/* Register the BLAS library's thread-count functions. Without them (a BLAS we cannot hold
 * to one thread) products are never divided and the library threads as it likes. */
void ct_gemm_set_blas_threads_fns(ct_blas_set_threads_fn set, ct_blas_get_threads_fn get);
int ct_gemm_can_divide(void);

/* For each of nb batch elements, column-major C := alpha op(A) op(B) + beta C, C m x n,
 * op(A) m x k, op(B) k x n, exactly the arguments of one BLAS gemm call. Batch element i
 * is found from the odometer over bshape (nbd dims) with byte strides bsa/bsb/bsc.
 * isz: element size in bytes. nth: threads to use (cytorch's setting). Products too
 * small to gain from threads run as plain calls. Every element of C is computed by one
 * BLAS call over the whole k, so the result does not depend on nth beyond BLAS's own
 * kernel choice for the block shape. */
void ct_gemm_run(ct_gemm_fn f, int nth, int isz, char ta, char tb, int m, int n, int k,
                 void *alpha, char *a, int lda, char *b, int ldb, void *beta, char *c, int ldc,
                 int nbd, const int64_t *bshape, const int64_t *bsa, const int64_t *bsb,
                 const int64_t *bsc, int64_t nb);

#endif
