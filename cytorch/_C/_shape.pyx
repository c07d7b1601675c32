# _shape.pyx - the shape family's kernels reached from Python (cytorch/_ops/shape.py).
#
# Views and most copies (cat, repeat, roll, ...) are composed in Python from
# core views and copy_; what needs per-element index logic is here.
from libc.stdint cimport int64_t, INT64_MAX
from libc.string cimport memcpy

from cytorch._C.ct cimport *
from cytorch._C._tensor cimport (TensorBase, dtype, _empty, _check_err, _wrap_dim, _SIZES_C, _is_contiguous,
                                 _contiguous, _make_view, _copy_into, _promote, _cast)

cdef extern from "ct_shape.h" nogil:
    ct_loop_fn ct_flip_copy_fn(int64_t itemsize)
    int ct_tri_zero(char *data, int64_t batch, int64_t m, int64_t n, int64_t bstride, int64_t rstride,
                    int64_t cstride, int64_t itemsize, int64_t k, int upper)
    int ct_tri_indices_i64(int64_t *out, int64_t row, int64_t col, int64_t offset, int upper, int64_t count)
    int ct_repeat_interleave(char *out, const char *inp, const int64_t *reps, int64_t outer, int64_t n,
                             int64_t inner_bytes, int64_t total)
    int ct_trace(const char *data, int64_t n, int64_t step, int dtype, void *out)
    int ct_gather_rows(char *out, const char *inp, const int64_t *idx, int64_t nidx, int64_t nrows,
                       int64_t row_bytes)






cdef TensorBase _empty_like_layout(TensorBase t):
    """An uninitialised tensor shaped like t, with t's dim order when t is a dense permutation
    (PyTorch's preserve_format), else contiguous: copying t into it then streams both sides."""
    cdef int nd = t._ndim, i, j, k
    cdef int order[16]
    cdef int64_t sh[16]
    cdef int64_t st[16]
    cdef int64_t expected = 1
    if _is_contiguous(t) or nd < 2:
        return _empty(t._dtype, nd, t._shape)
    for i in range(nd):                    # insertion sort of dims by decreasing stride (stable)
        k = i
        j = i - 1
        while j >= 0 and t._stride[order[j]] < t._stride[k]:
            order[j + 1] = order[j]
            j -= 1
        order[j + 1] = k
    for i in range(nd - 1, -1, -1):
        k = order[i]
        if t._shape[k] != 1 and t._stride[k] != expected:
            return _empty(t._dtype, nd, t._shape)
        expected *= t._shape[k]
    for i in range(nd):
        sh[i] = t._shape[order[i]]
    cdef TensorBase base = _empty(t._dtype, nd, sh)
    for i in range(nd):
        st[order[i]] = base._stride[i]
    return _make_view(base, nd, t._shape, st, 0)


def flip(TensorBase t, dims):
    """A contiguous copy of t reversed along ``dims`` (a sequence of ints).

    The core never makes negative-stride tensors; here the copy kernel reads
    through negative byte strides starting at each flipped dim's last element.
    """
    cdef int64_t strides[2 * 16]
    cdef int64_t shape[16]
    cdef char *ptrs[2]
    cdef int nd = t._ndim, d, err, i, j, k
    cdef int64_t isz = _SIZES_C[t._dtype]
    cdef int flipped[16]
    cdef int order[16]
    cdef TensorBase r = _empty_like_layout(t)
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
    # walk dims in r's memory order (the iterator's innermost dim is the last one)
    for i in range(nd):
        k = i
        j = i - 1
        while j >= 0 and r._stride[order[j]] < r._stride[k]:
            order[j + 1] = order[j]
            j -= 1
        order[j + 1] = k
    for i in range(nd):
        d = order[i]
        shape[i] = t._shape[d]
        strides[i] = r._stride[d] * isz
        if flipped[d]:
            ptrs[1] += (t._shape[d] - 1) * t._stride[d] * isz
            strides[nd + i] = -t._stride[d] * isz
        else:
            strides[nd + i] = t._stride[d] * isz
    cdef ct_loop_fn fn = ct_flip_copy_fn(isz)
    with nogil:
        err = ct_iterate(fn, 2, ptrs, nd, shape, strides, NULL)
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
    k = min(max(k, -m - 1), n + 1)        # same triangle, and no int64 overflow in the kernel
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
    offset = min(max(offset, -row - 1), col + 1)
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


