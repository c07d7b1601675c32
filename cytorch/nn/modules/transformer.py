"""Transformer, TransformerEncoder/Decoder and their layers (PyTorch's modules and maths).

Self-attention runs on MultiheadAttention's fused path (need_weights=False): the packed
projection read in place by the attention kernel, no head split/merge copies; LayerNorm,
dropout and the activations are nn.functional's fused kernels.
"""
import copy
import warnings

import cytorch
from cytorch.nn import functional as F
from cytorch.nn import init
from cytorch.nn._attention_functional import _canonical_mask
from cytorch.nn.modules.activation import GELU, ReLU
from cytorch.nn.modules.attention import MultiheadAttention
from cytorch.nn.modules.container import ModuleList
from cytorch.nn.modules.dropout import Dropout
from cytorch.nn.modules.linear import Linear
from cytorch.nn.modules.module import Module
from cytorch.nn.modules.normalization import LayerNorm

__all__ = ["Transformer", "TransformerEncoder", "TransformerDecoder", "TransformerEncoderLayer",
           "TransformerDecoderLayer"]


def _generate_square_subsequent_mask(sz, device=None, dtype=None):
    """(sz, sz) float mask: -inf above the diagonal (future positions), 0 elsewhere."""
    return cytorch.full((sz, sz), float("-inf"), dtype=dtype).triu(1)


def _get_seq_len(src, batch_first):
    if src.dim() == 2:
        return src.shape[0]
    return src.shape[1 if batch_first else 0]


def _detect_is_causal_mask(mask, is_causal=None, size=None):
    """is_causal when given; else whether ``mask`` equals the square subsequent mask of ``size``."""
    make_causal = is_causal is True
    if is_causal is None and mask is not None:
        sz = size if size is not None else mask.size(-2)
        causal = _generate_square_subsequent_mask(sz, dtype=mask.dtype)
        if tuple(mask.shape) == tuple(causal.shape):
            make_causal = bool((mask == causal).all())
        else:
            make_causal = False
    return make_causal


def _get_clones(module, n):
    return ModuleList([copy.deepcopy(module) for _ in range(n)])


def _get_activation_fn(activation):
    if activation == "relu":
        return F.relu
    if activation == "gelu":
        return F.gelu
    raise RuntimeError(f"activation should be relu/gelu, not {activation}")


def _left_aligned(key_padding_mask):
    """True when every row of a (N, S) padding mask (True = pad) is keys first, padding after."""
    keep = key_padding_mask.logical_not() if key_padding_mask.dtype == cytorch.bool else key_padding_mask == 0
    if keep.shape[1] < 2:
        return True
    return not bool((keep[:, 1:] & keep[:, :-1].logical_not()).any())


class Transformer(Module):
    r"""The encoder-decoder Transformer of "Attention Is All You Need".

    Args:
        d_model (int) = 512, nhead (int) = 8, num_encoder_layers (int) = 6, num_decoder_layers (int) = 6,
        dim_feedforward (int) = 2048, dropout (float) = 0.1, activation ("relu", "gelu" or a callable)
        = F.relu, custom_encoder / custom_decoder (Module) = None, layer_norm_eps (float) = 1e-5,
        batch_first (bool) = False, norm_first (bool) = False, bias (bool) = True

    Shape:
        src :math:`(S, N, E)`, tgt :math:`(T, N, E)` (batch first: :math:`(N, S, E)`; unbatched:
        :math:`(S, E)`); masks as :class:`TransformerEncoder` and :class:`TransformerDecoder`.
        Output :math:`(T, N, E)`.

    Every parameter with more than one dim is re-drawn with ``xavier_uniform_`` (as PyTorch).

    Example::

        >>> model = nn.Transformer(d_model=32, nhead=4, num_encoder_layers=2, num_decoder_layers=2,
        ...                        dim_feedforward=64, batch_first=True)
        >>> model(cytorch.randn(2, 10, 32), cytorch.randn(2, 7, 32)).shape
        cytorch.Size([2, 7, 32])
    """

    def __init__(self, d_model=512, nhead=8, num_encoder_layers=6, num_decoder_layers=6, dim_feedforward=2048,
                 dropout=0.1, activation=F.relu, custom_encoder=None, custom_decoder=None, layer_norm_eps=1e-5,
                 batch_first=False, norm_first=False, bias=True, device=None, dtype=None):
        fk = {"device": device, "dtype": dtype}
        super().__init__()
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            layer = TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps,
                                            batch_first, norm_first, bias, **fk)
            self.encoder = TransformerEncoder(layer, num_encoder_layers,
                                              LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **fk))
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            layer = TransformerDecoderLayer(d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps,
                                            batch_first, norm_first, bias, **fk)
            self.decoder = TransformerDecoder(layer, num_decoder_layers,
                                              LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **fk))
        self._reset_parameters()
        self.d_model = d_model
        self.nhead = nhead
        self.batch_first = batch_first

    def forward(self, src, tgt, src_mask=None, tgt_mask=None, memory_mask=None, src_key_padding_mask=None,
                tgt_key_padding_mask=None, memory_key_padding_mask=None, src_is_causal=None, tgt_is_causal=None,
                memory_is_causal=False):
        """Encode src, decode tgt against it; returns the decoder output."""
        is_batched = src.dim() == 3
        if not self.batch_first and src.size(1) != tgt.size(1) and is_batched:
            raise RuntimeError("the batch number of src and tgt must be equal")
        if self.batch_first and src.size(0) != tgt.size(0) and is_batched:
            raise RuntimeError("the batch number of src and tgt must be equal")
        if src.size(-1) != self.d_model or tgt.size(-1) != self.d_model:
            raise RuntimeError("the feature number of src and tgt must be equal to d_model")
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask, is_causal=src_is_causal)
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask, tgt_is_causal=tgt_is_causal,
                            memory_is_causal=memory_is_causal)

    @staticmethod
    def generate_square_subsequent_mask(sz, device=None, dtype=None):
        r"""A causal mask for a sequence of ``sz`` steps: ``-inf`` above the diagonal, 0 elsewhere.

        Example::

            >>> nn.Transformer.generate_square_subsequent_mask(3)
            tensor([[0., -inf, -inf],
                    [0., 0., -inf],
                    [0., 0., 0.]])
        """
        return _generate_square_subsequent_mask(sz, device=device, dtype=dtype)

    def _reset_parameters(self):
        for p in self.parameters():
            if p.dim() > 1:
                init.xavier_uniform_(p)


