"""Density estimators: KDE, Gaussian (Mahalanobis) and Gaussian mixtures.

Their loss in the unifying view is the negative log-likelihood, and their
normality score is the log-density itself (``score_samples = log p(x)``).
None has a boundary of its own, so ``contamination`` sets ``offset_``.
"""

from numbers import Integral, Real

import numpy as np
from scipy.special import logsumexp
from sklearn.covariance import EmpiricalCovariance, LedoitWolf, MinCovDet
from sklearn.metrics.pairwise import euclidean_distances, rbf_kernel
from sklearn.mixture import GaussianMixture as _SkGaussianMixture
from sklearn.model_selection import KFold
from sklearn.neighbors import KernelDensity
from sklearn.utils._param_validation import Interval, StrOptions

from ..base import BaseDetector
from ..parts import make_parts
from ..parts.feature_maps import Identity
from ..parts.losses import KernelMEstimation, NegativeLogLikelihood
from ..parts.models import GaussianDensity, GaussianMixture, ParzenDensity
from ._blocks import row_blocks

#: The thesis's bandwidth grid for KDE, h in {2^0.5, 2^1, ..., 2^5}.
THESIS_BANDWIDTHS = np.logspace(0.5, 5, 10, base=2)


def _log_density(X, support, weights, bandwidths):
    """log sum_j w_j k_h(x, x_j) for every h, shape (n_bandwidths, n_samples).

    In row blocks, each block's distances shared by the bandwidths; logsumexp
    keeps the density of far x finite.
    """
    bandwidths = np.atleast_1d(bandwidths)
    out = np.empty((len(bandwidths), X.shape[0]))
    # The distances, and logsumexp's scaled copy, exponentials and mask.
    for block in row_blocks(X.shape[0], support.shape[0], n_arrays=4):
        sq = euclidean_distances(X[block], support, squared=True)
        for k, h in enumerate(bandwidths):
            out[k, block] = logsumexp(-sq / (2 * h**2), axis=1, b=weights)
    return out - 0.5 * X.shape[1] * np.log(2 * np.pi * bandwidths**2)[:, None]


def cv_bandwidth(X, bandwidths, cv):
    """The bandwidth of the largest held-out log-likelihood over ``cv`` folds.

    The folds and the choice are ``GridSearchCV(KernelDensity(), cv=cv)``'s;
    the densities are computed here, so that every fold's distances serve
    all bandwidths.
    """
    bandwidths = np.asarray(bandwidths, dtype=float)
    total = np.zeros(len(bandwidths))
    for train, test in KFold(min(cv, X.shape[0])).split(X):
        uniform = np.full(len(train), 1.0 / len(train))
        total += _log_density(X[test], X[train], uniform, bandwidths).sum(axis=1)
    return float(bandwidths[np.argmax(total)])


def _kernel_product(X, bandwidth):
    """w -> K w for the kernel matrix K_ij = exp(-||x_i - x_j||^2 / 2h^2).

    K is kept when it fits scikit-learn's ``working_memory``, else its row
    blocks are recomputed for every product: memory stays bounded on large n.
    """
    gamma = 0.5 / bandwidth**2
    blocks = list(row_blocks(X.shape[0], X.shape[0]))
    if len(blocks) == 1:
        K = rbf_kernel(X, gamma=gamma)
        return lambda w: K @ w
    return lambda w: np.concatenate(
        [rbf_kernel(X[block], X, gamma=gamma) @ w for block in blocks]
    )


def _phi(rho, thresholds):
    """rho'(r) / r, the weight of a sample at residual r."""
    a, b, c = thresholds

    def weight(r):
        r = np.maximum(r, np.finfo(float).eps)  # 1 / r stays summable
        if rho == "abs":
            return 1.0 / r
        if rho == "huber":
            return np.minimum(1.0, a / r)
        with np.errstate(divide="ignore", invalid="ignore"):
            descent = a * (c - r) / ((c - b) * r)
        return np.select([r < a, r < b, r < c], [1.0, a / r, descent], 0.0)

    return weight


