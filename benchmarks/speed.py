"""Speed side by side: time per epoch and peak memory, skoneclass vs PyOD vs DeepOD.

For each deep method, in one run on the same data: skoneclass's estimator,
PyOD's and DeepOD's (where they have the method) with the same layer widths
(the thesis's ODDS MLP for the data's width), batch size, learning rate and
number of torch threads, and a bare PyTorch loop training skoneclass's own
module (the floor: the network's math and nothing else).

- ``--data fmnist``: the thesis's Fashion-MNIST LeNet
  (``network="lenet28-fmnist"``) on 6,000 images, skoneclass against the
  bare loop on the identical network and images (the peers have no LeNet).
- Time per epoch = (fit time with 2E epochs - fit time with E epochs) / E,
  for every library alike: the difference cancels what a fit does once
  (building the network, the center, scoring the training data), leaving
  the epochs. Median over ``--repeats``.
- Every fit runs in a fresh process (spawn), after a warm-up fit on 510
  rows, so its peak memory is the process's peak resident set during the
  fit minus the resident set just before it (data loaded, kernels loaded).

The bare loop steps torch's default (unfused) Adam, as a hand-written loop
would; skoneclass steps the fused one. The other settings are each
library's defaults (PyOD's dropout, its 10%
validation hold-out in DeepSVDD; DeepOD's weighted sampler).

Writes ``results/speed.md`` and ``.csv``::

    python -m benchmarks.speed --repeats 3
"""

import argparse
import multiprocessing
import resource
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
DATA_HOME = HERE.parents[1] / "shared" / "data"

METHODS = ("DeepSVDD", "DeepSAD", "AutoEncoder", "VAE", "DevNet")


def load(name):
    """(X, y) in skoneclass's labels: 1% labeled anomalies (y = -1).

    "fmnist": Fashion-MNIST's 6,000 T-shirt/top training images as
    (n, 1, 28, 28) pixels in [0, 1], and 60 labeled trousers.
    """
    if name == "fmnist":
        from skoneclass.datasets import load_fashion_mnist

        images, labels = load_fashion_mnist("train", data_home=DATA_HOME)
        X = np.concatenate([images[labels == 0], images[labels == 1][:60]])
        return X, np.r_[np.zeros(6000, int), -np.ones(60, int)]
    if name == "thyroid":
        from skoneclass.datasets import load_odds, semisupervised_split

        X, y = load_odds("thyroid", data_home=DATA_HOME)
        X, y, _, _ = semisupervised_split(X, y, random_state=0)
    else:
        rng = np.random.RandomState(0)
        X = rng.randn(100_000, 50)
        y = np.where(rng.rand(len(X)) < 0.01, -1, 0)
    X = (X - X.mean(0)) / X.std(0)
    return X, y


