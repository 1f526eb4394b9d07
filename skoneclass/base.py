"""The estimator layer every skoneclass detector shares.

A detector subclasses :class:`BaseDetector` and implements two methods:

- ``_fit(X, y)``: learn the model from validated ``X`` (float64, 2-D) and, for
  semi-supervised detectors, validated labels ``y`` (``None`` for the others).
  It returns the model's own decision boundary in *score_samples units*
  (minus the squared radius, the offset rho) or ``None`` if it has none.
- ``_score_samples(X)``: the normality score of validated ``X``, higher = more
  normal.

Everything else -- input and label validation, ``offset_`` from
``contamination``, ``decision_function``, ``predict``, ``fit_predict`` and the
scikit-learn tags -- lives here, once.
"""

import warnings
from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, OutlierMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import (
    check_consistent_length,
    check_is_fitted,
    column_or_1d,
    validate_data,
)

from .exceptions import LabelWarning
from .parts.base import validate_parts

#: Label values accepted by ``fit``: +1 known normal, -1 known anomaly, 0 unlabeled.
LABELS = (-1, 0, 1)

#: Fraction of training samples flagged when ``contamination="auto"`` and the
#: model has no boundary of its own (PyOD's default contamination).
AUTO_CONTAMINATION = 0.1


def check_labels(y, n_samples):
    """Validate semi-supervised labels.

    Parameters
    ----------
    y : array-like of shape (n_samples,) or None
        ``+1`` known normal, ``-1`` known anomaly, ``0`` unlabeled. ``None``
        means all samples are unlabeled.
    n_samples : int
        Number of samples in ``X``.

    Returns
    -------
    y : ndarray of shape (n_samples,), dtype int
    """
    if y is None:
        return np.zeros(n_samples, dtype=int)
    y = column_or_1d(y, warn=True)
    check_consistent_length(np.empty(n_samples), y)
    if not np.issubdtype(y.dtype, np.number):
        raise TypeError(
            f"y must be numeric with values in {{-1, 0, +1}}, got dtype {y.dtype}."
        )
    if not np.all(np.isfinite(y)):
        raise ValueError("y contains NaN or infinity; use 0 for unlabeled samples.")
    bad = np.setdiff1d(np.unique(y), LABELS)
    if bad.size:
        raise ValueError(
            f"y contains label values {bad.tolist()} outside {{-1, 0, +1}} "
            "(+1 known normal, -1 known anomaly, 0 unlabeled)."
        )
    return y.astype(int)


def _flatten_images(X, name, accepts_images=True):
    """``(X, image_shape)``: images (n, C, H, W) or (n, H, W) as rows of
    C*H*W features with their shape (C, H, W); other input unchanged with
    shape None."""
    ndim = getattr(X, "ndim", None)
    if ndim is None and isinstance(X, list | tuple):
        try:
            array = np.asarray(X)
        except ValueError:  # ragged: check_array names the problem
            array = None
        if array is not None and array.dtype != object and array.ndim > 2:
            X, ndim = array, array.ndim
    if ndim is None or ndim <= 2:
        return X, None
    if ndim > 4 or not accepts_images:
        takes = (
            "2-D X (n_samples, n_features), or images as 3-D (n, H, W) or 4-D "
            "(n, C, H, W)"
            if accepts_images
            else "2-D X (n_samples, n_features)"
        )
        raise ValueError(f"{name} takes {takes}; got a {ndim}-D X of shape {X.shape}.")
    shape = (1, *X.shape[1:]) if ndim == 3 else tuple(X.shape[1:])
    shape = tuple(int(d) for d in shape)
    # An explicit width: reshape cannot infer -1 for 0 images, and
    # check_array then says that 0 samples were given.
    return X.reshape(X.shape[0], int(np.prod(shape))), shape


