# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Dispatch for the sorting family (src_c/ct_sort.c): shapes, dtypes and
errors here, per-row work in C with the GIL released.

A tensor is sorted along ``dim`` in place of layout: a contiguous copy is
seen as [outer, n, inner] and the kernels walk each row with stride inner, so
the outputs come out contiguous in the input's own shape.
"""
from libc.stdint cimport int64_t
from libc.string cimport memcpy
from libc.math cimport isfinite
from cytorch._C._tensor cimport (TensorBase, _empty, _contiguous, _cast, _check_err, _wrap_dim,
                                 _promote, _SIZES_C)
from cytorch._C.ct cimport *

cdef extern from "ct_sort.h" nogil:
    int ct_sort_rows(int dt, const char *inp, char *vals, int64_t *idx, int64_t outer, int64_t n,
                     int64_t inner, int descending)
    int ct_topk_rows(int dt, const char *inp, char *vals, int64_t *idx, int64_t outer, int64_t n,
                     int64_t inner, int64_t k, int largest, int sorted)
    int ct_kth_rows(int dt, const char *inp, char *vals, int64_t *idx, int64_t outer, int64_t n,
                    int64_t inner, int64_t k, int what)
    int ct_mode_rows(int dt, const char *inp, char *vals, int64_t *idx, int64_t outer, int64_t n,
                     int64_t inner)
    int ct_unique(int dt, const char *inp, int64_t n, int consecutive, char *vals, int64_t *inverse,
                  int64_t *counts, int64_t *nunique)
    int ct_unique_rows(int dt, const char *inp, int64_t n, int64_t m, int consecutive, char *vals,
                       int64_t *inverse, int64_t *counts, int64_t *nunique)
    int ct_searchsorted(int dt, const char *seq, const int64_t *sorter, int64_t nseq_rows, int64_t n,
                        const char *vals, int64_t nrows, int64_t m, int right, int64_t *out)
    int ct_bincount_max(const int64_t *inp, int64_t n, int64_t *hi)
    int ct_bincount_i64(const int64_t *inp, int64_t n, int64_t *out, int64_t nbins)
    int ct_bincount_f32(const int64_t *inp, const float *w, int64_t n, float *out, int64_t nbins)
    int ct_bincount_f64(const int64_t *inp, const double *w, int64_t n, double *out, int64_t nbins)
    void ct_minmax_f32(const float *inp, int64_t n, double *lo, double *hi)
    void ct_minmax_f64(const double *inp, int64_t n, double *lo, double *hi)
    int ct_histc_f32(const float *inp, int64_t n, int64_t bins, double lo, double hi, float *out)
    int ct_histc_f64(const double *inp, int64_t n, int64_t bins, double lo, double hi, double *out)
    int ct_quantile_f32(const float *s, int64_t outer, int64_t n, int64_t inner, const double *q,
                        int64_t nq, int interp, int ignore_nan, float *out)
    int ct_quantile_f64(const double *s, int64_t outer, int64_t n, int64_t inner, const double *q,
                        int64_t nq, int interp, int ignore_nan, double *out)

_PRETTY = ("Bool", "Byte", "Char", "Short", "Int", "Long",
           "Half", "BFloat16", "Float", "Double", "ComplexFloat", "ComplexDouble")


cdef int _split(TensorBase x, int d, int64_t *outer, int64_t *n, int64_t *inner) except -1:
    """x (contiguous) as [outer, n, inner] around dim d (a 0-d tensor is one element)."""
    cdef int k
    outer[0] = 1
    inner[0] = 1
    n[0] = 1
    if x._ndim == 0:
        return 0
    for k in range(d):
        outer[0] *= x._shape[k]
    n[0] = x._shape[d]
    for k in range(d + 1, x._ndim):
        inner[0] *= x._shape[k]
    return 0


cdef TensorBase _reduced(int dt, TensorBase x, int d, bint keepdim):
    """An empty tensor of x's shape with dim d dropped (or kept as 1)."""
    cdef int64_t sh[16]
    cdef int k, nd = 0
    for k in range(x._ndim):
        if k == d:
            if keepdim:
                sh[nd] = 1
                nd += 1
        else:
            sh[nd] = x._shape[k]
            nd += 1
    return _empty(dt, nd, sh)


