"""Interop: DLPack (NumPy, PyTorch, capsules), the NumPy array protocols, pickling, copying,
Python number/sequence protocols, and the thread setting."""
import copy
import gc
import pickle
import weakref

import numpy as np
import pytest

import cytorch
from conftest import assert_close, np_of

ALL = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64",
       "complex64", "complex128"]
NUMPY_OK = [n for n in ALL if n != "bfloat16"]


def _data(name, shape=(3, 4), seed=0):
    """A NumPy array of the given cytorch dtype name (bfloat16 as float32), non-trivial values."""
    rng = np.random.default_rng(seed)
    x = rng.integers(-50, 50, size=shape)
    if name == "bool":
        return x > 0
    if name == "uint8":
        return np.abs(x).astype(np.uint8)
    if name.startswith("complex"):
        return (x + 1j * rng.integers(-5, 5, size=shape)).astype(name)
    if name == "bfloat16":
        return (x / 4).astype(np.float32)
    return (x / 4 if name.startswith("float") else x).astype(name)


def _tensor(name, shape=(3, 4), seed=0):
    return cytorch.tensor(_data(name, shape, seed)).to(getattr(cytorch, name))


def _views(t):
    """The tensor itself and non-contiguous views of it (transposed, narrowed, expanded)."""
    yield "contiguous", t
    yield "transposed", t.t()
    yield "narrowed", t.narrow(1, 1, 2)
    yield "expanded", t.narrow(0, 0, 1).expand(4, t.shape[1])


# ------------------------------------------------------------------------------------- DLPack

def test_dlpack_device():
    assert cytorch.ones(2).__dlpack_device__() == (1, 0)


@pytest.mark.parametrize("name", NUMPY_OK)
def test_numpy_from_dlpack_shares_memory(name):
    t = _tensor(name)
    for label, v in _views(t):
        a = np.from_dlpack(v)
        assert a.dtype == np.dtype(name), label
        assert a.shape == tuple(v.shape), label
        assert a.strides == tuple(s * v.element_size() for s in v.stride()), label
        np.testing.assert_array_equal(a, np_of(v))
        assert a.__array_interface__["data"][0] == v.data_ptr(), label


@pytest.mark.parametrize("name", NUMPY_OK)
def test_from_dlpack_numpy_shares_memory(name):
    a = _data(name, (4, 5), seed=1)
    for label, src in (("contiguous", a), ("transposed", a.T), ("sliced", a[1:3, ::2]),
                       ("empty", a[:0]), ("0-d", a[1:2, 1:2].reshape(()))):
        t = cytorch.from_dlpack(src)
        assert t.dtype == getattr(cytorch, name), label
        assert tuple(t.shape) == src.shape, label
        np.testing.assert_array_equal(np_of(t), src)
        if src.size:
            assert t.data_ptr() == src.__array_interface__["data"][0], label


def test_dlpack_writes_visible_both_ways():
    a = np.zeros((2, 3), dtype=np.float32)
    t = cytorch.from_dlpack(a)
    t.fill_(4.0)
    np.testing.assert_array_equal(a, np.full((2, 3), 4.0, np.float32))
    a[1, 2] = -1.0
    assert t.tolist()[1][2] == -1.0

    t2 = cytorch.zeros(3, 2, dtype=cytorch.int64)
    b = np.from_dlpack(t2.t())
    b[0, 1] = 9
    assert t2.tolist() == [[0, 0], [9, 0], [0, 0]]
    t2.narrow(0, 2, 1).fill_(5)
    np.testing.assert_array_equal(b, [[0, 9, 5], [0, 0, 5]])


def test_dlpack_float_results_match_numpy_math():
    # Data passed through DLPack must be usable by our kernels (strided import, no copy).
    a = np.arange(12, dtype=np.float64).reshape(3, 4).T
    t = cytorch.from_dlpack(a)
    assert_close(cytorch.exp(t * 0.1) + t, np.exp(a * 0.1) + a, rtol=1e-12, atol=0)


@pytest.mark.parametrize("name", ALL)
def test_torch_from_dlpack(torch, name):
    t = _tensor(name)
    for label, v in _views(t):
        tt = torch.from_dlpack(v)
        assert tt.dtype == getattr(torch, name), label
        assert tuple(tt.shape) == tuple(v.shape) and tuple(tt.stride()) == tuple(v.stride()), label
        assert tt.data_ptr() == v.data_ptr(), label
        assert tt.tolist() == v.tolist(), label


