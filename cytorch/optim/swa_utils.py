"""Stochastic weight averaging and EMA: AveragedModel, SWALR, update_bn."""
import itertools
import math
import warnings
from copy import deepcopy

import cytorch
from cytorch.autograd.grad_mode import no_grad
from cytorch.nn import Module
from cytorch.optim.lr_scheduler import LRScheduler, _per_group

__all__ = ["AveragedModel", "update_bn", "SWALR", "get_ema_multi_avg_fn", "get_swa_multi_avg_fn",
           "get_ema_avg_fn", "get_swa_avg_fn"]


def _check_decay(decay):
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in [0,1] range.")


def _floating(t):
    return t.is_floating_point() or t.is_complex()


def get_ema_multi_avg_fn(decay=0.999):
    """An in-place EMA over lists of tensors: ema = decay * ema + (1 - decay) * current.

    Args:
        decay (float): in [0, 1] (default: 0.999).
    """
    _check_decay(decay)

    @no_grad()
    def ema_update(ema_params, current_params, _):
        if _floating(ema_params[0]):
            for e, c in zip(ema_params, current_params):
                e.lerp_(c, 1 - decay)
        else:
            for e, c in zip(ema_params, current_params):
                e.copy_(e * decay + c * (1 - decay))
    return ema_update


def get_swa_multi_avg_fn():
    """An in-place running mean over lists of tensors: avg += (current - avg) / (n + 1)."""
    @no_grad()
    def swa_update(averaged_params, current_params, num_averaged):
        n = float(num_averaged)
        if _floating(averaged_params[0]):
            for a, c in zip(averaged_params, current_params):
                a.lerp_(c, 1 / (n + 1))
        else:
            for a, c in zip(averaged_params, current_params):
                a.add_(c - a, alpha=1.0 / (n + 1))
    return swa_update


def get_ema_avg_fn(decay=0.999):
    """EMA of one tensor: returns decay * ema + (1 - decay) * current.

    Args:
        decay (float): in [0, 1] (default: 0.999).
    """
    _check_decay(decay)

    @no_grad()
    def ema_update(ema_param, current_param, num_averaged):
        return decay * ema_param + (1 - decay) * current_param
    return ema_update


def get_swa_avg_fn():
    """Running mean of one tensor: returns avg + (current - avg) / (n + 1)."""
    @no_grad()
    def swa_update(averaged_param, current_param, num_averaged):
        return averaged_param + (current_param - averaged_param) / (num_averaged + 1)
    return swa_update


class AveragedModel(Module):
    r"""A copy of a model whose parameters are averaged over training (SWA, EMA).

    ``update_parameters(model)`` folds the model's current parameters into the average: the
    first call copies them; later calls apply ``avg_fn(avg, current, n_averaged)`` per tensor
    or ``multi_avg_fn(avgs, currents, n_averaged)`` per dtype group (default: the running mean).
    Buffers are copied from the model, or averaged too with ``use_buffers=True``.

    Args:
        model (Module): the model to average (deep-copied).
        device (optional): where to keep the copy.
        avg_fn (callable, optional): per-tensor averaging function (see :func:`get_ema_avg_fn`).
        multi_avg_fn (callable, optional): in-place averaging of tensor lists
            (see :func:`get_ema_multi_avg_fn`).
        use_buffers (bool): average buffers as well (default: False).

    Example::

        >>> swa_model = AveragedModel(model)
        >>> ema_model = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(0.999))
        >>> for epoch in range(10):
        ...     train(model); swa_model.update_parameters(model)
    """

    def __init__(self, model, device=None, avg_fn=None, multi_avg_fn=None, use_buffers=False):
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", cytorch.tensor(0, dtype=cytorch.long))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    @no_grad()
    def update_parameters(self, model):
        """Fold ``model``'s current parameters (and buffers with use_buffers) into the average.

        Args:
            model (Module): a model with the same structure as the averaged one.
        """
        if self.use_buffers:
            mine = list(itertools.chain(self.module.parameters(), self.module.buffers()))
            theirs = list(itertools.chain(model.parameters(), model.buffers()))
        else:
            mine = list(self.parameters())
            theirs = list(model.parameters())
        mine = [p.detach() for p in mine]
        theirs = [p.detach() for p in theirs]
        n = self.n_averaged
        if int(n) == 0:
            for a, c in zip(mine, theirs):
                a.copy_(c)
        else:
            if self.avg_fn is not None:
                for a, c in zip(mine, theirs):
                    a.copy_(self.avg_fn(a, c, n))
            elif self.multi_avg_fn is not None:
                by_dtype = {}
                for a, c in zip(mine, theirs):
                    pair = by_dtype.setdefault(a.dtype, ([], []))
                    pair[0].append(a)
                    pair[1].append(c)
                for avgs, currents in by_dtype.values():
                    self.multi_avg_fn(avgs, currents, n)
            else:
                avg = get_swa_avg_fn()
                for a, c in zip(mine, theirs):
                    a.copy_(avg(a, c, n))
        if not self.use_buffers:
            for b_mine, b_model in zip(self.module.buffers(), model.buffers()):
                b_mine.detach().copy_(b_model.detach())
        self.n_averaged += 1


