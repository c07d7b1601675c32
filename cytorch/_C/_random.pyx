# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Generators and random fills over the Philox kernels in src_c/ct_random.c.

A Generator is (seed, offset): a fill of n elements uses the Philox blocks
offset .. offset + blocks(n) - 1 under key seed, then advances offset. So a
result depends only on the seed and on the calls made before it, never on
the thread count.
"""
from libc.stdint cimport int64_t, uint64_t, uint32_t, uint8_t
from libc.string cimport memcpy
from cytorch._C.ct cimport *
from cytorch._C._tensor cimport (TensorBase, _empty, _cast, _contiguous, _is_contiguous, _copy_into,
                                 _check_err, _SIZES_C)

import os

cdef extern from "ct_random.h" nogil:
    enum:
        CT_RNG_LANES
        CT_DIST_UNIFORM
        CT_DIST_NORMAL
        CT_DIST_EXPONENTIAL
        CT_DIST_CAUCHY
        CT_DIST_LOG_NORMAL
        CT_DIST_GEOMETRIC
    void ct_philox4x32_10(const uint32_t *ctr, const uint32_t *key, uint32_t *out)
    uint64_t ct_sample_blocks(int dist, int is_f64, int64_t n)
    int ct_sample_f32(float *out, int64_t n, uint64_t seed, uint64_t offset, int dist, double a, double b)
    int ct_sample_f64(double *out, int64_t n, uint64_t seed, uint64_t offset, int dist, double a, double b)
    uint64_t ct_randint_blocks(uint64_t range, int64_t n)
    int ct_randint_i64(int64_t *out, int64_t n, uint64_t seed, uint64_t offset, int64_t low, uint64_t range)
    uint64_t ct_bernoulli_blocks(int64_t n)
    int ct_bernoulli_u8(uint8_t *out, int64_t n, const double *p, int64_t p_step, uint64_t seed, uint64_t offset)
    int ct_poisson_f64(double *out, const double *rate, int64_t n, uint64_t seed, uint64_t offset)
    uint64_t ct_randperm_blocks(int64_t n)
    int ct_randperm_i64(int64_t *out, int64_t n, uint64_t seed, uint64_t offset)
    int ct_multinomial_f64(int64_t *out, const double *w, int64_t rows, int64_t k, int64_t ns,
                           int replacement, uint64_t seed, uint64_t offset)

DIST = {"uniform": CT_DIST_UNIFORM, "normal": CT_DIST_NORMAL, "exponential": CT_DIST_EXPONENTIAL,
        "cauchy": CT_DIST_CAUCHY, "log_normal": CT_DIST_LOG_NORMAL, "geometric": CT_DIST_GEOMETRIC}

DEFAULT_SEED = 67280421310721
LANES = CT_RNG_LANES
STATE_BYTES = 16


cdef class Generator:
    """A Philox4x32-10 random number generator: a 64-bit seed and a 64-bit block offset.

    Args:
        device: only ``"cpu"``.

    Example::

        >>> g = cytorch.Generator().manual_seed(0)
        >>> cytorch.rand(2, generator=g).shape
        cytorch.Size([2])
    """
    cdef public uint64_t _seed
    cdef public uint64_t _offset
    cdef object _device

    def __init__(self, device="cpu"):
        from cytorch._tensor import device as _device, _check_device
        _check_device(device)
        self._device = _device(device)
        self._seed = DEFAULT_SEED
        self._offset = 0

    @property
    def device(self):
        return self._device

    def manual_seed(self, seed):
        """Reset to ``seed`` (any int in [-2**63, 2**64)) and return self."""
        s = int(seed)
        if s < -(1 << 63) or s >= (1 << 64):
            raise ValueError(f"Overflow when unpacking long long: seed {s} is outside [-2**63, 2**64)")
        self._seed = <uint64_t>(s & 0xFFFFFFFFFFFFFFFF)
        self._offset = 0
        return self

    def seed(self):
        """Seed from the operating system's entropy; return the new seed."""
        s = int.from_bytes(os.urandom(8), "little") & 0x7FFFFFFFFFFFFFFF
        self.manual_seed(s)
        return s

    def initial_seed(self):
        return self._seed

    def get_state(self):
        """The state as a uint8 tensor of 16 bytes (seed, offset; little-endian)."""
        cdef int64_t n = STATE_BYTES
        cdef TensorBase t = _empty(CT_UINT8, 1, &n)
        cdef uint64_t words[2]
        words[0] = self._seed
        words[1] = self._offset
        memcpy(t._data, words, STATE_BYTES)
        return t

    def set_state(self, new_state):
        """Restore a state from :meth:`get_state`; returns self."""
        if not isinstance(new_state, TensorBase) or (<TensorBase>new_state)._dtype != CT_UINT8:
            raise TypeError("RNG state must be a cytorch.ByteTensor")
        cdef TensorBase t = _contiguous(<TensorBase>new_state)
        if t._numel != STATE_BYTES:
            raise RuntimeError(
                f"Expected a cytorch Philox generator state of size {STATE_BYTES} but found the input "
                f"RNG state size to be {t._numel}")
        cdef uint64_t words[2]
        memcpy(words, t._data, STATE_BYTES)
        self._seed = words[0]
        self._offset = words[1]
        return self

    def get_offset(self):
        return self._offset

    def set_offset(self, offset):
        self._offset = <uint64_t>int(offset)
        return self

    def clone_state(self):
        g = Generator(self._device)
        (<Generator>g)._seed = self._seed
        (<Generator>g)._offset = self._offset
        return g

    def __reduce__(self):
        return (_rebuild_generator, (self._seed, self._offset))

    def __repr__(self):
        return f"<cytorch._C.Generator object at {hex(id(self))}>"


