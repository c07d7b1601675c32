"""Identity, Linear, Bilinear, LazyLinear."""
import math

import cytorch
from cytorch._C._tensor import TensorBase
from cytorch.autograd.grad_mode import no_grad
from cytorch.nn import functional as F
from cytorch.nn import init
from cytorch.nn.modules._utils import _optional_parameter
from cytorch.nn.modules.lazy import LazyModuleMixin
from cytorch.nn.modules.module import Module
from cytorch.nn.parameter import Parameter, UninitializedParameter

__all__ = ["Identity", "Linear", "Bilinear", "LazyLinear", "NonDynamicallyQuantizableLinear"]


class Identity(Module):
    r"""Returns its input unchanged (arguments are accepted and ignored).

    Shape:
        Input: :math:`(*)`; Output: the same.

    Example::

        >>> nn.Identity(54, unused="x")(cytorch.randn(128, 20)).shape
        cytorch.Size([128, 20])
    """

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    r"""Affine map :math:`y = x A^T + b`.

    Args:
        in_features (int): size of each input sample's last dim.
        out_features (int): size of each output sample's last dim.
        bias (bool): learn an additive bias. Default: True
        device, dtype: of the parameters (dtype default: cytorch.get_default_dtype()).

    Shape:
        Input: :math:`(*, H_{in})`, :math:`H_{in} = \text{in\_features}`;
        Output: :math:`(*, H_{out})`, :math:`H_{out} = \text{out\_features}`.

    Attributes:
        weight: :math:`(\text{out\_features}, \text{in\_features})`, initialised from
            :math:`\mathcal{U}(-\sqrt{k}, \sqrt{k})`, :math:`k = 1/\text{in\_features}`
            (``kaiming_uniform_(a=sqrt(5))``, as PyTorch).
        bias: :math:`(\text{out\_features})`, from the same distribution.

    A wrong input size raises a RuntimeError that names the layer's place in its model,
    e.g. ``fc2 (Linear in_features=128) got input of shape (64, 100)``.

    Example::

        >>> m = nn.Linear(20, 30)
        >>> m(cytorch.randn(128, 20)).shape
        cytorch.Size([128, 30])
    """

    __constants__ = ["in_features", "out_features"]

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(cytorch.empty((out_features, in_features), device=device, dtype=dtype))
        _optional_parameter(self, "bias", bias, out_features, device, dtype)
        self.reset_parameters()

    def reset_parameters(self):
        """Re-draw weight and bias from the default distribution."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        try:
            return F.linear(input, self.weight, self.bias)
        except RuntimeError as e:
            _raise_input_error(self, input, e)
            raise

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class NonDynamicallyQuantizableLinear(Linear):
    """A Linear that quantization tools leave alone (MultiheadAttention's out_proj); same maths."""


def _raise_input_error(m, input, err):
    """Re-raise a wrong-feature-size error naming the layer's path in its model."""
    if isinstance(input, TensorBase) and input.dim() >= 1 and input.shape[-1] != m.in_features:
        path = m._module_path()
        who = (f"{path} ({m._get_name()} in_features={m.in_features})" if path
               else f"{m._get_name()}(in_features={m.in_features}, out_features={m.out_features})")
        raise RuntimeError(f"{who} got input of shape {tuple(input.shape)}: {err}") from None


class LazyLinear(LazyModuleMixin, Linear):
    r"""A Linear whose ``in_features`` is taken from the first input (then it becomes a Linear).

    Args:
        out_features (int): size of each output sample.
        bias (bool): learn an additive bias. Default: True

    Example::

        >>> m = nn.LazyLinear(30)
        >>> m(cytorch.randn(128, 20)).shape    # now m is a Linear(20, 30)
        cytorch.Size([128, 30])
    """

    cls_to_become = Linear

    def __init__(self, out_features, bias=True, device=None, dtype=None):
        super().__init__(0, 0, False)
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        self.out_features = out_features
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    def reset_parameters(self):
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input):
        if self.has_uninitialized_params():
            with no_grad():
                self.in_features = input.shape[-1]
                self.weight.materialize((self.out_features, self.in_features))
                if self.bias is not None:
                    self.bias.materialize((self.out_features,))
                self.reset_parameters()
        if self.in_features == 0:
            # weights loaded from a state_dict before the first call: the input must agree with them
            if input.shape[-1] != self.weight.shape[-1]:
                raise AssertionError(f"The in_features inferred from input: {input.shape[-1]} is not equal to "
                                     f"in_features from self.weight: {self.weight.shape[-1]}")
            self.in_features = input.shape[-1]


class Bilinear(Module):
    r"""Bilinear map :math:`y = x_1^T A x_2 + b`.

    Args:
        in1_features (int), in2_features (int): sizes of the two inputs' last dims.
        out_features (int): size of the output's last dim.
        bias (bool): learn an additive bias. Default: True

    Shape:
        Input1: :math:`(*, H_{in1})`, Input2: :math:`(*, H_{in2})` (same leading dims);
        Output: :math:`(*, H_{out})`.

    Attributes:
        weight: :math:`(\text{out}, \text{in1}, \text{in2})`; weight and bias are initialised
            from :math:`\mathcal{U}(-\sqrt{k}, \sqrt{k})`, :math:`k = 1/\text{in1\_features}`.

    Example::

        >>> m = nn.Bilinear(20, 30, 40)
        >>> m(cytorch.randn(128, 20), cytorch.randn(128, 30)).shape
        cytorch.Size([128, 40])
    """

    __constants__ = ["in1_features", "in2_features", "out_features"]

    def __init__(self, in1_features, in2_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        self.weight = Parameter(cytorch.empty((out_features, in1_features, in2_features), device=device, dtype=dtype))
        _optional_parameter(self, "bias", bias, out_features, device, dtype)
        self.reset_parameters()

    def reset_parameters(self):
        """Re-draw weight and bias from the default distribution."""
        bound = 1 / math.sqrt(self.weight.shape[1]) if self.weight.shape[1] > 0 else 0
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self):
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")
