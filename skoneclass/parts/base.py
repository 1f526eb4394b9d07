"""The common interface of the parts of the unifying view."""

from sklearn.base import BaseEstimator


class Part(BaseEstimator):
    """Base of every part: a loss, model, feature map or regularizer.

    A part stores its parameters untouched in ``__init__`` (so that
    ``get_params``, ``set_params`` and :func:`sklearn.base.clone` work, and
    ``OneClassModel(model=Hypersphere(...))`` is clonable and searchable as
    ``model__center_eps``). What a part *means* is its :attr:`formula`, the
    text of its column in the thesis's Table 4.1; a solver decides how to
    train it.
    """

    #: Its column in Table 4.1.
    formula = ""
