"""cytorch.nn.functional: the stateless forms of every layer and loss (PyTorch's API).

Activations, softmax/log_softmax, dropout and the norms run fused C kernels
(cytorch/_C/_nn.pyx over src_c/ct_nn.c), forward and backward, and record one autograd node
each (formulas in cytorch/nn/_nn_formulas.py); the rest (pad, embedding_bag, distances, ...)
is built from differentiable cytorch ops. See docs/nn_functional.md.
"""
import math
import numbers
import warnings

import cytorch as _t
from cytorch._C import _autograd as _A
from cytorch._C import _nn
from cytorch._C._autograd import is_grad_enabled as _grad_on
from cytorch._C._tensor import TensorBase as _TB, pretty_name as _pretty_code
from cytorch._ops import reductions as _R
from cytorch.nn import _nn_formulas as _NF

from cytorch.nn._linear_functional import *  # noqa: F401,F403
from cytorch.nn._loss_functional import *  # noqa: F401,F403
from cytorch.nn._conv_functional import *  # noqa: F401,F403
from cytorch.nn._attention_functional import *  # noqa: F401,F403
from cytorch.nn._ctc import *  # noqa: F401,F403

_ACT = _nn.ACT_OPS
_KEY = _NF.ACT_KEYS


def _check_tensor(x, fn, arg="input", pos=1):
    if not isinstance(x, _TB):
        raise TypeError(f"{fn}(): argument '{arg}' (position {pos}) must be Tensor, not {type(x).__name__}")


def _pretty(dt):
    return _pretty_code(dt.code)


def _check_float(x, kernel):
    if not x.is_floating_point():
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_pretty(x.dtype)}'")


def _records(*ts):
    """True when an op on ``ts`` must be recorded (grad mode on and some tensor requires grad)."""
    if not _grad_on():
        return False
    for t in ts:
        if t is not None and t.requires_grad:
            return True
    return False


def _inplace_recorded(input, fn):
    """In-place fn on a tensor in a graph: computed out of place from a copy (which the node
    saves), then written back, so input takes the new node's place in the graph."""
    return input.copy_(fn(input.clone()))


# ---------------------------------------------------------------- activations

def _act(name, input, a=0.0, b=0.0, c=0.0, inplace=False, key=None, kernel=None):
    _check_tensor(input, name)
    _check_float(input, kernel or name)
    op = _ACT[name]
    if inplace:
        if _records(input):
            return _inplace_recorded(input, lambda t: _act(name, t, a, b, c, key=key))
        return _nn.act_forward(op, input, a, b, c, True)
    y = _nn.act_forward(op, input, a, b, c)
    if _records(input):
        _A._record(key or _KEY[name], (input,), y, (op, a, b, c), (input,))
    return y


def relu(input, inplace=False):
    """max(x, 0) elementwise.

    Args: input; inplace (modify input and return it).
    Shape: any; output has the input's shape.

    Example: ``F.relu(cytorch.tensor([-1., 2.]))`` -> ``tensor([0., 2.])``
    """
    _check_tensor(input, "relu")
    return input.relu_() if inplace else _t.relu(input)


def relu_(input):
    """In-place :func:`relu`."""
    return relu(input, inplace=True)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """clamp(x, min_val, max_val); the gradient is 1 strictly between the bounds, else 0.

    Example: ``F.hardtanh(cytorch.tensor([-2., 0.5]))`` -> ``tensor([-1.0000, 0.5000])``
    """
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _act("hardtanh", input, min_val, max_val, inplace=inplace)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    """In-place :func:`hardtanh`."""
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input, inplace=False):
    """min(max(x, 0), 6) (:func:`hardtanh` with bounds 0 and 6).

    Example: ``F.relu6(cytorch.tensor([-1., 7.]))`` -> ``tensor([0., 6.])``
    """
    return _act("hardtanh", input, 0.0, 6.0, inplace=inplace)


def elu(input, alpha=1.0, inplace=False):
    """x if x > 0 else alpha * (exp(x) - 1).

    Example: ``F.elu(cytorch.tensor([-1., 1.]))`` -> ``tensor([-0.6321, 1.0000])``
    """
    return _act("elu", input, alpha, 1.0, 1.0, inplace=inplace)


def elu_(input, alpha=1.0):
    """In-place :func:`elu`."""
    return elu(input, alpha, inplace=True)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):
    """scale * (x if x > 0 else alpha * (exp(x) - 1)) with SELU's fixed alpha and scale.

    Example: ``F.selu(cytorch.tensor([1.]))`` -> ``tensor([1.0507])``
    """
    return _act("elu", input, _SELU_ALPHA, _SELU_SCALE, 1.0, inplace=inplace)


def selu_(input):
    """In-place :func:`selu`."""
    return selu(input, inplace=True)


def celu(input, alpha=1.0, inplace=False):
    """x if x > 0 else alpha * (exp(x / alpha) - 1).

    Example: ``F.celu(cytorch.tensor([-1.]), alpha=2.)`` -> ``tensor([-0.7869])``
    """
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    return _act("elu", input, alpha, 1.0, 1.0 / alpha, inplace=inplace, key=_KEY["celu"])


