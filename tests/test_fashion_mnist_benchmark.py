"""The Fashion-MNIST benchmark harness (issue 19): protocols, paper numbers,
caching and the outputs. Real fits live in the benchmark itself."""

import numpy as np
import pytest
from skorch.callbacks import Callback

from benchmarks import fashion_mnist as fm
from benchmarks.snapshots import Snapshots, progress
from skoneclass.datasets import load_fashion_mnist


@pytest.fixture
def results(tmp_path, monkeypatch):
    monkeypatch.setattr(fm, "RESULTS", tmp_path)
    monkeypatch.setattr(fm, "CACHE", tmp_path / "cache")
    monkeypatch.setattr(fm, "SNAPSHOTS", tmp_path / "snapshots")
    return tmp_path


def test_every_paper_row_is_found_on_all_ten_classes():
    papers = fm.paper_numbers()
    for name, method in fm.METHODS.items():
        row = fm._paper_row(method, papers)
        assert (row is None) == (method.paper is None), name
        if row is not None:
            assert sorted(row) == list(range(10)), name
    means = {
        name: np.mean(list(fm._paper_row(m, papers).values()))
        for name, m in fm.METHODS.items()
        if m.paper
    }
    # The seeds' headline means (thesis C.5, papers 003 and 002).
    assert means["DeepSVDD (thesis LeNet)"] == pytest.approx(0.927, abs=1e-3)
    assert means["DecentralizationAE"] == pytest.approx(0.927, abs=1e-3)
    assert means["RSCVAE e"] == pytest.approx(0.961, abs=1e-3)


def test_epoch_cap_scales_every_phase():
    svdd = fm.METHODS["DeepSVDD (thesis LeNet)"]
    assert fm.resolve_epochs(svdd, None) == {"pretrain": 350, "train": 250}
    assert fm.resolve_epochs(svdd, 50) == {"pretrain": 70, "train": 50}
    assert fm.resolve_epochs(fm.METHODS["OCSVM"], 5) == {}
    est = svdd.make(0, fm.resolve_epochs(svdd, 50), "cpu")
    assert (est.pretrain_epochs, est.max_epochs, est.lr_milestones) == (70, 50, (30,))


def test_protocols(fashion_mnist_dir):
    home = fashion_mnist_dir
    whole = fm.make_task(fm.METHODS["OCSVM"], 4, 0, home)
    assert whole[0].shape == (6000, 1, 28, 28) and not (whole[1] != 0).any()
    assert len(whole[2]) == 10_000 and whole[3].sum() == 9000
    half = fm.make_task(fm.METHODS["RSCVAE o"], 4, 0, home, max_train=100)
    assert half[0].shape == (100, 1, 32, 32) and half[2].shape[1:] == (1, 32, 32)
    assert len(half[2]) == 1000 + 4500 and half[3].sum() == 4500
    assert 0 <= half[0].min() and half[0].max() <= 1
    # Scenario (i): m / (n + m) = gamma_l, all from one anomaly class.
    X, y, _, _ = fm.make_task(fm.METHODS["DeepSAD gamma_l=0.05"], 4, 2, home)
    assert (y == -1).sum() == round(0.05 * 6000 / 0.95) == 316
    assert fm._labeled_class(4, 2) == 7
    train, classes = load_fashion_mnist("train", data_home=home)
    pool = {x.tobytes() for x in train[classes == 7]}
    assert all(x.tobytes() in pool for x in X[y == -1])
    # RSC-VAE's mode e: 1% of the training set, from any other class.
    _, y_e, _, _ = fm.make_task(fm.METHODS["RSCVAE e"], 4, 0, home)
    assert (y_e == -1).sum() == 60
    assert {fm._labeled_class(c, s) for c in range(10) for s in range(9)} == set(
        range(10)
    )
    assert all(fm._labeled_class(c, s) != c for c in range(10) for s in range(20))
    # FCDD's outlier exposure: as many photo crops as normal images, none
    # of them a Fashion-MNIST image.
    X_oe, y_oe, _, _ = fm.make_task(fm.METHODS["FCDD (photo-crop OE)"], 4, 0, home)
    assert (y_oe == -1).sum() == (y_oe == 0).sum() == 6000
    crops = X_oe[y_oe == -1]
    assert crops.shape[1:] == (1, 28, 28) and 0 <= crops.min() < crops.max() <= 1
    assert len({x.tobytes() for x in crops}) == 6000
    assert not {x.tobytes() for x in crops} & {x.tobytes() for x in train}


