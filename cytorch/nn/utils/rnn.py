"""Variable-length sequences for the recurrent layers: PackedSequence and its helpers.

A PackedSequence holds a batch of sequences of different lengths without padding: ``data``
stacks, step after step, the rows of the sequences still running at that step (sorted by
decreasing length), and ``batch_sizes[t]`` says how many there are. RNN, LSTM and GRU accept
it directly (their C kernel runs on exactly these rows) and return one.

Packing and unpacking are single differentiable gathers (``index_select``), so gradients
flow through them.
"""
from collections import namedtuple

import cytorch
from cytorch._C._tensor import TensorBase

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence",
           "unpad_sequence", "pack_sequence", "unpack_sequence"]

_PackedSequenceBase = namedtuple("PackedSequence_", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])


def invert_permutation(permutation):
    """The inverse of a permutation (an int64 tensor), or None for None."""
    if permutation is None:
        return None
    n = permutation.numel()
    out = cytorch.empty(n, dtype=cytorch.int64)
    out[permutation] = cytorch.arange(n)
    return out


class PackedSequence(_PackedSequenceBase):
    r"""Holds the data and ``batch_sizes`` of a packed batch of sequences.

    Made by :func:`pack_padded_sequence` or :func:`pack_sequence` (do not build one by hand).

    Attributes:
        data (Tensor): :math:`(\sum_t \text{batch\_sizes}[t], *)` the packed rows.
        batch_sizes (Tensor): int64, the number of sequences running at each step.
        sorted_indices (Tensor, optional): the order the batch was sorted into (by length).
        unsorted_indices (Tensor, optional): its inverse, to restore the original order.

    Example::

        >>> seqs = [cytorch.ones(3, 2), cytorch.ones(1, 2)]
        >>> p = pack_sequence(seqs)
        >>> p.batch_sizes
        tensor([2, 1, 1])
    """

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:                      # PackedSequence((data, batch_sizes))
            data, batch_sizes = data
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def _with_data(self, data):
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def to(self, *args, **kwargs):
        """``data.to(...)``; the PackedSequence itself when nothing changes."""
        data = self.data.to(*args, **kwargs)
        return self if data is self.data else self._with_data(data)

    def cpu(self, *args, **kwargs):
        return self

    def cuda(self, *args, **kwargs):
        raise RuntimeError("cytorch has no CUDA backend yet")

    def pin_memory(self):
        return self

    def double(self):
        return self.to(dtype=cytorch.float64)

    def float(self):
        return self.to(dtype=cytorch.float32)

    def half(self):
        return self.to(dtype=cytorch.float16)

    def long(self):
        return self.to(dtype=cytorch.int64)

    def int(self):
        return self.to(dtype=cytorch.int32)

    def short(self):
        return self.to(dtype=cytorch.int16)

    def char(self):
        return self.to(dtype=cytorch.int8)

    def byte(self):
        return self.to(dtype=cytorch.uint8)

    @property
    def is_cuda(self):
        return False

    def is_pinned(self):
        return False


def _lengths_list(lengths):
    if isinstance(lengths, TensorBase):
        if lengths.dim() != 1:
            raise RuntimeError(f"'lengths' argument should be a 1D tensor, but got a {lengths.dim()}D tensor")
        return [int(v) for v in lengths.tolist()]
    return [int(v) for v in lengths]


def _batch_sizes(lengths):
    """batch_sizes[t] = how many lengths exceed t (lengths sorted decreasingly)."""
    T = lengths[0] if lengths else 0
    bs = [0] * T
    for n in lengths:
        for t in range(n):
            bs[t] += 1
    return bs


