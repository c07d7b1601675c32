"""Convolutions: conv1d/2d/3d, conv_transpose1d/2d/3d, unfold/fold.

Forward against a direct NumPy loop (no torch needed) and, with torch, forward and gradients
across strides / paddings / dilations / groups / odd shapes / batch 1 / zero batch, covering
every kernel path (implicit gemm with position or channel vectors, strided convs as a 1x1 conv
of the im2col block, direct depthwise loops); gradcheck and gradgradcheck in float64."""
import numpy as np
import pytest

import cytorch
import cytorch.nn.functional as F
from cytorch.autograd import gradcheck, gradgradcheck
from conftest import assert_close, np_of

RNG = np.random.default_rng(1234)


def conv2d_ref(x, w, b, stride, pad, dil, groups):
    """Direct loops: y[n, m, i, j] = b[m] + sum_{c,p,q} w[m, c, p, q] * xpad[n, g*C + c, i*s + p*d, j*s + q*d]."""
    N, Cin, H, W = x.shape
    M, Cg, KH, KW = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad[0], pad[0]), (pad[1], pad[1])))
    OH = (H + 2 * pad[0] - dil[0] * (KH - 1) - 1) // stride[0] + 1
    OW = (W + 2 * pad[1] - dil[1] * (KW - 1) - 1) // stride[1] + 1
    y = np.zeros((N, M, OH, OW), dtype=np.float64)
    Mg = M // groups
    for m in range(M):
        g = m // Mg
        for p in range(KH):
            for q in range(KW):
                patch = xp[:, g * Cg:(g + 1) * Cg, p * dil[0]:p * dil[0] + stride[0] * (OH - 1) + 1:stride[0],
                           q * dil[1]:q * dil[1] + stride[1] * (OW - 1) + 1:stride[1]]
                y[:, m] += np.einsum("ncij,c->nij", patch, w[m, :, p, q])
        if b is not None:
            y[:, m] += b[m]
    return y


