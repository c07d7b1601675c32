# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Indexing: ``x[key]`` / ``x[key] = v`` and the gather/scatter family.

Basic indexing (ints, slices, None, Ellipsis) only rewrites shape, strides
and offset, so it returns a view. Advanced indices (int/bool tensors, lists)
are gathered or scattered by one C driver, ``ct_index_apply`` in
src_c/ct_index.c: every op here builds an iteration space, the byte strides
of a dense operand ``a`` and of the indexed operand ``b`` over it, and the
index tensors that pick the element of ``b``. The C code checks every index.
"""
from libc.stdint cimport int64_t, uint8_t
from libc.string cimport memcpy, memset
from cytorch._C.ct cimport *
from cytorch._C._tensor cimport (TensorBase, _empty, _make_view, _cast, _clone, _contiguous,
                                 _is_contiguous, _copy_into, _check_err, _wrap_dim, _store_scalar,
                                 _result_type2, _broadcast_shapes, _SIZES_C, _scalar_dtype)
from cytorch._C._tensor import pretty_name
from numpy import ndarray as _ndarray

cdef extern from "ct_index.h" nogil:
    enum:
        CT_IDX_GATHER
        CT_IDX_PUT
        CT_IDX_ADD
        CT_IDX_MUL
        CT_IDX_MAX
        CT_IDX_MIN
    ctypedef struct ct_index_spec:
        int n
        int wrap
        char *ptr[16]
        int64_t strides[16][16]
        int64_t size[16]
        int64_t bstride[16]
    int ct_index_apply(int mode, int dtype, char *a, const int64_t *ast, char *b, const int64_t *bst,
                       int ndim, const int64_t *shape, const ct_index_spec *ix,
                       int64_t *bad_value, int *bad_k)
    int64_t ct_count_nonzero(const char *data, int dtype, int ndim, const int64_t *shape, const int64_t *strides)
    int ct_nonzero(const char *data, int dtype, int ndim, const int64_t *shape, const int64_t *strides,
                   int64_t *out, int64_t count)
    int ct_where(char *out, const char *cond, const char *x, const char *y, int64_t itemsize, int ndim,
                 const int64_t *shape, const int64_t *strides)

cdef extern from "Python.h":
    int PySlice_Unpack(object s, Py_ssize_t *start, Py_ssize_t *stop, Py_ssize_t *step) except -1
    Py_ssize_t PySlice_AdjustIndices(Py_ssize_t length, Py_ssize_t *start, Py_ssize_t *stop, Py_ssize_t step)

MODES = {"gather": CT_IDX_GATHER, "put": CT_IDX_PUT, "add": CT_IDX_ADD, "mul": CT_IDX_MUL,
         "max": CT_IDX_MAX, "min": CT_IDX_MIN}

# How a bad index is reported (each op family words it like PyTorch does).
DEF ERR_DIM = 0        # IndexError: index 5 is out of bounds for dimension 0 with size 3
DEF ERR_DIM_RT = 1     # RuntimeError, same words (gather/scatter)
DEF ERR_SELECT = 2     # IndexError: index out of range in self
DEF ERR_FLAT = 3       # IndexError: out of range: tried to access index 12 on a tensor of 12 elements.

cdef object _tensor_fn = None

cdef object _to_tensor(object x):
    global _tensor_fn
    if _tensor_fn is None:
        from cytorch._ops.creation import tensor
        _tensor_fn = tensor
    return _tensor_fn(x)

# ---------------------------------------------------------------- the driver

cdef int _run(int mode, int dt, char *a, const int64_t *ast, char *b, const int64_t *bst,
              int nd, const int64_t *shape, ct_index_spec *ix, int err_style,
              const int *dims, str op) except -1:
    cdef int64_t bad = 0
    cdef int k = 0, err
    with nogil:
        err = ct_index_apply(mode, dt, a, ast, b, bst, nd, shape, ix, &bad, &k)
    if err == CT_ERR_INDEX:
        if err_style == ERR_SELECT:
            raise IndexError("index out of range in self")
        if err_style == ERR_FLAT:
            raise IndexError(f"out of range: tried to access index {bad} on a tensor of {ix.size[k]} elements.")
        msg = f"index {bad} is out of bounds for dimension {dims[k]} with size {ix.size[k]}"
        if op:
            msg = f"{op}: {msg}"
        if err_style == ERR_DIM_RT:
            raise RuntimeError(msg)
        raise IndexError(msg)
    return _check_err(err, op or "index")

cdef TensorBase _long_index(object idx, str op):
    """An index tensor as int64 (int32 and smaller ints are widened)."""
    cdef TensorBase t
    if not isinstance(idx, TensorBase):
        raise TypeError(f"{op}(): argument 'index' must be Tensor, not {type(idx).__name__}")
    t = <TensorBase>idx
    if t._dtype == CT_INT64:
        return t
    if t._dtype == CT_INT32:
        return _cast(t, CT_INT64)
    raise RuntimeError(f"{op}(): Expected dtype int32 or int64 for index")

cdef inline void _byte_strides(TensorBase t, int64_t *out) noexcept:
    cdef int d
    for d in range(t._ndim):
        out[d] = t._stride[d] * _SIZES_C[t._dtype]

cdef TensorBase _value_tensor(object value, int dt):
    """A Python number or tensor as a tensor of dtype dt."""
    cdef TensorBase t
    if isinstance(value, TensorBase):
        return _cast(<TensorBase>value, dt)
    t = _empty(dt, 0, NULL)
    _store_scalar(t._data, dt, value)
    return t

# ---------------------------------------------------------------- key parsing

cdef class _Parsed:
    """Result of applying the basic part of an index: a view plus the advanced indices."""
    cdef TensorBase view
    cdef list adv          # [(view dim, int64 index tensor, source dim)]

cdef bint _is_int(object x):
    return (isinstance(x, int) and not isinstance(x, bool)) or (
        not isinstance(x, (TensorBase, float, bool, complex, str)) and hasattr(x, "__index__"))

cdef bint _treat_as_tuple(object key):
    # PyTorch (like old NumPy) reads a short list holding slices, None, Ellipsis,
    # tensors or sequences as a tuple of indices.
    if len(key) >= 32:
        return False
    for x in key:
        if x is None or x is Ellipsis or isinstance(x, (slice, TensorBase, list, tuple)):
            return True
    return False

cdef tuple _as_items(object key):
    if isinstance(key, tuple):
        return key
    if isinstance(key, list) and _treat_as_tuple(key):
        import warnings
        warnings.warn("Using a non-tuple sequence for multidimensional indexing is deprecated; use "
                      "x[tuple(seq)] instead of x[seq].", UserWarning, stacklevel=3)
        return tuple(key)
    return (key,)

cdef object _prepare_item(object x):
    """Normalise one index item: sequences become tensors, other types are rejected."""
    if x is None or x is Ellipsis or isinstance(x, (slice, bool, TensorBase)):
        return x
    if isinstance(x, _ndarray):
        return _to_tensor(x)
    if _is_int(x):
        return x
    if isinstance(x, (list, tuple)):
        return _to_tensor(x)
    if isinstance(x, range):
        return _to_tensor(list(x))
    raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables "
                     "are valid indices (got " + type(x).__name__ + ")")

cdef TensorBase _ZERO_INDEX = None
cdef TensorBase _EMPTY_INDEX = None

cdef int _bool_index(_Parsed p, bint value, int nd, int64_t *sh, int64_t *st, int src) except -1:
    """A Python/0-d bool index (PyTorch's rule): a new size-1 dim indexed by [0] (True) or [] (False)."""
    global _ZERO_INDEX, _EMPTY_INDEX
    cdef int64_t n = 1
    if _ZERO_INDEX is None:
        _ZERO_INDEX = _empty(CT_INT64, 1, &n)
        (<int64_t *>_ZERO_INDEX._data)[0] = 0
        n = 0
        _EMPTY_INDEX = _empty(CT_INT64, 1, &n)
    sh[nd] = 1
    st[nd] = 1
    p.adv.append((nd, _ZERO_INDEX if value else _EMPTY_INDEX, src))
    return nd + 1

cdef bint _mergeable(TensorBase t, int first, int k):
    """Whether dims first..first+k-1 of t can be walked as one dim (row-major, one stride)."""
    cdef int d
    for d in range(first, first + k - 1):
        if t._stride[d] != t._stride[d + 1] * t._shape[d + 1] and t._shape[d] != 1:
            return False
    return True

cdef _Parsed _parse(TensorBase self, object key):
    cdef int64_t sh[16]
    cdef int64_t st[16]
    cdef int nd = 0, src = 0, ndim = self._ndim, consumed = 0, d, k, n_ell = 0
    cdef int64_t off = self._offset, i, size, n
    cdef Py_ssize_t start, stop, step
    cdef TensorBase t
    cdef _Parsed p = _Parsed.__new__(_Parsed)
    p.adv = []
    items = [_prepare_item(x) for x in _as_items(key)]
    for x in items:
        if isinstance(x, TensorBase):
            t = <TensorBase>x
            if t._ndim == 0 and CT_UINT8 < t._dtype <= CT_INT64:
                consumed += 1
            elif t._dtype == CT_BOOL or t._dtype == CT_UINT8:
                consumed += t._ndim
            elif t._dtype == CT_INT64 or t._dtype == CT_INT32:
                consumed += 1
            else:
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        elif x is not None and x is not Ellipsis and not isinstance(x, bool):
            consumed += 1
    if consumed > ndim:
        if ndim == 0 and len(items) == 1 and _is_int(items[0]):
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                             "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
        if ndim == 0 and len(items) == 1 and isinstance(items[0], slice):
            raise IndexError("slice() cannot be applied to a 0-dim tensor.")
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    for x in items:
        if nd >= 16:
            raise IndexError("cytorch: indexing gives more than 16 dimensions")
        if x is None:
            sh[nd] = 1
            st[nd] = st[nd - 1] * sh[nd - 1] if nd > 0 else 1
            nd += 1
        elif x is Ellipsis:
            k = ndim - consumed if n_ell == 0 else 0
            n_ell += 1
            if nd + k > 16:
                raise IndexError("cytorch: indexing gives more than 16 dimensions")
            for d in range(k):
                sh[nd] = self._shape[src]
                st[nd] = self._stride[src]
                nd += 1
                src += 1
        elif isinstance(x, bool):
            nd = _bool_index(p, bool(x), nd, sh, st, src)
        elif isinstance(x, slice):
            size = self._shape[src]
            if (<slice>x).step is not None and (<slice>x).step <= 0:
                raise ValueError("step must be greater than zero")
            PySlice_Unpack(x, &start, &stop, &step)
            sh[nd] = PySlice_AdjustIndices(<Py_ssize_t>size, &start, &stop, step)
            st[nd] = self._stride[src] * step
            if sh[nd] > 0:
                off += start * self._stride[src]
            nd += 1
            src += 1
        elif isinstance(x, TensorBase):
            t = <TensorBase>x
            if t._ndim == 0 and CT_UINT8 < t._dtype <= CT_INT64:
                i = int(t.item())      # a 0-d integer tensor acts as an int (a view)
                size = self._shape[src]
                if i < -size or i >= size:
                    raise IndexError(f"index {i} is out of bounds for dimension {src} with size {size}")
                off += (i + size if i < 0 else i) * self._stride[src]
                src += 1
            elif t._dtype == CT_BOOL or t._dtype == CT_UINT8:
                if t._ndim == 0:
                    nd = _bool_index(p, bool(t.item()), nd, sh, st, src)
                    continue
                for d in range(t._ndim):
                    if t._shape[d] != self._shape[src + d]:
                        raise IndexError(
                            f"The shape of the mask {list(t.shape)} at index {d} does not match the shape of the "
                            f"indexed tensor {list(self.shape)[src:src + t._ndim]} at index {src + d}")
                if _mergeable(self, src, t._ndim):
                    # the masked dims form one strided run: index it with flat positions
                    # (one index tensor instead of ndim, the fast path of the C driver)
                    n = 1
                    for d in range(t._ndim):
                        n *= t._shape[d]
                    flat = _nonzero(t.reshape(n))
                    p.adv.append((nd, flat.select(1, 0), src))
                    sh[nd] = n
                    st[nd] = self._stride[src + t._ndim - 1]
                    nd += 1
                    src += t._ndim
                    continue
                coords = _nonzero(t)
                for d in range(t._ndim):
                    if nd >= 16:
                        raise IndexError("cytorch: indexing gives more than 16 dimensions")
                    p.adv.append((nd, coords.select(1, d), src))
                    sh[nd] = self._shape[src]
                    st[nd] = self._stride[src]
                    nd += 1
                    src += 1
            else:
                p.adv.append((nd, _long_index(t, "index"), src))
                sh[nd] = self._shape[src]
                st[nd] = self._stride[src]
                nd += 1
                src += 1
        else:
            i = x if isinstance(x, int) else x.__index__()
            size = self._shape[src]
            if i < -size or i >= size:
                raise IndexError(f"index {i} is out of bounds for dimension {src} with size {size}")
            off += (i + size if i < 0 else i) * self._stride[src]
            src += 1
    while src < ndim:
        if nd >= 16:
            raise IndexError("cytorch: indexing gives more than 16 dimensions")
        sh[nd] = self._shape[src]
        st[nd] = self._stride[src]
        nd += 1
        src += 1
    p.view = _make_view(self, nd, sh, st, off)
    return p

cdef class _AdvPlan:
    """Iteration space for an advanced index: result shape, b's strides and the index spec."""
    cdef int nd
    cdef int64_t shape[16]
    cdef int64_t bst[16]
    cdef ct_index_spec ix
    cdef int dims[16]
    cdef list keep         # keeps the index tensors alive while ix points at them

cdef _AdvPlan _plan(_Parsed p):
    cdef TensorBase v = p.view, t
    cdef _AdvPlan plan = _AdvPlan.__new__(_AdvPlan)
    cdef int64_t bshape[16]
    cdef int64_t tmp[16]
    cdef int bnd = 0, k, d, vd, first, last, nadv = len(p.adv), pos, sd
    cdef int64_t isz = _SIZES_C[v._dtype]
    cdef bint adjacent = True
    cdef int is_adv[16]
    memset(is_adv, 0, sizeof(is_adv))
    plan.keep = []
    for k in range(nadv):
        t = <TensorBase>p.adv[k][1]
        vd = p.adv[k][0]
        is_adv[vd] = 1
        if k > 0 and vd != (<int>p.adv[k - 1][0]) + 1:
            adjacent = False
        try:
            bnd = _broadcast_shapes(bnd, bshape, t._ndim, t._shape, tmp)
        except RuntimeError:
            shapes = ", ".join(str(list((<TensorBase>e[1]).shape)) for e in p.adv)
            raise IndexError(f"shape mismatch: indexing tensors could not be broadcast together with shapes {shapes}") from None
        memcpy(bshape, tmp, bnd * sizeof(int64_t))
    first = p.adv[0][0]
    last = p.adv[nadv - 1][0]
    # result dims: [plain dims before] + bshape + [plain dims after] when the
    # advanced indices are adjacent, else bshape first (the NumPy rule)
    pos = first if adjacent else 0
    plan.nd = v._ndim - nadv + bnd
    if plan.nd > 16:
        raise IndexError("cytorch: indexing gives more than 16 dimensions")
    plan.ix.n = nadv
    plan.ix.wrap = 1
    d = 0
    for vd in range(v._ndim):
        if d == pos:
            d += bnd
        if not is_adv[vd]:
            plan.shape[d] = v._shape[vd]
            plan.bst[d] = v._stride[vd] * isz
            for k in range(nadv):
                plan.ix.strides[k][d] = 0
            d += 1
    for d in range(pos, pos + bnd):
        plan.shape[d] = bshape[d - pos]
        plan.bst[d] = 0
    for k in range(nadv):
        t = <TensorBase>p.adv[k][1]
        plan.keep.append(t)
        vd = p.adv[k][0]
        plan.ix.ptr[k] = t._data
        plan.ix.size[k] = v._shape[vd]
        plan.ix.bstride[k] = v._stride[vd] * isz
        plan.dims[k] = p.adv[k][2]
        for d in range(bnd):
            sd = d - (bnd - t._ndim)
            plan.ix.strides[k][pos + d] = t._stride[sd] * 8 if sd >= 0 and t._shape[sd] == bshape[d] else 0
    return plan

# ---------------------------------------------------------------- __getitem__ / __setitem__

def getitem(TensorBase self, key):
    """``self[key]``: a view for basic indices, a gathered copy for advanced ones."""
    cdef int64_t sh[16]
    cdef int64_t st[16]
    cdef int64_t i, size
    cdef int64_t ast[16]
    cdef int nd, d
    cdef Py_ssize_t start, stop, step
    # fast paths: x[i] and x[a:b]
    if type(key) is int and self._ndim > 0:
        i = key
        size = self._shape[0]
        if i < -size or i >= size:
            raise IndexError(f"index {i} is out of bounds for dimension 0 with size {size}")
        if i < 0:
            i += size
        nd = self._ndim - 1
        memcpy(sh, self._shape + 1, nd * sizeof(int64_t))
        memcpy(st, self._stride + 1, nd * sizeof(int64_t))
        return _make_view(self, nd, sh, st, self._offset + i * self._stride[0])
    if type(key) is slice and self._ndim > 0 and ((<slice>key).step is None or (<slice>key).step > 0):
        PySlice_Unpack(key, &start, &stop, &step)
        nd = self._ndim
        memcpy(sh, self._shape, nd * sizeof(int64_t))
        memcpy(st, self._stride, nd * sizeof(int64_t))
        sh[0] = PySlice_AdjustIndices(<Py_ssize_t>self._shape[0], &start, &stop, step)
        st[0] = self._stride[0] * step
        return _make_view(self, nd, sh, st, self._offset + (start * self._stride[0] if sh[0] > 0 else 0))
    cdef _Parsed p = _parse(self, key)
    if not p.adv:
        return p.view
    cdef _AdvPlan plan = _plan(p)
    cdef TensorBase out = _empty(self._dtype, plan.nd, plan.shape)
    _byte_strides(out, ast)
    _run(CT_IDX_GATHER, self._dtype, out._data, ast, p.view._data, plan.bst, plan.nd, plan.shape,
         &plan.ix, ERR_DIM, plan.dims, "")
    return out

cdef int _index_put(TensorBase self, object key, object value, int mode, bint strict_dtype) except -1:
    """self[key] (op)= value, value broadcast to the indexed shape."""
    cdef _Parsed p = _parse(self, key)
    cdef TensorBase v, view
    cdef int64_t vst[16]
    cdef int d, sd, k, nd
    if isinstance(value, TensorBase):
        v = <TensorBase>value
        if strict_dtype and p.adv and v._dtype != self._dtype:
            raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                               f"{pretty_name(self._dtype)} for the destination and {pretty_name(v._dtype)} for the source.")
    elif isinstance(value, (int, float, bool, complex)) or hasattr(value, "__float__"):
        v = None
    else:
        raise TypeError(f"can't assign a {type(value).__name__} to a {self.dtype} tensor")
    if not p.adv:
        view = p.view
        if v is None:
            view._fill(value)      # bumps the version counter
            return 0
        # leading size-1 dims of the value may be dropped (x[0] = ones(1, n))
        k = 0
        while v._ndim - k > view._ndim and v._shape[k] == 1:
            k += 1
        if k:
            v = _make_view(v, v._ndim - k, v._shape + k, v._stride + k, v._offset)
        if mode == CT_IDX_PUT:
            _copy_into(view, v)
        else:
            from cytorch._C._tensor import _binary_
            _binary_(0, view, v)           # op 0 is add
        self._storage._version += 1
        return 0
    cdef _AdvPlan plan = _plan(p)
    nd = plan.nd
    v = _value_tensor(value, self._dtype) if v is None else _cast(v, self._dtype)
    if v._storage is self._storage:
        v = _clone(v)
    k = 0
    while v._ndim - k > nd and v._shape[k] == 1:
        k += 1
    for d in range(nd):
        sd = d - (nd - (v._ndim - k))
        if sd < 0 or (v._shape[sd + k] == 1 and plan.shape[d] != 1):
            vst[d] = 0
        elif v._shape[sd + k] == plan.shape[d]:
            vst[d] = v._stride[sd + k] * _SIZES_C[v._dtype]
        else:
            raise RuntimeError(f"shape mismatch: value tensor of shape {list(v.shape)} cannot be broadcast to "
                               f"indexing result of shape {[plan.shape[i] for i in range(nd)]}")
    if v._ndim - k > nd:
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(v.shape)} cannot be broadcast to "
                           f"indexing result of shape {[plan.shape[i] for i in range(nd)]}")
    _run(mode, self._dtype, v._data, vst, p.view._data, plan.bst, nd, plan.shape, &plan.ix, ERR_DIM, plan.dims, "")
    self._storage._version += 1
    return 0

