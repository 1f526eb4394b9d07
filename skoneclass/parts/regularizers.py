"""Regularizers R(f, phi, theta): the fourth dimension of the unifying view (D4).

Regularizers act on the SGD-trained parameters: through the optimizer
(:class:`WeightDecay`), the network's construction (:class:`BiasFree`), its
initialization (:class:`AutoencoderPretraining`) or a penalty added to the
loss, on the weights (:class:`Orthogonality`) or on the codes of the batch
(:class:`Decentralization`). The regularizers of latent density models
(VAEs) act on their codes and prior (:class:`Recoding`,
:class:`TotalCorrelation`, :class:`PriorPrecision`) or on the data they see
(:class:`DistributionShift`). The regularization that is part of a model
(R^2 of SVDD, the number of mixture components, a bandwidth) is a parameter
of that model instead.
"""

from numbers import Integral, Real

from sklearn.utils._param_validation import Interval, StrOptions

from .base import Part, PositiveInts

_NON_NEGATIVE = [Interval(Real, 0, None, closed="left")]


class Regularizer(Part):
    """Base of the regularizers."""


class WeightDecay(Regularizer):
    """(lambda / 2) sum_l ||W_l||_F^2 on the network weights (L2 in the optimizer).

    Parameters
    ----------
    lam : float >= 0, default=1e-6
    """

    _parameter_constraints = {"lam": _NON_NEGATIVE}

    def __init__(self, lam=1e-6):
        self.lam = lam

    formula = "lambda/2 ||omega||^2"


class BiasFree(Regularizer):
    """No bias terms in the network (thesis Proposition 2).

    A bias lets a network map every input to the center: the trivial,
    collapsed Deep SVDD solution. Batch norm then has no affine shift either.
    """

    formula = "no bias"


class GradientClipping(Regularizer):
    """Gradient norm clipping: ||grad||_2 <= max_norm at every SGD step.

    An optimization-based regularizer (thesis 4.3: the dimension holds what
    constrains the solution through its optimization, as early stopping
    does); DRA trains with it.

    Parameters
    ----------
    max_norm : float > 0, default=1.0
    """

    _parameter_constraints = {"max_norm": [Interval(Real, 0, None, closed="neither")]}

    def __init__(self, max_norm=1.0):
        self.max_norm = max_norm

    formula = "||grad|| <= max_norm"


class AutoencoderPretraining(Regularizer):
    """Initialize the feature map as the encoder of a trained autoencoder.

    The reconstruction term of the thesis's Deep SVDD and Deep SAD, applied
    as pretraining (MSE, same optimizer settings): the representation keeps
    the information needed to reconstruct the input.

    Parameters
    ----------
    epochs : int or None, default=None
        Autoencoder epochs; None uses the estimator's ``max_epochs``.
    """

    _parameter_constraints = {
        "epochs": [Interval(Integral, 1, None, closed="left"), None]
    }

    def __init__(self, epochs=None):
        self.epochs = epochs

    formula = "autoencoder pretraining"


class Orthogonality(Regularizer):
    """weight * ||W W^T - I||_F^2 on the representation layer W of the network.

    Pushes the representation's directions to be orthonormal (PCA's
    constraint on W, CVDD's on its attention heads).

    Parameters
    ----------
    weight : float >= 0, default=1.0
    """

    _parameter_constraints = {"weight": _NON_NEGATIVE}

    def __init__(self, weight=1.0):
        self.weight = weight

    formula = "||W W^T - I||_F^2"


class Decentralization(Regularizer):
    """lambda (d - (1/m) sum_i ||z_i - C||^2): the latent decentralization loss.

    Hong & Choe (IEEE Access): with a tanh-bounded code z in (-1, 1)^d the
    variance of the codes is bounded (Popoviciu, Bhatia-Davis), so the term
    is bounded whatever the data and one lambda fits all data sets.
    Minimizing it spreads the codes of the normal data over the latent cube,
    so that the decoder reconstructs a normal-looking sample from any code
    and anomalies reconstruct badly. Needs a bounded code:
    ``MLP(code_activation="tanh")`` or ``ConvNet(code_activation="tanh")``.

    Parameters
    ----------
    lam : float >= 0, default=0.01
        The paper's default weight.
    center : {"zero", "moving"}, default="zero"
        "zero": C = 0, the simplified form (their eq. 13) behind all their
        reported results. "moving": C is the mean code, updated per mini-batch
        as in center loss, C <- C + sum_i (z_i - C) / (m + 1) (their eqs.
        9-11; the sign of their eq. 11 is read as center loss's).
    """

    _parameter_constraints = {
        "lam": _NON_NEGATIVE,
        "center": [StrOptions({"zero", "moving"})],
    }

    def __init__(self, lam=0.01, center="zero"):
        self.lam = lam
        self.center = center

    @property
    def formula(self):
        c = " - C" if self.center == "moving" else ""
        return f"lambda (d - mean ||z{c}||^2)"


