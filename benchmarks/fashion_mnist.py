"""Fashion-MNIST one vs rest: the seeds' image methods beside their papers' numbers.

Issue 19. For each normal class: its 6,000 training images train (pixels in
[0, 1], the seeds' only preprocessing) and the test set is the normal
class's test images against the other nine classes' (all of them; the
RSC-VAE rows keep a random half of the other classes' images, as that
paper). Each method is configured as its paper describes (network, batch,
learning rate, epochs); where a paper is silent, the choice is in
:data:`METHODS`' comments. The paper's per-class AUROC (read from
``../shared/seeds/fashion_mnist_results.csv``) stands beside ours on every
row.

Deep SAD's scenario (i) (thesis 2.3.4, Figure 2.6): a share ``gamma_l`` of
the training set are labeled anomalies, all from one anomaly class (here the
class after the normal one, shifted by the seed), beside SSAD with the same
labels and the unsupervised OC-SVM and Deep SVDD.

One epoch of the LeNet over 6,000 images takes seconds per core, so the
papers' schedules (up to 500 epochs) take hours per fit on a CPU: every run is
recorded per (method, class, seed, epochs, training size) in
``results/runs/fashion_mnist/`` (committed; the records of runs before the
records were kept carry no fit time), a rerun computes only what is
missing, and ``--epochs N`` caps every schedule at N epochs (the pretraining
and learning-rate milestones scale with it; the table says which epochs each
row used). A deep fit also saves its training state after every epoch
(:mod:`benchmarks.snapshots`, under ``results/cache/``), so a fit that a
session's end kills resumes at its last epoch when the same command runs
again, and a schedule longer than a session finishes over several::

    python -m benchmarks.fashion_mnist --classes 0 1 4 8 --seeds 1 --device cuda
    python -m benchmarks.fashion_mnist --methods "AE (thesis LeNet)" --epochs 30

Writes ``results/fashion_mnist.md``, ``.csv`` and ``.png``.
"""

import argparse
import csv
import json
import shlex
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from sklearn.datasets import load_sample_images
from skorch.callbacks import LRScheduler
from torch.optim.lr_scheduler import CosineAnnealingLR

import skoneclass
from skoneclass.datasets import (
    FASHION_MNIST_CLASSES,
    fashion_mnist_one_vs_rest,
    load_fashion_mnist,
)
from skoneclass.metrics import labeled_roc_auc
from skoneclass.parts import ConvNet

from .snapshots import Snapshots, progress

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
#: One JSON record per run, committed: a fresh checkout regenerates the table
#: (``--cached-only``) and resumes where the last machine stopped.
CACHE = RESULTS / "runs" / "fashion_mnist"
#: The training state of the deep fits under way (not committed): one
#: directory per run, deleted once its record is written.
SNAPSHOTS = RESULTS / "cache" / "fashion_mnist_snapshots"
SHARED = HERE.parents[1] / "shared"
DATA_HOME = SHARED / "data"
PAPERS = SHARED / "seeds" / "fashion_mnist_results.csv"
#: The classes issue 19 asks for first: T-shirt/top, Trouser, Coat, Bag.
FIRST_CLASSES = (0, 1, 4, 8)
GAMMAS = (0.0, 0.01, 0.05, 0.1)


@dataclass(frozen=True)
class Method:
    """One row of the table.

    ``make(seed, epochs, device)`` builds the estimator for the resolved
    ``epochs`` (a dict: "train", and "pretrain" where there is one);
    ``epochs`` are the paper's; ``paper`` is its (source, method) in the
    seeds' CSV; ``protocol`` is "whole" (the whole test set) or "half" (a
    random half of the other classes' test images); ``labels`` is None,
    ("gamma", g) (scenario (i)) or ("any", fraction) (labeled anomalies
    from every other class, RSC-VAE's mode e); ``side`` resizes the images.
    """

    make: object
    epochs: dict
    paper: tuple = None
    protocol: str = "whole"
    labels: tuple = None
    side: int = 28
    notes: tuple = field(default=())


