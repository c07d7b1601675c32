"""LayerNorm, GroupNorm, LocalResponseNorm, RMSNorm (fused C kernels via nn.functional)."""
import numbers

from cytorch.nn import functional as F
from cytorch.nn import init
from cytorch.nn.modules._utils import _affine_parameters, _optional_parameter, _reset_affine
from cytorch.nn.modules.module import Module

__all__ = ["LocalResponseNorm", "LayerNorm", "GroupNorm", "RMSNorm"]


def _shape(normalized_shape):
    if isinstance(normalized_shape, numbers.Integral):
        return (int(normalized_shape),)
    return tuple(normalized_shape)


class LocalResponseNorm(Module):
    r"""Divide each value by ``(k + alpha/size * sum of squares over size neighbouring channels)^beta``.

    Args: size (int); alpha (float): Default 1e-4; beta (float): Default 0.75; k (float): Default 1.
    Shape: Input :math:`(N, C, *)`; Output: the same.

    Example::

        >>> nn.LocalResponseNorm(2)(cytorch.randn(2, 4, 3)).shape
        cytorch.Size([2, 4, 3])
    """

    __constants__ = ["size", "alpha", "beta", "k"]

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1.0):
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input):
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


class LayerNorm(Module):
    r"""Normalise over the trailing ``normalized_shape`` dims, then an elementwise affine.

    Args:
        normalized_shape (int or tuple): the trailing dims.
        eps (float): Default 1e-5.
        elementwise_affine (bool): learn weight (init 1) and bias (init 0). Default: True
        bias (bool): learn the bias too. Default: True

    Shape: Input :math:`(N, *)`; Output: the same.

    Example::

        >>> nn.LayerNorm(10)(cytorch.randn(20, 5, 10)).shape
        cytorch.Size([20, 5, 10])
    """

    __constants__ = ["normalized_shape", "eps", "elementwise_affine"]

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, device=None, dtype=None):
        super().__init__()
        self.normalized_shape = _shape(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        _affine_parameters(self, elementwise_affine, bias, self.normalized_shape, device, dtype)
        self.reset_parameters()

    def reset_parameters(self):
        if self.elementwise_affine:
            _reset_affine(self)

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")


class GroupNorm(Module):
    r"""Normalise each of ``num_groups`` groups of channels per sample, then a per-channel affine.

    Args: num_groups (int); num_channels (int, divisible by num_groups); eps (float): Default 1e-5;
        affine (bool): learn weight (init 1) and bias (init 0). Default: True; bias (bool).
    Shape: Input :math:`(N, C, *)`; Output: the same.

    Example::

        >>> nn.GroupNorm(3, 6)(cytorch.randn(20, 6, 10, 10)).shape
        cytorch.Size([20, 6, 10, 10])
    """

    __constants__ = ["num_groups", "num_channels", "eps", "affine"]

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        if num_channels % num_groups != 0:
            raise ValueError(f"num_channels ({num_channels}) must be divisible by num_groups ({num_groups})")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        _affine_parameters(self, affine, bias, num_channels, device, dtype)
        self.reset_parameters()

    def reset_parameters(self):
        if self.affine:
            _reset_affine(self)

    def forward(self, input):
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")


class RMSNorm(Module):
    r"""``x / sqrt(mean(x^2) + eps) * weight`` over the trailing ``normalized_shape`` dims.

    Args: normalized_shape; eps (float or None: the dtype's machine epsilon);
        elementwise_affine (bool): learn weight (init 1). Default: True
    Shape: Input :math:`(N, *)`; Output: the same.

    Example::

        >>> nn.RMSNorm([2, 3])(cytorch.randn(2, 2, 3)).shape
        cytorch.Size([2, 2, 3])
    """

    __constants__ = ["normalized_shape", "eps", "elementwise_affine"]

    def __init__(self, normalized_shape, eps=None, elementwise_affine=True, device=None, dtype=None):
        super().__init__()
        self.normalized_shape = _shape(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        _optional_parameter(self, "weight", elementwise_affine, self.normalized_shape, device, dtype)
        self.reset_parameters()

    def reset_parameters(self):
        if self.elementwise_affine:
            init.ones_(self.weight)

    def forward(self, x):
        return F.rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self):
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
