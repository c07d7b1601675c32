"""Higher-level differentiation of whole functions: vjp, jvp, jacobian, hessian, vhp, hvp.

PyTorch's ``torch.autograd.functional`` API. Every result is built from ``autograd.grad``:
a vector-Jacobian product is one backward pass; a Jacobian-vector product is the "double
backward trick" (differentiate the vjp, which is linear in its cotangent ``u``, with respect to
``u``); a Jacobian stacks one vjp per output element; a Hessian is the Jacobian of the gradient.

Inputs and outputs keep the structure the user gave: a single tensor in gives a single tensor
out, a tuple gives a tuple. Results are detached unless ``create_graph=True``.

Example::

    >>> f = lambda x: (x ** 3).sum()
    >>> cytorch.autograd.functional.hessian(f, cytorch.tensor([1., 2.]))
    tensor([[ 6.,  0.],
            [ 0., 12.]])
"""
import cytorch
from cytorch._C._tensor import TensorBase
from cytorch.autograd import grad as _grad
from cytorch.autograd.grad_mode import enable_grad

__all__ = ["vjp", "jvp", "jacobian", "hessian", "vhp", "hvp"]


def _as_tuple(x, arg, fn_name):
    """(tuple of tensors, whether x was a tuple) — with PyTorch's TypeError for anything else."""
    if isinstance(x, TensorBase):
        return (x,), False
    if isinstance(x, (tuple, list)):
        for i, t in enumerate(x):
            if not isinstance(t, TensorBase):
                raise TypeError(f"The {arg} given to {fn_name} must be either a Tensor or a tuple of Tensors "
                                f"but the value at index {i} has type {type(t)}.")
        return tuple(x), True
    raise TypeError(f"The {arg} given to {fn_name} must be either a Tensor or a tuple of Tensors but the "
                    f"given {arg} has type {type(x)}.")


def _outputs(out, fn_name):
    if isinstance(out, TensorBase):
        return (out,), False
    if isinstance(out, (tuple, list)) and all(isinstance(t, TensorBase) for t in out):
        return tuple(out), True
    raise TypeError(f"The outputs of the user-provided function given to {fn_name} must be either a Tensor or "
                    f"a tuple of Tensors but the given outputs of the user-provided function has type "
                    f"{type(out)}.")


def _prepare_inputs(inputs, create_graph):
    """Inputs the function sees: fresh leaves, or (create_graph) views that keep the caller's graph."""
    return tuple(t.view_as(t) if create_graph and t.requires_grad else t.detach().requires_grad_(True)
                 for t in inputs)


def _finish(ts, create_graph):
    """Results handed back: detached unless the caller wants to differentiate them again."""
    return tuple(t if t is None or create_graph else t.detach() for t in ts)


def _check_v(v, ref):
    if len(v) != len(ref):
        raise RuntimeError("The given v should contain a single Tensor." if len(ref) == 1 else
                           f"v is a tuple of invalid length: should be {len(ref)} but got {len(v)}.")
    for vi, r in zip(v, ref):
        if tuple(vi.shape) != tuple(r.shape):
            raise RuntimeError(f"v has invalid size: should be {r.shape} but got {vi.shape}.")


def _default_v(ref, what):
    if len(ref) != 1 or ref[0].numel() != 1:
        raise RuntimeError(f"The vector v can only be None if the {what} returns a single Tensor with a single "
                           "element." if what == "user-provided function" else
                           f"The vector v can only be None if the input to the user-provided function is a "
                           "single Tensor with a single element.")
    return (cytorch.ones_like(ref[0]),)


def _zeros_for_missing(grads, like, strict, what):
    out = []
    for i, (g, x) in enumerate(zip(grads, like)):
        if g is None:
            if strict:
                raise RuntimeError(f"The {what} for input {i} is independent of the input: it is "
                                   "identically zero, which is not allowed in strict mode.")
            g = cytorch.zeros_like(x)
        out.append(g)
    return tuple(out)


def _check_requires_grad(outs, strict):
    if not strict:
        return
    for i, o in enumerate(outs):
        if not o.requires_grad:
            raise RuntimeError(f"Output {i} of the user-provided function does not require gradients. The "
                               "outputs must be computed in a differentiable manner from the input when "
                               "running in strict mode.")


