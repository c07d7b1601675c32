"""Transform classes (torchvision.transforms' names, arguments and reprs).

Each transform is a callable object (`t(img)`, also `t.forward(img)`) working on cytorch tensors
(..., C, H, W), NumPy arrays (H, W[, C]) and PIL images, through `functional`. Random transforms draw
from cytorch's global generator, so `cytorch.manual_seed(s)` makes a pipeline reproducible.
"""
import math
import numbers
import warnings
from collections.abc import Sequence

import numpy as np

import cytorch
from cytorch.vision.transforms import functional as F
from cytorch.vision.transforms.functional import InterpolationMode

__all__ = [
    "Compose", "ToTensor", "PILToTensor", "ToPILImage", "ConvertImageDtype", "Normalize", "Resize",
    "CenterCrop", "Pad", "Lambda", "RandomApply", "RandomChoice", "RandomOrder", "RandomCrop",
    "RandomHorizontalFlip", "RandomVerticalFlip", "RandomResizedCrop", "RandomRotation", "RandomAffine",
    "RandomPerspective", "ColorJitter", "Grayscale", "RandomGrayscale", "RandomErasing", "InterpolationMode",
]


def _rand():
    return float(cytorch.rand(1).item())


def _uniform(a, b):
    return float(cytorch.empty(1).uniform_(float(a), float(b)).item())


def _randint(low, high):
    """An int in [low, high)."""
    return int(cytorch.randint(int(low), int(high), (1,)).item())


def _setup_size(size, error_msg):
    if isinstance(size, numbers.Number):
        return int(size), int(size)
    if isinstance(size, Sequence) and len(size) == 1:
        return size[0], size[0]
    if not isinstance(size, Sequence) or len(size) != 2:
        raise ValueError(error_msg)
    return size


def _check_sequence_input(x, name, req_sizes):
    msg = req_sizes[0] if len(req_sizes) < 2 else " or ".join(str(s) for s in req_sizes)
    if not isinstance(x, Sequence):
        raise TypeError(f"{name} should be a sequence of length {msg}.")
    if len(x) not in req_sizes:
        raise ValueError(f"{name} should be a sequence of length {msg}.")


def _setup_angle(x, name, req_sizes=(2,)):
    if isinstance(x, numbers.Number):
        if x < 0:
            raise ValueError(f"If {name} is a single number, it must be positive.")
        x = [-x, x]
    else:
        _check_sequence_input(x, name, req_sizes)
    return [float(d) for d in x]


def _check_scale_ratio(scale, ratio):
    """The (min, max) area and aspect-ratio ranges of RandomResizedCrop and RandomErasing."""
    if not isinstance(scale, Sequence):
        raise TypeError("Scale should be a sequence")
    if not isinstance(ratio, Sequence):
        raise TypeError("Ratio should be a sequence")
    if scale[0] > scale[1] or ratio[0] > ratio[1]:
        warnings.warn("Scale and ratio should be of kind (min, max)", stacklevel=2)


def _random_sides(area, scale, log_ratio):
    """``round(sqrt(a * r)), round(sqrt(a / r))`` for a random area ``a`` (a fraction in ``scale`` of
    ``area``) and a log-uniform aspect ratio ``r``: the sides of a random rectangle."""
    a = area * _uniform(scale[0], scale[1])
    r = math.exp(_uniform(log_ratio[0], log_ratio[1]))
    return int(round(math.sqrt(a * r))), int(round(math.sqrt(a / r)))


def _check_fill_arg(fill):
    if fill is None:
        return 0
    if not isinstance(fill, (Sequence, numbers.Number)):
        raise TypeError("Fill should be either a sequence or a number.")
    return fill


def _interp(interpolation):
    return F._interpolation(interpolation)


class Transform:
    """Base: `__call__` runs `forward`."""

    def __call__(self, *args):
        return self.forward(*args)

    def __repr__(self):
        return f"{self.__class__.__name__}()"


class Compose(Transform):
    """Apply transforms one after another.

    Args:
        transforms (list): the transforms.

    Example:
        >>> Compose([ToTensor(), Normalize((0.5,), (0.5,))])(np.zeros((2, 2), np.uint8)).shape
        cytorch.Size([1, 2, 2])
    """

    def __init__(self, transforms):
        self.transforms = transforms

    def forward(self, img):
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self):
        lines = [self.__class__.__name__ + "("] + [f"    {t}" for t in self.transforms]
        return "\n".join(lines) + "\n)"


