"""Matrix products: matmul and friends, einsum, tensordot, kron.

The products themselves run in cytorch/_C/_blas.pyx (BLAS gemm for
float/complex, a C loop for integers); this module holds PyTorch's argument
handling and the ops built from them: einsum and tensordot become
permute/reshape + one batched gemm per pair of operands, and sums over
indices found in one operand only are products with a ones vector (so they
also run in BLAS).
"""
from cytorch._C import _blas
from cytorch._C._tensor import TensorBase
from cytorch._tensor import Tensor, tensor_method

__all__ = ["matmul", "mm", "bmm", "mv", "dot", "vdot", "inner", "outer", "ger", "addmm", "addmv",
           "addbmm", "baddbmm", "addr", "einsum", "tensordot", "kron", "chain_matmul"]

matmul = _blas.matmul
mm = _blas.mm
bmm = _blas.bmm
mv = _blas.mv
dot = _blas.dot
addmm = _blas.addmm
baddbmm = _blas.baddbmm


def _check_tensor(x, op, name):
    if not isinstance(x, TensorBase):
        raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(x).__name__}")


def vdot(input, other, *, out=None):
    """sum(conj(input) * other) of two 1-d tensors."""
    _check_tensor(input, "vdot", "input")
    _check_tensor(other, "vdot", "other")
    if input.dim() != 1 or other.dim() != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.dim()}D and {other.dim()}D tensors")
    if input.is_complex():
        input = input.conj()
    return dot(input, other, out=out)


def outer(input, vec2, *, out=None):
    """Outer product of two 1-d tensors: out[i, j] = input[i] * vec2[j] (types promote)."""
    _check_tensor(input, "outer", "input")
    _check_tensor(vec2, "outer", "vec2")
    if input.dim() != 1:
        raise RuntimeError(f"outer: Expected 1-D argument self, but got {input.dim()}-D")
    if vec2.dim() != 1:
        raise RuntimeError(f"outer: Expected 1-D argument vec2, but got {vec2.dim()}-D")
    r = input.reshape(-1, 1) * vec2.reshape(1, -1)
    return r if out is None else out.copy_(r)


ger = outer


def inner(input, other, *, out=None):
    """Sum over the last dims of input and other (a scalar operand multiplies)."""
    _check_tensor(input, "inner", "input")
    _check_tensor(other, "inner", "other")
    if input.dim() == 0 or other.dim() == 0:
        r = input * other
        return r if out is None else out.copy_(r)
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got shapes "
                           f"{list(input.shape)} and {list(other.shape)}")
    r = tensordot(input, other, ([-1], [-1]))
    return r if out is None else out.copy_(r)


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (mat @ vec); input broadcasts to (n,)."""
    _check_tensor(mat, "addmv", "mat")
    _check_tensor(vec, "addmv", "vec")
    _check_tensor(input, "addmv", "input")
    if mat.dim() != 2 or vec.dim() != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input.dim()}, {mat.dim()}, {vec.dim()}")
    if mat.shape[1] != vec.shape[0] or input.dim() > 1 or (input.dim() == 1 and input.shape[0] not in (1, mat.shape[0])):
        raise RuntimeError(f"size mismatch, got input ({input.shape[0] if input.dim() else 1}), "
                           f"mat ({mat.shape[0]}x{mat.shape[1]}), vec ({vec.shape[0]})")
    if not (input.dtype == mat.dtype == vec.dtype):
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {_P(input)}, {_P(mat)}, and {_P(vec)}")
    r = addmm(input.reshape(-1, 1), mat, vec.reshape(-1, 1), beta=beta, alpha=alpha).reshape(-1)
    return r if out is None else out.copy_(r)


def _P(t):
    from cytorch._C._tensor import pretty_name
    return pretty_name(t.dtype.code)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * sum_b batch1[b] @ batch2[b], as one gemm over K*b."""
    _check_tensor(batch1, "addbmm", "batch1")
    _check_tensor(batch2, "addbmm", "batch2")
    if batch1.dim() != 3 or batch2.dim() != 3:
        raise RuntimeError(f"batch1 must be a 3D tensor" if batch1.dim() != 3 else "batch2 must be a 3D tensor")
    b, n, k = batch1.shape
    if batch2.shape[0] != b or batch2.shape[1] != k:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{b}, {k}] "
                           f"but got: [{batch2.shape[0]}, {batch2.shape[1]}].")
    a2 = batch1.permute(1, 0, 2).reshape(n, b * k)
    b2 = batch2.reshape(b * k, batch2.shape[2])
    return addmm(input, a2, b2, beta=beta, alpha=alpha, out=out)


