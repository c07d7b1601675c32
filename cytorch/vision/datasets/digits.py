"""Digits: scikit-learn's bundled 8x8 handwritten digits, the dataset that needs no download."""
import numpy as np

import cytorch
from cytorch._C import _image
from cytorch.vision.datasets.mnist import MNIST, _to_image
from cytorch.vision.datasets.vision import VisionDataset

__all__ = ["Digits"]


def _load_digits():
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise ImportError("Digits needs scikit-learn: pip install scikit-learn") from None
    bunch = load_digits()
    return np.asarray(bunch.images), np.asarray(bunch.target, dtype=np.int64)


class Digits(VisionDataset):
    """The 1,797 8x8 greyscale handwritten digits of the UCI set that ship with scikit-learn
    (`sklearn.datasets.load_digits`), with MNIST's interface: a drop-in for quick, offline runs.

    Split: a fixed permutation (NumPy's legacy RandomState(0), stable across NumPy versions) orders
    the samples; within each class the first 80% (rounded down) in that order form the training set
    and the rest the test set. That gives 1,433 training and 364 test images, every class in both at
    its natural proportion; the samples of each split keep scikit-learn's order.

    Args:
        root (str or path, optional): unused (the data ships with scikit-learn); accepted so code
            written for MNIST(root, ...) works unchanged.
        train (bool): the training split (else the test split).
        transform, target_transform (callable, optional).
        download (bool): accepted and ignored: nothing to download.
        resize (int, optional): bilinear upscaling to resize x resize with values scaled to 0..255,
            like MNIST (resize=28 gives MNIST-shaped images). Default: 8x8 with scikit-learn's values
            0..16.

    Items are (image, int target); the image is a PIL 'L' image when Pillow is installed, else a uint8
    (H, W) tensor. `.data` is a uint8 (N, H, W) tensor, `.targets` an int64 (N,) tensor.

    Raises:
        ImportError: "Digits needs scikit-learn: pip install scikit-learn".

    Example:
        >>> train = Digits(train=True, resize=28, transform=transforms.ToTensor())
        >>> img, label = train[0]        # (1, 28, 28) float in [0, 1], an int in 0..9
    """

    classes = MNIST.classes
    train_fraction = 0.8
    split_seed = 0

    def __init__(self, root=None, train=True, transform=None, target_transform=None, download=False, resize=None):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        self.resize = resize
        images, target = _load_digits()
        idx = self.split_indices(target, train)
        images, target = images[idx], target[idx]
        if resize is None:
            data = images.astype(np.uint8)
        else:
            if int(resize) <= 0:
                raise ValueError(f"resize must be a positive int, got {resize}")
            x = cytorch.from_numpy(np.ascontiguousarray(images * (255.0 / 16.0)))
            x = _image.resize(x, int(resize), int(resize), "bilinear", True)
            data = x.round().clamp(0, 255).to(cytorch.uint8).numpy()
        self.data = cytorch.from_numpy(np.ascontiguousarray(data))
        self.targets = cytorch.from_numpy(np.ascontiguousarray(target))

    @classmethod
    def split_indices(cls, target, train):
        """Sorted indices of the train (or test) split of samples with labels `target` (see the class doc)."""
        target = np.asarray(target)
        order = np.random.RandomState(cls.split_seed).permutation(len(target))
        chosen = []
        for c in np.unique(target):
            members = order[target[order] == c]
            k = int(cls.train_fraction * len(members))
            chosen.append(members[:k] if train else members[k:])
        return np.sort(np.concatenate(chosen))

    @property
    def class_to_idx(self):
        return {name: i for i, name in enumerate(self.classes)}

    def __getitem__(self, index):
        return self._apply_transforms(_to_image(self.data[index]), int(self.targets[index]))

    def __len__(self):
        return int(self.data.shape[0])

    def extra_repr(self):
        size = 8 if self.resize is None else int(self.resize)
        return f"Split: {'Train' if self.train is True else 'Test'}\nImage size: {size}x{size}"
