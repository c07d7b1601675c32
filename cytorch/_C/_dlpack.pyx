# _dlpack.pyx - DLPack (https://dmlc.github.io/dlpack/latest/) producer and consumer.
#
# The C structs below are written from the DLPack specification (ABI of dlpack.h 0.8 for the
# legacy DLManagedTensor, 1.x for DLManagedTensorVersioned). Memory is never copied unless the
# caller asks for it (copy=True): an exported capsule keeps the tensor (and so its Storage) alive
# until the consumer calls the deleter; an imported tensor's Storage owns a _DLPackOwner that calls
# the producer's deleter when the last view goes away.
from libc.stdint cimport int32_t, int64_t, uint8_t, uint16_t, uint32_t, uint64_t, uintptr_t
from libc.stdlib cimport malloc, free
from cpython.pycapsule cimport (PyCapsule_New, PyCapsule_GetPointer, PyCapsule_IsValid,
                                PyCapsule_SetName, PyCapsule_CheckExact, PyCapsule_GetName)
from cpython.ref cimport PyObject, Py_INCREF, Py_XDECREF

from cytorch._C._tensor cimport TensorBase, _clone, _SIZES_C, dtype_of
from cytorch._C.ct cimport *
from cytorch._C import _tensor as _T

# ---------------------------------------------------------------- the DLPack ABI

cdef enum:
    kDLCPU = 1
    kDLCUDAHost = 3
    kDLCUDAManaged = 13

cdef enum:
    kDLInt = 0
    kDLUInt = 1
    kDLFloat = 2
    kDLBfloat = 4
    kDLComplex = 5
    kDLBool = 6

cdef enum:
    DLPACK_MAJOR = 1
    DLPACK_MINOR = 0
    DLPACK_FLAG_READ_ONLY = 1
    DLPACK_FLAG_IS_COPIED = 2

cdef struct DLDevice:
    int32_t device_type        # a C enum (DLDeviceType): int-sized
    int32_t device_id

cdef struct DLDataType:
    uint8_t code
    uint8_t bits
    uint16_t lanes

cdef struct DLTensor:
    void *data
    DLDevice device
    int32_t ndim
    DLDataType dtype
    int64_t *shape
    int64_t *strides           # in elements; NULL means compact row-major (legacy producers)
    uint64_t byte_offset

cdef struct DLManagedTensor:
    DLTensor dl_tensor
    void *manager_ctx
    void (*deleter)(DLManagedTensor *) noexcept

cdef struct DLPackVersion:
    uint32_t major
    uint32_t minor

cdef struct DLManagedTensorVersioned:
    DLPackVersion version
    void *manager_ctx
    void (*deleter)(DLManagedTensorVersioned *) noexcept
    uint64_t flags
    DLTensor dl_tensor

# (DLPack type code, bits) of each cytorch dtype code, in CT_* order.
cdef uint8_t _DL_CODE[12]
cdef uint8_t _DL_BITS[12]
_codes = ((kDLBool, 8), (kDLUInt, 8), (kDLInt, 8), (kDLInt, 16), (kDLInt, 32), (kDLInt, 64),
          (kDLFloat, 16), (kDLBfloat, 16), (kDLFloat, 32), (kDLFloat, 64), (kDLComplex, 64), (kDLComplex, 128))
for _i, (_c, _b) in enumerate(_codes):
    _DL_CODE[_i] = _c
    _DL_BITS[_i] = _b


cdef int _ct_dtype(DLDataType t) except -1:
    """cytorch dtype code of a DLPack dtype; BufferError when we have no such type."""
    cdef int k
    if t.lanes == 1:
        for k in range(12):
            if _DL_CODE[k] == t.code and _DL_BITS[k] == t.bits:
                return k
        if t.code == kDLUInt and t.bits == 1:   # some producers spell bool this way
            return CT_BOOL
    raise BufferError(f"from_dlpack: unsupported DLPack dtype (code={t.code}, bits={t.bits}, lanes={t.lanes})")

# ---------------------------------------------------------------- producer

# One malloc'd block per export: the managed struct, then shape[ndim], then strides[ndim].
# manager_ctx is the exported tensor, held by a strong reference until the deleter runs.

