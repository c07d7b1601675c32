"""Pooling: max / avg / adaptive / lp pooling in 1-3 dims, max_unpool.

max_pool2d against a direct NumPy reference (no torch needed); everything against PyTorch
(values, indices, gradients) when it is installed; gradcheck / gradgradcheck in float64."""
import numpy as np
import pytest

import cytorch
import cytorch.nn.functional as F
from cytorch.autograd import gradcheck, gradgradcheck
from conftest import assert_close, np_of

RNG = np.random.default_rng(777)


def max_pool2d_ref(x, k, s, p, d, ceil_mode):
    N, C, H, W = x.shape

    def osize(n, kk, ss, pp, dd):
        o = (n + 2 * pp - dd * (kk - 1) - 1 + (ss - 1 if ceil_mode else 0)) // ss + 1
        return o - 1 if ceil_mode and (o - 1) * ss >= n + pp else o
    OH, OW = osize(H, k[0], s[0], p[0], d[0]), osize(W, k[1], s[1], p[1], d[1])
    y = np.full((N, C, OH, OW), -np.inf)
    idx = np.zeros((N, C, OH, OW), dtype=np.int64)
    for i in range(OH):
        for j in range(OW):
            for a in range(k[0]):
                for b in range(k[1]):
                    h, w = i * s[0] - p[0] + a * d[0], j * s[1] - p[1] + b * d[1]
                    if 0 <= h < H and 0 <= w < W:
                        v = x[:, :, h, w]
                        better = v > y[:, :, i, j]
                        y[:, :, i, j] = np.where(better, v, y[:, :, i, j])
                        idx[:, :, i, j] = np.where(better, h * W + w, idx[:, :, i, j])
    return y, idx


@pytest.mark.parametrize("k,s,p,d,ceil", [
    ((2, 2), (2, 2), (0, 0), (1, 1), False),
    ((3, 3), (2, 2), (1, 1), (1, 1), True),
    ((3, 2), (1, 2), (1, 0), (2, 1), False),
    ((2, 3), (3, 2), (1, 1), (1, 2), True),
])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_max_pool2d_numpy_reference(k, s, p, d, ceil, dtype):
    x = RNG.standard_normal((2, 3, 7, 8)).astype(dtype)
    y, i = F.max_pool2d(cytorch.tensor(x), k, s, p, d, ceil_mode=ceil, return_indices=True)
    ry, ri = max_pool2d_ref(x, k, s, p, d, ceil)
    assert_close(y, ry.astype(dtype), rtol=0, atol=0)
    assert_close(i, ri, rtol=0, atol=0)


def _grads_vs_torch(torch, fc, ft, x, tol=1e-12):
    xc = cytorch.tensor(x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    yc, yt = fc(xc), ft(xt)
    assert_close(yc, yt.detach().numpy(), rtol=tol, atol=tol)
    gy = RNG.standard_normal(tuple(yt.shape)).astype(x.dtype)
    yc.backward(cytorch.tensor(gy))
    yt.backward(torch.tensor(gy))
    assert_close(xc.grad, xt.grad.numpy(), rtol=tol, atol=tol)


MAX_CASES = [
    (1, (9,), dict(kernel_size=3)),
    (1, (9,), dict(kernel_size=3, stride=2, padding=1, dilation=2, ceil_mode=True)),
    (2, (7, 8), dict(kernel_size=2)),
    (2, (7, 8), dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 1), ceil_mode=True)),
    (2, (7, 8), dict(kernel_size=3, stride=2, padding=1, dilation=2)),
    (2, (1, 1), dict(kernel_size=1)),
    (3, (4, 5, 6), dict(kernel_size=2)),
    (3, (4, 5, 6), dict(kernel_size=(2, 3, 2), stride=(1, 2, 2), padding=(1, 1, 0), ceil_mode=True)),
]


@pytest.mark.parametrize("nsp,sp,kw", MAX_CASES)
def test_max_pool_vs_torch(torch, nsp, sp, kw):
    x = RNG.standard_normal((2, 3) + sp)
    name = f"max_pool{nsp}d"
    _grads_vs_torch(torch, lambda a: getattr(F, name)(a, **kw), lambda a: getattr(torch.nn.functional, name)(a, **kw), x)
    yc, ic = getattr(F, name)(cytorch.tensor(x), return_indices=True, **kw)
    yt, it = getattr(torch.nn.functional, name)(torch.tensor(x), return_indices=True, **kw)
    assert_close(ic, it.numpy(), rtol=0, atol=0)


