"""cytorch.utils.hooks: the handle that hook registrations return (PyTorch's API)."""
import weakref
from collections import OrderedDict

__all__ = ["RemovableHandle"]


class RemovableHandle:
    r"""Removes a hook from the dict(s) it was registered in.

    Args:
        hooks_dict (OrderedDict): the dict holding the hook under ``handle.id`` (weakly
            referenced, so an OrderedDict: a plain dict cannot be).
        extra_dict (OrderedDict or a list of them): other dicts keyed by the same id (e.g. the
            with_kwargs / always_call flags of a forward hook), cleaned up with it.

    Usable as a context manager: the hook is removed on exit.
    """

    next_id = 0

    def __init__(self, hooks_dict, *, extra_dict=None):
        self.hooks_dict_ref = weakref.ref(hooks_dict)
        self.id = RemovableHandle.next_id
        RemovableHandle.next_id += 1
        if extra_dict is None:
            extra_dict = ()
        elif isinstance(extra_dict, dict):
            extra_dict = (extra_dict,)
        self.extra_dict_ref = tuple(weakref.ref(d) for d in extra_dict)

    def remove(self):
        for ref in (self.hooks_dict_ref,) + self.extra_dict_ref:
            d = ref()
            if d is not None:
                d.pop(self.id, None)

    def __getstate__(self):
        return (self.hooks_dict_ref(), self.id, tuple(r() for r in self.extra_dict_ref))

    def __setstate__(self, state):
        hooks, self.id, extras = state
        self.hooks_dict_ref = weakref.ref(OrderedDict() if hooks is None else hooks)
        self.extra_dict_ref = tuple(weakref.ref(d) for d in extras if d is not None)
        RemovableHandle.next_id = max(RemovableHandle.next_id, self.id + 1)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _add_hook(hooks, hook, prepend=False, extra=None):
    """Store ``hook`` in the OrderedDict ``hooks`` under a new handle's id (first when ``prepend``)
    and return the handle; ``extra`` is the handle's ``extra_dict``."""
    handle = RemovableHandle(hooks, extra_dict=extra)
    hooks[handle.id] = hook
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    return handle
