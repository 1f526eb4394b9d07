"""Models f_theta(x): the second dimension of the unifying view (D2).

A model maps an input (through the feature map) to the scalar s that the
loss evaluates and the anomaly score derives from. Parameters here are the
model's own; solver settings of the exact solvers (libsvm's tolerance, EM
restarts) sit with the model they solve.

``formula`` is the model's column of Table 4.1; models with a boundary
(hypersphere radius, hyperplane offset, ellipsoid) have a
``boundary_formula`` / ``boundary_penalty`` used with a hinge loss.
"""

from numbers import Integral, Real

from sklearn.utils._param_validation import Interval, StrOptions

from .base import Part

_POSITIVE = [Interval(Real, 0, None, closed="neither")]
_NON_NEGATIVE = [Interval(Real, 0, None, closed="left")]
_COUNT = [Interval(Integral, 1, None, closed="left")]
#: Components kept, or the fraction of the variance they explain.
N_COMPONENTS = [
    Interval(Integral, 0, None, closed="left"),
    Interval(Real, 0, 1, closed="neither"),
]


class Model(Part):
    """Base of the models."""

    boundary_formula = None
    boundary_penalty = None
    #: Regularization that is part of the model itself (Table 4.1).
    penalty = None


class Hypersphere(Model):
    """f(x) = ||phi(x) - c||^2: the hypersphere of (Deep) SVDD, SSAD, Deep SAD, HSC.

    Parameters
    ----------
    center : {"auto", "mean", "origin", "learned"}, default="auto"
        "mean": c fixed at the mean initial embedding (labeled anomalies
        excluded), the Deep SVDD choice that prevents collapse of a trained
        feature map (thesis Prop. 1). "origin": c = 0 (the Hypersphere
        Classifier). "learned": c is optimized, as in kernel SVDD (by its dual,
        or by SGD on a fixed feature map). "auto": "mean" on a trainable
        feature map, "learned" on a fixed one.
    center_eps : float, default=0.1
        "mean": coordinates closer to 0 than this are pushed to +-center_eps.
    norm : {"squared", "pseudo_huber"}, default="squared"
        ``||z||^2`` or the robust ``sqrt(||z||^2 + 1) - 1`` (HSC).
    """

    _parameter_constraints = {
        "center": [StrOptions({"auto", "mean", "origin", "learned"})],
        "center_eps": _NON_NEGATIVE,
        "norm": [StrOptions({"squared", "pseudo_huber"})],
    }

    def __init__(self, center="auto", center_eps=0.1, norm="squared"):
        self.center = center
        self.center_eps = center_eps
        self.norm = norm

    @property
    def formula(self):
        z = "phi(x)" if self.center == "origin" else "phi(x) - c"
        if self.norm == "pseudo_huber":
            return f"sqrt(||{z}||^2 + 1) - 1"
        return f"||{z}||^2"

    boundary_formula = "||phi(x) - c||^2 - R^2"
    boundary_penalty = "R^2"

    def center_for(self, feature_map):
        """``center`` with "auto" resolved for ``feature_map``."""
        if self.center == "auto":
            return "mean" if feature_map.kind == "trainable" else "learned"
        return self.center


class Hyperplane(Model):
    """f(x) = rho - <w, phi(x)>: the OC-SVM's separating hyperplane.

    Parameters
    ----------
    tol, shrinking, cache_size, max_iter
        Settings of libsvm, the exact solver (see :class:`sklearn.svm.OneClassSVM`).
    """

    _parameter_constraints = {
        "tol": _POSITIVE,
        "shrinking": ["boolean"],
        "cache_size": _POSITIVE,
        "max_iter": [Interval(Integral, -1, None, closed="left")],
    }

    def __init__(self, tol=1e-3, shrinking=True, cache_size=200, max_iter=-1):
        self.tol = tol
        self.shrinking = shrinking
        self.cache_size = cache_size
        self.max_iter = max_iter

    formula = "rho - <w, phi(x)>"
    boundary_formula = formula
    boundary_penalty = "||w||^2 / 2 - rho"


class GaussianDensity(Model):
    """f(x) = N(x; mu, Sigma), the Gaussian / Mahalanobis model.

    Parameters
    ----------
    covariance : {"empirical", "ledoit_wolf", "mcd"}, default="empirical"
    support_fraction : float or None, default=None
        MCD only.
    reg_covar : float, default=1e-6
    """

    _parameter_constraints = {
        "covariance": [StrOptions({"empirical", "ledoit_wolf", "mcd"})],
        "support_fraction": [Interval(Real, 0, 1, closed="right"), None],
        "reg_covar": _NON_NEGATIVE,
    }

    def __init__(self, covariance="empirical", support_fraction=None, reg_covar=1e-6):
        self.covariance = covariance
        self.support_fraction = support_fraction
        self.reg_covar = reg_covar

    formula = "N(x; mu, Sigma)"


