"""Resampling and rearranging: interpolate (nearest, nearest-exact, linear, bilinear, bicubic,
trilinear, area), grid_sample, affine_grid, pixel_shuffle / pixel_unshuffle, channel_shuffle.

Simple cases against hand-computed values (no torch needed); everything against PyTorch with
gradients; gradcheck / gradgradcheck in float64."""
import numpy as np
import pytest

import cytorch
import cytorch.nn.functional as F
from cytorch.autograd import gradcheck, gradgradcheck
from conftest import assert_close, np_of

RNG = np.random.default_rng(99)


def test_known_values():
    x = cytorch.tensor([[[1.0, 2.0, 4.0]]])
    assert F.interpolate(x, size=6, mode="nearest").tolist() == [[[1.0, 1.0, 2.0, 2.0, 4.0, 4.0]]]
    assert_close(F.interpolate(x, size=5, mode="linear", align_corners=True), np.array([[[1, 1.5, 2, 3, 4.0]]], dtype=np.float32))
    assert F.interpolate(x, size=2, mode="area").tolist() == [[[1.5, 3.0]]]
    # bicubic keeps constants (the weights sum to one)
    assert_close(F.interpolate(cytorch.ones(1, 1, 3, 4), scale_factor=1.7, mode="bicubic"), np.ones((1, 1, 5, 6), dtype=np.float32))


