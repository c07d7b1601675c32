"""BatchNorm1d/2d/3d: batch statistics in training (running statistics updated in the same
fused pass), running statistics in eval mode."""
import cytorch
from cytorch.nn import functional as F
from cytorch.nn.modules._utils import _affine_parameters, _reset_affine
from cytorch.nn.modules.module import Module

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d"]


class _NormBase(Module):
    """Weight/bias, running statistics and num_batches_tracked shared by batch and instance norm."""

    _version = 2
    __constants__ = ["track_running_stats", "momentum", "eps", "num_features", "affine"]

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True, device=None,
                 dtype=None, *, bias=True):
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        _affine_parameters(self, affine, bias, num_features, device, dtype)
        if track_running_stats:
            self.register_buffer("running_mean", cytorch.zeros(num_features, device=device, dtype=dtype))
            self.register_buffer("running_var", cytorch.ones(num_features, device=device, dtype=dtype))
            self.register_buffer("num_batches_tracked", cytorch.tensor(0, dtype=cytorch.long, device=device))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self):
        """running_mean := 0, running_var := 1, num_batches_tracked := 0."""
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self):
        self.reset_running_stats()
        if self.affine:
            _reset_affine(self)

    def _check_input_dim(self, input):
        raise NotImplementedError

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                              error_msgs):
        # checkpoints older than version 2 have no num_batches_tracked: it starts at 0
        version = local_metadata.get("version", None)
        if (version is None or version < 2) and self.track_running_stats:
            key = prefix + "num_batches_tracked"
            if key not in state_dict:
                state_dict[key] = (self.num_batches_tracked if self.num_batches_tracked is not None
                                   else cytorch.tensor(0, dtype=cytorch.long))
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                                      error_msgs)


class _BatchNorm(_NormBase):
    def forward(self, input):
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:         # cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked)
        use_batch = self.training or (self.running_mean is None and self.running_var is None)
        keep = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if keep else None, self.running_var if keep else None,
                            self.weight, self.bias, use_batch, factor, self.eps)


class BatchNorm1d(_BatchNorm):
    r"""Batch normalisation of a (N, C) or (N, C, L) input over N (and L), per channel.

    Args:
        num_features (int): C.
        eps (float): Default 1e-5.
        momentum (float or None): running = (1 - momentum) running + momentum batch; None: the
            cumulative average over all batches seen. Default: 0.1
        affine (bool): learn weight (init 1) and bias (init 0). Default: True
        track_running_stats (bool): keep running_mean/var (buffers) and use them in eval mode;
            False: batch statistics in both modes. Default: True

    Shape: Input :math:`(N, C)` or :math:`(N, C, L)`; Output: the same.

    Example::

        >>> m = nn.BatchNorm1d(100)
        >>> m(cytorch.randn(20, 100)).shape
        cytorch.Size([20, 100])
    """

    def _check_input_dim(self, input):
        if input.dim() != 2 and input.dim() != 3:
            raise ValueError(f"expected 2D or 3D input (got {input.dim()}D input)")


class BatchNorm2d(_BatchNorm):
    r"""Batch normalisation of a (N, C, H, W) input over N, H, W, per channel (see BatchNorm1d).

    Example::

        >>> nn.BatchNorm2d(3)(cytorch.randn(4, 3, 5, 5)).shape
        cytorch.Size([4, 3, 5, 5])
    """

    def _check_input_dim(self, input):
        if input.dim() != 4:
            raise ValueError(f"expected 4D input (got {input.dim()}D input)")


class BatchNorm3d(_BatchNorm):
    r"""Batch normalisation of a (N, C, D, H, W) input, per channel (see BatchNorm1d).

    Example::

        >>> nn.BatchNorm3d(3)(cytorch.randn(2, 3, 2, 2, 2)).shape
        cytorch.Size([2, 3, 2, 2, 2])
    """

    def _check_input_dim(self, input):
        if input.dim() != 5:
            raise ValueError(f"expected 5D input (got {input.dim()}D input)")
