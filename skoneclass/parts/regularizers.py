"""Regularizers R(f, phi, theta): the fourth dimension of the unifying view (D4).

Regularizers act on the SGD-trained parameters: through the optimizer
(:class:`WeightDecay`), the network's construction (:class:`BiasFree`), its
initialization (:class:`AutoencoderPretraining`) or a penalty added to the
loss, on the weights (:class:`Orthogonality`) or on the codes of the batch
(:class:`Decentralization`). The regularization that is part of a model
(R^2 of SVDD, the number of mixture components, a bandwidth) is a parameter
of that model instead.
"""

from .base import Part


class Regularizer(Part):
    """Base of the regularizers."""

    def build_penalty(self):
        """A torch module ``penalty(model) -> scalar`` added to the loss, or None."""
        return None

    def build_latent_penalty(self):
        """A torch module ``penalty(codes) -> scalar`` added to the loss, or None."""
        return None


class WeightDecay(Regularizer):
    """(lambda / 2) sum_l ||W_l||_F^2 on the network weights (L2 in the optimizer).

    Parameters
    ----------
    lam : float >= 0, default=1e-6
    """

    def __init__(self, lam=1e-6):
        self.lam = lam

    formula = "lambda/2 ||omega||^2"


class BiasFree(Regularizer):
    """No bias terms in the network (thesis Proposition 2).

    A bias lets a network map every input to the center: the trivial,
    collapsed Deep SVDD solution. Batch norm then has no affine shift either.
    """

    formula = "no bias"


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

    def __init__(self, weight=1.0):
        self.weight = weight

    formula = "||W W^T - I||_F^2"

    def build_penalty(self):
        from ..deep.modules import OrthogonalityPenalty

        return OrthogonalityPenalty(self.weight)


class Decentralization(Regularizer):
    """lambda (d - (1/m) sum_i ||z_i||^2): the latent decentralization loss.

    Hong & Choe's simplified form (their eq. 13, the one behind all their
    reported results): with a tanh-bounded code z in (-1, 1)^d and the center
    fixed at 0, the term is nonnegative, and minimizing it spreads the codes
    of the normal data over the latent cube, so that the decoder reconstructs
    a normal-looking sample from any code and anomalies reconstruct badly.
    Needs ``MLP(code_activation="tanh")``.

    Parameters
    ----------
    lam : float >= 0, default=0.01
        The paper's default weight.
    """

    def __init__(self, lam=0.01):
        self.lam = lam

    formula = "lambda (d - mean ||z||^2)"

    def build_latent_penalty(self):
        """A torch module ``penalty(codes) -> scalar`` on a batch of codes."""
        from ..deep.modules import DecentralizationPenalty

        return DecentralizationPenalty(self.lam)
