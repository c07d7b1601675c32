"""cytorch.vision: datasets, transforms and image utilities with torchvision's API.

    import cytorch.vision as vision          # like `import torchvision`
    from cytorch.vision import datasets, transforms

Pillow is optional: with it, datasets return PIL images and transforms accept them, as in
torchvision; without it, datasets return uint8 tensors and everything else still works.
"""
from cytorch.vision import datasets, transforms, utils
from cytorch.vision._pil import get_image_backend, set_image_backend

__all__ = ["datasets", "transforms", "utils", "get_image_backend", "set_image_backend"]
