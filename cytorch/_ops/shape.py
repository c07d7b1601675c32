"""Shape, view and joining ops.

Views (split, diagonal, unfold, movedim, ...) are new headers over the same
storage made from the core view methods (narrow, select, permute, expand,
_as_strided). Copying ops allocate the result and fill it with the core copy
kernel through views of it (repeat: one strided copy of an expanded view;
cat/stack/roll: one copy per input or block, in cytorch/_C/_shape.pyx). flip,
tril/triu, repeat_interleave with a tensor of repeats, trace and combinations
use the kernels in src_c/ct_shape.c.
"""
import builtins
import itertools
import operator
import warnings

from cytorch._C import _shape as _K
from cytorch._C import _tensor as _C
from cytorch._C._tensor import TensorBase, Size
from cytorch._tensor import Tensor, tensor_method

__all__ = [
    # views
    "reshape", "permute", "transpose", "t", "squeeze", "unsqueeze", "flatten", "narrow", "select", "ravel",
    "unflatten", "unbind", "split", "chunk", "tensor_split", "hsplit", "vsplit", "dsplit", "diagonal",
    "movedim", "moveaxis", "swapaxes", "swapdims", "as_strided", "narrow_copy", "broadcast_to",
    "broadcast_tensors", "broadcast_shapes", "atleast_1d", "atleast_2d", "atleast_3d", "meshgrid",
    # joining and copying
    "cat", "concat", "concatenate", "stack", "hstack", "vstack", "row_stack", "dstack", "column_stack",
    "repeat_interleave", "tile", "roll", "flip", "fliplr", "flipud", "rot90", "tril", "triu",
    "tril_indices", "triu_indices", "diag", "diag_embed", "diagflat", "trace", "cartesian_prod",
    "combinations", "block_diag",
    # in-place-free relatives of views
    "adjoint", "unsafe_split", "unsafe_chunk", "select_scatter", "slice_scatter", "diagonal_scatter",
    "as_strided_scatter", "permute_copy", "transpose_copy", "t_copy", "squeeze_copy", "unsqueeze_copy",
    "expand_copy", "view_copy", "diagonal_copy", "select_copy", "unfold_copy", "as_strided_copy", "alias_copy",
    "unbind_copy", "split_copy", "split_with_sizes_copy",
]

_INT64 = _C._dtype_from_name("int64")
_BOOL = _C._dtype_from_name("bool")


# ---------------------------------------------------------------- helpers

def _wrap(d, n):
    """A dim in [-n, n) as a non-negative index (n == 0 is treated as 1, like PyTorch)."""
    d = operator.index(d)
    m = n if n > 0 else 1
    if d < -m or d >= m:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-m}, {m - 1}], but got {d})")
    return d + m if d < 0 else d


def _int_list(x, op, name="dims"):
    """An int or a sequence of ints (a 1-d tensor too) as a list."""
    if isinstance(x, TensorBase):
        x = x.tolist()
    if isinstance(x, (list, tuple, Size)):
        out = []
        for v in x:
            if isinstance(v, (bool, float)):
                raise TypeError(f"{op}(): argument '{name}' must be tuple of ints, but found element of type "
                                f"{type(v).__name__}")
            out.append(operator.index(v))
        return out
    if isinstance(x, (bool, float)):
        raise TypeError(f"{op}(): argument '{name}' must be tuple of ints, not {type(x).__name__}")
    return [operator.index(x)]


def _sizes(args, op):
    """f(2, 3), f((2, 3)), f([2, 3]) or f(Size) -> list of ints."""
    if len(args) == 1 and not isinstance(args[0], int) and not hasattr(args[0], "__index__"):
        args = args[0]
    elif len(args) == 1 and isinstance(args[0], TensorBase) and args[0].dim() > 0:
        args = args[0].tolist()
    return _int_list(list(args), op, "size")


def _tensor_seq(tensors, op, name="tensors"):
    if isinstance(tensors, TensorBase) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{op}(): argument '{name}' (position 1) must be tuple of Tensors, not "
                        f"{type(tensors).__name__}")
    for i, x in enumerate(tensors):
        if not isinstance(x, TensorBase):
            raise TypeError(f"{op}(): argument '{name}' (position 1) must be tuple of Tensors, but found "
                            f"element of type {type(x).__name__} at pos {i}")
    return list(tensors)


def _nonempty_seq(tensors, op):
    tensors = _tensor_seq(tensors, op)
    if not tensors:
        raise RuntimeError(f"{op} expects a non-empty TensorList")
    return tensors