class ToTensor(Transform):
    """PIL image or (H, W, C) NumPy array -> (C, H, W) tensor; uint8 values scaled to float [0, 1]."""

    def forward(self, pic):
        return F.to_tensor(pic)


class PILToTensor(Transform):
    """PIL image -> (C, H, W) tensor of the image's dtype, unscaled."""

    def forward(self, pic):
        return F.pil_to_tensor(pic)


class ToPILImage(Transform):
    """(C, H, W) tensor or (H, W, C) array -> PIL image (floats taken as [0, 1]).

    Args:
        mode (str, optional): PIL mode; inferred from channels and dtype by default.
    """

    def __init__(self, mode=None):
        self.mode = mode

    def forward(self, pic):
        return F.to_pil_image(pic, self.mode)

    def __repr__(self):
        return self.__class__.__name__ + ("(" if self.mode is None else f"(mode={self.mode}") + ")"


class ConvertImageDtype(Transform):
    """Convert a tensor image to dtype, rescaling values (float images live in [0, 1])."""

    def __init__(self, dtype):
        self.dtype = dtype

    def forward(self, image):
        return F.convert_image_dtype(image, self.dtype)


class Normalize(Transform):
    """(img - mean[c]) / std[c] for each channel of a float tensor image.

    Args:
        mean (sequence): per-channel means.
        std (sequence): per-channel standard deviations.
        inplace (bool): modify the input.

    Shape: (..., C, H, W) -> same.
    """

    def __init__(self, mean, std, inplace=False):
        self.mean = mean
        self.std = std
        self.inplace = inplace
        self._cached = None        # (dtype, mean, std): the (C, 1, 1) tensors of the last dtype seen

    def forward(self, tensor):
        if not (F._is_tensor(tensor) and tensor.is_floating_point() and tensor.ndim >= 3):
            return F.normalize(tensor, self.mean, self.std, self.inplace)   # its checks and errors
        if self._cached is None or self._cached[0] != tensor.dtype:
            self._cached = (tensor.dtype,) + F._mean_std(self.mean, self.std, tensor.dtype)
        _, m, s = self._cached
        return tensor.sub_(m).div_(s) if self.inplace else tensor.sub(m).div_(s)

    def __repr__(self):
        return f"{self.__class__.__name__}(mean={self.mean}, std={self.std})"


class Resize(Transform):
    """Resize to size (h, w), or match the smaller edge to an int size keeping the aspect ratio.

    Args:
        size (int or sequence): (h, w) or the smaller edge's length.
        interpolation (InterpolationMode): default BILINEAR.
        max_size (int, optional): bound on the longer edge when size is an int.
        antialias (bool): filter when downscaling (default True).

    Example:
        >>> Resize(4)(cytorch.zeros(3, 8, 16)).shape
        cytorch.Size([3, 4, 8])
    """

    def __init__(self, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
        if not (size is None or isinstance(size, (int, Sequence))):
            raise TypeError(f"Size should be int or sequence. Got {type(size)}")
        if isinstance(size, Sequence) and len(size) not in (1, 2):
            raise ValueError("If size is a sequence, it should have 1 or 2 values")
        self.size = size
        self.max_size = max_size
        self.interpolation = _interp(interpolation)
        self.antialias = antialias

    def forward(self, img):
        return F.resize(img, self.size, self.interpolation, self.max_size, self.antialias)

    def __repr__(self):
        return (f"{self.__class__.__name__}(size={self.size}, interpolation={self.interpolation.value}, "
                f"max_size={self.max_size}, antialias={self.antialias})")


class CenterCrop(Transform):
    """Crop the centre (h, w) region (an int size makes it square); pads with 0 if the image is smaller."""

    def __init__(self, size):
        self.size = _setup_size(size, error_msg="Please provide only two dimensions (h, w) for size.")

    def forward(self, img):
        return F.center_crop(img, self.size)

    def __repr__(self):
        return f"{self.__class__.__name__}(size={self.size})"


class Pad(Transform):
    """Pad the borders (see functional.pad).

    Args:
        padding (int or sequence): all sides; (left/right, top/bottom); or (left, top, right, bottom).
        fill (number or tuple): constant value (per channel when a tuple).
        padding_mode (str): "constant", "edge", "reflect" or "symmetric".
    """

    def __init__(self, padding, fill=0, padding_mode="constant"):
        if not isinstance(padding, (numbers.Number, tuple, list)):
            raise TypeError("Got inappropriate padding arg")
        if not isinstance(fill, (numbers.Number, tuple, list)):
            raise TypeError("Got inappropriate fill arg")
        if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
            raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
        if isinstance(padding, Sequence) and len(padding) not in (1, 2, 4):
            raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} "
                             "element tuple")
        self.padding = padding
        self.fill = fill
        self.padding_mode = padding_mode

    def forward(self, img):
        return F.pad(img, self.padding, self.fill, self.padding_mode)

    def __repr__(self):
        return f"{self.__class__.__name__}(padding={self.padding}, fill={self.fill}, padding_mode={self.padding_mode})"


