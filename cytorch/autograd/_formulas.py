"""Every differentiable op's backward formula, in one table.

Each entry names the op, what it keeps for backward (``save``: "a"/"b" inputs, "y" the output,
only what the formula reads), and the formula: input gradients from the output gradient ``g``,
written with differentiable ops so that create_graph=True gives higher-order gradients.
``n`` is the op's Node: ``n.needs_input_grad``, ``n.in_shapes``, ``n.ctx`` (the op's
arguments) and the saved tensors. Broadcasting and dtype are undone by the engine (a
gradient may come back with its output's shape; it is summed to the input's shape).

Adding an op is one entry: ``@binary``/``@unary`` for ops of the elementwise dispatcher, or
``@generic("key")`` plus a ``differentiable(...)`` wrapper (cytorch/autograd/_wrap.py) or a
``_view_out`` call in _tensor.pyx for everything else.
"""
import math

import cytorch as _t
from cytorch._C import _autograd as _A
from cytorch._C import _nn
from cytorch._C._tensor import BINARY_OPS, UNARY_OPS, TensorBase

_SAVE = {"a": 1, "b": 2, "y": 4}


def _name(op):
    return "".join(p.capitalize() for p in op.split("_")) + "Backward0"


def _mask(save):
    return sum(_SAVE[c] for c in save)


def binary(op, save="", name=None):
    """Register the backward of elementwise binary op ``op``: fn(n, g, a, b, y) -> (ga, gb)."""
    def reg(fn):
        def formula(n, gs):
            sv = n._saved_tensors_or_none()
            sc = n.ctx
            a = sv[0] if sv is not None else None
            b = sv[1] if sv is not None else None
            if sc is not None:
                a = sc[0] if sc[0] is not None else a
                b = sc[1] if sc[1] is not None else b
            return fn(n, gs[0], a, b, sv[2] if sv is not None else None)
        _A._register_binary(BINARY_OPS[op], name or _name(op), formula, _mask(save))
        return fn
    return reg


def unary(op, save="", name=None):
    """Register the backward of elementwise unary op ``op``: fn(g, x, y) -> gx."""
    def reg(fn):
        def formula(n, gs):
            sv = n._saved_tensors_or_none()
            return (fn(gs[0], sv[0], sv[1]) if sv is not None else fn(gs[0], None, None),)
        _A._register_unary(UNARY_OPS[op], name or _name(op), formula, _mask(save))
        return fn
    return reg


def generic(key, name=None):
    """Register the backward of a non-elementwise op: fn(n, g) -> tuple of input grads."""
    def reg(fn):
        def formula(n, gs):
            r = fn(n, gs[0])
            return r if isinstance(r, tuple) else (r,)
        _A._register_generic(key, name or _name(key), formula)
        return fn
    return reg


def _conj(x):
    if isinstance(x, TensorBase):
        return x.conj() if x.is_complex() else x
    return x.conjugate() if isinstance(x, complex) else x


def _zeros(g):
    return _t.zeros_like(g)


def _need(n, i):
    return n._edges[i][0] is not None


# ---------------------------------------------------------------- elementwise binary

@binary("add")
def _add(n, g, a, b, y):
    return g, g


@binary("sub")
def _sub(n, g, a, b, y):
    return g, (-g if _need(n, 1) else None)


@binary("mul", save="ab")
def _mul(n, g, a, b, y):
    return (g * _conj(b) if _need(n, 0) else None,
            g * _conj(a) if _need(n, 1) else None)


@binary("div", save="by")
def _div(n, g, a, b, y):
    ga = g / _conj(b)
    return ga, (-ga * _conj(y) if _need(n, 1) else None)


@binary("pow", save="aby")
def _pow(n, g, a, b, y):
    ga = gb = None
    if _need(n, 0):
        if isinstance(b, TensorBase):
            ga = _t.where(b == 0, 0.0, g * _conj(b * a ** (b - 1)))
        else:
            ga = g * _conj(b * a ** (b - 1)) if b != 0 else _zeros(g)
    if _need(n, 1):
        # d(a^b)/db = a^b log a, taken as 0 where a == 0 and b >= 0 (the limit)
        if isinstance(a, TensorBase):
            gb = _t.where((a == 0) & (b >= 0), 0.0, g * _conj(y * _t.log(a)))
        else:
            gb = g * _conj(y * math.log(a)) if a != 0 else _zeros(g)
    return ga, gb


def _minmax_mask(a, b, g, larger):
    """1 where a wins, 1/2 at ties (the gradient is split), 0 where b wins."""
    win = (a > b) if larger else (a < b)
    return win.to(g.dtype) + (a == b).to(g.dtype) * 0.5


@binary("maximum", save="ab")
def _maximum(n, g, a, b, y):
    m = _minmax_mask(a, b, g, True)
    return g * m, g * (1 - m)


@binary("minimum", save="ab")
def _minimum(n, g, a, b, y):
    m = _minmax_mask(a, b, g, False)
    return g * m, g * (1 - m)


