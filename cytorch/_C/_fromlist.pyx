# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""``cytorch.tensor(data)`` for plain Python numbers and nested lists/tuples of them, walked in C.

Two passes over the data: the first finds the shape (along the first elements), checks that
every row has it and collects the leaves' category (bool < int < float < complex); the second
writes the values into a new tensor. Anything else -- an empty or ragged list, NumPy scalars,
tensors, int/float subclasses, a conversion that could overflow or lose information -- returns
None, and the general path of ``cytorch._ops.creation.tensor`` decides (and raises its errors),
so results never depend on which path ran.
"""
from cpython.object cimport PyObject
from cpython.long cimport PyLong_CheckExact
from cpython.float cimport PyFloat_CheckExact, PyFloat_AS_DOUBLE
from cpython.complex cimport PyComplex_CheckExact, PyComplex_RealAsDouble, PyComplex_ImagAsDouble
from cpython.bool cimport PyBool_Check
from libc.stdint cimport int64_t, int32_t, int16_t, int8_t, uint8_t, INT64_MAX, INT64_MIN
from cytorch._C.ct cimport *
from cytorch._C._tensor cimport TensorBase, _empty, _default_float, dtype

cdef extern from "Python.h":
    long long PyLong_AsLongLongAndOverflow(object o, int *overflow) except? -1
    bint PyList_CheckExact(object o)
    bint PyTuple_CheckExact(object o)
    Py_ssize_t PyList_GET_SIZE(object o)
    Py_ssize_t PyTuple_GET_SIZE(object o)
    PyObject *PyList_GET_ITEM(object o, Py_ssize_t i)
    PyObject *PyTuple_GET_ITEM(object o, Py_ssize_t i)

DEF MAX_DIMS = 16
# leaf categories, as bits
DEF K_BOOL = 1
DEF K_INT = 2
DEF K_FLOAT = 4
DEF K_COMPLEX = 8
# ints whose double is exact (beyond it NumPy's and a C cast's float32 rounding may differ)
DEF EXACT_INT = 9007199254740992


cdef struct Walk:
    int ndim
    int64_t shape[MAX_DIMS]
    int kinds                   # K_* bits seen
    int64_t lo, hi              # smallest and largest int leaf


cdef inline bint _is_seq(object x) noexcept:
    return PyList_CheckExact(x) or PyTuple_CheckExact(x)


cdef inline Py_ssize_t _len(object x) noexcept:
    return PyList_GET_SIZE(x) if PyList_CheckExact(x) else PyTuple_GET_SIZE(x)


cdef inline object _item(object x, Py_ssize_t i):
    return <object>(PyList_GET_ITEM(x, i) if PyList_CheckExact(x) else PyTuple_GET_ITEM(x, i))


cdef int _scan(object x, int depth, Walk *w) except -2:
    """Check x against the shape from depth on and note its leaves' kinds; 1 ok, 0 fall back."""
    cdef Py_ssize_t i, n
    cdef int overflow = 0
    cdef long long v
    if depth < w.ndim:
        if not _is_seq(x):
            return 0
        n = _len(x)
        if n != w.shape[depth]:
            return 0
        for i in range(n):
            if not _scan(_item(x, i), depth + 1, w):
                return 0
        return 1
    if PyBool_Check(x):
        w.kinds |= K_BOOL
    elif PyLong_CheckExact(x):
        v = PyLong_AsLongLongAndOverflow(x, &overflow)
        if overflow:
            return 0
        w.kinds |= K_INT
        if v < w.lo:
            w.lo = v
        if v > w.hi:
            w.hi = v
    elif PyFloat_CheckExact(x):
        w.kinds |= K_FLOAT
    elif PyComplex_CheckExact(x):
        w.kinds |= K_COMPLEX
    else:
        return 0
    return 1


