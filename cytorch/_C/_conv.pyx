# _conv.pyx - convolution, pooling, interpolation and sampling kernels (src_c/ct_conv.c, ct_pool.c)
# reached from cytorch/nn/_conv_formulas.py.
#
# The functions here take channels-first tensors with 1 to 3 spatial dims and sizes already
# worked out by the Python layer (which raises PyTorch's messages for bad arguments); they
# check again everything the kernels rely on, make inputs contiguous, and run the kernel
# with the GIL released. Spatial tuples are padded to 3 dims (leading 1s) for the kernels.
from libc.stdint cimport int64_t
from scipy.linalg.cython_blas cimport sgemm, dgemm
from cytorch._C._tensor cimport TensorBase, _empty, _contiguous, _check_err, dtype_of
from cytorch._C.ct cimport *

cdef extern from "ct_conv.h" nogil:
    ctypedef struct ct_conv_geom:
        int64_t C
        int64_t isize[3]
        int64_t osize[3]
        int64_t k[3]
        int64_t stride[3]
        int64_t pad[3]
        int64_t dil[3]
    ctypedef void (*ct_sgemm_fn)(char *ta, char *tb, int *m, int *n, int *k, float *alpha, float *a, int *lda,
                                 float *b, int *ldb, float *beta, float *c, int *ldc)
    ctypedef void (*ct_dgemm_fn)(char *ta, char *tb, int *m, int *n, int *k, double *alpha, double *a, int *lda,
                                 double *b, int *ldb, double *beta, double *c, int *ldc)
    void ct_conv_set_blas(ct_sgemm_fn s, ct_dgemm_fn d)
    int ct_conv_check(const ct_conv_geom *g, int64_t B, int64_t G, int64_t M)
    int64_t ct_conv_workspace(const ct_conv_geom *g, int64_t B, int64_t G, int64_t M, int64_t itemsize, int which)
    int ct_conv_fwd_f32(const float *x, const float *w, const float *bias, float *y, int64_t B, int64_t G,
                        int64_t M, const ct_conv_geom *g, void *ws)
    int ct_conv_fwd_f64(const double *x, const double *w, const double *bias, double *y, int64_t B, int64_t G,
                        int64_t M, const ct_conv_geom *g, void *ws)
    int ct_conv_bwd_input_f32(const float *gy, const float *w, float *gx, int64_t B, int64_t G, int64_t M,
                              const ct_conv_geom *g, void *ws)
    int ct_conv_bwd_input_f64(const double *gy, const double *w, double *gx, int64_t B, int64_t G, int64_t M,
                              const ct_conv_geom *g, void *ws)
    int ct_conv_bwd_weight_f32(const float *x, const float *gy, float *gw, int64_t B, int64_t G, int64_t M,
                               const ct_conv_geom *g, void *ws)
    int ct_conv_bwd_weight_f64(const double *x, const double *gy, double *gw, int64_t B, int64_t G, int64_t M,
                               const ct_conv_geom *g, void *ws)
    int ct_im2col_f32(const float *x, float *cols, int64_t B, const ct_conv_geom *g)
    int ct_im2col_f64(const double *x, double *cols, int64_t B, const ct_conv_geom *g)
    int ct_col2im_f32(const float *cols, float *x, int64_t B, const ct_conv_geom *g)
    int ct_col2im_f64(const double *cols, double *x, int64_t B, const ct_conv_geom *g)

ct_conv_set_blas(<ct_sgemm_fn>sgemm, <ct_dgemm_fn>dgemm)

_PRETTY = ("Bool", "Byte", "Char", "Short", "Int", "Long", "Half", "BFloat16", "Float", "Double",
           "ComplexFloat", "ComplexDouble")


cdef str _sz(TensorBase t):
    return str([t._shape[d] for d in range(t._ndim)])


cdef int _check_float(TensorBase t, str op) except -1:
    if t._dtype != CT_FLOAT32 and t._dtype != CT_FLOAT64:
        raise RuntimeError(f"\"{op}\" not implemented for '{_PRETTY[t._dtype]}'")
    return 0


