"""Conv1d/2d/3d and ConvTranspose1d/2d/3d."""
import math

import cytorch
from cytorch.nn import functional as F
from cytorch.nn import init
from cytorch.nn._conv_functional import _pad
from cytorch.nn.modules._utils import _optional_parameter
from cytorch.nn.modules.module import Module
from cytorch.nn.parameter import Parameter

__all__ = ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"]

_PADDING_MODES = {"zeros", "reflect", "replicate", "circular"}
_PADDING_STRINGS = {"same", "valid"}


def _ntuple(n):
    def parse(x):
        if isinstance(x, (list, tuple)):
            return tuple(x)
        return (x,) * n
    return parse


class _ConvNd(Module):
    """Shared state of the convolution layers (PyTorch's attribute names and state_dict keys)."""

    __constants__ = ["stride", "padding", "dilation", "groups", "padding_mode", "output_padding", "in_channels",
                     "out_channels", "kernel_size"]

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation, transposed,
                 output_padding, groups, bias, padding_mode, device=None, dtype=None):
        super().__init__()
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        if isinstance(padding, str):
            if padding not in _PADDING_STRINGS:
                raise ValueError(f"Invalid padding string {padding!r}, should be one of {_PADDING_STRINGS}")
            if padding == "same" and any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {_PADDING_MODES}, but got padding_mode='{padding_mode}'")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = kernel_size
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.transposed = transposed
        self.output_padding = output_padding
        self.groups = groups
        self.padding_mode = padding_mode
        # F.pad's (left, right) pairs from the last dim back, for the non-zero padding modes
        if isinstance(padding, str):
            self._reversed_padding_repeated_twice = [0, 0] * len(kernel_size)
            if padding == "same":
                for d, k, i in zip(dilation, kernel_size, range(len(kernel_size) - 1, -1, -1)):
                    total = d * (k - 1)
                    left = total // 2
                    self._reversed_padding_repeated_twice[2 * i] = left
                    self._reversed_padding_repeated_twice[2 * i + 1] = total - left
        else:
            self._reversed_padding_repeated_twice = tuple(p for p in reversed(padding) for _ in range(2))
        shape = (in_channels, out_channels // groups) if transposed else (out_channels, in_channels // groups)
        self.weight = Parameter(cytorch.empty(shape + tuple(kernel_size), device=device, dtype=dtype))
        _optional_parameter(self, "bias", bias, out_channels, device, dtype)
        self.reset_parameters()

    def reset_parameters(self):
        """kaiming_uniform_(a=sqrt(5)) weights and U(-1/sqrt(fan_in), 1/sqrt(fan_in)) bias, as PyTorch."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def extra_repr(self):
        s = "{in_channels}, {out_channels}, kernel_size={kernel_size}, stride={stride}"
        if self.padding != (0,) * len(self.padding):
            s += ", padding={padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += ", dilation={dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            s += ", output_padding={output_padding}"
        if self.groups != 1:
            s += ", groups={groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += ", padding_mode={padding_mode}"
        return s.format(**self.__dict__)

    def __setstate__(self, state):
        super().__setstate__(state)
        if not hasattr(self, "padding_mode"):
            self.padding_mode = "zeros"


class _Conv(_ConvNd):
    _n = 2
    _f = None

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        tup = _ntuple(self._n)
        padding_ = padding if isinstance(padding, str) else tup(padding)
        super().__init__(in_channels, out_channels, tup(kernel_size), tup(stride), padding_, tup(dilation), False,
                         tup(0), groups, bias, padding_mode, device, dtype)

    def _conv_forward(self, input, weight, bias):
        if self.padding_mode != "zeros":
            return type(self)._f(_pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode),
                                 weight, bias, self.stride, (0,) * self._n, self.dilation, self.groups)
        return type(self)._f(input, weight, bias, self.stride, self.padding, self.dilation, self.groups)

    def forward(self, input):
        return self._conv_forward(input, self.weight, self.bias)


class Conv1d(_Conv):
    r"""1-d convolution over (N, C_in, L) or (C_in, L) inputs.

    Args:
        in_channels, out_channels (int): channels of input and output.
        kernel_size, stride, dilation: an int or a 1-tuple.
        padding: an int, a 1-tuple, 'valid' or 'same'. Default: 0
        padding_mode: 'zeros', 'reflect', 'replicate' or 'circular'. Default: 'zeros'
        groups: independent channel groups (in and out channels divisible by it). Default: 1
        bias: learn a bias. Default: True

    Shape:
        Input (N, C_in, L_in); output (N, C_out, L_out) with
        L_out = floor((L_in + 2*padding - dilation*(kernel_size - 1) - 1) / stride + 1).

    Attributes:
        weight: (out_channels, in_channels / groups, kernel_size), bias: (out_channels), both
        from U(-sqrt(k), sqrt(k)), k = groups / (in_channels * kernel_size), as PyTorch.

    Example::
        >>> nn.Conv1d(16, 33, 3, stride=2)(cytorch.randn(20, 16, 50)).shape
        cytorch.Size([20, 33, 24])
    """
    _n = 1
    _f = F.conv1d


class Conv2d(_Conv):
    r"""2-d convolution over (N, C_in, H, W) or (C_in, H, W) inputs.

    Args:
        in_channels, out_channels (int): channels of input and output.
        kernel_size, stride, dilation: an int or a pair.
        padding: an int, a pair, 'valid' or 'same'. Default: 0
        padding_mode: 'zeros', 'reflect', 'replicate' or 'circular'. Default: 'zeros'
        groups: independent channel groups (groups == in_channels: depthwise). Default: 1
        bias: learn a bias. Default: True

    Shape:
        Input (N, C_in, H_in, W_in); output (N, C_out, H_out, W_out) with
        H_out = floor((H_in + 2*padding[0] - dilation[0]*(kernel_size[0] - 1) - 1) / stride[0] + 1).

    Attributes:
        weight: (out_channels, in_channels / groups, kH, kW); bias: (out_channels); initialised
        as PyTorch (kaiming_uniform_(a=sqrt(5)), bias U(-1/sqrt(fan_in), 1/sqrt(fan_in))).

    Example::
        >>> m = nn.Conv2d(16, 33, (3, 5), stride=(2, 1), padding=(4, 2), dilation=(3, 1))
        >>> m(cytorch.randn(20, 16, 50, 100)).shape
        cytorch.Size([20, 33, 26, 100])
    """
    _n = 2
    _f = F.conv2d


class Conv3d(_Conv):
    r"""3-d convolution over (N, C_in, D, H, W) or (C_in, D, H, W) inputs; arguments as Conv2d
    with triples.

    Example::
        >>> nn.Conv3d(4, 8, 3, padding=1)(cytorch.randn(2, 4, 5, 6, 7)).shape
        cytorch.Size([2, 8, 5, 6, 7])
    """
    _n = 3
    _f = F.conv3d


class _ConvTranspose(_ConvNd):
    _n = 2
    _f = None

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                 bias=True, dilation=1, padding_mode="zeros", device=None, dtype=None):
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {self.__class__.__name__}')
        tup = _ntuple(self._n)
        super().__init__(in_channels, out_channels, tup(kernel_size), tup(stride), tup(padding), tup(dilation), True,
                         tup(output_padding), groups, bias, padding_mode, device, dtype)

    def _output_padding(self, input, output_size, stride, padding, kernel_size, num_spatial_dims, dilation=None):
        """The output_padding that makes the output exactly ``output_size`` (PyTorch's rule)."""
        if output_size is None:
            return self.output_padding
        has_batch = input.dim() == num_spatial_dims + 2
        output_size = list(output_size)
        if len(output_size) in (num_spatial_dims + 2, num_spatial_dims + 1) and len(output_size) != num_spatial_dims:
            output_size = output_size[-num_spatial_dims:]
        if len(output_size) != num_spatial_dims:
            raise ValueError(f"ConvTranspose{num_spatial_dims}D: for {input.dim()}D input, output_size must have "
                             f"{num_spatial_dims} or {num_spatial_dims + (2 if has_batch else 1)} elements "
                             f"(got {len(output_size)})")
        res = []
        for d in range(num_spatial_dims):
            dim = input.shape[input.dim() - num_spatial_dims + d]
            dil = 1 if dilation is None else dilation[d]
            lo = (dim - 1) * stride[d] - 2 * padding[d] + dil * (kernel_size[d] - 1) + 1
            hi = lo + stride[d] - 1
            if not lo <= output_size[d] <= hi:
                raise ValueError(f"requested an output size of {output_size}, but valid sizes range from {lo} to "
                                 f"{hi} (for an input of {list(input.shape[2:])})")
            res.append(output_size[d] - lo)
        return tuple(res)

    def forward(self, input, output_size=None):
        opad = self._output_padding(input, output_size, self.stride, self.padding, self.kernel_size, self._n,
                                    self.dilation)
        return type(self)._f(input, self.weight, self.bias, self.stride, self.padding, opad, self.groups,
                             self.dilation)


class ConvTranspose1d(_ConvTranspose):
    r"""1-d transposed convolution (the gradient of Conv1d with respect to its input).

    Args:
        in_channels, out_channels, kernel_size, stride, padding, groups, bias, dilation: as Conv1d
            (padding_mode must be 'zeros').
        output_padding: extra size added at the end of the output (smaller than stride or dilation).

    Shape:
        L_out = (L_in - 1)*stride - 2*padding + dilation*(kernel_size - 1) + output_padding + 1;
        forward(input, output_size) picks output_padding to reach output_size.

    Attributes:
        weight: (in_channels, out_channels / groups, kernel_size); bias: (out_channels).

    Example::
        >>> nn.ConvTranspose1d(16, 8, 3, stride=2)(cytorch.randn(2, 16, 10)).shape
        cytorch.Size([2, 8, 21])
    """
    _n = 1
    _f = F.conv_transpose1d


class ConvTranspose2d(_ConvTranspose):
    r"""2-d transposed convolution; arguments as ConvTranspose1d with pairs.

    Example::
        >>> up = nn.ConvTranspose2d(16, 16, 3, stride=2, padding=1)
        >>> up(cytorch.randn(1, 16, 6, 6), output_size=(12, 12)).shape
        cytorch.Size([1, 16, 12, 12])
    """
    _n = 2
    _f = F.conv_transpose2d


class ConvTranspose3d(_ConvTranspose):
    r"""3-d transposed convolution; arguments as ConvTranspose1d with triples.

    Example::
        >>> nn.ConvTranspose3d(4, 2, 2, stride=2)(cytorch.randn(1, 4, 2, 3, 3)).shape
        cytorch.Size([1, 2, 4, 6, 6])
    """
    _n = 3
    _f = F.conv_transpose3d
