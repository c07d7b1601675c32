"""Autograd for ops written in Python families (indexing, matmul, joining, clamp, copies).

``differentiable(key, fn, ...)`` wraps an op: with grad mode off or no input requiring grad it
calls ``fn`` directly; otherwise it runs ``fn`` under no_grad and records one node whose
backward is ``key``'s entry in _formulas.py. ``install()`` puts the wrappers in place of the
plain ops (module attribute, ``cytorch.<name>`` and the Tensor method), so the families'
own files stay free of autograd code.
"""
from cytorch._C import _autograd as _A
from cytorch._C import _tensor as _C
from cytorch._C._tensor import TensorBase
from cytorch._C._autograd import is_grad_enabled, _set_grad_mode

_OUT_MSG = ("{}(): functions with out=... arguments don't support automatic differentiation, "
            "but one of the arguments requires grad.")


def _any_requires_grad(xs):
    for x in xs:
        if isinstance(x, TensorBase) and x.requires_grad:
            return True
    return False


def differentiable(key, fn, inputs, ctx=None, save=None, is_view=False, name=None, mode=0, save_output=False):
    """Wrap ``fn`` so that calls on tensors requiring grad record a ``key`` node.

    inputs(*args, **kw) -> the differentiable inputs (tensors or anything else), in the order the
    formula returns gradients; ctx(*args, **kw) -> what the formula reads from ``n.ctx``;
    save(*args, **kw) -> tensors kept (version-checked) for backward; save_output: the output is
    kept too (last among the saved tensors). ``mode`` says where tensors
    that may require grad are (0: any argument, 1: the first, 2: in the first, a sequence): the
    no-grad path is one C-level check.
    """
    opname = name or key

    def record(args, kw):
        if kw.get("out") is not None:
            raise RuntimeError(_OUT_MSG.format(opname))
        ins = inputs(*args, **kw)
        prev = _set_grad_mode(False)
        try:
            out = fn(*args, **kw)
        finally:
            _set_grad_mode(prev)
        if isinstance(out, TensorBase) and any(out is x for x in ins):
            out = out.detach()        # an op that returned its input still gets its own node
        saved = tuple(save(*args, **kw)) if save is not None else ()
        if save_output:
            saved += (out,)
        return _A._record(key, tuple(ins), out, ctx(*args, **kw) if ctx is not None else None, saved, is_view)

    if mode == 3:
        wrapper = _A._make_getitem(fn, record)
    else:
        wrapper = _A._make_wrapper(fn, mode, record)
    try:
        wrapper.__name__ = getattr(fn, "__name__", key)
        wrapper.__doc__ = getattr(fn, "__doc__", None)
    except (AttributeError, TypeError):
        pass
    return wrapper


def _replace(module, name, new, tensor_names=()):
    import cytorch
    from cytorch._tensor import Tensor
    old = getattr(module, name)
    setattr(module, name, new)
    if getattr(cytorch, name, None) is old:
        setattr(cytorch, name, new)
    for k, v in list(vars(Tensor).items()):
        if v is old:
            setattr(Tensor, k, new)
    for k in tensor_names:
        setattr(Tensor, k, new)


