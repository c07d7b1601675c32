# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Image kernels for cytorch.vision over src_c/ct_image.c: shapes, dtypes and
argument checks here, the per-pixel work in C with the GIL released.

Every function takes [planes, h, w] tensors (adjust_hue: [n, 3, h, w]) of any
layout (a contiguous copy is made when needed) and returns a new contiguous one.
"""
from libc.stdint cimport int64_t, uint8_t
from libc.stdlib cimport malloc, free
from cytorch._C._tensor cimport TensorBase, _empty, _contiguous, _check_err, _SIZES_C
from cytorch._C.ct cimport *

import numpy as np

cdef extern from "ct_image.h" nogil:
    enum:
        CT_FILTER_BILINEAR
        CT_FILTER_BICUBIC
        CT_WARP_NEAREST
        CT_WARP_BILINEAR
    int64_t ct_resize_ntaps(int64_t n_in, int64_t n_out, int filter, int antialias)
    int ct_resize_weights(int64_t n_in, int64_t n_out, int filter, int antialias, int64_t taps,
                          int64_t *start, double *w)
    int ct_resample_axis_f32(const float *inp, float *out, int64_t outer, int64_t n_in, int64_t inner,
                             int64_t n_out, const int64_t *start, const float *w, int64_t taps)
    int ct_resample_axis_f64(const double *inp, double *out, int64_t outer, int64_t n_in, int64_t inner,
                             int64_t n_out, const int64_t *start, const double *w, int64_t taps)
    int ct_resample_axis_u8(const uint8_t *inp, uint8_t *out, int64_t outer, int64_t n_in, int64_t inner,
                            int64_t n_out, const int64_t *start, const float *w, int64_t taps)
    int ct_resample_axis_u8_f32(const uint8_t *inp, float *out, int64_t outer, int64_t n_in, int64_t inner,
                                int64_t n_out, const int64_t *start, const float *w, int64_t taps)
    int ct_resample_axis_f32_u8(const float *inp, uint8_t *out, int64_t outer, int64_t n_in, int64_t inner,
                                int64_t n_out, const int64_t *start, const float *w, int64_t taps)
    int ct_warp_f32(const float *inp, float *out, int64_t planes, int64_t h, int64_t w, int64_t oh,
                    int64_t ow, const double *m, int mode, const double *fill, int64_t nfill)
    int ct_warp_f64(const double *inp, double *out, int64_t planes, int64_t h, int64_t w, int64_t oh,
                    int64_t ow, const double *m, int mode, const double *fill, int64_t nfill)
    int ct_warp_u8(const uint8_t *inp, uint8_t *out, int64_t planes, int64_t h, int64_t w, int64_t oh,
                   int64_t ow, const double *m, int mode, const double *fill, int64_t nfill)
    int ct_gather2d(const char *inp, char *out, int64_t planes, int64_t h, int64_t w, int64_t oh, int64_t ow,
                    const int64_t *iy, const int64_t *ix, int64_t itemsize, const char *fill, int64_t nfill)
    int ct_adjust_hue_f32(const float *inp, float *out, int64_t n, int64_t hw, double shift)
    int ct_adjust_hue_f64(const double *inp, double *out, int64_t n, int64_t hw, double shift)

FILTERS = {"bilinear": CT_FILTER_BILINEAR, "bicubic": CT_FILTER_BICUBIC}
WARP_MODES = {"nearest": CT_WARP_NEAREST, "bilinear": CT_WARP_BILINEAR}


cdef int _check_planes(TensorBase x, str op) except -1:
    if x._ndim != 3:
        raise ValueError(f"{op}: expected a [planes, h, w] tensor, got shape {list(x.shape)}")
    if x._shape[1] <= 0 or x._shape[2] <= 0:
        raise ValueError(f"{op}: the image is empty (shape {list(x.shape)})")
    return 0


cdef int _check_image(TensorBase x, str op) except -1:
    _check_planes(x, op)
    if x._dtype != CT_FLOAT32 and x._dtype != CT_FLOAT64 and x._dtype != CT_UINT8:
        raise TypeError(f"{op}: expected a uint8, float32 or float64 tensor, got {x.dtype}")
    return 0


cdef int _filter_code(str interpolation) except -1:
    if interpolation not in FILTERS:
        raise ValueError(f"resize: interpolation must be one of {sorted(FILTERS)}, got {interpolation!r}")
    return FILTERS[interpolation]


def resize_weights(int64_t n_in, int64_t n_out, str interpolation="bilinear", bint antialias=True):
    """(start, weights) of one axis resize n_in -> n_out, as NumPy arrays: output i is
    sum_k weights[i, k] * input[start[i] + k]."""
    cdef int f = _filter_code(interpolation)
    if n_in <= 0 or n_out <= 0:
        raise ValueError(f"resize: sizes must be positive, got {n_in} -> {n_out}")
    cdef int64_t taps = ct_resize_ntaps(n_in, n_out, f, antialias)
    start = np.empty(n_out, dtype=np.int64)
    w = np.empty((n_out, taps), dtype=np.float64)
    cdef int64_t[::1] sv = start
    cdef double[:, ::1] wv = w
    _check_err(ct_resize_weights(n_in, n_out, f, antialias, taps, &sv[0], &wv[0, 0]), "resize")
    return start, w


cdef TensorBase _resample_axis(TensorBase x, int64_t outer, int64_t n_in, int64_t inner, int64_t n_out,
                               int f, bint antialias, int out_dt, int64_t *shape):
    """One pass: x viewed as [outer, n_in, inner] -> a new [outer, n_out, inner] tensor of out_dt."""
    cdef int64_t taps = ct_resize_ntaps(n_in, n_out, f, antialias), k
    cdef int64_t *start = <int64_t *>malloc(n_out * sizeof(int64_t))
    cdef double *w = <double *>malloc(n_out * taps * sizeof(double))
    cdef float *wf = <float *>malloc(n_out * taps * sizeof(float))
    cdef int err, dt = x._dtype
    cdef TensorBase out
    if start == NULL or w == NULL or wf == NULL:
        free(start)
        free(w)
        free(wf)
        raise MemoryError("resize: out of memory")
    try:
        _check_err(ct_resize_weights(n_in, n_out, f, antialias, taps, start, w), "resize")
        for k in range(n_out * taps):
            wf[k] = <float>w[k]
        out = _empty(out_dt, 3, shape)
        with nogil:
            if dt == CT_FLOAT64:
                err = ct_resample_axis_f64(<const double *>x._data, <double *>out._data, outer, n_in, inner,
                                           n_out, start, w, taps)
            elif dt == CT_FLOAT32 and out_dt == CT_FLOAT32:
                err = ct_resample_axis_f32(<const float *>x._data, <float *>out._data, outer, n_in, inner,
                                           n_out, start, wf, taps)
            elif dt == CT_FLOAT32:
                err = ct_resample_axis_f32_u8(<const float *>x._data, <uint8_t *>out._data, outer, n_in, inner,
                                              n_out, start, wf, taps)
            elif out_dt == CT_UINT8:
                err = ct_resample_axis_u8(<const uint8_t *>x._data, <uint8_t *>out._data, outer, n_in, inner,
                                          n_out, start, wf, taps)
            else:
                err = ct_resample_axis_u8_f32(<const uint8_t *>x._data, <float *>out._data, outer, n_in, inner,
                                              n_out, start, wf, taps)
        _check_err(err, "resize")
    finally:
        free(start)
        free(w)
        free(wf)
    return out


def resize(TensorBase x, int64_t oh, int64_t ow, str interpolation="bilinear", bint antialias=True):
    """x [planes, h, w] (uint8, float32, float64) resized to [planes, oh, ow] by a width pass and a
    height pass. uint8 images are kept in float32 between the passes and rounded once."""
    _check_image(x, "resize")
    cdef int f = _filter_code(interpolation)
    if oh <= 0 or ow <= 0:
        raise ValueError(f"resize: output size must be positive, got ({oh}, {ow})")
    cdef int64_t p = x._shape[0], h = x._shape[1], w = x._shape[2]
    cdef int64_t shape[3]
    cdef int dt = x._dtype
    cdef int mid_dt = CT_FLOAT32 if dt == CT_UINT8 and oh != h else dt
    x = _contiguous(x)
    if ow == w and oh == h:
        return x.clone()
    # The height pass adds whole rows (vectorised); the width pass is a dot product per output
    # pixel. Run the height pass first when it shrinks the rows the width pass will walk.
    if oh < h and ow != w:
        mid_dt = CT_FLOAT32 if dt == CT_UINT8 else dt
        shape[0] = p
        shape[1] = oh
        shape[2] = w
        x = _resample_axis(x, p, h, w, oh, f, antialias, mid_dt, shape)
        shape[2] = ow
        return _resample_axis(x, p * oh, w, 1, ow, f, antialias, dt, shape)
    if ow != w:
        shape[0] = p
        shape[1] = h
        shape[2] = ow
        x = _resample_axis(x, p * h, w, 1, ow, f, antialias, mid_dt, shape)
    if oh != h:
        shape[0] = p
        shape[1] = oh
        shape[2] = ow
        x = _resample_axis(x, p, h, ow, oh, f, antialias, dt, shape)
    return x


def warp(TensorBase x, int64_t oh, int64_t ow, coeffs, str mode="bilinear", fill=None):
    """x [planes, h, w] (uint8, float32, float64) warped to [planes, oh, ow]: output pixel (i, j)
    samples x at index coordinates ((m0 j + m1 i + m2) / d, (m3 j + m4 i + m5) / d), d = m6 j + m7 i + 1,
    coeffs = (m0, ..., m7); outside pixels read fill[plane % len(fill)] (0 when fill is None)."""
    _check_image(x, "warp")
    if mode not in WARP_MODES:
        raise ValueError(f"warp: mode must be one of {sorted(WARP_MODES)}, got {mode!r}")
    if oh < 0 or ow < 0:
        raise ValueError(f"warp: output size must be non-negative, got ({oh}, {ow})")
    cdef double m[8]
    cdef int k, err
    coeffs = [float(c) for c in coeffs]
    if len(coeffs) != 8:
        raise ValueError(f"warp: expected 8 coefficients, got {len(coeffs)}")
    for k in range(8):
        m[k] = coeffs[k]
    fills = np.ascontiguousarray([] if fill is None else fill, dtype=np.float64).reshape(-1)
    cdef double[::1] fv = fills
    cdef int64_t nfill = fills.shape[0]
    cdef const double *fp = &fv[0] if nfill > 0 else NULL
    cdef int md = WARP_MODES[mode]
    cdef int64_t shape[3]
    x = _contiguous(x)
    shape[0] = x._shape[0]
    shape[1] = oh
    shape[2] = ow
    cdef TensorBase out = _empty(x._dtype, 3, shape)
    cdef int64_t p = x._shape[0], h = x._shape[1], w = x._shape[2]
    with nogil:
        if x._dtype == CT_FLOAT32:
            err = ct_warp_f32(<const float *>x._data, <float *>out._data, p, h, w, oh, ow, m, md, fp, nfill)
        elif x._dtype == CT_FLOAT64:
            err = ct_warp_f64(<const double *>x._data, <double *>out._data, p, h, w, oh, ow, m, md, fp, nfill)
        else:
            err = ct_warp_u8(<const uint8_t *>x._data, <uint8_t *>out._data, p, h, w, oh, ow, m, md, fp, nfill)
    _check_err(err, "warp")
    return out


def gather(TensorBase x, iy, ix, TensorBase fill=None):
    """out[p, i, j] = x[p, iy[i], ix[j]] for a [planes, h, w] tensor of any dtype, or
    fill[p % len(fill)] (a 1-d tensor of x's dtype) where an index is -1."""
    _check_planes(x, "gather")
    cdef int64_t[::1] yv = np.ascontiguousarray(iy, dtype=np.int64).reshape(-1)
    cdef int64_t[::1] xv = np.ascontiguousarray(ix, dtype=np.int64).reshape(-1)
    cdef int64_t oh = yv.shape[0], ow = xv.shape[0], nfill = 0
    cdef const char *fp = NULL
    if fill is not None:
        if fill._dtype != x._dtype or fill._ndim != 1:
            raise TypeError(f"gather: fill must be a 1-d {x.dtype} tensor, got {fill.dtype} of shape {list(fill.shape)}")
        fill = _contiguous(fill)
        nfill = fill._numel
        fp = fill._data if nfill > 0 else NULL
    cdef int64_t shape[3]
    x = _contiguous(x)
    shape[0] = x._shape[0]
    shape[1] = oh
    shape[2] = ow
    cdef TensorBase out = _empty(x._dtype, 3, shape)
    cdef int64_t zero = 0
    cdef const int64_t *yp = &yv[0] if oh > 0 else &zero
    cdef const int64_t *xp = &xv[0] if ow > 0 else &zero
    cdef int err
    with nogil:
        err = ct_gather2d(x._data, out._data, x._shape[0], x._shape[1], x._shape[2], oh, ow, yp, xp,
                          _SIZES_C[x._dtype], fp, nfill)
    if err == CT_ERR_INDEX:
        raise IndexError(f"gather: an index is out of range for an image of size ({x._shape[1]}, {x._shape[2]})"
                         + ("" if nfill else " (and -1 needs a fill)"))
    _check_err(err, "gather")
    return out


def adjust_hue(TensorBase x, double shift):
    """x [n, 3, h, w] (float32/float64, values in [0, 1]) with the hue of every pixel turned by shift."""
    if x._ndim != 4 or x._shape[1] != 3:
        raise ValueError(f"adjust_hue: expected a [n, 3, h, w] tensor, got shape {list(x.shape)}")
    if x._dtype != CT_FLOAT32 and x._dtype != CT_FLOAT64:
        raise TypeError(f"adjust_hue: expected a float32 or float64 tensor, got {x.dtype}")
    x = _contiguous(x)
    cdef TensorBase out = _empty(x._dtype, 4, x._shape)
    cdef int64_t n = x._shape[0], hw = x._shape[2] * x._shape[3]
    cdef int err
    with nogil:
        if x._dtype == CT_FLOAT32:
            err = ct_adjust_hue_f32(<const float *>x._data, <float *>out._data, n, hw, shift)
        else:
            err = ct_adjust_hue_f64(<const double *>x._data, <double *>out._data, n, hw, shift)
    _check_err(err, "adjust_hue")
    return out


PAD_MODES = {"constant": 0, "edge": 1, "reflect": 2, "symmetric": 3}


cdef int64_t _pad_source(int64_t k, int64_t n, int64_t before, int mode) nogil:
    """Source index of output k along an axis of length n padded by `before` (-1: the fill)."""
    cdef int64_t s = k - before, period, r
    if 0 <= s < n:
        return s
    if mode == 0:
        return -1
    if mode == 1:
        return 0 if s < 0 else n - 1
    if mode == 2:                      # mirror without repeating the edge: period 2n - 2
        if n == 1:
            return 0
        period = 2 * n - 2
    else:                              # symmetric: mirror repeating the edge, period 2n
        period = 2 * n
    r = s % period
    if r < 0:
        r += period
    if r < n:
        return r
    return period - r if mode == 2 else period - 1 - r


def pad_index(int64_t n, int64_t before, int64_t after, str mode):
    """NumPy int64 source indices of the n + before + after outputs of a padded axis (-1: fill)."""
    if mode not in PAD_MODES:
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    cdef int md = PAD_MODES[mode]
    cdef int64_t m = n + before + after, k
    if n <= 0 or m <= 0:
        raise ValueError(f"pad: padding ({before}, {after}) of an axis of length {n} leaves nothing")
    out = np.empty(m, dtype=np.int64)
    cdef int64_t[::1] ov = out
    for k in range(m):
        ov[k] = _pad_source(k, n, before, md)
    return out


def pad(TensorBase x, int64_t left, int64_t top, int64_t right, int64_t bottom, str mode,
        TensorBase fill=None):
    """x [planes, h, w] padded (negative values crop) in one gather pass; constant mode reads
    fill[plane % len(fill)] (a 1-d tensor of x's dtype; zeros when None)."""
    _check_planes(x, "pad")
    cdef int64_t h = x._shape[1], w = x._shape[2], one = 1
    iy = pad_index(h, top, bottom, mode)
    ix = pad_index(w, left, right, mode)
    if fill is None and mode == "constant" and (top > 0 or bottom > 0 or left > 0 or right > 0):
        fill = _empty(x._dtype, 1, &one)
        fill.zero_()
    return gather(x, iy, ix, fill)
