"""Loader of the ODDS benchmark sets (Rayana, 2016) from local .mat files.

Nothing is downloaded: the files are looked up in ``data_home``, else in the
directory named by the ``SKONECLASS_DATA`` environment variable.
"""

import os
from pathlib import Path

import numpy as np
from scipy.io import loadmat

#: The six ODDS sets of the thesis (Table 2.2), plus ODDS mnist.
ODDS_DATASETS = (
    "arrhythmia",
    "cardio",
    "satellite",
    "satimage-2",
    "shuttle",
    "thyroid",
    "mnist",
)


def _find(name, data_home):
    if data_home is None:
        data_home = os.environ.get("SKONECLASS_DATA")
    if data_home is None:
        raise ValueError(
            f"Cannot locate {name}.mat: pass data_home=<directory> or set the "
            "SKONECLASS_DATA environment variable."
        )
    for candidate in (
        Path(data_home) / f"{name}.mat",
        Path(data_home) / "odds" / f"{name}.mat",
    ):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"{name}.mat not found in {data_home} or {data_home}/odds.")


def load_odds(name, data_home=None):
    """Load an ODDS data set with skoneclass's labels.

    Parameters
    ----------
    name : str or path-like
        One of :data:`ODDS_DATASETS`, or the path of a ``.mat`` file with
        ``X`` and ``y`` (1 = outlier, 0 = inlier).
    data_home : str or path-like, default=None
        Directory holding ``<name>.mat`` (or ``odds/<name>.mat``); defaults to
        the ``SKONECLASS_DATA`` environment variable.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), dtype float64
    y : ndarray of shape (n_samples,), dtype int
        +1 normal, -1 anomaly.
    """
    path = Path(name)
    if path.suffix != ".mat":
        if name not in ODDS_DATASETS:
            raise ValueError(f"Unknown ODDS data set {name!r}; known: {ODDS_DATASETS}.")
        path = _find(name, data_home)
    elif not path.is_file():
        raise FileNotFoundError(f"No ODDS .mat file at {path}.")
    mat = loadmat(path)
    X = np.asarray(mat["X"], dtype=np.float64)
    y = np.where(np.asarray(mat["y"]).ravel() == 1, -1, 1)
    return X, y
