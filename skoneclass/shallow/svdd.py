"""Kernel SVDD and SSAD: hyperspheres in a kernel feature space, exact duals.

Both are the same convex problem. With r = R^2 - ||c||^2 the (semi-supervised)
SVDD primal of Goernitz et al. (2013)

    min_{R, c, gamma, xi}  R^2 - kappa * gamma + sum_i eta_i xi_i
    s.t.  ||phi(x_i) - c||^2 <= R^2 + xi_i                     (unlabeled)
          y_j (||phi(x_j) - c||^2 - R^2) <= -gamma + xi_j       (labeled)
          xi >= 0, gamma >= 0

is linear in (c, r) in its constraints, hence convex, and its dual is

    max_alpha  sum_i s_i alpha_i k_ii - sum_ij s_i s_j alpha_i alpha_j k_ij
    s.t.  sum_i s_i alpha_i = 1,  sum_{j labeled} alpha_j >= kappa,
          0 <= alpha_i <= eta_i

with s_i = -1 for labeled anomalies and +1 otherwise. The center is
c = sum_i s_i alpha_i phi(x_i). Without labels this is exactly the SVDD dual of
Tax & Duin (2004) with eta_i = 1 / (nu n). Unlike the OC-SVM form used in the
thesis's reference code, it holds for any kernel, not only for kernels with
constant k(x, x).

Two exact solvers: SMO (:mod:`~skoneclass.shallow.smo`, the default; kernel
rows on demand, libsvm's speed) and cvxopt's interior-point QP on the Gram
matrix (``solver="qp"``, the reference the tests compare SMO with).
"""

import warnings
from numbers import Real

import numpy as np
from cvxopt import matrix, solvers, spmatrix
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, StrOptions

from ..base import BaseDetector
from ..parts import make_parts
from ..parts.feature_maps import KERNEL_PARAMETER_CONSTRAINTS, Kernel
from ..parts.losses import Hinge, SemiSupervisedHinge
from ..parts.models import Hypersphere
from ._blocks import row_blocks
from .smo import KERNEL_IDS, SMOSolver, solve_hypersphere_dual_smo

# Relative tolerance deciding which dual variables sit on a bound; the
# interior-point solution reaches a bound only up to its own tolerance.
_BOUND_TOL = 1e-5

# Bytes of kernel values computed at once when scoring.
_BLOCK_BYTES = 2**25

# Tighter than cvxopt's defaults (1e-7 / 1e-6): at those, the mass of the
# duals below _BOUND_TOL visibly moves the center on small problems (SVDD and
# the equivalent OC-SVM then disagree by up to 0.4% of the score range).
_QP_OPTIONS = {
    "show_progress": False,
    "abstol": 1e-10,
    "reltol": 1e-10,
    "feastol": 1e-10,
}


def solve_hypersphere_dual(K, diag, sign, upper, labeled, kappa):
    """Solve the (semi-supervised) SVDD dual with cvxopt.

    Parameters
    ----------
    K : ndarray of shape (n, n)
        Gram matrix.
    diag : ndarray of shape (n,)
        ``k(x_i, x_i)``.
    sign : ndarray of shape (n,)
        -1 for labeled anomalies, +1 otherwise.
    upper : ndarray of shape (n,)
        Box constraints (slack weights) eta_i.
    labeled : ndarray of bool, shape (n,)
        Samples with a label; they share the margin constraint.
    kappa : float
        Margin weight; ``sum(alpha[labeled]) >= kappa``. Ignored without labels.

    Returns
    -------
    alpha : ndarray of shape (n,)
    """
    n = K.shape[0]
    P = matrix(2.0 * (sign[:, None] * K * sign[None, :]))
    q = matrix(-(sign * diag))
    rows, cols, vals = list(range(2 * n)), list(range(n)) * 2, [-1.0] * n + [1.0] * n
    h = [0.0] * n + list(upper)
    if labeled.any() and kappa > 0:
        idx = np.flatnonzero(labeled)
        rows += [2 * n] * idx.size
        cols += idx.tolist()
        vals += [-1.0] * idx.size
        h.append(-float(kappa))
    G = spmatrix(vals, rows, cols, (len(h), n))
    A = matrix(sign.reshape(1, -1).astype(float))
    args = (P, q, G, matrix(h), A, matrix(1.0))
    sol = solvers.qp(*args, options=_QP_OPTIONS)
    if sol["status"] != "optimal":
        # Degenerate duals (e.g. labeled normals only) can stall short of the
        # tight target; cvxopt's default accuracy is then the best on offer.
        sol = solvers.qp(*args, options={"show_progress": False})
    if sol["status"] != "optimal":
        warnings.warn(
            f"The SVDD dual QP stopped with status {sol['status']!r}; the "
            "solution may be inaccurate.",
            ConvergenceWarning,
            stacklevel=3,
        )
    return np.clip(np.asarray(sol["x"]).ravel(), 0.0, upper)


