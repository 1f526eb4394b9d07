"""Images, open-set supervision and text (issue 6): image input, FCDD, the
deviation loss, DevNet, DRA and CVDD."""

import copy
import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.metrics import roc_auc_score

from benchmarks.open_set import evaluate, open_set_split
from skoneclass import CVDD, DRA, FCDD, OCSVM, DevNet, OneClassModel
from skoneclass.datasets import make_defect_textures, make_topic_corpus
from skoneclass.datasets.synthetic import STOP_WORDS
from skoneclass.deep.engine import Batches
from skoneclass.parts import (
    FCN,
    MLP,
    DeviationLoss,
    DistributionShift,
    Heatmap,
    HSCLoss,
    Hypersphere,
    LinearScore,
    MeanScore,
    WeightDecay,
)

# -- image input for every estimator -------------------------------------------


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


# -- FCDD ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def defects():
    X_train, _, _ = make_defect_textures(300, 0, random_state=0)
    X_test, y_test, masks = make_defect_textures(60, 60, random_state=1)
    fcdd = FCDD(channels=(32, 64), max_epochs=40, random_state=0).fit(X_train)
    return fcdd, X_test, y_test, masks


def test_fcdd_heatmaps_find_the_defects(defects):
    fcdd, X, y, masks = defects
    anomalous = y == -1
    assert roc_auc_score(anomalous, -fcdd.score_samples(X)) > 0.95
    heatmaps = fcdd.explain(X[anomalous])
    assert heatmaps.shape == (60, 32, 32)
    # Pixel-level AUROC against the drawn defects (measured 0.988).
    assert roc_auc_score(masks[anomalous].ravel(), heatmaps.ravel()) > 0.9


def test_fcdd_score_is_the_mean_of_the_low_resolution_heatmap(defects):
    fcdd, X, _, _ = defects
    low = fcdd.explain(X[:5], upsample=False)
    assert low.shape == (5, 16, 16)
    np.testing.assert_allclose(low.mean(axis=(1, 2)), -fcdd.score_samples(X[:5]))
    assert fcdd.receptive_field_ == 8


def test_fcdd_is_reproducible_and_pickles():
    X, _, _ = make_defect_textures(40, 0, size=16, random_state=0)
    params = {"channels": (8, 8), "max_epochs": 2, "random_state": 3}
    a, b = FCDD(**params).fit(X), FCDD(**params).fit(X)
    np.testing.assert_array_equal(a.score_samples(X), b.score_samples(X))
    c = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(a.explain(X), c.explain(X))
    # Flattened rows with a declared shape are the same model.
    d = FCDD(image_shape=(1, 16, 16), **params).fit(X.reshape(40, -1))
    np.testing.assert_allclose(d.score_samples(X), a.score_samples(X))


def test_fcdd_needs_negatives_and_images():
    X, _, _ = make_defect_textures(20, 0, size=8, random_state=0)
    with pytest.raises(ValueError, match="needs negatives"):
        FCDD(synthetic_anomalies=None, max_epochs=1).fit(X)
    with pytest.raises(ValueError, match="takes its image shape from the data"):
        FCDD(max_epochs=1).fit(X.reshape(20, -1))
    # The FCN's shape checks, by the part and through the estimator.
    with pytest.raises(ValueError, match=r"needs image sides divisible by 4, got"):
        FCN((1, 30, 30), channels=(8, 8, 8)).network_kwargs(900)
    with pytest.raises(ValueError, match=r"takes \(C, H, W\) images of 64 features"):
        FCN((1, 8, 8)).network_kwargs(63)
    with pytest.raises(ValueError, match="divisible by 8"):
        FCDD(channels=(4, 4, 4, 4), max_epochs=1).fit(X[:, :, :6, :6])
    assert FCN((1, 8, 8), channels=(4, 4)).output_dim(64) == 16  # a 4x4 map


def test_fcdd_is_a_preset_of_the_parts():
    X, _, _ = make_defect_textures(40, 0, size=16, random_state=0)
    params = {"channels": (8, 8), "max_epochs": 2, "random_state": 3}
    preset = FCDD(**params).fit(X)
    composed = OneClassModel.from_estimator(FCDD(**params)).fit(X)
    np.testing.assert_allclose(composed.score_samples(X), preset.score_samples(X))
    with pytest.raises(ValueError, match="needs a fully convolutional feature map"):
        OneClassModel(MLP(), Heatmap(), HSCLoss()).fit(X)
    with pytest.raises(ValueError, match="trained against anomalies"):
        OneClassModel(FCN(), Heatmap(), MeanScore()).fit(X)


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


# -- CVDD ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus():
    docs, topic, vocabulary, embeddings = make_topic_corpus(500, random_state=0)
    stop = {vocabulary.index(w) for w in STOP_WORDS}
    docs = [[t for t in d if t not in stop] or d for d in docs]  # stop words out
    normal = np.isin(topic, ["sports", "weather"])
    train = np.flatnonzero(normal)[:150]
    test = np.setdiff1d(np.arange(len(docs)), train)
    return docs, normal, train, test, vocabulary, embeddings


def test_cvdd_detects_off_topic_documents(corpus):
    docs, normal, train, test, vocabulary, E = corpus
    cvdd = CVDD(E, max_epochs=30, random_state=0).fit([docs[i] for i in train])
    scores = cvdd.score_samples([docs[i] for i in test])
    assert roc_auc_score(~normal[test], -scores) > 0.95
    attention = cvdd.explain([docs[i] for i in test[:4]])
    for a, i in zip(attention, test[:4], strict=True):
        assert a.shape == (3, len(docs[i]))
        np.testing.assert_allclose(a.sum(axis=1), 1.0, rtol=1e-6)
    d = cvdd.context_distances([docs[i] for i in test[:4]])
    np.testing.assert_allclose(-d.mean(axis=1), scores[:4])
    assert cvdd.contexts_.shape == (3, E.shape[1])


def test_cvdd_is_reproducible_and_pickles(corpus):
    docs, _, train, _, _, E = corpus
    sample = [docs[i] for i in train[:60]]
    a = CVDD(E, max_epochs=2, random_state=1).fit(sample)
    b = clone(a).fit(sample)
    np.testing.assert_array_equal(a.score_samples(sample), b.score_samples(sample))
    c = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(a.score_samples(sample), c.score_samples(sample))
    assert set(a.predict(sample)) <= {-1, 1}


@pytest.mark.parametrize(
    ("X", "error", "match"),
    [
        ([["goal", "win"]], TypeError, "holds strings"),
        (["goal win"], TypeError, "is a string"),
        ([[1.5, 2.0]], TypeError, "integer token ids"),
        ([[1, 2], []], ValueError, "document 1 has no tokens"),
        ([[1, 999]], ValueError, r"outside \[0, 63\)"),
        (np.zeros((3, 4)), TypeError, "integer token ids"),
    ],
)
def test_cvdd_says_what_input_it_takes(corpus, X, error, match):
    E = corpus[-1]
    with pytest.raises(error, match=match):
        CVDD(E, max_epochs=1).fit(X)
