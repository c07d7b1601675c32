"""cytorch.vision.utils.make_grid against a NumPy reference; save_image through Pillow."""
import math

import numpy as np
import pytest

import cytorch
from cytorch.vision import _pil
from cytorch.vision.utils import make_grid, save_image
from conftest import assert_close


def np_grid(batch, nrow=8, padding=2, pad_value=0.0):
    b, c, h, w = batch.shape
    if c == 1:
        batch = np.repeat(batch, 3, axis=1)
        c = 3
    cols = min(nrow, b)
    rows = math.ceil(b / cols)
    grid = np.full((c, rows * (h + padding) + padding, cols * (w + padding) + padding), pad_value, batch.dtype)
    for k in range(b):
        r, q = divmod(k, cols)
        y, x = padding + r * (h + padding), padding + q * (w + padding)
        grid[:, y:y + h, x:x + w] = batch[k]
    return grid


@pytest.mark.parametrize("b,c,nrow,padding", [(5, 3, 2, 2), (8, 1, 8, 0), (7, 3, 3, 4), (3, 4, 5, 1)])
def test_make_grid_matches_numpy(b, c, nrow, padding):
    a = np.random.default_rng(b).random((b, c, 4, 6)).astype(np.float32)
    out = make_grid(cytorch.from_numpy(a), nrow=nrow, padding=padding, pad_value=0.5)
    assert_close(out, np_grid(a, nrow, padding, 0.5))
    lst = make_grid([cytorch.from_numpy(x) for x in a], nrow=nrow, padding=padding, pad_value=0.5)
    assert_close(lst, np_grid(a, nrow, padding, 0.5))


def test_make_grid_normalize_options():
    a = np.random.default_rng(0).normal(size=(4, 3, 5, 5)).astype(np.float32)
    out = make_grid(cytorch.from_numpy(a), normalize=True, padding=0)
    ref = (a - a.min()) / (a.max() - a.min())
    assert_close(out, np_grid(ref, padding=0), atol=1e-6)
    out = make_grid(cytorch.from_numpy(a), normalize=True, value_range=(-1.0, 1.0), padding=0)
    assert_close(out, np_grid((np.clip(a, -1, 1) + 1) / 2, padding=0), atol=1e-6)
    t = cytorch.from_numpy(a.copy())
    out = make_grid(t, normalize=True, scale_each=True, padding=0)
    each = np.stack([(x - x.min()) / (x.max() - x.min()) for x in a])
    assert_close(out, np_grid(each, padding=0), atol=1e-6)
    assert_close(t, a)                                       # normalize works on a copy
    with pytest.raises(TypeError, match="value_range has to be a tuple"):
        make_grid(cytorch.from_numpy(a), normalize=True, value_range=[0, 1])


def test_make_grid_single_images_and_errors():
    x = cytorch.rand(1, 3, 4, 4)
    assert_close(make_grid(x), x[0])
    assert make_grid(cytorch.rand(4, 4)).shape == (3, 4, 4)
    assert make_grid(cytorch.rand(1, 4, 4)).shape == (3, 4, 4)
    with pytest.raises(TypeError, match="tensor or list of tensors expected"):
        make_grid(np.zeros((2, 3, 4, 4)))
    with pytest.raises(TypeError, match="tensor or list of tensors expected"):
        make_grid([cytorch.rand(3, 2, 2), np.zeros((3, 2, 2))])


def test_save_image_png_round_trip(tmp_path):
    PIL = pytest.importorskip("PIL.Image")
    a = np.random.default_rng(1).random((2, 3, 5, 6)).astype(np.float32)
    path = tmp_path / "grid.png"
    save_image(cytorch.from_numpy(a), str(path), nrow=2, padding=1)
    img = np.asarray(PIL.open(path))
    ref = np.clip(np_grid(a, nrow=2, padding=1) * 255 + 0.5, 0, 255).astype(np.uint8).transpose(1, 2, 0)
    np.testing.assert_array_equal(img, ref)
    with open(tmp_path / "x.bin", "wb") as f:
        save_image(cytorch.from_numpy(a[0]), f, format="PNG")
    assert PIL.open(tmp_path / "x.bin").size == (6, 5)


def test_save_image_without_pillow(tmp_path, monkeypatch):
    monkeypatch.setattr(_pil, "_Image", None)
    with pytest.raises(ImportError, match="save_image needs Pillow: pip install pillow"):
        save_image(cytorch.rand(3, 2, 2), str(tmp_path / "a.png"))
