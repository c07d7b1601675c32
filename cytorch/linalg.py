"""cytorch.linalg: PyTorch's linear-algebra API over SciPy's LAPACK.

Each decomposition copies its input into a Fortran-ordered batch buffer
(cytorch._C._lapack.fortran_copy), runs the LAPACK routine matrix by matrix
with the GIL released (cytorch/_C/_lapack.pyx), and returns results as
views of those buffers; column-major results therefore come back with
transposed strides, as PyTorch's do. LAPACK's `info` codes become
LinAlgError (a RuntimeError) with PyTorch's messages.
"""
import math

from cytorch._C import _lapack
from cytorch._C._tensor import TensorBase, pretty_name, _dtype_from_name
from cytorch._ops.blas import matmul, multi_dot_impl as _multi_dot
from cytorch._ops.creation import empty, eye, ones, zeros

__all__ = ["LinAlgError", "norm", "vector_norm", "matrix_norm", "inv", "inv_ex", "det", "slogdet", "solve",
           "cholesky", "cholesky_ex", "qr", "svd", "svdvals", "eigh", "eigvalsh", "lstsq", "matrix_rank", "pinv",
           "cross", "matrix_power", "multi_dot", "vecdot", "matmul", "solve_ex", "solve_triangular", "lu_factor",
           "lu_factor_ex", "lu", "lu_solve", "eig", "eigvals", "diagonal", "vander", "householder_product",
           "tensorinv", "tensorsolve", "matrix_exp"]


class LinAlgError(RuntimeError):
    """A linear-algebra routine failed on its input (singular, not positive-definite, no convergence)."""


from cytorch import return_types as _rt  # noqa: E402

SlogdetResult, QRResult, SVDResult = _rt.linalg_slogdet, _rt.linalg_qr, _rt.linalg_svd
EighResult, InvExResult, CholeskyExResult = _rt.linalg_eigh, _rt.linalg_inv_ex, _rt.linalg_cholesky_ex
LstsqResult, SlogdetOld, SVDOld = _rt.linalg_lstsq, _rt.slogdet, _rt.svd
SolveExResult, LUFactorResult, LUFactorExResult = _rt.linalg_solve_ex, _rt.linalg_lu_factor, _rt.linalg_lu_factor_ex
LUResult, EigResult = _rt.linalg_lu, _rt.linalg_eig

_F32, _F64 = _dtype_from_name("float32"), _dtype_from_name("float64")
_C64, _C128 = _dtype_from_name("complex64"), _dtype_from_name("complex128")
_F16, _BF16 = _dtype_from_name("float16"), _dtype_from_name("bfloat16")
_LAPACK_DTYPES = (_F32, _F64, _C64, _C128)
_INF = math.inf


# ---------------------------------------------------------------- checks

def _check_input(A, op, square=True, name="A"):
    if not isinstance(A, TensorBase):
        raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(A).__name__}")
    if A.dtype.code in (_F16.code, _BF16.code):
        raise RuntimeError(f"{op}: Low precision dtypes not supported. Got {pretty_name(A.dtype.code)}")
    if A.dtype not in _LAPACK_DTYPES:
        raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. Got {pretty_name(A.dtype.code)}")
    if A.dim() < 2:
        raise RuntimeError(f"{op}: The input tensor {name} must have at least 2 dimensions.")
    if square and A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{op}: {name} must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")


def _check_info(info, batch_shape, op, msg):
    """Raise LinAlgError for the first nonzero LAPACK info; msg formats the message."""
    for i, v in enumerate(info.reshape(-1).tolist()):
        if v != 0:
            prefix = f"{op}: (Batch element {i}): " if batch_shape else f"{op}: "
            raise LinAlgError(prefix + msg(v))


def _fortran(A):
    return _lapack.fortran_copy(A, A.dtype.code)


def _T(buf):
    """A Fortran batch buffer (..., n, m) seen as its (..., m, n) matrices."""
    return buf.transpose(-2, -1)


def _batch(A):
    return tuple(A.shape[:-2])


def _nbatch(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def _broadcast_batch(a, b):
    out = []
    for i in range(max(len(a), len(b))):
        x = a[len(a) - 1 - i] if i < len(a) else 1
        y = b[len(b) - 1 - i] if i < len(b) else 1
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                               f"non-singleton dimension {max(len(a), len(b)) - 1 - i}")
        out.append(max(x, y) if x != 0 and y != 0 else 0)
    return tuple(reversed(out))


def _eye_batch(batch, n, m, dt):
    return eye(n, m, dtype=dt).expand(*batch, n, m).clone() if batch else eye(n, m, dtype=dt)


# ---------------------------------------------------------------- LU-based: inv, det, slogdet, solve

def _lu(A, op):
    n = A.shape[-1]
    buf = _fortran(A)
    ipiv, info = _lapack.getrf(buf, n, n)
    return buf, ipiv, info


def _singular_inv(v):
    return (f"The diagonal element {v} is zero, the inversion could not be completed because the input matrix "
            f"is singular.")


