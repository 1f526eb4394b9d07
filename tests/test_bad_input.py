"""Bad input, one matrix: every public estimator x every mistake.

Each cell asserts a clear ``ValueError`` / ``TypeError`` / warning whose
message names the problem, or a sane result (finite scores, +1/-1
predictions). The estimators come from ``skoneclass.__all__``
(``tests/catalogue.py``), so a new public estimator joins by being exported.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import TransformerMixin, clone

from skoneclass import (
    CVDD,
    DRA,
    SVDD,
    AutoEncoder,
    LabelWarning,
    OneClassModel,
    TrainingWarning,
)
from skoneclass.metrics import roc_auc_scorer
from skoneclass.parts import Hinge

from .catalogue import outputs, public_estimators, quick, task

PUBLIC = public_estimators()
TEXT = (CVDD,)


def _as_float(X):
    return np.array(X, dtype=float)


def _first_value(X, value):
    """X with its first value replaced: a token id for text, a feature else."""
    if isinstance(X, list):
        return [[value, *doc[1:]] if i == 0 else doc for i, doc in enumerate(X)]
    X = _as_float(X)
    X.flat[0] = value
    return X


def _fit(X, y=None):
    return lambda est, y_train: est.fit(X, y_train if y is None else y)


#: case -> (input of fit or scoring, error types, what the message must say).
#: A callable input takes (X_train, y_train, X_test) and returns
#: ``run(estimator, y_train)``.
X_CASES = {
    "nan": (
        lambda X, y, Xt: _fit(_first_value(X, np.nan)),
        (ValueError, TypeError),
        r"Input X contains NaN|integer token ids",
    ),
    "inf": (
        lambda X, y, Xt: _fit(_first_value(X, np.inf)),
        (ValueError, TypeError),
        r"Input X contains infinity|integer token ids",
    ),
    "empty": (
        lambda X, y, Xt: _fit(
            [] if isinstance(X, list) else _as_float(X)[:0], np.zeros(0, int)
        ),
        ValueError,
        r"0 sample\(s\)|at least one document",
    ),
    "one_dimensional": (
        lambda X, y, Xt: _fit(
            X[0] if isinstance(X, list) else _as_float(X).reshape(len(X), -1)[:, 0]
        ),
        (ValueError, TypeError),
        r"Expected 2D array, got 1D array|must be a 1-D sequence of integer token",
    ),
    "strings": (
        lambda X, y, Xt: _fit(
            [["goal"] * len(d) for d in X]
            if isinstance(X, list)
            else np.full(np.shape(X), "abc")
        ),
        (ValueError, TypeError),
        r"could not convert string to float|holds strings",
    ),
    "sparse": (
        lambda X, y, Xt: _fit(
            sp.csr_matrix(_as_float(X).reshape(len(X), -1))
            if not isinstance(X, list)
            else sp.csr_matrix(np.ones((len(X), 3)))
        ),
        TypeError,
        r"Sparse data was passed for X, but dense data is required|holds objects",
    ),
    "wrong_n_features": (
        lambda X, y, Xt: (
            lambda est, y_train: outputs(
                est.fit(X, y_train),
                [[10**6]]
                if isinstance(X, list)
                else _as_float(Xt).reshape(len(Xt), -1)[:, :-1],
            )
        ),
        ValueError,
        r"X has \d+ features, but \w+ is expecting \d+ features|outside \[0, ",
    ),
}

#: Label mistakes, for the detectors that read labels; the others ignore y.
Y_CASES = {
    "y_wrong_length": (
        lambda y: y[:-1],
        ValueError,
        "inconsistent numbers of samples",
    ),
    "y_only_anomalies": (
        lambda y: -np.ones_like(y),
        ValueError,
        r"needs normal or unlabeled training samples \(y == \+1 or 0\)",
    ),
    "y_strings": (
        lambda y: np.where(y == -1, "anomaly", "normal"),
        TypeError,
        r"y must be numeric with values in \{-1, 0, \+1\}",
    ),
    "y_other_values": (lambda y: y * 2, ValueError, r"label values \[-2\] outside"),
}


def _uses_labels(cls):
    # OneClassModel's depends on its loss: ask an instance.
    return getattr(quick(cls), "_uses_labels", False)


def _cells(cases, applies=lambda cls: True):
    return [
        pytest.param(name, case, id=f"{name}-{case}")
        for name, cls in sorted(PUBLIC.items())
        if applies(cls)
        for case in cases
    ]


@pytest.mark.parametrize(("name", "case"), _cells(X_CASES))
def test_bad_x_is_a_named_error(name, case):
    cls = PUBLIC[name]
    X, y, X_test = task(cls)
    make, errors, match = X_CASES[case]
    run = make(X, y, X_test)
    with pytest.raises(errors, match=match):
        run(quick(cls), y)


@pytest.mark.parametrize(("name", "case"), _cells(Y_CASES, _uses_labels))
def test_bad_labels_are_a_named_error(name, case):
    cls = PUBLIC[name]
    X, y, _ = task(cls)
    make, error, match = Y_CASES[case]
    with pytest.raises(error, match=match):
        quick(cls).fit(X, make(y))


@pytest.mark.parametrize(
    ("name", "case"), _cells(Y_CASES, lambda c: not _uses_labels(c))
)
def test_detectors_without_labels_ignore_any_y(name, case):
    cls = PUBLIC[name]
    X, y, X_test = task(cls)
    make, _, _ = Y_CASES[case]
    with warnings.catch_warnings():
        warnings.simplefilter("error", LabelWarning)
        with_y = quick(cls).fit(X, make(y))
    np.testing.assert_array_equal(
        outputs(with_y, X_test), outputs(quick(cls).fit(X), X_test)
    )


@pytest.mark.parametrize(
    "name", [n for n, c in sorted(PUBLIC.items()) if _uses_labels(c)]
)
def test_pyod_style_labels_warn_with_the_fix(name):
    """y in {0, 1} with 1 = anomaly is read as labeled *normals*: warned,
    naming the conversion (a detector that needs negatives then also says
    that it has none)."""
    cls = PUBLIC[name]
    X, y, _ = task(cls)
    pyod_y = (y == -1).astype(int)
    with pytest.warns(LabelWarning, match=r"np\.where\(y == 1, -1, 0\)"):
        try:
            quick(cls).fit(X, pyod_y)
        except ValueError as error:
            assert "needs negatives" in str(error)


@pytest.mark.parametrize(
    "name", [n for n, c in sorted(PUBLIC.items()) if c not in TEXT and n != "FCDD"]
)
def test_a_dataframe_gives_the_array_result_and_names_its_columns(name):
    cls = PUBLIC[name]
    X, y, X_test = task(cls)
    columns = [f"f{i}" for i in range(X.shape[1])]
    frame = quick(cls).fit(pd.DataFrame(X, columns=columns), y)
    array = quick(cls).fit(X, y)
    np.testing.assert_allclose(
        outputs(frame, pd.DataFrame(X_test, columns=columns)),
        outputs(array, X_test),
    )
    assert list(frame.feature_names_in_) == columns


DEEP = [n for n, c in sorted(PUBLIC.items()) if "lr" in c().get_params()]


@pytest.mark.parametrize("name", DEEP)
def test_a_diverged_fit_never_calls_its_samples_inliers(name):
    """lr=1e6 blows the network up: predict either refuses (NaN scores) with
    a TrainingWarning at fit and no finite offset, or its scores are finite."""
    cls = PUBLIC[name]
    X, y, X_test = task(cls)
    if not isinstance(X, list):
        X, X_test = _as_float(X) * 1e3, _as_float(X_test) * 1e3
    est = quick(cls)
    est.set_params(
        **{"estimator__lr" if "estimator" in est.get_params() else "lr": 1e6}
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(X, y)
    try:
        result = outputs(est, X_test)
    except ValueError as error:
        assert "NaN or infinite" in str(error) and "lower lr" in str(error)
        assert any(issubclass(w.category, TrainingWarning) for w in caught)
        if not isinstance(est, TransformerMixin):
            assert not np.isfinite(est.offset_)
            with pytest.raises(ValueError, match="NaN or infinite"):
                est.predict(X_test)
        return
    assert np.isfinite(result).all()
    if not isinstance(est, TransformerMixin):
        assert set(np.unique(est.predict(X_test))) <= {-1, 1}


BAD_SETTINGS = {
    "device": ("tpu9", "'device' parameter of"),
    "hidden_dims": ((0,), "'hidden_dims' parameter of"),
    "rep_dim": (0, "'rep_dim' parameter of"),
    "contamination": (0.9, "'contamination' parameter of"),
}


@pytest.mark.parametrize(
    ("name", "setting"),
    [
        pytest.param(n, s, id=f"{n}-{s}")
        for n, c in sorted(PUBLIC.items())
        for s in BAD_SETTINGS
        if s in clone(quick(c)).get_params()
    ],
)
def test_bad_settings_are_named_before_training(name, setting):
    cls = PUBLIC[name]
    X, y, _ = task(cls)
    value, match = BAD_SETTINGS[setting]
    est = quick(cls).set_params(**{setting: value})
    with pytest.raises(ValueError, match=match):
        est.fit(X, y)
    assert not hasattr(est, "net_")


@pytest.mark.parametrize(
    ("est", "match"),
    [
        (
            OneClassModel(loss=Hinge(nu=-0.5)),
            r"'nu' parameter of Hinge must be a float in the range \(0.0, 1.0\]",
        ),
        (DRA(hidden_dims=()), "'hidden_dims' parameter of DRA must be a non-empty"),
        (AutoEncoder(hidden_dims=(0,)), "'hidden_dims' parameter of AutoEncoder"),
    ],
    ids=["hinge-nu", "dra-no-layers", "autoencoder-zero-width"],
)
def test_bad_parts_and_network_sizes_are_named(est, match):
    X, y, _ = task(DRA)
    with pytest.raises(ValueError, match=match):
        est.fit(X, y)


def test_the_scorer_names_pyod_style_labels():
    """GridSearchCV with scikit-learn's y (0/1) and a skoneclass scorer: the
    message says what is wrong with y and how to convert it."""
    X, y, _ = task(SVDD)
    est = SVDD().fit(X)
    with pytest.raises(ValueError, match=r"y has no -1 at all.*np\.where\(y == 1"):
        roc_auc_scorer(est, X, (y == -1).astype(int))
