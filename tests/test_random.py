"""Random numbers: Philox known answers, reproducibility, state, distributions, errors, threads."""
import math

import numpy as np
import pytest
from scipy import stats

import cytorch
from cytorch._C import _random as _R
from conftest import assert_close, np_of

N = 100_000


@pytest.fixture(autouse=True)
def _reset_threads():
    n = cytorch.get_num_threads()
    yield
    cytorch.set_num_threads(n)


# ---------------------------------------------------------------- the generator itself

def test_philox_known_answers():
    # Known-answer vectors published with Random123 (Salmon et al.) for Philox4x32-10.
    assert _R._philox((0, 0, 0, 0), (0, 0)) == (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)
    assert _R._philox((0xFFFFFFFF,) * 4, (0xFFFFFFFF,) * 2) == (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)
    assert _R._philox((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344), (0xA4093822, 0x299F31D0)) == \
        (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1)


def test_manual_seed_reproducible():
    cytorch.manual_seed(123)
    a = np_of(cytorch.rand(50))
    b = np_of(cytorch.randn(7, 3))
    cytorch.manual_seed(123)
    assert np.array_equal(a, np_of(cytorch.rand(50)))
    assert np.array_equal(b, np_of(cytorch.randn(7, 3)))
    c = np_of(cytorch.rand(50))
    assert not np.array_equal(a, c)              # the stream advances
    cytorch.manual_seed(124)
    assert not np.array_equal(a, np_of(cytorch.rand(50)))


def test_generator_objects():
    g1 = cytorch.Generator().manual_seed(5)
    g2 = cytorch.Generator(device="cpu")
    assert g2.initial_seed() == 67280421310721 and g2.device == cytorch.device("cpu")
    assert g2.manual_seed(5) is g2
    x = cytorch.rand(10, generator=g1)
    cytorch.manual_seed(0)
    cytorch.rand(3)                              # the default generator does not disturb g2
    assert np.array_equal(np_of(x), np_of(cytorch.rand(10, generator=g2)))
    with pytest.raises(TypeError):
        cytorch.rand(2, generator=3)
    with pytest.raises(RuntimeError):
        cytorch.Generator(device="cuda")


def test_seed_and_initial_seed():
    cytorch.manual_seed(-1)                      # negative seeds wrap to uint64 like PyTorch
    assert cytorch.initial_seed() == 2 ** 64 - 1
    s = cytorch.seed()
    assert isinstance(s, int) and cytorch.initial_seed() == s
    g = cytorch.Generator()
    assert g.seed() == g.initial_seed()
    with pytest.raises(ValueError):
        cytorch.manual_seed(2 ** 64)
    with pytest.raises(ValueError):
        cytorch.manual_seed(-2 ** 63 - 1)
    assert cytorch.Generator().manual_seed(-2 ** 63).initial_seed() == 2 ** 63
    assert cytorch.manual_seed(7) is cytorch.default_generator


def test_state_roundtrip():
    cytorch.manual_seed(99)
    cytorch.rand(5)
    st = cytorch.get_rng_state()
    assert st.dtype == cytorch.uint8 and st.dim() == 1
    a = np_of(cytorch.randn(20))
    cytorch.rand(100)
    cytorch.set_rng_state(st)
    assert np.array_equal(a, np_of(cytorch.randn(20)))
    g = cytorch.Generator().manual_seed(1)
    gs = g.get_state()
    b = np_of(cytorch.randint(0, 100, (30,), generator=g))
    g.set_state(gs)
    assert np.array_equal(b, np_of(cytorch.randint(0, 100, (30,), generator=g)))
    h = cytorch.Generator().set_state(gs)        # states move between generators
    assert np.array_equal(b, np_of(cytorch.randint(0, 100, (30,), generator=h)))
    with pytest.raises(TypeError):
        g.set_state(cytorch.zeros(16))
    with pytest.raises(RuntimeError):
        g.set_state(cytorch.zeros(3, dtype=cytorch.uint8))


def test_fork_rng():
    cytorch.manual_seed(3)
    with cytorch.fork_rng():
        inside = np_of(cytorch.rand(4))
    assert np.array_equal(inside, np_of(cytorch.rand(4)))


