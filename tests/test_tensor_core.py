"""Tensor metadata, views, creation and conversion against NumPy."""
import copy
import math
import pickle

import numpy as np
import pytest

import cytorch as ct
from conftest import assert_close, np_of


def test_metadata():
    t = ct.zeros(2, 3, 4)
    assert t.shape == (2, 3, 4) and isinstance(t.shape, ct.Size) and repr(t.shape) == "cytorch.Size([2, 3, 4])"
    assert t.size() == (2, 3, 4) and t.size(1) == 3 and t.size(-1) == 4
    assert t.stride() == (12, 4, 1) and t.stride(0) == 12
    assert t.dim() == 3 and t.ndim == 3 and t.numel() == 24
    assert t.element_size() == 4 and t.dtype == ct.float32
    assert t.is_contiguous() and t.storage_offset() == 0
    assert t.device == ct.device("cpu") and str(t.device) == "cpu" and not t.is_cuda
    assert t.data_ptr() != 0
    with pytest.raises(IndexError, match="Dimension out of range"):
        t.size(3)
    assert ct.Size([2, 3]).numel() == 6


def test_dtypes():
    assert ct.float32.is_floating_point and not ct.int64.is_floating_point
    assert ct.complex64.is_complex and ct.float == ct.float32 and ct.long == ct.int64
    assert ct.double == ct.float64 and ct.half == ct.float16 and ct.cfloat == ct.complex64
    assert repr(ct.float32) == "cytorch.float32"
    assert ct.int8.itemsize == 1 and ct.complex128.itemsize == 16
    assert pickle.loads(pickle.dumps(ct.int16)) is ct.int16
    assert ct.get_default_dtype() == ct.float32
    ct.set_default_dtype(ct.float64)
    try:
        assert ct.tensor([1.5]).dtype == ct.float64
        assert ct.ones(2).dtype == ct.float64
        assert (ct.tensor([1]) * 1.5).dtype == ct.float64
        assert ct.tensor([1j]).dtype == ct.complex128
    finally:
        ct.set_default_dtype(ct.float32)
    with pytest.raises(TypeError):
        ct.set_default_dtype(ct.int64)


@pytest.mark.parametrize("data,dtype", [
    ([1, 2, 3], ct.int64), ([1.0, 2], ct.float32), ([True, False], ct.bool), ([1, 2j], ct.complex64),
    ([[1, 2], [3, 4]], ct.int64), (3.5, ct.float32), (7, ct.int64), ([], ct.float32)])
def test_tensor_infers_dtype(data, dtype):
    t = ct.tensor(data)
    assert t.dtype == dtype
    np.testing.assert_array_equal(np_of(t), np.array(data))


def test_tensor_from_numpy_and_back():
    a = np.arange(12, dtype=np.float64).reshape(3, 4)
    t = ct.from_numpy(a)
    assert t.dtype == ct.float64 and t.shape == (3, 4)
    a[0, 0] = 100  # shares memory
    assert t.tolist()[0][0] == 100
    n = t.numpy()
    n[1, 1] = -1
    assert a[1, 1] == -1
    c = ct.tensor(a)  # copies
    a[2, 2] = 55
    assert c.tolist()[2][2] == 10
    ft = ct.from_numpy(a[:, ::2])  # non-contiguous numpy view
    assert ft.stride() == (4, 2) and ft.tolist() == a[:, ::2].tolist()
    with pytest.raises(TypeError):
        ct.from_numpy([1, 2])
    with pytest.raises(ValueError, match="negative"):
        ct.from_numpy(a[::-1])


def test_ragged_input_error():
    with pytest.raises(ValueError):
        ct.tensor([[1, 2], [3]])


