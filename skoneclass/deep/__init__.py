"""Deep one-class detectors, trained through skorch on CPU or CUDA."""

from .autoencoder import AutoEncoder
from .embedding import AutoencoderEmbedding, DeepSVDDEmbedding
from .svdd import HSC, DeepSAD, DeepSVDD

__all__ = [
    "HSC",
    "AutoEncoder",
    "AutoencoderEmbedding",
    "DeepSAD",
    "DeepSVDD",
    "DeepSVDDEmbedding",
]