@binary("fmax", save="ab")
def _fmax(n, g, a, b, y):
    # the NaN operand loses: the gradient goes to the number
    m = _minmax_mask(a, b, g, True)
    m = _t.where(_t.isnan(b), 1.0, _t.where(_t.isnan(a), 0.0, m))
    return g * m, g * (1 - m)


@binary("fmin", save="ab")
def _fmin(n, g, a, b, y):
    m = _minmax_mask(a, b, g, False)
    m = _t.where(_t.isnan(b), 1.0, _t.where(_t.isnan(a), 0.0, m))
    return g * m, g * (1 - m)


@binary("atan2", save="ab")
def _atan2(n, g, a, b, y):
    d = a * a + b * b
    return g * b / d, -g * a / d


@binary("hypot", save="aby")
def _hypot(n, g, a, b, y):
    return g * a / y, g * b / y


@binary("logaddexp", save="ab")
def _logaddexp(n, g, a, b, y):
    return g * _t.sigmoid(a - b), g * _t.sigmoid(b - a)


@binary("xlogy", save="ab")
def _xlogy(n, g, a, b, y):
    ga = _t.where((a == 0) & ~_t.isnan(b), 0.0, g * _t.log(b)) if _need(n, 0) else None
    return ga, (g * a / b if _need(n, 1) else None)


@binary("fmod", save="ab")
def _fmod(n, g, a, b, y):
    return g, (-g * _t.trunc(a / b) if _need(n, 1) else None)


@binary("remainder", save="ab")
def _remainder(n, g, a, b, y):
    return g, (-g * _t.floor(a / b) if _need(n, 1) else None)


# ---------------------------------------------------------------- elementwise unary

@unary("neg")
def _neg(g, x, y):
    return -g


@unary("abs", save="a")
def _abs(g, x, y):
    return g * _t.sgn(x)


@unary("exp", save="y")
def _exp(g, x, y):
    return g * _conj(y)


@unary("exp2", save="y")
def _exp2(g, x, y):
    return g * _conj(y * math.log(2.0))


@unary("expm1", save="y")
def _expm1(g, x, y):
    return g * _conj(y + 1)


@unary("log", save="a")
def _log(g, x, y):
    return g / _conj(x)


@unary("log2", save="a")
def _log2(g, x, y):
    return g / _conj(x * math.log(2.0))


@unary("log10", save="a")
def _log10(g, x, y):
    return g / _conj(x * math.log(10.0))


@unary("log1p", save="a")
def _log1p(g, x, y):
    return g / _conj(x + 1)


@unary("sqrt", save="y")
def _sqrt(g, x, y):
    return g / _conj(2 * y)


@unary("rsqrt", save="y")
def _rsqrt(g, x, y):
    return -0.5 * g * _conj(y * y * y)


@unary("reciprocal", save="y")
def _reciprocal(g, x, y):
    return -g * _conj(y * y)


@unary("square", save="a")
def _square(g, x, y):
    return 2 * g * _conj(x)


@unary("sin", save="a")
def _sin(g, x, y):
    return g * _conj(_t.cos(x))


@unary("cos", save="a")
def _cos(g, x, y):
    return -g * _conj(_t.sin(x))


@unary("tan", save="y")
def _tan(g, x, y):
    return g * _conj(1 + y * y)


@unary("asin", save="a")
def _asin(g, x, y):
    return g * _conj(_rsqrt_any(1 - x * x))


@unary("acos", save="a")
def _acos(g, x, y):
    return -g * _conj(_rsqrt_any(1 - x * x))


def _rsqrt_any(x):
    # complex inputs have no rsqrt kernel
    return _t.rsqrt(x) if not x.is_complex() else 1 / _t.sqrt(x)


@unary("atan", save="a")
def _atan(g, x, y):
    return g / _conj(1 + x * x)


@unary("sinh", save="a")
def _sinh(g, x, y):
    return g * _conj(_t.cosh(x))


@unary("cosh", save="a")
def _cosh(g, x, y):
    return g * _conj(_t.sinh(x))


@unary("tanh", save="y")
def _tanh(g, x, y):
    return g * _conj(1 - y * y)


@unary("asinh", save="a")
def _asinh(g, x, y):
    return g * _conj(_rsqrt_any(x * x + 1))


@unary("acosh", save="a")
def _acosh(g, x, y):
    return g * _conj(_rsqrt_any(x * x - 1))


@unary("atanh", save="a")
def _atanh(g, x, y):
    return g / _conj(1 - x * x)


@unary("sigmoid", save="y")
def _sigmoid(g, x, y):
    return g * _conj(y * (1 - y))


_THRESHOLD = _nn.ACT_OPS["threshold"]


# relu keeps its output: y <= 0 exactly where x <= 0, and a nan passes g through (PyTorch's
# threshold_backward at 0); a first-order pass is one fused kernel (src_c/ct_nn.c)
@unary("relu", save="y", name="ReluBackward0")
def _relu(g, x, y):
    if not _t.is_grad_enabled():
        return _nn.act_backward(_THRESHOLD, g, y, 0.0)
    return _t.where(y <= 0, 0.0, g)