class Recoding(Regularizer):
    """lam (KL(q(z^|x^) || p(z)) + D(q(z|x), q(z^|x^))): RSC-VAE's consistency.

    The reconstruction x^ is encoded again by the same encoder ("recoding",
    Zhang & Du, 2023); the term keeps that second encoding near the prior and
    near the first one (their l_consist, eq. 9). It is added per sample, so
    that :class:`~skoneclass.parts.SemanticDeviationLoss` weights it for the
    anomalies. For latent density models
    (:class:`~skoneclass.parts.LatentDensity`) only. The gradient flows
    through x^ into the decoder (the paper does not detach it).

    Parameters
    ----------
    lam : float >= 0, default=0.1
        lambda, the paper's value.
    divergence : {"js", "symmetric_kl"}, default="js"
        D: the Jensen-Shannon divergence of the two Gaussians with the
        mixture moment-matched (no closed form exists), or the symmetric KL.
    """

    _parameter_constraints = {
        "lam": _NON_NEGATIVE,
        "divergence": [StrOptions({"js", "symmetric_kl"})],
    }

    def __init__(self, lam=0.1, divergence="js"):
        self.lam = lam
        self.divergence = divergence

    formula = "lambda (KL(q(z^|x^)||p) + JS(q(z|x), q(z^|x^)))"


class TotalCorrelation(Regularizer):
    """gamma KL(q(z) || prod_j q(z_j)): FactorVAE's total-correlation penalty.

    Estimated by the density-ratio trick, gamma log(D(z) / (1 - D(z))), with
    a discriminator D trained alongside to tell codes from codes whose
    dimensions are permuted across the batch (Kim & Mnih, 2018; OIAD's
    Detector-VAE). The penalty trains the encoder only, the discriminator's
    cross-entropy the discriminator only. For latent density models.

    Parameters
    ----------
    gamma : float >= 0, default=40.0
        OIAD's weight.
    hidden_dims : tuple of int, default=(1000,) * 6
        The discriminator's hidden layers (FactorVAE's and OIAD's).
    """

    _parameter_constraints = {"gamma": _NON_NEGATIVE, "hidden_dims": [PositiveInts()]}

    def __init__(self, gamma=40.0, hidden_dims=(1000,) * 6):
        self.gamma = gamma
        self.hidden_dims = hidden_dims

    formula = "gamma TC(z)"


class PriorPrecision(Regularizer):
    """Learned prior precisions beta_j with eta sum_j (1 / beta_j - 1)^2.

    The prior becomes p(z) = prod_j N(z_j; 0, 1 / beta_j), a hierarchical
    ("long-tail") prior whose precisions are trained with the VAE, kept near
    the standard normal by the penalty (OIAD's Detector-VAE). For latent
    density models.

    Parameters
    ----------
    eta : float >= 0, default=0.1
    """

    _parameter_constraints = {"eta": _NON_NEGATIVE}

    def __init__(self, eta=0.1):
        self.eta = eta

    formula = "learned prior; eta sum_j (1/beta_j - 1)^2"


class DistributionShift(Regularizer):
    """Pseudo anomalies made from normal data while training.

    Each training sample is replaced with probability ``prob`` by a shifted
    version of itself and treated as an anomaly (y = -1) by the loss:
    RSC-VAE's distributionally-shifted training (with
    :class:`~skoneclass.parts.SemanticDeviationLoss`), FCDD's synthetic
    anomalies and DRA's pseudo anomalies. Any loss that uses labels takes
    them (Deep SAD, HSC, the deviation loss).

    Parameters
    ----------
    prob : float in [0, 1], default=0.01
        The paper's probability for digits.
    transform : str or nn.Module, default="feature_mask"
        Images: "flip_rotate", 1 to 3 of horizontal flip, vertical flip, 90
        degree rotation (RSC-VAE's shift); "confetti", blobs of random color
        (FCDD's synthetic defects); "cutpaste", a jittered patch of the image
        pasted elsewhere in it (DRA's pseudo anomalies). Rows:
        "feature_mask", a random 25% of the features set to 0 (the mean of
        standardized data), the tabular twin of Cutout; "feature_shuffle",
        the features of the sample permuted; "feature_cutmix", up to 30% of
        the features copied from another sample, jittered (DRA's tabular
        pseudo anomalies). A torch module maps a batch of flattened samples
        to shifted ones.
    """

    #: The named shifts, of images and of rows.
    IMAGE_TRANSFORMS = ("flip_rotate", "confetti", "cutpaste")
    ROW_TRANSFORMS = ("feature_mask", "feature_shuffle", "feature_cutmix")

    _parameter_constraints = {
        "prob": [Interval(Real, 0, 1, closed="both")],
        "transform": [StrOptions({*IMAGE_TRANSFORMS, *ROW_TRANSFORMS}), callable],
    }

    def __init__(self, prob=0.01, transform="feature_mask"):
        self.prob = prob
        self.transform = transform

    formula = "shifted pseudo anomalies"