cdef int _same_dtype(TensorBase a, TensorBase b, str op) except -1:
    if a._dtype != b._dtype:
        raise RuntimeError(f"{op}: expected {_sz(b)} to have dtype {dtype_of(a._dtype)}, "
                           f"but got {dtype_of(b._dtype)}")
    return 0


cdef int _fill3(int64_t *dst, tuple src, int64_t lead, str op, str what) except -1:
    """dst[0..3] := src right-aligned, leading entries = lead."""
    cdef int n = len(src), d
    if n < 1 or n > 3:
        raise RuntimeError(f"{op}: expected 1 to 3 {what} values, got {n}")
    for d in range(3 - n):
        dst[d] = lead
    for d in range(n):
        dst[3 - n + d] = src[d]
    return 0


cdef int _geom(ct_conv_geom *g, int64_t C, tuple isz, tuple osz, tuple k, tuple stride, tuple pad,
               tuple dil, str op) except -1:
    _fill3(g.isize, isz, 1, op, "input size")
    _fill3(g.osize, osz, 1, op, "output size")
    _fill3(g.k, k, 1, op, "kernel size")
    _fill3(g.stride, stride, 1, op, "stride")
    _fill3(g.pad, pad, 0, op, "padding")
    _fill3(g.dil, dil, 1, op, "dilation")
    g.C = C
    return 0


cdef tuple _spatial(TensorBase t, int first):
    return tuple([t._shape[d] for d in range(first, t._ndim)])


cdef int _check_dims(TensorBase t, int nd, str op, str name) except -1:
    if t._ndim != nd:
        raise RuntimeError(f"{op}: expected {name} to be {nd}-D, but got {t._ndim}-D tensor of size {_sz(t)}")
    return 0


cdef int _check_geom(ct_conv_geom *g, int64_t B, int64_t G, int64_t M, str op) except -1:
    if ct_conv_check(g, B, G, M) != CT_OK:
        raise RuntimeError(f"{op}: invalid convolution geometry (groups={G}, out_channels={M}, "
                           f"kernel={[g.k[d] for d in range(3)]}, stride={[g.stride[d] for d in range(3)]}, "
                           f"padding={[g.pad[d] for d in range(3)]}, dilation={[g.dil[d] for d in range(3)]}) "
                           f"or sizes above 2^31-1")
    return 0


cdef TensorBase _new(int dt, int64_t a, int64_t b, tuple sp):
    cdef int64_t sh[5]
    cdef int n = len(sp), d
    sh[0] = a
    sh[1] = b
    for d in range(n):
        sh[2 + d] = sp[d]
    return _empty(dt, 2 + n, sh)


def conv_forward(TensorBase x, TensorBase w, bias, tuple out, tuple stride, tuple pad, tuple dil, int64_t groups):
    """y := conv(x, w) + bias. x (B, groups*C, *in), w (M, C, *k), out the output sizes, pad the
    leading padding per spatial dim (the trailing one is implied by ``out``)."""
    cdef str op = "conv"
    cdef int nsp = x._ndim - 2, err = 0
    cdef ct_conv_geom g
    cdef TensorBase b = None, y
    cdef int64_t B, M, nbytes
    cdef void *ws
    cdef char *bp = NULL
    _check_float(x, op)
    _same_dtype(x, w, op)
    _check_dims(w, x._ndim, op, "weight")
    if nsp < 1 or nsp > 3 or len(out) != nsp:
        raise RuntimeError(f"{op}: expected input with 1 to 3 spatial dims, got size {_sz(x)}")
    B = x._shape[0]
    M = w._shape[0]
    if groups < 1 or x._shape[1] != w._shape[1] * groups or M % groups:
        raise RuntimeError(f"{op}: input {_sz(x)} and weight {_sz(w)} do not match for groups={groups}")
    _geom(&g, w._shape[1], _spatial(x, 2), out, _spatial(w, 2), stride, pad, dil, op)
    _check_geom(&g, B, groups, M, op)
    if bias is not None:
        b = <TensorBase>bias
        _same_dtype(x, b, op)
        if b._ndim != 1 or b._shape[0] != M:
            raise RuntimeError(f"{op}: expected bias of size [{M}], got {_sz(b)}")
        b = _contiguous(b)
        bp = b._data
    x = _contiguous(x)
    w = _contiguous(w)
    y = _new(x._dtype, B, M, out)
    nbytes = ct_conv_workspace(&g, B, groups, M, _itemsize(x), 0)
    ws = ct_alloc(nbytes)
    if ws == NULL:
        raise MemoryError(f"{op}: out of memory")
    with nogil:
        if x._dtype == CT_FLOAT32:
            err = ct_conv_fwd_f32(<float *>x._data, <float *>w._data, <float *>bp,
                                  <float *>y._data, B, groups, M, &g, ws)
        else:
            err = ct_conv_fwd_f64(<double *>x._data, <double *>w._data, <double *>bp,
                                  <double *>y._data, B, groups, M, &g, ws)
    ct_free(ws, nbytes)
    _check_err(err, op)
    return y


