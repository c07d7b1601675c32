"""cytorch.vision.datasets: map-style datasets of (image, target) pairs with torchvision's API."""
from cytorch.vision.datasets.cifar import CIFAR10, CIFAR100
from cytorch.vision.datasets.digits import Digits
from cytorch.vision.datasets.fakedata import FakeData
from cytorch.vision.datasets.folder import DatasetFolder, ImageFolder
from cytorch.vision.datasets.mnist import KMNIST, MNIST, FashionMNIST
from cytorch.vision.datasets.vision import StandardTransform, VisionDataset

__all__ = ["MNIST", "FashionMNIST", "KMNIST", "CIFAR10", "CIFAR100", "DatasetFolder", "ImageFolder",
           "FakeData", "Digits", "VisionDataset", "StandardTransform"]
