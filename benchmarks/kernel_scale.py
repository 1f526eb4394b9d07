"""Kernel one-class methods as n grows: the n^2 wall and the feature maps.

Fit time and test AUROC of exact kernel SVDD (the dense QP), OC-SVM
(libsvm) and SVDD on Nystroem features trained by SGD
(``OneClassModel(Nystroem, Hypersphere(center="learned"), Hinge, solver="sgd")``)
for growing n, on one synthetic task: normal data a mixture of two Gaussians
in 10 dimensions, anomalies drawn around the same centers with twice the
spread, 5% of the test set.
Exact SVDD stops where its Gram matrix and QP stop being practical.

Writes ``results/kernel_scale.md`` and ``.csv``::

    python -m benchmarks.kernel_scale
"""

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from skoneclass import OCSVM, SVDD, OneClassModel
from skoneclass.metrics import labeled_roc_auc
from skoneclass.parts import Hinge, Hypersphere, Nystroem

RESULTS = Path(__file__).resolve().parent / "results"

METHODS = {
    "SVDD (exact QP)": (lambda: SVDD(nu=0.05), 4000),
    "OCSVM (libsvm)": (lambda: OCSVM(nu=0.05), 32000),
    "SVDD on Nystroem-300 (SGD)": (
        lambda: OneClassModel(
            feature_map=Nystroem(n_components=300, random_state=0),
            model=Hypersphere(center="learned"),
            loss=Hinge(nu=0.05),
            solver="sgd",
            max_epochs=10,
            lr=1e-2,
            lr_milestones=(),
            batch_size=256,
            random_state=0,
        ),
        None,
    ),
}


def task(n, seed=0, d=10):
    rng = np.random.RandomState(seed)
    centers = np.array([np.full(d, -2.0), np.full(d, 2.0)])

    def normal(m, spread=1.0):
        return centers[rng.randint(2, size=m)] + spread * rng.randn(m, d)

    n_test = 2000
    n_anom = n_test // 20
    X_test = np.r_[normal(n_test - n_anom), normal(n_anom, spread=2.0)]
    y_test = np.r_[np.ones(n_test - n_anom), -np.ones(n_anom)]
    return normal(n), X_test, y_test


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sizes", type=int, nargs="+",
        default=[1000, 2000, 4000, 8000, 16000, 32000, 100000],
    )  # fmt: skip
    args = parser.parse_args(argv)
    rows = []
    for n in args.sizes:
        X, X_test, y_test = task(n)
        for name, (make, max_n) in METHODS.items():
            if max_n is not None and n > max_n:
                continue
            start = time.perf_counter()
            est = make().fit(X)
            fit_s = time.perf_counter() - start
            auroc = labeled_roc_auc(y_test, est.score_samples(X_test))
            rows.append({"n": n, "method": name, "fit_s": fit_s, "auroc": auroc})
            print(rows[-1], flush=True)
    write(pd.DataFrame(rows))


def write(frame):
    RESULTS.mkdir(exist_ok=True)
    frame.to_csv(RESULTS / "kernel_scale.csv", index=False)
    fit = frame.pivot(index="n", columns="method", values="fit_s")
    auc = frame.pivot(index="n", columns="method", values="auroc")
    methods = list(METHODS)
    lines = [
        "Fit time (s) / test AUROC by training size n (2 threads, CPU; "
        "- = not run: beyond the method's practical n).",
        "",
        "| n | " + " | ".join(methods) + " |",
        "| --- |" + " --- |" * len(methods),
    ]
    for n in fit.index:
        cells = [
            "-"
            if pd.isna(fit.loc[n].get(m))
            else f"{fit.loc[n, m]:.2f} / {auc.loc[n, m]:.3f}"
            for m in methods
        ]
        lines.append(f"| {n} | " + " | ".join(cells) + " |")
    (RESULTS / "kernel_scale.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
