"""Backward formulas of the fused ops of cytorch.nn.functional (same registry as
cytorch/autograd/_formulas.py, kept here so the nn family stays in its own files).

Each formula takes the fused C backward kernel on first-order passes, and falls back to a
formula written with differentiable cytorch ops when grad mode is on (``create_graph=True``),
so higher-order gradients work. Keys start with ``nn.`` so they never clash with core ops.
"""
import math

import cytorch as _t
from cytorch._C import _autograd as _A
from cytorch._C import _nn
from cytorch._C._autograd import is_grad_enabled
from cytorch.autograd._formulas import generic

_SQRT1_2 = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_PI = math.sqrt(2.0 / math.pi)
_ACT = _nn.ACT_OPS


def _mask(cond, x):
    return cond.to(x.dtype)


# ---------------------------------------------------------------- activations
# ctx: (op code, a, b, c), the kernel's parameters; saved: the input.

def _gelu_d(x, a, b, c):
    return 0.5 * (1 + _t.erf(x * _SQRT1_2)) + x * _t.exp(-0.5 * x * x) * _INV_SQRT_2PI


def _gelu_tanh_d(x, a, b, c):
    t = _t.tanh(_SQRT_2_PI * (x + 0.044715 * x * x * x))
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * _SQRT_2_PI * (1 + 3 * 0.044715 * x * x)


def _silu_d(x, a, b, c):
    s = _t.sigmoid(x)
    return s * (1 + x * (1 - s))


def _mish_d(x, a, b, c):
    t = _t.tanh(_softplus_plain(x))
    return t + x * _t.sigmoid(x) * (1 - t * t)


def _softplus_plain(x, beta=1.0, threshold=20.0):
    # differentiable softplus from core ops (used inside second-order formulas)
    z = x * beta
    soft = (_t.clamp(z, min=0) + _t.log1p(_t.exp(-_t.abs(z)))) / beta
    return _t.where(z > threshold, x, soft)


def _elu_d(x, alpha, scale, input_scale):
    return _t.where(x > 0, _t.full_like(x, scale), scale * alpha * input_scale * _t.exp(x * input_scale))


def _softplus_d(x, beta, threshold, c):
    z = x * beta
    return _t.where(z > threshold, _t.ones_like(x), _t.sigmoid(z))


def _hardswish_d(x, a, b, c):
    return _t.where(x <= -3, _t.zeros_like(x), _t.where(x <= 3, x / 3 + 0.5, _t.ones_like(x)))


def _hardsigmoid_d(x, a, b, c):
    return _mask((x > -3) & (x < 3), x) / 6


def _leaky_relu_d(x, slope, b, c):
    m = _mask(x > 0, x)
    return m + (1 - m) * slope


def _hardtanh_d(x, lo, hi, c):
    return _mask((x > lo) & (x < hi), x)


def _logsigmoid_d(x, a, b, c):
    return _t.sigmoid(-x)


def _shrink_d(x, lambd, b, c):
    return _mask((x < -lambd) | (x > lambd), x)


def _threshold_d(x, th, value, c):
    return _mask(x > th, x)


def _softsign_d(x, a, b, c):
    d = 1 + _t.abs(x)
    return 1 / (d * d)


def _tanhshrink_d(x, a, b, c):
    t = _t.tanh(x)
    return t * t


_DERIV = {_ACT["gelu"]: _gelu_d, _ACT["gelu_tanh"]: _gelu_tanh_d, _ACT["silu"]: _silu_d,
          _ACT["mish"]: _mish_d, _ACT["elu"]: _elu_d, _ACT["softplus"]: _softplus_d,
          _ACT["hardswish"]: _hardswish_d, _ACT["hardsigmoid"]: _hardsigmoid_d,
          _ACT["leaky_relu"]: _leaky_relu_d, _ACT["hardtanh"]: _hardtanh_d,
          _ACT["logsigmoid"]: _logsigmoid_d, _ACT["softshrink"]: _shrink_d, _ACT["hardshrink"]: _shrink_d,
          _ACT["threshold"]: _threshold_d, _ACT["softsign"]: _softsign_d, _ACT["tanhshrink"]: _tanhshrink_d}


def _act_bw(n, g):
    x, = n.saved_tensors
    op, a, b, c = n.ctx
    if not is_grad_enabled():
        return _nn.act_backward(op, g, x, a, b, c)
    return g * _DERIV[op](x, a, b, c)


