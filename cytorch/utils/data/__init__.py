"""cytorch.utils.data: datasets, samplers, collation and the DataLoader (PyTorch's API).

See docs/data.md for how worker processes, shared memory and seeding work.
"""
from cytorch.utils.data import _shm  # noqa: F401  (attaches Tensor.share_memory_ / is_shared)
from cytorch.utils.data.dataset import (ChainDataset, ConcatDataset, Dataset, IterableDataset, StackDataset,
                                        Subset, TensorDataset, random_split)
from cytorch.utils.data.sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler,
                                        SubsetRandomSampler, WeightedRandomSampler)
from cytorch.utils.data.distributed import DistributedSampler
from cytorch.utils.data._collate import default_collate, default_convert
from cytorch.utils.data._worker import get_worker_info
from cytorch.utils.data.dataloader import DataLoader, _DatasetKind  # noqa: F401

__all__ = ["BatchSampler", "ChainDataset", "ConcatDataset", "DataLoader", "Dataset", "DistributedSampler",
           "IterableDataset", "RandomSampler", "Sampler", "SequentialSampler", "StackDataset", "Subset",
           "SubsetRandomSampler", "TensorDataset", "WeightedRandomSampler", "default_collate", "default_convert",
           "get_worker_info", "random_split"]
