"""Loss functions of ``cytorch.nn.functional`` (PyTorch's names, signatures and errors).

cross_entropy / nll_loss with class indices and binary_cross_entropy_with_logits run fused C
kernels forward and backward (cytorch/nn/_loss_formulas.py); binary_cross_entropy records
one node with its own formula; every other loss is a short composition of differentiable
cytorch ops. All take ``reduction='none'|'mean'|'sum'`` and, where PyTorch has them, the
deprecated ``size_average``/``reduce`` pair.
"""
import math
import warnings

import cytorch as _t
from cytorch._C._autograd import _PRETTY
from cytorch.nn import _reduction as _Reduction
from cytorch.nn import _loss_formulas as _F

__all__ = [
    "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "cross_entropy", "nll_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div", "poisson_nll_loss",
    "gaussian_nll_loss", "cosine_embedding_loss", "margin_ranking_loss", "hinge_embedding_loss",
    "triplet_margin_loss", "triplet_margin_with_distance_loss", "multilabel_soft_margin_loss",
    "soft_margin_loss", "multi_margin_loss", "multilabel_margin_loss",
]

_LOW_FLOATS = (_t.float16, _t.bfloat16)


def _pretty(dtype):
    return _PRETTY[dtype.code]


def _legacy(size_average, reduce, reduction):
    if size_average is not None or reduce is not None:
        return _Reduction.legacy_get_string(size_average, reduce)
    return reduction


def _apply(loss, red):
    if red == 1:
        return loss.mean()
    if red == 2:
        return loss.sum()
    return loss


def _size_warning(input, target):
    if target.size() != input.size():
        warnings.warn(f"Using a target size ({target.size()}) that is different to the input size ({input.size()}). "
                      "This will likely lead to incorrect results due to broadcasting. "
                      "Please ensure they have the same size.", stacklevel=3)


def _no_grad_weight(weight, fn):
    if weight is not None and weight.requires_grad and _t.is_grad_enabled():
        raise RuntimeError(f"The function '{fn}' is not differentiable with respect to argument 'weight'. "
                           "This input cannot have requires_grad True.")


def _weighted(loss, weight, input, red, weight_mean):
    """loss * weight with PyTorch's weighted reductions (mean: sum / sum(weight) or plain mean)."""
    if weight.size() != input.size():
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    if red == 1:
        return loss.sum() / weight.sum() if weight_mean else loss.mean()
    return _apply(loss, red)


def _pointwise(input, target, size_average, reduce, reduction, weight, body, weight_mean=True):
    _size_warning(input, target)
    reduction = _legacy(size_average, reduce, reduction)
    if weight is not None and reduction not in ("none", "mean", "sum"):
        raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")
    red = _Reduction.get_enum(reduction)
    loss = body(input - target)
    if weight is not None:
        return _weighted(loss, weight, input, red, weight_mean)
    return _apply(loss, red)


# ---------------------------------------------------------------- regression losses

