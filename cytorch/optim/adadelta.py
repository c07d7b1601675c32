"""Adadelta."""
from cytorch._C import _optim
from cytorch.optim.optimizer import _check_lr, _check_nonneg, _FusedOptimizer, _value

__all__ = ["Adadelta"]


class Adadelta(_FusedOptimizer):
    r"""Adadelta (Zeiler, 2012).

    Update rule for each parameter :math:`p` with gradient :math:`g`::

        g = -g if maximize
        g = g + weight_decay * p                      (weight_decay != 0)
        v = rho * v + (1 - rho) * g * g
        d = sqrt(u + eps) / sqrt(v + eps) * g
        u = rho * u + (1 - rho) * d * d
        p = p - lr * d

    Args:
        params (iterable): parameters or dicts defining parameter groups.
        lr (float or Tensor): scale of the delta (default: 1.0).
        rho (float): running-average coefficient (default: 0.9).
        eps (float): added inside the square roots (default: 1e-6).
        weight_decay (float): L2 penalty (default: 0).
        maximize (bool): maximize the objective (default: False).
        foreach, capturable, differentiable: accepted for compatibility.

    State per parameter: ``step``, ``square_avg``, ``acc_delta``.

    Example::

        >>> w = cytorch.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = cytorch.optim.Adadelta([w])
        >>> for _ in range(3):
        ...     opt.zero_grad()
        ...     (w * w).sum().backward()
        ...     opt.step()
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
                 maximize=False, differentiable=False):
        _check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        _check_nonneg(eps=eps, weight_decay=weight_decay)
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay, "maximize": maximize,
                    "capturable": capturable, "foreach": foreach, "differentiable": differentiable}
        super().__init__(params, defaults)

    def _update_group(self, group, params, grads):
        steps, sq, acc = self._state_lists(group, params, grads, ("step", "square_avg", "acc_delta"))
        _optim.adadelta(params, grads, sq, acc, steps, _value(group["lr"]), group["rho"], group["eps"],
                        group["weight_decay"], group["maximize"])
