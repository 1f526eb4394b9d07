"""Detectors at their defaults on training data that hold anomalies (ADBench).

A user's training data are rarely clean. For each data set and seed: a
stratified 70:30 split (at most 10,000 rows), the training part keeps its
anomalies, features standardized on the training part (inside the
Pipeline), AUROC and average precision on the test part. Two settings:

- ``unsupervised``: every training label is 0 (unlabeled);
- ``semi``: 10% of the training anomalies (at least one) labeled y = -1,
  the rest unlabeled.

Every detector runs at its defaults (only ``random_state`` set), skoneclass's
beside scikit-learn's IsolationForest and LOF(novelty=True) and PyOD's ECOD,
KNN, AutoEncoder, DeepSVDD, VAE and DevNet (semi only). Data: the six ODDS
sets of ``../shared/data/odds`` and scikit-learn's bundled sets made into
detection tasks (breast cancer with 10% malignant; wine, digits and iris as
one class with a 10% mix of another).

Every run is recorded per (setting, method, data set, seed) in
``results/runs/contaminated/`` (committed), so a rerun computes only what is
missing::

    python -m benchmarks.contaminated --seeds 5 --jobs 2

``--merge`` runs only the given methods and keeps the other rows of the
written tables, whose runs need not be recorded (the runs before the records
were kept were lost with their machine's cache)::

    python -m benchmarks.contaminated --methods "skoneclass KDE" --merge

writes ``results/contaminated_<setting>.md`` and ``.csv``: per method the
mean AUROC and average precision over data sets, the mean rank (by AUROC,
within each data set) and the mean fit time.
"""

import argparse
import contextlib
import csv
import io
import json
import shlex
import sys
import time
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from scipy.stats import rankdata
from sklearn import datasets as sk_datasets
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skoneclass
from skoneclass.datasets import load_odds

from .odds import DATA_HOME, THESIS_DATASETS, _pyod

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
CACHE = RESULTS / "runs" / "contaminated"
MAX_ROWS = 10_000
SETTINGS = ("unsupervised", "semi")

#: Detectors that need labeled anomalies: only in the semi-supervised table.
NEEDS_LABELS = ("skoneclass HSC", "skoneclass DevNet", "skoneclass DRA", "PyOD DevNet")


def _ours(name):
    def make(seed, n_features):
        cls = getattr(skoneclass, name)
        seeded = "random_state" in cls._get_param_names()
        return cls(random_state=seed) if seeded else cls()

    return make


SKONECLASS = [
    "OCSVM",
    "SVDD",
    "SSAD",
    "KDE",
    "Gaussian",
    "GMM",
    "PCA",
    "KernelPCA",
    "KMeans",
    "MVE",
    "DeepSVDD",
    "DeepSAD",
    "HSC",
    "AutoEncoder",
    "DecentralizationAE",
    "VAE",
    "RSCVAE",
    "OIAD",
    "DevNet",
    "DRA",
]


def _sklearn(name):
    # scikit-learn's detectors score like skoneclass's (higher = more normal).
    def make(seed, n_features):
        from sklearn.ensemble import IsolationForest
        from sklearn.neighbors import LocalOutlierFactor

        if name == "IsolationForest":
            return IsolationForest(random_state=seed)
        return LocalOutlierFactor(novelty=True)

    return make


