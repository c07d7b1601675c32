/* ct_reduce.c - reduction, scan and softmax kernels over a contiguous [A, R, B] block
 * (layout and thread-count rules: see ct_reduce.h). */
/* No FP traps are ever enabled, so let GCC if-convert float selects (clamps,
 * NaN checks) into vector blends; results are unchanged. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math")
#endif
#include "ct_reduce.h"
#include "ct_math.h"
#include <math.h>
#include <stdlib.h>

#define CT_RED_GRAIN 32768   /* below this many input elements a kernel runs on one thread */
#define CT_RED_BLK 4096      /* fixed block of a long row; partials are merged in block order */
#define CT_RED_COLS 256      /* columns per task when reducing over an outer dim */
#define CT_RED_LANES 32      /* independent accumulators in a block (vectorisable, and pairwise-like) */
#define CT_RED_ROWS 64       /* rows summed in the lane type before merging into P (outer reductions) */

/* Hot loops get AVX-512 and AVX2 clones picked at load time; the lane
 * structure is explicit and -std=c11 keeps FP contraction off, so every clone
 * gives bit-identical results. */
#if defined(__GNUC__) && defined(__x86_64__) && defined(__linux__) && !defined(CT_NO_CLONES)
#define CT_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define CT_CLONES
#endif

static inline int64_t ct_min64(int64_t a, int64_t b) { return a < b ? a : b; }

/* ---------------------------------------------------------------- value reductions
 * CT_REDUCE(NAME, T, P, L, INIT, STEP, MERGE) defines ct_NAME:
 * T element type, P row accumulator, L lane type inside a block, INIT the
 * identity, STEP(acc, v) folds one element, MERGE(acc, p) folds a partial.
 * Inner rows (B == 1) are summed block by block: CT_RED_LANES lanes per block,
 * lanes merged pairwise and blocks merged in order (so float32 sums see
 * 128-term lane sums, merged in double). Outer reductions (B > 1) add
 * CT_RED_ROWS rows at a time into a vector of L, merged into a vector of P. */
#define CT_REDUCE_BLK(NAME, T, P, L, INIT, STEP, MERGE)                                          \
static CT_CLONES P NAME##_blk(const T *x, int64_t n) {                                          \
    L lane[CT_RED_LANES];                                                                       \
    P acc = INIT;                                                                               \
    int64_t i = 0;                                                                              \
    for (int j = 0; j < CT_RED_LANES; j++) lane[j] = INIT;                                      \
    for (; i + CT_RED_LANES <= n; i += CT_RED_LANES)                                            \
        for (int j = 0; j < CT_RED_LANES; j++) STEP(lane[j], x[i + j]);                         \
    for (int j = 0; i + j < n; j++) STEP(lane[j], x[i + j]);     /* the tail, independently */  \
    for (int w = CT_RED_LANES / 2; w >= 1; w /= 2)     /* pairwise, in vector-sized steps */    \
        for (int j = 0; j < w; j++) MERGE(lane[j], lane[j + w]);                                \
    MERGE(acc, (P)lane[0]);                                                                     \
    return acc;                                                                                 \
}

/* Float max/min blocks: CT_RED_WIDE running values updated by an elementwise
 * NaN-aware select. Wide enough that GCC keeps it a loop (and vectorises it)
 * instead of unrolling it into scalar selects, as it does with 16 lanes. */
#define CT_RED_WIDE 64
#define CT_EXTREME_BLK(NAME, T, CMP, INIT)                                                       \
static CT_CLONES T NAME##_blk(const T *restrict x, int64_t n) {                                 \
    T acc[CT_RED_WIDE], r = INIT;                                                               \
    int64_t i = 0;                                                                              \
    for (int j = 0; j < CT_RED_WIDE; j++) acc[j] = INIT;                                        \
    for (; i + CT_RED_WIDE <= n; i += CT_RED_WIDE)                                              \
        for (int j = 0; j < CT_RED_WIDE; j++) {                                                 \
            T a = acc[j], b = x[i + j];                                                         \
            acc[j] = (a CMP b || a != a) ? a : b;                                               \
        }                                                                                       \
    for (int j = 0; j < CT_RED_WIDE; j++) r = (r CMP acc[j] || r != r) ? r : acc[j];            \
    for (; i < n; i++) r = (r CMP x[i] || r != r) ? r : x[i];                                   \
    return r;                                                                                   \
}

