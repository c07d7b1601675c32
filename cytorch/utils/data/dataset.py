"""Datasets: the map-style and iterable-style bases and the ways to combine them.

A map-style dataset answers ``ds[i]`` and ``len(ds)``; it may also answer
``ds.__getitems__(indices)`` with the whole batch at once, which the
DataLoader prefers. :class:`TensorDataset` does: its ``__getitems__`` returns
a lazy batch that ``default_collate`` turns into one ``index_select`` per
tensor, so a loader over in-memory tensors pays no per-sample Python cost.
"""
import bisect
import itertools
import math
import warnings
from collections.abc import Sequence

import numpy as np

import cytorch
from cytorch._C._tensor import TensorBase

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "StackDataset", "ConcatDataset", "ChainDataset",
           "Subset", "random_split"]


class Dataset:
    """A map from keys to samples. Subclasses define ``__getitem__`` (and usually ``__len__``).

    They may also define ``__getitems__(indices)`` returning the list of samples for a batch of keys;
    the DataLoader then fetches a batch with one call.

    Example::

        >>> class Squares(cytorch.utils.data.Dataset):
        ...     def __len__(self): return 10
        ...     def __getitem__(self, i): return i * i
        >>> Squares()[3]
        9
    """

    def __getitem__(self, index):
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other):
        return ConcatDataset([self, other])

    def __class_getitem__(cls, item):      # Dataset[int] in type hints, as with typing.Generic
        return cls


class IterableDataset(Dataset):
    """A stream of samples: subclasses define ``__iter__``.

    With ``num_workers > 0`` every worker iterates its own copy; use
    :func:`~cytorch.utils.data.get_worker_info` in ``__iter__`` (or in ``worker_init_fn``) to give
    each worker its own share of the stream.

    Example::

        >>> class Range(cytorch.utils.data.IterableDataset):
        ...     def __init__(self, n): self.n = n
        ...     def __iter__(self):
        ...         info = cytorch.utils.data.get_worker_info()
        ...         if info is None:
        ...             return iter(range(self.n))
        ...         return iter(range(info.id, self.n, info.num_workers))
    """

    def __iter__(self):
        raise NotImplementedError("Subclasses of IterableDataset should implement __iter__.")

    def __add__(self, other):
        return ChainDataset([self, other])


class _TensorBatch(Sequence):
    """The samples ``tuple(t[i] for t in tensors)`` for i in ``indices``, gathered lazily.

    ``default_collate`` recognises it and gathers each tensor with one ``index_select`` (into
    shared memory inside a worker); any other collate_fn sees an ordinary sequence of samples.
    """

    __slots__ = ("tensors", "indices")

    def __init__(self, tensors, indices):
        self.tensors = tensors
        self.indices = indices

    def __len__(self):
        return len(self.indices)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        k = self.indices[i]
        return tuple(t[k] for t in self.tensors)

    def index_tensor(self):
        """The indices as an int64 tensor of non-negative positions, or None if they can't be one."""
        idx = self.indices
        if isinstance(idx, TensorBase):
            idx = idx.numpy()
        arr = np.asarray(idx)
        if arr.ndim != 1 or arr.dtype.kind not in "iu" or arr.size == 0:
            return None
        n = self.tensors[0].shape[0]
        lo, hi = int(arr.min()), int(arr.max())
        if lo < -n or hi >= n:
            bad = lo if lo < -n else hi
            raise IndexError(f"index {bad} is out of bounds for dimension 0 with size {n}")
        if lo < 0:
            arr = np.where(arr < 0, arr + n, arr)
        return cytorch.from_numpy(np.ascontiguousarray(arr, dtype=np.int64))

    def gather(self, alloc=None):
        """One gather per tensor: ``[t.index_select(0, idx) for t in tensors]``.

        ``alloc(shape, dtype)``, when given, supplies the output tensors (shared memory in a worker).
        """
        idx = self.index_tensor()
        if idx is None:
            return None
        out = []
        for t in self.tensors:
            if alloc is None:
                out.append(cytorch.index_select(t, 0, idx))
            else:
                dst = alloc((idx.shape[0],) + tuple(t.shape[1:]), t.dtype)
                out.append(cytorch.index_select(t, 0, idx, out=dst))
        return out


class TensorDataset(Dataset):
    """Samples are the rows of tensors that share their first dimension.

    Args:
        *tensors (Tensor): tensors with the same ``size(0)``.

    Shape:
        ``ds[i]`` is ``tuple(t[i] for t in tensors)``; ``len(ds)`` is ``tensors[0].size(0)``.

    Example::

        >>> x, y = cytorch.randn(100, 3), cytorch.arange(100)
        >>> ds = cytorch.utils.data.TensorDataset(x, y)
        >>> ds[2][1]
        tensor(2)
    """

    def __init__(self, *tensors):
        if any(tensors[0].size(0) != t.size(0) for t in tensors):
            raise AssertionError("Size mismatch between tensors")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __getitems__(self, indices):
        return _TensorBatch(self.tensors, indices)

    def __len__(self):
        return self.tensors[0].size(0)


