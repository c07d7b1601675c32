"""Reductions, scans and softmax: values against NumPy (dtypes x dims x keepdim x
layouts x empty), PyTorch parity where installed, thread-count independence,
NaN rules and error cases."""
import math

import numpy as np
import pytest

import cytorch
from conftest import assert_close, np_of

RNG = np.random.default_rng(0)
NP = {"float32": np.float32, "float64": np.float64, "int64": np.int64, "int32": np.int32,
      "bool": np.bool_, "uint8": np.uint8}


def data(shape, dtype, lo=-3, hi=4):
    if dtype == "bool":
        return RNG.random(shape) > 0.5
    if dtype in ("int64", "int32", "uint8"):
        return RNG.integers(0 if dtype == "uint8" else lo, hi, size=shape).astype(NP[dtype])
    return RNG.standard_normal(shape).astype(NP[dtype])


def make(a, layout):
    """A cytorch tensor equal to `a` with the given memory layout."""
    if layout == "contig" or a.ndim == 0:
        return cytorch.tensor(a)
    if layout == "transposed":              # dense, but not C-contiguous
        perm = tuple(reversed(range(a.ndim)))
        return cytorch.tensor(np.ascontiguousarray(a.transpose(perm))).permute(*perm)
    if layout == "permuted":                # dense, dims in a rotated memory order
        perm = tuple(range(1, a.ndim)) + (0,)
        inv = tuple(int(i) for i in np.argsort(perm))
        return cytorch.tensor(np.ascontiguousarray(a.transpose(perm))).permute(*inv)
    if layout == "sliced":                  # not dense: needs a copy
        pad = np.zeros(a.shape[:-1] + (a.shape[-1] + 3,), dtype=a.dtype)
        pad[..., 1:-2] = a
        return cytorch.tensor(pad).narrow(-1, 1, a.shape[-1])
    raise ValueError(layout)


LAYOUTS = ["contig", "transposed", "permuted", "sliced"]
DIMS = [None, 0, -1, (0, 2), (2, 0, 1), ()]


def np_dims(dim, ndim):
    if dim is None or dim == ():
        return None
    return tuple(d % ndim for d in dim) if isinstance(dim, tuple) else dim % ndim


# ---------------------------------------------------------------- sum / mean / prod

