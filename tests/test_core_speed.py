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
