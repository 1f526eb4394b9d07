"""The deviation loss, balanced batches, DevNet and DRA."""

import copy

import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

from benchmarks.open_set import evaluate, open_set_split
from skoneclass import DRA, DevNet, OneClassModel
from skoneclass.deep.engine import Batches
from skoneclass.parts import (
    MLP,
    DeviationLoss,
    DistributionShift,
    Hypersphere,
    LinearScore,
    MeanScore,
    WeightDecay,
)

# -- the deviation loss, balanced batches, DevNet ------------------------------


def test_balanced_batches_hold_the_anomaly_fraction():
    labels = np.r_[np.zeros(90, dtype=int), -np.ones(10, dtype=int)]
    batches = Batches(
        lambda i: i, 100, 20, shuffle=True, labels=labels, anomaly_fraction=0.5
    )
    seen = [np.asarray(b) for b in batches]
    assert len(seen) == len(batches) == 9  # one pass over the 90 others
    for b in seen:
        assert (labels[b] == -1).sum() == 10 and len(b) == 20
    others = np.concatenate([b[labels[b] == 0] for b in seen])
    assert sorted(others) == list(range(90))


def test_deviation_loss_composes_with_any_scoring_model():
    X_train, y_train, X_normal, X_seen, _ = open_set_split(0)
    X_test = np.vstack([X_normal, X_seen])
    truth = np.r_[np.zeros(len(X_normal)), np.ones(len(X_seen))]
    for model in (LinearScore(), Hypersphere()):
        est = OneClassModel(
            MLP(hidden_dims=(32,), rep_dim=16),
            model,
            DeviationLoss(),
            regularizer=[WeightDecay(1e-4)],
            lr=1e-3,
            lr_milestones=None,
            max_epochs=30,
            batch_size=32,
            random_state=0,
        ).fit(X_train, y_train)
        assert roc_auc_score(truth, -est.score_samples(X_test)) > 0.95


def test_devnet_needs_labeled_anomalies():
    X_train, y_train, *_ = open_set_split(0)
    with pytest.raises(ValueError, match="needs negatives"):
        DevNet(max_epochs=1).fit(X_train)


# -- DRA: seen and unseen anomalies --------------------------------------------


@pytest.mark.slow
def test_dra_holds_up_on_unseen_anomalies_where_devnet_drops():
    # Normal digits 0-2, seen digits d+1 and d+2 (benchmarks/open_set.py).
    results = {
        m: np.array(
            [[evaluate(m, d, 0)[k] for k in ("seen", "unseen")] for d in range(3)]
        )
        for m in ("DRA", "DevNet")
    }
    dra, devnet = results["DRA"].mean(axis=0), results["DevNet"].mean(axis=0)
    assert dra[0] > 0.97 and devnet[0] > 0.95  # both learn the seen anomalies
    # Measured: DRA 0.991, DevNet 0.899 on the unseen digits.
    assert dra[1] > 0.96
    assert dra[1] - devnet[1] > 0.04


def test_dra_heads_cnn_and_zero_shot():
    X_train, y_train, X_normal, X_seen, _ = open_set_split(1)
    images = X_train.reshape(-1, 1, 8, 8)
    dra = DRA(max_epochs=10, random_state=0).fit(images, y_train)
    heads = dra.head_scores(X_seen.reshape(-1, 8, 8))
    assert heads.shape == (len(X_seen), 4) and (heads >= 0).all()
    total = heads[:, 0] + heads[:, 1] + heads[:, 2] - heads[:, 3]
    np.testing.assert_allclose(-total, dra.score_samples(X_seen))
    zero_shot = DRA(max_epochs=20, random_state=0).fit(X_train[y_train == 0])
    assert zero_shot.n_labeled_anomalies_ == 0
    truth = np.r_[np.zeros(len(X_normal)), np.ones(len(X_seen))]
    scores = zero_shot.score_samples(np.vstack([X_normal, X_seen]))
    assert roc_auc_score(truth, -scores) > 0.9


def test_dra_trains_a_copy_of_the_users_torch_module():
    X_train, y_train, *_ = open_set_split(2)
    images = X_train.reshape(-1, 1, 8, 8)
    trunk = torch.nn.Sequential(torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.ReLU())
    before = copy.deepcopy(trunk.state_dict())
    dra = DRA(network=trunk, max_epochs=2, random_state=0).fit(images, y_train)
    scores = dra.score_samples(images)
    assert scores.shape == (len(images),)
    # fit never modifies a parameter: the user's weights are untouched, the
    # fitted network is another object, and a refit starts from the same
    # weights, so it gives the same scores.
    assert dra.network is trunk
    for name, value in trunk.state_dict().items():
        torch.testing.assert_close(value, before[name], rtol=0, atol=0)
    assert all(
        p.data_ptr() not in {q.data_ptr() for q in trunk.parameters()}
        for p in dra.net_.module_.parameters()
    )
    refit = DRA(network=trunk, max_epochs=2, random_state=0).fit(images, y_train)
    np.testing.assert_array_equal(refit.score_samples(images), scores)


def test_pseudo_anomalies_need_a_loss_with_labels():
    X_train, *_ = open_set_split(0)
    with pytest.raises(ValueError, match="makes pseudo anomalies"):
        OneClassModel(MLP(), Hypersphere(), MeanScore(), [DistributionShift(0.5)]).fit(
            X_train
        )
