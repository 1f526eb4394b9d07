"""scikit-learn's own estimator checks over every skoneclass detector."""

import numpy as np
import pytest
from pyod.models.knn import KNN
from sklearn.base import clone
from sklearn.datasets import make_blobs
from sklearn.utils.estimator_checks import (
    check_do_not_raise_errors_in_init_or_set_params,
    check_estimator_cloneable,
    check_estimator_repr,
    check_estimator_tags_renamed,
    check_estimators_unfitted,
    check_get_params_invariance,
    check_mixin_order,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_set_params,
    check_valid_tag_types,
    parametrize_with_checks,
)
from sklearn.utils.validation import _num_samples

from skoneclass import (
    CVDD,
    DRA,
    FCDD,
    HSC,
    KDE,
    OIAD,
    RSCVAE,
    VAE,
    AutoEncoder,
    AutoencoderEmbedding,
    DecentralizationAE,
    DeepSAD,
    DeepSVDD,
    DeepSVDDEmbedding,
    DevNet,
    OneClassModel,
)
from skoneclass.parts import DeepSADLoss, Hinge, Hypersphere, Kernel, RandomFourier
from skoneclass.pyod_bridge import PyODDetector

from .conftest import DETECTORS

ESTIMATORS = [
    *DETECTORS,
    KDE(loss="hampel"),  # the robust KDE's reweighting, beside the plain one
    # Deep detectors with few epochs: the checks test the API, not the fit.
    DeepSVDD(max_epochs=2, pretrain_epochs=1, random_state=0),
    DeepSVDD(objective="soft-boundary", max_epochs=2, pretrain=None, random_state=0),
    DeepSAD(max_epochs=2, pretrain_epochs=1, random_state=0),
    AutoEncoder(max_epochs=2, random_state=0),
    HSC(max_epochs=2, random_state=0),
    # The VAE family (issue 5), each with its own parts.
    VAE(max_epochs=2, random_state=0),
    VAE(anomaly_score="iwae", max_epochs=2, random_state=0),
    RSCVAE(max_epochs=2, random_state=0),
    DecentralizationAE(center="moving", max_epochs=2, random_state=0),
    OIAD(max_epochs=2, discriminator_dims=(8,), n_morphs=3, random_state=0),
    # Open-set supervised detectors (issue 6); DRA also fits without labels.
    # FCDD and CVDD take images and token sequences, not the checks' tabular
    # data: they get the fit-free checks (the end of this module).
    DRA(max_epochs=2, random_state=0),
    DevNet(max_epochs=2, random_state=0),
    # OneClassModel through each solver: SGD on a network, SGD on a fixed
    # explicit map (semi-supervised), and the exact QP.
    OneClassModel(max_epochs=2, random_state=0),
    OneClassModel(
        RandomFourier(n_components=20),
        Hypersphere(),
        DeepSADLoss(),
        solver="sgd",
        max_epochs=2,
        random_state=0,
    ),
    OneClassModel(Kernel(), Hypersphere(), Hinge()),
    AutoencoderEmbedding(AutoEncoder(max_epochs=2, random_state=0)),
    DeepSVDDEmbedding(DeepSVDD(max_epochs=2, pretrain=None, random_state=0)),
]

ESTIMATORS.append(PyODDetector(KNN(n_neighbors=3)))  # PyOD: a dev dependency


# -- semi-supervised detectors: the checks with valid labels -------------------
#
# The checks pass class labels such as {1, 2} or {0, 1, 2} as y, and fit
# without y where a detector needs labeled negatives. A semi-supervised
# detector must reject both (reading class labels as skoneclass labels would
# silently fit a wrong model; test_labels_the_checks_pass_are_rejected below).
# So the checks run on a test-only subclass whose ``fit`` first maps their y
# to valid labels and otherwise is the detector itself.

#: Detectors that are classifiers against labeled negatives (y == -1).
NEEDS_NEGATIVES = (HSC, DevNet)


