"""The combination rules of the SGD solver: which parts it trains together.

:func:`check_sgd_parts` raises a ``ValueError`` naming the parts that the
skorch engine cannot train as one model (e.g. a learned center on a trainable
network, which collapses: thesis Proposition 1), before any data is
touched; :func:`check_sgd_data` names the data they cannot train on.
"""

import numpy as np

from ..parts.losses import (
    DeviationLoss,
    HSCLoss,
    MeanScore,
    NegativeLogLikelihood,
    SemanticDeviationLoss,
)
from ..parts.models import (
    Contexts,
    DisentangledHeads,
    Heatmap,
    Hypersphere,
    LatentDensity,
    LinearScore,
    Reconstruction,
)
from ..parts.networks import FCN, SelfAttention
from ..parts.regularizers import (
    AutoencoderPretraining,
    BiasFree,
    Decentralization,
    DistributionShift,
    GradientClipping,
    Orthogonality,
    PriorPrecision,
    Recoding,
    TotalCorrelation,
    WeightDecay,
)
from .builders import build_criterion, has_builder
from .model_builders import build_model

_SGD_REGULARIZERS = (
    WeightDecay,
    GradientClipping,
    BiasFree,
    AutoencoderPretraining,
    Orthogonality,
    Decentralization,
    DistributionShift,
)

#: Regularizers of the codes and prior of a latent density model (a VAE).
_LATENT_DENSITY_REGULARIZERS = (
    WeightDecay,
    GradientClipping,
    Orthogonality,
    Recoding,
    TotalCorrelation,
    PriorPrecision,
    DistributionShift,
)

_VARIATIONAL_LOSSES = (NegativeLogLikelihood, SemanticDeviationLoss)


def check_sgd_parts(feature_map, model, loss, regularizers, inference="frequentist"):
    """Raise a ValueError naming the parts the SGD solver cannot train together."""
    if isinstance(model, LatentDensity):
        return _check_latent_density(feature_map, model, loss, regularizers, inference)
    if inference != "frequentist":
        raise ValueError(
            f"inference={inference!r} needs a latent density model (a VAE, "
            f"LatentDensity()); model={model!r} is fitted by frequentist "
            "inference."
        )
    if feature_map.kind == "implicit":
        raise ValueError(
            f"feature_map={feature_map!r} is implicit (known through Gram "
            "matrices only) and cannot be trained by SGD; use an explicit map "
            "such as RandomFourier() or Nystroem(), or an exact solver."
        )
    if not has_builder(build_model, model):
        raise ValueError(
            f"model={model!r} has no SGD solver (only Hypersphere, "
            "Reconstruction, Heatmap, LinearScore, DisentangledHeads and "
            "LatentDensity have); use solver='exact' on a fixed feature map, or "
            "a hybrid Pipeline with a learned embedding."
        )
    if isinstance(model, Heatmap) and not isinstance(feature_map, FCN):
        raise ValueError(
            "A Heatmap() model needs a fully convolutional feature map, FCN(); "
            f"got feature_map={feature_map!r}."
        )
    if isinstance(feature_map, FCN) and not isinstance(
        model, Heatmap | DisentangledHeads
    ):
        raise ValueError(
            "FCN() outputs a map, read by a Heatmap() or DisentangledHeads() "
            f"model; got model={model!r}."
        )
    if isinstance(model, Contexts) != isinstance(feature_map, SelfAttention):
        raise ValueError(
            "A Contexts() model reads the heads of a SelfAttention() feature "
            "map, and SelfAttention() feeds a Contexts() model; got "
            f"model={model!r} and feature_map={feature_map!r}."
        )
    if isinstance(model, Contexts):
        extra = [
            r
            for r in regularizers
            if not isinstance(r, WeightDecay | Orthogonality | GradientClipping)
        ]
        if extra or not isinstance(loss, MeanScore):
            raise ValueError(
                f"model={model!r} (CVDD's contexts) is trained with MeanScore() "
                "and WeightDecay, Orthogonality (of the contexts) or "
                f"GradientClipping; got loss={loss!r} and regularizers {extra}."
            )
    if isinstance(model, DisentangledHeads) and not (
        isinstance(loss, DeviationLoss) and feature_map.kind == "trainable"
    ):
        raise ValueError(
            f"model={model!r} (DRA's heads) is trained with DeviationLoss() on "
            f"a trainable feature map; got loss={loss!r} and "
            f"feature_map={feature_map!r}."
        )
    if isinstance(model, Heatmap | LinearScore) and not loss.uses_labels:
        raise ValueError(
            f"model={model!r} can map every input to zero (its center is a "
            "bias); it is trained against anomalies, labeled (y == -1) or "
            "made by DistributionShift(), with a loss that uses them "
            f"(HSCLoss, DeviationLoss, DeepSADLoss), got loss={loss!r}."
        )
    if isinstance(model, LinearScore) and not isinstance(loss, DeviationLoss):
        raise ValueError(
            f"model={model!r} outputs an unbounded score; train it with "
            f"DeviationLoss(), got loss={loss!r}."
        )
    if isinstance(loss, _VARIATIONAL_LOSSES):
        raise ValueError(
            f"loss={loss!r} trains a density by SGD only as a LatentDensity() "
            f"(a VAE), got model={model!r}."
        )
    if not has_builder(build_criterion, loss):
        raise ValueError(
            f"loss={loss!r} has no SGD solver; it is solved exactly only "
            "(solver='exact'). The semi-supervised losses trained by SGD are "
            "DeepSADLoss() and HSCLoss()."
        )
    trainable = feature_map.kind == "trainable"
    if isinstance(model, Reconstruction):
        if not trainable:
            raise ValueError(
                f"model={model!r} needs a trainable feature map (MLP, LeNet) as "
                f"its encoder, got feature_map={feature_map!r}."
            )
        if not isinstance(loss, MeanScore):
            raise ValueError(
                f"model={model!r} is trained on its reconstruction error with "
                f"loss=MeanScore(), got loss={loss!r}."
            )
    if isinstance(model, Hypersphere):
        center = model.center_for(feature_map)
        if center == "learned" and trainable:
            raise ValueError(
                f"model={model!r} learns its center together with the trainable "
                f"feature_map={feature_map!r}: the network can then map every "
                "input onto the center (collapse, thesis Prop. 1). Use "
                "center='mean' or a fixed feature map."
            )
        if center != "learned" and not trainable:
            raise ValueError(
                f"model={model!r} with a fixed center on the fixed "
                f"feature_map={feature_map!r} leaves nothing to train; use "
                "center='learned' or a trainable feature map."
            )
    for reg in regularizers:
        if isinstance(reg, Decentralization) and (
            getattr(feature_map, "code_activation", None) != "tanh"
        ):
            raise ValueError(
                f"regularizer={reg!r} needs a bounded code; use "
                "feature_map=MLP(code_activation='tanh'), got "
                f"feature_map={feature_map!r}."
            )
        if not isinstance(reg, _SGD_REGULARIZERS):
            raise ValueError(
                f"regularizer={reg!r} is not supported by SGD with "
                f"model={model!r}"
                + (
                    "; it regularizes a LatentDensity() (a VAE)."
                    if isinstance(reg, _LATENT_DENSITY_REGULARIZERS)
                    else "."
                )
            )
        if isinstance(reg, DistributionShift) and not loss.uses_labels:
            raise ValueError(
                f"regularizer={reg!r} makes pseudo anomalies (y = -1), which "
                f"loss={loss!r} ignores; use a loss with labels (DeepSADLoss, "
                "HSCLoss, DeviationLoss)."
            )
        if not trainable and not isinstance(reg, WeightDecay | GradientClipping):
            raise ValueError(
                f"regularizer={reg!r} acts on a network, but "
                f"feature_map={feature_map!r} is fixed."
            )


