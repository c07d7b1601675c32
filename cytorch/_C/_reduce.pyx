# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Dispatch for reductions, scans and softmax (kernels in src_c/ct_reduce.c).

Every kernel reads a contiguous [A, R, B] block (outer rows, reduced extent,
inner columns). `_canon` brings a strided tensor into that form without a
copy when it can: it drops size-1 dims, orders the rest by decreasing stride
(so a transposed or permuted dense tensor is still one block) and, when the
reduced dims form one run in that order, reads A, R, B straight off it.
Otherwise it copies (a non-dense input, or reduced dims interleaved with kept
ones: those are gathered to the end). Dtype rules live in
cytorch/_ops/reductions.py; these functions expect a dtype with a kernel.
"""
from libc.stdint cimport int64_t, uint8_t
from libc.string cimport memset
from cytorch._C._tensor cimport (TensorBase, _empty, _make_view, _clone, _copy_into, _check_err,
                                 _wrap_dim, _is_contiguous, _contiguous, _check_out)
from cytorch._C.ct cimport *

cdef extern from "ct_reduce.h" nogil:
    enum:
        CT_RED_SUM
        CT_RED_NANSUM
        CT_RED_PROD
        CT_RED_AMAX
        CT_RED_AMIN
        CT_RED_ALL
        CT_RED_ANY
        CT_NRED
    enum:
        CT_ARG_MAX
        CT_ARG_MIN
    enum:
        CT_SCAN_CUMSUM
        CT_SCAN_CUMPROD
        CT_SCAN_LOGCUMSUMEXP
        CT_SCAN_SOFTMAX
        CT_SCAN_LOG_SOFTMAX
    enum:
        CT_CUM_MAX
        CT_CUM_MIN
    ctypedef int (*ct_red_fn)(const void *x, void *out, int64_t A, int64_t R, int64_t B)
    ctypedef int (*ct_arg_fn)(const void *x, void *val, int64_t *idx, int64_t A, int64_t R, int64_t B)
    ct_red_fn ct_reduce_table[][CT_NDTYPES]
    ct_arg_fn ct_arg_table[][CT_NDTYPES]
    ct_red_fn ct_scan_table[][CT_NDTYPES]
    ct_arg_fn ct_cum_table[][CT_NDTYPES]

RED_OPS = {"sum": CT_RED_SUM, "nansum": CT_RED_NANSUM, "prod": CT_RED_PROD, "amax": CT_RED_AMAX,
           "amin": CT_RED_AMIN, "all": CT_RED_ALL, "any": CT_RED_ANY}
ARG_OPS = {"max": CT_ARG_MAX, "min": CT_ARG_MIN}
SCAN_OPS = {"cumsum": CT_SCAN_CUMSUM, "cumprod": CT_SCAN_CUMPROD, "logcumsumexp": CT_SCAN_LOGCUMSUMEXP,
            "softmax": CT_SCAN_SOFTMAX, "log_softmax": CT_SCAN_LOG_SOFTMAX}
CUM_OPS = {"cummax": CT_CUM_MAX, "cummin": CT_CUM_MIN}

cdef struct Plan:
    int64_t A, R, B
    int nk                 # kept dims (size > 1) in the kernel's output order
    int kdims[16]


cdef int _parse_dims(object dim, int ndim, str op, uint8_t *mask) except -1:
    """mask[d] = 1 for each reduced dim; None or an empty list reduces every dim."""
    cdef int d
    memset(mask, 0, 16)
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        for d in range(ndim):
            mask[d] = 1
        return 0
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    for x in dims:
        if isinstance(x, bool) or isinstance(x, float) or not hasattr(x, "__index__"):
            raise TypeError(f"{op}(): argument 'dim' must be tuple of ints, not {type(x).__name__}")
        d = _wrap_dim(x.__index__(), ndim, op)
        if ndim == 0:
            continue
        if mask[d]:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        mask[d] = 1
    return 0


cdef TensorBase _canon(TensorBase t, const uint8_t *mask, Plan *p):
    """t (or a copy) laid out as a dense [A, R, B] block; fills p."""
    cdef int order[16]
    cdef int n = 0, d, i, j, tmp, first = -1, last = -1, runs = 0
    cdef int64_t expected = 1
    cdef bint dense = True
    cdef int64_t sh[16]
    cdef int64_t st[16]
    cdef TensorBase v
    for d in range(t._ndim):
        if t._shape[d] != 1:
            order[n] = d
            n += 1
    for i in range(1, n):                       # stable sort by decreasing stride
        j = i
        while j > 0 and t._stride[order[j - 1]] < t._stride[order[j]]:
            tmp = order[j]
            order[j] = order[j - 1]
            order[j - 1] = tmp
            j -= 1
    for i in range(n - 1, -1, -1):
        if t._stride[order[i]] != expected:
            dense = False
            break
        expected *= t._shape[order[i]]
    if not dense:
        t = _clone(t)
        n = 0
        for d in range(t._ndim):
            if t._shape[d] != 1:
                order[n] = d
                n += 1
    for i in range(n):
        if mask[order[i]]:
            if first < 0:
                first = i
            if i == 0 or not mask[order[i - 1]]:
                runs += 1
            last = i
    p.A = 1
    p.R = 1
    p.B = 1
    p.nk = 0
    if runs <= 1:
        for i in range(n):
            d = order[i]
            if mask[d]:
                p.R *= t._shape[d]
            else:
                if first >= 0 and i > last:
                    p.B *= t._shape[d]
                else:
                    p.A *= t._shape[d]
                p.kdims[p.nk] = d
                p.nk += 1
        return t
    # reduced dims interleaved with kept ones: gather kept dims first, reduced last
    j = 0
    for i in range(n):
        d = order[i]
        if not mask[d]:
            sh[j] = t._shape[d]
            st[j] = t._stride[d]
            p.A *= t._shape[d]
            p.kdims[p.nk] = d
            p.nk += 1
            j += 1
    for i in range(n):
        d = order[i]
        if mask[d]:
            sh[j] = t._shape[d]
            st[j] = t._stride[d]
            p.R *= t._shape[d]
            j += 1
    v = _make_view(t, n, sh, st, t._offset)
    cdef TensorBase g = _empty(t._dtype, n, sh)
    _copy_into(g, v)
    return g


cdef TensorBase _out_like(TensorBase t, const uint8_t *mask, bint keepdim, int dt):
    cdef int64_t sh[16]
    cdef int d, n = 0
    for d in range(t._ndim):
        if not mask[d]:
            sh[n] = t._shape[d]
            n += 1
        elif keepdim:
            sh[n] = 1
            n += 1
    return _empty(dt, n, sh)


cdef TensorBase _kernel_view(TensorBase res, TensorBase t, const uint8_t *mask, bint keepdim, Plan *p):
    """res seen with its dims in the kernel's output order (kdims)."""
    cdef int64_t sh[16]
    cdef int64_t st[16]
    cdef int rdim[16]
    cdef int d, n = 0, i
    for d in range(t._ndim):
        rdim[d] = n
        if not mask[d] or keepdim:
            n += 1
    for i in range(p.nk):
        d = p.kdims[i]
        sh[i] = t._shape[d]
        st[i] = res._stride[rdim[d]]
    return _make_view(res, p.nk, sh, st, res._offset)


