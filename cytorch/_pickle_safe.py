"""Reading PyTorch's pickles (torch.save's data.pkl) without running pickle code.

``SafeUnpickler`` is the pure-Python pickle machine (``pickle._Unpickler``) with every opcode
that could import, call or mutate something replaced:

- GLOBAL / STACK_GLOBAL (``find_class``): only the exact names in ``SAFE_GLOBALS`` resolve,
  each to a stand-in defined here (never the real torch object, never an import). Dotted
  names (protocol 4 attribute chains such as ``OrderedDict.__init__``) do not match.
- REDUCE calls only the stand-in functions below, and each one checks its arguments.
- BUILD only adds plain attributes to an OrderedDict (``state_dict()._metadata``).
- INST, OBJ, NEWOBJ, NEWOBJ_EX, EXT1/2/4 and BYTEARRAY8 (it allocates its length up front) are
  refused; APPEND(S), SETITEM(S) and ADDITEMS act only on the list / dict / set objects the pickle
  itself made; reads are capped at what is left of the file.

Everything refused raises ``Refused`` (a ``pickle.UnpicklingError``) naming the global or
opcode and the file. ``TrustingUnpickler`` (``weights_only=False``) is the ordinary C
unpickler with the same tensor stand-ins; other globals are imported, with a warning.
"""
import math
import pickle
import warnings
from collections import OrderedDict

from cytorch._C import _tensor as _C
from cytorch._C._tensor import TensorBase, Size
from cytorch._tensor import Tensor, device

__all__ = ["SafeUnpickler", "TrustingUnpickler", "Refused", "LoadedStorage", "StorageType",
           "checked_view", "retype"]

_MAX = 1 << 62          # sizes, strides and element counts a file may ask for


class Refused(pickle.UnpicklingError):
    """cytorch.load refused a global, an opcode or the arguments of an allowed call."""


class _BadArgs(Exception):
    """An allowed stand-in got arguments it cannot accept (turned into Refused by REDUCE)."""


def _dtype(name):
    return _C._dtype_from_name(name)


# ---------------------------------------------------------------- storages and views

class StorageType:
    """Stand-in for torch.FloatStorage & co (``dtype`` None: torch.UntypedStorage, bytes)."""

    __slots__ = ("dtype", "name")

    def __init__(self, dtype, name):
        self.dtype = dtype
        self.name = name

    def __repr__(self):
        return f"<storage type {self.name}>"


class LoadedStorage:
    """A storage read from the file: a flat cytorch tensor over its bytes.

    ``typed(dtype)`` gives the same bytes as a flat tensor of another dtype, cached so that
    every view of the storage shares one cytorch Storage. ``fixups`` is a list while the bytes
    are not read yet (PyTorch's legacy format stores them after the pickle): work that needs
    the values (conj/neg metadata) is queued there and run once they are in.
    """

    __slots__ = ("base", "_typed", "fixups")

    def __init__(self, base, fixups=None):
        self.base = base
        self._typed = {base.dtype: base}
        self.fixups = fixups

    def typed(self, dtype):
        t = self._typed.get(dtype)
        if t is None:
            t = self._typed[dtype] = retype(self.base, dtype)
        return t


