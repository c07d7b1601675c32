"""repr/str of tensors against PyTorch's output (torch. -> cytorch.), and finfo/iinfo."""
import math

import numpy as np
import pytest

import cytorch

CASES = [
    "T.tensor([[1., 2.]])", "T.tensor([1, 2, 3])", "T.tensor(3.5)", "T.tensor([True, False])",
    "T.tensor([1e-5, 1.0])", "T.tensor([1e10, 1.0])", "T.tensor([0.1, 123.456])", "T.tensor([-1.5, 2.25, 1000.0])",
    "T.tensor([[1.5, -2], [3, 4]])", "T.tensor([float('nan'), 1.0, float('inf')])", "T.tensor([0.0, 0.0])",
    "T.tensor([1e-20])", "T.tensor([123456789.0])", "T.tensor(1e-8)", "T.tensor(-0.0)", "T.tensor([1+2j, 3-1.5j])",
    "T.tensor(1-2j)", "T.tensor([[1+1j], [2e5-3j]])", "T.tensor(0)", "T.tensor(True)", "T.tensor([-5, 100000])",
    "T.tensor([float('nan'), 1.5])", "T.tensor([float('-inf'), 1.0])", "T.tensor(float('nan'))",
    "T.tensor([1e-3, 1e3])", "T.tensor([1e-4, 1.0])", "T.tensor([9.99e-5, 1.0])", "T.tensor([1.0, 1001.0])",
    "T.tensor(2.5, dtype=T.float64)", "T.tensor([3], dtype=T.int32)", "T.zeros(2, 0, 4)", "T.zeros(0)",
    "T.arange(2000.)", "T.arange(1001)", "T.arange(3000).reshape(30, 100)", "T.arange(6000.).reshape(10, 20, 30) / 7",
    "T.arange(30.).reshape(1, 30).double()", "T.arange(100.) / 3", "(T.arange(60.) - 30).reshape(3, 4, 5) * 1.37",
    "T.arange(24).reshape(2, 3, 4)", "T.arange(24).reshape(2, 3, 4).transpose(0, 2)",
    "T.arange(50, dtype=T.int64) * 1000000007", "T.arange(40.).reshape(4, 10).t() ** 3",
    "T.tensor([1.0, 2.0]).to(T.float16) / 3", "T.arange(20.).to(T.complex64) * (1 - 0.5j)",
    "T.arange(1200.).reshape(2, 600).to(T.float64)", "T.arange(2500).reshape(50, 50) % 7 == 0",
    "T.arange(100.).reshape(1, 1, 100) * 1e6", "T.arange(12.).reshape(3, 4).narrow(1, 1, 2)",
    "T.arange(8.).reshape(2, 4).expand(3, 2, 4)", "T.tensor([1.5, -2.5]).to(T.bfloat16)",
    "T.arange(1100.).to(T.complex128) / 3", "T.tensor([[[]]])",
]
for _dt in ["float64", "float16", "bfloat16", "int32", "int8", "uint8", "complex128", "complex64", "int16", "bool",
            "int64", "float32"]:
    CASES += [f"T.tensor([[1, 2], [3, 0]], dtype=T.{_dt})", f"T.zeros(0, 3, dtype=T.{_dt})",
              f"T.zeros(0, dtype=T.{_dt})", f"T.tensor(7, dtype=T.{_dt})"]

OPTIONS = [{}, dict(precision=2), dict(precision=7), dict(sci_mode=True), dict(sci_mode=False), dict(profile="short"),
           dict(linewidth=40), dict(threshold=10, edgeitems=2), dict(profile="full"), dict(linewidth=120)]


@pytest.fixture
def restore_printoptions():
    yield
    cytorch.set_printoptions(profile="default")


def _torch_repr(torch, expr):
    return repr(eval(expr, {"T": torch})).replace("torch.", "cytorch.")


@pytest.mark.parametrize("opts", OPTIONS, ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()) or "default")
def test_repr_matches_torch(torch, opts, restore_printoptions):
    torch.set_printoptions(**opts)
    cytorch.set_printoptions(**opts)
    try:
        for expr in CASES:
            assert repr(eval(expr, {"T": cytorch})) == _torch_repr(torch, expr), expr
    finally:
        torch.set_printoptions(profile="default")


