"""The SGD solver's builder table: the torch realization of each part.

:mod:`skoneclass.parts` holds specifications only (no torch). What training
needs from a part is built here, one :func:`functools.singledispatch` table
per role, keyed by the part's type; a new part registers its builders
without touching the solver:

- :func:`build_criterion`: a loss's module ``loss(s, y) -> scalar``;
- :func:`build_penalty`: a regularizer's ``penalty(model) -> scalar``;
- :func:`build_latent_penalty`: a regularizer's ``penalty(codes) -> scalar``;
- :func:`build_network` / :func:`build_decoder`: a trainable feature map's
  encoder and its mirror;
- :func:`build_shift`: the module that makes pseudo anomalies of a batch;
- :func:`build_callbacks`: a regularizer's skorch callbacks (gradient
  clipping).

The model parts' builders (the module trained, with its data-dependent
initialization) are :mod:`skoneclass.deep.model_builders`.

A part without a builder gets None (or a ``TypeError`` for networks), which
:func:`has_builder` tells the combination rules beforehand.
"""

import copy
from functools import singledispatch

from skorch.callbacks import GradientNormClipping

from ..parts.losses import (
    DeepSADLoss,
    DeviationLoss,
    Hinge,
    HSCLoss,
    MeanScore,
    NegativeLogLikelihood,
    SemanticDeviationLoss,
)
from ..parts.networks import FCN, MLP, ConvNet, LeNet, SelfAttention, TorchModule
from ..parts.regularizers import (
    Decentralization,
    DistributionShift,
    GradientClipping,
    Orthogonality,
)
from . import networks, shifts
from .modules import (
    DecentralizationPenalty,
    DeepSADObjective,
    DeviationObjective,
    HSCObjective,
    MeanOutput,
    OrthogonalityPenalty,
    SoftBoundaryObjective,
)
from .variational import NegativeELBOObjective, SemanticDeviationObjective


def has_builder(table, part):
    """Whether ``table`` (a builder function) has a builder for ``part``."""
    return table.dispatch(type(part)) is not table.dispatch(object)


# -- losses --------------------------------------------------------------------
@singledispatch
def build_criterion(loss):
    """The torch loss module of ``loss``; None: the loss is solved exactly only."""
    return None


@build_criterion.register
def _(loss: MeanScore):
    return MeanOutput()


@build_criterion.register
def _(loss: Hinge):
    return SoftBoundaryObjective(loss.nu)


@build_criterion.register
def _(loss: DeepSADLoss):
    return DeepSADObjective(loss.eta, loss.eps)


@build_criterion.register
def _(loss: HSCLoss):
    return HSCObjective(loss.eta)


@build_criterion.register
def _(loss: NegativeLogLikelihood):
    return NegativeELBOObjective()


@build_criterion.register
def _(loss: SemanticDeviationLoss):
    return SemanticDeviationObjective(loss.anomaly_weight)


@build_criterion.register
def _(loss: DeviationLoss):
    return DeviationObjective(loss.margin, loss.prior_samples)


# -- regularizers --------------------------------------------------------------
@singledispatch
def build_penalty(regularizer):
    """A module ``penalty(model) -> scalar`` added to the loss, or None."""
    return None


@build_penalty.register
def _(regularizer: Orthogonality):
    return OrthogonalityPenalty(regularizer.weight)


@singledispatch
def build_latent_penalty(regularizer):
    """A module ``penalty(codes) -> scalar`` on a batch's codes, or None."""
    return None


@build_latent_penalty.register
def _(regularizer: Decentralization):
    return DecentralizationPenalty(regularizer.lam, regularizer.center)


@singledispatch
def build_callbacks(regularizer):
    """The skorch callbacks through which a regularizer acts on training."""
    return []


@build_callbacks.register
def _(regularizer: GradientClipping):
    return [GradientNormClipping(regularizer.max_norm)]


_SHIFTS = {
    "flip_rotate": shifts.FlipRotate,
    "confetti": shifts.Confetti,
    "cutpaste": shifts.CutPaste,
    "feature_mask": shifts.FeatureMask,
    "feature_shuffle": shifts.FeatureShuffle,
    "feature_cutmix": shifts.FeatureCutMix,
}


def build_shift(regularizer: DistributionShift, image_shape=None):
    """The module that shifts a batch into pseudo anomalies."""
    transform = regularizer.transform
    if not isinstance(transform, str):
        # A copy: the network moves its submodules to the device, and a
        # transform with state would otherwise change the user's object.
        return copy.deepcopy(transform)
    if transform in DistributionShift.IMAGE_TRANSFORMS:
        if image_shape is None:
            raise ValueError(
                f"DistributionShift(transform={transform!r}) works on images; "
                "pass X as images (n, C, H, W) to an image feature map "
                "(ConvNet, LeNet, FCN) or use a tabular transform such as "
                "'feature_mask'."
            )
        return _SHIFTS[transform](image_shape)
    return _SHIFTS[transform]()


# -- trainable feature maps ----------------------------------------------------
@singledispatch
def build_network(feature_map, n_features, bias=False, n_outputs=None):
    """The encoder network of a trainable feature map, freshly initialized.

    ``n_outputs`` replaces the width of its output layer (a VAE's encoder
    emits two numbers per code).
    """
    raise TypeError(f"{feature_map!r} is not a trainable feature map.")


@build_network.register
def _(feature_map: MLP, n_features, bias=False, n_outputs=None):
    return networks.MLP(
        **feature_map.network_kwargs(n_features, bias),
        code_activation=feature_map.code_activation,
        n_outputs=n_outputs,
    )


@build_network.register
def _(feature_map: LeNet, n_features, bias=False, n_outputs=None):
    return networks.LeNet(**feature_map.network_kwargs(n_features), n_outputs=n_outputs)


@build_network.register
def _(feature_map: ConvNet, n_features, bias=True, n_outputs=None):
    return networks.ConvNet(
        **feature_map.network_kwargs(n_features, bias),
        code_activation=feature_map.code_activation,
        n_outputs=n_outputs,
    )


@build_network.register
def _(feature_map: FCN, n_features, bias=True, n_outputs=1):
    # n_outputs channels of the final 1x1 convolution; None ends with the
    # last block's feature maps.
    return networks.FCN(
        **feature_map.network_kwargs(n_features), out_channels=n_outputs
    )


@build_network.register
def _(feature_map: TorchModule, n_features, bias=True, n_outputs=None):
    # A copy: training must not modify the user's module.
    return copy.deepcopy(feature_map.module)


@build_network.register
def _(feature_map: SelfAttention, n_features, bias=True, n_outputs=None):
    # One head per context: built with the Contexts model (model_builders).
    return None


@singledispatch
def build_decoder(feature_map, n_features, bias=False):
    """The decoder mirroring a trainable feature map, representation -> input."""
    raise TypeError(f"{feature_map!r} has no decoder.")


@build_decoder.register
def _(feature_map: MLP, n_features, bias=False):
    return networks.MLPDecoder(**feature_map.network_kwargs(n_features, bias))


@build_decoder.register
def _(feature_map: LeNet, n_features, bias=False):
    return networks.LeNetDecoder(**feature_map.network_kwargs(n_features))


@build_decoder.register
def _(feature_map: ConvNet, n_features, bias=True):
    return networks.ConvDecoder(**feature_map.network_kwargs(n_features, bias))
