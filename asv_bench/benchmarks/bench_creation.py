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

    def time_tensor_from_nested_list(self):
        cytorch.tensor([[1, 2], [3, 4.0]])

    def time_tensor_from_list_dtype(self):
        cytorch.tensor([1, 2, 3, 4], dtype=cytorch.float32)


class FromList:
    """tensor() of a long flat list and of a list of rows (the C walk over Python numbers)."""

    def setup(self):
        self.flat = [float(i) for i in range(100_000)]
        self.rows = [[float(i), float(i + 1), float(i + 2)] for i in range(30_000)]

    def time_flat_100k(self):
        cytorch.tensor(self.flat)

    def time_rows_30k_x3(self):
        cytorch.tensor(self.rows)


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
