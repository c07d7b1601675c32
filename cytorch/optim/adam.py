"""Adam (and, with decoupled weight decay, AdamW)."""
import cytorch
from cytorch._C import _optim
from cytorch.optim.optimizer import _check_lr, _check_nonneg, _FusedOptimizer, _value

__all__ = ["Adam"]


def _check_adam_options(lr, eps, betas, weight_decay):
    """The checks Adam, Adamax, NAdam and RAdam share, in PyTorch's order and words."""
    _check_lr(lr)
    _check_nonneg(eps=eps)
    for i in (0, 1):
        if not 0.0 <= betas[i] < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {betas[i]}")
    _check_nonneg(weight_decay=weight_decay)


class Adam(_FusedOptimizer):
    r"""Adam: adaptive moment estimation (Kingma & Ba, 2014).

    Update rule for each parameter :math:`p` with gradient :math:`g` at step :math:`t`::

        g = -g if maximize
        p = p * (1 - lr * weight_decay)               (decoupled_weight_decay)
        g = g + weight_decay * p                      (otherwise, weight_decay != 0)
        m = m + (1 - beta1) * (g - m)                 (lerp)
        v = beta2 * v + (1 - beta2) * g * g
        vmax = max(vmax, v); v_used = vmax if amsgrad else v
        p = p - lr / (1 - beta1^t) * m / (sqrt(v_used) / sqrt(1 - beta2^t) + eps)

    Args:
        params (iterable): parameters or dicts defining parameter groups.
        lr (float or Tensor): learning rate (default: 1e-3).
        betas (Tuple[float, float]): running-average coefficients of the gradient and its square
            (default: (0.9, 0.999)); floats, or two one-element tensors.
        eps (float): added to the denominator (default: 1e-8).
        weight_decay (float): L2 penalty, or decoupled decay (default: 0).
        amsgrad (bool): use the AMSGrad variant (default: False).
        maximize (bool): maximize the objective (default: False).
        decoupled_weight_decay (bool): AdamW's decoupled weight decay (default: False).
        foreach, capturable, differentiable, fused: accepted for compatibility; every update is one
            fused C loop per parameter. ``differentiable=True`` is not supported.

    State per parameter: ``step`` (0-d float32 tensor), ``exp_avg``, ``exp_avg_sq`` and with
    amsgrad ``max_exp_avg_sq``.

    Example::

        >>> w = cytorch.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = cytorch.optim.Adam([w], lr=1e-3)
        >>> for _ in range(3):
        ...     opt.zero_grad()
        ...     (w * w).sum().backward()
        ...     opt.step()
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        if isinstance(lr, cytorch.Tensor) and foreach and not capturable:
            raise ValueError("lr as a Tensor is not supported for capturable=False and foreach=True")
        _check_adam_options(lr, eps, betas, weight_decay)
        b_tensor = [isinstance(b, cytorch.Tensor) for b in betas]
        if not (b_tensor[0] == b_tensor[1] and (b_tensor[0] or all(isinstance(b, float) for b in betas))):
            raise ValueError("betas must be either both floats or both Tensors")
        for i, b in enumerate(betas):
            if isinstance(b, cytorch.Tensor):
                if foreach and not capturable:
                    raise ValueError(f"betas[{i}] as a Tensor is not supported for capturable=False and "
                                     "foreach=True")
                if b.numel() != 1:
                    raise ValueError(f"Tensor betas[{i}] must be 1-element")
        betas = tuple(b.squeeze() if isinstance(b, cytorch.Tensor) and b.dim() != 0 else b for b in betas)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "amsgrad": amsgrad,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("amsgrad", False)
            group.setdefault("maximize", False)
            group.setdefault("decoupled_weight_decay", False)

    def _update_group(self, group, params, grads):
        amsgrad = group["amsgrad"]
        exp_avgs, exp_avg_sqs, max_sqs, steps = [], [], [], []
        state = self.state
        for p in params:        # written out, not _state_lists: about 1 us less per 10 parameters (hot path)
            st = state[p]
            if not st:
                st["step"] = self._new_step(group)
                st["exp_avg"] = cytorch.zeros_like(p)
                st["exp_avg_sq"] = cytorch.zeros_like(p)
                if amsgrad:
                    st["max_exp_avg_sq"] = cytorch.zeros_like(p)
            exp_avgs.append(st["exp_avg"])
            exp_avg_sqs.append(st["exp_avg_sq"])
            if amsgrad:
                max_sqs.append(st["max_exp_avg_sq"])
            steps.append(st["step"])
        beta1, beta2 = group["betas"]
        _optim.adam(params, grads, exp_avgs, exp_avg_sqs, max_sqs, steps, _value(group["lr"]),
                    _value(beta1), _value(beta2), group["eps"], _value(group["weight_decay"]), amsgrad,
                    group["maximize"], group["decoupled_weight_decay"])
