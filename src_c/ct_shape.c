/* ct_shape.c - kernels for the shape/joining op family.
 *
 * Most shape ops are views or strided copies done by the core copy kernel;
 * what is here needs per-element index logic. Every kernel is dtype-agnostic
 * where it only moves bytes, checks user-controlled values and returns an
 * error code instead of crashing.
 */
#include "ct_shape.h"
#include <string.h>

#define CT_SHAPE_GRAIN 32768

typedef struct { uint64_t lo, hi; } ct_u128;

/* o[i] := a[i] by raw items of type T; the reversed case (a step of -sizeof(T)) is what flip needs
 * on its innermost dim, and is written as a plain indexed loop so the compiler vectorises it. */
#define CT_COPY_ITEMS(name, T)                                                           \
static void name(char **args, const int64_t *steps, int64_t n, const void *aux) {      \
    (void)aux;                                                                         \
    char *po = args[0]; const char *pa = args[1];                                      \
    const int64_t so = steps[0], sa = steps[1], sz = (int64_t)sizeof(T);               \
    if (so == sz && sa == -sz) {                                                       \
        T *o = (T *)po; const T *a = (const T *)pa;                                    \
        for (int64_t i = 0; i < n; i++) o[i] = a[-i];                                  \
    } else if (so == sz && sa == sz) {                                                 \
        memcpy(po, pa, (size_t)(n * sz));                                              \
    } else {                                                                           \
        for (int64_t i = 0; i < n; i++) memcpy(po + i * so, pa + i * sa, sizeof(T));   \
    }                                                                                  \
}

CT_COPY_ITEMS(ct_copy_items_1, uint8_t)
CT_COPY_ITEMS(ct_copy_items_2, uint16_t)
CT_COPY_ITEMS(ct_copy_items_4, uint32_t)
CT_COPY_ITEMS(ct_copy_items_8, uint64_t)
CT_COPY_ITEMS(ct_copy_items_16, ct_u128)

ct_loop_fn ct_flip_copy_fn(int64_t itemsize) {
    switch (itemsize) {
    case 1: return ct_copy_items_1;
    case 2: return ct_copy_items_2;
    case 4: return ct_copy_items_4;
    case 8: return ct_copy_items_8;
    case 16: return ct_copy_items_16;
    default: return NULL;
    }
}

/* tril: A[b,i,j] := 0 where j - i > k;  triu: A[b,i,j] := 0 where j - i < k (byte strides). */
int ct_tri_zero(char *data, int64_t batch, int64_t m, int64_t n, int64_t bstride, int64_t rstride,
                int64_t cstride, int64_t itemsize, int64_t k, int upper) {
    if (batch < 0 || m < 0 || n < 0 || itemsize <= 0 || itemsize > 16) return CT_ERR_VALUE;
    int64_t rows = batch * m;
    int nth = (rows * n >= CT_SHAPE_GRAIN) ? ct_get_num_threads() : 1;
    #pragma omp parallel for num_threads(nth) schedule(static) if (nth > 1)
    for (int64_t r = 0; r < rows; r++) {
        int64_t b = r / m, i = r % m;
        char *row = data + b * bstride + i * rstride;
        /* zero the columns [lo, hi) of this row */
        int64_t lo, hi;
        if (upper) { lo = 0; hi = i + k; }
        else { lo = i + k + 1; hi = n; }
        if (lo < 0) lo = 0;
        if (hi > n) hi = n;
        if (lo >= hi) continue;
        if (cstride == itemsize) {
            memset(row + lo * cstride, 0, (size_t)((hi - lo) * itemsize));
        } else {
            for (int64_t j = lo; j < hi; j++) memset(row + j * cstride, 0, (size_t)itemsize);
        }
    }
    return CT_OK;
}

/* Row-major (row, col) coordinates of the lower (upper=0: j - i <= offset) or upper
 * (upper=1: j - i >= offset) triangle of a row x col matrix: out[0,:] rows, out[1,:] cols. */
