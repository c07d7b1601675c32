# _shape.pyx - the shape family's kernels reached from Python (cytorch/_ops/shape.py).
#
# Views and most copies (cat, repeat, roll, ...) are composed in Python from
# core views and copy_; what needs per-element index logic is here.
from libc.stdint cimport int64_t

from cytorch._C.ct cimport *
from cytorch._C._tensor cimport (TensorBase, _empty, _check_err, _wrap_dim, _SIZES_C, _is_contiguous,
                                 _contiguous)

cdef extern from "ct_shape.h" nogil:
    int ct_tri_zero(char *data, int64_t batch, int64_t m, int64_t n, int64_t bstride, int64_t rstride,
                    int64_t cstride, int64_t itemsize, int64_t k, int upper)
    int ct_tri_indices_i64(int64_t *out, int64_t row, int64_t col, int64_t offset, int upper, int64_t count)
    int ct_repeat_interleave(char *out, const char *inp, const int64_t *reps, int64_t outer, int64_t n,
                             int64_t inner_bytes, int64_t total)
    int ct_sum_i64(const int64_t *x, int64_t n, int64_t *out)
    int ct_sum_f64(const double *x, int64_t n, double *out)
    int ct_sum_c128(const double complex *x, int64_t n, double complex *out)
    int ct_gather_rows(char *out, const char *inp, const int64_t *idx, int64_t nidx, int64_t nrows,
                       int64_t row_bytes)


def flip(TensorBase t, dims):
    """A contiguous copy of t reversed along ``dims`` (a sequence of ints).

    The core never makes negative-stride tensors; here the copy kernel reads
    through negative byte strides starting at each flipped dim's last element.
    """
    cdef int64_t strides[2 * 16]
    cdef char *ptrs[2]
    cdef int nd = t._ndim, d, err
    cdef int64_t isz = _SIZES_C[t._dtype]
    cdef int flipped[16]
    cdef TensorBase r = _empty(t._dtype, nd, t._shape)
    for d in range(16):
        flipped[d] = 0
    for x in dims:
        d = _wrap_dim(x, nd, "flip")
        if flipped[d]:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        flipped[d] = 1
    if t._numel == 0:
        return r
    ptrs[0] = r._data
    ptrs[1] = t._data
    for d in range(nd):
        strides[d] = r._stride[d] * isz
        if flipped[d]:
            ptrs[1] += (t._shape[d] - 1) * t._stride[d] * isz
            strides[nd + d] = -t._stride[d] * isz
        else:
            strides[nd + d] = t._stride[d] * isz
    cdef ct_loop_fn fn = ct_cast_table[t._dtype][t._dtype]
    with nogil:
        err = ct_iterate(fn, 2, ptrs, nd, t._shape, strides, NULL)
    _check_err(err, "flip")
    return r


def tri_zero_(TensorBase t, int64_t k, bint upper):
    """Zero t (>= 2-d) in place outside its lower (upper=False) / upper triangle.

    Needs the batch dims of t to collapse to one stride; returns False (and
    does nothing) when they do not, so the caller can go through a copy.
    """
    cdef int nd = t._ndim, d, err
    cdef int64_t isz = _SIZES_C[t._dtype]
    cdef int64_t batch = 1, bstride = 0, m = t._shape[nd - 2], n = t._shape[nd - 1]
    if t._numel == 0:
        return True
    for d in range(nd - 2):
        if t._shape[d] == 1:
            continue
        if batch > 1 and bstride != t._stride[d] * t._shape[d]:
            return False
        batch *= t._shape[d]
        bstride = t._stride[d]
    with nogil:
        err = ct_tri_zero(t._data, batch, m, n, bstride * isz, t._stride[nd - 2] * isz,
                          t._stride[nd - 1] * isz, isz, k, upper)
    _check_err(err, "tril/triu")
    t._storage._version += 1
    return True


def tri_indices(int64_t row, int64_t col, int64_t offset, bint upper):
    """int64 tensor (2, N): the coordinates of the lower/upper triangle of a row x col matrix."""
    cdef int64_t i, lo, hi, count = 0, err
    cdef int64_t shape[2]
    for i in range(row):
        lo = i + offset if upper else 0
        hi = col if upper else i + offset + 1
        lo = max(lo, 0)
        hi = min(hi, col)
        if hi > lo:
            count += hi - lo
    shape[0] = 2
    shape[1] = count
    cdef TensorBase r = _empty(CT_INT64, 2, shape)
    with nogil:
        err = ct_tri_indices_i64(<int64_t *>r._data, row, col, offset, upper, count)
    _check_err(err, "tril_indices/triu_indices")
    return r


def repeat_interleave(TensorBase t, TensorBase reps, int dim, int64_t total):
    """Repeat slice i of t along ``dim`` reps[i] times (reps: contiguous int64, len == t.shape[dim])."""
    cdef int nd = t._ndim, d, err
    cdef int64_t outer = 1, inner = 1, n = t._shape[dim]
    cdef int64_t shape[16]
    t = _contiguous(t)
    for d in range(nd):
        shape[d] = t._shape[d]
        if d < dim:
            outer *= t._shape[d]
        elif d > dim:
            inner *= t._shape[d]
    shape[dim] = total
    cdef TensorBase r = _empty(t._dtype, nd, shape)
    with nogil:
        err = ct_repeat_interleave(r._data, t._data, <const int64_t *>reps._data, outer, n,
                                   inner * _SIZES_C[t._dtype], total)
    if err == CT_ERR_VALUE:
        raise RuntimeError("repeats can not be negative")
    if err == CT_ERR_INDEX:
        raise RuntimeError("allocated size does not match required size")
    _check_err(err, "repeat_interleave")
    return r


def sum1d(TensorBase x):
    """0-d tensor: the sum of a contiguous 1-d int64 / float64 / complex128 tensor."""
    cdef TensorBase r = _empty(x._dtype, 0, NULL)
    cdef int64_t n = x._numel
    if not _is_contiguous(x) or x._ndim != 1:
        raise RuntimeError("sum1d: expected a contiguous 1-d tensor")
    with nogil:
        if x._dtype == CT_INT64:
            ct_sum_i64(<const int64_t *>x._data, n, <int64_t *>r._data)
        elif x._dtype == CT_FLOAT64:
            ct_sum_f64(<const double *>x._data, n, <double *>r._data)
        elif x._dtype == CT_COMPLEX128:
            ct_sum_c128(<const double complex *>x._data, n, <double complex *>r._data)
        else:
            with gil:
                raise RuntimeError("sum1d: expected int64, float64 or complex128")
    return r


def gather_rows(TensorBase t, TensorBase idx):
    """t[idx] along dim 0 (idx: contiguous 1-d int64, bounds checked)."""
    cdef int nd = t._ndim, d, err
    cdef int64_t shape[16]
    cdef int64_t row = _SIZES_C[t._dtype]
    t = _contiguous(t)
    shape[0] = idx._numel
    for d in range(1, nd):
        shape[d] = t._shape[d]
        row *= t._shape[d]
    cdef TensorBase r = _empty(t._dtype, nd, shape)
    with nogil:
        err = ct_gather_rows(r._data, t._data, <const int64_t *>idx._data, idx._numel, t._shape[0], row)
    _check_err(err, "index_select")
    return r