def _packed_rows(lengths, batch_first, T, B):
    """Row of the (T*B) padded input (time-major, or batch-major with batch_first) for each
    packed row, in packed order."""
    rows = []
    for t in range(T):
        for b in range(B):
            if lengths[b] > t:
                rows.append(b * T + t if batch_first else t * B + b)
    return rows


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    r"""Packs a padded batch of variable-length sequences.

    Args:
        input (Tensor): :math:`(T, B, *)` (or :math:`(B, T, *)` with ``batch_first``), padded.
        lengths (Tensor or list(int)): each sequence's length (all > 0).
        batch_first (bool): the batch is the first dim.
        enforce_sorted (bool): require lengths sorted in decreasing order; with False the batch
            is sorted here and the order is restored by :func:`pad_packed_sequence`.

    Returns:
        a :class:`PackedSequence`.

    Example::

        >>> x = cytorch.randn(4, 2, 3)
        >>> pack_padded_sequence(x, [4, 2]).batch_sizes
        tensor([2, 2, 1, 1])
    """
    lens = _lengths_list(lengths)
    sorted_indices = None
    if enforce_sorted:
        if any(lens[i] < lens[i + 1] for i in range(len(lens) - 1)):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. "
                               "You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to "
                               "sidestep this requirement if you do not need ONNX exportability.")
    else:
        order = sorted(range(len(lens)), key=lambda i: -lens[i])
        sorted_indices = cytorch.tensor(order, dtype=cytorch.int64)
        input = input.index_select(0 if batch_first else 1, sorted_indices)
        lens = [lens[i] for i in order]
    if any(n <= 0 for n in lens):
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' "
                           "that is <= 0")
    B = input.shape[0 if batch_first else 1]
    T = input.shape[1 if batch_first else 0]
    if len(lens) != B:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got {len(lens)} "
                           f"(batch_size={B})")
    if lens and lens[0] > T:
        raise RuntimeError(f"Length {lens[0]} is larger than the padded sequence length {T}")
    rows = _packed_rows(lens, batch_first, T, B)
    flat = input.reshape((T * B,) + tuple(input.shape[2:]))
    data = flat.index_select(0, cytorch.tensor(rows, dtype=cytorch.int64))
    return PackedSequence(data, cytorch.tensor(_batch_sizes(lens), dtype=cytorch.int64), sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    r"""Pads a packed batch back to a tensor (the inverse of :func:`pack_padded_sequence`).

    Args:
        sequence (PackedSequence): the batch.
        batch_first (bool): return :math:`(B, T, *)` instead of :math:`(T, B, *)`.
        padding_value (float): the value of the padded positions.
        total_length (int, optional): pad to this many steps (at least the longest length).

    Returns:
        (padded Tensor, lengths) with lengths an int64 tensor, in the batch's original order.

    Example::

        >>> p = pack_sequence([cytorch.ones(3, 2), cytorch.ones(1, 2)])
        >>> x, lengths = pad_packed_sequence(p)
        >>> x.shape, lengths
        (cytorch.Size([3, 2, 2]), tensor([3, 1]))
    """
    data, bs = sequence.data, [int(v) for v in sequence.batch_sizes.tolist()]
    T = len(bs)
    B = bs[0] if bs else 0
    if total_length is not None:
        if total_length < T:
            raise ValueError("Expected total_length to be at least the length of the longest sequence in input, "
                             f"but got total_length={total_length} and max sequence length being {T}")
        T_out = total_length
    else:
        T_out = T
    lens = [sum(1 for t in range(T) if bs[t] > b) for b in range(B)]
    # each padded position reads a packed row, or the extra padding row at the end
    N = data.shape[0]
    src = [N] * (T_out * B)
    k = 0
    for t in range(T):
        for b in range(bs[t]):
            src[(b * T_out + t) if batch_first else (t * B + b)] = k
            k += 1
    pad = cytorch.full((1,) + tuple(data.shape[1:]), padding_value, dtype=data.dtype)
    flat = cytorch.cat([data, pad], 0).index_select(0, cytorch.tensor(src, dtype=cytorch.int64))
    out = flat.reshape(((B, T_out) if batch_first else (T_out, B)) + tuple(data.shape[1:]))
    lengths = cytorch.tensor(lens, dtype=cytorch.int64)
    if sequence.unsorted_indices is not None:
        out = out.index_select(0 if batch_first else 1, sequence.unsorted_indices)
        lengths = lengths[sequence.unsorted_indices]
    return out, lengths


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    r"""Stacks tensors of shape :math:`(L_i, *)` into one :math:`(L_{max}, B, *)` tensor
    (:math:`(B, L_{max}, *)` with ``batch_first``), padding with ``padding_value`` on the
    ``padding_side`` ("right" or "left").

    Example::

        >>> pad_sequence([cytorch.ones(3), cytorch.ones(1)], batch_first=True)
        tensor([[1., 1., 1.],
                [1., 0., 0.]])
    """
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    if isinstance(sequences, TensorBase):
        sequences = list(sequences.unbind(0))
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    L = max(s.shape[0] for s in sequences)
    trail = tuple(sequences[0].shape[1:])
    rows = []
    for s in sequences:
        n = s.shape[0]
        if n < L:
            fill = cytorch.full((L - n,) + trail, padding_value, dtype=s.dtype)
            s = cytorch.cat([s, fill] if padding_side == "right" else [fill, s], 0)
        rows.append(s)
    return cytorch.stack(rows, 0 if batch_first else 1)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    r"""Splits a padded batch into a list of its sequences (the inverse of :func:`pad_sequence`).

    Example::

        >>> x = pad_sequence([cytorch.ones(3), cytorch.ones(1)])
        >>> [s.shape for s in unpad_sequence(x, cytorch.tensor([3, 1]))]
        [cytorch.Size([3]), cytorch.Size([1])]
    """
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [padded_sequences[i, :int(n)] for i, n in enumerate(_lengths_list(lengths))]


def pack_sequence(sequences, enforce_sorted=True):
    r"""Packs a list of tensors :math:`(L_i, *)` (sorted by decreasing length unless
    ``enforce_sorted=False``) into a :class:`PackedSequence`.

    Example::

        >>> pack_sequence([cytorch.tensor([1, 2, 3]), cytorch.tensor([4, 5])]).data
        tensor([1, 4, 2, 5, 3])
    """
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    r"""Unpacks a :class:`PackedSequence` into the list of its sequences (original order).

    Example::

        >>> seqs = [cytorch.tensor([1, 2, 3]), cytorch.tensor([4, 5])]
        >>> unpack_sequence(pack_sequence(seqs))
        [tensor([1, 2, 3]), tensor([4, 5])]
    """
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
