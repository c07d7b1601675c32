"""Gradient paths for ops whose backward is a composition of differentiable ops.

These ops keep their fast kernels when nothing needs a gradient; when grad mode is on and an
input requires grad, the wrapper runs a composite written with differentiable cytorch ops
(``grad_path``), so their backward — and double backward — come from the ops they are made of.
Typical shapes of a composite:

- "values at indices": sort, topk, kthvalue, median, mode, cummax/cummin run the kernel under
  no_grad for the indices, then ``gather`` the values (its formula routes the gradient to the
  chosen elements, ties as PyTorch: to the returned index);
- "scatter into zeros": diag, diag_embed use ``diagonal_scatter`` (whose formula is in
  _formulas.py);
- plain rewrites: trace = diagonal().sum(), dot = (a * b).sum(), nansum = where + sum, ...

Ops that PyTorch marks not differentiable get a node that raises at backward time
("the derivative for 'unique' is not implemented."), and random draws get a zero gradient, so
no op silently drops ``requires_grad``.
"""
import builtins

import cytorch as _t
from cytorch._C import _autograd as _A
from cytorch._C._tensor import TensorBase
from cytorch._C._autograd import is_grad_enabled
from cytorch.autograd._wrap import _OUT_MSG, _no_grad, _replace, differentiable


def grad_path(module, name, composite, mode=0, tensor_names=(), also=()):
    """Route ``module.name`` through ``composite(plain, *args, **kw)`` when a gradient is needed."""
    plain = getattr(module, name)

    def record(args, kw):
        if "out" in kw:
            if kw["out"] is not None:
                raise RuntimeError(_OUT_MSG.format(name))
            kw = {k: v for k, v in kw.items() if k != "out"}
        return composite(plain, *args, **kw)

    wrapper = _A._make_wrapper(plain, mode, record)
    wrapper.__name__ = getattr(plain, "__name__", name)
    wrapper.__doc__ = getattr(plain, "__doc__", None)
    _replace(module, name, wrapper, tensor_names)
    for mod in also:
        if getattr(mod, name, None) is plain:
            setattr(mod, name, wrapper)
    return wrapper


def recording(plain, key, mode, inputs, ctx=None, save=None, name=None):
    """A wrapper that runs ``plain`` with no graph and records ``key``; unlike ``differentiable``,
    ``save(out, *args, **kw)`` and ``ctx(out, *args, **kw)`` see the output, so formulas can keep it."""
    def record(args, kw):
        if kw.get("out") is not None:
            raise RuntimeError(_OUT_MSG.format(name or key))
        out = _plain(plain, *args, **kw)
        return _A._record(key, tuple(inputs(*args, **kw)), out,
                          ctx(out, *args, **kw) if ctx is not None else None,
                          tuple(save(out, *args, **kw)) if save is not None else ())
    w = _A._make_wrapper(plain, mode, record)
    w.__name__ = getattr(plain, "__name__", key)
    w.__doc__ = getattr(plain, "__doc__", None)
    return w


def _detached(args, kw):
    d = lambda v: v.detach() if isinstance(v, TensorBase) else v  # noqa: E731
    return tuple(d(a) for a in args), {k: d(v) for k, v in kw.items()}


def _plain(plain, *args, **kw):
    """plain on detached arguments, with no graph (also validates the arguments)."""
    a, k = _detached(args, kw)
    with _no_grad():
        return plain(*a, **k)


# ---------------------------------------------------------------- values at indices

def _at(input, dim, idx, reduced):
    """input's values at ``idx`` along ``dim`` (``reduced``: idx lacks the dim), differentiably."""
    if input.dim() == 0:
        return input.clone()
    d = dim % input.dim()
    if reduced:
        return _t.gather(input, d, idx.unsqueeze(d)).squeeze(d)
    return _t.gather(input, d, idx)


def _by_index(dim_of, reduced_of):
    def composite(plain, input, *args, **kw):
        res = _plain(plain, input, *args, **kw)
        d = dim_of(*args, **kw)
        return type(res)(_at(input, d, res[1], reduced_of(*args, **kw)), res[1])
    return composite


