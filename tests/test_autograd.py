"""Autograd: formulas (gradcheck/gradgradcheck in float64, comparisons with PyTorch), the engine
(accumulation, retain_graph, long chains, memory), grad modes, hooks and the Function API."""
import gc
import math
import weakref

import numpy as np
import pytest

import cytorch
from cytorch.autograd import gradcheck, gradgradcheck, Function
from conftest import assert_close, np_of

RNG = np.random.default_rng(1234)


def leaf(shape, lo=-1.0, hi=1.0, noncontig=False, dtype=cytorch.float64, seed=None):
    """A leaf tensor requiring grad; noncontig gives a transposed (strided) leaf."""
    rng = np.random.default_rng(seed) if seed is not None else RNG
    if noncontig and len(shape) >= 2:
        a = rng.uniform(lo, hi, size=tuple(reversed(shape)))
        t = cytorch.tensor(a, dtype=dtype).permute(*reversed(range(len(shape)))).detach()
    else:
        t = cytorch.tensor(rng.uniform(lo, hi, size=shape), dtype=dtype)
    return t.requires_grad_()


def ones_grad(y):
    return cytorch.ones(tuple(y.shape), dtype=y.dtype)


# ---------------------------------------------------------------- elementwise formulas

UNARY = {
    "neg": (lambda x: -x, (-1, 1)), "abs": (cytorch.abs, (0.2, 1)), "exp": (cytorch.exp, (-1, 1)),
    "log": (cytorch.log, (0.5, 2)), "sqrt": (cytorch.sqrt, (0.5, 2)), "sin": (cytorch.sin, (-2, 2)),
    "cos": (cytorch.cos, (-2, 2)), "tanh": (cytorch.tanh, (-2, 2)), "sigmoid": (cytorch.sigmoid, (-2, 2)),
    "relu": (cytorch.relu, (0.1, 1)), "tan": (cytorch.tan, (-1, 1)), "asin": (cytorch.asin, (-0.8, 0.8)),
    "atan": (cytorch.atan, (-2, 2)), "sinh": (cytorch.sinh, (-1, 1)), "log1p": (cytorch.log1p, (0, 2)),
    "expm1": (cytorch.expm1, (-1, 1)), "rsqrt": (cytorch.rsqrt, (0.5, 2)), "reciprocal": (cytorch.reciprocal, (0.5, 2)),
    "square": (cytorch.square, (-1, 1)), "erf": (cytorch.erf, (-1, 1)), "log2": (cytorch.log2, (0.5, 2)),
    "lgamma": (cytorch.lgamma, (0.5, 3)), "erfinv": (cytorch.erfinv, (-0.8, 0.8)), "cosh": (cytorch.cosh, (-1, 1)),
    "acos": (cytorch.acos, (-0.8, 0.8)), "asinh": (cytorch.asinh, (-2, 2)), "acosh": (cytorch.acosh, (1.5, 3)),
    "atanh": (cytorch.atanh, (-0.8, 0.8)), "exp2": (cytorch.exp2, (-1, 1)), "log10": (cytorch.log10, (0.5, 2)),
    "erfc": (cytorch.erfc, (-1, 1)), "sigmoid_": (lambda x: (x * 1).sigmoid_(), (-2, 2)),
    "relu_": (lambda x: (x * 1).relu_(), (0.1, 1)), "frac": (cytorch.frac, (0.1, 0.9)),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("shape,noncontig", [((5,), False), ((2, 3), True), ((), False)])
def test_unary_gradcheck(name, shape, noncontig):
    f, (lo, hi) = UNARY[name]
    x = leaf(shape, lo, hi, noncontig)
    assert gradcheck(f, (x,))


@pytest.mark.parametrize("name", ["exp", "log", "tanh", "sigmoid", "sin", "sqrt", "abs", "reciprocal"])
def test_unary_gradgradcheck(name):
    f, (lo, hi) = UNARY[name]
    assert gradgradcheck(f, (leaf((4,), lo, hi),))


BINARY = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b, "pow": lambda a, b: a ** b, "maximum": cytorch.maximum,
    "minimum": cytorch.minimum, "atan2": cytorch.atan2, "hypot": cytorch.hypot,
    "logaddexp": cytorch.logaddexp, "add_alpha": lambda a, b: cytorch.add(a, b, alpha=2.5),
    "sub_alpha": lambda a, b: cytorch.sub(a, b, alpha=-1.5), "fmax": cytorch.fmax, "fmin": cytorch.fmin,
    "xlogy": cytorch.xlogy, "iadd": lambda a, b: (a + 0 * b).add_(b, alpha=2),
    "imul": lambda a, b: (a + 0 * b).mul_(b), "idiv": lambda a, b: (a + 0 * b).div_(b),
    "ipow": lambda a, b: (a + 0 * b).pow_(b),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("sa,sb,noncontig", [((3,), (3,), False), ((2, 3), (3,), True),
                                             ((2, 1), (1, 3), False), ((), (2, 2), False)])
def test_binary_gradcheck(name, sa, sb, noncontig):
    a = leaf(sa, 0.5, 2.0, noncontig)
    b = leaf(sb, 0.5, 2.0, noncontig)
    assert gradcheck(BINARY[name], (a, b))


@pytest.mark.parametrize("name", ["mul", "div", "pow", "sub"])
def test_binary_gradgradcheck(name):
    assert gradgradcheck(BINARY[name], (leaf((2, 3), 0.5, 2.0), leaf((3,), 0.5, 2.0)))


@pytest.mark.parametrize("f", [lambda x: x * 3.0, lambda x: 2.0 - x, lambda x: 1.5 / x, lambda x: x ** 2.5,
                               lambda x: 2.0 ** x, lambda x: x + 1, lambda x: x ** 0])
def test_scalar_operand_gradcheck(f):
    assert gradcheck(f, (leaf((2, 3), 0.5, 2.0),))


def test_clamp_where_gradcheck():
    x = leaf((3, 4), -2, 2)
    assert gradcheck(lambda x: cytorch.clamp(x, -0.5, 0.7), (x,))
    assert gradcheck(lambda x: x.clamp(min=0.1), (x,))
    lo, hi = leaf((4,), -1, -0.2), leaf((3, 1), 0.2, 1)
    assert gradcheck(lambda x, lo, hi: cytorch.clamp(x, lo, hi), (x, lo, hi))
    cond = cytorch.tensor(RNG.uniform(size=(3, 4)) > 0.5)
    y = leaf((4,))
    assert gradcheck(lambda x, y: cytorch.where(cond, x, y), (x, y))
    assert gradcheck(lambda x: cytorch.where(cond, x, 0.0), (x,))
    assert gradgradcheck(lambda x, y: cytorch.where(cond, x * x, y), (x, y))


def test_maximum_tie_splits_gradient():
    a = cytorch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = cytorch.tensor([1.0, 5.0, 0.0], requires_grad=True)
    cytorch.maximum(a, b).backward(cytorch.ones(3))
    assert_close(a.grad, np.array([0.5, 0.0, 1.0], dtype=np.float32))
    assert_close(b.grad, np.array([0.5, 1.0, 0.0], dtype=np.float32))


def test_broadcast_grad_values_numpy():
    a = leaf((4, 1, 3), dtype=cytorch.float32)
    b = leaf((2, 1), dtype=cytorch.float32)
    g = cytorch.tensor(RNG.standard_normal((4, 2, 3)), dtype=cytorch.float32)
    (a * b).backward(g)
    gn, an, bn = np_of(g), np_of(a.detach()), np_of(b.detach())
    assert_close(a.grad, (gn * bn).sum(axis=1, keepdims=True), rtol=1e-5, atol=1e-5)
    assert_close(b.grad, (gn * an).sum(axis=(0, 2))[:, None], rtol=1e-5, atol=1e-5)


def test_mixed_dtype_grads_keep_input_dtype():
    a = leaf((3,), dtype=cytorch.float32)
    b = leaf((3,), dtype=cytorch.float64)
    (a * b).backward(cytorch.ones(3, dtype=cytorch.float64))
    assert a.grad.dtype == cytorch.float32 and b.grad.dtype == cytorch.float64
    assert_close(a.grad, np_of(b.detach()).astype(np.float32))


def test_empty_tensor_grads():
    a = leaf((0, 3))
    b = leaf((3,))
    (a * b).backward(cytorch.ones(0, 3, dtype=cytorch.float64))
    assert tuple(a.grad.shape) == (0, 3)
    assert_close(b.grad, np.zeros(3))


# ---------------------------------------------------------------- views, copies, indexing, products, joining

VIEWS = {
    "view": lambda x: x.view(3, 4), "reshape_copy": lambda x: x.t().reshape(-1),
    "permute": lambda x: x.reshape(2, 3, 2).permute(2, 0, 1), "transpose": lambda x: x.transpose(0, 1) * 1.0,
    "t": lambda x: x.t(), "expand": lambda x: x[:1].expand(5, 4), "squeeze": lambda x: x.reshape(1, 12, 1).squeeze(),
    "unsqueeze": lambda x: x.unsqueeze(1), "flatten": lambda x: x.flatten(), "narrow": lambda x: x.narrow(1, 1, 2),
    "select": lambda x: x.select(1, 2), "contiguous": lambda x: x.t().contiguous(), "clone": lambda x: x.clone(),
    "chain": lambda x: x.t().unsqueeze(0).expand(2, 4, 3).transpose(1, 2).narrow(2, 1, 3).select(0, 1),
}


@pytest.mark.parametrize("name", sorted(VIEWS))
@pytest.mark.parametrize("noncontig", [False, True])
def test_view_gradcheck(name, noncontig):
    x = leaf((3, 4), noncontig=noncontig)
    assert gradcheck(VIEWS[name], (x,))


def test_view_gradgradcheck():
    assert gradgradcheck(lambda x: (x.t() * x.t()).narrow(0, 1, 2).expand(3, 2, 3), (leaf((3, 4)),))


GETITEM = {
    "int": lambda x: x[1], "slice": lambda x: x[:, 1:3], "step": lambda x: x[::2, ::-1] if False else x[::2],
    "none_ellipsis": lambda x: x[None, ..., 1], "list": lambda x: x[[0, 2]],
    "repeat": lambda x: x[[0, 0, 2, 0]], "tensor_idx": lambda x: x[cytorch.tensor([[1, 1], [2, 0]])],
    "mask": lambda x: x[x.detach() > 0], "mixed": lambda x: x[1:, [3, 3, 0]],
}


@pytest.mark.parametrize("name", sorted(GETITEM))
def test_getitem_gradcheck(name):
    x = leaf((3, 4), noncontig=True)
    assert gradcheck(GETITEM[name], (x,))


def test_getitem_repeated_indices_accumulate_and_gradgrad():
    x = leaf((5,), dtype=cytorch.float32)
    idx = [1, 1, 4, 1]
    g = cytorch.tensor([1.0, 2.0, 3.0, 4.0])
    x[idx].backward(g)
    expected = np.zeros(5, dtype=np.float32)
    np.add.at(expected, idx, np_of(g))
    assert_close(x.grad, expected)
    assert gradgradcheck(lambda x: x[[1, 1, 2]] ** 2, (leaf((4,)),))


MATMUL = {
    "mm": (lambda a, b: cytorch.mm(a, b), (2, 3), (3, 4)), "mat@vec": (cytorch.matmul, (2, 3), (3,)),
    "vec@mat": (cytorch.matmul, (3,), (3, 2)), "dot": (cytorch.matmul, (3,), (3,)),
    "batched_bcast": (cytorch.matmul, (2, 1, 2, 3), (3, 3, 2)), "bvec": (cytorch.matmul, (2, 2, 3), (3,)),
    "bmm": (cytorch.bmm, (2, 2, 3), (2, 3, 2)), "op@": (lambda a, b: a @ b, (3, 2), (2, 2)),
    "method": (lambda a, b: a.matmul(b), (4,), (2, 4, 1)),
}


@pytest.mark.parametrize("name", sorted(MATMUL))
def test_matmul_gradcheck(name):
    f, sa, sb = MATMUL[name]
    a, b = leaf(sa, noncontig=True), leaf(sb, noncontig=True)
    assert gradcheck(f, (a, b))


def test_addmm_and_matmul_gradgradcheck():
    inp, m1, m2 = leaf((3,)), leaf((2, 4)), leaf((4, 3))
    assert gradcheck(lambda i, a, b: cytorch.addmm(i, a, b, beta=0.5, alpha=2.0), (inp, m1, m2))
    assert gradgradcheck(lambda a, b: cytorch.matmul(a, b), (leaf((2, 3)), leaf((3, 2))))


def test_cat_stack_to_gradcheck():
    a, b, c = leaf((2, 3)), leaf((1, 3), noncontig=True), leaf((2, 3))
    assert gradcheck(lambda a, b: cytorch.cat([a, b], 0), (a, b))
    assert gradcheck(lambda a, c: cytorch.cat((a, c), dim=-1), (a, c))
    assert gradcheck(lambda a, c: cytorch.stack([a, c], 1), (a, c))
    assert gradcheck(lambda a, c: cytorch.stack([a, c * 2]), (a, c))
    x = leaf((3,))
    assert gradcheck(lambda x: x.to(cytorch.float32).to(cytorch.float64) * 1.0, (x,), atol=1e-4, rtol=1e-3,
                     eps=1e-3)
    y = x.float()
    assert y.grad_fn.name() == "ToCopyBackward0"
    y.backward(cytorch.ones(3))
    assert x.grad.dtype == cytorch.float64
    assert_close(x.grad, np.ones(3))


def test_setitem_and_copy_are_differentiable():
    x = leaf((3,), dtype=cytorch.float32)
    buf = cytorch.zeros(5)
    buf[1:4] = x * 2
    assert buf.grad_fn is not None
    (buf * buf).backward(cytorch.ones(5))
    assert_close(x.grad, np_of(8 * x.detach()), rtol=1e-6)
    w = leaf((3,), dtype=cytorch.float32)
    y = w * 1.0
    y[0] = 5.0        # overwritten entries get no gradient
    y.backward(cytorch.ones(3))
    assert_close(w.grad, np.array([0.0, 1.0, 1.0], dtype=np.float32))
    v = leaf((3,), dtype=cytorch.float32)
    z = cytorch.zeros(2, 3)
    z.copy_(v)
    z.backward(cytorch.ones(2, 3))
    assert_close(v.grad, np.full(3, 2.0, dtype=np.float32))


# ---------------------------------------------------------------- comparisons with PyTorch

def _torch_compare(torch, f_ct, f_t, shapes, lo=0.5, hi=2.0, dtype="float64", seed=0):
    rng = np.random.default_rng(seed)
    arrs = [rng.uniform(lo, hi, size=s) for s in shapes]
    xs = [cytorch.tensor(a, dtype=getattr(cytorch, dtype)).requires_grad_() for a in arrs]
    ts = [torch.tensor(a, dtype=getattr(torch, dtype)).requires_grad_() for a in arrs]
    y, yt = f_ct(*xs), f_t(*ts)
    g = rng.standard_normal(tuple(yt.shape))
    y.backward(cytorch.tensor(g, dtype=y.dtype))
    yt.backward(torch.tensor(g, dtype=yt.dtype))
    for x, t in zip(xs, ts):
        assert_close(x.grad, t.grad.numpy(), rtol=1e-6, atol=1e-8)
    assert y.grad_fn.name() == yt.grad_fn.name()


@pytest.mark.parametrize("case", [
    ("mul_bcast", lambda m: (lambda a, b: (a * b).exp()), [(2, 3), (3,)]),
    ("div_pow", lambda m: (lambda a, b: (a / b) ** 1.5), [(3, 1), (1, 4)]),
    ("tanh_sig", lambda m: (lambda a: m.sigmoid(m.tanh(a) * 3)), [(4,)]),
    ("matmul_relu", lambda m: (lambda a, b: m.relu(a @ b - 4)), [(2, 3, 4), (4, 5)]),
    ("index_cat", lambda m: (lambda a, b: m.cat([a[[0, 0, 1]], b.t()], 0)), [(3, 2), (2, 4)]),
    ("clamp_where", lambda m: (lambda a: m.where(a > 1, a.clamp(1.2, 1.8), a * a)), [(5,)]),
    ("views", lambda m: (lambda a: a.reshape(3, 4).t().unsqueeze(0).expand(2, 4, 3).select(2, 1)), [(12,)]),
    ("stack_sub", lambda m: (lambda a, b: m.stack([a, b]) - a.sqrt()), [(3,), (3,)]),
])
def test_matches_torch(torch, case):
    _, mk, shapes = case
    _torch_compare(torch, mk(cytorch), mk(torch), shapes)


def test_complex_grads_match_torch(torch):
    rng = np.random.default_rng(3)
    a = rng.standard_normal(3) + 1j * rng.standard_normal(3)
    b = rng.standard_normal(3) + 1j * rng.standard_normal(3)
    g = rng.standard_normal(3) + 1j * rng.standard_normal(3)
    xs = [cytorch.tensor(v).requires_grad_() for v in (a, b)]
    ts = [torch.tensor(v).requires_grad_() for v in (a, b)]
    (xs[0] * xs[1] / (xs[0] + 2)).exp().backward(cytorch.tensor(g))
    (ts[0] * ts[1] / (ts[0] + 2)).exp().backward(torch.tensor(g))
    for x, t in zip(xs, ts):
        np.testing.assert_allclose(np_of(x.grad), t.grad.numpy(), rtol=1e-10)


# ---------------------------------------------------------------- engine

def test_long_chain_no_recursion():
    x = cytorch.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    assert x.grad.item() == 1.0
    del y   # freeing a 100k-node chain must not overflow the C stack


def test_accumulation_into_leaf():
    x = cytorch.tensor([2.0, 3.0], requires_grad=True)
    y = x * x + x * 3      # x used three times
    y.backward(cytorch.ones(2))
    g1 = x.grad
    assert_close(g1, np.array([7.0, 9.0], dtype=np.float32))
    (x * 2).backward(cytorch.ones(2))
    assert x.grad is g1    # accumulated in place after the first time
    assert_close(x.grad, np.array([9.0, 11.0], dtype=np.float32))
    seed = cytorch.ones(2)
    z = cytorch.tensor([1.0, 1.0], requires_grad=True)
    (z + 0).backward(seed)
    z.grad.add_(1)
    assert_close(seed, np.ones(2, dtype=np.float32))   # .grad is a new tensor, not the seed


def test_retain_graph_and_second_backward_error():
    x = cytorch.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).exp()
    y.backward(cytorch.ones(2), retain_graph=True)
    y.backward(cytorch.ones(2))
    assert_close(x.grad, 2 * np_of(2 * x.detach() * (x.detach() ** 2).exp()), rtol=1e-5)
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward(cytorch.ones(2))


