"""cytorch.autograd.Function: custom ops with a hand-written backward (PyTorch's API).

``ctx`` is the op's graph node itself (as in PyTorch), so what forward saves lives exactly as
long as the graph. Saved outputs are kept detached (no reference cycle) and re-attached when
backward unpacks them.
"""
from cytorch._C import _autograd as _A
from cytorch._C._tensor import TensorBase
from cytorch._C._autograd import Node, is_grad_enabled, _set_grad_mode

__all__ = ["Function", "FunctionCtx", "once_differentiable"]


class FunctionCtx:
    """What forward/setup_context gets as ``ctx``."""

    def save_for_backward(self, *tensors):
        for t in tensors:
            if t is not None and not isinstance(t, TensorBase):
                raise TypeError("save_for_backward can only save variables, but argument "
                                f"{tensors.index(t)} is of type {type(t).__name__}")
        self._to_save = tensors

    def save_for_forward(self, *tensors):
        self._to_save_forward = tensors

    def mark_dirty(self, *tensors):
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors):
        self._non_diff = tensors

    def set_materialize_grads(self, value):
        self._materialize = bool(value)


class BackwardCFunction(Node, FunctionCtx):
    """The node of one Function call; also its ctx."""
    _forward_cls = None

    def apply(self, *grads):
        return _function_backward(self, grads)


def _function_backward(node, grads):
    if getattr(node, "_materialize", True) and node._out_meta is not None:
        grads = _A._zeros_for(tuple(grads), node._out_meta)
    r = node._forward_cls.backward(node, *grads)
    if not isinstance(r, tuple):
        r = (r,)
    n_in = len(node._edges)
    if len(r) > n_in and all(x is None for x in r[n_in:]):
        r = r[:n_in]
    if len(r) != n_in:
        raise RuntimeError(f"function {node.name()} returned an incorrect number of gradients "
                           f"(expected {n_in}, got {len(r)})")
    out = []
    for i, (g, e, meta) in enumerate(zip(r, node._edges, node._in_meta)):
        if g is not None and e[0] is not None:
            if not isinstance(g, TensorBase):
                raise TypeError(f"function {node.name()} returned a gradient of type {type(g).__name__} "
                                f"at index {i}; expected a Tensor or None")
            shape = tuple(meta[0])
            if tuple(g.shape) != shape:
                try:
                    g = _sum_to(g, shape)
                except RuntimeError:
                    raise RuntimeError(f"Function {node.name()} returned an invalid gradient at index {i} - got "
                                       f"{list(g.shape)} but expected shape compatible with {list(shape)}") from None
        out.append(g if e[0] is not None else None)
    return tuple(out)


def _sum_to(g, shape):
    from cytorch.autograd import _sum_to as s
    return s(g, shape)


class FunctionMeta(type):
    def __init__(cls, name, bases, attrs):
        cls._backward_cls = type(name + "Backward", (BackwardCFunction,), {"_forward_cls": cls})
        super().__init__(name, bases, attrs)


class Function(metaclass=FunctionMeta):
    """Subclass with static ``forward(ctx, *args)`` and ``backward(ctx, *grad_outputs)``; call ``apply``.

    Example::

        class Exp(Function):
            @staticmethod
            def forward(ctx, x):
                y = x.exp()
                ctx.save_for_backward(y)
                return y

            @staticmethod
            def backward(ctx, gy):
                y, = ctx.saved_tensors
                return gy * y

        Exp.apply(cytorch.ones(3, requires_grad=True)).sum().backward()
    """

    def __init__(self, *args, **kwargs):
        raise RuntimeError("Legacy autograd function with non-static forward method is deprecated. "
                           "Please use new-style autograd function with static forward method.")

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    vjp = backward

    @staticmethod
    def jvp(ctx, *grad_inputs):
        raise NotImplementedError("forward-mode AD is not supported by cytorch")

    @classmethod
    def apply(cls, *args, **kwargs):
        ctx = cls._backward_cls()
        record = is_grad_enabled() and any(isinstance(a, TensorBase) and a.requires_grad for a in args)
        _A._init_node(ctx, cls._backward_cls.__name__, _function_backward, args if record else ())
        if not record:
            ctx._edges = tuple((None, 0) for _ in args)
        custom_setup = cls.setup_context is not Function.setup_context
        prev = _set_grad_mode(False)
        try:
            if custom_setup:
                outputs = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, outputs)
            else:
                outputs = cls.forward(ctx, *args, **kwargs)
        finally:
            _set_grad_mode(prev)
        if not record:
            return outputs
        is_tuple = isinstance(outputs, tuple)
        outs = outputs if is_tuple else (outputs,)
        dirty = getattr(ctx, "_dirty", ())
        non_diff = getattr(ctx, "_non_diff", ())
        new_outs = []
        for k, o in enumerate(outs):
            if isinstance(o, TensorBase):
                if any(o is d for d in dirty):
                    if o.is_leaf and o.requires_grad:
                        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
                elif any(o is a for a in args):
                    o = o.detach()          # returning an input: a new tensor in the graph
                if any(o is d for d in non_diff) or not (o.is_floating_point() or o.is_complex()):
                    if not any(o is d for d in dirty):
                        o._set_grad_fn(None)
                else:
                    o._set_grad_fn(ctx, k)
            new_outs.append(o)
        ctx._out_meta = tuple((tuple(o.shape), o.dtype.code) if isinstance(o, TensorBase) else None
                              for o in new_outs)
        saved = getattr(ctx, "_to_save", None)
        if saved:
            ctx._save(saved, tuple(new_outs))
            del ctx._to_save
        return tuple(new_outs) if is_tuple else new_outs[0]


def once_differentiable(fn):
    """Mark a backward as not itself differentiable: it runs under no_grad."""
    import functools

    @functools.wraps(fn)
    def wrapper(ctx, *args):
        prev = _set_grad_mode(False)
        try:
            return fn(ctx, *args)
        finally:
            _set_grad_mode(prev)
    return wrapper
