"""matmul family, einsum, tensordot, kron: values vs NumPy, errors, PyTorch parity."""
import numpy as np
import pytest

import cytorch
from conftest import assert_close, np_of

RNG = np.random.default_rng(0)

FLOAT_TOL = {np.float32: (1e-5, 1e-5), np.float64: (1e-12, 1e-12), np.complex64: (1e-5, 1e-5),
             np.complex128: (1e-12, 1e-12)}


def rand(shape, dt=np.float64):
    dt = np.dtype(dt)
    if dt.kind == "c":
        return (RNG.standard_normal(shape) + 1j * RNG.standard_normal(shape)).astype(dt)
    if dt.kind in "iu":
        return RNG.integers(-5 if dt.kind == "i" else 0, 6, shape).astype(dt)
    return RNG.standard_normal(shape).astype(dt)


def T(a):
    return cytorch.tensor(a)


MATMUL_SHAPES = [
    ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((5, 2, 3), (3,)), ((3,), (5, 3, 2)),
    ((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)), ((5, 2, 3), (5, 3, 4)), ((2, 1, 2, 3), (4, 3, 2)),
    ((1, 2, 3), (4, 3, 2)), ((0, 2, 3), (3, 4)), ((2, 0, 3), (2, 3, 4)), ((2, 3, 0), (2, 0, 4)),
    ((3, 0), (0, 4)), ((0,), (0,)), ((1, 1), (1, 1)), ((6, 1, 4, 5), (1, 3, 5, 2)),
]


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES)
@pytest.mark.parametrize("dt", [np.float32, np.float64, np.complex128, np.int64])
def test_matmul_shapes(sa, sb, dt):
    a, b = rand(sa, dt), rand(sb, dt)
    r = cytorch.matmul(T(a), T(b))
    tol = FLOAT_TOL.get(dt, (0, 0))
    assert_close(r, np.matmul(a, b), *tol)
    assert_close(T(a) @ T(b), np.matmul(a, b), *tol)


@pytest.mark.parametrize("dt", [np.int8, np.uint8, np.int16, np.int32])
def test_matmul_small_ints_wrap(dt):
    a, b = rand((4, 7), dt) * 9, rand((7, 3), dt) * 9
    r = cytorch.matmul(T(a), T(b))
    assert_close(r, np.matmul(a, b))


def test_matmul_int_large_parallel():
    a, b = rand((70, 80), np.int32), rand((80, 90), np.int32)
    assert_close(cytorch.mm(T(a), T(b)), a @ b)


@pytest.mark.parametrize("dt", ["float16", "bfloat16"])
def test_matmul_half(dt):
    a, b = rand((2, 5, 8), np.float32), rand((8, 3), np.float32)
    r = cytorch.matmul(T(a).to(getattr(cytorch, dt)), T(b).to(getattr(cytorch, dt)))
    assert r.dtype == getattr(cytorch, dt)
    np.testing.assert_allclose(np_of(r.float()), a @ b, rtol=5e-2, atol=1e-1)


def _views(x):
    """The same values as the 2-d array x in several non-contiguous layouts (same dtype)."""
    t = T(x)
    yield t
    yield T(np.ascontiguousarray(x.T)).t()
    big = T(np.zeros((x.shape[0] * 2, x.shape[1] * 3), x.dtype))
    v = big._as_strided(tuple(x.shape), (x.shape[1] * 6, 3), 1)
    v.copy_(t)
    yield v
    padded = T(np.zeros((x.shape[0], x.shape[1] + 4), x.dtype))
    p = padded.narrow(1, 2, x.shape[1])
    p.copy_(t)
    yield p
    yield T(x[:1]).expand(*x.shape)


@pytest.mark.parametrize("dt", [np.float32, np.float64, np.complex64, np.int32])
def test_matmul_noncontiguous(dt):
    a, b = rand((4, 5), dt), rand((5, 3), dt)
    tol = FLOAT_TOL.get(dt, (0, 0))
    for va in _views(a):
        for vb in _views(b):
            assert_close(cytorch.matmul(va, vb), np_of(va) @ np_of(vb), *tol)
            assert_close(cytorch.matmul(va.unsqueeze(0).expand(2, 4, 5), vb), np.broadcast_to(np_of(va) @ np_of(vb), (2, 4, 3)), *tol)


