"""Backward formulas of reductions, softmax, and the indexing/shape ops gather, index_select,
masked_fill, flip, roll, repeat: gradcheck (and gradgradcheck) in float64, grads against PyTorch."""
import numpy as np
import pytest

import cytorch
from cytorch.autograd import gradcheck, gradgradcheck
from conftest import assert_close, np_of

RNG = np.random.default_rng(4321)


def leaf(shape, noncontig=False, lo=-1.0, hi=1.0, data=None):
    a = RNG.uniform(lo, hi, size=shape) if data is None else np.asarray(data, dtype=np.float64)
    if noncontig and a.ndim >= 2:
        t = cytorch.tensor(np.ascontiguousarray(a.T)).t() if a.ndim == 2 else \
            cytorch.tensor(np.ascontiguousarray(np.swapaxes(a, 0, 1))).transpose(0, 1)
        t = t.detach()
    else:
        t = cytorch.tensor(a)
    return t.requires_grad_()


DIMS = [(None, False), (1, False), (1, True), (-1, False), ((0, 2), False), ((0, 2), True)]
SHAPE = (3, 4, 2)


def _call(name, x, dim, keepdim):
    f = getattr(cytorch, name)
    if dim is None:
        return f(x) if not keepdim else f(x, tuple(range(x.dim())), True)
    return f(x, dim, keepdim)


@pytest.mark.parametrize("name", ["sum", "mean", "logsumexp", "amax", "amin", "var", "std", "norm"])
@pytest.mark.parametrize("dim,keepdim", DIMS)
@pytest.mark.parametrize("noncontig", [False, True])
def test_reduction_gradcheck(name, dim, keepdim, noncontig):
    x = leaf(SHAPE, noncontig)
    if name == "norm":
        f = lambda t: cytorch.norm(t, 2, dim, keepdim)    # noqa: E731
    elif name == "logsumexp" and dim is None:
        f = lambda t: cytorch.logsumexp(t, (0, 1, 2), keepdim)   # noqa: E731
    else:
        f = lambda t: _call(name, t, dim, keepdim)     # noqa: E731
    assert gradcheck(f, (x,))


@pytest.mark.parametrize("name", ["sum", "mean"])
@pytest.mark.parametrize("dim,keepdim", DIMS)
def test_reduction_gradgradcheck(name, dim, keepdim):
    x = leaf(SHAPE, True)
    assert gradgradcheck(lambda t: _call(name, t, dim, keepdim) ** 2, (x,))


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("noncontig", [False, True])
def test_softmax_grad(name, dim, noncontig):
    x = leaf(SHAPE, noncontig)
    f = lambda t: getattr(cytorch, name)(t, dim)      # noqa: E731
    assert gradcheck(f, (x,))
    assert gradgradcheck(f, (x,))


def test_sum_dtype_and_method():
    x = leaf((2, 3))
    y = x.sum(1, dtype=cytorch.float32)
    assert y.dtype == cytorch.float32 and y.requires_grad
    y.sum().backward()
    assert x.grad.dtype == cytorch.float64
    assert_close(x.grad, np.ones((2, 3)), 0, 0)


@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("dim,keepdim", [(0, False), (1, True), (-1, False)])
def test_max_min_dim(name, dim, keepdim):
    x = leaf(SHAPE, True)
    assert gradcheck(lambda t: getattr(cytorch, name)(t, dim, keepdim).values, (x,))
    v, i = getattr(cytorch, name)(x, dim, keepdim)
    assert not i.requires_grad and v.requires_grad and v.grad_fn is not None


@pytest.mark.parametrize("name", ["max", "min", "amax", "amin"])
def test_ties_and_all(name, torch):
    data = [[1.0, 3.0, 3.0], [3.0, 0.5, 1.0]] if "max" in name else [[1.0, -3.0, 2.0], [-3.0, 0.5, -3.0]]
    for dim in (None, 1, 0):
        x = cytorch.tensor(data, dtype=cytorch.float64).requires_grad_()
        xt = torch.tensor(data, dtype=torch.float64, requires_grad=True)
        f, ft = getattr(cytorch, name), getattr(torch, name)
        if dim is None:
            y, yt = f(x), ft(xt)
        elif name in ("max", "min"):
            y, yt = f(x, dim).values, ft(xt, dim).values
        else:
            y, yt = f(x, dim), ft(xt, dim)
        w = np.arange(1, y.numel() + 1, dtype=np.float64).reshape(tuple(y.shape))
        (y * cytorch.tensor(w)).sum().backward()
        (yt * torch.tensor(w)).sum().backward()
        assert_close(x.grad, xt.grad.numpy(), 1e-12, 1e-12)