def _scaled(milestone, paper_epochs, epochs):
    return (max(1, round(milestone * epochs / paper_epochs)),)


# -- the thesis (Deep SVDD paper's schedule, thesis 2.2.4; LeNet B.1.1) -----
def _thesis_ae(seed, epochs, device):
    return skoneclass.AutoEncoder(
        network="lenet28-fmnist", lr=1e-4, batch_size=200,
        max_epochs=epochs["train"],
        lr_milestones=_scaled(250, 350, epochs["train"]),
        n_networks=1, device=device, random_state=seed,
    )  # fmt: skip


def _thesis_svdd(seed, epochs, device):
    # One lr_milestones for both phases: the pretraining's drop comes at
    # the same share of its epochs only when the epochs are the paper's.
    return skoneclass.DeepSVDD(
        network="lenet28-fmnist", lr=1e-4, batch_size=200,
        pretrain_epochs=epochs["pretrain"], max_epochs=epochs["train"],
        lr_milestones=_scaled(150, 250, epochs["train"]),
        device=device, random_state=seed,
    )  # fmt: skip


def _deep_sad(seed, epochs, device):
    # Thesis B.1.2: 50 + 100 epochs, batch 200, AE pretraining; its plain
    # batches (anomaly_fraction=None), not the library's balanced default.
    return skoneclass.DeepSAD(
        network="lenet28-fmnist", lr=1e-4, batch_size=200, anomaly_fraction=None,
        n_networks=1, pretrain_epochs=epochs["pretrain"], max_epochs=epochs["train"],
        lr_milestones=_scaled(50, 150, epochs["train"]),
        device=device, random_state=seed,
    )  # fmt: skip


def _fcdd_oe(seed, epochs, device):
    # Outlier exposure only, as the thesis's one-vs-rest runs (confetti is
    # its MVTec-AD protocol): half of the training images are the OE set.
    return skoneclass.FCDD(
        channels=(128, 128), kernel_size=5, last_block="conv_pool",
        synthetic_anomalies=None, max_epochs=epochs["train"], device=device,
        random_state=seed,
    )  # fmt: skip


def _fcdd(seed, epochs, device):
    # Thesis B.2's F-MNIST FCN: conv 128 (5x5) + BN + leaky ReLU + pool, a
    # bare conv 128 (5x5) + pool, the 1x1 conv: a 7x7 map. Confetti noise
    # stands in for the outlier exposure (EMNIST, CIFAR-100).
    return skoneclass.FCDD(
        channels=(128, 128), kernel_size=5, last_block="conv_pool",
        max_epochs=epochs["train"], device=device, random_state=seed,
    )  # fmt: skip


# -- the decentralization paper (003): OCGAN-style conv AE --------------------
def _ocgan(code_activation=None):
    # 3 x (5x5 conv, stride 2, BN, leaky ReLU 0.2) from 64 channels; the
    # stride-2 ConvNet needs sides divisible by 8, so images are resized to
    # 32x32 (the paper keeps 28x28). Code size: not given; 32.
    return ConvNet(
        image_shape=(1, 32, 32), channels=(64, 128, 256), kernel_size=5,
        rep_dim=32, code_activation=code_activation,
    )  # fmt: skip


def _decentralization(weight, error="l2"):
    def make(seed, epochs, device):
        # Optimizer not given: Adam lr 2e-4, batch 64, constant rate.
        return skoneclass.DecentralizationAE(
            decentralization_weight=weight, reconstruction_error=error,
            network=_ocgan("tanh"),
            negative_slope=0.2, lr=2e-4, lr_milestones=None, batch_size=64,
            max_epochs=epochs["train"], device=device, random_state=seed,
        )  # fmt: skip

    return make


