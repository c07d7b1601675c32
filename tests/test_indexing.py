"""Indexing: x[key], x[key] = v, and the gather/scatter family, against NumPy and PyTorch."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import cytorch
from conftest import assert_close, np_of

RNG = np.random.default_rng(0)
DTYPES = ["float32", "float64", "int64", "bool", "complex64"]


def rand(shape, dtype="float32"):
    if dtype == "bool":
        return RNG.random(shape) > 0.5
    if dtype.startswith("complex"):
        return (RNG.standard_normal(shape) + 1j * RNG.standard_normal(shape)).astype(dtype)
    if dtype.startswith("int") or dtype.startswith("uint"):
        return RNG.integers(-9, 10, size=shape).astype(dtype)
    return RNG.standard_normal(shape).astype(dtype)


def ct(a):
    """A cytorch copy of a NumPy array."""
    return cytorch.from_numpy(np.array(a, copy=True))


def layouts(a):
    """(numpy array, cytorch tensor) pairs with the same values: contiguous, transposed, sliced."""
    yield a, ct(a)
    t = ct(np.ascontiguousarray(a.T)).t() if a.ndim == 2 else ct(np.ascontiguousarray(np.moveaxis(a, 0, -1))).permute(
        a.ndim - 1, *range(a.ndim - 1))
    yield a, t
    big = np.zeros(tuple(2 * s + 1 for s in a.shape), dtype=a.dtype)
    big[tuple(slice(1, None, 2) for _ in a.shape)] = a
    tb = ct(big)
    yield a, tb._as_strided(a.shape, tuple(2 * s for s in tb.stride()), tb.storage_offset() + sum(tb.stride()))


def to_torch(torch, t):
    return torch.from_numpy(np_of(t))


def idx_np(key):
    """A key with cytorch tensors replaced by NumPy arrays."""
    if isinstance(key, tuple):
        return tuple(idx_np(k) for k in key)
    if isinstance(key, cytorch.Tensor):
        return np_of(key)
    return key


def idx_torch(torch, key):
    if isinstance(key, tuple):
        return tuple(idx_torch(torch, k) for k in key)
    if isinstance(key, cytorch.Tensor):
        return to_torch(torch, key)
    return key


def L(*v):
    return cytorch.tensor(list(v), dtype=cytorch.int64)


# ---------------------------------------------------------------- basic indexing

BASIC_KEYS = [
    1, -1, 0, slice(None), slice(1, 3), slice(None, None, 2), slice(-3, None), slice(5, 1), slice(1, 100, 3),
    (1, 2), (-1, slice(None), 0), (Ellipsis, 1), (None, 1), (slice(None), None, slice(1, 3)), (Ellipsis,),
    (1, Ellipsis, None), (None, Ellipsis, None), (slice(0, 0),), (0, 0, 0), (), (slice(None), 1, slice(0, 4, 3)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("key", BASIC_KEYS, ids=repr)
def test_basic_getitem_matches_numpy_and_is_view(dtype, key):
    for a, t in layouts(rand((3, 4, 5), dtype)):
        r = t[key]
        assert_close(r, a[key])
        assert r._is_view_of(t)


def test_basic_view_writes_through():
    t = cytorch.zeros(3, 4)
    v = t[1, 1:3]
    v.fill_(5)
    expected = np.zeros((3, 4), np.float32)
    expected[1, 1:3] = 5
    assert_close(t, expected)
    assert t[1:, ::2].data_ptr() == t.data_ptr() + 4 * 4


def test_bool_scalar_index_and_zero_d():
    t = ct(rand((3, 4)))
    assert tuple(t[True].shape) == (1, 3, 4)
    assert tuple(t[True, L(0, 1)].shape) == (2, 4)          # True is an index [0] on a new dim (torch)
    assert tuple(t[False].shape) == (0, 3, 4)
    assert tuple(t[None, True].shape) == (1, 1, 3, 4)
    s = cytorch.tensor(5.0)
    assert s[()].item() == 5.0 and s[None].shape == (1,) and s[...].dim() == 0


def test_zero_d_int_tensor_acts_as_int():
    a = rand((3, 4))
    t = ct(a)
    r = t[cytorch.tensor(2)]
    assert r._is_view_of(t)
    assert_close(r, a[2])
    assert_close(t[:, cytorch.tensor(-1)], a[:, -1])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.none(), st.integers(-7, 7)), st.one_of(st.none(), st.integers(-7, 7)),
                          st.one_of(st.none(), st.integers(1, 4))), min_size=1, max_size=3),
       st.booleans())
def test_random_slices_vs_numpy(parts, transposed):
    a = np.arange(5 * 6 * 4, dtype=np.float64).reshape(5, 6, 4)
    t = ct(a)
    if transposed:
        a = a.transpose(2, 0, 1)
        t = t.permute(2, 0, 1)
    key = tuple(slice(*p) for p in parts)
    assert_close(t[key], a[key])


def test_basic_errors():
    t = ct(rand((3, 4)))
    with pytest.raises(ValueError, match="step must be greater than zero"):
        t[::-1]
    with pytest.raises(ValueError, match="step must be greater than zero"):
        t[:, ::0]
    with pytest.raises(IndexError, match="index 5 is out of bounds for dimension 0 with size 3"):
        t[5]
    with pytest.raises(IndexError, match="index -5 is out of bounds for dimension 1 with size 4"):
        t[0, -5]
    with pytest.raises(IndexError, match="too many indices for tensor of dimension 2"):
        t[1, 2, 3]
    with pytest.raises(IndexError):
        t["a"]
    with pytest.raises(IndexError):
        t[1.5]
    with pytest.raises(IndexError, match="invalid index of a 0-dim tensor"):
        cytorch.tensor(1.0)[0]
    with pytest.raises(IndexError, match="slice\\(\\) cannot be applied to a 0-dim tensor"):
        cytorch.tensor(1.0)[:]


# ---------------------------------------------------------------- advanced indexing

def adv_keys():
    return [
        L(2, 0, 2),
        L(-1, 0),
        (L(0, 2), L(1, 3)),
        (slice(None), L(3, 0, 0)),
        (L(0, 1), slice(None), L(4, 0)),                       # separated: advanced dims go first
        (1, slice(None), L(4, 0, 1)),                          # an int is basic in torch: stays adjacent
        (slice(None), L(0, 2), L(1, 1)),                       # adjacent: stay in place
        (L(0, 2)[:, None], L(1, 2, 3)),                        # broadcast (2,1) with (3,)
        (Ellipsis, L(1, 4)),
        (None, L(1, 2), None, L(0, 1)),                        # None between: separated
        cytorch.tensor([[0, 1], [2, 2]]),                      # 2-d index
        cytorch.tensor([], dtype=cytorch.int64),               # empty index
        (slice(None), cytorch.tensor([], dtype=cytorch.int64), 0),
        L(1, 1, 1),                                            # duplicates
        cytorch.tensor([2, 0], dtype=cytorch.int32),           # int32 index
    ]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("k", range(len(adv_keys())))
def test_advanced_getitem_vs_numpy(dtype, k):
    key = adv_keys()[k]
    for a, t in layouts(rand((3, 4, 5), dtype)):
        r = t[key]
        ref = a[1][:, [4, 0, 1]] if k == 5 else a[idx_np(key)]    # NumPy would treat the int as advanced
        assert_close(r, ref)
        assert not r._is_view_of(t)


MASK_CASES = [
    lambda a: a.real > 0 if a.dtype.kind == "c" else (a > 0 if a.dtype != bool else a),
    lambda a: np.array([True, False, True]),
    lambda a: (np.arange(12).reshape(3, 4) % 3 == 0),
    lambda a: np.zeros((3, 4, 5), bool),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("k", range(len(MASK_CASES)))
def test_bool_mask_getitem(dtype, k):
    for a, t in layouts(rand((3, 4, 5), dtype)):
        m = MASK_CASES[k](a)
        assert_close(t[ct(m)], a[m])
    a = rand((3, 4, 5), dtype)
    t = ct(a)
    m = np.array([True, False, True, True, False])
    assert_close(t[1:, :, ct(m)], a[1:, :, m])
    m2 = np.array([[True, False, False, True], [False, True, True, False], [True] * 4])
    assert_close(t[ct(m2), 1], a[m2, 1])
    assert_close(t[:, ct(m2[0]), L(0, 1)[:, None]], a[:, m2[0], np.array([0, 1])[:, None]])


def test_list_indices_like_torch():
    a = rand((4, 5))
    t = ct(a)
    assert_close(t[[0, 3, 3]], a[[0, 3, 3]])
    with pytest.warns(UserWarning, match="non-tuple sequence"):
        assert_close(t[[[0, 1], [1, 0]]], a[[0, 1], [1, 0]])   # a list of lists is a tuple (torch rule)
    assert_close(t[[0, 1], [2, 3]], a[[0, 1], [2, 3]])
    assert_close(t[[True, False, True, False]], a[[True, False, True, False]])
    assert_close(t[np.array([1, 2])], a[np.array([1, 2])])
    assert_close(t[range(1, 3)], a[1:3])


def test_advanced_errors():
    t = ct(rand((3, 4)))
    with pytest.raises(IndexError, match="index 5 is out of bounds for dimension 0 with size 3"):
        t[L(0, 5)]
    with pytest.raises(IndexError, match="index -4 is out of bounds"):
        t[L(-4)]
    with pytest.raises(IndexError, match="out of bounds for dimension 1 with size 4"):
        t[:, L(7)]
    with pytest.raises(IndexError, match="tensors used as indices must be long, int, byte or bool tensors"):
        t[cytorch.tensor([1.0])]
    with pytest.raises(IndexError, match="shape of the mask"):
        t[cytorch.tensor([True, False])]
    with pytest.raises(IndexError, match="shape mismatch"):
        t[L(0, 1), L(0, 1, 2)]
    with pytest.raises(IndexError, match="tensors used as indices must be long, int, byte or bool"):
        t[cytorch.tensor([0], dtype=cytorch.int16)]
    assert_close(t[cytorch.tensor(1, dtype=cytorch.int8)], np_of(t)[1])


def test_mask_setitem_zero_d_value_any_dtype():
    z = cytorch.zeros(3, dtype=cytorch.int64)
    z[cytorch.tensor([True, False, True])] = cytorch.tensor(1.5)
    assert z.tolist() == [1, 0, 1]


def test_advanced_vs_torch(torch):
    a = rand((3, 4, 5))
    t = ct(a)
    tt = torch.from_numpy(a)
    for key in adv_keys() + [(L(0, 1), 1, L(2, 3)), (cytorch.tensor(True), L(0, 2))]:
        r = t[key]
        e = tt[idx_torch(torch, key)]
        assert tuple(r.shape) == tuple(e.shape), key
        assert_close(r, e.numpy())


# ---------------------------------------------------------------- __setitem__

@pytest.mark.parametrize("dtype", DTYPES)
def test_setitem_basic(dtype):
    for a, t in layouts(rand((3, 4, 5), dtype)):
        a = a.copy()
        v0 = t._version
        t[1] = 1
        a[1] = 1
        t[:, 1:3, ::2] = ct(a[0, 0, :3])
        a[:, 1:3, ::2] = a[0, 0, :3].copy()
        t[..., 0] = ct(np.ones((1, 1, 4), dtype))        # leading size-1 dims are dropped
        a[..., 0] = 1
        assert_close(t, a)
        assert t._version > v0


def test_setitem_converts_for_basic_and_scalars():
    t = cytorch.zeros(4, dtype=cytorch.int64)
    t[0:2] = cytorch.tensor([1.7, 2.2])
    t[3] = 9.9
    t[L(2)] = 5.5
    assert t.tolist() == [1, 2, 5, 9]


@pytest.mark.parametrize("dtype", DTYPES)
def test_setitem_advanced(dtype):
    for a, t in layouts(rand((3, 4, 5), dtype)):
        a = a.copy()
        v = rand((4, 5), dtype)
        t[L(0, 2)] = ct(v)
        a[[0, 2]] = v
        t[:, L(1, 3), L(0, 4)] = ct(v[:1, :2])
        a[:, [1, 3], [0, 4]] = v[:1, :2]
        m = np.zeros((3, 4, 5), bool)
        m[1, 2:, 1:3] = True
        t[ct(m)] = ct(v[0, :1])
        a[m] = v[0, :1]
        assert_close(t, a)


def test_setitem_duplicates_last_write_wins_and_mask_scalar():
    t = cytorch.zeros(4)
    t[L(1, 1, 1)] = cytorch.tensor([1.0, 2.0, 3.0])
    assert t.tolist() == [0, 3, 0, 0]
    t[t > 0] = -1
    assert t.tolist() == [0, -1, 0, 0]
    v = t._version
    t[L(0)] = 2.0
    assert t._version > v


def test_setitem_aliasing_value():
    a = np.arange(6, dtype=np.float64)
    t = ct(a)
    t[L(1, 2, 3)] = t[0:3]
    a[[1, 2, 3]] = a[0:3].copy()
    assert_close(t, a)


def test_setitem_errors():
    t = cytorch.zeros(3, 4, dtype=cytorch.int64)
    with pytest.raises(RuntimeError, match="Index put requires the source and destination dtypes match"):
        t[L(0)] = cytorch.tensor([1.0])
    with pytest.raises(RuntimeError, match="shape mismatch"):
        t[L(0)] = cytorch.ones(2, 4, dtype=cytorch.int64)
    with pytest.raises(RuntimeError):
        t[0:2] = cytorch.ones(3, 4, dtype=cytorch.int64)
    with pytest.raises(IndexError):
        t[L(3)] = 1


def test_setitem_vs_torch(torch):
    a = rand((3, 4, 5))
    t, tt = ct(a), torch.from_numpy(a.copy())
    v = rand((2, 4))
    for key, val in [((L(0, 2), Ellipsis, 1), v), ((slice(None), L(1, 1), 0), v[:1, :2]),
                     ((L(0, 1), slice(1, 3), L(2, 3)), v[:, :2].T)]:
        t[key] = ct(val)
        tt[idx_torch(torch, key)] = torch.from_numpy(val)
    assert_close(t, tt.numpy())


# ---------------------------------------------------------------- index_select / gather / take

@pytest.mark.parametrize("dtype", DTYPES)
def test_index_select(dtype):
    for a, t in layouts(rand((3, 4, 5), dtype)):
        for dim in (0, 1, -1):
            idx = np.array([2, 0, 2, -1 % a.shape[dim]])
            assert_close(cytorch.index_select(t, dim, ct(idx)), np.take(a, idx, axis=dim))
        assert_close(t.index_select(1, cytorch.tensor([], dtype=cytorch.int64)), a[:, []])
        assert_close(t.index_select(2, cytorch.tensor(3)), a[:, :, [3]])
        assert_close(t.index_select(0, cytorch.tensor([1, 0], dtype=cytorch.int32)), a[[1, 0]])
    s = cytorch.tensor(4.0)
    assert cytorch.index_select(s, 0, L(0)).item() == 4.0


def test_index_select_errors():
    t = ct(rand((3, 4)))
    with pytest.raises(IndexError, match="index out of range in self"):
        t.index_select(0, L(3))
    with pytest.raises(IndexError, match="Index is supposed to be a vector"):
        t.index_select(0, cytorch.tensor([[1]]))
    with pytest.raises(RuntimeError, match="Expected dtype int"):
        t.index_select(0, cytorch.tensor([1.0]))
    with pytest.raises(IndexError, match="Dimension out of range"):
        t.index_select(2, L(0))


@pytest.mark.parametrize("dtype", DTYPES)
def test_gather(dtype):
    for a, t in layouts(rand((3, 4, 5), dtype)):
        for dim in (0, 1, 2):
            idx = RNG.integers(0, a.shape[dim], size=(2, 3, 4) if dim != 2 else (3, 4, 6))
            assert_close(cytorch.gather(t, dim, ct(idx)), _gather_ref(a, dim, idx))
        # a non-contiguous index
        idx = ct(RNG.integers(0, 4, size=(5, 3, 3))).permute(2, 1, 0)
        assert_close(t.gather(1, idx), _gather_ref(a, 1, np_of(idx)))
        assert_close(t.gather(0, cytorch.zeros(0, 4, 5, dtype=cytorch.int64)), a[:0])


def _gather_ref(a, dim, idx):
    out = np.empty(idx.shape, a.dtype)
    for pos in np.ndindex(*idx.shape):
        src = list(pos)
        src[dim] = idx[pos] % a.shape[dim]
        out[pos] = a[tuple(src)]
    return out


def test_gather_errors():
    t = ct(rand((3, 4)))
    with pytest.raises(RuntimeError, match="Index tensor must have the same number of dimensions as input tensor"):
        t.gather(0, L(1))
    with pytest.raises(RuntimeError, match="index 9 is out of bounds for dimension 0 with size 3"):
        t.gather(0, cytorch.tensor([[9]]))
    with pytest.raises(RuntimeError, match="index -1 is out of bounds for dimension 0 with size 3"):
        t.gather(0, cytorch.tensor([[-1]]))      # negative indices are errors here, as in torch
    with pytest.raises(RuntimeError, match="Size does not match"):
        t.gather(0, cytorch.zeros(1, 5, dtype=cytorch.int64))
    with pytest.raises(RuntimeError):
        t.gather(0, cytorch.zeros(1, 1))


def test_gather_vs_torch(torch):
    a = rand((4, 6))
    idx = RNG.integers(0, 6, size=(3, 5))
    r = ct(a).gather(1, ct(idx))
    assert_close(r, torch.from_numpy(a).gather(1, torch.from_numpy(idx)).numpy())


@pytest.mark.parametrize("dtype", DTYPES)
def test_take_and_take_along_dim(dtype):
    for a, t in layouts(rand((3, 4, 5), dtype)):
        idx = RNG.integers(-60, 60, size=(2, 7))
        assert_close(cytorch.take(t, ct(idx)), np.take(a, idx))
        idx3 = RNG.integers(-4, 4, size=(3, 2, 5))         # take_along_dim wraps negatives
        assert_close(cytorch.take_along_dim(t, ct(idx3), 1), np.take_along_axis(a, idx3 % 4, 1))
        idx_b = RNG.integers(0, 4, size=(1, 2, 1))        # broadcast against input off dim
        assert_close(t.take_along_dim(ct(idx_b), dim=1), np.take_along_axis(a, np.broadcast_to(idx_b, (3, 2, 5)), 1))
        assert_close(cytorch.take_along_dim(t, ct(np.array([0, 59]))), a.reshape(-1)[[0, 59]])


def test_take_errors():
    t = ct(rand((3, 4)))
    with pytest.raises(IndexError, match="out of range: tried to access index 12 on a tensor of 12 elements"):
        cytorch.take(t, L(12))
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        cytorch.take_along_dim(t, L(1), 1)


# ---------------------------------------------------------------- scatter family

def _scatter_ref(a, dim, idx, src, op):
    out = a.copy()
    for pos in np.ndindex(*idx.shape):
        dst = list(pos)
        dst[dim] = idx[pos] % a.shape[dim]
        dst = tuple(dst)
        v = src[pos] if isinstance(src, np.ndarray) else src
        if op == "put":
            out[dst] = v
        elif op == "add":
            out[dst] = out[dst] + v if out.dtype != bool else out[dst] or v
        elif op == "mul":
            out[dst] = out[dst] * v if out.dtype != bool else out[dst] and v
    return out


@pytest.mark.parametrize("dtype", DTYPES)
def test_scatter_variants(dtype):
    for a, t in layouts(rand((3, 4, 5), dtype)):
        idx = RNG.integers(0, 3, size=(2, 4, 3))            # duplicates along dim 0
        src = rand((3, 4, 5), dtype)
        perm = RNG.permutation(3)[:2]
        uniq = np.broadcast_to(perm[:, None, None], (2, 4, 3)).copy()
        assert_close(t.scatter(0, ct(uniq), ct(src)), _scatter_ref(a, 0, uniq, src, "put"))
        assert_close(cytorch.scatter(t, 0, ct(idx), ct(src), reduce="add"), _scatter_ref(a, 0, idx, src, "add"),
                     rtol=1e-5, atol=1e-5)
        assert_close(t.scatter_add(0, ct(idx), ct(src)), _scatter_ref(a, 0, idx, src, "add"), rtol=1e-5, atol=1e-5)
        if dtype != "bool":
            assert_close(t.scatter(0, ct(idx), ct(src), reduce="multiply"), _scatter_ref(a, 0, idx, src, "mul"),
                         rtol=1e-5, atol=1e-5)
        val = True if dtype == "bool" else 2
        assert_close(t.scatter(2, ct(uniq % 5), val), _scatter_ref(a, 2, uniq % 5, np.array(val, a.dtype)[()], "put"))


def test_scatter_inplace_and_version():
    t = cytorch.zeros(3, 4)
    v = t._version
    r = t.scatter_(1, cytorch.tensor([[3], [0], [1]]), 1.5)
    assert r is t and t._version > v
    assert_close(t, np.eye(4, dtype=np.float32)[[3, 0, 1]] * 1.5)
    t.scatter_add_(0, cytorch.tensor([[0, 0, 0, 0]]), cytorch.ones(1, 4))
    assert t[0].tolist() == [1, 1, 1, 2.5]


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_scatter_reduce_vs_torch(torch, reduce, include_self, dtype):
    a = rand((4, 5), dtype)
    idx = RNG.integers(0, 4, size=(6, 5))
    src = rand((6, 5), dtype)
    r = ct(a).scatter_reduce(0, ct(idx), ct(src), reduce, include_self=include_self)
    e = torch.from_numpy(a).scatter_reduce(0, torch.from_numpy(idx), torch.from_numpy(src), reduce,
                                           include_self=include_self)
    assert_close(r, e.numpy(), rtol=1e-5, atol=1e-5)


def test_scatter_reduce_nan_and_reference():
    a = np.array([1.0, 2.0, 3.0], np.float32)
    r = ct(a).scatter_reduce(0, L(0, 0, 2), cytorch.tensor([float("nan"), 5.0, -1.0]), "amax")
    assert np.isnan(np_of(r)[0]) and np_of(r)[1:].tolist() == [2.0, 3.0]
    r = ct(a).scatter_reduce(0, L(0, 0, 2), cytorch.tensor([4.0, 6.0, -1.0]), "mean", include_self=False)
    assert_close(r, np.array([5.0, 2.0, -1.0], np.float32))


def test_scatter_errors():
    t = cytorch.zeros(3, 4, dtype=cytorch.int64)
    with pytest.raises(RuntimeError, match="index 5 is out of bounds for dimension 0 with size 3"):
        t.scatter(0, cytorch.tensor([[5]]), 1)
    with pytest.raises(RuntimeError, match="Expected self.dtype to be equal to src.dtype"):
        t.scatter(0, cytorch.tensor([[1]]), cytorch.zeros(3, 4))
    with pytest.raises(RuntimeError, match="reduce argument must be either add or multiply"):
        t.scatter(0, cytorch.tensor([[1]]), 1, reduce="mean")
    with pytest.raises(RuntimeError, match="reduce argument must be either sum, prod, mean, amax or amin"):
        t.scatter_reduce(0, cytorch.tensor([[1]]), t, "foo")
    with pytest.raises(RuntimeError, match="no larger"):
        t.scatter(1, cytorch.tensor([[1, 1]]), t[:1, :1])
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        t.scatter(1, L(1), 2)


@pytest.mark.parametrize("dtype", DTYPES)
def test_index_add_copy_fill(dtype):
    for a, t in layouts(rand((3, 4, 5), dtype)):
        idx = np.array([3, 0, 3, 2])
        src = rand((3, 4, 5), dtype)
        ref = a.copy()
        for i, j in enumerate(idx):
            if dtype == "bool":
                ref[:, j] |= src[:, i]
            else:
                ref[:, j] += src[:, i]
        assert_close(t.index_add(1, ct(idx), ct(src)), ref, rtol=1e-5, atol=1e-5)
        if dtype in ("float32", "float64", "int64"):
            ref = a.copy()
            for i, j in enumerate(idx):
                ref[:, j] += 2 * src[:, i]
            assert_close(cytorch.index_add(t, 1, ct(idx), ct(src), alpha=2), ref, rtol=1e-5, atol=1e-5)
        uidx = np.array([2, 0])
        ref = a.copy()
        ref[uidx] = src[:2]
        assert_close(cytorch.index_copy(t, 0, ct(uidx), ct(src[:2])), ref)
        ref = a.copy()
        ref[:, :, [4, 1]] = 1
        assert_close(t.index_fill(2, ct(np.array([4, -4])), 1), ref)
        assert_close(t.index_fill(2, ct(np.array([4, -4])), cytorch.tensor(1)), ref)


def test_index_inplace_versions_and_errors():
    t = cytorch.zeros(3, 4)
    v = t._version
    assert t.index_fill_(0, L(1), 2.0) is t and t._version > v
    t.index_copy_(1, L(0), cytorch.ones(3, 1))
    t.index_add_(0, L(2, 2), cytorch.ones(2, 4), alpha=3)
    assert t.tolist() == [[1, 0, 0, 0], [1, 2, 2, 2], [7, 6, 6, 6]]
    with pytest.raises(RuntimeError, match="index 5 is out of bounds for dimension 0 with size 3"):
        t.index_add(0, L(5), t[:1])
    with pytest.raises(RuntimeError, match="index -1 is out of bounds"):
        t.index_add(0, L(-1), t[:1])
    with pytest.raises(IndexError, match="index -1 is out of bounds"):
        t.index_copy(0, L(-1), t[:1])
    with pytest.raises(IndexError, match="index out of range in self"):
        t.index_select(0, L(-1))
    with pytest.raises(RuntimeError, match="index -1 is out of bounds"):
        t.scatter_add(0, cytorch.tensor([[-1]]), t)
    assert t.index_fill(0, L(-1), 9.0)[2].tolist() == [9.0] * 4     # index_fill wraps, like torch
    with pytest.raises(IndexError, match="index 5 is out of bounds"):
        t.index_copy(0, L(5), t[:1])
    with pytest.raises(IndexError, match="index 5 is out of bounds"):
        t.index_fill(0, L(5), 1)
    with pytest.raises(RuntimeError, match="must have the same scalar type"):
        t.index_add(0, L(0), t[:1].double())
    with pytest.raises(RuntimeError, match="Number of indices"):
        t.index_add(0, L(0), t)
    with pytest.raises(RuntimeError, match="Index has to be a vector/scalar"):
        t.index_fill(0, cytorch.tensor([[1]]), 1)


def test_index_put_and_put():
    t = cytorch.zeros(3, 4)
    t.index_put_((L(0, 0, 2), L(1, 1, 3)), cytorch.tensor([1.0, 2.0, 3.0]), accumulate=True)
    ref = np.zeros((3, 4), np.float32)
    ref[0, 1] = 3
    ref[2, 3] = 3
    assert_close(t, ref)
    r = cytorch.index_put(t, (L(1),), cytorch.tensor(7.0))
    ref2 = ref.copy()
    ref2[1] = 7
    assert_close(r, ref2)
    assert_close(t, ref)
    with pytest.raises(RuntimeError, match="dtypes match"):
        t.index_put_((L(0),), cytorch.tensor([1.0], dtype=cytorch.float64))
    x = ct(np.arange(12, dtype=np.int64).reshape(3, 4)).t()     # non-contiguous target
    ref = np.arange(12).reshape(3, 4).T.copy()
    x.put_(L(0, -1, 5, 5), L(10, 20, 30, 40), accumulate=True)
    flat = ref.reshape(-1)
    for i, v in zip([0, -1, 5, 5], [10, 20, 30, 40]):
        flat[i] += v
    assert_close(x, flat.reshape(4, 3))
    y = cytorch.zeros(2, 2, dtype=cytorch.int64).put(L(3, 3), L(1, 2))
    assert y.tolist() == [[0, 0], [0, 2]]
    with pytest.raises(IndexError, match="out of range: tried to access index 12 on a tensor of 12 elements"):
        x.put_(L(12), L(1))
    with pytest.raises(IndexError, match="same number of elements"):
        x.put_(L(1, 2), L(1))
    with pytest.raises(RuntimeError, match="same dtype"):
        x.put_(L(1), cytorch.tensor([1.0]))


def test_index_put_accumulate_vs_torch(torch):
    a = rand((5, 3))
    idx = RNG.integers(-5, 5, size=20)
    v = rand((20, 3))
    r = ct(a).index_put_((ct(idx),), ct(v), accumulate=True)
    e = torch.from_numpy(a.copy()).index_put_((torch.from_numpy(idx),), torch.from_numpy(v), accumulate=True)
    assert_close(r, e.numpy(), rtol=1e-5, atol=1e-5)


# ---------------------------------------------------------------- masks, nonzero, where

@pytest.mark.parametrize("dtype", DTYPES)
def test_masked_ops(dtype):
    for a, t in layouts(rand((3, 4, 5), dtype)):
        m = RNG.random((4, 5)) > 0.5
        val = False if dtype == "bool" else 3
        ref = a.copy()
        ref[:, m] = val
        assert_close(t.masked_fill(ct(m), val), ref)
        assert_close(cytorch.masked_select(t, ct(m)), np.broadcast_to(a, (3, 4, 5))[np.broadcast_to(m, (3, 4, 5))])
        src = rand((80,), dtype)
        ref = a.copy()
        mb = np.broadcast_to(m, a.shape)
        ref[mb] = src[:mb.sum()]
        assert_close(t.masked_scatter(ct(m), ct(src)), ref)
    x = cytorch.zeros(3)
    assert tuple(x.masked_fill(cytorch.tensor([[True], [False]]), 1).shape) == (2, 3)
    v = x._version
    x.masked_fill_(cytorch.tensor([True, False, True]), cytorch.tensor(2.0))
    assert x.tolist() == [2, 0, 2] and x._version > v
    i = cytorch.arange(4)
    assert i.masked_fill(i > 1, 2.5).tolist() == [0, 1, 2, 2]


def test_masked_errors():
    x = cytorch.arange(4)
    with pytest.raises(RuntimeError, match="only supports boolean masks"):
        x.masked_fill(x, 1)
    with pytest.raises(RuntimeError, match="0-dimensional value tensor"):
        x.float().masked_fill(x > 1, cytorch.tensor([2.0]))
    with pytest.raises(RuntimeError, match="expected BoolTensor"):
        x.masked_select(x)
    with pytest.raises(RuntimeError, match="Number of elements of source"):
        x.masked_scatter(x > 0, L(1))
    with pytest.raises(RuntimeError, match="same dtypes"):
        x.masked_scatter(x > 0, cytorch.ones(4))
    with pytest.raises(RuntimeError):
        cytorch.zeros(3).masked_fill_(cytorch.tensor([[True], [False]]), 1)


@pytest.mark.parametrize("dtype", DTYPES + ["float16", "int8"])
def test_nonzero_argwhere(dtype):
    for a, t in layouts(rand((3, 4, 5), dtype)):
        ref = np.argwhere(a)
        assert_close(cytorch.nonzero(t), ref)
        assert_close(t.argwhere(), ref)
        tup = t.nonzero(as_tuple=True)
        for got, exp in zip(tup, np.nonzero(a)):
            assert_close(got, exp)
    z = cytorch.tensor([0.0, -0.0, float("nan"), 1.0])
    assert cytorch.nonzero(z).tolist() == [[2], [3]]
    assert tuple(cytorch.nonzero(cytorch.tensor(5)).shape) == (1, 0)
    assert tuple(cytorch.nonzero(cytorch.tensor(0)).shape) == (0, 0)
    assert [x.tolist() for x in cytorch.nonzero(cytorch.tensor(5), as_tuple=True)] == [[0]]
    assert tuple(cytorch.nonzero(cytorch.zeros(0, 3)).shape) == (0, 2)


@pytest.mark.parametrize("dtype", DTYPES)
def test_where(dtype):
    for a, t in layouts(rand((3, 4, 5), dtype)):
        c = RNG.random((4, 1)) > 0.5
        b = rand((5,), dtype)
        assert_close(cytorch.where(ct(c), t, ct(b)), np.where(c, a, b))
    c = ct(RNG.random((3, 4)) > 0.5)
    x = cytorch.arange(12).view(3, 4)
    assert cytorch.where(c, x, 2.5).dtype == cytorch.float32
    assert cytorch.where(c, 1, 2.5).dtype == cytorch.float32
    assert cytorch.where(c, 1, 2).dtype == cytorch.int64
    assert cytorch.where(c, x.int(), 2).dtype == cytorch.int32
    assert cytorch.where(c, x.float(), x.double()).dtype == cytorch.float64
    assert_close(cytorch.where(c, x, -1), np.where(np_of(c), np.arange(12).reshape(3, 4), -1))
    assert_close(x.where(c, 0), np.where(np_of(c), np.arange(12).reshape(3, 4), 0))
    got = cytorch.where(x > 8)
    assert [g.tolist() for g in got] == [[2, 2, 2], [1, 2, 3]]
    with pytest.raises(RuntimeError, match="where expected condition to be a boolean tensor"):
        cytorch.where(x.float(), x, x)
    with pytest.raises(RuntimeError):
        cytorch.where(c, cytorch.zeros(2), x)


def test_where_vs_torch(torch):
    c = RNG.random((2, 1, 4)) > 0.3
    a = rand((3, 1), "int64")
    b = rand((4,), "float32")
    r = cytorch.where(ct(c), ct(a), ct(b))
    e = torch.where(torch.from_numpy(c), torch.from_numpy(a), torch.from_numpy(b))
    assert r.dtype == cytorch.float32 and e.dtype == torch.float32
    assert_close(r, e.numpy())


def test_empty_tensors():
    t = cytorch.zeros(0, 3)
    assert tuple(t[L()].shape) == (0, 3)
    assert tuple(t[:, L(1, 2)].shape) == (0, 2)
    assert tuple(t[t > 0].shape) == (0,)
    t[t > 0] = 1.0
    assert tuple(cytorch.gather(t, 1, cytorch.zeros(0, 2, dtype=cytorch.int64)).shape) == (0, 2)
    assert tuple(cytorch.where(t > 0, t, 1.0).shape) == (0, 3)
    assert tuple(t.index_select(0, L()).shape) == (0, 3)
    with pytest.raises(IndexError):
        t[L(0)]


def test_large_gather_parallel_path():
    n = 200_000
    a = RNG.standard_normal(n).astype(np.float32)
    idx = RNG.integers(-n, n, size=n)
    t = ct(a)
    assert_close(t[ct(idx)], a[idx])
    old = cytorch.get_num_threads()
    try:
        cytorch.set_num_threads(1)
        one = np_of(t.gather(0, ct(idx % n)))
        cytorch.set_num_threads(3)
        three = np_of(t.gather(0, ct(idx % n)))
    finally:
        cytorch.set_num_threads(old)
    np.testing.assert_array_equal(one, three)
    np.testing.assert_array_equal(one, a[idx % n])
    bad = idx.copy()
    bad[n // 2] = n + 7
    with pytest.raises(IndexError, match=f"index {n + 7} is out of bounds"):
        t[ct(bad)]


# ---------------------------------------------------------------- random keys vs torch

@st.composite
def random_key(draw):
    shape = (3, 4, 5)
    items, dim, used_ell = [], 0, False
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["int", "slice", "none", "ell", "list", "tensor", "mask", "bool"]))
        if kind == "none":
            items.append(None)
            continue
        if kind == "bool":
            items.append(draw(st.booleans()))
            continue
        if kind == "ell":
            if used_ell:
                continue
            used_ell = True
            items.append(Ellipsis)
            dim = None
            continue
        if dim is not None and dim >= 3:
            break
        n = shape[dim] if dim is not None else 5
        if kind == "int":
            items.append(draw(st.integers(-n, n - 1)))
        elif kind == "slice":
            items.append(slice(draw(st.one_of(st.none(), st.integers(-n - 1, n + 1))),
                               draw(st.one_of(st.none(), st.integers(-n - 1, n + 1))),
                               draw(st.one_of(st.none(), st.integers(1, 3)))))
        elif kind in ("list", "tensor"):
            vals = draw(st.lists(st.integers(-n, n - 1), min_size=0, max_size=3))
            items.append(("idx", vals))
        else:
            items.append(("mask", draw(st.lists(st.booleans(), min_size=n, max_size=n))))
        if dim is not None:
            dim += 1
    return items


def _materialise(items, mod):
    out = []
    for x in items:
        if isinstance(x, tuple):
            if x[0] == "idx":
                out.append(mod.tensor(x[1], dtype=mod.int64))
            else:
                out.append(mod.tensor(x[1], dtype=mod.bool))
        else:
            out.append(x)
    return tuple(out)


@settings(max_examples=150, deadline=None)
@given(random_key())
def test_random_keys_vs_torch(items):
    torch = pytest.importorskip("torch")
    a = np.arange(60, dtype=np.float64).reshape(3, 4, 5)
    tt = torch.from_numpy(a.copy())
    tc = ct(a).permute(0, 1, 2)
    kt, kc = _materialise(items, torch), _materialise(items, cytorch)
    try:
        e = tt[kt]
    except (IndexError, RuntimeError, ValueError) as exc:
        with pytest.raises(type(exc)):
            tc[kc]
        return
    r = tc[kc]
    assert tuple(r.shape) == tuple(e.shape)
    assert_close(r, e.numpy())
    # the same key written through: value broadcast from the result shape
    val = np.asarray(np.arange(e.numel(), dtype=np.float64).reshape(tuple(e.shape)) + 100)
    tt[kt] = torch.from_numpy(val)
    tc[kc] = ct(val)
    assert_close(tc, tt.numpy())


@pytest.mark.parametrize("reduce", ["prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("dtype", ["float32", "int64"])
def test_index_reduce_vs_torch(torch, reduce, include_self, dtype):
    a = rand((4, 5), dtype)
    idx = RNG.integers(0, 5, size=7)
    src = rand((4, 7), dtype)
    r = ct(a).index_reduce(1, ct(idx), ct(src), reduce, include_self=include_self)
    e = torch.from_numpy(a).index_reduce(1, torch.from_numpy(idx), torch.from_numpy(src), reduce,
                                         include_self=include_self)
    assert_close(r, e.numpy(), rtol=1e-5, atol=1e-5)
    with pytest.raises(RuntimeError, match="Expected reduce to be one of"):
        ct(a).index_reduce(1, ct(idx), ct(src), "sum")


def test_put_function():
    x = cytorch.arange(6).view(2, 3)
    r = cytorch.put(x, L(0, -1), L(9, 8))
    assert r.tolist() == [[9, 1, 2], [3, 4, 8]] and x.tolist() == [[0, 1, 2], [3, 4, 5]]


OPS_VS_TORCH = [
    ("index_add", lambda m, x, i, s, b: x.index_add(1, i, s[:, :4], alpha=2)),
    ("index_copy", lambda m, x, i, s, b: x.index_copy(1, i[:1], s[:, :1])),
    ("index_fill", lambda m, x, i, s, b: x.index_fill(1, i, -7.0)),
    ("index_select", lambda m, x, i, s, b: m.index_select(x, 1, i)),
    ("masked_fill", lambda m, x, i, s, b: x.masked_fill(b, 3.5)),
    ("masked_select", lambda m, x, i, s, b: m.masked_select(x, b)),
    ("masked_scatter", lambda m, x, i, s, b: x.masked_scatter(b, s)),
    ("take", lambda m, x, i, s, b: m.take(x, i)),
    ("take_along_dim", lambda m, x, i, s, b: m.take_along_dim(x, i.view(1, -1), 1)),
    ("put", lambda m, x, i, s, b: x.put(i, s.reshape(-1)[:i.numel()], accumulate=True)),
    ("nonzero", lambda m, x, i, s, b: m.nonzero(b)),
    ("argwhere", lambda m, x, i, s, b: m.argwhere(x > 0)),
    ("where", lambda m, x, i, s, b: m.where(b, x, s[0])),
    ("scatter_add", lambda m, x, i, s, b: x.scatter_add(1, i.view(1, -1).expand(3, -1), s)),
    ("gather", lambda m, x, i, s, b: x.gather(1, i.view(1, -1).expand(2, -1))),
]


@pytest.mark.parametrize("name", [n for n, _ in OPS_VS_TORCH])
def test_ops_vs_torch_non_contiguous(torch, name):
    fn = dict(OPS_VS_TORCH)[name]
    a = rand((5, 3)).T                     # (3, 5), transposed memory
    s = rand((3, 5))
    b = RNG.random((3, 5)) > 0.5
    i = np.array([4, 0, 4, 2])
    cx = ct(np.ascontiguousarray(a.T)).t()
    assert not cx.is_contiguous()
    r = fn(cytorch, cx, ct(i), ct(s), ct(b))
    e = fn(torch, torch.from_numpy(np.ascontiguousarray(a.T)).t(), torch.from_numpy(i), torch.from_numpy(s),
           torch.from_numpy(b))
    assert tuple(r.shape) == tuple(e.shape)
    assert_close(r, e.numpy(), rtol=1e-5, atol=1e-5)