def _vjp_core(outs, ins, v, create_graph):
    """sum_i v_i . d outs_i / d ins, for every input (None where independent)."""
    pairs = [(o, g) for o, g in zip(outs, v) if o.requires_grad]
    if not pairs:
        return (None,) * len(ins)
    return _grad(tuple(o for o, _ in pairs), ins, tuple(g for _, g in pairs), create_graph=create_graph,
                 retain_graph=True, allow_unused=True)


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """Vector-Jacobian product ``v^T J`` of ``func`` at ``inputs``.

    Args:
        func: function of the input tensor(s) returning a tensor or a tuple of tensors.
        inputs: a tensor or a tuple of tensors.
        v: the cotangent, shaped like func's output(s); may be None for a one-element output.
        create_graph: make the result differentiable.
        strict: raise if an output or the product is independent of the inputs.

    Returns:
        ``(func_output, vjp)``; vjp has the structure and shapes of ``inputs``.
    """
    with enable_grad():
        ins, in_tuple = _as_tuple(inputs, "inputs", "vjp")
        ins = _prepare_inputs(ins, create_graph)
        outs, out_tuple = _outputs(func(*ins), "vjp")
        _check_requires_grad(outs, strict)
        if v is None:
            vs = _default_v(outs, "user-provided function")
        else:
            vs, _ = _as_tuple(v, "v", "vjp")
            _check_v(vs, outs)
        g = _vjp_core(outs, ins, vs, create_graph)
        g = _zeros_for_missing(g, ins, strict, "gradient")
    outs, g = _finish(outs, create_graph), _finish(g, create_graph)
    return (outs if out_tuple else outs[0]), (g if in_tuple else g[0])


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """Jacobian-vector product ``J v`` of ``func`` at ``inputs`` (the double-backward trick).

    Returns ``(func_output, jvp)``; jvp has the structure and shapes of func's output.
    """
    with enable_grad():
        ins, in_tuple = _as_tuple(inputs, "inputs", "jvp")
        ins = _prepare_inputs(ins, create_graph)
        if v is None:
            vs = _default_v(ins, "input")
        else:
            vs, _ = _as_tuple(v, "v", "jvp")
            _check_v(vs, ins)
        outs, out_tuple = _outputs(func(*ins), "jvp")
        _check_requires_grad(outs, strict)
        # g(u) = u^T J is linear in u; d(g(u) . v)/du = J v, whatever u's value
        us = tuple(cytorch.zeros_like(o).requires_grad_(True) for o in outs)
        gs = _vjp_core(outs, ins, us, create_graph=True)
        pairs = [(g, vi) for g, vi in zip(gs, vs) if g is not None and g.requires_grad]
        if pairs:
            jv = _grad(tuple(g for g, _ in pairs), us, tuple(vi for _, vi in pairs), create_graph=create_graph,
                       retain_graph=True, allow_unused=True)
        else:
            jv = (None,) * len(us)
        jv = _zeros_for_missing(jv, outs, strict, "jvp")
    outs, jv = _finish(outs, create_graph), _finish(jv, create_graph)
    return (outs if out_tuple else outs[0]), (jv if out_tuple else jv[0])