class Lambda(Transform):
    """Apply a user function as a transform."""

    def __init__(self, lambd):
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {repr(type(lambd).__name__)}")
        self.lambd = lambd

    def forward(self, img):
        return self.lambd(img)


class RandomTransforms(Transform):
    """Base for transforms holding a list of transforms."""

    def __init__(self, transforms):
        if not isinstance(transforms, Sequence):
            raise TypeError("Argument transforms should be a sequence")
        self.transforms = transforms

    def __repr__(self):
        lines = [self.__class__.__name__ + "("] + [f"    {t}" for t in self.transforms]
        return "\n".join(lines) + "\n)"


class RandomApply(RandomTransforms):
    """Apply all the transforms with probability p (else none)."""

    def __init__(self, transforms, p=0.5):
        super().__init__(transforms)
        self.p = p

    def forward(self, img):
        if self.p < _rand():
            return img
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self):
        lines = [self.__class__.__name__ + "(", f"    p={self.p}"] + [f"    {t}" for t in self.transforms]
        return "\n".join(lines) + "\n)"


class RandomOrder(RandomTransforms):
    """Apply the transforms in a random order."""

    def forward(self, img):
        for i in cytorch.randperm(len(self.transforms)).tolist():
            img = self.transforms[i](img)
        return img


class RandomChoice(RandomTransforms):
    """Apply one transform picked at random (weights p, uniform by default)."""

    def __init__(self, transforms, p=None):
        super().__init__(transforms)
        if p is not None and len(p) != len(transforms):
            raise ValueError(f"Length of p doesn't match the number of transforms: {len(p)} != {len(transforms)}")
        self.p = p

    def forward(self, *args):
        weights = cytorch.ones(len(self.transforms)) if self.p is None else cytorch.tensor(self.p, dtype=cytorch.float64)
        idx = int(cytorch.multinomial(weights, 1).item())
        return self.transforms[idx](*args)

    def __repr__(self):
        return f"{super().__repr__()}(p={self.p})"


class RandomCrop(Transform):
    """Crop a random (h, w) region, after optional padding.

    Args:
        size (int or sequence): output (h, w).
        padding (int or sequence, optional): padding applied first (see Pad).
        pad_if_needed (bool): pad an image smaller than size so the crop fits.
        fill (number or tuple): value for constant padding.
        padding_mode (str): "constant", "edge", "reflect" or "symmetric".

    Example:
        >>> cytorch.manual_seed(0); RandomCrop(24, padding=4)(cytorch.zeros(3, 24, 24)).shape
        cytorch.Size([3, 24, 24])
    """

    def __init__(self, size, padding=None, pad_if_needed=False, fill=0, padding_mode="constant"):
        self.size = tuple(_setup_size(size, error_msg="Please provide only two dimensions (h, w) for size."))
        self.padding = padding
        self.pad_if_needed = pad_if_needed
        self.fill = fill
        self.padding_mode = padding_mode

    @staticmethod
    def get_params(img, output_size):
        """(top, left, h, w) of a random crop of output_size."""
        _, h, w = F.get_dimensions(img)
        th, tw = output_size
        if h < th or w < tw:
            raise ValueError(f"Required crop size {(th, tw)} is larger than input image size {(h, w)}")
        if w == tw and h == th:
            return 0, 0, h, w
        return _randint(0, h - th + 1), _randint(0, w - tw + 1), th, tw

    def forward(self, img):
        if self.padding is not None:
            img = F.pad(img, self.padding, self.fill, self.padding_mode)
        _, height, width = F.get_dimensions(img)
        if self.pad_if_needed and width < self.size[1]:
            img = F.pad(img, [self.size[1] - width, 0], self.fill, self.padding_mode)
        if self.pad_if_needed and height < self.size[0]:
            img = F.pad(img, [0, self.size[0] - height], self.fill, self.padding_mode)
        i, j, h, w = self.get_params(img, self.size)
        return F.crop(img, i, j, h, w)

    def __repr__(self):
        return f"{self.__class__.__name__}(size={self.size}, padding={self.padding})"


