/* ct_rnn.c - fused recurrent layers (see ct_rnn.h).
 *
 * Forward, per direction: Xp = X W_ih^T (one gemm over all N rows, written where the
 * gate activations will be kept), then per step: gh = h_prev W_hh^T for each thread's gate
 * columns, the cell maths for its hidden units, a barrier. h_prev is read from the previous
 * step's output rows (or h0), so no state is copied.
 *
 * Backward, per step in reverse: dh = dh_next + dy; the cell's gate gradients dG; a barrier;
 * dh_prev = dG W_hh for each thread's output columns; a barrier. After the loop the weight
 * gradients are three gemms over all rows (dW_ih = dG^T X, dW_hh = dG^T H_prev, dX = dG W_ih)
 * and column sums.
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math")
/* the cells' exp/tanh polynomials contract into FMAs in the AVX-512 and Haswell-level AVX2
 * clones (results may differ in the last bit from the baseline clone, never with threads) */
#pragma GCC optimize("fp-contract=fast")
#endif
#include "ct_rnn.h"
#include "ct_math.h"
#include "ct_smallgemm.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#define CT_RNN_GRAIN 65536      /* multiply-adds per step below which the time loop runs on one thread */
#define CT_RNN_GEMM_GRAIN 262144 /* ... and per whole-sequence gemm */

#if defined(__GNUC__) && defined(__x86_64__) && defined(__linux__) && !defined(CT_NO_CLONES)
#define CT_CLONES __attribute__((target_clones("avx512f", "arch=haswell", "default")))
#else
#define CT_CLONES
#endif

int ct_rnn_gates(int mode) { return mode == CT_RNN_LSTM ? 4 : mode == CT_RNN_GRU ? 3 : 1; }

static int64_t ct_rnn_bsz(const ct_rnn_args *a, int64_t t) { return a->bs ? a->bs[t] : a->B; }

static int64_t ct_rnn_rows(const ct_rnn_args *a) {
    if (!a->bs) return a->nsteps * a->B;
    int64_t n = 0;
    for (int64_t t = 0; t < a->nsteps; t++) n += a->bs[t];
    return n;
}

int64_t ct_rnn_ws_size(const ct_rnn_args *a) {
    int64_t n = ct_rnn_rows(a);
    if (a->mode == CT_RNN_LSTM) return n * 5 * a->H;
    if (a->mode == CT_RNN_GRU) return n * 4 * a->H;
    return 0;
}

/* sigmoid(x) = 1 / (1 + exp(-x)), through exp(-|x|) <= 1 so it never overflows */
static inline float ct_sigmoidf(float x) {
    float e = ct_expf_nonpos(-fabsf(x));
    float s = 1.0f / (1.0f + e);
    return x >= 0 ? s : e * s;
}

/* tanh(x): odd Taylor series below |x| = 0.5 (next term < 5e-9), (1 - e)/(1 + e) with
 * e = exp(-2|x|) above (no cancellation there); branch-free so loops vectorise */
static inline float ct_tanhf(float x) {
    float ax = fabsf(x), x2 = ax * ax;
    float p = -1.455834e-3f;
    p = p * x2 + 3.592128e-3f;
    p = p * x2 - 8.863236e-3f;
    p = p * x2 + 2.1869489e-2f;
    p = p * x2 - 5.3968254e-2f;
    p = p * x2 + 0.13333333f;
    p = p * x2 - 0.33333333f;
    float small = ax + ax * x2 * p;
    float e = ct_expf_nonpos(-2.0f * ax);
    float big = (1.0f - e) / (1.0f + e);
    float r = ax < 0.5f ? small : big;
    return x < 0 ? -r : r;
}

static inline double ct_sigmoidd(double x) {
    double e = exp(-fabs(x)), s = 1.0 / (1.0 + e);
    return x >= 0 ? s : e * s;
}

static inline double ct_tanhd(double x) { return tanh(x); }

/* [lo, hi) of n split in nt slices of whole 16-wide blocks; slice k */
static void ct_rnn_slice(int64_t n, int nt, int k, int64_t *lo, int64_t *hi) {
    int64_t chunk = (n + nt - 1) / nt;
    chunk = (chunk + 15) / 16 * 16;
    *lo = k * chunk < n ? k * chunk : n;
    *hi = *lo + chunk < n ? *lo + chunk : n;
}

