/* ct_pool.c - pooling, resampling and grid sampling kernels (layout: see ct_pool.h).
 *
 * Every kernel splits independent planes (or images, for grid sampling) between OpenMP
 * threads; a backward kernel that scatters into its output does so only within its own plane,
 * so no two threads write the same value and results do not depend on the thread count.
 * Index and weight formulas follow PyTorch's (ATen UpSample.h / GridSampler.h) so that
 * results agree, computed in the kernel's own type as PyTorch does for float and double. */
#include "ct_pool.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CT_POOL_GRAIN 16384   /* below this much work a kernel runs on one thread */

static inline int64_t ct_imin(int64_t a, int64_t b) { return a < b ? a : b; }
static inline int64_t ct_imax(int64_t a, int64_t b) { return a > b ? a : b; }
static inline int ct_pool_threads(int64_t work) { return work >= CT_POOL_GRAIN ? ct_get_num_threads() : 1; }

/* The taps a = 0..k-1 of window start s (positions s + a*d) that fall inside [0, n): [lo, hi). */
static inline void ct_taps(int64_t s, int64_t k, int64_t d, int64_t n, int64_t *lo, int64_t *hi) {
    *lo = s >= 0 ? 0 : (-s + d - 1) / d;
    *hi = n - 1 - s < 0 ? 0 : ct_imin(k, (n - 1 - s) / d + 1);
    if (*lo > *hi) *lo = *hi;
}

/* ---------------------------------------------------------------- max pooling */

/* The in-range taps of every output position along each dim, computed once per call:
 * tab[2*o], tab[2*o + 1] = [lo, hi) for dim 0 outputs, then dim 1, then dim 2. */
static int64_t *ct_tap_table(const ct_pool_geom *g) {
    const int64_t n = g->osize[0] + g->osize[1] + g->osize[2];
    int64_t *tab = (int64_t *)malloc(sizeof(int64_t) * (size_t)(2 * n + 2)), *t = tab;
    if (!tab) return NULL;
    for (int d = 0; d < 3; d++)
        for (int64_t o = 0; o < g->osize[d]; o++, t += 2)
            ct_taps(o * g->stride[d] - g->pad[d], g->k[d], g->dil[d], g->isize[d], &t[0], &t[1]);
    return tab;
}

/* NaN wins, and among equal values the first in window order (as PyTorch) */
#define CT_TAKE(v, i) if ((v) > best || (v) != (v)) { best = (v); bi = (i); }

#define CT_MAXPOOL(NAME, T)                                                                      \
int NAME(const T *x, T *y, int64_t *idx, int64_t planes, const ct_pool_geom *g) {               \
    const int64_t ID = g->isize[0], IH = g->isize[1], IW = g->isize[2];                         \
    const int64_t OD = g->osize[0], OH = g->osize[1], OW = g->osize[2];                         \
    const int64_t X = ID * IH * IW, L = OD * OH * OW;                                           \
    const int64_t *dd = g->dil, *st = g->stride;                                                \
    /* 2x2 windows, stride 2, no padding: the CNN case, without the tap tables */               \
    const int k22 = ID == 1 && g->k[0] == 1 && g->k[1] == 2 && g->k[2] == 2 && st[1] == 2 && st[2] == 2 \
                    && g->pad[1] == 0 && g->pad[2] == 0 && dd[1] == 1 && dd[2] == 1             \
                    && 2 * OH <= IH && 2 * OW <= IW;                                            \
    int64_t *tab = ct_tap_table(g);                                                             \
    if (!tab) return CT_ERR_NOMEM;                                                              \
    const int64_t *t0 = tab, *t1 = tab + 2 * OD, *t2 = t1 + 2 * OH;                             \
    _Pragma("omp parallel for num_threads(ct_pool_threads(planes * L * g->k[0] * g->k[1] * g->k[2])) schedule(dynamic, 8)") \
    for (int64_t p = 0; p < planes; p++) {                                                      \
        const T *xp = x + p * X;                                                                \
        T *yp = y + p * L;                                                                      \
        int64_t *ip = idx ? idx + p * L : NULL;                                                 \
        if (k22) {                                                                              \
            for (int64_t oh = 0; oh < OH; oh++) {                                               \
                const int64_t r = 2 * oh * IW;                                                  \
                const T *r0 = xp + r, *r1 = r0 + IW;                                            \
                T *yo = yp + oh * OW;                                                           \
                if (!ip) {                                                                      \
                    for (int64_t ow = 0; ow < OW; ow++) {                                       \
                        const int64_t j = 2 * ow;                                               \
                        T best = r0[j];                                                         \
                        int64_t bi = 0;                                                         \
                        CT_TAKE(r0[j + 1], 0) CT_TAKE(r1[j], 0) CT_TAKE(r1[j + 1], 0)           \
                        (void)bi;                                                               \
                        yo[ow] = best;                                                          \
                    }                                                                           \
                    continue;                                                                   \
                }                                                                               \
                /* the winning tap as a T code (0..3) keeps the loop one vector type wide */     \
                int64_t *io = ip + oh * OW;                                                     \
                for (int64_t o0 = 0; o0 < OW; o0 += 256) {                                      \
                    const int64_t n = ct_imin(256, OW - o0);                                    \
                    T code[256];                                                                \
                    for (int64_t u = 0; u < n; u++) {                                           \
                        const int64_t j = 2 * (o0 + u);                                         \
                        T best = r0[j], bi = 0;                                                 \
                        CT_TAKE(r0[j + 1], 1) CT_TAKE(r1[j], 2) CT_TAKE(r1[j + 1], 3)           \
                        yo[o0 + u] = best;                                                      \
                        code[u] = bi;                                                           \
                    }                                                                           \
                    for (int64_t u = 0; u < n; u++) {                                           \
                        const int64_t c = (int64_t)code[u];                                     \
                        io[o0 + u] = r + 2 * (o0 + u) + (c >> 1) * IW + (c & 1);                \
                    }                                                                           \
                }                                                                               \
            }                                                                                   \
            continue;                                                                           \
        }                                                                                       \
        for (int64_t od = 0; od < OD; od++) {                                                   \
            const int64_t d0 = od * st[0] - g->pad[0], alo = t0[2 * od], ahi = t0[2 * od + 1];  \
            for (int64_t oh = 0; oh < OH; oh++) {                                               \
                const int64_t h0 = oh * st[1] - g->pad[1], blo = t1[2 * oh], bhi = t1[2 * oh + 1]; \
                for (int64_t ow = 0; ow < OW; ow++) {                                           \
                    const int64_t w0 = ow * st[2] - g->pad[2], elo = t2[2 * ow], ehi = t2[2 * ow + 1]; \
                    int64_t bi = ((d0 + alo * dd[0]) * IH + h0 + blo * dd[1]) * IW + w0 + elo * dd[2]; \
                    T best = -INFINITY;                                                         \
                    for (int64_t a = alo; a < ahi; a++)                                         \
                        for (int64_t b = blo; b < bhi; b++) {                                   \
                            const int64_t r = ((d0 + a * dd[0]) * IH + h0 + b * dd[1]) * IW + w0;  \
                            for (int64_t e = elo; e < ehi; e++) {                               \
                                const T v = xp[r + e * dd[2]];                                  \
                                CT_TAKE(v, r + e * dd[2])                                       \
                            }                                                                   \
                        }                                                                       \
                    const int64_t o = (od * OH + oh) * OW + ow;                                 \
                    yp[o] = best;                                                               \
                    if (ip) ip[o] = bi;                                                         \
                }                                                                               \
            }                                                                                   \
        }                                                                                       \
    }                                                                                           \
    free(tab);                                                                                  \
    return CT_OK;                                                                               \
}

