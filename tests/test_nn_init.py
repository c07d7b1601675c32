"""nn.init: sample statistics against the analytic distributions, exact values against PyTorch."""
import math

import numpy as np
import pytest

import cytorch
from cytorch import nn
from cytorch.nn import init
from conftest import np_of

N = (400, 500)          # 200k samples: mean/std estimates to well under 1%


def stats(t):
    a = np_of(t).astype(np.float64)
    return a.mean(), a.std(), a.min(), a.max()


def test_calculate_gain_matches_torch(torch):
    for nl, p in [("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None), ("relu", None),
                  ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", 3), ("selu", None)]:
        assert init.calculate_gain(nl, p) == torch.nn.init.calculate_gain(nl, p)
    for nl, p in [("leaky_relu", True), ("leaky_relu", "x"), ("softmax", None)]:
        with pytest.raises(ValueError) as ec:
            init.calculate_gain(nl, p)
        with pytest.raises(ValueError) as et:
            torch.nn.init.calculate_gain(nl, p)
        assert str(ec.value) == str(et.value)


def test_fans():
    assert init._calculate_fan_in_and_fan_out(cytorch.empty(3, 5)) == (5, 3)
    assert init._calculate_fan_in_and_fan_out(cytorch.empty(8, 4, 3, 3)) == (36, 72)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(cytorch.empty(3))
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_uniform_(cytorch.empty(3, 3), mode="fan_avg")


def test_uniform_normal_constant():
    t = cytorch.empty(*N)
    assert init.uniform_(t, -2.0, 3.0) is t
    m, s, lo, hi = stats(t)
    assert lo >= -2 and hi <= 3 and abs(m - 0.5) < 0.02 and abs(s - 5 / math.sqrt(12)) < 0.01
    init.normal_(t, 1.5, 0.5)
    m, s, _, _ = stats(t)
    assert abs(m - 1.5) < 0.005 and abs(s - 0.5) < 0.005
    assert (np_of(init.constant_(t, 0.25)) == 0.25).all()
    assert (np_of(init.ones_(t)) == 1).all() and (np_of(init.zeros_(t)) == 0).all()


def test_xavier_and_kaiming_statistics():
    fan_out, fan_in = N
    t = cytorch.empty(*N)
    a = math.sqrt(6 / (fan_in + fan_out)) * 2.0
    init.xavier_uniform_(t, gain=2.0)
    _, s, lo, hi = stats(t)
    assert -a <= lo and hi <= a and abs(s - a / math.sqrt(3)) < 0.01 * a
    init.xavier_normal_(t)
    _, s, _, _ = stats(t)
    assert abs(s - math.sqrt(2 / (fan_in + fan_out))) < 0.01 * s
    b = math.sqrt(2) * math.sqrt(3 / fan_in)
    init.kaiming_uniform_(t, nonlinearity="relu")
    _, s, lo, hi = stats(t)
    assert -b <= lo and hi <= b and abs(s - b / math.sqrt(3)) < 0.01 * b
    init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu")
    _, s, _, _ = stats(t)
    assert abs(s - math.sqrt(2 / fan_out)) < 0.01 * s
    init.kaiming_uniform_(t, a=math.sqrt(5))        # Linear's default: U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    _, s, lo, hi = stats(t)
    assert -1 / math.sqrt(fan_in) <= lo and hi <= 1 / math.sqrt(fan_in)
    assert abs(s - 1 / math.sqrt(3 * fan_in)) < 0.01 * s
    with pytest.warns(UserWarning, match="zero-element"):
        init.kaiming_uniform_(cytorch.empty(0, 3))


def test_trunc_normal():
    t = cytorch.empty(*N)
    mean, std, a, b = 0.5, 2.0, -1.0, 3.0
    init.trunc_normal_(t, mean, std, a, b)
    m, s, lo, hi = stats(t)
    alpha, beta = (a - mean) / std, (b - mean) / std
    pdf = lambda x: math.exp(-x * x / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    cdf = lambda x: (1 + math.erf(x / math.sqrt(2))) / 2  # noqa: E731
    z = cdf(beta) - cdf(alpha)
    em = mean + std * (pdf(alpha) - pdf(beta)) / z
    ev = std ** 2 * (1 + (alpha * pdf(alpha) - beta * pdf(beta)) / z - ((pdf(alpha) - pdf(beta)) / z) ** 2)
    assert a <= lo and hi <= b
    assert abs(m - em) < 0.01 and abs(s - math.sqrt(ev)) < 0.01
    init.trunc_normal_(t, std=0.02, a=-0.04, b=0.04)   # timm/ViT style
    _, _, lo, hi = stats(t)
    assert -0.04 <= lo and hi <= 0.04


def test_orthogonal():
    for shape in [(6, 4), (4, 6), (3, 2, 2)]:
        t = cytorch.empty(*shape, dtype=cytorch.float64)
        init.orthogonal_(t, gain=2.0)
        q = np_of(t).reshape(shape[0], -1)
        small = q.T @ q if q.shape[0] >= q.shape[1] else q @ q.T
        np.testing.assert_allclose(small, 4 * np.eye(small.shape[0]), atol=1e-10)
    with pytest.raises(ValueError, match="2 or more dimensions"):
        init.orthogonal_(cytorch.empty(3))


def test_sparse():
    t = cytorch.empty(10, 30)
    init.sparse_(t, sparsity=0.3, std=0.5)
    a = np_of(t)
    assert ((a == 0).sum(axis=0) == 3).all()
    assert 0.3 < a[a != 0].std() < 0.7
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions"):
        init.sparse_(cytorch.empty(2, 2, 2), 0.1)


def test_eye_dirac_match_torch(torch):
    for shape in [(3, 5), (4, 2)]:
        assert (np_of(init.eye_(cytorch.empty(*shape))) == torch.nn.init.eye_(torch.empty(*shape)).numpy()).all()
    for shape, groups in [((4, 2, 3), 1), ((6, 2, 3, 3), 2), ((2, 3, 1, 3, 3), 1)]:
        c = init.dirac_(cytorch.empty(*shape), groups)
        t = torch.nn.init.dirac_(torch.empty(*shape), groups)
        assert (np_of(c) == t.numpy()).all()
    with pytest.raises(ValueError, match="3, 4, or 5 dimensions"):
        init.dirac_(cytorch.empty(2, 2))
    with pytest.raises(ValueError, match="divisible by groups"):
        init.dirac_(cytorch.empty(3, 2, 3), groups=2)
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions"):
        init.eye_(cytorch.empty(2, 2, 2))


def test_generator_reproducible_and_no_grad():
    def draw(fn):
        g = cytorch.Generator().manual_seed(7)
        return np_of(fn(cytorch.empty(5, 4), generator=g))
    for fn in (init.uniform_, init.normal_, init.trunc_normal_, init.xavier_uniform_, init.xavier_normal_,
               init.kaiming_uniform_, init.kaiming_normal_, init.orthogonal_):
        a, b = draw(fn), draw(fn)
        assert (a == b).all()
    p = nn.Parameter(cytorch.empty(3, 3))
    for fn in (init.uniform_, init.normal_, init.trunc_normal_, init.zeros_,
               init.ones_, init.eye_, init.xavier_uniform_, init.kaiming_normal_, init.orthogonal_):
        assert fn(p) is p
        assert p.is_leaf and p.requires_grad and p.grad_fn is None
    with pytest.warns(FutureWarning):
        init.uniform(cytorch.empty(2))
