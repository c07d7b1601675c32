"""Sorting, selection and counting: sort, argsort, topk, kthvalue, median,
quantile, mode, unique, bincount, histc, searchsorted, bucketize.

Shapes, defaults and errors are checked here; the per-row work runs in
src_c/ct_sort.c through cytorch/_C/_sort.pyx. Sorting is always stable (a
radix sort on order-preserving integer keys), NaN sorts as the largest value
and -0.0 equals 0.0, as in PyTorch.
"""
import math

from cytorch._C import _sort as _S
from cytorch._C._tensor import TensorBase
from cytorch._tensor import tensor_method

__all__ = ["sort", "argsort", "msort", "topk", "kthvalue", "median", "nanmedian", "quantile",
           "nanquantile", "mode", "unique", "unique_consecutive", "bincount", "histc", "searchsorted",
           "bucketize"]


from cytorch import return_types as _rt  # noqa: E402

_sort_t = _rt.sort
_topk_t = _rt.topk
_kthvalue_t = _rt.kthvalue
_median_t = _rt.median
_nanmedian_t = _rt.nanmedian
_mode_t = _rt.mode


def _check_tensor(x, op, arg="input"):
    if not isinstance(x, TensorBase):
        raise TypeError(f"{op}(): argument '{arg}' must be Tensor, not {type(x).__name__}")


def _write_out(out, results):
    """Copy results into the user's out tensors (resizing them like PyTorch) and return out."""
    if out is None:
        return None
    if len(out) != len(results):
        raise TypeError(f"expected a tuple of {len(results)} Tensors for out")
    for o, r in zip(out, results):
        if o.dtype != r.dtype:
            raise RuntimeError(f"Expected out tensor to have dtype {r.dtype}, but got {o.dtype} instead")
        if tuple(o.shape) != tuple(r.shape):
            o.resize_(r.shape)
        o.copy_(r)
    return out


@tensor_method
def sort(input, dim=-1, descending=False, *, stable=False, out=None):
    """Sort ``input`` along ``dim``; returns ``(values, indices)``.

    Args:
        input: a real tensor (complex raises). dim: the dim to sort (default last).
        descending: largest first. stable: accepted for PyTorch's API; the sort is always stable
            (equal elements keep their order).

    Shape: values and indices (int64) have ``input``'s shape.

    Example::

        >>> cytorch.sort(cytorch.tensor([3., float('nan'), 1.]))
        cytorch.return_types.sort(values=tensor([1., 3., nan]), indices=tensor([2, 0, 1]))
    """
    _check_tensor(input, "sort")
    vals, idx = _S.sort(input, dim, bool(descending))
    if out is not None:
        return _sort_t(*_write_out(out, (vals, idx)))
    return _sort_t(vals, idx)


@tensor_method
def argsort(input, dim=-1, descending=False, *, stable=False):
    """Indices (int64) that sort ``input`` along ``dim`` (stable). ``argsort(x) == sort(x).indices``."""
    _check_tensor(input, "argsort")
    return _S.sort(input, dim, bool(descending))[1]


@tensor_method
def msort(input, *, out=None):
    """``input`` sorted along its first dim (``sort(input, dim=0).values``)."""
    _check_tensor(input, "msort")
    vals = _S.sort(input, 0, False)[0]
    if out is not None:
        return _write_out((out,), (vals,))[0]
    return vals


@tensor_method
def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):
    """The ``k`` largest (``largest=False``: smallest) elements along ``dim``: ``(values, indices)``.

    Uses a per-row selection, then sorts the k winners when ``sorted``. Equal values go to the
    lower index first. Shape: ``input``'s with ``dim`` of size k.

    Example::

        >>> cytorch.topk(cytorch.tensor([1, 5, 3, 4]), 2)
        cytorch.return_types.topk(values=tensor([5, 4]), indices=tensor([1, 3]))
    """
    _check_tensor(input, "topk")
    vals, idx = _S.topk(input, int(k), dim, bool(largest), bool(sorted))
    if out is not None:
        return _topk_t(*_write_out(out, (vals, idx)))
    return _topk_t(vals, idx)