static int ct_rnn_loop_threads(const ct_rnn_args *a, int G) {
    int nth = ct_get_num_threads();
    int64_t lim = a->H / 16;
    if (nth <= 1 || (double)a->B * G * a->H * a->P < CT_RNN_GRAIN || lim < 2) return 1;
    return nth < lim ? nth : (int)lim;
}

static int ct_rnn_gemm_threads(double work) {
    int nth = ct_get_num_threads();
    return work < CT_RNN_GEMM_GRAIN || nth < 1 ? 1 : nth;
}

static int ct_rnn_thread(void) {
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

/* row offsets of each step in the N-row layout (off[T] = N) */
static int64_t *ct_rnn_offsets(const ct_rnn_args *a) {
    int64_t *off = (int64_t *)malloc((size_t)(a->nsteps + 1) * sizeof(int64_t));
    if (!off) return NULL;
    off[0] = 0;
    for (int64_t t = 0; t < a->nsteps; t++) off[t + 1] = off[t] + ct_rnn_bsz(a, t);
    return off;
}

/* the step processed before step s (in the direction's order), and how many of step t's rows
 * continue a row of it (the others start from h0) */
static void ct_rnn_prev(const ct_rnn_args *a, int64_t s, int64_t t, int64_t *tp, int64_t *nprev) {
    *tp = a->reverse ? t + 1 : t - 1;
    if (s == 0) { *nprev = 0; return; }
    int64_t n = ct_rnn_bsz(a, t), np = ct_rnn_bsz(a, *tp);
    *nprev = n < np ? n : np;
}

#define CT_RNN_DEFINE(FWD, BWD, SUF, T, SIG, TANH)                                              \
/* LSTM: i, f, g, o = sig, sig, tanh, sig(xg + hg + b); c = f cp + i g; h = o tanh(c) */       \
static CT_CLONES void ct_lstm_cell_##SUF(int64_t n, T *xg, const T *hg, const T *b, int64_t H,  \
                                          const T *cp, T *c, T *h) {                            \
    _Pragma("omp simd")                                                                        \
    for (int64_t u = 0; u < n; u++) {                                                          \
        T i = SIG(xg[u] + hg[u] + b[u]), f = SIG(xg[H + u] + hg[H + u] + b[H + u]);            \
        T g = TANH(xg[2 * H + u] + hg[2 * H + u] + b[2 * H + u]);                              \
        T o = SIG(xg[3 * H + u] + hg[3 * H + u] + b[3 * H + u]);                               \
        T cn = f * cp[u] + i * g;                                                              \
        xg[u] = i; xg[H + u] = f; xg[2 * H + u] = g; xg[3 * H + u] = o;                        \
        c[u] = cn;                                                                             \
        h[u] = o * TANH(cn);                                                                   \
    }                                                                                          \
}                                                                                              \
                                                                                               \
/* GRU: r, z = sig(xg + bi + hg + bh); nh = hg_n + bh_n; n = tanh(xg_n + bi_n + r nh);     \
 * h = (1-z) n + z hp */                                                                       \
static CT_CLONES void ct_gru_cell_##SUF(int64_t n, T *xg, const T *hg, const T *bi, const T *bh, \
                                         int64_t H, const T *hp, T *nhs, T *h) {                \
    _Pragma("omp simd")                                                                        \
    for (int64_t u = 0; u < n; u++) {                                                          \
        T r = SIG(xg[u] + bi[u] + hg[u] + bh[u]);                                              \
        T z = SIG(xg[H + u] + bi[H + u] + hg[H + u] + bh[H + u]);                              \
        T nh = hg[2 * H + u] + bh[2 * H + u];                                                  \
        T nn = TANH(xg[2 * H + u] + bi[2 * H + u] + r * nh);                                   \
        xg[u] = r; xg[H + u] = z; xg[2 * H + u] = nn;                                          \
        nhs[u] = nh;                                                                           \
        h[u] = (1 - z) * nn + z * hp[u];                                                       \
    }                                                                                          \
}                                                                                              \
                                                                                               \
