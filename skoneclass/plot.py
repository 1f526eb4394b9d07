"""Plots of fitted detectors, on top of scikit-learn's displays.

matplotlib is optional: importing this module needs it. Every function takes
fitted skoneclass estimators (or anything with ``score_samples``) and data
labeled in skoneclass's convention (``y``: +1 normal, -1 anomaly), draws on
``ax`` (a new one if None) and returns the axes or scikit-learn's display.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.inspection import DecisionBoundaryDisplay
from sklearn.metrics import PrecisionRecallDisplay, RocCurveDisplay

__all__ = [
    "decision_boundary",
    "heatmap_overlay",
    "precision_recall_curves",
    "roc_curves",
    "score_histogram",
]


def _axes(ax):
    return plt.subplots()[1] if ax is None else ax


def _is_anomaly(y):
    y = np.asarray(y)
    if not np.isin(y, (-1, 1)).all():
        raise ValueError(
            "y must hold +1 (normal) and -1 (anomaly) for the plots, got "
            f"values {np.unique(y).tolist()}."
        )
    return y == -1


def score_histogram(estimator, X, y, *, bins=40, ax=None):
    """Histograms of ``score_samples`` for the normal and anomalous samples.

    The offset (the decision threshold) is drawn as a dashed line.

    Parameters
    ----------
    estimator : fitted skoneclass estimator
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
        +1 normal, -1 anomaly.
    bins : int, default=40
    ax : matplotlib Axes or None

    Returns
    -------
    ax : matplotlib Axes
    """
    ax = _axes(ax)
    anomaly = _is_anomaly(y)
    scores = estimator.score_samples(X)
    edges = np.histogram_bin_edges(scores, bins)
    style = {"bins": edges, "alpha": 0.6, "density": True}
    ax.hist(scores[~anomaly], label="normal", **style)
    ax.hist(scores[anomaly], label="anomaly", **style)
    offset = getattr(estimator, "offset_", None)
    if offset is not None:
        ax.axvline(offset, color="k", linestyle="--", label="offset_")
    ax.set_xlabel("score_samples (higher = more normal)")
    ax.legend()
    return ax


def _curves(display, estimators, X, y, ax):
    ax = _axes(ax)
    anomaly = _is_anomaly(y)
    for name, estimator in estimators.items():
        display.from_predictions(anomaly, -estimator.score_samples(X), name=name, ax=ax)
    return ax


def roc_curves(estimators, X, y, *, ax=None):
    """ROC curves of several detectors, the anomaly as the positive class.

    Parameters
    ----------
    estimators : dict of name -> fitted estimator
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
        +1 normal, -1 anomaly.
    ax : matplotlib Axes or None

    Returns
    -------
    ax : matplotlib Axes
        With one :class:`sklearn.metrics.RocCurveDisplay` per estimator,
        each labeled with its AUROC.
    """
    return _curves(RocCurveDisplay, estimators, X, y, ax)


def precision_recall_curves(estimators, X, y, *, ax=None):
    """Precision-recall curves of several detectors (anomaly = positive).

    Parameters
    ----------
    estimators : dict of name -> fitted estimator
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
        +1 normal, -1 anomaly.
    ax : matplotlib Axes or None

    Returns
    -------
    ax : matplotlib Axes
    """
    return _curves(PrecisionRecallDisplay, estimators, X, y, ax)


def decision_boundary(estimator, X, y=None, *, grid_resolution=200, ax=None):
    """The normality score over the plane, and the decision boundary.

    For a detector fitted on two features: ``decision_function`` as filled
    contours (scikit-learn's ``DecisionBoundaryDisplay``), its zero level
    (the boundary, ``predict``'s switch) as a line, and the samples.

    Parameters
    ----------
    estimator : fitted estimator with ``decision_function`` on 2 features
    X : array-like of shape (n_samples, 2)
    y : array-like of shape (n_samples,) or None
        +1 normal, -1 anomaly; colors the samples.
    grid_resolution : int, default=200
    ax : matplotlib Axes or None

    Returns
    -------
    display : sklearn.inspection.DecisionBoundaryDisplay
    """
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(
            f"decision_boundary draws two features, X has shape {X.shape}."
        )
    display = DecisionBoundaryDisplay.from_estimator(
        estimator,
        X,
        response_method="decision_function",
        grid_resolution=grid_resolution,
        plot_method="contourf",
        cmap="Blues",
        levels=20,
        ax=ax,
    )
    display.ax_.contour(
        display.xx0, display.xx1, display.response, levels=[0], colors="k"
    )
    anomaly = np.zeros(len(X), bool) if y is None else _is_anomaly(y)
    display.ax_.scatter(*X[~anomaly].T, s=4, c="tab:orange", label="normal")
    if anomaly.any():
        display.ax_.scatter(*X[anomaly].T, s=8, c="tab:red", marker="x",
                            label="anomaly")  # fmt: skip
    return display


def heatmap_overlay(images, heatmaps, *, alpha=0.5, cmap="jet", scale="each",
                    axes=None):  # fmt: skip
    """Images with anomaly heatmaps laid over them, one panel each.

    Parameters
    ----------
    images : array-like of shape (n, H, W) or (n, H, W, 3)
        Gray or RGB images in [0, 1].
    heatmaps : array-like of shape (n, H, W)
        Per-pixel anomaly scores, any range.
    alpha : float, default=0.5
    cmap : str, default="jet"
    scale : {"each", "all"}, default="each"
        Min-max scale each heatmap on its own (where in the image), or all
        on one scale (which image is worse).
    axes : sequence of n matplotlib Axes or None

    Returns
    -------
    axes : list of matplotlib Axes
    """
    images, heatmaps = np.asarray(images), np.asarray(heatmaps)
    if len(images) != len(heatmaps) or images.shape[1:3] != heatmaps.shape[1:3]:
        raise ValueError(
            f"images {images.shape} and heatmaps {heatmaps.shape} must match "
            "in number and size."
        )
    if axes is None:
        axes = plt.subplots(1, len(images), squeeze=False)[1][0]
    if scale not in ("each", "all"):
        raise ValueError(f"scale must be 'each' or 'all', got {scale!r}.")
    low, high = heatmaps.min(), heatmaps.max()
    for ax, image, heat in zip(axes, images, heatmaps, strict=True):
        if scale == "each":
            low, high = heat.min(), heat.max()
        ax.imshow(image, cmap="gray" if image.ndim == 2 else None)
        ax.imshow(heat, cmap=cmap, alpha=alpha, vmin=low, vmax=max(high, low + 1e-12))
        ax.set_xticks([])
        ax.set_yticks([])
    return list(axes)