cdef int _first_zero_dim(TensorBase t, const uint8_t *mask):
    cdef int d
    for d in range(t._ndim):
        if mask[d] and t._shape[d] == 0:
            return d
    return -1


def reduce(int op, TensorBase t, dim, bint keepdim, str name):
    """Value reduction of t over dim (None: all dims); the result keeps t's dtype."""
    cdef uint8_t mask[16]
    cdef Plan p
    cdef int err, zd
    cdef ct_red_fn fn = ct_reduce_table[op][t._dtype]
    if fn == NULL:
        raise RuntimeError(f"{name}(): no kernel for dtype {t.dtype}")
    _parse_dims(dim, t._ndim, name, mask)
    cdef TensorBase res = _out_like(t, mask, keepdim, t._dtype)
    zd = _first_zero_dim(t, mask)
    if zd >= 0:
        if op == CT_RED_AMAX or op == CT_RED_AMIN:
            if dim is None:
                raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                                   "Specify the reduction dim with the 'dim' argument.")
            raise IndexError(f"{name}(): Expected reduction dim {zd} to have non-zero size.")
        res._fill(1 if op == CT_RED_PROD or op == CT_RED_ALL else 0)
        return res
    if res._numel == 0:
        return res
    cdef TensorBase src = _canon(t, mask, &p)
    cdef TensorBase kv = _kernel_view(res, t, mask, keepdim, &p)
    cdef TensorBase dst = kv if _is_contiguous(kv) else _empty(t._dtype, kv._ndim, kv._shape)
    with nogil:
        err = fn(src._data, dst._data, p.A, p.R, p.B)
    _check_err(err, name)
    if dst is not kv:
        _copy_into(kv, dst)
    return res


