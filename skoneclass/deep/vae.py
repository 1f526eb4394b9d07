"""Variational autoencoders: the VAE and RSC-VAE (a VAE with recoding).

Both are presets of the latent density model
(:class:`~skoneclass.parts.LatentDensity`) trained by variational inference;
RSC-VAE adds the recoding regularizer and its semi-supervised loss.
"""

from numbers import Integral, Real

from sklearn.utils._param_validation import Interval, StrOptions

from .._docstrings import shared_parameters
from ..parts.losses import NegativeLogLikelihood, SemanticDeviationLoss
from ..parts.models import LatentDensity
from ..parts.regularizers import DistributionShift, Recoding, WeightDecay
from .presets import IMAGE_NETWORKS, NetworkPreset

#: What the VAE family's shared parameters mean where it differs.
VAE_DESCRIPTIONS = {
    "rep_dim": 'Latent size; "auto": 32 above 100 features, 16 above 40, 8 above\n'
    "8, else 4 (thesis ODDS sizes); 32 / 128 for the LeNets.",
    "batch_norm": "Batch norm in the hidden layers.",
}

_SCORES = {"elbo", "reconstruction", "iwae"}


class _VariationalPreset(NetworkPreset):
    """Flat parameters -> a latent density on the network, with bias terms."""

    _training_recipe = {"batch_size": 128, "max_epochs": 100}

    def _parts(self, model, loss, *regularizers):
        return {
            "feature_map": self._feature_map(),
            "model": model,
            "loss": loss,
            "regularizer": (WeightDecay(self.weight_decay), *regularizers),
            "inference": "bayesian",
        }