def test_version_counter_error():
    x = cytorch.tensor([1.0, 2.0], requires_grad=True)
    a = x * 1.0
    y = a * a
    a.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation.*version 1; expected version 0"):
        y.backward(cytorch.ones(2))
    b = x * 3.0
    z = b.exp()        # saves its output, not b: changing b afterwards is fine
    b.mul_(2)
    z.backward(cytorch.ones(2))
    assert_close(x.grad, np_of(3 * (3 * x.detach()).exp()), rtol=1e-5)


def test_inplace_on_nonleaf_rebases_grad_fn():
    x = cytorch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    y.mul_(3)
    assert y.grad_fn.name() == "MulBackward0" and not y.is_leaf
    y.exp_()
    y.backward(cytorch.ones(3))
    assert_close(x.grad, np_of(6 * (6 * x.detach()).exp()), rtol=1e-5)
    w = cytorch.tensor([1.0, 2.0], requires_grad=True)
    u = cytorch.ones(2)
    u += w * w        # in-place on a tensor that did not require grad
    assert u.requires_grad
    u.backward(cytorch.ones(2))
    assert_close(w.grad, np.array([2.0, 4.0], dtype=np.float32))


def test_inplace_and_out_errors():
    x = cytorch.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad is being used in an in-place"):
        x.add_(1)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        x.exp_()
    with pytest.raises(RuntimeError, match="out=... arguments don't support automatic differentiation"):
        cytorch.add(x, x, out=cytorch.empty(1))
    with pytest.raises(RuntimeError, match="out=..."):
        cytorch.exp(x, out=cytorch.empty(1))
    with cytorch.no_grad():
        x.add_(1)      # allowed without grad mode
    assert x.item() == 2.0 and x.is_leaf


