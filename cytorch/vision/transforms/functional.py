"""Functional image transforms (torchvision.transforms.functional's API).

Every function takes
- a cytorch tensor of shape (..., C, H, W) (a 2-d tensor is one channel; leading dims are batches),
- a NumPy array (H, W) or (H, W, C), which is viewed as a (C, H, W) tensor and converted back, or
- a PIL image (when Pillow is installed), which goes through Pillow's own operations as torchvision's do,
and returns the same kind. Resampling (resize, rotate, affine, perspective) of tensors and arrays runs
in cytorch's own C kernels (`cytorch._C._image`); integer images are resampled in float32 and rounded.

Differences from torchvision, on purpose:
- `rotate`/`affine` of tensors with a fill: an output pixel whose bilinear taps fall partly outside
  the image is `sum(inside taps) + (1 - inside weight) * fill`; torchvision multiplies the
  zero-padded sample by the inside weight once more, which darkens edges even when fill is 0.
- `to_tensor` also accepts uint8 tensors (what the datasets return without Pillow) and scales them.
"""
import math
import numbers
from enum import Enum

import numpy as np

import cytorch
from cytorch._C import _image
from cytorch.vision import _pil

__all__ = [
    "InterpolationMode", "get_dimensions", "get_image_size", "get_image_num_channels", "to_tensor",
    "pil_to_tensor", "to_pil_image", "convert_image_dtype", "normalize", "resize", "crop", "center_crop",
    "resized_crop", "pad", "hflip", "vflip", "rotate", "affine", "perspective", "adjust_brightness",
    "adjust_contrast", "adjust_saturation", "adjust_hue", "rgb_to_grayscale", "to_grayscale", "erase",
]


class InterpolationMode(Enum):
    """Interpolation modes. Tensors support NEAREST, NEAREST_EXACT, BILINEAR and BICUBIC; PIL images
    all of them."""
    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


# Pillow's integer filter codes (Image.Resampling values)
_PIL_CODES = {InterpolationMode.NEAREST: 0, InterpolationMode.NEAREST_EXACT: 0, InterpolationMode.LANCZOS: 1,
              InterpolationMode.BILINEAR: 2, InterpolationMode.BICUBIC: 3, InterpolationMode.BOX: 4,
              InterpolationMode.HAMMING: 5}
_FROM_PIL_CODE = {0: InterpolationMode.NEAREST, 1: InterpolationMode.LANCZOS, 2: InterpolationMode.BILINEAR,
                  3: InterpolationMode.BICUBIC, 4: InterpolationMode.BOX, 5: InterpolationMode.HAMMING}


def _interpolation(mode):
    """InterpolationMode from an InterpolationMode, its string value or a Pillow integer code."""
    if isinstance(mode, InterpolationMode):
        return mode
    if isinstance(mode, int) and not isinstance(mode, bool) and mode in _FROM_PIL_CODE:
        return _FROM_PIL_CODE[mode]
    if isinstance(mode, str):
        try:
            return InterpolationMode(mode)
        except ValueError:
            pass
    raise TypeError("Argument interpolation should be a InterpolationMode or a corresponding Pillow "
                    f"integer constant, got {mode!r}")


# ---------------------------------------------------------------------------------------------------
# kinds of image: tensor, NumPy array, PIL image

def _is_tensor(x):
    return isinstance(x, cytorch.Tensor)


def _type_error(img, what="img"):
    return TypeError(f"{what} should be a cytorch tensor, a NumPy array or a PIL Image. Got {type(img)}")


def _check_tensor_image(img):
    if img.ndim < 2:
        raise TypeError(f"Tensor is not an image: expected (..., H, W), got shape {tuple(img.shape)}")


def _apply(img, fn):
    """fn(tensor (..., C, H, W)) on a tensor, or on a NumPy (H, W[, C]) array viewed as (C, H, W)."""
    if _is_tensor(img):
        _check_tensor_image(img)
        return fn(img)
    if isinstance(img, np.ndarray):
        if img.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {img.ndim} dimensions.")
        flat = img.ndim == 2
        arr = np.ascontiguousarray(img[:, :, None] if flat else img)
        out = fn(cytorch.from_numpy(arr).permute(2, 0, 1))
        res = np.ascontiguousarray(out.permute(1, 2, 0).numpy())
        return res[:, :, 0] if flat and res.shape[2] == 1 else res
    raise _type_error(img)


def get_dimensions(img):
    """[channels, height, width] of an image."""
    if _pil.is_pil_image(img):
        return [len(img.getbands()), img.height, img.width]
    if _is_tensor(img):
        _check_tensor_image(img)
        return [1 if img.ndim == 2 else int(img.shape[-3]), int(img.shape[-2]), int(img.shape[-1])]
    if isinstance(img, np.ndarray):
        if img.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {img.ndim} dimensions.")
        return [1 if img.ndim == 2 else img.shape[2], img.shape[0], img.shape[1]]
    raise _type_error(img)


def get_image_size(img):
    """[width, height] of an image."""
    _, h, w = get_dimensions(img)
    return [w, h]


def get_image_num_channels(img):
    return get_dimensions(img)[0]


def _channels(t):
    return 1 if t.ndim == 2 else int(t.shape[-3])