cdef int _no_complex(TensorBase x, str what) except -1:
    if x._dtype >= CT_COMPLEX64:
        raise RuntimeError(f"{what} does not support complex dtypes on CPU")
    return 0


def sort(TensorBase x, int64_t dim, bint descending):
    """(values, indices) of x stably sorted along dim."""
    cdef int64_t outer, n, inner
    cdef int err
    _no_complex(x, "Sort")
    cdef int d = _wrap_dim(dim, x._ndim, "sort")
    x = _contiguous(x)
    _split(x, d, &outer, &n, &inner)
    cdef TensorBase vals = _empty(x._dtype, x._ndim, x._shape)
    cdef TensorBase idx = _empty(CT_INT64, x._ndim, x._shape)
    with nogil:
        err = ct_sort_rows(x._dtype, x._data, vals._data, <int64_t *>idx._data, outer, n, inner, descending)
    _check_err(err, "sort")
    return vals, idx


def topk(TensorBase x, int64_t k, int64_t dim, bint largest, bint sorted):
    """(values, indices) of the k largest (smallest) elements along dim."""
    cdef int64_t outer, n, inner
    cdef int64_t sh[16]
    cdef int err
    _no_complex(x, "topk")
    if x._dtype == CT_BOOL:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    cdef int d = _wrap_dim(dim, x._ndim, "topk")
    x = _contiguous(x)
    _split(x, d, &outer, &n, &inner)
    if k < 0 or k > n:
        raise RuntimeError("selected index k out of range")
    memcpy(sh, x._shape, x._ndim * sizeof(int64_t))
    if x._ndim > 0:
        sh[d] = k
    cdef TensorBase vals = _empty(x._dtype, x._ndim, sh)
    cdef TensorBase idx = _empty(CT_INT64, x._ndim, sh)
    with nogil:
        err = ct_topk_rows(x._dtype, x._data, vals._data, <int64_t *>idx._data, outer, n, inner, k,
                           largest, sorted)
    _check_err(err, "topk")
    return vals, idx


def kth(TensorBase x, int64_t k, int64_t dim, bint keepdim, int what, str op):
    """(values, indices) of the k-th smallest (what=0), median (1) or nanmedian (2) along dim."""
    cdef int64_t outer, n, inner
    cdef int err
    if x._dtype == CT_BOOL or x._dtype >= CT_COMPLEX64:
        raise NotImplementedError(f"\"{op}_cpu\" not implemented for '{_PRETTY[x._dtype]}'")
    cdef int d = _wrap_dim(dim, x._ndim, op)
    x = _contiguous(x)
    _split(x, d, &outer, &n, &inner)
    if what == 0 and n > 0 and (k < 1 or k > n):
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    if n == 0:
        raise IndexError(f"{op}(): Expected reduction dim {d} to have non-zero size.")
    cdef TensorBase vals = _reduced(x._dtype, x, d, keepdim)
    cdef TensorBase idx = _reduced(CT_INT64, x, d, keepdim)
    with nogil:
        err = ct_kth_rows(x._dtype, x._data, vals._data, <int64_t *>idx._data, outer, n, inner, k, what)
    _check_err(err, op)
    return vals, idx


def mode(TensorBase x, int64_t dim, bint keepdim):
    """(values, indices): the smallest most frequent value along dim and its last position."""
    cdef int64_t outer, n, inner
    cdef int err
    if x._dtype >= CT_COMPLEX64:
        raise NotImplementedError(f"\"mode\" not implemented for '{_PRETTY[x._dtype]}'")
    cdef int d = _wrap_dim(dim, x._ndim, "mode")
    x = _contiguous(x)
    _split(x, d, &outer, &n, &inner)
    if n == 0:
        raise IndexError(f"mode(): Expected reduction dim {d} to have non-zero size.")
    cdef TensorBase vals = _reduced(x._dtype, x, d, keepdim)
    cdef TensorBase idx = _reduced(CT_INT64, x, d, keepdim)
    with nogil:
        err = ct_mode_rows(x._dtype, x._data, vals._data, <int64_t *>idx._data, outer, n, inner)
    _check_err(err, "mode")
    return vals, idx


