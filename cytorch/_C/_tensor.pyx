# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The Tensor core: dtypes, Storage, the strided TensorBase, type promotion,
broadcasting and the elementwise dispatcher.

Every op here follows one path: promote dtypes, broadcast shapes (stride-0
views, no copies), allocate the output, pick the kernel from the (op, dtype)
table in src_c/ct_elementwise.c, release the GIL, run it through the n-d
iterator. Python-level conveniences live in cytorch/_tensor.py, which
subclasses TensorBase (as torch.Tensor subclasses torch._C.TensorBase).
"""
from cpython.mem cimport PyMem_Malloc, PyMem_Free
from libc.stdint cimport int64_t, uint8_t, int8_t, int16_t, int32_t, uint16_t, uintptr_t, INT64_MAX
from libc.string cimport memcpy, memset
cimport cython
from cytorch._C.ct cimport *

import math

# ---------------------------------------------------------------- autograd switches
# Grad mode is a thread-local C flag, so the dispatchers test it without a Python lookup.
cdef extern from *:
    """
    static __thread int ct_grad_on = 1;
    """
    int ct_grad_on

cdef bint _grad_enabled() noexcept nogil:
    return ct_grad_on != 0

cdef void _set_grad_enabled(bint on) noexcept nogil:
    global ct_grad_on
    ct_grad_on = 1 if on else 0

cdef ag_binary_fn _ag_binary = NULL
cdef ag_unary_fn _ag_unary = NULL
cdef ag_view_fn _ag_view = NULL

cdef void _set_autograd_hooks(ag_binary_fn b, ag_unary_fn u, ag_view_fn v) noexcept:
    global _ag_binary, _ag_unary, _ag_view
    _ag_binary = b
    _ag_unary = u
    _ag_view = v

cdef inline bint _needs_grad(object x):
    return isinstance(x, TensorBase) and (<TensorBase>x)._requires_grad

cdef inline object _view_out(TensorBase self, TensorBase r, str name, object args):
    if ct_grad_on and self._requires_grad and _ag_view != NULL:
        return _ag_view(name, self, r, args)
    return r

cdef int _check_inplace_grad(TensorBase a) except -1:
    cdef TensorBase b
    if a._grad_fn is None and a._requires_grad:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    if a._vbase is not None:
        b = <TensorBase>a._vbase
        if b._grad_fn is None and b._requires_grad:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place "
                               "operation.")
    return 0

# set by cytorch.autograd: after an in-place op on a view, make the view's base the output of a
# CopySlices node (so the base's gradient sees the write) and the view a view of that output
cdef object _copy_slices_hook = None

def _set_copy_slices_hook(fn):
    global _copy_slices_hook
    _copy_slices_hook = fn

cdef TensorBase _graph_snapshot(TensorBase a):
    """A copy of a's values that stays in a's place in the graph (the input of an in-place op)."""
    cdef TensorBase c = _clone(a)
    if a._requires_grad:
        c._requires_grad = True
        c._grad_fn = a._grad_fn
        c._output_nr = a._output_nr
    return c

cdef object _rebase_inplace(TensorBase a, TensorBase res, str op):
    """Write res (computed out of place, recorded) into a, and make a the op's output in the graph."""
    cdef int d
    if not _can_cast(res._dtype, a._dtype):
        raise RuntimeError(f"result type {_PRETTY[res._dtype]} can't be cast to the desired output type {_PRETTY[a._dtype]}")
    if res._ndim != a._ndim or any(res._shape[d] != a._shape[d] for d in range(a._ndim)):
        raise RuntimeError(f"output with shape {list(a.shape)} doesn't match the broadcast shape {list(res.shape)}")
    _copy_into(a, res)
    a._storage._version += 1
    if res._requires_grad:
        a._requires_grad = True
        a._grad_fn = res._grad_fn
        a._output_nr = res._output_nr
        if a._vbase is not None and _copy_slices_hook is not None:
            _copy_slices_hook(a, res)
    return a

def _inplace_result(TensorBase a, TensorBase res, str op="inplace"):
    """Python entry to _rebase_inplace (used by the autograd wrappers of copy_/fill_/setitem)."""
    _check_inplace_grad(a)
    return _rebase_inplace(a, res, op)

def _check_inplace(TensorBase a):
    return _check_inplace_grad(a)

# ---------------------------------------------------------------- dtypes

cdef class dtype:
    """A tensor element type (``cytorch.float32`` and friends)."""

    def __repr__(self):
        return "cytorch." + self._name

    def __reduce__(self):
        return (_dtype_from_name, (self._name,))

    @property
    def to_real(self):
        return dtype_of(_to_real(self.code))

    @property
    def to_complex(self):
        return dtype_of(_to_complex(self.code))


_NAMES = ("bool", "uint8", "int8", "int16", "int32", "int64",
          "float16", "bfloat16", "float32", "float64", "complex64", "complex128")
_SIZES = (1, 1, 1, 2, 4, 8, 2, 2, 4, 8, 8, 16)
_PRETTY = ("Bool", "Byte", "Char", "Short", "Int", "Long",
           "Half", "BFloat16", "Float", "Double", "ComplexFloat", "ComplexDouble")

cdef list _dtype_list = []
cdef int _i
for _i in range(12):
    _d = dtype.__new__(dtype)
    (<dtype>_d).code = _i
    (<dtype>_d).itemsize = _SIZES[_i]
    (<dtype>_d)._name = _NAMES[_i]
    (<dtype>_d).is_floating_point = CT_FLOAT16 <= _i <= CT_FLOAT64
    (<dtype>_d).is_complex = _i >= CT_COMPLEX64
    (<dtype>_d).is_signed = _i != CT_BOOL and _i != CT_UINT8
    _dtype_list.append(_d)

cdef tuple DTYPES = tuple(_dtype_list)
ALL_DTYPES = DTYPES

cdef dtype dtype_of(int code):
    return <dtype>DTYPES[code]

def _dtype_from_name(name):
    return DTYPES[_NAMES.index(name)]

def pretty_name(int code):
    """PyTorch's C++ name of a dtype ('Float', 'Long'), used in error messages."""
    return _PRETTY[code]

cdef int _category(int dt) noexcept nogil:
    if dt == CT_BOOL:
        return 0
    if dt <= CT_INT64:
        return 1
    if dt <= CT_FLOAT64:
        return 2
    return 3

cdef int _to_complex(int dt) noexcept nogil:
    if dt == CT_FLOAT64 or dt == CT_COMPLEX128:
        return CT_COMPLEX128
    return CT_COMPLEX64

cdef int _to_real(int dt) noexcept nogil:
    if dt == CT_COMPLEX64:
        return CT_FLOAT32
    if dt == CT_COMPLEX128:
        return CT_FLOAT64
    return dt

cdef int _default_dtype = CT_FLOAT32

cdef int _default_float():
    return _default_dtype

def get_default_dtype():
    """The dtype of floating point tensors made from Python floats (float32 unless changed)."""
    return DTYPES[_default_dtype]

def set_default_dtype(dtype d):
    """Set the default floating point dtype (float32 or float64, like PyTorch; float16/bfloat16 too)."""
    global _default_dtype
    if not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {d!r}")
    _default_dtype = d.code

cdef int _promote(int a, int b):
    """The smallest dtype both a and b convert to without losing category (promote_types)."""
    cdef int ca, cb, other
    if a < 0:
        return b
    if b < 0 or a == b:
        return a
    if a == CT_BOOL:
        return b
    if b == CT_BOOL:
        return a
    ca = _category(a)
    cb = _category(b)
    if ca == 3 or cb == 3:
        if a == CT_FLOAT64 or b == CT_FLOAT64 or a == CT_COMPLEX128 or b == CT_COMPLEX128:
            return CT_COMPLEX128
        return CT_COMPLEX64
    if ca == 2 and cb == 2:
        if (a == CT_FLOAT16 and b == CT_BFLOAT16) or (a == CT_BFLOAT16 and b == CT_FLOAT16):
            return CT_FLOAT32
        return a if a > b else b
    if ca == 2:
        return a
    if cb == 2:
        return b
    if a == CT_UINT8 or b == CT_UINT8:
        other = b if a == CT_UINT8 else a
        return CT_INT16 if other == CT_INT8 else other
    return a if a > b else b

cdef int _combine(int higher, int lower):
    # A lower-priority group (0-d tensors, then Python scalars) only matters
    # when it belongs to a higher category than what is already there.
    if higher < 0:
        return lower
    if lower < 0:
        return higher
    if _category(higher) == 3:
        return higher
    if _category(lower) == 3:
        return _to_complex(higher) if _category(higher) == 2 else lower
    if _category(higher) == 2:
        return higher
    if higher == CT_BOOL or _category(lower) == 2:
        return _promote(higher, lower)
    return higher

