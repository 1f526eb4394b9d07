"""The PyOD bridge, against real PyOD detectors and PyOD's own utilities."""

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skoneclass import DeepSAD, OneClassModel
from skoneclass.metrics import labeled_roc_auc, roc_auc_scorer

from .conftest import make_one_class_task

pyod = pytest.importorskip("pyod")
from pyod.models.base import BaseDetector as PyODBase  # noqa: E402
from pyod.models.devnet import DevNet  # noqa: E402
from pyod.models.iforest import IForest  # noqa: E402
from pyod.models.knn import KNN  # noqa: E402
from pyod.utils.data import evaluate_print  # noqa: E402
from pyod.utils.utility import precision_n_scores, standardizer  # noqa: E402

from skoneclass.pyod_bridge import PyODAdapter, PyODDetector  # noqa: E402


def test_a_wrapped_pyod_detector_follows_skoneclass_conventions():
    X_train, X_test, y_test = make_one_class_task()
    pyod_knn = KNN(n_neighbors=10).fit(X_train)
    ours = PyODDetector(KNN(n_neighbors=10)).fit(X_train)
    np.testing.assert_allclose(
        ours.score_samples(X_test), -pyod_knn.decision_function(X_test)
    )
    # Same threshold: PyOD's 0 / 1 are our +1 / -1.
    np.testing.assert_array_equal(
        ours.predict(X_test), np.where(pyod_knn.predict(X_test) == 1, -1, 1)
    )
    assert roc_auc_score(y_test, ours.score_samples(X_test)) > 0.95
    fixed = PyODDetector(KNN(), contamination=0.2).fit(X_train)
    assert np.mean(fixed.predict(X_train) == -1) == pytest.approx(0.2, abs=0.01)


def test_grid_search_over_a_wrapped_pyod_detector_with_our_scorer():
    X_train, X_test, y_test = make_one_class_task(n_train=400)
    rng = np.random.RandomState(0)
    anomalies = rng.uniform(-8, 8, size=(40, X_train.shape[1]))
    X = np.vstack([X_train, anomalies])
    y = np.r_[np.zeros(len(X_train), dtype=int), -np.ones(40, dtype=int)]
    y[rng.choice(len(X_train), 40, replace=False)] = 1  # some known normals
    search = GridSearchCV(
        make_pipeline(StandardScaler(), PyODDetector(KNN())),
        {"pyoddetector__detector__n_neighbors": [2, 10, 50]},
        scoring=roc_auc_scorer,
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
    ).fit(X, y)
    assert search.best_score_ > 0.9
    assert labeled_roc_auc(y_test, search.score_samples(X_test)) > 0.95


class _RecordsLabels(PyODBase):
    """A semi-supervised PyOD-style detector: the distance to the mean of
    the samples it was told are inliers."""

    def __init__(self, contamination=0.1):
        super().__init__(contamination=contamination)

    def fit(self, X, y=None):
        self.y_ = y
        self.center_ = X[y == 0].mean(axis=0)
        self.decision_scores_ = self.decision_function(X)
        self._process_decision_scores()
        return self

    def decision_function(self, X):
        return np.linalg.norm(X - self.center_, axis=1)


def test_labels_reach_a_semi_supervised_pyod_detector(capsys):
    X_train, X_test, y_test = make_one_class_task()
    X = np.vstack([X_train, np.full((30, X_train.shape[1]), 100.0)])
    y = np.r_[np.zeros(len(X_train), dtype=int), -np.ones(30, dtype=int)]
    y[:10] = 1  # known normals are inliers for PyOD too
    model = PyODDetector(_RecordsLabels(), labels="pass").fit(X, y)
    np.testing.assert_array_equal(model.detector_.y_, (y == -1).astype(int))
    # The labeled anomalies far away did not move the center.
    assert np.abs(model.detector_.center_).max() < 1
    with pytest.raises(ValueError, match="outside"):
        PyODDetector(_RecordsLabels(), labels="pass").fit(X, y + 5)
    # PyOD's DevNet gets them too. (Its PyOD 3.6 port ranks inversely even
    # on its own training data, AUROC 0.0 after 5 epochs here, so only the
    # labels are checked.)
    PyODDetector(DevNet(epochs=1, nb_batch=2), labels="pass").fit(X, y)
    assert "No. outliers: 30" in capsys.readouterr().out


