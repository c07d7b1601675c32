/* ct_smallgemm.c - register-blocked gemm for the sequence kernels (see ct_smallgemm.h). */
/* a*b + c becomes one fused multiply-add in the AVX2/AVX-512 variants (the baseline has none) */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=fast")
#endif
#include "ct_smallgemm.h"
#include <math.h>
#include <string.h>

#define CT_SG_KC 256   /* k values per pass: an MR x KC strip of A stays in L1 */
#define CT_SG_NC 512   /* columns per pass: a KC x NC block of B stays in L2 */

#define CT_SG_MIN(a, b) ((a) < (b) ? (a) : (b))
#define CT_SG_INLINE static inline __attribute__((always_inline))

/* MR x (NV vectors) block of C := A B (+ C): the accumulators live in registers, each k step
 * is MR broadcasts of A, NV vector loads of B and MR*NV vector multiply-adds. GNU vector types
 * pin the vectorisation to the columns (left to itself GCC may vectorise across rows and
 * gather A, several times slower); memcpy is an unaligned vector load/store. */
#define CT_SG_MK(NAME, T, VT, MR, NV)                                                           \
    CT_SG_INLINE void NAME(int64_t K, const T *restrict A, int64_t rsa, int64_t csa,             \
                           const T *restrict B, int64_t ldb, T *restrict C, int64_t ldc, int acc) { \
        enum { L = sizeof(VT) / sizeof(T) };                                                   \
        VT c[MR][NV];                                                                          \
        for (int i = 0; i < (MR); i++)                                                         \
            for (int v = 0; v < (NV); v++) {                                                   \
                if (acc) memcpy(&c[i][v], C + i * ldc + v * L, sizeof(VT));                    \
                else c[i][v] = (VT){0};                                                        \
            }                                                                                  \
        for (int64_t k = 0; k < K; k++) {                                                      \
            VT b[NV];                                                                          \
            for (int v = 0; v < (NV); v++) memcpy(&b[v], B + k * ldb + v * L, sizeof(VT));     \
            for (int i = 0; i < (MR); i++) {                                                   \
                T a = A[i * rsa + k * csa];                                                    \
                for (int v = 0; v < (NV); v++) c[i][v] += a * b[v];                            \
            }                                                                                  \
        }                                                                                      \
        for (int i = 0; i < (MR); i++)                                                         \
            for (int v = 0; v < (NV); v++) memcpy(C + i * ldc + v * L, &c[i][v], sizeof(VT));  \
    }

/* the leftover mr x nr corner, accumulated in place */
#define CT_SG_TAIL(NAME, T)                                                               \
    CT_SG_INLINE void NAME(int64_t mr, int64_t nr, int64_t K, const T *restrict A, int64_t rsa,  \
                           int64_t csa, const T *restrict B, int64_t ldb, T *restrict C,        \
                           int64_t ldc, int acc) {                                             \
        for (int64_t i = 0; i < mr; i++) {                                                     \
            T *restrict c = C + i * ldc;                                                       \
            if (!acc)                                                                          \
                for (int64_t j = 0; j < nr; j++) c[j] = (T)0;                                  \
            for (int64_t k = 0; k < K; k++) {                                                  \
                T a = A[i * rsa + k * csa];                                                    \
                const T *restrict b = B + k * ldb;                                             \
                for (int64_t j = 0; j < nr; j++) c[j] += a * b[j];                              \
            }                                                                                  \
        }                                                                                      \
    }

/* One variant: full MR x NR blocks, then a half-width block, then the corner; leftover rows
 * one at a time (1 x NR blocks). */
