"""Collation: turning a list of samples into a batch (``default_collate``), or converting one
sample's NumPy parts to tensors (``default_convert``, used when automatic batching is off).

``collate`` walks the sample structure (mappings, namedtuples, sequences) and hands each leaf
column to the function ``collate_fn_map`` registers for its type; ``default_collate_fn_map`` knows
tensors, NumPy arrays and scalars, Python numbers, strings and bytes. Inside a DataLoader worker,
tensors are stacked straight into a shared-memory segment, so sending the batch to the main
process copies nothing more.
"""
import collections.abc
import copy
import re

import numpy as np

import cytorch
from cytorch._C._tensor import TensorBase
from cytorch.utils.data import _shm
from cytorch.utils.data.dataset import _TensorBatch

__all__ = ["default_collate", "default_convert", "collate", "default_collate_fn_map", "collate_tensor_fn",
           "collate_numpy_array_fn", "collate_numpy_scalar_fn", "collate_float_fn", "collate_int_fn",
           "collate_str_fn"]

_NP_STR_OBJ = re.compile(r"[SaUO]")     # NumPy dtype kinds that cannot become tensors

default_collate_err_msg_format = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}")


def _is_np_tensorable(x):
    """A NumPy array/scalar that converts to a tensor (not strings or objects)."""
    t = type(x)
    if t.__module__ != "numpy" or t.__name__ in ("str_", "string_", "bytes_"):
        return False
    return not (isinstance(x, np.ndarray) and _NP_STR_OBJ.search(x.dtype.str))


def default_convert(data):
    """Convert NumPy arrays (also inside mappings, namedtuples and sequences) to tensors.

    Tuples become lists (PyTorch's behaviour); anything else is returned unchanged.

    Example::

        >>> default_convert({"x": np.array([1, 2]), "name": "a"})
        {'x': tensor([1, 2]), 'name': 'a'}
    """
    if isinstance(data, TensorBase):
        return data
    if _is_np_tensorable(data):
        return cytorch.as_tensor(data)
    if type(data).__module__ == "numpy":
        return data
    if isinstance(data, collections.abc.Mapping):
        return _rebuild_mapping(data, {k: default_convert(data[k]) for k in data})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild_sequence(data, [default_convert(d) for d in data])
    return data


def _rebuild_mapping(like, values):
    """A mapping of ``like``'s type holding ``values`` (a plain dict if that type can't be built)."""
    try:
        if isinstance(like, collections.abc.MutableMapping):
            out = copy.copy(like)
            out.update(values)
            return out
        return type(like)(values)
    except TypeError:
        return values


def _rebuild_sequence(like, values):
    """A sequence of ``like``'s type holding ``values`` (a list if that type can't be built)."""
    try:
        if isinstance(like, collections.abc.MutableSequence):
            out = copy.copy(like)
            for i, v in enumerate(values):
                out[i] = v
            return out
        return type(like)(values)
    except TypeError:
        return values


def collate(batch, *, collate_fn_map=None):
    """Collate ``batch`` (a sequence of samples) by structure, with ``collate_fn_map`` at the leaves.

    Args:
        batch (sequence): the samples.
        collate_fn_map (dict, optional): element type (or tuple of types) -> ``fn(batch, *, collate_fn_map)``;
            an exact type match wins, otherwise the first ``isinstance`` match in insertion order.

    Example::

        >>> def stack_as_float(batch, *, collate_fn_map):
        ...     return cytorch.stack(batch).float()
        >>> collate([cytorch.tensor(1), cytorch.tensor(2)], collate_fn_map={cytorch.Tensor: stack_as_float})
        tensor([1., 2.])
    """
    if type(batch) is _TensorBatch and collate_fn_map is not None \
            and collate_fn_map.get(cytorch.Tensor) is collate_tensor_fn:
        gathered = batch.gather(_shm.empty if _shm._prefix is not None else None)
        if gathered is not None:
            return gathered
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for key, fn in collate_fn_map.items():
            if isinstance(elem, key):
                return fn(batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        return _rebuild_mapping(elem, {k: collate([d[k] for d in batch], collate_fn_map=collate_fn_map)
                                       for k in elem})
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        return elem_type(*(collate(col, collate_fn_map=collate_fn_map) for col in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(e) != size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        columns = [collate(col, collate_fn_map=collate_fn_map) for col in zip(*batch)]
        if isinstance(elem, tuple):
            return columns
        return _rebuild_sequence(elem, columns)
    raise TypeError(default_collate_err_msg_format.format(elem_type))


def collate_tensor_fn(batch, *, collate_fn_map=None):
    """Stack tensors along a new first dim (into shared memory inside a worker)."""
    elem = batch[0]
    out = None
    if _shm._prefix is not None and all(isinstance(t, TensorBase) and t.dtype == elem.dtype
                                        and t.shape == elem.shape for t in batch):
        out = _shm.empty((len(batch),) + tuple(elem.shape), elem.dtype)
    return cytorch.stack(list(batch), 0, out=out)


def collate_numpy_array_fn(batch, *, collate_fn_map=None):
    elem = batch[0]
    if _NP_STR_OBJ.search(elem.dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(elem.dtype))
    return collate([cytorch.as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None):
    return cytorch.as_tensor(np.asarray(batch))


def _from_numbers(batch, kinds, dtype):
    """A 1-d tensor of Python numbers; NumPy builds the buffer (one C loop instead of a Python one)."""
    arr = np.asarray(batch)
    if arr.ndim == 1 and arr.dtype.kind in kinds:
        t = cytorch.from_numpy(arr)
        return t if dtype is None or t.dtype == dtype else t.to(dtype)
    return cytorch.tensor(batch, dtype=dtype)


def collate_float_fn(batch, *, collate_fn_map=None):
    return _from_numbers(batch, "biuf", cytorch.float64)


def collate_int_fn(batch, *, collate_fn_map=None):
    return _from_numbers(batch, "bi", None)


def collate_str_fn(batch, *, collate_fn_map=None):
    return batch


default_collate_fn_map = {
    cytorch.Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def default_collate(batch):
    """Stack a list of samples into a batch, keeping the samples' structure.

    * tensors -> one tensor with a new first dimension (all must have equal shapes)
    * NumPy arrays -> tensors, stacked; NumPy scalars -> a tensor of their dtype
    * ``float`` -> float64 tensor, ``int`` -> int64 tensor, ``bool`` -> bool tensor
    * ``str``/``bytes`` -> the list, unchanged
    * mappings -> the same mapping type of collated values; namedtuples -> the same namedtuple;
      tuples -> a list of collated columns; other sequences -> the same type (all of equal length,
      else ``RuntimeError("each element in list of batch should be of equal size")``)

    A :class:`TensorDataset` batch (from its ``__getitems__``) is gathered with one ``index_select``
    per tensor.

    Example::

        >>> default_collate([(cytorch.zeros(2), 1), (cytorch.ones(2), 2)])
        [tensor([[0., 0.],
                [1., 1.]]), tensor([1, 2])]
    """
    return collate(batch, collate_fn_map=default_collate_fn_map)
