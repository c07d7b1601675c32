# Seed program: python block 2 (0-based) of /work/shared/seeds/000_7eaff1d626fa7bb5.txt,
# copied verbatim below this header (tests/test_seeds.py checks it still matches and runs it).
import torch
import torch.nn as nn
import torch.optim as optim

class Net(nn.Module):
    def __init__(self, nhead=8, num_layers=6, member_dim=512):
        super(Net, self).__init__()
        self.nhead = nhead
        self.num_layers = num_layers
        self.member_dim = member_dim
        self.transform = nn.Linear(768, member_dim)
        self.scale = 0.1
        self.attention = nn.MultiheadAttention(embed_dim=member_dim, num_heads=nhead)
        self.norm1 = nn.LayerNorm(member_dim)
        self.norm2 = nn.LayerNorm(768)
        self.fc1 = nn.Linear(768, 3072)
        self.fc2 = nn.Linear(3072, 768)
        self.fc3 = nn.Linear(768, 10)

    def forward(self, x):
        x = self.transform(x)
        x = x * self.scale
        attn_output, attn_output_weights = self.attention(query=x, key=x, value=x, batch_first=True)
        attn_output = attn_output * self.scale
        x = self.norm1(attn_output + x)
        x = self.norm2(self.fc1(x) + x)
        x = self.fc2(x)
        x = self.fc3(x)
        return x

net = Net()
criterion = nn.CrossEntropyLoss()
optimizer = optim.Adam(net.parameters(), lr=0.00002)
