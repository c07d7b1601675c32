/* ct_pgemm.c - cache-blocked packed gemm (see ct_pgemm.h). */
/* a*b + c becomes one fused multiply-add in the AVX-512 variant */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=fast")
#endif
#include "ct_pgemm.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define CT_PG_MIN(a, b) ((a) < (b) ? (a) : (b))
#define CT_PG_INLINE static inline __attribute__((always_inline))

/* Packing buffers of the calling thread, grown on demand and kept: a gemm of these sizes
 * takes 0.1-5 ms, and a fresh ~1 MB buffer per call would cost page faults each time. A
 * thread-specific key frees a thread's buffer when the thread exits (a program that multiplies
 * from many short-lived threads would otherwise keep ~1 MB per thread). */
static _Thread_local char *ct_pg_buf;
static _Thread_local size_t ct_pg_cap;
static pthread_key_t ct_pg_key;
static pthread_once_t ct_pg_key_once = PTHREAD_ONCE_INIT;
static int ct_pg_key_ok;

static void ct_pg_key_init(void) { ct_pg_key_ok = pthread_key_create(&ct_pg_key, free) == 0; }

static char *ct_pg_scratch(size_t bytes) {
    if (bytes > ct_pg_cap) {
        free(ct_pg_buf);
        ct_pg_cap = (bytes + 4095) / 4096 * 4096;
        ct_pg_buf = aligned_alloc(64, ct_pg_cap);
        if (!ct_pg_buf) ct_pg_cap = 0;
        pthread_once(&ct_pg_key_once, ct_pg_key_init);
        if (ct_pg_key_ok) pthread_setspecific(ct_pg_key, ct_pg_buf);
    }
    return ct_pg_buf;
}

/* One variant of the whole loop nest for element type T, vector type VT (L lanes), an MR x NV
 * vectors register tile and blocks KC (k per pass), MC (rows of A per packed block), NC (columns
 * of B per packed block). Row-major: C (M x N, row stride ldc) := alpha A B + beta C with A
 * (M x K) and B (K x N) at any element strides. */