def test_max_pool_ties_nan_and_batch_shapes(torch):
    x = np.zeros((1, 1, 4, 4))                   # ties: the first maximum wins, as in PyTorch
    x[0, 0, 1, 2] = np.nan
    yc, ic = F.max_pool2d(cytorch.tensor(x), 2, return_indices=True)
    yt, it = torch.nn.functional.max_pool2d(torch.tensor(x), 2, return_indices=True)
    assert_close(yc, yt.numpy())
    assert_close(ic, it.numpy())
    for shape in [(0, 3, 4, 4), (3, 4, 4), (1, 1, 5, 5)]:
        a = RNG.standard_normal(shape)
        assert_close(F.max_pool2d(cytorch.tensor(a), 2), torch.nn.functional.max_pool2d(torch.tensor(a), 2).numpy())


AVG_CASES = [
    (1, (9,), dict(kernel_size=3)),
    (1, (9,), dict(kernel_size=2, padding=1, ceil_mode=True, count_include_pad=False)),
    (2, (7, 8), dict(kernel_size=2)),
    (2, (7, 8), dict(kernel_size=3, stride=2, padding=1)),
    (2, (7, 8), dict(kernel_size=3, stride=2, padding=1, count_include_pad=False, ceil_mode=True)),
    (2, (7, 8), dict(kernel_size=(3, 2), stride=(2, 3), padding=(1, 0), divisor_override=5)),
    (3, (4, 5, 6), dict(kernel_size=2, stride=(1, 2, 2), padding=1, count_include_pad=False)),
    (3, (4, 5, 6), dict(kernel_size=3, ceil_mode=True, stride=2, padding=1)),
]


@pytest.mark.parametrize("nsp,sp,kw", AVG_CASES)
def test_avg_pool_vs_torch(torch, nsp, sp, kw):
    x = RNG.standard_normal((2, 3) + sp)
    name = f"avg_pool{nsp}d"
    _grads_vs_torch(torch, lambda a: getattr(F, name)(a, **kw), lambda a: getattr(torch.nn.functional, name)(a, **kw),
                    x, tol=1e-12)


@pytest.mark.parametrize("nsp,sp,out", [(1, (10,), 3), (1, (5,), 7), (2, (7, 9), (3, 4)), (2, (7, 9), (None, 2)),
                                        (2, (5, 5), 1), (3, (4, 5, 6), (2, 3, 4))])
def test_adaptive_pools_vs_torch(torch, nsp, sp, out):
    x = RNG.standard_normal((2, 3) + sp)
    for kind in ("avg", "max"):
        name = f"adaptive_{kind}_pool{nsp}d"
        _grads_vs_torch(torch, lambda a: getattr(F, name)(a, out),
                        lambda a: getattr(torch.nn.functional, name)(a, out), x)
    yc, ic = getattr(F, f"adaptive_max_pool{nsp}d")(cytorch.tensor(x), out, return_indices=True)
    yt, it = getattr(torch.nn.functional, f"adaptive_max_pool{nsp}d")(torch.tensor(x), out, return_indices=True)
    assert_close(ic, it.numpy())


@pytest.mark.parametrize("nsp,sp,k,kw", [(1, (8,), 2, {}), (2, (6, 8), 2, {}), (2, (7, 7), 3, dict(stride=2, padding=1)),
                                         (2, (6, 8), 2, dict(output_size=(7, 9))), (3, (4, 4, 6), 2, {})])
