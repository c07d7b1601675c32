"""cytorch.vision.datasets on generated files: IDX (MNIST family), CIFAR pickles, image folders;
corrupt and hostile files; FakeData; the built-in Digits."""
import gzip
import os
import pickle
import struct
import sys

import numpy as np
import pytest

import cytorch
from cytorch.vision import _pil, datasets, transforms
from cytorch.vision.datasets import cifar as cifar_mod
from cytorch.vision.datasets.mnist import read_idx
from conftest import np_of

try:
    import PIL.Image  # noqa: F401
    HAVE_PIL = True
except ImportError:
    HAVE_PIL = False
needs_pil = pytest.mark.skipif(not HAVE_PIL, reason="Pillow is not installed")


def idx_bytes(arr):
    codes = {np.dtype(np.uint8): 0x08, np.dtype(np.int8): 0x09, np.dtype(">i2"): 0x0B, np.dtype(">i4"): 0x0C,
             np.dtype(">f4"): 0x0D, np.dtype(">f8"): 0x0E}
    big = arr.astype(arr.dtype.newbyteorder(">")) if arr.dtype.itemsize > 1 else arr
    return bytes([0, 0, codes[big.dtype], arr.ndim]) + struct.pack(f">{arr.ndim}I", *arr.shape) + big.tobytes()


def write_mnist(root, cls="MNIST", n_train=12, n_test=5, gz=True, seed=0):
    rng = np.random.default_rng(seed)
    raw = os.path.join(root, cls, "raw")
    os.makedirs(raw, exist_ok=True)
    out = {}
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, n, dtype=np.uint8)
        for kind, arr in (("images-idx3", images), ("labels-idx1", labels)):
            name = f"{prefix}-{kind}-ubyte"
            data = idx_bytes(arr)
            if gz:
                with gzip.open(os.path.join(raw, name + ".gz"), "wb") as f:
                    f.write(data)
            else:
                with open(os.path.join(raw, name), "wb") as f:
                    f.write(data)
        out[prefix] = (images, labels)
    return out


# ------------------------------------------------------------------------------------------------
# IDX / MNIST family

@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64])
def test_read_idx_dtypes(tmp_path, dtype):
    arr = (np.arange(24).reshape(2, 3, 4) - 5).astype(dtype)
    p = tmp_path / "x.idx"
    p.write_bytes(idx_bytes(arr))
    got = read_idx(p)
    assert got.dtype == np.dtype(dtype).newbyteorder("=") and got.shape == (2, 3, 4)
    np.testing.assert_array_equal(got, arr)


@needs_pil
@pytest.mark.parametrize("gz", [True, False])
@pytest.mark.parametrize("cls", ["MNIST", "FashionMNIST", "KMNIST"])
def test_mnist_family_layout(tmp_path, gz, cls):
    ref = write_mnist(str(tmp_path), cls=cls, gz=gz)
    ds = getattr(datasets, cls)(str(tmp_path), train=True)
    images, labels = ref["train"]
    assert len(ds) == 12
    assert ds.data.dtype == cytorch.uint8 and ds.data.shape == (12, 28, 28)
    assert ds.targets.dtype == cytorch.int64
    np.testing.assert_array_equal(np_of(ds.data), images)
    np.testing.assert_array_equal(np_of(ds.targets), labels)
    img, target = ds[3]
    assert isinstance(target, int) and target == labels[3]
    assert img.mode == "L" and img.size == (28, 28)
    np.testing.assert_array_equal(np.asarray(img), images[3])
    test = getattr(datasets, cls)(str(tmp_path), train=False)
    assert len(test) == 5
    np.testing.assert_array_equal(np_of(test.targets), ref["t10k"][1])
    assert len(ds.classes) == 10 and ds.class_to_idx[ds.classes[4]] == 4
    assert "Split: Test" in repr(test) and f"Dataset {cls}" in repr(test)


