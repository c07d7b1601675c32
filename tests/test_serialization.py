"""cytorch.save / cytorch.load: safetensors round trips, PyTorch checkpoints, hostile pickles,
atomic saves, truncated and corrupt files."""
import collections
import io
import json
import math
import os
import pickle
import signal
import struct
import subprocess
import sys
import textwrap
import time
import zipfile

import numpy as np
import pytest

import cytorch
from cytorch import serialization
from conftest import np_of

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")
ROOT = os.path.dirname(HERE)

ALL_DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64",
              "complex64", "complex128"]


class Named(io.BytesIO):
    """An in-memory file with a name, so error messages can be checked for it."""

    def __init__(self, data=b"", name="ckpt-in-memory"):
        super().__init__(data)
        self.name = name


def _sample(dtype, shape, seed=0):
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    if dtype == "bool":
        return cytorch.from_numpy((rng.integers(0, 2, n) == 1).reshape(shape))
    if dtype in ("uint8", "int8", "int16", "int32", "int64"):
        info = np.iinfo(dtype)
        return cytorch.from_numpy(rng.integers(info.min, info.max, n, dtype=dtype, endpoint=True).reshape(shape))
    if dtype.startswith("complex"):
        a = (rng.standard_normal(n) + 1j * rng.standard_normal(n)).astype(dtype)
        return cytorch.from_numpy(a.reshape(shape))
    t = cytorch.from_numpy(rng.standard_normal(n).reshape(shape))
    return t.to(getattr(cytorch, dtype))


def _same(a, b):
    """Same dtype, shape and bits (NaN-safe; bfloat16 through its bit patterns)."""
    assert a.dtype == b.dtype and tuple(a.shape) == tuple(b.shape)
    if a.dtype == cytorch.bfloat16:
        a, b = a.view(cytorch.int16), b.view(cytorch.int16)
    x, y = np.asarray(a.numpy()), np.asarray(b.numpy())
    assert x.tobytes() == np.ascontiguousarray(y).tobytes() or np.array_equal(x, y, equal_nan=True)


def _roundtrip(obj, tmp_path, **kw):
    p = tmp_path / "ckpt.safetensors"
    cytorch.save(obj, p)
    return cytorch.load(p, **kw)


# ================================================================ cytorch format round trips

@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("shape", [(), (0,), (0, 3), (5,), (3, 4)])
def test_every_dtype_round_trips(dtype, shape, tmp_path):
    t = _sample(dtype, shape)
    r = _roundtrip(t, tmp_path)
    _same(r, t)
    buf = io.BytesIO()
    cytorch.save({"t": t}, buf)
    _same(cytorch.load(io.BytesIO(buf.getvalue()))["t"], t)


def test_views_share_storage(tmp_path):
    base = cytorch.arange(24.0).reshape(4, 6)
    obj = {"base": base, "row": base[1], "t": base.t(), "cols": base[:, 1::2], "exp": base[2:3].expand(5, 6),
           "other": cytorch.ones(2)}
    r = _roundtrip(obj, tmp_path)
    st = r["base"].untyped_storage()
    for k in ("row", "t", "cols", "exp"):
        assert r[k].untyped_storage() is st, k
        assert r[k].stride() == obj[k].stride() and r[k].storage_offset() == obj[k].storage_offset(), k
        np.testing.assert_array_equal(np_of(r[k]), np_of(obj[k]))
    assert r["other"].untyped_storage() is not st
    r["base"][1, 2] = -7.0                  # one storage: a write shows through every view
    assert r["row"][2].item() == -7.0 and r["t"][2, 1].item() == -7.0


def test_only_the_used_bytes_are_stored(tmp_path):
    big = cytorch.zeros(1_000_000)
    p = tmp_path / "slice.safetensors"
    cytorch.save({"part": big[10:20], "step": big[100:200:10]}, p)
    assert os.path.getsize(p) < 4000                       # not the 4 MB storage
    r = cytorch.load(p)
    assert r["part"].untyped_storage() is r["step"].untyped_storage()
    assert r["step"].stride() == (10,) and r["part"].shape == (10,)