def _median_composite(plain, input, dim=None, keepdim=False):
    if dim is None:
        if input.numel() == 0:
            return _plain(plain, input)
        flat = input.reshape(-1)
        res = _plain(plain, flat, 0)
        return _t.gather(flat, 0, res[1].reshape(1)).reshape(())
    res = _plain(plain, input, dim, keepdim)
    return type(res)(_at(input, dim, res[1], not keepdim), res[1])


def _quantile_composite(ignore_nan):
    def composite(plain, input, q, dim=None, keepdim=False, *, interpolation="linear"):
        out = _plain(plain, input, q, dim, keepdim, interpolation=interpolation)
        x = input.reshape(-1) if dim is None else input
        d = 0 if dim is None else dim % builtins.max(input.dim(), 1)
        if x.dim() == 0:
            x = x.reshape(1)
        srt = _t.sort(x, d).values            # NaNs last; the gradient flows through gather
        nan = _t.isnan(x)
        count = (~nan).sum(d, keepdim=True) if ignore_nan else _t.full_like(nan.sum(d, keepdim=True), x.shape[d])
        qs = q.reshape(-1).tolist() if isinstance(q, TensorBase) else [q]
        res = []
        for qv in qs:
            with _no_grad():
                rank = (count - 1).clamp(min=0).to(x.dtype) * qv
                lo = rank.floor().long()
                hi = rank.ceil().long()
                frac = rank - lo.to(x.dtype)
            vlo, vhi = _t.gather(srt, d, lo), _t.gather(srt, d, hi)
            if interpolation == "linear":
                v = vlo + (vhi - vlo) * frac
            elif interpolation == "lower":
                v = vlo
            elif interpolation == "higher":
                v = vhi
            elif interpolation == "midpoint":
                v = (vlo + vhi) / 2
            else:
                v = _t.gather(srt, d, rank.round().long())
            with _no_grad():
                bad = (count == 0) if ignore_nan else nan.any(d, keepdim=True)
            res.append(_t.where(bad, _t.full_like(v, float("nan")), v))
        return _t.stack(res).reshape(out.shape)
    return composite


def _msort_composite(plain, input):
    return _t.sort(input, 0).values


# ---------------------------------------------------------------- reductions

def _nan_zeroed(input):
    return _t.where(_t.isnan(input), _t.zeros_like(input), input)


def _nansum_composite(plain, input, dim=None, keepdim=False, *, dtype=None):
    _plain(plain, input, dim, keepdim, dtype=dtype)            # argument checks
    x = _nan_zeroed(input)
    return x.sum(dtype=dtype) if dim is None else x.sum(dim, keepdim, dtype=dtype)


def _nanmean_composite(plain, input, dim=None, keepdim=False, *, dtype=None):
    _plain(plain, input, dim, keepdim, dtype=dtype)
    x = _nan_zeroed(input if dtype is None else input.to(dtype))
    count = (~_t.isnan(input))
    if dim is None:
        return x.sum() / count.sum()
    return x.sum(dim, keepdim) / count.sum(dim, keepdim)


def _aminmax_composite(plain, input, *, dim=None, keepdim=False):
    res = _plain(plain, input, dim=dim, keepdim=keepdim)
    dims = tuple(range(input.dim())) if dim is None else dim
    return type(res)(_t.amin(input, dims, keepdim), _t.amax(input, dims, keepdim))


# ---------------------------------------------------------------- diagonals and triangles

def _diag_composite(plain, input, diagonal=0):
    out = _plain(plain, input, diagonal)
    if input.dim() == 1:
        return _t.diagonal_scatter(_t.zeros_like(out), input, diagonal)
    return input.diagonal(diagonal).clone()


def _diag_embed_composite(plain, input, offset=0, dim1=-2, dim2=-1):
    out = _plain(plain, input, offset, dim1, dim2)
    return _t.diagonal_scatter(_t.zeros_like(out), input, offset, dim1, dim2)


def _trace_composite(plain, input):
    _plain(plain, input)
    return input.diagonal().sum()


