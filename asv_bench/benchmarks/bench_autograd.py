"""Autograd overhead: a tiny graph on 1-element tensors, and a 100-op elementwise chain."""
import numpy as np

import cytorch
from ._common import require


class TinyBackward:
    """(a * b + c).sum().backward() on 1-element tensors: per-node engine cost."""

    def setup(self):
        require("Tensor.backward", "sum")
        self.a, self.b, self.c = (cytorch.ones(1, requires_grad=True) for _ in range(3))

    def time_tiny_backward(self):
        (self.a * self.b + self.c).sum().backward()


class ChainBackward:
    """100 elementwise ops forward and backward on 1,000-element tensors."""

    def setup(self):
        require("Tensor.backward", "sum", "tanh")
        x = np.random.default_rng(3).standard_normal(1000).astype(np.float32)
        self.x = cytorch.from_numpy(x).requires_grad_(True)

    def time_chain(self):
        y = self.x
        for _ in range(25):
            y = (y * 0.5 + 0.1).tanh() - y * 0.01
        y.sum().backward()