def _squared_radius(dist, alpha, upper, sign, labeled):
    """R^2 from the KKT conditions of the dual solution.

    Unlabeled samples strictly between the bounds lie on the sphere; their
    distances agree up to the solver's tolerance, and the largest is taken,
    with a margin of rounding (1e-12 of the distances' scale), so that every
    one of them counts as inside (decision >= 0) however its score is
    computed (alone, in a batch, in another block of rows). Without
    any, R^2 is the middle of the interval the KKT conditions leave open
    (inside points below, bound points above). Labeled normals and anomalies
    on their margins bracket R^2 symmetrically (R^2 -/+ gamma).
    """
    free = (alpha > _BOUND_TOL * upper) & (alpha < (1 - _BOUND_TOL) * upper)
    on_sphere = free & ~labeled
    if on_sphere.any():
        return dist[on_sphere].max() + 1e-12 * np.abs(dist).max()
    unl = ~labeled
    if unl.any():
        inside = unl & (alpha <= _BOUND_TOL * upper)
        outside = unl & ~inside
        lo = dist[inside].max() if inside.any() else dist[outside].min()
        hi = dist[outside].min() if outside.any() else dist[inside].max()
        return 0.5 * (lo + hi)
    pos, neg = free & (sign > 0), free & (sign < 0)
    if pos.any() and neg.any():
        return 0.5 * (dist[pos].mean() + dist[neg].mean())
    return dist[pos | neg].mean() if (pos | neg).any() else np.median(dist)


