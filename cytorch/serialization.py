"""cytorch.save / cytorch.load: safetensors files, and PyTorch's checkpoints read safely.

``save`` writes a safetensors file (https://github.com/huggingface/safetensors): an 8-byte
header length, a JSON header naming each stored array (dtype, shape, byte range), then the
raw little-endian bytes. cytorch stores one array per distinct *storage*, covering only the
bytes its tensors use, so views that share memory are written once and come back as views.
The nested structure (dicts, lists, numbers, strings, ...) and each tensor's dtype, shape,
stride and offset go as JSON into the header's ``__metadata__["cytorch"]``, with a CRC32 of
the header in ``__metadata__["cytorch.crc32"]``. safetensors has no complex dtype: complex
storages are stored as float pairs (a trailing dimension of 2) and the metadata says so. Any
safetensors reader sees the arrays, named by their path in the saved object
(``model.fc.weight``); a state_dict of contiguous tensors reads back under its own keys.

``load`` reads those files, any other safetensors file (as a dict of tensors), and files made
by ``torch.save``: the zip format (``archive/data.pkl`` + ``archive/data/N``) and the legacy
format (magic number, protocol, sys_info, pickle, storage keys, raw storages). Their pickles
are read by ``cytorch._pickle_safe.SafeUnpickler``, which runs no pickle code: it knows only
the tensor-rebuild functions, storage classes, dtypes and containers; anything else raises
``pickle.UnpicklingError`` naming the global. torch is never imported.
"""
import ctypes
import io
import json
import math
import mmap as _mmap
import os
import secrets
import stat
import struct
import zipfile
import zlib
from collections import OrderedDict

import numpy as np

from cytorch._C import _tensor as _C
from cytorch._C._tensor import TensorBase, Size
from cytorch._tensor import device
from cytorch._pickle_safe import (SafeUnpickler, TrustingUnpickler, Refused, LoadedStorage, StorageType,
                                  checked_view, _BadArgs, _as_parameter)

__all__ = ["save", "load"]

_FORMAT_VERSION = 1
_ST_CODE = {"bool": "BOOL", "uint8": "U8", "int8": "I8", "int16": "I16", "int32": "I32", "int64": "I64",
            "float16": "F16", "bfloat16": "BF16", "float32": "F32", "float64": "F64"}
_ST_DTYPE = {v: k for k, v in _ST_CODE.items()}
_ST_DTYPE["C64"] = "complex64"
_ST_SIZE = {"BOOL": 1, "U8": 1, "I8": 1, "I16": 2, "F16": 2, "BF16": 2, "I32": 4, "F32": 4, "C64": 8,
            "F64": 8, "I64": 8}
# safetensors orders its data by dtype (this rank, descending) then name: each array aligned.
_ST_RANK = {"BOOL": 0, "U8": 1, "I8": 2, "I16": 3, "U16": 4, "F16": 5, "BF16": 6, "I32": 7, "U32": 8,
            "F32": 9, "C64": 10, "F64": 11, "I64": 12, "U64": 13}
_COMPLEX_PART = {"complex64": "float32", "complex128": "float64"}
# NumPy dtype holding each cytorch dtype's bytes (bfloat16: its 16-bit patterns)
_NP = {"bool": np.bool_, "uint8": np.uint8, "int8": np.int8, "int16": np.int16, "int32": np.int32,
       "int64": np.int64, "float16": np.float16, "bfloat16": np.int16, "float32": np.float32,
       "float64": np.float64, "complex64": np.complex64, "complex128": np.complex128}
_MAX_HEADER = 100_000_000              # safetensors' own limit
_CHUNK = 1 << 26                       # bytes per write() call
_SUPPORTED = ("tensors, dict/OrderedDict/list/tuple containers, int, float, bool, str, None, complex, "
              "cytorch.Size, cytorch.dtype, cytorch.device")
_TORCH_MAGIC = 0x1950a86a20f9469cfc6c
_TORCH_PROTOCOL = 1001
# the legacy format opens with the pickled magic number: LONG1 bytes, or decimal text (protocol 0/1)
_LEGACY_MAGIC = _TORCH_MAGIC.to_bytes(10, "little")
_LEGACY_MAGIC_TEXT = str(_TORCH_MAGIC).encode()
# Linux: save into an unnamed file (O_TMPFILE) that a crash cannot leave behind
_USE_O_TMPFILE = hasattr(os, "O_TMPFILE") and os.path.isdir("/proc/self/fd")


class _LoadError(RuntimeError):
    """A load error already naming the file (passed through unchanged)."""