cdef int _scalar_dtype(object x) except -1:
    if isinstance(x, bool):
        return CT_BOOL
    if isinstance(x, int):
        return CT_INT64
    if isinstance(x, float):
        return _default_dtype
    if isinstance(x, complex):
        return CT_COMPLEX128 if _default_dtype == CT_FLOAT64 else CT_COMPLEX64
    if hasattr(x, "__index__"):
        return CT_INT64
    if hasattr(x, "__float__"):
        return _default_dtype
    raise TypeError(f"expected a Tensor or a Python number, got {type(x).__name__}")

cdef int _result_type2(object a, object b) except -1:
    cdef int dim_r = -1, zero_r = -1, wrap_r = -1
    cdef TensorBase t
    for x in (a, b):
        if isinstance(x, TensorBase):
            t = <TensorBase>x
            if t._ndim > 0:
                dim_r = _promote(dim_r, t._dtype)
            else:
                zero_r = _promote(zero_r, t._dtype)
        else:
            wrap_r = _promote(wrap_r, _scalar_dtype(x))
    return _combine(dim_r, _combine(zero_r, wrap_r))

def result_type(a, b):
    """dtype of ``a op b`` under PyTorch's promotion rules (Python scalars are 'weak')."""
    return DTYPES[_result_type2(a, b)]

def promote_types(dtype a, dtype b):
    return DTYPES[_promote(a.code, b.code)]

def can_cast(dtype from_, dtype to):
    """Whether an in-place op may write a result of dtype ``from_`` into ``to``."""
    return _can_cast(from_.code, to.code)

cdef bint _can_cast(int f, int t):
    return _category(f) <= _category(t)

# ---------------------------------------------------------------- storage

@cython.freelist(64)
@cython.no_gc_clear
cdef class Storage:
    """A flat block of bytes shared by a tensor and all of its views.

    ``_owned`` says whether ptr came from our allocator; foreign memory (a
    NumPy array, a DLPack producer) is kept alive by ``owner`` instead. The
    flag, not ``owner is None``, decides the free, and no_gc_clear keeps the
    cyclic GC from dropping ``owner`` before the memory is released.
    """

    def __dealloc__(self):
        if self._owned and self.ptr != NULL:
            ct_free(self.ptr, <size_t>self.nbytes)

    def nbytes_(self):
        return self.nbytes

    def data_ptr(self):
        return <uintptr_t>self.ptr

    def size(self):
        return self.nbytes

cdef Storage _new_storage(Py_ssize_t nbytes):
    cdef Storage s = Storage.__new__(Storage)
    s.ptr = <char *>ct_alloc(<size_t>nbytes)
    if s.ptr == NULL:
        raise MemoryError(f"cytorch: could not allocate {nbytes} bytes")
    s.nbytes = nbytes
    s.owner = None
    s._owned = True
    return s

def _storage_from_buffer(object owner, uintptr_t ptr, Py_ssize_t nbytes):
    """A Storage over foreign memory kept alive by ``owner`` (zero-copy interop)."""
    cdef Storage s = Storage.__new__(Storage)
    s.ptr = <char *>ptr
    s.nbytes = nbytes
    s.owner = owner
    s._owned = False
    return s

# ---------------------------------------------------------------- tensor type

cdef object _TensorType = None   # the Python subclass cytorch.Tensor, registered at import

def _register_tensor_type(cls):
    global _TensorType
    _TensorType = cls

cdef object _new_tensor_type():
    return _TensorType

cdef int64_t _numel_of(int ndim, const int64_t *shape):
    cdef int64_t n = 1
    cdef int d
    for d in range(ndim):
        n *= shape[d]
    return n

cdef TensorBase _alloc_header(object cls=None):
    if cls is None:
        cls = _TensorType
    return TensorBase.__new__(cls)

cdef TensorBase _empty(int dt, int ndim, const int64_t *shape):
    cdef TensorBase t = TensorBase.__new__(_TensorType)
    cdef int d
    cdef int64_t n = 1, s = 1
    t._dtype = dt
    t._ndim = ndim
    for d in range(ndim - 1, -1, -1):
        t._shape[d] = shape[d]
        t._stride[d] = s
        if shape[d] > 1 and s > (<int64_t>0x7fffffffffffffff) // shape[d] // 16:
            raise RuntimeError(f"Storage size calculation overflowed with sizes={[shape[k] for k in range(ndim)]}")
        if shape[d] < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {shape[d]}: "
                               f"{[shape[k] for k in range(ndim)]}")
        s *= shape[d] if shape[d] > 0 else 1
        n *= shape[d]
    t._numel = n
    t._storage = _new_storage(<Py_ssize_t>(n * _SIZES_C[dt]))
    t._data = t._storage.ptr
    t._offset = 0
    return t

cdef int64_t _SIZES_C[12]
for _i in range(12):
    _SIZES_C[_i] = _SIZES[_i]

cdef TensorBase _empty_like_shape(TensorBase like, int dt):
    return _empty(dt, like._ndim, like._shape)

cdef TensorBase _make_view(TensorBase base, int ndim, const int64_t *shape, const int64_t *stride, int64_t offset):
    cdef TensorBase t = TensorBase.__new__(_TensorType)
    cdef int d
    t._dtype = base._dtype
    t._ndim = ndim
    t._numel = 1
    for d in range(ndim):
        t._shape[d] = shape[d]
        t._stride[d] = stride[d]
        t._numel *= shape[d]
    t._storage = base._storage
    t._offset = offset
    t._data = base._storage.ptr + offset * _SIZES_C[base._dtype]
    t._vbase = base._vbase if base._vbase is not None else base
    return t

cdef void _copy_header(TensorBase dst, TensorBase src):
    """Make dst describe exactly src's memory: storage, dtype and layout (not autograd state)."""
    dst._storage = src._storage
    dst._data = src._data
    dst._offset = src._offset
    dst._dtype = src._dtype
    dst._ndim = src._ndim
    dst._numel = src._numel
    memcpy(dst._shape, src._shape, sizeof(src._shape))
    memcpy(dst._stride, src._stride, sizeof(src._stride))
    dst._vbase = None


cdef bint _is_contiguous(TensorBase t):
    cdef int64_t expected = 1
    cdef int d
    for d in range(t._ndim - 1, -1, -1):
        if t._shape[d] != 1:
            if t._stride[d] != expected:
                return t._numel == 0
            expected *= t._shape[d]
    return True

cdef int _check_err(int err, str op) except -1:
    if err == CT_OK:
        return 0
    if err == CT_ERR_DIMS:
        raise RuntimeError(f"{op}: tensors with more than {CT_MAX_DIMS} dimensions are not supported")
    if err == CT_ERR_NOMEM:
        raise MemoryError(f"{op}: out of memory")
    if err == CT_ERR_INDEX:
        raise IndexError(f"{op}: index out of range")
    raise RuntimeError(f"{op}: kernel error {err}")

cdef int _copy_into(TensorBase dst, TensorBase src) except -1:
    """dst[...] = src, src broadcast to dst's shape, converting dtype."""
    cdef int64_t strides[2 * 16]
    cdef char *ptrs[2]
    cdef int nd = dst._ndim, d, sd
    cdef int64_t isz_d = _SIZES_C[dst._dtype], isz_s = _SIZES_C[src._dtype]
    cdef int err
    if src._ndim > nd:
        raise RuntimeError(f"copy_: source of shape {list(src.shape)} can't be broadcast to {list(dst.shape)}")
    for d in range(nd):
        strides[d] = dst._stride[d] * isz_d
        sd = d - (nd - src._ndim)
        if sd < 0:
            strides[nd + d] = 0
        elif src._shape[sd] == dst._shape[d]:
            strides[nd + d] = src._stride[sd] * isz_s
        elif src._shape[sd] == 1:
            strides[nd + d] = 0
        else:
            raise RuntimeError(
                f"The size of tensor a ({dst._shape[d]}) must match the size of tensor b "
                f"({src._shape[sd]}) at non-singleton dimension {d}")
    if _overlaps(dst, src) and not _same_layout(dst, src):
        src = _clone(src)
        return _copy_into(dst, src)
    ptrs[0] = dst._data
    ptrs[1] = src._data
    cdef ct_loop_fn fn = ct_cast_table[src._dtype][dst._dtype]
    with nogil:
        err = ct_iterate(fn, 2, ptrs, nd, dst._shape, strides, NULL)
    return _check_err(err, "copy_")

cdef bint _overlaps(TensorBase a, TensorBase b):
    return a._storage is b._storage