class TransformerEncoder(Module):
    r"""A stack of ``num_layers`` copies of ``encoder_layer`` (deep copies), then ``norm``.

    Args:
        encoder_layer (TransformerEncoderLayer); num_layers (int); norm (Module, optional);
        enable_nested_tensor (bool) = True; mask_check (bool) = True

    Shape:
        src as the layer's; mask :math:`(S, S)` or :math:`(N \cdot H, S, S)`; src_key_padding_mask
        :math:`(N, S)` (True = padding).

    In inference (eval mode, no gradient) with a left-aligned ``src_key_padding_mask``, PyTorch
    runs the stack on nested tensors and returns zeros at the padded positions (before
    ``norm``); the same values are returned here.

    Example::

        >>> layer = nn.TransformerEncoderLayer(d_model=32, nhead=4, batch_first=True)
        >>> enc = nn.TransformerEncoder(layer, num_layers=2)
        >>> enc(cytorch.randn(2, 10, 32)).shape
        cytorch.Size([2, 10, 32])
    """

    __constants__ = ["norm"]

    def __init__(self, encoder_layer, num_layers, norm=None, enable_nested_tensor=True, mask_check=True):
        super().__init__()
        self.layers = _get_clones(encoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm
        self.enable_nested_tensor = enable_nested_tensor
        self.use_nested_tensor = enable_nested_tensor
        self.mask_check = mask_check
        why = ""
        name = "encoder_layer"
        if not isinstance(encoder_layer, TransformerEncoderLayer):
            why = f"{name} was not TransformerEncoderLayer"
        elif encoder_layer.norm_first:
            why = f"{name}.norm_first was True"
        elif not encoder_layer.self_attn.batch_first:
            why = (f"{name}.self_attn.batch_first was not True"
                   "(use batch_first for better inference performance)")
        elif not encoder_layer.self_attn._qkv_same_embed_dim:
            why = f"{name}.self_attn._qkv_same_embed_dim was not True"
        elif encoder_layer.self_attn.in_proj_bias is None:
            why = f"{name}.self_attn was passed bias=False"
        elif not encoder_layer.activation_relu_or_gelu:
            why = f"{name}.activation_relu_or_gelu was not True"
        elif encoder_layer.norm1.eps != encoder_layer.norm2.eps:
            why = f"{name}.norm1.eps was not equal to {name}.norm2.eps"
        elif encoder_layer.self_attn.num_heads % 2 == 1:
            why = f"{name}.self_attn.num_heads is odd"
        if enable_nested_tensor and why:
            warnings.warn(f"enable_nested_tensor is True, but self.use_nested_tensor is False because {why}",
                          stacklevel=2)
            self.use_nested_tensor = False

    def forward(self, src, mask=None, src_key_padding_mask=None, is_causal=None):
        """Pass src through each layer in turn (then norm)."""
        src_key_padding_mask = _canonical_mask(src_key_padding_mask, "src_key_padding_mask",
                                               None if mask is None else mask.dtype, "mask", src.dtype)
        mask = _canonical_mask(mask, "mask", None, "", src.dtype, check_other=False)
        first = self.layers[0]
        batch_first = first.self_attn.batch_first
        # PyTorch's nested-tensor inference path leaves zeros at the padded positions
        zero_padded = (getattr(self, "use_nested_tensor", False) and not first.training and src.dim() == 3
                       and src_key_padding_mask is not None and mask is None
                       and not (cytorch.is_grad_enabled() and any(p.requires_grad for p in self._fast_args(src)))
                       and (not getattr(self, "mask_check", True) or _left_aligned(src_key_padding_mask)))
        is_causal = _detect_is_causal_mask(mask, is_causal, _get_seq_len(src, batch_first))
        output = src
        for mod in self.layers:
            output = mod(output, src_mask=mask, is_causal=is_causal, src_key_padding_mask=src_key_padding_mask)
        if zero_padded:
            pad = src_key_padding_mask != 0
            output = output.masked_fill((pad if batch_first else pad.t()).unsqueeze(-1), 0.0)
        if self.norm is not None:
            output = self.norm(output)
        return output

    def _fast_args(self, src):
        first = self.layers[0]
        return [t for t in (src, first.self_attn.in_proj_weight, first.self_attn.in_proj_bias,
                            first.self_attn.out_proj.weight, first.self_attn.out_proj.bias, first.norm1.weight,
                            first.norm1.bias, first.norm2.weight, first.norm2.bias, first.linear1.weight,
                            first.linear1.bias, first.linear2.weight, first.linear2.bias) if t is not None]


class TransformerDecoder(Module):
    r"""A stack of ``num_layers`` copies of ``decoder_layer`` (deep copies), then ``norm``.

    Args:
        decoder_layer (TransformerDecoderLayer); num_layers (int); norm (Module, optional)

    Shape:
        tgt :math:`(T, N, E)`, memory :math:`(S, N, E)` (or batch first / unbatched); tgt_mask
        :math:`(T, T)`, memory_mask :math:`(T, S)`, key padding masks :math:`(N, T)`, :math:`(N, S)`.

    Example::

        >>> layer = nn.TransformerDecoderLayer(d_model=32, nhead=4)
        >>> dec = nn.TransformerDecoder(layer, num_layers=2)
        >>> dec(cytorch.randn(7, 2, 32), cytorch.randn(10, 2, 32)).shape
        cytorch.Size([7, 2, 32])
    """

    __constants__ = ["norm"]

    def __init__(self, decoder_layer, num_layers, norm=None):
        super().__init__()
        self.layers = _get_clones(decoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=None, memory_is_causal=False):
        """Pass tgt (attending to memory) through each layer in turn (then norm)."""
        output = tgt
        tgt_is_causal = _detect_is_causal_mask(tgt_mask, tgt_is_causal,
                                               _get_seq_len(tgt, self.layers[0].self_attn.batch_first))
        for mod in self.layers:
            output = mod(output, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                         tgt_key_padding_mask=tgt_key_padding_mask, memory_key_padding_mask=memory_key_padding_mask,
                         tgt_is_causal=tgt_is_causal, memory_is_causal=memory_is_causal)
        if self.norm is not None:
            output = self.norm(output)
        return output


def _activation_kind(activation):
    if activation is F.relu or isinstance(activation, ReLU):
        return 1
    if activation is F.gelu or isinstance(activation, GELU):
        return 2
    return 0


class _TransformerLayer(Module):
    """What TransformerEncoderLayer and TransformerDecoderLayer share: the feed-forward's layers
    and the self-attention block."""

    def _add_feed_forward(self, d_model, dim_feedforward, dropout, bias, fk):
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, **fk)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, **fk)

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal=False):
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask, need_weights=False,
                           is_causal=is_causal)[0]
        return self.dropout1(x)


