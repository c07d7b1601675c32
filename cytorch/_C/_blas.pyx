"""_blas.pyx - matrix products.

float32/float64/complex64/complex128 go to SciPy's BLAS gemm; float16/bfloat16
are computed in float32 and cast back; integer dtypes use the C loop in
src_c/ct_matmul.c. Row-major C = A·B is handed to column-major BLAS as
Cᵀ = Bᵀ·Aᵀ, so a row-major operand is passed as-is ('N') and a transposed
view (unit row stride) as a transpose flag ('T'); only operands whose strides
BLAS cannot express are copied. Large products are divided between cytorch's
OpenMP threads, one single-threaded BLAS call per block of rows or columns (or per
batch element), rather than left to OpenBLAS's own thread pool (src_c/ct_gemm.c).
"""
from libc.stdint cimport int64_t, uintptr_t
from scipy.linalg.cython_blas cimport sgemm, dgemm, cgemm, zgemm
from cytorch._C._tensor cimport (TensorBase, _empty, _make_view, _cast, _contiguous, _copy_into,
                                 _check_err, _SIZES_C, _broadcast_shapes, dtype_of)
from cytorch._C.ct cimport *

cdef extern from "ct_gemm.h" nogil:
    ctypedef void (*ct_gemm_fn)(char *ta, char *tb, int *m, int *n, int *k, void *alpha,
                                void *a, int *lda, void *b, int *ldb, void *beta, void *c, int *ldc)
    ctypedef void (*ct_blas_set_threads_fn)(int)
    ctypedef int (*ct_blas_get_threads_fn)()
    void ct_gemm_set_blas_threads_fns(ct_blas_set_threads_fn set, ct_blas_get_threads_fn get)
    int ct_gemm_can_divide()
    void ct_gemm_run(ct_gemm_fn f, int nth, int isz, char ta, char tb, int m, int n, int k,
                     void *alpha, char *a, int lda, char *b, int ldb, void *beta, char *c, int ldc,
                     int nbd, const int64_t *bshape, const int64_t *bsa, const int64_t *bsb,
                     const int64_t *bsc, int64_t nb)

cdef extern from "ct_pgemm.h" nogil:
    void ct_pgemm_f32(char *ta, char *tb, int *m, int *n, int *k, void *alpha, void *a, int *lda,
                      void *b, int *ldb, void *beta, void *c, int *ldc)
    void ct_pgemm_f64(char *ta, char *tb, int *m, int *n, int *k, void *alpha, void *a, int *lda,
                      void *b, int *ldb, void *beta, void *c, int *ldc)
    int ct_pgemm_prefer(int isz, char ta, char tb, int m, int n, int k)

cdef extern from "ct_matmul.h" nogil:
    int ct_matmul_int(int dt, int64_t M, int64_t N, int64_t K,
                      const char *a, int64_t sa0, int64_t sa1,
                      const char *b, int64_t sb0, int64_t sb1,
                      char *c, int64_t sc0, int64_t sc1, int64_t alpha, int64_t beta)

# PyTorch's C++ type names, used in its dtype-mismatch messages
_CTYPE = ("bool", "unsigned char", "signed char", "short int", "int", "long int", "c10::Half",
          "c10::BFloat16", "float", "double", "c10::complex<float>", "c10::complex<double>")
_PRETTY = ("Bool", "Byte", "Char", "Short", "Int", "Long",
           "Half", "BFloat16", "Float", "Double", "ComplexFloat", "ComplexDouble")
cdef int64_t _INT_MAX = 2147483647
# 1: float32/float64 products go to the packed kernels of ct_pgemm.c where ct_pgemm_prefer()
# says they beat the BLAS; 0: always the BLAS; 2: always the packed kernels (tests)
cdef int _pgemm_mode = 1


cdef inline int64_t _max3(int64_t a, int64_t b, int64_t c) noexcept nogil:
    if b > a:
        a = b
    return c if c > a else a


