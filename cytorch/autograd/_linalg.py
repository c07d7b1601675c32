"""Backward formulas of cytorch.linalg, and the wrappers that record them.

Formulas are the matrix-calculus adjoints, written with differentiable ops (matmul, solve,
solve_triangular, ...) so double backward works. ``X^H`` is ``X.mH``. Decompositions are
differentiated at their outputs; gradients through repeated eigen/singular values are not
defined (inf/nan, as in PyTorch). The rest of linalg is either a composite of these
(norms, logdet, pinv, lstsq, matrix_power, cholesky_solve, ...) or marked not differentiable
(eig, lu factorisations), so no linalg op drops ``requires_grad`` silently.
"""
import cytorch as _t
from cytorch._C import _autograd as _A
from cytorch.autograd._formulas import generic
from cytorch.autograd._composite import _plain, _not_implemented, recording
from cytorch.autograd._wrap import _replace, differentiable


def _mH(x):
    return x.mT.conj() if x.is_complex() else x.mT


def _vec(B, A):
    """Whether B is a (batch of) vector(s) for a solve with A (PyTorch's rule)."""
    return B.dim() == 1 or (B.dim() == A.dim() - 1 and B.shape == A.shape[:-1])


def _record_multi(key, inputs, res, ctx=None, saved=()):
    """Record a node for a named-tuple result (its tensors become the node's outputs)."""
    outs = tuple(res)
    _A._record(key, tuple(inputs), outs, ctx, saved)
    return type(res)(*outs)


# ---------------------------------------------------------------- inverse, determinants, solve

@generic("linalg_inv", name="LinalgInvExBackward0")
def _inv_bw(n, g):
    Y, = n.saved_tensors
    Yh = _mH(Y)
    return -(Yh @ g @ Yh)


@generic("linalg_det", name="LinalgDetBackward0")
def _det_bw(n, g):
    # d det / dA = det * A^-H where A is invertible; in general it is the cofactor matrix, which
    # the SVD gives for singular A too: U diag(prod_{j != i} s_j) V^H times det(U V^H)
    A, d = n.saved_tensors
    with _t.no_grad():
        singular = bool((d == 0).any())
    if not singular:
        c = g * d.conj() if d.is_complex() else g * d
        return c.unsqueeze(-1).unsqueeze(-1) * _mH(_t.linalg.inv(A))
    U, S, Vh = _t.linalg.svd(A)
    k = S.shape[-1]
    others = _t.stack([_t.cat([S[..., :i], S[..., i + 1:]], -1).prod(-1) for i in range(k)], -1)
    phase = _t.linalg.det(U) * _t.linalg.det(Vh)
    cof = (U * others.unsqueeze(-2).to(U.dtype)) @ Vh * phase.unsqueeze(-1).unsqueeze(-1)
    return g.unsqueeze(-1).unsqueeze(-1) * cof.conj()


@generic("linalg_slogdet", name="LinalgSlogdetBackward0")
def _slogdet_bw(n, g):
    A, = n.saved_tensors
    return g.unsqueeze(-1).unsqueeze(-1) * _mH(_t.linalg.inv(A))


@generic("linalg_solve", name="LinalgSolveBackward0")
def _solve_bw(n, g):
    A, X = n.saved_tensors
    left, vec = n.ctx
    gA = gB = None
    if left:
        gB = _t.linalg.solve(_mH(A), g)
        if n.needs_input_grad[0]:
            gA = -(gB.unsqueeze(-1) @ _mH(X.unsqueeze(-1))) if vec else -(gB @ _mH(X))
    else:
        gB = _t.linalg.solve(_mH(A), g, left=False)
        if n.needs_input_grad[0]:
            gA = -(_mH(X) @ gB)
    return gA, (gB if n.needs_input_grad[1] else None)


@generic("linalg_solve_triangular", name="LinalgSolveTriangularBackward0")
def _solve_triangular_bw(n, g):
    A, X = n.saved_tensors
    upper, left, unit = n.ctx
    gB = _t.linalg.solve_triangular(_mH(A), g, upper=not upper, left=left, unitriangular=unit)
    gA = None
    if n.needs_input_grad[0]:
        gA = -(gB @ _mH(X)) if left else -(_mH(X) @ gB)
        gA = gA.triu(1 if unit else 0) if upper else gA.tril(-1 if unit else 0)
    return gA, (gB if n.needs_input_grad[1] else None)


# ---------------------------------------------------------------- decompositions

def _phi(X):
    """Lower triangle of X with the diagonal halved."""
    return X.tril(-1) + 0.5 * _t.diag_embed(X.diagonal(0, -2, -1))