#: Not defaults: the answers to pollution the docs' method pages discuss.
VARIANTS = {
    # The OC-SVM family's defaults before issue 21 (nu = 0.1).
    "skoneclass OCSVM(nu=0.1)": lambda seed, d: skoneclass.OCSVM(nu=0.1),
    "skoneclass SSAD(nu=0.1)": lambda seed, d: skoneclass.SSAD(nu=0.1),
    # Dropout, the autoencoder's answer to pollution (issue 21).
    "skoneclass AutoEncoder(dropout=0.2, n_networks=1)": lambda seed, d: (
        skoneclass.AutoEncoder(dropout=0.2, n_networks=1, random_state=seed)
    ),
    "skoneclass DeepSVDD(soft-boundary)": lambda seed, d: skoneclass.DeepSVDD(
        objective="soft-boundary", random_state=seed
    ),
    # The Deep SAD reference code's initialization (issue 20), one network.
    "skoneclass DeepSAD(weight_init=pytorch, n_networks=1)": lambda seed, d: (
        skoneclass.DeepSAD(weight_init="pytorch", n_networks=1, random_state=seed)
    ),
    # One network, the defaults before five (issue 21).
    "skoneclass AutoEncoder(n_networks=1)": lambda seed, d: skoneclass.AutoEncoder(
        n_networks=1, random_state=seed
    ),
    "skoneclass DeepSAD(n_networks=1)": lambda seed, d: skoneclass.DeepSAD(
        n_networks=1, random_state=seed
    ),
    # The robust KDE (Kim & Scott, 2012), KDE's answer to pollution.
    "skoneclass KDE(loss=hampel)": lambda seed, d: skoneclass.KDE(loss="hampel"),
    # RSC-VAE's labeled anomalies in every batch, as DeepSAD's default.
    "skoneclass RSCVAE(anomaly_fraction=0.25)": lambda seed, d: skoneclass.RSCVAE(
        anomaly_fraction=0.25, random_state=seed
    ),
}

METHODS = {
    **{f"skoneclass {name}": _ours(name) for name in SKONECLASS},
    **VARIANTS,
    "sklearn IsolationForest": _sklearn("IsolationForest"),
    "sklearn LOF": _sklearn("LOF"),
    "PyOD ECOD": lambda seed, d: _pyod("ecod", "ECOD"),
    "PyOD KNN": lambda seed, d: _pyod("knn", "KNN"),
    "PyOD AutoEncoder": lambda seed, d: _pyod(
        "auto_encoder", "AutoEncoder", random_state=seed, verbose=0
    ),
    "PyOD DeepSVDD": lambda seed, d: _pyod(
        "deep_svdd", "DeepSVDD", n_features=d, random_state=seed, verbose=0
    ),
    "PyOD VAE": lambda seed, d: _pyod("vae", "VAE", random_state=seed, verbose=0),
    "PyOD DevNet": lambda seed, d: _pyod(
        "devnet", "DevNet", labels="pass", random_seed=seed, device="cpu"
    ),
}


def _mix(X, y, normal, anomalous, fraction, rng):
    """Class ``normal`` with ``fraction`` (of its size) drawn from ``anomalous``."""
    inliers = np.flatnonzero(np.isin(y, normal))
    pool = np.flatnonzero(np.isin(y, anomalous))
    n_out = max(2, int(round(fraction * len(inliers))))
    outliers = rng.choice(pool, min(n_out, len(pool)), replace=False)
    index = np.concatenate([inliers, outliers])
    return X[index], np.r_[np.zeros(len(inliers)), np.ones(len(outliers))]


def _bundled(name, rng):
    if name == "breast_cancer":
        X, y = sk_datasets.load_breast_cancer(return_X_y=True)
        return _mix(X, y, [1], [0], 0.1, rng)  # 0 is malignant
    if name == "wine":
        X, y = sk_datasets.load_wine(return_X_y=True)
        return _mix(X, y, [1], [0, 2], 0.1, rng)
    if name == "digits":
        X, y = sk_datasets.load_digits(return_X_y=True)
        return _mix(X, y, [1], [7], 0.1, rng)
    if name == "iris":
        X, y = sk_datasets.load_iris(return_X_y=True)
        return _mix(X, y, [1], [2], 0.1, rng)
    raise ValueError(name)


BUNDLED = ("breast_cancer", "wine", "digits", "iris")
DATASETS = (*THESIS_DATASETS, *BUNDLED)


def load_task(dataset, seed, data_home=DATA_HOME):
    """``(X, is_anomaly)`` of a data set; bundled mixes are drawn per seed."""
    rng = np.random.RandomState(seed)
    if dataset in BUNDLED:
        return _bundled(dataset, rng)
    X, y = load_odds(dataset, data_home=data_home)
    y = (y == -1).astype(int)  # skoneclass's -1 (anomaly) -> 1
    if len(X) > MAX_ROWS:
        keep, _ = train_test_split(
            np.arange(len(X)), train_size=MAX_ROWS, stratify=y, random_state=seed
        )
        X, y = X[keep], y[keep]
    return X, y


