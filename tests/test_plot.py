"""skoneclass.plot draws what it says, with skoneclass's label convention."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from skoneclass import KDE, SVDD  # noqa: E402
from skoneclass.datasets import make_big_moon_small_moon  # noqa: E402
from skoneclass.plot import (  # noqa: E402
    decision_boundary,
    heatmap_overlay,
    precision_recall_curves,
    roc_curves,
    score_histogram,
)


@pytest.fixture(scope="module")
def fitted():
    X_train, _ = make_big_moon_small_moon(300, random_state=0)
    X_test, y_test = make_big_moon_small_moon(200, 200, random_state=1)
    models = {"SVDD": SVDD(gamma=10.0).fit(X_train), "KDE": KDE().fit(X_train)}
    return models, X_train, X_test, y_test


def test_histogram_and_curves(fitted):
    models, _, X_test, y_test = fitted
    ax = score_histogram(models["SVDD"], X_test, y_test)
    assert len(ax.patches) == 80  # two histograms of 40 bins
    assert ax.lines[0].get_xdata()[0] == models["SVDD"].offset_
    ax = roc_curves(models, X_test, y_test)
    labels = [line.get_label() for line in ax.lines]
    assert any(label.startswith("SVDD (AUC = 0.9") for label in labels), labels
    ax = precision_recall_curves(models, X_test, y_test)
    assert len(ax.lines) >= 2
    plt.close("all")


def test_decision_boundary_is_the_zero_of_decision_function(fitted):
    models, X_train, X_test, y_test = fitted
    display = decision_boundary(models["SVDD"], X_test, y_test)
    inside = display.response > 0
    grid = np.c_[display.xx0.ravel(), display.xx1.ravel()]
    np.testing.assert_array_equal(
        models["SVDD"].predict(grid).reshape(inside.shape) == 1, inside
    )
    assert inside.any() and not inside.all()
    with pytest.raises(ValueError, match="two features"):
        decision_boundary(models["SVDD"], np.c_[X_test, X_test])
    with pytest.raises(ValueError, match=r"\+1 \(normal\)"):
        score_histogram(models["SVDD"], X_test, y_test + 1)
    plt.close("all")


def test_heatmap_overlay():
    images = np.random.RandomState(0).rand(3, 8, 8)
    heat = np.zeros((3, 8, 8))
    heat[:, 2:4, 2:4] = 1.0
    axes = heatmap_overlay(images, heat)
    assert len(axes) == 3 and len(axes[0].images) == 2
    heat[0] *= 10  # one much worse image
    shared = heatmap_overlay(images, heat, scale="all")
    assert shared[1].images[1].get_clim() == shared[0].images[1].get_clim()
    assert heatmap_overlay(images, heat)[1].images[1].get_clim() == (0.0, 1.0)
    with pytest.raises(ValueError, match="must match"):
        heatmap_overlay(images, heat[:, :4])
    plt.close("all")