def test_a_run_is_cached_and_tabulated(results, fashion_mnist_dir, monkeypatch):
    row = fm.run_one("OCSVM", 1, 0, None, "cpu", 200, fashion_mnist_dir)
    assert row["n_train"] == 200 and 0.8 < row["auroc"] <= 1
    monkeypatch.setitem(fm.METHODS, "OCSVM", fm.Method(None, {}))  # no refit
    assert fm.run_one("OCSVM", 1, 0, None, "cpu", 200, fashion_mnist_dir) == row
    rows = [
        row,
        {**row, "method": "AE (thesis LeNet)", "auroc": 0.9, "epochs": {"train": 5}},
    ]
    table = fm.summarize(rows, ["OCSVM", "AE (thesis LeNet)"], [1], fm.paper_numbers())
    text = fm.write_outputs(table, [1], "cmd")
    assert "| AE (thesis LeNet) | 0.900 / 0.910 | 0.900 | 0.910 | 1 | train 5 |" in text
    assert "trained on 200 normal images" in text
    assert (
        (results / "fashion_mnist.csv")
        .read_text()
        .splitlines()[2]
        .startswith("AE (thesis LeNet),1,0.9000,0.910,1,")
    )


def test_the_csv_quotes_names_and_schedules(results):
    import csv

    row = {"method": "FCDD (confetti, no OE)", "class": 0, "seed": 0,
           "auroc": 0.75, "epochs": {"train": 5}, "n_train": 6000}  # fmt: skip
    table = fm.summarize([row], [row["method"]], [0], fm.paper_numbers())
    fm.write_outputs(table, [0], "cmd")
    with open(results / "fashion_mnist.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 1
    assert rows[0]["method"] == "FCDD (confetti, no OE)"
    assert (rows[0]["class"], rows[0]["auroc"]) == ("0", "0.7500")
    assert (rows[0]["epochs"], rows[0]["n_train"]) == ("train 5", "6000")


def test_the_balanced_mode_e_row_differs_from_mode_e_only_in_its_batches():
    plain = fm.METHODS["RSCVAE e, one cosine decay"]
    balanced = fm.METHODS["RSCVAE e, one cosine decay, balanced batches"]
    for field in ("labels", "protocol", "paper", "epochs", "side"):
        assert getattr(balanced, field) == getattr(plain, field), field
    a, b = (m.make(0, {"train": 10}, "cpu") for m in (plain, balanced))
    assert (a.anomaly_fraction, b.anomaly_fraction) == (None, 0.25)
    # Fresh networks and schedulers each: compared by what they print.
    a, b = (
        {k: repr(v) for k, v in m.get_params(deep=False).items() if k != "callbacks"}
        | {"schedule": repr(m.callbacks[0].kwargs)}
        for m in (a.set_params(anomaly_fraction=0.25), b)
    )
    assert a == b


class Killed(Exception):
    """A session's end, mid-fit."""


class KillAfter(Callback):
    def __init__(self, phase, epochs):
        self.phase, self.epochs = phase, epochs

    def on_epoch_end(self, net, **kwargs):
        if net.phase.endswith(self.phase) and len(net.history) == self.epochs:
            raise Killed


class CountEpochs(Callback):
    def __init__(self):
        self.epochs = 0

    def on_epoch_end(self, net, **kwargs):
        self.epochs += 1


SVDD, PRETRAIN = "DeepSVDD (thesis LeNet)", "pretraining the autoencoder"


@pytest.mark.parametrize(
    "name, epochs, phase, left",
    [
        # The milestone falls on the epoch killed after (2 of 3 and of 4).
        (SVDD, {"pretrain": 3, "train": 4}, PRETRAIN, 1 + 4),
        (SVDD, {"pretrain": 3, "train": 4}, ": training", 0 + 2),
        ("RSCVAE e, one cosine decay, balanced batches", {"train": 4}, ": training", 2),
    ],
)  # fmt: skip
def test_a_killed_fit_resumes_bit_for_bit(tmp_path, name, epochs, phase, left):
    # Two phases with a step schedule, and one with a cosine schedule from
    # the benchmark's own callbacks and balanced batches: a fit killed
    # after epoch 2 of a phase and started again ends where the
    # uninterrupted fit ends.
    method = fm.METHODS[name]
    rng = np.random.RandomState(0)
    X = rng.rand(90, 1, method.side, method.side).astype(np.float32)
    y = np.r_[np.zeros(80, int), -np.ones(10, int)]

    def fit(*callbacks):
        model = method.make(0, epochs, "cpu")
        model.set_params(callbacks=[*(model.callbacks or []), *callbacks])
        return model.fit(X, y)

    whole = fit()
    with pytest.raises(Killed):
        fit(Snapshots(tmp_path), KillAfter(phase, 2))
    counted = CountEpochs()
    resumed = fit(Snapshots(tmp_path), counted)
    assert counted.epochs == left  # only the epochs the snapshots lacked
    assert len(resumed.history_) == epochs["train"]
    assert [h["epoch"] for h in resumed.history_] == list(range(1, 5))
    assert resumed.history_[-1, "train_loss"] == whole.history_[-1, "train_loss"]
    np.testing.assert_array_equal(resumed.score_samples(X), whole.score_samples(X))
    # A snapshot of another schedule is refused, not half-used.
    with pytest.raises(ValueError, match="4-epoch phase; this one has 5"):
        fit_epochs = {**epochs, "train": 5}
        model = method.make(0, fit_epochs, "cpu")
        model.set_params(callbacks=[*(model.callbacks or []), Snapshots(tmp_path)])
        model.fit(X, y)


def test_a_fit_stopped_early_is_not_recorded(results, monkeypatch):
    # skorch ends training quietly on a KeyboardInterrupt (Ctrl-C): the
    # model comes back fitted for fewer epochs than the schedule's.
    class StopAtOne(Snapshots):
        def on_epoch_end(self, net, **kwargs):
            super().on_epoch_end(net, **kwargs)
            raise KeyboardInterrupt

    rng = np.random.RandomState(0)
    task = (rng.rand(40, 1, 28, 28).astype(np.float32), np.zeros(40, int),
            rng.rand(20, 1, 28, 28).astype(np.float32), np.arange(20) % 2)  # fmt: skip
    monkeypatch.setattr(fm, "make_task", lambda *args: task)
    monkeypatch.setattr(fm, "Snapshots", StopAtOne)
    with pytest.raises(RuntimeError, match=r"trained \{'train': 1\} epochs, not"):
        fm.run_one("AE (thesis LeNet)", 1, 0, 2, "cpu", None)
    assert not (results / "cache").exists()
    # The snapshot stays for the next run, which finishes the schedule.
    monkeypatch.setattr(fm, "Snapshots", Snapshots)
    assert progress(next((results / "snapshots").iterdir())) == {
        "AutoEncoder_training": (1, 2)
    }
    row = fm.run_one("AE (thesis LeNet)", 1, 0, 2, "cpu", None)
    assert row["epochs"] == {"train": 2} and 0 <= row["auroc"] <= 1
    assert row["resumed_at"] == {"AutoEncoder_training": 1}
    assert list((results / "cache").iterdir())
    assert not any((results / "snapshots").iterdir())
