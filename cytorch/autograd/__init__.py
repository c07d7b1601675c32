"""cytorch.autograd: reverse-mode automatic differentiation (PyTorch's API).

The graph nodes and the engine are Cython (cytorch/_C/_autograd.pyx); the per-op backward
formulas are one table (_formulas.py); this package holds the public functions.
"""
from cytorch._C import _autograd as _A
from cytorch._C._tensor import TensorBase, full as _C_full
from cytorch._C._autograd import Node, is_grad_enabled
from cytorch.autograd.grad_mode import (no_grad, enable_grad, set_grad_enabled, inference_mode,
                                        is_inference_mode_enabled)
from cytorch.autograd.function import Function, FunctionCtx, once_differentiable
from cytorch.autograd.gradcheck import gradcheck, gradgradcheck, GradcheckError
from cytorch.autograd.anomaly_mode import (detect_anomaly, set_detect_anomaly, is_anomaly_enabled,
                                           is_anomaly_check_nan_enabled)
from cytorch.autograd import _formulas  # noqa: F401  (fills the formula table)
from cytorch.autograd import _wrap

__all__ = ["backward", "grad", "Function", "FunctionCtx", "no_grad", "enable_grad", "set_grad_enabled",
           "inference_mode", "is_grad_enabled", "is_inference_mode_enabled", "gradcheck", "gradgradcheck",
           "once_differentiable", "Variable", "detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled", "functional"]


def _sum_to(g, shape):
    """g summed down to ``shape`` (undoing broadcasting); differentiable (its backward is expand)."""
    r = _A._sum_to_kernel(g, tuple(shape))
    if is_grad_enabled() and g.requires_grad:
        _A._record("sum_to", (g,), r)
    return r


def _as_tensors(x):
    if isinstance(x, TensorBase):
        return (x,)
    if x is None:
        return None
    return tuple(x)


def _make_grads(outputs, grads, create_graph):
    import cytorch
    if grads is None:
        grads = (None,) * len(outputs)
    grads = _as_tensors(grads) if not isinstance(grads, (list, tuple)) else tuple(grads)
    if len(grads) != len(outputs):
        raise RuntimeError(f"grad_tensors/grad_outputs has {len(grads)} entries but there are {len(outputs)} outputs")
    out = []
    for i, (o, g) in enumerate(zip(outputs, grads)):
        if not o.requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
        if g is None:
            if o.numel() != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if not (o.is_floating_point() or o.is_complex()):
                raise RuntimeError(f"grad can be implicitly created only for real scalar outputs but got {o.dtype}")
            g = _C_full(o.shape, 1, o.dtype)
        elif not isinstance(g, TensorBase):
            g = cytorch.tensor(g, dtype=o.dtype)
        elif tuple(g.shape) != tuple(o.shape):
            raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and output[{i}] "
                               f"has a shape of {o.shape}.")
        out.append(g)
    return tuple(out)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None, inputs=None):
    """Accumulate d(tensors)/d(leaf) · grad_tensors into the ``.grad`` of the leaves (or of ``inputs``)."""
    if grad_variables is not None:
        grad_tensors = grad_variables
    tensors = _as_tensors(tensors)
    if inputs is not None:
        inputs = _as_tensors(inputs)
        if len(inputs) == 0:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    grads = _make_grads(tensors, grad_tensors, create_graph)
    if retain_graph is None:
        retain_graph = create_graph
    _A.run_backward(tensors, grads, retain_graph, create_graph, inputs, True, True, _sum_to)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of ``outputs`` w.r.t. ``inputs`` (a tuple), without touching any ``.grad``."""
    import cytorch
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads=True, "
                         "but got: allow_unused=False.")
    if allow_unused is None:
        allow_unused = materialize_grads
    outputs = _as_tensors(outputs)
    single = isinstance(inputs, TensorBase)
    inputs = _as_tensors(inputs)
    grads = _make_grads(outputs, grad_outputs, create_graph)
    if retain_graph is None:
        retain_graph = create_graph
    res = _A.run_backward(outputs, grads, retain_graph, create_graph, inputs, False, allow_unused, _sum_to)
    if materialize_grads:
        res = [cytorch.zeros_like(x) if r is None else r for x, r in zip(inputs, res)]
    return tuple(res)


# -------- Tensor methods

def _tensor_backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate the gradient of self w.r.t. the graph's leaves into their ``.grad``."""
    backward(self, gradient, retain_graph, create_graph, inputs=inputs)


def _register_hook(self, hook):
    """Call ``hook(grad)`` when self's gradient is computed; a returned tensor replaces it."""
    if not self.requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    if self.grad_fn is None:
        self._add_hook(hook)
        return _A._RemovableHandle(self._backward_hooks, hook)
    return self.grad_fn._add_pre_hook(self.output_nr, hook)


def _retain_grad(self):
    """Keep the gradient of this non-leaf tensor in ``.grad`` after backward."""
    if not self.requires_grad:
        raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
    if self.grad_fn is None or self.retains_grad:
        return
    import weakref
    node = self.grad_fn
    if node._retain is None:
        node._retain = {}
    node._retain[self.output_nr] = weakref.ref(self)
    self._set_retains_grad(True)


def _register_post_accumulate_grad_hook(self, hook):
    """Call ``hook(tensor)`` after this leaf's ``.grad`` has been accumulated in a backward pass."""
    if not self.requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    if self.grad_fn is not None:
        raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
    hooks = self.__dict__.setdefault("_post_accumulate_hooks", [])
    hooks.append(hook)
    return _A._RemovableHandle(hooks, hook)


def _install_tensor_methods():
    from cytorch._tensor import Tensor
    Tensor.register_post_accumulate_grad_hook = _register_post_accumulate_grad_hook
    Tensor.backward = _tensor_backward
    Tensor.register_hook = _register_hook
    Tensor.retain_grad = _retain_grad


class Variable:
    """Deprecated: ``Variable(t)`` returns ``t`` (tensors do autograd themselves)."""

    def __new__(cls, data, requires_grad=False, volatile=False):
        return data.requires_grad_(requires_grad) if requires_grad else data


_install_tensor_methods()
from cytorch.autograd import functional  # noqa: E402,F401
_wrap.install()
