"""Adagrad."""
import cytorch
from cytorch._C import _optim
from cytorch.optim.optimizer import _check_lr, _check_nonneg, _FusedOptimizer, _value

__all__ = ["Adagrad"]


class Adagrad(_FusedOptimizer):
    r"""Adagrad (Duchi et al., 2011).

    Update rule for each parameter :math:`p` with gradient :math:`g` at step :math:`t`::

        g = -g if maximize
        g = g + weight_decay * p                      (weight_decay != 0)
        clr = lr / (1 + (t - 1) * lr_decay)
        s = s + g * g
        p = p - clr * g / (sqrt(s) + eps)

    Args:
        params (iterable): parameters or dicts defining parameter groups.
        lr (float or Tensor): learning rate (default: 1e-2).
        lr_decay (float): learning rate decay (default: 0).
        weight_decay (float): L2 penalty (default: 0).
        initial_accumulator_value (float): starting value of the sum of squares (default: 0).
        eps (float): added to the denominator (default: 1e-10).
        maximize (bool): maximize the objective (default: False).
        foreach, differentiable, fused: accepted for compatibility.

    State per parameter (created by the constructor): ``step``, ``sum``.

    Example::

        >>> w = cytorch.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = cytorch.optim.Adagrad([w], lr=0.1)
        >>> for _ in range(3):
        ...     opt.zero_grad()
        ...     (w * w).sum().backward()
        ...     opt.step()
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        _check_lr(lr)
        _check_nonneg(lr_decay=lr_decay, weight_decay=weight_decay,
                      initial_accumulator_value=initial_accumulator_value, eps=eps)
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(group, self.state[p], p)

    def _init_state(self, group, st, p, g=None):
        st["step"] = self._new_step(group)
        v = self.defaults["initial_accumulator_value"]
        st["sum"] = cytorch.full_like(p, complex(v, v) if p.is_complex() else v)

    def _update_group(self, group, params, grads):
        # state missing only for a group added after construction
        steps, sums = self._state_lists(group, params, grads, ("step", "sum"), self._init_state)
        _optim.adagrad(params, grads, sums, steps, _value(group["lr"]), group["lr_decay"],
                       group["weight_decay"], group["eps"], group["maximize"])