@pytest.mark.parametrize("seed", range(6))
def test_repr_random_values_match_torch(torch, seed):
    rs = np.random.RandomState(seed)
    shape = tuple(rs.randint(1, 6, size=rs.randint(1, 4)))
    scale = 10.0 ** rs.randint(-6, 9)
    data = (rs.randn(*shape) * scale).astype(np.float32)
    for dt in ["float32", "float64", "float16"]:
        arr = data.astype(dt)
        assert repr(cytorch.from_numpy(arr.copy())) == repr(torch.from_numpy(arr.copy())).replace("torch.", "cytorch.")
    ints = rs.randint(-10 ** rs.randint(1, 12), 10 ** rs.randint(1, 12), size=shape)
    assert repr(cytorch.from_numpy(ints)) == repr(torch.from_numpy(ints)).replace("torch.", "cytorch.")


def test_known_strings(restore_printoptions):
    T = cytorch
    assert repr(T.tensor([[1., 2.]], dtype=T.float64)) == "tensor([[1., 2.]], dtype=cytorch.float64)"
    assert repr(T.tensor([1, 2, 3])) == "tensor([1, 2, 3])"
    assert repr(T.tensor(3.5)) == "tensor(3.5000)"
    assert repr(T.zeros(0, 3)) == "tensor([], size=(0, 3))"
    assert repr(T.tensor([True, False])) == "tensor([ True, False])"
    assert repr(T.tensor([1.0, 2.0], dtype=T.float16)) == "tensor([1., 2.], dtype=cytorch.float16)"
    assert repr(T.tensor([1e-5, 1.0])) == "tensor([1.0000e-05, 1.0000e+00])"
    assert repr(T.tensor([1 + 2j, 3 - 1.5j])) == "tensor([1.+2.0000j, 3.-1.5000j])"
    assert str(T.tensor([0.5, -1.25])) == "tensor([ 0.5000, -1.2500])"
    assert repr(T.zeros(0, dtype=T.int64)) == "tensor([], dtype=cytorch.int64)"
    s = repr(T.arange(2000.))
    assert s.count("...") == 1 and s.startswith("tensor([0.0000e+00,") and s.endswith("1.9990e+03])")
    assert all(len(line) <= 80 for line in repr(T.arange(300.)).splitlines())
    T.set_printoptions(precision=2)
    assert repr(T.tensor([1.12345])) == "tensor([1.12])"
    T.set_printoptions(sci_mode=True)
    assert repr(T.tensor([1.5])) == "tensor([1.50e+00])"  # precision=2 persists


def test_printoptions_roundtrip(restore_printoptions):
    assert cytorch.get_printoptions() == dict(precision=4, threshold=1000, edgeitems=3, linewidth=80, sci_mode=None)
    cytorch.set_printoptions(profile="short", linewidth=100)
    assert cytorch.get_printoptions() == dict(precision=2, threshold=1000, edgeitems=2, linewidth=100, sci_mode=None)
    cytorch.set_printoptions(profile="full")
    assert cytorch.get_printoptions()["threshold"] == math.inf
    assert "..." not in repr(cytorch.arange(5000))
    with pytest.raises(ValueError):
        cytorch.set_printoptions(profile="nope")


def test_default_dtype_suffix(restore_printoptions):
    old = cytorch.get_default_dtype()
    cytorch.set_default_dtype(cytorch.float64)
    try:
        assert repr(cytorch.tensor([1.5], dtype=cytorch.float64)) == "tensor([1.5000])"
        assert repr(cytorch.tensor([1.5], dtype=cytorch.float32)) == "tensor([1.5000], dtype=cytorch.float32)"
        assert repr(cytorch.tensor([1j], dtype=cytorch.complex128)) == "tensor([0.+1.j])"
    finally:
        cytorch.set_default_dtype(old)


def test_autograd_suffixes_are_extensible():
    class Fn:
        def name(self):
            return "AddBackward0"

    class Fake(cytorch.Tensor):
        pass
    t = cytorch.tensor([1.0, 2.0])._as_subclass(Fake)
    t.requires_grad = True
    assert repr(t) == "tensor([1., 2.], requires_grad=True)"
    t._set_grad_fn(Fn())   # grad_fn is read-only, as in torch; any object with name() prints
    assert repr(t) == "tensor([1., 2.], grad_fn=<AddBackward0>)"
    assert cytorch.Tensor.__repr__(t, tensor_contents="[...]") == "tensor([...], grad_fn=<AddBackward0>)"