def setitem(TensorBase self, key, value):
    """``self[key] = value``: basic indices write through a view, advanced ones scatter."""
    if isinstance(key, TensorBase) and (<TensorBase>key)._dtype == CT_BOOL and \
            isinstance(value, TensorBase) and (<TensorBase>value)._ndim == 0:
        value = value.item()       # x[mask] = 0-d tensor is a masked fill (any dtype), as in PyTorch
    _index_put(self, key, value, CT_IDX_PUT, True)

def index_put_(TensorBase self, indices, values, bint accumulate=False):
    """self[indices] = values (accumulate=True: +=, summing duplicate indices)."""
    if not isinstance(indices, (tuple, list)):
        raise TypeError(f"index_put_(): argument 'indices' must be tuple of Tensors, not {type(indices).__name__}")
    if not isinstance(values, TensorBase):
        raise TypeError(f"index_put_(): argument 'values' must be Tensor, not {type(values).__name__}")
    key = tuple(slice(None) if x is None else x for x in indices)
    for x in key:
        if not isinstance(x, (TensorBase, slice)):
            raise TypeError("index_put_(): argument 'indices' must be tuple of Tensors")
    if (<TensorBase>values)._dtype != self._dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{pretty_name(self._dtype)} for the destination and "
                           f"{pretty_name((<TensorBase>values)._dtype)} for the source.")
    _index_put(self, key, values, CT_IDX_ADD if accumulate else CT_IDX_PUT, True)
    return self

