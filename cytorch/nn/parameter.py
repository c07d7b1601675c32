"""Parameter, Buffer and the uninitialised parameter of lazy modules (PyTorch's API).

A Parameter is a Tensor subclass: a new header over the same storage as the data it wraps
(no copy), a leaf that requires grad by default. Operations on a Parameter return plain
Tensors, because every tensor made in the Cython core is a ``cytorch.Tensor``.
"""
import cytorch
from cytorch._tensor import Tensor

__all__ = ["Parameter", "UninitializedParameter", "UninitializedBuffer", "UninitializedTensorMixin",
           "is_lazy", "Buffer"]


class _ParameterMeta(type):
    # isinstance(t, Parameter) also holds for a tensor flagged ``_is_param`` (PyTorch's rule).
    def __instancecheck__(cls, instance):
        if cls is Parameter and isinstance(instance, Tensor) and getattr(instance, "_is_param", False):
            return True
        return type.__instancecheck__(cls, instance)


def _as_class(data, cls, requires_grad):
    """``data`` viewed as ``cls`` (same storage), a leaf that requires grad when asked."""
    t = data._as_subclass(cls)
    if requires_grad:
        t.requires_grad_(True)
    return t


class Parameter(Tensor, metaclass=_ParameterMeta):
    r"""A Tensor that is a module parameter: assigned as a Module attribute, it is registered
    and shows in ``parameters()``, ``named_parameters()`` and ``state_dict()``.

    Args:
        data (Tensor): the parameter's values (shared, not copied). Default: an empty tensor.
        requires_grad (bool): whether it requires gradient (also under ``no_grad``). Default: True

    Example::

        >>> p = nn.Parameter(cytorch.zeros(2))
        >>> p
        Parameter containing:
        tensor([0., 0.], requires_grad=True)
    """

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = cytorch.empty(0)
        elif not isinstance(data, Tensor):
            raise TypeError(f"Parameter(): argument 'data' must be Tensor, not {type(data).__name__}")
        return _as_class(data, cls, requires_grad)

    def __init__(self, data=None, requires_grad=True):
        pass

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        r = type(self)(self.data.clone(), self.requires_grad)
        memo[id(self)] = r
        return r

    def __repr__(self):
        return "Parameter containing:\n" + Tensor.__repr__(self)

    def __reduce_ex__(self, proto):
        state = {k: v for k, v in getattr(self, "__dict__", {}).items()}
        return (_rebuild_parameter, (self.data, self.requires_grad, type(self), state or None))


def _rebuild_parameter(data, requires_grad, cls=Parameter, state=None):
    p = cls(data, requires_grad)
    if state:
        p.__dict__.update(state)
    return p


class UninitializedTensorMixin:
    """What lazy parameters and buffers share: no data until ``materialize(shape)``."""

    def materialize(self, shape, device=None, dtype=None):
        r"""Give the tensor real (uninitialised) storage of ``shape`` and turn it into
        ``cls_to_become`` (a Parameter or a Tensor), in place.

        Args:
            shape (tuple): the shape of the materialised tensor.
            device: the device (only cpu); default: the current one.
            dtype: the dtype; default: the current one.
        """
        if dtype is None:
            dtype = self.data.dtype
        self.data = cytorch.empty(shape, device=device, dtype=dtype)
        self.__class__ = self.cls_to_become

    @property
    def shape(self):
        raise RuntimeError(
            "Can't access the shape of an uninitialized parameter or buffer. "
            "This error usually happens in `load_state_dict` when trying to load "
            "an uninitialized parameter into an initialized one. "
            "Call `forward` to initialize the parameters before accessing their attributes.")

    def size(self, dim=None):
        return self.shape

    def share_memory_(self):
        raise RuntimeError(
            "Can't share memory on an uninitialized parameter or buffer. "
            "Call `forward` to initialize the parameters before calling `module.share_memory()`.")

    def __repr__(self):
        return f"<{self.__class__.__name__}>"

    def __reduce_ex__(self, proto):
        return (self.__class__, (self.requires_grad,))


def is_lazy(param):
    """Whether ``param`` is an UninitializedParameter or UninitializedBuffer."""
    return isinstance(param, UninitializedTensorMixin)


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    r"""A Parameter whose shape is not known yet (used by LazyLinear and other lazy modules).

    It holds no data; ``materialize(shape)`` allocates it and turns it into a Parameter.

    Args:
        requires_grad (bool): Default: True
        device, dtype: used when it is materialised.
    """

    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        return _as_class(cytorch.empty(0, device=device, dtype=dtype), cls, requires_grad)

    def __init__(self, requires_grad=True, device=None, dtype=None):
        pass

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        r = type(self)(self.requires_grad, None, self.data.dtype)
        memo[id(self)] = r
        return r


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    r"""A buffer whose shape is not known yet; ``materialize(shape)`` makes it a Tensor.

    Args:
        requires_grad (bool): Default: False
        device, dtype: used when it is materialised.
    """

    cls_to_become = Tensor

    def __new__(cls, requires_grad=False, device=None, dtype=None):
        return _as_class(cytorch.empty(0, device=device, dtype=dtype), cls, requires_grad)

    def __init__(self, requires_grad=False, device=None, dtype=None):
        pass


class _BufferMeta(type):
    # isinstance(t, Buffer) holds for any tensor made by Buffer(...) (it is flagged ``_is_buffer``).
    def __instancecheck__(cls, instance):
        if cls is Buffer and isinstance(instance, Tensor) and getattr(instance, "_is_buffer", False):
            return True
        return type.__instancecheck__(cls, instance)


class Buffer(Tensor, metaclass=_BufferMeta):
    r"""Marks a tensor as a module buffer: assigned as a Module attribute it is registered with
    ``register_buffer(name, t, persistent)``. (A plain Tensor attribute is not registered.)

    ``Buffer(t)`` returns a detached Tensor over t's storage, flagged as a buffer.

    Args:
        data (Tensor): the buffer's values. Default: an empty tensor.
        persistent (bool): whether it is part of the module's ``state_dict``. Default: True
    """

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            data = cytorch.empty(0)
        t = data.detach()
        if data.requires_grad:
            t.requires_grad_(True)
        t.persistent = persistent
        t._is_buffer = True
        return t