class _RandomFlip(Transform):
    """Apply ``_flip`` (a functional flip) with probability p."""

    _flip = None

    def __init__(self, p=0.5):
        self.p = p

    def forward(self, img):
        return self._flip(img) if _rand() < self.p else img

    def __repr__(self):
        return f"{self.__class__.__name__}(p={self.p})"


class RandomHorizontalFlip(_RandomFlip):
    """Mirror left-right with probability p."""

    _flip = staticmethod(F.hflip)


class RandomVerticalFlip(_RandomFlip):
    """Mirror top-bottom with probability p."""

    _flip = staticmethod(F.vflip)


class RandomResizedCrop(Transform):
    """Crop a random area (scale of the image) of random aspect ratio, resized to size.

    Args:
        size (int or sequence): output (h, w).
        scale (tuple): range of the crop's area as a fraction of the image's.
        ratio (tuple): range of the crop's aspect ratio (w / h), sampled log-uniformly.
        interpolation (InterpolationMode): default BILINEAR.
        antialias (bool): default True.
    """

    def __init__(self, size, scale=(0.08, 1.0), ratio=(3.0 / 4.0, 4.0 / 3.0),
                 interpolation=InterpolationMode.BILINEAR, antialias=True):
        self.size = _setup_size(size, error_msg="Please provide only two dimensions (h, w) for size.")
        _check_scale_ratio(scale, ratio)
        self.interpolation = _interp(interpolation)
        self.antialias = antialias
        self.scale = scale
        self.ratio = ratio

    @staticmethod
    def get_params(img, scale, ratio):
        """(top, left, h, w) of the random crop (10 tries, then a central crop of clamped ratio)."""
        _, height, width = F.get_dimensions(img)
        area = height * width
        log_ratio = (math.log(ratio[0]), math.log(ratio[1]))
        for _ in range(10):
            w, h = _random_sides(area, scale, log_ratio)
            if 0 < w <= width and 0 < h <= height:
                return _randint(0, height - h + 1), _randint(0, width - w + 1), h, w
        in_ratio = float(width) / float(height)
        if in_ratio < min(ratio):
            w = width
            h = int(round(w / min(ratio)))
        elif in_ratio > max(ratio):
            h = height
            w = int(round(h * max(ratio)))
        else:
            w, h = width, height
        return (height - h) // 2, (width - w) // 2, h, w

    def forward(self, img):
        i, j, h, w = self.get_params(img, self.scale, self.ratio)
        return F.resized_crop(img, i, j, h, w, self.size, self.interpolation, antialias=self.antialias)

    def __repr__(self):
        return (f"{self.__class__.__name__}(size={self.size}, scale={tuple(round(s, 4) for s in self.scale)}, "
                f"ratio={tuple(round(r, 4) for r in self.ratio)}, interpolation={self.interpolation.value}, "
                f"antialias={self.antialias})")


