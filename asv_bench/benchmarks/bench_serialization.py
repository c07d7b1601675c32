"""Saving and loading a 100 MB checkpoint: cytorch's safetensors files, and PyTorch's files
(these rows need torch to write the file; they are skipped without it)."""
import io
import os
import shutil
import tempfile

import numpy as np

import cytorch
from ._common import require


def _state_dict(lib):
    """24 layers of 1024x1024 weights + 1024 biases: 100.8 MB of float32."""
    rng = np.random.default_rng(0)
    sd = {}
    for i in range(24):
        sd[f"layer{i}.weight"] = lib.from_numpy(rng.standard_normal((1024, 1024), dtype=np.float32))
        sd[f"layer{i}.bias"] = lib.from_numpy(rng.standard_normal(1024, dtype=np.float32))
    return sd


class Checkpoint100MB:
    timeout = 300

    def setup(self):
        require("save", "load")
        self.dir = tempfile.mkdtemp(prefix="cytorch-bench-")
        self.sd = _state_dict(cytorch)
        self.path = os.path.join(self.dir, "ckpt.safetensors")
        cytorch.save(self.sd, self.path)
        with open(self.path, "rb") as f:
            self.raw = f.read()

    def teardown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def time_save_path(self):
        """Atomic: temporary file, fsync, rename, fsync of the directory."""
        cytorch.save(self.sd, self.path)

    def time_save_bytesio(self):
        cytorch.save(self.sd, io.BytesIO())

    def time_load_path(self):
        cytorch.load(self.path)

    def time_load_bytesio(self):
        cytorch.load(io.BytesIO(self.raw))

    def time_load_mmap(self):
        cytorch.load(self.path, mmap=True)


class TorchCheckpoint100MB:
    """Files written by torch.save, read by cytorch.load (torch is not imported to read them)."""
    timeout = 300
    params = ["zip", "legacy"]
    param_names = ["format"]

    def setup(self, fmt):
        require("save", "load")
        try:
            import torch
        except ImportError:
            raise NotImplementedError("torch is needed to write the file") from None
        self.dir = tempfile.mkdtemp(prefix="cytorch-bench-")
        self.path = os.path.join(self.dir, "ckpt.pt")
        torch.save(_state_dict(torch), self.path, _use_new_zipfile_serialization=fmt == "zip")

    def teardown(self, fmt):
        shutil.rmtree(self.dir, ignore_errors=True)

    def time_load(self, fmt):
        cytorch.load(self.path)