@generic("linalg_cholesky", name="LinalgCholeskyExBackward0")
def _cholesky_bw(n, g):
    # A = L L^H: gA = sym(L^-H Phi(L^H gL) L^-1)
    L, = n.saved_tensors
    upper, = n.ctx
    if upper:                      # U = L^H
        L, g = _mH(L), _mH(g)
    P = _phi(_mH(L) @ g)
    S = _t.linalg.solve_triangular(_mH(L), P, upper=True)
    S = _t.linalg.solve_triangular(L, S, upper=False, left=False)
    return 0.5 * (S + _mH(S))


def _qr_formula(n, grads):
    # A = QR, m >= n (reduced): M = R gR^H - gQ^H Q; gA = (gQ + Q copyltu(M)) R^-H
    Q, R = n.saved_tensors
    gQ, gR = grads
    if gQ is None:
        gQ = _t.zeros_like(Q)
    if gR is None:
        gR = _t.zeros_like(R)
    m, k = Q.shape[-2], Q.shape[-1]
    if m < R.shape[-1]:
        raise RuntimeError("The derivative of linalg.qr is not implemented when mode='complete' and nrows > "
                           "ncols, or when nrows < ncols.")
    M = R @ _mH(gR) - _mH(gQ) @ Q
    low = M.tril(-1)
    M = low + _mH(low) + _t.diag_embed(M.diagonal(0, -2, -1))
    b = gQ + Q @ M
    return (_t.linalg.solve_triangular(_mH(R), b, upper=False, left=False),)


def _eigh_formula(n, grads):
    # A = V diag(L) V^H: gA = V (diag(gL) + skew(V^H gV)/2 / (L_j - L_i)) V^H
    L, V = n.saved_tensors
    gL, gV = grads
    if gV is None:
        inner = _t.diag_embed(gL.to(V.dtype))
    else:
        VhgV = _mH(V) @ gV
        VhgV = 0.5 * (VhgV - _mH(VhgV))
        E = L.unsqueeze(-2) - L.unsqueeze(-1)
        E = E + _t.eye(E.shape[-1], dtype=E.dtype)
        inner = VhgV / E
        inner = inner - _t.diag_embed(inner.diagonal(0, -2, -1))
        if gL is not None:
            inner = inner + _t.diag_embed(gL.to(V.dtype))
    return (V @ inner @ _mH(V),)


def _svd_formula(n, grads):
    # A = U diag(S) Vh (reduced): the classical adjoint, with E_ij = S_j^2 - S_i^2
    U, S, Vh = n.saved_tensors
    gU, gS, gVh = grads
    m, k, ncols = U.shape[-2], S.shape[-1], Vh.shape[-1]
    if gU is None and gVh is None:
        return (U @ (gS.unsqueeze(-1) * Vh) if gS is not None else None,)
    if U.is_complex():
        raise RuntimeError("the derivative of linalg.svd with respect to U or Vh is not implemented for "
                           "complex inputs")
    Sr, Sc = S.unsqueeze(-2), S.unsqueeze(-1)
    S2 = S * S
    E = S2.unsqueeze(-2) - S2.unsqueeze(-1)
    E = E + _t.eye(k, dtype=E.dtype)
    inner = _t.zeros(U.shape[:-2] + (k, k), dtype=U.dtype)
    if gU is not None:
        J = U.mT @ gU
        inner = inner + (J - J.mT) * Sr / E
    if gVh is not None:
        K = Vh @ gVh.mT
        inner = inner + Sc * (K - K.mT) / E
    inner = inner - _t.diag_embed(inner.diagonal(0, -2, -1))
    if gS is not None:
        inner = inner + _t.diag_embed(gS)
    gA = U @ inner @ Vh
    if gU is not None and m > k:
        gUS = gU / Sr
        gA = gA + (gUS - U @ (U.mT @ gUS)) @ Vh
    if gVh is not None and ncols > k:
        SgV = gVh / Sc
        gA = gA + U @ (SgV - (SgV @ Vh.mT) @ Vh)
    return (gA,)


@generic("linalg_matrix_exp", name="LinalgMatrixExpBackward0")
def _matrix_exp_bw(n, g):
    # the Frechet derivative's adjoint: the top-right block of exp([[A^H, g], [0, A^H]])
    A, = n.saved_tensors
    k = A.shape[-1]
    Ah = _mH(A)
    top = _t.cat([Ah, g], -1)
    bottom = _t.cat([_t.zeros_like(A), Ah], -1)
    big = _t.linalg.matrix_exp(_t.cat([top, bottom], -2))
    return big[..., :k, k:]