def test_max_unpool_vs_torch(torch, nsp, sp, k, kw):
    x = RNG.standard_normal((2, 3) + sp)
    pool = dict(kernel_size=k, stride=kw.get("stride"), padding=kw.get("padding", 0))
    yt, it = getattr(torch.nn.functional, f"max_pool{nsp}d")(torch.tensor(x), return_indices=True, **pool)
    yc = cytorch.tensor(yt.numpy(), requires_grad=True)
    uc = getattr(F, f"max_unpool{nsp}d")(yc, cytorch.tensor(it.numpy()), k, **kw)
    ytr = yt.detach().clone().requires_grad_()
    ut = getattr(torch.nn.functional, f"max_unpool{nsp}d")(ytr, it, k, **kw)
    assert_close(uc, ut.detach().numpy())
    g = RNG.standard_normal(tuple(ut.shape))
    uc.backward(cytorch.tensor(g))
    ut.backward(torch.tensor(g))
    assert_close(yc.grad, ytr.grad.numpy())


def test_lp_pool_vs_torch(torch):
    x = np.abs(RNG.standard_normal((2, 3, 6, 7))) + 0.1
    for p in (1, 2, 3.5):
        _grads_vs_torch(torch, lambda a: F.lp_pool2d(a, p, 2), lambda a: torch.nn.functional.lp_pool2d(a, p, 2), x,
                        tol=1e-10)
        _grads_vs_torch(torch, lambda a: F.lp_pool1d(a[:, :, 0], p, 3, stride=2),
                        lambda a: torch.nn.functional.lp_pool1d(a[:, :, 0], p, 3, stride=2), x, tol=1e-10)


def test_float32_pools(torch):
    x = RNG.standard_normal((4, 5, 9, 9)).astype(np.float32)
    for name, kw in [("max_pool2d", dict(kernel_size=2)), ("avg_pool2d", dict(kernel_size=3, padding=1)),
                     ("adaptive_avg_pool2d", dict(output_size=4))]:
        _grads_vs_torch(torch, lambda a: getattr(F, name)(a, **kw),
                        lambda a: getattr(torch.nn.functional, name)(a, **kw), x, tol=1e-6)


# ---------------------------------------------------------------- gradcheck / gradgradcheck

def _leaf(*shape):
    # distinct values, far apart, so max pooling has no near-ties for the finite differences
    a = RNG.permutation(np.prod(shape)).reshape(shape) * 0.1 + RNG.uniform(0, 0.01, shape)
    return cytorch.tensor(a, requires_grad=True)


@pytest.mark.parametrize("f", [
    lambda a: F.max_pool2d(a, 3, 2, 1, ceil_mode=True),
    lambda a: F.max_pool1d(a[:, :, 0], 2, dilation=2),
    lambda a: F.avg_pool2d(a, 3, 2, 1, count_include_pad=False),
    lambda a: F.avg_pool2d(a, 2, divisor_override=3),
    lambda a: F.adaptive_avg_pool2d(a, (3, 2)),
    lambda a: F.adaptive_max_pool2d(a, (2, 3)),
    lambda a: F.max_pool3d(a.unsqueeze(2).expand(2, 3, 2, 5, 6), 2),
    lambda a: F.lp_pool2d(a + 0.5, 2, 2),
])
def test_pool_gradcheck(f):
    x = _leaf(2, 3, 5, 6)
    assert gradcheck(f, (x,))
    assert gradgradcheck(f, (x,))


def test_max_unpool_gradcheck():
    x = _leaf(1, 2, 4, 4)
    _, idx = F.max_pool2d(x.detach(), 2, return_indices=True)
    assert gradgradcheck(lambda a: F.max_unpool2d(a, idx, 2), (_leaf(1, 2, 2, 2),))


# ---------------------------------------------------------------- errors