def conv_backward_input(TensorBase gy, TensorBase w, tuple insize, tuple stride, tuple pad, tuple dil,
                        int64_t groups):
    """gx := the adjoint of conv(., w) applied to gy (conv_transpose): gy (B, M, *out),
    w (M, C, *k), gx (B, groups*C, *insize)."""
    cdef str op = "conv_transpose"
    cdef int nsp = gy._ndim - 2, err = 0
    cdef ct_conv_geom g
    cdef TensorBase gx
    cdef int64_t B, M, nbytes
    cdef void *ws
    _check_float(gy, op)
    _same_dtype(gy, w, op)
    _check_dims(w, gy._ndim, op, "weight")
    if nsp < 1 or nsp > 3 or len(insize) != nsp:
        raise RuntimeError(f"{op}: expected input with 1 to 3 spatial dims, got size {_sz(gy)}")
    B = gy._shape[0]
    M = w._shape[0]
    if groups < 1 or gy._shape[1] != M or M % groups:
        raise RuntimeError(f"{op}: input {_sz(gy)} and weight {_sz(w)} do not match for groups={groups}")
    _geom(&g, w._shape[1], insize, _spatial(gy, 2), _spatial(w, 2), stride, pad, dil, op)
    _check_geom(&g, B, groups, M, op)
    gy = _contiguous(gy)
    w = _contiguous(w)
    gx = _new(gy._dtype, B, w._shape[1] * groups, insize)
    nbytes = ct_conv_workspace(&g, B, groups, M, _itemsize(gy), 1)
    ws = ct_alloc(nbytes)
    if ws == NULL:
        raise MemoryError(f"{op}: out of memory")
    with nogil:
        if gy._dtype == CT_FLOAT32:
            err = ct_conv_bwd_input_f32(<float *>gy._data, <float *>w._data, <float *>gx._data, B, groups, M, &g, ws)
        else:
            err = ct_conv_bwd_input_f64(<double *>gy._data, <double *>w._data, <double *>gx._data, B, groups, M,
                                        &g, ws)
    ct_free(ws, nbytes)
    _check_err(err, op)
    return gx


