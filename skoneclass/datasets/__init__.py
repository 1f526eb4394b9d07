"""Data loaders and the evaluation protocols of the thesis and the papers."""

from .odds import ODDS_DATASETS, load_odds
from .protocol import make_big_moon_small_moon, one_vs_rest_split, semisupervised_split
from .synthetic import make_defect_textures, make_topic_corpus

__all__ = [
    "ODDS_DATASETS",
    "load_odds",
    "make_big_moon_small_moon",
    "make_defect_textures",
    "make_topic_corpus",
    "one_vs_rest_split",
    "semisupervised_split",
]