def test_autograd_grad_allow_unused_and_materialize():
    x = cytorch.tensor([1.0, 2.0], requires_grad=True)
    w = cytorch.tensor([3.0], requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
        cytorch.autograd.grad(y, [x, w], cytorch.ones(2), retain_graph=True)
    gx, gw = cytorch.autograd.grad(y, [x, w], cytorch.ones(2), retain_graph=True, allow_unused=True)
    assert gw is None and x.grad is None
    assert_close(gx, np.full(2, 2.0, dtype=np.float32))
    gx, gw = cytorch.autograd.grad(y, [x, w], cytorch.ones(2), materialize_grads=True)
    assert_close(gw, np.zeros(1, dtype=np.float32))


def test_grad_of_nonleaf_and_backward_inputs():
    x = cytorch.tensor([1.0, 2.0], requires_grad=True)
    w = cytorch.tensor([3.0, 4.0], requires_grad=True)
    h = x * w
    y = h.exp()
    gh, = cytorch.autograd.grad(y, h, cytorch.ones(2), retain_graph=True)
    assert_close(gh, np_of(h.detach().exp()))
    y.backward(cytorch.ones(2), inputs=[w])
    assert x.grad is None and w.grad is not None


def test_higher_order_x_cubed():
    x = cytorch.tensor([1.5, -2.0], requires_grad=True, dtype=cytorch.float64)
    y = x ** 3
    g1, = cytorch.autograd.grad(y, x, cytorch.ones(2, dtype=cytorch.float64), create_graph=True)
    assert_close(g1, 3 * np_of(x.detach()) ** 2)
    g2, = cytorch.autograd.grad(g1, x, cytorch.ones(2, dtype=cytorch.float64), create_graph=True)
    assert_close(g2, 6 * np_of(x.detach()))
    g3, = cytorch.autograd.grad(g2, x, cytorch.ones(2, dtype=cytorch.float64))
    assert_close(g3, np.full(2, 6.0))


def test_backward_errors():
    with pytest.raises(RuntimeError, match="does not require grad and does not have a grad_fn"):
        cytorch.ones(1).backward()
    x = cytorch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        (x * 2).backward()
    with pytest.raises(RuntimeError, match="only Tensors of floating point"):
        cytorch.ones(2, dtype=cytorch.int64).requires_grad_()
    with pytest.raises(RuntimeError, match="only Tensors of floating point"):
        cytorch.tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match="you can only change requires_grad flags of leaf variables"):
        (x * 2).requires_grad = False
    with pytest.raises(RuntimeError, match="size"):
        x.grad = cytorch.ones(2)