def test_checkpoint_structure_round_trips(tmp_path):
    sd = collections.OrderedDict([("fc.weight", cytorch.randn(3, 2)), ("fc.bias", cytorch.zeros(3))])
    sd._metadata = collections.OrderedDict([("", {"version": 1}), ("fc", {"version": 1})])
    p0 = cytorch.ones(2, requires_grad=True)
    ckpt = {
        "model": sd,
        "optimizer": {"state": {0: {"step": cytorch.tensor(3.0), "exp_avg": cytorch.randn(3, 2)}, 1: {}},
                      "param_groups": [{"lr": 1e-3, "betas": (0.9, 0.999), "params": [0, 1], "foreach": None,
                                        "maximize": False}]},
        "scheduler": {"last_epoch": 4, "_last_lr": [0.5], "base_lrs": [1.0]},
        "epoch": 12,
        "rng": cytorch.get_rng_state(),
        "gen": cytorch.Generator().manual_seed(3).get_state(),
        "misc": [None, True, False, 0, -5, 2**70, 1.5, -0.0, math.inf, -math.inf, math.nan, "", "héllo ✓",
                 1 - 2j, complex(math.nan, 1), cytorch.Size([2, 3]), cytorch.Size([]), cytorch.float16,
                 cytorch.bfloat16, cytorch.device("cpu"), (), (1, (2, [3])), [], {}],
        (1, "tuple-key"): "value",
        2.5: "float key",
        None: "none key",
        "param": p0,
        "same": [p0, p0],
    }
    r = _roundtrip(ckpt, tmp_path)
    assert type(r) is dict and type(r["model"]) is collections.OrderedDict
    assert list(r["model"]) == ["fc.weight", "fc.bias"] and r["model"]._metadata == sd._metadata
    assert type(r["optimizer"]["state"]) is dict and list(r["optimizer"]["state"]) == [0, 1]
    assert r["optimizer"]["param_groups"] == ckpt["optimizer"]["param_groups"]
    assert r["scheduler"] == ckpt["scheduler"] and r["epoch"] == 12
    _same(r["rng"], ckpt["rng"])
    _same(r["gen"], ckpt["gen"])
    misc, want = r["misc"], ckpt["misc"]
    assert len(misc) == len(want)
    for a, b in zip(misc, want):
        assert type(a) is type(b), (a, b)
        if isinstance(b, float) and math.isnan(b):
            assert math.isnan(a)
        elif isinstance(b, complex) and math.isnan(b.real):
            assert math.isnan(a.real) and a.imag == b.imag
        else:
            assert a == b
    assert math.copysign(1, misc[7]) == -1                 # -0.0 keeps its sign
    assert r[(1, "tuple-key")] == "value" and r[2.5] == "float key" and r[None] == "none key"
    assert r["param"].requires_grad and r["same"][0] is r["same"][1] is r["param"]
    cytorch.set_rng_state(r["rng"])
    a = cytorch.rand(4)
    cytorch.set_rng_state(ckpt["rng"])
    _same(a, cytorch.rand(4))


def test_parameter_round_trips(tmp_path):
    Parameter = getattr(cytorch.nn, "Parameter", None)
    if Parameter is None:
        pytest.skip("cytorch.nn.Parameter does not exist yet")
    p = Parameter(cytorch.randn(3))
    r = _roundtrip({"p": p}, tmp_path)["p"]
    assert isinstance(r, Parameter) and r.requires_grad
    _same(r.detach(), p.detach())


def test_unsupported_objects_name_their_place():
    class Foo:
        pass
    with pytest.raises(TypeError, match=r"cannot save object of type Foo at obj\['model'\]\['x'\]; supported: "):
        cytorch.save({"model": {"x": Foo()}}, io.BytesIO())
    with pytest.raises(TypeError, match=r"type set at obj\['a'\]\[1\]"):
        cytorch.save({"a": [1, {2}]}, io.BytesIO())
    with pytest.raises(TypeError, match=r"type ndarray at obj\[0\]"):
        cytorch.save((np.zeros(2),), io.BytesIO())
    with pytest.raises(TypeError, match=r"type Point at obj\['p'\]"):
        cytorch.save({"p": collections.namedtuple("Point", "x y")(1, 2)}, io.BytesIO())
    with pytest.raises(TypeError, match=r"type Foo at obj\[\(1, 'k'\)\]\[0\]"):
        cytorch.save({(1, "k"): [Foo()]}, io.BytesIO())
    with pytest.raises(TypeError, match="dict key of type Tensor"):
        cytorch.save({cytorch.ones(1): 1}, io.BytesIO())
    sd = collections.OrderedDict(w=cytorch.ones(1))
    sd._hook = lambda: 0
    with pytest.raises(TypeError, match=r"type function at obj\._hook"):
        cytorch.save(sd, io.BytesIO())
    loop = []
    loop.append(loop)
    with pytest.raises(ValueError, match=r"obj\[0\]\[0\] contains itself"):
        cytorch.save([loop], io.BytesIO())
    with pytest.raises(TypeError, match="f must be a path"):
        cytorch.save(cytorch.ones(1), 42)
    with pytest.raises(TypeError, match="f must be a path"):
        cytorch.load(42)


def test_save_to_streams_and_paths(tmp_path):
    obj = {"w": cytorch.arange(6.0).reshape(2, 3)}

    class Pipe:                                   # write-only, not seekable
        def __init__(self):
            self.chunks = []

        def write(self, b):
            self.chunks.append(bytes(b))
            return len(b)
    pipe = Pipe()
    cytorch.save(obj, pipe)
    data = b"".join(pipe.chunks)
    with open(tmp_path / "a.st", "wb") as f:
        cytorch.save(obj, f)
    assert (tmp_path / "a.st").read_bytes() == data
    cytorch.save(obj, str(tmp_path / "b.st"))
    assert (tmp_path / "b.st").read_bytes() == data

    class Stream:                                 # read-only, not seekable
        def __init__(self, b):
            self.b = io.BytesIO(b)

        def read(self, n=-1):
            return self.b.read(n)

        def seekable(self):
            return False
    _same(cytorch.load(Stream(data))["w"], obj["w"])
    with open(tmp_path / "a.st", "rb") as f:
        _same(cytorch.load(f)["w"], obj["w"])


