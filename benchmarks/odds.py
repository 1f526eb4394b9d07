"""ODDS benchmark under the thesis's protocol (Deep One-Class Learning, Table 2.3).

For each data set and seed: a 60:40 split keeping the anomaly ratio, 1% of the
training set labeled anomalies (gamma_l = 0.01), the other training anomalies
dropped (gamma_p = 0), features standardized on the training part (inside the
Pipeline), AUROC on the test part. Every detector gets the same splits and
the labels; unsupervised detectors ignore them. Hyperparameters are the
library defaults: unlike the thesis, nothing is tuned on test data.

Results are cached per (method, data set, seed), so a rerun computes only
what is missing. Writes ``results/<name>.md``, ``.csv`` and ``.png``::

    python -m benchmarks.odds --datasets thyroid arrhythmia --seeds 10
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skoneclass
from skoneclass.datasets import ODDS_DATASETS, load_odds, semisupervised_split
from skoneclass.metrics import labeled_roc_auc

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
DATA_HOME = HERE.parents[1] / "shared" / "data"
THESIS_DATASETS = ODDS_DATASETS[:6]  # the six of the thesis; mnist is extra

METHODS = {
    "OCSVM": lambda seed: skoneclass.OCSVM(),
    "SVDD": lambda seed: skoneclass.SVDD(),
    "SSAD": lambda seed: skoneclass.SSAD(),
    "KDE": lambda seed: skoneclass.KDE(),
    "Gaussian": lambda seed: skoneclass.Gaussian(covariance="ledoit_wolf"),
    "GMM": lambda seed: skoneclass.GMM(random_state=seed),
    "PCA": lambda seed: skoneclass.PCA(),
    "KernelPCA": lambda seed: skoneclass.KernelPCA(),
    "KMeans": lambda seed: skoneclass.KMeans(random_state=seed),
    "MVE": lambda seed: skoneclass.MVE(),
    # The thesis's recipe: AE pretraining, then Adam lr 1e-4 for 50 and 1e-5
    # for 100 epochs, batch 200, weight decay 1e-6 (all library defaults).
    "DeepSVDD": lambda seed: skoneclass.DeepSVDD(random_state=seed),
    "DeepSAD": lambda seed: skoneclass.DeepSAD(random_state=seed),
    "AutoEncoder": lambda seed: skoneclass.AutoEncoder(random_state=seed),
    # The reconstruction and latent-space methods (issue 5), library defaults.
    # RSCVAE trains in mode "imbalanced" here (the labeled anomalies).
    "DecentralizationAE": lambda seed: skoneclass.DecentralizationAE(random_state=seed),
    "VAE": lambda seed: skoneclass.VAE(random_state=seed),
    "RSCVAE": lambda seed: skoneclass.RSCVAE(random_state=seed),
    "OIAD": lambda seed: skoneclass.OIAD(random_state=seed),
}

#: Methods solving a dense n x n problem; their unlabeled training data are
#: subsampled to this size (shuttle's 27k would need 6 GB Gram matrices).
DENSE_KERNEL_METHODS = ("SVDD", "SSAD", "KernelPCA")
MAX_DENSE_SAMPLES = 5000

#: Thesis Table C.1 (mean AUROC in %, std), gamma_p = 0, gamma_l = 0.01.
THESIS = {
    "OC-SVM raw": {
        "arrhythmia": (84.5, 3.9), "cardio": (98.5, 0.3), "satellite": (95.1, 0.2),
        "satimage-2": (99.4, 0.8), "shuttle": (99.4, 0.9), "thyroid": (98.3, 0.9),
    },
    "SSAD raw": {
        "arrhythmia": (86.7, 4.0), "cardio": (98.8, 0.3), "satellite": (96.2, 0.3),
        "satimage-2": (99.9, 0.1), "shuttle": (99.6, 0.5), "thyroid": (97.9, 1.9),
    },
    "Deep SVDD": {
        "arrhythmia": (74.6, 9.0), "cardio": (84.8, 3.6), "satellite": (79.8, 4.1),
        "satimage-2": (98.3, 1.4), "shuttle": (86.3, 7.5), "thyroid": (72.0, 9.7),
    },
    "Deep SAD": {
        "arrhythmia": (75.9, 8.7), "cardio": (95.0, 1.6), "satellite": (91.5, 1.1),
        "satimage-2": (99.9, 0.1), "shuttle": (98.4, 0.9), "thyroid": (98.6, 0.9),
    },
}  # fmt: skip


def run_one(method, dataset, seed, data_home):
    """Fit and evaluate one (method, data set, seed); cached as JSON."""
    cache = RESULTS / "cache" / f"{method}__{dataset}__{seed}.json"
    if cache.exists():
        return json.loads(cache.read_text())
    X, y = load_odds(dataset, data_home=data_home)
    X_train, y_train, X_test, y_test = semisupervised_split(X, y, random_state=seed)
    row = {"method": method, "dataset": dataset, "seed": seed}
    unlabeled = np.flatnonzero(y_train == 0)
    if method in DENSE_KERNEL_METHODS and len(unlabeled) > MAX_DENSE_SAMPLES:
        rng = np.random.RandomState(seed)
        drop = rng.choice(unlabeled, len(unlabeled) - MAX_DENSE_SAMPLES, replace=False)
        keep = np.setdiff1d(np.arange(len(y_train)), drop)
        X_train, y_train = X_train[keep], y_train[keep]
        row["note"] = f"{MAX_DENSE_SAMPLES} unlabeled training samples"
    model = make_pipeline(StandardScaler(), METHODS[method](seed))
    try:
        start = time.perf_counter()
        model.fit(X_train, y_train)
        row["fit_s"] = time.perf_counter() - start
        start = time.perf_counter()
        scores = model.score_samples(X_test)
        row["score_s"] = time.perf_counter() - start
        row["auroc"] = 100 * labeled_roc_auc(y_test, scores)
        history = getattr(model[-1], "history_", None)
        if history is not None:
            row["epoch_s"] = float(np.median(history[:, "dur"]))
    except ValueError as exc:  # e.g. MVE with fewer samples than features
        row["error"] = str(exc).split(";")[0]
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(row))
    return row


def summarize(rows, methods, datasets):
    """Mean +- std AUROC and mean fit time per (method, data set)."""
    table = {}
    for m in methods:
        for d in datasets:
            sel = [r for r in rows if r["method"] == m and r["dataset"] == d]
            ok = [r for r in sel if "auroc" in r]
            if ok:
                auc = np.array([r["auroc"] for r in ok])
                table[m, d] = {
                    "mean": auc.mean(),
                    "std": auc.std(),
                    "fit_s": np.mean([r["fit_s"] for r in ok]),
                    "n": len(ok),
                    "note": ok[0].get("note", ""),
                }
            else:
                table[m, d] = {"error": sel[0].get("error", "not run") if sel else ""}
    return table


def write_outputs(table, methods, datasets, n_seeds, name="odds"):
    RESULTS.mkdir(exist_ok=True)
    lines = [
        f"AUROC in % (mean +- std over {n_seeds} seeds), fit time in s; "
        "thesis protocol, "
        "library defaults (no tuning on test data).",
        "",
        "| method | " + " | ".join(datasets) + " |",
        "| --- |" + " --- |" * len(datasets),
    ]
    csv = ["method,dataset,auroc_mean,auroc_std,fit_s,n_seeds,note"]
    for m in methods:
        cells = []
        for d in datasets:
            t = table[m, d]
            if "mean" in t:
                cells.append(f"{t['mean']:.1f} +- {t['std']:.1f} ({t['fit_s']:.2f} s)")
                csv.append(
                    f"{m},{d},{t['mean']:.2f},{t['std']:.2f},{t['fit_s']:.4f},{t['n']},"
                )
            else:
                cells.append("n/a")
                csv.append(f'{m},{d},,,,0,"{t["error"]}"')
        lines.append(f"| {m} | " + " | ".join(cells) + " |")
    for method, ref in THESIS.items():
        cells = [
            f"{ref[d][0]:.1f} +- {ref[d][1]:.1f}" if d in ref else "" for d in datasets
        ]
        lines.append(f"| thesis: {method} | " + " | ".join(cells) + " |")
    notes = sorted({f"n/a: {t['error']}" for t in table.values() if t.get("error")})
    notes += sorted(
        {f"{m} on {d}: {t['note']}" for (m, d), t in table.items() if t.get("note")}
    )
    lines += ["", *notes]
    (RESULTS / f"{name}.md").write_text("\n".join(lines) + "\n")
    (RESULTS / f"{name}.csv").write_text("\n".join(csv) + "\n")
    _plot(table, methods, datasets, name)
    return "\n".join(lines)


def _plot(table, methods, datasets, name):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    fig, ax = plt.subplots(figsize=(1.2 + 1.1 * len(datasets) * len(methods) / 5, 4))
    width = 0.8 / len(methods)
    for i, m in enumerate(methods):
        means = [table[m, d].get("mean", np.nan) for d in datasets]
        stds = [table[m, d].get("std", 0.0) for d in datasets]
        pos = np.arange(len(datasets)) + (i - (len(methods) - 1) / 2) * width
        ax.bar(pos, means, width, yerr=stds, label=m, capsize=2)
    ax.set_xticks(np.arange(len(datasets)), datasets)
    ax.set_ylabel("test AUROC (%)")
    ax.set_ylim(40, 100)
    ax.legend(ncol=5, fontsize=7, loc="lower center")
    fig.tight_layout()
    fig.savefig(RESULTS / f"{name}.png", dpi=120)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", nargs="+", default=list(THESIS_DATASETS))
    parser.add_argument("--methods", nargs="+", default=list(METHODS))
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--data-home", default=str(DATA_HOME))
    parser.add_argument("--name", default="odds", help="stem of the output files")
    parser.add_argument(
        "--jobs", type=int, default=1, help="runs in parallel processes (joblib)"
    )
    args = parser.parse_args(argv)
    runs = [
        (m, d, seed)
        for d in args.datasets
        for m in args.methods
        for seed in range(args.seeds)
    ]
    rows = []
    results = Parallel(n_jobs=args.jobs, return_as="generator_unordered")(
        delayed(run_one)(m, d, seed, args.data_home) for m, d, seed in runs
    )
    for row in results:  # progress, as the runs finish
        rows.append(row)
        status = f"{row['auroc']:.1f}" if "auroc" in row else "n/a"
        print(
            f"{row['dataset']:>11} {row['method']:>10} seed {row['seed']}: "
            f"AUROC {status}",
            flush=True,
        )
    table = summarize(rows, args.methods, args.datasets)
    print(write_outputs(table, args.methods, args.datasets, args.seeds, args.name))


if __name__ == "__main__":
    main()