def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean squared error ``(input - target)^2``, reduced.

    Args:
        input, target: tensors of the same shape (broadcast with a warning otherwise).
        reduction: 'none' | 'mean' | 'sum'. weight: optional per-element weights of the input's
            shape ('mean' then divides by ``weight.sum()``).

    Shape: input (*), target (*); output scalar, or (*) with reduction='none'.

    Example::

        >>> F.mse_loss(cytorch.tensor([1., 2.]), cytorch.tensor([1., 4.]))
        tensor(2.)
    """
    return _pointwise(input, target, size_average, reduce, reduction, weight, lambda d: d * d)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean absolute error ``|input - target|``, reduced (see :func:`mse_loss` for the arguments).

    Example::

        >>> F.l1_loss(cytorch.tensor([1., 2.]), cytorch.tensor([1., 4.]))
        tensor(1.)
    """
    return _pointwise(input, target, size_average, reduce, reduction, weight, _t.abs)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """``0.5 d^2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta`` (d = input - target).

    beta=0 is the L1 loss; a negative beta raises.

    Example::

        >>> F.smooth_l1_loss(cytorch.tensor([0., 3.]), cytorch.tensor([0.5, 0.]))
        tensor(1.3125)
    """
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")

    def body(d):
        a = d.abs()
        if beta == 0:
            return a
        return _t.where(a < beta, (0.5 / beta) * a * a, a - 0.5 * beta)
    return _pointwise(input, target, size_average, reduce, reduction, None, body)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """``0.5 d^2`` where ``|d| < delta``, else ``delta (|d| - 0.5 delta)`` (d = input - target).

    weight: optional per-element weights of the input's shape ('mean' is then the plain mean
    of the weighted losses, as in PyTorch).

    Example::

        >>> F.huber_loss(cytorch.tensor([0., 3.]), cytorch.tensor([0.5, 0.]))
        tensor(1.3125)
    """
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")

    def body(d):
        a = d.abs()
        return _t.where(a < delta, 0.5 * a * a, delta * (a - 0.5 * delta))
    return _pointwise(input, target, None, None, reduction, weight, body, weight_mean=False)


# ---------------------------------------------------------------- classification: class indices

def _check_float(input, kernel):
    if not input.is_floating_point():
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_pretty(input.dtype)}'")


def _spatial(input):
    s = tuple(input.shape)
    return s[:1] + s[2:]


def _class_loss(input, target, weight, ignore_index, red, logits, eps):
    """nll (of log_softmax(input) when logits) over class indices, PyTorch's checks first."""
    nd = input.dim()
    if nd < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {nd})")
    _check_float(input, "log_softmax_lastdim_kernel_impl" if logits else "nll_loss_out_frame")
    if nd != 1 and target.dim() >= 1 and input.size(0) != target.size(0):
        raise ValueError(f"Expected input batch_size ({input.size(0)}) to match target batch_size "
                         f"({target.size(0)}).")
    if nd <= 2 and target.dim() > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if target.dtype not in (_t.int64, _t.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_pretty(target.dtype)}")
    if nd == 1:
        if target.numel() != 1:
            raise RuntimeError(f"size mismatch (got input: {list(input.shape)}, target: {list(target.shape)})")
    elif nd == 2:
        if target.dim() != 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    elif nd == 4:
        if target.dim() != 3:
            raise RuntimeError("only batches of spatial targets supported (3D tensors) but got targets of "
                               f"dimension: {target.dim()}")
        if tuple(target.shape) != _spatial(input):
            raise RuntimeError(f"size mismatch (got input: {list(input.shape)} , target: {list(target.shape)}")
    elif tuple(target.shape) != _spatial(input):
        raise RuntimeError(f"Expected target size {list(_spatial(input))}, got {list(target.shape)}")
    C = input.size(0 if nd == 1 else 1)
    if weight is not None:
        if weight.numel() != C:
            if nd == 4:
                raise RuntimeError("weight tensor should be defined either for all or no classes")
            raise RuntimeError(f"weight tensor should be defined either for all {C} classes or no classes but "
                               f"got weight tensor of shape: {list(weight.shape)}")
        if weight.dtype != input.dtype:
            raise RuntimeError(f"expected scalar type {_pretty(input.dtype)} but found {_pretty(weight.dtype)}")
        _no_grad_weight(weight, "nll_loss_forward")
        weight = weight.reshape(-1)
    x = input
    if nd == 1:
        x = input.unsqueeze(0)
        target = target.reshape(1)
    if target.dtype != _t.int64:
        target = target.long()
    low = x.dtype in _LOW_FLOATS
    if low:
        x = x.float()
        weight = weight.float() if weight is not None else None
    loss = _F.class_nll(x, target, weight, ignore_index, eps, logits, red)
    if nd == 1 and red == 0:
        loss = loss.reshape(())
    return loss.to(input.dtype) if low else loss


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """Negative log-likelihood of class indices: ``-weight[t] * input[n, t, d...]``, t = target[n, d...].

    Args:
        input: log-probabilities, (N, C), (C,) or (N, C, d1, ...).
        target: class indices (int64 or uint8), (N,), () or (N, d1, ...), each in [0, C) or
            ``ignore_index`` (skipped; it counts neither in the loss nor in the mean's denominator).
        weight: (C,) class weights; 'mean' divides by the sum of the targets' weights.

    Example::

        >>> logp = cytorch.log_softmax(cytorch.randn(3, 5), 1)
        >>> F.nll_loss(logp, cytorch.tensor([1, 0, 4]))
    """
    red = _Reduction.get_enum(_legacy(size_average, reduce, reduction))
    return _class_loss(input, target, weight, ignore_index, red, False, 0.0)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """Cross-entropy between ``log_softmax(input, 1)`` and the target, in one fused kernel.

    Args:
        input: unnormalised scores, (N, C), (C,) or (N, C, d1, ...).
        target: class indices like :func:`nll_loss`'s, or class probabilities of the input's
            shape (floating point; ``ignore_index`` is not supported then).
        weight: (C,) class weights. label_smoothing: in [0, 1]; the target becomes
            ``(1 - s) * onehot + s / C``.

    Shape: output scalar, or the target's shape (class indices) / input without C
    (probabilities) with reduction='none'.

    Example::

        >>> x = cytorch.randn(3, 5, requires_grad=True)
        >>> loss = F.cross_entropy(x, cytorch.tensor([1, 0, 4]))
        >>> loss.backward()
    """
    red = _Reduction.get_enum(_legacy(size_average, reduce, reduction))
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    if input.dim() == target.dim() and input.shape == target.shape:
        return _cross_entropy_probs(input, target, weight, ignore_index, red, label_smoothing)
    return _class_loss(input, target, weight, ignore_index, red, True, float(label_smoothing))