def inv_ex(A, *, check_errors=False, out=None):
    """Inverse of square matrices; info (int32, batch-shaped) > 0 marks singular ones."""
    _check_input(A, "linalg.inv")
    n, batch = A.shape[-1], _batch(A)
    if A.numel() == 0:
        inv_ = empty(A.shape, dtype=A.dtype)
        return InvExResult(inv_, zeros(batch, dtype=_dtype_from_name("int32")))
    buf, ipiv, info = _lu(A, "linalg.inv")
    _lapack.getri(buf, n, ipiv, info)
    info = info.reshape(batch)
    if check_errors:
        _check_info(info, batch, "linalg.inv", _singular_inv)
    r = _T(buf)
    if out is not None:
        out.copy_(r)
        r = out
    return InvExResult(r, info)


def inv(A, *, out=None):
    """Inverse of square matrices (batched). Singular input raises LinAlgError.

    Example::
        >>> cytorch.linalg.inv(cytorch.tensor([[2., 0.], [0., 4.]])).tolist()
        [[0.5, 0.0], [0.0, 0.25]]
    """
    return inv_ex(A, check_errors=True, out=out).inverse


def _sign_logabs(A, op):
    _check_input(A, op)
    n, batch = A.shape[-1], _batch(A)
    real = A.dtype.to_real
    if n == 0 or A.numel() == 0:
        return ones(batch, dtype=A.dtype), zeros(batch, dtype=real)
    buf, ipiv, info = _lu(A, op)
    sign, la = _lapack.lu_det(buf, n, ipiv)
    return sign.reshape(batch), la.to(real).reshape(batch)


def slogdet(A, *, out=None):
    """(sign, log|det|) of square matrices; sign is 0 and log|det| -inf for singular ones."""
    s, la = _sign_logabs(A, "linalg.slogdet")
    return SlogdetResult(s, la)


def det(A, *, out=None):
    """Determinant of square matrices (batched), from an LU factorisation."""
    s, la = _sign_logabs(A, "linalg.det")
    r = s * la.exp()
    return r if out is None else out.copy_(r)


def logdet(A):
    """log(det(A)): nan for a negative real determinant, -inf for a singular matrix."""
    s, la = _sign_logabs(A, "logdet")
    return la.to(A.dtype) + s.log()


def solve(A, B, *, left=True, out=None):
    """Solve A X = B (left=True) or X A = B for square A; B may be a vector or batch of them."""
    _check_input(A, "linalg.solve")
    if not isinstance(B, TensorBase):
        raise TypeError(f"linalg.solve(): argument 'B' must be Tensor, not {type(B).__name__}")
    if A.dtype != B.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found A of type "
                           f"{pretty_name(A.dtype.code)} and B of type {pretty_name(B.dtype.code)} instead")
    if not left:
        # X A = B  <=>  A^T X^T = B^T
        r = solve(A.transpose(-2, -1), B.transpose(-2, -1)).transpose(-2, -1)
        return r if out is None else out.copy_(r)
    n = A.shape[-1]
    vector = B.dim() == 1 or (B.dim() == A.dim() - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    Bm = B.unsqueeze(-1) if vector else B
    if Bm.dim() < 2 or Bm.shape[-2] != n:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation AX = B "
                           f"({A.shape[-2]}x{A.shape[-1]} and {'x'.join(str(s) for s in B.shape)})")
    batch = _broadcast_batch(_batch(A), _batch(Bm))
    k = Bm.shape[-1]
    Ae = A.expand(*batch, n, n)
    Be = Bm.expand(*batch, n, k)
    if _nbatch(batch) == 0 or n == 0 or k == 0:
        X = zeros((*batch, n, k), dtype=A.dtype)
    else:
        abuf, ipiv, info = _lu(Ae, "linalg.solve")
        _check_info(info.reshape(batch), batch, "linalg.solve",
                    lambda v: "The solver failed because the input matrix is singular.")
        bbuf = _fortran(Be)
        _lapack.getrs(abuf, n, ipiv, info, bbuf, k)
        X = _T(bbuf)
    if vector:
        X = X.squeeze(-1)
    return X if out is None else out.copy_(X)


# ---------------------------------------------------------------- Cholesky

def _not_pd(v):
    return (f"The factorization could not be completed because the input is not positive-definite "
            f"(the leading minor of order {v} is not positive-definite).")


def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    """Cholesky factor L (A = L L^H) or U (upper=True, A = U^H U) with per-matrix info."""
    _check_input(A, "linalg.cholesky")
    n, batch = A.shape[-1], _batch(A)
    if A.numel() == 0:
        return CholeskyExResult(empty(A.shape, dtype=A.dtype), zeros(batch, dtype=_dtype_from_name("int32")))
    buf = _fortran(A)
    # LAPACK sees the column-major matrix; asking it for the opposite triangle of the
    # transposed buffer would be wrong, so the buffer is a true copy of A and uplo maps directly
    info = _lapack.potrf(buf, n, upper).reshape(batch)
    if check_errors:
        _check_info(info, batch, "linalg.cholesky", _not_pd)
    r = _T(buf)
    return CholeskyExResult(r if out is None else out.copy_(r), info)


def cholesky(A, *, upper=False, out=None):
    """Cholesky factor of Hermitian positive-definite matrices (batched).
    Raises LinAlgError when a matrix is not positive-definite."""
    return cholesky_ex(A, upper=upper, check_errors=True, out=out).L


