"""CTC loss (``F.ctc_loss``): one fused C kernel per direction (cytorch/_C/_ctc.pyx,
src_c/ct_ctc.c) behind one autograd node, ``ctc_loss`` in the formula table.

The node's output is the per-sample loss (PyTorch's ``CtcLossBackward0``); the reductions
are ordinary differentiable ops on it, as in PyTorch, so ``mean`` divides each loss by its
target length (clamped to >= 1) and then averages.
"""
from collections.abc import Sequence

import cytorch as _t
from cytorch._C import _autograd as _A
from cytorch._C import _ctc as _K
from cytorch._C._tensor import TensorBase as _TB, pretty_name as _pretty
from cytorch.autograd._formulas import generic
from cytorch.nn import _reduction as _Reduction

__all__ = ["ctc_loss"]


def _as_lengths(v, name):
    if isinstance(v, _TB):
        return v
    if isinstance(v, Sequence) and all(isinstance(k, int) or (isinstance(k, _TB) and k.dim() == 0)
                                       for k in v):
        return _t.tensor([int(k) for k in v], dtype=_t.int64)
    raise TypeError(f"ctc_loss(): argument '{name}' must be tuple of ints, not {type(v).__name__}")


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",
             zero_infinity=False):
    r"""Connectionist Temporal Classification loss: the negative log-likelihood of each target
    sequence summed over all its alignments to the input frames (blank-separated, repeats merged).

    Args:
        log_probs: (T, N, C) or unbatched (T, C) log-probabilities (e.g. ``log_softmax(x, -1)``),
            float32 or float64.
        targets: (N, S) padded, or all the targets concatenated into one 1-d tensor of
            ``sum(target_lengths)`` labels; labels in [0, C), the blank allowed but pointless.
        input_lengths: (N,) frames used per sample (tensor, or tuple/list of ints), each <= T.
        target_lengths: (N,) labels per sample (tensor, or tuple/list of ints), each <= S when padded.
        blank: the blank label (default 0).
        reduction: 'none' (per-sample losses), 'mean' (each divided by its target length, clamped
            to >= 1, then averaged) or 'sum'.
        zero_infinity: losses of infeasible alignments (inf) and their gradients become 0.

    Shape: output (N,) for 'none' ((), unbatched), else a scalar.

    The gradient with respect to ``log_probs`` is PyTorch's: ``exp(lp) - posterior / p``, exact
    when ``log_probs`` are normalised log-probabilities (a ``log_softmax`` output).

    Example::

        >>> lp = torch.randn(50, 16, 20).log_softmax(2).requires_grad_()
        >>> tgt = torch.randint(1, 20, (16, 10))
        >>> loss = F.ctc_loss(lp, tgt, torch.full((16,), 50), torch.full((16,), 10))
        >>> loss.backward()
    """
    red = _Reduction.get_enum(reduction)
    input_lengths = _as_lengths(input_lengths, "input_lengths")
    target_lengths = _as_lengths(target_lengths, "target_lengths")
    unbatched = log_probs.dim() == 2
    lp = log_probs.unsqueeze(1) if unbatched else log_probs
    if lp.dim() != 3:
        lp = lp.unsqueeze(0)            # PyTorch's message counts this extra dimension
    if lp.dtype not in (_t.float32, _t.float64):
        raise NotImplementedError(f"\"ctc_loss_cpu\" not implemented for '{_pretty(lp.dtype.code)}'")
    plan = _K.plan(lp, targets, input_lengths, target_lengths, int(blank))
    nll, alpha = _K.forward(lp, plan)
    loss = nll
    if lp.requires_grad and _A.is_grad_enabled():
        loss = _A._record("ctc_loss", (lp,), nll.detach(), ctx=(plan, bool(zero_infinity)), saved=(lp, nll, alpha))
    if zero_infinity:
        loss = _t.where(nll == float("inf"), _t.zeros((), dtype=nll.dtype), loss)
    if unbatched:
        loss = loss.squeeze(0)
    if red == 1:
        tl = plan.target_lengths.reshape(loss.shape) if unbatched else plan.target_lengths
        return (loss / _t.clamp_min(tl, 1).to(loss.dtype)).mean()
    if red == 2:
        return loss.sum()
    return loss


@generic("ctc_loss", name="CtcLossBackward0")
def _ctc_loss_bw(n, g):
    lp, nll, alpha = n.saved_tensors
    plan, zero_inf = n.ctx
    with _t.no_grad():
        grad = _K.backward(lp, plan, nll, alpha, g, zero_inf)
    if _t.is_grad_enabled() and (lp.requires_grad or g.requires_grad):
        # create_graph: the gradient itself is not differentiable (as in PyTorch)
        grad = _A._record("ctc_loss_backward", (lp, g), grad)
    return grad


@generic("ctc_loss_backward", name="CtcLossBackwardBackward0")
def _ctc_loss_double_bw(n, g):
    raise RuntimeError("derivative for aten::_ctc_loss_backward is not implemented")
