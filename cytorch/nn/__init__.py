"""cytorch.nn: neural-network layers, losses, initialisation and utilities (PyTorch's API).

Modules own Parameters and call ``cytorch.nn.functional``; nothing here touches C directly.
"""
from cytorch.nn.parameter import Parameter, Buffer, UninitializedParameter, UninitializedBuffer  # noqa: F401
from cytorch.nn import functional, init, utils  # noqa: F401
from cytorch.nn.modules import *  # noqa: F401,F403