# ---------------------------------------------------------------- QR

def qr(A, mode="reduced", *, out=None):
    """QR decomposition. mode: 'reduced' (Q m x k, R k x n), 'complete' (Q m x m, R m x n)
    or 'r' (R only, Q empty), k = min(m, n)."""
    _check_input(A, "linalg.qr", square=False)
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), "
                           f"'r', or 'complete'")
    m, n = A.shape[-2], A.shape[-1]
    k, batch, dt = min(m, n), _batch(A), A.dtype
    qcols = m if mode == "complete" else k
    rrows = m if mode == "complete" else k
    if A.numel() == 0:
        R = zeros((*batch, rrows, n), dtype=dt)
        Q = _eye_batch(batch, m, qcols, dt) if mode != "r" else empty(0, dtype=dt)
        return QRResult(Q, R)
    buf = _fortran(A)
    tau = _lapack.geqrf(buf, m, n)
    factored = _T(buf)
    R = _lapack.fortran_copy(factored.narrow(-2, 0, rrows), dt.code)
    _lapack.zero_lower(R, rrows, n)
    R = _T(R)
    if mode == "r":
        return QRResult(empty(0, dtype=dt), R)
    qbuf = zeros((*batch, qcols, m), dtype=dt)
    c = min(qcols, n)
    qbuf.narrow(-2, 0, c).copy_(buf.narrow(-2, 0, c))
    _lapack.orgqr(qbuf, m, qcols, k, tau)
    return QRResult(_T(qbuf), R)


# ---------------------------------------------------------------- SVD

def _svd_fail(op):
    return lambda v: (f"The algorithm failed to converge because the input matrix is ill-conditioned or has too "
                      f"many repeated singular values (error code: {v}).")


def svd(A, full_matrices=True, *, driver=None, out=None):
    """A = U diag(S) Vh with S descending (real). full_matrices=False gives the reduced form."""
    _check_input(A, "linalg.svd", square=False)
    m, n = A.shape[-2], A.shape[-1]
    k, batch, dt = min(m, n), _batch(A), A.dtype
    ucols = m if full_matrices else k
    vrows = n if full_matrices else k
    if A.numel() == 0:
        return SVDResult(_eye_batch(batch, m, ucols, dt), zeros((*batch, k), dtype=dt.to_real),
                         _eye_batch(batch, vrows, n, dt))
    buf = _fortran(A)
    S, U, Vt, info = _lapack.gesdd(buf, m, n, "A" if full_matrices else "S")
    _check_info(info.reshape(batch), batch, "linalg.svd", _svd_fail("linalg.svd"))
    U = _T(U).reshape(*batch, m, ucols) if batch else _T(U).reshape(m, ucols)
    Vh = _T(Vt).reshape(*batch, vrows, n) if batch else _T(Vt).reshape(vrows, n)
    return SVDResult(U, S.reshape(*batch, k), Vh)


def svdvals(A, *, driver=None, out=None):
    """Singular values (real, descending) of matrices (batched)."""
    _check_input(A, "linalg.svdvals", square=False)
    m, n = A.shape[-2], A.shape[-1]
    k, batch = min(m, n), _batch(A)
    if A.numel() == 0:
        return zeros((*batch, k), dtype=A.dtype.to_real)
    buf = _fortran(A)
    S, _, _, info = _lapack.gesdd(buf, m, n, "N")
    _check_info(info.reshape(batch), batch, "linalg.svd", _svd_fail("linalg.svd"))
    r = S.reshape(*batch, k)
    return r if out is None else out.copy_(r)


# ---------------------------------------------------------------- Hermitian eigen

def _eigh(A, UPLO, vectors, op):
    _check_input(A, op)
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"{op}: Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    n, batch = A.shape[-1], _batch(A)
    if A.numel() == 0:
        return zeros((*batch, n), dtype=A.dtype.to_real), empty(A.shape, dtype=A.dtype)
    buf = _fortran(A)
    w, info = _lapack.syevd(buf, n, vectors, UPLO)
    _check_info(info.reshape(batch), batch, op,
                lambda v: (f"The algorithm failed to converge because the input matrix is ill-conditioned or has "
                           f"too many repeated eigenvalues (error code: {v})."))
    return w.reshape(*batch, n), _T(buf)


def eigh(A, UPLO="L", *, out=None):
    """Eigenvalues (ascending, real) and eigenvectors (columns) of Hermitian matrices;
    only the UPLO triangle is read."""
    w, v = _eigh(A, UPLO, True, "linalg.eigh")
    return EighResult(w, v)


def eigvalsh(A, UPLO="L", *, out=None):
    """Eigenvalues (ascending, real) of Hermitian matrices."""
    w, _ = _eigh(A, UPLO, False, "linalg.eigvalsh")
    return w if out is None else out.copy_(w)


# ---------------------------------------------------------------- norms

