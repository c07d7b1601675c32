"""Gradient clipping: clip_grad_norm_, clip_grad_value_, get_total_norm, clip_grads_with_norm_."""
import functools
import warnings

import cytorch
from cytorch._C._tensor import TensorBase
from cytorch.autograd.grad_mode import no_grad

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_"]


def _no_grad(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with no_grad():
            return fn(*args, **kwargs)
    return wrapper


def _tensor_list(xs):
    return [xs] if isinstance(xs, TensorBase) else list(xs)


@_no_grad
def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    r"""The norm of all ``tensors`` together, as if concatenated into one vector.

    Args:
        tensors (Tensor or iterable of Tensors): e.g. the gradients.
        norm_type (float): p of the p-norm; ``inf`` for the max norm. Default: 2.0
        error_if_nonfinite (bool): raise RuntimeError when the norm is nan or inf. Default: False
        foreach (bool): accepted for compatibility (one path here).

    Returns:
        Tensor: 0-d total norm.
    """
    tensors = _tensor_list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return cytorch.tensor(0.0)
    norms = [cytorch.linalg.vector_norm(t, norm_type) for t in tensors]
    total = cytorch.linalg.vector_norm(cytorch.stack([n.to(norms[0].dtype) for n in norms]), norm_type)
    if error_if_nonfinite and not bool(cytorch.isfinite(total)):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, "
                           "so it cannot be clipped. To disable this error and scale the gradients by the "
                           "non-finite norm anyway, set `error_if_nonfinite=False`")
    return total


@_no_grad
def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    r"""Scale the gradients of ``parameters`` in place by ``min(1, max_norm / (total_norm + 1e-6))``.

    Args:
        parameters (Tensor or iterable of Tensors): whose ``.grad`` is scaled.
        max_norm (float): the largest norm allowed.
        total_norm (Tensor): the norm to scale from (see :func:`get_total_norm`).
        foreach (bool): accepted for compatibility.
    """
    grads = [p.grad for p in _tensor_list(parameters) if p.grad is not None]
    if not grads:
        return
    coef = cytorch.clamp(max_norm / (total_norm + 1e-6), max=1.0)
    for g in grads:
        g.mul_(coef.to(g.dtype))


@_no_grad
def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    r"""Rescale the gradients of ``parameters`` in place so that their total norm (all gradients
    as one vector) is at most ``max_norm``.

    Args:
        parameters (Tensor or iterable of Tensors): whose ``.grad`` is clipped.
        max_norm (float): the largest norm allowed.
        norm_type (float): p of the p-norm; ``inf`` for the max norm. Default: 2.0
        error_if_nonfinite (bool): raise RuntimeError when the norm is nan or inf. Default: False
        foreach (bool): accepted for compatibility (one path here).

    Returns:
        Tensor: the total norm before clipping.

    Example::

        >>> loss.backward()
        >>> nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        >>> opt.step()
    """
    parameters = _tensor_list(parameters)
    grads = [p.grad for p in parameters if p.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total, foreach)
    return total


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Deprecated: use :func:`clip_grad_norm_`."""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


@_no_grad
def clip_grad_value_(parameters, clip_value, foreach=None):
    r"""Clamp every gradient of ``parameters`` to ``[-clip_value, clip_value]`` in place.

    Args:
        parameters (Tensor or iterable of Tensors): whose ``.grad`` is clipped.
        clip_value (float): the largest absolute value allowed.
        foreach (bool): accepted for compatibility.
    """
    clip_value = float(clip_value)
    for p in _tensor_list(parameters):
        if p.grad is not None:
            p.grad.clamp_(min=-clip_value, max=clip_value)