def _cross_entropy_probs(input, target, weight, ignore_index, red, eps):
    if not target.is_floating_point():
        raise RuntimeError(f"Expected floating point type for target with class probabilities, got "
                           f"{_pretty(target.dtype)}")
    if ignore_index >= 0:
        raise RuntimeError("ignore_index is not supported for floating point target")
    if input.dim() < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.dim()})")
    _check_float(input, "log_softmax_lastdim_kernel_impl")
    cd = 0 if input.dim() == 1 else 1
    C = input.shape[cd]
    logp = _t.log_softmax(input, cd)
    if eps:
        target = target * (1 - eps) + eps / C
    if weight is not None:
        if weight.numel() != C:
            raise RuntimeError(f"weight tensor should be defined either for all {C} classes or no classes but "
                               f"got weight tensor of shape: {list(weight.shape)}")
        _no_grad_weight(weight, "cross_entropy")
        shape = [1] * input.dim()
        shape[cd] = C
        logp = logp * weight.reshape(shape)
    loss = -(logp * target).sum(cd)
    if red == 1:
        return loss.sum() / (input.numel() // C if C else 0)
    return _apply(loss, red)


# ---------------------------------------------------------------- binary classification

def _float_dtype(*ts):
    dt = ts[0].dtype
    for t in ts[1:]:
        if t is not None:
            dt = _t.promote_types(dt, t.dtype)
    return dt


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """``-weight (target log(input) + (1 - target) log(1 - input))``, each log clamped at -100.

    Args:
        input: probabilities in [0, 1]; target: same shape, in [0, 1] (soft labels allowed).
        weight: broadcast to the input's shape.

    Example::

        >>> F.binary_cross_entropy(cytorch.tensor([0.9, 0.2]), cytorch.tensor([1., 0.]))
        tensor(0.1643)
    """
    red = _Reduction.get_enum(_legacy(size_average, reduce, reduction))
    if target.size() != input.size():
        raise ValueError(f"Using a target size ({target.size()}) that is different to the input size "
                         f"({input.size()}) is deprecated. Please ensure they have the same size.")
    _check_float(input, "binary_cross_entropy")
    if target.dtype != input.dtype:
        raise RuntimeError(f"Found dtype {_pretty(target.dtype)} but expected {_pretty(input.dtype)}")
    if weight is not None:
        _no_grad_weight(weight, "binary_cross_entropy")
        if _t.broadcast_shapes(weight.shape, input.shape) != input.shape:
            raise RuntimeError(f"binary_cross_entropy: weight of shape {list(weight.shape)} can't be broadcast to "
                               f"the input's shape {list(input.shape)}")
    with _t.no_grad():
        if not bool(((input >= 0) & (input <= 1)).all()):
            raise RuntimeError("all elements of input should be between 0 and 1")
        if not bool(((target >= 0) & (target <= 1)).all()):
            raise RuntimeError("all elements of target should be between 0 and 1")
    x, y, w = input, target, weight
    low = x.dtype in _LOW_FLOATS
    if low:
        x, y = x.float(), y.float()
        w = w.float() if w is not None else None
    loss = _F.binary_cross_entropy(x, y, w, red)
    return loss.to(input.dtype) if low else loss


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """``-weight (pos_weight target log sigmoid(x) + (1 - target) log(1 - sigmoid(x)))``, stable
    for any x, in one fused kernel.

    Args:
        input: logits; target: same shape, in [0, 1].
        weight: broadcast to the input. pos_weight: weight of the positive term, broadcast to
            the input (typically (C,) for C classes in the last dim).

    Example::

        >>> F.binary_cross_entropy_with_logits(cytorch.tensor([2., -1.]), cytorch.tensor([1., 0.]))
        tensor(0.2201)
    """
    red = _Reduction.get_enum(_legacy(size_average, reduce, reduction))
    if target.size() != input.size():
        raise ValueError(f"Target size ({target.size()}) must be the same as input size ({input.size()})")
    _check_float(input, "binary_cross_entropy_with_logits")
    if not target.is_floating_point():
        raise RuntimeError(f"result type {_pretty(input.dtype)} can't be cast to the desired output type "
                           f"{_pretty(target.dtype)}")
    _no_grad_weight(weight, "binary_cross_entropy_with_logits")
    dt = _float_dtype(input, target, weight, pos_weight)
    cdt = _t.float32 if dt in _LOW_FLOATS else dt
    fused = True
    for extra in (weight, pos_weight):
        if extra is not None and _t.broadcast_shapes(extra.shape, input.shape) != input.shape:
            fused = False
    if pos_weight is not None and pos_weight.requires_grad and _t.is_grad_enabled():
        fused = False
    x, y = input.to(cdt), target.to(cdt)
    w = weight.to(cdt) if weight is not None else None
    pw = pos_weight.to(cdt) if pos_weight is not None else None
    if fused:
        loss = _F.bce_with_logits(x, y, w, pw, red)
    else:
        sp = -_F._logsigmoid(x)                     # log(1 + exp(-x))
        loss = (1 - y) * x + (sp if pw is None else (1 + (pw - 1) * y) * sp)
        if w is not None:
            loss = loss * w
        loss = _apply(loss, red)
    return loss.to(dt) if cdt != dt else loss


# ---------------------------------------------------------------- distributions

def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """Kullback-Leibler divergence ``target (log target - input)`` with input log-probabilities.

    Args:
        log_target: the target is given as log-probabilities too.
        reduction: 'none' | 'mean' | 'sum' | 'batchmean' (sum / batch size: the KL divergence
            proper; 'mean' divides by every element and warns).

    Example::

        >>> p = cytorch.log_softmax(cytorch.randn(2, 3), 1)
        >>> q = cytorch.softmax(cytorch.randn(2, 3), 1)
        >>> F.kl_div(p, q, reduction="batchmean")
    """
    if size_average is not None or reduce is not None:
        reduction = _Reduction.legacy_get_string(size_average, reduce)
    elif reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                      "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                      "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                      stacklevel=2)
    red = 1 if reduction == "batchmean" else _Reduction.get_enum(reduction)
    if log_target:
        loss = _t.exp(target) * (target - input)
    else:
        loss = _t.xlogy(target, target) - target * input
    if reduction == "batchmean":
        return loss.sum() / input.size(0) if input.dim() != 0 else loss.sum()
    return _apply(loss, red)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                     reduction="mean"):
    """Poisson negative log-likelihood: ``exp(input) - target input`` (log_input) or
    ``input - target log(input + eps)``; ``full`` adds Stirling's term
    ``target log target - target + 0.5 log(2 pi target)`` where target > 1.

    Example::

        >>> F.poisson_nll_loss(cytorch.tensor([0.5, 1.]), cytorch.tensor([1., 2.]))
    """
    red = _Reduction.get_enum(_legacy(size_average, reduce, reduction))
    if log_input:
        loss = _t.exp(input) - target * input
    else:
        loss = input - target * _t.log(input + eps)
    if full:
        with _t.no_grad():
            small = target <= 1
        st = target * _t.log(target) - target + 0.5 * _t.log(2 * math.pi * target)
        loss = loss + st.masked_fill(small, 0)
    return _apply(loss, red)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """Gaussian negative log-likelihood ``0.5 (log var + (input - target)^2 / var)`` (+ 0.5 log 2 pi
    with ``full``).

    Args:
        var: tensor of the input's shape, or with its last dim missing or 1 (one variance per
            sample), or a float. Clamped at ``eps`` for stability without stopping its gradient.

    Example::

        >>> F.gaussian_nll_loss(cytorch.randn(4, 2), cytorch.randn(4, 2), cytorch.ones(4, 1))
    """
    if not isinstance(var, _t.Tensor):
        var = _t.full_like(input, float(var))
    if var.size() != input.size():
        if input.size()[:-1] == var.size():
            var = var.unsqueeze(-1)
        elif input.size()[:-1] == var.size()[:-1] and var.size(-1) == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    with _t.no_grad():
        if bool((var < 0).any()):
            raise ValueError("var has negative entry/entries")
    var = var.clone()
    with _t.no_grad():
        var.clamp_(min=eps)
    loss = 0.5 * (_t.log(var) + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _apply(loss, _Reduction.get_enum(reduction))


# ---------------------------------------------------------------- embeddings and margins

def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """``1 - cos(x1, x2)`` where target is 1, ``max(0, cos(x1, x2) - margin)`` where it is -1.

    Shape: input1, input2 (N, D) with target (N,), or (D,) with a 0-d target.

    Example::

        >>> F.cosine_embedding_loss(cytorch.randn(3, 4), cytorch.randn(3, 4), cytorch.tensor([1, -1, 1]))
    """
    red = _Reduction.get_enum(_legacy(size_average, reduce, reduction))
    td = target.dim()
    if td > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    want = td + 1
    if input1.dim() != want or input2.dim() != want:
        raise RuntimeError(f"{td}D target tensor expects {want}D input tensors, but found inputs with sizes "
                           f"{list(input1.shape)} and {list(input2.shape)}.")
    d = input1.dim() - 1
    tiny = 1e-12            # keeps the norms of zero vectors away from 0
    dot = (input1 * input2).sum(d)
    n1 = (input1 * input1).sum(d) + tiny
    n2 = (input2 * input2).sum(d) + tiny
    cos = dot / _t.sqrt(n1 * n2)
    zero = _t.zeros((), dtype=cos.dtype)
    pos = _t.where(target == 1, 1 - cos, zero)
    neg = _t.where(target == -1, _t.clamp_min(cos - margin, 0), zero)
    return _apply(pos + neg, red)


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """``max(0, -target (input1 - input2) + margin)``: input1 should rank higher where target is 1.

    Example::

        >>> F.margin_ranking_loss(cytorch.tensor([1., 0.]), cytorch.tensor([0., 1.]), cytorch.tensor([1., 1.]))
        tensor(0.5000)
    """
    red = _Reduction.get_enum(_legacy(size_average, reduce, reduction))
    if not (input1.dim() == input2.dim() == target.dim()):
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
                           f"input1: {input1.size()}, input2: {input2.size()}, target: {target.size()} ")
    return _apply(_t.clamp_min(-target * (input1 - input2) + margin, 0), red)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    """``input`` where target is 1, ``max(0, margin - input)`` where it is -1.

    Example::

        >>> F.hinge_embedding_loss(cytorch.tensor([0.3, 2.]), cytorch.tensor([1., -1.]))
        tensor(0.1500)
    """
    red = _Reduction.get_enum(_legacy(size_average, reduce, reduction))
    zero = _t.zeros((), dtype=input.dtype)
    over = _t.where(target != 1, _t.clamp_min(margin - input, 0), zero)
    keep = _t.where(target != -1, input, zero)
    return _apply(over + keep, red)


