"""Tensor creation: small-object overhead and large fills."""
import numpy as np

import cytorch


class Small:
    def time_empty_1(self):
        cytorch.empty(1)

    def time_zeros_1(self):
        cytorch.zeros(1)

    def time_tensor_from_list(self):
        cytorch.tensor([1.0, 2.0, 3.0])

    def time_scalar_tensor(self):
        cytorch.tensor(1.5)


class Large:
    def setup(self):
        self.arr = np.ones(10_000_000, dtype=np.float32)

    def time_zeros_10m(self):
        cytorch.zeros(10_000_000)

    def time_full_10m(self):
        cytorch.full((10_000_000,), 2.0)

    def time_arange_10m(self):
        cytorch.arange(10_000_000)

    def time_from_numpy_10m(self):
        cytorch.from_numpy(self.arr)

    def time_tensor_from_numpy_copy_10m(self):
        cytorch.tensor(self.arr)