# PyTorch's node names (gelu with approximate='tanh' is GeluBackward0 too)
ACT_KEYS = {}
for _nm, _node in (("gelu", "GeluBackward0"), ("gelu_tanh", "GeluBackward0"), ("silu", "SiluBackward0"),
                   ("mish", "MishBackward0"), ("elu", "EluBackward0"), ("celu", "CeluBackward0"),
                   ("softplus", "SoftplusBackward0"), ("hardswish", "HardswishBackward0"),
                   ("hardsigmoid", "HardsigmoidBackward0"), ("leaky_relu", "LeakyReluBackward0"),
                   ("hardtanh", "HardtanhBackward0"), ("logsigmoid", "LogSigmoidBackward0"),
                   ("softshrink", "SoftshrinkBackward0"), ("hardshrink", "HardshrinkBackward0"),
                   ("threshold", "ThresholdBackward0"), ("softsign", "SoftsignBackward0"),
                   ("tanhshrink", "TanhshrinkBackward0")):
    ACT_KEYS[_nm] = "nn." + _nm
    generic("nn." + _nm, name=_node)(_act_bw)


# ---------------------------------------------------------------- dropout
# ctx: (mask, scale); the gradient is the same masked scaling, recorded again for double backward

def dropout_masked(x, mask, scale):
    """x where the mask keeps, times scale; 0 elsewhere (records itself when x requires grad)."""
    y = _nn.dropout_apply(x.detach() if x.requires_grad else x, mask, scale)
    if is_grad_enabled() and x.requires_grad:
        _A._record("nn.dropout", (x,), y, (mask, scale))
    return y


@generic("nn.dropout", name="NativeDropoutBackward0")
def _dropout_bw(n, g):
    mask, scale = n.ctx
    return dropout_masked(g, mask, scale)


# ---------------------------------------------------------------- norms

def _sum_except(t, keep):
    """t summed over every dim not in ``keep`` (keep: sorted dims), those dims kept as is."""
    dims = tuple(d for d in range(t.dim()) if d not in keep)
    return t.sum(dims) if dims else t


def _norm_dx(g, x, w_b, dims, eps, centered):
    """Differentiable gx of (x - mean) rstd * w over ``dims`` (mean 0 when not centered)."""
    xc = x - x.mean(dims, keepdim=True) if centered else x
    rstd = ((xc * xc).mean(dims, keepdim=True) + eps).rsqrt()
    xhat = xc * rstd
    gy = g * w_b if w_b is not None else g
    inner = gy - xhat * (gy * xhat).mean(dims, keepdim=True)
    if centered:
        inner = inner - gy.mean(dims, keepdim=True)
    return rstd * inner, xhat


# layer norm / rms norm. inputs (x, w, b) / (x, w); saved (x, w); ctx (k, eps, mean, rstd) with
# k the number of normalised (trailing) dims

@generic("nn.layer_norm", name="NativeLayerNormBackward0")
def _layer_norm_bw(n, g):
    x, w = n.saved_tensors
    k, eps, mean, rstd = n.ctx
    need = n.needs_input_grad
    nshape = tuple(x.shape[x.dim() - k:])
    N = 1
    for s in nshape:
        N *= s
    if not is_grad_enabled():
        gx, gw, gb = _nn.layer_norm_backward(g, x, mean, rstd, w, N, need[0], need[1], need[2])
        return (gx, None if gw is None else gw.reshape(nshape), None if gb is None else gb.reshape(nshape))
    dims = tuple(range(x.dim() - k, x.dim()))
    gx, xhat = _norm_dx(g, x, w, dims, eps, True)
    keep = dims
    return (gx, _sum_except(g * xhat, keep) if need[1] else None, _sum_except(g, keep) if need[2] else None)


@generic("nn.rms_norm", name="RmsNormBackward0")
def _rms_norm_bw(n, g):
    x, w = n.saved_tensors
    k, eps, rstd = n.ctx
    need = n.needs_input_grad
    nshape = tuple(x.shape[x.dim() - k:])
    N = 1
    for s in nshape:
        N *= s
    if not is_grad_enabled():
        gx, gw = _nn.rms_norm_backward(g, x, rstd, w, N, need[0], need[1])
        return gx, None if gw is None else gw.reshape(nshape)
    dims = tuple(range(x.dim() - k, x.dim()))
    gx, xhat = _norm_dx(g, x, w, dims, eps, False)
    return gx, (_sum_except(g * xhat, dims) if need[1] else None)


