"""n_networks: deep detectors as the mean of independently drawn networks."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from skorch.callbacks import Callback

from skoneclass import FCDD, DeepSAD, DeepSVDD, OneClassModel, load, save
from skoneclass.exceptions import LabelWarning
from skoneclass.parts import Hinge, Hypersphere, Identity

from ..catalogue import quick, task

QUICK = {"max_epochs": 3, "pretrain_epochs": 2, "lr": 1e-3, "lr_milestones": None}


def _blobs(seed=0):
    rng = np.random.RandomState(seed)
    X = np.r_[rng.randn(150, 4), rng.randn(15, 4) + 3.0]
    y = np.r_[np.zeros(150, int), -np.ones(5, int), np.zeros(10, int)]
    return X, y


def test_the_score_is_the_mean_of_each_networks_standardized_score():
    X, y = _blobs()
    est = DeepSAD(n_networks=3, random_state=0, **QUICK).fit(X, y)
    assert len(est.networks_) == 3
    assert {n.n_networks for n in est.networks_} == {1}
    seeds = [n.random_state for n in est.networks_]
    assert len(set(seeds)) == 3
    by_hand = []
    for network in est.networks_:
        train = network.score_samples(X)
        low, median, high = np.percentile(train, [25, 50, 75])
        by_hand.append((network.score_samples(X[:7]) - median) / (high - low))
    np.testing.assert_allclose(est.score_samples(X[:7]), np.mean(by_hand, axis=0))
    assert est.net_ is est.networks_[0].net_
    assert est.pretrain_history_ is est.networks_[0].pretrain_history_
    np.testing.assert_array_equal(est.center_, est.networks_[0].center_)
    # No boundary of its own: contamination="auto" flags 10% of the training.
    assert np.mean(est.predict(X) == -1) == pytest.approx(0.1, abs=0.01)


def test_networks_are_reproducible_and_each_is_a_one_network_fit():
    X, y = _blobs()
    a = DeepSAD(n_networks=2, random_state=3, **QUICK).fit(X, y)
    b = DeepSAD(n_networks=2, random_state=3, **QUICK).fit(X, y)
    np.testing.assert_array_equal(a.score_samples(X), b.score_samples(X))
    second = DeepSAD(n_networks=1, random_state=a.networks_[1].random_state, **QUICK)
    np.testing.assert_array_equal(
        second.fit(X, y).score_samples(X), a.networks_[1].score_samples(X)
    )


def test_the_mean_of_five_ranks_better_than_its_networks():
    # Breast cancer with its malignant tenth left unlabeled in the training
    # data (the contaminated benchmark's task): one network's AUROC moves by
    # tens of points with its initialization.
    X, y = load_breast_cancer(return_X_y=True)
    rng = np.random.RandomState(0)
    keep = np.r_[np.flatnonzero(y == 1), rng.choice(np.flatnonzero(y == 0), 36, False)]
    X, anomaly = X[keep], y[keep] == 0
    X_train, X_test, _, a_test = train_test_split(
        X, anomaly, test_size=0.3, stratify=anomaly, random_state=0
    )
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    for seed in (0, 1):
        est = DeepSVDD(
            n_networks=5,
            max_epochs=20,
            pretrain_epochs=10,
            lr=1e-3,
            lr_milestones=None,
            random_state=seed,
        ).fit(X_train)
        single = [
            roc_auc_score(a_test, -n.score_samples(X_test)) for n in est.networks_
        ]
        mean_of_five = roc_auc_score(a_test, -est.score_samples(X_test))
        assert max(single) - min(single) > 0.1
        assert mean_of_five > np.mean(single) + 0.05


def test_labels_are_checked_and_warned_about_once():
    X, _ = _blobs()
    y = np.r_[np.zeros(150, int), np.ones(15, int)]  # PyOD's 1 = anomaly
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        DeepSAD(n_networks=3, random_state=0, **QUICK).fit(X, y)
    assert sum(issubclass(w.category, LabelWarning) for w in caught) == 1


def test_image_networks_get_the_images_shape():
    X, y, X_test = task(FCDD)
    est = quick(FCDD).set_params(n_networks=2).fit(X, y)
    assert est.score_samples(X_test).shape == (len(X_test),)
    assert est.explain(X_test[:2]).shape == (2, *X.shape[2:])


def test_save_and_load_keep_every_network(tmp_path):
    X, y = _blobs()
    est = DeepSAD(n_networks=2, random_state=0, **QUICK).fit(X, y)
    save(est, tmp_path / "m.skoc")
    loaded = load(tmp_path / "m.skoc")
    np.testing.assert_array_equal(loaded.score_samples(X), est.score_samples(X))


def test_one_class_model_passes_n_networks_to_its_sgd_solver():
    X, y = _blobs()
    preset = DeepSAD(n_networks=2, random_state=0, **QUICK)
    model = OneClassModel.from_estimator(preset).fit(X, y)
    np.testing.assert_array_equal(
        model.score_samples(X), preset.fit(X, y).score_samples(X)
    )


def test_an_exactly_solved_combination_refuses_more_than_one_network():
    parts = {"feature_map": Identity(), "model": Hypersphere(), "loss": Hinge()}
    with pytest.raises(ValueError, match=r"n_networks=2 applies to networks trained"):
        OneClassModel(**parts, n_networks=2).fit(_blobs()[0])


def test_n_networks_must_be_a_positive_integer():
    with pytest.raises(ValueError, match="'n_networks' parameter"):
        DeepSAD(n_networks=0).fit(_blobs()[0])


class _Phases(Callback):
    """Counts the trainings it sees."""

    def __init__(self):
        self.phases = []

    def on_train_begin(self, net, **kwargs):
        self.phases.append(net.phase)


def test_the_networks_train_one_after_the_other_with_the_users_callbacks():
    X, y = _blobs()
    seen = _Phases()
    DeepSAD(n_networks=2, random_state=0, callbacks=[seen], **QUICK).fit(X, y)
    assert (
        seen.phases == ["DeepSAD: pretraining the autoencoder", "DeepSAD: training"] * 2
    )
