"""Transformer, its encoder/decoder stacks and layers: outputs and gradients against PyTorch
with the same weights for every option, state_dicts both ways, masks, errors, and a tiny
Transformer classifier that learns."""
import itertools
import warnings

import numpy as np
import pytest

import cytorch
from cytorch import nn
from conftest import np_of

RNG = np.random.default_rng(0)
E, H, N, S, T = 8, 2, 3, 5, 4
pytestmark = [pytest.mark.filterwarnings("ignore:Support for mismatched"),
              pytest.mark.filterwarnings("ignore:The PyTorch API of nested tensors")]


def _pair(torch, shape, grad=True):
    a = RNG.standard_normal(shape)
    return cytorch.tensor(a, requires_grad=grad), torch.tensor(a, requires_grad=grad)


def _close(a, b, tol=1e-10):
    a = np_of(a)
    b = b.detach().numpy()
    assert a.shape == b.shape, (a.shape, b.shape)
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def _sync(cm, tm, torch):
    assert list(cm.state_dict()) == list(tm.state_dict())
    tm.load_state_dict({k: torch.tensor(np_of(v)) for k, v in cm.state_dict().items()})


def _backward_both(co, to, torch):
    g = RNG.standard_normal(tuple(to.shape))
    (co * cytorch.tensor(g)).sum().backward()
    (to * torch.tensor(g)).sum().backward()


def _grads_match(cm, tm):
    for (n1, p1), (n2, p2) in zip(cm.named_parameters(), tm.named_parameters()):
        assert n1 == n2
        if p2.grad is None:
            assert p1.grad is None or not np.any(np_of(p1.grad))
        else:
            _close(p1.grad, p2.grad)


def _masks(torch, kind, kpm, L, bool_kpm):
    kc, kt = {}, {}
    if kind == "float":
        m = RNG.standard_normal((L, L))
        kc["src_mask"], kt["src_mask"] = cytorch.tensor(m), torch.tensor(m)
    elif kind == "bool":
        m = RNG.random((L, L)) > 0.6
        np.fill_diagonal(m, False)
        kc["src_mask"], kt["src_mask"] = cytorch.tensor(m), torch.tensor(m)
    elif kind == "causal":
        kc["src_mask"] = nn.Transformer.generate_square_subsequent_mask(L, dtype=cytorch.float64)
        kt["src_mask"] = torch.nn.Transformer.generate_square_subsequent_mask(L, dtype=torch.float64)
        kc["is_causal"] = kt["is_causal"] = True
    if kpm:
        m = np.zeros((N, L), bool)
        m[0, -2:] = True
        m[1, -1] = True
        if not bool_kpm:
            m = np.where(m, -np.inf, 0.0)
        kc["src_key_padding_mask"], kt["src_key_padding_mask"] = cytorch.tensor(m), torch.tensor(m)
    return kc, kt


ENC_OPTS = list(itertools.product([False, True], ["relu", "gelu", "callable"], [False, True],
                                  [None, "float", "bool", "causal"], [False, True], [True, False], [True, False]))


@pytest.mark.parametrize("norm_first,act,bf,mask,kpm,batched,bias",
                         [o for o in ENC_OPTS if o[5] or not o[4]])
def test_encoder_layer_matches_torch(torch, norm_first, act, bf, mask, kpm, batched, bias):
    ca = act if act != "callable" else (lambda x: cytorch.tanh(x))
    ta = act if act != "callable" else (lambda x: torch.tanh(x))
    cm = nn.TransformerEncoderLayer(E, H, 16, 0.0, ca, 1e-5, bf, norm_first, bias, dtype=cytorch.float64)
    tm = torch.nn.TransformerEncoderLayer(E, H, 16, 0.0, ta, 1e-5, bf, norm_first, bias, dtype=torch.float64)
    _sync(cm, tm, torch)
    cx, tx = _pair(torch, ((N, S, E) if bf else (S, N, E)) if batched else (S, E))
    kc, kt = _masks(torch, mask, kpm, S, mask == "bool")
    co, to = cm(cx, **kc), tm(tx, **kt)
    _close(co, to)
    _backward_both(co, to, torch)
    _close(cx.grad, tx.grad)
    _grads_match(cm, tm)


