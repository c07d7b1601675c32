/* ct_index.c - gather/scatter through index tensors, nonzero, where.
 *
 * One driver (ct_index_apply) serves advanced indexing, index_select, gather,
 * scatter*, index_add/copy/fill, take and put: the Cython layer restrides the
 * tensors so that every op is "walk an iteration space, find an element of b
 * through the index tensors, combine it with an element of a".
 */
#include "ct_index.h"
#include <string.h>
#include <math.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#define CT_INDEX_GRAIN 32768
/* Row copies (index_select of contiguous rows) are memory-bound: below this many bytes a second
 * thread costs more to wake than it saves. */
#define CT_ROWCOPY_GRAIN_BYTES (1 << 21)

/* Copy one element of `isz` bytes (the compiler turns fixed sizes into moves). */
static inline void ct_copy_elem(char *dst, const char *src, int64_t isz) {
    switch (isz) {
    case 1: *dst = *src; break;
    case 2: memcpy(dst, src, 2); break;
    case 4: memcpy(dst, src, 4); break;
    case 8: memcpy(dst, src, 8); break;
    default: memcpy(dst, src, (size_t)isz); break;
    }
}

/* b := b (op) a for the float-like views of one element. NaN propagates through max/min. */
#define CT_COMBINE(mode, x, v)                                  \
    do {                                                        \
        switch (mode) {                                         \
        case CT_IDX_ADD: x = x + v; break;                      \
        case CT_IDX_MUL: x = x * v; break;                      \
        case CT_IDX_MAX: if (v > x || v != v) x = (x != x) ? x : v; break; \
        default:         if (v < x || v != v) x = (x != x) ? x : v; break; \
        }                                                       \
    } while (0)

/* One reduction step b := b (op) a, dtype-dispatched; half/bfloat16 go through float. */
static inline void ct_reduce_elem(int mode, int dt, char *b, const char *a) {
    switch (dt) {
    case CT_BOOL: {
        uint8_t x = *(uint8_t *)b, v = *(const uint8_t *)a;
        if (mode == CT_IDX_ADD || mode == CT_IDX_MAX) x = x | v;
        else x = x & v;                                    /* mul, min */
        *(uint8_t *)b = x; break;
    }
#define CT_RED_CASE(code, T)                                        \
    case code: { T x = *(T *)b, v = *(const T *)a; CT_COMBINE(mode, x, v); *(T *)b = x; break; }
    CT_RED_CASE(CT_UINT8, uint8_t)
    CT_RED_CASE(CT_INT8, int8_t)
    CT_RED_CASE(CT_INT16, int16_t)
    CT_RED_CASE(CT_INT32, int32_t)
    CT_RED_CASE(CT_INT64, int64_t)
    CT_RED_CASE(CT_FLOAT32, float)
    CT_RED_CASE(CT_FLOAT64, double)
#undef CT_RED_CASE
    case CT_FLOAT16: {
        float x = ct_half_to_float(*(uint16_t *)b), v = ct_half_to_float(*(const uint16_t *)a);
        CT_COMBINE(mode, x, v); *(uint16_t *)b = ct_float_to_half(x); break;
    }
    case CT_BFLOAT16: {
        float x = ct_bf16_to_float(*(uint16_t *)b), v = ct_bf16_to_float(*(const uint16_t *)a);
        CT_COMBINE(mode, x, v); *(uint16_t *)b = ct_float_to_bf16(x); break;
    }
    case CT_COMPLEX64: {       /* only add/mul reach complex (checked by the caller) */
        ct_c64 x, v; memcpy(&x, b, 8); memcpy(&v, a, 8);
        x = mode == CT_IDX_MUL ? x * v : x + v; memcpy(b, &x, 8); break;
    }
    default: {
        ct_c128 x, v; memcpy(&x, b, 16); memcpy(&v, a, 16);
        x = mode == CT_IDX_MUL ? x * v : x + v; memcpy(b, &x, 16); break;
    }
    }
}

/* One row with a single index tensor, copying elements of type T:
 * gather a[j] := b[idx[j]], put b[idx[j]] := a[j]. The common case, kept branch-light. */
