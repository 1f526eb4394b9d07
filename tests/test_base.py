"""The shared layer: validation errors, offsets, scorers and model selection."""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skoneclass import OCSVM, SSAD, SVDD, Gaussian, LabelWarning
from skoneclass.base import check_labels
from skoneclass.datasets import make_defect_textures
from skoneclass.metrics import (
    average_precision_scorer,
    labeled_average_precision,
    labeled_roc_auc,
    roc_auc_scorer,
)

from .conftest import DETECTORS, detector_id, make_one_class_task

X_OK = np.random.RandomState(0).randn(30, 3)


@pytest.mark.parametrize("est", DETECTORS, ids=detector_id)
@pytest.mark.parametrize(
    "X, message",
    [
        (np.where(np.eye(30, 3) > 0, np.nan, X_OK), "NaN"),
        (np.where(np.eye(30, 3) > 0, np.inf, X_OK), "infinity"),
        (X_OK[:, 0], "Expected 2D array"),
        (X_OK[:1], "minimum of 2 is required"),
        (np.empty((0, 3)), "minimum of 2 is required"),
    ],
    ids=["nan", "inf", "1d", "one-sample", "empty"],
)
def test_bad_X_is_a_clear_value_error(est, X, message):
    with pytest.raises(ValueError, match=message):
        clone(est).fit(X)


@pytest.mark.parametrize("est", DETECTORS, ids=detector_id)
def test_wrong_number_of_features_at_predict(est):
    fitted = clone(est).fit(X_OK)
    for method in ("score_samples", "decision_function", "predict"):
        with pytest.raises(ValueError, match="features"):
            getattr(fitted, method)(X_OK[:, :2])


@pytest.mark.parametrize(
    "y, error, message",
    [
        (np.r_[np.zeros(29, int), 2], ValueError, r"label values \[2\]"),
        (np.r_[np.zeros(29), 0.5], ValueError, r"label values \[0.5\]"),
        (np.r_[np.zeros(29), np.nan], ValueError, "NaN"),
        (np.zeros(10), ValueError, "inconsistent numbers of samples"),
        (np.array(["a"] * 30), TypeError, "numeric"),
    ],
    ids=["two", "fraction", "nan", "length", "strings"],
)
def test_bad_labels_are_rejected_by_semi_supervised_detectors(y, error, message):
    with pytest.raises(error, match=message):
        SSAD().fit(X_OK, y)


def test_unsupervised_detectors_ignore_y():
    y = np.arange(30) % 3 + 5  # nonsense labels
    a = SVDD().fit(X_OK, y).score_samples(X_OK)
    b = SVDD().fit(X_OK).score_samples(X_OK)
    np.testing.assert_array_equal(a, b)


def test_check_labels_accepts_integral_floats_and_lists():
    np.testing.assert_array_equal(check_labels([1.0, -1.0, 0.0], 3), [1, -1, 0])
    np.testing.assert_array_equal(check_labels(None, 2), [0, 0])


@pytest.mark.parametrize("contamination", [0.0, 0.6, "high"])
def test_bad_contamination(contamination):
    with pytest.raises(ValueError, match="contamination"):
        Gaussian(contamination=contamination).fit(X_OK)


@pytest.mark.parametrize("est", DETECTORS, ids=detector_id)
def test_contamination_float_sets_the_flagged_fraction(est):
    X = np.random.RandomState(1).randn(200, 3)
    fitted = clone(est).set_params(contamination=0.05).fit(X)
    assert (fitted.predict(X) == -1).mean() == pytest.approx(0.05, abs=0.011)


@pytest.mark.parametrize("est", DETECTORS, ids=detector_id)
def test_decision_function_is_score_minus_offset(est):
    fitted = clone(est).fit(X_OK)
    np.testing.assert_allclose(
        fitted.decision_function(X_OK), fitted.score_samples(X_OK) - fitted.offset_
    )
    assert fitted.score_samples(X_OK).dtype == np.float64


def test_fit_predict_passes_labels():
    X_train, X_test, _ = make_one_class_task()
    X = np.r_[X_train, X_test[-5:]]
    y = np.r_[np.zeros(len(X_train), int), -np.ones(5, int)]
    labels = SSAD().fit_predict(X, y)
    np.testing.assert_array_equal(labels, SSAD().fit(X, y).predict(X))
    assert (labels[-5:] == -1).all()


def test_labeled_metrics_ignore_unlabeled_and_put_anomalies_first():
    y = np.array([1, 1, -1, -1, 0, 0])
    scores = np.array([0.9, 0.8, 0.1, 0.2, -5.0, 5.0])  # higher = more normal
    assert labeled_roc_auc(y, scores) == 1.0
    assert labeled_average_precision(y, scores) == 1.0
    assert labeled_roc_auc(y, -scores) == 0.0
    with pytest.raises(ValueError, match="both labeled normals"):
        labeled_roc_auc(np.array([1, 1, 0]), np.array([0.1, 0.2, 0.3]))