class BaseDetector(OutlierMixin, BaseEstimator):
    """Base class of all skoneclass detectors.

    Scores follow scikit-learn's outlier detectors: :meth:`score_samples` is
    higher for more normal samples, ``decision_function = score_samples -
    offset_`` is negative for outliers, and :meth:`predict` returns +1 (inlier)
    or -1 (outlier).

    ``contamination="auto"`` puts ``offset_`` on the model's own boundary where
    it has one (e.g. the SVDD radius) and otherwise flags the lowest-scoring
    10% of the training samples. A float sets ``offset_`` to that quantile of
    the training scores whatever the model.

    ``X`` may be images of shape (n, C, H, W) or (n, H, W): they are
    flattened to rows of C*H*W features (pixels are features to the shallow
    models), and ``image_shape_`` keeps (C, H, W) for the image networks.
    """

    #: Semi-supervised detectors set this to True; the others ignore ``y``.
    _uses_labels = False

    #: dtypes ``X`` is validated to; another dtype is converted to the first.
    _input_dtypes = (np.float64,)

    #: Whether ``X`` may be images, (n, C, H, W) or (n, H, W). They are
    #: flattened to rows of C*H*W features; image networks get their shape
    #: back from ``image_shape_``.
    _accepts_images = True

    _parameter_constraints: dict = {
        "contamination": [
            StrOptions({"auto"}),
            Interval(Real, 0, 0.5, closed="right"),
        ],
    }

    def fit(self, X, y=None):
        """Fit the detector.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,), default=None
            ``+1`` known normal, ``-1`` known anomaly, ``0`` unlabeled.
            Detectors that are not semi-supervised accept and ignore it.

        Returns
        -------
        self : object
            The fitted detector.
        """
        self._validate_params()
        if hasattr(self, "get_parts"):
            validate_parts(self.get_parts())
        X = self._validate_X(X, reset=True)
        labels = check_labels(y, X.shape[0]) if self._uses_labels else None
        if labels is not None:
            self._check_label_mix(labels)
        boundary = self._fit(X, labels)
        self.offset_ = self._compute_offset(X, boundary)
        return self

    def _check_label_mix(self, labels):
        """Refuse labels with no normal sample; warn on PyOD-like labels."""
        anomalies = labels == -1
        if anomalies.all():
            raise ValueError(
                f"{type(self).__name__} needs normal or unlabeled training "
                "samples (y == +1 or 0), but every sample of y is a labeled "
                "anomaly (-1)."
            )
        if not anomalies.any() and (labels == 1).any():
            warnings.warn(
                f"y holds only 0 and 1, which {type(self).__name__} reads as "
                "unlabeled and known *normal* samples (skoneclass's labels: +1 "
                "normal, -1 anomaly, 0 unlabeled). If 1 marks anomalies "
                "(PyOD's and ODDS's convention), pass np.where(y == 1, -1, 0).",
                LabelWarning,
                stacklevel=3,
            )

    def _validate_X(self, X, reset):
        """``X`` as a validated 2-D array; images are flattened.

        Sets ``image_shape_`` (C, H, W) when fitting on images, None on rows.
        Later calls take images of that shape or their flattened rows.
        """
        if hasattr(self, "get_parts"):
            feature_map = self.get_parts()["feature_map"]
            if getattr(feature_map, "takes_tokens", False):
                # Text: documents of token ids, padded; no n_features_in_.
                return feature_map.check_input(X)
        X, shape = _flatten_images(X, type(self).__name__, self._accepts_images)
        if reset:
            self.image_shape_ = shape
        elif shape is not None and getattr(self, "image_shape_", None) not in (
            None,
            shape,
        ):
            raise ValueError(
                f"X holds images of shape {shape}, but {type(self).__name__} "
                f"was fitted on images of shape {self.image_shape_}."
            )
        kwargs = {"ensure_min_samples": 2} if reset else {}
        return validate_data(
            self, X, dtype=list(self._input_dtypes), reset=reset, **kwargs
        )

    def _compute_offset(self, X, boundary):
        if self.contamination == "auto" and boundary is not None:
            return float(boundary)
        fraction = (
            AUTO_CONTAMINATION if self.contamination == "auto" else self.contamination
        )
        return float(np.percentile(self._training_scores(X), 100.0 * fraction))

    def _training_scores(self, X):
        """Scores of the training data that set ``offset_`` (a hook)."""
        return self._score_samples(X)

    def score_samples(self, X):
        """Normality score of each sample, higher = more normal.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,), dtype float64

        Raises
        ------
        ValueError
            If the model gives a sample a NaN or infinite score (a diverged
            fit); ``decision_function`` and ``predict`` raise it too.
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        scores = np.asarray(self._score_samples(X), dtype=np.float64)
        bad = ~np.isfinite(scores)
        if bad.any():
            # Never a silent inlier: NaN < 0 is False, so predict would say +1.
            raise ValueError(
                f"{type(self).__name__} gives NaN or infinite scores to "
                f"{int(bad.sum())} of {len(scores)} samples: the fitted model "
                "is unusable, as after a diverged training (fit warns with a "
                "TrainingWarning then). Refit it, e.g. with a lower lr."
            )
        return scores

    def decision_function(self, X):
        """Signed distance to the decision boundary, negative = outlier.

        Equal to ``score_samples(X) - offset_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        decision : ndarray of shape (n_samples,)
        """
        return self.score_samples(X) - self.offset_

    def predict(self, X):
        """Predict +1 for inliers and -1 for outliers.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,), dtype int
        """
        return np.where(self.decision_function(X) < 0, -1, 1)

    def fit_predict(self, X, y=None):
        """Fit on ``X`` (with optional labels ``y``) and predict ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,), default=None
            See :meth:`fit`.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            +1 for inliers, -1 for outliers.
        """
        return self.fit(X, y).predict(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = False
        return tags