def _dims_of(dim, nd, op):
    if dim is None:
        return list(range(nd))
    if isinstance(dim, int):
        dim = [dim]
    out = []
    for d in dim:
        n = nd if nd > 0 else 1
        if d < -n or d >= n:
            raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {d})")
        d = d % n
        if d in out:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        out.append(d)
    return out


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """Vector p-norm over dim (all dims when None). ord: any real, inf, -inf, 0 (nonzero count).

    Example::
        >>> cytorch.linalg.vector_norm(cytorch.tensor([3., 4.])).item()
        5.0
    """
    if not isinstance(x, TensorBase):
        raise TypeError(f"linalg.vector_norm(): argument 'x' must be Tensor, not {type(x).__name__}")
    if isinstance(ord, str) or isinstance(ord, complex):
        raise TypeError(f"linalg.vector_norm(): argument 'ord' must be Number, not {type(ord).__name__}")
    if dtype is not None:
        x = x.to(dtype)
    if not (x.is_floating_point() or x.is_complex()):
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as input. "
                           f"Got {pretty_name(x.dtype.code)}")
    ord = float(ord)
    real = x.dtype.to_real
    nd = x.dim()
    dims = _dims_of(dim, nd, "linalg.vector_norm")
    if nd == 0:
        dims = []
    rest = [d for d in range(nd) if d not in dims]
    n = _nbatch([x.shape[d] for d in dims])
    if n == 0 and (ord < 0 or ord == _INF):
        raise RuntimeError(f"linalg.vector_norm cannot compute the {ord:g} norm on an empty tensor because the "
                           f"operation does not have an identity")
    if x.dtype not in _LAPACK_DTYPES:   # float16 / bfloat16
        x = x.to(_F32)
    rows = _nbatch([x.shape[d] for d in rest])
    a = x.permute(*(rest + dims)).reshape(rows, n) if nd else x.reshape(1, 1)
    r = _lapack.vector_norm_rows(a.contiguous(), ord).to(real)
    if keepdim:
        shape = [1 if d in dims else x.shape[d] for d in range(nd)]
    else:
        shape = [x.shape[d] for d in rest]
    r = r.reshape(shape)
    return r if out is None else out.copy_(r)


def _move_to_end(A, dims):
    nd = A.dim()
    d0, d1 = dims
    rest = [d for d in range(nd) if d not in (d0, d1)]
    return A.permute(*(rest + [d0, d1]))


def _restore_keepdim(r, nd, dims):
    for d in sorted(dims):
        r = r.unsqueeze(d)
    return r


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """Matrix norm over the two dims in dim. ord: 'fro', 'nuc', inf, -inf, 1, -1, 2, -2."""
    if not isinstance(A, TensorBase):
        raise TypeError(f"linalg.matrix_norm(): argument 'A' must be Tensor, not {type(A).__name__}")
    if A.dim() < 2:
        raise RuntimeError(f"linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    if dtype is not None:
        A = A.to(dtype)
    if not (A.is_floating_point() or A.is_complex()):
        raise RuntimeError(f"linalg.matrix_norm: Expected a floating point or complex tensor as input. "
                           f"Got {pretty_name(A.dtype.code)}")
    dims = _dims_of(list(dim), A.dim(), "linalg.matrix_norm")
    if len(dims) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(str(d) for d in dim)}")
    nd = A.dim()
    if ord == "fro":
        r = vector_norm(A, 2, dims, keepdim)
    elif ord in ("nuc", 2, -2, 2.0, -2.0):
        S = svdvals(_move_to_end(A, dims))
        r = vector_norm(S, {"nuc": 1, 2: _INF, -2: -_INF}[ord], -1)
        if keepdim:
            r = _restore_keepdim(r, nd, dims)
    elif ord in (1, -1, _INF, -_INF):
        # 1: max over columns of column sums; inf: max over rows of row sums
        inner, outer_ = (dims[0], dims[1]) if abs(ord) == 1 else (dims[1], dims[0])
        s = vector_norm(A, 1, inner, True)
        r = vector_norm(s, _INF if ord > 0 else -_INF, outer_, True)
        if not keepdim:
            for d in sorted(dims, reverse=True):
                r = r.squeeze(d)
    else:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    return r if out is None else out.copy_(r)


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):
    """Vector or matrix norm, chosen like PyTorch: a str ord or a 2-tuple dim is a matrix norm,
    ord=None with dim=None flattens to a vector 2-norm."""
    if isinstance(dim, int):
        dim = (dim,)
    if ord is None:
        if dim is not None and len(dim) == 2:
            r = matrix_norm(A, "fro", dim, keepdim, dtype=dtype)
        else:
            r = vector_norm(A, 2, dim, keepdim, dtype=dtype)
    elif isinstance(ord, str) or (dim is not None and len(dim) == 2) or (dim is None and A.dim() == 2):
        if dim is None:
            if A.dim() != 2 and not isinstance(ord, str):
                raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                                   f"Got {A.dim()}D.")
            dim = (-2, -1)
        r = matrix_norm(A, ord, dim, keepdim, dtype=dtype)
    else:
        if dim is None and A.dim() != 1:
            raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                               f"Got {A.dim()}D.")
        r = vector_norm(A, ord, dim, keepdim, dtype=dtype)
    return r if out is None else out.copy_(r)


# ---------------------------------------------------------------- built on the above