def _varargs(tensors):
    """f(a, b) or f([a, b]) -> list."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return list(tensors[0])
    return list(tensors)


def _promote_all(tensors):
    dt = tensors[0].dtype
    for x in tensors[1:]:
        dt = _C.promote_types(dt, x.dtype)
    return dt


def _empty(shape, dt):
    return _C.empty(tuple(shape), dt)


def _zeros(shape, dt):
    return _C.empty(tuple(shape), dt).zero_()


def _finish_out(result, out):
    """Write ``result`` into ``out`` (resized like PyTorch) and return out."""
    if out is None:
        return result
    if not isinstance(out, TensorBase):
        raise TypeError(f"argument 'out' must be Tensor, not {type(out).__name__}")
    if tuple(out.shape) != tuple(result.shape):
        out.resize_(tuple(result.shape))
    return out.copy_(result)


# ---------------------------------------------------------------- top-level forms of core views

def reshape(input, shape):
    return input.reshape(shape)


def permute(input, dims):
    return input.permute(dims)


def transpose(input, dim0, dim1):
    return input.transpose(dim0, dim1)


def t(input):
    return input.t()


def squeeze(input, dim=None):
    return input.squeeze(dim)


def unsqueeze(input, dim):
    return input.unsqueeze(dim)


def flatten(input, start_dim=0, end_dim=-1):
    return input.flatten(start_dim, end_dim)


def narrow(input, dim, start, length):
    return input.narrow(dim, start, length)


def select(input, dim, index):
    return input.select(dim, index)


def ravel(input):
    """The elements of input as a 1-d tensor (a view when input is contiguous)."""
    return input.reshape(-1)


tensor_method(ravel)


def swapaxes(input, axis0, axis1):
    return input.transpose(axis0, axis1)


def swapdims(input, dim0, dim1):
    return input.transpose(dim0, dim1)


tensor_method(swapaxes)
tensor_method(swapdims)


def as_strided(input, size, stride, storage_offset=None):
    """A view of input's storage with the given size, stride (elements) and storage offset."""
    return input._as_strided(tuple(_int_list(size, "as_strided", "size")),
                             tuple(_int_list(stride, "as_strided", "stride")), storage_offset)


tensor_method(as_strided)


@tensor_method
def view_as(self, other):
    return self.view(other.shape)


@tensor_method
def expand_as(self, other):
    return self.expand(other.shape)


@tensor_method
def reshape_as(self, other):
    return self.reshape(other.shape)


def narrow_copy(input, dim, start, length):
    """narrow, returned as a new contiguous tensor."""
    return input.narrow(dim, start, length).clone()


tensor_method(narrow_copy)


# ---------------------------------------------------------------- transposed views as properties

def _T(self):
    return self.permute(list(range(self.dim() - 1, -1, -1)))


def _mT(self):
    if self.dim() < 2:
        raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. "
                           f"Got {self.dim()}-D tensor.")
    return self.transpose(-2, -1)


def _conj(x):
    return x.conj() if x.is_complex() else x


def _H(self):
    if self.dim() == 0:
        return self._alias()
    if self.dim() != 2:
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {self.dim()}-D tensor."
                           + (" For batches of matrices, consider using tensor.mH" if self.dim() > 2 else ""))
    return _conj(self.transpose(0, 1))


def _mH(self):
    if self.dim() < 2:
        raise RuntimeError(f"tensor.mH is only supported on matrices or batches of matrices. "
                           f"Got {self.dim()}-D tensor.")
    return _conj(self.transpose(-2, -1))


Tensor.T = property(_T, doc="The tensor with its dims reversed (a view).")
Tensor.mT = property(_mT, doc="The last two dims swapped (a view).")
Tensor.H = property(_H, doc="Conjugate transpose of a matrix (a view for real dtypes).")
Tensor.mH = property(_mH, doc="Conjugate transpose of the last two dims (a view for real dtypes).")


# ---------------------------------------------------------------- splitting views

def unflatten(input, dim, sizes):
    """Expand dim ``dim`` of input into ``sizes`` (one entry may be -1) as a view."""
    nd = input.dim()
    if nd == 0:
        raise RuntimeError("unflatten: Dimension specified as 0 but tensor has no dimensions")
    d = _wrap(dim, nd)
    sizes = _int_list(sizes, "unflatten", "sizes")
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    n = input.shape[d] if nd else 1
    infer = [i for i, s in enumerate(sizes) if s == -1]
    if len(infer) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in sizes:
        if s != -1:
            known *= s
    if infer and known != 0 and n % known == 0:
        sizes[infer[0]] = n // known
    elif infer or known != n:
        raise RuntimeError(f"unflatten: Provided sizes {sizes} don't multiply up to the size of dim {dim} "
                           f"({n}) in the input tensor")
    shape = list(input.shape)
    return input.view(shape[:d] + sizes + shape[d + 1:])


tensor_method(unflatten)


def unbind(input, dim=0):
    """The slices of input along ``dim``, as a tuple of views."""
    if input.dim() == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = _wrap(dim, input.dim())
    return tuple(input.select(d, i) for i in range(input.shape[d]))


tensor_method(unbind)


def _split_sizes(tensor, sizes, d):
    views, start = [], 0
    for s in sizes:
        views.append(tensor.narrow(d, start, s))
        start += s
    return tuple(views)


