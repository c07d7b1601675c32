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
