"""DistributedSampler: each of ``num_replicas`` processes sees its own share of a dataset."""
import math

import cytorch
from cytorch.utils.data.sampler import Sampler

__all__ = ["DistributedSampler"]


def _process_group(what):
    """World size or rank from cytorch.distributed, when it exists and is initialised."""
    try:
        import cytorch.distributed as dist
    except ImportError:
        dist = None
    if dist is None or not getattr(dist, "is_available", lambda: False)():
        raise RuntimeError("Requires distributed package to be available")
    return dist.get_world_size() if what == "world_size" else dist.get_rank()


class DistributedSampler(Sampler):
    """Restrict loading to one replica's share: the keys ``rank, rank + num_replicas, ...``.

    Without ``drop_last`` the (shuffled) key list is padded by repeating its head so that every
    replica gets ``ceil(len / num_replicas)`` keys; with it, the tail is cut to a multiple of
    ``num_replicas``. Works without a process group when ``num_replicas`` and ``rank`` are given.

    Args:
        dataset (Dataset): a sized dataset.
        num_replicas (int, optional): number of processes (default: the process group's world size).
        rank (int, optional): this process's rank in ``[0, num_replicas)``.
        shuffle (bool): shuffle with a generator seeded ``seed + epoch``. Default: True.
        seed (int): the shuffle seed shared by all replicas. Default: 0.
        drop_last (bool): cut the tail instead of padding. Default: False.

    Example::

        >>> s = cytorch.utils.data.distributed.DistributedSampler(range(5), num_replicas=2, rank=1,
        ...                                                       shuffle=False)
        >>> list(s)
        [1, 3, 0]

    Call ``set_epoch(epoch)`` before each epoch so that the shuffle changes between epochs.
    """

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0, drop_last=False):
        if num_replicas is None:
            num_replicas = _process_group("world_size")
        if rank is None:
            rank = _process_group("rank")
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        n = len(dataset)
        if drop_last and n % num_replicas != 0:
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self):
        n = len(self.dataset)
        if self.shuffle:
            g = cytorch.Generator().manual_seed(self.seed + self.epoch)
            keys = cytorch.randperm(n, generator=g).tolist()
        else:
            keys = list(range(n))
        if self.drop_last:
            keys = keys[:self.total_size]
        else:
            pad = self.total_size - len(keys)
            if pad > 0:
                keys += (keys * math.ceil(pad / len(keys)))[:pad]
        return iter(keys[self.rank:self.total_size:self.num_replicas])

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch):
        """Use ``seed + epoch`` for the next shuffle (call it with the same epoch on every replica)."""
        self.epoch = epoch
