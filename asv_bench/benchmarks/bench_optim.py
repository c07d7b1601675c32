"""optim: optimizer.step() of the fused C updates, and an LR scheduler step."""
import numpy as np

import cytorch
from ._common import require


def _params(count, size, seed=0):
    """count float32 leaf tensors of size elements, each with a gradient."""
    rng = np.random.default_rng(seed)
    params = []
    for _ in range(count):
        p = cytorch.from_numpy(rng.standard_normal(size).astype(np.float32)).requires_grad_(True)
        p.grad = cytorch.from_numpy(rng.standard_normal(size).astype(np.float32))
        params.append(p)
    return params


class ManyParams:
    """step() over 100 parameters of 10k elements (a mid-sized model's worth of tensors)."""

    params = ["SGD", "SGD-momentum", "Adam", "AdamW-amsgrad", "RMSprop", "Adagrad", "Adadelta", "Adamax",
              "NAdam", "RAdam", "Rprop", "ASGD"]
    param_names = ["optimizer"]

    def setup(self, optimizer):
        require("optim.Adam")
        kw = {"SGD": dict(lr=0.1), "SGD-momentum": dict(lr=0.1, momentum=0.9),
              "AdamW-amsgrad": dict(amsgrad=True)}.get(optimizer, {})
        cls = getattr(cytorch.optim, optimizer.split("-")[0])
        self.opt = cls(_params(100, 10_000), **kw)
        self.opt.step()        # state created outside the timing

    def time_step(self, optimizer):
        self.opt.step()


class OneLargeParam:
    """Adam on one 10M-element parameter: memory bandwidth (param, grad, two moments)."""

    def setup(self):
        require("optim.Adam")
        self.opt = cytorch.optim.Adam(_params(1, 10_000_000))
        self.opt.step()

    def time_step(self):
        self.opt.step()


class SmallParams:
    """Adam on 10 parameters of 100 elements: the per-call overhead."""

    def setup(self):
        require("optim.Adam")
        self.opt = cytorch.optim.Adam(_params(10, 100))
        self.opt.step()

    def time_step(self):
        self.opt.step()


class SchedulerStep:
    """One CosineAnnealingLR step (Python only)."""

    def setup(self):
        require("optim.lr_scheduler.CosineAnnealingLR")
        self.opt = cytorch.optim.SGD(_params(1, 10), lr=0.1)
        self.sched = cytorch.optim.lr_scheduler.CosineAnnealingLR(self.opt, T_max=1000)
        self.opt.step()

    def time_step(self):
        self.sched.step()
