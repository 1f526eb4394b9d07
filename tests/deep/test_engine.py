"""The SGD engine: reproducibility, inputs, devices, pickling, progress, warnings."""

import io
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skoneclass import (
    HSC,
    AutoEncoder,
    DeepSAD,
    DeepSVDD,
    OneClassModel,
    TrainingProgressBar,
    TrainingWarning,
)
from skoneclass.deep.modules import (
    MeanOutput,
)
from skoneclass.metrics import roc_auc_scorer
from skoneclass.parts import MLP, Hypersphere, MeanScore, WeightDecay

from ..conftest import labeled_task, make_one_class_task

FAST = {"max_epochs": 25, "lr": 1e-3, "lr_milestones": None, "random_state": 0}


# -- conventions ------------------------------------------------------------
def test_reproducible_under_random_state_on_cpu():
    X_train, X_test, _ = make_one_class_task(n_train=150)
    est = DeepSAD(pretrain_epochs=3, max_epochs=3, random_state=7)
    a = clone(est).fit(X_train).score_samples(X_test)
    b = clone(est).fit(X_train).score_samples(X_test)
    c = clone(est).set_params(random_state=8).fit(X_train).score_samples(X_test)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_inputs_pipeline_pickle_and_float32():
    X, y, X_test, _ = labeled_task()
    est = DeepSAD(pretrain_epochs=2, max_epochs=2, random_state=0)
    ref = clone(est).fit(X, y).score_samples(X_test)
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    from_frame = (
        clone(est)
        .fit(frame, pd.Series(y))
        .score_samples(pd.DataFrame(X_test, columns=frame.columns))
    )
    np.testing.assert_allclose(from_frame, ref)
    np.testing.assert_allclose(
        clone(est).fit(X.astype(np.float32), y).score_samples(X_test),
        ref,
        rtol=1e-5,
        atol=1e-6,  # standardized scores: some are near 0
    )
    pipe = Pipeline([("scale", StandardScaler()), ("sad", clone(est))]).fit(X, y)
    restored = pickle.loads(pickle.dumps(pipe))
    np.testing.assert_array_equal(
        restored.score_samples(X_test), pipe.score_samples(X_test)
    )
    assert restored.predict(X_test).dtype.kind == "i"


def test_grid_search_over_eta_lr_and_network():
    X, y, X_test, y_test = labeled_task(n_labeled=30)
    X_all = np.r_[X, X_test]
    y_all = np.r_[y, y_test]
    search = GridSearchCV(
        Pipeline(
            [
                ("scale", StandardScaler()),
                ("sad", DeepSAD(**FAST, pretrain=None, n_networks=1)),
            ]
        ),
        {
            "sad__eta": [0.5, 2.0],
            "sad__lr": [1e-3],
            "sad__hidden_dims": [(16,), (32, 16)],
        },
        scoring=roc_auc_scorer,
        cv=StratifiedKFold(2, shuffle=True, random_state=0),
    ).fit(X_all, y_all)
    assert len(search.cv_results_["params"]) == 4
    assert search.best_score_ > 0.8


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_cuda_without_gpu_is_a_clear_error():
    X = np.random.RandomState(0).randn(10, 3)
    with pytest.raises(ValueError, match="CUDA is not available"):
        DeepSVDD(device="cuda", max_epochs=1).fit(X)
    assert DeepSVDD(max_epochs=1, pretrain=None).fit(X).device_ == "cpu"


def test_lenet_networks_take_flattened_images():
    rng = np.random.RandomState(0)
    X = rng.rand(40, 784)
    est = DeepSVDD(network="lenet28", pretrain_epochs=1, max_epochs=1, random_state=0)
    assert est.fit(X).center_.shape == (32,)
    ae = AutoEncoder(network="lenet32", max_epochs=1, random_state=0)
    assert ae.fit(rng.rand(20, 3072)).score_samples(rng.rand(3, 3072)).shape == (3,)
    with pytest.raises(ValueError, match="flattened images"):
        DeepSVDD(network="lenet28", max_epochs=1).fit(X[:, :100])


def test_history_and_callbacks_pass_through():
    from skorch.callbacks import EarlyStopping

    X_train, _, _ = make_one_class_task(n_train=100)
    est = AutoEncoder(
        max_epochs=50,
        callbacks=[EarlyStopping(monitor="train_loss", patience=2, threshold=10.0)],
    ).fit(X_train)
    assert 2 < len(est.history_) < 50


@pytest.mark.parametrize(
    "est",
    [DeepSAD(max_epochs=3, pretrain_epochs=2, random_state=0), HSC(max_epochs=3)],
    ids=["deepsad", "hsc"],
)
def test_semi_supervised_invariants_with_labels(est):
    """What sklearn's checks cannot test without valid labels."""
    X, y, X_test, _ = labeled_task()
    est = clone(est).set_params(random_state=0)
    params = est.get_params()
    fitted = clone(est)
    assert fitted.fit(X, y) is fitted
    scores = fitted.score_samples(X_test)
    assert est.get_params() == params == fitted.get_params()
    np.testing.assert_array_equal(clone(est).fit(X, y).score_samples(X_test), scores)
    np.testing.assert_allclose(
        fitted.score_samples(X_test[::3]), scores[::3], rtol=1e-12
    )
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.score_samples(X_test), scores)
    clone(est).fit(X.tolist(), y.tolist())
    with pytest.raises(ValueError, match="features"):
        fitted.score_samples(X_test[:, :2])
    with pytest.raises(ValueError, match="NaN"):
        clone(est).fit(np.where(np.eye(*X.shape) > 0, np.nan, X), y)


