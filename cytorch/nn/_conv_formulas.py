"""Differentiable primitives of the convolution / pooling / sampling family, each next to its
backward formula.

Each primitive calls one kernel of ``cytorch._C._conv`` and, when grad mode is on and an input
requires grad, records a node whose formula is registered here (the same registry as
``cytorch/autograd/_formulas.py``). Backward formulas are written with these primitives, so
create_graph=True gives higher-order gradients: the convolution, its input gradient (which is
conv_transpose) and its weight gradient are each other's derivatives; pooling and resampling
ops pair each forward with its adjoint (the backward of a backward is the forward again).
``cytorch/nn/_conv_functional.py`` builds the public API (PyTorch's arguments and checks) on
these. Sizes passed here are already checked; spatial arguments are tuples, one per dim.
"""
from cytorch._C import _autograd as _A
from cytorch._C import _conv as _K
from cytorch._C._tensor import TensorBase
from cytorch.autograd._formulas import generic


def _record(key, inputs, out, ctx, saved=()):
    """out, recorded as op ``key`` when grad mode is on and an input requires grad."""
    if _A.is_grad_enabled():
        for t in inputs:
            if isinstance(t, TensorBase) and t.requires_grad:
                return _A._record(key, inputs, out, ctx, saved)
    return out


def _spatial(t):
    return tuple(t.shape[2:])


# ---------------------------------------------------------------- convolution
# y = conv(x, w): dx = conv_input_grad(gy, w), dw = conv_weight_grad(x, gy). The three are
# bilinear and adjoint to one another, so each one's derivatives are the other two.

def conv(x, w, b, out, stride, pad, dil, groups):
    """y[b, m] = bias[m] + sum w[m, c, k] * x[b, c, o*stride - pad + k*dil]; out: output sizes,
    pad: leading padding per dim (the trailing padding is implied by ``out``)."""
    y = _K.conv_forward(x, w, b, out, stride, pad, dil, groups)
    return _record("conv", (x, w, b), y, (stride, pad, dil, groups), (x, w))


@generic("conv", name="ConvolutionBackward0")
def _conv_bw(n, g):
    x, w = n.saved_tensors
    stride, pad, dil, groups = n.ctx
    nx, nw, nb = n.needs_input_grad
    if nx and nw:
        g = g.contiguous()      # both kernels read g densely: copy a broadcast gradient once, not twice
    gx = conv_input_grad(g, w, _spatial(x), stride, pad, dil, groups) if nx else None
    gw = conv_weight_grad(x, g, _spatial(w), stride, pad, dil, groups) if nw else None
    gb = g.sum([0] + list(range(2, g.dim()))) if nb else None
    return gx, gw, gb


def conv_input_grad(g, w, insize, stride, pad, dil, groups):
    """The adjoint of conv(., w) applied to g, with input sizes ``insize`` (conv_transpose)."""
    gx = _K.conv_backward_input(g, w, insize, stride, pad, dil, groups)
    return _record("conv_input_grad", (g, w), gx, (stride, pad, dil, groups), (g, w))


@generic("conv_input_grad", name="ConvolutionBackward0")
def _conv_input_grad_bw(n, gz):
    g, w = n.saved_tensors
    stride, pad, dil, groups = n.ctx
    ng, nw = n.needs_input_grad
    dg = conv(gz, w, None, _spatial(g), stride, pad, dil, groups) if ng else None
    dw = conv_weight_grad(gz, g, _spatial(w), stride, pad, dil, groups) if nw else None
    return dg, dw


def conv_weight_grad(x, g, ksize, stride, pad, dil, groups):
    """d<g, conv(x, w)>/dw for kernel sizes ``ksize``."""
    gw = _K.conv_backward_weight(x, g, ksize, stride, pad, dil, groups)
    return _record("conv_weight_grad", (x, g), gw, (stride, pad, dil, groups), (x, g))


@generic("conv_weight_grad", name="ConvolutionBackwardBackward0")
def _conv_weight_grad_bw(n, gz):
    x, g = n.saved_tensors
    stride, pad, dil, groups = n.ctx
    nx, ng = n.needs_input_grad
    dx = conv_input_grad(g, gz, _spatial(x), stride, pad, dil, groups) if nx else None
    dg = conv(x, gz, None, _spatial(g), stride, pad, dil, groups) if ng else None
    return dx, dg


# ---------------------------------------------------------------- unfold / fold (adjoint pair)

def im2col(x, out, k, stride, pad, dil):
    cols = _K.im2col(x, out, k, stride, pad, dil)
    return _record("im2col", (x,), cols, (_spatial(x), out, k, stride, pad, dil))


@generic("im2col", name="Im2ColBackward0")
def _im2col_bw(n, g):
    insize, out, k, stride, pad, dil = n.ctx
    return col2im(g, insize, out, k, stride, pad, dil)


def col2im(cols, insize, out, k, stride, pad, dil):
    x = _K.col2im(cols, insize, out, k, stride, pad, dil)
    return _record("col2im", (cols,), x, (insize, out, k, stride, pad, dil))


@generic("col2im", name="Col2ImBackward0")
def _col2im_bw(n, g):
    insize, out, k, stride, pad, dil = n.ctx
    return im2col(g, out, k, stride, pad, dil)


# ---------------------------------------------------------------- max pooling: indices, scatter, gather
# A max-style pool keeps the flat input index of each maximum (in ctx, outside the graph); its
# gradient scatters gy to those places, and the gradient of that scatter gathers them back.

