"""_lapack.pyx - LAPACK (SciPy's) over batches of matrices.

Every routine here takes a Fortran-ordered batch buffer made by `fortran_copy`:
a contiguous tensor of shape (..., n, m) whose memory is, matrix by matrix,
the column-major m x n matrix (lda = m). The routines overwrite it in place
and loop over the batch with the GIL released. Error codes (LAPACK's info)
come back as an int32 tensor per matrix; cytorch/linalg.py turns them into
PyTorch's exceptions.
"""
from libc.stdint cimport int64_t
from libc.stdlib cimport malloc, free
from libc.string cimport memset
from scipy.linalg.cython_lapack cimport (
    sgetrf, dgetrf, cgetrf, zgetrf, sgetri, dgetri, cgetri, zgetri, sgetrs, dgetrs, cgetrs, zgetrs,
    spotrf, dpotrf, cpotrf, zpotrf, sgeqrf, dgeqrf, cgeqrf, zgeqrf, sorgqr, dorgqr, cungqr, zungqr,
    sgesdd, dgesdd, cgesdd, zgesdd, ssyevd, dsyevd, cheevd, zheevd, sgeev, dgeev, cgeev, zgeev)
from scipy.linalg.cython_blas cimport strsm, dtrsm, ctrsm, ztrsm
from libc.math cimport log, fabs, sqrt, hypot
from cytorch._C._tensor cimport TensorBase, _empty, _make_view, _copy_into, _SIZES_C, _to_real
from cytorch._C.ct cimport *
from cython.parallel cimport prange

cdef extern from "ct_matmul.h" nogil:
    double ct_sumsq_f32(const float *x, int64_t n)
    double ct_sumsq_f64(const double *x, int64_t n)

ctypedef fused lp_t:
    float
    double
    float complex
    double complex

cdef int64_t _INT_MAX = 2147483647


def fortran_copy(TensorBase x, int dt):
    """A fresh (..., n, m) buffer holding each m x n matrix of x column-major, as dtype dt."""
    cdef int nd = x._ndim, d
    cdef int64_t sh[16]
    cdef int64_t st[16]
    cdef TensorBase buf
    if nd < 2:
        raise RuntimeError("expected a tensor with 2 or more dimensions")
    for d in range(nd):
        sh[d] = x._shape[d]
    sh[nd - 2] = x._shape[nd - 1]
    sh[nd - 1] = x._shape[nd - 2]
    buf = _empty(dt, nd, sh)
    for d in range(nd):
        st[d] = buf._stride[d]
    st[nd - 2] = buf._stride[nd - 1]
    st[nd - 1] = buf._stride[nd - 2]
    if buf._numel:
        _copy_into(_make_view(buf, nd, x._shape, st, 0), x)
    return buf


cdef int _dims(int64_t m, int64_t n) except -1:
    if m > _INT_MAX or n > _INT_MAX or m * n > (<int64_t>1 << 62):
        raise RuntimeError("linalg: matrix dimensions above 2^31-1 are not supported by LAPACK")
    return 0


cdef inline int _imax(int a, int b) noexcept nogil:
    return a if a > b else b


cdef inline int _imin(int a, int b) noexcept nogil:
    return a if a < b else b


cdef inline int _lw(lp_t w) noexcept nogil:
    # LAPACK workspace queries return the size in work[0] (real part for complex)
    if lp_t is float or lp_t is double:
        return <int>w + 1
    else:
        return <int>w.real + 1


# ---------------------------------------------------------------- LU: getrf / getri / getrs

cdef void _getrf(lp_t *a, int m, int n, int64_t nb, int *ipiv, int *info) noexcept nogil:
    # A = P L U per matrix
    cdef int64_t i
    cdef int k = _imin(m, n), lda = _imax(1, m)
    for i in range(nb):
        if lp_t is float:
            sgetrf(&m, &n, a + i * m * n, &lda, ipiv + i * k, info + i)
        elif lp_t is double:
            dgetrf(&m, &n, a + i * m * n, &lda, ipiv + i * k, info + i)
        elif lp_t is floatcomplex:
            cgetrf(&m, &n, a + i * m * n, &lda, ipiv + i * k, info + i)
        else:
            zgetrf(&m, &n, a + i * m * n, &lda, ipiv + i * k, info + i)


cdef int _getri(lp_t *a, int n, int64_t nb, int *ipiv, int *info) noexcept nogil:
    # A^-1 from its LU factors
    cdef int64_t i
    cdef int lwork = -1, lda = _imax(1, n), q
    cdef lp_t wq
    cdef lp_t *work
    if lp_t is float:
        sgetri(&n, a, &lda, ipiv, &wq, &lwork, &q)
    elif lp_t is double:
        dgetri(&n, a, &lda, ipiv, &wq, &lwork, &q)
    elif lp_t is floatcomplex:
        cgetri(&n, a, &lda, ipiv, &wq, &lwork, &q)
    else:
        zgetri(&n, a, &lda, ipiv, &wq, &lwork, &q)
    lwork = _imax(_lw(wq), n)
    work = <lp_t *>malloc(sizeof(lp_t) * lwork)
    if work == NULL:
        return -1
    for i in range(nb):
        if info[i] != 0:
            continue
        if lp_t is float:
            sgetri(&n, a + i * n * n, &lda, ipiv + i * n, work, &lwork, info + i)
        elif lp_t is double:
            dgetri(&n, a + i * n * n, &lda, ipiv + i * n, work, &lwork, info + i)
        elif lp_t is floatcomplex:
            cgetri(&n, a + i * n * n, &lda, ipiv + i * n, work, &lwork, info + i)
        else:
            zgetri(&n, a + i * n * n, &lda, ipiv + i * n, work, &lwork, info + i)
    free(work)
    return 0