cdef inline void _next_batch(int nbd, int64_t *idx, const int64_t *bshape,
                             char **pa, const int64_t *bsa, char **pb, const int64_t *bsb,
                             char **pc, const int64_t *bsc) noexcept nogil:
    """Advance the three matrix pointers to the next batch element (odometer over batch dims)."""
    cdef int d = nbd - 1
    while d >= 0:
        idx[d] += 1
        pa[0] += bsa[d]
        pb[0] += bsb[d]
        pc[0] += bsc[d]
        if idx[d] < bshape[d]:
            return
        pa[0] -= bsa[d] * bshape[d]
        pb[0] -= bsb[d] * bshape[d]
        pc[0] -= bsc[d] * bshape[d]
        idx[d] = 0
        d -= 1


cdef bint _layout(int64_t R, int64_t C, int64_t s0, int64_t s1, char *trans, int64_t *ld) noexcept:
    """Can an R x C row-major-indexed matrix with element strides (s0, s1) go to BLAS
    without a copy? Sets the flag for the swapped (column-major) product and the
    leading dimension."""
    if (s1 == 1 or C <= 1) and (R <= 1 or s0 >= (C if C > 1 else 1)):
        trans[0] = b'N'
        ld[0] = s0 if R > 1 else _max3(1, C, 1)
        return True
    if (s0 == 1 or R <= 1) and (C <= 1 or s1 >= (R if R > 1 else 1)):
        trans[0] = b'T'
        ld[0] = s1 if C > 1 else _max3(1, R, 1)
        return True
    return False


cdef int _int_loop(int dt, int64_t alpha, int64_t beta, int nbd, const int64_t *bshape, int64_t nb,
                   int64_t M, int64_t N, int64_t K,
                   char *pa, const int64_t *bsa, int64_t sa0, int64_t sa1,
                   char *pb, const int64_t *bsb, int64_t sb0, int64_t sb1,
                   char *pc, const int64_t *bsc, int64_t sc0, int64_t sc1) noexcept nogil:
    cdef int64_t idx[16]
    cdef int64_t i
    cdef int d, err
    for d in range(nbd):
        idx[d] = 0
    for i in range(nb):
        err = ct_matmul_int(dt, M, N, K, pa, sa0, sa1, pb, sb0, sb1, pc, sc0, sc1, alpha, beta)
        if err != CT_OK:
            return err
        _next_batch(nbd, idx, bshape, &pa, bsa, &pb, bsb, &pc, bsc)
    return CT_OK


cdef bint _batch_folds(TensorBase t, int nbd, int64_t rows, int64_t ld) noexcept:
    """Are t's batch dims laid out like more rows of one matrix with row stride ld?"""
    cdef int64_t expected = rows * ld
    cdef int d
    for d in range(nbd - 1, -1, -1):
        if t._shape[d] != 1:
            if t._stride[d] != expected:
                return False
            expected *= t._shape[d]
    return True