@unary("erf", save="a")
def _erf(g, x, y):
    return g * (2.0 / math.sqrt(math.pi)) * _t.exp(-x * x)


@unary("erfc", save="a")
def _erfc(g, x, y):
    return g * (-2.0 / math.sqrt(math.pi)) * _t.exp(-x * x)


@unary("lgamma", save="a")
def _lgamma(g, x, y):
    return g * _t.digamma(x)


@unary("erfinv", save="y")
def _erfinv(g, x, y):
    return g * (math.sqrt(math.pi) / 2) * _t.exp(y * y)


@unary("frac")
def _frac(g, x, y):
    return g


@unary("conj")
def _conj_bw(g, x, y):
    return _conj(g)


def _zero_grad_unary(op):
    # piecewise-constant ops: defined, zero gradient (like PyTorch)
    unary(op)(lambda g, x, y: _zeros(g))


for _op in ("floor", "ceil", "trunc", "round", "sign"):
    _zero_grad_unary(_op)


# ---------------------------------------------------------------- reductions used by the engine

@generic("sum_to", name="SumToBackward0")
def _sum_to_bw(n, g):
    return g.expand(n.in_shapes[0])


# ---------------------------------------------------------------- views and copies (_tensor.pyx)

def _reshape_back(n, g):
    return g.reshape(n.in_shapes[0])


for _key, _nm in (("view", "ViewBackward0"), ("reshape", "UnsafeViewBackward0"),
                  ("squeeze", "SqueezeBackward0"), ("unsqueeze", "UnsqueezeBackward0")):
    generic(_key, _nm)(_reshape_back)


@generic("permute")
def _permute_bw(n, g):
    dims = [d % len(n.ctx) if len(n.ctx) else d for d in n.ctx]
    inv = [0] * len(dims)
    for i, d in enumerate(dims):
        inv[d] = i
    return g.permute(inv)


@generic("transpose")
def _transpose_bw(n, g):
    return g.transpose(*n.ctx)


@generic("alias")
def _alias_bw(n, g):
    return g


@generic("expand")
def _expand_bw(n, g):
    return g           # the engine sums g back to the input's shape


def _pad(g, dim, before, after):
    """g with zero blocks of ``before``/``after`` entries around it along ``dim``."""
    parts = []
    for k in (before, after):
        if k:
            shape = list(g.shape)
            shape[dim] = k
            parts.append(_t.zeros(shape, dtype=g.dtype))
        else:
            parts.append(None)
    return _t.cat([p for p in (parts[0], g, parts[1]) if p is not None], dim)


@generic("narrow", name="SliceBackward0")
def _narrow_bw(n, g):
    d, s, length = n.ctx
    size = n.in_shapes[0][d]
    return _pad(g, d, s, size - s - length)


@generic("select")
def _select_bw(n, g):
    d, i = n.ctx
    size = n.in_shapes[0][d]
    return _pad(g.unsqueeze(d), d, i, size - i - 1)


@generic("clone")
def _clone_bw(n, g):
    return g


@generic("to", name="ToCopyBackward0")
def _to_bw(n, g):
    return g           # the engine casts back to the input's dtype


# ---------------------------------------------------------------- indexing

def _flat_positions(shape, key):
    """Flat indices (into a tensor of ``shape``) of the elements ``x[key]`` reads."""
    numel = 1
    for s in shape:
        numel *= s
    return _t.arange(numel).reshape(shape)[key]


@generic("getitem", name="IndexBackward0")
def _getitem_bw(n, g):
    return _put_flat(g, n.ctx, n.in_shapes[0])


def _put_flat(g, key, shape):
    """zeros(shape) with g added at x[key]'s positions (repeated indices accumulate)."""
    pos = _flat_positions(shape, key)
    with _t.no_grad():
        z = _t.zeros(_numel(shape), dtype=g.dtype)
        z.index_add_(0, pos.reshape(-1), g.detach().reshape(-1))
        r = z.reshape(shape)
    if _t.is_grad_enabled() and g.requires_grad:
        _A._record("put_flat", (g,), r, ctx=(key, tuple(shape)))
    return r


@generic("put_flat", name="IndexPutBackward0")
def _put_flat_bw(n, g):
    return g[n.ctx[0]]


def _numel(shape):
    p = 1
    for s in shape:
        p *= s
    return p


@generic("setitem", name="CopySlices")
def _setitem_bw(n, g):
    key = n.ctx
    gv = g[key] if n.needs_input_grad[1] else None
    gs = None
    if n.needs_input_grad[0]:
        with _t.no_grad():
            written = _put_flat(_t.ones_like(g[key]), key, tuple(g.shape)) != 0
        gs = _t.where(written, 0.0, g)
    return gs, gv


@generic("where", name="WhereBackward0")
def _where_bw(n, g):
    cond = n.ctx
    z = _zeros(g)
    return (_t.where(cond, g, z) if n.needs_input_grad[0] else None,
            _t.where(cond, z, g) if n.needs_input_grad[1] else None)


