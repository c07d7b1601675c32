# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Dispatch for the fused nn kernels (src_c/ct_nn.c): activations, softmax backward, layer /
RMS / batch / group norm, dropout.

Kernels compute in float32 or float64: float16/bfloat16 inputs are computed in float32 and
the results cast back. Argument checking that users can trigger (shapes, dims, dtypes) is done
by cytorch/nn/functional.py, which alone calls these functions; what is checked here is what
the kernels rely on.
"""
from libc.stdint cimport int64_t, uint64_t, uint8_t
from libc.string cimport memset
from cytorch._C._tensor cimport (TensorBase, _empty, _cast, _contiguous, _check_err, _SIZES_C,
                                 _is_contiguous, _copy_into, _wrap_dim)
from cytorch._C.ct cimport *
from cytorch._C._reduce cimport _split_at
from cytorch._C import _random

cdef extern from "ct_nn.h" nogil:
    enum:
        CT_ACT_GELU
        CT_ACT_GELU_TANH
        CT_ACT_SILU
        CT_ACT_MISH
        CT_ACT_ELU
        CT_ACT_SOFTPLUS
        CT_ACT_HARDSWISH
        CT_ACT_HARDSIGMOID
        CT_ACT_LEAKY_RELU
        CT_ACT_HARDTANH
        CT_ACT_LOGSIGMOID
        CT_ACT_SOFTSHRINK
        CT_ACT_HARDSHRINK
        CT_ACT_THRESHOLD
        CT_ACT_SOFTSIGN
        CT_ACT_TANHSHRINK
        CT_NACT
    ctypedef struct ct_act_args:
        double a
        double b
        double c
    ctypedef struct ct_dropout_args:
        double scale
        double keep_shift
        double drop_shift
    ct_loop_fn ct_act_fwd_table[][CT_NDTYPES]
    ct_loop_fn ct_act_bwd_table[][CT_NDTYPES]
    ct_loop_fn ct_dropout_table[CT_NDTYPES]
    int ct_softmax_bwd_f32(const float *g, const float *y, float *gx, int64_t A, int64_t R, int64_t B, int log)
    int ct_softmax_bwd_f64(const double *g, const double *y, double *gx, int64_t A, int64_t R, int64_t B,
                           int log)
    int ct_layer_norm_fwd_f32(const float *x, float *y, float *mean, float *rstd, const float *w,
                              const float *b, int64_t A, int64_t N, double eps)
    int ct_layer_norm_fwd_f64(const double *x, double *y, double *mean, double *rstd, const double *w,
                              const double *b, int64_t A, int64_t N, double eps)
    int ct_layer_norm_bwd_f32(const float *g, const float *x, const float *mean, const float *rstd,
                              const float *w, float *gx, float *gw, float *gb, int64_t A, int64_t N)
    int ct_layer_norm_bwd_f64(const double *g, const double *x, const double *mean, const double *rstd,
                              const double *w, double *gx, double *gw, double *gb, int64_t A, int64_t N)
    int ct_rms_norm_fwd_f32(const float *x, float *y, float *rstd, const float *w, int64_t A, int64_t N,
                            double eps)
    int ct_rms_norm_fwd_f64(const double *x, double *y, double *rstd, const double *w, int64_t A, int64_t N,
                            double eps)
    int ct_rms_norm_bwd_f32(const float *g, const float *x, const float *rstd, const float *w, float *gx,
                            float *gw, int64_t A, int64_t N)
    int ct_rms_norm_bwd_f64(const double *g, const double *x, const double *rstd, const double *w,
                            double *gx, double *gw, int64_t A, int64_t N)
    int ct_batch_norm_fwd_f32(const float *x, float *y, float *mean, float *invstd, const float *w,
                              const float *b, float *run_mean, float *run_var, int64_t N, int64_t C, int64_t S,
                              int training, double momentum, double eps)
    int ct_batch_norm_fwd_f64(const double *x, double *y, double *mean, double *invstd, const double *w,
                              const double *b, double *run_mean, double *run_var, int64_t N, int64_t C,
                              int64_t S, int training, double momentum, double eps)
    int ct_batch_norm_bwd_f32(const float *g, const float *x, const float *mean, const float *invstd,
                              const float *w, float *gx, float *gw, float *gb, int64_t N, int64_t C, int64_t S,
                              int training)
    int ct_batch_norm_bwd_f64(const double *g, const double *x, const double *mean, const double *invstd,
                              const double *w, double *gx, double *gw, double *gb, int64_t N, int64_t C,
                              int64_t S, int training)
    int ct_group_norm_fwd_f32(const float *x, float *y, float *mean, float *rstd, const float *w,
                              const float *b, int64_t N, int64_t C, int64_t S, int64_t G, double eps)
    int ct_group_norm_fwd_f64(const double *x, double *y, double *mean, double *rstd, const double *w,
                              const double *b, int64_t N, int64_t C, int64_t S, int64_t G, double eps)
    int ct_group_norm_bwd_f32(const float *g, const float *x, const float *mean, const float *rstd,
                              const float *w, float *gx, float *gw, float *gb, int64_t N, int64_t C, int64_t S,
                              int64_t G)
    int ct_group_norm_bwd_f64(const double *g, const double *x, const double *mean, const double *rstd,
                              const double *w, double *gx, double *gw, double *gb, int64_t N, int64_t C,
                              int64_t S, int64_t G)

cdef extern from "ct_random.h" nogil:
    uint64_t ct_bernoulli_blocks(int64_t n)
    int ct_bernoulli_u8(uint8_t *out, int64_t n, const double *p, int64_t p_step, uint64_t seed, uint64_t offset)

ACT_OPS = {"gelu": CT_ACT_GELU, "gelu_tanh": CT_ACT_GELU_TANH, "silu": CT_ACT_SILU, "mish": CT_ACT_MISH,
           "elu": CT_ACT_ELU, "softplus": CT_ACT_SOFTPLUS, "hardswish": CT_ACT_HARDSWISH,
           "hardsigmoid": CT_ACT_HARDSIGMOID, "leaky_relu": CT_ACT_LEAKY_RELU, "hardtanh": CT_ACT_HARDTANH,
           "logsigmoid": CT_ACT_LOGSIGMOID, "softshrink": CT_ACT_SOFTSHRINK, "hardshrink": CT_ACT_HARDSHRINK,
           "threshold": CT_ACT_THRESHOLD, "softsign": CT_ACT_SOFTSIGN, "tanhshrink": CT_ACT_TANHSHRINK}


cdef int _compute(TensorBase t, str op) except -1:
    """The dtype a kernel computes t's values in."""
    cdef int dt = t._dtype
    if dt == CT_FLOAT32 or dt == CT_FLOAT64:
        return dt
    if dt == CT_FLOAT16 or dt == CT_BFLOAT16:
        return CT_FLOAT32
    raise RuntimeError(f"{op}: expected a floating point tensor, got {t.dtype}")


