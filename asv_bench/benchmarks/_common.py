"""Helpers shared by the suites: inputs, and the guard that skips ops not written yet."""
import numpy as np

import cytorch

M10 = 10_000_000


def require(*names):
    """Skip the benchmark (asv's NotImplementedError protocol) unless cytorch has every name."""
    for name in names:
        obj = cytorch
        for part in name.split("."):
            if not hasattr(obj, part):
                raise NotImplementedError(f"cytorch.{name} does not exist yet")
            obj = getattr(obj, part)


def randn(*shape, dtype=np.float32, seed=0):
    """A cytorch tensor of normal noise (made by NumPy: a benchmark input, not a result)."""
    return cytorch.from_numpy(np.random.default_rng(seed).standard_normal(shape).astype(dtype))
