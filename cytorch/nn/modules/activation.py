"""Activation layers: each forward is one call into cytorch.nn.functional (fused C kernels)."""
import warnings

import cytorch
from cytorch.nn import functional as F
from cytorch.nn import init
from cytorch.nn.modules.module import Module
from cytorch.nn.parameter import Parameter

__all__ = ["Threshold", "ReLU", "RReLU", "Hardtanh", "ReLU6", "Sigmoid", "Hardsigmoid", "Tanh", "SiLU", "Mish",
           "Hardswish", "ELU", "CELU", "SELU", "GLU", "GELU", "Hardshrink", "LeakyReLU", "LogSigmoid",
           "Softplus", "Softshrink", "PReLU", "Softsign", "Tanhshrink", "Softmin", "Softmax", "Softmax2d",
           "LogSoftmax"]


def _inplace_str(inplace, lead=", "):
    return f"{lead}inplace=True" if inplace else ""


class _Inplace(Module):
    """An activation whose only option is ``inplace``."""

    __constants__ = ["inplace"]
    _fn = None

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return type(self)._fn(input, inplace=self.inplace)

    def extra_repr(self):
        return _inplace_str(self.inplace, "")


class _Plain(Module):
    """An activation without options."""

    _fn = None

    def forward(self, input):
        return type(self)._fn(input)


class Threshold(Module):
    r"""``x if x > threshold else value``, elementwise.

    Args:
        threshold (float): the threshold; value (float): the replacement; inplace (bool).

    Shape: Input :math:`(*)`; Output: the same.

    Example::

        >>> nn.Threshold(0.1, 20)(cytorch.tensor([0.0, 1.0]))
        tensor([20.,  1.])
    """

    __constants__ = ["threshold", "value", "inplace"]

    def __init__(self, threshold, value, inplace=False):
        super().__init__()
        self.threshold = threshold
        self.value = value
        self.inplace = inplace

    def forward(self, input):
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self):
        return f"threshold={self.threshold}, value={self.value}{_inplace_str(self.inplace)}"


class ReLU(_Inplace):
    r"""``max(x, 0)``, elementwise.

    Args: inplace (bool): modify the input. Default: False
    Shape: Input :math:`(*)`; Output: the same.

    Example::

        >>> nn.ReLU()(cytorch.tensor([-1.0, 2.0]))
        tensor([0., 2.])
    """

    _fn = staticmethod(F.relu)


class RReLU(Module):
    r"""``x if x >= 0 else a * x``: ``a ~ U(lower, upper)`` per element in training,
    ``(lower + upper) / 2`` in eval mode.

    Args: lower (float): Default 1/8; upper (float): Default 1/3; inplace (bool).

    Example::

        >>> nn.RReLU().eval()(cytorch.tensor([-1.0, 1.0]))
        tensor([-0.2292,  1.0000])
    """

    __constants__ = ["lower", "upper", "inplace"]

    def __init__(self, lower=1.0 / 8, upper=1.0 / 3, inplace=False):
        super().__init__()
        self.lower = lower
        self.upper = upper
        self.inplace = inplace

    def forward(self, input):
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self):
        return f"lower={self.lower}, upper={self.upper}{_inplace_str(self.inplace)}"


class Hardtanh(Module):
    r"""``clamp(x, min_val, max_val)``, elementwise.

    Args: min_val (float): Default -1; max_val (float): Default 1; inplace (bool).
    Shape: Input :math:`(*)`; Output: the same.

    Example::

        >>> nn.Hardtanh(-2, 2)(cytorch.tensor([-3.0, 1.0]))
        tensor([-2.,  1.])
    """

    __constants__ = ["min_val", "max_val", "inplace"]

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False, min_value=None, max_value=None):
        super().__init__()
        if min_value is not None:
            warnings.warn("keyword argument `min_value` is deprecated and renamed to `min_val`", FutureWarning,
                          stacklevel=2)
            min_val = min_value
        if max_value is not None:
            warnings.warn("keyword argument `max_value` is deprecated and renamed to `max_val`", FutureWarning,
                          stacklevel=2)
            max_val = max_value
        self.min_val = min_val
        self.max_val = max_val
        self.inplace = inplace
        if self.max_val <= self.min_val:
            raise AssertionError(f"max_val ({self.max_val}) must be greater than min_val ({self.min_val})")

    def forward(self, input):
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self):
        return f"min_val={self.min_val}, max_val={self.max_val}{_inplace_str(self.inplace)}"