cdef void _getrs(lp_t *a, int n, int64_t nb, int *ipiv, lp_t *b, int nrhs, int64_t bstride_b,
                 int *info) noexcept nogil:
    # X = A^-1 B from A's LU factors (B overwritten); bstride_b = 0 shares one A
    cdef int64_t i
    cdef char tr = b'N'
    cdef int lda = _imax(1, n), q
    for i in range(nb):
        if info[i] != 0:
            continue
        if lp_t is float:
            sgetrs(&tr, &n, &nrhs, a + i * n * n, &lda, ipiv + i * n, b + i * bstride_b, &lda, &q)
        elif lp_t is double:
            dgetrs(&tr, &n, &nrhs, a + i * n * n, &lda, ipiv + i * n, b + i * bstride_b, &lda, &q)
        elif lp_t is floatcomplex:
            cgetrs(&tr, &n, &nrhs, a + i * n * n, &lda, ipiv + i * n, b + i * bstride_b, &lda, &q)
        else:
            zgetrs(&tr, &n, &nrhs, a + i * n * n, &lda, ipiv + i * n, b + i * bstride_b, &lda, &q)


def getrf(TensorBase a, int64_t m, int64_t n):
    """LU-factor each m x n matrix of the buffer a in place; returns (ipiv, info) int32 tensors."""
    cdef int64_t nb = a._numel // (m * n) if m * n > 0 else 0, k = min(m, n)
    cdef int64_t sh[2]
    _dims(m, n)
    sh[0] = nb
    sh[1] = k
    cdef TensorBase ipiv = _empty(CT_INT32, 2, sh), info = _empty(CT_INT32, 1, sh)
    cdef int dt = a._dtype
    if nb == 0:
        return ipiv, info
    with nogil:
        if dt == CT_FLOAT32:
            _getrf[float](<float *>a._data, <int>m, <int>n, nb, <int *>ipiv._data, <int *>info._data)
        elif dt == CT_FLOAT64:
            _getrf[double](<double *>a._data, <int>m, <int>n, nb, <int *>ipiv._data, <int *>info._data)
        elif dt == CT_COMPLEX64:
            _getrf[floatcomplex](<float complex *>a._data, <int>m, <int>n, nb, <int *>ipiv._data, <int *>info._data)
        else:
            _getrf[doublecomplex](<double complex *>a._data, <int>m, <int>n, nb, <int *>ipiv._data, <int *>info._data)
    return ipiv, info


def getri(TensorBase a, int64_t n, TensorBase ipiv, TensorBase info):
    """Invert each LU-factored n x n matrix of a in place (skips those with info != 0)."""
    cdef int64_t nb = info._numel
    cdef int dt = a._dtype, err = 0
    if nb == 0 or n == 0:
        return info
    with nogil:
        if dt == CT_FLOAT32:
            err = _getri[float](<float *>a._data, <int>n, nb, <int *>ipiv._data, <int *>info._data)
        elif dt == CT_FLOAT64:
            err = _getri[double](<double *>a._data, <int>n, nb, <int *>ipiv._data, <int *>info._data)
        elif dt == CT_COMPLEX64:
            err = _getri[floatcomplex](<float complex *>a._data, <int>n, nb, <int *>ipiv._data, <int *>info._data)
        else:
            err = _getri[doublecomplex](<double complex *>a._data, <int>n, nb, <int *>ipiv._data, <int *>info._data)
    if err:
        raise MemoryError("linalg.inv: out of memory")
    return info


def getrs(TensorBase a, int64_t n, TensorBase ipiv, TensorBase info, TensorBase b, int64_t nrhs):
    """Solve with each LU-factored matrix of a; b is a (nb, nrhs, n) Fortran buffer, overwritten."""
    cdef int64_t nb = info._numel, bs = nrhs * n
    cdef int dt = a._dtype
    _dims(n, nrhs)
    if nb == 0 or n == 0 or nrhs == 0:
        return b
    with nogil:
        if dt == CT_FLOAT32:
            _getrs[float](<float *>a._data, <int>n, nb, <int *>ipiv._data, <float *>b._data, <int>nrhs, bs,
                          <int *>info._data)
        elif dt == CT_FLOAT64:
            _getrs[double](<double *>a._data, <int>n, nb, <int *>ipiv._data, <double *>b._data, <int>nrhs, bs,
                           <int *>info._data)
        elif dt == CT_COMPLEX64:
            _getrs[floatcomplex](<float complex *>a._data, <int>n, nb, <int *>ipiv._data, <float complex *>b._data,
                                 <int>nrhs, bs, <int *>info._data)
        else:
            _getrs[doublecomplex](<double complex *>a._data, <int>n, nb, <int *>ipiv._data,
                                  <double complex *>b._data, <int>nrhs, bs, <int *>info._data)
    return b


cdef void _lu_det(lp_t *a, int n, int64_t nb, const int *ipiv, lp_t *sign, double *logabs) noexcept nogil:
    # det = prod(diag(U)) * (-1)^(row swaps); kept as sign (unit phase) and log|det|
    cdef int64_t i
    cdef int j
    cdef lp_t s, u
    cdef double la, au
    for i in range(nb):
        s = 1
        la = 0
        for j in range(n):
            u = a[i * n * n + j * n + j]
            if ipiv[i * n + j] != j + 1:
                s = -s
            if lp_t is float or lp_t is double:
                au = fabs(u)
                if u < 0:
                    s = -s
            else:
                au = hypot(u.real, u.imag)
                if au != 0:
                    s = s * (u / <lp_t>au)
            if au == 0:
                s = 0
                la = -1.0 / 0.0
                break
            la += log(au)
        sign[i] = s
        logabs[i] = la


