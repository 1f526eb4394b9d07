"""The PyOD bridge: PyOD detectors in skoneclass, skoneclass estimators in PyOD.

PyOD scores the other way round (``decision_function``: higher = more
anomalous) and labels the other way round (1 = outlier, 0 = inlier). The two
wrappers translate:

- :class:`PyODDetector` makes any PyOD detector a skoneclass estimator
  (``score_samples`` higher = more normal, ``predict`` +1 / -1, labels
  -1 / 0 / +1), usable in skoneclass's pipelines, grid searches with its
  scorers, and benchmarks.
- :class:`PyODAdapter` gives a skoneclass estimator PyOD's interface
  (``decision_scores_``, ``labels_``, ``threshold_``, ``predict_proba``...)
  as a subclass of PyOD's own ``BaseDetector``, for code written against
  PyOD, such as its evaluation and combination utilities.

PyOD is an optional dependency: importing this module needs it.
"""

import copy

import numpy as np
from sklearn.base import clone
from sklearn.utils._param_validation import HasMethods, StrOptions
from sklearn.utils.validation import check_is_fitted

from .base import BaseDetector

try:
    from pyod.models.base import BaseDetector as _PyODBase
except ImportError as error:  # pragma: no cover - exercised without pyod only
    raise ImportError("skoneclass.pyod_bridge needs PyOD: pip install pyod") from error


class PyODDetector(BaseDetector):
    """Any PyOD detector as a skoneclass estimator.

    ``score_samples`` is minus PyOD's ``decision_function``; with
    ``contamination="auto"`` the offset is PyOD's own threshold (set by the
    PyOD detector's ``contamination``), so ``predict`` agrees with PyOD's
    ``predict`` (+1 / -1 for its 0 / 1). The PyOD detector is cloned at
    ``fit``; grid searches reach its parameters as ``detector__<name>``.

    Parameters
    ----------
    detector : PyOD detector
        An unfitted instance, e.g. ``pyod.models.knn.KNN()``, or any detector
        with PyOD's interface (``fit``, ``decision_function`` higher = more
        anomalous, ``threshold_``), such as DeepOD's.
    labels : {"ignore", "pass"}, default="ignore"
        "pass" hands ``y`` to semi-supervised PyOD detectors (DevNet, XGBOD)
        in PyOD's convention: 1 for known anomalies (``y == -1``), 0 for
        the rest. "ignore": unsupervised, ``y`` is accepted and ignored.
    contamination : "auto" or float in (0, 0.5], default="auto"

    Attributes
    ----------
    detector_ : PyOD detector
        The fitted clone.
    offset_ : float
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from pyod.models.knn import KNN
    >>> from skoneclass.pyod_bridge import PyODDetector
    >>> X = np.random.RandomState(0).randn(200, 2)
    >>> knn = PyODDetector(KNN(n_neighbors=5)).fit(X)
    >>> knn.predict([[0.0, 0.0], [6.0, 6.0]]).tolist()
    [1, -1]
    >>> bool(knn.score_samples([[0.0, 0.0]])[0] > knn.score_samples([[6.0, 6.0]])[0])
    True
    """

    _parameter_constraints = {
        **BaseDetector._parameter_constraints,
        "detector": [HasMethods(["fit", "decision_function"])],
        "labels": [StrOptions({"ignore", "pass"})],
    }

    def __init__(self, detector=None, labels="ignore", contamination="auto"):
        self.detector = detector
        self.labels = labels
        self.contamination = contamination

    @property
    def _uses_labels(self):
        return self.labels == "pass"

    def _fit(self, X, y):
        # PyOD's detectors are scikit-learn clonable; DeepOD's, which share
        # PyOD's interface, are not, and are copied instead.
        if hasattr(self.detector, "get_params"):
            self.detector_ = clone(self.detector)
        else:
            self.detector_ = copy.deepcopy(self.detector)
        if self.labels == "pass":
            self.detector_.fit(X, (y == -1).astype(int))
        else:
            self.detector_.fit(X)
        return -float(self.detector_.threshold_)

    def _score_samples(self, X):
        return -np.asarray(self.detector_.decision_function(X), dtype=np.float64)


class PyODAdapter(_PyODBase):
    """A skoneclass estimator with PyOD's interface.

    After ``fit``, ``decision_scores_`` are the training samples' anomaly
    scores (minus ``score_samples``), ``threshold_`` and ``labels_`` follow
    PyOD's ``contamination``, and ``decision_function``, ``predict`` (0 / 1),
    ``predict_proba`` and ``predict_confidence`` are PyOD's. Labels given to
    ``fit`` are PyOD's (1 = known outlier, 0 = unlabeled), translated for
    semi-supervised skoneclass estimators to y = -1 / 0.

    Parameters
    ----------
    estimator : skoneclass estimator
        Unfitted; cloned at ``fit``.
    contamination : float in (0, 0.5], default=0.1
        PyOD's: the fraction of training samples above ``threshold_``.

    Attributes
    ----------
    estimator_ : skoneclass estimator
    decision_scores_ : ndarray of shape (n_samples,)
    threshold_ : float
    labels_ : ndarray of shape (n_samples,)

    Examples
    --------
    >>> import numpy as np
    >>> from skoneclass import KDE
    >>> from skoneclass.pyod_bridge import PyODAdapter
    >>> X = np.random.RandomState(0).randn(200, 2)
    >>> kde = PyODAdapter(KDE(), contamination=0.05).fit(X)
    >>> int(kde.labels_.sum()), kde.predict([[0.0, 0.0], [6.0, 6.0]]).tolist()
    (10, [0, 1])
    """

    def __init__(self, estimator=None, contamination=0.1):
        super().__init__(contamination=contamination)
        self.estimator = estimator

    def fit(self, X, y=None):
        """Fit the skoneclass estimator and compute PyOD's training attributes.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or None
            PyOD's labels, 1 for known outliers; passed on (as -1) only to
            semi-supervised skoneclass estimators.

        Returns
        -------
        self : PyODAdapter
        """
        if self.estimator is None:
            raise ValueError("PyODAdapter needs a skoneclass estimator.")
        self.estimator_ = clone(self.estimator)
        labels = None
        if y is not None and getattr(self.estimator_, "_uses_labels", False):
            labels = -(np.asarray(y) == 1).astype(int)
        self.estimator_.fit(X, labels)
        self.decision_scores_ = -self.estimator_.score_samples(X)
        self._set_n_classes(None)  # PyOD's predict_proba reads it
        self._process_decision_scores()
        return self

    def decision_function(self, X):
        """Anomaly scores, higher = more anomalous (PyOD's sign).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,)
        """
        check_is_fitted(self, ["estimator_", "decision_scores_"])
        return -self.estimator_.score_samples(X)