def test_the_likeliest_label_mistake_is_caught():
    """y in {0, 1} with 1 = anomaly (PyOD, ODDS, scikit-learn's datasets)."""
    X_train, X_test, y_test = make_one_class_task()
    X = np.r_[X_train, X_test[y_test == -1][:5]]
    y01 = np.r_[np.zeros(len(X_train), int), np.ones(5, int)]
    with pytest.warns(LabelWarning, match=r"reads as unlabeled and known \*normal"):
        SSAD().fit(X, y01)
    # The fix the warning names gives the semi-supervised model, silently.
    with warnings.catch_warnings():
        warnings.simplefilter("error", LabelWarning)
        SSAD().fit(X, np.where(y01 == 1, -1, 0))
        Gaussian().fit(X, y01)  # unsupervised: y is ignored
    # The scorers say what is wrong with such a y, not only "stratify".
    with pytest.raises(ValueError, match=r"y has no -1 at all.*np.where\(y == 1"):
        labeled_roc_auc(y01, np.zeros(len(y01)))
    with pytest.raises(ValueError, match="use a StratifiedKFold on y"):
        labeled_roc_auc(np.r_[y01[:-5], -1, 0, 0, 0, 0], np.zeros(len(y01)))


def test_labeled_metrics_equal_sklearns_on_the_labeled_samples():
    """On imperfect rankings with ties: scikit-learn's metrics of the labeled
    samples, anomaly (y == -1) positive, -score its score."""
    rng = np.random.RandomState(0)
    y = rng.choice([-1, 0, 1], size=200, p=[0.2, 0.3, 0.5])
    scores = np.round(rng.randn(200) + 0.8 * (y == 1), 1)  # overlapping, tied
    labeled = y != 0
    truth, anomaly_score = y[labeled] == -1, -scores[labeled]
    auroc, ap = labeled_roc_auc(y, scores), labeled_average_precision(y, scores)
    assert auroc == pytest.approx(roc_auc_score(truth, anomaly_score), abs=1e-15)
    assert ap == pytest.approx(average_precision_score(truth, anomaly_score), abs=1e-15)
    assert 0.6 < auroc < 0.9 and truth.mean() < ap < 0.9  # neither trivial nor perfect
    # Unlabeled samples do not count, whatever their scores.
    moved = np.where(labeled, scores, rng.randn(200) * 100)
    assert labeled_average_precision(y, moved) == ap
    # The scorers are these metrics of decision_function.
    est = SVDD(gamma=0.5).fit(rng.randn(100, 2))
    X = rng.randn(200, 2) * np.where(y == -1, 3.0, 1.0)[:, None]
    decision = est.decision_function(X)
    assert average_precision_scorer(est, X, y) == labeled_average_precision(y, decision)
    assert roc_auc_scorer(est, X, y) == labeled_roc_auc(y, decision)
    assert average_precision_scorer(est, X, y) > (y[labeled] == -1).mean()


def test_grid_search_with_labeled_scorer_on_partial_labels():
    X_train, X_test, y_test = make_one_class_task(n_train=150, n_test=100)
    X = np.r_[X_train, X_test]
    y = np.r_[np.zeros(len(X_train), int), y_test]  # -1, 0 and +1 all present
    search = GridSearchCV(
        SVDD(),
        {"gamma": [0.01, 0.1, 1.0], "nu": [0.05, 0.2]},
        scoring={"auroc": roc_auc_scorer, "ap": average_precision_scorer},
        refit="auroc",
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
    ).fit(X, y)
    assert np.isfinite(search.cv_results_["mean_test_auroc"]).all()
    assert search.best_score_ > 0.9


def test_scorer_works_through_a_pipeline():
    X_train, X_test, y_test = make_one_class_task()
    pipe = make_pipeline(StandardScaler(), SVDD()).fit(X_train)
    assert roc_auc_scorer(pipe, X_test, y_test) > 0.9


# -- image input, for every estimator --------------------------------------


def test_shallow_detectors_take_images_as_pixel_features():
    X, y, _ = make_defect_textures(60, 10, size=8, random_state=0)
    images = OCSVM().fit(X[y == 1])
    rows = OCSVM().fit(X[y == 1].reshape(60, -1))
    assert images.image_shape_ == (1, 8, 8) and rows.image_shape_ is None
    np.testing.assert_allclose(images.score_samples(X), rows.score_samples(X))
    np.testing.assert_allclose(
        images.score_samples(X[:, 0]), rows.score_samples(X.reshape(70, -1))
    )
    with pytest.raises(ValueError, match=r"got a 5-D X"):
        OCSVM().fit(X[:, None])
