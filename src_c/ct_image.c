/* ct_image.c - separable resize, projective warp, 2-d gather and hue rotation of
 * [planes, h, w] images.
 *
 * A resize is two one-axis passes through precomputed taps, so a downscale by s
 * costs O(s) per output sample instead of O(s^2). The warp
 * finds each output pixel's taps once and applies them to every plane. Every
 * output element is written by one thread, so results do not depend on the
 * thread count.
 */
#include "ct_image.h"
#include <math.h>
#include <string.h>

#define CT_IMAGE_GRAIN 65536
#define CT_RESAMPLE_BLOCK 256

/* Keys' cubic convolution kernel with parameter a; the triangle for bilinear. */
static double ct_filter(int filter, double x, double a) {
    x = fabs(x);
    if (filter == CT_FILTER_BILINEAR) return x < 1.0 ? 1.0 - x : 0.0;
    if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0;
    if (x < 2.0) return (((x - 5.0) * x + 8.0) * x - 4.0) * a;
    return 0.0;
}

static double ct_filter_support(int filter, int64_t n_in, int64_t n_out, int antialias) {
    double scale = (double)n_in / (double)n_out;
    double base = filter == CT_FILTER_BICUBIC ? 2.0 : 1.0;
    return base * (antialias && scale > 1.0 ? scale : 1.0);
}

int64_t ct_resize_ntaps(int64_t n_in, int64_t n_out, int filter, int antialias) {
    if (n_in <= 0 || n_out <= 0) return 0;
    int64_t t = 2 * (int64_t)ceil(ct_filter_support(filter, n_in, n_out, antialias)) + 1;
    return t < n_in ? t : n_in;
}

int ct_resize_weights(int64_t n_in, int64_t n_out, int filter, int antialias, int64_t taps,
                      int64_t *start, double *w) {
    if (n_in <= 0 || n_out <= 0 || taps != ct_resize_ntaps(n_in, n_out, filter, antialias))
        return CT_ERR_VALUE;
    if (filter != CT_FILTER_BILINEAR && filter != CT_FILTER_BICUBIC) return CT_ERR_VALUE;
    double scale = (double)n_in / (double)n_out;
    double fs = antialias && scale > 1.0 ? scale : 1.0;
    double support = ct_filter_support(filter, n_in, n_out, antialias);
    double a = antialias ? -0.5 : -0.75;
    memset(w, 0, (size_t)(n_out * taps) * sizeof(double));
    for (int64_t i = 0; i < n_out; i++) {
        double center = ((double)i + 0.5) * scale;
        /* pixels whose centre x + 0.5 lies within the support around `center` */
        int64_t lo = (int64_t)ceil(center - support - 0.5), hi = (int64_t)floor(center + support - 0.5);
        int64_t first = lo < 0 ? 0 : (lo > n_in - 1 ? n_in - 1 : lo);
        int64_t s = first > n_in - taps ? n_in - taps : first;
        double *wi = w + i * taps, total = 0.0;
        for (int64_t x = lo; x <= hi; x++) {
            double v = ct_filter(filter, ((double)x + 0.5 - center) / fs, a);
            int64_t xc = x;
            if (x < 0 || x >= n_in) {
                if (antialias) continue;
                xc = x < 0 ? 0 : n_in - 1;
            }
            if (xc - s < 0 || xc - s >= taps) return CT_ERR_INDEX;   /* cannot happen: taps bounds the window */
            wi[xc - s] += v;
            total += v;
        }
        if (antialias && total != 0.0)
            for (int64_t k = 0; k < taps; k++) wi[k] /= total;
        start[i] = s;
    }
    return CT_OK;
}

static inline float ct_id_f32(float v) { return v; }
static inline double ct_id_f64(double v) { return v; }
/* round half to even, then saturate: what round() and a clamped cast to uint8 give */
static inline uint8_t ct_to_u8(double v) {
    return v <= 0.0 ? 0 : (v >= 255.0 ? 255 : (uint8_t)lrint(v));
}
static inline uint8_t ct_to_u8f(float v) {
    return v <= 0.0f ? 0 : (v >= 255.0f ? 255 : (uint8_t)lrintf(v));
}