def split(X, anomaly, setting, seed):
    """ADBench's split and the training labels of ``setting``."""
    X_train, X_test, a_train, a_test = train_test_split(
        X, anomaly, test_size=0.3, stratify=anomaly, random_state=seed
    )
    y_train = np.zeros(len(X_train), dtype=int)
    if setting == "semi":
        anomalies = np.flatnonzero(a_train == 1)
        n = max(1, int(round(0.1 * len(anomalies))))
        rng = np.random.RandomState(seed)
        y_train[rng.choice(anomalies, n, replace=False)] = -1
    return X_train, y_train, X_test, a_test


def _cache_path(setting, method, dataset, seed):
    stem = method.replace(" ", "_")
    return CACHE / f"{setting}__{stem}__{dataset}__{seed}.json"


def uses_labels(detector):
    """Whether ``fit`` reads y (skoneclass's and the PyOD bridge's flag;
    scikit-learn's detectors ignore it)."""
    return bool(getattr(detector, "_uses_labels", False))


def _reuses_unsupervised(setting, method, seed):
    """Same split, same fit: only the labels, which the method ignores, differ."""
    return setting != "unsupervised" and not uses_labels(METHODS[method](seed, 1))


def is_cached(setting, method, dataset, seed):
    """Whether :func:`run_one` would only read its cache."""
    if _cache_path(setting, method, dataset, seed).exists():
        return True
    if not _reuses_unsupervised(setting, method, seed):
        return False
    return _cache_path("unsupervised", method, dataset, seed).exists()


def run_one(setting, method, dataset, seed):
    """Fit and evaluate one run; cached as JSON."""
    cache = _cache_path(setting, method, dataset, seed)
    if cache.exists():
        return json.loads(cache.read_text())
    if _reuses_unsupervised(setting, method, seed):
        return {**run_one("unsupervised", method, dataset, seed), "setting": setting}
    X, anomaly = load_task(dataset, seed)
    detector = METHODS[method](seed, X.shape[1])
    X_train, y_train, X_test, a_test = split(X, anomaly, setting, seed)
    row = {"setting": setting, "method": method, "dataset": dataset, "seed": seed}
    try:
        model = make_pipeline(StandardScaler(), detector)
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):  # PyOD prints
            model.fit(X_train, y_train)
        row["fit_s"] = time.perf_counter() - start
        scores = -model.score_samples(X_test)
        row["auroc"] = 100 * roc_auc_score(a_test, scores)
        row["ap"] = 100 * average_precision_score(a_test, scores)
    except ImportError as exc:  # a peer not installed: not cached
        row["error"] = f"not installed ({exc.name})"
        return row
    except ValueError as exc:  # e.g. MVE with fewer samples than features
        row["error"] = str(exc).split("\n")[0][:200]
    CACHE.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(row))
    return row


def summarize(rows, methods, datasets):
    """Per method: mean AUROC, AP, rank and fit time over the data sets
    where every method ran (ranks within each data set, by mean AUROC).
    A method with no run at all is left out (``write`` names it), so that
    one unrun method does not empty the table."""
    cell = {}
    for r in rows:
        if "auroc" in r:
            cell.setdefault((r["method"], r["dataset"]), []).append(r)
    methods = [m for m in methods if any((m, d) in cell for d in datasets)]
    complete = [d for d in datasets if all((m, d) in cell for m in methods)]
    means = {
        (m, d): {
            k: np.mean([r[k] for r in cell[m, d]]) for k in ("auroc", "ap", "fit_s")
        }
        for m in methods
        for d in complete
    }
    table = []
    for m in methods:
        if not complete:
            break
        table.append(
            {
                "method": m,
                "auroc": np.mean([means[m, d]["auroc"] for d in complete]),
                "ap": np.mean([means[m, d]["ap"] for d in complete]),
                "fit_s": np.mean([means[m, d]["fit_s"] for d in complete]),
                "seeds": min(len(cell[m, d]) for d in complete),
                **{d: means[m, d]["auroc"] for d in complete},
            }
        )
    return rank(table, complete), complete