@pytest.mark.parametrize("data,exc,msg", [
    ([[1, 2], [3]], ValueError, "expected sequence of length 2 at dim 1 (got 1)"),
    ([[[1, 2], [3, 4]], [[1, 2], [3]]], ValueError, "expected sequence of length 2 at dim 2 (got 1)"),
    ([[1], [2, 3]], ValueError, "expected sequence of length 1 at dim 1 (got 2)"),
    ([[1, 2], 3], TypeError, "not a sequence"),
    ([1, [2]], TypeError, None),
    ([1, 2 ** 64], ValueError, "Overflow when unpacking long long"),
])
def test_malformed_nested_data_errors_match_pytorch(data, exc, msg):
    # PyTorch's exception type and message (checked against torch.tensor where installed)
    with pytest.raises(exc) as ours:
        ct.tensor(data)
    if msg is not None:
        assert str(ours.value) == msg
    try:
        import torch
    except ImportError:
        return
    with pytest.raises(exc) as theirs:
        torch.tensor(data)
    if msg is not None:
        assert str(theirs.value) == msg


@pytest.mark.parametrize("fn,ref", [
    (lambda: ct.zeros(2, 3), np.zeros((2, 3), np.float32)),
    (lambda: ct.ones((2, 3), dtype=ct.int32), np.ones((2, 3), np.int32)),
    (lambda: ct.full((2,), 7), np.full((2,), 7, np.int64)),
    (lambda: ct.full((2,), 7.5), np.full((2,), 7.5, np.float32)),
    (lambda: ct.full((2,), True), np.full((2,), True)),
    (lambda: ct.arange(5), np.arange(5)),
    (lambda: ct.arange(1, 4, 0.5), np.arange(1, 4, 0.5, dtype=np.float32)),
    (lambda: ct.arange(10, 0, -3), np.arange(10, 0, -3)),
    (lambda: ct.linspace(0, 1, 5), np.linspace(0, 1, 5, dtype=np.float32)),
    (lambda: ct.linspace(-2, 2, 1), np.array([-2.0], np.float32)),
    (lambda: ct.logspace(0, 2, 3), np.logspace(0, 2, 3, dtype=np.float32)),
    (lambda: ct.eye(3), np.eye(3, dtype=np.float32)),
    (lambda: ct.eye(2, 4, dtype=ct.int64), np.eye(2, 4, dtype=np.int64)),
    (lambda: ct.zeros_like(ct.ones(2, 2, dtype=ct.float64)), np.zeros((2, 2))),
    (lambda: ct.full_like(ct.ones(3), 2), np.full(3, 2, np.float32)),
    (lambda: ct.zeros(0, 4), np.zeros((0, 4), np.float32)),
])
def test_creation(fn, ref):
    assert_close(fn(), ref)


def test_creation_errors():
    with pytest.raises(RuntimeError, match="negative dimension"):
        ct.empty(-1)
    with pytest.raises(RuntimeError, match="step must be nonzero"):
        ct.arange(0, 1, 0)
    with pytest.raises(RuntimeError):
        ct.arange(0, 10, -1)
    with pytest.raises(TypeError):
        ct.zeros(2.5)
    with pytest.raises(RuntimeError, match="cuda"):
        ct.zeros(2, device="cuda")


def test_arange_against_torch(torch):
    for args in [(5,), (1, 7, 2), (0, 1, 0.1), (-3.5, 2.25, 0.75), (10, 1, -2)]:
        np.testing.assert_allclose(ct.arange(*args).numpy(), torch.arange(*args).numpy(), rtol=1e-6)
        assert str(ct.arange(*args).dtype)[8:] == str(torch.arange(*args).dtype)[6:]
    np.testing.assert_allclose(ct.linspace(-1, 3, 7).numpy(), torch.linspace(-1, 3, 7).numpy(), rtol=1e-6)


