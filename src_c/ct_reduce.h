/* ct_reduce.h - reductions, scans and softmax.
 *
 * Every kernel sees its input as a contiguous [A, R, B] block: A outer rows,
 * R the reduced (or scanned) extent, B inner columns. The Cython layer
 * (cytorch/_C/_reduce.pyx) brings any strided tensor into this form, by
 * permuting a dense layout or, failing that, by a copy. Reductions write a
 * contiguous [A, B] output; scans and softmax write [A, R, B].
 *
 * Results never depend on the thread count: threads split output elements,
 * or a long row is cut into fixed-size blocks whose partials are combined in
 * block order.
 */
#ifndef CT_REDUCE_H
#define CT_REDUCE_H
#include "ct_base.h"

/* Value reductions: out[a, b] = op_r x[a, r, b]. */
enum {
    CT_RED_SUM,
    CT_RED_NANSUM,
    CT_RED_PROD,
    CT_RED_AMAX,
    CT_RED_AMIN,
    CT_RED_ALL,
    CT_RED_ANY,
    CT_NRED
};

/* Index reductions: val/idx[a, b] = (arg)max/min_r x[a, r, b], first occurrence. */
enum { CT_ARG_MAX, CT_ARG_MIN, CT_NARG };

/* Same-shape ops along R: out[a, r, b] = f(x[a, 0..r or 0..R-1, b]). */
enum {
    CT_SCAN_CUMSUM,
    CT_SCAN_CUMPROD,
    CT_SCAN_LOGCUMSUMEXP,
    CT_SCAN_SOFTMAX,
    CT_SCAN_LOG_SOFTMAX,
    CT_NSCAN
};

/* Running extremum with indices (cummax/cummin). */
enum { CT_CUM_MAX, CT_CUM_MIN, CT_NCUM };

typedef int (*ct_red_fn)(const void *x, void *out, int64_t A, int64_t R, int64_t B);
typedef int (*ct_arg_fn)(const void *x, void *val, int64_t *idx, int64_t A, int64_t R, int64_t B);

/* NULL where a dtype has no kernel (the caller casts to one that has). */
extern const ct_red_fn ct_reduce_table[CT_NRED][CT_NDTYPES];
extern const ct_arg_fn ct_arg_table[CT_NARG][CT_NDTYPES];
extern const ct_red_fn ct_scan_table[CT_NSCAN][CT_NDTYPES];
extern const ct_arg_fn ct_cum_table[CT_NCUM][CT_NDTYPES];

#endif
