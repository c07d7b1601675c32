"""CIFAR10 and CIFAR100: 32x32 colour images from the "python version" batches.

The batches are Python pickles. They are read by a restricted unpickler that can rebuild only NumPy
arrays (of non-object dtypes), dicts, lists, strings, bytes and numbers: any other global a pickle asks
for is refused with pickle.UnpicklingError naming it, so a tampered batch cannot run code.
Batch files are not md5-checked on load (so generated or re-packed batches work); their structure is.
`download=True` fetches the archive, checks its md5 and unpacks it.
"""
import io
import os
import pickle

import numpy as np

import cytorch
from cytorch.vision import _pil
from cytorch.vision.datasets.utils import download_file, extract_archive
from cytorch.vision.datasets.vision import VisionDataset

__all__ = ["CIFAR10", "CIFAR100", "restricted_load"]


def _np_dtype(*args, **kwargs):
    dt = np.dtype(*args, **kwargs)
    if dt.hasobject:
        raise pickle.UnpicklingError(f"refusing a NumPy array of dtype {dt} (it would hold Python objects)")
    return dt


def _np_reconstruct():
    # the function ndarray.__reduce__ names: numpy.core.multiarray._reconstruct (numpy._core in NumPy 2)
    return np.ndarray((0,)).__reduce__()[0]


def _np_scalar():
    return np.float64(0).__reduce__()[0]


def _np_frombuffer():
    # what protocol-5 pickles of arrays name: numpy.core.numeric._frombuffer (numpy._core in NumPy 2)
    return np.arange(1).__reduce_ex__(5)[0]


class _RestrictedUnpickler(pickle.Unpickler):
    """Rebuilds NumPy arrays and plain containers only."""

    def __init__(self, file, path, **kwargs):
        super().__init__(file, **kwargs)
        self._path = path
        self._allowed = {
            ("numpy", "ndarray"): np.ndarray,
            ("numpy", "dtype"): _np_dtype,
            ("_codecs", "encode"): _latin1_encode,
        }
        for module in ("numpy.core.multiarray", "numpy._core.multiarray"):
            self._allowed[(module, "_reconstruct")] = _np_reconstruct()
            self._allowed[(module, "scalar")] = _np_scalar()
        for module in ("numpy.core.numeric", "numpy._core.numeric"):
            self._allowed[(module, "_frombuffer")] = _np_frombuffer()

    def find_class(self, module, name):
        fn = self._allowed.get((module, name))
        if fn is None:
            raise pickle.UnpicklingError(f"{self._path}: global '{module}.{name}' is forbidden (only NumPy arrays, "
                                         "lists, dicts, strings, bytes and numbers may be unpickled)")
        return fn


def _latin1_encode(obj, encoding="latin1", errors="strict"):
    # protocol-2 pickles of bytes call _codecs.encode(str, 'latin1'); nothing else is allowed
    if not isinstance(obj, str) or encoding not in ("latin1", "latin-1"):
        raise pickle.UnpicklingError("_codecs.encode is allowed only to rebuild bytes from latin-1 text")
    return obj.encode("latin1", errors)


def restricted_load(path):
    """Unpickle a file that may hold only NumPy arrays and plain containers (Python 2 pickles included)."""
    path = os.fspath(path)
    try:
        with open(path, "rb") as f:
            data = f.read()
        return _RestrictedUnpickler(io.BytesIO(data), path, encoding="latin1").load()
    except pickle.UnpicklingError as e:
        if str(e).startswith(path):
            raise
        raise pickle.UnpicklingError(f"{path}: {e}") from e
    except (OSError, EOFError, ValueError, TypeError, AttributeError, IndexError, KeyError) as e:
        raise RuntimeError(f"{path}: cannot unpickle the batch: {type(e).__name__}: {e}") from e


def _str_keys(d, path):
    if not isinstance(d, dict):
        raise RuntimeError(f"{path}: expected a dict, found {type(d).__name__}")
    return {k.decode("latin1") if isinstance(k, bytes) else k: v for k, v in d.items()}


