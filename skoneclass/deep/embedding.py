"""Learned representations as scikit-learn transformers (the thesis's hybrids).

A hybrid method fits a shallow detector on the representation a deep one
learned, e.g. an OC-SVM on autoencoder codes (thesis 4.4): in skoneclass,
``make_pipeline(AutoencoderEmbedding(), OCSVM())``.
"""

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    clone,
)
from sklearn.utils.validation import check_is_fitted

from .autoencoder import AutoEncoder
from .svdd import DeepSVDD


class _DetectorEmbedding(
    ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator
):
    def __init__(self, estimator=None):
        self.estimator = estimator

    def set_params(self, **params):
        """Set parameters; ``estimator__<name>`` also reaches the default.

        With ``estimator=None``, setting a parameter of the estimator (as
        ``GridSearchCV`` does) first makes the default estimator explicit.

        Returns
        -------
        self : object
        """
        if self.estimator is None and "estimator" not in params:
            if any(key.startswith("estimator__") for key in params):
                super().set_params(estimator=self._default())
        return super().set_params(**params)

    def fit(self, X, y=None):
        """Train a clone of ``estimator`` on ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,), default=None
            Passed on to semi-supervised estimators, ignored otherwise.

        Returns
        -------
        self : object
        """
        estimator = clone(self._default() if self.estimator is None else self.estimator)
        if "n_networks" in estimator.get_params():
            # A representation is one network's: the codes of several
            # networks live in unrelated coordinates, so more would be
            # trained for nothing (embed is the first network's).
            estimator.set_params(n_networks=1)
        self.estimator_ = estimator.fit(X, y)
        self.n_features_in_ = self.estimator_.n_features_in_
        if hasattr(self.estimator_, "feature_names_in_"):
            self.feature_names_in_ = self.estimator_.feature_names_in_
        # Names of the output columns (get_feature_names_out, set_output).
        # One row as given (a DataFrame stays one, with its column names).
        first = X.iloc[:1] if hasattr(X, "iloc") else np.asarray(X)[:1]
        self._n_features_out = self.estimator_.embed(first).shape[1]
        return self

    def transform(self, X):
        """The representation phi(x) of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        Z : ndarray of shape (n_samples, rep_dim)
        """
        check_is_fitted(self)
        return self.estimator_.embed(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = False
        return tags


class AutoencoderEmbedding(_DetectorEmbedding):
    """The code enc(x) of a trained autoencoder, as a transformer.

    Parameters
    ----------
    estimator : AutoEncoder or None, default=None
        The autoencoder to train (cloned); None is ``AutoEncoder()``. Its
        parameters are searchable as ``estimator__rep_dim`` etc., the
        default's too. The clone trains one network (``n_networks=1``):
        a representation is one network's.

    Attributes
    ----------
    estimator_ : AutoEncoder
        The trained autoencoder.
    n_features_in_ : int

    Examples
    --------
    A hybrid detector, an OC-SVM on autoencoder codes:

    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from skoneclass import OCSVM, AutoEncoder, AutoencoderEmbedding
    >>> X = np.random.RandomState(0).randn(200, 6)
    >>> ae = AutoEncoder(max_epochs=5, lr=1e-3, random_state=0)
    >>> hybrid = make_pipeline(AutoencoderEmbedding(ae), OCSVM()).fit(X)
    >>> hybrid.score_samples(X[:3]).shape
    (3,)
    """

    def _default(self):
        return AutoEncoder()


class DeepSVDDEmbedding(_DetectorEmbedding):
    """The feature map phi(x) of a trained Deep SVDD (or Deep SAD), as a transformer.

    Parameters
    ----------
    estimator : DeepSVDD, DeepSAD or None, default=None
        The detector to train (cloned); None is ``DeepSVDD()``. ``y`` given to
        ``fit`` reaches a semi-supervised detector. Its parameters are
        searchable as ``estimator__rep_dim`` etc., the default's too. The
        clone trains one network (``n_networks=1``): a representation is
        one network's.

    Attributes
    ----------
    estimator_ : DeepSVDD or DeepSAD
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from skoneclass import DeepSVDD, DeepSVDDEmbedding
    >>> X = np.random.RandomState(0).randn(200, 6)
    >>> emb = DeepSVDDEmbedding(DeepSVDD(max_epochs=5, rep_dim=3, random_state=0))
    >>> emb.fit_transform(X).shape
    (200, 3)
    """

    def _default(self):
        return DeepSVDD()
