/* ct_matmul.h - matrix products BLAS does not cover (integer dtypes). */
#ifndef CT_MATMUL_H
#define CT_MATMUL_H

#include "ct_base.h"

/* C := alpha*A*B + beta*C for one M x K by K x N integer product; strides in
 * elements, any sign. dt is a CT_UINT8..CT_INT64 code. Arithmetic wraps modulo
 * 2^bits like PyTorch's integer matmul. beta == 0 ignores C's old contents. */
int ct_matmul_int(int dt, int64_t M, int64_t N, int64_t K,
                  const char *a, int64_t sa0, int64_t sa1,
                  const char *b, int64_t sb0, int64_t sb1,
                  char *c, int64_t sc0, int64_t sc1, int64_t alpha, int64_t beta);

/* sum(x[i]^2) over n contiguous values, accumulated in double in a fixed order
 * (8 lanes per 64k-element chunk, chunks summed in order), so the result does
 * not depend on the thread count. Used by the 2-norms. */
double ct_sumsq_f32(const float *x, int64_t n);
double ct_sumsq_f64(const double *x, int64_t n);

#endif