cdef bint _same_layout(TensorBase a, TensorBase b):
    cdef int d
    if a._data != b._data or a._ndim != b._ndim or a._dtype != b._dtype:
        return False
    for d in range(a._ndim):
        if a._shape[d] != b._shape[d] or (a._stride[d] != b._stride[d] and a._shape[d] != 1):
            return False
    return True

cdef TensorBase _clone(TensorBase t):
    cdef TensorBase r = _empty(t._dtype, t._ndim, t._shape)
    cdef int64_t strides[2 * 16]
    cdef char *ptrs[2]
    cdef int d, err, nd = t._ndim
    cdef int64_t isz = _SIZES_C[t._dtype]
    for d in range(nd):
        strides[d] = r._stride[d] * isz
        strides[nd + d] = t._stride[d] * isz
    ptrs[0] = r._data
    ptrs[1] = t._data
    cdef ct_loop_fn fn = ct_cast_table[t._dtype][t._dtype]
    if t._numel > 0:
        with nogil:
            err = ct_iterate(fn, 2, ptrs, nd, t._shape, strides, NULL)
        _check_err(err, "clone")
    return r

cdef TensorBase _contiguous(TensorBase t):
    if _is_contiguous(t):
        return t
    return _clone(t)

cdef TensorBase _cast(TensorBase t, int dt):
    if t._dtype == dt:
        return t
    cdef TensorBase r = _empty(dt, t._ndim, t._shape)
    _copy_into(r, t)
    return r

cdef int _wrap_dim(int64_t d, int ndim, str op) except -100:
    cdef int n = ndim if ndim > 0 else 1
    if d < -n or d >= n:
        raise IndexError(f"{op}: Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {d})")
    if d < 0:
        d += n
    return <int>d

# ---------------------------------------------------------------- scalars

cdef int _store_scalar(char *buf, int dt, object x) except -1:
    """Write Python number x into buf as one element of dtype dt."""
    cdef double complex z
    cdef double v
    if dt == CT_BOOL:
        (<uint8_t *>buf)[0] = 1 if x else 0
    elif dt <= CT_INT64:
        if isinstance(x, float):
            if x != x or x in (math.inf, -math.inf):
                raise RuntimeError(f"value cannot be converted to type {_NAMES[dt]} without overflow")
            x = int(x)
        elif isinstance(x, complex):
            x = int(x.real)
        x = int(x)
        if dt == CT_UINT8:
            (<uint8_t *>buf)[0] = <uint8_t>(x & 0xff)
        elif dt == CT_INT8:
            (<int8_t *>buf)[0] = <int8_t>(((x + 128) & 0xff) - 128)
        elif dt == CT_INT16:
            (<int16_t *>buf)[0] = <int16_t>(((x + 32768) & 0xffff) - 32768)
        elif dt == CT_INT32:
            (<int32_t *>buf)[0] = <int32_t>(((x + 2147483648) & 0xffffffff) - 2147483648)
        else:
            if x >= 2 ** 63 or x < -(2 ** 63):
                raise RuntimeError(f"value cannot be converted to type int64 without overflow")
            (<int64_t *>buf)[0] = <int64_t>x
    elif dt <= CT_FLOAT64:
        v = <double>(x.real if isinstance(x, complex) else float(x))
        if dt == CT_FLOAT16:
            (<uint16_t *>buf)[0] = ct_float_to_half(<float>v)
        elif dt == CT_BFLOAT16:
            (<uint16_t *>buf)[0] = ct_float_to_bf16(<float>v)
        elif dt == CT_FLOAT32:
            (<float *>buf)[0] = <float>v
        else:
            (<double *>buf)[0] = v
    else:
        z = complex(x)
        if dt == CT_COMPLEX64:
            (<float *>buf)[0] = <float>z.real
            (<float *>buf)[1] = <float>z.imag
        else:
            (<double *>buf)[0] = z.real
            (<double *>buf)[1] = z.imag
    return 0

cdef object _load_scalar(const char *p, int dt):
    if dt == CT_BOOL:
        return (<uint8_t *>p)[0] != 0
    if dt == CT_UINT8:
        return (<uint8_t *>p)[0]
    if dt == CT_INT8:
        return (<int8_t *>p)[0]
    if dt == CT_INT16:
        return (<int16_t *>p)[0]
    if dt == CT_INT32:
        return (<int32_t *>p)[0]
    if dt == CT_INT64:
        return (<int64_t *>p)[0]
    if dt == CT_FLOAT16:
        return <double>ct_half_to_float((<uint16_t *>p)[0])
    if dt == CT_BFLOAT16:
        return <double>ct_bf16_to_float((<uint16_t *>p)[0])
    if dt == CT_FLOAT32:
        return <double>(<float *>p)[0]
    if dt == CT_FLOAT64:
        return (<double *>p)[0]
    if dt == CT_COMPLEX64:
        return complex((<float *>p)[0], (<float *>p)[1])
    return complex((<double *>p)[0], (<double *>p)[1])

def _scalar_tensor(object x, dtype dt=None):
    """A 0-d tensor holding Python number x."""
    cdef int code = _scalar_dtype(x) if dt is None else dt.code
    cdef TensorBase t = _empty(code, 0, NULL)
    _store_scalar(t._data, code, x)
    return t

cdef TensorBase _as_tensor(object x, int dt):
    """x as a tensor of dtype dt (dt < 0: keep a tensor's dtype / infer a scalar's)."""
    cdef TensorBase t
    if isinstance(x, TensorBase):
        t = <TensorBase>x
        return t if dt < 0 else _cast(t, dt)
    if dt < 0:
        dt = _scalar_dtype(x)
    t = _empty(dt, 0, NULL)
    _store_scalar(t._data, dt, x)
    return t

# ---------------------------------------------------------------- broadcasting

cdef int _broadcast_shapes(int na, const int64_t *sa, int nb, const int64_t *sb, int64_t *out) except -1:
    cdef int n = na if na > nb else nb
    cdef int d, ia, ib
    cdef int64_t x, y
    for d in range(n):
        ia = d - (n - na)
        ib = d - (n - nb)
        x = sa[ia] if ia >= 0 else 1
        y = sb[ib] if ib >= 0 else 1
        if x == y or y == 1:
            out[d] = x
        elif x == 1:
            out[d] = y
        else:
            raise RuntimeError(
                f"The size of tensor a ({x}) must match the size of tensor b ({y}) at non-singleton dimension {d}")
    return n

cdef inline void _bstrides(TensorBase t, int nd, const int64_t *shape, int64_t *out) noexcept:
    """Byte strides of t broadcast (right-aligned, stride 0 where expanded) to shape."""
    cdef int d, sd
    cdef int64_t isz = _SIZES_C[t._dtype]
    for d in range(nd):
        sd = d - (nd - t._ndim)
        if sd < 0 or t._shape[sd] != shape[d]:
            out[d] = 0
        else:
            out[d] = t._stride[sd] * isz

# ---------------------------------------------------------------- elementwise dispatch

DEF K_ARITH = 0    # result dtype = promoted dtype
DEF K_FLOAT = 1    # integer/bool inputs computed in the default float dtype
DEF K_CMP = 2      # computed in the promoted dtype, result is bool

cdef int BIN_KIND[64]
cdef list BIN_NAMES = [
    "add", "sub", "mul", "div", "floor_divide", "remainder", "fmod", "pow", "maximum", "minimum",
    "fmax", "fmin", "atan2", "hypot", "copysign", "nextafter", "eq", "ne", "lt", "le", "gt", "ge",
    "logical_and", "logical_or", "logical_xor", "bitwise_and", "bitwise_or", "bitwise_xor",
    "bitwise_left_shift", "bitwise_right_shift", "xlogy", "logaddexp", "heaviside"]
assert len(BIN_NAMES) == CT_NBINARY
for _i in range(CT_NBINARY):
    BIN_KIND[_i] = K_ARITH
for _op in (CT_OP_DIV, CT_OP_ATAN2, CT_OP_HYPOT, CT_OP_COPYSIGN, CT_OP_XLOGY, CT_OP_LOGADDEXP):
    BIN_KIND[_op] = K_FLOAT
for _op in (CT_OP_EQ, CT_OP_NE, CT_OP_LT, CT_OP_LE, CT_OP_GT, CT_OP_GE,
            CT_OP_LOGICAL_AND, CT_OP_LOGICAL_OR, CT_OP_LOGICAL_XOR):
    BIN_KIND[_op] = K_CMP

BINARY_OPS = {name: i for i, name in enumerate(BIN_NAMES)}