@pytest.mark.parametrize("data", [[[1.0, 2.0, 3.0], [0.5, -2.0, 4.0]], [[1.0, 0.0, 3.0], [0.0, 0.0, 4.0]],
                                  [[0.0, 2.0, 0.0], [1.5, -1.0, 0.0]]])
@pytest.mark.parametrize("dim", [None, 0, 1])
def test_prod_with_zeros(data, dim, torch):
    x = cytorch.tensor(data, dtype=cytorch.float64).requires_grad_()
    xt = torch.tensor(data, dtype=torch.float64, requires_grad=True)
    y, yt = (x.prod(), xt.prod()) if dim is None else (x.prod(dim), xt.prod(dim))
    (y * 1.5).sum().backward()
    (yt * 1.5).sum().backward()
    assert_close(x.grad, xt.grad.numpy(), 1e-12, 1e-12)
    assert gradcheck(lambda t: t.prod() if dim is None else t.prod(dim), (x.detach().requires_grad_(),))


@pytest.mark.parametrize("p", [1, 2, "fro", 3, float("inf")])
def test_norm_vs_torch(p, torch):
    a = RNG.uniform(-1, 1, (3, 4))
    for dim in (None, 1):
        x = cytorch.tensor(a).requires_grad_()
        xt = torch.tensor(a, requires_grad=True)
        cytorch.norm(x, p, dim).sum().backward()
        torch.norm(xt, p, dim).sum().backward()
        assert_close(x.grad, xt.grad.numpy(), 1e-10, 1e-12)


def test_norm_zero_input_zero_grad(torch):
    for p in (2, 1):
        x = cytorch.zeros(3, dtype=cytorch.float64).requires_grad_()
        cytorch.norm(x, p).backward()
        xt = torch.zeros(3, dtype=torch.float64, requires_grad=True)
        torch.norm(xt, p).backward()
        assert_close(x.grad, xt.grad.numpy(), 0, 0)


@pytest.mark.parametrize("corr", [0, 1, 2])
def test_var_std_correction(corr, torch):
    a = RNG.uniform(-1, 1, (4, 5))
    for name in ("var", "std"):
        for dim in (None, 0, (0, 1)):
            x = cytorch.tensor(a).requires_grad_()
            xt = torch.tensor(a, requires_grad=True)
            getattr(cytorch, name)(x, dim, correction=corr).sum().backward()
            getattr(torch, name)(xt, dim, correction=corr).sum().backward()
            assert_close(x.grad, xt.grad.numpy(), 1e-10, 1e-12)


def test_reductions_vs_torch(torch):
    a = RNG.uniform(-1, 1, SHAPE)
    w = RNG.uniform(-1, 1, (3, 2))
    for name in ("sum", "mean", "logsumexp", "amax", "amin", "var", "std", "norm"):
        x = cytorch.tensor(a).requires_grad_()
        xt = torch.tensor(a, requires_grad=True)
        (getattr(cytorch, name)(x, 1) * cytorch.tensor(w)).sum().backward()
        (getattr(torch, name)(xt, 1) * torch.tensor(w)).sum().backward()
        assert_close(x.grad, xt.grad.numpy(), 1e-10, 1e-12)
    for name in ("softmax", "log_softmax"):
        g = RNG.uniform(-1, 1, SHAPE)
        x = cytorch.tensor(a).requires_grad_()
        xt = torch.tensor(a, requires_grad=True)
        getattr(cytorch, name)(x, 1).backward(cytorch.tensor(g))
        getattr(torch, name)(xt, 1).backward(torch.tensor(g))
        assert_close(x.grad, xt.grad.numpy(), 1e-10, 1e-12)


def test_cumsum(torch):
    for dim in (0, 1, -1):
        x = leaf((3, 4), True)
        assert gradcheck(lambda t: t.cumsum(dim), (x,))
        assert gradgradcheck(lambda t: cytorch.cumsum(t, dim) ** 2, (x,))
        g = RNG.uniform(-1, 1, (3, 4))
        xt = torch.tensor(np_of(x.detach()), requires_grad=True)
        cytorch.cumsum(x, dim).backward(cytorch.tensor(g))
        torch.cumsum(xt, dim).backward(torch.tensor(g))
        assert_close(x.grad, xt.grad.numpy(), 1e-12, 1e-12)