def split(tensor, split_size_or_sections, dim=0):
    """Views of ``tensor`` in pieces of ``split_size`` (the last may be smaller) or of the given sizes.

    Example: ``cytorch.split(cytorch.arange(5), 2)`` gives pieces of sizes 2, 2, 1.
    """
    if tensor.dim() == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = _wrap(dim, tensor.dim())
    n = tensor.shape[d]
    if isinstance(split_size_or_sections, (list, tuple, Size)):
        sizes = _int_list(split_size_or_sections, "split", "split_size")
        if builtins.any(s < 0 for s in sizes) or builtins.sum(sizes) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size "
                               f"at dimension {d}), but got split_sizes={sizes}")
        return _split_sizes(tensor, sizes, d)
    size = operator.index(split_size_or_sections)
    if size < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={size}")
    if size == 0:
        if n != 0:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}")
        return (tensor.narrow(d, 0, 0),)
    count = builtins.max((n + size - 1) // size, 1)
    return _split_sizes(tensor, [builtins.min(size, n - i * size) for i in builtins.range(count)], d)


tensor_method(split)


@tensor_method(name="split_with_sizes")
def _split_with_sizes(self, split_sizes, dim=0):
    return split(self, list(split_sizes), dim)


def chunk(input, chunks, dim=0):
    """Split input into ``chunks`` views of size ceil(n / chunks) (fewer when they run out)."""
    chunks = operator.index(chunks)
    if input.dim() == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = _wrap(dim, input.dim())
    n = input.shape[d]
    size = (n + chunks - 1) // chunks
    if size == 0:
        return _split_sizes(input, [0] * chunks, d)
    return split(input, size, d)


tensor_method(chunk)


def tensor_split(input, indices_or_sections=None, dim=0, *, sections=None, indices=None,
                 tensor_indices_or_sections=None):
    """Views of input split into ``sections`` near-equal parts, or at the given ``indices``."""
    given = [x for x in (indices_or_sections, sections, indices, tensor_indices_or_sections) if x is not None]
    if len(given) != 1:
        raise TypeError("tensor_split() expects exactly one of indices_or_sections, sections, indices or "
                        "tensor_indices_or_sections")
    indices_or_sections = given[0]
    if input.dim() == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims")
    d = _wrap(dim, input.dim())
    n = input.shape[d]
    ios = indices_or_sections
    if isinstance(ios, TensorBase):
        if ios.dtype != _INT64:
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to have dtype of long, "
                               f"but got {ios.dtype}")
        if ios.dim() > 1:
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to be a zero-dimensional or "
                               f"one-dimensional tensor, but got a tensor with {ios.dim()} dims")
        ios = ios.item() if ios.dim() == 0 else ios.tolist()
    if isinstance(ios, (list, tuple, Size)):
        views, start = [], 0
        for idx in _int_list(ios, "tensor_split", "indices") + [n]:
            stop = builtins.min(builtins.max(idx + n if idx < 0 else idx, 0), n)
            views.append(input.narrow(d, start, builtins.max(stop - start, 0)))
            start = stop
        return tuple(views)
    sections = operator.index(ios)
    if sections <= 0:
        raise RuntimeError(f"number of sections must be larger than 0, got {sections}")
    q, r = divmod(n, sections)
    return _split_sizes(input, [q + 1 if i < r else q for i in builtins.range(sections)], d)


tensor_method(tensor_split)


def _dir_split(op, input, ios, dim, min_dims):
    if input.dim() < min_dims:
        raise RuntimeError(f"torch.{op} requires a tensor with at least {min_dims} dimension, but got a tensor "
                           f"with {input.dim()} dimensions!")
    if isinstance(ios, (list, tuple, Size)):
        return tensor_split(input, list(ios), dim)
    sections = operator.index(ios)
    n = input.shape[dim]
    if sections == 0 or n % sections:
        raise RuntimeError(f"torch.{op} attempted to split along dimension {dim}, but the size of the dimension "
                           f"{n} is not divisible by the split_size {sections}!")
    return tensor_split(input, sections, dim)


def hsplit(input, indices_or_sections):
    """tensor_split along dim 1 (dim 0 for 1-d input); an int must divide the dim."""
    if input.dim() == 0:
        raise RuntimeError("torch.hsplit requires a tensor with at least 1 dimension, but got a tensor with 0 "
                           "dimensions!")
    return _dir_split("hsplit", input, indices_or_sections, 1 if input.dim() > 1 else 0, 1)


def vsplit(input, indices_or_sections):
    """tensor_split along dim 0 of an at least 2-d tensor."""
    return _dir_split("vsplit", input, indices_or_sections, 0, 2)


def dsplit(input, indices_or_sections):
    """tensor_split along dim 2 of an at least 3-d tensor."""
    return _dir_split("dsplit", input, indices_or_sections, 2, 3)


tensor_method(hsplit)
tensor_method(vsplit)
tensor_method(dsplit)


# ---------------------------------------------------------------- other views

def diagonal(input, offset=0, dim1=0, dim2=1):
    """The diagonal ``offset`` of the (dim1, dim2) planes of input, as a view appended as the last dim.

    Example: ``cytorch.arange(9).view(3, 3).diagonal(1)`` is ``[1, 5]``.
    """
    return _K.diagonal(input, operator.index(offset), dim1, dim2)


