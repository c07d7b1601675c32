"""cytorch.utils: data loading, DLPack interop."""
from cytorch.utils import data  # noqa: F401
