/* ct_pgemm.h - a cache-blocked, packed float32/float64 gemm (AVX-512) for the shapes where it
 * beats SciPy's OpenBLAS.
 *
 * Why: on the products of Linear layers with a short inner or outer size (k or n of 64-512, the
 * forward, input-gradient and weight-gradient gemms of a Transformer encoder layer or an MLP)
 * OpenBLAS's SkylakeX sgemm runs well below the core's FMA peak and below MKL. This is the
 * textbook Goto/BLIS loop nest: a kc x nc block of op(B) is packed into nr-column panels
 * (L2-resident, each panel L1-resident while it is used), an mc x kc block of op(A) into
 * mr-row panels, and a register-blocked mr x nr microkernel (broadcast of A, vector loads of B,
 * fused multiply-adds) runs over the tiles. Packing reads any strides, so transposed operands
 * cost nothing extra; edge tiles are computed in a padded scratch tile.
 *
 * The entry points have the Fortran BLAS calling convention (column-major, every argument by
 * reference), so they drop into ct_gemm_run (ct_gemm.h) in place of sgemm/dgemm and its
 * division of a product between threads keeps working. Single-threaded; packing buffers are
 * per thread and kept between calls.
 */
#ifndef CT_PGEMM_H
#define CT_PGEMM_H
#include "ct_base.h"

/* Can the packed kernels run on this CPU (AVX-512F)? */
int ct_pgemm_available(void);

/* column-major C := alpha op(A) op(B) + beta C, exactly BLAS sgemm/dgemm's arguments
 * (beta == 0: C is not read, so NaNs in it do not propagate) */
void ct_pgemm_f32(char *ta, char *tb, int *m, int *n, int *k, void *alpha, void *a, int *lda,
                  void *b, int *ldb, void *beta, void *c, int *ldc);
void ct_pgemm_f64(char *ta, char *tb, int *m, int *n, int *k, void *alpha, void *a, int *lda,
                  void *b, int *ldb, void *beta, void *c, int *ldc);

/* Is the packed kernel expected to beat OpenBLAS on this column-major product (isz: 4 or 8)? */
int ct_pgemm_prefer(int isz, char ta, char tb, int m, int n, int k);

#endif