cdef char *_fill(object x, int depth, int ndim, int dt, char *p) except NULL:
    """Write x's leaves (already checked by _scan) as dtype dt from p on; the next free byte."""
    cdef Py_ssize_t i, n
    cdef double re, im = 0
    cdef long long v
    cdef int overflow = 0
    if depth < ndim:
        n = _len(x)
        for i in range(n):
            p = _fill(_item(x, i), depth + 1, ndim, dt, p)
        return p
    if PyFloat_CheckExact(x):
        re = PyFloat_AS_DOUBLE(x)
        v = 0
    elif PyComplex_CheckExact(x):
        re = PyComplex_RealAsDouble(x)
        im = PyComplex_ImagAsDouble(x)
        v = 0
    else:                           # bool or int (range already checked)
        v = PyLong_AsLongLongAndOverflow(x, &overflow)
        re = <double>v
    if dt == CT_BOOL:
        (<uint8_t *>p)[0] = v != 0
        return p + 1
    if dt == CT_UINT8:
        (<uint8_t *>p)[0] = <uint8_t>v
        return p + 1
    if dt == CT_INT8:
        (<int8_t *>p)[0] = <int8_t>v
        return p + 1
    if dt == CT_INT16:
        (<int16_t *>p)[0] = <int16_t>v
        return p + 2
    if dt == CT_INT32:
        (<int32_t *>p)[0] = <int32_t>v
        return p + 4
    if dt == CT_INT64:
        (<int64_t *>p)[0] = <int64_t>v
        return p + 8
    if dt == CT_FLOAT32:
        (<float *>p)[0] = <float>re
        return p + 4
    if dt == CT_FLOAT64:
        (<double *>p)[0] = re
        return p + 8
    if dt == CT_COMPLEX64:
        (<float *>p)[0] = <float>re
        (<float *>p)[1] = <float>im
        return p + 8
    (<double *>p)[0] = re
    (<double *>p)[1] = im
    return p + 16


cdef int _inferred(int kinds) noexcept:
    """PyTorch's dtype for these leaf kinds: the highest category wins."""
    cdef int f = _default_float()
    if kinds & K_COMPLEX:
        return CT_COMPLEX128 if f == CT_FLOAT64 else CT_COMPLEX64
    if kinds & K_FLOAT:
        return f
    if kinds & K_INT:
        return CT_INT64
    return CT_BOOL


cdef bint _fits(Walk *w, int dt) noexcept:
    """Whether every leaf converts to dt exactly as NumPy's conversion would (no overflow, no
    float-to-int truncation, no complex-to-real); other cases take the general path."""
    cdef int k = w.kinds
    cdef int64_t lo = w.lo, hi = w.hi
    if not (k & K_INT):
        lo = hi = 0
    if dt == CT_BOOL:
        return k == K_BOOL
    if dt <= CT_INT64:
        if k & (K_FLOAT | K_COMPLEX):
            return False
        if dt == CT_UINT8:
            return lo >= 0 and hi <= 255
        if dt == CT_INT8:
            return lo >= -128 and hi <= 127
        if dt == CT_INT16:
            return lo >= -32768 and hi <= 32767
        if dt == CT_INT32:
            return lo >= -2147483648 and hi <= 2147483647
        return True
    if dt == CT_FLOAT16 or dt == CT_BFLOAT16:
        return False
    if dt <= CT_FLOAT64 and k & K_COMPLEX:
        return False
    return lo >= -EXACT_INT and hi <= EXACT_INT


def from_list(object data, object dt=None):
    """A new tensor of ``data`` -- a plain Python number, or nested lists/tuples of them -- with
    dtype ``dt`` (a cytorch dtype, or None to infer PyTorch's); None where the general path must
    decide."""
    cdef Walk w
    cdef object x = data
    cdef Py_ssize_t n
    cdef int code
    w.ndim = 0
    w.kinds = 0
    w.lo = INT64_MAX
    w.hi = INT64_MIN
    while _is_seq(x):
        if w.ndim == MAX_DIMS:
            return None
        n = _len(x)
        if n == 0:
            return None             # empty dims: the general path keeps their exact rules
        w.shape[w.ndim] = n
        w.ndim += 1
        x = _item(x, 0)
    if not _scan(data, 0, &w):
        return None
    if dt is None:
        code = _inferred(w.kinds)
    elif isinstance(dt, dtype):
        code = (<dtype>dt).code
    else:
        return None
    if not _fits(&w, code):
        return None
    cdef TensorBase t = _empty(code, w.ndim, w.shape)
    _fill(data, 0, w.ndim, code, t._data)
    return t
