"""Deep SVDD, Deep SAD and the Hypersphere Classifier (thesis sections 2.2-2.3).

Each is a preset of the parts: a neural feature map, the hypersphere model
``||phi(x) - c||^2`` and its loss; the center c is fixed from an initial
forward pass, never trained (thesis Proposition 1).
"""

from numbers import Integral, Real

from sklearn.utils._param_validation import Interval, StrOptions

from .._docstrings import shared_parameters
from ..parts.losses import DeepSADLoss, Hinge, HSCLoss, MeanScore
from ..parts.models import Hypersphere
from .presets import NetworkPreset


class _HypersphereDetector(NetworkPreset):
    _parameter_constraints = {
        **NetworkPreset._parameter_constraints,
        "pretrain": [StrOptions({"autoencoder"}), None],
        "pretrain_epochs": [Interval(Integral, 1, None, closed="left"), None],
    }

    def _parts(self, model, loss, bias=False):
        return {
            "feature_map": self._feature_map(),
            "model": model,
            "loss": loss,
            "regularizer": self._regularizers(
                bias, self.pretrain, self.pretrain_epochs
            ),
            "inference": "frequentist",
        }


@shared_parameters()
class DeepSVDD(_HypersphereDetector):
    """Deep Support Vector Data Description (Ruff et al., 2018; thesis 2.2).

    Trains a bias-free network phi to map the data close to a fixed center c.
    One-class objective (eq. 2.11):

    .. math::

        \\min_\\omega \\frac{1}{n} \\sum_i \\|\\phi_\\omega(x_i) - c\\|^2
        + \\frac{\\lambda}{2} \\sum_l \\|W_l\\|_F^2,

    soft-boundary objective (eq. 2.10):
    ``R^2 + 1/(nu n) sum_i max(0, ||phi(x_i) - c||^2 - R^2)`` plus weight
    decay, with R^2 solved on every batch after ``warm_up_epochs`` as the
    (1 - nu) quantile of the distances, and once more on the whole training
    set after the last epoch (so that at most a fraction nu lies outside).
    c is the mean initial embedding (after autoencoder pretraining), with
    coordinates below ``center_eps`` pushed to +-``center_eps``.

    ``score_samples = -||phi(x) - c||^2``; for the soft boundary
    ``decision_function = R^2 - ||phi(x) - c||^2``.

    Parameters
    ----------
    objective : {"one-class", "soft-boundary"}, default="one-class"
    nu : float in (0, 1], default=0.1
        Soft boundary: bound on the fraction of samples outside the sphere.
    center_eps : float, default=0.1
    warm_up_epochs : int, default=10
        Soft boundary: epochs before R is first solved.
    pretrain : "autoencoder" or None, default="autoencoder"
        Pretrain the network as the encoder of an autoencoder (MSE).
    pretrain_epochs : int or None, default=None
        Autoencoder epochs; None uses ``max_epochs``.
    {shared}

    Attributes
    ----------
    net_ : skorch.NeuralNet
        The trained engine; ``net_.module_`` is the hypersphere model.
    center_ : ndarray of shape (rep_dim,)
    radius_ : float
        Soft boundary only.
    history_ : skorch.History
    device_ : str
    offset_ : float
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from skoneclass import DeepSVDD
    >>> X = np.random.RandomState(0).randn(200, 4)
    >>> est = DeepSVDD(max_epochs=20, lr=1e-3, random_state=0).fit(X)
    >>> bool(est.score_samples([[0.0] * 4])[0] > est.score_samples([[6.0] * 4])[0])
    True
    """

    _parameter_constraints = {
        **_HypersphereDetector._parameter_constraints,
        "objective": [StrOptions({"one-class", "soft-boundary"})],
        "nu": [Interval(Real, 0, 1, closed="right")],
        "center_eps": [Interval(Real, 0, None, closed="left")],
        "warm_up_epochs": [Interval(Integral, 0, None, closed="left")],
    }

    def __init__(
        self,
        objective="one-class",
        nu=0.1,
        center_eps=0.1,
        warm_up_epochs=10,
        pretrain="autoencoder",
        pretrain_epochs=None,
        network="mlp",
        hidden_dims="auto",
        rep_dim="auto",
        activation="leaky_relu",
        negative_slope=0.01,
        batch_norm=True,
        weight_init="glorot",
        optimizer="adam",
        lr=1e-4,
        lr_milestones=(50,),
        max_epochs="auto",
        batch_size="auto",
        weight_decay=1e-6,
        device="auto",
        random_state=None,
        n_networks=1,
        callbacks=None,
        verbose=0,
        contamination="auto",
    ):
        super().__init__(
            network=network,
            hidden_dims=hidden_dims,
            rep_dim=rep_dim,
            activation=activation,
            negative_slope=negative_slope,
            batch_norm=batch_norm,
            weight_init=weight_init,
            optimizer=optimizer,
            lr=lr,
            lr_milestones=lr_milestones,
            max_epochs=max_epochs,
            batch_size=batch_size,
            weight_decay=weight_decay,
            device=device,
            random_state=random_state,
            n_networks=n_networks,
            callbacks=callbacks,
            verbose=verbose,
            contamination=contamination,
        )
        self.objective = objective
        self.nu = nu
        self.center_eps = center_eps
        self.warm_up_epochs = warm_up_epochs
        self.pretrain = pretrain
        self.pretrain_epochs = pretrain_epochs

    def get_parts(self):
        """Hypersphere on a bias-free network; mean or hinge loss."""
        if self.objective == "soft-boundary":
            loss = Hinge(nu=self.nu, warm_up_epochs=self.warm_up_epochs)
        else:
            loss = MeanScore()
        model = Hypersphere(center="mean", center_eps=self.center_eps)
        return self._parts(model, loss)


