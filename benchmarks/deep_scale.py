"""DeepSAD as n grows: fit time and time per epoch for 1e3 to 1e6 rows.

Synthetic rows (50 standard normal features, float32, 1% labeled
anomalies), the default recipe shortened to ``--epochs`` epochs of
autoencoder pretraining and as many of DeepSAD, batch 200, CPU. Time per
epoch is the median of skorch's per-epoch ``dur`` over both phases; if the
engine adds no per-sample work it grows linearly in n, so the last column,
microseconds per row and epoch, stays flat.

Writes ``results/deep_scale.md`` and ``.csv``::

    python -m benchmarks.deep_scale
"""

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from skoneclass import DeepSAD

RESULTS = Path(__file__).resolve().parent / "results"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", type=int,
                        default=[1_000, 10_000, 100_000, 1_000_000])  # fmt: skip
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--name", default="deep_scale")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    rows = []
    # Not recorded: the process's first fit also loads torch's kernels.
    DeepSAD(max_epochs=1, pretrain_epochs=1, device="cpu").fit(
        np.random.RandomState(1).randn(1000, 50).astype(np.float32)
    )
    for n in args.sizes:
        rng = np.random.RandomState(0)
        X = rng.randn(n, 50).astype(np.float32)
        y = np.where(rng.rand(n) < 0.01, -1, 0)
        detector = DeepSAD(
            max_epochs=args.epochs, pretrain_epochs=args.epochs, device="cpu",
            n_networks=1, random_state=0,
        )  # fmt: skip
        start = time.perf_counter()
        detector.fit(X, y)
        fit_s = time.perf_counter() - start
        durations = np.r_[
            detector.pretrain_history_[:, "dur"], detector.history_[:, "dur"]
        ]
        epoch_s = float(np.median(durations))
        rows.append({
            "n": n,
            "fit_s": fit_s,
            "epoch_s": epoch_s,
            "us_per_row_epoch": 1e6 * epoch_s / n,
        })  # fmt: skip
        print(rows[-1], flush=True)
    frame = pd.DataFrame(rows)
    RESULTS.mkdir(exist_ok=True)
    frame.to_csv(RESULTS / f"{args.name}.csv", index=False)
    lines = [
        f"DeepSAD on n x 50 synthetic rows: {args.epochs} epochs of pretraining "
        f"+ {args.epochs} of DeepSAD, batch 200, {args.threads} threads, CPU.",
        "",
        "| n | fit (s) | time per epoch (s) | us per row and epoch |",
        "| --- | --- | --- | --- |",
    ]
    lines += [
        f"| {r.n:,} | {r.fit_s:.2f} | {r.epoch_s:.3f} | {r.us_per_row_epoch:.2f} |"
        for r in frame.itertuples()
    ]
    text = "\n".join(lines) + "\n"
    (RESULTS / f"{args.name}.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