def build(library, method, shape, epochs, batch_size):
    """An unfitted detector, or None where the library lacks the method."""
    from benchmarks.odds import _deepod, _pyod, _widths

    n_samples, n_features = shape[:2]
    images = len(shape) == 4
    if library == "skoneclass":
        import skoneclass

        kw = {"max_epochs": epochs, "batch_size": batch_size, "device": "cpu"}
        kw["random_state"] = 0
        kw["n_networks"] = 1  # the time of one network's steps
        if images:  # the thesis's Fashion-MNIST LeNet
            kw["network"] = "lenet28-fmnist"
        if method in ("DeepSVDD", "DeepSAD"):
            kw.update(pretrain=None, lr_milestones=None)
        elif method == "AutoEncoder":
            kw.update(lr_milestones=None)
        return getattr(skoneclass, method)(**kw)
    if images:  # the peers have no LeNet
        return None
    widths = _widths(n_features)
    if library == "PyOD":
        common = {"batch_size": batch_size, "verbose": 0, "random_state": 0}
        common["preprocessing"] = False
        if method == "DeepSVDD":
            return _pyod(
                "deep_svdd", "DeepSVDD", n_features=n_features,
                hidden_neurons=widths, epochs=epochs, **common,
            )  # fmt: skip
        if method == "AutoEncoder":
            return _pyod(
                "auto_encoder", "AutoEncoder", hidden_neuron_list=widths,
                epoch_num=epochs, lr=1e-4, **common,
            )  # fmt: skip
        if method == "VAE":
            return _pyod(
                "vae", "VAE", encoder_neuron_list=widths[:-1],
                decoder_neuron_list=widths[-2::-1], latent_dim=widths[-1],
                epoch_num=epochs, **common,
            )  # fmt: skip
        if method == "DevNet":
            # PyOD's epoch is nb_batch batches: as many as in one pass.
            nb_batch = -(-n_samples // batch_size)
            return _pyod(
                "devnet", "DevNet", labels="pass", epochs=epochs,
                batch_size=batch_size, nb_batch=nb_batch,
            )  # fmt: skip
        return None
    if library == "DeepOD":
        if method == "DevNet":
            return _deepod(
                method, n_features, epochs, batch_size, lr=1e-3, seed=0,
                hidden=(20,), rep=None,
            )  # fmt: skip
        if method in ("DeepSVDD", "DeepSAD"):
            return _deepod(method, n_features, epochs, batch_size, lr=1e-4, seed=0)
        return None
    raise ValueError(library)


def fit_once(library, method, data, epochs, batch_size, threads):
    """Fit time (s) and peak memory (MiB above the start) of one fit."""
    import contextlib
    import io

    import psutil
    import torch
    from torch.optim.optimizer import register_optimizer_step_post_hook

    torch.set_num_threads(threads)
    X, y = load(data)
    detector = build(library, method, X.shape, epochs, batch_size)
    if detector is None:
        return None
    # A warm-up fit on a few rows first: the first forward and backward pass
    # of a process loads kernels (time and ~80 MiB of code pages) that
    # belong to no library.
    few = np.r_[np.flatnonzero(y == -1)[:10], np.flatnonzero(y != -1)[:500]]
    with contextlib.redirect_stdout(io.StringIO()):
        build(library, method, (len(few), *X.shape[1:]), 1, batch_size).fit(
            X[few], y[few]
        )
    steps = []
    register_optimizer_step_post_hook(lambda *args: steps.append(1))
    before = psutil.Process().memory_info().rss
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        detector.fit(X, y)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    result = {
        "fit_s": seconds,
        "steps": len(steps),
        "peak_mib": max(peak - before, 0) / 2**20,
    }
    if library == "skoneclass" and method in ("DeepSVDD", "DeepSAD", "AutoEncoder"):
        net = detector.net_
        result["bare_s"] = bare_loop(
            net.module_, net.criterion_, X, y, epochs, batch_size, detector.lr,
            detector.weight_decay,
        )  # fmt: skip
    return result


def bare_loop(module, criterion, X, y, epochs, batch_size, lr, weight_decay):
    """Median seconds per epoch of a plain loop over index slices."""
    import torch

    module = module.train()
    # skoneclass's networks read images flattened, as its estimators pass them.
    X = torch.as_tensor(X.reshape(len(X), -1), dtype=torch.float32)
    y = torch.as_tensor(np.asarray(y, dtype=np.int64))
    optimizer = torch.optim.Adam(module.parameters(), lr=lr, weight_decay=weight_decay)
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        order = torch.randperm(len(X))
        for i in range(0, len(X), batch_size):
            idx = order[i : i + batch_size]
            if len(idx) < 2:
                continue
            optimizer.zero_grad()
            loss = criterion(module(X[idx]), y[idx])
            loss.backward()
            optimizer.step()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def in_fresh_process(*args):
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context, max_tasks_per_child=1) as pool:
        return pool.submit(fit_once, *args).result()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", nargs="+", default=["thyroid", "synthetic", "fmnist"])
    parser.add_argument("--methods", nargs="+", default=list(METHODS))
    parser.add_argument("--libraries", nargs="+",
                        default=["skoneclass", "PyOD", "DeepOD"])  # fmt: skip
    parser.add_argument("--epochs", type=int, default=20,
                        help="E on thyroid; E / 10 on the 100k rows")  # fmt: skip
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--name", default="speed")
    args = parser.parse_args(argv)
    rows = []
    for data in args.data:
        # The 100k rows and the 6,000 images take E / 10 epochs.
        epochs = args.epochs if data == "thyroid" else max(1, args.epochs // 10)
        for method in args.methods:
            for library in args.libraries:
                per_epoch, per_step, peaks, fits, bare = [], [], [], [], []
                for _ in range(args.repeats):
                    short = in_fresh_process(
                        library, method, data, epochs, args.batch_size, args.threads
                    )
                    if short is None:
                        break
                    long = in_fresh_process(
                        library, method, data, 2 * epochs, args.batch_size,
                        args.threads,
                    )  # fmt: skip
                    extra = long["fit_s"] - short["fit_s"]
                    per_epoch.append(extra / epochs)
                    per_step.append(extra / (long["steps"] - short["steps"]))
                    peaks.append(long["peak_mib"])
                    fits.append(long["fit_s"])
                    bare += [r["bare_s"] for r in (short, long) if "bare_s" in r]
                if not per_epoch:
                    continue
                row = {
                    "data": data,
                    "method": method,
                    "library": library,
                    "epoch_ms": 1e3 * float(np.median(per_epoch)),
                    "step_ms": 1e3 * float(np.median(per_step)),
                    "steps_per_epoch": (long["steps"] - short["steps"]) / epochs,
                    "bare_epoch_ms": 1e3 * float(np.median(bare)) if bare else None,
                    "fit_s": float(np.median(fits)),
                    "epochs": 2 * epochs,
                    "peak_mib": float(np.median(peaks)),
                }
                rows.append(row)
                print(row, flush=True)
    write(rows, args)


def write(rows, args):
    import pandas as pd

    frame = pd.DataFrame(rows)
    RESULTS.mkdir(exist_ok=True)
    frame.to_csv(RESULTS / f"{args.name}.csv", index=False)
    ours = frame[frame.library == "skoneclass"].set_index(["data", "method"])
    lines = [
        f"Time per epoch in ms (median of {args.repeats}; (fit with 2E epochs - "
        f"fit with E) / E), batch {args.batch_size}, {args.threads} torch "
        "threads, CPU, same layer widths. ratio = skoneclass / peer per "
        "optimizer step (a batch of the same size; the libraries' epochs "
        "differ: PyOD's DeepSVDD trains on 90%, DevNet's balanced epoch is a "
        "pass over the normals); below 1: skoneclass faster. bare loop: "
        "skoneclass's module in a plain PyTorch loop. Peak: MiB of resident "
        "memory a fit adds, in a fresh process.",
        "",
        "| data | method | skoneclass | bare loop | PyOD | ratio | DeepOD | "
        "ratio | peak MiB skoneclass / PyOD / DeepOD |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for (data, method), mine in ours.iterrows():
        cells, peaks = [], [f"{mine.peak_mib:.1f}"]
        for library in ("PyOD", "DeepOD"):
            peer = frame[
                (frame.data == data)
                & (frame.method == method)
                & (frame.library == library)
            ]
            if len(peer):
                t, step = peer.epoch_ms.iloc[0], peer.step_ms.iloc[0]
                cells += [f"{t:.1f}", f"{mine.step_ms / step:.2f}"]
                peaks.append(f"{peer.peak_mib.iloc[0]:.1f}")
            else:
                cells += ["-", "-"]
                peaks.append("-")
        bare = "-" if pd.isna(mine.bare_epoch_ms) else f"{mine.bare_epoch_ms:.1f}"
        lines.append(
            f"| {data} | {method} | {mine.epoch_ms:.1f} | {bare} | "
            + " | ".join(cells)
            + f" | {' / '.join(peaks)} |"
        )
    text = "\n".join(lines) + "\n"
    (RESULTS / f"{args.name}.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
