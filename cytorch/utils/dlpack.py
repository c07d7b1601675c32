"""DLPack interop: share tensor memory with NumPy, PyTorch, JAX, CuPy, ... without copying.

``cytorch.from_dlpack(x)`` views any object that has ``__dlpack__`` (or a raw "dltensor" capsule);
``np.from_dlpack(t)`` / ``torch.from_dlpack(t)`` view a cytorch tensor. Writes show through both
ways, and the producer's memory lives as long as any view of it. The C structs, the capsule
protocol and the deleters are in cytorch/_C/_dlpack.pyx.

Example::

    >>> import numpy as np, cytorch
    >>> a = np.arange(3.0)
    >>> t = cytorch.from_dlpack(a)
    >>> t[0] = 7.0  # doctest: +SKIP
    >>> a  # doctest: +SKIP
    array([7., 1., 2.])
"""
import enum

from cytorch._C import _dlpack as _D
from cytorch._C._tensor import TensorBase
from cytorch._tensor import tensor_method

__all__ = ["from_dlpack", "to_dlpack"]   # both also top-level, as torch.from_dlpack / torch.to_dlpack


class DLDeviceType(enum.IntEnum):
    """DLPack device type codes (only kDLCPU is produced or consumed by cytorch)."""
    kDLCPU = 1
    kDLCUDA = 2
    kDLCUDAHost = 3
    kDLOpenCL = 4
    kDLVulkan = 7
    kDLMetal = 8
    kDLVPI = 9
    kDLROCM = 10
    kDLROCMHost = 11
    kDLExtDev = 12
    kDLCUDAManaged = 13
    kDLOneAPI = 14
    kDLWebGPU = 15
    kDLHexagon = 16
    kDLMAIA = 17


_CPU_TYPES = (DLDeviceType.kDLCPU, DLDeviceType.kDLCUDAHost)


def _dlpack_device(self):
    """``(device_type, device_id)`` of the tensor's memory in DLPack terms: always (kDLCPU, 0)."""
    return (DLDeviceType.kDLCPU, 0)


def _dlpack(self, stream=None, max_version=None, dl_device=None, copy=None):
    """Export this tensor as a DLPack capsule (the producer half of ``from_dlpack``).

    Args:
        stream: must be None (or -1) for CPU tensors.
        max_version: the newest DLPack version ``(major, minor)`` the consumer understands; with
            ``major >= 1`` a "dltensor_versioned" capsule is returned, else a legacy "dltensor".
        dl_device: the device the consumer wants; only ``(kDLCPU, 0)`` is possible.
        copy: True exports a copy; False or None share memory (never copies).
    """
    if self.requires_grad:
        raise RuntimeError("Can't export tensors that require gradient, use tensor.detach()")
    if stream is not None and stream != -1:
        raise ValueError(f"__dlpack__: stream should be None on cpu (got {stream!r})")
    if dl_device is not None:
        dev_type, dev_id = dl_device
        if int(dev_type) != DLDeviceType.kDLCPU or int(dev_id) != 0:
            raise BufferError(f"__dlpack__: cannot export a CPU tensor to device {tuple(dl_device)}")
    versioned = max_version is not None and int(max_version[0]) >= 1
    return _D.to_capsule(self, versioned, bool(copy))


tensor_method(_dlpack, name="__dlpack__")
tensor_method(_dlpack_device, name="__dlpack_device__")


def to_dlpack(tensor):
    """A legacy DLPack capsule ("dltensor") viewing ``tensor``; consume it once with ``from_dlpack``."""
    if not isinstance(tensor, TensorBase):
        raise TypeError(f"to_dlpack: expected a Tensor, got {type(tensor).__name__}")
    if tensor.requires_grad:
        raise RuntimeError("Can't export tensors that require gradient, use tensor.detach()")
    return _D.to_capsule(tensor, False, False)


def from_dlpack(ext_tensor):
    """A cytorch tensor sharing memory with ``ext_tensor`` (no copy).

    Args:
        ext_tensor: an object with ``__dlpack__``/``__dlpack_device__`` (NumPy array, PyTorch
            tensor, cytorch tensor, ...) or a DLPack capsule from a legacy ``to_dlpack``.

    Example::

        >>> import numpy as np, cytorch
        >>> cytorch.from_dlpack(np.ones(2, dtype=np.float32))
        tensor([1., 1.])
    """
    if hasattr(ext_tensor, "__dlpack__"):
        if hasattr(ext_tensor, "__dlpack_device__"):
            dev = ext_tensor.__dlpack_device__()
            if int(dev[0]) not in _CPU_TYPES:
                raise RuntimeError(
                    f"from_dlpack: the tensor lives on DLPack device {tuple(int(x) for x in dev)}; cytorch "
                    "only has a CPU backend (move it to the CPU first)")
        try:
            cap = ext_tensor.__dlpack__(max_version=(1, 0))
        except TypeError:   # a producer older than DLPack 1.0 knows no max_version
            cap = ext_tensor.__dlpack__()
        return _D.from_capsule(cap)
    return _D.from_capsule(ext_tensor)