# ---------------------------------------------------------------- nonzero / where

cdef TensorBase _nonzero(TensorBase t):
    cdef int64_t st[16]
    cdef int64_t n
    cdef int64_t sh[2]
    cdef int err
    _byte_strides(t, st)
    with nogil:
        n = ct_count_nonzero(t._data, t._dtype, t._ndim, t._shape, st)
    if n < 0:
        _check_err(CT_ERR_DIMS, "nonzero")
    sh[0] = n
    sh[1] = t._ndim
    cdef TensorBase out = _empty(CT_INT64, 2, sh)
    with nogil:
        err = ct_nonzero(t._data, t._dtype, t._ndim, t._shape, st, <int64_t *>out._data, n)
    _check_err(err, "nonzero")
    return out

def nonzero(TensorBase t):
    """Coordinates of the nonzero elements as an (n, ndim) int64 tensor, row-major order."""
    return _nonzero(t)

def count_nonzero_all(TensorBase t):
    cdef int64_t st[16]
    _byte_strides(t, st)
    return ct_count_nonzero(t._data, t._dtype, t._ndim, t._shape, st)

cdef void _bstr(TensorBase t, int nd, const int64_t *shape, int64_t *out) noexcept:
    cdef int d, sd
    for d in range(nd):
        sd = d - (nd - t._ndim)
        out[d] = 0 if sd < 0 or t._shape[sd] != shape[d] else t._stride[sd] * _SIZES_C[t._dtype]