class TestViews:
    def setup_method(self):
        self.a = np.arange(24.0).reshape(2, 3, 4)
        self.t = ct.tensor(self.a)

    def test_view_shares_storage(self):
        v = self.t.view(6, 4)
        v.fill_(1)
        assert self.t.tolist()[1][2][3] == 1
        assert v.untyped_storage() is self.t.untyped_storage()

    def test_view_and_reshape(self):
        assert_close(self.t.view(4, -1), self.a.reshape(4, -1))
        assert_close(self.t.reshape(-1), self.a.reshape(-1))
        tt = self.t.transpose(0, 2)
        with pytest.raises(RuntimeError, match="view size is not compatible"):
            tt.view(-1)
        assert_close(tt.reshape(-1), self.a.transpose(2, 1, 0).reshape(-1))
        assert_close(tt.view(4, 3, 2), self.a.transpose(2, 1, 0))
        with pytest.raises(RuntimeError, match="invalid for input of size 24"):
            self.t.view(5, -1)
        with pytest.raises(RuntimeError, match="only one dimension can be inferred"):
            self.t.view(-1, -1)
        # splitting a dim of a permuted tensor is viewable
        p = self.t.permute(2, 0, 1)
        assert_close(p.view(2, 2, 2, 3), self.a.transpose(2, 0, 1).reshape(2, 2, 2, 3))

    def test_permute_transpose_t(self):
        assert_close(self.t.permute(2, 0, 1), self.a.transpose(2, 0, 1))
        assert_close(self.t.permute((1, 2, 0)), self.a.transpose(1, 2, 0))
        assert_close(self.t.transpose(-1, 0), np.swapaxes(self.a, -1, 0))
        m = ct.tensor(self.a[0])
        assert_close(m.t(), self.a[0].T)
        with pytest.raises(RuntimeError):
            self.t.t()
        with pytest.raises(RuntimeError, match="duplicate"):
            self.t.permute(0, 0, 1)
        with pytest.raises(RuntimeError):
            self.t.permute(0, 1)

    def test_expand(self):
        x = ct.tensor([[1.0], [2.0]])
        e = x.expand(2, 3)
        assert e.stride() == (1, 0)
        assert_close(e, np.broadcast_to([[1.0], [2.0]], (2, 3)).astype(np.float32))
        assert_close(x.expand(4, -1, 5), np.broadcast_to(np.float32([[1.0], [2.0]]), (4, 2, 5)))
        with pytest.raises(RuntimeError, match="must match the existing size"):
            x.expand(3, 3)

    def test_squeeze_unsqueeze(self):
        x = ct.zeros(1, 3, 1, 2)
        assert x.squeeze().shape == (3, 2)
        assert x.squeeze(0).shape == (3, 1, 2)
        assert x.squeeze(1).shape == (1, 3, 1, 2)
        assert x.squeeze((0, 2)).shape == (3, 2)
        assert x.unsqueeze(0).shape == (1, 1, 3, 1, 2)
        assert x.unsqueeze(-1).shape == (1, 3, 1, 2, 1)
        assert ct.tensor(5.0).unsqueeze(0).shape == (1,)
        with pytest.raises(IndexError):
            x.unsqueeze(6)

    def test_flatten_narrow_select(self):
        assert_close(self.t.flatten(), self.a.ravel())
        assert_close(self.t.flatten(1), self.a.reshape(2, 12))
        assert_close(self.t.flatten(0, 1), self.a.reshape(6, 4))
        assert_close(self.t.narrow(2, 1, 2), self.a[:, :, 1:3])
        assert_close(self.t.narrow(-1, -2, 2), self.a[:, :, 2:4])
        assert_close(self.t.select(1, -1), self.a[:, -1])
        with pytest.raises(IndexError):
            self.t.select(0, 2)
        with pytest.raises(RuntimeError):
            self.t.narrow(0, 1, 5)
        assert ct.tensor(3.0).flatten().shape == (1,)

    def test_contiguous(self):
        tt = self.t.transpose(0, 1)
        assert not tt.is_contiguous()
        c = tt.contiguous()
        assert c.is_contiguous() and c.stride() == (8, 4, 1)
        assert_close(c, self.a.transpose(1, 0, 2))
        assert self.t.contiguous() is self.t

    def test_as_strided(self):
        x = ct.arange(10.0)
        w = x._as_strided((4, 3), (2, 1), 1)
        ref = np.lib.stride_tricks.as_strided(np.arange(10.0)[1:], (4, 3), (16, 8))
        assert_close(w, ref.astype(np.float32))
        with pytest.raises(RuntimeError):
            x._as_strided((4, 4), (3, 1), 0)  # past the end of storage

    def test_empty_views(self):
        e = ct.zeros(0, 3)
        assert e.view(3, 0).shape == (3, 0)
        assert e.reshape(-1, 3).shape == (0, 3)
        assert e.t().contiguous().shape == (3, 0)