CT_MAXPOOL(ct_maxpool_f32, float)
CT_MAXPOOL(ct_maxpool_f64, double)

/* ---------------------------------------------------------------- average pooling
 * Window o spans [o*s - p, min(o*s - p + k, n + p)) (its padded size), clipped to [0, n). */
#define CT_AVG_WINDOW(D)                                                                         \
    int64_t s##D = o##D * g->stride[D] - g->pad[D];                                             \
    int64_t e##D = ct_imin(s##D + g->k[D], g->isize[D] + g->pad[D]);                            \
    int64_t n##D = e##D - s##D;                                                                 \
    s##D = ct_imax(s##D, 0);                                                                    \
    e##D = ct_imin(e##D, g->isize[D]);

#define CT_AVGPOOL(NAME, T, BWD)                                                                 \
int NAME(const T *src, T *dst, int64_t planes, const ct_pool_geom *g, int count_include_pad,     \
         int64_t divisor_override) {                                                           \
    const int64_t IH = g->isize[1], IW = g->isize[2];                                           \
    const int64_t OD = g->osize[0], OH = g->osize[1], OW = g->osize[2];                         \
    const int64_t X = g->isize[0] * IH * IW, L = OD * OH * OW;                                  \
    _Pragma("omp parallel for num_threads(ct_pool_threads(planes * L * g->k[0] * g->k[1] * g->k[2])) schedule(dynamic, 8)") \
    for (int64_t p = 0; p < planes; p++) {                                                      \
        const T *sp = src + p * (BWD ? L : X);                                                  \
        T *dp = dst + p * (BWD ? X : L);                                                        \
        if (BWD) memset(dp, 0, (size_t)X * sizeof(T));                                          \
        for (int64_t o0 = 0; o0 < OD; o0++) {                                                   \
            CT_AVG_WINDOW(0)                                                                    \
            for (int64_t o1 = 0; o1 < OH; o1++) {                                               \
                CT_AVG_WINDOW(1)                                                                \
                for (int64_t o2 = 0; o2 < OW; o2++) {                                           \
                    CT_AVG_WINDOW(2)                                                            \
                    int64_t o = (o0 * OH + o1) * OW + o2;                                       \
                    if (s0 >= e0 || s1 >= e1 || s2 >= e2) {                                     \
                        if (!BWD) dp[o] = 0;                                                    \
                        continue;                                                               \
                    }                                                                           \
                    T div = divisor_override != 0 ? (T)divisor_override                         \
                          : count_include_pad ? (T)(n0 * n1 * n2)                               \
                          : (T)((e0 - s0) * (e1 - s1) * (e2 - s2));                             \
                    if (BWD) {                                                                  \
                        T v = sp[o] / div;                                                      \
                        for (int64_t a = s0; a < e0; a++)                                       \
                            for (int64_t b = s1; b < e1; b++)                                   \
                                for (int64_t c = s2; c < e2; c++) dp[(a * IH + b) * IW + c] += v;  \
                    } else {                                                                    \
                        T sum = 0;                                                              \
                        for (int64_t a = s0; a < e0; a++)                                       \
                            for (int64_t b = s1; b < e1; b++)                                   \
                                for (int64_t c = s2; c < e2; c++) sum += sp[(a * IH + b) * IW + c]; \
                        dp[o] = sum / div;                                                      \
                    }                                                                           \
                }                                                                               \
            }                                                                                   \
        }                                                                                       \
    }                                                                                           \
    return CT_OK;                                                                               \
}

CT_AVGPOOL(ct_avgpool_f32, float, 0)
CT_AVGPOOL(ct_avgpool_f64, double, 0)
CT_AVGPOOL(ct_avgpool_bwd_f32, float, 1)
CT_AVGPOOL(ct_avgpool_bwd_f64, double, 1)

