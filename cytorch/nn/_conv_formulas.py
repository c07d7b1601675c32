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


# ---------------------------------------------------------------- average pooling (adjoint pairs)

def avg_pool(x, out, k, stride, pad, count_include_pad, divisor):
    y = _K.avg_pool(x, out, k, stride, pad, count_include_pad, divisor, False)
    return _record("avg_pool", (x,), y, (_spatial(x), k, stride, pad, count_include_pad, divisor))


@generic("avg_pool", name="AvgPoolBackward0")
def _avg_pool_bw(n, g):
    insize, k, stride, pad, cip, div = n.ctx
    return avg_pool_backward(g, insize, k, stride, pad, cip, div)


def avg_pool_backward(g, insize, k, stride, pad, count_include_pad, divisor):
    gx = _K.avg_pool(g, insize, k, stride, pad, count_include_pad, divisor, True)
    return _record("avg_pool_backward", (g,), gx, (_spatial(g), k, stride, pad, count_include_pad, divisor))


@generic("avg_pool_backward", name="AvgPoolBackwardBackward0")
def _avg_pool_backward_bw(n, gg):
    out, k, stride, pad, cip, div = n.ctx
    return avg_pool(gg, out, k, stride, pad, cip, div)


def adaptive_avg_pool(x, out):
    y = _K.adaptive_pool(x, out, 0)
    return _record("adaptive_avg_pool", (x,), y, _spatial(x))


@generic("adaptive_avg_pool", name="AdaptiveAvgPoolBackward0")
def _adaptive_avg_pool_bw(n, g):
    return adaptive_avg_pool_backward(g, n.ctx)


def adaptive_avg_pool_backward(g, insize):
    gx = _K.adaptive_pool(g, insize, 1)
    return _record("adaptive_avg_pool_backward", (g,), gx, _spatial(g))


@generic("adaptive_avg_pool_backward", name="AdaptiveAvgPoolBackwardBackward0")
def _adaptive_avg_pool_backward_bw(n, gg):
    return adaptive_avg_pool(gg, n.ctx)


# ---------------------------------------------------------------- resampling (adjoint pair)

def resample(x, size, scales, mode, align_corners):
    """interpolate x (B, C, *in) to (B, C, *size); scales: PyTorch's per-dim scale factors or None."""
    y = _K.resample(x, size, scales, mode, align_corners, False)
    return _record("resample", (x,), y, (_spatial(x), scales, mode, align_corners))


@generic("resample", name="UpsampleBackward0")
def _resample_bw(n, g):
    insize, scales, mode, align = n.ctx
    return resample_backward(g, insize, scales, mode, align)


def resample_backward(g, insize, scales, mode, align_corners):
    gx = _K.resample(g, insize, scales, mode, align_corners, True)
    return _record("resample_backward", (g,), gx, (_spatial(g), scales, mode, align_corners))


@generic("resample_backward", name="UpsampleBackwardBackward0")
def _resample_backward_bw(n, gg):
    out, scales, mode, align = n.ctx
    return resample(gg, out, scales, mode, align)


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
