"""Data beyond memory and training beyond one process.

- A memory-mapped X trains through :class:`~skoneclass.deep.data.ArrayDataset`
  (a batch at a time) to the same model as the in-memory array.
- Fitting on and scoring 1e6 memory-mapped rows runs under a cap on the
  private memory the process may allocate (``memory_probe.py``), far below
  the size of a copy of X.
- ``device=accelerate.Accelerator()`` trains through skorch's
  ``AccelerateMixin``, in one process and in two (torchrun, gloo).
"""

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from skoneclass import RSCVAE, DeepSAD, DeepSVDD, OneClassModel
from skoneclass.deep.data import ArrayDataset
from skoneclass.metrics import labeled_roc_auc
from skoneclass.parts import Hinge, Hypersphere, RandomFourier

ROOT = Path(__file__).resolve().parents[1]


def shifted_blobs(n, d, seed=0):
    """Standard normal rows; the first 1% shifted by +3 (anomalies)."""
    rng = np.random.RandomState(seed)
    X = rng.randn(n, d).astype(np.float32)
    X[: n // 100] += 3.0
    truth = np.ones(n, dtype=int)
    truth[: n // 100] = -1
    return X, truth


def memmap_of(X, path):
    out = np.lib.format.open_memmap(path, mode="w+", dtype=X.dtype, shape=X.shape)
    out[:] = X
    out.flush()
    return np.load(path, mmap_mode="r")  # read-only, as data sets usually are


@pytest.mark.parametrize(
    "estimator",
    [
        DeepSAD(max_epochs=4, pretrain_epochs=2, random_state=0),
        DeepSVDD(objective="soft-boundary", max_epochs=4, random_state=0),
        OneClassModel(
            feature_map=RandomFourier(n_components=40),
            model=Hypersphere(center="learned"),
            loss=Hinge(nu=0.1),
            solver="sgd",
            max_epochs=3,
            random_state=0,
        ),
        # RSC-VAE: labels, recoding and the score's normalizers.
        RSCVAE(max_epochs=3, random_state=0),
    ],
    ids=["DeepSAD", "soft-boundary DeepSVDD", "RFF hypersphere (SGD)", "RSCVAE"],
)
def test_memory_mapped_data_trains_the_same_model_batch_by_batch(
    estimator, tmp_path, monkeypatch
):
    X, truth = shifted_blobs(2000, 6)
    y = np.where(np.arange(len(X)) < 8, -1, 0)  # a few labeled anomalies
    in_memory = estimator.fit(X, y).score_samples(X)

    reads = []
    batch = ArrayDataset.batch
    monkeypatch.setattr(
        ArrayDataset, "batch", lambda self, i: reads.append(1) or batch(self, i)
    )
    mapped = memmap_of(X, tmp_path / "X.npy")
    from_map = estimator.fit(mapped, y).score_samples(mapped)

    assert len(reads) >= estimator.max_epochs_ * len(X) // estimator.batch_size_
    # Same batches, same network; only the initial center's mean (streamed
    # in float64) and per-batch feature maps round differently.
    np.testing.assert_allclose(from_map, in_memory, rtol=1e-4, atol=1e-5)
    assert labeled_roc_auc(truth, from_map) > 0.95


@pytest.mark.slow
@pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="RLIMIT_DATA and /proc are Linux"
)
def test_million_memory_mapped_rows_fit_and_score_under_a_memory_cap(tmp_path):
    n, d = 1_000_000, 64  # 244 MiB of float32
    X = np.lib.format.open_memmap(
        tmp_path / "X.npy", mode="w+", dtype=np.float32, shape=(n, d)
    )
    rng = np.random.RandomState(0)
    for start in range(0, n, 100_000):
        X[start : start + 100_000] = rng.randn(100_000, d)
    X[: n // 100] += 3.0
    X.flush()
    del X
    y = np.zeros(n, dtype=np.int64)
    y[: n // 1000] = -1  # a tenth of the anomalies labeled
    np.save(tmp_path / "y.npy", y)

    # Measured: fitting DeepSAD's five networks needs < 64 MiB (labels, the
    # shuffled order, one batch, a network's training scores for its
    # quartiles); scoring < 24 MiB (a running sum of the networks' scores and
    # one network's scores, 7.6 MiB each, one batch). The probe reports 42 and
    # ~0 MiB (freed fit memory is reused).
    fit_cap, score_cap = 128, 24
    env = dict(os.environ, MALLOC_ARENA_MAX="1", PYTHONPATH=str(ROOT))
    run = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "memory_probe.py"),
         str(tmp_path / "X.npy"), str(tmp_path / "y.npy"),
         str(fit_cap), str(score_cap)],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout)
    print(result)
    assert result["copy_refused"]  # the cap is enforced on this machine
    assert result["data_mb"] > fit_cap and result["data_mb"] > 10 * score_cap
    assert result["n_scores"] == n and result["finite"]
    # The model learned: labeled anomalies are far less normal than the rest.
    assert result["mean_score_labeled_anomalies"] < 5 * result["mean_score_rest"]


