# Seed program: python block 2 (0-based) of /work/shared/seeds/002_b3b1fb8fd1893300.txt,
# copied verbatim below this header (tests/test_seeds.py checks it still matches and runs it).
import torch

# 创建一个变量
x = torch.tensor([1.0, 2.0])

# 定义一个函数
def square(x):
    return x**2

# 应用函数
y = square(x)

# 定义一个反向函数
def backward(dy):
    dx = dy * 2 * x
    return dx

# 应用反向函数
dy = torch.tensor([1.0, 1.0])
dx = backward(dy)

# 打印结果
print(dx)
