# Seed program: python block 5 (0-based) of /work/shared/seeds/003_eab197fbde9c877a.txt,
# copied verbatim below this header (tests/test_seeds.py checks it still matches and runs it).
# 保存模型
torch.save(model.state_dict(), 'model.pth')

# 加载模型
model = CNN()
model.load_state_dict(torch.load('model.pth'))