cdef inline TensorBase _prep(object t, int cd):
    """t cast to cd and contiguous (None stays None)."""
    if t is None:
        return None
    return _contiguous(_cast(<TensorBase>t, cd))


cdef inline char *_ptr(TensorBase t) noexcept nogil:
    return NULL if t is None else t._data


cdef inline TensorBase _back(TensorBase r, int dt):
    """r in dtype dt (None stays None)."""
    return r if r is None or r._dtype == dt else _cast(r, dt)


cdef inline void _byte_steps(int64_t *steps, TensorBase t, int64_t itemsize) noexcept:
    """steps[d] := t's stride along d in bytes (one operand's row of ct_iterate's strides)."""
    cdef int d
    for d in range(t._ndim):
        steps[d] = t._stride[d] * itemsize


cdef TensorBase _elementwise_out(TensorBase x, TensorBase res, int dt, bint inplace):
    """The result of an elementwise op computed into res: written back into x when inplace (its
    version bumped), else res in x's dtype dt."""
    if inplace:
        if res is not x:
            _copy_into(x, res)
        x._storage._version += 1
        return x
    return _back(res, dt)


# ---------------------------------------------------------------- activations

def act_forward(int op, TensorBase x, double a=0, double b=0, double c=0, bint inplace=False):
    """f(x) for activation ``op`` (ACT_OPS), parameters a, b, c; inplace writes into x."""
    cdef int dt = x._dtype, cd = _compute(x, "activation")
    cdef TensorBase src = x if dt == cd else _cast(x, cd)
    cdef TensorBase res = src if (inplace and dt == cd) else _empty(cd, x._ndim, x._shape)
    cdef int64_t strides[2 * 16]
    cdef char *ptrs[2]
    cdef int nd = x._ndim, err
    cdef ct_act_args args
    args.a = a
    args.b = b
    args.c = c
    _byte_steps(strides, res, _SIZES_C[cd])
    _byte_steps(strides + nd, src, _SIZES_C[cd])
    ptrs[0] = res._data
    ptrs[1] = src._data
    cdef ct_loop_fn fn = ct_act_fwd_table[op][cd]
    with nogil:
        err = ct_iterate(fn, 2, ptrs, nd, x._shape, strides, &args)
    _check_err(err, "activation")
    return _elementwise_out(x, res, dt, inplace)