@generic("clamp", name="ClampBackward1")
def _clamp_bw(n, g):
    x, lo, hi = n.saved_tensors
    lo = n.ctx[0] if lo is None else lo
    hi = n.ctx[1] if hi is None else hi
    inside = _t.ones_like(g, dtype=_t.bool)
    if lo is not None:
        inside = inside & (x >= lo)
    if hi is not None:
        inside = inside & (x <= hi)
    gx = g * inside.to(g.dtype) if n.needs_input_grad[0] else None
    glo = g * (x < lo).to(g.dtype) if lo is not None and n.needs_input_grad[1] else None
    ghi = g * (x > hi).to(g.dtype) if hi is not None and n.needs_input_grad[2] else None
    return gx, glo, ghi


@generic("copy_", name="CopyBackwards")
def _copy_bw(n, g):
    return (_zeros(g) if n.needs_input_grad[0] else None), (g if n.needs_input_grad[1] else None)


@generic("fill_", name="FillBackward0")
def _fill_bw(n, g):
    return _zeros(g), None


# ---------------------------------------------------------------- matrix products

def _mT(x):
    return _conj(x.transpose(-1, -2))


@generic("matmul", name="MatmulBackward0")
def _matmul_bw(n, g):
    a, b = n.saved_tensors
    if a.dim() == 1 and b.dim() == 1:
        return (g * _conj(b) if n.needs_input_grad[0] else None,
                g * _conj(a) if n.needs_input_grad[1] else None)
    a2 = a.unsqueeze(0) if a.dim() == 1 else a
    b2 = b.unsqueeze(-1) if b.dim() == 1 else b
    g2 = g.unsqueeze(-2) if a.dim() == 1 else g
    g2 = g2.unsqueeze(-1) if b.dim() == 1 else g2
    ga = gb = None
    if n.needs_input_grad[0]:
        ga = _t.matmul(g2, _mT(b2))
        if a.dim() == 1:
            ga = ga.squeeze(-2)
    if n.needs_input_grad[1]:
        gb = _t.matmul(_mT(a2), g2)
        if b.dim() == 1:
            gb = gb.squeeze(-1)
    return ga, gb


@generic("mm", name="MmBackward0")
def _mm_bw(n, g):
    a, b = n.saved_tensors
    return (_t.mm(g, _mT(b)) if n.needs_input_grad[0] else None,
            _t.mm(_mT(a), g) if n.needs_input_grad[1] else None)


@generic("bmm", name="BmmBackward0")
def _bmm_bw(n, g):
    a, b = n.saved_tensors
    return (_t.bmm(g, _mT(b)) if n.needs_input_grad[0] else None,
            _t.bmm(_mT(a), g) if n.needs_input_grad[1] else None)


@generic("addmm", name="AddmmBackward0")
def _addmm_bw(n, g):
    _, m1, m2 = n.saved_tensors
    beta, alpha = n.ctx
    return (g * _conj(beta) if n.needs_input_grad[0] else None,
            _t.mm(g, _mT(m2)) * _conj(alpha) if n.needs_input_grad[1] else None,
            _t.mm(_mT(m1), g) * _conj(alpha) if n.needs_input_grad[2] else None)


# ---------------------------------------------------------------- joining

@generic("cat", name="CatBackward0")
def _cat_bw(n, g):
    dim = n.ctx
    out, start = [], 0
    for shape in n.in_shapes:
        if len(shape) == 1 and shape[0] == 0 and g.dim() != 1:
            out.append(_t.zeros(0, dtype=g.dtype))   # skipped legacy empty input
            continue
        k = shape[dim]
        out.append(g.narrow(dim, start, k))
        start += k
    return tuple(out)


@generic("stack", name="StackBackward0")
def _stack_bw(n, g):
    dim = n.ctx
    return tuple(g.select(dim, i) for i in range(len(n.in_shapes)))


# ---------------------------------------------------------------- reductions (ctx: (dims, keepdim),
# dims a sorted tuple of non-negative dims, the reduced ones; the wrappers in _wrap.py normalise)

def _unreduce(g, shape, dims, keepdim):
    """g (the reduced gradient) viewed with the reduced dims back and expanded to ``shape``."""
    if not keepdim and len(shape):
        for d in dims:
            g = g.unsqueeze(d)
    return g.expand(tuple(shape))


def _count(shape, dims):
    c = 1
    for d in dims:
        c *= shape[d]
    return c


def _reduce_keep(fn, x, dims):
    """fn(x, dims, keepdim=True) for reductions taking one dim (prod): applied dim by dim."""
    for d in dims:
        x = fn(x, d, keepdim=True)
    return x


@generic("sum")
def _sum_bw(n, g):
    dims, keepdim = n.ctx
    return _unreduce(g, n.in_shapes[0], dims, keepdim)


@generic("mean")
def _mean_bw(n, g):
    dims, keepdim = n.ctx
    shape = n.in_shapes[0]
    return _unreduce(g, shape, dims, keepdim) / max(_count(shape, dims), 1)


# softmax / log_softmax keep their output y; a first-order pass runs the fused kernel
# (src_c/ct_nn.c), create_graph the formula of differentiable ops

