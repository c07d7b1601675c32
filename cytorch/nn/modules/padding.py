"""Zero / constant / reflection / replication / circular padding layers (1-3 padded dims)."""
from cytorch.nn._conv_functional import _pad
from cytorch.nn.modules.module import Module

__all__ = ["ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "ConstantPad1d", "ConstantPad2d", "ConstantPad3d",
           "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d", "ReplicationPad2d",
           "ReplicationPad3d", "CircularPad1d", "CircularPad2d", "CircularPad3d"]


def _padding(padding, n):
    """An int (every side) or a 2n-tuple (left, right, top, bottom, front, back), as PyTorch."""
    if isinstance(padding, (tuple, list)):
        if len(padding) != 2 * n:
            raise ValueError(f"padding must be an int or a {2 * n}-tuple, got {padding}")
        return tuple(padding)
    return (padding,) * (2 * n)


class _PadNd(Module):
    __constants__ = ["padding"]
    _n = 1
    _mode = "constant"

    def __init__(self, padding):
        super().__init__()
        self.padding = _padding(padding, self._n)

    def forward(self, input):
        if self._mode != "constant" and input.dim() not in (self._n + 1, self._n + 2):
            raise ValueError(f"{type(self).__name__}: expected {self._n + 1}D or {self._n + 2}D input "
                             f"(got {input.dim()}D input)")
        return _pad(input, self.padding, self._mode)

    def extra_repr(self):
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    __constants__ = ["padding", "value"]

    def __init__(self, padding, value):
        super().__init__(padding)
        self.value = value

    def forward(self, input):
        return _pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    r"""Pad the last dim with ``value``: padding = int or (left, right); negative values crop.

    Example::
        >>> nn.ConstantPad1d(2, 3.5)(cytorch.zeros(1, 2, 2)).shape
        cytorch.Size([1, 2, 6])
    """
    _n = 1


class ConstantPad2d(_ConstantPadNd):
    r"""Pad the last 2 dims with ``value``: padding = int or (left, right, top, bottom)."""
    _n = 2


class ConstantPad3d(_ConstantPadNd):
    r"""Pad the last 3 dims with ``value``: padding = int or (left, right, top, bottom, front, back)."""
    _n = 3


class ZeroPad1d(ConstantPad1d):
    r"""Pad the last dim with zeros (ConstantPad1d with value 0).

    Example::
        >>> nn.ZeroPad1d((1, 2))(cytorch.ones(1, 1, 2)).tolist()
        [[[0.0, 1.0, 1.0, 0.0, 0.0]]]
    """

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    r"""Pad the last 2 dims with zeros: padding = int or (left, right, top, bottom)."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad3d(ConstantPad3d):
    r"""Pad the last 3 dims with zeros."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ReflectionPad1d(_PadNd):
    r"""Pad the last dim of (C, W) or (N, C, W) with its reflection (edge not repeated);
    each pad must be smaller than the dim.

    Example::
        >>> nn.ReflectionPad1d(2)(cytorch.tensor([[[0., 1., 2., 3.]]])).tolist()
        [[[2.0, 1.0, 0.0, 1.0, 2.0, 3.0, 2.0, 1.0]]]
    """
    _n, _mode = 1, "reflect"


class ReflectionPad2d(_PadNd):
    r"""Reflection padding of the last 2 dims of a 3-d or 4-d input."""
    _n, _mode = 2, "reflect"


class ReflectionPad3d(_PadNd):
    r"""Reflection padding of the last 3 dims of a 4-d or 5-d input."""
    _n, _mode = 3, "reflect"


class ReplicationPad1d(_PadNd):
    r"""Pad the last dim by repeating its edge values.

    Example::
        >>> nn.ReplicationPad1d((1, 2))(cytorch.tensor([[[1., 2.]]])).tolist()
        [[[1.0, 1.0, 2.0, 2.0, 2.0]]]
    """
    _n, _mode = 1, "replicate"


class ReplicationPad2d(_PadNd):
    r"""Replication padding of the last 2 dims of a 3-d or 4-d input."""
    _n, _mode = 2, "replicate"


class ReplicationPad3d(_PadNd):
    r"""Replication padding of the last 3 dims of a 4-d or 5-d input."""
    _n, _mode = 3, "replicate"


class CircularPad1d(_PadNd):
    r"""Pad the last dim by wrapping around (periodic); pads at most the dim's size.

    Example::
        >>> nn.CircularPad1d(1)(cytorch.tensor([[[1., 2., 3.]]])).tolist()
        [[[3.0, 1.0, 2.0, 3.0, 1.0]]]
    """
    _n, _mode = 1, "circular"


class CircularPad2d(_PadNd):
    r"""Circular padding of the last 2 dims of a 3-d or 4-d input."""
    _n, _mode = 2, "circular"


class CircularPad3d(_PadNd):
    r"""Circular padding of the last 3 dims of a 4-d or 5-d input."""
    _n, _mode = 3, "circular"
