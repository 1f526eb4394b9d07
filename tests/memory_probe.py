"""Fit and score a deep detector on a memory-mapped array under a memory cap.

Run as a script by ``test_scale.py``, in its own process so that the cap and
the measurement concern this fit alone::

    python memory_probe.py X.npy y.npy FIT_CAP_MB SCORE_CAP_MB

After a small warm-up fit (thread pools, allocator arenas, lazy imports),
``RLIMIT_DATA`` caps the private memory the process may add during the fit
at FIT_CAP_MB, and then during scoring at SCORE_CAP_MB: an allocation beyond
that fails with ``MemoryError`` (numpy) or ``RuntimeError`` (torch's
allocator), so a copy of X cannot go unnoticed. File-backed pages of the map
do not count. Prints timings and the private memory used as JSON.
"""

import json
import resource
import sys
import time

import numpy as np

from skoneclass import DeepSAD


def data_mb():
    """Private writable memory of this process (``VmData``), in MiB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmData:"):
                return int(line.split()[1]) / 1024
    raise KeyError("VmData")


def cap(mb):
    """Allow this process ``mb`` MiB of private memory beyond what it has."""
    limit = int((data_mb() + mb) * 2**20)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, resource.RLIM_INFINITY))


def main(x_path, y_path, fit_cap_mb, score_cap_mb):
    X = np.load(x_path, mmap_mode="r")
    y = np.load(y_path)
    params = dict(
        hidden_dims=(32, 16), rep_dim=8, max_epochs=1, pretrain_epochs=1,
        batch_size=1000, random_state=0,
    )  # fmt: skip
    warm = np.random.RandomState(0).randn(3000, X.shape[1]).astype(np.float32)
    DeepSAD(**params).fit(warm, y[:3000]).score_samples(warm)

    before = data_mb()
    cap(fit_cap_mb)
    try:  # the control: a copy of X must not fit under the cap
        np.array(X)
        copy_refused = False
    except MemoryError:
        copy_refused = True
    start = time.perf_counter()
    est = DeepSAD(**params).fit(X, y)
    fit_s = time.perf_counter() - start
    fit_mb = data_mb() - before

    before = data_mb()
    cap(score_cap_mb)
    start = time.perf_counter()
    scores = est.score_samples(X)
    score_s = time.perf_counter() - start
    score_mb = data_mb() - before

    anomalies = y == -1
    result = {
        "n_samples": X.shape[0],
        "n_features": X.shape[1],
        "data_mb": X.nbytes / 2**20,
        "copy_refused": copy_refused,
        "fit_cap_mb": fit_cap_mb,
        "score_cap_mb": score_cap_mb,
        "fit_mb": fit_mb,
        "score_mb": score_mb,
        "fit_s": fit_s,
        "score_s": score_s,
        "n_scores": int(scores.shape[0]),
        "finite": bool(np.isfinite(scores).all()),
        "mean_score_labeled_anomalies": float(scores[anomalies].mean()),
        "mean_score_rest": float(scores[~anomalies].mean()),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4]))