def max_pool(x, out, k, stride, pad, dil, with_indices):
    """(y, indices or None): max pooling of x (B, C, *in) to (B, C, *out)."""
    need = with_indices or (_A.is_grad_enabled() and x.requires_grad)
    y, idx = _K.max_pool(x, out, k, stride, pad, dil, need)
    if need:
        y = _record("max_pool", (x,), y, (_spatial(x), idx))
    return y, idx


@generic("max_pool", name="MaxPoolWithIndicesBackward0")
@generic("adaptive_max_pool", name="AdaptiveMaxPoolBackward0")
@generic("index_gather", name="GatherBackward0")
def _scatter_to_indices_bw(n, g):
    """g scattered back to the input places in ctx (input sizes, indices)."""
    insize, idx = n.ctx
    return index_scatter(g, idx, insize)


def adaptive_max_pool(x, out):
    y, idx = _K.adaptive_pool(x, out, 2)
    return _record("adaptive_max_pool", (x,), y, (_spatial(x), idx)), idx


def index_scatter(src, idx, size):
    """out (B, C, *size) zero but for out[b, c].flat[idx[b, c, l]] += src[b, c, l]."""
    out = _K.plane_scatter(src, idx, size, True)
    return _record("index_scatter", (src,), out, idx)


@generic("index_scatter", name="MaxPoolWithIndicesBackwardBackward0")
@generic("max_unpool", name="MaxUnpoolBackward0")
def _gather_from_indices_bw(n, g):
    """g read back at the indices in ctx."""
    return index_gather(g, n.ctx)


def index_gather(src, idx):
    """out[b, c, l] = src[b, c].flat[idx[b, c, l]]; its backward is _scatter_to_indices_bw."""
    out = _K.plane_gather(src, idx)
    return _record("index_gather", (src,), out, (_spatial(src), idx))


def max_unpool(x, idx, size):
    """out (B, C, *size) zero but for out[b, c].flat[idx[b, c, l]] = x[b, c, l]; its backward is
    _gather_from_indices_bw."""
    out = _K.plane_scatter(x, idx, size, False)
    return _record("max_unpool", (x,), out, idx)


# ---------------------------------------------------------------- adjoint pairs: average pooling, resampling
# Each of these ops is linear, and its kernel also computes the adjoint (flag True): the forward
# maps x (B, C, *in) to (B, C, *size); the adjoint maps a gradient g of that shape back to
# ``insize``. Each is the other's backward, so one factory builds both primitives and formulas;
# ctx holds the input's own sizes, then the op's arguments.

def _adjoint_pair(key, kernel, name, adjoint_name):
    def forward(x, size, *args):
        return _record(key, (x,), kernel(x, size, *args, False), (_spatial(x),) + args)

    def adjoint(g, insize, *args):
        return _record(key + "_backward", (g,), kernel(g, insize, *args, True), (_spatial(g),) + args)

    @generic(key, name=name)
    def _forward_bw(n, g):
        return adjoint(g, *n.ctx)

    @generic(key + "_backward", name=adjoint_name)
    def _adjoint_bw(n, gg):
        return forward(gg, *n.ctx)

    forward.__name__, adjoint.__name__ = key, key + "_backward"
    return forward, adjoint


# avg_pool(x, out, k, stride, pad, count_include_pad, divisor)
avg_pool, avg_pool_backward = _adjoint_pair("avg_pool", _K.avg_pool, "AvgPoolBackward0",
                                            "AvgPoolBackwardBackward0")
# adaptive_avg_pool(x, out): the kernel's kind 0 is the pool, 1 its adjoint
adaptive_avg_pool, adaptive_avg_pool_backward = _adjoint_pair(
    "adaptive_avg_pool", _K.adaptive_pool, "AdaptiveAvgPoolBackward0", "AdaptiveAvgPoolBackwardBackward0")
# resample(x, size, scales, mode, align_corners): interpolate x to size; scales are PyTorch's
# per-dim scale factors or None
resample, resample_backward = _adjoint_pair("resample", _K.resample, "UpsampleBackward0",
                                            "UpsampleBackwardBackward0")


# ---------------------------------------------------------------- grid sampling
# Differentiable once in both input and grid, as in PyTorch (whose grid_sampler_2d_backward has
# no derivative either): differentiating the backward again raises.

def grid_sample(x, grid, mode, padding_mode, align_corners):
    y = _K.grid_sample(x, grid, mode, padding_mode, align_corners)
    return _record("grid_sample", (x, grid), y, (mode, padding_mode, align_corners), (x, grid))


@generic("grid_sample", name="GridSampler2DBackward0")
def _grid_sample_bw(n, g):
    x, grid = n.saved_tensors
    mode, padding_mode, align = n.ctx
    nx, ngrid = n.needs_input_grad
    gx, gg = _K.grid_sample_backward(g.detach(), x.detach(), grid.detach(), mode, padding_mode, align, nx, ngrid)
    outs = tuple(t for t in (gx, gg) if t is not None)
    _record("grid_sample_backward", (g, x, grid), outs[0] if len(outs) == 1 else outs, None)
    return gx, gg


@generic("grid_sample_backward", name="GridSampler2DBackwardBackward0")
def _grid_sample_backward_bw(n, g):
    raise RuntimeError("the derivative for 'grid_sampler_2d_backward' is not implemented.")