def test_file_is_what_the_safetensors_package_writes(tmp_path):
    st = pytest.importorskip("safetensors")
    sd = {"layer.weight": _sample("float32", (4, 3)), "layer.bias": _sample("float64", (4,)),
          "idx": _sample("int64", (5,)), "mask": _sample("bool", (7,)), "h": _sample("float16", (3,)),
          "b": _sample("int8", (2, 2)), "e": cytorch.zeros(0, 2), "s": cytorch.tensor(1.5)}
    p = tmp_path / "sd.safetensors"
    cytorch.save(sd, p)
    ours = p.read_bytes()
    with st.safe_open(str(p), "numpy") as f:
        meta = f.metadata()
        assert sorted(f.keys()) == sorted(sd)            # a state_dict reads back under its own keys
        for k in sd:
            np.testing.assert_array_equal(f.get_tensor(k), np_of(sd[k]))
    specs = {k: st.TensorSpec(dtype=v.dtype._name, shape=list(v.shape), data_ptr=v.data_ptr(), data_len=v.nbytes)
             for k, v in sd.items()}
    theirs = bytes(st.serialize(specs, metadata=meta))
    n, m = struct.unpack("<Q", ours[:8])[0], struct.unpack("<Q", theirs[:8])[0]
    assert n == m and ours[8 + n:] == theirs[8 + m:]      # same layout, same bytes
    h1, h2 = json.loads(ours[8:8 + n]), json.loads(theirs[8:8 + m])
    assert h1 == h2 and list(h1)[1:] == list(h2)[1:]    # same header, same array order


def test_other_safetensors_readers_see_the_arrays(torch, tmp_path):
    stt = pytest.importorskip("safetensors.torch")
    base = cytorch.arange(12.0).reshape(3, 4)
    obj = {"w": base, "wt": base.t(), "c": _sample("complex64", (3,)), "bf": _sample("bfloat16", (4,))}
    p = tmp_path / "x.safetensors"
    cytorch.save(obj, p)
    d = stt.load_file(str(p))
    assert sorted(d) == ["bf", "c", "w"]                  # wt shares w's storage: stored once
    assert torch.equal(d["w"], torch.arange(12.0).reshape(3, 4))
    assert d["bf"].dtype == torch.bfloat16 and torch.equal(d["bf"].view(torch.int16),
                                                           torch.from_numpy(obj["bf"].view(cytorch.int16).numpy()))
    c = np_of(obj["c"])                                  # complex: float pairs
    np.testing.assert_array_equal(d["c"].numpy(), np.stack([c.real, c.imag], -1))


def test_loads_safetensors_from_elsewhere(tmp_path):
    stn = pytest.importorskip("safetensors.numpy")
    arrays = {"a": np.arange(6, dtype=np.float32).reshape(2, 3), "b": np.array([1 + 2j, 3j], np.complex64),
              "c": np.array(7, np.int64), "d": np.zeros((0, 4), np.uint8)}
    p = tmp_path / "other.safetensors"
    stn.save_file(arrays, str(p), metadata={"format": "np"})
    for mm in (False, True):
        r = cytorch.load(p, mmap=mm)
        assert type(r) is dict and sorted(r) == sorted(arrays)
        for k, v in arrays.items():
            assert r[k].dtype == cytorch.from_numpy(v).dtype
            np.testing.assert_array_equal(np_of(r[k]), v)


def test_mmap_maps_the_file(tmp_path):
    obj = {"w": cytorch.arange(4096.0), "v": cytorch.arange(10, dtype=cytorch.int64),
           "bf": _sample("bfloat16", (8,))}
    p = tmp_path / "m.safetensors"
    cytorch.save(obj, p)
    r = cytorch.load(p, mmap=True)
    _same(r["bf"], obj["bf"])
    raw = p.read_bytes()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    b, _ = header["w"]["data_offsets"]
    with open(p, "r+b") as f:                             # change the file under the mapping
        f.seek(8 + n + b + 4 * 4000)
        f.write(struct.pack("<f", -1.0))
    if sys.platform.startswith("linux"):                  # MAP_PRIVATE shows untouched pages' changes
        assert r["w"][4000].item() == -1.0
    r["w"][0] = 99.0                                      # copy-on-write: the file is unchanged
    assert p.read_bytes()[8 + n + b:8 + n + b + 4] == struct.pack("<f", 0.0)
    with pytest.raises(ValueError, match="mmap=True needs a file"):
        cytorch.load(io.BytesIO(raw), mmap=True)


def test_mmap_copies_misaligned_arrays(tmp_path):
    header = {"a": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]},
              "b": {"dtype": "F32", "shape": [2], "data_offsets": [1, 9]}}
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    p = tmp_path / "odd.safetensors"
    p.write_bytes(struct.pack("<Q", len(text)) + text + b"\x05" + struct.pack("<2f", 1.5, -2.0))
    r = cytorch.load(p, mmap=True)
    assert r["a"].tolist() == [5] and r["b"].tolist() == [1.5, -2.0]
    assert r["b"].data_ptr() % 4 == 0


def test_map_location(tmp_path):
    p = tmp_path / "x.st"
    cytorch.save({"w": cytorch.ones(2)}, p)
    for m in (None, "cpu", cytorch.device("cpu"), {"cpu": "cpu"}, lambda s, loc: s):
        _same(cytorch.load(p, map_location=m)["w"], cytorch.ones(2))
    with pytest.raises(RuntimeError, match="only the CPU"):
        cytorch.load(p, map_location="cuda:0")
    with pytest.raises(TypeError, match="map_location"):
        cytorch.load(p, map_location=3)


