"""OIAD: a disentangled VAE scored by the structure consistency of its morphs."""

from numbers import Integral, Real

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from .._docstrings import shared_parameters
from ..parts.losses import NegativeLogLikelihood
from ..parts.models import LatentDensity
from ..parts.regularizers import PriorPrecision, TotalCorrelation
from .presets import IMAGE_NETWORKS, NetworkPreset
from .vae import VAE_DESCRIPTIONS, _VariationalPreset
from .variational import gaussian_kl


def ssim(X, Y, shape, data_range, window=7, sigma=1.5):
    """Mean structural similarity (Wang et al., 2004) of image pairs.

    ``X`` and ``Y`` hold flattened images of ``shape`` (C, H, W); a Gaussian
    window of side ``min(window, H, W)`` (made odd) without padding.
    """
    C = shape[0]
    side = min(window, *shape[1:])
    side -= 1 - side % 2
    t = torch.arange(side, dtype=X.dtype, device=X.device) - (side - 1) / 2
    g = torch.exp(-(t**2) / (2 * sigma**2))
    g = g / g.sum()
    kernel = (g[:, None] * g[None, :]).expand(C, 1, side, side)
    X, Y = X.view(-1, *shape), Y.view(-1, *shape)

    def blur(A):
        return F.conv2d(A, kernel, groups=C)

    mu_x, mu_y = blur(X), blur(Y)
    var_x = blur(X * X) - mu_x**2
    var_y = blur(Y * Y) - mu_y**2
    cov = blur(X * Y) - mu_x * mu_y
    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    index = ((2 * mu_x * mu_y + c1) * (2 * cov + c2)) / (
        (mu_x**2 + mu_y**2 + c1) * (var_x + var_y + c2)
    )
    return index.flatten(start_dim=1).mean(dim=1)


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
        "consistency": [StrOptions({"mse", "ssim", "loss"})],
        "alpha": [Interval(Real, 0, 0.5, closed="neither")],
        "n_morphs": [Interval(Integral, 2, None, closed="left")],
        "codes": [StrOptions({"all", "active"})],
        "morph_range": [tuple, list],
        "validation_fraction": [Interval(Real, 0, 0.5, closed="both")],
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
        optimizer="adam",
        lr=1e-3,
        lr_milestones=None,
        max_epochs=100,
        batch_size=128,
        weight_decay=1e-6,
        device="auto",
        random_state=None,
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
            optimizer=optimizer,
            lr=lr,
            lr_milestones=lr_milestones,
            max_epochs=max_epochs,
            batch_size=batch_size,
            weight_decay=weight_decay,
            device=device,
            random_state=random_state,
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
        """Latent density with a learned prior and a total-correlation penalty."""
        return self._parts(
            LatentDensity(self.likelihood, "elbo"),
            NegativeLogLikelihood(),
            TotalCorrelation(self.tc_weight, tuple(self.discriminator_dims)),
            PriorPrecision(self.prior_weight),
        )

    def _image_shape(self):
        if self.network in IMAGE_NETWORKS:
            return IMAGE_NETWORKS[self.network]
        shape = getattr(self, "image_shape_", None)
        if shape is None:
            shape = getattr(self.network, "image_shape", None)
        return None if shape is None or isinstance(shape, str) else tuple(shape)

    def _fit(self, X, y):
        low, high = self.morph_range
        if not 0 <= low < high <= 1:
            raise ValueError(
                f"morph_range must be two quantiles 0 <= low < high <= 1, got "
                f"{self.morph_range!r}."
            )
        if self.consistency == "ssim" and self._image_shape() is None:
            raise ValueError(
                "consistency='ssim' compares images; use an image network "
                "(e.g. network=ConvNet(image_shape=...)) or consistency='mse'."
            )
        # A generator of its own: the network's seed is drawn by the base.
        rng = check_random_state(self.random_state)
        order = rng.permutation(len(X))
        n_val = int(round(self.validation_fraction * len(X)))
        if n_val >= 2 and len(X) - n_val >= 2:
            train, val = np.sort(order[n_val:]), np.sort(order[:n_val])
        else:
            train = val = order
        X_val = X[val]
        self.data_range_ = float(np.max(X) - np.min(X)) or 1.0
        super()._fit(X[train], None)
        module = self._float64_module()
        with torch.no_grad():
            codes = self._batched(lambda t: torch.cat(module.encode(t), dim=1), X_val)
            mu, logvar = torch.as_tensor(codes).chunk(2, dim=1)
            log_beta = module.log_precision.cpu()
            kl = gaussian_kl(mu, logvar, log_beta, per_dimension=True).mean(dim=0)
        codes = np.arange(mu.shape[1])
        if self.codes == "active" and (kl > 0.01).any():
            codes = codes[(kl > 0.01).numpy()]
        self.codes_ = codes
        self.code_ranges_ = np.quantile(mu.numpy()[:, codes], [low, high], axis=0)
        self.reference_ = np.sort(self._consistency(X_val), axis=0)
        q25, q75 = np.quantile(self.reference_, [0.25, 0.75], axis=0)
        spread = self.reference_[-1] - self.reference_[0]
        self.scale_ = np.where(q75 > q25, q75 - q25, np.where(spread > 0, spread, 1.0))
        levels = (np.arange(len(self.reference_)) + 0.5) / len(self.reference_)
        # Where each code's G_i reaches 1 - alpha: the paper's thresholds.
        self.thresholds_ = np.array(
            [np.interp(1 - self.alpha, levels, r) for r in self.reference_.T]
        )
        return -(1.0 - self.alpha)

    def _morph_codes(self, mu):
        """Codes of the morphs, (n, n_codes, n_morphs, latent_dim)."""
        grid = torch.linspace(0, 1, self.n_morphs, dtype=mu.dtype, device=mu.device)
        low, high = (torch.as_tensor(r).to(mu) for r in self.code_ranges_)
        values = low[:, None] + (high - low)[:, None] * grid  # (k, M)
        Z = mu[:, None, None, :].repeat(1, len(self.codes_), self.n_morphs, 1)
        for j, code in enumerate(self.codes_):
            Z[:, j, :, code] = values[j]
        return Z

    def _consistency_batch(self, module, X):
        Z = self._morph_codes(module.encode(X)[0])
        n, k, M, d = Z.shape
        out = module.decoder(Z.reshape(-1, d))
        X_rep = X[:, None, None, :].expand(n, k, M, X.shape[1]).reshape(n * k * M, -1)
        if self.consistency == "loss":
            return module.likelihood(X_rep, out).view(n, k, M).mean(dim=2)
        morphs = module.likelihood.mean(out)
        if self.consistency == "ssim":
            similarity = ssim(X_rep, morphs, self._image_shape(), self.data_range_)
            distance = 1.0 - similarity
        else:
            distance = ((X_rep - morphs) ** 2).mean(dim=1)
        return distance.view(n, k, M).mean(dim=2)

    def _consistency(self, X):
        module = self._float64_module()
        # k codes x M morphs decodes per input: about 4096 decodes a batch.
        step = max(1, 4096 // (len(self.codes_) * self.n_morphs))
        return self._batched(lambda t: self._consistency_batch(module, t), X, step)

    def _score_samples(self, X):
        sc = self._consistency(X)
        levels = (np.arange(len(self.reference_)) + 0.5) / len(self.reference_)
        g = np.empty_like(sc)
        for j in range(sc.shape[1]):
            ref, v = self.reference_[:, j], sc[:, j]
            inside = np.interp(v, ref, levels)
            above = levels[-1] + (v - ref[-1]) / self.scale_[j]
            below = levels[0] + (v - ref[0]) / self.scale_[j]
            g[:, j] = np.where(v > ref[-1], above, np.where(v < ref[0], below, inside))
        return -g.max(axis=1)

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
        return self._consistency(X)

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
        module = self._float64_module()
        with torch.no_grad():
            batch = torch.tensor(np.ascontiguousarray(X, dtype=np.float64)).to(
                self.net_.device
            )
            Z = self._morph_codes(module.encode(batch)[0])
            out = module.decode(Z.reshape(-1, Z.shape[-1]))
        return out.view(*Z.shape[:3], -1).cpu().numpy()