def celu_(input, alpha=1.0):
    """In-place :func:`celu`."""
    return celu(input, alpha, inplace=True)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x if x > 0 else negative_slope * x.

    Example: ``F.leaky_relu(cytorch.tensor([-1., 1.]), 0.1)`` -> ``tensor([-0.1000, 1.0000])``
    """
    return _act("leaky_relu", input, negative_slope, inplace=inplace)


def leaky_relu_(input, negative_slope=0.01):
    """In-place :func:`leaky_relu`."""
    return leaky_relu(input, negative_slope, inplace=True)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """x if x >= 0 else a * x, with a drawn from U(lower, upper) per element in training and
    (lower + upper) / 2 in eval.

    Example: ``F.rrelu(cytorch.tensor([-1., 1.]))`` -> ``tensor([-0.2292, 1.0000])``
    """
    _check_tensor(input, "rrelu")
    if not training:
        return leaky_relu(input, (lower + upper) / 2, inplace)
    _check_float(input, "rrelu_with_noise_cpu")
    a = _t.empty(tuple(input.shape), dtype=input.dtype).uniform_(lower, upper)
    if inplace:
        if _records(input):
            return _inplace_recorded(input, lambda t: _t.where(t >= 0, t, t * a))
        with _t.no_grad():
            return input.copy_(_t.where(input >= 0, input, input * a))
    return _t.where(input >= 0, input, input * a)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    """In-place :func:`rrelu`."""
    return rrelu(input, lower, upper, training, inplace=True)


def gelu(input, approximate="none"):
    """x * Phi(x) (Phi the standard normal CDF); approximate='tanh' uses
    0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).

    Example: ``F.gelu(cytorch.tensor([1.]))`` -> ``tensor([0.8413])``
    """
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return _act("gelu" if approximate == "none" else "gelu_tanh", input, kernel="GeluKernelImpl")


def silu(input, inplace=False):
    """x * sigmoid(x) (swish).

    Example: ``F.silu(cytorch.tensor([1.]))`` -> ``tensor([0.7311])``
    """
    return _act("silu", input, inplace=inplace)


def mish(input, inplace=False):
    """x * tanh(softplus(x)).

    Example: ``F.mish(cytorch.tensor([1.]))`` -> ``tensor([0.8651])``
    """
    return _act("mish", input, inplace=inplace)


def hardswish(input, inplace=False):
    """x * relu6(x + 3) / 6.

    Example: ``F.hardswish(cytorch.tensor([1.]))`` -> ``tensor([0.6667])``
    """
    return _act("hardswish", input, inplace=inplace)


def hardsigmoid(input, inplace=False):
    """relu6(x + 3) / 6.

    Example: ``F.hardsigmoid(cytorch.tensor([0.]))`` -> ``tensor([0.5000])``
    """
    return _act("hardsigmoid", input, inplace=inplace)


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta x)) / beta, and x itself where beta x > threshold.

    Example: ``F.softplus(cytorch.tensor([0.]))`` -> ``tensor([0.6931])``
    """
    return _act("softplus", input, beta, threshold)


def logsigmoid(input):
    """log(sigmoid(x)) = -softplus(-x), computed without overflow.

    Example: ``F.logsigmoid(cytorch.tensor([0.]))`` -> ``tensor([-0.6931])``
    """
    return _act("logsigmoid", input, kernel="log_sigmoid_forward")


def softshrink(input, lambd=0.5):
    """x - lambd if x > lambd, x + lambd if x < -lambd, else 0.

    Example: ``F.softshrink(cytorch.tensor([1., 0.2]))`` -> ``tensor([0.5000, 0.0000])``
    """
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    return _act("softshrink", input, lambd)


def hardshrink(input, lambd=0.5):
    """x where |x| > lambd, else 0.

    Example: ``F.hardshrink(cytorch.tensor([1., 0.2]))`` -> ``tensor([1., 0.])``
    """
    return _act("hardshrink", input, lambd)


def threshold(input, threshold, value, inplace=False):
    """x where x > threshold, else value.

    Example: ``F.threshold(cytorch.tensor([1., 3.]), 2., 0.)`` -> ``tensor([0., 3.])``
    """
    return _act("threshold", input, threshold, value, inplace=inplace)


def threshold_(input, threshold, value):
    """In-place :func:`threshold`."""
    return _act("threshold", input, threshold, value, inplace=True)


def softsign(input):
    """x / (1 + |x|).

    Example: ``F.softsign(cytorch.tensor([1.]))`` -> ``tensor([0.5000])``
    """
    return _act("softsign", input)


def tanhshrink(input):
    """x - tanh(x).

    Example: ``F.tanhshrink(cytorch.tensor([1.]))`` -> ``tensor([0.2384])``
    """
    return _act("tanhshrink", input)


def sigmoid(input):
    """1 / (1 + exp(-x)) (cytorch.sigmoid)."""
    return _t.sigmoid(input)


def tanh(input):
    """tanh(x) (cytorch.tanh)."""
    return _t.tanh(input)


def prelu(input, weight):
    """x if x > 0 else weight * x, weight one value or one per channel (dim 1).

    Shape: input (N, C, *) or (C,) / any shape with a one-element weight; weight (1,) or (C,).

    Example: ``F.prelu(cytorch.tensor([-1., 1.]), cytorch.tensor([0.25]))`` -> ``tensor([-0.2500, 1.0000])``
    """
    _check_tensor(input, "prelu")
    _check_tensor(weight, "prelu", "weight", 2)
    nw = weight.numel()
    if nw != 1:
        if input.dim() == 0:
            raise RuntimeError("Not allow zero-dim input tensor.")
        channels = input.shape[1] if input.dim() >= 2 else input.shape[0]
        if nw != channels:
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                               f"{nw} and channel size = {channels}.")
        weight = weight.reshape((1, nw) + (1,) * (input.dim() - 2)) if input.dim() >= 2 else weight.reshape(nw)
    elif weight.dim() != 0 and input.dim() <= weight.dim():
        weight = weight.reshape(())
    return _t.where(input > 0, input, weight * input)