tensor_method(diagonal)


def movedim(input, source, destination):
    """A view of input with dims ``source`` moved to positions ``destination`` (the rest keep their order)."""
    nd = input.dim()
    src = _int_list(source, "movedim", "source")
    dst = _int_list(destination, "movedim", "destination")
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src} dims) should contain the "
                           f"same number of dims as destination ({dst} dims)")
    ws = [_wrap(s, nd) for s in src]
    wd = [_wrap(s, nd) for s in dst]
    if len(set(ws)) != len(ws):
        raise RuntimeError(f"movedim: repeated dim in `source` ({src})")
    if len(set(wd)) != len(wd):
        raise RuntimeError(f"movedim: repeated dim in `destination` ({dst})")
    if nd == 0:
        return input._alias()
    order = [-1] * nd
    for s, dd in zip(ws, wd):
        order[dd] = s
    rest = iter(k for k in builtins.range(nd) if k not in ws)
    order = [o if o >= 0 else next(rest) for o in order]
    return input.permute(order)


moveaxis = movedim
tensor_method(movedim)
tensor_method(movedim, name="moveaxis")


@tensor_method
def unfold(self, dimension, size, step):
    """A view with all windows of ``size`` elements, ``step`` apart, along ``dimension``, as a new last dim."""
    nd = self.dim()
    d = _wrap(dimension, nd)
    shape, stride = list(self.shape), list(self.stride())
    n = shape[d] if nd else 1
    st = stride[d] if nd else 1
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    count = (n - size) // step + 1
    if nd == 0:
        return self._as_strided((size,), (1,), self.storage_offset())
    shape[d], stride[d] = count, st * step
    return self._as_strided(tuple(shape) + (size,), tuple(stride) + (st,), self.storage_offset())


# ---------------------------------------------------------------- broadcasting

def broadcast_shapes(*shapes):
    """The shape that all ``shapes`` broadcast to (ints count as 1-d shapes)."""
    lists = [[operator.index(s)] if not isinstance(s, (list, tuple, Size)) else _int_list(s, "broadcast_shapes",
                                                                                          "shape")
             for s in shapes]
    nd = builtins.max([len(s) for s in lists], default=0)
    out = [1] * nd
    for s in lists:
        for i, v in enumerate(s):
            if v < 0:
                raise ValueError("Attempting to broadcast a dimension with negative length!")
            k = nd - len(s) + i
            if out[k] == 1:
                out[k] = v
            elif v != 1 and v != out[k]:
                raise RuntimeError(f"Shape mismatch: objects cannot be broadcast to a single shape. Attempting to "
                                   f"broadcast a dimension of length {v} at {k - nd}! Mismatching argument had "
                                   f"{tuple(s)}; but expected shape should be broadcastable to {out}")
    return Size(out)


def broadcast_to(input, size):
    return input.expand(tuple(_int_list(size, "broadcast_to", "size")))


tensor_method(broadcast_to)


def broadcast_tensors(*tensors):
    """Views of the tensors expanded to their common broadcast shape."""
    tensors = _varargs(tensors)
    shape = broadcast_shapes(*[tuple(x.shape) for x in tensors])
    return tuple(x.expand(shape) for x in tensors)


def _atleast(tensors, fn):
    if len(tensors) == 1 and isinstance(tensors[0], TensorBase):
        return fn(tensors[0])
    return tuple(fn(x) for x in _varargs(tensors))


def _as_1d(x):
    return x.reshape(1) if x.dim() == 0 else x


def _as_2d(x):
    if x.dim() == 0:
        return x.reshape(1, 1)
    return x.unsqueeze(0) if x.dim() == 1 else x


def _as_3d(x):
    if x.dim() == 0:
        return x.reshape(1, 1, 1)
    if x.dim() == 1:
        return x.unsqueeze(0).unsqueeze(-1)
    return x.unsqueeze(-1) if x.dim() == 2 else x


def atleast_1d(*tensors):
    return _atleast(tensors, _as_1d)


def atleast_2d(*tensors):
    return _atleast(tensors, _as_2d)


def atleast_3d(*tensors):
    return _atleast(tensors, _as_3d)


def meshgrid(*tensors, indexing=None):
    """Coordinate grids (expanded views) from 0-d/1-d tensors; indexing 'ij' (default) or 'xy'."""
    tensors = _tensor_seq(_varargs(tensors), "meshgrid")
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument.",
                      UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}')
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for i, x in enumerate(tensors):
        if x.dim() > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {x}")
        if x.dtype != tensors[0].dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    swap = indexing == "xy" and len(tensors) >= 2
    ts = [tensors[1], tensors[0]] + tensors[2:] if swap else tensors
    shape = [x.numel() for x in ts]
    nd = len(ts)
    grids = []
    for i, x in enumerate(ts):
        view = [1] * nd
        view[i] = shape[i]
        grids.append(x.reshape(view).expand(shape))
    if swap:
        grids = [grids[1], grids[0]] + grids[2:]
    return tuple(grids)


# ---------------------------------------------------------------- joining