def retype(base, dtype):
    """A flat contiguous tensor ``base`` seen as ``dtype`` (same bytes, no copy)."""
    if base.dtype == dtype:
        return base
    isz = dtype.itemsize
    if base.element_size() == isz:
        return base._view_dtype(dtype)
    nbytes = base.nbytes
    if nbytes % isz:
        raise _BadArgs(f"a storage of {nbytes} bytes cannot hold {dtype} elements ({isz} bytes each)")
    return _C._from_buffer_view(base, base.data_ptr(), nbytes, dtype, (nbytes // isz,), (1,), 0)


def _int(x, what):
    if type(x) is not int or x < 0 or x >= _MAX:
        raise _BadArgs(f"{what} must be an int in [0, 2**62), got {x!r:.80}")
    return x


def _ints(xs, what):
    if type(xs) not in (tuple, list, Size) or len(xs) > 16:
        raise _BadArgs(f"{what} must be a tuple of at most 16 ints, got {xs!r:.80}")
    return tuple(_int(x, what) for x in xs)


def checked_view(base, size, stride, offset):
    """``base._as_strided(size, stride, offset)`` after checking, with Python ints, that the
    view stays inside ``base`` (a flat tensor) and that its element count is sane."""
    size, stride, offset = _ints(size, "size"), _ints(stride, "stride"), _int(offset, "storage offset")
    if len(size) != len(stride):
        raise _BadArgs(f"size {list(size)} and stride {list(stride)} differ in length")
    if math.prod(size) >= _MAX:
        raise _BadArgs(f"size {list(size)} has too many elements")
    if 0 not in size:
        end = offset + sum((n - 1) * s for n, s in zip(size, stride)) + 1
        if end > base.numel():
            raise _BadArgs(f"a view of size {list(size)}, stride {list(stride)} at offset {offset} needs "
                           f"{end} elements but its storage holds {base.numel()}")
    return base._as_strided(size, stride, offset)


# ---------------------------------------------------------------- tensor rebuild stand-ins
# Same names and argument lists as torch._utils' functions; they build cytorch tensors.

class _ParameterType:
    """Stand-in for torch.nn.Parameter (only a type tag for _rebuild_from_type_v2)."""

    def __repr__(self):
        return "<Parameter type>"


_PARAMETER = _ParameterType()


def _as_parameter(t, requires_grad):
    from cytorch import nn
    Parameter = getattr(nn, "Parameter", None)
    if Parameter is None:       # nn.Parameter not there yet: a tensor with the same flag
        return t.detach().requires_grad_(requires_grad)
    return Parameter(t, requires_grad)


def _set_state(t, state):
    """Attributes a tensor carried (its __dict__); none may shadow a class attribute."""
    if state is None:
        return t
    if type(state) is tuple and len(state) == 2 and not state[1]:
        state = state[0]
    if type(state) is not dict:
        raise _BadArgs(f"tensor state must be a dict, got {type(state).__name__}")
    for k in state:
        if type(k) is not str or not k.isidentifier() or hasattr(type(t), k):
            raise _BadArgs(f"tensor attribute {k!r:.60} is not allowed")
    t.__dict__.update(state)
    return t


def _resolve(t, ops):
    for op in ops:
        t = t.conj() if op == "conj" else -t
    return t


def _finish(t, storage, requires_grad, metadata):
    """Apply PyTorch's conj/neg bits (the values become a copy, as resolve_conj() makes) and
    requires_grad."""
    if metadata:
        if type(metadata) is not dict:
            raise _BadArgs("tensor metadata must be a dict")
        ops = []
        for k, v in metadata.items():
            if k in ("conj", "neg") and v is True:
                ops.append(k)
            elif v:
                raise _BadArgs(f"unsupported tensor metadata {k!r:.40}")
        if ops and storage.fixups is None:
            t = _resolve(t, ops)
        elif ops:
            from cytorch import empty
            view, t = t, empty(tuple(t.shape), dtype=t.dtype)
            storage.fixups.append(lambda: t.copy_(_resolve(view, ops)))
    if type(requires_grad) is not bool:
        raise _BadArgs("requires_grad must be a bool")
    if requires_grad:
        t.requires_grad_(True)
    return t


def _rebuild_tensor(storage, storage_offset, size, stride):
    if not isinstance(storage, LoadedStorage):
        raise _BadArgs(f"expected a storage, got {type(storage).__name__}")
    return checked_view(storage.base, size, stride, storage_offset)


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks, metadata=None):
    return _finish(_rebuild_tensor(storage, storage_offset, size, stride), storage, requires_grad, metadata)


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype,
                       metadata=None):
    if not isinstance(storage, LoadedStorage) or not isinstance(dtype, _C.dtype):
        raise _BadArgs("expected a storage and a dtype")
    t = checked_view(storage.typed(dtype), size, stride, storage_offset)
    return _finish(t, storage, requires_grad, metadata)