cdef int _gemm_nd(TensorBase a, TensorBase b, TensorBase c, object alpha, object beta, str op) except -1:
    """c := alpha * a @ b + beta * c over matching batch dims: a (*B, M, K), b (*B, K, N),
    c (*B, M, N), one dtype. c must have unit column stride (callers allocate it)."""
    cdef int nd = a._ndim, nbd = a._ndim - 2, d, err = 0, dt = a._dtype
    cdef int64_t M = a._shape[nd - 2], K = a._shape[nd - 1], N = b._shape[nd - 1], nb = 1
    cdef int64_t bsa[16]
    cdef int64_t bsb[16]
    cdef int64_t bsc[16]
    cdef int64_t isz = _SIZES_C[dt], lda = 1, ldb = 1, ldc
    cdef char ta = b'N', tb = b'N'
    cdef TensorBase a32, b32, c32
    cdef int64_t ia, ib
    for d in range(nbd):
        nb *= c._shape[d]
    if nb == 0 or M == 0 or N == 0:
        return 0
    if dt == CT_FLOAT16 or dt == CT_BFLOAT16:
        a32 = _cast(a, CT_FLOAT32)
        b32 = _cast(b, CT_FLOAT32)
        c32 = _cast(c, CT_FLOAT32) if beta != 0 else _empty(CT_FLOAT32, c._ndim, c._shape)
        _gemm_nd(a32, b32, c32, alpha, beta, op)
        _copy_into(c, c32)
        return 0
    if dt == CT_BOOL:
        raise NotImplementedError(f"\"{op}\" not implemented for 'Bool'")
    for d in range(nbd):
        bsa[d] = a._stride[d] * isz
        bsb[d] = b._stride[d] * isz
        bsc[d] = c._stride[d] * isz
    if dt <= CT_INT64:
        ia = alpha
        ib = beta
        with nogil:
            err = _int_loop(dt, ia, ib, nbd, c._shape, nb, M, N, K,
                            a._data, bsa, a._stride[nd - 2], a._stride[nd - 1],
                            b._data, bsb, b._stride[nd - 2], b._stride[nd - 1],
                            c._data, bsc, c._stride[nd - 2], c._stride[nd - 1])
        return _check_err(err, op)
    if M > _INT_MAX or N > _INT_MAX or K > _INT_MAX:
        raise RuntimeError(f"{op}: matrix dimensions above 2^31-1 are not supported by BLAS")
    if K == 0:
        lda = 1
        ldb = N
    else:
        if not _layout(M, K, a._stride[nd - 2], a._stride[nd - 1], &ta, &lda):
            a = _contiguous_copy(a)
            _layout(M, K, a._stride[nd - 2], a._stride[nd - 1], &ta, &lda)
            for d in range(nbd):
                bsa[d] = a._stride[d] * isz
        if not _layout(K, N, b._stride[nd - 2], b._stride[nd - 1], &tb, &ldb):
            b = _contiguous_copy(b)
            _layout(K, N, b._stride[nd - 2], b._stride[nd - 1], &tb, &ldb)
            for d in range(nbd):
                bsb[d] = b._stride[d] * isz
    if (N > 1 and c._stride[nd - 1] != 1) or (M > 1 and c._stride[nd - 2] < N):
        raise RuntimeError(f"{op}: internal error: output layout not BLAS-compatible")
    ldc = c._stride[nd - 2] if M > 1 else N
    if lda > _INT_MAX or ldb > _INT_MAX or ldc > _INT_MAX:
        raise RuntimeError(f"{op}: strides above 2^31-1 are not supported by BLAS")
    # one big gemm when the batch is just more rows of A and C (x @ W with W shared)
    if nbd > 0 and nb > 1 and ta == b'N' and K > 0:
        for d in range(nbd):
            if b._shape[d] != 1 and b._stride[d] != 0:
                break
        else:
            if _batch_folds(a, nbd, M, lda) and _batch_folds(c, nbd, M, ldc) \
                    and M * nb <= _INT_MAX:
                M *= nb
                nb = 1
                nbd = 0
    # alpha and beta in the gemm's element type: real ones in slots 0 and 1, complex ones
    # as (re, im) pairs in slots 0-1 and 2-3
    cdef double abd[4]
    cdef float abf[4]
    cdef void *pal
    cdef void *pbe
    cdef ct_gemm_fn f
    cdef int nth = ct_get_num_threads(), cplx = dt == CT_COMPLEX64 or dt == CT_COMPLEX128
    abd[2] = abd[3] = 0
    if cplx:
        ca, cb = complex(alpha), complex(beta)
        abd[0] = ca.real; abd[1] = ca.imag; abd[2] = cb.real; abd[3] = cb.imag
    else:
        abd[0] = alpha
        abd[1] = beta
    for d in range(4):
        abf[d] = <float>abd[d]
    if dt == CT_FLOAT32 or dt == CT_COMPLEX64:
        pal = &abf[0]
        pbe = &abf[2] if cplx else &abf[1]
        f = <ct_gemm_fn>cgemm if cplx else <ct_gemm_fn>sgemm
    else:
        pal = &abd[0]
        pbe = &abd[2] if cplx else &abd[1]
        f = <ct_gemm_fn>zgemm if cplx else <ct_gemm_fn>dgemm
    if not cplx and _pgemm_mode and (_pgemm_mode == 2 or ct_pgemm_prefer(<int>isz, tb, ta, <int>N,
                                                                         <int>M, <int>K)):
        f = <ct_gemm_fn>ct_pgemm_f32 if dt == CT_FLOAT32 else <ct_gemm_fn>ct_pgemm_f64
    with nogil:
        # row-major C = A·B is column-major Cᵀ = Bᵀ·Aᵀ: B's pointer goes first
        ct_gemm_run(f, nth, <int>isz, tb, ta, <int>N, <int>M, <int>K, pal, b._data, <int>ldb,
                    a._data, <int>lda, pbe, c._data, <int>ldc, nbd, c._shape, bsb, bsa, bsc, nb)
    return 0


