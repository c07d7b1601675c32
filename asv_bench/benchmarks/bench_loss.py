"""Losses: the fused cross-entropy (class indices) and BCE-with-logits kernels, forward and
forward+backward, at a small (MNIST-like) and a large (ImageNet-like) classifier head."""
import numpy as np

import cytorch
from ._common import randn, require


class CrossEntropy:
    """F.cross_entropy over (N, C) logits and N class indices (mean reduction)."""

    params = [(64, 10), (512, 1000)]
    param_names = ["N, C"]

    def setup(self, shape):
        require("nn.functional.cross_entropy")
        n, c = shape
        self.x = randn(n, c).requires_grad_(True)
        self.t = cytorch.from_numpy(np.random.default_rng(1).integers(0, c, n))
        self.F = cytorch.nn.functional

    def time_forward(self, shape):
        with cytorch.no_grad():
            self.F.cross_entropy(self.x, self.t)

    def time_forward_backward(self, shape):
        self.x.grad = None
        self.F.cross_entropy(self.x, self.t).backward()


class CrossEntropySpatial:
    """F.cross_entropy over (N, C, H, W) scores (segmentation layout), label smoothing on."""

    def setup(self):
        require("nn.functional.cross_entropy")
        self.x = randn(4, 21, 64, 64).requires_grad_(True)
        self.t = cytorch.from_numpy(np.random.default_rng(1).integers(0, 21, (4, 64, 64)))
        self.F = cytorch.nn.functional

    def time_forward_backward(self):
        self.x.grad = None
        self.F.cross_entropy(self.x, self.t, label_smoothing=0.1).backward()


class BCEWithLogits:
    """F.binary_cross_entropy_with_logits with a (C,) pos_weight, (512, 1000)."""

    def setup(self):
        require("nn.functional.binary_cross_entropy_with_logits")
        self.x = randn(512, 1000).requires_grad_(True)
        self.y = cytorch.from_numpy((np.random.default_rng(1).random((512, 1000)) > 0.5).astype(np.float32))
        self.pw = randn(1000, seed=2).abs()
        self.F = cytorch.nn.functional

    def time_forward_backward(self):
        self.x.grad = None
        self.F.binary_cross_entropy_with_logits(self.x, self.y, pos_weight=self.pw).backward()