def cat(tensors, dim=0, *, out=None, axis=None):
    """Concatenate tensors along an existing dim, promoting dtypes.

    1-d empty tensors are skipped when checking shapes (PyTorch's legacy rule).
    Example: ``cytorch.cat([cytorch.ones(2, 3), cytorch.zeros(1, 3)])`` has shape (3, 3).
    """
    r = _K.cat(tensors, dim if axis is None else axis)
    if out is None:
        return r
    if not isinstance(out, TensorBase):
        raise TypeError(f"cat(): argument 'out' must be Tensor, not {type(out).__name__}")
    if not _C.can_cast(r.dtype, out.dtype):
        raise RuntimeError(f"cat(): result type {r.dtype} can't be cast to the desired output type {out.dtype}")
    return _finish_out(r, out)


def concat(tensors, dim=0, *, out=None):
    return cat(tensors, dim, out=out)


def concatenate(tensors, axis=0, out=None, *, dim=None):
    return cat(tensors, axis if dim is None else dim, out=out)


def stack(tensors, dim=0, *, out=None, axis=None):
    """Join equal-shaped tensors along a new dim ``dim``."""
    return _finish_out(_K.stack(tensors, dim if axis is None else axis), out)


def hstack(tensors, *, out=None):
    """Concatenate column-wise (along dim 1, or dim 0 for 1-d tensors)."""
    ts = [_as_1d(x) for x in _nonempty_seq(tensors, "hstack")]
    return cat(ts, 0 if ts[0].dim() == 1 else 1, out=out)


def vstack(tensors, *, out=None):
    """Concatenate row-wise (1-d tensors become rows)."""
    ts = [_as_2d(x) for x in _nonempty_seq(tensors, "vstack")]
    return cat(ts, 0, out=out)


row_stack = vstack


def dstack(tensors, *, out=None):
    """Concatenate depth-wise (along dim 2, after atleast_3d)."""
    ts = [_as_3d(x) for x in _nonempty_seq(tensors, "dstack")]
    return cat(ts, 2, out=out)


def column_stack(tensors, *, out=None):
    """Stack 0-d/1-d tensors as columns (and 2-d ones as blocks of columns)."""
    ts = [x.reshape(x.numel(), 1) if x.dim() <= 1 else x for x in _nonempty_seq(tensors, "column_stack")]
    return cat(ts, 1, out=out)


# ---------------------------------------------------------------- repeating

@tensor_method
def repeat(self, *sizes):
    """Tile self ``sizes[i]`` times along each dim (leading new dims when len(sizes) > self.dim())."""
    if not sizes:
        raise TypeError('repeat() missing 1 required positional arguments: "repeats"')
    reps = _sizes(sizes, "repeat")
    nd = self.dim()
    if len(reps) < nd:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions "
                           "of tensor")
    src_shape = [1] * (len(reps) - nd) + list(self.shape)
    out_shape = [r * s for r, s in zip(reps, src_shape)]
    for r in out_shape:
        if r < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {r}: {out_shape}")
    r = _empty(out_shape, self.dtype)
    if r.numel() == 0:
        return r
    x = self.reshape(src_shape) if nd < len(reps) else self
    # out viewed as (r0, s0, r1, s1, ...), with the r-axes only where r_i != 1
    split_shape, src_view, src_exp = [], [], []
    for rr, s in zip(reps, src_shape):
        if rr != 1:
            split_shape.append(rr)
            src_view.append(1)
            src_exp.append(rr)
        split_shape.append(s)
        src_view.append(s)
        src_exp.append(s)
    if len(split_shape) <= 16:
        r.view(split_shape).copy_(x.reshape(src_view).expand(src_exp))
        return r
    # too many dims for one strided copy: repeat one dim at a time
    for k, rr in enumerate(reps):
        if rr != 1:
            x = x.unsqueeze(k).expand(x.shape[:k] + (rr,) + x.shape[k:]).flatten(k, k + 1)
    r.copy_(x)
    return r


def tile(input, dims):
    """repeat, with ``dims`` padded by leading 1s to input.dim()."""
    dims = _int_list(dims, "tile", "dims")
    dims = [1] * (input.dim() - len(dims)) + dims
    return input.repeat(dims)


