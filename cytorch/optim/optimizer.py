"""The Optimizer base class: parameter groups, per-parameter state, state_dict, hooks.

Subclasses give ``defaults`` (the options every group falls back on) and a ``step`` that reads
``self.param_groups`` and ``self.state`` and updates the parameters in place. The built-in ones
hand each group to one fused C call (``cytorch/_C/_optim.pyx``).
"""
import functools
import warnings
from collections import OrderedDict, defaultdict
from copy import deepcopy
from itertools import chain

import cytorch
from cytorch.autograd.grad_mode import enable_grad
from cytorch.utils.hooks import _add_hook

__all__ = ["Optimizer", "register_optimizer_step_pre_hook", "register_optimizer_step_post_hook",
           "required"]


class _RequiredParameter:
    """Marks an option every parameter group must give (no default)."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


_global_pre_hooks = OrderedDict()
_global_post_hooks = OrderedDict()


def register_optimizer_step_pre_hook(hook):
    """Register ``hook(optimizer, args, kwargs) -> None or (args, kwargs)`` run before every
    optimizer's ``step``. Returns a handle with ``remove()``."""
    return _add_hook(_global_pre_hooks, hook)


def register_optimizer_step_post_hook(hook):
    """Register ``hook(optimizer, args, kwargs)`` run after every optimizer's ``step``."""
    return _add_hook(_global_post_hooks, hook)


def _typename(obj):
    if isinstance(obj, cytorch.Tensor):
        return obj.type()
    t = type(obj)
    return t.__qualname__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


def _with_step_hooks(step):
    """Run the step pre/post hooks around the outermost ``step`` call of an optimizer."""
    @functools.wraps(step)
    def wrapper(self, *args, **kwargs):
        if self.__dict__.get("_in_step"):       # a subclass's step calling super().step()
            return step(self, *args, **kwargs)
        if _global_pre_hooks or self._optimizer_step_pre_hooks:
            for hook in chain(_global_pre_hooks.values(), self._optimizer_step_pre_hooks.values()):
                result = hook(self, args, kwargs)
                if result is not None:
                    if isinstance(result, tuple) and len(result) == 2:
                        args, kwargs = result
                    else:
                        raise RuntimeError(
                            f"{step} must return None or a tuple of (new_args, new_kwargs), but got {result}.")
        self._in_step = True
        try:
            out = step(self, *args, **kwargs)
        finally:
            self._in_step = False
        self._opt_called = True
        if self._optimizer_step_post_hooks or _global_post_hooks:
            for hook in chain(self._optimizer_step_post_hooks.values(), _global_post_hooks.values()):
                hook(self, args, kwargs)
        return out
    wrapper._hooked = True
    return wrapper


def _scalar_dtype(fused=False):
    """dtype of 0-d state such as ``step``: float32, or float64 under a float64 default."""
    if not fused and cytorch.get_default_dtype() == cytorch.float64:
        return cytorch.float64
    return cytorch.float32


def _value(x):
    """A Python number from an option that may be a one-element tensor (lr, betas)."""
    return x.item() if isinstance(x, cytorch.Tensor) else x


