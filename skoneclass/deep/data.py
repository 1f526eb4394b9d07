"""Training data larger than memory: rows read from an array a batch at a time.

In-memory arrays are moved to the device once and batched by index slices.
A memory-mapped array must not be copied whole, so it is wrapped in an
:class:`ArrayDataset`: each batch is read from the map, converted to float32
(and through a fixed feature map) and moved to the device. Only a batch is
ever in memory, besides the shuffled order (8 bytes per row).
"""

import mmap

import numpy as np
import torch


def is_memory_mapped(X):
    """Whether ``X`` is (a view of) a memory-mapped array."""
    while X is not None:
        if isinstance(X, np.memmap | mmap.mmap):
            return True
        X = getattr(X, "base", None)
    return False


class ArrayDataset(torch.utils.data.Dataset):
    """Rows of an array with their labels, fetched a batch at a time.

    The engine reads whole batches with :meth:`batch` (one fancy index of
    the map, not one ``__getitem__`` per sample); a plain ``DataLoader``
    works too, through ``__getitem__``.

    Parameters
    ----------
    X : array of shape (n_samples, n_features), typically a ``np.memmap``
    y : ndarray of shape (n_samples,), dtype int64
    transform : callable or None
        Applied to each batch of rows (a fitted fixed feature map).
    """

    def __init__(self, X, y, transform=None):
        self.X = X
        self.y = y
        self.transform = transform

    def __len__(self):
        return len(self.X)

    def rows(self, index):
        """Float32 tensor of the (transformed) rows ``X[index]``."""
        batch = self.X[index]
        if self.transform is not None:
            batch = self.transform(batch)
        return torch.from_numpy(np.array(batch, dtype=np.float32))

    def batch(self, index):
        """The batch ``(X, y)`` of rows ``index`` (a slice or an index array)."""
        return self.rows(index), torch.from_numpy(self.y[index])

    def __getitem__(self, i):
        X, y = self.batch([i])
        return X[0], y[0]


class _Taken:
    """Rows ``index`` of an array, read only when sliced."""

    def __init__(self, X, index):
        self.X = X
        self.index = index

    def __len__(self):
        return len(self.index)

    def __getitem__(self, key):
        return self.X[self.index[key]]


def take_rows(data, index):
    """Rows ``index`` of training data: an ``(X, y)`` pair of arrays, or an
    :class:`ArrayDataset`, whose map is still read a batch at a time."""
    if isinstance(data, ArrayDataset):
        return ArrayDataset(_Taken(data.X, index), data.y[index], data.transform)
    X, y = data
    return X[index], y[index]


class Rows:
    """Sliceable view of selected rows of an :class:`ArrayDataset` as tensors.

    Lets batched helpers (the initial center's mean embedding) read a memory
    map with the same batch boundaries as they slice an in-memory tensor.
    """

    def __init__(self, dataset, index, device):
        self.dataset = dataset
        self.index = index
        self.device = device

    def __len__(self):
        return len(self.index)

    def __getitem__(self, key):
        return self.dataset.rows(self.index[key]).to(self.device)