tensor_method(tile)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeat each element (or slice along ``dim``) ``repeats`` times, one after the other.

    ``repeats`` is an int or a 1-d integer tensor (one count per slice); with no ``dim``
    input is flattened. ``repeat_interleave(r)`` alone gives ``arange(len(r))`` repeated by r.
    """
    if repeats is None:
        reps = input
        if reps.dim() > 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        if reps.dtype not in (_INT64, _C._dtype_from_name("int32")):
            raise RuntimeError("repeats has to be Long or Int tensor")
        from cytorch._ops.creation import arange
        return repeat_interleave(arange(reps.numel()), reps.reshape(-1), 0, output_size=output_size)
    if dim is None:
        input = input.reshape(-1)
        d = 0
    else:
        d = _wrap(dim, input.dim())
        if input.dim() == 0:
            input = input.reshape(1)
    n = input.shape[d]
    if isinstance(repeats, TensorBase):
        if repeats.dtype not in (_INT64, _C._dtype_from_name("int32")):
            raise NotImplementedError(f"\"repeat_interleave_cpu\" not implemented for '{repeats.dtype}'")
        if repeats.dim() > 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        if repeats.numel() == 1:
            repeats = repeats.reshape(-1).tolist()[0]
        else:
            if repeats.numel() != n:
                raise RuntimeError(f"repeats must have the same size as input along dim, but got "
                                   f"repeats.size(0) = {repeats.numel()} and input.size({d}) = {n}")
            reps = repeats.to(_INT64).contiguous()
            return _K.repeat_interleave(input, reps, d, -1 if output_size is None else operator.index(output_size))
    repeats = operator.index(repeats)
    if repeats < 0:
        raise RuntimeError("Repeats must be non-negative")
    if output_size is not None and output_size != n * repeats:
        raise RuntimeError("allocated size does not match required size")
    shape = list(input.shape)
    r = _empty(shape[:d] + [n * repeats] + shape[d + 1:], input.dtype)
    if r.numel():
        r.view(shape[:d] + [n, repeats] + shape[d + 1:]).copy_(input.unsqueeze(d + 1))
    return r


tensor_method(repeat_interleave)


# ---------------------------------------------------------------- reordering copies

def roll(input, shifts, dims=None):
    """Shift elements cyclically by ``shifts`` along ``dims`` (flattened when dims is None)."""
    if type(shifts) is int and type(dims) is int and input.dim():   # the common case, kept cheap
        d = _wrap(dims, input.dim())
        n = input.shape[d]
        s = shifts % n if n else 0
        return _K.roll(input, [d], [s]) if s else input.clone()
    sh = _int_list(shifts, "roll", "shifts")
    ds = [] if dims is None else _int_list(dims, "roll", "dims")
    if not ds:
        if len(sh) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(sh)}, dims:0")
        return roll(input.reshape(-1), sh, 0).view(input.shape)
    if len(sh) != len(ds):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(sh)}, dims:{len(ds)}")
    x = input
    moved = False
    if input.dim() == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    total = {}
    for s, dim in zip(sh, ds):     # shifts on a repeated dim add up
        d = _wrap(dim, input.dim())
        total[d] = total.get(d, 0) + s
    moves = [(d, s % input.shape[d]) for d, s in total.items() if input.shape[d] and s % input.shape[d]]
    if not moves:
        return input.clone()
    return _K.roll(input, [d for d, _ in moves], [s for _, s in moves])


tensor_method(roll)


def flip(input, *args, dims=None):
    """A copy of input reversed along ``dims`` (``x.flip(0, 1)`` and ``x.flip((0, 1))`` both work)."""
    if dims is None:
        if not args:
            raise TypeError("flip() missing 1 required positional argument: 'dims'")
        dims = _sizes(args, "flip")
    elif args:
        raise TypeError("flip() got multiple values for argument 'dims'")
    return _K.flip(input, _int_list(dims, "flip"))


tensor_method(flip)


def fliplr(input):
    if input.dim() < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return _K.flip(input, [1])


def flipud(input):
    if input.dim() < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return _K.flip(input, [0])


tensor_method(fliplr)
tensor_method(flipud)


def rot90(input, k=1, dims=(0, 1)):
    """Rotate by 90 degrees ``k`` times in the plane ``dims`` (from dims[0] towards dims[1])."""
    dims = _int_list(dims, "rot90", "dims")
    nd = input.dim()
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if nd < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {nd}")
    if dims[0] == dims[1] or builtins.abs(dims[0] - dims[1]) == nd:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {dims[0]} and dim1 = {dims[1]}")
    if not -nd <= dims[0] < nd:
        raise RuntimeError(f"Rotation dim0 out of range, dim0 = {dims[0]}")
    if not -nd <= dims[1] < nd:
        raise RuntimeError(f"Rotation dim1 out of range, dim1 = {dims[1]}")
    k = operator.index(k) % 4
    if k == 1:
        return _K.flip(input, [dims[1]]).transpose(dims[0], dims[1])
    if k == 2:
        return _K.flip(input, dims)
    if k == 3:
        return _K.flip(input, [dims[0]]).transpose(dims[0], dims[1])
    return input.clone()


tensor_method(rot90)


# ---------------------------------------------------------------- triangles and diagonals

def _tri(op, input, diagonal, out, upper):
    if input.dim() < 2:
        raise RuntimeError(f"{op}: input tensor must have at least 2 dimensions")
    r = input.clone()   # contiguous, so its batch dims always collapse
    _K.tri_zero_(r, operator.index(diagonal), upper)
    return _finish_out(r, out)


def _tri_(op, self, diagonal, upper):
    if self.dim() < 2:
        raise RuntimeError(f"{op}: input tensor must have at least 2 dimensions")
    if not _K.tri_zero_(self, operator.index(diagonal), upper):
        self.copy_(_tri(op, self, diagonal, None, upper))
    return self


def tril(input, diagonal=0, *, out=None):
    """The lower triangle (j - i <= diagonal) of the last two dims; the rest is zero."""
    return _tri("tril", input, diagonal, out, False)


def triu(input, diagonal=0, *, out=None):
    """The upper triangle (j - i >= diagonal) of the last two dims; the rest is zero."""
    return _tri("triu", input, diagonal, out, True)


tensor_method(tril)
tensor_method(triu)


@tensor_method(name="tril_")
def _tril_(self, diagonal=0):
    return _tri_("tril", self, diagonal, False)


@tensor_method(name="triu_")
def _triu_(self, diagonal=0):
    return _tri_("triu", self, diagonal, True)


def _tri_indices(op, row, col, offset, dtype, upper):
    row, col, offset = operator.index(row), operator.index(col), operator.index(offset)
    if row < 0:
        raise RuntimeError(f"row must be non-negative, got{row}")
    if col < 0:
        raise RuntimeError(f"col must be non-negative, got{col}")
    r = _K.tri_indices(row, col, offset, upper)
    if dtype is not None and dtype != _INT64:
        if dtype not in (_C._dtype_from_name("int32"),):
            raise RuntimeError(f'"{op}" not implemented for \'{dtype}\'')
        r = r.to(dtype)
    return r


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """2 x N int64 tensor of the (row, col) coordinates of the lower triangle, row by row."""
    return _tri_indices("tril_indices", row, col, offset, dtype, False)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """2 x N int64 tensor of the (row, col) coordinates of the upper triangle, row by row."""
    return _tri_indices("triu_indices", row, col, offset, dtype, True)


def diag(input, diagonal=0, *, out=None):
    """1-d input: a square matrix with input on diagonal ``diagonal``; 2-d input: that diagonal (a copy)."""
    k = operator.index(diagonal)
    if input.dim() == 1:
        n = input.shape[0] + builtins.abs(k)
        r = _zeros((n, n), input.dtype)
        r.diagonal(k).copy_(input)
        return _finish_out(r, out)
    if input.dim() == 2:
        return _finish_out(input.diagonal(k).clone(), out)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.dim()}D")


tensor_method(diag)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Tensor whose (dim1, dim2) planes hold the last dim of input on diagonal ``offset``."""
    nd = input.dim() + 1
    d1, d2 = _wrap(dim1, nd), _wrap(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    if input.dim() == 0:
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got -1)")
    offset = operator.index(offset)
    n = input.shape[-1] + builtins.abs(offset)
    rest = iter(list(input.shape)[:-1])
    shape = [n if k in (d1, d2) else next(rest) for k in builtins.range(nd)]
    r = _zeros(shape, input.dtype)
    r.diagonal(offset, d1, d2).copy_(input)
    return r