def matrix_power(A, n, *, out=None):
    """A**n for square matrices by repeated squaring; negative n inverts first."""
    if not isinstance(A, TensorBase):
        raise TypeError(f"matrix_power(): argument 'input' must be Tensor, not {type(A).__name__}")
    if A.dim() < 2 or A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but they are "
                           f"{A.shape[-2] if A.dim() >= 2 else 1} by {A.shape[-1] if A.dim() else 1} matrices")
    n = int(n)
    if n == 0:
        r = _eye_batch(_batch(A), A.shape[-1], A.shape[-1], A.dtype)
        return r if out is None else out.copy_(r)
    if n < 0:
        A = inv(A)
        n = -n
    result, base = None, A
    while n:
        if n & 1:
            result = base.clone() if result is None else matmul(result, base)
        n >>= 1
        if n:
            base = matmul(base, base)
    return result if out is None else out.copy_(result)


def _tol(S, m, n, atol, rtol, dt):
    """Singular values above max(atol, rtol * largest) count (PyTorch's rule)."""
    smax = vector_norm(S, _INF, -1, True) if S.shape[-1] else zeros(S.shape, dtype=S.dtype)
    if rtol is None:
        eps = 1.1920928955078125e-07 if dt in (_F32, _C64) else 2.220446049250313e-16
        rtol = 0.0 if (atol is not None and (not isinstance(atol, (int, float)) or atol > 0)) else eps * max(m, n)
    t = smax * rtol
    if atol is not None:
        t = t.maximum(atol if isinstance(atol, TensorBase) else _full_like(t, atol))
    return t


def _full_like(t, v):
    from cytorch._ops.creation import full
    return full(t.shape, v, dtype=t.dtype)


def matrix_rank(A, *, atol=None, rtol=None, hermitian=False, tol=None, out=None):
    """Number of singular values above the tolerance (int64, batch-shaped)."""
    _check_input(A, "linalg.matrix_rank", square=hermitian)
    if tol is not None:
        atol, rtol = tol, 0.0
    S = eigvalsh(A).abs() if hermitian else svdvals(A)
    t = _tol(S, A.shape[-2], A.shape[-1], atol, rtol, A.dtype)
    r = vector_norm((S > t).to(S.dtype), 0, -1).to(_dtype_from_name("int64")) if S.shape[-1] else \
        zeros(S.shape[:-1], dtype=_dtype_from_name("int64"))
    return r if out is None else out.copy_(r)


def pinv(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """Moore-Penrose pseudo-inverse from the SVD: V diag(1/S, small S dropped) U^H."""
    _check_input(A, "linalg.pinv", square=False)
    m, n = A.shape[-2], A.shape[-1]
    if A.numel() == 0:
        return zeros((*_batch(A), n, m), dtype=A.dtype)
    U, S, Vh = svd(A, full_matrices=False)
    t = _tol(S, m, n, atol, rtol, A.dtype)
    keep = (S > t).to(S.dtype)
    sinv = keep / (S + (1 - keep))
    V = Vh.transpose(-2, -1)
    Uh = U.transpose(-2, -1)
    if A.is_complex():
        V, Uh = V.conj(), Uh.conj()
    r = matmul(V * sinv.unsqueeze(-2).to(V.dtype), Uh)
    return r if out is None else out.copy_(r)


def lstsq(A, B, rcond=None, *, driver=None):
    """Least-squares solution of A X = B through the pseudo-inverse. Only `solution` is filled;
    residuals, rank and singular_values are empty (PyTorch's default 'gelsy' driver also leaves
    residuals and singular_values empty)."""
    _check_input(A, "linalg.lstsq", square=False)
    if not isinstance(B, TensorBase):
        raise TypeError(f"linalg.lstsq(): argument 'B' must be Tensor, not {type(B).__name__}")
    if A.dtype != B.dtype:
        raise RuntimeError(f"torch.linalg.lstsq: Expected input and other to have the same dtype, but got "
                           f"input's dtype {pretty_name(A.dtype.code)} and other's dtype {pretty_name(B.dtype.code)}")
    vector = B.dim() == A.dim() - 1
    Bm = B.unsqueeze(-1) if vector else B
    if Bm.shape[-2] != A.shape[-2]:
        raise RuntimeError(f"torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
    X = matmul(pinv(A, rtol=rcond), Bm)
    if vector:
        X = X.squeeze(-1)
    return LstsqResult(X, empty(0, dtype=A.dtype.to_real), empty(0, dtype=_dtype_from_name("int64")),
                       empty(0, dtype=A.dtype.to_real))


def cross(input, other, *, dim=-1, out=None):
    """Cross product of 3-vectors along dim (inputs broadcast)."""
    if input.dim() != other.dim():
        raise RuntimeError(f"linalg.cross: inputs must have the same number of dimensions.")
    shape = _broadcast_batch(tuple(input.shape), tuple(other.shape))
    nd = len(shape)
    d = dim % nd if -nd <= dim < nd else None
    if d is None:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], but got {dim})")
    if input.shape[d] != 3 or other.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got {input.shape[d]} "
                           f"and {other.shape[d]}")
    a = input.expand(*shape)
    b = other.expand(*shape)
    r = empty(shape, dtype=(a.narrow(d, 0, 1) * b.narrow(d, 0, 1)).dtype)
    for i in range(3):
        j, k = (i + 1) % 3, (i + 2) % 3
        r.narrow(d, i, 1).copy_(a.narrow(d, j, 1) * b.narrow(d, k, 1) - a.narrow(d, k, 1) * b.narrow(d, j, 1))
    return r if out is None else out.copy_(r)