class TransformerEncoderLayer(_TransformerLayer):
    r"""Self-attention then a feed-forward block, each with a residual connection and LayerNorm
    (after the residual, or before the block with ``norm_first``).

    Args:
        d_model (int); nhead (int); dim_feedforward (int) = 2048; dropout (float) = 0.1;
        activation ("relu", "gelu" or a callable) = F.relu; layer_norm_eps (float) = 1e-5;
        batch_first (bool) = False; norm_first (bool) = False; bias (bool) = True

    Shape:
        src :math:`(S, N, E)` (batch first :math:`(N, S, E)`, unbatched :math:`(S, E)`); src_mask
        :math:`(S, S)` or :math:`(N \cdot H, S, S)`; src_key_padding_mask :math:`(N, S)`. Output as src.

    Example::

        >>> layer = nn.TransformerEncoderLayer(d_model=128, nhead=4, dim_feedforward=512, batch_first=True)
        >>> layer(cytorch.randn(32, 64, 128)).shape
        cytorch.Size([32, 64, 128])
    """

    __constants__ = ["norm_first"]

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation=F.relu, layer_norm_eps=1e-5,
                 batch_first=False, norm_first=False, bias=True, device=None, dtype=None):
        fk = {"device": device, "dtype": dtype}
        super().__init__()
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first, **fk)
        self._add_feed_forward(d_model, dim_feedforward, dropout, bias, fk)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **fk)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **fk)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        if isinstance(activation, str):
            activation = _get_activation_fn(activation)
        self.activation_relu_or_gelu = _activation_kind(activation)
        self.activation = activation

    def __setstate__(self, state):
        super().__setstate__(state)
        if not hasattr(self, "activation"):
            self.activation = F.relu

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        """x + SA(x), then x + FF(x), each normalised (see the class docstring)."""
        src_key_padding_mask = _canonical_mask(src_key_padding_mask, "src_key_padding_mask",
                                               None if src_mask is None else src_mask.dtype, "src_mask", src.dtype)
        src_mask = _canonical_mask(src_mask, "src_mask", None, "", src.dtype, check_other=False)
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal=is_causal)
            x = x + self._ff_block(self.norm2(x))
        else:
            x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal=is_causal))
            x = self.norm2(x + self._ff_block(x))
        return x

    def _ff_block(self, x):
        x = self.linear2(self.dropout(self.activation(self.linear1(x))))
        return self.dropout2(x)


