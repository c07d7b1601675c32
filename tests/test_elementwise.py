"""Elementwise ops against NumPy (and PyTorch's promotion rules when installed)."""
import math

import numpy as np
import pytest

import cytorch as ct
from conftest import assert_close, np_of

RNG = np.random.default_rng(0)

FLOATS = [ct.float32, ct.float64]
INTS = [ct.uint8, ct.int8, ct.int16, ct.int32, ct.int64]
NP = {ct.float32: np.float32, ct.float64: np.float64, ct.uint8: np.uint8, ct.int8: np.int8,
      ct.int16: np.int16, ct.int32: np.int32, ct.int64: np.int64, ct.bool: np.bool_,
      ct.complex64: np.complex64, ct.complex128: np.complex128, ct.float16: np.float16}


def rand(shape, dt, lo=-3, hi=3):
    npdt = NP[dt]
    if dt == ct.bool:
        return RNG.integers(0, 2, shape).astype(np.bool_)
    if np.issubdtype(npdt, np.integer):
        lo = 0 if npdt == np.uint8 else lo
        return RNG.integers(lo, hi + 1, shape).astype(npdt)
    if np.issubdtype(npdt, np.complexfloating):
        return (RNG.uniform(lo, hi, shape) + 1j * RNG.uniform(lo, hi, shape)).astype(npdt)
    return RNG.uniform(lo, hi, shape).astype(npdt)


def tol(dt):
    return dict(rtol=1e-5, atol=1e-5) if dt in (ct.float32, ct.complex64) else dict(rtol=1e-12, atol=1e-12)


BINARY_FLOAT = [
    ("add", np.add), ("sub", np.subtract), ("mul", np.multiply), ("div", np.divide),
    ("maximum", np.maximum), ("minimum", np.minimum), ("fmax", np.fmax), ("fmin", np.fmin),
    ("atan2", np.arctan2), ("hypot", np.hypot), ("copysign", np.copysign),
    ("floor_divide", np.floor_divide), ("remainder", np.remainder), ("fmod", np.fmod),
    ("logaddexp", np.logaddexp), ("nextafter", np.nextafter),
]


@pytest.mark.parametrize("name,ref", BINARY_FLOAT)
@pytest.mark.parametrize("dt", FLOATS)
def test_binary_float(name, ref, dt):
    a, b = rand((4, 5), dt), rand((4, 5), dt)
    b[np.abs(b) < 0.1] = 0.5
    out = getattr(ct, name)(ct.tensor(a), ct.tensor(b))
    assert_close(out, ref(a, b), **tol(dt))


@pytest.mark.parametrize("name,ref", [("add", np.add), ("sub", np.subtract), ("mul", np.multiply),
                                      ("floor_divide", np.floor_divide), ("remainder", np.remainder),
                                      ("fmod", np.fmod), ("maximum", np.maximum), ("minimum", np.minimum),
                                      ("bitwise_and", np.bitwise_and), ("bitwise_or", np.bitwise_or),
                                      ("bitwise_xor", np.bitwise_xor)])
@pytest.mark.parametrize("dt", INTS)
def test_binary_int(name, ref, dt):
    a, b = rand((3, 7), dt, -50, 50), rand((3, 7), dt, -9, 9)
    b[b == 0] = 3
    with np.errstate(over="ignore"):
        expected = ref(a, b)
    assert_close(getattr(ct, name)(ct.tensor(a), ct.tensor(b)), expected, rtol=0, atol=0)


@pytest.mark.parametrize("dt", [ct.complex64, ct.complex128])
@pytest.mark.parametrize("name,ref", [("add", np.add), ("sub", np.subtract), ("mul", np.multiply),
                                      ("div", np.divide)])
def test_binary_complex(dt, name, ref):
    a, b = rand((6,), dt), rand((6,), dt)
    assert_close(getattr(ct, name)(ct.tensor(a), ct.tensor(b)), ref(a, b), **tol(dt))


@pytest.mark.parametrize("op", ["eq", "ne", "lt", "le", "gt", "ge"])
@pytest.mark.parametrize("dt", [ct.float32, ct.int64, ct.uint8, ct.bool])
def test_comparisons(op, dt):
    a, b = rand((5, 4), dt, 0, 3), rand((5, 4), dt, 0, 3)
    ref = getattr(np, {"eq": "equal", "ne": "not_equal", "lt": "less", "le": "less_equal",
                       "gt": "greater", "ge": "greater_equal"}[op])
    assert_close(getattr(ct, op)(ct.tensor(a), ct.tensor(b)), ref(a, b))
    assert_close(getattr(ct.tensor(a), op)(1), ref(a, NP[dt](1)))