def install():
    from cytorch._ops import blas, shape, indexing, elementwise, conversion
    from cytorch.autograd import _views
    from cytorch._C import _indexing
    from cytorch._tensor import Tensor

    # matrix products
    ab = lambda a, b, *r, **k: (a, b)  # noqa: E731
    for nm in ("matmul", "mm", "bmm"):
        _replace(blas, nm, differentiable(nm, getattr(blas, nm), ab, save=ab))
    _replace(blas, "addmm", differentiable(
        "addmm", blas.addmm, lambda input, m1, m2, **k: (input, m1, m2),
        ctx=lambda input, m1, m2, beta=1, alpha=1, **k: (beta, alpha),
        save=lambda input, m1, m2, **k: (None, m1, m2)))

    # joining
    def seq_inputs(tensors, *a, **k):
        return tuple(tensors)

    def cat_dim(tensors, dim=0, *, out=None, axis=None):
        d = dim if axis is None else axis
        nd = max(t.dim() for t in tensors)
        return d % nd if nd else d

    def stack_dim(tensors, dim=0, *, out=None, axis=None):
        d = dim if axis is None else axis
        return d % (tensors[0].dim() + 1)

    _replace(shape, "cat", differentiable("cat", shape.cat, seq_inputs, ctx=cat_dim, mode=2))
    _replace(shape, "stack", differentiable("stack", shape.stack, seq_inputs, ctx=stack_dim, mode=2))

    # indexing: x[key] and x[key] = v
    getitem = differentiable("getitem", _indexing.getitem, lambda self, key: (self,),
                             ctx=lambda self, key: key, mode=3)
    Tensor.__getitem__ = getitem
    plain_setitem = _indexing.setitem

    def setitem(self, key, value):
        if not is_grad_enabled() or not (self.requires_grad or _any_requires_grad((value,))):
            return plain_setitem(self, key, value)
        _C._check_inplace(self)
        edge_self = self.detach() if not self.requires_grad else _snapshot_edge(self)
        with _no_grad():
            plain_setitem(self, key, value.detach() if isinstance(value, TensorBase) else value)
        node_out = self.detach()
        _A._record("setitem", (edge_self, value), node_out, ctx=key)
        self._set_grad_fn(node_out.grad_fn, 0)
        if self._base is not None:
            _views.copy_slices(self, node_out)
    Tensor.__setitem__ = setitem

    def where_inputs(condition, input=None, other=None, **k):
        return (input, other)

    where = differentiable("where", indexing.where, where_inputs, ctx=lambda c, *a, **k: c)
    _replace(indexing, "where", where)
    Tensor.where = lambda self, condition, y: where(condition, self, y)

    # clamp with its own formula (maximum/minimum would split the gradient at the bounds)
    def clamp_inputs(input, min=None, max=None, **k):
        return (input, min, max)

    def clamp_ctx(input, min=None, max=None, **k):
        return (None if isinstance(min, TensorBase) else min, None if isinstance(max, TensorBase) else max)

    def clamp_save(input, min=None, max=None, **k):
        return (input, min if isinstance(min, TensorBase) else None, max if isinstance(max, TensorBase) else None)

    clamp = differentiable("clamp", elementwise.clamp, clamp_inputs, ctx=clamp_ctx, save=clamp_save)
    _replace(elementwise, "clamp", clamp, tensor_names=("clamp", "clip"))
    import cytorch
    cytorch.clip = clamp

    # in-place copies: the tensor becomes the op's output in the graph
    plain_copy = conversion.copy_

    def copy_(self, src, non_blocking=False):
        if not is_grad_enabled() or not (self.requires_grad or _any_requires_grad((src,))):
            return plain_copy(self, src)
        _C._check_inplace(self)
        edge_self = _snapshot_edge(self) if self.requires_grad else None
        with _no_grad():
            plain_copy(self, src.detach() if isinstance(src, TensorBase) else src)
        node_out = self.detach()
        _A._record("copy_", (edge_self, src), node_out)
        self._set_grad_fn(node_out.grad_fn, 0)
        if self._base is not None:
            _views.copy_slices(self, node_out)
        return self
    Tensor.copy_ = copy_

    def _fill_wrapper(plain):
        def f(self, *args):
            if not is_grad_enabled() or not self.requires_grad:
                return plain(self, *args)
            _C._check_inplace(self)
            edge_self = _snapshot_edge(self)
            with _no_grad():
                plain(self, *args)
            node_out = self.detach()
            _A._record("fill_", (edge_self, None), node_out)
            self._set_grad_fn(node_out.grad_fn, 0)
            if self._base is not None:
                _views.copy_slices(self, node_out)
            return self
        f.__name__ = plain.__name__
        return f
    Tensor.fill_ = _fill_wrapper(conversion.fill_)
    Tensor.zero_ = _fill_wrapper(conversion.zero_)
    install_reductions()
    from cytorch.autograd import _composite
    _composite.install()
    from cytorch.autograd import _linalg
    _linalg.install()


def _snapshot_edge(t):
    """A header that stands for t's current place in the graph (its grad_fn), sharing nothing."""
    s = t.detach()
    s._set_grad_fn(t.grad_fn, t.output_nr)
    if t.grad_fn is None:
        return t
    return s


class _no_grad:
    def __enter__(self):
        self.prev = _set_grad_mode(False)

    def __exit__(self, *exc):
        _set_grad_mode(self.prev)


# ---------------------------------------------------------------- reductions, softmax, gather & co.

def _rdims(dim, nd):
    """The reduced dims as a sorted tuple of non-negative ints (None or () -> all dims)."""
    if nd == 0:
        return ()
    if dim is None or (not isinstance(dim, int) and len(dim) == 0):
        return tuple(range(nd))
    if isinstance(dim, int):
        return (dim % nd,)
    return tuple(sorted(d % nd for d in dim))


def _first(input, *a, **k):
    return (input,)