def _rebuild_parameter(data, requires_grad, backward_hooks):
    if not isinstance(data, TensorBase) or type(requires_grad) is not bool:
        raise _BadArgs("expected a tensor and a bool")
    return _as_parameter(data, requires_grad)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    return _set_state(_rebuild_parameter(data, requires_grad, backward_hooks), state)


_REBUILDERS = (_rebuild_tensor, _rebuild_tensor_v2, _rebuild_tensor_v3, _rebuild_parameter,
               _rebuild_parameter_with_state)


def _rebuild_from_type_v2(func, new_type, args, state):
    if not any(func is f for f in _REBUILDERS) or type(args) is not tuple:
        raise _BadArgs("expected a tensor rebuild function and its arguments")
    if new_type is not Tensor and new_type is not _PARAMETER:
        raise _BadArgs(f"tensor type {new_type!r:.60} is not allowed")
    t = func(*args)
    if new_type is _PARAMETER and t.__class__.__name__ != "Parameter":
        t = _as_parameter(t, t.requires_grad)
    return _set_state(t, state)


# ---------------------------------------------------------------- other stand-ins

def _ordered_dict(items=()):
    if type(items) not in (list, tuple) or any(type(kv) not in (list, tuple) or len(kv) != 2 for kv in items):
        raise _BadArgs("OrderedDict takes a list of (key, value) pairs")
    return OrderedDict(items)


def _size(dims=()):
    if type(dims) not in (list, tuple) or any(type(d) is not int for d in dims):
        raise _BadArgs("torch.Size takes a tuple of ints")
    return Size(dims)


def _device(type_, index=None):
    if type(type_) is not str or not (index is None or type(index) is int):
        raise _BadArgs("torch.device takes a str and an optional int")
    return device(type_, index)


def _complex(real=0.0, imag=0.0):
    if type(real) not in (int, float) or type(imag) not in (int, float):
        raise _BadArgs("complex takes two real numbers")
    return complex(real, imag)


def _simple_items(items):
    if type(items) not in (list, tuple) or any(type(x) not in (int, float, str, bool, bytes, tuple, type(None))
                                               for x in items):
        raise _BadArgs("a set takes a list of numbers, strings, bytes or tuples")
    return items


def _set(items=()):
    return set(_simple_items(items))


def _frozenset(items=()):
    return frozenset(_simple_items(items))


def _latin1(s, encoding):
    if type(s) is not str or encoding not in ("latin1", "latin-1"):
        raise _BadArgs("only (str, 'latin1') is accepted")
    return s.encode("latin-1")


def _encode(obj, encoding="utf-8"):          # _codecs.encode: how protocol 2 pickles bytes
    return _latin1(obj, encoding)


def _bytearray(source=b"", encoding=None):
    if type(source) is bytes and encoding is None:
        return bytearray(source)
    return bytearray(_latin1(source, encoding))


_DTYPE_NAMES = {n: n for n in ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32",
                                "float64", "complex64", "complex128")}
_DTYPE_NAMES.update(short="int16", int="int32", long="int64", half="float16", float="float32", double="float64",
                    cfloat="complex64", cdouble="complex128")
_STORAGE_NAMES = {"DoubleStorage": "float64", "FloatStorage": "float32", "HalfStorage": "float16",
                  "LongStorage": "int64", "IntStorage": "int32", "ShortStorage": "int16", "CharStorage": "int8",
                  "ByteStorage": "uint8", "BoolStorage": "bool", "BFloat16Storage": "bfloat16",
                  "ComplexDoubleStorage": "complex128", "ComplexFloatStorage": "complex64"}

