/* ct_shape.h - kernels for the shape/joining op family (tril/triu, repeat_interleave, trace, gather). */
#ifndef CT_SHAPE_H
#define CT_SHAPE_H

#include "ct_base.h"

/* The inner loop (ct_loop_fn) that copies items of `itemsize` bytes with any byte steps; fast
 * for contiguous and for reversed-contiguous rows (flip). NULL for an unknown size. */
ct_loop_fn ct_flip_copy_fn(int64_t itemsize);
int ct_tri_zero(char *data, int64_t batch, int64_t m, int64_t n, int64_t bstride, int64_t rstride,
                int64_t cstride, int64_t itemsize, int64_t k, int upper);
int ct_tri_indices_i64(int64_t *out, int64_t row, int64_t col, int64_t offset, int upper, int64_t count);
int ct_repeat_interleave(char *out, const char *in, const int64_t *reps, int64_t outer, int64_t n,
                         int64_t inner_bytes, int64_t total);
int ct_trace(const char *data, int64_t n, int64_t step, int dtype, void *out);
int ct_gather_rows(char *out, const char *in, const int64_t *idx, int64_t nidx, int64_t nrows,
                   int64_t row_bytes);

#endif
