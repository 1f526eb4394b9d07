"""Reconstruction models: PCA and kernel PCA.

The loss of both is the squared reconstruction error, the model a projection
onto the leading principal subspace (orthogonality of W is the regularizer),
and ``score_samples`` is minus the reconstruction error.
"""

from numbers import Integral, Real

import numpy as np
from scipy.linalg import eigh
from sklearn.decomposition import PCA as _SkPCA
from sklearn.utils._param_validation import Interval

from ..base import BaseDetector
from ..parts import make_parts
from ..parts.feature_maps import KERNEL_PARAMETER_CONSTRAINTS, Identity, Kernel
from ..parts.losses import MeanScore
from ..parts.models import Subspace

_N_COMPONENTS = [
    Interval(Integral, 0, None, closed="left"),
    Interval(Real, 0, 1, closed="neither"),
]


def _n_kept(explained_variance, n_components, cap):
    """Number of leading components for an int or a variance fraction."""
    if isinstance(n_components, Integral):
        return int(n_components)
    ratio = np.cumsum(explained_variance) / explained_variance.sum()
    return min(int(np.searchsorted(ratio, n_components) + 1), cap)


class PCA(BaseDetector):
    """PCA reconstruction error (Hotelling, 1933; thesis Table 4.1).

    .. math::

        s(x) = \\|(x - \\mu) - W^T W (x - \\mu)\\|^2,

    with W the k leading principal directions of the training data;
    ``score_samples = -s(x)``.

    Parameters
    ----------
    n_components : int or float in (0, 1), default=0.9
        Number k of components, or the fraction of variance they must explain.
        A fraction keeps at most ``n_features - 1`` components, so that some
        residual subspace is left to measure; an int must be below
        ``n_features`` for the same reason. 0 scores the distance to the mean.
    contamination : "auto" or float in (0, 0.5], default="auto"
        Fraction of training samples below ``offset_`` ("auto": 0.1).

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,)
    components_ : ndarray of shape (n_kept, n_features)
        The rows of W.
    n_components_ : int
    offset_ : float
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from skoneclass import PCA
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(100, 1) @ [[1.0, 1.0]] + 0.05 * rng.randn(100, 2)
    >>> PCA(n_components=1).fit(X).predict([[1.0, 1.0], [1.0, -1.0]])
    array([ 1, -1])
    """

    _parameter_constraints = {
        **BaseDetector._parameter_constraints,
        "n_components": _N_COMPONENTS,
    }

    def __init__(self, n_components=0.9, contamination="auto"):
        self.n_components = n_components
        self.contamination = contamination

    def get_parts(self):
        """Raw input, linear subspace, reconstruction error."""
        return make_parts(Identity(), Subspace(self.n_components), MeanScore())

    def _fit(self, X, y):
        d = X.shape[1]
        if isinstance(self.n_components, Integral) and self.n_components >= d:
            raise ValueError(
                f"n_components={self.n_components} must be below n_features={d}: "
                "with every component the reconstruction error is always 0."
            )
        pca = _SkPCA(svd_solver="full").fit(X)
        k = _n_kept(pca.explained_variance_, self.n_components, d - 1)
        self.mean_ = pca.mean_
        self.components_ = pca.components_[:k]
        self.n_components_ = k

    def _score_samples(self, X):
        centered = X - self.mean_
        residual = centered - (centered @ self.components_.T) @ self.components_
        return -np.einsum("ij,ij->i", residual, residual)


class KernelPCA(BaseDetector):
    """Kernel PCA reconstruction error in feature space (Hoffmann, 2007).

    .. math::

        s(x) = \\|\\tilde\\phi_k(x) - W^T W \\tilde\\phi_k(x)\\|^2
             = \\tilde k(x, x) - \\sum_{j \\le k} z_j(x)^2,

    where tilde denotes centering in feature space and z_j(x) is the
    projection on the j-th kernel principal component, computed from the
    eigendecomposition of the centered Gram matrix; ``score_samples = -s(x)``.

    Parameters
    ----------
    kernel : str or callable, default="rbf"
        Any kernel of :func:`sklearn.metrics.pairwise.pairwise_kernels`.
    gamma : {"scale", "auto"} or float, default="scale"
        Kernel coefficient, resolved as in :class:`sklearn.svm.OneClassSVM`.
    degree : int, default=3
        Degree of the polynomial kernel.
    coef0 : float, default=1.0
        Independent term of the polynomial and sigmoid kernels.
    n_components : int or float in (0, 1), default=0.9
        Number of components, or the fraction of the feature-space variance
        (trace of the centered Gram matrix) they must explain.
    contamination : "auto" or float in (0, 0.5], default="auto"
        Fraction of training samples below ``offset_`` ("auto": 0.1).

    Attributes
    ----------
    n_components_ : int
    X_fit_ : ndarray of shape (n_samples, n_features)
        The training data, needed to evaluate the kernel.
    offset_ : float
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from skoneclass import KernelPCA
    >>> X = np.random.RandomState(0).randn(100, 2)
    >>> KernelPCA().fit(X).predict([[0.0, 0.0], [6.0, 6.0]])
    array([ 1, -1])
    """

    _parameter_constraints = {
        **BaseDetector._parameter_constraints,
        **KERNEL_PARAMETER_CONSTRAINTS,
        "n_components": _N_COMPONENTS,
    }

    def __init__(
        self,
        kernel="rbf",
        gamma="scale",
        degree=3,
        coef0=1.0,
        n_components=0.9,
        contamination="auto",
    ):
        self.kernel = kernel
        self.gamma = gamma
        self.degree = degree
        self.coef0 = coef0
        self.n_components = n_components
        self.contamination = contamination

    def get_parts(self):
        """phi_k, linear subspace in feature space, reconstruction error."""
        return make_parts(
            Kernel(self.kernel, self.gamma, self.degree, self.coef0),
            Subspace(self.n_components),
            MeanScore(),
        )

    def _fit(self, X, y):
        self.kernel_map_ = Kernel(self.kernel, self.gamma, self.degree, self.coef0)
        K = self.kernel_map_.fit(X)(X)
        self._col_mean = K.mean(axis=0)
        self._all_mean = self._col_mean.mean()
        Kc = K - self._col_mean[None, :] - self._col_mean[:, None] + self._all_mean
        eigval, eigvec = eigh(Kc)
        eigval, eigvec = eigval[::-1], eigvec[:, ::-1]
        n_pos = int((eigval > 1e-10 * max(eigval[0], 1e-300)).sum())
        k = min(_n_kept(np.clip(eigval, 0, None), self.n_components, n_pos), n_pos)
        self.n_components_ = k
        self._projection = eigvec[:, :k] / np.sqrt(eigval[:k])
        self.X_fit_ = X.copy()

    def _score_samples(self, X):
        K = self.kernel_map_(X, self.X_fit_)
        row_mean = K.mean(axis=1)
        Kc = K - row_mean[:, None] - self._col_mean[None, :] + self._all_mean
        z = Kc @ self._projection
        norm = self.kernel_map_.diag(X) - 2.0 * row_mean + self._all_mean
        return -(norm - np.einsum("ij,ij->i", z, z))
