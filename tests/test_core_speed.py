"""Behaviour pinned by the core speed work: tensor(data)'s C fast path gives exactly the general
path's results, .grad never aliases a tensor the user can see when the engine hands a gradient
over without a copy, and the fused relu backward keeps PyTorch's values and double backward."""
import math
import weakref

import numpy as np
import pytest

import cytorch
from cytorch._ops import creation
from conftest import np_of

# ---------------------------------------------------------------- tensor(data)

_BIG = 2 ** 53 + 1
_DATA = [
    [1.0, 2.0, 3.0], [1, 2, 3], [True, False], [1, 2.5], [True, 2], [False, 1.5], [1, 2j], [True, 1j],
    [[1, 2], [3, 4]], ((1, 2), (3, 4)), [(1, 2), [3, 4]], [[[1.5], [2]], [[3], [4]]],
    5, 2.5, True, 1j, -0.0, [float("nan"), float("inf"), -float("inf")], [1e40], [-0.0],
    [2 ** 62], [-(2 ** 63)], [2 ** 63 - 1], [_BIG], [-_BIG], [2 ** 63], [-(2 ** 63) - 1], [2 ** 64, 1.0],
    [], [[]], [[], []], [[1, 2], [3]], [[1, 2], 3], [1, [2]], [1, None], ["a"], [[1], [2, 3]],
    [np.float64(1.5)], [np.int32(1), 2], [np.float32(1), 2.5], [np.bool_(True)],
    [1.5, -2.7], [300, -1], [255, 0], [127, -128], [128], [32767, -32768], [2 ** 31 - 1], [2 ** 31],
    [0, 2], [0.5, 0.0], [1, 2.5, True],
    [cytorch.tensor(1.5), 2], [cytorch.tensor(3), True], [cytorch.tensor([1, 2]), cytorch.tensor([3, 4])],
]
_DTYPES = [None, cytorch.bool, cytorch.uint8, cytorch.int8, cytorch.int16, cytorch.int32, cytorch.int64,
           cytorch.float16, cytorch.bfloat16, cytorch.float32, cytorch.float64, cytorch.complex64,
           cytorch.complex128]


def _outcome(fn):
    try:
        t = fn()
    except Exception as e:          # the general path's errors must stay the same
        return type(e)
    return (t.dtype, tuple(t.shape), np_of(t).tolist())


