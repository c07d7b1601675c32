"""cytorch.nn.init: parameter initialisation (PyTorch's API)."""
