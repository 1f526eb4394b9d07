"""Data loaders and the evaluation protocols of the thesis and the papers."""

from .odds import ODDS_DATASETS, load_odds
from .protocol import one_vs_rest_split, semisupervised_split

__all__ = ["ODDS_DATASETS", "load_odds", "one_vs_rest_split", "semisupervised_split"]
