"""Training overhead of the skorch engine against a bare PyTorch loop.

For DeepSVDD, DeepSAD and AutoEncoder: the median time per epoch of the
estimator's fit (skorch's per-epoch ``dur``, pretraining off) against a bare
loop that trains a copy of the *same* module with the same loss, optimizer,
batch size and thread count, slicing one in-memory tensor. PyOD's DeepSVDD
and AutoEncoder on the same data are timed as a reference (their whole fit
divided by the epochs: PyOD records no per-epoch time; architectures are
PyOD's own, closest settings). Data: thyroid's training split of the ODDS
protocol (if the ODDS files are found) and a synthetic 100k x 50 set.

Writes ``results/overhead.md`` and ``.csv``::

    python -m benchmarks.overhead --epochs 20 --repeats 5
"""

import argparse
import copy
import time
from pathlib import Path

import numpy as np
import torch

import skoneclass
from skoneclass.datasets import load_odds, semisupervised_split

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
DATA_HOME = HERE.parents[1] / "shared" / "data"

METHODS = {
    "DeepSVDD": lambda kw: skoneclass.DeepSVDD(pretrain=None, **kw),
    "DeepSAD": lambda kw: skoneclass.DeepSAD(pretrain=None, **kw),
    "AutoEncoder": lambda kw: skoneclass.AutoEncoder(**kw),
}


def datasets():
    out = {}
    try:
        X, y = load_odds("thyroid", data_home=DATA_HOME)
        X_train, y_train, _, _ = semisupervised_split(X, y, random_state=0)
        out["thyroid"] = (X_train, y_train)
    except (FileNotFoundError, OSError):
        print("thyroid not found; synthetic data only")
    rng = np.random.RandomState(0)
    X = rng.randn(100_000, 50)
    out["synthetic 100k x 50"] = (X, np.zeros(len(X), dtype=int))
    return out


def bare_loop(module, criterion, X, y, epochs, batch_size, lr, weight_decay):
    """Median seconds per epoch of a plain loop over index slices."""
    module = copy.deepcopy(module).train()
    criterion = copy.deepcopy(criterion)
    X, y = torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(y)
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


def skoneclass_epoch(name, X, y, epochs, batch_size):
    kw = {
        "max_epochs": epochs,
        "batch_size": batch_size,
        "lr_milestones": None,
        "device": "cpu",
        "random_state": 0,
    }
    est = METHODS[name](kw).fit(X, y)
    per_epoch = float(np.median(est.history_[:, "dur"]))
    return est, per_epoch


def pyod_epoch(name, X, epochs, batch_size):
    if name == "DeepSVDD":
        from pyod.models.deep_svdd import DeepSVDD

        det = DeepSVDD(
            n_features=X.shape[1],
            hidden_neurons=[32, 16],
            epochs=epochs,
            batch_size=batch_size,
            verbose=0,
            random_state=0,
        )
    elif name == "AutoEncoder":
        from pyod.models.auto_encoder import AutoEncoder

        det = AutoEncoder(
            epoch_num=epochs, batch_size=batch_size, verbose=0, random_state=0
        )
    else:
        return None
    start = time.perf_counter()
    det.fit(X)
    return (time.perf_counter() - start) / epochs


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--name", default="overhead")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    rows = []
    for data_name, (X, y) in datasets().items():
        epochs = args.epochs if len(X) < 10_000 else max(2, args.epochs // 10)
        for name in METHODS:
            ours, bare = [], []
            for _ in range(args.repeats):
                est, t = skoneclass_epoch(name, X, y, epochs, args.batch_size)
                ours.append(t)
                net = est.net_
                bare.append(
                    bare_loop(
                        net.module_,
                        net.criterion_,
                        X,
                        np.asarray(y, dtype=np.int64),
                        epochs,
                        args.batch_size,
                        est.lr,
                        est.weight_decay,
                    )
                )
            t_pyod = pyod_epoch(name, X, epochs, args.batch_size)
            row = {
                "data": data_name,
                "method": name,
                "skoneclass_ms": 1e3 * np.median(ours),
                "bare_ms": 1e3 * np.median(bare),
                "pyod_ms": None if t_pyod is None else 1e3 * t_pyod,
            }
            row["ratio"] = row["skoneclass_ms"] / row["bare_ms"]
            rows.append(row)
            print(row, flush=True)
    write(rows, args)


def write(rows, args):
    import pandas as pd

    RESULTS.mkdir(exist_ok=True)
    frame = pd.DataFrame(rows)
    frame.to_csv(RESULTS / f"{args.name}.csv", index=False)
    lines = [
        f"Time per epoch (ms, median of {args.repeats} runs; batch "
        f"{args.batch_size}, {args.threads} threads, CPU). ratio = skoneclass / "
        "bare loop on the identical module; PyOD: whole fit / epochs, its own "
        "networks.",
        "",
        "| data | method | skoneclass | bare loop | ratio | PyOD |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        pyod = "-" if r["pyod_ms"] is None else f"{r['pyod_ms']:.1f}"
        lines.append(
            f"| {r['data']} | {r['method']} | {r['skoneclass_ms']:.1f} | "
            f"{r['bare_ms']:.1f} | {r['ratio']:.2f} | {pyod} |"
        )
    (RESULTS / f"{args.name}.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