class StackDataset(Dataset):
    """Zip datasets of equal length: ``StackDataset(a, b)[i] == (a[i], b[i])``.

    Args:
        *args (Dataset): datasets whose samples are returned as a tuple, or
        **kwargs (Dataset): datasets whose samples are returned as a dict (not both).

    Example::

        >>> ds = cytorch.utils.data.StackDataset(image=[1, 2], label=[0, 1])
        >>> ds[1]
        {'image': 2, 'label': 1}
    """

    def __init__(self, *args, **kwargs):
        if args and kwargs:
            raise ValueError("Supported either ``tuple``- (via ``args``) or``dict``- (via ``kwargs``) like "
                             "input/output, but both types are given.")
        if not args and not kwargs:
            raise ValueError("At least one dataset should be passed")
        parts = list(args) if args else list(kwargs.values())
        self._length = len(parts[0])
        if any(self._length != len(d) for d in parts):
            raise ValueError("Size mismatch between datasets")
        self.datasets = args if args else kwargs

    def __getitem__(self, index):
        if isinstance(self.datasets, dict):
            return {k: d[index] for k, d in self.datasets.items()}
        return tuple(d[index] for d in self.datasets)

    def _column(self, dataset, indices):
        if callable(getattr(dataset, "__getitems__", None)):
            items = dataset.__getitems__(indices)
            if len(items) != len(indices):
                raise ValueError(f"Nested dataset's output size mismatch. Expected {len(indices)}, got {len(items)}")
            return items
        return [dataset[i] for i in indices]

    def __getitems__(self, indices):
        if isinstance(self.datasets, dict):
            cols = {k: self._column(d, indices) for k, d in self.datasets.items()}
            return [{k: c[j] for k, c in cols.items()} for j in range(len(indices))]
        cols = [self._column(d, indices) for d in self.datasets]
        return [tuple(c[j] for c in cols) for j in range(len(indices))]

    def __len__(self):
        return self._length


class ConcatDataset(Dataset):
    """Map-style datasets one after another.

    Args:
        datasets (iterable): the datasets (not IterableDatasets).

    Example::

        >>> ds = cytorch.utils.data.ConcatDataset([[1, 2], [3]])
        >>> len(ds), ds[2]
        (3, 3)
    """

    @staticmethod
    def cumsum(sequence):
        return list(itertools.accumulate(len(e) for e in sequence))

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if len(self.datasets) == 0:
            raise AssertionError("datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise AssertionError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = self.cumsum(self.datasets)

    def __len__(self):
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx):
        if idx < 0:
            if -idx > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            idx = len(self) + idx
        k = bisect.bisect_right(self.cumulative_sizes, idx)
        start = self.cumulative_sizes[k - 1] if k > 0 else 0
        return self.datasets[k][idx - start]


class ChainDataset(IterableDataset):
    """IterableDatasets one after another, chained on the fly.

    Args:
        datasets (iterable of IterableDataset): the streams to chain.
    """

    def __init__(self, datasets):
        self.datasets = datasets

    def _checked(self):
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            yield d

    def __iter__(self):
        for d in self._checked():
            yield from d

    def __len__(self):
        return sum(len(d) for d in self._checked())


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``: ``Subset(ds, idx)[i] == ds[idx[i]]``.

    Args:
        dataset (Dataset): the whole dataset.
        indices (sequence): positions in it.
    """

    def __init__(self, dataset, indices):
        if type(self).__getitem__ is not Subset.__getitem__ and type(self).__getitems__ is Subset.__getitems__:
            raise NotImplementedError(
                f"{type(self).__name__} overrides __getitem__ but not __getitems__. When subclassing Subset and "
                "overriding __getitem__, you must also override __getitems__ to ensure DataLoader works correctly "
                "with your custom logic. A simple implementation:\n\n"
                "def __getitems__(self, indices):\n    return [self.__getitem__(idx) for idx in indices]")
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices):
        picked = [self.indices[i] for i in indices]
        if callable(getattr(self.dataset, "__getitems__", None)):
            return self.dataset.__getitems__(picked)
        return [self.dataset[i] for i in picked]

    def __len__(self):
        return len(self.indices)


def random_split(dataset, lengths, generator=None):
    """Split ``dataset`` into non-overlapping random :class:`Subset` s.

    Args:
        dataset (Dataset): the dataset to split.
        lengths (sequence): the sizes, or fractions summing to 1 (each gets ``floor(frac * len)``,
            the remainder is dealt out one by one from the first split).
        generator (Generator, optional): source of the permutation (default: cytorch's default).

    Example::

        >>> g = cytorch.Generator().manual_seed(42)
        >>> train, val = cytorch.utils.data.random_split(range(10), [0.8, 0.2], generator=g)
        >>> len(train), len(val)
        (8, 2)
    """
    lengths = list(lengths)
    total = sum(lengths)
    if math.isclose(total, 1) and total <= 1:
        n = len(dataset)
        sizes = []
        for i, frac in enumerate(lengths):
            if frac < 0 or frac > 1:
                raise ValueError(f"Fraction at index {i} is not between 0 and 1")
            sizes.append(math.floor(n * frac))
        for i in range(n - sum(sizes)):
            sizes[i % len(sizes)] += 1
        lengths = sizes
        for i, size in enumerate(lengths):
            if size == 0:
                warnings.warn(f"Length of split at index {i} is 0. This might result in an empty dataset.",
                              stacklevel=2)
    if sum(lengths) != len(dataset):
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    perm = cytorch.randperm(sum(lengths), generator=generator).tolist()
    out, start = [], 0
    for size in lengths:
        out.append(Subset(dataset, perm[start:start + size]))
        start += size
    return out