def glu(input, dim=-1):
    """a * sigmoid(b), where a and b are the two halves of input along dim.

    Shape: input (*, 2N, *) -> output (*, N, *).

    Example: ``F.glu(cytorch.tensor([1., 0.]))`` -> ``tensor([0.5000])``
    """
    _check_tensor(input, "glu")
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = dim % input.dim() if -input.dim() <= dim < input.dim() else dim
    size = input.shape[d]
    if size % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {size}")
    a, b = input.chunk(2, d)
    return a * _t.sigmoid(b)


# ---------------------------------------------------------------- softmax family

def _softmax_dim(name, ndim, stacklevel):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. "
                  "Change the call to include dim=X as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_op(name, input, dim, dtype, stacklevel):
    _check_tensor(input, name)
    if dim is None:
        dim = _softmax_dim(name, input.dim(), stacklevel + 1)
    # cytorch.softmax / log_softmax: the fused kernel, its node keeps the output for the fused backward
    return _R.softmax(input, dim, dtype) if name == "softmax" else _R.log_softmax(input, dim, dtype)


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(x) / sum(exp(x)) along dim (fused: one pass per row forward, one backward).

    Args: input; dim (None: inferred as PyTorch does, with its deprecation warning);
        dtype (cast the input to it first).

    Example: ``F.softmax(cytorch.tensor([0., 0.]), dim=0)`` -> ``tensor([0.5000, 0.5000])``
    """
    return _softmax_op("softmax", input, dim, dtype, _stacklevel)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """log(softmax(x)) along dim, computed stably as x - max - log(sum(exp(x - max))).

    Example: ``F.log_softmax(cytorch.tensor([0., 0.]), dim=0)`` -> ``tensor([-0.6931, -0.6931])``
    """
    return _softmax_op("log_softmax", input, dim, dtype, _stacklevel)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-x) along dim.

    Example: ``F.softmin(cytorch.tensor([0., 0.]), dim=0)`` -> ``tensor([0.5000, 0.5000])``
    """
    _check_tensor(input, "softmin")
    if dim is None:
        dim = _softmax_dim("softmin", input.dim(), _stacklevel)
    if dtype is not None:
        input = input.to(dtype)
    return _softmax_op("softmax", -input, dim, None, _stacklevel)


# ---------------------------------------------------------------- dropout

def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _masked(input, mask_shape, p, alpha, inplace):
    """Dropout with a Bernoulli(1 - p) mask of mask_shape broadcast over input.

    Plain: kept values scaled by 1/(1-p). Alpha (SELU-preserving): kept a x + c, dropped
    -alpha' a + c, with a = 1/sqrt((alpha'^2 p + 1)(1 - p)), c = alpha' a p, alpha' = selu's
    -scale*alpha (so mean and variance are kept)."""
    if not input.is_floating_point():
        raise RuntimeError(f"result type Float can't be cast to the desired output type {_pretty(input.dtype)}")
    if p == 1:
        mask = _t.zeros(mask_shape, dtype=_t.bool)
    else:
        mask = _nn.bernoulli_mask(input, tuple(mask_shape), 1.0 - p)
    if alpha:
        a_ = _SELU_ALPHA * _SELU_SCALE
        a = 1.0 / math.sqrt((a_ * a_ * p + 1) * (1 - p)) if p < 1 else 0.0
        scale, keep_shift, drop_shift = a, a_ * a * p, a_ * a * p - a_ * a
    else:
        scale, keep_shift, drop_shift = (1.0 / (1.0 - p) if p < 1 else 0.0), 0.0, 0.0
    if _records(input):
        if inplace:
            return _inplace_recorded(input, lambda t: _masked_record(t, mask, scale, keep_shift, drop_shift))
        return _masked_record(input, mask, scale, keep_shift, drop_shift)
    return _nn.dropout_apply(input, mask, scale, keep_shift, drop_shift, inplace)


def _masked_record(input, mask, scale, keep_shift, drop_shift):
    y = _nn.dropout_apply(input, mask, scale, keep_shift, drop_shift)
    _A._record("nn.dropout", (input,), y, (mask, scale))
    return y


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability p and scale the rest by 1/(1-p) (training only).

    The mask comes from cytorch's Philox generator, so ``cytorch.manual_seed`` makes it
    reproducible; backward reuses it.

    Example: ``F.dropout(x, 0.2, training=False) is x`` -> ``True``
    """
    _check_tensor(input, "dropout")
    _check_p(p)
    if not training or p == 0:
        return input
    return _masked(input, input.shape, p, False, inplace)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout that keeps a SELU network's mean and variance (dropped values go to SELU's
    negative saturation, then an affine correction).

    Example: ``F.alpha_dropout(x, 0.2, training=True).shape == x.shape``
    """
    _check_tensor(input, "alpha_dropout")
    _check_p(p)
    if not training or p == 0:
        return input
    return _masked(input, input.shape, p, True, inplace)