def repeat_interleave(TensorBase t, TensorBase reps, int dim, int64_t total=-1):
    """Repeat slice i of t along ``dim`` reps[i] times (reps: contiguous int64, len == t.shape[dim]).

    total is the output size along dim (their sum); -1 computes it.
    """
    cdef int nd = t._ndim, d, err
    cdef int64_t outer = 1, inner = 1, n = t._shape[dim], i
    cdef int64_t shape[16]
    cdef const int64_t *rp = <const int64_t *>reps._data
    if total < 0:
        total = 0
        for i in range(reps._numel):
            if rp[i] < 0:
                raise RuntimeError("repeats can not be negative")
            if rp[i] > INT64_MAX - total:
                raise RuntimeError("repeat_interleave: the sum of repeats overflows int64")
            total += rp[i]
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


def _seq_error(op, obj, Py_ssize_t i):
    return TypeError(f"{op}(): argument 'tensors' (position 1) must be tuple of Tensors, but found element of "
                     f"type {type(obj).__name__} at pos {i}")


def cat(tensors, dim):
    """Concatenate along ``dim`` into a new tensor of the promoted dtype (torch.cat's checks)."""
    cdef Py_ssize_t k, n
    cdef TensorBase x, ref = None, r, v
    cdef int dt = -1, nd = 0, d = 0, j
    cdef int64_t total = 0, start = 0
    cdef int64_t shape[16]
    if not isinstance(tensors, (list, tuple)):
        raise TypeError(f"cat(): argument 'tensors' (position 1) must be tuple of Tensors, not "
                        f"{type(tensors).__name__}")
    n = len(tensors)
    if n == 0:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for k in range(n):
        obj = tensors[k]
        if not isinstance(obj, TensorBase):
            raise _seq_error("cat", obj, k)
        x = <TensorBase>obj
        if x._ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {k}) cannot be concatenated")
        dt = x._dtype if k == 0 else _promote(dt, x._dtype)
        if x._ndim == 1 and x._shape[0] == 0:
            continue                       # legacy rule: 1-d empty tensors are skipped
        if ref is None:
            ref = x
            nd = x._ndim
            d = _wrap_dim(dim, nd, "cat")
        elif x._ndim != nd:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {nd} and {x._ndim}")
        else:
            for j in range(nd):
                if j != d and x._shape[j] != ref._shape[j]:
                    raise RuntimeError(
                        f"Sizes of tensors must match except in dimension {d}. Expected size {ref._shape[j]} "
                        f"but got size {x._shape[j]} for tensor number {k} in the list.")
        total += x._shape[d]
    if ref is None:
        shape[0] = 0
        return _empty(dt, 1, shape)
    memcpy(shape, ref._shape, nd * sizeof(int64_t))
    shape[d] = total
    r = _empty(dt, nd, shape)
    for k in range(n):
        x = <TensorBase>tensors[k]
        if (x._ndim == 1 and x._shape[0] == 0) or x._shape[d] == 0:
            continue
        shape[d] = x._shape[d]
        v = _make_view(r, nd, shape, r._stride, start * r._stride[d])
        _copy_into(v, x)
        start += x._shape[d]
    return r


