"""Every public estimator, quick to fit, with data it takes.

The persistence and bad-input tests run over this list, which is read from
``skoneclass.__all__``: a new public estimator joins them by being exported.
Only what an estimator cannot fit without (word vectors, images) and the
settings that make a fit quick are spelled out here.
"""

import inspect

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

import skoneclass
from skoneclass.datasets.synthetic import make_defect_textures, make_topic_corpus

#: Settings that make any deep fit quick, applied where an estimator has them.
QUICK = {
    "max_epochs": 2,
    "pretrain_epochs": 1,
    "random_state": 0,
    "n_morphs": 3,
    "discriminator_dims": (8,),
}

_DOCS, _, _, _WORD_VECTORS = make_topic_corpus(60, random_state=0)


def public_estimators():
    """The estimator classes that ``skoneclass`` exports, by name."""
    classes = {}
    for name in skoneclass.__all__:
        obj = getattr(skoneclass, name)
        if (
            inspect.isclass(obj)
            and issubclass(obj, BaseEstimator)
            and obj is not skoneclass.BaseDetector
        ):
            classes[name] = obj
    return classes


def quick(cls):
    """An instance of ``cls`` with the quick settings it has."""
    est = cls(embeddings=_WORD_VECTORS) if cls is skoneclass.CVDD else cls()
    params = est.get_params()
    if "estimator" in params:  # the embedding transformers' inner detector
        inner = est._default() if params["estimator"] is None else params["estimator"]
        names = inner.get_params()
        return est.set_params(
            **{f"estimator__{k}": v for k, v in QUICK.items() if k in names}
        )
    return est.set_params(**{k: v for k, v in QUICK.items() if k in params})


def task(cls, n=60, seed=0):
    """``(X_train, y_train, X_test)`` that ``cls`` takes; y has labeled
    anomalies (-1) and unlabeled samples (0)."""
    rng = np.random.RandomState(seed)
    y = np.zeros(n, dtype=int)
    y[: n // 10] = -1
    if cls is skoneclass.FCDD:
        X, _, _ = make_defect_textures(n, 0, random_state=seed)
        X = X[:, :, :16, :16]
        return X, y, X[:10]
    if cls is skoneclass.CVDD:
        docs = [_DOCS[i % len(_DOCS)] for i in range(n)]
        return docs, y, docs[:10]
    X = rng.randn(n, 4)
    X[y == -1] += 3.0
    return X, y, rng.randn(10, 4)


def outputs(est, X):
    """What a fitted estimator computes: scores, or a transformer's output."""
    if isinstance(est, TransformerMixin):
        return est.transform(X)
    return est.score_samples(X)
