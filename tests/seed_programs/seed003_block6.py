# Seed program: python block 6 (0-based) of /work/shared/seeds/003_eab197fbde9c877a.txt,
# copied verbatim below this header (tests/test_seeds.py checks it still matches and runs it).
# 将 Tensor 迁移到 GPU
x = x.to(device)
y = y.to(device)

# 将模型迁移到 GPU
model.to(device)