class GaussianMixture(Model):
    """f(x) = sum_k pi_k N(x; mu_k, Sigma_k), fitted by EM.

    Parameters
    ----------
    n_components : int, default=2
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"
    reg_covar : float, default=1e-6
    max_iter : int, default=100
    n_init : int, default=1
    """

    _parameter_constraints = {
        "n_components": _COUNT,
        "covariance_type": [StrOptions({"full", "tied", "diag", "spherical"})],
        "reg_covar": _NON_NEGATIVE,
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "n_init": _COUNT,
    }

    def __init__(
        self,
        n_components=2,
        covariance_type="full",
        reg_covar=1e-6,
        max_iter=100,
        n_init=1,
    ):
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.reg_covar = reg_covar
        self.max_iter = max_iter
        self.n_init = n_init

    formula = "sum_k pi_k N(x; mu_k, Sigma_k)"

    @property
    def penalty(self):
        return f"number of components K = {self.n_components}"


class ParzenDensity(Model):
    """f(x) = (1/n) sum_i k_h(x, x_i), the Gaussian kernel density estimate.

    Parameters
    ----------
    bandwidth : float or {"cv", "scott", "silverman"}, default="cv"
    bandwidth_grid : array-like or None, default=None
    cv : int, default=5
    """

    _parameter_constraints = {
        "bandwidth": [*_POSITIVE, StrOptions({"cv", "scott", "silverman"})],
        "bandwidth_grid": ["array-like", None],
        "cv": [Interval(Integral, 2, None, closed="left")],
    }

    def __init__(self, bandwidth="cv", bandwidth_grid=None, cv=5):
        self.bandwidth = bandwidth
        self.bandwidth_grid = bandwidth_grid
        self.cv = cv

    formula = "(1/n) sum_i k_h(x, x_i)"

    @property
    def penalty(self):
        return f"bandwidth h ({self.bandwidth})"


class Subspace(Model):
    """f(x) = ||phi(x) - W^T W phi(x)||^2: (kernel) PCA reconstruction error.

    Parameters
    ----------
    n_components : int or float in (0, 1), default=0.9
        Components kept, or the fraction of variance they explain.
    """

    _parameter_constraints = {"n_components": N_COMPONENTS}

    def __init__(self, n_components=0.9):
        self.n_components = n_components

    formula = "||phi(x) - W^T W phi(x)||^2"
    penalty = "orthogonality of W"


class Reconstruction(Model):
    """f(x) = ||x - dec(enc(x))||^2 / D (or its norm): a reconstruction error.

    The encoder is the feature map; the decoder its mirror.

    Parameters
    ----------
    space : {"input", "features"}, default="input"
        Where the error is measured: the input, or additionally every hidden
        layer of the encoder applied to the reconstruction (the
        reconstruction error in a neural feature space, thesis 4.3.2).
    error : {"mse", "l2"}, default="mse"
        "mse": the mean squared error over the D inputs. "l2": the Euclidean
        norm ||x - dec(enc(x))|| (Hong & Choe's eq. 1). On the input alone
        the two rank samples alike (not summed over feature spaces), but
        they train differently beside a regularizer: the norm's
        gradient in the residual has unit length whatever D and the error's
        size, the mean squared error's is 2 RMSE / sqrt(D) times that
        (1/160 for 32x32 images reconstructed to 0.1 per pixel), so a
        weight set beside the norm weighs that much more beside the mean
        squared error.
    """

    _parameter_constraints = {
        "space": [StrOptions({"input", "features"})],
        "error": [StrOptions({"mse", "l2"})],
    }

    def __init__(self, space="input", error="mse"):
        self.space = space
        self.error = error

    @property
    def formula(self):
        power = "" if self.error == "l2" else "^2"
        if self.space == "features":
            return f"sum_l ||h_l(x) - h_l(dec(enc(x)))||{power}"
        return f"||x - dec(enc(x))||{power}"

    penalty = "bottleneck"


class Prototypes(Model):
    """f(x) = min_k ||x - c_k||^2: distance to the nearest k-means prototype.

    Parameters
    ----------
    n_clusters : int, default=8
    n_init : "auto" or int, default="auto"
    max_iter : int, default=300
    tol : float, default=1e-4
    """

    _parameter_constraints = {
        "n_clusters": _COUNT,
        "n_init": [StrOptions({"auto"}), *_COUNT],
        "max_iter": _COUNT,
        "tol": _NON_NEGATIVE,
    }

    def __init__(self, n_clusters=8, n_init="auto", max_iter=300, tol=1e-4):
        self.n_clusters = n_clusters
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol

    formula = "min_k ||x - c_k||^2"

    @property
    def penalty(self):
        return f"number of prototypes k = {self.n_clusters}"