def test_tensor_state_properties():
    x = cytorch.ones(2, requires_grad=True)
    assert not x.long().requires_grad and x.double().requires_grad
    y = x * 2
    assert x.is_leaf and not y.is_leaf and y.requires_grad
    assert y.grad_fn.next_functions[0][0].variable is x
    assert y.grad_fn.next_functions[1] == (None, 0)
    d = y.detach()
    assert d.is_leaf and not d.requires_grad and d.data_ptr() == y.data_ptr()
    assert (x > 0).requires_grad is False
    y.detach_()
    assert y.is_leaf and not y.requires_grad
    assert cytorch.zeros(2, requires_grad=True).requires_grad


def test_printing():
    x = cytorch.tensor([1.0], requires_grad=True)
    assert repr(x) == "tensor([1.], requires_grad=True)"
    assert repr(x * 2) == "tensor([2.], grad_fn=<MulBackward0>)"
    assert repr(x + 1) == "tensor([2.], grad_fn=<AddBackward0>)"


# ---------------------------------------------------------------- grad modes

def test_no_grad_enable_grad_context_and_decorator():
    x = cytorch.ones(2, requires_grad=True)
    with cytorch.no_grad():
        assert not cytorch.is_grad_enabled()
        assert not (x * 2).requires_grad
        with cytorch.enable_grad():
            assert (x * 2).requires_grad
        assert not (x * 2).requires_grad
    assert cytorch.is_grad_enabled()

    @cytorch.no_grad()
    def f(t):
        return t * 2

    @cytorch.enable_grad()
    def g(t):
        return t * 2

    assert not f(x).requires_grad
    with cytorch.no_grad():
        assert g(x).requires_grad
    with cytorch.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    cytorch.set_grad_enabled(False)
    assert not cytorch.is_grad_enabled()
    cytorch.set_grad_enabled(True)
    assert cytorch.is_grad_enabled()