/* RNN: h = tanh(h + hg + b) or relu(h + hg + b), h holding x W_ih^T */                      \
static CT_CLONES void ct_rnn_cell_##SUF(int64_t n, T *h, const T *hg, const T *b, int relu) {  \
    if (relu) {                                                                                \
        _Pragma("omp simd")                                                                    \
        for (int64_t u = 0; u < n; u++) { T v = h[u] + hg[u] + b[u]; h[u] = v > 0 ? v : (T)0; } \
    } else {                                                                                   \
        _Pragma("omp simd")                                                                    \
        for (int64_t u = 0; u < n; u++) h[u] = TANH(h[u] + hg[u] + b[u]);                      \
    }                                                                                          \
}                                                                                              \
                                                                                               \
/* LSTM backward: dc = dcs + dh o (1 - tanh(c)^2); dcs := dc f; gate pre-activation grads */    \
static CT_CLONES void ct_lstm_cell_bwd_##SUF(int64_t n, const T *dh, T *dcs, const T *ga,       \
                                              int64_t H, const T *c, const T *cp, T *dg, T *m) { \
    _Pragma("omp simd")                                                                      \
    for (int64_t u = 0; u < n; u++) {                                                          \
        T i = ga[u], f = ga[H + u], g = ga[2 * H + u], o = ga[3 * H + u];                      \
        T tc = TANH(c[u]);                                                                     \
        T dc = dcs[u] + dh[u] * o * (1 - tc * tc);                                             \
        T dout = dh[u] * tc;                                                                   \
        dcs[u] = dc * f;                                                                       \
        dg[u] = dc * g * i * (1 - i);                                                          \
        dg[H + u] = dc * cp[u] * f * (1 - f);                                                  \
        dg[2 * H + u] = dc * i * (1 - g * g);                                                  \
        dg[3 * H + u] = dout * o * (1 - o);                                                    \
        if (m) m[u] = o * tc;                                                                  \
    }                                                                                          \
}                                                                                              \
                                                                                               \
/* GRU backward: input-side grads dgi, hidden-side dgh (dgh_n = dgi_n r), dhs := dh z */         \
static CT_CLONES void ct_gru_cell_bwd_##SUF(int64_t n, const T *dh, const T *ga, int64_t H,     \
                                             const T *nhs, const T *hp, T *dgi, T *dgh, T *dhs) { \
    _Pragma("omp simd")                                                                      \
    for (int64_t u = 0; u < n; u++) {                                                          \
        T r = ga[u], z = ga[H + u], nn = ga[2 * H + u];                                        \
        T dnp = dh[u] * (1 - z) * (1 - nn * nn);                                               \
        T drp = dnp * nhs[u] * r * (1 - r);                                                    \
        T dzp = dh[u] * (hp[u] - nn) * z * (1 - z);                                            \
        dgi[u] = drp; dgi[H + u] = dzp; dgi[2 * H + u] = dnp;                                  \
        dgh[u] = drp; dgh[H + u] = dzp; dgh[2 * H + u] = dnp * r;                              \
        dhs[u] = dh[u] * z;                                                                    \
    }                                                                                          \
}                                                                                              \
                                                                                               \
/* RNN backward: dg = dh act'(h) */                                                            \
static CT_CLONES void ct_rnn_cell_bwd_##SUF(int64_t n, const T *dh, const T *h, T *dg, int relu) { \
    if (relu) {                                                                                \
        _Pragma("omp simd")                                                                    \
        for (int64_t u = 0; u < n; u++) dg[u] = h[u] > 0 ? dh[u] : (T)0;                       \
    } else {                                                                                   \
        _Pragma("omp simd")                                                                    \
        for (int64_t u = 0; u < n; u++) dg[u] = dh[u] * (1 - h[u] * h[u]);                     \
    }                                                                                          \
}                                                                                              \
                                                                                               \
/* dst (cols x rows) = src^T (rows x cols, row stride ld), in 16 x 16 tiles so the strided  \
 * writes stay in cache */                                                                     \
