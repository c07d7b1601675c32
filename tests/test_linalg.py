"""cytorch.linalg: decompositions checked by reconstruction and against NumPy/PyTorch."""
import math

import numpy as np
import pytest

import cytorch
from cytorch import linalg as LA
from conftest import assert_close, np_of

RNG = np.random.default_rng(1)
DTYPES = [np.float32, np.float64, np.complex64, np.complex128]
TOL = {np.float32: (2e-4, 2e-4), np.float64: (1e-10, 1e-10), np.complex64: (2e-4, 2e-4),
       np.complex128: (1e-10, 1e-10)}


def rand(shape, dt=np.float64):
    dt = np.dtype(dt)
    if dt.kind == "c":
        return (RNG.standard_normal(shape) + 1j * RNG.standard_normal(shape)).astype(dt)
    return RNG.standard_normal(shape).astype(dt)


def spd(shape, dt=np.float64):
    a = rand(shape, dt)
    n = shape[-1]
    return (a @ np.conj(np.swapaxes(a, -1, -2)) + n * np.eye(n)).astype(dt)


def T(a):
    return cytorch.tensor(a)


def transposed(a):
    """A tensor equal to a whose last two dims are a transposed (non-contiguous) view."""
    return T(np.ascontiguousarray(np.swapaxes(a, -1, -2))).transpose(-2, -1)


SHAPES = [(3, 3), (1, 1), (2, 4, 4), (2, 1, 3, 3)]


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_inv_det_slogdet(dt, shape):
    a = rand(shape, dt)
    rtol, atol = TOL[dt]
    for A in (T(a), transposed(a)):
        assert_close(LA.inv(A), np.linalg.inv(a), rtol * 10, atol * 10)
        assert_close(LA.det(A), np.linalg.det(a), rtol * 10, atol * 10)
        s, la = LA.slogdet(A)
        es, ela = np.linalg.slogdet(a)
        assert_close(s, es, rtol * 10, atol * 10)
        assert_close(la, ela, rtol * 10, atol * 10)
    assert_close(cytorch.inverse(T(a)), np.linalg.inv(a), rtol * 10, atol * 10)
    assert_close(T(a).det(), np.linalg.det(a), rtol * 10, atol * 10)


def test_inv_ex_and_empty():
    a = rand((2, 3, 3))
    inv, info = LA.inv_ex(T(a))
    assert_close(inv, np.linalg.inv(a), 1e-10, 1e-10)
    assert info.tolist() == [0, 0]
    assert LA.inv(cytorch.ones(0, 0)).shape == (0, 0)
    assert LA.inv(cytorch.ones(2, 0, 0)).shape == (2, 0, 0)
    assert_close(LA.det(cytorch.ones(2, 0, 0)), np.ones(2, np.float32))
    assert LA.det(cytorch.ones(0, 3, 3)).shape == (0,)


def test_singular_matrix_errors():
    z = T(np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]]))
    with pytest.raises(LA.LinAlgError, match="singular"):
        LA.inv(z)
    with pytest.raises(RuntimeError):  # LinAlgError is a RuntimeError
        LA.inv(cytorch.zeros(3, 3))
    with pytest.raises(LA.LinAlgError, match="The diagonal element 1 is zero"):
        LA.inv(cytorch.zeros(3, 3))
    with pytest.raises(LA.LinAlgError, match="Batch element 1"):
        LA.inv(T(np.stack([np.eye(2), np.zeros((2, 2))])))
    with pytest.raises(LA.LinAlgError, match="singular"):
        LA.solve(cytorch.zeros(2, 2), cytorch.ones(2))
    _, info = LA.inv_ex(cytorch.zeros(2, 2))
    assert info.item() > 0
    assert LA.det(cytorch.zeros(3, 3)).item() == 0.0
    s, la = LA.slogdet(cytorch.zeros(3, 3))
    assert s.item() == 0.0 and la.item() == -math.inf


