"""skoneclass: deep and shallow one-class anomaly detection for scikit-learn."""

from .base import BaseDetector
from .compose import OneClassModel
from .deep import HSC, AutoEncoder, DeepSAD, DeepSVDD
from .metrics import (
    average_precision_scorer,
    labeled_average_precision,
    labeled_roc_auc,
    roc_auc_scorer,
)
from .shallow import GMM, KDE, MVE, OCSVM, PCA, SSAD, SVDD, Gaussian, KernelPCA, KMeans
from .unifying_view import describe

__version__ = "0.1.0.dev0"

__all__ = [
    "GMM",
    "HSC",
    "KDE",
    "MVE",
    "OCSVM",
    "PCA",
    "SSAD",
    "SVDD",
    "AutoEncoder",
    "BaseDetector",
    "DeepSAD",
    "DeepSVDD",
    "Gaussian",
    "KMeans",
    "KernelPCA",
    "OneClassModel",
    "average_precision_scorer",
    "describe",
    "labeled_average_precision",
    "labeled_roc_auc",
    "roc_auc_scorer",
]