@generic("softmax")
def _softmax_bw(n, g):
    y, = n.saved_tensors
    dim = n.ctx[0]
    if not _t.is_grad_enabled():
        return _nn.softmax_backward(g, y, dim, False)
    return y * (g - (g * y).sum(dim, keepdim=True))


@generic("log_softmax", name="LogSoftmaxBackward0")
def _log_softmax_bw(n, g):
    y, = n.saved_tensors
    dim = n.ctx[0]
    if not _t.is_grad_enabled():
        return _nn.softmax_backward(g, y, dim, True)
    return g - _t.exp(y) * g.sum(dim, keepdim=True)


@generic("max_dim", name="MaxBackward0")
def _max_dim_bw(n, g):
    return _pick_bw(n, g, _t.max)


@generic("min_dim", name="MinBackward0")
def _min_dim_bw(n, g):
    return _pick_bw(n, g, _t.min)


def _pick_bw(n, g, fn):
    # the gradient goes to the element whose index the op returned
    x, = n.saved_tensors
    dims, keepdim = n.ctx
    if not dims:                      # a 0-d input: the value itself
        return g
    d = dims[0]
    with _t.no_grad():
        idx = fn(x, d, keepdim=True).indices
        shape = [1] * x.dim()
        shape[d] = x.shape[d]
        hot = (_t.arange(x.shape[d]).reshape(shape) == idx).to(g.dtype)
    return _unreduce(g, n.in_shapes[0], dims, keepdim) * hot


def _even_bw(n, g, fn):
    # ties share the gradient evenly
    x, = n.saved_tensors
    dims, keepdim = n.ctx
    with _t.no_grad():
        y = fn(x, dims, keepdim=True) if dims else x
        hit = (x == y).to(g.dtype)
        hit = hit / hit.sum(dims, keepdim=True) if dims else hit
    return _unreduce(g, n.in_shapes[0], dims, keepdim) * hit


@generic("amax")
def _amax_bw(n, g):
    return _even_bw(n, g, _t.amax)


@generic("amin")
def _amin_bw(n, g):
    return _even_bw(n, g, _t.amin)


@generic("max_all", name="MaxBackward1")
def _max_all_bw(n, g):
    return _even_bw(n, g, _t.amax)


@generic("min_all", name="MinBackward1")
def _min_all_bw(n, g):
    return _even_bw(n, g, _t.amin)


@generic("prod")
def _prod_bw(n, g):
    # d prod / d x_i = product of the others: prod/x_i without zeros; with one zero, the product
    # of the rest at the zero and 0 elsewhere; with two or more zeros, 0
    x, = n.saved_tensors
    dims, keepdim = n.ctx
    if not dims:
        return g
    zero = x == 0
    xs = _t.where(zero, _t.ones_like(x), x)
    p = _reduce_keep(_t.prod, xs, dims)
    with _t.no_grad():
        nz = _reduce_keep(lambda t, d, keepdim: t.sum(d, keepdim=keepdim), zero.to(_t.int64), dims)
    others = _t.where(nz == 0, p / xs, _t.where((nz == 1) & zero, p, _zeros(p * xs)))
    return _unreduce(g, n.in_shapes[0], dims, keepdim) * _conj(others)


@generic("var")
def _var_bw(n, g):
    x, = n.saved_tensors
    dims, keepdim, corr = n.ctx
    c = x - x.mean(dims, keepdim=True) if dims else x - x
    return _unreduce(g, n.in_shapes[0], dims, keepdim) * c * (2.0 / (_count(x.shape, dims) - corr))


@generic("std")
def _std_bw(n, g):
    x, = n.saved_tensors
    dims, keepdim, corr = n.ctx
    s = _t.std(x, dims, keepdim=True, correction=corr) if dims else _t.zeros_like(x)
    c = x - x.mean(dims, keepdim=True) if dims else x - x
    return _unreduce(g, n.in_shapes[0], dims, keepdim) * c / (s * (_count(x.shape, dims) - corr))


@generic("norm", name="NormBackward1")
def _norm_bw(n, g):
    x, = n.saved_tensors
    dims, keepdim, p = n.ctx
    ge = _unreduce(g, n.in_shapes[0], dims, keepdim)
    if p == 1:
        return ge * _t.sgn(x)
    if p == 0:
        return _zeros(ge * x)
    if math.isinf(p):
        ax = x.abs()
        fn = _t.amax if p > 0 else _t.amin
        with _t.no_grad():
            hit = (ax == fn(ax, dims, keepdim=True)).to(ge.dtype)
            hit = hit / hit.sum(dims, keepdim=True)
        return ge * _t.sgn(x) * hit
    y = _t.norm(x, p, dims, keepdim=True)
    with _t.no_grad():
        y0 = y == 0
    y = _t.where(y0, _t.ones_like(y), y)          # 0 gradient at 0 (subgradient)
    if p == 2:
        return ge * x / y
    return ge * x * x.abs() ** (p - 2) / y ** (p - 1)