_INT_MAX = {cytorch.uint8: 255, cytorch.int8: 127, cytorch.int16: 32767, cytorch.int32: 2 ** 31 - 1,
            cytorch.int64: 2 ** 63 - 1, cytorch.bool: 1}


def _max_value(dtype):
    return 1.0 if dtype.is_floating_point else _INT_MAX[dtype]


# ---------------------------------------------------------------------------------------------------
# conversions

def to_tensor(pic):
    """A PIL image or (H, W[, C]) NumPy array as a (C, H, W) tensor; uint8 data becomes float in [0, 1].

    Args:
        pic (PIL Image, numpy.ndarray or uint8 Tensor): the image.

    Example:
        >>> to_tensor(np.zeros((4, 5, 3), np.uint8)).shape
        cytorch.Size([3, 4, 5])
    """
    float_dt = cytorch.get_default_dtype()
    if _is_tensor(pic):
        _check_tensor_image(pic)
        t = pic.unsqueeze(0) if pic.ndim == 2 else pic
        return t.to(float_dt).div_(255) if t.dtype == cytorch.uint8 else t
    if isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        arr = pic[:, :, None] if pic.ndim == 2 else pic
        t = cytorch.from_numpy(np.ascontiguousarray(arr.transpose(2, 0, 1)))
        return t.to(float_dt).div_(255) if t.dtype == cytorch.uint8 else t
    if _pil.is_pil_image(pic):
        nptype = {"I": np.int32, "I;16": np.int16, "I;16B": np.int16, "F": np.float32}.get(pic.mode, np.uint8)
        arr = np.array(pic, dtype=nptype, copy=True)
        if pic.mode == "1":
            arr = arr * np.uint8(255)
        arr = arr.reshape(pic.height, pic.width, len(pic.getbands()))
        t = cytorch.from_numpy(np.ascontiguousarray(arr.transpose(2, 0, 1)))
        return t.to(float_dt).div_(255) if t.dtype == cytorch.uint8 else t
    raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")


def pil_to_tensor(pic):
    """A PIL image as a (C, H, W) tensor of its own dtype (no scaling)."""
    if not _pil.is_pil_image(pic):
        raise TypeError(f"pic should be PIL Image. Got {type(pic)}")
    arr = np.array(pic, copy=True)
    if arr.dtype == np.uint16:           # no uint16 in cytorch: 16-bit images widen to int32
        arr = arr.astype(np.int32)
    arr = arr.reshape(pic.height, pic.width, len(pic.getbands()))
    return cytorch.from_numpy(np.ascontiguousarray(arr.transpose(2, 0, 1)))


_ONE_CHANNEL_MODES = {np.dtype(np.uint8): "L", np.dtype(np.int16): "I;16", np.dtype(np.uint16): "I;16",
                      np.dtype(np.int32): "I", np.dtype(np.float32): "F"}
_MULTI_CHANNEL_MODES = {2: ["LA"], 3: ["RGB", "YCbCr", "HSV"], 4: ["RGBA", "CMYK", "RGBX"]}


def to_pil_image(pic, mode=None):
    """A (C, H, W) tensor or (H, W[, C]) NumPy array as a PIL image. Float tensors are taken to be in
    [0, 1] and scaled by 255 (unless mode is "F").

    Args:
        pic (Tensor or numpy.ndarray): the image.
        mode (str, optional): the PIL mode; by default L/I;16/I/F for one channel (by dtype), LA, RGB,
            RGBA for 2, 3, 4 uint8 channels.
    """
    _pil.require_pil("to_pil_image")
    if _is_tensor(pic):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        t = pic.unsqueeze(0) if pic.ndim == 2 else pic
        if t.shape[-3] > 4:
            raise ValueError(f"pic should not have > 4 channels. Got {t.shape[-3]} channels.")
        if t.is_floating_point() and mode != "F":
            t = t.mul(255).to(cytorch.uint8)
        arr = np.ascontiguousarray(t.permute(1, 2, 0).numpy())
    elif isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        arr = pic[:, :, None] if pic.ndim == 2 else pic
        if arr.shape[-1] > 4:
            raise ValueError(f"pic should not have > 4 channels. Got {arr.shape[-1]} channels.")
    else:
        raise TypeError(f"pic should be Tensor or ndarray. Got {type(pic)}.")
    c = arr.shape[2]
    if c == 1:
        arr = arr[:, :, 0]
        expected = _ONE_CHANNEL_MODES.get(arr.dtype)
        if expected is None:
            raise TypeError(f"Input type {arr.dtype} is not supported")
        if mode is not None and mode != expected:
            raise ValueError(f"Incorrect mode ({mode}) supplied for input type {arr.dtype}. Should be {expected}")
        mode = expected
    else:
        permitted = _MULTI_CHANNEL_MODES[c]
        if mode is not None and mode not in permitted:
            raise ValueError(f"Only modes {permitted} are supported for {c}-channel inputs")
        if mode is None and arr.dtype == np.uint8:
            mode = permitted[0]
        if mode is None:
            raise TypeError(f"Input type {arr.dtype} is not supported")
        if arr.dtype != np.uint8:
            raise TypeError(f"Input type {arr.dtype} is not supported for mode {mode}")
    return _pil.fromarray(np.ascontiguousarray(arr), mode)