def _register_multi(key, name, formula):
    _A._register_generic(key, name, formula)


# ---------------------------------------------------------------- composites

def _logdet_composite(plain, A):
    s, la = _t.linalg.slogdet(A)
    if A.is_complex():
        return la.to(A.dtype) + s.log()
    return _t.where(s < 0, _t.full_like(la, float("nan")), la)


def _vector_norm_composite(plain, x, ord=2, dim=None, keepdim=False, *, dtype=None):
    _plain(plain, x, ord, dim, keepdim, dtype=dtype)
    if dtype is not None:
        x = x.to(dtype)
    dims = tuple(range(x.dim())) if dim is None else ((dim,) if isinstance(dim, int) else tuple(dim))
    if x.dim() == 0:
        dims = ()
    a = x.abs()
    if ord == float("inf"):
        return _t.amax(a, dims, keepdim) if dims else a
    if ord == float("-inf"):
        return _t.amin(a, dims, keepdim) if dims else a
    if ord == 0:
        return _plain(plain, x, ord, dim, keepdim)
    if dim is None and not keepdim:
        return _t.norm(a.reshape(-1), float(ord))
    return _t.norm(a, float(ord), dims if dims else None, keepdim)


def _svdvals_composite(plain, A, *, driver=None):
    _plain(plain, A)
    return _t.linalg.svd(A, full_matrices=False).S


def _eigvalsh_composite(plain, A, UPLO="L"):
    return _t.linalg.eigh(A, UPLO).eigenvalues


def _matrix_norm_composite(plain, A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    _plain(plain, A, ord, dim, keepdim, dtype=dtype)
    if dtype is not None:
        A = A.to(dtype)
    d0, d1 = dim[0] % A.dim(), dim[1] % A.dim()
    if ord == "fro":
        return _t.linalg.vector_norm(A, 2, (d0, d1), keepdim)
    if ord in ("nuc", 2, -2):
        B = A.movedim((d0, d1), (-2, -1))
        s = _t.linalg.svdvals(B)
        r = s.sum(-1) if ord == "nuc" else (s.amax(-1) if ord == 2 else s.amin(-1))
        if keepdim:
            r = r.unsqueeze(min(d0, d1)).unsqueeze(max(d0, d1))
        return r
    # 1, -1 (columns), inf, -inf (rows)
    red, over = (d0, d1) if ord in (1, -1) else (d1, d0)
    s = A.abs().sum(red, keepdim=True)
    r = s.amax(over, keepdim=True) if ord in (1, float("inf")) else s.amin(over, keepdim=True)
    return r if keepdim else r.squeeze((d0, d1))


def _norm_composite(plain, A, ord=None, dim=None, keepdim=False, *, dtype=None):
    _plain(plain, A, ord, dim, keepdim, dtype=dtype)
    if dim is not None and not isinstance(dim, int) and len(dim) == 2 or (
            dim is None and ord is not None and A.dim() == 2):
        return _t.linalg.matrix_norm(A, "fro" if ord is None else ord, dim if dim is not None else (-2, -1),
                                     keepdim, dtype=dtype)
    return _t.linalg.vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)


def _matrix_power_composite(plain, A, n):
    _plain(plain, A, n)
    if n == 0:
        return A * 0 + _t.eye(A.shape[-1], dtype=A.dtype)
    if n < 0:
        A, n = _t.linalg.inv(A), -n
    result, base = None, A
    while n:
        if n & 1:
            result = base if result is None else result @ base
        n >>= 1
        if n:
            base = base @ base
    return result


def _cross_composite(plain, input, other, *, dim=-1):
    _plain(plain, input, other, dim=dim)
    a, b = _t.broadcast_tensors(input, other)
    d = dim % a.dim()
    i1, i2 = _t.tensor([1, 2, 0]), _t.tensor([2, 0, 1])
    return (a.index_select(d, i1) * b.index_select(d, i2) - a.index_select(d, i2) * b.index_select(d, i1))


def _pinv_composite(plain, A, *, atol=None, rtol=None, hermitian=False):
    out = _plain(plain, A, atol=atol, rtol=rtol, hermitian=hermitian)
    U, S, Vh = _t.linalg.svd(A, full_matrices=False)
    # the cut-off as the forward computed it: singular values that produced nonzero entries
    with _t.no_grad():
        keep = S > _cutoff(S, A, atol, rtol)
    Sinv = _t.where(keep, 1 / _t.where(keep, S, _t.ones_like(S)), _t.zeros_like(S))
    return (_mH(Vh) * Sinv.unsqueeze(-2).to(A.dtype)) @ _mH(U) if out.numel() else out


