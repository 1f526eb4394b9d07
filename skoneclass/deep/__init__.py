"""Deep one-class detectors, trained through skorch on CPU or CUDA."""

from .autoencoder import AutoEncoder, DecentralizationAE
from .cvdd import CVDD
from .dra import DRA, DevNet
from .embedding import AutoencoderEmbedding, DeepSVDDEmbedding
from .engine import TrainingProgressBar
from .fcdd import FCDD
from .oiad import OIAD
from .svdd import HSC, DeepSAD, DeepSVDD
from .vae import RSCVAE, VAE

__all__ = [
    "CVDD",
    "DRA",
    "DevNet",
    "FCDD",
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
    "TrainingProgressBar",
]
