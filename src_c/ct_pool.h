/* ct_pool.h - pooling, resampling (interpolate) and grid sampling kernels.
 *
 * Tensors are contiguous and channels-first; a pooling or resampling kernel works on
 * `planes` independent planes of isize[0] x isize[1] x isize[2] values (depth, height, width;
 * 1-d and 2-d use leading 1s) and runs planes on OpenMP threads. Indices of max pooling are
 * flat positions in the input plane, as in PyTorch. Backward kernels overwrite their output. */
#ifndef CT_POOL_H
#define CT_POOL_H

#include "ct_conv.h"

/* A pooling window geometry is a convolution's (ct_conv.h) with the channel count C unused. */
typedef ct_conv_geom ct_pool_geom;

/* y[o] := max of x over window o (NaN wins); idx[o] := its flat input position (idx may be NULL) */
int ct_maxpool_f32(const float *x, float *y, int64_t *idx, int64_t planes, const ct_pool_geom *g);
int ct_maxpool_f64(const double *x, double *y, int64_t *idx, int64_t planes, const ct_pool_geom *g);

/* y[o] := sum of x over window o / divisor; divisor = divisor_override if != 0, else the window
 * size with (count_include_pad) or without padding. No dilation. */
int ct_avgpool_f32(const float *x, float *y, int64_t planes, const ct_pool_geom *g, int count_include_pad,
                   int64_t divisor_override);
int ct_avgpool_f64(const double *x, double *y, int64_t planes, const ct_pool_geom *g, int count_include_pad,
                   int64_t divisor_override);
/* gx := avgpool's adjoint applied to gy */
int ct_avgpool_bwd_f32(const float *gy, float *gx, int64_t planes, const ct_pool_geom *g, int count_include_pad,
                       int64_t divisor_override);
int ct_avgpool_bwd_f64(const double *gy, double *gx, int64_t planes, const ct_pool_geom *g,
                       int count_include_pad, int64_t divisor_override);

/* adaptive windows: output o covers [floor(o*I/O), ceil((o+1)*I/O)) in each dim */
int ct_adaptive_avg_f32(const float *x, float *y, int64_t planes, const int64_t *isize, const int64_t *osize);
int ct_adaptive_avg_f64(const double *x, double *y, int64_t planes, const int64_t *isize, const int64_t *osize);
int ct_adaptive_avg_bwd_f32(const float *gy, float *gx, int64_t planes, const int64_t *isize,
                            const int64_t *osize);
int ct_adaptive_avg_bwd_f64(const double *gy, double *gx, int64_t planes, const int64_t *isize,
                            const int64_t *osize);
int ct_adaptive_max_f32(const float *x, float *y, int64_t *idx, int64_t planes, const int64_t *isize,
                        const int64_t *osize);
int ct_adaptive_max_f64(const double *x, double *y, int64_t *idx, int64_t planes, const int64_t *isize,
                        const int64_t *osize);

/* Per plane: out[idx[l]] (+)= src[l] for l < L, out (X values per plane) zeroed first (scatter),
 * or out[l] := src[idx[l]] (gather). CT_ERR_INDEX if an index is outside [0, X). */
int ct_plane_scatter_f32(const float *src, const int64_t *idx, float *out, int64_t planes, int64_t L,
                         int64_t X, int accumulate);
int ct_plane_scatter_f64(const double *src, const int64_t *idx, double *out, int64_t planes, int64_t L,
                         int64_t X, int accumulate);
int ct_plane_gather_f32(const float *src, const int64_t *idx, float *out, int64_t planes, int64_t L, int64_t X);
int ct_plane_gather_f64(const double *src, const int64_t *idx, double *out, int64_t planes, int64_t L,
                        int64_t X);

/* Resampling (interpolate). mode: CT_RS_NEAREST, CT_RS_NEAREST_EXACT, CT_RS_LINEAR, CT_RS_CUBIC,
 * the same in every resized dim (unit leading dims are copied); scales[d] is PyTorch's scale
 * factor for dim d (<= 0: none, use the sizes). y[o] := sum of taps w * x. */
enum { CT_RS_NEAREST = 0, CT_RS_NEAREST_EXACT = 1, CT_RS_LINEAR = 2, CT_RS_CUBIC = 3 };
int ct_resample_f32(const float *x, float *y, int64_t planes, const int64_t *isize, const int64_t *osize,
                    const double *scales, int mode, int align_corners);
int ct_resample_f64(const double *x, double *y, int64_t planes, const int64_t *isize, const int64_t *osize,
                    const double *scales, int mode, int align_corners);
/* gx := the adjoint: every tap of every output adds w * gy[o] into gx */
int ct_resample_bwd_f32(const float *gy, float *gx, int64_t planes, const int64_t *isize,
                        const int64_t *osize, const double *scales, int mode, int align_corners);
int ct_resample_bwd_f64(const double *gy, double *gx, int64_t planes, const int64_t *isize,
                        const int64_t *osize, const double *scales, int mode, int align_corners);

/* grid_sample over 2-d images: x (N, C, IH, IW), grid (N, OH, OW, 2) of (x, y) in [-1, 1],
 * y (N, C, OH, OW). mode: CT_GS_BILINEAR/NEAREST/BICUBIC; padding: CT_GS_ZEROS/BORDER/REFLECTION. */
enum { CT_GS_BILINEAR = 0, CT_GS_NEAREST = 1, CT_GS_BICUBIC = 2 };
enum { CT_GS_ZEROS = 0, CT_GS_BORDER = 1, CT_GS_REFLECTION = 2 };
int ct_grid_sample_f32(const float *x, const float *grid, float *y, int64_t N, int64_t C, int64_t IH,
                       int64_t IW, int64_t OH, int64_t OW, int mode, int padding, int align_corners);
int ct_grid_sample_f64(const double *x, const double *grid, double *y, int64_t N, int64_t C, int64_t IH,
                       int64_t IW, int64_t OH, int64_t OW, int mode, int padding, int align_corners);
/* gx (may be NULL) := d<gy, y>/dx, ggrid (may be NULL) := d<gy, y>/dgrid */
int ct_grid_sample_bwd_f32(const float *gy, const float *x, const float *grid, float *gx, float *ggrid,
                           int64_t N, int64_t C, int64_t IH, int64_t IW, int64_t OH, int64_t OW, int mode,
                           int padding, int align_corners);
int ct_grid_sample_bwd_f64(const double *gy, const double *x, const double *grid, double *gx, double *ggrid,
                           int64_t N, int64_t C, int64_t IH, int64_t IW, int64_t OH, int64_t OW, int mode,
                           int padding, int align_corners);

#endif
