"""nn.functional's fused kernels: softmax, layer_norm, batch_norm, gelu, dropout (forward and
forward+backward), at a large and a small size each."""
import cytorch
import cytorch.nn.functional as F

from ._common import randn, require


class _FwdBwd:
    """time_forward: the op alone; time_forward_backward: the op and its backward (fused kernels)."""

    params = []
    param_names = ["shape"]

    def op(self, *xs):
        raise NotImplementedError

    def inputs(self, shape):
        return [randn(*shape)]

    def setup(self, shape):
        require("nn.functional")
        self.xs = self.inputs(shape)
        for x in self.xs:
            x.requires_grad_(True)
        self.g = cytorch.ones(self.op(*self.xs).shape)

    def time_forward(self, shape):
        with cytorch.no_grad():
            self.op(*self.xs)

    def time_forward_backward(self, shape):
        for x in self.xs:
            x.grad = None
        self.op(*self.xs).backward(self.g)


class Softmax(_FwdBwd):
    params = [[(64, 10), (256, 1024)]]

    def op(self, x):
        return F.softmax(x, -1)


class LogSoftmax(_FwdBwd):
    params = [[(64, 10), (256, 1024)]]

    def op(self, x):
        return F.log_softmax(x, -1)


class LayerNorm(_FwdBwd):
    params = [[(64, 128), (256, 1024)]]

    def inputs(self, shape):
        return [randn(*shape), randn(shape[-1], seed=1), randn(shape[-1], seed=2)]

    def op(self, x, w, b):
        return F.layer_norm(x, (x.shape[-1],), w, b)


class BatchNorm(_FwdBwd):
    """Training mode: batch statistics (and the running-stat update) plus the normalisation."""

    params = [[(512, 256), (32, 64, 28, 28)]]

    def inputs(self, shape):
        return [randn(*shape), randn(shape[1], seed=1), randn(shape[1], seed=2)]

    def setup(self, shape):
        super().setup(shape)
        self.rm, self.rv = cytorch.zeros(shape[1]), cytorch.ones(shape[1])

    def op(self, x, w, b):
        return F.batch_norm(x, self.rm, self.rv, w, b, True)


class GELU(_FwdBwd):
    params = [[(64, 128), (1 << 20,)]]

    def op(self, x):
        return F.gelu(x)


class Dropout(_FwdBwd):
    params = [[(64, 128), (1 << 20,)]]

    def op(self, x):
        return F.dropout(x, 0.5)
