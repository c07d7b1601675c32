"""Paths added for small feature maps with many channels (docs/conv.md, "Convolution kernels"):
unpadded stride-1 convs read their input in place (channel-vectorised forward and weight
gradient, any kernel size), the weight gradient prepares and reduces several chunks of images
per parallel phase, and forward / input-gradient tasks are bands of output rows. Values against
NumPy loops and PyTorch, gradcheck in float64, and 1- vs 2-thread equality."""
import numpy as np
import pytest

import cytorch
import cytorch.nn.functional as F
from cytorch.autograd import gradcheck
from conftest import np_of
from test_conv import conv2d_ref

RNG = np.random.default_rng(77)


def close(a, b, rtol, atol):
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


def _threads(fn):
    old = cytorch.get_num_threads()
    try:
        out = []
        for nt in (1, 2):
            cytorch.set_num_threads(nt)
            out.append(fn())
        return out
    finally:
        cytorch.set_num_threads(old)


# >= 32 output channels and depth (Cin * taps) >= 32: the channel-vectorised kernels
@pytest.mark.parametrize("cfg", [
    dict(N=3, C=32, M=64, H=13, W=13, k=(3, 3), d=(1, 1), g=1),     # the seed CNN's second conv
    dict(N=2, C=5, M=33, H=9, W=7, k=(3, 2), d=(1, 1), g=1),        # odd channels and sizes
    dict(N=1, C=8, M=40, H=11, W=12, k=(3, 3), d=(2, 1), g=1),      # dilation
    dict(N=2, C=16, M=64, H=8, W=10, k=(2, 3), d=(1, 2), g=2),      # groups (32 per group)
])
def test_unpadded_forward_matches_numpy(cfg):
    x = RNG.standard_normal((cfg["N"], cfg["C"], cfg["H"], cfg["W"]))
    w = RNG.standard_normal((cfg["M"], cfg["C"] // cfg["g"]) + cfg["k"])
    b = RNG.standard_normal(cfg["M"])
    ref = conv2d_ref(x, w, b, (1, 1), (0, 0), cfg["d"], cfg["g"])
    for dt, tol in ((np.float64, 1e-10), (np.float32, 1e-4)):
        y = F.conv2d(cytorch.from_numpy(x.astype(dt)), cytorch.from_numpy(w.astype(dt)),
                     cytorch.from_numpy(b.astype(dt)), dilation=cfg["d"], groups=cfg["g"])
        assert y.shape == ref.shape
        close(np_of(y), ref, rtol=tol, atol=tol * 10)


def test_unpadded_gradients_gradcheck():
    x = cytorch.from_numpy(RNG.standard_normal((2, 4, 6, 5))).requires_grad_()
    w = cytorch.from_numpy(RNG.standard_normal((32, 4, 3, 3))).requires_grad_()
    b = cytorch.from_numpy(RNG.standard_normal(32)).requires_grad_()
    assert gradcheck(lambda x, w, b: F.conv2d(x, w, b), (x, w, b))


@pytest.mark.parametrize("dim", [1, 3])
def test_unpadded_conv1d_conv3d_vs_torch(torch, dim):
    shape = {1: (3, 12, 17), 3: (2, 6, 5, 6, 7)}[dim]
    kern = {1: (3,), 3: (2, 3, 2)}[dim]
    x = RNG.standard_normal(shape)
    w = RNG.standard_normal((48, shape[1]) + kern)
    f = getattr(F, f"conv{dim}d")
    tf = getattr(torch.nn.functional, f"conv{dim}d")
    cx, cw = cytorch.from_numpy(x).requires_grad_(), cytorch.from_numpy(w).requires_grad_()
    tx, tw = torch.from_numpy(x).requires_grad_(), torch.from_numpy(w).requires_grad_()
    y, yt = f(cx, cw), tf(tx, tw)
    close(np_of(y), yt.detach().numpy(), rtol=1e-10, atol=1e-10)
    gy = RNG.standard_normal(yt.shape)
    y.backward(cytorch.from_numpy(gy))
    yt.backward(torch.from_numpy(gy))
    close(np_of(cx.grad), tx.grad.numpy(), rtol=1e-10, atol=1e-10)
    close(np_of(cw.grad), tw.grad.numpy(), rtol=1e-10, atol=1e-9)


@pytest.mark.parametrize("pad", [0, 1])
def test_weight_grad_over_many_chunk_groups_vs_torch(torch, pad):
    # ~0.5 MB per image: one image per chunk, several groups of chunks
    x = RNG.standard_normal((30, 64, 32, 32)).astype(np.float32)
    w = RNG.standard_normal((64, 64, 3, 3)).astype(np.float32)
    ho = 32 + 2 * pad - 2
    gy = RNG.standard_normal((30, 64, ho, ho)).astype(np.float32)
    cx, cw = cytorch.from_numpy(x).requires_grad_(), cytorch.from_numpy(w).requires_grad_()
    tx, tw = torch.from_numpy(x).requires_grad_(), torch.from_numpy(w).requires_grad_()

    def run():
        cx.grad = cw.grad = None
        F.conv2d(cx, cw, padding=pad).backward(cytorch.from_numpy(gy))
        return np_of(cx.grad), np_of(cw.grad)
    (gx1, gw1), (gx2, gw2) = _threads(run)
    np.testing.assert_array_equal(gx1, gx2)
    np.testing.assert_array_equal(gw1, gw2)
    torch.nn.functional.conv2d(tx, tw, padding=pad).backward(torch.from_numpy(gy))
    close(gx1, tx.grad.numpy(), rtol=1e-3, atol=1e-2)
    close(gw1, tw.grad.numpy(), rtol=1e-3, atol=0.5)


@pytest.mark.parametrize("n,hw", [(1, 23), (2, 5), (7, 13)])
def test_row_bands_same_for_1_and_2_threads(torch, n, hw):
    # one image: its rows are split in bands; many images: a task is a whole plane
    x = cytorch.randn(n, 32, hw, hw + 2)
    w = cytorch.randn(64, 32, 3, 3)

    def run():
        xg, wg = x.clone().requires_grad_(), w.clone().requires_grad_()
        y = F.conv2d(xg, wg)
        y.backward(cytorch.ones_like(y) * 0.5)
        return np_of(y), np_of(xg.grad), np_of(wg.grad)
    a, b = _threads(run)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    tx, tw = torch.from_numpy(np_of(x)).requires_grad_(), torch.from_numpy(np_of(w)).requires_grad_()
    yt = torch.nn.functional.conv2d(tx, tw)
    yt.backward(torch.ones_like(yt) * 0.5)
    close(a[0], yt.detach().numpy(), rtol=1e-4, atol=1e-3)
    close(a[1], tx.grad.numpy(), rtol=1e-4, atol=1e-3)
    close(a[2], tw.grad.numpy(), rtol=1e-4, atol=1e-2)


def test_broadcast_gradient_into_both_kernels():
    # y.sum().backward() hands conv's backward an expanded (stride-0) gradient
    x = cytorch.from_numpy(RNG.standard_normal((2, 3, 6, 6))).requires_grad_()
    w = cytorch.from_numpy(RNG.standard_normal((4, 3, 3, 3))).requires_grad_()
    F.conv2d(x, w).sum().backward()
    xn, wn = np_of(x), np_of(w)
    gw = np.stack([[[[xn[:, c, p:p + 4, q:q + 4].sum() for q in range(3)] for p in range(3)]
                    for c in range(3)]] * 4)
    gx = np.zeros_like(xn)
    for p in range(3):
        for q in range(3):
            gx[:, :, p:p + 4, q:q + 4] += wn[:, :, p, q].sum(0)[None, :, None, None]
    close(np_of(w.grad), gw, rtol=1e-10, atol=1e-10)
    close(np_of(x.grad), gx, rtol=1e-10, atol=1e-10)