cdef TensorBase _contiguous_copy(TensorBase t):
    """A row-major copy; broadcast (stride-0) batch dims stay broadcast, so an
    expanded operand is copied once, not once per batch."""
    cdef int nd = t._ndim, d
    cdef int64_t sh[16]
    cdef int64_t st[16]
    cdef TensorBase small
    for d in range(nd):
        sh[d] = 1 if (d < nd - 2 and t._stride[d] == 0) else t._shape[d]
    small = _empty(t._dtype, nd, sh)
    _copy_into(small, _make_view(t, nd, sh, t._stride, t._offset))
    for d in range(nd):
        st[d] = 0 if (d < nd - 2 and t._stride[d] == 0) else small._stride[d]
    return _make_view(small, nd, t._shape, st, 0)


cdef str _shape_str(TensorBase t):
    return "x".join(str(t._shape[d]) for d in range(t._ndim))


cdef int _check_same_dtype(TensorBase a, TensorBase b) except -1:
    if a._dtype != b._dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{_CTYPE[a._dtype]} != {_CTYPE[b._dtype]}")
    return 0


cdef TensorBase _tensor_arg(object x, str op, str name):
    if not isinstance(x, TensorBase):
        raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(x).__name__}")
    return <TensorBase>x


cdef object _finish(TensorBase r, object out, str op):
    """Return r, or copy it into out (resizing an empty out like PyTorch)."""
    cdef TensorBase o
    if out is None:
        return r
    o = _tensor_arg(out, op, "out")
    if o._dtype != r._dtype:
        raise RuntimeError(f"{op}: Expected out tensor to have dtype {dtype_of(r._dtype)}, "
                           f"but got {dtype_of(o._dtype)} instead")
    if tuple(o.shape) != tuple(r.shape):
        if o._numel != 0:
            raise RuntimeError(f"{op}: out tensor of shape {list(o.shape)} doesn't match the result "
                               f"shape {list(r.shape)}")
        o.resize_(r.shape)
    _copy_into(o, r)
    return o


cdef TensorBase _matmul_core(TensorBase a, TensorBase b, object alpha, str op):
    """alpha * a @ b for a (..., M, K), b (..., K, N) (both >= 2-d), batch dims broadcast."""
    cdef int na = a._ndim, nb = b._ndim, nbd, d
    cdef int64_t bshape[16]
    cdef int64_t sh[16]
    cdef TensorBase av, bv, c
    if a._shape[na - 1] != b._shape[nb - 2]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied "
                           f"({a._shape[na - 2]}x{a._shape[na - 1]} and {b._shape[nb - 2]}x{b._shape[nb - 1]})")
    nbd = _broadcast_shapes(na - 2, a._shape, nb - 2, b._shape, bshape) if (na > 2 or nb > 2) else 0
    av = _expand_batch(a, nbd, bshape)
    bv = _expand_batch(b, nbd, bshape)
    for d in range(nbd):
        sh[d] = bshape[d]
    sh[nbd] = a._shape[na - 2]
    sh[nbd + 1] = b._shape[nb - 1]
    c = _empty(a._dtype, nbd + 2, sh)
    _gemm_nd(av, bv, c, alpha, 0, op)
    return c


cdef TensorBase _expand_batch(TensorBase t, int nbd, const int64_t *bshape):
    """View of t (..., R, C) with batch dims broadcast to bshape (stride 0, no copy)."""
    cdef int64_t sh[16]
    cdef int64_t st[16]
    cdef int n = t._ndim, tb = t._ndim - 2, d, sd
    if nbd + 2 > 16:
        raise RuntimeError("matmul: at most 16 dimensions are supported")
    for d in range(nbd):
        sd = d - (nbd - tb)
        sh[d] = bshape[d]
        st[d] = 0 if (sd < 0 or t._shape[sd] != bshape[d]) else t._stride[sd]
    sh[nbd] = t._shape[n - 2]
    sh[nbd + 1] = t._shape[n - 1]
    st[nbd] = t._stride[n - 2]
    st[nbd + 1] = t._stride[n - 1]
    return _make_view(t, nbd + 2, sh, st, t._offset)


