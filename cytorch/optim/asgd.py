"""ASGD: averaged stochastic gradient descent."""
import cytorch
from cytorch._C import _optim
from cytorch.optim.optimizer import _check_lr, _check_nonneg, _FusedOptimizer, _scalar_dtype, _value

__all__ = ["ASGD"]


class ASGD(_FusedOptimizer):
    r"""Averaged SGD (Polyak & Juditsky, 1992).

    Update rule for each parameter :math:`p` with gradient :math:`g` at step :math:`t`
    (``eta`` and ``mu`` start at lr and 1)::

        g = -g if maximize
        g = g + weight_decay * p                      (weight_decay != 0)
        p = p * (1 - lambd * eta)
        p = p - eta * g
        ax = ax + (p - ax) * mu if mu != 1 else p     (the running average of p)
        eta = lr / (1 + lambd * lr * t)^alpha
        mu = 1 / max(1, t - t0)

    Args:
        params (iterable): parameters or dicts defining parameter groups.
        lr (float or Tensor): learning rate (default: 1e-2).
        lambd (float): decay term (default: 1e-4).
        alpha (float): power of the eta update (default: 0.75).
        t0 (float): step at which averaging starts (default: 1e6).
        weight_decay (float): L2 penalty (default: 0).
        maximize (bool): maximize the objective (default: False).
        foreach, differentiable, capturable: accepted for compatibility.

    State per parameter: ``step``, ``eta``, ``mu`` (0-d tensors), ``ax``.

    Example::

        >>> w = cytorch.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = cytorch.optim.ASGD([w], lr=0.01)
        >>> for _ in range(3):
        ...     opt.zero_grad()
        ...     (w * w).sum().backward()
        ...     opt.step()
    """

    _scalar_state = ("step", "eta", "mu")

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None,
                 maximize=False, differentiable=False, capturable=False):
        _check_lr(lr)
        _check_nonneg(weight_decay=weight_decay)
        defaults = {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    def _init_state(self, group, st, p, g):
        dt = _scalar_dtype()              # not fused-aware, as in PyTorch's ASGD
        st["step"] = cytorch.zeros((), dtype=dt)
        st["eta"] = cytorch.tensor(_value(group["lr"]), dtype=dt)
        st["mu"] = cytorch.ones((), dtype=dt)
        st["ax"] = cytorch.zeros_like(p)

    def _update_group(self, group, params, grads):
        names = ("step", "eta", "mu", "ax")
        steps, etas, mus, axs = self._state_lists(group, params, grads, names, self._init_state)
        _optim.asgd(params, grads, axs, etas, mus, steps, _value(group["lr"]), group["lambd"], group["alpha"],
                    group["t0"], group["weight_decay"], group["maximize"])
