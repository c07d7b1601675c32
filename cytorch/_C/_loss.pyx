# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Dispatch for the fused loss kernels (src_c/ct_loss.c): layouts and errors here, the work
in C with the GIL released. Shape and dtype rules (PyTorch's messages) are checked by the
callers in cytorch/nn/_loss_formulas.py; these shims only re-check what would make a
kernel read out of bounds.

Reduction codes: 0 'none' (a per-position tensor), 1 'mean', 2 'sum' (0-d tensors).
"""
from libc.stdint cimport int64_t
from cytorch._C._tensor cimport TensorBase, _empty, _contiguous, _cast, _check_err
from cytorch._C.ct cimport *
from cytorch._C._reduce cimport _split_at

cdef extern from "ct_loss.h" nogil:
    int ct_nll_fwd_f32(const float *x, const int64_t *tgt, const float *w, int64_t A, int64_t C,
                       int64_t B, int64_t ignore, double eps, int logits, float *loss, float *lse,
                       double *tot, int64_t *bad)
    int ct_nll_fwd_f64(const double *x, const int64_t *tgt, const double *w, int64_t A, int64_t C,
                       int64_t B, int64_t ignore, double eps, int logits, double *loss, double *lse,
                       double *tot, int64_t *bad)
    int ct_nll_bwd_f32(const float *x, const int64_t *tgt, const float *w, const float *lse, int64_t A,
                       int64_t C, int64_t B, int64_t ignore, double eps, int logits, const float *g,
                       int64_t gstep, double scale, float *gx, int64_t *bad)
    int ct_nll_bwd_f64(const double *x, const int64_t *tgt, const double *w, const double *lse,
                       int64_t A, int64_t C, int64_t B, int64_t ignore, double eps, int logits,
                       const double *g, int64_t gstep, double scale, double *gx, int64_t *bad)
    int ct_bce_logits_fwd_f32(const float *x, const float *y, const float *w, int64_t wn,
                              const float *pw, int64_t pwn, int64_t n, float *loss, double *tot)
    int ct_bce_logits_fwd_f64(const double *x, const double *y, const double *w, int64_t wn,
                              const double *pw, int64_t pwn, int64_t n, double *loss, double *tot)
    int ct_bce_logits_bwd_f32(const float *x, const float *y, const float *w, int64_t wn,
                              const float *pw, int64_t pwn, int64_t n, const float *g, int64_t gstep,
                              double scale, float *gx, float *gy)
    int ct_bce_logits_bwd_f64(const double *x, const double *y, const double *w, int64_t wn,
                              const double *pw, int64_t pwn, int64_t n, const double *g, int64_t gstep,
                              double scale, double *gx, double *gy)


cdef int _split(TensorBase x, int64_t *A, int64_t *C, int64_t *B) except -1:
    """x as [A, C, B] around its class dim: (C,) -> [1, C, 1]; (N, C, d...) -> [N, C, prod d]."""
    if x._ndim == 0:
        raise ValueError("nll: expected an input with 1 or more dimensions")
    _split_at(x, 1 if x._ndim > 1 else 0, A, C, B)
    return 0


cdef TensorBase _scalar(int dt, double v):
    cdef TensorBase r = _empty(dt, 0, NULL)
    if dt == CT_FLOAT32:
        (<float *>r._data)[0] = <float>v
    else:
        (<double *>r._data)[0] = v
    return r


cdef TensorBase _grad_of(TensorBase g, int dt, int64_t n, int64_t *gstep):
    """g as the kernel reads it: one value (gstep 0) or n contiguous values (gstep 1)."""
    cdef int d
    cdef bint bcast = True
    for d in range(g._ndim):
        if g._stride[d] != 0 and g._shape[d] != 1:
            bcast = False
    g = _cast(g, dt)
    if bcast or g._numel == 1:
        gstep[0] = 0
        return g
    if g._numel != n:
        raise RuntimeError(f"loss backward: gradient of {g._numel} elements for {n} positions")
    gstep[0] = 1
    return _contiguous(g)


cdef TensorBase _reduced(TensorBase loss, int dt, int reduction, double total, double count):
    """A forward's result: loss per position (reduction 0), or a 0-d total / count (1, 'mean') or
    total (2, 'sum')."""
    if reduction == 1:
        return _scalar(dt, total / count)
    if reduction == 2:
        return _scalar(dt, total)
    return loss


cdef TensorBase _class_weight(object weight, int dt, int64_t C, str op):
    """weight (None, or C values of dtype dt), contiguous."""
    if weight is None:
        return None
    cdef TensorBase w = _contiguous(<TensorBase?>weight)
    if w._dtype != dt or w._numel != C:
        raise ValueError(f"{op}: weight must be {C} values of the input's dtype")
    return w


cdef inline const void *_ptr(TensorBase t):
    return NULL if t is None else t._data


cdef _bad_target(int err, int64_t bad, str op):
    if err == CT_ERR_INDEX:
        raise IndexError(f"Target {bad} is out of bounds.")
    _check_err(err, op)


def nll_forward(TensorBase x, TensorBase target, weight, int64_t ignore_index, double eps,
                bint logits, int reduction):
    """(loss, lse, total weight): loss per position (reduction 0) or reduced (0-d);
    lse the per-position log-sum-exp (logits only, else None) that backward reads."""
    cdef int64_t A, C, B, bad = 0
    cdef int err, dt = x._dtype
    cdef double tot[2]
    cdef TensorBase w = None, loss = None, lse = None
    cdef const void *wp = NULL
    cdef void *lp = NULL
    cdef void *sp = NULL
    if dt != CT_FLOAT32 and dt != CT_FLOAT64:
        raise TypeError(f"nll: no kernel for dtype {x.dtype}")
    if target._dtype != CT_INT64:
        raise TypeError("nll: target must be int64")
    _split(x, &A, &C, &B)
    if target._numel != A * B:
        raise ValueError(f"nll: {target._numel} targets for {A * B} positions")
    x = _contiguous(x)
    target = _contiguous(target)
    w = _class_weight(weight, dt, C, "nll")
    wp = _ptr(w)
    if reduction == 0:
        loss = _empty(dt, target._ndim, target._shape)
        lp = loss._data
    if logits:
        lse = _empty(dt, target._ndim, target._shape)
        sp = lse._data
    with nogil:
        if dt == CT_FLOAT32:
            err = ct_nll_fwd_f32(<const float *>x._data, <const int64_t *>target._data, <const float *>wp,
                                 A, C, B, ignore_index, eps, logits, <float *>lp, <float *>sp, tot, &bad)
        else:
            err = ct_nll_fwd_f64(<const double *>x._data, <const int64_t *>target._data, <const double *>wp,
                                 A, C, B, ignore_index, eps, logits, <double *>lp, <double *>sp, tot, &bad)
    _bad_target(err, bad, "nll_loss")
    return _reduced(loss, dt, reduction, tot[0], tot[1]), lse, tot[1]


def nll_backward(TensorBase x, TensorBase target, weight, lse, int64_t ignore_index, double eps,
                 bint logits, TensorBase g, double scale):
    """d loss / d x for nll_forward's loss, g the loss's gradient (one value, or one per position).
    Without logits only x's shape and dtype are read (a stride-0 view will do)."""
    cdef int64_t A, C, B, bad = 0, gstep = 0
    cdef int err, dt
    cdef TensorBase w = None, s = None, gx
    cdef const void *wp = NULL
    cdef const void *sp = NULL
    cdef const void *xp = NULL
    dt = x._dtype
    _split(x, &A, &C, &B)
    if target._dtype != CT_INT64 or target._numel != A * B:
        raise ValueError("nll backward: target does not match the input")
    target = _contiguous(target)
    if logits:
        x = _contiguous(x)
        xp = x._data
        s = _contiguous(<TensorBase?>lse)
        if s._dtype != dt or s._numel != A * B:
            raise ValueError("nll backward: saved log-sum-exp does not match the input")
        sp = s._data
    w = _class_weight(weight, dt, C, "nll backward")
    wp = _ptr(w)
    g = _grad_of(g, dt, A * B, &gstep)
    gx = _empty(dt, x._ndim, x._shape)
    with nogil:
        if dt == CT_FLOAT32:
            err = ct_nll_bwd_f32(<const float *>xp, <const int64_t *>target._data, <const float *>wp,
                                 <const float *>sp, A, C, B, ignore_index, eps, logits,
                                 <const float *>g._data, gstep, scale, <float *>gx._data, &bad)
        else:
            err = ct_nll_bwd_f64(<const double *>xp, <const int64_t *>target._data, <const double *>wp,
                                 <const double *>sp, A, C, B, ignore_index, eps, logits,
                                 <const double *>g._data, gstep, scale, <double *>gx._data, &bad)
    _bad_target(err, bad, "nll_loss backward")
    return gx


cdef TensorBase _periodic(object t, TensorBase x, int64_t *n):
    """t (broadcastable to x) as a contiguous block repeating every n elements of x: t's shape
    without leading 1s must be x's trailing dims; anything else is expanded to x's shape."""
    cdef TensorBase v = <TensorBase?>t
    cdef int k = 0, d
    while k < v._ndim and v._shape[k] == 1:
        k += 1
    cdef int m = v._ndim - k
    cdef bint trailing = m <= x._ndim
    if trailing:
        for d in range(m):
            if v._shape[k + d] != x._shape[x._ndim - m + d]:
                trailing = False
                break
    if not trailing:
        v = v.expand(x.shape)
    v = _contiguous(_cast(v, x._dtype))
    n[0] = v._numel
    return v


cdef tuple _bce_operands(TensorBase x, TensorBase y, weight, pos_weight, int64_t *wn, int64_t *pwn, str op):
    """(x, y, weight, pos_weight) as the kernels read them: x and y contiguous, of one size and
    dtype; the weights (or None) as periodic blocks of *wn and *pwn values (see _periodic)."""
    if y._numel != x._numel or y._dtype != x._dtype:
        raise ValueError(f"{op}: target must match the input")
    x = _contiguous(x)
    return (x, _contiguous(y), None if weight is None else _periodic(weight, x, wn),
            None if pos_weight is None else _periodic(pos_weight, x, pwn))


def bce_logits_forward(TensorBase x, TensorBase y, weight, pos_weight, int reduction):
    """BCE with logits of same-shape x and y (weight, pos_weight broadcast to x): per-element
    loss (reduction 0) or reduced (0-d)."""
    cdef int err, dt = x._dtype
    cdef int64_t wn = 0, pwn = 0, n = x._numel
    cdef double tot = 0
    cdef TensorBase w = None, pw = None, loss = None
    cdef const void *wp = NULL
    cdef const void *pp = NULL
    cdef void *lp = NULL
    if dt != CT_FLOAT32 and dt != CT_FLOAT64:
        raise TypeError(f"binary_cross_entropy_with_logits: no kernel for dtype {x.dtype}")
    x, y, w, pw = _bce_operands(x, y, weight, pos_weight, &wn, &pwn, "binary_cross_entropy_with_logits")
    wp = _ptr(w)
    pp = _ptr(pw)
    if reduction == 0:
        loss = _empty(dt, x._ndim, x._shape)
        lp = loss._data
    with nogil:
        if dt == CT_FLOAT32:
            err = ct_bce_logits_fwd_f32(<const float *>x._data, <const float *>y._data, <const float *>wp, wn,
                                        <const float *>pp, pwn, n, <float *>lp, &tot)
        else:
            err = ct_bce_logits_fwd_f64(<const double *>x._data, <const double *>y._data, <const double *>wp, wn,
                                        <const double *>pp, pwn, n, <double *>lp, &tot)
    _check_err(err, "binary_cross_entropy_with_logits")
    return _reduced(loss, dt, reduction, tot, n)


def bce_logits_backward(TensorBase x, TensorBase y, weight, pos_weight, TensorBase g, double scale,
                        bint need_x, bint need_y):
    """(d loss/d x, d loss/d y) for bce_logits_forward's loss (None where not asked)."""
    cdef int err, dt = x._dtype
    cdef int64_t wn = 0, pwn = 0, n = x._numel, gstep = 0
    cdef TensorBase w = None, pw = None, gx = None, gy = None
    cdef const void *wp = NULL
    cdef const void *pp = NULL
    cdef void *gxp = NULL
    cdef void *gyp = NULL
    x, y, w, pw = _bce_operands(x, y, weight, pos_weight, &wn, &pwn,
                                "binary_cross_entropy_with_logits backward")
    wp = _ptr(w)
    pp = _ptr(pw)
    g = _grad_of(g, dt, n, &gstep)
    if need_x:
        gx = _empty(dt, x._ndim, x._shape)
        gxp = gx._data
    if need_y:
        gy = _empty(dt, x._ndim, x._shape)
        gyp = gy._data
    with nogil:
        if dt == CT_FLOAT32:
            err = ct_bce_logits_bwd_f32(<const float *>x._data, <const float *>y._data, <const float *>wp, wn,
                                        <const float *>pp, pwn, n, <const float *>g._data, gstep, scale,
                                        <float *>gxp, <float *>gyp)
        else:
            err = ct_bce_logits_bwd_f64(<const double *>x._data, <const double *>y._data, <const double *>wp, wn,
                                        <const double *>pp, pwn, n, <const double *>g._data, gstep, scale,
                                        <double *>gxp, <double *>gyp)
    _check_err(err, "binary_cross_entropy_with_logits backward")
    return gx, gy