@pytest.mark.parametrize("call,msg", [
    (lambda: F.max_pool2d(cytorch.randn(2, 3, 8, 8), 3, padding=2), "pad should be at most half of effective kernel size"),
    (lambda: F.max_pool2d(cytorch.randn(2, 3, 8, 8), 2, stride=0), "stride should not be zero"),
    (lambda: F.max_pool2d(cytorch.randn(3, 8), 2), "non-empty 3D or 4D (batch mode) tensor expected for input"),
    (lambda: F.max_pool2d(cytorch.randn(2, 3, 8, 8), 10), "Output size is too small"),
    (lambda: F.max_pool2d(cytorch.randn(2, 3, 8, 8), (2, 3, 4)), "kernel_size must either be a single int, or a tuple of two ints"),
    (lambda: F.avg_pool2d(cytorch.randn(2, 3, 8, 8), 3, divisor_override=0), "divisor must be not zero"),
    (lambda: F.adaptive_avg_pool2d(cytorch.randn(8), 3), "Expected 3D or 4D tensor"),
    (lambda: F.max_unpool2d(cytorch.randn(2, 3, 4, 4), cytorch.full((2, 3, 4, 4), 64, dtype=cytorch.int64), 2),
     "Found an invalid max index: 64 (output volumes are of size 8x8"),
    (lambda: F.max_unpool2d(cytorch.randn(2, 3, 4, 4), cytorch.zeros(2, 3, 4, 4, dtype=cytorch.int64), 2,
                            output_size=(11, 11)), "invalid output_size"),
    (lambda: F.max_pool2d(cytorch.ones(2, 3, 8, 8, dtype=cytorch.int64), 2), "not implemented for 'Long'"),
])
def test_errors(call, msg):
    with pytest.raises((RuntimeError, ValueError)) as e:
        call()
    assert msg in str(e.value)


def test_kernel_level_index_check():
    from cytorch._C import _conv
    with pytest.raises(RuntimeError, match="invalid max index"):
        _conv.plane_scatter(cytorch.ones(1, 1, 2), cytorch.tensor([[[0, -1]]]), (4,), True)


# ---------------------------------------------------------------- layers

import cytorch.nn as nn  # noqa: E402


@pytest.mark.parametrize("cls,args,kw,shape", [
    ("MaxPool1d", (3,), dict(stride=2, padding=1), (2, 3, 9)),
    ("MaxPool2d", ((3, 2),), dict(stride=(2, 1), dilation=(1, 2), ceil_mode=True), (2, 3, 7, 8)),
    ("MaxPool3d", (2,), {}, (1, 2, 4, 6, 6)),
    ("AvgPool1d", (3,), dict(stride=2, padding=1, count_include_pad=False), (2, 3, 9)),
    ("AvgPool2d", (3, 2, 1), dict(divisor_override=4), (2, 3, 7, 8)),
    ("AvgPool3d", (2,), dict(ceil_mode=True), (1, 2, 5, 5, 5)),
    ("AdaptiveAvgPool1d", (4,), {}, (2, 3, 9)),
    ("AdaptiveAvgPool2d", ((3, None),), {}, (2, 3, 7, 8)),
    ("AdaptiveAvgPool3d", (2,), {}, (1, 2, 4, 5, 6)),
    ("AdaptiveMaxPool1d", (4,), {}, (2, 3, 9)),
    ("AdaptiveMaxPool2d", ((3, 4),), {}, (2, 3, 7, 8)),
    ("AdaptiveMaxPool3d", ((1, 2, 3),), {}, (1, 2, 4, 5, 6)),
    ("LPPool1d", (2, 3), dict(stride=2), (2, 3, 9)),
    ("LPPool2d", (1.5, 2), {}, (2, 3, 6, 8)),
])
def test_pool_layers_vs_torch(torch, cls, args, kw, shape):
    cm, tm = getattr(nn, cls)(*args, **kw), getattr(torch.nn, cls)(*args, **kw)
    assert repr(cm) == repr(tm)
    x = np.abs(RNG.standard_normal(shape)) + 0.1
    _grads_vs_torch(torch, cm, tm, x, tol=1e-10)


def test_max_pool_unpool_layers(torch):
    x = RNG.standard_normal((1, 2, 6, 6))
    pool, unpool = nn.MaxPool2d(2, return_indices=True), nn.MaxUnpool2d(2)
    tpool, tunpool = torch.nn.MaxPool2d(2, return_indices=True), torch.nn.MaxUnpool2d(2)
    assert repr(unpool) == repr(tunpool)
    y, i = pool(cytorch.tensor(x))
    yt, it = tpool(torch.tensor(x))
    assert_close(unpool(y, i), tunpool(yt, it).numpy())
    assert_close(unpool(y, i, output_size=(7, 7)), tunpool(yt, it, output_size=(7, 7)).numpy())
    assert nn.MaxUnpool1d(2).forward(*nn.MaxPool1d(2, return_indices=True)(cytorch.tensor([[[1., 2, 3, 4]]]))).tolist() \
        == [[[0.0, 2.0, 0.0, 4.0]]]
