"""Feature maps phi(x): the third dimension of the unifying view.

:class:`Kernel` is the implicit feature map phi_k of a positive semi-definite
kernel, k(x, x') = <phi_k(x), phi_k(x')>, known only through Gram matrices.
It serves every kernel method (SVDD, SSAD, kernel PCA) so that they agree on
kernel names and on the resolution of ``gamma``.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.metrics.pairwise import PAIRWISE_KERNEL_FUNCTIONS, pairwise_kernels
from sklearn.utils._param_validation import Interval, StrOptions

#: Parameter constraints shared by every estimator that takes a kernel.
KERNEL_PARAMETER_CONSTRAINTS = {
    "kernel": [StrOptions(set(PAIRWISE_KERNEL_FUNCTIONS)), callable],
    "gamma": [StrOptions({"scale", "auto"}), Interval(Real, 0, None, closed="left")],
    "degree": [Interval(Integral, 0, None, closed="left")],
    "coef0": [Interval(Real, None, None, closed="neither")],
}

_STATIONARY = ("rbf", "laplacian")


class Kernel:
    """Implicit kernel feature map, evaluated through Gram matrices.

    Parameters
    ----------
    kernel : str or callable, default="rbf"
        Any kernel of :func:`sklearn.metrics.pairwise.pairwise_kernels`
        ("rbf", "linear", "poly", "sigmoid", "laplacian", "cosine", "chi2",
        "additive_chi2") or a callable ``k(x, y) -> float``.
    gamma : {"scale", "auto"} or float, default="scale"
        Kernel coefficient of "rbf", "poly", "sigmoid", "laplacian" and
        "chi2". "scale" is ``1 / (n_features * X.var())`` and "auto" is
        ``1 / n_features``, as in :class:`sklearn.svm.OneClassSVM`.
    degree : int, default=3
        Degree of "poly".
    coef0 : float, default=1.0
        Independent term of "poly" and "sigmoid".
    """

    def __init__(self, kernel="rbf", gamma="scale", degree=3, coef0=1.0):
        self.kernel = kernel
        self.gamma = gamma
        self.degree = degree
        self.coef0 = coef0

    def fit(self, X):
        """Resolve ``gamma`` on the training data ``X``."""
        # Stationary kernels depend on x - x' only. Centering first keeps the
        # expanded squared distances ||x||^2 + ||x'||^2 - 2<x, x'> from
        # cancelling catastrophically on data far from the origin.
        self.shift_ = X.mean(axis=0) if self.kernel in _STATIONARY else 0.0
        if self.gamma == "scale":
            var = X.var()
            self.gamma_ = 1.0 / (X.shape[1] * var) if var > 0 else 1.0
        elif self.gamma == "auto":
            self.gamma_ = 1.0 / X.shape[1]
        else:
            self.gamma_ = float(self.gamma)
        return self

    def __call__(self, X, Y=None):
        """Gram matrix ``K[i, j] = k(X[i], Y[j])`` (``Y = X`` if None)."""
        return pairwise_kernels(
            X - self.shift_,
            None if Y is None else Y - self.shift_,
            metric=self.kernel,
            filter_params=True,
            gamma=self.gamma_,
            degree=self.degree,
            coef0=self.coef0,
        )

    def diag(self, X):
        """``k(x, x)`` for each row of ``X``, without the full Gram matrix."""
        sq = np.einsum("ij,ij->i", X, X)
        if self.kernel in (*_STATIONARY, "chi2"):
            return np.ones(X.shape[0])
        if self.kernel == "linear":
            return sq
        if self.kernel in ("poly", "polynomial"):
            return (self.gamma_ * sq + self.coef0) ** self.degree
        if self.kernel == "sigmoid":
            return np.tanh(self.gamma_ * sq + self.coef0)
        if self.kernel == "cosine":
            return (sq > 0).astype(float)
        return np.array([self(row[None])[0, 0] for row in X])
