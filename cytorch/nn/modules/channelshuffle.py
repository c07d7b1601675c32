"""ChannelShuffle."""
from cytorch.nn import functional as F
from cytorch.nn.modules.module import Module

__all__ = ["ChannelShuffle"]


class ChannelShuffle(Module):
    r"""Interleave the channels of ``groups`` groups: (N, g*k, *) channel c*k + j goes to j*g + c.

    Example::
        >>> nn.ChannelShuffle(2)(cytorch.arange(4.).reshape(1, 4, 1, 1)).reshape(-1).tolist()
        [0.0, 2.0, 1.0, 3.0]
    """

    __constants__ = ["groups"]

    def __init__(self, groups):
        super().__init__()
        self.groups = groups

    def forward(self, input):
        return F.channel_shuffle(input, self.groups)

    def extra_repr(self):
        return f"groups={self.groups}"