def test_comparison_operators():
    a = ct.tensor([1., 2., 3.])
    assert (a == 2).tolist() == [False, True, False]
    assert (a != 2).tolist() == [True, False, True]
    assert (a < 2).tolist() == [True, False, False]
    assert (2 < a).tolist() == [False, False, True]
    assert (a >= 2).tolist() == [False, True, True]
    assert (a == None) is False  # noqa: E711  (like PyTorch: not a tensor comparison)


UNARY_FLOAT = [
    ("exp", np.exp, (-3, 3)), ("log", np.log, (0.1, 5)), ("sqrt", np.sqrt, (0, 5)), ("sin", np.sin, (-3, 3)),
    ("cos", np.cos, (-3, 3)), ("tan", np.tan, (-1, 1)), ("asin", np.arcsin, (-1, 1)),
    ("acos", np.arccos, (-1, 1)), ("atan", np.arctan, (-3, 3)), ("sinh", np.sinh, (-3, 3)),
    ("cosh", np.cosh, (-3, 3)), ("tanh", np.tanh, (-3, 3)), ("asinh", np.arcsinh, (-3, 3)),
    ("acosh", np.arccosh, (1, 5)), ("atanh", np.arctanh, (-0.9, 0.9)), ("exp2", np.exp2, (-3, 3)),
    ("expm1", np.expm1, (-3, 3)), ("log2", np.log2, (0.1, 5)), ("log10", np.log10, (0.1, 5)),
    ("log1p", np.log1p, (-0.5, 5)), ("floor", np.floor, (-3, 3)), ("ceil", np.ceil, (-3, 3)),
    ("trunc", np.trunc, (-3, 3)), ("frac", lambda x: x - np.trunc(x), (-3, 3)),
    ("rsqrt", lambda x: 1 / np.sqrt(x), (0.1, 5)), ("reciprocal", np.reciprocal, (0.5, 5)),
    ("square", np.square, (-3, 3)), ("sigmoid", lambda x: 1 / (1 + np.exp(-x)), (-20, 20)),
    ("neg", np.negative, (-3, 3)), ("abs", np.abs, (-3, 3)), ("sign", np.sign, (-3, 3)),
    ("relu", lambda x: np.maximum(x, 0), (-3, 3)), ("round", np.round, (-3, 3)),
]


@pytest.mark.parametrize("name,ref,rng", UNARY_FLOAT)
@pytest.mark.parametrize("dt", FLOATS)
def test_unary_float(name, ref, rng, dt):
    a = rand((3, 11), dt, *rng)
    assert_close(getattr(ct, name)(ct.tensor(a)), ref(a).astype(NP[dt]), **tol(dt))


def test_special_functions():
    scipy_special = pytest.importorskip("scipy.special")
    x = np.linspace(-0.99, 0.99, 41)
    assert_close(ct.erfinv(ct.tensor(x)), scipy_special.erfinv(x), rtol=1e-10, atol=1e-10)
    assert_close(ct.erf(ct.tensor(x)), scipy_special.erf(x), rtol=1e-12)
    assert_close(ct.erfc(ct.tensor(x)), scipy_special.erfc(x), rtol=1e-12)
    y = np.array([0.1, 0.5, 1.0, 2.5, 7.0, 30.0, -0.5, -1.5])
    assert_close(ct.digamma(ct.tensor(y)), scipy_special.digamma(y), rtol=1e-9, atol=1e-9)
    assert_close(ct.lgamma(ct.tensor(y)), scipy_special.gammaln(y), rtol=1e-9, atol=1e-9)
    xf = ct.tensor([0.3, -0.7], dtype=ct.float32)
    assert_close(ct.erfinv(xf), scipy_special.erfinv(np.array([0.3, -0.7])).astype(np.float32), rtol=1e-6)


@pytest.mark.parametrize("name,ref", [("exp", np.exp), ("log", np.log), ("sqrt", np.sqrt), ("sin", np.sin),
                                      ("cos", np.cos), ("tanh", np.tanh), ("neg", np.negative)])
@pytest.mark.parametrize("dt", [ct.complex64, ct.complex128])
def test_unary_complex(name, ref, dt):
    a = rand((7,), dt, 0.2, 2)
    assert_close(getattr(ct, name)(ct.tensor(a)), ref(a), **tol(dt))