def act_backward(int op, TensorBase g, TensorBase x, double a=0, double b=0, double c=0):
    """gx = g * f'(x) for activation ``op``; g has x's shape (any strides)."""
    cdef int dt = x._dtype, cd = _compute(x, "activation backward")
    cdef TensorBase gs = g if g._dtype == cd else _cast(g, cd)
    cdef TensorBase xs = x if dt == cd else _cast(x, cd)
    cdef TensorBase res = _empty(cd, x._ndim, x._shape)
    cdef int64_t strides[3 * 16]
    cdef char *ptrs[3]
    cdef int d, nd = x._ndim, err
    cdef ct_act_args args
    if g._ndim != nd or any([g._shape[d] != x._shape[d] for d in range(nd)]):
        raise RuntimeError(f"activation backward: gradient of shape {list(g.shape)} for an input of "
                           f"shape {list(x.shape)}")
    args.a = a
    args.b = b
    args.c = c
    _byte_steps(strides, res, _SIZES_C[cd])
    _byte_steps(strides + nd, gs, _SIZES_C[cd])
    _byte_steps(strides + 2 * nd, xs, _SIZES_C[cd])
    ptrs[0] = res._data
    ptrs[1] = gs._data
    ptrs[2] = xs._data
    cdef ct_loop_fn fn = ct_act_bwd_table[op][cd]
    with nogil:
        err = ct_iterate(fn, 3, ptrs, nd, x._shape, strides, &args)
    _check_err(err, "activation backward")
    return _back(res, dt)


# ---------------------------------------------------------------- dropout

def bernoulli_mask(TensorBase like, tuple shape, double keep, generator=None):
    """A bool tensor of ``shape``: True with probability ``keep`` (cytorch's Philox stream)."""
    g = _random.default_generator if generator is None else generator
    cdef int64_t sh[16]
    cdef int d, nd = len(shape), err
    for d in range(nd):
        sh[d] = shape[d]
    cdef TensorBase m = _empty(CT_BOOL, nd, sh)
    cdef int64_t n = m._numel
    cdef uint64_t seed = g._seed, start = g._offset
    g._offset = start + ct_bernoulli_blocks(n)
    with nogil:
        err = ct_bernoulli_u8(<uint8_t *>m._data, n, &keep, 0, seed, start)
    _check_err(err, "dropout")
    return m


def dropout_apply(TensorBase x, TensorBase mask, double scale, double keep_shift=0, double drop_shift=0,
                  bint inplace=False):
    """mask ? x * scale + keep_shift : drop_shift; mask has x's ndim, size 1 or x's size per dim."""
    cdef int dt = x._dtype, cd = _compute(x, "dropout")
    cdef TensorBase src = x if dt == cd else _cast(x, cd)
    cdef TensorBase res = src if (inplace and dt == cd) else _empty(cd, x._ndim, x._shape)
    cdef int64_t strides[3 * 16]
    cdef char *ptrs[3]
    cdef int d, nd = x._ndim, err
    cdef ct_dropout_args args
    if mask._ndim != nd or mask._dtype != CT_BOOL:
        raise RuntimeError("dropout: internal error, the mask must be bool with the input's ndim")
    args.scale = scale
    args.keep_shift = keep_shift
    args.drop_shift = drop_shift
    _byte_steps(strides, res, _SIZES_C[cd])
    _byte_steps(strides + nd, src, _SIZES_C[cd])
    for d in range(nd):
        if mask._shape[d] != x._shape[d] and mask._shape[d] != 1:
            raise RuntimeError(f"dropout: mask of shape {list(mask.shape)} for an input of shape {list(x.shape)}")
        strides[2 * nd + d] = mask._stride[d] if mask._shape[d] == x._shape[d] else 0
    ptrs[0] = res._data
    ptrs[1] = src._data
    ptrs[2] = mask._data
    with nogil:
        err = ct_iterate(ct_dropout_table[cd], 3, ptrs, nd, x._shape, strides, &args)
    _check_err(err, "dropout")
    return _elementwise_out(x, res, dt, inplace)