@tensor_method
def kthvalue(input, k, dim=-1, keepdim=False, *, out=None):
    """The k-th smallest element (1-based) along ``dim`` and its index: ``(values, indices)``."""
    _check_tensor(input, "kthvalue")
    vals, idx = _S.kth(input, int(k), dim, bool(keepdim), 0, "kthvalue")
    if out is not None:
        return _kthvalue_t(*_write_out(out, (vals, idx)))
    return _kthvalue_t(vals, idx)


def _median(input, dim, keepdim, out, nan_ok, name, rtype):
    _check_tensor(input, name)
    what = 2 if nan_ok else 1
    if dim is None:
        if input.numel() == 0:
            if not input.is_floating_point():
                raise RuntimeError(f"{name}(): input tensor of integral dtype must be non-empty")
            return input.new_full((), math.nan)
        return _S.kth(input.reshape(-1), 0, 0, False, what, name)[0]
    vals, idx = _S.kth(input, 0, dim, bool(keepdim), what, name)
    if out is not None:
        return rtype(*_write_out(out, (vals, idx)))
    return rtype(vals, idx)


@tensor_method
def median(input, dim=None, keepdim=False, *, out=None):
    """Lower median: of all elements (a 0-d tensor) or along ``dim`` (``(values, indices)``).

    For an even count the smaller of the two middle values is returned; a NaN makes the result
    NaN (its index is the first NaN's). See ``nanmedian`` to ignore NaNs.
    """
    return _median(input, dim, keepdim, out, False, "median", _median_t)


@tensor_method
def nanmedian(input, dim=None, keepdim=False, *, out=None):
    """Like ``median`` but ignoring NaNs (NaN only when a row is all NaN)."""
    return _median(input, dim, keepdim, out, True, "nanmedian", _nanmedian_t)


def _quantile(input, q, dim, keepdim, interpolation, out, ignore_nan):
    _check_tensor(input, "quantile")
    if not input.is_floating_point() or input.dtype.itemsize < 4:
        raise RuntimeError("quantile() input tensor must be either float or double dtype")
    if isinstance(q, TensorBase):
        if q.dim() > 1:
            raise RuntimeError("quantile() q must be a scalar or 1D tensor")
        if q.dtype != input.dtype:
            raise RuntimeError("quantile() q tensor must be same dtype as the input tensor")
        qs, q_shape = [float(v) for v in q.reshape(-1).tolist()], tuple(q.shape)
    else:
        qs, q_shape = [float(q)], ()
    if input.numel() == 0:
        raise RuntimeError("quantile() input tensor must be non-empty")
    for v in qs:
        if not 0 <= v <= 1:
            raise RuntimeError(f"quantile() q must be in the range [0, 1] but got {v:g}")
    if interpolation not in ("linear", "lower", "higher", "midpoint", "nearest"):
        raise RuntimeError("quantile() interpolation must be one of linear, lower, higher, midpoint or nearest, "
                           f"but got {interpolation}")
    nd = input.dim()
    if dim is None:
        res = _S.quantile(input.reshape(-1), qs, 0, ignore_nan, interpolation)
        red = (1,) * nd if keepdim else ()
    else:
        res = _S.quantile(input, qs, dim, ignore_nan, interpolation)
        d = dim + nd if dim < 0 else dim
        shape = list(input.shape)
        red = tuple(shape[:d]) + ((1,) if keepdim and nd > 0 else ()) + tuple(shape[d + 1:])
    res = res.reshape(q_shape + red)
    if out is not None:
        return _write_out((out,), (res,))[0]
    return res


@tensor_method
def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """q-th quantiles of ``input`` (all elements, or along ``dim``).

    Args:
        q: a float in [0, 1] or a 0-d/1-d tensor of them (same dtype as input); a 1-d q adds a
            leading dim to the result.
        interpolation: 'linear' (default), 'lower', 'higher', 'midpoint' or 'nearest', applied at
            rank ``q * (n - 1)`` of the sorted values. Any NaN makes the result NaN.

    Example::

        >>> cytorch.quantile(cytorch.tensor([1., 2., 3., 4.]), 0.4)
        tensor(2.2000)
    """
    return _quantile(input, q, dim, keepdim, interpolation, out, False)