/* The row/column drivers shared by every value reduction (see above). */
#define CT_REDUCE_DRIVER(NAME, T, P, L, INIT, STEP, MERGE)                                       \
static P NAME##_row(const T *x, int64_t n) {                                                    \
    P acc = INIT;                                                                               \
    for (int64_t lo = 0; lo < n; lo += CT_RED_BLK)                                              \
        MERGE(acc, NAME##_blk(x + lo, ct_min64(CT_RED_BLK, n - lo)));                           \
    return acc;                                                                                 \
}                                                                                               \
static CT_CLONES void NAME##_cols(const T *base, int64_t R, int64_t B, int64_t nc, T *out) {    \
    P acc[CT_RED_COLS];                                                                         \
    L lacc[CT_RED_COLS];                                                                        \
    for (int64_t j = 0; j < nc; j++) acc[j] = INIT;                                             \
    for (int64_t r0 = 0; r0 < R; r0 += CT_RED_ROWS) {                                           \
        int64_t r1 = ct_min64(R, r0 + CT_RED_ROWS);                                             \
        int64_t r = r0;                                                                         \
        for (int64_t j = 0; j < nc; j++) lacc[j] = INIT;                                        \
        for (; r + 4 <= r1; r += 4) {          /* 4 rows per pass over lacc, same order */      \
            const T *p0 = base + r * B, *p1 = p0 + B, *p2 = p1 + B, *p3 = p2 + B;               \
            for (int64_t j = 0; j < nc; j++) {                                                  \
                L v = lacc[j];                                                                  \
                STEP(v, p0[j]);                                                                 \
                STEP(v, p1[j]);                                                                 \
                STEP(v, p2[j]);                                                                 \
                STEP(v, p3[j]);                                                                 \
                lacc[j] = v;                                                                    \
            }                                                                                   \
        }                                                                                       \
        for (; r < r1; r++) {                                                                   \
            const T *row = base + r * B;                                                        \
            for (int64_t j = 0; j < nc; j++) STEP(lacc[j], row[j]);                             \
        }                                                                                       \
        for (int64_t j = 0; j < nc; j++) MERGE(acc[j], (P)lacc[j]);                             \
    }                                                                                           \
    for (int64_t j = 0; j < nc; j++) out[j] = (T)acc[j];                                        \
}                                                                                               \
int ct_##NAME(const void *xv, void *ov, int64_t A, int64_t R, int64_t B) {                      \
    const T *x = (const T *)xv;                                                                 \
    T *out = (T *)ov;                                                                           \
    int nth = ct_get_num_threads();                                                             \
    int par = A * R * B >= CT_RED_GRAIN && nth > 1;                                             \
    if (B == 1) {                                                                               \
        int64_t nblk = (R + CT_RED_BLK - 1) / CT_RED_BLK;                                       \
        if (!par || A >= 2 * nth || nblk < 2) {                                                 \
            _Pragma("omp parallel for num_threads(nth) if(par) schedule(static)")               \
            for (int64_t a = 0; a < A; a++) out[a] = (T)NAME##_row(x + a * R, R);               \
            return CT_OK;                                                                       \
        }                                                                                       \
        P *part = (P *)malloc((size_t)(A * nblk) * sizeof(P));                                  \
        if (!part) return CT_ERR_NOMEM;                                                         \
        _Pragma("omp parallel for num_threads(nth) schedule(static)")                           \
        for (int64_t it = 0; it < A * nblk; it++) {                                             \
            int64_t a = it / nblk, lo = (it % nblk) * CT_RED_BLK;                               \
            part[it] = NAME##_blk(x + a * R + lo, ct_min64(CT_RED_BLK, R - lo));                \
        }                                                                                       \
        for (int64_t a = 0; a < A; a++) {                                                       \
            P acc = INIT;                                                                       \
            for (int64_t k = 0; k < nblk; k++) MERGE(acc, part[a * nblk + k]);                  \
            out[a] = (T)acc;                                                                    \
        }                                                                                       \
        free(part);                                                                             \
        return CT_OK;                                                                           \
    }                                                                                           \
    int64_t ncb = (B + CT_RED_COLS - 1) / CT_RED_COLS;                                          \
    _Pragma("omp parallel for num_threads(nth) if(par) schedule(static)")                       \
    for (int64_t it = 0; it < A * ncb; it++) {                                                  \
        int64_t a = it / ncb, c0 = (it % ncb) * CT_RED_COLS;                                    \
        NAME##_cols(x + a * R * B + c0, R, B, ct_min64(CT_RED_COLS, B - c0), out + a * B + c0); \
    }                                                                                           \
    return CT_OK;                                                                               \
}