def _irwls(product, n, phi, max_iter=100, tol=1e-6):
    """Kernelized iteratively reweighted least squares (Kim & Scott, 2012).

    Returns the weights, which sum to one, and the residuals
    ``||phi(x_i) - sum_j w_j phi(x_j)||_H`` under them.
    """

    def residuals_of(w):
        Kw = product(w)
        return np.sqrt(np.maximum(1.0 - 2.0 * Kw + w @ Kw, 0.0))

    weights = np.full(n, 1.0 / n)
    residuals = residuals_of(weights)
    for _ in range(max_iter):
        new = phi(residuals)
        if not new.sum() > 0:  # every residual past Hampel's c: keep the last
            break
        new /= new.sum()
        converged = np.abs(new - weights).sum() < tol
        weights = new
        residuals = residuals_of(weights)
        if converged:
            break
    return weights, residuals


def robust_kde_weights(X, bandwidth, rho="hampel"):
    """The weights of the robust KDE's training samples (Kim & Scott, 2012).

    The loss's thresholds are percentiles of the residuals of the kernel
    median (rho(r) = r): the 50th, 75th and 95th for Hampel's, the 50th for
    Huber's.
    """
    product = _kernel_product(X, bandwidth)
    _, residuals = _irwls(product, X.shape[0], _phi("abs", (0, 0, 0)))
    thresholds = np.percentile(residuals, [50, 75, 95])
    weights, _ = _irwls(product, X.shape[0], _phi(rho, thresholds))
    return weights


class KDE(BaseDetector):
    """Gaussian kernel density estimation (Parzen, 1962).

    .. math::

        \\hat p(x) = \\frac{1}{n} \\sum_i k_h(x, x_i)

    with a Gaussian kernel of bandwidth h; ``score_samples = log p(x)``.
    With a robust loss the estimate is robust (Kim & Scott, 2012):

    .. math::

        \\hat p(x) = \\sum_i w_i k_h(x, x_i), \\qquad
        w = \\arg\\min \\sum_i \\rho(\\|\\phi(x_i) - \\hat p\\|_H),

    an M-estimate of the mean of the feature vectors ``phi(x_i) = k_h(.,
    x_i)``, which the plain KDE is for the squared loss. Training samples far
    from the bulk get small or zero weights, so that anomalies in the
    training data lift the density around them less; but "the bulk" is one
    mean in the kernel's space, so a redescending loss also drops the
    smaller of two well-separated normal modes. The default stays the plain
    KDE for that reason (measured in ``doc/methods_shallow.rst``).

    Parameters
    ----------
    bandwidth : float or {"scott", "silverman", "cv"}, default="cv"
        The bandwidth h, a rule of thumb, or "cv": h in ``bandwidth_grid``
        maximizing the held-out log-likelihood in ``cv``-fold cross-validation
        (the thesis's procedure).
    bandwidth_grid : array-like, default=None
        Candidates for "cv"; None uses the thesis's grid
        ``{2^0.5, 2^1, ..., 2^5}``.
    cv : int, default=5
        Number of folds for "cv".
    loss : {"squared", "hampel", "huber"}, default="squared"
        rho: the squared loss (the plain KDE, ``w_i = 1/n``, the thesis's),
        Hampel's redescending loss (the robust KDE) or Huber's. The robust
        weights cost a few dozen kernel sums over the training data, solved
        by kernelized iteratively reweighted least squares; the bandwidth is
        selected for the plain KDE. See
        :class:`~skoneclass.parts.KernelMEstimation`.
    contamination : "auto" or float in (0, 0.5], default="auto"
        Fraction of training samples below ``offset_`` ("auto": 0.1).

    Attributes
    ----------
    bandwidth_ : float
        The bandwidth used.
    weights_ : ndarray of shape (n_samples,)
        The training samples' weights ``w_i``, summing to one.
    support_ : ndarray of shape (n_support, n_features)
        The training samples of positive weight, the kernels' centres.
    offset_ : float
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from skoneclass import KDE
    >>> X = np.random.RandomState(0).randn(100, 2)
    >>> KDE(bandwidth=0.5).fit(X).predict([[0.0, 0.0], [6.0, 6.0]])
    array([ 1, -1])
    """

    _parameter_constraints = {
        **BaseDetector._parameter_constraints,
        "bandwidth": [
            Interval(Real, 0, None, closed="neither"),
            StrOptions({"scott", "silverman", "cv"}),
        ],
        "bandwidth_grid": ["array-like", None],
        "cv": [Interval(Integral, 2, None, closed="left")],
        "loss": [StrOptions({"squared", "hampel", "huber"})],
    }

    def __init__(
        self,
        bandwidth="cv",
        bandwidth_grid=None,
        cv=5,
        loss="squared",
        contamination="auto",
    ):
        self.bandwidth = bandwidth
        self.bandwidth_grid = bandwidth_grid
        self.cv = cv
        self.loss = loss
        self.contamination = contamination

    def get_parts(self):
        """Raw input, Parzen density, a robust kernel loss or the negative
        log-likelihood (the squared loss)."""
        return make_parts(
            Identity(),
            ParzenDensity(self.bandwidth, self.bandwidth_grid, self.cv),
            NegativeLogLikelihood()
            if self.loss == "squared"
            else KernelMEstimation(self.loss),
        )

    def _fit(self, X, y):
        if self.bandwidth == "cv":
            grid = (
                THESIS_BANDWIDTHS
                if self.bandwidth_grid is None
                else self.bandwidth_grid
            )
            self.bandwidth_ = cv_bandwidth(X, grid, self.cv)
        else:  # scikit-learn resolves the rules of thumb
            kde = KernelDensity(kernel="gaussian", bandwidth=self.bandwidth).fit(X)
            self.bandwidth_ = float(kde.bandwidth_)
        if self.loss == "squared":
            self.weights_ = np.full(X.shape[0], 1.0 / X.shape[0])
        else:
            self.weights_ = robust_kde_weights(X, self.bandwidth_, self.loss)
        self.support_ = X[self.weights_ > 0]

    def _score_samples(self, X):
        return _log_density(
            X, self.support_, self.weights_[self.weights_ > 0], self.bandwidth_
        )[0]