cdef void _fill_dltensor(DLTensor *d, TensorBase t, int64_t *shape, int64_t *strides) noexcept:
    cdef int k
    d.data = <void *>t._data
    d.device.device_type = kDLCPU
    d.device.device_id = 0
    d.ndim = t._ndim
    d.dtype.code = _DL_CODE[t._dtype]
    d.dtype.bits = _DL_BITS[t._dtype]
    d.dtype.lanes = 1
    for k in range(t._ndim):
        shape[k] = t._shape[k]
        strides[k] = t._stride[k]
    d.shape = shape
    d.strides = strides
    d.byte_offset = 0


cdef void _delete_legacy(DLManagedTensor *m) noexcept nogil:
    # Consumers may call the deleter from any thread, with or without the GIL.
    if m == NULL:
        return
    with gil:
        if m.manager_ctx != NULL:
            Py_XDECREF(<PyObject *>m.manager_ctx)
    free(m)


cdef void _delete_versioned(DLManagedTensorVersioned *m) noexcept nogil:
    if m == NULL:
        return
    with gil:
        if m.manager_ctx != NULL:
            Py_XDECREF(<PyObject *>m.manager_ctx)
    free(m)


cdef void _capsule_legacy_destructor(object cap) noexcept:
    # Only an unconsumed capsule still owns the tensor; a consumer renames it "used_dltensor".
    cdef DLManagedTensor *m
    if PyCapsule_IsValid(cap, b"dltensor"):
        m = <DLManagedTensor *>PyCapsule_GetPointer(cap, b"dltensor")
        if m != NULL and m.deleter != NULL:
            m.deleter(m)


cdef void _capsule_versioned_destructor(object cap) noexcept:
    cdef DLManagedTensorVersioned *m
    if PyCapsule_IsValid(cap, b"dltensor_versioned"):
        m = <DLManagedTensorVersioned *>PyCapsule_GetPointer(cap, b"dltensor_versioned")
        if m != NULL and m.deleter != NULL:
            m.deleter(m)


def to_capsule(TensorBase t, bint versioned=False, bint copy=False):
    """A DLPack capsule viewing ``t`` ("dltensor", or "dltensor_versioned" when ``versioned``).

    With ``copy=True`` the capsule views a fresh contiguous copy (flagged IS_COPIED when versioned).
    """
    cdef int nd = t._ndim
    cdef size_t arrays = 2 * (nd if nd > 0 else 1) * sizeof(int64_t)
    cdef DLManagedTensor *m
    cdef DLManagedTensorVersioned *v
    cdef int64_t *shape
    if copy:
        t = _clone(t)
    if versioned:
        v = <DLManagedTensorVersioned *>malloc(sizeof(DLManagedTensorVersioned) + arrays)
        if v == NULL:
            raise MemoryError("__dlpack__: out of memory")
        shape = <int64_t *>(<char *>v + sizeof(DLManagedTensorVersioned))
        _fill_dltensor(&v.dl_tensor, t, shape, shape + (nd if nd > 0 else 1))
        v.version.major = DLPACK_MAJOR
        v.version.minor = DLPACK_MINOR
        v.flags = DLPACK_FLAG_IS_COPIED if copy else 0
        v.manager_ctx = <void *>t
        v.deleter = _delete_versioned
        Py_INCREF(t)
        try:
            return PyCapsule_New(v, b"dltensor_versioned", _capsule_versioned_destructor)
        except BaseException:
            _delete_versioned(v)
            raise
    m = <DLManagedTensor *>malloc(sizeof(DLManagedTensor) + arrays)
    if m == NULL:
        raise MemoryError("__dlpack__: out of memory")
    shape = <int64_t *>(<char *>m + sizeof(DLManagedTensor))
    _fill_dltensor(&m.dl_tensor, t, shape, shape + (nd if nd > 0 else 1))
    m.manager_ctx = <void *>t
    m.deleter = _delete_legacy
    Py_INCREF(t)
    try:
        return PyCapsule_New(m, b"dltensor", _capsule_legacy_destructor)
    except BaseException:
        _delete_legacy(m)
        raise

