"""In-place ops on views: the base sees the write (PyTorch's CopySlices).

Every view remembers its root tensor (``Tensor._base``). When an in-place op writes into a view
inside a graph, the engine must know that the *base* changed too: the base becomes the output of
a ``CopySlices`` node whose inputs are the base as it was and the view's new value, and the view
becomes a view of that output. So ``x[0].mul_(2)`` on a non-leaf, or ``buf[:, t].copy_(h)`` into
a buffer that does not require grad, give the gradients PyTorch gives.

A view is located in its base by the base's flat (logical) index of each of its elements,
computed once per write from the strides and storage offsets; the formulas scatter and gather
through those positions with differentiable ops, so double backward works.
"""
import cytorch as _t
from cytorch._C import _autograd as _A
from cytorch._C import _tensor as _C
from cytorch.autograd._formulas import generic
from cytorch.autograd._wrap import _no_grad, _snapshot_edge


def _positions(base, view):
    """int64 tensor shaped like ``view``: the flat index in ``base`` of each of view's elements."""
    with _no_grad():
        span = 1
        for n, s in zip(base.shape, base.stride()):
            if n == 0:
                span = 0
                break
            span += (n - 1) * s
        rel = view.storage_offset() - base.storage_offset()
        need = rel + 1 + sum((n - 1) * s for n, s in zip(view.shape, view.stride())) if view.numel() else rel
        if rel < 0 or need > span:
            raise RuntimeError(f"in-place operation on a view of shape {list(view.shape)} that does not lie "
                               f"inside its base of shape {list(base.shape)} is not supported")
        buf = _t.full((max(span, 1),), -1, dtype=_t.int64)
        _t.as_strided(buf, tuple(base.shape), base.stride(), 0).copy_(
            _t.arange(base.numel()).reshape(tuple(base.shape)))
        return _t.as_strided(buf, tuple(view.shape), view.stride(), rel).clone()


def copy_slices(view, value):
    """After an in-place op wrote ``value`` (a tensor with the op's grad_fn) into ``view``'s memory,
    make view's base the output of CopySlices(base, value) and view a view of it."""
    base = view._base
    pos = _positions(base, view)
    ctx = (pos, tuple(base.shape))
    old = _snapshot_edge(base) if base.requires_grad else None
    out = base.detach()
    _A._record("copy_slices", (old, value), out, ctx=ctx)
    base._set_grad_fn(out.grad_fn, 0)
    vh = view.detach()
    _A._record("view_of_base", (base,), vh, ctx=ctx)
    view._set_grad_fn(vh.grad_fn, 0)


@generic("copy_slices", name="CopySlices")
def _copy_slices_bw(n, g):
    pos, shape = n.ctx
    flat = g.reshape(-1)
    gb = flat.index_fill(0, pos.reshape(-1), 0.0).reshape(shape) if n.needs_input_grad[0] else None
    gv = flat[pos] if n.needs_input_grad[1] else None
    return gb, gv


@generic("view_of_base", name="AsStridedBackward0")
def _view_of_base_bw(n, g):
    pos, shape = n.ctx
    numel = 1
    for s in shape:
        numel *= s
    z = _t.zeros((numel,), dtype=g.dtype)
    return z.index_put((pos.reshape(-1),), g.reshape(-1), accumulate=True).reshape(shape)


_C._set_copy_slices_hook(copy_slices)