/* ---------------------------------------------------------------- adaptive pooling */
#define CT_ADA_WINDOW(D)                                                                         \
    const int64_t s##D = o##D * isize[D] / osize[D];                                            \
    const int64_t e##D = ((o##D + 1) * isize[D] + osize[D] - 1) / osize[D];

/* kind 0: average, 1: average backward, 2: max (+ indices) */
#define CT_ADAPTIVE(NAME, T, KIND)                                                               \
int NAME(const T *src, T *dst, int64_t planes, const int64_t *isize, const int64_t *osize) {    \
    return NAME##_idx(src, dst, NULL, planes, isize, osize);                                    \
}

#define CT_ADAPTIVE_IDX(NAME, T, KIND)                                                           \
static int NAME(const T *src, T *dst, int64_t *idx, int64_t planes, const int64_t *isize,       \
                const int64_t *osize) {                                                         \
    const int64_t IH = isize[1], IW = isize[2], OD = osize[0], OH = osize[1], OW = osize[2];    \
    const int64_t X = isize[0] * IH * IW, L = OD * OH * OW;                                     \
    _Pragma("omp parallel for num_threads(ct_pool_threads(planes * (X > L ? X : L))) schedule(dynamic, 8)") \
    for (int64_t p = 0; p < planes; p++) {                                                      \
        const T *sp = src + p * (KIND == 1 ? L : X);                                            \
        T *dp = dst + p * (KIND == 1 ? X : L);                                                  \
        int64_t *ip = idx ? idx + p * L : NULL;                                                 \
        if (KIND == 1) memset(dp, 0, (size_t)X * sizeof(T));                                    \
        for (int64_t o0 = 0; o0 < OD; o0++) {                                                   \
            CT_ADA_WINDOW(0)                                                                    \
            for (int64_t o1 = 0; o1 < OH; o1++) {                                               \
                CT_ADA_WINDOW(1)                                                                \
                for (int64_t o2 = 0; o2 < OW; o2++) {                                           \
                    CT_ADA_WINDOW(2)                                                            \
                    const int64_t o = (o0 * OH + o1) * OW + o2;                                 \
                    const T cnt = (T)((e0 - s0) * (e1 - s1) * (e2 - s2));                       \
                    T acc = KIND == 2 ? -INFINITY : 0, v1 = KIND == 1 ? sp[o] / cnt : 0;       \
                    int64_t bi = (s0 * IH + s1) * IW + s2;                                      \
                    for (int64_t a = s0; a < e0; a++)                                           \
                        for (int64_t b = s1; b < e1; b++)                                       \
                            for (int64_t c = s2; c < e2; c++) {                                 \
                                const int64_t i = (a * IH + b) * IW + c;                        \
                                if (KIND == 0) acc += sp[i];                                    \
                                else if (KIND == 1) dp[i] += v1;                                \
                                else if (sp[i] > acc || sp[i] != sp[i]) { acc = sp[i]; bi = i; } \
                            }                                                                   \
                    if (KIND == 0) dp[o] = acc / cnt;                                           \
                    if (KIND == 2) { dp[o] = acc; ip[o] = bi; }                                 \
                }                                                                               \
            }                                                                                   \
        }                                                                                       \
    }                                                                                           \
    return CT_OK;                                                                               \
}

CT_ADAPTIVE_IDX(ct_adaptive_avg_f32_idx, float, 0)
CT_ADAPTIVE_IDX(ct_adaptive_avg_f64_idx, double, 0)
CT_ADAPTIVE_IDX(ct_adaptive_avg_bwd_f32_idx, float, 1)
CT_ADAPTIVE_IDX(ct_adaptive_avg_bwd_f64_idx, double, 1)
CT_ADAPTIVE_IDX(ct_adaptive_max_f32_idx, float, 2)
CT_ADAPTIVE_IDX(ct_adaptive_max_f64_idx, double, 2)
CT_ADAPTIVE(ct_adaptive_avg_f32, float, 0)
CT_ADAPTIVE(ct_adaptive_avg_f64, double, 0)
CT_ADAPTIVE(ct_adaptive_avg_bwd_f32, float, 1)
CT_ADAPTIVE(ct_adaptive_avg_bwd_f64, double, 1)

int ct_adaptive_max_f32(const float *x, float *y, int64_t *idx, int64_t planes, const int64_t *isize,
                        const int64_t *osize) {
    return ct_adaptive_max_f32_idx(x, y, idx, planes, isize, osize);
}

int ct_adaptive_max_f64(const double *x, double *y, int64_t *idx, int64_t planes, const int64_t *isize,
                        const int64_t *osize) {
    return ct_adaptive_max_f64_idx(x, y, idx, planes, isize, osize);
}

/* ---------------------------------------------------------------- index scatter / gather */

#define CT_PLANE_SCATTER(NAME, T)                                                                \
int NAME(const T *src, const int64_t *idx, T *out, int64_t planes, int64_t L, int64_t X,         \
         int accumulate) {                                                                      \
    int bad = 0;                                                                                \
    _Pragma("omp parallel for num_threads(ct_pool_threads(planes * (L > X ? L : X))) schedule(dynamic, 8) reduction(|:bad)") \
    for (int64_t p = 0; p < planes; p++) {                                                      \
        T *op = out + p * X;                                                                    \
        const T *sp = src + p * L;                                                              \
        const int64_t *ip = idx + p * L;                                                        \
        memset(op, 0, (size_t)X * sizeof(T));                                                   \
        for (int64_t l = 0; l < L; l++) {                                                       \
            int64_t i = ip[l];                                                                  \
            if (i < 0 || i >= X) { bad = 1; continue; }                                         \
            if (accumulate) op[i] += sp[l];                                                     \
            else op[i] = sp[l];                                                                 \
        }                                                                                       \
    }                                                                                           \
    return bad ? CT_ERR_INDEX : CT_OK;                                                          \
}

