"""Metrics and scorers for model selection on partly labeled data.

Labels follow the library's convention: ``+1`` known normal, ``-1`` known
anomaly, ``0`` unlabeled. Unlabeled samples are left out of every metric, and
the anomaly is the positive class (as in the thesis), so
:func:`labeled_average_precision` is the AP of finding anomalies.

The scorers (:data:`roc_auc_scorer`, :data:`average_precision_scorer`) take
``(estimator, X, y)`` and can be passed as ``GridSearchCV(scoring=...)``. They
read the estimator's ``decision_function``, so they also work on a
:class:`~sklearn.pipeline.Pipeline` that ends in a detector.
"""

import numpy as np
from sklearn.metrics import average_precision_score, make_scorer, roc_auc_score
from sklearn.utils.validation import check_consistent_length, column_or_1d

from .base import check_labels


def _labeled(y_true, scores):
    scores = column_or_1d(scores)
    y_true = check_labels(y_true, scores.shape[0])
    check_consistent_length(y_true, scores)
    mask = y_true != 0
    is_anomaly = y_true[mask] == -1
    if is_anomaly.all() or not is_anomaly.any():
        if not is_anomaly.any():  # no -1 anywhere in y
            hint = (
                " y has no -1 at all: skoneclass's labels are +1 normal, -1 "
                "anomaly, 0 unlabeled; for y in {0, 1} with 1 = anomaly (PyOD, "
                "ODDS, scikit-learn's datasets) pass np.where(y == 1, -1, 1)."
            )
        else:
            hint = " With cross-validation, use a StratifiedKFold on y."
        raise ValueError(
            "Need both labeled normals (+1) and labeled anomalies (-1) to score; "
            f"got {int((~is_anomaly).sum())} normals and {int(is_anomaly.sum())} "
            f"anomalies.{hint}"
        )
    # Anomalies are the positive class and -score is the anomaly score.
    return is_anomaly.astype(int), -np.asarray(scores, dtype=float)[mask]


def labeled_roc_auc(y_true, scores):
    """AUROC of anomalies (``y == -1``) against normals (``y == +1``).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        ``+1`` normal, ``-1`` anomaly, ``0`` unlabeled (ignored).
    scores : array-like of shape (n_samples,)
        Normality scores, higher = more normal (``score_samples`` or
        ``decision_function`` of a detector).

    Returns
    -------
    auroc : float
    """
    return roc_auc_score(*_labeled(y_true, scores))


def labeled_average_precision(y_true, scores):
    """Average precision of detecting anomalies (``y == -1``).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        ``+1`` normal, ``-1`` anomaly, ``0`` unlabeled (ignored).
    scores : array-like of shape (n_samples,)
        Normality scores, higher = more normal.

    Returns
    -------
    average_precision : float
    """
    return average_precision_score(*_labeled(y_true, scores))


#: ``GridSearchCV`` scorer: :func:`labeled_roc_auc` of ``decision_function``.
roc_auc_scorer = make_scorer(labeled_roc_auc, response_method="decision_function")

#: ``GridSearchCV`` scorer: :func:`labeled_average_precision` of
#: ``decision_function``.
average_precision_scorer = make_scorer(
    labeled_average_precision, response_method="decision_function"
)