def multi_dot(tensors, *, out=None):
    """Product of a chain of matrices in the cheapest order; the first may be a 1-d row
    vector and the last a 1-d column vector."""
    ts = list(tensors)
    if len(ts) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(ts)}")
    first_vec, last_vec = ts[0].dim() == 1, ts[-1].dim() == 1
    if first_vec:
        ts[0] = ts[0].unsqueeze(0)
    if last_vec:
        ts[-1] = ts[-1].unsqueeze(-1)
    for i, t in enumerate(ts):
        if t.dim() != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t.dim()}D")
    r = _multi_dot(ts)
    if first_vec:
        r = r.squeeze(0)
    if last_vec:
        r = r.squeeze(-1)
    return r if out is None else out.copy_(r)


def vecdot(x, y, *, dim=-1, out=None):
    """sum(conj(x) * y) along dim, inputs broadcast."""
    if x.is_complex():
        x = x.conj()
    p = x * y
    d = dim % p.dim()
    rest = [i for i in range(p.dim()) if i != d]
    p = p.permute(*(rest + [d]))
    from cytorch._ops.blas import _sum_last
    r = _sum_last(p.contiguous(), 1)
    return r if out is None else out.copy_(r)


def solve_ex(A, B, *, left=True, check_errors=False, out=None):
    """solve() that reports singular matrices through info (int32, batch-shaped) instead of
    raising, unless check_errors."""
    _check_input(A, "linalg.solve_ex")
    batch = _batch(A)
    _, _, info = lu_factor_ex(A)
    if check_errors:
        _check_info(info, batch, "linalg.solve_ex", lambda v: "The solver failed because the input matrix is singular.")
    if any(info.reshape(-1).tolist()):
        return SolveExResult(zeros(_solve_shape(A, B), dtype=A.dtype), info)
    return SolveExResult(solve(A, B, left=left, out=out), info)