def _check_lr(lr):
    if isinstance(lr, cytorch.Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")


_OPTION_WORDS = {"eps": "epsilon"}      # how PyTorch's messages name an option


def _check_nonneg(**options):
    """PyTorch's ValueError ("Invalid epsilon value: -1") for the first option, in the order given,
    that is not >= 0 (NaN included)."""
    for name, value in options.items():
        if not 0.0 <= value:
            raise ValueError(f"Invalid {_OPTION_WORDS.get(name, name)} value: {value}")


def _check_flags(differentiable, fused=None, foreach=None):
    """foreach and capturable are accepted and change nothing (every update is one fused loop);
    fused=True is the same loop. differentiable=True (autograd through step) is not there."""
    if fused and foreach:
        raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
    if differentiable:
        if fused:
            raise RuntimeError("`fused` does not support `differentiable`")
        raise NotImplementedError("cytorch.optim: differentiable=True (autograd through the "
                                  "optimizer step) is not supported")


def _eval_closure(closure):
    if closure is None:
        return None
    with enable_grad():
        return closure()


class Optimizer:
    r"""Base class for all optimizers.

    Args:
        params (iterable): Tensors to optimize, ``(name, tensor)`` pairs (``named_parameters()``),
            or dicts defining parameter groups (``{"params": [...], "lr": 0.1}``); the order
            must be deterministic (no sets).
        defaults (dict): default values of the optimization options, used by groups that do not
            set them.

    Example::

        >>> opt = cytorch.optim.SGD([w], lr=0.1)
        >>> opt.zero_grad(); loss_fn(w).backward(); opt.step()
    """

    _scalar_state = ("step",)    # state entries kept as 0-d tensors (converted on load)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "_hooked", False):
            cls.step = _with_step_hooks(step)

    def __init__(self, params, defaults):
        self.defaults = defaults
        self._optimizer_step_pre_hooks = OrderedDict()
        self._optimizer_step_post_hooks = OrderedDict()
        self._optimizer_state_dict_pre_hooks = OrderedDict()
        self._optimizer_state_dict_post_hooks = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks = OrderedDict()
        self._optimizer_load_state_dict_post_hooks = OrderedDict()
        if isinstance(params, cytorch.Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors "
                            "or dicts, but got " + _typename(params))
        self.state = defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
        for name in ("_optimizer_step_pre_hooks", "_optimizer_step_post_hooks",
                     "_optimizer_state_dict_pre_hooks", "_optimizer_state_dict_post_hooks",
                     "_optimizer_load_state_dict_pre_hooks", "_optimizer_load_state_dict_post_hooks"):
            if name not in self.__dict__:
                setattr(self, name, OrderedDict())
        self.defaults.setdefault("differentiable", False)
        for group in self.param_groups:
            for key, default in self.defaults.items():
                if default is not required:
                    group.setdefault(key, default)
            fused = bool(group.get("fused", False))
            for p in group["params"]:
                st = self.state.get(p)
                if not st:
                    continue
                for key in self._scalar_state:       # old checkpoints kept numbers here
                    if key in st and not isinstance(st[key], cytorch.Tensor):
                        st[key] = cytorch.tensor(float(st[key]), dtype=_scalar_dtype(fused))

    def __repr__(self):
        lines = [self.__class__.__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(group.keys()):
                if key != "params":
                    lines.append(f"    {key}: {group[key]}")
        return "\n".join(lines) + "\n)"

    # ---------------------------------------------------------------- groups

    def add_param_group(self, param_group):
        r"""Add a parameter group (a dict with ``"params"`` and optional options) to
        :attr:`param_groups`, e.g. to train layers unfrozen during training.

        Args:
            param_group (dict): the parameters and the options that differ from the defaults.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, cytorch.Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but "
                            "the ordering of tensors in sets will change between runs. Please use a "
                            "list instead.")
        else:
            param_group["params"] = list(params)
        tensors, names = [], []
        for param in param_group["params"]:
            if isinstance(param, tuple):
                names.append(param[0])
                tensors.append(param[1])
            else:
                tensors.append(param)
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError("all optimizer params should be with/without names. Some param names "
                                 "are missing")
            param_group["param_names"] = names
        for param in tensors:
            if not isinstance(param, cytorch.Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + _typename(param))
            if not self.defaults.get("differentiable", None) and not (param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization "
                                 f"parameter {name}")
            param_group.setdefault(name, default)
        ids = {id(p) for p in tensors}
        if len(ids) != len(tensors):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in future, "
                          "this will cause an error; see github.com/pytorch/pytorch/issues/40967 for "
                          "more information", stacklevel=3)
        for group in self.param_groups:
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {which} to the optimizer")
            if any(id(p) in ids for p in group["params"]):
                raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none=True):
        r"""Reset the gradients of every optimized tensor.

        Args:
            set_to_none (bool): set ``.grad`` to None (default) instead of filling it with zeros.
                A parameter whose grad is None is skipped by ``step``; one with a zero grad is
                still updated (momentum, weight decay).
        """
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if g.grad_fn is not None:
                        g.detach_()
                    else:
                        g.requires_grad_(False)
                    g.zero_()

    def step(self, closure=None):
        r"""Perform one optimization step (each subclass defines it).

        Args:
            closure (Callable, optional): re-evaluates the model and returns the loss (run with
                grad enabled). Required by LBFGS.
        """
        raise NotImplementedError

    # ---------------------------------------------------------------- state_dict

    def state_dict(self):
        r"""The optimizer state as a dict, in PyTorch's layout.

        ``"state"`` maps a parameter's index (its position across all groups, in order) to its
        state dict (tensors are the live state, not copies); ``"param_groups"`` lists each group's
        options with ``"params"`` as those indices.
        """
        for hook in self._optimizer_state_dict_pre_hooks.values():
            hook(self)
        index = {}
        groups = []
        start = 0
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                index.setdefault(id(p), i)
            packed["params"] = [index[id(p)] for p in group["params"]]
            start += len(packed["params"])
            groups.append(packed)
        state = {(index[id(k)] if isinstance(k, cytorch.Tensor) else k): v for k, v in self.state.items()}
        state_dict = {"state": state, "param_groups": groups}
        for hook in self._optimizer_state_dict_post_hooks.values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    @staticmethod
    def _cast_state_value(param, value, key, group):
        """A loaded state tensor in the parameter's dtype; 'step' keeps its own (float32 when fused)."""
        if key == "step":
            if group.get("fused", False) or group.get("capturable", False):
                return value.to(dtype=cytorch.float32)
            return value
        if param.is_floating_point():
            return value.to(dtype=param.dtype)
        return value

    def load_state_dict(self, state_dict):
        r"""Load a state from :meth:`state_dict` (ours or one saved by PyTorch).

        Parameters are matched by position; floating state tensors are cast to their parameter's
        dtype. Load after creating any LR scheduler (its constructor resets the group lrs).

        Args:
            state_dict (dict): the state, as returned by :meth:`state_dict`.
        """
        state_dict = state_dict.copy()
        for hook in self._optimizer_load_state_dict_pre_hooks.values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match the size "
                             "of optimizer's group")
        id_map = {}
        group_of = {}
        for g, s in zip(groups, saved_groups):
            for pid, p in zip(s["params"], g["params"]):
                id_map[pid] = p
                group_of[pid] = s

        def cast(param, value, key, group):
            if isinstance(value, cytorch.Tensor):
                return self._cast_state_value(param, value, key, group)
            if isinstance(value, dict):
                return {k: cast(param, v, k, group) for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return type(value)(cast(param, v, None, group) for v in value)
            return value

        state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                state[id_map[k]] = cast(id_map[k], v, None, group_of[k])
            else:
                state[k] = v
        new_groups = []
        for g, s in zip(groups, saved_groups):
            s["params"] = g["params"]
            if "param_names" in g and "param_names" not in s:
                s["param_names"] = g["param_names"]
            new_groups.append(s)
        self.__setstate__({"state": state, "param_groups": new_groups})
        for hook in self._optimizer_load_state_dict_post_hooks.values():
            hook(self)

    # ---------------------------------------------------------------- hooks

    def register_step_pre_hook(self, hook):
        r"""Register ``hook(optimizer, args, kwargs) -> None or (new_args, new_kwargs)`` to run
        before :meth:`step`. Returns a handle whose ``remove()`` unregisters it."""
        return _add_hook(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook):
        r"""Register ``hook(optimizer, args, kwargs)`` to run after :meth:`step`."""
        return _add_hook(self._optimizer_step_post_hooks, hook)

    def register_state_dict_pre_hook(self, hook, prepend=False):
        r"""Register ``hook(optimizer)`` to run before :meth:`state_dict`."""
        return _add_hook(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend=False):
        r"""Register ``hook(optimizer, state_dict) -> state_dict or None`` to run after
        :meth:`state_dict`."""
        return _add_hook(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend=False):
        r"""Register ``hook(optimizer, state_dict) -> state_dict or None`` to run before
        :meth:`load_state_dict`."""
        return _add_hook(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend=False):
        r"""Register ``hook(optimizer)`` to run after :meth:`load_state_dict`."""
        return _add_hook(self._optimizer_load_state_dict_post_hooks, hook, prepend)


class _FusedOptimizer(Optimizer):
    """Base of the built-in optimizers whose update is one fused C call per parameter group
    (``cytorch/_C/_optim.pyx``).

    A subclass validates its options, builds ``defaults`` (which hold ``foreach`` and
    ``differentiable``, and may hold ``fused``) and defines ``_update_group(group, params, grads)``:
    the group's parameters that have a gradient, their gradients, and the one C call.
    """

    def __init__(self, params, defaults):
        super().__init__(params, defaults)
        _check_flags(defaults["differentiable"], defaults.get("fused"), defaults["foreach"])

    def step(self, closure=None):
        r"""Perform one optimization step (the update rule is in the class docstring).

        Args:
            closure (Callable, optional): re-evaluates the model and returns the loss.
        """
        loss = _eval_closure(closure)
        for group in self.param_groups:
            params, grads = self._with_grad(group)
            if params:
                self._update_group(group, params, grads)
        return loss

    def _update_group(self, group, params, grads):
        raise NotImplementedError

    def _with_grad(self, group):
        """(params, grads) of the group's parameters that have a gradient."""
        params, grads = [], []
        for p in group["params"]:
            g = p.grad
            if g is not None:
                if g.is_sparse:
                    raise RuntimeError(f"{type(self).__name__} does not support sparse gradients")
                params.append(p)
                grads.append(g)
        return params, grads

    def _state_lists(self, group, params, grads, names, init=None):
        """One list per state entry in ``names`` (an empty list for a None name), over ``params``.

        A parameter stepped for the first time gets its state first: ``init(group, state, p, g)``
        when given, else the entries of ``names`` in that order, ``"step"`` a zero step counter
        and the others zeros like the parameter.
        """
        state = self.state
        sts = [state[p] for p in params]
        if not all(sts):
            self._fill_state(group, sts, params, grads, names, init)
        lists = []
        for name in names:         # a loop of comprehensions: the fastest form measured here
            lists.append([st[name] for st in sts] if name is not None else [])
        return lists

    def _fill_state(self, group, sts, params, grads, names, init):
        for st, p, g in zip(sts, params, grads):
            if st:
                continue
            if init is not None:
                init(group, st, p, g)
                continue
            for name in names:
                if name == "step":
                    st[name] = self._new_step(group)
                elif name is not None:
                    st[name] = cytorch.zeros_like(p)

    def _new_step(self, group):
        """A zero step counter in PyTorch's dtype."""
        return cytorch.zeros((), dtype=_scalar_dtype(bool(group.get("fused"))))