@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "bool"])
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dim", DIMS)
@pytest.mark.parametrize("keepdim", [False, True])
def test_sum(dtype, layout, dim, keepdim):
    a = data((3, 4, 5), dtype)
    t = make(a, layout)
    r = cytorch.sum(t, dim, keepdim)
    exp_dt = a.dtype if dtype.startswith("float") else np.int64
    ref = np.sum(a.astype(np.float64 if dtype.startswith("float") else np.int64),
                 axis=np_dims(dim, 3), keepdims=keepdim).astype(exp_dt)
    assert_close(r, ref, rtol=1e-5, atol=1e-5)
    assert_close(t.sum(dim=dim, keepdim=keepdim), ref, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("shape,dim", [((6, 7), (0,)), ((2, 3, 4, 5), (1, 3)), ((2, 3, 4, 5), (0, 2)),
                                       ((4, 1, 5), 1), ((5, 300, 3), 1), ((40, 1000), 0), ((3, 70000), 1)])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_sum_shapes(shape, dim, layout):
    a = data(shape, "float64")
    t = make(a, layout)
    assert_close(t.sum(dim), a.sum(axis=dim), rtol=1e-10, atol=1e-10)
    assert_close(t.amax(dim), a.max(axis=dim))


def test_sum_expanded_and_scalar():
    t = cytorch.tensor([1.0, 2.0, 3.0]).expand(4, 3)
    assert_close(t.sum(0), np.array([4.0, 8.0, 12.0], np.float32))
    assert_close(t.sum(), np.float32(24.0))
    s = cytorch.tensor(5.0)
    assert_close(s.sum(), np.float32(5.0))
    assert_close(s.sum(0), np.float32(5.0))
    assert_close(s.sum(-1, keepdim=True), np.float32(5.0))
    assert_close(s.amax(0), np.float32(5.0))


def test_sum_dtype_and_out():
    a = data((4, 5), "float32")
    t = cytorch.tensor(a)
    r = t.sum(1, dtype=cytorch.float64)
    assert r.dtype == cytorch.float64
    assert_close(r, a.astype(np.float64).sum(1), rtol=1e-6)
    ti = cytorch.tensor([1.7, 2.6])
    assert_close(ti.sum(dtype=cytorch.int32), np.int32(3))
    out = cytorch.empty(0)
    res = cytorch.sum(t, 0, out=out)
    assert res is out
    assert_close(out, a.sum(0), rtol=1e-5)
    h = cytorch.tensor(a).half()
    assert h.sum().dtype == cytorch.float16
    assert_close(h.sum(1).float(), a.astype(np.float16).astype(np.float32).sum(1), rtol=2e-3, atol=2e-3,
                 check_dtype=False)


def test_sum_int_wraps_and_uint8():
    u = cytorch.tensor(np.full(300, 200, np.uint8))
    assert u.sum().dtype == cytorch.int64
    assert u.sum().item() == 60000
    big = cytorch.tensor([2 ** 62, 2 ** 62, 2 ** 62])
    assert big.sum().item() == np.array([2 ** 62] * 3, np.int64).sum()


def test_sum_complex():
    a = (RNG.standard_normal((3, 4)) + 1j * RNG.standard_normal((3, 4))).astype(np.complex64)
    t = cytorch.tensor(a)
    assert_close(t.sum(1), a.sum(1), rtol=1e-5, atol=1e-5)
    assert_close(t.mean(0), a.mean(0), rtol=1e-5, atol=1e-5)
    assert_close(t.cumsum(1), np.cumsum(a, 1), rtol=1e-5, atol=1e-5)
    assert_close(t.prod(1), np.prod(a.astype(np.complex128), 1).astype(np.complex64), rtol=1e-5, atol=1e-6)
    assert_close(t.t().cumprod(0), np.cumprod(a.T.astype(np.complex128), 0).astype(np.complex64), rtol=1e-5,
                 atol=1e-6)
    with pytest.raises(RuntimeError, match="complex"):
        t.max(0)


def test_sum_large_accuracy():
    a = RNG.random(10_000_000, dtype=np.float32)
    t = cytorch.from_numpy(a)
    exact = a.astype(np.float64).sum()
    assert abs(t.sum().item() - exact) / exact < 1e-6
    assert abs(t.mean().item() - exact / a.size) / (exact / a.size) < 1e-6
    col = cytorch.from_numpy(a.reshape(-1, 2)).sum(0)
    assert_close(col, a.reshape(-1, 2).astype(np.float64).sum(0).astype(np.float32), rtol=1e-6)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dim", [None, 1, (0, 2)])
@pytest.mark.parametrize("keepdim", [False, True])
def test_mean(dtype, layout, dim, keepdim):
    a = data((3, 4, 5), dtype)
    t = make(a, layout)
    assert_close(t.mean(dim, keepdim), a.mean(axis=np_dims(dim, 3), keepdims=keepdim), rtol=1e-5, atol=1e-6)


def test_mean_dtypes():
    with pytest.raises(RuntimeError, match="mean"):
        cytorch.tensor([1, 2, 3]).mean()
    assert_close(cytorch.tensor([1, 2]).mean(dtype=cytorch.float64), np.float64(1.5))
    h = cytorch.tensor([1.0, 2.0, 4.0]).half()
    assert h.mean().dtype == cytorch.float16
    assert abs(h.mean().item() - 7 / 3) < 2e-3


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool"])
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dim", [None, 0, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_prod(dtype, layout, dim, keepdim):
    a = data((3, 4, 5), dtype, -2, 3)
    if dtype.startswith("float"):
        a = (0.5 + RNG.random((3, 4, 5))).astype(NP[dtype])
    t = make(a, layout)
    exp_dt = a.dtype if dtype.startswith("float") else np.int64
    wide = a.astype(np.float64 if dtype.startswith("float") else np.int64)
    r = t.prod(dim, keepdim) if dim is not None else t.prod()
    ref = np.prod(wide, axis=dim, keepdims=keepdim and dim is not None).astype(exp_dt)
    assert_close(r, ref, rtol=1e-5)


def test_nansum_nanmean():
    a = data((4, 6), "float32")
    a[1, 2] = np.nan
    a[3, :] = np.nan
    t = cytorch.tensor(a)
    assert_close(t.nansum(), np.nansum(a), rtol=1e-5)
    assert_close(t.nansum(1), np.nansum(a, 1), rtol=1e-5)
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):
        ref = np.nanmean(a, 1)
    assert_close(t.nanmean(1), ref, rtol=1e-5)
    assert_close(cytorch.tensor([1, 2, 3]).nansum(), np.int64(6))
    with pytest.raises(RuntimeError, match="nanmean"):
        cytorch.tensor([1, 2]).nanmean()