# ---------------------------------------------------------------- consumer

cdef class _DLPackOwner:
    """Owns an imported DLManagedTensor[Versioned]: calls the producer's deleter when freed.

    It is the ``owner`` of the Storage of every tensor made from the capsule, so the producer's
    memory lives exactly as long as some view of it does.
    """
    cdef DLManagedTensor *legacy
    cdef DLManagedTensorVersioned *versioned

    def __dealloc__(self):
        if self.legacy != NULL and self.legacy.deleter != NULL:
            self.legacy.deleter(self.legacy)
        elif self.versioned != NULL and self.versioned.deleter != NULL:
            self.versioned.deleter(self.versioned)
        self.legacy = NULL
        self.versioned = NULL


def from_capsule(object cap):
    """A cytorch tensor viewing the memory described by a DLPack capsule (consumes it)."""
    cdef _DLPackOwner owner = _DLPackOwner.__new__(_DLPackOwner)
    cdef DLTensor *d
    cdef uint64_t flags = 0
    cdef int k, dt
    cdef int64_t span = 0, isz, n = 1, s
    if not PyCapsule_CheckExact(cap):
        raise TypeError(f"from_dlpack: expected a DLPack capsule or an object with __dlpack__, "
                        f"got {type(cap).__name__}")
    if PyCapsule_IsValid(cap, b"dltensor_versioned"):
        owner.versioned = <DLManagedTensorVersioned *>PyCapsule_GetPointer(cap, b"dltensor_versioned")
        if owner.versioned.version.major > DLPACK_MAJOR:
            ver = (owner.versioned.version.major, owner.versioned.version.minor)
            owner.versioned = NULL   # not ours to delete: the capsule still owns it
            raise BufferError(f"from_dlpack: DLPack version {ver} is newer than the supported "
                              f"{DLPACK_MAJOR}.{DLPACK_MINOR}")
        PyCapsule_SetName(cap, b"used_dltensor_versioned")
        d = &owner.versioned.dl_tensor
        flags = owner.versioned.flags
    elif PyCapsule_IsValid(cap, b"dltensor"):
        owner.legacy = <DLManagedTensor *>PyCapsule_GetPointer(cap, b"dltensor")
        PyCapsule_SetName(cap, b"used_dltensor")
        d = &owner.legacy.dl_tensor
    else:
        raise RuntimeError("from_dlpack received an invalid capsule. Note that DLTensor capsules can be "
                           "consumed only once, so you might have already constructed a tensor from it once.")
    # From here on ``owner`` holds the managed tensor: any error below frees it through the deleter.
    if d.device.device_type != kDLCPU and d.device.device_type != kDLCUDAHost:
        raise BufferError(f"from_dlpack: only CPU tensors can be imported (device type {d.device.device_type})")
    if d.ndim < 0 or d.ndim > 16:
        raise RuntimeError(f"from_dlpack: {d.ndim} dimensions (cytorch supports at most 16)")
    dt = _ct_dtype(d.dtype)
    isz = _SIZES_C[dt]
    shape = [d.shape[k] for k in range(d.ndim)]
    if d.strides != NULL:
        strides = [d.strides[k] for k in range(d.ndim)]
    else:
        strides = [0] * d.ndim
        s = 1
        for k in range(d.ndim - 1, -1, -1):
            strides[k] = s
            s *= d.shape[k] if d.shape[k] > 0 else 1
    for k in range(d.ndim):
        if shape[k] < 0:
            raise RuntimeError(f"from_dlpack: negative size in shape {shape}")
        n *= shape[k]
    if n > 0:
        for k in range(d.ndim):
            if strides[k] < 0 and shape[k] > 1:
                raise RuntimeError(f"from_dlpack: negative strides are not supported (strides {strides}); "
                                   "make a copy first")
            span += (shape[k] - 1) * (strides[k] if strides[k] > 0 else 0)
        span = (span + 1) * isz
    ptr = <uintptr_t>d.data + <uintptr_t>d.byte_offset
    return _T._from_buffer_view(owner, ptr, span, dtype_of(dt), shape, strides, 0)