@shared_parameters()
class DeepSAD(_HypersphereDetector):
    """Deep Semi-supervised Anomaly Detection (Ruff et al., 2020; thesis 2.3).

    Deep SVDD with labeled samples (eq. 2.15):

    .. math::

        \\min_\\omega \\frac{1}{n+m} \\sum_{i \\le n} \\|\\phi(x_i) - c\\|^2
        + \\frac{\\eta}{n+m} \\sum_{j \\le m} (\\|\\phi(\\tilde x_j) - c\\|^2
        + \\epsilon)^{\\tilde y_j} + \\frac{\\lambda}{2} \\sum_l \\|W_l\\|_F^2.

    Labeled normals (``y = +1``) are pulled to c, labeled anomalies
    (``y = -1``) pushed away by the inverse distance; unlabeled samples
    (``y = 0``) are treated as in One-Class Deep SVDD, to which Deep SAD
    reduces without labels. c is the mean initial embedding excluding the
    labeled anomalies (thesis B.1.2). ``score_samples = -||phi(x) - c||^2``
    (the thesis's score is the unsquared distance: same ranking).

    Parameters
    ----------
    eta : float > 0, default=1.0
        Weight of the labeled samples.
    eps : float, default=1e-6
        Added to the distance of labeled anomalies before inverting it.
    anomaly_fraction : float in (0, 1) or None, default=0.25
        Share of labeled anomalies (``y == -1``) in every mini-batch: they
        repeat, and an epoch is one pass over the other samples. Without
        labeled anomalies the batches are plain. None: plain shuffled
        batches, as the thesis and its code, where few labels (1% of the
        data is about 2 anomalies in a batch of 200) barely move the
        network. Under the thesis protocol (10 seeds, ``benchmarks/odds.py``)
        0.25 gives cardio 96.5, satellite 90.9 and thyroid 99.5 AUROC where
        None gives 89.8, 83.1 and 95.2; on training data that keep their
        anomalies, 10% of them labeled (``benchmarks/contaminated.py``), the
        mean over ten data sets goes from 87.5 to 90.9 (3 seeds).
    center_eps : float, default=0.1
    pretrain : "autoencoder" or None, default="autoencoder"
    pretrain_epochs : int or None, default=None
        Autoencoder epochs; None uses ``max_epochs``.
    {shared}

    Attributes
    ----------
    networks_ : list of DeepSAD
        The ``n_networks`` fitted one-network models (``n_networks > 1``).
    score_scales_ : ndarray of shape (n_networks, 2)
        Each network's median training score and interquartile range.
    net_ : skorch.NeuralNet
        The (first) network.
    center_ : ndarray of shape (rep_dim,)
    history_ : skorch.History
    device_ : str
    offset_ : float
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from skoneclass import DeepSAD
    >>> rng = np.random.RandomState(0)
    >>> X = np.r_[rng.randn(200, 4), rng.randn(10, 4) + 3]
    >>> y = np.r_[np.zeros(200, int), -np.ones(10, int)]
    >>> est = DeepSAD(max_epochs=20, lr=1e-3, random_state=0).fit(X, y)
    >>> bool(est.score_samples([[0.0] * 4])[0] > est.score_samples([[3.0] * 4])[0])
    True
    """

    _uses_labels = True

    _parameter_constraints = {
        **_HypersphereDetector._parameter_constraints,
        "eta": [Interval(Real, 0, None, closed="neither")],
        "eps": [Interval(Real, 0, None, closed="neither")],
        "anomaly_fraction": [Interval(Real, 0, 1, closed="neither"), None],
        "center_eps": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        eta=1.0,
        eps=1e-6,
        anomaly_fraction=0.25,
        center_eps=0.1,
        pretrain="autoencoder",
        pretrain_epochs=None,
        network="mlp",
        hidden_dims="auto",
        rep_dim="auto",
        activation="leaky_relu",
        negative_slope=0.01,
        batch_norm=True,
        weight_init="glorot",
        optimizer="adam",
        lr=1e-4,
        lr_milestones=(50,),
        max_epochs="auto",
        batch_size="auto",
        weight_decay=1e-6,
        device="auto",
        random_state=None,
        n_networks=5,
        callbacks=None,
        verbose=0,
        contamination="auto",
    ):
        super().__init__(
            network=network,
            hidden_dims=hidden_dims,
            rep_dim=rep_dim,
            activation=activation,
            negative_slope=negative_slope,
            batch_norm=batch_norm,
            weight_init=weight_init,
            optimizer=optimizer,
            lr=lr,
            lr_milestones=lr_milestones,
            max_epochs=max_epochs,
            batch_size=batch_size,
            weight_decay=weight_decay,
            device=device,
            random_state=random_state,
            n_networks=n_networks,
            callbacks=callbacks,
            verbose=verbose,
            contamination=contamination,
        )
        self.eta = eta
        self.eps = eps
        self.anomaly_fraction = anomaly_fraction
        self.center_eps = center_eps
        self.pretrain = pretrain
        self.pretrain_epochs = pretrain_epochs

    def get_parts(self):
        """Hypersphere on a bias-free network; Deep SAD's loss."""
        model = Hypersphere(center="mean", center_eps=self.center_eps)
        loss = DeepSADLoss(self.eta, self.eps, self.anomaly_fraction)
        return self._parts(model, loss)


