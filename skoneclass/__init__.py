"""skoneclass: deep and shallow one-class anomaly detection for scikit-learn."""

from ._version import __version__ as __version__
from .base import BaseDetector
from .compose import OneClassModel
from .deep import (
    CVDD,
    DRA,
    FCDD,
    HSC,
    OIAD,
    RSCVAE,
    VAE,
    AutoEncoder,
    AutoencoderEmbedding,
    DecentralizationAE,
    DeepSAD,
    DeepSVDD,
    DeepSVDDEmbedding,
    DevNet,
    TrainingProgressBar,
)
from .exceptions import LabelWarning, TrainingWarning
from .metrics import (
    average_precision_scorer,
    labeled_average_precision,
    labeled_roc_auc,
    roc_auc_scorer,
)
from .persistence import load, save
from .shallow import GMM, KDE, MVE, OCSVM, PCA, SSAD, SVDD, Gaussian, KernelPCA, KMeans
from .unifying_view import describe

__all__ = [
    "CVDD",
    "DRA",
    "DevNet",
    "FCDD",
    "GMM",
    "HSC",
    "KDE",
    "MVE",
    "OCSVM",
    "OIAD",
    "PCA",
    "RSCVAE",
    "SSAD",
    "SVDD",
    "VAE",
    "AutoEncoder",
    "AutoencoderEmbedding",
    "BaseDetector",
    "DecentralizationAE",
    "DeepSAD",
    "DeepSVDD",
    "DeepSVDDEmbedding",
    "Gaussian",
    "KMeans",
    "KernelPCA",
    "LabelWarning",
    "OneClassModel",
    "TrainingProgressBar",
    "TrainingWarning",
    "average_precision_scorer",
    "describe",
    "labeled_average_precision",
    "labeled_roc_auc",
    "load",
    "roc_auc_scorer",
    "save",
]
