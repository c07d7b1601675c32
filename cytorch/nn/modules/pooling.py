"""Max, average, power-average and adaptive pooling layers, and MaxUnpool."""
from cytorch.nn import functional as F
from cytorch.nn.modules.module import Module

__all__ = ["MaxPool1d", "MaxPool2d", "MaxPool3d", "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d",
           "AvgPool1d", "AvgPool2d", "AvgPool3d", "LPPool1d", "LPPool2d", "LPPool3d",
           "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d",
           "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d"]


def _tup(x, n):
    return tuple(x) if isinstance(x, (list, tuple)) else (x,) * n


class _MaxPoolNd(Module):
    __constants__ = ["kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode"]
    _f = None

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if (stride is not None) else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input):
        return type(self)._f(input, self.kernel_size, self.stride, self.padding, self.dilation,
                             ceil_mode=self.ceil_mode, return_indices=self.return_indices)

    def extra_repr(self):
        return ("kernel_size={kernel_size}, stride={stride}, padding={padding}, dilation={dilation}, "
                "ceil_mode={ceil_mode}".format(**self.__dict__))


class MaxPool1d(_MaxPoolNd):
    r"""Max over sliding windows of (N, C, L) or (C, L) inputs.

    Args:
        kernel_size: window size; stride: step (default kernel_size); padding: implicit -inf
            on both sides (at most half the window); dilation: spacing of window elements;
        return_indices: also return the flat input index of each maximum (for MaxUnpool1d);
        ceil_mode: round the output size up.

    Shape:
        L_out = floor((L_in + 2*padding - dilation*(kernel_size - 1) - 1) / stride + 1)

    Example::
        >>> nn.MaxPool1d(3, stride=2)(cytorch.randn(20, 16, 50)).shape
        cytorch.Size([20, 16, 24])
    """
    _f = F.max_pool1d


class MaxPool2d(_MaxPoolNd):
    r"""2-d max pooling over (N, C, H, W) or (C, H, W) inputs; arguments as MaxPool1d (ints or pairs).

    Example::
        >>> nn.MaxPool2d((3, 2), stride=(2, 1))(cytorch.randn(20, 16, 50, 32)).shape
        cytorch.Size([20, 16, 24, 31])
    """
    _f = F.max_pool2d


class MaxPool3d(_MaxPoolNd):
    r"""3-d max pooling over (N, C, D, H, W) or (C, D, H, W) inputs; arguments as MaxPool1d.

    Example::
        >>> nn.MaxPool3d(2)(cytorch.randn(1, 2, 4, 6, 8)).shape
        cytorch.Size([1, 2, 2, 3, 4])
    """
    _f = F.max_pool3d


class _MaxUnpoolNd(Module):
    _n = 2
    _f = None

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size = _tup(kernel_size, self._n)
        self.stride = _tup(stride if stride is not None else kernel_size, self._n)
        self.padding = _tup(padding, self._n)

    def forward(self, input, indices, output_size=None):
        return type(self)._f(input, indices, self.kernel_size, self.stride, self.padding, output_size)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    r"""Partial inverse of MaxPool1d: each value goes to its index, zeros elsewhere.

    forward(input, indices, output_size=None); output_size picks among the sizes that pool to
    the input's (within one stride of the default).

    Example::
        >>> pool, unpool = nn.MaxPool1d(2, return_indices=True), nn.MaxUnpool1d(2)
        >>> unpool(*pool(cytorch.tensor([[[1., 2, 3, 4]]]))).tolist()
        [[[0.0, 2.0, 0.0, 4.0]]]
    """
    _n = 1
    _f = F.max_unpool1d


class MaxUnpool2d(_MaxUnpoolNd):
    r"""Partial inverse of MaxPool2d (see MaxUnpool1d)."""
    _n = 2
    _f = F.max_unpool2d


class MaxUnpool3d(_MaxUnpoolNd):
    r"""Partial inverse of MaxPool3d (see MaxUnpool1d)."""
    _n = 3
    _f = F.max_unpool3d


