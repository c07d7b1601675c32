/* ct_loss.c - fused loss kernels (layout, reductions and errors: see ct_loss.h). */
/* No FP traps are ever enabled, so GCC may if-convert float selects into blends. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math")
#endif
#include "ct_loss.h"
#include "ct_math.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CT_LOSS_GRAIN 32768   /* below this many input elements a kernel runs on one thread */
#define CT_LOSS_BLK 8192      /* input elements per block of positions (partials merged in order) */
#define CT_LOSS_COLS 256      /* spatial positions per task in the [A, C, B > 1] layout */
#define CT_LOSS_LANES 16      /* independent accumulators along a row (vectorisable) */
#define CT_LOSS_STACK 64      /* blocks whose partials fit on the stack */
#define CT_LOSS_SMALLC 64     /* rows narrower than this take their exps in one flat pass ... */
#define CT_LOSS_SUB 1024      /* ... over sub-blocks of this many elements */

#if defined(__GNUC__) && defined(__x86_64__) && defined(__linux__) && !defined(CT_NO_CLONES)
#define CT_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define CT_CLONES
#endif

static inline double ct_expd(double x) { return exp(x); }

/* for k in [0, n): STMT, split between nth OpenMP threads when par, else a plain loop (small
 * problems skip the team set-up) */
#define CT_LOSS_FOR(par, nth, k, n, STMT)                                                       \
    do {                                                                                        \
        if (par) {                                                                              \
            _Pragma("omp parallel for num_threads(nth) schedule(static)")                       \
            for (int64_t k = 0; k < (n); k++) STMT;                                             \
        } else {                                                                                \
            for (int64_t k = 0; k < (n); k++) STMT;                                             \
        }                                                                                       \
    } while (0)

/* First position whose target is neither `ignore` nor in [0, C): its value in *bad. */
static int ct_check_targets(const int64_t *tgt, int64_t n, int64_t C, int64_t ignore, int64_t *bad) {
    for (int64_t p = 0; p < n; p++) {
        int64_t t = tgt[p];
        if (t != ignore && (t < 0 || t >= C)) {
            *bad = t;
            return CT_ERR_INDEX;
        }
    }
    return CT_OK;
}

/* Blocks of whole rows (B == 1) or of (row, column chunk) tasks (B > 1). */
static void ct_nll_plan(int64_t A, int64_t C, int64_t B, int64_t *per, int64_t *ncb, int64_t *nblk) {
    if (B == 1) {
        int64_t r = C > 0 ? CT_LOSS_BLK / C : CT_LOSS_BLK;
        *per = r > 0 ? r : 1;
        *ncb = 1;
        *nblk = (A + *per - 1) / *per;
    } else {
        *per = 0;
        *ncb = (B + CT_LOSS_COLS - 1) / CT_LOSS_COLS;
        *nblk = A * *ncb;
    }
}

#define CT_NLL(SFX, T, EXP)                                                                     \
/* log sum_c exp x_c of a contiguous row (C >= 1) */                                            \
static CT_CLONES T ct_lse_row_##SFX(const T *restrict x, int64_t C) {                           \
    T mx[CT_LOSS_LANES], acc[CT_LOSS_LANES], m, s = 0;                                          \
    int64_t c = 0;                                                                              \
    for (int j = 0; j < CT_LOSS_LANES; j++) { mx[j] = x[0]; acc[j] = 0; }                       \
    for (; c + CT_LOSS_LANES <= C; c += CT_LOSS_LANES)                                          \
        for (int j = 0; j < CT_LOSS_LANES; j++) mx[j] = x[c + j] > mx[j] ? x[c + j] : mx[j];    \
    m = mx[0];                                                                                  \
    for (int j = 1; j < CT_LOSS_LANES; j++) m = mx[j] > m ? mx[j] : m;                          \
    for (; c < C; c++) m = x[c] > m ? x[c] : m;                                                 \
    for (c = 0; c + CT_LOSS_LANES <= C; c += CT_LOSS_LANES)                                     \
        for (int j = 0; j < CT_LOSS_LANES; j++) acc[j] += EXP(x[c + j] - m);                    \
    for (; c < C; c++) s += EXP(x[c] - m);                                                      \
    for (int j = 0; j < CT_LOSS_LANES; j++) s += acc[j];                                        \
    return m + (T)log(s);                                                                       \
}                                                                                               \
/* lse of n rows of width C (C < CT_LOSS_SMALLC, n C <= CT_LOSS_SUB): a row is too short        \
 * for its own vector loop, so the exps of all rows go in one flat vectorised pass */           \