# ---------------------------------------------------------------- shape family

def _rot90_composite(plain, input, k=1, dims=(0, 1)):
    _plain(plain, input, k, dims)
    d0, d1 = dims[0], dims[1]
    k = k % 4
    if k == 1:
        return _t.flip(input, [d1]).transpose(d0, d1)
    if k == 2:
        return _t.flip(input, [d0, d1])
    if k == 3:
        return _t.flip(input, [d0]).transpose(d0, d1)
    return input.clone()


def _block_diag_composite(plain, *tensors):
    out = _plain(plain, *tensors)
    mats = [x.reshape(1, -1) if x.dim() < 2 else x for x in tensors]
    cols = out.shape[1]
    rows, j = [], 0
    for m in mats:
        m = m.to(out.dtype)
        parts = []
        if j:
            parts.append(_t.zeros((m.shape[0], j), dtype=out.dtype))
        parts.append(m)
        if cols - j - m.shape[1]:
            parts.append(_t.zeros((m.shape[0], cols - j - m.shape[1]), dtype=out.dtype))
        rows.append(_t.cat(parts, 1))
        j += m.shape[1]
    return _t.cat(rows, 0)


def _take_composite(plain, input, index):
    _plain(plain, input, index)
    return input.reshape(-1)[index]


def _take_along_dim_composite(plain, input, indices, dim=None):
    _plain(plain, input, indices, dim)
    if dim is None:
        return input.reshape(-1)[indices.reshape(-1)]
    d = dim % input.dim()
    ish, xsh = list(indices.shape), list(input.shape)
    ish[d] = xsh[d] = 1
    b = list(_t.broadcast_shapes(tuple(ish), tuple(xsh)))
    xb, ib = b.copy(), b.copy()
    xb[d], ib[d] = input.shape[d], indices.shape[d]
    return _t.gather(input.expand(xb), d, indices.expand(ib))


def _repeat_interleave_composite(plain, input, repeats=None, dim=None, *, output_size=None):
    _plain(plain, input, repeats, dim, output_size=output_size)
    x = input.reshape(-1) if dim is None else input
    d = 0 if dim is None else dim % builtins.max(x.dim(), 1)
    if x.dim() == 0:
        x = x.reshape(1)
    reps = repeats.detach() if isinstance(repeats, TensorBase) else repeats
    idx = plain(_t.arange(x.shape[d]), reps, 0)
    return _t.index_select(x, d, idx)


def _unfold_composite(plain, self, dimension, size, step):
    out = _plain(plain, self, dimension, size, step)
    if self.dim() == 0:
        return self.reshape(1) if out.numel() == 1 else self.reshape(1)[:0]
    d = dimension % self.dim()
    nwin = out.shape[d]
    starts = _t.arange(nwin) * step
    idx = (starts.reshape(-1, 1) + _t.arange(size).reshape(1, -1)).reshape(-1)
    g = _t.index_select(self, d, idx)
    shape = list(self.shape)
    shape[d:d + 1] = [nwin, size]
    return g.reshape(shape).movedim(d + 1, -1)


def _as_strided_composite(plain, input, size, stride, storage_offset=None):
    out = _plain(plain, input, size, stride, storage_offset)
    if out.numel() == 0:
        return out
    # the storage positions read, relative to input's first element (input contiguous: its flat index)
    start = (input.storage_offset() if storage_offset is None else storage_offset) - input.storage_offset()
    span = 1 + builtins.sum((n - 1) * s for n, s in zip(size, stride))
    with _no_grad():
        rel = _t.as_strided(_t.arange(span), size, stride, 0) + start
    if not input.is_contiguous() or start < 0 or start + span > input.numel():
        return _not_implemented("as_strided", (input,), out)
    return input.reshape(-1)[rel]


def _combinations_composite(plain, input, r=2, with_replacement=False):
    out = _plain(plain, input, r, with_replacement)
    if out.numel() == 0 or r == 0:
        return out
    idx = plain(_t.arange(input.shape[0]), r, with_replacement)
    return input[idx]


