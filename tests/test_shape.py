"""Shape, view and joining ops against NumPy (always) and PyTorch (when installed)."""
import itertools

import numpy as np
import pytest

import cytorch
from conftest import assert_close, np_of

DTYPES = ["bool", "uint8", "int32", "int64", "float16", "bfloat16", "float32", "float64", "complex64"]
LAYOUTS = ["contig", "T", "step"]


def _np_values(shape, dt, seed=0):
    rng = np.random.default_rng(seed)
    v = rng.integers(-8, 9, size=shape)
    if dt == "bool":
        return v > 0
    if dt == "uint8":
        return np.abs(v).astype(np.uint8)
    if dt == "complex64":
        return (v + 1j * rng.integers(-4, 5, size=shape)).astype(np.complex64)
    if dt == "bfloat16":
        return v.astype(np.float32)
    return v.astype(dt)


def make(shape, dt="float32", layout="contig", seed=0):
    """(cytorch tensor, NumPy reference) with equal values; layout picks the memory layout."""
    a = _np_values(shape, dt, seed)
    if layout == "contig":
        t = cytorch.from_numpy(a.copy())
    elif layout == "T":   # permuted view of a reversed-shape buffer
        t = cytorch.from_numpy(np.ascontiguousarray(a.transpose())).permute(list(range(a.ndim))[::-1])
    elif layout == "step":  # every other element of a wider buffer in the last dim
        if a.ndim == 0:
            t = cytorch.from_numpy(a.copy())
        else:
            big = np.zeros(a.shape[:-1] + (2 * a.shape[-1] + 1,), a.dtype)
            big[..., :2 * a.shape[-1]:2] = a
            isz = a.dtype.itemsize
            st = tuple(s // isz for s in big.strides[:-1]) + (2,)
            t = cytorch.from_numpy(big)._as_strided(a.shape, st, 0)
    else:
        raise ValueError(layout)
    if dt == "bfloat16":
        t = t.to(cytorch.bfloat16)
    return t, a


def shares_storage(a, b):
    return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()


def to_torch(torch, t):
    return torch.from_numpy(np_of(t)).to(getattr(torch, str(t.dtype).split(".")[-1]))


def same_as_torch(torch, ours, theirs):
    if isinstance(theirs, (tuple, list)):
        assert isinstance(ours, (tuple, list)) and len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            same_as_torch(torch, o, t)
        return
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    if theirs.dtype == torch.bfloat16:
        theirs = theirs.float()
    np.testing.assert_array_equal(np_of(ours), theirs.numpy())


# ---------------------------------------------------------------- cat / stack family

@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_cat_values(dt, layout):
    x, a = make((3, 4), dt, layout, 1)
    y, b = make((2, 4), dt, "contig", 2)
    z, c = make((3, 5), dt, layout, 3)
    assert_close(cytorch.cat([x, y]), np.concatenate([a, b]), check_dtype=dt != "bfloat16")
    assert_close(cytorch.cat((x, z), dim=-1), np.concatenate([a, c], axis=1), check_dtype=dt != "bfloat16")
    assert_close(cytorch.concat([x, y, x], 0), np.concatenate([a, b, a]), check_dtype=dt != "bfloat16")
    assert_close(cytorch.concatenate([x, z], axis=1), np.concatenate([a, c], 1), check_dtype=dt != "bfloat16")
    assert cytorch.cat([x, y]).dtype == x.dtype


def test_cat_promotion_and_legacy_empty():
    a = cytorch.ones(2, 3, dtype=cytorch.int32)
    b = cytorch.ones(1, 3, dtype=cytorch.float16)
    assert cytorch.cat([a, b]).dtype == cytorch.float16
    bools, bytes_ = cytorch.ones(2, dtype=cytorch.bool), cytorch.ones(2, dtype=cytorch.uint8)
    assert cytorch.cat([bools, bytes_]).dtype == cytorch.uint8
    e = cytorch.ones(0, dtype=cytorch.float64)
    r = cytorch.cat([e, a, e])
    assert r.shape == (2, 3) and r.dtype == cytorch.float64
    assert cytorch.cat([cytorch.ones(0), cytorch.ones(0)]).shape == (0,)
    # zero-size dims that are not the legacy 1-d case take part normally
    assert cytorch.cat([cytorch.ones(0, 3), cytorch.ones(2, 3)]).shape == (2, 3)
    assert cytorch.cat([cytorch.ones(2, 0), cytorch.ones(2, 0)], 1).shape == (2, 0)


def test_cat_expanded_and_out():
    x = cytorch.arange(3).reshape(3, 1).expand(3, 4)
    y = cytorch.arange(4).expand(2, 4)
    ref = np.concatenate([np.broadcast_to(np.arange(3).reshape(3, 1), (3, 4)), np.broadcast_to(np.arange(4), (2, 4))])
    assert_close(cytorch.cat([x, y]), ref)
    out = cytorch.empty(0, dtype=cytorch.float64)
    r = cytorch.cat([x, y], out=out)
    assert r is out and out.dtype == cytorch.float64
    assert_close(out, ref.astype(np.float64))
    with pytest.raises(RuntimeError):
        cytorch.cat([cytorch.ones(2, dtype=cytorch.float32)], out=cytorch.empty(2, dtype=cytorch.int64))


def test_cat_errors():
    with pytest.raises(RuntimeError, match="Expected size 3 but got size 4 for tensor number 1"):
        cytorch.cat([cytorch.ones(2, 3), cytorch.ones(2, 4)])
    with pytest.raises(RuntimeError, match="same number of dimensions: got 2 and 1"):
        cytorch.cat([cytorch.ones(2, 3), cytorch.ones(3)])
    with pytest.raises(IndexError):
        cytorch.cat([cytorch.ones(2, 3), cytorch.ones(2, 3)], dim=2)
    with pytest.raises(ValueError):
        cytorch.cat([])
    with pytest.raises(RuntimeError, match="zero-dimensional"):
        cytorch.cat([cytorch.tensor(1.0), cytorch.tensor(2.0)])
    with pytest.raises(TypeError):
        cytorch.cat(cytorch.ones(2, 2))
    with pytest.raises(TypeError):
        cytorch.cat([cytorch.ones(2), 3])


@pytest.mark.parametrize("dt", ["bool", "int64", "float32", "complex64"])
@pytest.mark.parametrize("dim", [0, 1, 2, -1, -3])
def test_stack(dt, dim):
    x, a = make((2, 3), dt, "T", 1)
    y, b = make((2, 3), dt, "step", 2)
    assert_close(cytorch.stack([x, y, x], dim), np.stack([a, b, a], dim))


def test_stack_errors():
    with pytest.raises(RuntimeError, match=r"equal size, but got \[2, 3\] at entry 0 and \[2, 4\] at entry 1"):
        cytorch.stack([cytorch.ones(2, 3), cytorch.ones(2, 4)])
    with pytest.raises(RuntimeError):
        cytorch.stack([])
    with pytest.raises(IndexError):
        cytorch.stack([cytorch.ones(2, 3)], 3)


def test_hvd_column_stack():
    s0 = (cytorch.tensor(1.0), np.array(1.0, np.float32))
    v1 = make((3,), "float32", "step", 1)
    v2 = make((3,), "float32", "contig", 2)
    m1 = make((3, 2), "float32", "T", 3)
    m2 = make((2, 3), "float32", "contig", 4)
    assert_close(cytorch.hstack([v1[0], v2[0], s0[0]]), np.hstack([v1[1], v2[1], s0[1]]))
    assert_close(cytorch.hstack([m1[0], m1[0]]), np.hstack([m1[1], m1[1]]))
    assert_close(cytorch.vstack([v1[0], m2[0]]), np.vstack([v1[1], m2[1]]))
    assert_close(cytorch.row_stack((v1[0], v2[0])), np.vstack([v1[1], v2[1]]))
    assert_close(cytorch.dstack([v1[0], v2[0]]), np.dstack([v1[1], v2[1]]))
    assert_close(cytorch.dstack([m2[0], m2[0]]), np.dstack([m2[1], m2[1]]))
    assert_close(cytorch.column_stack([v1[0], m1[0], v2[0]]), np.column_stack([v1[1], m1[1], v2[1]]))


# ---------------------------------------------------------------- splitting views

@pytest.mark.parametrize("layout", LAYOUTS)
def test_split_chunk_tensor_split(layout):
    x, a = make((7, 4), "float32", layout)
    for got, exp in zip(cytorch.split(x, 3), np.split(a, [3, 6])):
        assert_close(got, exp)
        assert shares_storage(got, x)
    for got, exp in zip(x.split([1, 4, 2]), np.split(a, [1, 5])):
        assert_close(got, exp)
    for got, exp in zip(cytorch.split(x, 3, dim=1), np.split(a, [3], axis=1)):
        assert_close(got, exp)
    assert [c.shape[0] for c in x.chunk(3)] == [3, 3, 1]
    assert [c.shape[0] for c in cytorch.chunk(cytorch.ones(6), 4)] == [2, 2, 2]
    assert [c.shape[0] for c in cytorch.chunk(cytorch.ones(0), 4)] == [0, 0, 0, 0]
    for n in (1, 3, 5, 9):
        got = cytorch.tensor_split(x, n)
        exp = np.array_split(a, n)
        assert len(got) == len(exp)
        for g, e in zip(got, exp):
            assert_close(g, e)
    for idx in ([2, 5], [1, 9, 3], [-2, 1, -5], []):
        got = x.tensor_split(idx, dim=0)
        exp = np.split(a, idx)
        assert len(got) == len(exp)
        for g, e in zip(got, exp):
            assert_close(g, e)
    assert [g.shape[0] for g in x.tensor_split([-2, 1, -5])] == [5, 0, 1, 5]
    assert [g.shape[1] for g in x.tensor_split(cytorch.tensor(3), 1)] == [2, 1, 1]
    assert [g.shape[0] for g in x.tensor_split(cytorch.tensor([2, 3]))] == [2, 1, 4]


def test_split_views_write_through():
    x = cytorch.zeros(6)
    parts = x.split(2)
    parts[1].fill_(5)
    assert_close(x, np.array([0, 0, 5, 5, 0, 0], np.float32))
    u = cytorch.zeros(2, 3).unbind(1)
    assert len(u) == 3 and u[0].shape == (2,)


def test_split_errors():
    with pytest.raises(RuntimeError, match="sum exactly to 5"):
        cytorch.split(cytorch.ones(5), [2, 2])
    with pytest.raises(RuntimeError):
        cytorch.split(cytorch.ones(5), 0)
    assert len(cytorch.split(cytorch.ones(0), 0)) == 1
    with pytest.raises(RuntimeError):
        cytorch.chunk(cytorch.ones(5), 0)
    with pytest.raises(RuntimeError):
        cytorch.tensor_split(cytorch.ones(5), 0)
    with pytest.raises(IndexError):
        cytorch.split(cytorch.ones(5), 2, dim=1)
    with pytest.raises(IndexError):
        cytorch.unbind(cytorch.ones(2, 2), 2)


def test_hsplit_vsplit_dsplit():
    x, a = make((4, 6, 2), "int64", "T")
    for got, exp in zip(cytorch.hsplit(x, 3), np.hsplit(a, 3)):
        assert_close(got, exp)
    for got, exp in zip(cytorch.vsplit(x, [1, 3]), np.vsplit(a, [1, 3])):
        assert_close(got, exp)
    for got, exp in zip(x.dsplit(2), np.dsplit(a, 2)):
        assert_close(got, exp)
    v, b = make((6,), "int64")
    for got, exp in zip(cytorch.hsplit(v, 2), np.hsplit(b, 2)):
        assert_close(got, exp)
    with pytest.raises(RuntimeError, match="not divisible"):
        cytorch.hsplit(x, 4)
    with pytest.raises(RuntimeError):
        cytorch.vsplit(v, 2)
    with pytest.raises(RuntimeError):
        cytorch.dsplit(cytorch.ones(3, 3), 3)
    with pytest.raises(RuntimeError):
        cytorch.hsplit(cytorch.tensor(1.0), 1)


def test_unflatten_unbind():
    x, a = make((4, 6), "float64", "T")
    u = cytorch.unflatten(x, 1, (2, -1))
    assert_close(u, a.reshape(4, 2, 3))
    assert shares_storage(u, x)
    assert_close(x.unflatten(-2, [2, 2]), a.reshape(2, 2, 6))
    for got, exp in zip(cytorch.unbind(x, 1), [a[:, i] for i in range(6)]):
        assert_close(got, exp)
    with pytest.raises(RuntimeError):
        x.unflatten(1, (4, -1))
    with pytest.raises(RuntimeError):
        x.unflatten(1, ())


# ---------------------------------------------------------------- other views

@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("offset", [0, 1, -1, 3, -3, 7])
def test_diagonal(layout, offset):
    x, a = make((3, 4, 5), "float32", layout)
    for d1, d2 in [(0, 1), (1, 2), (2, 0), (-1, -2)]:
        got = cytorch.diagonal(x, offset, d1, d2)
        assert_close(got, np.diagonal(a, offset, d1, d2))
        assert shares_storage(got, x)
    with pytest.raises(RuntimeError):
        x.diagonal(0, 1, 1)
    with pytest.raises(IndexError):
        x.diagonal(0, 0, 3)


def test_diagonal_writes_through():
    x = cytorch.zeros(3, 3)
    x.diagonal(1).fill_(2)
    assert_close(x, np.diag([2, 2], 1).astype(np.float32))


def test_movedim_swapaxes():
    x, a = make((2, 3, 4, 5), "int32", "T")
    for src, dst in [(0, 3), (-1, 0), ((0, 1), (2, 3)), ([3, 0], [0, 1])]:
        got = cytorch.movedim(x, src, dst)
        assert_close(got, np.moveaxis(a, src, dst))
        assert shares_storage(got, x)
    assert_close(x.moveaxis(1, 2), np.moveaxis(a, 1, 2))
    assert_close(cytorch.swapaxes(x, 0, 2), np.swapaxes(a, 0, 2))
    assert_close(x.swapdims(-1, 1), np.swapaxes(a, -1, 1))
    with pytest.raises(RuntimeError):
        cytorch.movedim(x, (0, 1), (1, 1))
    with pytest.raises(RuntimeError):
        cytorch.movedim(x, (0, 1), (1,))
    with pytest.raises(IndexError):
        cytorch.movedim(x, 4, 0)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("size,step", [(1, 1), (2, 1), (3, 2), (5, 3), (6, 1), (0, 1)])
def test_unfold(layout, size, step):
    x, a = make((3, 6), "float32", layout)
    got = x.unfold(1, size, step)
    exp = np.lib.stride_tricks.sliding_window_view(a, size, axis=1)[:, ::step]
    assert_close(got, exp)
    assert shares_storage(got, x)
    got0 = x.unfold(0, 2, 1)
    assert_close(got0, np.lib.stride_tricks.sliding_window_view(a, 2, axis=0))


def test_unfold_errors():
    x = cytorch.ones(5)
    with pytest.raises(RuntimeError, match="maximum size"):
        x.unfold(0, 6, 1)
    with pytest.raises(RuntimeError):
        x.unfold(0, 2, 0)
    assert cytorch.tensor(5.0).unfold(0, 1, 1).shape == (1,)


def test_transpose_properties():
    x, a = make((2, 3, 4), "complex64", "step")
    assert_close(x.T, a.transpose())
    assert_close(x.mT, np.swapaxes(a, -1, -2))
    assert_close(x.mH, np.conj(np.swapaxes(a, -1, -2)))
    m, b = make((3, 4), "complex64", "T")
    assert_close(m.H, np.conj(b.T))
    r, c = make((3, 4), "float32")
    assert_close(r.H, c.T)
    assert shares_storage(r.H, r) and shares_storage(x.mT, x)
    with pytest.raises(RuntimeError):
        x.H
    with pytest.raises(RuntimeError):
        cytorch.ones(3).mT


def test_view_like_and_top_level():
    x, a = make((2, 6), "float32")
    y = cytorch.empty(3, 4)
    assert_close(x.view_as(y), a.reshape(3, 4))
    assert shares_storage(x.view_as(y), x)
    assert_close(x.reshape_as(y), a.reshape(3, 4))
    assert_close(cytorch.ones(1, 4).expand_as(y), np.ones((3, 4), np.float32))
    assert_close(cytorch.reshape(x, (4, 3)), a.reshape(4, 3))
    assert_close(cytorch.permute(x, (1, 0)), a.T)
    assert_close(cytorch.transpose(x, 0, 1), a.T)
    assert_close(cytorch.t(x), a.T)
    assert_close(cytorch.squeeze(cytorch.ones(1, 2, 1), (0, 2)), np.ones(2, np.float32))
    assert_close(cytorch.unsqueeze(x, -1), a[..., None])
    assert_close(cytorch.flatten(x), a.ravel())
    assert_close(cytorch.narrow(x, 1, 2, 3), a[:, 2:5])
    assert_close(cytorch.select(x, 1, -1), a[:, -1])
    t, b = make((3, 4), "float32", "T")
    r = cytorch.ravel(t)
    assert_close(r, b.ravel())
    assert r.is_contiguous()
    assert shares_storage(x.ravel(), x)
    nc = cytorch.narrow_copy(t, 0, 1, 2)
    assert_close(nc, b[1:3])
    assert nc.is_contiguous() and not shares_storage(nc, t)
    s = cytorch.as_strided(x, (2, 2), (1, 2), 1)
    assert_close(s, np.lib.stride_tricks.as_strided(a.ravel()[1:], (2, 2), (4, 8)))
    assert shares_storage(s, x)


# ---------------------------------------------------------------- broadcasting

def test_broadcast():
    x, a = make((3, 1), "int64", "T")
    y, b = make((4,), "int64", "step")
    gx, gy = cytorch.broadcast_tensors(x, y)
    ex, ey = np.broadcast_arrays(a, b)
    assert_close(gx, ex)
    assert_close(gy, ey)
    assert shares_storage(gx, x)
    assert_close(cytorch.broadcast_to(y, (2, 4)), np.broadcast_to(b, (2, 4)))
    assert_close(x.broadcast_to((2, 3, 5)), np.broadcast_to(a, (2, 3, 5)))
    assert cytorch.broadcast_shapes((2, 1), (3,)) == np.broadcast_shapes((2, 1), (3,))
    assert cytorch.broadcast_shapes((2, 1), (3, 1, 4), 4) == (3, 2, 4)
    assert cytorch.broadcast_shapes() == ()
    assert isinstance(cytorch.broadcast_shapes((1,), (0,)), cytorch.Size)
    with pytest.raises(RuntimeError):
        cytorch.broadcast_shapes((2, 3), (3, 2))
    with pytest.raises(RuntimeError):
        cytorch.broadcast_to(cytorch.ones(3), (2, 2))
    with pytest.raises(RuntimeError):
        cytorch.broadcast_tensors(cytorch.ones(3), cytorch.ones(2))


@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid(indexing):
    x, a = make((3,), "float32", "step")
    y, b = make((4,), "float32", "contig", 1)
    z, c = make((2,), "float32", "contig", 2)
    got = cytorch.meshgrid(x, y, z, indexing=indexing)
    exp = np.meshgrid(a, b, c, indexing=indexing)
    for g, e in zip(got, exp):
        assert_close(g, e)
    got = cytorch.meshgrid([x, y], indexing=indexing)
    for g, e in zip(got, np.meshgrid(a, b, indexing=indexing)):
        assert_close(g, e)
    assert shares_storage(got[0], x)


def test_meshgrid_default_indexing_warns_like_torch():
    x, y = cytorch.ones(2), cytorch.ones(3)
    with pytest.warns(UserWarning, match="indexing"):
        g = cytorch.meshgrid(x, y)
    assert g[0].shape == (2, 3)


def test_meshgrid_errors():
    with pytest.raises(RuntimeError):
        cytorch.meshgrid(cytorch.ones(2), cytorch.ones(3, 1), indexing="ij")
    with pytest.raises(RuntimeError):
        cytorch.meshgrid(cytorch.ones(2), cytorch.ones(3, dtype=cytorch.int32), indexing="ij")
    with pytest.raises(RuntimeError):
        cytorch.meshgrid(cytorch.ones(2), indexing="foo")


def test_atleast():
    s = cytorch.tensor(2.0)
    v = cytorch.ones(3)
    m = cytorch.ones(3, 4)
    assert cytorch.atleast_1d(s).shape == np.atleast_1d(np.float32(2)).shape
    assert [t.shape for t in cytorch.atleast_1d(s, v)] == [(1,), (3,)]
    assert [t.shape for t in cytorch.atleast_1d((s, v))] == [(1,), (3,)]
    for t in (s, v, m):
        n = np.ones(tuple(t.shape), np.float32)
        assert cytorch.atleast_2d(t).shape == np.atleast_2d(n).shape
        assert cytorch.atleast_3d(t).shape == np.atleast_3d(n).shape
    assert shares_storage(cytorch.atleast_3d(m), m)
    assert cytorch.atleast_3d(m) is not m


# ---------------------------------------------------------------- repeating

@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_repeat_tile(dt, layout):
    x, a = make((2, 3), dt, layout)
    cd = dt != "bfloat16"
    for reps in [(1, 1), (2, 3), (3, 1, 2), (1, 0), (2, 1, 1, 1)]:
        assert_close(x.repeat(*reps), np.tile(a, reps), check_dtype=cd)
        assert_close(x.repeat(reps), np.tile(a, reps), check_dtype=cd)
    for reps in [(2,), (2, 2), (1, 2, 3), ()]:
        assert_close(cytorch.tile(x, reps), np.tile(a, reps), check_dtype=cd)
    assert x.repeat(2, 2).is_contiguous()


def test_repeat_many_dims_and_errors():
    x, a = make((2, 1, 2, 1, 2, 1, 2, 1, 2), "int32")
    for reps in [(2, 3, 1, 2, 2, 1, 2, 2, 1), (2, 2, 2, 2, 1, 2, 2, 2, 2)]:   # the second needs > 16 dims at once
        assert_close(x.repeat(reps), np.tile(a, reps))
    with pytest.raises(RuntimeError):
        cytorch.ones(2, 3).repeat(2)
    with pytest.raises(RuntimeError):
        cytorch.ones(3).repeat(-1)
    with pytest.raises(TypeError):
        cytorch.ones(3).repeat()
    assert cytorch.tensor(3).repeat(2, 2).shape == (2, 2)


@pytest.mark.parametrize("dt", ["bool", "int16", "float16", "float64", "complex64"])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_repeat_interleave(dt, layout):
    x, a = make((3, 4), dt, layout)
    assert_close(cytorch.repeat_interleave(x, 2), np.repeat(a, 2))
    assert_close(x.repeat_interleave(3, dim=1), np.repeat(a, 3, axis=1))
    assert_close(x.repeat_interleave(0, dim=0), np.repeat(a, 0, axis=0))
    reps = [2, 0, 1, 3]
    assert_close(x.repeat_interleave(cytorch.tensor(reps), dim=-1), np.repeat(a, reps, axis=1))
    assert_close(x.repeat_interleave(cytorch.tensor(reps[:3], dtype=cytorch.int32), dim=0),
                 np.repeat(a, reps[:3], axis=0))
    assert_close(x.repeat_interleave(cytorch.tensor([2]), dim=0), np.repeat(a, 2, axis=0))
    assert_close(x.repeat_interleave(cytorch.tensor(reps), dim=1, output_size=6), np.repeat(a, reps, axis=1))


def test_repeat_interleave_one_arg_and_errors():
    assert_close(cytorch.repeat_interleave(cytorch.tensor([2, 0, 3])), np.repeat(np.arange(3), [2, 0, 3]))
    assert_close(cytorch.repeat_interleave(cytorch.tensor(3), 2), np.array([3, 3]))
    x = cytorch.tensor([1, 2, 3])
    with pytest.raises(RuntimeError, match="negative"):
        cytorch.repeat_interleave(x, cytorch.tensor([1, -1, 3]))
    with pytest.raises(RuntimeError):
        cytorch.repeat_interleave(x, cytorch.tensor([1, 1, 3]), output_size=4)
    with pytest.raises(RuntimeError):
        cytorch.repeat_interleave(x, cytorch.tensor([1, 1]))
    with pytest.raises(RuntimeError):
        cytorch.repeat_interleave(x, -1)
    with pytest.raises(RuntimeError):
        cytorch.repeat_interleave(x, cytorch.tensor([2.0, 1.0, 1.0]))
    with pytest.raises(IndexError):
        cytorch.repeat_interleave(x, 2, dim=1)


# ---------------------------------------------------------------- reordering copies

@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_flip(dt, layout):
    x, a = make((2, 3, 4), dt, layout)
    cd = dt != "bfloat16"
    for dims in [(0,), (1,), (-1,), (0, 2), (0, 1, 2), ()]:
        got = cytorch.flip(x, dims)
        assert_close(got, np.flip(a, dims) if dims else a, check_dtype=cd)
        assert not shares_storage(got, x)
    assert_close(x.flip(0, 2), np.flip(a, (0, 2)), check_dtype=cd)
    assert_close(x.flip(dims=[1]), np.flip(a, 1), check_dtype=cd)
    assert_close(cytorch.fliplr(x), np.fliplr(a), check_dtype=cd)
    assert_close(x.flipud(), np.flipud(a), check_dtype=cd)


def test_flip_edge_cases():
    e = cytorch.ones(0, 3)
    assert cytorch.flip(e, (0, 1)).shape == (0, 3)
    s = cytorch.tensor(3.0)
    assert_close(cytorch.flip(s, ()), np.float32(3.0))
    ex = cytorch.arange(3).reshape(3, 1).expand(3, 4)
    assert_close(ex.flip(0), np.flip(np.broadcast_to(np.arange(3).reshape(3, 1), (3, 4)), 0))
    big, a = make((300, 200), "float32", "T")
    assert_close(big.flip(1), np.flip(a, 1))
    with pytest.raises(RuntimeError):
        cytorch.flip(e, (0, 0))
    with pytest.raises(IndexError):
        cytorch.flip(e, (2,))
    with pytest.raises(RuntimeError):
        cytorch.fliplr(cytorch.ones(3))
    with pytest.raises(RuntimeError):
        cytorch.flipud(cytorch.tensor(1.0))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_roll(layout):
    x, a = make((3, 4, 5), "float64", layout)
    for shifts, dims in [(1, 0), (-2, 1), (7, -1), ((1, 2), (0, 2)), ((3, -1), (1, 1)), (4, None), (-13, None),
                         (0, 1), ((5,), (0,))]:
        assert_close(cytorch.roll(x, shifts, dims), np.roll(a, shifts, dims))
    assert_close(x.roll(2), np.roll(a, 2))
    r = x.roll(0, 0)
    assert not shares_storage(r, x)
    assert cytorch.roll(cytorch.ones(0, 4), 1, 0).shape == (0, 4)
    with pytest.raises(RuntimeError):
        cytorch.roll(x, (1, 2))
    with pytest.raises(RuntimeError):
        cytorch.roll(x, 1, (0, 1))
    with pytest.raises(IndexError):
        cytorch.roll(x, 1, 3)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("k", [-3, -1, 0, 1, 2, 3, 4, 5])
def test_rot90(layout, k):
    x, a = make((3, 4, 2), "int64", layout)
    assert_close(cytorch.rot90(x, k), np.rot90(a, k))
    assert_close(x.rot90(k, [1, 2]), np.rot90(a, k, (1, 2)))
    assert_close(x.rot90(k, (2, 0)), np.rot90(a, k, (2, 0)))
    assert_close(x.rot90(k, (-1, 0)), np.rot90(a, k, (-1, 0)))


def test_rot90_errors():
    x = cytorch.ones(3, 4)
    with pytest.raises(RuntimeError):
        cytorch.rot90(x, 1, (0, 0))
    with pytest.raises(RuntimeError):
        cytorch.rot90(cytorch.ones(3), 1)
    with pytest.raises(RuntimeError):
        cytorch.rot90(x, 1, (0, 1, 2))
    with pytest.raises(RuntimeError):
        cytorch.rot90(x, 1, (0, 2))


# ---------------------------------------------------------------- triangles and diagonals

@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_tril_triu(dt, layout):
    x, a = make((2, 3, 4, 5), dt, layout)
    cd = dt != "bfloat16"
    for k in (-5, -1, 0, 1, 2, 6):
        assert_close(cytorch.tril(x, k), np.tril(a, k), check_dtype=cd)
        assert_close(x.triu(diagonal=k), np.triu(a, k), check_dtype=cd)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("k", [-1, 0, 2])
def test_tril_triu_inplace(layout, k):
    x, a = make((3, 4, 5), "float32", layout)
    ptr = x.data_ptr()
    v = x._version
    r = x.tril_(k)
    assert r is x and x.data_ptr() == ptr and x._version > v
    assert_close(x, np.tril(a, k))
    y, b = make((3, 4, 5), "int64", layout)
    y.triu_(k)
    assert_close(y, np.triu(b, k))
    # a view with batch dims that cannot be collapsed
    z, c = make((4, 3, 6), "float64", "contig")
    zv = z.permute(1, 0, 2).narrow(2, 1, 4)
    zv.triu_(k)
    cv = np.transpose(c, (1, 0, 2))[:, :, 1:5]
    cv[...] = np.triu(cv.copy(), k)
    assert_close(z, c)


def test_inplace_views_share_storage():
    x = cytorch.arange(6).view(2, 3)
    y = x.t_()
    assert y is x and x.shape == (3, 2) and x.stride() == (1, 3)
    x.unsqueeze_(0).squeeze_(0)
    assert x.shape == (3, 2)
    z = cytorch.zeros(4, 4)
    r = cytorch.diagonal_scatter(z, cytorch.ones(4))
    assert_close(r, np.eye(4, dtype=np.float32))
    assert_close(z, np.zeros((4, 4), np.float32))   # input untouched
    big, a = make((40, 300, 5), "float32", "T")
    exp = np.tril(a, 1)
    assert_close(big.tril(1), exp)   # large enough for the threaded path
    big.tril_(1)
    assert_close(big, exp)


def test_tril_errors_and_out():
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        cytorch.tril(cytorch.ones(3))
    with pytest.raises(RuntimeError):
        cytorch.ones(3).triu_()
    assert cytorch.tril(cytorch.ones(0, 3)).shape == (0, 3)
    out = cytorch.empty(0)
    x, a = make((3, 3), "float32", "T")
    cytorch.triu(x, out=out)
    assert_close(out, np.triu(a))


@pytest.mark.parametrize("row,col,off", [(3, 3, 0), (3, 4, 1), (4, 3, -1), (5, 2, 7), (2, 5, -7), (0, 3, 0),
                                         (4, 6, 2)])
def test_tril_triu_indices(row, col, off):
    got = cytorch.tril_indices(row, col, off)
    assert got.dtype == cytorch.int64
    assert_close(got, np.stack(np.tril_indices(row, off, col)).astype(np.int64).reshape(2, -1))
    assert_close(cytorch.triu_indices(row, col, off),
                 np.stack(np.triu_indices(row, off, col)).astype(np.int64).reshape(2, -1))
    assert cytorch.tril_indices(row, col, off, dtype=cytorch.int32).dtype == cytorch.int32
    with pytest.raises(RuntimeError):
        cytorch.tril_indices(-1, 3)


@pytest.mark.parametrize("dt", ["bool", "int32", "float16", "float32", "complex64"])
@pytest.mark.parametrize("k", [-2, 0, 1, 5])
def test_diag_family(dt, k):
    v, a = make((4,), dt, "step")
    m, b = make((3, 5), dt, "T")
    assert_close(cytorch.diag(v, k), np.diag(a, k))
    assert_close(m.diag(k), np.diag(b, k))
    assert not shares_storage(m.diag(k), m)
    assert_close(cytorch.diagflat(m, k), np.diagflat(b, k))
    assert_close(v.diagflat(k), np.diagflat(a, k))


def test_diag_embed():
    x, a = make((2, 3), "float32", "T")
    for off, d1, d2 in [(0, -2, -1), (1, 0, 2), (-2, 1, 0), (0, 2, 0)]:
        got = cytorch.diag_embed(x, off, d1, d2)
        n = 3 + abs(off)
        exp = np.zeros((2, n, n), np.float32)
        for i in range(2):
            exp[i] = np.diag(a[i], off)
        # NumPy reference is (batch, dim1, dim2) with dim1 < dim2; move axes to the requested places
        nd = 3
        w1, w2 = d1 % nd, d2 % nd
        if w1 > w2:
            exp = np.swapaxes(exp, 1, 2)
        rest = [k for k in range(nd) if k not in (w1, w2)]
        order = [0] * nd
        order[rest[0]] = 0
        order[min(w1, w2)] = 1
        order[max(w1, w2)] = 2
        exp = np.transpose(exp, order)
        assert_close(got, exp)
    with pytest.raises(RuntimeError):
        cytorch.diag(cytorch.ones(2, 2, 2))
    with pytest.raises(RuntimeError):
        cytorch.diag_embed(x, 0, 1, 1)


@pytest.mark.parametrize("dt,exp_dt", [("uint8", "int64"), ("int32", "int64"), ("int64", "int64"),
                                       ("float16", "float16"), ("float32", "float32"), ("float64", "float64"),
                                       ("complex64", "complex64"), ("bfloat16", "bfloat16")])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_trace(dt, exp_dt, layout):
    x, a = make((4, 6), dt, layout)
    got = cytorch.trace(x)
    assert got.dim() == 0 and str(got.dtype) == f"cytorch.{exp_dt}"
    np.testing.assert_allclose(np_of(got), np.trace(a), rtol=1e-3)
    assert_close(x.t().trace(), np.trace(a.T).astype(np_of(got).dtype), rtol=1e-3)
    with pytest.raises(RuntimeError):
        cytorch.trace(cytorch.ones(2, 2, 2))
    with pytest.raises(RuntimeError):
        cytorch.trace(cytorch.ones(2, 2, dtype=cytorch.bool))
    assert cytorch.trace(cytorch.ones(0, 3)).item() == 0


def test_block_diag():
    a = np.arange(6, dtype=np.int32).reshape(2, 3)
    b = np.float32(2.5)
    c = np.arange(3, dtype=np.float32)
    got = cytorch.block_diag(cytorch.from_numpy(a), cytorch.tensor(b), cytorch.from_numpy(c))
    exp = np.zeros((4, 7), np.float32)
    exp[:2, :3] = a
    exp[2, 3] = b
    exp[3, 4:] = c
    assert_close(got, exp)
    assert cytorch.block_diag().shape == (1, 0)
    assert cytorch.block_diag(cytorch.ones(0, 2), cytorch.ones(2, 0)).shape == (2, 2)
    with pytest.raises(RuntimeError):
        cytorch.block_diag(cytorch.ones(2, 2, 2))


def test_cartesian_prod_combinations():
    x, a = make((3,), "int64", "step")
    y, b = make((2,), "int64", "contig", 1)
    assert_close(cytorch.cartesian_prod(x, y), np.array(list(itertools.product(a, b))))
    assert_close(cytorch.cartesian_prod(x), a)
    for r in (1, 2, 3):
        for rep in (False, True):
            gen = itertools.combinations_with_replacement if rep else itertools.combinations
            exp = np.array(list(gen(a, r)), dtype=np.int64).reshape(-1, r)
            assert_close(cytorch.combinations(x, r, with_replacement=rep), exp)
    assert cytorch.combinations(x, 4).shape == (0, 4)
    assert cytorch.combinations(x, 0).shape == (0,)
    with pytest.raises(RuntimeError):
        cytorch.combinations(cytorch.ones(2, 2))
    with pytest.raises(RuntimeError):
        cytorch.cartesian_prod(x, cytorch.ones(2))


# ---------------------------------------------------------------- against PyTorch

PARITY = [
    ("cat", lambda L, x: L.cat([x, x.flip(0)], 1)),
    ("stack", lambda L, x: L.stack([x, x], -2)),
    ("hstack", lambda L, x: L.hstack([x, x])),
    ("vstack", lambda L, x: L.vstack([x, x.select(0, 0)])),
    ("dstack", lambda L, x: L.dstack([x, x])),
    ("column_stack", lambda L, x: L.column_stack([x, x.select(1, 0)])),
    ("split", lambda L, x: L.split(x, [1, 2], 1)),
    ("chunk", lambda L, x: x.chunk(2, -1)),
    ("tensor_split", lambda L, x: L.tensor_split(x, [1, 5, -1], 0)),
    ("hsplit", lambda L, x: L.hsplit(x, [1])),
    ("unbind", lambda L, x: x.unbind(1)),
    ("unflatten", lambda L, x: x.reshape(-1).unflatten(0, (-1, 3))),
    ("diagonal", lambda L, x: L.diagonal(x, -1)),
    ("movedim", lambda L, x: L.movedim(x, 0, 1)),
    ("unfold", lambda L, x: x.unfold(0, 2, 2)),
    ("T", lambda L, x: x.T),
    ("mT", lambda L, x: x.mT),
    ("repeat", lambda L, x: x.repeat(2, 1, 3)),
    ("tile", lambda L, x: L.tile(x, (2,))),
    ("repeat_interleave", lambda L, x: L.repeat_interleave(x, 2, 0)),
    ("repeat_interleave_t", lambda L, x: x.repeat_interleave(L.tensor([0, 3, 1]), dim=1)),
    ("roll", lambda L, x: L.roll(x, (1, -1), (0, 1))),
    ("roll_flat", lambda L, x: L.roll(x, 5)),
    ("flip", lambda L, x: L.flip(x, (0, 1))),
    ("rot90", lambda L, x: L.rot90(x, 3)),
    ("tril", lambda L, x: L.tril(x, -1)),
    ("triu", lambda L, x: x.triu(1)),
    ("diag", lambda L, x: L.diag(x, 1)),
    ("diag1", lambda L, x: L.diag(x.select(0, 0), -1)),
    ("diag_embed", lambda L, x: L.diag_embed(x, 1)),
    ("diagflat", lambda L, x: L.diagflat(x)),
    ("trace", lambda L, x: L.trace(x)),
    ("broadcast_to", lambda L, x: L.broadcast_to(x, (2, 4, 3))),
    ("meshgrid", lambda L, x: L.meshgrid(x.select(0, 0), x.select(1, 1), indexing="xy")),
    ("block_diag", lambda L, x: L.block_diag(x, x.select(0, 0))),
    ("cartesian_prod", lambda L, x: L.cartesian_prod(x.select(0, 0), x.select(0, 1))),
    ("combinations", lambda L, x: L.combinations(x.select(0, 0), 2)),
    ("atleast_3d", lambda L, x: L.atleast_3d(x)),
    ("ravel", lambda L, x: L.ravel(x.t())),
]


@pytest.mark.parametrize("name,fn", PARITY, ids=[p[0] for p in PARITY])
@pytest.mark.parametrize("dt", ["int64", "float32", "bfloat16"])
def test_against_torch(torch, name, fn, dt):
    x, _ = make((4, 3), dt, "T")
    if name == "trace" and dt == "int64":
        x = x.to(cytorch.int32)
    same_as_torch(torch, fn(cytorch, x), fn(torch, to_torch(torch, x)))


ERRORS = [
    lambda L: L.cat([L.ones(2, 3), L.ones(2, 4)]),
    lambda L: L.cat([L.ones(2, 3), L.ones(2, 3)], 2),
    lambda L: L.stack([L.ones(2), L.ones(3)]),
    lambda L: L.split(L.ones(4), [1, 2]),
    lambda L: L.ones(3).unfold(0, 4, 1),
    lambda L: L.ones(3, 3).diagonal(0, 1, 1),
    lambda L: L.roll(L.ones(3), (1, 2), 0),
    lambda L: L.flip(L.ones(3), (1,)),
    lambda L: L.tril(L.ones(3)),
    lambda L: L.rot90(L.ones(3, 3), 1, (0, 0)),
    lambda L: L.ones(2, 3).repeat(2),
    lambda L: L.movedim(L.ones(2, 3), 2, 0),
    lambda L: L.repeat_interleave(L.ones(3), L.tensor([1, 2])),
    lambda L: L.diag(L.ones(2, 2, 2)),
    lambda L: L.trace(L.ones(3)),
    lambda L: L.hsplit(L.ones(3, 3), 2),
    lambda L: L.broadcast_to(L.ones(3), (4,)),
    lambda L: L.chunk(L.ones(3), 0),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_error_types_match_torch(torch, i):
    with pytest.raises(Exception) as theirs:
        ERRORS[i](torch)
    with pytest.raises(Exception) as ours:
        ERRORS[i](cytorch)
    assert type(ours.value) is type(theirs.value), (ours.value, theirs.value)


EDGE_CASES = [
    "L.tensor(3.).T", "L.ones(2, 3, 4).T.stride()", "L.unbind(L.tensor(1.))", "L.chunk(L.ones(0, 3), 2, 1)",
    "L.ones(2, 0).split(0, 1)", "L.tensor_split(L.ones(2, 5), L.tensor([1, 3]), dim=1)",
    "L.diagonal(L.ones(0, 3))", "L.movedim(L.tensor(1.), 0, 0)", "L.roll(L.tensor(1.), 1)",
    "L.roll(L.tensor(1.), 1, 0)", "L.roll(L.arange(6).view(2, 3), [1, 1], [0, 0])",
    "L.rot90(L.arange(6).view(2, 3), 1, [1, 0])", "L.rot90(L.arange(6).view(2, 3), 1, [-2, 1])",
    "L.tril(L.ones(2, 3, dtype=L.bool))", "L.arange(6).view(2, 3).tril_(-1)", "L.tril_indices(3, 3, -10)",
    "L.triu_indices(3, 3, 10)", "L.tril_indices(0, 0)", "L.diag(L.tensor(3.))", "L.diag(L.ones(0))",
    "L.diag(L.ones(0, 2), 1)", "L.diagflat(L.tensor(3.))", "L.diag_embed(L.tensor(3.))",
    "L.diag_embed(L.ones(0))", "L.trace(L.ones(0, 0))", "L.trace(L.arange(6, dtype=L.int8).view(2, 3))",
    "L.block_diag(L.ones(2, dtype=L.int64), L.ones(1, dtype=L.bool))", "L.cartesian_prod(L.ones(0), L.ones(2))",
    "L.cartesian_prod(L.ones(2), L.ones(3, dtype=L.float64))", "L.combinations(L.ones(0), 2)",
    "L.combinations(L.tensor([1., 2.]), 3, True)", "L.meshgrid()", "L.meshgrid(L.tensor(1.), L.ones(2))",
    "L.meshgrid(L.ones(2), indexing='xy')", "L.broadcast_tensors(L.ones(2, 1), L.tensor(3))",
    "L.broadcast_shapes(L.Size([2, 1]), [3])", "L.broadcast_shapes((-1,), (3,))", "L.atleast_2d()",
    "L.hstack([])", "L.vstack([])", "L.dstack([])", "L.column_stack([])",
    "L.stack([L.tensor(1.), L.tensor(2)])", "L.stack([L.ones(2), L.ones(2, dtype=L.int64)], 1)",
    "L.cat([L.ones(2, 3), L.ones(0)], 1)", "L.cat((L.ones(2, 3),), -1)",
    "L.repeat_interleave(L.ones(2, 3), L.tensor([1, 2]), 0)",
    "L.repeat_interleave(L.ones(2, 3), 2, -1, output_size=6)", "L.repeat_interleave(L.ones(0), 2)",
    "L.repeat_interleave(L.tensor(1.), L.tensor([2]))", "L.repeat_interleave(L.tensor([2, 3]), output_size=5)",
    "L.repeat_interleave(L.tensor([[2, 3]]))", "L.repeat_interleave(L.ones(3), L.tensor([[1, 1, 1]]))",
    "L.ones(2, 3).repeat(0, 2)", "L.ones(2, 3).repeat(L.Size([1, 2]))", "L.tile(L.tensor(2.), (2, 3))",
    "L.unflatten(L.tensor(1.), 0, (1,))", "L.unflatten(L.ones(6), 0, (-1, -1))",
    "L.unflatten(L.ones(0), 0, (-1, 0))", "L.unflatten(L.ones(0), 0, (0, -1))", "L.ones(3).unfold(0, 0, 1)",
    "L.ones(3).unfold(0, -1, 1)", "L.tensor(1.).unfold(0, 2, 1)", "L.as_strided(L.arange(6), (2, 2), (1, 2))",
    "L.as_strided(L.arange(6), (2, 2), (1, 2), 1).storage_offset()",
    "L.arange(6).view(2, 3).narrow_copy(1, -2, 2)", "L.column_stack([L.tensor(1.), L.tensor(2.)])",
    "L.dstack([L.ones(2, 2, 2), L.ones(2, 2)])", "L.hsplit(L.ones(2, 6), [2])", "L.hsplit(L.ones(2, 6), 0)",
    "L.roll(L.ones(2, 3), 1, -3)", "L.ones(2, 3, 4).mH.shape", "L.flip(L.arange(4.), dims=(0,))",
    "L.ravel(L.tensor(2.))", "L.squeeze(L.ones(2, 1, 1), dim=(1, 2))",
    "L.diagonal(L.ones(2, 3, 4), dim1=2, dim2=0, offset=1).stride()",
    "L.arange(12.).view(3, 4).t().flip(1)", "L.arange(12.).view(3, 4).t().flip(1).stride()",
    "L.arange(24).view(2, 3, 4).permute(2, 0, 1).flip(0, 2).stride()",
    "L.arange(24).view(2, 3, 4).permute(2, 0, 1).flip(0, 2)",
    "L.stack([L.ones(2, 3).t(), L.zeros(3, 2, dtype=L.int32)], 1)",
    "L.trace(L.arange(12, dtype=L.int16).view(3, 4).t())",
    "L.cat([L.ones(2, 1), L.zeros(2, 2)], axis=1)", "L.stack([L.ones(2), L.zeros(2)], axis=1)",
    "L.select_scatter(L.zeros(2, 3), L.arange(2.), 1, -1)", "L.select_scatter(L.zeros(2, 3), L.ones(3), 1, 0)",
    "L.slice_scatter(L.zeros(5, 3), L.ones(2, 3), 0, 1, 5, 2)", "L.slice_scatter(L.zeros(4, 6), L.ones(4, 2), 1, -2)",
    "L.slice_scatter(L.zeros(5, 3), L.ones(3, 3), 0, 1, 5, 2)",
    "L.diagonal_scatter(L.zeros(3, 4), L.arange(3.), 1)", "L.diagonal_scatter(L.zeros(3, 4), L.arange(2.), -1)",
    "L.as_strided_scatter(L.zeros(6), L.ones(2, 2), (2, 2), (1, 2), 1)",
    "L.permute_copy(L.arange(6).view(2, 3), (1, 0)).stride()", "L.t_copy(L.arange(6).view(2, 3))",
    "L.diagonal_copy(L.arange(6).view(2, 3))", "L.split_copy(L.arange(5), 2)",
    "L.unbind_copy(L.arange(6).view(2, 3), 1)", "L.expand_copy(L.arange(3), (2, 3))",
    "L.unfold_copy(L.arange(6), 0, 2, 2)", "L.adjoint(L.arange(6.).view(2, 3))",
    "L.unsafe_chunk(L.arange(5), 2)", "L.unsafe_split(L.arange(5), 3)",
    "L.arange(6).view(2, 3).t_().stride()", "L.arange(6).view(2, 3).transpose_(0, 1)",
    "L.arange(6).view(2, 1, 3).squeeze_()", "L.arange(6).view(2, 3).unsqueeze_(1).stride()",
    "L.arange(6).view(2, 3).swapaxes_(0, 1).shape", "L.tensor_split(L.arange(7), sections=3)",
    "L.arange(7).tensor_split(indices=[2, 4])", "L.roll(L.arange(12).view(3, 4), (1, 2, -1), (0, 1, 0))", "L.arange(6).as_strided_((2, 2), (1, 2))",
]


def _run_edge(L, expr):
    import torch
    try:
        r = eval("lambda L: " + expr)(L)
    except Exception as e:  # the error type is what is compared
        return ("ERR", type(e).__name__)

    def conv(r):
        if isinstance(r, (tuple, list)):
            return [conv(x) for x in r]
        if isinstance(r, (torch.Tensor, cytorch.Tensor)):
            d = str(r.dtype).split(".")[-1]
            return (tuple(r.shape), d, (r.float() if d == "bfloat16" else r).tolist())
        return r
    return conv(r)


@pytest.mark.parametrize("expr", EDGE_CASES)
def test_edge_cases_match_torch(torch, expr):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert _run_edge(cytorch, expr) == _run_edge(torch, expr)


def test_huge_or_extreme_arguments_fail_cleanly():
    x = cytorch.ones(3, 3)
    assert_close(cytorch.tril(x, 2 ** 63 - 1), np.ones((3, 3), np.float32))
    assert_close(cytorch.tril(x, -2 ** 63 + 1), np.zeros((3, 3), np.float32))
    assert_close(cytorch.triu(x, -2 ** 63 + 1), np.ones((3, 3), np.float32))
    assert cytorch.tril_indices(3, 3, 2 ** 63 - 2).shape == (2, 9)
    assert cytorch.triu_indices(3, 3, 2 ** 63 - 2).shape == (2, 0)
    assert cytorch.diagonal(x, -2 ** 63 + 1).shape == (0,)
    reps = cytorch.tensor([2 ** 62, 2 ** 62, 2 ** 62, 2 ** 62 + 5])   # sum wraps around int64
    with pytest.raises(RuntimeError):
        cytorch.repeat_interleave(cytorch.arange(4), reps)
    with pytest.raises(RuntimeError):
        cytorch.repeat_interleave(cytorch.arange(4), reps, output_size=5)
    with pytest.raises(RuntimeError):
        cytorch.ones(1, 1).repeat(2 ** 40, 2 ** 40)   # byte size overflows int64
    with pytest.raises(RuntimeError):
        cytorch.diag(cytorch.ones(2), 2 ** 40)
    with pytest.raises(RuntimeError, match="negative dimension -3"):
        cytorch.ones(3).repeat(-1)