def _jacobian_blocks(outs, ins, create_graph, strict):
    """blocks[i][j] = d outs[i] / d ins[j], shaped outs[i].shape + ins[j].shape."""
    blocks = []
    for i, o in enumerate(outs):
        rows = [[] for _ in ins]
        flat = o.reshape(-1)
        for k in range(flat.numel()):
            if o.requires_grad:
                gs = _grad((flat[k],), ins, create_graph=create_graph, retain_graph=True, allow_unused=True)
            else:
                gs = (None,) * len(ins)
            for j, (g, x) in enumerate(zip(gs, ins)):
                if g is None:
                    if strict:
                        raise RuntimeError(f"Output {i} of the user-provided function is independent of input "
                                           f"{j}. This is not allowed in strict mode.")
                    g = cytorch.zeros_like(x)
                rows[j].append(g)
        row = []
        for j, x in enumerate(ins):
            if rows[j]:
                row.append(cytorch.stack(rows[j]).reshape(tuple(o.shape) + tuple(x.shape)))
            else:
                row.append(cytorch.zeros(tuple(o.shape) + tuple(x.shape), dtype=x.dtype))
        blocks.append(tuple(row))
    return blocks


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    """The Jacobian of ``func`` at ``inputs``, one reverse pass per output element.

    Returns a tensor of shape ``output.shape + input.shape`` for one input and one output; a tuple
    over inputs, over outputs, or a tuple of tuples ``[i][j] = d out_i / d in_j`` when both are tuples.
    ``vectorize`` is accepted for compatibility (the result is the same); ``strategy`` must be
    "reverse-mode" or "forward-mode" (both computed in reverse mode here; forward-mode requires
    vectorize=True, as in PyTorch).
    """
    if strategy not in ("forward-mode", "reverse-mode"):
        raise ValueError('Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
                         'function has more outputs than inputs, "forward-mode" tends to be more performant. '
                         'Otherwise, prefer to use "reverse-mode".')
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError("cytorch.autograd.functional.jacobian: `create_graph=True` and "
                                      "`strategy=\"forward-mode\"` are not supported together (yet). Please "
                                      "either set `create_graph=False` or `strategy=\"reverse-mode\"`.")
        if not vectorize:
            raise NotImplementedError("cytorch.autograd.functional.jacobian: `strategy=\"forward-mode\"` "
                                      "requires `vectorize=True`.")
    with enable_grad():
        ins, in_tuple = _as_tuple(inputs, "inputs", "jacobian")
        ins = _prepare_inputs(ins, create_graph)
        outs, out_tuple = _outputs(func(*ins), "jacobian")
        _check_requires_grad(outs, strict)
        blocks = _jacobian_blocks(outs, ins, create_graph, strict)
    blocks = [_finish(row, create_graph) for row in blocks]
    if out_tuple and in_tuple:
        return tuple(blocks)
    if out_tuple:
        return tuple(row[0] for row in blocks)
    return blocks[0] if in_tuple else blocks[0][0]


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy="reverse-mode"):
    """The Hessian of a scalar ``func`` at ``inputs``: the Jacobian of its gradient.

    Shape ``input.shape + input.shape`` for one input; ``[i][j]`` blocks for a tuple of inputs.
    """
    ins, in_tuple = _as_tuple(inputs, "inputs", "hessian")

    def grad_fn(*xs):
        out = func(*xs)
        outs, out_tuple = _outputs(out, "hessian")
        if out_tuple or outs[0].numel() != 1:
            raise RuntimeError("The function given to hessian should return a single Tensor" if out_tuple else
                               "The Tensor returned by the function given to hessian should contain a single "
                               "element")
        if strict and not outs[0].requires_grad:
            raise RuntimeError("The function given to hessian should return a Tensor that requires gradients "
                               "(strict mode).")
        y = outs[0].reshape(())
        if not y.requires_grad:
            return tuple(cytorch.zeros_like(x) for x in xs)
        gs = _grad((y,), xs, create_graph=True, allow_unused=True)
        return _zeros_for_missing(gs, xs, strict, "gradient")

    h = jacobian(grad_fn, ins, create_graph=create_graph, strict=strict, vectorize=vectorize,
                 strategy=outer_jacobian_strategy)
    return h if in_tuple else h[0][0]


def _second_order(func, inputs, v, create_graph, strict, name):
    with enable_grad():
        ins, in_tuple = _as_tuple(inputs, "inputs", name)
        ins = _prepare_inputs(ins, create_graph)
        if v is None:
            vs = _default_v(ins, "input")
        else:
            vs, _ = _as_tuple(v, "v", name)
            _check_v(vs, ins)
        outs, out_tuple = _outputs(func(*ins), name)
        if out_tuple or outs[0].numel() != 1:
            raise RuntimeError(f"The function given to {name} should return a single Tensor" if out_tuple else
                               f"The Tensor returned by the function given to {name} should contain a single "
                               "element")
        y = outs[0]
        _check_requires_grad(outs, strict)
        if y.requires_grad:
            gs = _grad((y.reshape(()),), ins, create_graph=True, allow_unused=True)
        else:
            gs = (None,) * len(ins)
        gs = _zeros_for_missing(gs, ins, strict, "gradient")
        # the Hessian is symmetric for smooth functions: v^T H and H v are one vjp of the gradient
        pairs = [(g, vi) for g, vi in zip(gs, vs) if g.requires_grad]
        if pairs:
            r = _grad(tuple(g for g, _ in pairs), ins, tuple(vi for _, vi in pairs), create_graph=create_graph,
                      allow_unused=True)
        else:
            r = (None,) * len(ins)
        r = _zeros_for_missing(r, ins, strict, name)
    y, r = _finish((y,), create_graph)[0], _finish(r, create_graph)
    return y, (r if in_tuple else r[0])


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """``v^T H`` for a scalar ``func``: returns ``(func_output, vhp)`` shaped like ``inputs``."""
    return _second_order(func, inputs, v, create_graph, strict, "vhp")


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """``H v`` for a scalar ``func``: returns ``(func_output, hvp)`` shaped like ``inputs``."""
    return _second_order(func, inputs, v, create_graph, strict, "hvp")