cdef int _where_into(TensorBase out, TensorBase cond, TensorBase x, TensorBase y) except -1:
    """out := cond ? x : y; cond, x, y broadcast to out's shape and x, y of out's dtype."""
    cdef int nd = out._ndim, err
    cdef int64_t strides[4 * 16]
    _byte_strides(out, strides)
    _bstr(cond, nd, out._shape, strides + nd)
    _bstr(x, nd, out._shape, strides + 2 * nd)
    _bstr(y, nd, out._shape, strides + 3 * nd)
    with nogil:
        err = ct_where(out._data, cond._data, x._data, y._data, _SIZES_C[out._dtype], nd, out._shape, strides)
    return _check_err(err, "where")

def where(condition, input, other):
    """Elementwise ``input if condition else other`` with broadcasting and type promotion."""
    cdef TensorBase c, x, y, out
    cdef int64_t sh[16]
    cdef int64_t tmp[16]
    cdef int nd, dt
    if not isinstance(condition, TensorBase):
        raise TypeError(f"where(): argument 'condition' must be Tensor, not {type(condition).__name__}")
    c = <TensorBase>condition
    if c._dtype != CT_BOOL and c._dtype != CT_UINT8:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                           f"{pretty_name(c._dtype)}")
    dt = _result_type2(input, other)
    x = _value_tensor(input, dt)
    y = _value_tensor(other, dt)
    nd = _broadcast_shapes(c._ndim, c._shape, x._ndim, x._shape, tmp)
    nd = _broadcast_shapes(nd, tmp, y._ndim, y._shape, sh)
    out = _empty(dt, nd, sh)
    _where_into(out, c, x, y)
    return out