def test_thread_count_independent():
    big = 300_001                                # above the parallel threshold, odd size
    makers = [
        lambda g: cytorch.rand(big, generator=g), lambda g: cytorch.randn(big, dtype=cytorch.float64, generator=g),
        lambda g: cytorch.randint(-5, 1000, (big,), generator=g),
        lambda g: cytorch.randint(0, 2 ** 40, (big,), generator=g),
        lambda g: cytorch.bernoulli(cytorch.full((big,), 0.3), generator=g),
        lambda g: cytorch.empty(big).exponential_(2.0, generator=g),
        lambda g: cytorch.poisson(cytorch.full((50_000,), 30.0), generator=g),
        lambda g: cytorch.multinomial(cytorch.ones(500, 200), 50, generator=g),
        lambda g: cytorch.multinomial(cytorch.ones(500, 200), 50, replacement=True, generator=g),
    ]
    for make in makers:
        cytorch.set_num_threads(1)
        a = np_of(make(cytorch.Generator().manual_seed(11)))
        cytorch.set_num_threads(2)
        b = np_of(make(cytorch.Generator().manual_seed(11)))
        assert np.array_equal(a, b)


# ---------------------------------------------------------------- distributions

def _ks(sample, cdf):
    return stats.kstest(sample.astype(np.float64).ravel(), cdf).pvalue


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_rand_uniform(dtype):
    cytorch.manual_seed(0)
    x = np_of(cytorch.rand(N, dtype=getattr(cytorch, dtype)))
    assert x.dtype == np.dtype(dtype) and x.min() >= 0 and x.max() < 1
    assert abs(x.mean() - 0.5) < 0.005 and abs(x.var() - 1 / 12) < 0.002
    assert _ks(x, "uniform") > 1e-4
    y = np_of(cytorch.empty(N, dtype=getattr(cytorch, dtype)).uniform_(-3, 5))
    assert y.min() >= -3 and y.max() < 5 and abs(y.mean() - 1) < 0.05


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_randn_normal(dtype):
    cytorch.manual_seed(1)
    x = np_of(cytorch.randn(N, dtype=getattr(cytorch, dtype)))
    assert abs(x.mean()) < 0.015 and abs(x.var() - 1) < 0.02
    assert abs(stats.skew(x)) < 0.05 and abs(stats.kurtosis(x)) < 0.1
    assert _ks(x, "norm") > 1e-4
    y = np_of(cytorch.empty(N, dtype=getattr(cytorch, dtype)).normal_(3.0, 0.5))
    assert abs(y.mean() - 3) < 0.01 and abs(y.std() - 0.5) < 0.01


def test_other_fills():
    g = cytorch.Generator().manual_seed(2)
    e = np_of(cytorch.empty(N, dtype=cytorch.float64).exponential_(4.0, generator=g))
    assert e.min() >= 0 and abs(e.mean() - 0.25) < 0.005 and _ks(e * 4, "expon") > 1e-4
    c = np_of(cytorch.empty(N).cauchy_(1.0, 2.0, generator=g))
    assert abs(np.median(c) - 1.0) < 0.05 and _ks((c - 1) / 2, "cauchy") > 1e-4
    ln = np_of(cytorch.empty(N, dtype=cytorch.float64).log_normal_(0.5, 0.25, generator=g))
    assert ln.min() > 0 and abs(np.log(ln).mean() - 0.5) < 0.01 and abs(np.log(ln).std() - 0.25) < 0.01
    ge = np_of(cytorch.empty(N).geometric_(0.2, generator=g))
    assert ge.min() >= 1 and np.all(ge == np.round(ge)) and abs(ge.mean() - 5) < 0.1
    gi = np_of(cytorch.zeros(N, dtype=cytorch.int32).geometric_(0.5, generator=g))
    assert gi.dtype == np.int32 and gi.min() >= 1 and abs(gi.mean() - 2) < 0.05


