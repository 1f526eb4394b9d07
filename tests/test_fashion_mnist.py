"""Fashion-MNIST loader (issue 19): the shared IDX files, and its errors."""

import gzip

import numpy as np
import pytest

from skoneclass import DeepSVDD
from skoneclass.datasets import (
    FASHION_MNIST_CLASSES,
    fashion_mnist_home,
    fashion_mnist_one_vs_rest,
    load_fashion_mnist,
)
from skoneclass.datasets import fashion_mnist as module
from skoneclass.metrics import labeled_roc_auc

STEMS = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)


def _idx(kind, array):
    """The IDX bytes of a uint8 array (images: 0x0803, labels: 0x0801)."""
    header = (0x0800 + array.ndim).to_bytes(4, "big")
    header += b"".join(n.to_bytes(4, "big") for n in array.shape)
    return header + array.astype(np.uint8).tobytes()


def _write_set(folder, n=(6, 4), compress=True):
    """A tiny Fashion-MNIST in ``folder``: pixel value = 10 * label."""
    folder.mkdir(parents=True, exist_ok=True)
    for (images, labels), count in zip((STEMS[:2], STEMS[2:]), n, strict=True):
        y = np.arange(count) % 10
        X = np.repeat(10 * y, 28 * 28).reshape(count, 28, 28)
        for stem, data in ((images, _idx("images", X)), (labels, _idx("labels", y))):
            if compress:
                (folder / f"{stem}.gz").write_bytes(gzip.compress(data))
            else:
                (folder / stem).write_bytes(data)
    return folder


@pytest.fixture
def no_default_home(monkeypatch, tmp_path):
    """Neither the environment variable nor Debian's folder is there."""
    monkeypatch.delenv("SKONECLASS_DATA", raising=False)
    monkeypatch.setattr(module, "DEBIAN_HOME", tmp_path / "usr-share-absent")


def test_loads_the_shared_files(fashion_mnist_dir):
    X, y = load_fashion_mnist("test", data_home=fashion_mnist_dir)
    assert X.shape == (10_000, 1, 28, 28) and X.dtype == np.float32
    assert X.min() == 0 and X.max() == 1
    np.testing.assert_array_equal(np.bincount(y), [1000] * 10)
    assert y.dtype == np.int64 and len(FASHION_MNIST_CLASSES) == 10
    # The parent folder (../shared/data) works too, as for the ODDS files.
    assert fashion_mnist_home(fashion_mnist_dir.parent) == fashion_mnist_dir


def test_one_vs_rest_protocols(fashion_mnist_dir):
    X_train, X_test, is_anomaly = fashion_mnist_one_vs_rest(
        8, data_home=fashion_mnist_dir
    )
    assert X_train.shape == (6000, 1, 28, 28)
    assert len(X_test) == 10_000 and is_anomaly.sum() == 9000
    assert not is_anomaly[:1000].any()  # the normal class first
    half = fashion_mnist_one_vs_rest(
        8, anomaly_fraction=0.5, data_home=fashion_mnist_dir, random_state=0
    )
    again = fashion_mnist_one_vs_rest(
        8, anomaly_fraction=0.5, data_home=fashion_mnist_dir, random_state=0
    )
    assert len(half[1]) == 5500 and half[2].sum() == 4500
    np.testing.assert_array_equal(half[1], again[1])
    np.testing.assert_array_equal(half[0], X_train)


def test_a_tiny_fit_on_real_images(fashion_mnist_dir):
    """Trouser against the rest, 300 training images, LeNet for 28 x 28."""
    X_train, X_test, is_anomaly = fashion_mnist_one_vs_rest(
        1, anomaly_fraction=0.05, data_home=fashion_mnist_dir, random_state=0
    )
    model = DeepSVDD(
        network="lenet28", pretrain=None, max_epochs=5, lr=1e-3, random_state=0
    ).fit(X_train[:300])
    auroc = labeled_roc_auc(np.where(is_anomaly, -1, 1), model.score_samples(X_test))
    assert auroc > 0.8, auroc


@pytest.mark.parametrize("compress", [True, False])
def test_finds_the_files_where_promised(no_default_home, tmp_path, monkeypatch,
                                        compress):  # fmt: skip
    home = _write_set(tmp_path / "data" / "fashion-mnist", compress=compress)
    X, y = load_fashion_mnist("train", data_home=tmp_path / "data", dtype=np.float64)
    assert X.shape == (6, 1, 28, 28) and X.dtype == np.float64
    np.testing.assert_allclose(X[:, 0, 0, 0], 10 * y / 255)
    monkeypatch.setenv("SKONECLASS_DATA", str(tmp_path / "data"))
    assert fashion_mnist_home() == home
    monkeypatch.delenv("SKONECLASS_DATA")
    monkeypatch.setattr(module, "DEBIAN_HOME", home)
    assert fashion_mnist_home() == home
    assert len(load_fashion_mnist("test")[0]) == 4


def test_a_missing_folder_says_where_it_looked_and_how_to_get_the_data(
    no_default_home, tmp_path, monkeypatch
):
    with pytest.raises(FileNotFoundError) as error:
        load_fashion_mnist(data_home=tmp_path / "nowhere")
    message = str(error.value)
    assert str(tmp_path / "nowhere" / "fashion-mnist") in message
    assert "apt-get install dataset-fashion-mnist" in message
    assert "does not download" in message
    monkeypatch.setenv("SKONECLASS_DATA", str(tmp_path / "env"))
    with pytest.raises(FileNotFoundError, match=r"env.*usr-share-absent"):
        load_fashion_mnist()
    # Three of the four files are not enough.
    home = _write_set(tmp_path / "partial")
    (home / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError, match="partial"):
        load_fashion_mnist(data_home=home)


def test_corrupt_files_and_bad_arguments(no_default_home, tmp_path):
    home = _write_set(tmp_path / "bad", compress=False)
    data = (home / STEMS[0]).read_bytes()
    (home / STEMS[0]).write_bytes(data[:-5])
    with pytest.raises(ValueError, match="truncated or corrupt"):
        load_fashion_mnist(data_home=home)
    (home / STEMS[0]).write_bytes(_idx("labels", np.zeros(6)))
    with pytest.raises(ValueError, match="not an IDX file of images"):
        load_fashion_mnist(data_home=home)
    with pytest.raises(ValueError, match="subset must be 'train' or 'test'"):
        load_fashion_mnist("validation", data_home=home)
    with pytest.raises(TypeError, match="floating dtype"):
        load_fashion_mnist("test", data_home=home, dtype=np.uint8)
    with pytest.raises(ValueError, match="normal_class must be an int in 0-9"):
        fashion_mnist_one_vs_rest(10, data_home=home)
    with pytest.raises(ValueError, match=r"anomaly_fraction must be in \(0, 1\]"):
        fashion_mnist_one_vs_rest(0, anomaly_fraction=0, data_home=home)
