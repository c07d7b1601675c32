"""Dropout layers: active in training mode only (``model.eval()`` makes them the identity)."""
from cytorch.nn import functional as F
from cytorch.nn.modules.module import Module

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout"]


class _DropoutNd(Module):
    __constants__ = ["p", "inplace"]

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    r"""Zero each element with probability ``p`` in training and scale the rest by ``1/(1-p)``.

    The mask comes from cytorch's generator (``cytorch.manual_seed`` makes it reproducible).

    Args: p (float): drop probability. Default: 0.5; inplace (bool). Default: False
    Shape: Input :math:`(*)`; Output: the same.

    Example::

        >>> m = nn.Dropout(0.2)
        >>> m(cytorch.ones(3)).shape
        cytorch.Size([3])
    """

    def forward(self, input):
        return F.dropout(input, self.p, self.training, self.inplace)


class Dropout1d(_DropoutNd):
    r"""Zero whole channels of a (N, C, L) or (C, L) input with probability ``p`` (training).

    Example::

        >>> nn.Dropout1d(0.5)(cytorch.ones(2, 3, 4)).shape
        cytorch.Size([2, 3, 4])
    """

    def forward(self, input):
        return F.dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    r"""Zero whole channels of a (N, C, H, W) input with probability ``p`` (training).

    Example::

        >>> nn.Dropout2d(0.5)(cytorch.ones(2, 3, 4, 4)).shape
        cytorch.Size([2, 3, 4, 4])
    """

    def forward(self, input):
        return F.dropout2d(input, self.p, self.training, self.inplace)


class Dropout3d(_DropoutNd):
    r"""Zero whole channels of a (N, C, D, H, W) or (C, D, H, W) input with probability ``p``.

    Example::

        >>> nn.Dropout3d(0.5)(cytorch.ones(2, 3, 2, 2, 2)).shape
        cytorch.Size([2, 3, 2, 2, 2])
    """

    def forward(self, input):
        return F.dropout3d(input, self.p, self.training, self.inplace)


class AlphaDropout(_DropoutNd):
    r"""Dropout for SELU networks: keeps the input's mean and variance (training).

    Example::

        >>> nn.AlphaDropout(0.2)(cytorch.randn(8)).shape
        cytorch.Size([8])
    """

    def forward(self, input):
        return F.alpha_dropout(input, self.p, self.training)


class FeatureAlphaDropout(_DropoutNd):
    r"""Alpha dropout of whole channels (dim 1) (training).

    Example::

        >>> nn.FeatureAlphaDropout(0.2)(cytorch.randn(2, 3, 4)).shape
        cytorch.Size([2, 3, 4])
    """

    def forward(self, input):
        return F.feature_alpha_dropout(input, self.p, self.training)