def _rebuild_generator(seed, offset):
    g = Generator()
    (<Generator>g)._seed = seed
    (<Generator>g)._offset = offset
    return g


default_generator = Generator()


cdef Generator _gen(object g):
    if g is None:
        return <Generator>default_generator
    if not isinstance(g, Generator):
        raise TypeError(f"generator must be a cytorch.Generator, not {type(g).__name__}")
    return <Generator>g


cdef uint64_t _take(Generator g, uint64_t blocks):
    """Reserve ``blocks`` Philox blocks; return the first."""
    cdef uint64_t start = g._offset
    g._offset += blocks
    return start


def _philox(ctr, key):
    """One Philox4x32-10 block (for known-answer tests)."""
    cdef uint32_t c[4]
    cdef uint32_t k[2]
    cdef uint32_t o[4]
    cdef int i
    for i in range(4):
        c[i] = ctr[i]
    for i in range(2):
        k[i] = key[i]
    ct_philox4x32_10(c, k, o)
    return (o[0], o[1], o[2], o[3])


cdef int _store(TensorBase target, TensorBase buf) except -1:
    """Write a freshly generated contiguous buffer into target (any layout/dtype)."""
    if buf is not target:
        _copy_into(target, buf)
    target._storage._version += 1
    return 0


def _fill(TensorBase t, str dist, double a, double b, generator=None):
    """t := samples of ``dist`` (parameters a, b), in place; floating dtypes only."""
    cdef Generator g = _gen(generator)
    cdef int code = DIST[dist]
    cdef int is64 = t._dtype == CT_FLOAT64
    cdef int native = (t._dtype == CT_FLOAT32 or is64) and _is_contiguous(t)
    cdef TensorBase buf = t if native else _empty(CT_FLOAT64 if is64 else CT_FLOAT32, t._ndim, t._shape)
    cdef int64_t n = t._numel
    cdef uint64_t start = _take(g, ct_sample_blocks(code, is64, n))
    cdef int err
    with nogil:
        if is64:
            err = ct_sample_f64(<double *>buf._data, n, g._seed, start, code, a, b)
        else:
            err = ct_sample_f32(<float *>buf._data, n, g._seed, start, code, a, b)
    _check_err(err, dist + "_")
    return _store(t, buf)