def convert_image_dtype(image, dtype=cytorch.float32):
    """Convert a tensor image to dtype, rescaling values: floats are in [0, 1], integers in [0, max].

    Raises:
        RuntimeError: float32 -> int32/int64 and float64 -> int64, which cannot be done exactly.
    """
    if not _is_tensor(image):
        raise TypeError("Input img should be Tensor Image")
    if image.dtype == dtype:
        return image
    if image.is_floating_point():
        if dtype.is_floating_point:
            return image.to(dtype)
        if (image.dtype == cytorch.float32 and dtype in (cytorch.int32, cytorch.int64)) or (
                image.dtype == cytorch.float64 and dtype == cytorch.int64):
            raise RuntimeError(f"The cast from {image.dtype} to {dtype} cannot be performed safely.")
        # scale by max + 1 - eps so that 1.0 maps to max and every bin is (almost) equally wide
        return image.mul(_max_value(dtype) + 1.0 - 1e-3).to(dtype)
    in_max = _max_value(image.dtype)
    if dtype.is_floating_point:
        return image.to(dtype).div(in_max)
    out_max = _max_value(dtype)
    if in_max > out_max:
        factor = (in_max + 1) // (out_max + 1)
        return cytorch.div(image, factor, rounding_mode="floor").to(dtype)
    factor = (out_max + 1) // (in_max + 1)
    return image.to(dtype).mul(factor)


