"""cytorch.vision.transforms: image transforms with torchvision's names (see transforms.py)."""
from cytorch.vision.transforms import functional
from cytorch.vision.transforms.transforms import *  # noqa: F401,F403
from cytorch.vision.transforms.transforms import __all__  # noqa: F401