def _cutoff(S, A, atol, rtol):
    smax = S.amax(-1, keepdim=True) if S.numel() else S
    if rtol is None:
        eps = 1.1920929e-07 if S.dtype == _t.float32 else 2.220446049250313e-16
        rtol = 0.0 if atol is not None and atol > 0 else max(A.shape[-2:]) * eps
    a = 0.0 if atol is None else atol
    return _t.clamp(smax * rtol, min=a)


def _lstsq_composite(plain, A, B, rcond=None, *, driver=None):
    res = _plain(plain, A, B, rcond, driver=driver)
    X = _t.linalg.pinv(A) @ (B if B.dim() == A.dim() else B.unsqueeze(-1))
    if B.dim() != A.dim():
        X = X.squeeze(-1)
    return type(res)(X, *tuple(res)[1:])


def _cholesky_solve_composite(plain, B, L, upper=False):
    _plain(plain, B, L, upper)
    Y = _t.linalg.solve_triangular(_mH(L) if upper else L, B, upper=False)
    return _t.linalg.solve_triangular(L if upper else _mH(L), Y, upper=True)


def _cholesky_inverse_composite(plain, L, upper=False):
    _plain(plain, L, upper)
    eye = _t.eye(L.shape[-1], dtype=L.dtype).expand(L.shape)
    return _cholesky_solve_composite(lambda *a, **k: None, eye, L, upper)


def _not_differentiable(op):
    def composite(plain, *args, **kw):
        res = _plain(plain, *args, **kw)
        ins = tuple(a for a in args if isinstance(a, _t.Tensor))
        outs = tuple(res) if isinstance(res, tuple) else res
        _not_implemented(op, ins, outs)
        return type(res)(*outs) if isinstance(res, tuple) else res
    return composite