def rank(table, datasets):
    """``table`` sorted by mean AUROC, each row's ``rank`` its mean rank by
    AUROC within each data set (ties share their mean rank: a merged table's
    written AUROCs are rounded to 0.1)."""
    for row in table:
        row["rank"] = 0.0
    for d in datasets:
        ranks = rankdata([-row[d] for row in table])
        for row, r in zip(table, ranks, strict=True):
            row["rank"] += r / len(datasets)
    return sorted(table, key=lambda row: -row["auroc"])


COLUMNS = ("method", "mean AUROC", "mean AP", "mean rank", "fit s", "seeds")


def read_table(setting):
    """The rows and data sets of the written ``setting`` table."""
    with open(RESULTS / f"contaminated_{setting}.csv", newline="") as f:
        written = list(csv.DictReader(f))
    datasets = [k for k in written[0] if k not in COLUMNS] if written else []
    table = [
        {
            "method": r["method"],
            "auroc": float(r["mean AUROC"]),
            "ap": float(r["mean AP"]),
            "rank": float(r["mean rank"]),
            "fit_s": float(r["fit s"]),
            "seeds": int(r["seeds"]),
            **{d: float(r[d]) for d in datasets},
        }
        for r in written
    ]
    return table, datasets


def check_mergeable(written_datasets, datasets):
    """Raise unless rows on ``datasets`` can join a written table on
    ``written_datasets`` (none when empty)."""
    if written_datasets and datasets != written_datasets:
        raise ValueError(
            f"--merge needs the written table's data sets {written_datasets}, "
            f"got runs on {datasets}"
        )


def merge(setting, table, datasets):
    """The written ``setting`` table with ``table``'s rows replacing or
    joining its own, re-ranked."""
    written, written_datasets = read_table(setting)
    if table:  # a failed run can still drop a data set after the check in main
        check_mergeable(written_datasets, datasets)
    ran = {row["method"] for row in table}
    kept = [row for row in written if row["method"] not in ran]
    datasets = written_datasets or datasets
    return rank(kept + table, datasets), datasets


#: The detector every row is paired with: the baseline the defaults must beat.
VERSUS = "sklearn IsolationForest"


def paired(setting, methods, datasets, seeds, versus=VERSUS):
    """Per method: its AUROC minus ``versus``'s on the same splits, from the
    recorded runs.

    Returns ``{method: (mean, se, pairs)}``: the mean over data sets of the
    per-data-set mean difference, and the standard error of that mean over
    the seeds (splits and initializations), ``sqrt(sum_d var_d / S_d) / D``.
    Only methods with at least two recorded pairs on every data set.
    """

    def recorded(method):
        runs = {}
        for d in datasets:
            for seed in range(seeds):
                if is_cached(setting, method, d, seed):
                    row = run_one(setting, method, d, seed)
                    if "auroc" in row:
                        runs[d, seed] = row["auroc"]
        return runs

    base = recorded(versus)
    out = {}
    for m in methods:
        if m == versus or m not in METHODS:
            continue
        own = recorded(m)
        diffs = [
            np.array([own[k] - base[k] for k in own if k[0] == d and k in base])
            for d in datasets
        ]
        if not datasets or min(len(v) for v in diffs) < 2:
            continue
        se = np.sqrt(sum(v.var(ddof=1) / len(v) for v in diffs)) / len(datasets)
        out[m] = (np.mean([v.mean() for v in diffs]), se, sum(map(len, diffs)))
    return out


