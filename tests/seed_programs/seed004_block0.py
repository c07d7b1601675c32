# Seed program: python block 0 (0-based) of /work/shared/seeds/004_e7036e7adf2e4c7f.txt,
# copied verbatim below this header (tests/test_seeds.py checks it still matches and runs it).
import torch
import torch.nn as nn
import torch.optim as optim

# Define the model architecture
class Net(nn.Module):
   def __init__(self):
       super(Net, self).__init__()
       self.fc1 = nn.Linear(10, 5)
       self.fc2 = nn.Linear(5, 2)

   def forward(self, x):
       x = torch.relu(self.fc1(x))
       x = self.fc2(x)
       return x

# Initialize model parameters
model = Net()

# Define the loss function
loss_fn = nn.CrossEntropyLoss()

# Initialize the optimizer
optimizer = optim.SGD(model.parameters(), lr=0.01)

# Training loop
for epoch in range(num_epochs):
   for data, target in train_loader:
       # Forward pass
       output = model(data)

       # Calculate the loss
       loss = loss_fn(output, target)

       # Backward pass
       loss.backward()

       # Update model parameters
       optimizer.step()

       # Reset gradients
       optimizer.zero_grad()
