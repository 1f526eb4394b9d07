"""Density estimators: KDE, Gaussian (Mahalanobis) and Gaussian mixtures.

Their loss in the unifying view is the negative log-likelihood, and their
normality score is the log-density itself (``score_samples = log p(x)``).
None has a boundary of its own, so ``contamination`` sets ``offset_``.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.covariance import EmpiricalCovariance, LedoitWolf, MinCovDet
from sklearn.mixture import GaussianMixture as _SkGaussianMixture
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import KernelDensity
from sklearn.utils._param_validation import Interval, StrOptions

from ..base import BaseDetector
from ..parts import make_parts
from ..parts.feature_maps import Identity
from ..parts.losses import NegativeLogLikelihood
from ..parts.models import GaussianDensity, GaussianMixture, ParzenDensity

#: The thesis's bandwidth grid for KDE, h in {2^0.5, 2^1, ..., 2^5}.
THESIS_BANDWIDTHS = np.logspace(0.5, 5, 10, base=2)


class KDE(BaseDetector):
    """Gaussian kernel density estimation (Parzen, 1962).

    .. math::

        \\hat p(x) = \\frac{1}{n} \\sum_i k_h(x, x_i)

    with a Gaussian kernel of bandwidth h; ``score_samples = log p(x)``.

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
    contamination : "auto" or float in (0, 0.5], default="auto"
        Fraction of training samples below ``offset_`` ("auto": 0.1).

    Attributes
    ----------
    kde_ : sklearn.neighbors.KernelDensity
    bandwidth_ : float
        The bandwidth used.
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
    }

    def __init__(self, bandwidth="cv", bandwidth_grid=None, cv=5, contamination="auto"):
        self.bandwidth = bandwidth
        self.bandwidth_grid = bandwidth_grid
        self.cv = cv
        self.contamination = contamination

    def get_parts(self):
        """Raw input, Parzen density, negative log-likelihood."""
        return make_parts(
            Identity(),
            ParzenDensity(self.bandwidth, self.bandwidth_grid, self.cv),
            NegativeLogLikelihood(),
        )

    def _fit(self, X, y):
        if self.bandwidth == "cv":
            grid = (
                THESIS_BANDWIDTHS
                if self.bandwidth_grid is None
                else self.bandwidth_grid
            )
            search = GridSearchCV(
                KernelDensity(kernel="gaussian"),
                {"bandwidth": np.asarray(grid, dtype=float)},
                cv=min(self.cv, X.shape[0]),
            ).fit(X)
            self.kde_ = search.best_estimator_
        else:
            self.kde_ = KernelDensity(kernel="gaussian", bandwidth=self.bandwidth).fit(
                X
            )
        self.bandwidth_ = float(self.kde_.bandwidth_)

    def _score_samples(self, X):
        return self.kde_.score_samples(X)


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