def _general(data, dtype, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(creation, "_FAST_TYPES", frozenset())
        return _outcome(lambda: cytorch.tensor(data, dtype=dtype))


def _same(a, b):
    if isinstance(a, type) or isinstance(b, type):
        return a == b
    return a[:2] == b[:2] and np.array_equal(np.array(a[2]), np.array(b[2]), equal_nan=True)


@pytest.mark.filterwarnings("ignore")     # NumPy's cast warnings on the general path's odd cases
@pytest.mark.parametrize("dtype", _DTYPES, ids=str)
@pytest.mark.parametrize("default", ["float32", "float64"])
def test_tensor_fast_path_matches_general_path(dtype, default, monkeypatch):
    prev = cytorch.get_default_dtype()
    cytorch.set_default_dtype(getattr(cytorch, default))
    try:
        for data in _DATA:
            fast = _outcome(lambda: cytorch.tensor(data, dtype=dtype))
            slow = _general(data, dtype, monkeypatch)
            assert _same(fast, slow), (data, dtype, fast, slow)
    finally:
        cytorch.set_default_dtype(prev)


def test_tensor_fast_path_is_taken_and_declines():
    from cytorch._C._fromlist import from_list
    t = from_list([[1, 2], [3, 4]])
    assert t.dtype == cytorch.int64 and t.shape == (2, 2) and t.tolist() == [[1, 2], [3, 4]]
    assert from_list([1, 2.5], cytorch.float64).tolist() == [1.0, 2.5]
    assert from_list(2.5).dim() == 0
    for data, dt in (([], None), ([[1], [2, 3]], None), ([np.float64(1)], None), ([2 ** 63], None),
                     ([1.5], cytorch.int64), ([300], cytorch.uint8), ([1j], cytorch.float32),
                     ([1.0], cytorch.bfloat16), ([_BIG], cytorch.float32), ([1], float)):
        assert from_list(data, dt) is None, (data, dt)
    nested = 0
    for _ in range(17):
        nested = [nested]
    assert from_list(nested) is None        # deeper than 16 dims


@pytest.mark.parametrize("data", [[1.0, 2.0, 3.0], [1, 2, 3], [True, False], [1, 2.5], [1, 2j], [True, 2],
                                  [[1, 2], [3, 4.5]], ((1, 2), (3, 4)), 5, 2.5, True, 1j, [2 ** 62],
                                  [float("nan"), 1e40]])
def test_tensor_matches_torch(torch, data):
    a, b = cytorch.tensor(data), torch.tensor(data)
    assert str(a.dtype).split(".")[1] == str(b.dtype).split(".")[1]
    assert tuple(a.shape) == tuple(b.shape)
    np.testing.assert_array_equal(np_of(a), b.numpy())


def test_tensor_fast_path_requires_grad_and_copy():
    data = [1.0, 2.0]
    t = cytorch.tensor(data, requires_grad=True)
    assert t.requires_grad and t.is_leaf
    data[0] = 5.0
    assert t.tolist() == [1.0, 2.0]
    with pytest.raises(RuntimeError):
        cytorch.tensor([1, 2], requires_grad=True)


# ---------------------------------------------------------------- relu backward (one fused pass)

_SPECIAL = [float("nan"), -1.0, 0.0, -0.0, 2.0, 1e-30, -1e-30, float("inf"), -float("inf")]


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_relu_forward_backward_match_torch(torch, dtype):
    a = cytorch.tensor(_SPECIAL, dtype=getattr(cytorch, dtype), requires_grad=True)
    b = torch.tensor(_SPECIAL, dtype=getattr(torch, dtype), requires_grad=True)
    ya, yb = cytorch.relu(a), torch.relu(b)
    ga = cytorch.arange(1, len(_SPECIAL) + 1).to(a.dtype)
    ya.backward(ga)
    yb.backward(torch.arange(1, len(_SPECIAL) + 1).to(b.dtype))
    fa, fb = np_of(ya).astype(np.float64), yb.detach().double().numpy()
    np.testing.assert_array_equal(fa, fb)
    np.testing.assert_array_equal(np.signbit(fa), np.signbit(fb))     # relu(-0.0) is -0.0
    assert a.grad.dtype == a.dtype
    np.testing.assert_array_equal(np_of(a.grad).astype(np.float64), b.grad.double().numpy())


def test_relu_backward_strided_and_broadcast_gradients():
    x = cytorch.randn(5, 4, dtype=cytorch.float64, requires_grad=True)
    y = cytorch.relu(x)
    g = cytorch.randn(4, 5, dtype=cytorch.float64).t()           # non-contiguous gradient
    y.backward(g)
    np.testing.assert_array_equal(np_of(x.grad), np.where(np_of(x) > 0, np_of(g), 0.0))
    x.grad = None
    cytorch.relu(x).sum().backward()                               # stride-0 gradient from sum
    np.testing.assert_array_equal(np_of(x.grad), (np_of(x) > 0).astype(np.float64))
    x.grad = None
    (cytorch.relu(x) * 3).t().relu_().sum().backward()             # relu_ on a non-leaf view
    np.testing.assert_array_equal(np_of(x.grad), 3.0 * (np_of(x) > 0))


def test_relu_gradcheck_and_gradgradcheck():
    x = cytorch.tensor([[-1.3, 0.7, 2.1], [0.4, -0.2, -3.0]], dtype=cytorch.float64, requires_grad=True)
    assert cytorch.autograd.gradcheck(cytorch.relu, (x,))
    assert cytorch.autograd.gradgradcheck(lambda t: cytorch.relu(t) * t, (x,))
    assert cytorch.autograd.gradgradcheck(cytorch.relu, (x,))
    # create_graph: the gradient of the gradient w.r.t. the incoming gradient is the same mask
    g = cytorch.ones(2, 3, dtype=cytorch.float64, requires_grad=True)
    gx, = cytorch.autograd.grad(cytorch.relu(x), x, g, create_graph=True)
    assert gx.requires_grad
    gg, = cytorch.autograd.grad(gx.sum(), g)
    np.testing.assert_array_equal(np_of(gg), (np_of(x) > 0).astype(np.float64))


# ---------------------------------------------------------------- .grad takes a fresh gradient without a copy

def _independent(grad, other):
    """grad and other share no memory: writing into either leaves the other as it was (both are
    restored afterwards)."""
    g0, o0 = np_of(grad), np_of(other)
    with cytorch.no_grad():
        other.detach().add_(100)
        np.testing.assert_array_equal(np_of(grad), g0)
        grad.detach().add_(1000)
        np.testing.assert_array_equal(np_of(other), o0 + 100)
        other.detach().sub_(100)
        grad.detach().sub_(1000)


def _leaf(*shape):
    return cytorch.randn(*shape, dtype=cytorch.float64, requires_grad=True)


def _ptr_hook(x):
    """Record the data pointer of the gradient arriving at leaf x (the hook keeps no reference)."""
    ptrs = []
    x.register_hook(lambda g: ptrs.append(g.data_ptr()))
    return ptrs


def test_fresh_gradient_becomes_grad_without_copy():
    x = _leaf(64, 32)
    ptrs = _ptr_hook(x)
    (x * 2).sum().backward()
    assert x.grad.data_ptr() == ptrs[0]                 # handed over, not copied
    np.testing.assert_array_equal(np_of(x.grad), np.full((64, 32), 2.0))
    lin_w = _leaf(8, 4)
    wptr = _ptr_hook(lin_w)
    cytorch.nn.functional.linear(cytorch.randn(3, 4, dtype=cytorch.float64), lin_w).sum().backward()
    assert lin_w.grad.data_ptr() == wptr[0]
    # a second backward adds into the existing .grad in place
    p = x.grad.data_ptr()
    (x * 3).sum().backward()
    assert x.grad.data_ptr() == p
    np.testing.assert_array_equal(np_of(x.grad), np.full((64, 32), 5.0))


def test_users_gradient_is_never_grad():
    x = _leaf(4, 3)
    g = cytorch.randn(4, 3, dtype=cytorch.float64)
    (x * 1).backward(g)
    np.testing.assert_array_equal(np_of(x.grad), np_of(g))
    _independent(x.grad, g)
    for f in (lambda t: t + 0, lambda t: t.clone(), lambda t: t.view(12).view(4, 3), lambda t: t.reshape(4, 3),
              lambda t: t, lambda t: t.t().t(), lambda t: t.contiguous()):
        x.grad = None
        g = cytorch.randn(4, 3, dtype=cytorch.float64)
        y = f(x)
        y.backward(g)
        np.testing.assert_array_equal(np_of(x.grad), np_of(g))
        _independent(x.grad, g)


def test_grad_independent_of_transposed_and_sliced_user_gradients():
    x = _leaf(3, 4)
    g = cytorch.randn(4, 3, dtype=cytorch.float64)
    x.t().backward(g)                                   # .grad would be g.t(), a non-contiguous view
    np.testing.assert_array_equal(np_of(x.grad), np_of(g).T)
    _independent(x.grad, g)
    a, b = _leaf(2, 3), _leaf(5, 3)
    g = cytorch.randn(7, 3, dtype=cytorch.float64)
    cytorch.cat([a, b]).backward(g)                     # grads are slices of the user's g
    _independent(a.grad, g)
    _independent(b.grad, g)


def test_grad_not_a_slice_of_a_bigger_buffer():
    a, b = _leaf(2, 3), _leaf(5, 3)
    (cytorch.cat([a, b]) * 2).sum().backward()          # grads are slices of one fresh buffer
    np.testing.assert_array_equal(np_of(a.grad), np.full((2, 3), 2.0))
    assert a.grad._base is None and b.grad._base is None
    _independent(a.grad, b.grad)
    c = _leaf(6)
    parts = [(p * 1).sum() for p in (c * 2).chunk(3)]   # each gradient a view into c's
    sum(parts).backward()
    np.testing.assert_array_equal(np_of(c.grad), np.full(6, 2.0))
    assert c.grad._base is None and c.grad.is_contiguous()
    d = _leaf(3)
    d.register_hook(lambda g: cytorch.cat([g, g, g])[3:6].detach())     # a slice that is no view
    (d * 2).sum().backward()
    np.testing.assert_array_equal(np_of(d.grad), np.full(3, 2.0))
    assert d.grad.storage_offset() == 0 and d.grad.untyped_storage().size() == 3 * 8


def test_grad_of_shared_gradients():
    x = _leaf(5)
    (x + x).backward(cytorch.ones(5, dtype=cytorch.float64))
    np.testing.assert_array_equal(np_of(x.grad), np.full(5, 2.0))
    a, b = _leaf(5), _leaf(5)
    ((a + b) * 2).sum().backward()                      # add sends one tensor to both leaves
    np.testing.assert_array_equal(np_of(a.grad), np.full(5, 2.0))
    np.testing.assert_array_equal(np_of(b.grad), np.full(5, 2.0))
    _independent(a.grad, b.grad)


def test_grad_of_broadcast_and_expanded_gradients():
    x = _leaf(3)
    g = cytorch.randn(4, 3, dtype=cytorch.float64)
    (x * cytorch.ones(4, 3, dtype=cytorch.float64)).backward(g)      # summed over the broadcast dim
    np.testing.assert_allclose(np_of(x.grad), np_of(g).sum(0))
    _independent(x.grad, g)
    y = _leaf(4, 3)
    y.sum().backward()                                  # a stride-0 gradient: .grad owns every element
    with cytorch.no_grad():
        y.grad[0, 0] += 1
    expected = np.ones((4, 3))
    expected[0, 0] = 2
    np.testing.assert_array_equal(np_of(y.grad), expected)
    z = _leaf(1)
    z.expand(6).backward(cytorch.arange(6, dtype=cytorch.float64))
    np.testing.assert_array_equal(np_of(z.grad), [15.0])


def test_leaf_backward_copies_the_seed():
    x = _leaf(3)
    g = cytorch.randn(3, dtype=cytorch.float64)
    x.backward(g)
    _independent(x.grad, g)


def test_hooks_keep_their_tensors():
    x = _leaf(3)
    h = cytorch.randn(3, dtype=cytorch.float64)
    x.register_hook(lambda g: h)                        # a hook returning a tensor the user holds
    (x * 2).sum().backward()
    np.testing.assert_array_equal(np_of(x.grad), np_of(h))
    _independent(x.grad, h)
    y = _leaf(3)
    seen = []
    y.register_hook(lambda g: seen.append(g))           # a hook keeping the gradient
    (y * 2).sum().backward()
    _independent(y.grad, seen[0])
    z = _leaf(3)
    refs = []
    z.register_hook(lambda g: refs.append(weakref.ref(g)))
    (z * 2).sum().backward()
    assert refs[0]() is not z.grad
    w = _leaf(3)
    arr = np.zeros(3)
    w.register_hook(lambda g: cytorch.from_numpy(arr))  # NumPy memory the user holds
    (w * 2).sum().backward()
    arr += 7
    np.testing.assert_array_equal(np_of(w.grad), np.zeros(3))


def test_node_hooks_and_tensor_hooks_on_non_leaves():
    x = _leaf(3)
    kept = []
    y = x * 2
    y.register_hook(lambda g: kept.append(g * 1) or kept[-1])   # the non-leaf's gradient, also kept
    (y * 1).sum().backward()
    np.testing.assert_array_equal(np_of(x.grad), np.full(3, 2.0))
    _independent(x.grad, kept[0])
    x2 = _leaf(3)
    out = x2 * 3
    kept2 = []
    out.grad_fn.register_hook(lambda gi, go: kept2.append(gi))
    out.sum().backward()
    _independent(x2.grad, kept2[0][0])


def test_retain_graph_and_retain_grad():
    x = _leaf(4)
    g = cytorch.randn(4, dtype=cytorch.float64)
    y = x * 2
    y.retain_grad()
    z = y * 3
    z.backward(g, retain_graph=True)
    first = np_of(x.grad)
    np.testing.assert_allclose(first, 6 * np_of(g))
    _independent(y.grad, g)
    _independent(x.grad, y.grad)
    z.backward(g)
    np.testing.assert_allclose(np_of(x.grad), 2 * first)


def test_create_graph_grad_is_a_recorded_copy(torch):
    for make in (lambda t: t + 0, lambda t: t * 1, lambda t: t):
        x = _leaf(3)
        g = cytorch.randn(3, dtype=cytorch.float64, requires_grad=True)
        make(x).backward(g, create_graph=True)
        np.testing.assert_array_equal(np_of(x.grad), np_of(g))
        assert x.grad.requires_grad and x.grad is not g
        (x.grad * 2).sum().backward()                   # the graph of .grad reaches g
        np.testing.assert_array_equal(np_of(g.grad), np.full(3, 2.0))
        _independent(x.grad, g)
    x = _leaf(3)
    g = cytorch.ones(3, dtype=cytorch.float64)
    (x + 0).backward(g, create_graph=True)
    _independent(x.grad, g)
    y = _leaf(3)
    g = cytorch.ones(3, dtype=cytorch.float64)
    (y + 0).backward(g, inputs=[y], create_graph=True)
    _independent(y.grad, g)


def test_grad_dtype_and_post_accumulate_hook():
    x = cytorch.randn(3, dtype=cytorch.float32, requires_grad=True)
    seen = []
    x.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.clone()))
    (x.double() * 2).sum().backward()                   # gradient cast back to float32 on the way
    assert x.grad.dtype == cytorch.float32
    np.testing.assert_array_equal(np_of(x.grad), np.full(3, 2.0, np.float32))
    np.testing.assert_array_equal(np_of(seen[0]), np_of(x.grad))
