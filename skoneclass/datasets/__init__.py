"""Data loaders and the evaluation protocols of the thesis and the papers."""

from .fashion_mnist import (
    FASHION_MNIST_CLASSES,
    fashion_mnist_home,
    fashion_mnist_one_vs_rest,
    load_fashion_mnist,
)
from .odds import ODDS_DATASETS, load_odds
from .protocol import make_big_moon_small_moon, one_vs_rest_split, semisupervised_split
from .synthetic import make_defect_textures, make_topic_corpus

__all__ = [
    "FASHION_MNIST_CLASSES",
    "ODDS_DATASETS",
    "fashion_mnist_home",
    "fashion_mnist_one_vs_rest",
    "load_fashion_mnist",
    "load_odds",
    "make_big_moon_small_moon",
    "make_defect_textures",
    "make_topic_corpus",
    "one_vs_rest_split",
    "semisupervised_split",
]