class Ellipsoid(Model):
    """f(x) = (x - c)^T Sigma^-1 (x - c): the minimum volume ellipsoid.

    Parameters
    ----------
    tol : float, default=1e-4
    max_iter : int, default=100
    """

    _parameter_constraints = {"tol": _POSITIVE, "max_iter": _COUNT}

    def __init__(self, tol=1e-4, max_iter=100):
        self.tol = tol
        self.max_iter = max_iter

    formula = "(x - c)^T Sigma^-1 (x - c)"
    boundary_formula = "(x - c)^T Sigma^-1 (x - c) - R^2"
    boundary_penalty = "log det Sigma"


class LatentDensity(Model):
    """f(x) = p_theta(x) = int p_theta(x|z) p(z) dz: a deep latent-variable density.

    The generative model of the variational autoencoder (thesis 4.1.2, eq.
    4.1): a Gaussian code z with prior p(z), decoded by the feature map's
    mirrored decoder into the parameters of p(x|z). The likelihood is
    intractable; with ``inference="bayesian"`` the encoder (the feature map,
    emitting a mean and a log-variance per code) parametrizes the amortized
    posterior q(z|x), and the negative ELBO bounds -log p(x).

    Parameters
    ----------
    likelihood : {"gaussian", "bernoulli", "laplace"}, default="gaussian"
        p(x|z): N(x; dec(z), I) (the thesis's Gaussian VAE), Bernoulli on
        x in [0, 1] (the decoder emits logits), or a unit-scale Laplace (an
        L1 reconstruction, RSC-VAE's).
    anomaly_score : {"elbo", "reconstruction", "iwae", "recoding"}, default="elbo"
        The anomaly score: the negative ELBO; the negative reconstruction
        probability -E_q(z|x) log p(x|z) (thesis 4.1.2: often better than the
        likelihood); the negative importance-weighted log-likelihood
        (Burda et al., 2016), a tighter bound on -log p(x); or RSC-VAE's
        normalized sum of encoding inconsistency and L1 error (needs the
        :class:`~skoneclass.parts.Recoding` regularizer).
    n_score_samples : int, default=10
        Monte Carlo samples of z per input for the "elbo", "reconstruction"
        and "iwae" scores. The same noise draws serve every input (common
        random numbers), so a score depends on its input alone, not on the
        batch, and is reproducible.
    score_weight : float in [0, 1], default=0.5
        alpha of the "recoding" score.
    """

    _parameter_constraints = {
        "likelihood": [StrOptions({"gaussian", "bernoulli", "laplace"})],
        "anomaly_score": [StrOptions({"elbo", "reconstruction", "iwae", "recoding"})],
        "n_score_samples": _COUNT,
        "score_weight": [Interval(Real, 0, 1, closed="both")],
    }

    def __init__(
        self,
        likelihood="gaussian",
        anomaly_score="elbo",
        n_score_samples=10,
        score_weight=0.5,
    ):
        self.likelihood = likelihood
        self.anomaly_score = anomaly_score
        self.n_score_samples = n_score_samples
        self.score_weight = score_weight

    formula = "int p(x|z) p(z) dz"
    penalty = "latent dimension"