def lu_det(TensorBase a, int64_t n, TensorBase ipiv):
    """(sign, logabsdet) of each LU-factored n x n matrix; sign has a's dtype, logabsdet is float64."""
    cdef int64_t nb = a._numel // (n * n) if n > 0 else ipiv._shape[0]
    cdef int64_t sh[1]
    sh[0] = nb
    cdef TensorBase sign = _empty(a._dtype, 1, sh), la = _empty(CT_FLOAT64, 1, sh)
    cdef int dt = a._dtype
    if nb == 0:
        return sign, la
    with nogil:
        if dt == CT_FLOAT32:
            _lu_det[float](<float *>a._data, <int>n, nb, <int *>ipiv._data, <float *>sign._data, <double *>la._data)
        elif dt == CT_FLOAT64:
            _lu_det[double](<double *>a._data, <int>n, nb, <int *>ipiv._data, <double *>sign._data,
                            <double *>la._data)
        elif dt == CT_COMPLEX64:
            _lu_det[floatcomplex](<float complex *>a._data, <int>n, nb, <int *>ipiv._data,
                                  <float complex *>sign._data, <double *>la._data)
        else:
            _lu_det[doublecomplex](<double complex *>a._data, <int>n, nb, <int *>ipiv._data,
                                   <double complex *>sign._data, <double *>la._data)
    return sign, la


# ---------------------------------------------------------------- Cholesky: potrf

cdef void _potrf(lp_t *a, int n, int64_t nb, char uplo, int *info) noexcept nogil:
    # A = L L^H (uplo 'L') or U^H U ('U'); the other triangle is zeroed
    cdef int64_t i, off
    cdef int lda = _imax(1, n), r, c
    for i in range(nb):
        off = i * n * n
        if lp_t is float:
            spotrf(&uplo, &n, a + off, &lda, info + i)
        elif lp_t is double:
            dpotrf(&uplo, &n, a + off, &lda, info + i)
        elif lp_t is floatcomplex:
            cpotrf(&uplo, &n, a + off, &lda, info + i)
        else:
            zpotrf(&uplo, &n, a + off, &lda, info + i)
        for c in range(n):
            for r in range(n):
                if (uplo == b'L' and r < c) or (uplo == b'U' and r > c):
                    a[off + c * n + r] = 0


def potrf(TensorBase a, int64_t n, bint upper):
    """Cholesky-factor each n x n matrix of the buffer a in place; returns info (int32)."""
    cdef int64_t nb = a._numel // (n * n) if n > 0 else 0
    cdef int64_t sh[1]
    cdef char uplo = b'U' if upper else b'L'
    cdef int dt = a._dtype
    _dims(n, n)
    sh[0] = nb
    cdef TensorBase info = _empty(CT_INT32, 1, sh)
    if nb == 0:
        return info
    with nogil:
        if dt == CT_FLOAT32:
            _potrf[float](<float *>a._data, <int>n, nb, uplo, <int *>info._data)
        elif dt == CT_FLOAT64:
            _potrf[double](<double *>a._data, <int>n, nb, uplo, <int *>info._data)
        elif dt == CT_COMPLEX64:
            _potrf[floatcomplex](<float complex *>a._data, <int>n, nb, uplo, <int *>info._data)
        else:
            _potrf[doublecomplex](<double complex *>a._data, <int>n, nb, uplo, <int *>info._data)
    return info


# ---------------------------------------------------------------- QR: geqrf / orgqr

cdef int _geqrf(lp_t *a, int m, int n, int64_t nb, lp_t *tau) noexcept nogil:
    # A = Q R, Householder vectors below R's diagonal, scalars in tau
    cdef int64_t i
    cdef int lda = _imax(1, m), k = _imin(m, n), lwork = -1, info
    cdef lp_t wq
    cdef lp_t *work
    if lp_t is float:
        sgeqrf(&m, &n, a, &lda, tau, &wq, &lwork, &info)
    elif lp_t is double:
        dgeqrf(&m, &n, a, &lda, tau, &wq, &lwork, &info)
    elif lp_t is floatcomplex:
        cgeqrf(&m, &n, a, &lda, tau, &wq, &lwork, &info)
    else:
        zgeqrf(&m, &n, a, &lda, tau, &wq, &lwork, &info)
    lwork = _imax(_lw(wq), _imax(1, n))
    work = <lp_t *>malloc(sizeof(lp_t) * lwork)
    if work == NULL:
        return -1
    for i in range(nb):
        if lp_t is float:
            sgeqrf(&m, &n, a + i * m * n, &lda, tau + i * k, work, &lwork, &info)
        elif lp_t is double:
            dgeqrf(&m, &n, a + i * m * n, &lda, tau + i * k, work, &lwork, &info)
        elif lp_t is floatcomplex:
            cgeqrf(&m, &n, a + i * m * n, &lda, tau + i * k, work, &lwork, &info)
        else:
            zgeqrf(&m, &n, a + i * m * n, &lda, tau + i * k, work, &lwork, &info)
    free(work)
    return 0


