"""MultiheadAttention."""
import cytorch
from cytorch.nn import init
from cytorch.nn._attention_functional import _canonical_mask, _mha
from cytorch.nn.modules.linear import NonDynamicallyQuantizableLinear
from cytorch.nn.modules.module import Module
from cytorch.nn.parameter import Parameter

__all__ = ["MultiheadAttention"]


class MultiheadAttention(Module):
    r"""Multi-head attention: :math:`\text{MultiHead}(Q, K, V) = \text{Concat}(h_1, \dots, h_H) W^O`,
    :math:`h_i = \text{Attention}(Q W_i^Q, K W_i^K, V W_i^V)`.

    Without attention weights, dropout or the key/value extras, the heads are computed by the
    fused attention kernel reading the packed projection in place (see
    ``F.scaled_dot_product_attention``).

    Args:
        embed_dim (int): model dimension E; num_heads (int): parallel heads (E % num_heads == 0).
        dropout (float): dropout on the attention weights in training. Default: 0.0
        bias (bool): biases on the input/output projections. Default: True
        add_bias_kv (bool): learn a bias appended to the key and value sequences. Default: False
        add_zero_attn (bool): append a zero key/value. Default: False
        kdim, vdim (int): key/value feature sizes (default: E); when they differ from E the
            projections are separate parameters (``q_proj_weight``, ``k_proj_weight``, ``v_proj_weight``).
        batch_first (bool): inputs and outputs are (N, L, E) instead of (L, N, E). Default: False

    Shape:
        query :math:`(L, N, E)`, key :math:`(S, N, E_k)`, value :math:`(S, N, E_v)` (batch first:
        :math:`(N, L, E)`, ...; unbatched: :math:`(L, E)`, ...); key_padding_mask :math:`(N, S)`;
        attn_mask :math:`(L, S)` or :math:`(N \cdot H, L, S)` (bool: True = not allowed; float: added).
        Output: :math:`(L, N, E)` (or batch first) and, with ``need_weights``, weights :math:`(N, L, S)`
        (:math:`(N, H, L, S)` with ``average_attn_weights=False``).

    Parameters ``in_proj_weight`` :math:`(3E, E)` (xavier uniform), ``in_proj_bias`` (zeros),
    ``out_proj.weight``/``out_proj.bias`` (Linear's init, bias zeros), as PyTorch's, so their
    state_dicts load into each other.

    Example::

        >>> mha = nn.MultiheadAttention(16, 4, batch_first=True)
        >>> x = cytorch.randn(2, 10, 16)
        >>> out, w = mha(x, x, x)
        >>> out.shape, w.shape
        (cytorch.Size([2, 10, 16]), cytorch.Size([2, 10, 10]))
    """

    __constants__ = ["batch_first"]

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False, add_zero_attn=False,
                 kdim=None, vdim=None, batch_first=False, device=None, dtype=None):
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} and "
                             f"num_heads={num_heads} instead")
        fk = {"device": device, "dtype": dtype}
        super().__init__()
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != self.embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")
        if not self._qkv_same_embed_dim:
            self.q_proj_weight = Parameter(cytorch.empty((embed_dim, embed_dim), **fk))
            self.k_proj_weight = Parameter(cytorch.empty((embed_dim, self.kdim), **fk))
            self.v_proj_weight = Parameter(cytorch.empty((embed_dim, self.vdim), **fk))
            self.register_parameter("in_proj_weight", None)
        else:
            self.in_proj_weight = Parameter(cytorch.empty((3 * embed_dim, embed_dim), **fk))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(cytorch.empty(3 * embed_dim, **fk))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias, **fk)
        if add_bias_kv:
            self.bias_k = Parameter(cytorch.empty((1, 1, embed_dim), **fk))
            self.bias_v = Parameter(cytorch.empty((1, 1, embed_dim), **fk))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self):
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
        if self.bias_v is not None:
            init.xavier_normal_(self.bias_v)

    def __setstate__(self, state):
        state.setdefault("_qkv_same_embed_dim", True)
        super().__setstate__(state)

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True, is_causal=False):
        """(attn_output, attn_output_weights or None); see the class docstring for shapes."""
        key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask",
                                           None if attn_mask is None else attn_mask.dtype, "attn_mask", query.dtype)
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, check_other=False)
        sep = not self._qkv_same_embed_dim
        # batch_first inputs go to the functional as they are (it reads either layout in place)
        out, w = _mha(query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight, self.in_proj_bias,
                      self.bias_k, self.bias_v, self.add_zero_attn, self.dropout, self.out_proj.weight,
                      self.out_proj.bias, self.training, key_padding_mask, need_weights, attn_mask, sep,
                      self.q_proj_weight if sep else None, self.k_proj_weight if sep else None,
                      self.v_proj_weight if sep else None, None, None, average_attn_weights, is_causal,
                      batch_first=self.batch_first and query.dim() == 3)
        return out, w