@pytest.mark.parametrize("name", ALL)
def test_from_dlpack_torch(torch, name):
    src = torch.from_numpy(_data(name, (4, 5), seed=2)).to(getattr(torch, name))
    for label, s in (("contiguous", src), ("transposed", src.t()), ("sliced", src[1:3, ::2]),
                     ("expanded", src[:1].expand(3, 5)), ("empty", src[:0]), ("0-d", src[1, 2])):
        t = cytorch.from_dlpack(s)
        assert t.dtype == getattr(cytorch, name), label
        assert tuple(t.shape) == tuple(s.shape) and tuple(t.stride()) == tuple(s.stride()), label
        assert t.tolist() == s.tolist(), label
        if s.numel():
            assert t.data_ptr() == s.data_ptr(), label


def test_torch_dlpack_writes_visible_both_ways(torch):
    t = cytorch.zeros(2, 2)
    tt = torch.from_dlpack(t)
    tt[0, 1] = 3.0
    assert t.tolist() == [[0.0, 3.0], [0.0, 0.0]]
    t.fill_(1.5)
    assert tt.tolist() == [[1.5, 1.5], [1.5, 1.5]]

    src = torch.zeros(3, dtype=torch.int32)
    c = cytorch.from_dlpack(src)
    c.fill_(7)
    assert src.tolist() == [7, 7, 7]


def test_legacy_capsules(torch):
    t = cytorch.arange(6).reshape(2, 3)
    cap = cytorch.utils.dlpack.to_dlpack(t)
    assert 'capsule object "dltensor"' in repr(cap)
    tt = torch.utils.dlpack.from_dlpack(cap)
    assert 'capsule object "used_dltensor"' in repr(cap)
    assert tt.tolist() == t.tolist() and tt.data_ptr() == t.data_ptr()
    with pytest.raises(RuntimeError, match="consumed only once"):
        cytorch.from_dlpack(cap)

    src = torch.arange(5, dtype=torch.float64)
    cap2 = torch.utils.dlpack.to_dlpack(src)
    c = cytorch.utils.dlpack.from_dlpack(cap2)
    assert 'used_dltensor' in repr(cap2)
    assert c.tolist() == src.tolist() and c.data_ptr() == src.data_ptr()


def test_versioned_capsule():
    t = cytorch.arange(4, dtype=cytorch.float32)
    cap = t.__dlpack__(max_version=(1, 0))
    assert 'capsule object "dltensor_versioned"' in repr(cap)
    assert 'capsule object "dltensor"' in repr(t.__dlpack__())
    assert 'capsule object "dltensor"' in repr(t.__dlpack__(max_version=(0, 8)))
    u = cytorch.from_dlpack(cap)
    assert 'used_dltensor_versioned' in repr(cap)
    assert u.data_ptr() == t.data_ptr() and u.tolist() == [0.0, 1.0, 2.0, 3.0]
    with pytest.raises(RuntimeError):
        cytorch.from_dlpack(cap)


def test_dlpack_copy_flag():
    t = cytorch.arange(6.0).reshape(2, 3).t()
    a = np.from_dlpack(t, copy=True)
    assert a.__array_interface__["data"][0] != t.data_ptr()
    np.testing.assert_array_equal(a, np_of(t))
    a[0, 0] = 100
    assert t.tolist()[0][0] == 0.0
    b = np.from_dlpack(t, copy=False)
    assert b.__array_interface__["data"][0] == t.data_ptr()
    c = cytorch.from_dlpack(t.__dlpack__(max_version=(1, 0), copy=True))
    assert c.data_ptr() != t.data_ptr() and c.tolist() == t.tolist()


def test_dlpack_lifetime_producer_kept_alive():
    t = cytorch.arange(1000, dtype=cytorch.float64)
    ref = weakref.ref(t)
    a = np.from_dlpack(t)
    del t
    gc.collect()
    assert ref() is not None          # the capsule's manager holds the tensor
    np.testing.assert_array_equal(a, np.arange(1000, dtype=np.float64))
    del a
    gc.collect()
    assert ref() is None              # the deleter ran and released it