# ---------------------------------------------------------------- max / min family

@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "bool"])
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dim", DIMS)
@pytest.mark.parametrize("keepdim", [False, True])
def test_amax_amin(dtype, layout, dim, keepdim):
    a = data((3, 4, 5), dtype)
    t = make(a, layout)
    ax = np_dims(dim, 3)
    assert_close(t.amax(dim if dim is not None else (), keepdim), np.max(a, axis=ax, keepdims=keepdim))
    assert_close(cytorch.amin(t, dim if dim is not None else (), keepdim), np.min(a, axis=ax, keepdims=keepdim))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32"])
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_max_min_dim(dtype, layout, dim, keepdim):
    a = data((3, 4, 5), dtype, -2, 2)          # many ties: indices must be the first occurrence
    t = make(a, layout)
    v, i = t.max(dim, keepdim)
    r = cytorch.max(t, dim=dim, keepdim=keepdim)
    assert r.values is r[0] and r.indices is r[1]
    assert_close(v, np.max(a, axis=dim, keepdims=keepdim))
    assert_close(i, np.argmax(a, axis=dim, keepdims=keepdim).astype(np.int64))
    v, i = cytorch.min(t, dim, keepdim)
    assert_close(v, np.min(a, axis=dim, keepdims=keepdim))
    assert_close(i, np.argmin(a, axis=dim, keepdims=keepdim).astype(np.int64))
    assert_close(t.argmax(dim, keepdim), np.argmax(a, axis=dim, keepdims=keepdim).astype(np.int64))
    assert_close(t.argmin(dim=dim, keepdim=keepdim), np.argmin(a, axis=dim, keepdims=keepdim).astype(np.int64))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_argmax_flat(layout):
    a = data((4, 5, 6), "int64", -3, 3)
    t = make(a, layout)
    assert t.argmax().item() == np.argmax(a)
    assert t.argmin().item() == np.argmin(a)
    assert t.argmax(keepdim=True).shape == (1, 1, 1)
    assert t.max().item() == a.max() and t.min().item() == a.min()


def test_max_binary_and_returns():
    a, b = cytorch.tensor([1.0, 5.0, -1.0]), cytorch.tensor([3.0, 2.0, -2.0])
    assert_close(cytorch.max(a, b), np.array([3.0, 5.0, -1.0], np.float32))
    assert_close(cytorch.min(a, b), np.array([1.0, 2.0, -2.0], np.float32))
    assert_close(a.max(b), np.array([3.0, 5.0, -1.0], np.float32))
    vals, idx = cytorch.tensor([[1.0, 7.0], [9.0, 2.0]]).max(1)
    assert vals.tolist() == [7.0, 9.0] and idx.tolist() == [1, 0]
    ov, oi = cytorch.empty(0), cytorch.empty(0, dtype=cytorch.int64)
    r = cytorch.max(cytorch.tensor([[1.0, 7.0], [9.0, 2.0]]), 0, out=(ov, oi))
    assert r.values is ov and ov.tolist() == [9.0, 7.0] and oi.tolist() == [1, 0]
    assert "values" in repr(cytorch.tensor([1.0]).max(0))


def test_aminmax():
    a = data((4, 6), "float32")
    t = cytorch.tensor(a)
    lo, hi = cytorch.aminmax(t)
    assert_close(lo, a.min())
    assert_close(hi, a.max())
    r = t.aminmax(dim=1, keepdim=True)
    assert_close(r.min, a.min(1, keepdims=True))
    assert_close(r.max, a.max(1, keepdims=True))


