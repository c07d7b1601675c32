"""Pillow as an optional dependency: one place that knows whether it is installed.

Code asks `pil()` (the PIL.Image module, or None) at call time rather than
importing PIL itself, so behaviour without Pillow can be tested by setting
`_Image = None` here.
"""
try:
    from PIL import Image as _Image
except ImportError:  # pragma: no cover - exercised by patching _Image in the tests
    _Image = None

_backend = "PIL"


def pil():
    """The PIL.Image module, or None when Pillow is not installed."""
    return _Image


def is_pil_image(x):
    return _Image is not None and isinstance(x, _Image.Image)


def require_pil(what):
    """The PIL.Image module; ImportError naming `what` when Pillow is missing."""
    if _Image is None:
        raise ImportError(f"{what} needs Pillow: pip install pillow")
    return _Image


def fromarray(arr, mode=None):
    """A PIL image over a (H, W) or (H, W, C) NumPy array, in `mode` when given."""
    Image = require_pil("converting to a PIL image")
    img = Image.fromarray(arr)
    if mode is None or img.mode == mode:
        return img
    if mode == "1":
        return img.convert("1")
    arr = arr.astype(arr.dtype.newbyteorder("<") if arr.dtype.itemsize > 1 else arr.dtype, copy=False)
    h, w = arr.shape[:2]
    return Image.frombytes(mode, (w, h), arr.tobytes())


def get_image_backend():
    """The name of the image backend used to load images ("PIL")."""
    return _backend


def set_image_backend(backend):
    """Only "PIL" is supported (torchvision's "accimage" is not)."""
    global _backend
    if backend != "PIL":
        raise ValueError(f"Invalid backend '{backend}'. Options are 'PIL'")
    _backend = backend