SAFE_GLOBALS = {
    "torch._utils._rebuild_tensor": _rebuild_tensor,
    "torch._utils._rebuild_tensor_v2": _rebuild_tensor_v2,
    "torch._utils._rebuild_tensor_v3": _rebuild_tensor_v3,
    "torch._utils._rebuild_parameter": _rebuild_parameter,
    "torch._utils._rebuild_parameter_with_state": _rebuild_parameter_with_state,
    "torch._tensor._rebuild_from_type_v2": _rebuild_from_type_v2,
    "torch.Tensor": Tensor,
    "torch.nn.parameter.Parameter": _PARAMETER,
    "torch.Size": _size,
    "torch.device": _device,
    "collections.OrderedDict": _ordered_dict,
    "builtins.complex": _complex,
    "builtins.set": _set,
    "builtins.frozenset": _frozenset,
    "builtins.bytearray": _bytearray,
    "_codecs.encode": _encode,
    "torch.UntypedStorage": StorageType(None, "UntypedStorage"),
    "torch.storage.UntypedStorage": StorageType(None, "UntypedStorage"),
}
SAFE_GLOBALS.update({f"torch.{n}": _dtype(d) for n, d in _DTYPE_NAMES.items()})
SAFE_GLOBALS.update({f"torch.{n}": StorageType(_dtype(d), n) for n, d in _STORAGE_NAMES.items()})

# The only objects REDUCE may call (identity, not equality: a stack item's __eq__ never runs).
_CALLABLE_NAMES = {id(v): k for k, v in SAFE_GLOBALS.items() if callable(v) and v is not Tensor}
_COMPAT_MODULES = {"__builtin__": "builtins", "copy_reg": "copyreg"}

_HINT = ("cytorch.load reads tensors, containers, numbers, strings, torch.Size/dtype/device (like "
         "torch.load(weights_only=True)); save a state_dict rather than a whole object, or pass "
         "weights_only=False for a file you trust")


# ---------------------------------------------------------------- the unpicklers

class _Names:
    def _global(self, module, name):
        module = _COMPAT_MODULES.get(module, module)
        key = f"{module}.{name}"
        obj = SAFE_GLOBALS.get(key)
        if obj is None:
            raise Refused(f"cytorch.load: refusing to load global '{key}' from {self._fname}: {_HINT}")
        return obj


class _Capped:
    """A seekable file whose read(n) never asks for more than what is left, so that a hostile
    length field (BINBYTES8, FRAME, ...) cannot make the reader allocate it."""

    def __init__(self, f):
        self.f = f
        pos = f.tell()
        self.end = f.seek(0, 2)
        f.seek(pos)

    def read(self, n=-1):
        return self.f.read(n if n is None or n < 0 else min(n, self.end - self.f.tell()))

    def readline(self):
        return self.f.readline()

    def readinto(self, b):
        return self.f.readinto(b)