#define CT_ROW1_LOOP(T, GATHER, AS, BS, IS)                                                     \
    for (int64_t j = 0; j < count; j++) {                                                       \
        int64_t v = *(const int64_t *)(pi + j * (IS)), w = (v < 0 && wrap) ? v + size : v;     \
        if ((uint64_t)w >= (uint64_t)size) { *bad_value = v; return CT_ERR_INDEX; }             \
        char *ea = pa + j * (AS), *eb = pb + j * (BS) + w * bstride;                            \
        if (GATHER) memcpy(ea, eb, sizeof(T)); else memcpy(eb, ea, sizeof(T));                  \
    }
/* the dense, contiguous-index case gets constant strides so the compiler can unroll it */
#define CT_ROW1(T)                                                                              \
    if (as == (int64_t)sizeof(T) && bs == 0 && is == 8) {                                       \
        if (gather) { CT_ROW1_LOOP(T, 1, (int64_t)sizeof(T), 0, 8) }                            \
        else { CT_ROW1_LOOP(T, 0, (int64_t)sizeof(T), 0, 8) }                                   \
    } else if (gather) { CT_ROW1_LOOP(T, 1, as, bs, is) }                                       \
    else { CT_ROW1_LOOP(T, 0, as, bs, is) }

typedef struct { uint64_t lo, hi; } ct_b16;

static int ct_row1(int gather, int wrap, int64_t isz, char *pa, int64_t as, char *pb, int64_t bs, const char *pi,
                   int64_t is, int64_t size, int64_t bstride, int64_t count, int64_t *bad_value) {
    switch (isz) {
    case 1: CT_ROW1(uint8_t) break;
    case 2: CT_ROW1(uint16_t) break;
    case 4: CT_ROW1(uint32_t) break;
    case 8: CT_ROW1(uint64_t) break;
    default: CT_ROW1(ct_b16) break;
    }
    return CT_OK;
}

/* One row with a single index tensor, b[idx[j]] += a[j] for a common type T (index_add,
 * scatter_add, index_put accumulate); returns -1 when the dtype has no typed loop. */
#define CT_ROW1_ADD(T)                                                                          \
    for (int64_t j = 0; j < count; j++) {                                                       \
        int64_t v = *(const int64_t *)(pi + j * is), w = (v < 0 && wrap) ? v + size : v;       \
        if ((uint64_t)w >= (uint64_t)size) { *bad_value = v; return CT_ERR_INDEX; }             \
        T x, y;                                                                                 \
        char *eb = pb + j * bs + w * bstride;                                                   \
        memcpy(&x, eb, sizeof(T)); memcpy(&y, pa + j * as, sizeof(T));                          \
        x += y; memcpy(eb, &x, sizeof(T));                                                      \
    }

static int ct_row1_add(int dt, int wrap, char *pa, int64_t as, char *pb, int64_t bs, const char *pi,
                       int64_t is, int64_t size, int64_t bstride, int64_t count, int64_t *bad_value) {
    switch (dt) {
    case CT_FLOAT32: CT_ROW1_ADD(float) break;
    case CT_FLOAT64: CT_ROW1_ADD(double) break;
    case CT_INT64: CT_ROW1_ADD(int64_t) break;
    case CT_INT32: CT_ROW1_ADD(int32_t) break;
    default: return -1;
    }
    return CT_OK;
}