static CT_CLONES void ct_lse_rows_##SFX(const T *restrict x, int64_t n, int64_t C, T *restrict out) { \
    T tmp[CT_LOSS_SUB];                                                                         \
    for (int64_t a = 0; a < n; a++) {                                                           \
        const T *xr = x + a * C;                                                                \
        T m = xr[0];                                                                            \
        for (int64_t c = 1; c < C; c++) m = xr[c] > m ? xr[c] : m;                              \
        out[a] = m;                                                                             \
        for (int64_t c = 0; c < C; c++) tmp[a * C + c] = xr[c] - m;                             \
    }                                                                                           \
    for (int64_t i = 0; i < n * C; i++) tmp[i] = EXP(tmp[i]);                                   \
    for (int64_t a = 0; a < n; a++) {                                                           \
        T s = 0;                                                                                \
        for (int64_t c = 0; c < C; c++) s += tmp[a * C + c];                                    \
        out[a] += (T)log(s);                                                                    \
    }                                                                                           \
}                                                                                               \
/* sum_c w_c x_c (w NULL: sum_c x_c) */                                                         \
static CT_CLONES T ct_wsum_row_##SFX(const T *restrict x, const T *restrict w, int64_t C) {     \
    T acc[CT_LOSS_LANES], s = 0;                                                                \
    int64_t c = 0;                                                                              \
    for (int j = 0; j < CT_LOSS_LANES; j++) acc[j] = 0;                                         \
    if (w) {                                                                                    \
        for (; c + CT_LOSS_LANES <= C; c += CT_LOSS_LANES)                                      \
            for (int j = 0; j < CT_LOSS_LANES; j++) acc[j] += w[c + j] * x[c + j];              \
        for (; c < C; c++) s += w[c] * x[c];                                                    \
    } else {                                                                                    \
        for (; c + CT_LOSS_LANES <= C; c += CT_LOSS_LANES)                                      \
            for (int j = 0; j < CT_LOSS_LANES; j++) acc[j] += x[c + j];                         \
        for (; c < C; c++) s += x[c];                                                           \
    }                                                                                           \
    for (int j = 0; j < CT_LOSS_LANES; j++) s += acc[j];                                        \
    return s;                                                                                   \
}                                                                                               \
/* one position's loss from its target, log-sum-exp l and smoothing sum ws = sum_c w_c x_c */   \
static inline T ct_nll_one_##SFX(T xt, T wt, T l, T ws, T W, double eps, int64_t C) {           \
    T li = -(T)(1 - eps) * wt * (xt - l);                                                       \
    if (eps != 0) li -= (T)(eps / (double)C) * (ws - W * l);                                    \
    return li;                                                                                  \
}                                                                                               \
static CT_CLONES void ct_nll_blk_fwd_##SFX(const T *x, const int64_t *tgt, const T *w, int64_t A, int64_t C, \
                                 int64_t B, int64_t ignore, double eps, int logits, T W,        \
                                 T *loss, T *lse, int64_t per, int64_t ncb, int64_t blk,        \
                                 double *part) {                                                \
    double ls = 0, wsum = 0;                                                                    \
    if (B == 1) {                                                                               \
        int64_t a1 = (blk + 1) * per < A ? (blk + 1) * per : A;                                 \
        int64_t sub = C > 0 && C < CT_LOSS_SMALLC ? CT_LOSS_SUB / C : 1;                        \
        T L[CT_LOSS_SUB];                                                                       \
        for (int64_t s0 = blk * per; s0 < a1; s0 += sub) {                                      \
            int64_t s1 = s0 + sub < a1 ? s0 + sub : a1;                                         \
            if (logits && sub > 1) ct_lse_rows_##SFX(x + s0 * C, s1 - s0, C, L);                \
            for (int64_t a = s0; a < s1; a++) {                                                 \
                const T *xr = x + a * C;                                                        \
                int64_t t = tgt[a];                                                             \
                if (t == ignore) {                                                              \
                    if (loss) loss[a] = 0;                                                      \
                    if (lse) lse[a] = 0;                                                        \
                    continue;                                                                   \
                }                                                                               \
                T l = !logits ? 0 : sub > 1 ? L[a - s0] : ct_lse_row_##SFX(xr, C);              \
                T wt = w ? w[t] : 1;                                                            \
                T ws = eps != 0 ? ct_wsum_row_##SFX(xr, w, C) : 0;                              \
                T li = ct_nll_one_##SFX(xr[t], wt, l, ws, W, eps, C);                           \
                if (lse) lse[a] = l;                                                            \
                if (loss) loss[a] = li;                                                         \
                ls += li;                                                                       \
                wsum += wt;                                                                     \
            }                                                                                   \
        }                                                                                       \
    } else {                                                                                    \
        int64_t a = blk / ncb, c0 = (blk % ncb) * CT_LOSS_COLS;                                 \
        int64_t nc = B - c0 < CT_LOSS_COLS ? B - c0 : CT_LOSS_COLS;                             \
        const T *xa = x + a * C * B + c0;                                                       \
        const int64_t *ta = tgt + a * B + c0;                                                   \
        T m[CT_LOSS_COLS], s[CT_LOSS_COLS], d[CT_LOSS_COLS];                                    \
        for (int64_t j = 0; j < nc; j++) { s[j] = 0; d[j] = 0; }                                \
        if (logits && C > 0) {                                                                  \
            for (int64_t j = 0; j < nc; j++) m[j] = xa[j];                                      \
            for (int64_t c = 1; c < C; c++) {                                                   \
                const T *xr = xa + c * B;                                                       \
                for (int64_t j = 0; j < nc; j++) m[j] = xr[j] > m[j] ? xr[j] : m[j];            \
            }                                                                                   \
            for (int64_t c = 0; c < C; c++) {                                                   \
                const T *xr = xa + c * B;                                                       \
                for (int64_t j = 0; j < nc; j++) s[j] += EXP(xr[j] - m[j]);                     \
            }                                                                                   \
            for (int64_t j = 0; j < nc; j++) s[j] = m[j] + (T)log(s[j]);                        \
        }                                                                                       \
        if (eps != 0)                                                                           \
            for (int64_t c = 0; c < C; c++) {                                                   \
                const T *xr = xa + c * B;                                                       \
                T wc = w ? w[c] : 1;                                                            \
                for (int64_t j = 0; j < nc; j++) d[j] += wc * xr[j];                            \
            }                                                                                   \
        for (int64_t j = 0; j < nc; j++) {                                                      \
            int64_t t = ta[j], p = a * B + c0 + j;                                              \
            if (t == ignore) {                                                                  \
                if (loss) loss[p] = 0;                                                          \
                if (lse) lse[p] = 0;                                                            \
                continue;                                                                       \
            }                                                                                   \
            T wt = w ? w[t] : 1;                                                                \
            T li = ct_nll_one_##SFX(xa[t * B + j], wt, s[j], d[j], W, eps, C);                  \
            if (lse) lse[p] = s[j];                                                             \
            if (loss) loss[p] = li;                                                             \
            ls += li;                                                                           \
            wsum += wt;                                                                         \
        }                                                                                       \
    }                                                                                           \
    part[2 * blk] = ls;                                                                         \
    part[2 * blk + 1] = wsum;                                                                   \
}                                                                                               \
int ct_nll_fwd_##SFX(const T *x, const int64_t *tgt, const T *w, int64_t A, int64_t C, int64_t B, \
                     int64_t ignore, double eps, int logits, T *loss, T *lse, double *tot,      \
                     int64_t *bad) {                                                            \
    int64_t per, ncb, nblk;                                                                     \
    double stack[2 * CT_LOSS_STACK], *part = stack;                                             \
    T W = 0;                                                                                    \
    tot[0] = tot[1] = 0;                                                                        \
    if (ct_check_targets(tgt, A * B, C, ignore, bad)) return CT_ERR_INDEX;                      \
    if (A * B == 0) return CT_OK;                                                               \
    if (eps != 0) W = w ? ct_wsum_row_##SFX(w, NULL, C) : (T)C;                                 \
    ct_nll_plan(A, C, B, &per, &ncb, &nblk);                                                    \
    if (nblk > CT_LOSS_STACK && !(part = malloc(2 * nblk * sizeof(double)))) return CT_ERR_NOMEM; \
    int nth = ct_get_num_threads();                                                             \
    int par = A * C * B >= CT_LOSS_GRAIN && nth > 1 && nblk > 1;                                \
    CT_LOSS_FOR(par, nth, k, nblk,                                                              \
                ct_nll_blk_fwd_##SFX(x, tgt, w, A, C, B, ignore, eps, logits, W, loss, lse, per, ncb, \
                                     k, part));                                                 \
    for (int64_t k = 0; k < nblk; k++) {                                                        \
        tot[0] += part[2 * k];                                                                  \
        tot[1] += part[2 * k + 1];                                                              \
    }                                                                                           \
    if (part != stack) free(part);                                                              \
    return CT_OK;                                                                               \
}                                                                                               \
static CT_CLONES void ct_nll_blk_bwd_##SFX(const T *x, const int64_t *tgt, const T *w, const T *lse, \
                                 int64_t A, int64_t C, int64_t B, int64_t ignore, double eps,   \
                                 int logits, T W, const T *g, int64_t gstep, double scale,      \
                                 T *gx, int64_t per, int64_t ncb, int64_t blk) {                \
    T ec = (T)(eps / (double)(C > 0 ? C : 1)), keep = (T)(1 - eps);                             \
    if (B == 1) {                                                                               \
        int64_t a1 = (blk + 1) * per < A ? (blk + 1) * per : A;                                 \
        int64_t sub = C < CT_LOSS_SMALLC ? CT_LOSS_SUB / C : 1;                                 \
        for (int64_t s0 = blk * per; s0 < a1; s0 += sub) {                                      \
            int64_t s1 = s0 + sub < a1 ? s0 + sub : a1;                                         \
            if (logits && sub > 1) {          /* softmax of short rows: one flat pass of exps */ \
                for (int64_t a = s0; a < s1; a++) {                                             \
                    T l = lse[a];                                                               \
                    int skip = tgt[a] == ignore;                                                \
                    for (int64_t c = 0; c < C; c++) gx[a * C + c] = skip ? 0 : x[a * C + c] - l; \
                }                                                                               \
                T *gs = gx + s0 * C;                                                            \
                for (int64_t i = 0; i < (s1 - s0) * C; i++) gs[i] = EXP(gs[i]);                 \
            }                                                                                   \
            for (int64_t a = s0; a < s1; a++) {                                                 \
                const T *xr = x + a * C;                                                        \
                T *gr = gx + a * C;                                                             \
                int64_t t = tgt[a];                                                             \
                if (t == ignore) {                                                              \
                    memset(gr, 0, C * sizeof(T));                                               \
                    continue;                                                                   \
                }                                                                               \
                T G = (T)(g[a * gstep] * scale), wt = w ? w[t] : 1;                             \
                if (logits) {                                                                   \
                    T K = G * (keep * wt + ec * W), l = lse[a];                                 \
                    if (sub > 1) for (int64_t c = 0; c < C; c++) gr[c] *= K;                    \
                    else for (int64_t c = 0; c < C; c++) gr[c] = K * EXP(xr[c] - l);            \
                } else {                                                                        \
                    memset(gr, 0, C * sizeof(T));                                               \
                }                                                                               \
                if (eps != 0) {                                                                 \
                    T e = G * ec;                                                               \
                    if (w) for (int64_t c = 0; c < C; c++) gr[c] -= e * w[c];                   \
                    else for (int64_t c = 0; c < C; c++) gr[c] -= e;                            \
                }                                                                               \
                gr[t] -= G * keep * wt;                                                         \
            }                                                                                   \
        }                                                                                       \
    } else {                                                                                    \
        int64_t a = blk / ncb, c0 = (blk % ncb) * CT_LOSS_COLS;                                 \
        int64_t nc = B - c0 < CT_LOSS_COLS ? B - c0 : CT_LOSS_COLS;                             \
        const T *xa = x + a * C * B + c0;                                                       \
        T *ga = gx + a * C * B + c0;                                                            \
        const int64_t *ta = tgt + a * B + c0;                                                   \
        T K[CT_LOSS_COLS], L[CT_LOSS_COLS], E[CT_LOSS_COLS], H[CT_LOSS_COLS];                   \
        for (int64_t j = 0; j < nc; j++) {                                                      \
            int64_t t = ta[j], p = a * B + c0 + j;                                              \
            if (t == ignore) { K[j] = 0; L[j] = 0; E[j] = 0; H[j] = 0; continue; }              \
            T G = (T)(g[p * gstep] * scale), wt = w ? w[t] : 1;                                 \
            K[j] = logits ? G * (keep * wt + ec * W) : 0;                                       \
            L[j] = logits ? lse[p] : 0;                                                         \
            E[j] = G * ec;                                                                      \
            H[j] = G * keep * wt;                                                               \
        }                                                                                       \
        for (int64_t c = 0; c < C; c++) {                                                       \
            const T *xr = xa + c * B;                                                           \
            T *gr = ga + c * B, wc = w ? w[c] : 1;                                              \
            if (logits)                                                                         \
                for (int64_t j = 0; j < nc; j++) gr[j] = K[j] * EXP(xr[j] - L[j]) - E[j] * wc;  \
            else                                                                                \
                for (int64_t j = 0; j < nc; j++) gr[j] = -E[j] * wc;                            \
        }                                                                                       \
        for (int64_t j = 0; j < nc; j++) {                                                      \
            int64_t t = ta[j];                                                                  \
            if (t == ignore) {                                                                  \
                for (int64_t c = 0; c < C; c++) ga[c * B + j] = 0;                              \
                continue;                                                                       \
            }                                                                                   \
            ga[t * B + j] -= H[j];                                                              \
        }                                                                                       \
    }                                                                                           \
}                                                                                               \
int ct_nll_bwd_##SFX(const T *x, const int64_t *tgt, const T *w, const T *lse, int64_t A,       \
                     int64_t C, int64_t B, int64_t ignore, double eps, int logits, const T *g,  \
                     int64_t gstep, double scale, T *gx, int64_t *bad) {                        \
    int64_t per, ncb, nblk;                                                                     \
    T W = 0;                                                                                    \
    if (ct_check_targets(tgt, A * B, C, ignore, bad)) return CT_ERR_INDEX;                      \
    if (A * B == 0 || C == 0) return CT_OK;                                                     \
    if (eps != 0) W = w ? ct_wsum_row_##SFX(w, NULL, C) : (T)C;                                 \
    ct_nll_plan(A, C, B, &per, &ncb, &nblk);                                                    \
    int nth = ct_get_num_threads();                                                             \
    int par = A * C * B >= CT_LOSS_GRAIN && nth > 1 && nblk > 1;                                \
    CT_LOSS_FOR(par, nth, k, nblk,                                                              \
                ct_nll_blk_bwd_##SFX(x, tgt, w, lse, A, C, B, ignore, eps, logits, W, g, gstep, scale, \
                                     gx, per, ncb, k));                                         \
    return CT_OK;                                                                               \
}

