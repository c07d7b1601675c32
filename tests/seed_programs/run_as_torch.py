"""Run a PyTorch program with cytorch standing in for torch and torchvision.

    python run_as_torch.py PROGRAM.py

Installs a meta-path alias before the program runs: `torch` and every `torch.X` resolve to `cytorch`
and `cytorch.X` (so `import torch.nn.functional as F` gives cytorch.nn.functional), `torchvision` and
`torchvision.X` to `cytorch.vision` and `cytorch.vision.X`. The program's own import lines are not
touched. A submodule cytorch lacks raises ModuleNotFoundError naming the cytorch module.

Offline data: `torchvision.datasets.MNIST` builds the bundled Digits set upscaled to 28x28 (1,433
train / 364 test images, scikit-learn's UCI digits) instead of downloading MNIST; the program sees
the same interface (root, train, transform, target_transform, download).
"""
import importlib
import importlib.abc
import importlib.util
import runpy
import sys

_ALIASES = (("torchvision", "cytorch.vision"), ("torch", "cytorch"))


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target):
        self.target = target

    def create_module(self, spec):
        return importlib.import_module(self.target)

    def exec_module(self, module):
        pass                              # the cytorch module is already initialised


class _AliasFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        for alias, real in _ALIASES:
            if name == alias or name.startswith(alias + "."):
                real_name = real + name[len(alias):]
                if importlib.util.find_spec(real_name) is None:
                    return None           # let the normal machinery raise "No module named ..."
                return importlib.util.spec_from_loader(name, _AliasLoader(real_name))
        return None


def _offline_mnist():
    from cytorch.vision import datasets

    class MNIST(datasets.Digits):
        """Offline stand-in for torchvision.datasets.MNIST: Digits(resize=28)."""

        def __init__(self, root=None, train=True, transform=None, target_transform=None, download=False):
            super().__init__(root, train=train, transform=transform, target_transform=target_transform,
                             resize=28)

    datasets.MNIST = MNIST


def main(argv):
    if len(argv) != 2:
        raise SystemExit("usage: python run_as_torch.py PROGRAM.py")
    sys.meta_path.insert(0, _AliasFinder())
    _offline_mnist()
    sys.argv = argv[1:]
    runpy.run_path(argv[1], run_name="__main__")


if __name__ == "__main__":
    main(sys.argv)