/* The width pass (inner == 1) is a dot product per output; four lines at a time give
 * four independent accumulations, so the adds do not wait on each other. The height
 * pass adds whole input rows, a block of columns at a time so the accumulator stays
 * in L1. */
#define CT_RESAMPLE_AXIS(NAME, TIN, TOUT, TW, STORE)                                                \
int NAME(const TIN *in, TOUT *out, int64_t outer, int64_t n_in, int64_t inner, int64_t n_out,      \
         const int64_t *start, const TW *w, int64_t taps) {                                        \
    int64_t rows = outer * n_out;                                                                 \
    int par = rows * inner * taps > CT_IMAGE_GRAIN && rows > 1;                                   \
    if (outer < 0 || n_in <= 0 || inner <= 0 || n_out < 0 || taps <= 0) return CT_ERR_VALUE;      \
    for (int64_t i = 0; i < n_out; i++)                                                           \
        if (start[i] < 0 || start[i] + taps > n_in) return CT_ERR_INDEX;                          \
    if (inner == 1) {                                                                             \
        int64_t nblk = (outer + 3) / 4;                                                           \
        _Pragma("omp parallel for if(par && nblk > 1) num_threads(ct_get_num_threads()) schedule(static)") \
        for (int64_t b = 0; b < nblk; b++) {                                                      \
            int64_t o0 = 4 * b, cnt = outer - o0 < 4 ? outer - o0 : 4;                            \
            const TIN *l0 = in + o0 * n_in;                                                       \
            const TIN *l1 = in + (o0 + (cnt > 1 ? 1 : 0)) * n_in;                                 \
            const TIN *l2 = in + (o0 + (cnt > 2 ? 2 : 0)) * n_in;                                 \
            const TIN *l3 = in + (o0 + (cnt > 3 ? 3 : 0)) * n_in;                                 \
            TOUT *d = out + o0 * n_out;                                                           \
            for (int64_t i = 0; i < n_out; i++) {                                                 \
                const TW *wi = w + i * taps;                                                      \
                int64_t s0 = start[i];                                                            \
                TW a0 = 0, a1 = 0, a2 = 0, a3 = 0;                                                \
                for (int64_t k = 0; k < taps; k++) {                                              \
                    TW wk = wi[k];                                                                \
                    a0 += wk * (TW)l0[s0 + k];                                                    \
                    a1 += wk * (TW)l1[s0 + k];                                                    \
                    a2 += wk * (TW)l2[s0 + k];                                                    \
                    a3 += wk * (TW)l3[s0 + k];                                                    \
                }                                                                                 \
                d[i] = STORE(a0);                                                                 \
                if (cnt > 1) d[n_out + i] = STORE(a1);                                            \
                if (cnt > 2) d[2 * n_out + i] = STORE(a2);                                        \
                if (cnt > 3) d[3 * n_out + i] = STORE(a3);                                        \
            }                                                                                     \
        }                                                                                         \
        return CT_OK;                                                                             \
    }                                                                                             \
    _Pragma("omp parallel for if(par) num_threads(ct_get_num_threads()) schedule(static)")       \
    for (int64_t r = 0; r < rows; r++) {                                                          \
        int64_t o = r / n_out, i = r % n_out;                                                     \
        const TIN *src = in + (o * n_in + start[i]) * inner;                                      \
        const TW *wi = w + i * taps;                                                              \
        TOUT *dst = out + r * inner;                                                              \
        for (int64_t jb = 0; jb < inner; jb += CT_RESAMPLE_BLOCK) {                               \
            int64_t nb = inner - jb < CT_RESAMPLE_BLOCK ? inner - jb : CT_RESAMPLE_BLOCK;         \
            TW acc[CT_RESAMPLE_BLOCK];                                                            \
            for (int64_t j = 0; j < nb; j++) acc[j] = 0;                                          \
            for (int64_t k = 0; k < taps; k++) {                                                  \
                TW wk = wi[k];                                                                    \
                const TIN *s = src + k * inner + jb;                                              \
                if (wk != 0)                                                                      \
                    for (int64_t j = 0; j < nb; j++) acc[j] += wk * (TW)s[j];                     \
            }                                                                                     \
            for (int64_t j = 0; j < nb; j++) dst[jb + j] = STORE(acc[j]);                         \
        }                                                                                         \
    }                                                                                             \
    return CT_OK;                                                                                 \
}