class TestConversion:
    @pytest.mark.parametrize("dst", [ct.float16, ct.bfloat16, ct.float32, ct.float64, ct.int8, ct.uint8, ct.int16,
                                     ct.int32, ct.int64, ct.bool, ct.complex64, ct.complex128])
    def test_to_dtype(self, dst):
        src = ct.tensor([0.0, 1.0, 2.5, -3.75])
        r = src.to(dst)
        assert r.dtype == dst
        expected = np.array([0.0, 1.0, 2.5, -3.75])
        if dst == ct.bool:
            expected = expected != 0
        elif not (dst.is_floating_point or dst.is_complex):
            expected = np.trunc(expected)
            if dst == ct.uint8:
                expected = expected.astype(np.int64).astype(np.uint8)
        back = np_of(r).astype(np.float64) if dst != ct.bool else np_of(r)
        np.testing.assert_allclose(back, expected.astype(back.dtype), rtol=1e-2)

    def test_shorthands(self):
        t = ct.tensor([1.7, -2.2])
        assert t.long().tolist() == [1, -2] and t.int().dtype == ct.int32
        assert t.double().dtype == ct.float64 and t.half().dtype == ct.float16
        assert t.bool().tolist() == [True, True] and t.bfloat16().dtype == ct.bfloat16
        assert t.type() == "cytorch.FloatTensor" and t.type(ct.float64).dtype == ct.float64
        assert t.to(ct.float32) is t and t.to(ct.float32, copy=True) is not t
        assert t.to("cpu") is t and t.to(ct.ones(1, dtype=ct.int64)).dtype == ct.int64
        assert t.cpu() is t

    def test_half_rounding_matches_numpy(self):
        x = np.random.default_rng(1).standard_normal(1000).astype(np.float32) * 1000
        x = np.concatenate([x, np.float32([65504, 65520, 1e-8, 6e-8, -0.0, np.inf, -np.inf])])
        h = ct.tensor(x).half()
        np.testing.assert_array_equal(np_of(h), x.astype(np.float16))
        np.testing.assert_array_equal(np_of(h.float()), x.astype(np.float16).astype(np.float32))

    def test_bfloat16_against_torch(self, torch):
        x = np.random.default_rng(2).standard_normal(1000).astype(np.float32)
        ours = ct.tensor(x).bfloat16().float().numpy()
        theirs = torch.tensor(x).bfloat16().float().numpy()
        np.testing.assert_array_equal(ours, theirs)

    def test_item_and_scalars(self):
        assert ct.tensor([2.5]).item() == 2.5
        assert ct.tensor(3).item() == 3 and isinstance(ct.tensor(3).item(), int)
        assert ct.tensor(True).item() is True
        assert ct.tensor(1 + 2j).item() == 1 + 2j
        with pytest.raises(RuntimeError, match="cannot be converted to Scalar"):
            ct.ones(2).item()
        assert float(ct.tensor([1.5])) == 1.5 and int(ct.tensor(7)) == 7
        assert bool(ct.tensor([0.0])) is False
        with pytest.raises(RuntimeError, match="ambiguous"):
            bool(ct.ones(2))
        assert [10, 20, 30][ct.tensor(1)] == 20
        with pytest.raises(TypeError):
            [1, 2][ct.tensor(1.0)]

    def test_tolist(self):
        a = np.arange(6).reshape(2, 3)
        assert ct.tensor(a).tolist() == a.tolist()
        assert ct.tensor(a).t().tolist() == a.T.tolist()
        assert ct.zeros(0, 2).tolist() == []

    def test_copy_and_fill(self):
        a = ct.zeros(2, 3)
        a.copy_(ct.tensor([1, 2, 3]))  # broadcast + dtype conversion
        assert a.tolist() == [[1, 2, 3], [1, 2, 3]]
        a.fill_(2.5)
        assert a.tolist() == [[2.5] * 3] * 2
        a.zero_()
        assert a.tolist() == [[0.0] * 3] * 2
        b = ct.tensor([[1.0, 2.0], [3.0, 4.0]])
        b.copy_(b.t())  # overlapping source
        assert b.tolist() == [[1.0, 3.0], [2.0, 4.0]]
        with pytest.raises(RuntimeError):
            a.copy_(ct.ones(4))

    def test_clone_independent(self):
        a = ct.tensor([1.0, 2.0])
        c = a.clone()
        c.fill_(0)
        assert a.tolist() == [1.0, 2.0]
        assert ct.clone(a.t() if a.dim() == 2 else a).tolist() == [1.0, 2.0]

    def test_pickle_and_deepcopy(self):
        for t in [ct.tensor([[1.0, 2.0], [3.0, 4.0]]), ct.tensor([1, 2], dtype=ct.int8),
                  ct.tensor([True]), ct.tensor([1 + 1j]), ct.ones(0, 2), ct.tensor([1.5]).bfloat16()]:
            for r in (pickle.loads(pickle.dumps(t)), copy.deepcopy(t)):
                assert r.dtype == t.dtype and r.shape == t.shape and r.tolist() == t.tolist()
                assert r.data_ptr() != t.data_ptr() or t.numel() == 0
        tt = ct.tensor([[1.0, 2.0], [3.0, 4.0]]).t()
        assert pickle.loads(pickle.dumps(tt)).tolist() == tt.tolist()