def _vae_003(score):
    def make(seed, epochs, device):
        # The paper scores every model by the reconstruction error
        # ||x - g(f(x))||: a Gaussian likelihood's reconstruction term. The
        # ELBO of a Bernoulli decoder ranks the other classes' simpler images
        # (trousers, bags: fewer bright pixels) as likelier than the normal
        # class's, the likelihood failure of Nalisnick et al. (2019).
        likelihood = "gaussian" if score == "reconstruction" else "bernoulli"
        return skoneclass.VAE(
            likelihood=likelihood, anomaly_score=score, network=_ocgan(),
            negative_slope=0.2, lr=2e-4, batch_size=64,
            max_epochs=epochs["train"], device=device, random_state=seed,
        )  # fmt: skip

    return make


# -- the RSC-VAE paper (002): 4 x (3x3 conv + BN + leaky ReLU 0.2) at 32x32 --
def _rsc(mode, consistency_weight, t_max, **params):
    def make(seed, epochs, device):
        # Adam lr 0.01 with cosine annealing (T_max 50), batch 32; channels
        # and code size not given: 32-64-128-256 and 32. ``t_max=None``
        # anneals once over the run instead: under an epoch cap, T_max 50
        # never lowers the rate (and the paper's 500 epochs end at the top
        # of their fifth period, its numbers being the best test epoch's).
        network = ConvNet(
            image_shape=(1, 32, 32), channels=(32, 64, 128, 256), kernel_size=3,
            rep_dim=32,
        )  # fmt: skip
        return skoneclass.RSCVAE(
            mode=mode, consistency_weight=consistency_weight, network=network,
            lr=0.01, batch_size=32, max_epochs=epochs["train"],
            callbacks=[LRScheduler(CosineAnnealingLR, T_max=t_max or epochs["train"])],
            device=device, random_state=seed, **params,
        )  # fmt: skip

    return make


def _shallow(name):
    # Raw pixels, gamma at the library's default (the thesis tunes gamma on
    # 10% of the test set; nothing is tuned here) and nu = 0.1, a value of
    # the thesis's grid: these rows ran before the defaults became 0.5 / 0.3.
    return lambda seed, epochs, device: getattr(skoneclass, name)(nu=0.1)


#: RSC-VAE's rows: name, mode, consistency weight, paper row, labels.
RSC_ROWS = (
    ("Recode VAE", "one_class", 0.0, "Recode VAE", None),
    ("RSCVAE o", "one_class", 0.1, "RSC-VAE o", None),
    ("RSCVAE d", "shifted", 0.1, "RSC-VAE d", None),
    ("RSCVAE e", "imbalanced", 0.1, "RSC-VAE e (1% labeled anomalies)", ("any", 0.01)),
)

THESIS_C5 = "004 thesis"
DECENTRALIZATION = "003 decentralization"
RSC_VAE = "002 RSC-VAE"

