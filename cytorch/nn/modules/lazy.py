"""LazyModuleMixin: modules whose parameter shapes come from the first input, and the lazy
convolutions and norms built on it (LazyLinear lives with Linear)."""
import cytorch
from cytorch.autograd.grad_mode import no_grad
from cytorch.nn.parameter import is_lazy, UninitializedParameter, UninitializedBuffer

__all__ = ["LazyModuleMixin", "LazyConv1d", "LazyConv2d", "LazyConv3d", "LazyConvTranspose1d",
           "LazyConvTranspose2d", "LazyConvTranspose3d", "LazyBatchNorm1d", "LazyBatchNorm2d",
           "LazyBatchNorm3d", "LazyInstanceNorm1d", "LazyInstanceNorm2d", "LazyInstanceNorm3d"]


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


# ---------------------------------------------------------------- convolutions

from cytorch.nn.modules.conv import (Conv1d, Conv2d, Conv3d, ConvTranspose1d,  # noqa: E402
                                     ConvTranspose2d, ConvTranspose3d)
from cytorch.nn.modules.batchnorm import BatchNorm1d, BatchNorm2d, BatchNorm3d  # noqa: E402
from cytorch.nn.modules.instancenorm import InstanceNorm1d, InstanceNorm2d, InstanceNorm3d  # noqa: E402


class _LazyConvMixin(LazyModuleMixin):
    """in_channels from the first input's channel dim (dim 1 batched, dim 0 unbatched)."""

    def _make_lazy(self, out_channels, bias, device, dtype):
        # the base class was built with 0 channels and no bias, so nothing real was allocated
        self.out_channels = out_channels
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    def reset_parameters(self):
        if not self.has_uninitialized_params() and self.in_channels != 0:
            super().reset_parameters()

    def initialize_parameters(self, input, *args, **kwargs):
        if not self.has_uninitialized_params():
            return
        n = self._n
        if input.dim() not in (n + 1, n + 2):
            raise RuntimeError(f"Expected {n + 1}D (unbatched) or {n + 2}D (batched) input to "
                               f"{type(self).__name__}, but got input of size: {input.shape}")
        c = input.shape[input.dim() - n - 1]
        if c % self.groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        self.in_channels = c
        g = self.groups
        shape = (c, self.out_channels // g) if self.transposed else (self.out_channels, c // g)
        with no_grad():
            self.weight.materialize(shape + tuple(self.kernel_size))
            if self.bias is not None:
                self.bias.materialize((self.out_channels,))
            self.reset_parameters()


class _LazyConv(_LazyConvMixin):
    def __init__(self, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True,
                 padding_mode="zeros", device=None, dtype=None):
        super().__init__(0, 0, kernel_size, stride, padding, dilation, groups, False, padding_mode, device, dtype)
        self._make_lazy(out_channels, bias, device, dtype)


class _LazyConvTranspose(_LazyConvMixin):
    def __init__(self, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1, bias=True,
                 dilation=1, padding_mode="zeros", device=None, dtype=None):
        super().__init__(0, 0, kernel_size, stride, padding, output_padding, groups, False, dilation, padding_mode,
                         device, dtype)
        self._make_lazy(out_channels, bias, device, dtype)


class LazyConv1d(_LazyConv, Conv1d):
    r"""A Conv1d whose ``in_channels`` comes from the first input (then it becomes a Conv1d).

    Args: Conv1d's, without ``in_channels``.

    Example::

        >>> m = nn.LazyConv1d(8, 3)
        >>> m(torch.randn(2, 4, 16)).shape       # now m is a Conv1d(4, 8, kernel_size=(3,), ...)
        torch.Size([2, 8, 14])
    """
    cls_to_become = Conv1d


class LazyConv2d(_LazyConv, Conv2d):
    r"""A Conv2d whose ``in_channels`` comes from the first input (then it becomes a Conv2d).

    Args: Conv2d's, without ``in_channels``.

    Example::

        >>> m = nn.LazyConv2d(8, 3)
        >>> m(torch.randn(2, 4, 16, 16)).shape   # now m is a Conv2d(4, 8, kernel_size=(3, 3), ...)
        torch.Size([2, 8, 14, 14])
    """
    cls_to_become = Conv2d


class LazyConv3d(_LazyConv, Conv3d):
    r"""A Conv3d whose ``in_channels`` comes from the first input (then it becomes a Conv3d).

    Args: Conv3d's, without ``in_channels``.

    Example::

        >>> m = nn.LazyConv3d(8, 3)
        >>> m(torch.randn(2, 4, 6, 6, 6)).shape  # now m is a Conv3d(4, 8, ...)
        torch.Size([2, 8, 4, 4, 4])
    """
    cls_to_become = Conv3d


class LazyConvTranspose1d(_LazyConvTranspose, ConvTranspose1d):
    r"""A ConvTranspose1d whose ``in_channels`` comes from the first input (then it becomes one).

    Args: ConvTranspose1d's, without ``in_channels``.

    Example::

        >>> m = nn.LazyConvTranspose1d(8, 3)
        >>> m(torch.randn(2, 4, 16)).shape
        torch.Size([2, 8, 18])
    """
    cls_to_become = ConvTranspose1d


class LazyConvTranspose2d(_LazyConvTranspose, ConvTranspose2d):
    r"""A ConvTranspose2d whose ``in_channels`` comes from the first input (then it becomes one).

    Args: ConvTranspose2d's, without ``in_channels``.

    Example::

        >>> m = nn.LazyConvTranspose2d(8, 3)
        >>> m(torch.randn(2, 4, 16, 16)).shape
        torch.Size([2, 8, 18, 18])
    """
    cls_to_become = ConvTranspose2d


class LazyConvTranspose3d(_LazyConvTranspose, ConvTranspose3d):
    r"""A ConvTranspose3d whose ``in_channels`` comes from the first input (then it becomes one).

    Args: ConvTranspose3d's, without ``in_channels``.

    Example::

        >>> m = nn.LazyConvTranspose3d(8, 3)
        >>> m(torch.randn(2, 4, 6, 6, 6)).shape
        torch.Size([2, 8, 8, 8, 8])
    """
    cls_to_become = ConvTranspose3d


# ---------------------------------------------------------------- batch and instance norm

class _LazyNormMixin(LazyModuleMixin):
    """num_features from the first input's dim 1. weight/bias and the running statistics start
    uninitialised; num_batches_tracked is a real 0 from the start (as in PyTorch). The lazy
    instance norms, like PyTorch's, default affine and track_running_stats to True."""

    def __init__(self, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True, device=None, dtype=None, *,
                 bias=True):
        # built without affine or running statistics (nothing allocated), then given lazy ones
        super().__init__(0, eps, momentum, False, False, device, dtype, bias=False)
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = UninitializedParameter(device=device, dtype=dtype)
            if bias:
                self.bias = UninitializedParameter(device=device, dtype=dtype)
        if track_running_stats:
            self.register_buffer("running_mean", UninitializedBuffer(device=device, dtype=dtype))
            self.register_buffer("running_var", UninitializedBuffer(device=device, dtype=dtype))
            self.register_buffer("num_batches_tracked", cytorch.tensor(0, dtype=cytorch.long, device=device))

    def reset_parameters(self):
        if not self.has_uninitialized_params() and self.num_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input, *args, **kwargs):
        if not self.has_uninitialized_params():
            return
        self.num_features = input.shape[1]
        with no_grad():
            for name in ("weight", "bias", "running_mean", "running_var"):
                t = getattr(self, name)
                if t is not None and is_lazy(t):
                    t.materialize((self.num_features,))
            self.reset_parameters()