def test_inference_mode_and_exceptions_restore_mode():
    x = cytorch.ones(2, requires_grad=True)
    with cytorch.inference_mode():
        assert cytorch.is_inference_mode_enabled() and not (x * 2).requires_grad
    assert not cytorch.is_inference_mode_enabled()

    @cytorch.inference_mode()
    def f(t):
        return t + 1

    assert not f(x).requires_grad
    with cytorch.inference_mode(False):
        assert (x * 2).requires_grad
    with pytest.raises(ValueError):
        with cytorch.no_grad():
            raise ValueError
    assert cytorch.is_grad_enabled()


def test_grad_mode_is_thread_local():
    import threading
    seen = []
    with cytorch.no_grad():
        t = threading.Thread(target=lambda: seen.append(cytorch.is_grad_enabled()))
        t.start()
        t.join()
    assert seen == [True]


# ---------------------------------------------------------------- hooks

def test_hooks_on_leaf_and_nonleaf_and_retain_grad():
    x = cytorch.tensor([1.0, 2.0], requires_grad=True)
    calls = []
    h = x.register_hook(lambda g: calls.append("leaf") or g * 10)
    y = x * 3
    y.register_hook(lambda g: calls.append("y") or g + 1)
    y.retain_grad()
    z = y * y
    z.backward(cytorch.ones(2))
    assert calls == ["y", "leaf"]
    assert_close(y.grad, 2 * np_of(y.detach()) + 1)       # retain_grad runs after y's other hooks (as in torch)
    assert_close(x.grad, 10 * 3 * (2 * np_of(y.detach()) + 1))
    h.remove()
    x.grad = None
    (x * 1).backward(cytorch.ones(2))
    assert_close(x.grad, np.ones(2, dtype=np.float32))
    with pytest.raises(RuntimeError, match="cannot register a hook on a tensor that doesn't require gradient"):
        cytorch.ones(1).register_hook(lambda g: g)


