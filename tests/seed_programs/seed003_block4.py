# Seed program: python block 4 (0-based) of /work/shared/seeds/003_eab197fbde9c877a.txt,
# copied verbatim below this header (tests/test_seeds.py checks it still matches and runs it).
import torch.distributed as dist
import torch.nn.parallel

# 初始化分布式训练环境
dist.init_process_group(backend='nccl')

# 创建模型并包装为 DistributedDataParallel
model = CNN()
model = torch.nn.parallel.DistributedDataParallel(model, device_ids=[local_rank])

# 在 DataLoader 中使用 DistributedSampler
train_sampler = torch.utils.data.distributed.DistributedSampler(train_dataset)
train_loader = DataLoader(train_dataset, batch_size=64, sampler=train_sampler, num_workers=4)

# 训练模型
for epoch in range(num_epochs):
    for inputs, labels in train_loader:
        outputs = model(inputs)
        loss = criterion(outputs, labels)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
