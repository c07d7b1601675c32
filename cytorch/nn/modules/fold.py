"""Fold and Unfold (col2im and im2col as layers)."""
from cytorch.nn import functional as F
from cytorch.nn.modules.module import Module

__all__ = ["Fold", "Unfold"]


class Fold(Module):
    r"""Sum sliding blocks back into a (N, C, *output_size) tensor (the adjoint of Unfold).

    Args:
        output_size: spatial size of the result; kernel_size, dilation, padding, stride: as Unfold.

    Shape:
        (N, C*prod(kernel_size), L) -> (N, C, *output_size)

    Example::
        >>> nn.Fold((4, 5), (2, 2))(cytorch.randn(1, 3 * 2 * 2, 12)).shape
        cytorch.Size([1, 3, 4, 5])
    """

    __constants__ = ["output_size", "kernel_size", "dilation", "padding", "stride"]

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.output_size = output_size
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input):
        return F.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self):
        return ("output_size={output_size}, kernel_size={kernel_size}, dilation={dilation}, padding={padding}, "
                "stride={stride}".format(**self.__dict__))


class Unfold(Module):
    r"""Extract sliding local blocks: (N, C, H, W) -> (N, C*kH*kW, L) (im2col).

    Args:
        kernel_size, dilation, padding, stride: an int or a pair.

    Example::
        >>> nn.Unfold(kernel_size=(2, 3))(cytorch.randn(2, 5, 3, 4)).shape
        cytorch.Size([2, 30, 4])
    """

    __constants__ = ["kernel_size", "dilation", "padding", "stride"]

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input):
        return F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self):
        return "kernel_size={kernel_size}, dilation={dilation}, padding={padding}, stride={stride}".format(
            **self.__dict__)