# ================================================================ PyTorch files
# A tiny pickle assembler, to build PyTorch-style files (and hostile ones) without torch.

def _g(module, name):
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def _u(s):
    b = s.encode()
    return b"X" + struct.pack("<I", len(b)) + b


def _i(n):
    return pickle.dumps(n, protocol=2)[2:-1]        # BININT*/LONG1, as pickle writes it


MARK, TUPLE, REDUCE, STOP, PROTO2, BINPERSID = b"(", b"t", b"R", b".", b"\x80\x02", b"Q"
EMPTY_TUPLE, NEWFALSE, NONE = b")", b"\x89", b"N"


def _tup(*items):
    return MARK + b"".join(items) + TUPLE


def _storage_pid(location="cpu", numel=4, key="0", stype=("torch", "FloatStorage")):
    return _tup(_u("storage"), _g(*stype), _u(key), _u(location), _i(numel)) + BINPERSID


def _tensor_pickle(pid=None, size=(4,), stride=(1,), offset=0, extra=b""):
    return (_g("torch._utils", "_rebuild_tensor_v2")
            + _tup(pid or _storage_pid(), _i(offset), _tup(*map(_i, size)), _tup(*map(_i, stride)), NEWFALSE,
                   _g("collections", "OrderedDict") + EMPTY_TUPLE + REDUCE) + REDUCE + extra)


def _torch_zip(path, pkl, storages=None):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("archive/data.pkl", pkl)
        z.writestr("archive/byteorder", "little")
        for k, v in (storages or {}).items():
            z.writestr(f"archive/data/{k}", v)
        z.writestr("archive/version", "3\n")
    return path


def _torch_legacy(path, pkl, storages=None):
    """storages: key -> (numel, raw bytes)."""
    storages = storages or {}
    with open(path, "wb") as f:
        for x in (0x1950a86a20f9469cfc6c, 1001,
                  {"protocol_version": 1001, "little_endian": True, "type_sizes": {"short": 2, "int": 4, "long": 4}}):
            pickle.dump(x, f, protocol=2)
        f.write(pkl)
        pickle.dump(sorted(storages), f, protocol=2)
        for k in sorted(storages):
            numel, raw = storages[k]
            f.write(struct.pack("<q", numel) + raw)
    return path


FOUR = struct.pack("<4f", 1, 2, 3, 4)


def test_assembled_torch_files_load(tmp_path):
    pkl = PROTO2 + _tensor_pickle(size=(2,), stride=(2,), offset=1) + STOP
    for p in (_torch_zip(tmp_path / "z.pt", pkl, {"0": FOUR}), _torch_legacy(tmp_path / "l.pt", pkl, {"0": (4, FOUR)})):
        t = cytorch.load(p)
        assert t.tolist() == [2.0, 4.0] and t.stride() == (2,) and t.storage_offset() == 1


def test_storage_on_a_gpu_needs_map_location(tmp_path):
    pkl = PROTO2 + _tensor_pickle(_storage_pid(location="cuda:0")) + STOP
    p = _torch_zip(tmp_path / "gpu.pt", pkl, {"0": FOUR})
    with pytest.raises(RuntimeError, match="asks for device 'cuda:0'.*map_location='cpu'"):
        cytorch.load(p)
    for m in ("cpu", cytorch.device("cpu"), {"cuda:0": "cpu"}, lambda s, loc: s):
        assert cytorch.load(p, map_location=m).tolist() == [1, 2, 3, 4]
    with pytest.raises(RuntimeError, match="cuda:1"):
        cytorch.load(p, map_location={"cuda:0": "cuda:1"})


def expected_fixture():
    """The checkpoint of tests/fixtures/make_torch_fixtures.py, in NumPy."""
    base = np.arange(24, dtype=np.float32).reshape(4, 6)
    return {
        "dtypes": {
            "float32": np.arange(6, dtype=np.float32) / 4, "float64": np.arange(6, dtype=np.float64) / 3,
            "float16": np.arange(6, dtype=np.float16) / 2, "bfloat16": np.arange(6, dtype=np.float32) * 2,
            "int8": np.arange(-3, 3, dtype=np.int8), "uint8": np.arange(250, 256, dtype=np.uint8),
            "int16": np.arange(6, dtype=np.int16) * -300, "int32": np.arange(6, dtype=np.int32) * 70000,
            "int64": np.arange(6, dtype=np.int64) * 2**40, "bool": np.arange(6) % 2 == 0,
            "complex64": (np.arange(3.0) - 1j * np.arange(3.0)).astype(np.complex64),
            "complex128": np.arange(3.0) + 1j,
        },
        "base": base, "row": base[1], "t": base.T, "cols": base[:, 1::2],
        "scalar": np.float32(3.5), "empty": np.zeros((0, 3), np.float32),
    }


