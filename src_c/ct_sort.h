/* ct_sort.h - sorting, selection and counting kernels (plain C11 + OpenMP).
 *
 * Row layout: a contiguous input is seen as [outer, n, inner]; "row" (o, i)
 * is the n elements in[(o * n + j) * inner + i], j = 0..n-1 (the sorted dim
 * need not be the last one, so no transpose copy is needed). Outputs that
 * keep the dim use the same layout with n replaced by their own length.
 *
 * Every real dtype is handled by mapping each element to an unsigned integer
 * key whose ascending order is the sort order: NaN is the largest value,
 * -0.0 equals 0.0, and descending order is the bitwise complement. Sorting is
 * an LSD radix sort of (key, index) pairs, so it is always stable.
 */
#ifndef CT_SORT_H
#define CT_SORT_H

#include "ct_base.h"

/* vals/idx := stable sort of each row (values, positions along the dim). */
int ct_sort_rows(int dt, const char *in, char *vals, int64_t *idx, int64_t outer, int64_t n,
                 int64_t inner, int descending);

/* vals/idx ([outer, k, inner]) := the k largest (or smallest) of each row,
 * in order when sorted != 0. Ties go to the lower index. */
int ct_topk_rows(int dt, const char *in, char *vals, int64_t *idx, int64_t outer, int64_t n,
                 int64_t inner, int64_t k, int largest, int sorted);

/* vals/idx ([outer, inner]) := k-th smallest (1-based) of each row (what = 0),
 * its lower median with NaN propagating (what = 1), or ignoring NaN (what = 2). */
int ct_kth_rows(int dt, const char *in, char *vals, int64_t *idx, int64_t outer, int64_t n,
                int64_t inner, int64_t k, int what);

/* vals/idx ([outer, inner]) := the smallest most frequent value of each row
 * and the last position where it occurs. */
int ct_mode_rows(int dt, const char *in, char *vals, int64_t *idx, int64_t outer, int64_t n,
                 int64_t inner);

/* Unique values of a flat array (sorted, or in runs of equal neighbours when
 * consecutive != 0); NaNs are never equal. vals gets *nunique elements,
 * inverse[j] := group of in[j], counts[g] := size of group g. */
int ct_unique(int dt, const char *in, int64_t n, int consecutive, char *vals, int64_t *inverse,
              int64_t *counts, int64_t *nunique);

/* Unique rows of a contiguous [n, m] array (lexicographic order). vals gets a
 * copy of each group's row, inverse[j] := group of row j, counts[g] := its size. */
int ct_unique_rows(int dt, const char *in, int64_t n, int64_t m, int consecutive, char *vals,
                   int64_t *inverse, int64_t *counts, int64_t *nunique);

/* out[r, j] := number of seq[r', :] elements < vals[r, j] (<= when right),
 * r' = r, or 0 when nseq_rows == 1. sorter (may be NULL) orders each seq row. */
int ct_searchsorted(int dt, const char *seq, const int64_t *sorter, int64_t nseq_rows, int64_t n,
                    const char *vals, int64_t nrows, int64_t m, int right, int64_t *out);

/* *hi := max(in) (-1 when empty); CT_ERR_VALUE if an element is negative. */
int ct_bincount_max(const int64_t *in, int64_t n, int64_t *hi);

/* out[v] += w[j] for v = in[j] (w = 1 when NULL); out has nbins entries. */
int ct_bincount_i64(const int64_t *in, int64_t n, int64_t *out, int64_t nbins);
int ct_bincount_f32(const int64_t *in, const float *w, int64_t n, float *out, int64_t nbins);
int ct_bincount_f64(const int64_t *in, const double *w, int64_t n, double *out, int64_t nbins);

/* *lo, *hi := min, max of in (NaN propagates); in must be non-empty. */
void ct_minmax_f32(const float *in, int64_t n, double *lo, double *hi);
void ct_minmax_f64(const double *in, int64_t n, double *lo, double *hi);

/* out[b] := #{x in [lo, hi] : floor((x - lo) / (hi - lo) * bins) = b}, x = hi in the last bin. */
int ct_histc_f32(const float *in, int64_t n, int64_t bins, double lo, double hi, float *out);
int ct_histc_f64(const double *in, int64_t n, int64_t bins, double lo, double hi, double *out);

/* out[t, o, i] := q[t]-quantile of sorted row (o, i) ([outer, n, inner] layout,
 * NaN last). interp: 0 linear, 1 lower, 2 higher, 3 midpoint, 4 nearest. */
int ct_quantile_f32(const float *sorted, int64_t outer, int64_t n, int64_t inner, const double *q,
                    int64_t nq, int interp, int ignore_nan, float *out);
int ct_quantile_f64(const double *sorted, int64_t outer, int64_t n, int64_t inner, const double *q,
                    int64_t nq, int interp, int ignore_nan, double *out);

#endif
