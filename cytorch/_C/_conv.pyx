# _conv.pyx - convolution, pooling, interpolation and sampling kernels (src_c/ct_conv.c, ct_pool.c)
# reached from cytorch/nn/_conv_formulas.py.
#
# The functions here take channels-first tensors with 1 to 3 spatial dims and sizes already
# worked out by the Python layer (which raises PyTorch's messages for bad arguments); they
# check again everything the kernels rely on, make inputs contiguous, and run the kernel
# with the GIL released. Spatial tuples are padded to 3 dims (leading 1s) for the kernels.
from libc.stdint cimport int64_t
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
                           f"padding={[g.pad[d] for d in range(3)]}, dilation={[g.dil[d] for d in range(3)]})")
    return 0


cdef TensorBase _new(int dt, int64_t a, int64_t b, tuple sp):
    cdef int64_t sh[5]
    cdef int n = len(sp), d
    sh[0] = a
    sh[1] = b
    for d in range(n):
        sh[2 + d] = sp[d]
    return _empty(dt, 2 + n, sh)


cdef int _conv_args(TensorBase a, TensorBase b, str bname, tuple sizes, str op) except -1:
    """The checks every conv driver makes: float a, b of a's dtype and rank, 1 to 3 spatial dims
    (as many as ``sizes`` has)."""
    cdef int nsp = a._ndim - 2
    _check_float(a, op)
    _same_dtype(a, b, op)
    _check_dims(b, a._ndim, op, bname)
    if nsp < 1 or nsp > 3 or len(sizes) != nsp:
        raise RuntimeError(f"{op}: expected input with 1 to 3 spatial dims, got size {_sz(a)}")
    return 0


cdef inline int64_t _itemsize(TensorBase t):
    return 4 if t._dtype == CT_FLOAT32 else 8


cdef int _conv_run(int which, TensorBase a, TensorBase b, char *bias, TensorBase out, int64_t B, int64_t G,
                   int64_t M, ct_conv_geom *g, str op) except -1:
    """out := conv kernel ``which`` of contiguous a and b (0: forward of x, w (+ bias); 1: input
    gradient of gy, w; 2: weight gradient of x, gy), with its workspace."""
    cdef int err = 0
    cdef bint f32 = a._dtype == CT_FLOAT32
    cdef int64_t nbytes = ct_conv_workspace(g, B, G, M, _itemsize(a), which)
    cdef void *ws = ct_alloc(nbytes)
    if ws == NULL:
        raise MemoryError(f"{op}: out of memory")
    with nogil:
        if which == 0:
            if f32:
                err = ct_conv_fwd_f32(<float *>a._data, <float *>b._data, <float *>bias, <float *>out._data,
                                      B, G, M, g, ws)
            else:
                err = ct_conv_fwd_f64(<double *>a._data, <double *>b._data, <double *>bias, <double *>out._data,
                                      B, G, M, g, ws)
        elif which == 1:
            if f32:
                err = ct_conv_bwd_input_f32(<float *>a._data, <float *>b._data, <float *>out._data, B, G, M, g, ws)
            else:
                err = ct_conv_bwd_input_f64(<double *>a._data, <double *>b._data, <double *>out._data, B, G, M,
                                            g, ws)
        else:
            if f32:
                err = ct_conv_bwd_weight_f32(<float *>a._data, <float *>b._data, <float *>out._data, B, G, M, g,
                                             ws)
            else:
                err = ct_conv_bwd_weight_f64(<double *>a._data, <double *>b._data, <double *>out._data, B, G, M,
                                             g, ws)
    ct_free(ws, nbytes)
    _check_err(err, op)
    return 0


def conv_forward(TensorBase x, TensorBase w, bias, tuple out, tuple stride, tuple pad, tuple dil, int64_t groups):
    """y := conv(x, w) + bias. x (B, groups*C, *in), w (M, C, *k), out the output sizes, pad the
    leading padding per spatial dim (the trailing one is implied by ``out``)."""
    cdef str op = "conv"
    cdef ct_conv_geom g
    cdef TensorBase b = None, y
    cdef int64_t B, M
    cdef char *bp = NULL
    _conv_args(x, w, "weight", out, op)
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
    _conv_run(0, x, w, bp, y, B, groups, M, &g, op)
    return y