def test_index_select_gather(torch):
    a = RNG.uniform(-1, 1, (4, 3))
    idx = [2, 0, 2, 3]
    gi = [[0, 1, 1], [3, 3, 0]]
    x = leaf((4, 3), True)
    assert gradcheck(lambda t: cytorch.index_select(t, 0, cytorch.tensor(idx)), (x,))
    assert gradgradcheck(lambda t: t.index_select(1, cytorch.tensor([1, 1])) ** 2, (x,))
    assert gradcheck(lambda t: cytorch.gather(t, 0, cytorch.tensor(gi)), (x,))
    assert gradgradcheck(lambda t: t.gather(1, cytorch.tensor([[0, 0], [2, 1], [1, 1], [0, 2]])) ** 2, (x,))
    x = cytorch.tensor(a).requires_grad_()
    xt = torch.tensor(a, requires_grad=True)
    (cytorch.index_select(x, 0, cytorch.tensor(idx)) * 2).sum().backward()
    (torch.index_select(xt, 0, torch.tensor(idx)) * 2).sum().backward()
    assert_close(x.grad, xt.grad.numpy(), 0, 0)
    x = cytorch.tensor(a).requires_grad_()
    xt = torch.tensor(a, requires_grad=True)
    (cytorch.gather(x, 0, cytorch.tensor(gi)) * 3).sum().backward()
    (torch.gather(xt, 0, torch.tensor(gi)) * 3).sum().backward()
    assert_close(x.grad, xt.grad.numpy(), 0, 0)


def test_masked_fill(torch):
    a = RNG.uniform(-1, 1, (3, 4))
    x = leaf((3, 4), True)
    m = cytorch.tensor(a > 0)
    assert gradcheck(lambda t: t.masked_fill(m, 2.0), (x,))
    v = cytorch.tensor(0.5, dtype=cytorch.float64).requires_grad_()
    assert gradcheck(lambda t, s: cytorch.masked_fill(t, m, s), (x, v))
    x = cytorch.tensor(a).requires_grad_()
    xt = torch.tensor(a, requires_grad=True)
    cytorch.masked_fill(x, cytorch.tensor(a > 0), 0.0).sum().backward()
    torch.masked_fill(xt, torch.tensor(a > 0), 0.0).sum().backward()
    assert_close(x.grad, xt.grad.numpy(), 0, 0)


def test_where_grad():
    x = leaf((3, 4))
    y = leaf((3, 4))
    c = cytorch.tensor(RNG.uniform(-1, 1, (3, 4)) > 0)
    assert gradcheck(lambda a, b: cytorch.where(c, a, b), (x, y))


def test_flip_roll_repeat(torch):
    x = leaf((3, 4), True)
    assert gradcheck(lambda t: t.flip(0) * cytorch.arange(4.0, dtype=cytorch.float64), (x,))
    assert gradcheck(lambda t: cytorch.flip(t, (0, 1)) * cytorch.arange(4.0, dtype=cytorch.float64), (x,))
    assert gradcheck(lambda t: cytorch.roll(t, 1, 1) * cytorch.arange(4.0, dtype=cytorch.float64), (x,))
    assert gradcheck(lambda t: cytorch.roll(t, (2, -1), (0, 1)) * cytorch.arange(4.0, dtype=cytorch.float64), (x,))
    assert gradcheck(lambda t: cytorch.roll(t, 5) * cytorch.arange(4.0, dtype=cytorch.float64), (x,))
    assert gradcheck(lambda t: t.repeat(2, 1, 3), (x,))
    assert gradgradcheck(lambda t: t.repeat((2, 2)) ** 2, (x,))
    a = RNG.uniform(-1, 1, (3, 4))
    w = RNG.uniform(-1, 1, (2, 6, 8))
    x = cytorch.tensor(a).requires_grad_()
    xt = torch.tensor(a, requires_grad=True)
    (x.repeat(2, 2, 2) * cytorch.tensor(w)).sum().backward()
    (xt.repeat(2, 2, 2) * torch.tensor(w)).sum().backward()
    assert_close(x.grad, xt.grad.numpy(), 1e-12, 1e-12)
    x = cytorch.tensor(a).requires_grad_()
    xt = torch.tensor(a, requires_grad=True)
    wr = RNG.uniform(-1, 1, (3, 4))
    (cytorch.roll(x, (1, 3), (0, 1)).flip(1) * cytorch.tensor(wr)).sum().backward()
    (torch.roll(xt, (1, 3), (0, 1)).flip(1) * torch.tensor(wr)).sum().backward()
    assert_close(x.grad, xt.grad.numpy(), 0, 0)