def test_unconsumed_capsule_releases_tensor():
    t = cytorch.ones(10)
    ref = weakref.ref(t)
    caps = [t.__dlpack__(), t.__dlpack__(max_version=(1, 0))]
    del t
    gc.collect()
    assert ref() is not None
    del caps
    gc.collect()
    assert ref() is None


def test_imported_memory_kept_alive():
    a = np.arange(100, dtype=np.int32)
    ref = weakref.ref(a)
    t = cytorch.from_dlpack(a)
    v = t.narrow(0, 10, 5)
    del a, t
    gc.collect()
    assert ref() is not None
    assert v.tolist() == [10, 11, 12, 13, 14]
    del v
    gc.collect()
    assert ref() is None


def test_dlpack_errors():
    t = cytorch.ones(2)
    with pytest.raises(BufferError):
        t.__dlpack__(dl_device=(2, 0))
    assert 'dltensor' in repr(t.__dlpack__(dl_device=(1, 0)))
    with pytest.raises(ValueError, match="stream"):
        t.__dlpack__(stream=5)
    with pytest.raises(TypeError):
        cytorch.from_dlpack([1, 2, 3])
    with pytest.raises(BufferError, match="unsupported DLPack dtype"):
        cytorch.from_dlpack(np.arange(3, dtype=np.uint16))
    with pytest.raises(RuntimeError, match="negative strides"):
        cytorch.from_dlpack(np.arange(4.0)[::-1])

    class OnGPU:
        def __dlpack_device__(self):
            return (2, 0)

        def __dlpack__(self, **kw):
            raise AssertionError("must not be called")

    with pytest.raises(RuntimeError, match="CPU"):
        cytorch.from_dlpack(OnGPU())


def test_numpy_rejects_bfloat16_dlpack():
    t = cytorch.ones(2, dtype=cytorch.bfloat16)
    with pytest.raises((BufferError, RuntimeError, TypeError)):
        np.from_dlpack(t)


def test_old_producer_without_max_version():
    class Old:
        def __init__(self, a):
            self.a = a

        def __dlpack_device__(self):
            return (1, 0)

        def __dlpack__(self, stream=None):
            return self.a.__dlpack__()

    a = np.arange(3.0)
    t = cytorch.from_dlpack(Old(a))
    assert t.tolist() == [0.0, 1.0, 2.0] and t.data_ptr() == a.ctypes.data


def test_from_dlpack_of_cytorch_tensor():
    t = cytorch.arange(6.0).reshape(2, 3).t()
    u = cytorch.from_dlpack(t)
    assert u is not t and u.data_ptr() == t.data_ptr() and u.stride() == t.stride()
    u.fill_(1.0)
    assert t.tolist() == [[1.0, 1.0]] * 3


def test_from_dlpack_exported():
    assert cytorch.from_dlpack is cytorch.utils.dlpack.from_dlpack
    assert cytorch.to_dlpack is cytorch.utils.dlpack.to_dlpack
    assert "from_dlpack" in cytorch.utils.dlpack.__all__
    assert cytorch.utils.dlpack.DLDeviceType.kDLCPU == 1
    with pytest.raises(TypeError):
        cytorch.to_dlpack(np.ones(2))


# ------------------------------------------------------------------------ NumPy protocols

@pytest.mark.parametrize("name", NUMPY_OK)
def test_numpy_method_zero_copy(name):
    t = _tensor(name)
    for label, v in _views(t):
        a = v.numpy()
        assert a.dtype == np.dtype(name), label
        np.testing.assert_array_equal(a, _data(name) if label == "contiguous" else np.asarray(v))
        assert a.__array_interface__["data"][0] == v.data_ptr(), label


def test_numpy_writes_visible_both_ways():
    t = cytorch.zeros(3, 4)
    a = t.t().numpy()
    a[1, 2] = 8.0
    assert t.tolist()[2][1] == 8.0
    t.fill_(2.0)
    assert (a == 2.0).all()


