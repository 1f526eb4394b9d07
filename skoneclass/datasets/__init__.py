"""Data loaders and the thesis's evaluation protocol."""

from .odds import ODDS_DATASETS, load_odds
from .protocol import semisupervised_split

__all__ = ["ODDS_DATASETS", "load_odds", "semisupervised_split"]
