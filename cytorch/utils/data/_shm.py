"""Shared memory for tensors: how DataLoader workers hand batches to the main process.

A worker puts each batch tensor in a named POSIX shared-memory segment (``/dev/shm/<name>`` on
Linux) — ``default_collate`` stacks straight into one — and sends only ``(name, dtype, shape,
strides, offset)`` (:func:`dumps`). The main process (:func:`loads`) opens the segment, unlinks the
name at once and wraps the mapping as a tensor without copying; the mapping lives as long as the
tensor. Names carry a per-loader prefix, so whatever a dead worker left behind is removed by
:func:`unlink_prefix` when the loader shuts down.

``Tensor.share_memory_()`` moves a tensor's storage to an anonymous shared mapping (inherited by
forked workers, so they share the pages instead of copying them); ``Tensor.is_shared()`` tells.
"""
import ctypes
import io
import itertools
import mmap
import os
import pickle
import weakref

import numpy as np

import cytorch
from cytorch._C import _tensor as _C
from cytorch._C._tensor import TensorBase
from cytorch._ops._util import NP_DTYPES
from cytorch._tensor import tensor_method

try:
    import _posixshmem
except ImportError:       # no POSIX shared memory (Windows): DataLoader workers are unavailable
    _posixshmem = None

SHM_DIR = "/dev/shm"
HAVE_SHM = _posixshmem is not None

_prefix = None                 # this worker's segment-name prefix (None in the main process)
_counter = itertools.count()
_shared = weakref.WeakValueDictionary()    # address -> the _Block mapped there
_sent = set()                  # names of this worker's segments handed to the main process


class _Block(mmap.mmap):
    """One shared mapping; ``name`` is its segment's name (None for anonymous memory).

    Every array and tensor over the mapping keeps it alive (NumPy's base chain ends here), so the
    registry entry lives exactly as long as some tensor uses the memory.
    """

    name = None


def _np_dtype(dt):
    """The NumPy dtype that stores ``dt`` (bfloat16 as int16 bits, reinterpreted afterwards)."""
    return np.dtype(np.int16) if dt._name == "bfloat16" else np.dtype(NP_DTYPES[dt._name])


def _wrap(block, name):
    """A uint8 array over ``block``, registered as shared memory."""
    block.name = name
    arr = np.frombuffer(block, dtype=np.uint8)
    _shared[arr.ctypes.data] = block
    return arr


def _tensor_over(arr, dt, shape, stride, offset):
    """A tensor of ``dt`` with (shape, stride, offset in elements) over the uint8 array ``arr``."""
    npdt = _np_dtype(dt)
    t = cytorch.from_numpy(arr[:arr.nbytes - arr.nbytes % npdt.itemsize].view(npdt))
    if dt._name == "bfloat16":
        t = t.view(dt)
    return t.as_strided(tuple(shape), tuple(stride), offset)


# ---------------------------------------------------------------- named segments (workers)

def set_prefix(prefix):
    """Name this process's segments ``<prefix><n>`` (called once in each worker)."""
    global _prefix
    _prefix = prefix


def new_segment(nbytes):
    """A fresh named segment of ``nbytes`` (>= 1) mapped here, as a uint8 array."""
    name = f"{_prefix}{next(_counter)}"
    fd = _posixshmem.shm_open("/" + name, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600)
    try:
        try:
            if hasattr(os, "posix_fallocate"):
                # reserve the pages now: a full /dev/shm then fails here with a clear error,
                # not later with SIGBUS on first write
                os.posix_fallocate(fd, 0, nbytes)
            else:
                os.ftruncate(fd, nbytes)
        except OSError as e:
            _posixshmem.shm_unlink("/" + name)
            raise RuntimeError(
                f"DataLoader worker could not allocate {nbytes} bytes of shared memory in {SHM_DIR} ({e.strerror}). "
                f"The shared-memory filesystem may be too small: enlarge it (docker: --shm-size) or lower "
                f"batch_size/num_workers.") from None
        block = _Block(fd, nbytes)
    finally:
        os.close(fd)
    weakref.finalize(block, _release, name)
    return _wrap(block, name)


def _release(name):
    """A worker's segment is no longer mapped here: the main process owns the name if it was sent,
    else nobody will ever open it, so unlink it now (a collate_fn's intermediate, say)."""
    if name in _sent:
        _sent.discard(name)
    else:
        try:
            _posixshmem.shm_unlink("/" + name)
        except OSError:
            pass


def empty(shape, dtype):
    """An uninitialised contiguous tensor in a new named segment (in a worker), else ordinary memory."""
    shape = tuple(shape)
    numel = 1
    for s in shape:
        numel *= s
    if _prefix is None or numel == 0:
        return cytorch.empty(shape, dtype=dtype)
    return _tensor_over(new_segment(numel * dtype.itemsize), dtype, (numel,), (1,), 0).view(shape)


def attach(name, nbytes):
    """Map the named segment here and unlink its name at once (the mapping keeps the memory)."""
    fd = _posixshmem.shm_open("/" + name, os.O_RDWR, 0o600)
    try:
        _posixshmem.shm_unlink("/" + name)
        block = _Block(fd, nbytes)
    finally:
        os.close(fd)
    return _wrap(block, None)


