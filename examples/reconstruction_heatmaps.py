"""Where an autoencoder fails: reconstruction-error heatmaps on digits
====================================================================

An autoencoder with a small CNN learns the images of one digit (0). Its
anomaly score is the mean squared reconstruction error; the squared error
per pixel, ``(X - ae.reconstruct(X)) ** 2``, shows where an image departs
from what the decoder can draw. The figure overlays that heatmap
(``skoneclass.plot.heatmap_overlay``, one color scale for all) on normal
test images (top) and on anomalies (bottom), each titled with its score.

Run with ``python examples/reconstruction_heatmaps.py [output_dir]``.
"""

import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.metrics import roc_auc_score

from skoneclass import AutoEncoder
from skoneclass.datasets import one_vs_rest_split
from skoneclass.parts import ConvNet
from skoneclass.plot import heatmap_overlay


def main(output_dir=None):
    X, y = load_digits(return_X_y=True)
    X_train, _, X_test, is_anomaly = one_vs_rest_split(
        X / 16.0, y, normal_class=0, random_state=0
    )
    ae = AutoEncoder(
        network=ConvNet(image_shape=(1, 8, 8), channels=(32, 64), rep_dim=8),
        lr=1e-3,
        lr_milestones=None,
        max_epochs=100,
        batch_size=32,
        n_networks=1,  # the heatmaps are one network's reconstructions
        random_state=0,
    ).fit(X_train)
    error = (X_test - ae.reconstruct(X_test)) ** 2
    score = -ae.score_samples(X_test)
    auc = roc_auc_score(is_anomaly, score)
    # Five of each kind, the median-scored ones.
    picks = []
    for kind in (0, 1):
        rows = np.flatnonzero(is_anomaly == kind)
        middle = rows[np.argsort(score[rows])][len(rows) // 2 - 2 :][:5]
        picks.append(middle)
    fig, axes = plt.subplots(2, 5, figsize=(10, 4.8))
    chosen = np.concatenate(picks)
    # One color scale for all ten: the anomalies' errors are the larger.
    heatmap_overlay(
        X_test[chosen].reshape(-1, 8, 8),
        error[chosen].reshape(-1, 8, 8),
        scale="all",
        axes=axes.ravel(),
    )
    for ax, i in zip(axes.ravel(), chosen, strict=True):
        ax.set_title(f"score {score[i]:.3f}", fontsize=9)
    axes[0, 0].set_ylabel("normal (0)")
    axes[1, 0].set_ylabel("anomalies")
    fig.suptitle(f"Autoencoder on digit 0: AUROC {auc:.3f}")
    fig.tight_layout()
    if output_dir is not None:
        fig.savefig(Path(output_dir) / "reconstruction_heatmaps.png", dpi=100)
    # Where the error is: on the pixels that differ from a 0, for anomalies.
    normal_error = float(error[is_anomaly == 0].sum(axis=1).mean())
    anomaly_error = float(error[is_anomaly == 1].sum(axis=1).mean())
    print(f"AUROC {auc:.3f}; summed squared error {normal_error:.2f} (normal) "
          f"vs {anomaly_error:.2f} (anomalies)")  # fmt: skip
    return {"auroc": auc, "normal_error": normal_error, "anomaly_error": anomaly_error}


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
    plt.show()