# ---------------------------------------------------------------- Function API

class MyExp(Function):
    @staticmethod
    def forward(ctx, x, scale=1.0):
        y = (x * scale).exp()
        ctx.save_for_backward(y)
        ctx.scale = scale
        return y

    @staticmethod
    def backward(ctx, gy):
        y, = ctx.saved_tensors
        assert ctx.needs_input_grad == (True, False)
        return gy * y * ctx.scale, None


class AddOneInPlace(Function):
    @staticmethod
    def forward(ctx, x):
        x.add_(1)
        ctx.mark_dirty(x)
        return x

    @staticmethod
    def backward(ctx, g):
        return g


class SortLike(Function):
    @staticmethod
    def forward(ctx, x):
        idx = cytorch.tensor([1, 0])
        ctx.mark_non_differentiable(idx)
        ctx.set_materialize_grads(True)
        return x.flip(0), idx, "tag"

    @staticmethod
    def backward(ctx, g, gidx, gtag):
        return g.flip(0)


def test_function_api():
    x = leaf((3,))
    assert gradcheck(lambda x: MyExp.apply(x, 0.5), (x,))
    y = MyExp.apply(x, 2.0)
    assert y.grad_fn.name() == "MyExpBackward" and isinstance(y.grad_fn, MyExp._backward_cls)
    assert gradgradcheck(lambda x: MyExp.apply(x, 0.5), (x,))
    with cytorch.no_grad():
        assert not MyExp.apply(x).requires_grad

    a = leaf((2,), dtype=cytorch.float32)
    b = a * 2
    v = b._version
    c = AddOneInPlace.apply(b)
    assert c is b and b._version > v and b.grad_fn.name() == "AddOneInPlaceBackward"
    (c * c).backward(cytorch.ones(2))
    assert_close(a.grad, 2 * 2 * np_of(c.detach()))
    with pytest.raises(RuntimeError, match="leaf Variable"):
        AddOneInPlace.apply(leaf((2,)))

    s = leaf((2,))
    out, idx, tag = SortLike.apply(s)
    assert tag == "tag" and not idx.requires_grad and out.requires_grad
    out.backward(cytorch.tensor([1.0, 2.0], dtype=cytorch.float64))
    assert_close(s.grad, np.array([2.0, 1.0]))


def test_function_wrong_grad_count():
    class Bad(Function):
        @staticmethod
        def forward(ctx, x, y):
            return x + y

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(RuntimeError, match="returned an incorrect number of gradients"):
        Bad.apply(leaf((2,)), leaf((2,))).backward(cytorch.ones(2, dtype=cytorch.float64))


def test_gradcheck_detects_wrong_formula():
    class Wrong(Function):
        @staticmethod
        def forward(ctx, x):
            return x * x

        @staticmethod
        def backward(ctx, g):
            return g * 3.0

    assert not gradcheck(Wrong.apply, (leaf((3,)),), raise_exception=False)
    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        gradcheck(Wrong.apply, (leaf((3,)),))


# ---------------------------------------------------------------- memory