#define CT_PLANE_GATHER(NAME, T)                                                                 \
int NAME(const T *src, const int64_t *idx, T *out, int64_t planes, int64_t L, int64_t X) {       \
    int bad = 0;                                                                                \
    _Pragma("omp parallel for num_threads(ct_pool_threads(planes * L)) schedule(dynamic, 8) reduction(|:bad)") \
    for (int64_t p = 0; p < planes; p++) {                                                      \
        const T *sp = src + p * X;                                                              \
        T *op = out + p * L;                                                                    \
        const int64_t *ip = idx + p * L;                                                        \
        for (int64_t l = 0; l < L; l++) {                                                       \
            int64_t i = ip[l];                                                                  \
            if (i < 0 || i >= X) { bad = 1; op[l] = 0; continue; }                              \
            op[l] = sp[i];                                                                      \
        }                                                                                       \
    }                                                                                           \
    return bad ? CT_ERR_INDEX : CT_OK;                                                          \
}

CT_PLANE_SCATTER(ct_plane_scatter_f32, float)
CT_PLANE_SCATTER(ct_plane_scatter_f64, double)
CT_PLANE_GATHER(ct_plane_gather_f32, float)
CT_PLANE_GATHER(ct_plane_gather_f64, double)

/* ---------------------------------------------------------------- cubic convolution weights
 * w[0..3] := the weights (A = -0.75, as ATen) of the taps at offsets -1, 0, 1, 2 from floor(s),
 * t = s - floor(s); the _grad variant gives their derivatives in t. */
#define CT_CUBIC(SUF, T)                                                                         \
static inline void ct_cubic_##SUF(T t, T *w) {                                                  \
    const T A = (T)-0.75, x1 = t, x2 = 1 - t;                                                   \
    w[0] = ((A * (x1 + 1) - 5 * A) * (x1 + 1) + 8 * A) * (x1 + 1) - 4 * A;                      \
    w[1] = ((A + 2) * x1 - (A + 3)) * x1 * x1 + 1;                                              \
    w[2] = ((A + 2) * x2 - (A + 3)) * x2 * x2 + 1;                                              \
    w[3] = ((A * (x2 + 1) - 5 * A) * (x2 + 1) + 8 * A) * (x2 + 1) - 4 * A;                      \
}                                                                                               \
static inline void ct_cubic_grad_##SUF(T t, T *w) {                                             \
    const T A = (T)-0.75;                                                                       \
    T x = -1 - t;                                                                               \
    w[0] = (-3 * A * x - 10 * A) * x - 8 * A;                                                   \
    x = -t;                                                                                     \
    w[1] = (-3 * (A + 2) * x - 2 * (A + 3)) * x;                                                \
    x = 1 - t;                                                                                  \
    w[2] = (3 * (A + 2) * x - 2 * (A + 3)) * x;                                                 \
    x = 2 - t;                                                                                  \
    w[3] = (3 * A * x - 10 * A) * x + 8 * A;                                                    \
}

CT_CUBIC(f32, float)
CT_CUBIC(f64, double)

/* ---------------------------------------------------------------- resampling
 * Per resized dim a table of taps (index, weight) per output position: 1 tap for nearest,
 * 2 for linear, 4 for cubic (indices clamped to the input, as PyTorch's upsample kernels).
 * Scale and source-index arithmetic is done in T, the kernel's type, as in ATen. */
#define CT_RS_TABLE(NAME, T, FLOOR, CUBIC)                                                       \
static void NAME(int mode, int64_t in, int64_t out, double scale, int align, int64_t *ix, T *wt) { \
    /* compute_scales_value: 1/scale when a scale factor was given, else in/out */               \
    T sc = scale > 0 ? (T)(1.0 / scale) : (T)in / (T)out;                                       \
    if (mode == CT_RS_NEAREST || mode == CT_RS_NEAREST_EXACT) {                                 \
        for (int64_t o = 0; o < out; o++) {                                                     \
            int64_t i;                                                                          \
            if (in == out) i = o;                                                               \
            else if (mode == CT_RS_NEAREST && out == 2 * in) i = o >> 1;                        \
            else if (mode == CT_RS_NEAREST) i = ct_imin((int64_t)FLOOR((T)o * sc), in - 1);     \
            else i = ct_imin((int64_t)FLOOR(((T)o + (T)0.5) * sc), in - 1);                     \
            ix[o] = i;                                                                          \
            wt[o] = 1;                                                                          \
        }                                                                                       \
        return;                                                                                 \
    }                                                                                           \
    /* area_pixel_compute_scale */                                                              \
    T asc = align ? (out > 1 ? (T)(in - 1) / (T)(out - 1) : (T)0) : sc;                         \
    for (int64_t o = 0; o < out; o++) {                                                         \
        T src = align ? asc * (T)o : asc * ((T)o + (T)0.5) - (T)0.5;                            \
        if (mode == CT_RS_LINEAR) {                                                             \
            if (!align && src < 0) src = 0;                                                     \
            int64_t i0 = ct_imin((int64_t)FLOOR(src), in - 1);                                  \
            T lam = src - (T)i0;                                                                \
            lam = lam < 0 ? 0 : lam > 1 ? 1 : lam;                                              \
            ix[2 * o] = i0;                                                                     \
            ix[2 * o + 1] = i0 + (i0 < in - 1 ? 1 : 0);                                         \
            wt[2 * o] = (T)1 - lam;                                                             \
            wt[2 * o + 1] = lam;                                                                \
        } else {                                                                                \
            T fl = FLOOR(src);                                                                  \
            int64_t i0 = (int64_t)fl;                                                           \
            CUBIC(src - fl, wt + 4 * o);                                                        \
            for (int tp = 0; tp < 4; tp++) ix[4 * o + tp] = ct_imin(ct_imax(i0 - 1 + tp, 0), in - 1); \
        }                                                                                       \
    }                                                                                           \
}

