"""LazyModuleMixin: modules whose parameter shapes come from the first input (LazyLinear, ...)."""
from cytorch.autograd.grad_mode import no_grad
from cytorch.nn.parameter import is_lazy

__all__ = ["LazyModuleMixin"]


class LazyModuleMixin:
    r"""Mixin for modules that create their parameters as :class:`UninitializedParameter` and
    give them a shape at the first forward call (``initialize_parameters(*input)``), then turn
    into ``cls_to_become`` (e.g. LazyLinear becomes Linear). Loading a state_dict into an
    uninitialised module materialises the parameters with the stored shapes.

    A subclass lists the mixin first: ``class LazyLinear(LazyModuleMixin, Linear)``, and
    implements ``initialize_parameters(self, input)``.
    """

    cls_to_become = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._load_hook = self._register_load_state_dict_pre_hook(self._lazy_load_hook)
        self._initialize_hook = self.register_forward_pre_hook(_infer_parameters, with_kwargs=True)

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        # uninitialised entries are saved as themselves (a detached one would look like real data)
        super()._save_to_state_dict(destination, prefix, keep_vars)
        for name, t in list(self._parameters.items()) + list(self._buffers.items()):
            if t is not None and is_lazy(t) and prefix + name in destination:
                destination[prefix + name] = t

    def _lazy_load_hook(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                        error_msgs):
        for name, t in list(self._parameters.items()) + list(self._buffers.items()):
            key = prefix + name
            if t is not None and key in state_dict and is_lazy(t) and not is_lazy(state_dict[key]):
                with no_grad():
                    t.materialize(state_dict[key].shape)

    def initialize_parameters(self, *args, **kwargs):
        """Give the uninitialised parameters their shapes from the first input."""
        raise NotImplementedError(f"initialize_parameters is not implemented for {type(self).__name__}")

    def has_uninitialized_params(self):
        """Whether a parameter or buffer is still uninitialised."""
        return any(is_lazy(t) for t in list(self._parameters.values()) + list(self._buffers.values()))


def _infer_parameters(module, args, kwargs):
    module.initialize_parameters(*args, **kwargs)
    if module.has_uninitialized_params():
        raise RuntimeError(f"module {module._get_name()} has not been fully initialized")
    module._initialize_hook.remove()
    module._load_hook.remove()
    del module.__dict__["_initialize_hook"]
    del module.__dict__["_load_hook"]
    if module.cls_to_become is not None:
        module.__class__ = module.cls_to_become
