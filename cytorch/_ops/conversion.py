"""Copies and conversions: to(), clone, copy_, fill_, the dtype shorthands."""
from cytorch._C import _tensor as _C
from cytorch._C._tensor import TensorBase, dtype as _dtype_cls
from cytorch._tensor import Tensor, _check_device, device, tensor_method

__all__ = ["clone"]

_by_name = _C._dtype_from_name


def clone(input, *, memory_format=None):
    """A copy of ``input`` with its own (contiguous) storage."""
    return input._clone()


tensor_method(clone)


@tensor_method
def to(self, *args, **kwargs):
    """Convert dtype and/or device: ``to(dtype)``, ``to(device, dtype)``, ``to(other)``.

    Returns ``self`` when nothing changes (unless ``copy=True``).
    """
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    dt = kwargs.pop("dtype", None)
    dev = kwargs.pop("device", None)
    if kwargs:
        raise TypeError(f"to() got unexpected keyword arguments {list(kwargs)}")
    for a in args:
        if isinstance(a, _dtype_cls):
            dt = a
        elif isinstance(a, TensorBase):
            dt = a.dtype
        elif isinstance(a, (str, device)):
            dev = a
        elif isinstance(a, bool):
            continue
        elif a is not None:
            raise TypeError(f"to() received an invalid combination of arguments: {type(a).__name__}")
    _check_device(dev)
    if dt is None:
        return self.clone() if copy else self
    return self._to_dtype(dt, copy)


@tensor_method
def cpu(self, memory_format=None):
    return self


@tensor_method
def cuda(self, device=None, non_blocking=False):
    _check_device("cuda")


def _shorthand(name, dt_name):
    def f(self, memory_format=None):
        return self.to(_by_name(dt_name))
    f.__name__ = name
    f.__doc__ = f"``self.to(cytorch.{dt_name})``"
    tensor_method(f, name=name)


for _n, _d in (("float", "float32"), ("double", "float64"), ("half", "float16"), ("bfloat16", "bfloat16"),
               ("long", "int64"), ("int", "int32"), ("short", "int16"), ("char", "int8"), ("byte", "uint8"),
               ("bool", "bool"), ("cfloat", "complex64"), ("cdouble", "complex128")):
    _shorthand(_n, _d)

_LEGACY = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
           "bfloat16": "BFloat16Tensor", "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor",
           "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor", "complex64": "ComplexFloatTensor",
           "complex128": "ComplexDoubleTensor"}
_FROM_LEGACY = {v: k for k, v in _LEGACY.items()}


@tensor_method
def type(self, dtype=None, non_blocking=False):
    """Without arguments the type string ('cytorch.FloatTensor'); else ``to(dtype)``."""
    if dtype is None:
        return "cytorch." + _LEGACY[self.dtype._name]
    if isinstance(dtype, str):
        name = dtype.split(".")[-1]
        if name not in _FROM_LEGACY:
            raise ValueError(f"invalid type: '{dtype}'")
        dtype = _by_name(_FROM_LEGACY[name])
    return self.to(dtype)


@tensor_method
def type_as(self, other):
    return self.to(other.dtype)


@tensor_method
def copy_(self, src, non_blocking=False):
    """Copy ``src`` (broadcast, dtype-converted) into self in place."""
    if not isinstance(src, TensorBase):
        src = _C._scalar_tensor(src)
    return self._copy_from(src)


@tensor_method
def fill_(self, value):
    if isinstance(value, TensorBase):
        if value.dim() != 0:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with {value.dim()} dimensions.")
        value = value.item()
    return self._fill(value)


@tensor_method
def zero_(self):
    return self._fill(0)


@tensor_method
def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
    from cytorch._ops.creation import tensor
    return tensor(data, dtype=dtype or self.dtype, requires_grad=requires_grad)


def _new_factory(fname):
    def f(self, *size, dtype=None, device=None, requires_grad=False, **kw):
        from cytorch._ops import creation
        return getattr(creation, fname)(*size, dtype=dtype or self.dtype, device=device,
                                        requires_grad=requires_grad)
    f.__name__ = "new_" + fname
    tensor_method(f, name="new_" + fname)


for _f in ("empty", "zeros", "ones"):
    _new_factory(_f)


@tensor_method
def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
    from cytorch._ops.creation import full
    return full(size, fill_value, dtype=dtype or self.dtype, requires_grad=requires_grad)


@tensor_method
def resize_(self, *size):
    """Resize in place; only allowed when the element count is unchanged or self is empty."""
    from cytorch._ops._util import parse_size
    shape = parse_size(size, "resize_")
    if tuple(self.shape) == shape:
        return self
    n = 1
    for s in shape:
        n *= s
    if self.numel() == n and self.is_contiguous():
        return self.set_(self.view(shape))
    if self.numel() != 0:
        raise RuntimeError(f"resize_: cannot resize a tensor of shape {list(self.shape)} to {list(shape)} "
                           "(only empty tensors or same-size reshapes are supported)")
    return self.set_(_C.empty(shape, self.dtype))


@tensor_method
def set_(self, source):
    """Make self share ``source``'s storage, shape and strides."""
    _C._set_(self, source)
    return self
