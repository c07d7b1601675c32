# Seed program: python block 0 (0-based) of /work/shared/seeds/003_eab197fbde9c877a.txt,
# copied verbatim below this header (tests/test_seeds.py checks it still matches and runs it).
import torch

A = torch.randn(m, n)
B = torch.randn(n, p)

# 方法1：使用 torch.matmul() 函数
C = torch.matmul(A, B)

# 方法2：使用 @ 运算符
C = A @ B
