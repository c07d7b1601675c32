"""Anomaly detection (PyTorch's ``detect_anomaly`` / ``set_detect_anomaly``).

While it is on, every recorded node keeps the stack of the forward call that created it, and the
engine checks each backward formula's outputs: a nan (with ``check_nan=True``) raises
``RuntimeError("Function 'MulBackward0' returned nan values in its 0th output.")``, and any error
inside a backward formula first warns with the forward traceback of the op that failed. It slows
recording down (a stack capture per op), so it is meant for debugging only.
"""
from cytorch._C import _autograd as _A
from cytorch.autograd.grad_mode import _DecoratorContextManager

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled", "is_anomaly_check_nan_enabled"]


def is_anomaly_enabled():
    return _A._anomaly_state()[0]


def is_anomaly_check_nan_enabled():
    return _A._anomaly_state()[1]


class detect_anomaly(_DecoratorContextManager):
    """Context manager / decorator turning anomaly detection on.

    Example::

        >>> with cytorch.autograd.detect_anomaly():
        ...     y = (x * 0).sqrt()          # d sqrt / dx is inf at 0, times 0: nan
        ...     y.sum().backward()           # RuntimeError naming SqrtBackward0
    """

    def __init__(self, check_nan=True):
        self.check_nan = check_nan
        self.prev = None

    def __enter__(self):
        self.prev = _A._set_anomaly(True, self.check_nan)

    def __exit__(self, *exc):
        _A._set_anomaly(*self.prev)

    def clone(self):
        return self.__class__(self.check_nan)


class set_detect_anomaly(_DecoratorContextManager):
    """Turn anomaly detection on or off; as a context manager, restores the previous setting."""

    def __init__(self, mode, check_nan=True):
        self.prev = _A._set_anomaly(bool(mode), check_nan)
        self.mode, self.check_nan = bool(mode), check_nan

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _A._set_anomaly(*self.prev)

    def clone(self):
        return self.__class__(self.mode, self.check_nan)