def arg_reduce(int op, TensorBase t, dim, bint keepdim, str name):
    """(values, indices) of max/min along one dim (None: over the flattened tensor)."""
    cdef uint8_t mask[16]
    cdef Plan p
    cdef int err, d
    cdef int64_t n
    cdef ct_arg_fn fn = ct_arg_table[op][t._dtype]
    cdef TensorBase src, res, idx, kv, ki, dv, di
    if fn == NULL:
        raise RuntimeError(f"{name}(): no kernel for dtype {t.dtype}")
    if dim is None:
        if t._numel == 0:
            raise IndexError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.")
        memset(mask, 1, 16)
        res = _out_like(t, mask, keepdim, t._dtype)
        idx = _out_like(t, mask, keepdim, CT_INT64)
        src = _contiguous(t)
        n = t._numel
        with nogil:
            err = fn(src._data, res._data, <int64_t *>idx._data, 1, n, 1)
        _check_err(err, name)
        return res, idx
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"{name}(): argument 'dim' must be int, not {type(dim).__name__}")
    d = _wrap_dim(dim, t._ndim, name)
    memset(mask, 0, 16)
    if t._ndim > 0:
        mask[d] = 1
        if t._shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    res = _out_like(t, mask, keepdim, t._dtype)
    idx = _out_like(t, mask, keepdim, CT_INT64)
    if res._numel == 0:
        return res, idx
    src = _canon(t, mask, &p)
    kv = _kernel_view(res, t, mask, keepdim, &p)
    ki = _kernel_view(idx, t, mask, keepdim, &p)
    dv = kv if _is_contiguous(kv) else _empty(t._dtype, kv._ndim, kv._shape)
    di = ki if _is_contiguous(ki) else _empty(CT_INT64, ki._ndim, ki._shape)
    with nogil:
        err = fn(src._data, dv._data, <int64_t *>di._data, p.A, p.R, p.B)
    _check_err(err, name)
    if dv is not kv:
        _copy_into(kv, dv)
        _copy_into(ki, di)
    return res, idx


cdef int _split_at(TensorBase t, int d, int64_t *A, int64_t *R, int64_t *B) noexcept:
    """t as [A, R, B] around dim d (declared in _reduce.pxd for the other _C modules)."""
    cdef int k
    A[0] = 1
    R[0] = 1
    B[0] = 1
    for k in range(t._ndim):
        if k < d:
            A[0] *= t._shape[k]
        elif k == d:
            R[0] = t._shape[k]
        else:
            B[0] *= t._shape[k]
    return 0


def scan(int op, TensorBase t, dim, str name):
    """Same-shape op along one dim: cumsum, cumprod, logcumsumexp, softmax, log_softmax."""
    cdef int64_t A, R, B
    cdef int err
    cdef ct_red_fn fn = ct_scan_table[op][t._dtype]
    if fn == NULL:
        raise RuntimeError(f"{name}(): no kernel for dtype {t.dtype}")
    cdef int d = _wrap_dim(dim, t._ndim, name)
    cdef TensorBase src = _contiguous(t)
    cdef TensorBase res = _empty(t._dtype, t._ndim, t._shape)
    if t._numel == 0:
        return res
    _split_at(t, d, &A, &R, &B)
    with nogil:
        err = fn(src._data, res._data, A, R, B)
    _check_err(err, name)
    return res


def cum_extreme(int op, TensorBase t, dim, str name):
    """(values, indices) of cummax / cummin along one dim."""
    cdef int64_t A, R, B
    cdef int err
    cdef ct_arg_fn fn = ct_cum_table[op][t._dtype]
    if fn == NULL:
        raise RuntimeError(f"{name}(): no kernel for dtype {t.dtype}")
    cdef int d = _wrap_dim(dim, t._ndim, name)
    cdef TensorBase src = _contiguous(t)
    cdef TensorBase res = _empty(t._dtype, t._ndim, t._shape)
    cdef TensorBase idx = _empty(CT_INT64, t._ndim, t._shape)
    if t._numel == 0:
        return res, idx
    _split_at(t, d, &A, &R, &B)
    with nogil:
        err = fn(src._data, res._data, <int64_t *>idx._data, A, R, B)
    _check_err(err, name)
    return res, idx


def reduced_count(TensorBase t, dim):
    """How many input elements feed each output element of a reduction over dim."""
    cdef uint8_t mask[16]
    cdef int d
    cdef int64_t n = 1
    _parse_dims(dim, t._ndim, "reduce", mask)
    for d in range(t._ndim):
        if mask[d]:
            n *= t._shape[d]
    return n


def write_out(out, TensorBase res, str name):
    """Copy res into the user's out= tensor (resizing an empty one), as torch's out= does."""
    cdef TensorBase o = _check_out(out, res._ndim, res._shape, res._dtype, name)
    _copy_into(o, res)
    o._storage._version += 1
    return out
