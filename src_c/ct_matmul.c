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