#define CT_REDUCE(NAME, T, P, L, INIT, STEP, MERGE)                                              \
    CT_REDUCE_BLK(NAME, T, P, L, INIT, STEP, MERGE)                                              \
    CT_REDUCE_DRIVER(NAME, T, P, L, INIT, STEP, MERGE)

#define CT_ADD(a, v) ((a) += (v))
#define CT_NANADD(a, v) ((a) += ((v) != (v) ? 0 : (v)))
#define CT_ADD_I64(a, v) ((a) = (int64_t)((uint64_t)(a) + (uint64_t)(v)))    /* wraps like torch */
#define CT_MUL(a, v) ((a) *= (v))
#define CT_MUL_I64(a, v) ((a) = (int64_t)((uint64_t)(a) * (uint64_t)(v)))
#define CT_MAX(a, v) ((a) = ((v) > (a) || (v) != (v)) ? (v) : (a))          /* NaN sticks */
#define CT_MIN(a, v) ((a) = ((v) < (a) || (v) != (v)) ? (v) : (a))
#define CT_AND(a, v) ((a) &= (uint8_t)((v) != 0))
#define CT_OR(a, v) ((a) |= (uint8_t)((v) != 0))

/* out = sum_r x */
CT_REDUCE(sum_f32, float, double, float, 0, CT_ADD, CT_ADD)
CT_REDUCE(sum_f64, double, double, double, 0, CT_ADD, CT_ADD)
CT_REDUCE(sum_i64, int64_t, int64_t, int64_t, 0, CT_ADD_I64, CT_ADD_I64)
/* out = sum_r x, NaN counted as 0 */
CT_REDUCE(nansum_f32, float, double, float, 0, CT_NANADD, CT_ADD)
CT_REDUCE(nansum_f64, double, double, double, 0, CT_NANADD, CT_ADD)
/* out = prod_r x (complex: C99 products, accumulated in double) */
CT_REDUCE(prod_f32, float, double, double, 1, CT_MUL, CT_MUL)
CT_REDUCE(prod_f64, double, double, double, 1, CT_MUL, CT_MUL)
CT_REDUCE(prod_i64, int64_t, int64_t, int64_t, 1, CT_MUL_I64, CT_MUL_I64)
CT_REDUCE(prod_c64, ct_c64, ct_c128, ct_c128, 1, CT_MUL, CT_MUL)
CT_REDUCE(prod_c128, ct_c128, ct_c128, ct_c128, 1, CT_MUL, CT_MUL)
/* out = max_r x (NaN if any x is NaN) */
CT_EXTREME_BLK(amax_f32, float, >, -INFINITY)
CT_REDUCE_DRIVER(amax_f32, float, float, float, -INFINITY, CT_MAX, CT_MAX)
CT_EXTREME_BLK(amax_f64, double, >, -INFINITY)
CT_REDUCE_DRIVER(amax_f64, double, double, double, -INFINITY, CT_MAX, CT_MAX)
CT_REDUCE(amax_i64, int64_t, int64_t, int64_t, INT64_MIN, CT_MAX, CT_MAX)
/* out = min_r x (NaN if any x is NaN) */
CT_EXTREME_BLK(amin_f32, float, <, INFINITY)
CT_REDUCE_DRIVER(amin_f32, float, float, float, INFINITY, CT_MIN, CT_MIN)
CT_EXTREME_BLK(amin_f64, double, <, INFINITY)
CT_REDUCE_DRIVER(amin_f64, double, double, double, INFINITY, CT_MIN, CT_MIN)
CT_REDUCE(amin_i64, int64_t, int64_t, int64_t, INT64_MAX, CT_MIN, CT_MIN)
/* out = AND_r (x != 0), OR_r (x != 0) on bool/uint8 bytes */
CT_REDUCE(all_u8, uint8_t, uint8_t, uint8_t, 1, CT_AND, CT_AND)
CT_REDUCE(any_u8, uint8_t, uint8_t, uint8_t, 0, CT_OR, CT_OR)

