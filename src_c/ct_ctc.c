/* ct_ctc.c - CTC loss forward/backward (layout, checks and formulas: see ct_ctc.h). */
#include "ct_ctc.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CT_CTC_GRAIN 4096   /* below this many alpha entries the batch runs on one thread */

/* Lengths, offsets, labels and blank, checked in sample order: the first bad one in info. */
static int ct_ctc_check(int64_t T, int64_t N, int64_t C, const int64_t *tgt, int64_t ntgt,
                        const int64_t *toff, const int64_t *il, const int64_t *tl, int64_t Smax,
                        int64_t blank, int64_t *info) {
#define CT_CTC_BAD(kind, n, v) do { info[0] = (kind); info[1] = (n); info[2] = (v); return CT_ERR_INDEX; } while (0)
    if (blank < 0 || blank >= C) CT_CTC_BAD(CT_CTC_BAD_BLANK, 0, blank);
    for (int64_t n = 0; n < N; n++) {
        if (il[n] < 0 || il[n] > T) CT_CTC_BAD(CT_CTC_BAD_INPUT_LEN, n, il[n]);
        if (tl[n] < 0 || tl[n] > Smax) CT_CTC_BAD(CT_CTC_BAD_TARGET_LEN, n, tl[n]);
        if (toff[n] < 0 || toff[n] > ntgt - tl[n]) CT_CTC_BAD(CT_CTC_BAD_TARGETS, n, toff[n] + tl[n]);
        for (int64_t k = 0; k < tl[n]; k++) {
            int64_t y = tgt[toff[n] + k];
            if (y < 0 || y >= C) CT_CTC_BAD(CT_CTC_BAD_LABEL, n, y);
        }
    }
    return CT_OK;
#undef CT_CTC_BAD
}

static int ct_ctc_parallel(int64_t N, int64_t T, int64_t Smax) {
    return N > 1 && ct_get_num_threads() > 1 && N * T * (2 * Smax + 1) >= CT_CTC_GRAIN;
}

/* One implementation per dtype: TY the scalar, EXP/LOG/LOG1P its libm calls. */
#define CT_CTC_DEFINE(SFX, TY, EXP, LOG, LOG1P)                                                      \
static inline TY ct_ctc_lse2_##SFX(TY a, TY b) {                                                \
    TY m = a > b ? a : b;                                                                       \
    if (m == -INFINITY) return m;                                                               \
    return m + LOG1P(EXP(-(a > b ? a - b : b - a)));                                            \
}                                                                                               \
static inline TY ct_ctc_lse3_##SFX(TY a, TY b, TY c) {                                          \
    TY m = a > b ? a : b;                                                                       \
    m = m > c ? m : c;                                                                          \
    if (m == -INFINITY) return m;                                                               \
    return m + LOG(EXP(a - m) + EXP(b - m) + EXP(c - m));                         \
}                                                                                               \
                                                                                                \
/* alpha rows 0 .. il-1 of sample n, and its nll */                                             \
static void ct_ctc_fwd_one_##SFX(const TY *lp, int64_t N, int64_t C, const int64_t *y,         \
                                 int64_t Tn, int64_t S, int64_t Lmax, int64_t blank, int64_t n, \
                                 TY *A, TY *nll) {                                              \
    int64_t L = 2 * S + 1;                                                                      \
    if (Tn == 0) { *nll = S == 0 ? (TY)0 : (TY)INFINITY; return; }                              \
    const TY *p = lp + n * C;                                                                   \
    for (int64_t s = 0; s < L; s++) A[s] = -INFINITY;                                           \
    A[0] = p[blank];                                                                            \
    if (L > 1) A[1] = p[y[0]];                                                                  \
    for (int64_t t = 1; t < Tn; t++) {                                                          \
        const TY *prev = A + (t - 1) * Lmax;                                                    \
        TY *cur = A + t * Lmax;                                                                 \
        p = lp + (t * N + n) * C;                                                               \
        cur[0] = prev[0] + p[blank];                                                            \
        for (int64_t s = 1; s < L; s++) {                                                       \
            if (s & 1) {                                                                        \
                int64_t k = s >> 1;                                                             \
                TY skip = k > 0 && y[k] != y[k - 1] ? prev[s - 2] : (TY)-INFINITY;              \
                cur[s] = ct_ctc_lse3_##SFX(prev[s], prev[s - 1], skip) + p[y[k]];               \
            } else {                                                                            \
                cur[s] = ct_ctc_lse2_##SFX(prev[s], prev[s - 1]) + p[blank];                    \
            }                                                                                   \
        }                                                                                       \
    }                                                                                           \
    const TY *last = A + (Tn - 1) * Lmax;                                                       \
    *nll = -ct_ctc_lse2_##SFX(last[L - 1], L > 1 ? last[L - 2] : (TY)-INFINITY);                \
}                                                                                               \
                                                                                                \