def test_asarray_and_array_dtype():
    t = cytorch.arange(6, dtype=cytorch.int32).reshape(2, 3)
    a = np.asarray(t)
    assert a.dtype == np.int32 and a.__array_interface__["data"][0] == t.data_ptr()
    f = np.asarray(t, dtype=np.float64)
    assert f.dtype == np.float64
    np.testing.assert_array_equal(f, np.arange(6.0).reshape(2, 3))
    c = np.array(t)           # np.array copies by default
    c[0, 0] = 99
    assert t.tolist()[0][0] == 0
    assert t.__array__(np.float32).dtype == np.float32
    assert np.asarray(cytorch.tensor(2.5)).shape == ()
    assert np.asarray(cytorch.empty(0, 3)).shape == (0, 3)


def test_bfloat16_numpy_raises(torch):
    with pytest.raises(TypeError, match="BFloat16"):
        cytorch.ones(2, dtype=cytorch.bfloat16).numpy()
    with pytest.raises(TypeError, match="BFloat16"):
        torch.ones(2, dtype=torch.bfloat16).numpy()


@pytest.mark.parametrize("name", NUMPY_OK)
def test_from_numpy_shares(name):
    a = _data(name, (3, 5), seed=3)
    t = cytorch.from_numpy(a)
    assert t.dtype == getattr(cytorch, name) and t.data_ptr() == a.ctypes.data
    np.testing.assert_array_equal(np_of(t), a)
    v = cytorch.from_numpy(a.T)
    assert tuple(v.stride()) == (1, 5)
    np.testing.assert_array_equal(np_of(v), a.T)


def test_from_numpy_write_through():
    a = np.zeros(4, dtype=np.int16)
    t = cytorch.from_numpy(a)
    t.narrow(0, 1, 2).fill_(3)
    np.testing.assert_array_equal(a, [0, 3, 3, 0])
    a[0] = -1
    assert t.tolist() == [-1, 3, 3, 0]


# -------------------------------------------------------------------- Python protocols

@pytest.mark.parametrize("name", ALL)
def test_tolist_and_item_match_torch(torch, name):
    a = _data(name, (2, 3), seed=4)
    t = cytorch.tensor(a).to(getattr(cytorch, name))
    tt = torch.from_numpy(a).to(getattr(torch, name))
    assert t.tolist() == tt.tolist()
    assert t.t().tolist() == tt.t().tolist()
    assert t.narrow(1, 2, 1).narrow(0, 1, 1).item() == tt[1, 2].item()
    assert type(t.narrow(1, 2, 1).narrow(0, 1, 1).item()) is type(tt[1, 2].item())
    assert cytorch.empty(0, 2, dtype=getattr(cytorch, name)).tolist() == []


def test_item_errors():
    with pytest.raises(RuntimeError):
        cytorch.ones(2).item()
    with pytest.raises(RuntimeError):
        cytorch.ones(0).item()


@pytest.mark.parametrize("name", ALL)
def test_pickle_roundtrip(name):
    t = _tensor(name, (3, 4), seed=5)
    for label, v in list(_views(t)) + [("empty", t.narrow(0, 0, 0)), ("0-d", t.narrow(0, 1, 1).narrow(1, 1, 1).reshape(()))]:
        for proto in (2, pickle.HIGHEST_PROTOCOL):
            r = pickle.loads(pickle.dumps(v, protocol=proto))
            assert type(r) is cytorch.Tensor, label
            assert r.dtype == v.dtype and tuple(r.shape) == tuple(v.shape), label
            assert r.tolist() == v.tolist(), label
            assert r.data_ptr() != v.data_ptr() or v.numel() == 0, label


def test_pickle_in_containers_and_subclass():
    t = cytorch.arange(5.0)
    d = pickle.loads(pickle.dumps({"w": t, "b": [t.narrow(0, 1, 2)], "dt": cytorch.float16}))
    assert d["w"].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0] and d["b"][0].tolist() == [1.0, 2.0]
    assert d["dt"] is cytorch.float16 or d["dt"] == cytorch.float16

    class MyT(cytorch.Tensor):
        pass

    m = t._as_subclass(MyT)
    m.tag = "x"
    globals()["MyT"] = MyT       # picklable by qualified name
    MyT.__qualname__ = "MyT"
    try:
        r = pickle.loads(pickle.dumps(m))
        assert type(r) is MyT and r.tag == "x" and r.tolist() == t.tolist()
    finally:
        del globals()["MyT"]