def conv_backward_input(TensorBase gy, TensorBase w, tuple insize, tuple stride, tuple pad, tuple dil,
                        int64_t groups):
    """gx := the adjoint of conv(., w) applied to gy (conv_transpose): gy (B, M, *out),
    w (M, C, *k), gx (B, groups*C, *insize)."""
    cdef str op = "conv_transpose"
    cdef ct_conv_geom g
    cdef TensorBase gx
    cdef int64_t B, M
    _conv_args(gy, w, "weight", insize, op)
    B = gy._shape[0]
    M = w._shape[0]
    if groups < 1 or gy._shape[1] != M or M % groups:
        raise RuntimeError(f"{op}: input {_sz(gy)} and weight {_sz(w)} do not match for groups={groups}")
    _geom(&g, w._shape[1], insize, _spatial(gy, 2), _spatial(w, 2), stride, pad, dil, op)
    _check_geom(&g, B, groups, M, op)
    gy = _contiguous(gy)
    w = _contiguous(w)
    gx = _new(gy._dtype, B, w._shape[1] * groups, insize)
    _conv_run(1, gy, w, NULL, gx, B, groups, M, &g, op)
    return gx


def conv_backward_weight(TensorBase x, TensorBase gy, tuple ksize, tuple stride, tuple pad, tuple dil,
                         int64_t groups):
    """gw := d<gy, conv(x, w)>/dw: x (B, groups*C, *in), gy (B, M, *out), gw (M, C, *ksize)."""
    cdef str op = "conv_backward_weight"
    cdef ct_conv_geom g
    cdef TensorBase gw
    cdef int64_t B, M, C
    _conv_args(x, gy, "grad_output", ksize, op)
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
    _conv_run(2, x, gy, NULL, gw, B, groups, M, &g, op)
    return gw


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


# ---------------------------------------------------------------- pooling, resampling, grid sampling

cdef extern from "ct_pool.h" nogil:
    ctypedef ct_conv_geom ct_pool_geom
    int ct_maxpool_f32(const float *x, float *y, int64_t *idx, int64_t planes, const ct_pool_geom *g)
    int ct_maxpool_f64(const double *x, double *y, int64_t *idx, int64_t planes, const ct_pool_geom *g)
    int ct_avgpool_f32(const float *x, float *y, int64_t planes, const ct_pool_geom *g, int cip, int64_t div)
    int ct_avgpool_f64(const double *x, double *y, int64_t planes, const ct_pool_geom *g, int cip, int64_t div)
    int ct_avgpool_bwd_f32(const float *gy, float *gx, int64_t planes, const ct_pool_geom *g, int cip,
                           int64_t div)
    int ct_avgpool_bwd_f64(const double *gy, double *gx, int64_t planes, const ct_pool_geom *g, int cip,
                           int64_t div)
    int ct_adaptive_avg_f32(const float *x, float *y, int64_t planes, const int64_t *isize, const int64_t *osize)
    int ct_adaptive_avg_f64(const double *x, double *y, int64_t planes, const int64_t *isize, const int64_t *osize)
    int ct_adaptive_avg_bwd_f32(const float *gy, float *gx, int64_t planes, const int64_t *isize,
                                const int64_t *osize)
    int ct_adaptive_avg_bwd_f64(const double *gy, double *gx, int64_t planes, const int64_t *isize,
                                const int64_t *osize)
    int ct_adaptive_max_f32(const float *x, float *y, int64_t *idx, int64_t planes, const int64_t *isize,
                            const int64_t *osize)
    int ct_adaptive_max_f64(const double *x, double *y, int64_t *idx, int64_t planes, const int64_t *isize,
                            const int64_t *osize)
    int ct_plane_scatter_f32(const float *src, const int64_t *idx, float *out, int64_t planes, int64_t L,
                             int64_t X, int accumulate)
    int ct_plane_scatter_f64(const double *src, const int64_t *idx, double *out, int64_t planes, int64_t L,
                             int64_t X, int accumulate)
    int ct_plane_gather_f32(const float *src, const int64_t *idx, float *out, int64_t planes, int64_t L, int64_t X)
    int ct_plane_gather_f64(const double *src, const int64_t *idx, double *out, int64_t planes, int64_t L,
                            int64_t X)
    int ct_resample_f32(const float *x, float *y, int64_t planes, const int64_t *isize, const int64_t *osize,
                        const double *scales, int mode, int align_corners)
    int ct_resample_f64(const double *x, double *y, int64_t planes, const int64_t *isize, const int64_t *osize,
                        const double *scales, int mode, int align_corners)
    int ct_resample_bwd_f32(const float *gy, float *gx, int64_t planes, const int64_t *isize,
                            const int64_t *osize, const double *scales, int mode, int align_corners)
    int ct_resample_bwd_f64(const double *gy, double *gx, int64_t planes, const int64_t *isize,
                            const int64_t *osize, const double *scales, int mode, int align_corners)
    int ct_grid_sample_f32(const float *x, const float *grid, float *y, int64_t N, int64_t C, int64_t IH,
                           int64_t IW, int64_t OH, int64_t OW, int mode, int padding, int align_corners)
    int ct_grid_sample_f64(const double *x, const double *grid, double *y, int64_t N, int64_t C, int64_t IH,
                           int64_t IW, int64_t OH, int64_t OW, int mode, int padding, int align_corners)
    int ct_grid_sample_bwd_f32(const float *gy, const float *x, const float *grid, float *gx, float *ggrid,
                               int64_t N, int64_t C, int64_t IH, int64_t IW, int64_t OH, int64_t OW, int mode,
                               int padding, int align_corners)
    int ct_grid_sample_bwd_f64(const double *gy, const double *x, const double *grid, double *gx,
                               double *ggrid, int64_t N, int64_t C, int64_t IH, int64_t IW, int64_t OH,
                               int64_t OW, int mode, int padding, int align_corners)

