/* ct_autograd.c - reduce a gradient to the shape of a broadcast input.
 *
 * out has stride 0 along every dim that broadcasting expanded, so adding each x element into
 * its out slot sums over those dims. One thread, a fixed visiting order: the result does not
 * depend on the thread count. Strides are in elements.
 */
#include "ct_base.h"
#include "ct_autograd.h"

#define CT_SUM_TO(NAME, T)                                                                       \
    int NAME(const T *x, int ndim, const int64_t *shape, const int64_t *xstride, T *out,         \
             const int64_t *ostride)                                                             \
    {                                                                                            \
        int64_t idx[CT_MAX_DIMS + 1] = {0};                                                      \
        int64_t n = 1, i, inner, xs, os;                                                         \
        int d;                                                                                   \
        if (ndim > CT_MAX_DIMS + 1) return CT_ERR_DIMS;                                          \
        if (ndim == 0) { out[0] += x[0]; return CT_OK; }                                         \
        for (d = 0; d < ndim; d++) n *= shape[d];                                                \
        if (n == 0) return CT_OK;                                                                \
        inner = shape[ndim - 1];                                                                 \
        xs = xstride[ndim - 1];                                                                  \
        os = ostride[ndim - 1];                                                                  \
        for (;;) {                                                                               \
            const T *xp = x;                                                                     \
            T *op = out;                                                                         \
            for (d = 0; d < ndim - 1; d++) { xp += idx[d] * xstride[d]; op += idx[d] * ostride[d]; } \
            if (os == 0) {                                                                       \
                T acc = 0;                                                                       \
                for (i = 0; i < inner; i++) acc += xp[i * xs];                                   \
                op[0] += acc;                                                                    \
            } else {                                                                             \
                for (i = 0; i < inner; i++) op[i * os] += xp[i * xs];                            \
            }                                                                                    \
            for (d = ndim - 2; d >= 0; d--) {                                                    \
                if (++idx[d] < shape[d]) break;                                                  \
                idx[d] = 0;                                                                      \
            }                                                                                    \
            if (d < 0) break;                                                                    \
        }                                                                                        \
        return CT_OK;                                                                            \
    }

/* out[j] = sum of x[i] over the i that broadcast onto j */
CT_SUM_TO(ct_sum_to_f32, float)
/* out[j] = sum of x[i] over the i that broadcast onto j */
CT_SUM_TO(ct_sum_to_f64, double)
