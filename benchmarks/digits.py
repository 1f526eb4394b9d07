"""One-vs-rest anomaly detection on scikit-learn's bundled digits (8x8 images).

For each digit d: the normal class is d, 70% of its images train (pixels
scaled to [0, 1]), and the test set is the other 30% plus every image of the
other nine digits. A proxy for the papers' MNIST protocol that needs no
download. ``--labeled N`` gives the semi-supervised methods N labeled
anomalies drawn from the other digits (removed from the test set).

    python -m benchmarks.digits --seeds 5 --jobs 2

writes ``results/digits.md`` and ``.csv``: AUROC per digit and the mean for
every method, side by side on the same splits.
"""

import argparse
import time
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from sklearn.datasets import load_digits
from sklearn.metrics import roc_auc_score

from skoneclass import (
    OIAD,
    RSCVAE,
    VAE,
    AutoEncoder,
    DecentralizationAE,
    DeepSAD,
    DeepSVDD,
)
from skoneclass.datasets import one_vs_rest_split
from skoneclass.parts import ConvNet

RESULTS = Path(__file__).resolve().parent / "results"

#: Training settings shared by every method (small data: ~125 images).
TRAINING = {"lr": 1e-3, "lr_milestones": None, "max_epochs": 100, "batch_size": 32}
MLP = {"hidden_dims": (64, 32), "rep_dim": 8}


def conv(code_activation=None):
    """The CNN of the image variants: 8x8 -> 4x4 -> 2x2, 8 codes."""
    return ConvNet(
        image_shape=(1, 8, 8),
        channels=(32, 64),
        rep_dim=8,
        code_activation=code_activation,
    )


METHODS = {
    "AutoEncoder": lambda s: AutoEncoder(bias=True, **MLP, **TRAINING, random_state=s),
    "DecentralizationAE": lambda s: DecentralizationAE(
        **MLP, **TRAINING, random_state=s
    ),
    "VAE": lambda s: VAE(likelihood="bernoulli", **MLP, **TRAINING, random_state=s),
    "RSCVAE": lambda s: RSCVAE(**MLP, **TRAINING, random_state=s),
    # The papers' ablations: without the consistency term ("Recode VAE"),
    # without the decentralization term (the same tanh-code autoencoder).
    "RecodeVAE": lambda s: RSCVAE(
        consistency_weight=0.0, **MLP, **TRAINING, random_state=s
    ),
    "DecentralizationAE-lambda0": lambda s: DecentralizationAE(
        decentralization_weight=0.0, **MLP, **TRAINING, random_state=s
    ),
    "RSCVAE-shifted": lambda s: RSCVAE(
        mode="shifted", shift_prob=0.05, **MLP, **TRAINING, random_state=s
    ),
    "OIAD": lambda s: OIAD(
        likelihood="bernoulli",
        discriminator_dims=(256, 256),
        **MLP,
        **TRAINING,
        random_state=s,
    ),
    "VAE-conv": lambda s: VAE(
        likelihood="bernoulli", network=conv(), **TRAINING, random_state=s
    ),
    "AutoEncoder-conv": lambda s: AutoEncoder(
        network=conv(), **TRAINING, random_state=s
    ),
    "DecentralizationAE-conv": lambda s: DecentralizationAE(
        network=conv(), **TRAINING, random_state=s
    ),
    "RSCVAE-conv": lambda s: RSCVAE(network=conv(), **TRAINING, random_state=s),
    "OIAD-ssim": lambda s: OIAD(
        likelihood="bernoulli",
        consistency="ssim",
        discriminator_dims=(256, 256),
        network=conv(),
        **TRAINING,
        random_state=s,
    ),
    # Semi-supervised (--labeled): RSC-VAE's mode e beside Deep SAD.
    "RSCVAE-imbalanced": lambda s: RSCVAE(**MLP, **TRAINING, random_state=s),
    "DeepSAD": lambda s: DeepSAD(
        hidden_dims=(64, 32), rep_dim=8, **TRAINING, random_state=s
    ),
}

