"""FakeData: random images, the same ones for the same index every time."""
import cytorch
from cytorch.vision import _pil
from cytorch.vision.datasets.vision import VisionDataset

__all__ = ["FakeData"]


class FakeData(VisionDataset):
    """Random uint8 images with random int targets, reproducible per index.

    Item i is drawn from a private generator seeded with i + random_offset, so it does not depend on
    (or disturb) cytorch's global RNG, on the order of access, or on the process reading it.

    Args:
        size (int): number of items.
        image_size (tuple): (C, H, W).
        num_classes (int): targets are in [0, num_classes).
        transform, target_transform (callable, optional).
        random_offset (int): shifts the seeds, giving another set of images.

    Items are (image, int target); the image is a PIL image when Pillow is installed and C is 1, 3 or
    4, else a uint8 (C, H, W) tensor.

    Example:
        >>> img, target = FakeData(size=10, image_size=(1, 8, 8))[3]
    """

    def __init__(self, size=1000, image_size=(3, 224, 224), num_classes=10, transform=None, target_transform=None,
                 random_offset=0):
        super().__init__(None, transform=transform, target_transform=target_transform)
        self.size = size
        self.num_classes = num_classes
        self.image_size = image_size
        self.random_offset = random_offset

    def __getitem__(self, index):
        if not -self.size <= index < self.size:
            raise IndexError(f"{self.__class__.__name__} index out of range")
        index %= self.size
        g = cytorch.Generator().manual_seed(index + self.random_offset)
        img = cytorch.randint(0, 256, tuple(self.image_size), dtype=cytorch.uint8, generator=g)
        target = int(cytorch.randint(0, self.num_classes, (1,), generator=g).item())
        if _pil.pil() is not None and img.ndim == 3 and img.shape[0] in (1, 3, 4):
            from cytorch.vision.transforms.functional import to_pil_image
            img = to_pil_image(img)
        return self._apply_transforms(img, target)

    def __len__(self):
        return self.size