@pytest.mark.parametrize("cfg", [
    dict(N=2, C=3, M=4, H=7, W=9, k=(3, 3), s=(1, 1), p=(1, 1), d=(1, 1), g=1),
    dict(N=1, C=4, M=6, H=8, W=5, k=(3, 2), s=(2, 1), p=(1, 0), d=(1, 2), g=2),
    dict(N=3, C=6, M=6, H=6, W=7, k=(3, 3), s=(1, 1), p=(2, 1), d=(2, 1), g=6),   # depthwise
    dict(N=2, C=40, M=36, H=6, W=6, k=(3, 3), s=(1, 1), p=(1, 1), d=(1, 1), g=1),  # channel-vectorised
    dict(N=2, C=5, M=7, H=5, W=5, k=(1, 1), s=(1, 1), p=(0, 0), d=(1, 1), g=1),   # pointwise
    dict(N=2, C=2, M=3, H=4, W=4, k=(4, 4), s=(1, 1), p=(0, 0), d=(1, 1), g=1),   # kernel = input
])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv2d_numpy_reference(cfg, dtype):
    x = RNG.standard_normal((cfg["N"], cfg["C"], cfg["H"], cfg["W"])).astype(dtype)
    w = RNG.standard_normal((cfg["M"], cfg["C"] // cfg["g"]) + cfg["k"]).astype(dtype)
    b = RNG.standard_normal(cfg["M"]).astype(dtype)
    y = F.conv2d(cytorch.tensor(x), cytorch.tensor(w), cytorch.tensor(b), cfg["s"], cfg["p"], cfg["d"], cfg["g"])
    ref = conv2d_ref(x.astype(np.float64), w.astype(np.float64), b.astype(np.float64), cfg["s"], cfg["p"],
                     cfg["d"], cfg["g"])
    tol = 1e-4 if dtype == np.float32 else 1e-11
    assert y.dtype == (cytorch.float32 if dtype == np.float32 else cytorch.float64)
    assert_close(y, ref.astype(dtype), rtol=tol, atol=tol)


def _torch_conv(torch, nsp):
    return {1: torch.nn.functional.conv1d, 2: torch.nn.functional.conv2d, 3: torch.nn.functional.conv3d}[nsp]


def _compare(torch, N, C, M, G, sp, k, stride, pad, dil, dtype=np.float64, bias=True):
    """forward, d/dx, d/dw, d/db of conv{nsp}d against torch."""
    nsp = len(sp)
    x = RNG.standard_normal((N, C) + sp).astype(dtype)
    w = RNG.standard_normal((M, C // G) + k).astype(dtype)
    b = RNG.standard_normal(M).astype(dtype) if bias else None
    xt = torch.tensor(x, requires_grad=True)
    wt = torch.tensor(w, requires_grad=True)
    bt = torch.tensor(b, requires_grad=True) if bias else None
    yt = _torch_conv(torch, nsp)(xt, wt, bt, stride, pad, dil, G)
    gy = RNG.standard_normal(tuple(yt.shape)).astype(dtype)
    yt.backward(torch.tensor(gy))
    xc = cytorch.tensor(x, requires_grad=True)
    wc = cytorch.tensor(w, requires_grad=True)
    bc = cytorch.tensor(b, requires_grad=True) if bias else None
    yc = getattr(F, f"conv{nsp}d")(xc, wc, bc, stride, pad, dil, G)
    yc.backward(cytorch.tensor(gy))
    tol = dict(rtol=2e-4, atol=2e-4) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-10)
    assert_close(yc, yt.detach().numpy(), **tol)
    assert_close(xc.grad, xt.grad.numpy(), **tol)
    assert_close(wc.grad, wt.grad.numpy(), **tol)
    if bias:
        assert_close(bc.grad, bt.grad.numpy(), **tol)


CASES_2D = [
    # N, C, M, G, spatial, kernel, stride, padding, dilation
    (2, 3, 4, 1, (7, 9), (3, 3), 1, 1, 1),
    (2, 3, 4, 1, (7, 9), (3, 2), (2, 1), (1, 0), (1, 2)),
    (2, 3, 4, 1, (7, 9), (3, 2), 1, (4, 3), (1, 2)),        # padding wider than the kernel
    (1, 4, 6, 2, (5, 6), (2, 3), (1, 2), 1, 2),
    (2, 4, 8, 4, (6, 7), (3, 3), (1, 2), 1, 1),             # depthwise, multiplier 2, strided
    (2, 4, 4, 4, (6, 7), (3, 3), 1, (2, 1), (2, 1)),        # depthwise, dilated
    (1, 5, 7, 1, (9, 9), (1, 1), 1, 0, 1),                  # pointwise
    (70, 5, 17, 1, (3, 3), (3, 3), 1, 1, 1),                # many small images per chunk
    (3, 20, 9, 1, (5, 4), (5, 4), 1, 0, 1),                 # kernel covers the input
    (2, 40, 36, 1, (6, 7), (3, 3), 1, 1, 1),                # channel-vectorised, tails
    (2, 40, 36, 2, (6, 7), (3, 3), 1, (0, 2), (1, 2)),      # channel-vectorised, groups
    (2, 33, 40, 1, (5, 31), (3, 3), 1, 1, 1),               # rows longer than one register block
    (2, 64, 40, 1, (4, 4), (3, 3), 2, 1, 1),                # strided: a 1x1 conv of the im2col block
    (3, 8, 6, 2, (9, 7), (3, 2), (3, 2), (1, 0), (2, 1)),   # strided, grouped, small
    (2, 40, 48, 1, (5, 6), (1, 1), 1, 0, 1),                # 1x1 read in place (channel-vectorised)
    (2, 40, 64, 2, (5, 6), (1, 1), 1, 0, 1),                # ... with groups
    (0, 3, 4, 1, (5, 5), (3, 3), 1, 1, 1),                  # empty batch
]


@pytest.mark.parametrize("case", CASES_2D)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv2d_vs_torch(torch, case, dtype):
    _compare(torch, *case, dtype=dtype)


@pytest.mark.parametrize("case", [
    (3, 4, 6, 2, (8,), (3,), 2, 1, 2),
    (3, 4, 6, 2, (8,), (3,), 1, 1, 2),
    (2, 40, 48, 1, (17,), (5,), 1, 2, 1),
    (1, 3, 3, 3, (10,), (4,), 3, 0, 1),
])
def test_conv1d_vs_torch(torch, case):
    _compare(torch, *case)


@pytest.mark.parametrize("case", [
    (2, 2, 3, 1, (4, 5, 6), (2, 3, 2), (1, 2, 1), (1, 0, 1), (2, 1, 1)),
    (2, 2, 3, 1, (4, 5, 6), (2, 3, 2), 1, (1, 0, 1), (2, 1, 1)),
    (1, 32, 32, 1, (3, 4, 5), (3, 3, 3), 1, 1, 1),
    (2, 4, 4, 4, (3, 4, 5), (2, 2, 2), 1, 1, 1),
])
def test_conv3d_vs_torch(torch, case):
    _compare(torch, *case)


def test_conv_without_bias(torch):
    _compare(torch, 2, 3, 4, 1, (6, 6), (3, 3), 1, 1, 1, bias=False)


@pytest.mark.parametrize("k,dil", [((2, 4), (1, 1)), ((3, 3), (2, 1)), ((2, 2), (1, 3))])
def test_padding_same_and_valid(torch, k, dil):
    x = RNG.standard_normal((2, 3, 7, 8))
    w = RNG.standard_normal((4, 3) + k)
    for padding in ("same", "valid"):
        y = F.conv2d(cytorch.tensor(x), cytorch.tensor(w), padding=padding, dilation=dil)
        yt = torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(w), padding=padding, dilation=dil)
        assert_close(y, yt.numpy(), rtol=1e-10, atol=1e-10)
    xt = cytorch.tensor(x, requires_grad=True)
    F.conv2d(xt, cytorch.tensor(w), padding="same", dilation=dil).sum().backward()
    xtt = torch.tensor(x, requires_grad=True)
    torch.nn.functional.conv2d(xtt, torch.tensor(w), padding="same", dilation=dil).sum().backward()
    assert_close(xt.grad, xtt.grad.numpy(), rtol=1e-10, atol=1e-10)


def test_unbatched_input(torch):
    x = RNG.standard_normal((3, 6, 6))
    w = RNG.standard_normal((4, 3, 3, 3))
    y = F.conv2d(cytorch.tensor(x), cytorch.tensor(w), padding=1)
    assert y.shape == (4, 6, 6)
    assert_close(y, torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(w), padding=1).numpy(), rtol=1e-10)


def test_noncontiguous_inputs(torch):
    x = RNG.standard_normal((2, 6, 7, 3))
    w = RNG.standard_normal((5, 3, 3, 3))
    xc = cytorch.tensor(x).permute(0, 3, 1, 2)             # (2, 3, 6, 7), channels last in memory
    wc = cytorch.tensor(np.ascontiguousarray(w.transpose(1, 0, 2, 3))).transpose(0, 1)
    y = F.conv2d(xc, wc, stride=2, padding=1)
    yt = torch.nn.functional.conv2d(torch.tensor(x).permute(0, 3, 1, 2), torch.tensor(w), stride=2, padding=1)
    assert_close(y, yt.numpy(), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("cin,cout,kw", [(40, 48, dict(padding=1)), (3, 8, dict(padding=1)),
                                         (16, 40, dict(stride=2, padding=1)), (6, 6, dict(groups=6, padding=1))])
def test_result_does_not_depend_on_thread_count(cin, cout, kw):
    x = cytorch.randn(5, cin, 9, 9)
    w = cytorch.randn(cout, cin // kw.get("groups", 1), 3, 3)
    old = cytorch.get_num_threads()
    outs = []
    try:
        for nt in (1, 2):
            cytorch.set_num_threads(nt)
            xg = x.clone().requires_grad_()
            wg = w.clone().requires_grad_()
            y = F.conv2d(xg, wg, **kw)
            y.backward(cytorch.ones_like(y))
            outs.append((np_of(y), np_of(xg.grad), np_of(wg.grad)))
    finally:
        cytorch.set_num_threads(old)
    for a, b in zip(outs[0], outs[1]):
        np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------- transposed convolution

def _compare_t(torch, N, Cin, Cout, G, sp, k, stride, pad, opad, dil, dtype=np.float64):
    nsp = len(sp)
    x = RNG.standard_normal((N, Cin) + sp).astype(dtype)
    w = RNG.standard_normal((Cin, Cout // G) + k).astype(dtype)
    b = RNG.standard_normal(Cout).astype(dtype)
    ft = getattr(torch.nn.functional, f"conv_transpose{nsp}d")
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    yt = ft(xt, wt, bt, stride, pad, opad, G, dil)
    gy = RNG.standard_normal(tuple(yt.shape)).astype(dtype)
    yt.backward(torch.tensor(gy))
    xc, wc, bc = (cytorch.tensor(a, requires_grad=True) for a in (x, w, b))
    yc = getattr(F, f"conv_transpose{nsp}d")(xc, wc, bc, stride, pad, opad, G, dil)
    yc.backward(cytorch.tensor(gy))
    tol = dict(rtol=2e-4, atol=2e-4) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-10)
    assert_close(yc, yt.detach().numpy(), **tol)
    for c, t in ((xc, xt), (wc, wt), (bc, bt)):
        assert_close(c.grad, t.grad.numpy(), **tol)


@pytest.mark.parametrize("case", [
    (2, 3, 4, 1, (5, 6), (3, 3), 1, 0, 0, 1),
    (2, 4, 6, 2, (5, 6), (3, 2), 2, 1, 1, 1),
    (1, 4, 4, 4, (4, 5), (3, 3), (2, 1), (1, 0), (1, 0), (1, 2)),
    (2, 3, 5, 1, (4, 4), (2, 2), 1, 0, 1, 2),                 # output_padding < dilation
    (2, 40, 34, 1, (5, 5), (3, 3), 1, 1, 0, 1),
])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv_transpose2d_vs_torch(torch, case, dtype):
    _compare_t(torch, *case, dtype=dtype)


def test_conv_transpose1d_3d_vs_torch(torch):
    _compare_t(torch, 2, 3, 4, 1, (7,), (3,), 2, 1, 1, 1)
    _compare_t(torch, 1, 2, 4, 2, (3, 3, 4), (2, 3, 2), (2, 1, 1), (0, 1, 0), (1, 0, 0), 1)


# ---------------------------------------------------------------- gradcheck / gradgradcheck

def _leaf(*shape):
    return cytorch.tensor(RNG.standard_normal(shape), requires_grad=True)


@pytest.mark.parametrize("kw", [
    dict(padding=1),                       # implicit gemm
    dict(stride=2, padding=1),             # strided: im2col, then a 1x1 conv
    dict(groups=2, padding=(1, 0), dilation=(1, 2)),
])
def test_conv2d_gradcheck(kw):
    x, w, b = _leaf(2, 4, 5, 5), _leaf(6, 4 // kw.get("groups", 1), 3, 3), _leaf(6)
    f = lambda a, c, d: F.conv2d(a, c, d, **kw)  # noqa: E731
    assert gradcheck(f, (x, w, b))
    assert gradgradcheck(f, (x, w, b))


def test_depthwise_gradcheck():
    x, w, b = _leaf(2, 3, 5, 4), _leaf(6, 1, 3, 2), _leaf(6)
    f = lambda a, c, d: F.conv2d(a, c, d, groups=3, padding=1, stride=(1, 2))  # noqa: E731
    assert gradcheck(f, (x, w, b))
    assert gradgradcheck(f, (x, w, b))


def test_conv_transpose2d_gradgradcheck():
    x, w, b = _leaf(2, 4, 3, 3), _leaf(4, 3, 3, 3), _leaf(6)
    f = lambda a, c, d: F.conv_transpose2d(a, c, d, stride=2, padding=1, output_padding=1, groups=2)  # noqa: E731
    assert gradcheck(f, (x, w, b))
    assert gradgradcheck(f, (x, w, b))


def test_conv1d_conv3d_gradgradcheck():
    assert gradgradcheck(lambda a, c: F.conv1d(a, c, padding=2, dilation=2), (_leaf(2, 3, 6), _leaf(2, 3, 3)))
    assert gradgradcheck(lambda a, c: F.conv3d(a, c, padding=1), (_leaf(1, 2, 3, 3, 3), _leaf(2, 2, 2, 2, 2)))


def test_double_backward_matches_torch(torch):
    """A gradient penalty: d/dw of |dL/dx|^2 goes through conv_weight_grad and conv_input_grad."""
    x = RNG.standard_normal((2, 3, 6, 6))
    w = RNG.standard_normal((4, 3, 3, 3))
    xc, wc = cytorch.tensor(x, requires_grad=True), cytorch.tensor(w, requires_grad=True)
    gx, = cytorch.autograd.grad(F.conv2d(xc, wc, padding=1).tanh().sum(), (xc,), create_graph=True)
    (gx * gx).sum().backward()
    xt, wt = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    gxt, = torch.autograd.grad(torch.nn.functional.conv2d(xt, wt, padding=1).tanh().sum(), (xt,),
                               create_graph=True)
    (gxt * gxt).sum().backward()
    assert_close(wc.grad, wt.grad.numpy(), rtol=1e-9, atol=1e-9)
    assert_close(xc.grad, xt.grad.numpy(), rtol=1e-9, atol=1e-9)


def test_only_needed_gradients_are_computed():
    x = cytorch.randn(2, 3, 5, 5)
    w = cytorch.randn(4, 3, 3, 3, requires_grad=True)
    y = F.conv2d(x, w)
    y.sum().backward()
    assert x.grad is None and w.grad is not None
    assert y.grad_fn.name() == "ConvolutionBackward0"


# ---------------------------------------------------------------- unfold / fold

@pytest.mark.parametrize("kw", [dict(kernel_size=(2, 3)), dict(kernel_size=3, padding=1, stride=2),
                                dict(kernel_size=(2, 2), dilation=(2, 1), padding=(1, 0), stride=(1, 2))])
def test_unfold_fold_vs_torch(torch, kw):
    x = RNG.standard_normal((2, 3, 7, 6))
    u = F.unfold(cytorch.tensor(x), **kw)
    ut = torch.nn.functional.unfold(torch.tensor(x), **kw)
    assert_close(u, ut.numpy(), rtol=1e-12, atol=1e-12)
    f = F.fold(u, (7, 6), **kw)
    assert_close(f, torch.nn.functional.fold(ut, (7, 6), **kw).numpy(), rtol=1e-12, atol=1e-12)
    xl = cytorch.tensor(x, requires_grad=True)
    assert gradgradcheck(lambda a: F.unfold(a, **kw), (xl,))
    assert gradgradcheck(lambda a: F.fold(a, (7, 6), **kw), (cytorch.tensor(np_of(u), requires_grad=True),))


def test_unfold_unbatched_and_float32(torch):
    x = RNG.standard_normal((3, 5, 5)).astype(np.float32)
    u = F.unfold(cytorch.tensor(x), 2)
    assert u.dtype == cytorch.float32 and u.shape == (12, 16)
    assert_close(u, torch.nn.functional.unfold(torch.tensor(x), 2).numpy())


# ---------------------------------------------------------------- dtypes and errors

def test_half_precision_computes_in_float32():
    x = cytorch.ones(1, 2, 4, 4)
    w = cytorch.ones(3, 2, 3, 3)
    for dt in (cytorch.float16, cytorch.bfloat16):
        y = F.conv2d(x.to(dt), w.to(dt), padding=1)
        assert y.dtype == dt
        assert_close(y.float(), np_of(F.conv2d(x, w, padding=1)))


@pytest.mark.parametrize("call,exc,msg", [
    (lambda: F.conv2d(cytorch.randn(2, 3), cytorch.randn(4, 3, 3, 3)), RuntimeError,
     "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [2, 3]"),
    (lambda: F.conv2d(cytorch.randn(2, 5, 8, 8), cytorch.randn(4, 3, 3, 3)), RuntimeError,
     "Given groups=1, weight of size [4, 3, 3, 3], expected input[2, 5, 8, 8] to have 3 channels, but got 5 "
     "channels instead"),
    (lambda: F.conv2d(cytorch.randn(2, 3, 8, 8), cytorch.randn(4, 3, 3, 3), stride=0), RuntimeError,
     "non-positive stride is not supported"),
    (lambda: F.conv2d(cytorch.randn(2, 3, 8, 8), cytorch.randn(4, 3, 3, 3), padding=-1), RuntimeError,
     "negative padding is not supported"),
    (lambda: F.conv2d(cytorch.randn(2, 3, 8, 8), cytorch.randn(4, 3, 3, 3), groups=0), RuntimeError,
     "non-positive groups is not supported"),
    (lambda: F.conv2d(cytorch.randn(2, 4, 8, 8), cytorch.randn(3, 2, 3, 3), groups=2), RuntimeError,
     "expected weight to be divisible by 2 at dimension 0"),
    (lambda: F.conv2d(cytorch.randn(2, 3, 2, 2), cytorch.randn(4, 3, 3, 3)), RuntimeError,
     "Calculated padded input size per channel: (2 x 2). Kernel size: (3 x 3). Kernel size can't be greater "
     "than actual input size"),
    (lambda: F.conv2d(cytorch.randn(2, 3, 8, 8), cytorch.randn(4, 3, 3, 3), padding="same", stride=2),
     RuntimeError, "padding='same' is not supported for strided convolutions"),
    (lambda: F.conv2d(cytorch.randn(2, 3, 8, 8), cytorch.randn(4, 3, 3, 3), padding="foo"), RuntimeError,
     "Invalid padding string: 'foo'"),
    (lambda: F.conv2d(cytorch.randn(2, 3, 8, 8), cytorch.randn(4, 3, 3, 3), cytorch.randn(3)), RuntimeError,
     "expected bias to be 1-dimensional with 4 elements, but got bias of size [3] instead"),
    (lambda: F.conv2d(cytorch.randn(2, 3, 8, 8), cytorch.randn(4, 3, 3, 3).double()), RuntimeError,
     "Input type (cytorch.FloatTensor) and weight type (cytorch.DoubleTensor) should be the same"),
    (lambda: F.conv2d(cytorch.randn(2, 3, 8, 8), cytorch.randn(4, 3, 3, 3), stride=(1, 1, 1)), RuntimeError,
     "expected stride to be a single integer value or a list of 2 values"),
    (lambda: F.conv2d(cytorch.ones(2, 3, 8, 8).long(), cytorch.ones(4, 3, 3, 3).long()), RuntimeError,
     "not implemented for 'Long'"),
    (lambda: F.conv_transpose2d(cytorch.randn(2, 3, 8, 8), cytorch.randn(3, 4, 3, 3), output_padding=1),
     RuntimeError, "output padding must be smaller than either stride or dilation"),
    (lambda: F.conv_transpose2d(cytorch.randn(2, 3, 8, 8), cytorch.randn(4, 4, 3, 3)), RuntimeError,
     "Given transposed=1, weight of size [4, 4, 3, 3], expected input[2, 3, 8, 8] to have 4 channels"),
    (lambda: F.conv_transpose2d(cytorch.randn(2, 3, 8, 8), cytorch.randn(3, 4, 3, 3), padding="same"),
     TypeError, "argument 'padding' must be tuple of ints, not str"),
    (lambda: F.conv_transpose2d(cytorch.randn(1, 3, 1, 1), cytorch.randn(3, 4, 3, 3), padding=3), RuntimeError,
     "Output size is too small"),
    (lambda: F.unfold(cytorch.randn(2, 3, 8, 8), 9), RuntimeError, "but its components must be at least one"),
    (lambda: F.fold(cytorch.randn(2, 26, 36), (8, 8), 3), RuntimeError,
     "Expected size of input's dimension 1 to be divisible by the product of kernel_size"),
    (lambda: F.fold(cytorch.randn(2, 27, 35), (8, 8), 3), RuntimeError,
     "expected size of input's dimension 2 to match the calculated number of sliding blocks 6 * 6 = 36"),
])
def test_errors(call, exc, msg):
    with pytest.raises(exc) as e:
        call()
    assert msg in str(e.value)


def test_kernel_level_checks():
    """The Cython layer refuses inconsistent shapes itself (it is reachable without the checks above)."""
    from cytorch._C import _conv
    with pytest.raises(RuntimeError, match="do not match"):
        _conv.conv_forward(cytorch.randn(1, 3, 5, 5), cytorch.randn(2, 2, 3, 3), None, (3, 3), (1, 1), (0, 0),
                           (1, 1), 1)
    with pytest.raises(RuntimeError, match="expected bias"):
        _conv.conv_forward(cytorch.randn(1, 3, 5, 5), cytorch.randn(2, 3, 3, 3), cytorch.randn(3), (3, 3),
                           (1, 1), (0, 0), (1, 1), 1)
    with pytest.raises(RuntimeError, match="invalid convolution geometry"):
        _conv.conv_forward(cytorch.randn(1, 3, 5, 5), cytorch.randn(2, 3, 3, 3), None, (3, 3), (0, 1), (0, 0),
                           (1, 1), 1)


# ---------------------------------------------------------------- layers

import cytorch.nn as nn  # noqa: E402


def _copy_params(src_torch, dst):
    """Load a torch module's parameters into the cytorch module with the same state_dict keys."""
    sd = {k: cytorch.tensor(v.detach().numpy()) for k, v in src_torch.state_dict().items()}
    dst.load_state_dict(sd)


@pytest.mark.parametrize("cls,args,kw,shape", [
    ("Conv1d", (4, 6, 3), dict(stride=2, padding=1), (2, 4, 9)),
    ("Conv2d", (4, 6, (3, 2)), dict(padding=1, dilation=(1, 2), groups=2), (2, 4, 7, 8)),
    ("Conv2d", (4, 6, 3), dict(padding="same", padding_mode="reflect"), (2, 4, 7, 8)),
    ("Conv2d", (4, 6, 3), dict(padding=2, padding_mode="replicate", bias=False), (2, 4, 7, 8)),
    ("Conv2d", (4, 6, 4), dict(padding="same", padding_mode="circular"), (2, 4, 7, 8)),
    ("Conv3d", (2, 4, 3), dict(padding=(1, 0, 1), padding_mode="circular"), (1, 2, 4, 5, 6)),
    ("ConvTranspose1d", (4, 6, 3), dict(stride=2, output_padding=1), (2, 4, 5)),
    ("ConvTranspose2d", (4, 6, 3), dict(stride=2, padding=1, groups=2, dilation=2), (2, 4, 5, 4)),
    ("ConvTranspose3d", (2, 4, 2), dict(stride=2), (1, 2, 2, 3, 3)),
])
def test_conv_layers_vs_torch(torch, cls, args, kw, shape):
    tm = getattr(torch.nn, cls)(*args, **kw).double()
    cm = getattr(nn, cls)(*args, **kw).double()
    assert list(cm.state_dict().keys()) == list(tm.state_dict().keys())
    assert [tuple(v.shape) for v in cm.state_dict().values()] == [tuple(v.shape) for v in tm.state_dict().values()]
    assert repr(cm) == repr(tm)
    _copy_params(tm, cm)
    x = RNG.standard_normal(shape)
    xc, xt = cytorch.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yc, yt = cm(xc), tm(xt)
    assert_close(yc, yt.detach().numpy(), rtol=1e-10, atol=1e-10)
    g = RNG.standard_normal(tuple(yt.shape))
    yc.backward(cytorch.tensor(g))
    yt.backward(torch.tensor(g))
    assert_close(xc.grad, xt.grad.numpy(), rtol=1e-10, atol=1e-10)
    assert_close(cm.weight.grad, tm.weight.grad.numpy(), rtol=1e-10, atol=1e-10)


def test_conv_default_init_distribution():
    m = nn.Conv2d(16, 32, 3)
    bound = 1 / np.sqrt(16 * 9)           # kaiming_uniform_(a=sqrt(5)) and the bias rule give the same bound
    w, b = np_of(m.weight), np_of(m.bias)
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert abs(w.std() - bound / np.sqrt(3)) < 0.1 * bound
    t = nn.ConvTranspose2d(16, 8, 3, groups=2)
    assert t.weight.shape == (16, 4, 3, 3)
    assert np.abs(np_of(t.bias)).max() <= 1 / np.sqrt(4 * 9)


def test_conv_transpose_output_size(torch):
    tm = torch.nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1).double()
    cm = nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1).double()
    _copy_params(tm, cm)
    x = RNG.standard_normal((1, 3, 4, 5))
    for size in [(7, 9), (8, 10), [1, 2, 8, 9]]:
        assert_close(cm(cytorch.tensor(x), output_size=size),
                     tm(torch.tensor(x), output_size=size).detach().numpy(), rtol=1e-10, atol=1e-10)
    with pytest.raises(ValueError, match="requested an output size"):
        cm(cytorch.tensor(x), output_size=(10, 9))


@pytest.mark.parametrize("args,kw,exc,msg", [
    ((4, 4, 3), dict(groups=3), ValueError, "in_channels must be divisible by groups"),
    ((4, 6, 3), dict(groups=4), ValueError, "out_channels must be divisible by groups"),
    ((4, 6, 3), dict(groups=0), ValueError, "groups must be a positive integer"),
    ((4, 6, 3), dict(padding="foo"), ValueError, "Invalid padding string 'foo'"),
    ((4, 6, 3), dict(padding="same", stride=2), ValueError, "padding='same' is not supported for strided"),
    ((4, 6, 3), dict(padding_mode="foo"), ValueError, "padding_mode must be one of"),
])
def test_conv_layer_errors(args, kw, exc, msg):
    with pytest.raises(exc) as e:
        nn.Conv2d(*args, **kw)
    assert msg in str(e.value)
    with pytest.raises(ValueError, match='Only "zeros" padding mode is supported for ConvTranspose2d'):
        nn.ConvTranspose2d(4, 6, 3, padding_mode="reflect")


@pytest.mark.parametrize("cls,args,shape", [
    ("ZeroPad1d", ((1, 2),), (2, 3, 4)), ("ZeroPad2d", (2,), (2, 3, 4, 5)), ("ZeroPad3d", ((1, 0, 2, 1, 0, 1),), (1, 2, 3, 4, 5)),
    ("ConstantPad1d", (2, 3.5), (2, 3, 4)), ("ConstantPad2d", ((1, -1, 2, 0), -1.0), (2, 3, 4, 5)),
    ("ConstantPad3d", (1, 2.0), (2, 3, 4, 5)),
    ("ReflectionPad1d", (2,), (2, 3, 4)), ("ReflectionPad2d", ((1, 2, 3, 0),), (2, 3, 4, 5)),
    ("ReflectionPad3d", (1,), (1, 2, 3, 4, 5)), ("ReplicationPad1d", ((3, 1),), (3, 4)),
    ("ReplicationPad2d", (2,), (2, 3, 4, 5)), ("ReplicationPad3d", ((1, 2, 0, 1, 2, 0),), (1, 2, 3, 4, 5)),
    ("CircularPad1d", (2,), (2, 3, 4)), ("CircularPad2d", ((1, 2, 3, 1),), (2, 3, 4, 5)),
    ("CircularPad3d", (1,), (1, 2, 3, 4, 5)),
])
def test_padding_layers_vs_torch(torch, cls, args, shape):
    cm, tm = getattr(nn, cls)(*args), getattr(torch.nn, cls)(*args)
    assert repr(cm) == repr(tm)
    x = RNG.standard_normal(shape)
    xc, xt = cytorch.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yc, yt = cm(xc), tm(xt)
    assert_close(yc, yt.detach().numpy())
    g = RNG.standard_normal(tuple(yt.shape))
    yc.backward(cytorch.tensor(g))
    yt.backward(torch.tensor(g))
    assert_close(xc.grad, xt.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_padding_errors():
    with pytest.raises(RuntimeError, match="Padding size should be less than the corresponding input dimension"):
        nn.ReflectionPad1d(3)(cytorch.randn(1, 2, 3))
    with pytest.raises(RuntimeError, match="wrapping around more than once"):
        nn.CircularPad1d(4)(cytorch.randn(1, 2, 3))


def test_fold_unfold_layers(torch):
    x = RNG.standard_normal((2, 3, 6, 7))
    u, ut = nn.Unfold((2, 3), padding=1, stride=2), torch.nn.Unfold((2, 3), padding=1, stride=2)
    assert repr(u) == repr(ut)
    cols = u(cytorch.tensor(x))
    assert_close(cols, ut(torch.tensor(x)).numpy())
    f, ft = nn.Fold((6, 7), (2, 3), padding=1, stride=2), torch.nn.Fold((6, 7), (2, 3), padding=1, stride=2)
    assert repr(f) == repr(ft)
    assert_close(f(cols), ft(torch.tensor(np_of(cols))).numpy())


# ---------------------------------------------------------------- the seed CNNs

def _relu(x):
    return F.relu(x) if hasattr(F, "relu") else x.relu()


def _cross_entropy(logits, target):
    if hasattr(F, "cross_entropy"):
        return F.cross_entropy(logits, target)
    return -logits.log_softmax(1).gather(1, target.reshape(-1, 1)).mean()


class SeedNet(nn.Module):
    """shared/seeds/000 §4.2 (a 54x54 input makes the flattened size 9216)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.fc1 = nn.Linear(9216, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = _relu(self.conv1(x))
        x = F.max_pool2d(x, 2, 2)
        x = _relu(self.conv2(x))
        x = F.max_pool2d(x, 2, 2)
        x = x.view(-1, 9216)
        x = _relu(self.fc1(x))
        x = _relu(self.fc2(x))
        return self.fc3(x)


class SeedCNN(nn.Module):
    """shared/seeds/003 §3.3."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels=3, out_channels=16, kernel_size=3, stride=1, padding=1)
        self.pool1 = nn.MaxPool2d(kernel_size=2, stride=2)
        self.conv2 = nn.Conv2d(in_channels=16, out_channels=32, kernel_size=3, stride=1, padding=1)
        self.pool2 = nn.MaxPool2d(kernel_size=2, stride=2)
        self.fc1 = nn.Linear(in_features=32 * 7 * 7, out_features=128)
        self.fc2 = nn.Linear(in_features=128, out_features=10)

    def forward(self, x):
        out = self.conv1(x)
        out = self.pool1(out)
        out = self.conv2(out)
        out = self.pool2(out)
        out = out.view(out.size(0), -1)
        out = self.fc1(out)
        return self.fc2(out)


@pytest.mark.parametrize("net_cls,shape", [(SeedNet, (8, 1, 54, 54)), (SeedCNN, (8, 3, 28, 28))])
def test_seed_cnns_train(net_cls, shape):
    cytorch.manual_seed(0)
    net = net_cls()
    x = cytorch.randn(*shape)
    y = cytorch.randint(0, 10, (shape[0],))
    losses = []
    for _ in range(20):
        for p in net.parameters():
            p.grad = None
        loss = _cross_entropy(net(x), y)
        loss.backward()
        with cytorch.no_grad():
            for p in net.parameters():
                p.sub_(0.02 * p.grad)
        losses.append(loss.item())
    assert np.isfinite(losses).all()
    assert all(b < a for a, b in zip(losses, losses[1:]))     # plain gradient descent on one batch
    assert losses[-1] < 0.7 * losses[0]


def test_seed_net_step_matches_torch(torch):
    """One forward/backward of the seed network in float64 with the same weights as PyTorch."""
    net = SeedNet().double()
    tnet = torch.nn.ModuleDict({k: getattr(torch.nn, type(m).__name__)(*a).double() for k, m, a in [
        ("conv1", net.conv1, (1, 32, 3)), ("conv2", net.conv2, (32, 64, 3)), ("fc1", net.fc1, (9216, 120)),
        ("fc2", net.fc2, (120, 84)), ("fc3", net.fc3, (84, 10))]})
    net.load_state_dict({k: cytorch.tensor(v.detach().numpy()) for k, v in tnet.state_dict().items()})
    x = RNG.standard_normal((2, 1, 54, 54))
    tf = torch.nn.functional
    h = tf.max_pool2d(tf.relu(tnet["conv1"](torch.tensor(x))), 2, 2)
    h = tf.max_pool2d(tf.relu(tnet["conv2"](h)), 2, 2).reshape(-1, 9216)
    out_t = tnet["fc3"](tf.relu(tnet["fc2"](tf.relu(tnet["fc1"](h)))))
    out_t.square().sum().backward()
    out_c = net(cytorch.tensor(x))
    (out_c * out_c).sum().backward()
    assert_close(out_c, out_t.detach().numpy(), rtol=1e-9, atol=1e-9)
    for name in ("conv1", "conv2", "fc1"):
        assert_close(getattr(net, name).weight.grad, tnet[name].weight.grad.numpy(), rtol=1e-8, atol=1e-8)


def test_unfold_fold_gradcheck():
    x = cytorch.rand(1, 2, 5, 4, dtype=cytorch.float64, requires_grad=True)
    kw = dict(kernel_size=(2, 3), dilation=(1, 1), padding=1, stride=(2, 1))
    assert gradcheck(lambda a: F.unfold(a, **kw), (x,))
    assert gradgradcheck(lambda a: F.unfold(a, **kw), (x,))
    cols = F.unfold(x.detach(), **kw).requires_grad_()
    assert gradcheck(lambda c: F.fold(c, (5, 4), **kw), (cols,))
    assert gradgradcheck(lambda c: F.fold(c, (5, 4), **kw), (cols,))