cdef int _binary_dtypes(int op, object a, object b, int *compute, int *result) except -1:
    cdef int rt = _result_type2(a, b)
    cdef int kind = BIN_KIND[op]
    if kind == K_FLOAT and rt <= CT_INT64:
        rt = _default_dtype
    result[0] = CT_BOOL if kind == K_CMP else rt
    compute[0] = CT_FLOAT32 if (rt == CT_FLOAT16 or rt == CT_BFLOAT16) else rt
    if ct_binary_table[op][compute[0]] == NULL:
        if op == CT_OP_SUB and rt == CT_BOOL:
            raise RuntimeError(
                "Subtraction, the `-` operator, with two bool tensors is not supported. "
                "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.")
        raise RuntimeError(f'"{BIN_NAMES[op]}" not implemented for \'{_PRETTY[rt]}\'')
    return 0

cdef int _binary_into(int op, TensorBase res, object a, object b, int compute) except -1:
    """res = a op b, where res already has the broadcast shape and the kernel's output dtype."""
    cdef TensorBase ta = None, tb = None
    cdef char abuf[16]
    cdef char bbuf[16]
    cdef int64_t strides[3 * 16]
    cdef char *ptrs[3]
    cdef int nd = res._ndim, err, d
    cdef int64_t risz = _SIZES_C[res._dtype]
    cdef ct_loop_fn fn = ct_binary_table[op][compute]
    if isinstance(a, TensorBase):
        ta = <TensorBase>a
        if ta._dtype != compute:
            ta = _cast(ta, compute)
        _bstrides(ta, nd, res._shape, strides + nd)
        ptrs[1] = ta._data
    else:
        _store_scalar(abuf, compute, a)
        memset(strides + nd, 0, nd * sizeof(int64_t))
        ptrs[1] = abuf
    if isinstance(b, TensorBase):
        tb = <TensorBase>b
        if tb._dtype != compute:
            tb = _cast(tb, compute)
        _bstrides(tb, nd, res._shape, strides + 2 * nd)
        ptrs[2] = tb._data
    else:
        _store_scalar(bbuf, compute, b)
        memset(strides + 2 * nd, 0, nd * sizeof(int64_t))
        ptrs[2] = bbuf
    for d in range(nd):
        strides[d] = res._stride[d] * risz
    ptrs[0] = res._data
    cdef int flags
    if compute <= CT_INT64:
        ct_take_int_flags()
    with nogil:
        err = ct_iterate(fn, 3, ptrs, nd, res._shape, strides, NULL)
    _check_err(err, BIN_NAMES[op])
    if compute <= CT_INT64:
        flags = ct_take_int_flags()
        if flags & 1:
            raise IntegerDivisionByZero("ZeroDivisionError")
        if flags & 2 and tb is None:
            # like PyTorch: only a Python-scalar exponent is rejected; tensor exponents give 0
            raise RuntimeError("Integers to negative integer powers are not allowed.")
    return 0


class IntegerDivisionByZero(RuntimeError, ZeroDivisionError):
    """Integer division or remainder by zero (PyTorch raises RuntimeError('ZeroDivisionError'))."""


cdef object binary_op(int op, object a, object b, object out):
    """a op b with promotion and broadcasting; writes into ``out`` when given."""
    cdef int compute, result, nd
    cdef int64_t shape[16]
    cdef TensorBase ta = None, tb = None, res, o
    _binary_dtypes(op, a, b, &compute, &result)
    if isinstance(a, TensorBase):
        ta = <TensorBase>a
        if isinstance(b, TensorBase):
            tb = <TensorBase>b
            nd = _broadcast_shapes(ta._ndim, ta._shape, tb._ndim, tb._shape, shape)
        else:
            nd = ta._ndim
            memcpy(shape, ta._shape, nd * sizeof(int64_t))
    elif isinstance(b, TensorBase):
        tb = <TensorBase>b
        nd = tb._ndim
        memcpy(shape, tb._shape, nd * sizeof(int64_t))
    else:
        raise TypeError(f"{BIN_NAMES[op]}: expected at least one Tensor argument")
    cdef int kdt = CT_BOOL if BIN_KIND[op] == K_CMP else compute
    cdef bint grad = ct_grad_on and ((ta is not None and ta._requires_grad) or (tb is not None and tb._requires_grad))
    if out is not None:
        if grad:
            raise RuntimeError(f"{BIN_NAMES[op]}(): functions with out=... arguments don't support automatic "
                               "differentiation, but one of the arguments requires grad.")
        o = _check_out(out, nd, shape, result, BIN_NAMES[op])
        if o._dtype == kdt and not _aliases_input(o, a) and not _aliases_input(o, b):
            _binary_into(op, o, a, b, compute)
            return o
    res = _empty(kdt, nd, shape)
    _binary_into(op, res, a, b, compute)
    if kdt != result:
        res = _cast(res, result)
    if out is not None:
        _copy_into(<TensorBase>out, res)
        return out
    if grad and _ag_binary != NULL:
        return _ag_binary(op, a, b, res)
    return res

cdef bint _aliases_input(TensorBase o, object x):
    return isinstance(x, TensorBase) and (<TensorBase>x)._storage is o._storage and not _same_layout(o, <TensorBase>x)

cdef TensorBase _check_out(object out, int nd, const int64_t *shape, int result, str op):
    cdef TensorBase o
    cdef int d
    if not isinstance(out, TensorBase):
        raise TypeError(f"{op}(): argument 'out' must be Tensor, not {type(out).__name__}")
    o = <TensorBase>out
    if not _can_cast(result, o._dtype):
        raise RuntimeError(f"result type {_PRETTY[result]} can't be cast to the desired output type {_PRETTY[o._dtype]}")
    if o._ndim == nd:
        for d in range(nd):
            if o._shape[d] != shape[d]:
                break
        else:
            return o
    if o._numel != 0:
        raise RuntimeError(f"{op}: output with shape {list(o.shape)} doesn't match the broadcast shape "
                           f"{[shape[d] for d in range(nd)]}")
    _resize_empty(o, nd, shape)
    return o

cdef void _resize_empty(TensorBase o, int nd, const int64_t *shape):
    cdef TensorBase fresh = _empty(o._dtype, nd, shape)
    cdef int d
    o._storage = fresh._storage
    o._data = fresh._data
    o._offset = 0
    o._ndim = nd
    o._numel = fresh._numel
    for d in range(nd):
        o._shape[d] = fresh._shape[d]
        o._stride[d] = fresh._stride[d]

cdef object binary_inplace(int op, TensorBase a, object b):
    """a op= b: the result must broadcast to a's shape and cast to a's dtype."""
    cdef int compute, result, nd
    cdef int64_t shape[16]
    cdef TensorBase tb, res
    cdef int d
    if ct_grad_on and (a._requires_grad or _needs_grad(b)) and _ag_binary != NULL:
        _check_inplace_grad(a)
        return _rebase_inplace(a, binary_op(op, _graph_snapshot(a), b, None), BIN_NAMES[op])
    _binary_dtypes(op, a, b, &compute, &result)
    if not _can_cast(result, a._dtype):
        raise RuntimeError(f"result type {_PRETTY[result]} can't be cast to the desired output type {_PRETTY[a._dtype]}")
    if isinstance(b, TensorBase):
        tb = <TensorBase>b
        nd = _broadcast_shapes(a._ndim, a._shape, tb._ndim, tb._shape, shape)
        if nd != a._ndim or any(shape[d] != a._shape[d] for d in range(nd)):
            raise RuntimeError(f"output with shape {list(a.shape)} doesn't match the broadcast shape "
                               f"{[shape[d] for d in range(nd)]}")
        if tb._storage is a._storage and not _same_layout(a, tb):
            b = _clone(tb)
    cdef int kdt = CT_BOOL if BIN_KIND[op] == K_CMP else compute
    if kdt == a._dtype:
        _binary_into(op, a, a, b, compute)
    else:
        res = _empty(kdt, a._ndim, a._shape)
        _binary_into(op, res, a, b, compute)
        _copy_into(a, res)
    a._storage._version += 1
    return a

cdef int UN_KIND[64]
DEF U_SAME = 0      # result dtype = input dtype
DEF U_FLOAT = 1     # integer/bool inputs computed in the default float dtype
DEF U_BOOL = 2      # result is bool
DEF U_REAL = 3      # complex inputs give their real dtype (abs, angle, real, imag)

cdef list UN_NAMES = [
    "neg", "abs", "sign", "sgn", "exp", "log", "sqrt", "sin", "cos", "tan", "asin", "acos", "atan",
    "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "exp2", "expm1", "log2", "log10", "log1p",
    "erf", "erfc", "lgamma", "floor", "ceil", "trunc", "round", "frac", "rsqrt", "reciprocal",
    "square", "sigmoid", "erfinv", "digamma", "relu", "bitwise_not", "logical_not", "isnan", "isinf",
    "isfinite", "signbit", "conj", "angle", "real", "imag", "copy"]