# ---------------------------------------------------------------- products

def _dot_composite(plain, input, other):
    _plain(plain, input, other)
    return (input * other).sum()


def _mv_composite(plain, input, vec):
    _plain(plain, input, vec)
    return _t.matmul(input, vec)


def _baddbmm_composite(plain, input, batch1, batch2, *, beta=1, alpha=1):
    _plain(plain, input, batch1, batch2, beta=beta, alpha=alpha)
    r = _t.bmm(batch1, batch2)
    if alpha != 1:
        r = r * alpha
    if beta == 0:
        return r
    return r + (input if beta == 1 else input * beta)


# ---------------------------------------------------------------- no gradient / not differentiable

def _not_implemented(op, inputs, out):
    return _A._record("not_implemented", tuple(inputs), out, ctx=op)


def _not_implemented_composite(op):
    def composite(plain, input, *args, **kw):
        return _not_implemented(op, (input,), _plain(plain, input, *args, **kw))
    return composite


def _zero_grad_composite(plain, input, *args, **kw):
    return _A._record("zero_grad", (input,), _plain(plain, input, *args, **kw))


# ---------------------------------------------------------------- scatter and index-write family

def _index_family(I, S):
    """Out-of-place forms record a formula; the in-place methods, when a gradient is needed, become
    ``self.copy_(out_of_place(self, ...))`` so the graph sees one differentiable write."""
    from cytorch._tensor import Tensor

    def rec(nm, key, inputs, ctx, save=None):
        _replace(I if hasattr(I, nm) else S, nm, recording(getattr(I if hasattr(I, nm) else S, nm), key, 0, inputs,
                                                           ctx=ctx, save=save, name=nm))

    def scatter_dispatch(plain):
        def f(input, dim, index, src=None, value=None, *, reduce=None, out=None):
            if src is None:
                src = value
            if reduce == "add":
                return _t.scatter_add(input, dim, index, src, out=out)
            if reduce is not None:
                return _not_implemented(f"scatter (reduce='{reduce}')", (input, src),
                                        _plain(plain, input, dim, index, src, reduce=reduce))
            return scat(input, dim, index, src, out=out)
        scat = recording(plain, "scatter", 0, lambda input, dim, index, src, **k: (input, src),
                         ctx=lambda o, input, dim, index, src, **k: (dim, index), name="scatter")

        def wrapper(input, dim, index, src=None, value=None, *, reduce=None, out=None):
            if is_grad_enabled() and (input.requires_grad or (isinstance(src, TensorBase) and src.requires_grad)):
                return f(input, dim, index, src, value, reduce=reduce, out=out)
            return plain(input, dim, index, src, value, reduce=reduce, out=out)
        wrapper.__name__, wrapper.__doc__ = "scatter", plain.__doc__
        return wrapper

    _replace(I, "scatter", scatter_dispatch(I.scatter))
    rec("scatter_add", "scatter_add", lambda input, dim, index, src, **k: (input, src),
        lambda o, input, dim, index, src, **k: (dim, index))
    rec("scatter_reduce", "scatter_reduce", lambda input, dim, index, src, reduce, **k: (input, src),
        lambda o, input, dim, index, src, reduce, include_self=True, **k: (dim, index, reduce, include_self),
        save=lambda o, input, dim, index, src, reduce, **k: (input, src, o))
    rec("index_add", "index_add", lambda input, dim, index, source, **k: (input, source),
        lambda o, input, dim, index, source, alpha=1, **k: (dim, index, alpha, tuple(source.shape)))
    rec("index_copy", "index_copy", lambda input, dim, index, source, **k: (input, source),
        lambda o, input, dim, index, source, **k: (dim, index, tuple(source.shape)))
    rec("index_fill", "index_fill", lambda input, dim, index, value: (input, value),
        lambda o, input, dim, index, value: (dim, index))
    rec("index_put", "index_put", lambda input, indices, values, accumulate=False: (input, values),
        lambda o, input, indices, values, accumulate=False: (tuple(indices), accumulate))
    rec("put", "put", lambda input, index, source, accumulate=False: (input, source),
        lambda o, input, index, source, accumulate=False: (index, accumulate, tuple(source.shape)))
    rec("masked_scatter", "masked_scatter", lambda input, mask, source: (input, source),
        lambda o, input, mask, source: (mask.expand(o.shape), tuple(source.shape)))
    for nm in ("tril", "triu"):
        _replace(S, nm, recording(getattr(S, nm), nm, 1, lambda input, *a, **k: (input,),
                                  ctx=lambda o, input, diagonal=0, **k: diagonal, name=nm))
    grad_path(I, "index_reduce", lambda plain, input, dim, index, source, reduce, **k: _not_implemented(
        "index_reduce", (input, source), _plain(plain, input, dim, index, source, reduce, **k)))

    # in-place methods
    def inplace(method, outofplace):
        plain = getattr(Tensor, method)

        def f(self, *args, **kw):
            if is_grad_enabled() and (self.requires_grad or any(
                    isinstance(a, TensorBase) and a.requires_grad for a in list(args) + list(kw.values()))):
                return self.copy_(outofplace(self, *args, **kw))
            return plain(self, *args, **kw)
        f.__name__, f.__doc__ = method, getattr(plain, "__doc__", None)
        setattr(Tensor, method, f)

    inplace("scatter_", lambda self, *a, **k: _t.scatter(self, *a, **k))
    inplace("scatter_add_", _t.scatter_add)
    inplace("scatter_reduce_", _t.scatter_reduce)
    inplace("index_add_", _t.index_add)
    inplace("index_copy_", _t.index_copy)
    inplace("index_fill_", _t.index_fill)
    inplace("index_put_", _t.index_put)
    inplace("put_", _t.put)
    inplace("masked_scatter_", _t.masked_scatter)
    inplace("masked_fill_", _t.masked_fill)
    inplace("tril_", _t.tril)
    inplace("triu_", _t.triu)
    inplace("index_reduce_", _t.index_reduce)
    if I.index_put_ is not None:
        I.index_put_ = Tensor.index_put_
        _t.index_put_ = Tensor.index_put_