@pytest.mark.parametrize("norm_first,bf,tgt_causal,mem_mask,kpm",
                         list(itertools.product([False, True], [False, True], [False, True], [False, True],
                                                [False, True])))
def test_decoder_layer_matches_torch(torch, norm_first, bf, tgt_causal, mem_mask, kpm):
    cm = nn.TransformerDecoderLayer(E, H, 16, 0.0, batch_first=bf, norm_first=norm_first, dtype=cytorch.float64)
    tm = torch.nn.TransformerDecoderLayer(E, H, 16, 0.0, batch_first=bf, norm_first=norm_first,
                                          dtype=torch.float64)
    _sync(cm, tm, torch)
    cx, tx = _pair(torch, (N, T, E) if bf else (T, N, E))
    cmem, tmem = _pair(torch, (N, S, E) if bf else (S, N, E))
    kc, kt = {}, {}
    if tgt_causal:
        kc["tgt_mask"] = nn.Transformer.generate_square_subsequent_mask(T, dtype=cytorch.float64)
        kt["tgt_mask"] = torch.nn.Transformer.generate_square_subsequent_mask(T, dtype=torch.float64)
        kc["tgt_is_causal"] = kt["tgt_is_causal"] = True
    if mem_mask:
        m = RNG.standard_normal((T, S))
        kc["memory_mask"], kt["memory_mask"] = cytorch.tensor(m), torch.tensor(m)
    if kpm:
        m = np.zeros((N, S), bool)
        m[0, -2:] = True
        kc["memory_key_padding_mask"], kt["memory_key_padding_mask"] = cytorch.tensor(m), torch.tensor(m)
        m = np.zeros((N, T), bool)
        m[1, -1] = True
        kc["tgt_key_padding_mask"], kt["tgt_key_padding_mask"] = cytorch.tensor(m), torch.tensor(m)
    co, to = cm(cx, cmem, **kc), tm(tx, tmem, **kt)
    _close(co, to)
    _backward_both(co, to, torch)
    _close(cx.grad, tx.grad)
    _close(cmem.grad, tmem.grad)
    _grads_match(cm, tm)


@pytest.mark.parametrize("bf", [False, True])
def test_transformer_matches_torch(torch, bf):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cm = nn.Transformer(E, H, 2, 2, 16, 0.0, batch_first=bf, dtype=cytorch.float64)
        tm = torch.nn.Transformer(E, H, 2, 2, 16, 0.0, batch_first=bf, dtype=torch.float64)
    _sync(cm, tm, torch)
    cs, ts = _pair(torch, (N, S, E) if bf else (S, N, E))
    cx, tx = _pair(torch, (N, T, E) if bf else (T, N, E))
    pad = np.zeros((N, S), bool)
    pad[0, -2:] = True
    kc = dict(tgt_mask=cm.generate_square_subsequent_mask(T, dtype=cytorch.float64),
              src_key_padding_mask=cytorch.tensor(pad), memory_key_padding_mask=cytorch.tensor(pad))
    kt = dict(tgt_mask=tm.generate_square_subsequent_mask(T, dtype=torch.float64),
              src_key_padding_mask=torch.tensor(pad), memory_key_padding_mask=torch.tensor(pad))
    co, to = cm(cs, cx, **kc), tm(ts, tx, **kt)
    _close(co, to)
    _backward_both(co, to, torch)
    _close(cs.grad, ts.grad)
    _close(cx.grad, tx.grad)
    _grads_match(cm, tm)
    # inference with padding: PyTorch's nested-tensor path zeros the padded positions (batch_first)
    cm.eval()
    tm.eval()
    with cytorch.no_grad(), torch.no_grad():
        _close(cm.encoder(cs.detach(), src_key_padding_mask=cytorch.tensor(pad)),
               tm.encoder(ts.detach(), src_key_padding_mask=torch.tensor(pad)))


