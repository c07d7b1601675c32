/* ct_image.c - separable resize and projective warp of [planes, h, w] images.
 *
 * A resize is two one-axis passes (width, then height) through precomputed taps,
 * so a downscale by s costs O(s) per output sample instead of O(s^2). Each pass
 * writes every output row from one thread, so results do not depend on the
 * thread count.
 */
#include "ct_image.h"
#include <math.h>
#include <string.h>

#define CT_IMAGE_GRAIN 65536

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

#define CT_RESAMPLE_AXIS(NAME, T)                                                                   \
int NAME(const T *in, T *out, int64_t outer, int64_t n_in, int64_t inner, int64_t n_out,           \
         const int64_t *start, const double *w, int64_t taps) {                                   \
    int64_t rows = outer * n_out;                                                                 \
    int par = rows * inner * taps > CT_IMAGE_GRAIN && rows > 1;                                   \
    for (int64_t i = 0; i < n_out; i++)                                                           \
        if (start[i] < 0 || start[i] + taps > n_in) return CT_ERR_INDEX;                          \
    _Pragma("omp parallel for if(par) num_threads(ct_get_num_threads()) schedule(static)")       \
    for (int64_t r = 0; r < rows; r++) {                                                          \
        int64_t o = r / n_out, i = r % n_out;                                                     \
        const T *src = in + (o * n_in + start[i]) * inner;                                        \
        const double *wi = w + i * taps;                                                          \
        T *dst = out + r * inner;                                                                 \
        if (inner == 1) {                                                                         \
            T acc = 0;                                                                            \
            for (int64_t k = 0; k < taps; k++) acc += (T)wi[k] * src[k];                          \
            dst[0] = acc;                                                                         \
        } else {                                                                                  \
            for (int64_t j = 0; j < inner; j++) dst[j] = 0;                                       \
            for (int64_t k = 0; k < taps; k++) {                                                  \
                T wk = (T)wi[k];                                                                  \
                const T *s = src + k * inner;                                                     \
                if (wk != 0)                                                                      \
                    for (int64_t j = 0; j < inner; j++) dst[j] += wk * s[j];                      \
            }                                                                                     \
        }                                                                                         \
    }                                                                                             \
    return CT_OK;                                                                                 \
}

CT_RESAMPLE_AXIS(ct_resample_axis_f32, float)
CT_RESAMPLE_AXIS(ct_resample_axis_f64, double)

/* Bilinear taps outside the image blend towards the fill by their weight, so an
 * edge fades into the fill over one pixel instead of stepping. */
#define CT_WARP(NAME, T)                                                                            \
int NAME(const T *in, T *out, int64_t planes, int64_t h, int64_t w, int64_t oh, int64_t ow,        \
         const double *m, int mode, const double *fill, int64_t nfill) {                           \
    if (planes < 0 || h <= 0 || w <= 0 || oh < 0 || ow < 0 || nfill < 0) return CT_ERR_VALUE;      \
    if (mode != CT_WARP_NEAREST && mode != CT_WARP_BILINEAR) return CT_ERR_VALUE;                 \
    int64_t rows = planes * oh;                                                                   \
    int par = rows * ow > CT_IMAGE_GRAIN / 4 && rows > 1;                                         \
    _Pragma("omp parallel for if(par) num_threads(ct_get_num_threads()) schedule(static)")       \
    for (int64_t r = 0; r < rows; r++) {                                                          \
        int64_t p = r / oh, i = r % oh;                                                           \
        const T *src = in + p * h * w;                                                            \
        T *dst = out + r * ow;                                                                    \
        double f = nfill ? fill[p % nfill] : 0.0;                                                 \
        for (int64_t j = 0; j < ow; j++) {                                                        \
            double d = m[6] * (double)j + m[7] * (double)i + 1.0;                                 \
            double x = (m[0] * (double)j + m[1] * (double)i + m[2]) / d;                          \
            double y = (m[3] * (double)j + m[4] * (double)i + m[5]) / d;                          \
            /* also rejects NaN/inf, and keeps the casts below in range */                        \
            if (!(x > -1.0 && x < (double)w && y > -1.0 && y < (double)h)) { dst[j] = (T)f; continue; } \
            if (mode == CT_WARP_NEAREST) {                                                        \
                double xr = nearbyint(x), yr = nearbyint(y);                                      \
                if (xr < 0.0 || xr > (double)(w - 1) || yr < 0.0 || yr > (double)(h - 1))          \
                    dst[j] = (T)f;                                                                \
                else                                                                              \
                    dst[j] = src[(int64_t)yr * w + (int64_t)xr];                                  \
                continue;                                                                         \
            }                                                                                     \
            double x0 = floor(x), y0 = floor(y), fx = x - x0, fy = y - y0;                        \
            int64_t xi = (int64_t)x0, yi = (int64_t)y0;                                           \
            double acc = 0.0, inside = 0.0;                                                       \
            for (int dy = 0; dy < 2; dy++) {                                                      \
                int64_t yy = yi + dy;                                                             \
                double wy = dy ? fy : 1.0 - fy;                                                   \
                if (yy < 0 || yy >= h || wy == 0.0) continue;                                     \
                for (int dx = 0; dx < 2; dx++) {                                                  \
                    int64_t xx = xi + dx;                                                         \
                    double wt = wy * (dx ? fx : 1.0 - fx);                                        \
                    if (xx < 0 || xx >= w || wt == 0.0) continue;                                 \
                    acc += wt * (double)src[yy * w + xx];                                         \
                    inside += wt;                                                                 \
                }                                                                                 \
            }                                                                                     \
            dst[j] = (T)(acc + (1.0 - inside) * f);                                               \
        }                                                                                         \
    }                                                                                             \
    return CT_OK;                                                                                 \
}

CT_WARP(ct_warp_f32, float)
CT_WARP(ct_warp_f64, double)