class SVDD(BaseDetector):
    """Support Vector Data Description (kernel SVDD) with a soft boundary.

    Finds the smallest hypersphere (center c, radius R) in the feature space
    of a kernel that encloses the training data up to slacks (Tax & Duin,
    2004; thesis section 2.1, eq. 2.3):

    .. math::

        \\min_{R, c, \\xi} R^2 + \\frac{1}{\\nu n} \\sum_i \\xi_i
        \\quad \\text{s.t.} \\quad
        \\|\\phi_k(x_i) - c\\|^2 \\le R^2 + \\xi_i,\\; \\xi_i \\ge 0,

    solved exactly as its dual, by SMO (the default) or cvxopt's QP. The
    anomaly score of the thesis is
    ``||phi_k(x) - c||^2 - R^2``; here ``score_samples = -||phi_k(x) - c||^2``
    and ``decision_function = R^2 - ||phi_k(x) - c||^2``.

    ``nu`` upper-bounds the fraction of training samples outside the sphere
    and lower-bounds the fraction of support vectors. With the RBF kernel
    (constant ``k(x, x)``) SVDD is equivalent to :class:`OCSVM`.

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
    nu : float in (0, 1], default=0.5
        Bound on the fraction of outliers among the training samples:
        ``predict`` flags about this fraction of them; pass
        ``contamination`` for another threshold. 0.5 as in :class:`OCSVM`.
    solver : {"smo", "qp"}, default="smo"
        "smo": sequential minimal optimization with kernel rows computed on
        demand and cached (libsvm's method; memory O(n) plus the cache).
        "qp": cvxopt's interior-point method on the n x n Gram matrix
        (O(n^3) time), kept as the reference solution.
    tol : float > 0, default=1e-8
        SMO stops when the largest violation of the optimality conditions,
        in squared-distance units of the kernel space, is below ``tol``.
    cache_size : float > 0, default=200
        Megabytes of kernel rows that SMO keeps.
    contamination : "auto" or float in (0, 0.5], default="auto"
        "auto" puts the boundary on the sphere (``offset_ = -R^2``); a float
        sets ``offset_`` to that quantile of the training scores instead.

    Attributes
    ----------
    support_ : ndarray of shape (n_SV,)
        Indices of the support vectors in the training data.
    support_vectors_ : ndarray of shape (n_SV, n_features)
    dual_coef_ : ndarray of shape (n_SV,)
        Signed dual coefficients: c = sum_j dual_coef_[j] phi(support_vectors_[j]).
    radius_ : float
        The radius R.
    n_iter_ : int
        SMO steps (0 with ``solver="qp"``).
    center_ : ndarray of shape (n_features,)
        The center c in input space; only for ``kernel="linear"``.
    offset_ : float
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from skoneclass import SVDD
    >>> X = np.random.RandomState(0).randn(100, 2)
    >>> svdd = SVDD(nu=0.1).fit(X)
    >>> svdd.predict([[0.0, 0.0], [6.0, 6.0]])
    array([ 1, -1])
    """

    _parameter_constraints = {
        **BaseDetector._parameter_constraints,
        **KERNEL_PARAMETER_CONSTRAINTS,
        "nu": [Interval(Real, 0, 1, closed="right")],
        "solver": [StrOptions({"smo", "qp"})],
        "tol": [Interval(Real, 0, None, closed="neither")],
        "cache_size": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(
        self,
        kernel="rbf",
        gamma="scale",
        degree=3,
        coef0=1.0,
        nu=0.5,
        solver="smo",
        tol=1e-8,
        cache_size=200,
        contamination="auto",
    ):
        self.kernel = kernel
        self.gamma = gamma
        self.degree = degree
        self.coef0 = coef0
        self.nu = nu
        self.solver = solver
        self.tol = tol
        self.cache_size = cache_size
        self.contamination = contamination

    def _slack_weights(self, labels):
        """Return (sign, upper, labeled, kappa) of the dual for these labels."""
        n = labels.shape[0]
        return np.ones(n), np.full(n, 1.0 / (self.nu * n)), np.zeros(n, bool), 0.0

    def get_parts(self):
        """phi_k, hypersphere with learned center and radius, hinge."""
        return make_parts(
            Kernel(self.kernel, self.gamma, self.degree, self.coef0),
            Hypersphere(center="learned"),
            Hinge(self.nu),
        )

    def _fit(self, X, y):
        labels = np.zeros(X.shape[0], dtype=int) if y is None else y
        self.kernel_map_ = Kernel(self.kernel, self.gamma, self.degree, self.coef0)
        self.kernel_map_.fit(X)
        diag = self.kernel_map_.diag(X)
        sign, upper, labeled, kappa = self._slack_weights(labels)
        if self.solver == "qp":
            K = self.kernel_map_(X)
            alpha = solve_hypersphere_dual(K, diag, sign, upper, labeled, kappa)
            # Drop the near-zero duals of the interior point before anything
            # is derived from them, so that training and prediction use the
            # same center.
            alpha[alpha <= _BOUND_TOL * upper] = 0.0
            G, self.n_iter_ = None, 0
        else:
            # With labeled normals and anomalies, SSAD's multiplier search
            # visits most kernel rows: compute them at once where they fit.
            gram = (
                len(np.unique(sign[labeled])) == 2
                and 8 * X.shape[0] ** 2 <= self.cache_size * 2**20
            )
            smo = self._smo_solver(X, diag, gram)
            alpha, G = solve_hypersphere_dual_smo(smo, sign, upper, labeled, kappa)
            self.n_iter_ = smo.n_iter_

        self.support_ = np.flatnonzero(alpha)
        self.support_vectors_ = X[self.support_]
        self.dual_coef_ = (sign * alpha)[self.support_]
        kc_sv = self._kernel_dot_coef(self.support_vectors_)
        self._center_sq_norm = float(self.dual_coef_ @ kc_sv)
        if G is None:
            dist = -self._score_samples(X)
        else:
            # SMO's gradient holds every distance; the support vectors' are
            # computed as scoring computes them, so that the radius puts
            # those on the sphere exactly inside.
            dist = self._center_sq_norm - sign * G
            dist[self.support_] = (
                diag[self.support_] - 2.0 * kc_sv + self._center_sq_norm
            )
        r2 = _squared_radius(dist, alpha, upper, sign, labeled)
        self.radius_ = float(np.sqrt(max(r2, 0.0)))
        return -r2

    def _smo_solver(self, X, diag, gram):
        kernel_map = self.kernel_map_
        if kernel_map.kernel in KERNEL_IDS and not gram:
            kernel, data = kernel_map.kernel, X - kernel_map.shift_
        else:  # no compiled rows for it, or most rows needed: the Gram matrix
            kernel, data = "precomputed", kernel_map(X)
        return SMOSolver(
            data,
            kernel,
            kernel_map.gamma_,
            self.coef0,
            self.degree,
            diag,
            self.tol,
            self.cache_size,
            # libsvm's bound: far beyond what a solvable problem needs.
            max_iter=max(10_000_000, 100 * X.shape[0]),
        )

    def _kernel_dot_coef(self, X):
        """``K(X, support vectors) @ dual_coef_``, in blocks of rows: the
        kernel matrix with tens of thousands of support vectors would not
        fit in memory."""
        out = np.empty(X.shape[0])
        n_vectors = len(self.dual_coef_)
        for rows in row_blocks(X.shape[0], n_vectors, budget=_BLOCK_BYTES):
            K = self.kernel_map_(X[rows], self.support_vectors_)
            out[rows] = K @ self.dual_coef_
        return out

    def _score_samples(self, X):
        dist = self.kernel_map_.diag(X) - 2.0 * self._kernel_dot_coef(X)
        return -(dist + self._center_sq_norm)

    @property
    def center_(self):
        """Center of the sphere in input space (linear kernel only)."""
        if self.kernel != "linear":
            raise AttributeError(
                "center_ is only available with kernel='linear'; for other "
                "kernels c = sum_j dual_coef_[j] * phi(support_vectors_[j])."
            )
        return self.dual_coef_ @ self.support_vectors_


class SSAD(SVDD):
    """Semi-Supervised Anomaly Detection (Goernitz et al., 2013).

    The semi-supervised SVDD and the shallow twin of :class:`DeepSAD`:
    unlabeled samples (``y == 0``) are enclosed as in :class:`SVDD`, labeled
    normals (``y == +1``) must lie inside and labeled anomalies (``y == -1``)
    outside the sphere, each with a margin gamma rewarded by ``kappa``:

    .. math::

        \\min_{R, c, \\gamma, \\xi} R^2 - \\kappa\\gamma
        + \\eta_u \\sum_{i \\le n} \\xi_i + \\sum_{j > n} \\eta_{y_j} \\xi_j
        \\quad \\text{s.t.} \\quad
        \\|\\phi_k(x_i) - c\\|^2 \\le R^2 + \\xi_i,\\;
        y_j (\\|\\phi_k(x_j) - c\\|^2 - R^2) \\le -\\gamma + \\xi_j,\\;
        \\xi, \\gamma \\ge 0.

    Substituting r = R^2 - ||c||^2 makes the constraints linear, so the problem
    is convex for every kernel; it is solved exactly as its dual (see
    :func:`solve_hypersphere_dual` and :mod:`~skoneclass.shallow.smo`).
    Scores are those of :class:`SVDD`: ``score_samples = -||phi_k(x) -
    c||^2``, ``decision_function = R^2 - ||phi_k(x) - c||^2``. Without labels
    SSAD is exactly ``SVDD(nu)``.

    The unlabeled slack weight is ``eta_u = 1 / (nu * n_unlabeled)`` so that
    ``nu`` keeps its SVDD meaning; labeled slacks have absolute weights, as in
    the original paper (whose defaults are kappa = eta_l = 1). The margin
    constraint needs ``kappa <= sum of the labeled slack weights``.

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
    nu : float in (0, 1], default=0.3
        Bound on the fraction of unlabeled samples outside the sphere. The
        constraints need ``1 / nu >= 1 + kappa`` where anomalies are
        labeled (nu <= 0.5 at kappa = 1); 0.3 keeps a margin below that
        bound and, like :class:`SVDD`'s 0.5, ranks better than 0.1 on
        polluted training data (:doc:`/methods_shallow`).
    kappa : float >= 0, default=1.0
        Weight of the margin of the labeled samples.
    eta_normal : float > 0, default=1.0
        Slack weight of labeled normals.
    eta_anomaly : float > 0, default=1.0
        Slack weight of labeled anomalies.
    solver : {"smo", "qp"}, default="smo"
        As in :class:`SVDD`. With labels, SMO finds the multiplier of the
        margin constraint by a bracketing search, one warm-started SMO
        solve per step.
    tol : float > 0, default=1e-8
        SMO's stopping tolerance, as in :class:`SVDD`.
    cache_size : float > 0, default=200
        Megabytes of kernel rows that SMO keeps.
    contamination : "auto" or float in (0, 0.5], default="auto"
        "auto" puts the boundary on the sphere; a float sets ``offset_`` to
        that quantile of the training scores.

    Attributes
    ----------
    support_, support_vectors_, dual_coef_, radius_, n_iter_, offset_, \
n_features_in_
        As in :class:`SVDD`.

    Examples
    --------
    >>> import numpy as np
    >>> from skoneclass import SSAD
    >>> rng = np.random.RandomState(0)
    >>> X = np.r_[rng.randn(100, 2), rng.randn(5, 2) + 4]
    >>> y = np.r_[np.zeros(100, int), -np.ones(5, int)]
    >>> ssad = SSAD(gamma=0.1).fit(X, y)
    >>> ssad.predict([[0.0, 0.0], [4.0, 4.0]])
    array([ 1, -1])
    """

    _uses_labels = True

    _parameter_constraints = {
        **SVDD._parameter_constraints,
        "kappa": [Interval(Real, 0, None, closed="left")],
        "eta_normal": [Interval(Real, 0, None, closed="neither")],
        "eta_anomaly": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(
        self,
        kernel="rbf",
        gamma="scale",
        degree=3,
        coef0=1.0,
        nu=0.3,
        kappa=1.0,
        eta_normal=1.0,
        eta_anomaly=1.0,
        solver="smo",
        tol=1e-8,
        cache_size=200,
        contamination="auto",
    ):
        super().__init__(
            kernel=kernel,
            gamma=gamma,
            degree=degree,
            coef0=coef0,
            nu=nu,
            solver=solver,
            tol=tol,
            cache_size=cache_size,
            contamination=contamination,
        )
        self.kappa = kappa
        self.eta_normal = eta_normal
        self.eta_anomaly = eta_anomaly

    def get_parts(self):
        """phi_k, hypersphere, SSAD's semi-supervised hinge."""
        return make_parts(
            Kernel(self.kernel, self.gamma, self.degree, self.coef0),
            Hypersphere(center="learned"),
            SemiSupervisedHinge(self.nu, self.kappa, self.eta_normal, self.eta_anomaly),
        )

    def _slack_weights(self, labels):
        labeled = labels != 0
        n_unlabeled = int((~labeled).sum())
        upper = np.where(
            labels == 1,
            self.eta_normal,
            np.where(
                labels == -1, self.eta_anomaly, 1.0 / (self.nu * max(n_unlabeled, 1))
            ),
        )
        if labeled.any() and upper[labeled].sum() < self.kappa:
            raise ValueError(
                f"kappa={self.kappa} exceeds the total slack weight of the "
                f"{int(labeled.sum())} labeled samples ({upper[labeled].sum():g}); "
                "lower kappa or raise eta_normal / eta_anomaly."
            )
        sign = np.where(labels == -1, -1.0, 1.0)
        # sum(sign * alpha) = 1 must stay reachable once the labeled samples
        # carry the mass kappa, part of which may have to sit on anomalies.
        anomaly_mass = max(0.0, self.kappa - upper[labels == 1].sum())
        if upper[sign > 0].sum() < 1.0 + anomaly_mass:
            raise ValueError(
                f"SSAD's constraints are infeasible: with kappa={self.kappa} the "
                f"labeled anomalies need a dual mass of {anomaly_mass:g}, which the "
                f"unlabeled samples (nu={self.nu}) and labeled normals cannot "
                "balance; lower nu or kappa."
            )
        return sign, upper, labeled, float(self.kappa)