CT_RS_TABLE(ct_rs_table_f32, float, floorf, ct_cubic_f32)
CT_RS_TABLE(ct_rs_table_f64, double, floor, ct_cubic_f64)

static int ct_rs_taps(int mode) {
    return mode == CT_RS_LINEAR ? 2 : mode == CT_RS_CUBIC ? 4 : 1;
}

/* y[o0,o1,o2] = sum_a w0[a] * (sum_b w1[b] * (sum_c w2[c] * x[i0[a], i1[b], i2[c]])) (PyTorch's
 * nesting, so results match it to the last bit where it does the same arithmetic), computed a
 * row at a time: each (a, b) pair adds one weighted input row, the width taps unrolled. The
 * backward adds each product's weight times gy into gx, row by row likewise. Dims that keep
 * their size with nearest modes are identity tables (one tap, weight 1). */
#define CT_RS_TABLES(T, TABLE)                                                                   \
    int64_t nt[3], *ix[3];                                                                      \
    T *wt[3];                                                                                   \
    int err = CT_OK;                                                                            \
    for (int d = 0; d < 3; d++) {                                                               \
        int m = (isize[d] == 1 && osize[d] == 1) ? CT_RS_NEAREST : mode;                        \
        nt[d] = ct_rs_taps(m);                                                                  \
        ix[d] = (int64_t *)malloc(sizeof(int64_t) * (size_t)(nt[d] * osize[d] + 1));           \
        wt[d] = (T *)malloc(sizeof(T) * (size_t)(nt[d] * osize[d] + 1));                       \
        if (!ix[d] || !wt[d]) err = CT_ERR_NOMEM;                                               \
        else TABLE(m, isize[d], osize[d], scales[d], align_corners, ix[d], wt[d]);              \
    }                                                                                           \
    const int64_t IH = isize[1], IW = isize[2], OD = osize[0], OH = osize[1], OW = osize[2];    \
    const int64_t X = isize[0] * IH * IW, L = OD * OH * OW;

#define CT_RESAMPLE(NAME, T, TABLE)                                                              \
int NAME(const T *src, T *dst, int64_t planes, const int64_t *isize, const int64_t *osize,       \
         const double *scales, int mode, int align_corners) {                                   \
    CT_RS_TABLES(T, TABLE)                                                                      \
    if (err == CT_OK)                                                                           \
    _Pragma("omp parallel num_threads(ct_pool_threads(planes * L * nt[1] * nt[2]))")            \
    {                                                                                           \
        T *tmp = (T *)malloc(sizeof(T) * (size_t)(OW + 1));                                     \
        if (!tmp) {                                                                             \
            _Pragma("omp atomic write")                                                         \
            err = CT_ERR_NOMEM;                                                                 \
        }                                                                                       \
        _Pragma("omp for schedule(dynamic, 8)")                                                 \
        for (int64_t p = 0; p < planes; p++) {                                                  \
            if (!tmp) continue;                                                                 \
            const T *sp = src + p * X;                                                          \
            const int64_t *i2 = ix[2];                                                          \
            const T *w2 = wt[2];                                                                \
            for (int64_t o0 = 0; o0 < OD; o0++)                                                 \
                for (int64_t o1 = 0; o1 < OH; o1++) {                                           \
                    T *yr = dst + p * L + (o0 * OH + o1) * OW;                                  \
                    for (int64_t a = 0; a < nt[0]; a++) {                                       \
                        const int64_t ia = ix[0][o0 * nt[0] + a];                               \
                        const T wa = wt[0][o0 * nt[0] + a];                                     \
                        for (int64_t b = 0; b < nt[1]; b++) {                                   \
                            const T wb = wt[1][o1 * nt[1] + b];                                 \
                            const T *xr = sp + (ia * IH + ix[1][o1 * nt[1] + b]) * IW;          \
                            for (int64_t o2 = 0; o2 < OW; o2++) {                               \
                                T v;                                                            \
                                if (nt[2] == 1) v = w2[o2] * xr[i2[o2]];                        \
                                else if (nt[2] == 2)                                            \
                                    v = w2[2 * o2] * xr[i2[2 * o2]] + w2[2 * o2 + 1] * xr[i2[2 * o2 + 1]]; \
                                else                                                            \
                                    v = w2[4 * o2] * xr[i2[4 * o2]] + w2[4 * o2 + 1] * xr[i2[4 * o2 + 1]] \
                                        + w2[4 * o2 + 2] * xr[i2[4 * o2 + 2]]                   \
                                        + w2[4 * o2 + 3] * xr[i2[4 * o2 + 3]];                  \
                                tmp[o2] = b ? tmp[o2] + wb * v : wb * v;                        \
                            }                                                                   \
                        }                                                                       \
                        for (int64_t o2 = 0; o2 < OW; o2++) yr[o2] = a ? yr[o2] + wa * tmp[o2] : wa * tmp[o2]; \
                    }                                                                           \
                }                                                                               \
        }                                                                                       \
        free(tmp);                                                                              \
    }                                                                                           \
    for (int d = 0; d < 3; d++) { free(ix[d]); free(wt[d]); }                                   \
    return err;                                                                                 \
}