def test_matmul_transposed_views():
    a, b = rand((6, 4)), rand((3, 6))
    A, B = T(a), T(b)
    assert_close(A.t() @ B.t(), a.T @ b.T, 1e-12, 1e-12)
    x = rand((3, 4, 5))
    X = T(x)
    assert_close(X.transpose(1, 2) @ X, np.swapaxes(x, 1, 2) @ x, 1e-12, 1e-12)
    assert_close(X @ X.transpose(1, 2), x @ np.swapaxes(x, 1, 2), 1e-12, 1e-12)
    assert_close(X.permute(1, 0, 2) @ T(x[0].T), np.transpose(x, (1, 0, 2)) @ x[0].T, 1e-12, 1e-12)


def test_batch_fold_matches_loop():
    x, w = rand((4, 3, 5), np.float32), rand((5, 6), np.float32)
    assert_close(T(x) @ T(w), x @ w, 1e-5, 1e-5)
    # sliced batch (not foldable)
    xs = T(rand((4, 6, 5), np.float32)).narrow(1, 1, 3)
    assert_close(xs @ T(w), np_of(xs) @ w, 1e-5, 1e-5)


def test_k_zero_gives_zeros():
    r = cytorch.matmul(cytorch.ones(3, 0), cytorch.ones(0, 4))
    assert_close(r, np.zeros((3, 4), np.float32))
    r = cytorch.addmm(cytorch.ones(3, 4), cytorch.ones(3, 0), cytorch.ones(0, 4), beta=2.0)
    assert_close(r, np.full((3, 4), 2.0, np.float32))
    assert_close(cytorch.dot(cytorch.ones(0), cytorch.ones(0)), np.float32(0))


def test_matmul_errors():
    with pytest.raises(RuntimeError, match=r"2x3 and 4x5"):
        cytorch.matmul(cytorch.ones(2, 3), cytorch.ones(4, 5))
    with pytest.raises(RuntimeError, match="same dtype"):
        cytorch.matmul(cytorch.ones(2, 3), cytorch.ones(3, 2, dtype=cytorch.float64))
    with pytest.raises(RuntimeError, match="at least 1D"):
        cytorch.matmul(cytorch.tensor(1.0), cytorch.ones(3))
    with pytest.raises(RuntimeError, match="inconsistent tensor size"):
        cytorch.matmul(cytorch.ones(3), cytorch.ones(4))
    with pytest.raises(RuntimeError, match="size mismatch"):
        cytorch.mv(cytorch.ones(2, 3), cytorch.ones(4))
    with pytest.raises(RuntimeError):
        cytorch.matmul(cytorch.ones(2, 2, 3), cytorch.ones(3, 3, 2))
    with pytest.raises(NotImplementedError):
        cytorch.mm(cytorch.ones(2, 2, dtype=cytorch.bool), cytorch.ones(2, 2, dtype=cytorch.bool))
    with pytest.raises(RuntimeError, match="must be a matrix"):
        cytorch.mm(cytorch.ones(2, 3), cytorch.ones(3))
    with pytest.raises(RuntimeError, match="3D"):
        cytorch.bmm(cytorch.ones(2, 3), cytorch.ones(3, 2))
    with pytest.raises(RuntimeError, match="batch2"):
        cytorch.bmm(cytorch.ones(2, 2, 3), cytorch.ones(3, 3, 2))
    with pytest.raises(TypeError):
        cytorch.matmul(cytorch.ones(2, 2), [[1.0, 2.0]])
    with pytest.raises(RuntimeError, match="1D tensors expected"):
        cytorch.dot(cytorch.ones(2, 2), cytorch.ones(2))