cdef int _orgqr(lp_t *q, int m, int n, int k, int64_t nb, lp_t *tau) noexcept nogil:
    # Q (m x n, first n columns) from k Householder reflectors
    cdef int64_t i
    cdef int lda = _imax(1, m), lwork = -1, info
    cdef lp_t wq
    cdef lp_t *work
    if lp_t is float:
        sorgqr(&m, &n, &k, q, &lda, tau, &wq, &lwork, &info)
    elif lp_t is double:
        dorgqr(&m, &n, &k, q, &lda, tau, &wq, &lwork, &info)
    elif lp_t is floatcomplex:
        cungqr(&m, &n, &k, q, &lda, tau, &wq, &lwork, &info)
    else:
        zungqr(&m, &n, &k, q, &lda, tau, &wq, &lwork, &info)
    lwork = _imax(_lw(wq), _imax(1, n))
    work = <lp_t *>malloc(sizeof(lp_t) * lwork)
    if work == NULL:
        return -1
    for i in range(nb):
        if lp_t is float:
            sorgqr(&m, &n, &k, q + i * m * n, &lda, tau + i * k, work, &lwork, &info)
        elif lp_t is double:
            dorgqr(&m, &n, &k, q + i * m * n, &lda, tau + i * k, work, &lwork, &info)
        elif lp_t is floatcomplex:
            cungqr(&m, &n, &k, q + i * m * n, &lda, tau + i * k, work, &lwork, &info)
        else:
            zungqr(&m, &n, &k, q + i * m * n, &lda, tau + i * k, work, &lwork, &info)
    free(work)
    return 0


def geqrf(TensorBase a, int64_t m, int64_t n):
    """QR-factor each m x n matrix of the buffer a in place; returns tau (nb, min(m, n))."""
    cdef int64_t nb = a._numel // (m * n) if m * n > 0 else 0
    cdef int64_t sh[2]
    cdef int dt = a._dtype, err = 0
    _dims(m, n)
    sh[0] = nb
    sh[1] = min(m, n)
    cdef TensorBase tau = _empty(dt, 2, sh)
    if nb == 0:
        return tau
    with nogil:
        if dt == CT_FLOAT32:
            err = _geqrf[float](<float *>a._data, <int>m, <int>n, nb, <float *>tau._data)
        elif dt == CT_FLOAT64:
            err = _geqrf[double](<double *>a._data, <int>m, <int>n, nb, <double *>tau._data)
        elif dt == CT_COMPLEX64:
            err = _geqrf[floatcomplex](<float complex *>a._data, <int>m, <int>n, nb, <float complex *>tau._data)
        else:
            err = _geqrf[doublecomplex](<double complex *>a._data, <int>m, <int>n, nb, <double complex *>tau._data)
    if err:
        raise MemoryError("linalg.qr: out of memory")
    return tau


def orgqr(TensorBase q, int64_t m, int64_t n, int64_t k, TensorBase tau):
    """Form Q (first n columns, m x n, n <= m) in the buffer q from geqrf's output."""
    cdef int64_t nb = q._numel // (m * n) if m * n > 0 else 0
    cdef int dt = q._dtype, err = 0
    if nb == 0:
        return q
    with nogil:
        if dt == CT_FLOAT32:
            err = _orgqr[float](<float *>q._data, <int>m, <int>n, <int>k, nb, <float *>tau._data)
        elif dt == CT_FLOAT64:
            err = _orgqr[double](<double *>q._data, <int>m, <int>n, <int>k, nb, <double *>tau._data)
        elif dt == CT_COMPLEX64:
            err = _orgqr[floatcomplex](<float complex *>q._data, <int>m, <int>n, <int>k, nb,
                                       <float complex *>tau._data)
        else:
            err = _orgqr[doublecomplex](<double complex *>q._data, <int>m, <int>n, <int>k, nb,
                                        <double complex *>tau._data)
    if err:
        raise MemoryError("linalg.qr: out of memory")
    return q


# ---------------------------------------------------------------- SVD: gesdd

cdef int _gesdd(lp_t *a, int m, int n, int64_t nb, char jobz, void *s, lp_t *u, int ldu, int64_t usz,
                lp_t *vt, int ldvt, int64_t vtsz, int *info) noexcept nogil:
    # A = U diag(S) V^H by divide and conquer
    cdef int64_t i
    cdef int lda = _imax(1, m), mn = _imin(m, n), mx = _imax(m, n), lwork = -1, q
    cdef lp_t wq
    cdef lp_t *work
    cdef int *iwork = <int *>malloc(sizeof(int) * (8 * _imax(mn, 1)))
    cdef double *rwork = NULL
    cdef int64_t lrwork = 0
    if iwork == NULL:
        return -1
    if lp_t is floatcomplex or lp_t is doublecomplex:
        if jobz == b'N':
            lrwork = 7 * <int64_t>mn + 1
        else:
            lrwork = <int64_t>mn * _imax(5 * mn + 7, 2 * mx + 2 * mn + 1) + 1
        rwork = <double *>malloc(sizeof(double) * lrwork)
        if rwork == NULL:
            free(iwork)
            return -1
    if lp_t is float:
        sgesdd(&jobz, &m, &n, a, &lda, <float *>s, u, &ldu, vt, &ldvt, &wq, &lwork, iwork, &q)
    elif lp_t is double:
        dgesdd(&jobz, &m, &n, a, &lda, <double *>s, u, &ldu, vt, &ldvt, &wq, &lwork, iwork, &q)
    elif lp_t is floatcomplex:
        cgesdd(&jobz, &m, &n, a, &lda, <float *>s, u, &ldu, vt, &ldvt, &wq, &lwork, <float *>rwork, iwork, &q)
    else:
        zgesdd(&jobz, &m, &n, a, &lda, <double *>s, u, &ldu, vt, &ldvt, &wq, &lwork, rwork, iwork, &q)
    lwork = _imax(_lw(wq), 1)
    work = <lp_t *>malloc(sizeof(lp_t) * lwork)
    if work == NULL:
        free(iwork)
        free(rwork)
        return -1
    for i in range(nb):
        if lp_t is float:
            sgesdd(&jobz, &m, &n, a + i * m * n, &lda, <float *>s + i * mn, u + i * usz, &ldu,
                   vt + i * vtsz, &ldvt, work, &lwork, iwork, info + i)
        elif lp_t is double:
            dgesdd(&jobz, &m, &n, a + i * m * n, &lda, <double *>s + i * mn, u + i * usz, &ldu,
                   vt + i * vtsz, &ldvt, work, &lwork, iwork, info + i)
        elif lp_t is floatcomplex:
            cgesdd(&jobz, &m, &n, a + i * m * n, &lda, <float *>s + i * mn, u + i * usz, &ldu,
                   vt + i * vtsz, &ldvt, work, &lwork, <float *>rwork, iwork, info + i)
        else:
            zgesdd(&jobz, &m, &n, a + i * m * n, &lda, <double *>s + i * mn, u + i * usz, &ldu,
                   vt + i * vtsz, &ldvt, work, &lwork, rwork, iwork, info + i)
    free(work)
    free(iwork)
    free(rwork)
    return 0