def _solve_shape(A, B):
    vector = B.dim() == 1 or (B.dim() == A.dim() - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    Bm = B.unsqueeze(-1) if vector else B
    shape = _broadcast_batch(_batch(A), _batch(Bm)) + tuple(Bm.shape[-2:])
    return shape[:-1] if vector else shape


def solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    """Solve A X = B (left) or X A = B for triangular A (only its upper/lower triangle is read;
    unitriangular assumes ones on the diagonal). No singularity check, like PyTorch."""
    _check_input(A, "linalg.solve_triangular")
    if not isinstance(B, TensorBase):
        raise TypeError(f"linalg.solve_triangular(): argument 'B' must be Tensor, not {type(B).__name__}")
    if A.dtype != B.dtype:
        raise RuntimeError(f"linalg.solve_triangular: Expected A and B to have the same dtype, but found A of type "
                           f"{pretty_name(A.dtype.code)} and B of type {pretty_name(B.dtype.code)} instead")
    if B.dim() < 2:
        raise RuntimeError("linalg.solve_triangular: The input tensor B must have at least 2 dimensions.")
    if not left:
        # X A = B  <=>  A^T X^T = B^T, and A^T is triangular the other way
        r = solve_triangular(A.transpose(-2, -1), B.transpose(-2, -1), upper=not upper,
                             unitriangular=unitriangular).transpose(-2, -1)
        return r if out is None else out.copy_(r)
    n, k = A.shape[-1], B.shape[-1]
    if B.shape[-2] != n:
        raise RuntimeError(f"linalg.solve_triangular: Incompatible shapes of A and B for the equation AX = B "
                           f"({A.shape[-2]}x{A.shape[-1]} and {B.shape[-2]}x{B.shape[-1]})")
    batch = _broadcast_batch(_batch(A), _batch(B))
    abuf = _lapack.fortran_copy(A.expand(*batch, n, n), A.dtype.code)
    bbuf = _lapack.fortran_copy(B.expand(*batch, n, k), A.dtype.code)
    _lapack.trsm(abuf, n, bbuf, k, upper, unitriangular)
    r = _T(bbuf)
    return r if out is None else out.copy_(r)


def lu_factor_ex(A, *, pivot=True, check_errors=False, out=None):
    """LU factorisation with partial pivoting: A = P L U packed in LU, 1-based pivots (int32)."""
    _check_input(A, "linalg.lu_factor_ex", square=False)
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")
    m, n = A.shape[-2], A.shape[-1]
    batch = _batch(A)
    if A.numel() == 0:
        return LUFactorExResult(empty(A.shape, dtype=A.dtype),
                                zeros((*batch, min(m, n)), dtype=_dtype_from_name("int32")),
                                zeros(batch, dtype=_dtype_from_name("int32")))
    buf = _fortran(A)
    ipiv, info = _lapack.getrf(buf, m, n)
    info = info.reshape(batch)
    if check_errors:
        _check_info(info, batch, "linalg.lu_factor_ex",
                    lambda v: f"The factorization could not be completed because the input is singular "
                              f"(U[{v}, {v}] is zero).")
    return LUFactorExResult(_T(buf), ipiv.reshape(*batch, min(m, n)), info)


def lu_factor(A, *, pivot=True, out=None):
    """(LU, pivots) of A; singular matrices are allowed (U gets a zero diagonal entry)."""
    LU, piv, _ = lu_factor_ex(A, pivot=pivot)
    return LUFactorResult(LU, piv)


def lu(A, *, pivot=True, out=None):
    """A = P L U with P a permutation matrix, L unit lower (m x k), U upper (k x n)."""
    LU, piv, _ = lu_factor_ex(A, pivot=pivot)
    return LUResult(*_lu_unpack(LU, piv))


def _lu_unpack(LU, piv):
    m, n = LU.shape[-2], LU.shape[-1]
    k, batch, dt = min(m, n), _batch(LU), LU.dtype
    Ubuf = _lapack.fortran_copy(LU.narrow(-2, 0, k), dt.code)
    _lapack.zero_lower(Ubuf, k, n)
    # the Fortran copy of L^T (k x m) is, read row-major, L itself; zeroing below L^T's
    # diagonal clears L's strict upper triangle
    L = _lapack.fortran_copy(LU.narrow(-1, 0, k).transpose(-2, -1), dt.code)
    _lapack.zero_lower(L, k, m)
    diagonal(L, offset=0, dim1=-2, dim2=-1).fill_(1)
    # P from LAPACK's sequence of row swaps (small Python glue: pivots are k ints per matrix)
    rows = []
    for pv in (piv.reshape(-1, k).tolist() if _nbatch(batch) else []):
        perm = list(range(m))
        for i, p in enumerate(pv):
            perm[i], perm[p - 1] = perm[p - 1], perm[i]
        P = [[0.0] * m for _ in range(m)]
        for i, r in enumerate(perm):
            P[r][i] = 1.0
        rows.append(P)
    from cytorch._ops.creation import tensor
    P = tensor(rows, dtype=dt).reshape(*batch, m, m) if rows else zeros((*batch, m, m), dtype=dt)
    return P, L, _T(Ubuf)


def lu_solve(LU, pivots, B, *, left=True, adjoint=False, out=None):
    """Solve A X = B from lu_factor's (LU, pivots)."""
    if not left or adjoint:
        P, L, U = _lu_unpack(LU, pivots)
        A = matmul(P, matmul(L, U))
        if adjoint:
            A = A.transpose(-2, -1)
            if A.is_complex():
                A = A.conj()
        return solve(A, B, left=left, out=out)
    n, k = LU.shape[-1], B.shape[-1]
    batch = _broadcast_batch(_batch(LU), _batch(B))
    abuf = _lapack.fortran_copy(LU.expand(*batch, n, n), LU.dtype.code)
    piv = pivots.expand(*batch, n).contiguous()
    nb = _nbatch(batch)
    info = zeros(nb, dtype=_dtype_from_name("int32"))
    bbuf = _lapack.fortran_copy(B.expand(*batch, n, k), LU.dtype.code)
    _lapack.getrs(abuf, n, piv, info, bbuf, k)
    r = _T(bbuf)
    return r if out is None else out.copy_(r)


def eig(A, *, out=None):
    """Eigenvalues and right eigenvectors (unit-norm columns) of general square matrices;
    always complex."""
    _check_input(A, "linalg.eig")
    n, batch = A.shape[-1], _batch(A)
    cdt = _C64 if A.dtype in (_F32, _C64) else _C128
    if A.numel() == 0:
        return EigResult(zeros((*batch, n), dtype=cdt), empty(A.shape, dtype=cdt))
    buf = _fortran(A)
    w, v, info = _lapack.geev(buf, n, True)
    _check_info(info.reshape(batch), batch, "linalg.eig",
                lambda v_: f"The algorithm failed to converge because the input matrix is ill-conditioned or has "
                           f"too many repeated eigenvalues (error code: {v_}).")
    return EigResult(w.reshape(*batch, n), _T(v).reshape(*batch, n, n) if batch else _T(v).reshape(n, n))


def eigvals(A, *, out=None):
    """Eigenvalues (complex) of general square matrices."""
    _check_input(A, "linalg.eigvals")
    n, batch = A.shape[-1], _batch(A)
    cdt = _C64 if A.dtype in (_F32, _C64) else _C128
    if A.numel() == 0:
        return zeros((*batch, n), dtype=cdt)
    w, _, info = _lapack.geev(_fortran(A), n, False)
    _check_info(info.reshape(batch), batch, "linalg.eigvals", lambda v_: f"The algorithm failed to converge "
                f"(error code: {v_}).")
    r = w.reshape(*batch, n)
    return r if out is None else out.copy_(r)


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """View of the diagonal (offset above it when > 0) over dims dim1, dim2, as the last dim."""
    nd = A.dim()
    d1, d2 = dim1 % nd, dim2 % nd
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    n1, n2 = A.shape[d1], A.shape[d2]
    if offset >= 0:
        length = max(0, min(n1, n2 - offset))
        start = offset * A.stride(d2) if length else 0
    else:
        length = max(0, min(n1 + offset, n2))
        start = -offset * A.stride(d1) if length else 0
    keep = [d for d in range(nd) if d not in (d1, d2)]
    shape = [A.shape[d] for d in keep] + [length]
    stride = [A.stride(d) for d in keep] + [A.stride(d1) + A.stride(d2)]
    return A._as_strided(shape, stride, A.storage_offset() + start)


def vander(x, *, N=None):
    """Vandermonde matrix with increasing powers: out[..., i, j] = x[..., i] ** j."""
    if x.dim() < 1:
        raise RuntimeError("linalg.vander: x must have at least one dimension.")
    n = x.shape[-1] if N is None else N
    if n <= 1 and N is not None and N < 1:
        raise RuntimeError("N must be greater than 1.")
    r = empty((*x.shape, n), dtype=x.dtype)
    if n:
        p = ones(x.shape, dtype=x.dtype)
        for j in range(n):
            r.narrow(-1, j, 1).copy_(p.unsqueeze(-1))
            p = p * x
    return r


def householder_product(A, tau, *, out=None):
    """The first n columns of the product of Householder reflectors (LAPACK's orgqr/ungqr)."""
    _check_input(A, "linalg.householder_product", square=False)
    m, n = A.shape[-2], A.shape[-1]
    if n > m:
        raise RuntimeError("torch.linalg.householder_product: input.shape[-2] must be greater than or equal to "
                           "input.shape[-1]")
    k = tau.shape[-1]
    if k > n:
        raise RuntimeError("torch.linalg.householder_product: input.shape[-1] must be greater than or equal to "
                           "tau.shape[-1]")
    q = _fortran(A)
    if q.numel():
        _lapack.orgqr(q, m, n, k, tau.to(A.dtype).contiguous())
    r = _T(q)
    return r if out is None else out.copy_(r)


def tensorinv(A, ind=2, *, out=None):
    """Inverse of A seen as a linear map from A.shape[ind:] to A.shape[:ind]."""
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    out_shape = tuple(A.shape[ind:]) + tuple(A.shape[:ind])
    rows = _nbatch(A.shape[:ind])
    r = inv(A.reshape(rows, -1)).reshape(out_shape)
    return r if out is None else out.copy_(r)


def tensorsolve(A, B, dims=None, *, out=None):
    """X such that tensordot(A, X, X.ndim) == B."""
    if dims is not None:
        nd = A.dim()
        dims = [d % nd for d in dims]
        A = A.permute(*([d for d in range(nd) if d not in dims] + dims))
    xshape = tuple(A.shape[B.dim():])
    r = solve(A.reshape(B.numel(), -1), B.reshape(-1)).reshape(xshape)
    return r if out is None else out.copy_(r)


def _adjoint(A):
    A = A.transpose(-2, -1)
    return A.conj() if A.is_complex() else A


def cholesky_solve(B, L, upper=False, *, out=None):
    """X with A X = B where A = L L^H (or U^H U when upper) from a Cholesky factor."""
    if upper:
        r = solve_triangular(L, solve_triangular(_adjoint(L), B, upper=False), upper=True)
    else:
        r = solve_triangular(_adjoint(L), solve_triangular(L, B, upper=False), upper=True)
    return r if out is None else out.copy_(r)


def cholesky_inverse(L, upper=False, *, out=None):
    """A^-1 from a Cholesky factor of A."""
    r = cholesky_solve(_eye_batch(_batch(L), L.shape[-1], L.shape[-1], L.dtype), L, upper)
    return r if out is None else out.copy_(r)


# Higham's scaling-and-squaring with a degree-13 Pade approximant (SIAM J. Matrix Anal. 2005)
_PADE13 = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0, 129060195264000.0,
           10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0, 40840800.0, 960960.0, 16380.0, 182.0, 1.0)