@tensor_method
def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """Like ``quantile`` but ignoring NaNs (NaN only where all values are NaN)."""
    return _quantile(input, q, dim, keepdim, interpolation, out, True)


@tensor_method
def mode(input, dim=-1, keepdim=False, *, out=None):
    """Most frequent value along ``dim`` (the smallest on ties) and its last index."""
    _check_tensor(input, "mode")
    vals, idx = _S.mode(input, dim, bool(keepdim))
    if out is not None:
        return _mode_t(*_write_out(out, (vals, idx)))
    return _mode_t(vals, idx)


def _pack(output, inverse, counts, return_inverse, return_counts):
    if not return_inverse and not return_counts:
        return output
    res = (output,)
    if return_inverse:
        res += (inverse,)
    if return_counts:
        res += (counts,)
    return res


def _unique_dim(input, dim, consecutive):
    nd = input.dim()
    if nd == 0:
        raise IndexError(f"Dimension out of range (expected to be in range of [-1, 0], but got {dim})")
    d = dim + nd if dim < 0 else dim
    if not 0 <= d < nd:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], but got {dim})")
    shape = list(input.shape)
    if any(s == 0 for i, s in enumerate(shape) if i != d):
        raise RuntimeError("There are 0 sized dimensions, and they aren't selected, so unique cannot be applied")
    order = [d] + [i for i in range(nd) if i != d]
    moved = input.permute(order)
    rest = list(moved.shape[1:])
    rows, inverse, counts = _S.unique_rows(moved.reshape(shape[d], -1), consecutive)
    back = [0] * nd
    for i, o in enumerate(order):
        back[o] = i
    output = rows.reshape([rows.shape[0]] + rest).permute(back).contiguous()
    return output, inverse, counts


@tensor_method
def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """Unique elements of ``input`` (flattened, or unique slices along ``dim``), in ascending order.

    Returns the values, plus ``inverse`` (the group of each input element, input's shape; along a
    dim: one per slice) and ``counts`` when asked. NaNs are never equal to each other. ``sorted``
    is accepted for PyTorch's API; the output is always sorted (as PyTorch's CPU result is).

    Example::

        >>> cytorch.unique(cytorch.tensor([3, 1, 3, 2]), return_counts=True)
        (tensor([1, 2, 3]), tensor([1, 1, 2]))
    """
    _check_tensor(input, "unique")
    if dim is None:
        output, inverse, counts = _S.unique(input, False)
    else:
        output, inverse, counts = _unique_dim(input, dim, False)
    return _pack(output, inverse, counts, return_inverse, return_counts)


