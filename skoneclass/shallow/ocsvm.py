"""One-class SVM, delegated to libsvm through scikit-learn."""

from numbers import Integral

import numpy as np
from sklearn.svm import OneClassSVM
from sklearn.utils._param_validation import Interval

from ..base import BaseDetector
from ..parts import make_parts
from ..parts.feature_maps import Kernel
from ..parts.losses import Hinge
from ..parts.models import Hyperplane


class OCSVM(BaseDetector):
    """One-class SVM, nu-formulation (Schoelkopf et al., 2001; thesis eq. 2.8).

    Separates the data from the origin with maximum margin in the feature
    space of a kernel:

    .. math::

        \\min_{w, \\rho, \\xi} \\frac{1}{2}\\|w\\|^2 - \\rho
        + \\frac{1}{\\nu n} \\sum_i \\xi_i \\quad \\text{s.t.} \\quad
        \\langle w, \\phi_k(x_i) \\rangle \\ge \\rho - \\xi_i,\\; \\xi_i \\ge 0.

    The thesis's anomaly score is ``rho - <w, phi_k(x)>``. Here
    ``score_samples = <w, phi_k(x)>`` (libsvm's scaling, dual coefficients
    summing to ``nu * n``), ``offset_ = rho`` and ``decision_function =
    <w, phi_k(x)> - rho``. The dual QP is solved by libsvm through
    :class:`sklearn.svm.OneClassSVM`. With the RBF kernel it ranks samples
    like :class:`SVDD`.

    Parameters
    ----------
    kernel : {"rbf", "linear", "poly", "sigmoid"} or callable, default="rbf"
        Kernel of libsvm.
    gamma : {"scale", "auto"} or float, default="scale"
        Kernel coefficient.
    degree : int, default=3
        Degree of the polynomial kernel.
    coef0 : float, default=1.0
        Independent term of the polynomial and sigmoid kernels (note: 0.0 in
        scikit-learn; 1.0 here, as in :class:`SVDD`).
    nu : float in (0, 1], default=0.5
        Upper bound on the fraction of training errors, lower bound on the
        fraction of support vectors. ``predict`` flags about this fraction
        of the training data; pass ``contamination`` for another threshold.
        The default is scikit-learn's: on training data that hold unlabeled
        anomalies a large nu ranks better (more support vectors, a score
        closer to a kernel density; see :doc:`/methods_shallow`).
    tol : float, default=1e-3
        Stopping tolerance of libsvm.
    shrinking : bool, default=True
        Whether libsvm uses the shrinking heuristic.
    cache_size : float, default=200
        Kernel cache size in MB.
    max_iter : int, default=-1
        Iteration limit of libsvm, -1 for none.
    contamination : "auto" or float in (0, 0.5], default="auto"
        "auto" uses the hyperplane (``offset_ = rho``); a float sets
        ``offset_`` to that quantile of the training scores.

    Attributes
    ----------
    svm_ : sklearn.svm.OneClassSVM
        The fitted libsvm model.
    n_iter_ : int
        Iterations run by libsvm.
    offset_ : float
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from skoneclass import OCSVM
    >>> X = np.random.RandomState(0).randn(100, 2)
    >>> OCSVM().fit(X).predict([[0.0, 0.0], [6.0, 6.0]])
    array([ 1, -1])
    """

    _parameter_constraints = {
        **BaseDetector._parameter_constraints,
        **{
            k: v
            for k, v in OneClassSVM._parameter_constraints.items()
            if k
            in (
                "kernel",
                "gamma",
                "degree",
                "coef0",
                "nu",
                "tol",
                "shrinking",
                "cache_size",
            )
        },
        "max_iter": [Interval(Integral, -1, None, closed="left")],
    }

    def __init__(
        self,
        kernel="rbf",
        gamma="scale",
        degree=3,
        coef0=1.0,
        nu=0.5,
        tol=1e-3,
        shrinking=True,
        cache_size=200,
        max_iter=-1,
        contamination="auto",
    ):
        self.kernel = kernel
        self.gamma = gamma
        self.degree = degree
        self.coef0 = coef0
        self.nu = nu
        self.tol = tol
        self.shrinking = shrinking
        self.cache_size = cache_size
        self.max_iter = max_iter
        self.contamination = contamination

    def get_parts(self):
        """phi_k, hyperplane, hinge: the OC-SVM of Schoelkopf et al. (2001)."""
        return make_parts(
            Kernel(self.kernel, self.gamma, self.degree, self.coef0),
            Hyperplane(self.tol, self.shrinking, self.cache_size, self.max_iter),
            Hinge(self.nu),
        )

    def _fit(self, X, y):
        # libsvm expands ||x - x'||^2, which cancels on data far from the
        # origin; the RBF kernel is translation invariant, so center first.
        self._shift = X.mean(axis=0) if self.kernel == "rbf" else 0.0
        self.svm_ = OneClassSVM(
            kernel=self.kernel,
            gamma=self.gamma,
            degree=self.degree,
            coef0=self.coef0,
            nu=self.nu,
            tol=self.tol,
            shrinking=self.shrinking,
            cache_size=self.cache_size,
            max_iter=self.max_iter,
        ).fit(X - self._shift)
        self.n_iter_ = int(np.max(self.svm_.n_iter_))
        return self.svm_.offset_[0]

    def _score_samples(self, X):
        return self.svm_.score_samples(X - self._shift)