def stack(tensors, dim):
    """Join equal-shaped tensors along a new dim ``dim`` into a new tensor of the promoted dtype."""
    cdef Py_ssize_t k, n
    cdef TensorBase x, ref = None, r, v
    cdef int dt = -1, nd, d, j, m
    cdef int64_t shape[16]
    cdef int64_t vst[16]
    if not isinstance(tensors, (list, tuple)):
        raise TypeError(f"stack(): argument 'tensors' (position 1) must be tuple of Tensors, not "
                        f"{type(tensors).__name__}")
    n = len(tensors)
    if n == 0:
        raise RuntimeError("stack expects a non-empty TensorList")
    for k in range(n):
        obj = tensors[k]
        if not isinstance(obj, TensorBase):
            raise _seq_error("stack", obj, k)
        x = <TensorBase>obj
        if k == 0:
            ref = x
            dt = x._dtype
            continue
        dt = _promote(dt, x._dtype)
        same = x._ndim == ref._ndim
        if same:
            for j in range(ref._ndim):
                if x._shape[j] != ref._shape[j]:
                    same = False
        if not same:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(ref.shape)} at entry 0 "
                               f"and {list(x.shape)} at entry {k}")
    nd = ref._ndim + 1
    if nd > 16:
        raise RuntimeError("stack: at most 16 dimensions are supported")
    d = _wrap_dim(dim, nd, "stack")
    m = 0
    for j in range(nd):
        if j == d:
            shape[j] = n
        else:
            shape[j] = ref._shape[m]
            m += 1
    r = _empty(dt, nd, shape)
    m = 0
    for j in range(nd):                    # the view of slice k: r with dim d dropped
        if j != d:
            vst[m] = r._stride[j]
            m += 1
    if r._numel == 0:
        return r
    for k in range(n):
        v = _make_view(r, nd - 1, ref._shape, vst, k * r._stride[d])
        _copy_into(v, <TensorBase>tensors[k])
    return r


def diagonal(TensorBase t, int64_t offset, dim1, dim2):
    """View of diagonal ``offset`` of the (dim1, dim2) planes of t, appended as the last dim."""
    cdef int nd = t._ndim, d1, d2, j, m = 0
    cdef int64_t sh[16]
    cdef int64_t st[16]
    cdef int64_t n, start
    d1 = _wrap_dim(dim1, nd, "diagonal")
    d2 = _wrap_dim(dim2, nd, "diagonal")
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    if offset >= 0:
        n = min(t._shape[d1], t._shape[d2] - offset)
    else:
        n = min(t._shape[d1] + offset, t._shape[d2])
    start = 0
    if n <= 0:
        n = 0
    elif offset >= 0:
        start = offset * t._stride[d2]
    else:
        start = -offset * t._stride[d1]
    for j in range(nd):
        if j != d1 and j != d2:
            sh[m] = t._shape[j]
            st[m] = t._stride[j]
            m += 1
    sh[m] = n
    st[m] = t._stride[d1] + t._stride[d2]
    return _make_view(t, nd - 1, sh, st, t._offset + start)


def trace(TensorBase t, int result_dtype):
    """Sum of the main diagonal of the matrix t, as a 0-d tensor of ``result_dtype``."""
    cdef int64_t n = min(t._shape[0], t._shape[1]), step = (t._stride[0] + t._stride[1]) * _SIZES_C[t._dtype]
    cdef int acc = CT_INT64 if t._dtype <= CT_INT64 else (CT_FLOAT64 if t._dtype <= CT_FLOAT64 else CT_COMPLEX128)
    cdef TensorBase r = _empty(acc, 0, NULL)
    cdef int err
    with nogil:
        err = ct_trace(t._data, n, step, t._dtype, r._data)
    _check_err(err, "trace")
    return _cast(r, result_dtype)


def roll(TensorBase t, dims, shifts):
    """A contiguous copy of t rolled by shifts[i] (0 < shift < size) along dims[i] (distinct dims).

    Each of the 2^k blocks (the head or the tail part along every rolled dim) is one strided copy.
    """
    cdef int k = len(dims), nd = t._ndim, i, d
    cdef int64_t block, b
    cdef int dd[16]
    cdef int64_t ss[16]
    cdef int64_t sh[16]
    cdef int64_t src_off, dst_off, n, s
    cdef TensorBase r = _empty(t._dtype, nd, t._shape), src, dst
    if k > 16:
        raise RuntimeError("roll: at most 16 dims")
    for i in range(k):
        dd[i] = dims[i]
        ss[i] = shifts[i]
    for block in range(1 << k):
        memcpy(sh, t._shape, nd * sizeof(int64_t))
        src_off = t._offset
        dst_off = r._offset
        for i in range(k):
            d = dd[i]
            n = t._shape[d]
            s = ss[i]
            if (block >> i) & 1:       # tail of the source goes to the head of the result
                sh[d] = s
                src_off += (n - s) * t._stride[d]
            else:
                sh[d] = n - s
                dst_off += s * r._stride[d]
        src = _make_view(t, nd, sh, t._stride, src_off)
        dst = _make_view(r, nd, sh, r._stride, dst_off)
        _copy_into(dst, src)
    return r
