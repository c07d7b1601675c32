# Seed program: python block 9 (0-based) of /work/shared/seeds/003_eab197fbde9c877a.txt,
# copied verbatim below this header (tests/test_seeds.py checks it still matches and runs it).
# 将模型转换为 TorchScript
traced_model = torch.jit.trace(model, example_input)
scripted_model = torch.jit.script(model)
