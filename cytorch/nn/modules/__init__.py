"""Every layer class of cytorch.nn, one file per family (one import line per file)."""
from .module import Module  # noqa: F401
from .container import Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict  # noqa: F401
from .linear import Identity, Linear, Bilinear, LazyLinear  # noqa: F401
from .flatten import Flatten, Unflatten  # noqa: F401