def _dtype(name):
    return _C._dtype_from_name(name)


def _fname(f):
    if isinstance(f, (str, bytes, os.PathLike)):
        return repr(os.fsdecode(f))
    name = getattr(f, "name", None)
    return repr(name) if isinstance(name, str) else f"<{type(f).__name__}>"


def _corrupt(fname, detail):
    return _LoadError(f"cytorch.load: {fname} is truncated or corrupt: {detail}")


# ================================================================ save

class _Attr(str):
    """A path component naming an attribute (OrderedDict._metadata), not a key."""


def _path_str(path):
    return "obj" + "".join(f".{k}" if isinstance(k, _Attr) else f"[{k!r}]" for k in path)


class _StorageRec:
    __slots__ = ("index", "name", "storage", "dtype", "lo", "hi", "tensors")

    def __init__(self, index, name, storage, dtype):
        self.index, self.name, self.storage, self.dtype = index, name, storage, dtype
        self.lo, self.hi, self.tensors = None, None, []


class _Encoder:
    """Walks the object: JSON nodes for the structure, one record per distinct storage."""

    def __init__(self):
        self.storages = {}           # id(Storage) -> _StorageRec
        self.records = []
        self.tensors = []            # [tensor, descriptor dict]
        self.tensor_index = {}       # id(tensor) -> index in self.tensors
        self.names = {"__metadata__"}
        self.active = set()          # containers on the current path (cycle check)
        from cytorch import nn
        self.parameter = getattr(nn, "Parameter", None)

    def node(self, x, path):
        if x is None or x is True or x is False:
            return x
        if isinstance(x, TensorBase):
            return {"tensor": self.tensor(x, path)}
        if isinstance(x, int):
            return int(x)
        if isinstance(x, float):
            return _float_node(x)
        if isinstance(x, str):
            return str(x)
        if isinstance(x, complex):
            return {"complex": [_float_node(x.real), _float_node(x.imag)]}
        if isinstance(x, Size):
            return {"size": [int(d) for d in x]}
        if isinstance(x, _C.dtype):
            return {"dtype": x._name}
        if isinstance(x, device):
            return {"device": str(x)}
        if type(x) in (list, tuple) or isinstance(x, dict):
            if id(x) in self.active:
                raise ValueError(f"cytorch.save: {_path_str(path)} contains itself; cyclic structures cannot "
                                 "be saved")
            self.active.add(id(x))
            try:
                return self.container(x, path)
            finally:
                self.active.discard(id(x))
        raise TypeError(f"cytorch.save: cannot save object of type {type(x).__name__} at {_path_str(path)}; "
                        f"supported: {_SUPPORTED}")

    def container(self, x, path):
        if type(x) is list:
            return [self.node(v, path + (i,)) for i, v in enumerate(x)]
        if type(x) is tuple:
            return {"tuple": [self.node(v, path + (i,)) for i, v in enumerate(x)]}
        items = [[self.key(k, path), self.node(v, path + (k,))] for k, v in x.items()]
        if not isinstance(x, OrderedDict):
            return {"dict": items}
        out = {"odict": items}
        attrs = getattr(x, "__dict__", None)
        if attrs:        # state_dict()._metadata
            out["attrs"] = [[k, self.node(v, path + (_Attr(k),))] for k, v in attrs.items()]
        return out

    def key(self, k, path):
        if isinstance(k, (TensorBase, list, dict)) or (isinstance(k, tuple) and any(
                isinstance(v, (TensorBase, list, dict, tuple)) for v in k)):
            raise TypeError(f"cytorch.save: cannot save a dict key of type {type(k).__name__} in "
                            f"{_path_str(path)}; keys may be str, int, float, bool, None, complex, "
                            "dtype, device or tuples of these")
        return self.node(k, path)

    def tensor(self, t, path):
        i = self.tensor_index.get(id(t))
        if i is not None:
            return i
        st = t.untyped_storage()
        rec = self.storages.get(id(st))
        if rec is None:
            rec = _StorageRec(len(self.records), self.unique_name(path), st, t.dtype)
            self.storages[id(st)] = rec
            self.records.append(rec)
        if t.element_size() != rec.dtype.itemsize:
            raise RuntimeError(f"cytorch.save: {_path_str(path)} views memory of another tensor as a dtype of "
                               "another size; save a copy (.clone()) instead")
        isz, off = t.element_size(), t.storage_offset()
        if t.numel():
            lo = off * isz
            hi = (off + sum((n - 1) * s for n, s in zip(t.shape, t.stride())) + 1) * isz
            rec.lo = lo if rec.lo is None else min(rec.lo, lo)
            rec.hi = hi if rec.hi is None else max(rec.hi, hi)
        desc = {"storage": rec.index, "dtype": t.dtype._name, "shape": list(t.shape), "stride": list(t.stride()),
                "offset": off}
        if t.requires_grad:
            desc["requires_grad"] = True
        if self.parameter is not None and isinstance(t, self.parameter):
            desc["parameter"] = True
        rec.tensors.append(t)
        self.tensor_index[id(t)] = len(self.tensors)
        self.tensors.append([t, desc])
        return self.tensor_index[id(t)]

    def unique_name(self, path):
        base = ".".join(str(k) for k in path) or "tensor"
        base = base.encode("utf-8", "backslashreplace").decode("utf-8")
        name, k = base, 1
        while name in self.names:
            k += 1
            name = f"{base}#{k}"
        self.names.add(name)
        return name


