"""Image grids and saving (torchvision.utils.make_grid / save_image)."""
import math

import cytorch
from cytorch.vision import _pil

__all__ = ["make_grid", "save_image"]


def _normalize_range(t, low, high):
    """Map [low, high] to [0, 1] in place (values outside are clamped)."""
    t.clamp_(min=low, max=high)
    t.sub_(low).div_(max(high - low, 1e-5))


def make_grid(tensor, nrow=8, padding=2, normalize=False, value_range=None, scale_each=False, pad_value=0.0):
    """Tile a batch of images into one image.

    Args:
        tensor (Tensor or list of Tensors): (B, C, H, W), or a list of (C, H, W) images of one size.
            A (H, W) or (1, H, W) image and single-channel batches are shown as 3 equal channels.
        nrow (int): images per row (the grid has ceil(B / nrow) rows).
        padding (int): pixels between images and around the grid.
        normalize (bool): shift and scale to [0, 1] using value_range, or the min and max of the data.
        value_range (tuple, optional): (min, max) for normalize.
        scale_each (bool): normalize each image by its own min and max.
        pad_value (float): value of the padding pixels.

    Shape: (B, C, H, W) -> (C', (H + padding) * rows + padding, (W + padding) * min(nrow, B) + padding),
        C' = 3 if C == 1 else C.

    Example:
        >>> make_grid(cytorch.zeros(5, 3, 4, 4), nrow=2).shape
        cytorch.Size([3, 20, 14])
    """
    if isinstance(tensor, (list, tuple)):
        if not all(isinstance(t, cytorch.Tensor) for t in tensor):
            raise TypeError(f"tensor or list of tensors expected, got a list containing "
                            f"{sorted({type(t).__name__ for t in tensor})}")
        tensor = cytorch.stack(list(tensor), dim=0)
    elif not isinstance(tensor, cytorch.Tensor):
        raise TypeError(f"tensor or list of tensors expected, got {type(tensor)}")
    if tensor.ndim == 2:
        tensor = tensor.unsqueeze(0)
    if tensor.ndim == 3:
        if tensor.shape[0] == 1:
            tensor = cytorch.cat([tensor, tensor, tensor], dim=0)
        tensor = tensor.unsqueeze(0)
    if tensor.ndim != 4:
        raise ValueError(f"make_grid expects a 2-, 3- or 4-d tensor, got shape {tuple(tensor.shape)}")
    if tensor.shape[1] == 1:
        tensor = cytorch.cat([tensor, tensor, tensor], dim=1)

    if normalize:
        tensor = tensor.clone()
        if value_range is not None and not isinstance(value_range, tuple):
            raise TypeError("value_range has to be a tuple (min, max) if specified. min and max are numbers")
        if scale_each:
            for img in tensor:
                lo, hi = value_range if value_range is not None else (float(img.min()), float(img.max()))
                _normalize_range(img, lo, hi)
        else:
            lo, hi = value_range if value_range is not None else (float(tensor.min()), float(tensor.max()))
            _normalize_range(tensor, lo, hi)

    if tensor.shape[0] == 1:
        return tensor.squeeze(0)

    nmaps, channels, h, w = (int(s) for s in tensor.shape)
    xmaps = min(nrow, nmaps)
    ymaps = int(math.ceil(nmaps / xmaps))
    cell_h, cell_w = h + padding, w + padding
    grid = cytorch.full((channels, cell_h * ymaps + padding, cell_w * xmaps + padding), pad_value,
                        dtype=tensor.dtype)
    for k in range(nmaps):
        y, x = divmod(k, xmaps)
        top, left = y * cell_h + padding, x * cell_w + padding
        grid[:, top:top + h, left:left + w] = tensor[k]
    return grid


def save_image(tensor, fp, format=None, **kwargs):
    """Save a tensor (or batch, tiled with make_grid(**kwargs)) as an image file through Pillow.

    Values are taken to be in [0, 1] and scaled to 0..255 with rounding.

    Args:
        tensor (Tensor or list of Tensors): image(s), see make_grid.
        fp (str, path or file object): where to write.
        format (str, optional): image format (e.g. "PNG"); by default from the file name.
        **kwargs: passed to make_grid.
    """
    Image = _pil.require_pil("save_image")
    grid = make_grid(tensor, **kwargs)
    arr = grid.mul(255).add_(0.5).clamp_(0, 255).permute(1, 2, 0).to(cytorch.uint8).numpy()
    if arr.shape[2] == 1:
        arr = arr[:, :, 0]
    Image.fromarray(arr.copy()).save(fp, format=format)