class TransformerDecoderLayer(_TransformerLayer):
    r"""Self-attention, attention over the encoder's output (memory), then a feed-forward block,
    each with a residual connection and LayerNorm (after, or before with ``norm_first``).

    Args:
        d_model (int); nhead (int); dim_feedforward (int) = 2048; dropout (float) = 0.1;
        activation ("relu", "gelu" or a callable) = F.relu; layer_norm_eps (float) = 1e-5;
        batch_first (bool) = False; norm_first (bool) = False; bias (bool) = True

    Shape:
        tgt :math:`(T, N, E)`, memory :math:`(S, N, E)` (or batch first / unbatched); masks as
        :class:`TransformerDecoder`. Output as tgt.

    Example::

        >>> layer = nn.TransformerDecoderLayer(d_model=32, nhead=4, batch_first=True)
        >>> layer(cytorch.randn(2, 7, 32), cytorch.randn(2, 10, 32)).shape
        cytorch.Size([2, 7, 32])
    """

    __constants__ = ["norm_first"]

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation=F.relu, layer_norm_eps=1e-5,
                 batch_first=False, norm_first=False, bias=True, device=None, dtype=None):
        fk = {"device": device, "dtype": dtype}
        super().__init__()
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, batch_first=batch_first, bias=bias, **fk)
        self.multihead_attn = MultiheadAttention(d_model, nhead, dropout=dropout, batch_first=batch_first, bias=bias,
                                                 **fk)
        self._add_feed_forward(d_model, dim_feedforward, dropout, bias, fk)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **fk)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **fk)
        self.norm3 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **fk)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.dropout3 = Dropout(dropout)
        self.activation = _get_activation_fn(activation) if isinstance(activation, str) else activation

    def __setstate__(self, state):
        if "activation" not in state:
            state["activation"] = F.relu
        super().__setstate__(state)

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False):
        """x + SA(x), x + MHA(x, memory), x + FF(x), each normalised (see the class docstring)."""
        x = tgt
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), tgt_mask, tgt_key_padding_mask, tgt_is_causal)
            x = x + self._mha_block(self.norm2(x), memory, memory_mask, memory_key_padding_mask, memory_is_causal)
            x = x + self._ff_block(self.norm3(x))
        else:
            x = self.norm1(x + self._sa_block(x, tgt_mask, tgt_key_padding_mask, tgt_is_causal))
            x = self.norm2(x + self._mha_block(x, memory, memory_mask, memory_key_padding_mask, memory_is_causal))
            x = self.norm3(x + self._ff_block(x))
        return x

    def _mha_block(self, x, mem, attn_mask, key_padding_mask, is_causal=False):
        x = self.multihead_attn(x, mem, mem, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                                is_causal=is_causal, need_weights=False)[0]
        return self.dropout2(x)

    def _ff_block(self, x):
        x = self.linear2(self.dropout(self.activation(self.linear1(x))))
        return self.dropout3(x)
