"""DatasetFolder and ImageFolder: one sub-directory per class.

    root/dog/xxx.png
    root/dog/nested/xxy.png
    root/cat/123.png

Classes are the sorted sub-directory names; samples are found by walking each class directory
(symbolic links followed) in sorted order. Decoding images needs Pillow (`pip install pillow`);
DatasetFolder with a loader of your own does not.
"""
import os

from cytorch.vision import _pil
from cytorch.vision.datasets.vision import VisionDataset

__all__ = ["DatasetFolder", "ImageFolder", "IMG_EXTENSIONS", "has_file_allowed_extension", "is_image_file",
           "find_classes", "make_dataset", "pil_loader", "default_loader"]

IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")


def has_file_allowed_extension(filename, extensions):
    """Whether filename ends (case-insensitively) with one of extensions (a str or a sequence)."""
    return filename.lower().endswith(extensions if isinstance(extensions, str) else tuple(extensions))


def is_image_file(filename):
    return has_file_allowed_extension(filename, IMG_EXTENSIONS)


def find_classes(directory):
    """(sorted class names, {name: index}) from the sub-directories of directory."""
    classes = sorted(entry.name for entry in os.scandir(directory) if entry.is_dir())
    if not classes:
        raise FileNotFoundError(f"Couldn't find any class folder in {directory}.")
    return classes, {name: i for i, name in enumerate(classes)}


def make_dataset(directory, class_to_idx=None, extensions=None, is_valid_file=None, allow_empty=False):
    """[(path, class index)] of the files under each class directory that pass the filter.

    Exactly one of extensions and is_valid_file must be given.

    Raises:
        ValueError: both or neither filter given.
        FileNotFoundError: a class without any valid file (unless allow_empty).
    """
    directory = os.path.expanduser(os.fspath(directory))
    if class_to_idx is None:
        _, class_to_idx = find_classes(directory)
    elif not class_to_idx:
        raise ValueError("'class_to_index' must have at least one entry to collect any samples.")
    if (extensions is None) == (is_valid_file is None):
        raise ValueError("Both extensions and is_valid_file cannot be None or not None at the same time")
    if extensions is not None:
        def is_valid_file(path):
            return has_file_allowed_extension(path, extensions)

    instances, found = [], set()
    for target_class in sorted(class_to_idx):
        class_index = class_to_idx[target_class]
        target_dir = os.path.join(directory, target_class)
        if not os.path.isdir(target_dir):
            continue
        for dirpath, dirnames, fnames in sorted(os.walk(target_dir, followlinks=True)):
            dirnames.sort()
            for fname in sorted(fnames):
                path = os.path.join(dirpath, fname)
                if is_valid_file(path):
                    instances.append((path, class_index))
                    found.add(target_class)
    empty = set(class_to_idx) - found
    if empty and not allow_empty:
        msg = f"Found no valid file for the classes {', '.join(sorted(empty))}. "
        if extensions is not None:
            msg += f"Supported extensions are: {extensions if isinstance(extensions, str) else ', '.join(extensions)}"
        raise FileNotFoundError(msg)
    return instances


class DatasetFolder(VisionDataset):
    """A dataset of files arranged in one directory per class.

    Args:
        root (str or path): the directory of class directories.
        loader (callable): path -> sample.
        extensions (tuple of str, optional): allowed file extensions.
        transform, target_transform (callable, optional): applied to the sample / the int target.
        is_valid_file (callable, optional): path -> bool, instead of extensions.
        allow_empty (bool): accept classes without files.

    Attributes: classes, class_to_idx, samples ([(path, class index)]), targets.
    """

    def __init__(self, root, loader, extensions=None, transform=None, target_transform=None, is_valid_file=None,
                 allow_empty=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        classes, class_to_idx = self.find_classes(self.root)
        samples = self.make_dataset(self.root, class_to_idx, extensions, is_valid_file, allow_empty=allow_empty)
        self.loader = loader
        self.extensions = extensions
        self.classes = classes
        self.class_to_idx = class_to_idx
        self.samples = samples
        self.targets = [s[1] for s in samples]

    @staticmethod
    def make_dataset(directory, class_to_idx, extensions=None, is_valid_file=None, allow_empty=False):
        if class_to_idx is None:
            raise ValueError("The class_to_idx parameter cannot be None.")
        return make_dataset(directory, class_to_idx, extensions, is_valid_file, allow_empty)

    def find_classes(self, directory):
        return find_classes(directory)

    def __getitem__(self, index):
        path, target = self.samples[index]
        return self._apply_transforms(self.loader(path), target)

    def __len__(self):
        return len(self.samples)


def pil_loader(path):
    """Open an image file with Pillow as RGB."""
    Image = _pil.require_pil("Loading images (ImageFolder)")
    with open(path, "rb") as f:
        img = Image.open(f)
        return img.convert("RGB")


def default_loader(path):
    return pil_loader(path)


class ImageFolder(DatasetFolder):
    """DatasetFolder of images (IMG_EXTENSIONS) loaded as RGB PIL images (needs Pillow).

    Args:
        root (str or path): the directory of class directories.
        transform, target_transform (callable, optional).
        loader (callable): path -> image (default: Pillow, RGB).
        is_valid_file (callable, optional): path -> bool, instead of the image extensions.
        allow_empty (bool): accept classes without images.

    Attributes: classes, class_to_idx, samples / imgs ([(path, class index)]), targets.
    """

    def __init__(self, root, transform=None, target_transform=None, loader=default_loader, is_valid_file=None,
                 allow_empty=False):
        super().__init__(root, loader, IMG_EXTENSIONS if is_valid_file is None else None, transform=transform,
                         target_transform=target_transform, is_valid_file=is_valid_file, allow_empty=allow_empty)
        self.imgs = self.samples