/* Walk flat positions [begin, end) of the iteration space. */
static int ct_index_range(int mode, int dt, char *a, const int64_t *ast, char *b, const int64_t *bst,
                          int nd, const int64_t *shape, const ct_index_spec *ix,
                          int64_t begin, int64_t end, int64_t *bad_value, int *bad_k) {
    int64_t coord[CT_MAX_DIMS];
    char *pa = a, *pb = b, *pi[CT_MAX_DIMS];
    const int64_t isz = (int64_t)ct_itemsize(dt);
    const int last = nd - 1, nidx = ix->n;
    int64_t rem = begin;
    for (int d = last; d >= 0; d--) { coord[d] = rem % shape[d]; rem /= shape[d]; }
    for (int k = 0; k < nidx; k++) pi[k] = ix->ptr[k];
    for (int d = 0; d < nd; d++) {
        pa += coord[d] * ast[d];
        pb += coord[d] * bst[d];
        for (int k = 0; k < nidx; k++) pi[k] += coord[d] * ix->strides[k][d];
    }
    int64_t n = begin;
    while (n < end) {
        int64_t count = shape[last] - coord[last];
        if (count > end - n) count = end - n;
        if (nidx == 1 && mode == CT_IDX_GATHER && ix->strides[0][last] == 0 && ast[last] == isz &&
            bst[last] == isz) {
            /* a contiguous row picked by one index (index_select of rows): one memcpy */
            int64_t v = *(const int64_t *)pi[0], w = (v < 0 && ix->wrap) ? v + ix->size[0] : v;
            if ((uint64_t)w >= (uint64_t)ix->size[0]) { *bad_value = v; *bad_k = 0; return CT_ERR_INDEX; }
            memcpy(pa, pb + w * ix->bstride[0], (size_t)(count * isz));
        } else if (nidx == 1 && (mode == CT_IDX_GATHER || mode == CT_IDX_PUT)) {
            int err = ct_row1(mode == CT_IDX_GATHER, ix->wrap, isz, pa, ast[last], pb, bst[last], pi[0],
                              ix->strides[0][last], ix->size[0], ix->bstride[0], count, bad_value);
            if (err) { *bad_k = 0; return err; }
        } else if (nidx == 1 && mode == CT_IDX_ADD &&
                   (dt == CT_FLOAT32 || dt == CT_FLOAT64 || dt == CT_INT64 || dt == CT_INT32)) {
            int err = ct_row1_add(dt, ix->wrap, pa, ast[last], pb, bst[last], pi[0], ix->strides[0][last],
                                  ix->size[0], ix->bstride[0], count, bad_value);
            if (err) { *bad_k = 0; return err; }
        } else {
            for (int64_t j = 0; j < count; j++) {
                char *ea = pa + j * ast[last], *eb = pb + j * bst[last];
                for (int k = 0; k < nidx; k++) {
                    int64_t v = *(const int64_t *)(pi[k] + j * ix->strides[k][last]), w = v;
                    if (w < 0 && ix->wrap) w += ix->size[k];
                    if (w < 0 || w >= ix->size[k]) { *bad_value = v; *bad_k = k; return CT_ERR_INDEX; }
                    eb += w * ix->bstride[k];
                }
                if (mode == CT_IDX_GATHER) ct_copy_elem(ea, eb, isz);
                else if (mode == CT_IDX_PUT) ct_copy_elem(eb, ea, isz);
                else ct_reduce_elem(mode, dt, eb, ea);
            }
        }
        n += count;
        if (n >= end) break;
        /* carry: the last dim is exhausted, step the outer dims (odometer) */
        pa -= coord[last] * ast[last];
        pb -= coord[last] * bst[last];
        for (int k = 0; k < nidx; k++) pi[k] -= coord[last] * ix->strides[k][last];
        coord[last] = 0;
        for (int d = last - 1; d >= 0; d--) {
            coord[d]++;
            pa += ast[d]; pb += bst[d];
            for (int k = 0; k < nidx; k++) pi[k] += ix->strides[k][d];
            if (coord[d] < shape[d]) break;
            pa -= ast[d] * shape[d]; pb -= bst[d] * shape[d];
            for (int k = 0; k < nidx; k++) pi[k] -= ix->strides[k][d] * shape[d];
            coord[d] = 0;
        }
    }
    return CT_OK;
}

int ct_index_apply(int mode, int dtype, char *a, const int64_t *ast, char *b, const int64_t *bst,
                   int ndim, const int64_t *shape, const ct_index_spec *ix,
                   int64_t *bad_value, int *bad_k) {
    static const int64_t one = 1, zero = 0;
    int64_t total = 1;
    if (ndim > CT_MAX_DIMS || ix->n > CT_MAX_DIMS) return CT_ERR_DIMS;
    for (int d = 0; d < ndim; d++) total *= shape[d];
    if (total == 0) return CT_OK;
    if (ndim == 0) {           /* a 0-d space is one point: view it as shape [1] */
        ct_index_spec one_ix = *ix;
        for (int k = 0; k < ix->n; k++) one_ix.strides[k][0] = 0;
        return ct_index_range(mode, dtype, a, &zero, b, &zero, 1, &one, &one_ix, 0, 1, bad_value, bad_k);
    }
    /* Only a gather is split between threads: each output element is written
     * once, so the result does not depend on the thread count. Scatters stay
     * serial so that duplicate indices resolve in order (last write wins). */
    int nth = ct_get_num_threads();
    int64_t grain = CT_INDEX_GRAIN, isz = (int64_t)ct_itemsize(dtype);
    if (ix->n == 1 && ix->strides[0][ndim - 1] == 0 && ast[ndim - 1] == isz && bst[ndim - 1] == isz)
        grain = CT_ROWCOPY_GRAIN_BYTES / isz;
    if (mode != CT_IDX_GATHER || total < grain || nth <= 1)
        return ct_index_range(mode, dtype, a, ast, b, bst, ndim, shape, ix, 0, total, bad_value, bad_k);
    if (nth > 64) nth = 64;
    int errs[64];
    int64_t vals[64];
    int ks[64];
#pragma omp parallel for num_threads(nth) schedule(static)
    for (int t = 0; t < nth; t++) {
        int64_t lo = total * t / nth, hi = total * (t + 1) / nth;
        errs[t] = ct_index_range(mode, dtype, a, ast, b, bst, ndim, shape, ix, lo, hi, &vals[t], &ks[t]);
    }
    for (int t = 0; t < nth; t++)      /* report the first bad index in row-major order */
        if (errs[t]) { *bad_value = vals[t]; *bad_k = ks[t]; return errs[t]; }
    return CT_OK;
}