def _check_latent_density(feature_map, model, loss, regularizers, inference):
    if feature_map.kind != "trainable":
        raise ValueError(
            f"model={model!r} needs a trainable feature map (MLP, LeNet, "
            f"ConvNet) as its encoder, got feature_map={feature_map!r}."
        )
    if inference != "bayesian":
        raise ValueError(
            f"model={model!r} is trained by variational (amortized Bayesian) "
            f"inference of its codes; use inference='bayesian', got {inference!r}."
        )
    if not isinstance(loss, _VARIATIONAL_LOSSES):
        raise ValueError(
            f"model={model!r} is trained on the negative ELBO: use "
            "loss=NegativeLogLikelihood() or SemanticDeviationLoss(), got "
            f"loss={loss!r}."
        )
    for reg in regularizers:
        if not isinstance(reg, _LATENT_DENSITY_REGULARIZERS):
            raise ValueError(
                f"regularizer={reg!r} is not supported with model={model!r}; "
                "use WeightDecay, Orthogonality, Recoding, TotalCorrelation, "
                "PriorPrecision or DistributionShift."
            )
    has = {type(r) for r in regularizers}
    if model.anomaly_score == "recoding" and Recoding not in has:
        raise ValueError(
            f"model={model!r} scores the recoding consistency; add the "
            "Recoding() regularizer."
        )
    if DistributionShift in has and not isinstance(loss, SemanticDeviationLoss):
        raise ValueError(
            "DistributionShift() makes pseudo anomalies that only "
            f"SemanticDeviationLoss() treats as anomalies, got loss={loss!r}."
        )


def check_sgd_data(model, loss, regularizers, X, labels):
    """Raise a ValueError when the training data cannot train these parts."""
    variational = isinstance(model, LatentDensity)
    if (
        variational
        and model.likelihood == "bernoulli"
        and (np.min(X) < 0 or np.max(X) > 1)
    ):
        raise ValueError(
            f"model={model!r} has a Bernoulli likelihood and needs X in "
            f"[0, 1], got values in [{np.min(X):g}, {np.max(X):g}]; scale "
            "X (e.g. MinMaxScaler) or use likelihood='gaussian'."
        )
    shifted = any(isinstance(r, DistributionShift) for r in regularizers)
    needs_negatives = isinstance(loss, HSCLoss) or isinstance(
        model, Heatmap | LinearScore
    )
    if needs_negatives and not shifted and not (labels == -1).any():
        raise ValueError(
            f"loss={loss!r} with model={model!r} needs negatives: label "
            "known anomalies or auxiliary (outlier exposure) samples with "
            "y == -1, or make pseudo anomalies with DistributionShift()."
        )