class ReLU6(Hardtanh):
    r"""``min(max(x, 0), 6)``, elementwise.

    Example::

        >>> nn.ReLU6()(cytorch.tensor([-1.0, 7.0]))
        tensor([0., 6.])
    """

    def __init__(self, inplace=False):
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self):
        return _inplace_str(self.inplace, "")


class Sigmoid(_Plain):
    r"""``1 / (1 + exp(-x))``.

    Example::

        >>> nn.Sigmoid()(cytorch.tensor([0.0]))
        tensor([0.5000])
    """

    _fn = staticmethod(cytorch.sigmoid)


class Hardsigmoid(_Inplace):
    r"""``relu6(x + 3) / 6``.

    Example::

        >>> nn.Hardsigmoid()(cytorch.tensor([0.0]))
        tensor([0.5000])
    """

    _fn = staticmethod(F.hardsigmoid)

    def extra_repr(self):
        return ""


class Tanh(_Plain):
    r"""``tanh(x)``.

    Example::

        >>> nn.Tanh()(cytorch.tensor([0.0]))
        tensor([0.])
    """

    _fn = staticmethod(cytorch.tanh)


class SiLU(_Inplace):
    r"""``x * sigmoid(x)``.

    Example::

        >>> nn.SiLU()(cytorch.tensor([1.0]))
        tensor([0.7311])
    """

    _fn = staticmethod(F.silu)


class Mish(_Inplace):
    r"""``x * tanh(softplus(x))``.

    Example::

        >>> nn.Mish()(cytorch.tensor([1.0]))
        tensor([0.8651])
    """

    _fn = staticmethod(F.mish)


class Hardswish(_Inplace):
    r"""``x * relu6(x + 3) / 6``.

    Example::

        >>> nn.Hardswish()(cytorch.tensor([1.0]))
        tensor([0.6667])
    """

    _fn = staticmethod(F.hardswish)

    def extra_repr(self):
        return ""


class ELU(Module):
    r"""``x if x > 0 else alpha * (exp(x) - 1)``.

    Args: alpha (float): Default 1.0; inplace (bool).

    Example::

        >>> nn.ELU()(cytorch.tensor([-1.0]))
        tensor([-0.6321])
    """

    __constants__ = ["alpha", "inplace"]

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):
        return F.elu(input, self.alpha, self.inplace)

    def extra_repr(self):
        return f"alpha={self.alpha}{_inplace_str(self.inplace)}"


class CELU(ELU):
    r"""``x if x > 0 else alpha * (exp(x / alpha) - 1)``.

    Example::

        >>> nn.CELU(2.0)(cytorch.tensor([-1.0]))
        tensor([-0.7869])
    """

    def forward(self, input):
        return F.celu(input, self.alpha, self.inplace)


class SELU(_Inplace):
    r"""``scale * elu(x, alpha)`` with SELU's fixed constants.

    Example::

        >>> nn.SELU()(cytorch.tensor([1.0]))
        tensor([1.0507])
    """

    _fn = staticmethod(F.selu)