class StructureConsistency(LatentDensity):
    """f(x) = max_i G_i(SC_i(x)): a latent density scored by its morphs.

    OIAD's model (Wang et al., 2020): the latent density of a VAE, scored
    not by its likelihood but by how far x lies from its morphs. For each
    selected code i, ``n_morphs`` morphs decode the posterior mean of x with
    z_i set to values spread evenly over the ``morph_range`` quantiles of
    code i on held-out data; SC_i(x) is the mean distance of x to them, and
    G_i the empirical distribution function of SC_i on the held-out data
    (extended linearly in IQR units beyond it). The boundary is one-sided:
    x is anomalous iff some SC_i(x) exceeds its (1 - alpha) held-out quantile.

    Parameters
    ----------
    likelihood : {"gaussian", "bernoulli", "laplace"}, default="gaussian"
    consistency : {"mse", "ssim", "loss"}, default="mse"
        Distance of x to a morph: mean squared error, 1 - SSIM (images
        only), or the reconstruction term -log p(x | morph).
    alpha : float in (0, 0.5), default=0.1
        Fraction of normal held-out samples beyond each code's threshold.
    n_morphs : int, default=20
    codes : {"all", "active"}, default="all"
        "active": only codes whose mean KL to the prior on the held-out data
        exceeds 0.01 nats.
    morph_range : (float, float), default=(0.01, 0.99)
        Quantiles of the held-out codes between which morphs are made.
    validation_fraction : float in [0, 0.5], default=0.1
        Training data held out (not trained on) for the ranges and
        thresholds; 0 uses the training data.
    """

    _parameter_constraints = {
        "likelihood": LatentDensity._parameter_constraints["likelihood"],
        "consistency": [StrOptions({"mse", "ssim", "loss"})],
        "alpha": [Interval(Real, 0, 0.5, closed="neither")],
        "n_morphs": [Interval(Integral, 2, None, closed="left")],
        "codes": [StrOptions({"all", "active"})],
        "morph_range": [tuple, list],
        "validation_fraction": [Interval(Real, 0, 0.5, closed="both")],
    }

    def __init__(
        self,
        likelihood="gaussian",
        consistency="mse",
        alpha=0.1,
        n_morphs=20,
        codes="all",
        morph_range=(0.01, 0.99),
        validation_fraction=0.1,
    ):
        self.likelihood = likelihood
        self.consistency = consistency
        self.alpha = alpha
        self.n_morphs = n_morphs
        self.codes = codes
        self.morph_range = morph_range
        self.validation_fraction = validation_fraction

    #: Not a parameter: structure consistency is this model's score.
    anomaly_score = "structure_consistency"

    def density(self):
        """The latent density that is trained (scored by its ELBO)."""
        return LatentDensity(self.likelihood, "elbo")

    formula = "max_i G_i(mean_m d(x, dec(z_i <- v_m)))"


class Heatmap(Model):
    """f(x) = mean_uv sqrt(phi(x)_uv^2 + 1) - 1: FCDD's heatmap model.

    A pseudo-Huber hypersphere at the origin for every pixel of the map of a
    fully convolutional feature map (:class:`~skoneclass.parts.FCN`); the
    center is the bias of its last layer, and negatives (labeled or
    synthetic anomalies) prevent the collapse (thesis 3.1.1). The per-pixel
    terms, upsampled, are the anomaly heatmap.
    """

    formula = "mean_uv sqrt(phi(x)_uv^2 + 1) - 1"


class LinearScore(Model):
    """f(x) = <w, phi(x)> + b: a linear anomaly-score head (DevNet).

    Trained by SGD with a loss that has anomalies to push up, the
    :class:`~skoneclass.parts.DeviationLoss`; s is the anomaly score itself,
    unbounded (unlike a distance).
    """

    formula = "<w, phi(x)> + b"


class DisentangledHeads(Model):
    """f(x) = g_s + g_p + g_r - g_n: DRA's heads on shared features.

    Top-k multiple-instance scorers of seen and pseudo anomalies, a scorer
    of the residual to normal reference samples, and a normality scorer
    that is subtracted (Ding et al., 2022). Trained by SGD with
    :class:`~skoneclass.parts.DeviationLoss`, each head on its own samples
    (:class:`~skoneclass.DRA`'s preset); the reference samples are drawn from
    the training normals at fit.

    Parameters
    ----------
    topk_ratio : float, default=0.1
    n_reference : int, default=5
    """

    _parameter_constraints = {
        "topk_ratio": [Interval(Real, 0, 1, closed="right")],
        "n_reference": _COUNT,
    }

    def __init__(self, topk_ratio=0.1, n_reference=5):
        self.topk_ratio = topk_ratio
        self.n_reference = n_reference

    formula = "g_s + g_p + g_r - g_n, top-k MIL heads"


class Contexts(Model):
    """f(x) = sum_k sigma_k (1 - cos(m_k(x), c_k)) / 2: CVDD's context vectors.

    The cosine distance of each head's sentence embedding m_k to its context
    vector c_k, weighted by ``sigma = softmax(-alpha d)`` in training; the
    score is the plain mean over the contexts (thesis eqs. 3.7, 3.13).

    Needs the :class:`~skoneclass.parts.SelfAttention` feature map (one
    head per context). The contexts start at the k-means++ centroids of the
    documents' mean word vectors (fewer when fewer distinct documents).

    Parameters
    ----------
    n_contexts : int, default=3
        r, the number of attention heads and context vectors.
    alpha_max : float >= 0, default=1.0
        Final inverse temperature of sigma: 0 for the first tenth of the
        epochs, then log-spaced from 1e-4 up to ``alpha_max`` (explore all
        contexts first, then fit the closest).
    """

    _parameter_constraints = {"n_contexts": _COUNT, "alpha_max": _NON_NEGATIVE}

    def __init__(self, n_contexts=3, alpha_max=1.0):
        self.n_contexts = n_contexts
        self.alpha_max = alpha_max

    formula = "sum_k sigma_k (1 - cos(m_k, c_k)) / 2"