class CIFAR10(VisionDataset):
    """`CIFAR-10 <https://www.cs.toronto.edu/~kriz/cifar.html>`_: 60,000 32x32 colour images in 10 classes.

    Args:
        root (str or path): directory holding `cifar-10-batches-py/`.
        train (bool): the 50,000 training images (else the 10,000 test images).
        transform, target_transform (callable, optional): applied to the image / the int target.
        download (bool): fetch and unpack the archive (md5-checked) when the batches are missing.

    Items are (image, int target); the image is a PIL RGB image when Pillow is installed, else a uint8
    (3, 32, 32) tensor. `.data` is a uint8 NumPy array (N, 32, 32, 3), `.targets` a list of ints.
    """

    base_folder = "cifar-10-batches-py"
    url = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    mirrors = ["https://www.cs.toronto.edu/~kriz/", "https://cave.cs.toronto.edu/kriz/"]
    filename = "cifar-10-python.tar.gz"
    tgz_md5 = "c58f30108f718f92721af3b95e74349a"
    train_list = [
        ["data_batch_1", "c99cafc152244af753f735de768cd75f"],
        ["data_batch_2", "d4bba439e000b95fd0a9bffe97cbabec"],
        ["data_batch_3", "54ebc095f3ab1f0389bbae665268c751"],
        ["data_batch_4", "634d18415352ddfa80567beed471001a"],
        ["data_batch_5", "482c414d41f54cd18b22e5b47cb7c3cb"],
    ]
    test_list = [["test_batch", "40351d587109b95175f43aff81a1287e"]]
    meta = {"filename": "batches.meta", "key": "label_names", "md5": "5ff9c542aee3614f3951f8cda6e48888"}
    _label_key = "labels"

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        if not self._check_exists():
            raise RuntimeError(f"Dataset not found or corrupted: the batches are not all in "
                               f"{os.path.join(self.root, self.base_folder)}. You can use download=True to download it")
        datas, self.targets = [], []
        for name, _ in (self.train_list if self.train else self.test_list):
            path = os.path.join(self.root, self.base_folder, name)
            entry = _str_keys(restricted_load(path), path)
            data, labels = entry.get("data"), entry.get(self._label_key)
            if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3072:
                got = f"{data.dtype} {list(data.shape)}" if isinstance(data, np.ndarray) else type(data).__name__
                raise RuntimeError(f"{path}: 'data' should be a uint8 array (N, 3072), found {got}")
            if labels is None or len(labels) != data.shape[0]:
                raise RuntimeError(f"{path}: '{self._label_key}' should hold {data.shape[0]} labels, found "
                                   f"{'none' if labels is None else len(labels)}")
            datas.append(data)
            self.targets.extend(int(v) for v in labels)
        self.data = np.ascontiguousarray(np.vstack(datas).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
        self._load_meta()

    def _load_meta(self):
        path = os.path.join(self.root, self.base_folder, self.meta["filename"])
        entry = _str_keys(restricted_load(path), path)
        names = entry.get(self.meta["key"])
        if not isinstance(names, list):
            raise RuntimeError(f"{path}: no list '{self.meta['key']}' of class names")
        self.classes = [n.decode("latin1") if isinstance(n, bytes) else str(n) for n in names]
        self.class_to_idx = {name: i for i, name in enumerate(self.classes)}

    def _check_exists(self):
        folder = os.path.join(self.root, self.base_folder)
        names = [n for n, _ in self.train_list + self.test_list] + [self.meta["filename"]]
        return all(os.path.isfile(os.path.join(folder, n)) for n in names)

    def download(self):
        """Fetch the archive from the mirrors (md5-checked) and unpack it into root."""
        if self._check_exists():
            return
        urls = [self.url] + [m.rstrip("/") + "/" + self.filename for m in self.mirrors]
        urls = list(dict.fromkeys(urls))
        path = download_file(urls, self.root, self.filename, md5=self.tgz_md5)
        extract_archive(path, self.root)

    def __getitem__(self, index):
        img = self.data[index]
        if _pil.pil() is not None:
            img = _pil.fromarray(img, "RGB")
        else:
            img = cytorch.from_numpy(np.ascontiguousarray(img.transpose(2, 0, 1)))
        return self._apply_transforms(img, self.targets[index])

    def __len__(self):
        return len(self.data)

    def extra_repr(self):
        return f"Split: {'Train' if self.train is True else 'Test'}"


class CIFAR100(CIFAR10):
    """`CIFAR-100 <https://www.cs.toronto.edu/~kriz/cifar.html>`_: as CIFAR10 with 100 fine classes
    (targets are the fine labels); files in `root/cifar-100-python/`."""

    base_folder = "cifar-100-python"
    url = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
    filename = "cifar-100-python.tar.gz"
    tgz_md5 = "eb9058c3a382ffc7106e4002c42a8d85"
    train_list = [["train", "16019d7e3df5f24257cddd939b257f8d"]]
    test_list = [["test", "f0ef6b0ae62326f3e7ffdfab6717acfc"]]
    meta = {"filename": "meta", "key": "fine_label_names", "md5": "7973b15100ade9c7d40fb424638fde48"}
    _label_key = "fine_labels"