CT_RESAMPLE_AXIS(ct_resample_axis_f32, float, float, float, ct_id_f32)
CT_RESAMPLE_AXIS(ct_resample_axis_f64, double, double, double, ct_id_f64)
CT_RESAMPLE_AXIS(ct_resample_axis_u8, uint8_t, uint8_t, float, ct_to_u8f)
CT_RESAMPLE_AXIS(ct_resample_axis_u8_f32, uint8_t, float, float, ct_id_f32)
CT_RESAMPLE_AXIS(ct_resample_axis_f32_u8, float, uint8_t, float, ct_to_u8f)

/* Bilinear taps outside the image blend towards the fill by their weight, so an
 * edge fades into the fill over one pixel instead of stepping. Coordinates are
 * range-checked before any conversion to an integer (x > -1 makes trunc == floor
 * except on (-1, 0), handled by the sign test). */
#define CT_WARP(NAME, T, W, STORE)                                                                  \
int NAME(const T *in, T *out, int64_t planes, int64_t h, int64_t w, int64_t oh, int64_t ow,        \
         const double *m, int mode, const double *fill, int64_t nfill) {                           \
    if (planes < 0 || h <= 0 || w <= 0 || oh < 0 || ow < 0 || nfill < 0) return CT_ERR_VALUE;      \
    if (mode != CT_WARP_NEAREST && mode != CT_WARP_BILINEAR) return CT_ERR_VALUE;                 \
    int64_t plane = h * w, oplane = oh * ow;                                                      \
    int projective = m[6] != 0.0 || m[7] != 0.0;                                                  \
    int par = planes * oplane > CT_IMAGE_GRAIN / 4 && oh > 1;                                     \
    _Pragma("omp parallel for if(par) num_threads(ct_get_num_threads()) schedule(static)")       \
    for (int64_t i = 0; i < oh; i++) {                                                            \
        double bx = m[1] * (double)i + m[2], by = m[4] * (double)i + m[5], bd = m[7] * (double)i + 1.0; \
        for (int64_t j = 0; j < ow; j++) {                                                        \
            double x = m[0] * (double)j + bx, y = m[3] * (double)j + by;                          \
            if (projective) {                                                                     \
                double d = m[6] * (double)j + bd;                                                 \
                x /= d;                                                                           \
                y /= d;                                                                           \
            }                                                                                     \
            T *o = out + i * ow + j;                                                              \
            /* also rejects NaN/inf */                                                            \
            int inside = x > -1.0 && x < (double)w && y > -1.0 && y < (double)h;                  \
            if (inside && mode == CT_WARP_NEAREST) {                                              \
                long xr = lrint(x), yr = lrint(y);                                                \
                if (xr >= 0 && xr < w && yr >= 0 && yr < h) {                                     \
                    const T *s = in + yr * w + xr;                                                \
                    for (int64_t p = 0; p < planes; p++) o[p * oplane] = s[p * plane];            \
                    continue;                                                                     \
                }                                                                                 \
                inside = 0;                                                                       \
            }                                                                                     \
            if (!inside) {                                                                        \
                for (int64_t p = 0, q = 0; p < planes; p++) {                                     \
                    o[p * oplane] = STORE(nfill ? fill[q] : 0.0);                                 \
                    if (++q == nfill) q = 0;                                                      \
                }                                                                                 \
                continue;                                                                         \
            }                                                                                     \
            int64_t x0 = x < 0.0 ? -1 : (int64_t)x, y0 = y < 0.0 ? -1 : (int64_t)y;               \
            double fx = x - (double)x0, fy = y - (double)y0;                                      \
            if (x0 >= 0 && y0 >= 0 && x0 + 1 < w && y0 + 1 < h) {   /* all four taps inside */   \
                W w00 = (W)((1.0 - fy) * (1.0 - fx)), w01 = (W)((1.0 - fy) * fx);                  \
                W w10 = (W)(fy * (1.0 - fx)), w11 = (W)(fy * fx);                                  \
                const T *s = in + y0 * w + x0;                                                    \
                for (int64_t p = 0; p < planes; p++, s += plane)                                  \
                    o[p * oplane] = STORE(w00 * (W)s[0] + w01 * (W)s[1] + w10 * (W)s[w] + w11 * (W)s[w + 1]); \
                continue;                                                                         \
            }                                                                                     \
            double wt[4] = {(1.0 - fy) * (1.0 - fx), (1.0 - fy) * fx, fy * (1.0 - fx), fy * fx};  \
            int64_t off[4] = {y0 * w + x0, y0 * w + x0 + 1, (y0 + 1) * w + x0, (y0 + 1) * w + x0 + 1}; \
            int ok[4] = {y0 >= 0 && x0 >= 0, y0 >= 0 && x0 + 1 < w,                               \
                         y0 + 1 < h && x0 >= 0, y0 + 1 < h && x0 + 1 < w};                        \
            double outside = 0.0;                                                                 \
            for (int t = 0; t < 4; t++)                                                           \
                if (!ok[t]) { outside += wt[t]; wt[t] = 0.0; off[t] = 0; }                        \
            const T *s = in;                                                                      \
            for (int64_t p = 0, q = 0; p < planes; p++, s += plane) {                             \
                double v = wt[0] * (double)s[off[0]] + wt[1] * (double)s[off[1]]                  \
                         + wt[2] * (double)s[off[2]] + wt[3] * (double)s[off[3]];                 \
                if (outside != 0.0) v += outside * (nfill ? fill[q] : 0.0);                       \
                if (++q == nfill) q = 0;                                                          \
                o[p * oplane] = STORE(v);                                                         \
            }                                                                                     \
        }                                                                                         \
    }                                                                                             \
    return CT_OK;                                                                                 \
}