int ct_ctc_fwd_##SFX(const TY *lp, int64_t T, int64_t N, int64_t C, const int64_t *tgt,        \
                     int64_t ntgt, const int64_t *toff, const int64_t *il, const int64_t *tl,   \
                     int64_t Smax, int64_t blank, TY *nll, TY *alpha, int64_t *info) {          \
    int err = ct_ctc_check(T, N, C, tgt, ntgt, toff, il, tl, Smax, blank, info);                \
    if (err) return err;                                                                        \
    int64_t Lmax = 2 * Smax + 1;                                                                \
    int nth = ct_get_num_threads();                                                             \
    _Pragma("omp parallel for num_threads(nth) schedule(dynamic, 1) if(ct_ctc_parallel(N, T, Smax))") \
    for (int64_t n = 0; n < N; n++)                                                             \
        ct_ctc_fwd_one_##SFX(lp, N, C, tgt + toff[n], il[n], tl[n], Lmax, blank, n,             \
                             alpha + n * T * Lmax, nll + n);                                    \
    return CT_OK;                                                                               \
}                                                                                               \
                                                                                                \
/* grad rows of sample n; work holds 2 L + C scalars */                                         \
static void ct_ctc_bwd_one_##SFX(const TY *lp, int64_t T, int64_t N, int64_t C, const int64_t *y, \
                                 int64_t Tn, int64_t S, int64_t Lmax, int64_t blank, int64_t n, \
                                 TY nll, const TY *A, TY G, int zero_inf, TY *grad, TY *work) { \
    int64_t L = 2 * S + 1;                                                                      \
    for (int64_t t = 0; t < T; t++) memset(grad + (t * N + n) * C, 0, (size_t)C * sizeof(TY)); \
    if (Tn == 0 || (zero_inf && nll == (TY)INFINITY)) return;                                   \
    TY *bcur = work, *bnext = work + L, *lcab = work + 2 * L;                                   \
    for (int64_t t = Tn - 1; t >= 0; t--) {                                                     \
        const TY *p = lp + (t * N + n) * C;                                                     \
        const TY *a = A + t * Lmax;                                                             \
        TY *gr = grad + (t * N + n) * C;                                                        \
        if (t == Tn - 1) {                                                                      \
            for (int64_t s = 0; s < L; s++) bcur[s] = -INFINITY;                                \
            bcur[L - 1] = p[(L - 1) & 1 ? y[(L - 1) >> 1] : blank];                             \
            if (L > 1) bcur[L - 2] = p[(L - 2) & 1 ? y[(L - 2) >> 1] : blank];                  \
        } else {                                                                                \
            for (int64_t s = 0; s < L; s++) {                                                   \
                TY next = s + 1 < L ? bnext[s + 1] : (TY)-INFINITY;                             \
                if (s & 1) {                                                                    \
                    int64_t k = s >> 1;                                                         \
                    TY skip = k + 1 < S && y[k + 1] != y[k] ? bnext[s + 2] : (TY)-INFINITY;     \
                    bcur[s] = ct_ctc_lse3_##SFX(bnext[s], next, skip) + p[y[k]];                \
                } else {                                                                        \
                    bcur[s] = ct_ctc_lse2_##SFX(bnext[s], next) + p[blank];                     \
                }                                                                               \
            }                                                                                   \
        }                                                                                       \
        for (int64_t c = 0; c < C; c++) lcab[c] = -INFINITY;                                    \
        for (int64_t s = 0; s < L; s++) {                                                       \
            int64_t c = s & 1 ? y[s >> 1] : blank;                                              \
            lcab[c] = ct_ctc_lse2_##SFX(lcab[c], a[s] + bcur[s]);                               \
        }                                                                                       \
        for (int64_t c = 0; c < C; c++)                                                         \
            gr[c] = (EXP(p[c]) - EXP(lcab[c] + nll - p[c])) * G;                                \
        TY *sw = bcur; bcur = bnext; bnext = sw;                                                \
    }                                                                                           \
}                                                                                               \
                                                                                                \
int ct_ctc_bwd_##SFX(const TY *lp, int64_t T, int64_t N, int64_t C, const int64_t *tgt,        \
                     int64_t ntgt, const int64_t *toff, const int64_t *il, const int64_t *tl,   \
                     int64_t Smax, int64_t blank, const TY *nll, const TY *alpha,               \
                     const TY *g, int64_t gstep, int zero_inf, TY *grad, int64_t *info) {       \
    int err = ct_ctc_check(T, N, C, tgt, ntgt, toff, il, tl, Smax, blank, info);                \
    if (err) return err;                                                                        \
    int64_t Lmax = 2 * Smax + 1;                                                                \
    int nth = ct_get_num_threads(), nomem = 0;                                                  \
    _Pragma("omp parallel num_threads(nth) if(ct_ctc_parallel(N, T, Smax))")                    \
    {                                                                                           \
        TY *work = malloc((size_t)(2 * Lmax + C) * sizeof(TY));                                 \
        if (!work) {                                                                            \
            _Pragma("omp atomic write")                                                         \
            nomem = 1;                                                                          \
        }                                                                                       \
        _Pragma("omp for schedule(dynamic, 1)")                                                 \
        for (int64_t n = 0; n < N; n++)                                                         \
            if (work)                                                                           \
                ct_ctc_bwd_one_##SFX(lp, T, N, C, tgt + toff[n], il[n], tl[n], Lmax, blank, n,  \
                                     nll[n], alpha + n * T * Lmax, g[n * gstep], zero_inf,      \
                                     grad, work);                                               \
        free(work);                                                                             \
    }                                                                                           \
    return nomem ? CT_ERR_NOMEM : CT_OK;                                                        \
}

CT_CTC_DEFINE(f32, float, expf, logf, log1pf)
CT_CTC_DEFINE(f64, double, exp, log, log1p)