int ct_tri_indices_i64(int64_t *out, int64_t row, int64_t col, int64_t offset, int upper, int64_t count) {
    int64_t p = 0;
    if (row < 0 || col < 0) return CT_ERR_VALUE;
    for (int64_t i = 0; i < row; i++) {
        int64_t lo = upper ? i + offset : 0, hi = upper ? col : i + offset + 1;
        if (lo < 0) lo = 0;
        if (hi > col) hi = col;
        for (int64_t j = lo; j < hi; j++) {
            if (p >= count) return CT_ERR_INDEX;
            out[p] = i;
            out[count + p] = j;
            p++;
        }
    }
    return p == count ? CT_OK : CT_ERR_VALUE;
}

/* out[o, r, :] := in[o, i, :] for every i and each of its reps[i] copies r (all contiguous). */
int ct_repeat_interleave(char *out, const char *in, const int64_t *reps, int64_t outer, int64_t n,
                         int64_t inner_bytes, int64_t total) {
    int64_t s = 0;
    if (total < 0) return CT_ERR_INDEX;
    for (int64_t i = 0; i < n; i++) {
        if (reps[i] < 0) return CT_ERR_VALUE;
        if (reps[i] > total - s) return CT_ERR_INDEX;   /* more rows than allocated (no overflow: s <= total) */
        s += reps[i];
    }
    if (s != total) return CT_ERR_INDEX;
    for (int64_t o = 0; o < outer; o++) {
        const char *src = in + o * n * inner_bytes;
        char *dst = out + o * total * inner_bytes;
        for (int64_t i = 0; i < n; i++) {
            for (int64_t r = 0; r < reps[i]; r++) {
                memcpy(dst, src + i * inner_bytes, (size_t)inner_bytes);
                dst += inner_bytes;
            }
        }
    }
    return CT_OK;
}

/* out[r, :] := in[idx[r], :] for r < nidx (contiguous rows of row_bytes; idx checked against nrows). */
int ct_gather_rows(char *out, const char *in, const int64_t *idx, int64_t nidx, int64_t nrows,
                   int64_t row_bytes) {
    for (int64_t r = 0; r < nidx; r++)
        if (idx[r] < 0 || idx[r] >= nrows) return CT_ERR_INDEX;
    for (int64_t r = 0; r < nidx; r++)
        memcpy(out + r * row_bytes, in + idx[r] * row_bytes, (size_t)row_bytes);
    return CT_OK;
}

/* out := sum_i x[i * step] (byte step) accumulated as int64 (integer dtypes), double (real
 * floating) or double complex (complex); out points at one value of that accumulation type. */
int ct_trace(const char *data, int64_t n, int64_t step, int dtype, void *out) {
    uint64_t si = 0;
    double sf = 0.0;
    ct_c128 sc = 0.0;
    for (int64_t i = 0; i < n; i++) {
        const char *p = data + i * step;
        switch (dtype) {
        case CT_BOOL: case CT_UINT8: si += *(const uint8_t *)p; break;
        case CT_INT8: si += (uint64_t)(int64_t)*(const int8_t *)p; break;
        case CT_INT16: si += (uint64_t)(int64_t)*(const int16_t *)p; break;
        case CT_INT32: si += (uint64_t)(int64_t)*(const int32_t *)p; break;
        case CT_INT64: si += (uint64_t)*(const int64_t *)p; break;
        case CT_FLOAT16: sf += ct_half_to_float(*(const ct_half *)p); break;
        case CT_BFLOAT16: sf += ct_bf16_to_float(*(const ct_bf16 *)p); break;
        case CT_FLOAT32: sf += *(const float *)p; break;
        case CT_FLOAT64: sf += *(const double *)p; break;
        case CT_COMPLEX64: sc += *(const ct_c64 *)p; break;
        case CT_COMPLEX128: sc += *(const ct_c128 *)p; break;
        default: return CT_ERR_VALUE;
        }
    }
    if (dtype <= CT_INT64) *(int64_t *)out = (int64_t)si;
    else if (dtype <= CT_FLOAT64) *(double *)out = sf;
    else *(ct_c128 *)out = sc;
    return CT_OK;
}