METHODS = {
    "AE (thesis LeNet)": Method(_thesis_ae, {"train": 350}, (THESIS_C5, "AE")),
    "DeepSVDD (thesis LeNet)": Method(
        _thesis_svdd, {"pretrain": 350, "train": 250}, (THESIS_C5, "Deep SVDD")
    ),
    "FCDD (confetti, no OE)": Method(
        _fcdd,
        {"train": 50},
        (THESIS_C5, "FCDD (with outlier exposure)"),
        notes=("the paper's FCDD trains with outlier exposure",),
    ),
    "FCDD (photo-crop OE)": Method(
        _fcdd_oe,
        {"train": 50},
        (THESIS_C5, "FCDD (with outlier exposure)"),
        labels=("oe", 1.0),
        notes=(
            "outlier exposure from crops of scikit-learn's two sample photos, "
            "not the paper's EMNIST or CIFAR-100",
        ),
    ),
    # The paper's Euclidean reconstruction norm, then (the ablation) the mean
    # squared error, beside which lambda = 0.01 weighs about a hundred times
    # more.
    **{
        f"DecentralizationAE{suffix}{error_name}": Method(
            _decentralization(weight, error),
            {"train": 200},
            (DECENTRALIZATION, paper),
            side=32,
        )
        for error, error_name in (("l2", ""), ("mse", " (MSE)"))
        for weight, suffix, paper in (
            (0.01, "", "Decentralization AE (lambda 0.01"),
            (0.0, " lambda=0", "Autoencoder"),
        )
    },
    "VAE (decentralization paper)": Method(
        _vae_003("reconstruction"), {"train": 200}, (DECENTRALIZATION, "VAE"), side=32
    ),
    "VAE (Bernoulli, ELBO score)": Method(
        _vae_003("elbo"), {"train": 200}, (DECENTRALIZATION, "VAE"), side=32
    ),
    # RSC-VAE's rows with the paper's T_max 50, then (the schedule's
    # ablation) with one cosine decay over the (capped) run.
    **{
        f"{name}{suffix}": Method(
            _rsc(mode, weight, t_max),
            {"train": 500},
            (RSC_VAE, paper),
            "half",
            labels=labels,
            side=32,
        )  # fmt: skip
        for suffix, t_max in (("", 50), (", one cosine decay", None))
        for name, mode, weight, paper, labels in RSC_ROWS
    },
    # Mode e with a quarter of every batch labeled anomalies (the library's
    # DeepSAD default): over 10 epochs the paper's plain batches show each
    # of the 60 anomalies 10 times, its 500 epochs 500 times.
    "RSCVAE e, one cosine decay, balanced batches": Method(
        _rsc("imbalanced", 0.1, None, anomaly_fraction=0.25),
        {"train": 500},
        (RSC_VAE, RSC_ROWS[-1][3]),
        "half",
        labels=RSC_ROWS[-1][4],
        side=32,
        notes=("anomaly_fraction=0.25, not the paper's plain shuffled batches",),
    ),
    "OCSVM": Method(_shallow("OCSVM"), {}),
    **{
        f"SSAD gamma_l={g}": Method(_shallow("SSAD"), {}, labels=("gamma", g))
        for g in GAMMAS[1:]
    },
    **{
        f"DeepSAD gamma_l={g}": Method(
            _deep_sad, {"pretrain": 150, "train": 150}, labels=("gamma", g)
        )
        for g in GAMMAS
    },
}


def resolve_epochs(method, cap):
    """The epochs a run uses: the paper's, or scaled down to at most ``cap``."""
    epochs = dict(method.epochs)
    if cap is None or not epochs or epochs["train"] <= cap:
        return epochs
    scale = cap / epochs["train"]
    return {k: max(1, round(v * scale)) for k, v in epochs.items()}


def _resize(X, side):
    if side == X.shape[-1]:
        return X
    import torch
    import torch.nn.functional as F

    with torch.no_grad():
        return F.interpolate(
            torch.from_numpy(X), size=(side, side), mode="bilinear", align_corners=False
        ).numpy()


def make_task(method, normal, seed, data_home=DATA_HOME, max_train=None):
    """``X_train, y_train, X_test, is_anomaly`` of one (method, class, seed)."""
    rng = np.random.RandomState(seed)
    X_normal, X_test, is_anomaly = fashion_mnist_one_vs_rest(
        normal,
        anomaly_fraction=0.5 if method.protocol == "half" else 1.0,
        data_home=data_home,
        random_state=rng,
    )
    if max_train is not None and max_train < len(X_normal):
        X_normal = X_normal[np.sort(rng.choice(len(X_normal), max_train, False))]
    X_labeled = _labeled_anomalies(method, normal, seed, len(X_normal), rng, data_home)
    y_train = np.r_[np.zeros(len(X_normal), int), -np.ones(len(X_labeled), int)]
    return (
        _resize(np.concatenate([X_normal, X_labeled]), method.side),
        y_train,
        _resize(X_test, method.side),
        is_anomaly,
    )