class RandomRotation(Transform):
    """Rotate by an angle drawn uniformly from degrees (a number d means (-d, d)), counter-clockwise.

    Args:
        degrees (number or sequence): range of angles.
        interpolation (InterpolationMode): NEAREST (default) or BILINEAR.
        expand (bool): enlarge the output to hold the whole rotated image.
        center (sequence, optional): (x, y) centre of rotation; default the image centre.
        fill (number or sequence): value outside the rotated image (default 0).
    """

    def __init__(self, degrees, interpolation=InterpolationMode.NEAREST, expand=False, center=None, fill=0):
        self.degrees = _setup_angle(degrees, name="degrees", req_sizes=(2,))
        if center is not None:
            _check_sequence_input(center, "center", req_sizes=(2,))
        self.center = center
        self.interpolation = _interp(interpolation)
        self.expand = expand
        self.fill = _check_fill_arg(fill)

    @staticmethod
    def get_params(degrees):
        return _uniform(degrees[0], degrees[1])

    def forward(self, img):
        angle = self.get_params(self.degrees)
        return F.rotate(img, angle, self.interpolation, self.expand, self.center, self.fill)

    def __repr__(self):
        s = f"{self.__class__.__name__}(degrees={self.degrees}, interpolation={self.interpolation.value}, "
        s += f"expand={self.expand}"
        if self.center is not None:
            s += f", center={self.center}"
        if self.fill is not None:
            s += f", fill={self.fill}"
        return s + ")"


class RandomAffine(Transform):
    """Random affine transformation keeping the centre fixed.

    Args:
        degrees (number or sequence): rotation range (a number d means (-d, d)); 0 disables.
        translate (tuple, optional): (a, b): horizontal shift in (-a W, a W), vertical in (-b H, b H).
        scale (tuple, optional): scale factor range.
        shear (number or sequence, optional): x shear range (a number s means (-s, s)); 4 values give
            x and y ranges.
        interpolation (InterpolationMode): NEAREST (default) or BILINEAR.
        fill (number or sequence): value outside the image.
        center (sequence, optional): (x, y) fixed point; default the image centre.
    """

    def __init__(self, degrees, translate=None, scale=None, shear=None, interpolation=InterpolationMode.NEAREST,
                 fill=0, center=None):
        self.degrees = _setup_angle(degrees, name="degrees", req_sizes=(2,))
        if translate is not None:
            _check_sequence_input(translate, "translate", req_sizes=(2,))
            for t in translate:
                if not 0.0 <= t <= 1.0:
                    raise ValueError("translation values should be between 0 and 1")
        self.translate = translate
        if scale is not None:
            _check_sequence_input(scale, "scale", req_sizes=(2,))
            for s in scale:
                if s <= 0:
                    raise ValueError("scale values should be positive")
        self.scale = scale
        self.shear = None if shear is None else _setup_angle(shear, name="shear", req_sizes=(2, 4))
        self.interpolation = _interp(interpolation)
        self.fill = _check_fill_arg(fill)
        if center is not None:
            _check_sequence_input(center, "center", req_sizes=(2,))
        self.center = center

    @staticmethod
    def get_params(degrees, translate, scale_ranges, shears, img_size):
        """(angle, (tx, ty), scale, (shear_x, shear_y)) for an image of img_size (w, h)."""
        angle = _uniform(degrees[0], degrees[1])
        if translate is not None:
            max_dx = float(translate[0] * img_size[0])
            max_dy = float(translate[1] * img_size[1])
            translations = (int(round(_uniform(-max_dx, max_dx))), int(round(_uniform(-max_dy, max_dy))))
        else:
            translations = (0, 0)
        scale = 1.0 if scale_ranges is None else _uniform(scale_ranges[0], scale_ranges[1])
        shear_x = shear_y = 0.0
        if shears is not None:
            shear_x = _uniform(shears[0], shears[1])
            if len(shears) == 4:
                shear_y = _uniform(shears[2], shears[3])
        return angle, translations, scale, (shear_x, shear_y)

    def forward(self, img):
        _, h, w = F.get_dimensions(img)
        angle, translations, scale, shear = self.get_params(self.degrees, self.translate, self.scale,
                                                            self.shear, [w, h])
        return F.affine(img, angle, list(translations), scale, list(shear), self.interpolation, self.fill,
                        self.center)

    def __repr__(self):
        s = f"{self.__class__.__name__}(degrees={self.degrees}"
        s += f", translate={self.translate}" if self.translate is not None else ""
        s += f", scale={self.scale}" if self.scale is not None else ""
        s += f", shear={self.shear}" if self.shear is not None else ""
        s += f", interpolation={self.interpolation.value}" if self.interpolation != InterpolationMode.NEAREST else ""
        s += f", fill={self.fill}" if self.fill != 0 else ""
        s += f", center={self.center}" if self.center is not None else ""
        return s + ")"