@pytest.mark.parametrize("name", ["torch_zip.pt", "torch_legacy.pt"])
@pytest.mark.parametrize("mm", [False, True])
def test_committed_torch_fixtures(name, mm):
    path = os.path.join(FIXTURES, name)
    if mm and "legacy" in name:
        with pytest.raises(RuntimeError, match="mmap=True needs a safetensors file or a PyTorch zip"):
            cytorch.load(path, mmap=True)
        return
    r = cytorch.load(path, mmap=mm)
    want = expected_fixture()
    for k, v in want["dtypes"].items():
        got = r["dtypes"][k]
        assert got.dtype == getattr(cytorch, k), k
        np.testing.assert_array_equal(np_of(got), v)
    for k in ("base", "row", "t", "cols", "scalar", "empty"):
        np.testing.assert_array_equal(np_of(r[k]), want[k])
    for k in ("row", "t", "cols"):
        assert r[k].untyped_storage() is r["base"].untyped_storage()
    assert r["t"].stride() == (1, 6) and r["cols"].stride() == (6, 2) and r["cols"].storage_offset() == 1
    assert r["row"].storage_offset() == 6
    m = r["model"]
    assert type(m) is collections.OrderedDict and list(m) == ["weight", "bias"]
    assert m._metadata == collections.OrderedDict([("", {"version": 1})])
    np.testing.assert_array_equal(np_of(m["weight"]), np.arange(6, dtype=np.float32).reshape(2, 3) / 8)
    assert r["param"].requires_grad and r["param"].detach().tolist() == [0.0, 1.0, 2.0]
    opt = r["optimizer"]
    assert list(opt["state"]) == [0] and opt["state"][0]["step"].item() == 3.0
    assert opt["param_groups"] == [{"lr": 0.01, "betas": (0.9, 0.999), "params": [0, 1], "foreach": None}]
    n = r["nested"]
    assert n["list"] == [1, 2.5, "s", None, True] and n["tuple"][1] == 7 and n["tuple"][0].tolist() == [1, 1]
    assert type(n["od"]) is collections.OrderedDict and n["od"]["b"].dtype == cytorch.int64
    assert r["size"] == cytorch.Size([2, 3]) and type(r["size"]) is cytorch.Size
    assert r["dtype"] is cytorch.float16 and r["device"] == cytorch.device("cpu")
    assert r["complex"] == 1 + 2j and r["epoch"] == 7


def test_torch_fixture_with_weights_only_false():
    safe = cytorch.load(os.path.join(FIXTURES, "torch_zip.pt"))
    trusted = cytorch.load(os.path.join(FIXTURES, "torch_zip.pt"), weights_only=False)   # no warning: all known
    assert sorted(trusted) == sorted(safe) and trusted["model"]._metadata == safe["model"]._metadata
    assert trusted["t"].untyped_storage() is trusted["base"].untyped_storage()
    np.testing.assert_array_equal(np_of(trusted["cols"]), np_of(safe["cols"]))
    assert trusted["param"].requires_grad and trusted["nested"]["tuple"][1] == 7


def _torch_random_checkpoint(torch):
    g = torch.Generator().manual_seed(0)
    d = {}
    for name in ALL_DTYPES:
        dt = getattr(torch, name)
        if name == "bool":
            d[name] = torch.randint(0, 2, (3, 5), generator=g).bool()
        elif dt.is_floating_point or dt.is_complex:
            d[name] = torch.randn(3, 5, generator=g, dtype=dt)
        else:
            d[name] = torch.randint(-100 if name != "uint8" else 0, 100, (3, 5), generator=g, dtype=dt)
    base = torch.randn(6, 7, generator=g)
    d.update(base=base, view=base[1:, 2:5].t(), diag=base.diagonal(), flat=base.view(-1)[3:30:4],
             expand=base[0:1].expand(3, 7), scalar=torch.tensor(2.5), empty=torch.empty(0, 4))
    d["conj"] = torch.randn(4, dtype=torch.complex64, generator=g).conj()
    return d


@pytest.mark.parametrize("fmt", ["zip", "legacy", "zip-protocol-4"])
def test_files_written_by_torch(torch, tmp_path, fmt):
    ck = _torch_random_checkpoint(torch)
    p = tmp_path / "t.pt"
    if fmt == "legacy":
        torch.save(ck, p, _use_new_zipfile_serialization=False)
    else:
        torch.save(ck, p, pickle_protocol=4 if fmt.endswith("4") else 2)
    want = torch.load(p, weights_only=False)       # (our own file; torch's reader lacks some protocol 4 opcodes)
    for mm in ([False, True] if fmt != "legacy" else [False]):
        r = cytorch.load(p, mmap=mm)
        assert sorted(r) == sorted(want)
        for k, w in want.items():
            got = r[k]
            assert str(got.dtype).split(".")[1] == str(w.dtype).split(".")[1], k
            assert tuple(got.shape) == tuple(w.shape), k
            w = w.resolve_conj()
            if w.dtype == torch.bfloat16:
                np.testing.assert_array_equal(np_of(got.view(cytorch.int16)), w.view(torch.int16).numpy())
            else:
                np.testing.assert_array_equal(np_of(got), w.numpy())
            if k != "conj":
                assert got.stride() == w.stride() and got.storage_offset() == w.storage_offset(), k
        for k in ("view", "diag", "flat", "expand"):
            assert r[k].untyped_storage() is r["base"].untyped_storage()


