"""Data loading: an epoch over an in-memory TensorDataset, and worker processes on a slow dataset."""
import time

import numpy as np

import cytorch
from cytorch.utils.data import DataLoader, Dataset, TensorDataset


class TensorEpoch:
    """One shuffled epoch over 60,000 x 784 float32 (+ int64 labels) at batch 64, in this process:
    each batch is one index_select per tensor (TensorDataset.__getitems__)."""

    def setup(self):
        rng = np.random.default_rng(0)
        x = cytorch.from_numpy(rng.standard_normal((60_000, 784), dtype=np.float32))
        y = cytorch.from_numpy(rng.integers(0, 10, 60_000))
        self.loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True)

    def time_epoch_batch64(self):
        for _ in self.loader:
            pass


class SlowSamples(Dataset):
    """256 samples that cost ~1 ms each to produce (time.sleep), like decoding a file."""

    def __init__(self):
        self.x = cytorch.ones(256, 32)

    def __len__(self):
        return 256

    def __getitem__(self, i):
        time.sleep(0.001)
        return self.x[i], i


class Workers:
    """One epoch of SlowSamples at batch 16: 0 workers vs 2 persistent workers (started in setup)."""

    params = [0, 2]
    param_names = ["num_workers"]

    def setup(self, num_workers):
        self.loader = DataLoader(SlowSamples(), batch_size=16, num_workers=num_workers,
                                 persistent_workers=num_workers > 0)
        for _ in self.loader:        # start the workers outside the timing
            pass

    def time_epoch(self, num_workers):
        for _ in self.loader:
            pass