def valid_labels(X, y, needs_negatives):
    """The checks' y in skoneclass's convention.

    The largest class becomes the labeled anomalies (-1), the others are
    unlabeled (0). Without y, or with one class, every tenth row is a
    labeled anomaly for a detector that needs negatives, else none is.
    """
    if y is not None:
        y = np.asarray(y)
        classes = np.unique(y)
        if len(classes) > 1:
            return np.where(y == classes[-1], -1, 0)
    labels = np.zeros(_num_samples(X), dtype=int)
    if needs_negatives:
        labels[::10] = -1
    return labels


def _labeled_subclass(cls):
    """A subclass of ``cls`` that passes ``valid_labels`` to ``cls.fit``.

    It is a module attribute, so that pickle finds it.
    """
    needs_negatives = issubclass(cls, NEEDS_NEGATIVES)

    def fit(self, X, y=None):
        return super(subclass, self).fit(X, valid_labels(X, y, needs_negatives))

    name = f"Labeled{cls.__name__}"
    subclass = type(name, (cls,), {"fit": fit, "__module__": __name__})
    globals()[name] = subclass
    return subclass


def with_valid_labels(estimator):
    """The estimator itself, or its labeled twin if it uses labels."""
    if not getattr(estimator, "_uses_labels", False):
        return estimator
    return _labeled_subclass(type(estimator))(**estimator.get_params(deep=False))


CHECKED = [with_valid_labels(est) for est in ESTIMATORS]
LABELED = [est for est in ESTIMATORS if getattr(est, "_uses_labels", False)]


@parametrize_with_checks(CHECKED)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.parametrize("est", LABELED, ids=lambda e: type(e).__name__)
def test_labels_the_checks_pass_are_rejected(est):
    """What the checks' y would do to the detectors themselves: class labels
    are refused, and so is a fit without negatives where they are needed."""
    X, classes = make_blobs(30, 3, centers=2, random_state=0)
    with pytest.raises(ValueError, match=r"y contains label values \[2\] outside"):
        clone(est).fit(X, classes + 1)
    if isinstance(est, NEEDS_NEGATIVES):
        with pytest.raises(ValueError, match="needs negatives"):
            clone(est).fit(X)
    # The labeled twin is the detector: same parameters, same scores.
    twin = with_valid_labels(est)
    y = valid_labels(X, classes, isinstance(est, NEEDS_NEGATIVES))
    np.testing.assert_array_equal(
        clone(twin).fit(X, classes).score_samples(X),
        clone(est).fit(X, y).score_samples(X),
    )
    assert twin.get_params() == est.get_params()


@pytest.mark.parametrize(
    "est", [*LABELED, FCDD(max_epochs=1)], ids=lambda e: type(e).__name__
)
def test_labels_with_only_anomalies_are_refused(est):
    """No normal and no unlabeled sample: a clear error, not a torch error,
    a NaN model or a model trained on anomalies as if they were normal."""
    X = np.random.RandomState(0).rand(20, 1, 8, 8)
    if not isinstance(est, FCDD):
        X = X.reshape(20, -1)
    with pytest.raises(ValueError, match="needs normal or unlabeled training samples"):
        clone(est).fit(X, -np.ones(20, dtype=int))


# -- FCDD and CVDD: the checks that need no tabular fit -------------------------
# They take images and token sequences, not the checks' tabular data (their
# fits are tested in tests/deep/test_fcdd.py and test_cvdd.py); the API checks
# that fit nothing apply to them as to every estimator.
FIT_FREE_CHECKS = (
    check_estimator_cloneable,
    check_estimator_repr,
    check_estimator_tags_renamed,
    check_valid_tag_types,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_get_params_invariance,
    check_set_params,
    check_do_not_raise_errors_in_init_or_set_params,
    check_mixin_order,
    check_estimators_unfitted,
)


@pytest.mark.parametrize("check", FIT_FREE_CHECKS, ids=lambda c: c.__name__)
@pytest.mark.parametrize(
    "est",
    [FCDD(channels=(8, 8), max_epochs=1, random_state=0), CVDD(max_epochs=1)],
    ids=lambda e: type(e).__name__,
)
def test_fit_free_checks_of_the_image_and_text_detectors(est, check):
    check(type(est).__name__, est)