#define CT_SG_VARIANT(NAME, T, VT, ATTR, MR, NV)                                              \
    CT_SG_MK(NAME##_mk, T, VT, MR, NV)                                                         \
    CT_SG_MK(NAME##_mkh, T, VT, MR, (NV) / 2)                                                  \
    CT_SG_MK(NAME##_mk1, T, VT, 1, NV)                                                         \
    CT_SG_MK(NAME##_mk1h, T, VT, 1, (NV) / 2)                                                  \
    CT_SG_TAIL(NAME##_tail, T)                                                                 \
    static ATTR void NAME(int64_t M, int64_t N, int64_t K, const T *A, int64_t rsa,            \
                          int64_t csa, const T *B, int64_t ldb, T *C, int64_t ldc, int acc) {   \
        enum { NR = (NV) * (int)(sizeof(VT) / sizeof(T)) };                                    \
        for (int64_t jc = 0; jc < N; jc += CT_SG_NC) {                                         \
            int64_t nc = CT_SG_MIN(N - jc, CT_SG_NC);                                          \
            for (int64_t kc = 0; kc < K; kc += CT_SG_KC) {                                     \
                int64_t kb = CT_SG_MIN(K - kc, CT_SG_KC);                                      \
                int a = acc || kc > 0;                                                         \
                const T *Ak = A + kc * csa, *Bk = B + kc * ldb + jc;                           \
                T *Cj = C + jc;                                                                \
                int64_t i = 0;                                                                 \
                for (; i + (MR) <= M; i += (MR)) {                                             \
                    const T *Ai = Ak + i * rsa;                                                \
                    T *Ci = Cj + i * ldc;                                                      \
                    int64_t j = 0;                                                             \
                    for (; j + (NR) <= nc; j += (NR))                                          \
                        NAME##_mk(kb, Ai, rsa, csa, Bk + j, ldb, Ci + j, ldc, a);              \
                    if (j + (NR) / 2 <= nc) {                                                  \
                        NAME##_mkh(kb, Ai, rsa, csa, Bk + j, ldb, Ci + j, ldc, a);             \
                        j += (NR) / 2;                                                         \
                    }                                                                          \
                    if (j < nc)                                                                \
                        NAME##_tail(MR, nc - j, kb, Ai, rsa, csa, Bk + j, ldb, Ci + j, ldc, a); \
                }                                                                              \
                for (; i < M; i++) {                                                           \
                    const T *Ai = Ak + i * rsa;                                                \
                    T *Ci = Cj + i * ldc;                                                      \
                    int64_t j = 0;                                                             \
                    for (; j + (NR) <= nc; j += (NR))                                          \
                        NAME##_mk1(kb, Ai, rsa, csa, Bk + j, ldb, Ci + j, ldc, a);             \
                    if (j + (NR) / 2 <= nc) {                                                  \
                        NAME##_mk1h(kb, Ai, rsa, csa, Bk + j, ldb, Ci + j, ldc, a);            \
                        j += (NR) / 2;                                                         \
                    }                                                                          \
                    if (j < nc)                                                                \
                        NAME##_tail(1, nc - j, kb, Ai, rsa, csa, Bk + j, ldb, Ci + j, ldc, a); \
                }                                                                              \
            }                                                                                  \
        }                                                                                      \
    }

typedef float ct_sg_f32x4 __attribute__((vector_size(16)));
typedef double ct_sg_f64x2 __attribute__((vector_size(16)));

/* baseline x86-64 (SSE2, no fused multiply-add) and any other architecture: 4 x 2 vectors */
CT_SG_VARIANT(ct_sg_f32_base, float, ct_sg_f32x4, , 4, 2)
CT_SG_VARIANT(ct_sg_f64_base, double, ct_sg_f64x2, , 4, 2)

#if defined(__GNUC__) && defined(__x86_64__) && !defined(CT_NO_CLONES)
#define CT_SG_X86 1
typedef float ct_sg_f32x8 __attribute__((vector_size(32)));
typedef double ct_sg_f64x4 __attribute__((vector_size(32)));
typedef float ct_sg_f32x16 __attribute__((vector_size(64)));
typedef double ct_sg_f64x8 __attribute__((vector_size(64)));
/* AVX-512: 8 x 2 zmm accumulators (of 32 registers); AVX2: 4 x 2 ymm (of 16) */
CT_SG_VARIANT(ct_sg_f32_avx512, float, ct_sg_f32x16, __attribute__((target("avx512f,fma"))), 8, 2)
CT_SG_VARIANT(ct_sg_f64_avx512, double, ct_sg_f64x8, __attribute__((target("avx512f,fma"))), 8, 2)
CT_SG_VARIANT(ct_sg_f32_avx2, float, ct_sg_f32x8, __attribute__((target("avx2,fma"))), 4, 2)
CT_SG_VARIANT(ct_sg_f64_avx2, double, ct_sg_f64x4, __attribute__((target("avx2,fma"))), 4, 2)
#endif

typedef void (*ct_sg_f32_fn)(int64_t, int64_t, int64_t, const float *, int64_t, int64_t,
                             const float *, int64_t, float *, int64_t, int);
typedef void (*ct_sg_f64_fn)(int64_t, int64_t, int64_t, const double *, int64_t, int64_t,
                             const double *, int64_t, double *, int64_t, int);

static int ct_sg_isa(void) {   /* 2: AVX-512, 1: AVX2+FMA, 0: baseline */
#ifdef CT_SG_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return 2;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 1;
#endif
    return 0;
}

static int ct_sg_level = -1;

static int ct_sg_get_level(void) {
    int lv = __atomic_load_n(&ct_sg_level, __ATOMIC_RELAXED);
    if (lv < 0) {
        lv = ct_sg_isa();
        __atomic_store_n(&ct_sg_level, lv, __ATOMIC_RELAXED);
    }
    return lv;
}

static void ct_sg_zero_f32(int64_t M, int64_t N, float *C, int64_t ldc, int acc) {
    if (!acc)
        for (int64_t i = 0; i < M; i++) memset(C + i * ldc, 0, (size_t)N * sizeof(float));
}

static void ct_sg_zero_f64(int64_t M, int64_t N, double *C, int64_t ldc, int acc) {
    if (!acc)
        for (int64_t i = 0; i < M; i++) memset(C + i * ldc, 0, (size_t)N * sizeof(double));
}

/* C := A B (+ C) */
void ct_smallgemm_f32(int64_t M, int64_t N, int64_t K, const float *A, int64_t rsa, int64_t csa,
                      const float *B, int64_t ldb, float *C, int64_t ldc, int acc) {
    if (M <= 0 || N <= 0) return;
    if (K <= 0) { ct_sg_zero_f32(M, N, C, ldc, acc); return; }
    ct_sg_f32_fn fn = ct_sg_f32_base;
#ifdef CT_SG_X86
    int lv = ct_sg_get_level();
    fn = lv == 2 ? ct_sg_f32_avx512 : lv == 1 ? ct_sg_f32_avx2 : ct_sg_f32_base;
#else
    (void)ct_sg_get_level;
#endif
    fn(M, N, K, A, rsa, csa, B, ldb, C, ldc, acc);
}

/* C := A B (+ C) */
void ct_smallgemm_f64(int64_t M, int64_t N, int64_t K, const double *A, int64_t rsa, int64_t csa,
                      const double *B, int64_t ldb, double *C, int64_t ldc, int acc) {
    if (M <= 0 || N <= 0) return;
    if (K <= 0) { ct_sg_zero_f64(M, N, C, ldc, acc); return; }
    ct_sg_f64_fn fn = ct_sg_f64_base;
#ifdef CT_SG_X86
    int lv = ct_sg_get_level();
    fn = lv == 2 ? ct_sg_f64_avx512 : lv == 1 ? ct_sg_f64_avx2 : ct_sg_f64_base;
#endif
    fn(M, N, K, A, rsa, csa, B, ldb, C, ldc, acc);
}

/* rows split in nth contiguous chunks of whole 8-row blocks */
#define CT_SG_PAR(NAME, T, SERIAL)                                                              \
    void NAME(int nth, int64_t M, int64_t N, int64_t K, const T *A, int64_t rsa, int64_t csa,   \
              const T *B, int64_t ldb, T *C, int64_t ldc, int acc) {                            \
        int64_t chunk = (M + nth - 1) / (nth > 0 ? nth : 1);                                   \
        chunk = (chunk + 7) / 8 * 8;                                                           \
        if (nth <= 1 || chunk >= M) {                                                          \
            SERIAL(M, N, K, A, rsa, csa, B, ldb, C, ldc, acc);                                 \
            return;                                                                            \
        }                                                                                      \
        int64_t nblk = (M + chunk - 1) / chunk;                                                \
        _Pragma("omp parallel for num_threads(nth) schedule(static)")                         \
        for (int64_t b = 0; b < nblk; b++) {                                                   \
            int64_t i0 = b * chunk, m = CT_SG_MIN(chunk, M - i0);                              \
            SERIAL(m, N, K, A + i0 * rsa, rsa, csa, B, ldb, C + i0 * ldc, ldc, acc);           \
        }                                                                                      \
    }

CT_SG_PAR(ct_smallgemm_par_f32, float, ct_smallgemm_f32)
CT_SG_PAR(ct_smallgemm_par_f64, double, ct_smallgemm_f64)