def test_torch_module_state_dict_and_whole_module(torch, tmp_path):
    m = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3))
    p = tmp_path / "sd.pt"
    torch.save(m.state_dict(), p)
    sd = cytorch.load(p)
    assert list(sd) == list(m.state_dict()) and sd._metadata == m.state_dict()._metadata
    assert sd["1.num_batches_tracked"].dtype == cytorch.int64
    for k, v in m.state_dict().items():
        np.testing.assert_array_equal(np_of(sd[k]), v.numpy())
    torch.save(m, tmp_path / "whole.pt")
    for wo in (True, False):
        with pytest.raises(pickle.UnpicklingError, match="refusing to load global 'torch.nn.modules"):
            cytorch.load(tmp_path / "whole.pt", weights_only=wo)


def test_big_endian_marker_is_refused(tmp_path):
    p = tmp_path / "be.pt"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("archive/data.pkl", PROTO2 + _i(1) + STOP)
        z.writestr("archive/byteorder", "big")
    with pytest.raises(RuntimeError, match="big-endian"):
        cytorch.load(p)


# ================================================================ hostile pickles

class _Reduce:
    def __init__(self, fn, args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return self.fn, self.args


def _payloads(sentinel):
    touch = f"touch {sentinel}"
    evil = pickle.dumps(_Reduce(os.system, (touch,)), protocol=2)
    return {
        "os.system": (evil, "posix.system" if os.name == "posix" else "nt.system"),
        "eval": (pickle.dumps(_Reduce(eval, (f"open({str(sentinel)!r}, 'w')",)), protocol=2), "builtins.eval"),
        "exec in a dict": (pickle.dumps({"w": _Reduce(exec, (f"open({str(sentinel)!r}, 'w')",))}, protocol=2),
                           "builtins.exec"),
        "getattr chain": (PROTO2 + _g("builtins", "getattr") + _tup(_g("collections", "OrderedDict"), _u("fromkeys"))
                          + REDUCE + STOP, "builtins.getattr"),
        "dotted global": (b"\x80\x04" + _u("collections") + _u("OrderedDict.__init__.__globals__") + b"\x93" + STOP,
                          "collections.OrderedDict.__init__.__globals__"),
        "dotted rebuild": (b"\x80\x04" + _u("torch._utils") + _u("_rebuild_tensor_v2.__globals__") + b"\x93" + STOP,
                           "torch._utils._rebuild_tensor_v2.__globals__"),
        "nested pickle": (pickle.dumps(_Reduce(pickle.loads, (evil,)), protocol=2), "pickle.loads'"),
        "INST os.system": (b"(S'" + touch.encode() + b"'\nios\nsystem\n.", "os.system"),
        "INST allowed": (b"(icollections\nOrderedDict\n.", "opcode INST"),
        "OBJ": (PROTO2 + MARK + _g("collections", "OrderedDict") + b"o" + STOP, "opcode OBJ"),
        "NEWOBJ": (PROTO2 + _g("collections", "OrderedDict") + EMPTY_TUPLE + b"\x81" + STOP, "opcode NEWOBJ"),
        "EXT1": (PROTO2 + b"\x82\x01" + STOP, "opcode EXT1"),
        "BYTEARRAY8 of 2**60 bytes": (b"\x80\x05\x96" + struct.pack("<Q", 2**60) + STOP, "opcode BYTEARRAY8"),
        "REDUCE on a non-global": (PROTO2 + _u("x") + EMPTY_TUPLE + REDUCE + STOP, "REDUCE on str"),
        "rebuild with a str storage": (PROTO2 + _g("torch._utils", "_rebuild_tensor_v2")
                                       + _tup(_u("x"), _i(0), _tup(_i(1)), _tup(_i(1)), NEWFALSE, NONE) + REDUCE + STOP,
                                       "invalid arguments to 'torch._utils._rebuild_tensor_v2'"),
        "codecs rot13": (PROTO2 + _g("_codecs", "encode") + _tup(_u("x"), _u("rot13")) + REDUCE + STOP,
                         "invalid arguments to '_codecs.encode'"),
        "OrderedDict of a str": (PROTO2 + _g("collections", "OrderedDict") + _tup(_u("ab")) + REDUCE + STOP,
                                 "invalid arguments"),
        "Size of strs": (PROTO2 + _g("torch", "Size") + _tup(_tup(_u("a"))) + REDUCE + STOP, "invalid arguments"),
        "BUILD dunder": (PROTO2 + _g("collections", "OrderedDict") + EMPTY_TUPLE + REDUCE + b"}" + _u("__class__")
                         + _i(1) + b"s" + b"b" + STOP, "opcode BUILD"),
        "BUILD slots": (PROTO2 + _g("collections", "OrderedDict") + EMPTY_TUPLE + REDUCE
                        + _tup(NONE, b"}" + _u("x") + _i(1) + b"s") + b"b" + STOP, "opcode BUILD"),
        "SETITEM on a Size": (PROTO2 + _g("torch", "Size") + _tup(_tup(_i(1))) + REDUCE + _i(0) + _i(5) + b"s" + STOP,
                                "opcode SETITEM on Size"),
        "persistent id": (PROTO2 + _tup(_u("storage"), _u("os.system"), _u("0"), _u("cpu"), _i(1)) + BINPERSID + STOP,
                          "refusing persistent id"),
    }


def _containers(tmp_path, name, pkl):
    return [_torch_zip(tmp_path / f"{name}.zip.pt", pkl), _torch_legacy(tmp_path / f"{name}.legacy.pt", pkl)]


@pytest.mark.parametrize("trick", list(_payloads("x")))
def test_hostile_pickles_are_refused(trick, tmp_path):
    sentinel = tmp_path / "PWNED"
    pkl, named = _payloads(sentinel)[trick]
    for path in _containers(tmp_path, "evil", pkl):
        with pytest.raises(pickle.UnpicklingError) as e:
            cytorch.load(path)
        assert named in str(e.value) and repr(str(path)) in str(e.value), str(e.value)
        assert not sentinel.exists()
    raw = tmp_path / "evil.pkl"                 # a bare pickle is not a checkpoint: never unpickled
    raw.write_bytes(pkl)
    with pytest.raises(RuntimeError, match="is not a cytorch, safetensors or PyTorch file"):
        cytorch.load(raw)
    assert not sentinel.exists()


def test_pickle_bytes_inside_a_checkpoint_stay_data(tmp_path):
    sentinel = tmp_path / "PWNED"
    evil = pickle.dumps(_Reduce(os.system, (f"touch {sentinel}",)), protocol=2)
    pkl = pickle.dumps({"blob": evil, "text": evil.decode("latin-1"), "ba": bytearray(b"xy"), "s": {1, 2}},
                       protocol=2)
    for path in _containers(tmp_path, "blob", pkl):
        r = cytorch.load(path)
        assert r == {"blob": evil, "text": evil.decode("latin-1"), "ba": bytearray(b"xy"), "s": {1, 2}}
    assert not sentinel.exists()


def test_hostile_lengths_allocate_nothing(tmp_path):
    for pkl in (PROTO2 + b"\x8e" + struct.pack("<Q", 2**60) + STOP,          # BINBYTES8
                b"\x80\x04\x95" + struct.pack("<Q", 2**60) + STOP,          # FRAME
                PROTO2 + b"\x8b" + struct.pack("<i", 2**31 - 1) + STOP):    # LONG4
        for p in _containers(tmp_path, "long", pkl):
            with pytest.raises(RuntimeError, match="truncated or corrupt") as e:
                cytorch.load(p)
            assert not isinstance(e.value.__cause__, MemoryError)    # the length was never allocated


def test_hostile_storage_sizes(tmp_path):
    huge = PROTO2 + _tensor_pickle(_storage_pid(numel=2**40)) + STOP
    with pytest.raises(RuntimeError, match="claims 1099511627776 elements"):
        cytorch.load(_torch_zip(tmp_path / "huge.pt", huge, {"0": FOUR}))
    views = [((2**30,), (1,), 0), ((2,), (4,), 0), ((4,), (1,), 1), ((2**61, 2**61), (1, 1), 0)]
    for size, stride, offset in views:
        pkl = PROTO2 + _tensor_pickle(size=size, stride=stride, offset=offset) + STOP
        for p in (_torch_zip(tmp_path / "v.pt", pkl, {"0": FOUR}),
                  _torch_legacy(tmp_path / "v.lpt", pkl, {"0": (4, FOUR)})):
            with pytest.raises(pickle.UnpicklingError, match="invalid arguments to 'torch._utils._rebuild_tensor_v2'"):
                cytorch.load(p)


def test_weights_only_false_imports_with_a_warning(tmp_path):
    pkl = PROTO2 + _g("fractions", "Fraction") + _tup(_i(1), _i(3)) + REDUCE + STOP
    p = _torch_legacy(tmp_path / "frac.pt", pkl)
    with pytest.raises(pickle.UnpicklingError, match="refusing to load global 'fractions.Fraction'.*weights_only="):
        cytorch.load(p)
    with pytest.warns(UserWarning, match="imports 'fractions.Fraction'"):
        from fractions import Fraction
        assert cytorch.load(p, weights_only=False) == Fraction(1, 3)


# ================================================================ atomic saves

def _listing(d):
    return sorted(os.listdir(d))


@pytest.mark.parametrize("o_tmpfile", [True, False])
def test_failed_write_keeps_the_old_file(tmp_path, monkeypatch, o_tmpfile):
    if o_tmpfile and not serialization._USE_O_TMPFILE:
        pytest.skip("no O_TMPFILE here")
    monkeypatch.setattr(serialization, "_USE_O_TMPFILE", o_tmpfile)
    p = tmp_path / "ckpt.safetensors"
    cytorch.save({"w": cytorch.arange(1000.0)}, p)
    old = p.read_bytes()
    before = _listing(tmp_path)
    real = serialization._write_pieces
    for limit in (0, 7, 100, 3000):
        def failing(f, pieces, limit=limit):
            class Disk:
                written = 0

                def write(self, b):
                    n = min(len(b), limit - Disk.written)
                    f.write(bytes(b)[:max(n, 0)])
                    Disk.written += max(n, 0)
                    if Disk.written >= limit:
                        raise OSError(28, "No space left on device")
                    return len(b)
            real(Disk(), pieces)
        monkeypatch.setattr(serialization, "_write_pieces", failing)
        with pytest.raises(OSError, match="No space left"):
            cytorch.save({"w": cytorch.zeros(5000)}, p)
        assert p.read_bytes() == old and _listing(tmp_path) == before
    monkeypatch.setattr(serialization, "_write_pieces", real)
    cytorch.save({"w": cytorch.zeros(5)}, p)
    assert cytorch.load(p)["w"].tolist() == [0.0] * 5 and _listing(tmp_path) == before


def _child(code, *args):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), *map(str, args)], env=env,
                            stdout=subprocess.PIPE, text=True)


