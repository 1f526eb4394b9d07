"""OIAD's structure consistency on 8x8 digits: the morphs of two images
====================================================================

OIAD (Wang et al., 2020) trains a disentangled VAE (total-correlation
penalty, learned prior) on one digit. To judge an image it encodes it,
varies one code at a time over that code's normal range and decodes: the
*morphs*. A normal image stays close to its morphs along every code; an
anomaly does not, because the decoder only draws normal digits. The image
is flagged when some code's consistency lies beyond the (1 - alpha)
quantile of held-out normal images.

The figure shows, for a normal test image and an anomalous one (each the
median-scored of its kind), the image and its morphs (one row per code),
and the score histograms.

Run with ``python examples/oiad_morphs.py [output_dir]``.
"""

import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.metrics import roc_auc_score

from skoneclass import OIAD
from skoneclass.datasets import one_vs_rest_split


def _median_index(scores, mask):
    candidates = np.flatnonzero(mask)
    return candidates[np.argsort(scores[candidates])[len(candidates) // 2]]


def main(output_dir=None):
    X, y = load_digits(return_X_y=True)
    X_train, _, X_test, is_anomaly = one_vs_rest_split(
        X / 16.0, y, normal_class=7, random_state=0
    )
    oiad = OIAD(
        likelihood="bernoulli",
        hidden_dims=(64, 32),
        rep_dim=6,
        discriminator_dims=(256, 256),
        n_morphs=8,
        alpha=0.1,
        max_epochs=100,
        batch_size=32,
        random_state=0,
    ).fit(X_train)
    scores = -oiad.score_samples(X_test)
    flagged = oiad.predict(X_test) == -1
    picks = {
        "normal": _median_index(scores, is_anomaly == 0),
        "anomaly": _median_index(scores, is_anomaly == 1),
    }
    morphs = oiad.morphs(X_test[list(picks.values())])
    n_codes, n_morphs = morphs.shape[1:3]
    fig = plt.figure(figsize=(13, 4.2))
    grids = fig.add_gridspec(1, 3, width_ratios=[1, 1, 1.1])
    for k, (kind, index) in enumerate(picks.items()):
        grid = grids[k].subgridspec(n_codes, n_morphs + 1, wspace=0.05, hspace=0.05)
        for i in range(n_codes):
            for j in range(n_morphs + 1):
                ax = fig.add_subplot(grid[i, j])
                image = X_test[index] if j == 0 else morphs[k, i, j - 1]
                ax.imshow(image.reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
                ax.set_xticks([])
                ax.set_yticks([])
                if i == 0 and j == 0:
                    ax.set_title("input", fontsize=8)
                if j == 0:
                    ax.set_ylabel(f"z{oiad.codes_[i]}", fontsize=7)
        verdict = "flagged" if flagged[index] else "not flagged"
        fig.text(0.06 + 0.31 * k, 0.95, f"{kind} test image ({verdict})")
    ax = fig.add_subplot(grids[2])
    bins = np.linspace(scores.min(), np.quantile(scores, 0.99), 40)
    ax.hist(scores[is_anomaly == 0], bins, alpha=0.6, density=True, label="normal (7)")
    ax.hist(
        scores[is_anomaly == 1], bins, alpha=0.6, density=True, label="other digits"
    )
    ax.axvline(-oiad.offset_, color="k", linestyle="--", label="threshold (alpha=0.1)")
    auc = roc_auc_score(is_anomaly, scores)
    ax.set_title(f"OIAD score: AUROC {auc:.3f}")
    ax.legend(fontsize=8)
    if output_dir is not None:
        fig.savefig(Path(output_dir) / "oiad_morphs.png", dpi=100)
    results = {
        "auroc": auc,
        "normal_flagged_rate": float(flagged[is_anomaly == 0].mean()),
        "anomaly_flagged_rate": float(flagged[is_anomaly == 1].mean()),
        "morph_shape": morphs.shape,
    }
    print(results)
    return results


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
    plt.show()