_THETA13 = 5.371920351148152


def matrix_exp(A):
    """exp(A) of square matrices (batched): scaling and squaring with a [13/13] Pade approximant."""
    _check_input(A, "linalg.matrix_exp")
    n, batch = A.shape[-1], _batch(A)
    if A.numel() == 0:
        return empty(A.shape, dtype=A.dtype)
    norm1 = vector_norm(matrix_norm(A, 1).reshape(-1), _INF).item()
    s = max(0, int(math.ceil(math.log2(norm1 / _THETA13)))) if norm1 > 0 else 0
    X = A * (1.0 / 2 ** s) if s else A
    b = _PADE13
    eye_ = _eye_batch(batch, n, n, A.dtype)
    X2 = matmul(X, X)
    X4 = matmul(X2, X2)
    X6 = matmul(X4, X2)
    U = matmul(X, matmul(X6, X6 * b[13] + X4 * b[11] + X2 * b[9]) + X6 * b[7] + X4 * b[5] + X2 * b[3] + eye_ * b[1])
    V = matmul(X6, X6 * b[12] + X4 * b[10] + X2 * b[8]) + X6 * b[6] + X4 * b[4] + X2 * b[2] + eye_ * b[0]
    R = solve(V - U, V + U)
    for _ in range(s):
        R = matmul(R, R)
    return R
