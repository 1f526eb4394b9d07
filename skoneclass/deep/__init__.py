"""Deep one-class detectors, trained through skorch on CPU or CUDA."""

from .autoencoder import AutoEncoder
from .svdd import HSC, DeepSAD, DeepSVDD

__all__ = ["HSC", "AutoEncoder", "DeepSAD", "DeepSVDD"]