tensor_method(diag_embed)


def diagflat(input, offset=0):
    """A 2-d tensor with the flattened input on diagonal ``offset``."""
    return diag(input.reshape(-1), offset)


tensor_method(diagflat)


def trace(input):
    """Sum of the main diagonal of a matrix (integers sum to int64)."""
    if input.dim() != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.dim()}")
    dt = input.dtype
    if dt == _BOOL:
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    return _K.trace(input, dt.code if dt.is_floating_point or dt.is_complex else _INT64.code)


tensor_method(trace)


def block_diag(*tensors):
    """A block-diagonal matrix from 0-d, 1-d (one row) and 2-d tensors, dtypes promoted."""
    mats = []
    for i, x in enumerate(tensors):
        if not isinstance(x, TensorBase):
            raise TypeError(f"block_diag(): argument 'tensors' must be tuple of Tensors, but found element of "
                            f"type {type(x).__name__} at pos {i}")
        if x.dim() > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {i} has "
                               f"{x.dim()} dimensions")
        mats.append(x.reshape(1, -1) if x.dim() < 2 else x)
    if not mats:
        return _empty((1, 0), _C.get_default_dtype())
    dt = _promote_all(mats)
    rows = builtins.sum(m.shape[0] for m in mats)
    cols = builtins.sum(m.shape[1] for m in mats)
    r = _zeros((rows, cols), dt)
    i = j = 0
    for m in mats:
        if m.numel():
            r.narrow(0, i, m.shape[0]).narrow(1, j, m.shape[1]).copy_(m)
        i += m.shape[0]
        j += m.shape[1]
    return r


def cartesian_prod(*tensors):
    """All tuples (a, b, ...) of elements of the 1-d tensors, as rows (like itertools.product)."""
    tensors = _varargs(tensors)
    for x in tensors:
        if not isinstance(x, TensorBase) or x.dim() != 1:
            raise RuntimeError("Expect a 1D vector, but got shape "
                               f"{list(x.shape) if isinstance(x, TensorBase) else type(x).__name__}")
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([g.reshape(-1) for g in grids], 1)


def combinations(input, r=2, with_replacement=False):
    """All length-``r`` combinations of the elements of a 1-d tensor, as rows (like itertools)."""
    if input.dim() != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    r = operator.index(r)
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return _empty((0,), input.dtype)
    gen = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    flat = [i for combo in gen(builtins.range(input.shape[0]), r) for i in combo]
    idx = _C.empty((len(flat),), _INT64)
    if flat:
        from cytorch._ops.creation import tensor
        idx = tensor(flat, dtype=_INT64)
    return _K.gather_rows(input, idx).view(-1, r)