/* ---------------------------------------------------------------- arg reductions
 * BETTER(v, best): v strictly beats best, so ties keep the first index; the
 * first NaN beats everything and is never displaced (torch's rule). */
#define CT_BETTER_MAX(v, b) ((v) > (b) || ((v) != (v) && (b) == (b)))
#define CT_BETTER_MIN(v, b) ((v) < (b) || ((v) != (v) && (b) == (b)))

#define CT_ARGRED(NAME, T, BETTER)                                                               \
static void NAME##_blk(const T *x, int64_t n, int64_t base, T *bv, int64_t *bi) {               \
    T best = x[0];                                                                              \
    int64_t b = 0;                                                                              \
    for (int64_t i = 1; i < n; i++)                                                             \
        if (BETTER(x[i], best)) { best = x[i]; b = i; }                                         \
    *bv = best;                                                                                 \
    *bi = base + b;                                                                             \
}                                                                                               \
int ct_##NAME(const void *xv, void *vv, int64_t *idx, int64_t A, int64_t R, int64_t B) {        \
    const T *x = (const T *)xv;                                                                 \
    T *val = (T *)vv;                                                                           \
    int nth = ct_get_num_threads();                                                             \
    int par = A * R * B >= CT_RED_GRAIN && nth > 1;                                             \
    if (R <= 0) return CT_ERR_VALUE;                                                            \
    if (B == 1) {                                                                               \
        int64_t nblk = (R + CT_RED_BLK - 1) / CT_RED_BLK;                                       \
        if (!par || A >= 2 * nth || nblk < 2) {                                                 \
            _Pragma("omp parallel for num_threads(nth) if(par) schedule(static)")               \
            for (int64_t a = 0; a < A; a++) NAME##_blk(x + a * R, R, 0, val + a, idx + a);      \
            return CT_OK;                                                                       \
        }                                                                                       \
        T *pv = (T *)malloc((size_t)(A * nblk) * sizeof(T));                                    \
        int64_t *pi = (int64_t *)malloc((size_t)(A * nblk) * sizeof(int64_t));                  \
        if (!pv || !pi) { free(pv); free(pi); return CT_ERR_NOMEM; }                            \
        _Pragma("omp parallel for num_threads(nth) schedule(static)")                           \
        for (int64_t it = 0; it < A * nblk; it++) {                                             \
            int64_t a = it / nblk, lo = (it % nblk) * CT_RED_BLK;                               \
            NAME##_blk(x + a * R + lo, ct_min64(CT_RED_BLK, R - lo), lo, pv + it, pi + it);     \
        }                                                                                       \
        for (int64_t a = 0; a < A; a++) {                                                       \
            T best = pv[a * nblk];                                                              \
            int64_t b = pi[a * nblk];                                                           \
            for (int64_t k = 1; k < nblk; k++)                                                  \
                if (BETTER(pv[a * nblk + k], best)) { best = pv[a * nblk + k]; b = pi[a * nblk + k]; } \
            val[a] = best;                                                                      \
            idx[a] = b;                                                                         \
        }                                                                                       \
        free(pv);                                                                               \
        free(pi);                                                                               \
        return CT_OK;                                                                           \
    }                                                                                           \
    int64_t ncb = (B + CT_RED_COLS - 1) / CT_RED_COLS;                                          \
    _Pragma("omp parallel for num_threads(nth) if(par) schedule(static)")                       \
    for (int64_t it = 0; it < A * ncb; it++) {                                                  \
        int64_t a = it / ncb, c0 = (it % ncb) * CT_RED_COLS;                                    \
        int64_t nc = ct_min64(CT_RED_COLS, B - c0);                                             \
        T best[CT_RED_COLS];                                                                    \
        int64_t bi[CT_RED_COLS];                                                                \
        const T *base = x + a * R * B + c0;                                                     \
        for (int64_t j = 0; j < nc; j++) { best[j] = base[j]; bi[j] = 0; }                      \
        for (int64_t r = 1; r < R; r++) {                                                       \
            const T *row = base + r * B;                                                        \
            for (int64_t j = 0; j < nc; j++)                                                    \
                if (BETTER(row[j], best[j])) { best[j] = row[j]; bi[j] = r; }                   \
        }                                                                                       \
        for (int64_t j = 0; j < nc; j++) { val[a * B + c0 + j] = best[j]; idx[a * B + c0 + j] = bi[j]; } \
    }                                                                                           \
    return CT_OK;                                                                               \
}