def _pairwise_distance(x1, x2, p=2.0, eps=1e-6):
    d = max(x1.dim(), x2.dim()) - 1
    return _t.norm(x1 - x2 + eps, p, max(d, 0))


def _triplet_dims(anchor, positive, negative):
    a, p, n = anchor.dim(), positive.dim(), negative.dim()
    if not (a == p == n):
        raise RuntimeError("The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {a}D, positive {p}D, and negative {n}D inputs")


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, size_average=None,
                        reduce=None, reduction="mean"):
    """``max(0, margin + d(a, p) - d(a, n))`` with ``d`` the p-norm distance along the last dim
    (``swap``: d(a, n) becomes min(d(a, n), d(p, n))).

    Shape: anchor, positive, negative (N, D) or (D,).

    Example::

        >>> a, p, n = cytorch.randn(3, 4), cytorch.randn(3, 4), cytorch.randn(3, 4)
        >>> F.triplet_margin_loss(a, p, n)
    """
    red = _Reduction.get_enum(_legacy(size_average, reduce, reduction))
    _triplet_dims(anchor, positive, negative)
    d_pos = _pairwise_distance(anchor, positive, p, eps)
    d_neg = _pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = _t.minimum(d_neg, _pairwise_distance(positive, negative, p, eps))
    return _apply(_t.clamp_min(margin + d_pos - d_neg, 0), red)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0,
                                      swap=False, reduction="mean"):
    """:func:`triplet_margin_loss` with any ``distance_function(x1, x2)`` (default: the
    Euclidean pairwise distance); margin must be positive.

    Example::

        >>> cos_dist = lambda x, y: 1 - (x * y).sum(-1) / (x.norm(dim=-1) * y.norm(dim=-1))
        >>> F.triplet_margin_with_distance_loss(a, p, n, distance_function=cos_dist)
    """
    red = _Reduction.get_enum(reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    _triplet_dims(anchor, positive, negative)
    dist = distance_function if distance_function is not None else _pairwise_distance
    d_pos = dist(anchor, positive)
    d_neg = dist(anchor, negative)
    if swap:
        d_neg = _t.minimum(d_neg, dist(positive, negative))
    return _apply(_t.clamp_min(margin + d_pos - d_neg, 0), red)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """Per-class logistic loss averaged over classes:
    ``-mean_c (y_c log sigmoid(x_c) + (1 - y_c) log sigmoid(-x_c))`` (times weight_c).

    Shape: input (N, C) or (C,), target (same, 0/1 labels); output (N,) with reduction='none'.

    Example::

        >>> F.multilabel_soft_margin_loss(cytorch.randn(2, 3), cytorch.tensor([[1., 0., 1.], [0., 0., 1.]]))
    """
    red = _Reduction.get_enum(_legacy(size_average, reduce, reduction))
    loss = -(target * _F._logsigmoid(input) + (1 - target) * _F._logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    cd = input.dim() - 1
    loss = loss.sum(cd) / input.size(cd)
    return _apply(loss, red)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Two-class logistic loss ``log(1 + exp(-target input))``, target in {1, -1}.

    Example::

        >>> F.soft_margin_loss(cytorch.tensor([2., -1.]), cytorch.tensor([1., -1.]))
    """
    red = _Reduction.get_enum(_legacy(size_average, reduce, reduction))
    z = -target * input
    return _apply(_t.logaddexp(_t.zeros((), dtype=z.dtype), z), red)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                      reduction="mean"):
    """Multi-class hinge loss: ``sum_{j != y} max(0, margin - x_y + x_j)^p / C`` per sample
    (times weight[y]), p in {1, 2}.

    Shape: input (N, C) or (C,), target (N,) or () class indices.

    Example::

        >>> F.multi_margin_loss(cytorch.tensor([[0.1, 0.2, 0.4, 0.8]]), cytorch.tensor([3]))
        tensor(0.3250)
    """
    red = _Reduction.get_enum(_legacy(size_average, reduce, reduction))
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    nd = input.dim()
    if not (nd == 0 or (nd == 1 and input.size(0) != 0) or (nd == 2 and input.size(1) != 0)):
        raise RuntimeError("Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
                           f"{list(input.shape)}")
    x = input.reshape(1, -1) if nd <= 1 else input
    N, C = x.shape
    if target.numel() != N or target.dim() > 1:
        raise RuntimeError("multi_margin_loss: target tensor should be 1-D with size equal to the number of input "
                           f"samples (batch size). Expected target size [{N}], but got {list(target.shape)}. "
                           f"Input has shape {list(input.shape)}.")
    if weight is not None and weight.numel() != C:
        raise RuntimeError(f"inconsistent weight size, expected {C} but got {list(weight.shape)}")
    t = target.reshape(N, 1).long()
    with _t.no_grad():
        if N and bool(((t < 0) | (t >= C)).any()):
            raise RuntimeError("target out of range")
        others = (_t.arange(C).reshape(1, C) != t).to(x.dtype)
    z = _t.clamp_min(margin - x.gather(1, t) + x, 0)
    if p == 2:
        z = z * z
    if weight is not None:
        z = z * weight[t]
    loss = (z * others).sum(1) / C
    if nd <= 1:
        loss = loss.reshape(())
    return _apply(loss, red)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Multi-label hinge loss: ``sum_{j in y} sum_{k not in y} max(0, 1 - (x_j - x_k)) / C``, where
    y is the target's class indices up to its first -1.

    Shape: input (N, C) or (C,), target int64 of the same shape.

    Example::

        >>> F.multilabel_margin_loss(cytorch.tensor([[0.1, 0.2, 0.4, 0.8]]), cytorch.tensor([[3, 0, -1, 1]]))
        tensor(0.8500)
    """
    red = _Reduction.get_enum(_legacy(size_average, reduce, reduction))
    nd = input.dim()
    if not (nd == 0 or (nd == 1 and input.size(0) != 0) or (nd == 2 and input.size(1) != 0)):
        raise RuntimeError("Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
                           f"{list(input.shape)}")
    if target.shape != input.shape:
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of size: {list(input.shape)}")
    if target.dtype != _t.int64:
        raise RuntimeError(f"expected scalar type Long but found {_pretty(target.dtype)}")
    x = input.reshape(1, -1) if nd <= 1 else input
    t = target.reshape(x.shape)
    C = x.shape[1]
    with _t.no_grad():
        if t.numel() and bool(((t < -1) | (t >= C)).any()):
            raise RuntimeError("argument #2 'target' is out of range")
        live = _t.cumprod((t != -1).long(), 1)           # entries before the first -1
        count = _t.zeros(x.shape, dtype=_t.int64).scatter_add_(1, _t.where(live.bool(), t, 0), live)
        pairs = count.to(x.dtype).unsqueeze(2) * (count == 0).to(x.dtype).unsqueeze(1)
    hinge = _t.clamp_min(1 - x.unsqueeze(2) + x.unsqueeze(1), 0)
    loss = (hinge * pairs).sum((1, 2)) / C
    if nd <= 1:
        loss = loss.reshape(())
    return _apply(loss, red)
