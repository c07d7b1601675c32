# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Dispatch for the fused attention kernels (src_c/ct_attention.c): layouts and the checks
that keep the kernel in bounds here, the work in C with the GIL released. PyTorch's argument
rules and messages are checked by cytorch/nn/_attention_functional.py.

Tensors are 4-d views: q (B, Hq, L, E), k (B, Hkv, S, E), v (B, Hkv, S, Ev), any strides with
a unit stride along the last dim (a view without one is copied); the mask is a (B, Hq, L, S)
view (bool, or the dtype of q), usually an expand with zero strides.
"""
from libc.stdint cimport int64_t
from libc.string cimport memset
from cytorch._C._tensor cimport TensorBase, _empty, _contiguous, _check_err, dtype_of
from cytorch._C.ct cimport *

cdef extern from "ct_attention.h" nogil:
    ctypedef struct ct_attn_args:
        int64_t B, Hq, Hkv, L, S, E, Ev
        int64_t q_s[3]
        int64_t k_s[3]
        int64_t v_s[3]
        int64_t o_s[3]
        int mask_kind
        const void *mask
        int64_t m_s[4]
        int causal
        double scale
    int ct_attn_fwd_f32(const ct_attn_args *p, const float *q, const float *k, const float *v, float *o,
                        float *lse)
    int ct_attn_fwd_f64(const ct_attn_args *p, const double *q, const double *k, const double *v,
                        double *o, double *lse)
    int ct_attn_bwd_f32(const ct_attn_args *p, const float *q, const float *k, const float *v,
                        const float *o, const float *lse, const float *go, const int64_t *go_s,
                        float *gq, const int64_t *gq_s, float *gk, const int64_t *gk_s, float *gv,
                        const int64_t *gv_s, float *gmask)
    int ct_attn_bwd_f64(const ct_attn_args *p, const double *q, const double *k, const double *v,
                        const double *o, const double *lse, const double *go, const int64_t *go_s,
                        double *gq, const int64_t *gq_s, double *gk, const int64_t *gk_s, double *gv,
                        const int64_t *gv_s, double *gmask)


cdef TensorBase _rows(object x, str name, int dt):
    """x as a 4-d view the kernel can read: unit stride along the last dim (else a copy)."""
    cdef TensorBase t = <TensorBase?>x
    if t._ndim != 4:
        raise RuntimeError(f"attention kernel: {name} must be 4-d, got {t._ndim}-d")
    if t._dtype != dt:
        raise RuntimeError(f"attention kernel: {name} has dtype {dtype_of(t._dtype)}, expected {dtype_of(dt)}")
    if t._stride[3] != 1 and t._shape[3] > 1:
        t = _contiguous(t)
    return t


cdef int _expect(TensorBase t, str name, int64_t a, int64_t b, int64_t c, int64_t d) except -1:
    if t._shape[0] != a or t._shape[1] != b or t._shape[2] != c or t._shape[3] != d:
        raise RuntimeError(f"attention kernel: {name} has shape {tuple(t.shape)}, expected {(a, b, c, d)}")
    return 0


cdef TensorBase _out4(object given, int dt, int64_t a, int64_t b, int64_t c, int64_t d, str name):
    """a buffer to write into: the given 4-d view (checked), or a new contiguous tensor."""
    cdef int64_t shp[4]
    cdef TensorBase t
    if given is None:
        shp[0] = a
        shp[1] = b
        shp[2] = c
        shp[3] = d
        return _empty(dt, 4, shp)
    t = <TensorBase?>given
    if t._ndim != 4 or t._dtype != dt or (t._stride[3] != 1 and t._shape[3] > 1):
        raise RuntimeError(f"attention kernel: {name} must be a 4-d {dtype_of(dt)} view with unit last stride")
    _expect(t, name, a, b, c, d)
    return t


cdef int _fill_args(ct_attn_args *p, TensorBase q, TensorBase k, TensorBase v, TensorBase o, object mask,
                    bint causal, double scale) except -1:
    cdef int d
    cdef TensorBase m
    p.B = q._shape[0]
    p.Hq = q._shape[1]
    p.L = q._shape[2]
    p.E = q._shape[3]
    p.Hkv = k._shape[1]
    p.S = k._shape[2]
    p.Ev = v._shape[3]
    if p.Hkv < 1 or p.Hq % p.Hkv != 0:
        raise RuntimeError(f"attention kernel: {p.Hq} query heads are not a multiple of {p.Hkv} key/value heads")
    _expect(k, "key", p.B, p.Hkv, p.S, p.E)
    _expect(v, "value", p.B, p.Hkv, p.S, p.Ev)
    _expect(o, "out", p.B, p.Hq, p.L, p.Ev)
    for d in range(3):
        p.q_s[d] = q._stride[d]
        p.k_s[d] = k._stride[d]
        p.v_s[d] = v._stride[d]
        p.o_s[d] = o._stride[d]
    p.causal = causal
    p.scale = scale
    p.mask_kind = 0
    p.mask = NULL
    for d in range(4):
        p.m_s[d] = 0
    if mask is not None:
        m = <TensorBase?>mask
        if m._ndim != 4:
            raise RuntimeError("attention kernel: the mask must be a 4-d view")
        _expect(m, "attn_mask", p.B, p.Hq, p.L, p.S)
        if m._dtype == CT_BOOL:
            p.mask_kind = 1
        elif m._dtype == q._dtype:
            p.mask_kind = 2
        else:
            raise RuntimeError(f"attention kernel: mask dtype {dtype_of(m._dtype)} is neither bool nor {dtype_of(q._dtype)}")
        p.mask = m._data
        for d in range(4):
            p.m_s[d] = m._stride[d]
    return 0


def attention_forward(q, k, v, mask, bint causal, double scale, out=None):
    """(out, lse): out = softmax(scale q k^T + mask) v per (batch, head), lse the (B, Hq, L)
    log-sum-exp of each query's scores (+inf where every key is masked). ``out`` may be a
    4-d view to write into (e.g. a (B, L, Hq, Ev) buffer seen as (B, Hq, L, Ev))."""
    cdef TensorBase tq = <TensorBase?>q
    cdef int dt = tq._dtype
    cdef TensorBase tk, tv, to, lse
    cdef ct_attn_args p
    cdef int err
    cdef int64_t shp[3]
    if dt != CT_FLOAT32 and dt != CT_FLOAT64:
        raise TypeError(f"attention kernel: no kernel for dtype {dtype_of(dt)}")
    tq = _rows(tq, "query", dt)
    tk = _rows(k, "key", dt)
    tv = _rows(v, "value", dt)
    to = _out4(out, dt, tq._shape[0], tq._shape[1], tq._shape[2], tv._shape[3], "out")
    _fill_args(&p, tq, tk, tv, to, mask, causal, scale)
    shp[0] = p.B
    shp[1] = p.Hq
    shp[2] = p.L
    lse = _empty(dt, 3, shp)
    with nogil:
        if dt == CT_FLOAT32:
            err = ct_attn_fwd_f32(&p, <const float *>tq._data, <const float *>tk._data, <const float *>tv._data,
                                  <float *>to._data, <float *>lse._data)
        else:
            err = ct_attn_fwd_f64(&p, <const double *>tq._data, <const double *>tk._data,
                                  <const double *>tv._data, <double *>to._data, <double *>lse._data)
    _check_err(err, "scaled_dot_product_attention")
    return to, lse


def attention_backward(q, k, v, out, lse, gout, mask, bint causal, double scale, bint want_gmask,
                       gq=None, gk=None, gv=None):
    """(dq, dk, dv, dmask) for attention_forward's output given its gradient ``gout``; dmask (the
    (B, Hq, L, S) gradient of an additive mask) only when ``want_gmask``, else None. gq/gk/gv
    may be 4-d views to write into (every element of them is written)."""
    cdef TensorBase tq = <TensorBase?>q
    cdef int dt = tq._dtype
    cdef TensorBase tk, tv, to, tl, tg, rq, rk, rv, gm = None
    cdef ct_attn_args p
    cdef int err, d
    cdef int64_t go_s[3]
    cdef int64_t gq_s[3]
    cdef int64_t gk_s[3]
    cdef int64_t gv_s[3]
    cdef int64_t shp[4]
    cdef void *gmp = NULL
    if dt != CT_FLOAT32 and dt != CT_FLOAT64:
        raise TypeError(f"attention kernel: no kernel for dtype {dtype_of(dt)}")
    tq = _rows(tq, "query", dt)
    tk = _rows(k, "key", dt)
    tv = _rows(v, "value", dt)
    to = _rows(out, "out", dt)
    tg = _rows(gout, "grad_out", dt)
    _fill_args(&p, tq, tk, tv, to, mask, causal, scale)
    _expect(tg, "grad_out", p.B, p.Hq, p.L, p.Ev)
    tl = _contiguous(<TensorBase?>lse)
    if tl._dtype != dt or tl._numel != p.B * p.Hq * p.L:
        raise RuntimeError("attention kernel: the saved log-sum-exp does not match the query")
    rq = _out4(gq, dt, p.B, p.Hq, p.L, p.E, "grad_query")
    rk = _out4(gk, dt, p.B, p.Hkv, p.S, p.E, "grad_key")
    rv = _out4(gv, dt, p.B, p.Hkv, p.S, p.Ev, "grad_value")
    for d in range(3):
        go_s[d] = tg._stride[d]
        gq_s[d] = rq._stride[d]
        gk_s[d] = rk._stride[d]
        gv_s[d] = rv._stride[d]
    if want_gmask:
        shp[0] = p.B
        shp[1] = p.Hq
        shp[2] = p.L
        shp[3] = p.S
        gm = _empty(dt, 4, shp)
        memset(gm._data, 0, <size_t>gm._numel * (4 if dt == CT_FLOAT32 else 8))
        gmp = gm._data
    with nogil:
        if dt == CT_FLOAT32:
            err = ct_attn_bwd_f32(&p, <const float *>tq._data, <const float *>tk._data, <const float *>tv._data,
                                  <const float *>to._data, <const float *>tl._data, <const float *>tg._data, go_s,
                                  <float *>rq._data, gq_s, <float *>rk._data, gk_s, <float *>rv._data, gv_s,
                                  <float *>gmp)
        else:
            err = ct_attn_bwd_f64(&p, <const double *>tq._data, <const double *>tk._data,
                                  <const double *>tv._data, <const double *>to._data, <const double *>tl._data,
                                  <const double *>tg._data, go_s, <double *>rq._data, gq_s, <double *>rk._data,
                                  gk_s, <double *>rv._data, gv_s, <double *>gmp)
    _check_err(err, "scaled_dot_product_attention backward")
    return rq, rk, rv, gm
