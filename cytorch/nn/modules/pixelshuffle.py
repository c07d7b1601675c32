"""PixelShuffle and PixelUnshuffle."""
from cytorch.nn import functional as F
from cytorch.nn.modules.module import Module

__all__ = ["PixelShuffle", "PixelUnshuffle"]


class PixelShuffle(Module):
    r"""(*, C*r^2, H, W) -> (*, C, H*r, W*r), r = upscale_factor (sub-pixel convolution's shuffle).

    Example::
        >>> nn.PixelShuffle(3)(cytorch.randn(1, 9, 4, 4)).shape
        cytorch.Size([1, 1, 12, 12])
    """

    __constants__ = ["upscale_factor"]

    def __init__(self, upscale_factor):
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input):
        return F.pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self):
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    r"""(*, C, H*r, W*r) -> (*, C*r^2, H, W), r = downscale_factor; the inverse of PixelShuffle.

    Example::
        >>> nn.PixelUnshuffle(3)(cytorch.randn(1, 1, 12, 12)).shape
        cytorch.Size([1, 9, 4, 4])
    """

    __constants__ = ["downscale_factor"]

    def __init__(self, downscale_factor):
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input):
        return F.pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self):
        return f"downscale_factor={self.downscale_factor}"