def masked_fill_(TensorBase self, mask, value):
    """Set self's elements where ``mask`` (broadcast to self) is True to ``value``."""
    cdef TensorBase m, v
    cdef int64_t sh[16]
    cdef int d
    if not isinstance(mask, TensorBase):
        raise TypeError(f"masked_fill_(): argument 'mask' must be Tensor, not {type(mask).__name__}")
    m = <TensorBase>mask
    if m._dtype != CT_BOOL:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype {m.dtype}")
    if isinstance(value, TensorBase) and (<TensorBase>value)._ndim != 0:
        raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                           f"{(<TensorBase>value)._ndim} dimension(s).")
    if _broadcast_shapes(self._ndim, self._shape, m._ndim, m._shape, sh) != self._ndim or \
            any(sh[d] != self._shape[d] for d in range(self._ndim)):
        raise RuntimeError(f"output with shape {list(self.shape)} doesn't match the broadcast shape "
                           f"{[sh[d] for d in range(max(self._ndim, m._ndim))]}")
    v = _value_tensor(value.item() if isinstance(value, TensorBase) else value, self._dtype)
    if m._storage is self._storage and m._data != self._data:
        m = _clone(m)
    _where_into(self, m, v, self)
    self._storage._version += 1
    return self

# ---------------------------------------------------------------- dim-wise gather/scatter

