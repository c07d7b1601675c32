"""nn: Module.__call__ overhead, Linear forward/backward, a small MLP's forward+backward."""
import cytorch
from cytorch import nn

from ._common import randn


class _ReLU(nn.Module):
    """nn.ReLU's stand-in (cytorch.relu), so the MLP does not wait for the activations' module."""

    def forward(self, x):
        return cytorch.relu(x)


class ModuleCall:
    """Calling a module whose forward does nothing: the cost of __call__ itself."""

    def setup(self):
        self.m = nn.Identity()
        self.x = cytorch.ones(1)
        self.hooked = nn.Identity()
        self.hooked.register_forward_hook(lambda m, a, o: None)

    def time_call(self):
        self.m(self.x)

    def time_call_with_forward_hook(self):
        self.hooked(self.x)


class LinearLayer:
    """Linear(784, 128) on a batch: forward (one addmm) and forward+backward (two more gemms)."""

    params = [1, 64, 512]
    param_names = ["batch"]

    def setup(self, batch):
        cytorch.manual_seed(0)
        self.lin = nn.Linear(784, 128)
        self.x = randn(batch, 784)

    def time_forward(self, batch):
        self.lin(self.x)

    def time_forward_no_grad(self, batch):
        with cytorch.no_grad():
            self.lin(self.x)

    def time_forward_backward(self, batch):
        self.lin.zero_grad()
        self.lin(self.x).sum().backward()


class TinyMLP:
    """Flatten -> Linear(784, 128) -> ReLU -> Linear(128, 10), forward+backward."""

    params = [64, 512]
    param_names = ["batch"]

    def setup(self, batch):
        cytorch.manual_seed(0)
        self.model = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), _ReLU(), nn.Linear(128, 10))
        self.x = randn(batch, 1, 28, 28)

    def time_forward_backward(self, batch):
        self.model.zero_grad()
        self.model(self.x).sum().backward()
