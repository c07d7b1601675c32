"""Adamax: Adam with the infinity norm."""
from cytorch._C import _optim
from cytorch.optim.adam import _check_adam_options
from cytorch.optim.optimizer import _FusedOptimizer, _value

__all__ = ["Adamax"]


class Adamax(_FusedOptimizer):
    r"""Adamax, the infinity-norm variant of Adam (Kingma & Ba, 2014).

    Update rule for each parameter :math:`p` with gradient :math:`g` at step :math:`t`::

        g = -g if maximize
        g = g + weight_decay * p                      (weight_decay != 0)
        m = m + (1 - beta1) * (g - m)
        u = max(beta2 * u, |g| + eps)
        p = p - lr / (1 - beta1^t) * m / u

    Args:
        params (iterable): parameters or dicts defining parameter groups.
        lr (float or Tensor): learning rate (default: 2e-3).
        betas (Tuple[float, float]): coefficients of the running average and of the decaying
            infinity norm (default: (0.9, 0.999)).
        eps (float): added to |g| (default: 1e-8).
        weight_decay (float): L2 penalty (default: 0).
        maximize (bool): maximize the objective (default: False).
        foreach, differentiable, capturable: accepted for compatibility.

    State per parameter: ``step``, ``exp_avg``, ``exp_inf``.

    Example::

        >>> w = cytorch.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = cytorch.optim.Adamax([w])
        >>> for _ in range(3):
        ...     opt.zero_grad()
        ...     (w * w).sum().backward()
        ...     opt.step()
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        _check_adam_options(lr, eps, betas, weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def _update_group(self, group, params, grads):
        steps, avgs, infs = self._state_lists(group, params, grads, ("step", "exp_avg", "exp_inf"))
        beta1, beta2 = group["betas"]
        _optim.adamax(params, grads, avgs, infs, steps, _value(group["lr"]), beta1, beta2, group["eps"],
                      group["weight_decay"], group["maximize"])