def gesdd(TensorBase a, int64_t m, int64_t n, str jobz):
    """SVD of each m x n matrix of the buffer a (destroyed). jobz 'N' (values only), 'S'
    (reduced) or 'A' (full). Returns (S (nb, k) real, U buffer (nb, ucols, m),
    Vh buffer (nb, n, vrows), info); U/Vh buffers are Fortran-ordered."""
    cdef int64_t nb = a._numel // (m * n) if m * n > 0 else 0, k = min(m, n)
    cdef int64_t sh[3]
    cdef int dt = a._dtype, err = 0
    cdef char jz = ord(jobz)
    cdef int64_t ucols = 0 if jz == b'N' else (m if jz == b'A' else k)
    cdef int64_t vrows = 0 if jz == b'N' else (n if jz == b'A' else k)
    cdef int ldu = <int>max(1, m), ldvt = <int>max(1, vrows)
    _dims(m, n)
    sh[0] = nb; sh[1] = k
    cdef TensorBase s = _empty(_to_real(dt), 2, sh), info = _empty(CT_INT32, 1, sh)
    sh[1] = ucols; sh[2] = m
    cdef TensorBase u = _empty(dt, 3, sh)
    sh[1] = n; sh[2] = vrows
    cdef TensorBase vt = _empty(dt, 3, sh)
    if nb == 0:
        return s, u, vt, info
    with nogil:
        if dt == CT_FLOAT32:
            err = _gesdd[float](<float *>a._data, <int>m, <int>n, nb, jz, s._data, <float *>u._data, ldu,
                                ucols * m, <float *>vt._data, ldvt, n * vrows, <int *>info._data)
        elif dt == CT_FLOAT64:
            err = _gesdd[double](<double *>a._data, <int>m, <int>n, nb, jz, s._data, <double *>u._data, ldu,
                                 ucols * m, <double *>vt._data, ldvt, n * vrows, <int *>info._data)
        elif dt == CT_COMPLEX64:
            err = _gesdd[floatcomplex](<float complex *>a._data, <int>m, <int>n, nb, jz, s._data,
                                       <float complex *>u._data, ldu, ucols * m, <float complex *>vt._data,
                                       ldvt, n * vrows, <int *>info._data)
        else:
            err = _gesdd[doublecomplex](<double complex *>a._data, <int>m, <int>n, nb, jz, s._data,
                                        <double complex *>u._data, ldu, ucols * m, <double complex *>vt._data,
                                        ldvt, n * vrows, <int *>info._data)
    if err:
        raise MemoryError("linalg.svd: out of memory")
    return s, u, vt, info


# ---------------------------------------------------------------- symmetric/Hermitian eigen: syevd / heevd

cdef int _syevd(lp_t *a, int n, int64_t nb, char jobz, char uplo, void *w, int *info) noexcept nogil:
    # A = V diag(w) V^H, eigenvalues ascending
    cdef int64_t i
    cdef int lda = _imax(1, n), lwork = -1, liwork = -1, lrwork = -1, q, iwq = 0
    cdef lp_t wq
    cdef double rwq_d = 0
    cdef float rwq_f = 0
    cdef lp_t *work
    cdef int *iwork
    cdef double *rwork = NULL
    if lp_t is float:
        ssyevd(&jobz, &uplo, &n, a, &lda, <float *>w, &wq, &lwork, &iwq, &liwork, &q)
    elif lp_t is double:
        dsyevd(&jobz, &uplo, &n, a, &lda, <double *>w, &wq, &lwork, &iwq, &liwork, &q)
    elif lp_t is floatcomplex:
        cheevd(&jobz, &uplo, &n, a, &lda, <float *>w, &wq, &lwork, &rwq_f, &lrwork, &iwq, &liwork, &q)
        lrwork = <int>rwq_f + 1
    else:
        zheevd(&jobz, &uplo, &n, a, &lda, <double *>w, &wq, &lwork, &rwq_d, &lrwork, &iwq, &liwork, &q)
        lrwork = <int>rwq_d + 1
    lwork = _imax(_lw(wq), 1)
    liwork = _imax(iwq, 1)
    work = <lp_t *>malloc(sizeof(lp_t) * lwork)
    iwork = <int *>malloc(sizeof(int) * liwork)
    if lp_t is floatcomplex or lp_t is doublecomplex:
        rwork = <double *>malloc(sizeof(double) * _imax(lrwork, 1))
    if work == NULL or iwork == NULL or ((lp_t is floatcomplex or lp_t is doublecomplex) and rwork == NULL):
        free(work)
        free(iwork)
        free(rwork)
        return -1
    for i in range(nb):
        if lp_t is float:
            ssyevd(&jobz, &uplo, &n, a + i * n * n, &lda, <float *>w + i * n, work, &lwork, iwork, &liwork, info + i)
        elif lp_t is double:
            dsyevd(&jobz, &uplo, &n, a + i * n * n, &lda, <double *>w + i * n, work, &lwork, iwork, &liwork,
                   info + i)
        elif lp_t is floatcomplex:
            cheevd(&jobz, &uplo, &n, a + i * n * n, &lda, <float *>w + i * n, work, &lwork, <float *>rwork,
                   &lrwork, iwork, &liwork, info + i)
        else:
            zheevd(&jobz, &uplo, &n, a + i * n * n, &lda, <double *>w + i * n, work, &lwork, rwork,
                   &lrwork, iwork, &liwork, info + i)
    free(work)
    free(iwork)
    free(rwork)
    return 0