def _feature_shape(x):
    return tuple(x.shape[:2]) + (1,) * (x.dim() - 2)


def _feature(name, input, p, training, inplace, alpha, batched_dim):
    _check_tensor(input, name)
    _check_p(p)
    if not training or p == 0:
        return input
    if input.dim() < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    x = input if batched_dim is None or input.dim() == batched_dim else input.unsqueeze(0)
    y = _masked(x, _feature_shape(x), p, alpha, inplace and x is input)
    if x is not input:
        y = y.squeeze(0)
        if inplace:
            return input.copy_(y)
    return y


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels: input (N, C, L) or (C, L), each channel with probability p.

    Example: ``F.dropout1d(cytorch.ones(2, 3, 4), 0.5).shape`` -> ``cytorch.Size([2, 3, 4])``
    """
    _check_tensor(input, "dropout1d")
    _check_p(p)
    if input.dim() not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {input.dim()}D input. Note that dropout1d "
            "exists to provide channel-wise dropout on inputs with 1 spatial dimension, a channel dimension, "
            "and an optional batch dimension (i.e. 2D or 3D inputs).")
    return _feature("dropout1d", input, p, training, inplace, False, 3)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, H, W) input, each with probability p.

    A 3-D input is taken as (N, C, L) (with PyTorch's warning), as PyTorch does for now.
    """
    _check_tensor(input, "dropout2d")
    _check_p(p)
    nd = input.dim()
    if nd not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {nd}-D input to dropout2d, which is deprecated and will result in an "
            "error in a future release. To retain the behavior and silence this warning, please use dropout "
            "instead. Note that dropout2d exists to provide channel-wise dropout on inputs with 2 spatial "
            "dimensions, a channel dimension, and an optional batch dimension (i.e. 3D or 4D inputs).",
            stacklevel=2)
    if nd == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is "
            "desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior will "
            "change in a future release to interpret the input as one without a batch dimension, i.e. shape "
            "(C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using dropout1d "
            "instead.", stacklevel=2)
    return _feature("dropout2d", input, p, training, inplace, False, None)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) input, each with probability p."""
    _check_tensor(input, "dropout3d")
    _check_p(p)
    nd = input.dim()
    if nd not in (4, 5):
        warnings.warn(
            f"dropout3d: Received a {nd}-D input to dropout3d, which is deprecated and will result in an "
            "error in a future release. To retain the behavior and silence this warning, please use dropout "
            "instead. Note that dropout3d exists to provide channel-wise dropout on inputs with 3 spatial "
            "dimensions, a channel dimension, and an optional batch dimension (i.e. 4D or 5D inputs).",
            stacklevel=2)
    return _feature("dropout3d", input, p, training, inplace, False, 5)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Alpha dropout of whole channels (dim 1 of an (N, C, *) input)."""
    return _feature("feature_alpha_dropout", input, p, training, inplace, True, None)


# ---------------------------------------------------------------- normalisation

def _affine_check(name, t, shape, what):
    if t is not None and tuple(t.shape) != tuple(shape):
        raise RuntimeError(f"Expected {what} to be of same shape as normalized_shape, but got {what} of shape "
                           f"{list(t.shape)} and normalized_shape = {list(shape)}")


def _norm_shape(normalized_shape):
    if isinstance(normalized_shape, numbers.Integral):
        return (int(normalized_shape),)
    return tuple(int(s) for s in normalized_shape)


def _check_norm_shape(name, input, nshape):
    k = len(nshape)
    if k == 0:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., containing at least "
                           "one element, but got normalized_shape = []")
    if input.dim() < k or tuple(input.shape[input.dim() - k:]) != nshape:
        expected = "[*" + "".join(f", {s}" for s in nshape) + "]"
        raise RuntimeError(f"Given normalized_shape={list(nshape)}, expected input with shape {expected}, "
                           f"but got input of size{list(input.shape)}")


def _same_float(name, input, *ts):
    for t in ts:
        if t is not None and t.dtype != input.dtype:
            raise RuntimeError(f"{name}: expected the weight/bias dtype {t.dtype} to match the input dtype "
                               f"{input.dtype}")


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """(x - mean) / sqrt(var + eps) * weight + bias over the trailing normalized_shape dims.

    Args: input; normalized_shape (int or tuple: the trailing dims); weight, bias (that shape);
        eps.
    Shape: input (*, *normalized_shape); output the same.

    Example: ``F.layer_norm(cytorch.tensor([[1., 3.]]), (2,))`` -> ``tensor([[-1.0000, 1.0000]])``
    """
    _check_tensor(input, "layer_norm")
    nshape = _norm_shape(normalized_shape)
    _check_norm_shape("layer_norm", input, nshape)
    _check_float(input, "LayerNormKernelImpl")
    _affine_check("layer_norm", weight, nshape, "weight")
    _affine_check("layer_norm", bias, nshape, "bias")
    _same_float("layer_norm", input, weight, bias)
    N = 1
    for s in nshape:
        N *= s
    y, mean, rstd = _nn.layer_norm_forward(input, N, weight, bias, eps)
    if _records(input, weight, bias):
        _A._record("nn.layer_norm", (input, weight, bias), y, (len(nshape), eps, mean, rstd), (input, weight))
    return y


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """x / sqrt(mean(x^2) + eps) * weight over the trailing normalized_shape dims.

    Args: eps (None: the machine epsilon of input's dtype).

    Example: ``F.rms_norm(cytorch.tensor([[3., 4.]]), (2,))`` -> ``tensor([[0.8485, 1.1314]])``
    """
    _check_tensor(input, "rms_norm")
    nshape = _norm_shape(normalized_shape)
    _check_norm_shape("rms_norm", input, nshape)
    _check_float(input, "rms_norm")
    _affine_check("rms_norm", weight, nshape, "weight")
    if eps is None:
        eps = _t.finfo(input.dtype).eps
    if weight is not None and weight.dtype != input.dtype:
        # mixed dtypes (PyTorch's unfused path): composed from differentiable ops, in input's dtype
        dims = tuple(range(input.dim() - len(nshape), input.dim()))
        return input * ((input * input).mean(dims, keepdim=True) + eps).rsqrt() * weight.to(input.dtype)
    N = 1
    for s in nshape:
        N *= s
    y, rstd = _nn.rms_norm_forward(input, N, weight, eps)
    if _records(input, weight):
        _A._record("nn.rms_norm", (input, weight), y, (len(nshape), eps, rstd), (input, weight))
    return y