/* (val, idx) = (max_r x, first r attaining it) */
CT_ARGRED(argmax_f32, float, CT_BETTER_MAX)
CT_ARGRED(argmax_f64, double, CT_BETTER_MAX)
CT_ARGRED(argmax_i64, int64_t, CT_BETTER_MAX)
/* (val, idx) = (min_r x, first r attaining it) */
CT_ARGRED(argmin_f32, float, CT_BETTER_MIN)
CT_ARGRED(argmin_f64, double, CT_BETTER_MIN)
CT_ARGRED(argmin_i64, int64_t, CT_BETTER_MIN)

/* ---------------------------------------------------------------- scans
 * CT_SCAN(NAME, T, P, INIT, STEP): out[a, r, b] = fold of x[a, 0..r, b] in P.
 * Rows are scanned in order; threads split rows (B == 1) or column chunks. */
#define CT_SCAN(NAME, T, P, INIT, STEP)                                                          \
int ct_##NAME(const void *xv, void *ov, int64_t A, int64_t R, int64_t B) {                      \
    const T *x = (const T *)xv;                                                                 \
    T *out = (T *)ov;                                                                           \
    int nth = ct_get_num_threads();                                                             \
    int par = A * R * B >= CT_RED_GRAIN && nth > 1;                                             \
    if (B == 1) {                                                                               \
        _Pragma("omp parallel for num_threads(nth) if(par) schedule(static)")                   \
        for (int64_t a = 0; a < A; a++) {                                                       \
            P acc = INIT;                                                                       \
            for (int64_t r = 0; r < R; r++) { STEP(acc, x[a * R + r]); out[a * R + r] = (T)acc; } \
        }                                                                                       \
        return CT_OK;                                                                           \
    }                                                                                           \
    int64_t ncb = (B + CT_RED_COLS - 1) / CT_RED_COLS;                                          \
    _Pragma("omp parallel for num_threads(nth) if(par) schedule(static)")                       \
    for (int64_t it = 0; it < A * ncb; it++) {                                                  \
        int64_t a = it / ncb, c0 = (it % ncb) * CT_RED_COLS;                                    \
        int64_t nc = ct_min64(CT_RED_COLS, B - c0);                                             \
        P acc[CT_RED_COLS];                                                                     \
        for (int64_t j = 0; j < nc; j++) acc[j] = INIT;                                         \
        for (int64_t r = 0; r < R; r++) {                                                       \
            int64_t o = a * R * B + r * B + c0;                                                 \
            for (int64_t j = 0; j < nc; j++) { STEP(acc[j], x[o + j]); out[o + j] = (T)acc[j]; } \
        }                                                                                       \
    }                                                                                           \
    return CT_OK;                                                                               \
}

