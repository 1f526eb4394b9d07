"""Prototype models: distance to the nearest k-means center."""

import numpy as np
from sklearn.cluster import KMeans as _SkKMeans

from ..base import BaseDetector
from ..parts import make_parts
from ..parts.feature_maps import Identity
from ..parts.losses import MeanScore
from ..parts.models import Prototypes


class KMeans(BaseDetector):
    """Distance to the nearest k-means prototype (thesis Table 4.1).

    .. math::

        s(x) = \\min_k \\|x - c_k\\|^2,

    with the prototypes c_k found by k-means (Lloyd's algorithm, k-means++
    initialization); ``score_samples = -s(x)``.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of prototypes k (the model's regularizer).
    n_init : int or "auto", default="auto"
        Number of k-means runs; the best is kept.
    max_iter : int, default=300
        Lloyd iterations per run.
    tol : float, default=1e-4
        Convergence tolerance of Lloyd's algorithm.
    random_state : int, RandomState instance or None, default=None
    contamination : "auto" or float in (0, 0.5], default="auto"
        Fraction of training samples below ``offset_`` ("auto": 0.1).

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
    n_iter_ : int
    offset_ : float
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from skoneclass import KMeans
    >>> X = np.random.RandomState(0).randn(100, 2)
    >>> KMeans(n_clusters=3, random_state=0).fit(X).predict([[0.0, 0.0], [6.0, 6.0]])
    array([ 1, -1])
    """

    _parameter_constraints = {
        **{
            k: _SkKMeans._parameter_constraints[k]
            for k in ("n_clusters", "n_init", "max_iter", "tol", "random_state")
        },
        **BaseDetector._parameter_constraints,
    }

    def __init__(
        self,
        n_clusters=8,
        n_init="auto",
        max_iter=300,
        tol=1e-4,
        random_state=None,
        contamination="auto",
    ):
        self.n_clusters = n_clusters
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state
        self.contamination = contamination

    def get_parts(self):
        """Raw input, k-means prototypes, squared distance."""
        return make_parts(
            Identity(),
            Prototypes(self.n_clusters, self.n_init, self.max_iter, self.tol),
            MeanScore(),
        )

    def _fit(self, X, y):
        if self.n_clusters > X.shape[0]:
            raise ValueError(
                f"n_clusters={self.n_clusters} exceeds n_samples={X.shape[0]}."
            )
        km = _SkKMeans(
            n_clusters=self.n_clusters,
            n_init=self.n_init,
            max_iter=self.max_iter,
            tol=self.tol,
            random_state=self.random_state,
        ).fit(X)
        self.cluster_centers_ = km.cluster_centers_
        self.n_iter_ = int(km.n_iter_)

    def _score_samples(self, X):
        sq = (
            np.einsum("ij,ij->i", X, X)[:, None]
            - 2.0 * X @ self.cluster_centers_.T
            + np.einsum("ij,ij->i", self.cluster_centers_, self.cluster_centers_)
        )
        return -np.maximum(sq.min(axis=1), 0.0)