@pytest.mark.parametrize("name", ALL)
def test_deepcopy(name):
    t = _tensor(name)
    c = copy.deepcopy(t)
    assert c.dtype == t.dtype and c.tolist() == t.tolist() and c.data_ptr() != t.data_ptr()
    c.fill_(0)
    assert t.tolist() == _tensor(name).tolist()
    v = t.t()
    both = copy.deepcopy([t, t, v])
    assert both[0] is both[1] and both[2].tolist() == v.tolist()


def test_number_conversions_match_torch(torch):
    for v in (2.5, -3.75, 7, True):
        t, tt = cytorch.tensor([v]), torch.tensor([v])
        assert float(t) == float(tt) and int(t) == int(tt) and bool(t) == bool(tt)
        assert complex(t) == complex(tt)
    assert int(cytorch.tensor(-2.7)) == int(torch.tensor(-2.7)) == -2
    assert float(cytorch.tensor(1 + 0j)) == 1.0
    for f in (float, int, complex):
        with pytest.raises(ValueError):
            f(torch.ones(2))
        with pytest.raises(ValueError, match="only one element"):
            f(cytorch.ones(2))
    for f in (float, int):
        with pytest.raises(RuntimeError):
            f(torch.tensor(1 + 2j))
        with pytest.raises(RuntimeError):
            f(cytorch.tensor(1 + 2j))
    for x in (cytorch.ones(2), cytorch.ones(0)):
        with pytest.raises(RuntimeError, match="ambiguous"):
            bool(x)
    assert bool(cytorch.tensor(0.0)) is False and bool(cytorch.tensor([[3]])) is True


def test_len_and_iter():
    t = cytorch.arange(12).reshape(3, 4)
    assert len(t) == 3 and len(t.t()) == 4 and len(cytorch.empty(0, 5)) == 0
    rows = list(t)
    assert len(rows) == 3 and all(tuple(r.shape) == (4,) for r in rows)
    assert [r.tolist() for r in rows] == np.arange(12).reshape(3, 4).tolist()
    rows[1].fill_(0)                  # rows are views
    assert t.tolist()[1] == [0, 0, 0, 0]
    assert [x.item() for x in cytorch.tensor([4, 5])] == [4, 5]
    assert list(cytorch.empty(0, 2)) == []
    with pytest.raises(TypeError):
        len(cytorch.tensor(1.0))
    with pytest.raises(TypeError):
        iter(cytorch.tensor(1.0))


def test_hash_by_identity():
    a = cytorch.ones(2)
    b = cytorch.ones(2)
    assert hash(a) == object.__hash__(a) and hash(a) != hash(b)
    assert hash(a.view(2)) != hash(a)   # a view is a different object
    s = {a, b}
    assert len(s) == 2
    assert a in {a: 1} and b not in {a: 1}
    assert {a: "x"}[a] == "x"


# ----------------------------------------------------------------------------- threads

def test_set_num_threads_governs_loops_and_blas():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    import scipy.linalg.cython_blas  # noqa: F401  (load SciPy's OpenBLAS, the one we call)

    before = cytorch.get_num_threads()
    big = cytorch.arange(100_000, dtype=cytorch.float64)
    ref = np_of(cytorch.exp(big * 1e-5) + big)
    try:
        cytorch.set_num_threads(1)
        assert cytorch.get_num_threads() == 1
        info = threadpoolctl.threadpool_info()
        blas = [i for i in info if i["user_api"] == "blas"]
        assert blas, "no BLAS library found by threadpoolctl"
        assert all(i["num_threads"] == 1 for i in blas)
        # Our OpenMP runtime: a wheel bundles its own libgomp; a source build shares the process's
        # libgomp.so.1 (PyTorch's, if torch was imported first). Other libraries' copies are theirs.
        omp = [i for i in info if i["user_api"] == "openmp"]
        others = ("torch", "scikit_learn", "sklearn")         # their bundled copies are theirs
        ours = [i for i in omp if not any(o in i["filepath"] for o in others)] or omp
        assert ours and all(i["num_threads"] == 1 for i in ours)
        # Results do not depend on the thread count.
        np.testing.assert_array_equal(np_of(cytorch.exp(big * 1e-5) + big), ref)
        with pytest.raises(RuntimeError):
            cytorch.set_num_threads(0)
    finally:
        cytorch.set_num_threads(before)
    assert cytorch.get_num_threads() == before
    assert all(i["num_threads"] == before for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas")
