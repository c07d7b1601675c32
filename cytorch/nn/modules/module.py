"""Module: the base class of every layer (PyTorch's API).

A module keeps its parameters, buffers and child modules in three dicts (``_parameters``,
``_buffers``, ``_modules``) filled by ``__setattr__``; ``__getattr__`` finds them there. Calling
a module runs ``forward`` directly when no hook is registered anywhere (one flag test), and
through ``_call_impl`` (pre-hooks, forward, hooks, backward hooks) otherwise.

A child module remembers its parent (a weak reference) and its name there, so that a layer's
error can name its path in the model ("encoder.fc2").
"""
import functools
import warnings
import weakref
from collections import OrderedDict, namedtuple

import cytorch
from cytorch._tensor import _check_device, device as _device_cls
from cytorch._C._tensor import TensorBase, dtype as _dtype_cls
from cytorch.autograd.grad_mode import no_grad
from cytorch.nn.parameter import Parameter, Buffer, is_lazy
from cytorch.utils.hooks import RemovableHandle, _add_hook  # noqa: F401  (RemovableHandle: as in PyTorch)

__all__ = ["Module", "register_module_forward_pre_hook", "register_module_forward_hook",
           "register_module_full_backward_pre_hook", "register_module_full_backward_hook",
           "register_module_buffer_registration_hook", "register_module_module_registration_hook",
           "register_module_parameter_registration_hook"]


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    __slots__ = ()

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def _addindent(s, n):
    """Indent every line of ``s`` but the first by ``n`` spaces."""
    lines = s.split("\n")
    if len(lines) == 1:
        return s
    pad = " " * n
    return lines[0] + "\n" + "\n".join(pad + line for line in lines[1:])


def _typename(o):
    if isinstance(o, TensorBase):
        return o.type()
    cls = type(o)
    return cls.__qualname__ if cls.__module__ in ("builtins", None) else cls.__module__ + "." + cls.__qualname__


# ---------------------------------------------------------------- global hooks (every module)

_global_forward_pre_hooks = OrderedDict()
_global_forward_hooks = OrderedDict()
_global_forward_hooks_always_called = OrderedDict()
_global_forward_hooks_with_kwargs = OrderedDict()
_global_backward_pre_hooks = OrderedDict()
_global_backward_hooks = OrderedDict()
_global_buffer_registration_hooks = OrderedDict()
_global_module_registration_hooks = OrderedDict()
_global_parameter_registration_hooks = OrderedDict()
# True while any global forward/backward hook may exist: Module.__call__ reads only this and the
# module's own flag; _call_impl clears both when it finds the dicts empty.
_has_global_hooks = False


def _global_hook(d, hook, extra=None):
    global _has_global_hooks
    handle = _add_hook(d, hook, extra=extra)
    _has_global_hooks = True
    return handle


def register_module_forward_pre_hook(hook):
    """Register ``hook(module, args) -> None or new args`` run before every module's forward."""
    return _global_hook(_global_forward_pre_hooks, hook)


def register_module_forward_hook(hook, *, with_kwargs=False, always_call=False):
    """Register ``hook(module, args, output) -> None or new output`` run after every module's forward."""
    handle = _global_hook(_global_forward_hooks, hook,
                          [_global_forward_hooks_always_called, _global_forward_hooks_with_kwargs])
    if always_call:
        _global_forward_hooks_always_called[handle.id] = True
    if with_kwargs:
        _global_forward_hooks_with_kwargs[handle.id] = True
    return handle


def register_module_full_backward_pre_hook(hook):
    """Register ``hook(module, grad_output) -> None or new grad_output`` for every module."""
    return _global_hook(_global_backward_pre_hooks, hook)


def register_module_full_backward_hook(hook):
    """Register ``hook(module, grad_input, grad_output) -> None or new grad_input`` for every module."""
    return _global_hook(_global_backward_hooks, hook)


def register_module_buffer_registration_hook(hook):
    """Register ``hook(module, name, buffer) -> None or new buffer`` run by every register_buffer."""
    return _add_hook(_global_buffer_registration_hooks, hook)


def register_module_module_registration_hook(hook):
    """Register ``hook(module, name, submodule) -> None or new submodule`` run by every add_module."""
    return _add_hook(_global_module_registration_hooks, hook)


def register_module_parameter_registration_hook(hook):
    """Register ``hook(module, name, param) -> None or new param`` run by every register_parameter."""
    return _add_hook(_global_parameter_registration_hooks, hook)


def _forward_unimplemented(self, *input):
    raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')


# ---------------------------------------------------------------- full backward hooks

class _BackwardHookFn(cytorch.autograd.Function):
    """Identity on the module's tensor inputs (or outputs); its backward calls the module's hooks."""

    @staticmethod
    def forward(ctx, state, which, *tensors):
        ctx.state = state
        ctx.which = which
        return tensors

    @staticmethod
    def backward(ctx, *grads):
        if ctx.which == "output":
            grads = ctx.state.on_grad_output(grads)
        else:
            grads = ctx.state.on_grad_input(grads)
        return (None, None) + tuple(grads)