def syevd(TensorBase a, int64_t n, bint vectors, str uplo):
    """Eigen-decompose each symmetric/Hermitian n x n matrix of the buffer a (eigenvectors
    overwrite a when vectors). Returns (w (nb, n) real ascending, info)."""
    cdef int64_t nb = a._numel // (n * n) if n > 0 else 0
    cdef int64_t sh[2]
    cdef int dt = a._dtype, err = 0
    cdef char jz = b'V' if vectors else b'N'
    cdef char ul = ord(uplo)
    _dims(n, n)
    sh[0] = nb; sh[1] = n
    cdef TensorBase w = _empty(_to_real(dt), 2, sh), info = _empty(CT_INT32, 1, sh)
    if nb == 0 or n == 0:
        return w, info
    with nogil:
        if dt == CT_FLOAT32:
            err = _syevd[float](<float *>a._data, <int>n, nb, jz, ul, w._data, <int *>info._data)
        elif dt == CT_FLOAT64:
            err = _syevd[double](<double *>a._data, <int>n, nb, jz, ul, w._data, <int *>info._data)
        elif dt == CT_COMPLEX64:
            err = _syevd[floatcomplex](<float complex *>a._data, <int>n, nb, jz, ul, w._data, <int *>info._data)
        else:
            err = _syevd[doublecomplex](<double complex *>a._data, <int>n, nb, jz, ul, w._data, <int *>info._data)
    if err:
        raise MemoryError("linalg.eigh: out of memory")
    return w, info


# ---------------------------------------------------------------- vector norms (private reduction)

cdef inline double _absval(lp_t v) noexcept nogil:
    if lp_t is float or lp_t is double:
        return fabs(v)
    else:
        return hypot(v.real, v.imag)


cdef double _norm_row(const lp_t *p, int64_t n, double ord) noexcept nogil:
    # ||row||_ord accumulated in float64
    cdef int64_t j
    cdef double acc, v, scale
    cdef double inf = 1.0 / 0.0
    if ord == 2:
        if lp_t is float:
            acc = ct_sumsq_f32(p, n)
        elif lp_t is double:
            acc = ct_sumsq_f64(p, n)
        elif lp_t is floatcomplex:
            acc = ct_sumsq_f32(<const float *>p, 2 * n)
        else:
            acc = ct_sumsq_f64(<const double *>p, 2 * n)
        if acc != acc or (acc < inf and acc > 1e-280):
            return sqrt(acc)
        # overflow or underflow of the plain sum: rescale by the largest |x|
        scale = 0
        for j in range(n):
            v = _absval(p[j])
            if v != v:
                return v
            if v > scale:
                scale = v
        if scale == 0 or scale == inf:
            return scale
        acc = 0
        for j in range(n):
            v = _absval(p[j]) / scale
            acc += v * v
        return scale * sqrt(acc)
    if ord == inf or ord == -inf:
        if n == 0:
            return 0
        acc = -inf if ord == inf else inf
        for j in range(n):
            v = _absval(p[j])
            if v != v:
                return v
            if (ord == inf and v > acc) or (ord == -inf and v < acc):
                acc = v
        return acc
    acc = 0
    if ord == 0:
        for j in range(n):
            acc += _absval(p[j]) != 0
        return acc
    if ord == 1:
        for j in range(n):
            acc += _absval(p[j])
        return acc
    for j in range(n):
        acc += _absval(p[j]) ** ord
    return acc ** (1.0 / ord)


cdef void _norm_rows(const lp_t *p, int64_t rows, int64_t n, double ord, double *o) noexcept nogil:
    cdef int64_t i
    if rows > 1 and rows * n > 32768:
        for i in prange(rows, num_threads=ct_get_num_threads(), schedule="static"):
            o[i] = _norm_row(p + i * n, n, ord)
    else:
        for i in range(rows):
            o[i] = _norm_row(p + i * n, n, ord)