RESAMPLE_MODES = {"nearest": 0, "nearest-exact": 1, "linear": 2, "bilinear": 2, "trilinear": 2, "bicubic": 3}
GRID_MODES = {"bilinear": 0, "nearest": 1, "bicubic": 2}
GRID_PADDING = {"zeros": 0, "border": 1, "reflection": 2}


cdef int64_t _planes_of(TensorBase x, int nsp, str op) except -1:
    if x._ndim != nsp + 2 or nsp < 1 or nsp > 3:
        raise RuntimeError(f"{op}: expected an input of 1 to 3 spatial dims, got size {_sz(x)}")
    return x._shape[0] * x._shape[1]


cdef int _pool_geom(ct_pool_geom *g, tuple isz, tuple osz, tuple k, tuple stride, tuple pad, tuple dil,
                    str op) except -1:
    cdef int d
    _geom(g, 0, isz, osz, k, stride, pad, dil, op)
    for d in range(3):
        if g.isize[d] < 0 or g.osize[d] < 0 or g.k[d] < 1 or g.stride[d] < 1 or g.dil[d] < 1 or g.pad[d] < 0:
            raise RuntimeError(f"{op}: invalid pooling geometry")
        # every window must start inside the padded input (the size rules guarantee it)
        if g.osize[d] > 0 and (g.osize[d] - 1) * g.stride[d] - g.pad[d] >= g.isize[d] + g.pad[d]:
            raise RuntimeError(f"{op}: output size {list(osz)} too large for input size {list(isz)}")
    return 0


cdef int _io_sizes(int64_t *isz, int64_t *osz, TensorBase src, tuple size, bint adjoint, str op) except -1:
    """isz, osz := the input and output sizes of a forward op (src's spatial sizes -> size), or of its
    adjoint (src the output gradient, size the input sizes)."""
    cdef tuple sp = _spatial(src, 2)
    _fill3(isz, size if adjoint else sp, 1, op, "input size")
    _fill3(osz, sp if adjoint else size, 1, op, "output size")
    return 0


cdef TensorBase _like(TensorBase x, tuple sp, int dt=-1):
    return _new(x._dtype if dt < 0 else dt, x._shape[0], x._shape[1], sp)


def max_pool(TensorBase x, tuple out, tuple k, tuple stride, tuple pad, tuple dil, bint with_indices):
    """Max pooling of x (B, C, *in) to (B, C, *out); also the flat input index of each max."""
    cdef str op = "max_pool"
    cdef ct_pool_geom g
    cdef int64_t planes = _planes_of(x, len(out), op)
    cdef TensorBase y, idx = None
    cdef int64_t *ip = NULL
    cdef int err = 0
    _check_float(x, op)
    _pool_geom(&g, _spatial(x, 2), out, k, stride, pad, dil, op)
    x = _contiguous(x)
    y = _like(x, out)
    if with_indices:
        idx = _like(x, out, CT_INT64)
        ip = <int64_t *>idx._data
    with nogil:
        if x._dtype == CT_FLOAT32:
            err = ct_maxpool_f32(<float *>x._data, <float *>y._data, ip, planes, &g)
        else:
            err = ct_maxpool_f64(<double *>x._data, <double *>y._data, ip, planes, &g)
    _check_err(err, op)
    return y, idx