assert len(UN_NAMES) == CT_NUNARY
UNARY_OPS = {name: i for i, name in enumerate(UN_NAMES)}
for _i in range(CT_NUNARY):
    UN_KIND[_i] = U_FLOAT
for _op in (CT_OP_NEG, CT_OP_SIGN, CT_OP_SGN, CT_OP_SQUARE, CT_OP_RELU, CT_OP_BITWISE_NOT,
            CT_OP_CONJ, CT_OP_COPY, CT_OP_FLOOR, CT_OP_CEIL, CT_OP_TRUNC, CT_OP_ROUND, CT_OP_FRAC):
    UN_KIND[_op] = U_SAME
for _op in (CT_OP_LOGICAL_NOT, CT_OP_ISNAN, CT_OP_ISINF, CT_OP_ISFINITE, CT_OP_SIGNBIT):
    UN_KIND[_op] = U_BOOL
for _op in (CT_OP_ABS, CT_OP_ANGLE, CT_OP_REAL, CT_OP_IMAG):
    UN_KIND[_op] = U_REAL

cdef object unary_op(int op, TensorBase a, object out):
    """out = f(a) elementwise, with PyTorch's dtype rule for f."""
    cdef int kind = UN_KIND[op]
    cdef int rt = a._dtype, compute, kdt
    cdef TensorBase src = a, res
    cdef int64_t strides[2 * 16]
    cdef char *ptrs[2]
    cdef int d, nd = a._ndim, err
    if kind == U_FLOAT and rt <= CT_INT64:
        rt = _default_dtype
    if op == CT_OP_ANGLE and rt <= CT_INT64:
        rt = _default_dtype
    if kind == U_BOOL and rt <= CT_INT64 and op != CT_OP_LOGICAL_NOT:
        rt = _default_dtype   # isnan(int) etc: ints are finite, computed exactly as float
    compute = CT_FLOAT32 if (rt == CT_FLOAT16 or rt == CT_BFLOAT16) else rt
    if ct_unary_table[op][compute] == NULL:
        raise RuntimeError(f'"{UN_NAMES[op]}" not implemented for \'{_PRETTY[a._dtype]}\'')
    if kind == U_BOOL:
        kdt = CT_BOOL
        result = CT_BOOL
    elif kind == U_REAL:
        kdt = _to_real(compute)
        result = _to_real(rt)
    else:
        kdt = compute
        result = rt
    if src._dtype != compute:
        src = _cast(src, compute)
    if out is not None:
        if ct_grad_on and a._requires_grad:
            raise RuntimeError(f"{UN_NAMES[op]}(): functions with out=... arguments don't support automatic "
                               "differentiation, but one of the arguments requires grad.")
        res = _check_out(out, nd, a._shape, result, UN_NAMES[op])
        if res._dtype != kdt or (res._storage is src._storage and not _same_layout(res, src)):
            res = _empty(kdt, nd, a._shape)
    else:
        res = _empty(kdt, nd, a._shape)
    for d in range(nd):
        strides[d] = res._stride[d] * _SIZES_C[kdt]
        strides[nd + d] = src._stride[d] * _SIZES_C[compute]
    ptrs[0] = res._data
    ptrs[1] = src._data
    cdef ct_loop_fn fn = ct_unary_table[op][compute]
    with nogil:
        err = ct_iterate(fn, 2, ptrs, nd, a._shape, strides, NULL)
    _check_err(err, UN_NAMES[op])
    if out is not None:
        if res is not out:
            _copy_into(<TensorBase>out, res)
        (<TensorBase>out)._storage._version += 1
        return out
    if kdt != result:
        res = _cast(res, result)
    if ct_grad_on and a._requires_grad and _ag_unary != NULL:
        return _ag_unary(op, a, res)
    return res

def _binary(int op, a, b, out=None):
    """Python entry to the binary dispatcher (op codes in BINARY_OPS)."""
    return binary_op(op, a, b, out)

def _binary_(int op, TensorBase a, b):
    return binary_inplace(op, a, b)

def _unary(int op, TensorBase a, out=None):
    return unary_op(op, a, out)

def _unary_(int op, TensorBase a):
    """In-place f(a); the result dtype must be castable back to a's dtype."""
    cdef int kind = UN_KIND[op]
    if kind == U_BOOL or (kind == U_FLOAT and a._dtype <= CT_INT64) or (kind == U_REAL and a._dtype >= CT_COMPLEX64):
        rt = CT_BOOL if kind == U_BOOL else (_default_dtype if a._dtype <= CT_INT64 else _to_real(a._dtype))
        if not _can_cast(rt, a._dtype) or (kind == U_REAL and a._dtype >= CT_COMPLEX64):
            raise RuntimeError(f"result type {_PRETTY[rt]} can't be cast to the desired output type {_PRETTY[a._dtype]}")
    if ct_grad_on and a._requires_grad and _ag_unary != NULL:
        _check_inplace_grad(a)
        return _rebase_inplace(a, unary_op(op, _graph_snapshot(a), None), UN_NAMES[op])
    return unary_op(op, a, a)

# ---------------------------------------------------------------- view helpers

cdef int _view_strides(TensorBase t, int nd, const int64_t *shape, int64_t *out) except -1:
    """Strides that let shape view t's memory without a copy; returns 0 if impossible."""
    cdef int oi = t._ndim - 1, ni = nd - 1, d
    cdef int64_t chunk_base_stride, tensor_numel, view_numel
    if t._numel == 0 or t._ndim == 0:
        # any contiguous layout works for empty/0-d tensors
        s = 1
        for d in range(nd - 1, -1, -1):
            out[d] = s
            s *= shape[d] if shape[d] > 0 else 1
        return 1
    # Walk t's dims from the innermost, grouping dims that are contiguous with
    # each other into chunks; each chunk must be covered exactly by new dims.
    view_d = nd - 1
    chunk_base_stride = t._stride[t._ndim - 1]
    tensor_numel = 1
    view_numel = 1
    for d in range(t._ndim - 1, -1, -1):
        tensor_numel *= t._shape[d]
        if d == 0 or (t._shape[d - 1] != 1 and t._stride[d - 1] != tensor_numel * chunk_base_stride):
            while view_d >= 0 and (view_numel < tensor_numel or shape[view_d] == 1):
                out[view_d] = view_numel * chunk_base_stride
                view_numel *= shape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return 0
            if d > 0:
                chunk_base_stride = t._stride[d - 1]
                tensor_numel = 1
                view_numel = 1
    if view_d != -1:
        return 0
    return 1

cdef int _parse_shape(object shape_args, int64_t numel, int64_t *out, str op) except -1:
    """Shape from view(*args) / view(tuple), resolving one -1."""
    if len(shape_args) == 1 and not isinstance(shape_args[0], int) and not hasattr(shape_args[0], "__index__"):
        shape_args = tuple(shape_args[0])
    cdef int nd = len(shape_args), d, infer = -1
    cdef int64_t known = 1, s
    if nd > 16:
        raise RuntimeError(f"{op}: at most 16 dimensions are supported, got {nd}")
    for d in range(nd):
        s = shape_args[d].__index__() if not isinstance(shape_args[d], int) else shape_args[d]
        if s == -1:
            if infer >= 0:
                raise RuntimeError("only one dimension can be inferred")
            infer = d
            out[d] = 1
        elif s < 0:
            raise RuntimeError(f"invalid shape dimension {s}")
        else:
            out[d] = s
            known *= s
    if infer >= 0:
        if known == 0 or numel % known != 0:
            raise RuntimeError(f"shape '{list(shape_args)}' is invalid for input of size {numel}")
        out[infer] = numel // known
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape_args)}' is invalid for input of size {numel}")
    return nd

# ---------------------------------------------------------------- TensorBase