def test_mnist_transforms_and_without_pillow(tmp_path, monkeypatch):
    ref = write_mnist(str(tmp_path))
    ds = datasets.MNIST(str(tmp_path), transform=transforms.ToTensor(), target_transform=lambda y: y + 100)
    img, target = ds[0]
    assert img.shape == (1, 28, 28) and img.dtype == cytorch.float32
    np.testing.assert_allclose(np_of(img)[0], ref["train"][0][0] / 255, rtol=1e-6)
    assert target == ref["train"][1][0] + 100
    monkeypatch.setattr(_pil, "_Image", None)
    raw = datasets.MNIST(str(tmp_path))
    img, _ = raw[1]
    assert isinstance(img, cytorch.Tensor) and img.dtype == cytorch.uint8 and img.shape == (28, 28)
    np.testing.assert_array_equal(np_of(img), ref["train"][0][1])
    assert ds.transform is not None and datasets.MNIST(str(tmp_path), transform=transforms.ToTensor())[1][0].shape == (1, 28, 28)


def test_mnist_missing_and_corrupt_files(tmp_path):
    with pytest.raises(RuntimeError, match="download=True"):
        datasets.MNIST(str(tmp_path))
    write_mnist(str(tmp_path), gz=False)
    raw = tmp_path / "MNIST" / "raw"
    img_path = raw / "train-images-idx3-ubyte"
    good = img_path.read_bytes()
    img_path.write_bytes(good[:-100])                   # truncated data
    with pytest.raises(RuntimeError, match="train-images-idx3-ubyte.*truncated"):
        datasets.MNIST(str(tmp_path))
    img_path.write_bytes(good + b"xx")                  # trailing bytes
    with pytest.raises(RuntimeError, match="longer than its header"):
        datasets.MNIST(str(tmp_path))
    img_path.write_bytes(b"\x01\x02\x08\x03" + good[4:])
    with pytest.raises(RuntimeError, match="train-images-idx3-ubyte: not an IDX file"):
        datasets.MNIST(str(tmp_path))
    img_path.write_bytes(good[:9])                      # header cut short
    with pytest.raises(RuntimeError, match="truncated IDX header"):
        datasets.MNIST(str(tmp_path))
    img_path.write_bytes(good)
    lab = raw / "train-labels-idx1-ubyte"
    lab.write_bytes(idx_bytes(np.zeros(3, np.uint8)))  # 3 labels for 12 images
    with pytest.raises(RuntimeError, match="12 images but .* 3 labels"):
        datasets.MNIST(str(tmp_path))
    lab.write_bytes(idx_bytes(np.zeros((12, 2), np.uint8)))
    with pytest.raises(RuntimeError, match="expected uint8 labels"):
        datasets.MNIST(str(tmp_path))


def test_mnist_corrupt_gzip(tmp_path):
    write_mnist(str(tmp_path), gz=True)
    p = tmp_path / "MNIST" / "raw" / "train-images-idx3-ubyte.gz"
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(RuntimeError, match="train-images-idx3-ubyte.gz: cannot read"):
        datasets.MNIST(str(tmp_path))
    p.write_bytes(b"not gzip at all")
    with pytest.raises(RuntimeError, match="train-images-idx3-ubyte.gz"):
        datasets.MNIST(str(tmp_path))


# ------------------------------------------------------------------------------------------------
# CIFAR