def test_nan_propagation():
    n = float("nan")
    t = cytorch.tensor([1.0, n, 3.0, n, 0.0])
    assert math.isnan(t.max().item()) and math.isnan(t.amin().item())
    assert t.argmax().item() == 1 and t.argmin().item() == 1
    v, i = t.max(0)
    assert math.isnan(v.item()) and i.item() == 1
    big = np.arange(100_000, dtype=np.float32)
    big[70_001] = np.nan
    big[90_000] = np.nan
    tb = cytorch.from_numpy(big)
    assert math.isnan(tb.amax().item()) and tb.argmax().item() == 70_001
    assert math.isnan(tb.reshape(1000, 100).amax(0).select(0, 1).item())
    inf = np.arange(50_000, dtype=np.float32)
    inf[123] = np.inf
    inf[124] = -np.inf
    ti = cytorch.from_numpy(inf)
    assert ti.amax().item() == np.inf and ti.amin().item() == -np.inf


@pytest.mark.parametrize("threads", [1, 2])
def test_argmax_large_first_occurrence(threads):
    old = cytorch.get_num_threads()
    cytorch.set_num_threads(threads)
    try:
        a = np.zeros(200_000, np.float32)
        a[[150_000, 9_000, 180_000]] = 5.0
        t = cytorch.from_numpy(a)
        assert t.argmax().item() == 9_000
        assert t.reshape(2, 100_000).argmax(1).tolist() == [9_000, 50_000]
    finally:
        cytorch.set_num_threads(old)


# ---------------------------------------------------------------- var / std / norm / logsumexp

@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dim", [None, 1, (0, 2)])
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("correction", [0, 1, 2])
def test_var_std(dtype, layout, dim, keepdim, correction):
    a = data((3, 4, 5), dtype)
    t = make(a, layout)
    ax = np_dims(dim, 3)
    assert_close(t.var(dim, keepdim=keepdim, correction=correction),
                 a.var(axis=ax, ddof=correction, keepdims=keepdim), rtol=1e-5, atol=1e-6)
    assert_close(cytorch.std(t, dim, keepdim=keepdim, correction=correction),
                 a.std(axis=ax, ddof=correction, keepdims=keepdim), rtol=1e-5, atol=1e-6)
    v, m = cytorch.var_mean(t, dim, keepdim=keepdim, correction=correction)
    assert_close(v, a.var(axis=ax, ddof=correction, keepdims=keepdim), rtol=1e-5, atol=1e-6)
    assert_close(m, a.mean(axis=ax, keepdims=keepdim), rtol=1e-5, atol=1e-6)


def test_var_unbiased_forms():
    a = data((5, 6), "float64")
    t = cytorch.tensor(a)
    assert_close(t.var(), a.var(ddof=1))
    assert_close(t.var(False), a.var(ddof=0))
    assert_close(t.var(1, False), a.var(1, ddof=0))
    assert_close(t.std(1, unbiased=True, keepdim=True), a.std(1, ddof=1, keepdims=True))
    s, m = cytorch.std_mean(t, 0, unbiased=False)
    assert_close(s, a.std(0))
    assert_close(m, a.mean(0))
    with pytest.raises(RuntimeError, match="floating point"):
        cytorch.tensor([1, 2]).var()
    c = (a + 1j * a[::-1]).astype(np.complex128)
    vc = cytorch.tensor(c).var(1)
    assert vc.dtype == cytorch.float64
    assert_close(vc, c.var(1, ddof=1))


@pytest.mark.parametrize("p", [1, 2, 3, 0.5, 0, math.inf, -math.inf, "fro"])
@pytest.mark.parametrize("dim", [None, 1, (0, 1)])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_norm(p, dim, layout):
    a = data((4, 5), "float64")
    a[0, 0] = 0.0
    t = make(a, layout)
    flat = np.abs(a) if dim is None else np.abs(a)
    ax = None if dim is None else dim
    if p == "fro" or p == 2:
        ref = np.sqrt((flat ** 2).sum(axis=ax))
    elif p == math.inf:
        ref = flat.max(axis=ax)
    elif p == -math.inf:
        ref = flat.min(axis=ax)
    elif p == 0:
        ref = (flat != 0).sum(axis=ax).astype(np.float64)
    else:
        ref = (flat ** p).sum(axis=ax) ** (1 / p)
    assert_close(t.norm(p, dim), ref, rtol=1e-10)
    assert_close(cytorch.norm(t, p=p, dim=dim, keepdim=True), np.asarray(ref).reshape(
        (1, 1) if dim in (None, (0, 1)) else (4, 1)), rtol=1e-10)


