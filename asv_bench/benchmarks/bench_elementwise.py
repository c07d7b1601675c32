"""Elementwise ops: per-op overhead (1 element), bandwidth (10M), and memory layouts."""
import cytorch

from ._common import M10, randn


class SmallAdd:
    """A 1-element ``a + b``: measures everything but the arithmetic (dispatch, allocation)."""

    def setup(self):
        self.a = cytorch.ones(1)
        self.b = cytorch.ones(1)

    def time_add_1(self):
        self.a + self.b

    def time_add_scalar_1(self):
        self.a + 1.0


class Large:
    """10M-element float32 ops: should run at memory bandwidth."""

    def setup(self):
        self.a = randn(M10)
        self.b = randn(M10, seed=1)
        self.out = cytorch.empty(M10)

    def time_add_10m(self):
        self.a + self.b

    def time_add_10m_out(self):
        cytorch.add(self.a, self.b, out=self.out)

    def time_exp_10m(self):
        cytorch.exp(self.a)

    def time_mul_inplace_10m(self):
        self.out.mul_(1.0)


class Layouts:
    """The same 3162x3162 add/exp on contiguous data, a transposed view, and a broadcast row."""

    params = ["contiguous", "transposed", "broadcast"]
    param_names = ["layout"]

    def setup(self, layout):
        n = 3162
        base = randn(n, n)
        self.b = randn(n, n, seed=1)
        if layout == "contiguous":
            self.a = base
        elif layout == "transposed":
            self.a = base.t()
        else:
            self.a = randn(1, n).expand(n, n)

    def time_add(self, layout):
        self.a + self.b

    def time_exp(self, layout):
        cytorch.exp(self.a)

    def time_contiguous_copy(self, layout):
        self.a.contiguous()
