"""cytorch.Tensor: the Python face of the Cython TensorBase.

The hot paths (arithmetic slots, views, metadata) are Cython methods of
TensorBase. Everything else is a plain function in one of the op-family
modules under cytorch/_ops/, attached here as a method with
``@tensor_method`` so that each family stays in its own file.
"""
from cytorch._C import _tensor as _C
from cytorch._C._tensor import TensorBase, Size

__all__ = ["Tensor", "tensor_method", "device"]


class device:
    """Where a tensor lives. Only ``"cpu"`` exists until the GPU backend lands."""

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        type = str(type)
        if ":" in type:
            type, idx = type.split(":", 1)
            index = int(idx)
        if type not in ("cpu", "cuda", "meta"):
            raise RuntimeError(f"Expected one of cpu, cuda, meta device type at start of device string: {type}")
        self.type = type
        self.index = index

    def __repr__(self):
        return f"device(type='{self.type}')" if self.index is None else f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))


CPU = device("cpu")


def _check_device(dev):
    """Accept cpu; raise clearly for cuda (no GPU backend yet) and unknown names."""
    if dev is None:
        return
    d = dev if isinstance(dev, device) else device(dev)
    if d.type != "cpu":
        raise RuntimeError(
            f"cytorch: device '{d}' is not available: cytorch has no {d.type.upper()} backend yet "
            "(cytorch.cuda.is_available() is False)")


class Tensor(TensorBase):
    """An n-dimensional strided array with PyTorch's API.

    ``cytorch.Tensor(2, 3)`` makes an uninitialised float tensor and
    ``cytorch.Tensor([1, 2])`` a float tensor from data (PyTorch's legacy
    constructor); prefer ``cytorch.tensor``/``cytorch.empty``.
    """

    def __new__(cls, *args, device=None):
        _check_device(device)
        from cytorch._ops.creation import empty, tensor
        if len(args) == 1 and not isinstance(args[0], int):
            t = tensor(args[0], dtype=_C.get_default_dtype()) if not isinstance(args[0], TensorBase) else args[0]
        else:
            t = empty(*args)
        if cls is Tensor:
            return t
        return t._as_subclass(cls)

    @property
    def device(self):
        return CPU

    @property
    def is_cuda(self):
        return False

    @property
    def is_cpu(self):
        return True

    @property
    def is_meta(self):
        return False

    @property
    def is_sparse(self):
        return False

    @property
    def is_quantized(self):
        return False

    @property
    def layout(self):
        from cytorch import strided
        return strided

    def get_device(self):
        return -1

    def _as_subclass(self, cls):
        """A view of self whose Python class is ``cls`` (used by nn.Parameter)."""
        return _C._as_subclass(self, cls)

    def __repr__(self, *, tensor_contents=None):
        from cytorch._tensor_str import _str
        return _str(self, tensor_contents=tensor_contents)

    def __format__(self, spec):
        if self.dim() == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __array__(self, dtype=None, copy=None):
        import numpy as np
        a = np.asarray(self.numpy())
        if dtype is not None and a.dtype != dtype:
            a = a.astype(dtype)
        elif copy:
            a = a.copy()
        return a

    def numpy(self, *, force=False):
        """A NumPy array sharing this tensor's memory (``force=True``: of a detached tensor)."""
        import numpy as np
        if self.requires_grad:
            if not force:
                raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                                   "instead.")
            self = self.detach()
        return np.asarray(_ArrayView(self))

    # PyTorch raises ValueError (not TypeError) for multi-element tensors, and converts complex
    # values only when their imaginary part is zero.
    def __float__(self):
        return float(_python_scalar(self, "double"))

    def __int__(self):
        return int(_python_scalar(self, "int64_t"))

    def __complex__(self):
        return complex(_python_scalar(self, None))

    def __iter__(self):
        if self.dim() == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self.select(0, i) for i in range(self.shape[0]))

    def __contains__(self, element):
        if isinstance(element, (TensorBase, int, float, bool, complex)):
            return bool((self == element).any().item())
        raise RuntimeError(
            f"Tensor.__contains__ only supports Tensor or scalar, but you passed in a {type(element)}.")

    def __reversed__(self):
        return self.flip(0) if self.dim() > 0 else self

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        if not self.is_leaf:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                               "protocol at the moment.  If you were attempting to deepcopy a module, this may be "
                               "because of a torch.nn.utils.weight_norm usage, see "
                               "https://github.com/pytorch/pytorch/pull/103001")
        r = self.detach().clone()
        if self.requires_grad:
            r.requires_grad_(True)
        if self.grad is not None:
            import copy
            r.grad = copy.deepcopy(self.grad, memo)
        if type(self) is not Tensor:
            r = r._as_subclass(type(self))
        d = getattr(self, "__dict__", None)
        if d:
            import copy
            r.__dict__.update(copy.deepcopy(d, memo))
        memo[id(self)] = r
        return r

    def __reduce_ex__(self, proto):
        # Pickle (for worker processes, deepcopy fallbacks): raw bytes + metadata.
        import ctypes
        c = self.contiguous()
        raw = ctypes.string_at(c.data_ptr(), c.nbytes) if c.numel() else b""
        return (_rebuild_tensor, (raw, self.dtype, tuple(self.shape), type(self), getattr(self, "__dict__", None) or None,
                                  self.requires_grad))


def _python_scalar(t, ctype):
    if t.numel() != 1:
        raise ValueError("only one element tensors can be converted to Python scalars")
    v = t.item()
    if ctype is not None and isinstance(v, complex):
        if v.imag != 0:
            raise RuntimeError(f"value cannot be converted to type {ctype} without overflow")
        v = v.real
    return v


class _ArrayView:
    """Exposes a tensor's memory to NumPy through __array_interface__ (zero copy)."""

    __slots__ = ("_t", "__array_interface__")

    def __init__(self, t):
        self._t = t
        self.__array_interface__ = t.__array_interface__


def _rebuild_tensor(raw, dtype, shape, cls=None, state=None, requires_grad=False):
    from cytorch._ops.creation import empty
    t = empty(shape, dtype=dtype)
    if raw:
        import ctypes
        if len(raw) != t.nbytes:
            raise RuntimeError(f"cannot unpickle a tensor of shape {list(shape)}: {len(raw)} bytes, need {t.nbytes}")
        ctypes.memmove(t.data_ptr(), raw, len(raw))
    if cls is not None and cls is not Tensor:
        t = t._as_subclass(cls)
    if state:
        t.__dict__.update(state)
    if requires_grad:
        t.requires_grad_(True)
    return t


_C._register_tensor_type(Tensor)


def tensor_method(fn=None, *, name=None):
    """Attach a module-level op to cytorch.Tensor as a method (``x.op(...)``)."""
    def attach(f):
        setattr(Tensor, name or f.__name__, f)
        return f
    return attach(fn) if fn is not None else attach