class LazyBatchNorm1d(_LazyNormMixin, BatchNorm1d):
    r"""A BatchNorm1d whose ``num_features`` comes from the first input's dim 1 (then it becomes a
    BatchNorm1d). Args: BatchNorm1d's, without ``num_features``.

    Example::

        >>> m = nn.LazyBatchNorm1d()
        >>> m(torch.randn(8, 4)).shape     # now m is a BatchNorm1d(4)
        torch.Size([8, 4])
    """
    cls_to_become = BatchNorm1d


class LazyBatchNorm2d(_LazyNormMixin, BatchNorm2d):
    r"""A BatchNorm2d whose ``num_features`` comes from the first input's dim 1 (then it becomes a
    BatchNorm2d). Args: BatchNorm2d's, without ``num_features``.

    Example::

        >>> m = nn.LazyBatchNorm2d()
        >>> m(torch.randn(8, 4, 5, 5)).shape
        torch.Size([8, 4, 5, 5])
    """
    cls_to_become = BatchNorm2d


class LazyBatchNorm3d(_LazyNormMixin, BatchNorm3d):
    r"""A BatchNorm3d whose ``num_features`` comes from the first input's dim 1 (then it becomes a
    BatchNorm3d). Args: BatchNorm3d's, without ``num_features``.

    Example::

        >>> m = nn.LazyBatchNorm3d()
        >>> m(torch.randn(8, 4, 2, 5, 5)).shape
        torch.Size([8, 4, 2, 5, 5])
    """
    cls_to_become = BatchNorm3d


class LazyInstanceNorm1d(_LazyNormMixin, InstanceNorm1d):
    r"""An InstanceNorm1d whose ``num_features`` comes from the first input's dim 1 (then it becomes
    an InstanceNorm1d). Args: InstanceNorm1d's without ``num_features``; affine and
    track_running_stats default to True here (as in PyTorch).

    Example::

        >>> m = nn.LazyInstanceNorm1d()
        >>> m(torch.randn(8, 4, 10)).shape
        torch.Size([8, 4, 10])
    """
    cls_to_become = InstanceNorm1d


class LazyInstanceNorm2d(_LazyNormMixin, InstanceNorm2d):
    r"""An InstanceNorm2d whose ``num_features`` comes from the first input's dim 1 (then it becomes
    an InstanceNorm2d). Args: InstanceNorm2d's without ``num_features``; affine and
    track_running_stats default to True here (as in PyTorch).

    Example::

        >>> m = nn.LazyInstanceNorm2d()
        >>> m(torch.randn(8, 4, 5, 5)).shape
        torch.Size([8, 4, 5, 5])
    """
    cls_to_become = InstanceNorm2d


class LazyInstanceNorm3d(_LazyNormMixin, InstanceNorm3d):
    r"""An InstanceNorm3d whose ``num_features`` comes from the first input's dim 1 (then it becomes
    an InstanceNorm3d). Args: InstanceNorm3d's without ``num_features``; affine and
    track_running_stats default to True here (as in PyTorch).

    Example::

        >>> m = nn.LazyInstanceNorm3d()
        >>> m(torch.randn(8, 4, 2, 5, 5)).shape
        torch.Size([8, 4, 2, 5, 5])
    """
    cls_to_become = InstanceNorm3d
