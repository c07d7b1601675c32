"""The main job: examples/mnist.py trains the seed's networks on real digits (small, fast settings)."""
import importlib.util
import os

import pytest

import cytorch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _load_example():
    spec = importlib.util.spec_from_file_location("mnist_example", os.path.join(ROOT, "examples", "mnist.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("model,epochs", [("cnn", 2), ("mlp", 1)])
def test_mnist_example_short_run_on_digits(tmp_path, model, epochs):
    pytest.importorskip("sklearn")
    mnist = _load_example()
    ckpt = tmp_path / "ckpt.safetensors"
    history = mnist.main(["--model", model, "--epochs", str(epochs), "--checkpoint", str(ckpt),
                          "--plot", str(tmp_path / "curve.png")])
    assert len(history) == epochs
    assert history[-1]["accuracy"] > 50.0          # a couple of seconds of training: far above chance (10%)
    saved = cytorch.load(str(ckpt))
    model_obj = mnist.MODELS[model]()
    model_obj.load_state_dict(saved["model"])      # the checkpoint restores the model
    assert saved["epoch"] == epochs and saved["args"]["model"] == model
    if importlib.util.find_spec("matplotlib"):
        assert (tmp_path / "curve.png").stat().st_size > 1000


def test_mnist_example_reads_idx_files(tmp_path):
    """--data DIR with MNIST's IDX files (generated here) trains on them instead of Digits."""
    import gzip
    import struct

    import numpy as np
    mnist = _load_example()
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for prefix, n in (("train", 128), ("t10k", 64)):
        labels = rng.integers(0, 10, n).astype(np.uint8)
        images = np.zeros((n, 28, 28), np.uint8)
        for i, lab in enumerate(labels):          # a learnable pattern: a bright column per class
            images[i, :, 2 + 2 * lab] = 255
        with gzip.open(raw / f"{prefix}-images-idx3-ubyte.gz", "wb") as f:
            f.write(struct.pack(">IIII", 2051, n, 28, 28) + images.tobytes())
        with gzip.open(raw / f"{prefix}-labels-idx1-ubyte.gz", "wb") as f:
            f.write(struct.pack(">II", 2049, n) + labels.tobytes())
    history = mnist.main(["--model", "mlp", "--data", str(tmp_path), "--epochs", "3", "--lr", "0.1",
                          "--checkpoint", str(tmp_path / "c.safetensors"), "--plot", ""])
    assert history[-1]["accuracy"] > 80.0