def unlink_prefix(prefix):
    """Remove every segment whose name starts with ``prefix`` (what dead workers left behind)."""
    try:
        names = os.listdir(SHM_DIR)
    except OSError:
        return
    for name in names:
        if name.startswith(prefix):
            try:
                _posixshmem.shm_unlink("/" + name)
            except OSError:
                pass


# ---------------------------------------------------------------- transport

def _export(t, moved, names):
    """The persistent id of tensor ``t``: its segment and layout.

    A tensor not yet in a named segment (or in one an earlier message handed over, whose name the
    main process has unlinked) gets one: its whole storage is moved (once per message, ``moved``
    remembers it) when the tensor covers at least half of it, so views of one batch stay views of
    one mapping; a small view of a large storage is copied alone, contiguous. ``names`` collects
    the segments this message hands over.
    """
    if t.requires_grad and t.grad_fn is not None:
        raise RuntimeError(
            "Cowardly refusing to serialize non-leaf tensor which requires_grad, since autograd does not support "
            "crossing process boundaries.  If you just want to transfer the data, call detach() on the tensor "
            "before serializing (e.g., putting it on the queue).")
    dt, rg = t.dtype, bool(t.requires_grad)
    if t.numel() == 0:
        return ("ct_empty", dt._name, tuple(t.shape), rg)
    st = t.untyped_storage()
    base = st.data_ptr()
    block = _shared.get(base)
    if block is None or block.name is None or (block.name in _sent and block.name not in names):
        block = moved.get(base)     # not in a named segment, or in one an earlier message handed over
    if block is None:
        if st.size() <= 2 * t.numel() * dt.itemsize:
            arr = new_segment(st.size())
            ctypes.memmove(arr.ctypes.data, base, st.size())
            block = moved[base] = _shared[arr.ctypes.data]
        else:
            t = empty(tuple(t.shape), dt).copy_(t.detach() if t.requires_grad else t)
            base = t.untyped_storage().data_ptr()
            block = _shared[base]
    offset = (t.data_ptr() - base) // dt.itemsize
    if block.name not in names:
        _sent.add(block.name)
        names.append(block.name)
    return ("ct_shm", block.name, len(block), dt._name, tuple(t.shape), tuple(t.stride()), offset, rg)


class _Pickler(pickle.Pickler):
    def __init__(self, f):
        super().__init__(f, protocol=pickle.HIGHEST_PROTOCOL)
        self._moved = {}        # storage address here -> the segment it was moved to
        self.names = []         # the segments this message hands over

    def persistent_id(self, obj):
        if isinstance(obj, TensorBase):
            return _export(obj, self._moved, self.names)
        return None


class _Unpickler(pickle.Unpickler):
    def __init__(self, f):
        super().__init__(f)
        self._maps = {}

    def persistent_load(self, pid):
        kind = pid[0]
        if kind == "ct_empty":
            _, dt_name, shape, rg = pid
            t = cytorch.empty(shape, dtype=_C._dtype_from_name(dt_name))
        elif kind == "ct_shm":
            _, name, nbytes, dt_name, shape, stride, offset, rg = pid
            arr = self._maps.get(name)
            if arr is None:
                arr = self._maps[name] = attach(name, nbytes)
            t = _tensor_over(arr, _C._dtype_from_name(dt_name), shape, stride, offset)
        else:
            raise pickle.UnpicklingError(f"unknown persistent id {kind!r}")
        if rg:
            t.requires_grad_(True)
        return t


def dumps(obj):
    """Pickle ``obj`` with its tensors moved to named shared memory (in a worker)."""
    buf = io.BytesIO()
    p = _Pickler(buf)
    try:
        p.dump(obj)
    except BaseException:
        for name in p.names:          # the message won't go: its segments are nobody's
            _sent.discard(name)
            try:
                _posixshmem.shm_unlink("/" + name)
            except OSError:
                pass
        raise
    return buf.getbuffer()


def loads(data):
    """Unpickle what :func:`dumps` made: map each segment, unlink its name, wrap it zero-copy."""
    return _Unpickler(io.BytesIO(data)).load()


# ---------------------------------------------------------------- Tensor.share_memory_ / is_shared

@tensor_method
def share_memory_(self):
    """Move the storage to shared memory (a no-op if it is there); forked processes then share it.

    Returns self. Example: ``t = cytorch.zeros(3).share_memory_(); t.is_shared()`` -> True.
    """
    if is_shared(self):
        return self
    st = self.untyped_storage()
    nbytes = st.size()
    if nbytes == 0:
        return self
    arr = _wrap(_Block(-1, nbytes), None)
    ctypes.memmove(arr.ctypes.data, st.data_ptr(), nbytes)
    offset = (self.data_ptr() - st.data_ptr()) // self.dtype.itemsize
    _C._set_(self, _tensor_over(arr, self.dtype, tuple(self.shape), tuple(self.stride()), offset))
    return self


@tensor_method
def is_shared(self):
    """Whether the storage is in shared memory (``share_memory_()``, or a batch from a worker)."""
    return self.untyped_storage().data_ptr() in _shared
