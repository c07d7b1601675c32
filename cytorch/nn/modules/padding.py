"""Padding layers: ConstantPad, ZeroPad, ReflectionPad, ReplicationPad, CircularPad (1d/2d/3d),
each one call to :func:`cytorch.nn.functional.pad`."""
from cytorch.nn import functional as F
from cytorch.nn.modules.module import Module

__all__ = ["CircularPad1d", "CircularPad2d", "CircularPad3d", "ConstantPad1d", "ConstantPad2d", "ConstantPad3d",
           "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d", "ReplicationPad2d",
           "ReplicationPad3d", "ZeroPad1d", "ZeroPad2d", "ZeroPad3d"]


def _expand(padding, n):
    """An int -> the same size on all 2n sides; a sequence is taken as (left, right, top, ...)."""
    if isinstance(padding, int):
        return (padding,) * (2 * n)
    return tuple(padding)


class _PadNd(Module):
    """Pads the last ``_dims`` dims with ``_mode``; ``padding`` as F.pad's, or one int for all sides."""

    __constants__ = ["padding"]
    _mode = "constant"
    _dims = 1

    def __init__(self, padding):
        super().__init__()
        self.padding = _expand(padding, self._dims)

    def forward(self, input):
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self):
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    __constants__ = ["padding", "value"]

    def __init__(self, padding, value):
        super().__init__(padding)
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class _CircularPadNd(_PadNd):
    _mode = "circular"

    def forward(self, input):
        nd = self._dims
        if input.dim() not in (nd + 1, nd + 2):
            raise ValueError(f"expected {nd + 1}D or {nd + 2}D input (got {input.dim()}D input)")
        return super().forward(input)


class _ZeroPad:
    """Mixin of ZeroPad1d/2d/3d: a ConstantPadNd whose value is 0, printed without it."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    extra_repr = _PadNd.extra_repr


class ConstantPad1d(_ConstantPadNd):
    r"""Pad the last dim with ``value``: padding int or (left, right).

    Example::

        >>> nn.ConstantPad1d(1, 3.5)(cytorch.zeros(1, 2)).tolist()
        [[3.5, 0.0, 0.0, 3.5]]
    """

    _dims = 1


class ConstantPad2d(_ConstantPadNd):
    r"""Pad the last 2 dims with ``value``: padding int or (left, right, top, bottom).

    Example::

        >>> nn.ConstantPad2d(1, 0.5)(cytorch.zeros(1, 2, 2)).shape
        cytorch.Size([1, 4, 4])
    """

    _dims = 2


class ConstantPad3d(_ConstantPadNd):
    r"""Pad the last 3 dims with ``value``: padding int or a 6-tuple.

    Example::

        >>> nn.ConstantPad3d(1, 0.5)(cytorch.zeros(1, 2, 2, 2)).shape
        cytorch.Size([1, 4, 4, 4])
    """

    _dims = 3


class ZeroPad1d(_ZeroPad, ConstantPad1d):
    r"""Pad the last dim with zeros.

    Example::

        >>> nn.ZeroPad1d((1, 2))(cytorch.ones(1, 2)).tolist()
        [[0.0, 1.0, 1.0, 0.0, 0.0]]
    """


class ZeroPad2d(_ZeroPad, ConstantPad2d):
    r"""Pad the last 2 dims with zeros.

    Example::

        >>> nn.ZeroPad2d(1)(cytorch.ones(1, 2, 2)).shape
        cytorch.Size([1, 4, 4])
    """


class ZeroPad3d(_ZeroPad, ConstantPad3d):
    r"""Pad the last 3 dims with zeros.

    Example::

        >>> nn.ZeroPad3d(1)(cytorch.ones(1, 2, 2, 2)).shape
        cytorch.Size([1, 4, 4, 4])
    """


class ReflectionPad1d(_PadNd):
    r"""Pad the last dim of a (C, W) or (N, C, W) input by reflection (padding < W).

    Example::

        >>> nn.ReflectionPad1d(2)(cytorch.arange(4.).reshape(1, 1, 4)).tolist()
        [[[2.0, 1.0, 0.0, 1.0, 2.0, 3.0, 2.0, 1.0]]]
    """

    _mode, _dims = "reflect", 1


class ReflectionPad2d(_PadNd):
    r"""Pad the last 2 dims of a (C, H, W) or (N, C, H, W) input by reflection.

    Example::

        >>> nn.ReflectionPad2d(1)(cytorch.zeros(1, 1, 3, 3)).shape
        cytorch.Size([1, 1, 5, 5])
    """

    _mode, _dims = "reflect", 2


class ReflectionPad3d(_PadNd):
    r"""Pad the last 3 dims of a (C, D, H, W) or (N, C, D, H, W) input by reflection.

    Example::

        >>> nn.ReflectionPad3d(1)(cytorch.zeros(1, 1, 2, 2, 2)).shape
        cytorch.Size([1, 1, 4, 4, 4])
    """

    _mode, _dims = "reflect", 3


class ReplicationPad1d(_PadNd):
    r"""Pad the last dim of a (C, W) or (N, C, W) input with its edge values.

    Example::

        >>> nn.ReplicationPad1d((1, 2))(cytorch.tensor([[[1., 2.]]])).tolist()
        [[[1.0, 1.0, 2.0, 2.0, 2.0]]]
    """

    _mode, _dims = "replicate", 1


class ReplicationPad2d(_PadNd):
    r"""Pad the last 2 dims of a (C, H, W) or (N, C, H, W) input with its edge values.

    Example::

        >>> nn.ReplicationPad2d(1)(cytorch.zeros(1, 1, 2, 2)).shape
        cytorch.Size([1, 1, 4, 4])
    """

    _mode, _dims = "replicate", 2


class ReplicationPad3d(_PadNd):
    r"""Pad the last 3 dims of a (C, D, H, W) or (N, C, D, H, W) input with its edge values.

    Example::

        >>> nn.ReplicationPad3d(1)(cytorch.zeros(1, 1, 2, 2, 2)).shape
        cytorch.Size([1, 1, 4, 4, 4])
    """

    _mode, _dims = "replicate", 3


class CircularPad1d(_CircularPadNd):
    r"""Pad the last dim of a (C, W) or (N, C, W) input by wrapping around.

    Example::

        >>> nn.CircularPad1d(1)(cytorch.tensor([[[1., 2., 3.]]])).tolist()
        [[[3.0, 1.0, 2.0, 3.0, 1.0]]]
    """

    _dims = 1


class CircularPad2d(_CircularPadNd):
    r"""Pad the last 2 dims of a (C, H, W) or (N, C, H, W) input by wrapping around.

    Example::

        >>> nn.CircularPad2d(1)(cytorch.zeros(1, 1, 2, 2)).shape
        cytorch.Size([1, 1, 4, 4])
    """

    _dims = 2


class CircularPad3d(_CircularPadNd):
    r"""Pad the last 3 dims of a (C, D, H, W) or (N, C, D, H, W) input by wrapping around.

    Example::

        >>> nn.CircularPad3d(1)(cytorch.zeros(1, 1, 2, 2, 2)).shape
        cytorch.Size([1, 1, 4, 4, 4])
    """

    _dims = 3