cdef TensorBase _head(TensorBase t, int64_t rows, int64_t row_elems):
    """A compact copy of the first `rows` rows of a contiguous tensor."""
    cdef int64_t sh[16]
    cdef int nd = t._ndim if t._ndim > 0 else 1
    memcpy(sh, t._shape, t._ndim * sizeof(int64_t))
    sh[0] = rows
    cdef TensorBase r = _empty(t._dtype, nd, sh)
    memcpy(r._data, t._data, rows * row_elems * _SIZES_C[t._dtype])
    return r


def unique(TensorBase x, bint consecutive):
    """(values, inverse, counts) of the flattened x: sorted unique values, or runs when consecutive."""
    cdef int64_t nu = 0, n = x._numel
    cdef int err
    if x._dtype >= CT_COMPLEX64:
        raise NotImplementedError(f"\"unique\" not implemented for '{_PRETTY[x._dtype]}'")
    x = _contiguous(x)
    cdef TensorBase vals = _empty(x._dtype, 1, &n)
    cdef TensorBase inv = _empty(CT_INT64, x._ndim, x._shape)
    cdef TensorBase cnt = _empty(CT_INT64, 1, &n)
    with nogil:
        err = ct_unique(x._dtype, x._data, n, consecutive, vals._data, <int64_t *>inv._data,
                        <int64_t *>cnt._data, &nu)
    _check_err(err, "unique")
    return _head(vals, nu, 1), inv, _head(cnt, nu, 1)


def unique_rows(TensorBase x, bint consecutive):
    """(rows, inverse, counts) of the distinct rows of a 2-d tensor, lexicographically sorted."""
    cdef int64_t nu = 0, n, m
    cdef int err
    if x._dtype >= CT_COMPLEX64:
        raise NotImplementedError(f"\"unique_dim\" not implemented for '{_PRETTY[x._dtype]}'")
    x = _contiguous(x)
    n = x._shape[0]
    m = x._shape[1]
    cdef TensorBase vals = _empty(x._dtype, 2, x._shape)
    cdef TensorBase inv = _empty(CT_INT64, 1, &n)
    cdef TensorBase cnt = _empty(CT_INT64, 1, &n)
    with nogil:
        err = ct_unique_rows(x._dtype, x._data, n, m, consecutive, vals._data, <int64_t *>inv._data,
                             <int64_t *>cnt._data, &nu)
    _check_err(err, "unique")
    return _head(vals, nu, m), inv, _head(cnt, nu, 1)


def searchsorted(TensorBase seq, TensorBase vals, bint right, sorter):
    """Insertion points (int64, vals' shape) of vals in the last dim of seq."""
    cdef int dt = _promote(seq._dtype, vals._dtype)
    cdef int64_t n, nseq_rows, nrows, m
    cdef int err
    cdef TensorBase so = None
    cdef const int64_t *sp = NULL
    if dt >= CT_COMPLEX64:
        raise RuntimeError(f"searchsorted(): not implemented for '{_PRETTY[dt]}'")
    seq = _contiguous(_cast(seq, dt))
    vals = _contiguous(_cast(vals, dt))
    n = seq._shape[seq._ndim - 1] if seq._ndim > 0 else 1
    if seq._ndim <= 1:
        nseq_rows = 1
        nrows = 1
        m = vals._numel
    else:
        nseq_rows = seq._numel // n if n > 0 else 0
        m = vals._shape[vals._ndim - 1]
        nrows = vals._numel // m if m > 0 else 0
    if sorter is not None:
        so = _contiguous(_cast(<TensorBase?>sorter, CT_INT64))
        sp = <const int64_t *>so._data
    cdef TensorBase out = _empty(CT_INT64, vals._ndim, vals._shape)
    with nogil:
        err = ct_searchsorted(dt, seq._data, sp, nseq_rows, n, vals._data, nrows, m, right,
                              <int64_t *>out._data)
    if err == CT_ERR_INDEX:
        raise RuntimeError("torch.searchsorted(): sorter index out of range")
    _check_err(err, "searchsorted")
    return out


