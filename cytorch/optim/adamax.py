"""Adamax: Adam with the infinity norm."""
import cytorch
from cytorch._C import _optim
from cytorch.optim.adam import _check_betas
from cytorch.optim.optimizer import Optimizer, _check_flags, _check_lr, _eval_closure, _value

__all__ = ["Adamax"]


class Adamax(Optimizer):
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
        _check_lr(lr)
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        _check_betas(betas)
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)
        _check_flags(differentiable, None, foreach)

    def step(self, closure=None):
        """Perform one Adamax step (see the class docstring for the rule).

        Args:
            closure (Callable, optional): re-evaluates the model and returns the loss.
        """
        loss = _eval_closure(closure)
        for group in self.param_groups:
            params, grads = self._with_grad(group)
            if not params:
                continue
            avgs, infs, steps = self._zero_state(group, params, ("exp_avg", "exp_inf"))
            beta1, beta2 = group["betas"]
            _optim.adamax(params, grads, avgs, infs, steps, _value(group["lr"]), beta1, beta2, group["eps"],
                          group["weight_decay"], group["maximize"])
        return loss