def test_mm_bmm_mv_dot_vdot():
    a, b = rand((3, 4)), rand((4, 2))
    assert_close(cytorch.mm(T(a), T(b)), a @ b, 1e-12, 1e-12)
    assert_close(T(a).mm(T(b)), a @ b, 1e-12, 1e-12)
    x, y = rand((5, 3, 4)), rand((5, 4, 2))
    assert_close(cytorch.bmm(T(x), T(y)), x @ y, 1e-12, 1e-12)
    v = rand(4)
    assert_close(cytorch.mv(T(a), T(v)), a @ v, 1e-12, 1e-12)
    assert_close(cytorch.dot(T(v), T(v)), np.dot(v, v), 1e-12, 1e-12)
    c, d = rand(4, np.complex128), rand(4, np.complex128)
    assert_close(cytorch.dot(T(c), T(d)), np.dot(c, d), 1e-12, 1e-12)
    assert_close(cytorch.vdot(T(c), T(d)), np.vdot(c, d), 1e-12, 1e-12)
    assert_close(cytorch.inner(T(x), T(a)), np.inner(x, a), 1e-12, 1e-12)
    w = rand(3)
    assert_close(cytorch.outer(T(v), T(w)), np.outer(v, w))
    assert_close(cytorch.ger(T(v), T(v)), np.outer(v, v))


def test_out_argument():
    a, b = rand((3, 4)), rand((4, 2))
    o = cytorch.empty(3, 2, dtype=cytorch.float64)
    r = cytorch.matmul(T(a), T(b), out=o)
    assert r is o
    assert_close(o, a @ b, 1e-12, 1e-12)
    o = cytorch.empty(0, dtype=cytorch.float64)
    cytorch.mm(T(a), T(b), out=o)
    assert_close(o, a @ b, 1e-12, 1e-12)


@pytest.mark.parametrize("beta,alpha", [(1, 1), (0.5, 2.0), (0, 1.5)])
def test_addmm_family(beta, alpha):
    inp, a, b = rand((3, 2)), rand((3, 4)), rand((4, 2))
    assert_close(cytorch.addmm(T(inp), T(a), T(b), beta=beta, alpha=alpha), beta * inp + alpha * (a @ b),
                 1e-12, 1e-12)
    bias = rand(2)
    assert_close(cytorch.addmm(T(bias), T(a), T(b), beta=beta, alpha=alpha), beta * bias + alpha * (a @ b),
                 1e-12, 1e-12)
    v, iv = rand(4), rand(3)
    assert_close(cytorch.addmv(T(iv), T(a), T(v), beta=beta, alpha=alpha), beta * iv + alpha * (a @ v),
                 1e-12, 1e-12)
    x, y, bi = rand((5, 3, 4)), rand((5, 4, 2)), rand((5, 3, 2))
    assert_close(cytorch.baddbmm(T(bi), T(x), T(y), beta=beta, alpha=alpha), beta * bi + alpha * (x @ y),
                 1e-12, 1e-12)
    assert_close(cytorch.addbmm(T(inp), T(x), T(y), beta=beta, alpha=alpha),
                 beta * inp + alpha * (x @ y).sum(0), 1e-12, 1e-12)
    u, w = rand(3), rand(2)
    assert_close(cytorch.addr(T(inp), T(u), T(w), beta=beta, alpha=alpha), beta * inp + alpha * np.outer(u, w),
                 1e-12, 1e-12)


def test_addmm_beta_zero_ignores_nan():
    inp = T(np.full((2, 2), np.nan))
    r = cytorch.addmm(inp, cytorch.ones(2, 3, dtype=cytorch.float64), cytorch.ones(3, 2, dtype=cytorch.float64),
                      beta=0)
    assert_close(r, np.full((2, 2), 3.0))


def test_addmm_inplace_and_int():
    inp, a, b = rand((3, 2)), rand((3, 4)), rand((4, 2))
    t = T(inp)
    t.addmm_(T(a), T(b), alpha=2)
    assert_close(t, inp + 2 * (a @ b), 1e-12, 1e-12)
    ai, bi, ci = rand((3, 4), np.int64), rand((4, 2), np.int64), rand((3, 2), np.int64)
    assert_close(cytorch.addmm(T(ci), T(ai), T(bi), beta=2, alpha=3), 2 * ci + 3 * (ai @ bi))


