"""Indexing ops: ``x[key]``, ``x[key] = v`` and the gather/scatter family.

The work happens in cytorch/_C/_indexing.pyx (key parsing, views, the
iteration plans) and src_c/ct_index.c (one bounds-checked gather/scatter
driver, nonzero, where). This module gives the ops PyTorch's signatures and
argument checks, and attaches them to Tensor.
"""
from cytorch._C import _indexing as _I
from cytorch._C import _tensor as _C
from cytorch._C._tensor import TensorBase
from cytorch._tensor import Tensor, tensor_method

__all__ = [
    "index_select", "gather", "scatter", "scatter_add", "scatter_reduce", "index_add", "index_copy",
    "index_fill", "index_put", "index_put_", "masked_fill", "masked_select", "masked_scatter", "take",
    "take_along_dim", "where", "nonzero", "argwhere", "put", "index_reduce",
]

_M = _I.MODES
tensor_method(_I.getitem, name="__getitem__")
tensor_method(_I.setitem, name="__setitem__")


def _out(result, out):
    if out is None:
        return result
    if not isinstance(out, TensorBase):
        raise TypeError(f"argument 'out' must be Tensor, not {type(out).__name__}")
    if tuple(out.shape) != tuple(result.shape):
        if out.numel() != 0:
            raise RuntimeError(f"output with shape {list(out.shape)} doesn't match the result shape {list(result.shape)}")
        _C._set_(out, result.clone())
        return out
    out.copy_(result)
    return out


def _wrap(dim, ndim, op):
    n = ndim if ndim > 0 else 1
    if not -n <= dim < n:
        raise IndexError(f"{op}: Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim + n if dim < 0 else dim


# ---------------------------------------------------------------- select / gather

def index_select(input, dim, index, *, out=None):
    """The slices ``input.select(dim, i)`` for each i in the 1-d ``index``, stacked along dim.

    Args: input (Tensor), dim (int), index (int64/int32 Tensor, 0-d or 1-d).
    Shape: like input, with size ``len(index)`` at dim.
    Example: ``cytorch.arange(6).view(2, 3).index_select(1, cytorch.tensor([2, 0]))``
    """
    return _out(_I.index_select(input, dim, index), out)


def gather(input, dim, index, *, sparse_grad=False, out=None):
    """``out[i][j] = input[index[i][j]][j]`` for dim=0 (``input[i][index[i][j]]`` for dim=1).

    Shape: like index. Index must have input's number of dims and be no larger off ``dim``.
    Example: ``cytorch.tensor([[1, 2], [3, 4]]).gather(1, cytorch.tensor([[0, 0], [1, 0]]))``
    """
    return _out(_I.gather(input, dim, index), out)


def take(input, index):
    """Elements of ``input`` viewed as 1-d at the positions ``index`` (result shaped like index).

    Example: ``cytorch.take(cytorch.tensor([[4, 3], [5, 7]]), cytorch.tensor([0, 3]))``
    """
    return _I.take(input, index)


def take_along_dim(input, indices, dim=None, *, out=None):
    """``gather`` with input and indices broadcast against each other off ``dim``.

    With dim=None both are flattened: ``input.flatten()[indices.flatten()]``.
    """
    if dim is None:
        return _out(_I.take(input, indices.reshape(-1)), out)
    if input.dim() != indices.dim():
        raise RuntimeError("torch.take_along_dim(): input and indices should have the same number of dimensions, "
                           f"but got {input.dim()} dimensions for input, and {indices.dim()} dimensions for indices")
    d = _wrap(dim, input.dim(), "take_along_dim")
    if indices.dtype not in (_C._dtype_from_name("int64"), _C._dtype_from_name("int32")):
        raise RuntimeError("torch.take_along_dim(): dtype of indices should be Long but got " + str(indices.dtype))
    ish, xsh = list(indices.shape), list(input.shape)
    ish[d] = xsh[d] = 1
    b = list(_C.Size(_broadcast(ish, xsh)))
    xb = b.copy()
    xb[d] = input.shape[d]
    ib = b.copy()
    ib[d] = indices.shape[d]
    return _out(_I.gather(input.expand(xb), d, indices.expand(ib), True), out)


def _broadcast(a, b):
    n = max(len(a), len(b))
    a = [1] * (n - len(a)) + list(a)
    b = [1] * (n - len(b)) + list(b)
    r = []
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b ({y}) "
                               f"at non-singleton dimension {i}")
        r.append(y if x == 1 else x)
    return r


