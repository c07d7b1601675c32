"""Reductions (skipped until cytorch.sum exists)."""
import cytorch

from ._common import M10, randn, require


class Sum:
    def setup(self):
        require("sum")
        self.a = randn(M10)
        self.m = randn(3162, 3162)

    def time_sum_10m(self):
        cytorch.sum(self.a)

    def time_sum_dim0(self):
        cytorch.sum(self.m, 0)

    def time_sum_dim1(self):
        cytorch.sum(self.m, 1)
