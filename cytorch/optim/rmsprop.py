"""RMSprop."""
from cytorch._C import _optim
from cytorch.optim.optimizer import _check_lr, _check_nonneg, _FusedOptimizer, _value

__all__ = ["RMSprop"]


class RMSprop(_FusedOptimizer):
    r"""RMSprop (Hinton), optionally centered and with momentum.

    Update rule for each parameter :math:`p` with gradient :math:`g`::

        g = -g if maximize
        g = g + weight_decay * p                      (weight_decay != 0)
        v = alpha * v + (1 - alpha) * g * g
        a = a + (1 - alpha) * (g - a)                 (centered)
        d = sqrt(v - a * a) + eps if centered else sqrt(v) + eps
        b = momentum * b + g / d; p = p - lr * b      (momentum > 0)
        p = p - lr * g / d                            (otherwise)

    Args:
        params (iterable): parameters or dicts defining parameter groups.
        lr (float or Tensor): learning rate (default: 1e-2).
        alpha (float): smoothing constant (default: 0.99).
        eps (float): added to the denominator (default: 1e-8).
        weight_decay (float): L2 penalty (default: 0).
        momentum (float): momentum factor (default: 0).
        centered (bool): normalize by an estimate of the gradient's variance (default: False).
        maximize (bool): maximize the objective (default: False).
        capturable, foreach, differentiable: accepted for compatibility.

    State per parameter: ``step``, ``square_avg``, ``momentum_buffer`` (momentum > 0),
    ``grad_avg`` (centered).

    Example::

        >>> w = cytorch.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = cytorch.optim.RMSprop([w], lr=1e-2, momentum=0.9)
        >>> for _ in range(3):
        ...     opt.zero_grad()
        ...     (w * w).sum().backward()
        ...     opt.step()
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        _check_lr(lr)
        _check_nonneg(eps=eps, momentum=momentum, weight_decay=weight_decay, alpha=alpha)
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps, "centered": centered,
                    "weight_decay": weight_decay, "capturable": capturable, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable}
        super().__init__(params, defaults)

    def _update_group(self, group, params, grads):
        momentum, centered = group["momentum"], group["centered"]
        names = ("step", "square_avg", "momentum_buffer" if momentum > 0 else None, "grad_avg" if centered else None)
        steps, sq, bufs, ga = self._state_lists(group, params, grads, names)
        _optim.rmsprop(params, grads, sq, ga, bufs, steps, _value(group["lr"]), group["alpha"],
                       group["eps"], group["weight_decay"], momentum, centered, group["maximize"])