def normalize(tensor, mean, std, inplace=False):
    """(tensor - mean[c]) / std[c] per channel of a float (..., C, H, W) tensor.

    Args:
        tensor (Tensor): float image(s).
        mean, std (sequence): per-channel values.
        inplace (bool): write into tensor.
    """
    if isinstance(tensor, np.ndarray):
        return _apply(tensor, lambda t: normalize(t.clone(), mean, std, inplace=True))
    if not _is_tensor(tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    if not tensor.is_floating_point():
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if tensor.ndim < 3:
        raise ValueError("Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = "
                         f"{tensor.size()}")
    m, s = _mean_std(mean, std, tensor.dtype)
    return tensor.sub_(m).div_(s) if inplace else tensor.sub(m).div_(s)


def _mean_std(mean, std, dtype):
    """mean and std as (C, 1, 1) tensors of dtype (numbers stay numbers); ValueError on a zero std."""
    m = cytorch.as_tensor(mean, dtype=dtype)
    s = cytorch.as_tensor(std, dtype=dtype)
    if bool((s == 0).any()):
        raise ValueError(f"std evaluated to zero after conversion to {dtype}, leading to division by zero.")
    if m.ndim == 1:
        m = m.view(-1, 1, 1)
    if s.ndim == 1:
        s = s.view(-1, 1, 1)
    return m, s


# ---------------------------------------------------------------------------------------------------
# geometry: resize, crop, pad, flips

def _output_size(h, w, size, max_size):
    """(new_h, new_w): size (h, w), or the smaller edge matched to size[0] keeping the aspect ratio."""
    if size is not None and len(size) == 2:
        return [int(size[0]), int(size[1])]
    short, long = (w, h) if w <= h else (h, w)
    if size is None:
        if max_size is None:
            raise ValueError("max_size must be given when size is None")
        new_long, new_short = max_size, int(max_size * short / long)
    else:
        new_short, new_long = int(size[0]), int(size[0] * long / short)
        if max_size is not None:
            if max_size <= size[0]:
                raise ValueError(f"max_size = {max_size} must be strictly greater than the requested size "
                                 f"for the smaller edge size = {size}")
            if new_long > max_size:
                new_short, new_long = int(max_size * new_short / new_long), max_size
    return [new_long, new_short] if w <= h else [new_short, new_long]


def _nearest_index(n_in, n_out, exact):
    """Source index of each output sample, computed in float32 as PyTorch's interpolate does."""
    scale = np.float32(n_in / n_out)
    pos = np.arange(n_out, dtype=np.float32)
    if exact:
        pos = pos + np.float32(0.5)
    return np.minimum(np.floor(pos * scale).astype(np.int64), n_in - 1)


_KERNEL_DTYPES = (cytorch.uint8, cytorch.float32, cytorch.float64)


def _float_work(t):
    """t in a dtype the image kernels take, and a function that casts a result back to t's dtype."""
    dt = t.dtype
    if dt in _KERNEL_DTYPES:
        return t, lambda r: r
    if dt.is_floating_point:                       # float16 / bfloat16 compute in float32
        return t.to(cytorch.float32), lambda r: r.to(dt)
    lo = 0 if dt == cytorch.bool else -_INT_MAX[dt] - 1
    return t.to(cytorch.float32), lambda r: r.round().clamp(lo, _INT_MAX[dt]).to(dt)


def _planes(img):
    """img (..., H, W) as [planes, H, W], and a function giving a result (planes, h, w) img's lead dims."""
    lead = tuple(img.shape[:-2])
    x = img.reshape(-1, int(img.shape[-2]), int(img.shape[-1]))
    return x, lambda r: r.reshape(*lead, int(r.shape[-2]), int(r.shape[-1]))


def _resize_tensor(img, oh, ow, mode, antialias):
    h, w = int(img.shape[-2]), int(img.shape[-1])
    x, unflat = _planes(img)
    if mode in (InterpolationMode.NEAREST, InterpolationMode.NEAREST_EXACT):
        exact = mode == InterpolationMode.NEAREST_EXACT
        out = _image.gather(x, _nearest_index(h, oh, exact), _nearest_index(w, ow, exact))
    elif mode in (InterpolationMode.BILINEAR, InterpolationMode.BICUBIC):
        xf, back = _float_work(x)
        out = back(_image.resize(xf, oh, ow, mode.value, bool(antialias)))
    else:
        raise ValueError(f"resize of tensors supports nearest, nearest-exact, bilinear and bicubic, got {mode.value}")
    return unflat(out)


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
    """Resize to size (h, w), or match the smaller edge to size (an int) keeping the aspect ratio.

    Args:
        img: image (tensor (..., C, H, W), NumPy array or PIL image).
        size (int or sequence): (h, w), or the length of the smaller edge.
        interpolation (InterpolationMode): nearest, nearest-exact, bilinear (default), bicubic.
        max_size (int, optional): the longer edge is at most this (only when size is one number).
        antialias (bool): low-pass filter when downscaling (bilinear/bicubic; PIL always does).

    Example:
        >>> resize(cytorch.zeros(3, 8, 16), 4).shape
        cytorch.Size([3, 4, 8])
    """
    mode = _interpolation(interpolation)
    if isinstance(size, numbers.Number):
        size = [int(size)]
    elif size is not None:
        if not isinstance(size, (list, tuple)):
            raise TypeError(f"Size should be int or sequence. Got {type(size)}")
        if len(size) not in (1, 2):
            raise ValueError(f"Size must be an int or a 1 or 2 element tuple/list, not a {len(size)} element "
                             "tuple/list")
        size = list(size)
    if max_size is not None and size is not None and len(size) != 1:
        raise ValueError("max_size should only be passed if size specifies the length of the smaller edge, "
                         "i.e. size should be an int or a sequence of length 1")
    _, h, w = get_dimensions(img)
    oh, ow = _output_size(h, w, size, max_size)
    if oh <= 0 or ow <= 0:
        raise ValueError(f"resize: the output size ({oh}, {ow}) of a ({h}, {w}) image must be positive")
    if (oh, ow) == (h, w):
        return img
    if _pil.is_pil_image(img):
        return img.resize((ow, oh), _PIL_CODES[mode])
    return _apply(img, lambda t: _resize_tensor(t, oh, ow, mode, antialias))


def _fill_values(fill, channels, what="fill"):
    """fill as a list of one value or one per channel."""
    if fill is None:
        return [0.0]
    if isinstance(fill, numbers.Number):
        return [float(fill)]
    if isinstance(fill, (list, tuple)):
        vals = [float(f) for f in fill]
        if len(vals) not in (1, channels):
            raise ValueError(f"The number of elements in '{what}' does not match the number of channels of the "
                             f"image ({len(vals)} != {channels})")
        return vals
    raise TypeError(f"Got inappropriate {what} arg: {fill!r}")


def _pad_tensor(img, ltrb, fill, mode):
    """One gather pass: every output pixel reads its source pixel, or the fill (constant mode)."""
    left, top, right, bottom = ltrb
    h, w = int(img.shape[-2]), int(img.shape[-1])
    if h + top + bottom <= 0 or w + left + right <= 0:
        raise ValueError(f"pad: padding {list(ltrb)} leaves an empty image of a ({h}, {w}) one")
    fill_t = None
    if mode == "constant" and max(ltrb) > 0:
        vals = _fill_values(fill, _channels(img))
        if not img.is_floating_point():
            vals = [int(v) for v in vals]
        fill_t = cytorch.tensor(vals, dtype=img.dtype)
    x, unflat = _planes(img)
    return unflat(_image.pad(x, left, top, right, bottom, mode, fill_t))


def _parse_padding(padding):
    if isinstance(padding, numbers.Number) and not isinstance(padding, bool):
        padding = [int(padding)]
    if not isinstance(padding, (list, tuple)):
        raise TypeError("Got inappropriate padding arg")
    if len(padding) not in (1, 2, 4):
        raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} element tuple")
    p = [int(v) for v in padding]
    if len(p) == 1:
        return [p[0]] * 4
    if len(p) == 2:
        return [p[0], p[1], p[0], p[1]]
    return p