@generic("logsumexp")
def _logsumexp_bw(n, g):
    x, = n.saved_tensors
    dims, keepdim = n.ctx
    y = _t.logsumexp(x, dims, keepdim=True) if dims else x
    return _unreduce(g, n.in_shapes[0], dims, keepdim) * _t.exp(x - y)


@generic("cumsum")
def _cumsum_bw(n, g):
    d = n.ctx
    if not g.dim():
        return g
    # x_i feeds y_j for j >= i: the reversed cumulative sum of g
    return g.sum(d, keepdim=True) - g.cumsum(d) + g


# ---------------------------------------------------------------- indexing and shape families

def _scatter_grad(key, g, n, build):
    """build(g) under no_grad (a scatter-add of g), recorded as ``key`` for double backward."""
    with _t.no_grad():
        r = build(g.detach())
    if _t.is_grad_enabled() and g.requires_grad:
        _A._record(key, (g,), r, ctx=n.ctx)
    return r


@generic("index_select")
def _index_select_bw(n, g):
    dim, index = n.ctx
    shape = n.in_shapes[0]
    return _scatter_grad("index_select_back", g, n, lambda gd: _t.zeros(
        shape, dtype=gd.dtype).index_add_(dim, index.reshape(-1), gd))


@generic("index_select_back", name="IndexAddBackward0")
def _index_select_back_bw(n, g):
    dim, index = n.ctx
    return _t.index_select(g, dim, index.reshape(-1))


@generic("gather")
def _gather_bw(n, g):
    dim, index = n.ctx
    shape = n.in_shapes[0]
    return _scatter_grad("gather_back", g, n, lambda gd: _t.zeros(
        shape, dtype=gd.dtype).scatter_add_(dim, index, gd))


@generic("gather_back", name="ScatterAddBackward0")
def _gather_back_bw(n, g):
    dim, index = n.ctx
    return _t.gather(g, dim, index)


@generic("masked_fill", name="MaskedFillBackward0")
def _masked_fill_bw(n, g):
    mask = n.ctx
    gx = _t.where(mask, _zeros(g), g) if n.needs_input_grad[0] else None
    gv = None
    if len(n.needs_input_grad) > 1 and n.needs_input_grad[1]:
        gv = _t.where(mask, g, _zeros(g)).sum()
    return gx, gv


@generic("flip")
def _flip_bw(n, g):
    return _t.flip(g, n.ctx)


@generic("roll")
def _roll_bw(n, g):
    shifts, dims = n.ctx
    if dims is None:
        return _t.roll(g.reshape(-1), [-s for s in shifts]).reshape(n.in_shapes[0])
    return _t.roll(g, [-s for s in shifts], dims)


@generic("repeat")
def _repeat_bw(n, g):
    sizes = n.ctx
    shape = tuple(n.in_shapes[0])
    full = (1,) * (len(sizes) - len(shape)) + shape
    split = []
    for r, s in zip(sizes, full):
        split += [r, s]
    if 0 in split:
        return _t.zeros(shape, dtype=g.dtype)
    return g.reshape(split).sum(tuple(range(0, 2 * len(sizes), 2))).reshape(shape)


# ---------------------------------------------------------------- elementwise ops completed

def _trigamma(x):
    """psi_1(x) = d digamma / dx, from differentiable ops (so higher orders follow by autograd).

    Recurrence psi_1(x) = psi_1(x + 1) + 1/x^2 up to x + 6, then the asymptotic series; negative
    arguments by reflection psi_1(1 - x) + psi_1(x) = pi^2 / sin^2(pi x).
    """
    neg = x < 0.5
    z = _t.where(neg, 1 - x, x)
    acc = _zeros(z)
    for k in range(6):
        acc = acc + 1 / (z + k) ** 2
    w = z + 6
    w2 = 1 / (w * w)
    series = 1 / w + w2 / 2 + (1 / w) * w2 * (1 / 6 - w2 * (1 / 30 - w2 * (1 / 42 - w2 / 30)))
    r = acc + series
    return _t.where(neg, math.pi ** 2 / _t.sin(math.pi * x) ** 2 - r, r)


@unary("digamma", save="a")
def _digamma(g, x, y):
    return g * _trigamma(x)


@unary("sgn", save="ay")
def _sgn(g, x, y):
    if not x.is_complex():
        return _zeros(g)
    # s = z/|z|: grad = (g - conj(g) s^2) / (2|z|), 0 at z = 0
    d = 2 * x.abs()
    return _t.where(d == 0, _t.zeros_like(x), (g - _conj(g) * y * y) / d)


@unary("angle", save="a")
def _angle(g, x, y):
    if not x.is_complex():
        return _zeros(g)
    # theta = atan2(b, a): dtheta/da = -b/|z|^2, dtheta/db = a/|z|^2, i.e. grad_z = g * i z / |z|^2
    d = x.abs() ** 2
    return _t.where(d == 0, _t.zeros_like(x), g * 1j * x / d)


@generic("complex_real", name="RealBackward0")
def _real_bw(n, g):
    return _t.complex(g, _zeros(g))


@generic("complex_imag", name="ImagBackward0")
def _imag_bw(n, g):
    return _t.complex(_zeros(g), g)


