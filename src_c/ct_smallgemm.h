/* ct_smallgemm.h - a register-blocked gemm in plain C for the small and skinny products of
 * the sequence kernels (attention blocks, recurrent time steps, their weight gradients).
 *
 * Why not BLAS: at these shapes (e.g. 16x128 by 128x512 per LSTM step, 64x32 by 32x64 per
 * attention block) SciPy's OpenBLAS runs at a third of the core's FMA peak, mostly in
 * per-call overhead, and it cannot be called from inside our OpenMP regions without
 * oversubscribing; these loops reach ~90% of peak there (see docs/sequence.md).
 *
 * A is read as broadcast scalars, so it may have any strides (a transposed view is free);
 * B must have unit column stride (its rows are vector loads); C has unit column stride.
 * Single-threaded: callers split the work. The code is compiled for AVX-512, AVX2+FMA and
 * baseline x86-64 and the variant is picked for the running CPU on first use. Each output
 * is accumulated over k in increasing order whatever the blocking, so results do not depend
 * on how callers split M or N between threads.
 */
#ifndef CT_SMALLGEMM_H
#define CT_SMALLGEMM_H
#include "ct_base.h"

/* C := A B + (acc ? C : 0), A is M x K (element strides rsa, csa), B is K x N (row stride ldb),
 * C is M x N (row stride ldc). */
void ct_smallgemm_f32(int64_t M, int64_t N, int64_t K, const float *A, int64_t rsa, int64_t csa,
                      const float *B, int64_t ldb, float *C, int64_t ldc, int acc);
void ct_smallgemm_f64(int64_t M, int64_t N, int64_t K, const double *A, int64_t rsa, int64_t csa,
                      const double *B, int64_t ldb, double *C, int64_t ldc, int acc);

/* The same product with M split into row blocks between the OpenMP threads (nth <= 1: one
 * thread). Call it from outside any parallel region. */
void ct_smallgemm_par_f32(int nth, int64_t M, int64_t N, int64_t K, const float *A, int64_t rsa,
                          int64_t csa, const float *B, int64_t ldb, float *C, int64_t ldc, int acc);
void ct_smallgemm_par_f64(int nth, int64_t M, int64_t N, int64_t K, const double *A, int64_t rsa,
                          int64_t csa, const double *B, int64_t ldb, double *C, int64_t ldc, int acc);

#endif
