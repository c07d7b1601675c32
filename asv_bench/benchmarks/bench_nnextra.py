"""CTC loss (the fused alpha-beta kernel, src_c/ct_ctc.c) and a lazy module's first call."""
import numpy as np

import cytorch
from ._common import randn, require


class CTCLoss:
    """F.ctc_loss on (T, N, C) log-probabilities with padded (N, S) targets (mean reduction)."""

    params = [(50, 16, 20, 10), (200, 32, 30, 40)]
    param_names = ["T, N, C, S"]

    def setup(self, shape):
        require("nn.functional.ctc_loss")
        T, N, C, S = shape
        rng = np.random.default_rng(3)
        self.x = randn(T, N, C).log_softmax(2).detach().requires_grad_(True)
        self.tg = cytorch.from_numpy(rng.integers(1, C, (N, S)))
        self.il = cytorch.full((N,), T, dtype=cytorch.int64)
        self.tl = cytorch.from_numpy(rng.integers(S // 2, S + 1, N))
        self.F = cytorch.nn.functional

    def time_forward(self, shape):
        with cytorch.no_grad():
            self.F.ctc_loss(self.x, self.tg, self.il, self.tl)

    def time_forward_backward(self, shape):
        self.x.grad = None
        self.F.ctc_loss(self.x, self.tg, self.il, self.tl).backward()


class LazyFirstCall:
    """Building a lazy layer and its first forward (shape inference, materialisation, init)."""

    def setup(self):
        require("nn.LazyConv2d", "nn.LazyLinear")
        self.x = randn(8, 16, 8, 8)
        self.v = randn(8, 256)

    def time_lazy_conv2d(self):
        cytorch.nn.LazyConv2d(16, 3)(self.x)

    def time_lazy_linear(self):
        cytorch.nn.LazyLinear(64)(self.v)