def test_normal_overloads():
    cytorch.manual_seed(4)
    a = cytorch.normal(2.0, 3.0, (N,))
    assert a.dtype == cytorch.float32 and abs(np_of(a).mean() - 2) < 0.05 and abs(np_of(a).std() - 3) < 0.05
    assert cytorch.normal(0.0, 1.0, size=(2, 3), dtype=cytorch.float64).dtype == cytorch.float64
    mean = cytorch.tensor([[0.0], [100.0]])
    b = cytorch.normal(mean, 1.0)
    assert tuple(b.shape) == (2, 1)
    c = np_of(cytorch.normal(cytorch.tensor([0.0, 50.0]).expand(N // 2, 2), cytorch.tensor([1.0, 0.0])))
    assert c.shape == (N // 2, 2) and np.all(c[:, 1] == 50.0) and abs(c[:, 0].std() - 1) < 0.02
    d = np_of(cytorch.normal(-1.0, cytorch.full((N,), 2.0, dtype=cytorch.float64)))
    assert d.dtype == np.float64 and abs(d.mean() + 1) < 0.05 and abs(d.std() - 2) < 0.05
    out = cytorch.empty(5)
    assert cytorch.normal(0.0, 1.0, (5,), out=out) is out
    with pytest.raises(TypeError):
        cytorch.normal(0.0, 1.0)
    with pytest.raises(RuntimeError):
        cytorch.normal(cytorch.zeros(2), -cytorch.ones(2))
    with pytest.raises(RuntimeError):
        cytorch.normal(cytorch.zeros(2), cytorch.ones(3))


def test_bernoulli():
    cytorch.manual_seed(5)
    p = cytorch.tensor([0.0, 0.25, 0.5, 1.0]).expand(N // 4, 4)
    x = np_of(cytorch.bernoulli(p))
    assert x.dtype == np.float32 and set(np.unique(x)) <= {0.0, 1.0}
    assert_close(cytorch.tensor(x.mean(0)), np.array([0, 0.25, 0.5, 1.0], dtype=np.float32), atol=0.012, rtol=0)
    y = np_of(cytorch.zeros(N, dtype=cytorch.float64).bernoulli_(0.7))
    assert abs(y.mean() - 0.7) < 0.01
    z = np_of(cytorch.zeros(N, dtype=cytorch.bool).bernoulli_(0.1))
    assert z.dtype == np.bool_ and abs(z.mean() - 0.1) < 0.01
    w = np_of(cytorch.zeros(N, dtype=cytorch.int64).bernoulli_(cytorch.tensor([0.9])))
    assert abs(w.mean() - 0.9) < 0.01
    v = np_of(cytorch.bernoulli(cytorch.zeros(N), 0.4))
    assert abs(v.mean() - 0.4) < 0.01
    with pytest.raises(RuntimeError):
        cytorch.bernoulli(cytorch.tensor([1.5]))
    with pytest.raises(RuntimeError):
        cytorch.zeros(3).bernoulli_(-0.1)
    assert cytorch.bernoulli(cytorch.zeros(0, 3)).shape == (0, 3)


@pytest.mark.parametrize("rate", [0.0, 0.5, 4.0, 25.0, 1000.0])
def test_poisson(rate):
    cytorch.manual_seed(6)
    x = np_of(cytorch.poisson(cytorch.full((N // 2,), rate, dtype=cytorch.float64)))
    assert np.all(x >= 0) and np.all(x == np.round(x))
    tol = 0.03 * max(rate, 1.0) ** 0.5 + 1e-9
    assert abs(x.mean() - rate) < tol and abs(x.var() - rate) < 6 * tol * max(rate, 1.0) ** 0.5
    if rate > 0:
        ks = np.arange(x.max() + 1)
        observed = np.bincount(x.astype(np.int64))
        expected = stats.poisson.pmf(ks, rate) * x.size
        keep = expected > 20
        chi2 = ((observed[keep] - expected[keep]) ** 2 / expected[keep]).sum()
        assert stats.chi2.sf(chi2, keep.sum() - 1) > 1e-4


def test_poisson_errors():
    with pytest.raises(RuntimeError):
        cytorch.poisson(cytorch.tensor([-1.0]))
    with pytest.raises(NotImplementedError):
        cytorch.poisson(cytorch.tensor([1, 2]))


# ---------------------------------------------------------------- integers

def test_randint():
    cytorch.manual_seed(7)
    x = cytorch.randint(-3, 7, (N,))
    assert x.dtype == cytorch.int64
    v = np_of(x)
    assert v.min() == -3 and v.max() == 6
    counts = np.bincount(v + 3)
    assert stats.chisquare(counts).pvalue > 1e-4
    assert cytorch.randint(5, (2, 3)).shape == (2, 3)
    assert cytorch.randint(5, size=(4,)).shape == (4,)
    assert cytorch.randint(low=2, high=4, size=(3,)).shape == (3,)
    f = np_of(cytorch.randint(0, 10, (1000,), dtype=cytorch.float32))
    assert f.dtype == np.float32 and np.all(f == np.round(f)) and f.max() <= 9
    big = np_of(cytorch.randint(-2 ** 62, 2 ** 62, (1000,)))
    assert big.min() < -2 ** 58 and big.max() > 2 ** 58
    with pytest.raises(RuntimeError):
        cytorch.randint(3, 3, (2,))
    with pytest.raises(RuntimeError):
        cytorch.randint(0, 300, (2,), dtype=cytorch.uint8)


def test_randint_like_and_random_():
    cytorch.manual_seed(8)
    t = cytorch.zeros(3, 4, dtype=cytorch.int16)
    r = cytorch.randint_like(t, 10)
    assert r.dtype == cytorch.int16 and r.shape == (3, 4) and np_of(r).max() < 10
    r2 = np_of(cytorch.randint_like(cytorch.zeros(1000), 5, 8))
    assert r2.min() >= 5 and r2.max() < 8 and r2.dtype == np.float32
    for dt, top in [("int8", 127), ("uint8", 255), ("bool", 1), ("float16", 2 ** 11), ("bfloat16", 2 ** 8)]:
        v = np_of(cytorch.zeros(20000, dtype=getattr(cytorch, dt)).random_()).astype(np.float64)
        assert v.min() >= 0 and v.max() <= top and v.max() > top * 0.9
    v = np_of(cytorch.zeros(5000, dtype=cytorch.int32).random_(-4, 4))
    assert v.min() == -4 and v.max() == 3
    v = np_of(cytorch.zeros(5000).random_(6))
    assert v.min() == 0 and v.max() == 5
    v = np_of(cytorch.zeros(5000, dtype=cytorch.int64).random_())
    assert v.min() >= 0 and v.max() > 2 ** 60
    with pytest.raises(RuntimeError):
        cytorch.zeros(3).random_(5, 2)
    with pytest.raises(RuntimeError):
        cytorch.zeros(3, dtype=cytorch.uint8).random_(-1, 3)
    with pytest.raises(RuntimeError):
        cytorch.zeros(3, dtype=cytorch.bool).random_(0, 5)


def test_randperm():
    cytorch.manual_seed(9)
    p = cytorch.randperm(1000)
    assert p.dtype == cytorch.int64 and sorted(np_of(p).tolist()) == list(range(1000))
    cytorch.manual_seed(9)
    assert np.array_equal(np_of(p), np_of(cytorch.randperm(1000)))
    assert cytorch.randperm(0).shape == (0,)
    assert cytorch.randperm(5, dtype=cytorch.float32).dtype == cytorch.float32
    first = np.array([np_of(cytorch.randperm(4))[0] for _ in range(4000)])
    assert stats.chisquare(np.bincount(first, minlength=4)).pvalue > 1e-4
    with pytest.raises(RuntimeError):
        cytorch.randperm(-1)
    with pytest.raises(RuntimeError):
        cytorch.randperm(300, dtype=cytorch.int8)


# ---------------------------------------------------------------- multinomial

def test_multinomial_frequencies():
    cytorch.manual_seed(10)
    w = np.array([0.1, 0.0, 0.5, 0.4, 1.0])
    s = np_of(cytorch.multinomial(cytorch.tensor(w), N, replacement=True))
    assert s.dtype == np.int64 and s.shape == (N,)
    counts = np.bincount(s, minlength=5)
    assert counts[1] == 0
    keep = w > 0
    assert stats.chisquare(counts[keep], w[keep] / w.sum() * N).pvalue > 1e-4


def test_multinomial_without_replacement():
    cytorch.manual_seed(11)
    w = cytorch.tensor([[1.0, 2.0, 3.0, 4.0], [0.0, 0.0, 5.0, 1.0]], dtype=cytorch.float64)
    for _ in range(20):
        s = np_of(cytorch.multinomial(w, 4))
        assert s.shape == (2, 4) and all(sorted(r) == [0, 1, 2, 3] for r in s.tolist())
        assert set(s[1, :2]) == {2, 3}           # positive weights come before zero weights
    firsts = np_of(cytorch.multinomial(cytorch.tensor([1.0, 2.0, 3.0, 4.0]).expand(20000, 4), 1))[:, 0]
    assert stats.chisquare(np.bincount(firsts, minlength=4), np.array([1, 2, 3, 4]) / 10 * 20000).pvalue > 1e-4
    # second draw without replacement: P(second = j | first = i) = w_j / (1 - w_i)
    two = np_of(cytorch.multinomial(cytorch.tensor([0.5, 0.3, 0.2]).expand(30000, 3), 2))
    sec = two[two[:, 0] == 0, 1]
    assert stats.chisquare(np.bincount(sec, minlength=3)[1:], np.array([0.6, 0.4]) * sec.size).pvalue > 1e-4


def test_multinomial_errors():
    with pytest.raises(RuntimeError, match="without replacement"):
        cytorch.multinomial(cytorch.tensor([1.0, 2.0]), 3)
    with pytest.raises(RuntimeError, match="element < 0"):
        cytorch.multinomial(cytorch.tensor([1.0, -2.0]), 1)
    with pytest.raises(RuntimeError, match="inf"):
        cytorch.multinomial(cytorch.tensor([1.0, float("inf")]), 1)
    with pytest.raises(RuntimeError, match="sum of probabilities"):
        cytorch.multinomial(cytorch.tensor([0.0, 0.0]), 1)
    with pytest.raises(RuntimeError, match="floating-point"):
        cytorch.multinomial(cytorch.tensor([1, 2]), 1)
    with pytest.raises(RuntimeError):
        cytorch.multinomial(cytorch.tensor([1.0, 2.0]), 0)
    with pytest.raises(RuntimeError, match="1 or 2 dim"):
        cytorch.multinomial(cytorch.ones(2, 2, 2), 1)


# ---------------------------------------------------------------- dtypes, layouts, out=

@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "complex64", "complex128"])
def test_rand_other_dtypes(dtype):
    cytorch.manual_seed(12)
    dt = getattr(cytorch, dtype)
    x = cytorch.rand(20000, dtype=dt)
    y = cytorch.randn(20000, dtype=dt)
    assert x.dtype == dt and y.dtype == dt
    if dt.is_complex:
        xs = np_of(x)
        assert 0 <= xs.real.min() and xs.real.max() < 1 and 0 <= xs.imag.min() and xs.imag.max() < 1
        ys = np_of(y)
        assert abs(ys.real.var() - 0.5) < 0.03 and abs(np.mean(np.abs(ys) ** 2) - 1) < 0.05
    else:
        xs = np_of(x.float())
        assert xs.min() >= 0 and xs.max() <= 1 and abs(xs.mean() - 0.5) < 0.01
        assert abs(np_of(y.float()).std() - 1) < 0.03


def test_non_contiguous_targets():
    cytorch.manual_seed(13)
    base = cytorch.full((6, 8), -7.0)
    view = base.t().narrow(0, 2, 3)              # 3 x 6, strided
    assert view.uniform_(0, 1) is view
    b = np_of(base)
    inner = b[:, 2:5]
    assert np.all((inner >= 0) & (inner < 1)) and len(np.unique(inner)) == inner.size
    assert np.all(np.delete(b, [2, 3, 4], axis=1) == -7)
    v = cytorch.zeros(4, 5, dtype=cytorch.int64).t()
    v.random_(10, 20)
    assert np_of(v).min() >= 10 and np_of(v).max() < 20
    v2 = cytorch.zeros(4, 5).t()
    v2.bernoulli_(cytorch.tensor([0.0, 1.0, 0.0, 1.0]))
    assert np.array_equal(np_of(v2), np.tile([0.0, 1.0, 0.0, 1.0], (5, 1)))
    e = cytorch.zeros(2, 4, dtype=cytorch.float64)
    e.t().normal_()
    assert np.all(np_of(e) != 0)


def test_versions_bumped():
    t = cytorch.zeros(4)
    v = t._version
    t.uniform_()
    t.normal_()
    assert t._version >= v + 2


def test_out_and_empty():
    out = cytorch.empty(0)
    r = cytorch.rand(2, 3, out=out)
    assert r is out and out.shape == (2, 3)
    o64 = cytorch.empty(3, dtype=cytorch.int32)
    assert cytorch.randint(0, 5, (3,), out=o64).dtype == cytorch.int32
    with pytest.raises(RuntimeError):
        cytorch.rand(2, out=cytorch.empty(2), dtype=cytorch.float64)
    assert cytorch.rand(0, 3).shape == (0, 3)
    assert cytorch.randn(()).shape == ()
    assert cytorch.randint(0, 4, (0,)).shape == (0,)
    assert cytorch.empty(0).exponential_().shape == (0,)
    assert cytorch.rand_like(cytorch.zeros(2, 2, dtype=cytorch.float64)).dtype == cytorch.float64
    assert cytorch.randn_like(cytorch.zeros(3)).shape == (3,)


def test_fill_errors():
    with pytest.raises(NotImplementedError):
        cytorch.rand(3, dtype=cytorch.int64)
    with pytest.raises(NotImplementedError):
        cytorch.randn(3, dtype=cytorch.int32)
    with pytest.raises(NotImplementedError):
        cytorch.zeros(3, dtype=cytorch.int64).normal_()
    with pytest.raises(RuntimeError):
        cytorch.zeros(3).uniform_(2, 1)
    with pytest.raises(RuntimeError):
        cytorch.zeros(3).normal_(0, -1)
    with pytest.raises(RuntimeError):
        cytorch.zeros(3).exponential_(-1)
    with pytest.raises(RuntimeError):
        cytorch.zeros(3).geometric_(0)
    with pytest.raises(RuntimeError):
        cytorch.zeros(3).cauchy_(0, -1)
    with pytest.raises(RuntimeError):
        cytorch.zeros(3).log_normal_(0, -1)
    with pytest.raises(RuntimeError):
        cytorch.rand(-1)


ERROR_CALLS = [
    "T.multinomial(T.tensor([1., 2.]), 3)", "T.multinomial(T.tensor([1., -2.]), 1)",
    "T.multinomial(T.tensor([0., 0.]), 1)", "T.multinomial(T.tensor([1, 2]), 1)",
    "T.multinomial(T.tensor([1., 2.]), 0)", "T.multinomial(T.ones(2, 2, 2), 1)", "T.randint(3, 3, (2,))",
    "T.randperm(-1)", "T.bernoulli(T.tensor([1.5]))", "T.Generator().set_state(T.zeros(3))",
    "T.Generator().set_state(T.zeros(3, dtype=T.uint8))", "T.zeros(3).uniform_(2, 1)", "T.zeros(3).normal_(0, -1)",
    "T.zeros(3).exponential_(-1)", "T.zeros(3).geometric_(0)", "T.zeros(3, dtype=T.long).normal_()",
    "T.zeros(3, dtype=T.long).uniform_()", "T.rand(3, dtype=T.long)", "T.randn(2, dtype=T.int32)",
    "T.zeros(3).random_(5, 2)", "T.normal(T.zeros(2), -T.ones(2))", "T.poisson(-T.ones(2))",
    "T.zeros(3).bernoulli_(1.5)", "T.zeros(3).cauchy_(0, -1)", "T.zeros(3).log_normal_(0, -1)",
    "T.randint(5, (2,), dtype=T.bool)", "T.zeros(2, dtype=T.uint8).random_(-1, 3)", "T.normal(0., 1.)",
    "T.manual_seed(2 ** 64)", "T.zeros(3, dtype=T.complex64).exponential_()", "T.poisson(T.tensor([1, 2]))",
    "T.zeros(3, dtype=T.long).exponential_()", "T.zeros(3, dtype=T.complex64).cauchy_()",
    "T.zeros(3, dtype=T.complex64).log_normal_()", "T.zeros(3, dtype=T.complex64).geometric_(0.5)",
    "T.zeros(3, dtype=T.complex64).random_()", "T.zeros(3, dtype=T.complex64).bernoulli_(0.5)",
]


@pytest.mark.parametrize("call", ERROR_CALLS)
def test_error_types_match_torch(torch, call):
    with pytest.raises(Exception) as theirs:
        eval(call, {"T": torch})
    with pytest.raises(Exception) as ours:
        eval(call, {"T": cytorch})
    assert type(ours.value) is type(theirs.value), (ours.value, theirs.value)


RESULT_CALLS = [
    "T.rand(2, 3)", "T.rand((2, 3), dtype=T.float64)", "T.randn(4)", "T.randint(5, (3,))", "T.randint(1, 5, (2, 2))",
    "T.randint(0, 5, (3,), dtype=T.int16)", "T.randperm(5)", "T.rand_like(T.zeros(2, dtype=T.float16))",
    "T.randn_like(T.zeros(2, 1))", "T.randint_like(T.zeros(3, dtype=T.int32), 4)",
    "T.randint_like(T.zeros(3), 2, 4)", "T.normal(2., 3., (2, 2))", "T.normal(T.zeros(2, 1), 1.)",
    "T.normal(T.zeros(2, 1), T.ones(3))", "T.normal(1., T.ones(2, dtype=T.float64))",
    "T.bernoulli(T.full((3,), 0.5, dtype=T.float64))", "T.bernoulli(T.zeros(2), 0.5)",
    "T.multinomial(T.tensor([1., 2.]), 2)", "T.multinomial(T.ones(3, 4), 2, True)", "T.poisson(T.ones(3))",
    "T.zeros(3, dtype=T.int8).random_()", "T.zeros(3).random_(4)", "T.zeros(2, dtype=T.bool).bernoulli_(0.5)",
    "T.rand(3, dtype=T.complex64)", "T.zeros(3, dtype=T.int32).geometric_(0.5)",
]


@pytest.mark.parametrize("call", RESULT_CALLS)
def test_shapes_and_dtypes_match_torch(torch, call):
    theirs = eval(call, {"T": torch})
    ours = eval(call, {"T": cytorch})
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert repr(ours.dtype) == repr(theirs.dtype).replace("torch.", "cytorch.")


def test_fills_follow_the_documented_stream():
    # randint over [0, 2**32) exposes the raw words: element e of group g is word e // LANES of
    # Philox block g * LANES + e % LANES (ct_random.h), so the vectorised kernel must match scalar Philox.
    L, seed = _R.LANES, 2 ** 40 + 77
    g = cytorch.Generator().manual_seed(seed)
    n = 3 * 4 * L + 5
    got = np_of(cytorch.randint(0, 2 ** 32, (n,), generator=g))
    want = []
    for e in range(n):
        grp, r = divmod(e, 4 * L)
        k, lane = divmod(r, L)
        b = grp * L + lane
        want.append(_R._philox((b & 0xFFFFFFFF, b >> 32, 0, 0), (seed & 0xFFFFFFFF, seed >> 32))[k])
    assert np.array_equal(got, np.array(want, dtype=np.int64))
    # the next call starts after the last group the previous one computed (no block is reused)
    nxt = np_of(cytorch.randint(0, 2 ** 32, (1,), generator=g))[0]
    b = (n + 4 * L - 1) // (4 * L) * L
    assert g.get_offset() == b + L
    assert nxt == _R._philox((b, 0, 0, 0), (seed & 0xFFFFFFFF, seed >> 32))[0]


def test_keywords_and_generators_in_place():
    g = cytorch.Generator().manual_seed(21)
    a = np_of(cytorch.empty(6).uniform_(**{"from": 2, "to": 3}, generator=g))
    assert a.min() >= 2 and a.max() < 3
    b = np_of(cytorch.zeros(500, dtype=cytorch.int64).random_(to=4))
    assert b.min() == 0 and b.max() == 3
    with pytest.raises(TypeError):
        cytorch.zeros(3).uniform_(foo=1)
    with pytest.raises(RuntimeError, match="continuous"):
        cytorch.zeros(3, dtype=cytorch.complex64).exponential_()
    for method, args in [("normal_", (1.0, 2.0)), ("exponential_", (3.0,)), ("cauchy_", ()), ("log_normal_", ()),
                         ("geometric_", (0.3,)), ("bernoulli_", (0.5,)), ("random_", (0, 9))]:
        x = getattr(cytorch.empty(37, dtype=cytorch.float64), method)(*args, generator=cytorch.Generator().manual_seed(4))
        y = getattr(cytorch.empty(37, dtype=cytorch.float64), method)(*args, generator=cytorch.Generator().manual_seed(4))
        z = getattr(cytorch.empty(37, dtype=cytorch.float64), method)(*args, generator=cytorch.Generator().manual_seed(5))
        assert np.array_equal(np_of(x), np_of(y)) and not np.array_equal(np_of(x), np_of(z)), method


def test_non_contiguous_inputs():
    cytorch.manual_seed(22)
    w = cytorch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]], dtype=cytorch.float64).t()   # 2 x 3, strided
    s = np_of(cytorch.multinomial(w, 50, replacement=True))
    assert set(s[0].tolist()) == {0, 2} and set(s[1].tolist()) == {1}
    p = np_of(cytorch.bernoulli(cytorch.tensor([[0.0, 1.0], [1.0, 0.0], [0.0, 0.0]]).t()))
    assert np.array_equal(p, np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]], dtype=np.float32))
    r = np_of(cytorch.poisson(cytorch.tensor([[0.0, 1e4], [0.0, 0.0]]).t()))
    assert r[0, 0] == 0 and r[0, 1] == 0 and r[1, 1] == 0 and 9000 < r[1, 0] < 11000