def test_no_reference_cycles_in_graphs():
    w = cytorch.tensor([0.5, -0.25], requires_grad=True)
    b = cytorch.tensor([0.1, 0.2], requires_grad=True)
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    try:
        before = len(gc.get_objects())
        for i in range(10_000):
            x = cytorch.ones(2)   # (cytorch.tensor(list) itself makes a closure cycle in creation.py)
            y = (x * w + b).tanh().exp() ** 2
            y = cytorch.cat([y[1:], y.t()]) @ cytorch.ones(3, 2)
            y.backward(cytorch.ones(2))
            node_ref = weakref.ref(y.grad_fn)
            del y
            assert node_ref() is None        # freed by reference counting alone
        after = len(gc.get_objects())
        assert after - before < 200
        assert gc.collect() == 0
    finally:
        if was:
            gc.enable()
    assert w.grad is not None and math.isfinite(w.grad[0].item())


def test_data_views_and_creation_flags():
    x = cytorch.tensor([1.0, 2.0], requires_grad=True)
    d = x.data
    assert not d.requires_grad and d.data_ptr() == x.data_ptr()
    x.data = cytorch.zeros(3)
    assert x.requires_grad and tuple(x.shape) == (3,)
    for make in (lambda: cytorch.zeros(2, requires_grad=True), lambda: cytorch.ones(2, 2, requires_grad=True),
                 lambda: cytorch.tensor(1.5, requires_grad=True), lambda: cytorch.empty(3, requires_grad=True)):
        t = make()
        assert t.requires_grad and t.is_leaf
    s = cytorch.tensor(3.0, requires_grad=True)
    (s * s).backward()                      # 0-d output: implicit gradient 1
    assert s.grad.item() == 6.0 and s.grad.dim() == 0


VIEW_WRITES = {
    "row_mul": lambda m, x: _chain(x * 2, lambda y: y[0].mul_(3)),
    "transpose_add": lambda m, x: _chain(x * 2, lambda y: y.t().add_(x.t())),
    "narrow_copy_into_buffer": lambda m, x: _chain(m.zeros(4, 3, dtype=x.dtype),
                                                   lambda b: b.narrow(0, 1, 2).copy_(x.exp())),
    "setitem_in_view": lambda m, x: _chain(m.zeros(2, 2, 3, dtype=x.dtype), lambda b: b[1].__setitem__(0, x[1])),
    "view_of_view": lambda m, x: _chain(x + 1, lambda y: y.view(-1)[2:5].mul_(x.reshape(-1)[:3])),
    "column_fill": lambda m, x: _chain(x * x, lambda y: y[:, 1].fill_(0.5)),
    "diagonal_unary": lambda m, x: _chain(x[:, :2] * 1, lambda y: y.diagonal().exp_()),
}


def _chain(base, write):
    write(base)
    return base


@pytest.mark.parametrize("name", sorted(VIEW_WRITES))
def test_inplace_on_views_updates_the_base(name, torch):
    fn = VIEW_WRITES[name]
    v = np.random.default_rng(0).random((2, 3))
    x = cytorch.tensor(v, requires_grad=True)
    tx = torch.tensor(v, requires_grad=True)
    y, ty = fn(cytorch, x), fn(torch, tx)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-12)
    w = np.random.default_rng(1).random(tuple(ty.shape))
    (y * cytorch.tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("name", sorted(VIEW_WRITES))
def test_inplace_on_views_gradcheck(name):
    fn = VIEW_WRITES[name]
    x = cytorch.rand(2, 3, dtype=cytorch.float64, requires_grad=True)
    assert cytorch.autograd.gradcheck(lambda a: fn(cytorch, a), [x])
    assert cytorch.autograd.gradgradcheck(lambda a: fn(cytorch, a), [x])


def test_inplace_on_view_of_leaf_raises_and_plain_views_stay_plain():
    x = cytorch.ones(2, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match="view of a leaf Variable"):
        x[0].mul_(2)
    z = cytorch.ones(2, 3) * 2      # no grad involved: in-place on views is plain
    z[0].mul_(2)
    assert z[0, 0].item() == 4.0 and z.grad_fn is None
    assert x[0]._base is x and x[0][1:]._base is x and x.detach()._base is None


def test_node_hooks_and_next_functions_chain():
    x = cytorch.tensor([1.0, 2.0], requires_grad=True)
    y = (x * 2).exp()
    seen = []
    y.grad_fn.register_hook(lambda gin, gout: seen.append((len(gin), len(gout))))
    assert y.grad_fn.name() == "ExpBackward0"
    assert y.grad_fn.next_functions[0][0].name() == "MulBackward0"
    y.backward(cytorch.ones(2))
    assert seen == [(1, 1)]


def test_grad_mode_inside_backward_follows_create_graph():
    x = cytorch.tensor([1.0], requires_grad=True)
    modes = []

    class Probe(Function):
        @staticmethod
        def forward(ctx, t):
            return t * 1

        @staticmethod
        def backward(ctx, g):
            modes.append(cytorch.is_grad_enabled())
            return g

    Probe.apply(x).backward()
    Probe.apply(x).backward(create_graph=True)
    assert modes == [False, True]


def test_deepcopy_and_pickle_keep_requires_grad():
    import copy
    import pickle
    x = cytorch.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).backward(cytorch.ones(2))
    c = copy.deepcopy(x)
    assert c.is_leaf and c.requires_grad and c.data_ptr() != x.data_ptr()
    assert_close(c.grad, np.full(2, 3.0, dtype=np.float32))
    with pytest.raises(RuntimeError, match="graph leaves"):
        copy.deepcopy(x * 2)
    p = pickle.loads(pickle.dumps(x))
    assert p.requires_grad and p.is_leaf
    assert_close(p.detach(), np_of(x.detach()))


