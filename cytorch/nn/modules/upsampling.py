"""Upsample, UpsamplingNearest2d, UpsamplingBilinear2d."""
from cytorch.nn import functional as F
from cytorch.nn.modules.module import Module

__all__ = ["Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d"]


class Upsample(Module):
    r"""Resize 1-d, 2-d or 3-d (channels-first) data: F.interpolate as a layer.

    Args:
        size: output spatial size; or scale_factor: multiplier(s) for it (one of the two).
        mode: 'nearest', 'nearest-exact', 'linear', 'bilinear', 'bicubic', 'trilinear'. Default: 'nearest'
        align_corners: for the interpolating modes (see F.interpolate). Default: None (False)
        recompute_scale_factor: derive the kernel's scale from the output size.

    Shape:
        (N, C, *in) -> (N, C, *out), out = size or floor(in * scale_factor).

    Example::
        >>> nn.Upsample(scale_factor=2, mode='nearest')(cytorch.tensor([[[[1., 2.], [3., 4.]]]])).shape
        cytorch.Size([1, 1, 4, 4])
    """

    __constants__ = ["size", "scale_factor", "mode", "align_corners", "name", "recompute_scale_factor"]

    def __init__(self, size=None, scale_factor=None, mode="nearest", align_corners=None,
                 recompute_scale_factor=None):
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        if isinstance(scale_factor, tuple):
            self.scale_factor = tuple(float(f) for f in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input):
        return F.interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                             recompute_scale_factor=self.recompute_scale_factor)

    def __setstate__(self, state):
        if "recompute_scale_factor" not in state:
            state["recompute_scale_factor"] = True
        super().__setstate__(state)

    def extra_repr(self):
        if self.scale_factor is not None:
            info = "scale_factor=" + repr(self.scale_factor)
        else:
            info = "size=" + repr(self.size)
        return info + ", mode=" + repr(self.mode)


class UpsamplingNearest2d(Upsample):
    r"""2-d nearest-neighbour upsampling (Upsample with mode='nearest').

    Example::
        >>> nn.UpsamplingNearest2d(scale_factor=2)(cytorch.ones(1, 1, 2, 2)).shape
        cytorch.Size([1, 1, 4, 4])
    """

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    r"""2-d bilinear upsampling with align_corners=True (Upsample(mode='bilinear', align_corners=True)).

    Example::
        >>> nn.UpsamplingBilinear2d(scale_factor=2)(cytorch.tensor([[[[1., 2.], [3., 4.]]]]))[0, 0, 0].tolist()
        [1.0, 1.3333333730697632, 1.6666666269302368, 2.0]
    """

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)