def test_process_killed_mid_write_keeps_the_old_file(tmp_path):
    if not serialization._USE_O_TMPFILE:
        pytest.skip("a killed process can only leave no temporary file behind with O_TMPFILE")
    p = tmp_path / "ckpt.safetensors"
    cytorch.save({"w": cytorch.arange(10.0)}, p)
    old, before = p.read_bytes(), _listing(tmp_path)
    child = _child("""
        import sys, time, cytorch
        from cytorch import serialization
        real = serialization._write_pieces
        def slow(f, pieces):        # write part of the file, then hang there
            real(f, pieces[:2])
            f.flush()
            print("writing", flush=True)
            time.sleep(60)
        serialization._write_pieces = slow
        cytorch.save({"w": cytorch.zeros(100000)}, sys.argv[1])
    """, p)
    try:
        assert child.stdout.readline().strip() == "writing"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert p.read_bytes() == old and _listing(tmp_path) == before


def test_process_killed_while_saving_in_a_loop(tmp_path):
    if not serialization._USE_O_TMPFILE:
        pytest.skip("a killed process can only leave no temporary file behind with O_TMPFILE")
    p = tmp_path / "ckpt.safetensors"
    child = _child("""
        import sys, cytorch
        w = cytorch.zeros(1 << 20)
        for i in range(1, 100000):
            w.fill_(i)
            cytorch.save({"w": w, "i": i}, sys.argv[1])
            if i == 1:
                print("saved", flush=True)
    """, p)
    try:
        assert child.stdout.readline().strip() == "saved"
        time.sleep(0.3)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    r = cytorch.load(p)                                    # whole: one complete save
    assert r["i"] >= 1 and r["w"].min().item() == r["w"].max().item() == r["i"]
    assert _listing(tmp_path) == ["ckpt.safetensors"]


