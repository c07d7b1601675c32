"""Train the seed's network on real handwritten digits with cytorch.

    python examples/mnist.py                      # built-in Digits (1,797 real 8x8 digits, shown as 28x28)
    python examples/mnist.py --data ~/mnist       # MNIST, if that folder holds its IDX files
    python examples/mnist.py --model mlp          # the seed's two-layer MLP instead of the CNN

The program is ordinary PyTorch code with ``import cytorch as torch``: a model, a DataLoader, a loss,
an optimizer and a learning-rate schedule, a progress bar per epoch, the test accuracy after each
epoch, a checkpoint written with ``torch.save`` (a safetensors file) and, when matplotlib is
installed, a PNG of the training curve.
"""
import argparse
import os
import sys
import time

import cytorch as torch
import cytorch.nn as nn
import cytorch.nn.functional as F
import cytorch.optim as optim
from cytorch.utils.data import DataLoader
from cytorch.vision import datasets, transforms

try:
    from tqdm import tqdm
except ImportError:                     # the bar is a nicety: without tqdm, plain iteration
    def tqdm(iterable, **kwargs):
        return iterable


class CNN(nn.Module):
    """The seed CNN: two 3x3 convolutions with max-pooling, then three fully connected layers."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3)
        self.conv2 = nn.Conv2d(32, 64, 3)
        self.fc1 = nn.Linear(64 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)      # 28 -> 26 -> 13
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)      # 13 -> 11 -> 5
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


class MLP(nn.Module):
    """The seed's first network: 784 -> 128 -> 10 with a ReLU."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(28 * 28, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = torch.flatten(x, 1)
        return self.fc2(torch.relu(self.fc1(x)))


MODELS = {"cnn": CNN, "mlp": MLP}


def has_mnist(root):
    """Whether ``root`` holds MNIST's IDX files (torchvision's ``root/MNIST/raw`` layout or flat)."""
    if not root:
        return False
    names = ("train-images-idx3-ubyte", "t10k-images-idx3-ubyte")
    for d in (os.path.join(root, "MNIST", "raw"), root):
        if all(os.path.exists(os.path.join(d, n)) or os.path.exists(os.path.join(d, n + ".gz")) for n in names):
            return True
    return False


def load_data(args):
    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])
    if has_mnist(args.data):
        root = args.data
        if not os.path.isdir(os.path.join(root, "MNIST", "raw")):
            raise SystemExit(f"{root}: put the IDX files in {os.path.join(root, 'MNIST', 'raw')} "
                             "(torchvision's layout)")
        train = datasets.MNIST(root, train=True, transform=transform)
        test = datasets.MNIST(root, train=False, transform=transform)
        name = "MNIST"
    else:
        if args.data:
            print(f"no MNIST IDX files under {args.data}; using the built-in Digits", file=sys.stderr)
        train = datasets.Digits(train=True, resize=28, transform=transform)
        test = datasets.Digits(train=False, resize=28, transform=transform)
        name = "Digits (scikit-learn's 8x8 digits at 28x28)"
    if args.limit:
        train = torch.utils.data.Subset(train, range(min(args.limit, len(train))))
        test = torch.utils.data.Subset(test, range(min(args.limit, len(test))))
    g = torch.Generator().manual_seed(args.seed)
    train_loader = DataLoader(train, batch_size=args.batch_size, shuffle=True, generator=g,
                              num_workers=args.num_workers)
    test_loader = DataLoader(test, batch_size=1000, shuffle=False, num_workers=args.num_workers)
    return name, train_loader, test_loader


def train_epoch(model, loader, criterion, optimizer, epoch, epochs):
    model.train()
    total, batches = 0.0, 0
    # disable=None: the bar shows on a terminal only (logs and CI get the per-epoch lines)
    bar = tqdm(loader, desc=f"epoch {epoch}/{epochs}", leave=False, unit="batch", disable=None)
    for images, labels in bar:
        optimizer.zero_grad()
        loss = criterion(model(images), labels)
        loss.backward()
        optimizer.step()
        total += loss.item()
        batches += 1
        if hasattr(bar, "set_postfix"):
            bar.set_postfix(loss=f"{total / batches:.4f}")
    return total / max(batches, 1)


def evaluate(model, loader):
    model.eval()
    correct = seen = 0
    with torch.no_grad():
        for images, labels in loader:
            _, predicted = torch.max(model(images), 1)
            seen += labels.size(0)
            correct += (predicted == labels).sum().item()
    return 100.0 * correct / max(seen, 1)


def plot(history, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    epochs = [h["epoch"] for h in history]
    fig, ax1 = plt.subplots(figsize=(6, 4))
    ax1.plot(epochs, [h["loss"] for h in history], "o-", color="tab:blue")
    ax1.set_xlabel("epoch")
    ax1.set_ylabel("train loss", color="tab:blue")
    ax2 = ax1.twinx()
    ax2.plot(epochs, [h["accuracy"] for h in history], "s-", color="tab:red")
    ax2.set_ylabel("test accuracy (%)", color="tab:red")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--model", choices=sorted(MODELS), default="cnn")
    p.add_argument("--data", default=None, help="folder with MNIST's IDX files (else: built-in Digits)")
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--num-workers", type=int, default=0)
    p.add_argument("--limit", type=int, default=0, help="use only this many samples per split (smoke tests)")
    p.add_argument("--checkpoint", default=os.path.join("checkpoints", "mnist.safetensors"))
    p.add_argument("--plot", default=os.path.join("checkpoints", "training_curve.png"),
                   help="PNG of the curves (needs matplotlib); empty: no plot")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    torch.manual_seed(args.seed)
    name, train_loader, test_loader = load_data(args)
    model = MODELS[args.model]()
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)
    scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
    print(f"{args.model} on {name}: {len(train_loader.dataset)} training / {len(test_loader.dataset)} test "
          f"images, {sum(p.numel() for p in model.parameters()):,} parameters")
    history = []
    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        t0 = time.perf_counter()
        loss = train_epoch(model, train_loader, criterion, optimizer, epoch, args.epochs)
        scheduler.step()
        accuracy = evaluate(model, test_loader)
        history.append({"epoch": epoch, "loss": loss, "accuracy": accuracy})
        print(f"epoch {epoch:2d}/{args.epochs}  train loss {loss:.4f}  test accuracy {accuracy:6.2f}%  "
              f"({time.perf_counter() - t0:.1f} s)")
    os.makedirs(os.path.dirname(os.path.abspath(args.checkpoint)), exist_ok=True)
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(), "epoch": args.epochs, "history": history,
                "args": vars(args)}, args.checkpoint)
    print(f"done in {time.perf_counter() - start:.1f} s: test accuracy {history[-1]['accuracy']:.2f}%, "
          f"checkpoint {args.checkpoint}")
    png = plot(history, args.plot) if args.plot else None
    if png:
        print(f"training curve: {png}")
    return history


if __name__ == "__main__":
    main()
