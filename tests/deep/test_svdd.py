"""Deep SVDD, Deep SAD and HSC: their losses and training behaviour."""

import copy

import numpy as np
import pytest
import torch
from sklearn.base import clone

from skoneclass import (
    HSC,
    AutoEncoder,
    DecentralizationAE,
    DeepSAD,
    DeepSVDD,
)
from skoneclass.deep.builders import build_decoder
from skoneclass.deep.modules import (
    DeepSADObjective,
    HSCObjective,
    MeanOutput,
    SoftBoundaryObjective,
    embed,
    initial_center,
)
from skoneclass.metrics import labeled_roc_auc
from skoneclass.parts import MLP, LeNet

from ..conftest import CountAnomalies, labeled_task, make_one_class_task

FAST = {"max_epochs": 25, "lr": 1e-3, "lr_milestones": None, "random_state": 0}


# -- losses against hand-computed values -----------------------------------
def test_losses_by_hand():
    s = torch.tensor([1.0, 2.0, 4.0])
    y = torch.tensor([0, 1, -1])
    assert MeanOutput()(s, y).item() == pytest.approx(7 / 3)
    eps = 1e-6
    expected = (1.0 + 2 * (2 + eps) + 2 / (4 + eps)) / 3
    assert DeepSADObjective(eta=2.0, eps=eps)(s, y).item() == pytest.approx(expected)
    assert DeepSADObjective()(s, torch.zeros(3)).item() == pytest.approx(7 / 3)
    hsc = (1.0 + 2 * 2.0 - 2 * np.log(1 - np.exp(-4.0))) / 3
    assert HSCObjective(eta=2.0)(s, y).item() == pytest.approx(hsc)
    soft = SoftBoundaryObjective(nu=0.5)
    soft.radius2.fill_(2.0)
    assert soft(s).item() == pytest.approx(2.0 + (0 + 0 + 2.0) / 3 / 0.5)
    soft.solve_radius(torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0]))
    assert soft.radius2.item() == pytest.approx(3.0)


def test_initial_center_pushes_small_coordinates_to_eps():
    Z = torch.tensor([[0.05, -0.02, 1.0, 0.0], [0.03, -0.04, 3.0, 0.0]])
    np.testing.assert_allclose(initial_center(Z, 0.1), [0.1, -0.1, 2.0, 0.0])


# -- training behaviour -----------------------------------------------------
@pytest.mark.parametrize(
    "est",
    [
        DeepSVDD(pretrain_epochs=10, **FAST),
        DeepSVDD(objective="soft-boundary", pretrain=None, warm_up_epochs=5, **FAST),
        DeepSAD(pretrain_epochs=10, **FAST),
        AutoEncoder(**FAST),
    ],
    ids=["deepsvdd", "soft-boundary", "deepsad", "autoencoder"],
)
def test_auroc_on_a_clear_task(est):
    X_train, X_test, y_test = make_one_class_task()
    fitted = clone(est).fit(X_train)
    scores = fitted.score_samples(X_test)
    assert labeled_roc_auc(y_test, scores) >= 0.9
    # Not a collapsed model: scores vary (PyOD's DeepSVDD once returned one).
    assert len(np.unique(scores)) > 0.9 * len(scores)


def test_hsc_learns_from_negatives_and_needs_them():
    X_train, X_test, y_test = make_one_class_task()
    rng = np.random.RandomState(1)
    negatives = rng.uniform(-8, 8, size=(100, 5))
    X = np.r_[X_train, negatives]
    y = np.r_[np.zeros(len(X_train), int), -np.ones(100, int)]
    est = HSC(**FAST).fit(X, y)
    assert labeled_roc_auc(y_test, est.score_samples(X_test)) >= 0.9
    with pytest.raises(ValueError, match="negatives"):
        HSC(**FAST).fit(X_train)


def test_deep_sad_uses_labeled_anomalies():
    """The claim is on the mean over seeds (task and weights drawn anew):
    measured over seeds 0-9, DeepSAD 0.975 vs DeepSVDD 0.814, gains from
    0.01 to 0.48; seeds 0-4 give 0.981 vs 0.868 (gains 0.01 to 0.22)."""
    sad, svdd = [], []
    for seed in range(5):
        X, y, X_test, y_test = labeled_task(seed)
        params = {**FAST, "pretrain_epochs": 10, "random_state": seed, "n_networks": 1}
        sad.append(
            labeled_roc_auc(y_test, DeepSAD(**params).fit(X, y).score_samples(X_test))
        )
        svdd.append(
            labeled_roc_auc(y_test, DeepSVDD(**params).fit(X).score_samples(X_test))
        )
    gains = np.subtract(sad, svdd)
    assert np.mean(sad) > 0.95, sad
    assert np.mean(gains) > 0.05, gains
    # No seed where the labels hurt beyond noise.
    assert gains.min() > -0.02, gains


