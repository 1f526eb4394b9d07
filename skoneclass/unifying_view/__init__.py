"""What every estimator is made of: the thesis's Table 4.1, from the code.

``describe("DeepSAD")`` prints the five dimensions of a named estimator;
:func:`unifying_view_table` lists them for every public estimator, and
``python -m skoneclass.unifying_view`` writes the table the documentation
shows (``doc/unifying_view.rst``).
"""

from sklearn.base import BaseEstimator

from .. import deep, shallow
from ..compose import OneClassModel

COLUMNS = ("loss", "model", "feature map", "regularization", "inference")


def _estimator(estimator):
    if isinstance(estimator, str):
        by_name = {c.__name__: c for c in (*public_estimators(), OneClassModel)}
        try:
            estimator = by_name[estimator]
        except KeyError:
            raise ValueError(f"skoneclass has no estimator {estimator!r}.") from None
    if isinstance(estimator, type):
        estimator = estimator()
    if not hasattr(estimator, "get_parts"):
        raise TypeError(f"{estimator!r} is not a skoneclass estimator.")
    return estimator


def parts_row(parts):
    """The five columns of Table 4.1 as text, from a ``get_parts()`` dict."""
    model, loss = parts["model"], parts["loss"]
    boundary = loss.has_boundary and model.boundary_formula is not None
    penalties = [
        model.boundary_penalty if boundary else None,
        model.penalty,
        *(r.formula for r in parts["regularizer"]),
    ]
    return {
        "loss": loss.formula,
        "model": model.boundary_formula if boundary else model.formula,
        "feature map": parts["feature_map"].formula,
        "regularization": "; ".join(p for p in penalties if p) or "-",
        "inference": parts["inference"],
    }


def describe(estimator):
    """The loss, model, feature map, regularization and inference of an estimator.

    Parameters
    ----------
    estimator : str, estimator class or instance
        E.g. ``"DeepSAD"``, ``skoneclass.SVDD`` or ``SVDD(kernel="poly")``.

    Returns
    -------
    text : str
        One line per dimension: the formula and the part that realizes it.

    Examples
    --------
    >>> import skoneclass
    >>> print(skoneclass.describe("DeepSAD"))
    DeepSAD
      D1 loss            s^y  [DeepSADLoss()]
      D2 model           ||phi(x) - c||^2  [Hypersphere(center='mean')]
      D3 feature map     phi_omega(x), MLP  [MLP()]
      D4 regularization  lambda/2 ||omega||^2; no bias; autoencoder pretraining
      D5 inference       frequentist
    """
    estimator = _estimator(estimator)
    parts = estimator.get_parts()
    row = parts_row(parts)
    parts_of = {
        "loss": parts["loss"],
        "model": parts["model"],
        "feature map": parts["feature_map"],
    }
    lines = [type(estimator).__name__]
    for i, column in enumerate(COLUMNS, start=1):
        text = row[column]
        if column in parts_of:
            text += f"  [{parts_of[column]!r}]"
        lines.append(f"  D{i} {column:<15} {text}")
    return "\n".join(lines)


#: The thesis's row order; estimators not in it follow alphabetically.
THESIS_ORDER = (
    "Gaussian",
    "GMM",
    "KDE",
    "MVE",
    "SVDD",
    "SSAD",
    "OCSVM",
    "DeepSVDD",
    "DeepSAD",
    "HSC",
    "PCA",
    "KernelPCA",
    "KMeans",
    "AutoEncoder",
)


def public_estimators():
    """Every public named estimator of skoneclass (OneClassModel excluded):
    the detectors that :mod:`skoneclass.shallow` and :mod:`skoneclass.deep`
    export."""
    found = [
        obj
        for package in (shallow, deep)
        for name in package.__all__
        if isinstance(obj := getattr(package, name), type)
        and issubclass(obj, BaseEstimator)
        and hasattr(obj, "get_parts")
    ]
    rank = {name: i for i, name in enumerate(THESIS_ORDER)}
    return sorted(found, key=lambda c: (rank.get(c.__name__, len(rank)), c.__name__))


def unifying_view_table():
    """Table 4.1 for every public estimator, from its default parts.

    Returns
    -------
    rows : list of dict
        ``method`` and the five columns of :data:`COLUMNS`.
    """
    return [
        {"method": cls.__name__, **parts_row(cls().get_parts())}
        for cls in public_estimators()
    ]


def to_rst(rows):
    """The rows as an reStructuredText ``csv-table``."""
    header = ("method", *COLUMNS)
    lines = [
        ".. csv-table:: Table 4.1 of the thesis, generated from ``get_parts()``",
        "   :header: " + ", ".join(f'"{h}"' for h in header),
        "",
    ]
    for row in rows:
        cells = (row[h].replace('"', '""') for h in header)
        lines.append("   " + ", ".join(f'"{c}"' for c in cells))
    return "\n".join(lines) + "\n"
