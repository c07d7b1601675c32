"""Sequence models: the issue's two targets (TransformerEncoderLayer d=128/4 heads/ff 512 at
batch 32 x seq 64, LSTM 64->128 at batch 16 x seq 50, forward+backward) and the fused
attention kernel alone, short and long sequences."""
import cytorch
from cytorch import nn

from ._common import randn, require


class TransformerEncoderLayer:
    """nn.TransformerEncoderLayer(128, 4, 512, dropout=0, batch_first=True) on (32, 64, 128)."""

    def setup(self):
        require("nn.TransformerEncoderLayer")
        cytorch.manual_seed(0)
        self.m = nn.TransformerEncoderLayer(128, 4, 512, dropout=0.0, batch_first=True)
        self.x = randn(32, 64, 128)

    def time_forward(self):
        with cytorch.no_grad():
            self.m(self.x)

    def time_forward_backward(self):
        self.m.zero_grad()
        self.m(self.x).sum().backward()


class LSTM:
    """nn.LSTM(64, 128, batch_first=True) on (16, 50, 64); also bidirectional GRU, 2 layers."""

    def setup(self):
        require("nn.LSTM", "nn.GRU")
        cytorch.manual_seed(0)
        self.lstm = nn.LSTM(64, 128, batch_first=True)
        self.gru = nn.GRU(64, 128, num_layers=2, bidirectional=True, batch_first=True)
        self.x = randn(16, 50, 64)

    def time_lstm_forward(self):
        with cytorch.no_grad():
            self.lstm(self.x)

    def time_lstm_forward_backward(self):
        self.lstm.zero_grad()
        self.lstm(self.x)[0].sum().backward()

    def time_gru_2layer_bidirectional_forward_backward(self):
        self.gru.zero_grad()
        self.gru(self.x)[0].sum().backward()


class ScaledDotProductAttention:
    """F.scaled_dot_product_attention on (B, H, L, 64)-sized heads, causal, forward and f+b."""

    params = [(32, 4, 64, 32), (4, 8, 512, 64), (1, 2, 4096, 64)]
    param_names = ["B, H, L, E"]

    def setup(self, shape):
        require("nn.functional.scaled_dot_product_attention")
        b, h, l_, e = shape
        self.q = randn(b, h, l_, e).requires_grad_(True)
        self.F = cytorch.nn.functional

    def time_forward(self, shape):
        with cytorch.no_grad():
            self.F.scaled_dot_product_attention(self.q, self.q, self.q, is_causal=True)

    def time_forward_backward(self, shape):
        self.q.grad = None
        self.F.scaled_dot_product_attention(self.q, self.q, self.q, is_causal=True).sum().backward()