@shared_parameters()
class HSC(_HypersphereDetector):
    """Hypersphere Classifier (Ruff et al., 2020; thesis 2.3.5).

    A binary classifier whose probability of "normal" is the radial
    rho(z) = exp(-h(z)), h(z) = ||z||^2 (or the pseudo-Huber
    ``sqrt(||z||^2 + 1) - 1``), so that the normal region is a compact ball
    around the origin. Semi-supervised cross-entropy (eq. 2.20):

    .. math::

        \\frac{1}{n+m} \\sum_{i \\le n} h(\\phi(x_i))
        + \\frac{\\eta}{n+m} \\sum_{j \\le m} \\Big[\\frac{1+\\tilde y_j}{2}
        h(\\phi(\\tilde x_j)) - \\frac{1-\\tilde y_j}{2}
        \\log(1 - e^{-h(\\phi(\\tilde x_j))})\\Big].

    It needs negatives: labeled anomalies (``y = -1``) or auxiliary outlier
    exposure samples labeled -1. Unlike Deep SVDD the network may keep its
    bias terms (the negatives prevent collapse). ``score_samples =
    -h(phi(x))``.

    Parameters
    ----------
    eta : float > 0, default=1.0
        Weight of the labeled samples.
    norm : {"squared", "pseudo_huber"}, default="squared"
        h; the pseudo-Huber variant was the most robust in the thesis's
        outlier-exposure experiments.
    bias : bool, default=True
        Bias terms in the network.
    pretrain : "autoencoder" or None, default=None
    pretrain_epochs : int or None, default=None
    {shared}

    Attributes
    ----------
    net_ : skorch.NeuralNet
    history_ : skorch.History
    device_ : str
    offset_ : float
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from skoneclass import HSC
    >>> rng = np.random.RandomState(0)
    >>> X = np.r_[rng.randn(200, 4), rng.uniform(-6, 6, (50, 4))]
    >>> y = np.r_[np.zeros(200, int), -np.ones(50, int)]
    >>> est = HSC(max_epochs=30, lr=1e-3, random_state=0).fit(X, y)
    >>> bool(est.score_samples([[0.0] * 4])[0] > est.score_samples([[5.0] * 4])[0])
    True
    """

    _uses_labels = True

    _parameter_constraints = {
        **_HypersphereDetector._parameter_constraints,
        "eta": [Interval(Real, 0, None, closed="neither")],
        "norm": [StrOptions({"squared", "pseudo_huber"})],
        "bias": ["boolean"],
    }

    def __init__(
        self,
        eta=1.0,
        norm="squared",
        bias=True,
        pretrain=None,
        pretrain_epochs=None,
        network="mlp",
        hidden_dims="auto",
        rep_dim="auto",
        activation="leaky_relu",
        negative_slope=0.01,
        batch_norm=True,
        weight_init="glorot",
        optimizer="adam",
        lr=1e-4,
        lr_milestones=(50,),
        max_epochs="auto",
        batch_size="auto",
        weight_decay=1e-6,
        device="auto",
        random_state=None,
        n_networks=1,
        callbacks=None,
        verbose=0,
        contamination="auto",
    ):
        super().__init__(
            network=network,
            hidden_dims=hidden_dims,
            rep_dim=rep_dim,
            activation=activation,
            negative_slope=negative_slope,
            batch_norm=batch_norm,
            weight_init=weight_init,
            optimizer=optimizer,
            lr=lr,
            lr_milestones=lr_milestones,
            max_epochs=max_epochs,
            batch_size=batch_size,
            weight_decay=weight_decay,
            device=device,
            random_state=random_state,
            n_networks=n_networks,
            callbacks=callbacks,
            verbose=verbose,
            contamination=contamination,
        )
        self.eta = eta
        self.norm = norm
        self.bias = bias
        self.pretrain = pretrain
        self.pretrain_epochs = pretrain_epochs

    def get_parts(self):
        """Radial classifier exp(-h(phi(x))) around the origin; cross-entropy."""
        model = Hypersphere(center="origin", norm=self.norm)
        return self._parts(model, HSCLoss(eta=self.eta), bias=self.bias)
