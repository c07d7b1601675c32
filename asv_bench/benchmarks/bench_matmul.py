"""Matrix products (skipped until cytorch.matmul exists); compare with raw OpenBLAS sgemm."""
import numpy as np

import cytorch

from ._common import randn, require


class Matmul:
    params = [64, 1024]
    param_names = ["n"]

    def setup(self, n):
        require("matmul")
        self.a = randn(n, n)
        self.b = randn(n, n, seed=1)
        self.bt = randn(n, n, seed=2).t()

    def time_matmul(self, n):
        cytorch.matmul(self.a, self.b)

    def time_matmul_transposed(self, n):
        cytorch.matmul(self.a, self.bt)


class RawSgemm:
    """SciPy's OpenBLAS sgemm on the same shapes: the floor matmul is measured against."""

    params = [64, 1024]
    param_names = ["n"]

    def setup(self, n):
        from scipy.linalg import blas
        self.sgemm = blas.sgemm
        rng = np.random.default_rng(0)
        self.a = np.asfortranarray(rng.standard_normal((n, n), dtype=np.float32))
        self.b = np.asfortranarray(rng.standard_normal((n, n), dtype=np.float32))

    def time_sgemm(self, n):
        self.sgemm(1.0, self.a, self.b)
