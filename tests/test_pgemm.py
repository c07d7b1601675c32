"""The packed gemm kernels (src_c/ct_pgemm.c) vs NumPy: every layout, edge tiles, alpha/beta,
batches, threads. Mode 2 forces them on every float32/float64 product; mode 1 (the default)
is checked on the Linear-layer shapes they are picked for."""
import numpy as np
import pytest

import cytorch
from cytorch._C import _blas

from conftest import np_of

# tile edges of the AVX-512 kernel (12 x 32 float32, 12 x 16 float64) and its blocks
# (k in passes of <= 256, 144 rows, 1024 columns per packed block)
SHAPES = [(1, 1, 1), (1, 7, 1), (5, 3, 1), (1, 300, 40), (12, 256, 32), (13, 257, 33),
          (11, 31, 17), (25, 513, 70), (145, 64, 1025), (300, 600, 47), (64, 784, 128),
          (7, 1, 9)]


@pytest.fixture(params=[2, 1, 0], ids=["packed", "auto", "blas"])
def mode(request):
    old = _blas._set_packed_gemm(request.param)
    yield request.param
    _blas._set_packed_gemm(old)


def _operand(rng, r, c, transposed, dtype):
    x = rng.standard_normal((c, r) if transposed else (r, c)).astype(dtype)
    t = cytorch.from_numpy(x)
    return (t.t(), x.T) if transposed else (t, x)


def _tol(dtype, k):
    return (1e-12 if dtype == np.float64 else 2e-5) * max(1, k) ** 0.5


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s)))
def test_mm_layouts(mode, shape, dtype):
    M, K, N = shape
    rng = np.random.default_rng(M * 1000 + K + N)
    for ta in (False, True):
        for tb in (False, True):
            a, an = _operand(rng, M, K, ta, dtype)
            b, bn = _operand(rng, K, N, tb, dtype)
            got = np_of(cytorch.mm(a, b))
            ref = an.astype(np.float64) @ bn.astype(np.float64)
            assert got.dtype == dtype
            np.testing.assert_allclose(got, ref, rtol=_tol(dtype, K), atol=_tol(dtype, K))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("alpha,beta", [(1, 1), (0.5, 2.0), (-1.5, 0), (2, -0.25), (0, 3)])
def test_addmm_alpha_beta(mode, dtype, alpha, beta):
    rng = np.random.default_rng(7)
    for M, K, N in [(37, 130, 45), (12, 256, 32), (200, 300, 100)]:
        a, an = _operand(rng, M, K, False, dtype)
        b, bn = _operand(rng, K, N, True, dtype)
        c = rng.standard_normal((M, N)).astype(dtype)
        got = np_of(cytorch.addmm(cytorch.from_numpy(c), a, b, beta=beta, alpha=alpha))
        ref = beta * c.astype(np.float64) + alpha * (an.astype(np.float64) @ bn)
        np.testing.assert_allclose(got, ref, rtol=_tol(dtype, K), atol=_tol(dtype, K))


def test_beta_zero_ignores_nan(mode):
    rng = np.random.default_rng(3)
    a, an = _operand(rng, 30, 50, False, np.float32)
    b, bn = _operand(rng, 50, 40, False, np.float32)
    c = cytorch.full((30, 40), float("nan"))
    got = np_of(cytorch.addmm(c, a, b, beta=0))
    np.testing.assert_allclose(got, an @ bn, rtol=1e-4, atol=1e-4)


