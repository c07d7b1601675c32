"""Every layer class of cytorch.nn, one file per family (one import line per file)."""
from .module import Module  # noqa: F401
