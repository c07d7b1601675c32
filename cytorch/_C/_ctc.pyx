# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Dispatch for the CTC loss kernels (src_c/ct_ctc.c): lengths and targets laid out as the
kernel reads them, PyTorch's messages for bad ones, the work in C with the GIL released.

Targets come padded (N, S) or concatenated (1-d); both become one flat int64 block plus a
per-sample offset. The kernel re-checks every length, offset and label itself.
"""
from libc.stdint cimport int64_t
from cytorch._C._tensor cimport TensorBase, _empty, _contiguous, _cast, _check_err
from cytorch._C.ct cimport *

cdef extern from "ct_ctc.h" nogil:
    enum:
        CT_CTC_BAD_BLANK
        CT_CTC_BAD_INPUT_LEN
        CT_CTC_BAD_TARGET_LEN
        CT_CTC_BAD_TARGETS
        CT_CTC_BAD_LABEL
    int ct_ctc_fwd_f32(const float *lp, int64_t T, int64_t N, int64_t C, const int64_t *tgt,
                       int64_t ntgt, const int64_t *toff, const int64_t *il, const int64_t *tl,
                       int64_t Smax, int64_t blank, float *nll, float *alpha, int64_t *info)
    int ct_ctc_fwd_f64(const double *lp, int64_t T, int64_t N, int64_t C, const int64_t *tgt,
                       int64_t ntgt, const int64_t *toff, const int64_t *il, const int64_t *tl,
                       int64_t Smax, int64_t blank, double *nll, double *alpha, int64_t *info)
    int ct_ctc_bwd_f32(const float *lp, int64_t T, int64_t N, int64_t C, const int64_t *tgt,
                       int64_t ntgt, const int64_t *toff, const int64_t *il, const int64_t *tl,
                       int64_t Smax, int64_t blank, const float *nll, const float *alpha,
                       const float *g, int64_t gstep, int zero_inf, float *grad, int64_t *info)
    int ct_ctc_bwd_f64(const double *lp, int64_t T, int64_t N, int64_t C, const int64_t *tgt,
                       int64_t ntgt, const int64_t *toff, const int64_t *il, const int64_t *tl,
                       int64_t Smax, int64_t blank, const double *nll, const double *alpha,
                       const double *g, int64_t gstep, int zero_inf, double *grad, int64_t *info)

_WHERE = " (while checking arguments for ctc_loss_allocate_outputs)"


cdef class CtcPlan:
    """What forward and backward share: flat targets, offsets, lengths, Smax and blank."""
    cdef readonly TensorBase targets, offsets, input_lengths, target_lengths
    cdef readonly int64_t T, N, C, Smax, blank


cdef TensorBase _lengths(TensorBase v, int64_t N, str name):
    if v._dtype > CT_INT64:
        raise RuntimeError(f"{name} must be integral")
    if v._numel != N:
        raise RuntimeError(f"{name} must be of size batch_size")
    return _contiguous(_cast(v, CT_INT64))


def plan(TensorBase lp, TensorBase targets, TensorBase input_lengths, TensorBase target_lengths,
         int64_t blank):
    """Check lp (T, N, C) against the targets and lengths (PyTorch's errors) and lay them out."""
    cdef CtcPlan p = CtcPlan.__new__(CtcPlan)
    cdef int64_t n, S, tot = 0, one = 1
    cdef int64_t *off
    cdef const int64_t *tl
    cdef const int64_t *il
    if lp._ndim != 3:
        raise RuntimeError(f"Expected 3-dimensional tensor, but got {lp._ndim}-dimensional tensor for "
                           f"argument #1 'log_probs'{_WHERE}")
    if lp._numel == 0:
        raise RuntimeError("log_probs tensor must not be empty")
    p.T, p.N, p.C = lp._shape[0], lp._shape[1], lp._shape[2]
    if blank < 0 or blank >= p.C:
        raise RuntimeError("blank must be in label range")
    p.input_lengths = _lengths(input_lengths, p.N, "input_lengths")
    p.target_lengths = _lengths(target_lengths, p.N, "target_lengths")
    if targets._dtype >= CT_COMPLEX64:
        raise RuntimeError("ctc_loss: targets must be real")
    if targets._ndim < 1 or targets._ndim > 2:
        raise RuntimeError(f"Expected 1 to 2 dimensions, but got {targets._ndim}-dimensional tensor for "
                           f"argument #2 'targets'{_WHERE}")
    il = <const int64_t *>p.input_lengths._data
    tl = <const int64_t *>p.target_lengths._data
    p.Smax = 0
    for n in range(p.N):
        if il[n] < 0:
            raise RuntimeError(f"Expected input_lengths to have value at least 0, but got value {il[n]}{_WHERE}")
        if il[n] > p.T:
            raise RuntimeError(f"Expected input_lengths to have value at most {p.T}, but got value {il[n]}{_WHERE}")
        if tl[n] < 0:
            raise RuntimeError(f"Expected target_lengths to have value at least 0, but got value {tl[n]}{_WHERE}")
        tot += tl[n]
        if tl[n] > p.Smax:
            p.Smax = tl[n]
    p.offsets = _empty(CT_INT64, 1, &p.N)
    off = <int64_t *>p.offsets._data
    if targets._ndim == 2:
        S = targets._shape[1]
        if targets._shape[0] != p.N:
            raise RuntimeError(f"Expected tensor to have size {p.N} at dimension 0, but got size "
                               f"{targets._shape[0]} for argument #2 'targets'{_WHERE}")
        if p.Smax > S:
            raise RuntimeError(f"Expected tensor to have size at least {p.Smax} at dimension 1, but got size "
                               f"{S} for argument #2 'targets'{_WHERE}")
        for n in range(p.N):
            off[n] = n * S
    else:
        if targets._shape[0] != tot:
            raise RuntimeError(f"Expected tensor to have size {tot} at dimension 0, but got size "
                               f"{targets._shape[0]} for argument #2 'targets'{_WHERE}")
        tot = 0
        for n in range(p.N):
            off[n] = tot
            tot += tl[n]
    p.targets = _contiguous(_cast(targets, CT_INT64))
    p.blank = blank
    return p


cdef _raise(int err, int64_t *info, CtcPlan p, str op):
    if err != CT_ERR_INDEX:
        _check_err(err, op)
    if info[0] == CT_CTC_BAD_LABEL:
        raise IndexError(f"{op}: target {info[2]} of sample {info[1]} is out of bounds for {p.C} classes")
    raise RuntimeError(f"{op}: bad lengths or targets (sample {info[1]}, value {info[2]})")


def forward(TensorBase lp, CtcPlan p):
    """(nll, log_alpha): nll (N,) per sample, log_alpha (N, T, 2 Smax + 1) for backward."""
    cdef int dt = lp._dtype
    cdef int err
    cdef int64_t info[3]
    cdef int64_t shp[3]
    if dt != CT_FLOAT32 and dt != CT_FLOAT64:
        raise NotImplementedError(f"\"ctc_loss_cpu\" not implemented for '{lp.dtype}'")
    lp = _contiguous(lp)
    shp[0], shp[1], shp[2] = p.N, p.T, 2 * p.Smax + 1
    cdef TensorBase nll = _empty(dt, 1, &p.N)
    cdef TensorBase alpha = _empty(dt, 3, shp)
    cdef const int64_t *tg = <const int64_t *>p.targets._data
    cdef const int64_t *off = <const int64_t *>p.offsets._data
    cdef const int64_t *il = <const int64_t *>p.input_lengths._data
    cdef const int64_t *tl = <const int64_t *>p.target_lengths._data
    cdef int64_t nt = p.targets._numel
    with nogil:
        if dt == CT_FLOAT32:
            err = ct_ctc_fwd_f32(<const float *>lp._data, p.T, p.N, p.C, tg, nt, off, il, tl, p.Smax, p.blank,
                                 <float *>nll._data, <float *>alpha._data, info)
        else:
            err = ct_ctc_fwd_f64(<const double *>lp._data, p.T, p.N, p.C, tg, nt, off, il, tl, p.Smax, p.blank,
                                 <double *>nll._data, <double *>alpha._data, info)
    if err:
        _raise(err, info, p, "ctc_loss")
    return nll, alpha


def backward(TensorBase lp, CtcPlan p, TensorBase nll, TensorBase alpha, TensorBase g, bint zero_infinity):
    """d loss / d lp (T, N, C) for forward's per-sample nll, g its gradient (N values or one)."""
    cdef int dt = lp._dtype
    cdef int err
    cdef int64_t info[3]
    cdef int64_t gstep = 1
    lp = _contiguous(lp)
    if nll._dtype != dt or nll._numel != p.N or alpha._dtype != dt or \
            alpha._numel != p.N * p.T * (2 * p.Smax + 1):
        raise RuntimeError("ctc_loss backward: saved tensors do not match the input")
    nll = _contiguous(nll)
    alpha = _contiguous(alpha)
    g = _cast(g, dt)
    if g._numel == 1:
        gstep = 0
    elif g._numel != p.N:
        raise RuntimeError(f"ctc_loss backward: gradient of {g._numel} elements for {p.N} samples")
    g = _contiguous(g)
    cdef TensorBase grad = _empty(dt, 3, lp._shape)
    cdef const int64_t *tg = <const int64_t *>p.targets._data
    cdef const int64_t *off = <const int64_t *>p.offsets._data
    cdef const int64_t *il = <const int64_t *>p.input_lengths._data
    cdef const int64_t *tl = <const int64_t *>p.target_lengths._data
    cdef int64_t nt = p.targets._numel
    with nogil:
        if dt == CT_FLOAT32:
            err = ct_ctc_bwd_f32(<const float *>lp._data, p.T, p.N, p.C, tg, nt, off, il, tl, p.Smax, p.blank,
                                 <const float *>nll._data, <const float *>alpha._data, <const float *>g._data,
                                 gstep, zero_infinity, <float *>grad._data, info)
        else:
            err = ct_ctc_bwd_f64(<const double *>lp._data, p.T, p.N, p.C, tg, nt, off, il, tl, p.Smax, p.blank,
                                 <const double *>nll._data, <const double *>alpha._data, <const double *>g._data,
                                 gstep, zero_infinity, <double *>grad._data, info)
    if err:
        _raise(err, info, p, "ctc_loss backward")
    return grad