# ---------------------------------------------------------------- scatter family

_SCATTER_REDUCE = {"add": "add", "multiply": "mul"}


def _scatter_mode(reduce, op):
    if reduce is None:
        return _M["put"]
    if reduce not in _SCATTER_REDUCE:
        raise RuntimeError("reduce argument must be either add or multiply.")
    return _M[_SCATTER_REDUCE[reduce]]


def scatter(input, dim, index, src=None, value=None, *, reduce=None, out=None):
    """Out-of-place ``scatter_``: a copy of input with ``src`` (tensor or number) written at index.

    ``out[index[i][j]][j] = src[i][j]`` for dim=0; reduce='add'/'multiply' combines instead.
    """
    if src is None:
        src = value
    if src is None:
        raise TypeError("scatter() missing required argument 'src' or 'value'")
    return _out(_I.scatter_(input.clone(), dim, index, src, _scatter_mode(reduce, "scatter"), "scatter"), out)


@tensor_method(name="scatter_")
def _scatter_(self, dim, index, src=None, value=None, *, reduce=None):
    if src is None:
        src = value
    if src is None:
        raise TypeError("scatter_() missing required argument 'src' or 'value'")
    return _I.scatter_(self, dim, index, src, _scatter_mode(reduce, "scatter_"), "scatter")


def scatter_add(input, dim, index, src, *, out=None):
    """``out[index[i][j]][j] += src[i][j]`` (dim=0) on a copy of input; duplicates all add."""
    return _out(_I.scatter_(input.clone(), dim, index, src, _M["add"], "scatter_add"), out)


@tensor_method(name="scatter_add_")
def _scatter_add_(self, dim, index, src):
    if not isinstance(src, TensorBase):
        raise TypeError(f"scatter_add_(): argument 'src' must be Tensor, not {type(src).__name__}")
    return _I.scatter_(self, dim, index, src, _M["add"], "scatter_add")


_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


def _scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
    """Reduce src into self at index along dim: reduce is sum, prod, mean, amax or amin."""
    if reduce not in _REDUCTIONS:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    if not isinstance(src, TensorBase):
        raise TypeError(f"scatter_reduce_(): argument 'src' must be Tensor, not {type(src).__name__}")
    if src.dtype != self.dtype:
        raise RuntimeError("scatter_reduce(): Expected self.dtype to be equal to src.dtype")
    if self.is_complex() and reduce in ("amax", "amin"):
        raise RuntimeError(f'"scatter_reduce" {reduce} not implemented for complex tensors')
    if not include_self:
        # positions that receive a value start from the reduction's identity
        _I.scatter_(self, dim, index, _identity(reduce, self.dtype), _M["put"], "scatter_reduce")
    if reduce == "mean":
        _I.scatter_(self, dim, index, src, _M["add"], "scatter_reduce")
        count = _C.full(tuple(self.shape), 1 if include_self else 0, self.dtype)
        _I.scatter_(count, dim, index, 1, _M["add"], "scatter_reduce")
        count.masked_fill_(count == 0, 1)
        if self.is_floating_point() or self.is_complex():
            q = self / count
        else:
            q = self.div(count, rounding_mode="floor")
        self.copy_(q)
        return self
    mode = {"sum": "add", "prod": "mul", "amax": "max", "amin": "min"}[reduce]
    return _I.scatter_(self, dim, index, src, _M[mode], "scatter_reduce")


def _identity(reduce, dt):
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    if dt.is_floating_point:
        return float("-inf") if reduce == "amax" else float("inf")
    if dt == _C._dtype_from_name("bool"):
        return reduce == "amin"
    info = {"uint8": (0, 255), "int8": (-128, 127), "int16": (-2 ** 15, 2 ** 15 - 1),
            "int32": (-2 ** 31, 2 ** 31 - 1), "int64": (-2 ** 63, 2 ** 63 - 1)}[str(dt).split(".")[-1]]
    return info[0] if reduce == "amax" else info[1]


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True, out=None):
    """Out-of-place ``scatter_reduce_`` (sum, prod, mean, amax, amin; include_self).

    Example: ``cytorch.zeros(3).scatter_reduce(0, cytorch.tensor([0, 0, 2]), cytorch.tensor([1., 2., 3.]), 'sum')``
    """
    return _out(_scatter_reduce_(input.clone(), dim, index, src, reduce, include_self=include_self), out)