@generic("view_scatter", name="ScatterBackward0")
def _view_scatter_bw(n, g):
    # out = input with view(out) replaced by src: input's gradient is g with that view zeroed,
    # src's is the view of g
    view, scatter = n.ctx
    gi = scatter(g, _t.zeros_like(view(g))) if n.needs_input_grad[0] else None
    gs = view(g) if n.needs_input_grad[1] else None
    return gi, gs


@binary("copysign", save="ay")
def _copysign(n, g, a, b, y):
    # |a| with b's sign: d/da = sign(a) * sign(result), 0 at a == 0; b gets no gradient
    ga = None
    if _need(n, 0):
        ga = _t.where(a == 0, 0.0, g * _t.sign(a) * _t.sign(y))
    return ga, (_zeros(g) if _need(n, 1) else None)


@binary("nextafter")
def _nextafter(n, g, a, b, y):
    # one ulp away from a: d/da = 1 (as PyTorch), b only picks the direction
    return g, (_zeros(g) if _need(n, 1) else None)


def _not_implemented(op):
    def formula(n, g, *rest):
        raise RuntimeError(f"the derivative for '{op}' is not implemented.")
    return formula


binary("floor_divide")(_not_implemented("floor_divide"))
binary("heaviside")(_not_implemented("heaviside"))
generic("not_implemented", name="NotImplemented")(
    lambda n, g: _not_implemented(n.ctx)(n, g))


@generic("zero_grad", name="ZeroGradBackward0")
def _zero_grad_bw(n, g):
    # random draws (bernoulli, poisson, ...): the sample does not move with its parameters
    return tuple(_t.zeros(s, dtype=g.dtype) if s is not None else None for s in n.in_shapes)


# ---------------------------------------------------------------- diagonals, scans

@generic("diagonal")
def _diagonal_bw(n, g):
    offset, d1, d2 = n.ctx
    return _t.diagonal_scatter(_t.zeros(n.in_shapes[0], dtype=g.dtype), g, offset, d1, d2)


@generic("diagonal_scatter")
def _diagonal_scatter_bw(n, g):
    offset, d1, d2 = n.ctx
    gi = gs = None
    if n.needs_input_grad[0]:
        gi = _t.diagonal_scatter(g, _t.zeros_like(g.diagonal(offset, d1, d2)), offset, d1, d2)
    if n.needs_input_grad[1]:
        gs = g.diagonal(offset, d1, d2)
    return gi, gs


def _rev_cumsum(g, d):
    return g.flip(d).cumsum(d).flip(d)


@generic("cumprod")
def _cumprod_bw(n, g):
    x, y = n.saved_tensors
    d = n.ctx
    if x.dim() == 0:
        return g
    with _t.no_grad():
        has_zero = bool((x == 0).any())
    if not has_zero:
        return _rev_cumsum(g * _conj(y), d) / _conj(x)
    # with zeros: grad_k = E_k * S_k, E the exclusive cumprod, S_k = g_k + x_{k+1} S_{k+1}
    xs = x.unbind(d)
    gs = g.unbind(d)
    m = len(xs)
    s = [None] * m
    s[m - 1] = gs[m - 1]
    for k in range(m - 2, -1, -1):
        s[k] = gs[k] + _conj(xs[k + 1]) * s[k + 1]
    e = _t.ones_like(xs[0])
    out = []
    for k in range(m):
        out.append(_conj(e) * s[k])
        e = e * xs[k]
    return _t.stack(out, d)


@generic("logcumsumexp")
def _logcumsumexp_bw(n, g):
    # grad_k = sum_{j>=k} g_j exp(x_k - y_j), split by the sign of g to stay in log space
    x, y = n.saved_tensors
    d = n.ctx
    if x.dim() == 0:
        return g

    # log(0) is taken as log(tiny), not -inf: the terms it adds are below tiny (x_k <= y_j), and no
    # -inf reaches logcumsumexp, whose gradient at -inf is nan (which double backward would meet)
    floor = math.log(_t.finfo(x.dtype).tiny)

    def part(w):
        lw = _t.where(w > 0, _t.log(_t.where(w > 0, w, _t.ones_like(w))), _t.full_like(w, floor))
        return _t.exp(x + _rev_logcumsumexp(lw - y, d))
    return part(g) - part(-g)


def _rev_logcumsumexp(v, d):
    return _t.logcumsumexp(v.flip(d), d).flip(d)


# ---------------------------------------------------------------- scatter and index-write family
# out = input with some positions overwritten (or combined) by src: input's gradient is g where
# input survives, src's is g read back at the positions it was written to.

def _need_i(n, i):
    return len(n.needs_input_grad) > i and n.needs_input_grad[i]


@generic("scatter", name="ScatterBackward0")
def _scatter_bw(n, g):
    dim, index = n.ctx
    gi = g.scatter(dim, index, 0.0) if _need_i(n, 0) else None
    return gi, (g.gather(dim, index) if _need_i(n, 1) else None)


@generic("scatter_add", name="ScatterAddBackward0")
def _scatter_add_bw(n, g):
    dim, index = n.ctx
    return g, (g.gather(dim, index) if _need_i(n, 1) else None)


