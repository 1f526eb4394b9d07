"""Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017) from its local IDX files.

Nothing is downloaded. The four original files (gzip-compressed or not) are
looked up in ``data_home``, else in the directory named by the
``SKONECLASS_DATA`` environment variable, else where Debian's package
``dataset-fashion-mnist`` installs them; in each place either directly or in
a ``fashion-mnist`` subfolder.
"""

import gzip
import os
from pathlib import Path

import numpy as np
from sklearn.utils import check_random_state

#: The ten classes, by label.
FASHION_MNIST_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)

#: Where ``apt-get install dataset-fashion-mnist`` puts the files.
DEBIAN_HOME = Path("/usr/share/datasets/fashion-mnist")

_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
#: IDX magic numbers: unsigned bytes, then the number of dimensions.
_MAGIC = {"images": 0x0803, "labels": 0x0801}


def _candidates(data_home):
    """The folders to look in, in order."""
    homes = [data_home] if data_home is not None else []
    if data_home is None and os.environ.get("SKONECLASS_DATA"):
        homes.append(os.environ["SKONECLASS_DATA"])
    folders = [f for h in homes for f in (Path(h), Path(h) / "fashion-mnist")]
    if data_home is None:
        folders.append(DEBIAN_HOME)
    return folders


def _file(folder, stem):
    for name in (f"{stem}.gz", stem):
        if (folder / name).is_file():
            return folder / name
    return None


def fashion_mnist_home(data_home=None):
    """The folder holding the four Fashion-MNIST files.

    Parameters
    ----------
    data_home : str or path-like, default=None
        A folder with the files, or with a ``fashion-mnist`` subfolder holding
        them. None: the ``SKONECLASS_DATA`` environment variable's folder (or
        its ``fashion-mnist`` subfolder), else :data:`DEBIAN_HOME`.

    Returns
    -------
    home : pathlib.Path

    Raises
    ------
    FileNotFoundError
        No such folder holds all four files; the message lists the folders
        looked in and how to get the data.
    """
    stems = [stem for pair in _FILES.values() for stem in pair]
    folders = _candidates(data_home)
    for folder in folders:
        if all(_file(folder, stem) for stem in stems):
            return folder
    looked = ", ".join(str(f) for f in folders)
    raise FileNotFoundError(
        f"Fashion-MNIST not found: no folder among {looked} holds the four "
        f"files {', '.join(s + '[.gz]' for s in stems)}. skoneclass does not "
        "download data: install Debian's package dataset-fashion-mnist "
        f"(apt-get install dataset-fashion-mnist, into {DEBIAN_HOME}) or get "
        "the files from https://github.com/zalandoresearch/fashion-mnist, then "
        "pass data_home=<their folder> or set SKONECLASS_DATA."
    )


def _read_idx(path, kind):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        raw = f.read()
    magic = int.from_bytes(raw[:4], "big")
    if magic != _MAGIC[kind]:
        raise ValueError(
            f"{path} is not an IDX file of {kind} (magic number {magic:#x}, "
            f"expected {_MAGIC[kind]:#x})."
        )
    ndim = magic & 0xFF
    shape = tuple(
        int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)
    )
    offset = 4 + 4 * ndim
    if len(raw) - offset != int(np.prod(shape)):
        raise ValueError(
            f"{path} is truncated or corrupt: its header announces "
            f"{int(np.prod(shape))} bytes of data, it holds {len(raw) - offset}."
        )
    return np.frombuffer(raw, np.uint8, offset=offset).reshape(shape)


def load_fashion_mnist(subset="train", *, data_home=None, dtype=np.float32):
    """Load the Fashion-MNIST images and labels of one subset.

    Parameters
    ----------
    subset : {"train", "test"}, default="train"
        The 60,000 training or the 10,000 test images.
    data_home : str or path-like, default=None
        See :func:`fashion_mnist_home`.
    dtype : floating dtype, default=np.float32
        Of the images (float32: the 60,000 training images take 190 MB).

    Returns
    -------
    X : ndarray of shape (n_samples, 1, 28, 28)
        Pixels scaled to [0, 1] (divided by 255), the seeds' only
        preprocessing. The image detectors take this shape as it is.
    y : ndarray of shape (n_samples,), dtype int64
        Class labels 0-9 (:data:`FASHION_MNIST_CLASSES`).

    Examples
    --------
    >>> from skoneclass.datasets import load_fashion_mnist
    >>> X, y = load_fashion_mnist("test")  # doctest: +SKIP
    >>> X.shape, float(X.max())  # doctest: +SKIP
    ((10000, 1, 28, 28), 1.0)
    """
    if subset not in _FILES:
        raise ValueError(f"subset must be 'train' or 'test', got {subset!r}.")
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"dtype must be a floating dtype, got {dtype}.")
    home = fashion_mnist_home(data_home)
    images, labels = (
        _read_idx(_file(home, stem), kind)
        for stem, kind in zip(_FILES[subset], ("images", "labels"), strict=True)
    )
    if len(images) != len(labels):
        raise ValueError(
            f"{home}: {len(images)} {subset} images but {len(labels)} labels."
        )
    X = images[:, None].astype(dtype) / dtype.type(255)
    return X, labels.astype(np.int64)


def fashion_mnist_one_vs_rest(
    normal_class,
    *,
    anomaly_fraction=1.0,
    data_home=None,
    random_state=None,
    dtype=np.float32,
):
    """The seeds' one-vs-rest task: one class normal, the other nine anomalous.

    Training data are the training images of ``normal_class``. The test set is
    the test images of ``normal_class`` and of the other classes: all of them
    (the thesis, the decentralization paper) or a random ``anomaly_fraction``
    of them (0.5: the RSC-VAE paper's random half).

    Parameters
    ----------
    normal_class : int in 0-9
    anomaly_fraction : float in (0, 1], default=1.0
        Share of the other classes' test images kept, drawn at random over
        all of them.
    data_home : str or path-like, default=None
        See :func:`fashion_mnist_home`.
    random_state : int, RandomState instance or None, default=None
        Draws the kept anomalies (unused with ``anomaly_fraction=1``).
    dtype : floating dtype, default=np.float32

    Returns
    -------
    X_train : ndarray of shape (6000, 1, 28, 28)
    X_test : ndarray of shape (n_test, 1, 28, 28)
        The normal test images first, then the anomalies.
    is_anomaly : ndarray of shape (n_test,), dtype int64
        1 for the other classes' images.
    """
    if normal_class not in range(len(FASHION_MNIST_CLASSES)):
        raise ValueError(f"normal_class must be an int in 0-9, got {normal_class!r}.")
    if not 0 < anomaly_fraction <= 1:
        raise ValueError(
            f"anomaly_fraction must be in (0, 1], got {anomaly_fraction!r}."
        )
    X_train, y_train = load_fashion_mnist("train", data_home=data_home, dtype=dtype)
    X_test, y_test = load_fashion_mnist("test", data_home=data_home, dtype=dtype)
    others = np.flatnonzero(y_test != normal_class)
    if anomaly_fraction < 1:
        rng = check_random_state(random_state)
        keep = round(anomaly_fraction * len(others))
        others = np.sort(rng.choice(others, keep, replace=False))
    test = np.concatenate([np.flatnonzero(y_test == normal_class), others])
    is_anomaly = (y_test[test] != normal_class).astype(np.int64)
    return X_train[y_train == normal_class], X_test[test], is_anomaly