/* log(exp(a) + exp(v)) without overflow; equal infinities give that infinity. */
static inline double ct_logaddexp(double a, double v) {
    if (a == v) return a + 0.69314718055994530942;
    double m = a > v ? a : v, d = a > v ? v - a : a - v;
    if (a != a || v != v) return a + v;
    return m + log1p(exp(d));
}
#define CT_LAE(a, v) ((a) = ct_logaddexp((a), (double)(v)))

/* out_r = sum_{k<=r} x_k */
CT_SCAN(cumsum_f32, float, double, 0, CT_ADD)
CT_SCAN(cumsum_f64, double, double, 0, CT_ADD)
CT_SCAN(cumsum_i64, int64_t, int64_t, 0, CT_ADD_I64)
/* out_r = prod_{k<=r} x_k (complex accumulated in double) */
CT_SCAN(cumprod_f32, float, double, 1, CT_MUL)
CT_SCAN(cumprod_f64, double, double, 1, CT_MUL)
CT_SCAN(cumprod_i64, int64_t, int64_t, 1, CT_MUL_I64)
CT_SCAN(cumprod_c64, ct_c64, ct_c128, 1, CT_MUL)
CT_SCAN(cumprod_c128, ct_c128, ct_c128, 1, CT_MUL)
/* out_r = log sum_{k<=r} exp(x_k) */
CT_SCAN(logcumsumexp_f32, float, double, -INFINITY, CT_LAE)
CT_SCAN(logcumsumexp_f64, double, double, -INFINITY, CT_LAE)

/* ---------------------------------------------------------------- cummax / cummin
 * TAKE(v, best): v becomes the running value; ties move the index to the later
 * element and every NaN re-indexes (torch's rule). */
#define CT_TAKE_MAX(v, b) ((v) != (v) || ((b) == (b) && (v) >= (b)))
#define CT_TAKE_MIN(v, b) ((v) != (v) || ((b) == (b) && (v) <= (b)))

#define CT_CUMEXT(NAME, T, TAKE)                                                                 \
int ct_##NAME(const void *xv, void *vv, int64_t *idx, int64_t A, int64_t R, int64_t B) {        \
    const T *x = (const T *)xv;                                                                 \
    T *val = (T *)vv;                                                                           \
    int nth = ct_get_num_threads();                                                             \
    int par = A * R * B >= CT_RED_GRAIN && nth > 1;                                             \
    if (R <= 0) return CT_OK;                                                                   \
    _Pragma("omp parallel for num_threads(nth) if(par) schedule(static)")                       \
    for (int64_t it = 0; it < A * B; it++) {                                                    \
        int64_t a = it / B, b = it % B, o = a * R * B + b;                                      \
        T best = x[o];                                                                          \
        int64_t bi = 0;                                                                         \
        for (int64_t r = 0; r < R; r++, o += B) {                                               \
            if (TAKE(x[o], best)) { best = x[o]; bi = r; }                                      \
            val[o] = best;                                                                      \
            idx[o] = bi;                                                                        \
        }                                                                                       \
    }                                                                                           \
    return CT_OK;                                                                               \
}

/* (val_r, idx_r) = (max_{k<=r} x_k, last k attaining it) */
CT_CUMEXT(cummax_f32, float, CT_TAKE_MAX)
CT_CUMEXT(cummax_f64, double, CT_TAKE_MAX)
CT_CUMEXT(cummax_i64, int64_t, CT_TAKE_MAX)
/* (val_r, idx_r) = (min_{k<=r} x_k, last k attaining it) */
CT_CUMEXT(cummin_f32, float, CT_TAKE_MIN)
CT_CUMEXT(cummin_f64, double, CT_TAKE_MIN)
CT_CUMEXT(cummin_i64, int64_t, CT_TAKE_MIN)

/* ---------------------------------------------------------------- softmax
 * (ct_expf_nonpos, the vectorisable float exp for x <= 0, is in ct_math.h) */

