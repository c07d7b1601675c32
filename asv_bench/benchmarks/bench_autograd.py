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


class LargeGradient:
    """Backward into 1024x1024 leaves: the first .grad takes the fresh gradient without a copy."""

    def setup(self):
        require("Tensor.backward", "sum", "nn.functional.linear")
        self.w = cytorch.from_numpy(np.random.default_rng(0).standard_normal((1024, 1024))
                                    .astype(np.float32)).requires_grad_(True)
        self.x = cytorch.from_numpy(np.random.default_rng(1).standard_normal((16, 1024)).astype(np.float32))

    def time_elementwise_backward(self):
        self.w.grad = None
        (self.w * 2).sum().backward()

    def time_linear_backward(self):
        self.w.grad = None
        cytorch.nn.functional.linear(self.x, self.w).sum().backward()


class ReluBackward:
    """relu's first-order backward (one fused pass) on 1M elements."""

    def setup(self):
        require("relu", "autograd.grad")
        self.x = cytorch.from_numpy(np.random.default_rng(2).standard_normal(1 << 20)
                                    .astype(np.float32)).requires_grad_(True)
        self.y = cytorch.relu(self.x)
        self.g = cytorch.ones(1 << 20)

    def time_relu_backward_1m(self):
        cytorch.autograd.grad(self.y, self.x, self.g, retain_graph=True)