cdef int _check_gather_shape(TensorBase self, int dim, TensorBase index, TensorBase src, str op) except -1:
    cdef int d
    if index._ndim != self._ndim and not (index._ndim <= 1 and self._ndim <= 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as "
                           + ("input tensor" if src is None or op == "gather" else "self tensor"))
    for d in range(index._ndim):
        if index._ndim != self._ndim:
            break
        if d != dim and index._shape[d] > self._shape[d]:
            if op == "gather":
                raise RuntimeError(f"Size does not match at dimension {d} expected index {list(index.shape)} to be "
                                   f"no larger than self {list(self.shape)} apart from dimension {dim}")
            raise RuntimeError(f"Expected index {list(index.shape)} to be no larger than self {list(self.shape)} "
                               f"apart from dimension {dim}" + (f" and to be no larger size than src {list(src.shape)}"
                                                                if src is not None else ""))
        if src is not None and src._ndim == index._ndim and index._shape[d] > src._shape[d]:
            raise RuntimeError(f"Expected index {list(index.shape)} to be no larger than self {list(self.shape)} "
                               f"apart from dimension {dim} and to be no larger size than src {list(src.shape)}")
    if src is not None and src._ndim != index._ndim and not (src._ndim <= 1 and index._ndim <= 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
    return 0

cdef void _along_dim(TensorBase t, int dim, int nd, int64_t *bst, ct_index_spec *ix,
                     TensorBase index, int64_t *ist, bint wrap) noexcept:
    """b = t indexed along dim by index: t's strides with 0 at dim; index strides as given."""
    cdef int d
    cdef int64_t isz = _SIZES_C[t._dtype]
    for d in range(nd):
        bst[d] = 0 if d == dim or d >= t._ndim else t._stride[d] * isz
        ix.strides[0][d] = ist[d]
    ix.n = 1
    ix.wrap = wrap
    ix.ptr[0] = index._data
    ix.size[0] = t._shape[dim] if t._ndim > 0 else 1
    ix.bstride[0] = t._stride[dim] * isz if t._ndim > 0 else 0

def gather(TensorBase input, dim, index, bint wrap=False):
    """out[i][j] = input[index[i][j]][j] (dim=0): pick along dim at the positions in index."""
    cdef TensorBase idx = _long_index(index, "gather"), out
    cdef int d = _wrap_dim(dim, input._ndim, "gather")
    cdef int64_t ast[16]
    cdef int64_t bst[16]
    cdef int64_t ist[16]
    cdef ct_index_spec ix
    cdef int dims[1]
    _check_gather_shape(input, d, idx, None, "gather")
    out = _empty(input._dtype, idx._ndim, idx._shape)
    if input._numel == 0 and idx._numel > 0:
        raise RuntimeError(f"index {int(idx.reshape(-1)[0])} is out of bounds for dimension {d} with size 0")
    _byte_strides(out, ast)
    _byte_strides(idx, ist)
    _along_dim(input, d, idx._ndim, bst, &ix, idx, ist, wrap)
    dims[0] = d
    _run(CT_IDX_GATHER, input._dtype, out._data, ast, input._data, bst, idx._ndim, idx._shape, &ix,
         ERR_DIM_RT, dims, "")
    return out

def scatter_(TensorBase self, dim, index, src, int mode, str op):
    """self[index[i][j]][j] (mode)= src[i][j] (dim=0), in place; src may be a Python number."""
    cdef TensorBase idx = _long_index(index, op), s
    cdef int d = _wrap_dim(dim, self._ndim, op)
    cdef int64_t ast[16]
    cdef int64_t bst[16]
    cdef int64_t ist[16]
    cdef ct_index_spec ix
    cdef int dims[1]
    cdef int k
    if isinstance(src, TensorBase):
        s = <TensorBase>src
        if s._dtype != self._dtype:
            raise RuntimeError(f"{op}(): Expected self.dtype to be equal to src.dtype")
        _check_gather_shape(self, d, idx, s, op)
        if s._storage is self._storage:
            s = _clone(s)
        memset(ast, 0, sizeof(ast))
        for k in range(min(s._ndim, idx._ndim)):
            ast[k] = s._stride[k] * _SIZES_C[s._dtype]
    else:
        _check_gather_shape(self, d, idx, None, op)
        s = _value_tensor(src, self._dtype)
        memset(ast, 0, sizeof(ast))
    if mode >= CT_IDX_MUL and self._dtype >= CT_COMPLEX64 and mode != CT_IDX_MUL:
        raise RuntimeError(f"{op}(): amax/amin are not supported for complex tensors")
    _byte_strides(idx, ist)
    _along_dim(self, d, idx._ndim, bst, &ix, idx, ist, False)
    dims[0] = d
    _run(mode, self._dtype, s._data, ast, self._data, bst, idx._ndim, idx._shape, &ix, ERR_DIM_RT, dims, "")
    self._storage._version += 1
    return self

cdef TensorBase _vector_index(object index, str op, str kind):
    cdef TensorBase idx = _long_index(index, op)
    if idx._ndim > 1:
        if kind == "select":
            raise IndexError(f"{op}(): Index is supposed to be a vector")
        raise RuntimeError("Index has to be a vector/scalar" if kind == "fill" else
                           f"{op}(): Index is supposed to be a vector")
    return idx

def index_select(TensorBase input, dim, index):
    """Pick the slices input.select(dim, i) for i in index, stacked along dim."""
    cdef TensorBase idx = _vector_index(index, "index_select", "select"), out
    cdef int d = _wrap_dim(dim, input._ndim, "index_select")
    cdef int64_t sh[16]
    cdef int64_t ast[16]
    cdef int64_t bst[16]
    cdef int64_t ist[16]
    cdef ct_index_spec ix
    cdef int dims[1]
    cdef int k, nd = input._ndim if input._ndim > 0 else 1
    if input._ndim == 0 and idx._numel != 1:
        raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got {idx._numel} value(s)")
    for k in range(input._ndim):
        sh[k] = input._shape[k]
    sh[d] = idx._numel
    out = _empty(input._dtype, input._ndim, sh)
    if input._ndim == 0:
        sh[0] = 1
    _byte_strides(out, ast)
    if input._ndim == 0:
        ast[0] = 0
    memset(ist, 0, sizeof(ist))
    ist[d] = idx._stride[0] * 8 if idx._ndim == 1 else 0
    _along_dim(input, d, nd, bst, &ix, idx, ist, False)
    dims[0] = d
    _run(CT_IDX_GATHER, input._dtype, out._data, ast, input._data, bst, nd, sh, &ix, ERR_SELECT, dims, "")
    return out

def index_scatter_(TensorBase self, dim, index, source, int mode, str op):
    """self.select(dim, index[i]) (mode)= source.select(dim, i): index_add_/index_copy_/index_fill_."""
    cdef TensorBase idx = _vector_index(index, op, "fill" if op == "index_fill_" else "copy"), s
    cdef int d = _wrap_dim(dim, self._ndim, op)
    cdef int64_t sh[16]
    cdef int64_t ast[16]
    cdef int64_t bst[16]
    cdef int64_t ist[16]
    cdef ct_index_spec ix
    cdef int dims[1]
    cdef int k, nd = self._ndim if self._ndim > 0 else 1
    cdef int64_t n = idx._numel
    for k in range(self._ndim):
        sh[k] = self._shape[k]
    if self._ndim == 0:
        sh[0] = 1
    sh[d] = n
    memset(ast, 0, sizeof(ast))
    if isinstance(source, TensorBase) and op != "index_fill_":
        s = <TensorBase>source
        if s._dtype != self._dtype:
            raise RuntimeError(f"{op}(): self ({pretty_name(self._dtype)}) and source ({pretty_name(s._dtype)}) "
                               f"must have the same scalar type")
        if s._ndim > 0 and self._ndim > 0 and s._ndim != self._ndim:
            raise IndexError(f"{op}(): When source and destination are not scalars, their dimensionality must match. "
                             f"Source dimensionality ({s._ndim}), destination dimensionality ({self._ndim})")
        if (s._shape[d] if s._ndim > 0 else 1) != n:
            if op == "index_copy_":
                raise IndexError(f"index_copy_(): Number of indices ({n}) should be equal to source.size(dim) "
                                 f"({s._shape[d] if s._ndim > 0 else 1})")
            raise RuntimeError(f"{op}(): Number of indices ({n}) should be equal to source.size(dim): "
                               f"({s._shape[d] if s._ndim > 0 else 1}), for dim: {d}")
        for k in range(s._ndim):
            if k != d and s._shape[k] != self._shape[k]:
                raise RuntimeError(f"{op}(): source {list(s.shape)} and self {list(self.shape)} must have the same "
                                   f"size apart from dimension {d}")
        if s._storage is self._storage:
            s = _clone(s)
        for k in range(s._ndim):
            ast[k] = s._stride[k] * _SIZES_C[s._dtype]
    else:
        if isinstance(source, TensorBase):
            if (<TensorBase>source)._ndim != 0:
                raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                                   f"{(<TensorBase>source)._ndim} dimension(s).")
            source = source.item()
        s = _value_tensor(source, self._dtype)
    memset(ist, 0, sizeof(ist))
    ist[d] = idx._stride[0] * 8 if idx._ndim == 1 else 0
    _along_dim(self, d, nd, bst, &ix, idx, ist, op == "index_fill_")
    dims[0] = d
    _run(mode, self._dtype, s._data, ast, self._data, bst, nd, sh, &ix,
         ERR_DIM if op != "index_add_" else ERR_DIM_RT, dims, "index_copy_" if op == "index_copy_" else "")
    self._storage._version += 1
    return self