class SafeUnpickler(_Names, pickle._Unpickler):
    """A pickle reader that never imports, never calls anything but SAFE_GLOBALS' stand-ins."""

    dispatch = dict(pickle._Unpickler.dispatch)

    def __init__(self, file, fname, persistent_load, encoding="utf-8"):
        super().__init__(_Capped(file), encoding=encoding)
        self._fname = fname
        self._persistent = persistent_load

    def find_class(self, module, name):
        return self._global(module, name)

    def persistent_load(self, pid):
        if self._persistent is None:
            raise Refused(f"cytorch.load: refusing persistent id {pid!r:.100} in {self._fname}")
        return self._persistent(pid)

    def _refuse(self, what):
        return Refused(f"cytorch.load: refusing pickle opcode {what} in {self._fname}: {_HINT}")

    def _load_reduce(self):
        stack = self.stack
        args = stack.pop()
        func = stack[-1]
        name = _CALLABLE_NAMES.get(id(func))
        if name is None or SAFE_GLOBALS[name] is not func:
            raise self._refuse(f"REDUCE on {type(func).__name__}")
        if type(args) is not tuple:
            raise Refused(f"cytorch.load: REDUCE arguments must be a tuple in {self._fname}")
        try:
            stack[-1] = func(*args)
        except Refused:
            raise
        except Exception as e:   # wrong arity, _BadArgs, a view out of bounds: hostile or corrupt
            raise Refused(f"cytorch.load: invalid arguments to '{name}' in {self._fname}: {e}") from None
    dispatch[pickle.REDUCE[0]] = _load_reduce

    def _load_build(self):
        state = self.stack.pop()
        inst = self.stack[-1]
        if type(state) is dict and not state:
            return
        if type(inst) is OrderedDict and type(state) is dict and all(
                type(k) is str and not k.startswith("__") for k in state):
            inst.__dict__.update(state)      # state_dict()._metadata
            return
        raise self._refuse(f"BUILD on {type(inst).__name__}")
    dispatch[pickle.BUILD[0]] = _load_build

    def _names(self):
        module, name = self.readline(), self.readline()
        if not module.endswith(b"\n") or not name.endswith(b"\n"):   # a cut file, not a global to refuse
            raise EOFError("the pickle ends inside a global's name")
        return module[:-1].decode("utf-8"), name[:-1].decode("utf-8")

    def _load_global(self):
        self.append(self.find_class(*self._names()))
    dispatch[pickle.GLOBAL[0]] = _load_global

    def _load_inst(self):
        module, name = self._names()
        self.find_class(module, name)
        raise self._refuse(f"INST ({module}.{name})")
    dispatch[pickle.INST[0]] = _load_inst

    def _refuser(what):
        def load(self):
            raise self._refuse(what)
        return load
    for _op in ("OBJ", "NEWOBJ", "NEWOBJ_EX", "EXT1", "EXT2", "EXT4", "BYTEARRAY8"):
        dispatch[getattr(pickle, _op)[0]] = _refuser(_op)
    del _op, _refuser

    def _container(self, types, what):
        obj = self.stack[-1]
        if type(obj) not in types:
            raise self._refuse(f"{what} on {type(obj).__name__}")
        return obj

    def _load_append(self):
        value = self.stack.pop()
        self._container((list,), "APPEND").append(value)
    dispatch[pickle.APPEND[0]] = _load_append

    def _load_appends(self):
        items = self.pop_mark()
        self._container((list,), "APPENDS").extend(items)
    dispatch[pickle.APPENDS[0]] = _load_appends

    def _load_setitem(self):
        value = self.stack.pop()
        key = self.stack.pop()
        self._container((dict, OrderedDict), "SETITEM")[key] = value
    dispatch[pickle.SETITEM[0]] = _load_setitem

    def _load_setitems(self):
        items = self.pop_mark()
        d = self._container((dict, OrderedDict), "SETITEMS")
        for i in range(0, len(items), 2):
            d[items[i]] = items[i + 1]
    dispatch[pickle.SETITEMS[0]] = _load_setitems

    def _load_additems(self):
        items = self.pop_mark()
        self._container((set,), "ADDITEMS").update(items)
    dispatch[pickle.ADDITEMS[0]] = _load_additems


class TrustingUnpickler(_Names, pickle.Unpickler):
    """weights_only=False: PyTorch's tensor globals map to the stand-ins; any other global is
    imported and may run (with a warning naming it). torch's own classes cannot be rebuilt."""

    def __init__(self, file, fname, persistent_load, encoding="utf-8"):
        super().__init__(file, encoding=encoding)
        self._fname = fname
        self._persistent = persistent_load

    def find_class(self, module, name):
        module = _COMPAT_MODULES.get(module, module)
        if f"{module}.{name}" in SAFE_GLOBALS or module == "torch" or module.startswith("torch."):
            return self._global(module, name)
        warnings.warn(f"cytorch.load(weights_only=False): {self._fname} imports '{module}.{name}', "
                      "which may run code; only load files you trust", UserWarning, stacklevel=2)
        return super().find_class(module, name)

    def persistent_load(self, pid):
        if self._persistent is None:
            raise Refused(f"cytorch.load: refusing persistent id {pid!r:.100} in {self._fname}")
        return self._persistent(pid)