EINSUM_CASES = [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("ii->i", [(3, 3)]), ("ii", [(4, 4)]), ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("i,j->ij", [(3,), (4,)]), ("...ij,...jk", [(2, 3, 4), (4, 5)]), ("ij->", [(3, 4)]), ("ij->ji", [(3, 4)]),
    ("ijk,ikl,lm->jm", [(2, 3, 4), (2, 4, 5), (5, 6)]), ("ba,ca", [(2, 3), (4, 3)]), ("iij->j", [(3, 3, 4)]),
    ("i,i", [(5,), (5,)]), ("bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)]), ("...,...->...", [(2, 3), (3,)]),
    ("ij,ij->ij", [(3, 4), (3, 4)]), ("i...->...", [(3, 2, 4)]), ("bij->b", [(3, 2, 2)]),
    ("ij,kl->ijkl", [(2, 3), (2, 2)]), ("aB,Bc->ac", [(2, 3), (3, 2)]), ("ij,jk", [(2, 0), (0, 3)]),
    ("i j , j k -> i k", [(2, 3), (3, 2)]), ("ij,j->i", [(1, 3), (3,)]),
]


@pytest.mark.parametrize("eq,shapes", EINSUM_CASES)
def test_einsum(eq, shapes):
    xs = [rand(s) for s in shapes]
    r = cytorch.einsum(eq, *[T(x) for x in xs])
    assert_close(r, np.einsum(eq.replace(" ", ""), *xs), 1e-12, 1e-12)


def test_einsum_list_form_and_complex_int():
    a, b = rand((2, 3), np.complex128), rand((3, 2), np.complex128)
    assert_close(cytorch.einsum("ij,jk", [T(a), T(b)]), a @ b, 1e-12, 1e-12)
    ai, bi = rand((2, 3), np.int64), rand((3,), np.int64)
    assert_close(cytorch.einsum("ij,j->i", T(ai), T(bi)), ai @ bi)


def test_einsum_broadcast_size1():
    a, b = rand((2, 1, 3)), rand((4, 3))
    assert_close(cytorch.einsum("...j,kj->...k", T(a), T(b)), np.einsum("...j,kj->...k", a, b), 1e-12, 1e-12)


def test_einsum_errors():
    with pytest.raises(RuntimeError, match="does not broadcast"):
        cytorch.einsum("ij,jk", cytorch.ones(2, 3), cytorch.ones(4, 5))
    with pytest.raises(RuntimeError, match="number of subscripts"):
        cytorch.einsum("ij", cytorch.ones(2, 3, 4))
    with pytest.raises(RuntimeError, match="operands"):
        cytorch.einsum("ij,jk", cytorch.ones(2, 3))
    with pytest.raises(RuntimeError):
        cytorch.einsum("ij->k", cytorch.ones(2, 3))
    with pytest.raises(RuntimeError):
        cytorch.einsum("i1", cytorch.ones(2, 3))


@pytest.mark.parametrize("sa,sb,dims", [((2, 3, 4), (3, 4, 5), 2), ((2, 3), (3, 4), 1), ((2, 3), (4, 5), 0),
                                         ((3, 4, 5), (4, 3, 2), ([1, 0], [0, 1])), ((4, 5), (5, 4), ([0], [1]))])
def test_tensordot(sa, sb, dims):
    a, b = rand(sa), rand(sb)
    assert_close(cytorch.tensordot(T(a), T(b), dims), np.tensordot(a, b, dims), 1e-12, 1e-12)


def test_tensordot_errors():
    with pytest.raises(RuntimeError, match="contracted dimensions need to match"):
        cytorch.tensordot(cytorch.ones(2, 3), cytorch.ones(4, 5), 1)


@pytest.mark.parametrize("sa,sb", [((2,), (3,)), ((2, 2), (3, 1)), ((2, 3), (4,)), ((1, 2, 2), (2, 2))])
def test_kron(sa, sb):
    a, b = rand(sa), rand(sb)
    assert_close(cytorch.kron(T(a), T(b)), np.kron(a, b), 1e-12, 1e-12)


def test_chain_matmul_multi_dot():
    ms = [rand((3, 4)), rand((4, 10)), rand((10, 2)), rand((2, 5))]
    exp = ms[0] @ ms[1] @ ms[2] @ ms[3]
    assert_close(cytorch.chain_matmul(*[T(m) for m in ms]), exp, 1e-12, 1e-12)
    assert_close(cytorch.linalg.multi_dot([T(m) for m in ms]), exp, 1e-12, 1e-12)
    v, w = rand(3), rand(5)
    assert_close(cytorch.linalg.multi_dot([T(v)] + [T(m) for m in ms] + [T(w)]), v @ exp @ w, 1e-12, 1e-12)


def test_rmatmul_and_imatmul():
    a, b = rand((2, 2)), rand((2, 2))
    x = T(a)
    y = x
    x @= T(b)
    assert_close(x, a @ b, 1e-12, 1e-12)
    assert_close(y, a)  # like PyTorch, @= rebinds instead of writing in place


# ---------------------------------------------------------------- PyTorch parity

def test_vs_torch_matmul(torch):
    for sa, sb in MATMUL_SHAPES:
        a, b = rand(sa, np.float32), rand(sb, np.float32)
        exp = torch.matmul(torch.from_numpy(a), torch.from_numpy(b)).numpy()
        assert_close(cytorch.matmul(T(a), T(b)), exp, 1e-5, 1e-5)


def test_vs_torch_errors(torch):
    for f in [lambda m: m.matmul(m.ones(2, 3), m.ones(4, 5)), lambda m: m.mm(m.ones(2, 3), m.ones(3)),
              lambda m: m.matmul(m.ones(2, 3), m.ones(3, 2, dtype=m.float64)),
              lambda m: m.dot(m.ones(3), m.ones(3, dtype=m.float64)),
              lambda m: m.matmul(m.ones(2, 3, 4), m.ones(5)), lambda m: m.matmul(m.ones(5), m.ones(2, 3, 4)),
              lambda m: m.matmul(m.ones(2, 1, 2, 3), m.ones(3, 4, 2)), lambda m: m.matmul(m.ones(2, 2, 3), m.ones(4, 2)),
              lambda m: m.mv(m.ones(2, 3), m.ones(3, dtype=m.float64)), lambda m: m.outer(m.ones(2, 2), m.ones(2)),
              lambda m: m.matmul(m.ones(2, 2, 3), m.ones(3, 3, 2))]:
        with pytest.raises(RuntimeError) as e1:
            f(torch)
        with pytest.raises(RuntimeError) as e2:
            f(cytorch)
        assert str(e1.value) == str(e2.value)


def test_vs_torch_einsum_implicit(torch):
    for eq, shapes in EINSUM_CASES:
        xs = [rand(s) for s in shapes]
        exp = torch.einsum(eq, *[torch.from_numpy(x) for x in xs]).numpy()
        assert_close(cytorch.einsum(eq, *[T(x) for x in xs]), exp, 1e-12, 1e-12)


def test_vs_torch_int_matmul(torch):
    a, b = rand((3, 5), np.int32) * 40, rand((5, 2), np.int32) * 40
    exp = torch.from_numpy(a) @ torch.from_numpy(b)
    assert_close(T(a) @ T(b), exp.numpy())


def test_einsum_sublist_format():
    a, b = rand((2, 3)), rand((3, 4))
    assert_close(cytorch.einsum(T(a), [0, 1], T(b), [1, 2], [0, 2]), a @ b, 1e-12, 1e-12)
    assert_close(cytorch.einsum(T(a), [0, 1], T(b), [1, 2]), a @ b, 1e-12, 1e-12)
    assert_close(cytorch.einsum(T(a), [Ellipsis, 1], [Ellipsis]), a.sum(1), 1e-12, 1e-12)
    with pytest.raises(RuntimeError):
        cytorch.einsum(T(a), [0, 99])


# ---- large products divided between cytorch's threads (src_c/ct_gemm.c) ----------------------

def _scipy_blas_threads():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    from scipy.linalg import cython_blas
    import os
    libdir = os.path.dirname(os.path.dirname(cython_blas.__file__))
    return [i["num_threads"] for i in threadpoolctl.threadpool_info()
            if i["user_api"] == "blas" and os.path.dirname(i["filepath"]).startswith(libdir)]


def _layouts(a):
    """a as a row-major tensor and as a transposed view (the two layouts BLAS takes)."""
    return [T(a), T(np.ascontiguousarray(a.T)).t()]


# (M, K, N): divided by rows, by columns, uneven blocks, batched, and one too small to divide
DIVIDED = [(1030, 64, 40), (40, 64, 1030), (333, 257, 129), (96, 2000, 17), (17, 300, 5000)]


@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize("mkn", DIVIDED)
@pytest.mark.parametrize("dt", [np.float32, np.float64, np.complex64, np.complex128])
def test_divided_gemm_matches_numpy(threads, mkn, dt):
    M, K, N = mkn
    a, b = rand((M, K), dt), rand((K, N), dt)
    ref = a.astype(np.complex128 if a.dtype.kind == "c" else np.float64) @ b
    tol = 2e-4 if dt in (np.float32, np.complex64) else 1e-10
    old = cytorch.get_num_threads()
    try:
        cytorch.set_num_threads(threads)
        for ta in _layouts(a):
            for tb in _layouts(b):
                np.testing.assert_allclose(np_of(ta @ tb), ref, rtol=tol, atol=tol * np.sqrt(K))
        # addmm folds alpha and beta into the divided calls
        c = rand((M, N), dt)
        r = cytorch.addmm(T(c), T(a), T(b), beta=0.5, alpha=-2)
        np.testing.assert_allclose(np_of(r), 0.5 * c - 2 * ref, rtol=tol, atol=3 * tol * np.sqrt(K))
    finally:
        cytorch.set_num_threads(old)


@pytest.mark.parametrize("threads", [2, 3])
def test_divided_batched_gemm(threads):
    # many small products (one per thread at a time) and few large ones (each divided),
    # with a broadcast batch dim on one side
    old = cytorch.get_num_threads()
    try:
        cytorch.set_num_threads(threads)
        for sa, sb in [((7, 3, 90, 70), (3, 70, 80)), ((2, 300, 200), (1, 200, 150)),
                       ((5, 1, 64, 64), (1, 4, 64, 300))]:
            a, b = rand(sa, np.float32), rand(sb, np.float32)
            np.testing.assert_allclose(np_of(T(a) @ T(b)), a.astype(np.float64) @ b, rtol=2e-4, atol=2e-3)
    finally:
        cytorch.set_num_threads(old)


def test_divided_gemm_restores_blas_threads():
    """The BLAS is held at one thread only while a divided product runs, also when several
    Python threads multiply at once; afterwards SciPy's BLAS has its old thread count."""
    import threading
    from cytorch._C import _blas
    if _blas._BLAS_THREAD_CONTROL is None:
        pytest.skip("this SciPy's BLAS exposes no thread control: products are not divided")
    before = _scipy_blas_threads()
    a, b = rand((600, 300), np.float32), rand((300, 500), np.float32)
    ref = a.astype(np.float64) @ b
    ta, tb = T(a), T(b)
    errors = []

    def work():
        try:
            for _ in range(20):
                np.testing.assert_allclose(np_of(ta @ tb), ref, rtol=2e-4, atol=5e-3)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    old = cytorch.get_num_threads()
    try:
        cytorch.set_num_threads(2)
        mid = _scipy_blas_threads()
        workers = [threading.Thread(target=work) for _ in range(3)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        assert not errors, errors
        assert _scipy_blas_threads() == mid
    finally:
        cytorch.set_num_threads(old)
    assert _scipy_blas_threads() == before


def test_gemm_divide_switch_gives_same_values():
    from cytorch._C import _blas
    a, b = T(rand((500, 130), np.float64)), T(rand((130, 700), np.float64))
    on = _blas._BLAS_THREAD_CONTROL is not None
    try:
        r1 = np_of(a @ b)
        _blas._set_gemm_divide(False)
        assert _blas._BLAS_THREAD_CONTROL is None
        r2 = np_of(a @ b)
    finally:
        _blas._set_gemm_divide(on)
    np.testing.assert_allclose(r1, r2, rtol=1e-12, atol=1e-12)