class RandomPerspective(Transform):
    """With probability p, move each corner inwards by up to distortion_scale * half the image size."""

    def __init__(self, distortion_scale=0.5, p=0.5, interpolation=InterpolationMode.BILINEAR, fill=0):
        self.p = p
        self.distortion_scale = distortion_scale
        self.interpolation = _interp(interpolation)
        self.fill = _check_fill_arg(fill)

    @staticmethod
    def get_params(width, height, distortion_scale):
        """(startpoints, endpoints): the corners and where they go."""
        hw, hh = int(distortion_scale * (width // 2)), int(distortion_scale * (height // 2))
        tl = [_randint(0, hw + 1), _randint(0, hh + 1)]
        tr = [_randint(width - hw - 1, width), _randint(0, hh + 1)]
        br = [_randint(width - hw - 1, width), _randint(height - hh - 1, height)]
        bl = [_randint(0, hw + 1), _randint(height - hh - 1, height)]
        start = [[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]]
        return start, [tl, tr, br, bl]

    def forward(self, img):
        if _rand() < self.p:
            _, h, w = F.get_dimensions(img)
            start, end = self.get_params(w, h, self.distortion_scale)
            return F.perspective(img, start, end, self.interpolation, self.fill)
        return img

    def __repr__(self):
        return f"{self.__class__.__name__}(p={self.p})"


def _check_jitter(value, name, center=1.0, bound=(0, float("inf")), clip_first_on_zero=True):
    if isinstance(value, numbers.Number):
        if value < 0:
            raise ValueError(f"If {name} is a single number, it must be non negative.")
        value = [center - float(value), center + float(value)]
        if clip_first_on_zero:
            value[0] = max(value[0], 0.0)
    elif isinstance(value, (tuple, list)) and len(value) == 2:
        value = [float(value[0]), float(value[1])]
    else:
        raise TypeError(f"{name} should be a single number or a list/tuple with length 2.")
    if not bound[0] <= value[0] <= value[1] <= bound[1]:
        raise ValueError(f"{name} values should be between {bound}, but got {value}.")
    if value[0] == value[1] == center:
        return None
    return tuple(value)


class ColorJitter(Transform):
    """Randomly change brightness, contrast, saturation and hue, in a random order.

    Args:
        brightness, contrast, saturation (number or (min, max)): a number v means the factor is drawn from
            [max(0, 1 - v), 1 + v].
        hue (number or (min, max)): a number v means [-v, v]; within [-0.5, 0.5].
    """

    def __init__(self, brightness=0, contrast=0, saturation=0, hue=0):
        self.brightness = _check_jitter(brightness, "brightness")
        self.contrast = _check_jitter(contrast, "contrast")
        self.saturation = _check_jitter(saturation, "saturation")
        self.hue = _check_jitter(hue, "hue", center=0, bound=(-0.5, 0.5), clip_first_on_zero=False)

    @staticmethod
    def get_params(brightness, contrast, saturation, hue):
        """(order, b, c, s, h): a permutation of the four adjustments and their factors (None: skipped)."""
        order = cytorch.randperm(4)
        b = None if brightness is None else _uniform(brightness[0], brightness[1])
        c = None if contrast is None else _uniform(contrast[0], contrast[1])
        s = None if saturation is None else _uniform(saturation[0], saturation[1])
        h = None if hue is None else _uniform(hue[0], hue[1])
        return order, b, c, s, h

    def forward(self, img):
        order, b, c, s, h = self.get_params(self.brightness, self.contrast, self.saturation, self.hue)
        for fn_id in order.tolist():
            if fn_id == 0 and b is not None:
                img = F.adjust_brightness(img, b)
            elif fn_id == 1 and c is not None:
                img = F.adjust_contrast(img, c)
            elif fn_id == 2 and s is not None:
                img = F.adjust_saturation(img, s)
            elif fn_id == 3 and h is not None:
                img = F.adjust_hue(img, h)
        return img

    def __repr__(self):
        return (f"{self.__class__.__name__}(brightness={self.brightness}, contrast={self.contrast}, "
                f"saturation={self.saturation}, hue={self.hue})")


class Grayscale(Transform):
    """Convert to greyscale with 1 or 3 output channels."""

    def __init__(self, num_output_channels=1):
        self.num_output_channels = num_output_channels

    def forward(self, img):
        return F.rgb_to_grayscale(img, num_output_channels=self.num_output_channels)

    def __repr__(self):
        return f"{self.__class__.__name__}(num_output_channels={self.num_output_channels})"


class RandomGrayscale(Transform):
    """Convert to greyscale (keeping the channel count) with probability p."""

    def __init__(self, p=0.1):
        self.p = p

    def forward(self, img):
        channels = F.get_image_num_channels(img)
        if _rand() < self.p:
            return F.rgb_to_grayscale(img, num_output_channels=channels)
        return img

    def __repr__(self):
        return f"{self.__class__.__name__}(p={self.p})"


class RandomErasing(Transform):
    """With probability p, erase a random rectangle of a tensor image (Zhong et al., 2017).

    Args:
        p (float): probability of erasing.
        scale (tuple): range of the erased area as a fraction of the image's.
        ratio (tuple): range of the rectangle's aspect ratio (sampled log-uniformly).
        value (number, sequence or "random"): the erasing value; per channel for a sequence; standard
            normal noise for "random".
        inplace (bool): modify the input.
    """

    def __init__(self, p=0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=0, inplace=False):
        if not isinstance(value, (numbers.Number, str, tuple, list)):
            raise TypeError("Argument value should be either a number or str or a sequence")
        if isinstance(value, str) and value != "random":
            raise ValueError("If value is str, it should be 'random'")
        _check_scale_ratio(scale, ratio)
        if scale[0] < 0 or scale[1] > 1:
            raise ValueError("Scale should be between 0 and 1")
        if p < 0 or p > 1:
            raise ValueError("Random erasing probability should be between 0 and 1")
        self.p = p
        self.scale = scale
        self.ratio = ratio
        self.value = value
        self.inplace = inplace

    @staticmethod
    def get_params(img, scale, ratio, value=None):
        """(i, j, h, w, v) of the rectangle and its value (noise when value is None); the whole image
        and itself when no rectangle fits in 10 tries."""
        c, img_h, img_w = int(img.shape[-3]), int(img.shape[-2]), int(img.shape[-1])
        area = img_h * img_w
        log_ratio = (math.log(ratio[0]), math.log(ratio[1]))
        for _ in range(10):
            h, w = _random_sides(area, scale, log_ratio)
            if not (h < img_h and w < img_w):
                continue
            if value is None:
                v = cytorch.empty(c, h, w, dtype=cytorch.float32).normal_()
            else:
                v = cytorch.tensor(value)[:, None, None]
            return _randint(0, img_h - h + 1), _randint(0, img_w - w + 1), h, w, v
        return 0, 0, img_h, img_w, img

    def forward(self, img):
        if _rand() >= self.p:
            return img
        if isinstance(self.value, (int, float)):
            value = [float(self.value)]
        elif isinstance(self.value, str):
            value = None
        else:
            value = [float(v) for v in self.value]
        if not (F._is_tensor(img) or isinstance(img, np.ndarray)):
            raise TypeError(f"img should be Tensor Image. Got {type(img)}")
        channels = F.get_image_num_channels(img)
        if value is not None and len(value) not in (1, channels):
            raise ValueError("If value is a sequence, it should have either a single value or "
                             f"{channels} (number of input channels)")
        if isinstance(img, np.ndarray):       # arrays are (H, W[, C]): erase through a (C, H, W) view
            return F._apply(img, lambda x: self._erase(x.clone(), value, inplace=True))
        return self._erase(img, value, self.inplace)

    def _erase(self, img, value, inplace):
        i, j, h, w, v = self.get_params(img, self.scale, self.ratio, value)
        return F.erase(img, i, j, h, w, v, inplace)

    def __repr__(self):
        return (f"{self.__class__.__name__}(p={self.p}, scale={self.scale}, ratio={self.ratio}, "
                f"value={self.value}, inplace={self.inplace})")