def test_norm_errors_and_dtypes():
    with pytest.raises(RuntimeError, match="floating point"):
        cytorch.tensor([1, 2]).norm()
    assert cytorch.tensor([3.0, 4.0]).half().norm().dtype == cytorch.float16
    z = cytorch.tensor(np.array([3 + 4j, 0], np.complex64))
    assert z.norm().dtype == cytorch.float32 and abs(z.norm().item() - 5) < 1e-6


@pytest.mark.parametrize("dim", [0, -1, (0, 1)])
@pytest.mark.parametrize("keepdim", [False, True])
def test_logsumexp(dim, keepdim):
    a = data((4, 5), "float64") * 300          # exp overflows without the max shift
    t = cytorch.tensor(a)
    m = a.max(axis=dim, keepdims=True)
    ref = np.log(np.exp(a - m).sum(axis=dim, keepdims=True)) + m
    if not keepdim:
        ref = ref.squeeze(axis=dim)
    assert_close(t.logsumexp(dim, keepdim), ref, rtol=1e-10)


def test_logsumexp_infinities_and_ints():
    ninf = float("-inf")
    t = cytorch.tensor([[ninf, ninf], [1.0, ninf], [float("inf"), 1.0]])
    r = t.logsumexp(1).tolist()
    assert r[0] == ninf and abs(r[1] - 1.0) < 1e-6 and r[2] == float("inf")
    ri = cytorch.tensor([1, 2]).logsumexp(0)
    assert ri.dtype == cytorch.float32 and abs(ri.item() - math.log(math.e + math.e ** 2)) < 1e-5
    assert cytorch.empty(3, 0).logsumexp(1).tolist() == [ninf] * 3


# ---------------------------------------------------------------- scans

@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "bool"])
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cumsum_cumprod(dtype, layout, dim):
    a = data((3, 4, 5), dtype, -2, 3)
    t = make(a, layout)
    wide = a.astype(np.float64 if dtype.startswith("float") else np.int64)
    exp_dt = a.dtype if dtype.startswith("float") else np.int64
    assert_close(t.cumsum(dim), np.cumsum(wide, axis=dim).astype(exp_dt), rtol=1e-5, atol=1e-5)
    assert_close(cytorch.cumprod(t, dim), np.cumprod(wide, axis=dim).astype(exp_dt), rtol=1e-5, atol=1e-5)


def test_cumsum_dtype_inplace_scalar():
    t = cytorch.tensor([1, 2, 3])
    assert t.cumsum(0, dtype=cytorch.float32).dtype == cytorch.float32
    f = cytorch.tensor([1.0, 2.0, 3.0])
    f.cumsum_(0)
    assert f.tolist() == [1.0, 3.0, 6.0]
    assert cytorch.tensor(4.0).cumsum(0).item() == 4.0
    assert cytorch.empty(0, 3).cumsum(1).shape == (0, 3)
    big = cytorch.from_numpy(np.ones(100_000, np.float32))
    assert big.cumsum(0).select(0, -1).item() == 100_000.0


def _cum_ref(a, dim, better):
    a = np.moveaxis(a, dim, -1)
    vals, idx = np.empty_like(a), np.empty(a.shape, np.int64)
    for pos in np.ndindex(a.shape[:-1]):
        best, bi = a[pos + (0,)], 0
        for r in range(a.shape[-1]):
            v = a[pos + (r,)]
            if v != v or (best == best and better(v, best)):
                best, bi = v, r
            vals[pos + (r,)], idx[pos + (r,)] = best, bi
    return np.moveaxis(vals, -1, dim), np.moveaxis(idx, -1, dim)


@pytest.mark.parametrize("dtype", ["float32", "int64"])
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dim", [0, -1])
def test_cummax_cummin(dtype, layout, dim):
    a = data((3, 4, 6), dtype, -2, 2)
    if dtype == "float32":
        a[1, 2, 3] = np.nan
    t = make(a, layout)
    v, i = t.cummax(dim)
    rv, ri = _cum_ref(a, dim, lambda x, y: x >= y)
    assert_close(v, rv)
    assert_close(i, ri)
    r = cytorch.cummin(t, dim)
    rv, ri = _cum_ref(a, dim, lambda x, y: x <= y)
    assert_close(r.values, rv)
    assert_close(r.indices, ri)