def _labeled_anomalies(method, normal, seed, n, rng, data_home):
    """The training images labeled anomalous beside ``n`` normal ones: none,
    scenario (i)'s share from one class, a share drawn over the others, or
    outlier exposure from outside Fashion-MNIST."""
    if method.labels is None:
        return np.empty((0, 1, 28, 28), np.float32)
    kind, share = method.labels
    if kind == "oe":
        return photo_crops(round(share * n), rng)
    X, y = load_fashion_mnist("train", data_home=data_home)
    if kind == "gamma":  # m / (n + m) = gamma, from one anomaly class
        pool = np.flatnonzero(y == _labeled_class(normal, seed))
        m = round(share * n / (1 - share))
    else:  # a share of the training set, from every other class
        pool = np.flatnonzero(y != normal)
        m = max(1, round(share * n))
    return X[np.sort(rng.choice(pool, m, replace=False))]


def photo_crops(m, rng, side=28):
    """``m`` gray square crops of scikit-learn's two sample photos, resized
    to ``side``: an outlier-exposure set that ships with scikit-learn.

    The thesis's FCDD trains Fashion-MNIST against EMNIST or gray CIFAR-100
    (the better one), neither of which can be had offline; natural-image
    crops at random positions and scales (28 to 160 pixels) stand in for
    the latter, with far less variety (two scenes).
    """
    import torch
    import torch.nn.functional as F

    photos = [p.mean(axis=2) / 255.0 for p in load_sample_images().images]
    crops = np.empty((m, 1, side, side), np.float32)
    for i in range(m):
        photo = photos[rng.randint(len(photos))]
        size = rng.randint(side, 161)
        top = rng.randint(photo.shape[0] - size + 1)
        left = rng.randint(photo.shape[1] - size + 1)
        crop = torch.from_numpy(photo[top : top + size, left : left + size])
        crops[i, 0] = F.interpolate(
            crop[None, None].float(), size=(side, side), mode="area"
        )[0, 0].numpy()
    return crops


def _labeled_class(normal, seed):
    """Scenario (i)'s one labeled anomaly class: cycles over the other nine."""
    return (normal + 1 + seed % 9) % 10


def _cache_path(name, normal, seed, epochs, max_train):
    tag = "-".join(f"{k}{v}" for k, v in sorted(epochs.items())) or "shallow"
    stem = name.replace(" ", "_").replace("=", "")
    return CACHE / f"{stem}__{normal}__{seed}__{tag}__n{max_train or 'all'}.json"


def _is_cached(name, normal, seed, cap, max_train):
    epochs = resolve_epochs(METHODS[name], cap)
    return _cache_path(name, normal, seed, epochs, max_train).exists()


def run_one(name, normal, seed, cap, device, max_train, data_home=DATA_HOME,
            threads=None):  # fmt: skip
    if threads:
        import torch

        torch.set_num_threads(threads)
    method = METHODS[name]
    epochs = resolve_epochs(method, cap)
    cache = _cache_path(name, normal, seed, epochs, max_train)
    if cache.exists():
        return json.loads(cache.read_text())
    X_train, y_train, X_test, is_anomaly = make_task(
        method, normal, seed, data_home, max_train
    )
    model = method.make(seed, epochs, device)
    snapshots = SNAPSHOTS / cache.stem
    if not epochs:  # shallow: flattened pixels
        X_train, X_test = (
            X_train.reshape(len(X_train), -1),
            X_test.reshape(len(X_test), -1),
        )
    else:
        model.set_params(callbacks=[*(model.callbacks or []), Snapshots(snapshots)])
    resumed = progress(snapshots)
    if resumed:
        print(f"{name} class {normal} seed {seed}: resuming {resumed}", flush=True)
    start = time.perf_counter()
    model.fit(X_train, y_train)
    fit_s = time.perf_counter() - start
    if epochs:
        _check_epochs(model, epochs, name)
    scores = model.score_samples(X_test)
    row = {
        "method": name,
        "class": normal,
        "seed": seed,
        "epochs": epochs,
        "n_train": int((y_train == 0).sum()),
        "n_labeled": int((y_train == -1).sum()),
        "fit_s": fit_s,  # of the last run only, where it resumed
        "auroc": labeled_roc_auc(np.where(is_anomaly, -1, 1), scores),
    }
    if resumed:
        row["resumed_at"] = {k: v[0] for k, v in resumed.items()}
    CACHE.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(row))
    shutil.rmtree(snapshots, ignore_errors=True)
    return row