# ---------------------------------------------------------------- softmax backward

def softmax_backward(TensorBase g, TensorBase y, int64_t dim, bint log):
    """Gradient of softmax (log=False) or log_softmax (log=True) along dim, from the output y."""
    cdef int dt = y._dtype, cd = _compute(y, "softmax backward")
    cdef TensorBase gs = _prep(g, cd), ys = _prep(y, cd)
    cdef TensorBase res = _empty(cd, y._ndim, y._shape)
    cdef int64_t A, R, B
    cdef int err = 0
    cdef int d = _wrap_dim(dim, y._ndim, "softmax backward")
    if gs._numel != ys._numel:
        raise RuntimeError(f"softmax backward: gradient of shape {list(g.shape)} for an output of "
                           f"shape {list(y.shape)}")
    if y._numel == 0:
        return _back(res, dt)
    _split_at(ys, d, &A, &R, &B)
    with nogil:
        if cd == CT_FLOAT32:
            err = ct_softmax_bwd_f32(<float *>gs._data, <float *>ys._data, <float *>res._data, A, R, B, log)
        else:
            err = ct_softmax_bwd_f64(<double *>gs._data, <double *>ys._data, <double *>res._data, A, R, B, log)
    _check_err(err, "softmax backward")
    return _back(res, dt)


# ---------------------------------------------------------------- layer norm, RMS norm

cdef TensorBase _vec(int cd, int64_t n):
    return _empty(cd, 1, &n)


cdef tuple _grad_bufs(TensorBase x, int cd, int64_t n, bint need_x, bint need_w, bint need_b):
    """The outputs of a norm's backward, in dtype cd: gx like x, gw and gb of n values (None
    where not needed)."""
    return (_empty(cd, x._ndim, x._shape) if need_x else None, _vec(cd, n) if need_w else None,
            _vec(cd, n) if need_b else None)


def layer_norm_forward(TensorBase x, int64_t N, w, b, double eps):
    """(y, mean, rstd) of layer norm over the last N elements; mean/rstd flat, compute dtype."""
    cdef int dt = x._dtype, cd = _compute(x, "layer_norm")
    cdef TensorBase xs = _prep(x, cd), ws = _prep(w, cd), bs = _prep(b, cd)
    cdef int64_t A = x._numel // N if N > 0 else 0
    cdef TensorBase y = _empty(cd, x._ndim, x._shape), mean = _vec(cd, A), rstd = _vec(cd, A)
    cdef int err = 0
    if A == 0:
        return _back(y, dt), mean, rstd
    with nogil:
        if cd == CT_FLOAT32:
            err = ct_layer_norm_fwd_f32(<float *>xs._data, <float *>y._data, <float *>mean._data,
                                        <float *>rstd._data, <float *>_ptr(ws), <float *>_ptr(bs), A, N, eps)
        else:
            err = ct_layer_norm_fwd_f64(<double *>xs._data, <double *>y._data, <double *>mean._data,
                                        <double *>rstd._data, <double *>_ptr(ws), <double *>_ptr(bs), A, N, eps)
    _check_err(err, "layer_norm")
    return _back(y, dt), mean, rstd


def layer_norm_backward(TensorBase g, TensorBase x, TensorBase mean, TensorBase rstd, w, int64_t N,
                        bint need_x, bint need_w, bint need_b):
    """(gx, gw, gb) of layer norm (None where not needed); gw/gb flat of N."""
    cdef int dt = x._dtype, cd = _compute(x, "layer_norm backward")
    cdef TensorBase gs = _prep(g, cd), xs = _prep(x, cd), ws = _prep(w, cd)
    cdef TensorBase ms = _prep(mean, cd), rs = _prep(rstd, cd)
    cdef int64_t A = x._numel // N if N > 0 else 0
    cdef TensorBase gx, gw, gb
    gx, gw, gb = _grad_bufs(x, cd, N, need_x, need_w, need_b)
    cdef int err = 0
    with nogil:
        if cd == CT_FLOAT32:
            err = ct_layer_norm_bwd_f32(<float *>gs._data, <float *>xs._data, <float *>ms._data,
                                        <float *>rs._data, <float *>_ptr(ws), <float *>_ptr(gx),
                                        <float *>_ptr(gw), <float *>_ptr(gb), A, N)
        else:
            err = ct_layer_norm_bwd_f64(<double *>gs._data, <double *>xs._data, <double *>ms._data,
                                        <double *>rs._data, <double *>_ptr(ws), <double *>_ptr(gx),
                                        <double *>_ptr(gw), <double *>_ptr(gb), A, N)
    _check_err(err, "layer_norm backward")
    return _back(gx, dt), gw, gb