class _AvgPoolNd(Module):
    __constants__ = ["kernel_size", "stride", "padding", "ceil_mode", "count_include_pad"]

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool1d(_AvgPoolNd):
    r"""Average over sliding windows of (N, C, L) or (C, L) inputs.

    Args:
        kernel_size, stride (default kernel_size), padding (zeros, at most half the window),
        ceil_mode: as MaxPool1d;
        count_include_pad: count the padding in the divisor. Default: True

    Example::
        >>> nn.AvgPool1d(3, stride=2)(cytorch.tensor([[[1., 2, 3, 4, 5, 6, 7]]])).tolist()
        [[[2.0, 4.0, 6.0]]]
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
        super().__init__()
        self.kernel_size = _tup(kernel_size, 1)
        self.stride = _tup(stride if stride is not None else kernel_size, 1)
        self.padding = _tup(padding, 1)
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input):
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)


class _AvgPool(_AvgPoolNd):
    _f = None

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if (stride is not None) else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input):
        return type(self)._f(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                             self.count_include_pad, self.divisor_override)


class AvgPool2d(_AvgPool):
    r"""2-d average pooling over (N, C, H, W) or (C, H, W); as AvgPool1d, plus divisor_override
    (divide every window sum by this instead).

    Example::
        >>> nn.AvgPool2d(3, stride=2)(cytorch.randn(20, 16, 50, 32)).shape
        cytorch.Size([20, 16, 24, 15])
    """
    _f = F.avg_pool2d


class AvgPool3d(_AvgPool):
    r"""3-d average pooling over (N, C, D, H, W) or (C, D, H, W); as AvgPool2d."""
    _f = F.avg_pool3d


class _LPPoolNd(Module):
    __constants__ = ["norm_type", "kernel_size", "stride", "ceil_mode"]
    _f = None

    def __init__(self, norm_type, kernel_size, stride=None, ceil_mode=False):
        super().__init__()
        self.norm_type = norm_type
        self.kernel_size = kernel_size
        self.stride = stride
        self.ceil_mode = ceil_mode

    def forward(self, input):
        return type(self)._f(input, float(self.norm_type), self.kernel_size, self.stride, self.ceil_mode)

    def extra_repr(self):
        return "norm_type={norm_type}, kernel_size={kernel_size}, stride={stride}, ceil_mode={ceil_mode}".format(
            **self.__dict__)


class LPPool1d(_LPPoolNd):
    r"""Power-average pooling: (sum over the window of x^p)^(1/p), p = norm_type.

    Example::
        >>> nn.LPPool1d(2, 2)(cytorch.tensor([[[3., 4.]]])).tolist()
        [[[5.0]]]
    """
    _f = F.lp_pool1d


class LPPool2d(_LPPoolNd):
    r"""2-d power-average pooling (see LPPool1d)."""
    _f = F.lp_pool2d


class LPPool3d(_LPPoolNd):
    r"""3-d power-average pooling (see LPPool1d)."""
    _f = F.lp_pool3d


class _AdaptiveAvgPoolNd(Module):
    __constants__ = ["output_size"]
    _f = None

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return type(self)._f(input, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptiveAvgPoolNd):
    r"""Average pooling to a fixed output size (windows [floor(o*L/O), ceil((o+1)*L/O))).

    Example::
        >>> nn.AdaptiveAvgPool1d(5)(cytorch.randn(1, 64, 8)).shape
        cytorch.Size([1, 64, 5])
    """
    _f = F.adaptive_avg_pool1d


class AdaptiveAvgPool2d(_AdaptiveAvgPoolNd):
    r"""2-d adaptive average pooling; output_size an int or a pair (None keeps that input size).

    Example::
        >>> nn.AdaptiveAvgPool2d((5, None))(cytorch.randn(1, 64, 10, 9)).shape
        cytorch.Size([1, 64, 5, 9])
    """
    _f = F.adaptive_avg_pool2d


class AdaptiveAvgPool3d(_AdaptiveAvgPoolNd):
    r"""3-d adaptive average pooling (see AdaptiveAvgPool2d)."""
    _f = F.adaptive_avg_pool3d


class _AdaptiveMaxPoolNd(Module):
    __constants__ = ["output_size", "return_indices"]
    _f = None

    def __init__(self, output_size, return_indices=False):
        super().__init__()
        self.output_size = output_size
        self.return_indices = return_indices

    def forward(self, input):
        return type(self)._f(input, self.output_size, self.return_indices)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    r"""Max pooling to a fixed output size; return_indices also returns the flat input indices.

    Example::
        >>> nn.AdaptiveMaxPool1d(2)(cytorch.tensor([[[1., 5, 2, 4]]])).tolist()
        [[[5.0, 4.0]]]
    """
    _f = F.adaptive_max_pool1d


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    r"""2-d adaptive max pooling (see AdaptiveMaxPool1d, AdaptiveAvgPool2d)."""
    _f = F.adaptive_max_pool2d


class AdaptiveMaxPool3d(_AdaptiveMaxPoolNd):
    r"""3-d adaptive max pooling (see AdaptiveMaxPool1d)."""
    _f = F.adaptive_max_pool3d