cdef class TensorBase:
    """The strided tensor. Use ``cytorch.Tensor`` (its Python subclass)."""

    # -------- metadata
    @property
    def shape(self):
        return _Size(tuple([self._shape[d] for d in range(self._ndim)]))

    @property
    def dtype(self):
        return DTYPES[self._dtype]

    @property
    def ndim(self):
        return self._ndim

    @property
    def _version(self):
        return self._storage._version

    def _bump_version(self):
        self._storage._version += 1

    def dim(self):
        return self._ndim

    def ndimension(self):
        return self._ndim

    def numel(self):
        return self._numel

    def nelement(self):
        return self._numel

    def element_size(self):
        return _SIZES_C[self._dtype]

    @property
    def itemsize(self):
        return _SIZES_C[self._dtype]

    @property
    def nbytes(self):
        return self._numel * _SIZES_C[self._dtype]

    def size(self, dim=None):
        if dim is None:
            return self.shape
        return self._shape[_wrap_dim(dim, self._ndim, "size")] if self._ndim > 0 else _zero_dim_err("size")

    def stride(self, dim=None):
        if dim is None:
            return tuple([self._stride[d] for d in range(self._ndim)])
        return self._stride[_wrap_dim(dim, self._ndim, "stride")] if self._ndim > 0 else _zero_dim_err("stride")

    def storage_offset(self):
        return self._offset

    def data_ptr(self):
        return <uintptr_t>self._data

    def untyped_storage(self):
        return self._storage

    def is_contiguous(self, memory_format=None):
        return _is_contiguous(self)

    def is_floating_point(self):
        return CT_FLOAT16 <= self._dtype <= CT_FLOAT64

    def is_complex(self):
        return self._dtype >= CT_COMPLEX64

    def is_signed(self):
        return self._dtype != CT_BOOL and self._dtype != CT_UINT8

    def _is_view_of(self, TensorBase other):
        return self._storage is other._storage

    # -------- autograd state (the engine lives in _autograd.pyx)
    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad=True):
        cdef bint v = requires_grad
        if self._grad_fn is not None:
            if not v:
                raise RuntimeError("you can only change requires_grad flags of leaf variables. If you want to use a "
                                   "computed variable in a subgraph that doesn't require differentiation use "
                                   "var_no_grad = var.detach().")
            return self
        if v and self._dtype < CT_FLOAT16:
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self._requires_grad = v
        return self

    @property
    def grad_fn(self):
        return self._grad_fn

    @property
    def is_leaf(self):
        return self._grad_fn is None

    @property
    def output_nr(self):
        return self._output_nr

    @property
    def retains_grad(self):
        return self._retains_grad

    @property
    def grad(self):
        return self._grad

    @grad.setter
    def grad(self, value):
        cdef TensorBase g
        if value is not None:
            if not isinstance(value, TensorBase):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type {type(value).__name__}")
            g = <TensorBase>value
            if g._ndim != self._ndim or any(g._shape[d] != self._shape[d] for d in range(self._ndim)):
                raise RuntimeError(f"attempting to assign a gradient of size '{list(g.shape)}' to a tensor of size "
                                   f"'{list(self.shape)}'. Please ensure that the gradient and the tensor are the same size")
            if g._dtype != self._dtype:
                raise RuntimeError(f"attempting to assign a gradient with dtype '{DTYPES[g._dtype]}' to a tensor "
                                   f"with dtype '{_PRETTY[self._dtype]}'.")
        self._grad = value

    def detach(self):
        """A new tensor sharing self's storage (and version counter), outside any graph."""
        cdef TensorBase r = _make_view(self, self._ndim, self._shape, self._stride, self._offset)
        r._vbase = None
        return r

    def detach_(self):
        if self._ag_view:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self._grad_fn = None
        self._requires_grad = False
        self._output_nr = 0
        return self

    @property
    def data(self):
        """self's values outside the graph (a detached tensor sharing storage)."""
        cdef TensorBase r = _make_view(self, self._ndim, self._shape, self._stride, self._offset)
        r._vbase = None
        return r

    @data.setter
    def data(self, TensorBase value):
        _copy_header(self, value)

    def _set_grad_fn(self, fn, int output_nr=0):
        """Make self output ``output_nr`` of node ``fn`` (None: a leaf that does not require grad)."""
        self._grad_fn = fn
        self._output_nr = output_nr
        self._requires_grad = fn is not None
        return self

    def _set_ag_view(self, bint v):
        self._ag_view = v

    @property
    def _base(self):
        """The tensor this one is a view of (PyTorch's ``Tensor._base``), or None."""
        return self._vbase

    def _is_view(self):
        return self._vbase is not None

    def _set_retains_grad(self, bint v):
        self._retains_grad = v

    @property
    def _backward_hooks(self):
        return self._hooks

    def _add_hook(self, fn):
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(fn)

    # -------- copies and conversion
    def contiguous(self, memory_format=None):
        if _is_contiguous(self):
            return self
        return _view_out(self, _clone(self), "clone", None)

    def _clone(self):
        return _view_out(self, _clone(self), "clone", None)

    def _to_dtype(self, dtype d, bint copy=False):
        if d.code == self._dtype:
            return _view_out(self, _clone(self), "clone", None) if copy else self
        return _view_out(self, _cast(self, d.code), "to", None)

    def _copy_from(self, TensorBase src):
        """self[...] = src (broadcast, dtype-converting); bumps the version counter."""
        _copy_into(self, src)
        self._storage._version += 1
        return self

    def _fill(self, value):
        """Set every element to the Python number ``value``."""
        cdef char buf[16]
        cdef int64_t strides[16]
        cdef int d, err
        _store_scalar(buf, self._dtype, value)
        for d in range(self._ndim):
            strides[d] = self._stride[d] * _SIZES_C[self._dtype]
        with nogil:
            err = ct_fill(self._data, self._dtype, self._ndim, self._shape, strides, buf)
        _check_err(err, "fill_")
        self._storage._version += 1
        return self

    def item(self):
        if self._numel != 1:
            raise RuntimeError(f"a Tensor with {self._numel} elements cannot be converted to Scalar")
        return _load_scalar(self._data, self._dtype)

    def tolist(self):
        if self._ndim == 0:
            return _load_scalar(self._data, self._dtype)
        return _tolist(self._data, self._dtype, 0, self._ndim, self._shape, self._stride)

    @property
    def __array_interface__(self):
        if self._dtype == CT_BFLOAT16:
            raise TypeError("Got unsupported ScalarType BFloat16")
        return {
            "shape": tuple([self._shape[d] for d in range(self._ndim)]),
            "strides": tuple([self._stride[d] * _SIZES_C[self._dtype] for d in range(self._ndim)]),
            "typestr": _TYPESTR[self._dtype],
            "data": (<uintptr_t>self._data if self._numel > 0 else <uintptr_t>self._storage.ptr, False),
            "version": 3,
        }

    # -------- views
    def _as_strided(self, size, stride, storage_offset=None):
        cdef int64_t sh[16]
        cdef int64_t st[16]
        cdef int nd = len(size), d
        cdef int64_t off = self._offset if storage_offset is None else storage_offset
        cdef int64_t hi = off
        cdef bint empty = False
        if nd != len(stride):
            raise RuntimeError(f"as_strided: mismatch in length of strides and shape")
        if nd > 16:
            raise RuntimeError("as_strided: at most 16 dimensions are supported")
        for d in range(nd):
            sh[d] = size[d]
            st[d] = stride[d]
            if sh[d] < 0 or st[d] < 0:
                raise RuntimeError(f"as_strided: negative size or stride ({list(size)}, {list(stride)})")
            empty = empty or sh[d] == 0
        if off < 0:
            raise RuntimeError(f"as_strided: negative storage offset {off}")
        for d in range(nd):
            if empty:
                hi = -1
                break
            # a wrapped-around extent would pass the bounds check below
            if st[d] > 0 and sh[d] - 1 > (INT64_MAX - hi) // st[d]:
                raise RuntimeError(f"as_strided: sizes {list(size)} and strides {list(stride)} overflow")
            hi += (sh[d] - 1) * st[d]
        if hi >= 0 and hi >= self._storage.nbytes // _SIZES_C[self._dtype]:
            raise RuntimeError(
                f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {off} "
                f"require {(hi + 1) * _SIZES_C[self._dtype]} bytes but the storage holds {self._storage.nbytes}")
        return _make_view(self, nd, sh, st, off)

    def view(self, *shape):
        cdef int64_t sh[16]
        cdef int64_t st[16]
        if len(shape) == 1 and isinstance(shape[0], dtype):
            return self._view_dtype(shape[0])
        cdef int nd = _parse_shape(shape, self._numel, sh, "view")
        if not _view_strides(self, nd, sh, st):
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one dimension "
                "spans across two contiguous subspaces). Use .reshape(...) instead.")
        return _view_out(self, _make_view(self, nd, sh, st, self._offset), "view", None)

    def _view_dtype(self, dtype d):
        cdef int64_t sh[16]
        cdef int64_t st[16]
        cdef int nd = self._ndim, k
        if d.itemsize == _SIZES_C[self._dtype]:
            t = _make_view(self, nd, self._shape, self._stride, self._offset)
            (<TensorBase>t)._dtype = d.code
            return t
        raise RuntimeError("view(dtype): only dtypes of the same element size are supported")

    def reshape(self, *shape):
        cdef int64_t sh[16]
        cdef int64_t st[16]
        cdef int nd = _parse_shape(shape, self._numel, sh, "reshape")
        if _view_strides(self, nd, sh, st):
            return _view_out(self, _make_view(self, nd, sh, st, self._offset), "view", None)
        cdef TensorBase c = _clone(self)
        _view_strides(c, nd, sh, st)
        return _view_out(self, _make_view(c, nd, sh, st, 0), "reshape", None)

    def permute(self, *dims):
        cdef int64_t sh[16]
        cdef int64_t st[16]
        cdef int d, k, nd = self._ndim
        cdef int seen[16]
        if len(dims) == 1 and not isinstance(dims[0], int):
            dims = tuple(dims[0])
        if len(dims) != nd:
            raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match "
                               f"the length of the desired ordering of dimensions i.e. input.dim() = {nd} is not "
                               f"equal to len(dims) = {len(dims)}")
        memset(seen, 0, sizeof(seen))
        for d in range(nd):
            k = _wrap_dim(dims[d], nd, "permute")
            if seen[k]:
                raise RuntimeError("permute(): duplicate dims are not allowed.")
            seen[k] = 1
            sh[d] = self._shape[k]
            st[d] = self._stride[k]
        return _view_out(self, _make_view(self, nd, sh, st, self._offset), "permute", dims)

    def transpose(self, dim0, dim1):
        cdef int64_t sh[16]
        cdef int64_t st[16]
        cdef int nd = self._ndim
        cdef int a = _wrap_dim(dim0, nd, "transpose"), b = _wrap_dim(dim1, nd, "transpose")
        memcpy(sh, self._shape, nd * sizeof(int64_t))
        memcpy(st, self._stride, nd * sizeof(int64_t))
        if nd > 0:
            sh[a], sh[b] = sh[b], sh[a]
            st[a], st[b] = st[b], st[a]
        return _view_out(self, _make_view(self, nd, sh, st, self._offset), "transpose", (a, b))

    def t(self):
        if self._ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self._ndim}D")
        return self.transpose(0, 1) if self._ndim == 2 else self._alias()

    def _alias(self):
        return _view_out(self, _make_view(self, self._ndim, self._shape, self._stride, self._offset), "alias", None)

    def expand(self, *sizes):
        cdef int64_t sh[16]
        cdef int64_t st[16]
        cdef int nd, d, sd
        cdef int64_t s
        if len(sizes) == 1 and not isinstance(sizes[0], int):
            sizes = tuple(sizes[0])
        nd = len(sizes)
        if nd < self._ndim:
            raise RuntimeError(f"expand: the number of sizes provided ({nd}) must be greater or equal to "
                               f"the number of dimensions in the tensor ({self._ndim})")
        if nd > 16:
            raise RuntimeError("expand: at most 16 dimensions are supported")
        for d in range(nd):
            s = sizes[d]
            sd = d - (nd - self._ndim)
            if sd < 0:
                if s < 0:
                    raise RuntimeError(f"expand: -1 is not allowed in a leading, non-existing dimension {d}")
                sh[d] = s
                st[d] = 0
            else:
                if s == -1:
                    s = self._shape[sd]
                if self._shape[sd] == s:
                    sh[d] = s
                    st[d] = self._stride[sd]
                elif self._shape[sd] == 1 and s >= 0:
                    sh[d] = s
                    st[d] = 0
                else:
                    raise RuntimeError(
                        f"The expanded size of the tensor ({s}) must match the existing size ({self._shape[sd]}) "
                        f"at non-singleton dimension {d}.  Target sizes: {list(sizes)}.  Tensor sizes: {list(self.shape)}")
        return _view_out(self, _make_view(self, nd, sh, st, self._offset), "expand", None)

    def squeeze(self, dim=None):
        cdef int64_t sh[16]
        cdef int64_t st[16]
        cdef int d, n = 0
        cdef int mask[16]
        memset(mask, 0, sizeof(mask))
        if dim is None:
            for d in range(self._ndim):
                mask[d] = self._shape[d] == 1
        else:
            dims = dim if isinstance(dim, (tuple, list)) else (dim,)
            for x in dims:
                d = _wrap_dim(x, self._ndim, "squeeze")
                if self._ndim > 0:
                    mask[d] = self._shape[d] == 1
        for d in range(self._ndim):
            if not mask[d]:
                sh[n] = self._shape[d]
                st[n] = self._stride[d]
                n += 1
        return _view_out(self, _make_view(self, n, sh, st, self._offset), "squeeze", None)

    def unsqueeze(self, dim):
        cdef int64_t sh[16]
        cdef int64_t st[16]
        cdef int nd = self._ndim, d, k
        if nd >= 16:
            raise RuntimeError("unsqueeze: at most 16 dimensions are supported")
        k = _wrap_dim(dim, nd + 1, "unsqueeze")
        for d in range(k):
            sh[d] = self._shape[d]
            st[d] = self._stride[d]
        sh[k] = 1
        st[k] = self._stride[k] * self._shape[k] if k < nd else 1
        for d in range(k, nd):
            sh[d + 1] = self._shape[d]
            st[d + 1] = self._stride[d]
        return _view_out(self, _make_view(self, nd + 1, sh, st, self._offset), "unsqueeze", None)

    def flatten(self, start_dim=0, end_dim=-1):
        cdef int nd = self._ndim
        if nd == 0:
            return self.reshape(1)
        cdef int a = _wrap_dim(start_dim, nd, "flatten"), b = _wrap_dim(end_dim, nd, "flatten")
        if a > b:
            raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
        if a == b:
            return self
        shape = list(self.shape)
        n = 1
        for s in shape[a:b + 1]:
            n *= s
        return self.reshape(shape[:a] + [n] + shape[b + 1:])

    def narrow(self, dim, start, length):
        cdef int64_t sh[16]
        cdef int nd = self._ndim
        if nd == 0:
            raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
        cdef int d = _wrap_dim(dim, nd, "narrow")
        cdef int64_t s = start.item() if isinstance(start, TensorBase) else start
        cdef int64_t n = self._shape[d]
        if s < 0:
            s += n
        if s < 0 or s > n:
            raise IndexError(f"start out of range (expected to be in range of [{-n}, {n}], but got {start})")
        if length < 0 or s + length > n:
            raise RuntimeError(f"start ({s}) + length ({length}) exceeds dimension size ({n}).")
        memcpy(sh, self._shape, nd * sizeof(int64_t))
        sh[d] = length
        return _view_out(self, _make_view(self, nd, sh, self._stride, self._offset + s * self._stride[d]),
                         "narrow", (d, s, length))

    def select(self, dim, index):
        cdef int64_t sh[16]
        cdef int64_t st[16]
        cdef int nd = self._ndim, k, n = 0
        if nd == 0:
            raise IndexError("select() cannot be applied to a 0-dim tensor.")
        cdef int d = _wrap_dim(dim, nd, "select")
        cdef int64_t i = index
        if i < -self._shape[d] or i >= self._shape[d]:
            raise IndexError(f"select(): index {index} out of range for tensor of size {list(self.shape)} at dimension {d}")
        if i < 0:
            i += self._shape[d]
        for k in range(nd):
            if k != d:
                sh[n] = self._shape[k]
                st[n] = self._stride[k]
                n += 1
        return _view_out(self, _make_view(self, nd - 1, sh, st, self._offset + i * self._stride[d]),
                         "select", (d, i))

    # -------- arithmetic slots (the hot path: one call into the dispatcher)
    def __add__(self, other):
        return binary_op(CT_OP_ADD, self, other, None)

    def __radd__(self, other):
        return binary_op(CT_OP_ADD, other, self, None)

    def __iadd__(self, other):
        return binary_inplace(CT_OP_ADD, self, other)

    def __sub__(self, other):
        return binary_op(CT_OP_SUB, self, other, None)

    def __rsub__(self, other):
        return binary_op(CT_OP_SUB, other, self, None)

    def __isub__(self, other):
        return binary_inplace(CT_OP_SUB, self, other)

    def __mul__(self, other):
        return binary_op(CT_OP_MUL, self, other, None)

    def __rmul__(self, other):
        return binary_op(CT_OP_MUL, other, self, None)

    def __imul__(self, other):
        return binary_inplace(CT_OP_MUL, self, other)

    def __truediv__(self, other):
        return binary_op(CT_OP_DIV, self, other, None)

    def __rtruediv__(self, other):
        return binary_op(CT_OP_DIV, other, self, None)

    def __itruediv__(self, other):
        return binary_inplace(CT_OP_DIV, self, other)

    def __floordiv__(self, other):
        return binary_op(CT_OP_FLOOR_DIVIDE, self, other, None)

    def __rfloordiv__(self, other):
        return binary_op(CT_OP_FLOOR_DIVIDE, other, self, None)

    def __ifloordiv__(self, other):
        return binary_inplace(CT_OP_FLOOR_DIVIDE, self, other)

    def __mod__(self, other):
        return binary_op(CT_OP_REMAINDER, self, other, None)

    def __rmod__(self, other):
        return binary_op(CT_OP_REMAINDER, other, self, None)

    def __imod__(self, other):
        return binary_inplace(CT_OP_REMAINDER, self, other)

    def __pow__(self, other, modulo):
        return binary_op(CT_OP_POW, self, other, None)

    def __rpow__(self, other, modulo):
        return binary_op(CT_OP_POW, other, self, None)

    def __ipow__(self, other):
        return binary_inplace(CT_OP_POW, self, other)

    def __and__(self, other):
        return binary_op(CT_OP_BITWISE_AND, self, other, None)

    def __rand__(self, other):
        return binary_op(CT_OP_BITWISE_AND, other, self, None)

    def __iand__(self, other):
        return binary_inplace(CT_OP_BITWISE_AND, self, other)

    def __or__(self, other):
        return binary_op(CT_OP_BITWISE_OR, self, other, None)

    def __ror__(self, other):
        return binary_op(CT_OP_BITWISE_OR, other, self, None)

    def __ior__(self, other):
        return binary_inplace(CT_OP_BITWISE_OR, self, other)

    def __xor__(self, other):
        return binary_op(CT_OP_BITWISE_XOR, self, other, None)

    def __rxor__(self, other):
        return binary_op(CT_OP_BITWISE_XOR, other, self, None)

    def __ixor__(self, other):
        return binary_inplace(CT_OP_BITWISE_XOR, self, other)

    def __lshift__(self, other):
        return binary_op(CT_OP_BITWISE_LEFT_SHIFT, self, other, None)

    def __rlshift__(self, other):
        return binary_op(CT_OP_BITWISE_LEFT_SHIFT, other, self, None)

    def __ilshift__(self, other):
        return binary_inplace(CT_OP_BITWISE_LEFT_SHIFT, self, other)

    def __rshift__(self, other):
        return binary_op(CT_OP_BITWISE_RIGHT_SHIFT, self, other, None)

    def __rrshift__(self, other):
        return binary_op(CT_OP_BITWISE_RIGHT_SHIFT, other, self, None)

    def __irshift__(self, other):
        return binary_inplace(CT_OP_BITWISE_RIGHT_SHIFT, self, other)

    def __eq__(self, other):
        if not isinstance(other, (TensorBase, int, float, complex, bool)):
            return False
        return binary_op(CT_OP_EQ, self, other, None)

    def __ne__(self, other):
        if not isinstance(other, (TensorBase, int, float, complex, bool)):
            return True
        return binary_op(CT_OP_NE, self, other, None)

    def __lt__(self, other):
        return binary_op(CT_OP_LT, self, other, None)

    def __le__(self, other):
        return binary_op(CT_OP_LE, self, other, None)

    def __gt__(self, other):
        return binary_op(CT_OP_GT, self, other, None)

    def __ge__(self, other):
        return binary_op(CT_OP_GE, self, other, None)

    def __neg__(self):
        if self._dtype == CT_BOOL:
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. "
                               "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.")
        return unary_op(CT_OP_NEG, self, None)

    def __pos__(self):
        return self

    def __abs__(self):
        return unary_op(CT_OP_ABS, self, None)

    def __invert__(self):
        if self._dtype > CT_INT64:
            raise TypeError("~ (bitwise_not) is only supported for integer and bool tensors")
        return unary_op(CT_OP_BITWISE_NOT, self, None)

    __hash__ = object.__hash__

    def __len__(self):
        if self._ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._shape[0]

    def __bool__(self):
        if self._numel != 1:
            raise RuntimeError(f"Boolean value of Tensor with {'no values' if self._numel == 0 else 'more than one value'} is ambiguous")
        return bool(_load_scalar(self._data, self._dtype))

    def __float__(self):
        if self._numel != 1:
            raise TypeError("only one element tensors can be converted to Python scalars")
        v = _load_scalar(self._data, self._dtype)
        if isinstance(v, complex):
            raise TypeError("can't convert complex to float")
        return float(v)

    def __int__(self):
        if self._numel != 1:
            raise TypeError("only one element tensors can be converted to Python scalars")
        v = _load_scalar(self._data, self._dtype)
        if isinstance(v, complex):
            raise TypeError("can't convert complex to int")
        return int(v)

    def __complex__(self):
        if self._numel != 1:
            raise TypeError("only one element tensors can be converted to Python scalars")
        return complex(_load_scalar(self._data, self._dtype))

    def __index__(self):
        if self._dtype > CT_INT64 or self._numel != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(_load_scalar(self._data, self._dtype))