def vector_norm_rows(TensorBase x, double ord):
    """ord-norm of each row of a contiguous (rows, n) float32/float64/complex tensor, as float64
    (rows,). ord may be inf, -inf or 0 (count of nonzeros)."""
    cdef int64_t rows = x._shape[0], n = x._shape[1]
    cdef int64_t sh[1]
    cdef int dt = x._dtype
    sh[0] = rows
    cdef TensorBase out = _empty(CT_FLOAT64, 1, sh)
    cdef double *o = <double *>out._data
    with nogil:
        if dt == CT_FLOAT32:
            _norm_rows[float](<const float *>x._data, rows, n, ord, o)
        elif dt == CT_FLOAT64:
            _norm_rows[double](<const double *>x._data, rows, n, ord, o)
        elif dt == CT_COMPLEX64:
            _norm_rows[floatcomplex](<const float complex *>x._data, rows, n, ord, o)
        else:
            _norm_rows[doublecomplex](<const double complex *>x._data, rows, n, ord, o)
    return out


def zero_lower(TensorBase buf, int64_t m, int64_t n):
    """Zero the strictly lower triangle of each column-major m x n matrix of the
    contiguous buffer (turns geqrf's output into R)."""
    cdef int64_t isz = _SIZES_C[buf._dtype], nb = buf._numel // (m * n) if m * n > 0 else 0, i, c
    cdef char *p = buf._data
    with nogil:
        for i in range(nb):
            for c in range(n):
                if c + 1 < m:
                    memset(p + (i * m * n + c * m + c + 1) * isz, 0, (m - c - 1) * isz)
    return buf


# ---------------------------------------------------------------- triangular solve: trsm

cdef void _trsm(lp_t *a, int n, int64_t nb, int64_t astride, lp_t *b, int nrhs, char uplo,
                char unit) noexcept nogil:
    # B := A^-1 B for triangular A (no singularity check: a zero diagonal gives inf/nan)
    cdef int64_t i
    cdef char side = b'L', tr = b'N'
    cdef int lda = _imax(1, n)
    cdef lp_t one = 1
    for i in range(nb):
        if lp_t is float:
            strsm(&side, &uplo, &tr, &unit, &n, &nrhs, &one, a + i * astride, &lda, b + i * n * nrhs, &lda)
        elif lp_t is double:
            dtrsm(&side, &uplo, &tr, &unit, &n, &nrhs, &one, a + i * astride, &lda, b + i * n * nrhs, &lda)
        elif lp_t is floatcomplex:
            ctrsm(&side, &uplo, &tr, &unit, &n, &nrhs, &one, a + i * astride, &lda, b + i * n * nrhs, &lda)
        else:
            ztrsm(&side, &uplo, &tr, &unit, &n, &nrhs, &one, a + i * astride, &lda, b + i * n * nrhs, &lda)


def trsm(TensorBase a, int64_t n, TensorBase b, int64_t nrhs, bint upper, bint unitriangular):
    """Solve A X = B in place for each triangular n x n A of the Fortran buffer a and the
    (nb, nrhs, n) Fortran buffer b (same batch count)."""
    cdef int64_t nb = b._numel // (n * nrhs) if n * nrhs > 0 else 0
    cdef char ul = b'U' if upper else b'L'
    cdef char un = b'U' if unitriangular else b'N'
    cdef int dt = a._dtype
    _dims(n, nrhs)
    if nb == 0:
        return b
    with nogil:
        if dt == CT_FLOAT32:
            _trsm[float](<float *>a._data, <int>n, nb, n * n, <float *>b._data, <int>nrhs, ul, un)
        elif dt == CT_FLOAT64:
            _trsm[double](<double *>a._data, <int>n, nb, n * n, <double *>b._data, <int>nrhs, ul, un)
        elif dt == CT_COMPLEX64:
            _trsm[floatcomplex](<float complex *>a._data, <int>n, nb, n * n, <float complex *>b._data,
                                <int>nrhs, ul, un)
        else:
            _trsm[doublecomplex](<double complex *>a._data, <int>n, nb, n * n, <double complex *>b._data,
                                 <int>nrhs, ul, un)
    return b


# ---------------------------------------------------------------- general eigen: geev

ctypedef fused real_t:
    float
    double


cdef int _geev_real(real_t *a, int n, int64_t nb, bint vectors, real_t *wr, real_t *wi, real_t *vr,
                    int *info) noexcept nogil:
    # A V = V diag(w); complex pairs come back as (re, im) halves
    cdef int64_t i
    cdef char jl = b'N', jr = b'V' if vectors else b'N'
    cdef int lda = _imax(1, n), ldvl = 1, ldvr = _imax(1, n), lwork = -1, q
    cdef real_t wq, dummy
    cdef real_t *work
    if real_t is float:
        sgeev(&jl, &jr, &n, a, &lda, wr, wi, &dummy, &ldvl, vr, &ldvr, &wq, &lwork, &q)
    else:
        dgeev(&jl, &jr, &n, a, &lda, wr, wi, &dummy, &ldvl, vr, &ldvr, &wq, &lwork, &q)
    lwork = _imax(<int>wq + 1, 4 * n)
    work = <real_t *>malloc(sizeof(real_t) * lwork)
    if work == NULL:
        return -1
    for i in range(nb):
        if real_t is float:
            sgeev(&jl, &jr, &n, a + i * n * n, &lda, wr + i * n, wi + i * n, &dummy, &ldvl,
                  vr + (i * n * n if vectors else 0), &ldvr, work, &lwork, info + i)
        else:
            dgeev(&jl, &jr, &n, a + i * n * n, &lda, wr + i * n, wi + i * n, &dummy, &ldvl,
                  vr + (i * n * n if vectors else 0), &ldvr, work, &lwork, info + i)
    free(work)
    return 0


