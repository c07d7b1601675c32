/* ct_conv.h - convolution kernels: implicit gemm (im2col for strided convs), direct depthwise loops.
 *
 * Every tensor is contiguous and channels-first: an image is C planes of
 * isize[0] x isize[1] x isize[2] values (depth, height, width; 1-d and 2-d use leading
 * 1s). A convolution with G groups and M output channels reads x [B, G*C, isize],
 * w [M, C, k] and writes y [B, M, osize]. pad[] is the leading (front/top/left)
 * padding only: the trailing padding is implied by osize[], so 'same' with an
 * even kernel needs no extra copy. */
#ifndef CT_CONV_H
#define CT_CONV_H

#include "ct_base.h"

typedef struct {
    int64_t C;                          /* input channels of one group */
    int64_t isize[3], osize[3];         /* spatial sizes (d, h, w) of input and output */
    int64_t k[3], stride[3], pad[3], dil[3];
} ct_conv_geom;

/* Check a geometry's sizes, strides, paddings and dilations; 0 or CT_ERR_VALUE. */
int ct_conv_check(const ct_conv_geom *g, int64_t B, int64_t G, int64_t M);

/* Scratch bytes a conv driver needs for this problem (which: 0 forward, 1 input gradient,
 * 2 weight gradient); pass a block of that size (64-byte aligned) as ws. */
int64_t ct_conv_workspace(const ct_conv_geom *g, int64_t B, int64_t G, int64_t M, int64_t itemsize, int which);

/* y[b, m] := bias[m] + sum_{c,k} w[m, c, k] * x[b, g*C + c, o*stride - pad + k*dil]  (bias may be NULL) */
int ct_conv_fwd_f32(const float *x, const float *w, const float *bias, float *y, int64_t B, int64_t G,
                    int64_t M, const ct_conv_geom *g, void *ws);
int ct_conv_fwd_f64(const double *x, const double *w, const double *bias, double *y, int64_t B, int64_t G,
                    int64_t M, const ct_conv_geom *g, void *ws);
/* gx := conv's adjoint in x applied to gy (= conv_transpose(gy, w)); gx is overwritten */
int ct_conv_bwd_input_f32(const float *gy, const float *w, float *gx, int64_t B, int64_t G, int64_t M,
                          const ct_conv_geom *g, void *ws);
int ct_conv_bwd_input_f64(const double *gy, const double *w, double *gx, int64_t B, int64_t G, int64_t M,
                          const ct_conv_geom *g, void *ws);
/* gw[m, c, k] := sum_{b,o} gy[b, m, o] * x[b, g*C + c, o*stride - pad + k*dil]; gw is overwritten */
int ct_conv_bwd_weight_f32(const float *x, const float *gy, float *gw, int64_t B, int64_t G, int64_t M,
                           const ct_conv_geom *g, void *ws);
int ct_conv_bwd_weight_f64(const double *x, const double *gy, double *gw, int64_t B, int64_t G, int64_t M,
                           const ct_conv_geom *g, void *ws);

/* unfold: cols[b, c*K + k, o] := x[b, c, o*stride - pad + k*dil] (0 outside); C = g->C channels */
int ct_im2col_f32(const float *x, float *cols, int64_t B, const ct_conv_geom *g);
int ct_im2col_f64(const double *x, double *cols, int64_t B, const ct_conv_geom *g);
/* fold: x[b, c, i] := sum of cols[b, c*K + k, o] over the (k, o) that read position i */
int ct_col2im_f32(const float *cols, float *x, int64_t B, const ct_conv_geom *g);
int ct_col2im_f64(const double *cols, double *x, int64_t B, const ct_conv_geom *g);

#endif
