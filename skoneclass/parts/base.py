"""The common interface of the parts of the unifying view."""

from numbers import Integral

from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Options


class Part(BaseEstimator):
    """Base of every part: a loss, model, feature map or regularizer.

    A part stores its parameters untouched in ``__init__`` (so that
    ``get_params``, ``set_params`` and :func:`sklearn.base.clone` work, and
    ``OneClassModel(model=Hypersphere(...))`` is clonable and searchable as
    ``model__center_eps``). What a part *means* is its :attr:`formula`, the
    text of its column in the thesis's Table 4.1; a solver decides how to
    train it. Its ``_parameter_constraints`` are checked when an estimator
    that uses it is fitted, so that a bad value is named before any training
    (``The 'nu' parameter of Hinge must be ...``).
    """

    #: Its column in Table 4.1.
    formula = ""

    _parameter_constraints: dict = {}


def validate_parts(parts):
    """Check every part of a ``get_parts()`` dict against its constraints.

    Raises sklearn's ``InvalidParameterError`` (a ``ValueError`` and a
    ``TypeError``) naming the part and the parameter.
    """
    for value in parts.values():
        for part in value if isinstance(value, tuple) else (value,):
            if isinstance(part, Part):
                part._validate_params()


class Predicate(Options):
    """A constraint decided by ``is_satisfied_by`` (scikit-learn's validation
    takes only its own constraint classes, so this one derives from
    ``Options``)."""

    def __init__(self):
        super().__init__(object, set())


class PositiveInts(Predicate):
    """Network sizes: a tuple or list of ints >= 1.

    Parameters
    ----------
    min_len : int, default=0
        The fewest entries (1: at least one layer).
    length : int or None, default=None
        An exact number of entries, e.g. 3 for an image shape (C, H, W).
    """

    def __init__(self, min_len=0, length=None):
        super().__init__()
        self.min_len = min_len
        self.length = length

    def is_satisfied_by(self, val):
        if not isinstance(val, tuple | list):
            return False
        if len(val) < self.min_len or self.length not in (None, len(val)):
            return False
        return all(
            isinstance(v, Integral) and not isinstance(v, bool) and v >= 1 for v in val
        )

    def __str__(self):
        if self.length is not None:
            return f"a tuple of {self.length} positive ints"
        if self.min_len:
            return "a non-empty tuple of positive ints"
        return "a tuple of positive ints"