def conv_backward_weight(TensorBase x, TensorBase gy, tuple ksize, tuple stride, tuple pad, tuple dil,
                         int64_t groups):
    """gw := d<gy, conv(x, w)>/dw: x (B, groups*C, *in), gy (B, M, *out), gw (M, C, *ksize)."""
    cdef str op = "conv_backward_weight"
    cdef int nsp = x._ndim - 2, err = 0
    cdef ct_conv_geom g
    cdef TensorBase gw
    cdef int64_t B, M, C, nbytes
    cdef void *ws
    _check_float(x, op)
    _same_dtype(x, gy, op)
    _check_dims(gy, x._ndim, op, "grad_output")
    if nsp < 1 or nsp > 3 or len(ksize) != nsp:
        raise RuntimeError(f"{op}: expected input with 1 to 3 spatial dims, got size {_sz(x)}")
    B = x._shape[0]
    M = gy._shape[1]
    if groups < 1 or gy._shape[0] != B or x._shape[1] % groups or M % groups:
        raise RuntimeError(f"{op}: input {_sz(x)} and grad_output {_sz(gy)} do not match for groups={groups}")
    C = x._shape[1] // groups
    _geom(&g, C, _spatial(x, 2), _spatial(gy, 2), ksize, stride, pad, dil, op)
    _check_geom(&g, B, groups, M, op)
    x = _contiguous(x)
    gy = _contiguous(gy)
    gw = _new(x._dtype, M, C, ksize)
    nbytes = ct_conv_workspace(&g, B, groups, M, _itemsize(x), 2)
    ws = ct_alloc(nbytes)
    if ws == NULL:
        raise MemoryError(f"{op}: out of memory")
    with nogil:
        if x._dtype == CT_FLOAT32:
            err = ct_conv_bwd_weight_f32(<float *>x._data, <float *>gy._data, <float *>gw._data, B, groups, M, &g, ws)
        else:
            err = ct_conv_bwd_weight_f64(<double *>x._data, <double *>gy._data, <double *>gw._data, B, groups, M,
                                         &g, ws)
    ct_free(ws, nbytes)
    _check_err(err, op)
    return gw


cdef inline int64_t _itemsize(TensorBase t):
    return 4 if t._dtype == CT_FLOAT32 else 8


def im2col(TensorBase x, tuple out, tuple k, tuple stride, tuple pad, tuple dil):
    """unfold: x (B, C, *in) -> cols (B, C*prod(k), prod(out))."""
    cdef str op = "im2col"
    cdef ct_conv_geom g
    cdef TensorBase cols
    cdef int64_t B, C, K = 1, L = 1
    cdef int64_t sh[3]
    cdef int err = 0, d
    _check_float(x, op)
    if x._ndim - 2 != len(k) or len(out) != len(k):
        raise RuntimeError(f"{op}: input of size {_sz(x)} does not match kernel size {list(k)}")
    B = x._shape[0]
    C = x._shape[1]
    _geom(&g, C, _spatial(x, 2), out, k, stride, pad, dil, op)
    _check_geom(&g, B, 1, 0, op)
    for d in range(3):
        K *= g.k[d]
        L *= g.osize[d]
    x = _contiguous(x)
    sh[0] = B
    sh[1] = C * K
    sh[2] = L
    cols = _empty(x._dtype, 3, sh)
    with nogil:
        if x._dtype == CT_FLOAT32:
            err = ct_im2col_f32(<float *>x._data, <float *>cols._data, B, &g)
        else:
            err = ct_im2col_f64(<double *>x._data, <double *>cols._data, B, &g)
    _check_err(err, op)
    return cols


def col2im(TensorBase cols, tuple insize, tuple out, tuple k, tuple stride, tuple pad, tuple dil):
    """fold: cols (B, C*prod(k), prod(out)) -> x (B, C, *insize), overlapping values summed."""
    cdef str op = "col2im"
    cdef ct_conv_geom g
    cdef TensorBase x
    cdef int64_t B, C, K = 1, L = 1
    cdef int err = 0, d
    _check_float(cols, op)
    _check_dims(cols, 3, op, "input")
    _geom(&g, 1, insize, out, k, stride, pad, dil, op)
    for d in range(3):
        K *= g.k[d]
        L *= g.osize[d]
    B = cols._shape[0]
    if K == 0 or cols._shape[1] % K or cols._shape[2] != L:
        raise RuntimeError(f"{op}: input of size {_sz(cols)} does not match kernel size {list(k)} "
                           f"and {L} blocks")
    C = cols._shape[1] // K
    g.C = C
    _check_geom(&g, B, 1, 0, op)
    cols = _contiguous(cols)
    x = _new(cols._dtype, B, C, insize)
    with nogil:
        if cols._dtype == CT_FLOAT32:
            err = ct_col2im_f32(<float *>cols._data, <float *>x._data, B, &g)
        else:
            err = ct_col2im_f64(<double *>cols._data, <double *>x._data, B, &g)
    _check_err(err, op)
    return x