def test_setup_context_style_and_once_differentiable():
    from cytorch.autograd import once_differentiable

    class Cube(Function):
        @staticmethod
        def forward(x, k):
            return x ** 3 * k

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, k = inputs
            ctx.save_for_backward(x)
            ctx.k = k

        @staticmethod
        @once_differentiable
        def backward(ctx, g):
            x, = ctx.saved_tensors
            assert not cytorch.is_grad_enabled()
            return g * 3 * x * x * ctx.k, None

    x = leaf((3,))
    assert gradcheck(lambda x: Cube.apply(x, 2.0), (x,))


def test_half_and_complex_broadcast_grads(torch):
    a = cytorch.tensor([[1.0], [2.0]], dtype=cytorch.float16, requires_grad=True)
    b = cytorch.tensor([0.5, 0.25, 2.0], dtype=cytorch.float16, requires_grad=True)
    (a * b).backward(cytorch.ones(2, 3, dtype=cytorch.float16))
    assert a.grad.dtype == cytorch.float16 and tuple(a.grad.shape) == (2, 1)
    assert_close(a.grad, np.full((2, 1), 2.75, dtype=np.float16))
    assert_close(b.grad, np.full(3, 3.0, dtype=np.float16))
    rng = np.random.default_rng(5)
    av = rng.standard_normal((2, 1)) + 1j * rng.standard_normal((2, 1))
    bv = rng.standard_normal(3) + 1j * rng.standard_normal(3)
    g = rng.standard_normal((2, 3)) + 1j * rng.standard_normal((2, 3))
    xs = [cytorch.tensor(v).requires_grad_() for v in (av, bv)]
    ts = [torch.tensor(v).requires_grad_() for v in (av, bv)]
    (xs[0] * xs[1]).sin().backward(cytorch.tensor(g))
    (ts[0] * ts[1]).sin().backward(torch.tensor(g))
    for x, t in zip(xs, ts):
        np.testing.assert_allclose(np_of(x.grad), t.grad.numpy(), rtol=1e-10)


def test_detect_anomaly_names_the_backward_op_and_shows_the_forward_call():
    x = cytorch.zeros(3, requires_grad=True)
    with cytorch.autograd.detect_anomaly():
        assert cytorch.autograd.is_anomaly_enabled()
        y = x.sqrt() * 0                    # 0 * d sqrt(0) = 0 * inf: nan
        with pytest.warns(UserWarning, match=r"Error detected in SqrtBackward0(.|\n)*test_autograd.py"):
            with pytest.raises(RuntimeError, match="Function 'SqrtBackward0' returned nan values in its 0th output"):
                y.sum().backward()
    assert not cytorch.autograd.is_anomaly_enabled()
    x.sqrt().mul(0).sum().backward()        # off again: nan passes silently, as in PyTorch
    assert bool(x.grad.isnan().all())


def test_detect_anomaly_as_decorator_and_set_detect_anomaly():
    @cytorch.autograd.detect_anomaly(check_nan=False)
    def f():
        return cytorch.autograd.is_anomaly_enabled(), cytorch.autograd.is_anomaly_check_nan_enabled()
    assert f() == (True, False)
    with cytorch.autograd.set_detect_anomaly(True):
        assert cytorch.autograd.is_anomaly_enabled()
    assert not cytorch.autograd.is_anomaly_enabled()


def test_detect_anomaly_warns_forward_trace_on_error_inside_backward():
    x = cytorch.tensor([1.0, 2.0], requires_grad=True)
    with cytorch.autograd.detect_anomaly():
        y = cytorch.floor_divide(x, 2)
        with pytest.warns(UserWarning, match="Error detected in FloorDivideBackward0"):
            with pytest.raises(RuntimeError, match="not implemented"):
                y.sum().backward()


def test_post_accumulate_grad_hook(torch):
    for m in (cytorch, torch):
        p = m.ones(2, requires_grad=True)
        seen = []
        h = p.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.clone()))
        (p * 3).sum().backward()
        (p * 2).sum().backward()
        assert [s.tolist() for s in seen] == [[3.0, 3.0], [5.0, 5.0]]
        h.remove()
        (p * 2).sum().backward()
        assert len(seen) == 2
        with pytest.raises(RuntimeError, match="non-leaf"):
            (p * 2).register_post_accumulate_grad_hook(lambda t: None)
        with pytest.raises(RuntimeError, match="doesn't require gradient"):
            m.ones(2).register_post_accumulate_grad_hook(lambda t: None)