def take(TensorBase input, index):
    """input.flatten()[index], shaped like index."""
    cdef TensorBase idx = _long_index(index, "take"), out, flat = _contiguous(input)
    cdef int64_t ast[16]
    cdef int64_t bst[16]
    cdef ct_index_spec ix
    cdef int dims[1]
    out = _empty(input._dtype, idx._ndim, idx._shape)
    _byte_strides(out, ast)
    memset(bst, 0, sizeof(bst))
    ix.n = 1
    ix.wrap = 1
    ix.ptr[0] = idx._data
    _byte_strides(idx, ix.strides[0])
    ix.size[0] = input._numel
    ix.bstride[0] = _SIZES_C[input._dtype]
    dims[0] = 0
    _run(CT_IDX_GATHER, input._dtype, out._data, ast, flat._data, bst, idx._ndim, idx._shape, &ix, ERR_FLAT, dims, "")
    return out

def put_(TensorBase self, index, source, bint accumulate=False):
    """self.flatten()[index] = source (accumulate=True: +=), in place."""
    cdef TensorBase idx = _long_index(index, "put_"), s, target
    cdef int64_t ast[16]
    cdef int64_t bst[16]
    cdef ct_index_spec ix
    cdef int dims[1]
    if not isinstance(source, TensorBase):
        raise TypeError(f"put_(): argument 'source' must be Tensor, not {type(source).__name__}")
    s = <TensorBase>source
    if s._dtype != self._dtype:
        raise RuntimeError(f"put_(): self and source expected to have the same dtype, but got self.dtype = "
                           f"{pretty_name(self._dtype)} and source.dtype = {pretty_name(s._dtype)}")
    if s._numel != idx._numel:
        raise IndexError(f"put_(): Expected source and index to have the same number of elements, but got "
                         f"source.numel() = {s._numel}, index.numel() = {idx._numel}")
    s = _contiguous(s)
    if s._storage is self._storage:
        s = _clone(s)
    target = self if _is_contiguous(self) else _clone(self)
    memset(ast, 0, sizeof(ast))
    memset(bst, 0, sizeof(bst))
    # source is walked in index's shape: contiguous strides of that shape
    cdef int k
    cdef int64_t step = _SIZES_C[s._dtype]
    for k in range(idx._ndim - 1, -1, -1):
        ast[k] = step
        step *= idx._shape[k] if idx._shape[k] > 0 else 1
    ix.n = 1
    ix.wrap = 1
    ix.ptr[0] = idx._data
    _byte_strides(idx, ix.strides[0])
    ix.size[0] = self._numel
    ix.bstride[0] = _SIZES_C[self._dtype]
    dims[0] = 0
    _run(CT_IDX_ADD if accumulate else CT_IDX_PUT, self._dtype, s._data, ast, target._data, bst,
         idx._ndim, idx._shape, &ix, ERR_FLAT, dims, "")
    if target is not self:
        _copy_into(self, target)
    self._storage._version += 1
    return self