class Gaussian(BaseDetector):
    """Multivariate Gaussian model, i.e. the Mahalanobis distance to the mean.

    .. math::

        \\log N(x; \\mu, \\Sigma) = -\\frac{1}{2} (x - \\mu)^T \\Sigma^{-1} (x - \\mu)
        - \\frac{1}{2} \\log\\det(2\\pi\\Sigma)

    is ``score_samples``; it ranks exactly as the negative squared Mahalanobis
    distance (:meth:`mahalanobis`).

    Parameters
    ----------
    covariance : {"empirical", "ledoit_wolf", "mcd"}, default="empirical"
        Estimator of mu and Sigma: maximum likelihood, Ledoit-Wolf shrinkage
        (well-conditioned when n_features is close to or above n_samples), or
        the robust Minimum Covariance Determinant (Rousseeuw, 1984), which
        tolerates contaminated training data.
    support_fraction : float in (0, 1], default=None
        Fraction of samples in the MCD support; None is sklearn's default.
    reg_covar : float >= 0, default=1e-6
        Added to the diagonal of Sigma so that it is invertible.
    random_state : int, RandomState instance or None, default=None
        Seed of the MCD's random subsets.
    contamination : "auto" or float in (0, 0.5], default="auto"
        Fraction of training samples below ``offset_`` ("auto": 0.1).

    Attributes
    ----------
    location_ : ndarray of shape (n_features,)
    covariance_ : ndarray of shape (n_features, n_features)
    precision_ : ndarray of shape (n_features, n_features)
    offset_ : float
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from skoneclass import Gaussian
    >>> X = np.random.RandomState(0).randn(100, 2)
    >>> Gaussian().fit(X).predict([[0.0, 0.0], [6.0, 6.0]])
    array([ 1, -1])
    """

    _parameter_constraints = {
        **BaseDetector._parameter_constraints,
        "covariance": [StrOptions({"empirical", "ledoit_wolf", "mcd"})],
        "support_fraction": [Interval(Real, 0, 1, closed="right"), None],
        "reg_covar": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        covariance="empirical",
        support_fraction=None,
        reg_covar=1e-6,
        random_state=None,
        contamination="auto",
    ):
        self.covariance = covariance
        self.support_fraction = support_fraction
        self.reg_covar = reg_covar
        self.random_state = random_state
        self.contamination = contamination

    def get_parts(self):
        """Raw input, Gaussian density, negative log-likelihood."""
        return make_parts(
            Identity(),
            GaussianDensity(self.covariance, self.support_fraction, self.reg_covar),
            NegativeLogLikelihood(),
        )

    def _fit(self, X, y):
        if self.covariance == "mcd":
            est = MinCovDet(
                support_fraction=self.support_fraction, random_state=self.random_state
            )
        elif self.covariance == "ledoit_wolf":
            est = LedoitWolf()
        else:
            est = EmpiricalCovariance()
        # All three estimators are equivariant under x -> (x - m) / s; fitting
        # on standardized data spares MCD's absolute tolerances on tiny scales.
        shift, scale = X.mean(axis=0), X.std() or 1.0
        est.fit((X - shift) / scale)
        d = X.shape[1]
        self.location_ = shift + scale * est.location_
        self.covariance_ = scale**2 * est.covariance_ + self.reg_covar * np.eye(d)
        self.precision_ = np.linalg.pinv(self.covariance_, hermitian=True)
        _, logdet = np.linalg.slogdet(self.covariance_)
        self._log_norm = -0.5 * (d * np.log(2 * np.pi) + logdet)

    def mahalanobis(self, X):
        """Squared Mahalanobis distance of each sample to ``location_``."""
        return -2.0 * (self.score_samples(X) - self._log_norm)

    def _score_samples(self, X):
        diff = X - self.location_
        return self._log_norm - 0.5 * np.einsum(
            "ij,jk,ik->i", diff, self.precision_, diff
        )


