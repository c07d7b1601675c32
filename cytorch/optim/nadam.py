"""NAdam: Adam with Nesterov momentum."""
import cytorch
from cytorch._C import _optim
from cytorch.optim.adam import _check_adam_options
from cytorch.optim.optimizer import _check_nonneg, _FusedOptimizer, _value

__all__ = ["NAdam"]


class NAdam(_FusedOptimizer):
    r"""NAdam: Adam with Nesterov momentum (Dozat, 2016).

    Update rule for each parameter :math:`p` with gradient :math:`g` at step :math:`t`::

        g = -g if maximize
        p = p * (1 - lr * weight_decay)               (decoupled_weight_decay)
        g = g + weight_decay * p                      (otherwise, weight_decay != 0)
        mu_t = beta1 * (1 - 0.5 * 0.96^(t * momentum_decay));  P_t = mu_1 * ... * mu_t
        m = m + (1 - beta1) * (g - m)
        v = beta2 * v + (1 - beta2) * g * g
        d = sqrt(v / (1 - beta2^t)) + eps
        p = p - lr * (1 - mu_t) / (1 - P_t) * g / d
        p = p - lr * mu_{t+1} / (1 - P_t * mu_{t+1}) * m / d

    Args:
        params (iterable): parameters or dicts defining parameter groups.
        lr (float or Tensor): learning rate (default: 2e-3).
        betas (Tuple[float, float]): running-average coefficients (default: (0.9, 0.999)).
        eps (float): added to the denominator (default: 1e-8).
        weight_decay (float): L2 penalty, or decoupled decay (default: 0).
        momentum_decay (float): momentum schedule decay (default: 4e-3).
        decoupled_weight_decay (bool): AdamW-style decay (NAdamW) (default: False).
        maximize (bool): maximize the objective (default: False).
        foreach, capturable, differentiable: accepted for compatibility.

    State per parameter: ``step``, ``mu_product`` (0-d), ``exp_avg``, ``exp_avg_sq``.

    Example::

        >>> w = cytorch.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = cytorch.optim.NAdam([w])
        >>> for _ in range(3):
        ...     opt.zero_grad()
        ...     (w * w).sum().backward()
        ...     opt.step()
    """

    _scalar_state = ("step", "mu_product")

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        _check_adam_options(lr, eps, betas, weight_decay)
        _check_nonneg(momentum_decay=momentum_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay, "decoupled_weight_decay": decoupled_weight_decay,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _init_state(self, group, st, p, g):
        st["step"] = self._new_step(group)
        st["mu_product"] = cytorch.ones((), dtype=st["step"].dtype)
        st["exp_avg"] = cytorch.zeros_like(p)
        st["exp_avg_sq"] = cytorch.zeros_like(p)

    def _update_group(self, group, params, grads):
        names = ("step", "mu_product", "exp_avg", "exp_avg_sq")
        steps, mus, avgs, sqs = self._state_lists(group, params, grads, names, self._init_state)
        beta1, beta2 = group["betas"]
        _optim.nadam(params, grads, avgs, sqs, mus, steps, _value(group["lr"]), beta1, beta2, group["eps"],
                     group["weight_decay"], group["momentum_decay"], group["decoupled_weight_decay"],
                     group["maximize"])
