"""Losses l(s, y): the first dimension of the unifying view (D1).

A loss acts on the model output s = f_theta(x) and the label y (+1 known
normal, -1 known anomaly, 0 unlabeled); the objective is
``1/n sum_i l(f_theta(x_i), y_i) + R``. Losses with ``uses_labels`` make an
estimator semi-supervised (``fit`` then validates ``y``); the others ignore
it. :func:`skoneclass.deep.builders.build_criterion` gives the torch loss of
each for the SGD solver; losses without one are solved exactly only.
"""

from numbers import Integral, Real

from sklearn.utils._param_validation import Interval, StrOptions

from .base import Part

_POSITIVE = [Interval(Real, 0, None, closed="neither")]
_NON_NEGATIVE = [Interval(Real, 0, None, closed="left")]
_FRACTION = [Interval(Real, 0, 1, closed="neither"), None]
_NU = [Interval(Real, 0, 1, closed="right")]


class Loss(Part):
    """Base of the losses."""

    uses_labels = False
    #: Hinge losses put a boundary (radius, offset) into the model.
    has_boundary = False


class MeanScore(Loss):
    """l(s, y) = s: the model output itself, averaged over the data.

    The squared distance of One-Class Deep SVDD, the reconstruction error of
    PCA and autoencoders, the prototype distance of k-means. Labels are
    ignored.
    """

    formula = "s"


class Hinge(Loss):
    """l(s) = max(0, s) / nu on s = f(x) - R^2: the soft boundary.

    The loss of SVDD, the OC-SVM, MVE and soft-boundary Deep SVDD; the model's
    boundary (R^2, rho) enters the regularizer. nu bounds the fraction of
    training samples outside the boundary from above.

    Parameters
    ----------
    nu : float in (0, 1], default=0.1
    warm_up_epochs : int, default=10
        SGD only: epochs before the radius is first solved (block coordinate
        descent, as in the Deep SVDD reference code).
    """

    has_boundary = True

    _parameter_constraints = {
        "nu": _NU,
        "warm_up_epochs": [Interval(Integral, 0, None, closed="left")],
    }

    def __init__(self, nu=0.1, warm_up_epochs=10):
        self.nu = nu
        self.warm_up_epochs = warm_up_epochs

    formula = "max(0, s) / nu"


class SemiSupervisedHinge(Loss):
    """l(s, y) = max(0, y s) with a margin: SSAD's loss (Goernitz et al., 2013).

    Unlabeled samples pay the soft-boundary hinge, labeled normals must lie
    inside and labeled anomalies outside the sphere by a margin gamma weighted
    by kappa. Solved exactly by :class:`~skoneclass.SSAD`'s dual solvers.

    Parameters
    ----------
    nu : float in (0, 1], default=0.1
    kappa : float, default=1.0
    eta_normal, eta_anomaly : float, default=1.0
        Slack weights of labeled normals and anomalies relative to unlabeled.
    """

    uses_labels = True
    has_boundary = True

    _parameter_constraints = {
        "nu": _NU,
        "kappa": _NON_NEGATIVE,
        "eta_normal": _POSITIVE,
        "eta_anomaly": _POSITIVE,
    }

    def __init__(self, nu=0.1, kappa=1.0, eta_normal=1.0, eta_anomaly=1.0):
        self.nu = nu
        self.kappa = kappa
        self.eta_normal = eta_normal
        self.eta_anomaly = eta_anomaly

    formula = "max(0, y s)"


class DeepSADLoss(Loss):
    """l(s, 0) = s, l(s, y) = eta (s + eps)^y: Deep SAD's loss (thesis eq. 2.15).

    Labeled normals are pulled towards the center, labeled anomalies pushed
    away by the inverse distance; without labels it is :class:`MeanScore`.

    Parameters
    ----------
    eta : float > 0, default=1.0
        Weight of the labeled samples.
    eps : float > 0, default=1e-6
    anomaly_fraction : float in (0, 1) or None, default=0.25
        Share of labeled anomalies (y == -1) in every mini-batch, as in
        :class:`DeviationLoss`; None: plain shuffled batches (the thesis).
    """

    uses_labels = True

    _parameter_constraints = {
        "eta": _POSITIVE,
        "eps": _POSITIVE,
        "anomaly_fraction": _FRACTION,
    }

    def __init__(self, eta=1.0, eps=1e-6, anomaly_fraction=0.25):
        self.eta = eta
        self.eps = eps
        self.anomaly_fraction = anomaly_fraction

    formula = "s^y"


class HSCLoss(Loss):
    """Binary cross-entropy of the Hypersphere Classifier (thesis eq. 2.20).

    With exp(-s) the probability of being normal: unlabeled and labeled
    normal samples cost s, labeled anomalies -log(1 - exp(-s)). Needs
    negatives (``y == -1``).

    Parameters
    ----------
    eta : float > 0, default=1.0
        Weight of the labeled samples.
    """

    uses_labels = True

    _parameter_constraints = {"eta": _POSITIVE}

    def __init__(self, eta=1.0):
        self.eta = eta

    formula = "BCE(exp(-s), y)"