def _batchnorm_class():
    bn = getattr(cytorch.nn.modules, "batchnorm", None)
    return getattr(bn, "_BatchNorm", None)


@no_grad()
def update_bn(loader, model, device=None):
    r"""Recompute the BatchNorm running statistics of ``model`` with one pass over ``loader``
    (after SWA the averaged weights need their own statistics).

    Each BatchNorm layer's running stats are reset and accumulated as a cumulative average
    (momentum None) over the batches, then momentum is restored. Batches may be tensors or
    (input, ...) tuples/lists.

    Args:
        loader (iterable): batches of inputs.
        model (Module): the model to update.
        device (optional): where to move each batch first.

    Example::

        >>> update_bn(train_loader, swa_model)
    """
    bn_class = _batchnorm_class()
    momenta = {}
    if bn_class is not None:
        for module in model.modules():
            if isinstance(module, bn_class):
                module.reset_running_stats()
                momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    for batch in loader:
        if isinstance(batch, (list, tuple)):
            batch = batch[0]
        if device is not None:
            batch = batch.to(device)
        model(batch)
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)


class SWALR(LRScheduler):
    r"""Anneal each group's lr to ``swa_lr`` over ``anneal_epochs`` epochs, then hold it.

    lr_t = swa_lr * alpha_t + lr_0 * (1 - alpha_t), alpha_t = f(min(1, t / anneal_epochs)) with
    f(x) = (1 - cos(pi x)) / 2 ("cos") or x ("linear").

    Args:
        optimizer (Optimizer): wrapped optimizer.
        swa_lr (float or list): the lr to reach (per group).
        anneal_epochs (int): epochs of the annealing (default: 10).
        anneal_strategy (str): ``"cos"`` or ``"linear"`` (default: "cos").
        last_epoch (int): the index of the last epoch (default: -1).

    Example::

        >>> swa_scheduler = SWALR(opt, swa_lr=0.05, anneal_epochs=5)
    """

    def __init__(self, optimizer, swa_lr, anneal_epochs=10, anneal_strategy="cos", last_epoch=-1):
        for lr, group in zip(_per_group("swa_lr", optimizer, swa_lr), optimizer.param_groups):
            group["swa_lr"] = lr
        if anneal_strategy not in ["cos", "linear"]:
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t):
        return t

    @staticmethod
    def _cosine_anneal(t):
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr, swa_lr, alpha):
        """The lr the schedule started from, given the lr after a fraction alpha of it."""
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def _set_anneal_func(self, strategy):
        self._anneal_strategy = strategy
        self.anneal_func = self._cosine_anneal if strategy == "cos" else self._linear_anneal

    def get_lr(self):
        if not self._get_lr_called_within_step:
            warnings.warn("To get the last learning rate computed by the scheduler, please use "
                          "`get_last_lr()`.", UserWarning, stacklevel=2)
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        span = max(1, self.anneal_epochs)
        prev_alpha = self.anneal_func(max(0, min(1, (step - 1) / span)))
        starts = [self._get_initial_lr(g["lr"], g["swa_lr"], prev_alpha) for g in self.optimizer.param_groups]
        alpha = self.anneal_func(max(0, min(1, step / span)))
        return [g["swa_lr"] * alpha + lr * (1 - alpha) for g, lr in zip(self.optimizer.param_groups, starts)]

    def state_dict(self):
        return {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "anneal_func")}

    def load_state_dict(self, state_dict):
        self.__dict__.update(state_dict)
        self._set_anneal_func(self._anneal_strategy)