def install_reductions():
    from cytorch._ops import reductions as R, shape as S, indexing as I
    from cytorch import return_types

    def red_ctx(input, dim=None, keepdim=False, *a, **k):
        return (_rdims(dim, input.dim()), keepdim)

    # sum tests requires_grad itself (no wrapper on its no-grad path): it calls the recorder
    R._AUTOGRAD["sum"] = differentiable("sum", R.sum, _first, ctx=red_ctx, mode=1)
    for nm in ("mean", "logsumexp"):
        _replace(R, nm, differentiable(nm, getattr(R, nm), _first, ctx=red_ctx,
                                       save=_first if nm == "logsumexp" else None, mode=1))

    def amax_ctx(input, dim=(), keepdim=False, *a, **k):
        return (_rdims(dim, input.dim()), keepdim)

    for nm in ("amax", "amin"):
        _replace(R, nm, differentiable(nm, getattr(R, nm), _first, ctx=amax_ctx, save=_first, mode=1))

    def prod_ctx(input, dim=None, keepdim=False, *a, **k):
        return (_rdims(dim, input.dim()), keepdim)

    _replace(R, "prod", differentiable("prod", R.prod, _first, ctx=prod_ctx, save=_first, mode=1))

    def var_ctx(input, dim=None, unbiased=None, keepdim=False, *, correction=None, **k):
        if isinstance(dim, bool):
            unbiased, dim = dim, None
        corr = correction if correction is not None else (1 if unbiased is None or unbiased else 0)
        return (_rdims(dim, input.dim()), keepdim, corr)

    for nm in ("var", "std"):
        _replace(R, nm, differentiable(nm, getattr(R, nm), _first, ctx=var_ctx, save=_first, mode=1))

    def norm_ctx(input, p="fro", dim=None, keepdim=False, *a, **k):
        p = 2.0 if p is None or p == "fro" else float(p)
        return (_rdims(dim, input.dim()), keepdim, p)

    # cytorch.norm / Tensor.norm are blas.norm (vector norms, 'fro' and 'nuc' matrix norms);
    # 'fro' over two dims is the vector 2-norm over them; 'nuc' records nothing yet
    from cytorch._ops import blas as B
    for mod in (R, B):
        plain_norm = mod.norm
        vec_norm = differentiable("norm", plain_norm, _first, ctx=norm_ctx, save=_first, mode=1)

        def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None, _v=vec_norm, _p=plain_norm):
            if p == "nuc":
                return _p(input, p, dim, keepdim, out, dtype)
            return _v(input, p, dim, keepdim, out=out, dtype=dtype)
        norm.__doc__ = plain_norm.__doc__
        _replace(mod, "norm", norm)

    def soft_ctx(input, dim=None, dtype=None, *a, **k):
        return (dim, dtype)

    for nm in ("softmax", "log_softmax"):
        _replace(R, nm, differentiable(nm, getattr(R, nm), _first, ctx=soft_ctx, save_output=True, mode=1))

    _replace(R, "cumsum", differentiable("cumsum", R.cumsum, _first,
                                         ctx=lambda input, dim, *a, **k: dim, mode=1))

    # max/min: with a dim (values, indices), without (one value), with a tensor (elementwise)
    for nm in ("max", "min"):
        plain = getattr(R, nm)
        as_tuple = (lambda _p: lambda *a, **k: tuple(_p(*a, **k)))(plain)   # the recorder takes plain tuples
        by_dim = differentiable(nm + "_dim", as_tuple, _first, ctx=red_ctx, save=_first, mode=1)
        by_all = differentiable(nm + "_all", plain, _first, ctx=red_ctx, save=_first, mode=1)
        rt = getattr(return_types, nm)

        def extreme(input, dim=None, keepdim=False, *, out=None, _d=by_dim, _a=by_all, _p=plain, _rt=rt):
            if dim is None:
                return _a(input) if out is None else _p(input, out=out)
            if isinstance(dim, TensorBase):
                return _p(input, dim, out=out) if out is not None else _p(input, dim)
            if out is not None:
                if is_grad_enabled() and _any_requires_grad((input,)):
                    return _d(input, dim, keepdim, out=out)          # raises: out= is not differentiable
                return _p(input, dim, keepdim, out=out)
            return _rt(*_d(input, dim, keepdim))
        extreme.__name__ = nm
        extreme.__doc__ = plain.__doc__
        _replace(R, nm, extreme)

    # shape family
    def flip_ctx(input, *args, dims=None):
        if dims is None:
            dims = args[0] if len(args) == 1 and not isinstance(args[0], int) else args
        return tuple(dims) if not isinstance(dims, int) else (dims,)

    _replace(S, "flip", differentiable("flip", S.flip, _first, ctx=flip_ctx, mode=1))

    def roll_ctx(input, shifts, dims=None):
        sh = (shifts,) if isinstance(shifts, int) else tuple(shifts)
        return sh, ((dims,) if isinstance(dims, int) else (None if dims is None else tuple(dims)))

    _replace(S, "roll", differentiable("roll", S.roll, _first, ctx=roll_ctx, mode=1))

    def repeat_ctx(self, *sizes):
        if len(sizes) == 1 and not isinstance(sizes[0], int):
            sizes = sizes[0]
        return tuple(int(s) for s in sizes)

    _replace(S, "repeat", differentiable("repeat", S.repeat, _first, ctx=repeat_ctx, mode=1))

    # indexing family
    def isel_ctx(input, dim, index, *a, **k):
        return (dim % input.dim() if input.dim() else 0, index)

    _replace(I, "index_select", differentiable("index_select", I.index_select, _first, ctx=isel_ctx, mode=1))
    _replace(I, "gather", differentiable("gather", I.gather, _first, ctx=isel_ctx, mode=1))

    def mf_inputs(input, mask, value):
        return (input, value)

    _replace(I, "masked_fill", differentiable("masked_fill", I.masked_fill, mf_inputs,
                                              ctx=lambda input, mask, value: mask))