#define CT_PG_VARIANT(NAME, T, VT, ATTR, MR, NV, KC, MC, NC)                                    \
    enum { NAME##_L = (int)(sizeof(VT) / sizeof(T)), NAME##_NR = (NV) * NAME##_L };              \
                                                                                                 \
    /* MR x NR tile: C := alpha * Ap Bp + beta * C (beta == 0: C not read) */                   \
    CT_PG_INLINE void NAME##_mk(int64_t kc, const T *restrict Ap, const T *restrict Bp,          \
                                T *restrict C, int64_t ldc, T alpha, T beta) {                    \
        enum { L = NAME##_L, NR = NAME##_NR };                                                   \
        VT acc[MR][NV];                                                                          \
        for (int i = 0; i < (MR); i++)                                                           \
            for (int v = 0; v < (NV); v++) acc[i][v] = (VT){0};                                  \
        _Pragma("GCC unroll 2")                                                                  \
        for (int64_t k = 0; k < kc; k++) {                                                       \
            VT b[NV];                                                                            \
            for (int v = 0; v < (NV); v++) b[v] = *(const VT *)(Bp + k * NR + v * L);            \
            for (int i = 0; i < (MR); i++) {                                                     \
                T a = Ap[k * (MR) + i];                                                          \
                for (int v = 0; v < (NV); v++) acc[i][v] += a * b[v];                           \
            }                                                                                    \
        }                                                                                        \
        for (int i = 0; i < (MR); i++)                                                           \
            for (int v = 0; v < (NV); v++) {                                                     \
                VT r = alpha * acc[i][v];                                                        \
                if (beta != 0) {                                                                 \
                    VT c;                                                                        \
                    memcpy(&c, C + i * ldc + v * L, sizeof(VT));                                 \
                    r += beta * c;                                                               \
                }                                                                                \
                memcpy(C + i * ldc + v * L, &r, sizeof(VT));                                     \
            }                                                                                    \
    }                                                                                            \
                                                                                                 \
    /* kc x nc block of B into NR-column panels, zero-padded to whole panels */                  \
    CT_PG_INLINE void NAME##_pack_b(int64_t kc, int64_t nc, const T *B, int64_t rsb, int64_t csb, \
                                    T *restrict Bp) {                                             \
        enum { NR = NAME##_NR };                                                                 \
        for (int64_t j0 = 0; j0 < nc; j0 += NR, Bp += kc * NR) {                                  \
            int64_t nr = CT_PG_MIN(NR, nc - j0);                                                 \
            const T *b = B + j0 * csb;                                                           \
            if (csb == 1 || rsb != 1) {                                                          \
                for (int64_t k = 0; k < kc; k++) {                                               \
                    int64_t j = 0;                                                               \
                    for (; j < nr; j++) Bp[k * NR + j] = b[k * rsb + j * csb];                   \
                    for (; j < NR; j++) Bp[k * NR + j] = 0;                                      \
                }                                                                                \
            } else {   /* columns of B contiguous: read them in order */                         \
                for (int64_t j = 0; j < nr; j++)                                                 \
                    for (int64_t k = 0; k < kc; k++) Bp[k * NR + j] = b[k + j * csb];            \
                for (int64_t k = 0; k < kc; k++)                                                 \
                    for (int64_t j = nr; j < NR; j++) Bp[k * NR + j] = 0;                        \
            }                                                                                    \
        }                                                                                        \
    }                                                                                            \
                                                                                                 \
    /* mc x kc block of A into MR-row panels (k-major inside), zero-padded */                    \
    CT_PG_INLINE void NAME##_pack_a(int64_t mc, int64_t kc, const T *A, int64_t rsa, int64_t csa, \
                                    T *restrict Ap) {                                             \
        for (int64_t i0 = 0; i0 < mc; i0 += (MR), Ap += kc * (MR)) {                              \
            int64_t mr = CT_PG_MIN((MR), mc - i0);                                               \
            const T *a = A + i0 * rsa;                                                           \
            if (rsa == 1 || csa != 1) {                                                          \
                for (int64_t k = 0; k < kc; k++) {                                               \
                    int64_t i = 0;                                                               \
                    for (; i < mr; i++) Ap[k * (MR) + i] = a[i * rsa + k * csa];                 \
                    for (; i < (MR); i++) Ap[k * (MR) + i] = 0;                                  \
                }                                                                                \
            } else {   /* rows of A contiguous: read them in order */                            \
                for (int64_t i = 0; i < mr; i++)                                                 \
                    for (int64_t k = 0; k < kc; k++) Ap[k * (MR) + i] = a[i * rsa + k];          \
                for (int64_t k = 0; k < kc; k++)                                                 \
                    for (int64_t i = mr; i < (MR); i++) Ap[k * (MR) + i] = 0;                    \
            }                                                                                    \
        }                                                                                        \
    }                                                                                            \
                                                                                                 \
    static ATTR int NAME(int64_t M, int64_t N, int64_t K, T alpha, const T *A, int64_t rsa,      \
                         int64_t csa, const T *B, int64_t rsb, int64_t csb, T beta, T *C,         \
                         int64_t ldc) {                                                           \
        enum { NR = NAME##_NR };                                                                 \
        int64_t npass = (K + (KC) - 1) / (KC), kstep = (K + npass - 1) / npass;                  \
        int64_t ncmax = CT_PG_MIN(N, (NC)), mcmax = CT_PG_MIN(M, (MC));                          \
        size_t bsz = (size_t)((ncmax + NR - 1) / NR * NR) * kstep;                               \
        size_t asz = (size_t)((mcmax + (MR) - 1) / (MR) * (MR)) * kstep;                         \
        T *Bp = (T *)ct_pg_scratch((bsz + asz + (MR) * NR) * sizeof(T));                         \
        if (!Bp) return -1;                                                                      \
        T *Ap = Bp + bsz, *tile = Ap + asz;                                                      \
        for (int64_t jc = 0; jc < N; jc += (NC)) {                                               \
            int64_t nc = CT_PG_MIN(N - jc, (NC));                                                \
            for (int64_t pc = 0; pc < K; pc += kstep) {                                          \
                int64_t kc = CT_PG_MIN(K - pc, kstep);                                           \
                T bt = pc == 0 ? beta : (T)1;                                                    \
                NAME##_pack_b(kc, nc, B + pc * rsb + jc * csb, rsb, csb, Bp);                    \
                for (int64_t ic = 0; ic < M; ic += (MC)) {                                       \
                    int64_t mc = CT_PG_MIN(M - ic, (MC));                                        \
                    NAME##_pack_a(mc, kc, A + ic * rsa + pc * csa, rsa, csa, Ap);                \
                    for (int64_t jr = 0; jr < nc; jr += NR) {                                    \
                        int64_t nr = CT_PG_MIN(NR, nc - jr);                                     \
                        const T *bp = Bp + jr * kc;                                              \
                        for (int64_t ir = 0; ir < mc; ir += (MR)) {                              \
                            int64_t mr = CT_PG_MIN((MR), mc - ir);                               \
                            const T *ap = Ap + ir * kc;                                          \
                            T *c = C + (ic + ir) * ldc + jc + jr;                                \
                            if (mr == (MR) && nr == NR) {                                        \
                                NAME##_mk(kc, ap, bp, c, ldc, alpha, bt);                        \
                                continue;                                                        \
                            }                                                                    \
                            /* edge tile: full tile into scratch, then the valid corner */       \
                            NAME##_mk(kc, ap, bp, tile, NR, (T)1, (T)0);                         \
                            for (int64_t i = 0; i < mr; i++)                                     \
                                for (int64_t j = 0; j < nr; j++) {                               \
                                    T r = alpha * tile[i * NR + j];                              \
                                    c[i * ldc + j] = bt != 0 ? r + bt * c[i * ldc + j] : r;      \
                                }                                                                \
                        }                                                                        \
                    }                                                                            \
                }                                                                                \
            }                                                                                    \
        }                                                                                        \
        return 0;                                                                                \
    }

typedef float ct_pg_f32x4 __attribute__((vector_size(16)));
typedef double ct_pg_f64x2 __attribute__((vector_size(16)));
/* any CPU (never preferred over BLAS there, but correct if called) */
CT_PG_VARIANT(ct_pg_f32_base, float, ct_pg_f32x4, , 4, 2, 256, 128, 1024)
CT_PG_VARIANT(ct_pg_f64_base, double, ct_pg_f64x2, , 4, 2, 256, 128, 1024)

#if defined(__GNUC__) && defined(__x86_64__) && !defined(CT_NO_CLONES)
#define CT_PG_X86 1
typedef float ct_pg_f32x16 __attribute__((vector_size(64)));
typedef double ct_pg_f64x8 __attribute__((vector_size(64)));
/* 12 x 2 zmm accumulators (24 of 32 registers) */
CT_PG_VARIANT(ct_pg_f32_avx512, float, ct_pg_f32x16, __attribute__((target("avx512f,fma"))),
              12, 2, 256, 144, 1024)
CT_PG_VARIANT(ct_pg_f64_avx512, double, ct_pg_f64x8, __attribute__((target("avx512f,fma"))),
              12, 2, 256, 144, 1024)
#endif

int ct_pgemm_available(void) {
#ifdef CT_PG_X86
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") != 0;
#else
    return 0;
#endif
}

static int ct_pg_level = -1;

static int ct_pg_avx512(void) {
    int lv = __atomic_load_n(&ct_pg_level, __ATOMIC_RELAXED);
    if (lv < 0) {
        lv = ct_pgemm_available();
        __atomic_store_n(&ct_pg_level, lv, __ATOMIC_RELAXED);
    }
    return lv;
}

/* Column-major C (m x n) is row-major C^T (n x m), and C^T = op(B)^T op(A)^T: the row-major
 * kernel gets op(B)^T as its A and op(A)^T as its B, each at the strides its flag implies. */
#define CT_PG_ENTRY(NAME, T, RUN)                                                      \
    void NAME(char *ta, char *tb, int *m, int *n, int *k, void *alpha, void *a, int *lda,       \
              void *b, int *ldb, void *beta, void *c, int *ldc) {                                \
        int64_t M = *n, N = *m, K = *k, la = *lda, lb = *ldb, lc = *ldc;                         \
        T al = *(T *)alpha, be = *(T *)beta, *C = (T *)c;                                        \
        if (M <= 0 || N <= 0) return;                                                            \
        if (K <= 0 || al == 0) {   /* C := beta C */                                             \
            for (int64_t i = 0; i < M; i++)                                                      \
                for (int64_t j = 0; j < N; j++) C[i * lc + j] = be != 0 ? be * C[i * lc + j] : 0; \
            return;                                                                              \
        }                                                                                        \
        int bt = *tb == 'T' || *tb == 't' || *tb == 'C' || *tb == 'c';                           \
        int at = *ta == 'T' || *ta == 't' || *ta == 'C' || *ta == 'c';                           \
        int64_t rsa = bt ? 1 : lb, csa = bt ? lb : 1, rsb = at ? 1 : la, csb = at ? la : 1;      \
        int r = RUN(M, N, K, al, (const T *)b, rsa, csa, (const T *)a, rsb, csb, be, C, lc);     \
        if (r != 0) abort();   /* out of memory for a few MB of packing buffers */               \
    }

static int ct_pg_f32_run(int64_t M, int64_t N, int64_t K, float al, const float *A, int64_t rsa,
                          int64_t csa, const float *B, int64_t rsb, int64_t csb, float be,
                          float *C, int64_t lc) {
#ifdef CT_PG_X86
    if (ct_pg_avx512()) return ct_pg_f32_avx512(M, N, K, al, A, rsa, csa, B, rsb, csb, be, C, lc);
#endif
    return ct_pg_f32_base(M, N, K, al, A, rsa, csa, B, rsb, csb, be, C, lc);
}

static int ct_pg_f64_run(int64_t M, int64_t N, int64_t K, double al, const double *A,
                          int64_t rsa, int64_t csa, const double *B, int64_t rsb, int64_t csb,
                          double be, double *C, int64_t lc) {
#ifdef CT_PG_X86
    if (ct_pg_avx512()) return ct_pg_f64_avx512(M, N, K, al, A, rsa, csa, B, rsb, csb, be, C, lc);
#endif
    return ct_pg_f64_base(M, N, K, al, A, rsa, csa, B, rsb, csb, be, C, lc);
}

/* C := alpha op(A) op(B) + beta C (column-major, BLAS sgemm arguments) */
CT_PG_ENTRY(ct_pgemm_f32, float, ct_pg_f32_run)
/* C := alpha op(A) op(B) + beta C (column-major, BLAS dgemm arguments) */
CT_PG_ENTRY(ct_pgemm_f64, double, ct_pg_f64_run)

/* Measured on the Linear-layer shapes (asv_bench/gemm_shapes.py, docs/architecture.md): the
 * packed float32 kernel beats OpenBLAS by 5-25% wherever op(A) of the column-major call (the
 * row-major right operand) is untransposed or k <= 256; with a transposed one and a long k
 * (x @ W^T with 512-784 inputs) its scalar transposing pack of B costs more than it gains. Tiny
 * products stay with BLAS (unmeasured there), and float64 too (the kernel is tested, not tuned). */
int ct_pgemm_prefer(int isz, char ta, char tb, int m, int n, int k) {
    (void)tb;
    if (isz != 4 || !ct_pg_avx512()) return 0;
    if ((int64_t)m * n * k < (1 << 18)) return 0;
    return !(ta == 'T' && k > 256);
}
