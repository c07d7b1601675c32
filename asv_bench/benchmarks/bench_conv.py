"""conv family: convolutions (each kernel path), pooling, interpolation, and the seed CNN's
training step (Conv-ReLU-MaxPool x2, Linear x3, batch 64, 28x28)."""
import numpy as np

import cytorch
from cytorch import nn
from cytorch.nn import functional as F

from ._common import randn


class Conv2dForward:
    """Forward only (no_grad) of a 3x3 conv: ResNet 64->64 at 56x56 (channel-vectorised implicit
    gemm), the same strided (im2col + BLAS), a 1x1 conv, and a depthwise 3x3 (direct loops)."""

    params = ["resnet3x3", "strided3x3", "pointwise", "depthwise"]
    param_names = ["case"]

    def setup(self, case):
        cytorch.manual_seed(0)
        cin, cout, k, kw = {"resnet3x3": (64, 64, 3, dict(padding=1)),
                            "strided3x3": (64, 128, 3, dict(padding=1, stride=2)),
                            "pointwise": (64, 256, 1, {}),
                            "depthwise": (64, 64, 3, dict(padding=1, groups=64))}[case]
        self.m = nn.Conv2d(cin, cout, k, **kw)
        self.x = randn(8, cin, 56, 56)

    def time_forward(self, case):
        with cytorch.no_grad():
            self.m(self.x)


class Conv2dForwardBackward:
    """The seed CNN's two convolutions, forward + backward (input and weight gradients)."""

    params = ["conv1", "conv2"]
    param_names = ["layer"]

    def setup(self, layer):
        cytorch.manual_seed(0)
        cin, cout, hw = {"conv1": (1, 32, 28), "conv2": (32, 64, 13)}[layer]
        self.m = nn.Conv2d(cin, cout, 3)
        self.x = randn(64, cin, hw, hw).requires_grad_()

    def time_forward_backward(self, layer):
        self.m.zero_grad()
        self.x.grad = None
        self.m(self.x).sum().backward()


class Pooling:
    """2x2 max pooling (with the indices backward needs) and 3x3/2 average pooling."""

    def setup(self):
        self.x = randn(64, 32, 26, 26)
        self.xg = randn(64, 32, 26, 26).requires_grad_()

    def time_max_pool2d(self):
        F.max_pool2d(self.x, 2)

    def time_max_pool2d_forward_backward(self):
        self.xg.grad = None
        F.max_pool2d(self.xg, 2).sum().backward()

    def time_avg_pool2d(self):
        F.avg_pool2d(self.x, 3, 2, 1)

    def time_adaptive_avg_pool2d(self):
        F.adaptive_avg_pool2d(self.x, 1)


class Interpolate:
    """2x upsampling of (8, 32, 64, 64)."""

    params = ["nearest", "bilinear", "bicubic"]
    param_names = ["mode"]

    def setup(self, mode):
        self.x = randn(8, 32, 64, 64)

    def time_interpolate(self, mode):
        F.interpolate(self.x, scale_factor=2, mode=mode)


class SeedCNNStep:
    """One SGD training step of the seed network, batch 64, 28x28 (cross-entropy; SGD by hand
    until cytorch.optim exists)."""

    def setup(self):
        cytorch.manual_seed(0)

        class ReLU(nn.Module):
            def forward(self, x):
                return F.relu(x) if hasattr(F, "relu") else x.relu()
        relu = nn.ReLU if hasattr(nn, "ReLU") else ReLU
        self.model = nn.Sequential(nn.Conv2d(1, 32, 3), relu(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), relu(),
                                   nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1600, 120), relu(),
                                   nn.Linear(120, 84), relu(), nn.Linear(84, 10))
        self.params = list(self.model.parameters())
        self.x = randn(64, 1, 28, 28)
        self.y = cytorch.from_numpy(np.random.default_rng(1).integers(0, 10, 64))

    def time_train_step(self):
        for p in self.params:
            p.grad = None
        out = self.model(self.x)
        if hasattr(F, "cross_entropy"):
            loss = F.cross_entropy(out, self.y)
        else:
            loss = -out.log_softmax(1).gather(1, self.y.reshape(-1, 1)).mean()
        loss.backward()
        with cytorch.no_grad():
            for p in self.params:
                p.sub_(0.01 * p.grad)
