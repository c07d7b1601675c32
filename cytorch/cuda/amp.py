"""cytorch.cuda.amp: CUDA mixed precision, always disabled (cytorch has no CUDA backend).

PyTorch on a machine without CUDA behaves the same way: `autocast()` and `GradScaler()` warn once
and turn themselves off, so an AMP training loop runs unchanged in float32:

    scaler = GradScaler()
    with autocast():
        loss = criterion(model(x), y)
    scaler.scale(loss).backward()   # scale() returns loss unchanged
    scaler.step(optimizer)          # a plain optimizer.step()
    scaler.update()                 # nothing to update
"""
import functools
import warnings

__all__ = ["autocast", "GradScaler"]


class autocast:
    """Context manager / decorator for CUDA autocasting; disabled here (warns when asked to enable).

    Args:
        enabled (bool): ignored beyond the warning: there is no CUDA device to autocast on.
        dtype, cache_enabled: accepted for compatibility.

    Example:
        >>> with autocast():
        ...     out = model(x)          # runs in the tensors' own dtypes
    """

    def __init__(self, enabled=True, dtype=None, cache_enabled=True):
        if enabled:
            warnings.warn("CUDA is not available. Disabling autocast.", UserWarning, stacklevel=2)
        self._enabled = False

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self:
                return func(*args, **kwargs)
        return wrapper


class GradScaler:
    """Gradient scaler for CUDA mixed precision; disabled here, so every method is the identity.

    Args:
        init_scale, growth_factor, backoff_factor, growth_interval: accepted for compatibility.
        enabled (bool): asking for True warns: without CUDA the scaler disables itself.

    Example:
        >>> scaler = GradScaler()
        >>> scaler.scale(loss).backward(); scaler.step(optimizer); scaler.update()
    """

    def __init__(self, init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5, growth_interval=2000,
                 enabled=True):
        if enabled:
            warnings.warn("torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  Disabling.",
                          UserWarning, stacklevel=2)
        self._enabled = False

    def is_enabled(self):
        return self._enabled

    def scale(self, outputs):
        """The outputs unchanged (a disabled scaler does not scale)."""
        return outputs

    def unscale_(self, optimizer):
        """Nothing to unscale."""

    def step(self, optimizer, *args, **kwargs):
        """`optimizer.step(*args, **kwargs)`, returning its result."""
        return optimizer.step(*args, **kwargs)

    def update(self, new_scale=None):
        """Nothing to update."""

    def get_scale(self):
        return 1.0

    def state_dict(self):
        return {}

    def load_state_dict(self, state_dict):
        """Nothing to restore."""