def test_shape_and_dtype_errors():
    with pytest.raises(RuntimeError, match="square"):
        LA.inv(cytorch.ones(2, 3))
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        LA.det(cytorch.ones(3))
    with pytest.raises(RuntimeError, match="floating point"):
        LA.inv(cytorch.ones(2, 2, dtype=cytorch.int64))
    with pytest.raises(TypeError):
        LA.inv([[1.0]])
    with pytest.raises(RuntimeError):
        LA.solve(cytorch.ones(3, 3), cytorch.ones(4))


@pytest.mark.parametrize("dt", DTYPES)
def test_solve(dt):
    rtol, atol = TOL[dt]
    a, b = rand((3, 3), dt), rand((3, 2), dt)
    assert_close(LA.solve(T(a), T(b)), np.linalg.solve(a, b), rtol * 10, atol * 10)
    v = rand(3, dt)
    assert_close(LA.solve(T(a), T(v)), np.linalg.solve(a, v), rtol * 10, atol * 10)
    # broadcasting batch dims; B transposed view
    ab, bb = rand((2, 1, 3, 3), dt), rand((4, 3, 2), dt)
    assert_close(LA.solve(T(ab), transposed(bb)), np.linalg.solve(ab, bb), rtol * 10, atol * 10)
    # left=False: X A = B
    c = rand((2, 3), dt)
    assert_close(LA.solve(T(a), T(c), left=False), c @ np.linalg.inv(a), rtol * 10, atol * 10)


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4), (1, 1)])
def test_cholesky(dt, shape):
    a = spd(shape, dt)
    rtol, atol = TOL[dt]
    L = LA.cholesky(T(a))
    assert_close(L, np.linalg.cholesky(a), rtol * 10, atol * 10)
    U = LA.cholesky(transposed(a), upper=True)
    assert_close(U, np.conj(np.swapaxes(np.linalg.cholesky(a), -1, -2)), rtol * 10, atol * 10)
    assert_close(cytorch.cholesky(T(a)), np.linalg.cholesky(a), rtol * 10, atol * 10)


def test_cholesky_not_pd():
    with pytest.raises(LA.LinAlgError, match="not positive-definite"):
        LA.cholesky(T(-np.eye(3)))
    L, info = LA.cholesky_ex(T(np.diag([1.0, -1.0, 1.0])))
    assert info.item() == 2


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (4, 4), (2, 5, 3), (2, 3, 5)])
@pytest.mark.parametrize("mode", ["reduced", "complete", "r"])
def test_qr(dt, shape, mode):
    a = rand(shape, dt)
    rtol, atol = TOL[dt]
    Q, R = LA.qr(transposed(a) if len(shape) == 2 else T(a), mode=mode)
    eQ, eR = np.linalg.qr(a, mode=mode if mode != "r" else "reduced")
    k = min(shape[-2:])
    if mode == "r":
        assert Q.numel() == 0
    else:
        assert tuple(Q.shape) == eQ.shape
        assert_close(Q @ R, a, rtol * 10, atol * 10)
        qh = np.conj(np.swapaxes(np_of(Q), -1, -2))
        assert_close(T(qh) @ Q, np.broadcast_to(np.eye(Q.shape[-1]), qh.shape[:-2] + (Q.shape[-1],) * 2).astype(dt),
                     rtol * 10, atol * 10)
    r = np_of(R)
    assert r.shape == (eR.shape if mode != "complete" else shape[:-2] + (shape[-2], shape[-1]))
    assert np.allclose(np.tril(r, -1), 0)
    # R matches NumPy up to the sign (phase) of each row
    rr, er = r[..., :k, :], eR[..., :k, :]
    d = np.diagonal(rr, axis1=-2, axis2=-1) / np.diagonal(er, axis1=-2, axis2=-1)
    np.testing.assert_allclose(rr, er * d[..., :, None], rtol=rtol * 10, atol=atol * 10)