def bincount(TensorBase x, weights, int64_t minlength):
    """Counts (or weight sums) of each value of a 1-d non-negative int64 tensor."""
    cdef int64_t n = x._numel, nbins = minlength, hi
    cdef int err = 0
    x = _contiguous(_cast(x, CT_INT64))
    cdef const int64_t *p = <const int64_t *>x._data
    with nogil:
        err = ct_bincount_max(p, n, &hi)
    if err:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if hi + 1 > nbins:
        nbins = hi + 1
    cdef TensorBase w, out
    if weights is None:
        out = _empty(CT_INT64, 1, &nbins)
        with nogil:
            err = ct_bincount_i64(p, n, <int64_t *>out._data, nbins)
    else:
        w = <TensorBase?>weights
        if w._dtype == CT_FLOAT32:
            w = _contiguous(w)
            out = _empty(CT_FLOAT32, 1, &nbins)
            with nogil:
                err = ct_bincount_f32(p, <const float *>w._data, n, <float *>out._data, nbins)
        else:
            w = _contiguous(_cast(w, CT_FLOAT64))
            out = _empty(CT_FLOAT64, 1, &nbins)
            with nogil:
                err = ct_bincount_f64(p, <const double *>w._data, n, <double *>out._data, nbins)
    _check_err(err, "bincount")
    return out


def histc(TensorBase x, int64_t bins, double lo, double hi):
    """Histogram of x with `bins` equal bins over [lo, hi] (data range when lo == hi)."""
    cdef int dt = x._dtype
    cdef int err
    cdef int64_t n = x._numel
    if dt < CT_FLOAT16 or dt > CT_FLOAT64:
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for '{_PRETTY[dt]}'")
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    cdef int cdt = CT_FLOAT64 if dt == CT_FLOAT64 else CT_FLOAT32
    x = _contiguous(_cast(x, cdt))
    if lo == hi and n > 0:
        with nogil:
            if cdt == CT_FLOAT64:
                ct_minmax_f64(<const double *>x._data, n, &lo, &hi)
            else:
                ct_minmax_f32(<const float *>x._data, n, &lo, &hi)
    if lo == hi:
        lo -= 1
        hi += 1
    if not (isfinite(lo) and isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{lo:g}, {hi:g}] is not finite")
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    cdef TensorBase out = _empty(cdt, 1, &bins)
    with nogil:
        if cdt == CT_FLOAT64:
            err = ct_histc_f64(<const double *>x._data, n, bins, lo, hi, <double *>out._data)
        else:
            err = ct_histc_f32(<const float *>x._data, n, bins, lo, hi, <float *>out._data)
    _check_err(err, "histc")
    return _cast(out, dt)


_INTERP = {"linear": 0, "lower": 1, "higher": 2, "midpoint": 3, "nearest": 4}


def quantile(TensorBase x, list qs, int64_t dim, bint ignore_nan, str interpolation):
    """q-quantiles of float x along dim: a contiguous tensor of shape [len(qs)] + reduced shape."""
    cdef int64_t outer, n, inner, nq = len(qs), t
    cdef int err, interp = _INTERP[interpolation]
    cdef int d = _wrap_dim(dim, x._ndim, "quantile")
    cdef int64_t sh[17]
    cdef int k, nd = 1
    x = _contiguous(x)
    _split(x, d, &outer, &n, &inner)
    sh[0] = nq
    for k in range(x._ndim):
        if k != d:
            sh[nd] = x._shape[k]
            nd += 1
    cdef TensorBase s = _empty(x._dtype, x._ndim, x._shape)
    cdef TensorBase idx = _empty(CT_INT64, x._ndim, x._shape)
    cdef TensorBase qt = _empty(CT_FLOAT64, 1, &nq)
    cdef double *qp = <double *>qt._data
    for t in range(nq):
        qp[t] = qs[t]
    cdef TensorBase out = _empty(x._dtype, nd, sh)
    with nogil:
        err = ct_sort_rows(x._dtype, x._data, s._data, <int64_t *>idx._data, outer, n, inner, 0)
        if err == CT_OK:
            if x._dtype == CT_FLOAT64:
                err = ct_quantile_f64(<const double *>s._data, outer, n, inner, qp, nq, interp, ignore_nan,
                                      <double *>out._data)
            else:
                err = ct_quantile_f32(<const float *>s._data, outer, n, inner, qp, nq, interp, ignore_nan,
                                      <float *>out._data)
    _check_err(err, "quantile")
    return out