/* Is one element nonzero? (-0.0 is zero, NaN is not; complex: either part.) */
static inline int ct_is_nonzero(const char *p, int dt) {
    switch (dt) {
    case CT_BOOL: case CT_UINT8: case CT_INT8: return *(const uint8_t *)p != 0;
    case CT_INT16: { int16_t v; memcpy(&v, p, 2); return v != 0; }
    case CT_INT32: { int32_t v; memcpy(&v, p, 4); return v != 0; }
    case CT_INT64: { int64_t v; memcpy(&v, p, 8); return v != 0; }
    case CT_FLOAT16: case CT_BFLOAT16: { uint16_t v; memcpy(&v, p, 2); return (v & 0x7fffu) != 0; }
    case CT_FLOAT32: { float v; memcpy(&v, p, 4); return v != 0.0f; }
    case CT_FLOAT64: { double v; memcpy(&v, p, 8); return v != 0.0; }
    case CT_COMPLEX64: { float v[2]; memcpy(v, p, 8); return v[0] != 0.0f || v[1] != 0.0f; }
    default: { double v[2]; memcpy(v, p, 16); return v[0] != 0.0 || v[1] != 0.0; }
    }
}

/* Row-major walk over a strided tensor calling BODY with p (element) and coord. */
#define CT_WALK(data, ndim, shape, strides, BODY)                                   \
    do {                                                                            \
        int64_t coord[CT_MAX_DIMS] = {0};                                           \
        int64_t total_ = 1;                                                         \
        for (int d_ = 0; d_ < (ndim); d_++) total_ *= (shape)[d_];                  \
        const char *p = (data);                                                     \
        for (int64_t n_ = 0; n_ < total_; n_++) {                                   \
            BODY;                                                                   \
            for (int d_ = (ndim) - 1; d_ >= 0; d_--) {                              \
                coord[d_]++; p += (strides)[d_];                                    \
                if (coord[d_] < (shape)[d_]) break;                                 \
                p -= (strides)[d_] * (shape)[d_]; coord[d_] = 0;                    \
            }                                                                       \
        }                                                                           \
    } while (0)

static int ct_is_contig(int ndim, const int64_t *shape, const int64_t *strides, int64_t isz) {
    int64_t expect = isz;
    for (int d = ndim - 1; d >= 0; d--) {
        if (shape[d] == 1) continue;
        if (strides[d] != expect) return 0;
        expect *= shape[d];
    }
    return 1;
}

/* Contiguous data: one typed loop per dtype; `HIT` runs for each nonzero flat position i. */
#define CT_NZ_TYPED(T, TEST, HIT)                                                    \
    for (int64_t i = 0; i < total; i++) {                                            \
        T v; memcpy(&v, data + i * (int64_t)sizeof(T), sizeof(T));                   \
        if (TEST) { HIT; }                                                           \
    }