/* LOG: 0 for softmax  out = exp(x - m) / s,  1 for log_softmax  out = x - m - log(s),
 * where m = max_r x and s = sum_r exp(x - m). The exponentials go to out
 * first, summed on the way in CT_RED_WIDE running sums (a loop GCC vectorises),
 * then rescaled in place. MAX(p, n) takes the row max (NaN if any: the row is
 * then NaN). */
#define CT_SOFTMAX(NAME, T, EXP, LOG, MAX)                                                       \
static CT_CLONES void NAME##_row(const T *restrict x, T *restrict o, int64_t R) {                              \
    T m = MAX(x, R);                                                                            \
    T acc[CT_RED_WIDE], s = 0;                                                                  \
    int64_t i = 0;                                                                              \
    for (int j = 0; j < CT_RED_WIDE; j++) acc[j] = 0;                                           \
    for (; i + CT_RED_WIDE <= R; i += CT_RED_WIDE)                                              \
        for (int j = 0; j < CT_RED_WIDE; j++) {                                                 \
            T e = EXP(x[i + j] - m);                                                            \
            o[i + j] = e;                                                                       \
            acc[j] += e;                                                                        \
        }                                                                                       \
    for (; i < R; i++) { o[i] = EXP(x[i] - m); s += o[i]; }                                     \
    for (int j = 0; j < CT_RED_WIDE; j++) s += acc[j];                                          \
    if (LOG) {                                                                                  \
        T ls = (T)log(s);                                                                       \
        for (int64_t r = 0; r < R; r++) o[r] = x[r] - m - ls;                                   \
    } else {                                                                                    \
        T inv = (T)1 / s;                                                                       \
        for (int64_t r = 0; r < R; r++) o[r] *= inv;                                            \
    }                                                                                           \
}                                                                                               \
static CT_CLONES void NAME##_cols(const T *restrict xb, T *restrict ob, int64_t R, int64_t B, int64_t nc) {     \
    T m[CT_RED_COLS], s[CT_RED_COLS];                                                           \
    for (int64_t j = 0; j < nc; j++) { m[j] = xb[j]; s[j] = 0; }                                \
    for (int64_t r = 1; r < R; r++) {                                                           \
        const T *xr = xb + r * B;                                                               \
        for (int64_t j = 0; j < nc; j++) m[j] = xr[j] > m[j] ? xr[j] : m[j];                    \
    }                                                                                           \
    for (int64_t r = 0; r < R; r++) {                                                           \
        const T *xr = xb + r * B;                                                               \
        T *orow = ob + r * B;                                                                   \
        for (int64_t j = 0; j < nc; j++) orow[j] = EXP(xr[j] - m[j]);                           \
        for (int64_t j = 0; j < nc; j++) s[j] += orow[j];                                       \
    }                                                                                           \
    for (int64_t j = 0; j < nc; j++) s[j] = LOG ? (T)log(s[j]) : (T)1 / s[j];                   \
    for (int64_t r = 0; r < R; r++) {                                                           \
        const T *xr = xb + r * B;                                                               \
        T *orow = ob + r * B;                                                                   \
        if (LOG) for (int64_t j = 0; j < nc; j++) orow[j] = xr[j] - m[j] - s[j];                \
        else for (int64_t j = 0; j < nc; j++) orow[j] *= s[j];                                  \
    }                                                                                           \
}                                                                                               \
int ct_##NAME(const void *xv, void *ov, int64_t A, int64_t R, int64_t B) {                      \
    const T *x = (const T *)xv;                                                                 \
    T *out = (T *)ov;                                                                           \
    int nth = ct_get_num_threads();                                                             \
    int par = A * R * B >= CT_RED_GRAIN && nth > 1;                                             \
    if (R <= 0) return CT_OK;                                                                   \
    if (B == 1) {                                                                               \
        _Pragma("omp parallel for num_threads(nth) if(par) schedule(static)")                   \
        for (int64_t a = 0; a < A; a++) NAME##_row(x + a * R, out + a * R, R);                  \
        return CT_OK;                                                                           \
    }                                                                                           \
    int64_t ncb = (B + CT_RED_COLS - 1) / CT_RED_COLS;                                          \
    _Pragma("omp parallel for num_threads(nth) if(par) schedule(static)")                       \
    for (int64_t it = 0; it < A * ncb; it++) {                                                  \
        int64_t a = it / ncb, c0 = (it % ncb) * CT_RED_COLS;                                    \
        NAME##_cols(x + a * R * B + c0, out + a * R * B + c0, R, B, ct_min64(CT_RED_COLS, B - c0)); \
    }                                                                                           \
    return CT_OK;                                                                               \
}

