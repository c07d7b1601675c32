"""Rprop: resilient backpropagation."""
import cytorch
from cytorch._C import _optim
from cytorch.optim.optimizer import _check_lr, _FusedOptimizer, _value

__all__ = ["Rprop"]


class Rprop(_FusedOptimizer):
    r"""Rprop (Riedmiller & Braun, 1993): per-element step sizes driven by the gradient's sign.

    Update rule for each element of a parameter :math:`p` with gradient :math:`g`::

        g = -g if maximize
        f = etaplus if g * prev > 0, etaminus if g * prev < 0, else 1
        step = clamp(step * f, step_size_min, step_size_max)
        g = 0 where f == etaminus
        p = p - sign(g) * step
        prev = g

    Args:
        params (iterable): parameters or dicts defining parameter groups.
        lr (float or Tensor): initial step size (default: 1e-2).
        etas (Tuple[float, float]): (etaminus, etaplus) factors (default: (0.5, 1.2)).
        step_sizes (Tuple[float, float]): minimal and maximal step size (default: (1e-6, 50)).
        maximize (bool): maximize the objective (default: False).
        capturable, foreach, differentiable: accepted for compatibility.

    State per parameter: ``step``, ``prev``, ``step_size``.

    Example::

        >>> w = cytorch.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = cytorch.optim.Rprop([w])
        >>> for _ in range(3):
        ...     opt.zero_grad()
        ...     (w * w).sum().backward()
        ...     opt.step()
    """

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, capturable=False,
                 foreach=None, maximize=False, differentiable=False):
        _check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = {"lr": lr, "etas": etas, "step_sizes": step_sizes, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def _init_state(self, group, st, p, g):
        st["step"] = self._new_step(group)
        st["prev"] = cytorch.zeros_like(p)
        lr = _value(group["lr"])
        st["step_size"] = cytorch.full_like(g, complex(lr, lr) if p.is_complex() else lr)

    def _update_group(self, group, params, grads):
        names = ("step", "prev", "step_size")
        steps, prevs, sizes = self._state_lists(group, params, grads, names, self._init_state)
        etaminus, etaplus = group["etas"]
        step_min, step_max = group["step_sizes"]
        _optim.rprop(params, grads, prevs, sizes, steps, etaminus, etaplus, step_min, step_max,
                     group["maximize"])
