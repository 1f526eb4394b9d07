"""The parts of the unifying view: losses, models, feature maps, regularizers.

Every estimator is ``min_theta 1/n sum_i l(f_theta(x_i), y_i) + R(f, phi,
theta)`` (thesis section 4.3) for a choice of loss l, model f_theta, feature
map phi, regularizer R and inference mode. :class:`~skoneclass.OneClassModel`
takes these parts; every named estimator's ``get_parts()`` says which it uses.
"""

from .feature_maps import (
    Embedding,
    Identity,
    Kernel,
    Nystroem,
    RandomFourier,
)
from .losses import (
    DeepSADLoss,
    DeviationLoss,
    Hinge,
    HSCLoss,
    KernelMEstimation,
    MeanScore,
    NegativeLogLikelihood,
    SemanticDeviationLoss,
    SemiSupervisedHinge,
)
from .models import (
    Contexts,
    DisentangledHeads,
    Ellipsoid,
    GaussianDensity,
    GaussianMixture,
    Heatmap,
    Hyperplane,
    Hypersphere,
    LatentDensity,
    LinearScore,
    ParzenDensity,
    Prototypes,
    Reconstruction,
    StructureConsistency,
    Subspace,
)
from .networks import (
    FCN,
    MLP,
    ConvNet,
    LeNet,
    SelfAttention,
    TorchModule,
)
from .regularizers import (
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

INFERENCE_MODES = ("frequentist", "bayesian")


def make_parts(feature_map, model, loss, regularizer=(), inference="frequentist"):
    """The five dimensions as the dict that ``get_parts()`` returns."""
    return {
        "feature_map": feature_map,
        "model": model,
        "loss": loss,
        "regularizer": tuple(regularizer),
        "inference": inference,
    }


__all__ = [
    "MLP",
    "FCN",
    "DeviationLoss",
    "Heatmap",
    "DisentangledHeads",
    "Contexts",
    "SelfAttention",
    "TorchModule",
    "LinearScore",
    "ConvNet",
    "DistributionShift",
    "GradientClipping",
    "LatentDensity",
    "StructureConsistency",
    "PriorPrecision",
    "Recoding",
    "SemanticDeviationLoss",
    "TotalCorrelation",
    "AutoencoderPretraining",
    "BiasFree",
    "Decentralization",
    "DeepSADLoss",
    "Ellipsoid",
    "Embedding",
    "GaussianDensity",
    "GaussianMixture",
    "HSCLoss",
    "Hinge",
    "Hyperplane",
    "Hypersphere",
    "Identity",
    "Kernel",
    "KernelMEstimation",
    "LeNet",
    "MeanScore",
    "NegativeLogLikelihood",
    "Nystroem",
    "Orthogonality",
    "ParzenDensity",
    "Prototypes",
    "RandomFourier",
    "Reconstruction",
    "SemiSupervisedHinge",
    "Subspace",
    "WeightDecay",
    "make_parts",
]