def avg_pool(TensorBase src, tuple size, tuple k, tuple stride, tuple pad, bint count_include_pad,
             int64_t divisor_override, bint backward):
    """Average pooling of src (B, C, *in) to (B, C, *size), or (backward) its adjoint: src is the
    output gradient and ``size`` the input sizes."""
    cdef str op = "avg_pool"
    cdef ct_pool_geom g
    cdef int64_t planes = _planes_of(src, len(size), op)
    cdef TensorBase dst
    cdef int err = 0
    cdef int cip = count_include_pad
    cdef tuple sp
    _check_float(src, op)
    sp = _spatial(src, 2)
    _pool_geom(&g, size if backward else sp, sp if backward else size, k, stride, pad, (1,) * len(k), op)
    src = _contiguous(src)
    dst = _like(src, size)
    with nogil:
        if src._dtype == CT_FLOAT32:
            if backward:
                err = ct_avgpool_bwd_f32(<float *>src._data, <float *>dst._data, planes, &g, cip, divisor_override)
            else:
                err = ct_avgpool_f32(<float *>src._data, <float *>dst._data, planes, &g, cip, divisor_override)
        else:
            if backward:
                err = ct_avgpool_bwd_f64(<double *>src._data, <double *>dst._data, planes, &g, cip,
                                         divisor_override)
            else:
                err = ct_avgpool_f64(<double *>src._data, <double *>dst._data, planes, &g, cip, divisor_override)
    _check_err(err, op)
    return dst


def adaptive_pool(TensorBase src, tuple size, int kind):
    """kind 0: adaptive average pooling of src to ``size``; 1: its adjoint (src the output
    gradient, size the input sizes); 2: adaptive max pooling, returning (values, indices)."""
    cdef str op = "adaptive_pool"
    cdef int64_t planes = _planes_of(src, len(size), op)
    cdef int64_t isz[3]
    cdef int64_t osz[3]
    cdef TensorBase dst, idx = None
    cdef int err = 0, d
    _check_float(src, op)
    _io_sizes(isz, osz, src, size, kind == 1, op)
    for d in range(3):
        if isz[d] < 0 or osz[d] < 0 or (osz[d] == 0 and isz[d] != 0 and planes > 0):
            raise RuntimeError(f"{op}: invalid sizes {list(size)}")
        if isz[d] == 0 and osz[d] > 0 and planes > 0:
            raise RuntimeError(f"{op}: cannot pool an empty input to size {list(size)}")
    src = _contiguous(src)
    dst = _like(src, size)
    if kind == 2:
        idx = _like(src, size, CT_INT64)
    with nogil:
        if src._dtype == CT_FLOAT32:
            if kind == 0:
                err = ct_adaptive_avg_f32(<float *>src._data, <float *>dst._data, planes, isz, osz)
            elif kind == 1:
                err = ct_adaptive_avg_bwd_f32(<float *>src._data, <float *>dst._data, planes, isz, osz)
            else:
                err = ct_adaptive_max_f32(<float *>src._data, <float *>dst._data, <int64_t *>idx._data, planes,
                                          isz, osz)
        else:
            if kind == 0:
                err = ct_adaptive_avg_f64(<double *>src._data, <double *>dst._data, planes, isz, osz)
            elif kind == 1:
                err = ct_adaptive_avg_bwd_f64(<double *>src._data, <double *>dst._data, planes, isz, osz)
            else:
                err = ct_adaptive_max_f64(<double *>src._data, <double *>dst._data, <int64_t *>idx._data, planes,
                                          isz, osz)
    _check_err(err, op)
    return (dst, idx) if kind == 2 else dst