cdef TensorBase _as_row(TensorBase v):
    """1-d (K) as a 1 x K matrix view."""
    cdef int64_t sh[2]
    cdef int64_t st[2]
    sh[0] = 1; sh[1] = v._shape[0]
    st[0] = v._shape[0] * v._stride[0] if v._shape[0] > 0 else 1
    st[1] = v._stride[0]
    return _make_view(v, 2, sh, st, v._offset)


cdef TensorBase _as_col(TensorBase v):
    """1-d (K) as a K x 1 matrix view."""
    cdef int64_t sh[2]
    cdef int64_t st[2]
    sh[0] = v._shape[0]; sh[1] = 1
    st[0] = v._stride[0]; st[1] = 1
    return _make_view(v, 2, sh, st, v._offset)


cdef TensorBase _drop_dim(TensorBase c, int dim):
    """View of contiguous c without its size-1 dim `dim`."""
    cdef int64_t sh[16]
    cdef int64_t st[16]
    cdef int d, k = 0
    for d in range(c._ndim):
        if d != dim:
            sh[k] = c._shape[d]
            st[k] = c._stride[d]
            k += 1
    return _make_view(c, k, sh, st, c._offset)


cdef TensorBase _dot_core(TensorBase a, TensorBase b, str op):
    cdef TensorBase c
    if a._numel != b._numel:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{a._numel}] and src [{b._numel}] to have "
                           f"the same number of elements, but got {a._numel} and {b._numel} elements respectively")
    c = _matmul_core(_as_row(a), _as_col(b), 1, op)
    if a._numel == 0:
        c._fill(0)
    return _make_view(c, 0, NULL, NULL, 0)


cdef int _matmul_shape_error(TensorBase a, TensorBase b) except -1:
    """Raise PyTorch's message for an inner-size mismatch; it names the shapes of the
    2-d/3-d product PyTorch reduces the call to (batch dims folded)."""
    cdef int na = a._ndim, nb = b._ndim, d
    cdef int64_t rows = 1, batch = 1
    cdef int64_t bshape[16]
    cdef int nbd
    if nb == 1:
        for d in range(na - 1):
            rows *= a._shape[d]
        raise RuntimeError(f"size mismatch, got input ({rows}), mat ({rows}x{a._shape[na - 1]}), vec ({b._shape[0]})")
    if nb == 2 and na >= 2:
        for d in range(na - 1):
            rows *= a._shape[d]
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{a._shape[na - 1]} and "
                           f"{b._shape[0]}x{b._shape[1]})")
    if na == 1 and nb == 2:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied (1x{a._shape[0]} and "
                           f"{b._shape[0]}x{b._shape[1]})")
    nbd = _broadcast_shapes(max(na - 2, 0), a._shape, nb - 2, b._shape, bshape)
    for d in range(nbd):
        batch *= bshape[d]
    raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                       f"[{batch}, {a._shape[na - 1]}] but got: [{batch}, {b._shape[nb - 2]}].")


def matmul(input, other, *, out=None):
    """Matrix product with PyTorch's rules: 1-d·1-d dot, matrix·vector,
    vector·matrix, and batched products with broadcast batch dims.

    Args:
        input (Tensor): first operand, at least 1-d.
        other (Tensor): second operand, at least 1-d.

    Example::
        >>> cytorch.matmul(cytorch.ones(2, 3), cytorch.ones(3)).tolist()
        [3.0, 3.0]
    """
    cdef TensorBase a = _tensor_arg(input, "matmul", "input"), b = _tensor_arg(other, "matmul", "other"), c
    cdef int na = a._ndim, nb = b._ndim
    if na == 0 or nb == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {na}D and {nb}D")
    if na == 1 and nb == 1:
        if a._dtype != b._dtype:
            raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                               f"{_PRETTY[a._dtype]} and {_PRETTY[b._dtype]}")
        return _finish(_dot_core(a, b, "dot"), out, "matmul")
    if nb == 1 and na == 2 and a._dtype != b._dtype:
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {_PRETTY[b._dtype]}, "
                           f"{_PRETTY[a._dtype]}, and {_PRETTY[b._dtype]}")
    _check_same_dtype(a, b)
    if a._shape[na - 1] != b._shape[nb - 2 if nb > 1 else 0]:
        _matmul_shape_error(a, b)
    if nb == 1:
        c = _matmul_core(a, _as_col(b), 1, "matmul")
        return _finish(_drop_dim(c, c._ndim - 1), out, "matmul")
    if na == 1:
        c = _matmul_core(_as_row(a), b, 1, "matmul")
        return _finish(_drop_dim(c, c._ndim - 2), out, "matmul")
    return _finish(_matmul_core(a, b, 1, "matmul"), out, "matmul")