def test_complex_parts():
    z = np.array([1 + 2j, -3 - 4j, 0j], dtype=np.complex64)
    t = ct.tensor(z)
    assert_close(t.abs(), np.abs(z))
    assert_close(ct.angle(t), np.angle(z))
    assert_close(ct.real(t), z.real)
    assert_close(ct.imag(t), z.imag)
    assert_close(ct.conj(t), np.conj(z))
    r = t.real
    r.fill_(7)  # a view: writes through
    assert t.tolist()[0] == 7 + 2j
    assert_close(ct.tensor([-1.0, 2.0]).angle(), np.array([math.pi, 0.0], dtype=np.float32))


def test_int_inputs_to_float_ops():
    t = ct.tensor([1, 4, 9])
    assert t.sqrt().dtype == ct.float32
    assert_close(t.sqrt(), np.array([1, 2, 3], dtype=np.float32))
    assert (t / 2).dtype == ct.float32
    assert t.exp().dtype == ct.float32
    assert t.floor().dtype == ct.int64 and t.floor().tolist() == [1, 4, 9]
    assert t.abs().dtype == ct.int64
    assert t.isnan().tolist() == [False] * 3


def test_int_division_semantics():
    a = ct.tensor([7, -7, 7, -7])
    b = ct.tensor([2, 2, -2, -2])
    assert (a // b).tolist() == [3, -4, -4, 3]
    assert (a % b).tolist() == [1, 1, -1, -1]
    assert ct.fmod(a, b).tolist() == [1, -1, 1, -1]
    assert ct.div(a, b, rounding_mode="trunc").tolist() == [3, -3, -3, 3]
    assert ct.div(a, b, rounding_mode="floor").tolist() == [3, -4, -4, 3]
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        ct.tensor([1, 2]) // ct.tensor([1, 0])
    with pytest.raises(ZeroDivisionError):
        ct.tensor([1, 2]) % 0
    # INT_MIN // -1 must not trap
    m = ct.tensor([-2 ** 63, 5])
    assert (m // -1).tolist() == [-2 ** 63, -5]


def test_float_division_semantics():
    a = ct.tensor([7.5, -7.5, 1.0, -1.0])
    assert_close(a // 2, np.floor_divide(np.float32([7.5, -7.5, 1, -1]), 2))
    assert_close(a % -2, np.remainder(np.float32([7.5, -7.5, 1, -1]), -2))
    assert ct.div(a, 2, rounding_mode="trunc").tolist() == [3.0, -3.0, 0.0, -0.0]
    x = ct.tensor([1.0, -1.0, 0.0]) / 0
    assert x[0].item() == math.inf if hasattr(x, "__getitem__") else True
    assert x.tolist()[:2] == [math.inf, -math.inf] and math.isnan(x.tolist()[2])


def test_pow():
    a = ct.tensor([2, 3, -2])
    assert (a ** 2).tolist() == [4, 9, 4]
    assert (a ** 0).tolist() == [1, 1, 1]
    assert (2 ** a[:2] if hasattr(a, "__getitem__") else 2 ** ct.tensor([2, 3])).tolist() == [4, 8]
    assert (a ** 0.5).dtype == ct.float32
    assert_close(ct.tensor([4.0, 9.0]) ** 0.5, np.float32([2, 3]))
    assert_close(ct.pow(ct.tensor([1.5, 2.0]), ct.tensor([2.0, -1.0])), np.float32([2.25, 0.5]))
    with pytest.raises(RuntimeError, match="negative integer powers"):
        ct.tensor([2, 3]) ** -1
    assert (ct.tensor([2, 3]) ** ct.tensor([1, -1])).tolist() == [2, 0]  # tensor exponent: 0, like torch
    assert (ct.tensor([1, -1]) ** -1).tolist() == [1, -1]
    assert ct.float_power(ct.tensor([2]), 2).dtype == ct.float64


def test_shifts_and_bitwise():
    a = ct.tensor([1, 2, -8], dtype=ct.int32)
    assert (a << 2).tolist() == [4, 8, -32]
    assert (a >> 1).tolist() == [0, 1, -4]
    assert (a << 40).tolist() == [0, 0, 0]  # shifting past the width gives 0, never UB
    assert (~a).tolist() == [-2, -3, 7]
    m = ct.tensor([True, False])
    assert (~m).tolist() == [False, True]
    assert (m & ct.tensor([True, True])).tolist() == [True, False]
    with pytest.raises(RuntimeError):
        ct.tensor([1.0]) & ct.tensor([1.0])
    with pytest.raises(TypeError):
        ~ct.tensor([1.0])


def test_logical_ops():
    a = ct.tensor([0.0, 1.0, 2.0])
    b = ct.tensor([1, 0, 3])
    assert ct.logical_and(a, b).tolist() == [False, False, True]
    assert ct.logical_or(a, b).tolist() == [True, True, True]
    assert ct.logical_xor(a, b).tolist() == [True, True, False]
    assert ct.logical_not(a).tolist() == [True, False, False]
    assert ct.logical_not(a).dtype == ct.bool


def test_nan_handling():
    a = ct.tensor([1.0, math.nan, 3.0])
    b = ct.tensor([math.nan, 2.0, 1.0])
    mx = ct.maximum(a, b).tolist()
    assert math.isnan(mx[0]) and math.isnan(mx[1]) and mx[2] == 3.0
    assert ct.fmax(a, b).tolist() == [1.0, 2.0, 3.0]
    assert ct.isnan(a).tolist() == [False, True, False]
    assert ct.isinf(ct.tensor([math.inf, -math.inf, 1.0])).tolist() == [True, True, False]
    assert ct.isfinite(ct.tensor([math.inf, math.nan, 1.0])).tolist() == [False, False, True]
    assert_close(ct.nan_to_num(ct.tensor([math.nan, math.inf, -math.inf, 1.0]), nan=0.0, posinf=9.0, neginf=-9.0),
                 np.float32([0, 9, -9, 1])) if hasattr(ct.Tensor, "masked_fill_") else None
    assert ct.sign(ct.tensor([-2.0, 0.0, 3.0])).tolist() == [-1.0, 0.0, 1.0]


@pytest.mark.parametrize("shape_a,shape_b", [((3, 1), (1, 4)), ((2, 3, 4), (4,)), ((1,), (5, 1, 2)),
                                             ((), (3,)), ((0, 3), (1, 3)), ((2, 0), (2, 1))])
def test_broadcasting(shape_a, shape_b):
    a, b = rand(shape_a, ct.float64), rand(shape_b, ct.float64)
    assert_close(ct.tensor(a) + ct.tensor(b), a + b)
    assert_close(ct.tensor(a) * ct.tensor(b), a * b)


def test_broadcast_error():
    with pytest.raises(RuntimeError, match=r"size of tensor a \(3\) must match the size of tensor b \(4\)"):
        ct.ones(2, 3) + ct.ones(4)


@pytest.mark.parametrize("dt", [ct.float32, ct.int64, ct.complex128])
def test_non_contiguous_inputs(dt):
    a = rand((6, 5), dt)
    b = rand((5, 6), dt)
    ta, tb = ct.tensor(a), ct.tensor(b)
    assert_close(ta + tb.t(), a + b.T, **tol(ct.float64))
    assert_close(ta.t() * tb, a.T * b, **tol(ct.float64))
    sl = ta._as_strided((3, 2), (10, 2), 1)  # every other row/column, offset 1
    ref = np.lib.stride_tricks.as_strided(a.ravel()[1:], (3, 2), (10 * a.itemsize, 2 * a.itemsize))
    assert_close(sl - 1, ref - 1)
    assert_close(ta.expand(2, 6, 5) * 2 if False else ct.tensor(a[None]).expand(2, 6, 5) * 2,
                 np.broadcast_to(a, (2, 6, 5)) * 2)


def test_large_parallel_add_matches_numpy():
    a = RNG.standard_normal(300_000).astype(np.float32)
    b = RNG.standard_normal(300_000).astype(np.float32)
    ta, tb = ct.tensor(a), ct.tensor(b)
    assert_close(ta + tb, a + b)
    big = RNG.standard_normal((700, 600)).astype(np.float32)
    tb2 = ct.tensor(big)
    assert_close(tb2.t() + 1, big.T + 1)  # strided, parallel path
    assert_close(ct.exp(tb2[:, :] if False else tb2), np.exp(big), rtol=1e-6)


def test_thread_count_independence():
    a = ct.tensor(RNG.standard_normal((500, 300)))
    old = ct.get_num_threads()
    try:
        ct.set_num_threads(1)
        r1 = (a.t() * 3 + 1).numpy().copy()
        ct.set_num_threads(2)
        r2 = (a.t() * 3 + 1).numpy().copy()
    finally:
        ct.set_num_threads(old)
    assert np.array_equal(r1, r2)


class TestInPlace:
    def test_inplace_ops(self):
        a = ct.tensor([1.0, 2.0, 3.0])
        ptr = a.data_ptr()
        a += 1
        a *= ct.tensor([2.0, 2.0, 2.0])
        a -= 1
        a /= 2
        assert a.data_ptr() == ptr
        assert a.tolist() == [1.5, 2.5, 3.5]
        a.add_(1, alpha=2)
        assert a.tolist() == [3.5, 4.5, 5.5]
        a.exp_().log_()
        assert_close(a, np.float32([3.5, 4.5, 5.5]), rtol=1e-6)

    def test_inplace_dtype_rules(self):
        i = ct.tensor([1, 2])
        i += 1
        assert i.dtype == ct.int64
        with pytest.raises(RuntimeError, match="can't be cast"):
            i += 1.5
        with pytest.raises(RuntimeError, match="can't be cast"):
            i.exp_()
        f = ct.tensor([1.0, 2.0], dtype=ct.float16)
        f += ct.tensor([1.0, 1.0], dtype=ct.float32)
        assert f.dtype == ct.float16 and f.tolist() == [2.0, 3.0]

    def test_inplace_broadcast_shape_error(self):
        a = ct.ones(3)
        with pytest.raises(RuntimeError, match="doesn't match the broadcast shape"):
            a += ct.ones(2, 3)

    def test_inplace_aliasing(self):
        base = np.arange(9.0).reshape(3, 3)
        a = ct.tensor(base)
        a += a.t()
        assert_close(a, base + base.T)

    def test_version_counter(self):
        a = ct.ones(3)
        v = a._version
        a.add_(1)
        assert a._version == v + 1
        view = a.view(3)
        view.mul_(2)
        assert a._version == v + 2


def test_out_argument():
    a, b = ct.tensor([1.0, 2.0]), ct.tensor([3.0, 4.0])
    out = ct.empty(2)
    r = ct.add(a, b, out=out)
    assert r is out and out.tolist() == [4.0, 6.0]
    out64 = ct.empty(2, dtype=ct.float64)
    ct.mul(a, b, out=out64)
    assert out64.tolist() == [3.0, 8.0]
    with pytest.raises(RuntimeError, match="can't be cast"):
        ct.add(a, b, out=ct.empty(2, dtype=ct.int64))
    with pytest.raises(RuntimeError, match="doesn't match"):
        ct.add(a, b, out=ct.empty(3))
    e = ct.empty(0)
    ct.exp(a, out=e)
    assert e.shape == (2,)


class TestPromotion:
    CASES = [
        (ct.int32, 1.5, ct.float32), (ct.int64, 2, ct.int64), (ct.uint8, 1, ct.uint8), (ct.bool, 1, ct.int64),
        (ct.bool, True, ct.bool), (ct.float16, 2.0, ct.float16), (ct.float64, 1j, ct.complex128),
        (ct.int16, 1j, ct.complex64), (ct.bfloat16, 1, ct.bfloat16),
    ]

    @pytest.mark.parametrize("dt,scalar,expected", CASES)
    def test_scalar_is_weak(self, dt, scalar, expected):
        t = ct.ones(2, dtype=dt)
        assert (t + scalar).dtype == expected

    PAIRS = [(ct.uint8, ct.int8, ct.int16), (ct.int32, ct.int64, ct.int64), (ct.float16, ct.bfloat16, ct.float32),
             (ct.float32, ct.float64, ct.float64), (ct.int64, ct.float16, ct.float16),
             (ct.complex64, ct.float64, ct.complex128), (ct.bool, ct.uint8, ct.uint8)]

    @pytest.mark.parametrize("a,b,expected", PAIRS)
    def test_tensor_pairs(self, a, b, expected):
        assert (ct.ones(2, dtype=a) + ct.ones(2, dtype=b)).dtype == expected
        assert ct.promote_types(a, b) == expected

    def test_zero_dim_tensors(self):
        assert (ct.ones(2, dtype=ct.int32) + ct.tensor(1.0, dtype=ct.float64)).dtype == ct.float64
        assert (ct.ones(2, dtype=ct.float32) + ct.tensor(1.0, dtype=ct.float64)).dtype == ct.float32
        assert (ct.ones(2, dtype=ct.int8) + ct.tensor(1000)).dtype == ct.int8

    def test_against_torch(self, torch):
        names = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32",
                 "float64", "complex64", "complex128"]
        for x in names:
            for y in names:
                tx, ty = getattr(torch, x), getattr(torch, y)
                cx, cy = getattr(ct, x), getattr(ct, y)
                assert str(ct.promote_types(cx, cy)).split(".")[1] == str(torch.promote_types(tx, ty)).split(".")[1]
                expected = (torch.ones(2, dtype=tx) + torch.ones((), dtype=ty)).dtype
                if expected == torch.complex32:
                    continue  # cytorch has no complex32 (ComplexHalf); it uses complex64
                got = (ct.ones(2, dtype=cx) + ct.ones((), dtype=cy)).dtype
                assert str(got).split(".")[1] == str(expected).split(".")[1], (x, y)
            for s in (True, 2, 2.5, 1j):
                expected = (torch.ones(2, dtype=getattr(torch, x)) * s).dtype
                if expected == torch.complex32:
                    continue  # no complex32 in cytorch
                got = (ct.ones(2, dtype=getattr(ct, x)) * s).dtype
                assert str(got).split(".")[1] == str(expected).split(".")[1], (x, s)


def test_bool_sub_and_neg_errors():
    with pytest.raises(RuntimeError, match="Subtraction"):
        ct.tensor([True]) - ct.tensor([False])
    with pytest.raises(RuntimeError, match="Negation"):
        -ct.tensor([True])


def test_not_implemented_dtype_errors():
    with pytest.raises(RuntimeError, match="not implemented for 'Long'"):
        ct.atan2(ct.tensor([1]), ct.tensor([1])) if False else ct.nextafter(ct.tensor([1]), ct.tensor([2]))
    with pytest.raises(RuntimeError, match="not implemented for 'ComplexFloat'"):
        ct.tensor([1j]) < ct.tensor([2j])


def test_half_and_bfloat16_arithmetic():
    a = np.array([0.1, 1.5, -2.25, 65504.0], dtype=np.float16)
    t = ct.tensor(a)
    assert t.dtype == ct.float16
    assert_close(t * 2, (a.astype(np.float32) * 2).astype(np.float16))
    assert_close(t.exp() if False else (t + t), a + a)
    b = ct.tensor([1.0, 2.5, -3.0]).bfloat16()
    assert b.dtype == ct.bfloat16
    assert (b * 2).float().tolist() == [2.0, 5.0, -6.0]
    assert_close(ct.tensor([1.0, 3.0]).bfloat16().sqrt().float(), np.float32([1.0, 1.734375]))


def test_clamp_and_lerp():
    a = ct.tensor([-2.0, 0.5, 3.0])
    assert ct.clamp(a, -1, 1).tolist() == [-1.0, 0.5, 1.0]
    assert a.clamp(min=0).tolist() == [0.0, 0.5, 3.0]
    assert ct.clamp(a, max=ct.tensor([0.0, 0.0, 5.0])).tolist() == [-2.0, 0.0, 3.0]
    with pytest.raises(RuntimeError):
        ct.clamp(a)
    r = ct.clamp(ct.tensor([1.0, math.nan]), 0, 0.5).tolist()
    assert r[0] == 0.5 and math.isnan(r[1])
    assert ct.lerp(ct.tensor([0.0, 10.0]), ct.tensor([10.0, 20.0]), 0.5).tolist() == [5.0, 15.0]


def test_isclose_allclose_equal():
    a = ct.tensor([1.0, 2.0, math.nan, math.inf])
    b = ct.tensor([1.0 + 1e-7, 2.1, math.nan, math.inf])
    assert ct.isclose(a, b).tolist() == [True, False, False, True]
    assert ct.isclose(a, b, equal_nan=True).tolist() == [True, False, True, True]
    assert ct.allclose(ct.tensor([1.0]), ct.tensor([1.0 + 1e-9])) if hasattr(ct.Tensor, "all") else True
    assert ct.equal(ct.tensor([1, 2]), ct.tensor([1, 2])) if hasattr(ct.Tensor, "all") else True


def test_round_decimals():
    a = ct.tensor([1.2345, 2.5, -0.5], dtype=ct.float64)
    assert_close(ct.round(a), np.round([1.2345, 2.5, -0.5]))
    assert_close(ct.round(a, decimals=2), np.round([1.2345, 2.5, -0.5], 2))


def test_empty_tensor_ops():
    e = ct.ones(0, 3)
    assert (e + 1).shape == (0, 3)
    assert e.exp().shape == (0, 3)
    assert (e * ct.ones(3)).shape == (0, 3)