/* loss = -(1-eps) w_t log_softmax(x)_t - (eps/C) sum_c w_c log_softmax(x)_c  (or of x itself) */
CT_NLL(f32, float, ct_expf_nonpos)
CT_NLL(f64, double, ct_expd)

/* ---------------------------------------------------------------- BCE with logits
 * log(1 + exp(-x)) = log1p(exp(-|x|)) + max(-x, 0): no overflow for any x. A block is
 * walked in segments along which neither periodic weight wraps, so the inner loops read
 * contiguous w/pw and vectorise; the block's sum is taken in double lanes afterwards. */
#define CT_BCEL_BLK 4096

/* for each segment [i, i + len) of [i0, i1) along which neither periodic weight (w of period wn,
 * pw of pwn; either may be NULL) wraps: STMT, with iw, ip the segment's offsets into w and pw */
#define CT_BCEL_SEGMENTS(i0, i1, w, wn, pw, pwn, STMT)                                          \
    do {                                                                                        \
        int64_t iw = (w) ? (i0) % (wn) : 0, ip = (pw) ? (i0) % (pwn) : 0;                       \
        for (int64_t i = (i0), len; i < (i1); i += len) {                                       \
            len = (i1) - i;                                                                     \
            if ((w) && (wn) - iw < len) len = (wn) - iw;                                        \
            if ((pw) && (pwn) - ip < len) len = (pwn) - ip;                                     \
            STMT;                                                                               \
            if ((w) && (iw += len) == (wn)) iw = 0;                                             \
            if ((pw) && (ip += len) == (pwn)) ip = 0;                                           \
        }                                                                                       \
    } while (0)