def test_empty_and_zero_k(mode):
    for M, K, N in [(0, 5, 3), (4, 0, 3), (4, 5, 0), (0, 0, 0)]:
        a, b = cytorch.ones(M, K), cytorch.ones(K, N)
        got = np_of(cytorch.mm(a, b))
        np.testing.assert_array_equal(got, np.zeros((M, N), np.float32))
        c = cytorch.full((M, N), 2.0)
        got = np_of(cytorch.addmm(c, a, b, beta=3))
        np.testing.assert_array_equal(got, np.full((M, N), 6.0, np.float32))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_batched_and_broadcast(mode, dtype):
    rng = np.random.default_rng(11)
    a = rng.standard_normal((3, 2, 29, 70)).astype(dtype)
    b = rng.standard_normal((2, 70, 41)).astype(dtype)
    got = np_of(cytorch.matmul(cytorch.from_numpy(a), cytorch.from_numpy(b)))
    np.testing.assert_allclose(got, a.astype(np.float64) @ b, rtol=_tol(dtype, 70), atol=_tol(dtype, 70))
    # transposed views in the batch, and baddbmm
    at = cytorch.from_numpy(a.reshape(6, 29, 70).transpose(0, 2, 1).copy()).transpose(1, 2)
    bt = cytorch.from_numpy(rng.standard_normal((6, 41, 70)).astype(dtype)).transpose(1, 2)
    c = rng.standard_normal((6, 29, 41)).astype(dtype)
    got = np_of(cytorch.baddbmm(cytorch.from_numpy(c), at, bt, beta=0.5, alpha=2))
    ref = 0.5 * c + 2 * (np_of(at).astype(np.float64) @ np_of(bt))
    np.testing.assert_allclose(got, ref, rtol=_tol(dtype, 70), atol=_tol(dtype, 70))


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_threads_divide_packed_products(mode, threads):
    old = cytorch.get_num_threads()
    cytorch.set_num_threads(threads)
    try:
        rng = np.random.default_rng(5)
        for M, K, N, ta, tb in [(700, 128, 384, False, True), (384, 700, 128, True, False),
                                (64, 784, 130, False, False), (4, 300, 900, True, True)]:
            a, an = _operand(rng, M, K, ta, np.float32)
            b, bn = _operand(rng, K, N, tb, np.float32)
            got = np_of(cytorch.mm(a, b))
            np.testing.assert_allclose(got, an.astype(np.float64) @ bn, rtol=1e-4, atol=1e-3)
            bb = cytorch.from_numpy(np.stack([bn] * 3))
            got = np_of(cytorch.matmul(a, bb))
            np.testing.assert_allclose(got, np.stack([an.astype(np.float64) @ bn] * 3),
                                       rtol=1e-4, atol=1e-3)
    finally:
        cytorch.set_num_threads(old)


def test_same_result_as_blas_within_rounding():
    """The packed and BLAS paths agree to float32 rounding on a Linear-layer product."""
    rng = np.random.default_rng(9)
    x = cytorch.from_numpy(rng.standard_normal((256, 128)).astype(np.float32))
    w = cytorch.from_numpy(rng.standard_normal((384, 128)).astype(np.float32))
    old = _blas._set_packed_gemm(2)
    try:
        p = np_of(cytorch.mm(x, w.t()))
        _blas._set_packed_gemm(0)
        q = np_of(cytorch.mm(x, w.t()))
    finally:
        _blas._set_packed_gemm(old)
    np.testing.assert_allclose(p, q, rtol=1e-5, atol=1e-4)


def test_switch_rejects_bad_mode():
    with pytest.raises(ValueError, match="mode must be 0, 1 or 2"):
        _blas._set_packed_gemm(5)


def test_linear_backward_matches_torch(torch):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((64, 784)).astype(np.float32)
    w = rng.standard_normal((128, 784)).astype(np.float32) * 0.05
    bias = rng.standard_normal(128).astype(np.float32)
    outs = []
    for lib in (cytorch, torch):
        xt, wt, bt = (lib.tensor(v, requires_grad=True) for v in (x, w, bias))
        y = lib.nn.functional.linear(xt, wt, bt)
        (y * y).sum().backward()
        outs.append([np_of(t) if lib is cytorch else t.detach().numpy()
                     for t in (y, xt.grad, wt.grad, bt.grad)])
    for a, b in zip(*outs):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-3)


@pytest.mark.skipif(not __import__("os").path.exists("/proc/self/statm"), reason="reads /proc/self/statm")
def test_packing_buffers_are_freed_when_a_thread_exits():
    """Each thread's packing buffer (~1 MB) is freed at thread exit, so multiplying from many
    short-lived threads does not grow memory (it grew ~0.8 MiB per thread before)."""
    import threading
    a, b = cytorch.randn(512, 256), cytorch.randn(256, 512)
    old_mode, old_threads = _blas._set_packed_gemm(2), cytorch.get_num_threads()

    def rss_mib():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * 4096 / 2 ** 20

    try:
        cytorch.set_num_threads(1)
        a @ b
        before = rss_mib()
        for _ in range(100):
            t = threading.Thread(target=lambda: a @ b)
            t.start()
            t.join()
        grown = rss_mib() - before
    finally:
        _blas._set_packed_gemm(old_mode)
        cytorch.set_num_threads(old_threads)
    assert grown < 30, f"resident memory grew {grown:.1f} MiB over 100 short-lived threads"