def rms_norm_forward(TensorBase x, int64_t N, w, double eps):
    """(y, rstd) of RMS norm over the last N elements; rstd flat, compute dtype."""
    cdef int dt = x._dtype, cd = _compute(x, "rms_norm")
    cdef TensorBase xs = _prep(x, cd), ws = _prep(w, cd)
    cdef int64_t A = x._numel // N if N > 0 else 0
    cdef TensorBase y = _empty(cd, x._ndim, x._shape), rstd = _vec(cd, A)
    cdef int err = 0
    if A == 0:
        return _back(y, dt), rstd
    with nogil:
        if cd == CT_FLOAT32:
            err = ct_rms_norm_fwd_f32(<float *>xs._data, <float *>y._data, <float *>rstd._data,
                                      <float *>_ptr(ws), A, N, eps)
        else:
            err = ct_rms_norm_fwd_f64(<double *>xs._data, <double *>y._data, <double *>rstd._data,
                                      <double *>_ptr(ws), A, N, eps)
    _check_err(err, "rms_norm")
    return _back(y, dt), rstd


def rms_norm_backward(TensorBase g, TensorBase x, TensorBase rstd, w, int64_t N, bint need_x, bint need_w):
    """(gx, gw) of RMS norm (None where not needed)."""
    cdef int dt = x._dtype, cd = _compute(x, "rms_norm backward")
    cdef TensorBase gs = _prep(g, cd), xs = _prep(x, cd), ws = _prep(w, cd), rs = _prep(rstd, cd)
    cdef int64_t A = x._numel // N if N > 0 else 0
    cdef TensorBase gx, gw
    gx, gw, _ = _grad_bufs(x, cd, N, need_x, need_w, False)
    cdef int err = 0
    with nogil:
        if cd == CT_FLOAT32:
            err = ct_rms_norm_bwd_f32(<float *>gs._data, <float *>xs._data, <float *>rs._data,
                                      <float *>_ptr(ws), <float *>_ptr(gx), <float *>_ptr(gw), A, N)
        else:
            err = ct_rms_norm_bwd_f64(<double *>gs._data, <double *>xs._data, <double *>rs._data,
                                      <double *>_ptr(ws), <double *>_ptr(gx), <double *>_ptr(gw), A, N)
    _check_err(err, "rms_norm backward")
    return _back(gx, dt), gw


# ---------------------------------------------------------------- batch norm, group norm

cdef void _ncs(TensorBase x, int64_t *N, int64_t *C, int64_t *S):
    cdef int d
    N[0] = x._shape[0]
    C[0] = x._shape[1] if x._ndim > 1 else 1
    S[0] = 1
    for d in range(2, x._ndim):
        S[0] *= x._shape[d]


cdef TensorBase _stat_buffer(object t, int cd):
    """t itself when a kernel may update it in place (contiguous, dtype cd), else a copy."""
    if t is None:
        return None
    if (<TensorBase>t)._dtype == cd and _is_contiguous(<TensorBase>t):
        return <TensorBase>t
    return _prep(t, cd)