def write_cifar(root, hundred=False, n_per_batch=6, seed=0, protocol=2):
    rng = np.random.default_rng(seed)
    folder = os.path.join(root, "cifar-100-python" if hundred else "cifar-10-batches-py")
    os.makedirs(folder, exist_ok=True)
    names = (["train"], ["test"]) if hundred else ([f"data_batch_{i}" for i in range(1, 6)], ["test_batch"])
    label_key = "fine_labels" if hundred else "labels"
    ncls = 100 if hundred else 10
    out = {"train": ([], []), "test": ([], [])}
    for split, files in zip(("train", "test"), names):
        for name in files:
            data = rng.integers(0, 256, (n_per_batch, 3072), dtype=np.uint8)
            labels = [int(v) for v in rng.integers(0, ncls, n_per_batch)]
            entry = {"batch_label": f"{name}", "data": data, label_key: labels,
                     "filenames": [f"img{i}.png" for i in range(n_per_batch)]}
            if hundred:
                entry["coarse_labels"] = [v // 5 for v in labels]
            with open(os.path.join(folder, name), "wb") as f:
                pickle.dump(entry, f, protocol=protocol)
            out[split][0].append(data)
            out[split][1].extend(labels)
    meta_name, key = ("meta", "fine_label_names") if hundred else ("batches.meta", "label_names")
    with open(os.path.join(folder, meta_name), "wb") as f:
        pickle.dump({key: [f"class{i}" for i in range(ncls)], "num_vis": 3072}, f, protocol=protocol)
    return {k: (np.vstack(v[0]), v[1]) for k, v in out.items()}


@needs_pil
@pytest.mark.parametrize("protocol", [2, 4])
def test_cifar10(tmp_path, protocol):
    ref = write_cifar(str(tmp_path), protocol=protocol)
    ds = datasets.CIFAR10(str(tmp_path), train=True)
    assert len(ds) == 30 and ds.data.shape == (30, 32, 32, 3) and ds.data.dtype == np.uint8
    expect = ref["train"][0].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    np.testing.assert_array_equal(ds.data, expect)
    assert ds.targets == ref["train"][1]
    img, target = ds[7]
    assert img.mode == "RGB" and target == ref["train"][1][7]
    np.testing.assert_array_equal(np.asarray(img), expect[7])
    assert ds.classes[3] == "class3" and ds.class_to_idx["class9"] == 9
    test = datasets.CIFAR10(str(tmp_path), train=False, transform=transforms.ToTensor())
    x, _ = test[0]
    assert x.shape == (3, 32, 32)
    np.testing.assert_allclose(np_of(x), ref["test"][0][0].reshape(3, 32, 32) / 255, rtol=1e-6)


def test_cifar100_and_without_pillow(tmp_path, monkeypatch):
    ref = write_cifar(str(tmp_path), hundred=True)
    ds = datasets.CIFAR100(str(tmp_path))
    assert len(ds) == 6 and ds.targets == ref["train"][1] and len(ds.classes) == 100
    monkeypatch.setattr(_pil, "_Image", None)
    img, _ = datasets.CIFAR100(str(tmp_path), train=False)[2]
    assert isinstance(img, cytorch.Tensor) and img.shape == (3, 32, 32)
    np.testing.assert_array_equal(np_of(img), ref["test"][0][2].reshape(3, 32, 32))


class Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_cifar_restricted_unpickler_refuses_globals(tmp_path):
    write_cifar(str(tmp_path))
    path = tmp_path / "cifar-10-batches-py" / "data_batch_2"
    path.write_bytes(pickle.dumps({"data": Evil(), "labels": []}, protocol=2))
    with pytest.raises(pickle.UnpicklingError, match=r"data_batch_2: global '(posix|os|nt)\.system' is forbidden"):
        datasets.CIFAR10(str(tmp_path))
    path.write_bytes(pickle.dumps({"data": np.array([1, "a"], dtype=object), "labels": []}, protocol=2))
    with pytest.raises(pickle.UnpicklingError, match="dtype object"):
        datasets.CIFAR10(str(tmp_path))
    path.write_bytes(pickle.dumps({"data": datasets.FakeData}, protocol=2))
    with pytest.raises(pickle.UnpicklingError, match="FakeData' is forbidden"):
        datasets.CIFAR10(str(tmp_path))


def test_cifar_corrupt_batches(tmp_path):
    write_cifar(str(tmp_path))
    path = tmp_path / "cifar-10-batches-py" / "data_batch_3"
    good = path.read_bytes()
    path.write_bytes(good[: len(good) // 2])
    with pytest.raises((RuntimeError, pickle.UnpicklingError), match="data_batch_3"):
        datasets.CIFAR10(str(tmp_path))
    path.write_bytes(pickle.dumps({"data": np.zeros((4, 100), np.uint8), "labels": [0] * 4}))
    with pytest.raises(RuntimeError, match=r"data_batch_3: 'data' should be a uint8 array \(N, 3072\)"):
        datasets.CIFAR10(str(tmp_path))
    path.write_bytes(pickle.dumps({"data": np.zeros((4, 3072), np.uint8), "labels": [0] * 3}))
    with pytest.raises(RuntimeError, match="data_batch_3: 'labels' should hold 4 labels, found 3"):
        datasets.CIFAR10(str(tmp_path))
    path.write_bytes(pickle.dumps([1, 2, 3]))
    with pytest.raises(RuntimeError, match="data_batch_3: expected a dict"):
        datasets.CIFAR10(str(tmp_path))
    os.remove(path)
    with pytest.raises(RuntimeError, match="download=True"):
        datasets.CIFAR10(str(tmp_path))


def test_restricted_load_reads_plain_containers(tmp_path):
    obj = {"a": [1, 2.5, "x", b"raw", None, True], "b": (np.arange(5, dtype=np.int16), np.float64(2.5))}
    p = tmp_path / "obj.pkl"
    for protocol in (2, 5):
        p.write_bytes(pickle.dumps(obj, protocol=protocol))
        got = cifar_mod.restricted_load(p)
        assert got["a"] == obj["a"]
        np.testing.assert_array_equal(got["b"][0], obj["b"][0])
        assert got["b"][1] == 2.5


# ------------------------------------------------------------------------------------------------
# ImageFolder / DatasetFolder

def make_folder(root, PIL):
    layout = {"dog": ["b.png", "a.jpg", "nested/c.png", "notes.txt"], "cat": ["1.png"], "bird": []}
    for cls, files in layout.items():
        os.makedirs(os.path.join(root, cls), exist_ok=True)
        for i, f in enumerate(files):
            path = os.path.join(root, cls, f)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            if f.endswith(".txt"):
                open(path, "w").write("hello")
            else:
                PIL.new("RGB", (4 + i, 3), (i * 10, 0, 0)).save(path)


def test_image_folder(tmp_path):
    PIL = pytest.importorskip("PIL.Image")
    make_folder(str(tmp_path), PIL)
    with pytest.raises(FileNotFoundError, match="no valid file for the classes bird"):
        datasets.ImageFolder(str(tmp_path))
    ds = datasets.ImageFolder(str(tmp_path), allow_empty=True)
    assert ds.classes == ["bird", "cat", "dog"] and ds.class_to_idx == {"bird": 0, "cat": 1, "dog": 2}
    rel = [(os.path.relpath(p, str(tmp_path)), t) for p, t in ds.samples]
    assert rel == [("cat/1.png", 1), ("dog/a.jpg", 2), ("dog/b.png", 2), ("dog/nested/c.png", 2)]
    assert ds.targets == [1, 2, 2, 2] and ds.imgs == ds.samples and len(ds) == 4
    img, target = ds[2]
    assert img.mode == "RGB" and img.size == (4, 3) and target == 2
    t = datasets.ImageFolder(str(tmp_path), transform=transforms.ToTensor(), allow_empty=True)
    assert t[0][0].shape == (3, 3, 4)
    only_png = datasets.ImageFolder(str(tmp_path), is_valid_file=lambda p: p.endswith(".png"), allow_empty=True)
    assert len(only_png) == 3


def test_dataset_folder_custom_loader_without_pillow(tmp_path, monkeypatch):
    for cls in ("a", "b"):
        os.makedirs(tmp_path / cls)
        for i in range(2):
            (tmp_path / cls / f"{i}.txt").write_text(f"{cls}{i}")
    monkeypatch.setattr(_pil, "_Image", None)
    ds = datasets.DatasetFolder(str(tmp_path), loader=lambda p: open(p).read(), extensions=".txt")
    assert [ds[i] for i in range(4)] == [("a0", 0), ("a1", 0), ("b0", 1), ("b1", 1)]
    with pytest.raises(ValueError, match="Both extensions and is_valid_file"):
        datasets.DatasetFolder(str(tmp_path), loader=open)
    with pytest.raises(ValueError, match="Both extensions and is_valid_file"):
        datasets.DatasetFolder(str(tmp_path), loader=open, extensions=".txt", is_valid_file=bool)
    (tmp_path / "a" / "x.png").write_bytes(b"")
    ds = datasets.ImageFolder(str(tmp_path), allow_empty=True)
    with pytest.raises(ImportError, match="pip install pillow"):
        ds[0]
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(FileNotFoundError, match="Couldn't find any class folder"):
        datasets.DatasetFolder(str(empty), loader=open, extensions=".txt")


# ------------------------------------------------------------------------------------------------
# FakeData

@needs_pil
def test_fakedata_seeded_per_index():
    ds = datasets.FakeData(size=8, image_size=(3, 10, 12), num_classes=4, random_offset=5)
    assert len(ds) == 8
    state = cytorch.get_rng_state()
    a_img, a_t = ds[3]
    assert cytorch.equal(cytorch.get_rng_state(), state)         # the global RNG is left alone
    cytorch.manual_seed(99)
    b_img, b_t = ds[3]
    assert a_t == b_t and 0 <= a_t < 4
    assert a_img.size == (12, 10) and a_img.mode == "RGB"
    np.testing.assert_array_equal(np.asarray(a_img), np.asarray(b_img))
    assert not np.array_equal(np.asarray(ds[4][0]), np.asarray(a_img))
    other = datasets.FakeData(size=8, image_size=(3, 10, 12), num_classes=4, random_offset=6)
    assert not np.array_equal(np.asarray(other[3][0]), np.asarray(a_img))
    with pytest.raises(IndexError, match="FakeData index out of range"):
        ds[8]
    g = datasets.FakeData(size=2, image_size=(1, 5, 5), transform=transforms.ToTensor())
    assert g[0][0].shape == (1, 5, 5)


def test_fakedata_without_pillow(monkeypatch):
    monkeypatch.setattr(_pil, "_Image", None)
    img, _ = datasets.FakeData(size=2, image_size=(3, 4, 5))[1]
    assert isinstance(img, cytorch.Tensor) and img.shape == (3, 4, 5) and img.dtype == cytorch.uint8


# ------------------------------------------------------------------------------------------------
# Digits

@needs_pil
def test_digits_split_and_values():
    sk = pytest.importorskip("sklearn.datasets")
    bunch = sk.load_digits()
    train, test = datasets.Digits(train=True), datasets.Digits(train=False)
    assert len(train) == 1433 and len(test) == 364
    idx_tr = datasets.Digits.split_indices(bunch.target, True)
    idx_te = datasets.Digits.split_indices(bunch.target, False)
    assert len(np.intersect1d(idx_tr, idx_te)) == 0 and len(np.union1d(idx_tr, idx_te)) == 1797
    np.testing.assert_array_equal(np_of(train.data), bunch.images[idx_tr].astype(np.uint8))
    np.testing.assert_array_equal(np_of(test.targets), bunch.target[idx_te])
    assert train.data.dtype == cytorch.uint8 and train.data.shape == (1433, 8, 8)
    assert int(train.data.max()) == 16 and int(train.data.min()) == 0
    counts_tr = np.bincount(np_of(train.targets), minlength=10)
    counts_all = np.bincount(bunch.target, minlength=10)
    np.testing.assert_array_equal(counts_tr, (counts_all * 0.8).astype(int))   # stratified
    img, label = train[0]
    assert img.size == (8, 8) and isinstance(label, int)
    assert "Split: Train" in repr(train)


def test_digits_resize_like_mnist():
    sk = pytest.importorskip("sklearn.datasets")
    ds = datasets.Digits(train=False, resize=28, transform=transforms.ToTensor())
    assert ds.data.shape == (364, 28, 28) and int(ds.data.max()) == 255
    x, _ = ds[0]
    assert x.shape == (1, 28, 28) and float(x.max()) <= 1.0
    idx = datasets.Digits.split_indices(sk.load_digits().target, False)
    src = sk.load_digits().images[idx[0]] * (255 / 16)
    # bilinear upsampling: every output is a convex mix of nearby inputs; the image means agree
    assert abs(np_of(ds.data[0]).astype(float).mean() - src.mean()) < 4
    ref = transforms.functional.resize(cytorch.from_numpy(src[None]), [28, 28], antialias=False)
    np.testing.assert_allclose(np_of(ds.data[0]), np.clip(np.round(np_of(ref)[0]), 0, 255), atol=1)


def test_digits_needs_sklearn(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match="Digits needs scikit-learn: pip install scikit-learn"):
        datasets.Digits()


def test_vision_dataset_transforms_argument():
    with pytest.raises(ValueError, match="Only transforms or transform/target_transform"):
        datasets.VisionDataset(None, transforms=abs, transform=abs)
    ds = datasets.VisionDataset(None, transforms=lambda x, y: (y, x))
    assert ds._apply_transforms(1, 2) == (2, 1)