class GMM(BaseDetector):
    """Gaussian mixture model, fitted by EM.

    .. math::

        p(x) = \\sum_k \\pi_k N(x; \\mu_k, \\Sigma_k),

    and ``score_samples`` is the log-density log p(x).

    Parameters
    ----------
    n_components : int, default=2
        Number of mixture components (the model's regularizer in the thesis's
        Table 4.1).
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"
    reg_covar : float, default=1e-6
        Added to the diagonal of each covariance.
    max_iter : int, default=100
        EM iterations.
    n_init : int, default=1
        Number of initializations; the best is kept.
    random_state : int, RandomState instance or None, default=None
    contamination : "auto" or float in (0, 0.5], default="auto"
        Fraction of training samples below ``offset_`` ("auto": 0.1).

    Attributes
    ----------
    gmm_ : sklearn.mixture.GaussianMixture
    n_iter_ : int
        EM iterations of the best initialization.
    offset_ : float
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from skoneclass import GMM
    >>> X = np.random.RandomState(0).randn(100, 2)
    >>> GMM(random_state=0).fit(X).predict([[0.0, 0.0], [6.0, 6.0]])
    array([ 1, -1])
    """

    _parameter_constraints = {
        **BaseDetector._parameter_constraints,
        **{
            k: _SkGaussianMixture._parameter_constraints[k]
            for k in (
                "n_components",
                "covariance_type",
                "reg_covar",
                "max_iter",
                "n_init",
                "random_state",
            )
        },
    }

    def __init__(
        self,
        n_components=2,
        covariance_type="full",
        reg_covar=1e-6,
        max_iter=100,
        n_init=1,
        random_state=None,
        contamination="auto",
    ):
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.reg_covar = reg_covar
        self.max_iter = max_iter
        self.n_init = n_init
        self.random_state = random_state
        self.contamination = contamination

    def get_parts(self):
        """Raw input, Gaussian mixture, negative log-likelihood."""
        return make_parts(
            Identity(),
            GaussianMixture(
                n_components=self.n_components,
                covariance_type=self.covariance_type,
                reg_covar=self.reg_covar,
                max_iter=self.max_iter,
                n_init=self.n_init,
            ),
            NegativeLogLikelihood(),
        )

    def _fit(self, X, y):
        self.gmm_ = _SkGaussianMixture(
            n_components=self.n_components,
            covariance_type=self.covariance_type,
            reg_covar=self.reg_covar,
            max_iter=self.max_iter,
            n_init=self.n_init,
            random_state=self.random_state,
        ).fit(X)
        self.n_iter_ = max(int(self.gmm_.n_iter_), 1)

    def _score_samples(self, X):
        return self.gmm_.score_samples(X)
