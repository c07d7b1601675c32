"""AdamW: Adam with decoupled weight decay."""
from cytorch.optim.adam import Adam

__all__ = ["AdamW"]


class AdamW(Adam):
    r"""AdamW (Loshchilov & Hutter): Adam whose weight decay shrinks the parameters directly
    instead of entering the moment estimates.

    Update rule for each parameter :math:`p` with gradient :math:`g` at step :math:`t`::

        g = -g if maximize
        p = p * (1 - lr * weight_decay)
        m = m + (1 - beta1) * (g - m)
        v = beta2 * v + (1 - beta2) * g * g
        vmax = max(vmax, v); v_used = vmax if amsgrad else v
        p = p - lr / (1 - beta1^t) * m / (sqrt(v_used) / sqrt(1 - beta2^t) + eps)

    Args:
        params (iterable): parameters or dicts defining parameter groups.
        lr (float or Tensor): learning rate (default: 1e-3).
        betas (Tuple[float, float]): running-average coefficients (default: (0.9, 0.999)).
        eps (float): added to the denominator (default: 1e-8).
        weight_decay (float): decoupled weight decay coefficient (default: 1e-2).
        amsgrad (bool): use the AMSGrad variant (default: False).
        maximize (bool): maximize the objective (default: False).
        foreach, capturable, differentiable, fused: accepted for compatibility (see Adam).

    Example::

        >>> w = cytorch.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = cytorch.optim.AdamW([w], lr=1e-3, weight_decay=0.01)
        >>> for _ in range(3):
        ...     opt.zero_grad()
        ...     (w * w).sum().backward()
        ...     opt.step()
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False, foreach=None, capturable=False, differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
