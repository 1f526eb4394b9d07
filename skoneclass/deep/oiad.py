"""OIAD: a disentangled VAE scored by the structure consistency of its morphs."""

from numbers import Real

from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from .._docstrings import shared_parameters
from ..parts.losses import NegativeLogLikelihood
from ..parts.models import StructureConsistency
from ..parts.regularizers import PriorPrecision, TotalCorrelation
from . import consistency
from .presets import NetworkPreset
from .vae import VAE_DESCRIPTIONS, _VariationalPreset


@shared_parameters(**VAE_DESCRIPTIONS)
class OIAD(_VariationalPreset):
    """One-for-all image anomaly detection by disentanglement (Wang et al., 2020).

    **Detector-VAE.** A VAE with a learned long-tail prior
    p(z) = prod_j N(0, 1 / beta_j) and a total-correlation penalty
    (FactorVAE), trained on

    .. math::

        L = -\\log p(x|z) + KL(q(z|x) \\| p(z)) + \\gamma\\, TC(z)
        + \\eta \\sum_j (1 / \\beta_j - 1)^2,

    with TC estimated by a discriminator on dimension-permuted codes. The
    penalty trains the encoder, the reconstruction the decoder, the
    discriminator's cross-entropy the discriminator only.

    **Structure consistency.** A random ``validation_fraction`` of the
    training data is held out. For a sample x with code mu(x) and each
    selected code i, ``n_morphs`` morphs decode mu(x) with z_i set to values
    spread evenly over the normal range of code i (the ``morph_range``
    quantiles of the validation codes); the consistency SC_i(x) is the mean
    distance of x to its morphs (``consistency``). The paper declares x
    normal iff every SC_i(x) is inside the alpha-fractile band of the
    validation data. Here the band is one-sided (a morph far from its input
    is the anomalous side; the paper's two-sided 40% bands would reject 80%
    of the normal data), and the continuous score is

    .. math::

        s(x) = \\max_i G_i(SC_i(x)),

    with G_i the empirical distribution function of SC_i on the validation
    data (interpolated, extended linearly in IQR units beyond it):
    ``score_samples = -s``, and with ``contamination="auto"`` the offset is
    -(1 - alpha), so ``predict`` flags x exactly when some code's consistency
    lies beyond its (1 - alpha) validation quantile: the paper's decision.
    This score is OIAD's model part,
    :class:`~skoneclass.parts.StructureConsistency`.

    Choices where the paper is silent: morphs take evenly spaced values, not
    random draws (deterministic scores); all codes are used unless
    ``codes="active"``; "loss" is the VAE loss's reconstruction term,
    -log p(x | morph), without the KL term: KL(q(z|x) || p(z)) is the same for
    every morph of x, and it measures how sharp the posterior is, which is
    larger for normal inputs (on digits 36 against 16 nats), so adding it
    reversed the ranking of an undertrained model (AUROC 0.19); the
    reconstruction term is the likelihood's (for "gaussian", half the
    paper's squared error).

    Parameters
    ----------
    consistency : {"mse", "ssim", "loss"}, default="mse"
        Distance of x to a morph: mean squared error, 1 - SSIM (image
        networks only; the paper's best), or the VAE's reconstruction loss
        -log p(x | morph).
    alpha : float in (0, 0.5), default=0.1
        Fraction of normal validation samples beyond each code's threshold.
    n_morphs : int, default=20
        Morphs per code (the paper: 100).
    codes : {"all", "active"}, default="all"
        "active": only codes whose mean KL to the prior on the validation
        data exceeds 0.01 nats (the others do not vary and make no morphs).
    morph_range : (float, float), default=(0.01, 0.99)
        Quantiles of the validation codes between which morphs are made.
    validation_fraction : float in [0, 0.5], default=0.1
        Held out for the ranges and thresholds; 0 uses the training data.
    tc_weight : float, default=40.0
        gamma.
    prior_weight : float, default=0.1
        eta.
    discriminator_dims : tuple of int, default=(1000,) * 6
        The TC discriminator's hidden layers (the paper's).
    likelihood : {"gaussian", "bernoulli"}, default="gaussian"
    {shared}

    Attributes
    ----------
    codes_ : ndarray of int
        The codes that are morphed.
    code_ranges_ : ndarray of shape (2, n_codes)
        Low and high morph values of each code.
    reference_ : ndarray of shape (n_validation, n_selected_codes)
        Sorted consistencies of the validation data.
    thresholds_ : ndarray of shape (n_selected_codes,)
        The (1 - alpha) validation quantile of each code's consistency:
        ``predict`` flags x iff some SC_i(x) exceeds its threshold (with
        ``contamination="auto"``).
    net_ : skorch.NeuralNet
    offset_ : float
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from skoneclass import OIAD
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(300, 1) @ np.ones((1, 6)) + 0.1 * rng.randn(300, 6)
    >>> oiad = OIAD(max_epochs=30, rep_dim=2, discriminator_dims=(32,),
    ...             random_state=0).fit(X)
    >>> on, off = np.ones((1, 6)), np.array([[1.0, -1, 1, -1, 1, -1]])
    >>> bool(oiad.score_samples(on)[0] > oiad.score_samples(off)[0])
    True
    """

    _parameter_constraints = {
        **NetworkPreset._parameter_constraints,
        **StructureConsistency._parameter_constraints,
        "tc_weight": [Interval(Real, 0, None, closed="left")],
        "prior_weight": [Interval(Real, 0, None, closed="left")],
        "discriminator_dims": [tuple, list],
        "likelihood": [StrOptions({"gaussian", "bernoulli"})],
    }

    def __init__(
        self,
        consistency="mse",
        alpha=0.1,
        n_morphs=20,
        codes="all",
        morph_range=(0.01, 0.99),
        validation_fraction=0.1,
        tc_weight=40.0,
        prior_weight=0.1,
        discriminator_dims=(1000,) * 6,
        likelihood="gaussian",
        network="mlp",
        hidden_dims="auto",
        rep_dim="auto",
        activation="leaky_relu",
        negative_slope=0.01,
        batch_norm=True,
        weight_init="glorot",
        optimizer="adam",
        lr=1e-3,
        lr_milestones=None,
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
        self.consistency = consistency
        self.alpha = alpha
        self.n_morphs = n_morphs
        self.codes = codes
        self.morph_range = morph_range
        self.validation_fraction = validation_fraction
        self.tc_weight = tc_weight
        self.prior_weight = prior_weight
        self.discriminator_dims = discriminator_dims
        self.likelihood = likelihood

    def get_parts(self):
        """Structure consistency of a latent density with a learned prior and
        a total-correlation penalty."""
        return self._parts(
            StructureConsistency(
                self.likelihood,
                self.consistency,
                self.alpha,
                self.n_morphs,
                self.codes,
                self.morph_range,
                self.validation_fraction,
            ),
            NegativeLogLikelihood(),
            TotalCorrelation(self.tc_weight, tuple(self.discriminator_dims)),
            PriorPrecision(self.prior_weight),
        )

    def structure_consistency(self, X):
        """SC_i(x): the mean distance of x to its morphs along each code.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        sc : ndarray of shape (n_samples, n_selected_codes)
            Larger = less consistent (more anomalous) along that code.
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        return consistency.structure_consistency(self, self._model(), X)

    def morphs(self, X):
        """The morphs of each sample: its code with one code varied, decoded.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        morphs : ndarray of shape (n_samples, n_selected_codes, n_morphs, n_features)
            The decoder's means.
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        return consistency.morphs(self, self._model(), X)

    def _model(self):
        return self.get_parts()["model"]
