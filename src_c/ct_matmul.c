/* ct_matmul.c - integer matrix products (float/complex go to BLAS from Cython). */
#include "ct_matmul.h"

#define CT_KB 128   /* rows of B kept hot per pass */
#define CT_NB 512   /* columns of C per block */

/* C := alpha*A*B + beta*C in wrapping integer arithmetic (accumulated in uint64). */
#define CT_MATMUL_INT(name, T)                                                          \
static int ct_matmul_##name(int64_t M, int64_t N, int64_t K,                            \
                            const T *a, int64_t sa0, int64_t sa1,                       \
                            const T *b, int64_t sb0, int64_t sb1,                       \
                            T *c, int64_t sc0, int64_t sc1, int64_t alpha, int64_t beta) \
{                                                                                       \
    int par = (double)M * N * K > 32768.0 && M > 1;                                     \
    _Pragma("omp parallel for if(par) num_threads(ct_get_num_threads()) schedule(static)") \
    for (int64_t i = 0; i < M; i++) {                                                   \
        T *crow = c + i * sc0;                                                          \
        for (int64_t j = 0; j < N; j++)                                                 \
            crow[j * sc1] = beta == 0 ? (T)0                                            \
                : (T)((uint64_t)(int64_t)crow[j * sc1] * (uint64_t)beta);               \
        for (int64_t j0 = 0; j0 < N; j0 += CT_NB) {                                     \
            int64_t j1 = j0 + CT_NB < N ? j0 + CT_NB : N;                               \
            for (int64_t k0 = 0; k0 < K; k0 += CT_KB) {                                 \
                int64_t k1 = k0 + CT_KB < K ? k0 + CT_KB : K;                           \
                for (int64_t k = k0; k < k1; k++) {                                     \
                    uint64_t aik = (uint64_t)(int64_t)a[i * sa0 + k * sa1] * (uint64_t)alpha; \
                    const T *brow = b + k * sb0;                                        \
                    if (sc1 == 1 && sb1 == 1) {                                         \
                        for (int64_t j = j0; j < j1; j++)                               \
                            crow[j] = (T)((uint64_t)(int64_t)crow[j] + aik * (uint64_t)(int64_t)brow[j]); \
                    } else {                                                            \
                        for (int64_t j = j0; j < j1; j++)                               \
                            crow[j * sc1] = (T)((uint64_t)(int64_t)crow[j * sc1]        \
                                                + aik * (uint64_t)(int64_t)brow[j * sb1]); \
                    }                                                                   \
                }                                                                       \
            }                                                                           \
        }                                                                               \
    }                                                                                   \
    return CT_OK;                                                                       \
}

CT_MATMUL_INT(u8, uint8_t)
CT_MATMUL_INT(i8, int8_t)
CT_MATMUL_INT(i16, int16_t)
CT_MATMUL_INT(i32, int32_t)
CT_MATMUL_INT(i64, int64_t)

#define CT_MM_CALL(name, T) \
    ct_matmul_##name(M, N, K, (const T *)a, sa0, sa1, (const T *)b, sb0, sb1, (T *)c, sc0, sc1, alpha, beta)

int ct_matmul_int(int dt, int64_t M, int64_t N, int64_t K,
                  const char *a, int64_t sa0, int64_t sa1,
                  const char *b, int64_t sb0, int64_t sb1,
                  char *c, int64_t sc0, int64_t sc1, int64_t alpha, int64_t beta)
{
    switch (dt) {
    case CT_UINT8: return CT_MM_CALL(u8, uint8_t);
    case CT_INT8: return CT_MM_CALL(i8, int8_t);
    case CT_INT16: return CT_MM_CALL(i16, int16_t);
    case CT_INT32: return CT_MM_CALL(i32, int32_t);
    case CT_INT64: return CT_MM_CALL(i64, int64_t);
    default: return CT_ERR_VALUE;
    }
}

#include <stdlib.h>

#define CT_SUMSQ_CHUNK 65536

/* sum(x^2) over one chunk with 8 independent accumulators (vectorisable, fixed order). */
#define CT_SUMSQ(name, T)                                                               \
static double ct_sumsq_chunk_##name(const T *x, int64_t n) {                           \
    double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};                                           \
    int64_t i = 0;                                                                      \
    for (; i + 8 <= n; i += 8)                                                          \
        for (int l = 0; l < 8; l++) acc[l] += (double)x[i + l] * (double)x[i + l];     \
    for (; i < n; i++) acc[0] += (double)x[i] * (double)x[i];                           \
    return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7])); \
}                                                                                       \
double ct_sumsq_##name(const T *x, int64_t n) {                                         \
    int64_t nchunk = (n + CT_SUMSQ_CHUNK - 1) / CT_SUMSQ_CHUNK;                         \
    if (nchunk <= 1) return ct_sumsq_chunk_##name(x, n);                                \
    double *part = (double *)malloc(sizeof(double) * (size_t)nchunk);                   \
    if (!part) {                                                                        \
        double s = 0;                                                                   \
        for (int64_t c = 0; c < nchunk; c++) {                                          \
            int64_t len = n - c * CT_SUMSQ_CHUNK < CT_SUMSQ_CHUNK ? n - c * CT_SUMSQ_CHUNK : CT_SUMSQ_CHUNK; \
            s += ct_sumsq_chunk_##name(x + c * CT_SUMSQ_CHUNK, len);                    \
        }                                                                               \
        return s;                                                                       \
    }                                                                                   \
    _Pragma("omp parallel for num_threads(ct_get_num_threads()) schedule(static)")      \
    for (int64_t c = 0; c < nchunk; c++) {                                              \
        int64_t len = n - c * CT_SUMSQ_CHUNK < CT_SUMSQ_CHUNK ? n - c * CT_SUMSQ_CHUNK : CT_SUMSQ_CHUNK; \
        part[c] = ct_sumsq_chunk_##name(x + c * CT_SUMSQ_CHUNK, len);                   \
    }                                                                                   \
    double s = 0;                                                                       \
    for (int64_t c = 0; c < nchunk; c++) s += part[c];                                  \
    free(part);                                                                         \
    return s;                                                                           \
}

CT_SUMSQ(f32, float)
CT_SUMSQ(f64, double)