def test_qr_errors_and_empty():
    with pytest.raises(RuntimeError, match="mode"):
        LA.qr(cytorch.ones(2, 2), mode="bad")
    Q, R = LA.qr(cytorch.ones(0, 3))
    assert Q.shape == (0, 0) and R.shape == (0, 3)
    Q, R = LA.qr(cytorch.ones(3, 0))
    assert Q.shape == (3, 0) and R.shape == (0, 0)


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (4, 4), (2, 5, 3)])
@pytest.mark.parametrize("full", [True, False])
def test_svd(dt, shape, full):
    a = rand(shape, dt)
    rtol, atol = TOL[dt]
    U, S, Vh = LA.svd(transposed(a), full_matrices=full)
    eU, eS, eVh = np.linalg.svd(a, full_matrices=full)
    assert tuple(U.shape) == eU.shape and tuple(Vh.shape) == eVh.shape
    assert S.dtype == (cytorch.float32 if dt in (np.float32, np.complex64) else cytorch.float64)
    assert_close(S, eS, rtol * 10, atol * 10)
    k = min(shape[-2:])
    Uk, Vk = U.narrow(-1, 0, k), Vh.narrow(-2, 0, k)
    recon = (Uk * S.unsqueeze(-2).to(Uk.dtype)) @ Vk
    assert_close(recon, a, rtol * 10, atol * 10)
    assert_close(LA.svdvals(T(a)), eS, rtol * 10, atol * 10)


def test_svd_old_api_and_empty():
    a = rand((4, 3))
    U, S, V = cytorch.svd(T(a))
    assert tuple(U.shape) == (4, 3) and tuple(V.shape) == (3, 3)
    assert_close((U * S.unsqueeze(0)) @ V.t(), a, 1e-10, 1e-10)
    U, S, Vh = LA.svd(cytorch.ones(0, 3))
    assert U.shape == (0, 0) and S.shape == (0,) and Vh.shape == (3, 3)


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("shape", [(4, 4), (2, 3, 3), (1, 1)])
@pytest.mark.parametrize("uplo", ["L", "U"])
def test_eigh(dt, shape, uplo):
    a = spd(shape, dt) - 2 * np.eye(shape[-1]).astype(dt)
    rtol, atol = TOL[dt]
    # garbage in the ignored triangle must not matter
    g = a.copy()
    mask = np.triu(np.ones(shape[-2:], bool), 1) if uplo == "L" else np.tril(np.ones(shape[-2:], bool), -1)
    g[..., mask] = 99
    w, V = LA.eigh(T(g), UPLO=uplo)
    assert_close(w, np.linalg.eigvalsh(a), rtol * 10, atol * 10)
    AV = T(a) @ V
    assert_close(AV, np_of(V) * np_of(w).astype(dt)[..., None, :], rtol * 100, atol * 100)
    assert_close(LA.eigvalsh(T(g), UPLO=uplo), np.linalg.eigvalsh(a), rtol * 10, atol * 10)


VEC_ORDS = [2, 1, 3, 0.5, 0, math.inf, -math.inf, -1]


@pytest.mark.parametrize("ord", VEC_ORDS)
@pytest.mark.parametrize("dim", [None, 0, 1, (0, 2), -1])
def test_vector_norm(ord, dim):
    x = rand((3, 4, 5))
    exp = _np_vector_norm(x, ord, dim)
    assert_close(LA.vector_norm(T(x), ord, dim), exp, 1e-10, 1e-10)
    kd = LA.vector_norm(T(x), ord, dim, keepdim=True)
    assert_close(kd, _np_vector_norm(x, ord, dim, keepdims=True), 1e-10, 1e-10)


def _np_vector_norm(x, ord, dim, keepdims=False):
    axis = tuple(range(x.ndim)) if dim is None else ((dim,) if isinstance(dim, int) else dim)
    a = np.abs(x)
    if ord == math.inf:
        return a.max(axis=axis, keepdims=keepdims)
    if ord == -math.inf:
        return a.min(axis=axis, keepdims=keepdims)
    if ord == 0:
        return (a != 0).sum(axis=axis, keepdims=keepdims).astype(x.real.dtype)
    return (a ** ord).sum(axis=axis, keepdims=keepdims) ** (1.0 / ord)