# ---------------------------------------------------------------- in-place view methods (header changes only)

def _restride_(self, view):
    """Point self's header at ``view`` (same storage): the in-place forms of view ops."""
    _C._set_(self, view)
    return self


@tensor_method(name="t_")
def _t_(self):
    return _restride_(self, self.t())


@tensor_method(name="transpose_")
def _transpose_(self, dim0, dim1):
    return _restride_(self, self.transpose(dim0, dim1))


tensor_method(_transpose_, name="swapaxes_")
tensor_method(_transpose_, name="swapdims_")


@tensor_method(name="squeeze_")
def _squeeze_(self, dim=None):
    return _restride_(self, self.squeeze(dim))


@tensor_method(name="unsqueeze_")
def _unsqueeze_(self, dim):
    return _restride_(self, self.unsqueeze(dim))


@tensor_method(name="as_strided_")
def _as_strided_(self, size, stride, storage_offset=None):
    return _restride_(self, as_strided(self, size, stride, storage_offset))


def adjoint(input):
    """Conjugate transpose of the last two dims (Tensor.mH)."""
    return input.mH


tensor_method(adjoint)


def unsafe_split(tensor, split_size_or_sections, dim=0):
    return split(tensor, split_size_or_sections, dim)


def unsafe_chunk(input, chunks, dim=0):
    return chunk(input, chunks, dim)


tensor_method(unsafe_split)
tensor_method(unsafe_chunk)


# ---------------------------------------------------------------- scatter forms of views: a copy of input with
# the view's elements replaced by src

def _scatter_into(input, src, view_fn, op):
    r = input.clone()
    v = view_fn(r)
    if tuple(v.shape) != tuple(src.shape):
        raise RuntimeError(f"{op}: expected src to have a size equal to the slice of self. src size = "
                           f"{list(src.shape)}, slice size = {list(v.shape)}")
    v.copy_(src)
    return r


def select_scatter(input, src, dim, index):
    return _scatter_into(input, src, lambda r: r.select(dim, index), "select_scatter")


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    return _scatter_into(input, src, lambda r: _slice(r, dim, start, end, step), "slice_scatter")


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    return _scatter_into(input, src, lambda r: r.diagonal(offset, dim1, dim2), "diagonal_scatter")


def as_strided_scatter(input, src, size, stride, storage_offset=None):
    return _scatter_into(input.contiguous(), src, lambda r: as_strided(r, size, stride, storage_offset),
                         "as_strided_scatter")


tensor_method(select_scatter)
tensor_method(slice_scatter)
tensor_method(diagonal_scatter)
tensor_method(as_strided_scatter)


def _slice(t, dim, start, end, step):
    """t[..., start:end:step, ...] along ``dim`` as a view (positive step)."""
    d = _wrap(dim, t.dim())
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    lo, hi, _ = builtins.slice(start, end).indices(t.shape[d])
    n = builtins.max((hi - lo + step - 1) // step, 0)
    shape, stride = list(t.shape), list(t.stride())
    off = t.storage_offset() + (lo * stride[d] if n else 0)
    shape[d], stride[d] = n, stride[d] * step
    return t._as_strided(tuple(shape), tuple(stride), off)


# ---------------------------------------------------------------- *_copy forms of views: the view, materialised

def _copy_of(view_fn, name):
    def f(input, *args, **kwargs):
        r = view_fn(input, *args, **kwargs)
        if isinstance(r, tuple):
            return tuple(x.clone() for x in r)
        return r.clone()
    f.__name__ = name
    f.__doc__ = f"A new tensor holding ``{view_fn.__name__}(input, ...)`` (no storage shared with input)."
    return f


permute_copy = _copy_of(permute, "permute_copy")
transpose_copy = _copy_of(transpose, "transpose_copy")
t_copy = _copy_of(t, "t_copy")
squeeze_copy = _copy_of(squeeze, "squeeze_copy")
unsqueeze_copy = _copy_of(unsqueeze, "unsqueeze_copy")
expand_copy = _copy_of(lambda input, size: input.expand(size), "expand_copy")
view_copy = _copy_of(lambda input, size: input.view(size), "view_copy")
diagonal_copy = _copy_of(diagonal, "diagonal_copy")
select_copy = _copy_of(select, "select_copy")
unfold_copy = _copy_of(lambda input, dimension, size, step: input.unfold(dimension, size, step), "unfold_copy")
as_strided_copy = _copy_of(as_strided, "as_strided_copy")
alias_copy = _copy_of(lambda input: input, "alias_copy")
unbind_copy = _copy_of(unbind, "unbind_copy")
split_copy = _copy_of(split, "split_copy")
split_with_sizes_copy = _copy_of(lambda input, split_sizes, dim=0: split(input, list(split_sizes), dim),
                                 "split_with_sizes_copy")