def test_protocols():
    t = ct.tensor([[1, 2], [3, 4]])
    assert len(t) == 2
    assert [r.tolist() for r in t] == [[1, 2], [3, 4]]
    with pytest.raises(TypeError):
        len(ct.tensor(1))
    assert hash(t) == hash(t) and hash(t) != hash(ct.tensor([[1, 2], [3, 4]]))
    d = {t: 1}
    assert d[t] == 1
    assert np.asarray(t).tolist() == [[1, 2], [3, 4]]
    assert np.array(t, dtype=np.float32).dtype == np.float32
    assert f"{ct.tensor(2.5):.2f}" == "2.50"


def test_legacy_constructor():
    assert ct.Tensor(2, 3).shape == (2, 3) and ct.Tensor(2, 3).dtype == ct.float32
    assert ct.Tensor([1, 2]).dtype == ct.float32 and ct.Tensor([1, 2]).tolist() == [1.0, 2.0]
    assert isinstance(ct.ones(1), ct.Tensor) and ct.is_tensor(ct.ones(1)) and not ct.is_tensor([1])


def test_cuda_unavailable():
    assert ct.cuda.is_available() is False
    with pytest.raises(RuntimeError, match="cuda"):
        ct.ones(2).to("cuda")
    with pytest.raises(RuntimeError, match="cuda"):
        ct.ones(2).cuda()
    assert ct.device("cuda:0").index == 0


def test_num_threads():
    old = ct.get_num_threads()
    try:
        ct.set_num_threads(1)
        assert ct.get_num_threads() == 1
    finally:
        ct.set_num_threads(old)
    with pytest.raises(RuntimeError):
        ct.set_num_threads(0)


