"""InstanceNorm1d/2d/3d: each channel of each sample normalised over its spatial dims."""
import warnings

from cytorch.nn import functional as F
from cytorch.nn.modules.batchnorm import _NormBase

__all__ = ["InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d"]


class _InstanceNorm(_NormBase):
    _no_batch_dim = None       # input dims of an unbatched input

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False, track_running_stats=False,
                 device=None, dtype=None, *, bias=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)

    def _check_input_dim(self, input):
        nd = self._no_batch_dim
        if input.dim() not in (nd, nd + 1):
            raise ValueError(f"expected {nd}D or {nd + 1}D input (got {input.dim()}D input)")

    def _norm(self, input):
        return F.instance_norm(input, self.running_mean, self.running_var, self.weight, self.bias,
                               self.training or not self.track_running_stats,
                               self.momentum if self.momentum is not None else 0.0, self.eps)

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                              error_msgs):
        version = local_metadata.get("version", None)
        if version is None and not self.track_running_stats:
            keys = [prefix + n for n in ("running_mean", "running_var") if prefix + n in state_dict]
            if keys:
                klass = type(self).__name__
                names = " and ".join(f'"{k}"' for k in keys)
                error_msgs.append(
                    f"Unexpected running stats buffer(s) {names} for {klass} with track_running_stats=False. If "
                    "state_dict is a checkpoint saved before 0.4.0, this may be expected because "
                    f"{klass} does not track running stats by default since 0.4.0. Please remove these keys from "
                    "state_dict. If the running stats are actually needed, instead set track_running_stats=True "
                    f"in {klass} to enable them. See the documentation of {klass} for details.")
                for k in keys:
                    state_dict.pop(k)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                                      error_msgs)

    def forward(self, input):
        self._check_input_dim(input)
        feature_dim = input.dim() - self._no_batch_dim
        if input.shape[feature_dim] != self.num_features:
            if self.affine:
                raise ValueError(f"expected input's size at dim={feature_dim} to match num_features "
                                 f"({self.num_features}), but got: {input.shape[feature_dim]}.")
            warnings.warn(f"input's size at dim={feature_dim} does not match num_features. You can silence this "
                          "warning by not passing in num_features, which is not used because affine=False",
                          stacklevel=2)
        if input.dim() == self._no_batch_dim:
            return self._norm(input.unsqueeze(0)).squeeze(0)
        return self._norm(input)


class InstanceNorm1d(_InstanceNorm):
    r"""Instance normalisation of a (N, C, L) or (C, L) input: each channel over L.

    Args: num_features (int): C; eps; momentum; affine (bool): Default False;
        track_running_stats (bool): Default False (True: running stats used in eval mode).

    Example::

        >>> nn.InstanceNorm1d(3)(cytorch.randn(2, 3, 5)).shape
        cytorch.Size([2, 3, 5])
    """

    _no_batch_dim = 2


class InstanceNorm2d(_InstanceNorm):
    r"""Instance normalisation of a (N, C, H, W) or (C, H, W) input: each channel over H, W.

    Example::

        >>> nn.InstanceNorm2d(3, affine=True)(cytorch.randn(2, 3, 4, 4)).shape
        cytorch.Size([2, 3, 4, 4])
    """

    _no_batch_dim = 3


class InstanceNorm3d(_InstanceNorm):
    r"""Instance normalisation of a (N, C, D, H, W) or (C, D, H, W) input.

    Example::

        >>> nn.InstanceNorm3d(3)(cytorch.randn(2, 3, 2, 2, 2)).shape
        cytorch.Size([2, 3, 2, 2, 2])
    """

    _no_batch_dim = 4
