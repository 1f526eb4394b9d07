"""Seen and unseen anomalies: DRA against DevNet
=============================================

Open-set supervision: the model sees a few labeled anomalies of some kinds
and must also catch kinds it never saw. Digit 1 is normal; ten labeled
anomalies come from the *seen* digits 2 and 3; digits 0 and 4-9 are
*unseen*. DevNet learns to score what it was shown; DRA (Ding et al., 2022)
adds heads for pseudo anomalies made from normal images and for the
residual to normal references, and keeps its score high on unseen digits.
The histograms show the test scores of normal images, seen and unseen
anomalies for both.

Run with ``python examples/dra_open_set.py [output_dir]``.
"""

import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import roc_auc_score

from benchmarks.open_set import open_set_split
from skoneclass import DRA, DevNet


def main(output_dir=None):
    X_train, y_train, X_normal, X_seen, X_unseen = open_set_split(1, seed=0)
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    results = {}
    for ax, est in zip(
        axes, (DevNet(random_state=0), DRA(random_state=0)), strict=True
    ):
        name = type(est).__name__
        est.fit(X_train, y_train)
        scores = {
            "normal (1)": -est.score_samples(X_normal),
            "seen (2, 3)": -est.score_samples(X_seen),
            "unseen (0, 4-9)": -est.score_samples(X_unseen),
        }
        normal = scores["normal (1)"]
        for kind in ("seen", "unseen"):
            key = next(k for k in scores if k.startswith(kind))
            truth = np.r_[np.zeros(len(normal)), np.ones(len(scores[key]))]
            results[name, kind] = roc_auc_score(truth, np.r_[normal, scores[key]])
        bins = np.linspace(min(map(np.min, scores.values())),
                           max(map(np.max, scores.values())), 40)  # fmt: skip
        for label, s in scores.items():
            ax.hist(s, bins=bins, alpha=0.5, density=True, label=label)
        ax.set_title(
            f"{name}: AUROC seen {results[name, 'seen']:.3f}, "
            f"unseen {results[name, 'unseen']:.3f}",
            fontsize=10,
        )
        ax.set_xlabel("anomaly score (-score_samples)")
    axes[0].legend()
    fig.tight_layout()
    if output_dir is not None:
        fig.savefig(Path(output_dir) / "dra_open_set.png", dpi=100)
    for (name, kind), auc in results.items():
        print(f"{name:7s} {kind:6s} anomalies: AUROC {auc:.3f}")
    return results


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
    plt.show()