@shared_parameters(**VAE_DESCRIPTIONS)
class VAE(_VariationalPreset):
    """Variational autoencoder (Kingma & Welling, 2014; thesis 4.1.2, 4.2.3).

    A Gaussian encoder q(z|x) = N(mu(x), diag(sigma^2(x))), a decoder for
    p(x|z) and the prior p(z) = N(0, I), trained on the negative ELBO
    (thesis eq. 4.1 / 4.12):

    .. math::

        \\min_{\\omega, \\omega'} \\frac{1}{n} \\sum_i
        \\mathbb{E}_{q(z|x_i)}[-\\log p_\\omega(x_i|z)]
        + D_{KL}(q_{\\omega'}(z|x_i) \\| p(z)),

    one reparameterized sample of z per input and step. The encoder is the
    network (emitting a mean and log-variance per code), the decoder its
    mirror.

    Parameters
    ----------
    likelihood : {"gaussian", "bernoulli"}, default="gaussian"
        p(x|z): N(x; dec(z), I) for real-valued (standardized) data, or
        Bernoulli for X in [0, 1] (images scaled to [0, 1]; the decoder
        emits logits).
    anomaly_score : {"elbo", "reconstruction", "iwae"}, default="elbo"
        ``score_samples`` is minus: the negative ELBO; the negative
        reconstruction probability -E_q log p(x|z); or the
        importance-weighted bound on -log p(x) (Burda et al., 2016).
    n_score_samples : int, default=10
        Monte Carlo samples of z per input when scoring. The same noise
        draws serve all inputs (fixed at fit), so scores are deterministic
        and independent of the batch.
    {shared}

    Attributes
    ----------
    net_ : skorch.NeuralNet
        ``net_.module_`` is the :class:`~skoneclass.deep.variational.VariationalNet`.
    history_ : skorch.History
    device_ : str
    offset_ : float
    n_features_in_ : int

    See Also
    --------
    RSCVAE : a VAE whose reconstructions are encoded again.
    OIAD : a disentangled VAE scored by the consistency of its morphs.

    Examples
    --------
    >>> import numpy as np
    >>> from skoneclass import VAE
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(300, 1) @ np.ones((1, 6)) + 0.1 * rng.randn(300, 6)
    >>> vae = VAE(max_epochs=30, rep_dim=2, random_state=0).fit(X)
    >>> on, off = np.ones((1, 6)), np.array([[1.0, -1, 1, -1, 1, -1]])
    >>> bool(vae.score_samples(on)[0] > vae.score_samples(off)[0])
    True
    """

    _parameter_constraints = {
        **NetworkPreset._parameter_constraints,
        "likelihood": [StrOptions({"gaussian", "bernoulli"})],
        "anomaly_score": [StrOptions(_SCORES)],
        "n_score_samples": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        likelihood="gaussian",
        anomaly_score="elbo",
        n_score_samples=10,
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
        self.likelihood = likelihood
        self.anomaly_score = anomaly_score
        self.n_score_samples = n_score_samples

    def get_parts(self):
        """Latent density on the network, negative ELBO, variational inference."""
        return self._parts(
            LatentDensity(self.likelihood, self.anomaly_score, self.n_score_samples),
            NegativeLogLikelihood(),
        )


@shared_parameters(**VAE_DESCRIPTIONS, negative_slope="Leaky ReLU slope (the paper's).")
class RSCVAE(_VariationalPreset):
    """Recoding semantic consistency VAE (Zhang & Du, 2023).

    A VAE whose reconstruction x^ = G(z) is encoded again by the same
    encoder F. With q = F(x) and q^ = F(x^), normal samples pay

    .. math::

        l_{normal} = \\|x - \\hat x\\|_1 + KL(q \\| p)
        + \\lambda [KL(\\hat q \\| p) + JS(q, \\hat q)],

    and anomalies (labeled, ``y == -1``, or pseudo) pay
    ``beta * (KL(q || p) + lambda [KL(q^ || p) + JS(q, q^)])``: no
    reconstruction, so their codes move to the prior and decode badly (the
    paper's "semantic deviation"). The anomaly score (eq. 15) is

    .. math::

        s(x) = \\alpha \\frac{JS(q, \\hat q)}{E[JS]}
        + (1 - \\alpha) \\frac{\\|x - \\hat x\\|_1}{E[\\|x - \\hat x\\|_1]},

    with z = mu (deterministic), and ``score_samples = -s``.

    Choices where the paper is silent or cannot be followed by an
    estimator: the JS divergence of two Gaussians (no closed form) is
    moment-matched; L1 and KL are summed over features and codes and
    averaged over the batch; x^ is not detached before recoding; the
    normalizers E[.] are the means over the training normals at the end of
    ``fit`` (the paper takes them over the test set, which is transductive);
    the last epoch is kept (the paper picks the best test epoch). The
    learning rate is constant by default (``lr_milestones`` for step decay);
    the paper's cosine annealing (Adam, lr 0.01, T_max 50, 500 epochs, batch
    32) is ``callbacks=[skorch.callbacks.LRScheduler(CosineAnnealingLR,
    T_max=50)]``. On a shorter run anneal once, ``T_max=max_epochs``: over
    10 epochs on Fashion-MNIST (classes 0 and 8) T_max 50 never lowers the
    rate and mode "one_class" reaches 0.730 AUROC, one decay 0.880 (paper
    0.879; ``benchmarks/fashion_mnist.py``).

    Parameters
    ----------
    mode : {"auto", "one_class", "shifted", "imbalanced"}, default="auto"
        The paper's training modes. "one_class" (o): normal data only.
        "shifted" (d): pseudo anomalies are made from the normal training
        data with probability ``shift_prob``. "imbalanced" (e): a few labeled
        anomalies (``y == -1``), required. "auto": "imbalanced" when ``y``
        has labeled anomalies, else "one_class".
    consistency_weight : float, default=0.1
        lambda.
    anomaly_weight : float, default=1.0
        beta.
    anomaly_fraction : float in (0, 1) or None, default=None
        Mode "imbalanced": share of labeled anomalies (``y == -1``) in every
        mini-batch, as :class:`DeepSAD`'s: they repeat, and an epoch is one
        pass over the other samples. None: plain shuffled batches, as the
        paper, where each labeled anomaly is seen once an epoch; the paper's
        500 epochs show it 500 times, a short run too few times to move the
        network. Fashion-MNIST's bags, 60 labeled anomalies, 10 epochs
        (``benchmarks/fashion_mnist.py``, 3 seeds): 0.25 gives 0.962 AUROC
        where None gives 0.810 (paper 0.989). On tabular training data that
        keep their anomalies, 10% of them labeled
        (``benchmarks/contaminated.py``, 5 seeds), 0.25 ties None (paired
        -0.5 +- 0.5 over ten data sets), hence not the default.
    score_weight : float in [0, 1], default=0.5
        alpha.
    divergence : {"js", "symmetric_kl"}, default="js"
    shift_prob : float in [0, 1], default=0.01
        Mode "shifted": probability that a sample becomes a pseudo anomaly.
    shift_transform : {"auto", "flip_rotate", "feature_mask", "feature_shuffle"}, \
default="auto"
        Mode "shifted": "auto" flips and rotates images (the paper's shift
        for digits) on an image network, and masks 25% of the features
        otherwise.
    {shared}

    Attributes
    ----------
    mode_ : str
        The training mode used.
    net_ : skorch.NeuralNet
    history_ : skorch.History
    offset_ : float
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from skoneclass import RSCVAE
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(300, 1) @ np.ones((1, 6)) + 0.1 * rng.randn(300, 6)
    >>> model = RSCVAE(max_epochs=30, rep_dim=2, random_state=0).fit(X)
    >>> on, off = np.ones((1, 6)), np.array([[1.0, -1, 1, -1, 1, -1]])
    >>> bool(model.score_samples(on)[0] > model.score_samples(off)[0])
    True
    """

    _uses_labels = True

    _parameter_constraints = {
        **NetworkPreset._parameter_constraints,
        "mode": [StrOptions({"auto", "one_class", "shifted", "imbalanced"})],
        "consistency_weight": [Interval(Real, 0, None, closed="left")],
        "anomaly_weight": [Interval(Real, 0, None, closed="left")],
        "anomaly_fraction": [Interval(Real, 0, 1, closed="neither"), None],
        "score_weight": [Interval(Real, 0, 1, closed="both")],
        "divergence": [StrOptions({"js", "symmetric_kl"})],
        "shift_prob": [Interval(Real, 0, 1, closed="both")],
        "shift_transform": [
            StrOptions({"auto", "flip_rotate", "feature_mask", "feature_shuffle"})
        ],
    }

    def __init__(
        self,
        mode="auto",
        consistency_weight=0.1,
        anomaly_weight=1.0,
        anomaly_fraction=None,
        score_weight=0.5,
        divergence="js",
        shift_prob=0.01,
        shift_transform="auto",
        network="mlp",
        hidden_dims="auto",
        rep_dim="auto",
        activation="leaky_relu",
        negative_slope=0.2,
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
        self.mode = mode
        self.consistency_weight = consistency_weight
        self.anomaly_weight = anomaly_weight
        self.anomaly_fraction = anomaly_fraction
        self.score_weight = score_weight
        self.divergence = divergence
        self.shift_prob = shift_prob
        self.shift_transform = shift_transform

    def _shift(self):
        transform = self.shift_transform
        if transform == "auto":
            image = (
                self.network in IMAGE_NETWORKS
                or hasattr(self.network, "image_shape")
                or getattr(self, "image_shape_", None) is not None
            )
            transform = "flip_rotate" if image else "feature_mask"
        return DistributionShift(self.shift_prob, transform)

    def get_parts(self):
        """Latent density with the recoding regularizer and RSC-VAE's loss."""
        regularizers = [Recoding(self.consistency_weight, self.divergence)]
        if self.mode == "shifted":
            regularizers.append(self._shift())
        return self._parts(
            LatentDensity("laplace", "recoding", score_weight=self.score_weight),
            SemanticDeviationLoss(self.anomaly_weight, self.anomaly_fraction),
            *regularizers,
        )

    def _fit(self, X, y):
        anomalies = y is not None and bool((y == -1).any())
        mode = self.mode
        if mode == "auto":
            mode = "imbalanced" if anomalies else "one_class"
        if mode in ("one_class", "shifted") and anomalies:
            raise ValueError(
                f"mode={mode!r} trains on normal data only, but y labels "
                "anomalies (y == -1); use mode='imbalanced' or 'auto'."
            )
        if mode == "imbalanced" and not anomalies:
            raise ValueError(
                "mode='imbalanced' needs labeled anomalies (y == -1) in y."
            )
        self.mode_ = mode
        return super()._fit(X, y)