def _check(torch, fc, ft, x, tol):
    xc = cytorch.tensor(x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    yc, yt = fc(xc), ft(xt)
    assert yc.shape == tuple(yt.shape)
    assert_close(yc, yt.detach().numpy(), rtol=tol, atol=tol)
    gy = RNG.standard_normal(tuple(yt.shape)).astype(x.dtype)
    yc.backward(cytorch.tensor(gy))
    yt.backward(torch.tensor(gy))
    assert_close(xc.grad, xt.grad.numpy(), rtol=tol, atol=tol)


INTERP = [
    ((1, 3, 7), dict(size=12, mode="nearest")),
    ((1, 3, 7), dict(scale_factor=2.0, mode="nearest")),
    ((1, 3, 7), dict(scale_factor=0.6, mode="nearest")),
    ((1, 3, 7), dict(size=5, mode="nearest-exact")),
    ((1, 3, 7), dict(scale_factor=1.5, mode="linear")),
    ((1, 3, 7), dict(size=4, mode="linear", align_corners=True)),
    ((2, 3, 5, 6), dict(size=(9, 4), mode="nearest")),
    ((2, 3, 5, 6), dict(scale_factor=(2.0, 1.5), mode="nearest-exact")),
    ((2, 3, 5, 6), dict(scale_factor=2.0, mode="bilinear")),
    ((2, 3, 5, 6), dict(size=(3, 11), mode="bilinear", align_corners=True)),
    ((2, 3, 5, 6), dict(scale_factor=1.3, mode="bilinear", recompute_scale_factor=True)),
    ((2, 3, 5, 6), dict(size=(8, 9), mode="bicubic")),
    ((2, 3, 5, 6), dict(scale_factor=(0.7, 2.2), mode="bicubic", align_corners=True)),
    ((2, 3, 5, 6), dict(size=(3, 4), mode="area")),
    ((1, 2, 3, 4, 5), dict(size=(5, 3, 7), mode="trilinear")),
    ((1, 2, 3, 4, 5), dict(scale_factor=2.0, mode="trilinear", align_corners=True)),
    ((1, 2, 3, 4, 5), dict(scale_factor=(1.0, 2.0, 0.5), mode="nearest")),
    ((1, 2, 3, 4, 5), dict(size=(2, 2, 2), mode="area")),
    ((2, 3, 1, 1), dict(size=(3, 3), mode="bilinear")),
]


@pytest.mark.parametrize("shape,kw", INTERP)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_interpolate_vs_torch(torch, shape, kw, dtype):
    x = RNG.standard_normal(shape).astype(dtype)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    _check(torch, lambda a: F.interpolate(a, **kw), lambda a: torch.nn.functional.interpolate(a, **kw), x, tol)


@pytest.mark.parametrize("kw", [dict(scale_factor=2.0, mode="bilinear", align_corners=False),
                                dict(size=(4, 7), mode="bicubic", align_corners=True),
                                dict(size=(7, 4), mode="nearest")])
def test_interpolate_gradgradcheck(kw):
    x = cytorch.tensor(RNG.standard_normal((1, 2, 3, 3)), requires_grad=True)
    assert gradcheck(lambda a: F.interpolate(a, **kw), (x,))
    assert gradgradcheck(lambda a: F.interpolate(a, **kw), (x,))


def test_upsample_aliases(torch):
    x = RNG.standard_normal((1, 2, 3, 4))
    assert_close(F.upsample_bilinear(cytorch.tensor(x), scale_factor=2),
                 torch.nn.functional.interpolate(torch.tensor(x), scale_factor=2, mode="bilinear",
                                                 align_corners=True).numpy(), rtol=1e-12)
    assert_close(F.upsample_nearest(cytorch.tensor(x), size=(5, 5)),
                 torch.nn.functional.interpolate(torch.tensor(x), size=(5, 5)).numpy())
    assert_close(F.upsample(cytorch.tensor(x), scale_factor=3), np.repeat(np.repeat(x, 3, 2), 3, 3))


@pytest.mark.parametrize("call,exc,msg", [
    (lambda: F.interpolate(cytorch.randn(1, 2, 3), size=4, scale_factor=2), ValueError,
     "only one of size or scale_factor should be defined"),
    (lambda: F.interpolate(cytorch.randn(1, 2, 3)), ValueError, "either size or scale_factor should be defined"),
    (lambda: F.interpolate(cytorch.randn(1, 2, 3), size=4, align_corners=True), ValueError,
     "align_corners option can only be set with the interpolating modes"),
    (lambda: F.interpolate(cytorch.randn(1, 2, 3), size=4, mode="bilinear"), NotImplementedError,
     "Got 3D input, but bilinear mode needs 4D input"),
    (lambda: F.interpolate(cytorch.randn(1, 2, 3, 3), size=(4,)), ValueError,
     "Input and output must have the same number of spatial dimensions"),
    (lambda: F.interpolate(cytorch.randn(1, 2, 3, 3), size=4, mode="bilinear", antialias=True),
     NotImplementedError, "antialias"),
    (lambda: F.interpolate(cytorch.randn(1, 2, 3), size=4, recompute_scale_factor=True), ValueError,
     "recompute_scale_factor is not meaningful with an explicit size"),
])
def test_interpolate_errors(call, exc, msg):
    with pytest.raises(exc) as e:
        call()
    assert msg in str(e.value)


# ---------------------------------------------------------------- grid_sample / affine_grid

@pytest.mark.parametrize("mode", ["bilinear", "nearest", "bicubic"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
def test_grid_sample_vs_torch(torch, mode, padding_mode, align_corners):
    x = RNG.standard_normal((2, 3, 5, 6))
    grid = RNG.uniform(-1.3, 1.3, (2, 4, 7, 2))
    kw = dict(mode=mode, padding_mode=padding_mode, align_corners=align_corners)
    xc, gc = cytorch.tensor(x, requires_grad=True), cytorch.tensor(grid, requires_grad=True)
    xt, gt = torch.tensor(x, requires_grad=True), torch.tensor(grid, requires_grad=True)
    yc = F.grid_sample(xc, gc, **kw)
    yt = torch.nn.functional.grid_sample(xt, gt, **kw)
    assert_close(yc, yt.detach().numpy(), rtol=1e-10, atol=1e-10)
    gy = RNG.standard_normal(tuple(yt.shape))
    yc.backward(cytorch.tensor(gy))
    yt.backward(torch.tensor(gy))
    assert_close(xc.grad, xt.grad.numpy(), rtol=1e-10, atol=1e-10)
    assert_close(gc.grad, gt.grad.numpy(), rtol=1e-9, atol=1e-9)


def test_grid_sample_float32_and_gradcheck(torch):
    x = RNG.standard_normal((1, 2, 4, 4)).astype(np.float32)
    grid = RNG.uniform(-1, 1, (1, 3, 3, 2)).astype(np.float32)
    y = F.grid_sample(cytorch.tensor(x), cytorch.tensor(grid), align_corners=False)
    assert_close(y, torch.nn.functional.grid_sample(torch.tensor(x), torch.tensor(grid), align_corners=False).numpy(),
                 rtol=1e-5, atol=1e-6)
    xc = cytorch.tensor(x.astype(np.float64), requires_grad=True)
    gc = cytorch.tensor(grid.astype(np.float64) * 0.9, requires_grad=True)
    assert gradcheck(lambda a, b: F.grid_sample(a, b, padding_mode="border", align_corners=True), (xc, gc))


def test_grid_sample_double_backward_raises():
    x = cytorch.randn(1, 1, 3, 3, dtype=cytorch.float64, requires_grad=True)
    grid = cytorch.rand(1, 2, 2, 2, dtype=cytorch.float64, requires_grad=True)
    gx, = cytorch.autograd.grad(F.grid_sample(x, grid, align_corners=False).sum(), (x,), create_graph=True)
    with pytest.raises(RuntimeError, match="derivative for 'grid_sampler_2d_backward' is not implemented"):
        gx.sum().backward()


@pytest.mark.parametrize("size,align", [((2, 3, 4, 5), False), ((2, 3, 4, 5), True), ((2, 1, 1, 3), False),
                                        ((2, 3, 2, 4, 5), False), ((2, 3, 2, 4, 5), True)])
def test_affine_grid_vs_torch(torch, size, align):
    n = len(size) - 2
    theta = RNG.standard_normal((2, n, n + 1))
    tc, tt = cytorch.tensor(theta, requires_grad=True), torch.tensor(theta, requires_grad=True)
    gc, gt = F.affine_grid(tc, size, align_corners=align), torch.nn.functional.affine_grid(tt, size, align_corners=align)
    assert_close(gc, gt.detach().numpy(), rtol=1e-12, atol=1e-12)
    g = RNG.standard_normal(tuple(gt.shape))
    gc.backward(cytorch.tensor(g))
    gt.backward(torch.tensor(g))
    assert_close(tc.grad, tt.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_affine_grid_identity_samples_the_input():
    x = cytorch.tensor(RNG.standard_normal((1, 2, 4, 5)))
    theta = cytorch.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]], dtype=cytorch.float64)
    for align in (False, True):
        grid = F.affine_grid(theta, (1, 2, 4, 5), align_corners=align)
        assert_close(F.grid_sample(x, grid, align_corners=align), np_of(x), rtol=1e-12, atol=1e-12)


def test_affine_grid_errors():
    with pytest.raises(ValueError, match="Expected a batch of 2D affine matrices of shape Nx2x3"):
        F.affine_grid(cytorch.randn(1, 3, 3), (1, 1, 2, 2))
    with pytest.raises(NotImplementedError, match="affine_grid only supports 4D and 5D sizes"):
        F.affine_grid(cytorch.randn(1, 2, 3), (1, 1, 2))


# ---------------------------------------------------------------- pixel / channel shuffles

def test_pixel_shuffle_roundtrip_and_vs_torch(torch):
    x = RNG.standard_normal((2, 3, 8, 4, 6))
    y = F.pixel_shuffle(cytorch.tensor(x), 2)
    assert_close(y, torch.nn.functional.pixel_shuffle(torch.tensor(x), 2).numpy())
    assert_close(F.pixel_unshuffle(y, 2), x)
    assert_close(F.pixel_unshuffle(cytorch.tensor(x), 2),
                 torch.nn.functional.pixel_unshuffle(torch.tensor(x), 2).numpy())
    assert gradcheck(lambda a: F.pixel_shuffle(a, 2), (cytorch.tensor(x[0, :, :, :2, :2], requires_grad=True),))


def test_channel_shuffle(torch):
    x = RNG.standard_normal((2, 6, 3, 2))
    assert_close(F.channel_shuffle(cytorch.tensor(x), 3),
                 torch.nn.functional.channel_shuffle(torch.tensor(x), 3).numpy())
    assert F.channel_shuffle(cytorch.arange(4.0).reshape(1, 4, 1), 2).reshape(-1).tolist() == [0.0, 2.0, 1.0, 3.0]


@pytest.mark.parametrize("call,msg", [
    (lambda: F.pixel_shuffle(cytorch.randn(2, 3, 4, 4), 2), "is not divisible by 4"),
    (lambda: F.pixel_shuffle(cytorch.randn(4, 4), 2), "pixel_shuffle expects input to have at least 3 dimensions"),
    (lambda: F.pixel_unshuffle(cytorch.randn(1, 3, 5, 4), 2), "expects height to be divisible by downscale_factor"),
    (lambda: F.channel_shuffle(cytorch.randn(1, 5, 2, 2), 2), "Number of channels must be divisible by groups"),
])
def test_shuffle_errors(call, msg):
    with pytest.raises(RuntimeError) as e:
        call()
    assert msg in str(e.value)


# ---------------------------------------------------------------- layers

import cytorch.nn as nn  # noqa: E402


@pytest.mark.parametrize("cls,args,kw,shape", [
    ("Upsample", (), dict(scale_factor=2), (1, 2, 3, 4)),
    ("Upsample", (), dict(size=(5, 7), mode="bilinear"), (1, 2, 3, 4)),
    ("Upsample", (), dict(scale_factor=(2.0, 1.5), mode="bicubic", align_corners=True), (1, 2, 3, 4)),
    ("Upsample", (), dict(scale_factor=2, mode="trilinear"), (1, 2, 2, 3, 4)),
    ("Upsample", (), dict(size=6, mode="linear"), (2, 3, 4)),
    ("UpsamplingNearest2d", (), dict(scale_factor=3), (1, 2, 3, 4)),
    ("UpsamplingBilinear2d", (), dict(size=(6, 5)), (1, 2, 3, 4)),
    ("PixelShuffle", (2,), {}, (1, 8, 3, 4)),
    ("PixelUnshuffle", (2,), {}, (1, 2, 4, 6)),
    ("ChannelShuffle", (3,), {}, (2, 6, 2, 2)),
])
def test_resampling_layers_vs_torch(torch, cls, args, kw, shape):
    cm, tm = getattr(nn, cls)(*args, **kw), getattr(torch.nn, cls)(*args, **kw)
    assert repr(cm) == repr(tm)
    x = RNG.standard_normal(shape)
    _check(torch, cm, tm, x, 1e-12)