def test_deep_sad_balanced_batches():
    """anomaly_fraction puts that share of labeled anomalies in every batch;
    without labeled anomalies the batches are plain."""
    X, y, _, _ = labeled_task()
    assert 0 < (y == -1).sum() < 0.1 * len(y)
    params = {**FAST, "pretrain": None, "max_epochs": 2, "batch_size": 20}
    params["n_networks"] = 1  # the counter is the one network's callback
    for fraction, expected in ((0.5, 10), (None, None)):
        counter = CountAnomalies()
        DeepSAD(anomaly_fraction=fraction, callbacks=[counter], **params).fit(X, y)
        if expected:
            assert set(counter.counts) == {expected}
            assert len(counter.counts) == 2 * -(-(y != -1).sum() // 10)
        else:
            assert np.mean(counter.counts) < 2
    plain = DeepSAD(**params).fit(X).score_samples(X)
    balanced = DeepSAD(anomaly_fraction=0.5, **params).fit(X).score_samples(X)
    np.testing.assert_array_equal(plain, balanced)


def test_deep_sad_without_labels_is_deep_svdd():
    X, _, X_test, _ = labeled_task()
    params = {**FAST, "pretrain_epochs": 5, "n_networks": 2}
    np.testing.assert_allclose(
        DeepSAD(**params).fit(X).score_samples(X_test),
        DeepSVDD(**params).fit(X).score_samples(X_test),
        rtol=1e-6,
    )


@pytest.mark.parametrize("nu", [0.05, 0.2])
def test_soft_boundary_nu_property(nu):
    X = np.random.RandomState(0).randn(400, 5)
    est = DeepSVDD(objective="soft-boundary", nu=nu, pretrain=None, **FAST).fit(X)
    outside = (est.predict(X) == -1).mean()
    assert outside <= nu + 1.0 / len(X)
    assert outside >= nu - 0.05
    assert est.offset_ == pytest.approx(-(est.radius_**2))


def test_scores_use_the_stored_center_and_weights_change():
    X_train, X_test, _ = make_one_class_task()
    est = DeepSVDD(pretrain=None, **FAST)
    init = clone(est).set_params(max_epochs=1, lr=1e-12).fit(X_train)
    fitted = est.fit(X_train)
    # A CPU copy: on a GPU machine the fitted network is on CUDA.
    phi = copy.deepcopy(fitted.net_.module_.feature_map).cpu().double()
    Z = embed(phi, torch.tensor(X_test, dtype=torch.float64)).numpy()
    np.testing.assert_allclose(
        fitted.score_samples(X_test), -((Z - fitted.center_) ** 2).sum(1), rtol=1e-10
    )
    w0 = init.net_.module_.feature_map[0].weight.detach()
    w1 = fitted.net_.module_.feature_map[0].weight.detach()
    assert not torch.allclose(w0.float(), w1.float())


def test_center_excludes_labeled_anomalies():
    X, y, _, _ = labeled_task()
    X[y == -1] += 50.0  # labeled anomalies far away would drag a mean
    est = DeepSAD(
        pretrain=None, batch_norm=False, max_epochs=1, lr=1e-12, random_state=0
    )
    est.fit(X, y)
    phi = copy.deepcopy(est.net_.module_.feature_map).cpu().float()
    Z = embed(phi, torch.tensor(X[y == 0], dtype=torch.float32))
    np.testing.assert_allclose(est.center_, initial_center(Z).numpy(), rtol=1e-4)


def test_pretraining_trains_the_encoder_in_an_autoencoder():
    X_train, _, _ = make_one_class_task()
    est = DeepSVDD(pretrain_epochs=5, max_epochs=1, lr=1e-2, random_state=0)
    est.fit(X_train)
    losses = est.pretrain_history_[:, "train_loss"]
    assert len(losses) == 5 and losses[-1] < losses[0]
    scratch = DeepSVDD(pretrain=None, max_epochs=1, lr=1e-2, random_state=0)
    assert not np.allclose(
        est.score_samples(X_train), scratch.fit(X_train).score_samples(X_train)
    )


def test_weight_init_pytorch_keeps_the_layers_own_initialization():
    """MLP(weight_init="pytorch") (the Deep SAD reference code's start):
    every Linear of the encoder and its decoder uniform in +-1/sqrt(fan_in);
    the default draws Glorot-uniform weights, which reach beyond that."""
    X, _, _ = make_one_class_task(n_features=20)

    def linear_weights(est):
        network = est.net_.module_.feature_map
        return [m.weight for m in network.modules() if isinstance(m, torch.nn.Linear)]

    def fitted(weight_init):
        # lr ~ 0: the weights are still the initial ones.
        params = {**FAST, "max_epochs": 1, "lr": 1e-12}
        return DeepSAD(network=MLP(weight_init=weight_init), **params).fit(X)

    for w in linear_weights(fitted("pytorch")):
        assert w.abs().max() <= 1 / np.sqrt(w.shape[1]) + 1e-6
    glorot = linear_weights(fitted("glorot"))
    assert any(w.abs().max() > 1.2 / np.sqrt(w.shape[1]) for w in glorot)
    default = DeepSAD(max_epochs=1, lr=1e-12, random_state=0, lr_milestones=None)
    for a, b in zip(linear_weights(default.fit(X)), glorot, strict=True):
        torch.testing.assert_close(a, b)
    # The presets' flat parameter builds the same network.
    flat = DeepSAD(weight_init="pytorch", **{**FAST, "max_epochs": 1, "lr": 1e-12})
    for a, b in zip(
        linear_weights(flat.fit(X)), linear_weights(fitted("pytorch")), strict=True
    ):
        torch.testing.assert_close(a, b)
    # The decoder starts from the same scheme as the encoder.
    torch.manual_seed(0)
    decoder = build_decoder(MLP(weight_init="pytorch"), 20)
    for m in decoder.modules():
        if isinstance(m, torch.nn.Linear):
            assert m.weight.abs().max() <= 1 / np.sqrt(m.weight.shape[1]) + 1e-6


def test_fashion_mnist_lenet_is_the_thesis_layout():
    """network="lenet28-fmnist" (thesis B.1.1): conv 16 and 32 (5x5), dense
    64, code 32; its autoencoder's decoder mirrors it back to 28x28."""
    X = np.random.RandomState(0).rand(48, 1, 28, 28).astype(np.float32)
    est = AutoEncoder(network="lenet28-fmnist", max_epochs=1, random_state=0).fit(X)
    encoder, decoder = est.net_.module_.encoder, est.net_.module_.decoder
    convs = [m for m in encoder.modules() if isinstance(m, torch.nn.Conv2d)]
    assert [(c.out_channels, c.kernel_size) for c in convs] == [
        (16, (5, 5)),
        (32, (5, 5)),
    ]
    dense = [m for m in encoder.modules() if isinstance(m, torch.nn.Linear)]
    assert [(m.in_features, m.out_features) for m in dense] == [
        (32 * 7 * 7, 64),
        (64, 32),
    ]
    assert not any(p.ndim == 1 for p in encoder.parameters())  # no bias
    assert est.embed(X[:3]).shape == (3, 32)
    assert est.reconstruct(X[:3]).shape == (3, 28 * 28)
    deconvs = [m for m in decoder.modules() if isinstance(m, torch.nn.ConvTranspose2d)]
    assert [c.out_channels for c in deconvs] == [32, 16, 1]
    # The MNIST LeNet keeps its layout: conv 8 and 4, code 32, no dense block.
    mnist = DeepSVDD(network="lenet28", pretrain=None, max_epochs=1, random_state=0)
    dense = [
        m for m in mnist.fit(X).net_.module_.modules() if isinstance(m, torch.nn.Linear)
    ]
    assert [(m.in_features, m.out_features) for m in dense] == [(4 * 7 * 7, 32)]


def test_lenet_decoder_dense_blocks_mirror_the_encoders():
    """Every dense block but the last ends in its activation, whatever the
    widths (the last one's opens the deconvolutions)."""
    network = LeNet(image_shape=(1, 28, 28), hidden_dims=(64, 64))
    dense = build_decoder(network, 28 * 28).fc
    kinds = [type(m).__name__ for m in dense]
    assert kinds == ["Linear", "BatchNorm1d", "LeakyReLU", "Linear", "BatchNorm1d"]


def test_lenet_decoder_needs_a_width_it_can_fold():
    X = np.random.RandomState(0).rand(16, 1, 28, 28).astype(np.float32)
    network = LeNet(image_shape=(1, 28, 28), hidden_dims=(40,))
    with pytest.raises(ValueError, match="divisible by 16, got 40"):
        AutoEncoder(network=network, max_epochs=1).fit(X)


def test_autoencoder_dropout_is_in_the_mlp_only():
    """dropout: a rate after each hidden block of the MLP (encoder and
    decoder), none by default; with an image network it is an error.
    Scoring runs in eval mode: the scores do not vary between calls."""
    X = np.random.RandomState(0).randn(64, 6)

    def rates(est):
        module = est.fit(X).net_.module_
        return [m.p for m in module.modules() if isinstance(m, torch.nn.Dropout)]

    ae = AutoEncoder(dropout=0.2, max_epochs=1, random_state=0)
    assert rates(ae) == [0.2] * 4
    np.testing.assert_array_equal(ae.score_samples(X), ae.score_samples(X))
    assert rates(DecentralizationAE(dropout=0.3, max_epochs=1)) == [0.3] * 4
    assert rates(AutoEncoder(max_epochs=1)) == []
    assert rates(DecentralizationAE(max_epochs=1)) == []
    images = np.random.RandomState(0).rand(16, 1, 28, 28).astype(np.float32)
    with pytest.raises(ValueError, match="dropout=0.1 applies to network='mlp' only"):
        AutoEncoder(network="lenet28-fmnist", dropout=0.1, max_epochs=1).fit(images)
    with pytest.raises(ValueError, match="'dropout' parameter of AutoEncoder"):
        AutoEncoder(dropout=1.0).fit(X)
