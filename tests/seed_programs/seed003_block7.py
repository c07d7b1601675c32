# Seed program: python block 7 (0-based) of /work/shared/seeds/003_eab197fbde9c877a.txt,
# copied verbatim below this header (tests/test_seeds.py checks it still matches and runs it).
from torch.utils.tensorboard import SummaryWriter

# 创建 SummaryWriter 对象
writer = SummaryWriter('runs/mnist_experiment_1')

# 在训练循环中记录指标
for epoch in range(num_epochs):
    for inputs, labels in train_loader:
        outputs = model(inputs)
        loss = criterion(outputs, labels)
        writer.add_scalar('training loss', loss.item(), epoch * len(train_loader) + i)
        writer.add_histogram('conv1 biases', model.conv1.bias, epoch)