def test_vector_norm_dtypes_and_errors():
    c = rand((3, 4), np.complex64)
    r = LA.vector_norm(T(c))
    assert r.dtype == cytorch.float32
    assert_close(r, np.float32(np.linalg.norm(c)), 1e-5, 1e-5)
    f = rand(5, np.float32)
    assert LA.vector_norm(T(f), dtype=cytorch.float64).dtype == cytorch.float64
    assert_close(LA.vector_norm(T(np.array([1e200, 1e200]))), np.float64(math.sqrt(2) * 1e200), 1e-12)
    with pytest.raises(RuntimeError, match="floating point"):
        LA.vector_norm(cytorch.ones(3, dtype=cytorch.int64))
    with pytest.raises(RuntimeError, match="empty"):
        LA.vector_norm(cytorch.ones(0), math.inf)
    assert LA.vector_norm(cytorch.ones(0)).item() == 0.0
    assert_close(LA.vector_norm(cytorch.tensor(-3.0)), np.float32(3.0))
    x = T(rand((4, 6)))
    assert_close(LA.vector_norm(x.t()), np.float64(np.linalg.norm(np_of(x))), 1e-12)


@pytest.mark.parametrize("ord", ["fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf])
@pytest.mark.parametrize("dt", [np.float64, np.complex128, np.float32])
def test_matrix_norm(ord, dt):
    a = rand((2, 3, 4), dt)
    rtol, atol = TOL[dt]
    exp = np.linalg.norm(a, ord=ord, axis=(-2, -1))
    assert_close(LA.matrix_norm(T(a), ord), exp.astype(np.abs(a).dtype), rtol * 10, atol * 10)
    kd = LA.matrix_norm(T(a), ord, keepdim=True)
    assert tuple(kd.shape) == (2, 1, 1)
    exp2 = np.linalg.norm(a, ord=ord, axis=(0, 2))
    assert_close(LA.matrix_norm(T(a), ord, dim=(0, 2)), exp2.astype(np.abs(a).dtype), rtol * 10, atol * 10)


def test_norm_dispatch():
    x = rand((3, 4))
    assert_close(LA.norm(T(x)), np.float64(np.linalg.norm(x)), 1e-12)
    assert_close(LA.norm(T(x), 2), np.float64(np.linalg.norm(x, 2)), 1e-10)
    assert_close(LA.norm(T(x), "nuc"), np.float64(np.linalg.norm(x, "nuc")), 1e-10)
    assert_close(LA.norm(T(x), 3, dim=1), np.linalg.norm(x, 3, axis=1), 1e-10)
    assert_close(LA.norm(T(x[0]), 1), np.float64(np.linalg.norm(x[0], 1)), 1e-12)
    assert_close(cytorch.norm(T(x)), np.float64(np.linalg.norm(x)), 1e-12)
    assert_close(T(x).norm(1, dim=0), np.abs(x).sum(0), 1e-12)
    with pytest.raises(RuntimeError):
        LA.norm(T(rand((2, 3, 4))), 2)


def test_matrix_power():
    a = rand((2, 3, 3))
    for n in (0, 1, 2, 5, -1, -3):
        assert_close(LA.matrix_power(T(a), n), np.linalg.matrix_power(a, n), 1e-9, 1e-9)
    ai = np.array([[1, 2], [3, 4]], np.int64)
    assert_close(cytorch.matrix_power(T(ai), 3), np.linalg.matrix_power(ai, 3))
    with pytest.raises(RuntimeError):
        LA.matrix_power(cytorch.ones(2, 3), 2)


def test_rank_pinv_lstsq():
    a = rand((5, 2)) @ rand((2, 4))
    assert LA.matrix_rank(T(a)).item() == 2
    assert LA.matrix_rank(T(np.eye(4)), hermitian=True).item() == 4
    assert LA.matrix_rank(T(rand((3, 4, 4)))).tolist() == [4, 4, 4]
    assert_close(LA.pinv(T(a)), np.linalg.pinv(a), 1e-8, 1e-8)
    c = rand((4, 3), np.complex128)
    assert_close(LA.pinv(T(c)), np.linalg.pinv(c), 1e-8, 1e-8)
    assert_close(cytorch.pinverse(T(a)), np.linalg.pinv(a), 1e-8, 1e-8)
    A, B = rand((6, 3)), rand((6, 2))
    assert_close(LA.lstsq(T(A), T(B)).solution, np.linalg.lstsq(A, B, rcond=None)[0], 1e-9, 1e-9)


def test_cross_multi_dot_vecdot():
    a, b = rand((4, 3)), rand((4, 3))
    assert_close(LA.cross(T(a), T(b)), np.cross(a, b), 1e-12, 1e-12)
    assert_close(cytorch.cross(T(a.T.copy()), T(b.T.copy())), np.cross(a.T, b.T, axis=0), 1e-12, 1e-12)
    assert_close(LA.cross(T(a), T(b[:1])), np.cross(a, b[:1]), 1e-12, 1e-12)
    with pytest.raises(RuntimeError):
        LA.cross(cytorch.ones(4, 2), cytorch.ones(4, 2))
    c, d = rand((2, 5), np.complex128), rand((2, 5), np.complex128)
    assert_close(LA.vecdot(T(c), T(d)), np.sum(np.conj(c) * d, -1), 1e-12, 1e-12)


def test_logdet():
    a = spd((3, 3))
    assert_close(cytorch.logdet(T(a)), np.float64(np.log(np.linalg.det(a))), 1e-10)
    assert math.isnan(cytorch.logdet(T(np.diag([1.0, -1.0]))).item())


# ---------------------------------------------------------------- PyTorch parity

def test_vs_torch_decompositions(torch):
    a = rand((2, 4, 4))
    ta = torch.from_numpy(a)
    assert_close(LA.inv(T(a)), torch.linalg.inv(ta).numpy(), 1e-10, 1e-10)
    assert_close(LA.det(T(a)), torch.linalg.det(ta).numpy(), 1e-10, 1e-10)
    p = spd((3, 3))
    assert_close(LA.cholesky(T(p)), torch.linalg.cholesky(torch.from_numpy(p)).numpy(), 1e-10, 1e-10)
    assert_close(LA.svdvals(T(a)), torch.linalg.svdvals(ta).numpy(), 1e-10, 1e-10)
    assert_close(LA.eigvalsh(T(p)), torch.linalg.eigvalsh(torch.from_numpy(p)).numpy(), 1e-10, 1e-10)
    for ord in ("fro", "nuc", 2, -1):
        assert_close(LA.matrix_norm(T(a), ord), torch.linalg.matrix_norm(ta, ord).numpy(), 1e-10, 1e-10)
    Q, R = LA.qr(T(a))
    tQ, tR = torch.linalg.qr(ta)
    assert_close(Q, tQ.numpy(), 1e-10, 1e-10)  # same LAPACK algorithm: same signs
    assert_close(R, tR.numpy(), 1e-10, 1e-10)


def test_vs_torch_errors(torch):
    for f, exc in [(lambda m: m.linalg.inv(m.zeros(3, 3, dtype=m.float64)), RuntimeError),
                   (lambda m: m.linalg.cholesky(-m.eye(2, dtype=m.float64)), RuntimeError),
                   (lambda m: m.linalg.inv(m.ones(2, 3)), RuntimeError),
                   (lambda m: m.linalg.det(m.ones(2, 2, dtype=m.int64)), RuntimeError)]:
        with pytest.raises(exc) as e1:
            f(torch)
        with pytest.raises(exc) as e2:
            f(cytorch)
        assert str(e1.value) == str(e2.value)
    assert issubclass(LA.LinAlgError, RuntimeError)


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("shape", [(4, 3), (3, 5), (2, 4, 4)])
def test_lu(dt, shape):
    a = rand(shape, dt)
    rtol, atol = TOL[dt]
    P, L, U = LA.lu(transposed(a))
    k = min(shape[-2:])
    assert tuple(L.shape) == shape[:-1] + (k,) and tuple(U.shape) == shape[:-2] + (k, shape[-1])
    assert_close(P @ L @ U, a, rtol * 10, atol * 10)
    assert np.allclose(np.triu(np_of(L), 1), 0) and np.allclose(np.tril(np_of(U), -1), 0)
    assert np.allclose(np.diagonal(np_of(L), axis1=-2, axis2=-1), 1)


@pytest.mark.parametrize("dt", DTYPES)
def test_lu_factor_solve(dt):
    a, b = rand((2, 4, 4), dt), rand((2, 4, 3), dt)
    rtol, atol = TOL[dt]
    LU, piv = LA.lu_factor(T(a))
    assert piv.dtype == cytorch.int32 and tuple(piv.shape) == (2, 4)
    assert_close(LA.lu_solve(LU, piv, T(b)), np.linalg.solve(a, b), rtol * 10, atol * 10)
    c = rand((2, 3, 4), dt)
    assert_close(LA.lu_solve(LU, piv, T(c), left=False), c @ np.linalg.inv(a), rtol * 10, atol * 10)


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("upper", [True, False])
@pytest.mark.parametrize("left", [True, False])
def test_solve_triangular(dt, upper, left):
    rtol, atol = TOL[dt]
    a = rand((2, 4, 4), dt) + 4 * np.eye(4, dtype=dt)
    tri = np.triu(a) if upper else np.tril(a)
    b = rand((2, 4, 3) if left else (2, 3, 4), dt)
    exp = np.linalg.solve(tri, b) if left else b @ np.linalg.inv(tri)
    # the other triangle of A is ignored
    assert_close(LA.solve_triangular(T(a), T(b), upper=upper, left=left), exp, rtol * 10, atol * 10)
    unit = tri.copy()
    idx = np.arange(4)
    unit[..., idx, idx] = 1
    exp_u = np.linalg.solve(unit, b) if left else b @ np.linalg.inv(unit)
    assert_close(LA.solve_triangular(transposed(a), T(b), upper=upper, left=left, unitriangular=True), exp_u,
                 rtol * 10, atol * 10)


@pytest.mark.parametrize("dt", DTYPES)
def test_eig(dt):
    a = rand((2, 5, 5), dt)
    rtol, atol = TOL[dt]
    w, V = LA.eig(T(a))
    cdt = np.complex64 if dt in (np.float32, np.complex64) else np.complex128
    assert w.dtype == getattr(cytorch, np.dtype(cdt).name)
    assert_close(T(a.astype(cdt)) @ V, np_of(V) * np_of(w)[..., None, :], rtol * 100, atol * 100)
    ev = np.linalg.eigvals(a)
    for i in range(2):
        np.testing.assert_allclose(np.sort_complex(np_of(LA.eigvals(T(a)))[i]), np.sort_complex(ev[i]),
                                   rtol=rtol * 100, atol=atol * 100)
    # unit-norm eigenvectors, like LAPACK (and PyTorch)
    np.testing.assert_allclose(np.linalg.norm(np_of(V), axis=-2), 1, rtol=rtol * 10)


def test_diagonal_vander_householder_tensorinv():
    x = rand((2, 3, 4))
    for off in (-2, -1, 0, 1, 3, 5):
        assert_close(LA.diagonal(T(x), offset=off), np.diagonal(x, off, -2, -1), 0, 0)
    assert_close(LA.diagonal(T(x), dim1=0, dim2=2), np.diagonal(x, 0, 0, 2), 0, 0)
    v = rand(4)
    assert_close(LA.vander(T(v)), np.vander(v, increasing=True), 1e-12, 1e-12)
    assert_close(LA.vander(T(v), N=2), np.vander(v, 2, increasing=True), 1e-12, 1e-12)
    import scipy.linalg
    A = rand((5, 3))
    (h, tau), _ = scipy.linalg.qr(A, mode="raw")
    Q = np.linalg.qr(A)[0]
    assert_close(LA.householder_product(T(np.ascontiguousarray(h)), T(tau)), Q, 1e-10, 1e-10)
    t = rand((4, 6, 8, 3))
    assert_close(LA.tensorinv(T(t), ind=2), np.linalg.tensorinv(t, ind=2), 1e-8, 1e-8)
    a, b = rand((6, 2, 3)), rand(6)
    assert_close(LA.tensorsolve(T(a), T(b)), np.linalg.tensorsolve(a, b), 1e-8, 1e-8)


def test_solve_ex():
    a, b = rand((3, 3)), rand(3)
    r, info = LA.solve_ex(T(a), T(b))
    assert info.item() == 0
    assert_close(r, np.linalg.solve(a, b), 1e-10, 1e-10)
    r, info = LA.solve_ex(cytorch.zeros(2, 2, dtype=cytorch.float64), T(np.ones(2)))
    assert info.item() > 0
    with pytest.raises(LA.LinAlgError):
        LA.solve_ex(cytorch.zeros(2, 2), cytorch.ones(2), check_errors=True)


def test_vs_torch_new_decompositions(torch):
    a = rand((3, 4, 4))
    ta = torch.from_numpy(a)
    LU, piv = LA.lu_factor(T(a))
    tLU, tpiv = torch.linalg.lu_factor(ta)
    assert_close(LU, tLU.numpy(), 1e-12, 1e-12)
    assert piv.tolist() == tpiv.tolist()
    P, L, U = LA.lu(T(a))
    tP, tL, tU = torch.linalg.lu(ta)
    for x, y in ((P, tP), (L, tL), (U, tU)):
        assert_close(x, y.numpy(), 1e-12, 1e-12)
    w, V = LA.eig(T(a))
    tw, tV = torch.linalg.eig(ta)
    assert_close(w, tw.numpy(), 1e-10, 1e-10)
    assert_close(V, tV.numpy(), 1e-8, 1e-8)
    t = np.triu(a) + 3 * np.eye(4)
    b = rand((3, 4, 2))
    exp = torch.linalg.solve_triangular(torch.from_numpy(t), torch.from_numpy(b), upper=True).numpy()
    assert_close(LA.solve_triangular(T(t), T(b), upper=True), exp, 1e-12, 1e-12)


@pytest.mark.parametrize("dt", DTYPES)
def test_matrix_exp(dt):
    import scipy.linalg
    rtol, atol = TOL[dt]
    for scale in (0.1, 1.0, 20.0):
        a = (rand((2, 4, 4), dt) * scale).astype(dt)
        exp = np.stack([scipy.linalg.expm(x.astype(np.complex128 if np.iscomplexobj(x) else np.float64)) for x in a])
        assert_close(LA.matrix_exp(T(a)), exp.astype(dt), rtol * 100, atol * 100 * max(1.0, np.abs(exp).max()))
    assert_close(cytorch.matrix_exp(cytorch.zeros(3, 3, dtype=cytorch.float64)), np.eye(3), 1e-15, 1e-15)


def test_cholesky_solve_inverse():
    a, b = spd((2, 4, 4)), rand((2, 4, 3))
    L = LA.cholesky(T(a))
    assert_close(cytorch.cholesky_solve(T(b), L), np.linalg.solve(a, b), 1e-10, 1e-10)
    U = LA.cholesky(T(a), upper=True)
    assert_close(cytorch.cholesky_solve(T(b), U, upper=True), np.linalg.solve(a, b), 1e-10, 1e-10)
    assert_close(cytorch.cholesky_inverse(L.select(0, 0)), np.linalg.inv(a[0]), 1e-10, 1e-10)


def test_vector_norm_large_deterministic_and_scaled():
    x = T(rand(300_000).astype(np.float32))
    n = cytorch.get_num_threads()
    try:
        cytorch.set_num_threads(1)
        one = LA.vector_norm(x).item()
        cytorch.set_num_threads(2)
        two = LA.vector_norm(x).item()
    finally:
        cytorch.set_num_threads(n)
    assert one == two
    np.testing.assert_allclose(one, np.linalg.norm(np_of(x).astype(np.float64)), rtol=1e-6)
    assert_close(LA.vector_norm(T(np.array([1e-200, -1e-200]))), np.float64(math.sqrt(2) * 1e-200), 1e-12, 0)
    c = np.array([3e200 + 4e200j])
    assert_close(LA.vector_norm(T(c)), np.float64(5e200), 1e-12, 0)
    many = rand((500, 300))
    assert_close(LA.vector_norm(T(many), dim=1), np.linalg.norm(many, axis=1), 1e-12, 1e-12)
