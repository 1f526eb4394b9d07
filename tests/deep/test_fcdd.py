"""FCDD: heatmaps, synthetic anomalies, its parts."""

import pickle

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from skoneclass import FCDD, OneClassModel
from skoneclass.datasets import make_defect_textures
from skoneclass.parts import (
    FCN,
    MLP,
    Heatmap,
    HSCLoss,
    MeanScore,
)


@pytest.fixture(scope="module")
def defects():
    X_train, _, _ = make_defect_textures(300, 0, random_state=0)
    X_test, y_test, masks = make_defect_textures(60, 60, random_state=1)
    fcdd = FCDD(channels=(32, 64), max_epochs=40, random_state=0).fit(X_train)
    return fcdd, X_test, y_test, masks


def test_fcdd_heatmaps_find_the_defects(defects):
    fcdd, X, y, masks = defects
    anomalous = y == -1
    assert roc_auc_score(anomalous, -fcdd.score_samples(X)) > 0.95
    heatmaps = fcdd.explain(X[anomalous])
    assert heatmaps.shape == (60, 32, 32)
    # Pixel-level AUROC against the drawn defects (measured 0.988).
    assert roc_auc_score(masks[anomalous].ravel(), heatmaps.ravel()) > 0.9


def test_fcdd_score_is_the_mean_of_the_low_resolution_heatmap(defects):
    fcdd, X, _, _ = defects
    low = fcdd.explain(X[:5], upsample=False)
    assert low.shape == (5, 16, 16)
    np.testing.assert_allclose(low.mean(axis=(1, 2)), -fcdd.score_samples(X[:5]))
    assert fcdd.receptive_field_ == 8


def test_fcdd_is_reproducible_and_pickles():
    X, _, _ = make_defect_textures(40, 0, size=16, random_state=0)
    params = {"channels": (8, 8), "max_epochs": 2, "random_state": 3}
    a, b = FCDD(**params).fit(X), FCDD(**params).fit(X)
    np.testing.assert_array_equal(a.score_samples(X), b.score_samples(X))
    c = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(a.explain(X), c.explain(X))
    # Flattened rows with a declared shape are the same model.
    d = FCDD(image_shape=(1, 16, 16), **params).fit(X.reshape(40, -1))
    np.testing.assert_allclose(d.score_samples(X), a.score_samples(X))


def test_fcdd_needs_negatives_and_images():
    X, _, _ = make_defect_textures(20, 0, size=8, random_state=0)
    with pytest.raises(ValueError, match="needs negatives"):
        FCDD(synthetic_anomalies=None, max_epochs=1).fit(X)
    with pytest.raises(ValueError, match="takes its image shape from the data"):
        FCDD(max_epochs=1).fit(X.reshape(20, -1))
    # The FCN's shape checks, by the part and through the estimator.
    with pytest.raises(ValueError, match=r"needs image sides divisible by 4, got"):
        FCN((1, 30, 30), channels=(8, 8, 8)).network_kwargs(900)
    with pytest.raises(ValueError, match=r"takes \(C, H, W\) images of 64 features"):
        FCN((1, 8, 8)).network_kwargs(63)
    with pytest.raises(ValueError, match="divisible by 8"):
        FCDD(channels=(4, 4, 4, 4), max_epochs=1).fit(X[:, :, :6, :6])
    assert FCN((1, 8, 8), channels=(4, 4)).output_dim(64) == 16  # a 4x4 map


def test_fcdd_is_a_preset_of_the_parts():
    X, _, _ = make_defect_textures(40, 0, size=16, random_state=0)
    params = {"channels": (8, 8), "max_epochs": 2, "random_state": 3}
    preset = FCDD(**params).fit(X)
    composed = OneClassModel.from_estimator(FCDD(**params)).fit(X)
    np.testing.assert_allclose(composed.score_samples(X), preset.score_samples(X))
    with pytest.raises(ValueError, match="needs a fully convolutional feature map"):
        OneClassModel(MLP(), Heatmap(), HSCLoss()).fit(X)
    with pytest.raises(ValueError, match="trained against anomalies"):
        OneClassModel(FCN(), Heatmap(), MeanScore()).fit(X)


def test_the_thesis_fashion_mnist_fcn():
    """Thesis appendix B.2's Fashion-MNIST FCN, layer by layer."""
    from torch import nn

    from skoneclass.deep.builders import build_network

    part = FCN((1, 28, 28), channels=(128, 128), kernel_size=5, last_block="conv_pool")
    assert part.output_dim(784) == 49
    net = build_network(part, 784)
    kinds = [type(layer) for layer in net.layers]
    assert kinds == [
        nn.Conv2d, nn.BatchNorm2d, nn.LeakyReLU, nn.MaxPool2d,
        nn.Conv2d, nn.MaxPool2d, nn.Conv2d,
    ]  # fmt: skip
    assert sum(p.numel() for p in net.parameters()) == 413_441
    assert net.receptive_field == 16
    X = np.random.RandomState(0).rand(60, 1, 28, 28).astype(np.float32)
    fcdd = FCDD(channels=(16, 16), kernel_size=5, last_block="conv_pool",
                max_epochs=1, random_state=0).fit(X)  # fmt: skip
    assert fcdd.explain(X[:2], upsample=False).shape == (2, 7, 7)
    assert fcdd.explain(X[:2]).shape == (2, 28, 28)
    with pytest.raises(ValueError, match="divisible by 4"):
        FCDD(channels=(8, 8), last_block="conv_pool", max_epochs=1).fit(
            X[:, :, :26, :26]
        )
