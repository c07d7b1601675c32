/* ct_index.h - gather/scatter through index tensors, nonzero, where. */
#ifndef CT_INDEX_H
#define CT_INDEX_H

#include "ct_base.h"

/* What happens to each (dense element a, indexed element b) pair. */
enum {
    CT_IDX_GATHER = 0,   /* a := b               */
    CT_IDX_PUT = 1,      /* b := a (last wins)   */
    CT_IDX_ADD = 2,      /* b := b + a           */
    CT_IDX_MUL = 3,      /* b := b * a           */
    CT_IDX_MAX = 4,      /* b := max(b, a), NaN wins */
    CT_IDX_MIN = 5       /* b := min(b, a), NaN wins */
};

/* Index tensors (int64) broadcast over the iteration shape. Index k selects
 * along a dim of the indexed tensor b of length size[k] and byte stride
 * bstride[k]; strides[k] are the index tensor's byte strides over the
 * iteration shape (0 where broadcast). Negative indices count from the end
 * when wrap is set (x[idx], take, put, index_fill) and are errors otherwise
 * (gather, scatter, index_select, index_add, index_copy), as in PyTorch. */
typedef struct {
    int n;
    int wrap;
    char *ptr[CT_MAX_DIMS];
    int64_t strides[CT_MAX_DIMS][CT_MAX_DIMS];
    int64_t size[CT_MAX_DIMS];
    int64_t bstride[CT_MAX_DIMS];
} ct_index_spec;

/* For every point i of the iteration space `shape`:
 *   b_i = b + sum_d i_d*bst[d] + sum_k wrap(idx_k[i]) * bstride[k]
 * and apply `mode` to (a + sum_d i_d*ast[d], b_i). On a bad index returns
 * CT_ERR_INDEX with *bad_value (as given, before wrapping) and *bad_k. */
int ct_index_apply(int mode, int dtype, char *a, const int64_t *ast, char *b, const int64_t *bst,
                   int ndim, const int64_t *shape, const ct_index_spec *ix,
                   int64_t *bad_value, int *bad_k);

/* Number of nonzero elements of a strided tensor. */
int64_t ct_count_nonzero(const char *data, int dtype, int ndim, const int64_t *shape, const int64_t *strides);

/* Coordinates of the nonzero elements, row-major order: out is count x ndim. */
int ct_nonzero(const char *data, int dtype, int ndim, const int64_t *shape, const int64_t *strides,
               int64_t *out, int64_t count);

/* out := cond ? x : y elementwise (cond bool, x/y/out of one itemsize). */
int ct_where(char *out, const char *cond, const char *x, const char *y, int64_t itemsize, int ndim,
             const int64_t *shape, const int64_t *strides);

#endif