class GLU(Module):
    r"""``a * sigmoid(b)`` with ``a, b`` the halves of the input along ``dim``.

    Args: dim (int): Default -1.
    Shape: Input :math:`(*, 2N, *)`; Output :math:`(*, N, *)`.

    Example::

        >>> nn.GLU()(cytorch.randn(4, 2)).shape
        cytorch.Size([4, 1])
    """

    __constants__ = ["dim"]

    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.glu(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class GELU(Module):
    r"""``x * Phi(x)``; ``approximate='tanh'`` for the tanh approximation.

    Example::

        >>> nn.GELU()(cytorch.tensor([1.0]))
        tensor([0.8413])
    """

    __constants__ = ["approximate"]

    def __init__(self, approximate="none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, input):
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class Hardshrink(Module):
    r"""``x if |x| > lambd else 0``.

    Example::

        >>> nn.Hardshrink()(cytorch.tensor([1.0, 0.2]))
        tensor([1., 0.])
    """

    __constants__ = ["lambd"]

    def __init__(self, lambd=0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return F.hardshrink(input, self.lambd)

    def extra_repr(self):
        return f"{self.lambd}"


class Softshrink(Hardshrink):
    r"""``x - lambd`` above ``lambd``, ``x + lambd`` below ``-lambd``, else 0.

    Example::

        >>> nn.Softshrink()(cytorch.tensor([1.0, 0.2]))
        tensor([0.5000, 0.0000])
    """

    def forward(self, input):
        return F.softshrink(input, self.lambd)


class LeakyReLU(Module):
    r"""``x if x > 0 else negative_slope * x``.

    Args: negative_slope (float): Default 1e-2; inplace (bool).

    Example::

        >>> nn.LeakyReLU(0.1)(cytorch.tensor([-1.0]))
        tensor([-0.1000])
    """

    __constants__ = ["inplace", "negative_slope"]

    def __init__(self, negative_slope=1e-2, inplace=False):
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input):
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}{_inplace_str(self.inplace)}"


class LogSigmoid(_Plain):
    r"""``log(sigmoid(x))``, computed without overflow.

    Example::

        >>> nn.LogSigmoid()(cytorch.tensor([0.0]))
        tensor([-0.6931])
    """

    _fn = staticmethod(F.logsigmoid)


class Softplus(Module):
    r"""``log(1 + exp(beta x)) / beta`` (linear where ``beta x > threshold``).

    Args: beta (float): Default 1; threshold (float): Default 20.

    Example::

        >>> nn.Softplus()(cytorch.tensor([0.0]))
        tensor([0.6931])
    """

    __constants__ = ["beta", "threshold"]

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input):
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class PReLU(Module):
    r"""``x if x > 0 else a * x`` with a learned slope ``a``: one, or one per channel (dim 1).

    Args:
        num_parameters (int): 1 or the number of channels. Default: 1
        init (float): initial value of ``a``. Default: 0.25

    Attributes: weight of shape (num_parameters,).

    Example::

        >>> nn.PReLU()(cytorch.tensor([-1.0]))
        tensor([-0.2500], grad_fn=<WhereBackward0>)
    """

    __constants__ = ["num_parameters"]

    def __init__(self, num_parameters=1, init=0.25, device=None, dtype=None):
        self.num_parameters = num_parameters
        super().__init__()
        self.init = init
        self.weight = Parameter(cytorch.empty(num_parameters, device=device, dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self):
        init.constant_(self.weight, self.init)

    def forward(self, input):
        return F.prelu(input, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


class Softsign(_Plain):
    r"""``x / (1 + |x|)``.

    Example::

        >>> nn.Softsign()(cytorch.tensor([1.0]))
        tensor([0.5000])
    """

    _fn = staticmethod(F.softsign)


class Tanhshrink(_Plain):
    r"""``x - tanh(x)``.

    Example::

        >>> nn.Tanhshrink()(cytorch.tensor([1.0]))
        tensor([0.2384])
    """

    _fn = staticmethod(F.tanhshrink)


class _SoftmaxBase(Module):
    __constants__ = ["dim"]

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def __setstate__(self, state):
        super().__setstate__(state)
        if not hasattr(self, "dim"):
            self.dim = None

    def extra_repr(self):
        return f"dim={self.dim}"


class Softmin(_SoftmaxBase):
    r"""``softmax(-x)`` along ``dim``.

    Example::

        >>> nn.Softmin(dim=0)(cytorch.tensor([0.0, 0.0]))
        tensor([0.5000, 0.5000])
    """

    def forward(self, input):
        return F.softmin(input, self.dim, _stacklevel=5)


class Softmax(_SoftmaxBase):
    r"""``exp(x) / sum(exp(x))`` along ``dim`` (fused C kernel, forward and backward).

    Args: dim (int): the dim to normalise (None: PyTorch's deprecated implicit choice).
    Shape: Input :math:`(*)`; Output: the same.

    Example::

        >>> nn.Softmax(dim=1)(cytorch.zeros(1, 2))
        tensor([[0.5000, 0.5000]])
    """

    def forward(self, input):
        return F.softmax(input, self.dim, _stacklevel=5)


class LogSoftmax(_SoftmaxBase):
    r"""``log(softmax(x))`` along ``dim``, computed stably.

    Example::

        >>> nn.LogSoftmax(dim=1)(cytorch.zeros(1, 2))
        tensor([[-0.6931, -0.6931]])
    """

    def forward(self, input):
        return F.log_softmax(input, self.dim, _stacklevel=5)


class Softmax2d(Module):
    r"""Softmax over the channels at each spatial location of a (N, C, H, W) or (C, H, W) input.

    Example::

        >>> nn.Softmax2d()(cytorch.zeros(1, 2, 1, 1)).flatten()
        tensor([0.5000, 0.5000])
    """

    def forward(self, input):
        if input.dim() not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.dim()}D instead")
        return F.softmax(input, -3, _stacklevel=5)
