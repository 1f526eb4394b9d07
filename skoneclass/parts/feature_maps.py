"""Feature maps phi(x): the third dimension of the unifying view (D3).

Three kinds, which decide how a model on top of them can be trained:

- *implicit*: :class:`Kernel`, phi_k with k(x, x') = <phi_k(x), phi_k(x')>,
  known only through Gram matrices; only the exact (SMO/QP, eigen) solvers use it.
- *fixed explicit*: :class:`Identity`, :class:`RandomFourier`,
  :class:`Nystroem` and :class:`Embedding` (any pre-fitted transformer). They
  have ``fit(X)`` / ``transform(X)`` and are applied once, before training.
- *trainable*: the networks phi_omega of :mod:`skoneclass.parts.networks`.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.kernel_approximation import Nystroem as _SkNystroem
from sklearn.kernel_approximation import RBFSampler
from sklearn.metrics.pairwise import PAIRWISE_KERNEL_FUNCTIONS, pairwise_kernels
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from .base import Part

#: Parameter constraints shared by every estimator that takes a kernel.
KERNEL_PARAMETER_CONSTRAINTS = {
    "kernel": [StrOptions(set(PAIRWISE_KERNEL_FUNCTIONS)), callable],
    "gamma": [StrOptions({"scale", "auto"}), Interval(Real, 0, None, closed="left")],
    "degree": [Interval(Integral, 0, None, closed="left")],
    "coef0": [Interval(Real, None, None, closed="neither")],
}

_STATIONARY = ("rbf", "laplacian")

_COUNT = [Interval(Integral, 1, None, closed="left")]


def resolve_gamma(gamma, X):
    """``"scale"`` -> 1 / (n_features X.var()), ``"auto"`` -> 1 / n_features."""
    if gamma == "scale":
        var = X.var()
        return 1.0 / (X.shape[1] * var) if var > 0 else 1.0
    if gamma == "auto":
        return 1.0 / X.shape[1]
    return float(gamma)


class FeatureMap(Part):
    """Base of the feature maps; ``kind`` is "implicit", "fixed" or "trainable"."""

    kind = "fixed"


class Identity(FeatureMap):
    """phi(x) = x: the model works on the raw input."""

    formula = "x"

    def fit(self, X, random_state=None):
        """Nothing to fit."""
        return self

    def transform(self, X):
        """Return ``X`` unchanged."""
        return X


class Kernel(FeatureMap):
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

    kind = "implicit"

    _parameter_constraints = dict(KERNEL_PARAMETER_CONSTRAINTS)

    def __init__(self, kernel="rbf", gamma="scale", degree=3, coef0=1.0):
        self.kernel = kernel
        self.gamma = gamma
        self.degree = degree
        self.coef0 = coef0

    @property
    def formula(self):
        return f"phi_k(x), k = {getattr(self.kernel, '__name__', self.kernel)}"

    def fit(self, X):
        """Resolve ``gamma`` on the training data ``X``."""
        # Stationary kernels depend on x - x' only. Centering first keeps the
        # expanded squared distances ||x||^2 + ||x'||^2 - 2<x, x'> from
        # cancelling catastrophically on data far from the origin.
        self.shift_ = X.mean(axis=0) if self.kernel in _STATIONARY else 0.0
        self.gamma_ = resolve_gamma(self.gamma, X)
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


class RandomFourier(FeatureMap):
    """Random Fourier features z(x) of the RBF kernel (Rahimi & Recht, 2007).

    An explicit map with <z(x), z(x')> ~ exp(-gamma ||x - x'||^2), so that a
    kernel model costs O(n n_components) instead of the O(n^2) Gram matrix
    (scikit-learn's :class:`~sklearn.kernel_approximation.RBFSampler`).

    Parameters
    ----------
    n_components : int, default=500
    gamma : {"scale", "auto"} or float, default="scale"
        As for :class:`Kernel`.
    random_state : int, RandomState instance or None, default=None
        None takes the estimator's ``random_state``.
    """

    _parameter_constraints = {
        "n_components": _COUNT,
        "gamma": KERNEL_PARAMETER_CONSTRAINTS["gamma"],
        "random_state": ["random_state"],
    }

    def __init__(self, n_components=500, gamma="scale", random_state=None):
        self.n_components = n_components
        self.gamma = gamma
        self.random_state = random_state

    formula = "z(x) ~ phi_k(x), random Fourier features (rbf)"

    def fit(self, X, random_state=None):
        """Draw the random frequencies for the data ``X``."""
        seed = random_state if self.random_state is None else self.random_state
        self.sampler_ = RBFSampler(
            gamma=resolve_gamma(self.gamma, X),
            n_components=self.n_components,
            random_state=seed,
        ).fit(X)
        return self

    def transform(self, X):
        """Features of shape (n_samples, n_components)."""
        return self.sampler_.transform(X)


class Nystroem(FeatureMap):
    """Nystroem approximation of a kernel feature map (Williams & Seeger, 2001).

    phi(x) = K_mm^{-1/2} k(landmarks, x) on ``n_components`` landmarks drawn
    from the training data (scikit-learn's
    :class:`~sklearn.kernel_approximation.Nystroem`), the projection of
    phi_k(x) onto the landmarks' span.

    A point far from every landmark projects onto the origin, where a
    hypersphere's center may well be: alone, the projection hides exactly the
    anomalies. ``residual=True`` appends the distance to the span,
    sqrt(k(x, x) - ||P phi_k(x)||^2), so that ||phi(x)||^2 = k(x, x) and
    distances to any center in the span are the kernel distances.

    Parameters
    ----------
    kernel : str or callable, default="rbf"
    gamma : {"scale", "auto"} or float, default="scale"
    n_components : int, default=300
    degree : int, default=3
    coef0 : float, default=1.0
    residual : bool, default=True
        Append the distance to the landmarks' span as a last feature.
    random_state : int, RandomState instance or None, default=None
        None takes the estimator's ``random_state``.
    """

    _parameter_constraints = {
        **KERNEL_PARAMETER_CONSTRAINTS,
        "n_components": _COUNT,
        "residual": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        kernel="rbf",
        gamma="scale",
        n_components=300,
        degree=3,
        coef0=1.0,
        residual=True,
        random_state=None,
    ):
        self.kernel = kernel
        self.gamma = gamma
        self.n_components = n_components
        self.degree = degree
        self.coef0 = coef0
        self.residual = residual
        self.random_state = random_state

    @property
    def formula(self):
        return (
            f"phi_k(x) ~ Nystroem, k = {getattr(self.kernel, '__name__', self.kernel)}"
        )

    def fit(self, X, random_state=None):
        """Draw the landmarks from ``X``."""
        seed = random_state if self.random_state is None else self.random_state
        self.kernel_ = Kernel(self.kernel, self.gamma, self.degree, self.coef0).fit(X)
        self.map_ = _SkNystroem(
            kernel=self.kernel,
            gamma=self.kernel_.gamma_,
            n_components=min(self.n_components, X.shape[0]),
            degree=self.degree,
            coef0=self.coef0,
            random_state=seed,
        ).fit(X)
        return self

    def transform(self, X):
        """Features of shape (n_samples, n_components (+ 1 with ``residual``))."""
        Z = self.map_.transform(X)
        if not self.residual:
            return Z
        rest = self.kernel_.diag(X) - np.einsum("ij,ij->i", Z, Z)
        return np.c_[Z, np.sqrt(np.clip(rest, 0.0, None))]


class Embedding(FeatureMap):
    """Any scikit-learn transformer as a fixed feature map.

    A fitted transformer is used as it is (e.g. a
    :class:`~skoneclass.AutoencoderEmbedding` trained on other data); an
    unfitted one is cloned and fitted on the training data first. Cloning the
    estimator (as ``GridSearchCV`` does) clones the transformer too, unfitted;
    wrap it in :class:`sklearn.frozen.FrozenEstimator` to keep it fitted.

    Parameters
    ----------
    transformer : scikit-learn transformer
    """

    _parameter_constraints = {"transformer": [HasMethods(["fit", "transform"])]}

    def __init__(self, transformer):
        self.transformer = transformer

    @property
    def formula(self):
        return f"T(x), {type(self.transformer).__name__}"

    def fit(self, X, random_state=None):
        """Use the fitted transformer, or fit a clone on ``X``."""
        try:
            check_is_fitted(self.transformer)
            self.transformer_ = self.transformer
        except NotFittedError:
            self.transformer_ = clone(self.transformer).fit(X)
        return self

    def transform(self, X):
        """The transformer's output."""
        return np.asarray(self.transformer_.transform(X), dtype=np.float64)