def test_an_accelerator_trains_the_same_model_in_one_process():
    accelerate = pytest.importorskip("accelerate")
    X, truth = shifted_blobs(1000, 6)
    y = np.where(np.arange(len(X)) < 5, -1, 0)
    params = dict(max_epochs=4, pretrain_epochs=2, random_state=0)
    plain = DeepSAD(**params).fit(X, y)
    accelerated = DeepSAD(device=accelerate.Accelerator(cpu=True), **params)
    accelerated.fit(X, y)
    assert type(accelerated.net_).__name__ == "AcceleratedOneClassNet"
    np.testing.assert_array_equal(accelerated.score_samples(X), plain.score_samples(X))
    restored = pickle.loads(pickle.dumps(accelerated))
    np.testing.assert_array_equal(restored.score_samples(X), plain.score_samples(X))
    # Without labeled anomalies the batches are plain on both paths.
    unlabeled = DeepSAD(device=accelerate.Accelerator(cpu=True), **params).fit(X)
    np.testing.assert_array_equal(
        unlabeled.score_samples(X), DeepSAD(**params).fit(X).score_samples(X)
    )


@pytest.mark.slow
def test_two_processes_train_one_network_through_accelerate():
    pytest.importorskip("accelerate")
    env = dict(os.environ, ACCELERATE_USE_CPU="true", PYTHONPATH=str(ROOT))
    run = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2",
         str(ROOT / "examples" / "accelerate_training.py")],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    assert "2 process(es)" in run.stdout
    assert "largest score difference between processes: 0\n" in run.stdout
    auroc = float(run.stdout.split("test AUROC ")[1].split()[0])
    assert auroc > 0.9


def test_grid_search_runs_its_candidates_in_parallel_processes():
    """joblib (loky) pickles the detector to worker processes and back: the
    parallel search finds exactly what the sequential one does."""
    from sklearn.model_selection import GridSearchCV, StratifiedKFold

    from skoneclass.metrics import roc_auc_scorer

    X, truth = shifted_blobs(600, 5)
    y = np.where(np.arange(len(X)) < 4, -1, 0)
    y[len(X) // 2 :: 10] = 1  # labeled normals, for the labeled AUROC
    y[4:6] = -1
    searches = [
        GridSearchCV(
            # Plain batches: after 3 epochs, balanced ones (the default)
            # score about 0.8 on this toy, and the subject here is pickling.
            DeepSAD(
                max_epochs=3, pretrain_epochs=2, anomaly_fraction=None, random_state=0
            ),  # fmt: skip
            {"eta": [0.1, 10.0]},
            scoring=roc_auc_scorer,
            cv=StratifiedKFold(2, shuffle=True, random_state=0),
            n_jobs=n_jobs,
        ).fit(X, y)
        for n_jobs in (1, 2)
    ]
    sequential, parallel = (s.cv_results_["mean_test_score"] for s in searches)
    np.testing.assert_array_equal(parallel, sequential)
    assert np.all(sequential > 0.9)
