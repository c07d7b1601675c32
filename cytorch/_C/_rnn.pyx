# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Dispatch for the fused recurrent kernels (src_c/ct_rnn.c), one direction of one layer per
call: shape and bounds checks here (anything the kernel would read or write out of bounds is
refused), the work in C with the GIL released. PyTorch's argument rules and messages are
checked by cytorch/nn/modules/rnn.py.

Layout: x is (N, I) with N = T*B (time-major, padded) or sum(batch_sizes) (packed); y is an
(N, >= col + P) matrix with unit column stride whose columns [col, col + P) this direction
writes (a bidirectional layer's two directions share one y).
"""
from libc.stdint cimport int64_t
from cytorch._C._tensor cimport TensorBase, _empty, _contiguous, _is_contiguous, _check_err, dtype_of
from cytorch._C.ct cimport *

cdef extern from "ct_rnn.h" nogil:
    ctypedef struct ct_rnn_args:
        int mode
        int reverse
        int64_t nsteps, B, In, H, P
        const int64_t *bs
    int ct_rnn_gates(int mode)
    int64_t ct_rnn_ws_size(const ct_rnn_args *a)
    int ct_rnn_fwd_f32(const ct_rnn_args *a, const float *x, const float *w_ih, const float *w_hh,
                       const float *b_ih, const float *b_hh, const float *w_hr, const float *h0,
                       const float *c0, float *y, int64_t ldy, float *hn, float *cn, float *ws)
    int ct_rnn_fwd_f64(const ct_rnn_args *a, const double *x, const double *w_ih, const double *w_hh,
                       const double *b_ih, const double *b_hh, const double *w_hr, const double *h0,
                       const double *c0, double *y, int64_t ldy, double *hn, double *cn, double *ws)
    int ct_rnn_bwd_f32(const ct_rnn_args *a, const float *x, const float *w_ih, const float *w_hh,
                       const float *w_hr, const float *h0, const float *c0, const float *y, int64_t ldy,
                       const float *ws, const float *dy, int64_t lddy, const float *dhn, const float *dcn,
                       float *dx, int dx_acc, float *dw_ih, float *dw_hh, float *db_ih, float *db_hh,
                       float *dw_hr, float *dh0, float *dc0)
    int ct_rnn_bwd_f64(const ct_rnn_args *a, const double *x, const double *w_ih, const double *w_hh,
                       const double *w_hr, const double *h0, const double *c0, const double *y,
                       int64_t ldy, const double *ws, const double *dy, int64_t lddy, const double *dhn,
                       const double *dcn, double *dx, int dx_acc, double *dw_ih, double *dw_hh,
                       double *db_ih, double *db_hh, double *dw_hr, double *dh0, double *dc0)

MODES = {"RNN_TANH": 0, "RNN_RELU": 1, "LSTM": 2, "GRU": 3}


cdef TensorBase _mat(object t, str name, int dt, int64_t r, int64_t c):
    """t as a contiguous r x c matrix of dtype dt (copied if strided), or an error."""
    cdef TensorBase m = <TensorBase?>t
    if m._dtype != dt:
        raise RuntimeError(f"rnn kernel: {name} has dtype {dtype_of(m._dtype)}, expected {dtype_of(dt)}")
    if m._numel != r * c or (m._ndim >= 1 and m._shape[m._ndim - 1] != c and r * c != 0):
        raise RuntimeError(f"rnn kernel: {name} has shape {tuple(m.shape)}, expected {r} x {c}")
    return _contiguous(m)


cdef const void *_ptr(TensorBase t):
    return NULL if t is None else <const void *>t._data


cdef TensorBase _setup(ct_rnn_args *a, int mode, bint reverse, TensorBase x, int64_t T, int64_t B, int64_t H,
                       int64_t P, object batch_sizes):
    """Fill the kernel's arguments; returns the batch sizes the kernel reads (keep it alive)."""
    cdef int64_t t, N = 0, prev
    cdef const int64_t *p
    cdef TensorBase bs = None
    a.mode = mode
    a.reverse = reverse
    a.nsteps = T
    a.B = B
    a.H = H
    a.P = P
    a.In = x._shape[1] if x._ndim == 2 else 0
    a.bs = NULL
    if mode < 0 or mode > 3 or x._ndim != 2 or T < 0 or B < 0 or H < 1 or P < 1 or P > H:
        raise RuntimeError("rnn kernel: bad arguments")
    if batch_sizes is None:
        N = T * B
    else:
        bs = _contiguous(<TensorBase?>batch_sizes)
        if bs._dtype != CT_INT64 or bs._ndim != 1 or bs._shape[0] != T:
            raise RuntimeError("rnn kernel: batch_sizes must be a 1-d int64 tensor with one entry per step")
        p = <const int64_t *>bs._data
        prev = B
        for t in range(T):
            if p[t] < 0 or p[t] > prev:
                raise RuntimeError("rnn kernel: batch_sizes must be non-increasing and at most the batch size")
            prev = p[t]
            N += p[t]
        a.bs = p
    if x._shape[0] != N:
        raise RuntimeError(f"rnn kernel: input has {x._shape[0]} rows, expected {N}")
    return bs


cdef TensorBase _ymat(object y, int dt, int64_t N, int64_t col, int64_t P, str name):
    cdef TensorBase t = <TensorBase?>y
    if t._dtype != dt or t._ndim != 2 or t._shape[0] != N or col < 0 or col + P > t._shape[1] or \
            (t._stride[1] != 1 and t._shape[1] > 1) or (N > 1 and t._stride[0] < t._shape[1]):
        raise RuntimeError(f"rnn kernel: {name} must be an ({N}, >= {col + P}) {dtype_of(dt)} matrix with unit "
                           f"column stride")
    return t


def forward(str mode_name, bint reverse, x, w_ih, w_hh, b_ih, b_hh, w_hr, h0, c0, batch_sizes, int64_t T,
            int64_t B, y, int64_t col, hn, cn):
    """One direction of one layer: writes y[:, col:col+P], hn (B, P) and cn (B, H, LSTM);
    returns the workspace the backward needs (None for RNN)."""
    cdef int mode = MODES[mode_name]
    cdef TensorBase tx = _contiguous(<TensorBase?>x)
    cdef int dt = tx._dtype
    cdef int G = ct_rnn_gates(mode)
    cdef TensorBase wi = <TensorBase?>w_ih
    cdef int64_t H = wi._shape[0] // G if wi._ndim == 2 else 0
    cdef int64_t P = (<TensorBase?>w_hr)._shape[0] if w_hr is not None else H
    cdef ct_rnn_args a
    cdef TensorBase bs = None, twi, twh, tbi = None, tbh = None, twr = None, th0, tc0 = None, ty, thn, tcn = None
    cdef TensorBase ws = None
    cdef int64_t nws, I
    cdef int err
    if dt != CT_FLOAT32 and dt != CT_FLOAT64:
        raise TypeError(f"rnn kernel: no kernel for dtype {dtype_of(dt)}")
    bs = _setup(&a, mode, reverse, tx, T, B, H, P, batch_sizes)
    I = a.In
    twi = _mat(w_ih, "weight_ih", dt, G * H, I)
    twh = _mat(w_hh, "weight_hh", dt, G * H, P)
    if b_ih is not None:
        tbi = _mat(b_ih, "bias_ih", dt, 1, G * H)
    if b_hh is not None:
        tbh = _mat(b_hh, "bias_hh", dt, 1, G * H)
    if w_hr is not None:
        if mode != 2:
            raise RuntimeError("rnn kernel: projections are for LSTM only")
        twr = _mat(w_hr, "weight_hr", dt, P, H)
    th0 = _mat(h0, "h0", dt, B, P)
    if mode == 2:
        tc0 = _mat(c0, "c0", dt, B, H)
    ty = _ymat(y, dt, tx._shape[0], col, P, "output")
    thn = <TensorBase?>hn
    if thn._dtype != dt or thn._numel != B * P or not _is_contiguous(thn):
        raise RuntimeError("rnn kernel: h_n must be a contiguous (B, P) buffer")
    if mode == 2:
        tcn = <TensorBase?>cn
        if tcn._dtype != dt or tcn._numel != B * H or not _is_contiguous(tcn):
            raise RuntimeError("rnn kernel: c_n must be a contiguous (B, H) buffer")
    nws = ct_rnn_ws_size(&a)
    if nws > 0:
        ws = _empty(dt, 1, &nws)
    cdef const void *pbi = _ptr(tbi)
    cdef const void *pbh = _ptr(tbh)
    cdef const void *pwr = _ptr(twr)
    cdef const void *pc0 = _ptr(tc0)
    cdef void *pcn = <void *>_ptr(tcn)
    cdef void *pws = <void *>_ptr(ws)
    with nogil:
        if dt == CT_FLOAT32:
            err = ct_rnn_fwd_f32(&a, <const float *>tx._data, <const float *>twi._data, <const float *>twh._data,
                                 <const float *>pbi, <const float *>pbh, <const float *>pwr,
                                 <const float *>th0._data, <const float *>pc0,
                                 <float *>ty._data + col, ty._stride[0], <float *>thn._data,
                                 <float *>pcn, <float *>pws)
        else:
            err = ct_rnn_fwd_f64(&a, <const double *>tx._data, <const double *>twi._data,
                                 <const double *>twh._data, <const double *>pbi, <const double *>pbh,
                                 <const double *>pwr, <const double *>th0._data, <const double *>pc0,
                                 <double *>ty._data + col, ty._stride[0], <double *>thn._data,
                                 <double *>pcn, <double *>pws)
    _check_err(err, "rnn")
    return ws


def backward(str mode_name, bint reverse, x, w_ih, w_hh, w_hr, h0, c0, batch_sizes, int64_t T, int64_t B, y,
             int64_t col, ws, dy, int64_t dycol, dhn, dcn, dx, bint dx_acc, bint want_bias):
    """Gradients of one direction of one layer: (dw_ih, dw_hh, db_ih, db_hh, dw_hr, dh0, dc0);
    dx (N, I), if given, is written (or added to with dx_acc). dy is an (N, >= dycol + P)
    matrix whose columns [dycol, dycol + P) are this direction's; dhn, dcn may be None."""
    cdef int mode = MODES[mode_name]
    cdef TensorBase tx = _contiguous(<TensorBase?>x)
    cdef int dt = tx._dtype
    cdef int G = ct_rnn_gates(mode)
    cdef TensorBase wi = <TensorBase?>w_ih
    cdef int64_t H = wi._shape[0] // G if wi._ndim == 2 else 0
    cdef int64_t P = (<TensorBase?>w_hr)._shape[0] if w_hr is not None else H
    cdef ct_rnn_args a
    cdef TensorBase bs = None, twi, twh, twr = None, th0, tc0 = None, ty, tws = None, tdy, tdhn = None
    cdef TensorBase tdcn = None, tdx = None, gwi, gwh, gbi = None, gbh = None, gwr = None, gh0, gc0 = None
    cdef int64_t I, N
    cdef int64_t shp[2]
    cdef int err
    if dt != CT_FLOAT32 and dt != CT_FLOAT64:
        raise TypeError(f"rnn kernel: no kernel for dtype {dtype_of(dt)}")
    bs = _setup(&a, mode, reverse, tx, T, B, H, P, batch_sizes)
    I = a.In
    N = tx._shape[0]
    twi = _mat(w_ih, "weight_ih", dt, G * H, I)
    twh = _mat(w_hh, "weight_hh", dt, G * H, P)
    if w_hr is not None:
        twr = _mat(w_hr, "weight_hr", dt, P, H)
    th0 = _mat(h0, "h0", dt, B, P)
    if mode == 2:
        tc0 = _mat(c0, "c0", dt, B, H)
    ty = _ymat(y, dt, N, col, P, "output")
    if ct_rnn_ws_size(&a) > 0:
        tws = _contiguous(<TensorBase?>ws)
        if tws._dtype != dt or tws._numel != ct_rnn_ws_size(&a):
            raise RuntimeError("rnn kernel: the saved workspace does not match")
    tdy = _ymat(dy, dt, N, dycol, P, "grad_output")
    if dhn is not None:
        tdhn = _mat(dhn, "grad_h_n", dt, B, P)
    if dcn is not None and mode == 2:
        tdcn = _mat(dcn, "grad_c_n", dt, B, H)
    if dx is not None:
        tdx = <TensorBase?>dx
        if tdx._dtype != dt or tdx._numel != N * I or not _is_contiguous(tdx):
            raise RuntimeError("rnn kernel: grad_input must be a contiguous (N, I) buffer")
    shp[0] = G * H
    shp[1] = I
    gwi = _empty(dt, 2, shp)
    shp[1] = P
    gwh = _empty(dt, 2, shp)
    if want_bias:
        gbi = _empty(dt, 1, shp)
        gbh = _empty(dt, 1, shp)
    if w_hr is not None:
        shp[0] = P
        shp[1] = H
        gwr = _empty(dt, 2, shp)
    shp[0] = B
    shp[1] = P
    gh0 = _empty(dt, 2, shp)
    if mode == 2:
        shp[1] = H
        gc0 = _empty(dt, 2, shp)
    cdef const void *pwr = _ptr(twr)
    cdef const void *pc0 = _ptr(tc0)
    cdef const void *pws = _ptr(tws)
    cdef const void *pdhn = _ptr(tdhn)
    cdef const void *pdcn = _ptr(tdcn)
    cdef void *pdx = <void *>_ptr(tdx)
    cdef void *pbi = <void *>_ptr(gbi)
    cdef void *pbh = <void *>_ptr(gbh)
    cdef void *pgr = <void *>_ptr(gwr)
    cdef void *pgc = <void *>_ptr(gc0)
    with nogil:
        if dt == CT_FLOAT32:
            err = ct_rnn_bwd_f32(&a, <const float *>tx._data, <const float *>twi._data, <const float *>twh._data,
                                 <const float *>pwr, <const float *>th0._data, <const float *>pc0,
                                 <const float *>ty._data + col, ty._stride[0], <const float *>pws,
                                 <const float *>tdy._data + dycol, tdy._stride[0], <const float *>pdhn,
                                 <const float *>pdcn, <float *>pdx, dx_acc, <float *>gwi._data,
                                 <float *>gwh._data, <float *>pbi, <float *>pbh, <float *>pgr,
                                 <float *>gh0._data, <float *>pgc)
        else:
            err = ct_rnn_bwd_f64(&a, <const double *>tx._data, <const double *>twi._data,
                                 <const double *>twh._data, <const double *>pwr, <const double *>th0._data,
                                 <const double *>pc0, <const double *>ty._data + col, ty._stride[0],
                                 <const double *>pws, <const double *>tdy._data + dycol, tdy._stride[0],
                                 <const double *>pdhn, <const double *>pdcn, <double *>pdx,
                                 dx_acc, <double *>gwi._data, <double *>gwh._data, <double *>pbi,
                                 <double *>pbh, <double *>pgr, <double *>gh0._data,
                                 <double *>pgc)
    _check_err(err, "rnn backward")
    return gwi, gwh, gbi, gbh, gwr, gh0, gc0