static void ct_rnn_transpose_##SUF(T *dst, const T *src, int64_t rows, int64_t cols, int64_t ld) { \
    for (int64_t r0 = 0; r0 < rows; r0 += 16)                                                  \
        for (int64_t c0 = 0; c0 < cols; c0 += 16) {                                            \
            int64_t r1 = r0 + 16 < rows ? r0 + 16 : rows, c1 = c0 + 16 < cols ? c0 + 16 : cols; \
            for (int64_t r = r0; r < r1; r++)                                                  \
                for (int64_t c = c0; c < c1; c++) dst[c * rows + r] = src[r * ld + c];         \
        }                                                                                      \
}                                                                                              \
                                                                                               \
/* out[j] = sum over n rows of a[r * ld + j] (rows in order: independent of thread counts) */   \
static CT_CLONES void ct_rnn_colsum_##SUF(T *restrict out, const T *a, int64_t n, int64_t cols, \
                                           int64_t ld) {                                        \
    memset(out, 0, (size_t)cols * sizeof(T));                                                  \
    for (int64_t r = 0; r < n; r++) {                                                          \
        const T *restrict row = a + r * ld;                                                    \
        for (int64_t j = 0; j < cols; j++) out[j] += row[j];                                   \
    }                                                                                          \
}                                                                                              \
                                                                                               \
