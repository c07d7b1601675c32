# Seed program: python block 0 (0-based) of /work/shared/seeds/002_b3b1fb8fd1893300.txt,
# copied verbatim below this header (tests/test_seeds.py checks it still matches and runs it).
import torch

# 创建一个 2x3 的 Tensor
x = torch.randn(2, 3)

# 打印 Tensor
print(x)

# 计算 Tensor 的平方
y = x**2

# 打印结果
print(y)
