"""RAdam: Adam with a rectified adaptive learning rate."""
from cytorch._C import _optim
from cytorch.optim.adam import _check_adam_options
from cytorch.optim.optimizer import _FusedOptimizer, _value

__all__ = ["RAdam"]


class RAdam(_FusedOptimizer):
    r"""RAdam: Adam with variance rectification (Liu et al., 2019).

    Update rule for each parameter :math:`p` with gradient :math:`g` at step :math:`t`::

        g = -g if maximize
        p = p * (1 - lr * weight_decay)               (decoupled_weight_decay)
        g = g + weight_decay * p                      (otherwise, weight_decay != 0)
        m = m + (1 - beta1) * (g - m)
        v = beta2 * v + (1 - beta2) * g * g
        rho_inf = 2 / (1 - beta2) - 1;  rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t)
        if rho_t > 5:
            r = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
            p = p - m / (1 - beta1^t) * lr * sqrt(1 - beta2^t) / (sqrt(v) + eps) * r
        else:
            p = p - m / (1 - beta1^t) * lr

    Args:
        params (iterable): parameters or dicts defining parameter groups.
        lr (float or Tensor): learning rate (default: 1e-3).
        betas (Tuple[float, float]): running-average coefficients (default: (0.9, 0.999)).
        eps (float): added to the denominator (default: 1e-8).
        weight_decay (float): L2 penalty, or decoupled decay (default: 0).
        decoupled_weight_decay (bool): AdamW-style decay (RAdamW) (default: False).
        maximize (bool): maximize the objective (default: False).
        foreach, capturable, differentiable: accepted for compatibility.

    State per parameter: ``step``, ``exp_avg``, ``exp_avg_sq``.

    Example::

        >>> w = cytorch.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = cytorch.optim.RAdam([w])
        >>> for _ in range(3):
        ...     opt.zero_grad()
        ...     (w * w).sum().backward()
        ...     opt.step()
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        _check_adam_options(lr, eps, betas, weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "maximize": maximize,
                    "foreach": foreach, "capturable": capturable,
                    "decoupled_weight_decay": decoupled_weight_decay, "differentiable": differentiable}
        super().__init__(params, defaults)

    def _update_group(self, group, params, grads):
        steps, avgs, sqs = self._state_lists(group, params, grads, ("step", "exp_avg", "exp_avg_sq"))
        beta1, beta2 = group["betas"]
        _optim.radam(params, grads, avgs, sqs, steps, _value(group["lr"]), beta1, beta2, group["eps"],
                     group["weight_decay"], group["decoupled_weight_decay"], group["maximize"])
