"""skoneclass.plot draws what it says, with skoneclass's label convention."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn.metrics import (  # noqa: E402
    average_precision_score,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)

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
    # One curve per detector, the anomaly (y == -1) as the positive class and
    # -score_samples as its score: the same points and areas that
    # scikit-learn's metrics compute from the scores.
    anomaly = y_test == -1
    roc, pr = (
        roc_curves(models, X_test, y_test),
        precision_recall_curves(models, X_test, y_test),
    )
    assert len(roc.lines) == len(pr.lines) == len(models)
    for name, line, pr_line in zip(models, roc.lines, pr.lines, strict=True):
        score = -models[name].score_samples(X_test)
        fpr, tpr, _ = roc_curve(anomaly, score)
        np.testing.assert_allclose(line.get_xdata(), fpr)
        np.testing.assert_allclose(line.get_ydata(), tpr)
        assert line.get_label() == f"{name} (AUC = {roc_auc_score(anomaly, score):.2f})"
        precision, recall, _ = precision_recall_curve(anomaly, score)
        np.testing.assert_allclose(pr_line.get_xdata(), recall)
        np.testing.assert_allclose(pr_line.get_ydata(), precision)
        ap = average_precision_score(anomaly, score)
        assert pr_line.get_label() == f"{name} (AP = {ap:.2f})"
    # The two detectors differ, so the test can tell their curves apart.
    assert roc.lines[0].get_label() != roc.lines[1].get_label()
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
    with pytest.raises(ValueError, match="must match"):
        heatmap_overlay(images, heat[:2])
    with pytest.raises(ValueError, match="scale must be 'each' or 'all'"):
        heatmap_overlay(images, heat, scale="global")
    plt.close("all")