tensor_method(_scatter_reduce_, name="scatter_reduce_")


def index_add(input, dim, index, source, *, alpha=1, out=None):
    """A copy of input with ``alpha * source.select(dim, i)`` added at slice ``index[i]`` along dim."""
    return _out(_index_add_(input.clone(), dim, index, source, alpha=alpha), out)


@tensor_method(name="index_add_")
def _index_add_(self, dim, index, source, *, alpha=1):
    if isinstance(source, TensorBase) and alpha != 1:
        if source.dtype != self.dtype:
            raise RuntimeError(f"index_add_(): self ({_C.pretty_name(self.dtype.code)}) and source "
                               f"({_C.pretty_name(source.dtype.code)}) must have the same scalar type")
        if not (self.is_floating_point() or self.is_complex()):
            alpha = int(alpha)
        source = (source * alpha).to(self.dtype)
    return _I.index_scatter_(self, dim, index, source, _M["add"], "index_add_")


def index_copy(input, dim, index, source, *, out=None):
    """A copy of input with slice ``index[i]`` along dim replaced by ``source.select(dim, i)``."""
    return _out(_I.index_scatter_(input.clone(), dim, index, source, _M["put"], "index_copy_"), out)


@tensor_method(name="index_copy_")
def _index_copy_(self, dim, index, source):
    return _I.index_scatter_(self, dim, index, source, _M["put"], "index_copy_")


def index_fill(input, dim, index, value):
    """A copy of input with the slices ``index`` along dim set to ``value`` (number or 0-d tensor)."""
    return _I.index_scatter_(input.clone(), dim, index, value, _M["put"], "index_fill_")


@tensor_method(name="index_fill_")
def _index_fill_(self, dim, index, value):
    return _I.index_scatter_(self, dim, index, value, _M["put"], "index_fill_")


def index_put_(input, indices, values, accumulate=False):
    """``input[indices] = values`` in place; accumulate=True adds (duplicate indices all add)."""
    return _I.index_put_(input, indices, values, accumulate)


def index_put(input, indices, values, accumulate=False):
    """Out-of-place ``index_put_``."""
    return _I.index_put_(input.clone(), indices, values, accumulate)


tensor_method(index_put_)
tensor_method(index_put)


def put(input, index, source, accumulate=False):
    """Out-of-place ``put_``: a copy of input with ``source`` written at flat positions ``index``."""
    return _I.put_(input.clone(), index, source, accumulate)


@tensor_method(name="put_")
def _put_(self, index, source, accumulate=False):
    """``self.flatten()[index] = source`` in place (accumulate=True adds)."""
    return _I.put_(self, index, source, accumulate)


tensor_method(put)


_INDEX_REDUCE = {"prod": "mul", "amax": "max", "amin": "min"}


@tensor_method(name="index_reduce_")
def _index_reduce_(self, dim, index, source, reduce, *, include_self=True):
    """Reduce ``source.select(dim, i)`` into slice ``index[i]`` of self: prod, mean, amax or amin."""
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got {reduce}.")
    if not isinstance(source, TensorBase):
        raise TypeError(f"index_reduce_(): argument 'source' must be Tensor, not {type(source).__name__}")
    if self.is_complex() and reduce in ("amax", "amin"):
        raise RuntimeError(f'"index_reduce" {reduce} not implemented for complex tensors')
    if not include_self:
        _I.index_scatter_(self, dim, index, _identity(reduce, self.dtype), _M["put"], "index_fill_")
    if reduce != "mean":
        return _I.index_scatter_(self, dim, index, source, _M[_INDEX_REDUCE[reduce]], "index_reduce_")
    _I.index_scatter_(self, dim, index, source, _M["add"], "index_reduce_")
    count = _C.full(tuple(self.shape), 1 if include_self else 0, self.dtype)
    _I.index_scatter_(count, dim, index, _C.full(tuple(source.shape), 1, self.dtype), _M["add"], "index_reduce_")
    count.masked_fill_(count == 0, 1)
    q = self / count if (self.is_floating_point() or self.is_complex()) else self.div(count, rounding_mode="floor")
    return self.copy_(q)