/* out = exp(x - max x) / sum exp(x - max x) along R */
CT_SOFTMAX(softmax_f32, float, ct_expf_nonpos, 0, amax_f32_row)
CT_SOFTMAX(softmax_f64, double, exp, 0, amax_f64_row)
/* out = x - max x - log sum exp(x - max x) along R */
CT_SOFTMAX(log_softmax_f32, float, ct_expf_nonpos, 1, amax_f32_row)
CT_SOFTMAX(log_softmax_f64, double, exp, 1, amax_f64_row)

/* ---------------------------------------------------------------- tables */
#define CT_F(f32, f64, i64) \
    [CT_FLOAT32] = (f32), [CT_FLOAT64] = (f64), [CT_INT64] = (i64)
#define CT_C(c64, c128) [CT_COMPLEX64] = (c64), [CT_COMPLEX128] = (c128)

const ct_red_fn ct_reduce_table[CT_NRED][CT_NDTYPES] = {
    [CT_RED_SUM] = {CT_F(ct_sum_f32, ct_sum_f64, ct_sum_i64)},
    [CT_RED_NANSUM] = {CT_F(ct_nansum_f32, ct_nansum_f64, ct_sum_i64)},
    [CT_RED_PROD] = {CT_F(ct_prod_f32, ct_prod_f64, ct_prod_i64), CT_C(ct_prod_c64, ct_prod_c128)},
    [CT_RED_AMAX] = {CT_F(ct_amax_f32, ct_amax_f64, ct_amax_i64)},
    [CT_RED_AMIN] = {CT_F(ct_amin_f32, ct_amin_f64, ct_amin_i64)},
    [CT_RED_ALL] = {[CT_BOOL] = ct_all_u8, [CT_UINT8] = ct_all_u8},
    [CT_RED_ANY] = {[CT_BOOL] = ct_any_u8, [CT_UINT8] = ct_any_u8},
};

const ct_arg_fn ct_arg_table[CT_NARG][CT_NDTYPES] = {
    [CT_ARG_MAX] = {CT_F(ct_argmax_f32, ct_argmax_f64, ct_argmax_i64)},
    [CT_ARG_MIN] = {CT_F(ct_argmin_f32, ct_argmin_f64, ct_argmin_i64)},
};

const ct_red_fn ct_scan_table[CT_NSCAN][CT_NDTYPES] = {
    [CT_SCAN_CUMSUM] = {CT_F(ct_cumsum_f32, ct_cumsum_f64, ct_cumsum_i64)},
    [CT_SCAN_CUMPROD] = {CT_F(ct_cumprod_f32, ct_cumprod_f64, ct_cumprod_i64), CT_C(ct_cumprod_c64, ct_cumprod_c128)},
    [CT_SCAN_LOGCUMSUMEXP] = {CT_F(ct_logcumsumexp_f32, ct_logcumsumexp_f64, NULL)},
    [CT_SCAN_SOFTMAX] = {CT_F(ct_softmax_f32, ct_softmax_f64, NULL)},
    [CT_SCAN_LOG_SOFTMAX] = {CT_F(ct_log_softmax_f32, ct_log_softmax_f64, NULL)},
};

const ct_arg_fn ct_cum_table[CT_NCUM][CT_NDTYPES] = {
    [CT_CUM_MAX] = {CT_F(ct_cummax_f32, ct_cummax_f64, ct_cummax_i64)},
    [CT_CUM_MIN] = {CT_F(ct_cummin_f32, ct_cummin_f64, ct_cummin_i64)},
};
