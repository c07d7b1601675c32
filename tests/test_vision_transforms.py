"""cytorch.vision.transforms: functional ops vs NumPy/SciPy/Pillow references (and PyTorch's
interpolate/grid_sample when installed), the transform classes, reproducibility, reprs, errors."""
import colorsys
import math

import numpy as np
import pytest

import cytorch
from cytorch._C import _image
from cytorch.vision import transforms as T
from cytorch.vision.transforms import functional as F
from conftest import assert_close, np_of

try:
    from PIL import Image as PIL
except ImportError:             # Pillow is optional: only the PIL-image tests skip without it
    PIL = None
needs_pil = pytest.mark.skipif(PIL is None, reason="Pillow is not installed")


def rand_img(c, h, w, seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    if dtype == np.uint8:
        return rng.integers(0, 256, (c, h, w), dtype=np.uint8)
    return rng.random((c, h, w)).astype(dtype)


# ------------------------------------------------------------------------------------------------
# NumPy references

def np_bilinear(a, oh, ow):
    """align_corners=False bilinear resize without antialiasing, one axis at a time."""
    def axis_weights(n_in, n_out):
        src = np.maximum((np.arange(n_out) + 0.5) * n_in / n_out - 0.5, 0.0)
        i0 = np.floor(src).astype(int)
        i0 = np.minimum(i0, n_in - 1)
        i1 = np.minimum(i0 + 1, n_in - 1)
        lam = src - i0
        m = np.zeros((n_out, n_in))
        np.add.at(m, (np.arange(n_out), i0), 1 - lam)
        np.add.at(m, (np.arange(n_out), i1), lam)
        return m
    wy, wx = axis_weights(a.shape[-2], oh), axis_weights(a.shape[-1], ow)
    return np.einsum("ih,chw,jw->cij", wy, a.astype(np.float64), wx)


def np_pil_weights(n_in, n_out, support, kernel):
    """Antialiased (PIL-style) weights: the filter widened by the downscale factor, taps outside the
    image dropped and the rest renormalised."""
    scale = n_in / n_out
    fs = max(scale, 1.0)
    m = np.zeros((n_out, n_in))
    for i in range(n_out):
        center = (i + 0.5) * scale
        x = np.arange(n_in)
        w = kernel((x + 0.5 - center) / fs)
        w[np.abs(x + 0.5 - center) >= support * fs] = 0
        m[i] = w / w.sum()
    return m


def tri(x):
    return np.maximum(1 - np.abs(x), 0)


def cubic_a05(x):
    a, x = -0.5, np.abs(x)
    return np.where(x < 1, ((a + 2) * x - (a + 3)) * x * x + 1,
                    np.where(x < 2, (((x - 5) * x + 8) * x - 4) * a, 0.0))


# ------------------------------------------------------------------------------------------------
# resize

@pytest.mark.parametrize("oh,ow", [(5, 7), (20, 30), (37, 19), (80, 100)])
def test_resize_bilinear_no_antialias_matches_numpy(oh, ow):
    a = rand_img(3, 37, 53)
    out = F.resize(cytorch.from_numpy(a), [oh, ow], antialias=False)
    assert_close(out, np_bilinear(a, oh, ow).astype(np.float32), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("mode,support,kernel", [("bilinear", 1, tri), ("bicubic", 2, cubic_a05)])
@pytest.mark.parametrize("oh,ow", [(9, 11), (30, 20), (70, 90)])
def test_resize_antialias_matches_numpy(mode, support, kernel, oh, ow):
    a = rand_img(2, 33, 41, seed=1).astype(np.float64)
    out = F.resize(cytorch.from_numpy(a), [oh, ow], interpolation=T.InterpolationMode(mode), antialias=True)
    wy = np_pil_weights(33, oh, support, kernel)
    wx = np_pil_weights(41, ow, support, kernel)
    assert_close(out, np.einsum("ih,chw,jw->cij", wy, a, wx), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("antialias", [False, True])
@pytest.mark.parametrize("oh,ow", [(5, 7), (20, 30), (37, 19), (80, 100)])
def test_resize_matches_torch_interpolate(torch, mode, antialias, oh, ow):
    a = rand_img(3, 37, 53, seed=2)
    out = F.resize(cytorch.from_numpy(a), [oh, ow], interpolation=T.InterpolationMode(mode), antialias=antialias)
    ref = torch.nn.functional.interpolate(torch.from_numpy(a)[None], size=(oh, ow), mode=mode,
                                          align_corners=False, antialias=antialias)[0].numpy()
    assert_close(out, ref, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("mode", ["nearest", "nearest-exact"])
@pytest.mark.parametrize("oh,ow", [(3, 7), (16, 9), (50, 41), (13, 13)])
def test_resize_nearest_matches_torch(torch, mode, oh, ow):
    a = rand_img(2, 13, 17, seed=3, dtype=np.uint8)
    out = F.resize(cytorch.from_numpy(a), [oh, ow], interpolation=T.InterpolationMode(mode))
    ref = torch.nn.functional.interpolate(torch.from_numpy(a)[None], size=(oh, ow), mode=mode)[0].numpy()
    assert out.dtype == cytorch.uint8
    np.testing.assert_array_equal(np_of(out), ref)


def test_resize_nearest_numpy():
    a = rand_img(1, 4, 6, dtype=np.uint8)
    out = np_of(F.resize(cytorch.from_numpy(a), [8, 3], interpolation=T.InterpolationMode.NEAREST))
    np.testing.assert_array_equal(out, a[:, np.arange(8) // 2][:, :, np.arange(3) * 2])


@needs_pil
def test_resize_uint8_close_to_pil():
    a = rand_img(3, 40, 60, seed=4, dtype=np.uint8)
    pil = PIL.fromarray(a.transpose(1, 2, 0))
    for size in ([17, 23], [90, 70]):
        ours = np_of(F.resize(cytorch.from_numpy(a), size)).astype(int)
        ref = np.asarray(pil.resize(size[::-1], PIL.BILINEAR)).transpose(2, 0, 1).astype(int)
        assert np.abs(ours - ref).max() <= 1


def test_resize_int_size_and_max_size():
    x = cytorch.zeros(3, 30, 60)
    assert F.resize(x, 10).shape == (3, 10, 20)
    assert F.resize(x, [10]).shape == (3, 10, 20)
    assert F.resize(cytorch.zeros(3, 60, 30), 10).shape == (3, 20, 10)
    assert F.resize(x, 10, max_size=15).shape == (3, 7, 15)
    assert F.resize(x, None, max_size=40).shape == (3, 20, 40)
    with pytest.raises(ValueError, match="max_size"):
        F.resize(x, [10, 10], max_size=20)
    with pytest.raises(ValueError, match="strictly greater"):
        F.resize(x, 10, max_size=10)
    with pytest.raises(ValueError, match="1 or 2 element"):
        F.resize(x, [1, 2, 3])
    same = F.resize(x, [30, 60])
    assert same is x


@needs_pil
def test_resize_batch_dims_numpy_and_pil_kinds():
    x = cytorch.from_numpy(rand_img(6, 10, 12)).reshape(2, 3, 10, 12)
    out = F.resize(x, [5, 6])
    assert out.shape == (2, 3, 5, 6)
    assert_close(out[1], F.resize(x[1], [5, 6]))
    arr = rand_img(3, 10, 12, dtype=np.uint8).transpose(1, 2, 0).copy()
    res = F.resize(arr, [5, 6], antialias=False)
    assert isinstance(res, np.ndarray) and res.shape == (5, 6, 3) and res.dtype == np.uint8
    ref = np.clip(np.round(np_bilinear(arr.transpose(2, 0, 1), 5, 6)), 0, 255).astype(np.uint8)
    assert np.abs(res.transpose(2, 0, 1).astype(int) - ref.astype(int)).max() <= 1
    assert F.resize(arr[:, :, 0], [5, 6]).shape == (5, 6)
    img = F.resize(PIL.fromarray(arr), [5, 6])
    assert isinstance(img, PIL.Image) and img.size == (6, 5)


def test_resize_errors():
    with pytest.raises(TypeError, match="interpolation"):
        F.resize(cytorch.zeros(1, 4, 4), [2, 2], interpolation="cubic-spline")
    with pytest.raises(ValueError, match="supports nearest"):
        F.resize(cytorch.zeros(1, 4, 4), [2, 2], interpolation=T.InterpolationMode.LANCZOS)
    with pytest.raises(TypeError, match="float32 or float64"):
        _image.resize(cytorch.zeros(1, 4, 4, dtype=cytorch.int32), 2, 2)
    with pytest.raises(ValueError, match="planes, h, w"):
        _image.resize(cytorch.zeros(4, 4), 2, 2)
    with pytest.raises(ValueError, match="positive"):
        _image.resize(cytorch.zeros(1, 4, 4), 0, 2)


def test_resize_weights_shim():
    start, w = _image.resize_weights(10, 4, "bilinear", True)
    np.testing.assert_allclose(w.sum(axis=1), 1.0)
    assert (start >= 0).all() and (start + w.shape[1] <= 10).all()


# ------------------------------------------------------------------------------------------------
# crops, pads, flips

@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "symmetric"])
@pytest.mark.parametrize("padding", [3, [1, 2], [0, 1, 2, 3], [7, 5, 6, 9]])
def test_pad_matches_numpy(mode, padding):
    a = rand_img(2, 4, 5, dtype=np.uint8)
    p = F._parse_padding(padding)
    out = F.pad(cytorch.from_numpy(a), padding, fill=7, padding_mode=mode)
    kw = {"constant_values": 7} if mode == "constant" else {}
    ref = np.pad(a, ((0, 0), (p[1], p[3]), (p[0], p[2])), mode=mode, **kw)
    np.testing.assert_array_equal(np_of(out), ref)


def test_pad_negative_crops_and_per_channel_fill():
    a = rand_img(3, 6, 6)
    out = F.pad(cytorch.from_numpy(a), [-1, 2, 1, -2], fill=(0.1, 0.2, 0.3))
    ref = np.pad(a[:, :4, 1:], ((0, 0), (2, 0), (0, 1)))
    ref[:, :2, :] = np.array([0.1, 0.2, 0.3], np.float32)[:, None, None]
    ref[:, :, -1:] = np.array([0.1, 0.2, 0.3], np.float32)[:, None, None]
    assert_close(out, ref)
    with pytest.raises(ValueError, match="number of channels"):
        F.pad(cytorch.from_numpy(a), 1, fill=(1, 2))
    with pytest.raises(ValueError, match="Padding mode"):
        F.pad(cytorch.from_numpy(a), 1, padding_mode="wrap")
    with pytest.raises(ValueError, match="1, 2, or 4"):
        F.pad(cytorch.from_numpy(a), [1, 2, 3])


@needs_pil
def test_pad_pil_and_numpy():
    a = rand_img(3, 4, 5, dtype=np.uint8).transpose(1, 2, 0).copy()
    img = F.pad(PIL.fromarray(a), [1, 2], fill=(9, 8, 7))
    ref = np.pad(a, ((2, 2), (1, 1), (0, 0)))
    ref[:2], ref[-2:], ref[:, :1], ref[:, -1:] = (9, 8, 7), (9, 8, 7), (9, 8, 7), (9, 8, 7)
    np.testing.assert_array_equal(np.asarray(img), ref)
    np.testing.assert_array_equal(F.pad(a, 2, padding_mode="reflect"),
                                  np.pad(a, ((2, 2), (2, 2), (0, 0)), mode="reflect"))


@needs_pil
def test_crop_center_crop_flips():
    a = rand_img(3, 7, 9)
    x = cytorch.from_numpy(a)
    assert_close(F.crop(x, 1, 2, 3, 4), a[:, 1:4, 2:6])
    out = F.crop(x, -1, 7, 3, 4)                  # partly outside: zeros there
    ref = np.zeros((3, 3, 4), np.float32)
    ref[:, 1:, :2] = a[:, :2, 7:]
    assert_close(out, ref)
    assert_close(F.center_crop(x, 3), a[:, 2:5, 3:6])
    assert_close(F.center_crop(x, [4, 5]), a[:, 2:6, 2:7])  # round((7-4)/2) = 2 (half to even)
    big = F.center_crop(x, [9, 10])
    assert big.shape == (3, 9, 10)
    assert_close(big[:, 1:8, 0:9], a)
    assert_close(F.hflip(x), a[:, :, ::-1].copy())
    assert_close(F.vflip(x), a[:, ::-1, :].copy())
    pil = PIL.fromarray((a.transpose(1, 2, 0) * 255).astype(np.uint8))
    np.testing.assert_array_equal(np.asarray(F.hflip(pil)), np.asarray(pil)[:, ::-1])
    np.testing.assert_array_equal(np.asarray(F.center_crop(pil, 3)), np.asarray(pil)[2:5, 3:6])


# ------------------------------------------------------------------------------------------------
# rotate / affine / perspective

def scipy_warp(a, coords_fn, fill):
    from scipy import ndimage
    c, h, w = a.shape
    ii, jj = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    x, y = coords_fn(jj.astype(np.float64), ii.astype(np.float64))
    return np.stack([ndimage.map_coordinates(a[k].astype(np.float64), [y, x], order=1, mode="grid-constant",
                                             cval=fill) for k in range(c)])


def test_rotate_bilinear_matches_scipy():
    a = rand_img(2, 11, 14, seed=5).astype(np.float64)
    angle = 23.0
    out = F.rotate(cytorch.from_numpy(a), angle, interpolation=T.InterpolationMode.BILINEAR, fill=0.25)
    t = math.radians(angle)

    def coords(j, i):       # output pixel -> input pixel; counter-clockwise on screen (y down)
        cx, cy = (14 - 1) / 2, (11 - 1) / 2
        dx, dy = j - cx, i - cy
        return cx + math.cos(t) * dx - math.sin(t) * dy, cy + math.sin(t) * dx + math.cos(t) * dy
    assert_close(out, scipy_warp(a, coords, 0.25), rtol=1e-9, atol=1e-9)


def test_affine_bilinear_matches_scipy():
    a = rand_img(3, 12, 10, seed=6).astype(np.float64)
    angle, (tx, ty), scale, shear = 30.0, (2, -1), 1.3, (10.0, 0.0)
    out = F.affine(cytorch.from_numpy(a), angle, [tx, ty], scale, list(shear),
                   interpolation=T.InterpolationMode.BILINEAR)
    rot, sx = math.radians(angle), math.radians(shear[0])
    fwd = scale * np.array([[math.cos(rot), -math.sin(rot)], [math.sin(rot), math.cos(rot)]]) @ np.array(
        [[1, -math.tan(sx)], [0, 1]])
    inv = np.linalg.inv(fwd)

    def coords(j, i):
        cx, cy = (10 - 1) / 2, (12 - 1) / 2
        dx, dy = j - cx - tx, i - cy - ty
        return cx + inv[0, 0] * dx + inv[0, 1] * dy, cy + inv[1, 0] * dx + inv[1, 1] * dy
    assert_close(out, scipy_warp(a, coords, 0.0), rtol=1e-9, atol=1e-9)


def test_rotate_90_nearest_exact_and_expand():
    a = rand_img(3, 5, 7, dtype=np.uint8)
    x = cytorch.from_numpy(a)
    out = F.rotate(x, 90, expand=True)
    assert out.shape == (3, 7, 5)
    np.testing.assert_array_equal(np_of(out), np.rot90(a, 1, axes=(1, 2)))
    sq = rand_img(1, 6, 6, dtype=np.uint8)
    np.testing.assert_array_equal(np_of(F.rotate(cytorch.from_numpy(sq), -90)), np.rot90(sq, -1, axes=(1, 2)))
    assert F.rotate(x, 45, expand=True).shape == (3, 9, 9)


@needs_pil
def test_rotate_and_affine_tensor_vs_pil():
    a = rand_img(3, 9, 11, dtype=np.uint8)
    pil = PIL.fromarray(a.transpose(1, 2, 0))
    for angle in (90, 180, -90):
        ours = np_of(F.rotate(cytorch.from_numpy(a), angle)).transpose(1, 2, 0)
        np.testing.assert_array_equal(ours, np.asarray(F.rotate(pil, angle)))
    ours = np_of(F.affine(cytorch.from_numpy(a), 0.0, [2, -3], 1.0, 0.0, fill=5)).transpose(1, 2, 0)
    np.testing.assert_array_equal(ours, np.asarray(F.affine(pil, 0.0, [2, -3], 1.0, 0.0, fill=5)))


def test_warp_matches_torch_grid_sample(torch):
    a = rand_img(2, 13, 17, seed=7).astype(np.float64)
    angle = 17.0
    out = F.rotate(cytorch.from_numpy(a), angle, interpolation=T.InterpolationMode.BILINEAR)
    t = math.radians(angle)
    # the same rotation as a normalised affine_grid theta (square-pixel aware)
    theta = np.array([[math.cos(t), -math.sin(t) * 13 / 17, 0], [math.sin(t) * 17 / 13, math.cos(t), 0]])
    g = torch.nn.functional.affine_grid(torch.from_numpy(theta)[None], (1, 2, 13, 17), align_corners=False)
    ref = torch.nn.functional.grid_sample(torch.from_numpy(a)[None], g, mode="bilinear", padding_mode="zeros",
                                          align_corners=False)[0].numpy()
    assert_close(out, ref, rtol=1e-9, atol=1e-9)


def test_rotate_integer_image_and_fill_per_channel():
    a = np.full((3, 4, 4), 200, np.uint8)
    out = np_of(F.rotate(cytorch.from_numpy(a), 45, fill=[1, 2, 3]))
    corners = out[:, 0, 0]
    np.testing.assert_array_equal(corners, [1, 2, 3])
    assert out[:, 2, 2].tolist() == [200, 200, 200]


def test_perspective_identity_and_shift():
    a = rand_img(1, 6, 8)
    x = cytorch.from_numpy(a)
    pts = [[0, 0], [7, 0], [7, 5], [0, 5]]
    assert_close(F.perspective(x, pts, pts), a, atol=1e-6)
    moved = [[p[0] + 1, p[1]] for p in pts]        # moving every corner right by one shifts the image
    out = np_of(F.perspective(x, pts, moved, interpolation=T.InterpolationMode.NEAREST))
    np.testing.assert_allclose(out[:, :, 1:], a[:, :, :-1], atol=1e-6)
    assert (out[:, :, 0] == 0).all()


def test_warp_errors():
    with pytest.raises(ValueError, match="8 coefficients"):
        _image.warp(cytorch.zeros(1, 3, 3), 3, 3, [1, 0, 0])
    with pytest.raises(ValueError, match="mode"):
        _image.warp(cytorch.zeros(1, 3, 3), 3, 3, [1, 0, 0, 0, 1, 0, 0, 0], "cubic")
    with pytest.raises(ValueError, match="nearest and bilinear"):
        F.rotate(cytorch.zeros(1, 3, 3), 10, interpolation=T.InterpolationMode.BICUBIC)
    with pytest.raises(TypeError, match="angle"):
        F.rotate(cytorch.zeros(1, 3, 3), "10")
    with pytest.raises(ValueError, match="scale"):
        F.affine(cytorch.zeros(1, 3, 3), 0, [0, 0], 0.0, 0)
    with pytest.raises(ValueError, match="translate"):
        F.affine(cytorch.zeros(1, 3, 3), 0, [0], 1.0, 0)


# ------------------------------------------------------------------------------------------------
# colour

def test_grayscale_brightness_contrast_saturation_match_numpy():
    a = rand_img(3, 5, 6, seed=8)
    x = cytorch.from_numpy(a)
    gray = 0.2989 * a[0] + 0.587 * a[1] + 0.114 * a[2]
    assert_close(F.rgb_to_grayscale(x), gray[None].astype(np.float32), atol=1e-6)
    assert_close(F.rgb_to_grayscale(x, 3), np.repeat(gray[None], 3, 0).astype(np.float32), atol=1e-6)
    assert_close(F.adjust_brightness(x, 1.7), np.clip(a * 1.7, 0, 1), atol=1e-6)
    m = gray.mean()
    assert_close(F.adjust_contrast(x, 0.4), np.clip(0.4 * a + 0.6 * m, 0, 1), atol=1e-6)
    assert_close(F.adjust_saturation(x, 1.8), np.clip(1.8 * a - 0.8 * gray[None], 0, 1), atol=1e-6)


def test_color_uint8_truncates_like_torchvision():
    a = rand_img(3, 4, 4, seed=9, dtype=np.uint8)
    out = np_of(F.adjust_brightness(cytorch.from_numpy(a), 1.3))
    np.testing.assert_array_equal(out, np.clip(a.astype(np.float32) * np.float32(1.3), 0, 255).astype(np.uint8))
    gray = np_of(F.rgb_to_grayscale(cytorch.from_numpy(a)))
    ref = (np.float32(0.2989) * a[0] + np.float32(0.587) * a[1] + np.float32(0.114) * a[2]).astype(np.uint8)
    assert np.abs(gray[0].astype(int) - ref.astype(int)).max() <= 1


@pytest.mark.parametrize("hue", [-0.5, -0.2, 0.0, 0.13, 0.5])
def test_adjust_hue_matches_colorsys(hue):
    a = rand_img(3, 4, 5, seed=10).astype(np.float64)
    a[:, 0, 0] = 0.5                       # a grey pixel
    out = np_of(F.adjust_hue(cytorch.from_numpy(a), hue))
    ref = np.empty_like(a)
    for i in range(4):
        for j in range(5):
            h, s, v = colorsys.rgb_to_hsv(*a[:, i, j])
            ref[:, i, j] = colorsys.hsv_to_rgb((h + hue) % 1.0, s, v)
    np.testing.assert_allclose(out, ref, atol=1e-9)


@needs_pil
def test_color_pil_paths_and_errors():
    a = rand_img(3, 6, 6, dtype=np.uint8).transpose(1, 2, 0).copy()
    pil = PIL.fromarray(a)
    for fn, arg in ((F.adjust_brightness, 0.5), (F.adjust_contrast, 1.5), (F.adjust_saturation, 0.0),
                    (F.adjust_hue, 0.25)):
        res = fn(pil, arg)
        assert isinstance(res, PIL.Image) and res.size == (6, 6)
    assert F.rgb_to_grayscale(pil).mode == "L"
    assert F.rgb_to_grayscale(pil, 3).mode == "RGB"
    with pytest.raises(ValueError, match="hue_factor"):
        F.adjust_hue(cytorch.zeros(3, 2, 2), 0.7)
    with pytest.raises(ValueError, match="brightness_factor"):
        F.adjust_brightness(cytorch.zeros(3, 2, 2), -1)
    with pytest.raises(TypeError, match="channel"):
        F.adjust_saturation(cytorch.zeros(2, 2, 2), 0.5)
    with pytest.raises(ValueError, match="num_output_channels"):
        F.rgb_to_grayscale(cytorch.zeros(3, 2, 2), 2)


# ------------------------------------------------------------------------------------------------
# conversions, normalize, dtype

@needs_pil
def test_to_tensor_and_pil_round_trip():
    a = rand_img(3, 4, 5, dtype=np.uint8).transpose(1, 2, 0).copy()
    t = F.to_tensor(a)
    assert t.shape == (3, 4, 5) and t.dtype == cytorch.float32
    assert_close(t, a.transpose(2, 0, 1).astype(np.float32) / 255)
    assert_close(F.to_tensor(PIL.fromarray(a)), np_of(t))
    assert F.to_tensor(a[:, :, 0]).shape == (1, 4, 5)
    f = np.random.default_rng(0).random((4, 5, 2))
    assert_close(F.to_tensor(f), f.transpose(2, 0, 1))                # non-uint8: not scaled
    assert_close(F.to_tensor(cytorch.from_numpy(a[:, :, 0])), a[None, :, :, 0].astype(np.float32) / 255)
    p = F.pil_to_tensor(PIL.fromarray(a))
    assert p.dtype == cytorch.uint8
    np.testing.assert_array_equal(np_of(p), a.transpose(2, 0, 1))
    img = F.to_pil_image(p)
    assert img.mode == "RGB"
    np.testing.assert_array_equal(np.asarray(img), a)
    assert F.to_pil_image(t).mode == "RGB"
    np.testing.assert_array_equal(np.asarray(F.to_pil_image(t)), a)   # x/255*255 truncates back to x
    assert F.to_pil_image(cytorch.zeros(1, 3, 3)).mode == "L"
    assert F.to_pil_image(cytorch.zeros(1, 3, 3), mode="F").mode == "F"
    assert F.to_pil_image(cytorch.zeros(4, 3, 3, dtype=cytorch.uint8)).mode == "RGBA"
    assert F.to_pil_image(np.zeros((3, 3), np.int32)).mode == "I"
    assert F.to_pil_image(np.zeros((3, 3, 3), np.uint8), mode="HSV").mode == "HSV"
    with pytest.raises(ValueError, match="Incorrect mode"):
        F.to_pil_image(np.zeros((3, 3), np.uint8), mode="F")
    with pytest.raises(ValueError, match="> 4 channels"):
        F.to_pil_image(cytorch.zeros(5, 2, 2))
    with pytest.raises(TypeError, match="not supported"):
        F.to_pil_image(np.zeros((3, 3, 3), np.float32))
    with pytest.raises(TypeError, match="pic should be PIL Image or ndarray"):
        F.to_tensor([1, 2])
    with pytest.raises(TypeError, match="pic should be PIL Image"):
        F.pil_to_tensor(np.zeros((2, 2)))


def test_normalize():
    a = rand_img(3, 4, 4)
    x = cytorch.from_numpy(a.copy())
    mean, std = (0.1, 0.2, 0.3), (0.5, 0.25, 2.0)
    ref = (a - np.array(mean, np.float32)[:, None, None]) / np.array(std, np.float32)[:, None, None]
    out = T.Normalize(mean, std)(x)
    assert_close(out, ref)
    assert_close(x, a)                                    # not in place
    T.Normalize(mean, std, inplace=True)(x)
    assert_close(x, ref)
    with pytest.raises(TypeError, match="float tensor"):
        F.normalize(cytorch.zeros(3, 2, 2, dtype=cytorch.uint8), mean, std)
    with pytest.raises(ValueError, match="std evaluated to zero"):
        F.normalize(cytorch.zeros(3, 2, 2), mean, (1, 0, 1))
    with pytest.raises(ValueError, match="tensor image of size"):
        F.normalize(cytorch.zeros(2, 2), mean, std)


def test_convert_image_dtype():
    a = np.array([[[0, 1, 127, 128, 255]]], np.uint8)
    f = F.convert_image_dtype(cytorch.from_numpy(a), cytorch.float32)
    assert_close(f, a.astype(np.float32) / 255)
    back = F.convert_image_dtype(f, cytorch.uint8)
    np.testing.assert_array_equal(np_of(back), a)
    i16 = F.convert_image_dtype(cytorch.from_numpy(a), cytorch.int16)
    np.testing.assert_array_equal(np_of(i16), a.astype(np.int16) * 128)
    np.testing.assert_array_equal(np_of(F.convert_image_dtype(i16, cytorch.uint8)), a)
    ff = np.array([[[0.0, 0.5, 1.0]]], np.float32)
    np.testing.assert_array_equal(np_of(F.convert_image_dtype(cytorch.from_numpy(ff), cytorch.uint8)), [[[0, 127, 255]]])
    with pytest.raises(RuntimeError, match="cannot be performed safely"):
        F.convert_image_dtype(cytorch.zeros(1, 1, 1), cytorch.int32)
    assert repr(T.ConvertImageDtype(cytorch.float32)) == "ConvertImageDtype()"


@needs_pil
def test_erase():
    x = cytorch.zeros(3, 5, 6)
    out = F.erase(x, 1, 2, 2, 3, 7.0)
    ref = np.zeros((3, 5, 6), np.float32)
    ref[:, 1:3, 2:5] = 7
    assert_close(out, ref)
    assert float(x.sum()) == 0.0
    with pytest.raises(TypeError, match="Tensor Image"):
        F.erase(PIL.new("L", (2, 2)), 0, 0, 1, 1, 0)


@needs_pil
def test_get_dimensions():
    assert F.get_dimensions(cytorch.zeros(2, 3, 4, 5)) == [3, 4, 5]
    assert F.get_dimensions(np.zeros((4, 5, 3))) == [3, 4, 5]
    assert F.get_dimensions(PIL.new("RGB", (5, 4))) == [3, 4, 5]
    assert F.get_image_size(cytorch.zeros(4, 5)) == [5, 4]
    with pytest.raises(TypeError):
        F.get_dimensions([1])


# ------------------------------------------------------------------------------------------------
# transform classes: behaviour, reproducibility, reprs

def pipeline():
    return T.Compose([
        T.RandomResizedCrop(16, antialias=True), T.RandomHorizontalFlip(), T.RandomVerticalFlip(),
        T.ColorJitter(0.4, 0.4, 0.4, 0.1), T.RandomRotation(20), T.RandomAffine(10, (0.1, 0.1), (0.9, 1.1), 5),
        T.RandomCrop(14, padding=2), T.RandomGrayscale(0.5), T.RandomErasing(p=1.0, value="random"),
    ])


def test_random_pipeline_reproducible_with_manual_seed():
    x = cytorch.from_numpy(rand_img(3, 24, 20, seed=11))
    cytorch.manual_seed(123)
    first = [np_of(pipeline()(x)) for _ in range(3)]
    cytorch.manual_seed(123)
    second = [np_of(pipeline()(x)) for _ in range(3)]
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], first[1])        # the draws do differ call to call


def test_random_crop_is_a_window_of_the_padded_image():
    a = rand_img(1, 10, 10, dtype=np.uint8)
    padded = np.pad(a, ((0, 0), (3, 3), (3, 3)), mode="edge")
    cytorch.manual_seed(0)
    seen = set()
    for _ in range(20):
        out = np_of(T.RandomCrop(8, padding=3, padding_mode="edge")(cytorch.from_numpy(a)))
        hits = [(i, j) for i in range(9) for j in range(9) if np.array_equal(padded[:, i:i + 8, j:j + 8], out)]
        assert hits
        seen.add(hits[0])
    assert len(seen) > 3
    small = T.RandomCrop(12, pad_if_needed=True, fill=9)(cytorch.from_numpy(a))
    assert small.shape == (1, 12, 12)
    with pytest.raises(ValueError, match="larger than input image size"):
        T.RandomCrop(12)(cytorch.from_numpy(a))


def test_flip_probabilities():
    x = cytorch.from_numpy(rand_img(1, 3, 4))
    assert_close(T.RandomHorizontalFlip(p=1.0)(x), F.hflip(x))
    assert_close(T.RandomVerticalFlip(p=0.0)(x), x)
    cytorch.manual_seed(1)
    flips = sum(not np.array_equal(np_of(T.RandomHorizontalFlip(0.3)(x)), np_of(x)) for _ in range(400))
    assert 80 < flips < 160


def test_random_resized_crop_params():
    img = cytorch.zeros(3, 40, 60)
    cytorch.manual_seed(2)
    for _ in range(50):
        i, j, h, w = T.RandomResizedCrop.get_params(img, (0.08, 1.0), (3 / 4, 4 / 3))
        assert 0 <= i and 0 <= j and i + h <= 40 and j + w <= 60 and h > 0 and w > 0
        assert 0.08 * 2400 * 0.7 <= h * w <= 2400
    # impossible ratio: falls back to a central crop of the closest ratio
    assert T.RandomResizedCrop.get_params(img, (1.0, 1.0), (4.0, 5.0)) == (12, 0, 15, 60)
    assert T.RandomResizedCrop(8)(img).shape == (3, 8, 8)


def test_random_erasing_values():
    cytorch.manual_seed(3)
    x = cytorch.zeros(3, 20, 20)
    out = T.RandomErasing(p=1.0, value=(1, 2, 3))(x)
    o = np_of(out)
    for c, v in enumerate((1, 2, 3)):
        mask = o[c] != 0
        assert mask.any() and (o[c][mask] == v).all()
        rows, cols = np.where(mask)
        assert mask[rows.min():rows.max() + 1, cols.min():cols.max() + 1].all()   # one rectangle
    assert float(x.sum()) == 0.0
    T.RandomErasing(p=1.0, value=5, inplace=True)(x)
    assert float(x.max()) == 5.0
    with pytest.raises(ValueError, match="'random'"):
        T.RandomErasing(value="noise")
    with pytest.raises(ValueError, match="between 0 and 1"):
        T.RandomErasing(p=1.5)
    with pytest.raises(ValueError, match="number of input channels"):
        T.RandomErasing(p=1.0, value=(1, 2))(cytorch.zeros(3, 5, 5))


def test_color_jitter_params_and_identity():
    cj = T.ColorJitter(brightness=0.5, hue=0.2)
    assert cj.brightness == (0.5, 1.5) and cj.contrast is None and cj.hue == (-0.2, 0.2)
    x = cytorch.from_numpy(rand_img(3, 4, 4))
    assert_close(T.ColorJitter()(x), x)
    with pytest.raises(ValueError, match="non negative"):
        T.ColorJitter(brightness=-1)
    with pytest.raises(ValueError, match="should be between"):
        T.ColorJitter(hue=0.7)


def test_random_affine_params():
    cytorch.manual_seed(4)
    for _ in range(20):
        angle, (tx, ty), scale, (shx, shy) = T.RandomAffine.get_params([-10, 10], (0.2, 0.1), (0.8, 1.2),
                                                                        [-5, 5, -3, 3], [50, 40])
        assert -10 <= angle <= 10 and abs(tx) <= 10 and abs(ty) <= 4 and 0.8 <= scale <= 1.2
        assert -5 <= shx <= 5 and -3 <= shy <= 3 and isinstance(tx, int)
    with pytest.raises(ValueError, match="translation values"):
        T.RandomAffine(0, translate=(0.5, 2))
    with pytest.raises(ValueError, match="positive"):
        T.RandomAffine(-5)


@needs_pil
def test_transforms_on_numpy_and_pil_keep_kind():
    a = rand_img(3, 12, 14, dtype=np.uint8).transpose(1, 2, 0).copy()
    cytorch.manual_seed(5)
    for t in (T.Resize(8), T.CenterCrop(6), T.RandomCrop(10), T.Pad(2), T.RandomRotation(30),
              T.RandomAffine(15, shear=10), T.ColorJitter(0.3, 0.3, 0.3, 0.1), T.Grayscale(3),
              T.RandomHorizontalFlip(1.0), T.RandomPerspective(p=1.0)):
        out_np = t(a)
        assert isinstance(out_np, np.ndarray) and out_np.dtype == np.uint8, t
        out_pil = t(PIL.fromarray(a))
        assert isinstance(out_pil, PIL.Image), t
        assert out_np.shape[:2] == (out_pil.height, out_pil.width), t


def test_lambda_compose_random_apply_choice_order():
    x = cytorch.ones(1, 2, 2)
    add = T.Lambda(lambda t: t + 1)
    assert float(T.Compose([add, add])(x).max()) == 3.0
    with pytest.raises(TypeError, match="callable"):
        T.Lambda(3)
    assert float(T.RandomApply([add], p=1.0)(x).max()) == 2.0
    assert float(T.RandomApply([add], p=0.0)(x).max()) == 1.0
    cytorch.manual_seed(6)
    mul = T.Lambda(lambda t: t * 10)
    outs = {float(T.RandomChoice([add, mul])(x).max()) for _ in range(30)}
    assert outs == {2.0, 10.0}
    outs = {float(T.RandomOrder([add, mul])(x).max()) for _ in range(30)}
    assert outs == {20.0, 11.0}


def test_reprs():
    assert repr(T.Resize(32)) == "Resize(size=32, interpolation=bilinear, max_size=None, antialias=True)"
    assert repr(T.CenterCrop(4)) == "CenterCrop(size=(4, 4))"
    assert repr(T.RandomCrop(4, padding=2)) == "RandomCrop(size=(4, 4), padding=2)"
    assert repr(T.Normalize((0.5,), (0.25,))) == "Normalize(mean=(0.5,), std=(0.25,))"
    assert repr(T.RandomHorizontalFlip()) == "RandomHorizontalFlip(p=0.5)"
    assert repr(T.Pad(1)) == "Pad(padding=1, fill=0, padding_mode=constant)"
    assert repr(T.ToTensor()) == "ToTensor()"
    assert repr(T.ToPILImage()) == "ToPILImage()"
    assert repr(T.Grayscale(3)) == "Grayscale(num_output_channels=3)"
    assert repr(T.RandomRotation(10)) == "RandomRotation(degrees=[-10.0, 10.0], interpolation=nearest, expand=False, fill=0)"
    assert repr(T.RandomAffine(5, scale=(0.9, 1.1))) == "RandomAffine(degrees=[-5.0, 5.0], scale=(0.9, 1.1))"
    assert repr(T.ColorJitter(0.2)) == "ColorJitter(brightness=(0.8, 1.2), contrast=None, saturation=None, hue=None)"
    assert repr(T.RandomResizedCrop(8)) == ("RandomResizedCrop(size=(8, 8), scale=(0.08, 1.0), ratio=(0.75, 1.3333), "
                                            "interpolation=bilinear, antialias=True)")
    assert repr(T.RandomErasing()) == "RandomErasing(p=0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=0, inplace=False)"
    assert repr(T.Compose([T.ToTensor(), T.Lambda(abs)])) == "Compose(\n    ToTensor()\n    Lambda()\n)"


def test_works_without_pillow(monkeypatch):
    from cytorch.vision import _pil
    monkeypatch.setattr(_pil, "_Image", None)
    x = cytorch.from_numpy(rand_img(3, 8, 8))
    cytorch.manual_seed(0)
    assert pipeline()(x).shape == (3, 14, 14)
    with pytest.raises(ImportError, match="pip install pillow"):
        F.to_pil_image(x)


# ------------------------------------------------------------------------------------------------
# the kernels' own shims

@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.float32, np.float64, np.int64])
def test_gather_kernel_matches_numpy(dtype):
    rng = np.random.default_rng(12)
    a = rng.integers(0, 100, (3, 7, 9)).astype(dtype)
    fill = np.array([5, 6, 7], dtype)
    for _ in range(20):
        iy = rng.integers(-1, 7, rng.integers(1, 12))
        ix = rng.integers(-1, 9, rng.integers(1, 15))
        if rng.random() < 0.5:                          # a run of consecutive columns, as pads make
            s = rng.integers(0, 5)
            ix[: min(len(ix), 4)] = np.arange(s, s + min(len(ix), 4))
        out = np_of(_image.gather(cytorch.from_numpy(a), iy, ix, cytorch.from_numpy(fill)))
        ref = a[:, np.maximum(iy, 0)][:, :, np.maximum(ix, 0)]
        mask = (iy[:, None] < 0) | (ix[None, :] < 0)
        ref = np.where(mask[None], fill[:, None, None], ref)
        np.testing.assert_array_equal(out, ref)


