"""cytorch.cuda: the GPU backend does not exist yet, so no device is available (`cuda.amp` is there, disabled,
as PyTorch's is on a machine without CUDA)."""
from cytorch.cuda import amp  # noqa: F401


def is_available():
    """False: cytorch has no CUDA backend yet."""
    return False


def device_count():
    return 0


def manual_seed(seed):
    """Accepted for compatibility; there is no CUDA generator to seed."""


def manual_seed_all(seed):
    """Accepted for compatibility; there is no CUDA generator to seed."""


def synchronize(device=None):
    """Nothing to wait for without a GPU."""