@generic("scatter_reduce", name="ScatterReduceBackward0")
def _scatter_reduce_bw(n, g):
    x, src, out = n.saved_tensors
    dim, index, reduce, include_self = n.ctx
    with _t.no_grad():
        received = _t.zeros_like(g, dtype=_t.bool).scatter(dim, index, True)
    if reduce == "sum":
        gi = g if include_self else _t.where(received, _zeros(g), g)
        return gi, g.gather(dim, index)
    if reduce == "mean":
        with _t.no_grad():
            count = _t.full_like(g, 1.0 if include_self else 0.0).scatter_add(
                dim, index, _t.ones_like(src, dtype=g.dtype))
            count = _t.where(count == 0, _t.ones_like(count), count)
        gi = g / count if include_self else _t.where(received, _zeros(g), g)
        return gi, (g / count).gather(dim, index)
    if reduce in ("amax", "amin"):
        # ties share the gradient evenly, as in PyTorch
        with _t.no_grad():
            self_hit = (x == out) & (received.logical_not() | include_self)
            src_hit = src == out.gather(dim, index)
            ties = self_hit.to(g.dtype).scatter_add(dim, index, src_hit.to(g.dtype))
            ties = _t.where(ties == 0, _t.ones_like(ties), ties)
        share = g / ties
        return share * self_hit.to(g.dtype), share.gather(dim, index) * src_hit.to(g.dtype)
    # prod: each contributor's gradient is the product of the others at its position: out / value
    # without zeros there; with one zero, the product of the non-zeros for the zero and 0 for the
    # rest; with two or more zeros, 0
    with _t.no_grad():
        self_in = received.logical_not() | include_self
        zeros_at = ((x == 0) & self_in).to(g.dtype).scatter_add(dim, index, (src == 0).to(g.dtype))
    one = _t.ones_like(x)
    nz_self = _t.where((x == 0) | self_in.logical_not(), one, x)
    nz_prod = nz_self.scatter_reduce(dim, index, _t.where(src == 0, _t.ones_like(src), src), "prod")

    def others(v, zc, nzp, o):
        safe = _t.where(v == 0, _t.ones_like(v), v)
        return _t.where(v == 0, _t.where(zc == 1, nzp, _zeros(nzp)), _t.where(zc == 0, o / safe, _zeros(nzp)))
    gi = _t.where(self_in, g * others(x, zeros_at, nz_prod, out), _zeros(g))
    gs = g.gather(dim, index) * others(src, zeros_at.gather(dim, index), nz_prod.gather(dim, index),
                                       out.gather(dim, index))
    return gi, gs


@generic("index_add", name="IndexAddBackward0")
def _index_add_bw(n, g):
    dim, index, alpha, src_shape = n.ctx
    gs = None
    if _need_i(n, 1):
        gs = g.index_select(dim, index).reshape(src_shape)
        gs = gs * alpha if alpha != 1 else gs
    return g, gs


@generic("index_copy", name="IndexCopyBackward0")
def _index_copy_bw(n, g):
    dim, index, src_shape = n.ctx
    gi = g.index_fill(dim, index, 0.0) if _need_i(n, 0) else None
    gs = g.index_select(dim, index).reshape(src_shape) if _need_i(n, 1) else None
    return gi, gs


@generic("index_fill", name="IndexFillBackward0")
def _index_fill_bw(n, g):
    dim, index = n.ctx
    gi = g.index_fill(dim, index, 0.0) if _need_i(n, 0) else None
    gv = g.index_select(dim, index).sum() if _need_i(n, 1) else None
    return gi, gv


@generic("index_put", name="IndexPutBackward0")
def _index_put_bw(n, g):
    indices, accumulate = n.ctx
    gi = None
    if _need_i(n, 0):
        gi = g if accumulate else g.index_put(indices, _t.zeros((), dtype=g.dtype))
    return gi, (g[indices] if _need_i(n, 1) else None)


@generic("put", name="PutBackward0")
def _put_index_bw(n, g):
    index, accumulate, src_shape = n.ctx
    gi = None
    if _need_i(n, 0):
        gi = g if accumulate else g.put(index, _t.zeros(index.shape, dtype=g.dtype))
    return gi, (g.reshape(-1)[index].reshape(src_shape) if _need_i(n, 1) else None)


@generic("masked_scatter", name="MaskedScatterBackward0")
def _masked_scatter_bw(n, g):
    mask, src_shape = n.ctx
    gi = g.masked_fill(mask, 0.0) if _need_i(n, 0) else None
    gs = None
    if _need_i(n, 1):
        vals = g.masked_select(mask)
        total = 1
        for s in src_shape:
            total *= s
        rest = total - vals.shape[0]
        if rest:
            vals = _t.cat([vals, _t.zeros(rest, dtype=g.dtype)])
        gs = vals.reshape(src_shape)
    return gi, gs


@generic("tril")
def _tril_bw(n, g):
    return g.tril(n.ctx)


@generic("triu")
def _triu_bw(n, g):
    return g.triu(n.ctx)
