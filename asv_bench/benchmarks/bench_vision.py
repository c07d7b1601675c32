"""cytorch.vision: image kernels (resize, warp, pad) on a 3x224x224 image, a training-style
transform pipeline, and dataset item access (Digits resized to 28x28 as MNIST)."""
import numpy as np

import cytorch


def _image(dtype=np.float32):
    a = np.random.default_rng(0).random((3, 224, 224))
    if dtype == np.uint8:
        return cytorch.from_numpy((a * 255).astype(np.uint8))
    return cytorch.from_numpy(a.astype(dtype))


class Kernels:
    params = ["float32", "uint8"]
    param_names = ["dtype"]

    def setup(self, dtype):
        from cytorch.vision.transforms import functional as F
        self.F = F
        self.x = _image(np.float32 if dtype == "float32" else np.uint8)

    def time_resize_down_antialias(self, dtype):
        self.F.resize(self.x, [112, 112])

    def time_resize_up_bicubic(self, dtype):
        self.F.resize(self.x, [320, 320], interpolation=self.F.InterpolationMode.BICUBIC, antialias=False)

    def time_resize_nearest(self, dtype):
        self.F.resize(self.x, [100, 100], interpolation=self.F.InterpolationMode.NEAREST)

    def time_rotate_bilinear(self, dtype):
        self.F.rotate(self.x, 17.0, interpolation=self.F.InterpolationMode.BILINEAR)

    def time_pad_reflect(self, dtype):
        self.F.pad(self.x, 4, padding_mode="reflect")

    def time_hflip(self, dtype):
        self.F.hflip(self.x)


class Pipeline:
    """CIFAR-style augmentation on a 32x32 uint8 HWC array, and ImageNet-style on a 3x256x256 tensor."""

    def setup(self):
        from cytorch.vision import transforms as T
        self.small = (np.random.default_rng(1).random((32, 32, 3)) * 255).astype(np.uint8)
        self.cifar = T.Compose([T.RandomCrop(32, padding=4), T.RandomHorizontalFlip(), T.ToTensor(),
                                T.Normalize((0.49, 0.48, 0.45), (0.25, 0.24, 0.26))])
        self.big = cytorch.from_numpy(np.random.default_rng(2).random((3, 256, 256)).astype(np.float32))
        self.imagenet = T.Compose([T.RandomResizedCrop(224), T.RandomHorizontalFlip(),
                                   T.ColorJitter(0.4, 0.4, 0.4), T.Normalize((0.485, 0.456, 0.406),
                                                                             (0.229, 0.224, 0.225))])

    def time_cifar_train_transform(self):
        self.cifar(self.small)

    def time_imagenet_train_transform(self):
        self.imagenet(self.big)


class DigitsItems:
    """Reading 256 items of Digits(resize=28) through ToTensor + Normalize."""

    def setup(self):
        try:
            from cytorch.vision import datasets, transforms as T
            self.ds = datasets.Digits(resize=28, transform=T.Compose([T.ToTensor(), T.Normalize((0.5,), (0.5,))]))
        except ImportError as e:                  # scikit-learn missing
            raise NotImplementedError(str(e))

    def time_256_items(self):
        for i in range(256):
            self.ds[i]