def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * outer(vec1, vec2)."""
    _check_tensor(vec1, "addr", "vec1")
    _check_tensor(vec2, "addr", "vec2")
    if vec1.dim() != 1 or vec2.dim() != 1:
        raise RuntimeError(f"addr: Expected 1-D argument vec1, but got {vec1.dim()}-D" if vec1.dim() != 1 else
                           f"addr: Expected 1-D argument vec2, but got {vec2.dim()}-D")
    return addmm(input, vec1.reshape(-1, 1), vec2.reshape(1, -1), beta=beta, alpha=alpha, out=out)


def _ones(n, dt):
    from cytorch._ops.creation import ones
    return ones(n, dtype=dt)


def _sum_last(t, nlast):
    """Sum t over its last `nlast` dims (a product with a ones vector, so it runs in BLAS)."""
    if nlast == 0:
        return t
    lead = tuple(t.shape[:t.dim() - nlast])
    n = 1
    for s in t.shape[t.dim() - nlast:]:
        n *= s
    m = 1
    for s in lead:
        m *= s
    r = matmul(t.reshape(m, n), _ones(n, t.dtype))
    return r.reshape(lead)


def tensordot(a, b, dims=2, out=None):
    """Contract dims of a with dims of b. dims: int (last `dims` of a with first of b)
    or a pair of lists of dims."""
    _check_tensor(a, "tensordot", "a")
    _check_tensor(b, "tensordot", "b")
    if isinstance(dims, TensorBase):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > a.dim() or dims > b.dim():
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        da = list(range(a.dim() - dims, a.dim()))
        db = list(range(dims))
    else:
        da, db = dims
        da = [da] if isinstance(da, int) else list(da)
        db = [db] if isinstance(db, int) else list(db)
        if len(da) != len(db):
            raise RuntimeError("both dimension lists should have same length")
        da = [_wrap(d, a.dim()) for d in da]
        db = [_wrap(d, b.dim()) for d in db]
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {_P(a)} but found {_P(b)}")
    for x, y in zip(da, db):
        if a.shape[x] != b.shape[y]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {a.shape[x]} in dim {x} "
                               f"and second has size {b.shape[y]} in dim {y}")
    fa = [d for d in range(a.dim()) if d not in da]
    fb = [d for d in range(b.dim()) if d not in db]
    k = 1
    for d in da:
        k *= a.shape[d]
    ma = 1
    for d in fa:
        ma *= a.shape[d]
    nb = 1
    for d in fb:
        nb *= b.shape[d]
    am = a.permute(*(fa + da)).reshape(ma, k)
    bm = b.permute(*(db + fb)).reshape(k, nb)
    r = mm(am, bm).reshape([a.shape[d] for d in fa] + [b.shape[d] for d in fb])
    return r if out is None else out.copy_(r)


def _wrap(d, n):
    if d < -n or d >= n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {d})")
    return d + n if d < 0 else d


def kron(input, other, *, out=None):
    """Kronecker product: blocks input[i...] * other."""
    _check_tensor(input, "kron", "input")
    _check_tensor(other, "kron", "other")
    nd = max(input.dim(), other.dim())
    sa = [1] * (nd - input.dim()) + list(input.shape)
    sb = [1] * (nd - other.dim()) + list(other.shape)
    a = input.reshape([x for s in sa for x in (s, 1)])
    b = other.reshape([x for s in sb for x in (1, s)])
    r = (a * b).reshape([x * y for x, y in zip(sa, sb)])
    return r if out is None else out.copy_(r)


def chain_matmul(*matrices, out=None):
    """Product of 2-d matrices, left to right (deprecated in PyTorch in favour of linalg.multi_dot)."""
    if len(matrices) == 1 and isinstance(matrices[0], (list, tuple)):
        matrices = tuple(matrices[0])
    if len(matrices) == 0:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    for m in matrices:
        if m.dim() != 2:
            raise RuntimeError(f"Tensor dimension is {m.dim()}, expected 2 instead.")
    if len(matrices) == 1:
        r = matrices[0].clone()
    else:
        r = multi_dot_impl(list(matrices))
    return r if out is None else out.copy_(r)


def multi_dot_impl(ms):
    """Product of 2-d matrices in the cheapest association order (dynamic programming)."""
    n = len(ms)
    if n <= 2:
        return mm(ms[0], ms[1]) if n == 2 else ms[0]
    p = [ms[0].shape[0]] + [m.shape[1] for m in ms]
    for i in range(n - 1):
        if ms[i].shape[1] != ms[i + 1].shape[0]:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({ms[i].shape[0]}x{ms[i].shape[1]} "
                               f"and {ms[i + 1].shape[0]}x{ms[i + 1].shape[1]})")
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            best = None
            for s in range(i, j):
                c = cost[i][s] + cost[s + 1][j] + p[i] * p[s + 1] * p[j + 1]
                if best is None or c < best:
                    best, split[i][j] = c, s
            cost[i][j] = best

    def prod(i, j):
        if i == j:
            return ms[i]
        s = split[i][j]
        return mm(prod(i, s), prod(s + 1, j))
    return prod(0, n - 1)


# ---------------------------------------------------------------- einsum

def _parse_term(term, op_index):
    labels, i = [], 0
    while i < len(term):
        ch = term[i]
        if ch == ".":
            if term[i:i + 3] != "..." or "..." in term[i + 3:] or "..." in "".join(x for x in labels if x == "..."):
                raise RuntimeError(f"einsum(): found '.' for operand {op_index} that is not part of any ellipsis")
            labels.append("...")
            i += 3
            continue
        if not ch.isalpha():
            raise RuntimeError(f"einsum(): invalid subscript given at index {i} in the equation string, "
                               f"subscripts must be in [a-zA-Z]")
        labels.append(ch)
        i += 1
    return labels


def einsum(*args):
    """Einstein summation, e.g. ``einsum('bij,bjk->bik', a, b)``.

    Supports implicit output (labels seen once, sorted), '...' broadcasting,
    repeated labels within an operand (diagonals) and sums over labels that
    appear in one operand only. Operands are contracted pairwise left to right,
    each pair as one batched gemm.
    """
    if len(args) >= 2 and isinstance(args[0], TensorBase):
        args = _sublist_to_equation(args)
    if len(args) < 1 or not isinstance(args[0], str):
        raise TypeError("einsum(): argument 'equation' must be str")
    eq = args[0].replace(" ", "")
    ops = args[1:]
    if len(ops) == 1 and isinstance(ops[0], (list, tuple)):
        ops = tuple(ops[0])
    if len(ops) == 0:
        raise RuntimeError("einsum(): must provide at least one operand")
    for i, t in enumerate(ops):
        if not isinstance(t, TensorBase):
            raise TypeError(f"einsum(): operand {i} must be Tensor, not {type(t).__name__}")
    if "->" in eq:
        lhs, rhs = eq.split("->", 1)
    else:
        lhs, rhs = eq, None
    terms = lhs.split(",")
    if len(terms) != len(ops):
        raise RuntimeError(f"einsum(): more operands were provided than specified in the equation"
                           if len(ops) > len(terms) else
                           "einsum(): fewer operands were provided than specified in the equation")
    parsed = [_parse_term(t, i) for i, t in enumerate(terms)]
    # expand '...' into internal labels (digits never collide with letters), right-aligned
    ell_nd = 0
    for i, (lab, t) in enumerate(zip(parsed, ops)):
        nl = len([x for x in lab if x != "..."])
        if "..." in lab:
            if t.dim() < nl:
                raise RuntimeError(f"einsum(): the number of subscripts in the equation ({nl}) is more than the number "
                                   f"of dimensions ({t.dim()}) for operand {i}")
            ell_nd = max(ell_nd, t.dim() - nl)
        elif nl != t.dim():
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({nl}) does not match the number "
                               f"of dimensions ({t.dim()}) for operand {i} and no ellipsis was given")
    ell = [str(d) for d in range(ell_nd)]
    full = []
    for lab, t in zip(parsed, ops):
        out = []
        for x in lab:
            if x == "...":
                k = t.dim() - (len(lab) - 1)
                out.extend(ell[ell_nd - k:])
            else:
                out.append(x)
        full.append(out)
    # sizes (size-1 dims broadcast)
    size = {}
    for i, (lab, t) in enumerate(zip(full, ops)):
        for x, s in zip(lab, t.shape):
            if x in size and size[x] != s and s != 1 and size[x] != 1:
                raise RuntimeError(f"einsum(): subscript {x} has size {s} for operand {i} which does not broadcast "
                                   f"with previously seen size {size[x]}")
            if x not in size or size[x] == 1:
                size[x] = s
    if rhs is None:
        counts = {}
        for lab in full:
            for x in lab:
                counts[x] = counts.get(x, 0) + 1
        out_labels = ell + sorted((x for x in counts if counts[x] == 1 and not x.isdigit()),
                                  key=lambda c: (c.islower(), c))
    else:
        out_labels = []
        for x in _parse_term(rhs, "output"):
            if x == "...":
                out_labels.extend(ell)
            else:
                if x in out_labels:
                    raise RuntimeError(f"einsum(): output subscript {x} appears more than once in the output")
                if x not in size:
                    raise RuntimeError(f"einsum(): output subscript {x} does not appear in the equation for any "
                                       f"input operand")
                out_labels.append(x)
    dt = ops[0].dtype
    for t in ops[1:]:
        if t.dtype != dt:
            raise RuntimeError(f"expected scalar type {_P(ops[0])} but found {_P(t)}")
    # per operand: diagonals for repeated labels, then broadcast size-1 dims
    cur = []
    for lab, t in zip(full, ops):
        t, lab = _diagonalize(t, lab)
        if any(t.shape[k] != size[x] for k, x in enumerate(lab)):
            t = t.expand([size[x] for x in lab])
        cur.append((t, lab))
    keep_out = set(out_labels)
    t, lab = cur[0]
    for j in range(1, len(cur)):
        u, lu = cur[j]
        later = set(keep_out)
        for _, l2 in cur[j + 1:]:
            later.update(l2)
        t, lab = _sum_labels(t, lab, later | set(lu))
        u, lu = _sum_labels(u, lu, later | set(lab))
        t, lab = _contract(t, lab, u, lu, later)
    t, lab = _sum_labels(t, lab, keep_out)
    perm = [lab.index(x) for x in out_labels]
    return t.permute(*perm) if perm != list(range(len(perm))) else t


def _sublist_to_equation(args):
    """einsum(op0, sublist0, op1, sublist1, ..., [out_sublist]) -> (equation, *ops); sublists hold
    ints in [0, 52) (0-25 -> 'A'-'Z', 26-51 -> 'a'-'z') or Ellipsis."""
    def term(sub):
        out = []
        for x in sub:
            if x is Ellipsis:
                out.append("...")
            elif isinstance(x, int) and 0 <= x < 52:
                out.append(chr(ord("A") + x) if x < 26 else chr(ord("a") + x - 26))
            else:
                raise RuntimeError(f"einsum(): expected subscript to be within the range [0, 52), but got {x}")
        return "".join(out)
    out = None
    if len(args) % 2 == 1:   # trailing output sublist
        args, out = args[:-1], args[-1]
    ops = list(args[0::2])
    eq = ",".join(term(sub) for sub in args[1::2]) + ("" if out is None else "->" + term(out))
    return (eq, *ops)


def _diagonalize(t, lab):
    """Take the diagonal for each label repeated within one operand (a strided view)."""
    if len(set(lab)) == len(lab):
        return t, lab
    new_lab, shape, stride = [], [], []
    for k, x in enumerate(lab):
        if x in new_lab:
            i = new_lab.index(x)
            if shape[i] != t.shape[k]:
                raise RuntimeError(f"einsum(): subscript {x} is repeated for operand but the sizes don't match, "
                                   f"{shape[i]} != {t.shape[k]}")
            stride[i] += t.stride(k)
        else:
            new_lab.append(x)
            shape.append(t.shape[k])
            stride.append(t.stride(k))
    return t._as_strided(shape, stride, t.storage_offset()), new_lab


def _sum_labels(t, lab, keep):
    """Sum t over the labels not in keep."""
    drop = [k for k, x in enumerate(lab) if x not in keep]
    if not drop:
        return t, lab
    stay = [k for k in range(len(lab)) if k not in drop]
    t = t.permute(*(stay + drop))
    return _sum_last(t, len(drop)), [lab[k] for k in stay]


def _contract(a, la, b, lb, keep):
    """Pairwise product: shared labels kept -> batch dims; shared labels not kept -> summed
    (the gemm's K); the rest are a's rows and b's columns."""
    batch = [x for x in la if x in lb and x in keep]
    con = [x for x in la if x in lb and x not in keep]
    ra = [x for x in la if x not in lb]
    cb = [x for x in lb if x not in la]
    sz = {}
    for x, s in zip(la, a.shape):
        sz[x] = s
    for x, s in zip(lb, b.shape):
        sz[x] = s

    def prod(xs):
        p = 1
        for x in xs:
            p *= sz[x]
        return p
    am = a.permute(*[la.index(x) for x in batch + ra + con]).reshape(prod(batch), prod(ra), prod(con))
    bm = b.permute(*[lb.index(x) for x in batch + con + cb]).reshape(prod(batch), prod(con), prod(cb))
    r = bmm(am, bm).reshape([sz[x] for x in batch + ra + cb])
    return r, batch + ra + cb


# ---------------------------------------------------------------- Tensor methods

for _f in (matmul, mm, bmm, mv, dot, vdot, inner, outer, ger, addmm, addmv, addbmm, baddbmm, addr, kron):
    tensor_method(_f)


def _inplace(f):
    def f_(self, *args, **kwargs):
        return self.copy_(f(self, *args, **kwargs))
    f_.__name__ = f.__name__ + "_"
    return f_


for _f in (addmm, addmv, addbmm, baddbmm, addr):
    tensor_method(_inplace(_f), name=_f.__name__ + "_")


@tensor_method(name="__matmul__")
def _matmul_op(self, other):
    if not isinstance(other, TensorBase):
        return NotImplemented
    return matmul(self, other)


@tensor_method(name="__rmatmul__")
def _rmatmul_op(self, other):
    if not isinstance(other, TensorBase):
        return NotImplemented
    return matmul(other, self)


# PyTorch has no in-place matmul: `a @= b` rebinds a to a new tensor.
tensor_method(_matmul_op, name="__imatmul__")


# ---------------------------------------------------------------- top-level linear algebra (torch.det & co.)
# cytorch.linalg imports matmul from this module, so it is imported last.
from cytorch import linalg as _linalg  # noqa: E402

det = _linalg.det
logdet = _linalg.logdet
matrix_power = _linalg.matrix_power
inverse = _linalg.inv


def slogdet(input, *, out=None):
    """(sign, log|det|) of square matrices (alias of linalg.slogdet)."""
    s, la = _linalg.slogdet(input)
    return _linalg.SlogdetOld(s, la)


def cholesky(input, upper=False, *, out=None):
    """Cholesky factor (PyTorch's older spelling of linalg.cholesky)."""
    return _linalg.cholesky(input, upper=upper, out=out)


def qr(input, some=True, *, out=None):
    """QR decomposition; some=False gives the complete Q."""
    return _linalg.qr(input, "reduced" if some else "complete")


def svd(input, some=True, compute_uv=True, *, out=None):
    """Older SVD API: returns (U, S, V) with V, not Vh; compute_uv=False zero-fills U and V."""
    U, S, Vh = _linalg.svd(input, full_matrices=not some)
    V = Vh.transpose(-2, -1)
    if input.is_complex():
        V = V.conj()
    if not compute_uv:
        U, V = U.new_zeros(U.shape), V.new_zeros(V.shape)
    return _linalg.SVDOld(U, S, V)


def pinverse(input, rcond=1e-15):
    """Pseudo-inverse with singular values below rcond * largest dropped."""
    return _linalg.pinv(input, rtol=rcond)


def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """PyTorch's older norm: 'fro' / numbers are vector norms over dim (all elements when None),
    'nuc' (or 'fro' over two dims) is a matrix norm."""
    if isinstance(dim, int):
        dim = (dim,)
    if p == "nuc" or (p == "fro" and dim is not None and len(dim) == 2):
        r = _linalg.matrix_norm(input, p, dim if dim is not None else (-2, -1), keepdim, dtype=dtype)
    else:
        r = _linalg.vector_norm(input, 2 if p == "fro" or p is None else p, dim, keepdim, dtype=dtype)
    return r if out is None else out.copy_(r)


def cross(input, other, dim=None, *, out=None):
    """Cross product along dim (default: the first dim of size 3)."""
    if dim is None:
        shape = _linalg._broadcast_batch(tuple(input.shape), tuple(other.shape))
        dim = next((i for i, s in enumerate(shape) if s == 3), None)
        if dim is None:
            raise RuntimeError(f"no dimension of size 3 in input")
    return _linalg.cross(input, other, dim=dim, out=out)


cholesky_solve = _linalg.cholesky_solve
cholesky_inverse = _linalg.cholesky_inverse
matrix_exp = _linalg.matrix_exp

__all__ += ["det", "logdet", "matrix_power", "inverse", "slogdet", "cholesky", "qr", "svd", "pinverse", "norm",
            "cross", "cholesky_solve", "cholesky_inverse", "matrix_exp"]
for _f in (det, logdet, matrix_power, inverse, slogdet, cholesky, qr, svd, pinverse, norm, cross, cholesky_solve,
           cholesky_inverse, matrix_exp):
    tensor_method(_f)
