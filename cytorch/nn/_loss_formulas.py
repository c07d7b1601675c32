"""The fused losses: each runs one C kernel forward (cytorch/_C/_loss.pyx) and records one
autograd node whose backward formula is registered here, into cytorch's formula table.

A first-order backward (grad mode off inside the engine) calls the fused backward kernel.
With ``create_graph=True`` the formula is written with differentiable cytorch ops instead,
so second derivatives flow through it.
"""
import cytorch as _t
from cytorch._C import _autograd as _A
from cytorch._C import _loss as _L
from cytorch.autograd._formulas import generic


# ---------------------------------------------------------------- nll / cross-entropy, class indices

def class_nll(x, target, weight, ignore_index, label_smoothing, logits, red):
    """Fused (log_softmax +) nll over class indices.

    x: float32/float64, (N, C, d...) with N >= 1 (callers add the batch dim); target: int64
    (N, d...); weight: (C,) of x's dtype or None; red: 0 none, 1 mean, 2 sum.
    """
    loss, lse, wsum = _L.nll_forward(x, target, weight, ignore_index, label_smoothing, logits, red)
    if x.requires_grad and _A.is_grad_enabled():
        scale = (1.0 / wsum if wsum else 0.0) if red == 1 else 1.0
        key = "cross_entropy" if logits else "nll_loss"
        # nll's gradient does not read x: keep it only for cross-entropy
        _A._record(key, (x,), loss, ctx=(ignore_index, label_smoothing, scale, x.dtype),
                   saved=(x if logits else None, target, weight, lse))
    return loss


def _class_grad(n, g, logits):
    x, target, weight, lse = n.saved_tensors
    ignore, eps, scale, dtype = n.ctx
    shape = n.in_shapes[0]
    if not _t.is_grad_enabled():
        if x is None:        # nll: the kernel reads only the shape
            x = _t.zeros((), dtype=dtype).expand(shape)
        return _L.nll_backward(x, target, weight, lse, ignore, eps, logits, g, scale)
    # create_graph: the same gradient from differentiable ops, x and g the variables
    C = shape[1]
    cls = [1] * len(shape)
    cls[1] = C
    with _t.no_grad():
        valid = target != ignore
        tc = _t.where(valid, target, _t.zeros((), dtype=target.dtype))
        onehot = (tc.unsqueeze(1) == _t.arange(C).reshape(cls)).to(dtype)
        vmask = valid.to(dtype)
        wt = (weight[tc] if weight is not None else _t.ones(tc.shape, dtype=dtype)) * vmask
        wc = weight.reshape(cls) if weight is not None else 1.0
        W = float(weight.sum()) if weight is not None else float(C)
    G = (g.unsqueeze(1) if g.dim() else g) * scale * vmask.unsqueeze(1)
    term = -(1 - eps) * wt.unsqueeze(1) * onehot
    if eps:
        term = term - (eps / C) * wc
    if logits:
        K = ((1 - eps) * wt + (eps / C) * W).unsqueeze(1)
        term = _t.softmax(x, 1) * K + term
    return G * term


@generic("cross_entropy", name="NllLossBackward0")
def _cross_entropy_bw(n, g):
    return _class_grad(n, g, True)


@generic("nll_loss", name="NllLossBackward0")
def _nll_loss_bw(n, g):
    return _class_grad(n, g, False)


# ---------------------------------------------------------------- BCE with logits

def _logsigmoid(x):
    return -_t.logaddexp(_t.zeros((), dtype=x.dtype), -x)


def bce_with_logits(x, y, weight, pos_weight, red):
    """Fused BCE with logits: x, y same shape, float32/float64; weight, pos_weight broadcast."""
    loss = _L.bce_logits_forward(x, y, weight, pos_weight, red)
    if (x.requires_grad or y.requires_grad) and _A.is_grad_enabled():
        scale = 1.0 / x.numel() if red == 1 else 1.0
        _A._record("bce_with_logits", (x, y), loss, ctx=scale, saved=(x, y, weight, pos_weight))
    return loss


@generic("bce_with_logits", name="BinaryCrossEntropyWithLogitsBackward0")
def _bce_with_logits_bw(n, g):
    x, y, w, pw = n.saved_tensors
    scale = n.ctx
    nx, ny = n.needs_input_grad
    if not _t.is_grad_enabled():
        return _L.bce_logits_backward(x, y, w, pw, g, scale, nx, ny)
    G = g * scale
    if w is not None:
        G = G * w
    p = pw if pw is not None else 1.0
    gx = G * ((1 + (p - 1) * y) * _t.sigmoid(x) - p * y) if nx else None
    gy = G * ((1 - p) * _logsigmoid(x) - x) if ny else None
    return gx, gy


# ---------------------------------------------------------------- BCE on probabilities

def binary_cross_entropy(x, y, weight, red):
    """-w (y log x + (1 - y) log(1 - x)), each log clamped at -100 (so x = 0 or 1 stays finite)."""
    with _t.no_grad():
        loss = -(y * _t.clamp_min(_t.log(x), -100) + (1 - y) * _t.clamp_min(_t.log1p(-x), -100))
        if weight is not None:
            loss = loss * weight
        loss = loss.mean() if red == 1 else (loss.sum() if red == 2 else loss)
    if (x.requires_grad or y.requires_grad) and _A.is_grad_enabled():
        scale = 1.0 / x.numel() if red == 1 else 1.0
        _A._record("binary_cross_entropy", (x, y), loss, ctx=scale, saved=(x, y, weight))
    return loss


@generic("binary_cross_entropy", name="BinaryCrossEntropyBackward0")
def _binary_cross_entropy_bw(n, g):
    # d/dx = (x - y) / (x (1 - x)), the denominator kept >= 1e-12 as PyTorch does
    x, y, w = n.saved_tensors
    G = g * n.ctx
    if w is not None:
        G = G * w
    gx = G * (x - y) / _t.clamp_min((1 - x) * x, 1e-12) if n.needs_input_grad[0] else None
    gy = G * (_t.log1p(-x) - _t.log(x)) if n.needs_input_grad[1] else None
    return gx, gy

