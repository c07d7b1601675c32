/* ct_image.h - image kernels for cytorch.vision (plain C11 + OpenMP).
 *
 * Images are contiguous [planes, h, w] arrays (a plane is one channel of one
 * image). Coordinates: pixel (i, j) covers [j, j + 1) x [i, i + 1), so its
 * centre is (j + 0.5, i + 0.5) in continuous units and (j, i) in index units.
 * uint8 results are rounded half to even and clamped to 0..255, as PyTorch's
 * round() then a saturating cast would give.
 */
#ifndef CT_IMAGE_H
#define CT_IMAGE_H

#include "ct_base.h"

enum { CT_FILTER_BILINEAR = 1, CT_FILTER_BICUBIC = 2 };
enum { CT_WARP_NEAREST = 0, CT_WARP_BILINEAR = 1 };

/* Taps per output sample of a separable resize of one axis n_in -> n_out. */
int64_t ct_resize_ntaps(int64_t n_in, int64_t n_out, int filter, int antialias);

/* Output i of an axis resize reads inputs start[i] .. start[i] + taps - 1 with
 * weights w[i * taps + k]. Output i is centred at (i + 0.5) * n_in / n_out.
 * antialias: the filter is widened by the downscale factor and taps outside the
 * image are dropped and the rest renormalised (PIL's convention, bicubic a = -0.5);
 * otherwise the filter keeps its width and taps outside the image are clamped to
 * the border (PyTorch's interpolate, bicubic a = -0.75). */
int ct_resize_weights(int64_t n_in, int64_t n_out, int filter, int antialias, int64_t taps,
                      int64_t *start, double *w);

/* out[o, i, j] = sum_k w[i, k] * in[o, start[i] + k, j]; in is [outer, n_in, inner],
 * out is [outer, n_out, inner]. Suffixes: input dtype, then output dtype when it differs
 * (uint8 passes accumulate in float32). */
int ct_resample_axis_f32(const float *in, float *out, int64_t outer, int64_t n_in, int64_t inner,
                         int64_t n_out, const int64_t *start, const float *w, int64_t taps);
int ct_resample_axis_f64(const double *in, double *out, int64_t outer, int64_t n_in, int64_t inner,
                         int64_t n_out, const int64_t *start, const double *w, int64_t taps);
int ct_resample_axis_u8(const uint8_t *in, uint8_t *out, int64_t outer, int64_t n_in, int64_t inner,
                        int64_t n_out, const int64_t *start, const float *w, int64_t taps);
int ct_resample_axis_u8_f32(const uint8_t *in, float *out, int64_t outer, int64_t n_in, int64_t inner,
                            int64_t n_out, const int64_t *start, const float *w, int64_t taps);
int ct_resample_axis_f32_u8(const float *in, uint8_t *out, int64_t outer, int64_t n_in, int64_t inner,
                            int64_t n_out, const int64_t *start, const float *w, int64_t taps);

/* out[p, i, j] = in[p] sampled (nearest: round half to even; bilinear) at index
 * coordinates x = (m0 j + m1 i + m2) / d, y = (m3 j + m4 i + m5) / d, d = m6 j + m7 i + 1.
 * A bilinear tap outside the image reads fill[p % nfill] (0 when nfill == 0). */
int ct_warp_f32(const float *in, float *out, int64_t planes, int64_t h, int64_t w, int64_t oh,
                int64_t ow, const double *m, int mode, const double *fill, int64_t nfill);
int ct_warp_f64(const double *in, double *out, int64_t planes, int64_t h, int64_t w, int64_t oh,
                int64_t ow, const double *m, int mode, const double *fill, int64_t nfill);
int ct_warp_u8(const uint8_t *in, uint8_t *out, int64_t planes, int64_t h, int64_t w, int64_t oh,
               int64_t ow, const double *m, int mode, const double *fill, int64_t nfill);

/* out[p, i, j] = in[p, iy[i], ix[j]], or fill[p % nfill] where iy[i] or ix[j] is -1
 * (elements of `itemsize` bytes: any dtype). Serves crops, pads and nearest resizes. */
int ct_gather2d(const char *in, char *out, int64_t planes, int64_t h, int64_t w, int64_t oh, int64_t ow,
                const int64_t *iy, const int64_t *ix, int64_t itemsize, const char *fill, int64_t nfill);

/* Each of n RGB images (3 planes of hw values in [0, 1]) with its hue turned by
 * `shift` (in turns): RGB -> HSV, h := (h + shift) mod 1, HSV -> RGB. */
int ct_adjust_hue_f32(const float *in, float *out, int64_t n, int64_t hw, double shift);
int ct_adjust_hue_f64(const double *in, double *out, int64_t n, int64_t hw, double shift);

#endif
