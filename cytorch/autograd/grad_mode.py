"""Grad modes: no_grad, enable_grad, set_grad_enabled, inference_mode.

Each is a context manager and a decorator, like PyTorch's. The flag itself is a thread-local C
variable in cytorch/_C/_tensor.pyx that the dispatchers read directly.
"""
import functools
import inspect

from cytorch._C._autograd import is_grad_enabled, _set_grad_mode

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
           "is_inference_mode_enabled"]

_inference = [False]   # inference_mode is no_grad here (no inference tensors yet)


class _DecoratorContextManager:
    """A context manager that also decorates functions (and generator functions)."""

    def __call__(self, func):
        if inspect.isclass(func):
            raise RuntimeError(f"{type(self).__name__} cannot decorate a class")
        if inspect.isgeneratorfunction(func):
            @functools.wraps(func)
            def gen_wrapper(*args, **kwargs):
                gen = func(*args, **kwargs)
                with self.clone():
                    try:
                        value = next(gen)
                    except StopIteration as e:
                        return e.value
                while True:
                    try:
                        sent = yield value
                    except BaseException as exc:
                        with self.clone():
                            value = gen.throw(exc)
                        continue
                    with self.clone():
                        try:
                            value = gen.send(sent)
                        except StopIteration as e:
                            return e.value
            return gen_wrapper

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)
        return wrapper

    def clone(self):
        return type(self)()


class no_grad(_DecoratorContextManager):
    """Ops inside record no graph: results don't require grad.

    Example: ``with cytorch.no_grad(): y = x * 2`` gives ``y.requires_grad == False``.
    """

    def __init__(self):
        self.prev = False

    def __enter__(self):
        self.prev = _set_grad_mode(False)

    def __exit__(self, *exc):
        _set_grad_mode(self.prev)
        return False


class enable_grad(_DecoratorContextManager):
    """Turn recording back on inside a no_grad region."""

    def __enter__(self):
        self.prev = _set_grad_mode(True)

    def __exit__(self, *exc):
        _set_grad_mode(self.prev)
        return False


class set_grad_enabled(_DecoratorContextManager):
    """Set grad mode to ``mode``: takes effect at once (as a function) or for a ``with`` block."""

    def __init__(self, mode):
        self.mode = bool(mode)
        self.prev = _set_grad_mode(self.mode)

    def __call__(self, func):
        _set_grad_mode(self.prev)
        return super().__call__(func)

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _set_grad_mode(self.prev)
        return False

    def clone(self):
        return set_grad_enabled(self.mode)


class inference_mode(_DecoratorContextManager):
    """Like no_grad (cytorch has no separate inference tensors yet). ``mode=False`` does nothing."""

    def __init__(self, mode=True):
        self.mode = bool(mode)

    def __new__(cls, mode=True):
        if isinstance(mode, bool):
            return super().__new__(cls)
        return cls()(mode)   # used as a bare decorator: @inference_mode

    def __enter__(self):
        self.prev = _set_grad_mode(False) if self.mode else None
        self.prev_inf = _inference[0]
        _inference[0] = self.mode

    def __exit__(self, *exc):
        if self.prev is not None:
            _set_grad_mode(self.prev)
        _inference[0] = self.prev_inf
        return False

    def clone(self):
        return inference_mode(self.mode)


def is_inference_mode_enabled():
    return _inference[0]
