"""Recurrent layers: RNNBase, RNN, LSTM, GRU and the single-step cells.

Each layer and direction runs as one fused C call (see cytorch/nn/_rnn_functional.py): one
gemm for the whole sequence's input projection, one per step for the hidden state, the gate
maths fused. Parameter names, shapes, gate layout ([i, f, g, o] for LSTM, [r, z, n] for GRU)
and initialisation are PyTorch's, so state_dicts move both ways.
"""
import math
import numbers
import warnings
import weakref

import cytorch
from cytorch.nn import init
from cytorch.nn._rnn_functional import _layer, rnn_stack
from cytorch.nn.modules._utils import _optional_parameter
from cytorch.nn.modules.module import Module
from cytorch.nn.parameter import Parameter
from cytorch.nn.utils.rnn import PackedSequence

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]


def _apply_permutation(tensor, permutation, dim=1):
    return tensor.index_select(dim, permutation)


class RNNBase(Module):
    r"""Base class of RNN, LSTM and GRU (``mode`` is "RNN_TANH", "RNN_RELU", "LSTM" or "GRU").

    Args:
        input_size, hidden_size (int); num_layers (int): stacked layers. Default: 1
        bias (bool): learn b_ih and b_hh. Default: True
        batch_first (bool): inputs/outputs are (N, L, H) instead of (L, N, H). Default: False
        dropout (float): dropout on the outputs of each layer but the last, in training. Default: 0
        bidirectional (bool): also run each layer backwards in time. Default: False
        proj_size (int): LSTM only: project h to this size (``weight_hr_l{k}``). Default: 0

    Parameters of layer k (``_reverse`` suffix for the backward direction): ``weight_ih_l{k}``
    :math:`(G \cdot H, I_k)`, ``weight_hh_l{k}`` :math:`(G \cdot H, P)`, ``bias_ih_l{k}``,
    ``bias_hh_l{k}`` :math:`(G \cdot H)`, all drawn from :math:`\mathcal{U}(-1/\sqrt{H}, 1/\sqrt{H})`.
    """

    __constants__ = ["mode", "input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout",
                     "bidirectional", "proj_size"]

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        fk = {"device": device, "dtype": dtype}
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        self._flat_weight_refs = []
        num_directions = 2 if bidirectional else 1
        if not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an element "
                             "being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                          f"expects num_layers greater than 1, but got dropout={dropout} and num_layers={num_layers}",
                          stacklevel=2)
        if not isinstance(bias, bool):
            raise TypeError(f"bias should be of type bool, got: {type(bias).__name__}")
        if not isinstance(batch_first, bool):
            raise TypeError(f"batch_first should be of type bool, got: {type(batch_first).__name__}")
        if not isinstance(input_size, int):
            raise TypeError(f"input_size should be of type int, got: {type(input_size).__name__}")
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        gates = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}.get(mode)
        if gates is None:
            raise ValueError("Unrecognized RNN mode: " + mode)
        gate_size = gates * hidden_size
        real_hidden = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for direction in range(num_directions):
                layer_input = input_size if layer == 0 else real_hidden * num_directions
                params = [Parameter(cytorch.empty((gate_size, layer_input), **fk)),
                          Parameter(cytorch.empty((gate_size, real_hidden), **fk))]
                names = ["weight_ih_l{}{}", "weight_hh_l{}{}"]
                if bias:
                    params += [Parameter(cytorch.empty(gate_size, **fk)), Parameter(cytorch.empty(gate_size, **fk))]
                    names += ["bias_ih_l{}{}", "bias_hh_l{}{}"]
                if proj_size > 0:
                    params.append(Parameter(cytorch.empty((proj_size, hidden_size), **fk)))
                    names.append("weight_hr_l{}{}")
                suffix = "_reverse" if direction == 1 else ""
                names = [n.format(layer, suffix) for n in names]
                for name, p in zip(names, params):
                    setattr(self, name, p)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self._init_flat_weights()
        self.reset_parameters()

    def _init_flat_weights(self):
        self._flat_weights = [getattr(self, wn) if hasattr(self, wn) else None for wn in self._flat_weights_names]
        self._flat_weight_refs = [weakref.ref(w) if w is not None else None for w in self._flat_weights]

    def __setattr__(self, attr, value):
        if hasattr(self, "_flat_weights_names") and attr in self._flat_weights_names:
            idx = self._flat_weights_names.index(attr)
            self._flat_weights[idx] = value
        super().__setattr__(attr, value)

    def flatten_parameters(self):
        """A no-op kept for PyTorch compatibility (the weights are used where they are)."""

    def _apply(self, fn, *args, **kwargs):
        ret = super()._apply(fn, *args, **kwargs)
        self._init_flat_weights()
        return ret

    def reset_parameters(self):
        """Every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def check_input(self, input, batch_sizes):
        w0 = getattr(self, self._flat_weights_names[0])
        if input.dtype != w0.dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype ({w0.dtype}). Convert "
                             f"input: input.to({w0.dtype}), or convert model: model.to({input.dtype})")
        expected = 2 if batch_sizes is not None else 3
        if input.dim() != expected:
            raise RuntimeError(f"input must have {expected} dimensions, got {input.dim()}")
        if self.input_size != input.size(-1):
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, got "
                               f"{input.size(-1)}")

    def get_expected_hidden_size(self, input, batch_sizes):
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        num_directions = 2 if self.bidirectional else 1
        size = self.proj_size if self.proj_size > 0 else self.hidden_size
        return (self.num_layers * num_directions, mini_batch, size)

    def check_hidden_size(self, hx, expected_hidden_size, msg="Expected hidden size {}, got {}"):
        if tuple(hx.size()) != tuple(expected_hidden_size):
            raise RuntimeError(msg.format(expected_hidden_size, list(hx.size())))

    def check_forward_args(self, input, hidden, batch_sizes):
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden, self.get_expected_hidden_size(input, batch_sizes))

    def permute_hidden(self, hx, permutation):
        if permutation is None:
            return hx
        return _apply_permutation(hx, permutation)

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)

    def __setstate__(self, d):
        super().__setstate__(d)
        self._init_flat_weights()

    @property
    def all_weights(self):
        return [[getattr(self, w) for w in weights] for weights in self._all_weights]

    def _weights(self):
        """Per layer, per direction: (w_ih, w_hh, b_ih, b_hh, w_hr), None where absent."""
        D = 2 if self.bidirectional else 1
        out = []
        for layer in range(self.num_layers):
            dirs = []
            for d in range(D):
                sfx = f"_l{layer}" + ("_reverse" if d == 1 else "")
                dirs.append(tuple(getattr(self, n + sfx, None) for n in ("weight_ih", "weight_hh", "bias_ih",
                                                                          "bias_hh", "weight_hr")))
            out.append(dirs)
        return out

    def _run(self, input, hx, cx, batch_sizes):
        """input: packed rows (2-d) or a 3-d batch; returns (output, h_n, c_n)."""
        if batch_sizes is not None:
            T, B = batch_sizes.numel(), int(batch_sizes[0]) if batch_sizes.numel() else 0
            x = input
        else:
            if self.batch_first:
                B, T = input.shape[0], input.shape[1]
                x = input.transpose(0, 1).reshape(T * B, input.shape[2])
            else:
                T, B = input.shape[0], input.shape[1]
                x = input.reshape(T * B, input.shape[2])
        y, h_n, c_n = rnn_stack(self.mode, x, batch_sizes, T, B, hx, cx, self._weights(), self.num_layers,
                                self.dropout, self.training, self.bidirectional)
        if batch_sizes is None:
            y = y.view(T, B, y.shape[1])
            if self.batch_first:
                y = y.transpose(0, 1)
        return y, h_n, c_n

    def _zeros_state(self, B, size, dtype):
        D = 2 if self.bidirectional else 1
        return cytorch.zeros(self.num_layers * D, B, size, dtype=dtype)


class RNN(RNNBase):
    r"""Elman RNN: :math:`h_t = \tanh(x_t W_{ih}^T + b_{ih} + h_{t-1} W_{hh}^T + b_{hh})` (or ReLU).

    Args:
        input_size, hidden_size, num_layers=1, nonlinearity='tanh' ('tanh' or 'relu'), bias=True,
        batch_first=False, dropout=0.0, bidirectional=False (see :class:`RNNBase`)

    Shape:
        input :math:`(L, N, H_{in})` (batch first: :math:`(N, L, H_{in})`; unbatched
        :math:`(L, H_{in})`) or a PackedSequence; h_0 :math:`(D \cdot \text{num\_layers}, N, H)`.
        Output :math:`(L, N, D \cdot H)` and h_n :math:`(D \cdot \text{num\_layers}, N, H)`.

    Example::

        >>> rnn = nn.RNN(10, 20, 2)
        >>> out, h_n = rnn(cytorch.randn(5, 3, 10))
        >>> out.shape, h_n.shape
        (cytorch.Size([5, 3, 20]), cytorch.Size([2, 3, 20]))
    """

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__(mode, *args, **kwargs)

    def forward(self, input, hx=None):
        return _single_state_forward(self, "RNN", input, hx)


class GRU(RNNBase):
    r"""Gated recurrent unit, PyTorch's formulation:

    .. math::
        r_t = \sigma(W_{ir} x_t + b_{ir} + W_{hr} h_{t-1} + b_{hr}), \quad
        z_t = \sigma(W_{iz} x_t + b_{iz} + W_{hz} h_{t-1} + b_{hz}), \\
        n_t = \tanh(W_{in} x_t + b_{in} + r_t \odot (W_{hn} h_{t-1} + b_{hn})), \quad
        h_t = (1 - z_t) \odot n_t + z_t \odot h_{t-1}

    Args: as :class:`RNNBase` (no proj_size). Shapes as :class:`RNN`.

    Example::

        >>> gru = nn.GRU(10, 20, batch_first=True)
        >>> out, h_n = gru(cytorch.randn(3, 5, 10))
        >>> out.shape
        cytorch.Size([3, 5, 20])
    """

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)

    def forward(self, input, hx=None):
        return _single_state_forward(self, "GRU", input, hx)


def _single_state_forward(self, kind, input, hx):
    """RNN/GRU forward: (output, h_n), PackedSequence in, PackedSequence out."""
    orig = input
    if isinstance(orig, PackedSequence):
        input, batch_sizes, sorted_indices, unsorted_indices = orig
        B = int(batch_sizes[0])
        hx = self._zeros_state(B, self.hidden_size, input.dtype) if hx is None else \
            self.permute_hidden(hx, sorted_indices)
        is_batched = True
    else:
        batch_sizes = sorted_indices = unsorted_indices = None
        if input.dim() not in (2, 3):
            raise ValueError(f"{kind}: Expected input to be 2D or 3D, got {input.dim()}D"
                             f"{' tensor' if kind == 'RNN' else ''} instead")
        is_batched = input.dim() == 3
        batch_dim = 0 if self.batch_first else 1
        if not is_batched:
            input = input.unsqueeze(batch_dim)
            if hx is not None:
                if hx.dim() != 2:
                    raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got {hx.dim()}-D tensor")
                hx = hx.unsqueeze(1)
        elif hx is not None and hx.dim() != 3:
            raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got {hx.dim()}-D tensor")
        B = input.size(0) if self.batch_first else input.size(1)
        if hx is None:
            hx = self._zeros_state(B, self.hidden_size, input.dtype)
    self.check_forward_args(input, hx, batch_sizes)
    out, h_n, _ = self._run(input, hx, None, batch_sizes)
    if isinstance(orig, PackedSequence):
        return PackedSequence(out, batch_sizes, sorted_indices, unsorted_indices), \
            self.permute_hidden(h_n, unsorted_indices)
    if not is_batched:
        out = out.squeeze(0 if self.batch_first else 1)
        h_n = h_n.squeeze(1)
    return out, h_n


class LSTM(RNNBase):
    r"""Long short-term memory, PyTorch's formulation (gates [i, f, g, o]):

    .. math::
        i_t, f_t, g_t, o_t = \sigma, \sigma, \tanh, \sigma(W_{i\cdot} x_t + b_{i\cdot}
                                                    + W_{h\cdot} h_{t-1} + b_{h\cdot}),
        \quad c_t = f_t \odot c_{t-1} + i_t \odot g_t, \quad h_t = o_t \odot \tanh(c_t)

    With ``proj_size > 0``, :math:`h_t = W_{hr}(o_t \odot \tanh(c_t))` of size proj_size.

    Args: as :class:`RNNBase`.

    Shape:
        input as :class:`RNN`; (h_0, c_0) of :math:`(D \cdot \text{num\_layers}, N, H_{out})` and
        :math:`(D \cdot \text{num\_layers}, N, H_{cell})`. Output :math:`(L, N, D \cdot H_{out})`,
        (h_n, c_n).

    Example::

        >>> lstm = nn.LSTM(10, 20, num_layers=2)
        >>> out, (h_n, c_n) = lstm(cytorch.randn(5, 3, 10))
        >>> out.shape, c_n.shape
        (cytorch.Size([5, 3, 20]), cytorch.Size([2, 3, 20]))
    """

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)

    def get_expected_cell_size(self, input, batch_sizes):
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        num_directions = 2 if self.bidirectional else 1
        return (self.num_layers * num_directions, mini_batch, self.hidden_size)

    def check_forward_args(self, input, hidden, batch_sizes):
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden[0], self.get_expected_hidden_size(input, batch_sizes),
                               "Expected hidden[0] size {}, got {}")
        self.check_hidden_size(hidden[1], self.get_expected_cell_size(input, batch_sizes),
                               "Expected hidden[1] size {}, got {}")

    def permute_hidden(self, hx, permutation):
        if permutation is None:
            return hx
        return _apply_permutation(hx[0], permutation), _apply_permutation(hx[1], permutation)

    def forward(self, input, hx=None):
        orig = input
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        if isinstance(orig, PackedSequence):
            input, batch_sizes, sorted_indices, unsorted_indices = orig
            B = int(batch_sizes[0])
            if hx is None:
                hx = (self._zeros_state(B, real_hidden, input.dtype),
                      self._zeros_state(B, self.hidden_size, input.dtype))
            else:
                hx = self.permute_hidden(hx, sorted_indices)
            is_batched = True
        else:
            batch_sizes = sorted_indices = unsorted_indices = None
            if input.dim() not in (2, 3):
                raise ValueError(f"LSTM: Expected input to be 2D or 3D, got {input.dim()}D instead")
            is_batched = input.dim() == 3
            batch_dim = 0 if self.batch_first else 1
            if not is_batched:
                input = input.unsqueeze(batch_dim)
            B = input.size(0) if self.batch_first else input.size(1)
            if hx is None:
                hx = (self._zeros_state(B, real_hidden, input.dtype),
                      self._zeros_state(B, self.hidden_size, input.dtype))
            elif is_batched:
                if hx[0].dim() != 3 or hx[1].dim() != 3:
                    raise RuntimeError("For batched 3-D input, hx and cx should also be 3-D but got "
                                       f"({hx[0].dim()}-D, {hx[1].dim()}-D) tensors")
            else:
                if hx[0].dim() != 2 or hx[1].dim() != 2:
                    raise RuntimeError("For unbatched 2-D input, hx and cx should also be 2-D but got "
                                       f"({hx[0].dim()}-D, {hx[1].dim()}-D) tensors")
                hx = (hx[0].unsqueeze(1), hx[1].unsqueeze(1))
        self.check_forward_args(input, hx, batch_sizes)
        out, h_n, c_n = self._run(input, hx[0], hx[1], batch_sizes)
        if isinstance(orig, PackedSequence):
            return PackedSequence(out, batch_sizes, sorted_indices, unsorted_indices), \
                self.permute_hidden((h_n, c_n), unsorted_indices)
        if not is_batched:
            out = out.squeeze(0 if self.batch_first else 1)
            h_n, c_n = h_n.squeeze(1), c_n.squeeze(1)
        return out, (h_n, c_n)


# ---------------------------------------------------------------- cells

class RNNCellBase(Module):
    """Base of the single-step cells: weight_ih (chunks*H, I), weight_hh (chunks*H, H), biases."""

    __constants__ = ["input_size", "hidden_size", "bias"]

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        fk = {"device": device, "dtype": dtype}
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(cytorch.empty((num_chunks * hidden_size, input_size), **fk))
        self.weight_hh = Parameter(cytorch.empty((num_chunks * hidden_size, hidden_size), **fk))
        _optional_parameter(self, "bias_ih", bias, num_chunks * hidden_size, **fk)
        _optional_parameter(self, "bias_hh", bias, num_chunks * hidden_size, **fk)
        self.reset_parameters()

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if "bias" in self.__dict__ and self.bias is not True:
            s += ", bias={bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__)

    def reset_parameters(self):
        """Every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _step(self, mode, input, h, c):
        """One fused step (the layer kernel with one time step): returns (h', c')."""
        if input.size(-1) != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.size(1)} expected {self.input_size}")
        if h.size(0) != input.size(0):
            raise RuntimeError(f"Input batch size {input.size(0)} doesn't match hidden0 batch size {h.size(0)}")
        if h.size(1) != self.hidden_size:
            raise RuntimeError(f"hidden0 has inconsistent hidden_size: got {h.size(1)}, expected {self.hidden_size}")
        if c is not None and (c.size(0) != input.size(0) or c.size(1) != self.hidden_size):
            raise RuntimeError(f"hidden1 has inconsistent hidden_size: got {c.size(1)}, expected {self.hidden_size}")
        w = [(self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh, None)]
        _, hn, cn = _layer(mode, input, None, 1, input.size(0), h.unsqueeze(0),
                           None if c is None else c.unsqueeze(0), w)
        return hn[0], (None if cn is None else cn[0])

    def _forward_hidden(self, kind, input, hx):
        """forward of the cells whose state is one hidden tensor (RNNCell, GRUCell)."""
        is_batched = _cell_input(kind, input)
        if hx is not None and hx.dim() not in (1, 2):
            raise ValueError(f"{kind}: Expected hidden to be 1D or 2D, got {hx.dim()}D instead")
        if not is_batched:
            input = input.unsqueeze(0)
        if hx is None:
            hx = cytorch.zeros(input.size(0), self.hidden_size, dtype=input.dtype)
        elif not is_batched:
            hx = hx.unsqueeze(0)
        h, _ = self._step(self._mode(), input, hx, None)
        return h if is_batched else h.squeeze(0)