def install():
    from cytorch import linalg as L
    from cytorch._ops import blas as B
    also = (B, _t)

    def wrap(name, fn):
        old = getattr(L, name)
        setattr(L, name, fn)
        for mod in also:
            for k, v in list(vars(mod).items()):
                if v is old:
                    setattr(mod, k, fn)
        from cytorch._tensor import Tensor
        for k, v in list(vars(Tensor).items()):
            if v is old:
                setattr(Tensor, k, fn)

    plain_inv = L.inv
    wrap("inv", recording(plain_inv, "linalg_inv", 1, lambda A, **k: (A,), save=lambda Y, A, **k: (Y,)))

    def det_rec(plain):
        def record(args, kw):
            A = args[0]
            d = _plain(plain, *args, **kw)
            return _A._record("linalg_det", (A,), d, None, (A, d))
        return _A._make_wrapper(plain, 1, record)
    wrap("det", det_rec(L.det))

    def slogdet_rec(plain):
        def record(args, kw):
            A = args[0]
            res = _plain(plain, *args, **kw)
            s, la = res
            _A._record("linalg_slogdet", (A,), la, None, (A,))
            return type(res)(s, la)
        return _A._make_wrapper(plain, 1, record)
    wrap("slogdet", slogdet_rec(L.slogdet))
    plain_old_slogdet = B.slogdet
    B.slogdet = _t.slogdet = grad_path_fn(plain_old_slogdet,
                                          lambda plain, A, **k: B._linalg.SlogdetOld(*L.slogdet(A)))
    wrap("logdet", grad_path_fn(L.logdet, _logdet_composite))

    def solve_rec(plain):
        def record(args, kw):
            A, Bm = args[0], args[1]
            left = kw.get("left", True)
            X = _plain(plain, *args, **kw)
            return _A._record("linalg_solve", (A, Bm), X, (left, _vec(Bm, A)), (A, X))
        return _A._make_wrapper(plain, 0, record)
    wrap("solve", solve_rec(L.solve))

    def st_rec(plain):
        def record(args, kw):
            A, Bm = args[0], args[1]
            X = _plain(plain, *args, **kw)
            ctx = (kw["upper"], kw.get("left", True), kw.get("unitriangular", False))
            return _A._record("linalg_solve_triangular", (A, Bm), X, ctx, (A, X))
        return _A._make_wrapper(plain, 0, record)
    wrap("solve_triangular", st_rec(L.solve_triangular))

    def chol_rec(plain):
        def record(args, kw):
            A = args[0]
            Lf = _plain(plain, *args, **kw)
            return _A._record("linalg_cholesky", (A,), Lf, (kw.get("upper", False),), (Lf,))
        return _A._make_wrapper(plain, 1, record)
    wrap("cholesky", chol_rec(L.cholesky))
    B.cholesky = _t.cholesky = grad_path_fn(B.cholesky, lambda plain, A, upper=False, **k: L.cholesky(A, upper=upper))

    _register_multi("linalg_qr", "LinalgQrBackward0", _qr_formula)

    def qr_rec(plain):
        def record(args, kw):
            A = args[0]
            res = _plain(plain, *args, **kw)
            mode = args[1] if len(args) > 1 else kw.get("mode", "reduced")
            if mode == "r":
                return type(res)(res[0], _not_implemented("linalg_qr (mode='r')", (A,), res[1]))
            return _record_multi("linalg_qr", (A,), res, None, tuple(res))
        return _A._make_wrapper(plain, 1, record)
    wrap("qr", qr_rec(L.qr))

    _register_multi("linalg_eigh", "LinalgEighBackward0", _eigh_formula)

    def eigh_rec(plain):
        def record(args, kw):
            res = _plain(plain, *args, **kw)
            return _record_multi("linalg_eigh", (args[0],), res, None, tuple(res))
        return _A._make_wrapper(plain, 1, record)
    wrap("eigh", eigh_rec(L.eigh))
    wrap("eigvalsh", grad_path_fn(L.eigvalsh, _eigvalsh_composite))

    _register_multi("linalg_svd", "LinalgSvdBackward0", _svd_formula)

    def svd_rec(plain):
        def record(args, kw):
            A = args[0]
            res = _plain(plain, *args, **kw)
            full = args[1] if len(args) > 1 else kw.get("full_matrices", True)
            if full and A.shape[-2] != A.shape[-1]:
                outs = tuple(res)
                _not_implemented("linalg_svd (full_matrices=True on a non-square matrix; use "
                                 "full_matrices=False)", (A,), outs)
                return type(res)(*outs)
            return _record_multi("linalg_svd", (A,), res, None, tuple(res))
        return _A._make_wrapper(plain, 1, record)
    wrap("svd", svd_rec(L.svd))
    wrap("svdvals", grad_path_fn(L.svdvals, _svdvals_composite))

    wrap("matrix_exp", differentiable("linalg_matrix_exp", L.matrix_exp, lambda A: (A,), save=lambda A: (A,),
                                      mode=1))
    wrap("vector_norm", grad_path_fn(L.vector_norm, _vector_norm_composite))
    wrap("matrix_norm", grad_path_fn(L.matrix_norm, _matrix_norm_composite))
    wrap("norm", grad_path_fn(L.norm, _norm_composite))
    wrap("matrix_power", grad_path_fn(L.matrix_power, _matrix_power_composite))
    wrap("cross", grad_path_fn(L.cross, _cross_composite))
    wrap("pinv", grad_path_fn(L.pinv, _pinv_composite))
    wrap("lstsq", grad_path_fn(L.lstsq, _lstsq_composite))
    wrap("cholesky_solve", grad_path_fn(L.cholesky_solve, _cholesky_solve_composite))
    wrap("cholesky_inverse", grad_path_fn(L.cholesky_inverse, _cholesky_inverse_composite))
    B.cross = _t.cross = grad_path_fn(B.cross, lambda plain, input, other, dim=None, **k: L.cross(
        input, other, dim=dim if dim is not None else next(i for i, s in enumerate(input.shape) if s == 3)))
    B.pinverse = _t.pinverse = grad_path_fn(B.pinverse, lambda plain, A, rcond=1e-15: L.pinv(A, rtol=rcond))
    for nm in ("eig", "eigvals", "lu_factor", "lu_factor_ex", "lu", "lu_solve", "householder_product",
               "inv_ex", "cholesky_ex", "solve_ex", "matrix_rank"):
        if nm != "matrix_rank":
            wrap(nm, grad_path_fn(getattr(L, nm), _not_differentiable("linalg_" + nm)))
    _t.inverse = B.inverse = L.inv
    _t.det = B.det = L.det
    _t.logdet = B.logdet = L.logdet
    _t.matrix_exp = B.matrix_exp = L.matrix_exp
    _t.cholesky_solve = B.cholesky_solve = L.cholesky_solve
    _t.cholesky_inverse = B.cholesky_inverse = L.cholesky_inverse


def grad_path_fn(plain, composite, mode=0):
    def record(args, kw):
        return composite(plain, *args, **kw)
    w = _A._make_wrapper(plain, mode, record)
    w.__name__ = getattr(plain, "__name__", "op")
    w.__doc__ = getattr(plain, "__doc__", None)
    return w