@tensor_method
def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Collapse runs of equal consecutive elements (or slices along ``dim``), like ``uniq``."""
    _check_tensor(input, "unique_consecutive")
    if dim is None:
        output, inverse, counts = _S.unique(input, True)
    else:
        output, inverse, counts = _unique_dim(input, dim, True)
    return _pack(output, inverse, counts, return_inverse, return_counts)


@tensor_method
def bincount(input, weights=None, minlength=0):
    """Count occurrences of each value of a 1-d non-negative integer tensor.

    With ``weights`` (same length), sums them per value instead: float32 weights give float32,
    other weights float64. The result has ``max(input) + 1`` entries, at least ``minlength``.
    """
    _check_tensor(input, "bincount")
    if input.is_floating_point() or input.is_complex() or input.dtype.code == 0:
        from cytorch._C._tensor import pretty_name
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for '{pretty_name(input.dtype.code)}'")
    if input.dim() != 1:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    minlength = int(minlength)
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if weights is not None:
        _check_tensor(weights, "bincount", "weights")
        if weights.dim() != 1 or weights.shape[0] != input.shape[0]:
            raise RuntimeError("weights should be 1-d and have the same length as input")
        if weights.is_complex():
            raise RuntimeError("bincount: complex weights are not supported")
    return _S.bincount(input, weights, minlength)


@tensor_method
def histc(input, bins=100, min=0, max=0, *, out=None):
    """Histogram with ``bins`` equal-width bins over [min, max] (the data's range when min == max).

    Elements outside the range (and NaNs) are ignored; ``max`` itself falls in the last bin.
    Floating point input only; the result has ``input``'s dtype.
    """
    _check_tensor(input, "histc")
    res = _S.histc(input, int(bins), float(min), float(max))
    if out is not None:
        return _write_out((out,), (res,))[0]
    return res


def _as_values(x, boundaries):
    if isinstance(x, TensorBase):
        return x, False
    from cytorch import float64
    from cytorch._ops.creation import scalar_tensor
    if isinstance(x, float):   # keep the scalar exact: promotion then picks the common dtype
        return scalar_tensor(x, dtype=boundaries.dtype if boundaries.is_floating_point() else float64), True
    return scalar_tensor(x), True


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, out=None, sorter=None):
    """Indices where ``input`` would be inserted into the last dim of ``sorted_sequence``.

    ``right=False`` (side='left') gives the first suitable position, ``right=True`` the last. A 1-d
    ``sorted_sequence`` serves every value; an n-d one must match ``input`` in all but the last dim.
    ``sorter`` (int64, same shape) gives an ordering of an unsorted sequence. Result: int64
    (int32 with ``out_int32``) of ``input``'s shape.

    Example::

        >>> cytorch.searchsorted(cytorch.tensor([1, 3, 5]), cytorch.tensor([3, 6]))
        tensor([1, 3])
    """
    _check_tensor(sorted_sequence, "searchsorted", "sorted_sequence")
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
        if side == "left" and right:
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got side of left "
                               "while right was True")
        right = side == "right"
    values, scalar = _as_values(input, sorted_sequence)
    seq_shape, val_shape = tuple(sorted_sequence.shape), tuple(values.shape)
    if scalar and len(seq_shape) != 1:
        raise RuntimeError("torch.searchsorted(): input value can be a scalar only when boundaries tensor dimension "
                           f"is 1, but we got boundaries tensor dim({len(seq_shape)}) and input value's dim(0) "
                           "numel(1)")
    if len(seq_shape) == 0:
        raise RuntimeError("torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions "
                           "of boundaries tensor and input value tensor must match, but we got boundaries tensor "
                           f"{list(seq_shape)} and input value tensor {list(val_shape)}")
    if len(seq_shape) > 1 and (len(val_shape) != len(seq_shape) or seq_shape[:-1] != val_shape[:-1]):
        raise RuntimeError("torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions "
                           "of boundaries tensor and input value tensor must match, but we got boundaries tensor "
                           f"{list(seq_shape)} and input value tensor {list(val_shape)}")
    if sorter is not None:
        _check_tensor(sorter, "searchsorted", "sorter")
        if tuple(sorter.shape) != seq_shape:
            raise RuntimeError("torch.searchsorted(): boundary and sorter must have the same size, but got boundary "
                               f"tensor {list(seq_shape)}and got sorter tensor {list(sorter.shape)}")
        if sorter.is_floating_point() or sorter.is_complex() or sorter.dtype.code == 0:
            raise RuntimeError(f"torch.searchsorted(): sorter must be a tensor of long dtype but got {sorter.dtype}")
    res = _S.searchsorted(sorted_sequence, values, bool(right), sorter)
    if out_int32:
        res = res.int()
    if out is not None:
        return _write_out((out,), (res,))[0]
    return res


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """Bucket index of each element of ``input`` for the sorted 1-d ``boundaries``.

    ``right=False``: boundaries[i-1] < x <= boundaries[i]; ``right=True``: boundaries[i-1] <= x <
    boundaries[i]. Same result as ``searchsorted(boundaries, input, right=right)``.
    """
    _check_tensor(boundaries, "bucketize", "boundaries")
    if boundaries.dim() != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.dim()})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right, out=out)
