"""Minimum volume ellipsoid (MVE) enclosing a (1 - nu) fraction of the data."""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval

from ..base import BaseDetector
from ..parts import make_parts
from ..parts.feature_maps import Identity
from ..parts.losses import Hinge
from ..parts.models import Ellipsoid


def min_volume_enclosing_ellipsoid(P, tol=1e-4, max_iter=100_000):
    """Loewner-John ellipsoid of the points ``P``.

    Solves ``min -log det A  s.t. (p - c)^T A (p - c) <= 1`` for all rows p of
    ``P`` through its dual, a weighting u of the points, by Khachiyan's
    Frank-Wolfe steps with the away steps of Todd & Yildirim (2007), which
    make it converge linearly, until the ellipsoid is a (1 + tol)-approximation.

    Returns
    -------
    center : ndarray of shape (d,)
    A : ndarray of shape (d, d)
        Shape matrix; the boundary is ``(x - c)^T A (x - c) = 1``.
    converged : bool
    """
    # The ellipsoid is affine-equivariant: solve for standardized points,
    # where the lifted matrix Q^T diag(u) Q is well conditioned.
    mean, scale = P.mean(axis=0), P.std() or 1.0
    P = (P - mean) / scale
    # Points in a lower-dimensional affine subspace (collinear features, as
    # in ODDS cardio) have a flat MVE, and the iteration degenerates: solve
    # within their span, leaving the directions without spread unpenalized
    # (a pseudo-inverse, as for a singular covariance).
    _, sv, Vt = np.linalg.svd(P, full_matrices=False)
    basis = Vt[: max(1, int(np.sum(sv > 1e-10 * sv[0])))] if sv[0] > 0 else Vt[:1]
    P = P @ basis.T
    m, d = P.shape
    Q = np.c_[P, np.ones(m)]
    u = np.full(m, 1.0 / m)
    converged = False
    for it in range(max_iter):
        if it % 200 == 0:  # refresh the rank-one updated inverse against drift
            V_inv = np.linalg.pinv(Q.T @ (u[:, None] * Q), hermitian=True)
            M = np.einsum("ij,jk,ik->i", Q, V_inv, Q)
        up = int(np.argmax(M))
        active = np.flatnonzero(u > 0)
        down = active[np.argmin(M[active])]
        eps_up, eps_down = M[up] / (d + 1) - 1.0, 1.0 - M[down] / (d + 1)
        if max(eps_up, eps_down) <= tol:
            converged = True
            break
        if eps_up > eps_down:
            j = up
            step = (M[j] - d - 1.0) / ((d + 1.0) * (M[j] - 1.0))
            a, b = 1.0 - step, step
        else:
            j = down
            step = min(
                (d + 1.0 - M[j]) / ((d + 1.0) * (M[j] - 1.0)), u[j] / (1.0 - u[j])
            )
            a, b = 1.0 + step, -step
        u *= a
        u[j] = max(u[j] + b, 0.0)
        # V <- a V + b q_j q_j^T, inverted by Sherman-Morrison in O(m d).
        w = V_inv @ Q[j]
        Qw = Q @ w
        r = (b / a) / (1.0 + (b / a) * M[j])
        V_inv = (V_inv - r * np.outer(w, w)) / a
        M = (M - r * Qw**2) / a
    center = u @ P
    scatter = P.T @ (u[:, None] * P) - np.outer(center, center)
    A = np.linalg.pinv(scatter, hermitian=True) / d
    # Scale so that every point is covered despite the approximation.
    diff = P - center
    A /= np.einsum("ij,jk,ik->i", diff, A, diff).max()
    center, A = center @ basis, basis.T @ A @ basis
    return mean + scale * center, A / scale**2, converged


class MVE(BaseDetector):
    """Minimum volume ellipsoid (Rousseeuw, 1985; thesis section 2.1, Table 4.1).

    The ellipsoid ``{x : (x - c)^T A (x - c) <= 1}`` of least volume
    (largest ``log det A``) that encloses ``h = ceil((1 - nu) n)`` of the
    training samples. The subset is found by alternating between the exact
    minimum-volume ellipsoid of the current subset (Khachiyan's algorithm)
    and the h samples closest to it, which never increases the volume. The
    first subset is the h samples closest to the coordinate-wise median.

    The anomaly score is the model ``(x - c)^T A (x - c) - 1`` (A absorbs
    Sigma^-1 / R^2); ``score_samples = -(x - c)^T A (x - c)``, ``offset_ = -1``
    puts the boundary on the ellipsoid.

    Parameters
    ----------
    nu : float in [0, 1), default=0.1
        Fraction of training samples left outside the ellipsoid.
    tol : float, default=1e-4
        Relative accuracy of each ellipsoid (Khachiyan's algorithm).
    max_iter : int, default=100
        Maximum number of subset updates.
    contamination : "auto" or float in (0, 0.5], default="auto"
        "auto" puts the boundary on the ellipsoid; a float sets ``offset_``
        to that quantile of the training scores.

    Attributes
    ----------
    location_ : ndarray of shape (n_features,)
        Center c.
    precision_ : ndarray of shape (n_features, n_features)
        Shape matrix A.
    support_ : ndarray of bool, shape (n_samples,)
        The training samples the ellipsoid was fitted to.
    n_iter_ : int
        Subset updates run.
    offset_ : float
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from skoneclass import MVE
    >>> X = np.random.RandomState(0).randn(100, 2)
    >>> MVE().fit(X).predict([[0.0, 0.0], [6.0, 6.0]])
    array([ 1, -1])
    """

    _parameter_constraints = {
        **BaseDetector._parameter_constraints,
        "nu": [Interval(Real, 0, 1, closed="left")],
        "tol": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, nu=0.1, tol=1e-4, max_iter=100, contamination="auto"):
        self.nu = nu
        self.tol = tol
        self.max_iter = max_iter
        self.contamination = contamination

    def get_parts(self):
        """Raw input, ellipsoid, hinge."""
        return make_parts(
            Identity(), Ellipsoid(self.tol, self.max_iter), Hinge(self.nu)
        )

    def _fit(self, X, y):
        n, d = X.shape
        if n <= d:
            raise ValueError(
                f"MVE needs more samples than features, got n_samples={n} and "
                f"n_features={d}; reduce the dimension first, e.g. "
                "make_pipeline(sklearn.decomposition.PCA(0.95), MVE())."
            )
        h = min(n, max(d + 1, int(np.ceil((1.0 - self.nu) * n))))
        dist = np.sum((X - np.median(X, axis=0)) ** 2, axis=1)
        all_converged = True
        for n_iter in range(1, self.max_iter + 1):
            support = np.zeros(n, dtype=bool)
            support[np.argsort(dist, kind="stable")[:h]] = True
            if n_iter > 1 and np.array_equal(support, self.support_):
                break
            self.n_iter_ = n_iter
            center, A, converged = min_volume_enclosing_ellipsoid(X[support], self.tol)
            all_converged &= converged
            self.location_, self.precision_, self.support_ = center, A, support
            diff = X - center
            dist = np.einsum("ij,jk,ik->i", diff, A, diff)
        if not all_converged:
            warnings.warn(
                "Khachiyan's algorithm hit its iteration limit; the ellipsoid "
                "may be larger than the minimum. Raise tol.",
                ConvergenceWarning,
                stacklevel=3,
            )
        return -1.0

    def _score_samples(self, X):
        diff = X - self.location_
        return -np.einsum("ij,jk,ik->i", diff, self.precision_, diff)