def test_logcumsumexp():
    a = data((4, 7), "float64") * 100
    a[0, :3] = -np.inf
    t = cytorch.tensor(a)
    with np.errstate(all="ignore"):
        ref = np.logaddexp.accumulate(a, axis=1)
    assert_close(t.logcumsumexp(1), ref, rtol=1e-10)
    assert_close(t.float().logcumsumexp(0), np.logaddexp.accumulate(a, axis=0).astype(np.float32), rtol=1e-5)
    with pytest.raises(NotImplementedError):
        cytorch.tensor([1, 2]).logcumsumexp(0)


# ---------------------------------------------------------------- all / any / count_nonzero / diff

@pytest.mark.parametrize("dtype", ["bool", "uint8", "int64", "float32"])
@pytest.mark.parametrize("dim", [None, 0, (1, 2)])
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_all_any(dtype, dim, keepdim, layout):
    a = data((3, 4, 5), dtype, 0, 2) if dtype != "float32" else (RNG.random((3, 4, 5)) > 0.2).astype(np.float32)
    a[0] = 1
    t = make(a, layout)
    exp_dt = np.uint8 if dtype == "uint8" else np.bool_
    assert_close(t.all(dim, keepdim), np.all(a, axis=dim, keepdims=keepdim).astype(exp_dt))
    assert_close(cytorch.any(t, dim, keepdim), np.any(a, axis=dim, keepdims=keepdim).astype(exp_dt))


def test_count_nonzero_and_diff():
    a = data((4, 5), "int64", -1, 2)
    t = cytorch.tensor(a)
    assert_close(t.count_nonzero(), np.int64(np.count_nonzero(a)))
    assert_close(cytorch.count_nonzero(t, dim=1), np.count_nonzero(a, axis=1).astype(np.int64))
    assert_close(t.count_nonzero((0, 1)), np.int64(np.count_nonzero(a)))
    assert_close(t.diff(), np.diff(a))
    assert_close(cytorch.diff(t, n=2, dim=0), np.diff(a, n=2, axis=0))
    b = cytorch.tensor([True, False, False, True])
    assert b.diff().tolist() == [True, False, True]
    pre, app = data((4, 2), "int64"), data((4, 1), "int64")
    r = cytorch.diff(t, dim=1, prepend=cytorch.tensor(pre), append=cytorch.tensor(app))
    assert_close(r, np.diff(a, axis=1, prepend=pre, append=app))


# ---------------------------------------------------------------- softmax