def batch_norm_forward(TensorBase x, w, b, running_mean, running_var, bint training, double momentum,
                       double eps):
    """(y, mean, invstd) of batch norm over x of [N, C, *]; running stats updated in place."""
    cdef int dt = x._dtype, cd = _compute(x, "batch_norm")
    cdef TensorBase xs = _prep(x, cd), ws = _prep(w, cd), bs = _prep(b, cd)
    cdef TensorBase rm = _stat_buffer(running_mean, cd), rv = _stat_buffer(running_var, cd)
    cdef int64_t N, C, S
    _ncs(x, &N, &C, &S)
    cdef TensorBase y = _empty(cd, x._ndim, x._shape), mean = _vec(cd, C), invstd = _vec(cd, C)
    cdef int err = 0
    if x._numel == 0:
        return _back(y, dt), mean, invstd
    with nogil:
        if cd == CT_FLOAT32:
            err = ct_batch_norm_fwd_f32(<float *>xs._data, <float *>y._data, <float *>mean._data,
                                        <float *>invstd._data, <float *>_ptr(ws), <float *>_ptr(bs),
                                        <float *>_ptr(rm), <float *>_ptr(rv), N, C, S, training, momentum, eps)
        else:
            err = ct_batch_norm_fwd_f64(<double *>xs._data, <double *>y._data, <double *>mean._data,
                                        <double *>invstd._data, <double *>_ptr(ws), <double *>_ptr(bs),
                                        <double *>_ptr(rm), <double *>_ptr(rv), N, C, S, training, momentum,
                                        eps)
    _check_err(err, "batch_norm")
    if training:
        for stat, buf in ((running_mean, rm), (running_var, rv)):
            if stat is not None:
                if stat is not buf:
                    _copy_into(<TensorBase>stat, <TensorBase>buf)
                (<TensorBase>stat)._storage._version += 1
    return _back(y, dt), mean, invstd


def batch_norm_backward(TensorBase g, TensorBase x, TensorBase mean, TensorBase invstd, w, bint training,
                        bint need_x, bint need_w, bint need_b):
    """(gx, gw, gb) of batch norm (None where not needed)."""
    cdef int dt = x._dtype, cd = _compute(x, "batch_norm backward")
    cdef TensorBase gs = _prep(g, cd), xs = _prep(x, cd), ws = _prep(w, cd)
    cdef TensorBase ms = _prep(mean, cd), iss = _prep(invstd, cd)
    cdef int64_t N, C, S
    _ncs(x, &N, &C, &S)
    cdef TensorBase gx, gw, gb
    gx, gw, gb = _grad_bufs(x, cd, C, need_x, need_w, need_b)
    cdef int err = 0
    with nogil:
        if cd == CT_FLOAT32:
            err = ct_batch_norm_bwd_f32(<float *>gs._data, <float *>xs._data, <float *>ms._data,
                                        <float *>iss._data, <float *>_ptr(ws), <float *>_ptr(gx),
                                        <float *>_ptr(gw), <float *>_ptr(gb), N, C, S, training)
        else:
            err = ct_batch_norm_bwd_f64(<double *>gs._data, <double *>xs._data, <double *>ms._data,
                                        <double *>iss._data, <double *>_ptr(ws), <double *>_ptr(gx),
                                        <double *>_ptr(gw), <double *>_ptr(gb), N, C, S, training)
    _check_err(err, "batch_norm backward")
    return _back(gx, dt), gw, gb


def group_norm_forward(TensorBase x, int64_t G, w, b, double eps):
    """(y, mean, rstd) of group norm over x of [N, C, *]; mean/rstd flat [N * G]."""
    cdef int dt = x._dtype, cd = _compute(x, "group_norm")
    cdef TensorBase xs = _prep(x, cd), ws = _prep(w, cd), bs = _prep(b, cd)
    cdef int64_t N, C, S
    _ncs(x, &N, &C, &S)
    cdef TensorBase y = _empty(cd, x._ndim, x._shape), mean = _vec(cd, N * G), rstd = _vec(cd, N * G)
    cdef int err = 0
    if x._numel == 0:
        return _back(y, dt), mean, rstd
    with nogil:
        if cd == CT_FLOAT32:
            err = ct_group_norm_fwd_f32(<float *>xs._data, <float *>y._data, <float *>mean._data,
                                        <float *>rstd._data, <float *>_ptr(ws), <float *>_ptr(bs), N, C, S, G,
                                        eps)
        else:
            err = ct_group_norm_fwd_f64(<double *>xs._data, <double *>y._data, <double *>mean._data,
                                        <double *>rstd._data, <double *>_ptr(ws), <double *>_ptr(bs), N, C, S, G,
                                        eps)
    _check_err(err, "group_norm")
    return _back(y, dt), mean, rstd


