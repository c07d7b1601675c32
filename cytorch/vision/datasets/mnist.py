"""MNIST, FashionMNIST and KMNIST: 28x28 greyscale images in IDX files.

The files live where torchvision keeps them, `root/<ClassName>/raw/train-images-idx3-ubyte` (and the
-labels-idx1-, t10k- ones), each either plain or gzipped (`.gz`). `download=True` fetches the gzipped
files from the official mirrors, checks their md5 and unpacks them next to the archives.
"""
import gzip
import os
import struct
import zlib

import numpy as np

import cytorch
from cytorch.vision import _pil
from cytorch.vision.datasets.utils import download_file, extract_archive
from cytorch.vision.datasets.vision import VisionDataset

__all__ = ["MNIST", "FashionMNIST", "KMNIST", "read_idx", "read_image_file", "read_label_file"]

# IDX type byte -> big-endian NumPy dtype
_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def _read_bytes(path):
    try:
        if path.endswith(".gz"):
            with gzip.open(path, "rb") as f:
                return f.read()
        with open(path, "rb") as f:
            return f.read()
    except (OSError, EOFError, zlib.error) as e:
        raise RuntimeError(f"{path}: cannot read the file: {e}") from e


def read_idx(path):
    """The array in an IDX file (plain or .gz), in native byte order.

    IDX: two zero bytes, a type byte (0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32,
    0x0E float64), the number of dimensions, each dimension as a big-endian uint32, then the data
    big-endian in C order.

    Raises:
        RuntimeError naming the file when it is unreadable, not IDX, truncated or too long.
    """
    path = os.fspath(path)
    raw = _read_bytes(path)
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_TYPES:
        raise RuntimeError(f"{path}: not an IDX file (magic bytes {raw[:4].hex() or 'missing'})")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise RuntimeError(f"{path}: truncated IDX header ({len(raw)} bytes, {ndim} dimensions need {header})")
    dims = struct.unpack(f">{ndim}I", raw[4:header])
    dt = np.dtype(_IDX_TYPES[raw[2]])
    expected = int(np.prod(dims, dtype=np.int64)) * dt.itemsize
    found = len(raw) - header
    if found != expected:
        what = "truncated" if found < expected else "longer than its header says"
        raise RuntimeError(f"{path}: IDX file {what}: shape {list(dims)} needs {expected} bytes of data, "
                           f"found {found}")
    return np.frombuffer(raw, dt, offset=header).reshape(dims).astype(dt.newbyteorder("="))


def read_image_file(path):
    """A uint8 (N, H, W) tensor from an IDX image file."""
    x = read_idx(path)
    if x.dtype != np.uint8 or x.ndim != 3:
        raise RuntimeError(f"{path}: expected uint8 images (N, H, W), got {x.dtype} of shape {list(x.shape)}")
    return cytorch.from_numpy(x)


def read_label_file(path):
    """An int64 (N,) tensor from an IDX label file."""
    x = read_idx(path)
    if x.dtype != np.uint8 or x.ndim != 1:
        raise RuntimeError(f"{path}: expected uint8 labels (N,), got {x.dtype} of shape {list(x.shape)}")
    return cytorch.from_numpy(x.astype(np.int64))


def _to_image(arr2d):
    """A uint8 (H, W) tensor as a PIL 'L' image when Pillow is installed, else unchanged."""
    if _pil.pil() is None:
        return arr2d
    return _pil.fromarray(np.ascontiguousarray(arr2d.numpy()), "L")


class MNIST(VisionDataset):
    """`MNIST <http://yann.lecun.com/exdb/mnist/>`_ handwritten digits (60,000 train, 10,000 test).

    Args:
        root (str or path): directory holding `MNIST/raw/` (the class name for the subclasses).
        train (bool): the training split (else the test split).
        transform (callable, optional): applied to the image.
        target_transform (callable, optional): applied to the int target.
        download (bool): fetch the files from the mirrors (md5-checked) when they are missing.

    Items are (image, int target); the image is a PIL 'L' image when Pillow is installed, else a uint8
    (28, 28) tensor. `.data` is the uint8 (N, 28, 28) tensor, `.targets` the int64 (N,) tensor.

    Example:
        >>> ds = MNIST("data", train=False, transform=transforms.ToTensor())   # doctest: +SKIP
        >>> img, label = ds[0]                                                  # (1, 28, 28), 7
    """

    mirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
        ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
        ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    ]
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven",
               "8 - eight", "9 - nine"]

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        images, labels = self._split_files()
        image_path, label_path = self._find(images), self._find(labels)
        if image_path is None or label_path is None:
            raise RuntimeError(f"Dataset not found: {images}[.gz] and {labels}[.gz] are not both in "
                               f"{self.raw_folder}. You can use download=True to download it")
        self.data = read_image_file(image_path)
        self.targets = read_label_file(label_path)
        if self.data.shape[0] != self.targets.shape[0]:
            raise RuntimeError(f"{image_path} has {self.data.shape[0]} images but {label_path} has "
                               f"{self.targets.shape[0]} labels")

    @property
    def raw_folder(self):
        return os.path.join(self.root, self.__class__.__name__, "raw")

    @property
    def class_to_idx(self):
        return {name: i for i, name in enumerate(self.classes)}

    def _split_files(self):
        prefix = "train" if self.train else "t10k"
        return f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"

    def _find(self, name):
        for candidate in (name, name + ".gz"):
            path = os.path.join(self.raw_folder, candidate)
            if os.path.isfile(path):
                return path
        return None

    def _check_exists(self):
        names = [os.path.splitext(f)[0] for f, _ in self.resources]
        return all(self._find(n) is not None for n in names)

    def download(self):
        """Fetch and unpack every file that is missing (md5-checked; see datasets.utils.download_file)."""
        if self._check_exists():
            return
        for filename, md5 in self.resources:
            if self._find(os.path.splitext(filename)[0]) is not None:
                continue
            urls = [m.rstrip("/") + "/" + filename for m in self.mirrors]
            path = download_file(urls, self.raw_folder, filename, md5=md5)
            extract_archive(path, self.raw_folder)

    def __getitem__(self, index):
        img = _to_image(self.data[index])
        return self._apply_transforms(img, int(self.targets[index]))

    def __len__(self):
        return int(self.data.shape[0])

    def extra_repr(self):
        return f"Split: {'Train' if self.train is True else 'Test'}"


class FashionMNIST(MNIST):
    """`Fashion-MNIST <https://github.com/zalandoresearch/fashion-mnist>`_: Zalando's 28x28 article
    images in 10 classes, MNIST's layout (`root/FashionMNIST/raw/`). Arguments as MNIST."""

    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
        ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
        ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
    ]
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot"]


class KMNIST(MNIST):
    """`Kuzushiji-MNIST <https://github.com/rois-codh/kmnist>`_: 28x28 cursive Japanese characters in
    10 classes, MNIST's layout (`root/KMNIST/raw/`). Arguments as MNIST."""

    mirrors = ["http://codh.rois.ac.jp/kmnist/dataset/kmnist/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "bdb82020997e1d708af4cf47b453dcf7"),
        ("train-labels-idx1-ubyte.gz", "e144d726b3acfaa3e44228e80efcd344"),
        ("t10k-images-idx3-ubyte.gz", "5c965bf0a639b31b8f53240b1b52f4d7"),
        ("t10k-labels-idx1-ubyte.gz", "7320c461ea6c1c855c0b718fb2a4b134"),
    ]
    classes = ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"]