def _float_node(x):
    x = float(x)
    if math.isfinite(x):
        return x
    return {"float": "nan" if x != x else ("inf" if x > 0 else "-inf")}


def _header_crc(entries, metadata):
    """CRC32 over what the header says (arrays' names, dtypes, shapes; the metadata), so that
    any bit flip in it is caught (the byte ranges are checked by tiling instead)."""
    canon = json.dumps([sorted([n, c, list(s)] for n, c, s in entries),
                        sorted([k, v] for k, v in metadata.items() if k != "cytorch.crc32")],
                       separators=(",", ":"))
    return format(zlib.crc32(canon.encode("utf-8")), "08x")


def _encode(obj):
    """(pieces to write: header bytes then data buffers, objects to keep alive meanwhile)."""
    enc = _Encoder()
    tree = enc.node(obj, ())
    entries = []        # (name, code, shape, nbytes, address)
    for rec in enc.records:
        isz = rec.dtype.itemsize
        lo, hi = (rec.lo, rec.hi) if rec.lo is not None else (0, 0)
        # shaped like a tensor that covers the bytes (what other safetensors readers see), else flat
        whole = [t for t in rec.tensors if t.is_contiguous() and t.numel() * isz == hi - lo
                 and (t.numel() == 0 or t.storage_offset() * isz == lo)]
        shape = list(whole[0].shape) if whole else [(hi - lo) // isz]
        name = rec.dtype._name
        if name in _COMPLEX_PART:
            shape, name = shape + [2], _COMPLEX_PART[name]
        entries.append((rec.name, _ST_CODE[name], shape, hi - lo, rec.storage.data_ptr() + lo))
        for t in rec.tensors:
            desc = enc.tensors[enc.tensor_index[id(t)]][1]
            desc["offset"] = desc["offset"] - lo // isz if t.numel() else 0
    doc = {"version": _FORMAT_VERSION, "storages": [[r.name, r.dtype._name] for r in enc.records],
           "tensors": [d for _, d in enc.tensors], "obj": tree}
    metadata = {"format": "pt", "cytorch": json.dumps(doc, separators=(",", ":"), allow_nan=False)}
    metadata["cytorch.crc32"] = _header_crc([(n, c, s) for n, c, s, _, _ in entries], metadata)

    entries.sort(key=lambda e: (-_ST_RANK[e[1]], e[0]))
    header = {"__metadata__": dict(sorted(metadata.items()))}
    pieces, pos = [], 0
    for name, code, shape, nbytes, addr in entries:
        header[name] = {"dtype": code, "shape": shape, "data_offsets": [pos, pos + nbytes]}
        pos += nbytes
        if nbytes:
            pieces.append(memoryview((ctypes.c_char * nbytes).from_address(addr)).cast("B"))
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return [struct.pack("<Q", len(text)) + text] + pieces, enc.tensors


def _write_pieces(f, pieces):
    """Write every buffer to the binary file ``f`` (in chunks: writes over 2 GiB are partial)."""
    for p in pieces:
        for i in range(0, len(p), _CHUNK):
            f.write(p[i:i + _CHUNK])


def _fsync_dir(d):
    try:
        fd = os.open(d, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:            # no directory handles (Windows): the rename is what we have
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _temp_name(d, path):
    return os.path.join(d, f".{os.path.basename(path)}.{secrets.token_hex(4)}.tmp")


def _open_temp(d, path):
    """(fd, name) of a new file in directory d; name is None for an unnamed O_TMPFILE file,
    which vanishes if the process dies before it is linked into place."""
    if _USE_O_TMPFILE:
        try:
            return os.open(d, os.O_TMPFILE | os.O_WRONLY, 0o666), None
        except OSError:        # a file system without O_TMPFILE: fall back to a named file
            pass
    while True:
        name = _temp_name(d, path)
        try:
            return os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666), name
        except FileExistsError:
            continue


def _link_tmpfile(fd, d, path):
    """Link an O_TMPFILE file into d under a fresh name. A directory fd makes os.link call
    linkat(AT_SYMLINK_FOLLOW), which resolves /proc/self/fd/N to the file itself."""
    dfd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
    try:
        while True:
            name = _temp_name(d, path)
            try:
                os.link(f"/proc/self/fd/{fd}", os.path.basename(name), dst_dir_fd=dfd)
                return name
            except FileExistsError:
                continue
    finally:
        os.close(dfd)


def _atomic_write(path, pieces):
    """Write to a temporary file in the target's directory, fsync, rename over the target,
    fsync the directory: a crash or a full disk leaves the old file as it was."""
    path = os.path.realpath(os.fsdecode(path))
    d = os.path.dirname(path)
    fd, tmp = _open_temp(d, path)
    try:
        try:
            os.chmod(fd if os.chmod in os.supports_fd else tmp, stat.S_IMODE(os.stat(path).st_mode))
        except FileNotFoundError:
            pass
        with open(fd, "wb", closefd=False) as f:
            _write_pieces(f, pieces)
        os.fsync(fd)
        if tmp is None:        # give the O_TMPFILE file a name, then move it over the target
            tmp = _link_tmpfile(fd, d, path)
        os.replace(tmp, path)
        tmp = None
    finally:
        os.close(fd)
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
    _fsync_dir(d)


def save(obj, f, pickle_module=None, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Save tensors and nested containers of them to a safetensors file.

    Args:
        obj: a tensor, or dicts / OrderedDicts / lists / tuples nesting tensors, int, float, bool,
            str, None, complex, ``cytorch.Size``, dtypes and devices: a state_dict, or a whole
            checkpoint (model and optimizer state_dicts, epoch, ``cytorch.get_rng_state()``...).
        f: a path (str or os.PathLike), written atomically (temporary file in the same directory,
            fsync, rename: a crash never leaves a half-written file in place of the old one), or
            a binary file object with ``write`` (seekable or not), written as it is.
        pickle_module, pickle_protocol, _use_new_zipfile_serialization, _disable_byteorder_record:
            accepted for PyTorch compatibility and ignored (cytorch never pickles).

    Tensors sharing memory (views) are stored once and load back as views of one storage;
    strides, offsets, dtypes and ``requires_grad`` are kept; gradients are not saved.
    Anything else raises ``TypeError`` naming its type and where it sits in ``obj``.

    Example::

        >>> cytorch.save({"model": model.state_dict(), "epoch": 3}, "ckpt.safetensors")
        >>> ckpt = cytorch.load("ckpt.safetensors")
    """
    pieces, keep = _encode(obj)
    if isinstance(f, (str, bytes, os.PathLike)):
        _atomic_write(f, pieces)
    elif hasattr(f, "write"):
        _write_pieces(f, pieces)
    else:
        raise TypeError(f"cytorch.save: f must be a path (str or os.PathLike) or a binary file object with "
                        f"write(), got {type(f).__name__}")
    del keep


# ================================================================ load: sources

class _Source:
    """The bytes being loaded: a seekable binary file, its size, and an mmap when asked."""

    def __init__(self, f, want_mmap):
        self.name = _fname(f)
        self.own = isinstance(f, (str, bytes, os.PathLike))
        if self.own:
            self.file = open(f, "rb")
        elif hasattr(f, "read"):
            try:
                ok = f.seekable() and f.tell() == 0
            except (AttributeError, OSError, ValueError):
                ok = False
            self.file = f if ok else io.BytesIO(f.read())
        else:
            raise TypeError(f"cytorch.load: f must be a path (str or os.PathLike) or a binary file object, "
                            f"got {type(f).__name__}")
        self.size = self.file.seek(0, 2)
        self.file.seek(0)
        self.mm = None
        if want_mmap:
            try:
                fileno = self.file.fileno()
            except (AttributeError, OSError, ValueError):
                self.close()
                raise ValueError("cytorch.load: mmap=True needs a file path or a real file object") from None
            if self.size:
                self.mm = _mmap.mmap(fileno, 0, access=_mmap.ACCESS_COPY)

    def close(self):
        if self.own:
            self.file.close()

    def read_at(self, off, n):
        self.file.seek(off)
        b = self.file.read(n)
        if len(b) != n:
            raise _corrupt(self.name, f"expected {n} bytes at offset {off}, the file ends first")
        return b

    def readinto(self, mv):
        f, got, n = self.file, 0, len(mv)
        while got < n:
            k = f.readinto(mv[got:])
            if not k:
                raise _corrupt(self.name, f"the file ends {n - got} bytes early")
            got += k

    def region(self, off, nbytes, dtype):
        """A flat cytorch tensor of ``dtype`` holding the bytes [off, off + nbytes) of the file:
        mapped when mmap is on and the offset is aligned, else read into fresh memory."""
        if off + nbytes > self.size:
            raise _corrupt(self.name, f"{nbytes} bytes at offset {off} run past the end ({self.size} bytes)")
        npdt = np.dtype(_NP[dtype._name])
        n = nbytes // npdt.itemsize
        if self.mm is not None and nbytes and off % npdt.alignment == 0:
            from cytorch import from_numpy
            base = from_numpy(np.frombuffer(self.mm, dtype=npdt, count=n, offset=off))
        else:
            base = _C.empty((n,), dtype if dtype._name != "bfloat16" else _dtype("int16"))
            if nbytes:
                self.file.seek(off)
                self.readinto(memoryview(base.numpy()).cast("B"))
        return base if dtype._name != "bfloat16" else base._view_dtype(dtype)


class _Locations:
    """map_location: None, a device or str, a dict {saved location: target}, or a callable
    (storage, location) -> storage or None. Only the CPU exists, so every storage must land
    there; a storage saved on a GPU needs map_location, as in PyTorch without CUDA."""

    def __init__(self, map_location):
        m = map_location
        if m is None or isinstance(m, dict) or callable(m) and not isinstance(m, (str, device)):
            self.map = m
        elif isinstance(m, (str, device)) or hasattr(m, "type"):
            self.map = str(m)
        else:
            raise TypeError(f"cytorch.load: map_location must be None, a str, a device, a dict or a callable, "
                            f"got {type(m).__name__}")

    def check(self, location, storage=None):
        m = self.map
        if callable(m):
            if storage is None or m(storage, location) is not None:
                return
            target = location
        elif isinstance(m, dict):
            target = m.get(location, location)
        else:
            target = location if m is None else m
        try:
            dev = device(str(target))
        except (RuntimeError, ValueError):
            raise _LoadError(f"cytorch.load: unknown device {str(target)!r:.40} in map_location or in the file") \
                from None
        if dev.type != "cpu":
            raise _LoadError(
                f"cytorch.load: the file asks for device '{dev}', but cytorch has only the CPU "
                "(cytorch.cuda.is_available() is False); pass map_location='cpu' to load it there")


# ================================================================ load: safetensors

def _st_header(src):
    """The validated safetensors header: (header dict, start of data, {name: (code, shape, begin, end)})."""
    name = src.name
    if src.size < 8:
        raise _corrupt(name, f"{src.size} bytes, shorter than a safetensors header")
    (n,) = struct.unpack("<Q", src.read_at(0, 8))
    if n > min(src.size - 8, _MAX_HEADER):
        raise _corrupt(name, f"header length {n} exceeds the file ({src.size} bytes)")
    try:
        header = json.loads(src.read_at(8, n).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise _corrupt(name, f"the safetensors header is not valid JSON ({e})") from None
    if type(header) is not dict:
        raise _corrupt(name, "the safetensors header is not a JSON object")
    entries = {}
    for key, info in header.items():
        if key == "__metadata__":
            if type(info) is not dict or any(type(v) is not str for v in info.values()):
                raise _corrupt(name, "__metadata__ must map strings to strings")
            continue
        if (type(info) is not dict or set(info) != {"dtype", "shape", "data_offsets"}
                or type(info["shape"]) is not list or type(info["data_offsets"]) is not list
                or len(info["data_offsets"]) != 2
                or any(type(v) is not int or v < 0 for v in info["shape"] + info["data_offsets"])):
            raise _corrupt(name, f"bad entry for array {key!r:.80} in the safetensors header")
        code, shape, (b, e) = info["dtype"], info["shape"], info["data_offsets"]
        if code not in _ST_SIZE:
            raise _corrupt(name, f"array {key!r:.80} has dtype {code!r:.20}, which cytorch does not support")
        if e - b != math.prod(shape) * _ST_SIZE[code]:
            raise _corrupt(name, f"array {key!r:.80}: byte range [{b}, {e}) does not fit shape {shape} of {code}")
        entries[key] = (code, shape, b, e)
    pos = 0                      # the arrays must tile the data exactly, as safetensors requires
    for code, shape, b, e in sorted(entries.values(), key=lambda v: (v[2], v[3])):
        if b != pos:
            raise _corrupt(name, f"safetensors data has a gap or overlap at byte {b}")
        pos = e
    if 8 + n + pos != src.size:
        raise _corrupt(name, f"the header describes {8 + n + pos} bytes but the file has {src.size}")
    return header, 8 + n, entries


def _load_safetensors(src, loc):
    header, start, entries = _st_header(src)
    meta = header.get("__metadata__") or {}
    loc.check("cpu")
    if "cytorch" not in meta and "cytorch.crc32" not in meta:
        out = {}                 # a safetensors file from elsewhere: its arrays by name
        for key, (code, shape, b, e) in sorted(entries.items(), key=lambda kv: kv[1][2]):
            base = src.region(start + b, e - b, _dtype(_ST_DTYPE[code]))
            out[key] = base.view(shape) if shape else base.view(())
        return {k: out[k] for k in entries}
    return _decode_cytorch(src, meta, start, entries)


def _decode_cytorch(src, meta, start, entries):
    name = src.name
    crc = _header_crc([(k, c, s) for k, (c, s, _, _) in entries.items()], meta)
    if meta.get("cytorch.crc32") != crc or "cytorch" not in meta:
        raise _corrupt(name, "the header's checksum does not match")
    try:
        doc = json.loads(meta["cytorch"])
        if type(doc) is not dict or doc.get("version") != _FORMAT_VERSION:
            raise ValueError(f"unknown cytorch format version {doc.get('version') if type(doc) is dict else None}")
        bases = []
        for key, dt in doc["storages"]:
            code, shape, b, e = entries[key]
            dtype = _dtype(dt)
            part = _COMPLEX_PART.get(dt, dt)
            if _ST_CODE[part] != code or (part != dt and (not shape or shape[-1] != 2)):
                raise ValueError(f"array {key!r} holds {code}, not {dt}")
            bases.append(LoadedStorage(src.region(start + b, e - b, dtype)))
        tensors = [_decode_tensor(d, bases) for d in doc["tensors"]]
        return _decode_node(doc["obj"], tensors)
    except _LoadError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError, RuntimeError,
            _BadArgs) as e:
        raise _corrupt(name, f"bad cytorch metadata ({type(e).__name__}: {e})") from None


def _decode_tensor(d, bases):
    if type(d) is not dict or not {"storage", "dtype", "shape", "stride", "offset"} <= set(d):
        raise ValueError("bad tensor descriptor")
    dtype = _dtype(d["dtype"])
    st = bases[d["storage"]]
    t = checked_view(st.typed(dtype), d["shape"], d["stride"], d["offset"])
    if d.get("parameter"):
        return _as_parameter(t, bool(d.get("requires_grad")))
    if d.get("requires_grad"):
        t.requires_grad_(True)
    return t


_SPECIAL_FLOATS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def _decode_node(x, tensors):
    if x is None or type(x) in (bool, int, float, str):
        return x
    if type(x) is list:
        return [_decode_node(v, tensors) for v in x]
    if type(x) is not dict or not x:
        raise ValueError(f"bad node {x!r:.60}")
    tag = next(iter(x))
    v = x[tag]
    if len(x) != 1 and not (tag == "odict" and set(x) == {"odict", "attrs"}):
        raise ValueError(f"bad node keys {sorted(x)!r:.60}")
    if tag == "tensor":
        if type(v) is not int or v < 0:
            raise ValueError("bad tensor reference")
        return tensors[v]
    if tag == "tuple":
        return tuple(_decode_node(i, tensors) for i in v)
    if tag in ("dict", "odict"):
        d = (dict if tag == "dict" else OrderedDict)((_decode_node(k, tensors), _decode_node(val, tensors))
                                                     for k, val in v)
        for k, val in x.get("attrs", ()):
            if type(k) is not str or not k.isidentifier() or k.startswith("__"):
                raise ValueError("bad attribute name")
            d.__dict__[k] = _decode_node(val, tensors)
        return d
    if tag == "float":
        return _SPECIAL_FLOATS[v]
    if tag == "complex":
        re, im = (_decode_node(p, tensors) for p in v)
        if type(re) is not float or type(im) is not float:
            raise ValueError("bad complex")
        return complex(re, im)
    if tag == "size":
        if type(v) is not list or any(type(i) is not int for i in v):
            raise ValueError("bad size")
        return Size(v)
    if tag == "dtype":
        return _dtype(v)
    if tag == "device":
        if type(v) is not str:
            raise ValueError("bad device")
        return device(v)
    raise ValueError(f"unknown node tag {tag!r:.40}")


# ================================================================ load: PyTorch files

class _Storages:
    """persistent_load for torch pickles: ('storage', type, key, location, numel[, view])."""

    def __init__(self, src, loc, read, fixups=None):
        self.src, self.loc, self.read, self.fixups = src, loc, read, fixups
        self.cache = {}

    def __call__(self, pid):
        if (type(pid) is not tuple or len(pid) not in (5, 6) or pid[0] != "storage"
                or not isinstance(pid[1], StorageType) or type(pid[2]) is not str or type(pid[3]) is not str
                or type(pid[4]) is not int or pid[4] < 0):
            raise Refused(f"cytorch.load: refusing persistent id {pid!r:.100} in {self.src.name}")
        stype, key, location, numel = pid[1:5]
        if len(pid) == 6 and pid[5] is not None:
            raise Refused(f"cytorch.load: storage views of pre-1.0 PyTorch files are not supported ({self.src.name})")
        dtype = stype.dtype or _dtype("uint8")
        hit = self.cache.get(key)
        if hit is not None:
            if hit.base.dtype != dtype or hit.base.numel() != numel:
                raise _corrupt(self.src.name, f"storage {key!r:.40} is described twice differently")
            return hit
        if numel * dtype.itemsize > self.src.size:
            raise _corrupt(self.src.name, f"storage {key!r:.40} claims {numel} elements, more than the file holds")
        st = self.cache[key] = LoadedStorage(self.read(key, dtype, numel), self.fixups)
        self.loc.check(location, st.base.untyped_storage())
        return st


def _unpickle(file, src, persistent_load, weights_only, encoding):
    cls = SafeUnpickler if weights_only else TrustingUnpickler
    return cls(file, src.name, persistent_load, encoding=encoding).load()


def _load_torch_zip(src, loc, weights_only, encoding):
    name = src.name
    zf = zipfile.ZipFile(src.file)
    pkl = [n for n in zf.namelist() if n == "data.pkl" or n.endswith("/data.pkl") and n.count("/") == 1]
    if len(pkl) != 1:
        raise _corrupt(name, "a zip file without exactly one data.pkl is not a PyTorch checkpoint")
    prefix = pkl[0][:-len("data.pkl")]
    if prefix + "byteorder" in zf.namelist() and zf.read(prefix + "byteorder") != b"little":
        raise _LoadError(f"cytorch.load: {name} was saved on a big-endian machine, which cytorch cannot read")
    data = zf.read(pkl[0])            # checks its CRC

    def read(key, dtype, numel):
        try:
            info = zf.getinfo(f"{prefix}data/{key}")
        except KeyError:
            raise _corrupt(name, f"storage record data/{key!r:.40} is missing") from None
        nbytes = numel * dtype.itemsize
        if info.file_size != nbytes:
            raise _corrupt(name, f"storage record data/{key} holds {info.file_size} bytes, not {nbytes}")
        if info.compress_type != zipfile.ZIP_STORED:
            raw = np.frombuffer(zf.read(info), dtype=_NP[dtype._name]).copy()
            from cytorch import from_numpy
            base = from_numpy(raw)
            return base if dtype._name != "bfloat16" else base._view_dtype(dtype)
        local = src.read_at(info.header_offset, 30)
        if local[:4] != b"PK\x03\x04":
            raise _corrupt(name, f"bad zip local header for data/{key}")
        n, m = struct.unpack("<HH", local[26:30])
        return src.region(info.header_offset + 30 + n + m, nbytes, dtype)

    return _unpickle(io.BytesIO(data), src, _Storages(src, loc, read), weights_only, encoding)


def _load_torch_legacy(src, loc, weights_only, encoding):
    name, f = src.name, src.file
    if src.size > 262 and src.read_at(257, 5) == b"ustar":
        raise _LoadError(f"cytorch.load: {name} is a tar checkpoint (PyTorch < 0.4), which cytorch cannot read")
    f.seek(0)
    if _unpickle(f, src, None, True, encoding) != _TORCH_MAGIC:
        raise _LoadError(f"cytorch.load: {name} is not a cytorch, safetensors or PyTorch file (no magic number)")
    if _unpickle(f, src, None, True, encoding) != _TORCH_PROTOCOL:
        raise _corrupt(name, "unknown PyTorch legacy protocol version")
    info = _unpickle(f, src, None, True, encoding)
    if type(info) is not dict or info.get("little_endian") is not True:
        raise _LoadError(f"cytorch.load: {name} was saved on a big-endian machine, which cytorch cannot read")
    pending = {}

    def read(key, dtype, numel):     # the bytes come after the pickle: allocate now, fill below
        base = _C.empty((numel,), dtype if dtype._name != "bfloat16" else _dtype("int16"))
        pending[key] = base
        return base if dtype._name != "bfloat16" else base._view_dtype(dtype)

    fixups = []
    obj = _unpickle(f, src, _Storages(src, loc, read, fixups), weights_only, encoding)
    keys = _unpickle(f, src, None, True, encoding)
    if type(keys) is not list or set(keys) != set(pending) or len(keys) != len(pending):
        raise _corrupt(name, "the storage key list does not match the storages the pickle uses")
    for key in keys:
        base = pending[key]
        head = f.read(8)
        if len(head) != 8:
            raise _corrupt(name, f"the file ends before storage {key!r:.40}")
        (numel,) = struct.unpack("<q", head)
        if numel != base.numel():
            raise _corrupt(name, f"storage {key!r:.40} has {numel} elements on disk, the pickle says {base.numel()}")
        src.readinto(memoryview(base.numpy()).cast("B"))
    for fix in fixups:
        fix()
    return obj


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args):
    """Load what ``cytorch.save`` wrote, any safetensors file, or a file written by ``torch.save``.

    Args:
        f: a path (str or os.PathLike) or a binary file object (read from its start).
        map_location: None, ``'cpu'``, a ``cytorch.device``, a dict mapping saved locations to
            targets (``{'cuda:0': 'cpu'}``) or a callable ``(storage, location)``. Only the CPU
            exists: storages saved on a GPU need a map_location that sends them to the CPU.
        pickle_module: ignored (cytorch reads pickles with its own restricted reader).
        weights_only: True (the default, as in PyTorch): PyTorch pickles may hold only tensors,
            containers, numbers, strings, torch.Size/dtype/device; anything else raises
            ``pickle.UnpicklingError`` naming it, and nothing from the file ever runs.
            False: other globals in a PyTorch pickle are imported and may run code, with a
            ``UserWarning`` naming each (only for files you trust; torch's own classes still
            cannot be rebuilt without torch). safetensors files never hold code, so the flag
            changes nothing for them.
        mmap: map tensors from the file instead of reading them (safetensors and PyTorch zip
            files; copy-on-write, so writes to the tensors never reach the file). Pages are read
            when touched. Not available for the legacy format, as in PyTorch.
        pickle_load_args: ``encoding`` for Python 2 strings (default "utf-8").

    Returns:
        the saved object: dicts come back as dicts, OrderedDicts as OrderedDicts (with a
        state_dict's ``_metadata``), tensors sharing memory as views of one storage.

    A truncated or corrupt file raises ``RuntimeError`` naming the file.

    Example::

        >>> model.load_state_dict(cytorch.load("model.pt", map_location="cpu"))
    """
    weights_only = True if weights_only is None else bool(weights_only)
    encoding = pickle_load_args.pop("encoding", "utf-8")
    if pickle_load_args:
        raise TypeError(f"cytorch.load: unexpected arguments {sorted(pickle_load_args)}")
    loc = _Locations(map_location)
    src = _Source(f, bool(mmap))
    try:
        head = src.read_at(0, min(src.size, 32))
        if not head:
            raise _corrupt(src.name, "the file is empty")
        if head[:4] == b"PK\x03\x04":
            return _load_torch_zip(src, loc, weights_only, encoding)
        if len(head) >= 9 and head[8:9] == b"{":
            return _load_safetensors(src, loc)
        if _LEGACY_MAGIC not in head and _LEGACY_MAGIC_TEXT not in head:
            raise _LoadError(f"cytorch.load: {src.name} is not a cytorch, safetensors or PyTorch file")
        if mmap:
            raise _LoadError("cytorch.load: mmap=True needs a safetensors file or a PyTorch zip file; "
                             f"{src.name} looks like PyTorch's legacy format (save it again with cytorch.save)")
        return _load_torch_legacy(src, loc, weights_only, encoding)
    except (_LoadError, Refused):
        raise
    except Exception as e:
        raise _corrupt(src.name, f"{type(e).__name__}: {e}") from e
    finally:
        src.close()