#define CT_RESAMPLE_BWD(NAME, T, TABLE)                                                          \
int NAME(const T *src, T *dst, int64_t planes, const int64_t *isize, const int64_t *osize,       \
         const double *scales, int mode, int align_corners) {                                   \
    CT_RS_TABLES(T, TABLE)                                                                      \
    if (err == CT_OK) {                                                                         \
        _Pragma("omp parallel for num_threads(ct_pool_threads(planes * L * nt[1] * nt[2])) schedule(dynamic, 8)") \
        for (int64_t p = 0; p < planes; p++) {                                                  \
            T *dp = dst + p * X;                                                                \
            memset(dp, 0, (size_t)X * sizeof(T));                                               \
            for (int64_t o0 = 0; o0 < OD; o0++)                                                 \
                for (int64_t o1 = 0; o1 < OH; o1++) {                                           \
                    const T *g = src + p * L + (o0 * OH + o1) * OW;                             \
                    for (int64_t a = 0; a < nt[0]; a++)                                         \
                        for (int64_t b = 0; b < nt[1]; b++) {                                   \
                            const T wab = wt[0][o0 * nt[0] + a] * wt[1][o1 * nt[1] + b];        \
                            T *xr = dp + (ix[0][o0 * nt[0] + a] * IH + ix[1][o1 * nt[1] + b]) * IW; \
                            for (int64_t o2 = 0; o2 < OW; o2++)                                 \
                                for (int64_t c = 0; c < nt[2]; c++)                             \
                                    xr[ix[2][o2 * nt[2] + c]] += wab * wt[2][o2 * nt[2] + c] * g[o2]; \
                        }                                                                       \
                }                                                                               \
        }                                                                                       \
    }                                                                                           \
    for (int d = 0; d < 3; d++) { free(ix[d]); free(wt[d]); }                                   \
    return err;                                                                                 \
}

CT_RESAMPLE(ct_resample_f32, float, ct_rs_table_f32)
CT_RESAMPLE(ct_resample_f64, double, ct_rs_table_f64)
CT_RESAMPLE_BWD(ct_resample_bwd_f32, float, ct_rs_table_f32)
CT_RESAMPLE_BWD(ct_resample_bwd_f64, double, ct_rs_table_f64)

/* ---------------------------------------------------------------- grid sampling
 * Source coordinates as in ATen's GridSampler.h: unnormalize [-1, 1] to pixels, then apply the
 * padding mode (clip, or reflect then clip); the _g variants also return the derivative of the
 * result with respect to the grid value. Non-finite or huge coordinates become -100 (outside). */
#define CT_GS_HELPERS(SUF, T, FLOOR, FMOD, FABS)                                                 \
static inline T ct_gs_unnorm_##SUF(T c, int64_t n, int align, T *g) {                           \
    if (align) { *g = (T)(n - 1) / 2; return ((c + 1) / 2) * (T)(n - 1); }                      \
    *g = (T)n / 2;                                                                              \
    return ((c + 1) * (T)n - 1) / 2;                                                            \
}                                                                                               \
static inline T ct_gs_clip_##SUF(T c, int64_t n, T *g) {                                        \
    if (c <= 0) { *g = 0; return 0; }                                                           \
    T hi = (T)(n - 1);                                                                          \
    if (c >= hi) { *g = 0; return hi; }                                                         \
    *g = 1;                                                                                     \
    return c;                                                                                   \
}                                                                                               \
static inline T ct_gs_reflect_##SUF(T c, T twice_lo, T twice_hi, T *g) {                        \
    if (twice_lo == twice_hi) { *g = 0; return 0; }                                             \
    T lo = twice_lo / 2, span = (twice_hi - twice_lo) / 2, sgn = 1;                             \
    c = c - lo;                                                                                 \
    if (c < 0) { sgn = -1; c = -c; }                                                            \
    T extra = FMOD(c, span);                                                                    \
    int64_t flips = (int64_t)FLOOR(c / span);                                                   \
    if (flips % 2 == 0) { *g = sgn; return extra + lo; }                                        \
    *g = -sgn;                                                                                  \
    return span - extra + lo;                                                                   \
}                                                                                               \
/* the padding mode applied to an unnormalized coordinate */                                    \
static inline T ct_gs_pad_##SUF(T c, int64_t n, int padding, int align, T *g) {                 \
    T g1 = 1, g2 = 1;                                                                           \
    if (padding == CT_GS_BORDER) c = ct_gs_clip_##SUF(c, n, &g1);                               \
    else if (padding == CT_GS_REFLECTION) {                                                     \
        if (align) c = ct_gs_reflect_##SUF(c, 0, (T)(2 * (n - 1)), &g1);                        \
        else c = ct_gs_reflect_##SUF(c, -1, (T)(2 * n - 1), &g1);                               \
        c = ct_gs_clip_##SUF(c, n, &g2);                                                        \
    }                                                                                           \
    if (!(c > -2e9 && c < 2e9)) c = -100;                                                       \
    *g = g1 * g2;                                                                               \
    return c;                                                                                   \
}                                                                                               \
static inline T ct_gs_source_##SUF(T c, int64_t n, int padding, int align, T *g) {              \
    T g1, g2;                                                                                   \
    c = ct_gs_unnorm_##SUF(c, n, align, &g1);                                                   \
    c = ct_gs_pad_##SUF(c, n, padding, align, &g2);                                             \
    *g = g1 * g2;                                                                               \
    return c;                                                                                   \
}                                                                                               \
/* a bicubic tap: its position after the padding mode, or -1 when it falls outside */          \
static inline int64_t ct_gs_tap_##SUF(int64_t i, int64_t n, int padding, int align) {           \
    T g, c = ct_gs_pad_##SUF((T)i, n, padding, align, &g);                                      \
    int64_t k = (int64_t)c;                                                                     \
    return (k >= 0 && k < n) ? k : -1;                                                          \
}                                                                                               \
/* the 4 x 4 bicubic neighbourhood of grid point gq = (x, y): tap columns tx and rows ty (-1       \
 * outside), the unnormalizing derivatives *mx, *my and the fractions *u, *v past the floor */  \