def _zero_dim_err(op):
    raise IndexError(f"{op}: Dimension specified as 0 but tensor has no dimensions")

_TYPESTR = ("|b1", "|u1", "|i1", "<i2", "<i4", "<i8", "<f2", "<V2", "<f4", "<f8", "<c8", "<c16")

cdef list _tolist(char *p, int dt, int d, int nd, const int64_t *shape, const int64_t *stride):
    cdef int64_t i, step = stride[d] * _SIZES_C[dt]
    cdef list out = []
    if d == nd - 1:
        for i in range(shape[d]):
            out.append(_load_scalar(p + i * step, dt))
    else:
        for i in range(shape[d]):
            out.append(_tolist(p + i * step, dt, d + 1, nd, shape, stride))
    return out


class Size(tuple):
    """A tensor's shape: a tuple of ints (``torch.Size``)."""

    def __repr__(self):
        return "cytorch.Size([" + ", ".join(str(x) for x in self) + "])"

    def numel(self):
        n = 1
        for x in self:
            n *= x
        return n

    def __getitem__(self, key):
        r = tuple.__getitem__(self, key)
        return Size(r) if isinstance(key, slice) else r

    def __add__(self, other):
        return Size(tuple(self) + tuple(other))

    def __reduce__(self):
        return (Size, (tuple(self),))