def test_skoneclass_estimators_through_pyods_evaluation_utilities(capsys):
    X_train, X_test, y_test = make_one_class_task()
    is_outlier = (y_test == -1).astype(int)  # PyOD's labels
    detectors = {
        "DeepSAD": PyODAdapter(DeepSAD(max_epochs=10, lr=1e-3, random_state=0)),
        "OneClassModel": PyODAdapter(OneClassModel(max_epochs=10, random_state=0)),
        "IForest": IForest(random_state=0),
    }
    test_scores = []
    for name, clf in detectors.items():
        clf.fit(X_train)
        assert clf.labels_.mean() == pytest.approx(0.1, abs=0.01)
        scores = clf.decision_function(X_test)
        evaluate_print(name, is_outlier, scores)
        assert precision_n_scores(is_outlier, scores) > 0.8
        proba = clf.predict_proba(X_test)
        assert proba.shape == (len(X_test), 2)
        # Probabilities: rows sum to 1, and the outlier column rises with the
        # anomaly score (PyOD's "linear" method rescales the training range).
        np.testing.assert_allclose(proba.sum(axis=1), 1.0)
        assert proba.min() >= 0 and proba.max() <= 1
        assert np.all(np.diff(proba[np.argsort(scores), 1]) >= -1e-12)
        assert proba[np.argmax(scores), 1] > proba[np.argmin(scores), 1]
        np.testing.assert_array_equal(clf.predict(X_test), scores > clf.threshold_)
        test_scores.append(scores)
    printed = capsys.readouterr().out
    assert "DeepSAD ROC:" in printed and "OneClassModel ROC:" in printed
    # PyOD's score standardization, then the mean over the detectors.
    combined = standardizer(np.column_stack(test_scores)).mean(axis=1)
    assert roc_auc_score(is_outlier, combined) > 0.95


def test_pyod_labels_reach_a_semi_supervised_skoneclass_estimator():
    X_train, _, _ = make_one_class_task()
    y = np.zeros(len(X_train), dtype=int)
    y[:5] = 1  # PyOD's label of a known outlier
    adapter = PyODAdapter(DeepSAD(max_epochs=2, pretrain=None, random_state=0))
    adapter.fit(X_train, y)
    direct = DeepSAD(max_epochs=2, pretrain=None, random_state=0).fit(X_train, -y)
    np.testing.assert_allclose(adapter.decision_scores_, -direct.score_samples(X_train))


class _NoGetParams:
    """PyOD's interface without scikit-learn's get_params, as DeepOD's
    detectors have: the distance to the training mean."""

    def __init__(self, contamination=0.1):
        self.contamination = contamination

    def fit(self, X, y=None):
        self.center_ = X.mean(axis=0)
        self.threshold_ = np.quantile(self.decision_function(X), 1 - self.contamination)
        return self

    def decision_function(self, X):
        return np.linalg.norm(X - self.center_, axis=1)


def test_a_detector_without_get_params_is_copied_not_cloned():
    X_train, X_test, y_test = make_one_class_task()
    detector = _NoGetParams(contamination=0.2)
    model = PyODDetector(detector).fit(X_train)
    assert model.detector_ is not detector and not hasattr(detector, "center_")
    assert model.detector_.contamination == 0.2
    np.testing.assert_allclose(
        model.score_samples(X_test), -model.detector_.decision_function(X_test)
    )
    assert np.mean(model.predict(X_train) == -1) == pytest.approx(0.2, abs=0.01)
    assert roc_auc_score(y_test, model.score_samples(X_test)) > 0.9
    with pytest.raises(ValueError, match="implementing 'fit' and 'decision_fun"):
        PyODDetector().fit(X_train)
    with pytest.raises(ValueError, match="needs a skoneclass estimator"):
        PyODAdapter().fit(X_train)


def test_deepod_detectors_share_the_bridge():
    """DeepOD's detectors have PyOD's interface but no get_params."""
    tabular = pytest.importorskip("deepod.models.tabular")
    X_train, X_test, y_test = make_one_class_task()
    model = PyODDetector(tabular.DeepSVDD(epochs=5, verbose=0, device="cpu"))
    model.fit(X_train)
    assert roc_auc_score(y_test, model.score_samples(X_test)) > 0.8