from hypothesis import given, settings, strategies as st  # noqa: E402


@st.composite
def permuted_and_target(draw):
    nd = draw(st.integers(1, 4))
    shape = draw(st.lists(st.integers(0, 4), min_size=nd, max_size=nd))
    perm = draw(st.permutations(range(nd)))
    n = int(np.prod(shape))
    # a target shape with the same element count: factor n into up to 4 dims
    dims = []
    rest = n
    for _ in range(draw(st.integers(0, 3))):
        divs = [d for d in range(1, 5) if rest % d == 0] if rest else [0, 1, 2]
        d = draw(st.sampled_from(divs))
        dims.append(d)
        rest = rest // d if d else rest
    if n == 0 and 0 not in dims:
        dims.append(0)
    target = dims + [rest if n else draw(st.integers(1, 3))]
    return shape, perm, target


@settings(max_examples=200, deadline=None)
@given(permuted_and_target())
def test_reshape_view_matches_numpy(case):
    shape, perm, target = case
    a = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape).transpose(perm)
    t = ct.tensor(np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)).permute(*perm)
    r = t.reshape(target)
    np.testing.assert_array_equal(r.numpy(), a.reshape(target))
    try:
        v = t.view(target)
    except RuntimeError:
        return
    np.testing.assert_array_equal(v.numpy(), a.reshape(target))
    assert v.untyped_storage() is t.untyped_storage()


def test_huge_sizes_raise_instead_of_overflowing():
    with pytest.raises(RuntimeError, match="overflow"):
        ct.empty(2 ** 40, 2 ** 40)
    with pytest.raises((RuntimeError, MemoryError)):
        ct.empty(2 ** 62)


def test_return_types_unpack_name_and_pickle():
    x = ct.tensor([[3.0, 1.0], [2.0, 5.0]])
    values, indices = x.max(1)
    r = ct.sort(ct.tensor([3, 1, 2]))
    assert values.tolist() == [3.0, 5.0] and indices.tolist() == [0, 1]
    assert type(r) is ct.return_types.sort and r.indices.tolist() == [1, 2, 0]
    back = pickle.loads(pickle.dumps(r))
    assert back.values.tolist() == [1, 2, 3] and type(back) is ct.return_types.sort
    assert repr(x.min(0)).startswith("cytorch.return_types.min(\nvalues=")


def test_tensor_from_nested_list_makes_no_reference_cycles():
    import gc
    gc.collect()
    gc.disable()
    try:
        for _ in range(200):
            ct.tensor([[1.0, 2.0], [3.0, 4.0]])
        assert gc.collect() == 0
    finally:
        gc.enable()


@pytest.mark.parametrize("data", [
    [1, 2, 3], [1.5, 2], [True, False], [1, 2.5, True], [1j, 2], [[1.0, 2.0], [3.0, 4.0]], [[[1], [2]]],
    [np.float64(1.5)], [np.float32(1.5)], [np.int32(1)], [np.int16(1), 2], [np.float32(1), 2.5],
    [np.float64(1), np.float32(2)], [np.int32(1), 2.5], [np.bool_(True)], [np.uint8(3)], [np.float16(1)],
])
def test_tensor_from_python_data_infers_dtype_like_torch(torch, data):
    ours, theirs = ct.tensor(data), torch.tensor(data)
    assert str(ours.dtype).split(".")[1] == str(theirs.dtype).split(".")[1]
    assert ours.tolist() == theirs.tolist()


def test_tensor_from_lists_with_dtype_and_ragged_errors():
    assert ct.tensor([1.7, -2.7], dtype=ct.int64).tolist() == [1, -2]
    assert ct.tensor([[1, 2], [3, 4]], dtype=ct.float64).dtype == ct.float64
    with pytest.raises(ValueError, match="expected sequence"):
        ct.tensor([[1, 2], [3]])
    with pytest.raises(TypeError):
        ct.tensor([1, "a"])
