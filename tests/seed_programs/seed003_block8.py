# Seed program: python block 8 (0-based) of /work/shared/seeds/003_eab197fbde9c877a.txt,
# copied verbatim below this header (tests/test_seeds.py checks it still matches and runs it).
from torch.cuda.amp import autocast, GradScaler

# 创建 GradScaler 对象
scaler = GradScaler()

for epoch in range(num_epochs):
    for inputs, labels in train_loader:
        with autocast():
            outputs = model(inputs)
            loss = criterion(outputs, labels)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