def plane_scatter(TensorBase src, TensorBase idx, tuple size, bint accumulate):
    """out (B, C, *size) := 0, then out[b, c].flat[idx[b, c, l]] (+)= src[b, c, l]."""
    cdef str op = "max_unpool"
    cdef int64_t planes, L = 1, X = 1, bad
    cdef TensorBase out
    cdef int err = 0, d
    _check_float(src, op)
    if idx._dtype != CT_INT64:
        raise RuntimeError(f"{op}: expected indices to have dtype int64, but got {dtype_of(idx._dtype)}")
    if src._ndim != idx._ndim or any([src._shape[d] != idx._shape[d] for d in range(src._ndim)]):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor ({_sz(src)}) "
                           f"but got indices tensor with shape: {_sz(idx)}")
    planes = src._shape[0] * src._shape[1]
    for d in range(2, src._ndim):
        L *= src._shape[d]
    for s in size:
        X *= s
    src = _contiguous(src)
    idx = _contiguous(idx)
    out = _like(src, size)
    with nogil:
        if src._dtype == CT_FLOAT32:
            err = ct_plane_scatter_f32(<float *>src._data, <int64_t *>idx._data, <float *>out._data, planes, L, X,
                                       accumulate)
        else:
            err = ct_plane_scatter_f64(<double *>src._data, <int64_t *>idx._data, <double *>out._data, planes, L,
                                       X, accumulate)
    if err == CT_ERR_INDEX:
        bad = next(int(i) for i in idx.reshape(-1).tolist() if i < 0 or i >= X)
        raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size "
                           f"{'x'.join(str(s) for s in size)}")
    _check_err(err, op)
    return out


def plane_gather(TensorBase src, TensorBase idx):
    """out[b, c, l] := src[b, c].flat[idx[b, c, l]] (out has idx's shape)."""
    cdef str op = "max_pool_backward"
    cdef int64_t planes, L = 1, X = 1
    cdef TensorBase out
    cdef int err = 0, d
    _check_float(src, op)
    if idx._dtype != CT_INT64 or idx._ndim < 2 or src._ndim < 2 or idx._shape[0] != src._shape[0] \
            or idx._shape[1] != src._shape[1]:
        raise RuntimeError(f"{op}: indices {_sz(idx)} do not match input {_sz(src)}")
    planes = src._shape[0] * src._shape[1]
    for d in range(2, src._ndim):
        X *= src._shape[d]
    for d in range(2, idx._ndim):
        L *= idx._shape[d]
    src = _contiguous(src)
    idx = _contiguous(idx)
    out = _empty(src._dtype, idx._ndim, idx._shape)
    with nogil:
        if src._dtype == CT_FLOAT32:
            err = ct_plane_gather_f32(<float *>src._data, <int64_t *>idx._data, <float *>out._data, planes, L, X)
        else:
            err = ct_plane_gather_f64(<double *>src._data, <int64_t *>idx._data, <double *>out._data, planes, L, X)
    _check_err(err, op)
    return out


def resample(TensorBase src, tuple size, tuple scales, str mode, bint align_corners, bint backward):
    """interpolate src (B, C, *in) to (B, C, *size) with ``mode`` (per-dim PyTorch scale factors,
    None where not given), or (backward) the adjoint: src the output gradient, size the input sizes."""
    cdef str op = "upsample_" + mode
    cdef int nsp = len(size), d, err = 0
    cdef int64_t planes = _planes_of(src, nsp, op)
    cdef int64_t isz[3]
    cdef int64_t osz[3]
    cdef double sc[3]
    cdef int m
    cdef TensorBase dst
    if mode not in RESAMPLE_MODES:
        raise ValueError(f"{op}: unknown mode")
    m = RESAMPLE_MODES[mode]
    _check_float(src, op)
    if len(scales) != nsp:
        raise RuntimeError(f"{op}: expected {nsp} scales")
    _io_sizes(isz, osz, src, size, backward, op)
    for d in range(3):
        sc[d] = 0.0
        if isz[d] <= 0 or osz[d] <= 0:
            if planes > 0:
                raise RuntimeError(f"{op}: input and output sizes should be greater than 0")
    for d in range(nsp):
        sc[3 - nsp + d] = scales[d] if scales[d] is not None else 0.0
    src = _contiguous(src)
    dst = _like(src, size)
    if planes == 0:
        return dst
    with nogil:
        if src._dtype == CT_FLOAT32:
            if backward:
                err = ct_resample_bwd_f32(<float *>src._data, <float *>dst._data, planes, isz, osz, sc, m,
                                          align_corners)
            else:
                err = ct_resample_f32(<float *>src._data, <float *>dst._data, planes, isz, osz, sc, m, align_corners)
        else:
            if backward:
                err = ct_resample_bwd_f64(<double *>src._data, <double *>dst._data, planes, isz, osz, sc, m,
                                          align_corners)
            else:
                err = ct_resample_f64(<double *>src._data, <double *>dst._data, planes, isz, osz, sc, m,
                                      align_corners)
    _check_err(err, op)
    return dst


