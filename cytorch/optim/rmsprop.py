"""RMSprop."""
import cytorch
from cytorch._C import _optim
from cytorch.optim.optimizer import Optimizer, _check_flags, _check_lr, _eval_closure, _value

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
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
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps, "centered": centered,
                    "weight_decay": weight_decay, "capturable": capturable, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable}
        super().__init__(params, defaults)
        _check_flags(differentiable, None, foreach)

    def step(self, closure=None):
        """Perform one RMSprop step (see the class docstring for the rule).

        Args:
            closure (Callable, optional): re-evaluates the model and returns the loss.
        """
        loss = _eval_closure(closure)
        for group in self.param_groups:
            params, grads = self._with_grad(group)
            if not params:
                continue
            momentum, centered = group["momentum"], group["centered"]
            sq, ga, bufs, steps = [], [], [], []
            for p in params:
                st = self.state[p]
                if not st:
                    st["step"] = self._new_step(group)
                    st["square_avg"] = cytorch.zeros_like(p)
                    if momentum > 0:
                        st["momentum_buffer"] = cytorch.zeros_like(p)
                    if centered:
                        st["grad_avg"] = cytorch.zeros_like(p)
                sq.append(st["square_avg"])
                steps.append(st["step"])
                if momentum > 0:
                    bufs.append(st["momentum_buffer"])
                if centered:
                    ga.append(st["grad_avg"])
            _optim.rmsprop(params, grads, sq, ga, bufs, steps, _value(group["lr"]), group["alpha"],
                           group["eps"], group["weight_decay"], momentum, centered, group["maximize"])
        return loss