def write(setting, table, datasets, seeds, command, not_run=(), pairs=None):
    header = [*COLUMNS, *datasets]
    out = [header]
    md = [
        f"Run with {command}. Setting **{setting}**: "
        + (
            "the training part keeps its anomalies, all unlabeled (y = 0)"
            if setting == "unsupervised"
            else "10% of the training anomalies labeled (y = -1), the rest unlabeled"
        )
        + f". Stratified 70:30 splits, {seeds} seed(s), at most {MAX_ROWS} rows, "
        "StandardScaler on the training part, every detector at its defaults "
        "(a parenthesis names the one parameter changed). "
        "AUROC and average precision in %, means over the data sets (each the "
        "mean over seeds); rank by AUROC within each data set; fit time in "
        "seconds, mean over data sets.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    fewer = [f"{r['method']} ({r['seeds']})" for r in table if r["seeds"] < seeds]
    if fewer:
        md.insert(1, f"Fewer seeds (the first ones): {', '.join(fewer)}.")
    if not_run:
        md.insert(1, f"Not run in this setting: {', '.join(not_run)}.")
    for row in table:
        cells = [
            row["method"],
            f"{row['auroc']:.1f}",
            f"{row['ap']:.1f}",
            f"{row['rank']:.1f}",
            f"{row['fit_s']:.1f}",
            str(row["seeds"]),
            *(f"{row[d]:.1f}" for d in datasets),
        ]
        out.append(cells)
        md.append("| " + " | ".join(cells) + " |")
    if pairs:
        md += [
            "",
            f"Paired with {VERSUS} on the same splits (recorded runs only): "
            "the mean over the data sets of the AUROC difference, and its "
            "standard error over the seeds. A difference within two standard "
            "errors is not resolved by this table.",
            "",
            f"| method | AUROC - {VERSUS} | standard error | pairs |",
            "|---|---|---|---|",
            *(
                f"| {m} | {mean:+.1f} | {se:.1f} | {n} |"
                for m, (mean, se, n) in sorted(pairs.items(), key=lambda p: -p[1][0])
            ),
        ]
    RESULTS.mkdir(exist_ok=True)
    with open(RESULTS / f"contaminated_{setting}.csv", "w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(out)
    (RESULTS / f"contaminated_{setting}.md").write_text("\n".join(md) + "\n")


def methods_of(setting, methods):
    if setting == "unsupervised":
        return [m for m in methods if m not in NEEDS_LABELS]
    return list(methods)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--settings", nargs="+", default=list(SETTINGS))
    parser.add_argument("--methods", nargs="+", default=list(METHODS))
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS))
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument(
        "--cached-only",
        action="store_true",
        help="only tabulate the recorded runs; run nothing",
    )
    parser.add_argument(
        "--merge",
        action="store_true",
        help="keep the written tables' rows of the methods not given",
    )
    args = parser.parse_args(argv)
    shown = sys.argv[1:] if argv is None else argv
    command = f"`python -m benchmarks.contaminated {shlex.join(shown)}`"
    if args.merge:
        command = (
            f"`python -m benchmarks.contaminated --seeds {args.seeds}` (this file "
            f"was last written by {command}, which kept the other rows as written)"
        )
    if args.merge:  # before the fits, not after them
        for setting in args.settings:
            check_mergeable(read_table(setting)[1], args.datasets)
    runs = [
        (setting, m, d, seed)
        for setting in args.settings
        for seed in range(args.seeds)
        for d in args.datasets
        for m in methods_of(setting, args.methods)
    ]
    if args.cached_only:
        runs = [run for run in runs if is_cached(*run)]
    rows = []
    for row in Parallel(n_jobs=args.jobs, return_as="generator_unordered")(
        delayed(run_one)(*run) for run in runs
    ):
        rows.append(row)
        if "auroc" in row:
            print(
                f"{row['setting']:12s} {row['dataset']:13s} {row['method']:30s} "
                f"seed {row['seed']}: AUROC {row['auroc']:.1f} ({row['fit_s']:.1f} s)",
                flush=True,
            )
    for setting in args.settings:
        methods = methods_of(setting, args.methods)
        own = [r for r in rows if r["setting"] == setting]
        table, complete = summarize(own, methods, args.datasets)
        tabulated = {row["method"] for row in table}
        not_run = [m for m in methods if m not in tabulated]
        if args.merge:
            table, complete = merge(setting, table, complete)
        pairs = paired(setting, [row["method"] for row in table], complete, args.seeds)
        write(setting, table, complete, args.seeds, command, not_run, pairs)


if __name__ == "__main__":
    main()
