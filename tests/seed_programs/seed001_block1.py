# Seed program: python block 1 (0-based) of /work/shared/seeds/001_2a8a31741fa49a3d.txt,
# copied verbatim below this header (tests/test_seeds.py checks it still matches and runs it).
import torch
device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
model.to(device)