_Size = Size

# ---------------------------------------------------------------- creation from memory

def _from_buffer_view(object owner, uintptr_t ptr, Py_ssize_t nbytes, dtype dt, shape, strides_elems, int64_t offset_elems):
    """A tensor viewing foreign memory (NumPy array, DLPack) without copying."""
    cdef Storage s = _storage_from_buffer(owner, ptr, nbytes)
    cdef TensorBase t = TensorBase.__new__(_TensorType)
    cdef int d, nd = len(shape)
    if nd > 16:
        raise RuntimeError("at most 16 dimensions are supported")
    t._storage = s
    t._dtype = dt.code
    t._ndim = nd
    t._numel = 1
    for d in range(nd):
        t._shape[d] = shape[d]
        t._stride[d] = strides_elems[d]
        t._numel *= shape[d]
    t._offset = offset_elems
    t._data = s.ptr + offset_elems * _SIZES_C[dt.code]
    return t

def empty(shape, dtype dt):
    """Uninitialised contiguous tensor (shape: a sequence of ints)."""
    cdef int64_t sh[16]
    cdef int nd = len(shape), d
    if nd > 16:
        raise RuntimeError("at most 16 dimensions are supported")
    for d in range(nd):
        sh[d] = shape[d]
    return _empty(dt.code, nd, sh)

def full(shape, value, dtype dt):
    t = empty(shape, dt)
    (<TensorBase>t)._fill(value)
    (<TensorBase>t)._storage._version = 0
    return t

def set_num_threads(int n):
    if n < 1:
        raise RuntimeError(f"set_num_threads expects a positive integer, got {n}")
    ct_set_num_threads(n)

def get_num_threads():
    return ct_get_num_threads()

def _as_subclass(TensorBase t, cls):
    """A new header of Python class ``cls`` over t's storage and layout."""
    cdef TensorBase r = TensorBase.__new__(cls)
    _copy_header(r, t)
    return r

def _complex_part(TensorBase t, int which):
    """The real (which=0) or imaginary (which=1) part of a complex tensor, as a view."""
    cdef int64_t st[16]
    cdef int d
    if t._dtype < CT_COMPLEX64:
        raise RuntimeError("expected a complex tensor")
    for d in range(t._ndim):
        st[d] = t._stride[d] * 2
    r = _make_view(t, t._ndim, t._shape, st, t._offset * 2 + which)
    (<TensorBase>r)._dtype = _to_real(t._dtype)
    (<TensorBase>r)._data = t._storage.ptr + (t._offset * 2 + which) * _SIZES_C[_to_real(t._dtype)]
    return r

def _set_(TensorBase self, TensorBase src):
    """Point self at src's storage and layout (Tensor.set_)."""
    _copy_header(self, src)