cdef int _geev_cplx(lp_t *a, int n, int64_t nb, bint vectors, lp_t *w, lp_t *vr, int *info) noexcept nogil:
    cdef int64_t i
    cdef char jl = b'N', jr = b'V' if vectors else b'N'
    cdef int lda = _imax(1, n), ldvl = 1, ldvr = _imax(1, n), lwork = -1, q
    cdef lp_t wq = 0, dummy  # wq: written by the workspace query
    cdef lp_t *work
    cdef double *rwork = <double *>malloc(sizeof(double) * 2 * _imax(n, 1))
    if rwork == NULL:
        return -1
    if lp_t is floatcomplex:
        cgeev(&jl, &jr, &n, a, &lda, w, &dummy, &ldvl, vr, &ldvr, &wq, &lwork, <float *>rwork, &q)
    elif lp_t is doublecomplex:
        zgeev(&jl, &jr, &n, a, &lda, w, &dummy, &ldvl, vr, &ldvr, &wq, &lwork, rwork, &q)
    lwork = _imax(_lw(wq), 2 * n)
    work = <lp_t *>malloc(sizeof(lp_t) * lwork)
    if work == NULL:
        free(rwork)
        return -1
    for i in range(nb):
        if lp_t is floatcomplex:
            cgeev(&jl, &jr, &n, a + i * n * n, &lda, w + i * n, &dummy, &ldvl, vr + (i * n * n if vectors else 0),
                  &ldvr, work, &lwork, <float *>rwork, info + i)
        elif lp_t is doublecomplex:
            zgeev(&jl, &jr, &n, a + i * n * n, &lda, w + i * n, &dummy, &ldvl, vr + (i * n * n if vectors else 0),
                  &ldvr, work, &lwork, rwork, info + i)
    free(work)
    free(rwork)
    return 0


cdef void _pairs_to_complex(real_t *wr, real_t *wi, real_t *vr, int n, int64_t nb, bint vectors,
                            char *wout, char *vout) noexcept nogil:
    # real geev: eigenvalue pairs (re +- i im) share columns j, j+1 as v = vr[:, j] +- i vr[:, j+1]
    cdef int64_t i
    cdef int j, r
    cdef real_t *w_re = <real_t *>wout
    cdef real_t *v_re = <real_t *>vout
    for i in range(nb):
        for j in range(n):
            w_re[2 * (i * n + j)] = wr[i * n + j]
            w_re[2 * (i * n + j) + 1] = wi[i * n + j]
        if not vectors:
            continue
        j = 0
        while j < n:
            if wi[i * n + j] == 0 or j == n - 1:
                for r in range(n):
                    v_re[2 * (i * n * n + j * n + r)] = vr[i * n * n + j * n + r]
                    v_re[2 * (i * n * n + j * n + r) + 1] = 0
                j += 1
            else:
                for r in range(n):
                    v_re[2 * (i * n * n + j * n + r)] = vr[i * n * n + j * n + r]
                    v_re[2 * (i * n * n + j * n + r) + 1] = vr[i * n * n + (j + 1) * n + r]
                    v_re[2 * (i * n * n + (j + 1) * n + r)] = vr[i * n * n + j * n + r]
                    v_re[2 * (i * n * n + (j + 1) * n + r) + 1] = -vr[i * n * n + (j + 1) * n + r]
                j += 2


def geev(TensorBase a, int64_t n, bint vectors):
    """Eigen-decompose each general n x n matrix of the Fortran buffer a (destroyed).
    Returns (w (nb, n) complex, V Fortran buffer (nb, n, n) complex, info)."""
    cdef int64_t nb = a._numel // (n * n) if n > 0 else 0
    cdef int64_t sh[3]
    cdef int dt = a._dtype, err = 0
    cdef int cdt = CT_COMPLEX64 if (dt == CT_FLOAT32 or dt == CT_COMPLEX64) else CT_COMPLEX128
    cdef TensorBase wr, wi, vr
    _dims(n, n)
    sh[0] = nb; sh[1] = n; sh[2] = n
    cdef TensorBase w = _empty(cdt, 2, sh), v = _empty(cdt, 3, sh), info = _empty(CT_INT32, 1, sh)
    if nb == 0 or n == 0:
        return w, v, info
    if dt == CT_FLOAT32 or dt == CT_FLOAT64:
        wr = _empty(dt, 2, sh)
        wi = _empty(dt, 2, sh)
        vr = _empty(dt, 3, sh)
        with nogil:
            if dt == CT_FLOAT32:
                err = _geev_real[float](<float *>a._data, <int>n, nb, vectors, <float *>wr._data, <float *>wi._data,
                                        <float *>vr._data, <int *>info._data)
                if err == 0:
                    _pairs_to_complex[float](<float *>wr._data, <float *>wi._data, <float *>vr._data, <int>n, nb,
                                             vectors, w._data, v._data)
            else:
                err = _geev_real[double](<double *>a._data, <int>n, nb, vectors, <double *>wr._data,
                                         <double *>wi._data, <double *>vr._data, <int *>info._data)
                if err == 0:
                    _pairs_to_complex[double](<double *>wr._data, <double *>wi._data, <double *>vr._data, <int>n,
                                              nb, vectors, w._data, v._data)
    else:
        with nogil:
            if dt == CT_COMPLEX64:
                err = _geev_cplx[floatcomplex](<float complex *>a._data, <int>n, nb, vectors,
                                               <float complex *>w._data, <float complex *>v._data, <int *>info._data)
            else:
                err = _geev_cplx[doublecomplex](<double complex *>a._data, <int>n, nb, vectors,
                                                <double complex *>w._data, <double complex *>v._data,
                                                <int *>info._data)
    if err:
        raise MemoryError("linalg.eig: out of memory")
    return w, v, info