def test_gather_kernel_errors():
    x = cytorch.zeros(1, 3, 3)
    with pytest.raises(IndexError, match="out of range"):
        _image.gather(x, [0, 3], [0])
    with pytest.raises(IndexError, match="needs a fill"):
        _image.gather(x, [-1], [0])
    with pytest.raises(TypeError, match="fill must be"):
        _image.gather(x, [0], [0], cytorch.zeros(1, dtype=cytorch.int64))


def test_adjust_hue_uint8_and_batches():
    a = rand_img(6, 4, 5, seed=13, dtype=np.uint8).reshape(2, 3, 4, 5)
    out = np_of(F.adjust_hue(cytorch.from_numpy(a), 0.25))
    assert out.shape == (2, 3, 4, 5) and out.dtype == np.uint8
    for b in range(2):
        for i in range(4):
            for j in range(5):
                h, s, v = colorsys.rgb_to_hsv(*(a[b, :, i, j] / 255.0))
                ref = np.array(colorsys.hsv_to_rgb((h + 0.25) % 1.0, s, v))
                assert np.abs(out[b, :, i, j] / 255.0 - ref).max() <= 1.5 / 255
    with pytest.raises(ValueError, match=r"\[n, 3, h, w\]"):
        _image.adjust_hue(cytorch.zeros(2, 4, 4, 4), 0.1)


@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
def test_warp_uint8_matches_float_path(mode):
    a = rand_img(3, 10, 12, seed=14, dtype=np.uint8)
    coeffs = [0.9, -0.2, 1.5, 0.25, 1.1, -0.7, 0.0, 0.0]
    u8 = np_of(_image.warp(cytorch.from_numpy(a), 9, 13, coeffs, mode, [3.0]))
    f = np_of(_image.warp(cytorch.from_numpy(a.astype(np.float64)), 9, 13, coeffs, mode, [3.0]))
    np.testing.assert_array_equal(u8, np.clip(np.round(f), 0, 255).astype(np.uint8))