def pad(img, padding, fill=0, padding_mode="constant"):
    """Pad the borders of an image.

    Args:
        padding (int or sequence): all borders; (left/right, top/bottom); or (left, top, right, bottom).
            Negative values crop.
        fill (number or sequence): the constant value, per channel when a sequence.
        padding_mode (str): "constant", "edge", "reflect" (mirror without the edge pixel) or
            "symmetric" (mirror with it).

    Example:
        >>> pad(cytorch.ones(1, 2, 2), [1, 0], padding_mode="edge").shape
        cytorch.Size([1, 2, 4])
    """
    if not isinstance(fill, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate fill arg")
    if not isinstance(padding_mode, str):
        raise TypeError("Got inappropriate padding_mode arg")
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    ltrb = _parse_padding(padding)
    if _pil.is_pil_image(img):
        if padding_mode == "constant" and min(ltrb) >= 0:
            from PIL import ImageOps
            return ImageOps.expand(img, border=tuple(ltrb), fill=_pil_fill(fill, img))
        arr = np.asarray(img)
        out = _apply(arr, lambda t: _pad_tensor(t, ltrb, fill, padding_mode))
        res = _pil.fromarray(out, img.mode)
        if img.mode == "P" and img.getpalette() is not None:
            res.putpalette(img.getpalette())
        return res
    return _apply(img, lambda t: _pad_tensor(t, ltrb, fill, padding_mode))


def crop(img, top, left, height, width):
    """The (height, width) region whose top-left corner is (top, left); zeros where it leaves the image."""
    top, left, height, width = int(top), int(left), int(height), int(width)
    if _pil.is_pil_image(img):
        return img.crop((left, top, left + width, top + height))

    def fn(t):
        h, w = int(t.shape[-2]), int(t.shape[-1])
        bottom, right = top + height, left + width
        if top < 0 or left < 0 or bottom > h or right > w:
            return _pad_tensor(t, [-left, -top, right - w, bottom - h], 0, "constant")
        return t[..., top:bottom, left:right]
    return _apply(img, fn)


def center_crop(img, output_size):
    """The central (h, w) region (output_size an int makes it square); zero-padded if larger than img."""
    if isinstance(output_size, numbers.Number):
        output_size = (int(output_size), int(output_size))
    elif isinstance(output_size, (tuple, list)) and len(output_size) == 1:
        output_size = (output_size[0], output_size[0])
    _, h, w = get_dimensions(img)
    ch, cw = int(output_size[0]), int(output_size[1])
    if cw > w or ch > h:
        ltrb = [(cw - w) // 2 if cw > w else 0, (ch - h) // 2 if ch > h else 0,
                (cw - w + 1) // 2 if cw > w else 0, (ch - h + 1) // 2 if ch > h else 0]
        img = pad(img, ltrb, fill=0)
        _, h, w = get_dimensions(img)
        if (ch, cw) == (h, w):
            return img
    top = int(round((h - ch) / 2.0))
    left = int(round((w - cw) / 2.0))
    return crop(img, top, left, ch, cw)


def resized_crop(img, top, left, height, width, size, interpolation=InterpolationMode.BILINEAR, antialias=True):
    """crop, then resize to size."""
    return resize(crop(img, top, left, height, width), size, interpolation, antialias=antialias)


def hflip(img):
    """Mirror left-right."""
    if _pil.is_pil_image(img):
        return img.transpose(0)            # Image.Transpose.FLIP_LEFT_RIGHT
    return _apply(img, lambda t: t.flip(-1))


def vflip(img):
    """Mirror top-bottom."""
    if _pil.is_pil_image(img):
        return img.transpose(1)            # Image.Transpose.FLIP_TOP_BOTTOM
    return _apply(img, lambda t: t.flip(-2))


# ---------------------------------------------------------------------------------------------------
# affine and projective warps

def _inverse_affine(center, angle, translate, scale, shear):
    """(a, b, c, d, e, f): the map output point -> input point, x_in = a x + b y + c, y_in = d x + e y + f,
    inverting  p_out = center + translate + RSS (p_in - center)  with
    RSS = scale * R(angle) * ShearY(shear_y) * ShearX(shear_x), angles in degrees,
    R(t) = [[cos t, -sin t], [sin t, cos t]], ShearX(s) = [[1, -tan s], [0, 1]], ShearY(s) = [[1, 0], [-tan s, 1]]."""
    rot = math.radians(angle)
    tx_, ty_ = math.tan(math.radians(shear[0])), math.tan(math.radians(shear[1]))
    cos, sin = math.cos(rot), math.sin(rot)
    # R * ShearY = [[cos + sin ty, -sin], [sin - cos ty, cos]]; times ShearX = [[1, -tx], [0, 1]]
    r00, r01 = cos + sin * ty_, -sin
    r10, r11 = sin - cos * ty_, cos
    a, b = scale * r00, scale * (r01 - r00 * tx_)
    d, e = scale * r10, scale * (r11 - r10 * tx_)
    det = a * e - b * d
    ia, ib, id_, ie = e / det, -b / det, -d / det, a / det
    cx, cy = center
    px, py = cx + translate[0], cy + translate[1]
    return [ia, ib, cx - (ia * px + ib * py), id_, ie, cy - (id_ * px + ie * py)]


def _warp_tensor(img, coeffs, oh, ow, mode, fill):
    """Warp by a map given in centred continuous coordinates (origin at the image centre)."""
    h, w = int(img.shape[-2]), int(img.shape[-1])
    if len(coeffs) == 6:
        coeffs = list(coeffs) + [0.0, 0.0]
    a, b, c, d, e, f, g, k = coeffs
    # output index (j, i) -> centred (j + 0.5 - ow/2, i + 0.5 - oh/2); input centred (x, y) -> index
    # (x + w/2 - 0.5, y + h/2 - 0.5). Fold both shifts into the projective map.
    ox, oy = 0.5 - ow / 2.0, 0.5 - oh / 2.0
    den = g * ox + k * oy + 1.0
    sx, sy = w / 2.0 - 0.5, h / 2.0 - 0.5
    # numerator rows of M_in = S_in * M * S_out, then divided through by den
    n0 = [a + sx * g, b + sx * k, a * ox + b * oy + c + sx * den]
    n1 = [d + sy * g, e + sy * k, d * ox + e * oy + f + sy * den]
    n2 = [g, k, den]
    m = [v / den for v in n0] + [v / den for v in n1] + [n2[0] / den, n2[1] / den]
    x, unflat = _planes(img)
    xf, back = _float_work(x)
    vals = None if fill is None else _fill_values(fill, _channels(img))
    return unflat(back(_image.warp(xf, oh, ow, m, mode, vals)))


def _warp_mode(interpolation):
    mode = _interpolation(interpolation)
    if mode not in (InterpolationMode.NEAREST, InterpolationMode.BILINEAR):
        raise ValueError(f"Tensors support only nearest and bilinear warps, got {mode.value}")
    return mode.value


def _pil_fill(fill, img):
    if fill is None:
        return None
    bands = len(img.getbands())
    if isinstance(fill, numbers.Number):
        vals = [fill] * bands
    else:
        vals = list(fill)
        if len(vals) == 1:
            vals = vals * bands
        if len(vals) != bands:
            raise ValueError(f"The number of elements in 'fill' does not match the number of bands of the image "
                             f"({len(vals)} != {bands})")
    vals = [v if img.mode == "F" else int(v) for v in vals]
    return vals[0] if bands == 1 else tuple(vals)


def _check_fill(fill):
    if fill is not None and not isinstance(fill, (numbers.Number, list, tuple)):
        raise TypeError("Argument fill should be either int, float, tuple or list")


def rotate(img, angle, interpolation=InterpolationMode.NEAREST, expand=False, center=None, fill=None):
    """Rotate counter-clockwise by angle degrees about center (default: the image centre).

    Args:
        angle (number): degrees, counter-clockwise.
        interpolation (InterpolationMode): NEAREST (default) or BILINEAR.
        expand (bool): grow the output to hold the whole rotated image (assumes rotation about the centre).
        center (sequence, optional): (x, y), origin at the top-left corner.
        fill (number or sequence, optional): value of the area outside the image (default 0).
    """
    if not isinstance(angle, numbers.Number):
        raise TypeError("Argument angle should be int or float")
    if center is not None and not isinstance(center, (list, tuple)):
        raise TypeError("Argument center should be a sequence")
    _check_fill(fill)
    if _pil.is_pil_image(img):
        return img.rotate(angle, resample=_PIL_CODES[_interpolation(interpolation)], expand=expand,
                          center=center, fillcolor=_pil_fill(fill, img))
    mode = _warp_mode(interpolation)

    def fn(t):
        h, w = int(t.shape[-2]), int(t.shape[-1])
        c = [0.0, 0.0] if center is None else [center[0] - w * 0.5, center[1] - h * 0.5]
        m = _inverse_affine(c, -angle, [0.0, 0.0], 1.0, [0.0, 0.0])
        oh, ow = _expanded_size(m, h, w) if expand else (h, w)
        return _warp_tensor(t, m, oh, ow, mode, fill)
    return _apply(img, fn)


def _expanded_size(m, h, w):
    """(h, w) of the box holding the forward image of a (h, w) image under the inverse map m."""
    a, b, c, d, e, f = m
    fwd = np.linalg.inv(np.array([[a, b, c], [d, e, f], [0.0, 0.0, 1.0]]))
    corners = np.array([[-0.5 * w, -0.5 * h, 1.0], [-0.5 * w, 0.5 * h, 1.0],
                        [0.5 * w, 0.5 * h, 1.0], [0.5 * w, -0.5 * h, 1.0]])
    # corner-origin coordinates, where PIL also rounds: [0, w] x [0, h] for the unrotated image
    pts = corners @ fwd[:2].T + np.array([0.5 * w, 0.5 * h])
    # trim floating-point noise so that a 90-degree turn of (h, w) gives exactly (w, h)
    lo = np.floor(np.round(pts.min(axis=0), 4))
    hi = np.ceil(np.round(pts.max(axis=0), 4))
    size = hi - lo
    return int(size[1]), int(size[0])


def affine(img, angle, translate, scale, shear, interpolation=InterpolationMode.NEAREST, fill=None, center=None):
    """Affine transform keeping the centre fixed: rotate by angle (degrees, clockwise), scale, shear
    (degrees; a number or (x, y)), then translate by (tx, ty) pixels.

    Args:
        angle (number): rotation in degrees, clockwise.
        translate (sequence of 2 numbers): post-translation in pixels (x, y).
        scale (float): > 0.
        shear (number or sequence): shear angle(s) in degrees; a number shears along x only.
        interpolation (InterpolationMode): NEAREST (default) or BILINEAR.
        fill (number or sequence, optional): value outside the image.
        center (sequence, optional): (x, y) of the fixed point; default the image centre.
    """
    if not isinstance(angle, numbers.Number):
        raise TypeError("Argument angle should be int or float")
    if not isinstance(translate, (list, tuple)):
        raise TypeError("Argument translate should be a sequence")
    if len(translate) != 2:
        raise ValueError("Argument translate should be a sequence of length 2")
    if scale <= 0.0:
        raise ValueError("Argument scale should be positive")
    if not isinstance(shear, (numbers.Number, list, tuple)):
        raise TypeError("Shear should be either a single value or a sequence of two values")
    if isinstance(shear, numbers.Number):
        shear = [shear, 0.0]
    shear = list(shear)
    if len(shear) == 1:
        shear = [shear[0], shear[0]]
    if len(shear) != 2:
        raise ValueError(f"Shear should be a sequence containing two values. Got {shear}")
    if center is not None and not isinstance(center, (list, tuple)):
        raise TypeError("Argument center should be a sequence")
    _check_fill(fill)
    translate = [float(t) for t in translate]
    shear = [float(s) for s in shear]
    _, h, w = get_dimensions(img)
    if _pil.is_pil_image(img):
        c = [w * 0.5, h * 0.5] if center is None else list(center)
        m = _inverse_affine(c, angle, translate, scale, shear)
        Image = _pil.pil()
        return img.transform((w, h), Image.Transform.AFFINE, m, _PIL_CODES[_interpolation(interpolation)],
                             fillcolor=_pil_fill(fill, img))
    mode = _warp_mode(interpolation)
    c = [0.0, 0.0] if center is None else [center[0] - w * 0.5, center[1] - h * 0.5]
    m = _inverse_affine(c, angle, translate, scale, shear)
    return _apply(img, lambda t: _warp_tensor(t, m, h, w, mode, fill))


def _perspective_coeffs(startpoints, endpoints):
    """(a, b, c, d, e, f, g, h): the projective map taking each endpoint to its startpoint."""
    rows, rhs = [], []
    for (sx, sy), (ex, ey) in zip(startpoints, endpoints):
        rows.append([ex, ey, 1, 0, 0, 0, -sx * ex, -sx * ey])
        rows.append([0, 0, 0, ex, ey, 1, -sy * ex, -sy * ey])
        rhs += [sx, sy]
    return [float(v) for v in np.linalg.lstsq(np.array(rows, np.float64), np.array(rhs, np.float64), rcond=None)[0]]


def perspective(img, startpoints, endpoints, interpolation=InterpolationMode.BILINEAR, fill=None):
    """Projective transform moving the four startpoints (corners, [x, y] each) to the endpoints."""
    if len(startpoints) != 4 or len(endpoints) != 4:
        raise ValueError("Please provide only four points for startpoints and endpoints")
    _check_fill(fill)
    coeffs = _perspective_coeffs(startpoints, endpoints)
    if _pil.is_pil_image(img):
        Image = _pil.pil()
        return img.transform(img.size, Image.Transform.PERSPECTIVE, coeffs,
                             _PIL_CODES[_interpolation(interpolation)], fillcolor=_pil_fill(fill, img))
    mode = _warp_mode(interpolation)

    def fn(t):
        h, w = int(t.shape[-2]), int(t.shape[-1])
        # the map works on corner-origin continuous coordinates: shift to centred ones
        a, b, c, d, e, f, g, k = coeffs
        hx, hy = w / 2.0, h / 2.0
        # p_in = M p_out with both points shifted by (hx, hy): M' = T^-1 M T
        mat = np.array([[a, b, c], [d, e, f], [g, k, 1.0]])
        tr = np.array([[1.0, 0.0, hx], [0.0, 1.0, hy], [0.0, 0.0, 1.0]])
        tinv = np.array([[1.0, 0.0, -hx], [0.0, 1.0, -hy], [0.0, 0.0, 1.0]])
        mp = tinv @ mat @ tr
        mp = mp / mp[2, 2]
        return _warp_tensor(t, list(mp.reshape(-1)[:8]), h, w, mode, fill)
    return _apply(img, fn)


# ---------------------------------------------------------------------------------------------------
# colour

def _check_color_channels(t, allowed=(1, 3)):
    c = _channels(t)
    if c not in allowed:
        raise TypeError(f"Input image tensor permitted channel values are {list(allowed)}, but found {c}")
    return c


def _blend(img1, img2, ratio):
    """ratio * img1 + (1 - ratio) * img2, clamped to the dtype's image range, in img1's dtype
    (integer results truncate, as torchvision's do)."""
    bound = 1.0 if img1.is_floating_point() else 255.0
    out = img1 * ratio
    if img2 is not None:
        out.add_(img2 * (1.0 - ratio))
    return out.clamp_(0, bound).to(img1.dtype)


def rgb_to_grayscale(img, num_output_channels=1):
    """Luma L = 0.2989 R + 0.587 G + 0.114 B, as 1 or 3 (equal) channels."""
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    if _pil.is_pil_image(img):
        gray = img.convert("L")
        if num_output_channels == 3:
            arr = np.asarray(gray)
            gray = _pil.fromarray(np.ascontiguousarray(np.stack([arr, arr, arr], axis=-1)), "RGB")
        return gray

    def fn(t):
        if t.ndim < 3:
            t = t.unsqueeze(0)
        c = _check_color_channels(t)
        if c == 3:
            r, g, b = t.unbind(-3)
            gray = (r * 0.2989 + g * 0.587 + b * 0.114).to(t.dtype).unsqueeze(-3)
        else:
            gray = t.clone()
        if num_output_channels == 3:
            gray = gray.expand(*gray.shape[:-3], 3, *gray.shape[-2:]).contiguous()
        return gray
    return _apply(img, fn)


def to_grayscale(img, num_output_channels=1):
    """rgb_to_grayscale (torchvision's PIL-only name; here for every kind of image)."""
    return rgb_to_grayscale(img, num_output_channels)


def adjust_brightness(img, brightness_factor):
    """Multiply by brightness_factor >= 0 (0: black, 1: the original)."""
    if brightness_factor < 0:
        raise ValueError(f"brightness_factor ({brightness_factor}) is not non-negative.")
    if _pil.is_pil_image(img):
        from PIL import ImageEnhance
        return ImageEnhance.Brightness(img).enhance(brightness_factor)

    def fn(t):
        _check_color_channels(t)
        return _blend(t, None, brightness_factor)
    return _apply(img, fn)


def adjust_contrast(img, contrast_factor):
    """Blend with the mean grey level: 0 gives a flat grey image, 1 the original."""
    if contrast_factor < 0:
        raise ValueError(f"contrast_factor ({contrast_factor}) is not non-negative.")
    if _pil.is_pil_image(img):
        from PIL import ImageEnhance
        return ImageEnhance.Contrast(img).enhance(contrast_factor)

    def fn(t):
        c = _check_color_channels(t)
        fdt = t.dtype if t.is_floating_point() else cytorch.float32
        gray = rgb_to_grayscale(t) if c == 3 else t
        mean = gray.to(fdt).mean(dim=(-3, -2, -1), keepdim=True)
        return _blend(t, mean, contrast_factor)
    return _apply(img, fn)


def adjust_saturation(img, saturation_factor):
    """Blend with the greyscale image: 0 gives grey, 1 the original, 2 doubles the saturation."""
    if saturation_factor < 0:
        raise ValueError(f"saturation_factor ({saturation_factor}) is not non-negative.")
    if _pil.is_pil_image(img):
        from PIL import ImageEnhance
        return ImageEnhance.Color(img).enhance(saturation_factor)

    def fn(t):
        if _check_color_channels(t) == 1:
            return t
        return _blend(t, rgb_to_grayscale(t), saturation_factor)
    return _apply(img, fn)


def _rgb_to_hsv(img):
    r, g, b = img.unbind(-3)
    maxc = img.amax(dim=-3)
    minc = img.amin(dim=-3)
    eqc = maxc == minc
    cr = maxc - minc
    ones = cytorch.ones_like(maxc)
    s = cr / cytorch.where(eqc, ones, maxc)
    crd = cytorch.where(eqc, ones, cr)
    rc, gc, bc = (maxc - r) / crd, (maxc - g) / crd, (maxc - b) / crd
    is_r = maxc == r
    is_g = (maxc == g) & ~is_r
    is_b = ~is_r & ~is_g
    h = (is_r.to(img.dtype) * (bc - gc) + is_g.to(img.dtype) * (2.0 + rc - bc)
         + is_b.to(img.dtype) * (4.0 + gc - rc))
    h = cytorch.remainder(h / 6.0 + 1.0, 1.0)
    return h, s, maxc


def _hsv_to_rgb(h, s, v):
    h6 = h * 6.0
    i = cytorch.floor(h6)
    f = h6 - i
    i = cytorch.remainder(i, 6.0)
    p = (v * (1.0 - s)).clamp(0.0, 1.0)
    q = (v * (1.0 - s * f)).clamp(0.0, 1.0)
    t = (v * (1.0 - s * (1.0 - f))).clamp(0.0, 1.0)
    # sector k of the colour wheel takes (r, g, b) from these
    table = [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)]
    r = cytorch.zeros_like(v)
    g = cytorch.zeros_like(v)
    b = cytorch.zeros_like(v)
    for k, (rk, gk, bk) in enumerate(table):
        sel = i == float(k)
        r = cytorch.where(sel, rk, r)
        g = cytorch.where(sel, gk, g)
        b = cytorch.where(sel, bk, b)
    return cytorch.stack([r, g, b], dim=-3)


def adjust_hue(img, hue_factor):
    """Rotate the hue by hue_factor turns, in [-0.5, 0.5]."""
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    if _pil.is_pil_image(img):
        if img.mode in ("L", "1", "I", "F"):
            return img
        Image = _pil.pil()
        h, s, v = img.convert("HSV").split()
        arr = np.array(h, dtype=np.uint8)
        arr += np.uint8(int(hue_factor * 255) % 256)            # wraps around, as hue does
        hsv = Image.merge("HSV", (_pil.fromarray(arr, "L"), s, v))
        return hsv.convert(img.mode)

    def fn(t):
        if _check_color_channels(t) == 1:
            return t
        dt = t.dtype
        x = t if dt in (cytorch.float32, cytorch.float64) else convert_image_dtype(t, cytorch.float32)
        out = _image.adjust_hue(x.reshape(-1, 3, int(t.shape[-2]), int(t.shape[-1])), float(hue_factor))
        out = out.reshape(t.shape)
        return out if out.dtype == dt else convert_image_dtype(out, dt)
    return _apply(img, fn)


# ---------------------------------------------------------------------------------------------------
# erasing

def erase(img, i, j, h, w, v, inplace=False):
    """img[..., i:i+h, j:j+w] = v (a number or a tensor broadcastable to the region)."""
    if isinstance(img, np.ndarray):
        return _apply(img, lambda t: erase(t.clone(), i, j, h, w, v, inplace=True))
    if not _is_tensor(img):
        raise TypeError(f"img should be Tensor Image. Got {type(img)}")
    if not inplace:
        img = img.clone()
    img[..., i:i + h, j:j + w] = v
    return img