int FWD(const ct_rnn_args *a, const T *x, const T *w_ih, const T *w_hh, const T *b_ih,          \
        const T *b_hh, const T *w_hr, const T *h0, const T *c0, T *y, int64_t ldy, T *hn, T *cn, \
        T *ws) {                                                                               \
    const int mode = a->mode, G = ct_rnn_gates(mode), relu = mode == CT_RNN_RELU;              \
    const int64_t H = a->H, P = a->P, In = a->In, B = a->B, Tn = a->nsteps, GH = G * H;               \
    int64_t *off = ct_rnn_offsets(a);                                                          \
    T *wiT = (T *)malloc((size_t)(In * GH + 1) * sizeof(T));                                    \
    T *whT = (T *)malloc((size_t)(P * GH + 1) * sizeof(T));                                    \
    T *gh = (T *)malloc((size_t)(B * GH + 1) * sizeof(T));                                     \
    T *wrT = w_hr ? (T *)malloc((size_t)(H * P + 1) * sizeof(T)) : NULL;                       \
    T *mb = w_hr ? (T *)malloc((size_t)(B * H + 1) * sizeof(T)) : NULL;                        \
    T *bz = (T *)calloc((size_t)(2 * GH + 1), sizeof(T));   /* bias sums / zeros */            \
    if (!off || !wiT || !whT || !gh || !bz || (w_hr && (!wrT || !mb))) {                       \
        free(off); free(wiT); free(whT); free(gh); free(wrT); free(mb); free(bz);              \
        return CT_ERR_NOMEM;                                                                   \
    }                                                                                          \
    const int64_t N = off[Tn];                                                                 \
    ct_rnn_transpose_##SUF(wiT, w_ih, GH, In, In);                                               \
    ct_rnn_transpose_##SUF(whT, w_hh, GH, P, P);                                               \
    if (w_hr) ct_rnn_transpose_##SUF(wrT, w_hr, P, H, H);                                      \
    /* the input projection of every step at once: into the gate workspace (RNN: into y) */    \
    T *xp = mode == CT_RNN_LSTM || mode == CT_RNN_GRU ? ws : y;                                \
    const int64_t ldx = xp == ws ? GH : ldy;                                                   \
    T *cs = ws ? ws + N * GH : NULL;          /* LSTM cells / GRU W_hn h + b_hn */             \
    ct_smallgemm_par_##SUF(ct_rnn_gemm_threads((double)N * GH * In), N, GH, In, x, In, 1, wiT, GH, \
                           xp, ldx, 0);                                                        \
    /* biases are added in the cells (no pass over the projection): LSTM/RNN use b_ih + b_hh, */ \
    /* GRU keeps them apart (b_hn sits inside r (.)) */                                        \
    T *bsum = bz + GH;                                                                         \
    for (int64_t j = 0; j < GH; j++) bsum[j] = (b_ih ? b_ih[j] : (T)0) + (b_hh ? b_hh[j] : (T)0); \
    const T *bi = b_ih ? b_ih : bz, *bh = b_hh ? b_hh : bz;                                    \
    int nt = ct_rnn_loop_threads(a, G);                                                        \
    _Pragma("omp parallel num_threads(nt)")                                                    \
    {                                                                                          \
        int k = nt > 1 ? ct_rnn_thread() : 0;                                                  \
        int64_t u0, u1, p0, p1;                                                                \
        ct_rnn_slice(H, nt, k, &u0, &u1);                                                      \
        ct_rnn_slice(P, nt, k, &p0, &p1);                                                      \
        const int64_t nu = u1 - u0;                                                            \
        for (int64_t s = 0; s < Tn; s++) {                                                     \
            int64_t t = a->reverse ? Tn - 1 - s : s, n = ct_rnn_bsz(a, t), tp, np;             \
            ct_rnn_prev(a, s, t, &tp, &np);                                                    \
            const T *hp = np ? y + off[tp] * ldy : NULL;                                       \
            /* gh = h_prev W_hh^T, this thread's gate columns (rows past np start from h0) */  \
            if (nu > 0) {                                                                      \
                int all = u0 == 0 && u1 == H;                                                  \
                for (int g = 0; g < (all ? 1 : G); g++) {                                      \
                    int64_t cb = all ? 0 : g * H + u0, nc = all ? GH : nu;                     \
                    if (np) ct_smallgemm_##SUF(np, nc, P, hp, ldy, 1, whT + cb, GH, gh + cb, GH, 0); \
                    if (n > np) ct_smallgemm_##SUF(n - np, nc, P, h0 + np * P, P, 1, whT + cb, GH, \
                                                   gh + np * GH + cb, GH, 0);                  \
                }                                                                              \
                for (int64_t r = 0; r < n; r++) {                                              \
                    int64_t row = off[t] + r;                                                  \
                    const T *hg = gh + r * GH + u0;                                            \
                    if (mode == CT_RNN_LSTM) {                                                 \
                        const T *cp = r < np ? cs + (off[tp] + r) * H : c0 + r * H;            \
                        T *hout = w_hr ? mb + r * H : y + row * ldy;                           \
                        ct_lstm_cell_##SUF(nu, ws + row * GH + u0, hg, bsum + u0, H, cp + u0, cs + row * H + u0, \
                                           hout + u0);                                        \
                    } else if (mode == CT_RNN_GRU) {                                           \
                        const T *hpr = r < np ? hp + r * ldy : h0 + r * P;                     \
                        ct_gru_cell_##SUF(nu, ws + row * GH + u0, hg, bi + u0, bh + u0, H, hpr + u0, \
                                          cs + row * H + u0, y + row * ldy + u0);              \
                    } else {                                                                   \
                        ct_rnn_cell_##SUF(nu, y + row * ldy + u0, hg, bsum + u0, relu);        \
                    }                                                                          \
                }                                                                              \
            }                                                                                  \
            if (w_hr) {                                                                        \
                _Pragma("omp barrier")                                                         \
                if (p1 > p0)                                                                   \
                    ct_smallgemm_##SUF(n, p1 - p0, H, mb, H, 1, wrT + p0, P, y + off[t] * ldy + p0, ldy, 0); \
            }                                                                                  \
            _Pragma("omp barrier")                                                             \
        }                                                                                      \
    }                                                                                          \
    /* last state of each row: its last step in this direction's order (h0 if never active) */ \
    for (int64_t r = 0; r < B; r++) {                                                          \
        int64_t tl = -1;                                                                       \
        if (a->reverse) tl = Tn > 0 && ct_rnn_bsz(a, 0) > r ? 0 : -1;                          \
        else while (tl + 1 < Tn && ct_rnn_bsz(a, tl + 1) > r) tl++;                            \
        memcpy(hn + r * P, tl >= 0 ? y + (off[tl] + r) * ldy : h0 + r * P, (size_t)P * sizeof(T)); \
        if (mode == CT_RNN_LSTM)                                                               \
            memcpy(cn + r * H, tl >= 0 ? cs + (off[tl] + r) * H : c0 + r * H, (size_t)H * sizeof(T)); \
    }                                                                                          \
    free(off); free(wiT); free(whT); free(gh); free(wrT); free(mb); free(bz);                  \
    return CT_OK;                                                                              \
}                                                                                              \
                                                                                               \
