# Seed program: python block 1 (0-based) of /work/shared/seeds/003_eab197fbde9c877a.txt,
# copied verbatim below this header (tests/test_seeds.py checks it still matches and runs it).
import torch
import torch.nn as nn

# 构建模型
model = nn.Linear(d, 1)

# 定义损失函数
criterion = nn.MSELoss()

# 前向传播计算损失
y_pred = model(X)
loss = criterion(y_pred, y)

# 反向传播计算梯度
loss.backward()

# 更新模型参数
with torch.no_grad():
    model.weight -= lr * model.weight.grad
    model.bias -= lr * model.bias.grad