def test_save_keeps_mode_and_follows_symlinks(tmp_path):
    p = tmp_path / "real.safetensors"
    cytorch.save({"w": cytorch.ones(1)}, p)
    os.chmod(p, 0o600)
    cytorch.save({"w": cytorch.zeros(1)}, p)
    assert os.stat(p).st_mode & 0o777 == 0o600
    link = tmp_path / "link.safetensors"
    link.symlink_to(p)
    cytorch.save({"w": cytorch.full((1,), 2.0)}, link)
    assert link.is_symlink() and cytorch.load(p)["w"].item() == 2.0
    assert _listing(tmp_path) == ["link.safetensors", "real.safetensors"]


# ================================================================ truncated and corrupt files

def _saved_bytes():
    base = cytorch.arange(20.0).reshape(4, 5)
    buf = io.BytesIO()
    cytorch.save({"model": collections.OrderedDict(w=base, b=cytorch.ones(3, dtype=cytorch.int64)),
                  "v": base.t(), "c": cytorch.tensor([1 + 1j]), "step": 3, "name": "adam", "lr": 0.1}, buf)
    return buf.getvalue()


def _must_fail(data, name="ckpt-in-memory", error=RuntimeError):
    with pytest.raises(error) as e:
        cytorch.load(Named(data, name))
    assert repr(name) in str(e.value), str(e.value)
    return str(e.value)


def test_truncated_files_fail_clearly(tmp_path):
    data = _saved_bytes()
    for cut in range(len(data)):
        _must_fail(data[:cut])
    for name in ("torch_zip.pt", "torch_legacy.pt"):
        full = open(os.path.join(FIXTURES, name), "rb").read()
        for cut in range(0, len(full), 3 if "zip" in name else 5):
            _must_fail(full[:cut], name)
    p = tmp_path / "cut.safetensors"
    p.write_bytes(data[:-1])
    with pytest.raises(RuntimeError, match="cut.safetensors' is truncated or corrupt"):
        cytorch.load(p)
    with pytest.raises(RuntimeError, match="cut.safetensors' is truncated or corrupt"):
        cytorch.load(p, mmap=True)


def test_every_bit_flip_in_the_header_is_caught():
    data = bytearray(_saved_bytes())
    n = struct.unpack("<Q", data[:8])[0]
    for i in range(8 + n):
        for bit in range(8):
            data[i] ^= 1 << bit
            _must_fail(bytes(data))
            data[i] ^= 1 << bit
    assert cytorch.load(io.BytesIO(bytes(data)))["step"] == 3


def test_other_garbage_fails_clearly():
    assert "empty" in _must_fail(b"")
    _must_fail(b"hello world, not a checkpoint at all")
    _must_fail(np.random.default_rng(0).bytes(4096), error=(RuntimeError, pickle.UnpicklingError))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "not a checkpoint")
    assert "data.pkl" in _must_fail(buf.getvalue())
    zip_bytes = bytearray(open(os.path.join(FIXTURES, "torch_zip.pt"), "rb").read())
    i = zip_bytes.index(b"_rebuild_tensor_v2")             # data.pkl's CRC catches a flipped byte
    zip_bytes[i] ^= 1
    _must_fail(bytes(zip_bytes))