def _check_epochs(model, epochs, name):
    """A fit stopped early (skorch ends training quietly on a
    KeyboardInterrupt) is no run of the schedule: never record it."""
    trained = {"train": len(model.history_)}
    if "pretrain" in epochs:
        trained["pretrain"] = len(model.pretrain_history_)
    if trained != epochs:
        raise RuntimeError(f"{name} trained {trained} epochs, not {epochs}")


def paper_numbers(path=PAPERS):
    """{(source, method): {class: AUROC}} from the seeds' CSV."""
    papers = {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            key = (r["seed"], r["method"])
            papers.setdefault(key, {})[int(r["class"])] = float(r["auroc"])
    return papers


def _paper_row(method, papers):
    if method.paper is None:
        return None
    source, prefix = method.paper
    for (s, m), row in papers.items():
        if s == source and m.startswith(prefix):
            return row
    raise KeyError(f"no paper row {method.paper} in {PAPERS}")


def summarize(rows, names, classes, papers):
    """Per method: AUROC per class (mean over seeds), their mean, the paper's
    numbers on the same classes, and the epochs used."""
    table = {}
    for name in names:
        mine = [r for r in rows if r["method"] == name and r["class"] in classes]
        if not mine:
            continue
        per_class = {
            c: np.mean([r["auroc"] for r in mine if r["class"] == c])
            for c in classes
            if any(r["class"] == c for r in mine)
        }
        paper = _paper_row(METHODS[name], papers)
        table[name] = {
            "per_class": per_class,
            "seeds": {c: sum(r["class"] == c for r in mine) for c in per_class},
            "mean": np.mean(list(per_class.values())),
            "paper": None if paper is None else {c: paper[c] for c in per_class},
            "epochs": sorted({json.dumps(r["epochs"], sort_keys=True) for r in mine}),
            "n_train": sorted({r["n_train"] for r in mine}),
        }
    return table


def write_outputs(table, classes, command, name="fashion_mnist"):
    cols = [f"{c} {FASHION_MNIST_CLASSES[c]}" for c in classes]
    lines = [
        "# Fashion-MNIST one vs rest (issue 19)",
        "",
        "AUROC (mean over seeds) per normal class: ours / the paper's. Mean: "
        "over the measured classes, ours and the paper's on the same classes.",
        "",
        f"Command: `{command}`",
        "",
        "| method | " + " | ".join(cols) + " | mean | paper mean | seeds | epochs |",
        "| --- |" + " --- |" * (len(cols) + 4),
    ]
    out = [("method", "class", "auroc", "paper_auroc", "seeds", "epochs", "n_train")]
    for m, t in table.items():
        paper = t["paper"] or {}
        epochs = "; ".join(
            ", ".join(f"{k} {v}" for k, v in json.loads(e).items()) or "n/a"
            for e in t["epochs"]
        )
        cells = []
        for c in classes:
            if c not in t["per_class"]:
                cells.append("")
                continue
            ref = f" / {paper[c]:.3f}" if c in paper else ""
            cells.append(f"{t['per_class'][c]:.3f}{ref}")
            out.append((
                m, c, f"{t['per_class'][c]:.4f}",
                f"{paper[c]:.3f}" if c in paper else "", t["seeds"][c], epochs,
                "/".join(map(str, t["n_train"])),
            ))  # fmt: skip
        paper_mean = f"{np.mean(list(paper.values())):.3f}" if paper else ""
        low, high = min(t["seeds"].values()), max(t["seeds"].values())
        seeds = str(low) if low == high else f"{low}-{high}"
        lines.append(
            f"| {m} | " + " | ".join(cells)
            + f" | {t['mean']:.3f} | {paper_mean} | {seeds} | {epochs} |"
        )  # fmt: skip
    notes = sorted(
        {f"{m}: {n}" for m in table for n in METHODS[m].notes}
        | {
            f"{m}: trained on {'/'.join(map(str, t['n_train']))} normal images"
            for m, t in table.items()
            if t["n_train"] != [6000]
        }
    )
    lines += ["", *[f"- {n}" for n in notes]] if notes else []
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.md").write_text("\n".join(lines) + "\n")
    with open(RESULTS / f"{name}.csv", "w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(out)
    _plot(table, name)
    return "\n".join(lines)


def _plot(table, name):
    """Scenario (i): mean AUROC against gamma_l, the unsupervised as lines."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    curves = {
        family: sorted(
            (float(m.split("=")[1]), t["mean"])
            for m, t in table.items()
            if m.startswith(f"{family} gamma_l=")
        )
        for family in ("DeepSAD", "SSAD")
    }
    if not any(curves.values()):  # no scenario (i) in this run: nothing to draw
        return
    fig, ax = plt.subplots(figsize=(5, 3.5))
    for family, points in curves.items():
        if points:
            ax.plot(*zip(*points, strict=True), "o-", label=family)
    for m, style in (("OCSVM", ":"), ("DeepSVDD (thesis LeNet)", "--")):
        if m in table:
            ax.axhline(table[m]["mean"], ls=style, color="grey", label=m)
    ax.set_xlabel("gamma_l (labeled anomalies, one class)")
    ax.set_ylabel("mean AUROC over the measured classes")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(RESULTS / f"{name}.png", dpi=110)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--methods", nargs="+", default=list(METHODS))
    parser.add_argument("--classes", nargs="+", type=int, default=list(FIRST_CLASSES))
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument(
        "--epochs",
        type=int,
        default=None,
        help="cap on every schedule (default: the papers')",
    )
    parser.add_argument("--device", default="auto")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument(
        "--threads", type=int, default=None, help="torch threads per process"
    )
    parser.add_argument(
        "--max-train", type=int, default=None, help="normal images per fit"
    )
    parser.add_argument("--data-home", default=str(DATA_HOME))
    parser.add_argument("--cached-only", action="store_true")
    parser.add_argument("--name", default="fashion_mnist")
    args = parser.parse_args(argv)
    unknown = set(args.methods) - set(METHODS)
    if unknown:
        parser.error(f"unknown methods {sorted(unknown)}; known: {list(METHODS)}")
    runs = [
        (m, c, s) for s in range(args.seeds) for c in args.classes for m in args.methods
    ]
    if args.cached_only:
        runs = [r for r in runs if _is_cached(*r, args.epochs, args.max_train)]
    rows = []
    results = Parallel(n_jobs=args.jobs, return_as="generator_unordered")(
        delayed(run_one)(
            m,
            c,
            s,
            args.epochs,
            args.device,
            args.max_train,
            args.data_home,
            args.threads,
        )  # fmt: skip
        for m, c, s in runs
    )
    for row in results:
        rows.append(row)
        print(
            f"{row['method']:>28} class {row['class']} seed {row['seed']}: "
            f"AUROC {row['auroc']:.3f}"
            + ("" if row["fit_s"] is None else f" ({row['fit_s']:.0f} s)"),
            flush=True,
        )
    table = summarize(rows, args.methods, args.classes, paper_numbers())
    given = sys.argv[1:] if argv is None else argv
    command = "python -m benchmarks.fashion_mnist " + shlex.join(given)
    print(write_outputs(table, args.classes, command, args.name))


if __name__ == "__main__":
    main()
