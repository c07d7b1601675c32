"""Samplers: the order in which a DataLoader visits a map-style dataset's keys.

Random samplers draw from cytorch's Philox generator, so an order is reproducible for a seed
(``generator=cytorch.Generator().manual_seed(s)``) but is not PyTorch's order for the same seed.
"""
import itertools

import cytorch

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler",
           "BatchSampler"]

_I64 = cytorch.int64


def _draw_seed(generator=None):
    """A fresh 63-bit seed drawn from ``generator`` (or the default one), like ``random_().item()``."""
    return int(cytorch.empty((), dtype=_I64).random_(generator=generator).item())


class Sampler:
    """Base class: ``__iter__`` yields keys (or lists of keys); ``__len__`` is optional.

    Example::

        >>> class Backwards(cytorch.utils.data.Sampler):
        ...     def __init__(self, n): self.n = n
        ...     def __iter__(self): return iter(range(self.n - 1, -1, -1))
        ...     def __len__(self): return self.n
    """

    def __init__(self, data_source=None):
        pass

    def __iter__(self):
        raise NotImplementedError

    def __class_getitem__(cls, item):      # Sampler[int] in type hints
        return cls


class SequentialSampler(Sampler):
    """0, 1, ..., len(data_source) - 1.

    Args:
        data_source (Sized): anything with ``__len__``.
    """

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler):
    """A random permutation of the keys (or, with replacement, independent uniform draws).

    Args:
        data_source (Sized): anything with ``__len__``.
        replacement (bool): draw with replacement. Default: False.
        num_samples (int, optional): how many keys to yield (default ``len(data_source)``); without
            replacement, more than ``len`` chains fresh permutations.
        generator (Generator, optional): the source of randomness. Without one, each iteration seeds
            a private generator from cytorch's default generator.

    Example::

        >>> g = cytorch.Generator().manual_seed(0)
        >>> sorted(cytorch.utils.data.RandomSampler(range(5), generator=g))
        [0, 1, 2, 3, 4]
    """

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got replacement={self.replacement}")
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples={self.num_samples}")

    @property
    def num_samples(self):
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        n = len(self.data_source)
        g = self.generator
        if g is None:
            g = cytorch.Generator().manual_seed(_draw_seed())
        m = self.num_samples
        if self.replacement:
            for _ in range(m // 32):
                yield from cytorch.randint(0, n, (32,), generator=g).tolist()
            yield from cytorch.randint(0, n, (m % 32,), generator=g).tolist()
        else:
            for _ in range(m // n):
                yield from cytorch.randperm(n, generator=g).tolist()
            yield from cytorch.randperm(n, generator=g).tolist()[:m % n]

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given keys in a random order (without replacement).

    Args:
        indices (sequence): the keys.
        generator (Generator, optional): the source of randomness.
    """

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = generator

    def __iter__(self):
        for i in cytorch.randperm(len(self.indices), generator=self.generator).tolist():
            yield self.indices[i]

    def __len__(self):
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """Keys 0..len(weights)-1 drawn with probabilities proportional to ``weights``.

    Args:
        weights (sequence): non-negative weights (need not sum to one).
        num_samples (int): how many keys to draw.
        replacement (bool): draw with replacement (default); without, each key at most once.
        generator (Generator, optional): the source of randomness.

    Example::

        >>> s = cytorch.utils.data.WeightedRandomSampler([0.0, 1.0, 0.0], 4)
        >>> list(s)
        [1, 1, 1, 1]
    """

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        if not isinstance(num_samples, int) or isinstance(num_samples, bool) or num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples={num_samples}")
        if not isinstance(replacement, bool):
            raise ValueError(f"replacement should be a boolean value, but got replacement={replacement}")
        w = cytorch.as_tensor(weights, dtype=cytorch.float64)
        if w.dim() != 1:
            raise ValueError(f"weights should be a 1d sequence but given weights have shape {tuple(w.shape)}")
        self.weights = w
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self):
        drawn = cytorch.multinomial(self.weights, self.num_samples, self.replacement, generator=self.generator)
        yield from drawn.tolist()

    def __len__(self):
        return self.num_samples


class BatchSampler(Sampler):
    """Group another sampler's keys into lists of ``batch_size``.

    Args:
        sampler (Sampler or iterable): the keys.
        batch_size (int): keys per batch.
        drop_last (bool): drop a last, short batch.

    Example::

        >>> list(cytorch.utils.data.BatchSampler(range(7), 3, drop_last=False))
        [[0, 1, 2], [3, 4, 5], [6]]
    """

    def __init__(self, sampler, batch_size, drop_last):
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self):
        it = iter(self.sampler)
        if self.drop_last:
            for batch in zip(*([it] * self.batch_size)):
                yield list(batch)
            return
        batch = list(itertools.islice(it, self.batch_size))
        while batch:
            yield batch
            batch = list(itertools.islice(it, self.batch_size))

    def __len__(self):
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size