def _verify_batch_size(size):
    prod = size[0]
    for s in size[2:]:
        prod *= s
    if prod == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {_t.Size(size)}")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1,
               eps=1e-5):
    """Normalise each channel (dim 1) by its batch statistics (training) or by the running ones.

    In training the running statistics, when given, are updated in place in the same pass:
    running = (1 - momentum) * running + momentum * batch (the variance unbiased).

    Shape: input (N, C) or (N, C, *); running stats, weight, bias (C,).

    Example: ``F.batch_norm(cytorch.tensor([[1.], [3.]]), None, None, training=True)`` ->
    ``tensor([[-1.0000], [1.0000]])``
    """
    _check_tensor(input, "batch_norm")
    if training:
        _verify_batch_size(list(input.shape))
        if eps <= 0.0:
            raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    elif eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    if input.dim() < 2:
        n = max(input.dim(), 1)
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got 1)")
    _check_float(input, "batch_norm")
    C = input.shape[1]
    for nm, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight), ("bias", bias)):
        if t is not None and t.numel() != C:
            raise RuntimeError(f"{nm} should contain {C} elements not {t.numel()}")
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    _same_float("batch_norm", input, weight, bias)
    y, mean, invstd = _nn.batch_norm_forward(input, weight, bias, running_mean, running_var, training,
                                             momentum, eps)
    if _records(input, weight, bias):
        _A._record("nn.batch_norm", (input, weight, bias), y, (training, eps, mean, invstd), (input, weight))
    return y


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalise each of num_groups channel groups of every sample, then a per-channel affine.

    Shape: input (N, C, *) with C divisible by num_groups; weight, bias (C,).

    Example: ``F.group_norm(cytorch.tensor([[1., 3.]]), 1)`` -> ``tensor([[-1.0000, 1.0000]])``
    """
    _check_tensor(input, "group_norm")
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {input.dim()}")
    N, C = input.shape[0], input.shape[1]
    if num_groups <= 0 or C % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got input "
                           f"of shape {list(input.shape)} and num_groups={num_groups}")
    _verify_batch_size([N * C // num_groups, num_groups] + list(input.shape[2:]))
    _check_float(input, "group_norm")
    for nm, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.dim() != 1 or t.numel() != C):
            raise RuntimeError(f"Expected {nm} to be a vector of size equal to the number of channels in input, "
                               f"but got {nm} of shape {list(t.shape)} and input of shape {list(input.shape)}")
    _same_float("group_norm", input, weight, bias)
    y, mean, rstd = _nn.group_norm_forward(input, num_groups, weight, bias, eps)
    if _records(input, weight, bias):
        _A._record("nn.group_norm", (input, weight, bias), y, (num_groups, eps, mean, rstd), (input, weight))
    return y


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-5):
    """Normalise each channel of each sample over its spatial dims (group norm with one channel
    per group); with running stats, they are updated with the batch average of the instance
    statistics, and used instead when use_input_stats is False.

    Shape: input (N, C, *); running stats, weight, bias (C,).
    """
    _check_tensor(input, "instance_norm")
    if input.dim() < 2:
        raise ValueError(f"instance_norm: expected an input of at least 2 dims (N, C, ...), got {input.dim()}D")
    if use_input_stats:
        prod = 1
        for s in input.shape[2:]:
            prod *= s
        if prod == 1:
            raise ValueError(f"Expected more than 1 spatial element when training, got input size {input.shape}")
    C = input.shape[1]
    if not use_input_stats:
        if running_mean is None or running_var is None:
            raise RuntimeError("Expected running_mean and running_var to be defined when use_input_stats is false")
        return batch_norm(input, running_mean, running_var, weight, bias, False, momentum, eps)
    y = group_norm(input, C, weight, bias, eps)
    if running_mean is not None or running_var is not None:
        with _t.no_grad():
            dims = tuple(range(2, input.dim()))
            x = input.detach()
            if running_mean is not None:
                running_mean.mul_(1 - momentum).add_(x.mean(dims).mean(0).to(running_mean.dtype) * momentum)
            if running_var is not None:
                var = x.var(dims, unbiased=True).mean(0)
                running_var.mul_(1 - momentum).add_(var.to(running_var.dtype) * momentum)
    return y


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """x / (k + alpha * mean of x^2 over a window of `size` neighbouring channels)^beta.

    Shape: input (N, C, *) with at least 3 dims.
    """
    _check_tensor(input, "local_response_norm")
    nd = input.dim()
    if nd < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          input (got {nd} dimensions)")
    if input.numel() == 0:
        return input
    C = input.shape[1]
    sq = input * input
    pads = [0, 0] * (nd - 2) + [size // 2, (size - 1) // 2]
    padded = _constant_pad(sq, pads, 0.0)
    acc = padded.narrow(1, 0, C)
    for i in range(1, size):
        acc = acc + padded.narrow(1, i, C)
    div = (acc * (alpha / size) + k) ** beta
    return input / div


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """x / max(||x||_p, eps) along dim.

    Example: ``F.normalize(cytorch.tensor([[3., 4.]]))`` -> ``tensor([[0.6000, 0.8000]])``
    """
    _check_tensor(input, "normalize")
    denom = input.norm(p, dim, keepdim=True).clamp(min=eps).expand_as(input)
    if out is None:
        return input / denom
    return _t.div(input, denom, out=out)


# ---------------------------------------------------------------- embeddings

def _check_indices(input, fn):
    if input.dtype not in (_t.int64, _t.int32):
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got {input.type()} instead (while checking arguments for {fn})")


def _renorm_rows(weight, idx, max_norm, norm_type):
    # rows of weight referenced by idx whose norm exceeds max_norm are scaled to it, in place
    with _t.no_grad():
        rows = _t.unique(idx.reshape(-1))
        w = weight.detach().index_select(0, rows)
        norms = w.norm(norm_type, 1, keepdim=True)
        scale = _t.where(norms > max_norm, max_norm / (norms + 1e-7), _t.ones_like(norms))
        weight.detach().index_copy_(0, rows, w * scale)


def _pad_index(padding_idx, num):
    if padding_idx is None:
        return -1
    if padding_idx > 0 and padding_idx >= num:
        raise AssertionError("Padding_idx must be within num_embeddings")
    if padding_idx < 0:
        if padding_idx < -num:
            raise AssertionError("Padding_idx must be within num_embeddings")
        padding_idx += num
    return padding_idx


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """Rows of weight picked by the integer indices in input.

    Args: padding_idx (its row gets no gradient); max_norm (rows looked up are first renormalised
        in place to at most this norm); scale_grad_by_freq (gradients divided by how often each
        index occurs in the batch). sparse=True is not supported.
    Shape: input (*) integers; weight (num_embeddings, D); output (*, D).

    Example: ``F.embedding(cytorch.tensor([1]), cytorch.eye(2))`` -> ``tensor([[0., 1.]])``
    """
    _check_tensor(input, "embedding")
    _check_tensor(weight, "embedding", "weight", 2)
    if sparse:
        raise NotImplementedError("cytorch: sparse embedding gradients are not supported (use sparse=False)")
    if weight.dim() != 2:
        raise RuntimeError(f"'weight' must be 2-D, but got {weight.dim()}-D")
    _check_indices(input, "embedding")
    num, D = weight.shape
    padding_idx = _pad_index(padding_idx, num)
    if max_norm is not None:
        _renorm_rows(weight, input, max_norm, norm_type)
    idx = input.reshape(-1)
    if idx.dtype != _t.int64:
        idx = idx.long()
    out = _nn.embedding_forward(weight, input)
    if _records(weight):
        factor = None
        if padding_idx >= 0 or scale_grad_by_freq:
            with _t.no_grad():
                factor = _t.ones(idx.shape, dtype=weight.dtype)
                if scale_grad_by_freq:
                    factor = factor / _t.bincount(idx, minlength=num).index_select(0, idx).to(weight.dtype)
                if padding_idx >= 0:
                    factor = factor * (idx != padding_idx).to(weight.dtype)
        _A._record("nn.embedding", (weight,), out, (idx, factor, num))
    return out


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False,
                  mode="mean", sparse=False, per_sample_weights=None, include_last_offset=False,
                  padding_idx=None):
    """Sums, means or maxima of bags of embeddings, without building the (L, D) intermediate
    for the caller.

    Args: input (B, L) fixed-size bags, or 1-D indices cut into bags at ``offsets``;
        mode 'sum' | 'mean' | 'max'; per_sample_weights (mode 'sum' only) scale each looked-up
        row; include_last_offset (offsets has B + 1 entries, the last the end);
        padding_idx (entries equal to it are left out of their bag).
    Shape: output (B, D); an empty bag gives zeros.
    """
    _check_tensor(input, "embedding_bag")
    _check_tensor(weight, "embedding_bag", "weight", 2)
    if weight.dtype == _t.int64 and input.is_floating_point():
        warnings.warn("Argument order of nn.functional.embedding_bag was changed. Usage "
                      "`embedding_bag(weight, input, ...)` is deprecated, and should now be "
                      "`embedding_bag(input, weight, ...)`.", stacklevel=2)
        weight, input = input, weight
    if per_sample_weights is not None and tuple(input.shape) != tuple(per_sample_weights.shape):
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, then "
                         f"it must have the same shape as the input ({input.shape})")
    if weight.dim() != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}")
    if sparse:
        raise NotImplementedError("cytorch: sparse embedding gradients are not supported (use sparse=False)")
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of "
                             f"fixed length sequences. However, found offsets of type {type(offsets)}")
        offsets = _t.arange(0, input.numel(), max(input.shape[1], 1), dtype=_t.int64)
        include_last_offset = False
        input = input.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}")
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only supported for mode='sum' "
            f"(got mode='{mode}'). Please open a feature request on GitHub.")
    _check_indices(input, "embedding_bag")
    offsets = offsets.long()
    n = input.shape[0]
    if offsets.numel() and int(offsets[0]) != 0:
        raise RuntimeError(f"offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from "
                           f"position 0. However, got {int(offsets[0])}")
    if offsets.numel() > 1 and bool((offsets[1:] < offsets[:-1]).any()):
        raise RuntimeError("offsets must be non-decreasing")
    if offsets.numel() and int(offsets[-1]) > n:
        raise RuntimeError(f"offsets[{offsets.numel() - 1}] (= {int(offsets[-1])}) is beyond the input's "
                           f"{n} elements")
    if include_last_offset:
        if offsets.numel() == 0:
            raise RuntimeError("include_last_offset: number of offset should be at least 1")
        B = offsets.numel() - 1          # the last bag runs to the end of input, as in PyTorch
        offsets = offsets[:-1]
    else:
        B = offsets.numel()
    num, D = weight.shape
    pad = _pad_index(padding_idx, num)
    seg = _t.searchsorted(offsets, _t.arange(input.shape[0]), right=True) - 1
    emb = embedding(input, weight, None, max_norm, norm_type, scale_grad_by_freq)
    valid = None
    if pad >= 0:
        valid = (input.reshape(-1) != pad)
        emb = emb * valid.to(emb.dtype).unsqueeze(1)
    if per_sample_weights is not None:
        emb = emb * per_sample_weights.reshape(-1, 1).to(emb.dtype)
    if mode == "max":
        return _segment_max(emb, seg, B, valid)
    out = _NF.segment_sum(emb, seg, B)
    if mode == "mean":
        with _t.no_grad():
            ones = valid.to(emb.dtype) if valid is not None else _t.ones(input.shape[0], dtype=emb.dtype)
            counts = _t.zeros(B, dtype=emb.dtype).index_add_(0, seg, ones).clamp(min=1)
        out = out / counts.unsqueeze(1)
    return out


def _segment_max(emb, seg, B, valid):
    """Per-bag elementwise maximum (0 for empty bags); the gradient goes to the first maximum."""
    n, D = emb.shape
    with _t.no_grad():
        e = emb.detach()
        if valid is not None:
            e = _t.where(valid.unsqueeze(1), e, _t.full_like(e, -math.inf))
        segx = seg.unsqueeze(1).expand(n, D)
        best = _t.full((B, D), -math.inf, dtype=e.dtype).scatter_reduce(0, segx, e, "amax")
        hit = (e == best.index_select(0, seg)) & (e != -math.inf)
        pos = _t.where(hit, _t.arange(n).unsqueeze(1).expand(n, D), _t.full((n, D), n, dtype=_t.int64))
        first = _t.full((B, D), n, dtype=_t.int64).scatter_reduce(0, segx, pos, "amin")
        pick = (first.index_select(0, seg) == _t.arange(n).unsqueeze(1)).to(e.dtype)
    # the output is the picked rows summed per bag: differentiable, and 0 for empty bags
    return _NF.segment_sum(emb * pick, seg, B)


def one_hot(tensor, num_classes=-1):
    """int64 tensor of shape (*, num_classes) with 1 at each input value's index.

    Example: ``F.one_hot(cytorch.tensor([0, 2]))`` -> ``tensor([[1, 0, 0], [0, 0, 1]])``
    """
    _check_tensor(tensor, "one_hot", "self")
    if tensor.dtype != _t.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if tensor.numel() == 0:
        if num_classes == -1:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        return _t.zeros(tuple(tensor.shape) + (num_classes,), dtype=_t.int64)
    lo = int(tensor.min())
    if lo < 0:
        raise RuntimeError("Class values must be non-negative.")
    hi = int(tensor.max())
    if num_classes == -1:
        num_classes = hi + 1
    elif hi >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    return (tensor.unsqueeze(-1) == _t.arange(num_classes)).long()


# ---------------------------------------------------------------- padding

def _constant_pad(input, pad, value):
    """input padded (or cropped, for negative entries) with value; pad pairs from the last dim."""
    nd = input.dim()
    shape = list(input.shape)
    src = input.detach()
    for i in range(len(pad) // 2):
        d = nd - 1 - i
        lo, hi = pad[2 * i], pad[2 * i + 1]
        new = shape[d] + lo + hi
        if new < 0:
            raise RuntimeError(f"The input size {shape[d]}, plus negative padding {lo} and {hi} resulted in a "
                               f"negative output size, which is invalid. Check dimension {d} of your input.")
        start, length = max(-lo, 0), shape[d] - max(-lo, 0) - max(-hi, 0)
        src = src.narrow(d, start, max(length, 0))
        shape[d] = new
    out = _t.full(shape, value, dtype=input.dtype)
    dst = out
    for i in range(len(pad) // 2):
        d = nd - 1 - i
        lo = pad[2 * i]
        dst = dst.narrow(d, max(lo, 0), src.shape[d])
    if src.numel():
        dst.copy_(src)
    if _records(input):
        _A._record("nn.constant_pad", (input,), out, tuple(pad))
    return out


def _reflect_index(n, lo, hi, mode):
    """Source positions along one dim of size n padded by (lo, hi)."""
    if mode == "circular":
        # negative sizes crop first; the padding then wraps around what is left
        start = max(-lo, 0)
        m = n - start - max(-hi, 0)
        return _t.arange(-max(lo, 0), m + max(hi, 0)).remainder(max(m, 1)) + start
    j = _t.arange(-lo, n + hi)
    if mode == "reflect":
        j = j.abs()
        return _t.where(j >= n, 2 * (n - 1) - j, j)
    return j.clamp(0, n - 1)


_PAD_COMBOS = ("Supported combinations for non-constant padding:\n"
               "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
               "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
               "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")


def pad(input, pad, mode="constant", value=None):
    """Pad (or crop, with negative sizes) the trailing dims: pad = (left, right, top, bottom, ...)
    starting from the last dim.

    Modes: 'constant' (any number of dims, fill ``value``, default 0), 'reflect', 'replicate',
    'circular' (the last 1, 2 or 3 dims of a (C, *) or (N, C, *) input).

    Example: ``F.pad(cytorch.tensor([[1., 2.]]), (1, 1), mode='replicate')`` -> ``tensor([[1., 1., 2., 2.]])``
    """
    _check_tensor(input, "pad")
    pad = list(pad)
    for i, p in enumerate(pad):
        if isinstance(p, bool) or not isinstance(p, numbers.Integral):
            raise TypeError(f"pad(): argument 'pad' (position 2) must be tuple of ints, but found element of type "
                            f"{type(p).__name__} at pos {i}")
    pad = [int(p) for p in pad]
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.dim():
        raise RuntimeError(f"Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pad)} and input of dimension {input.dim()}")
    if mode == "constant":
        return _constant_pad(input, pad, 0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f"Padding mode \"{mode}\" doesn't take in value argument")
    k = len(pad) // 2
    if k not in (1, 2, 3) or input.dim() not in (k + 1, k + 2):
        raise NotImplementedError(f"Padding size {len(pad)} is not supported for {input.dim()}D input tensor.\n"
                                  + _PAD_COMBOS)
    out = input
    for i in range(k):
        d = input.dim() - 1 - i
        n = input.shape[d]
        lo, hi = pad[2 * i], pad[2 * i + 1]
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding input dimension, "
                               f"but got: padding ({lo}, {hi}) at dimension {d} of input {list(input.shape)}")
        if mode == "circular" and (lo > n or hi > n):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if mode == "replicate" and n == 0 and (lo or hi):
            raise RuntimeError(f"padding: input dimension {d} of size 0 can't be replicated")
        if n + lo + hi < 0:
            raise RuntimeError(f"The input size {n}, plus negative padding {lo} and {hi} resulted in a negative "
                               f"output size, which is invalid. Check dimension {d} of your input.")
        if lo or hi:
            out = out.index_select(d, _reflect_index(n, lo, hi, mode))
    return out


# ---------------------------------------------------------------- distances

def _clamped_norm(x, dim, eps):
    # the norm clamped below at eps, with the gradient of the unclamped norm (as PyTorch)
    n = _t.norm(x, 2, dim, keepdim=True)
    with _t.no_grad():
        lift = n.clamp(min=eps) - n
    return n + lift


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """sum(x1 * x2) / (max(||x1||, eps) * max(||x2||, eps)) along dim (inputs broadcast).

    Example: ``F.cosine_similarity(cytorch.tensor([[1., 0.]]), cytorch.tensor([[1., 1.]]))`` -> ``tensor([0.7071])``
    """
    _check_tensor(x1, "cosine_similarity", "x1")
    _check_tensor(x2, "cosine_similarity", "x2", 2)
    x1, x2 = _t.broadcast_tensors(x1, x2)
    if not x1.is_floating_point():
        x1, x2 = x1.float(), x2.float()
    return ((x1 / _clamped_norm(x1, dim, eps)) * (x2 / _clamped_norm(x2, dim, eps))).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """||x1 - x2 + eps||_p over the last dim (inputs broadcast).

    Example: ``F.pairwise_distance(cytorch.tensor([[0., 0.]]), cytorch.tensor([[3., 4.]]), eps=0)`` -> ``tensor([5.])``
    """
    _check_tensor(x1, "pairwise_distance", "x1")
    _check_tensor(x2, "pairwise_distance", "x2", 2)
    nd = max(x1.dim(), x2.dim())
    d = x1 - x2 + eps
    if nd == 0:
        return d.abs() if p != 0 else (d != 0).to(d.dtype)
    return _t.norm(d, p, nd - 1, keepdim=keepdim)


def pdist(input, p=2):
    """p-norm distances between every pair of rows i < j of a (N, M) input, in row-major
    order of the upper triangle: N(N-1)/2 values.

    Example: ``F.pdist(cytorch.tensor([[0., 0.], [3., 4.]]))`` -> ``tensor([5.])``
    """
    _check_tensor(input, "pdist")
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    n = input.shape[0]
    if n < 2:
        return _t.zeros(0, dtype=input.dtype)
    ij = _t.triu_indices(n, n, 1)
    diff = input.index_select(0, ij[0]) - input.index_select(0, ij[1])
    return _t.norm(diff, p, 1)