def _cell_input(kind, input):
    if input.dim() not in (1, 2):
        raise ValueError(f"{kind}: Expected input to be 1D or 2D, got {input.dim()}D instead")
    return input.dim() == 2


class RNNCell(RNNCellBase):
    r"""One Elman step: :math:`h' = \tanh(x W_{ih}^T + b_{ih} + h W_{hh}^T + b_{hh})` (or ReLU).

    Args:
        input_size, hidden_size (int); bias (bool) = True; nonlinearity (str) = 'tanh' or 'relu'

    Shape:
        input :math:`(N, H_{in})` or :math:`(H_{in})`; hidden :math:`(N, H)` (zeros if None).

    Example::

        >>> cell = nn.RNNCell(10, 20)
        >>> cell(cytorch.randn(3, 10)).shape
        cytorch.Size([3, 20])
    """

    __constants__ = ["input_size", "hidden_size", "bias", "nonlinearity"]

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        return self._forward_hidden("RNNCell", input, hx)

    def _mode(self):
        if self.nonlinearity == "tanh":
            return "RNN_TANH"
        if self.nonlinearity == "relu":
            return "RNN_RELU"
        raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")


class LSTMCell(RNNCellBase):
    r"""One LSTM step (gates [i, f, g, o]): returns :math:`(h', c')`.

    Args:
        input_size, hidden_size (int); bias (bool) = True

    Shape:
        input :math:`(N, H_{in})` or :math:`(H_{in})`; hx = (h, c) each :math:`(N, H)` (zeros if None).

    Example::

        >>> cell = nn.LSTMCell(10, 20)
        >>> h, c = cell(cytorch.randn(3, 10))
        >>> h.shape
        cytorch.Size([3, 20])
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        is_batched = _cell_input("LSTMCell", input)
        if hx is not None:
            for idx, value in enumerate(hx):
                if value.dim() not in (1, 2):
                    raise ValueError(f"LSTMCell: Expected hx[{idx}] to be 1D or 2D, got {value.dim()}D instead")
        if not is_batched:
            input = input.unsqueeze(0)
        if hx is None:
            zeros = cytorch.zeros(input.size(0), self.hidden_size, dtype=input.dtype)
            hx = (zeros, zeros)
        elif not is_batched:
            hx = (hx[0].unsqueeze(0), hx[1].unsqueeze(0))
        h, c = self._step("LSTM", input, hx[0], hx[1])
        return (h, c) if is_batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    r"""One GRU step (gates [r, z, n], PyTorch's formulation, see :class:`GRU`).

    Args:
        input_size, hidden_size (int); bias (bool) = True

    Shape:
        input :math:`(N, H_{in})` or :math:`(H_{in})`; hidden :math:`(N, H)` (zeros if None).

    Example::

        >>> cell = nn.GRUCell(10, 20)
        >>> cell(cytorch.randn(3, 10)).shape
        cytorch.Size([3, 20])
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        return self._forward_hidden("GRUCell", input, hx)

    def _mode(self):
        return "GRU"