def group_norm_backward(TensorBase g, TensorBase x, TensorBase mean, TensorBase rstd, w, int64_t G,
                        bint need_x, bint need_w, bint need_b):
    """(gx, gw, gb) of group norm (None where not needed)."""
    cdef int dt = x._dtype, cd = _compute(x, "group_norm backward")
    cdef TensorBase gs = _prep(g, cd), xs = _prep(x, cd), ws = _prep(w, cd)
    cdef TensorBase ms = _prep(mean, cd), rs = _prep(rstd, cd)
    cdef int64_t N, C, S
    _ncs(x, &N, &C, &S)
    cdef TensorBase gx, gw, gb
    gx, gw, gb = _grad_bufs(x, cd, C, need_x, need_w, need_b)
    cdef int err = 0
    if x._numel == 0:
        for t in (gw, gb):
            if t is not None:
                memset((<TensorBase>t)._data, 0, C * _SIZES_C[cd])
        return gx, gw, gb
    with nogil:
        if cd == CT_FLOAT32:
            err = ct_group_norm_bwd_f32(<float *>gs._data, <float *>xs._data, <float *>ms._data,
                                        <float *>rs._data, <float *>_ptr(ws), <float *>_ptr(gx),
                                        <float *>_ptr(gw), <float *>_ptr(gb), N, C, S, G)
        else:
            err = ct_group_norm_bwd_f64(<double *>gs._data, <double *>xs._data, <double *>ms._data,
                                        <double *>rs._data, <double *>_ptr(ws), <double *>_ptr(gx),
                                        <double *>_ptr(gw), <double *>_ptr(gb), N, C, S, G)
    _check_err(err, "group_norm backward")
    return _back(gx, dt), gw, gb


# ---------------------------------------------------------------- embedding

cdef extern from "ct_nn.h" nogil:
    int ct_embedding_fwd(const char *w, const int64_t *idx, char *out, int64_t n, int64_t num, int64_t row_bytes)
    int ct_embedding_bwd_f32(const float *g, const int64_t *idx, const float *f, float *gw, int64_t n,
                             int64_t num, int64_t D)
    int ct_embedding_bwd_f64(const double *g, const int64_t *idx, const double *f, double *gw, int64_t n,
                             int64_t num, int64_t D)


def embedding_forward(TensorBase weight, TensorBase idx):
    """Rows of a 2-D weight at the int64 indices idx (any shape): shape idx.shape + (D,)."""
    cdef TensorBase w = _contiguous(weight), ix = _contiguous(idx if idx._dtype == CT_INT64 else _cast(idx, CT_INT64))
    cdef int64_t sh[17]
    cdef int d, nd = ix._ndim, err
    if w._ndim != 2:
        raise RuntimeError(f"embedding: 'weight' must be 2-D, but got {w._ndim}-D")
    for d in range(nd):
        sh[d] = ix._shape[d]
    sh[nd] = w._shape[1]
    cdef TensorBase out = _empty(w._dtype, nd + 1, sh)
    cdef int64_t row = w._shape[1] * _SIZES_C[w._dtype]
    with nogil:
        err = ct_embedding_fwd(w._data, <int64_t *>ix._data, out._data, ix._numel, w._shape[0], row)
    if err == CT_ERR_INDEX:
        raise IndexError("index out of range in self")
    _check_err(err, "embedding")
    return out


def embedding_backward(TensorBase g, TensorBase idx, factor, int64_t num):
    """The weight gradient [num, D] of embedding: rows of g (g: idx.shape + (D,)) added at idx,
    each times factor[i] when factor is given; in g's compute dtype."""
    cdef int cd = _compute(g, "embedding backward")
    cdef TensorBase gs = _prep(g, cd), ix = _contiguous(idx), fs = _prep(factor, cd)
    cdef int64_t D = g._shape[g._ndim - 1] if g._ndim else 1
    cdef int64_t sh[2]
    cdef int err = 0
    sh[0] = num
    sh[1] = D
    cdef TensorBase gw = _empty(cd, 2, sh)
    memset(gw._data, 0, num * D * _SIZES_C[cd])
    if ix._numel * D != gs._numel or ix._dtype != CT_INT64:
        raise RuntimeError("embedding backward: internal error, gradient and indices do not match")
    with nogil:
        if cd == CT_FLOAT32:
            err = ct_embedding_bwd_f32(<float *>gs._data, <int64_t *>ix._data, <float *>_ptr(fs),
                                       <float *>gw._data, ix._numel, num, D)
        else:
            err = ct_embedding_bwd_f64(<double *>gs._data, <int64_t *>ix._data, <double *>_ptr(fs),
                                       <double *>gw._data, ix._numel, num, D)
    if err == CT_ERR_INDEX:
        raise IndexError("index out of range in self")
    _check_err(err, "embedding backward")
    return gw