class _BackwardHookState:
    """One forward call's link between the output grads and the input grads of a module."""

    def __init__(self, module, pre_hooks, hooks):
        self.module = module
        self.pre_hooks = pre_hooks
        self.hooks = hooks
        self.n_inputs = 0       # positional tensor arguments
        self.need = ()          # their indices (among the tensor arguments) that require grad
        self.grad_output = None

    def setup_input(self, args):
        tpos = [i for i, a in enumerate(args) if isinstance(a, TensorBase)]
        self.n_inputs = len(tpos)
        need = [j for j, i in enumerate(tpos) if args[i].requires_grad]
        if not need or not cytorch.is_grad_enabled():
            return args
        self.need = tuple(need)
        outs = _BackwardHookFn.apply(self, "input", *[args[tpos[j]] for j in need])
        args = list(args)
        for j, o in zip(need, outs):
            args[tpos[j]] = o
        return tuple(args)

    def setup_output(self, result):
        single = isinstance(result, TensorBase)
        items = (result,) if single else result
        if not isinstance(items, (tuple, list)) or not cytorch.is_grad_enabled():
            return result
        pos = [i for i, r in enumerate(items) if isinstance(r, TensorBase) and r.requires_grad]
        if not pos:
            return result
        outs = _BackwardHookFn.apply(self, "output", *[items[i] for i in pos])
        items = list(items)
        for i, o in zip(pos, outs):
            items[i] = o
        if single:
            return items[0]
        return items if isinstance(result, list) else tuple(items)

    def on_grad_output(self, grads):
        for hook in self.pre_hooks:
            r = hook(self.module, tuple(grads))
            if r is not None:
                r = r if isinstance(r, tuple) else (r,)
                if len(r) != len(grads):
                    raise RuntimeError(f"Backward pre hook returned an invalid number of grad_output, "
                                       f"got {len(r)}, but expected {len(grads)}")
                grads = r
        self.grad_output = tuple(grads)
        if not self.need:      # nothing flows back to the inputs: the hooks run now
            grad_input = (None,) * self.n_inputs
            for hook in self.hooks:
                r = hook(self.module, grad_input, self.grad_output)
                if r is not None and any(x is not None for x in (r if isinstance(r, tuple) else (r,))):
                    raise RuntimeError("can't change grad_input of a module whose inputs do not require grad")
        return grads

    def on_grad_input(self, grads):
        full = [None] * self.n_inputs
        for g, j in zip(grads, self.need):
            full[j] = g
        grad_input = tuple(full)
        grad_output = self.grad_output if self.grad_output is not None else ()
        for hook in self.hooks:
            r = hook(self.module, grad_input, grad_output)
            if r is not None:
                r = r if isinstance(r, tuple) else (r,)
                if len(r) != len(grad_input):
                    raise RuntimeError(f"Backward hook returned an invalid number of grad_input, "
                                       f"got {len(r)}, but expected {len(grad_input)}")
                grad_input = r
        return tuple(grad_input[j] for j in self.need)


# ---------------------------------------------------------------- Module

