"""Stochastic gradient descent (optionally with momentum)."""
import cytorch
from cytorch._C import _optim
from cytorch.optim.optimizer import _check_lr, _FusedOptimizer, _value

__all__ = ["SGD"]


class SGD(_FusedOptimizer):
    r"""Stochastic gradient descent, optionally with (Nesterov) momentum.

    Update rule for each parameter :math:`p` with gradient :math:`g` (step :math:`t`)::

        g = -g if maximize
        g = g + weight_decay * p                      (weight_decay != 0)
        b = g                                         (first step)
        b = momentum * b + (1 - dampening) * g        (later steps; momentum != 0)
        g = g + momentum * b if nesterov else b       (momentum != 0)
        p = p - lr * g

    Args:
        params (iterable): parameters or dicts defining parameter groups.
        lr (float or Tensor): learning rate (default: 1e-3).
        momentum (float): momentum factor (default: 0).
        dampening (float): dampening of the momentum (default: 0).
        weight_decay (float): L2 penalty (default: 0).
        nesterov (bool): Nesterov momentum (default: False).
        maximize (bool): maximize the objective instead of minimizing (default: False).
        foreach, differentiable, fused: accepted for compatibility; every update is one fused C
            loop per parameter. ``differentiable=True`` is not supported.

    State per parameter: ``momentum_buffer`` (when momentum != 0).

    Example::

        >>> w = cytorch.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = cytorch.optim.SGD([w], lr=0.1, momentum=0.9)
        >>> for _ in range(3):
        ...     opt.zero_grad()
        ...     (w * w).sum().backward()
        ...     opt.step()
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        _check_lr(lr)
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening, "weight_decay": weight_decay,
                    "nesterov": nesterov, "maximize": maximize, "foreach": foreach,
                    "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("nesterov", False)
            group.setdefault("maximize", False)

    def _update_group(self, group, params, grads):
        momentum = group["momentum"]
        bufs, fresh = [], []
        if momentum != 0:
            for p, g in zip(params, grads):
                st = self.state[p]
                buf = st.get("momentum_buffer")
                fresh.append(buf is None)
                if buf is None:       # PyTorch's first step clones the gradient: same dtype/shape
                    buf = st["momentum_buffer"] = cytorch.empty_like(g)
                bufs.append(buf)
        _optim.sgd(params, grads, bufs, fresh, _value(group["lr"]), momentum, group["dampening"],
                   _value(group["weight_decay"]), group["nesterov"], group["maximize"])