static inline void ct_gs_bicubic_##SUF(const T *gq, int64_t IH, int64_t IW, int padding, int align, \
                                       int64_t *tx, int64_t *ty, T *mx, T *my, T *u, T *v) {    \
    const T ix = ct_gs_unnorm_##SUF(gq[0], IW, align, mx), iy = ct_gs_unnorm_##SUF(gq[1], IH, align, my); \
    const T fx = FLOOR(ix), fy = FLOOR(iy);                                                     \
    *u = ix - fx;                                                                               \
    *v = iy - fy;                                                                               \
    for (int k = 0; k < 4; k++) {                                                               \
        tx[k] = ct_gs_tap_##SUF((int64_t)fx - 1 + k, IW, padding, align);                       \
        ty[k] = ct_gs_tap_##SUF((int64_t)fy - 1 + k, IH, padding, align);                       \
    }                                                                                           \
}

CT_GS_HELPERS(f32, float, floorf, fmodf, fabsf)
CT_GS_HELPERS(f64, double, floor, fmod, fabs)

#define CT_GRID_SAMPLE(NAME, T, SUF, FLOOR, ROUND)                                               \
int NAME(const T *x, const T *grid, T *y, int64_t N, int64_t C, int64_t IH, int64_t IW,          \
         int64_t OH, int64_t OW, int mode, int padding, int align) {                            \
    const int64_t HW = IH * IW, L = OH * OW;                                                    \
    _Pragma("omp parallel for num_threads(ct_pool_threads(N * C * L)) schedule(dynamic, 64)")        \
    for (int64_t q = 0; q < N * L; q++) {                                                       \
        const int64_t n = q / L, l = q - n * L;                                                 \
        const T *xn = x + n * C * HW;                                                           \
        T *yo = y + n * C * L + l;                                                              \
        T gx, gy, ix, iy;                                                                       \
        if (mode == CT_GS_BICUBIC) {                                                            \
            T u, v, wx[4], wy[4];                                                               \
            int64_t tx[4], ty[4];                                                               \
            ct_gs_bicubic_##SUF(grid + 2 * q, IH, IW, padding, align, tx, ty, &gx, &gy, &u, &v);  \
            ct_cubic_##SUF(u, wx);                                                              \
            ct_cubic_##SUF(v, wy);                                                              \
            for (int64_t c = 0; c < C; c++) {                                                   \
                const T *xc = xn + c * HW;                                                      \
                T acc = 0;                                                                      \
                for (int j = 0; j < 4; j++) {                                                   \
                    T row = 0;                                                                  \
                    for (int i = 0; i < 4; i++)                                                 \
                        row += wx[i] * ((tx[i] >= 0 && ty[j] >= 0) ? xc[ty[j] * IW + tx[i]] : 0); \
                    acc += wy[j] * row;                                                         \
                }                                                                               \
                yo[c * L] = acc;                                                                \
            }                                                                                   \
            continue;                                                                           \
        }                                                                                       \
        ix = ct_gs_source_##SUF(grid[2 * q], IW, padding, align, &gx);                          \
        iy = ct_gs_source_##SUF(grid[2 * q + 1], IH, padding, align, &gy);                      \
        if (mode == CT_GS_NEAREST) {                                                            \
            int64_t jx = (int64_t)ROUND(ix), jy = (int64_t)ROUND(iy);                           \
            int in = jx >= 0 && jx < IW && jy >= 0 && jy < IH;                                  \
            for (int64_t c = 0; c < C; c++) yo[c * L] = in ? xn[c * HW + jy * IW + jx] : 0;      \
            continue;                                                                           \
        }                                                                                       \
        const int64_t x0 = (int64_t)FLOOR(ix), y0 = (int64_t)FLOOR(iy), x1 = x0 + 1, y1 = y0 + 1; \
        const T wnw = ((T)x1 - ix) * ((T)y1 - iy), wne = (ix - (T)x0) * ((T)y1 - iy);           \
        const T wsw = ((T)x1 - ix) * (iy - (T)y0), wse = (ix - (T)x0) * (iy - (T)y0);           \
        const int inx0 = x0 >= 0 && x0 < IW, inx1 = x1 >= 0 && x1 < IW;                         \
        const int iny0 = y0 >= 0 && y0 < IH, iny1 = y1 >= 0 && y1 < IH;                         \
        for (int64_t c = 0; c < C; c++) {                                                       \
            const T *xc = xn + c * HW;                                                          \
            T acc = 0;                                                                          \
            if (iny0 && inx0) acc += xc[y0 * IW + x0] * wnw;                                    \
            if (iny0 && inx1) acc += xc[y0 * IW + x1] * wne;                                    \
            if (iny1 && inx0) acc += xc[y1 * IW + x0] * wsw;                                    \
            if (iny1 && inx1) acc += xc[y1 * IW + x1] * wse;                                    \
            yo[c * L] = acc;                                                                    \
        }                                                                                       \
    }                                                                                           \
    return CT_OK;                                                                               \
}

