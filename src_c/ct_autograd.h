/* ct_autograd.h - kernels the autograd engine needs (undoing broadcasting). */
#ifndef CT_AUTOGRAD_H
#define CT_AUTOGRAD_H
#include <stdint.h>

int ct_sum_to_f32(const float *x, int ndim, const int64_t *shape, const int64_t *xstride,
                  float *out, const int64_t *ostride);
int ct_sum_to_f64(const double *x, int ndim, const int64_t *shape, const int64_t *xstride,
                  double *out, const int64_t *ostride);

#endif