def mm(input, mat2, *, out=None):
    """Matrix product of two 2-d tensors (no broadcasting)."""
    cdef TensorBase a = _tensor_arg(input, "mm", "input"), b = _tensor_arg(mat2, "mm", "mat2")
    if a._ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b._ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    _check_same_dtype(a, b)
    return _finish(_matmul_core(a, b, 1, "mm"), out, "mm")


def bmm(input, mat2, *, out=None):
    """Batched matrix product of two 3-d tensors with equal batch sizes (no broadcasting)."""
    cdef TensorBase a = _tensor_arg(input, "bmm", "input"), b = _tensor_arg(mat2, "bmm", "mat2")
    if a._ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b._ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    _check_same_dtype(a, b)
    if b._shape[0] != a._shape[0] or b._shape[1] != a._shape[2]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{a._shape[0]}, {a._shape[2]}] but got: [{b._shape[0]}, {b._shape[1]}].")
    return _finish(_matmul_core(a, b, 1, "bmm"), out, "bmm")


def mv(input, vec, *, out=None):
    """Matrix-vector product: (n, m) @ (m,) -> (n,)."""
    cdef TensorBase a = _tensor_arg(input, "mv", "input"), v = _tensor_arg(vec, "mv", "vec"), c
    if a._ndim != 2 or v._ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {a._ndim}, {v._ndim}")
    if a._shape[1] != v._shape[0]:
        raise RuntimeError(f"size mismatch, got input ({a._shape[0]}), mat ({_shape_str(a)}), vec ({v._shape[0]})")
    if a._dtype != v._dtype:
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {_PRETTY[v._dtype]}, "
                           f"{_PRETTY[a._dtype]}, and {_PRETTY[v._dtype]}")
    c = _matmul_core(a, _as_col(v), 1, "mv")
    return _finish(_drop_dim(c, 1), out, "mv")


def dot(input, other, *, out=None):
    """Dot product of two 1-d tensors (no conjugation)."""
    cdef TensorBase a = _tensor_arg(input, "dot", "input"), b = _tensor_arg(other, "dot", "tensor")
    if a._ndim != 1 or b._ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a._ndim}D and {b._ndim}D tensors")
    if a._dtype != b._dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{_PRETTY[a._dtype]} and {_PRETTY[b._dtype]}")
    return _finish(_dot_core(a, b, "dot"), out, "dot")