class NegativeLogLikelihood(Loss):
    """l(s) = -log s for a density model s = p_theta(x).

    The score is the log-likelihood; the probabilistic models (Gaussian,
    mixture, KDE) are fitted exactly (closed form, EM, bandwidth selection).
    A :class:`~skoneclass.parts.LatentDensity` is trained by SGD on its
    variational bound, the negative ELBO (a VAE).
    """

    formula = "-log s"


class KernelMEstimation(Loss):
    """l(s) = rho(s) on s = ||phi(x) - f||_H: a robust kernel density.

    A KDE is the mean of the feature vectors ``phi(x_i) = k_h(., x_i)`` in
    the kernel's Hilbert space, the minimizer of ``sum_i ||phi(x_i) - f||^2``.
    A robust loss rho makes it an M-estimate, a KDE with weights that shrink
    for training samples far from the bulk (Kim & Scott, 2012, the robust
    KDE the thesis cites in section 4.1): anomalies in the training data then
    lift the density around them less. Solved exactly, by kernelized
    iteratively reweighted least squares (:class:`~skoneclass.KDE`).

    Parameters
    ----------
    rho : {"hampel", "huber"}, default="hampel"
        Hampel's three-part redescending loss, whose weight reaches zero at
        the largest residuals, or Huber's, which only bounds them. Their
        thresholds are percentiles of the residuals of the kernel median, as
        in the paper: Hampel's the 50th, 75th and 95th, Huber's the 50th.
    """

    _parameter_constraints = {"rho": [StrOptions({"hampel", "huber"})]}

    def __init__(self, rho="hampel"):
        self.rho = rho

    formula = "rho(||phi(x) - f||_H)"


class SemanticDeviationLoss(Loss):
    """RSC-VAE's loss: no reconstruction for anomalies (Zhang & Du, 2023).

    For a :class:`~skoneclass.parts.LatentDensity`: normal and unlabeled
    samples pay the negative ELBO, -log p(x|z) + KL(q(z|x) || p(z));
    labeled anomalies (y == -1) and the pseudo anomalies of
    :class:`~skoneclass.parts.DistributionShift` pay only
    ``anomaly_weight * KL`` (plus the per-sample regularizer terms). Their
    codes are pushed to the prior (the "semantic deviation"), so that they
    reconstruct badly. Without anomalies it is the negative ELBO.

    Parameters
    ----------
    anomaly_weight : float >= 0, default=1.0
        beta, the weight of the anomalies' term.
    anomaly_fraction : float in (0, 1) or None, default=None
        Share of labeled anomalies (y == -1) in every mini-batch, as in
        :class:`DeviationLoss`; None: plain shuffled batches (the paper).
    """

    uses_labels = True

    _parameter_constraints = {
        "anomaly_weight": _NON_NEGATIVE,
        "anomaly_fraction": _FRACTION,
    }

    def __init__(self, anomaly_weight=1.0, anomaly_fraction=None):
        self.anomaly_weight = anomaly_weight
        self.anomaly_fraction = anomaly_fraction

    formula = "-ELBO; KL for y = -1"


class DeviationLoss(Loss):
    """DevNet's deviation loss (Pang et al., 2019), used by DRA's heads.

    With a Gaussian prior N(0, 1) as the reference score distribution, the
    deviation is the z-score ``dev = (s - mu_R) / sigma_R``; normal and
    unlabeled samples pay ``|dev|`` (their scores near the reference mean),
    anomalies ``max(0, margin - dev)`` (their scores at least ``margin``
    standard deviations above it).

    Parameters
    ----------
    margin : float > 0, default=5.0
        a, the z-score that anomalies must exceed.
    prior_samples : int or None, default=None
        None uses the prior's exact mean 0 and standard deviation 1; an int
        draws that many N(0, 1) scores at every step and uses their mean and
        std, as DevNet's code (5000), which only adds noise.
    anomaly_fraction : float in (0, 1) or None, default=0.5
        Share of labeled anomalies (y == -1) in every mini-batch: DevNet's
        balanced sampling, which makes a few labels count (an epoch is a pass
        over the other samples; the anomalies repeat). None: plain shuffled
        batches.
    """

    uses_labels = True

    _parameter_constraints = {
        "margin": _POSITIVE,
        "prior_samples": [Interval(Integral, 2, None, closed="left"), None],
        "anomaly_fraction": _FRACTION,
    }

    def __init__(self, margin=5.0, prior_samples=None, anomaly_fraction=0.5):
        self.margin = margin
        self.prior_samples = prior_samples
        self.anomaly_fraction = anomaly_fraction

    formula = "abs(dev(s)); max(0, a - dev(s)) for y = -1"
