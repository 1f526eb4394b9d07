"""Deep one-class detectors, trained through skorch on CPU or CUDA."""

from .autoencoder import AutoEncoder, DecentralizationAE
from .embedding import AutoencoderEmbedding, DeepSVDDEmbedding
from .oiad import OIAD
from .svdd import HSC, DeepSAD, DeepSVDD
from .vae import RSCVAE, VAE

__all__ = [
    "HSC",
    "OIAD",
    "RSCVAE",
    "VAE",
    "AutoEncoder",
    "AutoencoderEmbedding",
    "DecentralizationAE",
    "DeepSAD",
    "DeepSVDD",
    "DeepSVDDEmbedding",
]