def index_reduce(input, dim, index, source, reduce, *, include_self=True, out=None):
    """Out-of-place ``index_reduce_`` (prod, mean, amax, amin; include_self)."""
    return _out(_index_reduce_(input.clone(), dim, index, source, reduce, include_self=include_self), out)


tensor_method(index_reduce)


# ---------------------------------------------------------------- masks

def _check_mask(mask, op):
    if not isinstance(mask, TensorBase):
        raise TypeError(f"{op}(): argument 'mask' must be Tensor, not {type(mask).__name__}")


def masked_fill(input, mask, value):
    """A copy of input (broadcast with mask) with ``value`` where mask is True.

    Example: ``x.masked_fill(x > 0, 0.0)``
    """
    _check_mask(mask, "masked_fill")
    shape = _broadcast(list(input.shape), list(mask.shape))
    r = input.expand(shape).clone() if list(input.shape) != shape else input.clone()
    return _I.masked_fill_(r, mask, value)


tensor_method(_I.masked_fill_, name="masked_fill_")


def masked_select(input, mask, *, out=None):
    """The elements of input where mask (broadcast together) is True, as a 1-d tensor."""
    _check_mask(mask, "masked_select")
    if mask.dtype != _C._dtype_from_name("bool"):
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    shape = _broadcast(list(input.shape), list(mask.shape))
    x, m = input.expand(shape), mask.expand(shape)
    if m.dim() == 0:
        return _out(x.reshape(1)[m.reshape(1)], out)
    return _out(x[m], out)


def masked_scatter(input, mask, source):
    """A copy of input (broadcast with mask) with the True positions filled from ``source`` in order."""
    _check_mask(mask, "masked_scatter")
    shape = _broadcast(list(input.shape), list(mask.shape))
    r = input.expand(shape).clone()
    return _masked_scatter_(r, mask, source)


@tensor_method(name="masked_scatter_")
def _masked_scatter_(self, mask, source):
    _check_mask(mask, "masked_scatter_")
    if mask.dtype != _C._dtype_from_name("bool"):
        raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with dtype {mask.dtype}")
    if source.dtype != self.dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but got"
                           f"{_C.pretty_name(self.dtype.code)} and {_C.pretty_name(source.dtype.code)}")
    m = mask.expand(list(self.shape)) if list(mask.shape) != list(self.shape) else mask
    if self.dim() == 0:
        m, target = m.reshape(1), self.reshape(1)
    else:
        target = self
    n = _I.count_nonzero_all(m)
    if source.numel() < n:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    vals = source.reshape(-1)[:n]
    _I.setitem(target, m, vals)
    return self


# ---------------------------------------------------------------- nonzero / where

def nonzero(input, *, out=None, as_tuple=False):
    """Coordinates of nonzero elements: an (n, ndim) int64 tensor, or (as_tuple) ndim 1-d tensors."""
    r = _I.nonzero(input)
    if as_tuple:
        if input.dim() == 0:
            return (_I.nonzero(input.reshape(1)).select(1, 0).contiguous(),)
        return tuple(r.select(1, d).contiguous() for d in range(input.dim()))
    return _out(r, out)


def argwhere(input):
    """Same as ``nonzero(input)``: an (n, ndim) tensor of coordinates."""
    return _I.nonzero(input)


def where(condition, input=None, other=None, *, out=None):
    """``input`` where condition is True, else ``other`` (broadcast, promoted; either may be a number).

    ``where(condition)`` is ``nonzero(condition, as_tuple=True)``.
    Example: ``cytorch.where(x > 0, x, 0.0)``
    """
    if input is None and other is None:
        return nonzero(condition, as_tuple=True)
    if input is None or other is None:
        raise TypeError("where() missing required argument 'input' or 'other'")
    return _out(_I.where(condition, input, other), out)


@tensor_method(name="where")
def _where_method(self, condition, y):
    return _I.where(condition, self, y)


for _f in (index_select, gather, take, take_along_dim, scatter, scatter_add, scatter_reduce, index_add,
           index_copy, index_fill, masked_fill, masked_select, masked_scatter, nonzero, argwhere):
    tensor_method(_f)
del _f