class Module:
    r"""Base class of every layer and model.

    Subclasses allocate their parameters and submodules in ``__init__`` (after calling
    ``super().__init__()``) and compute in ``forward``; call the module itself, not ``forward``,
    so that hooks run::

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(784, 128)
                self.fc2 = nn.Linear(128, 10)

            def forward(self, x):
                return self.fc2(F.relu(self.fc1(x)))

    Attributes:
        training (bool): whether the module is in training mode (see ``train``/``eval``).
    """

    dump_patches = False
    _version = 1
    training: bool
    call_super_init = False

    def __init__(self, *args, **kwargs):
        if not self.call_super_init and kwargs:
            raise TypeError(f"{type(self).__name__}.__init__() got an unexpected keyword argument "
                            f"'{next(iter(kwargs))}'")
        if not self.call_super_init and args:
            raise TypeError(f"{type(self).__name__}.__init__() takes 1 positional argument but "
                            f"{len(args) + 1} were given")
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = {}
        d["_buffers"] = {}
        d["_non_persistent_buffers_set"] = set()
        d["_modules"] = {}
        d["_has_hooks"] = False
        _init_hook_dicts(d)
        if self.call_super_init:
            super().__init__(*args, **kwargs)

    forward = _forward_unimplemented

    # ------------------------------------------------------------ calling

    def __call__(self, *args, **kwargs):
        if self._has_hooks or _has_global_hooks:
            return self._call_impl(*args, **kwargs)
        return self.forward(*args, **kwargs)

    _wrapped_call_impl = __call__

    def _call_impl(self, *args, **kwargs):
        global _has_global_hooks
        d = self.__dict__
        if not (d["_forward_pre_hooks"] or d["_forward_hooks"] or d["_backward_pre_hooks"]
                or d["_backward_hooks"]):
            d["_has_hooks"] = False
        if not (_global_forward_pre_hooks or _global_forward_hooks or _global_backward_pre_hooks
                or _global_backward_hooks):
            _has_global_hooks = False
        pre_hooks = list(_global_forward_pre_hooks.items()) + list(d["_forward_pre_hooks"].items())
        hooks = list(_global_forward_hooks.items()) + list(d["_forward_hooks"].items())
        bw_pre = list(_global_backward_pre_hooks.values()) + list(d["_backward_pre_hooks"].values())
        bw = list(_global_backward_hooks.values()) + list(d["_backward_hooks"].values())
        if not (pre_hooks or hooks or bw_pre or bw):
            return self.forward(*args, **kwargs)

        local_kw_pre = d["_forward_pre_hooks_with_kwargs"]
        for hid, hook in pre_hooks:
            if hid in local_kw_pre:
                r = hook(self, args, kwargs)
                if r is not None:
                    if not (isinstance(r, tuple) and len(r) == 2):
                        raise RuntimeError("forward pre-hook must return None or a tuple of "
                                           f"(new_args, new_kwargs), but got {r}.")
                    args, kwargs = r
            else:
                r = hook(self, args)
                if r is not None:
                    args = r if isinstance(r, tuple) else (r,)

        state = None
        if bw or bw_pre:
            state = _BackwardHookState(self, bw_pre, bw)
            args = state.setup_input(args)

        always = _global_forward_hooks_always_called.keys() | d["_forward_hooks_always_called"].keys()
        try:
            result = self.forward(*args, **kwargs)
        except Exception:
            for hid, hook in hooks:
                if hid in always:
                    try:
                        self._run_forward_hook(hid, hook, args, kwargs, None)
                    except Exception as e:
                        warnings.warn("forward hook with ``always_call=True`` raised an exception that was "
                                      f"silenced as another error was raised in forward: {e}", stacklevel=2)
            raise

        for hid, hook in hooks:
            r = self._run_forward_hook(hid, hook, args, kwargs, result)
            if r is not None:
                result = r

        if state is not None:
            result = state.setup_output(result)
        return result

    def _run_forward_hook(self, hid, hook, args, kwargs, result):
        if hid in self._forward_hooks_with_kwargs or hid in _global_forward_hooks_with_kwargs:
            return hook(self, args, kwargs, result)
        return hook(self, args, result)

    # ------------------------------------------------------------ hook registration

    def _local_hook(self, dict_name, hook, prepend=False, extra=None):
        d = self.__dict__[dict_name]
        handle = _add_hook(d, hook, prepend, [self.__dict__[e] for e in extra] if extra else None)
        self.__dict__["_has_hooks"] = True
        return handle

    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        r"""Register ``hook(module, args) -> None or new args`` (or, with ``with_kwargs=True``,
        ``hook(module, args, kwargs) -> None or (new_args, new_kwargs)``) run before forward.

        Args:
            prepend (bool): run it before the hooks already registered. Default: False
            with_kwargs (bool): pass the keyword arguments too. Default: False

        Returns:
            RemovableHandle: ``handle.remove()`` removes the hook.
        """
        handle = self._local_hook("_forward_pre_hooks", hook, prepend, ["_forward_pre_hooks_with_kwargs"])
        if with_kwargs:
            self._forward_pre_hooks_with_kwargs[handle.id] = True
        return handle

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False, always_call=False):
        r"""Register ``hook(module, args, output) -> None or new output`` (with
        ``with_kwargs=True``: ``hook(module, args, kwargs, output)``) run after forward.

        Args:
            prepend (bool): run it before the hooks already registered. Default: False
            with_kwargs (bool): pass the keyword arguments too. Default: False
            always_call (bool): run it even when forward raises. Default: False

        Returns:
            RemovableHandle
        """
        handle = self._local_hook("_forward_hooks", hook, prepend,
                                  ["_forward_hooks_with_kwargs", "_forward_hooks_always_called"])
        if with_kwargs:
            self._forward_hooks_with_kwargs[handle.id] = True
        if always_call:
            self._forward_hooks_always_called[handle.id] = True
        return handle

    def register_full_backward_pre_hook(self, hook, prepend=False):
        r"""Register ``hook(module, grad_output) -> None or new grad_output``, run when the
        gradients of the module's outputs are known, before they flow into the module.

        Returns:
            RemovableHandle
        """
        return self._local_hook("_backward_pre_hooks", hook, prepend)

    def register_full_backward_hook(self, hook, prepend=False):
        r"""Register ``hook(module, grad_input, grad_output) -> None or new grad_input``, run when
        the gradients of the module's tensor inputs are computed. ``grad_input`` has one entry per
        positional tensor argument (None where it does not require grad).

        Returns:
            RemovableHandle
        """
        return self._local_hook("_backward_hooks", hook, prepend)

    def register_backward_hook(self, hook):
        """Deprecated form of :meth:`register_full_backward_hook` (same behaviour here)."""
        return self.register_full_backward_hook(hook)

    def register_state_dict_pre_hook(self, hook):
        """Register ``hook(module, prefix, keep_vars)`` run before ``state_dict`` saves this module."""
        return self._local_hook("_state_dict_pre_hooks", hook)

    def register_state_dict_post_hook(self, hook):
        """Register ``hook(module, state_dict, prefix, local_metadata) -> None`` run after
        ``state_dict`` saved this module (it may edit ``state_dict`` in place)."""
        hook._from_public_api = True
        return self._local_hook("_state_dict_hooks", hook)

    def _register_state_dict_hook(self, hook):
        """Like register_state_dict_post_hook; the hook may also return a new state_dict."""
        if getattr(hook, "_from_public_api", False):
            raise RuntimeError("Cannot register the same function as the state dict post hook that was "
                               "previously registered via register_state_dict_post_hook")
        return self._local_hook("_state_dict_hooks", hook)

    def register_load_state_dict_pre_hook(self, hook):
        """Register ``hook(module, state_dict, prefix, local_metadata, strict, missing_keys,
        unexpected_keys, error_msgs)`` run before this module loads its entries."""
        return self._local_hook("_load_state_dict_pre_hooks", functools.partial(hook, self))

    def _register_load_state_dict_pre_hook(self, hook, with_module=False):
        return self._local_hook("_load_state_dict_pre_hooks",
                                functools.partial(hook, self) if with_module else hook)

    def register_load_state_dict_post_hook(self, hook):
        """Register ``hook(module, incompatible_keys) -> None`` run after load_state_dict loaded
        this module; it may edit ``incompatible_keys`` in place."""
        return self._local_hook("_load_state_dict_post_hooks", hook)

    # ------------------------------------------------------------ registration

    def register_buffer(self, name, tensor, persistent=True):
        r"""Add a buffer: state that is not a parameter (e.g. BatchNorm's running mean).

        Args:
            name (str): its attribute name.
            tensor (Tensor or None): the buffer. None buffers are skipped by state_dict.
            persistent (bool): whether it is part of ``state_dict``. Default: True
        """
        d = self.__dict__
        if "_buffers" not in d:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        if not isinstance(name, str):
            raise TypeError(f"buffer name should be a string. Got {_typename(name)}")
        if "." in name:
            raise KeyError('buffer name can\'t contain "."')
        if name == "":
            raise KeyError('buffer name can\'t be empty string ""')
        if hasattr(self, name) and name not in self._buffers:
            raise KeyError(f"attribute '{name}' already exists")
        if tensor is not None and not isinstance(tensor, TensorBase):
            raise TypeError(f"cannot assign '{_typename(tensor)}' object to buffer '{name}' "
                            "(torch Tensor or None required)")
        for hook in _global_buffer_registration_hooks.values():
            out = hook(self, name, tensor)
            if out is not None:
                tensor = out
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def register_parameter(self, name, param):
        r"""Add a parameter (a :class:`Parameter`, or None to declare an absent one).

        Args:
            name (str): its attribute name.
            param (Parameter or None): the parameter.
        """
        d = self.__dict__
        if "_parameters" not in d:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        if not isinstance(name, str):
            raise TypeError(f"parameter name should be a string. Got {_typename(name)}")
        if "." in name:
            raise KeyError('parameter name can\'t contain "."')
        if name == "":
            raise KeyError('parameter name can\'t be empty string ""')
        if hasattr(self, name) and name not in self._parameters:
            raise KeyError(f"attribute '{name}' already exists")
        if param is None:
            self._parameters[name] = None
            return
        if not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{_typename(param)}' object to parameter '{name}' "
                            "(torch.nn.Parameter or None required)")
        if param.grad_fn is not None:
            raise ValueError(f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters must be "
                             f"created explicitly. To express '{name}' as a function of another Tensor, "
                             "compute the value in the forward() method.")
        for hook in _global_parameter_registration_hooks.values():
            out = hook(self, name, param)
            if out is not None:
                param = out
        self._parameters[name] = param

    def add_module(self, name, module):
        r"""Add a child module, reachable as attribute ``name``.

        Args:
            name (str): the child's name.
            module (Module or None): the child.
        """
        if not isinstance(module, Module) and module is not None:
            raise TypeError(f"{_typename(module)} is not a Module subclass")
        if not isinstance(name, str):
            raise TypeError(f"module name should be a string. Got {_typename(name)}")
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        if "." in name:
            raise KeyError(f'module name can\'t contain ".", got: {name}')
        if name == "":
            raise KeyError('module name can\'t be empty string ""')
        self._set_child(name, module)

    def register_module(self, name, module):
        """Alias of :meth:`add_module`."""
        self.add_module(name, module)

    def _set_child(self, name, module):
        for hook in _global_module_registration_hooks.values():
            out = hook(self, name, module)
            if out is not None:
                module = out
        self._modules[name] = module
        if module is not None:
            module.__dict__["_ct_parent"] = (weakref.ref(self), name)

    # ------------------------------------------------------------ attributes

    def __getattr__(self, name):
        d = self.__dict__
        p = d.get("_parameters")
        if p is not None and name in p:
            return p[name]
        b = d.get("_buffers")
        if b is not None and name in b:
            return b[name]
        m = d.get("_modules")
        if m is not None and name in m:
            return m[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __setattr__(self, name, value):
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            _remove_from(name, d, self._buffers, self._modules, self._non_persistent_buffers_set)
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as parameter '{name}' "
                                "(torch.nn.Parameter or None expected)")
            self.register_parameter(name, value)
        else:
            modules = d.get("_modules")
            if isinstance(value, Module):
                if modules is None:
                    raise AttributeError("cannot assign module before Module.__init__() call")
                _remove_from(name, d, self._parameters, self._buffers, self._non_persistent_buffers_set)
                self._set_child(name, value)
            elif modules is not None and name in modules:
                if value is not None:
                    raise TypeError(f"cannot assign '{_typename(value)}' as child module '{name}' "
                                    "(torch.nn.Module or None expected)")
                self._set_child(name, value)
            else:
                buffers = d.get("_buffers")
                if isinstance(value, Buffer) or (buffers is not None and name in buffers):
                    if value is not None and not isinstance(value, TensorBase):
                        raise TypeError(f"cannot assign '{_typename(value)}' as buffer '{name}' "
                                        "(torch.nn.Buffer, torch.Tensor or None expected)")
                    if isinstance(value, Buffer):
                        persistent = value.persistent
                    else:
                        persistent = name not in self._non_persistent_buffers_set
                    self.register_buffer(name, value, persistent)
                else:
                    object.__setattr__(self, name, value)

    def __delattr__(self, name):
        if name in self._parameters:
            del self._parameters[name]
        elif name in self._buffers:
            del self._buffers[name]
            self._non_persistent_buffers_set.discard(name)
        elif name in self._modules:
            del self._modules[name]
        else:
            object.__delattr__(self, name)

    def __dir__(self):
        keys = (dir(self.__class__) + list(self.__dict__) + list(self._parameters) + list(self._modules)
                + list(self._buffers))
        return sorted(k for k in keys if not k[0].isdigit())

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_ct_parent", None)   # a weak reference: not picklable; rebuilt by the parent
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        d = self.__dict__
        d.setdefault("_has_hooks", True)
        d.setdefault("_non_persistent_buffers_set", set())
        _init_hook_dicts(d)
        for name, m in d.get("_modules", {}).items():
            if m is not None:
                m.__dict__["_ct_parent"] = (weakref.ref(self), name)

    def _module_path(self):
        """This module's dotted name from the outermost module that holds it ('' at the top)."""
        parts = []
        m, seen = self, {id(self)}
        while True:
            link = m.__dict__.get("_ct_parent")
            parent = link[0]() if link is not None else None
            if parent is None:
                break
            name = link[1]
            if parent._modules.get(name) is not m:
                name = next((k for k, v in parent._modules.items() if v is m), None)
                if name is None:
                    break
            parts.append(name)
            if id(parent) in seen:
                break
            seen.add(id(parent))
            m = parent
        return ".".join(reversed(parts))

    # ------------------------------------------------------------ iteration

    def _named_members(self, get_members, prefix="", recurse=True, remove_duplicate=True):
        memo = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse \
            else [(prefix, self)]
        for module_prefix, module in modules:
            for k, v in get_members(module):
                if v is None or id(v) in memo:
                    continue
                if remove_duplicate:
                    memo.add(id(v))
                yield (module_prefix + "." + k if module_prefix else k), v

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        r"""Iterate over (name, parameter) pairs, e.g. ``("fc1.weight", p)``.

        Args:
            prefix (str): prepended to every name.
            recurse (bool): include the submodules' parameters. Default: True
            remove_duplicate (bool): yield a shared parameter once. Default: True
        """
        return self._named_members(lambda m: m._parameters.items(), prefix, recurse, remove_duplicate)

    def parameters(self, recurse=True):
        r"""Iterate over the module's parameters (what an optimizer takes).

        Args:
            recurse (bool): include the submodules' parameters. Default: True
        """
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        """Iterate over (name, buffer) pairs (see :meth:`named_parameters`)."""
        return self._named_members(lambda m: m._buffers.items(), prefix, recurse, remove_duplicate)

    def buffers(self, recurse=True):
        """Iterate over the module's buffers."""
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def named_children(self):
        """Iterate over (name, child) pairs of the direct submodules."""
        memo = set()
        for name, m in self._modules.items():
            if m is not None and m not in memo:
                memo.add(m)
                yield name, m

    def children(self):
        """Iterate over the direct submodules."""
        for _, m in self.named_children():
            yield m

    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        r"""Iterate over (name, module) pairs of this module and all its submodules, depth first
        (this module first, named ``prefix``).

        Args:
            memo (set): modules already yielded (skipped).
            prefix (str): this module's name.
            remove_duplicate (bool): yield a shared module once. Default: True
        """
        if memo is None:
            memo = set()
        if self in memo:
            return
        if remove_duplicate:
            memo.add(self)
        yield prefix, self
        for name, m in self._modules.items():
            if m is None:
                continue
            yield from m.named_modules(memo, prefix + ("." if prefix else "") + name, remove_duplicate)

    def modules(self):
        """Iterate over this module and all its submodules."""
        for _, m in self.named_modules():
            yield m

    def get_submodule(self, target):
        r"""The submodule at dotted path ``target`` ("" is the module itself).

        Raises:
            AttributeError: if a step of the path is missing or is not a Module.
        """
        if target == "":
            return self
        mod = self
        for item in target.split("."):
            if not hasattr(mod, item):
                raise AttributeError(mod._get_name() + " has no attribute `" + item + "`")
            mod = getattr(mod, item)
            if not isinstance(mod, Module):
                raise AttributeError("`" + item + "` is not an nn.Module")
        return mod

    def set_submodule(self, target, module, strict=False):
        """Replace (or, unless ``strict``, add) the submodule at dotted path ``target``."""
        if target == "":
            raise ValueError("Cannot set the submodule without a target name!")
        *path, last = target.split(".")
        if not isinstance(module, Module):
            raise ValueError(f"`module` is not an nn.Module, found {type(module)}")
        mod = self.get_submodule(".".join(path))
        if strict and not hasattr(mod, last):
            raise AttributeError(mod._get_name() + " has no attribute `" + last + "`")
        if hasattr(mod, last) and not isinstance(getattr(mod, last), Module):
            raise AttributeError("`" + last + "` is not an nn.Module")
        setattr(mod, last, module)

    def get_parameter(self, target):
        """The parameter at dotted path ``target`` (e.g. "fc1.weight")."""
        module_path, _, name = target.rpartition(".")
        mod = self.get_submodule(module_path)
        if not hasattr(mod, name):
            raise AttributeError(mod._get_name() + " has no attribute `" + name + "`")
        p = getattr(mod, name)
        if not isinstance(p, Parameter):
            raise AttributeError("`" + name + "` is not an nn.Parameter")
        return p

    def get_buffer(self, target):
        """The buffer at dotted path ``target`` (e.g. "bn.running_mean")."""
        module_path, _, name = target.rpartition(".")
        mod = self.get_submodule(module_path)
        if not hasattr(mod, name):
            raise AttributeError(mod._get_name() + " has no attribute `" + name + "`")
        if name not in mod._buffers:
            raise AttributeError("`" + name + "` is not a buffer")
        return getattr(mod, name)

    def get_extra_state(self):
        """Extra picklable state saved in state_dict under ``_extra_state`` (override with
        :meth:`set_extra_state`)."""
        raise RuntimeError("Reached a code path in Module.get_extra_state() that should never be called. "
                           "Please file an issue at https://github.com/pytorch/pytorch/issues/new?template="
                           "bug-report.yml to report this bug.")

    def set_extra_state(self, state):
        """Restore what :meth:`get_extra_state` returned."""
        raise RuntimeError("Reached a code path in Module.set_extra_state() that should never be called. "
                           "Please file an issue at https://github.com/pytorch/pytorch/issues/new?template="
                           "bug-report.yml to report this bug.")

    # ------------------------------------------------------------ state_dict

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        for name, p in self._parameters.items():
            if p is not None:
                destination[prefix + name] = p if keep_vars else p.detach()
        nonpersistent = self._non_persistent_buffers_set
        for name, b in self._buffers.items():
            if b is not None and name not in nonpersistent:
                destination[prefix + name] = b if keep_vars else b.detach()
        if type(self).get_extra_state is not Module.get_extra_state:
            destination[prefix + "_extra_state"] = self.get_extra_state()

    def state_dict(self, *args, destination=None, prefix="", keep_vars=False):
        r"""The module's whole state: an OrderedDict of parameters and persistent buffers keyed by
        dotted names ("fc1.weight"), in registration order; ``state_dict._metadata`` holds each
        module's version. Tensors are detached (unless ``keep_vars``) but share memory.

        Args:
            destination (dict): filled and returned instead of a new OrderedDict.
            prefix (str): prepended to every key.
            keep_vars (bool): keep the Parameters themselves (not detached). Default: False
        """
        if args:
            if len(args) > 3:
                raise TypeError(f"state_dict() takes at most 3 positional arguments ({len(args)} given)")
            destination = args[0]
            if len(args) > 1:
                prefix = args[1]
            if len(args) > 2:
                keep_vars = args[2]
        if destination is None:
            destination = OrderedDict()
            destination._metadata = OrderedDict()
        local_metadata = dict(version=self._version)
        if hasattr(destination, "_metadata"):
            destination._metadata[prefix[:-1]] = local_metadata
        for hook in self._state_dict_pre_hooks.values():
            hook(self, prefix, keep_vars)
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, m in self._modules.items():
            if m is not None:
                m.state_dict(destination=destination, prefix=prefix + name + ".", keep_vars=keep_vars)
        for hook in self._state_dict_hooks.values():
            r = hook(self, destination, prefix, local_metadata)
            if r is not None:
                if getattr(hook, "_from_public_api", False):
                    raise RuntimeError("state_dict post-hook must return None")
                destination = r
        return destination

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs):
        r"""Load this module's own parameters and persistent buffers (not its children's) from
        ``state_dict``, appending to the three lists. Modules whose format changed across
        versions override this (``local_metadata["version"]`` is the saved ``_version``)."""
        for hook in self._load_state_dict_pre_hooks.values():
            hook(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs)
        nonpersistent = self._non_persistent_buffers_set
        local_state = {k: v for k, v in self._parameters.items() if v is not None}
        local_state.update((k, v) for k, v in self._buffers.items() if v is not None and k not in nonpersistent)
        assign = local_metadata.get("assign_to_params_buffers", False)
        for name, param in local_state.items():
            key = prefix + name
            if key not in state_dict:
                if strict:
                    missing_keys.append(key)
                continue
            value = state_dict[key]
            if not isinstance(value, TensorBase):
                error_msgs.append(f'While copying the parameter named "{key}", expected torch.Tensor or '
                                  f"Tensor-like object from checkpoint but received {type(value)}")
                continue
            if is_lazy(value):
                if not is_lazy(param):
                    value.shape     # raises PyTorch's "Can't access the shape of an uninitialized ..." error
                continue        # an uninitialised entry carries no values
            lazy = is_lazy(param)
            if not lazy and param.dim() == 0 and value.dim() == 1 and value.shape[0] == 1:
                value = value[0]     # old checkpoints stored scalars as 1-element vectors
            if not lazy and tuple(value.shape) != tuple(param.shape):
                error_msgs.append(f"size mismatch for {key}: copying a param with shape {value.shape} from "
                                  f"checkpoint, the shape in current model is {param.shape}.")
                continue
            try:
                with no_grad():
                    if assign:
                        if isinstance(param, Parameter):
                            value = Parameter(value.detach(), requires_grad=param.requires_grad) \
                                if not isinstance(value, Parameter) else value.requires_grad_(param.requires_grad)
                        setattr(self, name, value)
                    else:
                        if lazy:
                            param.materialize(value.shape)
                        param.copy_(value)
            except Exception as ex:
                error_msgs.append(f'While copying the parameter named "{key}", whose dimensions in the model '
                                  f"are {param.shape} and whose dimensions in the checkpoint are {value.shape}, "
                                  f"an exception occurred : {ex.args}.")
        extra_key = prefix + "_extra_state"
        if type(self).set_extra_state is not Module.set_extra_state:
            if extra_key in state_dict:
                self.set_extra_state(state_dict[extra_key])
            elif strict:
                missing_keys.append(extra_key)
        elif strict and extra_key in state_dict:
            unexpected_keys.append(extra_key)
        if strict:
            for key in state_dict.keys():
                if key.startswith(prefix) and key != extra_key:
                    head, dot, _ = key[len(prefix):].partition(".")
                    if dot:
                        if head not in self._modules:
                            unexpected_keys.append(key)
                    elif head not in local_state:
                        unexpected_keys.append(key)

    def load_state_dict(self, state_dict, strict=True, assign=False):
        r"""Copy parameters and buffers from ``state_dict`` into this module and its children.

        Args:
            state_dict (dict): as returned by :meth:`state_dict` (any mapping of names to tensors).
            strict (bool): require the keys to match exactly. Default: True
            assign (bool): put the given tensors in place of the module's (keeping each
                parameter's requires_grad) instead of copying into them. Default: False

        Returns:
            ``NamedTuple(missing_keys, unexpected_keys)``

        Raises:
            RuntimeError: on a shape mismatch, or (strict) on missing/unexpected keys, listing
            every problem ("Error(s) in loading state_dict for Net: ...").
        """
        from collections.abc import Mapping
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        missing, unexpected, error_msgs = [], [], []
        metadata = getattr(state_dict, "_metadata", None)
        state_dict = OrderedDict(state_dict)
        if metadata is not None:
            state_dict._metadata = metadata

        def load(module, local_sd, prefix=""):
            local_metadata = {} if metadata is None else dict(metadata.get(prefix[:-1], {}))
            if assign:
                local_metadata["assign_to_params_buffers"] = assign
            module._load_from_state_dict(local_sd, prefix, local_metadata, True, missing, unexpected, error_msgs)
            for name, child in module._modules.items():
                if child is not None:
                    cp = prefix + name + "."
                    load(child, {k: v for k, v in local_sd.items() if k.startswith(cp)}, cp)
            keys = _IncompatibleKeys(missing, unexpected)
            for hook in module._load_state_dict_post_hooks.values():
                if hook(module, keys) is not None:
                    raise RuntimeError("load_state_dict post hooks should return None.")

        load(self, state_dict)
        if strict:
            if unexpected:
                error_msgs.insert(0, "Unexpected key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in unexpected)))
            if missing:
                error_msgs.insert(0, "Missing key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in missing)))
        if error_msgs:
            raise RuntimeError("Error(s) in loading state_dict for {}:\n\t{}".format(
                type(self).__name__, "\n\t".join(error_msgs)))
        return _IncompatibleKeys(missing, unexpected)

    # ------------------------------------------------------------ conversion

    def _apply(self, fn, recurse=True):
        if recurse:
            for m in self.children():
                m._apply(fn)
        for key, p in self._parameters.items():
            if p is None:
                continue
            with no_grad():
                new = fn(p)
            if new is not p:
                p.data = new        # keep the Parameter object (optimizers hold it)
            g = p.grad
            if g is not None:
                with no_grad():
                    ng = fn(g)
                if ng is not g:
                    p.grad = ng
        for key, b in self._buffers.items():
            if b is not None:
                self._buffers[key] = fn(b)
        return self

    def apply(self, fn):
        r"""Call ``fn(m)`` on every submodule (children first) and on this module; returns self.

        Example::

            >>> def init_weights(m):
            ...     if isinstance(m, nn.Linear):
            ...         nn.init.zeros_(m.bias)
            >>> net.apply(init_weights)
        """
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    def to(self, *args, **kwargs):
        r"""Move and/or cast the parameters and buffers, in place; returns self.

        ``to(device=None, dtype=None, non_blocking=False)``, ``to(dtype)``, ``to(tensor)``
        (that tensor's dtype and device) or ``to(memory_format=...)``. Only floating-point and
        complex tensors change dtype. Only the cpu device exists (cuda raises RuntimeError).
        """
        device, dtype = _parse_to(args, kwargs)
        if dtype is not None and not (dtype.is_floating_point or dtype.is_complex):
            raise TypeError("nn.Module.to only accepts floating point or complex dtypes, but got desired "
                            f"dtype={dtype}")
        _check_device(device)
        if dtype is None:
            return self

        def convert(t):
            if t.is_floating_point() or t.is_complex():
                return t.to(dtype)
            return t
        return self._apply(convert)

    def cuda(self, device=None):
        """Move to a CUDA device: cytorch has no CUDA backend yet, so this raises RuntimeError."""
        _check_device("cuda" if device is None else (device if isinstance(device, (str, _device_cls))
                                                     else f"cuda:{device}"))
        return self

    def xpu(self, device=None):
        _check_device("xpu")
        return self

    def ipu(self, device=None):
        _check_device("ipu")
        return self

    def mtia(self, device=None):
        _check_device("mtia")
        return self

    def cpu(self):
        """Move to the CPU (where everything already is); returns self."""
        return self

    def type(self, dst_type):
        """Cast every parameter and buffer to ``dst_type``; returns self."""
        return self._apply(lambda t: t.type(dst_type))

    def float(self):
        """Cast floating-point parameters and buffers to float32; returns self."""
        return self._apply(lambda t: t.float() if t.is_floating_point() else t)

    def double(self):
        """Cast floating-point parameters and buffers to float64; returns self."""
        return self._apply(lambda t: t.double() if t.is_floating_point() else t)

    def half(self):
        """Cast floating-point parameters and buffers to float16; returns self."""
        return self._apply(lambda t: t.half() if t.is_floating_point() else t)

    def bfloat16(self):
        """Cast floating-point parameters and buffers to bfloat16; returns self."""
        return self._apply(lambda t: t.bfloat16() if t.is_floating_point() else t)

    def to_empty(self, *, device=None, recurse=True):
        """Replace every parameter and buffer by an uninitialised tensor of the same shape."""
        _check_device(device)
        return self._apply(lambda t: cytorch.empty_like(t), recurse=recurse)

    def share_memory(self):
        """Kept for API compatibility: cytorch tensors are already usable across threads."""
        return self

    # ------------------------------------------------------------ training state

    def train(self, mode=True):
        r"""Set training mode (``mode=True``) or evaluation mode on this module and all submodules
        (Dropout and BatchNorm behave differently); returns self."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for m in self.children():
            m.train(mode)
        return self

    def eval(self):
        """Set evaluation mode (``train(False)``); returns self."""
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        """Set ``requires_grad`` on every parameter (e.g. to freeze a part of a model); returns self."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        r"""Reset the gradients of every parameter: to None (default) or, with
        ``set_to_none=False``, to zeros in place."""
        for p in self.parameters():
            if p.grad is not None:
                if set_to_none:
                    p.grad = None
                else:
                    g = p.grad
                    if g.grad_fn is not None:
                        g = g.detach()
                        p.grad = g
                    else:
                        g.requires_grad_(False)
                    g.zero_()

    # ------------------------------------------------------------ printing

    def _get_name(self):
        return type(self).__name__

    def extra_repr(self):
        """The text inside this module's parentheses in its repr (layers print their sizes)."""
        return ""

    def __repr__(self):
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = ["(" + k + "): " + _addindent(repr(m), 2) for k, m in self._modules.items()]
        lines = extra_lines + child_lines
        s = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                s += extra_lines[0]
            else:
                s += "\n  " + "\n  ".join(lines) + "\n"
        return s + ")"

    def _replicate_for_data_parallel(self):
        r = self.__new__(type(self))
        r.__dict__ = self.__dict__.copy()
        r._parameters = dict()
        r._buffers = r._buffers.copy()
        r._modules = r._modules.copy()
        return r


def _init_hook_dicts(d):
    for name in ("_forward_pre_hooks", "_forward_pre_hooks_with_kwargs", "_forward_hooks",
                 "_forward_hooks_with_kwargs", "_forward_hooks_always_called", "_backward_pre_hooks",
                 "_backward_hooks", "_state_dict_pre_hooks", "_state_dict_hooks",
                 "_load_state_dict_pre_hooks", "_load_state_dict_post_hooks"):
        if name not in d:
            d[name] = OrderedDict()


def _remove_from(name, *containers):
    for c in containers:
        if name in c:
            if isinstance(c, dict):
                del c[name]
            else:
                c.discard(name)


def _parse_to(args, kwargs):
    """(device, dtype) from Module.to's argument forms."""
    device = kwargs.pop("device", None)
    dtype = kwargs.pop("dtype", None)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    kwargs.pop("copy", None)
    if kwargs:
        raise TypeError(f"to() received an invalid combination of arguments - got unexpected "
                        f"keyword argument '{next(iter(kwargs))}'")
    for a in args:
        if isinstance(a, _dtype_cls):
            dtype = a
        elif isinstance(a, TensorBase):
            dtype, device = a.dtype, a.device
        elif isinstance(a, (str, _device_cls)):
            device = a
        elif isinstance(a, int) and not isinstance(a, bool):
            device = f"cuda:{a}"
        elif isinstance(a, bool) or a is None:
            pass
        else:
            raise TypeError(f"to() received an invalid combination of arguments - got ({_typename(a)})")
    return device, dtype

