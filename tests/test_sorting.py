"""Sorting, selection and counting: values against NumPy, behaviour against PyTorch."""
import math

import numpy as np
import pytest

import cytorch
from conftest import assert_close, np_of

REAL = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64"]
FLOATS = ["float16", "bfloat16", "float32", "float64"]
rng = np.random.default_rng(1234)


def make(a, dt):
    """A cytorch tensor of dtype name dt holding NumPy array a (bfloat16 through float32)."""
    a = np.asarray(a)
    if dt == "bfloat16":
        return cytorch.tensor(a.astype(np.float32)).to(cytorch.bfloat16)
    return cytorch.tensor(a.astype(dt if dt != "bool" else np.bool_))


def rand(shape, dt, lo=-20, hi=20, nan=False):
    """Random data for dtype dt with plenty of ties; a cytorch tensor and its exact NumPy values."""
    if dt == "bool":
        a = rng.integers(0, 2, shape).astype(bool)
    elif dt == "uint8":
        a = rng.integers(0, 40, shape)
    elif dt in FLOATS:
        a = np.round(rng.uniform(lo, hi, shape), 1)
        if nan and a.size:
            a.flat[rng.integers(0, a.size, max(1, a.size // 7))] = np.nan
    else:
        a = rng.integers(lo, hi, shape)
    t = make(a, dt)
    return t, np_of(t)


def rank(a, axis):
    """Dense rank of a along axis with NaN largest and -0.0 == 0.0 (a sort key for references)."""
    f = a.astype(np.float64)
    isn = np.isnan(f)
    _, inv = np.unique(np.where(isn, 0, f), return_inverse=True)
    inv = inv.reshape(f.shape).astype(np.int64)
    inv[isn] = inv.max(initial=0) + 1 if f.size else 0
    return inv


def ref_sort(a, axis=-1, descending=False):
    r = rank(a, axis)
    idx = np.argsort(-r if descending else r, axis=axis, kind="stable")
    return np.take_along_axis(a, idx, axis=axis), idx


def noncontig(a, dt):
    """A transposed (non-contiguous) cytorch view equal to the 2-d array a."""
    t = make(np.ascontiguousarray(a.T), dt).t()
    assert not t.is_contiguous() or min(a.shape) <= 1
    return t


# ------------------------------------------------------------------ sort / argsort

@pytest.mark.parametrize("dt", REAL)
@pytest.mark.parametrize("shape,dim", [((7,), 0), ((5, 6), -1), ((5, 6), 0), ((3, 4, 5), 1), ((40,), -1),
                                       ((0,), 0), ((2, 0, 3), 2), ((2, 0, 3), 1), ((), 0)])
@pytest.mark.parametrize("descending", [False, True])
def test_sort_matches_stable_reference(dt, shape, dim, descending):
    t, a = rand(shape, dt, nan=True)
    vals, idx = cytorch.sort(t, dim=dim, descending=descending)
    if a.ndim == 0:
        assert vals.shape == () and idx.item() == 0 and np_of(vals) == a or np.isnan(a)
        return
    ev, ei = ref_sort(a, dim, descending)
    assert vals.dtype == t.dtype and idx.dtype == cytorch.int64
    assert_close(idx, ei)
    assert_close(vals, ev.astype(np_of(vals).dtype), rtol=0, atol=0)
    assert_close(cytorch.argsort(t, dim, descending), ei)


@pytest.mark.parametrize("dt", ["int64", "float32", "float64", "int8", "bfloat16"])
@pytest.mark.parametrize("descending", [False, True])
def test_sort_stable_many_ties(dt, descending):
    n = 3000   # long enough for the radix path
    t, a = rand((n,), dt, lo=0, hi=3)
    vals, idx = t.sort(descending=descending, stable=True)
    ev, ei = ref_sort(a, 0, descending)
    assert_close(idx, ei)
    assert_close(vals, ev, rtol=0, atol=0)


def test_sort_nan_and_signed_zero():
    a = np.array([3.0, np.nan, -0.0, 1.0, np.nan, 0.0, -np.inf, np.inf, -1.0])
    for dt in FLOATS:
        t = make(a, dt)
        v, i = cytorch.sort(t)
        assert i.tolist() == [6, 8, 2, 5, 3, 0, 7, 1, 4]     # -0.0 ties with 0.0 (stable), NaN last
        v, i = cytorch.sort(t, descending=True)
        assert i.tolist() == [1, 4, 7, 0, 3, 2, 5, 8, 6]
        vv = np_of(v)
        assert math.isnan(vv[0]) and vv[2] == math.inf


@pytest.mark.parametrize("dt", ["float32", "int32", "float16"])
def test_sort_noncontiguous(dt):
    _, a = rand((6, 9), dt)
    t = noncontig(a, dt)
    for dim in (0, 1):
        v, i = t.sort(dim)
        ev, ei = ref_sort(a, dim)
        assert_close(i, ei)
        assert_close(v, ev, rtol=0, atol=0)
    # narrowed and expanded views
    big = make(np.arange(40).reshape(4, 10)[:, ::-1].copy(), dt)
    nar = big.narrow(1, 2, 5)
    assert_close(nar.sort(1).values, np.sort(np_of(big)[:, 2:7], 1))
    ex = make(np.array([3, 1, 2]), dt).expand(4, 3)
    v, i = ex.sort()
    assert i.tolist() == [[1, 2, 0]] * 4


def test_sort_errors():
    with pytest.raises(RuntimeError, match="complex"):
        cytorch.sort(cytorch.tensor([1j, 2j]))
    with pytest.raises(IndexError):
        cytorch.sort(cytorch.tensor([1.0, 2.0]), dim=1)
    with pytest.raises(IndexError):
        cytorch.argsort(cytorch.tensor(1.0), dim=2)
    with pytest.raises(TypeError):
        cytorch.sort([3, 1])


def test_sort_returns_namedtuple_and_out():
    t = cytorch.tensor([2, 1])
    r = cytorch.sort(t)
    v, i = r
    assert r.values is v and r.indices is i and isinstance(r, tuple)
    ov, oi = cytorch.empty(0, dtype=cytorch.int64), cytorch.empty(0, dtype=cytorch.int64)
    cytorch.sort(t, out=(ov, oi))
    assert ov.tolist() == [1, 2] and oi.tolist() == [1, 0]


def test_msort():
    t, a = rand((5, 4), "float32")
    assert_close(cytorch.msort(t), np.sort(a, axis=0))
    assert_close(t.msort(), np.sort(a, axis=0))


# ------------------------------------------------------------------ parallel path

@pytest.mark.parametrize("dt", ["float32", "int16", "float64"])
def test_parallel_rows_independent_of_thread_count(dt):
    t, a = rand((48, 1500), dt, lo=-50, hi=50, nan=True)
    t = t.t()    # sort along a non-last, strided dim as well
    outs = []
    old = cytorch.get_num_threads()
    try:
        for nt in (1, 2):
            cytorch.set_num_threads(nt)
            outs.append([np_of(x) for x in (*t.sort(0), *t.sort(1, descending=True), *t.topk(7, 0),
                                            *t.kthvalue(100, 0), *t.median(0), *t.mode(0))])
    finally:
        cytorch.set_num_threads(old)
    for x, y in zip(*outs):
        np.testing.assert_array_equal(x, y)
    ev, ei = ref_sort(a.T, 0)
    np.testing.assert_array_equal(outs[0][1], ei)


@pytest.mark.parametrize("descending", [False, True])
def test_single_long_row_chunked_sort(descending):
    # one row: threads sort chunks and merge them; ties must keep their order across chunks
    _, a = rand((200_003,), "float32", lo=-100, hi=100, nan=True)
    t = make(a, "float32")
    ev, ei = ref_sort(a, descending=descending)
    old = cytorch.get_num_threads()
    try:
        for nt in (1, 2, 3):
            cytorch.set_num_threads(nt)
            v, i = t.sort(descending=descending)
            np.testing.assert_array_equal(np_of(i), ei)
            np.testing.assert_array_equal(np_of(v), ev)
        cytorch.set_num_threads(3)     # 2 rows < 3 threads: chunked path with stride 2
        x = make(np.stack([a[:150_000], a[1:150_001]], 1), "float32")   # two rows along dim 0, stride 2
        np.testing.assert_array_equal(np_of(x.argsort(0))[:, 1], ref_sort(a[1:150_001], descending=False)[1])
    finally:
        cytorch.set_num_threads(old)


# ------------------------------------------------------------------ topk / kthvalue

@pytest.mark.parametrize("dt", ["uint8", "int8", "int32", "int64", "float16", "bfloat16", "float32", "float64"])
@pytest.mark.parametrize("largest", [True, False])
def test_topk(dt, largest):
    t, a = rand((6, 50), dt, nan=True)
    for k in (0, 1, 5, 49, 50):
        v, i = cytorch.topk(t, k, largest=largest)
        ev, ei = ref_sort(a, -1, descending=largest)
        assert v.shape == (6, k) and i.dtype == cytorch.int64
        assert_close(v, ev[:, :k], rtol=0, atol=0)
        assert_close(i, ei[:, :k])      # ties: lower index first
    v, i = t.topk(3, dim=0, largest=largest, sorted=False)
    got = np.sort(np_of(v), axis=0)
    ev = ref_sort(a, 0, descending=largest)[0][:3]
    np.testing.assert_array_equal(got, np.sort(ev, axis=0))
    np.testing.assert_array_equal(np.take_along_axis(a, np_of(i), 0), np_of(v))


def test_topk_large_rows_select_path():
    _, a = rand((3, 5000), "float64", lo=-1e6, hi=1e6)
    t = make(a, "float64")
    v, i = t.topk(10)
    np.testing.assert_array_equal(np_of(v), -np.sort(-a, axis=1)[:, :10])
    v, i = t.topk(10, largest=False, sorted=False)
    np.testing.assert_array_equal(np.sort(np_of(v), 1), np.sort(a, 1)[:, :10])


@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("sorted_", [True, False])
def test_topk_heap_path_ties_and_threads(largest, sorted_):
    # k much smaller than the row: a one-pass heap; one long row: threads scan chunks
    for shape, lo, hi in (((4, 3000), 0, 3), ((1, 100_000), -30000, 30000), ((2, 70_000), 0, 5)):
        t, a = rand(shape, "int32", lo=lo, hi=hi)
        ev, ei = ref_sort(a, -1, descending=largest)
        outs = []
        old = cytorch.get_num_threads()
        try:
            for nt in (1, 2):
                cytorch.set_num_threads(nt)
                v, i = t.topk(9, largest=largest, sorted=sorted_)
                outs.append((np_of(v), np_of(i)))
        finally:
            cytorch.set_num_threads(old)
        np.testing.assert_array_equal(outs[0][0], outs[1][0])
        np.testing.assert_array_equal(outs[0][1], outs[1][1])
        np.testing.assert_array_equal(outs[0][0], ev[:, :9])
        np.testing.assert_array_equal(outs[0][1], ei[:, :9])     # ties: lower index first


def test_topk_errors():
    with pytest.raises(RuntimeError, match="selected index k out of range"):
        cytorch.topk(cytorch.tensor([1.0, 2.0]), 3)
    with pytest.raises(RuntimeError, match="selected index k out of range"):
        cytorch.topk(cytorch.tensor([1.0, 2.0]), -1)
    with pytest.raises(RuntimeError, match="complex"):
        cytorch.topk(cytorch.tensor([1j]), 1)
    with pytest.raises(IndexError):
        cytorch.topk(cytorch.tensor([1.0]), 1, dim=3)


@pytest.mark.parametrize("dt", ["int8", "int64", "float16", "float32", "float64"])
def test_kthvalue(dt):
    t, a = rand((4, 9, 5), dt)
    for k in (1, 4, 9):
        for keepdim in (False, True):
            v, i = cytorch.kthvalue(t, k, 1, keepdim)
            ev = np.sort(a, axis=1)[:, k - 1:k, :]
            exp_shape = (4, 1, 5) if keepdim else (4, 5)
            assert v.shape == exp_shape and i.shape == exp_shape
            assert_close(v, ev.reshape(exp_shape), rtol=0, atol=0)
            ii = np_of(i).reshape(4, 1, 5)
            np.testing.assert_array_equal(np.take_along_axis(a, ii, 1), ev)
    with pytest.raises(RuntimeError, match="k out of range"):
        t.kthvalue(10, 1)
    with pytest.raises(RuntimeError, match="k out of range"):
        t.kthvalue(0)
    with pytest.raises(IndexError):
        cytorch.kthvalue(cytorch.empty(0), 1)


# ------------------------------------------------------------------ median / nanmedian / mode

@pytest.mark.parametrize("dt", ["int16", "int64", "float16", "float32", "float64"])
def test_median(dt):
    t, a = rand((5, 8), dt)
    lower = np.sort(a, 1)[:, 3]
    v, i = t.median(1)
    assert_close(v, lower, rtol=0, atol=0)
    np.testing.assert_array_equal(a[np.arange(5), np_of(i)], lower)
    assert t.median().item() == np.sort(a.ravel())[(a.size - 1) // 2]
    v, i = cytorch.median(t, 0, keepdim=True)
    assert v.shape == (1, 8)
    assert_close(v, np.sort(a, 0)[2:3], rtol=0, atol=0)


def test_median_nan():
    a = np.array([[3.0, np.nan, 1.0, np.nan, 1.0, 2.0], [4.0, 1.0, 2.0, 3.0, 0.0, 5.0],
                  [np.nan] * 6])
    t = cytorch.tensor(a)
    v, i = t.median(1)
    assert np.isnan(np_of(v)[0]) and i.tolist()[0] == 1 and i.tolist()[2] == 0
    assert np_of(v)[1] == 2.0
    v, i = cytorch.nanmedian(t, 1)
    assert np_of(v)[0] == 1.0 and a[0, i.tolist()[0]] == 1.0
    assert np.isnan(np_of(v)[2]) and i.tolist()[2] == 0
    assert math.isnan(t.median().item())
    assert cytorch.nanmedian(t).item() == np.sort(a[~np.isnan(a)])[(np.sum(~np.isnan(a)) - 1) // 2]
    assert math.isnan(cytorch.median(cytorch.tensor([])).item())
    with pytest.raises(IndexError, match="non-zero size"):
        cytorch.median(cytorch.empty(0, 3), 0)
    with pytest.raises(NotImplementedError):
        cytorch.median(cytorch.tensor([True, False]))


def ref_mode(row):
    vals, counts = np.unique(row, return_counts=True)
    best = vals[np.argmax(counts)]      # np.unique is sorted: argmax takes the smallest on ties
    return best, np.nonzero(row == best)[0][-1]


@pytest.mark.parametrize("dt", ["uint8", "int8", "int32", "float32", "float64", "bool"])
def test_mode(dt):
    t, a = rand((6, 30), dt, lo=0, hi=5)
    v, i = cytorch.mode(t)
    for r in range(6):
        ev, ei = ref_mode(a[r])
        assert np_of(v)[r] == ev and np_of(i)[r] == ei
    v, i = t.mode(0, keepdim=True)
    assert v.shape == (1, 30)
    for c in range(30):
        ev, ei = ref_mode(a[:, c])
        assert np_of(v)[0, c] == ev and np_of(i)[0, c] == ei
    with pytest.raises(IndexError):
        cytorch.mode(cytorch.tensor([]))


# ------------------------------------------------------------------ quantile

@pytest.mark.parametrize("dt", ["float32", "float64"])
@pytest.mark.parametrize("interp", ["linear", "lower", "higher", "midpoint", "nearest"])
def test_quantile_vs_numpy(dt, interp):
    t, a = rand((4, 11), dt, lo=-5, hi=5)
    qs = [0.0, 0.1, 0.25, 0.5, 0.9, 1.0]
    q = make(np.array(qs), dt)
    got = cytorch.quantile(t, q, dim=1, interpolation=interp)
    exp = np.quantile(a.astype(np.float64), qs, axis=1, method=interp)
    assert got.shape == (6, 4)
    assert_close(got, exp.astype(dt), rtol=1e-5, atol=1e-5)
    got = cytorch.quantile(t, 0.3, interpolation=interp)
    assert got.shape == ()
    assert_close(got, np.quantile(a.astype(np.float64), 0.3, method=interp).astype(dt), rtol=1e-5, atol=1e-5)
    got = t.quantile(0.3, dim=0, keepdim=True, interpolation=interp)
    assert got.shape == (1, 11)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_nanquantile_and_errors():
    a = np.array([[1.0, np.nan, 3.0, 2.0], [np.nan] * 4])
    t = cytorch.tensor(a)
    assert_close(cytorch.nanquantile(t, 0.5, dim=1), np.nanquantile(a, 0.5, axis=1))
    assert np.isnan(np_of(cytorch.quantile(t, 0.5, dim=1))).all()
    with pytest.raises(RuntimeError, match="float or double"):
        cytorch.quantile(cytorch.tensor([1, 2]), 0.5)
    with pytest.raises(RuntimeError, match="range"):
        cytorch.quantile(cytorch.tensor([1.0, 2.0]), 1.5)
    with pytest.raises(RuntimeError, match="non-empty"):
        cytorch.quantile(cytorch.tensor([]), 0.5)
    with pytest.raises(RuntimeError, match="interpolation"):
        cytorch.quantile(cytorch.tensor([1.0]), 0.5, interpolation="foo")
    with pytest.raises(RuntimeError, match="same dtype"):
        cytorch.quantile(cytorch.tensor([1.0]), cytorch.tensor([0.5], dtype=cytorch.float64))


# ------------------------------------------------------------------ unique

@pytest.mark.parametrize("dt", REAL)
def test_unique_flat(dt):
    t, a = rand((5, 7), dt, lo=-4, hi=4)
    u, inv, cnt = cytorch.unique(t, return_inverse=True, return_counts=True)
    eu, einv, ecnt = np.unique(a, return_inverse=True, return_counts=True)
    assert_close(u, eu, rtol=0, atol=0)
    assert_close(inv, einv.reshape(a.shape))
    assert_close(cnt, ecnt)
    assert_close(t.unique(), eu, rtol=0, atol=0)


def test_unique_nan_empty_and_noncontiguous():
    t = cytorch.tensor([np.nan, 1.0, np.nan, 1.0])
    u, inv, cnt = cytorch.unique(t, return_inverse=True, return_counts=True)
    assert np_of(u)[0] == 1 and np.isnan(np_of(u)[1:]).all()
    assert inv.tolist() == [1, 0, 2, 0] and cnt.tolist() == [2, 1, 1]
    u, inv, cnt = cytorch.unique(cytorch.empty(0, 3), return_inverse=True, return_counts=True)
    assert u.shape == (0,) and inv.shape == (0, 3) and cnt.shape == (0,)
    _, a = rand((4, 6), "int32", lo=0, hi=5)
    t = noncontig(a, "int32")
    u, inv = t.unique(return_inverse=True)
    eu, einv = np.unique(a, return_inverse=True)
    assert_close(u, eu)
    assert_close(inv, einv.reshape(a.shape))
    with pytest.raises(NotImplementedError):
        cytorch.unique(cytorch.tensor([1j]))


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_unique_dim(dim):
    a = rng.integers(0, 2, (6, 3, 4))
    t = cytorch.tensor(a)
    u, inv, cnt = cytorch.unique(t, dim=dim, return_inverse=True, return_counts=True)
    eu, einv, ecnt = np.unique(a, axis=dim, return_inverse=True, return_counts=True)
    assert_close(u, eu)
    assert_close(inv, einv.ravel())
    assert_close(cnt, ecnt)
    with pytest.raises(RuntimeError, match="0 sized"):
        cytorch.unique(cytorch.empty(3, 0), dim=0)
    with pytest.raises(IndexError):
        cytorch.unique(t, dim=3)


def ref_consecutive(a):
    flat = a.ravel()
    starts = np.r_[True, (flat[1:] != flat[:-1])] if flat.size else np.zeros(0, bool)
    groups = np.cumsum(starts) - 1
    return flat[starts], groups.reshape(a.shape), np.diff(np.r_[np.nonzero(starts)[0], flat.size])


@pytest.mark.parametrize("dt", ["int64", "float32", "bool", "float16"])
def test_unique_consecutive(dt):
    t, a = rand((3, 10), dt, lo=0, hi=3)
    u, inv, cnt = cytorch.unique_consecutive(t, return_inverse=True, return_counts=True)
    eu, einv, ecnt = ref_consecutive(a)
    assert_close(u, eu, rtol=0, atol=0)
    assert_close(inv, einv)
    assert_close(cnt, ecnt)
    r = cytorch.tensor([[1, 2], [1, 2], [0, 0], [1, 2]])
    u, cnt = r.unique_consecutive(dim=0, return_counts=True)
    assert u.tolist() == [[1, 2], [0, 0], [1, 2]] and cnt.tolist() == [2, 1, 1]


# ------------------------------------------------------------------ bincount / histc

@pytest.mark.parametrize("dt", ["uint8", "int8", "int16", "int32", "int64"])
def test_bincount(dt):
    a = rng.integers(0, 20, 200)
    t = make(a, dt)
    r = cytorch.bincount(t)
    assert r.dtype == cytorch.int64
    assert_close(r, np.bincount(a))
    assert_close(t.bincount(minlength=30), np.bincount(a, minlength=30))
    w = rng.uniform(-1, 1, 200)
    r = cytorch.bincount(t, make(w, "float32"))
    assert r.dtype == cytorch.float32
    assert_close(r, np.bincount(a, w.astype(np.float32)).astype(np.float32), rtol=1e-5, atol=1e-5)
    r = cytorch.bincount(t, make(w, "float64"))
    assert_close(r, np.bincount(a, w))
    r = cytorch.bincount(t, make(np.arange(200), "int64"))
    assert r.dtype == cytorch.float64
    assert_close(r, np.bincount(a, np.arange(200).astype(float)))
    assert_close(cytorch.bincount(make(np.zeros(0), dt), minlength=3), np.zeros(3, np.int64))


def test_bincount_errors():
    msg = "bincount only supports 1-d non-negative integral inputs."
    with pytest.raises(RuntimeError, match=msg):
        cytorch.bincount(cytorch.tensor([-1, 1]))
    with pytest.raises(RuntimeError, match=msg):
        cytorch.bincount(cytorch.tensor([[1]]))
    with pytest.raises(NotImplementedError):
        cytorch.bincount(cytorch.tensor([1.0]))
    with pytest.raises(NotImplementedError):
        cytorch.bincount(cytorch.tensor([True]))
    with pytest.raises(RuntimeError, match="minlength"):
        cytorch.bincount(cytorch.tensor([1]), minlength=-1)
    with pytest.raises(RuntimeError, match="same length"):
        cytorch.bincount(cytorch.tensor([1, 2]), cytorch.tensor([1.0]))


@pytest.mark.parametrize("dt", ["float32", "float64"])
def test_histc_vs_numpy(dt):
    a = rng.normal(0, 1, 1000).astype(dt)
    t = make(a, dt)
    r = cytorch.histc(t, bins=10, min=-2, max=2)
    inside = a[(a >= -2) & (a <= 2)]
    assert r.dtype == t.dtype
    assert_close(r, np.histogram(inside, bins=10, range=(-2, 2))[0].astype(dt))
    r = t.histc(bins=7)      # min == max == 0: the data's range
    assert_close(r, np.histogram(a, bins=7, range=(a.min(), a.max()))[0].astype(dt))


def test_histc_edges_and_errors():
    assert cytorch.histc(cytorch.tensor([1.0, 2.0, 1.0, 3.0]), bins=2, min=1, max=3).tolist() == [2.0, 2.0]
    assert cytorch.histc(cytorch.tensor([1.0, 1.0]), bins=4).tolist() == [0.0, 0.0, 2.0, 0.0]
    assert cytorch.histc(cytorch.tensor([]), bins=3).tolist() == [0.0, 0.0, 0.0]
    assert cytorch.histc(cytorch.tensor([1.0, 2.0], dtype=cytorch.float16), bins=2).dtype == cytorch.float16
    with pytest.raises(NotImplementedError):
        cytorch.histc(cytorch.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="bins"):
        cytorch.histc(cytorch.tensor([1.0]), bins=0)
    with pytest.raises(RuntimeError, match="max must be larger than min"):
        cytorch.histc(cytorch.tensor([1.0]), bins=2, min=3, max=1)
    with pytest.raises(RuntimeError, match="not finite"):
        cytorch.histc(cytorch.tensor([1.0, math.inf]))


# ------------------------------------------------------------------ searchsorted / bucketize

@pytest.mark.parametrize("dt", ["int32", "int64", "float32", "float64", "float16"])
@pytest.mark.parametrize("right", [False, True])
def test_searchsorted_1d(dt, right):
    seq = np.sort(rng.integers(-10, 10, 30)).astype(dt)
    vals = rng.integers(-12, 12, (4, 5)).astype(dt)
    r = cytorch.searchsorted(make(seq, dt), make(vals, dt), right=right)
    assert r.dtype == cytorch.int64 and r.shape == (4, 5)
    assert_close(r, np.searchsorted(seq, vals, side="right" if right else "left"))
    r = cytorch.searchsorted(make(seq, dt), make(vals, dt), side="right" if right else "left", out_int32=True)
    assert r.dtype == cytorch.int32
    assert_close(r, np.searchsorted(seq, vals, side="right" if right else "left").astype(np.int32))


def test_searchsorted_nd_sorter_scalar_and_errors():
    seq = np.sort(rng.uniform(0, 1, (3, 8)), axis=1)
    vals = rng.uniform(0, 1, (3, 5))
    r = cytorch.searchsorted(cytorch.tensor(seq), cytorch.tensor(vals))
    assert_close(r, np.stack([np.searchsorted(seq[i], vals[i]) for i in range(3)]))
    # many rows (parallel over rows), with a sorter per row
    big = rng.uniform(0, 1, (300, 200))
    order = np.argsort(big, axis=1, kind="stable")
    q = rng.uniform(0, 1, (300, 50))
    got = cytorch.searchsorted(cytorch.tensor(big), cytorch.tensor(q), sorter=cytorch.tensor(order), right=True)
    sb = np.take_along_axis(big, order, 1)
    assert_close(got, np.stack([np.searchsorted(sb[i], q[i], side="right") for i in range(300)]))
    with pytest.raises(RuntimeError, match="sorter index out of range"):
        cytorch.searchsorted(cytorch.tensor(big), cytorch.tensor(q), sorter=cytorch.tensor(order + 1))
    # mixed dtypes promote; a Python scalar gives a 0-d result
    assert cytorch.searchsorted(cytorch.tensor([1, 2, 3]), cytorch.tensor([1.5, 2.0])).tolist() == [1, 1]
    assert cytorch.searchsorted(cytorch.tensor([1.0, 2.0, 3.0]), 2.5).tolist() == 2
    unsorted = cytorch.tensor([3, 1, 2])
    assert cytorch.searchsorted(unsorted, cytorch.tensor([2]), sorter=cytorch.tensor([1, 2, 0])).tolist() == [1]
    # non-contiguous values
    v = cytorch.tensor(np.ascontiguousarray(vals.T)).t()
    assert_close(cytorch.searchsorted(cytorch.tensor(seq), v), np_of(r))
    with pytest.raises(RuntimeError, match="sorter index out of range"):
        cytorch.searchsorted(unsorted, cytorch.tensor([2]), sorter=cytorch.tensor([0, 5, 1]))
    with pytest.raises(RuntimeError, match="opposites"):
        cytorch.searchsorted(unsorted, cytorch.tensor([2]), side="left", right=True)
    with pytest.raises(RuntimeError, match="side"):
        cytorch.searchsorted(unsorted, cytorch.tensor([2]), side="foo")
    with pytest.raises(RuntimeError, match="boundaries"):
        cytorch.searchsorted(cytorch.tensor([[1, 2, 3]]), cytorch.tensor([[2], [3]]))
    with pytest.raises(RuntimeError, match="scalar"):
        cytorch.searchsorted(cytorch.tensor([[1, 2, 3]]), 2)
    assert cytorch.searchsorted(cytorch.tensor([1, 2]), cytorch.empty(0, dtype=cytorch.int64)).shape == (0,)


def test_bucketize():
    b = np.array([1.0, 3.0, 5.0, 7.0])
    x = rng.integers(0, 9, (3, 4)).astype(np.float64)
    for right in (False, True):
        r = cytorch.bucketize(cytorch.tensor(x), cytorch.tensor(b), right=right)
        assert_close(r, np.digitize(x, b, right=not right))
    assert cytorch.bucketize(3, cytorch.tensor([1, 5])).tolist() == 1
    with pytest.raises(RuntimeError, match="1 dimension"):
        cytorch.bucketize(cytorch.tensor([1]), cytorch.tensor([[1, 2]]))


# ------------------------------------------------------------------ against PyTorch

def to_torch(torch, t):
    if t.dtype == cytorch.bfloat16:
        return torch.tensor(np_of(t)).to(torch.bfloat16)
    return torch.from_numpy(np_of(t))


def tnp(x):
    import torch
    if x.dtype == torch.bfloat16:
        x = x.float()
    return x.numpy()


@pytest.mark.parametrize("dt", REAL)
def test_against_torch_sort_topk_kthvalue(torch, dt):
    t, a = rand((5, 33), dt, nan=True)
    tt = to_torch(torch, t)
    for desc in (False, True):
        v, i = cytorch.sort(t, 1, desc, stable=True)
        tv, ti = torch.sort(tt, dim=1, descending=desc, stable=True)
        np.testing.assert_array_equal(np_of(i), tnp(ti))
        np.testing.assert_array_equal(np_of(v), tnp(tv))
        np.testing.assert_array_equal(np_of(cytorch.msort(t)), tnp(torch.msort(tt)))
    for largest in (True, False):
        if dt == "bool":
            with pytest.raises(RuntimeError, match="bool"):
                cytorch.topk(t, 4)
            break
        np.testing.assert_array_equal(np_of(cytorch.topk(t, 4, largest=largest).values),
                                      tnp(torch.topk(tt, 4, largest=largest).values))
    if dt != "bool":
        np.testing.assert_array_equal(np_of(cytorch.kthvalue(t, 3, 0).values), tnp(torch.kthvalue(tt, 3, 0).values))
        for op in ("median", "nanmedian"):
            v, i = getattr(cytorch, op)(t, 1)
            tv, ti = getattr(torch, op)(tt, 1)
            np.testing.assert_array_equal(np_of(v), tnp(tv))
            np.testing.assert_array_equal(np.take_along_axis(a, np_of(i)[:, None], 1)[:, 0], np_of(v))
            np.testing.assert_array_equal(np_of(getattr(cytorch, op)(t)), tnp(getattr(torch, op)(tt)))


@pytest.mark.parametrize("dt", ["int64", "float32", "uint8"])
def test_against_torch_mode_unique_counting(torch, dt):
    t, a = rand((4, 25), dt, lo=0, hi=6)
    tt = to_torch(torch, t)
    v, i = cytorch.mode(t, 1)
    tv, ti = torch.mode(tt, 1)
    np.testing.assert_array_equal(np_of(v), tnp(tv))
    # PyTorch's index is some occurrence of the mode; ours is the last one
    np.testing.assert_array_equal(np.take_along_axis(a, np_of(i)[:, None], 1)[:, 0], tnp(tv))
    for ours, theirs in zip(cytorch.unique(t, return_inverse=True, return_counts=True),
                            torch.unique(tt, return_inverse=True, return_counts=True)):
        np.testing.assert_array_equal(np_of(ours), tnp(theirs))
    for ours, theirs in zip(cytorch.unique(t, dim=1, return_inverse=True, return_counts=True),
                            torch.unique(tt, dim=1, return_inverse=True, return_counts=True)):
        np.testing.assert_array_equal(np_of(ours), tnp(theirs))
    for ours, theirs in zip(cytorch.unique_consecutive(t, return_inverse=True, return_counts=True),
                            torch.unique_consecutive(tt, return_inverse=True, return_counts=True)):
        np.testing.assert_array_equal(np_of(ours), tnp(theirs))
    if dt != "float32":
        flat, tflat = t.reshape(-1), tt.reshape(-1)
        np.testing.assert_array_equal(np_of(cytorch.bincount(flat, minlength=9)),
                                      tnp(torch.bincount(tflat, minlength=9)))
        w = cytorch.tensor(rng.uniform(0, 1, flat.shape[0]).astype(np.float32))
        got, exp = cytorch.bincount(flat, w), torch.bincount(tflat, to_torch(torch, w))
        assert got.dtype == cytorch.float32 and exp.dtype == torch.float32
        np.testing.assert_allclose(np_of(got), tnp(exp), rtol=1e-5)
    else:
        x = t * 1.37
        for kw in ({"bins": 9}, {"bins": 5, "min": 1, "max": 4}, {"bins": 3, "min": 2, "max": 2}):
            np.testing.assert_array_equal(np_of(cytorch.histc(x, **kw)),
                                          tnp(torch.histc(to_torch(torch, x), **kw)))


@pytest.mark.parametrize("interp", ["linear", "lower", "higher", "midpoint", "nearest"])
def test_against_torch_quantile(torch, interp):
    t, a = rand((3, 10), "float32", nan=True)
    tt = to_torch(torch, t)
    q = cytorch.tensor([0.0, 0.25, 0.5, 0.75, 1.0])
    tq = torch.tensor([0.0, 0.25, 0.5, 0.75, 1.0])
    for fn in ("quantile", "nanquantile"):
        got = getattr(cytorch, fn)(t, q, dim=1, keepdim=True, interpolation=interp)
        exp = getattr(torch, fn)(tt, tq, dim=1, keepdim=True, interpolation=interp)
        assert tuple(got.shape) == tuple(exp.shape)
        np.testing.assert_allclose(np_of(got), tnp(exp), rtol=1e-6, atol=1e-6)
        got = getattr(cytorch, fn)(t, 0.4, interpolation=interp)
        np.testing.assert_allclose(np_of(got), tnp(getattr(torch, fn)(tt, 0.4, interpolation=interp)), rtol=1e-6)


def test_against_torch_searchsorted(torch):
    seq = np.sort(rng.integers(0, 20, (2, 12)), axis=1)
    vals = rng.integers(-1, 21, (2, 7))
    for side in ("left", "right"):
        got = cytorch.searchsorted(cytorch.tensor(seq), cytorch.tensor(vals), side=side)
        exp = torch.searchsorted(torch.tensor(seq), torch.tensor(vals), side=side)
        np.testing.assert_array_equal(np_of(got), exp.numpy())
        got = cytorch.bucketize(cytorch.tensor(vals), cytorch.tensor(seq[0]), right=side == "right")
        exp = torch.bucketize(torch.tensor(vals), torch.tensor(seq[0]), right=side == "right")
        np.testing.assert_array_equal(np_of(got), exp.numpy())