def _channel_view(t, nd):
    """A per-channel vector viewed as (1, C, 1, ...) against an nd-dim input."""
    return t.reshape((1, -1) + (1,) * (nd - 2)) if nd > 2 else t.reshape(1, -1) if nd == 2 else t


# batch norm: inputs (x, w, b); saved (x, w); ctx (training, eps, mean, invstd)

@generic("nn.batch_norm", name="NativeBatchNormBackward0")
def _batch_norm_bw(n, g):
    x, w = n.saved_tensors
    training, eps, mean, invstd = n.ctx
    need = n.needs_input_grad
    if not is_grad_enabled():
        return _nn.batch_norm_backward(g, x, mean, invstd, w, training, need[0], need[1], need[2])
    nd = x.dim()
    w_b = _channel_view(w, nd) if w is not None else None
    dims = tuple(d for d in range(nd) if d != 1)
    if training:
        gx, xhat = _norm_dx(g, x, w_b, dims, eps, True)
    else:
        is_b = _channel_view(invstd, nd)
        xhat = (x - _channel_view(mean, nd)) * is_b
        gx = g * w_b * is_b if w_b is not None else g * is_b
    return (gx if need[0] else None, _sum_except(g * xhat, (1,)) if need[1] else None,
            _sum_except(g, (1,)) if need[2] else None)


# group norm: inputs (x, w, b); saved (x, w); ctx (G, eps, mean, rstd)

@generic("nn.group_norm", name="NativeGroupNormBackward0")
def _group_norm_bw(n, g):
    x, w = n.saved_tensors
    G, eps, mean, rstd = n.ctx
    need = n.needs_input_grad
    if not is_grad_enabled():
        return _nn.group_norm_backward(g, x, mean, rstd, w, G, need[0], need[1], need[2])
    N = x.shape[0]
    shape = tuple(x.shape)
    xg = x.reshape(N, G, -1)
    gy = g * _channel_view(w, x.dim()) if w is not None else g
    gx, xhat = _norm_dx(gy.reshape(N, G, -1), xg, None, (2,), eps, True)
    xhat = xhat.reshape(shape)
    return (gx.reshape(shape) if need[0] else None, _sum_except(g * xhat, (1,)) if need[1] else None,
            _sum_except(g, (1,)) if need[2] else None)


# ---------------------------------------------------------------- embedding
# inputs (weight,); ctx (flat indices, factor per index or None, number of rows)

def embedding_grad(g, idx, factor, num):
    """The weight gradient: rows of g (times factor) added at idx (records itself for double backward)."""
    gw = _nn.embedding_backward(g.detach(), idx, factor, num)
    if gw.dtype != g.dtype:
        gw = gw.to(g.dtype)
    if is_grad_enabled() and g.requires_grad:
        _A._record("nn.embedding_backward", (g,), gw, (idx, factor, tuple(g.shape)))
    return gw


@generic("nn.embedding", name="EmbeddingBackward0")
def _embedding_bw(n, g):
    idx, factor, num = n.ctx
    return embedding_grad(g, idx, factor, num)


@generic("nn.embedding_backward", name="EmbeddingDenseBackward0")
def _embedding_backward_bw(n, g):
    idx, factor, shape = n.ctx
    r = g.index_select(0, idx)
    if factor is not None:
        r = r * factor.reshape(-1, 1)
    return r.reshape(shape)


# ---------------------------------------------------------------- segments (embedding_bag)
# inputs (x,); ctx (segment of each row, number of segments)

def segment_sum(x, seg, nseg):
    """out[s] = sum of the rows of x whose segment is s (records itself when x requires grad)."""
    with _t.no_grad():
        out = _t.zeros((nseg,) + tuple(x.shape[1:]), dtype=x.dtype).index_add_(0, seg, x.detach())
    if is_grad_enabled() and x.requires_grad:
        _A._record("nn.segment_sum", (x,), out, (seg, nseg))
    return out


@generic("nn.segment_sum", name="EmbeddingBagBackward0")
def _segment_sum_bw(n, g):
    seg, nseg = n.ctx
    return g.index_select(0, seg)


# constant padding: inputs (x,); ctx (pad, the flat (left, right) pairs from the last dim)

@generic("nn.constant_pad", name="ConstantPadNdBackward0")
def _constant_pad_bw(n, g):
    from cytorch.nn.functional import _constant_pad
    return _constant_pad(g, [-p for p in n.ctx], 0.0)
