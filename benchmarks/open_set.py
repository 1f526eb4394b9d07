"""Open-set supervised detection on digits: seen vs unseen anomalies (DRA's claim).

For each normal digit d: 70% of its images train, with 10 labeled anomalies
(y == -1) drawn from two *seen* digits, d + 1 and d + 2 (mod 10). The test
set is the other 30% of digit d against the remaining images of the seen
digits and, separately, against all images of the seven *unseen* digits.
DRA's paper claims it holds up on unseen anomalies where DevNet, fitted to
the seen ones, drops. Writes ``results/open_set.{md,csv,png}``::

    python -m benchmarks.open_set --seeds 3
"""

import argparse
import time
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from sklearn.datasets import load_digits
from sklearn.metrics import roc_auc_score

import skoneclass

RESULTS = Path(__file__).resolve().parent / "results"

#: Deep SAD with the digits benchmark's training settings (small data).
_SMALL = {"lr": 1e-3, "lr_milestones": None, "max_epochs": 100, "batch_size": 32}

METHODS = {
    "DRA": lambda seed: skoneclass.DRA(random_state=seed),
    "DRA-cnn": lambda seed: skoneclass.DRA(random_state=seed),
    "DRA-zero-shot": lambda seed: skoneclass.DRA(random_state=seed),
    "DevNet": lambda seed: skoneclass.DevNet(random_state=seed),
    "DeepSAD": lambda seed: skoneclass.DeepSAD(
        hidden_dims=(64, 32), rep_dim=8, n_networks=1, random_state=seed, **_SMALL
    ),
    "DeepSVDD": lambda seed: skoneclass.DeepSVDD(
        hidden_dims=(64, 32), rep_dim=8, random_state=seed, **_SMALL
    ),
}

#: Methods that see images (n, 1, 8, 8) instead of rows of 64 pixels.
IMAGES = ("DRA-cnn",)
#: Methods fitted without the labels.
UNLABELED = ("DRA-zero-shot", "DeepSVDD")


def open_set_split(normal, n_labeled=10, seed=0):
    """``(X_train, y_train, X_normal, X_seen, X_unseen)`` for one normal digit."""
    X, t = load_digits(return_X_y=True)
    X = (X / 16).astype(np.float32)
    rng = np.random.RandomState(seed)
    seen = [(normal + 1) % 10, (normal + 2) % 10]
    normals = rng.permutation(np.flatnonzero(t == normal))
    n_train = int(0.7 * len(normals))
    seen_rows = rng.permutation(np.flatnonzero(np.isin(t, seen)))
    labeled = seen_rows[:n_labeled]
    X_train = np.vstack([X[normals[:n_train]], X[labeled]])
    y_train = np.r_[np.zeros(n_train, dtype=int), -np.ones(n_labeled, dtype=int)]
    unseen = np.flatnonzero(~np.isin(t, [normal, *seen]))
    return X_train, y_train, X[normals[n_train:]], X[seen_rows[n_labeled:]], X[unseen]


def _auroc(normal_scores, anomaly_scores):
    truth = np.r_[np.zeros(len(normal_scores)), np.ones(len(anomaly_scores))]
    return roc_auc_score(truth, -np.r_[normal_scores, anomaly_scores])


def evaluate(method, normal, seed):
    """AUROC on seen and on unseen anomalies, and the fit time."""
    X_train, y_train, X_normal, X_seen, X_unseen = open_set_split(normal, seed=seed)
    shape = (lambda A: A.reshape(-1, 1, 8, 8)) if method in IMAGES else (lambda A: A)
    y = None if method in UNLABELED else y_train
    start = time.perf_counter()
    model = METHODS[method](seed).fit(shape(X_train), y)
    seconds = time.perf_counter() - start
    s_normal = model.score_samples(shape(X_normal))
    return {
        "method": method,
        "normal": normal,
        "seed": seed,
        "seen": _auroc(s_normal, model.score_samples(shape(X_seen))),
        "unseen": _auroc(s_normal, model.score_samples(shape(X_unseen))),
        "seconds": seconds,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--methods", nargs="+", default=list(METHODS))
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args(argv)
    tasks = [
        (m, d, s) for m in args.methods for d in range(10) for s in range(args.seeds)
    ]
    rows = Parallel(n_jobs=args.jobs)(delayed(evaluate)(*t) for t in tasks)
    RESULTS.mkdir(exist_ok=True)
    csv = ["method,normal_digit,seed,auroc_seen,auroc_unseen,fit_s"]
    csv += [
        f"{r['method']},{r['normal']},{r['seed']},{r['seen']:.4f},"
        f"{r['unseen']:.4f},{r['seconds']:.2f}"
        for r in rows
    ]
    (RESULTS / "open_set.csv").write_text("\n".join(csv) + "\n")
    lines = [
        f"Digits, open set: 10 labeled anomalies from two seen digits; AUROC (%) "
        f"mean over the ten normal digits and {args.seeds} seeds (std over the "
        "seeds' ten-digit means); fit seconds per task (CPU).",
        "",
        "| method | seen anomalies | unseen anomalies | fit s |",
        "| --- | --- | --- | --- |",
    ]
    summary = {}
    for m in args.methods:
        mine = [r for r in rows if r["method"] == m]
        per_seed = {
            k: [
                np.mean([r[k] for r in mine if r["seed"] == s])
                for s in range(args.seeds)
            ]
            for k in ("seen", "unseen")
        }
        summary[m] = {
            k: (100 * np.mean(v), 100 * np.std(v)) for k, v in per_seed.items()
        }
        secs = np.mean([r["seconds"] for r in mine])
        lines.append(
            f"| {m} | {summary[m]['seen'][0]:.1f} +- {summary[m]['seen'][1]:.1f} | "
            f"{summary[m]['unseen'][0]:.1f} +- {summary[m]['unseen'][1]:.1f} | "
            f"{secs:.1f} |"
        )
    (RESULTS / "open_set.md").write_text("\n".join(lines) + "\n")
    _plot(summary)
    print("\n".join(lines))


def _plot(summary):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    fig, ax = plt.subplots(figsize=(7, 3.5))
    methods = list(summary)
    pos = np.arange(len(methods))
    for i, kind in enumerate(("seen", "unseen")):
        means = [summary[m][kind][0] for m in methods]
        stds = [summary[m][kind][1] for m in methods]
        ax.bar(pos + (i - 0.5) * 0.4, means, 0.4, yerr=stds, label=f"{kind} anomalies")
    ax.set_xticks(pos, methods)
    ax.set_ylabel("test AUROC (%)")
    ax.set_ylim(80, 100)
    ax.legend()
    fig.tight_layout()
    fig.savefig(RESULTS / "open_set.png", dpi=120)


if __name__ == "__main__":
    main()