cdef int _grid_args(TensorBase x, TensorBase grid, str op) except -1:
    _check_float(x, op)
    _same_dtype(x, grid, op)
    if x._ndim != 4 or grid._ndim != 4 or grid._shape[0] != x._shape[0] or grid._shape[3] != 2:
        raise RuntimeError(f"{op}: expected input (N, C, H, W) and grid (N, H_out, W_out, 2), got input {_sz(x)} "
                           f"and grid {_sz(grid)}")
    return 0


def grid_sample(TensorBase x, TensorBase grid, str mode, str padding_mode, bint align_corners):
    """y[n, c, h, w] := x[n, c] sampled at grid[n, h, w] = (x, y) in [-1, 1]."""
    cdef str op = "grid_sampler_2d"
    cdef TensorBase y
    cdef int err = 0, m = GRID_MODES[mode], pm = GRID_PADDING[padding_mode]
    cdef int64_t N, C, IH, IW, OH, OW
    _grid_args(x, grid, op)
    N = x._shape[0]; C = x._shape[1]; IH = x._shape[2]; IW = x._shape[3]
    OH = grid._shape[1]; OW = grid._shape[2]
    x = _contiguous(x)
    grid = _contiguous(grid)
    y = _new(x._dtype, N, C, (OH, OW))
    with nogil:
        if x._dtype == CT_FLOAT32:
            err = ct_grid_sample_f32(<float *>x._data, <float *>grid._data, <float *>y._data, N, C, IH, IW, OH, OW,
                                     m, pm, align_corners)
        else:
            err = ct_grid_sample_f64(<double *>x._data, <double *>grid._data, <double *>y._data, N, C, IH, IW, OH,
                                     OW, m, pm, align_corners)
    _check_err(err, op)
    return y


def grid_sample_backward(TensorBase gy, TensorBase x, TensorBase grid, str mode, str padding_mode,
                         bint align_corners, bint need_input, bint need_grid):
    """(d<gy, y>/dx or None, d<gy, y>/dgrid or None) for y = grid_sample(x, grid)."""
    cdef str op = "grid_sampler_2d_backward"
    cdef TensorBase gx = None, gg = None
    cdef int err = 0, m = GRID_MODES[mode], pm = GRID_PADDING[padding_mode]
    cdef int64_t N, C, IH, IW, OH, OW
    cdef char *pgx = NULL
    cdef char *pgg = NULL
    _grid_args(x, grid, op)
    _same_dtype(x, gy, op)
    N = x._shape[0]; C = x._shape[1]; IH = x._shape[2]; IW = x._shape[3]
    OH = grid._shape[1]; OW = grid._shape[2]
    if gy._ndim != 4 or gy._shape[0] != N or gy._shape[1] != C or gy._shape[2] != OH or gy._shape[3] != OW:
        raise RuntimeError(f"{op}: grad_output {_sz(gy)} does not match")
    x = _contiguous(x)
    grid = _contiguous(grid)
    gy = _contiguous(gy)
    if need_input:
        gx = _empty(x._dtype, 4, x._shape)
        pgx = gx._data
    if need_grid:
        gg = _empty(x._dtype, 4, grid._shape)
        pgg = gg._data
    with nogil:
        if x._dtype == CT_FLOAT32:
            err = ct_grid_sample_bwd_f32(<float *>gy._data, <float *>x._data, <float *>grid._data, <float *>pgx,
                                         <float *>pgg, N, C, IH, IW, OH, OW, m, pm, align_corners)
        else:
            err = ct_grid_sample_bwd_f64(<double *>gy._data, <double *>x._data, <double *>grid._data,
                                         <double *>pgx, <double *>pgg, N, C, IH, IW, OH, OW, m, pm, align_corners)
    _check_err(err, op)
    return gx, gg