# ---------------------------------------------------------------- finfo / iinfo

@pytest.mark.parametrize("name", ["float16", "float32", "float64"])
def test_finfo_against_numpy(name):
    f, n = cytorch.finfo(getattr(cytorch, name)), np.finfo(name)
    assert f.bits == n.bits and f.eps == float(n.eps) and f.max == float(n.max) and f.min == float(n.min)
    assert f.tiny == float(n.tiny) and f.smallest_normal == float(n.smallest_normal)
    assert f.resolution == 10.0 ** -int(n.precision) and f.dtype == name


@pytest.mark.parametrize("name", ["float16", "bfloat16", "float32", "float64", "complex64", "complex128"])
def test_finfo_against_torch(torch, name):
    f, t = cytorch.finfo(getattr(cytorch, name)), torch.finfo(getattr(torch, name))
    for attr in ["bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"]:
        assert getattr(f, attr) == getattr(t, attr), attr
    assert repr(f) == repr(t)


@pytest.mark.parametrize("name", ["uint8", "int8", "int16", "int32", "int64"])
def test_iinfo(torch, name):
    i, n = cytorch.iinfo(getattr(cytorch, name)), np.iinfo(name)
    assert (i.bits, i.min, i.max, i.dtype) == (n.bits, int(n.min), int(n.max), name)
    assert repr(i) == repr(torch.iinfo(getattr(torch, name)))


def test_info_errors_and_defaults():
    with pytest.raises(TypeError):
        cytorch.iinfo(cytorch.float32)
    with pytest.raises(TypeError):
        cytorch.iinfo(cytorch.bool)
    with pytest.raises(TypeError):
        cytorch.finfo(cytorch.int32)
    assert cytorch.finfo().dtype == "float32"
    assert cytorch.finfo(cytorch.float32) == cytorch.finfo(cytorch.complex64)
    assert cytorch.finfo(cytorch.float32) != cytorch.finfo(cytorch.float64)


def test_repr_fuzz_against_torch(torch, restore_printoptions):
    rs = np.random.RandomState(1234)
    for _ in range(250):
        nd = rs.randint(0, 4)
        shape = tuple(rs.randint(0 if rs.rand() < 0.05 else 1, 14 if nd < 3 else 6, size=nd))
        kind = rs.choice(["f", "i", "b", "c", "h", "bf", "d"])
        scale = 10.0 ** rs.randint(-9, 12)
        x = np.asarray(rs.randn(*shape) * scale)
        if rs.rand() < 0.3:
            x = np.round(x)
        if rs.rand() < 0.1 and x.size:
            x.flat[rs.randint(x.size)] = rs.choice([np.nan, np.inf, -np.inf, 0.0])
        with np.errstate(invalid="ignore"):
            arr = {"i": lambda: np.nan_to_num(np.clip(x, -2 ** 62, 2 ** 62)).astype(np.int64),
                   "b": lambda: x > 0,
                   "c": lambda: (x + 1j * np.asarray(rs.randn(*shape)) * scale).astype(np.complex64),
                   "d": lambda: x.astype(np.float64)}.get(kind, lambda: x.astype(np.float32))()
        arr = np.asarray(arr)
        tt, ct = torch.from_numpy(arr.copy()), cytorch.from_numpy(arr.copy())
        if kind in ("h", "bf"):
            tt, ct = (tt.half(), ct.half()) if kind == "h" else (tt.bfloat16(), ct.bfloat16())
        opts = {}
        if rs.rand() < 0.3:
            opts["precision"] = int(rs.randint(0, 8))
        if rs.rand() < 0.2:
            opts["linewidth"] = int(rs.randint(20, 150))
        if rs.rand() < 0.2:
            opts.update(threshold=int(rs.randint(5, 50)), edgeitems=int(rs.randint(1, 4)))
        if rs.rand() < 0.2:
            opts["sci_mode"] = bool(rs.rand() < 0.5)
        torch.set_printoptions(**opts)
        cytorch.set_printoptions(**opts)
        try:
            assert repr(ct) == repr(tt).replace("torch.", "cytorch."), (opts, kind, shape)
        finally:
            torch.set_printoptions(profile="default")
            cytorch.set_printoptions(profile="default")