#define CT_NZ_DISPATCH(HIT)                                                          \
    switch (dtype) {                                                                 \
    case CT_BOOL: case CT_UINT8: case CT_INT8: CT_NZ_TYPED(uint8_t, v != 0, HIT) break; \
    case CT_INT16: CT_NZ_TYPED(int16_t, v != 0, HIT) break;                          \
    case CT_INT32: CT_NZ_TYPED(int32_t, v != 0, HIT) break;                          \
    case CT_INT64: CT_NZ_TYPED(int64_t, v != 0, HIT) break;                          \
    case CT_FLOAT16: case CT_BFLOAT16: CT_NZ_TYPED(uint16_t, (v & 0x7fffu) != 0, HIT) break; \
    case CT_FLOAT32: CT_NZ_TYPED(float, v != 0.0f, HIT) break;                       \
    case CT_FLOAT64: CT_NZ_TYPED(double, v != 0.0, HIT) break;                       \
    default:                                                                         \
        for (int64_t i = 0; i < total; i++)                                          \
            if (ct_is_nonzero(data + i * isz, dtype)) { HIT; }                       \
    }

static inline void ct_unflatten(int64_t flat, int ndim, const int64_t *shape, int64_t *coord) {
    for (int d = ndim - 1; d >= 0; d--) { coord[d] = flat % shape[d]; flat /= shape[d]; }
}

int64_t ct_count_nonzero(const char *data, int dtype, int ndim, const int64_t *shape, const int64_t *strides) {
    int64_t count = 0, total = 1, isz = (int64_t)ct_itemsize(dtype);
    if (ndim > CT_MAX_DIMS) return -1;
    for (int d = 0; d < ndim; d++) total *= shape[d];
    if (ct_is_contig(ndim, shape, strides, isz)) {
        CT_NZ_DISPATCH(count++)
        return count;
    }
    CT_WALK(data, ndim, shape, strides, count += ct_is_nonzero(p, dtype));
    return count;
}

int ct_nonzero(const char *data, int dtype, int ndim, const int64_t *shape, const int64_t *strides,
               int64_t *out, int64_t count) {
    int64_t row = 0, total = 1, isz = (int64_t)ct_itemsize(dtype);
    if (ndim > CT_MAX_DIMS) return CT_ERR_DIMS;
    for (int d = 0; d < ndim; d++) total *= shape[d];
    if (ct_is_contig(ndim, shape, strides, isz)) {
        /* flat position -> coordinates, only for the hits */
        CT_NZ_DISPATCH(if (row >= count) return CT_ERR_VALUE; ct_unflatten(i, ndim, shape, out + row * ndim); row++)
        return row == count ? CT_OK : CT_ERR_VALUE;
    }
    CT_WALK(data, ndim, shape, strides,
            if (ct_is_nonzero(p, dtype)) {
                if (row >= count) return CT_ERR_VALUE;     /* data changed under us */
                memcpy(out + row * ndim, coord, (size_t)ndim * sizeof(int64_t));
                row++;
            });
    return row == count ? CT_OK : CT_ERR_VALUE;
}

/* out := cond ? x : y, one loop per element size. */
#define CT_WHERE_LOOP(name, T)                                                          \
    static void name(char **args, const int64_t *steps, int64_t n, const void *aux) {  \
        (void)aux;                                                                      \
        char *o = args[0]; const char *c = args[1], *x = args[2], *y = args[3];        \
        for (int64_t i = 0; i < n; i++)                                                 \
            memcpy(o + i * steps[0], c[i * steps[1]] ? x + i * steps[2] : y + i * steps[3], sizeof(T)); \
    }
typedef struct { double re, im; } ct_pair16;
CT_WHERE_LOOP(ct_where_1, uint8_t)
CT_WHERE_LOOP(ct_where_2, uint16_t)
CT_WHERE_LOOP(ct_where_4, uint32_t)
CT_WHERE_LOOP(ct_where_8, uint64_t)
CT_WHERE_LOOP(ct_where_16, ct_pair16)

int ct_where(char *out, const char *cond, const char *x, const char *y, int64_t itemsize, int ndim,
             const int64_t *shape, const int64_t *strides) {
    char *args[4] = { out, (char *)cond, (char *)x, (char *)y };
    ct_loop_fn fn;
    switch (itemsize) {
    case 1: fn = ct_where_1; break;
    case 2: fn = ct_where_2; break;
    case 4: fn = ct_where_4; break;
    case 8: fn = ct_where_8; break;
    case 16: fn = ct_where_16; break;
    default: return CT_ERR_VALUE;
    }
    return ct_iterate(fn, 4, args, ndim, shape, strides, NULL);
}