def test_a_cuda_trained_model_loads_and_scores_on_cpu():
    X, y, X_test, _ = labeled_task()
    est = DeepSAD(max_epochs=2, pretrain_epochs=1, random_state=0).fit(X, y)
    expected = est.score_samples(X_test)
    # What a CUDA fit leaves behind; skorch re-maps it when CUDA is absent.
    est.net_.device = "cuda"
    if torch.cuda.is_available():
        pytest.skip("needs a machine without CUDA")
    with pytest.warns(match="cuda"):
        restored = pickle.loads(pickle.dumps(est))
    assert str(restored.net_.device) == "cpu"
    np.testing.assert_allclose(restored.score_samples(X_test), expected)


@pytest.mark.parametrize(
    "params",
    [
        {"lr": 0.0},
        {"max_epochs": 0},
        {"network": "resnet"},
        {"hidden_dims": "big"},
        {"pretrain_epochs": 2.5},
        {"objective": "two-class"},
        {"activation": "tanh"},  # bounded activations let Deep SVDD collapse
    ],
    ids=lambda p: next(iter(p)),
)
def test_bad_parameters_are_named(params):
    (name,) = params
    with pytest.raises(ValueError, match=f"'{name}' parameter"):
        DeepSVDD(**params).fit(np.random.RandomState(0).randn(20, 3))


def test_batches_fast_path_trains_exactly_as_the_dataloader():
    """In-memory arrays skip skorch's DataLoader (per-sample indexing and
    collate) but visit the same shuffled batches: identical weights."""
    from skoneclass.deep.engine import Batches, make_net
    from skoneclass.deep.modules import HypersphereNet
    from skoneclass.deep.networks import MLP

    rng = np.random.RandomState(0)
    X = rng.randn(301, 6).astype(np.float32)
    y = np.zeros(len(X), dtype=np.int64)

    def train(**iterator_options):
        torch.manual_seed(0)
        net = make_net(
            HypersphereNet(MLP(6, (8,), 3), torch.ones(3)),
            MeanOutput(),
            lr=1e-2,
            max_epochs=3,
            batch_size=50,
            weight_decay=1e-6,
            optimizer=torch.optim.Adam,
            lr_milestones=None,
            device="cpu",
            callbacks=[],
            verbose=0,
            n_samples=len(X),
        )
        net.set_params(**iterator_options)
        with torch.random.fork_rng():
            torch.manual_seed(1)
            net.fit(X, y)
        return net

    fast = train()
    slow = train(iterator_train__pin_memory=False)  # a DataLoader option
    assert isinstance(fast.get_iterator(fast.get_dataset(X, y), True), Batches)
    assert not isinstance(slow.get_iterator(slow.get_dataset(X, y), True), Batches)
    for a, b in zip(fast.module_.parameters(), slow.module_.parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    # 301 = 6 * 50 + 1: the last batch of one sample is dropped (batch norm).
    assert fast.history[:, "train_batch_count"] == [6, 6, 6]


def test_training_problems_warn_instead_of_passing_silently():
    X_train, _, _ = make_one_class_task()
    with pytest.warns(TrainingWarning, match="loss became nan"):
        diverged = DeepSVDD(lr=1e30, max_epochs=3, pretrain=None, random_state=0)
        diverged.fit(X_train)
    # Its NaN scores are an error, never inliers (NaN < 0 is False).
    for method in ("score_samples", "decision_function", "predict"):
        with pytest.raises(ValueError, match=r"gives NaN or infinite scores to 300 of"):
            getattr(diverged, method)(X_train)
    # A network with biases, the origin as center and a huge weight decay
    # maps everything onto the center.
    collapsing = OneClassModel(
        MLP(),
        Hypersphere(center="origin"),
        MeanScore(),
        regularizer=(WeightDecay(10.0),),
        lr=1e-2,
        max_epochs=200,
        random_state=0,
    )
    with pytest.warns(TrainingWarning, match="collapsed"):
        collapsing.fit(X_train)
    with warnings.catch_warnings():
        warnings.simplefilter("error", TrainingWarning)
        DeepSVDD(max_epochs=5, pretrain=None, random_state=0).fit(X_train)


def test_progress_checkpoints_and_the_device_used(tmp_path, capsys):
    from skorch.callbacks import Checkpoint, ProgressBar

    X_train, _, _ = make_one_class_task(n_train=100)
    checkpoint = Checkpoint(monitor="train_loss_best", dirname=str(tmp_path))
    est = AutoEncoder(
        max_epochs=3, verbose=1, callbacks=[ProgressBar(), checkpoint]
    ).fit(X_train)
    assert f"AutoEncoder: device {est.device_}" in capsys.readouterr().out
    assert (tmp_path / "params.pt").is_file()
    assert len(est.history_[:, "train_loss"]) == 3


def test_verbose_names_the_phases_and_the_bar_runs_over_each(capsys):
    X_train, _, _ = make_one_class_task(n_train=100)
    bars = io.StringIO()
    progress = TrainingProgressBar(file=bars, mininterval=0)
    est = DeepSVDD(
        max_epochs=3, pretrain_epochs=2, batch_size=40, verbose=1,
        callbacks=[progress],
    ).fit(X_train)  # fmt: skip
    out = capsys.readouterr().out
    pretraining = out.index("DeepSVDD: pretraining the autoencoder (2 epochs)")
    training = out.index("DeepSVDD: training (3 epochs)")
    assert pretraining < training
    # One bar per phase, over all its batches: 3 per epoch (100 rows / 40).
    bars = bars.getvalue()
    assert "DeepSVDD: pretraining the autoencoder: 100%" in bars
    assert "6/6" in bars and "9/9" in bars
    assert "epoch=3/3" in bars and "train_loss=" in bars
    assert len(est.pretrain_history_) == 2 and len(est.history_) == 3