#define CT_BCEL(SFX, T, EXP, LOG1P)                                                             \
static double ct_lanesum_##SFX(const T *restrict v, int64_t n) {                                \
    double acc[CT_LOSS_LANES], s = 0;                                                           \
    int64_t i = 0;                                                                              \
    for (int j = 0; j < CT_LOSS_LANES; j++) acc[j] = 0;                                         \
    for (; i + CT_LOSS_LANES <= n; i += CT_LOSS_LANES)                                          \
        for (int j = 0; j < CT_LOSS_LANES; j++) acc[j] += v[i + j];                             \
    for (; i < n; i++) s += v[i];                                                               \
    for (int j = 0; j < CT_LOSS_LANES; j++) s += acc[j];                                        \
    return s;                                                                                   \
}                                                                                               \
static CT_CLONES void ct_bcel_seg_fwd_##SFX(const T *restrict x, const T *restrict y,           \
                                         const T *restrict w, const T *restrict pw, int64_t n,  \
                                         T *restrict out) {                                     \
    for (int64_t i = 0; i < n; i++) {                                                           \
        T xi = x[i], yi = y[i], ax = xi < 0 ? -xi : xi;                                         \
        T lw = pw ? 1 + (pw[i] - 1) * yi : 1;                                                   \
        /* max(-x, 0) added before the log term: with y = 0, x + (-x) cancels exactly */        \
        T li = (1 - yi) * xi + lw * (xi < 0 ? -xi : 0) + lw * LOG1P(EXP(-ax));                  \
        out[i] = w ? li * w[i] : li;                                                            \
    }                                                                                           \
}                                                                                               \
/* sigmoid(x) and log sigmoid(x) from e = exp(-|x|) */                                          \
static inline T ct_sig_##SFX(T x, T e) { return x >= 0 ? 1 / (1 + e) : e / (1 + e); }           \
static inline T ct_logsig_##SFX(T x, T e) { return (x < 0 ? x : 0) - LOG1P(e); }                \
/* w and pw are never NULL here (ones stand in), so each loop body is branch-free */            \
static CT_CLONES void ct_bcel_seg_bwd_##SFX(const T *restrict x, const T *restrict y,           \
                                         const T *restrict w, const T *restrict pw,             \
                                         const T *restrict g, T G0, double scale, int64_t n,    \
                                         T *restrict gx, T *restrict gy) {                      \
    if (gx && g)                                                                                \
        for (int64_t i = 0; i < n; i++) {                                                       \
            T e = EXP(-(x[i] < 0 ? -x[i] : x[i]));                                              \
            T G = (T)(g[i] * scale);                                                            \
            gx[i] = G * w[i] * ((1 + (pw[i] - 1) * y[i]) * ct_sig_##SFX(x[i], e) - pw[i] * y[i]);\
        }                                                                                       \
    else if (gx)                                                                                \
        for (int64_t i = 0; i < n; i++) {                                                       \
            T e = EXP(-(x[i] < 0 ? -x[i] : x[i]));                                              \
            gx[i] = G0 * w[i] * ((1 + (pw[i] - 1) * y[i]) * ct_sig_##SFX(x[i], e) - pw[i] * y[i]); \
        }                                                                                       \
    if (gy && g)                                                                                \
        for (int64_t i = 0; i < n; i++) {                                                       \
            T e = EXP(-(x[i] < 0 ? -x[i] : x[i]));                                              \
            gy[i] = (T)(g[i] * scale) * w[i] * ((1 - pw[i]) * ct_logsig_##SFX(x[i], e) - x[i]); \
        }                                                                                       \
    else if (gy)                                                                                \
        for (int64_t i = 0; i < n; i++) {                                                       \
            T e = EXP(-(x[i] < 0 ? -x[i] : x[i]));                                              \
            gy[i] = G0 * w[i] * ((1 - pw[i]) * ct_logsig_##SFX(x[i], e) - x[i]);                \
        }                                                                                       \
}                                                                                               \
static CT_CLONES void ct_bcel_blk_fwd_##SFX(const T *x, const T *y, const T *w, int64_t wn,     \
                                            const T *pw, int64_t pwn, int64_t n, int64_t k,     \
                                            T *loss, double *part) {                            \
    int64_t i0 = k * CT_BCEL_BLK, i1 = i0 + CT_BCEL_BLK < n ? i0 + CT_BCEL_BLK : n;             \
    T tmp[CT_BCEL_BLK], *out = loss ? loss + i0 : tmp;                                          \
    CT_BCEL_SEGMENTS(i0, i1, w, wn, pw, pwn,                                                    \
        ct_bcel_seg_fwd_##SFX(x + i, y + i, w ? w + iw : NULL, pw ? pw + ip : NULL, len,        \
                              out + (i - i0)));                                                 \
    *part = ct_lanesum_##SFX(out, i1 - i0);                                                     \
}                                                                                               \
int ct_bce_logits_fwd_##SFX(const T *x, const T *y, const T *w, int64_t wn, const T *pw,        \
                            int64_t pwn, int64_t n, T *loss, double *tot) {                     \
    int64_t nblk = (n + CT_BCEL_BLK - 1) / CT_BCEL_BLK;                                         \
    double stack[CT_LOSS_STACK], *part = stack;                                                 \
    tot[0] = 0;                                                                                 \
    if (n == 0) return CT_OK;                                                                   \
    if ((w && wn <= 0) || (pw && pwn <= 0)) return CT_ERR_VALUE;                                \
    if (nblk > CT_LOSS_STACK && !(part = malloc(nblk * sizeof(double)))) return CT_ERR_NOMEM;   \
    int nth = ct_get_num_threads();                                                             \
    int par = n >= CT_LOSS_GRAIN && nth > 1;                                                    \
    CT_LOSS_FOR(par, nth, k, nblk, ct_bcel_blk_fwd_##SFX(x, y, w, wn, pw, pwn, n, k, loss, part + k)); \
    for (int64_t k = 0; k < nblk; k++) tot[0] += part[k];                                       \
    if (part != stack) free(part);                                                              \
    return CT_OK;                                                                               \
}                                                                                               \
static CT_CLONES void ct_bcel_blk_bwd_##SFX(const T *x, const T *y, const T *w, int64_t wn,     \
                                            const T *pw, int64_t pwn, int64_t n, int64_t k,     \
                                            const T *g, int64_t gstep, double scale, T *gx,     \
                                            T *gy) {                                            \
    int64_t i0 = k * CT_BCEL_BLK, i1 = i0 + CT_BCEL_BLK < n ? i0 + CT_BCEL_BLK : n;             \
    T G0 = (T)(g[0] * scale), ones[CT_BCEL_BLK];                                                \
    if (!w || !pw)                                                                              \
        for (int64_t i = 0; i < i1 - i0; i++) ones[i] = 1;                                      \
    CT_BCEL_SEGMENTS(i0, i1, w, wn, pw, pwn,                                                    \
        ct_bcel_seg_bwd_##SFX(x + i, y + i, w ? w + iw : ones, pw ? pw + ip : ones,             \
                              gstep ? g + i : NULL, G0, scale, len, gx ? gx + i : NULL,         \
                              gy ? gy + i : NULL));                                             \
}                                                                                               \
int ct_bce_logits_bwd_##SFX(const T *x, const T *y, const T *w, int64_t wn, const T *pw,        \
                            int64_t pwn, int64_t n, const T *g, int64_t gstep, double scale,    \
                            T *gx, T *gy) {                                                     \
    int64_t nblk = (n + CT_BCEL_BLK - 1) / CT_BCEL_BLK;                                         \
    if (n == 0) return CT_OK;                                                                   \
    if ((w && wn <= 0) || (pw && pwn <= 0)) return CT_ERR_VALUE;                                \
    int nth = ct_get_num_threads();                                                             \
    int par = n >= CT_LOSS_GRAIN && nth > 1;                                                    \
    CT_LOSS_FOR(par, nth, k, nblk,                                                              \
                ct_bcel_blk_bwd_##SFX(x, y, w, wn, pw, pwn, n, k, g, gstep, scale, gx, gy));    \
    return CT_OK;                                                                               \
}

/* loss = w [(1 - y) x + (1 + (pw - 1) y) log(1 + exp(-x))] */
CT_BCEL(f32, float, ct_expf_nonpos, ct_log1p_unitf)
CT_BCEL(f64, double, ct_expd, log1p)