def np_softmax(a, dim):
    e = np.exp(a - a.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("shape", [(3, 4, 5), (2, 300, 37)])
def test_softmax(dtype, layout, dim, shape):
    a = data(shape, dtype) * 10
    t = make(a, layout)
    ref = np_softmax(a.astype(np.float64), dim)
    tol = 2e-6 if dtype == "float32" else 1e-12
    assert_close(t.softmax(dim), ref.astype(a.dtype), rtol=tol * 10, atol=tol)
    assert_close(cytorch.log_softmax(t, dim), np.log(ref).astype(a.dtype), rtol=tol * 10, atol=tol * 10)


def test_softmax_special_values():
    ninf = float("-inf")
    t = cytorch.tensor([[0.0, ninf, 0.0], [1000.0, 0.0, -1000.0], [ninf, ninf, ninf]])
    r = t.softmax(1).tolist()
    assert r[0] == [0.5, 0.0, 0.5] and r[1][0] == 1.0 and r[1][1] == 0.0
    assert all(math.isnan(x) for x in r[2])
    ls = t.log_softmax(-1).tolist()
    assert ls[0][1] == ninf and abs(ls[1][1] + 1000.0) < 1e-3
    big = cytorch.tensor(np.linspace(-100, 100, 1000).astype(np.float32))
    assert_close(big.softmax(0), np_softmax(np.linspace(-100, 100, 1000), 0).astype(np.float32),
                 rtol=1e-5, atol=1e-30)


def test_softmax_dtypes():
    t = cytorch.tensor([1, 2, 3])
    with pytest.raises(NotImplementedError):
        t.softmax(0)
    r = cytorch.softmax(t, 0, dtype=cytorch.float64)
    assert r.dtype == cytorch.float64
    assert_close(r, np_softmax(np.array([1.0, 2.0, 3.0]), 0))
    h = cytorch.tensor([1.0, 2.0, 3.0]).half().softmax(0)
    assert h.dtype == cytorch.float16
    assert_close(h.float(), np_softmax(np.array([1.0, 2.0, 3.0]), 0).astype(np.float32), rtol=1e-3,
                 check_dtype=False)
    assert cytorch.empty(0, 4).softmax(1).shape == (0, 4)
    assert cytorch.tensor(3.0).softmax(0).item() == 1.0


# ---------------------------------------------------------------- empty tensors

def test_empty_reductions():
    e = cytorch.empty(0, 3)
    assert e.sum().item() == 0 and e.prod().item() == 1
    assert_close(e.sum(0), np.zeros(3, np.float32))
    assert_close(e.prod(0), np.ones(3, np.float32))
    assert_close(e.sum(1), np.zeros(0, np.float32))
    assert math.isnan(e.mean().item())
    assert_close(e.mean(0), np.full(3, np.nan, np.float32))
    assert e.all().item() is True and e.any().item() is False
    assert e.all(0).tolist() == [True] * 3
    assert e.amax(1).shape == (0,)
    v, i = e.max(1)
    assert v.shape == (0,) and i.shape == (0,) and i.dtype == cytorch.int64
    assert e.count_nonzero().item() == 0
    assert cytorch.empty(0, dtype=cytorch.int64).sum().dtype == cytorch.int64


def test_empty_errors():
    e = cytorch.empty(0, 3)
    with pytest.raises(IndexError, match="Expected reduction dim 0 to have non-zero size"):
        e.max(0)
    with pytest.raises(IndexError, match="non-zero size"):
        e.amax(0)
    with pytest.raises(IndexError, match="non-zero size"):
        e.argmax(0)
    with pytest.raises(RuntimeError, match="numel\\(\\) == 0"):
        e.max()
    with pytest.raises(RuntimeError, match="numel\\(\\) == 0"):
        e.amax()
    with pytest.raises(IndexError):
        e.argmax()
    with pytest.raises(RuntimeError):
        e.aminmax()


# ---------------------------------------------------------------- argument errors

def test_dim_errors():
    t = cytorch.ones(2, 3)
    for f in (lambda: t.sum(2), lambda: t.sum(-3), lambda: t.amax((0, 5)), lambda: t.max(2),
              lambda: t.argmax(3), lambda: t.cumsum(2), lambda: t.softmax(2), lambda: t.mean(4),
              lambda: t.var(2), lambda: t.all(2), lambda: t.logsumexp(2), lambda: t.cummax(-3)):
        with pytest.raises(IndexError, match="Dimension out of range"):
            f()
    with pytest.raises(RuntimeError, match="appears multiple times"):
        t.sum((0, 0))
    with pytest.raises(RuntimeError, match="appears multiple times"):
        t.amax((1, -1))
    with pytest.raises(RuntimeError, match="bool"):
        cytorch.tensor([True, False]).argmax()
    with pytest.raises(TypeError):
        cytorch.sum([1, 2])


# ---------------------------------------------------------------- thread-count independence

def _under_threads(n, f):
    old = cytorch.get_num_threads()
    cytorch.set_num_threads(n)
    try:
        return np_of(f())
    finally:
        cytorch.set_num_threads(old)


@pytest.mark.parametrize("name,fn", [
    ("sum 1M", lambda t: t.sum()),
    ("column sum", lambda t: t.reshape(1000, 1000).sum(0)),
    ("row sum", lambda t: t.reshape(4, 250_000).sum(1)),
    ("mean", lambda t: t.reshape(10, 100_000).mean(1)),
    ("amax", lambda t: t.amax()),
    ("argmax", lambda t: t.reshape(2, 500_000).argmax(1)),
    ("cumsum", lambda t: t.reshape(1000, 1000).cumsum(0)),
    ("softmax", lambda t: t.reshape(1000, 1000).softmax(1)),
    ("log_softmax outer", lambda t: t.reshape(1000, 1000).log_softmax(0)),
    ("var", lambda t: t.reshape(100, 10_000).var(1)),
])
def test_thread_count_independent(name, fn):
    a = RNG.standard_normal(1_000_000).astype(np.float32)
    t = cytorch.from_numpy(a)
    one = _under_threads(1, lambda: fn(t))
    two = _under_threads(2, lambda: fn(t))
    assert one.tobytes() == two.tobytes(), name


# ---------------------------------------------------------------- PyTorch parity

TORCH_OPS = [
    ("sum", lambda m, x: m.sum(x)),
    ("sum dim kd", lambda m, x: m.sum(x, (0, 2), keepdim=True)),
    ("sum method", lambda m, x: x.sum(-1)),
    ("mean", lambda m, x: m.mean(x.double(), 1)),
    ("prod", lambda m, x: m.prod(x, 1)),
    ("amax", lambda m, x: m.amax(x, (0, 1))),
    ("amin", lambda m, x: x.amin(-1, keepdim=True)),
    ("max", lambda m, x: m.max(x)),
    ("max dim", lambda m, x: m.max(x, 1)),
    ("min dim kd", lambda m, x: x.min(2, keepdim=True)),
    ("argmax", lambda m, x: m.argmax(x)),
    ("argmin dim", lambda m, x: x.argmin(1)),
    ("aminmax", lambda m, x: m.aminmax(x, dim=0)),
    ("cumsum", lambda m, x: m.cumsum(x, 1)),
    ("cumprod", lambda m, x: x.cumprod(-1)),
    ("cummax", lambda m, x: m.cummax(x, 1)),
    ("cummin", lambda m, x: x.cummin(0)),
    ("all", lambda m, x: m.all(x, 1)),
    ("any", lambda m, x: x.any()),
    ("count_nonzero", lambda m, x: m.count_nonzero(x, 0)),
    ("diff", lambda m, x: m.diff(x, dim=1)),
]
FLOAT_OPS = [
    ("var", lambda m, x: m.var(x, 1)),
    ("std kd", lambda m, x: x.std((0, 2), keepdim=True, correction=0)),
    ("var_mean", lambda m, x: m.var_mean(x, 0)),
    ("norm", lambda m, x: m.norm(x)),
    ("norm p3", lambda m, x: x.norm(3, 1)),
    ("norm inf", lambda m, x: x.norm(float("inf"), (0, 1))),
    ("logsumexp", lambda m, x: m.logsumexp(x, 1)),
    ("logcumsumexp", lambda m, x: m.logcumsumexp(x, 2)),
    ("softmax", lambda m, x: m.softmax(x, -1)),
    ("softmax 0", lambda m, x: x.softmax(0)),
    ("log_softmax", lambda m, x: m.log_softmax(x, 1)),
    ("nansum", lambda m, x: m.nansum(x, 1)),
    ("nanmean", lambda m, x: m.nanmean(x)),
    ("mean f", lambda m, x: x.mean((0, 1))),
]


def _compare_torch(torch, a, fn):
    r_ct = fn(cytorch, cytorch.tensor(a))
    r_t = fn(torch, torch.tensor(a))
    if isinstance(r_t, tuple):
        assert isinstance(r_ct, tuple) and len(r_ct) == len(r_t)
        pairs = list(zip(r_ct, r_t))
    else:
        pairs = [(r_ct, r_t)]
    for c, t in pairs:
        tn = t.numpy()
        assert_close(c, tn, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dtype", ["float32", "int64"])
@pytest.mark.parametrize("name,fn", TORCH_OPS, ids=[n for n, _ in TORCH_OPS])
def test_vs_torch(torch, dtype, name, fn):
    a = data((3, 4, 5), dtype, -2, 3)
    _compare_torch(torch, a, fn)


@pytest.mark.parametrize("name,fn", FLOAT_OPS, ids=[n for n, _ in FLOAT_OPS])
def test_vs_torch_float(torch, name, fn):
    _compare_torch(torch, data((3, 4, 5), "float32"), fn)


def test_vs_torch_errors(torch):
    cases = [lambda m: m.tensor([1, 2]).mean(), lambda m: m.tensor([1, 2]).var(),
             lambda m: m.empty(0, 3).max(0), lambda m: m.empty(0, 3).max(), lambda m: m.ones(2).sum(1),
             lambda m: m.ones(2, 2).sum((0, 0)), lambda m: m.tensor([1, 2]).softmax(0),
             lambda m: m.tensor([True]).argmax(), lambda m: m.tensor([1, 2]).norm()]
    for f in cases:
        with pytest.raises(Exception) as et:
            f(torch)
        with pytest.raises(Exception) as ec:
            f(cytorch)
        assert type(ec.value) is type(et.value), (et.value, ec.value)