def install():
    from cytorch._ops import shape as S, reductions as R, sorting as O, blas as B, indexing as I, random as RN

    # views with formulas of their own
    def diag_ctx(input, offset=0, dim1=0, dim2=1):
        nd = input.dim()
        return (offset, dim1 % nd if nd else dim1, dim2 % nd if nd else dim2)

    _replace(S, "diagonal", differentiable("diagonal", S.diagonal, lambda input, *a, **k: (input,),
                                           ctx=diag_ctx, is_view=True, mode=1))
    _replace(S, "diagonal_scatter", differentiable(
        "diagonal_scatter", S.diagonal_scatter, lambda input, src, *a, **k: (input, src),
        ctx=lambda input, src, offset=0, dim1=0, dim2=1: diag_ctx(input, offset, dim1, dim2)))
    grad_path(S, "diagonal_copy", lambda plain, input, *a, **k: _t.diagonal(input, *a, **k).clone(), mode=1)
    grad_path(S, "as_strided_copy", lambda plain, input, *a, **k: _t.as_strided(input, *a, **k).clone(), mode=1)

    _index_family(I, S)

    # complex parts (views)
    from cytorch._ops import elementwise as E
    for nm, key in (("real", "complex_real"), ("imag", "complex_imag")):
        plain = getattr(E, nm)
        w = differentiable(key, plain, lambda input: (input,), is_view=True, mode=1)
        _replace(E, nm, lambda input, _w=w, _p=plain: _w(input) if input.is_complex() else _p(input))

    # out = input with a view of it replaced by src
    def scatter_wrapper(nm, view_of):
        plain = getattr(S, nm)

        def record(args, kw):
            input, src = args[0], args[1]
            out = _plain(plain, *args, **kw)
            view = view_of(*args[2:], **kw)
            scatter = lambda base, s, _a=args[2:], _k=kw: _t_scatter(nm)(base, s, *_a, **_k)  # noqa: E731
            return _A._record("view_scatter", (input, src), out, (view, scatter))
        w = _A._make_wrapper(plain, 0, record)
        w.__name__, w.__doc__ = nm, plain.__doc__
        _replace(S, nm, w)

    def _t_scatter(nm):
        return getattr(S, nm)

    scatter_wrapper("select_scatter", lambda dim, index: lambda r: r.select(dim, index))
    scatter_wrapper("slice_scatter", lambda dim=0, start=None, end=None, step=1:
                    lambda r: r[(slice(None),) * (dim % r.dim()) + (slice(start, end, step),)])

    # values at indices
    grad_path(O, "sort", _by_index(lambda dim=-1, *a, **k: dim, lambda *a, **k: False), mode=1)
    grad_path(O, "topk", _by_index(lambda k, dim=-1, *a, **kw: dim, lambda *a, **k: False), mode=1)
    grad_path(O, "kthvalue", _by_index(lambda k, dim=-1, keepdim=False, **kw: dim,
                                       lambda k, dim=-1, keepdim=False, **kw: not keepdim), mode=1)
    grad_path(O, "mode", _by_index(lambda dim=-1, keepdim=False, **kw: dim,
                                   lambda dim=-1, keepdim=False, **kw: not keepdim), mode=1)
    grad_path(O, "median", _median_composite, mode=1)
    grad_path(O, "nanmedian", _median_composite, mode=1)
    grad_path(O, "msort", _msort_composite, mode=1)
    grad_path(O, "quantile", _quantile_composite(False), mode=1)
    grad_path(O, "nanquantile", _quantile_composite(True), mode=1)
    for nm in ("cummax", "cummin"):
        grad_path(R, nm, _by_index(lambda dim, **kw: dim, lambda *a, **k: False), mode=1)

    # reductions and scans
    grad_path(R, "nansum", _nansum_composite, mode=1)
    grad_path(R, "nanmean", _nanmean_composite, mode=1)
    grad_path(R, "aminmax", _aminmax_composite, mode=1)
    for nm in ("cumprod", "logcumsumexp"):
        _replace(R, nm, recording(getattr(R, nm), nm, 1, lambda input, *a, **k: (input,),
                                  ctx=lambda out, input, dim, **k: dim % builtins.max(input.dim(), 1),
                                  save=lambda out, input, *a, **k: (input, out)))

    # diagonals, shapes
    grad_path(S, "diag", _diag_composite, mode=1)
    grad_path(S, "diag_embed", _diag_embed_composite, mode=1)
    grad_path(S, "trace", _trace_composite, mode=1)
    grad_path(S, "fliplr", lambda plain, input: (_plain(plain, input), _t.flip(input, [1]))[1], mode=1)
    grad_path(S, "flipud", lambda plain, input: (_plain(plain, input), _t.flip(input, [0]))[1], mode=1)
    grad_path(S, "rot90", _rot90_composite, mode=1)
    grad_path(S, "block_diag", _block_diag_composite, mode=0)
    grad_path(S, "repeat_interleave", _repeat_interleave_composite, mode=1)
    grad_path(S, "unfold", _unfold_composite, mode=1)
    grad_path(S, "as_strided", _as_strided_composite, mode=1)
    grad_path(S, "combinations", _combinations_composite, mode=1)
    grad_path(I, "take", _take_composite, mode=1)
    grad_path(I, "take_along_dim", _take_along_dim_composite, mode=1)

    # products
    grad_path(B, "dot", _dot_composite)
    grad_path(B, "mv", _mv_composite)
    grad_path(B, "baddbmm", _baddbmm_composite)

    # random draws: zero gradient; set-valued ops: not differentiable (as PyTorch)
    grad_path(RN, "bernoulli", _zero_grad_composite, mode=1)
    grad_path(RN, "poisson", _zero_grad_composite, mode=1)
    grad_path(O, "unique", _not_implemented_composite("_unique2"), mode=1)
    grad_path(O, "unique_consecutive", _not_implemented_composite("unique_consecutive"), mode=1)