#: The defaults a new user gets: only ``random_state`` set (issue 21).
DEFAULT_DETECTORS = {
    cls.__name__: cls
    for cls in (
        DeepSVDD,
        DeepSAD,
        AutoEncoder,
        DecentralizationAE,
        VAE,
        RSCVAE,
        OIAD,
    )
}
for _name, _cls in DEFAULT_DETECTORS.items():
    METHODS[f"{_name}@defaults"] = lambda s, cls=_cls: cls(random_state=s)

SEMI_SUPERVISED = ("RSCVAE-imbalanced", "DeepSAD")


def digit_task(digit, seed, n_labeled=0):
    """(X_train, y_train, X_test, is_anomaly) for normal class ``digit``."""
    X, y = load_digits(return_X_y=True)
    return one_vs_rest_split(X / 16.0, y, digit, n_labeled=n_labeled, random_state=seed)


def evaluate(method, digit, seed, n_labeled=0):
    """AUROC of ``method`` (a name of METHODS) on one digit task."""
    semi = method in SEMI_SUPERVISED
    X_train, y_train, X_test, anomaly = digit_task(
        digit, seed, n_labeled if semi else 0
    )
    model = METHODS[method](seed)
    model.fit(X_train, y_train if semi else None)
    return roc_auc_score(anomaly, -model.score_samples(X_test))


def _timed(method, digit, seed, n_labeled):
    start = time.perf_counter()
    auc = evaluate(method, digit, seed, n_labeled)
    return auc, time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--methods", nargs="+", default=list(METHODS))
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--labeled", type=int, default=5)
    parser.add_argument("--name", default="digits")
    parser.add_argument("--jobs", type=int, default=1, help="parallel processes")
    args = parser.parse_args(argv)
    runs = [
        (m, d, seed)
        for m in args.methods
        for seed in range(args.seeds)
        for d in range(10)
    ]
    timed = Parallel(n_jobs=args.jobs)(
        delayed(_timed)(m, d, seed, args.labeled) for m, d, seed in runs
    )
    rows = []
    for method in args.methods:
        own = [
            (r, t)
            for (m, d, seed), (r, t) in zip(runs, timed, strict=True)
            if m == method
        ]
        aucs = np.array([r for r, _ in own]).reshape(args.seeds, 10)
        seconds = sum(t for _, t in own)
        per_digit = aucs.mean(axis=0)
        seed_means = aucs.mean(axis=1)
        rows.append((method, per_digit, seed_means.mean(), seed_means.std(), seconds))
        print(
            f"{method:26s} mean {100 * seed_means.mean():.1f} "
            f"+- {100 * seed_means.std():.1f}  ({seconds:.0f} s)",
            flush=True,
        )
    RESULTS.mkdir(exist_ok=True)
    header = ["method", *map(str, range(10)), "mean", "std over seeds", "seconds"]
    lines = [",".join(header)]
    md = [
        f"AUROC (%) on digits one-vs-rest, mean over {args.seeds} seed(s) "
        "(std over the seeds' ten-task means); semi-supervised methods get "
        f"{args.labeled} labeled anomalies. Seconds: total fit and score time.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    for method, per_digit, mean, std, seconds in rows:
        cells = [f"{100 * a:.1f}" for a in per_digit]
        values = [method, *cells, f"{100 * mean:.1f}", f"{100 * std:.1f}"]
        lines.append(",".join([*values, f"{seconds:.0f}"]))
        md.append("| " + " | ".join([*values, f"{seconds:.0f}"]) + " |")
    (RESULTS / f"{args.name}.csv").write_text("\n".join(lines) + "\n")
    (RESULTS / f"{args.name}.md").write_text("\n".join(md) + "\n")


if __name__ == "__main__":
    main()