def test_no_grad_results_plain():
    x = cytorch.ones(3, 4)
    assert not x.sum().requires_grad and x.sum().grad_fn is None
    with cytorch.no_grad():
        y = leaf((3, 4)).sum(0)
    assert not y.requires_grad


def test_empty_reductions():
    x = cytorch.zeros(0, 3, dtype=cytorch.float64).requires_grad_()
    x.sum().backward()
    assert tuple(x.grad.shape) == (0, 3)
    x = cytorch.zeros(0, 3, dtype=cytorch.float64).requires_grad_()
    x.mean(1).sum().backward()
    assert tuple(x.grad.shape) == (0, 3)


def test_out_refused():
    x = leaf((3,))
    with pytest.raises(RuntimeError):
        cytorch.sum(x, 0, out=cytorch.empty(()))


def test_edge_cases_vs_torch(torch):
    cases = [
        ((3, 4), lambda m, x: m.index_select(x, 0, m.tensor(1)) * 2),
        ((4,), lambda m, x: m.index_select(x, 0, m.tensor([1, 1, 3])) * 2),
        ((3, 4), lambda m, x: x.masked_fill(m.tensor([[True], [False], [True]]), 1.0) * x),
        ((), lambda m, x: m.max(x, 0).values * 3),
        ((), lambda m, x: x.max() * 3),
        ((3, 4), lambda m, x: x.repeat(0, 2)),
        ((3, 4), lambda m, x: x.flip(0, 1) * m.arange(4.)),
        ((), lambda m, x: x.cumsum(0) * 2),
        ((3, 4), lambda m, x: x.norm(dim=(0, 1)) * 2),
        ((3, 4), lambda m, x: x.norm("fro", (0, 1)) * 2),
        ((3, 4), lambda m, x: x.var(True) * 2),
        ((3, 4), lambda m, x: x.sum((0, 1), keepdim=True) * x),
        ((2, 0), lambda m, x: x.mean(-1) * 2),
        ((0, 3), lambda m, x: x.prod(0) * 2),
        ((3, 4), lambda m, x: x.softmax(-1, dtype=m.float32).double() * m.arange(4.).double()),
        ((3, 4), lambda m, x: x.expand(2, 3, 4).sum(0) * x),
        ((3, 4), lambda m, x: x.min(1, keepdim=True)[0] * 2),
    ]
    for shape, f in cases:
        a = RNG.uniform(-1, 1, shape)
        x = cytorch.tensor(a).requires_grad_()
        xt = torch.tensor(a, requires_grad=True)
        f(cytorch, x).sum().backward()
        f(torch, xt).sum().backward()
        assert_close(x.grad, xt.grad.numpy(), 1e-6, 1e-6)


@pytest.mark.parametrize("f", [
    lambda t: t.prod(1), lambda t: t.prod(), lambda t: cytorch.norm(t, 2, 1), lambda t: cytorch.norm(t, 3),
    lambda t: t.logsumexp(0), lambda t: t.var(1), lambda t: t.std(0, keepdim=True), lambda t: t.amax(1) ** 2,
    lambda t: t.max(0).values ** 2, lambda t: t.masked_fill(t > 0, 0.5) ** 2, lambda t: t.flip(1).cumsum(1) ** 2,
    lambda t: cytorch.roll(t, 1, 0) ** 3, lambda t: t.gather(0, cytorch.tensor([[2, 0, 1, 1]])) ** 2,
], ids=["prod1", "prod", "norm2", "norm3", "lse", "var", "std", "amax", "max", "masked_fill", "flipcumsum",
        "roll", "gather"])
def test_more_gradgradcheck(f):
    x = leaf((3, 4), True, lo=0.3, hi=1.5)
    assert gradgradcheck(f, (x,))


def test_max_dim_out():
    x = leaf((3, 4))
    v, i = cytorch.empty(3, dtype=cytorch.float64), cytorch.empty(3, dtype=cytorch.int64)
    with pytest.raises(RuntimeError):
        cytorch.max(x, 1, out=(v, i))
    with cytorch.no_grad():
        r = cytorch.max(x, 1, out=(v, i))
    assert_close(r[0], np_of(x.detach()).max(1), 0, 0)
