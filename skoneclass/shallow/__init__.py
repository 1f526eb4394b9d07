"""Shallow one-class detectors: kernel, density, reconstruction and prototype models."""

from .density import GMM, KDE, Gaussian
from .mve import MVE
from .ocsvm import OCSVM
from .prototypes import KMeans
from .reconstruction import PCA, KernelPCA
from .svdd import SSAD, SVDD

__all__ = [
    "GMM",
    "KDE",
    "MVE",
    "OCSVM",
    "PCA",
    "SSAD",
    "SVDD",
    "Gaussian",
    "KMeans",
    "KernelPCA",
]