/* Backward: one thread per image (an image's outputs scatter into its own gx only). */
#define CT_GRID_SAMPLE_BWD(NAME, T, SUF, FLOOR, ROUND)                                           \
int NAME(const T *gyv, const T *x, const T *grid, T *gxv, T *ggrid, int64_t N, int64_t C,        \
         int64_t IH, int64_t IW, int64_t OH, int64_t OW, int mode, int padding, int align) {    \
    const int64_t HW = IH * IW, L = OH * OW;                                                    \
    if (gxv) memset(gxv, 0, (size_t)(N * C * HW) * sizeof(T));                                  \
    _Pragma("omp parallel for num_threads(ct_pool_threads(N * C * L)) schedule(dynamic, 64)")        \
    for (int64_t n = 0; n < N; n++) {                                                           \
        const T *xn = x + n * C * HW;                                                           \
        T *gn = gxv ? gxv + n * C * HW : NULL;                                                  \
        for (int64_t l = 0; l < L; l++) {                                                       \
            const int64_t q = n * L + l;                                                        \
            const T *go = gyv + n * C * L + l;                                                  \
            T mx, my, ix, iy, dx = 0, dy = 0;                                                   \
            if (mode == CT_GS_BICUBIC) {                                                        \
                T u, v, wx[4], wy[4], dwx[4], dwy[4];                                           \
                int64_t tx[4], ty[4];                                                           \
                ct_gs_bicubic_##SUF(grid + 2 * q, IH, IW, padding, align, tx, ty, &mx, &my, &u, &v); \
                ct_cubic_##SUF(u, wx);                                                          \
                ct_cubic_##SUF(v, wy);                                                          \
                ct_cubic_grad_##SUF(u, dwx);                                                    \
                ct_cubic_grad_##SUF(v, dwy);                                                    \
                for (int64_t c = 0; c < C; c++) {                                               \
                    const T g = go[c * L], *xc = xn + c * HW;                                   \
                    for (int i = 0; i < 4; i++)                                                 \
                        for (int j = 0; j < 4; j++) {                                           \
                            if (tx[i] < 0 || ty[j] < 0) continue;                               \
                            const int64_t at = ty[j] * IW + tx[i];                              \
                            if (gn) gn[c * HW + at] += g * wx[i] * wy[j];                       \
                            dx -= xc[at] * dwx[i] * wy[j] * g;                                  \
                            dy -= xc[at] * dwy[j] * wx[i] * g;                                  \
                        }                                                                       \
                }                                                                               \
            } else if (mode == CT_GS_NEAREST) {                                                 \
                ix = ct_gs_source_##SUF(grid[2 * q], IW, padding, align, &mx);                  \
                iy = ct_gs_source_##SUF(grid[2 * q + 1], IH, padding, align, &my);              \
                int64_t jx = (int64_t)ROUND(ix), jy = (int64_t)ROUND(iy);                       \
                if (gn && jx >= 0 && jx < IW && jy >= 0 && jy < IH)                             \
                    for (int64_t c = 0; c < C; c++) gn[c * HW + jy * IW + jx] += go[c * L];     \
            } else {                                                                            \
                ix = ct_gs_source_##SUF(grid[2 * q], IW, padding, align, &mx);                  \
                iy = ct_gs_source_##SUF(grid[2 * q + 1], IH, padding, align, &my);              \
                const int64_t x0 = (int64_t)FLOOR(ix), y0 = (int64_t)FLOOR(iy);                 \
                const int64_t x1 = x0 + 1, y1 = y0 + 1;                                         \
                const T ex1 = (T)x1 - ix, ex0 = ix - (T)x0, ey1 = (T)y1 - iy, ey0 = iy - (T)y0; \
                const int inx0 = x0 >= 0 && x0 < IW, inx1 = x1 >= 0 && x1 < IW;                 \
                const int iny0 = y0 >= 0 && y0 < IH, iny1 = y1 >= 0 && y1 < IH;                 \
                for (int64_t c = 0; c < C; c++) {                                               \
                    const T g = go[c * L], *xc = xn + c * HW;                                   \
                    T *gc = gn ? gn + c * HW : NULL;                                            \
                    if (iny0 && inx0) {                                                         \
                        const T v = xc[y0 * IW + x0];                                           \
                        if (gc) gc[y0 * IW + x0] += ex1 * ey1 * g;                              \
                        dx -= v * ey1 * g;                                                      \
                        dy -= v * ex1 * g;                                                      \
                    }                                                                           \
                    if (iny0 && inx1) {                                                         \
                        const T v = xc[y0 * IW + x1];                                           \
                        if (gc) gc[y0 * IW + x1] += ex0 * ey1 * g;                              \
                        dx += v * ey1 * g;                                                      \
                        dy -= v * ex0 * g;                                                      \
                    }                                                                           \
                    if (iny1 && inx0) {                                                         \
                        const T v = xc[y1 * IW + x0];                                           \
                        if (gc) gc[y1 * IW + x0] += ex1 * ey0 * g;                              \
                        dx -= v * ey0 * g;                                                      \
                        dy += v * ex1 * g;                                                      \
                    }                                                                           \
                    if (iny1 && inx1) {                                                         \
                        const T v = xc[y1 * IW + x1];                                           \
                        if (gc) gc[y1 * IW + x1] += ex0 * ey0 * g;                              \
                        dx += v * ey0 * g;                                                      \
                        dy += v * ex0 * g;                                                      \
                    }                                                                           \
                }                                                                               \
            }                                                                                   \
            if (ggrid) {                                                                        \
                ggrid[2 * q] = mx * dx;                                                         \
                ggrid[2 * q + 1] = my * dy;                                                     \
            }                                                                                   \
        }                                                                                       \
    }                                                                                           \
    return CT_OK;                                                                               \
}

CT_GRID_SAMPLE(ct_grid_sample_f32, float, f32, floorf, nearbyintf)
CT_GRID_SAMPLE(ct_grid_sample_f64, double, f64, floor, nearbyint)
CT_GRID_SAMPLE_BWD(ct_grid_sample_bwd_f32, float, f32, floorf, nearbyintf)
CT_GRID_SAMPLE_BWD(ct_grid_sample_bwd_f64, double, f64, floor, nearbyint)