int BWD(const ct_rnn_args *a, const T *x, const T *w_ih, const T *w_hh, const T *w_hr,          \
        const T *h0, const T *c0, const T *y, int64_t ldy, const T *ws, const T *dy,            \
        int64_t lddy, const T *dhn, const T *dcn, T *dx, int dx_acc, T *dw_ih, T *dw_hh,        \
        T *db_ih, T *db_hh, T *dw_hr, T *dh0, T *dc0) {                                         \
    const int mode = a->mode, G = ct_rnn_gates(mode), relu = mode == CT_RNN_RELU;              \
    const int64_t H = a->H, P = a->P, In = a->In, B = a->B, Tn = a->nsteps, GH = G * H;               \
    int64_t *off = ct_rnn_offsets(a);                                                          \
    const int64_t N = off ? off[Tn] : 0;                                                       \
    T *dG = (T *)malloc((size_t)(N * GH + 1) * sizeof(T));                                     \
    T *dGh = mode == CT_RNN_GRU ? (T *)malloc((size_t)(N * GH + 1) * sizeof(T)) : dG;          \
    T *Hp = (T *)malloc((size_t)(N * P + 1) * sizeof(T));                                      \
    T *dHt = (T *)malloc((size_t)(N * P + 1) * sizeof(T));                                     \
    T *Mb = w_hr ? (T *)malloc((size_t)(N * H + 1) * sizeof(T)) : NULL;                        \
    T *dM = w_hr ? (T *)malloc((size_t)(B * H + 1) * sizeof(T)) : NULL;                        \
    if (!off || !dG || !dGh || !Hp || !dHt || (w_hr && (!Mb || !dM))) {                        \
        free(off); free(dG); if (dGh != dG) free(dGh); free(Hp); free(dHt); free(Mb); free(dM); \
        return CT_ERR_NOMEM;                                                                   \
    }                                                                                          \
    const T *cs = ws ? ws + N * GH : NULL;                                                     \
    T *dhs = dh0, *dcs = dc0;                  /* the running state gradients, in place */     \
    if (dhn) memcpy(dhs, dhn, (size_t)(B * P) * sizeof(T)); else memset(dhs, 0, (size_t)(B * P) * sizeof(T)); \
    if (mode == CT_RNN_LSTM) {                                                                 \
        if (dcn) memcpy(dcs, dcn, (size_t)(B * H) * sizeof(T)); else memset(dcs, 0, (size_t)(B * H) * sizeof(T)); \
    }                                                                                          \
    /* H_prev: the state each row started each step from */                                   \
    for (int64_t s = 0; s < Tn; s++) {                                                         \
        int64_t t = a->reverse ? Tn - 1 - s : s, n = ct_rnn_bsz(a, t), tp, np;                 \
        ct_rnn_prev(a, s, t, &tp, &np);                                                        \
        for (int64_t r = 0; r < n; r++)                                                        \
            memcpy(Hp + (off[t] + r) * P, r < np ? y + (off[tp] + r) * ldy : h0 + r * P,       \
                   (size_t)P * sizeof(T));                                                     \
    }                                                                                          \
    int nt = ct_rnn_loop_threads(a, G);                                                        \
    _Pragma("omp parallel num_threads(nt)")                                                    \
    {                                                                                          \
        int k = nt > 1 ? ct_rnn_thread() : 0;                                                  \
        int64_t u0, u1, p0, p1;                                                                \
        ct_rnn_slice(H, nt, k, &u0, &u1);                                                      \
        ct_rnn_slice(P, nt, k, &p0, &p1);                                                      \
        const int64_t nu = u1 - u0;                                                            \
        for (int64_t s = Tn - 1; s >= 0; s--) {                                                \
            int64_t t = a->reverse ? Tn - 1 - s : s, n = ct_rnn_bsz(a, t), tp, np;             \
            ct_rnn_prev(a, s, t, &tp, &np);                                                    \
            for (int64_t r = 0; r < n; r++) {                                                  \
                T *d = dHt + (off[t] + r) * P;                                                 \
                const T *g = dy + (off[t] + r) * lddy;                                         \
                for (int64_t p = p0; p < p1; p++) d[p] = dhs[r * P + p] + g[p];                \
            }                                                                                  \
            if (w_hr) {                                                                        \
                _Pragma("omp barrier")                                                         \
                if (nu > 0)                                                                    \
                    ct_smallgemm_##SUF(n, nu, P, dHt + off[t] * P, P, 1, w_hr + u0, H, dM + u0, H, 0); \
            }                                                                                  \
            for (int64_t r = 0; nu > 0 && r < n; r++) {                                        \
                int64_t row = off[t] + r;                                                      \
                if (mode == CT_RNN_LSTM) {                                                     \
                    const T *cp = r < np ? cs + (off[tp] + r) * H : c0 + r * H;                \
                    const T *dh = w_hr ? dM + r * H : dHt + row * P;                           \
                    ct_lstm_cell_bwd_##SUF(nu, dh + u0, dcs + r * H + u0, ws + row * GH + u0, H, \
                                           cs + row * H + u0, cp + u0, dG + row * GH + u0,     \
                                           w_hr ? Mb + row * H + u0 : NULL);                   \
                } else if (mode == CT_RNN_GRU) {                                               \
                    ct_gru_cell_bwd_##SUF(nu, dHt + row * P + u0, ws + row * GH + u0, H,       \
                                          cs + row * H + u0, Hp + row * P + u0, dG + row * GH + u0, \
                                          dGh + row * GH + u0, dhs + r * P + u0);              \
                } else {                                                                       \
                    ct_rnn_cell_bwd_##SUF(nu, dHt + row * P + u0, y + row * ldy + u0, dG + row * GH + u0, relu); \
                }                                                                              \
            }                                                                                  \
            _Pragma("omp barrier")                                                             \
            /* dh_prev = dG W_hh (GRU: added to the direct dh z) for this thread's columns */  \
            if (p1 > p0)                                                                       \
                ct_smallgemm_##SUF(n, p1 - p0, GH, dGh + off[t] * GH, GH, 1, w_hh + p0, P, dhs + p0, P, \
                                   mode == CT_RNN_GRU);                                        \
            _Pragma("omp barrier")                                                             \
        }                                                                                      \
    }                                                                                          \
    int nth = ct_rnn_gemm_threads((double)N * GH * (In + P));                                   \
    ct_smallgemm_par_##SUF(nth, GH, In, N, dG, 1, GH, x, In, dw_ih, In, 0);                       \
    ct_smallgemm_par_##SUF(nth, GH, P, N, dGh, 1, GH, Hp, P, dw_hh, P, 0);                     \
    if (dx) ct_smallgemm_par_##SUF(nth, N, In, GH, dG, GH, 1, w_ih, In, dx, In, dx_acc);          \
    if (db_ih) ct_rnn_colsum_##SUF(db_ih, dG, N, GH, GH);                                      \
    if (db_hh && dGh == dG && db_ih) memcpy(db_hh, db_ih, (size_t)GH * sizeof(T));             \
    else if (db_hh) ct_rnn_colsum_##SUF(db_hh, dGh, N, GH, GH);                                \
    if (w_hr && dw_hr) ct_smallgemm_par_##SUF(nth, P, H, N, dHt, 1, P, Mb, H, dw_hr, H, 0);    \
    free(off); free(dG); if (dGh != dG) free(dGh); free(Hp); free(dHt); free(Mb); free(dM);    \
    return CT_OK;                                                                              \
}

CT_RNN_DEFINE(ct_rnn_fwd_f32, ct_rnn_bwd_f32, f32, float, ct_sigmoidf, ct_tanhf)
CT_RNN_DEFINE(ct_rnn_fwd_f64, ct_rnn_bwd_f64, f64, double, ct_sigmoidd, ct_tanhd)
