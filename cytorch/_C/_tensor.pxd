# _tensor.pxd - the Tensor core shared by every _C module (cimport it).
from libc.stdint cimport int64_t

cdef class dtype:
    cdef readonly int code
    cdef readonly int itemsize
    cdef readonly str _name
    cdef readonly bint is_floating_point
    cdef readonly bint is_complex
    cdef readonly bint is_signed

cdef class Storage:
    cdef char *ptr
    cdef Py_ssize_t nbytes
    cdef object owner          # keeps foreign memory (a NumPy array, a DLPack capsule) alive
    cdef public int64_t _version   # bumped by every in-place write through any view
    cdef bint _owned           # ptr came from ct_alloc and is freed with the Storage

cdef class TensorBase:
    cdef Storage _storage
    cdef char *_data           # address of element [0, 0, ...] (storage ptr + offset)
    cdef int64_t _offset       # in elements
    cdef int _dtype
    cdef int _ndim
    cdef int64_t _numel
    cdef int64_t _shape[16]
    cdef int64_t _stride[16]   # in elements, like PyTorch
    cdef object __weakref__
    # autograd (cytorch/_C/_autograd.pyx): set only when a tensor takes part in a graph
    cdef bint _requires_grad   # leaf flag, or True for any output of a recorded op
    cdef bint _ag_view         # a recorded view of a tensor that requires grad
    cdef bint _retains_grad
    cdef int _output_nr        # which output of _grad_fn this tensor is
    cdef object _grad_fn       # the Node that made this tensor, None for leaves
    cdef object _grad          # .grad
    cdef object _grad_acc      # weakref to this leaf's AccumulateGrad node
    cdef object _hooks         # list of gradient hooks on a leaf, or None
    cdef object _vbase         # the tensor this one is a view of (always a root, never a view), or None

cdef dtype dtype_of(int code)
cdef int64_t _numel_of(int ndim, const int64_t *shape)
cdef TensorBase _empty(int dt, int ndim, const int64_t *shape)
cdef TensorBase _empty_like_shape(TensorBase like, int dt)
cdef TensorBase _make_view(TensorBase base, int ndim, const int64_t *shape, const int64_t *stride, int64_t offset)
cdef TensorBase _cast(TensorBase t, int dt)
cdef TensorBase _contiguous(TensorBase t)
cdef bint _is_contiguous(TensorBase t)
cdef int _copy_into(TensorBase dst, TensorBase src) except -1
cdef int _check_err(int err, str op) except -1
cdef int _result_type2(object a, object b) except -1
cdef int _promote(int a, int b)
cdef int _scalar_dtype(object x) except -1
cdef int _broadcast_shapes(int na, const int64_t *sa, int nb, const int64_t *sb, int64_t *out) except -1
cdef TensorBase _as_tensor(object x, int dt)
cdef object binary_op(int op, object a, object b, object out)
cdef object binary_inplace(int op, TensorBase a, object b)
cdef object unary_op(int op, TensorBase a, object out)
cdef int _wrap_dim(int64_t d, int ndim, str op) except -100
cdef object _new_tensor_type()
cdef int _default_float()
cdef TensorBase _clone(TensorBase t)
cdef int _store_scalar(char *buf, int dt, object x) except -1
cdef object _load_scalar(const char *p, int dt)
cdef bint _same_layout(TensorBase a, TensorBase b)
cdef bint _can_cast(int f, int t)
cdef int _to_real(int dt) noexcept nogil
cdef int _to_complex(int dt) noexcept nogil
cdef int _category(int dt) noexcept nogil
cdef TensorBase _check_out(object out, int nd, const int64_t *shape, int result, str op)
cdef int64_t _SIZES_C[12]

# autograd hooks: _C/_autograd.pyx installs these at import; the dispatchers call them only
# when grad mode is on and an input requires grad.
ctypedef object (*ag_binary_fn)(int op, object a, object b, TensorBase res)
ctypedef object (*ag_unary_fn)(int op, TensorBase a, TensorBase res)
ctypedef object (*ag_view_fn)(str name, TensorBase a, TensorBase res, object args)
cdef void _set_autograd_hooks(ag_binary_fn b, ag_unary_fn u, ag_view_fn v) noexcept
cdef bint _grad_enabled() noexcept nogil
cdef void _set_grad_enabled(bint on) noexcept nogil