def _addmm_like(input, TensorBase a, TensorBase b, beta, alpha, str op, int kind):
    """beta * input + alpha * (a @ b) with input broadcast to the result; beta folded
    into gemm (beta == 0 ignores input entirely, NaNs included). kind: 0 mm, 1 bmm."""
    cdef int na = a._ndim, d
    cdef int64_t sh[16]
    cdef TensorBase c, inp = _tensor_arg(input, op, "input")
    if inp._dtype != a._dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{_CTYPE[inp._dtype]} != {_CTYPE[a._dtype]}")
    if a._dtype <= CT_INT64 and a._dtype != CT_BOOL:
        if isinstance(beta, float) or isinstance(alpha, float):
            raise RuntimeError("For integral input tensors, argument beta must not be a floating point number.")
    for d in range(na):
        sh[d] = a._shape[d]
    sh[na - 1] = b._shape[na - 1]
    c = _empty(a._dtype, na, sh)
    if beta != 0:
        _copy_into(c, inp.expand(c.shape))
    elif c._numel:
        c._fill(0)
    if a._shape[na - 1] == 0:
        if beta != 0 and beta != 1:
            c = c * beta
        return c
    _gemm_nd(a, b, c, alpha, beta, op)
    return c


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (mat1 @ mat2); input broadcasts to (n, p)."""
    cdef TensorBase a = _tensor_arg(mat1, "addmm", "mat1"), b = _tensor_arg(mat2, "addmm", "mat2")
    if a._ndim != 2:
        raise RuntimeError(f"mat1 must be a matrix, got {a._ndim}-D tensor")
    if b._ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix, got {b._ndim}-D tensor")
    _check_same_dtype(a, b)
    if a._shape[1] != b._shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_shape_str(a)} and {_shape_str(b)})")
    return _finish(_addmm_like(input, a, b, beta, alpha, "addmm", 0), out, "addmm")


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * bmm(batch1, batch2)."""
    cdef TensorBase a = _tensor_arg(batch1, "baddbmm", "batch1"), b = _tensor_arg(batch2, "baddbmm", "batch2")
    if a._ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b._ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    _check_same_dtype(a, b)
    if b._shape[0] != a._shape[0] or b._shape[1] != a._shape[2]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{a._shape[0]}, {a._shape[2]}] but got: [{b._shape[0]}, {b._shape[1]}].")
    return _finish(_addmm_like(input, a, b, beta, alpha, "baddbmm", 1), out, "baddbmm")


def _gemm_into(TensorBase a, TensorBase b, TensorBase c, alpha=1, beta=0):
    """Test shim: c := alpha * a @ b + beta * c on matching >=2-d shapes (c row-major)."""
    _gemm_nd(a, b, c, alpha, beta, "gemm")
    return c


def _set_packed_gemm(int mode):
    """Test/benchmark switch for float32/float64 products: 1 (the default) uses the packed
    kernels of src_c/ct_pgemm.c on the shapes where they beat the BLAS, 0 always the BLAS,
    2 always the packed kernels. Returns the previous mode."""
    global _pgemm_mode
    if mode not in (0, 1, 2):
        raise ValueError(f"_set_packed_gemm: mode must be 0, 1 or 2, got {mode}")
    old = _pgemm_mode
    _pgemm_mode = mode
    return old


def _register_blas_thread_controls():
    """Find the thread-count functions of the BLAS behind scipy.linalg.cython_blas and
    register them with the kernels (ct_gemm.h), so that large products are divided between
    cytorch's OpenMP threads with BLAS held at one thread. Returns the setter's name, or
    None for a BLAS we cannot control (its products then thread as the library likes)."""
    import ctypes
    import os
    from scipy.linalg import cython_blas
    try:  # already loaded by the cimport above: this only returns its handle
        lib = ctypes.CDLL(cython_blas.__file__, mode=getattr(os, "RTLD_NOLOAD", 0) | os.RTLD_LAZY)
    except OSError:
        return None
    cdef uintptr_t pset, pget
    for prefix in ("scipy_openblas", "openblas"):
        for suffix in ("", "64_"):
            try:  # looked up in the module and the libraries it links (the BLAS)
                fset = getattr(lib, f"{prefix}_set_num_threads{suffix}")
                fget = getattr(lib, f"{prefix}_get_num_threads{suffix}")
            except AttributeError:
                continue
            pset = ctypes.cast(fset, ctypes.c_void_p).value
            pget = ctypes.cast(fget, ctypes.c_void_p).value
            ct_gemm_set_blas_threads_fns(<ct_blas_set_threads_fn>pset, <ct_blas_get_threads_fn>pget)
            return fset.__name__
    return None


_BLAS_THREAD_CONTROL = _register_blas_thread_controls()


def _set_gemm_divide(bint on):
    """Test/benchmark switch: on (the default when the BLAS is controllable) divides large
    products between cytorch's threads; off leaves threading to the BLAS library."""
    global _BLAS_THREAD_CONTROL
    if on:
        _BLAS_THREAD_CONTROL = _register_blas_thread_controls()
    else:
        ct_gemm_set_blas_threads_fns(NULL, NULL)
        _BLAS_THREAD_CONTROL = None
    return _BLAS_THREAD_CONTROL