def _fill_randint(TensorBase t, int64_t low, uint64_t span, generator=None):
    """t := low + uniform integers in [0, span) (span 0: all 64 bits), in place."""
    cdef Generator g = _gen(generator)
    cdef int native = t._dtype == CT_INT64 and _is_contiguous(t)
    cdef TensorBase buf = t if native else _empty(CT_INT64, t._ndim, t._shape)
    cdef int64_t n = t._numel
    cdef uint64_t start = _take(g, ct_randint_blocks(span, n))
    cdef int err
    with nogil:
        err = ct_randint_i64(<int64_t *>buf._data, n, g._seed, start, low, span)
    _check_err(err, "random_")
    return _store(t, buf)


def _bernoulli_into(TensorBase t, TensorBase p, generator=None):
    """t := (U < p) with p a float64 tensor of t's shape, or 0-d (one p for all)."""
    cdef Generator g = _gen(generator)
    cdef TensorBase pc = _contiguous(p)
    cdef int native = (t._dtype == CT_UINT8 or t._dtype == CT_BOOL) and _is_contiguous(t)
    cdef TensorBase buf = t if native else _empty(CT_UINT8, t._ndim, t._shape)
    cdef int64_t n = t._numel
    cdef int64_t step = 0 if pc._numel == 1 and n != 1 else 1
    if pc._dtype != CT_FLOAT64 or (step == 1 and pc._numel != n):
        raise RuntimeError("bernoulli: internal error, p must be float64 with the output's size")
    cdef uint64_t start = _take(g, ct_bernoulli_blocks(n))
    cdef int err
    with nogil:
        err = ct_bernoulli_u8(<uint8_t *>buf._data, n, <double *>pc._data, step, g._seed, start)
    if err == CT_ERR_VALUE:
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    _check_err(err, "bernoulli")
    return _store(t, buf)


def _poisson(TensorBase rate, generator=None):
    """A float64 tensor of Poisson(rate) draws; rate: contiguous float64."""
    cdef Generator g = _gen(generator)
    cdef TensorBase rc = _contiguous(rate)
    cdef TensorBase out = _empty(CT_FLOAT64, rc._ndim, rc._shape)
    cdef int64_t n = rc._numel
    cdef uint64_t start = _take(g, <uint64_t>n)
    cdef int err
    with nogil:
        err = ct_poisson_f64(<double *>out._data, <double *>rc._data, n, g._seed, start)
    if err == CT_ERR_VALUE:
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    _check_err(err, "poisson")
    return out


def _randperm(int64_t n, generator=None):
    cdef Generator g = _gen(generator)
    cdef TensorBase out = _empty(CT_INT64, 1, &n)
    cdef uint64_t start = _take(g, ct_randperm_blocks(n))
    cdef int err
    with nogil:
        err = ct_randperm_i64(<int64_t *>out._data, n, g._seed, start)
    _check_err(err, "randperm")
    return out


def _multinomial(TensorBase w, int64_t ns, bint replacement, generator=None):
    """rows x ns int64 samples from a 2-d float64 weight tensor."""
    cdef Generator g = _gen(generator)
    cdef TensorBase wc = _contiguous(w)
    cdef int64_t shape[2]
    shape[0] = wc._shape[0]
    shape[1] = ns
    cdef TensorBase out = _empty(CT_INT64, 2, shape)
    cdef uint64_t start = _take(g, <uint64_t>shape[0])
    cdef int err
    with nogil:
        err = ct_multinomial_f64(<int64_t *>out._data, <double *>wc._data, wc._shape[0], wc._shape[1], ns,
                                 replacement, g._seed, start)
    if err == CT_ERR_VALUE:
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if err == CT_ERR_INDEX:
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    _check_err(err, "multinomial")
    return out