static inline float ct_d2f(double v) { return (float)v; }
CT_WARP(ct_warp_f32, float, float, ct_d2f)
CT_WARP(ct_warp_f64, double, double, ct_id_f64)
CT_WARP(ct_warp_u8, uint8_t, double, ct_to_u8)

int ct_gather2d(const char *in, char *out, int64_t planes, int64_t h, int64_t w, int64_t oh, int64_t ow,
                const int64_t *iy, const int64_t *ix, int64_t itemsize, const char *fill, int64_t nfill) {
    if (planes < 0 || h < 0 || w < 0 || oh < 0 || ow < 0 || nfill < 0 || (nfill == 0) != (fill == NULL))
        return CT_ERR_VALUE;
    if (itemsize != 1 && itemsize != 2 && itemsize != 4 && itemsize != 8 && itemsize != 16) return CT_ERR_VALUE;
    for (int64_t i = 0; i < oh; i++)
        if (iy[i] < -1 || iy[i] >= h || (iy[i] == -1 && nfill == 0)) return CT_ERR_INDEX;
    for (int64_t j = 0; j < ow; j++)
        if (ix[j] < -1 || ix[j] >= w || (ix[j] == -1 && nfill == 0)) return CT_ERR_INDEX;
    /* the longest run of consecutive source columns (a crop's or pad's interior) is one memcpy per row */
    int64_t run_a = 0, run_b = 0;
    for (int64_t j = 0, a = 0; j < ow; j++) {
        if (j > a && !(ix[j] >= 0 && ix[j - 1] >= 0 && ix[j] == ix[j - 1] + 1)) a = j;
        if (ix[j] >= 0 && j + 1 - a > run_b - run_a) { run_a = a; run_b = j + 1; }
    }
    int64_t rows = planes * oh;
    int par = rows * ow > CT_IMAGE_GRAIN && rows > 1;
    _Pragma("omp parallel for if(par) num_threads(ct_get_num_threads()) schedule(static)")
    for (int64_t r = 0; r < rows; r++) {
        int64_t p = r / oh, i = r % oh;
        char *dst = out + r * ow * itemsize;
        const char *f = nfill ? fill + (p % nfill) * itemsize : NULL;
        if (iy[i] < 0) {
            for (int64_t j = 0; j < ow; j++) memcpy(dst + j * itemsize, f, (size_t)itemsize);
            continue;
        }
        const char *src = in + (p * h + iy[i]) * w * itemsize;
        if (run_b > run_a)
            memcpy(dst + run_a * itemsize, src + ix[run_a] * itemsize, (size_t)((run_b - run_a) * itemsize));
        switch (itemsize) {     /* fixed sizes let the compiler turn each copy into one move */
#define CT_GATHER_ROW(SZ, TY)                                                              \
        case SZ: {                                                                         \
            TY *d = (TY *)dst; const TY *s = (const TY *)src;                              \
            TY fv; if (f) memcpy(&fv, f, SZ); else memset(&fv, 0, SZ);                     \
            for (int64_t j = 0; j < run_a; j++) d[j] = ix[j] >= 0 ? s[ix[j]] : fv;         \
            for (int64_t j = run_b; j < ow; j++) d[j] = ix[j] >= 0 ? s[ix[j]] : fv;        \
            break;                                                                         \
        }
        CT_GATHER_ROW(1, uint8_t)
        CT_GATHER_ROW(2, uint16_t)
        CT_GATHER_ROW(4, uint32_t)
        CT_GATHER_ROW(8, uint64_t)
#undef CT_GATHER_ROW
        default:
            for (int64_t j = 0; j < ow; j++)
                if (j < run_a || j >= run_b)
                    memcpy(dst + j * itemsize, ix[j] >= 0 ? src + ix[j] * itemsize : f, (size_t)itemsize);
        }
    }
    return CT_OK;
}