def test_encoder_stack_detects_causal_masks(torch):
    layer = nn.TransformerEncoderLayer(E, H, 16, 0.0, dtype=cytorch.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cm = nn.TransformerEncoder(layer, 3, norm=nn.LayerNorm(E, dtype=cytorch.float64))
        tm = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(E, H, 16, 0.0, dtype=torch.float64), 3,
                                         norm=torch.nn.LayerNorm(E, dtype=torch.float64))
    _sync(cm, tm, torch)
    cx, tx = _pair(torch, (S, N, E))
    co = cm(cx, mask=nn.Transformer.generate_square_subsequent_mask(S, dtype=cytorch.float64))
    to = tm(tx, mask=torch.nn.Transformer.generate_square_subsequent_mask(S, dtype=torch.float64))
    _close(co, to)
    assert cm.layers[0] is not cm.layers[1]          # deep copies
    from cytorch.nn.modules.transformer import _detect_is_causal_mask
    assert _detect_is_causal_mask(nn.Transformer.generate_square_subsequent_mask(4), None, 4)
    assert not _detect_is_causal_mask(cytorch.zeros(4, 4), None, 4)
    assert _detect_is_causal_mask(None, True)


def test_masks_and_repr(torch):
    np.testing.assert_array_equal(np_of(nn.Transformer.generate_square_subsequent_mask(4)),
                                  torch.nn.Transformer.generate_square_subsequent_mask(4).numpy())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert repr(nn.Transformer(16, 4, 1, 1, 32)) == repr(torch.nn.Transformer(16, 4, 1, 1, 32))
    with pytest.warns(UserWarning, match="enable_nested_tensor is True, but self.use_nested_tensor is False "
                                         "because encoder_layer.self_attn.batch_first was not True"):
        nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2), 1)


def test_state_dict_moves_both_ways(torch):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tm = torch.nn.Transformer(16, 4, 1, 1, 32, batch_first=True)
        cm = nn.Transformer(16, 4, 1, 1, 32, batch_first=True)
    cm.load_state_dict({k: cytorch.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    src, tgt = RNG.standard_normal((2, 5, 16)).astype(np.float32), RNG.standard_normal((2, 3, 16)).astype(np.float32)
    cm.eval()
    tm.eval()
    with cytorch.no_grad(), torch.no_grad():
        _close(cm(cytorch.tensor(src), cytorch.tensor(tgt)), tm(torch.tensor(src), torch.tensor(tgt)), 2e-5)


def test_init_and_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = nn.Transformer(16, 4, 1, 1, 32)
    # every matrix re-drawn with xavier_uniform_: in_proj (48, 16) bounded by sqrt(6 / 64)
    w = np_of(m.encoder.layers[0].self_attn.in_proj_weight)
    assert np.abs(w).max() <= np.sqrt(6 / 64)
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
        nn.TransformerEncoderLayer(8, 2, activation="tanh")
    with pytest.raises(RuntimeError, match="the batch number of src and tgt must be equal"):
        m(cytorch.randn(5, 2, 16), cytorch.randn(4, 3, 16))
    with pytest.raises(RuntimeError, match="the feature number of src and tgt must be equal to d_model"):
        m(cytorch.randn(5, 2, 8), cytorch.randn(4, 2, 8))
    layer = nn.TransformerEncoderLayer(8, 2, activation="gelu")
    assert layer.activation_relu_or_gelu == 2 and layer.activation is nn.functional.gelu


def test_dropout_in_training_only():
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.3)
    x = cytorch.randn(5, 2, 8)
    layer.eval()
    np.testing.assert_array_equal(np_of(layer(x)), np_of(layer(x)))
    layer.train()
    cytorch.manual_seed(0)
    a = layer(x)
    cytorch.manual_seed(0)
    np.testing.assert_array_equal(np_of(a), np_of(layer(x)))
    layer.eval()
    assert not np.allclose(np_of(a), np_of(layer(x)))


def test_tiny_transformer_classifier_learns():
    """Which bit is in the majority in a sequence of 9 bits: needs attention across positions."""
    cytorch.manual_seed(0)
    rng = np.random.default_rng(0)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(2, 16)
            self.enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(16, 2, 32, dropout=0.0, batch_first=True), 1)
            self.head = nn.Linear(16, 2)

        def forward(self, x):
            return self.head(self.enc(self.emb(x)).mean(1))

    model = Net()
    opt = cytorch.optim.Adam(model.parameters(), lr=0.01)
    losses = []
    for step in range(60):
        bits = rng.integers(0, 2, size=(32, 9))
        x, y = cytorch.tensor(bits), cytorch.tensor((bits.sum(1) > 4).astype(np.int64))
        loss = nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss))
    assert losses[0] > 0.6
    assert np.mean(losses[-5:]) < 0.35, losses