/* colorsys's RGB <-> HSV, with the hue turned in between */
#define CT_ADJUST_HUE(NAME, T)                                                                      \
int NAME(const T *in, T *out, int64_t n, int64_t hw, double shift) {                               \
    if (n < 0 || hw < 0) return CT_ERR_VALUE;                                                     \
    int64_t total = n * hw;                                                                       \
    _Pragma("omp parallel for if(total > CT_IMAGE_GRAIN / 8) num_threads(ct_get_num_threads()) schedule(static)") \
    for (int64_t q = 0; q < total; q++) {                                                         \
        int64_t b = q / hw, k = q % hw;                                                           \
        const T *src = in + b * 3 * hw + k;                                                       \
        T *dst = out + b * 3 * hw + k;                                                            \
        double r = src[0], g = src[hw], bl = src[2 * hw];                                         \
        double mx = r > g ? (r > bl ? r : bl) : (g > bl ? g : bl);                                \
        double mn = r < g ? (r < bl ? r : bl) : (g < bl ? g : bl);                                \
        double v = mx, c = mx - mn, s = mx > 0.0 ? c / mx : 0.0, hh = 0.0;                        \
        if (c > 0.0) {                                                                            \
            double rc = (mx - r) / c, gc = (mx - g) / c, bc = (mx - bl) / c;                      \
            if (r == mx) hh = bc - gc;                                                            \
            else if (g == mx) hh = 2.0 + rc - bc;                                                 \
            else hh = 4.0 + gc - rc;                                                              \
            hh = hh / 6.0;                                                                        \
        }                                                                                         \
        hh = fmod(hh + shift, 1.0);                                                               \
        if (hh < 0.0) hh += 1.0;                                                                  \
        double h6 = hh * 6.0, sec = floor(h6), f = h6 - sec;                                      \
        double p = v * (1.0 - s), qv = v * (1.0 - s * f), t = v * (1.0 - s * (1.0 - f));          \
        double ro, go, bo;                                                                        \
        switch (((int)sec) % 6) {                                                                 \
        case 0: ro = v; go = t; bo = p; break;                                                    \
        case 1: ro = qv; go = v; bo = p; break;                                                   \
        case 2: ro = p; go = v; bo = t; break;                                                    \
        case 3: ro = p; go = qv; bo = v; break;                                                   \
        case 4: ro = t; go = p; bo = v; break;                                                    \
        default: ro = v; go = p; bo = qv; break;                                                  \
        }                                                                                         \
        dst[0] = (T)ro; dst[hw] = (T)go; dst[2 * hw] = (T)bo;                                     \
    }                                                                                             \
    return CT_OK;                                                                                 \
}

CT_ADJUST_HUE(ct_adjust_hue_f32, float)
CT_ADJUST_HUE(ct_adjust_hue_f64, double)
